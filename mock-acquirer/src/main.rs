//! `mock-acquirer`: the raw card-present API mock as a process. Parses flags, sets up tracing,
//! and calls the same [`mock_acquirer::spawn`] the tests call.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use kushki_mock_support::tls::TlsOptions;
use kushki_protocol::calendar::ClockMode;
use mock_acquirer::config::{Config, DEFAULT_LISTEN, DEFAULT_TLS_LISTEN, WebhookTarget};

/// mimalloc instead of glibc's malloc: allocation and freeing across tokio's worker threads
/// were a quarter of a raw charge's instructions with glibc (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Mock of Kushki's card-present acquirer (raw API `/pos/v1/...`, search, webhooks, admin API).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "MOCK_ACQUIRER_LISTEN", default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Clock: `system` follows real time; `manual` starts at --start-time and moves only through
    /// `POST /__admin/clock`.
    #[arg(long, value_enum, default_value_t = ClockArg::System)]
    clock: ClockArg,
    /// Start of the manual clock (RFC 3339); now when absent.
    #[arg(long)]
    start_time: Option<jiff::Timestamp>,
    /// Accepted `Private-Credential-Id` (repeatable); the default test credential when absent.
    #[arg(long = "credential", env = "MOCK_ACQUIRER_CREDENTIAL")]
    credentials: Vec<String>,
    /// Append every exchange, masked, to this JSON Lines file (written through per exchange).
    #[arg(long)]
    journal: Option<PathBuf>,
    /// Send card-present webhooks to this URL.
    #[arg(long, requires = "webhook_key")]
    webhook: Option<String>,
    /// The webhook signature key for `X-Kushki-Signature`.
    #[arg(long, env = "MOCK_ACQUIRER_WEBHOOK_KEY", hide_env_values = true)]
    webhook_key: Option<String>,
    /// Clock seconds an "approved with delay" test amount waits (harness-defined).
    #[arg(long, default_value_t = kushki_protocol::catalog::DEFAULT_DELAY_SECS)]
    test_delay_secs: i64,
    /// Also serve HTTPS here (raw API, cloud relay, admin), as `api-uat` and `uat-cloudt` do;
    /// `--tls-listen` alone means 127.0.0.1:8443. No HTTPS listener when absent.
    #[arg(long, env = "MOCK_ACQUIRER_TLS_LISTEN", num_args = 0..=1, default_missing_value = DEFAULT_TLS_LISTEN)]
    tls_listen: Option<SocketAddr>,
    #[command(flatten)]
    tls: TlsOptions,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ClockArg {
    System,
    Manual,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Logs go to stderr: stdout carries the address line that scripts and tests read.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let args = Args::parse();
    let mut config = Config {
        listen: args.listen,
        clock_mode: match args.clock {
            ClockArg::System => ClockMode::System,
            ClockArg::Manual => ClockMode::Manual,
        },
        start_time: args.start_time,
        journal_file: args.journal,
        ..Config::default()
    };
    match args.tls.trust_ca_pem() {
        Ok(pem) => config.trust_ca_pem = pem,
        Err(e) => {
            eprintln!("mock-acquirer: --trust-ca: {e}");
            return std::process::ExitCode::FAILURE;
        }
    }
    let mut ca_file = None;
    if let Some(addr) = args.tls_listen {
        match args.tls.build_and_write("mock-acquirer") {
            Ok((tls, path)) => {
                config.tls_listen = Some(addr);
                config.tls = Some(Arc::new(tls));
                ca_file = Some(path);
            }
            Err(e) => {
                eprintln!("mock-acquirer: cannot set up HTTPS: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    if !args.credentials.is_empty() {
        config.credentials = args.credentials;
    }
    config.rules.delay_secs = args.test_delay_secs;
    if let (Some(url), Some(key)) = (args.webhook, args.webhook_key) {
        config.webhook = Some(WebhookTarget {
            url,
            key: kushki_protocol::mask::Sensitive::new(key),
        });
    }
    let show_default = config.credentials == [mock_acquirer::DEFAULT_CREDENTIAL];
    let mut acquirer = match mock_acquirer::spawn(config).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("mock-acquirer: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("mock-acquirer listening on {}", acquirer.uri());
    if let (Some(uri), Some(path)) = (acquirer.tls_uri(), ca_file) {
        println!("mock-acquirer listening on {uri}");
        println!(
            "CA certificate: {} (curl --cacert, NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE)",
            path.display()
        );
    }
    if show_default {
        println!(
            "test credential (Private-Credential-Id): {}",
            mock_acquirer::DEFAULT_CREDENTIAL
        );
    }
    let stop = acquirer.shutdown_handle();
    tokio::spawn(async move {
        kushki_mock_support::server::shutdown_signal().await;
        stop();
    });
    match acquirer.wait().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mock-acquirer: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
