//! The admin API under `/__admin/`, the same on every mock (JSON over HTTP, any language):
//!
//! | route | what |
//! |---|---|
//! | `GET /__admin/health` | `{"status":"ok"}` |
//! | `GET /__admin/journal` | `{"entries":[…]}`, masked, oldest first |
//! | `DELETE /__admin/journal` | empties the in-memory window (204) |
//! | `GET /__admin/clock` | `{"now":"<RFC 3339>","mode":"system"\|"manual"}` |
//! | `POST /__admin/clock` | `{"set":"<RFC 3339>"}` or `{"advance_seconds":N}`: switches to manual; kept from 1970-01-01 to 9999-12-30T22:00:00Z |
//! | `GET /__admin/behaviours` | `{"behaviours":[…]}` |
//! | `POST /__admin/behaviours` | adds one (201) |
//! | `DELETE /__admin/behaviours` | removes all (204) |
//! | `POST /__admin/reset` | state, journal, behaviours and clock back to the start |
//! | `GET /__admin/tls/ca.pem` | the CA certificate HTTPS clients trust (`application/x-pem-file`); 404 when the mock serves no HTTPS |
//!
//! Admin errors answer 400 `{"error":{"field":…,"message":…}}` (harness-defined: the admin API
//! is the harness's own).

use std::sync::Arc;

use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::behaviours::{self, Behaviours};
use crate::body::json_object;
use crate::clock::VirtualClock;
use crate::journal::Journal;

/// What a mock exposes to the admin API.
pub trait MockAdmin: Send + Sync + 'static {
    /// The mock's journal.
    fn journal(&self) -> &Journal;
    /// The mock's clock.
    fn clock(&self) -> &VirtualClock;
    /// The mock's behaviours.
    fn behaviours(&self) -> &Behaviours;
    /// Resets the mock's own state (ledger, terminals, …); journal, behaviours and clock are
    /// reset by the admin API itself.
    fn reset_state(&self);
    /// The PEM certificate a client of the mock's HTTPS listeners trusts
    /// ([`crate::tls::Tls::ca_pem`]), or `None` when it serves none.
    fn tls_ca_pem(&self) -> Option<String> {
        None
    }
}

/// Why the clock stays at or after the Unix epoch: both APIs carry times as non-negative Unix
/// seconds or milliseconds (Connect's `timestamp` header, the raw API's `transaction_date`).
const BEFORE_EPOCH: &str =
    "would put the clock before 1970-01-01T00:00:00Z: the APIs' Unix timestamps cannot say it";

/// An admin error: 400 with the field and the reason.
pub fn admin_error(field: &str, message: impl Into<String>) -> Response {
    admin_error_status(StatusCode::BAD_REQUEST, field, message)
}

/// The admin error envelope `{"error":{"field","message"}}` with another status (404, 502, 504).
pub fn admin_error_status(status: StatusCode, field: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": {"field": field, "message": message.into()}})),
    )
        .into_response()
}

/// Parses an admin body, answering the admin error envelope on failure.
#[allow(clippy::result_large_err)]
pub fn admin_body(headers: &HeaderMap, bytes: &[u8]) -> Result<Value, Response> {
    json_object(headers, bytes).map_err(|e| admin_error("", e.to_string()))
}

/// An admin request's body as a JSON object: a handler takes it as an extractor, and a body
/// that is not one is answered with the admin error envelope ([`admin_body`]) before the handler
/// runs.
#[derive(Debug)]
pub struct AdminJson(pub Value);

impl<S: Send + Sync> FromRequest<S> for AdminJson {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        admin_body(&headers, &bytes).map(AdminJson)
    }
}

/// The admin routes, to be merged into the mock's router.
pub fn router<S: MockAdmin>(state: Arc<S>) -> Router {
    Router::new()
        .route("/__admin/health", get(health))
        .route(
            "/__admin/journal",
            get(journal::<S>).delete(clear_journal::<S>),
        )
        .route("/__admin/clock", get(clock::<S>).post(set_clock::<S>))
        .route(
            "/__admin/behaviours",
            get(list_behaviours::<S>)
                .post(add_behaviour::<S>)
                .delete(clear_behaviours::<S>),
        )
        .route("/__admin/reset", axum::routing::post(reset::<S>))
        .route("/__admin/tls/ca.pem", get(tls_ca::<S>))
        .with_state(state)
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn journal<S: MockAdmin>(State(s): State<Arc<S>>) -> Json<Value> {
    Json(json!({ "entries": s.journal().entries() }))
}

async fn clear_journal<S: MockAdmin>(State(s): State<Arc<S>>) -> StatusCode {
    s.journal().clear();
    StatusCode::NO_CONTENT
}

fn clock_view(clock: &VirtualClock) -> Json<Value> {
    Json(json!({"now": clock.now().to_string(), "mode": clock.mode().as_str()}))
}

async fn clock<S: MockAdmin>(State(s): State<Arc<S>>) -> Json<Value> {
    clock_view(s.clock())
}

async fn set_clock<S: MockAdmin>(State(s): State<Arc<S>>, AdminJson(body): AdminJson) -> Response {
    if let Some(unknown) = body
        .as_object()
        .and_then(|o| o.keys().find(|k| *k != "set" && *k != "advance_seconds"))
    {
        return admin_error(unknown, "unknown field: use `set` or `advance_seconds`");
    }
    match (body.get("set"), body.get("advance_seconds")) {
        (Some(Value::String(text)), None) => match text.parse::<jiff::Timestamp>() {
            Ok(ts) if ts >= jiff::Timestamp::UNIX_EPOCH => s.clock().set(ts),
            Ok(_) => return admin_error("set", BEFORE_EPOCH),
            Err(e) => return admin_error("set", format!("not an RFC 3339 time: {e}")),
        },
        (None, Some(Value::Number(n))) => match n.as_i64() {
            Some(secs) => match s
                .clock()
                .now()
                .checked_add(jiff::SignedDuration::from_secs(secs))
            {
                Ok(ts) if ts >= jiff::Timestamp::UNIX_EPOCH => s.clock().advance_secs(secs),
                Ok(_) => return admin_error("advance_seconds", BEFORE_EPOCH),
                Err(_) => {
                    return admin_error(
                        "advance_seconds",
                        "would move the clock past 9999-12-30T22:00:00Z, the last time it keeps",
                    );
                }
            },
            None => return admin_error("advance_seconds", "must be a whole number of seconds"),
        },
        (Some(_), Some(_)) => return admin_error("", "give `set` or `advance_seconds`, not both"),
        (Some(_), None) => return admin_error("set", "must be an RFC 3339 string"),
        (None, Some(_)) => return admin_error("advance_seconds", "must be a number"),
        (None, None) => return admin_error("", "give `set` or `advance_seconds`"),
    }
    clock_view(s.clock()).into_response()
}

async fn list_behaviours<S: MockAdmin>(State(s): State<Arc<S>>) -> Json<Value> {
    Json(json!({ "behaviours": s.behaviours().list() }))
}

async fn add_behaviour<S: MockAdmin>(
    State(s): State<Arc<S>>,
    AdminJson(body): AdminJson,
) -> Response {
    match behaviours::parse(&body) {
        Ok(b) => {
            s.behaviours().add(b.clone());
            (StatusCode::CREATED, Json(json!({ "behaviour": b }))).into_response()
        }
        Err(e) => admin_error("", e),
    }
}

async fn clear_behaviours<S: MockAdmin>(State(s): State<Arc<S>>) -> StatusCode {
    s.behaviours().clear();
    StatusCode::NO_CONTENT
}

async fn reset<S: MockAdmin>(State(s): State<Arc<S>>) -> Json<Value> {
    s.behaviours().clear();
    s.journal().clear();
    s.clock().reset();
    s.reset_state();
    Json(json!({"status": "ok"}))
}

async fn tls_ca<S: MockAdmin>(State(s): State<Arc<S>>) -> Response {
    match s.tls_ca_pem() {
        Some(pem) => (
            [(axum::http::header::CONTENT_TYPE, "application/x-pem-file")],
            pem,
        )
            .into_response(),
        None => admin_error_status(
            StatusCode::NOT_FOUND,
            "tls",
            "this mock serves no HTTPS: start it with --tls-listen",
        ),
    }
}
