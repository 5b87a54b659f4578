//! Card data and secrets never leave unmasked (DESIGN invariants; issue 9): a full flow with a
//! known Business-Code, credential and webhook key, the test PAN 4111111111111111 read by the
//! terminal's default card, a raw charge carrying it in clear TLV and track 2, and a webhook;
//! then every log line (the `mock-terminal` binary's stderr and stdout at `RUST_LOG=debug`, and the
//! in-process acquirer's tracing at debug), every journal entry (in memory and in the files of
//! both mocks), the webhook bodies and the reports written from the run are searched for them.
//!
//! One test in this binary: it installs the process-wide tracing subscriber.

mod support;

use std::io::Write;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use bytes::Bytes;
use conformance_reports::model::{FeatureResult, Run, ScenarioResult, Status, StepResult};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use support::pos::{Pos, PosKeys};

const PAN: &str = "4111111111111111";
const BUSINESS_CODE: &str = "BC-MASKING-7a51c0de";
const CREDENTIAL: &str = "cred-masking-5ec2e7-0001";
const WEBHOOK_KEY: &str = "whsec-masking-k3y-0001";
const SERIAL: &str = "PB04209860189";
const START: &str = "2026-03-24T15:00:00Z";

/// Everything written through it is kept.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A webhook receiver that keeps every body.
async fn receiver() -> (String, Arc<Mutex<Vec<Bytes>>>) {
    let got: Arc<Mutex<Vec<Bytes>>> = Arc::default();
    let app = Router::new()
        .route(
            "/hook",
            post(
                |State(got): State<Arc<Mutex<Vec<Bytes>>>>, body: Bytes| async move {
                    got.lock().unwrap().push(body);
                    "ok"
                },
            ),
        )
        .with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

/// The places a secret or the PAN can show up in, each checked for each.
fn assert_clean(place: &str, text: &str) {
    assert!(!text.is_empty(), "{place} is empty: nothing was checked");
    for (what, secret) in [
        ("the PAN", PAN),
        ("the Business-Code", BUSINESS_CODE),
        ("the credential", CREDENTIAL),
        ("the webhook key", WEBHOOK_KEY),
    ] {
        if let Some(at) = text.find(secret) {
            let from = at.saturating_sub(200);
            panic!(
                "{place} shows {what}: …{}…",
                &text[from..(at + secret.len() + 100).min(text.len())]
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_pan_business_code_credential_or_key_reaches_a_log_journal_webhook_or_report() {
    let logs = Capture::default();
    let sink = logs.clone();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .init();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = std::env::temp_dir().join(format!("masking-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();

    // The acquirer in process, with a webhook receiver, a credential and a journal file.
    let (hook_url, hooks) = receiver().await;
    let mut config = mock_acquirer::Config::manual_at(START.parse().unwrap());
    config.credentials = vec![CREDENTIAL.to_string()];
    config.journal_file = Some(dir.join("acquirer.jsonl"));
    config.webhook = Some(mock_acquirer::config::WebhookTarget {
        url: hook_url,
        key: kushki_protocol::mask::Sensitive::new(WEBHOOK_KEY),
    });
    let acquirer = mock_acquirer::spawn(config).await.unwrap();

    // The terminal as a process, logging at debug.
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_mock-terminal"))
        .args(["--listen", "127.0.0.1:0", "--serial", SERIAL])
        .args(["--business-code", BUSINESS_CODE, "--credential", CREDENTIAL])
        .args(["--acquirer", &acquirer.uri()])
        .args(["--clock", "manual", "--start-time", START])
        .arg("--journal")
        .arg(dir.join("terminal.jsonl"))
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the mock-terminal binary");
    let mut stderr = child.stderr.take().unwrap();
    let stderr_text = tokio::spawn(async move {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s).await;
        s
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(10), stdout.next_line())
        .await
        .expect("the terminal prints its address")
        .unwrap()
        .unwrap();
    let terminal = first
        .rsplit(' ')
        .next()
        .filter(|u| u.starts_with("http://"))
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    let http = reqwest::Client::new();
    let now: Value = http
        .get(format!("{terminal}/__admin/clock"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ts = now["now"]
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_second();

    // 1. A LAN charge: the default card is the test PAN.
    let pos = Pos::new(
        format!("{terminal}/terminal/v1"),
        PosKeys {
            business_code: BUSINESS_CODE.into(),
            serial: SERIAL.into(),
        },
    );
    let lan = pos
        .post(
            "charge",
            &support::charge("0a0e0d3c-0b0a-4908-8706-050403020100", 1250),
            ts,
        )
        .await;
    assert_eq!(lan.body["approved"], true, "{lan:?}");
    // A signature failure, so the refusal path is in the logs too.
    let refused = pos
        .raw(
            "charge",
            Some(&format!("Basic {}", "a".repeat(128))),
            Some(&ts.to_string()),
            pos.keys.encrypt(ts, "{}"),
        )
        .await;
    assert_eq!(refused.status, 401);

    // 2. A raw charge with the PAN in clear TLV and track 2.
    let raw_body = json!({
        "transaction_mode": "Authorization",
        "transaction_type": "charge",
        "client_transaction_id": "1b0e0d3c-0b0a-4908-8706-050403020100",
        "amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 25.5},
        "card_details": {
            "reading_type": "ICC",
            "enc_tlv": format!("5A08{PAN}5F24032812319F0206000000002550"),
            "tracks": {"track_ksn": "FFFF4357486333600003", "enc_track2": format!("{PAN}D30122011234")},
            "pin_ksn": "FFFF4357486333600003"
        }
    });
    let raw = http
        .post(format!("{}/pos/v1/transaction", acquirer.uri()))
        .header("content-type", "application/json")
        .header("Private-Credential-Id", CREDENTIAL)
        .body(raw_body.to_string())
        .send()
        .await
        .unwrap();
    let raw_status = raw.status().as_u16();
    let raw_answer: Value = raw.json().await.unwrap();
    assert_eq!(raw_status, 200, "{raw_answer}");

    // 3. The webhooks of both charges.
    for _ in 0..300 {
        if hooks.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let hooks: Vec<Bytes> = hooks.lock().unwrap().clone();
    assert!(
        hooks.len() >= 2,
        "two webhooks were delivered: {}",
        hooks.len()
    );

    // What the mocks show and keep.
    let terminal_journal = support::get_text(&http, format!("{terminal}/__admin/journal")).await;
    let acquirer_journal =
        support::get_text(&http, format!("{}/__admin/journal", acquirer.uri())).await;
    child.kill().await.unwrap();
    let mut rest = String::new();
    while let Ok(Some(line)) = stdout.next_line().await {
        rest.push_str(&line);
        rest.push('\n');
    }
    let stderr_text = stderr_text.await.unwrap();
    acquirer.shutdown().await;

    // The reports of a run that carried these exchanges as its evidence, plus a raw exchange and
    // a failure message that quote the card data and the secrets, as a careless step might.
    let mut exchanges: Vec<Value> = Vec::new();
    for journal in [&terminal_journal, &acquirer_journal] {
        let v: Value = serde_json::from_str(journal).unwrap();
        exchanges.extend(v["entries"].as_array().unwrap().iter().cloned());
    }
    exchanges.push(json!({"hop": "acquirer", "request": raw_body, "response": raw_answer}));
    let run = Run {
        implementation: "masking test".into(),
        target: "mock".into(),
        started: START.into(),
        finished: START.into(),
        features: vec![FeatureResult {
            name: "Masking".into(),
            path: "masking.feature".into(),
            tags: vec![],
            scenarios: vec![ScenarioResult {
                name: format!("a charge of the card {PAN}"),
                line: 1,
                tags: vec![],
                topology: "lan".into(),
                status: Status::Failed,
                skip_reason: None,
                steps: vec![StepResult {
                    keyword: "Then".into(),
                    text: format!("the card {PAN} is approved"),
                    line: 2,
                    status: Status::Failed,
                    message: Some(format!(
                        "request {raw_body} with Private-Credential-Id: \"{CREDENTIAL}\", business_code: \"{BUSINESS_CODE}\", webhook_key={WEBHOOK_KEY}"
                    )),
                    duration_ms: 1.0,
                }],
                exchanges,
                receipts: vec![format!("VISA {PAN}")],
                duration_ms: 1.0,
            }],
        }],
        ..Run::default()
    };
    let written = conformance_reports::write_all(&run, &dir.join("report"), None).unwrap();

    // Every place, searched.
    assert_clean("the terminal's stderr (RUST_LOG=debug)", &stderr_text);
    assert!(
        stderr_text.contains("DEBUG") && stderr_text.contains("/terminal/v1/charge"),
        "the terminal logged its exchanges at debug: {stderr_text}"
    );
    assert!(
        logs.text().contains("/pos/v1/transaction"),
        "the acquirer logged its exchanges at debug"
    );
    assert_clean("the terminal's stdout", &format!("{first}\n{rest}"));
    assert_clean("the in-process logs (debug)", &logs.text());
    assert_clean("the terminal's journal (memory)", &terminal_journal);
    assert_clean("the acquirer's journal (memory)", &acquirer_journal);
    for file in ["terminal.jsonl", "acquirer.jsonl"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert_clean(&format!("the journal file {file}"), &text);
    }
    for (i, hook) in hooks.iter().enumerate() {
        assert_clean(&format!("webhook {i}"), &String::from_utf8_lossy(hook));
    }
    for path in written.all() {
        let text = std::fs::read_to_string(path).unwrap();
        assert_clean(&format!("the report {}", path.display()), &text);
    }
    // The evidence is there, masked: the journals did record the card.
    assert!(
        acquirer_journal.contains("411111") && acquirer_journal.contains("1111"),
        "the acquirer's journal keeps the masked card"
    );
    eprintln!(
        "masking: searched {} bytes of terminal stderr, {} of in-process logs, {} of journals, {} webhooks, {} report files",
        stderr_text.len(),
        logs.text().len(),
        terminal_journal.len() + acquirer_journal.len(),
        hooks.len(),
        written.all().len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
