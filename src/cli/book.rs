//! `booksygo book <OFFER_ID>... | book package <PKG_ID> --date D` and `booksygo bookings ...`

use super::{parse_date, print_booking};
use crate::output::{Out, Style, Table, spin};
use booksygo_core::booking::desk::Modification;
use booksygo_core::booking::payment::Card;
use booksygo_core::booking::{
    BookingRequest, BookingStatus, Gender, ItemRequest, PassengerInput, PaymentInput,
};
use booksygo_core::model::PassengerType;
use booksygo_core::{Agency, Error};
use clap::{Args, Subcommand};
use jiff::civil::Date;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct BookArgs {
    /// Offer ids from a search (a flight offer and/or a hotel offer), or `package <PKG_ID>`.
    #[arg(required = true)]
    targets: Vec<String>,
    /// Departure date of a package.
    #[arg(long, value_parser = parse_date)]
    date: Option<Date>,
    /// A traveller "Given,Family,YYYY-MM-DD[,adult|child|infant][,m|f][,DOCUMENT]"; repeat per
    /// traveller. Real airlines (Duffel) need the gender.
    #[arg(long = "passenger", value_parser = parse_passenger)]
    passengers: Vec<PassengerInput>,
    /// Travellers from a JSON file: [{"given_name","family_name","born_on","type","document"?}].
    #[arg(long)]
    passengers_file: Option<PathBuf>,
    /// Contact email for the booking.
    #[arg(long)]
    email: String,
    /// Contact phone in international form (+44...); real airlines (Duffel) need it.
    #[arg(long)]
    phone: Option<String>,
    #[command(flatten)]
    pay: PayArgs,
    /// Points to redeem (100 points = EUR 1, at most half the price).
    #[arg(long, default_value_t = 0)]
    points: i64,
    /// Makes a retried command safe: the same key replays the first answer.
    #[arg(long)]
    idempotency_key: Option<String>,
}

#[derive(Debug, Args)]
pub struct PayArgs {
    /// Card number; without it the booking waits, PENDING, for `bookings pay`.
    #[arg(long)]
    card: Option<String>,
    /// Card expiry MM/YY (default: the end of next year, fine for sandbox test cards).
    #[arg(long)]
    card_expiry: Option<String>,
}

impl PayArgs {
    fn card(&self, today: Date) -> Option<Card> {
        let default = Card::default_expiry(today);
        self.card
            .as_ref()
            .map(|n| Card::new(n, self.card_expiry.as_deref().unwrap_or(&default)))
    }
}

#[cfg(test)]
#[path = "book_fuzz.rs"]
mod fuzz;

fn parse_passenger(s: &str) -> Result<PassengerInput, String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() < 3 || parts.len() > 6 {
        return Err(format!(
            "'{s}' is not a passenger: use \"Given,Family,YYYY-MM-DD[,adult|child|infant][,m|f][,DOCUMENT]\""
        ));
    }
    let mut kind = None;
    let mut gender = None;
    let mut document = None;
    // After the date: a type, a gender and a document, each at most once, in this order.
    for (i, part) in parts[3..].iter().enumerate() {
        match *part {
            "adult" if i == 0 => kind = Some(PassengerType::Adult),
            "child" if i == 0 => kind = Some(PassengerType::Child),
            "infant" if i == 0 => kind = Some(PassengerType::Infant),
            g if gender.is_none() && document.is_none() && Gender::parse(g).is_some() => {
                gender = Gender::parse(g)
            }
            other if i == 0 => {
                return Err(format!(
                    "passenger type '{other}': use adult, child or infant (then m or f)"
                ));
            }
            d if document.is_none() => document = Some(d.to_string()),
            other => {
                return Err(format!(
                    "'{other}' in '{s}': use adult, child or infant, then m or f, then a document number"
                ));
            }
        }
    }
    Ok(PassengerInput {
        given_name: parts[0].to_string(),
        family_name: parts[1].to_string(),
        born_on: super::parse_birth_date(parts[2]).map_err(|e| format!("date of birth: {e}"))?,
        kind,
        document,
        gender,
    })
}

pub async fn book(args: BookArgs, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    let items = if args.targets.first().map(String::as_str) == Some("package") {
        let [_, id] = args.targets.as_slice() else {
            return Err(Error::invalid(
                "use: booksygo book package <PKG_ID> --date YYYY-MM-DD ...",
            )
            .into());
        };
        let date = args.date.ok_or_else(|| {
            Error::invalid("--date is required to book a package (see `packages calendar`)")
        })?;
        vec![ItemRequest::Package {
            package_id: id.clone(),
            date,
        }]
    } else {
        args.targets
            .iter()
            .map(|id| ItemRequest::Offer {
                offer_id: id.clone(),
            })
            .collect()
    };
    let mut passengers = args.passengers.clone();
    if let Some(path) = &args.passengers_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::invalid(format!("cannot read {}: {e}", path.display())))?;
        let list: Vec<PassengerInput> = serde_json::from_str(&text)
            .map_err(|e| Error::invalid(format!("{}: {e}", path.display())))?;
        passengers.extend(list);
    }
    let req = BookingRequest {
        items,
        passengers,
        contact_email: args.email.clone(),
        contact_phone: args.phone.clone(),
        payment: PaymentInput {
            card: args.pay.card(super::today()),
            points: args.points,
        },
        idempotency_key: args.idempotency_key.clone(),
    };
    let booking = spin("booking", agency.create_booking(req)).await?;
    print_booking(&booking, out)?;
    Ok(crate::exit::OK)
}

#[derive(Debug, Subcommand)]
pub enum BookingsCmd {
    /// Your bookings (all, or one status).
    List {
        #[arg(long)]
        status: Option<String>,
    },
    /// One booking with items, travellers, payments and history.
    Show { id: String },
    /// Pay a PENDING booking by card (--card) or with PayPal (--paypal).
    Pay {
        id: String,
        #[command(flatten)]
        pay: PayArgs,
        /// Pay with PayPal: prints the link where you approve the payment; then run
        /// `booksygo bookings confirm-payment ID`. Asked again, the same link.
        #[arg(long, conflicts_with_all = ["card", "card_expiry", "idempotency_key"])]
        paypal: bool,
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Finish a payment waiting for you: 3-D Secure the bank asked for, or a PayPal payment
    /// you approved (captured now).
    ConfirmPayment { id: String },
    /// Cancel: shows the refund first; --yes to go ahead.
    Cancel {
        id: String,
        /// Cancel without asking.
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Move the flight to another date (--date) or correct a traveller's name (--passenger-name).
    Modify {
        id: String,
        /// New departure date of the first flight; later flights shift by as many days.
        #[arg(long, value_parser = parse_date, conflicts_with = "passenger_name")]
        date: Option<Date>,
        /// "N:Given,Family" for traveller number N.
        #[arg(long)]
        passenger_name: Option<String>,
        #[command(flatten)]
        pay: PayArgs,
    },
    /// Write the booking as an .ics calendar (--ics) or a text receipt (--receipt).
    Export {
        id: String,
        /// Calendar file to write ("-" for stdout).
        #[arg(long, conflicts_with = "receipt")]
        ics: Option<PathBuf>,
        /// Print a plain-text receipt.
        #[arg(long)]
        receipt: bool,
    },
}

/// Bookings as a table (or JSON).
pub fn print_list(list: &[booksygo_core::booking::Booking], out: Out) -> anyhow::Result<u8> {
    if out.json {
        out.print_json(list)?;
        return Ok(crate::exit::OK);
    }
    if list.is_empty() {
        out.line("No bookings yet. Search with `booksygo flights search` and book an offer.");
        return Ok(crate::exit::OK);
    }
    let mut t =
        Table::new(&["BOOKING", "CODE", "STATUS", "FROM", "TO", "WHAT", "TOTAL"]).right(&[6]);
    for b in list {
        let what: Vec<&str> = b.items.iter().map(|i| i.kind.as_str()).collect();
        t.row(vec![
            b.id.clone(),
            b.confirmation_code.clone(),
            status_colour(out, b.status),
            crate::output::day(b.starts_on),
            crate::output::day(b.ends_on),
            what.join("+"),
            b.total.to_string(),
        ]);
    }
    crate::output::emit(&t.render(&out));
    Ok(crate::exit::OK)
}

pub async fn bookings(cmd: BookingsCmd, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    match cmd {
        BookingsCmd::List { status } => {
            let status = status.as_deref().map(BookingStatus::parse).transpose()?;
            let list = agency.list_bookings(status).await?;
            print_list(&list, out)?;
        }
        BookingsCmd::Show { id } => print_booking(&agency.get_booking(&id).await?, out)?,
        BookingsCmd::Pay {
            id, paypal: true, ..
        } => {
            let c = spin("creating the PayPal order", agency.pay_with_paypal(&id)).await?;
            if out.json {
                out.print_json(&c)?;
            } else {
                out.line(&format!(
                    "PayPal order {} for {} (booking {}, {}).",
                    c.order_id, c.amount, c.booking_id, c.status
                ));
                out.line(&format!("Approve the payment on PayPal: {}", c.approve_url));
                out.line(&format!(
                    "Then run: booksygo bookings confirm-payment {}",
                    c.booking_id
                ));
            }
        }
        BookingsCmd::Pay {
            id,
            pay,
            idempotency_key,
            ..
        } => {
            let card = pay
                .card(super::today())
                .ok_or_else(|| Error::invalid("give --card NUMBER, or --paypal, to pay"))?;
            let b = spin("charging", agency.pay_booking(&id, card, idempotency_key)).await?;
            print_booking(&b, out)?;
        }
        BookingsCmd::Modify {
            id,
            date,
            passenger_name,
            pay,
        } => {
            let change = match (date, passenger_name) {
                (Some(date), None) => Modification::FlightDate {
                    date,
                    card: pay.card(super::today()),
                },
                (None, Some(text)) => {
                    let bad = || Error::invalid(format!("'{text}' is not N:Given,Family"));
                    let (n, names) = text.split_once(':').ok_or_else(bad)?;
                    let (given, family) = names.split_once(',').ok_or_else(bad)?;
                    Modification::PassengerName {
                        passenger: n.trim().parse().map_err(|_| bad())?,
                        given_name: given.trim().to_string(),
                        family_name: family.trim().to_string(),
                    }
                }
                _ => {
                    return Err(Error::invalid(
                        "give --date YYYY-MM-DD or --passenger-name \"N:Given,Family\"",
                    )
                    .into());
                }
            };
            let b = spin("changing", agency.modify_booking(&id, change)).await?;
            print_booking(&b, out)?;
        }
        BookingsCmd::ConfirmPayment { id } => {
            print_booking(&agency.confirm_payment(&id).await?, out)?
        }
        BookingsCmd::Cancel {
            id,
            yes,
            idempotency_key,
        } => {
            if !yes {
                let quote = agency.quote_cancellation(&id).await?;
                if out.json {
                    out.print_json(&quote)?;
                } else {
                    out.line(&format!(
                        "Cancelling {} would refund {} to your card and keep {}.",
                        quote.booking_id, quote.refund, quote.kept
                    ));
                    if quote.points_returned > 0 || quote.points_clawed_back > 0 {
                        out.line(&format!(
                            "Points: {} returned, {} taken back.",
                            quote.points_returned, quote.points_clawed_back
                        ));
                    }
                    for r in &quote.rules {
                        out.line(&format!("  - {r}"));
                    }
                    out.line(&format!(
                        "Run again with --yes to cancel: booksygo bookings cancel {} --yes",
                        quote.booking_id
                    ));
                }
                return Ok(crate::exit::OK);
            }
            let b = spin("cancelling", agency.cancel_booking(&id, idempotency_key)).await?;
            print_booking(&b, out)?;
        }
        BookingsCmd::Export { id, ics, receipt } => {
            if receipt || ics.is_none() {
                print_receipt(&agency.booking_receipt(&id).await?, out)?;
            } else {
                let cal = agency.booking_calendar(&id).await?;
                write_calendar(ics.as_deref(), &cal, out)?;
            }
        }
    }
    Ok(crate::exit::OK)
}

pub fn print_receipt(text: &str, out: Out) -> anyhow::Result<()> {
    if out.json {
        out.print_json(&serde_json::json!({"receipt": text}))
    } else {
        crate::output::emit(text);
        Ok(())
    }
}

/// Writes a calendar to a file (or stdout for "-").
pub fn write_calendar(path: Option<&std::path::Path>, cal: &str, out: Out) -> anyhow::Result<()> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            std::fs::write(p, cal)
                .map_err(|e| Error::invalid(format!("cannot write {}: {e}", p.display())))?;
            if out.json {
                out.print_json(&serde_json::json!({"written": p, "events": cal.matches("BEGIN:VEVENT").count()}))?;
            } else {
                eprintln!(
                    "wrote {} ({})",
                    p.display(),
                    booksygo_core::model::counted(
                        cal.matches("BEGIN:VEVENT").count(),
                        "event",
                        "events"
                    )
                );
            }
        }
        _ if out.json => out.print_json(
            &serde_json::json!({"calendar": cal, "events": cal.matches("BEGIN:VEVENT").count()}),
        )?,
        _ => crate::output::emit(cal),
    }
    Ok(())
}

pub fn status_colour(out: Out, s: BookingStatus) -> String {
    let style = match s {
        BookingStatus::Confirmed | BookingStatus::Completed => Style::Green,
        BookingStatus::Pending | BookingStatus::PaymentProcessing => Style::Yellow,
        BookingStatus::Cancelled | BookingStatus::Refunded => Style::Dim,
    };
    out.paint(style, s.as_str())
}
