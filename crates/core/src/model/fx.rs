//! Dated FX rates for display conversion. Prices are made and charged in their own currency;
//! conversion is for showing them in the traveller's.

use super::money::{Currency, Money, round_div};
use crate::error::{Error, Result};
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::BTreeMap;

const MICRO: i128 = 1_000_000;

/// Rates against one base currency: `1 base = rate quote`, stored in millionths.
#[derive(Debug, Clone)]
pub struct FxTable {
    pub as_of: Date,
    pub base: Currency,
    /// Quote currency -> millionths of a unit per one base unit.
    rates: BTreeMap<Currency, i64>,
}

#[derive(Deserialize)]
struct FxFile {
    as_of: Date,
    base: Currency,
    source: Option<String>,
    rates: BTreeMap<String, String>,
}

impl FxTable {
    pub fn from_json(text: &str) -> Result<FxTable> {
        let file: FxFile = serde_json::from_str(text)?;
        let _ = file.source;
        let mut rates = BTreeMap::new();
        rates.insert(file.base, 1_000_000);
        for (code, rate) in file.rates {
            let currency = Currency::parse(&code)?;
            let micro = parse_micro(&rate)
                .ok_or_else(|| Error::internal(format!("bad FX rate {code}={rate}")))?;
            rates.insert(currency, micro);
        }
        Ok(FxTable {
            as_of: file.as_of,
            base: file.base,
            rates,
        })
    }

    pub fn currencies(&self) -> impl Iterator<Item = Currency> + '_ {
        self.rates.keys().copied()
    }

    /// Checks that a currency can be shown; unknown ones get a clear error listing the known.
    pub fn supports(&self, currency: Currency) -> Result<()> {
        if self.rates.contains_key(&currency) {
            return Ok(());
        }
        let known: Vec<&str> = self.rates.keys().map(Currency::as_str).collect();
        Err(Error::invalid(format!(
            "unknown currency {currency}: BooksyGo has rates for {}",
            known.join(", ")
        )))
    }

    pub fn convert(&self, money: Money, to: Currency) -> Result<Money> {
        if money.currency == to {
            return Ok(money);
        }
        self.supports(money.currency)?;
        self.supports(to)?;
        let from_rate = i128::from(self.rates[&money.currency]);
        let to_rate = i128::from(self.rates[&to]);
        let num = i128::from(money.minor) * to_rate * 10_i128.pow(to.exponent());
        let den = from_rate * 10_i128.pow(money.currency.exponent());
        Ok(Money::new(round_div(num, den), to))
    }
}

fn parse_micro(text: &str) -> Option<i64> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 6 || int.is_empty() {
        return None;
    }
    let int: i128 = int.parse().ok()?;
    let frac_val: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let frac_scaled = frac_val * 10_i128.pow(6 - frac.len() as u32);
    i64::try_from(int * MICRO + frac_scaled)
        .ok()
        .filter(|v| *v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> FxTable {
        FxTable::from_json(
            r#"{"as_of":"2026-11-02","base":"EUR","rates":{"USD":"1.08","JPY":"162.5","GBP":"0.87"}}"#,
        )
        .unwrap()
    }

    #[test]
    fn converts_with_exponents() {
        let t = table();
        let usd = t.convert(Money::eur(10000), Currency::USD).unwrap();
        assert_eq!(usd, Money::new(10800, Currency::USD));
        let jpy = t
            .convert(Money::eur(10000), Currency::parse("JPY").unwrap())
            .unwrap();
        assert_eq!(jpy.minor, 16250);
        // Cross rate through the base: 108 USD = 100 EUR = 87 GBP.
        let gbp = t
            .convert(Money::new(10800, Currency::USD), Currency::GBP)
            .unwrap();
        assert_eq!(gbp.minor, 8700);
    }

    #[test]
    fn unknown_currency_is_invalid_input() {
        let err = table()
            .convert(Money::eur(1), Currency::parse("XYZ").unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("unknown currency XYZ"));
    }
}
