//! Package recommendations from the traveller's preferences (budget range, travel style,
//! interests, favourite destinations) and booking history, each with a one-line reason.
//! Scores are integers; the same profile and catalogue always give the same list.

use crate::agency::Agency;
use crate::error::Result;
use crate::search::packages::{PackageQuery, PackageSort, PackageSummary};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Recommendation {
    pub package_id: String,
    pub title: String,
    pub destination: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub days: u32,
    pub price_per_person: crate::model::Money,
    /// Out of 10, one decimal.
    #[serde(serialize_with = "one_decimal")]
    pub rating: f32,
    /// The ranking's own number: the list's order says it, so scripts never see it.
    #[serde(skip)]
    #[schemars(skip)]
    pub score: i64,
    /// Why, in one line.
    pub why: String,
}

/// 8.3, not the 8.300000190734863 an f32 widens to.
fn one_decimal<S: serde::Serializer>(r: &f32, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64((f64::from(*r) * 10.0).round() / 10.0)
}

/// Which package type a travel style leans to.
fn style_type(style: &str) -> Option<&'static str> {
    match style.to_lowercase().as_str() {
        "budget" | "backpacker" | "cheap" => Some("budget"),
        "luxury" | "premium" => Some("luxury"),
        "adventure" | "active" => Some("adventure"),
        "culture" | "cultural" | "comfort" => Some("cultural"),
        _ => None,
    }
}

pub async fn recommend(agency: &dyn Agency, limit: usize) -> Result<Vec<Recommendation>> {
    crate::search::check_limit(Some(limit))?;
    let profile = agency.profile().await?;
    let prefs = &profile.preferences;
    let bookings = agency.list_bookings(None).await?;
    let booked: Vec<String> = bookings
        .iter()
        .flat_map(|b| b.items.iter())
        .filter(|i| i.kind == "package")
        .map(|i| i.offer_id.clone())
        .collect();
    let catalogue = agency
        .search_packages(&PackageQuery {
            sort: PackageSort::Rating,
            limit: Some(200),
            ..PackageQuery::default()
        })
        .await?
        .packages;
    // Types of packages already booked: more of what they liked.
    let liked: Vec<String> = catalogue
        .iter()
        .filter(|p| booked.contains(&p.id))
        .map(|p| p.kind.clone())
        .collect();
    let style = prefs.travel_style.as_deref().and_then(style_type);
    let mut out: Vec<Recommendation> = catalogue
        .iter()
        .filter(|p| !booked.contains(&p.id))
        .map(|p| score(p, prefs, style, &liked))
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.package_id.cmp(&b.package_id)));
    out.truncate(limit.clamp(1, 50));
    Ok(out)
}

fn score(
    p: &PackageSummary,
    prefs: &crate::profile::Preferences,
    style: Option<&str>,
    liked: &[String],
) -> Recommendation {
    let mut score = (f64::from(p.rating) * 20.0).round() as i64;
    let mut why: Vec<String> = Vec::new();
    // Budget per trip in whole euros; the package's base price is per person.
    let budget = |euros: u32| crate::model::Money::eur(i64::from(euros) * 100);
    let price = p.base_price;
    if let Some(max) = prefs.budget_max.map(budget) {
        if price.minor <= max.minor {
            score += 40;
            why.push(format!("within your budget ({price} of {max})"));
        } else {
            score -= 60;
            why.push(format!("over your budget ({price} against {max})"));
        }
    }
    if let Some(min) = prefs.budget_min.map(budget)
        && price.minor < min.minor / 2
    {
        score -= 10;
    }
    if style == Some(p.kind.as_str()) {
        score += 30;
        why.push(format!(
            "{} suits your {} style",
            p.kind,
            prefs.travel_style.as_deref().unwrap_or("")
        ));
    }
    let text = format!(
        "{} {} {} {}",
        p.title, p.kind, p.destination_name, p.country
    )
    .to_lowercase();
    let matched: Vec<&String> = prefs
        .interests
        .iter()
        .filter(|i| !i.trim().is_empty() && text.contains(&i.to_lowercase()))
        .collect();
    if !matched.is_empty() {
        score += 25 * matched.len() as i64;
        why.push(format!(
            "matches {}",
            matched
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if prefs.favourite_destinations.iter().any(|d| {
        let d = d.to_lowercase();
        d == p.destination.to_lowercase()
            || d == p.destination_name.to_lowercase()
            || d == p.country.to_lowercase()
    }) {
        score += 35;
        why.push(format!("{} is a favourite of yours", p.destination_name));
    }
    if liked.contains(&p.kind) {
        score += 20;
        why.push(format!("you booked {} trips before", p.kind));
    }
    if why.is_empty() {
        why.push(format!("rated {} by travellers", p.rating));
    }
    Recommendation {
        package_id: p.id.clone(),
        title: p.title.clone(),
        destination: p.destination_name.clone(),
        kind: p.kind.clone(),
        days: p.duration_days,
        price_per_person: p.base_price,
        rating: p.rating,
        score,
        why: why.join("; "),
    }
}
