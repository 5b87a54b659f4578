//! The terminal's own admin routes, beside the shared ones of [`kushki_mock_support::admin`]:
//!
//! * `POST /__admin/cards` queues a customer action (see [`crate::reader`]); `GET` lists the queue,
//!   `DELETE` empties it;
//! * `GET /__admin/terminal` → serial, model, market, state (`waiting_for_call` or the busy
//!   operation and phase) and whether the cloud link is up;
//! * `/__admin/acquirer/{path}` → the same request to the terminal's acquirer at `/{path}`
//!   (harness-defined): a suite pointed at a terminal on the LAN steers and reads the acquirer
//!   behind it through the terminal, wherever that acquirer lives (another container, a host the
//!   suite cannot reach). Only `__admin/…` paths are forwarded.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use bytes::Bytes;
use kushki_mock_support::admin::{admin_body, admin_error, admin_error_status};
use serde_json::{Value, json};

use crate::reader::CardAction;
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/__admin/cards", get(list).post(push).delete(clear))
        .route("/__admin/terminal", get(terminal))
        .route("/__admin/acquirer/{*path}", any(to_acquirer))
}

/// Forwards an admin request to the acquirer this terminal uses (see the module doc).
async fn to_acquirer(
    State(s): State<Arc<AppState>>,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !path.starts_with("__admin/") {
        return admin_error("path", "only the acquirer's /__admin/ routes are forwarded");
    }
    let mut url = crate::state::acquirer_url_text(&s.config.acquirer_url, &format!("/{path}"));
    if let Some(q) = query {
        url.push('?');
        url.push_str(&q);
    }
    let mut req = s.http.request(method, &url).body(body);
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    match req.send().await {
        Ok(resp) => {
            let status = resp.status();
            let content_type = resp.headers().get(header::CONTENT_TYPE).cloned();
            let bytes = resp.bytes().await.unwrap_or_default();
            let mut answer = (status, bytes).into_response();
            if let Some(ct) = content_type {
                answer.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            answer
        }
        Err(e) => admin_error_status(
            StatusCode::BAD_GATEWAY,
            "acquirer",
            format!("the terminal cannot reach its acquirer: {e}"),
        ),
    }
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
