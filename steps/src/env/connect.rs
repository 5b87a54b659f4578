//! Kushki ONE Connect as a POS calls it (ref §1.2, §1.5): an operation, routed for the target's
//! topology, sealed with the terminal's credentials, sent, its answer decrypted and checked against
//! the schema of that operation. Tampering scenarios change the sealed request through one hook
//! ([`ConnectCall::tamper`]) instead of sealing and sending by hand.

use kushki_protocol::auth::{self, Credentials};
use kushki_protocol::connect::ConnectOperation;
use kushki_protocol::schemas::SchemaKind;
use serde_json::{Value, json};

use super::{Answer, Env};
use crate::target::Topology;

/// What a Connect request asks the terminal for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connect {
    /// An operation of ref §1.4.
    Operation(ConnectOperation),
    /// A print job (ref §1.8).
    Print,
    /// The state of a print job, by its id (H9).
    PrintJob(String),
}

impl Connect {
    /// The route's last segments (`charge`, `print_job?print_job_id=…`).
    fn segment(&self) -> String {
        match self {
            Connect::Operation(op) => op.as_str().to_string(),
            Connect::Print => "print".into(),
            Connect::PrintJob(id) => format!("print_job?print_job_id={id}"),
        }
    }

    /// The method a POS uses: GET for the bodyless requests (abort off the cloud, ref §1.2; a print
    /// job's state, H9), POST otherwise.
    fn method(&self, topology: Topology) -> Method {
        match self {
            Connect::Operation(ConnectOperation::Abort) if topology != Topology::Cloud => {
                Method::Get
            }
            Connect::PrintJob(_) => Method::Get,
            _ => Method::Post,
        }
    }

    /// The schemas an answer with `status` may follow: a success its operation's (or, as the
    /// terminal answers a cancel at the reader with HTTP 200, a link failure); every refusal a
    /// link failure (`connect/error.json`).
    fn schemas(&self, status: u16, asynchronous: bool) -> &'static [SchemaKind] {
        use ConnectOperation as Op;
        use SchemaKind::*;
        match (status, self) {
            (0, _) => &[],
            (200..=299, Connect::Print | Connect::PrintJob(_)) => &[ConnectPrintJobResponse],
            (200..=299, Connect::Operation(Op::Abort)) => &[ConnectAbortResponse],
            (
                200..=299,
                Connect::Operation(Op::TransactionSearchLocal | Op::TransactionSearchOnline),
            ) => &[ConnectSearchResponse],
            (200..=299, _) if asynchronous => &[ConnectEvent],
            (200..=299, _) => &[ConnectOperationResponse, ConnectLinkFailure],
            _ => &[ConnectLinkFailure],
        }
    }
}

/// An HTTP method of the Connect API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`, bodyless.
    Get,
    /// `POST`, with the sealed body.
    Post,
}

/// A sealed request as it goes on the wire; a tampering step changes it before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The `timestamp` header.
    pub timestamp: Option<String>,
    /// The body (`{"data":"…"}`), absent on a GET.
    pub body: Option<String>,
}

/// A change to a sealed request (a tampering scenario's).
pub type Tamper = Box<dyn FnOnce(&mut Sealed) + Send>;

/// A Connect call being prepared: [`Env::connect`], then options, then [`ConnectCall::send`].
#[must_use = "a call does nothing until sent"]
pub struct ConnectCall<'e> {
    env: &'e mut Env,
    what: Connect,
    payload: Value,
    asynchronous: bool,
    method: Option<Method>,
    route: Option<String>,
    signer: Option<Credentials>,
    skew: i64,
    tamper: Option<Tamper>,
}

impl Env {
    /// A Connect call of `what` with the plaintext `payload` (`{}` for a bodyless request).
    pub fn connect(&mut self, what: Connect, payload: Value) -> ConnectCall<'_> {
        ConnectCall {
            env: self,
            what,
            payload,
            asynchronous: false,
            method: None,
            route: None,
            signer: None,
            skew: 0,
            tamper: None,
        }
    }

    /// The route of `segment` for this topology: `async/…` when asynchronous, `sync/…` in the
    /// cloud, bare on LAN and localhost (ref §1.2).
    fn connect_route(&self, segment: &str, asynchronous: bool) -> String {
        match (self.topology, asynchronous) {
            (_, true) => format!("async/{segment}"),
            (Topology::Cloud, false) => format!("sync/{segment}"),
            _ => segment.to_string(),
        }
    }
}

impl ConnectCall<'_> {
    /// On the asynchronous route when `yes` (ref §1.3).
    pub fn asynchronous(mut self, yes: bool) -> Self {
        self.asynchronous = yes;
        self
    }

    /// With this method instead of the one a POS uses.
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// On a route a scenario names (`sync/charge`), relative to the terminal's base.
    pub fn on_route(mut self, route: &str) -> Self {
        self.route = Some(route.to_string());
        self
    }

    /// Signed with other credentials; in the cloud, addressed to their serial.
    pub fn signed_by(mut self, creds: Credentials) -> Self {
        self.signer = Some(creds);
        self
    }

    /// Signed (and stamped) `secs` away from the terminal's clock.
    pub fn skewed(mut self, secs: i64) -> Self {
        self.skew = secs;
        self
    }

    /// Changes the sealed request before it is sent.
    pub fn tamper(mut self, f: impl FnOnce(&mut Sealed) + Send + 'static) -> Self {
        self.tamper = Some(Box::new(f));
        self
    }

    /// Seals, sends, decrypts with the timestamp the request carried, checks the answer's schema
    /// and keeps the exchange as evidence.
    pub async fn send(self) -> Answer {
        let ConnectCall {
            env,
            what,
            payload,
            asynchronous,
            method,
            route,
            signer,
            skew,
            tamper,
        } = self;
        let ts = env.now().await.as_second() + skew;
        let creds = signer.unwrap_or_else(|| env.creds.clone());
        let sealed =
            auth::seal_request(&creds, ts, &payload.to_string()).expect("a JSON object payload");
        let method = method.unwrap_or_else(|| what.method(env.topology));
        let mut request = Sealed {
            authorization: Some(sealed.authorization),
            timestamp: Some(sealed.timestamp),
            body: (method == Method::Post).then_some(sealed.body),
        };
        if let Some(tamper) = tamper {
            tamper(&mut request);
        }
        let answer_ts = request
            .timestamp
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(ts);
        let route = route.unwrap_or_else(|| env.connect_route(&what.segment(), asynchronous));
        let answer = env
            .connect_send(&creds, &route, method, request, answer_ts)
            .await;
        answer.assert_one_of(what.schemas(answer.status, asynchronous));
        env.record(&answer.label.clone(), &payload, &answer);
        answer
    }
}

impl Env {
    /// Sends a sealed request to `route` of the terminal `creds` names; the answer is decrypted
    /// with `ts` when it comes encrypted.
    async fn connect_send(
        &mut self,
        creds: &Credentials,
        route: &str,
        method: Method,
        request: Sealed,
        ts: i64,
    ) -> Answer {
        let mut base = self
            .connect_base
            .clone()
            .expect("this target has no Connect API (use a terminal target)");
        // In the cloud the path names the terminal (ref §1.2).
        if self.topology == Topology::Cloud && creds.terminal_serial != self.creds.terminal_serial {
            base = base
                .strip_suffix(self.creds.terminal_serial.as_str())
                .map(|relay| format!("{relay}{}", creds.terminal_serial))
                .expect("a cloud base ends with the serial");
        }
        let url = format!("{base}/{route}");
        let mut req = match method {
            Method::Get => self.http.get(&url),
            Method::Post => self.http.post(&url),
        };
        if let Some(a) = request.authorization {
            req = req.header("Authorization", a);
        }
        if let Some(t) = request.timestamp {
            req = req.header("timestamp", t);
        }
        if let Some(b) = request.body {
            req = req.header("content-type", "application/json").body(b);
        }
        let method = match method {
            Method::Get => "GET",
            Method::Post => "POST",
        };
        let label = format!(
            "{method} /terminal/v1/{route} via {}",
            self.topology.as_str()
        );
        let (status, value) = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                (
                    status,
                    serde_json::from_str(&text).unwrap_or(Value::String(text)),
                )
            }
            Err(e) => (0, json!({"connection_error": e.to_string()})),
        };
        let Some(data) = value.get("data").and_then(Value::as_str) else {
            return Answer {
                label,
                status,
                body: value,
                encrypted: false,
            };
        };
        let clear = auth::decrypt(&self.creds, ts, data)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_else(|| {
                panic!("the answer to {label} does not decrypt with the request's timestamp")
            });
        Answer {
            label,
            status,
            body: serde_json::from_str(&clear).unwrap_or(Value::String(clear)),
            encrypted: true,
        }
    }
}
