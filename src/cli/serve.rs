//! `booksygo serve`: the team server on a socket.

use crate::output::Out;
use booksygo_core::LocalAgency;
use booksygo_core::agency::LocalOptions;
use booksygo_core::config::{Clock, Paths};
use clap::Args;
use std::path::PathBuf;

/// `booksygo admin create-user`: accounts made on the server's own machine, for the first admin.
#[derive(Debug, Args)]
pub struct CreateUserArgs {
    #[arg(long)]
    email: String,
    /// user, premium, admin or partner.
    #[arg(long, default_value = "user")]
    role: String,
    #[arg(long, default_value = "")]
    first_name: String,
    #[arg(long, default_value = "")]
    last_name: String,
    /// Read the password from standard input (one line) instead of a prompt.
    #[arg(long)]
    password_stdin: bool,
    /// The server's data directory.
    #[arg(long, env = "BOOKSYGO_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

pub async fn create_user(args: CreateUserArgs, out: Out) -> anyhow::Result<u8> {
    if !args.password_stdin {
        return Err(booksygo_core::Error::invalid("give the password on standard input with --password-stdin (it never goes on the command line)").into());
    }
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let paths = match &args.data_dir {
        Some(dir) => Paths::in_dir(dir),
        None => Paths::from_env()?,
    };
    let agency = LocalAgency::open(LocalOptions::new(paths))?;
    let now = agency.now().as_second();
    let p = booksygo_core::accounts::register(
        &*agency.store().conn()?,
        &args.email,
        &password,
        &args.first_name,
        &args.last_name,
        &args.role,
        now,
    )?;
    if out.json {
        out.print_json(&p)?;
    } else {
        out.line(&format!(
            "created {} <{}> with role {}",
            p.id, p.email, p.role
        ));
    }
    Ok(crate::exit::OK)
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "BOOKSYGO_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Where the server keeps its database (default: the usual data directory).
    #[arg(long, env = "BOOKSYGO_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// A browser origin allowed to call the API (repeat, or comma-separate in the env
    /// variable); none by default, which means no CORS at all.
    #[arg(
        long = "cors-origin",
        env = "BOOKSYGO_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
}

pub async fn run(args: ServeArgs, out: Out) -> anyhow::Result<u8> {
    let paths = match &args.data_dir {
        Some(dir) => Paths::in_dir(dir),
        None => Paths::from_env()?,
    };
    let settings = booksygo_core::config::Settings::load(&paths)?;
    let mut options = LocalOptions::new(paths);
    options.clock = Clock::from_env()?;
    booksygo_core::providers::setup::Suppliers::from_settings(&settings)?.apply(&mut options);
    let agency = LocalAgency::open(options)?;
    // Orders and cancellations a previous run left unfinished with a supplier.
    for problem in agency.reconcile_suppliers().await {
        crate::output::warn(&problem);
    }
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .map_err(|e| {
            booksygo_core::Error::internal(format!("cannot listen on {}: {e}", args.bind))
        })?;
    let addr = listener.local_addr()?;
    if out.json {
        out.print_json(&serde_json::json!({"listening": addr.to_string()}))?;
    } else {
        eprintln!("booksygo server listening on http://{addr} (Ctrl-C to stop)");
    }
    let secret = signing_secret(&agency)?;
    let mut state = booksygo_server::AppState::with_secret(agency, &secret);
    state.cors_origins = args.cors_origins.clone();
    booksygo_server::serve(listener, state, shutdown_signal()).await?;
    eprintln!("server stopped");
    Ok(crate::exit::OK)
}

/// The key that signs access tokens: `BOOKSYGO_JWT_SECRET`, else `jwt.secret` in the data
/// directory (created at first start, readable by its owner only), so sessions survive a
/// restart and the secret never sits in a config file.
fn signing_secret(agency: &LocalAgency) -> anyhow::Result<Vec<u8>> {
    if let Ok(s) = std::env::var("BOOKSYGO_JWT_SECRET")
        && s.len() >= 32
    {
        return Ok(s.into_bytes());
    }
    let dir = agency
        .store()
        .path()
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let path = dir.join("jwt.secret");
    if let Ok(bytes) = std::fs::read(&path)
        && bytes.len() >= 32
    {
        return Ok(bytes);
    }
    let secret: String = booksygo_server::random_secret()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    use std::io::Write;
    opts.open(&path)
        .and_then(|mut f| f.write_all(secret.as_bytes()))
        .map_err(|e| {
            booksygo_core::Error::internal(format!("cannot write {}: {e}", path.display()))
        })?;
    Ok(secret.into_bytes())
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
