//! The run model: what happened in a conformance run, independent of any report format.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The outcome of a step or a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Ran and met every expectation.
    Passed,
    /// Ran and broke an expectation (or a hook failed).
    Failed,
    /// Did not run: no matching step, or the target lacks a capability (the reason says which).
    /// Never counted as passed.
    Skipped,
}

/// One step as it ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// `Given`, `When`, `Then`, `And`, `But`.
    pub keyword: String,
    /// The step's text.
    pub text: String,
    /// Line in the feature file.
    pub line: usize,
    /// Outcome.
    pub status: Status,
    /// Why it failed or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Wall time in milliseconds.
    pub duration_ms: f64,
}

/// One scenario (one example row of an outline) on one topology.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// Line in the feature file.
    pub line: usize,
    /// Tags, with their `@`, the feature's and rule's included.
    pub tags: Vec<String>,
    /// Which topology or target it ran on (`lan`, `localhost`, `cloud`, `acquirer`, …).
    pub topology: String,
    /// Outcome.
    pub status: Status,
    /// Why it was skipped, when it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// The steps.
    pub steps: Vec<StepResult>,
    /// The exchanges it made, masked (the evidence).
    #[serde(default)]
    pub exchanges: Vec<Value>,
    /// Receipts the scenario printed, as their text rendering (masked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub receipts: Vec<String>,
    /// Wall time in milliseconds.
    pub duration_ms: f64,
}

/// One requirement and the scenarios that cover it (for the coverage matrix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Requirement id (`raw.reverse.min-delay`).
    pub id: String,
    /// What it requires.
    pub text: String,
    /// Where it comes from (`ref §2.6`, `seed`).
    pub source: String,
    /// Whether a scenario can check it.
    pub testable: bool,
    /// Why not, when it cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One feature file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureResult {
    /// Feature name.
    pub name: String,
    /// Path relative to the features folder.
    pub path: String,
    /// Feature tags.
    pub tags: Vec<String>,
    /// Its scenarios, in file order, per topology.
    pub scenarios: Vec<ScenarioResult>,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Run {
    /// What was tested (`embedded mocks`, a terminal's address, …).
    pub implementation: String,
    /// The target as given (`mock`, `lan://…`).
    pub target: String,
    /// Tool and protocol versions.
    pub versions: std::collections::BTreeMap<String, String>,
    /// Start, RFC 3339.
    pub started: String,
    /// End, RFC 3339.
    pub finished: String,
    /// Features.
    pub features: Vec<FeatureResult>,
    /// Problems outside any scenario (a feature that does not parse, say).
    pub errors: Vec<String>,
    /// The requirements list, for the coverage matrix (scenarios name them with `@req:` tags).
    #[serde(default)]
    pub requirements: Vec<Coverage>,
}

/// Counts of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Scenarios passed.
    pub passed: usize,
    /// Scenarios failed.
    pub failed: usize,
    /// Scenarios skipped.
    pub skipped: usize,
}

impl Totals {
    /// All scenarios, whatever their outcome.
    pub fn total(&self) -> usize {
        self.passed + self.failed + self.skipped
    }
}

impl Status {
    /// The lower-case word for it (`passed`, `failed`, `skipped`), as Cucumber JSON spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Run {
    /// Every scenario.
    pub fn scenarios(&self) -> impl Iterator<Item = (&FeatureResult, &ScenarioResult)> {
        self.features
            .iter()
            .flat_map(|f| f.scenarios.iter().map(move |s| (f, s)))
    }

    /// Scenario counts.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for (_, s) in self.scenarios() {
            match s.status {
                Status::Passed => t.passed += 1,
                Status::Failed => t.failed += 1,
                Status::Skipped => t.skipped += 1,
            }
        }
        t
    }

    /// Whether CI should fail: any failure, any error, or any scenario skipped for a reason other
    /// than a capability the target lacks (an unmatched step is a failure, not a skip).
    pub fn failed(&self) -> bool {
        !self.errors.is_empty() || self.scenarios().any(|(_, s)| s.status == Status::Failed)
    }
}
