//! The executor: runs each `Cmd` against the agency on tokio and answers with a `Msg`.

use crate::chat::ChatEngine;
use crate::msg::{Answer, Cmd, Msg, PointsData};
use booksygo_core::Agency;
use jiff::Timestamp;
use std::sync::Arc;

const NO_ASSISTANT: &str = "the assistant is not available in this session: its settings did not load (run `booksygo chat hi` to see why, or open the app with --offline)";

fn answer<T>(r: booksygo_core::Result<T>) -> Answer<T> {
    r.map_err(|e| {
        crate::log::line(&format!("error: {e}"));
        e.to_string()
    })
}

async fn points(agency: &dyn Agency) -> booksygo_core::Result<PointsData> {
    Ok(PointsData {
        balance: agency.points().await?,
        history: agency.points_history().await?,
        badges: agency.badges().await?,
        challenges: agency.challenges().await?,
        leaderboard: agency.leaderboard(10).await?,
    })
}

/// Runs one command to its answer; `emit` receives messages before it (a flight search's
/// per-provider previews, a chat reply's pieces). `chat` is the assistant, when there is one.
pub async fn execute(
    agency: &dyn Agency,
    chat: Option<&ChatEngine>,
    cmd: Cmd,
    emit: &(dyn Fn(Msg) + Send + Sync),
) -> Msg {
    crate::log::line(&format!("cmd: {}", name(&cmd)));
    match cmd {
        Cmd::LoadInfo => Msg::Info(answer(agency.info().await)),
        Cmd::Suggest { field, query } => {
            let answer = answer(agency.suggest_places(&query, 6).await);
            Msg::Suggestions {
                field,
                query,
                answer,
            }
        }
        Cmd::SearchFlights { seq, query } => {
            let progress = |update| emit(Msg::FlightsProgress { seq, update });
            Msg::Flights {
                seq,
                answer: answer(agency.search_flights_streaming(&query, &progress).await),
                at: Timestamp::now(),
            }
        }
        Cmd::Calendar { seq, query } => Msg::Calendar {
            seq,
            answer: answer(agency.flight_calendar(&query).await),
        },
        Cmd::SearchHotels { seq, query } => Msg::Hotels {
            seq,
            answer: answer(agency.search_hotels(&query).await),
            at: Timestamp::now(),
        },
        Cmd::SearchPackages { seq, query } => Msg::Packages {
            seq,
            answer: answer(agency.search_packages(&query).await),
            at: Timestamp::now(),
        },
        Cmd::LoadPackage(id) => Msg::Package(answer(agency.get_package(&id).await)),
        Cmd::LoadBookingPoints => Msg::BookingPoints(answer(points(agency).await)),
        Cmd::Book(req) => Msg::Booked(answer(agency.create_booking(*req).await)),
        Cmd::LoadBookings => Msg::Bookings(answer(agency.list_bookings(None).await)),
        Cmd::QuoteCancel(id) => Msg::Quote(answer(agency.quote_cancellation(&id).await)),
        Cmd::Cancel {
            id,
            idempotency_key,
        } => Msg::Cancelled(answer(
            agency.cancel_booking(&id, Some(idempotency_key)).await,
        )),
        Cmd::ExportIcs { id, path } => {
            let written = match agency.booking_calendar(&id).await {
                Ok(cal) => std::fs::write(&path, &cal)
                    .map(|_| (path.clone(), cal.matches("BEGIN:VEVENT").count()))
                    .map_err(|e| format!("cannot write {}: {e}", path.display())),
                Err(e) => Err(e.to_string()),
            };
            Msg::Exported(written)
        }
        Cmd::LoadPoints => Msg::Points(answer(points(agency).await)),
        Cmd::LoadInbox => Msg::Inbox(answer(agency.inbox(false, 100).await)),
        Cmd::MarkRead(id) => Msg::Marked(answer(agency.mark_read(id.as_deref()).await)),
        Cmd::LoadWatches => Msg::Watches(answer(agency.watches().await)),
        Cmd::AddWatch(new) => Msg::Watched(answer(agency.add_watch(&new).await)),
        Cmd::RemoveWatch(id) => Msg::Unwatched(answer(agency.remove_watch(&id).await)),
        Cmd::ChatOpen => Msg::ChatOpened(match chat {
            Some(c) => answer(c.open().await),
            None => Err(NO_ASSISTANT.into()),
        }),
        Cmd::ChatSend(text) => Msg::ChatReplied(match chat {
            Some(c) => answer(
                c.send(&text, &mut |piece: &str| {
                    emit(Msg::ChatText(piece.to_string()))
                })
                .await,
            ),
            None => Err(NO_ASSISTANT.into()),
        }),
    }
}

/// A command's name for the log (never its contents: a booking carries a card number).
fn name(cmd: &Cmd) -> &'static str {
    match cmd {
        Cmd::LoadInfo => "info",
        Cmd::Suggest { .. } => "suggest",
        Cmd::SearchFlights { .. } => "search flights",
        Cmd::Calendar { .. } => "calendar",
        Cmd::SearchHotels { .. } => "search hotels",
        Cmd::SearchPackages { .. } => "search packages",
        Cmd::LoadPackage(_) => "package",
        Cmd::LoadBookingPoints => "booking points",
        Cmd::Book(_) => "book",
        Cmd::LoadBookings => "bookings",
        Cmd::QuoteCancel(_) => "quote cancel",
        Cmd::Cancel { .. } => "cancel",
        Cmd::ExportIcs { .. } => "export ics",
        Cmd::LoadPoints => "points",
        Cmd::LoadInbox => "inbox",
        Cmd::MarkRead(_) => "mark read",
        Cmd::LoadWatches => "watches",
        Cmd::AddWatch(_) => "add watch",
        Cmd::RemoveWatch(_) => "remove watch",
        Cmd::ChatOpen => "chat open",
        Cmd::ChatSend(_) => "chat send",
    }
}

/// Where answers go: the UI thread's inbox.
pub trait Inbox: Send + Sync + 'static {
    fn deliver(&self, msg: Msg);
}

/// Spawns a command on the runtime; its answer is delivered to `inbox`.
pub fn spawn(
    rt: &tokio::runtime::Handle,
    agency: Arc<dyn Agency>,
    chat: Option<Arc<ChatEngine>>,
    cmd: Cmd,
    inbox: impl Inbox,
) {
    rt.spawn(async move {
        let msg = execute(&*agency, chat.as_deref(), cmd, &|m| inbox.deliver(m)).await;
        inbox.deliver(msg);
    });
}
