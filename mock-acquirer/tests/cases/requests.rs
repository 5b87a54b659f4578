//! What every request goes through before the rules: the credential (add §2.1), the body and the
//! schema (E001 naming the field, H2, H5), and idempotency by `client_transaction_id` (ref §5 #16,
//! harness-defined). No input gets a 5xx (DESIGN invariants).

use serde_json::{Value, json};

use crate::support::bodies::{self, With, num};
use crate::support::{LIMA_MORNING, Opts, TestApp, spawn_app};

#[tokio::test]
async fn the_same_body_twice_gets_the_identical_answer_and_one_ledger_transaction() {
    let app = spawn_app(LIMA_MORNING).await;
    let body = bodies::charge("100.00", "PEN");
    let first = app.transaction(&body).await.approved("first charge");
    let second = app
        .transaction(&body)
        .await
        .approved("the retry of the same body");
    assert_eq!(
        second.reference(),
        first.reference(),
        "an idempotent retry answers the first transaction"
    );
    assert_eq!(
        second.bytes, first.bytes,
        "an idempotent retry answers byte for byte the same"
    );
    let journal = app.journal().await;
    assert_eq!(
        journal.len(),
        2,
        "both exchanges are journaled: {journal:?}"
    );
    assert!(
        journal[1]["note"]
            .as_str()
            .is_some_and(|n| n.contains("idempotent replay")),
        "the journal notes the replay: {}",
        journal[1]
    );
    let txns = app.transactions().await;
    assert_eq!(txns.len(), 1, "a replay creates no transaction: {txns:?}");
}

#[tokio::test]
async fn the_same_client_transaction_id_with_another_body_is_refused_with_e905_409() {
    let app = spawn_app(LIMA_MORNING).await;
    let body = bodies::charge("100.00", "PEN");
    let first = app.transaction(&body).await.approved("first charge");
    let other = body.clone().with("amount", bodies::amount("100.01", "PEN"));
    let a = app.transaction(&other).await.refused(
        409,
        "E905",
        "a client_transaction_id is unique per transaction (add §6.2)",
    );
    assert!(
        a.details().contains(&first.reference()),
        "the refusal names the transaction that holds the id: {}",
        a.body
    );
    assert_eq!(
        app.transactions().await.len(),
        1,
        "the refusal records nothing"
    );
}

async fn assert_unauthorized(app: &TestApp, credential: Option<&str>, why: &str) {
    for path in [
        "/pos/v1/transaction",
        "/pos/v1/refund",
        "/pos-analytics/v1/transactions/search",
    ] {
        let opts = Opts {
            credential: credential.map(str::to_string),
            ..Opts::default()
        };
        let a = app
            .send(path, bodies::charge("1.00", "PEN").to_string(), opts)
            .await;
        assert_eq!(a.status, 401, "{why} on {path}: {}", a.body);
        assert_eq!(
            a.body,
            json!({"message": "Unauthorized"}),
            "add §2.1: the 401 body on {path}"
        );
    }
}

#[tokio::test]
async fn a_missing_private_credential_id_gets_401_unauthorized() {
    let app = spawn_app(LIMA_MORNING).await;
    assert_unauthorized(&app, None, "no Private-Credential-Id").await;
    assert!(
        app.transactions().await.is_empty(),
        "nothing reached the ledger"
    );
}

#[tokio::test]
async fn an_unknown_private_credential_id_gets_401_unauthorized() {
    let app = spawn_app(LIMA_MORNING).await;
    assert_unauthorized(
        &app,
        Some("not-a-known-credential"),
        "an unknown Private-Credential-Id",
    )
    .await;
    let journal = app.journal().await;
    assert!(
        journal
            .iter()
            .all(|e| e["violations"].to_string().contains("credential")),
        "the journal records why: {journal:?}"
    );
}

/// Posts raw bytes to `/pos/v1/transaction` and expects E001 whose details contain `names`.
async fn e001(app: &TestApp, body: impl Into<reqwest::Body>, opts: Opts, names: &str, rule: &str) {
    let a = app.send("/pos/v1/transaction", body, opts).await;
    a.invalid_naming(names, rule);
}

async fn e001_json(body: Value, names: &str, rule: &str) {
    let app = spawn_app(LIMA_MORNING).await;
    e001(&app, body.to_string(), Opts::default(), names, rule).await;
    assert!(
        app.transactions().await.is_empty(),
        "{rule}: nothing reached the ledger"
    );
}

#[tokio::test]
async fn three_decimals_in_pen_are_refused_naming_the_field() {
    let mut body = bodies::charge("12.50", "PEN");
    body["amount"]["subtotal_iva0"] = num("12.505");
    e001_json(
        body,
        "/amount/subtotal_iva0",
        "H2: 12.505 PEN is refused, never rounded",
    )
    .await;
}

#[tokio::test]
async fn decimals_in_clp_are_refused_naming_the_field() {
    let body = bodies::charge("100.5", "CLP");
    e001_json(body, "/amount/subtotal_iva0", "H2: CLP has no decimals").await;
}

#[tokio::test]
async fn an_unknown_field_is_refused_naming_it() {
    let body = bodies::charge("10.50", "PEN").with("colour", json!("red"));
    e001_json(
        body,
        "colour",
        "H5: unknown fields are refused so a typo is caught",
    )
    .await;
}

#[tokio::test]
async fn a_charge_without_amount_is_refused_naming_amount() {
    let body = bodies::charge("10.50", "PEN").without("amount");
    e001_json(body, "/amount", "ref §2.4: amount is required").await;
}

#[tokio::test]
async fn a_client_transaction_id_that_is_not_a_uuid_is_refused_naming_it() {
    let body = bodies::charge("10.50", "PEN").with("client_transaction_id", json!("order-42"));
    e001_json(
        body,
        "/client_transaction_id",
        "add §6.2: client_transaction_id is a UUID",
    )
    .await;
}

#[tokio::test]
async fn a_reverse_of_a_preauth_is_refused_naming_the_transaction_type() {
    let body = bodies::preauth("10.50", "PEN").with("transaction_mode", json!("Reverse"));
    e001_json(
        body,
        "/transaction_type",
        "seed: a reverse undoes a charge or a capture",
    )
    .await;
}

#[tokio::test]
async fn bodies_that_are_not_json_objects_get_e001_never_a_5xx() {
    let app = spawn_app(LIMA_MORNING).await;
    e001(
        &app,
        "{not json",
        Opts::default(),
        "not valid JSON",
        "a body that is not JSON",
    )
    .await;
    e001(&app, "", Opts::default(), "empty", "an empty body").await;
    e001(&app, "[1,2]", Opts::default(), "array", "a JSON array").await;
    e001(
        &app,
        b"{\"a\":\"\xff\xfe\"}".to_vec(),
        Opts::default(),
        "UTF-8",
        "bytes that are not UTF-8",
    )
    .await;
    let deep = format!("{}{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    e001(
        &app,
        deep,
        Opts::default(),
        "not valid JSON",
        "JSON nested 10,000 deep",
    )
    .await;
    let deep_arrays = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    e001(
        &app,
        deep_arrays,
        Opts::default(),
        "not valid JSON",
        "arrays nested 10,000 deep",
    )
    .await;
    let text_plain = Opts {
        content_type: Some("text/plain"),
        ..Opts::default()
    };
    let body = bodies::charge("10.50", "PEN").to_string();
    e001(
        &app,
        body,
        text_plain,
        "Content-Type",
        "a body sent as text/plain",
    )
    .await;
    assert!(
        app.transactions().await.is_empty(),
        "nothing reached the ledger"
    );
}

#[tokio::test]
async fn a_body_over_256_kib_gets_e001_not_413() {
    let app = spawn_app(LIMA_MORNING).await;
    let big = json!({"padding": "a".repeat(1024 * 1024)}).to_string();
    e001(
        &app,
        big,
        Opts::default(),
        "exceeds",
        "a body over 256 KiB is a bad body (E001)",
    )
    .await;
    app.charge("10.50", "PEN")
        .await
        .approved("the mock still serves after an oversized body");
}

#[tokio::test]
async fn an_unknown_route_answers_404_json() {
    let app = spawn_app(LIMA_MORNING).await;
    for (method, path) in [
        ("POST", "/pos/v2/transaction"),
        ("GET", "/pos/v1/transaction/x"),
        ("GET", "/"),
    ] {
        let (status, body) = app.admin(method, path, None).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
        assert!(body.is_object(), "{method} {path}: a JSON body, got {body}");
    }
}

#[tokio::test]
async fn a_known_route_with_the_wrong_method_answers_405_json() {
    let app = spawn_app(LIMA_MORNING).await;
    for (method, path) in [
        ("GET", "/pos/v1/transaction"),
        ("PUT", "/pos/v1/refund"),
        ("GET", "/pos-analytics/v1/transactions/search"),
    ] {
        let (status, body) = app.admin(method, path, None).await;
        assert_eq!(status, 405, "{method} {path}: {body}");
        assert!(body.is_object(), "{method} {path}: a JSON body, got {body}");
    }
}

#[tokio::test]
async fn amounts_too_large_to_hold_get_e001_naming_the_field_never_a_dropped_connection() {
    let app = spawn_app(LIMA_MORNING).await;
    let mut body = bodies::charge("1", "PEN");
    body["amount"]["subtotal_iva0"] = num("1e400");
    app.transaction(&body).await.invalid_naming(
        "amount.subtotal_iva0",
        "a value too large for the ledger is refused",
    );
    let mut body = bodies::charge("9223372036854775807", "CLP");
    body["amount"]["iva"] = num("9223372036854775807");
    app.transaction(&body).await.invalid_naming(
        "amount",
        "values that fit one by one but whose sum does not are refused, not summed with overflow",
    );
    app.charge("10.50", "PEN")
        .await
        .approved("the mock still serves afterwards");
}

#[tokio::test]
async fn a_search_with_numbers_too_large_for_their_fields_names_them() {
    let app = spawn_app(LIMA_MORNING).await;
    for (body, pointer) in [
        (json!({"page": 1_099_511_627_776_u64, "size": 10}), "/page"),
        (json!({"from": 1_099_511_627_776_u64, "size": 10}), "/from"),
        (
            json!({"page": 1, "size": 10, "filters": {"start_date": num("1e30")}}),
            "/filters/start_date",
        ),
    ] {
        let a = app
            .post("/pos-analytics/v1/transactions/search", &body)
            .await;
        a.invalid_naming(pointer, "a search number too large for its field");
    }
}
