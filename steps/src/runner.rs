//! Running the suite against a target: one cucumber pass per topology (Connect features on LAN,
//! localhost and cloud; raw features on the acquirer), scenarios concurrently, filtered by a tag
//! expression, with scenarios that need a capability the target lacks reported as skipped with
//! the reason.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use conformance_reports::model::{FeatureResult, Run, ScenarioResult, Status};
use cucumber::tag::Ext as _;
use cucumber::{Cucumber, cli, gherkin};
use futures::FutureExt;
use serde_json::Value;

use crate::collector::{Collected, Collector, Progress};
use crate::env::Env;
use crate::target::{Capability, Target, Topology};
use crate::world::{KushkiWorld, RunConfig, set_current};

/// Evidence by (feature path, topology, scenario line).
type EvidenceMap = HashMap<(String, String, usize), Vec<Value>>;

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The target.
    pub target: Target,
    /// A tag expression (`@beta and not @faults`).
    pub tags: Option<String>,
    /// The features folder (with `connect/` and `raw/`).
    pub features: PathBuf,
    /// Ask the operator for card actions.
    pub interactive: bool,
    /// Serial of a remote terminal.
    pub serial: Option<String>,
    /// Scenarios run at once.
    pub concurrency: usize,
    /// Progress display.
    pub progress: Progress,
}

impl Options {
    /// Everything against the embedded mocks.
    pub fn mock(features: &Path) -> Options {
        Options {
            target: Target::Mock,
            tags: None,
            features: features.to_path_buf(),
            interactive: false,
            serial: None,
            concurrency: 16,
            progress: Progress::Lines,
        }
    }
}

/// The features folder: this repository's, when the binary runs where it was built (`cargo
/// test`, `cargo run`), else the one installed beside the binary
/// (`BIN/../share/kushki-conformance/features`, as the container image lays it out).
pub fn default_features_dir() -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../features");
    if source.is_dir() {
        return source;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            let installed = exe
                .parent()?
                .parent()?
                .join("share/kushki-conformance/features");
            installed.is_dir().then_some(installed)
        })
        .unwrap_or(source)
}

fn tags_of(f: &gherkin::Feature, r: Option<&gherkin::Rule>, s: &gherkin::Scenario) -> Vec<String> {
    f.tags
        .iter()
        .chain(r.map(|r| r.tags.iter()).into_iter().flatten())
        .chain(s.tags.iter())
        .cloned()
        .collect()
}

/// The capabilities a target offers on a topology (probed: a remote that answers the admin API
/// is one of these mocks).
pub async fn capabilities(
    target: &Target,
    topology: Topology,
    serial: Option<&str>,
) -> Vec<Capability> {
    match Env::start(
        target,
        topology,
        kushki_protocol::raw::Country::Peru,
        serial,
    )
    .await
    {
        Ok(env) => {
            let caps = Capability::ALL
                .into_iter()
                .filter(|c| env.has(*c))
                .collect();
            env.stop().await;
            caps
        }
        Err(_) => Vec::new(),
    }
}

fn kushki_protocol_version() -> String {
    // The workspace shares one version.
    env!("CARGO_PKG_VERSION").to_string()
}

/// Runs the suite and returns the run model.
pub async fn run(opts: &Options) -> Result<Run, String> {
    let started = jiff::Timestamp::now();
    // Paths are reported relative to the features folder, so it must be in the parser's form.
    let features = opts
        .features
        .canonicalize()
        .map_err(|e| format!("features folder {}: {e}", opts.features.display()))?;
    let tag_filter: Option<gherkin::tagexpr::TagOperation> = match &opts.tags {
        Some(t) if !t.trim().is_empty() => Some(
            t.parse()
                .map_err(|e| format!("bad tag expression `{t}`: {e}"))?,
        ),
        _ => None,
    };
    let mut run = Run {
        implementation: match &opts.target {
            Target::Mock => "embedded mock-acquirer and mock-terminal".to_string(),
            other => other.to_string(),
        },
        target: opts.target.to_string(),
        started: started.to_string(),
        ..Run::default()
    };
    run.versions.insert(
        "kushki-conformance".into(),
        env!("CARGO_PKG_VERSION").into(),
    );
    run.versions
        .insert("kushki-protocol".into(), kushki_protocol_version());
    run.versions.insert(
        "schemas".into(),
        format!(
            "{} JSON Schemas",
            kushki_protocol::schemas::SchemaKind::ALL.len()
        ),
    );
    run.requirements = crate::requirements::load(&features)?;
    let shared = Arc::new(Mutex::new(Collected::default()));
    let mut skipped: Vec<(String, String, ScenarioResult)> = Vec::new();
    let evidence: Arc<Mutex<EvidenceMap>> = Arc::default();

    for topology in opts.target.topologies() {
        let dir = features.join(if topology.is_connect() {
            "connect"
        } else {
            "raw"
        });
        if !dir.is_dir() {
            continue;
        }
        let caps = match opts.target {
            Target::Mock => Capability::ALL.to_vec(),
            _ => capabilities(&opts.target, topology, opts.serial.as_deref()).await,
        };
        set_current(RunConfig {
            target: opts.target.clone(),
            topology,
            serial: opts.serial.clone(),
            interactive: opts.interactive,
        });
        let skips: Arc<Mutex<Vec<(String, String, ScenarioResult)>>> = Arc::default();
        let base = features.clone();
        let filter = {
            let skips = skips.clone();
            let tag_filter = tag_filter.clone();
            let interactive = opts.interactive;
            let base = base.clone();
            move |f: &gherkin::Feature, r: Option<&gherkin::Rule>, s: &gherkin::Scenario| -> bool {
                let tags = tags_of(f, r, s);
                if tags.iter().any(|t| {
                    t.starts_with("topology:") && *t != format!("topology:{}", topology.as_str())
                }) {
                    return false;
                }
                if let Some(op) = &tag_filter
                    && !op.eval(tags.iter())
                {
                    return false;
                }
                let missing: Vec<&str> = Capability::ALL
                    .iter()
                    .filter(|c| tags.iter().any(|t| t == c.tag()))
                    .filter(|c| !caps.contains(c))
                    .filter(|c| !(interactive && **c == Capability::ScriptedCard))
                    .map(|c| c.tag())
                    .collect();
                if missing.is_empty() {
                    return true;
                }
                let path = f
                    .path
                    .as_ref()
                    .map(|p| {
                        p.strip_prefix(&base)
                            .unwrap_or(p)
                            .to_string_lossy()
                            .replace('\\', "/")
                    })
                    .unwrap_or_default();
                skips.lock().unwrap_or_else(|p| p.into_inner()).push((
                    path,
                    f.name.clone(),
                    ScenarioResult {
                        name: s.name.clone(),
                        line: s.position.line,
                        tags: tags.iter().map(|t| format!("@{t}")).collect(),
                        topology: topology.as_str().to_string(),
                        status: Status::Skipped,
                        skip_reason: Some(format!(
                            "the target lacks {} (a real device or Kushki's servers cannot be steered that way)",
                            missing.iter().map(|m| format!("@{m}")).collect::<Vec<_>>().join(", ")
                        )),
                        steps: Vec::new(),
                        exchanges: Vec::new(),
                        receipts: Vec::new(),
                        duration_ms: 0.0,
                    },
                ));
                false
            }
        };
        let after_evidence = evidence.clone();
        let after_base = base.clone();
        let writer = Collector::new(topology.as_str(), opts.progress, &features, shared.clone());
        // Embedded mocks are per scenario, so scenarios run at once; a remote implementation has
        // one clock and one card reader, so its scenarios run one at a time.
        let concurrency = if opts.target == Target::Mock {
            opts.concurrency.max(1)
        } else {
            1
        };
        Cucumber::new()
            .steps(crate::steps::collection())
            .max_concurrent_scenarios(concurrency)
            .after(
                move |f, _r, s, _finished, world: Option<&mut KushkiWorld>| {
                    let evidence = after_evidence.clone();
                    let path = f
                        .path
                        .as_ref()
                        .map(|p| {
                            p.strip_prefix(&after_base)
                                .unwrap_or(p)
                                .to_string_lossy()
                                .replace('\\', "/")
                        })
                        .unwrap_or_default();
                    let line = s.position.line;
                    async move {
                        if let Some(w) = world {
                            if let Some(p) = w.pending.take() {
                                p.abort();
                            }
                            // wiremock's `MockServer` blocks on a tokio lock in its `Drop`; inside
                            // this task, once its coop budget is spent, that lock never becomes
                            // ready and the whole run livelocks. Dropped on a blocking thread
                            // (no budget there), it returns at once.
                            if let Some(r) = w.receiver.take() {
                                let _ = tokio::task::spawn_blocking(move || drop(r)).await;
                            }
                            if let Some(env) = w.take_env() {
                                evidence.lock().unwrap_or_else(|p| p.into_inner()).insert(
                                    (path, topology.as_str().to_string(), line),
                                    env.evidence.clone(),
                                );
                                env.stop().await;
                            }
                        }
                    }
                    .boxed_local()
                },
            )
            .with_writer(writer)
            // Last: `with_writer` resets the CLI options, and without them cucumber would parse
            // the process's own arguments.
            .with_cli(cli::Opts::<_, _, _, cli::Empty>::default())
            .filter_run(dir, filter)
            .await;
        skipped.extend(skips.lock().unwrap_or_else(|p| p.into_inner()).drain(..));
    }

    let mut collected = std::mem::take(&mut *shared.lock().unwrap_or_else(|p| p.into_inner()));
    for (path, name, sc) in skipped {
        collected
            .features
            .entry(path.clone())
            .or_insert_with(|| FeatureResult {
                name,
                path,
                tags: Vec::new(),
                scenarios: Vec::new(),
            })
            .scenarios
            .push(sc);
    }
    let evidence = std::mem::take(&mut *evidence.lock().unwrap_or_else(|p| p.into_inner()));
    for f in collected.features.values_mut() {
        for sc in &mut f.scenarios {
            if let Some(e) = evidence.get(&(f.path.clone(), sc.topology.clone(), sc.line)) {
                sc.exchanges = e.clone();
            }
        }
        f.scenarios
            .sort_by(|a, b| (a.line, &a.topology).cmp(&(b.line, &b.topology)));
    }
    run.features = collected.features.into_values().collect();
    run.errors = collected.errors;
    if opts.progress == Progress::Bar {
        println!();
    }
    run.finished = jiff::Timestamp::now().to_string();
    Ok(run)
}
