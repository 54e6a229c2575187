//! `booksygo providers list|check`: which real suppliers are on (test or live), and whether
//! they accept our credentials.

use crate::output::{Out, Table};
use booksygo_core::config::{Paths, Settings};
use booksygo_core::local::Suppliers;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ProvidersCmd {
    /// Every supplier, whether it is enabled and in test or live mode.
    List,
    /// One cheap authenticated call to each enabled supplier (exit 5 when one fails).
    Check,
}

pub async fn run(cmd: ProvidersCmd, out: Out) -> anyhow::Result<u8> {
    let settings = Settings::load(&Paths::from_env()?)?;
    let suppliers = Suppliers::from_settings(&settings)?;
    match cmd {
        ProvidersCmd::List => {
            let list = suppliers.list();
            if out.json {
                out.print_json(&list)?;
                return Ok(crate::exit::OK);
            }
            let mut t = Table::new(&["provider", "for", "enabled", "mode", "notes"]);
            for p in list {
                t.row(vec![
                    p.name,
                    p.kind,
                    if p.enabled { "yes" } else { "no" }.into(),
                    p.mode,
                    match p.base_url {
                        Some(url) => format!("{} ({url})", p.note),
                        None => p.note,
                    },
                ]);
            }
            out.line(t.render(&out).trim_end());
            Ok(crate::exit::OK)
        }
        ProvidersCmd::Check => {
            let checks = suppliers.check().await;
            let failed = checks.iter().any(|c| !c.ok);
            if out.json {
                out.print_json(&checks)?;
            } else if checks.is_empty() {
                out.line("No real supplier is configured: set BOOKSYGO_DUFFEL_TOKEN, BOOKSYGO_STRIPE_SECRET_KEY or PayPal's client id and secret (see `booksygo providers list`).");
            } else {
                for c in &checks {
                    let mark = if c.ok { "ok  " } else { "FAIL" };
                    out.line(&format!("{mark} {:8} {}", c.name, c.message));
                }
            }
            Ok(if failed {
                crate::exit::SUPPLIERS
            } else {
                crate::exit::OK
            })
        }
    }
}
