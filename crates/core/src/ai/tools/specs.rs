//! The tool list: each tool's name, description and JSON schema of its arguments, in the
//! stable order models and MCP clients see.

use super::ToolSpec;
use serde_json::{Value, json};

fn schema(props: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}

fn date_prop(what: &str) -> Value {
    json!({"type": "string", "format": "date", "description": format!("{what} (YYYY-MM-DD)")})
}

fn money_prop(what: &str) -> Value {
    json!({"type": ["string", "number"], "description": format!("{what}, a decimal amount such as \"300\" or \"129.50\"")})
}

/// Every tool, in a stable order.
pub fn specs() -> Vec<ToolSpec> {
    let currency = json!({"type": "string", "description": "ISO 4217 code such as EUR, USD, GBP"});
    let confirm_props = |extra: Value| {
        let mut p = extra;
        p["confirmation_token"] = json!({"type": "string", "description": "The token from the quote, only after the person said yes"});
        p["user_reply"] = json!({"type": "string", "description": "MCP only: the person's own reply to the quote, verbatim"});
        p
    };
    vec![
        ToolSpec {
            name: "suggest_places",
            description: "Find airports and cities matching a name or code.",
            parameters: schema(
                json!({"query": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 20}}),
                &["query"],
            ),
        },
        ToolSpec {
            name: "search_flights",
            description: "Search flight offers (one way, or round trip with return_date). Places are airport codes, city codes or names.",
            parameters: schema(
                json!({
                    "origin": {"type": "string"},
                    "destination": {"type": "string"},
                    "departure_date": date_prop("Departure date"),
                    "return_date": date_prop("Return date for a round trip"),
                    "adults": {"type": "integer", "minimum": 1, "maximum": 9},
                    "children": {"type": "integer", "minimum": 0, "maximum": 8},
                    "infants": {"type": "integer", "minimum": 0, "maximum": 4},
                    "cabin": {"type": "string", "enum": ["economy", "premium_economy", "business", "first"]},
                    "max_stops": {"type": "integer", "minimum": 0, "maximum": 2},
                    "max_price": money_prop("Highest total price"),
                    "currency": currency,
                    "sort": {"type": "string", "enum": ["best", "price", "duration", "departure", "arrival"]},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 20}
                }),
                &["origin", "destination", "departure_date"],
            ),
        },
        ToolSpec {
            name: "flight_calendar",
            description: "Cheapest fare per day between two places over a date range (at most 62 days).",
            parameters: schema(
                json!({
                    "origin": {"type": "string"},
                    "destination": {"type": "string"},
                    "from": date_prop("First day"),
                    "to": date_prop("Last day"),
                    "adults": {"type": "integer", "minimum": 1, "maximum": 9},
                    "cabin": {"type": "string", "enum": ["economy", "premium_economy", "business", "first"]},
                    "currency": currency
                }),
                &["origin", "destination", "from", "to"],
            ),
        },
        ToolSpec {
            name: "search_hotels",
            description: "Search hotel offers in a city (cheapest fitting room per hotel).",
            parameters: schema(
                json!({
                    "location": {"type": "string"},
                    "check_in": date_prop("Check-in"),
                    "check_out": date_prop("Check-out"),
                    "guests": {"type": "integer", "minimum": 1, "maximum": 9},
                    "rooms": {"type": "integer", "minimum": 1, "maximum": 9},
                    "min_stars": {"type": "integer", "minimum": 1, "maximum": 5},
                    "max_nightly": money_prop("Highest average nightly price"),
                    "amenities": {"type": "array", "items": {"type": "string"}},
                    "currency": currency,
                    "sort": {"type": "string", "enum": ["price", "rating", "stars", "distance"]},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 20}
                }),
                &["location", "check_in", "check_out"],
            ),
        },
        ToolSpec {
            name: "search_packages",
            description: "Search curated vacation packages by text, type, destination, price per person (EUR), length and month.",
            parameters: schema(
                json!({
                    "text": {"type": "string"},
                    "type": {"type": "string", "description": "beach, city, adventure, cultural, ..."},
                    "destination": {"type": "string", "description": "City or country, name or code"},
                    "max_price": money_prop("Highest price per person in EUR"),
                    "min_days": {"type": "integer", "minimum": 1},
                    "max_days": {"type": "integer", "minimum": 1},
                    "month": {"type": "string", "description": "YYYY-MM: a departure in this month"},
                    "sort": {"type": "string", "enum": ["relevance", "price", "rating", "duration"]},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 20}
                }),
                &[],
            ),
        },
        ToolSpec {
            name: "get_package",
            description: "A package's details: itinerary, inclusions and departures with prices.",
            parameters: schema(json!({"id": {"type": "string"}}), &["id"]),
        },
        ToolSpec {
            name: "recommend",
            description: "Packages ranked for this traveller from their preferences and booking history, each with a one-line reason.",
            parameters: schema(
                json!({"limit": {"type": "integer", "minimum": 1, "maximum": 20}}),
                &[],
            ),
        },
        ToolSpec {
            name: "plan_itinerary",
            description: "A day-by-day plan (return flight, hotel, activities) that never exceeds the budget; says what was traded off.",
            parameters: schema(
                json!({
                    "origin": {"type": "string", "description": "Where from; omit to plan the stay only"},
                    "destination": {"type": "string"},
                    "start": date_prop("First day"),
                    "days": {"type": "integer", "minimum": 2, "maximum": 21},
                    "budget": money_prop("Total budget for everything planned"),
                    "currency": currency.clone(),
                    "travellers": {"type": "integer", "minimum": 1, "maximum": 9},
                    "interests": {"type": "array", "items": {"type": "string"}}
                }),
                &["destination", "start", "days", "budget"],
            ),
        },
        ToolSpec {
            name: "predict_price",
            description: "Book now or wait: today's cheapest one-way fare for a route and date, the expected change if you wait a week, the trend, a confidence and its basis.",
            parameters: schema(
                json!({
                    "origin": {"type": "string"},
                    "destination": {"type": "string"},
                    "date": date_prop("Departure date"),
                    "cabin": {"type": "string", "enum": ["economy", "premium_economy", "business", "first"]}
                }),
                &["origin", "destination", "date"],
            ),
        },
        ToolSpec {
            name: "quote_booking",
            description: "Price what would be booked: offer ids from this conversation's searches, or a package departure, for a number of travellers.",
            parameters: schema(
                json!({
                    "offer_ids": {"type": "array", "items": {"type": "string"}},
                    "package_id": {"type": "string"},
                    "date": date_prop("Package departure"),
                    "travellers": {"type": "integer", "minimum": 1, "maximum": 9}
                }),
                &[],
            ),
        },
        ToolSpec {
            name: "create_booking",
            description: "Book offers or a package departure. The first call returns a quote and a confirmation_token and books nothing; show the quote, ask the person, and only after their explicit yes call again with the same arguments plus the token.",
            parameters: schema(
                confirm_props(json!({
                    "offer_ids": {"type": "array", "items": {"type": "string"}},
                    "package_id": {"type": "string"},
                    "date": date_prop("Package departure"),
                    "passengers": {"type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "given_name": {"type": "string"},
                            "family_name": {"type": "string"},
                            "born_on": date_prop("Date of birth"),
                            "type": {"type": "string", "enum": ["adult", "child", "infant"]}
                        },
                        "required": ["given_name", "family_name", "born_on"]
                    }},
                    "contact_email": {"type": "string"},
                    "contact_phone": {"type": "string", "description": "International form (+44...); some airlines need it"}
                })),
                &["passengers", "contact_email"],
            ),
        },
        ToolSpec {
            name: "list_bookings",
            description: "The person's bookings, newest first, optionally by status.",
            parameters: schema(
                json!({"status": {"type": "string", "enum": ["PENDING", "PAYMENT_PROCESSING", "CONFIRMED", "COMPLETED", "CANCELLED", "REFUNDED"]}}),
                &[],
            ),
        },
        ToolSpec {
            name: "cancel_booking",
            description: "Cancel a booking. The first call returns the refund quote and a confirmation_token and cancels nothing; only after the person's explicit yes call again with the token.",
            parameters: schema(
                confirm_props(
                    json!({"booking_id": {"type": "string", "description": "Booking id (bkg_...) or confirmation code"}}),
                ),
                &["booking_id"],
            ),
        },
        ToolSpec {
            name: "get_points",
            description: "The person's loyalty points: total, available, level.",
            parameters: schema(json!({}), &[]),
        },
    ]
}
