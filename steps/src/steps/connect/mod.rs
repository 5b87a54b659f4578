//! Steps of Kushki ONE Connect (ref §1): a POS driving a terminal over LAN, localhost or cloud.
//! One module per concept; what they share (sending an operation, naming its transaction, the
//! charge running in the background, the acquirer's journal) is here.

pub mod abort;
pub mod acquirer;
pub mod auth;
pub mod customer;
pub mod errors;
pub mod events;
pub mod payments;
pub mod print;
pub mod search;

use std::time::Duration;

use kushki_protocol::connect::ConnectOperation;
use kushki_protocol::money::{Amount, AmountBreakdown, Units};
use kushki_protocol::schemas::SchemaKind;
use serde_json::{Value, json};

use crate::env::{Answer, Connect};
use crate::world::{KushkiWorld, Named};

/// The Connect `amount` object of an untaxed amount (minor units, H1).
pub fn connect_amount(a: Amount) -> Value {
    AmountBreakdown::untaxed(a).to_connect_json()
}

/// A payload with a fresh `client_transaction_id` and `extra`'s keys.
pub fn payload(w: &mut KushkiWorld, extra: Value) -> Value {
    let mut payload = json!({"client_transaction_id": w.new_client_id()});
    if let (Some(p), Value::Object(e)) = (payload.as_object_mut(), extra) {
        p.extend(e);
    }
    payload
}

/// Sends `operation` synchronously; names its transaction `name` when the answer approves it.
pub async fn op(w: &mut KushkiWorld, name: &str, operation: ConnectOperation, payload: Value) {
    let answer = w
        .env()
        .await
        .connect(Connect::Operation(operation), payload.clone())
        .send()
        .await;
    if answer.status == 200 && answer.body["approved"] == true {
        let total = payload
            .get("amount")
            .and_then(Value::as_object)
            .and_then(|a| {
                AmountBreakdown::parse(a, w.market.currency(), Units::Minor, "amount").ok()
            })
            .map(|b| b.total())
            .unwrap_or(Amount::zero(w.market.currency()));
        let named = Named {
            reference: answer.text("/rawResponse/transaction_reference"),
            client_transaction_id: text(&payload["client_transaction_id"]),
            amount: total,
            request: payload,
        };
        w.named.insert(name.into(), named);
    }
    w.last = Some(answer);
}

/// A JSON string's text, or "".
pub fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Fails unless `a` is the link failure `code` with HTTP `status` (`connect/error.json`).
pub fn assert_error(a: &Answer, code: &str, status: u16) {
    assert!(
        a.status == status && a.body["code"] == code,
        "expected error {code} with HTTP {status} from {}, got HTTP {}: {}",
        a.label,
        a.status,
        a.body
    );
    a.assert_schema(SchemaKind::ConnectLinkFailure);
}

/// Whether the charge started in the background has ended.
pub fn started_finished(w: &KushkiWorld) -> bool {
    w.pending.as_ref().is_some_and(|p| p.is_finished())
}

/// The answer of the charge started in the background, once it ends (its evidence kept).
pub async fn finish_started(w: &mut KushkiWorld) -> Answer {
    let handle = w
        .pending
        .take()
        .expect("no charge was started (When the POS starts charging …)");
    let (answer, evidence) = tokio::time::timeout(Duration::from_secs(30), handle)
        .await
        .expect("the started charge did not end within 30 s")
        .expect("the started charge's task");
    w.env().await.evidence.extend(evidence);
    answer
}
