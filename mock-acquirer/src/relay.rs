//! The Kushki ONE cloud relay (ref §1.2): `https://{host}/terminal/v1/{serial}/sync/{op}` (and
//! `/async/{op}`) forwarded untouched to the terminal that holds a live link for that serial.
//!
//! * The terminal's link is a WebSocket on `GET /terminal/v1/{serial}/link` (harness-defined, see
//!   [`kushki_protocol::relay`]); a newer link for the same serial replaces the older one.
//! * A serial with no live link answers `CLOUDPAYMENT_VALIDATION_ERROR` (503), in plain JSON, before
//!   any signature check, as third-party code saw the cloud do (ref §1.5).
//! * A link that drops mid-request ends that request at once with the same error; a terminal that
//!   never answers ends it after [`RELAY_TIMEOUT`].
//! * Cloud `abort` is `POST …/sync/abort` only (ref §1.2: no async abort in the cloud).
//! * `relay` behaviours act on the relay → terminal leg: latency, a status, a dropped link
//!   (`drop`) or no answer (`timeout`).
//! * Admin (harness-defined): `GET /__admin/terminals` lists the serials linked now, and
//!   `/__admin/terminals/{serial}/__admin/…` reaches that terminal's own admin API over its link,
//!   so a suite pointed at the cloud steers the terminal behind it (its card reader, its clock)
//!   without an address for it: a terminal behind a store's NAT is reachable this way too.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use kushki_mock_support::admin::admin_error_status;
use kushki_mock_support::behaviours::{Fault, Hop, Subject};
use kushki_mock_support::body::MAX_BODY_BYTES;
use kushki_mock_support::journal::Exchange;
use kushki_protocol::errors::{ConnectCode, FailureObject, LinkFailure};
use kushki_protocol::relay::{RelayRequest, RelayResponse};
use tokio::sync::{mpsc, oneshot};

use crate::state::AppState;

/// Longest the relay waits for a terminal's answer (a sync charge waits for the cardholder; the
/// 3P clients wait 90 to 95 s, ref §1.7).
pub const RELAY_TIMEOUT: Duration = Duration::from_secs(120);

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<RelayResponse>>>>;

#[derive(Debug)]
struct Link {
    generation: u64,
    frames: mpsc::UnboundedSender<Message>,
    pending: Pending,
}

/// The live links, by serial.
#[derive(Debug, Default)]
pub struct Relay {
    // std Mutex: held to look up or swap a link, never across an await.
    links: Mutex<HashMap<String, Link>>,
    next_id: AtomicU64,
}

impl Relay {
    /// Serials with a live link.
    pub fn online(&self) -> Vec<String> {
        let mut serials: Vec<String> = self.lock().keys().cloned().collect();
        serials.sort();
        serials
    }

    /// Drops every link (admin reset keeps links: terminals are devices, not state).
    pub fn disconnect(&self, serial: &str) {
        if let Some(link) = self.lock().remove(serial) {
            let _ = link.frames.send(Message::Close(None));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Link>> {
        self.links.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends `frame` (its `id` assigned here) over `serial`'s link and returns the id, the link's
    /// waiters and where the answer will arrive; `None` when no live link takes it.
    fn send(
        &self,
        serial: &str,
        mut frame: RelayRequest,
    ) -> Option<(u64, Pending, oneshot::Receiver<RelayResponse>)> {
        let (frames, pending) = {
            let links = self.lock();
            let link = links.get(serial)?;
            (link.frames.clone(), link.pending.clone())
        };
        frame.id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(frame.id, tx);
        let text = serde_json::to_string(&frame).unwrap_or_default();
        if frames.send(Message::Text(text.into())).is_err() {
            pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&frame.id);
            return None;
        }
        Some((frame.id, pending, rx))
    }
}

/// Longest the relay waits for a terminal's answer to an admin request.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The relay's routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/terminal/v1/{serial}/link", get(link))
        .route("/terminal/v1/{serial}/{*route}", any(forward))
        .route("/__admin/terminals", get(terminals))
        .route("/__admin/terminals/{serial}/{*path}", any(terminal_admin))
}

async fn terminals(State(state): State<Arc<AppState>>) -> Response {
    axum::Json(serde_json::json!({ "online": state.relay.online() })).into_response()
}

/// A request to a linked terminal's admin API, carried over its link (see the module doc).
async fn terminal_admin(
    State(state): State<Arc<AppState>>,
    Path((serial, path)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !path.starts_with("__admin/") {
        return admin_error_status(
            StatusCode::BAD_REQUEST,
            "path",
            "only a terminal's /__admin/ routes are reachable here",
        );
    }
    let frame = RelayRequest {
        id: 0,
        method: method.to_string(),
        route: path,
        query,
        authorization: None,
        timestamp: None,
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let Some((id, pending, rx)) = state.relay.send(&serial, frame) else {
        return admin_error_status(
            StatusCode::NOT_FOUND,
            "serial",
            format!("no terminal `{serial}` is linked to this relay"),
        );
    };
    match tokio::time::timeout(ADMIN_TIMEOUT, rx).await {
        Ok(Ok(resp)) => (
            StatusCode::from_u16(resp.status).unwrap_or(StatusCode::BAD_GATEWAY),
            [(header::CONTENT_TYPE, "application/json")],
            resp.body,
        )
            .into_response(),
        _ => {
            pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
            admin_error_status(
                StatusCode::GATEWAY_TIMEOUT,
                "serial",
                format!("terminal `{serial}` did not answer its admin request"),
            )
        }
    }
}

async fn link(
    State(state): State<Arc<AppState>>,
    Path(serial): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.on_upgrade(move |socket| hold_link(state, serial, socket))
}

async fn hold_link(state: Arc<AppState>, serial: String, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let pending: Pending = Arc::default();
    let generation = state.relay.next_id.fetch_add(1, Ordering::Relaxed);
    if let Some(old) = state.relay.lock().insert(
        serial.clone(),
        Link {
            generation,
            frames: tx,
            pending: pending.clone(),
        },
    ) {
        let _ = old.frames.send(Message::Close(None));
    }
    let mut e = Exchange::new(
        "relay",
        state.clock.now(),
        "WS",
        &format!("/terminal/v1/{serial}/link"),
    );
    e.note = Some("terminal linked".into());
    state.journal.record(e);
    let writer = tokio::spawn(async move {
        while let Some(frame) = rx.recv().await {
            let closing = matches!(frame, Message::Close(_));
            if sink.send(frame).await.is_err() || closing {
                break;
            }
        }
    });
    while let Some(Ok(frame)) = stream.next().await {
        match frame {
            Message::Text(text) => {
                if let Ok(resp) = serde_json::from_str::<RelayResponse>(text.as_str()) {
                    let waiter = pending
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .remove(&resp.id);
                    if let Some(w) = waiter {
                        let _ = w.send(resp);
                    }
                }
            }
            Message::Close(_) => break,
            _ => {}
        }
    }
    writer.abort();
    {
        let mut links = state.relay.lock();
        if links
            .get(&serial)
            .is_some_and(|l| l.generation == generation)
        {
            links.remove(&serial);
        }
    }
    // Dropping the senders ends every request still waiting on this link.
    pending.lock().unwrap_or_else(|p| p.into_inner()).clear();
    let mut e = Exchange::new(
        "relay",
        state.clock.now(),
        "WS",
        &format!("/terminal/v1/{serial}/link"),
    );
    e.note = Some("terminal link closed".into());
    state.journal.record(e);
}

fn offline(serial: &str, message: &str) -> (StatusCode, String) {
    let failure = ConnectCode::TerminalOffline
        .failure()
        .with_message(message)
        .with_object(FailureObject {
            serial_number: Some(serial.to_string()),
            ..FailureObject::default()
        });
    (
        StatusCode::from_u16(ConnectCode::TerminalOffline.http_status())
            .unwrap_or(StatusCode::SERVICE_UNAVAILABLE),
        serde_json::to_string(&failure).unwrap_or_default(),
    )
}

fn plain_failure(code: ConnectCode, message: &str) -> (StatusCode, String) {
    let failure: LinkFailure = code.failure().with_message(message);
    (
        StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
        serde_json::to_string(&failure).unwrap_or_default(),
    )
}

async fn forward(
    State(state): State<Arc<AppState>>,
    Path((serial, route)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let path = format!("/terminal/v1/{serial}/{route}");
    let mut ex = Exchange::new("pos", state.clock.now(), method.as_str(), &path);
    let operation = route.rsplit('/').next().unwrap_or_default().to_string();
    ex.operation = Some(operation.clone());
    let (status, answer) = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => {
            ex.request = bytes.clone();
            relay_one(
                &state, &serial, &route, query, &method, &headers, bytes, &mut ex,
            )
            .await
        }
        // Refused here, as the terminal refuses it on the LAN, rather than forwarded cut short.
        Err(_) => plain_failure(
            ConnectCode::InvalidField,
            &format!("the request body exceeds {MAX_BODY_BYTES} bytes"),
        ),
    };
    ex.status = status.as_u16();
    ex.response = Bytes::from(answer.clone());
    state.journal.record(ex);
    (status, [(header::CONTENT_TYPE, "application/json")], answer).into_response()
}

#[allow(clippy::too_many_arguments)]
async fn relay_one(
    state: &Arc<AppState>,
    serial: &str,
    route: &str,
    query: Option<String>,
    method: &Method,
    headers: &HeaderMap,
    body: Bytes,
    ex: &mut Exchange,
) -> (StatusCode, String) {
    let (mode, op) = route.split_once('/').unwrap_or(("", route));
    if !matches!(mode, "sync" | "async") || op.is_empty() {
        return plain_failure(
            ConnectCode::UnknownOperation,
            "cloud routes are /terminal/v1/{serial}/sync/{operation} or /async/{operation}",
        );
    }
    if op == "abort" && (mode == "async" || *method != Method::POST) {
        return plain_failure(
            ConnectCode::UnknownOperation,
            "in the cloud, abort is POST /terminal/v1/{serial}/sync/abort only (ref §1.2)",
        );
    }
    if !state.relay.lock().contains_key(serial) {
        ex.note = Some("terminal offline: no live link for this serial".into());
        return offline(
            serial,
            "The terminal is not online or Kushki ONE Connect is not active",
        );
    };
    let plan = state
        .behaviours
        .plan(&Subject {
            hop: Hop::Relay,
            // The exchange's path: `/terminal/v1/{serial}/{route}`.
            path: &ex.path,
            operation: Some(op),
            amount: None,
            client_transaction_id: None,
        })
        .await;
    if let Some(status) = plan.injected_status(ex) {
        let code = if status >= 500 {
            ConnectCode::TerminalOffline
        } else {
            ConnectCode::InvalidField
        };
        let (_, body) = plain_failure(code, "injected by a behaviour");
        return (
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            body,
        );
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let frame = RelayRequest {
        id: 0,
        method: method.to_string(),
        route: route.to_string(),
        query,
        authorization: header("authorization"),
        timestamp: header("timestamp"),
        content_type: header("content-type"),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let Some((id, pending, rx)) = state.relay.send(serial, frame) else {
        ex.note = Some("terminal link closed before forwarding".into());
        return offline(
            serial,
            "The terminal is not online or Kushki ONE Connect is not active",
        );
    };
    match plan.fault() {
        Some(Fault::Drop) => {
            // The link drops mid-request: the terminal goes offline, and whatever it answers
            // can no longer come back (forgetting the waiter first, so a fast terminal's answer
            // cannot slip through before the link is gone).
            ex.note = Some("link dropped by a behaviour mid-request".into());
            pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
            state.relay.disconnect(serial);
            return offline(serial, "The terminal went offline before answering");
        }
        Some(Fault::Timeout) => {
            ex.note = Some("terminal answer held by a timeout behaviour".into());
            pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
            state.shutdown.notified().await;
            return offline(serial, "The terminal did not answer in time");
        }
        _ => {}
    }
    tokio::select! {
        answer = tokio::time::timeout(RELAY_TIMEOUT, rx) => match answer {
            Ok(Ok(resp)) => (
                StatusCode::from_u16(resp.status).unwrap_or(StatusCode::BAD_GATEWAY),
                resp.body,
            ),
            Ok(Err(_)) => {
                ex.note = Some("terminal link dropped mid-request".into());
                offline(serial, "The terminal went offline before answering")
            }
            Err(_) => {
                pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
                ex.note = Some("terminal did not answer within the relay timeout".into());
                offline(serial, "The terminal did not answer in time")
            }
        },
        _ = state.shutdown.notified() => offline(serial, "The relay is shutting down"),
    }
}
