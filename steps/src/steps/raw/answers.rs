//! What the acquirer answers a terminal app (ref §2.5, §2.7, §2.8; add §2.1, §2.2): approvals,
//! declines, refusals with their codes, failures, the answer's fields, and its ledger.

use kushki_protocol::money::Amount;
use serde_json::{Value, json};

use super::assert_approved;
use crate::env::Mock;
use crate::steps::common::require;
use crate::steps::{Step, step};
use crate::target::Capability;
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[
    APPROVED,
    DECLINED,
    REFUSED,
    UNAUTHORIZED,
    FAILS_WITH,
    ERROR_NAMES,
    ERROR_ORIGIN,
    SAME_ANSWER,
    AUTHORIZED_AMOUNT,
    ANSWER_TYPE,
    APPROVAL_CODES,
    LEDGER_COUNT,
];

const APPROVED: Step = step!(Then, "the transaction is approved", approved);
async fn approved(w: &mut KushkiWorld, _: ()) {
    assert_approved(w);
}

const DECLINED: Step = step!(
    Then,
    r#"the transaction is declined with code "(\d\d)""#,
    declined
);
async fn declined(w: &mut KushkiWorld, code: String) {
    let a = w.last();
    assert!(
        a.status == 200
            && a.body["transaction_status"] == "DECLINED"
            && a.body["message_fields"]["F39"] == code.as_str(),
        "expected a decline with F39 {code} (ref §2.7), got HTTP {}: {}",
        a.status,
        a.body
    );
    assert_eq!(
        a.body["kushki_response"]["code"],
        code.as_str(),
        "kushki_response.code"
    );
}

const REFUSED: Step = step!(
    Then,
    r#"the request is refused with HTTP (\d+) and code "(E\d{3})""#,
    refused
);
async fn refused(w: &mut KushkiWorld, (status, code): (u16, String)) {
    let a = w.last();
    assert!(
        a.status == status && a.body["code"] == code.as_str(),
        "expected HTTP {status} with code {code}, got HTTP {} from {}: {}",
        a.status,
        a.label,
        a.body
    );
}

const UNAUTHORIZED: Step = step!(
    Then,
    r"the request is refused with HTTP 401 Unauthorized",
    unauthorized
);
async fn unauthorized(w: &mut KushkiWorld, _: ()) {
    let a = w.last();
    assert_eq!(
        (a.status, &a.body),
        (401, &json!({"message": "Unauthorized"})),
        "add §2.1: 401 {{\"message\":\"Unauthorized\"}}"
    );
}

const FAILS_WITH: Step = step!(Then, r"the request fails with HTTP (5\d\d)", fails_with);
async fn fails_with(w: &mut KushkiWorld, status: u16) {
    let a = w.last();
    assert_eq!(
        a.status, status,
        "ref §2.8: expected HTTP {status} from {}, got: {}",
        a.label, a.body
    );
}

const ERROR_NAMES: Step = step!(Then, r#"the error names "([^"]+)""#, error_names);
async fn error_names(w: &mut KushkiWorld, needle: String) {
    let a = w.last();
    let details = a.body["details"]["Message"].as_str().unwrap_or_default();
    assert!(
        details.contains(&needle),
        "expected details.Message to name `{needle}`, got: {}",
        a.body
    );
}

const ERROR_ORIGIN: Step = step!(Then, r#"the error's origin is "([^"]+)""#, error_origin);
async fn error_origin(w: &mut KushkiWorld, origin: String) {
    let a = w.last();
    assert_eq!(
        a.body["details"]["Origin"],
        origin.as_str(),
        "add §2.1: details.Origin of {}: {}",
        a.label,
        a.body
    );
}

const SAME_ANSWER: Step = step!(Then, "the answer is the same as the first", same_answer);
async fn same_answer(w: &mut KushkiWorld, _: ()) {
    let first = w.named("first answer").reference.clone();
    let again = w.last().body.to_string();
    assert_eq!(
        again, first,
        "an idempotent retry must answer exactly as the first time"
    );
}

const AUTHORIZED_AMOUNT: Step = step!(Then, "the authorized amount is {amount}", authorized_amount);
async fn authorized_amount(w: &mut KushkiWorld, expected: Amount) {
    let a = w.last();
    let text = match &a.body["authorized_amount"] {
        Value::Number(n) => n.to_string(),
        other => panic!("authorized_amount is not a number: {other} in {}", a.body),
    };
    // Compared as exact decimals: `23`, `23.0` and `23.00` are the same amount.
    let trimmed = match text.split_once('.') {
        Some((units, decimals)) if decimals.chars().all(|c| c == '0') => units.to_string(),
        _ => text.clone(),
    };
    let actual = Amount::parse_display(&format!("{trimmed} {}", expected.currency()))
        .unwrap_or_else(|e| panic!("authorized_amount `{text}` in {}: {e}", a.body));
    assert_eq!(
        actual, expected,
        "authorized_amount of {} (ref §2.5): {}",
        a.label, a.body
    );
}

const ANSWER_TYPE: Step = step!(
    Then,
    r#"the answer's transaction_type is "([A-Za-z]+)""#,
    answer_type
);
async fn answer_type(w: &mut KushkiWorld, expected: String) {
    let a = w.last();
    assert_eq!(
        a.body["transaction_type"],
        expected.as_str(),
        "transaction_type of the answer to {}: {}",
        a.label,
        a.body
    );
}

const APPROVAL_CODES: Step = step!(
    Then,
    "the answer carries the approval codes and an 18-digit ticket number",
    approval_codes
);
async fn approval_codes(w: &mut KushkiWorld, _: ()) {
    assert_approved(w);
    let a = w.last();
    assert_eq!(
        a.body["kushki_response"]["code"], "000",
        "add §2.2: an approval's kushki_response.code is \"000\": {}",
        a.body
    );
    assert_eq!(
        a.body["message_fields"]["F39"], "00",
        "add §2.2: an approval's message_fields.F39 is \"00\": {}",
        a.body
    );
    let ticket = a.text("/ticket_number");
    assert!(
        ticket.len() == 18 && ticket.chars().all(|c| c.is_ascii_digit()),
        "add §6.3: ticket_number has 18 digits, got `{ticket}`"
    );
    let reference = a.text("/transaction_reference");
    assert!(
        uuid::Uuid::parse_str(&reference).is_ok(),
        "ref §2.5: transaction_reference is a UUID, got `{reference}`"
    );
}

const LEDGER_COUNT: Step = step!(
    Then,
    r"the acquirer recorded (\d+) transactions?",
    ledger_count
);
async fn ledger_count(w: &mut KushkiWorld, n: usize) {
    require(w, Capability::Faults).await;
    let v = w
        .env()
        .await
        .admin_call(Mock::Acquirer, "GET", "/__admin/transactions", None)
        .await;
    let found = v["transactions"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(found, n, "the acquirer's ledger: {v}");
}
