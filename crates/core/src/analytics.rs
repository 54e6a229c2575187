//! Analytics: the admin dashboard (bookings, revenue and conversion by day, the top routes,
//! from the bookings and the events outbox), the events clients report (searches, offer
//! views, clicks, bookings started) and the reports over both: the funnel from search to
//! payment, revenue, average booking value, cancellations and refunds, by day, week, route or
//! provider, in JSON or CSV.

use crate::error::{Error, Result};
use crate::store::Unit;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Day {
    pub date: String,
    /// Bookings created that day.
    pub created: i64,
    /// Of those, confirmed or completed.
    pub confirmed: i64,
    pub cancelled: i64,
    /// Confirmed revenue per currency, as decimal strings.
    pub revenue: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RouteCount {
    pub route: String,
    pub bookings: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Dashboard {
    pub users: i64,
    pub bookings: i64,
    /// Confirmed or completed over all created, 0-1.
    pub conversion: f64,
    pub days: Vec<Day>,
    pub top_routes: Vec<RouteCount>,
    pub events: BTreeMap<String, i64>,
}

pub fn dashboard(unit: &dyn Unit, since: i64) -> Result<Dashboard> {
    let figures = unit.reports();
    let users = figures.user_count()?;
    let (bookings, confirmed) = figures.bookings_since(since)?;
    let mut days: BTreeMap<String, Day> = BTreeMap::new();
    for row in figures.bookings_by_day(since)? {
        let day = days.entry(row.date.clone()).or_insert(Day {
            date: row.date,
            created: 0,
            confirmed: 0,
            cancelled: 0,
            revenue: BTreeMap::new(),
        });
        day.created += row.created;
        day.confirmed += row.confirmed;
        day.cancelled += row.cancelled;
        let c = crate::model::Currency::parse(&row.currency)?;
        day.revenue.insert(
            row.currency,
            crate::model::Money::new(row.revenue, c).decimal(),
        );
    }
    let mut top: BTreeMap<String, i64> = BTreeMap::new();
    for payload in figures.live_flights_since(since)? {
        let v: serde_json::Value = serde_json::from_str(&payload)?;
        if let (Some(o), Some(d)) = (
            v["slices"][0]["origin"].as_str(),
            v["slices"][0]["destination"].as_str(),
        ) {
            *top.entry(format!("{o}-{d}")).or_default() += 1;
        }
    }
    let mut top_routes: Vec<RouteCount> = top
        .into_iter()
        .map(|(route, bookings)| RouteCount { route, bookings })
        .collect();
    top_routes.sort_by(|a, b| b.bookings.cmp(&a.bookings).then(a.route.cmp(&b.route)));
    top_routes.truncate(10);
    let events: BTreeMap<String, i64> = figures.events_by_type(since)?.into_iter().collect();
    Ok(Dashboard {
        users,
        bookings,
        conversion: if bookings == 0 {
            0.0
        } else {
            confirmed as f64 / bookings as f64
        },
        days: days.into_values().collect(),
        top_routes,
        events,
    })
}

/// The events a client may report, and nothing else.
pub const EVENT_NAMES: [&str; 4] = ["search", "offer_viewed", "offer_clicked", "booking_started"];
/// Events in one report (`POST /api/analytics/events`).
pub const MAX_BATCH: usize = 100;
/// Reports an account may send per hour (each up to [`MAX_BATCH`] events).
pub const BATCHES_PER_HOUR: i64 = 120;
/// The longest period one report covers.
pub const MAX_REPORT_DAYS: i64 = 366;

/// One event a client reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientEvent {
    /// search, offer_viewed, offer_clicked or booking_started.
    pub name: String,
    /// `LHR-JFK`: two place codes.
    #[serde(default)]
    pub route: Option<String>,
    /// The supplier (`sandbox`, `duffel`, ...).
    #[serde(default)]
    pub provider: Option<String>,
    /// A package id or slug.
    #[serde(default)]
    pub package: Option<String>,
    /// When it happened (RFC 3339); now when absent. At most a day old, never ahead.
    #[serde(default)]
    pub at: Option<String>,
}

/// A batch of client events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientEvents {
    pub events: Vec<ClientEvent>,
}

/// How many events were kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Accepted {
    pub accepted: usize,
}

fn short(field: &str, value: &Option<String>, max: usize) -> Result<()> {
    if let Some(v) = value
        && (v.is_empty()
            || v.len() > max
            || !v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(Error::invalid(format!(
            "event {field} '{}' must be 1-{max} characters of letters, digits, '-', '_' or '.'",
            v.chars().take(40).collect::<String>()
        )));
    }
    Ok(())
}

/// Keeps a batch of a traveller's client events, all or none, within the account's hourly
/// budget of reports.
pub fn record(unit: &dyn Unit, user: &str, batch: &ClientEvents, now: i64) -> Result<Accepted> {
    if batch.events.is_empty() || batch.events.len() > MAX_BATCH {
        return Err(Error::invalid(format!(
            "send 1 to {MAX_BATCH} events at a time, not {}",
            batch.events.len()
        )));
    }
    let mut rows = Vec::with_capacity(batch.events.len());
    for e in &batch.events {
        if !EVENT_NAMES.contains(&e.name.as_str()) {
            return Err(Error::invalid(format!(
                "unknown event '{}': use {}",
                e.name.chars().take(40).collect::<String>(),
                EVENT_NAMES.join(", ")
            )));
        }
        short("route", &e.route, 16)?;
        short("provider", &e.provider, 32)?;
        short("package", &e.package, 64)?;
        let at = match &e.at {
            None => now,
            Some(text) => {
                let t: jiff::Timestamp = text
                    .parse()
                    .map_err(|_| Error::invalid(format!("event time '{text}' is not RFC 3339")))?;
                let at = t.as_second();
                if at > now + 300 || at < now - 86_400 {
                    return Err(Error::invalid(format!(
                        "event time {text} is more than a day old or ahead of the server's clock"
                    )));
                }
                at
            }
        };
        rows.push((crate::ids::new("tev"), e, at));
    }
    let (count, start) = unit
        .limits()
        .count(&format!("analytics:{user}"), now, 3600)?;
    if count > BATCHES_PER_HOUR {
        return Err(Error::RateLimited {
            message: format!(
                "at most {BATCHES_PER_HOUR} analytics reports an hour: send fewer, larger batches"
            ),
            retry_after: (start + 3600 - now).max(1) as u64,
        });
    }
    let tracked: Vec<crate::store::port::Tracked<'_>> = rows
        .iter()
        .map(|(id, e, at)| crate::store::port::Tracked {
            id,
            user,
            name: &e.name,
            route: e.route.as_deref(),
            provider: e.provider.as_deref(),
            package: e.package.as_deref(),
            at: *at,
        })
        .collect();
    unit.tracking().record(&tracked)?;
    Ok(Accepted {
        accepted: tracked.len(),
    })
}

/// How a report groups its figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Day,
    Week,
    Route,
    Provider,
}

impl GroupBy {
    pub fn parse(s: &str) -> Result<GroupBy> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" => Ok(GroupBy::Day),
            "week" => Ok(GroupBy::Week),
            "route" => Ok(GroupBy::Route),
            "provider" => Ok(GroupBy::Provider),
            other => Err(Error::invalid(format!(
                "group_by '{other}': use day, week, route or provider"
            ))),
        }
    }
}

/// What a report covers: days `from` to `to`, both included (UTC).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportQuery {
    pub from: jiff::civil::Date,
    pub to: jiff::civil::Date,
    pub group_by: GroupBy,
}

impl ReportQuery {
    /// Checks the period: `from` not after `to`, at most [`MAX_REPORT_DAYS`] days.
    pub fn new(
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        group_by: GroupBy,
    ) -> Result<ReportQuery> {
        if from > to {
            return Err(Error::invalid(format!("from {from} is after to {to}")));
        }
        let days = (to - from).get_days() as i64 + 1;
        if days > MAX_REPORT_DAYS {
            return Err(Error::invalid(format!(
                "a report covers at most {MAX_REPORT_DAYS} days, not {days}: narrow from/to"
            )));
        }
        Ok(ReportQuery { from, to, group_by })
    }
}

/// Figures of a period or a group. Money per currency, as decimal strings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Figures {
    pub searches: i64,
    pub offer_views: i64,
    pub offer_clicks: i64,
    pub bookings_started: i64,
    pub bookings_created: i64,
    /// Created bookings whose payment succeeded.
    pub bookings_paid: i64,
    /// Paid bookings over searches, 0-1 (0 without searches).
    pub conversion: f64,
    pub cancellations: i64,
    /// Totals of the paid bookings.
    pub revenue: BTreeMap<String, String>,
    /// Revenue over paid bookings.
    pub average_booking_value: BTreeMap<String, String>,
    pub refunds: BTreeMap<String, String>,
}

/// One step of the funnel and the share of the step before that reached it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Step {
    /// search, offer_viewed, booking_created or paid.
    pub step: String,
    pub count: i64,
    /// Of the step before, 0-1 (absent on the first step or when the step before is 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
}

/// A group's key and its figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Group {
    /// `2026-11-25` (day), `2026-W48` (ISO week), `LHR-JFK` (route), `sandbox` (provider);
    /// `-` when an event or booking has no route or provider.
    pub key: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A count of bookings under a name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Ranked {
    pub name: String,
    pub bookings: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Report {
    pub from: String,
    pub to: String,
    pub group_by: GroupBy,
    pub totals: Figures,
    pub funnel: Vec<Step>,
    /// In key order (time for day and week).
    pub groups: Vec<Group>,
    pub top_routes: Vec<Ranked>,
    pub top_packages: Vec<Ranked>,
}

#[derive(Default)]
struct Tally {
    searches: i64,
    views: i64,
    clicks: i64,
    started: i64,
    created: i64,
    paid: i64,
    cancelled: i64,
    revenue: BTreeMap<String, i64>,
    refunds: BTreeMap<String, i64>,
}

impl Tally {
    fn figures(&self) -> Result<Figures> {
        let money = |m: &BTreeMap<String, i64>| -> Result<BTreeMap<String, String>> {
            m.iter()
                .map(|(c, v)| {
                    Ok((
                        c.clone(),
                        crate::model::Money::new(*v, crate::model::Currency::parse(c)?).decimal(),
                    ))
                })
                .collect()
        };
        let average: BTreeMap<String, i64> = if self.paid == 0 {
            BTreeMap::new()
        } else {
            self.revenue
                .iter()
                .map(|(c, v)| (c.clone(), v / self.paid))
                .collect()
        };
        Ok(Figures {
            searches: self.searches,
            offer_views: self.views,
            offer_clicks: self.clicks,
            bookings_started: self.started,
            bookings_created: self.created,
            bookings_paid: self.paid,
            conversion: if self.searches == 0 {
                0.0
            } else {
                self.paid as f64 / self.searches as f64
            },
            cancellations: self.cancelled,
            revenue: money(&self.revenue)?,
            average_booking_value: money(&average)?,
            refunds: money(&self.refunds)?,
        })
    }
}

fn day_of(at: i64) -> jiff::civil::Date {
    jiff::Timestamp::from_second(at)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

fn week_of(at: i64) -> String {
    let w = day_of(at).iso_week_date();
    format!("{}-W{:02}", w.year(), w.week())
}

/// A booking's route (`LHR-JFK`) from its first flight, or its package.
fn booking_route(f: &crate::store::port::BookingFact) -> (Option<String>, Option<String>) {
    let details: serde_json::Value = serde_json::from_str(&f.details).unwrap_or_default();
    match f.kind.as_str() {
        "flight" => {
            let s = &details["slices"][0];
            let route = match (s["origin"].as_str(), s["destination"].as_str()) {
                (Some(o), Some(d)) => Some(format!("{o}-{d}")),
                _ => None,
            };
            (route, None)
        }
        "package" => (None, Some(f.offer_id.clone())),
        _ => (None, None),
    }
}

/// The report of `q` (admins).
pub fn report(unit: &dyn Unit, actor: &str, q: &ReportQuery) -> Result<Report> {
    crate::admin::require_admin(unit, actor)?;
    build(unit, q)
}

/// The report of `q`, for whoever may read the whole store (the server's own machine).
pub fn build(unit: &dyn Unit, q: &ReportQuery) -> Result<Report> {
    let start = |d: jiff::civil::Date| -> Result<i64> {
        Ok(d.to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| Error::invalid(e.to_string()))?
            .timestamp()
            .as_second())
    };
    let from = start(q.from)?;
    let to = start(q.to.tomorrow().map_err(|e| Error::invalid(e.to_string()))?)?;
    let key = |at: i64, route: &Option<String>, provider: &Option<String>| -> String {
        match q.group_by {
            GroupBy::Day => day_of(at).to_string(),
            GroupBy::Week => week_of(at),
            GroupBy::Route => route.clone().unwrap_or_else(|| "-".into()),
            GroupBy::Provider => provider.clone().unwrap_or_else(|| "-".into()),
        }
    };
    let mut totals = Tally::default();
    let mut groups: BTreeMap<String, Tally> = BTreeMap::new();
    // Days and weeks with nothing still show, so a chart has every bar.
    if matches!(q.group_by, GroupBy::Day | GroupBy::Week) {
        let mut d = q.from;
        while d <= q.to {
            groups.entry(key(start(d)?, &None, &None)).or_default();
            d = d.tomorrow().map_err(|e| Error::invalid(e.to_string()))?;
        }
    }
    for e in unit.tracking().tracked(from, to)? {
        let route = e.route.clone();
        for t in [
            &mut totals,
            groups.entry(key(e.at, &route, &e.provider)).or_default(),
        ] {
            match e.name.as_str() {
                "search" => t.searches += 1,
                "offer_viewed" => t.views += 1,
                "offer_clicked" => t.clicks += 1,
                "booking_started" => t.started += 1,
                _ => {}
            }
        }
    }
    let mut routes: BTreeMap<String, i64> = BTreeMap::new();
    let mut packages: BTreeMap<String, i64> = BTreeMap::new();
    for b in unit.tracking().booking_facts(from, to)? {
        let (route, package) = booking_route(&b);
        if b.paid {
            if let Some(r) = &route {
                *routes.entry(r.clone()).or_default() += 1;
            }
            if let Some(p) = &package {
                *packages.entry(p.clone()).or_default() += 1;
            }
        }
        let provider = Some(b.provider.clone());
        for t in [
            &mut totals,
            groups
                .entry(key(b.created_at, &route, &provider))
                .or_default(),
        ] {
            t.created += 1;
            if b.paid {
                t.paid += 1;
                *t.revenue.entry(b.currency.clone()).or_default() += b.total;
            }
            if matches!(b.status.as_str(), "CANCELLED" | "REFUNDED") {
                t.cancelled += 1;
            }
            if b.refunded > 0 {
                *t.refunds.entry(b.currency.clone()).or_default() += b.refunded;
            }
        }
    }
    let ranked = |m: BTreeMap<String, i64>| {
        let mut v: Vec<Ranked> = m
            .into_iter()
            .map(|(name, bookings)| Ranked { name, bookings })
            .collect();
        v.sort_by(|a, b| b.bookings.cmp(&a.bookings).then(a.name.cmp(&b.name)));
        v.truncate(10);
        v
    };
    let steps = [
        ("search", totals.searches),
        ("offer_viewed", totals.views),
        ("booking_created", totals.created),
        ("paid", totals.paid),
    ];
    let funnel = steps
        .iter()
        .enumerate()
        .map(|(i, (step, count))| Step {
            step: step.to_string(),
            count: *count,
            rate: (i > 0 && steps[i - 1].1 > 0).then(|| *count as f64 / steps[i - 1].1 as f64),
        })
        .collect();
    Ok(Report {
        from: q.from.to_string(),
        to: q.to.to_string(),
        group_by: q.group_by,
        totals: totals.figures()?,
        funnel,
        groups: groups
            .into_iter()
            .map(|(key, t)| {
                Ok(Group {
                    key,
                    figures: t.figures()?,
                })
            })
            .collect::<Result<_>>()?,
        top_routes: ranked(routes),
        top_packages: ranked(packages),
    })
}

/// The report as CSV: one row per group and currency (a group without money has one row with
/// an empty currency), then the totals as group `TOTAL`.
pub fn to_csv(r: &Report) -> String {
    let mut out = String::from(
        "group,searches,offer_views,offer_clicks,bookings_started,bookings_created,bookings_paid,conversion,cancellations,currency,revenue,average_booking_value,refunds\n",
    );
    let total = Group {
        key: "TOTAL".into(),
        figures: r.totals.clone(),
    };
    for g in r.groups.iter().chain(std::iter::once(&total)) {
        let f = &g.figures;
        let mut currencies: Vec<&String> = f.revenue.keys().chain(f.refunds.keys()).collect();
        currencies.sort();
        currencies.dedup();
        let empty = String::new();
        if currencies.is_empty() {
            currencies.push(&empty);
        }
        for c in currencies {
            let get = |m: &BTreeMap<String, String>| m.get(c).cloned().unwrap_or_default();
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{:.4},{},{},{},{},{}\n",
                csv_field(&g.key),
                f.searches,
                f.offer_views,
                f.offer_clicks,
                f.bookings_started,
                f.bookings_created,
                f.bookings_paid,
                f.conversion,
                f.cancellations,
                c,
                get(&f.revenue),
                get(&f.average_booking_value),
                get(&f.refunds),
            ));
        }
    }
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a line break; a leading `=`, `+`,
/// `-` or `@` is prefixed with `'` so a spreadsheet does not run it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.len() > 1 && s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Business counters for `/metrics`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessCounters {
    /// Paid revenue less refunds: (currency, decimal amount in major units).
    pub revenue: Vec<(String, String)>,
    /// Searches clients reported: (provider, count).
    pub searches: Vec<(String, i64)>,
}

/// The [`BusinessCounters`] of the whole store.
pub fn business_counters(unit: &dyn Unit) -> Result<BusinessCounters> {
    let revenue = unit
        .tracking()
        .revenue_by_currency()?
        .into_iter()
        .map(|(c, v)| {
            let money = crate::model::Money::new(v, crate::model::Currency::parse(&c)?);
            Ok((c, money.decimal()))
        })
        .collect::<Result<_>>()?;
    Ok(BusinessCounters {
        revenue,
        searches: unit.tracking().searches_by_provider()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("LHR-JFK"), "LHR-JFK");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("-"), "-");
    }

    #[test]
    fn a_period_is_checked() {
        let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        assert!(ReportQuery::new(d("2026-11-02"), d("2026-11-01"), GroupBy::Day).is_err());
        assert!(ReportQuery::new(d("2025-01-01"), d("2026-12-31"), GroupBy::Week).is_err());
        assert!(ReportQuery::new(d("2026-11-01"), d("2026-11-30"), GroupBy::Route).is_ok());
        assert!(
            GroupBy::parse("month")
                .unwrap_err()
                .to_string()
                .contains("day, week")
        );
    }
}
