//! Starting a mock acquirer: the same [`spawn`] for tests (port 0) and for the binary.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use kushki_mock_support::behaviours::Behaviours;
use kushki_mock_support::clock::VirtualClock;
use kushki_mock_support::journal::EntryView;
use kushki_mock_support::server::RunningServer;
use kushki_mock_support::startup::{Listeners, PendingTls, open_journal, outbound_client};
use kushki_protocol::errors::ConnectCode;
use serde_json::json;
use tokio::sync::Notify;

use crate::config::Config;
use crate::domain::ledger::Ledger;
use crate::state::AppState;

/// A running mock acquirer.
#[derive(Debug)]
pub struct RunningAcquirer {
    /// The plain listener and the HTTPS one, when configured.
    listeners: Listeners,
    state: Arc<AppState>,
}

impl RunningAcquirer {
    /// `http://ADDR`.
    pub fn uri(&self) -> String {
        self.listeners.main.uri()
    }

    /// The bound address.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.listeners.main.addr()
    }

    /// `https://ADDR` of the HTTPS listener, when configured.
    pub fn tls_uri(&self) -> Option<String> {
        self.listeners.tls.as_ref().map(RunningServer::uri)
    }

    /// The HTTPS listener's bound address, when configured.
    pub fn tls_addr(&self) -> Option<std::net::SocketAddr> {
        self.listeners.tls.as_ref().map(RunningServer::addr)
    }

    /// The certificate HTTPS clients trust (PEM), when an HTTPS listener is configured.
    pub fn tls_ca_pem(&self) -> Option<String> {
        self.listeners.tls.as_ref()?;
        self.state.config.tls.as_ref().map(|t| t.ca_pem())
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
        self.listeners.shutdown().await;
        self.state.journal.flush();
    }

    /// Waits until the server stops (the binary: after a signal).
    pub async fn wait(self) -> std::io::Result<()> {
        let result = self.listeners.wait().await;
        self.state.journal.flush();
        result
    }

    /// A sender that starts a graceful shutdown (for a signal handler).
    pub fn shutdown_handle(&mut self) -> impl FnOnce() + Send + 'static {
        let state = self.state.clone();
        self.listeners
            .shutdown_handle(move || state.shutdown.notify_waiters())
    }
}

/// Builds the state for a configuration.
pub fn build_state(config: Config) -> std::io::Result<Arc<AppState>> {
    let journal = open_journal(config.journal_capacity, config.journal_file.as_deref())?;
    let http = outbound_client(
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(10)),
        config.trust_ca_pem.as_deref(),
    )?;
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

/// Starts a mock acquirer on `config.listen`, and on `config.tls_listen` over HTTPS when set
/// (with `config.tls`, or a CA generated here).
pub async fn spawn(mut config: Config) -> std::io::Result<RunningAcquirer> {
    let listen = config.listen;
    let pending_tls = PendingTls::bind(config.tls_listen, &mut config.tls).await?;
    let state = build_state(config)?;
    let main = RunningServer::bind(listen, app(state.clone())).await?;
    let tls = pending_tls.start(state.config.tls.as_ref(), || app(state.clone()))?;
    Ok(RunningAcquirer {
        listeners: Listeners {
            main,
            extra: None,
            tls,
        },
        state,
    })
}
