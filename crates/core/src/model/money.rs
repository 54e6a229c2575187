//! Money: integer minor units plus an ISO 4217 currency. Never f64.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An ISO 4217 currency code (three upper-case ASCII letters).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const EUR: Currency = Currency(*b"EUR");
    pub const USD: Currency = Currency(*b"USD");
    pub const GBP: Currency = Currency(*b"GBP");

    /// Parses a code; case-insensitive. Whether the code is one we can price in is the FX
    /// table's business, not this parser's.
    pub fn parse(code: &str) -> Result<Self> {
        let b = code.trim().as_bytes();
        if b.len() != 3 || !b.iter().all(u8::is_ascii_alphabetic) {
            return Err(Error::invalid(format!(
                "'{code}' is not a currency code (expected three letters such as EUR, USD, GBP)"
            )));
        }
        Ok(Currency([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }

    pub fn as_str(&self) -> &str {
        // Only ever built from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Number of decimal places of the currency's minor unit (ISO 4217 exponent).
    pub fn exponent(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"VND" | b"CLP" | b"ISK" | b"PYG" | b"UGX" | b"XOF" | b"XAF"
            | b"XPF" => 0,
            b"BHD" | b"JOD" | b"KWD" | b"OMR" | b"TND" => 3,
            _ => 2,
        }
    }

    fn scale(&self) -> i64 {
        10_i64.pow(self.exponent())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// An amount of money in integer minor units (cents for EUR, yen for JPY).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub const fn eur(minor: i64) -> Self {
        Money {
            minor,
            currency: Currency::EUR,
        }
    }

    pub fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    /// Parses a decimal string such as "460.50" in the given currency. More decimals than the
    /// currency has are rejected rather than rounded: money never loses precision silently.
    pub fn from_decimal(text: &str, currency: Currency) -> Result<Self> {
        let bad = || Error::invalid(format!("'{text}' is not an amount of {currency}"));
        let t = text.trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (int, frac) = t.split_once('.').unwrap_or((t, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let exp = currency.exponent() as usize;
        let frac = frac.trim_end_matches('0');
        if frac.len() > exp {
            return Err(Error::invalid(format!(
                "'{text}' has more decimals than {currency} allows ({exp})"
            )));
        }
        let int: i64 = int.parse().map_err(|_| bad())?;
        let mut frac_minor: i64 = 0;
        for i in 0..exp {
            let digit = frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
            frac_minor = frac_minor * 10 + digit;
        }
        let minor = int
            .checked_mul(currency.scale())
            .and_then(|v| v.checked_add(frac_minor))
            .ok_or_else(bad)?;
        Ok(Money::new(if neg { -minor } else { minor }, currency))
    }

    /// A change of price, for people: "+EUR 12.00", "-EUR 7.00", "EUR 0.00" (the sign before
    /// the currency, as the amount it changes is shown).
    pub fn signed(&self) -> String {
        let sign = match self.minor {
            1.. => "+",
            ..0 => "-",
            0 => "",
        };
        let abs = Money::new(self.minor.saturating_abs(), self.currency);
        format!("{sign}{abs}")
    }

    /// The amount as a decimal string with exactly the currency's decimals ("460.50", "1500").
    pub fn decimal(&self) -> String {
        let exp = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exp == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10_u64.pow(exp);
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exp as usize
        )
    }

    /// Adds two amounts of the same currency.
    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        self.minor
            .checked_add(other.minor)
            .map(|m| Money::new(m, self.currency))
            .ok_or_else(|| Error::internal("money overflow"))
    }

    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|m| Money::new(m, self.currency))
            .ok_or_else(|| Error::internal("money overflow"))
    }

    fn same_currency(self, other: Money) -> Result<()> {
        if self.currency != other.currency {
            return Err(Error::internal(format!(
                "cannot combine {} with {}",
                self.currency, other.currency
            )));
        }
        Ok(())
    }

    /// Multiplies by a ratio `num / den`, rounding half away from zero to the minor unit.
    pub fn mul_ratio(self, num: i64, den: i64) -> Money {
        Money::new(
            round_div(i128::from(self.minor) * i128::from(num), i128::from(den)),
            self.currency,
        )
    }
}

/// Integer division rounding half away from zero.
pub(crate) fn round_div(n: i128, d: i128) -> i64 {
    debug_assert!(d > 0);
    let q = if n >= 0 {
        (n + d / 2) / d
    } else {
        (n - d / 2) / d
    };
    q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// How money is written to people, everywhere: the currency code, a space, the amount with the
/// currency's decimals (`EUR 251.00`, `JPY 1500`).
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency, self.decimal())
    }
}

/// A decimal amount on the wire: digits, an optional sign and fraction, never a float.
pub const DECIMAL_PATTERN: &str = "^-?[0-9]+(\\.[0-9]+)?$";

impl schemars::JsonSchema for Currency {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Currency".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 code"})
    }
}

impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "required": ["amount", "currency"],
            "properties": {
                "amount": {"type": "string", "pattern": DECIMAL_PATTERN, "description": "a decimal string, e.g. \"460.50\""},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}
            }
        })
    }
}

/// `{"amount": "460.50", "currency": "EUR"}`: the shape of a standalone amount on the wire.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Money", 2)?;
        st.serialize_field("amount", &self.decimal())?;
        st.serialize_field("currency", &self.currency)?;
        st.end()
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            amount: String,
            currency: Currency,
        }
        let raw = Raw::deserialize(d)?;
        Money::from_decimal(&raw.amount, raw.currency).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formats_by_exponent() {
        assert_eq!(Money::eur(46050).decimal(), "460.50");
        assert_eq!(Money::eur(-5).decimal(), "-0.05");
        let jpy = Currency::parse("jpy").unwrap();
        assert_eq!(Money::new(1500, jpy).decimal(), "1500");
        let kwd = Currency::parse("KWD").unwrap();
        assert_eq!(Money::new(1234, kwd).decimal(), "1.234");
        assert_eq!(Money::eur(25100).to_string(), "EUR 251.00");
        assert_eq!(Money::new(1500, jpy).to_string(), "JPY 1500");
    }

    #[test]
    fn a_change_shows_its_sign_before_the_currency() {
        assert_eq!(Money::eur(1200).signed(), "+EUR 12.00");
        assert_eq!(Money::eur(-700).signed(), "-EUR 7.00");
        assert_eq!(Money::eur(0).signed(), "EUR 0.00");
        assert_eq!(
            Money::new(-1500, Currency::parse("JPY").unwrap()).signed(),
            "-JPY 1500"
        );
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            Money::from_decimal("460.5", Currency::EUR).unwrap().minor,
            46050
        );
        assert_eq!(
            Money::from_decimal("12", Currency::EUR).unwrap().minor,
            1200
        );
        assert!(Money::from_decimal("1.234", Currency::EUR).is_err());
        assert!(Money::from_decimal("abc", Currency::EUR).is_err());
        assert!(Money::from_decimal("", Currency::EUR).is_err());
        assert!(Currency::parse("EU").is_err());
        assert!(Currency::parse("E1R").is_err());
    }

    #[test]
    fn mixing_currencies_is_an_error() {
        assert!(
            Money::eur(1)
                .checked_add(Money::new(1, Currency::USD))
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn decimal_round_trips(minor in -1_000_000_000_000i64..1_000_000_000_000i64, code in "(EUR|JPY|KWD|USD)") {
            let c = Currency::parse(&code).unwrap();
            let m = Money::new(minor, c);
            prop_assert_eq!(Money::from_decimal(&m.decimal(), c).unwrap(), m);
        }

        #[test]
        fn ratio_rounds_to_nearest(minor in 0i64..1_000_000_000, num in 1i64..10_000, den in 1i64..10_000) {
            let r = Money::eur(minor).mul_ratio(num, den).minor;
            let exact = minor as f64 * num as f64 / den as f64;
            prop_assert!((r as f64 - exact).abs() <= 0.5 + 1e-6);
        }
    }
}
