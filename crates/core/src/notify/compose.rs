//! From what happened to what is said: which events become which notices, for whom, with what
//! in them, and the reminders the day before a trip.

use super::locale::{self, day, moment, money};
use super::{Kind, render};
use crate::booking::{Booking, BookingStatus};
use crate::error::Result;
use crate::events::Event;
use crate::model::Money;
use crate::store::Unit;
use crate::store::port::{NewMail, NewNotice};
use jiff::Timestamp;
use serde_json::{Value, json};

/// Who hears about what, before it is written in their language.
pub(super) struct Draft {
    pub kind: Kind,
    pub user: String,
    pub dedupe: String,
    /// The booking whose calendar goes with the e-mail.
    pub attach: Option<String>,
    /// What the template needs, apart from what depends on the language.
    pub facts: Facts,
}

/// What a notice says, kept as values until the recipient's language and zone are known.
pub(super) enum Facts {
    Welcome,
    /// A booking, with what comes back to the card (owed or paid) for a cancellation.
    Booking(Box<Booking>, Money),
    Alert(Value),
    Reminder(Box<Booking>),
}

/// The notices an event calls for (none for most events).
pub(super) fn drafts(unit: &dyn Unit, event: &Event) -> Result<Vec<Draft>> {
    let Some(user) = event.user_id.clone() else {
        return Ok(Vec::new());
    };
    let kind = match event.kind.as_str() {
        "user.registered" => Kind::Welcome,
        "booking.confirmed" => Kind::BookingConfirmed,
        "booking.payment_completed" => Kind::PaymentReceipt,
        "booking.cancelled" => Kind::BookingCancelled,
        "booking.refunded" => Kind::Refund,
        "price_alert.triggered" => Kind::PriceAlert,
        _ => return Ok(Vec::new()),
    };
    let facts = match kind {
        Kind::Welcome => Facts::Welcome,
        Kind::PriceAlert => Facts::Alert(event.payload.clone()),
        _ => {
            // A booking that cannot be read (removed since) is not announced.
            match crate::booking::desk::load(unit, &user, &event.subject_id) {
                Ok(b) => {
                    let owed: i64 = unit
                        .payments()
                        .owed_refunds()?
                        .iter()
                        .filter(|r| r.booking == b.id && r.currency == b.refunded.currency.as_str())
                        .map(|r| r.amount)
                        .sum();
                    let back = Money::new(b.refunded.minor + owed, b.refunded.currency);
                    Facts::Booking(Box::new(b), back)
                }
                Err(crate::error::Error::NotFound(_)) => return Ok(Vec::new()),
                Err(e) => return Err(e),
            }
        }
    };
    let attach = (kind == Kind::BookingConfirmed).then(|| event.subject_id.clone());
    Ok(vec![Draft {
        kind,
        user,
        dedupe: format!("event:{}", event.seq),
        attach,
        facts,
    }])
}

/// Reminders due at `now`: confirmed bookings whose first departure is less than a day away.
pub(super) fn reminders(unit: &dyn Unit, now: Timestamp) -> Result<Vec<Draft>> {
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let (from, to) = (
        today.yesterday().unwrap_or(today),
        today.tomorrow().and_then(|d| d.tomorrow()).unwrap_or(today),
    );
    let mut out = Vec::new();
    for (booking, user) in unit
        .notices()
        .departing(&from.to_string(), &to.to_string())?
    {
        let b = crate::booking::desk::load(unit, &user, &booking)?;
        let Some(first) = b.items.iter().map(|i| i.starts_at).min() else {
            continue;
        };
        let lead = first.as_second() - now.as_second();
        if b.status == BookingStatus::Confirmed && lead > 0 && lead <= 24 * 3600 {
            out.push(Draft {
                kind: Kind::Reminder,
                user,
                dedupe: format!("reminder:{booking}"),
                attach: None,
                facts: Facts::Reminder(Box::new(b)),
            });
        }
    }
    Ok(out)
}

/// Writes a draft for its recipient and keeps it: in the inbox, and as an e-mail to send when
/// `mail` is set up and the account wants one. `false` when it was already kept.
pub(super) fn keep(unit: &dyn Unit, draft: &Draft, mail: bool, now: i64) -> Result<bool> {
    let Some(recipient) = unit.notices().recipient(&draft.user)? else {
        return Ok(false);
    };
    // An address on this machine only (the offline traveller's placeholder) gets no e-mail.
    let mail = mail && !recipient.email.ends_with("@localhost");
    let (in_app, email) = super::channel(unit, &draft.user, draft.kind)?.routes(mail);
    if !in_app && !email {
        return Ok(false);
    }
    let lang = locale::pick(&recipient.locale);
    let zone = locale::zone(&recipient.time_zone);
    let at = Timestamp::from_second(now).unwrap_or(Timestamp::UNIX_EPOCH);
    let context = context(draft, lang, &zone, &recipient.email, at);
    let written = render::write(draft.kind, lang, &context)?;
    let id = crate::ids::new("ntc");
    let added = unit.notices().add(&NewNotice {
        id: &id,
        user: &draft.user,
        kind: draft.kind.as_str(),
        dedupe: &draft.dedupe,
        subject: &written.subject,
        body: &written.text,
        in_app,
        mail: email.then(|| NewMail {
            to: &recipient.email,
            locale: written.locale,
            html: &written.html,
            booking: draft.attach.as_deref(),
        }),
        at: now,
    })?;
    if added && in_app {
        crate::events::emit(
            unit,
            "notification.created",
            &id,
            Some(&draft.user),
            &json!({"id": id, "kind": draft.kind.as_str(), "subject": written.subject}),
            now,
        )?;
    }
    Ok(added)
}

fn items(b: &Booking, lang: &str) -> Value {
    b.items
        .iter()
        .map(|i| json!({"description": i.description, "price": money(lang, i.price)}))
        .collect()
}

fn context(
    draft: &Draft,
    lang: &str,
    zone: &jiff::tz::TimeZone,
    email: &str,
    now: Timestamp,
) -> Value {
    match &draft.facts {
        Facts::Welcome => json!({"email": email}),
        Facts::Booking(b, back) => {
            let refund = (back.minor > 0).then(|| money(lang, *back));
            json!({
                "code": b.confirmation_code,
                "booking_id": b.id,
                "starts": day(lang, b.starts_on),
                "ends": day(lang, b.ends_on),
                "items": items(b, lang),
                "total": money(lang, b.total),
                "paid": money(lang, b.amount_due),
                "points": b.points_redeemed,
                "points_value": money(lang, b.points_value),
                "amount": money(lang, b.refunded),
                "refund": refund,
                "at": moment(lang, now, zone),
                "command": match draft.kind {
                    Kind::PaymentReceipt => format!(
                        "booksygo bookings export {} --receipt",
                        b.confirmation_code
                    ),
                    _ => format!("booksygo bookings show {}", b.confirmation_code),
                },
            })
        }
        Facts::Reminder(b) => {
            let first = b.items.iter().min_by_key(|i| i.starts_at);
            json!({
                "code": b.confirmation_code,
                "first": first.map(|i| i.description.clone()).unwrap_or_default(),
                "departs": first.map(|i| moment(lang, i.starts_at, zone)).unwrap_or_default(),
                "command": format!("booksygo bookings show {}", b.confirmation_code),
            })
        }
        Facts::Alert(p) => {
            let amount = |key: &str| {
                serde_json::from_value::<Money>(p[key].clone())
                    .map(|m| money(lang, m))
                    .unwrap_or_default()
            };
            let date = p["date"].as_str().unwrap_or_default();
            let shown = date
                .parse::<jiff::civil::Date>()
                .map(|d| day(lang, d))
                .unwrap_or_else(|_| date.to_string());
            let (origin, destination) = (
                p["origin"].as_str().unwrap_or_default(),
                p["destination"].as_str().unwrap_or_default(),
            );
            json!({
                "origin": origin,
                "destination": destination,
                "date": shown,
                "price": amount("price"),
                "below": amount("below"),
                "command": format!("booksygo flights search {origin} {destination} -d {date}"),
            })
        }
    }
}
