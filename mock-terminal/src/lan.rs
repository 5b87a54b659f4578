//! The LAN and localhost transport: `http://{ip}:6868/terminal/v1/{op}`, `/terminal/v1/sync/{op}`
//! and `/terminal/v1/async/{op}` (ref §1.2), all handed to [`crate::connect::handle`].

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use kushki_mock_support::body::MAX_BODY_BYTES;
use kushki_protocol::errors::ConnectCode;

use crate::connect::{Incoming, Outgoing, Via, handle};
use crate::state::AppState;

/// The Connect routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new().route("/terminal/v1/{*route}", any(connect))
}

async fn connect(
    State(state): State<Arc<AppState>>,
    Path(route): Path<String>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        let failure = ConnectCode::InvalidField
            .failure()
            .with_message(format!("the request body exceeds {MAX_BODY_BYTES} bytes"));
        return (StatusCode::BAD_REQUEST, axum::Json(failure)).into_response();
    };
    let incoming = Incoming {
        method,
        route,
        query,
        authorization: header("authorization"),
        timestamp: header("timestamp"),
        body,
        via: Via::Lan,
    };
    match handle(&state, incoming).await {
        Outgoing::Answer(status, text) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            [(header::CONTENT_TYPE, "application/json")],
            text,
        )
            .into_response(),
        Outgoing::Drop => kushki_mock_support::server::dropped_connection(),
        Outgoing::Hang => {
            state.shutdown.notified().await;
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}
