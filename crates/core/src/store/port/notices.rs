//! Notifications: each account's inbox, its e-mails on their way, its choices, and the
//! notifier's place in the outbox.

use crate::error::Result;
use serde::{Deserialize, Serialize};

/// Who a notice goes to: the account's login e-mail, language and time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    pub email: String,
    pub locale: String,
    pub time_zone: String,
}

/// A notice to keep, with its e-mail when one is to be sent.
#[derive(Debug, Clone)]
pub struct NewNotice<'a> {
    pub id: &'a str,
    pub user: &'a str,
    pub kind: &'a str,
    /// What the notice is about, once: `event:<seq>` or `reminder:<booking>`.
    pub dedupe: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// Shown in the inbox (else kept only as the record of its e-mail).
    pub in_app: bool,
    pub mail: Option<NewMail<'a>>,
    pub at: i64,
}

#[derive(Debug, Clone)]
pub struct NewMail<'a> {
    pub to: &'a str,
    pub locale: &'a str,
    pub html: &'a str,
    /// The booking whose calendar goes with the e-mail, made when it is sent.
    pub booking: Option<&'a str>,
}

/// One notice in an inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Notice {
    pub id: String,
    /// welcome, booking_confirmed, payment_receipt, booking_cancelled, refund, price_alert or
    /// reminder.
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When it was marked read (RFC 3339, UTC); absent while unread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<String>,
}

/// An e-mail leased for sending.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub id: String,
    pub user: String,
    pub kind: String,
    pub to: String,
    pub locale: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub booking: Option<String>,
    pub attempts: u32,
    pub created_at: i64,
}

/// An e-mail that was not delivered: refused for good (`failed`) or still refused after the
/// last try (`dead`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FailedMail {
    /// The notice's id (retry with it).
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub to: String,
    pub subject: String,
    /// `failed` (the server refused it for good) or `dead` (temporary refusals until the last
    /// try).
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// How a send ended, as the courier records it.
#[derive(Debug, Clone, PartialEq)]
pub enum Sent {
    Delivered {
        at: i64,
    },
    /// A temporary refusal: try again at `retry_at`.
    Retry {
        why: String,
        retry_at: i64,
    },
    /// Given up: `failed` (permanent) or `dead` (out of tries).
    GaveUp {
        status: &'static str,
        why: String,
    },
}

/// Promises, whatever the number of notifiers and couriers:
/// - a notice exists once per (`dedupe`, user, kind): [`Notices::add`] inserts or does nothing;
/// - the notifier's cursor moves only under its lease, in the unit that adds the notices it
///   covers, so each event is announced once;
/// - an e-mail is sent by the courier holding its lease, and leaves `pending` once: the
///   settling update is conditional on that lease.
pub trait Notices {
    fn recipient(&self, user: &str) -> Result<Option<Recipient>>;
    fn set_locale(&self, user: &str, locale: &str, time_zone: &str) -> Result<()>;

    /// The last event the notifier announced.
    fn cursor(&self) -> Result<i64>;
    /// The notifier's cursor, if `owner` takes (or holds) its lease at `at` until `until`.
    fn lease_cursor(&self, owner: &str, at: i64, until: i64) -> Result<Option<i64>>;
    /// Moves the cursor to `cursor` and gives the lease back; `false` (nothing written) when
    /// `owner` no longer holds it.
    fn settle_cursor(&self, owner: &str, cursor: i64) -> Result<bool>;

    /// `false` when the notice was already there (nothing written).
    fn add(&self, notice: &NewNotice<'_>) -> Result<bool>;
    /// The inbox, newest first.
    fn inbox(&self, user: &str, unread_only: bool, limit: usize) -> Result<Vec<Notice>>;
    fn unread(&self, user: &str) -> Result<i64>;
    /// Marks one notice (or, with `None`, all) read; how many changed.
    fn mark_read(&self, user: &str, id: Option<&str>, at: i64) -> Result<usize>;
    /// Whether `user` has a notice `id` in the inbox.
    fn has(&self, user: &str, id: &str) -> Result<bool>;

    /// (kind, channel) choices the account made.
    fn preferences(&self, user: &str) -> Result<Vec<(String, String)>>;
    fn set_preference(&self, user: &str, kind: &str, channel: &str) -> Result<()>;

    /// Ids of e-mails due at `now`, oldest first.
    fn due_mail(&self, now: i64, limit: usize) -> Result<Vec<String>>;
    /// The e-mail `id`, if `owner` takes its lease at `at` until `until` and it is pending.
    fn lease_mail(&self, id: &str, owner: &str, at: i64, until: i64) -> Result<Option<Mail>>;
    /// Records how sending `id` ended; `false` when `owner` no longer held its lease.
    fn settle_mail(&self, id: &str, owner: &str, outcome: &Sent, at: i64) -> Result<bool>;
    /// E-mails given up on, newest first.
    fn failed_mail(&self, limit: usize) -> Result<Vec<FailedMail>>;
    /// Puts a given-up e-mail back in line with its tries reset; `false` when there is none.
    fn retry_mail(&self, id: &str, at: i64) -> Result<bool>;
    /// (booking, owner) of the confirmed bookings whose first day is between `from` and `to`
    /// (YYYY-MM-DD, both included) and that have no reminder yet (no notice whose dedupe is
    /// `reminder:<booking>`).
    fn departing(&self, from: &str, to: &str) -> Result<Vec<(String, String)>>;
}

/// A stored unix time as the API writes it (RFC 3339, UTC).
pub fn stamp(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.to_string())
        .unwrap_or_default()
}
