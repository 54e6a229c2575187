//! Notifications: what a traveller hears about (a welcome, a confirmed booking with its
//! calendar, a receipt, a cancellation, a refund, a price alert, a reminder the day before the
//! trip), in the inbox and by e-mail, in their language.
//!
//! The notifier reads the outbox (`events`) after its cursor and writes one notice per event,
//! user and kind, in the same unit of work that moves the cursor: each event is announced once
//! whatever the number of notifiers ([`courier`]). A notice that is to be e-mailed gets a row
//! of its own that a courier leases, sends over SMTP ([`mail`]), retries after a temporary
//! refusal and gives up on after the last try or a permanent refusal, leaving it to an admin
//! (`failed`, `retry`).
//!
//! Notices carry no travellers' names, birth dates or documents (those are sealed at rest):
//! only codes, routes, days, amounts and the account's own e-mail address.

pub mod courier;
pub mod locale;
pub mod mail;
pub mod render;

mod compose;

use crate::error::{Error, Result};
use crate::store::Unit;
use serde::{Deserialize, Serialize};

pub use crate::store::port::{FailedMail, Notice};
pub use courier::{Notifier, Round};

/// What a notice is about; each kind has its own preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Welcome,
    BookingConfirmed,
    PaymentReceipt,
    BookingCancelled,
    Refund,
    PriceAlert,
    Reminder,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Welcome,
        Kind::BookingConfirmed,
        Kind::PaymentReceipt,
        Kind::BookingCancelled,
        Kind::Refund,
        Kind::PriceAlert,
        Kind::Reminder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Welcome => "welcome",
            Kind::BookingConfirmed => "booking_confirmed",
            Kind::PaymentReceipt => "payment_receipt",
            Kind::BookingCancelled => "booking_cancelled",
            Kind::Refund => "refund",
            Kind::PriceAlert => "price_alert",
            Kind::Reminder => "reminder",
        }
    }

    pub fn parse(s: &str) -> Result<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown kind of notification '{s}': use {}",
                    Kind::ALL.map(Kind::as_str).join(", ")
                ))
            })
    }

    /// The kind's name in a message's footer.
    pub fn name(self, locale: &str) -> &'static str {
        let names: [&str; 7] = match locale {
            "es" => [
                "bienvenida",
                "reserva confirmada",
                "recibo",
                "cancelación",
                "reembolso",
                "alerta de precio",
                "recordatorio de viaje",
            ],
            "fr" => [
                "bienvenue",
                "réservation confirmée",
                "reçu",
                "annulation",
                "remboursement",
                "alerte de prix",
                "rappel de voyage",
            ],
            "de" => [
                "Willkommen",
                "Buchungsbestätigung",
                "Zahlungsbeleg",
                "Stornierung",
                "Erstattung",
                "Preiswarnung",
                "Reiseerinnerung",
            ],
            _ => [
                "welcome",
                "booking confirmation",
                "receipt",
                "cancellation",
                "refund",
                "price alert",
                "trip reminder",
            ],
        };
        names[Kind::ALL.iter().position(|k| *k == self).unwrap_or(0)]
    }
}

/// Where a kind of notice goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    InApp,
    Both,
    None,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Email, Channel::InApp, Channel::Both, Channel::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::InApp => "in_app",
            Channel::Both => "both",
            Channel::None => "none",
        }
    }

    pub fn parse(s: &str) -> Result<Channel> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Channel::ALL
            .into_iter()
            .find(|c| c.as_str() == s || (s == "inbox" && *c == Channel::InApp))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown channel '{s}': use email, in_app, both or none"
                ))
            })
    }

    /// (in the inbox, by e-mail) for this choice, when e-mail can be sent (`mail`). Without
    /// e-mail, what was to be e-mailed goes to the inbox, so that nothing is lost.
    pub fn routes(self, mail: bool) -> (bool, bool) {
        match (self, mail) {
            (Channel::None, _) => (false, false),
            (Channel::InApp, _) => (true, false),
            (Channel::Both, true) => (true, true),
            (Channel::Email, true) => (false, true),
            (Channel::Both | Channel::Email, false) => (true, false),
        }
    }
}

/// The default for every kind: the inbox and, where SMTP is set up, e-mail.
pub const DEFAULT_CHANNEL: Channel = Channel::Both;

/// The inbox: unread count and the newest notices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Inbox {
    pub unread: i64,
    /// Newest first.
    pub notices: Vec<Notice>,
}

/// One kind of notice and where it goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Preference {
    pub kind: String,
    pub channel: Channel,
}

/// How many notifications a "mark read" changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Marked {
    pub marked: usize,
}

/// A choice of channel for one kind (`PUT /api/notifications/preferences`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferenceChange {
    /// welcome, booking_confirmed, payment_receipt, booking_cancelled, refund, price_alert or
    /// reminder.
    pub kind: String,
    /// email, in_app, both or none.
    pub channel: String,
}

/// The most notices an inbox answer carries.
pub const INBOX_LIMIT: usize = 200;

pub fn inbox(unit: &dyn Unit, user: &str, unread_only: bool, limit: usize) -> Result<Inbox> {
    let notices = unit.notices();
    Ok(Inbox {
        unread: notices.unread(user)?,
        notices: notices.inbox(user, unread_only, limit.clamp(1, INBOX_LIMIT))?,
    })
}

/// Marks notice `id` (or every notice, with `None`) read; how many were unread. An id that is
/// not in this inbox is "not found".
pub fn mark_read(unit: &dyn Unit, user: &str, id: Option<&str>, now: i64) -> Result<usize> {
    if let Some(id) = id
        && !unit.notices().has(user, id)?
    {
        return Err(Error::NotFound(format!("no notification {id}")));
    }
    unit.notices().mark_read(user, id, now)
}

/// Every kind with the channel it goes to for `user`.
pub fn preferences(unit: &dyn Unit, user: &str) -> Result<Vec<Preference>> {
    let chosen = unit.notices().preferences(user)?;
    Ok(Kind::ALL
        .into_iter()
        .map(|k| Preference {
            kind: k.as_str().to_string(),
            channel: chosen
                .iter()
                .find(|(kind, _)| kind == k.as_str())
                .and_then(|(_, c)| Channel::parse(c).ok())
                .unwrap_or(DEFAULT_CHANNEL),
        })
        .collect())
}

pub(crate) fn channel(unit: &dyn Unit, user: &str, kind: Kind) -> Result<Channel> {
    Ok(preferences(unit, user)?
        .into_iter()
        .find(|p| p.kind == kind.as_str())
        .map(|p| p.channel)
        .unwrap_or(DEFAULT_CHANNEL))
}

/// Sends `kind` to `channel` for `user` from now on; answers every preference.
pub fn set_preference(
    unit: &dyn Unit,
    user: &str,
    kind: &str,
    channel: &str,
) -> Result<Vec<Preference>> {
    let kind = Kind::parse(kind)?;
    let channel = Channel::parse(channel)?;
    unit.notices()
        .set_preference(user, kind.as_str(), channel.as_str())?;
    preferences(unit, user)
}

/// Checks and stores an account's language and time zone (either may be left as it is).
pub fn set_locale(
    unit: &dyn Unit,
    user: &str,
    locale: Option<&str>,
    time_zone: Option<&str>,
) -> Result<()> {
    let now = unit
        .notices()
        .recipient(user)?
        .ok_or_else(|| Error::NotFound(format!("no user {user}")))?;
    let locale = match locale {
        Some(l) => {
            let l = l.trim();
            let picked = locale::pick(l);
            if !l.eq_ignore_ascii_case(picked) && !l.to_ascii_lowercase().starts_with(picked) {
                return Err(Error::invalid(format!(
                    "language '{l}' is not one BooksyGo writes in: use {}",
                    locale::LOCALES.join(", ")
                )));
            }
            picked.to_string()
        }
        None => now.locale,
    };
    let time_zone = match time_zone {
        Some(z) => {
            let z = z.trim();
            let zone = jiff::tz::TimeZone::get(z).map_err(|_| {
                Error::invalid(format!(
                    "'{z}' is not a time zone: use an IANA name such as Europe/Madrid or America/New_York"
                ))
            })?;
            // The name as the database spells it ("europe/madrid" is Europe/Madrid).
            zone.iana_name().unwrap_or(z).to_string()
        }
        None => now.time_zone,
    };
    unit.notices().set_locale(user, &locale, &time_zone)
}

/// The account's language and time zone.
pub fn locale_of(unit: &dyn Unit, user: &str) -> Result<(String, String)> {
    let r = unit
        .notices()
        .recipient(user)?
        .ok_or_else(|| Error::NotFound(format!("no user {user}")))?;
    Ok((r.locale, r.time_zone))
}

/// E-mails given up on, newest first (admins).
pub fn failed(unit: &dyn Unit, actor: &str, limit: usize) -> Result<Vec<FailedMail>> {
    crate::admin::require_admin(unit, actor)?;
    unit.notices().failed_mail(limit.clamp(1, 500))
}

/// Puts a given-up e-mail back in line (admins).
pub fn retry(unit: &dyn Unit, actor: &str, id: &str, now: i64) -> Result<()> {
    crate::admin::require_admin(unit, actor)?;
    if !unit.notices().retry_mail(id, now)? {
        return Err(Error::NotFound(format!(
            "no failed e-mail {id}: `GET /api/admin/notifications/failed` lists them"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_without_email_keeps_the_notice_in_the_inbox() {
        assert_eq!(Channel::Email.routes(true), (false, true));
        assert_eq!(Channel::Email.routes(false), (true, false));
        assert_eq!(Channel::Both.routes(false), (true, false));
        assert_eq!(Channel::None.routes(true), (false, false));
        assert_eq!(Channel::parse("in-app").unwrap(), Channel::InApp);
        assert!(Channel::parse("pigeon").is_err());
        assert!(
            Kind::parse("nope")
                .unwrap_err()
                .to_string()
                .contains("price_alert")
        );
    }
}
