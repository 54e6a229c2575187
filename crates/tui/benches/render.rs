//! Rendering and keystroke costs of the terminal app, on offers from the sandbox market.
//!
//!   cargo bench -p booksygo-tui --bench render
//!
//! Goals (issue 5): a results table of 1,000 offers renders in <= 2 ms; a keystroke is
//! handled and the frame redrawn in <= 16 ms while a search runs.

use booksygo_core::LocalOptions;
use booksygo_core::config::{Clock, Paths};
use booksygo_core::search::FlightQuery;
use booksygo_core::{Agency, LocalAgency};
use booksygo_tui::app::{App, ResultList, Screen};
use booksygo_tui::{ModeLabel, Msg, view};
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::hint::black_box;

/// 1,000 real offers (the sandbox's LHR -> JFK answer, repeated with distinct ids).
fn offers() -> Vec<booksygo_core::model::FlightOffer> {
    let dir = tempfile::tempdir().unwrap();
    let mut options = LocalOptions::new(Paths::in_dir(dir.path()));
    options.clock = Clock::fixed("2027-03-01T09:00:00Z".parse().unwrap());
    let agency = LocalAgency::open(options).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut q = FlightQuery::one_way("LHR", "JFK", jiff::civil::date(2027, 3, 14));
    q.limit = Some(1000);
    let found = rt.block_on(agency.search_flights(&q)).unwrap().offers;
    assert!(!found.is_empty());
    let mut all = Vec::with_capacity(1000);
    for i in 0..1000 {
        let mut o = found[i % found.len()].clone();
        o.id = format!("{}_{i}", o.id);
        all.push(o);
    }
    all
}

fn app_with(offers: Vec<booksygo_core::model::FlightOffer>) -> App {
    let mut app = App::new(
        ModeLabel::offline("usr_local"),
        jiff::civil::date(2027, 3, 1),
        true,
    );
    let q = FlightQuery::one_way("LHR", "JFK", jiff::civil::date(2027, 3, 14));
    app.results.flight_query = Some(q);
    app.results.list = ResultList::Flights(offers);
    app.results.selected = 500;
    app.stack.push(Screen::Results);
    app
}

fn bench(c: &mut Criterion) {
    let offers = offers();
    let app = app_with(offers.clone());
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("render results 1000 offers {w}x{h}"), |b| {
            b.iter(|| {
                term.draw(|f| view::render(black_box(&app), f)).unwrap();
            })
        });
    }

    // A keystroke while a search is running: update, then redraw.
    let mut busy = app_with(offers);
    busy.results.loading = true;
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut down = true;
    c.bench_function("keystroke j/k + render while searching 120x40", |b| {
        b.iter(|| {
            let code = if down {
                KeyCode::Char('j')
            } else {
                KeyCode::Char('k')
            };
            down = !down;
            let cmds = busy.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
            black_box(cmds);
            term.draw(|f| view::render(&busy, f)).unwrap();
        })
    });

    // The app's own part of start-up: state, then the first frame (process start and opening
    // the store are measured by scripts/tui-first-frame.sh).
    c.bench_function("new app + first frame 80x24", |b| {
        b.iter(|| {
            let app = App::new(
                ModeLabel::offline("usr_local"),
                jiff::civil::date(2027, 3, 1),
                true,
            );
            let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
            term.draw(|f| view::render(&app, f)).unwrap();
            black_box(term);
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
