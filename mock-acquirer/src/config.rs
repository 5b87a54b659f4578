//! Configuration of a mock acquirer.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use kushki_mock_support::journal::DEFAULT_CAPACITY;
use kushki_mock_support::tls::Tls;
use kushki_protocol::calendar::ClockMode;

use crate::domain::rules::RulesConfig;

/// The test credential the mock accepts when none is configured, printed at start.
pub const DEFAULT_CREDENTIAL: &str = "mock-private-credential-0001";

/// Default listen address of the binary (tests bind port 0).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The binary's HTTPS address when `--tls-listen` is given without one (`api-uat` and
/// `uat-cloudt` serve HTTPS only; the mock keeps its plain listener beside it).
pub const DEFAULT_TLS_LISTEN: &str = "127.0.0.1:8443";

/// The merchant id the webhooks carry in `X-Kushki-Key` (harness-defined).
pub const DEFAULT_MERCHANT_ID: &str = "20000000100000000000";

/// Where the acquirer sends card-present webhooks (add §3).
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    /// The receiver's URL.
    pub url: String,
    /// The "Webhook signature ID" the HMAC is keyed with.
    pub key: kushki_protocol::mask::Sensitive,
}

/// Everything a mock acquirer needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Accepted `Private-Credential-Id` values.
    pub credentials: Vec<String>,
    /// System or manual clock.
    pub clock_mode: ClockMode,
    /// Start of a manual clock (now when absent).
    pub start_time: Option<Timestamp>,
    /// JSON Lines file that keeps every exchange.
    pub journal_file: Option<PathBuf>,
    /// Size of the in-memory journal window.
    pub journal_capacity: usize,
    /// The acquirer's rules.
    pub rules: RulesConfig,
    /// Webhook receiver, if any.
    pub webhook: Option<WebhookTarget>,
    /// Merchant id for webhooks.
    pub merchant_id: String,
    /// How many times a webhook delivery is tried before it is recorded as failed.
    pub webhook_attempts: u32,
    /// An HTTPS listener beside the plain one (raw API, relay and admin alike), as Kushki's
    /// hosts serve them; none when absent.
    pub tls_listen: Option<SocketAddr>,
    /// The CA (or fixed certificate) of the HTTPS listener; generated at start when
    /// `tls_listen` is set and this is absent. Shared with the store's other mocks so that a
    /// client trusts one CA.
    pub tls: Option<Arc<Tls>>,
    /// A CA certificate (PEM) outbound calls (webhooks) trust beside the public roots: a
    /// receiver served under the store's CA.
    pub trust_ca_pem: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:0".parse().expect("literal address"),
            credentials: vec![DEFAULT_CREDENTIAL.to_string()],
            clock_mode: ClockMode::System,
            start_time: None,
            journal_file: None,
            journal_capacity: DEFAULT_CAPACITY,
            rules: RulesConfig::default(),
            webhook: None,
            merchant_id: DEFAULT_MERCHANT_ID.to_string(),
            webhook_attempts: 3,
            tls_listen: None,
            tls: None,
            trust_ca_pem: None,
        }
    }
}

impl Config {
    /// A configuration for tests: port 0 and a manual clock at `start`.
    pub fn manual_at(start: Timestamp) -> Config {
        Config {
            clock_mode: ClockMode::Manual,
            start_time: Some(start),
            ..Config::default()
        }
    }
}
