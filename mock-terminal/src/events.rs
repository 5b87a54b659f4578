//! Async events (ref §1.3; envelope harness-defined H6): one POST per state change to the
//! request's `events_webhook_url`, in order, each retried a bounded number of times, ending in
//! `APPROVAL`, `DECLINED` or `TERMINAL_CANCELED`. The acknowledgement is the HTTP answer itself.
//! Deliveries are plain JSON (Kushki documents no signature for them, ref §1.3). Print-job
//! webhooks ([`crate::printer`]) go through the same [`post_with_retries`].

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kushki_mock_support::behaviours::{Hop, NOT_DELIVERED, Subject};
use kushki_mock_support::journal::Exchange;
use kushki_protocol::connect::{ConnectOperation, Event, EventStatus};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::state::AppState;

/// Time allowed for one delivery.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// An event before it gets its id and time.
#[derive(Debug, Clone)]
pub struct EventDraft {
    /// New status.
    pub status: EventStatus,
    /// Status before.
    pub previous: EventStatus,
    /// Failure code of a cancelled operation.
    pub code: Option<String>,
    /// Text.
    pub message: Option<String>,
    /// The final answer.
    pub object: Option<Value>,
}

/// The acknowledgement an async call answers at once (`previous_status` empty, ref §1.3).
pub fn acknowledgement(state: &AppState, ctid: &str, op: ConnectOperation) -> Event {
    Event {
        event_id: uuid::Uuid::new_v4().to_string(),
        status: EventStatus::TerminalAcknowledged,
        previous_status: String::new(),
        client_transaction_id: ctid.to_string(),
        operation: op,
        created: state.clock.now().as_millisecond(),
        code: None,
        message: None,
        object: None,
    }
}

/// Starts the delivery task for one operation and returns the queue that feeds it.
pub fn start(
    state: Arc<AppState>,
    url: String,
    ctid: String,
    op: ConnectOperation,
) -> (
    mpsc::UnboundedSender<EventDraft>,
    tokio::task::JoinHandle<()>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<EventDraft>();
    let task = tokio::spawn(async move {
        while let Some(draft) = rx.recv().await {
            let event = Event {
                event_id: uuid::Uuid::new_v4().to_string(),
                status: draft.status,
                previous_status: draft.previous.as_str().to_string(),
                client_transaction_id: ctid.clone(),
                operation: op,
                created: state.clock.now().as_millisecond(),
                code: draft.code,
                message: draft.message,
                object: draft.object,
            };
            deliver(&state, &url, &event).await;
        }
    });
    (tx, task)
}

async fn deliver(state: &AppState, url: &str, event: &Event) {
    let text = serde_json::to_string(event).unwrap_or_default();
    post_with_retries(
        state,
        url,
        text,
        event.status.as_str(),
        &event.client_transaction_id,
    )
    .await;
}

/// Delivers one webhook body (hop `webhook`, every attempt journaled): `webhook` behaviours apply
/// (latency, `drop`, `duplicate`), each copy is tried `webhook_attempts` times with a short
/// back-off. `operation` (an event or print-job status) and `reference` (the operation's or the
/// print job's id) are what behaviours match on and the journal shows.
pub async fn post_with_retries(
    state: &AppState,
    url: &str,
    text: String,
    operation: &str,
    reference: &str,
) {
    let plan = state
        .behaviours
        .plan(&Subject {
            hop: Hop::Webhook,
            path: url,
            operation: Some(operation),
            amount: None,
            client_transaction_id: Some(reference),
        })
        .await;
    let Some(copies) = plan.webhook_copies() else {
        let mut e = Exchange::new("webhook", state.clock.now(), "POST", url);
        e.request = Bytes::from(text);
        e.note = Some(NOT_DELIVERED.into());
        state.journal.record(e);
        return;
    };
    let attempts = state.config.webhook_attempts.max(1);
    for _ in 0..copies {
        for attempt in 1..=attempts {
            let mut e = Exchange::new("webhook", state.clock.now(), "POST", url);
            e.request = Bytes::from(text.clone());
            e.operation = Some(operation.to_string());
            e.client_transaction_id = Some(reference.to_string());
            let sent = state
                .http
                .post(url)
                .timeout(DELIVERY_TIMEOUT)
                .header("content-type", "application/json")
                .body(text.clone())
                .send()
                .await;
            let delivered = match sent {
                Ok(resp) => {
                    e.status = resp.status().as_u16();
                    let ok = resp.status().is_success();
                    e.response = resp.bytes().await.unwrap_or_default();
                    ok
                }
                Err(err) => {
                    e.note = Some(format!("delivery failed: {err}"));
                    false
                }
            };
            if delivered {
                e.note = Some(format!("delivered (attempt {attempt} of {attempts})"));
                state.journal.record(e);
                break;
            }
            if attempt == attempts {
                e.violations.push(format!(
                    "webhook-delivery: gave up after {attempts} attempts"
                ));
                state.journal.record(e);
                break;
            }
            state.journal.record(e);
            tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
        }
    }
}
