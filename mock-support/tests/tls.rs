//! HTTPS listeners ([`RunningServer::start_tls`] with a [`Tls`] CA): clients that trust the CA
//! are served, with certificate verification on in every test; clients that do not are refused
//! promptly; and bad input at the TLS layer (plain HTTP, a truncated handshake, a client
//! certificate nobody asked for) gets a clean outcome while the server keeps serving.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use kushki_mock_support::server::{Limits, RunningServer};
use kushki_mock_support::tls::Tls;
use rustls::pki_types::ServerName;
use rustls::pki_types::pem::PemObject as _;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The handshake bound of these tests (the header read timeout): short, so that a truncated
/// handshake is seen to be closed without waiting the default minute.
const BOUND: Duration = Duration::from_millis(400);

fn router() -> Router {
    Router::new().route("/__admin/health", get(|| async { "{\"status\":\"ok\"}" }))
}

async fn start(tls: &Tls) -> RunningServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = tls
        .server_config_for(addr)
        .expect("a leaf for the listener");
    let limits = Limits {
        header_read_timeout: BOUND,
        ..Limits::default()
    };
    RunningServer::start_tls(listener, router(), limits, config).unwrap()
}

fn store_ca() -> Tls {
    Tls::generate()
        .expect("a CA")
        .with_sans(["pos.store.example".to_string()])
}

/// A client that trusts the store's CA and nothing else, verification on.
fn trusting(tls: &Tls) -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(tls.ca_pem().as_bytes()).unwrap())
        .timeout(Duration::from_secs(10))
}

async fn health(client: &reqwest::Client, url: &str) {
    let r = client
        .get(format!("{url}/__admin/health"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}/__admin/health over HTTPS: {e:?}"));
    assert_eq!(r.status(), 200, "health over HTTPS at {url}");
}

#[tokio::test]
async fn a_client_trusting_the_ca_is_served_at_every_name_the_leaf_carries() {
    let tls = store_ca();
    let server = start(&tls).await;
    assert!(server.uri().starts_with("https://"), "{}", server.uri());
    let port = server.addr().port();
    let client = trusting(&tls)
        .resolve("pos.store.example", server.addr())
        .build()
        .unwrap();
    for url in [
        server.uri(),
        format!("https://127.0.0.1:{port}"),
        format!("https://localhost:{port}"),
        format!("https://pos.store.example:{port}"),
    ] {
        health(&client, &url).await;
    }
}

#[tokio::test]
async fn a_name_the_leaf_does_not_carry_is_refused() {
    let tls = Tls::generate().unwrap();
    let server = start(&tls).await;
    let client = trusting(&tls)
        .resolve("elsewhere.example", server.addr())
        .build()
        .unwrap();
    let url = format!("https://elsewhere.example:{}", server.addr().port());
    let err = client
        .get(format!("{url}/__admin/health"))
        .send()
        .await
        .expect_err("a leaf that does not name elsewhere.example must not verify");
    assert!(err.is_connect(), "a TLS failure at connect, got {err:?}");
}

#[tokio::test]
async fn a_client_not_trusting_the_ca_gets_a_tls_error_promptly() {
    let server = start(&Tls::generate().unwrap()).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The public roots only, as any client before it is told of the store's CA.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let began = Instant::now();
    let err = client
        .get(format!("{}/__admin/health", server.uri()))
        .send()
        .await
        .expect_err("an unknown CA must not verify");
    assert!(
        format!("{err:?}").contains("UnknownIssuer"),
        "the error names the unknown issuer: {err:?}"
    );
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "refused after {:?}: a verification failure is immediate",
        began.elapsed()
    );
}

#[tokio::test]
async fn plain_http_on_the_https_port_is_answered_400_and_the_server_keeps_serving() {
    let tls = store_ca();
    let server = start(&tls).await;
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    tcp.write_all(b"GET /__admin/health HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer))
        .await
        .expect("the answer and the close come within 5 s")
        .expect("read");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 400 "), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("connection: close"),
        "{text}"
    );
    let body: Value = serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap_or(""))
        .unwrap_or_else(|e| panic!("a JSON body: {e}: {text}"));
    assert_eq!(body["error"]["field"], "scheme", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("https://")),
        "{body}"
    );
    // The raw API's envelope on a raw API path.
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    tcp.write_all(b"POST /pos/v1/transaction HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.contains("\"code\":\"E001\""), "{text}");
    health(&trusting(&tls).build().unwrap(), &server.uri()).await;
}

#[tokio::test]
async fn a_truncated_handshake_is_closed_within_the_bound_and_the_server_keeps_serving() {
    let tls = store_ca();
    let server = start(&tls).await;
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    // A handshake record announcing 512 bytes of ClientHello, of which 40 come; then silence.
    let mut half = vec![
        0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03,
    ];
    half.resize(40, 0x2a);
    tcp.write_all(&half).await.unwrap();
    let began = Instant::now();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut rest)).await;
    let held = began.elapsed();
    assert!(
        read.is_ok(),
        "the connection was still open after 5 s (bound {BOUND:?})"
    );
    assert!(
        held >= BOUND - Duration::from_millis(50),
        "closed after {held:?}, before the {BOUND:?} bound"
    );
    health(&trusting(&tls).build().unwrap(), &server.uri()).await;
}

#[tokio::test]
async fn a_client_certificate_nobody_asked_for_gets_a_clean_answer() {
    let tls = store_ca();
    let server = start(&tls).await;
    // A client identity of its own, offered on every handshake.
    let ident = rcgen::generate_simple_self_signed(vec!["pos-client".to_string()]).unwrap();
    let key =
        rustls::pki_types::PrivateKeyDer::try_from(ident.signing_key.serialize_der()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(
            rustls::pki_types::CertificateDer::from_pem_slice(tls.ca_pem().as_bytes())
                .expect("the CA as DER"),
        )
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(kushki_mock_support::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(vec![ident.cert.der().clone()], key)
        .unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let addr: SocketAddr = server.addr();
    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut stream = tokio::time::timeout(
        Duration::from_secs(5),
        connector.connect(ServerName::try_from("localhost").unwrap(), tcp),
    )
    .await
    .expect("the handshake ends within 5 s")
    .expect("the server completes the handshake without asking for the certificate");
    stream
        .write_all(b"GET /__admin/health HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    health(&trusting(&tls).build().unwrap(), &server.uri()).await;
}

#[tokio::test]
async fn processes_of_one_store_share_one_ca() {
    // One process generates the CA; another is given its certificate and key and issues its own
    // leaf; a client trusting the one CA is served by both.
    let first = store_ca();
    let second = Tls::from_ca_pem(&first.ca_pem(), first.ca_key_pem().unwrap()).unwrap();
    let (a, b) = (start(&first).await, start(&second).await);
    let client = trusting(&first).build().unwrap();
    health(&client, &a.uri()).await;
    health(&client, &b.uri()).await;
}
