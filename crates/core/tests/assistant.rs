//! The assistant over a real local agency (SQLite file, sandbox market): tools, the
//! confirmation rule for booking and cancelling, and conversations that survive a restart.

mod common;

use booksygo_core::Agency;
use booksygo_core::ai::conversation::{self, Conversation};
use booksygo_core::ai::tools::{Session, Toolbox, specs};
use booksygo_core::ai::{Assistant, Backend};
use serde_json::{Value, json};
use std::sync::Arc;

fn assistant(agency: &booksygo_core::LocalAgency) -> Assistant {
    Assistant {
        agency: Arc::new(agency.clone()),
        today: common::date("2026-11-25"),
        backend: Backend::Offline,
    }
}

async fn say(a: &Assistant, c: &mut Conversation, text: &str) -> booksygo_core::ai::Reply {
    let mut streamed = String::new();
    let reply = a
        .send(c, text, &mut |t: &str| streamed.push_str(t))
        .await
        .unwrap();
    assert_eq!(streamed, reply.reply, "what was streamed is the reply");
    reply
}

#[tokio::test]
async fn the_done_when_request_answers_with_sandbox_offers() {
    let (_dir, agency) = common::agency();
    let a = assistant(&agency);
    let mut c = Conversation::new();
    let r = say(
        &a,
        &mut c,
        "cheapest flight from London to Barcelona next Friday, 2 adults",
    )
    .await;
    assert_eq!(r.tool_calls.len(), 1);
    let call = &r.tool_calls[0];
    assert_eq!(call.name, "search_flights");
    assert!(call.ok, "{}", call.result);
    assert_eq!(
        call.arguments,
        json!({"origin": "LON", "destination": "BCN", "departure_date": "2026-11-27", "adults": 2, "sort": "price"})
    );
    let offers = call.result["offers"].as_array().unwrap();
    assert!(!offers.is_empty());
    // Cheapest first, and the reply shows the real offers with their ids.
    let totals: Vec<f64> = offers
        .iter()
        .map(|o| o["total"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");
    for o in offers {
        assert!(r.reply.contains(o["id"].as_str().unwrap()), "{}", r.reply);
        assert!(r.reply.contains(o["total"].as_str().unwrap()));
    }
    // The same search through the agency finds the same cheapest fare.
    let mut q =
        booksygo_core::search::FlightQuery::one_way("LON", "BCN", common::date("2026-11-27"));
    q.passengers.adults = 2;
    q.sort = booksygo_core::search::FlightSort::Price;
    let direct = agency.search_flights(&q).await.unwrap();
    assert_eq!(direct.offers[0].id, offers[0]["id"].as_str().unwrap());
}

#[tokio::test]
async fn booking_needs_an_explicit_yes_after_the_quote() {
    let (_dir, agency) = common::agency();
    let a = assistant(&agency);
    let mut c = Conversation::new();
    say(&a, &mut c, "flights from Paris to Rome on 14 December").await;
    let quoted = say(
        &a,
        &mut c,
        "book option 1 for Ana Lopez born 1990-04-02, ana@example.com",
    )
    .await;
    assert_eq!(quoted.tool_calls[0].name, "create_booking");
    assert_eq!(
        quoted.tool_calls[0].result["status"], "confirmation_required",
        "{}",
        quoted.tool_calls[0].result
    );
    assert!(quoted.awaiting_confirmation);
    assert!(quoted.reply.contains("Please confirm"), "{}", quoted.reply);
    assert!(agency.list_bookings(None).await.unwrap().is_empty());

    // Something else than a yes books nothing.
    let other = say(&a, &mut c, "hmm, is there wifi on board").await;
    assert!(other.tool_calls.iter().all(|t| t.name != "create_booking"));
    assert!(agency.list_bookings(None).await.unwrap().is_empty());

    let booked = say(&a, &mut c, "yes").await;
    assert_eq!(booked.tool_calls[0].name, "create_booking");
    assert_eq!(
        booked.tool_calls[0].result["status"], "booked",
        "{}",
        booked.tool_calls[0].result
    );
    let list = agency.list_bookings(None).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].passengers[0].family_name, "Lopez");
    assert!(booked.reply.contains(&list[0].id));

    // A second yes does not book twice.
    say(&a, &mut c, "yes").await;
    assert_eq!(agency.list_bookings(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_no_drops_the_quote() {
    let (_dir, agency) = common::agency();
    let a = assistant(&agency);
    let mut c = Conversation::new();
    say(&a, &mut c, "hotels in Rome for 2 nights from 14 December").await;
    say(
        &a,
        &mut c,
        "book option 1 for Ana Lopez born 1990-04-02, ana@example.com",
    )
    .await;
    let no = say(&a, &mut c, "no").await;
    assert!(no.tool_calls.is_empty());
    let late = say(&a, &mut c, "yes").await;
    assert!(late.tool_calls.is_empty(), "{:?}", late.tool_calls);
    assert!(late.reply.contains("nothing waiting"), "{}", late.reply);
    assert!(agency.list_bookings(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_toolbox_refuses_to_book_without_the_persons_yes() {
    let (_dir, agency) = common::agency();
    let tools = Toolbox {
        agency: &agency,
        today: common::date("2026-11-25"),
    };
    let mut s = Session::default();
    let found = tools
        .call(
            &mut s,
            "search_flights",
            &json!({"origin": "LHR", "destination": "JFK", "departure_date": "2026-12-14"}),
        )
        .await
        .unwrap();
    let offer = found["offers"][0]["id"].as_str().unwrap().to_string();
    let args = json!({
        "offer_ids": [offer],
        "passengers": [{"given_name": "Ana", "family_name": "Lopez", "born_on": "1990-04-02"}],
        "contact_email": "ana@example.com"
    });
    let quote = tools.call(&mut s, "create_booking", &args).await.unwrap();
    assert_eq!(quote["status"], "confirmation_required");
    assert_eq!(
        quote["quote"]["total"]["amount"],
        found["offers"][0]["total"]
    );
    let token = quote["confirmation_token"].as_str().unwrap();
    let mut with_token = args.clone();
    with_token["confirmation_token"] = json!(token);

    // A model cannot confirm for the person: in a chat session `user_reply` is not trusted.
    with_token["user_reply"] = json!("yes");
    let e = tools
        .call(&mut s, "create_booking", &with_token)
        .await
        .unwrap_err();
    assert_eq!(e.kind, "confirmation_required");
    // A made-up token, or the token with other arguments, is refused too.
    let mut forged = with_token.clone();
    forged["confirmation_token"] = json!("cfm_0000000000000000");
    assert_eq!(
        tools
            .call(&mut s, "create_booking", &forged)
            .await
            .unwrap_err()
            .kind,
        "confirmation_required"
    );
    s.confirmations.user_said("yes");
    let mut other = with_token.clone();
    other["contact_email"] = json!("eve@example.com");
    assert!(tools.call(&mut s, "create_booking", &other).await.is_err());
    assert!(agency.list_bookings(None).await.unwrap().is_empty());
    let done = tools
        .call(&mut s, "create_booking", &with_token)
        .await
        .unwrap();
    assert_eq!(done["status"], "booked");
    assert_eq!(agency.list_bookings(None).await.unwrap().len(), 1);
}

#[tokio::test]
async fn over_mcp_the_clients_relayed_reply_confirms_and_cancel_waits_for_it() {
    let (_dir, agency) = common::agency();
    let tools = Toolbox {
        agency: &agency,
        today: common::date("2026-11-25"),
    };
    let mut s = Session::for_mcp();
    let found = tools
        .call(
            &mut s,
            "search_hotels",
            &json!({"location": "Paris", "check_in": "2026-12-14", "check_out": "2026-12-16"}),
        )
        .await
        .unwrap();
    let offer = found["offers"][0]["id"].as_str().unwrap();
    let args = json!({
        "offer_ids": [offer],
        "passengers": [{"given_name": "Ana", "family_name": "Lopez", "born_on": "1990-04-02"}],
        "contact_email": "ana@example.com"
    });
    let q = tools.call(&mut s, "create_booking", &args).await.unwrap();
    let mut again = args.clone();
    again["confirmation_token"] = q["confirmation_token"].clone();
    again["user_reply"] = json!("what's the cancellation policy?");
    assert!(tools.call(&mut s, "create_booking", &again).await.is_err());
    again["user_reply"] = json!("yes, book it");
    let booked = tools.call(&mut s, "create_booking", &again).await.unwrap();
    let id = booked["booking_id"].as_str().unwrap().to_string();

    let q = tools
        .call(&mut s, "cancel_booking", &json!({"booking_id": id}))
        .await
        .unwrap();
    assert_eq!(q["status"], "confirmation_required");
    assert_eq!(
        agency.get_booking(&id).await.unwrap().status,
        booksygo_core::booking::BookingStatus::Pending
    );
    let done = tools
        .call(
            &mut s,
            "cancel_booking",
            &json!({"booking_id": id, "confirmation_token": q["confirmation_token"], "user_reply": "yes"}),
        )
        .await
        .unwrap();
    assert_eq!(done["status"], "cancelled");
    assert_eq!(
        agency.get_booking(&id).await.unwrap().status,
        booksygo_core::booking::BookingStatus::Cancelled
    );
}

#[tokio::test]
async fn bad_arguments_are_tool_errors() {
    let (_dir, agency) = common::agency();
    let tools = Toolbox {
        agency: &agency,
        today: common::date("2026-11-25"),
    };
    let mut s = Session::default();
    let cases: &[(&str, Value, &str)] = &[
        (
            "search_flights",
            json!({"origin": "LHR"}),
            "invalid_arguments",
        ),
        (
            "search_flights",
            json!({"origin": "LHR", "destination": "JFK", "departure_date": "14 March"}),
            "invalid_arguments",
        ),
        (
            "search_flights",
            json!({"origin": "LHR", "destination": "JFK", "departure_date": "2026-12-14", "adults": "two"}),
            "invalid_arguments",
        ),
        (
            "search_flights",
            json!({"origin": "LHR", "destination": "JFK", "departure_date": "2026-12-14", "color": "red"}),
            "invalid_arguments",
        ),
        (
            "search_flights",
            json!({"origin": "Atlantis", "destination": "JFK", "departure_date": "2026-12-14"}),
            "invalid_input",
        ),
        (
            "search_flights",
            json!({"origin": "LHR", "destination": "JFK", "departure_date": "2020-01-01"}),
            "invalid_input",
        ),
        (
            "search_hotels",
            json!({"location": "ROM", "check_in": "2026-12-14", "check_out": "2026-12-10"}),
            "invalid_input",
        ),
        ("search_flights", json!("LHR to JFK"), "invalid_arguments"),
        ("get_package", json!({"id": "pkg_nope"}), "not_found"),
        (
            "cancel_booking",
            json!({"booking_id": "bkg_nope"}),
            "not_found",
        ),
        (
            "quote_booking",
            json!({"offer_ids": ["off_never_seen"]}),
            "not_found",
        ),
        ("get_points", json!({"x": 1}), "invalid_arguments"),
        ("book_everything", json!({}), "unknown_tool"),
    ];
    for (tool, args, kind) in cases {
        let e = tools.call(&mut s, tool, args).await.unwrap_err();
        assert_eq!(&e.kind, kind, "{tool} {args}: {}", e.message);
        assert!(!e.message.is_empty());
    }
    // Every tool has a JSON schema for an object; names are unique.
    let all = specs();
    let mut names: Vec<&str> = all.iter().map(|t| t.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), all.len());
    for t in &all {
        assert_eq!(t.parameters["type"], "object", "{}", t.name);
        assert!(!t.description.is_empty());
    }
}

#[tokio::test]
async fn a_conversation_resumes_with_its_pending_quote() {
    let (_dir, agency) = common::agency();
    let a = assistant(&agency);
    let mut c = Conversation::new();
    say(&a, &mut c, "flights from Madrid to Lisbon on 10 December").await;
    say(
        &a,
        &mut c,
        "book the first one for Ana Lopez born 1990-04-02, ana@example.com",
    )
    .await;
    agency
        .store()
        .write(|u| conversation::save(u, "usr_local", &mut c, 1))
        .unwrap();

    // Later, in another process: load the latest conversation and say yes.
    let conn = agency.store().conn().unwrap();
    let id = conversation::latest(&conn, "usr_local").unwrap().unwrap();
    assert_eq!(id, c.id);
    let mut resumed = conversation::load(&conn, "usr_local", &id).unwrap();
    drop(conn);
    assert_eq!(resumed.messages, c.messages);
    assert_eq!(resumed.messages.len(), 4);
    let r = say(&a, &mut resumed, "yes please").await;
    assert_eq!(r.tool_calls[0].result["status"], "booked");
    agency
        .store()
        .write(|u| conversation::save(u, "usr_local", &mut resumed, 2))
        .unwrap();
    let conn = agency.store().conn().unwrap();
    assert_eq!(
        conversation::load(&conn, "usr_local", &id)
            .unwrap()
            .messages
            .len(),
        6
    );
    // Another user cannot read it.
    assert!(conversation::load(&conn, "usr_other", &id).is_err());
    assert_eq!(conversation::list(&conn, "usr_local").unwrap().len(), 1);
}

#[tokio::test]
async fn clarifies_then_searches_and_admits_what_it_did_not_get() {
    let (_dir, agency) = common::agency();
    let a = assistant(&agency);
    let mut c = Conversation::new();
    let q = say(&a, &mut c, "flights to Barcelona next Friday").await;
    assert!(q.tool_calls.is_empty());
    assert!(q.reply.contains("from"), "{}", q.reply);
    let r = say(&a, &mut c, "from London").await;
    assert_eq!(r.tool_calls[0].arguments["origin"], "LON");
    assert_eq!(r.tool_calls[0].arguments["destination"], "BCN");
    let huh = say(&a, &mut c, "sing me a song").await;
    assert!(huh.tool_calls.is_empty());
    assert!(huh.reply.contains("did not understand"), "{}", huh.reply);
}

#[tokio::test]
async fn recommend_plan_and_predict_are_tools_too() {
    let (_dir, agency) = common::agency();
    let tools = Toolbox {
        agency: &agency,
        today: common::date("2026-11-25"),
    };
    let mut s = Session::default();
    let p = tools
        .call(
            &mut s,
            "predict_price",
            &json!({"origin": "LHR", "destination": "JFK", "date": "2027-01-20"}),
        )
        .await
        .unwrap();
    let direct = agency
        .predict(
            "LHR",
            "JFK",
            common::date("2027-01-20"),
            booksygo_core::model::Cabin::Economy,
        )
        .await
        .unwrap();
    assert_eq!(p["current"], serde_json::to_value(direct.current).unwrap());
    assert_eq!(p["advice"], json!(direct.advice));
    let plan = tools
        .call(
            &mut s,
            "plan_itinerary",
            &json!({"destination": "Lisbon", "start": "2027-02-01", "days": 3, "budget": 600}),
        )
        .await
        .unwrap();
    assert!(
        plan["total"]["amount"]
            .as_str()
            .unwrap()
            .parse::<f64>()
            .unwrap()
            <= 600.0
    );
    let recs = tools
        .call(&mut s, "recommend", &json!({"limit": 2}))
        .await
        .unwrap();
    assert_eq!(recs["recommendations"].as_array().unwrap().len(), 2);
    let e = tools
        .call(
            &mut s,
            "plan_itinerary",
            &json!({"destination": "Lisbon", "start": "2027-02-01", "days": 3, "budget": "lots"}),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, "invalid_input");
}
