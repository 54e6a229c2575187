//! Running a tool by name: argument checking, then the searches, look-ups and listings
//! (bookings and cancellations are in `booking`).

use super::args::{
    CalendarArgs, FlightArgs, HotelArgs, IdArgs, ListArgs, ListLimit, PackageArgs, PlanArgs,
    PredictArgs, QuoteArgs, SuggestArgs, WatchArgs, args, cabin, currency, no_args,
};
use super::render::{flight_description, flight_summary, hotel_summary, package_summary, rating};
use super::{LastSearch, SeenOffer, Session, ToolError, Toolbox, specs};
use crate::agency::CalendarQuery;
use crate::ai::{plan, predict, recommend};
use crate::booking::BookingStatus;
use crate::model::Passengers;
use crate::model::watch::NewWatch;
use crate::search::packages::{PackageQuery, PackageSort};
use crate::search::{FlightQuery, FlightSort, HotelQuery, HotelSort, SliceQuery};
use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::{Value, json};

impl Toolbox<'_> {
    /// Runs a tool. Errors are values for the caller (a model) to read.
    pub async fn call(
        &self,
        session: &mut Session,
        name: &str,
        arguments: &Value,
    ) -> Result<Value, ToolError> {
        if !arguments.is_object() && !arguments.is_null() {
            return Err(ToolError::invalid(format!(
                "{name}: arguments must be a JSON object"
            )));
        }
        match name {
            "suggest_places" => {
                let a: SuggestArgs = args(name, arguments)?;
                let found = self
                    .agency
                    .suggest_places(&a.query, a.limit.unwrap_or(5).clamp(1, 20))
                    .await?;
                Ok(json!({ "places": found }))
            }
            "search_flights" | "search_hotels" | "search_packages" | "flight_calendar" => {
                let found = match name {
                    "search_flights" => {
                        self.search_flights(session, args(name, arguments)?).await?
                    }
                    "search_hotels" => self.search_hotels(session, args(name, arguments)?).await?,
                    "search_packages" => self.search_packages(args(name, arguments)?).await?,
                    _ => self.calendar(args(name, arguments)?).await?,
                };
                let ids = ["offers", "packages"]
                    .iter()
                    .filter_map(|k| found[*k].as_array())
                    .flatten()
                    .filter_map(|o| o["id"].as_str().map(String::from))
                    .collect();
                session.last_search = Some(LastSearch {
                    tool: name.to_string(),
                    arguments: if arguments.is_null() {
                        json!({})
                    } else {
                        arguments.clone()
                    },
                    ids,
                });
                Ok(found)
            }
            "get_package" => {
                let a: IdArgs = args(name, arguments)?;
                let p = self.agency.get_package(&a.id).await?;
                let departures: Vec<Value> = p
                    .departures
                    .iter()
                    .filter(|d| d.slots_left > 0)
                    .take(12)
                    .map(|d| json!({"date": d.date, "price": d.price, "slots_left": d.slots_left}))
                    .collect();
                Ok(json!({
                    "id": p.summary.id,
                    "title": p.summary.title,
                    "type": p.summary.kind,
                    "destination": p.summary.destination,
                    "destination_name": p.summary.destination_name,
                    "country": p.summary.country,
                    "duration_days": p.summary.duration_days,
                    "base_price": p.summary.base_price,
                    "rating": rating(p.summary.rating),
                    "description": p.description,
                    "includes": p.includes,
                    "itinerary": p.itinerary.iter().map(|d| json!({"day": d.day, "title": d.title, "activities": d.activities})).collect::<Vec<_>>(),
                    "departures": departures,
                }))
            }
            "quote_booking" => {
                let a: QuoteArgs = args(name, arguments)?;
                let q = self
                    .quote(
                        session,
                        &a.offer_ids,
                        a.package_id.as_deref(),
                        a.date,
                        a.travellers,
                    )
                    .await?;
                Ok(serde_json::to_value(q)?)
            }
            "create_booking" => self.create_booking(session, args(name, arguments)?).await,
            "pay_booking" => self.pay_booking(session, args(name, arguments)?).await,
            "predict_price" => {
                let a: PredictArgs = args(name, arguments)?;
                let p = predict::forecast(
                    self.agency,
                    &a.origin,
                    &a.destination,
                    a.date,
                    cabin(&a.cabin)?,
                    self.today,
                    |_, _| Ok(Vec::new()),
                )
                .await?;
                Ok(serde_json::to_value(p)?)
            }
            "watch_price" => {
                let a: WatchArgs = args(name, arguments)?;
                let below = a.below.money(currency(&a.currency)?)?;
                let watch = self
                    .agency
                    .add_watch(&NewWatch {
                        origin: a.origin,
                        destination: a.destination,
                        date: a.date,
                        below,
                        adults: a.adults.unwrap_or(1),
                        cabin: cabin(&a.cabin)?,
                    })
                    .await?;
                Ok(serde_json::to_value(watch)?)
            }
            "list_watches" => {
                no_args(name, arguments)?;
                Ok(json!({ "watches": self.agency.watches().await? }))
            }
            "recommend" => {
                let a: ListLimit = args(name, arguments)?;
                let list = recommend::recommend(self.agency, a.limit.unwrap_or(5)).await?;
                Ok(json!({ "recommendations": list }))
            }
            "plan_itinerary" => {
                let a: PlanArgs = args(name, arguments)?;
                let cur = currency(&a.currency)?;
                let req = plan::PlanRequest {
                    origin: a.origin,
                    destination: a.destination,
                    start: a.start,
                    days: a.days,
                    budget: a.budget.money(cur)?,
                    travellers: a.travellers.unwrap_or(1),
                    interests: a.interests,
                };
                Ok(serde_json::to_value(plan::plan(self.agency, &req).await?)?)
            }
            "list_bookings" => {
                let a: ListArgs = args(name, arguments)?;
                let status = a.status.as_deref().map(BookingStatus::parse).transpose()?;
                let list = self.agency.list_bookings(status).await?;
                let rows: Vec<Value> = list
                    .iter()
                    .map(|b| {
                        json!({
                            "id": b.id,
                            "confirmation_code": b.confirmation_code,
                            "status": b.status,
                            "total": b.total,
                            "amount_due": b.amount_due,
                            "starts_on": b.starts_on,
                            "items": super::booking::items(b),
                        })
                    })
                    .collect();
                Ok(json!({ "bookings": rows }))
            }
            "cancel_booking" => self.cancel_booking(session, args(name, arguments)?).await,
            "get_points" => {
                no_args(name, arguments)?;
                Ok(serde_json::to_value(self.agency.points().await?)?)
            }
            other => Err(ToolError {
                code: "unknown_tool".into(),
                message: format!("no tool named '{other}'"),
                suggestions: specs().iter().map(|s| s.name.to_string()).collect(),
            }),
        }
    }

    async fn search_flights(
        &self,
        session: &mut Session,
        a: FlightArgs,
    ) -> Result<Value, ToolError> {
        let cur = currency(&a.currency)?;
        let mut q = FlightQuery::one_way(&a.origin, &a.destination, a.departure_date);
        if let Some(back) = a.return_date {
            if back < a.departure_date {
                return Err(ToolError::invalid(format!(
                    "return_date {back} is before departure_date {}",
                    a.departure_date
                )));
            }
            q.slices.push(SliceQuery {
                origin: a.destination.clone(),
                destination: a.origin.clone(),
                departure_date: back,
            });
        }
        q.passengers = Passengers {
            adults: a.adults.unwrap_or(1),
            children: a.children.unwrap_or(0),
            infants: a.infants.unwrap_or(0),
        };
        q.cabin = cabin(&a.cabin)?;
        q.max_stops = a.max_stops;
        q.currency = cur;
        if let Some(p) = &a.max_price {
            q.filters.max_price = Some(p.money(cur)?);
        }
        q.sort = a
            .sort
            .as_deref()
            .map(FlightSort::parse)
            .transpose()?
            .unwrap_or_default();
        q.limit = Some(a.limit.unwrap_or(5).clamp(1, 20));
        let found = self.agency.search_flights(&q).await?;
        session.last_results.clear();
        for o in &found.offers {
            session.see(
                &o.id,
                SeenOffer {
                    kind: "flight".into(),
                    description: flight_description(o),
                    total: o.total(),
                    travellers: o.passengers.len() as u32,
                },
            );
            session.last_results.push(o.id.clone());
        }
        Ok(json!({
            "offers": found.offers.iter().map(flight_summary).collect::<Vec<_>>(),
            "warnings": found.warnings,
        }))
    }

    async fn calendar(&self, a: CalendarArgs) -> Result<Value, ToolError> {
        if a.to < a.from {
            return Err(ToolError::invalid(format!(
                "'to' {} is before 'from' {}",
                a.to, a.from
            )));
        }
        let mut dates = Vec::new();
        let mut d = a.from;
        while d <= a.to && dates.len() <= 62 {
            dates.push(d);
            d = d
                .checked_add(1.day())
                .map_err(|e| ToolError::invalid(e.to_string()))?;
        }
        let q = CalendarQuery {
            origin: a.origin,
            destination: a.destination,
            dates,
            passengers: Passengers {
                adults: a.adults.unwrap_or(1),
                ..Passengers::default()
            },
            cabin: cabin(&a.cabin)?,
            currency: currency(&a.currency)?,
        };
        let days = self.agency.flight_calendar(&q).await?;
        let cheapest = days
            .iter()
            .filter_map(|d| d.cheapest.map(|m| (d.date, m)))
            .min_by_key(|(_, m)| m.minor);
        Ok(json!({
            "days": days.iter().map(|d| json!({"date": d.date, "cheapest": d.cheapest, "stops": d.stops})).collect::<Vec<_>>(),
            "cheapest_day": cheapest.map(|(d, m)| json!({"date": d, "cheapest": m})),
        }))
    }

    async fn search_hotels(&self, session: &mut Session, a: HotelArgs) -> Result<Value, ToolError> {
        let cur = currency(&a.currency)?;
        let mut q = HotelQuery::new(&a.location, a.check_in, a.check_out);
        q.guests = a.guests.unwrap_or(1);
        q.rooms = a.rooms.unwrap_or(1);
        q.min_stars = a.min_stars;
        q.amenities = a.amenities;
        q.currency = cur;
        if let Some(p) = &a.max_nightly {
            q.max_nightly = Some(p.money(cur)?);
        }
        q.sort = a
            .sort
            .as_deref()
            .map(HotelSort::parse)
            .transpose()?
            .unwrap_or_default();
        q.limit = Some(a.limit.unwrap_or(5).clamp(1, 20));
        let found = self.agency.search_hotels(&q).await?;
        session.last_results.clear();
        for o in &found.offers {
            session.see(
                &o.id,
                SeenOffer {
                    kind: "hotel".into(),
                    description: format!(
                        "hotel {} {}, {} to {}",
                        o.hotel.name, o.room_name, o.check_in_date, o.check_out_date
                    ),
                    total: o.total(),
                    travellers: o.guests,
                },
            );
            session.last_results.push(o.id.clone());
        }
        Ok(json!({
            "offers": found.offers.iter().map(hotel_summary).collect::<Vec<_>>(),
            "warnings": found.warnings,
        }))
    }

    async fn search_packages(&self, a: PackageArgs) -> Result<Value, ToolError> {
        let month = match &a.month {
            Some(m) => {
                let bad = || ToolError::invalid(format!("month '{m}': use YYYY-MM"));
                let (y, mo) = m.split_once('-').ok_or_else(bad)?;
                Some(
                    Date::new(
                        y.parse().map_err(|_| bad())?,
                        mo.parse().map_err(|_| bad())?,
                        1,
                    )
                    .map_err(|_| bad())?,
                )
            }
            None => None,
        };
        let q = PackageQuery {
            text: a.text,
            kind: a.kind,
            destination: a.destination,
            max_price: a.max_price.as_ref().map(|p| p.money(None)).transpose()?,
            min_days: a.min_days,
            max_days: a.max_days,
            month,
            sort: a
                .sort
                .as_deref()
                .map(PackageSort::parse)
                .transpose()?
                .unwrap_or_default(),
            limit: Some(a.limit.unwrap_or(5).clamp(1, 20)),
            ..PackageQuery::default()
        };
        let found = self.agency.search_packages(&q).await?;
        Ok(json!({
            "total": found.total,
            "packages": found.packages.iter().map(package_summary).collect::<Vec<_>>(),
        }))
    }
}
