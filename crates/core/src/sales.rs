//! A partner's sales report: for each package they own, the bookings of it created in a
//! period, the travellers and revenue per currency of those paid and not cancelled, and the
//! cancellations. Partners read their own; admins read any partner's (their own when they
//! name none). The period is checked as the analytics reports check theirs.

use crate::analytics::{GroupBy, ReportQuery};
use crate::error::{Error, Result};
use crate::model::{Currency, Money};
use crate::roles::{self, Permission};
use crate::store::Unit;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whose sales, over which days (`from` to `to`, both included, UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SalesQuery {
    pub from: Date,
    pub to: Date,
    /// The partner's account id; the caller's own packages when absent (admins only may
    /// name another).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
}

impl SalesQuery {
    /// Checks the period: `from` not after `to`, at most
    /// [`crate::analytics::MAX_REPORT_DAYS`] days.
    pub fn new(from: Date, to: Date, partner: Option<String>) -> Result<SalesQuery> {
        ReportQuery::new(from, to, GroupBy::Day)?;
        Ok(SalesQuery { from, to, partner })
    }
}

/// The figures of one package, or of all of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Sales {
    /// Bookings created in the period, whatever became of them.
    pub bookings: i64,
    /// Of those, paid.
    pub paid: i64,
    /// Travellers of the paid bookings not cancelled.
    pub travellers: i64,
    /// The package's price on the paid bookings not cancelled, per currency (decimal strings).
    pub revenue: BTreeMap<String, String>,
    /// Bookings cancelled (refunded or not).
    pub cancellations: i64,
}

/// One package's sales.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PackageSales {
    pub package_id: String,
    pub title: String,
    #[serde(flatten)]
    pub sales: Sales,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SalesReport {
    /// The partner whose packages these are.
    pub partner: String,
    pub from: Date,
    pub to: Date,
    /// Every package the partner owns, by id (those without sales too).
    pub packages: Vec<PackageSales>,
    pub totals: Sales,
}

#[derive(Default)]
struct Tally {
    bookings: i64,
    paid: i64,
    travellers: i64,
    revenue: BTreeMap<String, i64>,
    cancellations: i64,
}

impl Tally {
    fn sales(&self) -> Result<Sales> {
        Ok(Sales {
            bookings: self.bookings,
            paid: self.paid,
            travellers: self.travellers,
            revenue: self
                .revenue
                .iter()
                .map(|(c, v)| Ok((c.clone(), Money::new(*v, Currency::parse(c)?).decimal())))
                .collect::<Result<_>>()?,
            cancellations: self.cancellations,
        })
    }
}

/// The sales report `actor` asks for: partners and admins (their role read now), for their
/// own packages; admins for any partner's.
pub fn report(unit: &dyn Unit, actor: &str, q: &SalesQuery) -> Result<SalesReport> {
    roles::require(unit, actor, Permission::SalesReport)?;
    let partner = q.partner.as_deref().unwrap_or(actor);
    if partner != actor {
        if !roles::can(&roles::role_of(unit, actor)?, Permission::Administer) {
            return Err(Error::Forbidden(
                "only an admin may read another partner's sales".into(),
            ));
        }
        roles::role_of(unit, partner)?;
    }
    build(unit, partner, q)
}

/// The sales report of `partner`'s packages, for whoever may read them.
pub fn build(unit: &dyn Unit, partner: &str, q: &SalesQuery) -> Result<SalesReport> {
    let q = SalesQuery::new(q.from, q.to, q.partner.clone())?;
    let start = |d: Date| -> Result<i64> {
        Ok(d.to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| Error::invalid(e.to_string()))?
            .timestamp()
            .as_second())
    };
    let from = start(q.from)?;
    let to = start(q.to.tomorrow().map_err(|e| Error::invalid(e.to_string()))?)?;
    let figures = unit.tracking();
    let mut packages: BTreeMap<String, (String, Tally)> = figures
        .owned_packages(partner)?
        .into_iter()
        .map(|(id, title)| (id, (title, Tally::default())))
        .collect();
    let mut totals = Tally::default();
    for row in figures.package_sales(partner, from, to)? {
        let Some((_, tally)) = packages.get_mut(&row.package_id) else {
            continue;
        };
        let cancelled = matches!(row.status.as_str(), "CANCELLED" | "REFUNDED");
        for t in [&mut totals, tally] {
            t.bookings += 1;
            if row.paid {
                t.paid += 1;
            }
            if cancelled {
                t.cancellations += 1;
            } else if row.paid {
                t.travellers += row.travellers;
                *t.revenue.entry(row.currency.clone()).or_default() += row.price;
            }
        }
    }
    Ok(SalesReport {
        partner: partner.to_string(),
        from: q.from,
        to: q.to,
        packages: packages
            .into_iter()
            .map(|(package_id, (title, t))| {
                Ok(PackageSales {
                    package_id,
                    title,
                    sales: t.sales()?,
                })
            })
            .collect::<Result<_>>()?,
        totals: totals.sales()?,
    })
}
