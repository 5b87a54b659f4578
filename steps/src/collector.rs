//! A cucumber writer that turns the run's events into the report model
//! ([`conformance_reports::model`]) and prints progress.
//!
//! It is the one place that decides a scenario's status: a failed step or hook fails it, and so
//! does a step that matches no definition (cucumber calls it "skipped"; here it is a failure, in
//! debug and release builds alike, so a typo in a feature can never pass).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use conformance_reports::model::{FeatureResult, ScenarioResult, Status, StepResult};
use cucumber::event::{self, Cucumber, Feature, Rule, Scenario, Step, StepError};
use cucumber::{Event, Writer, cli, gherkin, parser, writer};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Nothing.
    Quiet,
    /// One line per finished scenario.
    Lines,
    /// A single updating bar (scenarios done / total, failures so far).
    Bar,
}

/// What a pass collected.
#[derive(Debug, Default)]
pub struct Collected {
    /// Features by path, scenarios in the order they finished.
    pub features: BTreeMap<String, FeatureResult>,
    /// Parse errors and other problems outside scenarios.
    pub errors: Vec<String>,
    /// Scenarios the parser found.
    pub total: usize,
    /// Scenarios finished.
    pub done: usize,
    /// Scenarios failed.
    pub failed: usize,
    open: HashMap<(String, usize), (ScenarioResult, Instant)>,
    step_started: HashMap<(String, usize, usize), Instant>,
}

/// The writer.
#[derive(Debug, Clone)]
pub struct Collector {
    /// Shared with the runner, which reads it after the pass.
    pub shared: Arc<Mutex<Collected>>,
    topology: String,
    progress: Progress,
    base: std::path::PathBuf,
    offset_total: usize,
}

impl Collector {
    /// A collector for one pass on `topology`; `base` is the features folder (paths are reported
    /// relative to it), `offset_total` the scenarios of earlier passes (for the progress bar).
    pub fn new(
        topology: &str,
        progress: Progress,
        base: &std::path::Path,
        shared: Arc<Mutex<Collected>>,
    ) -> Collector {
        Collector {
            shared,
            topology: topology.to_string(),
            progress,
            base: base.to_path_buf(),
            offset_total: 0,
        }
    }

    fn path_of(&self, f: &gherkin::Feature) -> String {
        f.path
            .as_ref()
            .map(|p| {
                p.strip_prefix(&self.base)
                    .unwrap_or(p)
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .unwrap_or_else(|| f.name.clone())
    }

    fn scenario(
        &self,
        f: &gherkin::Feature,
        r: Option<&gherkin::Rule>,
        s: &gherkin::Scenario,
        ev: &Scenario<crate::world::KushkiWorld>,
    ) {
        let path = self.path_of(f);
        let key = (path.clone(), s.position.line);
        let mut c = self.shared.lock().unwrap_or_else(|p| p.into_inner());
        match ev {
            Scenario::Started => {
                let tags = f
                    .tags
                    .iter()
                    .chain(r.map(|r| r.tags.iter()).into_iter().flatten())
                    .chain(s.tags.iter())
                    .map(|t| format!("@{t}"))
                    .collect();
                let result = ScenarioResult {
                    name: s.name.clone(),
                    line: s.position.line,
                    tags,
                    topology: self.topology.clone(),
                    status: Status::Passed,
                    skip_reason: None,
                    steps: Vec::new(),
                    exchanges: Vec::new(),
                    receipts: Vec::new(),
                    duration_ms: 0.0,
                };
                c.open.insert(key, (result, Instant::now()));
            }
            Scenario::Background(step, e) | Scenario::Step(step, e) => {
                let skey = (path.clone(), s.position.line, step.position.line);
                let outcome = match e {
                    Step::Started => {
                        c.step_started.insert(skey.clone(), Instant::now());
                        None
                    }
                    Step::Passed(..) => Some((Status::Passed, None)),
                    Step::Skipped => Some((Status::Failed, Some("no step definition matches this text (an undefined step fails the run)".to_string()))),
                    Step::Failed(_, _, _, StepError::Panic(info)) if skip_reason(info).is_some() => {
                        Some((Status::Skipped, skip_reason(info)))
                    }
                    Step::Failed(_, _, _, err) => Some((Status::Failed, Some(step_error(err)))),
                };
                if let Some((status, message)) = outcome {
                    let started = c.step_started.remove(&skey);
                    let duration_ms = started
                        .map(|t| t.elapsed().as_secs_f64() * 1000.0)
                        .unwrap_or(0.0);
                    if let Some((sc, _)) = c.open.get_mut(&key) {
                        if status == Status::Failed {
                            sc.status = Status::Failed;
                        } else if status == Status::Skipped && sc.status != Status::Failed {
                            sc.status = Status::Skipped;
                            sc.skip_reason = message.clone();
                        }
                        sc.steps.push(StepResult {
                            keyword: step.keyword.trim().to_string(),
                            text: step.value.clone(),
                            line: step.position.line,
                            status,
                            message,
                            duration_ms,
                        });
                    }
                }
            }
            Scenario::Hook(kind, event::Hook::Failed(_, info)) => {
                if let Some((sc, _)) = c.open.get_mut(&key) {
                    sc.status = Status::Failed;
                    sc.steps.push(StepResult {
                        keyword: format!("{kind:?} hook"),
                        text: String::new(),
                        line: s.position.line,
                        status: Status::Failed,
                        message: Some(panic_text(info)),
                        duration_ms: 0.0,
                    });
                }
            }
            Scenario::Finished => {
                if let Some((mut sc, started)) = c.open.remove(&key) {
                    sc.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
                    c.done += 1;
                    if sc.status == Status::Failed {
                        c.failed += 1;
                    }
                    let (done, total, failed) = (
                        c.done + self.offset_total,
                        c.total + self.offset_total,
                        c.failed,
                    );
                    self.show(&path, &sc, done, total, failed);
                    let entry = c
                        .features
                        .entry(path.clone())
                        .or_insert_with(|| FeatureResult {
                            name: f.name.clone(),
                            path: path.clone(),
                            tags: f.tags.iter().map(|t| format!("@{t}")).collect(),
                            scenarios: Vec::new(),
                        });
                    entry.scenarios.push(sc);
                }
            }
            _ => {}
        }
    }

    fn show(&self, path: &str, sc: &ScenarioResult, done: usize, total: usize, failed: usize) {
        match self.progress {
            Progress::Quiet => {}
            Progress::Lines => {
                let mark = match sc.status {
                    Status::Failed => "FAIL",
                    Status::Skipped => "skip",
                    Status::Passed => "ok  ",
                };
                println!("{mark} [{}] {path}:{} {}", sc.topology, sc.line, sc.name);
                if let Some(reason) = &sc.skip_reason {
                    println!("       {reason}");
                }
                if sc.status == Status::Failed {
                    for st in sc.steps.iter().filter(|s| s.status == Status::Failed) {
                        println!("       {} {} (line {})", st.keyword, st.text, st.line);
                        for l in st.message.as_deref().unwrap_or("").lines() {
                            println!("         {l}");
                        }
                    }
                }
            }
            Progress::Bar => {
                use std::io::Write;
                let width = 30;
                let filled = (done.min(total) * width).checked_div(total).unwrap_or(0);
                print!(
                    "\r[{}{}] {done}/{total} scenarios, {failed} failed  ",
                    "#".repeat(filled),
                    " ".repeat(width - filled)
                );
                let _ = std::io::stdout().flush();
            }
        }
    }
}

/// The text of a step failure.
fn step_error(err: &StepError) -> String {
    match err {
        StepError::Panic(info) => panic_text(info),
        other => other.to_string(),
    }
}

/// The reason of a [`crate::env::skip`], when the panic is one.
fn skip_reason(info: &event::Info) -> Option<String> {
    (**info)
        .downcast_ref::<crate::env::Skip>()
        .map(|s| s.0.clone())
}

fn panic_text(info: &event::Info) -> String {
    (**info)
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| (**info).downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_else(|| "(a panic without a message)".to_string())
}

impl Writer<crate::world::KushkiWorld> for Collector {
    type Cli = cli::Empty;

    async fn handle_event(
        &mut self,
        event: parser::Result<Event<Cucumber<crate::world::KushkiWorld>>>,
        _cli: &Self::Cli,
    ) {
        match event {
            Err(e) => {
                let mut c = self.shared.lock().unwrap_or_else(|p| p.into_inner());
                c.errors.push(format!("feature parse error: {e}"));
            }
            Ok(ev) => match &ev.value {
                Cucumber::ParsingFinished {
                    scenarios,
                    parser_errors,
                    ..
                } => {
                    let mut c = self.shared.lock().unwrap_or_else(|p| p.into_inner());
                    c.total += scenarios;
                    if *parser_errors > 0 {
                        c.errors
                            .push(format!("{parser_errors} feature files did not parse"));
                    }
                }
                Cucumber::Feature(f, Feature::Scenario(s, retryable)) => {
                    self.scenario(f, None, s, &retryable.event);
                }
                Cucumber::Feature(f, Feature::Rule(r, Rule::Scenario(s, retryable))) => {
                    self.scenario(f, Some(r), s, &retryable.event);
                }
                _ => {}
            },
        }
    }
}

// Events are keyed by feature and scenario, so the collector needs no reordering.
impl writer::Normalized for Collector {}
