//! `mock-terminal`: a Sunmi terminal running Kushki ONE Connect, as a process. Parses flags, sets
//! up tracing, and calls the same [`mock_terminal::spawn`] the tests call.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, ValueEnum};
use kushki_mock_support::tls::TlsOptions;
use kushki_protocol::calendar::ClockMode;
use kushki_protocol::raw::Country;
use mock_terminal::config::{self, Config, DeviceModel};

/// mimalloc instead of glibc's malloc: allocation and freeing across tokio's worker threads
/// were a quarter of a raw charge's instructions with glibc (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Mock Sunmi SmartPOS running Kushki ONE in Semi-Integrated mode (Connect API on LAN/localhost,
/// cloud link to a relay).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// LAN address to listen on (the terminal's port is 6868).
    #[arg(long, env = "MOCK_TERMINAL_LISTEN", default_value = config::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Also listen here, for the localhost topology.
    #[arg(long)]
    localhost_listen: Option<SocketAddr>,
    /// The terminal's serial.
    #[arg(long, default_value = config::DEFAULT_SERIAL)]
    serial: String,
    /// The Business-Code the POS signs with.
    #[arg(long, env = "KUSHKI_BUSINESS_CODE", default_value = config::DEFAULT_BUSINESS_CODE, hide_env_values = true)]
    business_code: String,
    /// The acquirer's base URL (mock-acquirer or Kushki UAT).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    acquirer: String,
    /// The raw API credential the terminal sends (`Private-Credential-Id`).
    #[arg(long, env = "MOCK_TERMINAL_CREDENTIAL", default_value = config::DEFAULT_ACQUIRER_CREDENTIAL, hide_env_values = true)]
    credential: String,
    /// Hold a link to this cloud relay (mock-acquirer's base URL).
    #[arg(long)]
    cloud: Option<String>,
    /// Device model.
    #[arg(long, value_enum, default_value_t = ModelArg::P2se)]
    model: ModelArg,
    /// Market: PER, MEX, CHL or COL.
    #[arg(long, default_value = "PER")]
    country: Country,
    /// Clock: `system` or `manual` (moves only through `POST /__admin/clock`).
    #[arg(long, value_enum, default_value_t = ClockArg::System)]
    clock: ClockArg,
    /// Start of the manual clock (RFC 3339).
    #[arg(long)]
    start_time: Option<jiff::Timestamp>,
    /// Append every exchange, masked, to this JSON Lines file.
    #[arg(long)]
    journal: Option<PathBuf>,
    /// Also serve the Connect API over HTTPS here; `--tls-listen` alone means the terminal's
    /// 127.0.0.1:6869. No HTTPS listener when absent.
    #[arg(long, env = "MOCK_TERMINAL_TLS_LISTEN", num_args = 0..=1, default_missing_value = config::DEFAULT_TLS_LISTEN)]
    tls_listen: Option<SocketAddr>,
    #[command(flatten)]
    tls: TlsOptions,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModelArg {
    P2se,
    P3,
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
    let trust_ca_pem = match args.tls.trust_ca_pem() {
        Ok(pem) => pem,
        Err(e) => {
            eprintln!("mock-terminal: --trust-ca: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let (tls, ca_file) = match args.tls_listen {
        Some(_) => match args.tls.build_and_write("mock-terminal") {
            Ok((tls, path)) => (Some(Arc::new(tls)), Some(path)),
            Err(e) => {
                eprintln!("mock-terminal: cannot set up HTTPS: {e}");
                return std::process::ExitCode::FAILURE;
            }
        },
        None => (None, None),
    };
    let config = Config {
        tls_listen: args.tls_listen,
        tls,
        trust_ca_pem,
        listen: args.listen,
        localhost_listen: args.localhost_listen,
        serial: args.serial,
        business_code: args.business_code,
        acquirer_url: args.acquirer,
        acquirer_credential: args.credential,
        cloud_url: args.cloud,
        model: match args.model {
            ModelArg::P2se => DeviceModel::P2Se,
            ModelArg::P3 => DeviceModel::P3,
        },
        country: args.country,
        clock_mode: match args.clock {
            ClockArg::System => ClockMode::System,
            ClockArg::Manual => ClockMode::Manual,
        },
        start_time: args.start_time,
        journal_file: args.journal,
        ..Config::default()
    };
    let default_code = config.business_code == config::DEFAULT_BUSINESS_CODE;
    let mut terminal = match mock_terminal::spawn(config).await {
        Ok(t) => t,
        Err(e) => {
            eprintln!("mock-terminal: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!(
        "mock-terminal {} listening on {}",
        terminal.serial(),
        terminal.uri()
    );
    if let (Some(uri), Some(path)) = (terminal.tls_uri(), ca_file) {
        println!("mock-terminal {} listening on {uri}", terminal.serial());
        println!(
            "CA certificate: {} (curl --cacert, NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE)",
            path.display()
        );
    }
    if let Some(local) = terminal.localhost_uri() {
        println!("mock-terminal {} localhost on {local}", terminal.serial());
    }
    if default_code {
        println!("test Business-Code: {}", config::DEFAULT_BUSINESS_CODE);
    }
    let stop = terminal.shutdown_handle();
    tokio::spawn(async move {
        kushki_mock_support::server::shutdown_signal().await;
        stop();
    });
    match terminal.wait().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mock-terminal: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
