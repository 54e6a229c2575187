//! `booksygo places suggest`

use crate::output::{Out, Table};
use booksygo_core::Agency;
use booksygo_core::model::PlaceKind;
use booksygo_core::places::countries;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum PlacesCmd {
    /// Airports and cities matching a code, name, city or country ("lond", "heathrow", "nyc").
    Suggest {
        text: String,
        #[arg(short = 'n', long, default_value_t = 10)]
        limit: usize,
    },
}

pub async fn run(cmd: PlacesCmd, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    let PlacesCmd::Suggest { text, limit } = cmd;
    let found = agency.suggest_places(&text, limit).await?;
    if out.json {
        out.print_json(&found)?;
        return Ok(crate::exit::OK);
    }
    if found.is_empty() {
        eprintln!("no airport or city matches '{text}'");
        return Ok(crate::exit::OK);
    }
    let mut t = Table::new(&["CODE", "TYPE", "NAME", "CITY", "COUNTRY"]);
    for p in &found {
        let kind = match p.kind {
            PlaceKind::Airport => "airport".to_string(),
            PlaceKind::City => format!("city: {}", p.airports.join(" ")),
        };
        t.row(vec![
            p.code.clone(),
            kind,
            p.name.clone(),
            p.city.clone(),
            countries::name(&p.country)
                .unwrap_or(&p.country)
                .to_string(),
        ]);
    }
    crate::output::emit(&t.render(&out));
    Ok(crate::exit::OK)
}
