//! Host names resolved in Rust, for outbound connections that do not go through reqwest (whose
//! `hickory-dns` feature does the same for its calls): the terminal's WebSocket link to the relay.
//!
//! Why not the system resolver: a static glibc binary in a `FROM scratch` container cannot load
//! glibc's name-service modules, so `getaddrinfo` fails there. hickory reads `/etc/resolv.conf`
//! (and `/etc/hosts`), and falls back to its default configuration when the file is missing.
//! IP literals and `localhost` never reach DNS.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::OnceLock;

use hickory_resolver::TokioResolver;
use hickory_resolver::config::ResolverConfig;
use hickory_resolver::name_server::TokioConnectionProvider;

/// The addresses to dial for `host:port`: the literal itself, loopback for `localhost`
/// (RFC 6761), else hickory's answer.
pub async fn resolve(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    if let Some(addrs) = without_dns(host, port) {
        return Ok(addrs);
    }
    let lookup = resolver()
        .lookup_ip(host)
        .await
        .map_err(|e| io::Error::other(format!("resolving {host}: {e}")))?;
    let addrs: Vec<SocketAddr> = lookup.iter().map(|ip| SocketAddr::new(ip, port)).collect();
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{host} has no address"),
        ));
    }
    Ok(addrs)
}

/// Connects to the first address of `host:port` that answers.
pub async fn connect(host: &str, port: u16) -> io::Result<tokio::net::TcpStream> {
    let mut last = None;
    for addr in resolve(host, port).await? {
        match tokio::net::TcpStream::connect(addr).await {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, host.to_string())))
}

/// The answer for a host that needs no DNS: an IP literal (bracketed or not) or `localhost`.
fn without_dns(host: &str, port: u16) -> Option<Vec<SocketAddr>> {
    if let Ok(ip) = host.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Some(vec![SocketAddr::new(ip, port)]);
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (host == "localhost" || host.ends_with(".localhost")).then(|| {
        vec![
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
        ]
    })
}

/// One resolver per process, built on first use: from `/etc/resolv.conf`, or hickory's default
/// configuration when that cannot be read.
fn resolver() -> &'static TokioResolver {
    static RESOLVER: OnceLock<TokioResolver> = OnceLock::new();
    RESOLVER.get_or_init(|| match TokioResolver::builder_tokio() {
        Ok(builder) => builder.build(),
        Err(e) => {
            tracing::debug!(error = %e, "no usable /etc/resolv.conf: hickory's default configuration");
            TokioResolver::builder_with_config(
                ResolverConfig::default(),
                TokioConnectionProvider::default(),
            )
            .build()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_and_localhost_never_reach_dns() {
        let v4 = without_dns("192.0.2.1", 443).expect("a literal");
        assert_eq!(v4, vec!["192.0.2.1:443".parse().unwrap()]);
        let v6 = without_dns("[::1]", 443).expect("a bracketed literal");
        assert_eq!(v6, vec!["[::1]:443".parse().unwrap()]);
        let local = without_dns("LocalHost.", 6869).expect("localhost");
        assert!(
            local.contains(&"127.0.0.1:6869".parse().unwrap()),
            "{local:?}"
        );
        assert!(without_dns("uat-cloudt.example", 443).is_none());
    }
}
