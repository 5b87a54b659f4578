//! The server's house limits ([`kushki_mock_support::server::Limits`]): each one is hit on a small
//! router started on port 0, the answer is checked against the envelope of the API the path
//! belongs to, and the server is shown to keep answering afterwards.

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Path;
use axum::routing::{get, post};
use bytes::Bytes;
use kushki_mock_support::body::MAX_BODY_BYTES;
use kushki_mock_support::server::{Limits, RunningServer};
use kushki_protocol::schemas::{self, SchemaKind};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One route per envelope family, a slow one, and two whose extractors refuse in plain text.
fn router() -> Router {
    Router::new()
        .route("/pos/v1/transaction", post(|| async { "{}" }))
        .route("/terminal/v1/charge", post(|| async { "{}" }))
        .route("/__admin/health", get(|| async { "{}" }))
        .route(
            "/__admin/echo",
            post(|body: Bytes| async move { body.len().to_string() }),
        )
        .route(
            "/terminal/v1/held",
            get(|| async { axum::http::StatusCode::GATEWAY_TIMEOUT }),
        )
        .route(
            "/pos/v1/slow/{ms}",
            get(|Path(ms): Path<u64>| async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                "done"
            }),
        )
}

async fn start(limits: Limits) -> RunningServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    RunningServer::start_with(listener, router(), limits).unwrap()
}

fn client() -> reqwest::Client {
    // reqwest with rustls needs a process-wide crypto provider (DESIGN.md pitfalls).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn health(server: &RunningServer) {
    let r = client()
        .get(format!("{}/__admin/health", server.uri()))
        .send()
        .await
        .expect("the server still answers");
    assert_eq!(r.status(), 200, "health after the limit was hit");
}

/// Checks the envelope of `path`'s family and returns the message it carries.
#[track_caller]
fn envelope(path: &str, status: u16, body: &Value) -> String {
    if path.starts_with("/__admin/") {
        assert!(
            body["error"]["message"].is_string() && body["error"]["field"].is_string(),
            "admin envelope on {path} (HTTP {status}): {body}"
        );
        return body["error"]["message"].as_str().unwrap().to_string();
    }
    let kind = if path.starts_with("/terminal/") {
        SchemaKind::ConnectLinkFailure
    } else {
        SchemaKind::RawError
    };
    if let Err(v) = schemas::validate(kind, body) {
        panic!(
            "{path} (HTTP {status}) answers outside {kind}: {}\n{body}",
            schemas::violations_message(&v)
        );
    }
    match kind {
        SchemaKind::RawError => body["details"]["Message"].as_str().unwrap().to_string(),
        _ => body["message"].as_str().unwrap().to_string(),
    }
}

async fn send(
    server: &RunningServer,
    method: reqwest::Method,
    path: &str,
    big_header: usize,
) -> (u16, Value) {
    let mut req = client().request(method, format!("{}{path}", server.uri()));
    if big_header > 0 {
        req = req.header("x-padding", "a".repeat(big_header));
    }
    let resp = req.send().await.expect("an answer");
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test]
async fn a_request_head_over_the_limit_gets_the_envelope_of_its_api() {
    let server = start(Limits::default()).await;
    let cases = [
        (reqwest::Method::POST, "/pos/v1/transaction", 430),
        (reqwest::Method::POST, "/terminal/v1/charge", 431),
        (reqwest::Method::GET, "/__admin/health", 431),
    ];
    for (method, path, expected) in cases {
        let (status, body) = send(&server, method.clone(), path, 20 * 1024).await;
        assert_eq!(status, expected, "{path} with a 20 KiB header: {body}");
        let message = envelope(path, status, &body);
        assert!(
            message.contains("16384"),
            "{path}: the answer names the limit: {message}"
        );
        // Just under the limit is served.
        let (status, _) = send(&server, method, path, 15 * 1024).await;
        assert_eq!(status, 200, "{path} with a 15 KiB header is served");
    }
    health(&server).await;
}

#[tokio::test]
async fn a_request_head_over_the_hard_cap_is_refused_unread_and_the_server_goes_on() {
    let server = start(Limits::default()).await;
    let hard = Limits::default().hard_header_bytes();
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    let head = format!(
        "GET /__admin/health HTTP/1.1\r\nhost: x\r\nx-padding: {}\r\n\r\n",
        "a".repeat(hard + 1024)
    );
    // The server may close before the whole head is written; what it answered is what matters.
    let _ = tcp.write_all(head.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.starts_with("HTTP/1.1 431"),
        "hyper refuses a {} byte head with 431: {text:?}",
        head.len()
    );
    // Too many header fields: the same.
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    let fields: String = (0..150).map(|i| format!("x-f{i}: 1\r\n")).collect();
    let head = format!("GET /__admin/health HTTP/1.1\r\nhost: x\r\n{fields}\r\n");
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut answer)).await;
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 431"),
        "150 header fields: {:?}",
        String::from_utf8_lossy(&answer)
    );
    health(&server).await;
}

/// Opens a keep-alive connection that has been served once, so it holds a connection slot.
async fn held_connection(server: &RunningServer) -> TcpStream {
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    tcp.write_all(b"GET /__admin/health HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf))
        .await
        .expect("an answer on the held connection")
        .unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    tcp
}

#[tokio::test]
async fn connections_over_the_limit_get_503_in_the_envelope_until_a_slot_frees() {
    let limits = Limits {
        max_connections: 2,
        ..Limits::default()
    };
    let server = start(limits).await;
    let first = held_connection(&server).await;
    let _second = held_connection(&server).await;
    for (method, path) in [
        (reqwest::Method::POST, "/pos/v1/transaction"),
        (reqwest::Method::POST, "/terminal/v1/charge"),
        (reqwest::Method::GET, "/__admin/health"),
    ] {
        let (status, body) = send(&server, method, path, 0).await;
        assert_eq!(status, 503, "{path} over the connection limit: {body}");
        let message = envelope(path, status, &body);
        assert!(message.contains("2 open connections"), "{message}");
    }
    drop(first);
    // The slot frees when the server notices the close.
    let mut served = false;
    for _ in 0..100 {
        let (status, _) = send(&server, reqwest::Method::GET, "/__admin/health", 0).await;
        if status == 200 {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served, "a freed slot is used again");
}

#[tokio::test]
async fn a_request_not_answered_in_time_gets_408_in_the_envelope() {
    let limits = Limits {
        request_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = start(limits).await;
    let started = Instant::now();
    let (status, body) = send(&server, reqwest::Method::GET, "/pos/v1/slow/20000", 0).await;
    assert_eq!(status, 408, "{body}");
    envelope("/pos/v1/slow/20000", status, &body);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        started.elapsed()
    );
    let (status, _) = send(&server, reqwest::Method::GET, "/pos/v1/slow/50", 0).await;
    assert_eq!(status, 200, "a request within the timeout is served");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_head_is_disconnected() {
    let limits = Limits {
        header_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = start(limits).await;
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    tcp.write_all(b"GET /__admin/health HTTP/1.1\r\nhost: x\r\nx-slow: ")
        .await
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut rest)).await;
    assert!(
        read.is_ok(),
        "the connection was still open after 5 s (header read timeout 300 ms)"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    health(&server).await;
}

/// Reads one HTTP/1.1 answer (head and a `content-length` body) from `tcp`: its head and body.
async fn read_answer(tcp: &mut TcpStream) -> (String, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .map_or(0, |v| v.trim().parse().unwrap());
            while buf.len() < end + 4 + length {
                let n = tcp.read(&mut chunk).await.unwrap();
                assert!(n > 0, "the connection closed inside an answer");
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).to_string();
            return (head, body);
        }
        let n = tcp.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the connection closed before an answer");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Whether the server has closed `tcp` (within five seconds).
async fn closed_by_server(tcp: &mut TcpStream) -> bool {
    let mut rest = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut rest))
        .await
        .is_ok_and(|r| r.is_ok_and(|_| rest.is_empty()))
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_read_timeout() {
    let limits = Limits {
        header_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = start(limits).await;
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    tcp.write_all(b"GET /__admin/health HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let (head, _) = read_answer(&mut tcp).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let answered = Instant::now();
    assert!(
        closed_by_server(&mut tcp).await,
        "an idle connection was still open after 5 s (header read timeout 300 ms)"
    );
    let idle = answered.elapsed();
    assert!(
        idle >= Duration::from_millis(250),
        "closed after {idle:?} of idleness, before the 300 ms limit"
    );
}

#[tokio::test]
async fn a_busy_connection_outlives_the_header_read_timeout() {
    // Requests every 100 ms for over a second on one connection, with a 300 ms limit: the limit
    // counts from each answer, not from the connection's start.
    let limits = Limits {
        header_read_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = start(limits).await;
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    for i in 0..12 {
        tcp.write_all(b"GET /__admin/health HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let (head, _) = read_answer(&mut tcp).await;
        assert!(head.starts_with("HTTP/1.1 200"), "request {i}: {head}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // And a request slower than the header read timeout is still answered: in flight, it is
    // held to the request timeout.
    tcp.write_all(b"GET /pos/v1/slow/600 HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let (head, body) = read_answer(&mut tcp).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(body, "done");
}

#[tokio::test]
async fn a_body_that_never_arrives_gets_408_in_the_envelope() {
    let limits = Limits {
        request_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let server = start(limits).await;
    let mut tcp = TcpStream::connect(server.addr()).await.unwrap();
    // 100 bytes announced, 10 sent.
    tcp.write_all(
        b"POST /__admin/echo HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789",
    )
    .await
    .unwrap();
    let started = Instant::now();
    let (head, body) = read_answer(&mut tcp).await;
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    assert!(started.elapsed() < Duration::from_secs(3));
    let body: Value = serde_json::from_str(&body).unwrap();
    let message = envelope("/__admin/echo", 408, &body);
    assert!(message.contains("request timeout"), "{message}");
    health(&server).await;
}

#[tokio::test]
async fn extractor_rejections_are_rewritten_into_the_envelope() {
    let server = start(Limits::default()).await;
    let resp = client()
        .post(format!("{}/__admin/echo", server.uri()))
        .body(vec![b'a'; MAX_BODY_BYTES + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400, "an admin body over the limit");
    let body: Value = resp.json().await.unwrap();
    let message = envelope("/__admin/echo", 400, &body);
    assert!(message.contains(&MAX_BODY_BYTES.to_string()), "{message}");

    let (status, body) = send(&server, reqwest::Method::GET, "/pos/v1/slow/abc", 0).await;
    assert_eq!(status, 400, "{body}");
    envelope("/pos/v1/slow/abc", status, &body);

    // A held request let go at shutdown answers an empty 504: the envelope is added.
    let (status, body) = send(&server, reqwest::Method::GET, "/terminal/v1/held", 0).await;
    assert_eq!(status, 504, "{body}");
    envelope("/terminal/v1/held", status, &body);
}

#[tokio::test]
async fn shutdown_lets_an_exchange_in_flight_finish() {
    let server = start(Limits::default()).await;
    let url = format!("{}/pos/v1/slow/300", server.uri());
    let call = tokio::spawn(async move { client().get(url).send().await.map(|r| r.status()) });
    tokio::time::sleep(Duration::from_millis(100)).await;
    tokio::time::timeout(Duration::from_secs(5), server.shutdown())
        .await
        .expect("shutdown ends once the exchange is answered");
    let status = call
        .await
        .unwrap()
        .expect("the exchange in flight is answered");
    assert_eq!(status, 200);
}
