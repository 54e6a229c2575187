//! Payments: a provider trait (the sandbox here; Stripe plugs in beside it), card checks,
//! and points as partial payment. Card numbers are never stored: only brand and last four.

pub mod paypal;
pub mod sandbox;
pub mod stripe;
pub mod webhook;

use crate::error::{Error, Result};
use crate::model::Money;
use async_trait::async_trait;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// How many points make one euro when redeemed.
pub const POINTS_PER_EUR: i64 = 100;
/// Points can pay at most half of a booking.
pub const MAX_POINTS_SHARE_PERCENT: i64 = 50;
/// The smallest redemption.
pub const MIN_POINTS_REDEMPTION: i64 = 500;

/// A card as typed. `Debug` never shows the number.
#[derive(Clone, Deserialize)]
pub struct Card {
    pub number: String,
    /// MM/YY
    pub expiry: String,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Card(**** {})", self.last4())
    }
}

impl Card {
    /// The expiry a face fills in when none is given: the end of next year (fine for the
    /// sandbox's test cards, which only need a future date).
    pub fn default_expiry(today: Date) -> String {
        format!("12/{:02}", (today.year() + 1) % 100)
    }

    pub fn new(number: &str, expiry: &str) -> Card {
        Card {
            number: number
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .collect(),
            expiry: expiry.trim().into(),
        }
    }

    /// A digest of the whole number and expiry, for telling requests apart without keeping
    /// the number.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let d = sha2::Sha256::digest(format!("{}|{}", self.number, self.expiry).as_bytes());
        d.iter().take(12).map(|b| format!("{b:02x}")).collect()
    }

    pub fn last4(&self) -> String {
        let n = &self.number;
        n.get(n.len().saturating_sub(4)..).unwrap_or("").to_string()
    }

    pub fn brand(&self) -> &'static str {
        match self.number.as_bytes().first() {
            Some(b'4') => "visa",
            Some(b'5') | Some(b'2') => "mastercard",
            Some(b'3') => "amex",
            _ => "card",
        }
    }

    /// Luhn checksum and expiry (the card is valid through the end of its month).
    pub fn validate(&self, today: Date) -> Result<()> {
        if self.number.len() < 12
            || self.number.len() > 19
            || !self.number.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::invalid("the card number must be 12 to 19 digits"));
        }
        if !luhn(&self.number) {
            return Err(Error::invalid(format!(
                "card number ending {} fails its checksum: check the digits",
                self.last4()
            )));
        }
        let (m, y) = self
            .expiry
            .split_once('/')
            .and_then(|(m, y)| Some((m.trim().parse::<i8>().ok()?, y.trim().parse::<i16>().ok()?)))
            .filter(|(m, _)| (1..=12).contains(m))
            .ok_or_else(|| Error::invalid(format!("card expiry '{}' is not MM/YY", self.expiry)))?;
        let year = if y < 100 { 2000 + y } else { y };
        let last_day = Date::new(year, m, 1)
            .map(|d| d.last_of_month())
            .map_err(|_| Error::invalid("bad card expiry"))?;
        if last_day < today {
            return Err(Error::invalid(format!(
                "the card expired at the end of {:02}/{}",
                m, year
            )));
        }
        Ok(())
    }
}

pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// What a charge attempt came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChargeOutcome {
    Succeeded {
        reference: String,
    },
    /// The bank wants the customer to confirm (3-D Secure); `confirm` finishes it.
    RequiresAction {
        reference: String,
    },
    Declined {
        reason: String,
    },
}

#[async_trait]
pub trait PaymentProvider: Send + Sync {
    fn name(&self) -> &str;
    async fn charge(
        &self,
        amount: Money,
        card: &Card,
        idempotency_key: &str,
    ) -> Result<ChargeOutcome>;
    /// For providers that answer in-process with no I/O (the sandbox): the outcome at once,
    /// so the booking can be paid inside the transaction that creates it. Network providers
    /// keep the default, `None`, and are called outside any transaction.
    fn charge_now(
        &self,
        _amount: Money,
        _card: &Card,
        _idempotency_key: &str,
    ) -> Option<Result<ChargeOutcome>> {
        None
    }
    /// Completes a charge that required action.
    async fn confirm(&self, reference: &str) -> Result<ChargeOutcome>;
    /// Abandons a charge still waiting for the cardholder (its booking moved on), so it can
    /// never complete later. Nothing to do for providers without such charges.
    async fn cancel(&self, _reference: &str) -> Result<()> {
        Ok(())
    }
    /// Refunds part or all of a charge; returns the refund's reference. The same key never
    /// refunds twice.
    async fn refund(&self, reference: &str, amount: Money, idempotency_key: &str)
    -> Result<String>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_expiry() {
        let today = Date::constant(2026, 11, 25);
        assert!(
            Card::new("4242 4242 4242 4242", "12/30")
                .validate(today)
                .is_ok()
        );
        assert!(
            Card::new("4242424242424241", "12/30")
                .validate(today)
                .unwrap_err()
                .to_string()
                .contains("checksum")
        );
        assert!(
            Card::new("4242424242424242", "10/26")
                .validate(today)
                .unwrap_err()
                .to_string()
                .contains("expired")
        );
        assert!(
            Card::new("4242424242424242", "11/26")
                .validate(today)
                .is_ok()
        );
        assert!(
            Card::new("4242424242424242", "13/30")
                .validate(today)
                .is_err()
        );
        assert!(Card::new("42", "12/30").validate(today).is_err());
        assert_eq!(
            format!("{:?}", Card::new("4242424242424242", "12/30")),
            "Card(**** 4242)"
        );
    }
}
