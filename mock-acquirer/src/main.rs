//! `mock-acquirer`: the raw card-present API mock as a process. Parses flags, sets up tracing,
//! and calls the same [`mock_acquirer::spawn`] the tests call.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use kushki_mock_support::startup::{self, BinaryTls, ClockJournalArgs};
use kushki_mock_support::tls::TlsOptions;
use mock_acquirer::config::{Config, DEFAULT_LISTEN, DEFAULT_TLS_LISTEN, WebhookTarget};

/// mimalloc instead of glibc's malloc: allocation and freeing across tokio's worker threads
/// were a quarter of a raw charge's instructions with glibc (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The name in the banner and in error lines.
const PROGRAM: &str = "mock-acquirer";

/// Mock of Kushki's card-present acquirer (raw API `/pos/v1/...`, search, webhooks, admin API).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "MOCK_ACQUIRER_LISTEN", default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    #[command(flatten)]
    clock: ClockJournalArgs,
    /// Accepted `Private-Credential-Id` (repeatable); the default test credential when absent.
    #[arg(long = "credential", env = "MOCK_ACQUIRER_CREDENTIAL")]
    credentials: Vec<String>,
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

#[tokio::main]
async fn main() -> ExitCode {
    startup::init_tracing();
    let args = Args::parse();
    let tls = match BinaryTls::from_flags(PROGRAM, &args.tls, args.tls_listen) {
        Ok(tls) => tls,
        Err(code) => return code,
    };
    let mut config = Config {
        listen: args.listen,
        clock_mode: args.clock.clock_mode(),
        start_time: args.clock.start_time,
        journal_file: args.clock.journal,
        trust_ca_pem: tls.trust_ca_pem,
        tls_listen: args.tls_listen,
        tls: tls.tls,
        ..Config::default()
    };
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
        Err(e) => return startup::fail(PROGRAM, "cannot start", e),
    };
    println!("{PROGRAM} listening on {}", acquirer.uri());
    startup::print_tls_banner(PROGRAM, acquirer.tls_uri(), tls.ca_file);
    if show_default {
        println!(
            "test credential (Private-Credential-Id): {}",
            mock_acquirer::DEFAULT_CREDENTIAL
        );
    }
    let stop = acquirer.shutdown_handle();
    startup::run_until_signal(PROGRAM, stop, acquirer.wait()).await
}
