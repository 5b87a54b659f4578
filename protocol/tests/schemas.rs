//! The schemas of `schemas/` against their fixtures, and the catalogs against their schemas.
//!
//! Fixtures live in `schemas/fixtures/<schema path without .json>/{valid,invalid}/*.json`; each
//! invalid fixture has a sibling `<name>.expect` holding the JSON pointer at which a violation
//! must be reported. The folders are walked at test time, so a schema without fixtures fails.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use kushki_protocol::catalog;
use kushki_protocol::schemas::{self, SchemaKind, Violation};
use serde_json::Value;

const MIN_VALID: usize = 2;
const MIN_INVALID: usize = 3;

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

fn fixtures_dir() -> PathBuf {
    schemas_dir().join("fixtures")
}

/// The `.json` files of a folder, sorted; empty when the folder does not exist.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("readable fixture folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

fn describe(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| format!("\n      {v}   [schema {}]", v.schema_path))
        .collect()
}

#[test]
fn every_schema_compiles_and_carries_its_metadata() {
    let mut problems = Vec::new();
    for &kind in SchemaKind::ALL {
        if let Err(e) = schemas::compile(kind) {
            problems.push(format!("{kind}: does not compile: {e}"));
            continue;
        }
        let on_disk = fs::read_to_string(schemas_dir().join(kind.path()))
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(
            on_disk,
            schemas::schema_text(kind),
            "{kind}: embedded text differs"
        );
        let schema: Value = serde_json::from_str(schemas::schema_text(kind)).unwrap();
        problems.extend(metadata_problems(kind.path(), &schema, kind.id()));
    }
    let common: Value = serde_json::from_str(schemas::common_schema_text()).unwrap();
    problems.extend(metadata_problems(
        schemas::COMMON_PATH,
        &common,
        format!("{}{}", schemas::BASE_URI, schemas::COMMON_PATH),
    ));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn metadata_problems(path: &str, schema: &Value, id: String) -> Vec<String> {
    let mut problems = Vec::new();
    let text = |key: &str| schema.get(key).and_then(Value::as_str).unwrap_or("");
    if text("$schema") != "https://json-schema.org/draft/2020-12/schema" {
        problems.push(format!("{path}: `$schema` is not draft 2020-12"));
    }
    if text("$id") != id {
        problems.push(format!("{path}: `$id` should be {id}"));
    }
    for key in ["title", "description"] {
        if text(key).is_empty() {
            problems.push(format!("{path}: no `{key}`"));
        }
    }
    let source = text("x-source");
    if !(source.starts_with("documented: ") || source.starts_with("harness-defined: ")) {
        problems.push(format!(
            "{path}: `x-source` must start with `documented: ` or `harness-defined: `"
        ));
    }
    problems
}

#[test]
fn every_schema_has_enough_fixtures() {
    let mut problems = Vec::new();
    for &kind in SchemaKind::ALL {
        let dir = fixtures_dir().join(kind.fixture_dir());
        let valid = json_files(&dir.join("valid")).len();
        let invalid = json_files(&dir.join("invalid")).len();
        if valid < MIN_VALID || invalid < MIN_INVALID {
            problems.push(format!(
                "{kind}: {valid} valid and {invalid} invalid fixtures in {}; at least {MIN_VALID} and {MIN_INVALID} needed",
                dir.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fixture_folder_belongs_to_a_schema() {
    let known: BTreeSet<&str> = SchemaKind::ALL.iter().map(|k| k.fixture_dir()).collect();
    let mut found = Vec::new();
    for family in fs::read_dir(fixtures_dir()).expect("schemas/fixtures exists") {
        let family = family.unwrap().path();
        for schema in fs::read_dir(&family).unwrap() {
            let schema = schema.unwrap().path();
            let rel = schema
                .strip_prefix(fixtures_dir())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            found.push(rel);
        }
    }
    let strays: Vec<_> = found
        .iter()
        .filter(|f| !known.contains(f.as_str()))
        .collect();
    assert!(
        strays.is_empty(),
        "fixture folders without a schema: {strays:?}"
    );
}

#[test]
fn every_valid_fixture_passes() {
    let mut problems = Vec::new();
    for &kind in SchemaKind::ALL {
        for file in json_files(&fixtures_dir().join(kind.fixture_dir()).join("valid")) {
            if let Err(violations) = schemas::validate(kind, &read_json(&file)) {
                problems.push(format!(
                    "{}: should pass {kind}:{}",
                    file.display(),
                    describe(&violations)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_invalid_fixture_fails_at_its_expected_pointer() {
    let mut problems = Vec::new();
    for &kind in SchemaKind::ALL {
        for file in json_files(&fixtures_dir().join(kind.fixture_dir()).join("invalid")) {
            let expect_file = file.with_extension("expect");
            let Ok(expected) = fs::read_to_string(&expect_file) else {
                problems.push(format!("{}: no sibling .expect file", file.display()));
                continue;
            };
            let expected = expected.trim_end_matches(['\n', '\r']);
            match schemas::validate(kind, &read_json(&file)) {
                Ok(()) => problems.push(format!("{}: should fail {kind}", file.display())),
                Err(violations) => {
                    if !violations.iter().any(|v| v.pointer == expected) {
                        problems.push(format!(
                            "{}: no violation at `{expected}`; got:{}",
                            file.display(),
                            describe(&violations)
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_seed_bodies_are_valid_fixtures() {
    let raw = fixtures_dir().join("raw");
    for (schema, name) in [
        ("transaction.request", "seed-reverse-icc"),
        ("transaction.request", "seed-cardless-reverse"),
        ("transaction.request", "seed-cardless-void"),
        ("refund.request", "seed-cardless-refund"),
    ] {
        let path = raw.join(schema).join("valid").join(format!("{name}.json"));
        assert!(path.is_file(), "{} is missing", path.display());
    }
    let reverse = read_json(&raw.join("transaction.request/valid/seed-reverse-icc.json"));
    assert_eq!(
        reverse["isDeferred"],
        Value::Bool(false),
        "the seed spelling is kept"
    );
}

#[test]
fn the_catalogs_satisfy_their_schemas() {
    for (kind, text) in [
        (SchemaKind::CatalogTestAmounts, catalog::test_amounts_text()),
        (SchemaKind::CatalogTestCards, catalog::test_cards_text()),
    ] {
        let value: Value = serde_json::from_str(text).unwrap();
        if let Err(violations) = schemas::validate(kind, &value) {
            panic!("catalog does not satisfy {kind}:{}", describe(&violations));
        }
    }
    // The typed loaders agree with the files.
    assert_eq!(catalog::test_amounts().len(), 10);
    assert!(catalog::test_cards().len() >= 6);
    assert_eq!(catalog::default_card().id, "visa-credit");
}

#[test]
fn three_decimal_soles_are_refused_at_the_field_exactly() {
    let body: Value = serde_json::from_str(
        r#"{"transaction_mode":"Reverse","transaction_type":"charge",
            "client_transaction_id":"6680eadc-6c8d-44aa-8ca0-18e061c1472a","omit_card":true,
            "amount":{"currency":"PEN","iva":0,"subtotal_iva":0,"subtotal_iva0":12.505}}"#,
    )
    .unwrap();
    let violations = schemas::validate(SchemaKind::RawTransactionRequest, &body).unwrap_err();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].pointer, "/amount/subtotal_iva0");
    // Exact arithmetic: values a float would misjudge still pass.
    let fine: Value = serde_json::from_str(
        r#"{"transaction_mode":"Reverse","transaction_type":"charge",
            "client_transaction_id":"6680eadc-6c8d-44aa-8ca0-18e061c1472a","omit_card":true,
            "amount":{"currency":"PEN","iva":0.07,"subtotal_iva":0.29,"subtotal_iva0":1234567.89}}"#,
    )
    .unwrap();
    assert_eq!(
        schemas::validate(SchemaKind::RawTransactionRequest, &fine),
        Ok(())
    );
}

#[test]
fn every_violation_is_reported_not_only_the_first() {
    let body: Value = serde_json::from_str(
        r#"{"transaction_mode":"Authorization","transaction_type":"charge",
            "client_transaction_id":"nope","typo_field":1}"#,
    )
    .unwrap();
    let violations = schemas::validate(SchemaKind::RawTransactionRequest, &body).unwrap_err();
    let pointers: BTreeSet<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
    for expected in [
        "/client_transaction_id",
        "/typo_field",
        "/amount",
        "/card_details",
    ] {
        assert!(
            pointers.contains(expected),
            "{expected} missing from {pointers:?}"
        );
    }
    let message = schemas::violations_message(&violations);
    assert!(message.contains("/amount: is required"), "{message}");
    assert!(message.contains("; "), "{message}");
}

#[test]
fn an_unknown_print_command_is_reported_at_its_type() {
    let body: Value =
        serde_json::from_str(r#"{"commands":[{"type":"cut"},{"type":"barcode"}]}"#).unwrap();
    let violations = schemas::validate(SchemaKind::ConnectPrintJobRequest, &body).unwrap_err();
    assert!(
        violations.iter().any(|v| v.pointer == "/commands/1/type"),
        "{violations:?}"
    );
}

#[test]
fn is_valid_agrees_with_validate() {
    let ok: Value = serde_json::from_str(r#"{"message":"Unauthorized"}"#).unwrap();
    let bad: Value = serde_json::from_str(r#"{"message":"Unauthorized","x":1}"#).unwrap();
    assert!(schemas::is_valid(SchemaKind::RawUnauthorized, &ok));
    assert!(!schemas::is_valid(SchemaKind::RawUnauthorized, &bad));
}
