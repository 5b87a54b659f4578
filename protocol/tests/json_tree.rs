//! The request-body representation of the raw API's hot path ([`kushki_protocol::json_tree`]) against
//! `serde_json::Value`: jsonschema's accessor contract, and the same schema verdict as the
//! `Value` validator on every fixture of every schema and on every one-change mutation of the
//! valid ones (each member removed, its value replaced by each kind of JSON value and by
//! inexact and exponent numbers, an unknown member added).

use std::fs;
use std::path::{Path, PathBuf};

use jsonschema::json::conformance;
use kushki_protocol::json_tree::{Doc, DocJson};
use kushki_protocol::schemas::{self, SchemaKind};
use serde_json::{Value, json};

fn fixtures(kind: SchemaKind) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../schemas/fixtures")
        .join(kind.fixture_dir());
    let mut files = Vec::new();
    for sub in ["valid", "invalid"] {
        if let Ok(entries) = fs::read_dir(dir.join(sub)) {
            files.extend(
                entries
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|x| x == "json")),
            );
        }
    }
    files.sort();
    files
}

/// Both verdicts on one text; panics naming the text when they differ.
fn agree(kind: SchemaKind, text: &str) -> bool {
    let value: Value = serde_json::from_str(text).unwrap();
    let doc = Doc::parse(text).unwrap();
    let theirs = schemas::is_valid(kind, &value);
    assert_eq!(
        schemas::is_valid_doc(kind, &doc),
        theirs,
        "{kind}: the two representations disagree on {text}"
    );
    theirs
}

/// Every value of `root` with one change at one place.
fn mutations(root: &Value) -> Vec<Value> {
    let replacements = [
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        serde_json::from_str::<Value>("12.505").unwrap(),
        serde_json::from_str::<Value>("1e2").unwrap(),
        serde_json::from_str::<Value>("12.50").unwrap(),
        json!(""),
        json!("x"),
        json!("ICC"),
        json!([]),
        json!({}),
    ];
    let mut out = Vec::new();
    let mut pointers = Vec::new();
    collect_pointers(root, String::new(), &mut pointers);
    for pointer in pointers {
        for r in &replacements {
            let mut v = root.clone();
            *v.pointer_mut(&pointer).unwrap() = r.clone();
            out.push(v);
        }
        let (parent, last) = pointer.rsplit_once('/').unwrap();
        let mut v = root.clone();
        match v.pointer_mut(parent).unwrap() {
            Value::Object(m) => {
                m.shift_remove(last);
            }
            Value::Array(a) => {
                a.remove(last.parse().unwrap());
            }
            _ => unreachable!(),
        }
        out.push(v);
    }
    let mut objects = Vec::new();
    collect_objects(root, String::new(), &mut objects);
    for pointer in objects {
        let mut v = root.clone();
        if let Some(Value::Object(m)) = v.pointer_mut(&pointer) {
            m.insert("not_in_the_schema".into(), json!(1));
        }
        out.push(v);
    }
    out
}

fn collect_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, c)| {
            let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
            out.push(p.clone());
            collect_pointers(c, p, out);
        }),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| {
            let p = format!("{at}/{i}");
            out.push(p.clone());
            collect_pointers(c, p, out);
        }),
        _ => {}
    }
}

fn collect_objects(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            out.push(at.clone());
            for (k, c) in m {
                collect_objects(
                    c,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, c)| collect_objects(c, format!("{at}/{i}"), out)),
        _ => {}
    }
}

#[test]
fn the_doc_meets_jsonschemas_accessor_contract() {
    let text = conformance::document().to_string();
    let doc = Doc::parse(&text).unwrap();
    conformance::assert_conformance::<DocJson>(&&doc);
}

#[test]
fn every_fixture_gets_the_same_verdict_from_both_representations() {
    let mut checked = 0;
    for &kind in SchemaKind::ALL {
        for file in fixtures(kind) {
            agree(kind, &fs::read_to_string(&file).unwrap());
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} fixtures found");
}

#[test]
fn every_one_change_mutation_gets_the_same_verdict() {
    let (mut valid, mut invalid) = (0, 0);
    for &kind in SchemaKind::ALL {
        for file in fixtures(kind)
            .into_iter()
            .filter(|f| f.parent().is_some_and(|p| p.ends_with("valid")))
        {
            let root: Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
            for m in mutations(&root) {
                if agree(kind, &m.to_string()) {
                    valid += 1;
                } else {
                    invalid += 1;
                }
            }
        }
    }
    // The mutations reach both verdicts often, so agreement is not agreement on "valid" only.
    assert!(
        valid > 500 && invalid > 500,
        "{valid} valid, {invalid} invalid"
    );
}

#[test]
fn a_failing_body_lists_the_same_violations_through_its_value() {
    let text = r#"{"amount":{"currency":"PEN","iva":0,"subtotal_iva":0,"subtotal_iva0":12.505},
        "transaction_mode":"Authorization","transaction_type":"charge","client_transaction_id":"x"}"#;
    let doc = Doc::parse(text).unwrap();
    assert!(!schemas::is_valid_doc(
        SchemaKind::RawTransactionRequest,
        &doc
    ));
    let via_doc = schemas::validate(SchemaKind::RawTransactionRequest, &doc.to_value());
    let direct = schemas::validate(
        SchemaKind::RawTransactionRequest,
        &serde_json::from_str(text).unwrap(),
    );
    assert_eq!(format!("{via_doc:?}"), format!("{direct:?}"));
}
