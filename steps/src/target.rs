//! Targets: what the suite drives. Steps never build URLs; a target does.
//!
//! | target | what | capabilities |
//! |---|---|---|
//! | `mock` (default) | embedded mocks on port 0, started per scenario: Connect features once per topology (LAN, localhost, cloud), raw features against the acquirer | all |
//! | `lan://IP:PORT`, `lan://https://IP:6869` | a terminal on the LAN (`KUSHKI_SERIAL`, `KUSHKI_BUSINESS_CODE`) | none, unless it answers `/__admin/health` (one of these mocks) |
//! | `cloud://HOST[:PORT]`, `cloud://http(s)://HOST[:PORT]` | the cloud relay (`https` unless the host is loopback or the scheme says), serial from `--serial` or `KUSHKI_SERIAL` | as above, probed on the relay |
//! | `localhost[:PORT]` | a POS app on the terminal itself (port 6868 by default, harness-defined H-localhost) | as above |
//! | `acquirer://URL` | the raw API at URL (`KUSHKI_PRIVATE_CREDENTIAL_ID`) | as above |
//!
//! Capabilities are what a scenario may need beyond the public API: `@virtual-time` (setting the
//! clock), `@scripted-card` (choosing what the customer does), `@faults` (behaviours). A scenario
//! needing one its target lacks is skipped with the reason, never counted as passed; with
//! `--interactive`, scripted cards are asked of the operator instead.
//!
//! HTTPS targets are verified against the system's roots plus the CA in `--ca-cert`
//! (`KUSHKI_CA_CERT`): the mocks' generated CA, say. Verification is never switched off.

use std::fmt;

/// A path a POS takes to the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topology {
    /// `http://{terminal}:6868/terminal/v1/{op}`.
    Lan,
    /// The same API on the device itself.
    Localhost,
    /// `https://{cloud}/terminal/v1/{serial}/sync/{op}`.
    Cloud,
    /// The raw card-present API, not Connect.
    Acquirer,
}

impl Topology {
    /// Lower-case name (`lan`).
    pub fn as_str(self) -> &'static str {
        match self {
            Topology::Lan => "lan",
            Topology::Localhost => "localhost",
            Topology::Cloud => "cloud",
            Topology::Acquirer => "acquirer",
        }
    }

    /// Whether it speaks Kushki ONE Connect (rather than the raw API).
    pub fn is_connect(self) -> bool {
        self != Topology::Acquirer
    }
}

/// Control a scenario may need beyond the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// `@virtual-time`: set and advance the clock.
    VirtualTime,
    /// `@scripted-card`: script what the customer does at the reader.
    ScriptedCard,
    /// `@faults`: inject faults and switch rules off.
    Faults,
}

impl Capability {
    /// The tag that asks for it.
    pub fn tag(self) -> &'static str {
        match self {
            Capability::VirtualTime => "virtual-time",
            Capability::ScriptedCard => "scripted-card",
            Capability::Faults => "faults",
        }
    }

    /// Every capability.
    pub const ALL: [Capability; 3] = [
        Capability::VirtualTime,
        Capability::ScriptedCard,
        Capability::Faults,
    ];
}

/// What the suite runs against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Embedded mocks.
    Mock,
    /// A terminal on the LAN: its base URL, `http://IP:PORT` (or `https://IP:PORT`).
    Lan(String),
    /// A cloud relay base URL.
    Cloud(String),
    /// A terminal's API on localhost, at this port.
    Localhost(u16),
    /// An acquirer's raw API base URL.
    Acquirer(String),
}

/// The localhost port when none is given (the terminal's LAN port; harness-defined, ref §5 #6).
pub const DEFAULT_LOCALHOST_PORT: u16 = 6868;

/// A target string that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown target `{0}`: use mock, lan://IP:PORT, cloud://HOST, localhost[:PORT] or acquirer://URL"
)]
pub struct TargetError(pub String);

impl std::str::FromStr for Target {
    type Err = TargetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || TargetError(s.to_string());
        if s == "mock" {
            return Ok(Target::Mock);
        }
        if let Some(addr) = s.strip_prefix("lan://") {
            let (scheme, addr) = split_scheme(addr);
            let addr = addr.trim_end_matches('/');
            let scheme = scheme.unwrap_or("http");
            return if addr.is_empty() {
                Err(err())
            } else if addr
                .rsplit_once(':')
                .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
            {
                Ok(Target::Lan(format!("{scheme}://{addr}")))
            } else {
                let port = if scheme == "https" { 6869 } else { 6868 };
                Ok(Target::Lan(format!("{scheme}://{addr}:{port}")))
            };
        }
        if let Some(host) = s.strip_prefix("cloud://") {
            let (explicit, host) = split_scheme(host);
            let host = host.trim_end_matches('/');
            if host.is_empty() {
                return Err(err());
            }
            if let Some(scheme) = explicit {
                return Ok(Target::Cloud(format!("{scheme}://{host}")));
            }
            let scheme = if host.starts_with("127.")
                || host.starts_with("localhost")
                || host.starts_with("[::1]")
            {
                "http"
            } else {
                "https"
            };
            return Ok(Target::Cloud(format!("{scheme}://{host}")));
        }
        if let Some(rest) = s.strip_prefix("localhost") {
            return match rest.strip_prefix(':') {
                Some(port) => port.parse().map(Target::Localhost).map_err(|_| err()),
                None if rest.is_empty() => Ok(Target::Localhost(DEFAULT_LOCALHOST_PORT)),
                None => Err(err()),
            };
        }
        if let Some(url) = s.strip_prefix("acquirer://") {
            if url.is_empty() {
                return Err(err());
            }
            let url = if url.starts_with("http://") || url.starts_with("https://") {
                url.to_string()
            } else {
                format!("https://{url}")
            };
            return Ok(Target::Acquirer(url.trim_end_matches('/').to_string()));
        }
        Err(err())
    }
}

/// `https://rest` → (`https`, `rest`); `http://rest` likewise; anything else has no scheme.
fn split_scheme(s: &str) -> (Option<&'static str>, &str) {
    if let Some(rest) = s.strip_prefix("https://") {
        (Some("https"), rest)
    } else if let Some(rest) = s.strip_prefix("http://") {
        (Some("http"), rest)
    } else {
        (None, s)
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Mock => f.write_str("mock"),
            Target::Lan(a) => write!(f, "lan://{}", a.trim_start_matches("http://")),
            // With its scheme, so that what is printed parses back to the same target.
            Target::Cloud(u) => write!(f, "cloud://{u}"),
            Target::Localhost(p) => write!(f, "localhost:{p}"),
            Target::Acquirer(u) => write!(f, "acquirer://{u}"),
        }
    }
}

impl Target {
    /// The topologies the target runs, in order.
    pub fn topologies(&self) -> Vec<Topology> {
        match self {
            Target::Mock => vec![
                Topology::Lan,
                Topology::Localhost,
                Topology::Cloud,
                Topology::Acquirer,
            ],
            Target::Lan(_) => vec![Topology::Lan],
            Target::Cloud(_) => vec![Topology::Cloud],
            Target::Localhost(_) => vec![Topology::Localhost],
            Target::Acquirer(_) => vec![Topology::Acquirer],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_form_parses_and_prints_back() {
        for (text, expected) in [
            ("mock", Target::Mock),
            (
                "lan://192.0.2.10:6868",
                Target::Lan("http://192.0.2.10:6868".into()),
            ),
            (
                "lan://192.0.2.10",
                Target::Lan("http://192.0.2.10:6868".into()),
            ),
            (
                "lan://https://192.0.2.10:6869",
                Target::Lan("https://192.0.2.10:6869".into()),
            ),
            (
                "lan://https://192.0.2.10",
                Target::Lan("https://192.0.2.10:6869".into()),
            ),
            (
                "cloud://https://127.0.0.1:8443",
                Target::Cloud("https://127.0.0.1:8443".into()),
            ),
            (
                "cloud://http://relay.store:8080",
                Target::Cloud("http://relay.store:8080".into()),
            ),
            (
                "cloud://uat-cloudt.kushkipagos.com",
                Target::Cloud("https://uat-cloudt.kushkipagos.com".into()),
            ),
            (
                "cloud://127.0.0.1:8080",
                Target::Cloud("http://127.0.0.1:8080".into()),
            ),
            ("localhost", Target::Localhost(6868)),
            ("localhost:7000", Target::Localhost(7000)),
            (
                "acquirer://https://api-uat.kushkipagos.com",
                Target::Acquirer("https://api-uat.kushkipagos.com".into()),
            ),
            (
                "acquirer://http://127.0.0.1:8080/",
                Target::Acquirer("http://127.0.0.1:8080".into()),
            ),
        ] {
            assert_eq!(text.parse::<Target>().unwrap(), expected, "{text}");
        }
        for bad in [
            "",
            "lan://",
            "lan://https://",
            "ftp://x",
            "localhost:x",
            "cloud://",
            "cloud://https://",
        ] {
            assert!(bad.parse::<Target>().is_err(), "{bad}");
        }
    }
}
