//! `booksygo serve`: the team server on a socket.

use crate::output::Out;
use booksygo_core::LocalAgency;
use booksygo_core::agency::LocalOptions;
use booksygo_core::config::{Clock, Paths};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "BOOKSYGO_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Where the server keeps its database (default: the usual data directory).
    #[arg(long, env = "BOOKSYGO_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

pub async fn run(args: ServeArgs, out: Out) -> anyhow::Result<u8> {
    let paths = match &args.data_dir {
        Some(dir) => Paths::in_dir(dir),
        None => Paths::from_env()?,
    };
    let mut options = LocalOptions::new(paths);
    options.clock = Clock::from_env()?;
    let agency = LocalAgency::open(options)?;
    let listener = tokio::net::TcpListener::bind(&args.bind)
        .await
        .map_err(|e| {
            booksygo_core::Error::invalid(format!("cannot listen on {}: {e}", args.bind))
        })?;
    let addr = listener.local_addr()?;
    if out.json {
        out.print_json(&serde_json::json!({"listening": addr.to_string()}))?;
    } else {
        eprintln!("booksygo server listening on http://{addr} (Ctrl-C to stop)");
    }
    booksygo_server::serve(
        listener,
        booksygo_server::AppState::new(agency),
        shutdown_signal(),
    )
    .await?;
    eprintln!("server stopped");
    Ok(crate::exit::OK)
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
