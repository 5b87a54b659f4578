//! Card-present webhooks (add §3): the documented body and the four headers, signed with
//! HMAC-SHA256 and checked here independently; bounded retries; duplicates on request.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::support::receiver::{Delivery, Receiver};
use crate::support::{LIMA_MORNING, TestApp, spawn_app};
use kushki_protocol::schemas::{self, SchemaKind};

const KEY: &str = "webhook-signature-key-for-tests";

fn hmac_hex(key: &str, message: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(message.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn app_with_receiver(status: u16) -> (TestApp, Receiver) {
    let app = spawn_app(LIMA_MORNING).await;
    let receiver = Receiver::start(status).await;
    let (code, body) = app
        .admin(
            "POST",
            "/__admin/webhooks",
            Some(json!({"url": receiver.url, "key": KEY})),
        )
        .await;
    assert_eq!(code, 200, "configure the webhook: {body}");
    (app, receiver)
}

/// Checks a delivery as a receiver following add §3 would, and returns its body.
fn verified(d: &Delivery, clock_ms: i64) -> Value {
    let body_text = std::str::from_utf8(&d.body).expect("UTF-8 body");
    let body = d.json();
    if let Err(v) = schemas::validate(SchemaKind::RawWebhook, &body) {
        panic!(
            "the webhook body breaks raw/webhook.json: {}\n{body}",
            schemas::violations_message(&v)
        );
    }
    assert_eq!(
        d.header("X-Kushki-Key"),
        mock_acquirer::config::DEFAULT_MERCHANT_ID,
        "add §3: X-Kushki-Key is the merchant id"
    );
    let id = d.header("X-Kushki-Id");
    assert_eq!(
        id,
        clock_ms.to_string(),
        "add §3: X-Kushki-Id is the (virtual) Unix time in ms"
    );
    assert_eq!(
        d.header("X-Kushki-Signature"),
        hmac_hex(KEY, &format!("{body_text}.{id}")),
        "add §3: X-Kushki-Signature = hex HMAC-SHA256(key, body + \".\" + X-Kushki-Id)"
    );
    assert_eq!(
        d.header("X-Kushki-SimpleSignature"),
        hmac_hex(KEY, &id),
        "add §3: X-Kushki-SimpleSignature = hex HMAC-SHA256(key, X-Kushki-Id)"
    );
    assert!(
        d.header("content-type").starts_with("application/json"),
        "a JSON delivery: {:?}",
        d.headers
    );
    body
}

fn ms(rfc3339: &str) -> i64 {
    rfc3339
        .parse::<jiff::Timestamp>()
        .expect("time")
        .as_millisecond()
}

#[tokio::test]
async fn an_approved_charge_posts_a_signed_sale_webhook() {
    let (app, receiver) = app_with_receiver(200).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    let got = receiver.wait_for(1).await;
    let body = verified(&got[0], ms(LIMA_MORNING));
    assert_eq!(body["transaction_reference"], sale.reference.as_str());
    assert_eq!(body["client_transaction_id"], sale.client_id.as_str());
    assert_eq!(body["transaction_status"], "APPROVAL");
    assert_eq!(body["transaction_type"], "SALE");
    assert_eq!(body["response_code"], "00");
    let journal = app
        .wait_for_entry("for the delivery", |e| e["hop"] == "webhook")
        .await;
    assert_eq!(
        journal["status"], 200,
        "the delivery is journaled: {journal}"
    );
}

#[tokio::test]
async fn a_declined_charge_posts_a_declined_webhook() {
    let (app, receiver) = app_with_receiver(200).await;
    let declined = app
        .charge("50", "PEN")
        .await
        .declined("05", "ref §2.7: 50 declines");
    let got = receiver.wait_for(1).await;
    let body = verified(&got[0], ms(LIMA_MORNING));
    assert_eq!(body["transaction_reference"], declined.reference().as_str());
    assert_eq!(
        body["transaction_status"], "DECLINED",
        "add §3: rejected payments notify too"
    );
    assert_eq!(body["response_code"], "05");
}

#[tokio::test]
async fn a_void_posts_a_signed_void_webhook() {
    let (app, receiver) = app_with_receiver(200).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    receiver.wait_for(1).await;
    let void = app.void(&sale).await.approved("void");
    let got = receiver.wait_for(2).await;
    let body = verified(&got[1], ms(LIMA_MORNING));
    assert_eq!(body["transaction_reference"], void.reference().as_str());
    assert_eq!(body["transaction_type"], "VOID");
    assert_eq!(body["transaction_status"], "APPROVAL");
}

#[tokio::test]
async fn a_refund_posts_a_signed_refund_webhook() {
    let (app, receiver) = app_with_receiver(200).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    receiver.wait_for(1).await;
    let next_day = app.advance(86_400).await;
    let refund = app.refund(&sale, Some("30.00")).await.approved("refund");
    let got = receiver.wait_for(2).await;
    let body = verified(&got[1], ms(next_day["now"].as_str().expect("now")));
    assert_eq!(body["transaction_reference"], refund.reference().as_str());
    assert_eq!(
        body["transaction_type"], "REFUND",
        "add §3: refunds are REFUND"
    );
    assert_eq!(body["request_amount"].as_f64(), Some(30.0), "{body}");
}

#[tokio::test]
async fn a_receiver_answering_500_gets_exactly_three_attempts_then_a_journaled_violation() {
    let (app, receiver) = app_with_receiver(500).await;
    app.charge_ok("100.00", "PEN").await;
    let failed = app
        .wait_for_entry("with a webhook-delivery violation", |e| {
            e["violations"].to_string().contains("webhook-delivery")
        })
        .await;
    assert_eq!(failed["hop"], "webhook", "{failed}");
    assert_eq!(failed["status"], 500, "{failed}");
    let got = receiver.received();
    assert_eq!(
        got.len(),
        3,
        "three attempts, then the failure is journaled (harness-defined)"
    );
    assert!(
        got.iter().all(|d| d.body == got[0].body),
        "every attempt carries the same body"
    );
    let attempts: Vec<Value> = app.journal_of("webhook").await;
    assert_eq!(attempts.len(), 3, "each attempt is journaled: {attempts:?}");
}

#[tokio::test]
async fn a_duplicate_behaviour_delivers_the_webhook_twice() {
    let (app, receiver) = app_with_receiver(200).await;
    app.behaviour(json!({"hop": "webhook", "respond": {"fault": "duplicate"}, "times": 1}))
        .await;
    app.charge_ok("100.00", "PEN").await;
    let got = receiver.wait_for(2).await;
    assert_eq!(
        got[0].body, got[1].body,
        "add §3: \"you could obtain a duplicate notification\": the same body twice"
    );
    for d in &got {
        verified(d, ms(LIMA_MORNING));
    }
}
