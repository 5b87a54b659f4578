//! What every mock does to start and stop, written once: the journal and outbound client its
//! state holds, its listeners (plain, an optional second plain one, an optional HTTPS one) and
//! the binary's flags, banner and signal loop. Each mock's `startup.rs` and `main.rs` keep only
//! what is theirs (their state, their router, their flags).

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use kushki_protocol::calendar::ClockMode;
use tokio::net::TcpListener;

use crate::journal::Journal;
use crate::server::{Limits, RunningServer};
use crate::tls::{Tls, TlsOptions};

/// The in-memory journal window, writing through to `file` when given.
pub fn open_journal(capacity: usize, file: Option<&Path>) -> std::io::Result<Journal> {
    let journal = Journal::new(capacity);
    match file {
        Some(path) => journal.with_file(path),
        None => Ok(journal),
    }
}

/// The outbound HTTP client of a mock (webhooks, the acquirer hop): `builder`'s timeouts, plus
/// the store's CA (`--trust-ca`) beside the public roots when given.
pub fn outbound_client(
    builder: reqwest::ClientBuilder,
    trust_ca_pem: Option<&str>,
) -> std::io::Result<reqwest::Client> {
    // reqwest with rustls panics without a process-wide crypto provider (DESIGN.md pitfalls).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = builder;
    if let Some(pem) = trust_ca_pem {
        for cert in reqwest::Certificate::from_pem_bundle(pem.as_bytes())
            .map_err(|e| std::io::Error::other(format!("--trust-ca: {e}")))?
        {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(std::io::Error::other)
}

/// The HTTPS listener, bound before the mock's state is built (so that a generated CA is in the
/// configuration the state keeps) and started once the router exists.
#[derive(Debug)]
pub struct PendingTls(Option<TcpListener>);

impl PendingTls {
    /// Binds `tls_listen` when set, generating a CA into `tls` when none is configured.
    pub async fn bind(
        tls_listen: Option<SocketAddr>,
        tls: &mut Option<Arc<Tls>>,
    ) -> std::io::Result<PendingTls> {
        let Some(addr) = tls_listen else {
            return Ok(PendingTls(None));
        };
        if tls.is_none() {
            *tls = Some(Arc::new(Tls::generate().map_err(std::io::Error::other)?));
        }
        Ok(PendingTls(Some(TcpListener::bind(addr).await?)))
    }

    /// Serves `router()` over HTTPS with a leaf of `tls` for the bound address; nothing when no
    /// listener was bound.
    pub fn start(
        self,
        tls: Option<&Arc<Tls>>,
        router: impl FnOnce() -> Router,
    ) -> std::io::Result<Option<RunningServer>> {
        let (Some(listener), Some(tls)) = (self.0, tls) else {
            return Ok(None);
        };
        let server_config = tls
            .server_config_for(listener.local_addr()?)
            .map_err(std::io::Error::other)?;
        RunningServer::start_tls(listener, router(), Limits::default(), server_config).map(Some)
    }
}

/// A mock's listeners, stopped and awaited together.
#[derive(Debug)]
pub struct Listeners {
    /// The plain listener every mock has (the acquirer's API, the terminal's LAN).
    pub main: RunningServer,
    /// A second plain listener (the terminal's localhost topology), when configured.
    pub extra: Option<RunningServer>,
    /// The HTTPS listener, when configured.
    pub tls: Option<RunningServer>,
}

impl Listeners {
    fn all(self) -> impl Iterator<Item = RunningServer> {
        std::iter::once(self.main).chain(self.extra).chain(self.tls)
    }

    /// Stops accepting on each, lets in-flight exchanges finish, and waits.
    pub async fn shutdown(self) {
        for server in self.all() {
            server.shutdown().await;
        }
    }

    /// Waits until they stop (the binary: after a signal); the main listener's result.
    pub async fn wait(self) -> std::io::Result<()> {
        let mut servers = self.all();
        let result = match servers.next() {
            Some(main) => main.wait().await,
            None => Ok(()),
        };
        for other in servers {
            let _ = other.wait().await;
        }
        result
    }

    /// A closure that runs `first` (waking held requests) and then tells every listener to
    /// stop, for a signal handler.
    pub fn shutdown_handle(
        &mut self,
        first: impl FnOnce() + Send + 'static,
    ) -> impl FnOnce() + Send + 'static {
        let senders: Vec<_> = [Some(&mut self.main), self.extra.as_mut(), self.tls.as_mut()]
            .into_iter()
            .flatten()
            .filter_map(RunningServer::take_shutdown)
            .collect();
        move || {
            first();
            for tx in senders {
                let _ = tx.send(());
            }
        }
    }
}

/// The clock and journal flags of a mock binary (flatten it into its clap parser).
#[derive(Debug, Clone, clap::Args)]
pub struct ClockJournalArgs {
    /// Clock: `system` follows real time; `manual` starts at --start-time and moves only through
    /// `POST /__admin/clock`.
    #[arg(long, value_enum, default_value_t = ClockArg::System)]
    pub clock: ClockArg,
    /// Start of the manual clock (RFC 3339); now when absent.
    #[arg(long)]
    pub start_time: Option<jiff::Timestamp>,
    /// Append every exchange, masked, to this JSON Lines file (written through per exchange).
    #[arg(long)]
    pub journal: Option<PathBuf>,
}

/// `--clock`: the [`ClockMode`] a binary starts in.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ClockArg {
    /// Real time.
    System,
    /// Moves only through the admin API.
    Manual,
}

impl ClockJournalArgs {
    /// The clock mode `--clock` names.
    pub fn clock_mode(&self) -> ClockMode {
        match self.clock {
            ClockArg::System => ClockMode::System,
            ClockArg::Manual => ClockMode::Manual,
        }
    }
}

/// Logs to stderr (stdout carries the address lines that scripts and tests read), filtered by
/// `RUST_LOG`, `warn` when unset.
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
}

/// The TLS a binary's flags resolve to.
#[derive(Debug, Default)]
pub struct BinaryTls {
    /// `--trust-ca`'s PEM text, for outbound calls.
    pub trust_ca_pem: Option<String>,
    /// The HTTPS listener's certificates, when `--tls-listen` is given.
    pub tls: Option<Arc<Tls>>,
    /// Where the CA clients trust was written, to print on start.
    pub ca_file: Option<PathBuf>,
}

impl BinaryTls {
    /// Reads `--trust-ca` and, with `--tls-listen`, builds the listener's certificates and writes
    /// the CA; a failure is printed as `{program}: …` and becomes the exit code.
    pub fn from_flags(
        program: &str,
        options: &TlsOptions,
        tls_listen: Option<SocketAddr>,
    ) -> Result<BinaryTls, ExitCode> {
        let trust_ca_pem = options
            .trust_ca_pem()
            .map_err(|e| fail(program, "--trust-ca", e))?;
        let mut resolved = BinaryTls {
            trust_ca_pem,
            ..BinaryTls::default()
        };
        if tls_listen.is_some() {
            let (tls, path) = options
                .build_and_write(program)
                .map_err(|e| fail(program, "cannot set up HTTPS", e))?;
            resolved.tls = Some(Arc::new(tls));
            resolved.ca_file = Some(path);
        }
        Ok(resolved)
    }
}

/// Prints `{program}: {what}: {error}` and gives the failure exit code.
pub fn fail(program: &str, what: &str, error: impl std::fmt::Display) -> ExitCode {
    eprintln!("{program}: {what}: {error}");
    ExitCode::FAILURE
}

/// The HTTPS lines of the start banner: `{name} listening on https://…` and the CA file.
pub fn print_tls_banner(name: &str, tls_uri: Option<String>, ca_file: Option<PathBuf>) {
    if let (Some(uri), Some(path)) = (tls_uri, ca_file) {
        println!("{name} listening on {uri}");
        println!(
            "CA certificate: {} (curl --cacert, NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE)",
            path.display()
        );
    }
}

/// Runs `stop` on SIGINT/SIGTERM and waits for `wait` (the running mock); its error is printed
/// as `{program}: …`.
pub async fn run_until_signal(
    program: &str,
    stop: impl FnOnce() + Send + 'static,
    wait: impl Future<Output = std::io::Result<()>>,
) -> ExitCode {
    tokio::spawn(async move {
        crate::server::shutdown_signal().await;
        stop();
    });
    match wait.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{program}: {e}");
            ExitCode::FAILURE
        }
    }
}
