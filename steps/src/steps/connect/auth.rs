//! Authentication and encryption of Connect requests (ref §1.5; H8): requests signed with the
//! wrong key or time, altered or stripped, and the answers a POS must get (all alike, so that no
//! answer tells a bad signature from a bad ciphertext). Each changes one thing of a correctly
//! sealed charge through [`crate::env::ConnectCall`]'s options.

use kushki_protocol::auth::Credentials;
use kushki_protocol::connect::ConnectOperation;
use kushki_protocol::money::Amount;
use serde_json::{Value, json};

use super::{connect_amount, payload};
use crate::env::{Answer, Connect, ConnectCall, Sealed};
use crate::steps::{Step, step};
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[
    WRONG_BUSINESS_CODE,
    SKEWED,
    TAMPERED,
    NO_HEADERS,
    NO_BASIC_PREFIX,
    OTHER_TIMESTAMP,
    PLAIN_JSON,
    ENCRYPTED,
    PLAIN_ANSWER,
    SAME_AS_BAD_SIGNATURE,
];

/// Sends a charge of 12.00 as `adjust` has it sealed, and keeps the answer as the last.
async fn charge(w: &mut KushkiWorld, adjust: impl FnOnce(ConnectCall<'_>) -> ConnectCall<'_>) {
    let answer = send_charge(w, adjust).await;
    w.last = Some(answer);
}

async fn send_charge(
    w: &mut KushkiWorld,
    adjust: impl FnOnce(ConnectCall<'_>) -> ConnectCall<'_>,
) -> Answer {
    let total = Amount::from_minor(1200, w.market.currency());
    let payload = payload(w, json!({"amount": connect_amount(total)}));
    let what = Connect::Operation(ConnectOperation::Charge);
    adjust(w.env().await.connect(what, payload)).send().await
}

/// A charge signed with a Business-Code the terminal does not have.
async fn bad_signature_answer(w: &mut KushkiWorld) -> Answer {
    let serial = w.env().await.serial().to_string();
    let wrong = Credentials::new("NOT-THE-BUSINESS-CODE", &serial);
    send_charge(w, |call| call.signed_by(wrong)).await
}

const WRONG_BUSINESS_CODE: Step = step!(
    When,
    "the POS signs a charge with the wrong Business-Code",
    wrong_business_code
);
async fn wrong_business_code(w: &mut KushkiWorld, _: ()) {
    let answer = bad_signature_answer(w).await;
    w.last = Some(answer);
}

const SKEWED: Step = step!(
    When,
    r"the POS sends a charge signed (\d+) seconds (in the past|in the future)",
    skewed
);
async fn skewed(w: &mut KushkiWorld, (secs, when): (i64, String)) {
    let sign = if when == "in the past" { -1 } else { 1 };
    charge(w, |call| call.skewed(sign * secs)).await;
}

const TAMPERED: Step = step!(
    When,
    "the POS sends a charge whose ciphertext was altered",
    tampered
);
async fn tampered(w: &mut KushkiWorld, _: ()) {
    charge(w, |call| {
        call.tamper(|r: &mut Sealed| {
            let text = r.body.as_deref().expect("a POST has a body");
            let mut body: Value = serde_json::from_str(text).expect("JSON");
            let data = body["data"].as_str().unwrap_or_default().to_string();
            let flipped = if data.ends_with('0') { '1' } else { '0' };
            body["data"] = json!(format!("{}{flipped}", &data[..data.len() - 1]));
            r.body = Some(body.to_string());
        })
    })
    .await;
}

const NO_HEADERS: Step = step!(
    When,
    "the POS sends a charge without its (Authorization|timestamp|Authorization and timestamp) headers?",
    no_headers
);
async fn no_headers(w: &mut KushkiWorld, which: String) {
    charge(w, |call| {
        call.tamper(move |r| match which.as_str() {
            "Authorization" => r.authorization = None,
            "timestamp" => r.timestamp = None,
            _ => (r.authorization, r.timestamp) = (None, None),
        })
    })
    .await;
}

const NO_BASIC_PREFIX: Step = step!(
    When,
    "the POS sends a charge whose Authorization lacks the Basic prefix",
    no_basic_prefix
);
async fn no_basic_prefix(w: &mut KushkiWorld, _: ()) {
    charge(w, |call| {
        call.tamper(|r| {
            r.authorization = r
                .authorization
                .as_deref()
                .map(|a| a.trim_start_matches("Basic ").to_string());
        })
    })
    .await;
}

const OTHER_TIMESTAMP: Step = step!(
    When,
    r"the POS sends a charge signed for a timestamp (\d+) seconds before its timestamp header",
    other_timestamp
);
async fn other_timestamp(w: &mut KushkiWorld, secs: i64) {
    // Signed `secs` in the past, stamped with the present.
    charge(w, |call| {
        call.skewed(-secs).tamper(move |r| {
            let signed: i64 = r
                .timestamp
                .as_deref()
                .and_then(|t| t.parse().ok())
                .expect("stamped");
            r.timestamp = Some((signed + secs).to_string());
        })
    })
    .await;
}

const PLAIN_JSON: Step = step!(When, "the POS sends a charge in plain JSON", plain_json);
async fn plain_json(w: &mut KushkiWorld, _: ()) {
    let total = Amount::from_minor(1200, w.market.currency());
    let payload = payload(w, json!({"amount": connect_amount(total)}));
    let plain = payload.to_string();
    let what = Connect::Operation(ConnectOperation::Charge);
    let call = w.env().await.connect(what, payload);
    let answer = call.tamper(move |r| r.body = Some(plain)).send().await;
    w.last = Some(answer);
}

const ENCRYPTED: Step = step!(Then, "the answer came encrypted", encrypted);
async fn encrypted(w: &mut KushkiWorld, _: ()) {
    let a = w.last();
    assert!(a.encrypted, "the answer was not encrypted: {}", a.body);
}

const PLAIN_ANSWER: Step = step!(Then, "the answer came in plain JSON", plain_answer);
async fn plain_answer(w: &mut KushkiWorld, _: ()) {
    let a = w.last();
    assert!(!a.encrypted, "the answer was encrypted: {}", a.body);
}

const SAME_AS_BAD_SIGNATURE: Step = step!(
    Then,
    "the answer is the one a bad signature gets",
    same_as_bad_signature
);
async fn same_as_bad_signature(w: &mut KushkiWorld, _: ()) {
    let last = w.last().clone();
    let bad = bad_signature_answer(w).await;
    assert_eq!(
        (last.status, &last.body, last.encrypted),
        (bad.status, &bad.body, bad.encrypted),
        "the answer differs from a bad signature's (H8: no padding oracle)"
    );
}
