//! The terminal's link to the cloud relay: a WebSocket to the relay's
//! `/terminal/v1/{serial}/link` that carries POS requests in and answers out
//! ([`kushki_protocol::relay`]). It reconnects after a drop, with a bounded back-off.
//!
//! The link dials its TCP stream itself: the relay's host is resolved in Rust
//! ([`kushki_mock_support::dns`], no glibc name service in a scratch image), and for `wss://` the
//! stream is wrapped in TLS trusting the public roots plus the store's CA (`--trust-ca`) before
//! the WebSocket handshake runs on it.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::http::Method;
use futures::{SinkExt, StreamExt};
use kushki_mock_support::tls::client_config;
use kushki_protocol::relay::{RelayRequest, RelayResponse, link_path};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;

use crate::connect::{Incoming, Outgoing, Via, handle};
use crate::state::AppState;

/// The ws:// URL of the link for a relay base URL.
pub fn link_url(cloud_url: &str, serial: &str) -> String {
    let base = cloud_url.trim_end_matches('/');
    let base = base
        .strip_prefix("https://")
        .map(|r| format!("wss://{r}"))
        .or_else(|| base.strip_prefix("http://").map(|r| format!("ws://{r}")))
        .unwrap_or_else(|| base.to_string());
    format!("{base}{}", link_path(serial))
}

/// Holds the link until shutdown, reconnecting after drops.
pub async fn run(state: Arc<AppState>, cloud_url: String) {
    let url = link_url(&cloud_url, &state.config.serial);
    let tls = match client_config(state.config.trust_ca_pem.as_deref(), true) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "the trusted CA is unusable: the cloud link trusts the public roots only");
            match client_config(None, true) {
                Ok(c) => c,
                Err(_) => return,
            }
        }
    };
    let mut backoff = Duration::from_millis(50);
    loop {
        let connected = tokio::select! {
            c = tokio::time::timeout(Duration::from_secs(5), connect(&url, &tls)) => c,
            _ = state.shutdown.notified() => return,
        };
        if let Ok(Err(e)) = &connected {
            tracing::debug!(error = %e, url = %url, "cloud link not connected");
        }
        match connected {
            Ok(Ok(socket)) => {
                backoff = Duration::from_millis(50);
                state.cloud_online.store(true, Ordering::SeqCst);
                serve(&state, socket).await;
                state.cloud_online.store(false, Ordering::SeqCst);
            }
            _ => backoff = (backoff * 2).min(Duration::from_secs(2)),
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = state.shutdown.notified() => return,
        }
    }
}

/// The stream under the link: TCP, or TLS over TCP.
trait LinkIo: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> LinkIo for T {}

type Link = WebSocketStream<Box<dyn LinkIo>>;

/// Resolves the relay's host, connects, adds TLS for `wss://`, and runs the WebSocket handshake.
async fn connect(
    url: &str,
    tls: &Arc<rustls::ClientConfig>,
) -> Result<Link, Box<dyn std::error::Error + Send + Sync>> {
    let request = url.into_client_request()?;
    let uri = request.uri().clone();
    let secure = uri.scheme_str() == Some("wss");
    let host = uri.host().ok_or("the cloud URL has no host")?;
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    let tcp = kushki_mock_support::dns::connect(host, port).await?;
    let _ = tcp.set_nodelay(true);
    let io: Box<dyn LinkIo> = if secure {
        let name = ServerName::try_from(host.trim_matches(['[', ']']).to_string())?;
        Box::new(
            tokio_rustls::TlsConnector::from(tls.clone())
                .connect(name, tcp)
                .await?,
        )
    } else {
        Box::new(tcp)
    };
    let (socket, _) = tokio_tungstenite::client_async(request, io).await?;
    Ok(socket)
}

async fn serve(state: &Arc<AppState>, socket: Link) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    // The relay's `/__admin/terminals/{serial}/…` requests reach the terminal's own admin routes.
    let admin = crate::startup::app(state.clone());
    let writer = async {
        while let Some(text) = rx.recv().await {
            if sink.send(Message::Text(text.into())).await.is_err() {
                break;
            }
        }
    };
    let reader = async {
        while let Some(Ok(frame)) = stream.next().await {
            let Message::Text(text) = frame else {
                if matches!(frame, Message::Close(_)) {
                    break;
                }
                continue;
            };
            let Ok(req) = serde_json::from_str::<RelayRequest>(text.as_str()) else {
                continue;
            };
            // Each request runs on its own, so a busy terminal still answers TER-003 to the next.
            let state = state.clone();
            let tx = tx.clone();
            if req.route.starts_with("__admin/") {
                let admin = admin.clone();
                tokio::spawn(async move {
                    let frame = admin_over_link(admin, req).await;
                    let _ = tx.send(serde_json::to_string(&frame).unwrap_or_default());
                });
                continue;
            }
            tokio::spawn(async move {
                let id = req.id;
                let incoming = Incoming {
                    method: req.method.parse().unwrap_or(Method::POST),
                    route: req.route,
                    query: req.query,
                    authorization: req.authorization,
                    timestamp: req.timestamp,
                    body: req.body.into(),
                    via: Via::Cloud,
                };
                let (status, body) = match handle(&state, incoming).await {
                    Outgoing::Answer(s, b) => (s, b),
                    // A dropped or held answer never reaches the relay, which times out.
                    Outgoing::Drop | Outgoing::Hang => return,
                };
                let frame = RelayResponse { id, status, body };
                let _ = tx.send(serde_json::to_string(&frame).unwrap_or_default());
            });
        }
    };
    tokio::select! {
        _ = writer => {}
        _ = reader => {}
        _ = state.shutdown.notified() => {}
    }
}

/// Answers an admin request the relay carried over the link (`__admin/…` routes only) with the
/// terminal's own admin router, as if it had arrived on the LAN.
async fn admin_over_link(admin: axum::Router, req: RelayRequest) -> RelayResponse {
    use tower::ServiceExt as _;
    let uri = match &req.query {
        Some(q) => format!("/{}?{q}", req.route),
        None => format!("/{}", req.route),
    };
    let mut builder = axum::http::Request::builder()
        .method(req.method.as_str())
        .uri(uri);
    if let Some(ct) = &req.content_type {
        builder = builder.header(axum::http::header::CONTENT_TYPE, ct);
    }
    let (status, body) = match builder.body(axum::body::Body::from(req.body)) {
        Ok(request) => match admin.oneshot(request).await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let bytes = axum::body::to_bytes(
                    resp.into_body(),
                    kushki_mock_support::body::MAX_BODY_BYTES,
                )
                .await
                .unwrap_or_default();
                (status, String::from_utf8_lossy(&bytes).into_owned())
            }
            Err(e) => match e {},
        },
        Err(e) => (
            400,
            serde_json::json!({"error": {"field": "path", "message": e.to_string()}}).to_string(),
        ),
    };
    RelayResponse {
        id: req.id,
        status,
        body,
    }
}
