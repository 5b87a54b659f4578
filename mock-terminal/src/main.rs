//! `mock-terminal`: a Sunmi terminal running Kushki ONE Connect, as a process. Parses flags, sets
//! up tracing, and calls the same [`mock_terminal::spawn`] the tests call.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use kushki_mock_support::startup::{self, BinaryTls, ClockJournalArgs};
use kushki_mock_support::tls::TlsOptions;
use kushki_protocol::raw::Country;
use mock_terminal::config::{self, Config, DeviceModel};

/// mimalloc instead of glibc's malloc: allocation and freeing across tokio's worker threads
/// were a quarter of a raw charge's instructions with glibc (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The name in the banner and in error lines.
const PROGRAM: &str = "mock-terminal";

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
    #[command(flatten)]
    clock: ClockJournalArgs,
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

#[tokio::main]
async fn main() -> ExitCode {
    startup::init_tracing();
    let args = Args::parse();
    let tls = match BinaryTls::from_flags(PROGRAM, &args.tls, args.tls_listen) {
        Ok(tls) => tls,
        Err(code) => return code,
    };
    let config = Config {
        tls_listen: args.tls_listen,
        tls: tls.tls,
        trust_ca_pem: tls.trust_ca_pem,
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
        clock_mode: args.clock.clock_mode(),
        start_time: args.clock.start_time,
        journal_file: args.clock.journal,
        ..Config::default()
    };
    let default_code = config.business_code == config::DEFAULT_BUSINESS_CODE;
    let mut terminal = match mock_terminal::spawn(config).await {
        Ok(t) => t,
        Err(e) => return startup::fail(PROGRAM, "cannot start", e),
    };
    let name = format!("{PROGRAM} {}", terminal.serial());
    println!("{name} listening on {}", terminal.uri());
    startup::print_tls_banner(&name, terminal.tls_uri(), tls.ca_file);
    if let Some(local) = terminal.localhost_uri() {
        println!("{name} localhost on {local}");
    }
    if default_code {
        println!("test Business-Code: {}", config::DEFAULT_BUSINESS_CODE);
    }
    let stop = terminal.shutdown_handle();
    startup::run_until_signal(PROGRAM, stop, terminal.wait()).await
}
