//! Robustness of the mock acquirer (issue 9): generated bad input on every route, and racing
//! clients on shared transactions. Nothing a client sends may get a 5xx, a panic or an answer
//! outside the documented envelopes, and nothing answered may be lost.
//!
//! * generated requests on every raw API route, the admin POST routes and the cloud relay;
//! * empty, oversized, 10,000-deep, non-UTF-8 and mistyped bodies on each of them;
//! * 64 clients racing voids, reverses, refunds and captures on shared transactions while the
//!   clock moves through the admin API; then the ledger's invariants and one journal entry per
//!   request;
//! * every operation at the ends of the clock's range.
//!
//! # Scale
//!
//! * `KUSHKI_PROPTEST_CASES` (default 48): generated cases per property. Each case is one HTTP
//!   exchange with the real server; the server's health is checked after every batch of 16.
//! * `KUSHKI_CONCURRENCY_OPS` (default 50): operations per client of the race (64 clients); the
//!   issue's full run is `KUSHKI_CONCURRENCY_OPS=1000`.
//!
//! # What "the documented envelope" is here
//!
//! * raw API routes: 401 `{"message":"Unauthorized"}` ([`SchemaKind::RawUnauthorized`]), every
//!   other refusal `{code, details{Origin, Message}, message}` ([`SchemaKind::RawError`]); an E001
//!   caused by one mutated field names that field in `details.Message`;
//! * admin routes: 400 `{"error":{"field","message"}}`;
//! * the cloud relay with no terminal linked: the LinkFailure envelope
//!   ([`SchemaKind::ConnectLinkFailure`]), the documented offline 503 or a 4xx.

mod support;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use kushki_mock_support::body::MAX_BODY_BYTES;
use kushki_mock_support::fuzz::{Action, action, json_value, mutate, runner, seeds};
use kushki_protocol::schemas::{self, SchemaKind};
use mock_acquirer::{Config, DEFAULT_CREDENTIAL};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use support::bodies::{self, Txn, With};
use support::{LIMA_MORNING, TestApp, http_client, lima, spawn_app_with};

// ---------------------------------------------------------------------------------------------
// Scale and set-up
// ---------------------------------------------------------------------------------------------

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// An acquirer for generated input: manual clock, "approved with delay" answers at once (a
/// generated body may carry a delay test amount, and nobody moves the clock here), a journal
/// window large enough to hold every exchange.
async fn fuzz_app() -> TestApp {
    let mut config = Config::manual_at(LIMA_MORNING.parse().unwrap());
    config.rules.delay_secs = 0;
    config.journal_capacity = 1_000_000;
    spawn_app_with(config).await
}

async fn healthy(app: &TestApp, after: &str) {
    let (status, body) = app.admin("GET", "/__admin/health", None).await;
    assert_eq!(
        (status, body.clone()),
        (200, json!({"status": "ok"})),
        "the acquirer stopped answering after {after}"
    );
}

/// A raw API route, its valid examples and the schema of its 200 answer.
struct Route {
    path: &'static str,
    seeds: Vec<Value>,
    ok: SchemaKind,
}

fn raw_routes() -> Vec<Route> {
    vec![
        Route {
            path: "/pos/v1/transaction",
            seeds: seeds("raw/transaction.request"),
            ok: SchemaKind::RawTransactionResponse,
        },
        Route {
            path: "/pos/v1/refund",
            seeds: seeds("raw/refund.request"),
            ok: SchemaKind::RawTransactionResponse,
        },
        Route {
            path: "/pos-analytics/v1/transactions/search",
            seeds: seeds("raw/search.request"),
            ok: SchemaKind::RawSearchResponse,
        },
        Route {
            path: "/pos/v1/balance-inquiry",
            seeds: seeds("raw/balance_inquiry.request"),
            ok: SchemaKind::RawBalanceInquiryResponse,
        },
        Route {
            path: "/pos/v1/bin-info",
            seeds: seeds("raw/bin_info.request"),
            ok: SchemaKind::RawBinInfoResponse,
        },
        Route {
            path: "/pos/v2/bin-info",
            seeds: seeds("raw/bin_info.request"),
            ok: SchemaKind::RawBinInfoV2Response,
        },
        Route {
            path: "/pos/v1/deferred-options",
            seeds: seeds("raw/deferred_options.request"),
            ok: SchemaKind::RawDeferredOptionsResponse,
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// A generated request.
#[derive(Debug, Clone)]
enum Input {
    /// A valid example with one field changed.
    Mutated {
        seed: usize,
        pick: usize,
        action: Action,
    },
    /// Any JSON at all.
    Json(Value),
    /// Any bytes at all.
    Bytes(Vec<u8>),
    /// A valid example under another content type.
    ContentType { seed: usize, content_type: String },
    /// A valid example with a wrong or missing credential.
    Credential {
        seed: usize,
        credential: Option<String>,
    },
}

fn input(seeds: usize) -> BoxedStrategy<Input> {
    let seed = 0..seeds.max(1);
    prop_oneof![
        8 => (seed.clone(), any::<usize>(), action())
            .prop_map(|(seed, pick, action)| Input::Mutated { seed, pick, action }),
        2 => json_value().prop_map(Input::Json),
        1 => proptest::collection::vec(any::<u8>(), 0..256).prop_map(Input::Bytes),
        1 => (seed.clone(), "[ -~]{0,40}")
            .prop_map(|(seed, content_type)| Input::ContentType { seed, content_type }),
        1 => (seed, proptest::option::of("[ -~]{0,40}"))
            .prop_map(|(seed, credential)| Input::Credential { seed, credential }),
    ]
    .boxed()
}

/// What goes on the wire.
#[derive(Debug, Clone)]
struct Wire {
    body: Vec<u8>,
    content_type: Option<String>,
    credential: Option<String>,
    /// The member a refusal should name.
    names: String,
    /// Whether the change removed a member.
    removal: bool,
}

fn fresh(seed: &Value) -> Value {
    let mut v = seed.clone();
    if let Some(Value::String(id)) = v.get_mut("client_transaction_id") {
        *id = uuid::Uuid::new_v4().to_string();
    }
    v
}

fn wire(seeds: &[Value], input: &Input) -> Wire {
    let json = Some("application/json".to_string());
    let credential = Some(DEFAULT_CREDENTIAL.to_string());
    match input {
        Input::Mutated { seed, pick, action } => {
            let mut body = fresh(&seeds[*seed % seeds.len()]);
            let names = mutate(&mut body, *pick, action);
            Wire {
                body: body.to_string().into_bytes(),
                content_type: json,
                credential,
                names,
                removal: matches!(action, Action::Remove),
            }
        }
        Input::Json(v) => Wire {
            body: v.to_string().into_bytes(),
            content_type: json,
            credential,
            names: String::new(),
            removal: false,
        },
        Input::Bytes(b) => Wire {
            body: b.clone(),
            content_type: json,
            credential,
            names: String::new(),
            removal: false,
        },
        Input::ContentType { seed, content_type } => Wire {
            body: fresh(&seeds[*seed % seeds.len()]).to_string().into_bytes(),
            content_type: Some(content_type.clone()),
            credential,
            names: String::new(),
            removal: false,
        },
        Input::Credential { seed, credential } => Wire {
            body: fresh(&seeds[*seed % seeds.len()]).to_string().into_bytes(),
            content_type: json,
            credential: credential.clone(),
            names: String::new(),
            removal: false,
        },
    }
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    wire: &Wire,
) -> Result<(u16, Bytes), reqwest::Error> {
    let mut req = http.post(url).body(wire.body.clone());
    if let Some(ct) = &wire.content_type {
        req = req.header("content-type", ct);
    }
    if let Some(c) = &wire.credential {
        req = req.header("Private-Credential-Id", c);
    }
    let resp = req.send().await?;
    let status = resp.status().as_u16();
    Ok((status, resp.bytes().await?))
}

fn fail(what: &str, wire: &Wire, status: u16, bytes: &[u8], why: &str) -> TestCaseError {
    TestCaseError::fail(format!(
        "{what}: {why}\n  sent: content-type {:?}, credential {:?}, body {}\n  got: HTTP {status} {}",
        wire.content_type,
        wire.credential.as_deref().map(|c| c == DEFAULT_CREDENTIAL),
        String::from_utf8_lossy(&wire.body[..wire.body.len().min(600)]),
        String::from_utf8_lossy(bytes)
    ))
}

fn schema_ok(kind: SchemaKind, body: &Value) -> Result<(), String> {
    schemas::validate(kind, body)
        .map_err(|v| format!("{kind}: {}", schemas::violations_message(&v)))
}

/// The raw API's contract for one generated exchange.
fn check_raw(route: &Route, wire: &Wire, status: u16, bytes: &[u8]) -> Result<(), TestCaseError> {
    let what = format!("POST {}", route.path);
    let err = |why: &str| fail(&what, wire, status, bytes, why);
    if status >= 500 {
        return Err(err("a client's request got a 5xx"));
    }
    let body: Value = serde_json::from_slice(bytes).map_err(|_| err("the answer is not JSON"))?;
    let authorized = wire.credential.as_deref() == Some(DEFAULT_CREDENTIAL);
    if !authorized {
        if status != 401 || body != json!({"message": "Unauthorized"}) {
            return Err(err(
                "a wrong credential gets 401 {\"message\":\"Unauthorized\"}",
            ));
        }
        return Ok(());
    }
    match status {
        200 => schema_ok(route.ok, &body).map_err(|v| err(&v)),
        401 => Err(err("401 with the right credential")),
        _ => {
            schema_ok(SchemaKind::RawError, &body).map_err(|v| err(&v))?;
            let details = body["details"]["Message"].as_str().unwrap_or_default();
            if details.trim().is_empty() {
                return Err(err("details.Message must say what is wrong"));
            }
            let escaped = wire.names.replace('~', "~0").replace('/', "~1");
            // A removed member may make another one required instead (removing `omit_card`
            // requires `card_details`): then the refusal names that one.
            let removal_named = wire.removal && details.contains("required");
            if body["code"] == "E001"
                && !wire.names.is_empty()
                && !details.contains(&wire.names)
                && !details.contains(&escaped)
                && !removal_named
            {
                return Err(err(&format!(
                    "the E001 caused by the member `{}` must name it",
                    wire.names
                )));
            }
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generated input on every route
// ---------------------------------------------------------------------------------------------

#[test]
fn generated_bad_input_on_every_raw_route_gets_the_documented_envelope() {
    let rt = runtime();
    let app = rt.block_on(fuzz_app());
    for route in raw_routes() {
        let count = AtomicUsize::new(0);
        let url = app.url(route.path);
        let result = runner().run(&input(route.seeds.len()), |input| {
            let wire = wire(&route.seeds, &input);
            let (status, bytes) = rt.block_on(post(&app.http, &url, &wire)).map_err(|e| {
                TestCaseError::fail(format!("{}: no answer ({e}): {input:?}", route.path))
            })?;
            check_raw(&route, &wire, status, &bytes)?;
            if count.fetch_add(1, Ordering::Relaxed) % 16 == 15 {
                rt.block_on(healthy(&app, route.path));
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{}: {e}", route.path);
        }
        rt.block_on(healthy(&app, route.path));
    }
}

/// Valid admin bodies to mutate, per POST route.
fn admin_routes() -> Vec<(&'static str, Vec<Value>)> {
    vec![
        (
            "/__admin/clock",
            vec![
                json!({"set": "2026-03-24T15:00:00Z"}),
                json!({"advance_seconds": 61}),
            ],
        ),
        (
            "/__admin/behaviours",
            vec![
                json!({"match": {"operation": "charge"}, "respond": {"status": 503}, "times": 1}),
                json!({"hop": "acquirer", "match": {"path": "/pos/*", "amount": 12.5, "client_transaction_id": "x"}, "respond": {"latency_ms": 1, "fault": "drop", "kushki_code": "05", "disable_rule": "void-cutoff"}}),
            ],
        ),
        (
            "/__admin/webhooks",
            vec![
                json!({"url": "http://127.0.0.1:9/hook", "key": "k"}),
                json!({"url": null}),
            ],
        ),
        ("/__admin/reset", vec![json!({})]),
    ]
}

#[test]
fn generated_admin_bodies_get_the_admin_envelope_and_leave_the_mock_working() {
    let rt = runtime();
    let app = rt.block_on(fuzz_app());
    for (path, seeds) in admin_routes() {
        let url = app.url(path);
        let result = runner().run(&input(seeds.len()), |input| {
            let mut wire = wire(&seeds, &input);
            wire.credential = None;
            let (status, bytes) = rt
                .block_on(post(&app.http, &url, &wire))
                .map_err(|e| TestCaseError::fail(format!("{path}: no answer ({e}): {input:?}")))?;
            let err = |why: &str| fail(path, &wire, status, &bytes, why);
            match status {
                200 | 201 | 204 => {}
                400 => {
                    let body: Value = serde_json::from_slice(&bytes)
                        .map_err(|_| err("the answer is not JSON"))?;
                    let ok = body["error"]["field"].is_string()
                        && body["error"]["message"]
                            .as_str()
                            .is_some_and(|m| !m.trim().is_empty());
                    if !ok {
                        return Err(err(
                            "admin refusals are {\"error\":{\"field\",\"message\"}}",
                        ));
                    }
                }
                _ => return Err(err("admin answers are 2xx or 400")),
            }
            // Whatever the clock or the webhook target became, a charge is still answered
            // within the contract (behaviours are skipped: they exist to script 5xx).
            if path != "/__admin/behaviours" {
                let charge = bodies::charge("100.00", "PEN")
                    .with("card_details", bodies::clear_icc("4111111111111111"));
                let (status, answer) = rt
                    .block_on(app.try_send(
                        "/pos/v1/transaction",
                        charge.to_string(),
                        support::Opts::default(),
                    ))
                    .map_err(|e| {
                        TestCaseError::fail(format!(
                            "a charge after {path} {input:?}: no answer ({e})"
                        ))
                    })?;
                let route = &raw_routes()[0];
                let charge_wire = Wire {
                    body: charge.to_string().into_bytes(),
                    content_type: Some("application/json".into()),
                    credential: Some(DEFAULT_CREDENTIAL.into()),
                    names: String::new(),
                    removal: false,
                };
                check_raw(route, &charge_wire, status, &answer).map_err(|e| {
                    TestCaseError::fail(format!(
                        "after {path} {}: {e}",
                        String::from_utf8_lossy(&wire.body)
                    ))
                })?;
            }
            let (status, _) = rt.block_on(app.admin("POST", "/__admin/reset", None));
            prop_assert_eq!(status, 200);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{path}: {e}");
        }
        rt.block_on(healthy(&app, path));
    }
}

#[test]
fn generated_relay_requests_without_a_linked_terminal_get_the_link_failure_envelope() {
    let rt = runtime();
    let app = rt.block_on(fuzz_app());
    let strategy = (
        "[A-Za-z0-9%._~-]{1,20}",
        prop_oneof![
            Just("sync".to_string()),
            Just("async".to_string()),
            "[a-z]{0,6}"
        ],
        prop_oneof![
            Just("charge".to_string()),
            Just("abort".to_string()),
            "[A-Za-z0-9_%./-]{0,20}"
        ],
        proptest::sample::select(&["GET", "POST", "PUT", "DELETE", "PATCH"][..]),
        input(1),
    );
    let seeds = vec![json!({"data": "00112233445566778899aabbccddeeff:00"})];
    let result = runner().run(&strategy, |(serial, mode, op, method, input)| {
        let wire = wire(&seeds, &input);
        let url = format!("{}/terminal/v1/{serial}/{mode}/{op}", app.base);
        let mut req = app
            .http
            .request(method.parse().unwrap(), &url)
            .body(wire.body.clone());
        if let Some(ct) = &wire.content_type {
            req = req.header("content-type", ct);
        }
        let (status, bytes) = rt
            .block_on(async {
                let r = req.send().await?;
                let s = r.status().as_u16();
                Ok::<_, reqwest::Error>((s, r.bytes().await?))
            })
            .map_err(|e| TestCaseError::fail(format!("{method} {url}: no answer ({e})")))?;
        let what = format!("{method} {url}");
        let err = |why: &str| fail(&what, &wire, status, &bytes, why);
        let body: Value =
            serde_json::from_slice(&bytes).map_err(|_| err("the answer is not JSON"))?;
        schema_ok(SchemaKind::ConnectLinkFailure, &body).map_err(|v| err(&v))?;
        let offline = status == 503 && body["code"] == "CLOUDPAYMENT_VALIDATION_ERROR";
        if status >= 500 && !offline {
            return Err(err(
                "the only 5xx of the relay is the documented offline answer",
            ));
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("relay: {e}");
    }
    rt.block_on(healthy(&app, "relay requests"));
}

// ---------------------------------------------------------------------------------------------
// The bodies no generator should have to stumble on
// ---------------------------------------------------------------------------------------------

/// A body, a content type, and what the refusal must mention.
fn special_bodies() -> Vec<(&'static str, Vec<u8>, &'static str, &'static str)> {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let oversized = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_BODY_BYTES));
    vec![
        ("an empty body", Vec::new(), "application/json", "empty"),
        (
            "a body over the size limit",
            oversized.into_bytes(),
            "application/json",
            "exceeds",
        ),
        (
            "JSON nested 10,000 deep (arrays)",
            deep.into_bytes(),
            "application/json",
            "JSON",
        ),
        (
            "JSON nested 10,000 deep (objects)",
            deep_object.into_bytes(),
            "application/json",
            "JSON",
        ),
        (
            "non-UTF-8",
            b"{\"a\":\"\xff\xfe\"}".to_vec(),
            "application/json",
            "UTF-8",
        ),
        (
            "a wrong content type",
            b"{}".to_vec(),
            "text/plain",
            "Content-Type",
        ),
        (
            "form data",
            b"a=1&b=2".to_vec(),
            "application/x-www-form-urlencoded",
            "Content-Type",
        ),
    ]
}

#[tokio::test]
async fn empty_oversized_deep_non_utf8_and_mistyped_bodies_are_refused_on_every_route() {
    let app = fuzz_app().await;
    let mut paths: Vec<&str> = raw_routes().iter().map(|r| r.path).collect();
    paths.extend(["/__admin/clock", "/__admin/behaviours", "/__admin/webhooks"]);
    paths.push("/terminal/v1/PB04209860189/sync/charge");
    for path in paths {
        for (what, body, content_type, mention) in special_bodies() {
            let wire = Wire {
                body,
                content_type: Some(content_type.into()),
                credential: Some(DEFAULT_CREDENTIAL.into()),
                names: String::new(),
                removal: false,
            };
            let (status, bytes) = post(&app.http, &app.url(path), &wire)
                .await
                .unwrap_or_else(|e| panic!("{what} to {path}: no answer ({e})"));
            let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!(
                    "{what} to {path}: HTTP {status} answer is not JSON: {}",
                    String::from_utf8_lossy(&bytes)
                )
            });
            let message = if path.starts_with("/__admin/") {
                assert_eq!(status, 400, "{what} to {path}: {body}");
                body["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            } else if path.starts_with("/terminal/") {
                // No terminal is linked: the body limit is checked first, then the documented
                // offline answer.
                schema_ok(SchemaKind::ConnectLinkFailure, &body)
                    .unwrap_or_else(|v| panic!("{what} to {path}: {v}"));
                if mention == "exceeds" {
                    assert_eq!(status, 400, "{what} to {path}: {body}");
                } else {
                    assert_eq!(
                        (status, body["code"].as_str()),
                        (503, Some("CLOUDPAYMENT_VALIDATION_ERROR")),
                        "{what} to {path}: {body}"
                    );
                    continue;
                }
                body["message"].as_str().unwrap_or_default().to_string()
            } else {
                assert_eq!(status, 400, "{what} to {path}: {body}");
                schema_ok(SchemaKind::RawError, &body)
                    .unwrap_or_else(|v| panic!("{what} to {path}: {v}"));
                assert_eq!(body["code"], "E001", "{what} to {path}: {body}");
                body["details"]["Message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            };
            assert!(
                message.contains(mention),
                "{what} to {path}: the refusal should mention `{mention}`: {body}"
            );
        }
        healthy(&app, path).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Racing clients on shared transactions
// ---------------------------------------------------------------------------------------------

const CLIENTS: usize = 64;

fn ops_per_client() -> usize {
    env_number("KUSHKI_CONCURRENCY_OPS", 50)
}

/// What the clients share: the transactions anyone may act on.
#[derive(Default)]
struct Pool {
    charges: Mutex<Vec<Txn>>,
    preauths: Mutex<Vec<Txn>>,
}

impl Pool {
    fn pick(list: &Mutex<Vec<Txn>>, rng: &mut StdRng) -> Option<Txn> {
        let list = list.lock().unwrap();
        if list.is_empty() {
            None
        } else {
            Some(list[rng.random_range(0..list.len())].clone())
        }
    }
}

/// One of the racing terminal apps: its own connection pool.
struct Racer {
    base: String,
    http: reqwest::Client,
    rng: StdRng,
    seen: Seen,
}

/// What one client saw.
#[derive(Default)]
struct Seen {
    /// Raw API requests sent (each must be in the journal once).
    sent: usize,
    /// Answers by status.
    statuses: BTreeMap<u16, usize>,
    /// `client_transaction_id` → `transaction_reference` of each approved new transaction.
    references: Vec<(String, String)>,
    /// Approved refunds: (original reference, minor units).
    refunds: Vec<(String, i64)>,
}

/// Minor units of a race amount (`subtotal_iva0` in PEN, two decimals).
fn minor(amount: &Value) -> i64 {
    let text = amount["subtotal_iva0"].to_string();
    major_to_minor(&text)
}

fn major_to_minor(text: &str) -> i64 {
    let (units, cents) = text.split_once('.').unwrap_or((text, "00"));
    units.parse::<i64>().unwrap() * 100 + format!("{cents:0<2}")[..2].parse::<i64>().unwrap()
}

/// A `client_transaction_id` (a UUID, as the schema wants) named by `text`.
fn id(text: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, text.as_bytes()).to_string()
}

fn major(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

impl Racer {
    async fn send(&mut self, path: &str, body: &Value) -> (u16, Value) {
        self.seen.sent += 1;
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .header("Private-Credential-Id", DEFAULT_CREDENTIAL)
            .body(body.to_string())
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path} {body}: no answer under load ({e})"));
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.expect("an answer body");
        assert!(
            status < 500,
            "POST {path} under load got HTTP {status}: {}\nrequest {body}",
            String::from_utf8_lossy(&bytes)
        );
        let value: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "POST {path}: answer not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        support::check_schema(&format!("POST {path} under load"), path, status, &value);
        *self.seen.statuses.entry(status).or_default() += 1;
        (status, value)
    }

    fn approved(status: u16, answer: &Value) -> bool {
        status == 200 && answer["transaction_status"] == "APPROVAL"
    }

    fn reference(answer: &Value) -> String {
        answer["transaction_reference"]
            .as_str()
            .unwrap_or_else(|| panic!("no transaction_reference in {answer}"))
            .to_string()
    }

    /// A new charge or preAuth, 1.01 to 149.98 PEN (never a whole-unit test amount).
    async fn authorize(&mut self, pool: &Pool, id: String) {
        let total = format!(
            "{}.{:02}",
            self.rng.random_range(1..150),
            self.rng.random_range(1..99)
        );
        let preauth = self.rng.random_bool(0.3);
        let body = if preauth {
            bodies::preauth(&total, "PEN")
        } else {
            bodies::charge(&total, "PEN")
        }
        .with("client_transaction_id", json!(id));
        let (status, answer) = self.send("/pos/v1/transaction", &body).await;
        if Self::approved(status, &answer) {
            let reference = Self::reference(&answer);
            self.seen.references.push((id.clone(), reference.clone()));
            let txn = Txn {
                reference,
                client_id: id,
                kind: if preauth { "preAuth" } else { "charge" }.into(),
                amount: body["amount"].clone(),
            };
            let list = if preauth {
                &pool.preauths
            } else {
                &pool.charges
            };
            list.lock().unwrap().push(txn);
        }
    }

    async fn step(&mut self, pool: &Pool, me: usize, n: usize, own: &mut Vec<Value>) {
        match self.rng.random_range(0..100) {
            0..=24 => {
                let id = id(&format!("c{me}-{n}"));
                self.authorize(pool, id.clone()).await;
                if self.seen.references.last().is_some_and(|(i, _)| *i == id) {
                    own.push(json!(id));
                }
            }
            // An idempotent retry of one of my own transactions: the same reference.
            25..=32 => {
                let Some(id) =
                    (!own.is_empty()).then(|| own[self.rng.random_range(0..own.len())].clone())
                else {
                    return;
                };
                let id = id.as_str().unwrap().to_string();
                let original = [&pool.charges, &pool.preauths].iter().find_map(|l| {
                    l.lock()
                        .unwrap()
                        .iter()
                        .find(|t| t.client_id == id)
                        .cloned()
                });
                if let Some(t) = original {
                    let body = if t.kind == "preAuth" {
                        bodies::preauth("1.00", "PEN")
                    } else {
                        bodies::charge("1.00", "PEN")
                    }
                    .with("client_transaction_id", json!(id))
                    .with("amount", t.amount.clone());
                    // bodies::icc() and pos details are constant, so this is the same body.
                    let (status, answer) = self.send("/pos/v1/transaction", &body).await;
                    assert_eq!(status, 200, "a retry of {id} with the same body: {answer}");
                    assert_eq!(
                        Self::reference(&answer),
                        t.reference,
                        "a retry of {id} answers the first transaction"
                    );
                }
            }
            // A shared id every client sends with the same body: one transaction among all.
            33..=37 => {
                let k = self.rng.random_range(0..8);
                let id = id(&format!("shared-{k}"));
                let body = bodies::charge(&format!("{}.25", 100 + k), "PEN")
                    .with("client_transaction_id", json!(id));
                let (status, answer) = self.send("/pos/v1/transaction", &body).await;
                assert_eq!(status, 200, "{id}: {answer}");
                self.seen.references.push((id, Self::reference(&answer)));
            }
            // A shared id with a body of my own: E905 unless I came first.
            38..=39 => {
                let k = self.rng.random_range(0..4);
                let id = id(&format!("contested-{k}"));
                let body = bodies::charge(&format!("{}.{:02}", 20 + k, me), "PEN")
                    .with("client_transaction_id", json!(id));
                let (status, answer) = self.send("/pos/v1/transaction", &body).await;
                assert!(
                    status == 200 || (status == 409 && answer["code"] == "E905"),
                    "{id}: {status} {answer}"
                );
                if status == 200 {
                    self.seen.references.push((id, Self::reference(&answer)));
                }
            }
            40..=54 => {
                if let Some(t) = Pool::pick(&pool.charges, &mut self.rng) {
                    self.send("/pos/v1/transaction", &bodies::void(&t)).await;
                }
            }
            55..=69 => {
                if let Some(t) = Pool::pick(&pool.charges, &mut self.rng) {
                    self.send("/pos/v1/transaction", &bodies::reverse(&t)).await;
                }
            }
            70..=86 => {
                if let Some(t) = Pool::pick(&pool.charges, &mut self.rng) {
                    let part = self.rng.random_range(1..=minor(&t.amount));
                    let body = bodies::refund(&t, Some(&major(part)));
                    let (status, answer) = self.send("/pos/v1/refund", &body).await;
                    if Self::approved(status, &answer) {
                        self.seen.refunds.push((t.reference.clone(), part));
                    }
                }
            }
            _ => {
                if let Some(t) = Pool::pick(&pool.preauths, &mut self.rng) {
                    let part = self.rng.random_range(1..=minor(&t.amount));
                    self.send("/pos/v1/transaction", &bodies::capture(&t, &major(part)))
                        .await;
                }
            }
        }
    }
}

async fn race(base: String, pool: Arc<Pool>, done: Arc<AtomicUsize>, me: usize) -> Seen {
    let mut racer = Racer {
        base,
        http: http_client(),
        rng: StdRng::seed_from_u64(0x5eed_0000 + me as u64),
        seen: Seen::default(),
    };
    let mut own = Vec::new();
    for n in 0..ops_per_client() {
        racer.step(&pool, me, n, &mut own).await;
        done.fetch_add(1, Ordering::Relaxed);
    }
    racer.seen
}

/// Moves the clock while the clients run, through the admin API: a minute at a time on the
/// first day (so reverses of earlier transactions come into their window), then to the next
/// morning (refunds open; voids and reverses of the first day close).
async fn clock_mover(app: Arc<TestApp>, done: Arc<AtomicUsize>, total: usize) {
    let wait_for = |share: usize| {
        let done = done.clone();
        async move {
            while done.load(Ordering::Relaxed) * 10 < share * total {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
    };
    for share in 1..=5 {
        wait_for(share).await;
        app.advance(61).await;
    }
    wait_for(6).await;
    app.set_clock(&lima("2026-03-25", "10:00:00")).await;
}

#[test]
fn racing_clients_leave_a_consistent_ledger_and_one_journal_entry_per_request() {
    let rt = runtime();
    rt.block_on(async {
        let mut config = Config::manual_at(LIMA_MORNING.parse().unwrap());
        config.rules.delay_secs = 0;
        config.journal_capacity = 10_000_000;
        let app = Arc::new(spawn_app_with(config).await);
        let pool = Arc::new(Pool::default());
        let done = Arc::new(AtomicUsize::new(0));
        let total = CLIENTS * ops_per_client();
        let mover = tokio::spawn(clock_mover(app.clone(), done.clone(), total));
        let racers: Vec<_> = (0..CLIENTS)
            .map(|me| tokio::spawn(race(app.base.clone(), pool.clone(), done.clone(), me)))
            .collect();
        let mut seen = Vec::new();
        for r in racers {
            seen.push(r.await.expect("a client's expectations failed"));
        }
        mover.await.unwrap();
        verify_race(&app, &seen).await;
    });
}

/// The ledger invariants after the race, and the journal's completeness.
async fn verify_race(app: &TestApp, seen: &[Seen]) {
    let txns = app.transactions().await;
    let by_ref: HashMap<&str, &Value> = txns
        .iter()
        .map(|t| (t["transaction_reference"].as_str().unwrap(), t))
        .collect();
    let amount =
        |t: &Value| major_to_minor(t["amount"].as_str().unwrap().split(' ').next().unwrap());

    // Exactly one transaction per client_transaction_id (a reverse carries its original's id).
    let mut per_id: HashMap<&str, (usize, usize)> = HashMap::new();
    for t in &txns {
        let slot = per_id
            .entry(t["client_transaction_id"].as_str().unwrap())
            .or_default();
        if t["kind"] == "reverse" {
            slot.1 += 1;
        } else {
            slot.0 += 1;
        }
    }
    for (id, (records, reverses)) in &per_id {
        assert_eq!(
            *records, 1,
            "client_transaction_id {id}: {records} transactions"
        );
        assert!(
            *reverses <= 1,
            "client_transaction_id {id}: reversed {reverses} times"
        );
    }
    // Every client saw the same transaction for the same id, and the ledger holds it.
    let mut answered: HashMap<&str, &str> = HashMap::new();
    for (id, reference) in seen.iter().flat_map(|s| &s.references) {
        let first = *answered.entry(id.as_str()).or_insert(reference.as_str());
        assert_eq!(first, reference, "{id} answered two transactions");
        let t = by_ref
            .get(reference.as_str())
            .unwrap_or_else(|| panic!("{id}: {reference} is not in the ledger"));
        assert_eq!(t["client_transaction_id"], id.as_str());
    }

    // Children per original.
    let mut children: HashMap<&str, Vec<&Value>> = HashMap::new();
    for t in &txns {
        if let Some(parent) = t["parent"].as_str()
            && t["state"] != "declined"
        {
            children.entry(parent).or_default().push(t);
        }
    }
    let mut refunded_by_clients: HashMap<&str, i64> = HashMap::new();
    for (reference, part) in seen.iter().flat_map(|s| &s.refunds) {
        *refunded_by_clients.entry(reference.as_str()).or_default() += part;
    }
    let mut stats: BTreeMap<String, usize> = BTreeMap::new();
    for original in txns.iter().filter(|t| t["parent"].is_null()) {
        let reference = original["transaction_reference"].as_str().unwrap();
        let kids = children.get(reference).cloned().unwrap_or_default();
        let count = |kind: &str| kids.iter().filter(|k| k["kind"] == kind).count();
        let refunds: i64 = kids
            .iter()
            .filter(|k| k["kind"] == "refund")
            .map(|k| amount(k))
            .sum();
        let state = original["state"].as_str().unwrap();
        *stats
            .entry(format!("{} {state}", original["kind"].as_str().unwrap()))
            .or_default() += 1;
        let what = format!(
            "{} {reference} ({state}, children {kids:?})",
            original["kind"]
        );
        assert!(
            refunds <= amount(original),
            "refunds exceed the original: {what}"
        );
        assert_eq!(
            refunds,
            refunded_by_clients.get(reference).copied().unwrap_or(0),
            "the ledger's refunds differ from the approvals the clients got: {what}"
        );
        assert!(
            count("void") <= 1 && count("reverse") <= 1 && count("capture") <= 1,
            "{what}"
        );
        let undone = count("void") + count("reverse") + usize::from(refunds > 0);
        assert!(
            undone <= 1,
            "voided, reversed and refunded are exclusive: {what}"
        );
        match state {
            "voided" => assert_eq!(count("void"), 1, "{what}"),
            "reversed" => assert_eq!(count("reverse"), 1, "{what}"),
            "refunded" => assert_eq!(refunds, amount(original), "{what}"),
            "approved" => assert_eq!(
                original["undone_minor"].as_i64().unwrap(),
                refunds,
                "{what}"
            ),
            "captured" => assert_eq!(count("capture"), 1, "{what}"),
            "authorized" => assert_eq!(count("capture"), 0, "{what}"),
            _ => {}
        }
    }

    // One journal entry per request, with the status the client got. Read in process: at the
    // full scale the masked JSON of 64,000 entries takes longer to build than a client waits.
    let exchanges = app.acquirer.state().journal.exchanges();
    let raw: Vec<_> = exchanges.iter().filter(|e| e.hop == "acquirer").collect();
    let sent: usize = seen.iter().map(|s| s.sent).sum();
    assert_eq!(raw.len(), sent, "journal entries vs requests sent");
    let mut journaled: BTreeMap<u16, usize> = BTreeMap::new();
    for e in &raw {
        *journaled.entry(e.status).or_default() += 1;
    }
    let mut answered_statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for (status, n) in seen.iter().flat_map(|s| &s.statuses) {
        *answered_statuses.entry(*status).or_default() += n;
    }
    assert_eq!(
        journaled, answered_statuses,
        "statuses journaled vs answered"
    );
    eprintln!(
        "race: {CLIENTS} clients x {} ops, {sent} requests, statuses {answered_statuses:?}, originals {stats:?}",
        ops_per_client()
    );
}

#[tokio::test]
async fn every_operation_is_answered_at_the_clocks_extremes() {
    // The default 20 s "approved with delay" wait is kept: deadlines near the end of time must
    // not overflow (they did: `now + 20 s` panicked in the handler).
    let app = spawn_app_with(Config::manual_at(LIMA_MORNING.parse().unwrap())).await;
    let clock = |body: Value| app.admin("POST", "/__admin/clock", Some(body));
    for at in [
        "9999-12-30T21:59:50Z",
        "1970-01-01T00:00:00Z",
        "2026-03-24T15:00:00Z",
    ] {
        let (status, body) = clock(json!({"set": at})).await;
        assert_eq!(status, 200, "set {at}: {body}");
        let charge = app.charge("100.00", "PEN").await;
        let delayed = app.spawn_transaction(bodies::charge("74.00", "PEN"));
        app.wait_in_ledger(delayed_id(&app, "74.00").await.as_str(), 1)
            .await;
        // The end of time releases every wait.
        let (status, body) = clock(json!({"set": jiff::Timestamp::MAX.to_string()})).await;
        assert_eq!(status, 200, "set the end of time: {body}");
        let delayed = tokio::time::timeout(Duration::from_secs(5), delayed)
            .await
            .unwrap_or_else(|_| panic!("the delayed charge at {at} never ended"))
            .expect("the delayed charge's task");
        assert!(delayed.status < 500, "{at}: {}", delayed.body);
        if charge.status == 200 && charge.body["transaction_status"] == "APPROVAL" {
            let txn = charge.txn();
            for answer in [
                app.reverse(&txn).await,
                app.void(&txn).await,
                app.refund(&txn, Some("1.00")).await,
            ] {
                assert!(answer.status < 500, "{at}: {}", answer.body);
            }
        }
        let items = app.search(json!({"page": 1, "size": 5})).await;
        assert!(
            !items.is_empty(),
            "{at}: the search still lists transactions"
        );
        healthy(&app, at).await;
    }
    // Times the wire cannot carry are refused, naming the field.
    for (body, field) in [
        (json!({"set": "1969-12-31T23:59:59Z"}), "set"),
        (json!({"set": "-009999-01-03T00:00:00Z"}), "set"),
        (json!({"advance_seconds": i64::MAX}), "advance_seconds"),
        (json!({"advance_seconds": i64::MIN}), "advance_seconds"),
    ] {
        let (status, answer) = clock(body.clone()).await;
        assert_eq!(
            (status, answer["error"]["field"].as_str()),
            (400, Some(field)),
            "{body}: {answer}"
        );
    }
}

/// The `client_transaction_id` of the newest ledger record of `total` PEN.
async fn delayed_id(app: &TestApp, total: &str) -> String {
    for _ in 0..200 {
        if let Some(t) = app
            .transactions()
            .await
            .into_iter()
            .rev()
            .find(|t| t["amount"] == format!("{total} PEN"))
        {
            return t["client_transaction_id"].as_str().unwrap().to_string();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no {total} PEN transaction reached the ledger");
}
