//! HTTPS for the mocks, as Kushki serves it: the terminal on 6869 beside its plain 6868 (Kushki's
//! newer Colombia page), the acquirer's raw API and cloud relay as `api-uat` and `uat-cloudt` do.
//!
//! A POS under test must verify the certificate it is shown, or the test proves nothing about
//! its TLS. So a mock never serves a self-signed leaf: a [`Tls`] holds a certificate authority
//! (generated at start, or loaded from PEM so that the processes of one store share it) and
//! issues each listener a leaf naming every address it listens on, the host name and any names
//! given. Clients trust the CA once (`curl --cacert`, `NODE_EXTRA_CA_CERTS`,
//! `REQUESTS_CA_BUNDLE`), from the file [`Tls::write_ca`] writes or from
//! `GET /__admin/tls/ca.pem`. A fixed certificate chain and key can be given instead
//! ([`Tls::from_cert_pem`]); then every listener shows that chain.
//!
//! One crypto provider, ring, as everywhere else in the tree: every config is built with it
//! explicitly, never from the process default.
//!
//! Which names a leaf carries ([`Tls::leaf_names`]): `localhost`, `127.0.0.1` and `::1` always;
//! the host name (`HOSTNAME`, else `/etc/hostname`); the names given with [`Tls::with_sans`]; the
//! listen address itself; and for an unspecified listen address (`0.0.0.0`, `::`) every local
//! address the kernel lists in `/proc/net/fib_trie` and `/proc/net/if_inet6` (Linux; elsewhere
//! the names given must cover what clients dial).

use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// A civil date as rcgen's validity bound (midnight UTC; rcgen does not name its time type).
macro_rules! ymd {
    ($d:expr $(,)?) => {{
        let d: jiff::civil::Date = $d;
        rcgen::date_time_ymd(i32::from(d.year()), d.month() as u8, d.day() as u8)
    }};
}

/// The protocol offered in ALPN: the mocks serve HTTP/1.1 only.
pub const ALPN_HTTP1: &[u8] = b"http/1.1";

/// Days a generated leaf is valid from the day before it is issued (within the 398 days browsers
/// and Apple's clients accept for a server certificate).
const LEAF_DAYS: i64 = 365;
/// Years a generated CA is valid.
const CA_YEARS: i64 = 10;

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A PEM input held no certificate, or no key, or something that is not PEM.
    #[error("{what}: {message}")]
    Pem {
        /// Which input.
        what: &'static str,
        /// What was wrong.
        message: String,
    },
    /// rcgen refused to generate or sign a certificate.
    #[error("certificate generation: {0}")]
    Generate(#[from] rcgen::Error),
    /// rustls refused the certificate and key.
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Where a listener's certificate comes from.
enum Identity {
    /// A CA that issues each listener its own leaf.
    Ca {
        issuer: Box<Issuer<'static, KeyPair>>,
        cert: CertificateDer<'static>,
        /// Kept only for a generated CA, so that [`Tls::ca_key_pem`] can hand it to other
        /// processes of the store.
        key_pem: Option<String>,
    },
    /// A fixed chain (leaf first) and its key, shown by every listener.
    Fixed {
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    },
}

/// The certificate authority of a store of mocks (or a fixed certificate), issuing server
/// configs. Cheap to share behind an `Arc`; every process or in-process mock of one store uses
/// the same one, so a client trusts one CA for all of them.
pub struct Tls {
    identity: Identity,
    /// Names every leaf carries beyond the defaults (`--tls-san`).
    extra_sans: Vec<String>,
}

impl fmt::Debug for Tls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.identity {
            Identity::Ca { key_pem: None, .. } => "loaded CA",
            Identity::Ca { .. } => "generated CA",
            Identity::Fixed { .. } => "fixed certificate",
        };
        f.debug_struct("Tls")
            .field("identity", &kind)
            .field("extra_sans", &self.extra_sans)
            .finish_non_exhaustive()
    }
}

impl Tls {
    /// A new CA (ECDSA P-256), valid ten years, named after the host and the time so that two
    /// stores' CAs are told apart in a trust store.
    pub fn generate() -> Result<Tls, TlsError> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, "Kushki conformance mocks");
        let stamp = jiff::Timestamp::now().as_second();
        dn.push(
            DnType::CommonName,
            format!(
                "Kushki mock CA {} {stamp}",
                host_name().unwrap_or_else(|| "localhost".into())
            ),
        );
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let today = today_utc();
        params.not_before = ymd!(today.yesterday().unwrap_or(today));
        params.not_after = ymd!(
            today
                .checked_add(jiff::Span::new().years(CA_YEARS))
                .unwrap_or(today),
        );
        let cert = params.self_signed(&key)?;
        let key_pem = key.serialize_pem();
        Ok(Tls {
            identity: Identity::Ca {
                issuer: Box::new(Issuer::new(params, key)),
                cert: cert.der().clone(),
                key_pem: Some(key_pem),
            },
            extra_sans: Vec::new(),
        })
    }

    /// A CA given as PEM (its certificate, and its PKCS#8 private key), issuing leaves in its own
    /// name: how the processes of one store share one CA.
    pub fn from_ca_pem(cert_pem: &str, key_pem: &str) -> Result<Tls, TlsError> {
        let cert = CertificateDer::from_pem_slice(cert_pem.as_bytes())
            .map_err(|e| pem("CA certificate", e))?;
        let key = KeyPair::from_pem(key_pem).map_err(|e| TlsError::Pem {
            what: "CA key",
            message: format!("{e} (a PKCS#8 \"PRIVATE KEY\" is expected)"),
        })?;
        let issuer = Box::new(Issuer::from_ca_cert_der(&cert, key)?);
        Ok(Tls {
            identity: Identity::Ca {
                issuer,
                cert,
                key_pem: None,
            },
            extra_sans: Vec::new(),
        })
    }

    /// A fixed certificate chain (leaf first) and its private key, shown by every listener;
    /// [`Tls::ca_pem`] is then the chain's last certificate.
    pub fn from_cert_pem(chain_pem: &str, key_pem: &str) -> Result<Tls, TlsError> {
        let chain = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| pem("certificate", e))?;
        if chain.is_empty() {
            return Err(TlsError::Pem {
                what: "certificate",
                message: "no CERTIFICATE block".into(),
            });
        }
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| pem("key", e))?;
        Ok(Tls {
            identity: Identity::Fixed { chain, key },
            extra_sans: Vec::new(),
        })
    }

    /// Names (host names or IP literals) every leaf carries beyond the defaults (`--tls-san`).
    pub fn with_sans(mut self, sans: impl IntoIterator<Item = String>) -> Tls {
        self.extra_sans.extend(sans);
        self
    }

    /// The certificate a client trusts, as PEM: the CA, or the top of a fixed chain.
    pub fn ca_pem(&self) -> String {
        let der = match &self.identity {
            Identity::Ca { cert, .. } => cert,
            Identity::Fixed { chain, .. } => chain.last().unwrap_or(&chain[0]),
        };
        pem_block("CERTIFICATE", der.as_ref())
    }

    /// The private key of a CA generated here, as PKCS#8 PEM, so that other processes of the
    /// store can be started with it (`--tls-ca-key`); `None` for a loaded CA or a fixed
    /// certificate.
    pub fn ca_key_pem(&self) -> Option<&str> {
        match &self.identity {
            Identity::Ca { key_pem, .. } => key_pem.as_deref(),
            Identity::Fixed { .. } => None,
        }
    }

    /// Writes [`Tls::ca_pem`] to `path`.
    pub fn write_ca(&self, path: &Path) -> Result<(), TlsError> {
        std::fs::write(path, self.ca_pem()).map_err(|source| TlsError::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Every name a leaf for a listener on `listen` carries (see the module doc).
    pub fn leaf_names(&self, listen: SocketAddr) -> Vec<String> {
        let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
        names.extend(host_name());
        names.extend(self.extra_sans.iter().cloned());
        if listen.ip().is_unspecified() {
            names.extend(local_addresses().iter().map(IpAddr::to_string));
        } else {
            names.push(listen.ip().to_string());
        }
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(normalise(n)));
        names
    }

    /// A server config for a listener on `listen`: a leaf naming [`Tls::leaf_names`].
    pub fn server_config_for(&self, listen: SocketAddr) -> Result<Arc<ServerConfig>, TlsError> {
        self.server_config(&self.leaf_names(listen))
    }

    /// A server config whose leaf names exactly `sans` (IP SANs for IP literals, DNS SANs
    /// otherwise), issued by the CA; with a fixed certificate, that certificate. ALPN
    /// `http/1.1`, no client authentication.
    pub fn server_config(&self, sans: &[String]) -> Result<Arc<ServerConfig>, TlsError> {
        let (chain, key) = match &self.identity {
            Identity::Ca { issuer, cert, .. } => {
                let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
                let mut params = CertificateParams::default();
                params.subject_alt_names = sans
                    .iter()
                    .map(|s| match s.trim_matches(['[', ']']).parse::<IpAddr>() {
                        Ok(ip) => Ok(SanType::IpAddress(ip)),
                        Err(_) => Ok(SanType::DnsName(s.clone().try_into()?)),
                    })
                    .collect::<Result<_, rcgen::Error>>()?;
                let mut dn = DistinguishedName::new();
                dn.push(
                    DnType::CommonName,
                    sans.first().cloned().unwrap_or_else(|| "localhost".into()),
                );
                params.distinguished_name = dn;
                params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
                params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
                params.use_authority_key_identifier_extension = true;
                let today = today_utc();
                params.not_before = ymd!(today.yesterday().unwrap_or(today));
                params.not_after = ymd!(
                    today
                        .checked_add(jiff::Span::new().days(LEAF_DAYS))
                        .unwrap_or(today),
                );
                let leaf = params.signed_by(&key, issuer)?;
                let key_der =
                    PrivateKeyDer::try_from(key.serialize_der()).map_err(|e| TlsError::Pem {
                        what: "generated key",
                        message: e.to_string(),
                    })?;
                (vec![leaf.der().clone(), cert.clone()], key_der)
            }
            Identity::Fixed { chain, key } => (chain.clone(), key.clone_key()),
        };
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        config.alpn_protocols = vec![ALPN_HTTP1.to_vec()];
        Ok(Arc::new(config))
    }

    /// A client config trusting only this store's CA (for tests and in-process clients).
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        client_config(Some(&self.ca_pem()), false)
    }
}

/// A client config for outbound calls: the public roots (as reqwest trusts them) when
/// `public_roots`, plus the CA in `extra_ca_pem` (the store's CA, `--trust-ca`). ALPN
/// `http/1.1`.
pub fn client_config(
    extra_ca_pem: Option<&str>,
    public_roots: bool,
) -> Result<Arc<ClientConfig>, TlsError> {
    let mut roots = RootCertStore::empty();
    if public_roots {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    if let Some(pem_text) = extra_ca_pem {
        for cert in CertificateDer::pem_slice_iter(pem_text.as_bytes()) {
            roots.add(cert.map_err(|e| pem("trusted CA", e))?)?;
        }
    }
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![ALPN_HTTP1.to_vec()];
    Ok(Arc::new(config))
}

/// The tree's one crypto provider.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Reads a PEM file for a flag, naming the file in the error.
pub fn read_pem(path: &Path) -> Result<String, TlsError> {
    std::fs::read_to_string(path).map_err(|source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The TLS flags of a mock binary or of `serve` (flatten it into a clap parser), resolved into
/// one [`Tls`] by [`TlsOptions::build`]: a fixed certificate, else a given CA, else a generated
/// one. The environment variables are the same for every process, so a store's processes can
/// share them.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TlsOptions {
    /// A fixed certificate chain for the HTTPS listeners, PEM, leaf first (with --tls-key);
    /// otherwise a CA issues each listener a leaf.
    #[arg(long = "tls-cert", env = "KUSHKI_MOCK_TLS_CERT", requires = "key")]
    pub cert: Option<PathBuf>,
    /// The fixed certificate's private key, PEM.
    #[arg(long = "tls-key", env = "KUSHKI_MOCK_TLS_KEY", requires = "cert")]
    pub key: Option<PathBuf>,
    /// A CA certificate (PEM) that issues the leaves, shared by the processes of one store (with
    /// --tls-ca-key); a new CA is generated when absent.
    #[arg(
        long = "tls-ca-cert",
        env = "KUSHKI_MOCK_TLS_CA_CERT",
        requires = "ca_key"
    )]
    pub ca_cert: Option<PathBuf>,
    /// That CA's private key, PKCS#8 PEM.
    #[arg(
        long = "tls-ca-key",
        env = "KUSHKI_MOCK_TLS_CA_KEY",
        requires = "ca_cert"
    )]
    pub ca_key: Option<PathBuf>,
    /// Another name (host name or IP) for every leaf, beyond localhost, loopback, the host name
    /// and the listen addresses (repeatable).
    #[arg(long = "tls-san", env = "KUSHKI_MOCK_TLS_SAN", value_delimiter = ',')]
    pub sans: Vec<String>,
    /// Where the CA certificate clients trust is written on start (`curl --cacert FILE`); a
    /// file in the temporary directory when absent.
    #[arg(long = "ca-file", env = "KUSHKI_MOCK_CA_FILE")]
    pub ca_file: Option<PathBuf>,
    /// Also trust this CA (PEM) on outbound HTTPS: webhooks, the acquirer hop, the cloud link.
    #[arg(long = "trust-ca", env = "KUSHKI_MOCK_TRUST_CA")]
    pub trust_ca: Option<PathBuf>,
}

impl TlsOptions {
    /// The [`Tls`] these options name, with the CA written to `ca_file` when given.
    pub fn build(&self) -> Result<Tls, TlsError> {
        let tls = match (&self.cert, &self.key, &self.ca_cert, &self.ca_key) {
            (Some(cert), Some(key), _, _) => Tls::from_cert_pem(&read_pem(cert)?, &read_pem(key)?)?,
            (None, None, Some(cert), Some(key)) => {
                Tls::from_ca_pem(&read_pem(cert)?, &read_pem(key)?)?
            }
            (None, None, None, None) => Tls::generate()?,
            _ => {
                return Err(TlsError::Pem {
                    what: "TLS flags",
                    message: "give --tls-cert with --tls-key, or --tls-ca-cert with --tls-ca-key, \
                              not one without the other nor both pairs"
                        .into(),
                });
            }
        };
        let tls = tls.with_sans(self.sans.iter().cloned());
        if let Some(path) = &self.ca_file {
            tls.write_ca(path)?;
        }
        Ok(tls)
    }

    /// [`TlsOptions::build`], writing the CA to `ca_file` or, when absent, to
    /// `$TMPDIR/{program}-{pid}-ca.pem`; returns the file too, to be printed on start.
    pub fn build_and_write(&self, program: &str) -> Result<(Tls, PathBuf), TlsError> {
        let path = self.ca_file.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("{program}-{}-ca.pem", std::process::id()))
        });
        let tls = TlsOptions {
            ca_file: Some(path.clone()),
            ..self.clone()
        }
        .build()?;
        Ok((tls, path))
    }

    /// The PEM text of `--trust-ca`, if given.
    pub fn trust_ca_pem(&self) -> Result<Option<String>, TlsError> {
        self.trust_ca.as_deref().map(read_pem).transpose()
    }
}

fn pem(what: &'static str, e: rustls_pki_types::pem::Error) -> TlsError {
    TlsError::Pem {
        what,
        message: e.to_string(),
    }
}

/// A PEM block, 64 columns (RFC 7468).
fn pem_block(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Today's UTC date (certificates are checked against real time, never the mocks' clock).
fn today_utc() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// Names compared without case, and IP literals in their canonical spelling.
fn normalise(name: &str) -> String {
    match name.trim_matches(['[', ']']).parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => name.to_ascii_lowercase(),
    }
}

/// The host name: `HOSTNAME`, else `/etc/hostname`.
pub fn host_name() -> Option<String> {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && rcgen::string::Ia5String::try_from(h.as_str()).is_ok())
}

/// The machine's own addresses, as Linux lists them: the `/32 host LOCAL` entries of
/// `/proc/net/fib_trie` and every line of `/proc/net/if_inet6`, and the IPv4 default gateway of
/// `/proc/net/route`. Empty elsewhere.
///
/// The gateway is there for containers (harness-defined): a port the engine publishes is reached
/// through the Docker host's address on the bridge, which is the container's gateway; clients in
/// sibling containers and testcontainers' "gateway" mode connect to it by that address.
pub fn local_addresses() -> Vec<IpAddr> {
    let mut out = Vec::new();
    if let Ok(routes) = std::fs::read_to_string("/proc/net/route") {
        out.extend(default_gateways(&routes));
    }
    if let Ok(trie) = std::fs::read_to_string("/proc/net/fib_trie") {
        let mut last: Option<IpAddr> = None;
        for line in trie.lines() {
            let t = line.trim_start_matches([' ', '|', '+', '-']).trim();
            if let Ok(ip) = t.parse::<IpAddr>() {
                last = Some(ip);
            } else if t.starts_with("/32 host LOCAL")
                && let Some(ip) = last
                && !out.contains(&ip)
            {
                out.push(ip);
            }
        }
    }
    if let Ok(v6) = std::fs::read_to_string("/proc/net/if_inet6") {
        for line in v6.lines() {
            let Some(hex) = line.split_whitespace().next() else {
                continue;
            };
            if let Ok(n) = u128::from_str_radix(hex, 16) {
                let ip = IpAddr::V6(Ipv6Addr::from(n));
                if !out.contains(&ip) {
                    out.push(ip);
                }
            }
        }
    }
    out
}

/// The default routes' gateways of a `/proc/net/route` table (`Iface Destination Gateway …`,
/// addresses in hex as the kernel stores them: little-endian on the machines this runs on).
fn default_gateways(routes: &str) -> Vec<IpAddr> {
    let mut out = Vec::new();
    for line in routes.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.get(1) == Some(&"00000000")
            && let Some(Ok(gw)) = fields.get(2).map(|g| u32::from_str_radix(g, 16))
            && gw != 0
        {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(gw.to_le_bytes()));
            if !out.contains(&ip) {
                out.push(ip);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_gateway_is_read_from_the_route_table() {
        let table = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\n\
                     eth0\t00000000\t010011AC\t0003\t0\t0\t0\t00000000\n\
                     eth0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\n";
        assert_eq!(
            default_gateways(table),
            vec!["172.17.0.1".parse::<IpAddr>().unwrap()]
        );
    }

    #[test]
    fn a_leaf_names_loopback_the_listen_address_and_the_sans_given() {
        let tls = Tls::generate()
            .expect("CA")
            .with_sans(["pos.example".to_string()]);
        let names = tls.leaf_names("192.0.2.7:6869".parse().expect("addr"));
        for want in ["localhost", "127.0.0.1", "::1", "pos.example", "192.0.2.7"] {
            assert!(
                names.iter().any(|n| n == want),
                "{want} missing from {names:?}"
            );
        }
    }

    #[test]
    fn an_unspecified_listen_address_names_the_local_addresses() {
        let tls = Tls::generate().expect("CA");
        let names = tls.leaf_names("0.0.0.0:6869".parse().expect("addr"));
        assert!(!names.iter().any(|n| n == "0.0.0.0"), "{names:?}");
        for ip in local_addresses() {
            assert!(
                names.contains(&ip.to_string()),
                "{ip} missing from {names:?}"
            );
        }
    }

    #[test]
    fn a_generated_ca_reloaded_from_pem_issues_a_leaf() {
        let tls = Tls::generate().expect("CA");
        let key = tls
            .ca_key_pem()
            .expect("a generated CA keeps its key")
            .to_string();
        let again = Tls::from_ca_pem(&tls.ca_pem(), &key).expect("reload");
        assert_eq!(again.ca_pem(), tls.ca_pem());
        again
            .server_config(&["localhost".into()])
            .expect("a leaf from the reloaded CA");
    }

    #[test]
    fn half_a_pair_of_flags_is_refused() {
        let opts = TlsOptions {
            cert: Some("/nonexistent.pem".into()),
            ..TlsOptions::default()
        };
        assert!(matches!(opts.build(), Err(TlsError::Pem { .. })));
    }
}
