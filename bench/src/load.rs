//! The load generator: N tasks, each holding one HTTP/1.1 connection (hyper's client connection
//! API) and sending requests on it back to back (a closed loop, like `wrk`), with every latency
//! recorded in an HDR histogram.
//!
//! Latency is measured from before the request is built (so a Connect request's signing and
//! encryption count) to after the answer's body is read and checked (its decryption counts too).
//! Only requests that start after the warm-up and finish before the deadline are counted.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Highest latency the histograms track: one minute, in microseconds.
const MAX_LATENCY_US: u64 = 60_000_000;

/// What the connections send and how an answer is judged.
pub trait Workload: Send + Sync + 'static {
    /// What a request needs to check its answer (a Connect request's timestamp, say).
    type Ctx: Send;
    /// The server connection `conn` talks to.
    fn addr(&self, conn: usize) -> SocketAddr;
    /// The next request of connection `conn`.
    fn request(&self, conn: usize) -> (Request<Full<Bytes>>, Self::Ctx);
    /// Whether an answer is the success the workload expects; the reason when not.
    fn check(&self, ctx: Self::Ctx, status: StatusCode, body: &[u8]) -> Result<(), String>;
}

/// When a load ends.
#[derive(Debug, Clone, Copy)]
pub enum Stop {
    /// After a warm-up, for a measured duration.
    Timed {
        /// Requests before this are not counted.
        warmup: Duration,
        /// The measured window after the warm-up.
        measure: Duration,
    },
    /// After this many requests in all (every one counted).
    Count(u64),
}

/// What a load measured.
#[derive(Debug, Clone)]
pub struct LoadResult {
    /// Successful requests counted.
    pub ok: u64,
    /// Failed requests (wrong status or body, broken connections) in the counted window.
    pub errors: u64,
    /// The first failure, to show what went wrong.
    pub first_error: Option<String>,
    /// Length of the counted window.
    pub elapsed: Duration,
    /// Latencies of successful requests, in microseconds.
    pub latency_us: Histogram<u64>,
    /// Connections used.
    pub connections: usize,
}

impl LoadResult {
    /// Successful requests per second.
    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Adds another window of the same load: requests, failures, window lengths and latencies.
    pub fn merge(&mut self, other: LoadResult) {
        self.ok += other.ok;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.elapsed += other.elapsed;
        let _ = self.latency_us.add(&other.latency_us);
    }

    /// A latency percentile in milliseconds.
    pub fn percentile_ms(&self, q: f64) -> f64 {
        self.latency_us.value_at_quantile(q) as f64 / 1000.0
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("valid histogram bounds")
}

struct TaskResult {
    ok: u64,
    errors: u64,
    first_error: Option<String>,
    hist: Histogram<u64>,
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake {addr}: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// Sends one request on `sender` and reads the whole answer.
async fn exchange(
    sender: &mut SendRequest<Full<Bytes>>,
    req: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

/// One request on a fresh connection (set-up checks, health polls).
pub async fn one_shot(
    addr: SocketAddr,
    req: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), String> {
    let mut sender = connect(addr).await?;
    exchange(&mut sender, req).await
}

async fn task<W: Workload>(
    w: Arc<W>,
    conn: usize,
    stop: Stop,
    start: Instant,
    issued: Arc<AtomicU64>,
) -> TaskResult {
    let mut r = TaskResult {
        ok: 0,
        errors: 0,
        first_error: None,
        hist: histogram(),
    };
    let (counted_from, deadline, count) = match stop {
        Stop::Timed { warmup, measure } => (start + warmup, Some(start + warmup + measure), None),
        Stop::Count(n) => (start, None, Some(n)),
    };
    let mut sender: Option<SendRequest<Full<Bytes>>> = None;
    loop {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if count.is_some_and(|n| issued.fetch_add(1, Ordering::Relaxed) >= n) {
            break;
        }
        let s = match sender.as_mut() {
            Some(s) => s,
            None => match connect(w.addr(conn)).await {
                Ok(s) => sender.insert(s),
                Err(e) => {
                    r.errors += 1;
                    r.first_error.get_or_insert(e);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let t0 = Instant::now();
        let (req, ctx) = w.request(conn);
        let outcome = match exchange(s, req).await {
            Ok((status, body)) => w.check(ctx, status, &body),
            Err(e) => {
                // A broken connection: the next request opens a new one.
                sender = None;
                Err(e)
            }
        };
        let t1 = Instant::now();
        if t0 < counted_from || deadline.is_some_and(|d| t1 > d) {
            continue;
        }
        match outcome {
            Ok(()) => {
                r.ok += 1;
                let us = (t1 - t0).as_micros().clamp(1, u128::from(MAX_LATENCY_US));
                r.hist.saturating_record(us as u64);
            }
            Err(e) => {
                r.errors += 1;
                r.first_error.get_or_insert(e);
            }
        }
    }
    r
}

/// Runs `connections` closed-loop connections of workload `w` until `stop`.
pub async fn run<W: Workload>(w: Arc<W>, connections: usize, stop: Stop) -> LoadResult {
    let start = Instant::now();
    let issued = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..connections)
        .map(|conn| tokio::spawn(task(w.clone(), conn, stop, start, issued.clone())))
        .collect();
    let mut total = LoadResult {
        ok: 0,
        errors: 0,
        first_error: None,
        elapsed: Duration::ZERO,
        latency_us: histogram(),
        connections,
    };
    for h in handles {
        match h.await {
            Ok(r) => {
                total.ok += r.ok;
                total.errors += r.errors;
                if total.first_error.is_none() {
                    total.first_error = r.first_error;
                }
                let _ = total.latency_us.add(&r.hist);
            }
            Err(e) => {
                total.errors += 1;
                total
                    .first_error
                    .get_or_insert(format!("load task failed: {e}"));
            }
        }
    }
    total.elapsed = match stop {
        Stop::Timed { measure, .. } => measure,
        Stop::Count(_) => start.elapsed(),
    };
    total
}
