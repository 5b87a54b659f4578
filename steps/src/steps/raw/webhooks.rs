//! Webhooks (add §3): receivers the acquirer notifies, and the notifications they get, checked
//! here as a receiver following add §3 would (both signatures, the body's shape), independently
//! of the mock's own signing code.

use std::time::Duration;

use hmac::{Hmac, Mac};
use kushki_protocol::schemas::{self, SchemaKind};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::env::{Mock, wait_until};
use crate::steps::common::require;
use crate::steps::{Step, step};
use crate::target::Capability;
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[
    RECEIVER,
    RECEIVER_STATUS,
    DUPLICATE,
    NOTIFICATIONS,
    REPORTS,
    SAME,
    BOUNDED,
];

/// The signature key the scenarios' webhook receivers are configured with unless they name one.
const DEFAULT_WEBHOOK_KEY: &str = "conformance-webhook-signature-key";

async fn start_receiver(w: &mut KushkiWorld, status: u16, key: &str) {
    require(w, Capability::Faults).await;
    let (server, base) = w.env().await.receiver(status).await;
    // Kushki configures card-present webhooks in its Console (add §3); the mock through its admin
    // API.
    let url = format!("{base}/kushki-webhook");
    w.env()
        .await
        .admin_call(
            Mock::Acquirer,
            "POST",
            "/__admin/webhooks",
            Some(json!({"url": url, "key": key})),
        )
        .await;
    w.receiver = Some(server);
    w.webhook_key = Some(key.to_string());
}

const RECEIVER: Step = step!(
    Given,
    r#"a webhook receiver with the signature key "([^"]+)""#,
    webhook_receiver
);
async fn webhook_receiver(w: &mut KushkiWorld, key: String) {
    start_receiver(w, 200, &key).await;
}

const RECEIVER_STATUS: Step = step!(
    Given,
    r"a webhook receiver that answers HTTP (\d{3})",
    webhook_receiver_status
);
async fn webhook_receiver_status(w: &mut KushkiWorld, status: u16) {
    start_receiver(w, status, DEFAULT_WEBHOOK_KEY).await;
}

const DUPLICATE: Step = step!(
    Given,
    "the acquirer will deliver the next notification twice",
    webhook_duplicate
);
async fn webhook_duplicate(w: &mut KushkiWorld, _: ()) {
    require(w, Capability::Faults).await;
    let b = json!({"hop": "webhook", "respond": {"fault": "duplicate"}, "times": 1});
    w.env().await.behaviour(Mock::Acquirer, b).await;
}

async fn received(w: &KushkiWorld) -> Vec<wiremock::Request> {
    let receiver = w
        .receiver
        .as_ref()
        .expect("no webhook receiver (Given a webhook receiver …)");
    receiver.received_requests().await.unwrap_or_default()
}

/// Waits (real time, up to 5 s) until at least `n` deliveries arrived.
async fn wait_for_deliveries(w: &KushkiWorld, n: usize) -> Vec<wiremock::Request> {
    let what = format!("{n} webhook deliveries");
    wait_until(&what, Duration::from_secs(5), || async {
        let got = received(w).await;
        (got.len() >= n).then_some(got)
    })
    .await
}

fn hmac_sha256_hex(key: &str, message: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

fn header(r: &wiremock::Request, name: &str) -> String {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Checks one delivery as a receiver following add §3 would: the headers, both signatures and the
/// body's shape.
fn verify_delivery(r: &wiremock::Request, key: &str, which: usize) -> Value {
    let id = header(r, "X-Kushki-Id");
    assert!(
        !header(r, "X-Kushki-Key").is_empty(),
        "add §3: notification {which} has no X-Kushki-Key (the merchant id)"
    );
    assert!(
        id.len() >= 13 && id.chars().all(|c| c.is_ascii_digit()),
        "add §3: X-Kushki-Id of notification {which} is a Unix time in milliseconds, got `{id}`"
    );
    let mut signed = r.body.clone();
    signed.push(b'.');
    signed.extend_from_slice(id.as_bytes());
    assert_eq!(
        header(r, "X-Kushki-Signature"),
        hmac_sha256_hex(key, &signed),
        "add §3: X-Kushki-Signature of notification {which} must be hex HMAC-SHA256(key, body + \".\" + X-Kushki-Id)"
    );
    assert_eq!(
        header(r, "X-Kushki-SimpleSignature"),
        hmac_sha256_hex(key, id.as_bytes()),
        "add §3: X-Kushki-SimpleSignature of notification {which} must be hex HMAC-SHA256(key, X-Kushki-Id)"
    );
    assert!(
        header(r, "content-type").starts_with("application/json"),
        "notification {which} is JSON: content-type `{}`",
        header(r, "content-type")
    );
    let body: Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| {
        panic!(
            "notification {which} is not JSON ({e}): {}",
            String::from_utf8_lossy(&r.body)
        )
    });
    if let Err(v) = schemas::validate(SchemaKind::RawWebhook, &body) {
        panic!(
            "schema: notification {which} breaks raw/webhook.json:\n  {}\nbody: {body}",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
    body
}

const NOTIFICATIONS: Step = step!(
    Then,
    r"the receiver gets (\d+) signed notifications?",
    notifications
);
async fn notifications(w: &mut KushkiWorld, n: usize) {
    wait_for_deliveries(w, n).await;
    // A notification too many (a retry after a 2xx, a spurious duplicate) would come quickly.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = received(w).await;
    assert_eq!(
        got.len(),
        n,
        "expected exactly {n} notifications, got {}: {:?}",
        got.len(),
        got.iter()
            .map(|r| String::from_utf8_lossy(&r.body).to_string())
            .collect::<Vec<_>>()
    );
    let key = w.webhook_key.clone().expect("the receiver's key");
    for (i, r) in got.iter().enumerate() {
        verify_delivery(r, &key, i + 1);
    }
}

const REPORTS: Step = step!(
    Then,
    r"notification (\d+) reports the (charge|void|refund|reverse)(?: as (SALE|VOID|REFUND))? with status (APPROVAL|DECLINED)",
    notification_reports
);
async fn notification_reports(
    w: &mut KushkiWorld,
    (i, name, kind, status): (usize, String, Option<String>, String),
) {
    let got = wait_for_deliveries(w, i).await;
    let key = w.webhook_key.clone().expect("the receiver's key");
    let body = verify_delivery(&got[i - 1], &key, i);
    let expected = w.named(&name).clone();
    assert_eq!(
        body["transaction_reference"],
        expected.reference.as_str(),
        "notification {i} is about the {name}: {body}"
    );
    assert_eq!(
        body["client_transaction_id"],
        expected.client_transaction_id.as_str(),
        "notification {i} carries the {name}'s client_transaction_id: {body}"
    );
    if let Some(kind) = kind {
        assert_eq!(
            body["transaction_type"],
            kind.as_str(),
            "add §3: transaction_type of notification {i}: {body}"
        );
    }
    assert_eq!(
        body["transaction_status"],
        status.as_str(),
        "add §3: transaction_status of notification {i}: {body}"
    );
}

const SAME: Step = step!(
    Then,
    r"notifications (\d+) and (\d+) are the same notification",
    notifications_same
);
async fn notifications_same(w: &mut KushkiWorld, (a, b): (usize, usize)) {
    let got = wait_for_deliveries(w, a.max(b)).await;
    let (x, y) = (&got[a - 1], &got[b - 1]);
    assert_eq!(
        String::from_utf8_lossy(&x.body),
        String::from_utf8_lossy(&y.body),
        "add §3: a duplicate notification carries the same body (a receiver deduplicates by transaction_reference)"
    );
}

const BOUNDED: Step = step!(
    Then,
    r"the receiver gets (\d+) attempts of the same notification and no more",
    bounded_attempts
);
async fn bounded_attempts(w: &mut KushkiWorld, n: usize) {
    require(w, Capability::Faults).await;
    // The acquirer journals a `webhook-delivery` violation when it gives up.
    let env = w.env().await.second_handle();
    let what = "the acquirer to give up delivering the notification (retries must be bounded)";
    wait_until(what, Duration::from_secs(5), || async {
        let journal = env.journal(Mock::Acquirer).await;
        let gave_up = journal
            .iter()
            .any(|e| e["violations"].to_string().contains("webhook-delivery"));
        gave_up.then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = received(w).await;
    assert_eq!(
        got.len(),
        n,
        "harness-defined: {n} delivery attempts to a receiver that keeps failing, got {}",
        got.len()
    );
    let key = w.webhook_key.clone().expect("the receiver's key");
    for (i, r) in got.iter().enumerate() {
        verify_delivery(r, &key, i + 1);
        assert_eq!(
            r.body,
            got[0].body,
            "attempt {} carries the body of the first",
            i + 1
        );
    }
}
