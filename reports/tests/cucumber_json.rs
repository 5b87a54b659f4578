//! The Cucumber JSON against the format's schema (`schemas/cucumber-json.schema.json`), and the
//! fields other tools read.

mod common;

use common::sample_run;
use conformance_reports::cucumber_json::{self, SCHEMA};
use serde_json::{Value, json};

fn violations(instance: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
        .collect()
}

#[test]
fn the_output_is_valid_cucumber_json() {
    let v = cucumber_json::render(&sample_run());
    let problems = violations(&v);
    assert!(
        problems.is_empty(),
        "cucumber.json breaks the schema:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_schema_is_enforced_not_merely_parsed() {
    // A failed step without error_message (the draft-07 if/then of the schema) and a tag without
    // its `@`: both must be refused, or the test above proves nothing.
    let bad = json!([{"uri": "a.feature", "name": "A", "tags": [{"name": "no-at"}],
        "elements": [{"type": "scenario", "line": 3, "name": "S",
            "steps": [{"keyword": "Then ", "line": 4, "name": "x", "result": {"status": "failed"}}]}]}]);
    let problems = violations(&bad);
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("/0/elements/0/steps/0/result:") && p.contains("error_message")),
        "{problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with("/0/tags/0/name:")),
        "{problems:#?}"
    );
}

#[test]
fn features_elements_and_steps_carry_the_fields_tools_read() {
    let v = cucumber_json::render(&sample_run());
    let features = v.as_array().unwrap();
    assert_eq!(features.len(), 2);
    let f = &features[0];
    assert_eq!(f["uri"], "raw/single_payment.feature");
    assert_eq!(f["id"], "single-payment-<raw-api>");
    assert_eq!(f["keyword"], "Feature");
    assert_eq!(f["name"], "Single payment <raw API>");
    assert_eq!(f["line"], 1);
    assert_eq!(f["tags"], json!([{"name": "@doc:ref-2.3", "line": 1}]));

    let elements = f["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 2, "one element per topology");
    let failed = &elements[1];
    assert_eq!(
        failed["id"],
        "single-payment-<raw-api>;a-chip-sale-is-approved;lan"
    );
    assert_eq!(failed["keyword"], "Scenario");
    assert_eq!(failed["type"], "scenario");
    assert_eq!(failed["name"], "A chip sale is approved");
    assert_eq!(failed["line"], 8);
    let tags: Vec<&str> = failed["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        tags,
        [
            "@doc:ref-2.3",
            "@req:raw.charge",
            "@req:raw.unlisted",
            "@topology:lan"
        ]
    );

    let steps = failed["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0]["keyword"], "Given ");
    assert_eq!(
        steps[0]["name"],
        "the card 411111XXXXXX1111 is presented by chip"
    );
    assert_eq!(steps[0]["line"], 9);
    assert_eq!(
        steps[0]["result"],
        json!({"status": "passed", "duration": 12_500_000})
    );
    assert_eq!(steps[2]["result"]["status"], "failed");
    let message = steps[2]["result"]["error_message"].as_str().unwrap();
    assert!(
        message.starts_with("expected <approved> & \"true\" but got 'false'"),
        "{message}"
    );

    let skipped = &features[1]["elements"][1];
    assert_eq!(
        skipped["description"],
        "Skipped: the target lacks @virtual-time"
    );
    assert_eq!(skipped["steps"], json!([]));
}

#[test]
fn a_failed_hook_is_a_before_or_after_entry_not_a_step() {
    let mut run = sample_run();
    let sc = &mut run.features[1].scenarios[0];
    sc.status = conformance_reports::model::Status::Failed;
    sc.steps.push(conformance_reports::model::StepResult {
        keyword: "After hook".into(),
        text: String::new(),
        line: 5,
        status: conformance_reports::model::Status::Failed,
        message: Some("mock did not stop".into()),
        duration_ms: 0.0,
    });
    let v = cucumber_json::render(&run);
    let e = &v[1]["elements"][0];
    assert_eq!(e["steps"].as_array().unwrap().len(), 3);
    assert_eq!(e["after"][0]["result"]["status"], "failed");
    assert_eq!(
        e["after"][0]["result"]["error_message"],
        "mock did not stop"
    );
    assert!(violations(&v).is_empty());
}
