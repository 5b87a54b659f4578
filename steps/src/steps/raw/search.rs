//! The acquirer's transaction search (ref §2.10, add §6.4): by the charge, by page or offset, by
//! type, by card digits, by time, and what it finds.

use serde_json::{Value, json};

use super::send;
use crate::env::RawRoute;
use crate::steps::{Step, step};
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[
    BY_CHARGE,
    PAGE,
    FROM,
    BY_TYPE,
    BY_CARD,
    RECENT,
    UNAUTHORIZED,
    COUNT,
    FIRST,
    ALL_OF_TYPE,
];

/// Searches the first 100 transactions passing `filters`.
async fn search(w: &mut KushkiWorld, filters: Value) {
    let query = json!({"page": 1, "size": 100, "filters": filters});
    send(w, RawRoute::Search, &query).await;
}

const BY_CHARGE: Step = step!(
    When,
    r"the terminal app searches by the charge's (client_transaction_id|transaction_reference)",
    by_charge
);
async fn by_charge(w: &mut KushkiWorld, field: String) {
    let charge = w.named("charge").clone();
    let value = if field == "client_transaction_id" {
        charge.client_transaction_id
    } else {
        charge.reference
    };
    let query = json!({"page": 1, "size": 10, "filters": {field: value}});
    send(w, RawRoute::Search, &query).await;
}

const PAGE: Step = step!(
    When,
    r"the terminal app searches page (\d+) of (\d+) transactions",
    page
);
async fn page(w: &mut KushkiWorld, (page, size): (u32, u32)) {
    send(w, RawRoute::Search, &json!({"page": page, "size": size})).await;
}

const FROM: Step = step!(
    When,
    r"the terminal app searches (\d+) transactions from offset (\d+)",
    from
);
async fn from(w: &mut KushkiWorld, (size, from): (u32, u32)) {
    send(w, RawRoute::Search, &json!({"from": from, "size": size})).await;
}

const BY_TYPE: Step = step!(
    When,
    r"the terminal app searches for (charge|preAuth|reAuthorization|capture|posTip|refund) transactions",
    by_type
);
async fn by_type(w: &mut KushkiWorld, kind: String) {
    search(w, json!({"transaction_type": kind})).await;
}

const BY_CARD: Step = step!(
    When,
    r#"the terminal app searches by (bin|last four digits|card four digits) "(\d+)""#,
    by_card
);
async fn by_card(w: &mut KushkiWorld, (field, digits): (String, String)) {
    let field = match field.as_str() {
        "bin" => "bin",
        "last four digits" => "last_four_digits",
        _ => "card_four_digits",
    };
    search(w, json!({field: digits})).await;
}

const RECENT: Step = step!(
    When,
    r"the terminal app searches the transactions of the last (\d+) minutes",
    recent
);
async fn recent(w: &mut KushkiWorld, minutes: i64) {
    let now = w.env().await.now().await.as_millisecond();
    let start = now - minutes * 60_000;
    search(w, json!({"start_date": start, "end_date": now})).await;
}

const UNAUTHORIZED: Step = step!(
    When,
    "the terminal app searches without a credential",
    unauthorized
);
async fn unauthorized(w: &mut KushkiWorld, _: ()) {
    let call = w
        .env()
        .await
        .raw(RawRoute::Search, &json!({"page": 1, "size": 10}));
    let answer = call.credential(None).send().await;
    w.last = Some(answer);
}

const COUNT: Step = step!(Then, r"the search finds (\d+) transactions?", count);
async fn count(w: &mut KushkiWorld, n: usize) {
    let a = w.last();
    assert_eq!(a.status, 200, "search answered {}: {}", a.status, a.body);
    let found = a.body["items"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(
        found, n,
        "expected {n} transactions, found {found}: {}",
        a.body
    );
}

const FIRST: Step = step!(
    Then,
    "the first transaction found is the (charge|refund|void|pre-authorization|capture)",
    first
);
async fn first(w: &mut KushkiWorld, name: String) {
    let expected = w.named(&name).reference.clone();
    let a = w.last();
    assert_eq!(
        a.body["items"][0]["transaction_reference"],
        expected.as_str(),
        "most recent first (ref §2.10): {}",
        a.body
    );
}

const ALL_OF_TYPE: Step = step!(
    Then,
    r"every transaction found is (?:a|an) (charge|preAuth|reAuthorization|capture|posTip|refund)",
    all_of_type
);
async fn all_of_type(w: &mut KushkiWorld, kind: String) {
    let a = w.last();
    let items = a.body["items"].as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty(), "the search found nothing: {}", a.body);
    for item in items {
        assert_eq!(
            item["transaction_type"],
            kind.as_str(),
            "filters.transaction_type {kind} (ref §2.10) let through: {item}"
        );
    }
}
