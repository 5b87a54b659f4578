//! `kushki-bench`: runs the benchmark of `BENCHMARKS.md`, prints its table and writes it as JSON.
//! Run it with `cargo run --release -p kushki-bench`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use kushki_bench::{Options, process};

/// mimalloc instead of glibc's malloc: allocation and freeing across tokio's worker threads
/// were a quarter of a raw charge's instructions with glibc (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Benchmarks the mocks beside a bare axum baseline, in one run on this machine.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Measured seconds of each load, per round for items 1 to 3 (after a warm-up of a fifth of
    /// it, at most 1 s).
    #[arg(long, default_value_t = kushki_bench::DEFAULT_SECONDS)]
    seconds: f64,
    /// Rounds of items 1 to 3: every round runs the baseline and the mocks' loads once each, one
    /// after the other, and each figure pools its rounds.
    #[arg(long, default_value_t = kushki_bench::DEFAULT_ROUNDS, value_parser = clap::value_parser!(u16).range(1..))]
    rounds: u16,
    /// Where the JSON results go.
    #[arg(long, default_value = "bench-results.json")]
    out: PathBuf,
    /// Skip the million raw charges of the memory figure (item 6), for a quick run.
    #[arg(long)]
    skip_million: bool,
    /// Raw charges of the memory figure (item 6).
    #[arg(long, default_value_t = kushki_bench::DEFAULT_CHARGES)]
    charges: u64,
    /// Connections of the throughput loads.
    #[arg(long, default_value_t = kushki_bench::DEFAULT_CONNECTIONS)]
    connections: usize,
    /// Mock terminals of the Connect load (one connection each).
    #[arg(long, default_value_t = kushki_bench::DEFAULT_TERMINALS)]
    terminals: usize,
    /// Skip the conformance suite's wall time (item 4).
    #[arg(long)]
    skip_suite: bool,
    /// Run only these items of the issue (comma-separated, `1` to `6`), e.g. `--only 2` under a
    /// profiler; without the baseline (1) no ratio or ratio budget is given.
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u8).range(1..=6))]
    only: Vec<u8>,
    /// Folder of the `mock-acquirer` and `kushki-conformance` binaries (items 5 and 6); by
    /// default this build's own target folder, where they are built first.
    #[arg(long)]
    bin_dir: Option<PathBuf>,
    /// Do not build the binaries of items 5 and 6 before measuring.
    #[arg(long)]
    no_build: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if !(args.seconds > 0.0 && args.seconds.is_finite()) {
        eprintln!("kushki-bench: --seconds must be a positive number");
        return ExitCode::FAILURE;
    }
    if cfg!(debug_assertions) {
        eprintln!(
            "kushki-bench: a debug build measures debug mocks; use `cargo run --release -p kushki-bench`"
        );
    }
    let items: Vec<u8> = (1..=6)
        .filter(|i| args.only.is_empty() || args.only.contains(i))
        .filter(|i| !(*i == 4 && args.skip_suite || *i == 6 && args.skip_million))
        .collect();
    let needs_binaries = items.contains(&5) || items.contains(&6);
    if needs_binaries
        && args.bin_dir.is_none()
        && !args.no_build
        && let Err(e) = process::build_binaries()
    {
        eprintln!("kushki-bench: {e}");
        return ExitCode::FAILURE;
    }
    let measure = Duration::from_secs_f64(args.seconds);
    let opts = Options {
        measure,
        rounds: usize::from(args.rounds),
        warmup: kushki_bench::warmup_for(measure),
        connections: args.connections,
        terminals: args.terminals,
        items,
        bin_dir: Some(args.bin_dir.unwrap_or_else(process::default_bin_dir)),
        charges: args.charges,
        ..Options::default()
    };
    let report = kushki_bench::run(&opts).await;
    println!("{}", report.text());
    let json = match serde_json::to_string_pretty(&report) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("kushki-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::write(&args.out, json + "\n") {
        eprintln!("kushki-bench: {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    println!("written to {}", args.out.display());
    ExitCode::SUCCESS
}
