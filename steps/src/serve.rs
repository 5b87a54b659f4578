//! `kushki-conformance serve`: a whole store in one process for POS integrators who point their
//! checkout at it: the acquirer (raw API and cloud relay) and any number of terminals, each with
//! its own serial, address, market and model, sharing one clock. Or terminals only, against an
//! acquirer and relay elsewhere (a store of separate containers).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use kushki_mock_support::tls::Tls;
use kushki_protocol::calendar::ClockMode;
use kushki_protocol::raw::Country;
use mock_acquirer::RunningAcquirer;
use mock_terminal::RunningTerminal;
use mock_terminal::config::DeviceModel;

/// One terminal of the store:
/// `SERIAL@ADDR[,country=PER|MEX|CHL|COL][,model=p2se|p3][,tls=ADDR]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalSpec {
    /// Its serial.
    pub serial: String,
    /// Where its Connect API (HTTP) listens.
    pub listen: SocketAddr,
    /// Its market.
    pub country: Country,
    /// Its device.
    pub model: DeviceModel,
    /// Where its Connect API listens over HTTPS (Kushki's 6869), if at all.
    pub tls: Option<SocketAddr>,
}

impl std::str::FromStr for TerminalSpec {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.split(',');
        let head = parts.next().unwrap_or_default();
        let (serial, addr) = head.split_once('@').ok_or_else(|| {
            format!("--terminal `{text}`: use SERIAL@ADDR[,country=PER][,model=p3]")
        })?;
        if serial.is_empty() {
            return Err(format!("--terminal `{text}`: the serial is empty"));
        }
        let mut spec = TerminalSpec {
            serial: serial.to_string(),
            listen: addr
                .parse()
                .map_err(|e| format!("--terminal `{text}`: address `{addr}`: {e}"))?,
            country: Country::Peru,
            model: DeviceModel::P3,
            tls: None,
        };
        for option in parts {
            match option.split_once('=') {
                Some(("country", c)) => {
                    spec.country = c.to_ascii_uppercase().parse().map_err(|_| {
                        format!("--terminal `{text}`: country `{c}`: use PER, MEX, CHL or COL")
                    })?
                }
                Some(("model", m)) => {
                    spec.model = m.parse().map_err(|e| format!("--terminal `{text}`: {e}"))?
                }
                Some(("tls", a)) => {
                    spec.tls = Some(
                        a.parse()
                            .map_err(|e| format!("--terminal `{text}`: tls address `{a}`: {e}"))?,
                    )
                }
                _ => {
                    return Err(format!(
                        "--terminal `{text}`: unknown option `{option}` (country=…, model=…, tls=…)"
                    ));
                }
            }
        }
        Ok(spec)
    }
}

/// Where the store's acquirer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcquirerSide {
    /// Started here, listening at this address, and over HTTPS at the second if given.
    Local(SocketAddr, Option<SocketAddr>),
    /// Elsewhere: the raw API's base URL and the relay's (the same host, as Kushki's own
    /// `uat-cloudt` serves both the relay and the API behind it, unless told otherwise).
    Remote {
        /// The raw API base URL.
        acquirer_url: String,
        /// The cloud relay base URL.
        relay_url: String,
    },
}

/// What to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The acquirer: started here, or reached elsewhere.
    pub acquirer: AcquirerSide,
    /// Terminals.
    pub terminals: Vec<TerminalSpec>,
    /// The Business-Code every terminal accepts.
    pub business_code: String,
    /// The `Private-Credential-Id` the acquirer accepts (and the terminals send).
    pub credential: String,
    /// System or manual clock, shared by all in this process.
    pub clock: ClockMode,
    /// Start of a manual clock.
    pub start_time: Option<Timestamp>,
    /// A JSON Lines journal every mock appends to.
    pub journal: Option<PathBuf>,
    /// The store's one CA (or fixed certificate) for every HTTPS listener, and the file its
    /// certificate was written to.
    pub tls: Option<(Arc<Tls>, PathBuf)>,
    /// A CA the mocks also trust on outbound HTTPS (a remote acquirer's).
    pub trust_ca_pem: Option<String>,
}

impl ServeOptions {
    /// Whether any listener speaks HTTPS (then the store needs its [`Tls`]).
    pub fn wants_tls(&self) -> bool {
        matches!(self.acquirer, AcquirerSide::Local(_, Some(_)))
            || self.terminals.iter().any(|t| t.tls.is_some())
    }
}

/// The running mocks.
#[derive(Debug)]
pub struct Served {
    /// The acquirer and relay, when started here.
    pub acquirer: Option<RunningAcquirer>,
    /// The terminals.
    pub terminals: Vec<RunningTerminal>,
    relay_url: String,
}

/// A URL a process on this host can reach a listener at: an unspecified address (`0.0.0.0`,
/// `[::]`) is reached on loopback.
pub fn local_url(addr: SocketAddr) -> String {
    let mut addr = addr;
    if addr.ip().is_unspecified() {
        addr.set_ip(if addr.is_ipv4() {
            std::net::Ipv4Addr::LOCALHOST.into()
        } else {
            std::net::Ipv6Addr::LOCALHOST.into()
        });
    }
    format!("http://{addr}")
}

impl Served {
    /// What an integrator needs to know, one fact a line.
    pub fn banner(&self, opts: &ServeOptions) -> String {
        let mut lines = Vec::new();
        if let Some(acquirer) = &self.acquirer {
            let a = acquirer.uri();
            lines.extend([
                format!("mock-acquirer listening on {a}"),
                format!("  raw API       POST {a}/pos/v1/transaction, POST {a}/pos/v1/refund"),
                format!("  cloud relay   {a}/terminal/v1/{{serial}}/sync/{{operation}}"),
                format!("  admin         {a}/__admin/"),
                format!("  credential    Private-Credential-Id: {}", opts.credential),
            ]);
            if let Some(https) = acquirer.tls_uri() {
                lines.push(format!("  HTTPS         {https}"));
            }
        } else {
            lines.push(format!("acquirer and relay at {}", self.relay_url));
        }
        let r = &self.relay_url;
        for (t, spec) in self.terminals.iter().zip(&opts.terminals) {
            lines.push(format!(
                "mock-terminal {} ({}, {}) listening on {}",
                t.serial(),
                spec.country.as_str(),
                spec.model.name(),
                t.uri()
            ));
            lines.push(format!(
                "  LAN           {}/terminal/v1/sync/{{operation}}",
                t.uri()
            ));
            if let Some(https) = t.tls_uri() {
                lines.push(format!(
                    "  HTTPS         {https}/terminal/v1/sync/{{operation}}"
                ));
            }
            lines.push(format!(
                "  cloud         {r}/terminal/v1/{}/sync/{{operation}}",
                t.serial()
            ));
        }
        if let Some((_, ca)) = &opts.tls {
            lines.push(format!(
                "CA certificate  {} (also at /__admin/tls/ca.pem)",
                ca.display()
            ));
        }
        lines.push(format!("Business-Code   {}", opts.business_code));
        lines.push("Ctrl-C stops everything and flushes the journal.".into());
        lines.join("\n")
    }

    /// Stops every mock and flushes the journal.
    pub async fn shutdown(self) {
        for t in self.terminals {
            t.shutdown().await;
        }
        if let Some(a) = self.acquirer {
            a.shutdown().await;
        }
    }
}

/// Starts the mocks.
pub async fn serve(opts: &ServeOptions) -> std::io::Result<Served> {
    let tls = opts.tls.as_ref().map(|(tls, _)| tls.clone());
    // The store's mocks trust their own CA on every hop between them, and any CA given.
    let trust = match (&tls, &opts.trust_ca_pem) {
        (Some(t), Some(extra)) => Some(format!("{}\n{extra}", t.ca_pem())),
        (Some(t), None) => Some(t.ca_pem()),
        (None, extra) => extra.clone(),
    };
    let (acquirer, acquirer_url, relay_url) = match &opts.acquirer {
        AcquirerSide::Local(listen, tls_listen) => {
            let acquirer = mock_acquirer::spawn(mock_acquirer::Config {
                listen: *listen,
                tls_listen: *tls_listen,
                tls: tls.clone(),
                trust_ca_pem: trust.clone(),
                credentials: vec![opts.credential.clone()],
                clock_mode: opts.clock,
                start_time: opts.start_time,
                journal_file: opts.journal.clone(),
                ..mock_acquirer::Config::default()
            })
            .await?;
            let url = local_url(acquirer.addr());
            (Some(acquirer), url.clone(), url)
        }
        AcquirerSide::Remote {
            acquirer_url,
            relay_url,
        } => (None, acquirer_url.clone(), relay_url.clone()),
    };
    let mut terminals = Vec::new();
    for spec in &opts.terminals {
        let t = mock_terminal::spawn(mock_terminal::Config {
            listen: spec.listen,
            tls_listen: spec.tls,
            tls: tls.clone(),
            trust_ca_pem: trust.clone(),
            serial: spec.serial.clone(),
            business_code: opts.business_code.clone(),
            acquirer_url: acquirer_url.clone(),
            acquirer_credential: opts.credential.clone(),
            cloud_url: Some(relay_url.clone()),
            model: spec.model,
            country: spec.country,
            clock_mode: opts.clock,
            start_time: opts.start_time,
            shared_clock: acquirer.as_ref().map(|a| a.state().clock.clone()),
            journal_file: opts.journal.clone(),
            ..mock_terminal::Config::default()
        })
        .await?;
        terminals.push(t);
    }
    if acquirer.is_some() {
        for t in &terminals {
            t.wait_for_cloud(std::time::Duration::from_secs(5)).await;
        }
    }
    Ok(Served {
        acquirer,
        terminals,
        relay_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terminal_spec_names_its_market_and_model() {
        let spec: TerminalSpec =
            "PB04209860189@0.0.0.0:6868,country=chl,model=p2se,tls=0.0.0.0:6869"
                .parse()
                .unwrap();
        assert_eq!(spec.tls, Some("0.0.0.0:6869".parse().unwrap()));
        assert_eq!(spec.serial, "PB04209860189");
        assert_eq!(spec.listen, "0.0.0.0:6868".parse().unwrap());
        assert_eq!(spec.country, Country::Chile);
        assert_eq!(spec.model, DeviceModel::P2Se);
        let plain: TerminalSpec = "T1@127.0.0.1:0".parse().unwrap();
        assert_eq!(
            (plain.country, plain.model),
            (Country::Peru, DeviceModel::P3)
        );
    }

    #[test]
    fn a_bad_terminal_spec_says_what_is_wrong() {
        for (text, needle) in [
            ("T1", "SERIAL@ADDR"),
            ("@127.0.0.1:1", "serial is empty"),
            ("T1@nowhere", "address `nowhere`"),
            ("T1@127.0.0.1:1,country=ARG", "country `ARG`"),
            ("T1@127.0.0.1:1,model=p9", "unknown model"),
            ("T1@127.0.0.1:1,colour=red", "unknown option `colour=red`"),
            ("T1@127.0.0.1:1,tls=x", "tls address `x`"),
        ] {
            let err = text.parse::<TerminalSpec>().unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn an_unspecified_listen_address_is_reached_on_loopback() {
        assert_eq!(
            local_url("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080"
        );
        assert_eq!(local_url("[::]:8080".parse().unwrap()), "http://[::1]:8080");
        assert_eq!(
            local_url("192.0.2.1:8080".parse().unwrap()),
            "http://192.0.2.1:8080"
        );
    }
}
