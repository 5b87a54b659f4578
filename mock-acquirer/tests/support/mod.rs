//! What every test of the `api` binary shares: [`spawn_app`] starts the real acquirer on port 0
//! with a manual clock and returns a [`TestApp`], a typed client for the raw API and the admin API
//! that validates every raw answer against its schema before a test sees it.

#![allow(dead_code)] // Each test module uses its own part of the helpers.

pub mod bodies;
pub mod receiver;

use std::time::Duration;

use bytes::Bytes;
use jiff::Timestamp;
use kushki_protocol::schemas::{self, SchemaKind};
use mock_acquirer::{Config, DEFAULT_CREDENTIAL, RunningAcquirer};
use serde_json::{Value, json};

pub use bodies::Txn;

/// 10:00 in Lima (UTC-5) on an ordinary Tuesday: far from any cut-off.
pub const LIMA_MORNING: &str = "2026-03-24T15:00:00Z";

/// The instant of a local time in Lima, as RFC 3339 UTC (`lima("2026-03-24", "23:59:00")` is
/// `2026-03-25T04:59:00Z`).
pub fn lima(date: &str, time: &str) -> String {
    let zoned: jiff::Zoned = format!("{date}T{time}[America/Lima]")
        .parse()
        .unwrap_or_else(|e| panic!("bad Lima time {date} {time}: {e}"));
    zoned.timestamp().to_string()
}

/// A started acquirer and a client for it.
pub struct TestApp {
    /// The acquirer (stopped when the test ends).
    pub acquirer: RunningAcquirer,
    /// `http://ADDR`.
    pub base: String,
    /// The HTTP client.
    pub http: reqwest::Client,
}

/// The `mock-acquirer` binary started on port 0 with a manual clock at [`LIMA_MORNING`], its
/// journal file at `journal`, and `extra` flags.
pub struct Binary {
    /// The process (killed when dropped).
    pub child: tokio::process::Child,
    /// `http://127.0.0.1:PORT`, from the first line it prints.
    pub base: String,
}

/// Starts [`Binary`]; panics unless it prints `mock-acquirer listening on http://ADDR` first,
/// within 10 s.
pub async fn spawn_binary(journal: &std::path::Path, extra: &[&str]) -> Binary {
    use tokio::io::AsyncBufReadExt as _;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_mock-acquirer"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--clock",
            "manual",
            "--start-time",
            LIMA_MORNING,
        ])
        .args(extra)
        .arg("--journal")
        .arg(journal)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("start the mock-acquirer binary");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("the binary prints its address within 10 s")
        .expect("read stdout")
        .expect("a first line");
    let base = first
        .strip_prefix("mock-acquirer listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    // The rest of its output is read by a task of its own until the process ends, so that later
    // prints always find a reader, whatever the caller keeps of `Binary` (a broken pipe would
    // kill the binary).
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Binary { child, base }
}

/// A reqwest client (rustls needs its provider installed first, DESIGN.md pitfalls).
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("reqwest client")
}

/// Starts the acquirer on port 0 with a manual clock at `start` (RFC 3339).
pub async fn spawn_app(start: &str) -> TestApp {
    let start: Timestamp = start.parse().expect("start time");
    spawn_app_with(Config::manual_at(start)).await
}

/// Starts the acquirer with an explicit configuration (its `listen` should keep port 0).
pub async fn spawn_app_with(config: Config) -> TestApp {
    let acquirer = mock_acquirer::spawn(config)
        .await
        .expect("the acquirer starts on port 0");
    TestApp {
        base: acquirer.uri(),
        acquirer,
        http: http_client(),
    }
}

/// How to send a raw request.
#[derive(Debug, Clone)]
pub struct Opts {
    /// `Content-Type`, if any.
    pub content_type: Option<&'static str>,
    /// `Private-Credential-Id`, if any.
    pub credential: Option<String>,
    /// A per-request timeout.
    pub timeout: Option<Duration>,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            content_type: Some("application/json"),
            credential: Some(DEFAULT_CREDENTIAL.to_string()),
            timeout: None,
        }
    }
}

/// One answer of the raw API, already checked against its schema.
#[derive(Debug, Clone)]
pub struct Answer {
    /// What was sent, for messages (`POST /pos/v1/transaction Void charge`).
    pub what: String,
    /// The request body (Null when the test sent raw bytes).
    pub request: Value,
    /// HTTP status.
    pub status: u16,
    /// The body exactly as received.
    pub bytes: Bytes,
    /// The body parsed.
    pub body: Value,
}

impl Answer {
    /// `transaction_reference` of a 200 answer.
    pub fn reference(&self) -> String {
        self.body["transaction_reference"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no transaction_reference in {}", self.what, self.body))
            .to_string()
    }

    /// `details.Message` of an error answer.
    pub fn details(&self) -> String {
        self.body["details"]["Message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Asserts an approval (200, `APPROVAL`, F39 `00`) and returns the answer.
    #[track_caller]
    pub fn approved(self, rule: &str) -> Answer {
        assert!(
            self.status == 200 && self.body["transaction_status"] == "APPROVAL",
            "{rule}: expected 200 APPROVAL for {}, got HTTP {} {}",
            self.what,
            self.status,
            self.body
        );
        assert_eq!(
            self.body["message_fields"]["F39"], "00",
            "{rule}: an approval carries F39 00; {}",
            self.body
        );
        self
    }

    /// Asserts an issuer decline with ISO code `f39` (200, `DECLINED`).
    #[track_caller]
    pub fn declined(self, f39: &str, rule: &str) -> Answer {
        assert!(
            self.status == 200 && self.body["transaction_status"] == "DECLINED",
            "{rule}: expected 200 DECLINED (F39 {f39}) for {}, got HTTP {} {}",
            self.what,
            self.status,
            self.body
        );
        assert_eq!(
            self.body["message_fields"]["F39"], f39,
            "{rule}: F39 of the decline; {}",
            self.body
        );
        assert_eq!(
            self.body["kushki_response"]["code"], f39,
            "{rule}: kushki_response.code of the decline; {}",
            self.body
        );
        self
    }

    /// Asserts a refusal with `status` and raw error `code`.
    #[track_caller]
    pub fn refused(self, status: u16, code: &str, rule: &str) -> Answer {
        assert!(
            self.status == status && self.body["code"] == code,
            "{rule}: expected HTTP {status} {code} for {}, got HTTP {} {}",
            self.what,
            self.status,
            self.body
        );
        self
    }

    /// Asserts an E001 (400) whose `details.Message` names `field`.
    #[track_caller]
    pub fn invalid_naming(self, field: &str, rule: &str) -> Answer {
        let answer = self.refused(400, "E001", rule);
        assert!(
            answer.details().contains(field),
            "{rule}: details.Message should name `{field}`; got {}",
            answer.body
        );
        answer
    }

    /// The transaction this answer created, for follow-ups.
    pub fn txn(&self) -> Txn {
        Txn::from_answer(self)
    }
}

/// Validates a raw API answer against the schema its status calls for.
#[track_caller]
pub fn check_schema(what: &str, path: &str, status: u16, body: &Value) {
    let kind = match status {
        200 if path.contains("search") => SchemaKind::RawSearchResponse,
        200 => SchemaKind::RawTransactionResponse,
        401 => SchemaKind::RawUnauthorized,
        _ => SchemaKind::RawError,
    };
    if let Err(v) = schemas::validate(kind, body) {
        panic!(
            "{what}: the HTTP {status} answer breaks {kind}: {}\nbody: {body}",
            schemas::violations_message(&v)
        );
    }
}

impl TestApp {
    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends bytes to a raw route, returning the transport error if there is one.
    pub async fn try_send(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
        opts: Opts,
    ) -> Result<(u16, Bytes), reqwest::Error> {
        let mut req = self.http.post(self.url(path)).body(body);
        if let Some(ct) = opts.content_type {
            req = req.header("content-type", ct);
        }
        if let Some(c) = &opts.credential {
            req = req.header("Private-Credential-Id", c);
        }
        if let Some(t) = opts.timeout {
            req = req.timeout(t);
        }
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        Ok((status, bytes))
    }

    /// Sends bytes to a raw route and checks the answer: JSON, valid against its schema, and
    /// never a 5xx (no client input may cause one).
    pub async fn send(&self, path: &str, body: impl Into<reqwest::Body>, opts: Opts) -> Answer {
        let what = format!("POST {path}");
        let (status, bytes) = self
            .try_send(path, body, opts)
            .await
            .unwrap_or_else(|e| panic!("{what}: no answer: {e}"));
        let answer = parse_answer(what, Value::Null, status, bytes);
        assert!(
            answer.status < 500,
            "{}: a client's request must never get a 5xx; got {} {}",
            answer.what,
            answer.status,
            answer.body
        );
        answer
    }

    /// Posts a JSON body to a raw route with the default credential.
    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        let mut answer = self.send(path, body.to_string(), Opts::default()).await;
        answer.what = format!("POST {path} {}", describe(body));
        answer.request = body.clone();
        answer
    }

    /// `POST /pos/v1/transaction`.
    pub async fn transaction(&self, body: &Value) -> Answer {
        self.post("/pos/v1/transaction", body).await
    }

    /// `POST /pos/v1/refund`.
    pub async fn refund_with(&self, body: &Value) -> Answer {
        self.post("/pos/v1/refund", body).await
    }

    /// `POST /pos-analytics/v1/transactions/search`; returns the items.
    pub async fn search(&self, body: Value) -> Vec<Value> {
        let answer = self
            .post("/pos-analytics/v1/transactions/search", &body)
            .await;
        assert_eq!(answer.status, 200, "search {body}: {}", answer.body);
        answer.body["items"].as_array().cloned().unwrap_or_default()
    }

    /// A card charge (ICC) of `total` in `currency`.
    pub async fn charge(&self, total: &str, currency: &str) -> Answer {
        self.transaction(&bodies::charge(total, currency)).await
    }

    /// A charge that must be approved.
    pub async fn charge_ok(&self, total: &str, currency: &str) -> Txn {
        self.charge(total, currency)
            .await
            .approved("an ordinary charge is approved")
            .txn()
    }

    /// A preAuth that must be approved.
    pub async fn preauth_ok(&self, total: &str, currency: &str) -> Txn {
        self.transaction(&bodies::preauth(total, currency))
            .await
            .approved("an ordinary preAuth is approved")
            .txn()
    }

    /// A full void of `txn`.
    pub async fn void(&self, txn: &Txn) -> Answer {
        self.transaction(&bodies::void(txn)).await
    }

    /// A reverse of `txn` (by its `client_transaction_id`).
    pub async fn reverse(&self, txn: &Txn) -> Answer {
        self.transaction(&bodies::reverse(txn)).await
    }

    /// A refund of `txn`, total when `amount` is None.
    pub async fn refund(&self, txn: &Txn, amount: Option<&str>) -> Answer {
        self.refund_with(&bodies::refund(txn, amount)).await
    }

    /// Sends `POST /pos/v1/transaction` in a task, for answers that wait on the clock.
    pub fn spawn_transaction(&self, body: Value) -> tokio::task::JoinHandle<Answer> {
        let http = self.http.clone();
        let url = self.url("/pos/v1/transaction");
        tokio::spawn(async move {
            let what = format!("POST /pos/v1/transaction {}", describe(&body));
            let resp = http
                .post(url)
                .header("content-type", "application/json")
                .header("Private-Credential-Id", DEFAULT_CREDENTIAL)
                .body(body.to_string())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{what}: no answer: {e}"));
            let status = resp.status().as_u16();
            let bytes = resp.bytes().await.expect("answer body");
            parse_answer(what, body, status, bytes)
        })
    }

    /// Waits until the ledger holds a record created with `client_id` (up to 2 s in 10 ms
    /// steps): the request reached the rules and, if its answer is delayed, is now waiting.
    pub async fn wait_in_ledger(&self, client_id: &str, count: usize) {
        for _ in 0..200 {
            let n = self
                .transactions()
                .await
                .iter()
                .filter(|t| t["client_transaction_id"] == client_id)
                .count();
            if n >= count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no ledger record for client_transaction_id {client_id} within 2 s");
    }

    // ----------------------------------------------------------------------------------------
    // Admin API
    // ----------------------------------------------------------------------------------------

    /// Any admin call: (status, JSON body or Null when empty).
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method: reqwest::Method = method.parse().expect("method");
        let mut req = self.http.request(method.clone(), self.url(path));
        if let Some(b) = body {
            req = req
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.expect("admin body");
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                panic!(
                    "{method} {path}: the admin answer is not JSON ({e}): {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        (status, value)
    }

    /// Moves the clock forward through `POST /__admin/clock`.
    pub async fn advance(&self, secs: i64) -> Value {
        let (status, body) = self
            .admin(
                "POST",
                "/__admin/clock",
                Some(json!({ "advance_seconds": secs })),
            )
            .await;
        assert_eq!(status, 200, "advance the clock {secs} s: {body}");
        body
    }

    /// Sets the clock through `POST /__admin/clock`.
    pub async fn set_clock(&self, rfc3339: &str) -> Value {
        let (status, body) = self
            .admin("POST", "/__admin/clock", Some(json!({ "set": rfc3339 })))
            .await;
        assert_eq!(status, 200, "set the clock to {rfc3339}: {body}");
        body
    }

    /// Adds a behaviour (201).
    pub async fn behaviour(&self, behaviour: Value) -> Value {
        let (status, body) = self
            .admin("POST", "/__admin/behaviours", Some(behaviour.clone()))
            .await;
        assert_eq!(status, 201, "add behaviour {behaviour}: {body}");
        body
    }

    /// The journal entries, oldest first.
    pub async fn journal(&self) -> Vec<Value> {
        let (status, body) = self.admin("GET", "/__admin/journal", None).await;
        assert_eq!(status, 200, "GET /__admin/journal: {body}");
        body["entries"].as_array().cloned().unwrap_or_default()
    }

    /// The journal entries of one hop (`"webhook"`, `"acquirer"`), oldest first.
    pub async fn journal_of(&self, hop: &str) -> Vec<Value> {
        let mut entries = self.journal().await;
        entries.retain(|e| e["hop"] == hop);
        entries
    }

    /// The ledger as `GET /__admin/transactions` shows it.
    pub async fn transactions(&self) -> Vec<Value> {
        let (status, body) = self.admin("GET", "/__admin/transactions", None).await;
        assert_eq!(status, 200, "GET /__admin/transactions: {body}");
        body["transactions"].as_array().cloned().unwrap_or_default()
    }

    /// Polls the journal until an entry satisfies `pred` (up to 2 s in 10 ms steps).
    pub async fn wait_for_entry(&self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..200 {
            if let Some(e) = self.journal().await.into_iter().find(|e| pred(e)) {
                return e;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "no journal entry {what} within 2 s; journal: {}",
            serde_json::to_string_pretty(&self.journal().await).unwrap_or_default()
        );
    }
}

fn parse_answer(what: String, request: Value, status: u16, bytes: Bytes) -> Answer {
    let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{what}: HTTP {status} answer is not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    let path = what
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    check_schema(&what, &path, status, &body);
    Answer {
        what,
        request,
        status,
        bytes,
        body,
    }
}

/// `Void charge 100.00 PEN` for messages.
fn describe(body: &Value) -> String {
    let amount = &body["amount"];
    format!(
        "{} {} {} {}",
        body["transaction_mode"].as_str().unwrap_or(""),
        body["transaction_type"].as_str().unwrap_or(""),
        amount["subtotal_iva0"],
        amount["currency"].as_str().unwrap_or("")
    )
}
