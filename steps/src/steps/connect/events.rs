//! Asynchronous operations (ref §1.3): the POS's events receiver, the acknowledgement, and the
//! events the terminal posts to it, each checked against `connect/event.json`.

use std::time::Duration;

use kushki_protocol::connect::ConnectOperation;
use kushki_protocol::money::Amount;
use kushki_protocol::schemas::{self, SchemaKind};
use serde_json::{Value, json};

use super::{connect_amount, payload};
use crate::env::{Connect, Mock, wait_until};
use crate::steps::{Step, step};
use crate::target::Capability;
use crate::world::{KushkiWorld, Named};

/// The steps of this module.
pub const STEPS: &[Step] = &[
    RECEIVER,
    ASYNC_CHARGE,
    ASYNC_CHARGE_WITHOUT_URL,
    ACKNOWLEDGED,
    IN_ORDER,
    CHAIN,
    FINAL_EVENT,
];

const RECEIVER: Step = step!(Given, "an events receiver", receiver);
async fn receiver(w: &mut KushkiWorld, _: ()) {
    let (server, url) = w.env().await.receiver(200).await;
    w.receiver = Some(server);
    w.receiver_url = url;
}

const ASYNC_CHARGE: Step = step!(
    When,
    "the POS charges {amount} asynchronously",
    async_charge
);
async fn async_charge(w: &mut KushkiWorld, total: Amount) {
    assert!(
        w.receiver.is_some(),
        "an events receiver (Given an events receiver)"
    );
    let url = format!("{}/events", w.receiver_url);
    charge_asynchronously(w, total, json!({"events_webhook_url": url})).await;
}

const ASYNC_CHARGE_WITHOUT_URL: Step = step!(
    When,
    "the POS charges {amount} asynchronously without an events_webhook_url",
    async_charge_without_url
);
async fn async_charge_without_url(w: &mut KushkiWorld, total: Amount) {
    charge_asynchronously(w, total, json!({})).await;
}

/// An asynchronous charge, named "asynchronous charge"; once acknowledged, waits until the reader
/// took its scripted action, so that a later step moves the clock after it.
async fn charge_asynchronously(w: &mut KushkiWorld, total: Amount, extra: Value) {
    let mut payload = payload(w, json!({"amount": connect_amount(total)}));
    if let (Some(p), Value::Object(e)) = (payload.as_object_mut(), extra) {
        p.extend(e);
    }
    let what = Connect::Operation(ConnectOperation::Charge);
    let call = w.env().await.connect(what, payload.clone());
    let answer = call.asynchronous(true).send().await;
    let named = Named {
        reference: String::new(),
        client_transaction_id: super::text(&payload["client_transaction_id"]),
        amount: total,
        request: payload,
    };
    w.named.insert("asynchronous charge".into(), named);
    let acknowledged = answer.status == 200;
    w.last = Some(answer);
    if acknowledged && w.env().await.has(Capability::ScriptedCard) {
        let env = w.env().await.second_handle();
        let what = "the terminal's reader to take the scripted action";
        wait_until(what, Duration::from_secs(10), || async {
            let queued = env
                .admin_call(Mock::Terminal, "GET", "/__admin/cards", None)
                .await;
            queued["cards"]
                .as_array()
                .is_none_or(Vec::is_empty)
                .then_some(())
        })
        .await;
    }
}

const ACKNOWLEDGED: Step = step!(
    Then,
    r"the POS is acknowledged with TERMINAL_ACKNOWLEDGED",
    acknowledged
);
async fn acknowledged(w: &mut KushkiWorld, _: ()) {
    let ctid = w.named("asynchronous charge").client_transaction_id.clone();
    let a = w.last();
    assert_eq!(
        (
            a.status,
            a.body["status"].as_str(),
            a.body["previous_status"].as_str(),
            a.body["client_transaction_id"].as_str(),
        ),
        (
            200,
            Some("TERMINAL_ACKNOWLEDGED"),
            Some(""),
            Some(ctid.as_str())
        ),
        "{}",
        a.body
    );
    assert!(a.encrypted, "the acknowledgement came unencrypted");
}

/// The events received so far, each checked against `connect/event.json`.
async fn events(w: &KushkiWorld) -> Vec<Value> {
    let receiver = w.receiver.as_ref().expect("an events receiver");
    let received = receiver.received_requests().await.unwrap_or_default();
    received
        .iter()
        .map(|r| {
            let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            if let Err(e) = schemas::validate(SchemaKind::ConnectEvent, &v) {
                panic!("an event breaks connect/event.json: {e:?}: {v}");
            }
            v
        })
        .collect()
}

const IN_ORDER: Step = step!(Then, r"the events receiver gets (.+) in order", in_order);
async fn in_order(w: &mut KushkiWorld, list: String) {
    let expected: Vec<String> = list
        .replace(" and ", ", ")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let _ = crate::env::poll(Duration::from_secs(5), || async {
        (events(w).await.len() >= expected.len()).then_some(())
    })
    .await;
    // A moment more, so an event too many is seen.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let received = events(w).await;
    let statuses: Vec<&str> = received
        .iter()
        .map(|v| v["status"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(statuses, expected, "events received, in order");
    let ctid = w.named("asynchronous charge").client_transaction_id.clone();
    for e in &received {
        assert_eq!(
            e["client_transaction_id"],
            ctid.as_str(),
            "every event names the operation: {e}"
        );
    }
}

const CHAIN: Step = step!(
    Then,
    "each event names the status before it as previous_status",
    chain
);
async fn chain(w: &mut KushkiWorld, _: ()) {
    let received = events(w).await;
    let mut previous = "TERMINAL_ACKNOWLEDGED";
    for e in &received {
        assert_eq!(e["previous_status"], previous, "previous_status of {e}");
        previous = e["status"].as_str().unwrap_or_default();
    }
}

const FINAL_EVENT: Step = step!(
    Then,
    r#"the final event carries (an approval|a decline|error "([A-Z0-9_-]+)")"#,
    final_event
);
async fn final_event(w: &mut KushkiWorld, (outcome, code): (String, String)) {
    let received = events(w).await;
    let last = received.last().expect("no event was received");
    let object = &last["object"];
    let schema = match outcome.as_str() {
        "an approval" | "a decline" => {
            let approved = outcome == "an approval";
            assert_eq!(object["approved"], approved, "final event {last}");
            SchemaKind::ConnectOperationResponse
        }
        _ => {
            assert_eq!(last["code"], code.as_str(), "final event {last}");
            assert_eq!(object["code"], code.as_str(), "final event {last}");
            SchemaKind::ConnectLinkFailure
        }
    };
    schemas::validate(schema, object).unwrap_or_else(|v| panic!("the final event's object: {v:?}"));
}
