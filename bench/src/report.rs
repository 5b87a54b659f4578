//! The results: one row per figure, printed as a table and written as JSON.

use serde::Serialize;

/// The load generator, as the table names it.
pub const LOAD_GENERATOR: &str = "in-process load generator (reqwest/hyper): hyper 1 HTTP/1.1 \
     client connections, one per task, closed loop; percentiles from hdrhistogram";

/// One figure.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The item number (`1` … `6`).
    pub item: String,
    /// What was measured.
    pub measurement: String,
    /// Which figure (`req/s`, `p50`, `p99`, `wall`, `ready`, `RSS`, …).
    pub figure: String,
    /// The value, in `unit`.
    pub value: f64,
    /// `req/s`, `ms`, `s`, `MiB`, `bytes/txn`, `count`.
    pub unit: String,
    /// Ratio to the baseline's same figure, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vs_baseline: Option<f64>,
    /// The budget for this figure, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget: Option<String>,
    /// Whether the budget is met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub met: Option<bool>,
}

impl Row {
    /// A row without ratio or budget.
    pub fn new(item: &str, measurement: &str, figure: &str, value: f64, unit: &str) -> Row {
        Row {
            item: item.into(),
            measurement: measurement.into(),
            figure: figure.into(),
            value,
            unit: unit.into(),
            vs_baseline: None,
            budget: None,
            met: None,
        }
    }

    /// With its ratio to the baseline's figure.
    pub fn vs(mut self, baseline: f64) -> Row {
        if baseline > 0.0 {
            self.vs_baseline = Some(self.value / baseline);
        }
        self
    }

    /// With a budget and whether it is met.
    pub fn budget(mut self, text: &str, met: bool) -> Row {
        self.budget = Some(text.into());
        self.met = Some(met);
        self
    }
}

/// Where and how the run was made.
#[derive(Debug, Clone, Serialize)]
pub struct Conditions {
    /// `release` or `debug`.
    pub build: String,
    /// Cores the process may use.
    pub cores: usize,
    /// `/proc/loadavg` before the run.
    pub loadavg_before: String,
    /// `/proc/loadavg` after the run.
    pub loadavg_after: String,
    /// Measured seconds per load (and per round, for items 1 to 3).
    pub seconds: f64,
    /// Warm-up seconds before each load.
    pub warmup_seconds: f64,
    /// Rounds of items 1 to 3 (each load measured `seconds` once per round).
    pub rounds: usize,
    /// The load generator.
    pub load_generator: String,
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// When it was made, RFC 3339.
    pub generated: String,
    /// Where and how.
    pub conditions: Conditions,
    /// The figures.
    pub rows: Vec<Row>,
    /// Each round's req/s of items 1 to 3, to show how steady the machine was.
    pub rounds: Vec<RoundFigures>,
    /// Notes (failures seen, what a figure includes).
    pub notes: Vec<String>,
}

/// One round of the throughput loads: each item's req/s in that round alone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RoundFigures {
    /// 1-based.
    pub round: usize,
    /// Item 1 at the throughput connection count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_rps: Option<f64>,
    /// Item 2 at the throughput connection count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_rps: Option<f64>,
    /// Item 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_rps: Option<f64>,
}

impl RoundFigures {
    fn line(&self) -> String {
        let ratio = |x: f64| match self.baseline_rps {
            Some(b) if b > 0.0 => format!(" ({:.2}×)", x / b),
            _ => String::new(),
        };
        let mut parts = Vec::new();
        if let Some(b) = self.baseline_rps {
            parts.push(format!("baseline {b:.0} req/s"));
        }
        if let Some(r) = self.raw_rps {
            parts.push(format!("raw {r:.0} req/s{}", ratio(r)));
        }
        if let Some(c) = self.connect_rps {
            parts.push(format!("Connect {c:.0} req/s{}", ratio(c)));
        }
        format!("round {}: {}", self.round, parts.join(", "))
    }
}

fn number(value: f64, unit: &str) -> String {
    match unit {
        "req/s" | "bytes/txn" | "count" => format!("{value:.0}"),
        "ms" => format!("{value:.3}"),
        "s" => format!("{value:.2}"),
        _ => format!("{value:.1}"),
    }
}

impl Report {
    /// The figures as a Markdown table, one row per figure.
    pub fn table(&self) -> String {
        let mut out = String::new();
        out.push_str("| # | measurement | figure | value | × baseline | budget | met |\n");
        out.push_str("|---|---|---|---:|---:|---|---|\n");
        for r in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} {} | {} | {} | {} |\n",
                r.item,
                r.measurement,
                r.figure,
                number(r.value, &r.unit),
                r.unit,
                r.vs_baseline
                    .map(|x| format!("{x:.2}×"))
                    .unwrap_or_default(),
                r.budget.clone().unwrap_or_default(),
                match r.met {
                    Some(true) => "yes",
                    Some(false) => "**no**",
                    None => "",
                }
            ));
        }
        out
    }

    /// The whole report as text: conditions, table, notes.
    pub fn text(&self) -> String {
        let c = &self.conditions;
        let mut out = format!(
            "kushki-bench {} ({} build, {} cores, load average before {}, after {})\n\
             load: {}\n{} s measured after {} s warm-up per load; items 1 to 3 in {} rounds, \
             their loads alternating within each round\n\n",
            self.generated,
            c.build,
            c.cores,
            c.loadavg_before,
            c.loadavg_after,
            c.load_generator,
            c.seconds,
            c.warmup_seconds,
            c.rounds,
        );
        out.push_str(&self.table());
        if !self.rounds.is_empty() {
            out.push('\n');
            for r in &self.rounds {
                out.push_str(&format!("- {}\n", r.line()));
            }
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for n in &self.notes {
                out.push_str(&format!("- {n}\n"));
            }
        }
        out
    }
}

/// The first three numbers of `/proc/loadavg`.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}
