//! Cucumber JSON, the (legacy) result format other Cucumber tools read: report viewers, CI
//! plugins, test-management imports.
//!
//! An array of features, one per feature file:
//!
//! ```text
//! { "uri": "<feature path>", "id": "<feature-slug>", "keyword": "Feature", "name", "description": "",
//!   "line": 1, "tags": [{"name": "@…", "line"}],
//!   "elements": [                                       one per scenario and topology
//!     { "id": "<feature-slug>;<scenario-slug>;<topology>", "keyword": "Scenario",
//!       "type": "scenario", "name", "description", "line", "tags": [{"name", "line"}],
//!       "before": [hook], "after": [hook],              only when a hook failed
//!       "steps": [{ "keyword": "Given ", "name", "line",
//!                   "result": {"status": "passed"|"failed"|"skipped",
//!                              "duration": <ns>, "error_message"} }] } ] }
//! ```
//!
//! What the run model does not keep is filled by convention, and said here so no reader trusts
//! it: a feature's `line` is 1; a tag's `line` is the line above the element it is listed on
//! (where Gherkin puts tags). A scenario runs once per topology, so its element `id` ends with the
//! topology and its tags gain `@topology:<name>`; a skipped scenario's `description` gives the
//! reason (the format has no field for it). `error_message` is always present on a failed step,
//! as the schema requires.
//!
//! [`SCHEMA`] is the format's JSON Schema, after the cucumber/cucumber-json-schema project.
//! Everything written is masked first ([`crate::redact`]).

use serde_json::{Map, Value, json};

use crate::junit::millis;
use crate::model::{FeatureResult, Run, ScenarioResult, Status, StepResult};
use crate::redact;

/// The JSON Schema (draft-07) of the Cucumber JSON format, as `reports/schemas/` keeps it.
pub const SCHEMA: &str = include_str!("../schemas/cucumber-json.schema.json");

/// The Cucumber JSON of a run.
pub fn render(run: &Run) -> Value {
    let run = redact::run(run);
    Value::Array(run.features.iter().map(feature).collect())
}

fn feature(f: &FeatureResult) -> Value {
    let id = slug(&f.name);
    json!({
        "uri": f.path,
        "id": id,
        "keyword": "Feature",
        "name": f.name,
        "description": "",
        "line": 1,
        "tags": tags(f.tags.iter(), 1),
        "elements": f.scenarios.iter().map(|s| element(&id, s)).collect::<Vec<_>>(),
    })
}

fn element(feature_id: &str, s: &ScenarioResult) -> Value {
    let topology_tag = format!("@topology:{}", s.topology);
    let mut all_tags: Vec<&String> = s.tags.iter().collect();
    if !s.tags.contains(&topology_tag) {
        all_tags.push(&topology_tag);
    }
    let description = match (s.status, &s.skip_reason) {
        (Status::Skipped, Some(reason)) => format!("Skipped: {reason}"),
        (Status::Skipped, None) => "Skipped".to_string(),
        _ => String::new(),
    };
    let mut e = Map::new();
    e.insert(
        "id".into(),
        json!(format!(
            "{feature_id};{};{}",
            slug(&s.name),
            slug(&s.topology)
        )),
    );
    e.insert("keyword".into(), json!("Scenario"));
    e.insert("type".into(), json!("scenario"));
    e.insert("name".into(), json!(s.name));
    e.insert("description".into(), json!(description));
    e.insert("line".into(), json!(s.line));
    e.insert(
        "tags".into(),
        tags(all_tags.into_iter(), s.line.saturating_sub(1).max(1)),
    );
    for (field, prefix) in [("before", "Before"), ("after", "After")] {
        let hooks: Vec<Value> = s
            .steps
            .iter()
            .filter(|st| hook_kind(st) == Some(prefix))
            .map(|st| json!({"match": {"location": st.keyword}, "result": result(st)}))
            .collect();
        if !hooks.is_empty() {
            e.insert(field.into(), Value::Array(hooks));
        }
    }
    e.insert(
        "steps".into(),
        s.steps
            .iter()
            .filter(|st| hook_kind(st).is_none())
            .map(step)
            .collect(),
    );
    Value::Object(e)
}

/// `Some("Before")` for the collector's `Before hook` pseudo-steps, `Some("After")` likewise.
fn hook_kind(st: &StepResult) -> Option<&'static str> {
    let kind = st.keyword.strip_suffix(" hook")?;
    ["Before", "After"].into_iter().find(|k| *k == kind)
}

fn step(st: &StepResult) -> Value {
    json!({
        // Cucumber writes the keyword with its trailing space; readers print keyword + name.
        "keyword": format!("{} ", st.keyword.trim_end()),
        "name": st.text,
        "line": st.line,
        "result": result(st),
    })
}

fn result(st: &StepResult) -> Value {
    let mut r = Map::new();
    r.insert("status".into(), json!(st.status.as_str()));
    r.insert(
        "duration".into(),
        json!((millis(st.duration_ms) * 1_000_000.0).round() as u64),
    );
    match (&st.message, st.status) {
        (Some(m), _) => {
            r.insert("error_message".into(), json!(m));
        }
        (None, Status::Failed) => {
            r.insert("error_message".into(), json!("failed"));
        }
        _ => {}
    }
    Value::Object(r)
}

fn tags<'a>(names: impl Iterator<Item = &'a String>, line: usize) -> Value {
    names
        .map(|t| {
            let name = if t.starts_with('@') {
                t.clone()
            } else {
                format!("@{t}")
            };
            json!({"name": name, "line": line})
        })
        .collect()
}

/// Cucumber's id form: lower case, white space as `-`, and no `;` (it separates the parts).
fn slug(s: &str) -> String {
    s.split_whitespace()
        .map(|w| w.to_lowercase().replace(';', ""))
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lower_case_with_dashes_and_no_separators() {
        assert_eq!(
            slug("  Reverse  after a; Minute "),
            "reverse-after-a-minute"
        );
    }

    #[test]
    fn a_failed_step_always_has_an_error_message() {
        let st = StepResult {
            keyword: "Then".into(),
            text: "it fails".into(),
            line: 3,
            status: Status::Failed,
            message: None,
            duration_ms: 1.5,
        };
        let v = step(&st);
        assert_eq!(v["keyword"], "Then ");
        assert_eq!(v["result"]["error_message"], "failed");
        assert_eq!(v["result"]["duration"], 1_500_000);
    }
}
