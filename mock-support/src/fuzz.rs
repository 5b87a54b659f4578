//! Generated bad input for the mocks' robustness tests (feature `fuzz`, enabled only by the
//! mocks' dev-dependencies): JSON values that stress exact parsing, one-change mutations of a
//! valid body, and the proptest runner both test suites use.
//!
//! A mutation names the member a refusal should name, so a test can check that the documented
//! envelope points at the field the client got wrong.

use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use serde_json::{Map, Value, json};

/// Generated cases per property: `KUSHKI_PROPTEST_CASES`, 48 by default.
pub fn cases() -> u32 {
    std::env::var("KUSHKI_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(48)
}

/// A runner of [`cases`] cases that keeps no failure file (a failing case is printed whole).
pub fn runner() -> TestRunner {
    TestRunner::new(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })
}

/// The valid example bodies of a schema, `schemas/fixtures/<dir>/valid/*.json`, in name order.
pub fn seeds(dir: &str) -> Vec<Value> {
    let path = format!(
        "{}/../schemas/fixtures/{dir}/valid",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut files: Vec<_> = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .map(|e| e.expect("a fixture directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect()
}

/// Number texts that stress exact money parsing (kept as written: `arbitrary_precision`).
pub const NUMBER_TEXTS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "0.001",
    "12.345",
    "1e2",
    "1E400",
    "-1e-400",
    "99999999999999999999999999",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "0.1e1",
    "100.000000000000000000001",
];

fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        proptest::sample::select(NUMBER_TEXTS)
            .prop_map(|t| serde_json::from_str::<Value>(t).expect("a JSON number")),
        any::<String>().prop_map(Value::String),
        "[A-Za-z0-9 ._:/-]{0,40}".prop_map(Value::String),
    ]
    .boxed()
}

/// Any JSON value, a few levels deep.
pub fn json_value() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec((key(), inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

/// A member name: mostly plausible, sometimes any text.
pub fn key() -> BoxedStrategy<String> {
    prop_oneof![4 => "[a-z_]{1,12}", 1 => any::<String>()].boxed()
}

/// One change to a valid body.
#[derive(Debug, Clone)]
pub enum Action {
    /// Removes the member or element.
    Remove,
    /// Replaces its value (a wrong type most of the time).
    Replace(Value),
    /// Adds a member to an object.
    Extra(String, Value),
}

/// Any [`Action`].
pub fn action() -> BoxedStrategy<Action> {
    prop_oneof![
        2 => Just(Action::Remove),
        5 => json_value().prop_map(Action::Replace),
        2 => (key(), json_value()).prop_map(|(k, v)| Action::Extra(k, v)),
    ]
    .boxed()
}

/// Every JSON pointer below `v` (under the prefix `at`), depth first.
fn pointers(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(child, &p, out);
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(child, &p, out);
            }
        }
        _ => {}
    }
}

/// The member name a pointer ends with (the nearest one above an array index).
fn member_name(pointer: &str) -> String {
    pointer
        .rsplit('/')
        .find(|seg| !seg.is_empty() && seg.parse::<usize>().is_err())
        .unwrap_or_default()
        .replace("~1", "/")
        .replace("~0", "~")
}

/// Applies `action` to the `pick`-th place of `body`; answers the member name the refusal should
/// name (empty when the change cannot be pinned on one name).
pub fn mutate(body: &mut Value, pick: usize, action: &Action) -> String {
    match action {
        Action::Extra(key, value) => {
            let mut objects = vec![String::new()];
            pointers(body, "", &mut objects);
            objects.retain(|p| body.pointer(p).is_some_and(Value::is_object));
            let at = &objects[pick % objects.len()];
            if let Some(Value::Object(m)) = body.pointer_mut(at) {
                m.insert(key.clone(), value.clone());
            }
            key.clone()
        }
        Action::Remove | Action::Replace(_) => {
            let mut all = Vec::new();
            pointers(body, "", &mut all);
            if all.is_empty() {
                return String::new();
            }
            let at = all[pick % all.len()].clone();
            let (parent, last) = at.rsplit_once('/').unwrap_or(("", &at));
            let last = last.replace("~1", "/").replace("~0", "~");
            match (action, body.pointer_mut(parent)) {
                (Action::Remove, Some(Value::Object(m))) => {
                    m.shift_remove(&last);
                }
                (Action::Remove, Some(Value::Array(a))) => {
                    let i: usize = last.parse().unwrap_or(0);
                    if i < a.len() {
                        a.remove(i);
                    }
                }
                (Action::Replace(v), _) => {
                    if let Some(slot) = body.pointer_mut(&at) {
                        *slot = v.clone();
                    }
                }
                _ => {}
            }
            member_name(&at)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mutation_names_the_member_it_changed() {
        let body = json!({"a": {"b": [1, {"c": 2}]}, "d/e": 3});
        let mut removed = body.clone();
        // Depth first: /a, /a/b, /a/b/0, /a/b/1, /a/b/1/c, /d~1e.
        assert_eq!(mutate(&mut removed, 4, &Action::Remove), "c");
        assert_eq!(removed, json!({"a": {"b": [1, {}]}, "d/e": 3}));
        let mut replaced = body.clone();
        assert_eq!(
            mutate(&mut replaced, 5, &Action::Replace(json!(null))),
            "d/e"
        );
        assert_eq!(replaced["d/e"], Value::Null);
        let mut element = body.clone();
        assert_eq!(mutate(&mut element, 2, &Action::Remove), "b");
        assert_eq!(element["a"]["b"], json!([{"c": 2}]));
        let mut extra = body;
        assert_eq!(
            mutate(&mut extra, 0, &Action::Extra("x".into(), json!(1))),
            "x"
        );
        assert_eq!(extra["x"], json!(1));
    }
}
