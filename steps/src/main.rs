//! `kushki-conformance`: run the conformance suite against a target, serve the mocks for POS
//! integrators, verify a client's journal, and check a dry-run evidence package.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use conformance_reports::model::Run;
use kushki_conformance::collector::Progress;
use kushki_conformance::runner::{self, Options};
use kushki_conformance::serve::{AcquirerSide, ServeOptions, TerminalSpec, serve};
use kushki_conformance::target::Target;
use kushki_conformance::verify;
use kushki_protocol::calendar::ClockMode;

/// mimalloc instead of glibc's malloc: allocation and freeing across tokio's worker threads
/// were a quarter of a raw charge's instructions with glibc (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Kushki card-present conformance: run the suite, serve the mocks, verify a client's journal.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the conformance suite against a target (the embedded mocks by default) and write the
    /// reports; exits non-zero on any failure.
    Run(RunArgs),
    /// Serve the mock acquirer (raw API and cloud relay) and mock terminals in one process.
    Serve(Box<ServeArgs>),
    /// Check the journal of what a POS or terminal app sent to the mocks; exits non-zero on any
    /// violation.
    Verify(VerifyArgs),
    /// Verify a dry-run package: every file's SHA-256 and, with a key, the manifest's HMAC.
    CheckPackage(CheckArgs),
    /// Exit 0 when every mock `serve` would start (from the same `KUSHKI_…` environment) answers
    /// its health check: the container image's HEALTHCHECK.
    Health(HealthArgs),
}

#[derive(Debug, clap::Args)]
struct HealthArgs {
    /// Base URLs to check (`http://HOST:PORT`); by default those of `serve` under the same
    /// environment (`KUSHKI_ACQUIRER_LISTEN`, `KUSHKI_TERMINALS`).
    #[arg(long)]
    url: Vec<String>,
    /// How long each check may take, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
}

#[derive(Debug, clap::Args, Default)]
struct RunArgs {
    /// mock | lan://IP:PORT | cloud://HOST | localhost[:PORT] | acquirer://URL
    #[arg(long, default_value = "mock")]
    target: String,
    /// Serial of the terminal under test (remote targets; else KUSHKI_SERIAL).
    #[arg(long, env = "KUSHKI_SERIAL")]
    serial: Option<String>,
    /// A CA certificate (PEM) that HTTPS targets are verified against, besides the system's
    /// roots: the mocks' generated CA (`/__admin/tls/ca.pem`).
    #[arg(long, env = "KUSHKI_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// Tag expression, e.g. "@beta and not @faults".
    #[arg(long)]
    tags: Option<String>,
    /// Features folder (with connect/ and raw/); by default the one beside the sources, or the
    /// one installed beside the binary (`../share/kushki-conformance/features`, as in the image).
    #[arg(long, env = "KUSHKI_FEATURES")]
    features: Option<PathBuf>,
    /// Reports folder.
    #[arg(long, default_value = "conformance-report")]
    out: PathBuf,
    /// Ask the operator to present cards at a real terminal instead of skipping scripted-card scenarios.
    #[arg(long)]
    interactive: bool,
    /// Sign the manifest with HMAC-SHA256 under the key in this environment variable.
    #[arg(long)]
    sign_key_env: Option<String>,
    /// One line per scenario instead of a progress bar.
    #[arg(long)]
    lines: bool,
}

/// Every option has an environment variable (`KUSHKI_…`), so a container is configured without a
/// command line.
#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// The acquirer's address (raw API, cloud relay, admin).
    #[arg(long, env = "KUSHKI_ACQUIRER_LISTEN", default_value = mock_acquirer::config::DEFAULT_LISTEN)]
    acquirer_listen: SocketAddr,
    /// The acquirer's HTTPS address (Kushki's API and cloud relay speak HTTPS), if any.
    #[arg(long, env = "KUSHKI_ACQUIRER_TLS_LISTEN")]
    acquirer_tls_listen: Option<SocketAddr>,
    /// Start no acquirer: the terminals use the raw API at this URL (another `serve`, a
    /// mock-acquirer container, Kushki's UAT).
    #[arg(long, env = "KUSHKI_ACQUIRER_URL")]
    acquirer_url: Option<String>,
    /// With --acquirer-url: the cloud relay's base URL, when it is not the acquirer's.
    #[arg(long, env = "KUSHKI_RELAY_URL", requires = "acquirer_url")]
    relay_url: Option<String>,
    /// A terminal as SERIAL@ADDR[,country=PER|MEX|CHL|COL][,model=p2se|p3][,tls=ADDR]
    /// (repeatable; in the environment, separated by spaces); one Peruvian P3 `PB04209860189`
    /// on 127.0.0.1:6868 when absent. `tls=` adds its HTTPS listener (Kushki's 6869).
    #[arg(long = "terminal", env = "KUSHKI_TERMINALS", value_delimiter = ' ')]
    terminals: Vec<TerminalSpec>,
    /// The Business-Code the terminals accept.
    #[arg(long, env = "KUSHKI_BUSINESS_CODE", default_value = mock_terminal::config::DEFAULT_BUSINESS_CODE, hide_env_values = true)]
    business_code: String,
    /// The Private-Credential-Id the acquirer accepts.
    #[arg(long, env = "KUSHKI_PRIVATE_CREDENTIAL_ID", default_value = mock_acquirer::DEFAULT_CREDENTIAL, hide_env_values = true)]
    credential: String,
    /// Clock shared by every mock.
    #[arg(long, env = "KUSHKI_CLOCK", value_enum, default_value_t = ClockArg::System)]
    clock: ClockArg,
    /// Start of the manual clock (RFC 3339).
    #[arg(long, env = "KUSHKI_START_TIME")]
    start_time: Option<jiff::Timestamp>,
    /// Append every exchange, masked, to this JSON Lines file.
    #[arg(long, env = "KUSHKI_JOURNAL")]
    journal: Option<PathBuf>,
    /// HTTPS: certificates, the store's CA and where it is written.
    #[command(flatten)]
    tls: kushki_mock_support::tls::TlsOptions,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ClockArg {
    System,
    Manual,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Profile {
    /// The rules only.
    Default,
    /// The rules, and every flow a certification exercises.
    Certification,
}

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["journal", "from"]))]
struct VerifyArgs {
    /// A JSON Lines journal written by the mocks (--journal).
    #[arg(long)]
    journal: Option<PathBuf>,
    /// A running mock's base URL (its /__admin/journal is read; repeatable).
    #[arg(long)]
    from: Vec<String>,
    /// Which checks.
    #[arg(long, value_enum, default_value_t = Profile::Default)]
    profile: Profile,
    /// Reports folder.
    #[arg(long, default_value = "conformance-report")]
    out: PathBuf,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The package folder (a run's --out).
    dir: PathBuf,
    /// Verify the manifest's HMAC under the key in this environment variable.
    #[arg(long)]
    sign_key_env: Option<String>,
}

fn key_from_env(var: &Option<String>) -> Result<Option<Vec<u8>>, String> {
    match var {
        None => Ok(None),
        Some(name) => std::env::var(name)
            .map(|k| Some(k.into_bytes()))
            .map_err(|_| format!("environment variable {name} is not set")),
    }
}

fn write_reports(run: &Run, out: &Path, key: Option<&[u8]>) -> Result<(), String> {
    let written = conformance_reports::write_all(run, out, key)
        .map_err(|e| format!("cannot write reports to {}: {e}", out.display()))?;
    let files: Vec<String> = written
        .all()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    println!("reports: {}", files.join(", "));
    Ok(())
}

fn summary(run: &Run) {
    let t = run.totals();
    for (f, s) in run.scenarios() {
        if s.status == conformance_reports::model::Status::Failed {
            println!("FAILED [{}] {}:{} {}", s.topology, f.path, s.line, s.name);
            for st in s
                .steps
                .iter()
                .filter(|st| st.status == conformance_reports::model::Status::Failed)
            {
                println!("    {} {}", st.keyword, st.text);
                for l in st.message.as_deref().unwrap_or("").lines() {
                    println!("      {l}");
                }
            }
        }
    }
    for e in &run.errors {
        println!("ERROR {e}");
    }
    println!(
        "{} passed, {} failed, {} skipped",
        t.passed, t.failed, t.skipped
    );
}

async fn run_cmd(args: RunArgs) -> Result<bool, String> {
    let target: Target = args
        .target
        .parse()
        .map_err(|e: kushki_conformance::target::TargetError| e.to_string())?;
    let key = key_from_env(&args.sign_key_env)?;
    if let Some(ca) = &args.ca_cert {
        let pem = std::fs::read(ca).map_err(|e| format!("--ca-cert {}: {e}", ca.display()))?;
        kushki_conformance::env::trust_ca(&pem)
            .map_err(|e| format!("--ca-cert {}: {e}", ca.display()))?;
    }
    let opts = Options {
        target,
        tags: args.tags,
        features: args.features.unwrap_or_else(runner::default_features_dir),
        interactive: args.interactive,
        serial: args.serial,
        concurrency: 16,
        progress: if args.lines || !std::io::stdout().is_terminal() {
            Progress::Lines
        } else {
            Progress::Bar
        },
    };
    let run = runner::run(&opts).await?;
    summary(&run);
    write_reports(&run, &args.out, key.as_deref())?;
    Ok(!run.failed())
}

async fn serve_cmd(args: ServeArgs) -> Result<bool, String> {
    let mut terminals = args.terminals;
    if terminals.is_empty() {
        terminals.push(TerminalSpec {
            serial: mock_terminal::config::DEFAULT_SERIAL.to_string(),
            listen: mock_terminal::config::DEFAULT_LISTEN
                .parse()
                .expect("address"),
            country: kushki_protocol::raw::Country::Peru,
            model: mock_terminal::config::DeviceModel::P3,
            tls: None,
        });
    }
    let acquirer = match args.acquirer_url {
        Some(url) => AcquirerSide::Remote {
            relay_url: args.relay_url.unwrap_or_else(|| url.clone()),
            acquirer_url: url,
        },
        None => AcquirerSide::Local(args.acquirer_listen, args.acquirer_tls_listen),
    };
    let trust_ca_pem = args.tls.trust_ca_pem().map_err(|e| e.to_string())?;
    let mut opts = ServeOptions {
        acquirer,
        terminals,
        business_code: args.business_code,
        credential: args.credential,
        clock: match args.clock {
            ClockArg::System => ClockMode::System,
            ClockArg::Manual => ClockMode::Manual,
        },
        start_time: args.start_time,
        journal: args.journal,
        tls: None,
        trust_ca_pem,
    };
    if opts.wants_tls() {
        let (tls, ca) = args
            .tls
            .build_and_write("kushki-conformance")
            .map_err(|e| format!("HTTPS: {e}"))?;
        opts.tls = Some((std::sync::Arc::new(tls), ca));
    }
    let served = serve(&opts)
        .await
        .map_err(|e| format!("cannot start: {e}"))?;
    println!("{}", served.banner(&opts));
    kushki_mock_support::server::shutdown_signal().await;
    served.shutdown().await;
    println!("stopped; journal flushed");
    Ok(true)
}

async fn verify_cmd(args: VerifyArgs) -> Result<bool, String> {
    let mut entries = Vec::new();
    let source = if let Some(path) = &args.journal {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        entries = verify::read_jsonl(&text)?;
        path.display().to_string()
    } else {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        for base in &args.from {
            let v: serde_json::Value = http
                .get(format!("{}/__admin/journal", base.trim_end_matches('/')))
                .send()
                .await
                .map_err(|e| format!("{base}: {e}"))?
                .json()
                .await
                .map_err(|e| format!("{base}: {e}"))?;
            entries.extend(v["entries"].as_array().cloned().unwrap_or_default());
        }
        args.from.join(", ")
    };
    let mut checks = verify::check(&entries);
    if args.profile == Profile::Certification {
        checks.extend(verify::certification(&entries));
    }
    for c in &checks {
        println!("{} {}", if c.passed() { "ok  " } else { "FAIL" }, c.title);
        for p in &c.problems {
            println!("       {p}");
        }
    }
    let run = verify::to_run(&source, &checks);
    let t = run.totals();
    println!(
        "{} entries checked: {} passed, {} failed",
        entries.len(),
        t.passed,
        t.failed
    );
    write_reports(&run, &args.out, None)?;
    Ok(checks.iter().all(verify::Check::passed))
}

/// The listeners `serve` starts under this process's environment, as loopback base URLs.
fn served_urls() -> Result<Vec<String>, String> {
    let serve = Cli::try_parse_from(["kushki-conformance", "serve"])
        .map_err(|e| format!("the KUSHKI_ environment does not parse: {e}"))?;
    let Some(Command::Serve(args)) = serve.command else {
        return Err("`serve` did not parse as serve".into());
    };
    let mut addrs = Vec::new();
    if args.acquirer_url.is_none() {
        addrs.push(args.acquirer_listen);
    }
    addrs.extend(args.terminals.iter().map(|t| t.listen));
    if args.terminals.is_empty() {
        addrs.push(
            mock_terminal::config::DEFAULT_LISTEN
                .parse()
                .expect("address"),
        );
    }
    Ok(addrs
        .into_iter()
        .map(kushki_conformance::serve::local_url)
        .collect())
}

/// One `GET /__admin/health` over a plain socket (no runtime, no client: the HEALTHCHECK runs
/// every few seconds for the life of the container).
fn healthy(base: &str, timeout: std::time::Duration) -> Result<(), String> {
    use std::io::{Read, Write};
    let authority = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("{base}: only http:// URLs are checked"))?
        .trim_end_matches('/');
    let addr: SocketAddr = authority
        .parse()
        .map_err(|e| format!("{base}: {e} (give an IP address and port)"))?;
    let mut stream =
        std::net::TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{base}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| format!("{base}: {e}"))?;
    write!(
        stream,
        "GET /__admin/health HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("{base}: {e}"))?;
    let mut head = [0u8; 12];
    stream
        .read_exact(&mut head)
        .map_err(|e| format!("{base}: {e}"))?;
    if &head[9..12] == b"200" {
        Ok(())
    } else {
        Err(format!(
            "{base}: answered {}",
            String::from_utf8_lossy(&head)
        ))
    }
}

fn health_cmd(args: HealthArgs) -> Result<bool, String> {
    let urls = if args.url.is_empty() {
        served_urls()?
    } else {
        args.url
    };
    let timeout = std::time::Duration::from_millis(args.timeout_ms.max(1));
    let mut ok = true;
    for url in &urls {
        match healthy(url, timeout) {
            Ok(()) => println!("ok   {url}"),
            Err(e) => {
                ok = false;
                println!("FAIL {e}");
            }
        }
    }
    Ok(ok)
}

fn check_cmd(args: CheckArgs) -> Result<bool, String> {
    let key = key_from_env(&args.sign_key_env)?;
    match conformance_reports::package::check_package(&args.dir, key.as_deref()) {
        Ok(report) => {
            println!(
                "package {} is intact: {} files, {} bytes, {}",
                args.dir.display(),
                report.files.len(),
                report.bytes,
                if report.signed {
                    "HMAC verified"
                } else {
                    "unsigned"
                }
            );
            Ok(true)
        }
        Err(problems) => {
            for p in &problems {
                println!("FAIL {p}");
            }
            Ok(false)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The HEALTHCHECK runs every few seconds: it starts no runtime.
    if let Some(Command::Health(args)) = cli.command {
        return exit(health_cmd(args));
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_or_else(
            |e| exit(Err(format!("cannot start the runtime: {e}"))),
            |rt| rt.block_on(async_main(cli)),
        )
}

fn exit(result: Result<bool, String>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("kushki-conformance: {e}");
            ExitCode::from(2)
        }
    }
}

async fn async_main(cli: Cli) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "error".into()),
        )
        .init();
    let result = match cli.command.unwrap_or(Command::Run(RunArgs {
        target: "mock".into(),
        out: "conformance-report".into(),
        ..RunArgs::default()
    })) {
        Command::Run(a) => run_cmd(a).await,
        Command::Serve(a) => serve_cmd(*a).await,
        Command::Verify(a) => verify_cmd(a).await,
        Command::CheckPackage(a) => check_cmd(a),
        Command::Health(a) => health_cmd(a),
    };
    exit(result)
}
