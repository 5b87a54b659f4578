//! Executing a Connect operation as the Kushki ONE app does: read the card, ask the acquirer over
//! the raw API, map its answer to the Connect answer, record it locally, and report each state
//! change as an async event.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use jiff::Timestamp;
use kushki_mock_support::behaviours::{Fault, Hop, Subject};
use kushki_mock_support::clock::later;
use kushki_mock_support::journal::Exchange;
use kushki_protocol::calendar::{self, MarketCalendar};
use kushki_protocol::card_reads;
use kushki_protocol::connect::{
    ConnectOperation, ConnectRequest, EventStatus, PaymentRequest, ReferencedRequest, SearchItem,
    SearchQuery,
};
use kushki_protocol::errors::{ConnectCode, FailureObject, LinkFailure, RawError};
use kushki_protocol::mask::mask_pan;
use kushki_protocol::money::{AmountBreakdown, Units};
use kushki_protocol::raw::{
    Operation, PosDetails, ReadingType, TransactionRequest, TransactionType,
};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::config::APP_VERSION;
use crate::events::EventDraft;
use crate::history::HistoryItem;
use crate::reader::Action;
use crate::state::{AppState, Busy, Phase, TRANSACTION_PATH, acquirer_url_text};
use kushki_protocol::card_reads::Pin;

/// The answer to a Connect operation: a body with HTTP 200, or a LinkFailure with its status.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// 200 with this body.
    Ok(Value),
    /// A failure and its HTTP status (ACQUIRER failures keep the acquirer's, ref §1.7).
    Fail(LinkFailure, u16),
}

impl Reply {
    /// A failure with the catalog's status.
    pub fn code(code: ConnectCode) -> Reply {
        Reply::Fail(code.failure(), code.http_status())
    }

    /// The HTTP status and the body.
    pub fn into_parts(self) -> (u16, Value) {
        match self {
            Reply::Ok(v) => (200, v),
            Reply::Fail(f, status) => (status, serde_json::to_value(f).unwrap_or_default()),
        }
    }
}

/// The raw API's `client_transaction_id` for a Connect one: the same when it is a UUID, else a
/// UUID v5 of serial and id, so retries map to the same raw id (the raw API requires a UUID, add
/// §6.2; Connect ids are free text, H4).
pub fn raw_client_id(serial: &str, connect_id: &str) -> String {
    match Uuid::parse_str(connect_id) {
        Ok(u) => u.to_string(),
        Err(_) => Uuid::new_v5(
            &Uuid::NAMESPACE_OID,
            format!("{serial}/{connect_id}").as_bytes(),
        )
        .to_string(),
    }
}

/// Reports state changes: to the async webhook when there is one, to nobody otherwise.
pub struct Emitter {
    tx: Option<mpsc::UnboundedSender<EventDraft>>,
    previous: EventStatus,
}

impl Emitter {
    /// An emitter for a sync call (events go nowhere).
    pub fn silent() -> Emitter {
        Emitter {
            tx: None,
            previous: EventStatus::TerminalAcknowledged,
        }
    }

    /// An emitter feeding an async delivery queue; the acknowledgement was the HTTP answer.
    pub fn to(tx: mpsc::UnboundedSender<EventDraft>) -> Emitter {
        Emitter {
            tx: Some(tx),
            previous: EventStatus::TerminalAcknowledged,
        }
    }

    fn emit(
        &mut self,
        status: EventStatus,
        code: Option<String>,
        message: Option<String>,
        object: Option<Value>,
    ) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(EventDraft {
                status,
                previous: self.previous,
                code,
                message,
                object,
            });
        }
        self.previous = status;
    }

    /// Reports the final event for a reply.
    pub fn finish(&mut self, reply: &Reply) {
        if self.tx.is_none() {
            // A sync call reports to nobody: no need to copy the reply into an event.
            return;
        }
        match reply {
            Reply::Ok(body) => {
                let status = if body
                    .get("approved")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                {
                    EventStatus::Approval
                } else {
                    EventStatus::Declined
                };
                let message = body
                    .get("message")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                // The customer-cancel answer is a 200 without `approved` (ref §1.7).
                if body.get("approved").is_none() {
                    self.emit(
                        EventStatus::TerminalCanceled,
                        body.get("code").and_then(Value::as_str).map(str::to_string),
                        message,
                        Some(body.clone()),
                    );
                } else {
                    self.emit(status, None, message, Some(body.clone()));
                }
            }
            Reply::Fail(f, _) => {
                self.emit(
                    EventStatus::TerminalCanceled,
                    Some(f.code.clone()),
                    Some(f.message.clone()),
                    serde_json::to_value(f).ok(),
                );
            }
        }
    }
}

fn pos_details(state: &AppState) -> PosDetails {
    PosDetails {
        terminal_id: state.config.serial.chars().take(15).collect(),
        brand: "SUNMI".into(),
        model: state.config.model.wire_model().into(),
        version: APP_VERSION.into(),
        has_print: true,
    }
}

fn failure_object(state: &AppState, ctid: Option<&str>) -> FailureObject {
    FailureObject::of_terminal(&state.config.serial, ctid)
}

/// What the acquirer leg gave.
enum Leg {
    /// An HTTP answer.
    Answer(u16, Value),
    /// Nothing was sent: the acquirer could not be reached.
    Unreachable(String),
    /// Sent, and no answer within the timeout (or the connection broke): outcome unknown.
    Unknown(String),
}

/// The compact JSON text of a value: what its `Display` writes, written straight into a buffer
/// instead of through a formatter.
pub(crate) fn to_text(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Calls the acquirer's raw API, journaling the leg (hop `acquirer`). Waits at most
/// `acquirer_timeout_secs` of clock time from `started`.
async fn call_acquirer(
    state: &AppState,
    path: &str,
    body: &Value,
    operation: &str,
    started: Timestamp,
) -> Leg {
    let mut ex = Exchange::new("acquirer", state.clock.now(), "POST", path);
    // Written once: the journal and the request share the text.
    let text = bytes::Bytes::from(to_text(body));
    ex.request = text.clone();
    ex.operation = Some(operation.to_string());
    ex.client_transaction_id = body
        .get("client_transaction_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let plan = state
        .behaviours
        .plan(&Subject {
            hop: Hop::Acquirer,
            path,
            operation: Some(operation),
            amount: None,
            client_transaction_id: ex.client_transaction_id.as_deref(),
        })
        .await;
    let deadline = later(started, state.config.acquirer_timeout_secs);
    let leg = if let Some(status) = plan.injected_status(&mut ex) {
        Leg::Answer(
            status,
            json!({"code": "E002", "message": "Ha ocurrido un error inesperado."}),
        )
    } else {
        let request = match &state.acquirer_transaction_url {
            Some(url) if path == TRANSACTION_PATH => state.http.post(url.clone()),
            _ => state
                .http
                .post(acquirer_url_text(&state.config.acquirer_url, path)),
        };
        let send = request
            .header("Private-Credential-Id", &state.config.acquirer_credential)
            .header("content-type", "application/json")
            .body(text)
            .send();
        let fault = plan.fault();
        // The journal keeps the acquirer's answer as it came, not a re-serialised copy.
        let received = &mut ex.response;
        let call = async {
            if matches!(fault, Some(Fault::Timeout) | Some(Fault::Drop)) {
                // The request reaches the acquirer; its answer never comes back.
                let _ = send.await;
                std::future::pending::<Leg>().await
            } else {
                match send.await {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        match resp.bytes().await {
                            Ok(b) => {
                                let answer = serde_json::from_slice(&b).unwrap_or(Value::Null);
                                *received = b;
                                Leg::Answer(status, answer)
                            }
                            Err(e) => Leg::Unknown(format!("the answer broke off: {e}")),
                        }
                    }
                    Err(e) if e.is_connect() => Leg::Unreachable(e.to_string()),
                    Err(e) => Leg::Unknown(e.to_string()),
                }
            }
        };
        tokio::select! {
            leg = call => leg,
            _ = state.clock.sleep_until(deadline) => Leg::Unknown(format!(
                "no answer within {} s of clock time", state.config.acquirer_timeout_secs
            )),
            _ = state.shutdown.notified() => Leg::Unreachable("the terminal is shutting down".into()),
        }
    };
    match &leg {
        Leg::Answer(status, v) => {
            ex.status = *status;
            // An answer injected by a behaviour was never received as text.
            if ex.response.is_empty() {
                ex.response = bytes::Bytes::from(to_text(v));
            }
        }
        Leg::Unreachable(why) => ex.note = Some(format!("acquirer unreachable: {why}")),
        Leg::Unknown(why) => ex.note = Some(format!("outcome unknown: {why}")),
    }
    state.journal.record(ex);
    leg
}

/// Maps an acquirer answer to the Connect reply: an operation response on 200, an ACQUIRER
/// failure with the acquirer's status otherwise (ref §1.7).
fn map_answer(state: &AppState, ctid: &str, status: u16, raw: Value) -> Reply {
    if status == 200 && raw.get("transaction_status").is_some() {
        let approved = raw["transaction_status"] == "APPROVAL";
        let message = raw["kushki_response"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        // Built member by member so the acquirer's answer is moved in, not copied (`json!`
        // would serialise it into a new tree).
        let mut answer = Map::with_capacity(4);
        answer.insert("approved".into(), Value::Bool(approved));
        answer.insert("message".into(), Value::String(message));
        answer.insert("client_transaction_id".into(), Value::String(ctid.into()));
        answer.insert("rawResponse".into(), raw);
        return Reply::Ok(Value::Object(answer));
    }
    let failure = match serde_json::from_value::<RawError>(raw.clone()) {
        Ok(err) => LinkFailure::from_acquirer(&err),
        Err(_) => LinkFailure {
            kind: kushki_protocol::errors::FailureType::Acquirer,
            code: status.to_string(),
            param: None,
            message: raw
                .get("message")
                .or_else(|| raw.get("Message"))
                .and_then(Value::as_str)
                .unwrap_or("The acquirer refused the request")
                .to_string(),
            object: None,
        },
    };
    Reply::Fail(
        failure.with_object(failure_object(state, Some(ctid))),
        status,
    )
}

/// Waits `secs` of clock time unless the command is aborted first; `false` when aborted.
async fn wait_or_abort(state: &AppState, busy: &Busy, secs: i64) -> bool {
    if busy.is_aborted() {
        return false;
    }
    if secs > 0 {
        let deadline = later(state.clock.now(), secs);
        tokio::select! {
            _ = state.clock.sleep_until(deadline) => {}
            _ = busy.abort.notified() => {}
            _ = state.shutdown.notified() => {}
        }
    }
    !busy.is_aborted()
}

fn aborted(state: &AppState, ctid: &str) -> Reply {
    Reply::Fail(
        ConnectCode::Aborted
            .failure()
            .with_object(failure_object(state, Some(ctid))),
        ConnectCode::Aborted.http_status(),
    )
}

/// Runs a financial operation while the terminal is busy with it.
pub async fn execute(
    state: &Arc<AppState>,
    req: &ConnectRequest,
    busy: &Busy,
    events: &mut Emitter,
) -> Reply {
    let reply = match req {
        ConnectRequest::Charge(p) => {
            payment(state, p, ConnectOperation::Charge, busy, events).await
        }
        ConnectRequest::Authorization(p) => {
            payment(state, p, ConnectOperation::Authorization, busy, events).await
        }
        ConnectRequest::Capture(r) => {
            referenced(state, r, ConnectOperation::Capture, busy, events).await
        }
        ConnectRequest::ReAuthorization(r) => {
            referenced(state, r, ConnectOperation::ReAuthorization, busy, events).await
        }
        ConnectRequest::Void(r) => referenced(state, r, ConnectOperation::Void, busy, events).await,
        ConnectRequest::Refund(r) => {
            referenced(state, r, ConnectOperation::Refund, busy, events).await
        }
        ConnectRequest::PosTip(t) => {
            let r = ReferencedRequest {
                client_transaction_id: t.client_transaction_id.clone(),
                transaction_reference: t.transaction_reference.clone(),
                amount: None,
                events_webhook_url: None,
            };
            let mut req = raw_request(state, &r.client_transaction_id, Operation::PosTip);
            req.transaction_reference = Some(r.transaction_reference.clone());
            let zero = kushki_protocol::money::Amount::zero(state.currency);
            req.amount = Some(AmountBreakdown {
                subtotal_iva: zero,
                subtotal_iva0: zero,
                iva: zero,
                tip: Some(t.tip),
                extra_taxes: Vec::new(),
            });
            req.currency = Some(state.currency);
            acquirer_step(
                state,
                &r.client_transaction_id,
                ConnectOperation::PosTip,
                TRANSACTION_PATH,
                req,
                busy,
                events,
                None,
            )
            .await
        }
        _ => Reply::code(ConnectCode::UnknownOperation),
    };
    events.finish(&reply);
    reply
}

/// The raw request for `operation` on behalf of the Connect request `ctid`, in this terminal's
/// market; the caller adds the rest.
fn raw_request(state: &AppState, ctid: &str, operation: Operation) -> TransactionRequest {
    let mut req = TransactionRequest::new(operation, raw_client_id(&state.config.serial, ctid));
    req.country = Some(state.config.country.as_str().into());
    req
}

async fn payment(
    state: &Arc<AppState>,
    p: &PaymentRequest,
    op: ConnectOperation,
    busy: &Busy,
    events: &mut Emitter,
) -> Reply {
    let ctid = p.client_transaction_id.as_str();
    let action = state.reader.next();
    if !wait_or_abort(state, busy, i64::from(action.after_seconds)).await {
        return aborted(state, ctid);
    }
    match action.action {
        Action::Cancel => {
            // The customer-cancel answer (ref §1.7): HTTP 200, no `approved`.
            let f = ConnectCode::CustomerCancelled.failure();
            return Reply::Ok(serde_json::to_value(f).unwrap_or_default());
        }
        Action::Remove => {
            return Reply::Fail(
                ConnectCode::CardRemoved
                    .failure()
                    .with_object(failure_object(state, Some(ctid))),
                ConnectCode::CardRemoved.http_status(),
            );
        }
        Action::NoCard => {
            if !wait_or_abort(state, busy, state.config.reader_timeout_secs).await {
                return aborted(state, ctid);
            }
            return Reply::Fail(
                ConnectCode::CardReadTimeout
                    .failure()
                    .with_object(failure_object(state, Some(ctid))),
                ConnectCode::CardReadTimeout.http_status(),
            );
        }
        Action::Present => {}
    }
    let card = match action.card() {
        Ok(c) => c,
        Err(_) => kushki_protocol::catalog::default_card(),
    };
    let reading_type = action.reading_type.unwrap_or(ReadingType::Icc);
    state.set_phase(Phase::CardRead);
    events.emit(EventStatus::CardPresented, None, None, None);
    if busy.is_aborted() {
        return aborted(state, ctid);
    }
    let total = p.amount.total();
    if action.pin == Pin::Wrong {
        // The card refused the PIN: the terminal declines without asking the acquirer
        // (harness-defined; nothing reached Kushki, so the reference is local).
        let raw = json!({
            "additional_amounts": {"account_type": "", "amount": 0, "amount_type": "", "card_type": "", "currency_code": ""},
            "authorized_amount": 0, "cvm_type": "", "F11": "000000", "franchise": card.franchise.as_str(),
            "kushki_response": {"code": "55", "message": "Incorrect PIN"},
            "message_fields": {"F38": "", "F39": "55"},
            "transaction_reference": Uuid::new_v4().to_string(),
            "ticket_number": "000000000000000000",
            "transaction_status": "DECLINED",
            "transaction_type": if op == ConnectOperation::Charge { "charge" } else { "preAuth" },
        });
        return map_answer(state, ctid, 200, raw);
    }
    let operation = if op == ConnectOperation::Charge {
        Operation::Charge
    } else {
        Operation::PreAuth
    };
    let mut req = raw_request(state, ctid, operation);
    req.amount = Some(p.amount.clone());
    req.currency = Some(total.currency());
    req.card_details = Some(card_reads::card_details(
        state.reader.ksns(),
        &state.config.serial,
        card,
        reading_type,
        action.pin,
        total,
        state.config.country,
        state.clock.now(),
    ));
    req.cashback = p.cashback;
    req.deferred_months = p.deferred_months;
    let card_mask = Some(mask_pan(card.pan.expose()));
    acquirer_step(
        state,
        ctid,
        op,
        TRANSACTION_PATH,
        req,
        busy,
        events,
        Some((card_mask, reading_type)),
    )
    .await
}

/// Asks the acquirer (phase `ApprovalRequested`: no abort from here), reverses on an unknown
/// outcome, maps the answer, records history.
#[allow(clippy::too_many_arguments)]
async fn acquirer_step(
    state: &Arc<AppState>,
    ctid: &str,
    op: ConnectOperation,
    path: &str,
    req: TransactionRequest,
    busy: &Busy,
    events: &mut Emitter,
    card: Option<(Option<String>, ReadingType)>,
) -> Reply {
    {
        // The phase and the abort flag change together, so an abort either lands before the
        // approval request or is refused.
        let mut slot = state.busy();
        if busy.is_aborted() {
            return aborted(state, ctid);
        }
        if let Some(b) = slot.as_mut() {
            b.phase = Phase::ApprovalRequested;
        }
    }
    events.emit(EventStatus::ApprovalRequested, None, None, None);
    let started = state.clock.now();
    let pos = pos_details(state);
    let body = req.to_json(Some(&pos));
    let raw_type = req.operation.wire().1;
    let raw_op = raw_type.as_str();
    match call_acquirer(state, path, &body, raw_op, started).await {
        Leg::Answer(status, raw) => {
            let reply = map_answer(state, ctid, status, raw);
            if let Reply::Ok(ok) = &reply {
                record_history(state, ctid, op, req.amount.as_ref(), ok, card, raw_type);
            }
            reply
        }
        Leg::Unreachable(_) => Reply::Fail(
            ConnectCode::AcquirerUnreachable
                .failure()
                .with_object(failure_object(state, Some(ctid))),
            ConnectCode::AcquirerUnreachable.http_status(),
        ),
        Leg::Unknown(why) => {
            // The acquirer may have processed it: reverse, at least 60 s after the original
            // (seed), then answer TER-004.
            let reversible = matches!(raw_type, TransactionType::Charge | TransactionType::Capture);
            let reverse_note = if reversible {
                let earliest = later(started, calendar::REVERSE_MIN_DELAY_SECS);
                state.clock.sleep_until(earliest).await;
                // The same request as a reverse: by the original's id, without what only the
                // original carries.
                let reverse = TransactionRequest {
                    operation: Operation::Reverse(raw_type),
                    transaction_reference: None,
                    cashback: None,
                    deferred_months: None,
                    ..req
                }
                .to_json(Some(&pos));
                let now = state.clock.now();
                match call_acquirer(state, TRANSACTION_PATH, &reverse, "reverse", now).await {
                    Leg::Answer(200, _) => "the transaction was reversed".to_string(),
                    Leg::Answer(s, v) => format!(
                        "the reverse was answered {s}: {}",
                        v["code"].as_str().unwrap_or("")
                    ),
                    Leg::Unreachable(w) | Leg::Unknown(w) => format!("the reverse failed too: {w}"),
                }
            } else {
                format!("a {raw_op} cannot be reversed (ref §2.3); void it once it is known")
            };
            Reply::Fail(
                ConnectCode::AcquirerTimeout
                    .failure()
                    .with_message(format!(
                        "The acquirer did not answer ({why}); {reverse_note}"
                    ))
                    .with_object(failure_object(state, Some(ctid))),
                ConnectCode::AcquirerTimeout.http_status(),
            )
        }
    }
}

fn record_history(
    state: &AppState,
    ctid: &str,
    op: ConnectOperation,
    amount: Option<&AmountBreakdown>,
    ok: &Value,
    card: Option<(Option<String>, ReadingType)>,
    raw_type: TransactionType,
) {
    let raw = &ok["rawResponse"];
    let amount = amount
        .map(AmountBreakdown::to_connect_json)
        .unwrap_or_else(|| json!({"subtotal_iva": 0, "subtotal_iva0": 0, "iva": 0}));
    let (card_mask, reading_type) = match card {
        Some((m, r)) => (m, Some(r)),
        None => (None, None),
    };
    state.history.push(HistoryItem {
        row: SearchItem {
            client_transaction_id: ctid.to_string(),
            transaction_reference: raw["transaction_reference"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            ticket_number: raw["ticket_number"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            operation: op,
            approved: ok["approved"].as_bool().unwrap_or(false),
            amount,
            created: state.clock.now().as_millisecond(),
            card_mask,
            reading_type,
        },
        currency: state.currency,
        approval_code: raw["message_fields"]["F38"]
            .as_str()
            .filter(|code| !code.is_empty())
            .map(str::to_string),
        raw_type: Some(raw_type),
    });
}

async fn referenced(
    state: &Arc<AppState>,
    r: &ReferencedRequest,
    op: ConnectOperation,
    busy: &Busy,
    events: &mut Emitter,
) -> Reply {
    let ctid = r.client_transaction_id.as_str();
    let original = state.history.by_reference(&r.transaction_reference);
    let (path, operation) = match op {
        ConnectOperation::Capture => (TRANSACTION_PATH, Operation::Capture),
        ConnectOperation::ReAuthorization => (TRANSACTION_PATH, Operation::ReAuthorization),
        ConnectOperation::Void | ConnectOperation::Refund => {
            // "The system executes a void or a refund depending on the exact moment of execution"
            // (seed first steps): a full cancel on the original's business day before the cut-off
            // is a void, anything else a refund.
            let voidable = original.as_ref().is_none_or(|o| {
                let cal = MarketCalendar::for_country(state.config.country);
                calendar::void_window(&cal, o.created(), state.clock.now()).is_ok()
            }) && r.amount.is_none();
            if voidable {
                let original_type = original
                    .as_ref()
                    .and_then(|o| o.raw_type)
                    .unwrap_or(TransactionType::Charge);
                (TRANSACTION_PATH, Operation::Void(original_type))
            } else {
                ("/pos/v1/refund", Operation::Refund)
            }
        }
        _ => return Reply::code(ConnectCode::UnknownOperation),
    };
    let mut req = raw_request(state, ctid, operation);
    req.transaction_reference = Some(r.transaction_reference.clone());
    req.currency = r.amount.as_ref().map(|a| a.total().currency());
    req.amount = r.amount.clone();
    let card = original.and_then(|o| o.row.reading_type.map(|rt| (o.row.card_mask, rt)));
    acquirer_step(state, ctid, op, path, req, busy, events, card).await
}

/// `transaction_search_online`: the acquirer's search, mapped to Connect items.
pub async fn search_online(state: &AppState, q: &SearchQuery) -> Reply {
    let mut filters = serde_json::Map::new();
    if let Some(c) = &q.client_transaction_id {
        filters.insert(
            "client_transaction_id".into(),
            json!(raw_client_id(&state.config.serial, c)),
        );
    }
    if let Some(r) = &q.transaction_reference {
        filters.insert("transaction_reference".into(), json!(r));
    }
    if let Some(f) = q.from {
        filters.insert("start_date".into(), json!(f));
    }
    if let Some(t) = q.to {
        filters.insert("end_date".into(), json!(t));
    }
    let body = json!({"page": q.page.unwrap_or(1).max(1), "size": q.size.unwrap_or(10).clamp(1, 100), "filters": filters});
    match call_acquirer(
        state,
        "/pos-analytics/v1/transactions/search",
        &body,
        "search",
        state.clock.now(),
    )
    .await
    {
        Leg::Answer(200, v) => {
            let items: Vec<Value> = v["items"]
                .as_array()
                .map(|items| items.iter().map(|i| online_item(state, i)).collect())
                .unwrap_or_default();
            Reply::Ok(json!({ "items": items }))
        }
        Leg::Answer(status, raw) => map_answer(state, "", status, raw),
        Leg::Unreachable(_) => Reply::code(ConnectCode::AcquirerUnreachable),
        Leg::Unknown(_) => Reply::code(ConnectCode::AcquirerUnreachable),
    }
}

fn online_item(state: &AppState, item: &Value) -> Value {
    let reference = item["transaction_reference"].as_str().unwrap_or_default();
    let local = state.history.by_reference(reference);
    let operation = match (
        item["transaction_mode"].as_str(),
        item["transaction_type"].as_str(),
    ) {
        (Some("Void" | "Reverse"), _) => "void",
        (_, Some("preAuth")) => "authorization",
        (_, Some("capture")) => "capture",
        (_, Some("reAuthorization")) => "re_authorization",
        (_, Some("posTip")) => "pos_tip",
        (_, Some("refund")) => "refund",
        _ => "charge",
    };
    let amount = item["amount"]
        .as_object()
        .and_then(|a| AmountBreakdown::parse(a, state.currency, Units::Major, "amount").ok())
        .map(|b| b.to_connect_json())
        .unwrap_or_else(|| json!({"subtotal_iva": 0, "subtotal_iva0": 0, "iva": 0}));
    let mut out = json!({
        "client_transaction_id": local.as_ref().map(|l| l.row.client_transaction_id.clone())
            .unwrap_or_else(|| item["client_transaction_id"].as_str().unwrap_or_default().to_string()),
        "transaction_reference": reference,
        "ticket_number": item["ticket_number"],
        "operation": operation,
        "approved": item["transaction_status"] == "APPROVAL",
        "amount": amount,
        "created": item["transaction_date"],
    });
    if let Some(m) = item.get("card_mask") {
        out["card_mask"] = m.clone();
    }
    if let Some(r) = item.get("reading_type") {
        out["reading_type"] = r.clone();
    }
    out
}

/// Marks the command in progress aborted, if it is still before `APPROVAL_REQUESTED` (H7).
pub fn abort(state: &AppState) -> Result<String, ConnectCode> {
    let slot = state.busy();
    match slot.as_ref() {
        None => Err(ConnectCode::NothingToAbort),
        Some(b) if b.phase == Phase::ApprovalRequested => Err(ConnectCode::AbortTooLate),
        Some(b) => {
            b.aborted.store(true, Ordering::SeqCst);
            b.abort.notify_waiters();
            Ok(b.client_transaction_id.clone())
        }
    }
}
