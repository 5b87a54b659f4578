//! # kushki-bench
//!
//! One run that measures the mocks side by side with a bare axum baseline on the same machine,
//! prints one table (each figure and its ratio to the baseline, with the issue's budgets) and
//! writes it as JSON. What each row measures and the budgets are in `BENCHMARKS.md`.
//!
//! # Layout
//!
//! * [`load`]: the load generator (hyper client connections, closed loop, HDR histograms).
//! * [`workloads`]: raw charges, Connect charges, the baseline router.
//! * [`process`]: the release binaries as processes: start on port 0, address, RSS.
//! * [`report`]: rows, the table, the JSON.
//! * [`run`]: the whole benchmark, item by item.

pub mod load;
pub mod process;
pub mod report;
pub mod workloads;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use kushki_conformance::collector::Progress;
use kushki_conformance::runner;
use kushki_protocol::auth::Credentials;
use tokio::net::TcpListener;

use load::{LoadResult, Stop};
use report::{Conditions, Report, RoundFigures, Row};
use workloads::{ConnectCharge, RawCharge, TerminalTarget};

/// Measured seconds per load and round by default.
pub const DEFAULT_SECONDS: f64 = 3.0;
/// Rounds of the throughput loads (items 1 to 3) by default.
pub const DEFAULT_ROUNDS: u16 = 3;
/// Connections of the throughput loads (the issue's 32).
pub const DEFAULT_CONNECTIONS: usize = 32;
/// Connections of the low-load latency figure (the issue's 4).
pub const DEFAULT_LOW_CONNECTIONS: usize = 4;
/// Mock terminals of the Connect load, one connection each (the issue's 64).
pub const DEFAULT_TERMINALS: usize = 64;
/// Raw charges sent to the separate acquirer process for the memory figure.
pub const DEFAULT_CHARGES: u64 = 1_000_000;
/// Times `serve` is started to take the median start-up.
pub const DEFAULT_SERVE_STARTS: usize = 5;
/// The Business-Code of the Connect load's terminals.
pub const BUSINESS_CODE: &str = "BC-BENCH-0001";

const MB: f64 = 1e6;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Measured window of each load in each round.
    pub measure: Duration,
    /// Rounds of items 1 to 3: each round runs every load once, one after the other, so that a
    /// machine whose speed drifts during the run slows the baseline and the mocks alike.
    pub rounds: usize,
    /// Warm-up before each load's window.
    pub warmup: Duration,
    /// Connections of the throughput loads.
    pub connections: usize,
    /// Connections of the low-load latency figure.
    pub low_connections: usize,
    /// Terminals (and connections) of the Connect load.
    pub terminals: usize,
    /// The issue's items to run (`1` … `6`); the baseline (1) gives the others their ratios.
    pub items: Vec<u8>,
    /// Where the `kushki-conformance` and `mock-acquirer` binaries are, for items 5 and 6;
    /// `None` skips both.
    pub bin_dir: Option<PathBuf>,
    /// Times `serve` is started (item 5).
    pub serve_starts: usize,
    /// Raw charges for the memory figure (item 6).
    pub charges: u64,
}

impl Default for Options {
    fn default() -> Self {
        let measure = Duration::from_secs_f64(DEFAULT_SECONDS);
        Options {
            measure,
            rounds: usize::from(DEFAULT_ROUNDS),
            warmup: warmup_for(measure),
            connections: DEFAULT_CONNECTIONS,
            low_connections: DEFAULT_LOW_CONNECTIONS,
            terminals: DEFAULT_TERMINALS,
            items: vec![1, 2, 3, 4, 5, 6],
            bin_dir: Some(process::default_bin_dir()),
            serve_starts: DEFAULT_SERVE_STARTS,
            charges: DEFAULT_CHARGES,
        }
    }
}

/// The warm-up that goes with a measured window: a fifth of it, at most one second.
pub fn warmup_for(measure: Duration) -> Duration {
    (measure / 5).min(Duration::from_secs(1))
}

/// Serves `router` on a port-0 listener until the returned sender is dropped.
async fn serve_router(
    router: axum::Router,
) -> std::io::Result<(SocketAddr, tokio::sync::oneshot::Sender<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
    });
    Ok((addr, tx))
}

struct Run<'a> {
    opts: &'a Options,
    rows: Vec<Row>,
    notes: Vec<String>,
    /// The baseline's pooled figures, once item 1 has run.
    baseline: Baseline,
    /// Each round's req/s of items 1 to 3.
    rounds: Vec<RoundFigures>,
}

impl Run<'_> {
    fn timed(&self) -> Stop {
        Stop::Timed {
            warmup: self.opts.warmup,
            measure: self.opts.measure,
        }
    }

    /// Notes a load's failures; every figure is of successful requests only.
    fn check_load(&mut self, what: &str, r: &LoadResult) {
        if r.errors > 0 || r.ok == 0 {
            self.notes.push(format!(
                "{what}: {} failed of {} (first: {})",
                r.errors,
                r.ok + r.errors,
                r.first_error.as_deref().unwrap_or("no request succeeded")
            ));
        }
    }

    fn progress(&self, what: &str) {
        eprintln!("kushki-bench: {what}");
    }
}

/// The baseline's figures the other rows are compared with (zero when it did not run).
#[derive(Debug, Clone, Copy, Default)]
struct Baseline {
    rps: f64,
    p50: f64,
    p99: f64,
    low_rps: f64,
    low_p99: f64,
}

/// Runs the benchmark and answers its report.
pub async fn run(opts: &Options) -> Report {
    let loadavg_before = report::loadavg();
    let mut run = Run {
        opts,
        rows: Vec::new(),
        notes: Vec::new(),
        baseline: Baseline::default(),
        rounds: Vec::new(),
    };
    let wants = |item: u8| opts.items.contains(&item);
    if wants(1) || wants(2) || wants(3) {
        throughput_loads(&mut run, wants(1), wants(2), wants(3)).await;
    }
    if wants(4) {
        run.progress("4. conformance suite against the embedded mocks");
        suite(&mut run).await;
    }
    if let Some(dir) = &opts.bin_dir {
        if wants(5) {
            run.progress("5. kushki-conformance serve: start-up and idle RSS");
            let bin = dir.join("kushki-conformance");
            if let Err(e) = serve_startup(&mut run, &bin).await {
                run.notes.push(format!("serve start-up not measured: {e}"));
            }
        }
        if wants(6) {
            run.progress(&format!(
                "6. {} raw charges against a mock-acquirer process",
                opts.charges
            ));
            let bin = dir.join("mock-acquirer");
            let baseline_rps = run.baseline.rps;
            if let Err(e) = ledger_memory(&mut run, &bin, opts.charges, baseline_rps).await {
                run.notes.push(format!("ledger memory not measured: {e}"));
            }
        }
    }
    Report {
        generated: jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_default()
            .to_string(),
        conditions: Conditions {
            build: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
            .into(),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            loadavg_before,
            loadavg_after: report::loadavg(),
            seconds: opts.measure.as_secs_f64(),
            warmup_seconds: opts.warmup.as_secs_f64(),
            rounds: opts.rounds,
            load_generator: report::LOAD_GENERATOR.into(),
        },
        rows: run.rows,
        rounds: run.rounds,
        notes: run.notes,
    }
}

/// A row with its ratio to `baseline` and the budget judged on it, when there is a baseline.
fn ratio_budget(row: Row, baseline: f64, budget: &str, met: impl Fn(f64) -> bool) -> Row {
    if baseline > 0.0 {
        row.vs(baseline).budget(budget, met(baseline))
    } else {
        row
    }
}

/// Items 1 to 3 in rounds: the bare axum baseline, the acquirer's raw charge and the Connect
/// charge, each at its connection count, alternating within every round; each figure pools its
/// rounds (requests over the summed windows; percentiles of the merged histograms).
async fn throughput_loads(run: &mut Run<'_>, baseline: bool, raw: bool, connect: bool) {
    let conns = run.opts.connections;
    let low = run.opts.low_connections;
    let acquirer = mock_acquirer::spawn(mock_acquirer::Config::default())
        .await
        .expect("the mock acquirer starts");
    let mut baseline_server = None;
    if baseline {
        // The acquirer's first answer is the baseline's fixed body.
        let approval = match load::one_shot(
            acquirer.addr(),
            workloads::raw_charge_request(acquirer.addr()),
        )
        .await
        {
            Ok((status, body)) if status.is_success() => body,
            other => {
                run.notes.push(format!(
                    "the first raw charge did not succeed ({other:?}); the baseline answers a stand-in body"
                ));
                Bytes::from_static(br#"{"transaction_status":"APPROVAL"}"#)
            }
        };
        let (addr, stop) = serve_router(workloads::baseline_router(approval))
            .await
            .expect("the baseline binds");
        baseline_server = Some((Arc::new(RawCharge { addr }), stop));
    }
    let raw_w = Arc::new(RawCharge {
        addr: acquirer.addr(),
    });
    let rig = if connect {
        match ConnectRig::start(run.opts.terminals).await {
            Ok(rig) => Some(rig),
            Err(e) => {
                run.notes.push(format!("Connect load not run: {e}"));
                None
            }
        }
    } else {
        None
    };

    let mut pooled: [Option<LoadResult>; 5] = Default::default();
    let pool = |slot: &mut Option<LoadResult>, r: LoadResult| match slot {
        Some(total) => total.merge(r),
        None => *slot = Some(r),
    };
    let rounds = run.opts.rounds.max(1);
    for round in 1..=rounds {
        run.progress(&format!("round {round} of {rounds}: items 1 to 3"));
        let mut figures = RoundFigures {
            round,
            ..RoundFigures::default()
        };
        if let Some((w, _)) = &baseline_server {
            let r = load::run(w.clone(), conns, run.timed()).await;
            figures.baseline_rps = Some(r.rps());
            pool(&mut pooled[0], r);
        }
        if raw {
            let r = load::run(raw_w.clone(), conns, run.timed()).await;
            figures.raw_rps = Some(r.rps());
            pool(&mut pooled[1], r);
        }
        if let Some(rig) = &rig {
            let r = load::run(
                rig.workload.clone(),
                rig.workload.terminals.len(),
                run.timed(),
            )
            .await;
            figures.connect_rps = Some(r.rps());
            pool(&mut pooled[2], r);
        }
        if let Some((w, _)) = &baseline_server {
            pool(&mut pooled[3], load::run(w.clone(), low, run.timed()).await);
        }
        if raw {
            pool(
                &mut pooled[4],
                load::run(raw_w.clone(), low, run.timed()).await,
            );
        }
        run.rounds.push(figures);
    }
    if let Some(rig) = rig {
        rig.stop().await;
    }
    drop(baseline_server);
    acquirer.shutdown().await;

    let [b, r, c, b_low, r_low] = pooled;
    if let (Some(b), Some(b_low)) = (b, b_low) {
        run.check_load("baseline", &b);
        run.check_load("baseline at low load", &b_low);
        run.baseline = Baseline {
            rps: b.rps(),
            p50: b.percentile_ms(0.5),
            p99: b.percentile_ms(0.99),
            low_rps: b_low.rps(),
            low_p99: b_low.percentile_ms(0.99),
        };
        let base = run.baseline;
        let what = format!("baseline: bare axum handler, fixed JSON body, {conns} conns");
        run.rows
            .push(Row::new("1", &what, "req/s", base.rps, "req/s").vs(base.rps));
        run.rows
            .push(Row::new("1", &what, "p50", base.p50, "ms").vs(base.p50));
        run.rows
            .push(Row::new("1", &what, "p99", base.p99, "ms").vs(base.p99));
        let what = format!("baseline, {low} conns");
        run.rows
            .push(Row::new("1", &what, "req/s", base.low_rps, "req/s").vs(base.low_rps));
        run.rows
            .push(Row::new("1", &what, "p99", base.low_p99, "ms").vs(base.low_p99));
    }
    let base = run.baseline;
    if let (Some(r), Some(r_low)) = (r, r_low) {
        run.check_load("raw charge", &r);
        run.check_load("raw charge at low load", &r_low);
        let what = format!("raw charge (schema, ledger, journal), {conns} conns");
        run.rows.extend(load_rows("2", &what, &r, base, 0.5));
        let what = format!("raw charge, {low} conns");
        run.rows
            .push(Row::new("2", &what, "req/s", r_low.rps(), "req/s").vs(base.low_rps));
        let p99 = r_low.percentile_ms(0.99);
        run.rows.push(
            Row::new("2", &what, "p99", p99, "ms")
                .vs(base.low_p99)
                .budget("< 2 ms", p99 < 2.0),
        );
    }
    if let Some(c) = c {
        run.check_load("Connect charge", &c);
        let what = format!(
            "Connect charge end to end (sign, encrypt, LAN terminal, acquirer, encrypted answer), {} terminals × 1 conn",
            c.connections
        );
        run.rows.extend(load_rows("3", &what, &c, base, 0.2));
    }
}

/// A mock's load at the throughput connection count: req/s with its budget of `share` of the
/// baseline's, p50 and p99, each with its ratio to the baseline's.
fn load_rows(item: &str, what: &str, r: &LoadResult, base: Baseline, share: f64) -> [Row; 3] {
    let rps = r.rps();
    [
        ratio_budget(
            Row::new(item, what, "req/s", rps, "req/s"),
            base.rps,
            &format!("≥ {share}× baseline"),
            |b| rps >= share * b,
        ),
        Row::new(item, what, "p50", r.percentile_ms(0.5), "ms").vs(base.p50),
        Row::new(item, what, "p99", r.percentile_ms(0.99), "ms").vs(base.p99),
    ]
}

/// Item 4: the whole suite against the embedded mocks, in this process, quietly.
async fn suite(run: &mut Run<'_>) {
    let opts = runner::Options {
        progress: Progress::Quiet,
        ..runner::Options::mock(&runner::default_features_dir())
    };
    let started = Instant::now();
    let result = runner::run(&opts).await;
    let wall = started.elapsed().as_secs_f64();
    match result {
        Ok(r) => {
            let t = r.totals();
            run.rows.push(
                Row::new(
                    "4",
                    &format!(
                        "conformance suite, embedded mocks ({} passed, {} failed, {} skipped)",
                        t.passed, t.failed, t.skipped
                    ),
                    "wall",
                    wall,
                    "s",
                )
                .budget("< 10 s", wall < 10.0),
            );
            if t.failed > 0 {
                run.notes
                    .push(format!("the conformance suite had {} failures", t.failed));
            }
        }
        Err(e) => run
            .notes
            .push(format!("conformance suite did not run: {e}")),
    }
}

/// Item 3's set-up: an acquirer and `terminals` mock terminals in this process sharing its
/// clock, loaded with one connection per terminal.
struct ConnectRig {
    acquirer: mock_acquirer::RunningAcquirer,
    terminals: Vec<mock_terminal::RunningTerminal>,
    workload: Arc<ConnectCharge>,
}

impl ConnectRig {
    async fn start(count: usize) -> Result<ConnectRig, String> {
        let acquirer = mock_acquirer::spawn(mock_acquirer::Config::default())
            .await
            .map_err(|e| format!("acquirer: {e}"))?;
        let mut terminals = Vec::new();
        let mut targets = Vec::new();
        for i in 0..count {
            let serial = format!("PB0420986{i:04}");
            let t = mock_terminal::spawn(mock_terminal::Config {
                serial: serial.clone(),
                business_code: BUSINESS_CODE.into(),
                acquirer_url: acquirer.uri(),
                shared_clock: Some(acquirer.state().clock.clone()),
                ..mock_terminal::Config::default()
            })
            .await
            .map_err(|e| format!("terminal {serial}: {e}"))?;
            let addr = t
                .uri()
                .trim_start_matches("http://")
                .parse()
                .map_err(|e| format!("terminal address: {e}"))?;
            targets.push(TerminalTarget {
                addr,
                creds: Credentials::new(BUSINESS_CODE, &serial),
            });
            terminals.push(t);
        }
        Ok(ConnectRig {
            acquirer,
            terminals,
            workload: Arc::new(ConnectCharge { terminals: targets }),
        })
    }

    async fn stop(self) {
        for t in self.terminals {
            t.shutdown().await;
        }
        self.acquirer.shutdown().await;
    }
}

/// Polls `GET /__admin/health` until it answers 200 (at most `timeout`).
async fn wait_healthy(addr: SocketAddr, timeout: Duration) -> Result<Instant, String> {
    let end = Instant::now() + timeout;
    loop {
        if let Ok((status, _)) = load::one_shot(addr, workloads::health_request(addr)).await
            && status.is_success()
        {
            return Ok(Instant::now());
        }
        if Instant::now() > end {
            return Err(format!("{addr} never answered /__admin/health"));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Item 5: `serve` from process start to the first healthy answer (median of several starts),
/// and its resident memory once idle.
async fn serve_startup(run: &mut Run<'_>, bin: &std::path::Path) -> Result<(), String> {
    let args = [
        "serve",
        "--acquirer-listen",
        "127.0.0.1:0",
        "--terminal",
        "S1@127.0.0.1:0",
    ];
    let mut ready_ms = Vec::new();
    let mut idle_rss = 0;
    for i in 0..run.opts.serve_starts.max(1) {
        let p = process::start(bin, &args, Duration::from_secs(10)).await?;
        let healthy = wait_healthy(p.addr, Duration::from_secs(10)).await?;
        ready_ms.push((healthy - p.spawned).as_secs_f64() * 1000.0);
        if i == 0 {
            // Idle: a second with nothing to do, then the resident set.
            tokio::time::sleep(Duration::from_secs(1)).await;
            idle_rss = process::rss_bytes(p.pid())?;
        }
        p.stop().await;
    }
    ready_ms.sort_by(f64::total_cmp);
    let median = ready_ms[ready_ms.len() / 2];
    let max = ready_ms[ready_ms.len() - 1];
    let what = "kushki-conformance serve (acquirer + 1 terminal), process start → first 200 of /__admin/health";
    run.rows.push(
        Row::new(
            "5",
            &format!("{what}, median of {}", ready_ms.len()),
            "ready",
            median,
            "ms",
        )
        .budget("< 100 ms", median < 100.0),
    );
    run.rows.push(Row::new(
        "5",
        &format!("{what}, slowest"),
        "ready",
        max,
        "ms",
    ));
    run.rows.push(
        Row::new(
            "5",
            "kushki-conformance serve, idle 1 s after start",
            "RSS",
            idle_rss as f64 / MB,
            "MB",
        )
        .budget("< 20 MB", (idle_rss as f64) < 20.0 * MB),
    );
    Ok(())
}

/// Item 6: RSS of a `mock-acquirer` process before, half-way through and after `n` raw charges.
async fn ledger_memory(
    run: &mut Run<'_>,
    bin: &std::path::Path,
    n: u64,
    baseline_rps: f64,
) -> Result<(), String> {
    let p = process::start(bin, &["--listen", "127.0.0.1:0"], Duration::from_secs(10)).await?;
    wait_healthy(p.addr, Duration::from_secs(10)).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = process::rss_bytes(p.pid())?;
    let w = Arc::new(RawCharge { addr: p.addr });
    let half = n / 2;
    let first = load::run(w.clone(), run.opts.connections, Stop::Count(half)).await;
    let middle = process::rss_bytes(p.pid())?;
    let second = load::run(w, run.opts.connections, Stop::Count(n - half)).await;
    let after = process::rss_bytes(p.pid())?;
    p.stop().await;
    run.check_load("raw charges for the memory figure (first half)", &first);
    run.check_load("raw charges for the memory figure (second half)", &second);
    let done = first.ok + second.ok;
    let seconds = (first.elapsed + second.elapsed).as_secs_f64();
    let what = format!("mock-acquirer process, {n} raw charges");
    run.rows.push(Row::new(
        "6",
        "mock-acquirer process, idle before",
        "RSS",
        before as f64 / MB,
        "MB",
    ));
    run.rows.push(Row::new(
        "6",
        &format!("{what}, after"),
        "RSS",
        after as f64 / MB,
        "MB",
    ));
    let per_txn = after.saturating_sub(before) as f64 / n as f64;
    run.rows.push(
        Row::new(
            "6",
            &format!("{what}: (RSS after − before) / {n}"),
            "memory",
            per_txn,
            "bytes/txn",
        )
        .budget("≤ 512 bytes/txn", per_txn <= 512.0),
    );
    let marginal = after.saturating_sub(middle) as f64 / (n - half).max(1) as f64;
    run.rows.push(Row::new(
        "6",
        &format!(
            "{what}: second half only (RSS after − half-way) / {}",
            n - half
        ),
        "memory",
        marginal,
        "bytes/txn",
    ));
    run.rows.push(
        Row::new(
            "6",
            &format!("{what}, out of process, {} conns", run.opts.connections),
            "req/s",
            done as f64 / seconds.max(1e-9),
            "req/s",
        )
        .vs(baseline_rps),
    );
    run.notes.push(format!(
        "item 6: the in-memory journal keeps a bounded window of {} entries (older ones only in the optional JSON Lines file), so its share of the RSS stops growing after that many exchanges; the ledger keeps every transaction",
        mock_acquirer::config::Config::default().journal_capacity
    ));
    Ok(())
}
