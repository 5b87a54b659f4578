//! # kushki-testcontainers
//!
//! A [testcontainers](https://docs.rs/testcontainers) module for the `kushki-conformance` image
//! (built by `container/build.sh`): Kushki's card-present backends (the raw API and the cloud
//! relay) and a Sunmi terminal running Kushki ONE, in one container that a test starts and drops.
//!
//! ```no_run
//! use kushki_testcontainers::{KushkiMocks, KushkiMocksExt as _};
//! use testcontainers::runners::AsyncRunner as _;
//!
//! # async fn demo() -> testcontainers::core::error::Result<()> {
//! let mocks = KushkiMocks::default().start().await?;
//! let urls = mocks.endpoints().await?;
//! // A POS signs with urls.business_code and calls
//! // {urls.terminal_lan_url}/terminal/v1/sync/charge, or
//! // {urls.relay_url}/terminal/v1/{urls.serial}/sync/charge through the cloud relay.
//! # Ok(()) }
//! ```
//!
//! # Layout
//!
//! * [`KushkiMocks`]: the image, its configuration (terminals, credentials, clock) and its ready
//!   condition (the `serve` banner's last line: every listener is up and the terminal linked).
//! * [`Endpoints`]: what a test needs to reach the mocks, by mapped host port
//!   ([`KushkiMocksExt::endpoints`]) or by the container's address on the Docker network
//!   ([`KushkiMocksExt::network_endpoints`]), and the CA that signs the HTTPS listeners.

use std::borrow::Cow;

use testcontainers::core::error::Result;
use testcontainers::core::{ContainerPort, WaitFor};
use testcontainers::{ContainerAsync, Image};

/// The image's name, as `container/build.sh` tags it.
pub const IMAGE: &str = "kushki-conformance";
/// The acquirer's HTTP port: raw API, cloud relay, admin.
pub const ACQUIRER_PORT: u16 = 8080;
/// The acquirer's HTTPS port.
pub const ACQUIRER_TLS_PORT: u16 = 8443;
/// The terminal's Connect API (HTTP, Kushki's LAN port).
pub const TERMINAL_PORT: u16 = 6868;
/// The terminal's Connect API over HTTPS (Kushki's newer Colombia page).
pub const TERMINAL_TLS_PORT: u16 = 6869;
/// Where the container writes the CA certificate of its HTTPS listeners.
pub const CA_PATH: &str = "/data/ca.pem";
/// The serial of the image's default terminal.
pub const DEFAULT_SERIAL: &str = "PB04209860189";
/// The Business-Code the default terminal accepts.
pub const DEFAULT_BUSINESS_CODE: &str = "BC-MOCK-0001";
/// The `Private-Credential-Id` the acquirer accepts.
pub const DEFAULT_CREDENTIAL: &str = "mock-private-credential-0001";

const PORTS: [ContainerPort; 4] = [
    ContainerPort::Tcp(ACQUIRER_PORT),
    ContainerPort::Tcp(ACQUIRER_TLS_PORT),
    ContainerPort::Tcp(TERMINAL_PORT),
    ContainerPort::Tcp(TERMINAL_TLS_PORT),
];

/// The `kushki-conformance` image running `serve`: an acquirer and one terminal by default.
#[derive(Debug, Clone)]
pub struct KushkiMocks {
    tag: String,
    business_code: String,
    env: Vec<(String, String)>,
}

impl Default for KushkiMocks {
    fn default() -> Self {
        KushkiMocks {
            tag: "latest".into(),
            business_code: DEFAULT_BUSINESS_CODE.into(),
            env: Vec::new(),
        }
    }
}

impl KushkiMocks {
    /// Another tag of the image (a pinned version).
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = tag.into();
        self
    }

    /// The Business-Code the terminals accept.
    pub fn with_business_code(mut self, code: impl Into<String>) -> Self {
        self.business_code = code.into();
        self.env
            .push(("KUSHKI_BUSINESS_CODE".into(), self.business_code.clone()));
        self
    }

    /// Replaces the terminals: each `SERIAL@ADDR[,country=…][,model=…]`, as `serve --terminal`
    /// takes them (listen on `0.0.0.0` to be reachable from outside the container).
    pub fn with_terminals<I, S>(mut self, specs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let specs: Vec<String> = specs.into_iter().map(Into::into).collect();
        self.env.push(("KUSHKI_TERMINALS".into(), specs.join(" ")));
        self
    }

    /// A manual clock starting at `start` (RFC 3339): it moves only through `/__admin/clock`.
    pub fn with_manual_clock(mut self, start: impl Into<String>) -> Self {
        self.env.push(("KUSHKI_CLOCK".into(), "manual".into()));
        self.env.push(("KUSHKI_START_TIME".into(), start.into()));
        self
    }

    /// Any other `KUSHKI_…` option of `serve`.
    pub fn with_option(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }
}

impl Image for KushkiMocks {
    fn name(&self) -> &str {
        IMAGE
    }

    fn tag(&self) -> &str {
        &self.tag
    }

    fn ready_conditions(&self) -> Vec<WaitFor> {
        // `serve` prints this last, once every listener is bound and every terminal linked.
        vec![WaitFor::message_on_stdout("Ctrl-C stops everything")]
    }

    fn env_vars(
        &self,
    ) -> impl IntoIterator<Item = (impl Into<Cow<'_, str>>, impl Into<Cow<'_, str>>)> {
        self.env
            .iter()
            .map(|(k, v)| (Cow::from(k.as_str()), Cow::from(v.as_str())))
    }

    fn expose_ports(&self) -> &[ContainerPort] {
        &PORTS
    }
}

/// Where and how to reach the mocks of a running container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The raw card-present API: `POST {raw_api_url}/pos/v1/transaction`.
    pub raw_api_url: String,
    /// The cloud relay: `{relay_url}/terminal/v1/{serial}/sync/{operation}` (the acquirer's
    /// address, as Kushki's cloud serves both).
    pub relay_url: String,
    /// The terminal on the LAN: `{terminal_lan_url}/terminal/v1/sync/{operation}`.
    pub terminal_lan_url: String,
    /// The acquirer over HTTPS.
    pub acquirer_https_url: String,
    /// The terminal over HTTPS.
    pub terminal_https_url: String,
    /// The default terminal's serial.
    pub serial: String,
    /// The Business-Code the POS signs with.
    pub business_code: String,
    /// The acquirer's `Private-Credential-Id`.
    pub credential: String,
}

/// Typed accessors on a running [`KushkiMocks`] container.
pub trait KushkiMocksExt {
    /// The mocks by host and mapped port (from the machine running the test).
    fn endpoints(&self) -> impl Future<Output = Result<Endpoints>> + Send;
    /// The mocks by the container's address on the Docker bridge network, at their own ports
    /// (what another container, or the host on Linux, reaches). Start the container with
    /// `.with_network("bridge")` (or a network of yours): Docker Engine 20.10 names the default
    /// network "default" in a container's settings, which cannot be inspected by that name.
    fn network_endpoints(&self) -> impl Future<Output = Result<Endpoints>> + Send;
    /// The CA certificate (PEM) that signs the HTTPS listeners' certificates.
    fn ca_certificate(&self) -> impl Future<Output = Result<String>>;
}

fn endpoints_at(mocks: &KushkiMocks, host: &str, ports: [u16; 4]) -> Endpoints {
    let [acquirer, acquirer_tls, terminal, terminal_tls] = ports;
    Endpoints {
        raw_api_url: format!("http://{host}:{acquirer}"),
        relay_url: format!("http://{host}:{acquirer}"),
        terminal_lan_url: format!("http://{host}:{terminal}"),
        acquirer_https_url: format!("https://{host}:{acquirer_tls}"),
        terminal_https_url: format!("https://{host}:{terminal_tls}"),
        serial: DEFAULT_SERIAL.into(),
        business_code: mocks.business_code.clone(),
        credential: DEFAULT_CREDENTIAL.into(),
    }
}

impl KushkiMocksExt for ContainerAsync<KushkiMocks> {
    async fn endpoints(&self) -> Result<Endpoints> {
        let host = self.get_host().await?.to_string();
        let mut ports = [0u16; 4];
        for (port, internal) in ports.iter_mut().zip(PORTS) {
            *port = self.get_host_port_ipv4(internal).await?;
        }
        Ok(endpoints_at(self.image(), &host, ports))
    }

    async fn network_endpoints(&self) -> Result<Endpoints> {
        let ip = self.get_bridge_ip_address().await?;
        let host = match ip {
            std::net::IpAddr::V6(v6) => format!("[{v6}]"),
            v4 => v4.to_string(),
        };
        Ok(endpoints_at(
            self.image(),
            &host,
            [
                ACQUIRER_PORT,
                ACQUIRER_TLS_PORT,
                TERMINAL_PORT,
                TERMINAL_TLS_PORT,
            ],
        ))
    }

    async fn ca_certificate(&self) -> Result<String> {
        let bytes = self.copy_file_from(CA_PATH, Vec::<u8>::new()).await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}
