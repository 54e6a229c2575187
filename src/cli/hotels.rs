//! `booksygo hotels search`

use super::{money, parse_currency, parse_date};
use crate::output::{Out, Style, Table, spin, warn};
use booksygo_core::Agency;
use booksygo_core::model::Currency;
use booksygo_core::search::{HotelQuery, HotelSort};
use clap::{Args, Subcommand};
use jiff::civil::Date;

#[derive(Debug, Subcommand)]
pub enum HotelsCmd {
    /// Search hotels in a city for a stay.
    Search(SearchArgs),
}

fn parse_sort(s: &str) -> Result<HotelSort, String> {
    HotelSort::parse(s).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// City code (LON), airport code (LHR) or city name.
    location: String,
    /// Check-in date: YYYY-MM-DD, today, tomorrow, +14d, +2w or a weekday (fri).
    #[arg(short = 'i', long, value_parser = parse_date)]
    checkin: Date,
    /// Check-out date (same forms as --checkin).
    #[arg(short = 'o', long, value_parser = parse_date)]
    checkout: Date,
    #[arg(short, long, default_value_t = 1)]
    guests: u32,
    #[arg(long, default_value_t = 1)]
    rooms: u32,
    /// Minimum star rating (1-5).
    #[arg(long)]
    stars: Option<u8>,
    /// Minimum guest rating (out of 10).
    #[arg(long)]
    min_rating: Option<f32>,
    /// Highest average nightly price per room before tax, in --currency.
    #[arg(long)]
    max_price: Option<String>,
    /// Required amenity (wifi, pool, breakfast, ...); repeat for several.
    #[arg(long = "amenity")]
    amenities: Vec<String>,
    /// price, rating, stars or distance (to the centre).
    #[arg(long, default_value = "price", value_parser = parse_sort)]
    sort: HotelSort,
    /// List every room type, not just the cheapest that fits per hotel.
    #[arg(long)]
    all_rooms: bool,
    #[arg(short = 'n', long, default_value_t = 20)]
    limit: usize,
    #[arg(long, value_parser = parse_currency)]
    currency: Option<Currency>,
}

pub async fn run(cmd: HotelsCmd, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    let HotelsCmd::Search(args) = cmd;
    let query = HotelQuery {
        location: args.location.clone(),
        check_in: args.checkin,
        check_out: args.checkout,
        guests: args.guests,
        rooms: args.rooms,
        min_stars: args.stars,
        min_rating: args.min_rating,
        max_nightly: money(args.max_price.as_deref(), args.currency)?,
        amenities: args.amenities.iter().map(|a| a.to_lowercase()).collect(),
        sort: args.sort,
        all_rooms: args.all_rooms,
        limit: Some(args.limit),
        currency: args.currency,
    };
    let results = spin("searching hotels", agency.search_hotels(&query)).await?;
    for w in &results.warnings {
        warn(w);
    }
    if out.json {
        out.print_json(&results.offers)?;
        return Ok(crate::exit::OK);
    }
    let city = results
        .offers
        .first()
        .map(|o| o.hotel.city.clone())
        .unwrap_or_else(|| args.location.clone());
    let nights = booksygo_core::model::season::days_between(args.checkin, args.checkout);
    out.line(&format!(
        "{}{city} · {} → {} ({nights} night{}) · {} guest{}, {} room{}",
        out.paint(Style::Yellow, "SANDBOX market (simulated rates) · "),
        crate::output::day(args.checkin),
        crate::output::day(args.checkout),
        if nights == 1 { "" } else { "s" },
        args.guests,
        if args.guests == 1 { "" } else { "s" },
        args.rooms,
        if args.rooms == 1 { "" } else { "s" },
    ));
    if results.offers.is_empty() {
        out.line(if args.all_rooms {
            "No rooms match. Try other dates or fewer filters."
        } else {
            "No rooms match. Try other dates, fewer filters or --all-rooms."
        });
        return Ok(crate::exit::OK);
    }
    let mut t = Table::new(&[
        "#",
        "HOTEL",
        "STARS",
        "RATING",
        "AREA",
        "KM",
        "ROOM",
        "ROOM/NIGHT",
        "TOTAL",
        "CANCEL",
        "OFFER",
    ])
    .right(&[0, 3, 5, 7, 8]);
    for (i, o) in results.offers.iter().enumerate() {
        let cancel = match &o.cancellation.free_until {
            Some(until) => format!("free to {}", until.strftime("%-d %b")),
            None => "non-refundable".to_string(),
        };
        t.row(vec![
            (i + 1).to_string(),
            o.hotel.name.clone(),
            "*".repeat(usize::from(o.hotel.stars)),
            format!("{:.1}", o.hotel.rating),
            o.hotel.neighbourhood.clone(),
            format!("{:.1}", o.hotel.distance_to_centre_km),
            o.room_name.clone(),
            // Per room, like --max-price: the offer's nightly price covers every room.
            o.price
                .nightly
                .mul_ratio(1, i64::from(args.rooms.max(1)))
                .to_string(),
            out.paint(Style::Green, &o.total().to_string()),
            cancel,
            o.id.clone(),
        ]);
    }
    crate::output::emit(&t.render(&out));
    out.line(&out.paint(
        Style::Dim,
        "ROOM/NIGHT: one room, one night, before tax (as --max-price); TOTAL: every night, every room and taxes",
    ));
    Ok(crate::exit::OK)
}
