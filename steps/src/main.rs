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
use kushki_conformance::serve::{ServeOptions, serve};
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
    Serve(ServeArgs),
    /// Check the journal of what a POS or terminal app sent to the mocks; exits non-zero on any
    /// violation.
    Verify(VerifyArgs),
    /// Verify a dry-run package: every file's SHA-256 and, with a key, the manifest's HMAC.
    CheckPackage(CheckArgs),
}

#[derive(Debug, clap::Args, Default)]
struct RunArgs {
    /// mock | lan://IP:PORT | cloud://HOST | localhost[:PORT] | acquirer://URL
    #[arg(long, default_value = "mock")]
    target: String,
    /// Serial of the terminal under test (remote targets; else KUSHKI_SERIAL).
    #[arg(long, env = "KUSHKI_SERIAL")]
    serial: Option<String>,
    /// Tag expression, e.g. "@beta and not @faults".
    #[arg(long)]
    tags: Option<String>,
    /// Features folder (with connect/ and raw/).
    #[arg(long)]
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

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// The acquirer's address (raw API, cloud relay, admin).
    #[arg(long, default_value = mock_acquirer::config::DEFAULT_LISTEN)]
    acquirer_listen: SocketAddr,
    /// A terminal as SERIAL@ADDR (repeatable); one default terminal on 127.0.0.1:6868 when absent.
    #[arg(long = "terminal")]
    terminals: Vec<String>,
    /// The Business-Code the terminals accept.
    #[arg(long, env = "KUSHKI_BUSINESS_CODE", default_value = mock_terminal::config::DEFAULT_BUSINESS_CODE, hide_env_values = true)]
    business_code: String,
    /// The Private-Credential-Id the acquirer accepts.
    #[arg(long, env = "KUSHKI_PRIVATE_CREDENTIAL_ID", default_value = mock_acquirer::DEFAULT_CREDENTIAL, hide_env_values = true)]
    credential: String,
    /// Clock shared by every mock.
    #[arg(long, value_enum, default_value_t = ClockArg::System)]
    clock: ClockArg,
    /// Start of the manual clock (RFC 3339).
    #[arg(long)]
    start_time: Option<jiff::Timestamp>,
    /// Append every exchange, masked, to this JSON Lines file.
    #[arg(long)]
    journal: Option<PathBuf>,
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
    let mut terminals = Vec::new();
    for t in &args.terminals {
        let (serial, addr) = t
            .split_once('@')
            .ok_or_else(|| format!("--terminal `{t}`: use SERIAL@ADDR"))?;
        let addr: SocketAddr = addr.parse().map_err(|e| format!("--terminal `{t}`: {e}"))?;
        terminals.push((serial.to_string(), addr));
    }
    if terminals.is_empty() {
        terminals.push((
            mock_terminal::config::DEFAULT_SERIAL.to_string(),
            mock_terminal::config::DEFAULT_LISTEN
                .parse()
                .expect("address"),
        ));
    }
    let opts = ServeOptions {
        acquirer_listen: args.acquirer_listen,
        terminals,
        business_code: args.business_code,
        credential: args.credential,
        clock: match args.clock {
            ClockArg::System => ClockMode::System,
            ClockArg::Manual => ClockMode::Manual,
        },
        start_time: args.start_time,
        journal: args.journal,
    };
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

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "error".into()),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Run(RunArgs {
        target: "mock".into(),
        out: "conformance-report".into(),
        ..RunArgs::default()
    })) {
        Command::Run(a) => run_cmd(a).await,
        Command::Serve(a) => serve_cmd(a).await,
        Command::Verify(a) => verify_cmd(a).await,
        Command::CheckPackage(a) => check_cmd(a),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("kushki-conformance: {e}");
            ExitCode::from(2)
        }
    }
}
