//! The terminal's own admin routes, beside the shared ones of [`kushki_mock_support::admin`]:
//!
//! * `POST /__admin/cards` queues a customer action (see [`crate::reader`]); `GET` lists the queue,
//!   `DELETE` empties it;
//! * `GET /__admin/terminal` → serial, model, market, state (`waiting_for_call` or the busy
//!   operation and phase) and whether the cloud link is up.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use kushki_mock_support::admin::{admin_body, admin_error};
use serde_json::{Value, json};

use crate::reader::CardAction;
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/__admin/cards", get(list).post(push).delete(clear))
        .route("/__admin/terminal", get(terminal))
}

async fn list(State(s): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({ "cards": s.reader.queued() }))
}

async fn push(State(s): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let body = match admin_body(&headers, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let action: CardAction = match serde_json::from_value(body) {
        Ok(a) => a,
        Err(e) => return admin_error("", e.to_string()),
    };
    if let Err((field, message)) = action.validate() {
        return admin_error(&field, message);
    }
    s.reader.push(action.clone());
    (
        StatusCode::CREATED,
        Json(json!({ "queued": action, "queue_length": s.reader.queued().len() })),
    )
        .into_response()
}

async fn clear(State(s): State<Arc<AppState>>) -> StatusCode {
    s.reader.clear();
    StatusCode::NO_CONTENT
}

async fn terminal(State(s): State<Arc<AppState>>) -> Json<Value> {
    let busy = s.busy().clone();
    Json(json!({
        "serial": s.config.serial,
        "model": s.config.model.name(),
        "country": s.config.country.as_str(),
        "currency": s.currency.as_str(),
        "state": match &busy {
            None => json!("waiting_for_call"),
            Some(b) => json!({"operation": b.operation.as_str(), "client_transaction_id": b.client_transaction_id, "phase": b.phase}),
        },
        "cloud": if s.config.cloud_url.is_none() { "not configured" } else if s.cloud_online.load(Ordering::SeqCst) { "online" } else { "offline" },
    }))
}
