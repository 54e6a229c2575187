//! `App::update` as a function: keys and answers in, state and commands out.

mod common;

use booksygo_core::booking::BookingStatus;
use booksygo_core::search::FlightSort;
use booksygo_tui::app::{BookStep, Overlay, ResultList, Screen, Tab, TripsPrompt};
use booksygo_tui::chat::{ChatEntry, ChatLog, ChatTurn, ToolCard};
use booksygo_tui::{Cmd, Msg};
use common::{Harness, app, ctrl, key};
use ratatui::crossterm::event::KeyCode;

fn type_into(app: &mut booksygo_tui::App, text: &str) -> Vec<Cmd> {
    text.chars()
        .flat_map(|c| app.update(key(KeyCode::Char(c))))
        .collect()
}

#[test]
fn typing_a_place_asks_for_suggestions_from_two_letters() {
    let mut a = app();
    assert!(a.update(key(KeyCode::Char('L'))).is_empty());
    let cmds = a.update(key(KeyCode::Char('o')));
    assert!(
        matches!(&cmds[..], [Cmd::Suggest { field: 0, query }] if query == "Lo"),
        "{cmds:?}"
    );
    assert_eq!(a.search.flights[0].value, "Lo");
    // The date field does not look places up.
    a.update(key(KeyCode::Tab));
    a.update(key(KeyCode::Tab));
    assert!(type_into(&mut a, "2027").is_empty());
}

#[test]
fn letters_in_a_field_are_text_not_commands() {
    let mut a = app();
    type_into(&mut a, "q?t:");
    assert_eq!(a.search.flights[0].value, "q?t:");
    assert!(!a.quit);
    assert_eq!(a.overlay, Overlay::None);
    assert_eq!(a.screen(), Screen::Search);
    // Esc leaves the field; then q quits from the first screen.
    a.update(key(KeyCode::Esc));
    assert_eq!(a.search.focus, None);
    a.update(key(KeyCode::Char('q')));
    assert!(a.quit);
}

#[test]
fn a_fast_esc_then_a_key_reads_as_both_keys() {
    // What a terminal sends for Esc then t typed quickly: Alt+t.
    let mut a = app();
    let alt_t = Msg::Key(ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Char('t'),
        ratatui::crossterm::event::KeyModifiers::ALT,
    ));
    let cmds = a.update(alt_t);
    assert!(matches!(&cmds[..], [Cmd::LoadBookings]), "{cmds:?}");
    assert_eq!(a.screen(), Screen::Trips);
    assert_eq!(a.search.flights[0].value, "");
    // Esc then → typed fast: out of the field, then the next tab.
    let mut a = app();
    a.update(Msg::Key(ratatui::crossterm::event::KeyEvent::new(
        KeyCode::Right,
        ratatui::crossterm::event::KeyModifiers::ALT,
    )));
    assert_eq!((a.search.focus, a.search.tab), (None, Tab::Hotels));
}

#[test]
fn tab_and_shift_tab_move_between_fields_and_tabs() {
    let mut a = app();
    a.update(key(KeyCode::Tab));
    assert_eq!(a.search.focus, Some(1));
    a.update(key(KeyCode::BackTab));
    a.update(key(KeyCode::BackTab));
    assert_eq!(a.search.focus, None);
    a.update(key(KeyCode::Right));
    assert_eq!(a.search.tab, Tab::Hotels);
    a.update(key(KeyCode::Left));
    a.update(key(KeyCode::Left));
    assert_eq!(a.search.tab, Tab::Packages);
}

#[test]
fn a_search_with_a_missing_or_bad_field_says_which_and_asks_nothing() {
    let mut a = app();
    assert!(a.update(key(KeyCode::Enter)).is_empty());
    assert!(a.search.error.as_deref().unwrap().contains("where from"));
    assert_eq!(a.search.focus, Some(0));
    type_into(&mut a, "LHR");
    a.update(key(KeyCode::Tab));
    type_into(&mut a, "JFK");
    a.update(key(KeyCode::Tab));
    type_into(&mut a, "14/03/2027");
    assert!(a.update(key(KeyCode::Enter)).is_empty());
    assert!(a.search.error.as_deref().unwrap().contains("is not a date"));
    assert_eq!(a.search.focus, Some(2));
    assert_eq!(a.screen(), Screen::Search);
}

#[test]
fn a_search_asks_for_flights_and_the_neighbouring_days() {
    let mut a = app();
    type_into(&mut a, "LHR");
    a.update(key(KeyCode::Tab));
    type_into(&mut a, "JFK");
    a.update(key(KeyCode::Tab));
    type_into(&mut a, "2027-03-02");
    let cmds = a.update(key(KeyCode::Enter));
    assert_eq!(a.screen(), Screen::Results);
    assert!(a.results.loading);
    let [
        Cmd::SearchFlights { seq, query },
        Cmd::Calendar { query: cal, .. },
    ] = &cmds[..]
    else {
        panic!("{cmds:?}");
    };
    assert_eq!(*seq, a.results.seq);
    assert_eq!(query.slices[0].origin, "LHR");
    assert_eq!(query.slices[0].destination, "JFK");
    // Three days either side, never before today (2027-03-01).
    assert_eq!(cal.dates.first().unwrap().to_string(), "2027-03-01");
    assert_eq!(cal.dates.last().unwrap().to_string(), "2027-03-05");
}

#[test]
fn ctrl_c_quits_from_anywhere() {
    let mut a = app();
    a.update(key(KeyCode::Char(':')));
    a.update(ctrl('c'));
    assert!(a.quit);
}

#[test]
fn palette_runs_a_command_and_help_closes_on_any_key() {
    let mut a = app();
    a.update(key(KeyCode::Esc));
    a.update(key(KeyCode::Char(':')));
    type_into(&mut a, "tri");
    let cmds = a.update(key(KeyCode::Enter));
    assert!(matches!(&cmds[..], [Cmd::LoadBookings]), "{cmds:?}");
    assert_eq!(a.screen(), Screen::Trips);
    a.update(key(KeyCode::Char('?')));
    assert_eq!(a.overlay, Overlay::Help);
    a.update(key(KeyCode::Char('x')));
    assert_eq!(a.overlay, Overlay::None);
    a.update(key(KeyCode::Char('q')));
    assert_eq!(a.screen(), Screen::Search);
}

#[tokio::test]
async fn results_move_sort_filter_and_drop_stale_answers() {
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    let n = h.app.results.list.len();
    assert!(n > 20, "{n} offers");
    // The sandbox's answer streamed in before the merged result.
    assert_eq!(h.app.results.providers, [("sandbox".to_string(), None)]);
    assert!(!h.app.results.calendar.is_empty());
    let a = &mut h.app;
    a.update(key(KeyCode::Char('j')));
    a.update(key(KeyCode::Down));
    assert_eq!(a.results.selected, 2);
    a.update(key(KeyCode::Char('k')));
    assert_eq!(a.results.selected, 1);
    a.update(key(KeyCode::Char('G')));
    assert_eq!(a.results.selected, n - 1);
    a.update(key(KeyCode::PageDown));
    assert_eq!(a.results.selected, n - 1);
    a.update(key(KeyCode::Char('g')));
    a.update(key(KeyCode::PageDown));
    assert_eq!(a.results.selected, a.page());

    // Sorting re-asks the agency (the rule lives in core) with a new sequence number.
    let before = a.results.seq;
    let cmds = a.update(key(KeyCode::Char('s')));
    let [Cmd::SearchFlights { seq, query }] = &cmds[..] else {
        panic!("{cmds:?}");
    };
    assert_eq!((*seq, query.sort), (before + 1, FlightSort::Price));
    h.run(cmds).await;
    let ResultList::Flights(offers) = &h.app.results.list else {
        panic!()
    };
    assert!(
        offers
            .windows(2)
            .all(|w| w[0].total().minor <= w[1].total().minor)
    );

    // Non-stop only, then any again.
    h.press(KeyCode::Char('0')).await;
    let ResultList::Flights(offers) = &h.app.results.list else {
        panic!()
    };
    assert!(!offers.is_empty() && offers.iter().all(|o| o.stops() == 0));
    let cmds = h.app.update(key(KeyCode::Char('0')));
    let [Cmd::SearchFlights { query, .. }] = &cmds[..] else {
        panic!("{cmds:?}");
    };
    assert_eq!(query.max_stops, None);

    // An answer to an older search is dropped.
    let shown = h.app.results.list.len();
    h.app.update(Msg::Flights {
        seq: 0,
        at: jiff::Timestamp::UNIX_EPOCH,
        answer: Ok(booksygo_core::agency::FlightResults {
            offers: vec![],
            warnings: vec![],
        }),
    });
    assert_eq!(h.app.results.list.len(), shown);
}

#[tokio::test]
async fn booking_asks_to_confirm_shows_errors_in_place_and_ends_in_trips() {
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    h.press(KeyCode::Enter).await;
    assert_eq!(h.app.screen(), Screen::Detail);
    h.press(KeyCode::Char('b')).await;
    assert_eq!(h.app.screen(), Screen::Book);
    assert!(h.app.book.as_ref().unwrap().points.is_some());

    // Nothing typed: the form says what is missing and asks nothing.
    assert!(h.app.update(key(KeyCode::Enter)).is_empty());
    let book = h.app.book.as_ref().unwrap();
    assert_eq!(book.step, BookStep::Form);
    assert!(book.error.as_deref().unwrap().contains("given name"));

    // A declined card: the error is shown in place, the form kept.
    h.fill_booking("4000 0000 0000 0002").await;
    h.press(KeyCode::Enter).await;
    assert_eq!(h.app.book.as_ref().unwrap().step, BookStep::Confirm);
    let cmds = h.app.update(key(KeyCode::Char('y')));
    let [Cmd::Book(req)] = &cmds[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(req.passengers[0].family_name, "Lovelace");
    assert!(req.idempotency_key.is_some());
    h.run(cmds).await;
    let book = h.app.book.as_ref().unwrap();
    assert_eq!(book.step, BookStep::Form);
    assert!(
        book.error.as_deref().unwrap().contains("declined"),
        "{:?}",
        book.error
    );
    assert_eq!(book.fields[1].value, "Lovelace");

    // The good card books, and the trip shows up selected in Trips.
    let card = book.fields.len() - 3;
    h.app.book.as_mut().unwrap().fields[card].value = "4242 4242 4242 4242".into();
    h.press(KeyCode::Enter).await;
    h.press(KeyCode::Char('y')).await;
    assert_eq!(h.app.screen(), Screen::Trips);
    let tr = &h.app.trips;
    let b = &tr.bookings[tr.selected];
    assert_eq!(b.status, BookingStatus::Confirmed);
    assert!(
        tr.message
            .as_deref()
            .unwrap()
            .contains(&b.confirmation_code)
    );
}

#[tokio::test]
async fn cancelling_shows_the_refund_first_and_export_writes_a_calendar() {
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    h.press(KeyCode::Char('b')).await;
    h.fill_booking("4242 4242 4242 4242").await;
    h.press(KeyCode::Enter).await;
    h.press(KeyCode::Char('y')).await;
    assert_eq!(h.app.screen(), Screen::Trips);

    let path = h.dir.path().join("trip.ics");
    h.press(KeyCode::Char('e')).await;
    let TripsPrompt::Export(default) = &h.app.trips.prompt else {
        panic!()
    };
    assert!(default.ends_with(".ics"));
    h.app.trips.prompt = TripsPrompt::Export(path.display().to_string());
    h.press(KeyCode::Enter).await;
    let ics = std::fs::read_to_string(&path).unwrap();
    assert!(ics.contains("BEGIN:VEVENT") && ics.contains("JFK"));
    assert!(h.app.trips.message.as_deref().unwrap().contains("trip.ics"));

    h.press(KeyCode::Char('c')).await;
    let TripsPrompt::Cancel(Some(q)) = &h.app.trips.prompt else {
        panic!("{:?}", h.app.trips.prompt)
    };
    let id = q.booking_id.clone();
    // n keeps it: nothing asked.
    assert!(h.app.update(key(KeyCode::Char('n'))).is_empty());
    assert_eq!(h.app.trips.prompt, TripsPrompt::None);
    h.press(KeyCode::Char('c')).await;
    let cmds = h.app.update(key(KeyCode::Char('y')));
    assert!(
        matches!(&cmds[..], [Cmd::Cancel { id: x, .. }] if *x == id),
        "{cmds:?}"
    );
    h.run(cmds).await;
    let b = &h.app.trips.bookings[h.app.trips.selected];
    assert_eq!(b.id, id);
    assert!(matches!(
        b.status,
        BookingStatus::Cancelled | BookingStatus::Refunded
    ));
    // A cancelled booking cannot be cancelled again: said in place, nothing asked.
    assert!(h.app.update(key(KeyCode::Char('c'))).is_empty());
    assert!(
        h.app
            .trips
            .error
            .as_deref()
            .unwrap()
            .contains("nothing to cancel")
    );
}

#[tokio::test]
async fn hotels_and_packages_search_and_open() {
    let mut h = Harness::new().await;
    h.press(KeyCode::Esc).await;
    h.press(KeyCode::Right).await;
    h.press(KeyCode::Tab).await;
    h.type_text("PAR").await;
    h.press(KeyCode::Tab).await;
    h.type_text("2027-03-14").await;
    h.press(KeyCode::Tab).await;
    h.type_text("2027-03-17").await;
    h.press(KeyCode::Enter).await;
    assert!(
        matches!(&h.app.results.list, ResultList::Hotels(v) if !v.is_empty()),
        "{:?}",
        h.app.results.error
    );
    // A new search keeps the tab; the tab bar moves on to packages.
    h.press(KeyCode::Char('/')).await;
    assert_eq!(h.app.search.tab, Tab::Hotels);
    h.press(KeyCode::Esc).await;
    h.press(KeyCode::Right).await;
    assert_eq!(h.app.search.tab, Tab::Packages);
    h.press(KeyCode::Enter).await;
    assert!(matches!(&h.app.results.list, ResultList::Packages(v) if !v.is_empty()));
    h.press(KeyCode::Enter).await;
    let p = h.app.detail.package.as_ref().expect("package loaded");
    assert!(!p.itinerary.is_empty());
    // Book the second departure.
    let date = p.departures[h.app.detail.departure + 1].date;
    h.press(KeyCode::Char('j')).await;
    h.press(KeyCode::Char('b')).await;
    assert_eq!(h.app.screen(), Screen::Book);
    h.fill_booking("4242 4242 4242 4242").await;
    h.press(KeyCode::Enter).await;
    h.press(KeyCode::Char('y')).await;
    assert_eq!(
        h.app.screen(),
        Screen::Trips,
        "{:?}",
        h.app.book.map(|b| b.error)
    );
    let b = &h.app.trips.bookings[h.app.trips.selected];
    assert_eq!(b.items[0].kind, "package");
    assert_eq!(b.starts_on, date);
}

#[test]
fn provider_answers_preview_the_running_search_and_the_final_answer_replaces_them() {
    use booksygo_core::agency::{FlightResults, ProviderUpdate};
    let mut a = app();
    type_into(&mut a, "LHR");
    a.update(key(KeyCode::Tab));
    type_into(&mut a, "JFK");
    a.update(key(KeyCode::Tab));
    type_into(&mut a, "2027-03-02");
    a.update(key(KeyCode::Enter));
    let seq = a.results.seq;
    let update = |provider: &str, error: Option<&str>| ProviderUpdate {
        provider: provider.into(),
        offers: vec![],
        error: error.map(String::from),
    };
    a.update(Msg::FlightsProgress {
        seq: seq - 1,
        update: update("stale", None),
    });
    assert!(a.results.providers.is_empty());
    a.update(Msg::FlightsProgress {
        seq,
        update: update("sandbox", None),
    });
    a.update(Msg::FlightsProgress {
        seq,
        update: update("duffel", Some("timed out")),
    });
    assert!(a.results.loading);
    assert_eq!(a.results.providers.len(), 2);
    a.update(Msg::Flights {
        seq,
        at: jiff::Timestamp::UNIX_EPOCH,
        answer: Ok(FlightResults {
            offers: vec![],
            warnings: vec!["duffel timed out".into()],
        }),
    });
    assert!(!a.results.loading);
    assert_eq!(a.results.warnings, ["duffel timed out"]);
}

#[tokio::test]
async fn the_mouse_scrolls_and_clicks_rows_where_they_are_drawn() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mouse = |kind, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column: 10,
            row,
            modifiers: ratatui::crossterm::event::KeyModifiers::NONE,
        })
    };
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    h.app.update(mouse(MouseEventKind::ScrollDown, 10));
    assert_eq!(h.app.results.selected, 3);
    h.app.update(mouse(MouseEventKind::ScrollUp, 10));
    assert_eq!(h.app.results.selected, 0);
    // Find the line the third offer is drawn on, as a user would see it.
    let screen = h.render(80, 24);
    let ResultList::Flights(offers) = &h.app.results.list else {
        panic!()
    };
    let third = format!("{}", offers[2].total());
    let lines: Vec<&str> = screen.lines().collect();
    let row = lines
        .iter()
        .skip(4)
        .position(|l| l.contains(&third))
        .map(|i| i + 4)
        .unwrap() as u16;
    h.app
        .update(mouse(MouseEventKind::Down(MouseButton::Left), row));
    assert_eq!(h.app.results.selected, 2);
    h.app
        .update(mouse(MouseEventKind::Down(MouseButton::Left), row));
    assert_eq!(h.app.screen(), Screen::Detail);
    // Clicks outside the table do nothing.
    h.app.update(key(KeyCode::Char('q')));
    h.app
        .update(mouse(MouseEventKind::Down(MouseButton::Left), 0));
    assert_eq!(
        (h.app.screen(), h.app.results.selected),
        (Screen::Results, 2)
    );
}

// ----- chat -----

fn open_chat(a: &mut booksygo_tui::App) {
    a.update(key(KeyCode::Esc));
    let cmds = a.update(key(KeyCode::Char('m')));
    assert!(matches!(&cmds[..], [Cmd::ChatOpen]), "{cmds:?}");
    assert_eq!(a.screen(), Screen::Chat);
    a.update(Msg::ChatOpened(Ok(ChatLog {
        conversation_id: "cnv_test".into(),
        backend: "offline".into(),
        entries: vec![],
        pending: None,
    })));
}

#[test]
fn typing_a_chat_message_emits_one_send_and_waits() {
    let mut a = app();
    open_chat(&mut a);
    // Letters are text here, even the global keys.
    assert!(type_into(&mut a, "q? hi").is_empty());
    assert_eq!(a.screen(), Screen::Chat);
    assert_eq!(a.chat.input, "q? hi");
    let cmds = a.update(key(KeyCode::Enter));
    assert!(
        matches!(&cmds[..], [Cmd::ChatSend(t)] if t == "q? hi"),
        "{cmds:?}"
    );
    assert_eq!(a.chat.entries, vec![ChatEntry::User("q? hi".into())]);
    assert!(a.chat.input.is_empty() && a.chat.busy);
    // While the reply is on its way, Enter sends nothing (the typed text stays).
    type_into(&mut a, "more");
    assert!(a.update(key(KeyCode::Enter)).is_empty());
    assert_eq!(a.chat.input, "more");
    // An empty line sends nothing either.
    let mut b = app();
    open_chat(&mut b);
    assert!(b.update(key(KeyCode::Enter)).is_empty());
    // Esc goes back to where the chat was opened from.
    b.update(key(KeyCode::Esc));
    assert_eq!(b.screen(), Screen::Search);
}

#[test]
fn streamed_pieces_append_and_the_turn_puts_tool_cards_before_the_reply() {
    let mut a = app();
    open_chat(&mut a);
    type_into(&mut a, "flights LHR JFK");
    a.update(key(KeyCode::Enter));
    a.update(Msg::ChatText("Flights ".into()));
    a.update(Msg::ChatText("LHR → JFK".into()));
    assert_eq!(
        a.chat.entries.last(),
        Some(&ChatEntry::Assistant("Flights LHR → JFK".into()))
    );
    assert_eq!(a.chat.entries.len(), 2);
    let card = ToolCard {
        name: "search_flights".into(),
        args: "origin LHR, destination JFK".into(),
        result: "5 offers".into(),
        ok: true,
    };
    a.update(Msg::ChatReplied(Ok(ChatTurn {
        conversation_id: "cnv_test".into(),
        reply: "Flights LHR → JFK: 5 offers".into(),
        cards: vec![card.clone()],
        pending: None,
    })));
    assert_eq!(
        a.chat.entries,
        vec![
            ChatEntry::User("flights LHR JFK".into()),
            ChatEntry::Tool(card),
            ChatEntry::Assistant("Flights LHR → JFK: 5 offers".into()),
        ]
    );
    assert!(!a.chat.busy);
    // A piece arriving after the turn ended is not glued onto it.
    a.update(Msg::ChatText("late".into()));
    assert_eq!(a.chat.entries.len(), 3);
}

#[test]
fn a_failed_turn_shows_the_error_in_place_and_keeps_the_message() {
    let mut a = app();
    open_chat(&mut a);
    type_into(&mut a, "hello");
    a.update(key(KeyCode::Enter));
    a.update(Msg::ChatReplied(Err(
        "suppliers: the model at http://127.0.0.1:9 did not answer".into(),
    )));
    assert!(!a.chat.busy);
    assert!(
        matches!(a.chat.entries.last(), Some(ChatEntry::Error(e)) if e.contains("did not answer"))
    );
    // Enter sends it again.
    assert_eq!(a.chat.input, "hello");
    let cmds = a.update(key(KeyCode::Enter));
    assert!(matches!(&cmds[..], [Cmd::ChatSend(t)] if t == "hello"));
}

#[test]
fn chat_is_in_the_palette_and_the_help() {
    let mut a = app();
    a.update(ctrl('p'));
    type_into(&mut a, "chat");
    let cmds = a.update(key(KeyCode::Enter));
    assert!(matches!(&cmds[..], [Cmd::ChatOpen]), "{cmds:?}");
    assert_eq!(a.screen(), Screen::Chat);
    let help = booksygo_tui::view::help_lines(Screen::Chat);
    assert!(help.iter().any(|(k, _)| *k == "Enter"));
    let global = booksygo_tui::view::help_lines(Screen::Trips);
    assert!(global.iter().any(|(_, what)| what.contains("chat")));
}

#[tokio::test]
async fn a_quote_then_yes_books_through_the_offline_assistant() {
    let mut h = Harness::new().await;
    let cmds = h.app.command("chat");
    h.run(cmds).await;
    assert!(h.app.chat.opened && !h.app.chat.busy);
    assert!(h.app.chat.entries.is_empty(), "{:?}", h.app.chat.entries);

    h.type_text("flights from LHR to JFK on 2027-03-14").await;
    h.press(KeyCode::Enter).await;
    let cards: Vec<&ToolCard> = h
        .app
        .chat
        .entries
        .iter()
        .filter_map(|e| match e {
            ChatEntry::Tool(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(cards.len(), 1, "{:?}", h.app.chat.entries);
    assert_eq!(cards[0].name, "search_flights");
    assert!(cards[0].args.contains("origin LHR"), "{:?}", cards[0]);
    assert!(cards[0].result.ends_with("offers"), "{:?}", cards[0]);
    assert!(
        matches!(h.app.chat.entries.last(), Some(ChatEntry::Assistant(t)) if t.contains("LHR"))
    );

    h.type_text("book option 1 for Ada Lovelace born 1990-12-10, ada@example.com")
        .await;
    h.press(KeyCode::Enter).await;
    let quote = h.app.chat.pending.clone().expect("a quote waits for a yes");
    assert!(!quote.is_empty());
    assert!(matches!(
        h.app.chat.entries.iter().rev().find_map(|e| match e { ChatEntry::Tool(c) => Some(c), _ => None }),
        Some(c) if c.name == "create_booking" && c.result.contains("yes")
    ));
    assert!(h.agency.list_bookings(None).await.unwrap().is_empty());

    // Anything but a yes books nothing.
    h.type_text("is there wifi?").await;
    h.press(KeyCode::Enter).await;
    assert!(h.agency.list_bookings(None).await.unwrap().is_empty());

    h.type_text("yes").await;
    h.press(KeyCode::Enter).await;
    let list = h.agency.list_bookings(None).await.unwrap();
    assert_eq!(list.len(), 1, "{:?}", h.app.chat.entries);
    assert_eq!(list[0].passengers[0].family_name, "Lovelace");
    assert_eq!(h.app.chat.pending, None);
    assert!(matches!(
        h.app.chat.entries.iter().rev().find_map(|e| match e { ChatEntry::Tool(c) => Some(c), _ => None }),
        Some(c) if c.name == "create_booking" && c.result.contains(&list[0].confirmation_code)
    ));
    assert!(
        matches!(h.app.chat.entries.last(), Some(ChatEntry::Assistant(t)) if t.contains(&list[0].id))
    );

    // The conversation persists: a new app (and a new engine) resumes it on open.
    let id = h.app.chat.conversation_id.clone().unwrap();
    let said = h.app.chat.entries.clone();
    h.chat = std::sync::Arc::new(common::chat_engine(&h.dir, h.agency.clone()).await);
    h.app = app();
    let cmds = h.app.command("chat");
    h.run(cmds).await;
    assert_eq!(h.app.chat.conversation_id.as_deref(), Some(id.as_str()));
    let users = |e: &[ChatEntry]| {
        e.iter()
            .filter(|e| matches!(e, ChatEntry::User(_) | ChatEntry::Assistant(_)))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(users(&h.app.chat.entries), users(&said));
}

// ----- issue 15 -----

#[tokio::test]
async fn a_taken_suggestion_keeps_the_field_so_tab_goes_to_the_next_one() {
    let mut h = Harness::new().await;
    h.type_text("Lon").await;
    assert!(h.app.search.suggestions.len() > 2);
    h.press(KeyCode::Down).await;
    h.press(KeyCode::Down).await;
    let code = h.app.search.suggestions[1].code.clone();
    h.press(KeyCode::Enter).await;
    assert_eq!(h.app.search.flights[0].value, code);
    assert_eq!(
        h.app.search.focus,
        Some(0),
        "the place field keeps the focus"
    );
    assert!(h.app.search.suggestions.is_empty());
    // A late answer to what was typed before the pick does not bring the list back.
    let late = h.app.search.suggestions.clone();
    h.app.update(Msg::Suggestions {
        field: 0,
        query: "Lon".into(),
        answer: Ok(late),
    });
    assert!(h.app.search.suggestions.is_empty());
    // Tab goes to To, as after typing the code by hand: the next text is the destination.
    h.press(KeyCode::Tab).await;
    h.type_text("JFK").await;
    assert_eq!(h.app.search.flights[1].value, "JFK");
    assert_eq!(h.app.search.flights[2].value, "", "nothing typed into Date");
}

#[tokio::test]
async fn q_back_to_a_form_goes_on_back_and_never_types() {
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    h.press(KeyCode::Enter).await;
    assert_eq!(h.app.screen(), Screen::Detail);
    h.press(KeyCode::Char('q')).await;
    assert_eq!(h.app.screen(), Screen::Results);
    h.press(KeyCode::Char('q')).await;
    assert_eq!(h.app.screen(), Screen::Search);
    assert_eq!(h.app.search.flights[0].value, "LHR");
    assert!(!h.app.typing(), "the form waits on its tab bar");
    // Tab takes the form up again where it was left (the date, where Enter searched from).
    h.press(KeyCode::Tab).await;
    assert_eq!(h.app.search.focus, Some(2));
    h.type_text("x").await;
    assert_eq!(h.app.search.flights[2].value, format!("{}x", common::DATE));
    h.press(KeyCode::Backspace).await;
    // Enter searches again; from the results q, then q again, quits without typing.
    h.press(KeyCode::Enter).await;
    assert_eq!(h.app.screen(), Screen::Results);
    h.press(KeyCode::Char('q')).await;
    h.press(KeyCode::Char('q')).await;
    assert!(h.app.quit);
    assert_eq!(h.app.search.flights[0].value, "LHR");
    assert_eq!(h.app.search.flights[2].value, common::DATE);
}

#[tokio::test]
async fn the_booking_form_leaves_with_esc_and_q_back_to_it_does_not_type() {
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    h.press(KeyCode::Char('b')).await;
    h.type_text("Ada").await;
    // Esc leaves the form, as its hints say.
    h.press(KeyCode::Esc).await;
    assert_eq!(h.app.screen(), Screen::Results);
    // Back to it from the palette, then a later view, then q: the q is not text.
    h.press(KeyCode::Char('b')).await;
    h.type_text("Ada").await;
    let cmds = h.app.command("results");
    h.run(cmds).await;
    assert_eq!(h.app.screen(), Screen::Results);
    h.press(KeyCode::Char('q')).await;
    assert_eq!(h.app.screen(), Screen::Book);
    assert!(!h.app.typing());
    // Letters are commands until Tab: another q goes on back, typing nothing.
    h.press(KeyCode::Char('q')).await;
    assert_eq!(h.app.screen(), Screen::Search);
    assert!(!h.app.typing());
    let book = h.app.book.as_ref().unwrap();
    assert_eq!(book.fields[0].value, "Ada");
    assert!(book.fields.iter().all(|f| !f.value.contains('q')));
}

#[tokio::test]
async fn a_form_come_back_to_is_edited_again_with_tab() {
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    h.press(KeyCode::Char('b')).await;
    h.type_text("Ada").await;
    h.press(KeyCode::Tab).await;
    let cmds = h.app.command("results");
    h.run(cmds).await;
    h.press(KeyCode::Char('q')).await;
    assert_eq!(h.app.screen(), Screen::Book);
    assert!(!h.app.typing());
    h.press(KeyCode::Tab).await;
    assert!(h.app.typing());
    h.type_text("Lovelace").await;
    let book = h.app.book.as_ref().unwrap();
    assert_eq!(
        book.fields[1].value, "Lovelace",
        "the field left is the one edited"
    );
}

#[tokio::test]
async fn confirm_then_q_is_back_to_the_form_without_a_q_in_it() {
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    h.press(KeyCode::Char('b')).await;
    h.fill_booking("4242 4242 4242 4242").await;
    h.press(KeyCode::Enter).await;
    assert_eq!(h.app.book.as_ref().unwrap().step, BookStep::Confirm);
    h.press(KeyCode::Char('q')).await;
    let book = h.app.book.as_ref().unwrap();
    assert_eq!(book.step, BookStep::Form);
    assert!(
        book.fields.iter().all(|f| !f.value.contains('q')),
        "{:?}",
        book.fields
    );
}

#[tokio::test]
async fn a_round_trip_lists_each_offer_with_both_legs() {
    let mut h = Harness::new().await;
    h.search_round_trip("1").await;
    let ResultList::Flights(offers) = &h.app.results.list else {
        panic!("{:?}", h.app.results.error)
    };
    assert!(!offers.is_empty());
    assert!(offers.iter().all(|o| o.slices.len() == 2));
    assert_eq!(h.app.results.row_height(), 2);
    let screen = h.render(80, 24);
    let out = screen.lines().filter(|l| l.contains("LHR-JFK")).count();
    let back = screen.lines().filter(|l| l.contains("JFK-LHR")).count();
    assert!(out > 0 && out == back, "{screen}");
    // Each leg's own time, never the two added up.
    let first = &offers[0];
    let leg = booksygo_core::model::time::human_duration(first.slices[1].duration_minutes);
    let total = booksygo_core::model::time::human_duration(first.duration_minutes());
    let line = screen.lines().find(|l| l.contains("JFK-LHR")).unwrap();
    assert!(line.contains(&leg) && !line.contains(&total), "{line}");
}

#[tokio::test]
async fn hotels_filter_by_amenity_and_say_which_they_do_not_know() {
    let mut h = Harness::new().await;
    h.press(KeyCode::Esc).await;
    h.press(KeyCode::Right).await;
    h.press(KeyCode::Tab).await;
    for text in ["PAR", "2027-03-14", "2027-03-17", "2"] {
        h.press(KeyCode::End).await;
        if text == "2" {
            h.press(KeyCode::Backspace).await;
        }
        h.type_text(text).await;
        h.press(KeyCode::Tab).await;
    }
    h.type_text("Wifi, swimming pool").await;
    h.press(KeyCode::Enter).await;
    assert_eq!(h.app.screen(), Screen::Search);
    assert_eq!(h.app.search.focus, Some(4));
    let e = h.app.search.error.clone().unwrap();
    assert!(
        e.contains("'swimming pool'") && e.contains("wifi, breakfast"),
        "{e}"
    );
    for _ in "swimming pool".chars() {
        h.press(KeyCode::Backspace).await;
    }
    h.type_text("air conditioning").await;
    h.press(KeyCode::Enter).await;
    let q = h.app.results.hotel_query.as_ref().unwrap();
    assert_eq!(q.amenities, ["wifi", "air_conditioning"]);
    let ResultList::Hotels(v) = &h.app.results.list else {
        panic!("{:?}", h.app.results.error)
    };
    assert!(!v.is_empty());
    assert!(v.iter().all(|o| {
        let a = &o.hotel.amenities;
        a.iter().any(|x| x == "wifi") && a.iter().any(|x| x == "air_conditioning")
    }));
}

#[tokio::test]
async fn package_results_take_no_flight_keys() {
    let mut h = Harness::new().await;
    h.press(KeyCode::Esc).await;
    h.press(KeyCode::Left).await;
    assert_eq!(h.app.search.tab, Tab::Packages);
    h.press(KeyCode::Enter).await;
    assert!(matches!(h.app.results.list, ResultList::Packages(_)));
    for c in ['s', '0', '1', 'a', 'x', '[', ']'] {
        assert!(h.app.update(key(KeyCode::Char(c))).is_empty());
    }
    let help: Vec<&str> = booksygo_tui::view::help_for(&h.app)
        .iter()
        .map(|(k, _)| *k)
        .collect();
    assert!(!help.contains(&"0 1 2") && !help.contains(&"s"), "{help:?}");
    let screen = h.render(80, 24);
    assert!(
        !screen.contains("stops") && !screen.contains("airline"),
        "{screen}"
    );
}

#[tokio::test]
async fn w_on_a_flight_list_watches_it_below_the_cheapest_fare_and_d_stops_it() {
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    let ResultList::Flights(offers) = &h.app.results.list else {
        panic!()
    };
    let cheapest = offers.iter().map(|o| o.total().minor).min().unwrap();
    let cmds = h.app.update(key(KeyCode::Char('w')));
    let [Cmd::AddWatch(new)] = &cmds[..] else {
        panic!("{cmds:?}");
    };
    assert_eq!(
        (new.origin.as_str(), new.destination.as_str()),
        ("LHR", "JFK")
    );
    assert_eq!(new.below.minor, cheapest);
    assert_eq!(new.adults, 1);
    // Added through the agency: the Watches view opens with it and says what was done.
    h.run(cmds).await;
    assert_eq!(h.app.screen(), Screen::Watches);
    let list = h.app.watches.data.clone().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].below.minor, cheapest);
    let note = h.app.watches.note.clone().unwrap();
    assert!(note.starts_with("Watching LHR-JFK on "), "{note}");
    let screen = h.render(100, 20);
    assert!(screen.contains("LHR-JFK"), "{screen}");
    // A refusal (the agency's message) is said in place and keeps the list.
    h.app
        .update(Msg::Watched(Err("at most 50 watches per traveller".into())));
    assert_eq!(
        h.app.watches.note.as_deref(),
        Some("Not watched: at most 50 watches per traveller")
    );
    assert_eq!(h.app.watches.data.as_ref().unwrap().len(), 1);
    // d stops it.
    h.press(KeyCode::Char('d')).await;
    assert_eq!(h.app.watches.data.as_ref().unwrap().len(), 0);
    assert_eq!(h.app.watches.note.as_deref(), Some("Stopped watching."));
    // In the palette.
    let cmds = h.app.command("watches");
    assert!(matches!(&cmds[..], [Cmd::LoadWatches]), "{cmds:?}");
}

#[tokio::test]
async fn a_round_trip_has_no_one_way_fare_to_watch() {
    let mut h = Harness::new().await;
    h.search_round_trip("1").await;
    assert!(matches!(h.app.results.list, ResultList::Flights(ref o) if !o.is_empty()));
    assert!(h.app.update(key(KeyCode::Char('w'))).is_empty());
    assert_eq!(h.app.screen(), Screen::Results);
}
