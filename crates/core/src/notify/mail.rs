//! E-mail over SMTP (lettre): the settings, the message (plain text and HTML, the booking's
//! calendar attached, `Message-ID`, `Date`, `Content-Language`), and what a refusal means.
//!
//! Settings: `notify.smtp_url` (`BOOKSYGO_SMTP_URL`): `smtp://host:port` (plain, for a relay on
//! this machine or a test), `smtp+starttls://host:port` (STARTTLS required, port 587 by
//! default) or `smtps://host:port` (TLS from the start, port 465 by default), with the user in
//! the URL (`smtps://trips%40example.com@mail.example.com`). The password comes only from the
//! environment or the secret store (`notify.smtp_password`, `BOOKSYGO_SMTP_PASSWORD`); a
//! password written in the URL is refused. `notify.from` (`BOOKSYGO_NOTIFY_FROM`) is the sender,
//! such as `BooksyGo <trips@example.com>`.

use crate::error::{Error, Result};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::SmtpTransport;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, Transport};
use std::time::Duration;

pub const URL_SETTING: &str = "notify.smtp_url";
pub const URL_ENV: &str = "BOOKSYGO_SMTP_URL";
pub const PASSWORD_SECRET: &str = "notify.smtp_password";
pub const PASSWORD_ENV: &str = "BOOKSYGO_SMTP_PASSWORD";
pub const FROM_SETTING: &str = "notify.from";
pub const FROM_ENV: &str = "BOOKSYGO_NOTIFY_FROM";

/// How long one SMTP command may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A configured way to send e-mail.
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
    /// The part after `@` in Message-IDs (the sender's domain).
    domain: String,
    /// `scheme://host:port`, safe to print.
    describe: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.describe)
            .field("from", &self.from.to_string())
            .finish()
    }
}

/// What one e-mail carries.
pub struct Outgoing<'a> {
    pub id: &'a str,
    pub to: &'a str,
    pub locale: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// When the notice was made (the `Date` header).
    pub created_at: i64,
    /// `(file name, iCalendar text)` to attach.
    pub calendar: Option<(String, String)>,
}

/// How a send went.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Accepted,
    /// Worth trying again (a 4xx reply, no connection, a timeout).
    Temporary(String),
    /// Not worth trying again (a 5xx reply, a bad address).
    Permanent(String),
}

#[derive(Clone)]
struct ContentLanguage(String);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }
    fn parse(s: &str) -> std::result::Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ContentLanguage(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

impl Mailer {
    /// The mailer the settings describe; `None` when no SMTP server is set.
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Option<Mailer>> {
        let Some(url) = std::env::var(URL_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| settings.get(URL_SETTING))
        else {
            return Ok(None);
        };
        let from = std::env::var(FROM_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| settings.get(FROM_SETTING))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{URL_SETTING} is set but not the sender: set {FROM_SETTING} (or {FROM_ENV}), e.g. \"BooksyGo <trips@example.com>\""
                ))
            })?;
        let password = match std::env::var(PASSWORD_ENV) {
            Ok(p) if !p.is_empty() => Some(p),
            _ => settings
                .secret(PASSWORD_SECRET)?
                .map(|s| s.expose().to_string()),
        };
        Mailer::new(&url, &from, password).map(Some)
    }

    /// A mailer for `url` sending as `from`, logging in with the URL's user and `password`.
    pub fn new(url: &str, from: &str, password: Option<String>) -> Result<Mailer> {
        let parsed = reqwest::Url::parse(url.trim()).map_err(|e| {
            Error::invalid(format!(
                "{URL_SETTING} is not a URL ({e}): write smtp://host:port, smtp+starttls://host:port or smtps://host:port"
            ))
        })?;
        if parsed.password().is_some() {
            return Err(Error::invalid(format!(
                "{URL_SETTING} holds a password: remove it from the URL and set {PASSWORD_ENV} or `booksygo config set-secret {PASSWORD_SECRET}`"
            )));
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| Error::invalid(format!("{URL_SETTING} has no host")))?
            .trim_matches(['[', ']'])
            .to_string();
        let tls = |host: &str| {
            TlsParameters::new(host.to_string())
                .map_err(|e| Error::invalid(format!("TLS for {host}: {e}")))
        };
        let (port, security) = match parsed.scheme() {
            "smtp" => (parsed.port().unwrap_or(25), Tls::None),
            "smtp+starttls" => (parsed.port().unwrap_or(587), Tls::Required(tls(&host)?)),
            "smtps" => (parsed.port().unwrap_or(465), Tls::Wrapper(tls(&host)?)),
            other => {
                return Err(Error::invalid(format!(
                    "{URL_SETTING} has the scheme {other}: use smtp, smtp+starttls or smtps"
                )));
            }
        };
        let mut builder = SmtpTransport::builder_dangerous(host.clone())
            .port(port)
            .tls(security)
            .timeout(Some(TIMEOUT));
        let user = percent_decode(parsed.username());
        if !user.is_empty() {
            let password = password.ok_or_else(|| {
                Error::invalid(format!(
                    "{URL_SETTING} names the user {user} but no password is set: set {PASSWORD_ENV} or `booksygo config set-secret {PASSWORD_SECRET}`"
                ))
            })?;
            builder = builder.credentials(Credentials::new(user, password));
        }
        let from: Mailbox = from.trim().parse().map_err(|e| {
            Error::invalid(format!(
                "{FROM_SETTING} '{from}' is not an address ({e}): write \"BooksyGo <trips@example.com>\""
            ))
        })?;
        Ok(Mailer {
            transport: builder.build(),
            domain: from.email.domain().to_string(),
            from,
            describe: format!("{}://{host}:{port}", parsed.scheme()),
        })
    }

    /// `scheme://host:port`, without the user.
    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// The message as it goes on the wire.
    pub fn message(&self, mail: &Outgoing<'_>) -> std::result::Result<Message, String> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| format!("'{}' is not an address: {e}", mail.to))?;
        let date = std::time::UNIX_EPOCH + Duration::from_secs(mail.created_at.max(0) as u64);
        let alternative = MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.text.to_string()),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(mail.html.to_string()),
            );
        let body = match &mail.calendar {
            Some((name, ics)) => MultiPart::mixed().multipart(alternative).singlepart(
                Attachment::new(name.clone()).body(
                    ics.clone(),
                    ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                        .map_err(|e| e.to_string())?,
                ),
            ),
            None => alternative,
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .date(date)
            .message_id(Some(format!("<{}@{}>", mail.id, self.domain)))
            .header(ContentLanguage(mail.locale.to_string()))
            .multipart(body)
            .map_err(|e| e.to_string())
    }

    /// Sends one e-mail (blocking: call it on the blocking pool).
    pub fn send(&self, mail: &Outgoing<'_>) -> Outcome {
        let message = match self.message(mail) {
            Ok(m) => m,
            Err(why) => return Outcome::Permanent(why),
        };
        match self.transport.send(&message) {
            Ok(_) => Outcome::Accepted,
            Err(e) if e.is_permanent() => Outcome::Permanent(describe(&e)),
            Err(e) => Outcome::Temporary(describe(&e)),
        }
    }
}

/// An SMTP error in one line, with the server's code when there is one; never the password.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let text = e.to_string().replace(['\r', '\n'], " ");
    match e.status() {
        Some(code) if !text.contains(&code.to_string()) => format!("{code} {text}"),
        _ => text,
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_say_what_is_wrong() {
        let e = Mailer::new("smtp://u:pw@localhost:25", "a@b.c", None).unwrap_err();
        assert!(e.to_string().contains("holds a password"), "{e}");
        let e = Mailer::new("http://localhost", "a@b.c", None).unwrap_err();
        assert!(
            e.to_string().contains("smtp, smtp+starttls or smtps"),
            "{e}"
        );
        let e = Mailer::new("smtp://trips%40x.com@localhost", "a@b.c", None).unwrap_err();
        assert!(e.to_string().contains("trips@x.com"), "{e}");
        let e = Mailer::new("smtp://localhost:2525", "not an address", None).unwrap_err();
        assert!(e.to_string().contains("notify.from"), "{e}");
        let m = Mailer::new("smtp://localhost:2525", "BooksyGo <t@example.com>", None).unwrap();
        assert_eq!(m.describe(), "smtp://localhost:2525");
    }

    #[test]
    fn a_message_has_both_parts_its_language_and_a_stable_id() {
        let m = Mailer::new("smtp://localhost:2525", "BooksyGo <t@example.com>", None).unwrap();
        let mail = Outgoing {
            id: "ntc_1",
            to: "ada@example.com",
            locale: "es",
            subject: "La reserva ABC está confirmada",
            text: "Hola",
            html: "<p>Hola</p>",
            created_at: 1_800_000_000,
            calendar: Some((
                "booking.ics".into(),
                "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".into(),
            )),
        };
        let wire = String::from_utf8(m.message(&mail).unwrap().formatted()).unwrap();
        assert!(wire.contains("Message-ID: <ntc_1@example.com>"), "{wire}");
        assert!(wire.contains("Content-Language: es"));
        assert!(wire.contains("text/plain") && wire.contains("text/html"));
        assert!(wire.contains("text/calendar"));
        assert!(wire.contains("Date: "));
        let bad = Outgoing {
            to: "nobody",
            ..mail
        };
        assert!(matches!(m.send(&bad), Outcome::Permanent(_)));
    }
}
