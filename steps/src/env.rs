//! A scenario's environment: the implementation under test, reached through its target, with a
//! client for each API. Embedded mocks are started per scenario on port 0 and share one manual
//! clock; remote targets are reached as configured. Every answer's raw JSON is checked against
//! `schemas/` before a step reads it, and every exchange is kept, masked, as evidence.

use std::collections::HashSet;
use std::time::Duration;

use jiff::Timestamp;
use kushki_protocol::auth::{self, Credentials};
use kushki_protocol::mask::mask_json;
use kushki_protocol::raw::Country;
use kushki_protocol::schemas::{self, SchemaKind};
use mock_acquirer::RunningAcquirer;
use mock_terminal::RunningTerminal;
use serde_json::{Value, json};

use crate::target::{Capability, Target, Topology};

/// Where embedded scenarios start: 10:00 in Lima on a Tuesday (harness-defined).
pub const EMBEDDED_START: &str = "2026-03-24T15:00:00Z";
/// Serial of the embedded terminal.
pub const EMBEDDED_SERIAL: &str = "PB04209860189";
/// Business-Code of the embedded terminal.
pub const EMBEDDED_BUSINESS_CODE: &str = "BC-CONFORMANCE-0001";

/// A step's way of saying the scenario cannot run against this target (a capability or a
/// market it lacks): raised with [`skip`], reported as skipped with the reason, never as passed
/// or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip(pub String);

/// Ends the scenario as skipped, with the reason.
pub fn skip(reason: impl Into<String>) -> ! {
    std::panic::panic_any(Skip(reason.into()))
}

/// Which mock an admin call is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mock {
    /// The acquirer (raw API, relay).
    Acquirer,
    /// The terminal.
    Terminal,
}

/// An answer as a step sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// What was asked (`POST /pos/v1/transaction`), for assertion messages.
    pub label: String,
    /// HTTP status (0 when the connection broke).
    pub status: u16,
    /// The body, decrypted when it came encrypted.
    pub body: Value,
    /// Whether it came encrypted.
    pub encrypted: bool,
}

impl Answer {
    /// Checks the body against a schema, listing every violation with its pointer.
    pub fn assert_schema(&self, kind: SchemaKind) {
        if let Err(v) = schemas::validate(kind, &self.body) {
            panic!(
                "schema: the answer to {} (HTTP {}) breaks {}:\n  {}\nbody: {}",
                self.label,
                self.status,
                kind.path(),
                v.iter()
                    .map(|x| x.to_string())
                    .collect::<Vec<_>>()
                    .join("\n  "),
                self.body
            );
        }
    }

    /// A string field by JSON pointer, or "".
    pub fn text(&self, pointer: &str) -> String {
        match self.body.pointer(pointer) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }
}

/// The environment of one scenario.
#[derive(Debug)]
pub struct Env {
    /// The topology it runs on.
    pub topology: Topology,
    /// The market of its terminal and default currency.
    pub market: Country,
    http: reqwest::Client,
    raw_base: Option<String>,
    credential: String,
    connect_base: Option<String>,
    creds: Credentials,
    acquirer_admin: Option<String>,
    terminal_admin: Option<String>,
    capabilities: HashSet<Capability>,
    embedded: Option<(RunningAcquirer, Option<RunningTerminal>)>,
    remote_market: Option<Country>,
    /// Every exchange, masked, in order.
    pub evidence: Vec<Value>,
}

static EXTRA_CA: std::sync::OnceLock<Option<reqwest::Certificate>> = std::sync::OnceLock::new();

/// Trusts this CA certificate (PEM) for HTTPS targets, besides the system's roots (`run
/// --ca-cert`). Without a call, the file named by `KUSHKI_CA_CERT` is trusted, if any.
pub fn trust_ca(pem: &[u8]) -> Result<(), String> {
    let ca =
        reqwest::Certificate::from_pem(pem).map_err(|e| format!("not a PEM certificate: {e}"))?;
    EXTRA_CA
        .set(Some(ca))
        .map_err(|_| "a CA is already trusted".to_string())
}

/// The extra CA, decided once.
fn extra_ca() -> Option<&'static reqwest::Certificate> {
    EXTRA_CA
        .get_or_init(|| {
            let path = env_var("KUSHKI_CA_CERT")?;
            let pem = std::fs::read(&path).unwrap_or_else(|e| panic!("KUSHKI_CA_CERT {path}: {e}"));
            Some(
                reqwest::Certificate::from_pem(&pem).unwrap_or_else(|e| {
                    panic!("KUSHKI_CA_CERT {path}: not a PEM certificate: {e}")
                }),
            )
        })
        .as_ref()
}

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .connect_timeout(Duration::from_secs(5));
    if let Some(ca) = extra_ca() {
        builder = builder.add_root_certificate(ca.clone());
    }
    builder.build().expect("an HTTP client")
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Env {
    /// Starts (embedded) or reaches (remote) the implementation for `topology`.
    pub async fn start(
        target: &Target,
        topology: Topology,
        market: Country,
        serial: Option<&str>,
    ) -> Result<Env, String> {
        let http = client();
        let mut env = Env {
            topology,
            market,
            http,
            raw_base: None,
            // A remote target's credentials default to the mocks' own defaults (`serve`, the
            // image), so the suite runs against them with no configuration.
            credential: env_var("KUSHKI_PRIVATE_CREDENTIAL_ID")
                .unwrap_or_else(|| mock_acquirer::DEFAULT_CREDENTIAL.to_string()),
            connect_base: None,
            creds: Credentials::new(
                &env_var("KUSHKI_BUSINESS_CODE")
                    .unwrap_or_else(|| mock_terminal::config::DEFAULT_BUSINESS_CODE.into()),
                serial
                    .or(env_var("KUSHKI_SERIAL").as_deref())
                    .unwrap_or(mock_terminal::config::DEFAULT_SERIAL),
            ),
            acquirer_admin: None,
            terminal_admin: None,
            capabilities: HashSet::new(),
            embedded: None,
            remote_market: None,
            evidence: Vec::new(),
        };
        match target {
            Target::Mock => env.start_embedded(topology, market).await?,
            // The admin API of the mock behind the one the target names is reached through it:
            // a terminal forwards `/__admin/acquirer/…` to its acquirer, the relay forwards
            // `/__admin/terminals/{serial}/…` over the terminal's link. So a suite needs no
            // second address, whatever network the two live on.
            Target::Acquirer(url) => {
                env.raw_base = Some(url.clone());
                env.acquirer_admin = Some(url.clone());
            }
            Target::Lan(base) => {
                let base = base.clone();
                env.connect_base = Some(format!("{base}/terminal/v1"));
                env.acquirer_admin = Some(format!("{base}/__admin/acquirer"));
                env.terminal_admin = Some(base);
            }
            Target::Localhost(port) => {
                let base = format!("http://127.0.0.1:{port}");
                env.connect_base = Some(format!("{base}/terminal/v1"));
                env.acquirer_admin = Some(format!("{base}/__admin/acquirer"));
                env.terminal_admin = Some(base);
            }
            Target::Cloud(base) => {
                let serial = env.creds.terminal_serial.clone();
                env.connect_base = Some(format!("{base}/terminal/v1/{serial}"));
                env.terminal_admin = Some(format!("{base}/__admin/terminals/{serial}"));
                env.acquirer_admin = Some(base.clone());
            }
        }
        if env.embedded.is_none() {
            // A remote target that answers the admin API is one of these mocks: it has every
            // capability, and each scenario starts it afresh. A real device or Kushki's UAT has
            // none.
            let probe = match topology {
                Topology::Cloud | Topology::Acquirer => env.acquirer_admin.clone(),
                _ => env.terminal_admin.clone(),
            };
            let is_mock = match probe {
                Some(base) => env
                    .http
                    .get(format!("{base}/__admin/health"))
                    .timeout(Duration::from_secs(3))
                    .send()
                    .await
                    .ok()
                    .filter(|r| r.status().is_success())
                    .is_some(),
                None => false,
            };
            if is_mock {
                env.capabilities.extend(Capability::ALL);
                env.start_remote_mock().await?;
            } else {
                env.acquirer_admin = None;
                env.terminal_admin = None;
            }
        }
        Ok(env)
    }

    /// A remote mock, as each embedded scenario finds its own (harness-defined): its state reset,
    /// any command still in progress ended, and its clock at [`EMBEDDED_START`]. Scenarios run one
    /// at a time against a remote target (it has one reader and one clock), so this isolates
    /// them as the embedded run does.
    async fn start_remote_mock(&mut self) -> Result<(), String> {
        if self.topology == Topology::Cloud {
            self.wait_for_link().await?;
        }
        let bases: Vec<String> = [&self.terminal_admin, &self.acquirer_admin]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        for base in &bases {
            let answer = self
                .http
                .post(format!("{base}/__admin/reset"))
                .send()
                .await
                .map_err(|e| format!("cannot reset {base}: {e}"))?;
            if !answer.status().is_success() {
                return Err(format!(
                    "{base}/__admin/reset answered {} (a cloud target needs the terminal linked to the relay)",
                    answer.status()
                ));
            }
        }
        if let Some(base) = self.terminal_admin.clone() {
            // A reset ends the command in progress; the terminal is free once its flow has
            // unwound.
            let idle = async {
                loop {
                    let view: Value = match self
                        .http
                        .get(format!("{base}/__admin/terminal"))
                        .send()
                        .await
                    {
                        Ok(r) => r.json().await.unwrap_or(Value::Null),
                        Err(_) => Value::Null,
                    };
                    if view["state"] == "waiting_for_call" {
                        return view;
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            };
            let view = tokio::time::timeout(Duration::from_secs(10), idle)
                .await
                .map_err(|_| format!("the terminal at {base} stayed busy after a reset"))?;
            if let Some(country) = view["country"].as_str().and_then(|c| c.parse().ok()) {
                self.remote_market = Some(country);
            }
        }
        let start: Timestamp = EMBEDDED_START.parse().map_err(|e| format!("{e}"))?;
        self.set_time(start).await;
        Ok(())
    }

    /// Waits until the terminal under test holds a link to the relay (a scenario before may have
    /// dropped it: the terminal relinks by itself within its back-off).
    async fn wait_for_link(&self) -> Result<(), String> {
        let Some(relay) = self.acquirer_admin.clone() else {
            return Ok(());
        };
        let serial = self.serial().to_string();
        let linked = async {
            loop {
                let online: Value = match self
                    .http
                    .get(format!("{relay}/__admin/terminals"))
                    .send()
                    .await
                {
                    Ok(r) => r.json().await.unwrap_or(Value::Null),
                    Err(_) => Value::Null,
                };
                if online["online"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|s| s == serial.as_str()))
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), linked)
            .await
            .map_err(|_| format!("terminal {serial} is not linked to the relay at {relay}"))
    }

    /// Starts a webhook receiver the implementation under test can reach, answering `status` to
    /// every POST; returns it and its base URL as seen from the implementation. Embedded mocks
    /// reach it on loopback; a remote one (a container, another host) at this host's address on
    /// the route to it, or at `KUSHKI_CALLBACK_HOST` when set (`host.docker.internal`, say).
    pub async fn receiver(&self, status: u16) -> (wiremock::MockServer, String) {
        let host = match (&self.embedded, env_var("KUSHKI_CALLBACK_HOST")) {
            (Some(_), _) => "127.0.0.1".to_string(),
            (None, Some(host)) => host,
            (None, None) => self.address_seen_by_target().await,
        };
        let bind = if host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
        {
            "127.0.0.1:0"
        } else {
            "0.0.0.0:0"
        };
        let listener = std::net::TcpListener::bind(bind).expect("a port for the receiver");
        let port = listener.local_addr().expect("its address").port();
        let server = wiremock::MockServer::builder()
            .listener(listener)
            .start()
            .await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .respond_with(wiremock::ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host
        };
        (server, format!("http://{host}:{port}"))
    }

    /// This host's address on the route to the target (the source address the kernel picks for
    /// it): loopback for a target on this host, the bridge's gateway for a container.
    async fn address_seen_by_target(&self) -> String {
        let base = [&self.connect_base, &self.raw_base, &self.acquirer_admin]
            .into_iter()
            .flatten()
            .next()
            .cloned()
            .unwrap_or_default();
        let authority = base
            .split("://")
            .nth(1)
            .unwrap_or_default()
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let probe = async {
            let target = tokio::net::lookup_host(&authority).await.ok()?.next()?;
            let local: std::net::SocketAddr = if target.is_ipv4() {
                "0.0.0.0:0".parse().ok()?
            } else {
                "[::]:0".parse().ok()?
            };
            let socket = tokio::net::UdpSocket::bind(local).await.ok()?;
            socket.connect(target).await.ok()?;
            Some(socket.local_addr().ok()?.ip().to_string())
        };
        probe.await.unwrap_or_else(|| "127.0.0.1".to_string())
    }

    /// The market of a remote terminal, when it says (its admin API).
    pub fn remote_market(&self) -> Option<Country> {
        self.remote_market
    }

    async fn start_embedded(&mut self, topology: Topology, market: Country) -> Result<(), String> {
        let start: Timestamp = EMBEDDED_START.parse().map_err(|e| format!("{e}"))?;
        let acquirer = mock_acquirer::spawn(mock_acquirer::Config::manual_at(start))
            .await
            .map_err(|e| format!("cannot start the embedded acquirer: {e}"))?;
        self.raw_base = Some(acquirer.uri());
        self.acquirer_admin = Some(acquirer.uri());
        self.credential = mock_acquirer::DEFAULT_CREDENTIAL.to_string();
        self.creds = Credentials::new(EMBEDDED_BUSINESS_CODE, EMBEDDED_SERIAL);
        let terminal = if topology.is_connect() {
            let config = mock_terminal::Config {
                serial: EMBEDDED_SERIAL.into(),
                business_code: EMBEDDED_BUSINESS_CODE.into(),
                acquirer_url: acquirer.uri(),
                cloud_url: (topology == Topology::Cloud).then(|| acquirer.uri()),
                localhost_listen: (topology == Topology::Localhost)
                    .then(|| "127.0.0.1:0".parse().expect("address")),
                shared_clock: Some(acquirer.state().clock.clone()),
                country: market,
                ..mock_terminal::Config::default()
            };
            let t = mock_terminal::spawn(config)
                .await
                .map_err(|e| format!("cannot start the embedded terminal: {e}"))?;
            if topology == Topology::Cloud && !t.wait_for_cloud(Duration::from_secs(5)).await {
                return Err("the embedded terminal never linked to the relay".into());
            }
            self.connect_base = Some(match topology {
                Topology::Cloud => format!("{}/terminal/v1/{EMBEDDED_SERIAL}", acquirer.uri()),
                Topology::Localhost => format!(
                    "{}/terminal/v1",
                    t.localhost_uri().unwrap_or_else(|| t.uri())
                ),
                _ => format!("{}/terminal/v1", t.uri()),
            });
            self.terminal_admin = Some(t.uri());
            Some(t)
        } else {
            None
        };
        self.capabilities.extend(Capability::ALL);
        self.embedded = Some((acquirer, terminal));
        Ok(())
    }

    /// Another handle on the same implementation (for an operation running in the background):
    /// same addresses and keys, its own evidence, and it owns no mock.
    pub fn second_handle(&self) -> Env {
        Env {
            topology: self.topology,
            market: self.market,
            http: self.http.clone(),
            raw_base: self.raw_base.clone(),
            credential: self.credential.clone(),
            connect_base: self.connect_base.clone(),
            creds: self.creds.clone(),
            acquirer_admin: self.acquirer_admin.clone(),
            terminal_admin: self.terminal_admin.clone(),
            capabilities: self.capabilities.clone(),
            embedded: None,
            remote_market: self.remote_market,
            evidence: Vec::new(),
        }
    }

    /// Stops embedded mocks.
    pub async fn stop(self) {
        if let Some((acquirer, terminal)) = self.embedded {
            if let Some(t) = terminal {
                t.shutdown().await;
            }
            acquirer.shutdown().await;
        }
    }

    /// Whether the target has a capability.
    pub fn has(&self, c: Capability) -> bool {
        self.capabilities.contains(&c)
    }

    /// The serial of the terminal under test.
    pub fn serial(&self) -> &str {
        &self.creds.terminal_serial
    }

    fn record(&mut self, label: &str, request: &Value, answer: &Answer) {
        self.evidence.push(json!({
            "request": label,
            "status": answer.status,
            "request_body": mask_json(request),
            "response_body": mask_json(&answer.body),
        }));
    }

    /// POSTs a raw API body (credential attached) to `path` and checks the answer's schema.
    pub async fn raw(&mut self, path: &str, body: &Value) -> Answer {
        self.raw_with(path, body, Some(self.credential.clone()), true)
            .await
    }

    /// POSTs a raw API body with an explicit credential (or none), as text.
    pub async fn raw_with(
        &mut self,
        path: &str,
        body: &Value,
        credential: Option<String>,
        as_json: bool,
    ) -> Answer {
        let base = self
            .raw_base
            .clone()
            .expect("this target has no raw API (use an acquirer target)");
        let mut req = self
            .http
            .post(format!("{base}{path}"))
            .body(body.to_string());
        if as_json {
            req = req.header("content-type", "application/json");
        }
        if let Some(c) = credential {
            req = req.header("Private-Credential-Id", c);
        }
        let label = format!("POST {path}");
        let answer = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                Answer {
                    label: label.clone(),
                    status,
                    body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
                    encrypted: false,
                }
            }
            Err(e) => Answer {
                label: label.clone(),
                status: 0,
                body: json!({"connection_error": e.to_string()}),
                encrypted: false,
            },
        };
        let kind = match (answer.status, path) {
            (200, p) if p.contains("search") => Some(SchemaKind::RawSearchResponse),
            (200, _) => Some(SchemaKind::RawTransactionResponse),
            (401, _) => Some(SchemaKind::RawUnauthorized),
            (0, _) => None,
            (s, _) if s >= 500 => None,
            _ => Some(SchemaKind::RawError),
        };
        if let Some(kind) = kind {
            answer.assert_schema(kind);
        }
        self.record(&label, body, &answer);
        answer
    }

    /// POSTs raw bytes with headers of the caller's choosing (bad-input scenarios).
    pub async fn raw_bytes(
        &mut self,
        path: &str,
        body: Vec<u8>,
        content_type: Option<&str>,
    ) -> Answer {
        let base = self.raw_base.clone().expect("this target has no raw API");
        let mut req = self
            .http
            .post(format!("{base}{path}"))
            .header("Private-Credential-Id", &self.credential)
            .body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let label = format!("POST {path}");
        let answer = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                Answer {
                    label,
                    status,
                    body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
                    encrypted: false,
                }
            }
            Err(e) => Answer {
                label,
                status: 0,
                body: json!({"connection_error": e.to_string()}),
                encrypted: false,
            },
        };
        if answer.status == 400 {
            answer.assert_schema(SchemaKind::RawError);
        }
        answer
    }

    /// The time the terminal (or acquirer) goes by: the virtual clock when the target has one.
    pub async fn now(&self) -> Timestamp {
        if self.has(Capability::VirtualTime)
            && let Some(base) = self
                .terminal_admin
                .as_ref()
                .or(self.acquirer_admin.as_ref())
            && let Ok(resp) = self.http.get(format!("{base}/__admin/clock")).send().await
            && let Ok(v) = resp.json::<Value>().await
            && let Some(now) = v["now"].as_str().and_then(|t| t.parse().ok())
        {
            return now;
        }
        Timestamp::now()
    }

    fn connect_route(&self, op: &str, asynchronous: bool) -> String {
        match (self.topology, asynchronous) {
            (_, true) => format!("async/{op}"),
            (Topology::Cloud, false) => format!("sync/{op}"),
            _ => op.to_string(),
        }
    }

    /// A Connect operation, signed and encrypted as ref §1.5 says, sync or async.
    pub async fn connect(&mut self, op: &str, payload: &Value, asynchronous: bool) -> Answer {
        let ts = self.now().await.as_second();
        let text = serde_json::to_string(payload).expect("JSON");
        let sealed = auth::seal_request(&self.creds, ts, &text).expect("a JSON object payload");
        let route = self.connect_route(op, asynchronous);
        self.connect_send(
            &route,
            "POST",
            Some(sealed.authorization),
            Some(sealed.timestamp),
            Some(sealed.body),
            ts,
            payload,
        )
        .await
    }

    /// Abort: GET on LAN and localhost, POST `sync/abort` in the cloud (ref §1.2), signed over `{}`.
    pub async fn abort(&mut self) -> Answer {
        let ts = self.now().await.as_second();
        let empty = json!({});
        let authorization = format!(
            "Basic {}",
            auth::signature(&self.creds, ts, "{}").expect("signature")
        );
        if self.topology == Topology::Cloud {
            let body = auth::seal_request(&self.creds, ts, "{}")
                .expect("sealed")
                .body;
            self.connect_send(
                "sync/abort",
                "POST",
                Some(authorization),
                Some(ts.to_string()),
                Some(body),
                ts,
                &empty,
            )
            .await
        } else {
            self.connect_send(
                "abort",
                "GET",
                Some(authorization),
                Some(ts.to_string()),
                None,
                ts,
                &empty,
            )
            .await
        }
    }

    /// Sends a Connect request with the caller's headers and body (tampering scenarios). The
    /// answer is decrypted with `ts` when it comes encrypted.
    #[allow(clippy::too_many_arguments)]
    pub async fn connect_send(
        &mut self,
        route: &str,
        method: &str,
        authorization: Option<String>,
        timestamp: Option<String>,
        body: Option<String>,
        ts: i64,
        plaintext: &Value,
    ) -> Answer {
        let base = self
            .connect_base
            .clone()
            .expect("this target has no Connect API (use a terminal target)");
        let url = format!("{base}/{route}");
        let mut req = if method == "GET" {
            self.http.get(&url)
        } else {
            self.http.post(&url)
        };
        if let Some(a) = authorization {
            req = req.header("Authorization", a);
        }
        if let Some(t) = timestamp {
            req = req.header("timestamp", t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let label = format!(
            "{method} /terminal/v1/{route} via {}",
            self.topology.as_str()
        );
        let answer = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                let value: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                match value.get("data").and_then(Value::as_str) {
                    Some(data) => {
                        let clear = auth::decrypt(&self.creds, ts, data)
                            .ok()
                            .and_then(|b| String::from_utf8(b).ok())
                            .unwrap_or_else(|| panic!("the answer to {label} does not decrypt with the request's timestamp"));
                        Answer {
                            label,
                            status,
                            body: serde_json::from_str(&clear).unwrap_or(Value::String(clear)),
                            encrypted: true,
                        }
                    }
                    None => Answer {
                        label,
                        status,
                        body: value,
                        encrypted: false,
                    },
                }
            }
            Err(e) => Answer {
                label,
                status: 0,
                body: json!({"connection_error": e.to_string()}),
                encrypted: false,
            },
        };
        self.record(&answer.label.clone(), plaintext, &answer);
        answer
    }

    /// The Business-Code and serial the POS signs with.
    pub fn credentials(&self) -> &Credentials {
        &self.creds
    }

    fn admin(&self, mock: Mock) -> Option<&String> {
        match mock {
            Mock::Acquirer => self.acquirer_admin.as_ref(),
            Mock::Terminal => self.terminal_admin.as_ref(),
        }
    }

    /// A JSON admin call; panics with the mock's answer when it is not 2xx.
    pub async fn admin_call(
        &self,
        mock: Mock,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let Some(base) = self.admin(mock) else {
            skip(format!(
                "the target has no admin API for the {mock:?}: it is not one of these mocks"
            ))
        };
        let url = format!("{base}{path}");
        let mut req = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url),
        };
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("admin {method} {path}: {e}"));
        let status = resp.status();
        let value: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(
            status.is_success(),
            "admin {method} {path} answered {status}: {value}"
        );
        value
    }

    /// Sets the virtual time on every mock of the target.
    pub async fn set_time(&self, ts: Timestamp) {
        let mut seen = HashSet::new();
        for mock in [Mock::Acquirer, Mock::Terminal] {
            if let Some(base) = self.admin(mock)
                && seen.insert(base.clone())
            {
                self.admin_call(
                    mock,
                    "POST",
                    "/__admin/clock",
                    Some(json!({"set": ts.to_string()})),
                )
                .await;
            }
        }
    }

    /// Advances the virtual time.
    pub async fn advance(&self, secs: i64) {
        let now = self.now().await;
        self.set_time(now + jiff::SignedDuration::from_secs(secs))
            .await;
    }

    /// Queues a customer action at the reader.
    pub async fn card(&self, action: Value) {
        self.admin_call(Mock::Terminal, "POST", "/__admin/cards", Some(action))
            .await;
    }

    /// Adds a behaviour to a mock.
    pub async fn behaviour(&self, mock: Mock, behaviour: Value) {
        self.admin_call(mock, "POST", "/__admin/behaviours", Some(behaviour))
            .await;
    }

    /// A mock's journal entries.
    pub async fn journal(&self, mock: Mock) -> Vec<Value> {
        let v = self.admin_call(mock, "GET", "/__admin/journal", None).await;
        v["entries"].as_array().cloned().unwrap_or_default()
    }
}
