//! Starting a mock acquirer: the same [`spawn`] for tests (port 0) and for the binary.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use kushki_mock_support::behaviours::Behaviours;
use kushki_mock_support::clock::VirtualClock;
use kushki_mock_support::journal::{EntryView, Journal};
use kushki_mock_support::server::RunningServer;
use kushki_protocol::errors::ConnectCode;
use serde_json::json;
use tokio::sync::Notify;

use crate::config::Config;
use crate::domain::ledger::Ledger;
use crate::state::AppState;

/// A running mock acquirer.
#[derive(Debug)]
pub struct RunningAcquirer {
    server: RunningServer,
    state: Arc<AppState>,
}

impl RunningAcquirer {
    /// `http://ADDR`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The bound address.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.server.addr()
    }

    /// The journal, masked, oldest first.
    pub fn journal(&self) -> Vec<EntryView> {
        self.state.journal.entries()
    }

    /// The shared state (ledger, clock, behaviours), for tests and embedding.
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Stops accepting, ends held requests, lets the rest finish, flushes the journal.
    pub async fn shutdown(self) {
        self.state.shutdown.notify_waiters();
        self.server.shutdown().await;
        self.state.journal.flush();
    }

    /// Waits until the server stops (the binary: after a signal).
    pub async fn wait(self) -> std::io::Result<()> {
        let state = self.state.clone();
        let result = self.server.wait().await;
        state.journal.flush();
        result
    }

    /// A sender that starts a graceful shutdown (for a signal handler).
    pub fn shutdown_handle(&mut self) -> impl FnOnce() + Send + 'static {
        let tx = self.server.take_shutdown();
        let state = self.state.clone();
        move || {
            state.shutdown.notify_waiters();
            if let Some(tx) = tx {
                let _ = tx.send(());
            }
        }
    }
}

/// Builds the state for a configuration.
pub fn build_state(config: Config) -> std::io::Result<Arc<AppState>> {
    // reqwest with rustls panics without a process-wide crypto provider (DESIGN.md pitfalls).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut journal = Journal::new(config.journal_capacity);
    if let Some(path) = &config.journal_file {
        journal = journal.with_file(path)?;
    }
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(std::io::Error::other)?;
    Ok(Arc::new(AppState {
        clock: VirtualClock::new(config.clock_mode, config.start_time),
        webhook: Mutex::new(config.webhook.clone()),
        ledger: Mutex::new(Ledger::new()),
        journal,
        behaviours: Behaviours::new(),
        http,
        shutdown: Notify::new(),
        relay: crate::relay::Relay::default(),
        config,
    }))
}

/// The whole router: raw API, search, cloud relay, admin.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(crate::routes::router().with_state(state.clone()))
        .merge(crate::relay::router().with_state(state.clone()))
        .merge(kushki_mock_support::admin::router(state))
        .fallback(|uri: Uri| async move { not_routed(&uri, StatusCode::NOT_FOUND) })
        // A known path with another method: JSON too, like every other answer.
        .method_not_allowed_fallback(|uri: Uri| async move {
            not_routed(&uri, StatusCode::METHOD_NOT_ALLOWED)
        })
}

/// The answer to a path or method no route takes: under `/terminal/` (the cloud relay) the
/// Connect envelope a POS parses (NF-003, 404, as the terminal itself answers), elsewhere the raw
/// API's reason phrase.
fn not_routed(uri: &Uri, status: StatusCode) -> axum::response::Response {
    if uri.path().starts_with("/terminal/") {
        let failure = ConnectCode::UnknownOperation.failure().with_message(
            "cloud routes are /terminal/v1/{serial}/sync/{operation} or /async/{operation}",
        );
        return (StatusCode::NOT_FOUND, axum::Json(failure)).into_response();
    }
    let phrase = status.canonical_reason().unwrap_or("Not Found");
    (status, axum::Json(json!({ "message": phrase }))).into_response()
}

/// Starts a mock acquirer on `config.listen`.
pub async fn spawn(config: Config) -> std::io::Result<RunningAcquirer> {
    let listen = config.listen;
    let state = build_state(config)?;
    let server = RunningServer::bind(listen, app(state.clone())).await?;
    Ok(RunningAcquirer { server, state })
}
