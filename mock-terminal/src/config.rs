//! Configuration of a mock terminal, and the Sunmi device profiles it can play.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use kushki_mock_support::clock::VirtualClock;
use kushki_mock_support::journal::DEFAULT_CAPACITY;
use kushki_mock_support::tls::Tls;
use kushki_protocol::calendar::ClockMode;
use kushki_protocol::raw::Country;

/// Default serial (the one in Kushki's examples, ref §2.4).
pub const DEFAULT_SERIAL: &str = "PB04209860189";
/// Default Business-Code of the mock terminal (harness-defined; printed at start).
pub const DEFAULT_BUSINESS_CODE: &str = "BC-MOCK-0001";
/// Default LAN address of the binary: the terminal's port 6868 (ref §1.2), on loopback.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:6868";
/// The binary's HTTPS address when `--tls-listen` is given without one: the terminal's port 6869
/// (Kushki's newer Colombia page), beside the plain 6868.
pub const DEFAULT_TLS_LISTEN: &str = "127.0.0.1:6869";
/// The raw API credential the terminal sends by default: mock-acquirer's default test credential.
pub const DEFAULT_ACQUIRER_CREDENTIAL: &str = "mock-private-credential-0001";
/// Clock seconds the reader waits for a card before giving up (harness-defined).
pub const DEFAULT_READER_TIMEOUT_SECS: i64 = 60;
/// Clock seconds the terminal waits for the acquirer before reversing (the reverse rule's
/// minimum, seed: "wait at least 1 minute").
pub const DEFAULT_ACQUIRER_TIMEOUT_SECS: i64 = 60;

/// The certified Sunmi devices (seed first steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceModel {
    /// SUNMI P2 SE.
    P2Se,
    /// SUNMI P3.
    P3,
}

impl DeviceModel {
    /// `pos_details.model` as the terminal reports it (`P2-EU` is the seed's example for the
    /// P2 family; harness-defined for the P3).
    pub fn wire_model(self) -> &'static str {
        match self {
            DeviceModel::P2Se => "P2-EU",
            DeviceModel::P3 => "P3",
        }
    }

    /// Human name.
    pub fn name(self) -> &'static str {
        match self {
            DeviceModel::P2Se => "SUNMI P2 SE",
            DeviceModel::P3 => "SUNMI P3",
        }
    }

    /// Printable width in dots: both print on 58 mm paper, 384 dots (harness-defined from the
    /// devices' 58 mm thermal printers).
    pub fn paper_dots(self) -> u32 {
        384
    }
}

impl std::str::FromStr for DeviceModel {
    type Err = String;
    /// `p2se` (also `p2-se`, `p2`) or `p3`, any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "p2se" | "p2-se" | "p2_se" | "p2" => Ok(DeviceModel::P2Se),
            "p3" => Ok(DeviceModel::P3),
            _ => Err(format!("unknown model `{s}`: use p2se or p3")),
        }
    }
}

/// `pos_details.version` the mock app reports (the seed's example version).
pub const APP_VERSION: &str = "Kushki SunmiV1.1.18";

/// Everything a mock terminal needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// LAN address (port 0 picks a free one).
    pub listen: SocketAddr,
    /// A second listener for the localhost topology (a POS app on the device itself), if wanted.
    pub localhost_listen: Option<SocketAddr>,
    /// The terminal's serial.
    pub serial: String,
    /// The Business-Code the POS signs with.
    pub business_code: String,
    /// The acquirer's base URL (the raw API).
    pub acquirer_url: String,
    /// `Private-Credential-Id` sent to the acquirer.
    pub acquirer_credential: String,
    /// The cloud relay's base URL, to hold a link to.
    pub cloud_url: Option<String>,
    /// Which device.
    pub model: DeviceModel,
    /// The market (decides the currency of Connect amounts and the cut-off).
    pub country: Country,
    /// System or manual clock.
    pub clock_mode: ClockMode,
    /// Start of a manual clock.
    pub start_time: Option<Timestamp>,
    /// A clock shared with other in-process mocks (the embedded topologies share one).
    pub shared_clock: Option<VirtualClock>,
    /// JSON Lines journal file.
    pub journal_file: Option<PathBuf>,
    /// In-memory journal window.
    pub journal_capacity: usize,
    /// Reader timeout, clock seconds.
    pub reader_timeout_secs: i64,
    /// Acquirer timeout, clock seconds.
    pub acquirer_timeout_secs: i64,
    /// How many times an event webhook delivery is tried.
    pub webhook_attempts: u32,
    /// The Connect API over HTTPS as well (the terminal's 6869); none when absent.
    pub tls_listen: Option<SocketAddr>,
    /// The CA (or fixed certificate) of the HTTPS listener; generated at start when
    /// `tls_listen` is set and this is absent. Shared with the store's other mocks.
    pub tls: Option<Arc<Tls>>,
    /// A CA certificate (PEM) trusted beside the public roots on every outbound call: the
    /// acquirer hop, events webhooks, and the `wss://` link to the relay.
    pub trust_ca_pem: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:0".parse().expect("literal address"),
            localhost_listen: None,
            serial: DEFAULT_SERIAL.to_string(),
            business_code: DEFAULT_BUSINESS_CODE.to_string(),
            acquirer_url: "http://127.0.0.1:8080".to_string(),
            acquirer_credential: DEFAULT_ACQUIRER_CREDENTIAL.to_string(),
            cloud_url: None,
            model: DeviceModel::P2Se,
            country: Country::Peru,
            clock_mode: ClockMode::System,
            start_time: None,
            shared_clock: None,
            journal_file: None,
            journal_capacity: DEFAULT_CAPACITY,
            reader_timeout_secs: DEFAULT_READER_TIMEOUT_SECS,
            acquirer_timeout_secs: DEFAULT_ACQUIRER_TIMEOUT_SECS,
            webhook_attempts: 3,
            tls_listen: None,
            tls: None,
            trust_ca_pem: None,
        }
    }
}
