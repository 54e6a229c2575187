//! `booksygo inbox [show|read|prefs]`: the notifications (bookings, payments, refunds, price
//! alerts, trip reminders) and where each kind goes.

use crate::output::{Out, Style, Table};
use booksygo_core::{Agency, Error};
use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct InboxArgs {
    #[command(subcommand)]
    cmd: Option<InboxCmd>,
    /// Only the unread ones.
    #[arg(long)]
    unread: bool,
    /// At most this many (newest first).
    #[arg(short = 'n', long, default_value_t = 20)]
    limit: usize,
}

#[derive(Debug, Subcommand)]
pub enum InboxCmd {
    /// One notification in full; marks it read.
    Show { id: String },
    /// Mark one notification read, or every one with --all.
    Read {
        #[arg(required_unless_present = "all")]
        id: Option<String>,
        #[arg(long, conflicts_with = "id")]
        all: bool,
    },
    /// Where each kind goes (email, in_app, both, none); with KIND and CHANNEL, change one.
    Prefs {
        /// welcome, booking_confirmed, payment_receipt, booking_cancelled, refund,
        /// price_alert or reminder.
        #[arg(requires = "channel")]
        kind: Option<String>,
        /// email, in_app, both or none.
        channel: Option<String>,
    },
}

/// `2026-11-25 12:00 UTC` from the API's RFC 3339.
/// When a notice came, in the traveller's time zone (the profile's, as the notices' bodies
/// are written in): "2026-11-25 13:00 CET".
fn when(stamp: &str, zone: &jiff::tz::TimeZone) -> String {
    stamp
        .parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .unwrap_or_else(|_| stamp.to_string())
}

/// The traveller's time zone, as the notices' bodies are written in.
async fn zone_of(agency: &dyn Agency) -> anyhow::Result<jiff::tz::TimeZone> {
    let name = agency.profile().await?.time_zone;
    Ok(booksygo_core::notify::locale::zone(&name))
}

pub async fn run(args: InboxArgs, agency: &dyn Agency, out: Out) -> anyhow::Result<u8> {
    match args.cmd {
        None => {
            let inbox = agency.inbox(args.unread, args.limit).await?;
            if out.json {
                out.print_json(&inbox)?;
                return Ok(crate::exit::OK);
            }
            if inbox.notices.is_empty() {
                out.line(if args.unread {
                    "No unread notifications."
                } else {
                    "No notifications yet: bookings, payments, refunds and price alerts land here."
                });
                return Ok(crate::exit::OK);
            }
            let zone = zone_of(agency).await?;
            let mut t = Table::new(&["", "ID", "WHEN", "SUBJECT"]);
            for n in &inbox.notices {
                t.row(vec![
                    if n.read_at.is_none() { "*" } else { "" }.into(),
                    n.id.clone(),
                    when(&n.created_at, &zone),
                    n.subject.clone(),
                ]);
            }
            out.line(&t.render(&out));
            out.line(&format!(
                "{} unread. Read one: booksygo inbox show ID",
                inbox.unread
            ));
        }
        Some(InboxCmd::Show { id }) => {
            let inbox = agency
                .inbox(false, booksygo_core::notify::INBOX_LIMIT)
                .await?;
            let notice = inbox
                .notices
                .into_iter()
                .find(|n| n.id == id)
                .ok_or_else(|| Error::NotFound(format!("no notification {id}")))?;
            if notice.read_at.is_none() {
                agency.mark_read(Some(&id)).await?;
            }
            if out.json {
                out.print_json(&notice)?;
            } else {
                out.line(&out.paint(Style::Bold, &notice.subject));
                out.line(&when(&notice.created_at, &zone_of(agency).await?));
                out.line("");
                out.line(notice.body.trim_end());
            }
        }
        Some(InboxCmd::Read { id, all }) => {
            let marked = agency
                .mark_read(if all { None } else { id.as_deref() })
                .await?;
            if out.json {
                out.print_json(&booksygo_core::notify::Marked { marked })?;
            } else {
                out.line(&format!(
                    "Marked {} read.",
                    booksygo_core::model::counted(marked, "notification", "notifications")
                ));
            }
        }
        Some(InboxCmd::Prefs { kind, channel }) => {
            let prefs = match (kind, channel) {
                (Some(kind), Some(channel)) => {
                    agency.set_notification_preference(&kind, &channel).await?
                }
                _ => agency.notification_preferences().await?,
            };
            if out.json {
                out.print_json(&prefs)?;
            } else {
                let mut t = Table::new(&["KIND", "GOES TO"]);
                for p in &prefs {
                    t.row(vec![p.kind.clone(), p.channel.as_str().to_string()]);
                }
                out.line(&t.render(&out));
                out.line("Change one: booksygo inbox prefs KIND email|in_app|both|none");
            }
        }
    }
    Ok(crate::exit::OK)
}
