//! The harness-defined card-information routes (H14) over HTTP: balance inquiry, BIN info v1 and
//! v2, deferred options. Every answer is checked against its schema.

use kushki_mock_support::behaviours::{Behaviour, Hop, Match, Respond};
use kushki_protocol::schemas::{self, SchemaKind};
use mock_acquirer::{Config, DEFAULT_CREDENTIAL, RunningAcquirer};
use serde_json::{Value, json};

const ICC: &str = "E9BCEC77FACD77F942E433BE6CD27068F09ADFA082B6AE478D9BDA4EEEAFD376";

/// A mock acquirer and a client that posts to it.
struct App {
    acquirer: RunningAcquirer,
    client: reqwest::Client,
}

async fn start() -> App {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let acquirer = mock_acquirer::spawn(Config::default())
        .await
        .expect("the mock acquirer starts");
    App {
        acquirer,
        client: reqwest::Client::new(),
    }
}

impl App {
    async fn post_as(&self, credential: &str, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.acquirer.uri()))
            .header("Private-Credential-Id", credential)
            .json(body)
            .send()
            .await
            .expect("the request is answered");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, value)
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.post_as(DEFAULT_CREDENTIAL, path, body).await
    }

    /// A balance inquiry ([`balance_body`]).
    async fn balance(&self, country: Option<&str>) -> (u16, Value) {
        self.post("/pos/v1/balance-inquiry", &balance_body(country))
            .await
    }

    /// A BIN-info request (`/pos/v1/bin-info` or `/pos/v2/bin-info`) for `bin`.
    async fn bin_info(&self, path: &str, bin: &str) -> (u16, Value) {
        self.post(path, &json!({ "bin": bin })).await
    }

    /// A deferred-options request ([`deferred_body`]).
    async fn deferred(&self, bin: &str, currency: &str, subtotal: &str) -> (u16, Value) {
        self.post(
            "/pos/v1/deferred-options",
            &deferred_body(bin, currency, subtotal),
        )
        .await
    }
}

fn assert_valid(kind: SchemaKind, value: &Value) {
    if let Err(v) = schemas::validate(kind, value) {
        panic!("{value} breaks {kind}: {}", schemas::violations_message(&v));
    }
}

/// A 200 whose body is valid against `kind`.
fn assert_ok(status: u16, kind: SchemaKind, value: &Value) {
    assert_eq!(status, 200, "{value}");
    assert_valid(kind, value);
}

fn balance_body(country: Option<&str>) -> Value {
    let mut body = json!({
        "transaction_mode": "Authorization",
        "transaction_type": "balanceInquiry",
        "client_transaction_id": uuid::Uuid::new_v4().to_string(),
        // 5A 08 5555555555554444: the mock reads a clear TLV PAN (H12).
        "card_details": {"reading_type": "ICC", "enc_tlv": "5A085555555555554444"},
        "pos_details": {"brand": "SUNMI", "terminal_id": "PB04209860189"},
    });
    if let Some(c) = country {
        body["country"] = json!(c);
    }
    body
}

fn deferred_body(bin: &str, currency: &str, subtotal: &str) -> Value {
    let text = format!(
        r#"{{"bin":"{bin}","amount":{{"currency":"{currency}","subtotal_iva":0,"subtotal_iva0":{subtotal},"iva":0}}}}"#
    );
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn balance_inquiry_answers_a_thousand_in_the_market_currency() {
    let app = start().await;
    let (status, answer) = app.balance(None).await;
    assert_ok(status, SchemaKind::RawBalanceInquiryResponse, &answer);
    assert_eq!(answer["transaction_status"], json!("APPROVAL"));
    assert_eq!(answer["kushki_response"]["code"], json!("000"));
    assert_eq!(answer["balance"]["currency"], json!("PEN"));
    assert_eq!(answer["balance"]["available"].to_string(), "1000.00");
    assert_eq!(answer["franchise"], json!("MASTERCARD"));

    let (_, chile) = app.balance(Some("CHL")).await;
    assert_valid(SchemaKind::RawBalanceInquiryResponse, &chile);
    assert_eq!(
        chile["balance"],
        json!({"currency": "CLP", "available": 1000})
    );

    // Encrypted card data (the seed's TLV) tells nothing: an unknown VISA.
    let mut body = balance_body(None);
    body["card_details"]["enc_tlv"] = json!(ICC);
    let (_, encrypted) = app.post("/pos/v1/balance-inquiry", &body).await;
    assert_valid(SchemaKind::RawBalanceInquiryResponse, &encrypted);
    assert_eq!(encrypted["franchise"], json!("VISA"));

    let journal = app.acquirer.journal();
    assert_eq!(journal.len(), 3);
    assert!(
        journal.iter().all(|e| e.violations.is_empty()),
        "{journal:?}"
    );
    let last = journal.last().expect("journaled");
    assert_eq!(last.hop, "acquirer");
    assert_eq!(last.operation.as_deref(), Some("balanceInquiry"));
    assert!(last.client_transaction_id.is_some());
    app.acquirer.shutdown().await;
}

#[tokio::test]
async fn a_behaviour_code_declines_a_balance_inquiry() {
    let app = start().await;
    app.acquirer.state().behaviours.add(Behaviour {
        hop: Some(Hop::Acquirer),
        matcher: Match {
            operation: Some("balanceInquiry".into()),
            ..Match::default()
        },
        respond: Respond {
            kushki_code: Some("51".into()),
            ..Respond::default()
        },
        times: Some(1),
    });
    let (status, answer) = app.balance(Some("MEX")).await;
    assert_ok(status, SchemaKind::RawBalanceInquiryResponse, &answer);
    assert_eq!(answer["transaction_status"], json!("DECLINED"));
    assert_eq!(answer["kushki_response"]["code"], json!("51"));
    assert!(answer.get("balance").is_none(), "{answer}");
    // `times: 1`: the next one is approved, in MXN.
    let (_, again) = app.balance(Some("MEX")).await;
    assert_eq!(again["balance"]["currency"], json!("MXN"));
    app.acquirer.shutdown().await;
}

#[tokio::test]
async fn balance_inquiry_is_strict() {
    let app = start().await;
    let mut body = balance_body(None);
    body["amount"] = json!({"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 1});
    let (status, answer) = app.post("/pos/v1/balance-inquiry", &body).await;
    assert_eq!(status, 400, "{answer}");
    assert_valid(SchemaKind::RawError, &answer);
    assert_eq!(answer["code"], json!("E001"));
    assert!(
        answer["details"]["Message"]
            .as_str()
            .unwrap()
            .contains("/amount"),
        "{answer}"
    );
    app.acquirer.shutdown().await;
}

#[tokio::test]
async fn bin_info_v1_and_v2() {
    let app = start().await;
    let (status, v1) = app.bin_info("/pos/v1/bin-info", "411111").await;
    assert_ok(status, SchemaKind::RawBinInfoResponse, &v1);
    assert_eq!(v1["brand"], json!("VISA"));
    assert_eq!(v1["card_type"], json!("credit"));
    assert_eq!(v1["country"], json!("PER"));

    let (status, v2) = app.bin_info("/pos/v2/bin-info", "50622100").await;
    assert_ok(status, SchemaKind::RawBinInfoV2Response, &v2);
    assert_eq!(v2["brand"], json!("PROSA"));
    assert_eq!(v2["card_type"], json!("debit"));
    assert_eq!(v2["bin_length"], json!(8));
    assert_eq!(v2["is_local"], json!(false));
    assert_eq!(v2["issuer"]["country"], json!("MEX"));

    let (_, unknown) = app.bin_info("/pos/v1/bin-info", "371234").await;
    assert_valid(SchemaKind::RawBinInfoResponse, &unknown);
    assert_eq!(unknown["brand"], json!("AMEX"));
    assert_eq!(unknown["bank"], json!("Unknown"));

    let ops: Vec<Option<String>> = app
        .acquirer
        .journal()
        .into_iter()
        .map(|e| e.operation)
        .collect();
    let expected = ["binInfo", "binInfoV2", "binInfo"].map(|o| Some(o.to_string()));
    assert_eq!(ops, expected);
    app.acquirer.shutdown().await;
}

#[tokio::test]
async fn bad_bins_are_e001_naming_bin() {
    let app = start().await;
    for (path, body, message) in [
        (
            "/pos/v1/bin-info",
            json!({"bin": "000000"}),
            "Error the bin is empty",
        ),
        ("/pos/v2/bin-info", json!({"bin": "4111111"}), "/bin"),
        (
            "/pos/v1/deferred-options",
            deferred_body("00000000", "MXN", "600.00"),
            "Error the bin is empty",
        ),
    ] {
        let (status, answer) = app.post(path, &body).await;
        assert_eq!(status, 400, "{path}: {answer}");
        assert_valid(SchemaKind::RawError, &answer);
        assert_eq!(answer["code"], json!("E001"));
        assert_eq!(
            answer["details"]["Origin"],
            json!("BinInfoMiddleware | getBinInfo")
        );
        let details = answer["details"]["Message"].as_str().unwrap();
        assert!(details.starts_with("/bin: "), "{details}");
        assert!(details.contains(message), "{details}");
    }
    app.acquirer.shutdown().await;
}

#[tokio::test]
async fn an_unknown_credential_is_401_on_every_route() {
    let app = start().await;
    for (path, body) in [
        ("/pos/v1/balance-inquiry", balance_body(None)),
        ("/pos/v1/bin-info", json!({"bin": "411111"})),
        ("/pos/v2/bin-info", json!({"bin": "411111"})),
        (
            "/pos/v1/deferred-options",
            deferred_body("411111", "MXN", "600.00"),
        ),
    ] {
        let (status, answer) = app.post_as("not-a-credential", path, &body).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(answer, json!({"message": "Unauthorized"}));
        assert_valid(SchemaKind::RawUnauthorized, &answer);
    }
    app.acquirer.shutdown().await;
}

#[tokio::test]
async fn mexican_deferred_minimums_are_exact() {
    let app = start().await;
    let months = |answer: &Value| -> Vec<Value> {
        answer["options"][0]["months"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let (status, below) = app.deferred("411111", "MXN", "599.99").await;
    assert_ok(status, SchemaKind::RawDeferredOptionsResponse, &below);
    assert_eq!(below["options"].as_array().unwrap().len(), 1);
    assert_eq!(below["options"][0]["type"], json!("03"));
    assert_eq!(months(&below), vec![json!("3")]);

    let (_, at) = app.deferred("411111", "MXN", "600.00").await;
    assert_valid(SchemaKind::RawDeferredOptionsResponse, &at);
    assert_eq!(months(&at), vec![json!("3"), json!("6")]);
    assert_eq!(at["options"][0]["monthsOfGrace"], json!([]));

    let (_, small) = app.deferred("411111", "MXN", "299.99").await;
    assert_eq!(small, json!({"options": []}));
    app.acquirer.shutdown().await;
}

#[tokio::test]
async fn deferred_options_per_market_and_debit() {
    let app = start().await;
    let (_, chile) = app.deferred("555555", "CLP", "100000").await;
    assert_valid(SchemaKind::RawDeferredOptionsResponse, &chile);
    let types: Vec<_> = chile["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["type"].clone(), o["name"].clone()))
        .collect();
    assert_eq!(
        types,
        vec![
            (json!("01"), json!("Cuotas Emisor")),
            (json!("03"), json!("Cuotas Comercio"))
        ]
    );
    let (_, peru) = app.deferred("411111", "PEN", "100.00").await;
    assert_valid(SchemaKind::RawDeferredOptionsResponse, &peru);
    assert_eq!(peru["options"][0]["type"], json!("01"));
    // visa-debit: no installments on a debit card.
    let (_, debit) = app.deferred("400000", "PEN", "100.00").await;
    assert_eq!(debit, json!({"options": []}));
    let journal = app.acquirer.journal();
    let last = journal.last().unwrap();
    assert_eq!(last.operation.as_deref(), Some("deferredOptions"));
    app.acquirer.shutdown().await;
}
