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
    for screen in both(&h) {
        // The refund rule wraps inside the popup at its own indent, under its text.
        let rule = screen
            .lines()
            .position(|l| l.contains("│  - LHR→JFK"))
            .unwrap_or_else(|| panic!("{screen}"));
        let next = screen.lines().nth(rule + 1).unwrap();
        assert!(next.contains("│    EUR 47.00 back"), "{screen}");
    }
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

/// Both sizes, as text, for assertions beside the snapshots.
fn both(h: &Harness) -> [String; 2] {
    [h.render(80, 24), h.render(120, 40)]
}

#[tokio::test]
async fn a_round_trip_shows_both_legs_and_books_with_a_child() {
    let mut h = Harness::new().await;
    h.search_round_trip("1,1").await;
    snap(&h, "results_round_trip");
    for screen in both(&h) {
        let out = screen.lines().filter(|l| l.contains("LHR-JFK")).count();
        let back = screen.lines().filter(|l| l.contains("JFK-LHR")).count();
        assert!(out > 1 && out == back, "{screen}");
        assert!(!screen.contains("stop(s)") && !screen.contains("direct"));
    }
    h.press(KeyCode::Enter).await;
    snap(&h, "detail_round_trip");
    h.press(KeyCode::Char('b')).await;
    for text in [
        "Ada",
        "Lovelace",
        "1990-12-10",
        "Alex",
        "Lovelace",
        "2018-05-05",
    ] {
        h.type_text(text).await;
        h.press(KeyCode::Tab).await;
    }
    h.type_text("ada@example.com").await;
    h.press(KeyCode::Tab).await;
    snap(&h, "book_form_child");
    for screen in both(&h) {
        assert!(screen.contains(" Child given name Alex "), "{screen}");
        assert!(!screen.contains("nameAlex"));
        // The card's hint is whole on one line, never wrapped to column 0.
        assert!(
            screen.contains("sandbox test card 4242 4242 4242 4242"),
            "{screen}"
        );
        assert!(!screen.lines().any(|l| l.starts_with("\"4242")), "{screen}");
    }
    h.type_text("4242 4242 4242 4242").await;
    h.press(KeyCode::Enter).await;
    snap(&h, "book_confirm_round_trip");
    for screen in both(&h) {
        // Inside the popup, a wrapped line goes on at its indent, never at the border.
        let inside: Vec<&str> = screen
            .lines()
            .filter_map(|l| l.split_once('│').map(|(_, rest)| rest))
            .collect();
        assert!(!inside.is_empty(), "{screen}");
        assert!(inside.iter().all(|l| l.starts_with(' ')), "{screen}");
        assert!(screen.contains("JFK→LHR"), "{screen}");
    }
}

#[tokio::test]
async fn a_challenge_is_ticked_only_when_complete() {
    let mut h = Harness::new().await;
    let cmds = h.app.command("points");
    h.run(cmds).await;
    let data = h.app.points.data.as_mut().unwrap();
    let booker = data
        .challenges
        .iter_mut()
        .find(|c| c.name == "Frequent Booker")
        .unwrap();
    // Reached once (the reward was paid), then a booking was cancelled: 2 of 3 now.
    booker.progress = 2;
    booker.completed = true;
    let critic = data
        .challenges
        .iter_mut()
        .find(|c| c.name == "Critic")
        .unwrap();
    critic.progress = critic.goal;
    critic.completed = true;
    snap(&h, "points_challenges");
    for screen in both(&h) {
        let line = |name: &str| {
            screen
                .lines()
                .find(|l| l.contains(name) && l.contains('/'))
                .unwrap()
                .to_string()
        };
        let booker = line("Frequent Booker");
        assert!(booker.contains("· Frequent Booker 2/3"), "{booker}");
        assert!(!booker.contains('✓'), "{booker}");
        assert!(booker.contains("+300 earned"), "{booker}");
        let critic = line("Critic");
        assert!(critic.contains("✓ Critic 2/2"), "{critic}");
    }
}

#[tokio::test]
async fn hotels_search_with_amenities() {
    let mut h = Harness::new().await;
    h.press(KeyCode::Esc).await;
    h.press(KeyCode::Right).await;
    h.press(KeyCode::Tab).await;
    h.type_text("PAR").await;
    for text in ["2027-03-14", "2027-03-17"] {
        h.press(KeyCode::Tab).await;
        h.type_text(text).await;
    }
    h.press(KeyCode::Tab).await;
    h.press(KeyCode::Tab).await;
    h.type_text("wifi, spa").await;
    snap(&h, "search_hotels_amenities");
    h.press(KeyCode::Enter).await;
    snap(&h, "hotels_amenities");
    for screen in both(&h) {
        assert!(screen.contains("with wifi, spa"), "{screen}");
    }
}

#[tokio::test]
async fn package_results_show_package_keys() {
    let mut h = Harness::new().await;
    h.press(KeyCode::Esc).await;
    h.press(KeyCode::Left).await;
    h.press(KeyCode::Enter).await;
    h.press(KeyCode::Char('?')).await;
    snap(&h, "packages_help");
    for screen in both(&h) {
        assert!(
            !screen.contains("stops") && !screen.contains("airline"),
            "{screen}"
        );
    }
}

/// The key hints and the status line fit the width: at 80 columns nothing is cut, and the
/// way to every key (`? help`, or F1 where letters are text) is always there.
#[tokio::test]
async fn key_hints_and_status_fit_at_80_and_120_columns() {
    let mut h = Harness::new().await;
    let mut screens = vec![("search", both(&h))];
    h.search_round_trip("1").await;
    screens.push(("results", both(&h)));
    h.press(KeyCode::Enter).await;
    screens.push(("detail", both(&h)));
    h.press(KeyCode::Char('b')).await;
    screens.push(("book", both(&h)));
    h.press(KeyCode::Esc).await;
    h.press(KeyCode::Char('t')).await;
    screens.push(("trips", both(&h)));
    h.press(KeyCode::Char('p')).await;
    screens.push(("points", both(&h)));
    let cmds = h.app.command("chat");
    h.run(cmds).await;
    screens.push(("chat", both(&h)));
    // A long server address and account: the status line gives way, and says so.
    h.app.mode = booksygo_tui::ModeLabel {
        mode: "https://booksygo.team.example.com:8443".into(),
        user: "grace.hopper@navy.example.com".into(),
    };
    screens.push(("remote", both(&h)));
    for (name, pair) in screens {
        for screen in pair {
            let lines: Vec<&str> = screen.lines().collect();
            let n = lines.len();
            let hints = lines[n - 2].trim_matches('"').trim_end();
            let status = lines[n - 1].trim_matches('"').trim_end();
            assert!(
                hints.ends_with("? help") || hints.ends_with("F1 help"),
                "{name}: hints cut: {hints:?}"
            );
            assert!(
                status.ends_with("? help") || status.ends_with(": commands"),
                "{name}: status cut: {status:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_self_transfer_says_so_in_its_detail_at_both_sizes() {
    let mut h = Harness::new().await;
    // Liverpool's low-cost carriers reach Singapore only on separate tickets.
    h.type_text("LPL").await;
    h.press(KeyCode::Tab).await;
    h.type_text("SIN").await;
    h.press(KeyCode::Tab).await;
    h.type_text(common::DATE).await;
    h.press(KeyCode::Enter).await;
    h.press(KeyCode::Enter).await;
    for (w, ht) in [(80, 24), (120, 40)] {
        let screen = h.render(w, ht);
        assert!(screen.contains("Tickets: self-transfer"), "{screen}");
        assert!(screen.contains(" ! "), "a warning line:\n{screen}");
    }
}

#[tokio::test]
async fn a_booking_lands_in_the_inbox_with_a_badge_until_read() {
    let mut h = Harness::new().await;
    h.search_lhr_jfk().await;
    h.press(KeyCode::Char('b')).await;
    h.fill_booking("4242 4242 4242 4242").await;
    h.press(KeyCode::Enter).await;
    h.press(KeyCode::Char('y')).await;
    // The receipt and the confirmation, unread: the header says so on every view.
    assert_eq!(h.app.inbox.unread(), 2);
    for screen in both(&h) {
        assert!(
            screen.lines().next().unwrap().contains("✉ 2 (i)"),
            "{screen}"
        );
    }
    h.press(KeyCode::Char('i')).await;
    snap(&h, "inbox");
    h.press(KeyCode::Enter).await;
    assert_eq!(h.app.inbox.unread(), 1);
    h.press(KeyCode::Char('a')).await;
    assert_eq!(h.app.inbox.unread(), 0);
    h.press(KeyCode::Char('q')).await;
    for screen in both(&h) {
        assert!(!screen.lines().next().unwrap().contains('✉'), "{screen}");
    }
}
