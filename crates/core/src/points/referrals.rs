//! Referrals: every account has a code; an account registered with it is linked to the
//! code's owner, who earns [`REFERRAL`] points when the new traveller's first booking is
//! completed.
//!
//! - The reward is paid at completion (the nightly sweep that moves a trip that has ended to
//!   COMPLETED), once per referred account. A booking cancelled before it completes never
//!   completes, so it earns nothing; COMPLETED is final (a completed booking cannot be
//!   cancelled), so a paid reward is never clawed back. The referral then waits for the
//!   traveller's next booking that completes.
//! - No self-referral: an account cannot use its own code (and one account is one e-mail).
//! - At most [`MONTHLY_LIMIT`] rewards per referrer per calendar month (UTC); a referral
//!   settled over the limit is recorded as `over_limit` and pays nothing.
//! - Accounts sharing an e-mail domain and a card: the store knows a card only by its brand
//!   and last four digits (never the number). When the referred traveller's e-mail domain is
//!   the referrer's and the card that paid the completed booking (brand and last four) also
//!   paid one of the referrer's bookings, the referral is settled as `same_card` and pays
//!   nothing. Two different cards with the same brand and last four digits count as the same
//!   card; bookings paid with points alone, or with different cards, are not caught.

use super::{REFERRAL, earn};
use crate::error::{Error, Result};
use crate::ids::CODE_ALPHABET;
use crate::store::Unit;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Rewards a referrer can earn in one calendar month (UTC).
pub const MONTHLY_LIMIT: i64 = 20;
/// Characters of a referral code.
pub const CODE_LENGTH: usize = 8;

/// Your referral code and the travellers it brought (`booksygo points referral`,
/// `GET /api/gamification/referral`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Referral {
    /// Give it to someone registering: `booksygo register URL --referral-code CODE`, or
    /// `referral_code` in `POST /api/auth/register`.
    pub code: String,
    /// Points earned per referred traveller's first completed booking.
    pub points_each: i64,
    /// Rewards a referrer can earn per calendar month (UTC).
    pub monthly_limit: i64,
    /// Rewards earned this calendar month.
    pub rewarded_this_month: i64,
    /// The travellers who registered with your code, newest first.
    pub referred: Vec<Referred>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Referred {
    /// As on the leaderboard ("Ada L."): never an e-mail.
    pub name: String,
    /// pending (no completed booking yet), rewarded, over_limit (past the monthly limit) or
    /// same_card (same e-mail domain and card as yours).
    pub status: String,
    pub registered_at: Timestamp,
    pub settled_at: Option<Timestamp>,
}

/// A code as typed: trimmed, upper case. Anything but the code's alphabet and length is
/// refused with what a code looks like.
pub fn normalise(code: &str) -> Result<String> {
    let c = code.trim().to_ascii_uppercase();
    if c.len() != CODE_LENGTH || !c.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
        return Err(Error::invalid(format!(
            "'{}' is not a referral code: a code is {CODE_LENGTH} letters and digits, as `booksygo points referral` shows it",
            code.trim()
        )));
    }
    Ok(c)
}

fn draw(attempt: u64) -> String {
    let id = crate::ids::new("ref");
    let seed = u64::from_str_radix(&id[4..], 16).unwrap_or(attempt);
    let mut h = crate::geo::mix(seed ^ attempt.rotate_left(32));
    (0..CODE_LENGTH)
        .map(|_| {
            let c = CODE_ALPHABET[(h % CODE_ALPHABET.len() as u64) as usize] as char;
            h /= CODE_ALPHABET.len() as u64;
            c
        })
        .collect()
}

/// The account's code, given to it now if it had none (a write unit).
pub fn code(unit: &dyn Unit, user: &str) -> Result<String> {
    for attempt in 0..8 {
        if let Some(code) = unit.referrals().code(user)? {
            return Ok(code);
        }
        if unit.users().profile(user)?.is_none() {
            return Err(Error::NotFound(format!("no user {user}")));
        }
        // A code another account already holds is not written: draw again.
        unit.referrals().set_code(user, &draw(attempt))?;
    }
    Err(Error::Unavailable(
        "could not find a free referral code; try again".into(),
    ))
}

/// Your code and the travellers it brought, at `now`.
pub fn referral(unit: &dyn Unit, user: &str, now: i64) -> Result<Referral> {
    let code = code(unit, user)?;
    let (from, to) = month_of(now)?;
    let rows = unit.referrals().referred(user)?;
    let mut referred = Vec::with_capacity(rows.len());
    for r in rows {
        let name = match unit.users().profile(&r.referee)? {
            Some(p) => super::leaderboard::display_name(&p.id, &p.first_name, &p.last_name),
            None => super::leaderboard::display_name(&r.referee, "", ""),
        };
        referred.push(Referred {
            name,
            status: r.status,
            registered_at: Timestamp::from_second(r.created_at).map_err(Error::internal)?,
            settled_at: r
                .settled_at
                .map(Timestamp::from_second)
                .transpose()
                .map_err(Error::internal)?,
        });
    }
    Ok(Referral {
        code,
        points_each: REFERRAL,
        monthly_limit: MONTHLY_LIMIT,
        rewarded_this_month: unit.referrals().rewarded_between(user, from, to)?,
        referred,
    })
}

/// The account whose code `code` is: an unknown code is invalid input, with the reason.
pub fn referrer_of(unit: &dyn Unit, code: &str) -> Result<String> {
    let code = normalise(code)?;
    unit.referrals().owner_of(&code)?.ok_or_else(|| {
        Error::invalid(format!(
            "no account has the referral code {code}: check it with whoever gave it to you, or register without it"
        ))
    })
}

/// Links a new account to the owner of `code` (in the unit that writes the account).
pub fn link(unit: &dyn Unit, referee: &str, referrer: &str, now: i64) -> Result<()> {
    if referee == referrer {
        return Err(Error::invalid("you cannot use your own referral code"));
    }
    if !unit.referrals().link(referee, referrer, now)? {
        return Err(Error::Conflict(
            "this account was already referred by someone".into(),
        ));
    }
    Ok(())
}

/// The calendar month (UTC) `now` is in, as `[from, to)` seconds.
fn month_of(now: i64) -> Result<(i64, i64)> {
    let day = Timestamp::from_second(now)
        .map_err(Error::internal)?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let first = day.first_of_month();
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .map_err(Error::internal)?;
    let at = |d: jiff::civil::Date| -> Result<i64> {
        Ok(d.to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(Error::internal)?
            .timestamp()
            .as_second())
    };
    Ok((at(first)?, at(next)?))
}

fn domain(email: &str) -> String {
    email
        .rsplit_once('@')
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

/// `referee`'s `booking` completed: settles their pending referral, if any, and pays the
/// referrer within the monthly limit (in the unit that completes the booking).
pub fn on_completed(unit: &dyn Unit, referee: &str, booking: &str, now: i64) -> Result<()> {
    let Some(referrer) = unit.referrals().pending_referrer(referee)? else {
        return Ok(());
    };
    // One writer at a time counts and pays a referrer's rewards, so two completions at once
    // cannot both be the twentieth.
    unit.take_turn(&format!("referrals:{referrer}"))?;
    let emails = (
        unit.users().profile(&referrer)?.map(|p| p.email),
        unit.users().profile(referee)?.map(|p| p.email),
    );
    let same_domain = match emails {
        (Some(a), Some(b)) => !domain(&a).is_empty() && domain(&a) == domain(&b),
        _ => false,
    };
    let (from, to) = month_of(now)?;
    let status = if same_domain && unit.referrals().shares_card(&referrer, booking)? {
        "same_card"
    } else if unit.referrals().rewarded_between(&referrer, from, to)? >= MONTHLY_LIMIT {
        "over_limit"
    } else {
        "rewarded"
    };
    // Settled once: another writer that settled it first has paid (or not) already.
    if !unit.referrals().settle(referee, status, booking, now)? {
        return Ok(());
    }
    if status == "rewarded" {
        earn(
            unit,
            &referrer,
            "REFERRAL",
            REFERRAL,
            None,
            "a traveller you referred completed their first trip",
            now,
        )?;
    }
    crate::events::emit(
        unit,
        "referral.settled",
        referee,
        Some(&referrer),
        &serde_json::json!({
            "referrer_id": referrer,
            "referee_id": referee,
            "booking_id": booking,
            "status": status,
            "points": if status == "rewarded" { REFERRAL } else { 0 },
        }),
        now,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_drawn_from_the_alphabet_and_read_back_in_any_case() {
        let c = draw(0);
        assert_eq!(c.len(), CODE_LENGTH);
        assert_eq!(normalise(&format!(" {} ", c.to_lowercase())).unwrap(), c);
        assert_ne!(draw(1), c);
        assert!(normalise("ABC").is_err());
        assert!(normalise("AAAAAAA0").is_err(), "0 is not in the alphabet");
    }

    #[test]
    fn a_month_is_its_calendar_month_in_utc() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap().as_second();
        let (from, to) = month_of(at("2026-12-31T23:59:59Z")).unwrap();
        assert_eq!(from, at("2026-12-01T00:00:00Z"));
        assert_eq!(to, at("2027-01-01T00:00:00Z"));
    }
}
