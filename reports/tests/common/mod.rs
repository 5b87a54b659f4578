//! A sample run for the report tests: two features, two topologies, a passed, a failed and a
//! skipped scenario, requirements of every coverage state, and card data where masking must catch
//! it.

#![allow(dead_code)] // Each test binary uses its own part of this module.

use std::path::PathBuf;

use conformance_reports::model::{
    Coverage, FeatureResult, Run, ScenarioResult, Status, StepResult,
};
use serde_json::json;

/// The test PAN of the catalogue, put where masking must catch it.
pub const PAN: &str = "4111111111111111";
/// How the reports may show it.
pub const PAN_MASKED: &str = "411111XXXXXX1111";
/// A Business-Code-looking secret.
pub const BUSINESS_CODE: &str = "bc-7f3a9c2e17b4d4e2a";
/// A TLV blob.
pub const ENC_TLV: &str = "9F02060000000012005F2A020604DEADBEEF";
/// A credential.
pub const CREDENTIAL: &str = "priv-cred-5e8d2a61";
/// An identifier that must stay readable (18 digits, not a PAN).
pub const TICKET: &str = "111727462978861299";

/// Every secret of the sample run.
pub const SECRETS: &[&str] = &[PAN, BUSINESS_CODE, ENC_TLV, CREDENTIAL];

fn step(
    keyword: &str,
    text: &str,
    line: usize,
    status: Status,
    message: Option<&str>,
) -> StepResult {
    StepResult {
        keyword: keyword.into(),
        text: text.into(),
        line,
        status,
        message: message.map(str::to_string),
        duration_ms: 12.5,
    }
}

fn charge_exchange() -> serde_json::Value {
    json!({
        "request": "POST /pos/v1/transaction",
        "status": 201,
        "request_headers": {"Private-Credential-Id": CREDENTIAL},
        "request_body": {
            "business_code": BUSINESS_CODE,
            "amount": {"subtotal_iva": 0, "iva": 0, "subtotal_iva0": 10, "currency": "PEN"},
            "card_details": {"enc_tlv": ENC_TLV, "card_number": PAN, "track_ksn": "FFFF9876543210E00001"}
        },
        "response_body": {"ticket_number": TICKET, "maskedCreditCard": PAN, "approved": true},
        "raw_text": format!("{{\"enc_tlv\":\"{ENC_TLV}\",\"business_code\":\"{BUSINESS_CODE}\"}}")
    })
}

/// The sample run: totals passed 2, failed 1, skipped 1, on topologies `acquirer` and `lan`.
pub fn sample_run() -> Run {
    let sale_tags = vec![
        "@doc:ref-2.3".to_string(),
        "@req:raw.charge".to_string(),
        "@req:raw.unlisted".to_string(),
    ];
    let sale_steps_ok = vec![
        step(
            "Given",
            &format!("the card {PAN} is presented by chip"),
            9,
            Status::Passed,
            None,
        ),
        step(
            "When",
            "the terminal sends a sale of 10.00 PEN",
            10,
            Status::Passed,
            None,
        ),
        step("Then", "the sale is approved", 11, Status::Passed, None),
    ];
    let failure = format!(
        "\u{1b}[31mexpected <approved> & \"true\" but got 'false'\u{1b}[0m\n\
         request: {{\"business_code\":\"{BUSINESS_CODE}\",\"card_number\":\"{PAN}\"}}"
    );
    let single_payment = FeatureResult {
        name: "Single payment <raw API>".into(),
        path: "raw/single_payment.feature".into(),
        tags: vec!["@doc:ref-2.3".into()],
        scenarios: vec![
            ScenarioResult {
                name: "A chip sale is approved".into(),
                line: 8,
                tags: sale_tags.clone(),
                topology: "acquirer".into(),
                status: Status::Passed,
                skip_reason: None,
                steps: sale_steps_ok.clone(),
                exchanges: vec![charge_exchange()],
                receipts: vec![format!("KUSHKI\nVISA {PAN}\nTOTAL PEN 10.00\nAPPROVED")],
                duration_ms: 40.0,
            },
            ScenarioResult {
                name: "A chip sale is approved".into(),
                line: 8,
                tags: sale_tags,
                topology: "lan".into(),
                status: Status::Failed,
                skip_reason: None,
                steps: vec![
                    sale_steps_ok[0].clone(),
                    sale_steps_ok[1].clone(),
                    step(
                        "Then",
                        "the sale is <b>approved</b>",
                        11,
                        Status::Failed,
                        Some(&failure),
                    ),
                ],
                exchanges: vec![charge_exchange()],
                receipts: Vec::new(),
                duration_ms: 55.5,
            },
        ],
    };
    let reverse = FeatureResult {
        name: "Reverse".into(),
        path: "raw/reverse.feature".into(),
        tags: Vec::new(),
        scenarios: vec![
            ScenarioResult {
                name: "A reverse waits a minute".into(),
                line: 5,
                tags: vec!["@virtual-time".into(), "@req:raw.reverse.min-delay".into()],
                topology: "acquirer".into(),
                status: Status::Passed,
                skip_reason: None,
                steps: vec![
                    step("Given", "an approved sale", 6, Status::Passed, None),
                    step(
                        "When",
                        "61 seconds pass and the sale is reversed",
                        7,
                        Status::Passed,
                        None,
                    ),
                    step("Then", "the reverse is accepted", 8, Status::Passed, None),
                ],
                exchanges: Vec::new(),
                receipts: Vec::new(),
                duration_ms: 30.0,
            },
            ScenarioResult {
                name: "A reverse waits a minute".into(),
                line: 5,
                tags: vec!["@virtual-time".into(), "@req:raw.reverse.min-delay".into()],
                topology: "lan".into(),
                status: Status::Skipped,
                skip_reason: Some("the target lacks @virtual-time".into()),
                steps: Vec::new(),
                exchanges: Vec::new(),
                receipts: Vec::new(),
                duration_ms: 0.0,
            },
        ],
    };
    let mut versions = std::collections::BTreeMap::new();
    versions.insert("kushki-conformance".to_string(), "0.1.0".to_string());
    versions.insert("kushki-api".to_string(), "2024-06 <ref>".to_string());
    Run {
        implementation: "embedded mock-acquirer and mock-terminal".into(),
        target: "mock".into(),
        versions,
        started: "2025-01-02T03:04:05Z".into(),
        finished: "2025-01-02T03:04:09Z".into(),
        features: vec![single_payment, reverse],
        errors: Vec::new(),
        requirements: vec![
            Coverage {
                id: "raw.charge".into(),
                text: "A sale is POST /pos/v1/transaction".into(),
                source: "ref §2.3".into(),
                testable: true,
                reason: None,
            },
            Coverage {
                id: "raw.reverse.min-delay".into(),
                text: "A reverse is sent at least one minute after the transaction".into(),
                source: "seed voids-refunds".into(),
                testable: true,
                reason: None,
            },
            Coverage {
                id: "raw.settlement".into(),
                text: "Approved transactions settle to the merchant".into(),
                source: "ref §1.1".into(),
                testable: false,
                reason: Some("Settlement happens after the API exchange".into()),
            },
            Coverage {
                id: "connect.charge".into(),
                text: "POST /charge runs a single-step payment".into(),
                source: "ref §1.4".into(),
                testable: true,
                reason: None,
            },
        ],
    }
}

/// A fresh, empty folder for one test under Cargo's scratch space for integration tests.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("reports-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}
