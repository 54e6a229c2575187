//! `booksygo packages list|show|featured|deals|calendar|add|review|sales`

use super::parse_month;
use crate::output::{Out, Style, Table};
use booksygo_core::model::Money;
use booksygo_core::model::package::PackageSpec;
use booksygo_core::search::packages::{PackageQuery, PackageSort, PackageSummary};
use booksygo_core::{Agency, Error};
use clap::Subcommand;
use jiff::civil::Date;
use std::path::PathBuf;

fn parse_sort(s: &str) -> Result<PackageSort, String> {
    PackageSort::parse(s).map_err(|e| e.to_string())
}

#[derive(Debug, Subcommand)]
pub enum PackagesCmd {
    /// Search the catalogue: free text plus filters; facet counts come with the results.
    List {
        /// Words to find in titles, descriptions, destinations and activities.
        text: Option<String>,
        /// adventure, luxury, budget or cultural.
        #[arg(long = "type")]
        kind: Option<String>,
        /// A city (code or name) or a country (code or name).
        #[arg(long)]
        destination: Option<String>,
        /// Per person, EUR.
        #[arg(long)]
        min_price: Option<String>,
        #[arg(long)]
        max_price: Option<String>,
        #[arg(long)]
        min_days: Option<u32>,
        #[arg(long)]
        max_days: Option<u32>,
        /// Out of 5.
        #[arg(long)]
        min_rating: Option<f32>,
        /// A departure in this month, YYYY-MM.
        #[arg(long, value_parser = parse_month)]
        month: Option<Date>,
        /// relevance, price, rating or duration.
        #[arg(long, default_value = "relevance", value_parser = parse_sort)]
        sort: PackageSort,
        #[arg(short = 'n', long, default_value_t = 20)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    /// One package: description, what is included, the day-by-day itinerary, departures.
    Show { id: String },
    /// Our picks.
    Featured {
        #[arg(short = 'n', long, default_value_t = 10)]
        limit: usize,
    },
    /// Last-minute departures on offer.
    Deals {
        #[arg(short = 'n', long, default_value_t = 10)]
        limit: usize,
    },
    /// Departures with places left and today's price per person.
    Calendar { id: String },
    /// Add or update a package from a JSON file (validated whole; nothing written on error).
    Add { file: PathBuf },
    /// Review a completed package booking: 1-5 and a few words.
    Review {
        booking_id: String,
        #[arg(long)]
        rating: u8,
        #[arg(long)]
        text: String,
    },
    /// The sales of the packages you own (partners and admins): bookings, travellers,
    /// revenue per currency and cancellations per package.
    Sales {
        /// First day [default: 29 days before --to]: YYYY-MM-DD, today, -7d...
        #[arg(long, value_parser = super::parse_date)]
        from: Option<Date>,
        /// Last day, included [default: today].
        #[arg(long, value_parser = super::parse_date)]
        to: Option<Date>,
        /// Another partner's account id (admins only).
        #[arg(long)]
        partner: Option<String>,
    },
}

fn eur(s: Option<&str>) -> Result<Option<Money>, Error> {
    super::money(s, None)
}

fn summaries(out: Out, list: &[PackageSummary]) -> String {
    // Members see their price beside the public one.
    let members = list.iter().any(|p| p.member_price.is_some());
    let mut head = vec!["PACKAGE", "TYPE", "DESTINATION", "DAYS", "FROM"];
    if members {
        head.push("MEMBERS");
    }
    head.extend(["RATING", "TITLE"]);
    let mut t = Table::new(&head).right(if members { &[3, 4, 5, 6] } else { &[3, 4, 5] });
    for p in list {
        let mut row = vec![
            p.id.clone(),
            p.kind.clone(),
            format!("{} ({})", p.destination_name, p.country),
            p.duration_days.to_string(),
            p.base_price.to_string(),
        ];
        if members {
            row.push(
                p.member_price
                    .map(|m| out.paint(Style::Green, &m.to_string()))
                    .unwrap_or_default(),
            );
        }
        row.extend([
            format!("{:.1} ({})", p.rating, p.review_count),
            p.title.clone(),
        ]);
        t.row(row);
    }
    t.render(&out)
}

pub async fn run(cmd: PackagesCmd, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    match cmd {
        PackagesCmd::List {
            text,
            kind,
            destination,
            min_price,
            max_price,
            min_days,
            max_days,
            min_rating,
            month,
            sort,
            limit,
            offset,
        } => {
            let q = PackageQuery {
                text,
                kind,
                destination,
                min_price: eur(min_price.as_deref())?,
                max_price: eur(max_price.as_deref())?,
                min_days,
                max_days,
                min_rating,
                month,
                sort,
                limit: Some(limit),
                offset: Some(offset),
            };
            let r = agency.search_packages(&q).await?;
            if out.json {
                out.print_json(&r)?;
                return Ok(crate::exit::OK);
            }
            out.line(&format!(
                "{} {}",
                booksygo_core::model::counted(r.total, "package", "packages"),
                if r.total == 1 { "matches" } else { "match" }
            ));
            if !r.packages.is_empty() {
                crate::output::emit(&summaries(out, &r.packages));
            }
            let facet = |name: &str, m: &std::collections::BTreeMap<String, usize>| {
                let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k} {v}")).collect();
                format!("{name}: {}", parts.join(", "))
            };
            out.line(&out.paint(Style::Dim, &facet("type", &r.facets.kind)));
            out.line(&out.paint(Style::Dim, &facet("continent", &r.facets.continent)));
            out.line(&out.paint(Style::Dim, &facet("days", &r.facets.duration)));
            out.line(&out.paint(Style::Dim, &facet("price (EUR)", &r.facets.price)));
        }
        PackagesCmd::Show { id } => {
            let p = agency.get_package(&id).await?;
            if out.json {
                out.print_json(&p)?;
                return Ok(crate::exit::OK);
            }
            let s = &p.summary;
            out.line(&out.paint(Style::Bold, &s.title));
            out.line(&format!(
                "{} · {} · {}, {} · {} days · from {} per person{} · {:.1}/5 ({} reviews)",
                s.id,
                s.kind,
                s.destination_name,
                s.country,
                s.duration_days,
                s.base_price,
                s.member_price
                    .map(|m| format!(" (members {m})"))
                    .unwrap_or_default(),
                s.rating,
                s.review_count
            ));
            out.line("");
            out.line(&p.description);
            out.line("");
            out.line("Included:");
            for i in &p.includes {
                out.line(&format!("  - {i}"));
            }
            out.line("");
            for d in &p.itinerary {
                out.line(&format!(
                    "Day {}: {}",
                    d.day,
                    out.paint(Style::Bold, &d.title)
                ));
                out.line(&format!("  {}", d.description));
                if !d.activities.is_empty() {
                    out.line(&format!("  activities: {}", d.activities.join("; ")));
                }
                if !d.meals.is_empty() {
                    out.line(&format!("  meals: {}", d.meals.join(", ")));
                }
            }
            out.line("");
            print_departures(out, &p.departures);
        }
        PackagesCmd::Featured { limit } => {
            let list = agency.featured_packages(limit).await?;
            if out.json {
                out.print_json(&list)?;
            } else {
                crate::output::emit(&summaries(out, &list));
            }
        }
        PackagesCmd::Deals { limit } => {
            let deals = agency.package_deals(limit).await?;
            if out.json {
                out.print_json(&deals)?;
                return Ok(crate::exit::OK);
            }
            if deals.is_empty() {
                out.line("No last-minute deals right now.");
                return Ok(crate::exit::OK);
            }
            let members = deals.iter().any(|d| d.departure.member_price.is_some());
            let mut head = vec!["PACKAGE", "DEPARTS", "PLACES", "PRICE", "WAS"];
            if members {
                head.push("MEMBERS");
            }
            head.push("TITLE");
            let mut t = Table::new(&head).right(if members { &[2, 3, 4, 5] } else { &[2, 3, 4] });
            for d in &deals {
                let mut row = vec![
                    d.package.id.clone(),
                    crate::output::day(d.departure.date),
                    d.departure.slots_left.to_string(),
                    out.paint(Style::Green, &d.departure.price.to_string()),
                    d.departure.list_price.to_string(),
                ];
                if members {
                    row.push(
                        d.departure
                            .member_price
                            .map(|m| m.to_string())
                            .unwrap_or_default(),
                    );
                }
                row.push(d.package.title.clone());
                t.row(row);
            }
            crate::output::emit(&t.render(&out));
        }
        PackagesCmd::Calendar { id } => {
            let p = agency.get_package(&id).await?;
            if out.json {
                out.print_json(&p.departures)?;
            } else {
                out.line(&format!("{} · {}", p.summary.id, p.summary.title));
                print_departures(out, &p.departures);
            }
        }
        PackagesCmd::Add { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Error::invalid(format!("cannot read {}: {e}", file.display())))?;
            let spec = PackageSpec::from_json(&text)
                .map_err(|e| Error::invalid(format!("{}: {e}", file.display())))?;
            let p = agency.save_package(&spec).await?;
            if out.json {
                out.print_json(&p)?;
            } else {
                out.line(&format!(
                    "saved {} ({})",
                    p.summary.id,
                    booksygo_core::model::counted(p.departures.len(), "departure", "departures")
                ));
            }
        }
        PackagesCmd::Sales { from, to, partner } => {
            let to = to.unwrap_or_else(super::today);
            let from =
                from.unwrap_or_else(|| to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to));
            let someone_else = partner.is_some();
            let query = booksygo_core::sales::SalesQuery::new(from, to, partner)?;
            let r = agency.partner_sales(&query).await?;
            if out.json {
                out.print_json(&r)?;
                return Ok(crate::exit::OK);
            }
            out.line(&format!(
                "Sales of {}'s packages, {} to {}",
                r.partner, r.from, r.to
            ));
            if r.packages.is_empty() {
                out.line(if someone_else {
                    "No packages of theirs."
                } else {
                    "No packages of yours yet: add one with `booksygo packages add FILE`."
                });
                return Ok(crate::exit::OK);
            }
            let money = |m: &std::collections::BTreeMap<String, String>| {
                if m.is_empty() {
                    "-".to_string()
                } else {
                    m.iter()
                        .map(|(c, v)| format!("{c} {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            let mut t = Table::new(&[
                "PACKAGE",
                "BOOKINGS",
                "PAID",
                "TRAVELLERS",
                "REVENUE",
                "CANCELLED",
                "TITLE",
            ])
            .right(&[1, 2, 3, 4, 5]);
            let row = |id: &str, s: &booksygo_core::sales::Sales, title: &str| {
                vec![
                    id.to_string(),
                    s.bookings.to_string(),
                    s.paid.to_string(),
                    s.travellers.to_string(),
                    money(&s.revenue),
                    s.cancellations.to_string(),
                    title.to_string(),
                ]
            };
            for p in &r.packages {
                t.row(row(&p.package_id, &p.sales, &p.title));
            }
            t.row(row("TOTAL", &r.totals, ""));
            crate::output::emit(&t.render(&out));
        }
        PackagesCmd::Review {
            booking_id,
            rating,
            text,
        } => {
            let r = agency.review(&booking_id, rating, &text).await?;
            if out.json {
                out.print_json(&r)?;
            } else {
                out.line(&format!(
                    "thanks: review {} saved for {} ({} / 5)",
                    r.id, r.package_id, r.rating
                ));
            }
        }
    }
    Ok(crate::exit::OK)
}

fn print_departures(out: Out, deps: &[booksygo_core::search::packages::DepartureStatus]) {
    if deps.is_empty() {
        out.line("No upcoming departures.");
        return;
    }
    let members = deps.iter().any(|d| d.member_price.is_some());
    let mut head = vec!["DEPARTS", "PLACES LEFT", "PER PERSON"];
    if members {
        head.push("MEMBERS");
    }
    head.push("NOTE");
    let mut t = Table::new(&head).right(if members { &[1, 2, 3] } else { &[1, 2] });
    for d in deps {
        let note = match (d.deal_percent, d.slots_left) {
            (_, 0) => "sold out".to_string(),
            (Some(p), _) => format!("deal: {p}% off {}", d.list_price),
            _ => String::new(),
        };
        let mut row = vec![
            crate::output::day(d.date),
            d.slots_left.to_string(),
            d.price.to_string(),
        ];
        if members {
            row.push(
                d.member_price
                    .map(|m| out.paint(Style::Green, &m.to_string()))
                    .unwrap_or_default(),
            );
        }
        row.push(note);
        t.row(row);
    }
    crate::output::emit(&t.render(&out));
}
