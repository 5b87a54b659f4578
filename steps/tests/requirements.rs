//! The requirements list and the features agree: every testable requirement has a scenario, every
//! `@req:` and `@doc:` a scenario names is known, and every scenario says where its rule comes
//! from (`@doc:` or `@harness-defined`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use conformance_reports::model::Coverage;
use cucumber::gherkin::{Feature, GherkinEnv};

fn features_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../features")
}

fn feature_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["connect", "raw"] {
        let dir = features_dir().join(sub);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "feature") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The requirements list, read as the reports read it ([`kushki_conformance::requirements::load`]).
fn requirements() -> Vec<Coverage> {
    let all =
        kushki_conformance::requirements::load(&features_dir()).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !all.is_empty(),
        "features/requirements/ lists no requirement"
    );
    all
}

fn doc_ids() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(features_dir().join("README.md")).unwrap();
    let table = readme
        .split("## Source ids")
        .nth(1)
        .expect("a `## Source ids` section");
    table
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .map(str::trim)
        .filter(|id| !id.is_empty() && *id != "id" && !id.starts_with('-'))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_scenario_names_its_source_and_every_requirement_has_a_scenario() {
    let reqs = requirements();
    let known: BTreeSet<&str> = reqs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(known.len(), reqs.len(), "requirement ids must be unique");
    let docs = doc_ids();
    let mut covered: BTreeMap<String, usize> = BTreeMap::new();
    let mut problems = Vec::new();
    let mut scenarios = 0;
    for path in feature_files() {
        let feature = Feature::parse_path(&path, GherkinEnv::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let all = feature.scenarios.iter().map(|s| (None, s)).chain(
            feature
                .rules
                .iter()
                .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s))),
        );
        for (rule, s) in all {
            scenarios += 1;
            let tags: Vec<&String> = feature
                .tags
                .iter()
                .chain(rule.map(|r| r.tags.iter()).into_iter().flatten())
                .chain(s.tags.iter())
                .chain(s.examples.iter().flat_map(|e| e.tags.iter()))
                .collect();
            let here = format!(
                "{}:{} {}",
                path.file_name().unwrap().to_string_lossy(),
                s.position.line,
                s.name
            );
            if !tags
                .iter()
                .any(|t| t.starts_with("doc:") || *t == "harness-defined")
            {
                problems.push(format!("{here}: no @doc: or @harness-defined tag"));
            }
            for t in &tags {
                if let Some(id) = t.strip_prefix("doc:")
                    && !docs.contains(id)
                {
                    problems.push(format!("{here}: @doc:{id} is not in features/README.md"));
                }
                if let Some(id) = t.strip_prefix("req:") {
                    if !known.contains(id) {
                        problems.push(format!(
                            "{here}: @req:{id} is not in features/requirements/"
                        ));
                    }
                    *covered.entry(id.to_string()).or_default() += 1;
                }
            }
        }
    }
    for r in &reqs {
        assert!(
            !r.text.is_empty() && !r.source.is_empty(),
            "{} needs text and source",
            r.id
        );
        match (r.testable, covered.get(&r.id)) {
            (true, None) => {
                problems.push(format!("requirement {} ({}) has no scenario", r.id, r.text))
            }
            (false, _) if r.reason.as_deref().unwrap_or("").is_empty() => problems.push(format!(
                "requirement {} is not testable but gives no reason",
                r.id
            )),
            _ => {}
        }
    }
    assert!(scenarios > 0, "no scenarios found");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
