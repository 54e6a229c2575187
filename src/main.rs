//! `booksygo`: a travel agent for the terminal.

#![forbid(unsafe_code)]

mod cli;
mod output;

use booksygo_core::{Error, ErrorKind};
use clap::Parser;
use std::process::ExitCode;

/// Exit codes, documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    pub const INTERNAL: u8 = 1;
    pub const INVALID: u8 = 2;
    pub const NOT_FOUND: u8 = 3;
    pub const AUTH: u8 = 4;
    pub const SUPPLIERS: u8 = 5;
}

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let out = output::Out::new(args.json);
    // One thread starts fastest for a command; the server serves on every core.
    let mut builder = if matches!(args.command, Some(cli::Command::Serve(_))) {
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    match runtime.block_on(cli::run(args, out)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            output::report_error(&out, &err);
            ExitCode::from(code_for(&err))
        }
    }
}

fn code_for(err: &anyhow::Error) -> u8 {
    match err.downcast_ref::<Error>().map(Error::kind) {
        Some(ErrorKind::InvalidInput | ErrorKind::Conflict) => exit::INVALID,
        Some(ErrorKind::NotFound) => exit::NOT_FOUND,
        Some(ErrorKind::AuthRequired | ErrorKind::Forbidden) => exit::AUTH,
        Some(ErrorKind::SuppliersFailed | ErrorKind::Unavailable | ErrorKind::RateLimited) => {
            exit::SUPPLIERS
        }
        Some(ErrorKind::Internal) | None => exit::INTERNAL,
    }
}
