//! `POST /pos/v1/transaction` and `POST /pos/v1/refund` (ref §2.2, §2.3).
//!
//! Each exchange: credential (401) → JSON body (E001) → schema (E001 naming every field by its
//! JSON pointer) → exact typing (E001 naming the field) → behaviours → the ledger's rules (one
//! function per operation in [`crate::domain::rules`]) → the "approved with delay" wait on the
//! virtual clock → answer, journal, webhook.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use kushki_mock_support::behaviours::{Fault, Hop, Plan, Subject};
use kushki_mock_support::body::{MAX_BODY_BYTES, json_doc, json_object};
use kushki_mock_support::clock::later;
use kushki_mock_support::journal::Exchange;
use kushki_protocol::json_tree::Doc;
use kushki_protocol::raw::{Operation, TransactionRequest};
use kushki_protocol::schemas::{self, SchemaKind};
use serde_json::Value;

use crate::domain::{self, rules};
use crate::error::ApiError;
use crate::state::AppState;

/// The raw routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/pos/v1/transaction", post(transaction))
        .route("/pos/v1/refund", post(refund))
}

async fn transaction(State(s): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    exchange(
        s,
        "/pos/v1/transaction",
        SchemaKind::RawTransactionRequest,
        headers,
        body,
    )
    .await
}

async fn refund(State(s): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    exchange(
        s,
        "/pos/v1/refund",
        SchemaKind::RawRefundRequest,
        headers,
        body,
    )
    .await
}

/// The operation name behaviours and the journal use: the type for new authorizations, the mode
/// for voids and reverses.
pub fn operation_name(op: Operation) -> &'static str {
    match op {
        Operation::Void(_) => "void",
        Operation::Reverse(_) => "reverse",
        other => other.wire().1.as_str(),
    }
}

/// How an exchange ends.
pub enum Outcome {
    /// An answer.
    Answer(StatusCode, Value),
    /// An answer already written as JSON text.
    Text(StatusCode, Bytes),
    /// The connection is closed without an answer (a `drop` fault).
    Drop,
    /// No answer until the client gives up (a `timeout` fault).
    Hang,
}

impl Outcome {
    /// `answer`, unless the plan's fault replaces it.
    pub fn answered(plan: &Plan, answer: Outcome) -> Outcome {
        match plan.fault() {
            Some(Fault::Drop) => Outcome::Drop,
            Some(Fault::Timeout) => Outcome::Hang,
            _ => answer,
        }
    }
}

impl From<ApiError> for Outcome {
    fn from(e: ApiError) -> Self {
        Outcome::Answer(
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            e.body(),
        )
    }
}

/// Checks `Private-Credential-Id` (ref §2.1, add §2.1).
pub fn check_credential(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let given = headers
        .get("private-credential-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if state.config.credentials.iter().any(|c| c == given) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// The check every raw route makes first: a missing or unknown `Private-Credential-Id` is
/// refused, the body still read so the journal shows what was sent; otherwise the body, unread.
pub async fn credential_checked(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    ex: &mut Exchange,
) -> Result<Body, Outcome> {
    let Err(e) = check_credential(state, headers) else {
        return Ok(body);
    };
    ex.violations
        .push("credential: missing or unknown Private-Credential-Id".into());
    if let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        ex.request = bytes;
    }
    Err(e.into())
}

/// Reads a body whole into the exchange's record.
pub async fn read_body(body: Body, ex: &mut Exchange) -> Result<Bytes, ApiError> {
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::invalid(format!("the request body exceeds {MAX_BODY_BYTES} bytes"))
        })?;
    ex.request = bytes.clone();
    Ok(bytes)
}

/// The E001 that lists every schema violation of a body that failed `kind`'s schema.
fn schema_error(kind: SchemaKind, value: &Value, ex: &mut Exchange) -> ApiError {
    let violations = schemas::validate(kind, value).err().unwrap_or_default();
    ex.violations
        .extend(violations.iter().map(|v| format!("schema: {v}")));
    ApiError::invalid(schemas::violations_message(&violations))
}

/// Reads, parses and schema-validates a body, naming every violation.
pub async fn read_valid(
    headers: &HeaderMap,
    body: Body,
    kind: SchemaKind,
    ex: &mut Exchange,
) -> Result<Value, ApiError> {
    let bytes = read_body(body, ex).await?;
    let value = json_object(headers, &bytes).map_err(|e| ApiError::invalid(e.to_string()))?;
    // The yes/no check first: it costs far less than collecting violations, which only a
    // failing body needs.
    if schemas::is_valid(kind, &value) {
        Ok(value)
    } else {
        Err(schema_error(kind, &value, ex))
    }
}

/// Hash of a body, to tell an idempotent retry from a reuse of the id with another body. It
/// walks the value in its key order and feeds the hasher each token of the compact JSON text
/// (kinds and lengths too, so no two texts feed alike): two bodies hash alike exactly when their
/// compact texts are equal, without writing the text (which cost a tenth of a charge).
fn body_hash(value: &Doc<'_>) -> u64 {
    use std::hash::BuildHasher as _;
    fn feed(v: &Doc<'_>, h: &mut impl Hasher) {
        match v {
            Doc::Null => h.write_u8(0),
            Doc::Bool(b) => {
                h.write_u8(1);
                b.hash(h);
            }
            // Number text as received: `12.5` and `12.50` differ, as in the compact text.
            Doc::Number(n) => {
                h.write_u8(2);
                n.hash(h);
            }
            Doc::String(s) => {
                h.write_u8(3);
                s.hash(h);
            }
            Doc::Array(items) => {
                h.write_u8(4);
                h.write_usize(items.len());
                items.iter().for_each(|i| feed(i, h));
            }
            Doc::Object(members) => {
                h.write_u8(5);
                h.write_usize(members.len());
                for (k, v) in members.iter() {
                    k.hash(h);
                    feed(v, h);
                }
            }
        }
    }
    // A fixed seed: the same body hashes alike for the life of the process (and across runs).
    let mut h = foldhash::quality::FixedState::with_seed(0x6b75_73686b69).build_hasher();
    feed(value, &mut h);
    h.finish()
}

async fn exchange(
    state: Arc<AppState>,
    path: &'static str,
    kind: SchemaKind,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut ex = Exchange::new("acquirer", state.clock.now(), "POST", path);
    let outcome = process(&state, path, kind, &headers, body, &mut ex).await;
    finish(&state, ex, outcome).await
}

/// Records the exchange and turns the outcome into a response. The journal is written before the
/// answer leaves.
pub async fn finish(state: &AppState, mut ex: Exchange, outcome: Outcome) -> Response {
    let (status, bytes) = match outcome {
        Outcome::Answer(status, body) => (status, Bytes::from(body.to_string())),
        Outcome::Text(status, bytes) => (status, bytes),
        Outcome::Drop => {
            ex.note = Some("answer dropped by a behaviour (connection closed)".into());
            state.journal.record(ex);
            return kushki_mock_support::server::dropped_connection();
        }
        Outcome::Hang => {
            ex.note = Some("no answer: held by a timeout behaviour".into());
            state.journal.record(ex);
            // Held until the mock shuts down; the client's own timeout ends it first.
            state.shutdown.notified().await;
            return StatusCode::GATEWAY_TIMEOUT.into_response();
        }
    };
    ex.status = status.as_u16();
    ex.response = bytes.clone();
    state.journal.record(ex);
    (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

async fn process(
    state: &Arc<AppState>,
    path: &'static str,
    kind: SchemaKind,
    headers: &HeaderMap,
    body: Body,
    ex: &mut Exchange,
) -> Outcome {
    let body = match credential_checked(state, headers, body, ex).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let bytes = match read_body(body, ex).await {
        Ok(b) => b,
        Err(e) => return e.into(),
    };
    // The body as the harness's own tree (`kushki_protocol::json_tree`), validated by the same schema
    // as every other body; a failing one is listed field by field through its `Value`.
    let value = match json_doc(headers, &bytes) {
        Ok(v) => v,
        Err(e) => return ApiError::invalid(e.to_string()).into(),
    };
    if !schemas::is_valid_doc(kind, &value) {
        return schema_error(kind, &value.to_value(), ex).into();
    }
    let req = match TransactionRequest::from_doc(&value) {
        Ok(r) => r,
        Err(e) => {
            ex.violations.push(format!("schema: {e}"));
            return ApiError::invalid(e.to_string()).into();
        }
    };
    if kind == SchemaKind::RawRefundRequest && req.operation != Operation::Refund
        || kind == SchemaKind::RawTransactionRequest && req.operation == Operation::Refund
    {
        return ApiError::invalid("transaction_type: refunds go to /pos/v1/refund, everything else to /pos/v1/transaction").into();
    }
    let op_name = operation_name(req.operation);
    ex.operation = Some(op_name.to_string());
    ex.client_transaction_id = Some(req.client_transaction_id.clone());

    let subject = Subject {
        hop: Hop::Acquirer,
        path,
        operation: Some(op_name),
        amount: req.amount.as_ref().map(|a| a.total().major_text()),
        client_transaction_id: Some(&req.client_transaction_id),
    };
    let plan = state.behaviours.plan(&subject).await;
    if let Some(status) = plan.injected_status(ex) {
        return ApiError::Injected(status).into();
    }

    let now = state.clock.now();
    // The behaviour taken above counts too: with `times` it may already be used up and gone.
    let disabled = |rule: rules::Rule| {
        plan.disables(rule.id()) || state.behaviours.rule_disabled(&subject, rule.id())
    };
    let ctx = rules::Context {
        now,
        rules: &state.config.rules,
        disabled: &disabled,
        forced_code: plan.kushki_code(),
        body_hash: body_hash(&value),
    };
    let (applied, answer) = {
        let mut ledger = state.ledger();
        let decided = rules::admit(&ledger, &req, &ctx).and_then(|admission| match admission {
            rules::Admission::Replay(applied) => Ok(applied),
            rules::Admission::New(admitted) => admitted.decide(&mut ledger),
        });
        match decided {
            Ok(applied) => {
                let answer = domain::answer_text(&ledger, applied.txn);
                (applied, answer)
            }
            Err(refusal) => {
                drop(ledger);
                ex.violations
                    .push(format!("{}: {}", refusal.rule, refusal.reason));
                return ApiError::Raw {
                    code: refusal.code,
                    origin: refusal.rule.origin(),
                    details: refusal.reason,
                }
                .into();
            }
        }
    };
    if applied.replay {
        ex.note =
            Some("idempotent replay of the first answer to this client_transaction_id".into());
    }
    if cfg!(debug_assertions)
        && let Err(v) = schemas::validate(
            SchemaKind::RawTransactionResponse,
            &serde_json::from_slice(&answer).unwrap_or_default(),
        )
    {
        tracing::error!(violations = %schemas::violations_message(&v), "the mock's own answer breaks its schema");
        ex.violations.push(format!(
            "egress-schema: {}",
            schemas::violations_message(&v)
        ));
    }
    if let Some(secs) = applied.delay_secs {
        // "Approved with delay" (ref §2.7): waits on the virtual clock.
        ex.note = Some(format!(
            "answer delayed {secs} s of clock time (test amount)"
        ));
        tokio::select! {
            _ = state.clock.sleep_until(later(now, secs)) => {}
            _ = state.shutdown.notified() => {}
        }
    }
    if applied.webhook && !applied.replay {
        crate::webhooks::dispatch(state, applied.txn);
    }
    Outcome::answered(&plan, Outcome::Text(StatusCode::OK, Bytes::from(answer)))
}

#[cfg(test)]
mod tests {
    use super::body_hash;

    fn hash(text: &str) -> u64 {
        body_hash(&kushki_protocol::json_tree::Doc::parse(text).unwrap())
    }

    #[test]
    fn bodies_hash_alike_exactly_when_their_compact_texts_are_equal() {
        let body = r#"{"a":{"b":[1,"x",null,true]},"amount":12.50}"#;
        assert_eq!(hash(body), hash(&body.replace(',', " , ")));
        for other in [
            r#"{"amount":12.50,"a":{"b":[1,"x",null,true]}}"#,
            r#"{"a":{"b":[1,"x",null,true]},"amount":12.5}"#,
            r#"{"a":{"b":[1,"x",null,false]},"amount":12.50}"#,
            r#"{"a":{"b":[1,"x"],"c":[null,true]},"amount":12.50}"#,
            r#"{"a":{"b":["1","x",null,true]},"amount":12.50}"#,
        ] {
            assert_ne!(hash(body), hash(other), "{other}");
        }
    }
}
