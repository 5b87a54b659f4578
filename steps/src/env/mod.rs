//! A scenario's environment: the implementation under test, reached through its target, with a
//! client for each API. Embedded mocks are started per scenario on port 0 and share one manual
//! clock; remote targets are reached as configured. Every answer's raw JSON is checked against
//! `schemas/` before a step reads it, and every exchange is kept, masked, as evidence. Steps speak
//! operations, never URLs: the routes come from the target.
//!
//! # Layout
//!
//! * this module: the environment, started or reached, and what an answer is;
//! * `connect`: a Connect call (route, seal, tamper hook, send, the operation's schema);
//! * `raw`: a raw API call;
//! * `admin`: the mocks' admin API (clock, reader, behaviours, journal);
//! * `remote`: a remote mock reset per scenario, and webhook receivers it can reach;
//! * [`wait_until`]: every wait for something the implementation does in its own time.

use std::collections::HashSet;
use std::time::Duration;

use jiff::Timestamp;
use kushki_protocol::auth::Credentials;
use kushki_protocol::mask::mask_json;
use kushki_protocol::raw::Country;
use kushki_protocol::schemas::{self, SchemaKind};
use mock_acquirer::RunningAcquirer;
use mock_terminal::RunningTerminal;
use serde_json::{Value, json};

use crate::target::{Capability, Target, Topology};

mod admin;
mod connect;
mod raw;
mod remote;
mod wait;

pub use connect::{Connect, ConnectCall, Method, Sealed};
pub use raw::{RawCall, RawRoute};
pub use wait::{poll, wait_until};

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

    /// Checks the body against the first of `kinds` it follows, listing the violations of the
    /// first when it follows none (no check for none).
    pub fn assert_one_of(&self, kinds: &[SchemaKind]) {
        if !kinds
            .iter()
            .any(|k| schemas::validate(*k, &self.body).is_ok())
            && let Some(first) = kinds.first()
        {
            self.assert_schema(*first);
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

    /// The Business-Code and serial the POS signs with.
    pub fn credentials(&self) -> &Credentials {
        &self.creds
    }
}
