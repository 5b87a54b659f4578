//! Binding and running a mock: port 0 in tests, a handle that knows its address, the house
//! [`Limits`], graceful shutdown on request or on drop.
//!
//! Each connection is served by hyper's HTTP/1.1 server directly (with upgrades, for the relay's
//! WebSocket links) rather than through `axum::serve`, so that the limits below can be set and so
//! that a request refused by a limit still gets the envelope of the API it was addressed to:
//!
//! | limit | default | answer |
//! |---|---|---|
//! | request head (request line and headers) | [`DEFAULT_MAX_HEADER_BYTES`] | 430 (raw API, its documented status, ref §2.8) or 431, in the envelope |
//! | request head, hard cap | 4 × the above | hyper's bare 431, connection closed (the head is not read) |
//! | header fields | [`MAX_HEADER_FIELDS`] | hyper's bare 431, connection closed |
//! | open connections | [`DEFAULT_MAX_CONNECTIONS`] | 503 in the envelope, connection closed |
//! | time to answer a request | [`DEFAULT_REQUEST_TIMEOUT`] | 408 in the envelope |
//! | time to send a request head (and idle keep-alive) | [`DEFAULT_HEADER_READ_TIMEOUT`] | connection closed |
//! | request body | [`crate::body::MAX_BODY_BYTES`] | 400 in the envelope (each route reads its body with that limit) |
//!
//! "The envelope" is chosen by path, as each API documents its errors: `/__admin/…` answers the
//! admin API's `{"error":{"field","message"}}`, `/terminal/…` (Connect on a terminal, or the cloud
//! relay) the LinkFailure `{type, code, param, message}` in plain JSON (these limits act before any
//! authentication), and everything else the raw API's `{code, details{Origin, Message}, message}`.
//! The same goes for the rejections axum's extractors produce in plain text (a body over the limit
//! read as `Bytes`, a path that does not decode): they are rewritten into the path's envelope, so
//! no client fault is ever answered outside the documented shapes.
//!
//! An HTTPS listener ([`RunningServer::start_tls`]) shares the accept loop and the connection's
//! service; only the stream differs. Its handshake is bounded by the header read timeout (a
//! truncated ClientHello is closed, never held), a failed one closes that connection alone, and
//! plain HTTP arriving on it (its first byte is not a TLS handshake record) is answered 400 in
//! the path's envelope, saying the port speaks HTTPS, and closed.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::Poll;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::TokioIo;
use kushki_protocol::errors::{ConnectCode, RawErrorCode};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tower::{Layer as _, ServiceExt as _};

use crate::body::MAX_BODY_BYTES;

/// Open HTTP connections served at once. A WebSocket link stops counting once upgraded.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Largest request head (request line plus headers) answered normally. A Connect request's head
/// is under 1 KiB, a raw API request's under 2 KiB.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most header fields in one request (hyper's default).
pub const MAX_HEADER_FIELDS: usize = 100;
/// Longest a request may take to be answered. Above every legitimate wait: the relay's 120 s
/// for a terminal's answer, the terminal's reader and acquirer timeouts (60 s of clock each, plus
/// a reverse), and the raw API's "approved with delay" test amounts.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(300);
/// Longest a client may take to send a request head, and to keep an idle connection open
/// between requests (less than reqwest's 90 s pool idle timeout would be kinder to clients'
/// pools; more than any pause between two steps of a test).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Connections over the limit that are still answered their 503; beyond these they are closed
/// at once, so that a flood costs no more than a bounded amount of work.
const OVERFLOW_ANSWERED: usize = 64;
/// Longest an over-the-limit connection is kept to answer its 503.
const OVERFLOW_TIMEOUT: Duration = Duration::from_secs(5);
/// The first byte of a TLS connection: a handshake record (RFC 8446 §5.1).
const TLS_HANDSHAKE_RECORD: u8 = 0x16;
/// Most of a plain-HTTP request read on an HTTPS port before it is answered, and how long the
/// rest is drained after the answer (closing with unread input would reset the connection and
/// could lose the answer).
const PLAIN_ON_TLS_READ: usize = 16 * 1024;
const PLAIN_ON_TLS_DRAIN: Duration = Duration::from_secs(1);

/// The house limits of a mock server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Open HTTP connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Largest request head answered normally; up to four times as much is answered 430/431 in
    /// the envelope, more is refused by hyper itself.
    pub max_header_bytes: usize,
    /// Longest a request may take to be answered (408 in the envelope after it).
    pub request_timeout: Duration,
    /// Longest a client may take to send a request head, or leave a connection idle.
    pub header_read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
        }
    }
}

impl Limits {
    /// The hard cap on a request head, past which hyper refuses it unread.
    pub fn hard_header_bytes(&self) -> usize {
        self.max_header_bytes.saturating_mul(4).max(8 * 1024)
    }
}

/// A running mock server.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    /// Whether the listener speaks HTTPS (for [`RunningServer::uri`]).
    tls: bool,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    /// Serves `router` on an already bound listener, with the default [`Limits`], until shut
    /// down.
    pub fn start(listener: TcpListener, router: Router) -> std::io::Result<RunningServer> {
        RunningServer::start_with(listener, router, Limits::default())
    }

    /// Serves `router` on an already bound listener with explicit limits.
    pub fn start_with(
        listener: TcpListener,
        router: Router,
        limits: Limits,
    ) -> std::io::Result<RunningServer> {
        RunningServer::start_inner(listener, router, limits, None)
    }

    /// Serves `router` over HTTPS on an already bound listener, with `config`'s certificate
    /// ([`crate::tls::Tls::server_config_for`]). The handshake must end within
    /// [`Limits::header_read_timeout`].
    pub fn start_tls(
        listener: TcpListener,
        router: Router,
        limits: Limits,
        config: Arc<rustls::ServerConfig>,
    ) -> std::io::Result<RunningServer> {
        RunningServer::start_inner(listener, router, limits, Some(TlsAcceptor::from(config)))
    }

    /// Binds `addr` and serves `router` over HTTPS with the default [`Limits`].
    pub async fn bind_tls(
        addr: SocketAddr,
        router: Router,
        config: Arc<rustls::ServerConfig>,
    ) -> std::io::Result<RunningServer> {
        let listener = TcpListener::bind(addr).await?;
        RunningServer::start_tls(listener, router, Limits::default(), config)
    }

    fn start_inner(
        listener: TcpListener,
        router: Router,
        limits: Limits,
        tls: Option<TlsAcceptor>,
    ) -> std::io::Result<RunningServer> {
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let secure = tls.is_some();
        let task = tokio::spawn(serve(listener, router, limits, tls, rx));
        Ok(RunningServer {
            addr,
            tls: secure,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// Binds `addr` (use port 0 for any free port) and serves `router`.
    pub async fn bind(addr: SocketAddr, router: Router) -> std::io::Result<RunningServer> {
        let listener = TcpListener::bind(addr).await?;
        RunningServer::start(listener, router)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, or `https://ADDR` for an HTTPS listener.
    pub fn uri(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Whether this listener speaks HTTPS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Stops accepting, lets in-flight exchanges finish, and waits.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Waits until the server stops (for binaries: after a signal has called `shutdown`).
    pub async fn wait(mut self) -> std::io::Result<()> {
        match self.task.take() {
            Some(task) => task.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }

    /// A sender that shuts the server down, for a signal handler.
    pub fn take_shutdown(&mut self) -> Option<oneshot::Sender<()>> {
        self.shutdown.take()
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The accept loop: one task per connection, at most `max_connections` served, graceful
/// shutdown (stop accepting, let every connection finish its exchange, wait for them). With
/// `tls`, each connection's handshake runs in its own task before it is served.
async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    tls: Option<TlsAcceptor>,
    mut stop: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    // Extractors that buffer (`Bytes`, `String`) stop where the routes that read `Body` do. The
    // limit wraps the router from outside, and the guards live in `watched`: layered onto the
    // router, each layer was boxed and cloned around every route for every request.
    let app: App = DefaultBodyLimit::max(MAX_BODY_BYTES).layer(router);
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let overflow = Arc::new(Semaphore::new(OVERFLOW_ANSWERED));
    // `stopping` tells connections to finish; `alive` closes when the last of them is gone.
    let (stopping_tx, stopping) = watch::channel(false);
    let (alive, mut all_gone) = mpsc::channel::<()>(1);
    loop {
        let (stream, _remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Per-connection errors (reset before accept) are the client's; anything
                    // else (out of file descriptors) is waited out rather than spun on.
                    if !matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionAborted
                            | std::io::ErrorKind::ConnectionReset
                            | std::io::ErrorKind::ConnectionRefused
                    ) {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        match permits.clone().try_acquire_owned() {
            Ok(permit) => {
                let app = app.clone();
                let stopping = stopping.clone();
                let alive = alive.clone();
                match &tls {
                    None => {
                        tokio::spawn(async move {
                            serve_connection(stream, app, limits, stopping).await;
                            drop(permit);
                            drop(alive);
                        });
                    }
                    Some(acceptor) => {
                        let acceptor = acceptor.clone();
                        tokio::spawn(async move {
                            if let Some(stream) = handshake(&acceptor, stream, &limits).await {
                                serve_connection(stream, app, limits, stopping).await;
                            }
                            drop(permit);
                            drop(alive);
                        });
                    }
                }
            }
            Err(_) => match overflow.clone().try_acquire_owned() {
                Ok(permit) => {
                    let tls = tls.clone();
                    tokio::spawn(async move {
                        let _ = tokio::time::timeout(OVERFLOW_TIMEOUT, async {
                            match tls {
                                None => answer_overloaded(stream, limits).await,
                                Some(acceptor) => {
                                    if let Some(s) = handshake(&acceptor, stream, &limits).await {
                                        answer_overloaded(s, limits).await;
                                    }
                                }
                            }
                        })
                        .await;
                        drop(permit);
                    });
                }
                // A flood past the overflow allowance: closed unanswered.
                Err(_) => drop(stream),
            },
        }
    }
    drop(listener);
    let _ = stopping_tx.send(true);
    drop(alive);
    let _ = all_gone.recv().await;
    Ok(())
}

/// hyper's HTTP/1.1 server with the head limits. It gets no timer: both time limits are kept by
/// the connection's [`Watchdog`] instead. hyper's own header read timeout allocated and
/// registered a new timer for every request, and `tokio::time::timeout` around each request
/// registered another; the watchdog's one timer per connection is re-armed only when it fires.
fn http1(limits: &Limits) -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .max_header_size(limits.hard_header_bytes())
        .max_headers(MAX_HEADER_FIELDS);
    builder
}

/// What a connection's watchdog decides when its timer fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Nothing has run out yet: look again at this instant.
    WaitUntil(Instant),
    /// No request head came within [`Limits::header_read_timeout`] of the connection's start or
    /// of the last answer: the connection is closed.
    CloseIdle,
    /// The request in flight has not been answered within [`Limits::request_timeout`]: it is
    /// answered 408 in its envelope.
    ExpireRequest,
}

/// The two time limits of one connection, kept with one timer that is re-armed only when it
/// fires, instead of one timer per request. The connection's service marks when each request
/// begins and ends; when the timer fires, the watchdog compares the current phase's start with
/// its limit: idle (or sending a head) against [`Limits::header_read_timeout`], a request in
/// flight against [`Limits::request_timeout`].
///
/// The service and the watchdog run in the connection's one task, never at the same time; the
/// atomics are there only because that task moves between threads.
#[derive(Debug)]
struct Watchdog {
    /// The connection's start; `since` counts from it.
    base: Instant,
    /// When the current phase began, in nanoseconds after `base`.
    since: AtomicU64,
    /// Whether a request is being served (from its parsed head to its answer).
    in_flight: AtomicBool,
    /// Set when the request in flight ran out of time; its service answers 408.
    expired: AtomicBool,
}

impl Watchdog {
    fn new(now: Instant) -> Watchdog {
        Watchdog {
            base: now,
            since: AtomicU64::new(0),
            in_flight: AtomicBool::new(false),
            expired: AtomicBool::new(false),
        }
    }

    fn mark(&self, now: Instant, in_flight: bool) {
        let nanos =
            u64::try_from(now.saturating_duration_since(self.base).as_nanos()).unwrap_or(u64::MAX);
        self.since.store(nanos, Ordering::Relaxed);
        self.in_flight.store(in_flight, Ordering::Relaxed);
    }

    /// A request's head has been read: its time starts.
    fn request_began(&self, now: Instant) {
        self.expired.store(false, Ordering::Relaxed);
        self.mark(now, true);
    }

    /// A request has been answered: the wait for the next head starts.
    fn request_ended(&self, now: Instant) {
        self.mark(now, false);
    }

    /// Whether the watchdog has given up on the request in flight (cleared when read).
    fn take_expired(&self) -> bool {
        self.expired.swap(false, Ordering::Relaxed)
    }

    /// What to do at `now`: wait until the current phase's deadline, close an idle connection,
    /// or give up on the request in flight (which also marks it expired, for `take_expired`).
    fn verdict(&self, now: Instant, limits: &Limits) -> Verdict {
        let in_flight = self.in_flight.load(Ordering::Relaxed);
        let limit = if in_flight {
            limits.request_timeout
        } else {
            limits.header_read_timeout
        };
        let since = self.base + Duration::from_nanos(self.since.load(Ordering::Relaxed));
        let deadline = since.checked_add(limit).unwrap_or(since + FAR_FUTURE);
        if now < deadline {
            Verdict::WaitUntil(deadline)
        } else if in_flight {
            self.expired.store(true, Ordering::Relaxed);
            Verdict::ExpireRequest
        } else {
            Verdict::CloseIdle
        }
    }
}

/// A deadline no connection reaches (a limit too large to add to an instant).
const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365);

/// What each connection serves: the router under the body limit of extractors that buffer.
type App = <DefaultBodyLimit as tower::Layer<Router>>::Service;

/// Every request passes here: its time is marked on the connection's watchdog (408 in the path's
/// envelope when the watchdog gives up on it first), its head's size is checked, and plain-text
/// rejections are rewritten into the path's envelope.
async fn watched(
    app: App,
    req: Request<hyper::body::Incoming>,
    watchdog: Arc<Watchdog>,
    limits: Limits,
) -> Result<Response, Infallible> {
    watchdog.request_began(Instant::now());
    // The URI is kept (a reference count, not a copy) for a refusal's envelope and the debug line.
    let uri = req.uri().clone();
    let method = req.method().clone();
    let size = head_size(&req);
    let resp = if size > limits.max_header_bytes {
        refusal(
            uri.path(),
            Refusal::HeadersTooLarge {
                size,
                limit: limits.max_header_bytes,
            },
        )
    } else {
        let mut answer = pin!(app.oneshot(req.map(Body::new)));
        let resp = std::future::poll_fn(|cx| {
            if let Poll::Ready(resp) = answer.as_mut().poll(cx) {
                return Poll::Ready(resp.unwrap_or_else(|never| match never {}));
            }
            if watchdog.take_expired() {
                tracing::warn!(path = %uri.path(), "request not answered within the request timeout");
                return Poll::Ready(refusal(
                    uri.path(),
                    Refusal::Timeout {
                        after: limits.request_timeout,
                    },
                ));
            }
            Poll::Pending
        })
        .await;
        in_envelope(uri.path(), resp).await
    };
    tracing::debug!(
        method = %method,
        path = %kushki_protocol::mask::mask_text(uri.path()),
        status = resp.status().as_u16(),
        "answered"
    );
    watchdog.request_ended(Instant::now());
    Ok(resp)
}

async fn serve_connection<S>(
    stream: S,
    app: App,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let watchdog = Arc::new(Watchdog::new(Instant::now()));
    let service = {
        let watchdog = watchdog.clone();
        hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
            watched(app.clone(), req, watchdog.clone(), limits)
        })
    };
    let builder = http1(&limits);
    let mut conn = pin!(
        builder
            .serve_connection(TokioIo::new(stream), service)
            .with_upgrades()
    );
    // The first look, and the next one after a request is given up on; otherwise the timer is
    // re-armed at the deadline the watchdog names.
    let look_after = limits.header_read_timeout.min(limits.request_timeout);
    let timer = tokio::time::sleep(look_after);
    let mut timer = pin!(timer);
    let mut asked = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::trace!(error = %e, "connection ended with an error");
                }
                return;
            }
            changed = stopping.wait_for(|s| *s), if !asked => {
                asked = true;
                if changed.is_ok() {
                    conn.as_mut().graceful_shutdown();
                }
            }
            () = timer.as_mut() => {
                let now = Instant::now();
                match watchdog.verdict(now, &limits) {
                    Verdict::WaitUntil(deadline) => timer.as_mut().reset(deadline),
                    Verdict::CloseIdle => {
                        tracing::trace!("no request head within the header read timeout: closed");
                        return;
                    }
                    // The next turn of the loop polls the connection, whose request then
                    // answers 408.
                    Verdict::ExpireRequest => {
                        timer.as_mut().reset(now + look_after);
                    }
                }
            }
        }
    }
}

/// The TLS handshake of one connection, bounded by the header read timeout: `None` (the
/// connection closed) when it fails, runs out of time, or is plain HTTP (answered first).
async fn handshake(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
    limits: &Limits,
) -> Option<tokio_rustls::server::TlsStream<TcpStream>> {
    let bounded = tokio::time::timeout(limits.header_read_timeout, async {
        let mut first = [0u8; 1];
        match stream.peek(&mut first).await {
            Ok(1) if first[0] == TLS_HANDSHAKE_RECORD => {}
            Ok(1) => {
                answer_plain_http(stream).await;
                return None;
            }
            _ => return None,
        }
        match acceptor.accept(stream).await {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::debug!(error = %e, "TLS handshake failed: connection closed");
                None
            }
        }
    })
    .await;
    bounded.unwrap_or_else(|_| {
        tracing::debug!("TLS handshake not finished within the header read timeout: closed");
        None
    })
}

/// Plain HTTP on an HTTPS port: 400 in the path's envelope naming the scheme, then closed.
async fn answer_plain_http(mut stream: TcpStream) {
    let mut buf = vec![0u8; PLAIN_ON_TLS_READ];
    let n = stream.read(&mut buf).await.unwrap_or(0);
    let head = String::from_utf8_lossy(&buf[..n]);
    let path = head
        .lines()
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or("/");
    let resp = refusal(path, Refusal::NotHttps);
    let status = resp.status();
    let body = axum::body::to_bytes(resp.into_body(), MAX_BODY_BYTES)
        .await
        .unwrap_or_default();
    let mut out = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Bad Request"),
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    if stream.write_all(&out).await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
    let _ = tokio::time::timeout(PLAIN_ON_TLS_DRAIN, async {
        while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// Serves one request on a connection over the limit: 503 in the path's envelope, then closes.
async fn answer_overloaded<S>(stream: S, limits: Limits)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
        let path = req.uri().path().to_string();
        async move {
            let mut resp = refusal(
                &path,
                Refusal::Overloaded {
                    limit: limits.max_connections,
                },
            );
            resp.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            Ok::<_, Infallible>(resp)
        }
    });
    let mut builder = http1(&limits);
    builder.keep_alive(false);
    let _ = builder
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// A request refused by one of the server's own limits (or by an extractor), before or instead
/// of its route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The request head is larger than [`Limits::max_header_bytes`].
    HeadersTooLarge {
        /// The head's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Every connection slot is taken.
    Overloaded {
        /// The limit.
        limit: usize,
    },
    /// The request was not answered within [`Limits::request_timeout`].
    Timeout {
        /// The limit.
        after: Duration,
    },
    /// Plain HTTP arrived on an HTTPS listener.
    NotHttps,
    /// An extractor refused the request in plain text, or a held request was let go at
    /// shutdown with an empty 504; `status` and the text are kept (a body over the limit becomes
    /// a 400, as every route answers it).
    Rejected {
        /// The extractor's status.
        status: StatusCode,
        /// The extractor's text.
        text: String,
    },
}

/// Which API's envelope a path answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Admin,
    Connect,
    Raw,
}

fn family(path: &str) -> Family {
    if path.starts_with("/__admin/") || path == "/__admin" {
        Family::Admin
    } else if path.starts_with("/terminal/") {
        Family::Connect
    } else {
        Family::Raw
    }
}

/// The origin named in raw API envelopes of the server's limits (harness-defined).
pub const LIMITS_ORIGIN: &str = "Request limits";

/// The answer to a [`Refusal`] on `path`, in the envelope of the API that path belongs to.
pub fn refusal(path: &str, refusal: Refusal) -> Response {
    let fam = family(path);
    let (status, message, param) = match &refusal {
        Refusal::HeadersTooLarge { size, limit } => (
            match fam {
                // ref §2.8 lists 430 "Request Header Fields Too Large" for the raw API.
                Family::Raw => StatusCode::from_u16(430).unwrap_or(StatusCode::BAD_REQUEST),
                _ => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            },
            format!("the request line and headers are {size} bytes; the limit is {limit}"),
            "headers",
        ),
        Refusal::Overloaded { limit } => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the mock is serving its limit of {limit} open connections; retry later"),
            "",
        ),
        Refusal::Timeout { after } => (
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request was not answered within {} s (the mock's request timeout)",
                after.as_secs()
            ),
            "",
        ),
        Refusal::NotHttps => (
            StatusCode::BAD_REQUEST,
            "this port speaks HTTPS: use https://".to_string(),
            "scheme",
        ),
        Refusal::Rejected { status, text } => {
            let status = if *status == StatusCode::PAYLOAD_TOO_LARGE {
                StatusCode::BAD_REQUEST
            } else {
                *status
            };
            let text = if text.contains("length limit") {
                format!("the request body exceeds {MAX_BODY_BYTES} bytes")
            } else {
                text.chars().take(200).collect()
            };
            (status, text, "")
        }
    };
    let body = match fam {
        Family::Admin => json!({"error": {"field": param, "message": message}}),
        Family::Connect => {
            let code = match &refusal {
                Refusal::Overloaded { .. } | Refusal::Timeout { .. } => ConnectCode::TerminalBusy,
                Refusal::Rejected { status, .. } if status.is_server_error() => {
                    ConnectCode::TerminalBusy
                }
                Refusal::Rejected { status, .. }
                    if *status == StatusCode::NOT_FOUND
                        || *status == StatusCode::METHOD_NOT_ALLOWED =>
                {
                    ConnectCode::UnknownOperation
                }
                _ => ConnectCode::InvalidField,
            };
            let mut failure = code.failure().with_message(message);
            if !param.is_empty() {
                failure = failure.with_param(param);
            }
            serde_json::to_value(failure).unwrap_or(Value::Null)
        }
        Family::Raw => {
            let code = match &refusal {
                Refusal::Overloaded { .. } | Refusal::Timeout { .. } => RawErrorCode::Unexpected,
                Refusal::Rejected { status, .. } if status.is_server_error() => {
                    RawErrorCode::Unexpected
                }
                _ => RawErrorCode::InvalidBody,
            };
            serde_json::to_value(code.body(LIMITS_ORIGIN, message)).unwrap_or(Value::Null)
        }
    };
    (status, axum::Json(body)).into_response()
}

/// Size of a request head as it came on the wire (request line, headers, blank line).
fn head_size<B>(req: &Request<B>) -> usize {
    let uri = req.uri();
    // The request target as written: an origin-form target is its path and query exactly.
    let target = match uri.path_and_query() {
        Some(pq) if uri.scheme().is_none() && uri.authority().is_none() => pq.as_str().len(),
        _ => uri.to_string().len(),
    };
    let line = req.method().as_str().len() + target + " HTTP/1.1\r\n".len() + 1;
    let headers: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    line + headers + 2
}

fn is_json(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"))
}

/// A client or server error answered in plain text (an extractor's rejection; a held request
/// let go at shutdown answers an empty 504) rewritten into the path's envelope; any other answer
/// as it is.
async fn in_envelope(path: &str, resp: Response) -> Response {
    let status = resp.status();
    if (status.is_client_error() || status.is_server_error()) && !is_json(&resp) {
        let text = match axum::body::to_bytes(resp.into_body(), 4096).await {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(_) => String::new(),
        };
        let text = if text.trim().is_empty() {
            status.canonical_reason().unwrap_or("refused").to_string()
        } else {
            text
        };
        return refusal(path, Refusal::Rejected { status, text });
    }
    resp
}

/// Resolves when the process gets Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// A response that closes the connection before its body is complete: a `drop` fault. The client
/// sees a broken connection, not an answer.
pub fn dropped_connection() -> axum::response::Response {
    use axum::http::StatusCode;
    let failing = futures::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("dropped by a behaviour"))
    });
    axum::response::Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, "64")
        .body(Body::from_stream(failing))
        .unwrap_or_else(|_| StatusCode::BAD_GATEWAY.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            header_read_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(300),
            ..Limits::default()
        }
    }

    #[test]
    fn an_idle_connection_is_judged_against_the_header_read_timeout_from_its_last_answer() {
        let t0 = Instant::now();
        let w = Watchdog::new(t0);
        let s = Duration::from_secs;
        assert_eq!(
            w.verdict(t0 + s(59), &limits()),
            Verdict::WaitUntil(t0 + s(60))
        );
        assert_eq!(w.verdict(t0 + s(60), &limits()), Verdict::CloseIdle);
        // A request at 10 s answered at 50 s: idle again from 50 s.
        w.request_began(t0 + s(10));
        w.request_ended(t0 + s(50));
        assert_eq!(
            w.verdict(t0 + s(60), &limits()),
            Verdict::WaitUntil(t0 + s(110))
        );
        assert_eq!(w.verdict(t0 + s(110), &limits()), Verdict::CloseIdle);
        assert!(!w.take_expired(), "nothing in flight expires");
    }

    #[test]
    fn a_request_in_flight_is_judged_against_the_request_timeout_and_expires_once() {
        let t0 = Instant::now();
        let w = Watchdog::new(t0);
        let s = Duration::from_secs;
        w.request_began(t0 + s(30));
        // Past the header read timeout but in flight: not idle, so it waits.
        assert_eq!(
            w.verdict(t0 + s(200), &limits()),
            Verdict::WaitUntil(t0 + s(330))
        );
        assert!(!w.take_expired());
        assert_eq!(w.verdict(t0 + s(330), &limits()), Verdict::ExpireRequest);
        assert!(w.take_expired(), "the request is told once");
        assert!(!w.take_expired());
        // The next request starts with a clean slate.
        w.request_ended(t0 + s(331));
        w.request_began(t0 + s(332));
        assert!(!w.take_expired());
        assert_eq!(
            w.verdict(t0 + s(333), &limits()),
            Verdict::WaitUntil(t0 + s(632))
        );
    }

    #[test]
    fn a_limit_too_large_for_an_instant_never_fires() {
        let t0 = Instant::now();
        let w = Watchdog::new(t0);
        let huge = Limits {
            header_read_timeout: Duration::MAX,
            ..limits()
        };
        assert!(matches!(w.verdict(t0, &huge), Verdict::WaitUntil(_)));
    }
}
