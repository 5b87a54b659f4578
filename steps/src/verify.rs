//! `kushki-conformance verify`: client conformance. The mocks journal everything an integrator's
//! POS or terminal app sent them, with the rules each request broke; this turns a journal into
//! pass/fail checks (and, with `--profile certification`, checks that the flows a certification
//! exercises were all exercised).

use conformance_reports::model::{FeatureResult, Run, ScenarioResult, Status, StepResult};
use serde_json::Value;

/// One check's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// Short id (`reverse-timing`).
    pub id: &'static str,
    /// What it checks.
    pub title: &'static str,
    /// Problems found, each naming the journal entries (`seq`) involved.
    pub problems: Vec<String>,
}

impl Check {
    /// Whether it passed.
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Journal entries from a JSON Lines file (one masked entry per line).
pub fn read_jsonl(text: &str) -> Result<Vec<Value>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

fn seq(e: &Value) -> u64 {
    e["seq"].as_u64().unwrap_or(0)
}

fn op(e: &Value) -> &str {
    e["operation"].as_str().unwrap_or("")
}

fn violations(e: &Value) -> Vec<&str> {
    e["violations"]
        .as_array()
        .map(|v| v.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Requests the integrator sent (as opposed to the mocks' own outbound legs).
fn inbound(entries: &[Value]) -> impl Iterator<Item = &Value> {
    entries.iter().filter(|e| {
        let hop = e["hop"].as_str().unwrap_or("");
        // A terminal's own acquirer leg is journaled by the terminal with hop `acquirer` too; the
        // acquirer's copy is the one that counts, and it has the violations.
        hop == "pos"
            || (hop == "acquirer" && e["path"].as_str().is_some_and(|p| p.starts_with("/pos")))
    })
}

fn violation_check(
    entries: &[Value],
    id: &'static str,
    title: &'static str,
    prefixes: &[&str],
) -> Check {
    let problems = inbound(entries)
        .flat_map(|e| {
            violations(e)
                .into_iter()
                .filter(|v| prefixes.iter().any(|p| v.starts_with(p)))
                .map(move |v| {
                    format!(
                        "seq {} {} {}: {v}",
                        seq(e),
                        e["method"].as_str().unwrap_or(""),
                        e["path"].as_str().unwrap_or("")
                    )
                })
        })
        .collect();
    Check {
        id,
        title,
        problems,
    }
}

fn answered(e: &Value) -> bool {
    e["status"].as_u64() == Some(200)
        && (e["response"]["transaction_status"] == "APPROVAL" || e["response"]["approved"] == true)
}

/// The checks of the default profile.
pub fn check(entries: &[Value]) -> Vec<Check> {
    let mut checks = vec![
        violation_check(
            entries,
            "schema",
            "every request matches its schema",
            &["schema:", "PAR-"],
        ),
        violation_check(
            entries,
            "authentication",
            "signature, timestamp and credential are valid",
            &["auth-", "credential:"],
        ),
        violation_check(
            entries,
            "reverse-timing",
            "reverses wait at least 60 s and stay within the business day",
            &["reverse-min-delay", "reverse-same-day"],
        ),
        violation_check(
            entries,
            "unique-client-transaction-id",
            "every client_transaction_id is used for one request only",
            &["idempotency"],
        ),
        violation_check(
            entries,
            "timing-rules",
            "voids before the cut-off, refunds within their window, no illegal transition",
            &[
                "void-cutoff",
                "void-attempts",
                "refund-window",
                "refund-amount",
                "lifecycle",
                "capture-reference",
                "partial-void",
                "cardless",
                "currency",
                "amount-positive",
            ],
        ),
    ];
    // Void, refund, capture… must reference a transaction the acquirer knows.
    let unknown = inbound(entries)
        .filter(|e| {
            matches!(
                e["response"]["code"].as_str(),
                Some("E901") | Some("NF-001")
            )
        })
        .map(|e| {
            format!(
                "seq {} {} references a transaction the acquirer does not know",
                seq(e),
                op(e)
            )
        })
        .collect();
    checks.push(Check {
        id: "known-reference",
        title: "voids, refunds and captures reference a known transaction",
        problems: unknown,
    });
    // Abort only while a transaction is in progress.
    let idle_aborts = inbound(entries)
        .filter(|e| op(e) == "abort" && e["response"]["code"] == "TER-005")
        .map(|e| {
            format!(
                "seq {}: abort sent while no transaction was in progress",
                seq(e)
            )
        })
        .collect();
    checks.push(Check {
        id: "abort-in-progress",
        title: "abort is sent only while a transaction is in progress",
        problems: idle_aborts,
    });
    // A charge whose answer never came must be reversed (seed: "communication issues or time out").
    let mut missing = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let timed_out = e["hop"] == "acquirer"
            && e["status"].as_u64() == Some(0)
            && matches!(op(e), "charge" | "capture");
        if timed_out {
            let id = e["client_transaction_id"].as_str().unwrap_or("");
            let reversed = entries[i + 1..]
                .iter()
                .any(|l| op(l) == "reverse" && l["client_transaction_id"].as_str() == Some(id));
            if !reversed {
                missing.push(format!(
                    "seq {}: the {} `{id}` got no answer and was never reversed",
                    seq(e),
                    op(e)
                ));
            }
        }
    }
    checks.push(Check {
        id: "reverse-after-timeout",
        title: "every charge that timed out is reversed",
        problems: missing,
    });
    checks
}

/// The flows a certification dry-run must show (harness-defined list).
pub fn certification(entries: &[Value]) -> Vec<Check> {
    let any = |f: &dyn Fn(&Value) -> bool| inbound(entries).any(f);
    let flows: [(&'static str, &'static str, bool); 8] = [
        (
            "flow-approved-sale",
            "an approved sale",
            any(&|e| op(e) == "charge" && answered(e)),
        ),
        (
            "flow-declined-sale",
            "a sale declined by a test amount",
            any(&|e| {
                op(e) == "charge"
                    && e["status"].as_u64() == Some(200)
                    && (e["response"]["transaction_status"] == "DECLINED"
                        || e["response"]["approved"] == false)
            }),
        ),
        (
            "flow-void",
            "a void",
            any(&|e| op(e) == "void" && answered(e)),
        ),
        (
            "flow-refund",
            "a refund",
            any(&|e| op(e) == "refund" && answered(e)),
        ),
        (
            "flow-partial-refund",
            "a partial refund",
            any(&|e| op(e) == "refund" && answered(e) && e["request"].get("amount").is_some()),
        ),
        (
            "flow-preauth-capture",
            "a pre-authorization and its capture",
            any(&|e| matches!(op(e), "preAuth" | "authorization") && answered(e))
                && any(&|e| op(e) == "capture" && answered(e)),
        ),
        (
            "flow-abort",
            "an abort",
            any(&|e| op(e) == "abort" && e["status"].as_u64() == Some(200)),
        ),
        (
            "flow-print",
            "a print job",
            any(&|e| {
                e["path"].as_str().is_some_and(|p| p.contains("print"))
                    && e["status"].as_u64() == Some(202)
            }),
        ),
    ];
    flows
        .into_iter()
        .map(|(id, title, seen)| Check {
            id,
            title,
            problems: if seen {
                Vec::new()
            } else {
                vec![format!("the journal shows no {title}")]
            },
        })
        .collect()
}

/// The checks as a run model, for the same reports as `run`.
pub fn to_run(source: &str, checks: &[Check]) -> Run {
    let now = jiff::Timestamp::now().to_string();
    let scenarios = checks
        .iter()
        .enumerate()
        .map(|(i, c)| ScenarioResult {
            name: c.title.to_string(),
            line: i + 1,
            tags: vec![format!("@check:{}", c.id)],
            topology: "journal".into(),
            status: if c.passed() {
                Status::Passed
            } else {
                Status::Failed
            },
            skip_reason: None,
            steps: vec![StepResult {
                keyword: "Then".into(),
                text: c.title.to_string(),
                line: i + 1,
                status: if c.passed() {
                    Status::Passed
                } else {
                    Status::Failed
                },
                message: (!c.passed()).then(|| c.problems.join("\n")),
                duration_ms: 0.0,
            }],
            exchanges: Vec::new(),
            receipts: Vec::new(),
            duration_ms: 0.0,
        })
        .collect();
    let mut run = Run {
        implementation: format!("client whose exchanges are journaled in {source}"),
        target: source.to_string(),
        started: now.clone(),
        finished: now,
        features: vec![FeatureResult {
            name: "Client conformance".into(),
            path: "verify".into(),
            tags: Vec::new(),
            scenarios,
        }],
        ..Run::default()
    };
    run.versions.insert(
        "kushki-conformance".into(),
        env!("CARGO_PKG_VERSION").into(),
    );
    run
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_early_reverse_and_an_unreversed_timeout_are_violations() {
        let entries = vec![
            json!({"seq": 1, "hop": "acquirer", "method": "POST", "path": "/pos/v1/transaction", "status": 0, "operation": "charge", "client_transaction_id": "a", "violations": [], "request": {}, "response": null}),
            json!({"seq": 2, "hop": "acquirer", "method": "POST", "path": "/pos/v1/transaction", "status": 400, "operation": "reverse", "client_transaction_id": "b", "violations": ["reverse-min-delay: a reverse needs 60 s"], "request": {}, "response": {"code": "E902"}}),
        ];
        let checks = check(&entries);
        let failed: Vec<&str> = checks
            .iter()
            .filter(|c| !c.passed())
            .map(|c| c.id)
            .collect();
        assert_eq!(failed, ["reverse-timing", "reverse-after-timeout"]);
    }

    #[test]
    fn a_reversed_timeout_passes() {
        let entries = vec![
            json!({"seq": 1, "hop": "acquirer", "path": "/pos/v1/transaction", "status": 0, "operation": "charge", "client_transaction_id": "a", "violations": []}),
            json!({"seq": 2, "hop": "acquirer", "path": "/pos/v1/transaction", "status": 200, "operation": "reverse", "client_transaction_id": "a", "violations": [], "response": {"transaction_status": "APPROVAL"}}),
        ];
        assert!(check(&entries).iter().all(Check::passed));
        let cert = certification(&entries);
        assert!(
            cert.iter().any(|c| !c.passed()),
            "no sale was approved, so certification is incomplete"
        );
    }
}
