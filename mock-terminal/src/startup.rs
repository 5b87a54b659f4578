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
use kushki_mock_support::journal::{EntryView, Journal};
use kushki_mock_support::server::{Limits, RunningServer};
use kushki_mock_support::tls::Tls;
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
    lan: RunningServer,
    localhost: Option<RunningServer>,
    /// The HTTPS listener, when configured.
    tls: Option<RunningServer>,
    state: Arc<AppState>,
    link: Option<tokio::task::JoinHandle<()>>,
}

impl RunningTerminal {
    /// `http://ADDR` of the LAN listener.
    pub fn uri(&self) -> String {
        self.lan.uri()
    }

    /// `http://ADDR` of the localhost listener, when configured.
    pub fn localhost_uri(&self) -> Option<String> {
        self.localhost.as_ref().map(RunningServer::uri)
    }

    /// `https://ADDR` of the HTTPS listener, when configured.
    pub fn tls_uri(&self) -> Option<String> {
        self.tls.as_ref().map(RunningServer::uri)
    }

    /// The certificate HTTPS clients trust (PEM), when an HTTPS listener is configured.
    pub fn tls_ca_pem(&self) -> Option<String> {
        self.tls.as_ref()?;
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
        self.lan.shutdown().await;
        if let Some(l) = self.localhost {
            l.shutdown().await;
        }
        if let Some(t) = self.tls {
            t.shutdown().await;
        }
        self.state.journal.flush();
    }

    /// A closure that starts a graceful shutdown (for a signal handler).
    pub fn shutdown_handle(&mut self) -> impl FnOnce() + Send + 'static {
        let lan = self.lan.take_shutdown();
        let local = self
            .localhost
            .as_mut()
            .and_then(RunningServer::take_shutdown);
        let tls = self.tls.as_mut().and_then(RunningServer::take_shutdown);
        let state = self.state.clone();
        move || {
            state.shutdown.notify_waiters();
            for tx in [lan, local, tls].into_iter().flatten() {
                let _ = tx.send(());
            }
        }
    }

    /// Waits until the LAN server stops.
    pub async fn wait(self) -> std::io::Result<()> {
        let state = self.state.clone();
        let r = self.lan.wait().await;
        state.journal.flush();
        r
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
    let mut http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(2))
        // The clock decides the acquirer timeout; this only bounds a real hang.
        .timeout(Duration::from_secs(300))
        .pool_max_idle_per_host(4);
    if let Some(pem) = &config.trust_ca_pem {
        for cert in reqwest::Certificate::from_pem_bundle(pem.as_bytes())
            .map_err(|e| std::io::Error::other(format!("--trust-ca: {e}")))?
        {
            http = http.add_root_certificate(cert);
        }
    }
    let http = http.build().map_err(std::io::Error::other)?;
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
    let tls_listener = match config.tls_listen {
        Some(addr) => {
            if config.tls.is_none() {
                config.tls = Some(Arc::new(Tls::generate().map_err(std::io::Error::other)?));
            }
            Some(tokio::net::TcpListener::bind(addr).await?)
        }
        None => None,
    };
    let localhost = config.localhost_listen;
    let cloud = config.cloud_url.clone();
    let state = build_state(config)?;
    let lan = RunningServer::bind(listen, app(state.clone())).await?;
    let localhost = match localhost {
        Some(addr) => Some(RunningServer::bind(addr, app(state.clone())).await?),
        None => None,
    };
    let tls = match (tls_listener, &state.config.tls) {
        (Some(listener), Some(tls)) => {
            let server_config = tls
                .server_config_for(listener.local_addr()?)
                .map_err(std::io::Error::other)?;
            Some(RunningServer::start_tls(
                listener,
                app(state.clone()),
                Limits::default(),
                server_config,
            )?)
        }
        _ => None,
    };
    let link = cloud.map(|url| tokio::spawn(crate::cloud::run(state.clone(), url)));
    Ok(RunningTerminal {
        lan,
        localhost,
        tls,
        state,
        link,
    })
}
