//! Every view rendered into ratatui's TestBackend at 80x24 and 120x40, snapshotted with insta.
//! Data comes from the real sandbox market with a pinned clock; booking ids and confirmation
//! codes (random) are masked, and so are the offer ids and clock times that vary.

mod common;

use common::Harness;
use ratatui::crossterm::event::KeyCode;

fn snap(h: &Harness, name: &str) {
    let filters = vec![
        (r"off_[0-9a-f]{16}", "off_[id]"),
        (r"results \d\d:\d\d:\d\d", "results [time]"),
        (r"cnv_[0-9a-f]{16}", "cnv_[id]"),
    ];
    for (w, ht) in [(80, 24), (120, 40)] {
        let text = h.render(w, ht);
        insta::with_settings!({ filters => filters.clone(), omit_expression => true }, {
            insta::assert_snapshot!(format!("{name}_{w}x{ht}"), text);
        });
    }
}

#[tokio::test]
async fn search_form_with_suggestions() {
    let mut h = Harness::new().await;
    snap(&h, "search_empty");
    h.type_text("Lon").await;
    snap(&h, "search_suggestions");
    h.press(KeyCode::Enter).await;
    snap(&h, "search_error");
}

#[tokio::test]
async fn results_detail_and_overlays() {
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    snap(&h, "results");
    h.press(KeyCode::Char('?')).await;
    snap(&h, "results_help");
    h.press(KeyCode::Esc).await;
    h.press(KeyCode::Char(':')).await;
    h.type_text("sort").await;
    snap(&h, "palette");
    h.press(KeyCode::Esc).await;
    // The first offer with a connection, to show a layover.
    let booksygo_tui::app::ResultList::Flights(offers) = &h.app.results.list else {
        panic!()
    };
    let at = offers.iter().position(|o| o.stops() == 1).unwrap();
    for _ in 0..at {
        h.press(KeyCode::Char('j')).await;
    }
    h.press(KeyCode::Enter).await;
    snap(&h, "detail_one_stop");
}

#[tokio::test]
async fn book_trips_and_points() {
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    h.press(KeyCode::Char('b')).await;
    h.fill_booking("4242 4242 4242 4242").await;
    snap(&h, "book_form");
    h.press(KeyCode::Enter).await;
    snap(&h, "book_confirm");
    h.press(KeyCode::Char('y')).await;
    snap(&h, "trips_booked");
    h.press(KeyCode::Char('c')).await;
    snap(&h, "trips_cancel_quote");
    h.press(KeyCode::Char('n')).await;
    h.press(KeyCode::Char('p')).await;
    snap(&h, "points");
}

#[tokio::test]
async fn hotel_and_package_details() {
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
    snap(&h, "hotels");
    h.press(KeyCode::Enter).await;
    snap(&h, "hotel_detail");
    h.press(KeyCode::Char('/')).await;
    h.press(KeyCode::Esc).await;
    h.press(KeyCode::Right).await;
    h.press(KeyCode::Enter).await;
    snap(&h, "packages");
    h.press(KeyCode::Enter).await;
    snap(&h, "package_detail");
}

/// NO_COLOR: no colour anywhere (selection still shows, as reverse video); colours otherwise.
#[tokio::test]
async fn no_color_means_no_colour() {
    use ratatui::style::{Color, Modifier};
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    let cells = |color: bool| {
        let mut app = h.app.clone();
        app.color = color;
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        t.draw(|f| booksygo_tui::view::render(&app, f)).unwrap();
        t.backend().buffer().content().to_vec()
    };
    let plain = cells(false);
    assert!(
        plain
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
    );
    assert!(
        plain
            .iter()
            .any(|c| c.modifier.contains(Modifier::REVERSED))
    );
    assert!(cells(true).iter().any(|c| c.fg != Color::Reset));
}

#[tokio::test]
async fn chat_with_a_search_a_tool_card_and_a_pending_quote() {
    let mut h = Harness::new().await;
    let cmds = h.app.command("chat");
    h.run(cmds).await;
    snap(&h, "chat_empty");
    h.type_text("flights from LHR to JFK on 2027-03-14").await;
    h.press(KeyCode::Enter).await;
    h.type_text("book option 1 for Ada Lovelace born 1990-12-10, ada@example.com")
        .await;
    h.press(KeyCode::Enter).await;
    assert!(h.app.chat.pending.is_some());
    h.type_text("yes").await;
    snap(&h, "chat_quote");
    h.press(KeyCode::Enter).await;
    for b in h.agency.list_bookings(None).await.unwrap() {
        h.secrets.push(b.id);
        h.secrets.push(b.confirmation_code);
    }
    snap(&h, "chat_booked");
}
