//! The assistant over HTTP: a chat turn streamed as Server-Sent Events, recommendations, an
//! itinerary within a budget, and a book-now-or-wait price prediction. Thin wrappers over
//! `booksygo_core::ai`; conversations are kept per user in the server's database.

use super::{ApiJson, blocking};
use crate::ApiError;
use crate::auth::AuthUser;
use axum::Json;
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use booksygo_core::ai::conversation::{self, Conversation};
use booksygo_core::ai::plan::{Itinerary, PlanRequest};
use booksygo_core::ai::predict::Prediction;
use booksygo_core::ai::recommend::Recommendation;
use booksygo_core::ai::{Assistant, Backend, openai};
use booksygo_core::model::Cabin;
use jiff::civil::Date;
use serde::Deserialize;
use std::convert::Infallible;
use std::sync::Arc;

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatBody {
    message: String,
    /// Continue this conversation (yours); a new one when absent.
    #[serde(default)]
    conversation_id: Option<String>,
}

/// `POST /api/ai/chat`: `text` events carry the reply as it is written, then `reply` carries
/// the whole turn (`conversation_id`, `reply`, `tool_calls`, `awaiting_confirmation`), or
/// `error`. A booking waits for the person's "yes" in a later message, as in the CLI.
pub async fn chat(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    u: AuthUser,
    ApiJson(b): ApiJson<ChatBody>,
) -> Result<Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>>, ApiError> {
    if b.message.trim().is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            "the message is empty",
        ));
    }
    let store = u.agency.store().clone();
    let user = u.id.clone();
    let conv = match b.conversation_id.clone() {
        Some(id) => {
            let (store, user) = (store.clone(), user.clone());
            blocking(move || conversation::load(&*store.conn()?, &user, &id)).await?
        }
        None => Conversation::new(),
    };
    let backend = match state.llm.as_deref() {
        Some(cfg) => Backend::OpenAi(Box::new(openai::OpenAiBackend::new(cfg.clone())?)),
        None => Backend::Offline,
    };
    let assistant = Assistant {
        today: u.agency.today(),
        agency: Arc::new(u.agency.clone()),
        backend,
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    tokio::spawn(async move {
        let mut conv = conv;
        let text_tx = tx.clone();
        let result = assistant
            .send(&mut conv, &b.message, &mut |delta: &str| {
                let _ = text_tx.send(Event::default().event("text").data(delta));
            })
            .await;
        // What was said is kept whatever happened, as in the CLI.
        let now = jiff::Timestamp::now().as_second();
        let saved = tokio::task::spawn_blocking(move || {
            conversation::save(&mut *store.conn()?, &user, &mut conv, now)
        })
        .await;
        let last = match (result, saved) {
            (Ok(reply), Ok(Ok(()))) => Event::default()
                .event("reply")
                .json_data(&reply)
                .unwrap_or_default(),
            (Err(e), _) | (Ok(_), Ok(Err(e))) => {
                let e = ApiError::from(e);
                Event::default()
                    .event("error")
                    .json_data(serde_json::json!({"error": {"code": e.code, "message": e.message}}))
                    .unwrap_or_default()
            }
            (Ok(_), Err(e)) => Event::default()
                .event("error")
                .json_data(
                    serde_json::json!({"error": {"code": "internal", "message": e.to_string()}}),
                )
                .unwrap_or_default(),
        };
        let _ = tx.send(last);
    });
    let stream =
        futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|e| (Ok(e), rx)) },
        );
    Ok(Sse::new(stream))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendBody {
    #[serde(default)]
    limit: Option<usize>,
}

/// `POST /api/ai/recommend`: packages ranked from your preferences and history, each with why.
pub async fn recommend(
    u: AuthUser,
    ApiJson(b): ApiJson<RecommendBody>,
) -> Result<Json<Vec<Recommendation>>, ApiError> {
    Ok(Json(
        booksygo_core::ai::recommend::recommend(&u.agency, b.limit.unwrap_or(5).min(20)).await?,
    ))
}

/// `POST /api/ai/itinerary`: a day-by-day plan that never exceeds the budget or the dates.
pub async fn itinerary(
    u: AuthUser,
    ApiJson(b): ApiJson<PlanRequest>,
) -> Result<Json<Itinerary>, ApiError> {
    Ok(Json(booksygo_core::ai::plan::plan(&u.agency, &b).await?))
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PredictBody {
    origin: String,
    destination: String,
    date: Date,
    #[serde(default)]
    cabin: Option<Cabin>,
}

/// `POST /api/ai/predict-price`: book now or wait, with the trend and a stated confidence.
pub async fn predict_price(
    u: AuthUser,
    ApiJson(b): ApiJson<PredictBody>,
) -> Result<Json<Prediction>, ApiError> {
    Ok(Json(
        booksygo_core::ai::predict::predict(
            &u.agency,
            &b.origin,
            &b.destination,
            b.date,
            b.cabin.unwrap_or(Cabin::Economy),
        )
        .await?,
    ))
}
