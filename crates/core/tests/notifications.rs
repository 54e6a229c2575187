//! Notifications against a real SMTP server on loopback (aiosmtpd), on both engines: what an
//! e-mail carries (both parts, its language, the booking's calendar, parsed by another
//! program), once per event whatever the number of notifiers, a temporary refusal retried
//! and given up after the last try, a permanent one recorded, preferences, and the reminder
//! the day before a trip.

mod common;

#[path = "../../../tests/smtp/sink.rs"]
mod sink;

use booksygo_core::config::{Clock, Paths};
use booksygo_core::notify::mail::Mailer;
use booksygo_core::notify::{Notifier, Round};
use booksygo_core::profile::ProfileUpdate;
use booksygo_core::{Agency, LocalAgency, LocalOptions};
use common::{Kept, agency_on, on_engines};
use jiff::{Timestamp, ToSpan};
use sink::Sink;

fn mailer(sink: &Sink) -> Notifier {
    Notifier::new(Some(
        Mailer::new(&sink.url(), "BooksyGo <trips@booksygo.test>", None).unwrap(),
    ))
}

/// Another agency (another process, after a restart) on `kept`'s data at `now`.
fn reopen(kept: &Kept, now: Timestamp, notifier: Notifier) -> LocalAgency {
    let mut options = LocalOptions::new(Paths::in_dir(kept.dir()));
    options.clock = Clock::fixed(now);
    options.database_url = kept.database_url().map(str::to_string);
    options.notifier = notifier;
    LocalAgency::open(options).unwrap()
}

/// A traveller account with `email`, writing in `locale`.
async fn traveller(a: &LocalAgency, email: &str, locale: &str) -> LocalAgency {
    let email = email.to_string();
    let id = a
        .store()
        .write(|u| {
            booksygo_core::accounts::register(
                u,
                &email,
                "correct horse battery",
                "Ada",
                "L",
                "user",
                0,
            )
        })
        .unwrap()
        .id;
    let t = a.as_user(&id);
    t.update_profile(&ProfileUpdate {
        locale: Some(locale.into()),
        time_zone: Some("Europe/Paris".into()),
        ..ProfileUpdate::default()
    })
    .await
    .unwrap();
    t
}

async fn book(t: &LocalAgency) -> booksygo_core::booking::Booking {
    let offer = common::ba_offer(t).await;
    t.create_booking(common::ada_request(&offer.id, Some("4242424242424242")))
        .await
        .unwrap()
}

fn header<'a>(m: &'a serde_json::Value, name: &str) -> &'a str {
    m["headers"][name].as_str().unwrap_or_default()
}

on_engines!(
    #[tokio::test]
    a_confirmed_booking_is_mailed_once_in_the_travellers_language_with_its_calendar
);
async fn a_confirmed_booking_is_mailed_once_in_the_travellers_language_with_its_calendar(
    engine: &str,
) {
    let sink = Sink::start();
    let (kept, a) = agency_on(engine, |o| o.notifier = mailer(&sink));
    let t = traveller(&a, "ada@example.com", "fr").await;
    let booking = book(&t).await;

    let round = t.deliver_notifications().unwrap();
    // A welcome, the receipt and the confirmation.
    assert_eq!((round.noticed, round.sent), (3, 3), "{round:?}");

    // Another notifier on the same data (a restart, a second instance) finds nothing to do.
    let again = reopen(&kept, common::now(), mailer(&sink));
    assert_eq!(again.deliver_notifications().unwrap(), Round::default());
    assert_eq!(t.deliver_notifications().unwrap(), Round::default());

    let messages = sink.messages();
    assert_eq!(messages.len(), 3, "{messages:#?}");
    let confirmed = messages
        .iter()
        .find(|m| header(m, "Subject").contains("est confirmée"))
        .expect("the confirmation, in French");
    assert_eq!(
        header(confirmed, "Subject"),
        format!("La réservation {} est confirmée", booking.confirmation_code)
    );
    assert_eq!(header(confirmed, "Content-Language"), "fr");
    assert_eq!(header(confirmed, "To"), "ada@example.com");
    assert!(header(confirmed, "From").contains("trips@booksygo.test"));
    assert!(header(confirmed, "Message-ID").ends_with("@booksygo.test>"));
    assert!(!header(confirmed, "Date").is_empty());
    assert_eq!(confirmed["content_type"], "multipart/mixed");
    let parts = confirmed["parts"].as_array().unwrap();
    let kinds: Vec<&str> = parts
        .iter()
        .map(|p| p["content_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["text/plain", "text/html", "text/calendar"]);
    let text = parts[0]["text"].as_str().unwrap();
    assert!(text.contains(&booking.confirmation_code));
    assert!(text.contains("dimanche 14 mars 2027"), "{text}");
    assert!(text.contains("booksygo inbox prefs booking_confirmed none"));
    assert!(
        parts[1]["text"]
            .as_str()
            .unwrap()
            .contains("<html lang=\"fr\">")
    );
    // Nothing sealed at rest travels in a notice: not the traveller's family name.
    assert!(!text.contains("Lovelace"));

    // The calendar, read by an iCalendar parser: the flight, as a VEVENT.
    let ics = parts[2]["text"].as_str().unwrap();
    assert!(parts[2]["attachment"].as_bool().unwrap());
    assert!(parts[2]["filename"].as_str().unwrap().ends_with(".ics"));
    let calendar: icalendar::Calendar = ics.parse().unwrap();
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert_eq!(events.len(), 1, "{ics}");
    use icalendar::Component;
    assert!(events[0].get_summary().unwrap().contains("LHR to JFK"));

    // The inbox has them too, newest first, unread.
    let inbox = t.inbox(false, 50).await.unwrap();
    assert_eq!(inbox.unread, 3);
    assert_eq!(inbox.notices.len(), 3);
    assert_eq!(t.mark_read(Some(&inbox.notices[0].id)).await.unwrap(), 1);
    assert_eq!(t.inbox(true, 50).await.unwrap().notices.len(), 2);
    // Someone else's notice is not there to be read.
    let other = traveller(&a, "grace@example.com", "en").await;
    assert_eq!(
        other
            .mark_read(Some(&inbox.notices[1].id))
            .await
            .unwrap_err()
            .kind(),
        booksygo_core::ErrorKind::NotFound
    );
}

on_engines!(
    #[tokio::test]
    a_temporary_refusal_is_retried_then_left_to_an_admin
);
async fn a_temporary_refusal_is_retried_then_left_to_an_admin(engine: &str) {
    let sink = Sink::start();
    let (kept, a) = agency_on(engine, |o| o.notifier = mailer(&sink));
    let t = traveller(&a, "tempfail@example.com", "en").await;
    let round = t.deliver_notifications().unwrap();
    assert_eq!((round.noticed, round.deferred), (1, 1), "{round:?}");

    // Not again before its time.
    assert_eq!(t.deliver_notifications().unwrap(), Round::default());

    // Each later try is refused, until the last one gives up.
    let mut at = common::now();
    let mut deferred = 1;
    for _ in 1..booksygo_core::notify::courier::MAX_TRIES {
        at = at.checked_add(7.hours()).unwrap();
        let r = reopen(&kept, at, mailer(&sink))
            .deliver_notifications()
            .unwrap();
        deferred += r.deferred;
        if r.failed == 1 {
            break;
        }
    }
    assert_eq!(
        deferred,
        booksygo_core::notify::courier::MAX_TRIES as usize - 1
    );
    assert!(sink.messages().is_empty());

    let admin_id = a
        .store()
        .write(|u| {
            booksygo_core::accounts::register(
                u,
                "root@team.test",
                "correct horse battery",
                "R",
                "T",
                "admin",
                0,
            )
        })
        .unwrap()
        .id;
    let failed = a
        .store()
        .read(|u| booksygo_core::notify::failed(u, &admin_id, 10))
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].status, "dead");
    assert_eq!(
        failed[0].attempts,
        booksygo_core::notify::courier::MAX_TRIES
    );
    assert!(
        failed[0].last_error.as_deref().unwrap().contains("451"),
        "{failed:?}"
    );
    // A traveller may not look.
    assert!(
        a.store()
            .read(|u| booksygo_core::notify::failed(u, t.user(), 10))
            .is_err()
    );

    // An admin puts it back in line: it is tried at the next round.
    a.store()
        .write(|u| booksygo_core::notify::retry(u, &admin_id, &failed[0].id, at.as_second()))
        .unwrap();
    let r = reopen(&kept, at, mailer(&sink))
        .deliver_notifications()
        .unwrap();
    assert_eq!(r.deferred, 1, "{r:?}");
}

on_engines!(
    #[tokio::test]
    a_permanent_refusal_is_recorded_and_never_retried
);
async fn a_permanent_refusal_is_recorded_and_never_retried(engine: &str) {
    let sink = Sink::start();
    let (kept, a) = agency_on(engine, |o| o.notifier = mailer(&sink));
    let t = traveller(&a, "bounce@example.com", "de").await;
    let r = t.deliver_notifications().unwrap();
    assert_eq!((r.noticed, r.failed, r.deferred), (1, 1, 0), "{r:?}");
    let later = common::now().checked_add(48.hours()).unwrap();
    assert_eq!(
        reopen(&kept, later, mailer(&sink))
            .deliver_notifications()
            .unwrap(),
        Round::default()
    );
    let rows = common::texts(
        &a,
        "SELECT status || ' ' || attempts || ' ' || last_error FROM notice_mail",
        &[],
    );
    assert_eq!(rows.len(), 1);
    assert!(rows[0].starts_with("failed 1 "), "{rows:?}");
    assert!(rows[0].contains("550"), "{rows:?}");

    // Greylisting: refused once, sent at the next try after the backoff.
    let g = traveller(&a, "onefail@example.com", "es").await;
    let r = g.deliver_notifications().unwrap();
    assert_eq!(r.deferred, 1, "{r:?}");
    let minute_later = common::now().checked_add(61.seconds()).unwrap();
    let r = reopen(&kept, minute_later, mailer(&sink))
        .deliver_notifications()
        .unwrap();
    assert_eq!(r.sent, 1, "{r:?}");
    let sent = sink.messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(header(&sent[0], "Subject"), "Bienvenido a BooksyGo");
    assert_eq!(header(&sent[0], "Content-Language"), "es");
}

on_engines!(
    #[tokio::test]
    each_kind_goes_where_the_traveller_chose
);
async fn each_kind_goes_where_the_traveller_chose(engine: &str) {
    let sink = Sink::start();
    let (_kept, a) = agency_on(engine, |o| o.notifier = mailer(&sink));
    let t = traveller(&a, "ada@example.com", "en").await;
    t.set_notification_preference("welcome", "none")
        .await
        .unwrap();
    t.set_notification_preference("payment_receipt", "email")
        .await
        .unwrap();
    let prefs = t
        .set_notification_preference("booking_confirmed", "in_app")
        .await
        .unwrap();
    assert_eq!(prefs.len(), 7);
    assert!(
        t.set_notification_preference("booking_confirmed", "pigeon")
            .await
            .unwrap_err()
            .to_string()
            .contains("email, in_app, both or none")
    );
    book(&t).await;
    let r = t.deliver_notifications().unwrap();
    assert_eq!((r.noticed, r.sent), (2, 1), "{r:?}");
    let mails = sink.messages();
    assert_eq!(mails.len(), 1);
    assert!(header(&mails[0], "Subject").starts_with("Receipt for booking"));
    let inbox = t.inbox(false, 10).await.unwrap();
    let subjects: Vec<&str> = inbox.notices.iter().map(|n| n.subject.as_str()).collect();
    assert_eq!(subjects.len(), 1, "{subjects:?}");
    assert!(subjects[0].contains("is confirmed"));

    // Without SMTP, what was to be e-mailed lands in the inbox instead.
    let (_k2, offline) = agency_on(engine, |_| {});
    let o = traveller(&offline, "ada@example.com", "en").await;
    o.set_notification_preference("welcome", "email")
        .await
        .unwrap();
    // The welcome, meant for e-mail, is in the inbox with the receipt and the confirmation.
    book(&o).await;
    offline.deliver_notifications().unwrap();
    let inbox = o.inbox(false, 10).await.unwrap();
    assert_eq!(inbox.notices.len(), 3, "{inbox:?}");
}

on_engines!(
    #[tokio::test]
    a_reminder_comes_once_the_day_before_departure
);
async fn a_reminder_comes_once_the_day_before_departure(engine: &str) {
    let (kept, a) = agency_on(engine, |_| {});
    let t = traveller(&a, "ada@example.com", "en").await;
    let booking = book(&t).await;
    let departs = booking.items[0].starts_at;
    // Two days before: nothing yet.
    let early = reopen(
        &kept,
        departs.checked_sub(48.hours()).unwrap(),
        Notifier::new(None),
    );
    early.deliver_notifications().unwrap();
    let reminders = |who: &LocalAgency| {
        let who = who.clone();
        async move {
            who.inbox(false, 50)
                .await
                .unwrap()
                .notices
                .into_iter()
                .filter(|n| n.kind == "reminder")
                .count()
        }
    };
    assert_eq!(reminders(&t).await, 0);
    // Twenty hours before: one, and only one however often the notifier runs.
    let close = departs.checked_sub(20.hours()).unwrap();
    for _ in 0..3 {
        reopen(&kept, close, Notifier::new(None))
            .deliver_notifications()
            .unwrap();
    }
    assert_eq!(reminders(&t).await, 1);
    let inbox = t.inbox(false, 50).await.unwrap();
    let body = &inbox
        .notices
        .iter()
        .find(|n| n.kind == "reminder")
        .unwrap()
        .body;
    assert!(body.contains(&booking.confirmation_code));
    // In the traveller's zone (Paris): the BA flight's departure, with CET.
    assert!(body.contains("CET"), "{body}");
}

on_engines!(
    #[tokio::test]
    notifiers_racing_announce_each_event_once
);
async fn notifiers_racing_announce_each_event_once(engine: &str) {
    let (kept, a) = agency_on(engine, |_| {});
    let t = traveller(&a, "ada@example.com", "en").await;
    for _ in 0..3 {
        book(&t).await;
    }
    let racers: Vec<_> = (0..4)
        .map(|_| {
            let agency = reopen(&kept, common::now(), Notifier::new(None));
            std::thread::spawn(move || agency.deliver_notifications().unwrap().noticed)
        })
        .collect();
    let noticed: usize = racers.into_iter().map(|r| r.join().unwrap()).sum();
    // The welcome, then a receipt and a confirmation per booking.
    assert_eq!(noticed, 7);
    assert_eq!(t.inbox(false, 50).await.unwrap().notices.len(), 7);
}
