//! A webhook receiver for tests: a small axum server on port 0 that records every request and
//! answers a status the test chooses.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;

/// One delivery as received.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The request headers.
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Bytes,
}

impl Delivery {
    /// A header as text ("" when absent).
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "the webhook body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Delivery>>,
    status: AtomicU16,
}

/// A running receiver.
pub struct Receiver {
    /// `http://ADDR/hook`.
    pub url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    s.received
        .lock()
        .expect("receiver lock")
        .push(Delivery { headers, body });
    StatusCode::from_u16(s.status.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK)
}

impl Receiver {
    /// Starts a receiver that answers `status` to every delivery.
    pub async fn start(status: u16) -> Receiver {
        let shared = Arc::new(Shared::default());
        shared.status.store(status, Ordering::SeqCst);
        let app = Router::new()
            .route("/hook", axum::routing::post(record))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the receiver on port 0");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, shared, task }
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Delivery> {
        self.shared.received.lock().expect("receiver lock").clone()
    }

    /// Waits until at least `n` deliveries arrived (up to 2 s in 10 ms steps) and returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Delivery> {
        for _ in 0..200 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let got = self.received();
        panic!(
            "expected at least {n} webhook deliveries within 2 s, got {}: {:?}",
            got.len(),
            got.iter()
                .map(|d| String::from_utf8_lossy(&d.body).into_owned())
                .collect::<Vec<_>>()
        );
    }
}
