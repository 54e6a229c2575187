//! TLS to PostgreSQL with rustls, following libpq's `sslmode` (the URL's options
//! `sslmode` and `sslrootcert`, taken out before the driver reads the rest):
//!
//! | sslmode | TLS | the server's certificate |
//! | --- | --- | --- |
//! | `disable` | never | - |
//! | `prefer` (the default) | when the server offers it | not checked |
//! | `require` | always | not checked, unless `sslrootcert` names a CA file: then checked against it |
//! | `verify-ca`, `verify-full` | always | checked against `sslrootcert`, else the system's roots, with the host name (`verify-ca` is checked as `verify-full`) |
//!
//! "Not checked" is libpq's meaning of `prefer` and `require`: the link is encrypted, and
//! whom it reaches is left to the network. Use `verify-full` across networks you do not
//! trust. The crypto provider is aws-lc-rs, which reqwest already builds.

use crate::error::{Error, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::path::PathBuf;
use std::sync::Arc;
use tokio_postgres::config::SslMode;

pub use tokio_postgres_rustls::MakeRustlsConnect as Connector;

/// How the server's certificate is treated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Check {
    /// Encrypted, whoever answers (libpq's `prefer` and `require`).
    Unchecked,
    /// Checked against the CA certificates in this file, or the system's roots.
    Roots(Option<PathBuf>),
}

/// Reads `sslmode` and `sslrootcert`: the driver's mode and how to check the certificate.
pub(crate) fn mode(sslmode: Option<&str>, rootcert: Option<&str>) -> Result<(SslMode, Check)> {
    let file = rootcert.map(PathBuf::from);
    Ok(match sslmode.unwrap_or("prefer") {
        "disable" => (SslMode::Disable, Check::Unchecked),
        "allow" | "prefer" => (SslMode::Prefer, Check::Unchecked),
        "require" => match file {
            Some(f) => (SslMode::Require, Check::Roots(Some(f))),
            None => (SslMode::Require, Check::Unchecked),
        },
        "verify-ca" | "verify-full" => (SslMode::Require, Check::Roots(file)),
        other => {
            return Err(Error::invalid(format!(
                "sslmode={other} in the database URL: use disable, prefer, require, verify-ca or verify-full"
            )));
        }
    })
}

/// The connector for `check`. A CA file that cannot be read, or holds no certificate, is
/// invalid input naming the file.
pub(crate) fn connector(check: &Check) -> Result<Connector> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("TLS for PostgreSQL: {e}")))?;
    let config = match check {
        Check::Unchecked => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
            .with_no_client_auth(),
        Check::Roots(file) => builder
            .with_root_certificates(roots(file.as_deref())?)
            .with_no_client_auth(),
    };
    Ok(Connector::new(config))
}

fn roots(file: Option<&std::path::Path>) -> Result<rustls::RootCertStore> {
    let mut store = rustls::RootCertStore::empty();
    match file {
        Some(path) => {
            use rustls::pki_types::pem::PemObject;
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<std::result::Result<_, _>>())
                .map_err(|e| {
                    Error::invalid(format!(
                        "sslrootcert {}: cannot read CA certificates ({e})",
                        path.display()
                    ))
                })?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(Error::invalid(format!(
                    "sslrootcert {} holds no CA certificate",
                    path.display()
                )));
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err(Error::invalid(
                    "sslmode=verify-full: this system has no CA certificates; give sslrootcert=FILE",
                ));
            }
        }
    }
    Ok(store)
}

/// Accepts any certificate but still checks the handshake's signatures with it: the link
/// is encrypted to whoever answers (libpq's `prefer` and `require`).
#[derive(Debug)]
struct Unchecked(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_follows_libpq() {
        assert_eq!(
            mode(None, None).unwrap(),
            (SslMode::Prefer, Check::Unchecked)
        );
        assert_eq!(
            mode(Some("disable"), None).unwrap(),
            (SslMode::Disable, Check::Unchecked)
        );
        assert_eq!(
            mode(Some("require"), None).unwrap(),
            (SslMode::Require, Check::Unchecked)
        );
        assert_eq!(
            mode(Some("require"), Some("/ca.pem")).unwrap(),
            (SslMode::Require, Check::Roots(Some("/ca.pem".into())))
        );
        assert_eq!(
            mode(Some("verify-full"), None).unwrap(),
            (SslMode::Require, Check::Roots(None))
        );
        let e = mode(Some("sometimes"), None).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
    }

    #[test]
    fn a_ca_file_that_holds_no_certificate_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, "not a certificate").unwrap();
        let e = connector(&Check::Roots(Some(file.clone()))).err().unwrap();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("ca.pem"), "{e}");
    }
}
