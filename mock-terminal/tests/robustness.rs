//! Robustness of the mock terminal (issue 9): generated bad input on every Connect route, both
//! before authentication and behind it (signed and encrypted plaintexts), on the LAN and through
//! the cloud relay; tampering with every byte of a sealed request; a cloud link that dies
//! mid-request; the admin routes. Nothing a POS sends may get a 5xx, a panic, an answer outside
//! the LinkFailure envelope, or leak the Business-Code.
//!
//! # Scale
//!
//! `KUSHKI_PROPTEST_CASES` (default 48): generated cases per property; the server's health is
//! checked after every batch of 16.
//!
//! # The envelope
//!
//! Authentication failures answer the LinkFailure `{type, code, param?, message, object?}` in
//! plain JSON (the POS may not hold a key the terminal accepts); everything after authentication
//! is encrypted with the request's timestamp and decrypted here with the independent POS client
//! of `support::pos`. A PARAMETER failure caused by one mutated field names it (`param` or
//! `message`).

mod support;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use kushki_mock_support::body::MAX_BODY_BYTES;
use kushki_mock_support::fuzz::{Action, action, json_value, mutate, runner, seeds};
use kushki_protocol::auth::{self, Credentials};
use kushki_protocol::schemas::{self, SchemaKind};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};

use support::pos::PosKeys;
use support::{BUSINESS_CODE, SERIAL, START, World};

// ---------------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------------

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// An acquirer (and relay) and a linked terminal on one manual clock. "Approved with delay" test
/// amounts answer at once: a generated amount may be one, and nobody moves the clock here.
async fn fuzz_world() -> World {
    let mut w = support::world_tweaked(
        |acquirer| acquirer.rules.delay_secs = 0,
        |terminal| terminal.localhost_listen = None,
    )
    .await;
    w.admin = http();
    w
}

async fn healthy(w: &World, after: &str) {
    for base in [w.terminal.uri(), w.acquirer.uri()] {
        let r = w
            .admin
            .get(format!("{base}/__admin/health"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{base} stopped answering after {after}: {e}"));
        assert_eq!(r.status(), 200, "{base} after {after}");
    }
}

fn creds() -> Credentials {
    Credentials::new(BUSINESS_CODE, SERIAL)
}

fn keys() -> PosKeys {
    PosKeys {
        business_code: BUSINESS_CODE.into(),
        serial: SERIAL.into(),
    }
}

/// A POST route of the Connect API and its valid example bodies.
struct Op {
    route: &'static str,
    seeds: Vec<Value>,
}

fn post_ops() -> Vec<Op> {
    let op = |route, dir| Op {
        route,
        seeds: seeds(&format!("connect/{dir}")),
    };
    vec![
        op("charge", "charge.request"),
        op("authorization", "authorization.request"),
        op("capture", "capture.request"),
        op("re_authorization", "re_authorization.request"),
        op("pos_tip", "pos_tip.request"),
        op("void", "void.request"),
        op("refund", "refund.request"),
        op("transaction_search_online", "search.request"),
        op("transaction_search_local", "search.request"),
        op("print", "print_job.request"),
        op("print/job", "print_job.request"),
    ]
}

// ---------------------------------------------------------------------------------------------
// Generators (the shared ones are in `kushki_mock_support::fuzz`)
// ---------------------------------------------------------------------------------------------

/// A generated plaintext: a valid example with one change, or any JSON.
#[derive(Debug, Clone)]
enum Plain {
    Mutated {
        seed: usize,
        pick: usize,
        action: Action,
    },
    Json(Value),
    Text(String),
}

fn plain() -> BoxedStrategy<Plain> {
    prop_oneof![
        8 => (any::<usize>(), any::<usize>(), action())
            .prop_map(|(seed, pick, action)| Plain::Mutated { seed, pick, action }),
        2 => json_value().prop_map(Plain::Json),
        1 => any::<String>().prop_map(Plain::Text),
    ]
    .boxed()
}

/// The plaintext text, the member a refusal should name, whether a member was removed.
fn plaintext(seeds: &[Value], p: &Plain) -> (String, String, bool) {
    match p {
        Plain::Mutated { seed, pick, action } => {
            let mut body = seeds[seed % seeds.len()].clone();
            // Fresh ids, so that a body the change left valid is not refused as a reuse.
            for key in ["client_transaction_id", "printJobId"] {
                if let Some(Value::String(id)) = body.get_mut(key) {
                    *id = uuid::Uuid::new_v4().to_string();
                }
            }
            let names = mutate(&mut body, *pick, action);
            (body.to_string(), names, matches!(action, Action::Remove))
        }
        Plain::Json(v) => (v.to_string(), String::new(), false),
        Plain::Text(t) => (t.clone(), String::new(), false),
    }
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/// What came back, decrypted when it was encrypted.
#[derive(Debug)]
struct Got {
    status: u16,
    raw: Bytes,
    body: Value,
    encrypted: bool,
}

/// The headers a POS request carries (each may be left out).
struct Headers<'a> {
    authorization: Option<&'a str>,
    timestamp: Option<&'a str>,
    content_type: Option<&'a str>,
}

/// Sends a request; decrypts the answer with the request's timestamp `ts` when it is encrypted.
async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    headers: Headers<'_>,
    body: Vec<u8>,
    ts: i64,
) -> Result<Got, String> {
    let mut req = http.request(method, url).body(body);
    if let Some(a) = headers.authorization {
        req = req.header("Authorization", a);
    }
    if let Some(t) = headers.timestamp {
        req = req.header("timestamp", t);
    }
    if let Some(ct) = headers.content_type {
        req = req.header("content-type", ct);
    }
    let resp = req.send().await.map_err(|e| format!("no answer: {e}"))?;
    let status = resp.status().as_u16();
    let raw = resp.bytes().await.map_err(|e| format!("answer cut: {e}"))?;
    let outer: Value = serde_json::from_slice(&raw).map_err(|_| {
        format!(
            "HTTP {status} answer is not JSON: {}",
            String::from_utf8_lossy(&raw)
        )
    })?;
    match outer.get("data").and_then(Value::as_str) {
        Some(data) if outer.as_object().is_some_and(|o| o.len() == 1) => {
            let text = keys()
                .decrypt(ts, data)
                .ok_or("an encrypted answer the POS cannot decrypt")?;
            let body = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
            Ok(Got {
                status,
                raw,
                body,
                encrypted: true,
            })
        }
        _ => Ok(Got {
            status,
            raw,
            body: outer,
            encrypted: false,
        }),
    }
}

fn valid_as(kind: SchemaKind, body: &Value) -> bool {
    schemas::validate(kind, body).is_ok()
}

/// The Connect contract of one answer. `names`: the member a PARAMETER failure must name.
fn check_connect(got: &Got, names: &str, removal: bool) -> Result<(), String> {
    if got.status >= 500 {
        let documented_offline =
            got.status == 503 && got.body["code"] == "CLOUDPAYMENT_VALIDATION_ERROR";
        if !documented_offline {
            return Err("a POS request got a 5xx".into());
        }
    }
    if String::from_utf8_lossy(&got.raw).contains(BUSINESS_CODE)
        || got.body.to_string().contains(BUSINESS_CODE)
    {
        return Err("the answer shows the Business-Code".into());
    }
    if got.status == 200 || got.status == 202 {
        let ok = [
            SchemaKind::ConnectOperationResponse,
            SchemaKind::ConnectSearchResponse,
            SchemaKind::ConnectAbortResponse,
            SchemaKind::ConnectEvent,
            SchemaKind::ConnectPrintJobResponse,
            SchemaKind::ConnectLinkFailure,
        ]
        .into_iter()
        .any(|k| valid_as(k, &got.body));
        return if ok {
            Ok(())
        } else {
            Err("a 2xx answer matches no Connect response schema".into())
        };
    }
    if let Err(v) = schemas::validate(SchemaKind::ConnectLinkFailure, &got.body) {
        return Err(format!(
            "not a LinkFailure: {}",
            schemas::violations_message(&v)
        ));
    }
    if got.body["type"] == "AUTHENTICATION" && got.encrypted {
        return Err("an authentication failure must be plain JSON".into());
    }
    if got.body["type"] == "PARAMETER" && !names.is_empty() {
        let message = got.body["message"].as_str().unwrap_or_default();
        let param = got.body["param"].as_str().unwrap_or_default();
        let escaped = names.replace('~', "~0").replace('/', "~1");
        let named = message.contains(names)
            || message.contains(&escaped)
            || param.contains(names)
            || (removal && (got.body["code"] == "PAR-001" || message.contains("required")));
        if !named {
            return Err(format!("the PARAMETER failure must name `{names}`"));
        }
    }
    Ok(())
}

fn failed(what: &str, sent: &str, got: Result<&Got, &String>, why: &str) -> TestCaseError {
    TestCaseError::fail(format!(
        "{what}: {why}\n  sent: {}\n  got: {}",
        &sent[..sent.len().min(600)],
        match got {
            Ok(g) => format!("HTTP {} (encrypted {}) {}", g.status, g.encrypted, g.body),
            Err(e) => e.clone(),
        }
    ))
}

// ---------------------------------------------------------------------------------------------
// Generated input
// ---------------------------------------------------------------------------------------------

/// Routes a POS may try, good and bad.
fn any_route() -> BoxedStrategy<String> {
    const KNOWN: &[&str] = &[
        "charge",
        "sync/charge",
        "async/charge",
        "authorization",
        "capture",
        "re_authorization",
        "pos_tip",
        "void",
        "refund",
        "abort",
        "async/abort",
        "transaction_search_online",
        "transaction_search_local",
        "print",
        "print/job",
        "print_job",
        "sync/print_job",
    ];
    prop_oneof![
        4 => proptest::sample::select(KNOWN).prop_map(str::to_string),
        1 => "[A-Za-z0-9_%./-]{0,30}",
    ]
    .boxed()
}

#[test]
fn generated_unauthenticated_requests_get_a_plain_link_failure() {
    let rt = runtime();
    let w = rt.block_on(fuzz_world());
    let http = http();
    let strategy = (
        any_route(),
        proptest::sample::select(&["GET", "POST", "PUT", "DELETE"][..]),
        proptest::option::of(prop_oneof![
            "[ -~]{0,140}",
            "[0-9a-f]{128}".prop_map(|h| format!("Basic {h}")),
        ]),
        proptest::option::of(prop_oneof!["[ -~]{0,20}", "[0-9]{1,12}"]),
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..300),
            json_value().prop_map(|v| json!({"data": v}).to_string().into_bytes()),
            "[0-9a-f]{32}:[0-9a-f]{0,96}".prop_map(|d| json!({"data": d}).to_string().into_bytes()),
        ],
        any::<bool>(),
    );
    let count = AtomicUsize::new(0);
    let result = runner().run(
        &strategy,
        |(route, method, authorization, timestamp, body, cloud)| {
            let url = if cloud {
                format!("{}/terminal/v1/{SERIAL}/{route}", w.acquirer.uri())
            } else {
                format!("{}/terminal/v1/{route}", w.terminal.uri())
            };
            let sent = format!(
                "{method} {url} auth {authorization:?} ts {timestamp:?} body {}",
                String::from_utf8_lossy(&body)
            );
            let got = rt.block_on(send(
                &http,
                method.parse().unwrap(),
                &url,
                Headers {
                    authorization: authorization.as_deref(),
                    timestamp: timestamp.as_deref(),
                    content_type: Some("application/json"),
                },
                body,
                0,
            ));
            let got = got.map_err(|e| failed(&url, &sent, Err(&e), "no usable answer"))?;
            check_connect(&got, "", false).map_err(|why| failed(&url, &sent, Ok(&got), &why))?;
            prop_assert!(
                !got.encrypted,
                "an unauthenticated request got an encrypted answer: {sent}"
            );
            prop_assert!(
                got.status != 200,
                "an unauthenticated request was served: {sent} -> {}",
                got.body
            );
            if count.fetch_add(1, Ordering::Relaxed) % 16 == 15 {
                rt.block_on(healthy(&w, "unauthenticated requests"));
            }
            Ok(())
        },
    );
    if let Err(e) = result {
        panic!("{e}");
    }
    rt.block_on(healthy(&w, "unauthenticated requests"));
}

#[test]
fn generated_signed_plaintexts_on_every_operation_get_the_documented_envelope() {
    let rt = runtime();
    let w = rt.block_on(fuzz_world());
    let http = http();
    let ops = post_ops();
    let count = AtomicUsize::new(0);
    for op in &ops {
        let result = runner().run(
            &(plain(), any::<bool>(), any::<bool>()),
            |(p, cloud, sync_prefix)| {
                let (text, names, removal) = plaintext(&op.seeds, &p);
                let route = if cloud || sync_prefix {
                    format!("sync/{}", op.route)
                } else {
                    op.route.to_string()
                };
                let url = if cloud {
                    format!("{}/terminal/v1/{SERIAL}/{route}", w.acquirer.uri())
                } else {
                    format!("{}/terminal/v1/{route}", w.terminal.uri())
                };
                let ts = w.now();
                let (authorization, body) = match auth::seal_request(&creds(), ts, &text) {
                    Ok(sealed) => (sealed.authorization, sealed.body),
                    // No signature exists for a plaintext that is not an object (or that has a
                    // top-level "key"): encrypted all the same, signed over nothing.
                    Err(_) => (
                        format!("Basic {}", "0".repeat(128)),
                        keys().encrypt(ts, &text),
                    ),
                };
                let got = rt.block_on(send(
                    &http,
                    reqwest::Method::POST,
                    &url,
                    Headers {
                        authorization: Some(&authorization),
                        timestamp: Some(&ts.to_string()),
                        content_type: Some("application/json"),
                    },
                    body.into_bytes(),
                    ts,
                ));
                let got = got.map_err(|e| failed(&url, &text, Err(&e), "no usable answer"))?;
                check_connect(&got, &names, removal)
                    .map_err(|why| failed(&url, &text, Ok(&got), &why))?;
                if count.fetch_add(1, Ordering::Relaxed) % 16 == 15 {
                    rt.block_on(healthy(&w, op.route));
                }
                Ok(())
            },
        );
        if let Err(e) = result {
            panic!("{}: {e}", op.route);
        }
        rt.block_on(healthy(&w, op.route));
    }
    // The signed GET routes, with any query.
    let result = runner().run(
        &(
            proptest::sample::select(&["abort", "async/abort", "print_job", "sync/print_job"][..]),
            proptest::option::of("[A-Za-z0-9_=&%.-]{0,40}"),
        ),
        |(route, query)| {
            let ts = w.now();
            let url = match &query {
                Some(q) => format!("{}/terminal/v1/{route}?{q}", w.terminal.uri()),
                None => format!("{}/terminal/v1/{route}", w.terminal.uri()),
            };
            let authorization = keys().authorization(ts, &json!({}));
            let got = rt.block_on(send(
                &http,
                reqwest::Method::GET,
                &url,
                Headers {
                    authorization: Some(&authorization),
                    timestamp: Some(&ts.to_string()),
                    content_type: None,
                },
                Vec::new(),
                ts,
            ));
            let got = got.map_err(|e| failed(&url, "", Err(&e), "no usable answer"))?;
            check_connect(&got, "", false).map_err(|why| failed(&url, "", Ok(&got), &why))?;
            Ok(())
        },
    );
    if let Err(e) = result {
        panic!("GET routes: {e}");
    }
    rt.block_on(healthy(&w, "GET routes"));
}

// ---------------------------------------------------------------------------------------------
// Bodies no generator should have to stumble on
// ---------------------------------------------------------------------------------------------

/// A special body: what it is, its `Authorization` (if any), the bytes, the codes it may get.
type Case = (&'static str, Option<String>, Vec<u8>, Vec<&'static str>);

#[tokio::test]
async fn empty_oversized_deep_and_non_utf8_bodies_are_refused_on_every_route() {
    let w = fuzz_world().await;
    let http = http();
    let deep = format!(
        "{{\"client_transaction_id\":\"x\",\"a\":{}1{}}}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    let deep_array = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let oversized = format!("{{\"data\":\"{}\"}}", "0".repeat(MAX_BODY_BYTES));
    for op in post_ops() {
        for cloud in [false, true] {
            let url = if cloud {
                format!(
                    "{}/terminal/v1/{SERIAL}/sync/{}",
                    w.acquirer.uri(),
                    op.route
                )
            } else {
                format!("{}/terminal/v1/{}", w.terminal.uri(), op.route)
            };
            let ts = w.now();
            let valid = auth::seal_request(&creds(), ts, &op.seeds[0].to_string()).unwrap();
            let mut cases: Vec<Case> = vec![
                (
                    "an empty body",
                    Some(valid.authorization.clone()),
                    Vec::new(),
                    vec!["AUTH-001"],
                ),
                (
                    "an empty body without headers",
                    None,
                    Vec::new(),
                    vec!["AUTH-003"],
                ),
                (
                    "a body over the size limit",
                    Some(valid.authorization.clone()),
                    oversized.clone().into_bytes(),
                    vec!["PAR-002"],
                ),
                (
                    "non-UTF-8 around the data",
                    Some(valid.authorization.clone()),
                    b"{\"data\":\"\xff\xfe\"}".to_vec(),
                    vec!["AUTH-001"],
                ),
            ];
            // Sealed plaintexts: deep nesting is signed and encrypted like any object.
            for (what, text) in [
                ("an object nested 10,000 deep", &deep),
                ("an array nested 10,000 deep", &deep_array),
            ] {
                match auth::seal_request(&creds(), ts, text) {
                    Ok(sealed) => cases.push((
                        what,
                        Some(sealed.authorization),
                        sealed.body.into_bytes(),
                        vec!["PAR-005", "PAR-001", "PAR-002", "PAR-004", "AUTH-001"],
                    )),
                    Err(_) => cases.push((
                        what,
                        Some(valid.authorization.clone()),
                        keys().encrypt(ts, text).into_bytes(),
                        vec!["AUTH-001"],
                    )),
                }
            }
            // A plaintext that is not UTF-8, encrypted under the right key.
            let mut iv = [0u8; 16];
            iv[0] = 7;
            let data = auth::encrypt(&creds(), ts, b"{\"a\":\"\xff\"}", iv);
            cases.push((
                "a non-UTF-8 plaintext",
                Some(valid.authorization.clone()),
                json!({ "data": data }).to_string().into_bytes(),
                vec!["AUTH-001"],
            ));
            for (what, authorization, body, codes) in cases {
                let got = send(
                    &http,
                    reqwest::Method::POST,
                    &url,
                    Headers {
                        authorization: authorization.as_deref(),
                        timestamp: authorization.as_ref().map(|_| ts.to_string()).as_deref(),
                        content_type: Some("application/json"),
                    },
                    body,
                    ts,
                )
                .await
                .unwrap_or_else(|e| panic!("{what} to {url}: {e}"));
                check_connect(&got, "", false)
                    .unwrap_or_else(|why| panic!("{what} to {url}: {why}: {got:?}"));
                let code = got.body["code"].as_str().unwrap_or_default();
                assert!(
                    codes.contains(&code),
                    "{what} to {url}: expected one of {codes:?}, got HTTP {} {}",
                    got.status,
                    got.body
                );
                if code == "PAR-002" {
                    assert!(
                        got.body["message"]
                            .as_str()
                            .is_some_and(|m| m.contains("exceeds")),
                        "{what}: the refusal names the size limit: {}",
                        got.body
                    );
                }
            }
        }
        healthy(&w, op.route).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Tampering
// ---------------------------------------------------------------------------------------------

/// Another hex digit than `c`, never just its other case (that would be the same byte).
fn other_hex(c: char) -> char {
    let v = c.to_digit(16).expect("a hex digit");
    std::char::from_digit((v + 1 + (v * 7) % 14) % 16, 16).unwrap()
}

fn with_char(text: &str, i: usize, c: char) -> String {
    let mut s = text.to_string();
    s.replace_range(i..i + 1, &c.to_string());
    s
}

#[tokio::test]
async fn changing_any_byte_of_the_ciphertext_iv_signature_or_timestamp_is_refused() {
    let w = fuzz_world().await;
    let http = http();
    let url = format!("{}/terminal/v1/charge", w.terminal.uri());
    let ts = w.now();
    let payload = json!({"client_transaction_id": "5f0e0d3c-0b0a-4908-8706-050403020100", "amount": {"subtotal_iva": 0, "subtotal_iva0": 1250, "iva": 0}});
    let sealed = auth::seal_request(&creds(), ts, &payload.to_string()).unwrap();
    let data = serde_json::from_str::<Value>(&sealed.body).unwrap()["data"]
        .as_str()
        .unwrap()
        .to_string();
    let (iv, ct) = data.split_once(':').unwrap();
    let signature = sealed.authorization.strip_prefix("Basic ").unwrap();
    let mut tampered: Vec<(String, String, String, String)> = Vec::new();
    for i in 0..iv.len() {
        let iv2 = with_char(iv, i, other_hex(iv.as_bytes()[i] as char));
        tampered.push((
            format!("IV hex {i}"),
            sealed.authorization.clone(),
            ts.to_string(),
            json!({"data": format!("{iv2}:{ct}")}).to_string(),
        ));
    }
    for i in 0..ct.len() {
        let ct2 = with_char(ct, i, other_hex(ct.as_bytes()[i] as char));
        tampered.push((
            format!("ciphertext hex {i}"),
            sealed.authorization.clone(),
            ts.to_string(),
            json!({"data": format!("{iv}:{ct2}")}).to_string(),
        ));
    }
    for i in 0..signature.len() {
        let sig2 = with_char(signature, i, other_hex(signature.as_bytes()[i] as char));
        tampered.push((
            format!("signature hex {i}"),
            format!("Basic {sig2}"),
            ts.to_string(),
            sealed.body.clone(),
        ));
    }
    let ts_text = ts.to_string();
    for i in 0..ts_text.len() {
        for d in ['0', '5', '9'] {
            let digit = ts_text.as_bytes()[i] as char;
            if digit == d {
                continue;
            }
            let ts2 = with_char(&ts_text, i, d);
            tampered.push((
                format!("timestamp digit {i} -> {d}"),
                sealed.authorization.clone(),
                ts2,
                sealed.body.clone(),
            ));
        }
    }
    let mut codes = BTreeSet::new();
    for (what, authorization, timestamp, body) in &tampered {
        let got = send(
            &http,
            reqwest::Method::POST,
            &url,
            Headers {
                authorization: Some(authorization),
                timestamp: Some(timestamp),
                content_type: Some("application/json"),
            },
            body.clone().into_bytes(),
            ts,
        )
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        check_connect(&got, "", false).unwrap_or_else(|why| panic!("{what}: {why}"));
        let code = got.body["code"].as_str().unwrap_or_default().to_string();
        assert!(
            got.status == 401 && (code == "AUTH-001" || code == "AUTH-002") && !got.encrypted,
            "{what}: a tampered request is refused with AUTH-001 or AUTH-002, got HTTP {} {}",
            got.status,
            got.body
        );
        codes.insert(code);
    }
    assert_eq!(
        codes,
        BTreeSet::from(["AUTH-001".to_string(), "AUTH-002".to_string()]),
        "both refusals were seen over {} tampered requests",
        tampered.len()
    );
    // Untampered, the same request is served: the refusals were the tampering's doing.
    let got = send(
        &http,
        reqwest::Method::POST,
        &url,
        Headers {
            authorization: Some(&sealed.authorization),
            timestamp: Some(&ts.to_string()),
            content_type: Some("application/json"),
        },
        sealed.body.clone().into_bytes(),
        ts,
    )
    .await
    .unwrap();
    assert_eq!(
        (got.status, got.body["approved"].clone()),
        (200, json!(true)),
        "{got:?}"
    );
    assert_no_business_code(&w).await;
}

#[tokio::test]
async fn a_padding_failure_and_a_signature_failure_answer_byte_identically() {
    let w = fuzz_world().await;
    let http = http();
    let url = format!("{}/terminal/v1/charge", w.terminal.uri());
    let ts = w.now();
    let payload = json!({"client_transaction_id": "6f0e0d3c-0b0a-4908-8706-050403020100", "amount": {"subtotal_iva": 0, "subtotal_iva0": 1250, "iva": 0}});
    let sealed = auth::seal_request(&creds(), ts, &payload.to_string()).unwrap();
    // A signature over another payload: decrypts fine, the signature fails.
    let other = auth::seal_request(&creds(), ts, "{\"other\":1}").unwrap();
    // The right signature, a body encrypted under another Business-Code: the padding fails
    // (or, rarely, decrypts to garbage that is not a JSON object: the same check).
    let wrong_key = Credentials::new("BC-SOMEONE-ELSE", SERIAL);
    let undecryptable = auth::seal_request(&wrong_key, ts, &payload.to_string()).unwrap();
    let mut answers = Vec::new();
    for (what, authorization, body) in [
        ("signature failure", &other.authorization, &sealed.body),
        (
            "padding failure",
            &sealed.authorization,
            &undecryptable.body,
        ),
    ] {
        let resp = http
            .post(&url)
            .header("Authorization", authorization)
            .header("timestamp", ts.to_string())
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let content_type = resp.headers().get("content-type").cloned();
        let bytes = resp.bytes().await.unwrap();
        answers.push((what, status, content_type, bytes));
    }
    assert_eq!(
        (answers[0].1, &answers[0].2, &answers[0].3),
        (answers[1].1, &answers[1].2, &answers[1].3),
        "{} and {} must not be told apart: {:?} vs {:?}",
        answers[0].0,
        answers[1].0,
        String::from_utf8_lossy(&answers[0].3),
        String::from_utf8_lossy(&answers[1].3)
    );
    // The journal, not the client, says which check failed.
    let journal = w.admin_get("/__admin/journal").await;
    let notes: Vec<String> = journal["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["note"].as_str().map(str::to_string))
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("signature"))
            && notes.iter().any(|n| n.contains("decryption")),
        "the journal records both checks: {notes:?}"
    );
    assert_no_business_code(&w).await;
}

/// Neither mock's journal shows the Business-Code.
async fn assert_no_business_code(w: &World) {
    for base in [w.terminal.uri(), w.acquirer.uri()] {
        let text = support::get_text(&w.admin, format!("{base}/__admin/journal")).await;
        assert!(
            !text.contains(BUSINESS_CODE),
            "the journal of {base} shows the Business-Code"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A cloud link that dies mid-request
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_terminal_that_dies_mid_request_ends_the_cloud_request_with_the_offline_error() {
    let w = fuzz_world().await;
    // The reader waits for a card that never comes (the clock is manual and nobody moves it).
    w.card(json!({"action": "no_card"})).await;
    let pos = w.pos(support::Path::Cloud);
    let ts = w.now();
    let call = tokio::spawn(async move {
        pos.post(
            "sync/charge",
            &support::charge("7f0e0d3c-0b0a-4908-8706-050403020100", 1250),
            ts,
        )
        .await
    });
    w.wait_phase("waiting_for_card").await;
    let started = Instant::now();
    let World {
        acquirer, terminal, ..
    } = w;
    terminal.shutdown().await;
    let answer = tokio::time::timeout(Duration::from_secs(5), call)
        .await
        .expect("the cloud request ends in bounded time once the link is gone")
        .expect("the POS task");
    support::assert_failure(&answer, 503, "CLOUDPAYMENT_VALIDATION_ERROR");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "ended after {:?}",
        started.elapsed()
    );
    // The relay goes on answering the documented offline error for that serial.
    let again = support::pos::Pos::new(format!("{}/terminal/v1/{SERIAL}", acquirer.uri()), keys())
        .post(
            "sync/charge",
            &support::charge("8f0e0d3c-0b0a-4908-8706-050403020100", 100),
            ts,
        )
        .await;
    support::assert_failure(&again, 503, "CLOUDPAYMENT_VALIDATION_ERROR");
}

// ---------------------------------------------------------------------------------------------
// Admin routes
// ---------------------------------------------------------------------------------------------

#[test]
fn generated_admin_bodies_get_the_admin_envelope_and_leave_the_terminal_working() {
    let rt = runtime();
    let w = rt.block_on(fuzz_world());
    let http = http();
    let routes: Vec<(&str, Vec<Value>)> = vec![
        (
            "/__admin/cards",
            vec![
                json!({"action": "present", "reading_type": "NFC", "card": "mastercard-debit", "pin": "ok", "after_seconds": 5}),
                json!({"action": "no_card"}),
            ],
        ),
        (
            "/__admin/printer",
            vec![json!({"paper": "out"}), json!({"busy": true})],
        ),
        (
            "/__admin/prints/receipt",
            vec![
                json!({"transaction_reference": "f2f29080-0214-42c0-95a5-77ecf3434cd7", "copies": "both", "merchant": "X"}),
            ],
        ),
        (
            "/__admin/clock",
            vec![json!({"advance_seconds": 1}), json!({"set": START})],
        ),
        (
            "/__admin/behaviours",
            vec![
                json!({"hop": "pos", "match": {"operation": "charge"}, "respond": {"status": 503}, "times": 1}),
            ],
        ),
    ];
    for (path, seeds) in &routes {
        let url = format!("{}{path}", w.terminal.uri());
        let result = runner().run(&plain(), |p| {
            let (text, _, _) = plaintext(seeds, &p);
            let (status, bytes) = rt
                .block_on(async {
                    let r = http
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(text.clone())
                        .send()
                        .await?;
                    let status = r.status().as_u16();
                    Ok::<_, reqwest::Error>((status, r.bytes().await?))
                })
                .map_err(|e| TestCaseError::fail(format!("{path}: no answer ({e}): {text}")))?;
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            let refused_in_envelope = status == 400
                && body["error"]["field"].is_string()
                && body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.trim().is_empty());
            prop_assert!(
                matches!(status, 200 | 201 | 202 | 204)
                    || refused_in_envelope
                    || (status == 404
                        && path.contains("receipt")
                        && body["error"]["message"].is_string()),
                "{path} {text}: HTTP {status} {}",
                String::from_utf8_lossy(&bytes)
            );
            // Back to the start, and a charge still goes through.
            rt.block_on(async {
                let _ = http
                    .delete(format!("{}/__admin/cards", w.terminal.uri()))
                    .send()
                    .await;
                let _ = http
                    .post(format!("{}/__admin/printer", w.terminal.uri()))
                    .json(&json!({"paper": "ok", "busy": false}))
                    .send()
                    .await;
                let r = http
                    .post(format!("{}/__admin/reset", w.terminal.uri()))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            });
            let ts = w.now();
            let answer = rt.block_on(w.pos(support::Path::Lan).post(
                "charge",
                &support::charge(&uuid::Uuid::new_v4().to_string(), 1250),
                ts,
            ));
            prop_assert_eq!(
                answer.status,
                200,
                "a charge after {} {}: {:?}",
                path,
                text,
                answer
            );
            Ok(())
        });
        if let Err(e) = result {
            panic!("{path}: {e}");
        }
        rt.block_on(healthy(&w, path));
    }
}
