//! The masked, printable copy of a run that every report is written from.
//!
//! The runner already masks the exchanges it records, but a report is the last gate before card
//! data leaves the machine, so every string of the run passes through here again:
//!
//! * free text (names, step text, failure messages, receipts) loses terminal colour codes and
//!   other control characters (they are not allowed in XML 1.0 and mean nothing in HTML), has the
//!   value of every secret `key: "value"`, `"key": value` or `key=value` pair redacted (a failure
//!   message may quote a request body), and has every PAN-like digit run masked
//!   ([`kushki_protocol::mask::mask_text`]);
//! * exchanges go through [`kushki_protocol::mask::mask_json`], and a string inside them that is
//!   itself a JSON document (a body kept as text) is masked as JSON too.

use std::sync::LazyLock;

use kushki_protocol::mask::{is_secret_key, mask_json, mask_text};
use regex::{Captures, Regex};
use serde_json::Value;

use crate::model::{Coverage, FeatureResult, Run, ScenarioResult, StepResult};

/// What replaces a secret value.
const REDACTED: &str = "[redacted]";

/// A copy of `run` with every string masked (see the module docs).
pub fn run(run: &Run) -> Run {
    Run {
        implementation: text(&run.implementation),
        target: text(&run.target),
        versions: run
            .versions
            .iter()
            .map(|(k, v)| (text(k), text(v)))
            .collect(),
        started: text(&run.started),
        finished: text(&run.finished),
        features: run.features.iter().map(feature).collect(),
        errors: run.errors.iter().map(|e| text(e)).collect(),
        requirements: run.requirements.iter().map(coverage).collect(),
    }
}

fn feature(f: &FeatureResult) -> FeatureResult {
    FeatureResult {
        name: text(&f.name),
        path: text(&f.path),
        tags: f.tags.iter().map(|t| text(t)).collect(),
        scenarios: f.scenarios.iter().map(scenario).collect(),
    }
}

fn scenario(s: &ScenarioResult) -> ScenarioResult {
    ScenarioResult {
        name: text(&s.name),
        line: s.line,
        tags: s.tags.iter().map(|t| text(t)).collect(),
        topology: text(&s.topology),
        status: s.status,
        skip_reason: s.skip_reason.as_deref().map(text),
        steps: s.steps.iter().map(step).collect(),
        exchanges: s.exchanges.iter().map(value).collect(),
        receipts: s.receipts.iter().map(|r| text(r)).collect(),
        duration_ms: s.duration_ms,
    }
}

fn step(s: &StepResult) -> StepResult {
    StepResult {
        keyword: text(&s.keyword),
        text: text(&s.text),
        line: s.line,
        status: s.status,
        message: s.message.as_deref().map(text),
        duration_ms: s.duration_ms,
    }
}

fn coverage(c: &Coverage) -> Coverage {
    Coverage {
        id: text(&c.id),
        text: text(&c.text),
        source: text(&c.source),
        testable: c.testable,
        reason: c.reason.as_deref().map(text),
    }
}

/// Free text made safe to print: control characters out, secret pairs redacted, PANs masked.
pub fn text(s: &str) -> String {
    mask_text(&redact_pairs(&printable(s)))
}

/// A JSON value made safe to print: [`mask_json`], then every string made printable, with secret
/// pairs redacted, and a string holding a JSON object or array masked as JSON.
pub fn value(v: &Value) -> Value {
    polish(&mask_json(v))
}

fn polish(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, x)| (printable(k), polish(x))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(polish).collect()),
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(inner @ (Value::Object(_) | Value::Array(_))) => {
                Value::String(value(&inner).to_string())
            }
            _ => Value::String(redact_pairs(&printable(s))),
        },
        other => other.clone(),
    }
}

/// Terminal escape sequences (`ESC [ … letter`, the colours of a panic message) removed; other
/// characters XML 1.0 does not allow (controls but tab, newline and carriage return; U+FFFE and
/// U+FFFF) replaced by U+FFFD.
fn printable(s: &str) -> String {
    static CSI: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\x1b\[[0-9;?]*[ -/]*[@-~]").expect("valid regex"));
    let stripped = CSI.replace_all(s, "");
    stripped
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Redacts the value of every pair whose key is a secret ([`is_secret_key`]) in the shapes a
/// message quotes data in: JSON (`"business_code":"X"`, `"pan": 4111…`), Rust debug output
/// (`business_code: "X"`), query strings (`business_code=X`) and header lines
/// (`Authorization: Bearer x`).
fn redact_pairs(s: &str) -> String {
    static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"("?)([A-Za-z][A-Za-z0-9_-]*)("?\s*[:=]\s*)"(?:[^"\\]|\\.)*""#)
            .expect("valid regex")
    });
    static JSON_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#""([A-Za-z][A-Za-z0-9_-]*)"(\s*:\s*)-?[0-9][0-9.eE+-]*"#).expect("valid regex")
    });
    static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b([A-Za-z][A-Za-z0-9_-]*)=([^\s&,;"'<>]+)"#).expect("valid regex")
    });
    static HEADER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^(\s*)([A-Za-z][A-Za-z0-9_-]*)(:[ \t]*)(\S[^\r\n]*)$")
            .expect("valid regex")
    });
    let s = QUOTED.replace_all(s, |c: &Captures| {
        if is_secret_key(&c[2]) {
            format!("{}{}{}\"{REDACTED}\"", &c[1], &c[2], &c[3])
        } else {
            c[0].to_string()
        }
    });
    let s = JSON_NUMBER.replace_all(&s, |c: &Captures| {
        if is_secret_key(&c[1]) {
            format!("\"{}\"{}\"{REDACTED}\"", &c[1], &c[2])
        } else {
            c[0].to_string()
        }
    });
    let s = ASSIGNED.replace_all(&s, |c: &Captures| {
        if is_secret_key(&c[1]) {
            format!("{}={REDACTED}", &c[1])
        } else {
            c[0].to_string()
        }
    });
    let s = HEADER.replace_all(&s, |c: &Captures| {
        if is_secret_key(&c[2]) && &c[4] != "\"[redacted]\"" {
            format!("{}{}{}{REDACTED}", &c[1], &c[2], &c[3])
        } else {
            c[0].to_string()
        }
    });
    s.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_pairs_in_a_failure_message_are_redacted_whatever_their_shape() {
        let message = "expected 201, got 400 for {\"business_code\":\"BC-77\",\"amount\":12,\"pan\":4111111111111111}\n\
                       debug: Card { enc_tlv: \"9F02AB\", ticket: 1 }\n\
                       query: ?x=1&private_credential_id=cred-9&y=2\n\
                       Authorization: Bearer tok-1";
        let out = text(message);
        for secret in ["BC-77", "9F02AB", "cred-9", "tok-1", "4111111111111111"] {
            assert!(!out.contains(secret), "{secret} leaked in {out}");
        }
        assert!(
            out.contains("\"amount\":12"),
            "non-secret pairs stay: {out}"
        );
        assert!(out.contains("x=1&"), "non-secret pairs stay: {out}");
        assert!(out.contains("expected 201, got 400"), "{out}");
    }

    #[test]
    fn terminal_colours_and_control_characters_do_not_reach_a_report() {
        assert_eq!(
            text("\u{1b}[31mfailed\u{1b}[0m at\u{0}x\ty"),
            "failed at\u{FFFD}x\ty"
        );
    }

    #[test]
    fn a_body_kept_as_json_text_is_masked_as_json() {
        let v = json!({"response_body": "{\"enc_tlv\":\"AB12\",\"note\":\"4111111111111111\"}",
            "ticket_number": "111727462978861299"});
        let out = value(&v).to_string();
        assert!(!out.contains("AB12"), "{out}");
        assert!(!out.contains("4111111111111111"), "{out}");
        assert!(
            out.contains("111727462978861299"),
            "identifiers stay readable: {out}"
        );
    }
}
