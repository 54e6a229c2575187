//! `GET /api/events/stream`: the traveller's own events as Server-Sent Events. Events come
//! from the outbox table, so every event written by any process or instance shows up. On
//! PostgreSQL the stream reads it when the instance's `LISTEN` connection rings (and every
//! few seconds in case a ring was lost); on SQLite it polls.

use crate::auth::AuthUser;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;

/// How often the outbox is read for new events when nothing rings (SQLite).
const POLL: Duration = Duration::from_millis(500);
/// How often it is read anyway when the database rings on new events (PostgreSQL).
const FALLBACK: Duration = Duration::from_secs(5);

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamParams {
    /// Start after this sequence number (default: from now on). `Last-Event-ID` wins.
    after: Option<i64>,
}

pub async fn stream(
    State(s): State<AppState>,
    u: AuthUser,
    headers: HeaderMap,
    super::ApiQuery(p): super::ApiQuery<StreamParams>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let team = s.team.clone();
    let start = match resume.or(p.after) {
        Some(seq) => seq,
        None => team.last_event().await?,
    };
    let user = u.id.clone();
    // Subscribed before the first read: a ring that comes between a read and the next wait
    // is kept for that wait.
    let signal = team.event_signal();
    let state = (team, user, start, true, signal);
    let s = stream::unfold(state, |(team, user, after, first, mut signal)| async move {
        if !first {
            match signal.as_mut() {
                Some(rings) => {
                    tokio::select! {
                        _ = rings.recv() => {}
                        () = tokio::time::sleep(FALLBACK) => {}
                    }
                }
                None => tokio::time::sleep(POLL).await,
            }
        }
        let batch = team.events_for(&user, after, 100).await.unwrap_or_default();
        let next = batch.last().map_or(after, |e| e.seq);
        let frames: Vec<Result<Event, Infallible>> = batch
            .iter()
            .map(|e| {
                Ok(Event::default()
                    .id(e.seq.to_string())
                    .event(e.kind.clone())
                    .data(serde_json::to_string(e).unwrap_or_default()))
            })
            .collect();
        Some((stream::iter(frames), (team, user, next, false, signal)))
    });
    Ok(Sse::new(futures_util::StreamExt::flatten(s)).keep_alive(KeepAlive::default()))
}
