//! The assistant over HTTP: a chat turn streamed as Server-Sent Events, recommendations, an
//! itinerary within a budget, and a book-now-or-wait price prediction. Thin wrappers over
//! `booksygo_core::ai`; conversations are kept per user in the server's database.

use super::ApiJson;
use crate::ApiError;
use crate::auth::AuthUser;
use axum::Json;
use axum::http::StatusCode;
use axum::response::sse::{Event, Sse};
use booksygo_core::ai::conversation::Which;
use booksygo_core::ai::plan::{Itinerary, PlanRequest};
use booksygo_core::ai::predict::Prediction;
use booksygo_core::ai::recommend::Recommendation;
use booksygo_core::ai::{Assistant, Backend, openai};
use booksygo_core::model::Cabin;
use jiff::civil::Date;
use serde::Deserialize;
use std::convert::Infallible;

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
    let chats = state.chats.clone();
    let user = u.id.clone();
    let which = match b.conversation_id.clone() {
        Some(id) => Which::Id(id),
        None => Which::New,
    };
    let conv = chats.open(&user, which).await?;
    let backend = match state.llm.as_deref() {
        Some(cfg) => Backend::OpenAi(Box::new(openai::OpenAiBackend::new(cfg.clone())?)),
        None => Backend::Offline,
    };
    let assistant = Assistant {
        today: state.team.today(),
        agency: u.agency.clone(),
        backend,
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    tokio::spawn(async move {
        let mut conv = conv;
        let text_tx = tx.clone();
        let result = chats
            .turn(
                &assistant,
                &user,
                &mut conv,
                &b.message,
                &mut |delta: &str| {
                    let _ = text_tx.send(Event::default().event("text").data(delta));
                },
            )
            .await;
        let last = match result {
            Ok(reply) => Event::default()
                .event("reply")
                .json_data(&reply)
                .unwrap_or_default(),
            Err(e) => {
                let e = ApiError::from(e);
                Event::default()
                    .event("error")
                    .json_data(serde_json::json!({"error": {"code": e.code, "message": e.message}}))
                    .unwrap_or_default()
            }
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
        booksygo_core::ai::recommend::recommend(&*u.agency, b.limit.unwrap_or(5).min(20)).await?,
    ))
}

/// `POST /api/ai/itinerary`: a day-by-day plan that never exceeds the budget or the dates.
pub async fn itinerary(
    u: AuthUser,
    ApiJson(b): ApiJson<PlanRequest>,
) -> Result<Json<Itinerary>, ApiError> {
    Ok(Json(booksygo_core::ai::plan::plan(&*u.agency, &b).await?))
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
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    _: AuthUser,
    ApiJson(b): ApiJson<PredictBody>,
) -> Result<Json<Prediction>, ApiError> {
    Ok(Json(
        state
            .team
            .predict_price(
                &b.origin,
                &b.destination,
                b.date,
                b.cabin.unwrap_or(Cabin::Economy),
            )
            .await?,
    ))
}
