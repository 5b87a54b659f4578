//! Behaviours scripted on the acquirer (`@faults`, harness-defined): issuer codes it answers with,
//! HTTP statuses it fails with, rules switched off.

use serde_json::json;

use crate::env::Mock;
use crate::steps::common::require;
use crate::steps::{Step, step};
use crate::target::Capability;
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[FORCE_CODE, INJECT_STATUS, RULE_OFF];

const FORCE_CODE: Step = step!(
    Given,
    r#"the acquirer will answer (voids|charges) with issuer code "(\d\d)"(?: (\d+) times)?"#,
    force_code
);
async fn force_code(w: &mut KushkiWorld, (ops, code, times): (String, String, Option<u32>)) {
    require(w, Capability::Faults).await;
    let op = if ops == "voids" { "void" } else { "charge" };
    let mut b =
        json!({"hop": "acquirer", "match": {"operation": op}, "respond": {"kushki_code": code}});
    if let Some(times) = times {
        b["times"] = json!(times);
    }
    w.env().await.behaviour(Mock::Acquirer, b).await;
}

const INJECT_STATUS: Step = step!(
    Given,
    r"the acquirer will answer the next (charge|void|refund) with HTTP (\d{3})",
    inject_status
);
async fn inject_status(w: &mut KushkiWorld, (op, status): (String, u16)) {
    require(w, Capability::Faults).await;
    let b = json!({"hop": "acquirer", "match": {"operation": op}, "respond": {"status": status}, "times": 1});
    w.env().await.behaviour(Mock::Acquirer, b).await;
}

const RULE_OFF: Step = step!(
    Given,
    r#"the acquirer rule "([a-z-]+)" is switched off"#,
    rule_off
);
async fn rule_off(w: &mut KushkiWorld, rule: String) {
    require(w, Capability::Faults).await;
    let b = json!({"respond": {"disable_rule": rule}});
    w.env().await.behaviour(Mock::Acquirer, b).await;
}
