//! The tool list: each tool's name and description, and the JSON schema of its arguments as
//! derived from the argument struct, in the stable order models and MCP clients see.

use super::args::{
    BookArgs, CalendarArgs, CancelArgs, FlightArgs, HotelArgs, IdArgs, ListArgs, ListLimit, NoArgs,
    PackageArgs, PayArgs, PlanArgs, PredictArgs, QuoteArgs, SuggestArgs, WatchArgs,
};
use super::{Quote, ToolSpec};
use crate::ai::plan::Itinerary;
use crate::ai::predict::Prediction;
use crate::ai::recommend::Recommendation;
use crate::booking::RefundQuote;
use crate::model::watch::Watch;
use crate::model::{Money, PlaceSuggestion};
use crate::points::Balance;
use schemars::generate::SchemaSettings;
use schemars::transform::transform_subschemas;
use schemars::{JsonSchema, Schema};
use serde_json::{Value, json};

/// What a tool does to the world, for MCP clients' annotations.
#[derive(Clone, Copy)]
enum Effect {
    /// Searches and look-ups.
    Reads,
    /// Books or pays: money moves, behind the person's yes.
    Writes,
    /// Cancels: gives something up, behind the person's yes.
    Destroys,
}

/// Every tool, in a stable order.
pub fn specs() -> Vec<ToolSpec> {
    use Effect::*;
    vec![
        spec::<SuggestArgs>(
            "suggest_places",
            "Find airports and cities matching a name or code.",
            Reads,
            obj(
                json!({"places": list(output_of::<PlaceSuggestion>())}),
                &["places"],
            ),
        ),
        spec::<FlightArgs>(
            "search_flights",
            "Search flight offers (one way, or round trip with return_date). Places are airport codes, city codes or names. Times are local with their UTC offset.",
            Reads,
            obj(
                json!({"offers": list(flight_offer()), "warnings": list(json!({"type": "string"}))}),
                &["offers", "warnings"],
            ),
        ),
        spec::<CalendarArgs>(
            "flight_calendar",
            "Cheapest fare per day between two places over a date range (at most 62 days).",
            Reads,
            obj(
                json!({
                    "days": list(obj(json!({"date": date(), "cheapest": nullable(money()), "stops": nullable(json!({"type": "integer"}))}), &["date", "cheapest"])),
                    "cheapest_day": nullable(obj(json!({"date": date(), "cheapest": money()}), &["date", "cheapest"])),
                }),
                &["days", "cheapest_day"],
            ),
        ),
        spec::<HotelArgs>(
            "search_hotels",
            "Search hotel offers in a city (cheapest fitting room per hotel).",
            Reads,
            obj(
                json!({"offers": list(hotel_offer()), "warnings": list(json!({"type": "string"}))}),
                &["offers", "warnings"],
            ),
        ),
        spec::<PackageArgs>(
            "search_packages",
            "Search curated vacation packages by text (themes, regions such as Asia), type, destination (city or country), price per person (EUR), length and month.",
            Reads,
            obj(
                json!({"total": {"type": "integer"}, "packages": list(package())}),
                &["total", "packages"],
            ),
        ),
        spec::<IdArgs>(
            "get_package",
            "A package's details: itinerary, inclusions and departures with prices.",
            Reads,
            obj(
                json!({
                    "id": string(), "title": string(), "type": string(), "destination": string(),
                    "destination_name": string(), "country": string(),
                    "duration_days": {"type": "integer"}, "base_price": money(), "rating": {"type": "number"},
                    "description": string(), "includes": list(string()),
                    "itinerary": list(json!({"type": "object"})),
                    "departures": list(obj(json!({"date": date(), "price": money(), "slots_left": {"type": "integer"}}), &["date", "price"])),
                }),
                &["id", "title", "base_price", "departures"],
            ),
        ),
        spec::<ListLimit>(
            "recommend",
            "Packages ranked for this traveller from their preferences and booking history, each with a one-line reason.",
            Reads,
            obj(
                json!({"recommendations": list(output_of::<Recommendation>())}),
                &["recommendations"],
            ),
        ),
        spec::<PlanArgs>(
            "plan_itinerary",
            "A day-by-day plan (return flight, hotel, activities) that never exceeds the budget; says what was traded off.",
            Reads,
            output_of::<Itinerary>(),
        ),
        spec::<PredictArgs>(
            "predict_price",
            "Book now or wait: today's cheapest one-way fare for a route and date, the expected change if you wait a week, the trend, a confidence and its basis.",
            Reads,
            output_of::<Prediction>(),
        ),
        spec::<WatchArgs>(
            "watch_price",
            "Watch a route's fare for a day: the person is alerted (inbox, e-mail, webhooks) when the cheapest total for the travellers falls below the amount. Returns the watch.",
            Writes,
            output_of::<Watch>(),
        ),
        spec::<NoArgs>(
            "list_watches",
            "The person's price watches: route, day, the amount that alerts, the last price seen and the last alert.",
            Reads,
            obj(json!({"watches": list(output_of::<Watch>())}), &["watches"]),
        ),
        spec::<QuoteArgs>(
            "quote_booking",
            "Price what would be booked: offer ids from this conversation's searches, or a package departure, for a number of travellers.",
            Reads,
            output_of::<Quote>(),
        ),
        spec::<BookArgs>(
            "create_booking",
            "Book offers or a package departure. The first call returns a quote and a confirmation_token and books nothing; show the quote, ask the person, and only after their explicit yes call again with the same arguments plus the token. The booking waits, PENDING, for pay_booking.",
            Writes,
            confirmed(
                &["booked"],
                json!({"quote": output_of::<Quote>(), "booking": booking()}),
            ),
        ),
        spec::<PayArgs>(
            "pay_booking",
            "Pay a PENDING booking by card. The first call returns the amount to charge and a confirmation_token and charges nothing; only after the person's explicit yes call again with the same arguments plus the token.",
            Writes,
            confirmed(
                &["paid", "payment_pending"],
                json!({"amount_due": money(), "booking": booking()}),
            ),
        ),
        spec::<ListArgs>(
            "list_bookings",
            "The person's bookings, newest first, optionally by status.",
            Reads,
            obj(json!({"bookings": list(booking())}), &["bookings"]),
        ),
        spec::<CancelArgs>(
            "cancel_booking",
            "Cancel a booking. The first call returns the refund quote and a confirmation_token and cancels nothing; only after the person's explicit yes call again with the token.",
            Destroys,
            confirmed(
                &["cancelled"],
                json!({"refund_quote": output_of::<RefundQuote>(), "booking": booking(), "refund": money()}),
            ),
        ),
        spec::<NoArgs>(
            "get_points",
            "The person's loyalty points: total, available, level.",
            Reads,
            output_of::<Balance>(),
        ),
    ]
}

fn spec<T: JsonSchema>(
    name: &'static str,
    description: &'static str,
    effect: Effect,
    output: Value,
) -> ToolSpec {
    ToolSpec {
        name,
        description,
        parameters: schema_of::<T>(),
        output,
        read_only: matches!(effect, Effect::Reads),
        destructive: matches!(effect, Effect::Destroys),
        // Searches answer the same for the same arguments; a booking, payment or
        // cancellation is a new quote each first call.
        idempotent: matches!(effect, Effect::Reads),
    }
}

fn obj(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

fn list(items: Value) -> Value {
    json!({"type": "array", "items": items})
}

fn string() -> Value {
    json!({"type": "string"})
}

fn date() -> Value {
    json!({"type": "string", "format": "date"})
}

fn nullable(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

/// `{"amount": "250.00", "currency": "EUR"}`.
fn money() -> Value {
    output_of::<Money>()
}

fn flight_offer() -> Value {
    let slice = obj(
        json!({
            "origin": string(), "destination": string(),
            "departing_at": {"type": "string", "description": "Local time with its UTC offset, 2027-03-14T17:15:00+00:00"},
            "arriving_at": {"type": "string", "description": "Local time with its UTC offset"},
            "duration": {"type": "string", "description": "ISO 8601, PT7H40M"},
            "stops": {"type": "integer"}, "flight_numbers": list(string()),
        }),
        &[
            "origin",
            "destination",
            "departing_at",
            "arriving_at",
            "duration",
            "stops",
        ],
    );
    obj(
        json!({
            "id": string(), "total": money(), "owner": string(), "cabin_class": string(),
            "stops": {"type": "integer"}, "refundable": {"type": "boolean"},
            "available_seats": {"type": "integer"}, "expires_at": string(), "slices": list(slice),
            "ticketing": {"type": "string", "enum": ["single", "interline", "self_transfer"]},
            "warnings": list(string()),
        }),
        &["id", "total", "slices"],
    )
}

fn hotel_offer() -> Value {
    obj(
        json!({
            "id": string(),
            "hotel": obj(json!({"name": string(), "stars": {"type": "integer"}, "rating": {"type": "number"}, "neighbourhood": string(), "amenities": list(string())}), &["name"]),
            "room_name": string(), "check_in_date": date(), "check_out_date": date(),
            "nights": {"type": "integer"}, "guests": {"type": "integer"}, "rooms": {"type": "integer"},
            "total": money(), "nightly": money(), "cancellation": {"type": "object"}, "expires_at": string(),
        }),
        &["id", "hotel", "total", "nightly"],
    )
}

fn package() -> Value {
    obj(
        json!({
            "id": string(), "title": string(), "type": string(), "destination": string(),
            "destination_name": string(), "country": string(), "continent": string(),
            "duration_days": {"type": "integer"}, "base_price": money(), "rating": {"type": "number"},
        }),
        &["id", "title", "base_price"],
    )
}

fn booking() -> Value {
    obj(
        json!({
            "id": string(), "status": string(), "confirmation_code": string(),
            "total": money(), "amount_due": money(), "refunded": money(), "starts_on": date(),
            "items": list(obj(json!({"seq": {"type": "integer"}, "kind": string(), "description": string(), "reference": nullable(string()), "price": money(), "starts_at": string()}), &["kind", "description"])),
            "next_action": nullable(string()),
        }),
        &["id", "status", "total"],
    )
}

/// What a tool behind the confirmation rule returns: first a quote with a token, then, after
/// the person's yes, what was done.
fn confirmed(done: &[&str], extra: Value) -> Value {
    let mut statuses = vec!["confirmation_required"];
    statuses.extend_from_slice(done);
    let mut properties = json!({
        "status": {"type": "string", "enum": statuses},
        "confirmation_token": string(),
        "summary": string(),
        "instructions": string(),
    });
    if let (Some(p), Value::Object(more)) = (properties.as_object_mut(), extra) {
        p.extend(more);
    }
    obj(properties, &["status"])
}

/// The JSON schema of what a tool returns, from the type it serializes: nested types written
/// in place, null kept where a value may be absent.
fn output_of<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.meta_schema = None;
            s.inline_subschemas = true;
        })
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>();
    let root = schema.ensure_object();
    root.remove("title");
    schema.to_value()
}

/// The JSON schema of a tool's arguments, derived from the struct they deserialize into.
///
/// schemars' output is post-processed here, and only here, so that what models and MCP
/// clients receive stays one plain, self-contained object schema:
/// - no `$schema`, `$defs` or `$ref`: nested types (a passenger) are written in place;
/// - no root `title`: it would be the Rust type's name;
/// - `properties` and `required` always present, even empty: some function-calling APIs
///   reject an object schema without `properties`;
/// - and in every subschema, see [`tidy`].
fn schema_of<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.meta_schema = None;
            s.inline_subschemas = true;
        })
        .into_generator();
    let mut schema = generator.into_root_schema_for::<T>();
    tidy(&mut schema);
    let root = schema.ensure_object();
    root.remove("title");
    root.entry("properties").or_insert_with(|| json!({}));
    root.entry("required").or_insert_with(|| json!([]));
    schema.to_value()
}

/// Removes from a schema and its subschemas what schemars adds that these schemas never said:
/// - `null` in `type`: an `Option` argument means "may be left out" (it is then not in
///   `required`); null was never offered;
/// - `format` on integers (`uint8`, `uint32`, `uint`): not JSON Schema formats, and some
///   model APIs reject formats they do not know; the bounds are given as minimum/maximum;
/// - `default`: serde's fill-in for a left-out field (an empty list, none); the defaults
///   that matter (5 results, 1 adult) are applied when the tool runs;
/// - `writeOnly`: schemars' mark for a field serde skips when serializing (the confirmation
///   token and reply, left out of the fingerprint a confirmation is bound to), which says
///   nothing to a caller.
fn tidy(schema: &mut Schema) {
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t.as_str() != Some("null"));
        if types.len() == 1 {
            let only = types.remove(0);
            schema.insert("type".into(), only);
        }
    }
    if schema.get("type").and_then(Value::as_str) == Some("integer") {
        schema.remove("format");
    }
    schema.remove("default");
    schema.remove("writeOnly");
    transform_subschemas(&mut tidy, schema);
}

#[cfg(test)]
mod tests {
    use super::super::ToolError;
    use super::super::args::*;
    use super::*;
    use serde::de::DeserializeOwned;

    /// Deserializes a tool's arguments into its struct, as `Toolbox::call` does.
    fn parse(tool: &str, arguments: &Value) -> Result<(), ToolError> {
        fn into<T: DeserializeOwned>(tool: &str, a: &Value) -> Result<(), ToolError> {
            args::<T>(tool, a).map(drop)
        }
        match tool {
            "suggest_places" => into::<SuggestArgs>(tool, arguments),
            "search_flights" => into::<FlightArgs>(tool, arguments),
            "flight_calendar" => into::<CalendarArgs>(tool, arguments),
            "search_hotels" => into::<HotelArgs>(tool, arguments),
            "search_packages" => into::<PackageArgs>(tool, arguments),
            "get_package" => into::<IdArgs>(tool, arguments),
            "recommend" => into::<ListLimit>(tool, arguments),
            "plan_itinerary" => into::<PlanArgs>(tool, arguments),
            "predict_price" => into::<PredictArgs>(tool, arguments),
            "watch_price" => into::<WatchArgs>(tool, arguments),
            "list_watches" => into::<NoArgs>(tool, arguments),
            "quote_booking" => into::<QuoteArgs>(tool, arguments),
            "create_booking" => into::<BookArgs>(tool, arguments),
            "pay_booking" => into::<PayArgs>(tool, arguments),
            "list_bookings" => into::<ListArgs>(tool, arguments),
            "cancel_booking" => into::<CancelArgs>(tool, arguments),
            "get_points" => into::<NoArgs>(tool, arguments),
            other => panic!("no argument struct for {other}"),
        }
    }

    #[derive(Clone, Copy)]
    enum Pick {
        /// Required properties only, lowest values, first enum member, amounts as text.
        Least,
        /// Every property, highest values, last enum member, amounts as numbers.
        Most,
    }

    /// A value the schema accepts.
    fn sample(schema: &Value, pick: Pick) -> Value {
        if let Some(options) = schema["enum"].as_array() {
            return match pick {
                Pick::Least => options[0].clone(),
                Pick::Most => options[options.len() - 1].clone(),
            };
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            other => panic!("no type in {schema}: {other}"),
        };
        let t = match pick {
            Pick::Least => types[0],
            Pick::Most => types[types.len() - 1],
        };
        match t {
            "string" if schema["format"] == "date" => json!("2027-03-14"),
            "string" => json!("x"),
            "number" => json!(129.5),
            "integer" => match pick {
                Pick::Least => schema["minimum"].clone(),
                Pick::Most => schema.get("maximum").cloned().unwrap_or_else(|| json!(30)),
            },
            "array" => json!([sample(&schema["items"], pick)]),
            "object" => {
                let required = &schema["required"];
                let mut out = serde_json::Map::new();
                for (name, prop) in schema["properties"].as_object().unwrap() {
                    let needed = required
                        .as_array()
                        .is_some_and(|r| r.iter().any(|n| n == name));
                    if needed || matches!(pick, Pick::Most) {
                        out.insert(name.clone(), sample(prop, pick));
                    }
                }
                Value::Object(out)
            }
            other => panic!("unexpected type {other} in {schema}"),
        }
    }

    #[test]
    fn every_schema_is_one_plain_object_schema_whose_required_names_exist() {
        for t in specs() {
            let p = &t.parameters;
            assert_eq!(p["type"], "object", "{}", t.name);
            assert_eq!(p["additionalProperties"], false, "{}", t.name);
            let props = p["properties"].as_object().expect(t.name);
            for r in p["required"].as_array().expect(t.name) {
                let r = r.as_str().expect(t.name);
                assert!(
                    props.contains_key(r),
                    "{}: required {r} is not a property",
                    t.name
                );
            }
            let text = p.to_string();
            for leftover in ["$ref", "$defs", "$schema", "\"null\"", "\"title\"", "uint"] {
                assert!(!text.contains(leftover), "{}: {leftover} in {text}", t.name);
            }
        }
    }

    #[test]
    fn arguments_the_schema_accepts_deserialize_and_others_do_not() {
        for t in specs() {
            for pick in [Pick::Least, Pick::Most] {
                let a = sample(&t.parameters, pick);
                parse(t.name, &a).unwrap_or_else(|e| panic!("{}: {a}: {}", t.name, e.message));
                // additionalProperties: false is deny_unknown_fields.
                let mut extra = a.clone();
                extra["not_an_argument"] = json!(1);
                assert!(parse(t.name, &extra).is_err(), "{}: {extra}", t.name);
            }
            // Every required name is required by the struct too.
            let full = sample(&t.parameters, Pick::Most);
            for r in t.parameters["required"].as_array().unwrap() {
                let mut a = full.clone();
                a.as_object_mut().unwrap().remove(r.as_str().unwrap());
                assert!(parse(t.name, &a).is_err(), "{}: {a} lacks {r}", t.name);
            }
        }
        assert!(parse("get_points", &Value::Null).is_ok());
    }

    #[test]
    fn the_booking_schema_is_the_one_models_have_always_seen() {
        let book = specs().into_iter().find(|t| t.name == "create_booking");
        let date = |what: &str| json!({"type": "string", "format": "date", "description": format!("{what} (YYYY-MM-DD)")});
        assert_eq!(
            book.unwrap().parameters,
            json!({
                "type": "object",
                "properties": {
                    "offer_ids": {"type": "array", "items": {"type": "string"}},
                    "package_id": {"type": "string"},
                    "date": date("Package departure"),
                    "passengers": {"type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "given_name": {"type": "string"},
                            "family_name": {"type": "string"},
                            "born_on": date("Date of birth"),
                            "type": {"type": "string", "enum": ["adult", "child", "infant"]}
                        },
                        "required": ["given_name", "family_name", "born_on"]
                    }},
                    "contact_email": {"type": "string"},
                    "contact_phone": {"type": "string", "description": "International form (+44...); some airlines need it"},
                    "confirmation_token": {"type": "string", "description": "The token from the quote, only after the person said yes"},
                    "user_reply": {"type": "string", "description": "MCP only: the person's own reply to the quote, verbatim"}
                },
                "required": ["passengers", "contact_email"],
                "additionalProperties": false,
            })
        );
    }
}
