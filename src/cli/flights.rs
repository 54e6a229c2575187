//! `booksygo flights search | calendar | explore`

use super::{money, parse_currency, parse_date, parse_month};
use crate::output::{Out, Style, Table, spin, warn};
use booksygo_core::agency::{CalendarQuery, ExploreQuery};
use booksygo_core::model::time::human_duration;
use booksygo_core::model::{Alliance, Cabin, Currency, Passengers};
use booksygo_core::search::{FlightFilters, FlightQuery, FlightSort, SliceQuery};
use booksygo_core::{Agency, Error};
use clap::{Args, Subcommand};
use jiff::ToSpan;
use jiff::civil::{Date, Time};

#[derive(Debug, Subcommand)]
pub enum FlightsCmd {
    /// Search one-way, round-trip (--return) or multi-city (--leg) flights.
    Search(SearchArgs),
    /// Cheapest fare per day: a month (--month) or around a date (--date --flex N).
    Calendar(CalendarArgs),
    /// Cheapest non-stop destinations from an origin in a month.
    Explore(ExploreArgs),
}

#[derive(Debug, Args)]
pub struct PaxArgs {
    /// Adults (12+).
    #[arg(short, long, default_value_t = 1)]
    adults: u8,
    /// Children (2-11).
    #[arg(long, default_value_t = 0)]
    children: u8,
    /// Infants (under 2, on a lap).
    #[arg(long, default_value_t = 0)]
    infants: u8,
    /// economy, premium_economy, business or first.
    #[arg(long, default_value = "economy", value_parser = parse_cabin)]
    cabin: Cabin,
}

impl PaxArgs {
    fn passengers(&self) -> Passengers {
        Passengers {
            adults: self.adults,
            children: self.children,
            infants: self.infants,
        }
    }
}

fn parse_cabin(s: &str) -> Result<Cabin, String> {
    Cabin::parse(s).map_err(|e| e.to_string())
}

fn parse_time(s: &str) -> Result<Time, String> {
    s.parse::<Time>()
        .map_err(|_| format!("'{s}' is not a time: use HH:MM, for example 07:30"))
}

fn parse_alliance(s: &str) -> Result<Alliance, String> {
    Alliance::parse(s)
        .ok_or_else(|| format!("unknown alliance '{s}': use star_alliance, oneworld or skyteam"))
}

fn parse_sort(s: &str) -> Result<FlightSort, String> {
    FlightSort::parse(s).map_err(|e| e.to_string())
}

/// A multi-city leg, FROM:TO:YYYY-MM-DD.
fn parse_leg(s: &str) -> Result<SliceQuery, String> {
    let parts: Vec<&str> = s.split(':').collect();
    let [from, to, date] = parts.as_slice() else {
        return Err(format!(
            "'{s}' is not a leg: use FROM:TO:YYYY-MM-DD, for example LHR:JFK:2027-03-14"
        ));
    };
    Ok(SliceQuery {
        origin: from.to_string(),
        destination: to.to_string(),
        departure_date: parse_date(date)?,
    })
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Origin: airport (LHR), city code (LON) or name (London). Omit with --leg.
    from: Option<String>,
    /// Destination. Omit with --leg.
    to: Option<String>,
    /// Departure date: YYYY-MM-DD, today, tomorrow, +14d, +2w or a weekday (fri).
    #[arg(short, long, value_parser = parse_date)]
    date: Option<Date>,
    /// Return date for a round trip (same forms as --date).
    #[arg(short, long = "return", value_parser = parse_date)]
    return_date: Option<Date>,
    /// A multi-city leg FROM:TO:YYYY-MM-DD; repeat for each leg.
    #[arg(long = "leg", value_parser = parse_leg, conflicts_with_all = ["from", "to", "date", "return_date"])]
    legs: Vec<SliceQuery>,
    #[command(flatten)]
    pax: PaxArgs,
    /// 0 (non-stop), 1 or 2.
    #[arg(long)]
    max_stops: Option<u8>,
    /// Highest total price, in --currency.
    #[arg(long)]
    max_price: Option<String>,
    /// Only these airlines (code or name); repeat for several.
    #[arg(long = "airline")]
    airlines: Vec<String>,
    /// Never these airlines; repeat for several.
    #[arg(long = "exclude-airline")]
    exclude_airlines: Vec<String>,
    /// star_alliance, oneworld or skyteam.
    #[arg(long, value_parser = parse_alliance)]
    alliance: Option<Alliance>,
    /// Leave at or after HH:MM (local).
    #[arg(long, value_parser = parse_time)]
    depart_after: Option<Time>,
    /// Leave at or before HH:MM (local).
    #[arg(long, value_parser = parse_time)]
    depart_before: Option<Time>,
    /// Longest journey per slice, in hours.
    #[arg(long)]
    max_duration: Option<u32>,
    /// Hide self-transfer itineraries (separate tickets: a missed connection is not
    /// protected and bags are checked in again).
    #[arg(long)]
    no_self_transfer: bool,
    /// price, duration, departure, arrival or best.
    #[arg(long, default_value = "best", value_parser = parse_sort)]
    sort: FlightSort,
    /// How many offers to show.
    #[arg(short = 'n', long, default_value_t = 20)]
    limit: usize,
    /// Show prices in this currency (ISO code).
    #[arg(long, value_parser = parse_currency)]
    currency: Option<Currency>,
}

/// Up to two nearby departure dates (all slices moved together) on which the same search,
/// filters and all, finds something; nearest first.
async fn dates_that_connect(agency: &dyn Agency, query: &FlightQuery) -> Vec<Date> {
    let mut found = Vec::new();
    for mut q in booksygo_core::search::flights::nearby_dates(query, 3) {
        q.limit = Some(1);
        if let Ok(r) = agency.search_flights(&q).await
            && !r.offers.is_empty()
        {
            found.push(q.slices[0].departure_date);
            if found.len() == 2 {
                break;
            }
        }
    }
    found.sort();
    found
}

/// What to try when nothing matched: only changes that could give an answer, never a
/// setting already in force; the nearby dates on which the same search connects.
fn empty_hint(query: &FlightQuery, first: &SliceQuery, dates_found: &[Date]) -> String {
    let f = &query.filters;
    let mut loosen: Vec<&str> = Vec::new();
    if query.max_stops.is_some_and(|s| s < 2) {
        loosen.push("--max-stops");
    }
    for (set, flag) in [
        (f.max_price.is_some(), "--max-price"),
        (!f.airlines.is_empty(), "--airline"),
        (!f.exclude_airlines.is_empty(), "--exclude-airline"),
        (f.alliance.is_some(), "--alliance"),
        (f.depart_after.is_some(), "--depart-after"),
        (f.depart_before.is_some(), "--depart-before"),
        (f.max_duration_hours.is_some(), "--max-duration"),
        (f.no_self_transfer, "--no-self-transfer"),
    ] {
        if set {
            loosen.push(flag);
        }
    }
    let dates = if dates_found.is_empty() {
        format!(
            "`flights calendar {} {} --date {} --flex 3` shows the days around it",
            first.origin, first.destination, first.departure_date
        )
    } else {
        let days: Vec<String> = dates_found
            .iter()
            .map(|d| d.strftime("%a %-d %b").to_string())
            .collect();
        format!(
            "this search finds flights on {} (--date {})",
            days.join(" and "),
            dates_found[0]
        )
    };
    if loosen.is_empty() {
        format!("Nothing connects them within two stops that day; {dates}.")
    } else {
        format!(
            "Try without {}, or another date: {dates}.",
            loosen.join(", ")
        )
    }
}

impl SearchArgs {
    fn query(&self) -> Result<FlightQuery, Error> {
        let slices = if !self.legs.is_empty() {
            self.legs.clone()
        } else {
            let (Some(from), Some(to)) = (&self.from, &self.to) else {
                return Err(Error::invalid(
                    "give an origin and a destination (or --leg FROM:TO:DATE)",
                ));
            };
            let date = self
                .date
                .ok_or_else(|| Error::invalid("--date is required (YYYY-MM-DD)"))?;
            let mut s = vec![SliceQuery {
                origin: from.clone(),
                destination: to.clone(),
                departure_date: date,
            }];
            if let Some(back) = self.return_date {
                s.push(SliceQuery {
                    origin: to.clone(),
                    destination: from.clone(),
                    departure_date: back,
                });
            }
            s
        };
        Ok(FlightQuery {
            slices,
            passengers: self.pax.passengers(),
            cabin: self.pax.cabin,
            max_stops: self.max_stops,
            filters: FlightFilters {
                max_price: money(self.max_price.as_deref(), self.currency)?,
                airlines: self.airlines.clone(),
                exclude_airlines: self.exclude_airlines.clone(),
                alliance: self.alliance,
                depart_after: self.depart_after,
                depart_before: self.depart_before,
                max_duration_hours: self.max_duration,
                no_self_transfer: self.no_self_transfer,
            },
            sort: self.sort,
            limit: Some(self.limit),
            currency: self.currency,
        })
    }
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    from: String,
    to: String,
    /// A whole month, YYYY-MM.
    #[arg(long, value_parser = parse_month, conflicts_with = "date")]
    month: Option<Date>,
    /// A date, with --flex days either side.
    #[arg(short, long, value_parser = parse_date)]
    date: Option<Date>,
    /// Days either side of --date (0-15).
    #[arg(long, default_value_t = 3)]
    flex: u8,
    #[command(flatten)]
    pax: PaxArgs,
    #[arg(long, value_parser = parse_currency)]
    currency: Option<Currency>,
}

#[derive(Debug, Args)]
pub struct ExploreArgs {
    from: String,
    /// The month to travel, YYYY-MM.
    #[arg(long, value_parser = parse_month)]
    month: Date,
    /// Highest price, in --currency.
    #[arg(long)]
    max_price: Option<String>,
    /// Only destinations in this country (ISO code or name).
    #[arg(long)]
    country: Option<String>,
    #[arg(short = 'n', long, default_value_t = 30)]
    limit: usize,
    #[arg(long, value_parser = parse_currency)]
    currency: Option<Currency>,
}

pub async fn run(cmd: FlightsCmd, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    match cmd {
        FlightsCmd::Search(args) => search(args, agency, out).await,
        FlightsCmd::Calendar(args) => calendar(args, agency, out).await,
        FlightsCmd::Explore(args) => explore(args, agency, out).await,
    }
}

async fn search(args: SearchArgs, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    let query = args.query()?;
    let results = spin("searching flights", agency.search_flights(&query)).await?;
    for w in &results.warnings {
        warn(w);
    }
    if out.json {
        out.print_json(&results.offers)?;
        return Ok(crate::exit::OK);
    }
    let first = &query.slices[0];
    let pax = query.passengers;
    let mut who = format!(
        "{} adult{}",
        pax.adults,
        if pax.adults == 1 { "" } else { "s" }
    );
    if pax.children > 0 {
        who.push_str(&format!(
            ", {} child{}",
            pax.children,
            if pax.children == 1 { "" } else { "ren" }
        ));
    }
    if pax.infants > 0 {
        who.push_str(&format!(
            ", {} infant{}",
            pax.infants,
            if pax.infants == 1 { "" } else { "s" }
        ));
    }
    let route: Vec<String> = query
        .slices
        .iter()
        .map(|s| {
            format!(
                "{} → {} {}",
                s.origin.to_uppercase(),
                s.destination.to_uppercase(),
                crate::output::day(s.departure_date)
            )
        })
        .collect();
    let sandbox = results.offers.iter().any(|o| o.provider == "sandbox");
    let label = if sandbox || results.offers.is_empty() {
        out.paint(Style::Yellow, "SANDBOX market (simulated fares) · ")
    } else {
        String::new()
    };
    out.line(&format!(
        "{label}{} · {who} · {}",
        route.join(" · "),
        query.cabin.as_str().replace('_', " ")
    ));
    if results.offers.is_empty() {
        let dates = dates_that_connect(agency, &query).await;
        out.line(&format!(
            "No flights match from {} to {} on {}. {}",
            first.origin,
            first.destination,
            first.departure_date,
            empty_hint(&query, first, &dates)
        ));
        return Ok(crate::exit::OK);
    }
    let mut table = Table::new(&[
        "#", "FLIGHTS", "DEPART", "ARRIVE", "DURATION", "STOPS", "PRICE", "OFFER",
    ])
    .right(&[0, 4, 6]);
    for (i, o) in results.offers.iter().enumerate() {
        for (k, s) in o.slices.iter().enumerate() {
            let flights: Vec<&str> = s
                .segments
                .iter()
                .map(|g| g.flight_number.as_str())
                .collect();
            let days = (s.arriving_at.date() - s.departing_at.date()).get_days();
            let plus = if days != 0 {
                format!("{days:+}")
            } else {
                String::new()
            };
            let stops = match s.segments.len() {
                1 => "non-stop".to_string(),
                n => {
                    let via: Vec<&str> = s.segments[..n - 1]
                        .iter()
                        .map(|g| g.destination.as_str())
                        .collect();
                    format!("{} via {}", n - 1, via.join(","))
                }
            };
            let first_row = k == 0;
            // The offer's ticketing (interline, self-transfer) marked on its first row.
            let marker = o.ticketing.marker();
            let stops = if first_row && !marker.is_empty() {
                format!("{stops} · {marker}")
            } else {
                stops
            };
            table.row(vec![
                if first_row {
                    (i + 1).to_string()
                } else {
                    String::new()
                },
                flights.join(" "),
                format!(
                    "{} {} {}",
                    s.departing_at.strftime("%a %-d %b"),
                    s.departing_at.strftime("%H:%M"),
                    s.origin
                ),
                format!(
                    "{}{} {}",
                    s.arriving_at.strftime("%H:%M"),
                    plus,
                    s.destination
                ),
                human_duration(s.duration_minutes),
                stops,
                if first_row {
                    out.paint(Style::Green, &o.total().to_string())
                } else {
                    String::new()
                },
                if first_row {
                    o.id.clone()
                } else {
                    String::new()
                },
            ]);
        }
    }
    crate::output::emit(&table.render(&out));
    for (i, o) in results.offers.iter().enumerate() {
        for w in &o.warnings {
            out.line(&out.paint(Style::Yellow, &format!("#{} {w}", i + 1)));
        }
    }
    let shown = results.offers.len();
    out.line(&out.paint(Style::Dim, &format!(
        "{shown} offer{} · prices for all travellers, taxes included · offers expire 30 min after search · sorted by {:?}",
        if shown == 1 { "" } else { "s" },
        query.sort
    ).to_lowercase()));
    Ok(crate::exit::OK)
}

async fn calendar(args: CalendarArgs, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    let dates: Vec<Date> = match (args.month, args.date) {
        (Some(m), _) => (0..31)
            .filter_map(|i| m.checked_add(i.days()).ok())
            .filter(|d| d.month() == m.month())
            .collect(),
        (None, Some(d)) => {
            if args.flex > 15 {
                return Err(Error::invalid("--flex is at most 15 days").into());
            }
            let f = i64::from(args.flex);
            (-f..=f)
                .filter_map(|i| d.checked_add(i.days()).ok())
                .collect()
        }
        (None, None) => {
            return Err(
                Error::invalid("give --month YYYY-MM or --date YYYY-MM-DD [--flex N]").into(),
            );
        }
    };
    let query = CalendarQuery {
        origin: args.from.clone(),
        destination: args.to.clone(),
        dates,
        passengers: args.pax.passengers(),
        cabin: args.pax.cabin,
        currency: args.currency,
    };
    let days = spin("pricing dates", agency.flight_calendar(&query)).await?;
    if out.json {
        out.print_json(&days)?;
        return Ok(crate::exit::OK);
    }
    let cheapest = days
        .iter()
        .filter_map(|d| d.cheapest.map(|m| m.minor))
        .min();
    let currency = days.iter().find_map(|d| d.cheapest.map(|m| m.currency));
    out.line(&format!(
        "{}{} → {} · cheapest total per day{}",
        out.paint(Style::Yellow, "SANDBOX market · "),
        args.from.to_uppercase(),
        args.to.to_uppercase(),
        currency.map(|c| format!(" in {c}")).unwrap_or_default()
    ));
    // A Monday-first grid, one week per row.
    let mut header = String::new();
    for d in ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] {
        header.push_str(&format!("{d:>11}"));
    }
    out.line(&out.paint(Style::Bold, &header));
    let mut row = String::new();
    let first = days[0].date;
    let lead = first.weekday().to_monday_zero_offset() as usize;
    row.push_str(&" ".repeat(lead * 11));
    let mut col = lead;
    for day in &days {
        let cell = match day.cheapest {
            Some(m) => {
                let whole = m.minor / 10_i64.pow(m.currency.exponent());
                let mark = if Some(m.minor) == cheapest { "*" } else { " " };
                format!("{:>2} {:>6}{mark}", day.date.day(), whole)
            }
            None => format!("{:>2} {:>6} ", day.date.day(), "-"),
        };
        let cell = if day.cheapest.map(|m| m.minor) == cheapest {
            out.paint(Style::Green, &cell)
        } else {
            cell
        };
        row.push(' ');
        row.push_str(&cell);
        col += 1;
        if col == 7 {
            out.line(row.trim_end());
            row.clear();
            col = 0;
        }
    }
    if !row.trim().is_empty() {
        out.line(row.trim_end());
    }
    out.line(&out.paint(
        Style::Dim,
        "* cheapest day · whole units, all travellers, taxes included · - nothing for sale",
    ));
    Ok(crate::exit::OK)
}

async fn explore(args: ExploreArgs, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    let query = ExploreQuery {
        origin: args.from.clone(),
        month: args.month,
        max_price: money(args.max_price.as_deref(), args.currency)?,
        country: args.country.clone(),
        currency: args.currency,
        limit: Some(args.limit),
    };
    let found = spin("exploring", agency.explore(&query)).await?;
    if out.json {
        out.print_json(&found)?;
        return Ok(crate::exit::OK);
    }
    out.line(&format!(
        "{}cheapest non-stop destinations from {} in {} · one adult, economy",
        out.paint(Style::Yellow, "SANDBOX market · "),
        args.from.to_uppercase(),
        args.month.strftime("%B %Y")
    ));
    if found.is_empty() {
        // Only what would change the answer: the filters in force.
        let hint = match (args.max_price.is_some(), args.country.is_some()) {
            (true, true) => "raise --max-price or drop --country",
            (true, false) => "raise --max-price",
            (false, true) => "drop --country",
            (false, false) => "try another month",
        };
        out.line(&format!("Nothing matches: {hint}."));
        return Ok(crate::exit::OK);
    }
    let mut t = Table::new(&["TO", "CITY", "COUNTRY", "FROM", "ON", "AIRLINES"]).right(&[3]);
    for d in &found {
        t.row(vec![
            d.destination.clone(),
            d.city.clone(),
            d.country.clone(),
            out.paint(Style::Green, &d.price.to_string()),
            d.date.strftime("%a %-d %b").to_string(),
            d.airlines.join(" "),
        ]);
    }
    crate::output::emit(&t.render(&out));
    Ok(crate::exit::OK)
}
