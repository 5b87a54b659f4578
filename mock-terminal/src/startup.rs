//! Starting a mock terminal: the same [`spawn`] for tests (port 0) and the binary.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use kushki_mock_support::behaviours::Behaviours;
use kushki_mock_support::clock::VirtualClock;
use kushki_mock_support::journal::EntryView;
use kushki_mock_support::server::RunningServer;
use kushki_mock_support::startup::{Listeners, PendingTls, open_journal, outbound_client};
use kushki_protocol::auth::Credentials;
use serde_json::json;
use tokio::sync::Notify;

use crate::config::Config;
use crate::history::History;
use crate::printer::Printer;
use crate::reader::Reader;
use crate::state::AppState;

/// A running mock terminal.
#[derive(Debug)]
pub struct RunningTerminal {
    /// The LAN listener, the localhost one (`extra`) and the HTTPS one, when configured.
    listeners: Listeners,
    state: Arc<AppState>,
    link: Option<tokio::task::JoinHandle<()>>,
}

impl RunningTerminal {
    /// `http://ADDR` of the LAN listener.
    pub fn uri(&self) -> String {
        self.listeners.main.uri()
    }

    /// `http://ADDR` of the localhost listener, when configured.
    pub fn localhost_uri(&self) -> Option<String> {
        self.listeners.extra.as_ref().map(RunningServer::uri)
    }

    /// `https://ADDR` of the HTTPS listener, when configured.
    pub fn tls_uri(&self) -> Option<String> {
        self.listeners.tls.as_ref().map(RunningServer::uri)
    }

    /// The certificate HTTPS clients trust (PEM), when an HTTPS listener is configured.
    pub fn tls_ca_pem(&self) -> Option<String> {
        self.listeners.tls.as_ref()?;
        self.state.config.tls.as_ref().map(|t| t.ca_pem())
    }

    /// The serial.
    pub fn serial(&self) -> &str {
        &self.state.config.serial
    }

    /// The journal, masked.
    pub fn journal(&self) -> Vec<EntryView> {
        self.state.journal.entries()
    }

    /// The shared state.
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Whether the cloud link is up.
    pub fn cloud_online(&self) -> bool {
        self.state
            .cloud_online
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits (up to `timeout`) until the cloud link is up.
    pub async fn wait_for_cloud(&self, timeout: Duration) -> bool {
        let end = tokio::time::Instant::now() + timeout;
        while tokio::time::Instant::now() < end {
            if self.cloud_online() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.cloud_online()
    }

    /// Stops: drops the cloud link, ends held requests, lets the rest finish, flushes the journal.
    pub async fn shutdown(self) {
        self.state.shutdown.notify_waiters();
        if let Some(link) = self.link {
            link.abort();
        }
        self.listeners.shutdown().await;
        self.state.journal.flush();
    }

    /// A closure that starts a graceful shutdown (for a signal handler).
    pub fn shutdown_handle(&mut self) -> impl FnOnce() + Send + 'static {
        let state = self.state.clone();
        self.listeners
            .shutdown_handle(move || state.shutdown.notify_waiters())
    }

    /// Waits until the listeners stop.
    pub async fn wait(self) -> std::io::Result<()> {
        let r = self.listeners.wait().await;
        self.state.journal.flush();
        r
    }
}

/// Builds the state for a configuration.
pub fn build_state(config: Config) -> std::io::Result<Arc<AppState>> {
    let journal = open_journal(config.journal_capacity, config.journal_file.as_deref())?;
    let http = outbound_client(
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            // The clock decides the acquirer timeout; this only bounds a real hang.
            .timeout(Duration::from_secs(300))
            .pool_max_idle_per_host(4),
        config.trust_ca_pem.as_deref(),
    )?;
    let clock = config
        .shared_clock
        .clone()
        .unwrap_or_else(|| VirtualClock::new(config.clock_mode, config.start_time));
    Ok(Arc::new(AppState {
        creds: Credentials::new(&config.business_code, &config.serial),
        currency: config.country.currency(),
        journal,
        clock,
        behaviours: Behaviours::new(),
        reader: Reader::default(),
        busy: Mutex::new(None),
        history: History::default(),
        printer: Printer::default(),
        http,
        acquirer_transaction_url: reqwest::Url::parse(&crate::state::acquirer_url_text(
            &config.acquirer_url,
            crate::state::TRANSACTION_PATH,
        ))
        .ok(),
        shutdown: Notify::new(),
        cloud_online: AtomicBool::new(false),
        config,
    }))
}

/// The whole router: Connect, admin.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(crate::lan::router().with_state(state.clone()))
        .merge(crate::admin::router().with_state(state.clone()))
        .merge(crate::printer::admin::router().with_state(state.clone()))
        .merge(kushki_mock_support::admin::router(state))
        .fallback(|| async {
            let failure = kushki_protocol::errors::ConnectCode::UnknownOperation.failure();
            (StatusCode::NOT_FOUND, axum::Json(json!(failure))).into_response()
        })
}

/// Starts a mock terminal: the LAN listener, the localhost one if configured, the cloud link if
/// configured.
pub async fn spawn(mut config: Config) -> std::io::Result<RunningTerminal> {
    let listen = config.listen;
    let pending_tls = PendingTls::bind(config.tls_listen, &mut config.tls).await?;
    let localhost = config.localhost_listen;
    let cloud = config.cloud_url.clone();
    let state = build_state(config)?;
    let main = RunningServer::bind(listen, app(state.clone())).await?;
    let extra = match localhost {
        Some(addr) => Some(RunningServer::bind(addr, app(state.clone())).await?),
        None => None,
    };
    let tls = pending_tls.start(state.config.tls.as_ref(), || app(state.clone()))?;
    let link = cloud.map(|url| tokio::spawn(crate::cloud::run(state.clone(), url)));
    Ok(RunningTerminal {
        listeners: Listeners { main, extra, tls },
        state,
        link,
    })
}
