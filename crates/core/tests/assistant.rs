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
        .map(|o| o["total"]["amount"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");
    for o in offers {
        assert!(r.reply.contains(o["id"].as_str().unwrap()), "{}", r.reply);
        assert!(r.reply.contains(o["total"]["amount"].as_str().unwrap()));
        // Money as everywhere: a decimal string and an ISO code.
        assert_eq!(o["total"]["currency"], "EUR");
        // Times as `flights search --json` prints them: local, with the UTC offset.
        let dep = o["slices"][0]["departing_at"].as_str().unwrap();
        assert!(
            dep.len() == 25 && dep.as_bytes()[10] == b'T' && dep[19..].starts_with(['+', '-']),
            "{dep}"
        );
        assert!(
            o["slices"][0]["duration"]
                .as_str()
                .unwrap()
                .starts_with("PT")
        );
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
    assert_eq!(quote["quote"]["total"], found["offers"][0]["total"]);
    let token = quote["confirmation_token"].as_str().unwrap();
    let mut with_token = args.clone();
    with_token["confirmation_token"] = json!(token);

    // A model cannot confirm for the person: in a chat session `user_reply` is not trusted.
    with_token["user_reply"] = json!("yes");
    let e = tools
        .call(&mut s, "create_booking", &with_token)
        .await
        .unwrap_err();
    assert_eq!(e.code, "confirmation_required");
    // A made-up token, or the token with other arguments, is refused too.
    let mut forged = with_token.clone();
    forged["confirmation_token"] = json!("cfm_0000000000000000");
    assert_eq!(
        tools
            .call(&mut s, "create_booking", &forged)
            .await
            .unwrap_err()
            .code,
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
    // Replies that are not a clear yes book nothing, and leave the quote pending: the same
    // token still works once the person does say yes.
    for unclear in [
        "what's the cancellation policy?",
        "hmm, maybe",
        "I'm not sure",
    ] {
        again["user_reply"] = json!(unclear);
        let e = tools
            .call(&mut s, "create_booking", &again)
            .await
            .unwrap_err();
        assert_eq!(e.code, "confirmation_required", "{unclear}: {}", e.message);
    }
    assert!(agency.list_bookings(None).await.unwrap().is_empty());
    again["user_reply"] = json!("sure, why not");
    let booked = tools.call(&mut s, "create_booking", &again).await.unwrap();
    assert_eq!(booked["status"], "booked");
    let id = booked["booking"]["id"].as_str().unwrap().to_string();

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
        assert_eq!(&e.code, kind, "{tool} {args}: {}", e.message);
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
    assert_eq!(e.code, "invalid_input");
}

#[test]
fn card_numbers_are_redacted_from_what_is_kept() {
    use booksygo_core::ai::redact_card_numbers as r;
    assert_eq!(
        r("pay with card 4242 4242 4242 4242 expiring 12/30"),
        "pay with card **** 4242 expiring 12/30"
    );
    assert_eq!(r("card 4242-4242-4242-4242."), "card **** 4242.");
    assert_eq!(r("4000000000000002"), "**** 0002");
    // Dates, amounts, ids and short numbers stay.
    for kept in [
        "flights on 2027-03-14 for 2 adults under 1500 euros",
        "call +44 20 7946 0958",
        "bkg_b67501dbc04afeb0 and off_338be4bc8d599062",
        "",
    ] {
        assert_eq!(r(kept), kept);
    }
}

/// Every rating in a reply and a tool result is written as people write it (8.3), never as
/// an f32 widened to f64 (8.300000190734863).
fn no_float_noise(text: &str) {
    let noisy = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .any(|n| n.split_once('.').is_some_and(|(_, f)| f.len() > 4));
    assert!(!noisy, "float noise in {text}");
}

#[tokio::test]
async fn the_requests_of_issue_15_get_the_answer_they_asked_for() {
    let (_dir, agency) = common::agency();
    let a = assistant(&agency);
    let mut c = Conversation::new();
    // Seven nights, and the nightly limit kept and said.
    let r = say(
        &a,
        &mut c,
        "hotels in Lisbon with a pool for 7 nights from 10 July under 200 a night",
    )
    .await;
    let call = &r.tool_calls[0];
    assert_eq!(call.arguments["check_out"], "2027-07-17");
    assert!(r.reply.contains("(7 nights)"), "{}", r.reply);
    assert!(r.reply.contains("under 200 a night"), "{}", r.reply);
    for o in call.result["offers"].as_array().unwrap() {
        assert_eq!(o["nights"], 7);
        let nightly: f64 = o["nightly"]["amount"].as_str().unwrap().parse().unwrap();
        assert!(nightly <= 200.0, "{o}");
    }
    no_float_noise(&r.reply);
    no_float_noise(&call.result.to_string());
    // A prediction, not a flight list.
    let r = say(
        &a,
        &mut c,
        "will prices drop for London to New York on 14 March?",
    )
    .await;
    assert_eq!(r.tool_calls[0].name, "predict_price");
    assert!(r.tool_calls[0].ok, "{}", r.tool_calls[0].result);
    assert!(r.reply.contains("Advice:"), "{}", r.reply);
    // Adventure packages in Asia: Bali, Vietnam and Everest among them.
    let r = say(&a, &mut c, "adventure packages in Asia").await;
    let ids: Vec<&str> = r.tool_calls[0].result["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    for id in [
        "pkg_bali_volcano_reefs_7d",
        "pkg_northern_vietnam_trek_10d",
        "pkg_everest_base_camp_trek_14d",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    no_float_noise(&r.reply);
    // Recommendations and plans are understood.
    let r = say(&a, &mut c, "recommend a destination").await;
    assert_eq!(r.tool_calls[0].name, "recommend");
    no_float_noise(&r.tool_calls[0].result.to_string());
    let r = say(&a, &mut c, "plan 4 days in Rome under 1500 euros").await;
    assert!(r.tool_calls.is_empty());
    assert_eq!(r.asking.as_deref(), Some("date"), "{}", r.reply);
    let r = say(&a, &mut c, "from 10 March").await;
    let plan = &r.tool_calls[0];
    assert_eq!(plan.name, "plan_itinerary");
    assert!(plan.ok, "{}", plan.result);
    assert!(plan.result["hotel"]["price"]["amount"].is_string());
    assert!(plan.result["hotel"].get("quality").is_none());
}

#[tokio::test]
async fn a_chat_books_pays_and_cancels_only_on_a_clear_yes() {
    let (_dir, agency) = common::agency();
    let a = assistant(&agency);
    let mut c = Conversation::new();
    say(
        &a,
        &mut c,
        "flights from London to Barcelona on 11 December, 2 adults",
    )
    .await;
    // One traveller of two: one precise question, and the answer completes the booking.
    let q = say(
        &a,
        &mut c,
        "book option 1 for Ana Lopez born 1990-04-02, ana@example.com",
    )
    .await;
    assert!(q.tool_calls.is_empty());
    assert_eq!(q.asking.as_deref(), Some("travellers"));
    assert!(q.reply.contains("who else"), "{}", q.reply);
    let quote = say(&a, &mut c, "and Luis Lopez born 1988-07-15").await;
    assert_eq!(
        quote.tool_calls[0].result["status"],
        "confirmation_required"
    );
    assert!(quote.awaiting_confirmation);
    // An unclear reply leaves the quote pending and says so.
    let unclear = say(&a, &mut c, "hmm, maybe").await;
    assert!(unclear.tool_calls.is_empty());
    assert!(unclear.awaiting_confirmation);
    assert!(unclear.reply.contains("still waiting"), "{}", unclear.reply);
    assert!(agency.list_bookings(None).await.unwrap().is_empty());
    let booked = say(&a, &mut c, "sure, why not").await;
    assert_eq!(booked.tool_calls[0].result["status"], "booked");
    let id = booked.tool_calls[0].result["booking"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Paying: quoted first, charged on yes.
    let pay = say(
        &a,
        &mut c,
        "pay for it with card 4242 4242 4242 4242 expiring 12/30",
    )
    .await;
    assert_eq!(pay.tool_calls[0].result["status"], "confirmation_required");
    assert!(
        !serde_json::to_string(&c.session)
            .unwrap()
            .contains("4242424242424242")
    );
    let paid = say(&a, &mut c, "yes").await;
    assert_eq!(
        paid.tool_calls[0].result["status"], "paid",
        "{}",
        paid.reply
    );
    assert_eq!(
        agency.get_booking(&id).await.unwrap().status,
        booksygo_core::booking::BookingStatus::Confirmed
    );
    let mine = say(&a, &mut c, "my bookings").await;
    assert!(mine.reply.contains(&id), "{}", mine.reply);
    assert!(mine.reply.contains("CONFIRMED"), "{}", mine.reply);
    assert!(mine.reply.contains("BCN"), "{}", mine.reply);
    let row = &mine.tool_calls[0].result["bookings"][0];
    assert_eq!(row["items"][0]["kind"], "flight");
    assert!(row["total"]["amount"].is_string());
    // "my last booking" is the one just made; "no" keeps it.
    let cancel = say(&a, &mut c, "cancel my last booking").await;
    assert_eq!(cancel.tool_calls[0].arguments["booking_id"], json!(id));
    let kept = say(&a, &mut c, "no").await;
    assert!(kept.tool_calls.is_empty());
    assert!(!kept.awaiting_confirmation);
    assert_eq!(
        agency.get_booking(&id).await.unwrap().status,
        booksygo_core::booking::BookingStatus::Confirmed
    );
}

#[tokio::test]
async fn a_payment_resumed_later_asks_for_the_card_again() {
    let (_dir, agency) = common::agency();
    let a = assistant(&agency);
    let mut c = Conversation::new();
    say(&a, &mut c, "flights from Madrid to Paris on 15 January").await;
    say(
        &a,
        &mut c,
        "book option 1 for Ana Lopez born 1990-04-02, ana@example.com",
    )
    .await;
    say(&a, &mut c, "yes").await;
    say(
        &a,
        &mut c,
        "pay it with card 4242424242424242 expiring 12/30",
    )
    .await;
    // As `chat --continue` does: the conversation is saved and read back.
    let saved = serde_json::to_string(&c.session).unwrap();
    c.session = serde_json::from_str(&saved).unwrap();
    let r = say(&a, &mut c, "yes").await;
    assert!(r.tool_calls.is_empty());
    assert!(r.reply.contains("say the card again"), "{}", r.reply);
    let list = agency.list_bookings(None).await.unwrap();
    assert_eq!(
        list[0].status,
        booksygo_core::booking::BookingStatus::Pending
    );
}

#[tokio::test]
async fn separate_tickets_are_said_in_the_tool_result_and_the_reply() {
    let (_dir, agency) = common::agency();
    let a = assistant(&agency);
    let mut c = Conversation::new();
    // Liverpool has only low-cost carriers: Singapore is reached on separate tickets.
    let r = say(
        &a,
        &mut c,
        "flights from Liverpool to Singapore on 14 March",
    )
    .await;
    let call = &r.tool_calls[0];
    assert!(call.ok, "{}", call.result);
    let offers = call.result["offers"].as_array().unwrap();
    let separate: Vec<&serde_json::Value> = offers
        .iter()
        .filter(|o| o["ticketing"] == "self_transfer")
        .collect();
    assert!(!separate.is_empty(), "{offers:?}");
    assert!(
        separate
            .iter()
            .all(|o| !o["warnings"].as_array().unwrap().is_empty())
    );
    assert!(
        r.reply
            .contains("self-transfer: separate tickets, connection not protected"),
        "{}",
        r.reply
    );
    // A single ticket says nothing extra.
    let r = say(&a, &mut c, "flights from London to New York on 14 March").await;
    let offers = r.tool_calls[0].result["offers"].as_array().unwrap();
    assert!(offers.iter().any(|o| o["ticketing"] == "single"));
}

/// A price watch through the assistant: asked for in words, the missing amount asked for, the
/// watch made through the facade (so `watch list` and the server's sweep see it), listed back;
/// a watch in the past or with a bad amount is refused with the rule's own message.
#[tokio::test]
async fn a_price_watch_is_made_and_listed_in_words() {
    let (_dir, agency) = common::agency();
    let a = assistant(&agency);
    let mut c = Conversation::new();
    let r = say(
        &a,
        &mut c,
        "tell me when London to New York on 14 March drops",
    )
    .await;
    assert!(r.tool_calls.is_empty(), "{:?}", r.tool_calls);
    assert_eq!(r.asking.as_deref(), Some("below"), "{}", r.reply);
    let r = say(&a, &mut c, "300 euros").await;
    let call = &r.tool_calls[0];
    assert_eq!(call.name, "watch_price");
    assert!(call.ok, "{}", call.result);
    assert_eq!(call.arguments["origin"], "LON");
    assert_eq!(call.arguments["destination"], "NYC");
    assert_eq!(call.arguments["date"], "2027-03-14");
    assert_eq!(
        call.result["below"],
        json!({"amount": "300.00", "currency": "EUR"})
    );
    assert!(r.reply.contains("EUR 300.00"), "{}", r.reply);
    let kept = agency.watches().await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, call.result["id"].as_str().unwrap());

    let r = say(
        &a,
        &mut c,
        "alert me if the fare from Paris to Rome on 2 April falls below 90 euros for 2 adults",
    )
    .await;
    assert_eq!(r.tool_calls[0].name, "watch_price", "{}", r.reply);
    assert_eq!(r.tool_calls[0].arguments["adults"], 2);
    assert_eq!(r.tool_calls[0].arguments["below"], "90");

    let r = say(&a, &mut c, "show my price watches").await;
    assert_eq!(r.tool_calls[0].name, "list_watches");
    assert_eq!(
        r.tool_calls[0].result["watches"].as_array().unwrap().len(),
        2
    );
    assert!(r.reply.contains("LON-NYC on 2027-03-14"), "{}", r.reply);

    // Straight to the tools: the rule's refusals come back as tool errors.
    let tools = Toolbox {
        agency: &agency,
        today: common::date("2026-11-25"),
    };
    let mut session = Session::default();
    for (args, code) in [
        (
            json!({"origin": "LHR", "destination": "JFK", "date": "2026-01-01", "below": "300"}),
            "invalid_input",
        ),
        (
            json!({"origin": "LHR", "destination": "JFK", "date": "2027-03-14", "below": "-5"}),
            "invalid_input",
        ),
        (
            json!({"origin": "LHR", "destination": "JFK", "date": "2027-03-14"}),
            "invalid_arguments",
        ),
        (
            json!({"origin": "Atlantis", "destination": "JFK", "date": "2027-03-14", "below": 300}),
            "invalid_input",
        ),
    ] {
        let err = tools
            .call(&mut session, "watch_price", &args)
            .await
            .unwrap_err();
        assert_eq!(err.code, code, "{args}: {err:?}");
    }
    assert_eq!(
        agency.watches().await.unwrap().len(),
        2,
        "nothing half made"
    );
}
