//! One Connect handler for every path a POS can take (ref §1.2: "the same API regardless of the
//! channel"): LAN and localhost requests arrive over HTTP, cloud requests over the relay link, and
//! all go through [`handle`].
//!
//! Order of checks: route and method (NF-003) → signature, timestamp and decryption (AUTH-00x,
//! plain JSON: the client may not hold a key the terminal accepts) → JSON (PAR-005) → schema
//! (PAR-001 missing, PAR-004 unknown, PAR-002 other, `param` naming the field) → exact amounts
//! (PAR-002) → amount above zero (PAR-003) → busy (TER-003) → the operation. Every answer after
//! authentication is encrypted with the request's timestamp (H8).
//!
//! Print routes (`print`, `print/job`, `print_job`, ref §1.8) take the same route, behaviour and
//! authentication steps, then go to [`crate::printer`].

use std::sync::Arc;

use axum::http::Method;
use bytes::Bytes;
use kushki_mock_support::behaviours::{Fault, Hop, Subject};
use kushki_mock_support::journal::Exchange;
use kushki_protocol::auth::{self, AuthFailure};
use kushki_protocol::connect::{ConnectOperation, ConnectRequest};
use kushki_protocol::errors::{ConnectCode, FailureObject, LinkFailure};
use kushki_protocol::schemas::{self, SchemaKind, Violation};
use serde_json::{Value, json};

use crate::events;
use crate::flow::{self, Emitter, Reply};
use crate::printer::{self, PrintRoute};
use crate::state::{AppState, Busy, BusyGuard, Phase};

/// How a request reached the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// LAN or localhost: `http://{ip}:6868/terminal/v1/...`.
    Lan,
    /// The cloud relay's link.
    Cloud,
}

/// A request as it arrived, before any check.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// HTTP method.
    pub method: Method,
    /// The route after `/terminal/v1/` (LAN) or after the serial (cloud): `charge`,
    /// `sync/charge`, `async/charge`, `abort`, …
    pub route: String,
    /// Query string.
    pub query: Option<String>,
    /// `Authorization` header.
    pub authorization: Option<String>,
    /// `timestamp` header.
    pub timestamp: Option<String>,
    /// The body as sent.
    pub body: Bytes,
    /// Which path.
    pub via: Via,
}

/// What the handler decided the transport should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// An answer: status and body text.
    Answer(u16, String),
    /// Close the connection without answering (`pos` behaviour `drop`).
    Drop,
    /// Never answer (`pos` behaviour `timeout`).
    Hang,
}

fn plain(failure: &LinkFailure, status: u16) -> Outgoing {
    Outgoing::Answer(status, serde_json::to_string(failure).unwrap_or_default())
}

fn schema_for(op: ConnectOperation) -> SchemaKind {
    match op {
        ConnectOperation::Charge => SchemaKind::ConnectChargeRequest,
        ConnectOperation::Authorization => SchemaKind::ConnectAuthorizationRequest,
        ConnectOperation::Capture => SchemaKind::ConnectCaptureRequest,
        ConnectOperation::ReAuthorization => SchemaKind::ConnectReAuthorizationRequest,
        ConnectOperation::PosTip => SchemaKind::ConnectPosTipRequest,
        ConnectOperation::Void => SchemaKind::ConnectVoidRequest,
        ConnectOperation::Refund => SchemaKind::ConnectRefundRequest,
        ConnectOperation::Abort => SchemaKind::ConnectAbortRequest,
        ConnectOperation::TransactionSearchOnline | ConnectOperation::TransactionSearchLocal => {
            SchemaKind::ConnectSearchRequest
        }
    }
}

/// A JSON pointer as a dotted `param` (`/amount/iva` → `amount.iva`).
fn param(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}

/// The PARAMETER failure for the first schema violation (all are listed in the message).
pub(crate) fn parameter_failure(violations: &[Violation]) -> LinkFailure {
    let first = &violations[0];
    let code = if first.schema_path.ends_with("/required") {
        ConnectCode::MissingField
    } else if first.schema_path.contains("additionalProperties")
        || first.schema_path.ends_with("/false")
    {
        ConnectCode::UnknownField
    } else {
        ConnectCode::InvalidField
    };
    code.failure()
        .with_param(param(&first.pointer))
        .with_message(schemas::violations_message(violations))
}

fn egress_kind(op: ConnectOperation, status: u16, body: &Value) -> SchemaKind {
    if status != 200 || body.get("approved").is_none() && body.get("type").is_some() {
        return SchemaKind::ConnectLinkFailure;
    }
    match op {
        ConnectOperation::Abort => SchemaKind::ConnectAbortResponse,
        ConnectOperation::TransactionSearchLocal | ConnectOperation::TransactionSearchOnline => {
            SchemaKind::ConnectSearchResponse
        }
        _ if body.get("status").is_some() => SchemaKind::ConnectEvent,
        _ => SchemaKind::ConnectOperationResponse,
    }
}

/// Handles one Connect request from any path.
pub async fn handle(state: &Arc<AppState>, inc: Incoming) -> Outgoing {
    let path = match inc.via {
        Via::Lan => format!("/terminal/v1/{}", inc.route),
        Via::Cloud => format!("/terminal/v1/{}/{}", state.config.serial, inc.route),
    };
    let mut ex = Exchange::new("pos", state.clock.now(), inc.method.as_str(), &path);
    if inc.via == Via::Cloud {
        ex.note = Some("via the cloud relay".into());
    }
    ex.request = inc.body.clone();
    let out = process(state, &inc, &path, &mut ex).await;
    if let Outgoing::Answer(status, _) = &out {
        ex.status = *status;
    }
    state.journal.record(ex);
    out
}

async fn process(state: &Arc<AppState>, inc: &Incoming, path: &str, ex: &mut Exchange) -> Outgoing {
    if let Some(route) = PrintRoute::parse(&inc.route) {
        return print(state, inc, path, route, ex).await;
    }
    // Route and method.
    let (mode, op_text) = match inc.route.split_once('/') {
        Some((m @ ("sync" | "async"), op)) => (m, op),
        Some(_) => ("", ""),
        None => ("sync", inc.route.as_str()),
    };
    let Ok(op) = op_text.parse::<ConnectOperation>() else {
        return plain(
            &ConnectCode::UnknownOperation
                .failure()
                .with_message(format!(
                    "unknown route `{}`: operations are {}; print jobs are print, print/job and print_job",
                    inc.route,
                    ConnectOperation::ALL
                        .iter()
                        .map(|o| o.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            404,
        );
    };
    ex.operation = Some(op.as_str().to_string());
    let expected = match (op, inc.via) {
        (ConnectOperation::Abort, Via::Lan) => Method::GET,
        _ => Method::POST,
    };
    if inc.method != expected {
        return plain(
            &ConnectCode::UnknownOperation.failure().with_message(format!(
                "`{}` is {expected} on this path (ref §1.2: LAN abort is GET, cloud abort is POST, every other operation POST)",
                op.as_str()
            )),
            404,
        );
    }
    let is_async = mode == "async";
    if is_async && !(op.is_financial() || (op == ConnectOperation::Abort && inc.via == Via::Lan)) {
        return plain(
            &ConnectCode::UnknownOperation
                .failure()
                .with_message(format!("`{}` has no async route", op.as_str())),
            404,
        );
    }

    if let Some(out) = pos_behaviour(state, path, op.as_str(), ex).await {
        return out;
    }
    let (plaintext, ts) = match open(state, inc, ex) {
        Ok(opened) => opened,
        Err(out) => return out,
    };
    let seal = |status: u16, body: &Value, ex: &mut Exchange| -> Outgoing {
        seal_answer(state, ts, egress_kind(op, status, body), status, body, ex)
    };
    let fail = |failure: LinkFailure, status: u16, ex: &mut Exchange| -> Outgoing {
        ex.violations
            .push(format!("{}: {}", failure.code, failure.message));
        seal(
            status,
            &serde_json::to_value(&failure).unwrap_or_default(),
            ex,
        )
    };

    // Body: JSON, schema, exact amounts.
    let body: Value = match serde_json::from_str::<Value>(&plaintext) {
        Ok(v) if v.is_object() => v,
        _ => return fail(ConnectCode::MalformedJson.failure(), 400, ex),
    };
    let object = |ctid: Option<&str>| FailureObject::of_terminal(&state.config.serial, ctid);
    let ctid_text = body
        .get("client_transaction_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    ex.client_transaction_id = ctid_text.clone();
    // The yes/no check first; only a failing body needs its violations listed.
    let kind = schema_for(op);
    if !schemas::is_valid(kind, &body)
        && let Err(violations) = schemas::validate(kind, &body)
    {
        let failure = parameter_failure(&violations).with_object(object(ctid_text.as_deref()));
        let status = ConnectCode::from_code(&failure.code)
            .map(|c| c.http_status())
            .unwrap_or(400);
        return fail(failure, status, ex);
    }
    let req = match ConnectRequest::from_json(op, &body, state.currency) {
        Ok(r) => r,
        Err(e) => {
            return fail(
                ConnectCode::InvalidField
                    .failure()
                    .with_param(e.field.clone())
                    .with_message(e.to_string())
                    .with_object(object(ctid_text.as_deref())),
                400,
                ex,
            );
        }
    };
    if let ConnectRequest::Charge(p) | ConnectRequest::Authorization(p) = &req
        && p.amount.total().minor_units() == 0
    {
        // Documented: PAR-003 "Amount must be a value greater than 0" (ref §1.7).
        return fail(
            ConnectCode::AmountNotPositive
                .failure()
                .with_param("amount")
                .with_object(object(ctid_text.as_deref())),
            400,
            ex,
        );
    }
    if is_async && op.is_financial() && req.events_webhook_url().is_none() {
        return fail(
            ConnectCode::MissingWebhookUrl
                .failure()
                .with_param("events_webhook_url")
                .with_object(object(ctid_text.as_deref())),
            400,
            ex,
        );
    }

    // Operations that do not occupy the terminal.
    let reply = match &req {
        ConnectRequest::Abort => Some(match flow::abort(state) {
            Ok(ctid) => Reply::Ok(
                json!({"aborted": true, "client_transaction_id": ctid, "message": "The operation in progress was aborted"}),
            ),
            Err(code) => Reply::code(code),
        }),
        ConnectRequest::SearchLocal(q) => {
            Some(Reply::Ok(json!({"items": state.history.search(q)})))
        }
        ConnectRequest::SearchOnline(q) => Some(flow::search_online(state, q).await),
        _ => None,
    };
    if let Some(reply) = reply {
        let (status, body) = reply.into_parts();
        return seal(status, &body, ex);
    }

    // Financial operations: one at a time.
    let ctid = req.client_transaction_id().unwrap_or_default().to_string();
    let busy = {
        let mut slot = state.busy();
        if let Some(b) = slot.as_ref() {
            let failure = ConnectCode::TerminalBusy
                .failure()
                .with_message(format!(
                    "The terminal is busy with {} `{}`",
                    b.operation.as_str(),
                    b.client_transaction_id
                ))
                .with_object(object(Some(&ctid)));
            drop(slot);
            return fail(failure, ConnectCode::TerminalBusy.http_status(), ex);
        }
        let busy = Busy {
            client_transaction_id: ctid.clone(),
            operation: op,
            phase: Phase::WaitingForCard,
            abort: Arc::default(),
            aborted: Arc::default(),
        };
        *slot = Some(busy.clone());
        busy
    };
    let guard = BusyGuard(state.clone());
    if is_async {
        let ack = events::acknowledgement(state, &ctid, op);
        let url = req.events_webhook_url().unwrap_or_default().to_string();
        let (tx, _task) = events::start(state.clone(), url, ctid, op);
        let state2 = state.clone();
        tokio::spawn(async move {
            let _guard = guard;
            let mut emitter = Emitter::to(tx);
            flow::execute(&state2, &req, &busy, &mut emitter).await;
        });
        return seal(200, &serde_json::to_value(&ack).unwrap_or_default(), ex);
    }
    let reply = flow::execute(state, &req, &busy, &mut Emitter::silent()).await;
    drop(guard);
    let (status, body) = reply.into_parts();
    seal(status, &body, ex)
}

/// Print jobs (ref §1.8): route, `pos` behaviours and authentication as for the operations, the
/// job itself in [`printer`], the answer sealed the same way.
async fn print(
    state: &Arc<AppState>,
    inc: &Incoming,
    path: &str,
    route: PrintRoute,
    ex: &mut Exchange,
) -> Outgoing {
    ex.operation = Some(route.operation().to_string());
    if let Some(query) = &inc.query {
        ex.path = format!("{path}?{query}");
    }
    if inc.method != route.method() {
        return plain(
            &ConnectCode::UnknownOperation.failure().with_message(format!(
                "`{}` is {} (ref §1.8: POST print or print/job creates a job, GET print_job polls it)",
                inc.route,
                route.method()
            )),
            404,
        );
    }
    if let Some(out) = pos_behaviour(state, path, route.operation(), ex).await {
        return out;
    }
    let (plaintext, ts) = match open(state, inc, ex) {
        Ok(opened) => opened,
        Err(out) => return out,
    };
    let (status, body) = match route {
        PrintRoute::Create => printer::create(state, &plaintext, ex),
        PrintRoute::Poll => printer::poll(state, inc.query.as_deref()),
    };
    let kind = if status >= 400 {
        ex.violations.push(format!(
            "{}: {}",
            body["code"].as_str().unwrap_or_default(),
            body["message"].as_str().unwrap_or_default()
        ));
        SchemaKind::ConnectLinkFailure
    } else {
        SchemaKind::ConnectPrintJobResponse
    };
    seal_answer(state, ts, kind, status, &body, ex)
}

/// Applies the first matching `pos` behaviour (the POS → terminal leg): latency, then a dropped
/// or held connection, or an injected status. `None` when the request goes on.
async fn pos_behaviour(
    state: &AppState,
    path: &str,
    operation: &str,
    ex: &mut Exchange,
) -> Option<Outgoing> {
    let plan = state
        .behaviours
        .plan(&Subject {
            hop: Hop::Pos,
            path,
            operation: Some(operation),
            amount: None,
            client_transaction_id: None,
        })
        .await;
    match plan.fault() {
        Some(Fault::Drop) => {
            ex.note = Some("connection dropped by a behaviour".into());
            return Some(Outgoing::Drop);
        }
        Some(Fault::Timeout) => {
            ex.note = Some("no answer: held by a timeout behaviour".into());
            return Some(Outgoing::Hang);
        }
        _ => {}
    }
    let status = plan.injected_status(ex)?;
    Some(plain(
        &ConnectCode::ReaderFault
            .failure()
            .with_message("injected by a behaviour"),
        status,
    ))
}

/// Authentication (ref §1.5; H8): a GET is signed over `{}` and has no body; anything else is a
/// signed, encrypted body. Gives the plaintext (recorded in the journal in place of the
/// ciphertext) and the timestamp the answer is sealed with.
fn open(state: &AppState, inc: &Incoming, ex: &mut Exchange) -> Result<(String, i64), Outgoing> {
    let now = state.clock.now().as_second();
    let opened = if inc.method == Method::GET {
        auth::open_bodyless(
            &state.creds,
            now,
            inc.authorization.as_deref(),
            inc.timestamp.as_deref(),
        )
        .map(|ts| (String::from("{}"), ts))
    } else {
        auth::open_request(
            &state.creds,
            now,
            inc.authorization.as_deref(),
            inc.timestamp.as_deref(),
            &inc.body,
        )
        .map(|o| (o.plaintext, o.timestamp))
    };
    match opened {
        Ok((plaintext, ts)) => {
            ex.request = Bytes::from(plaintext.clone());
            Ok((plaintext, ts))
        }
        Err(failure) => Err(auth_refusal(state, &failure, ex)),
    }
}

/// Encrypts an answer with the request's timestamp (H8), checking it against its own schema
/// first in debug builds (a break is logged and journaled, never hidden).
fn seal_answer(
    state: &AppState,
    ts: i64,
    kind: SchemaKind,
    status: u16,
    body: &Value,
    ex: &mut Exchange,
) -> Outgoing {
    if cfg!(debug_assertions)
        && let Err(v) = schemas::validate(kind, body)
    {
        tracing::error!(violations = %schemas::violations_message(&v), "the terminal's own answer breaks its schema");
        ex.violations.push(format!(
            "egress-schema: {}",
            schemas::violations_message(&v)
        ));
    }
    let text = flow::to_text(body);
    let sealed = auth::seal_response(&state.creds, ts, &text);
    ex.response = Bytes::from(text);
    Outgoing::Answer(status, sealed)
}

fn auth_refusal(state: &AppState, failure: &AuthFailure, ex: &mut Exchange) -> Outgoing {
    // The journal says which check failed; the client cannot tell a padding failure from a
    // signature failure (H8).
    ex.note = Some(format!(
        "authentication failed: {} ({failure:?})",
        failure.check()
    ));
    ex.violations.push(format!(
        "auth-{}: {}",
        failure.check(),
        failure.public_message()
    ));
    let code =
        ConnectCode::from_code(failure.public_code()).unwrap_or(ConnectCode::AuthenticationFailed);
    let body = code
        .failure()
        .with_message(failure.public_message())
        .with_object(FailureObject {
            serial_number: Some(state.config.serial.clone()),
            ..FailureObject::default()
        });
    ex.response = Bytes::from(serde_json::to_string(&body).unwrap_or_default());
    plain(&body, code.http_status())
}
