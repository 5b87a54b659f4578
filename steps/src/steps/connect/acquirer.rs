//! The terminal's acquirer, seen from Connect scenarios (`@faults`, harness-defined): faults on
//! the terminal's hop to it and on the cloud link, and what its journal shows it received (the
//! raw requests a terminal sends for a Connect operation, ref §1.4 / §2).

use std::time::Duration;

use kushki_protocol::money::{Amount, parse_major_text};
use serde_json::{Value, json};

use crate::env::{Mock, wait_until};
use crate::steps::common::require;
use crate::steps::{Step, step};
use crate::target::Capability;
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[
    SILENT,
    STATUS,
    LINK_WILL_DROP,
    RELINKED,
    REVERSED,
    RECEIVED_CANCEL,
    RECEIVED_NOTHING,
    RECEIVED_EXTRA,
    RECEIVED_DEFERRED,
];

const SILENT: Step = step!(Given, "the acquirer will not answer the terminal", silent);
async fn silent(w: &mut KushkiWorld, _: ()) {
    require(w, Capability::Faults).await;
    let b = json!({"hop": "acquirer", "match": {"operation": "charge"}, "respond": {"fault": "timeout"}, "times": 1});
    w.env().await.behaviour(Mock::Terminal, b).await;
}

const STATUS: Step = step!(
    Given,
    r"the acquirer answers the terminal with HTTP (\d+)",
    status
);
async fn status(w: &mut KushkiWorld, status: u16) {
    require(w, Capability::Faults).await;
    let b = json!({"hop": "acquirer", "respond": {"status": status}});
    w.env().await.behaviour(Mock::Terminal, b).await;
}

const LINK_WILL_DROP: Step = step!(
    Given,
    "the terminal's cloud link will drop during the next request",
    link_will_drop
);
async fn link_will_drop(w: &mut KushkiWorld, _: ()) {
    require(w, Capability::Faults).await;
    let b = json!({"hop": "relay", "respond": {"fault": "drop"}, "times": 1});
    w.env().await.behaviour(Mock::Acquirer, b).await;
}

const RELINKED: Step = step!(Then, "the terminal links to the cloud again", relinked);
async fn relinked(w: &mut KushkiWorld, _: ()) {
    require(w, Capability::Faults).await;
    let env = w.env().await.second_handle();
    wait_until(
        "the terminal to link to the cloud again",
        Duration::from_secs(10),
        || async {
            let journal = env.journal(Mock::Acquirer).await;
            let note = |e: &Value, n: &str| e["hop"] == "relay" && e["note"] == n;
            // A link made after the last one closed (the journal may start after the first link:
            // a remote mock's is emptied when the scenario starts).
            let closed = journal
                .iter()
                .rposition(|e| note(e, "terminal link closed"));
            let relinked =
                closed.is_some_and(|c| journal[c..].iter().any(|e| note(e, "terminal linked")));
            if !relinked {
                return None;
            }
            let view = env
                .admin_call(Mock::Terminal, "GET", "/__admin/terminal", None)
                .await;
            (view["state"] == "waiting_for_call").then_some(())
        },
    )
    .await;
}

/// The raw API requests the acquirer received, from its journal.
async fn acquirer_requests(w: &mut KushkiWorld) -> Vec<Value> {
    require(w, Capability::Faults).await;
    let journal = w.env().await.journal(Mock::Acquirer).await;
    journal
        .into_iter()
        .filter(|e| {
            e["hop"] == "acquirer"
                && e["path"]
                    .as_str()
                    .is_some_and(|p| p == "/pos/v1/transaction" || p == "/pos/v1/refund")
        })
        .collect()
}

const REVERSED: Step = step!(
    Then,
    "the acquirer received a reverse of the started charge",
    reversed
);
async fn reversed(w: &mut KushkiWorld, _: ()) {
    let ctid = w.named("started charge").client_transaction_id.clone();
    let entries = acquirer_requests(w).await;
    let reverse = entries
        .iter()
        .find(|e| e["operation"] == "reverse")
        .unwrap_or_else(|| {
            panic!(
                "the acquirer's journal shows no reverse: {:?}",
                entries.iter().map(|e| &e["operation"]).collect::<Vec<_>>()
            )
        });
    assert_eq!(
        reverse["client_transaction_id"],
        ctid.as_str(),
        "the reverse names the charge: {reverse}"
    );
    assert_eq!(reverse["status"], 200, "the reverse was refused: {reverse}");
}

const RECEIVED_CANCEL: Step = step!(
    Then,
    "the acquirer received a (void|refund) of the (charge|pre-authorization)",
    received_cancel
);
async fn received_cancel(w: &mut KushkiWorld, (kind, of): (String, String)) {
    let reference = w.named(&of).reference.clone();
    let entries = acquirer_requests(w).await;
    let last = entries.last().expect("the acquirer received nothing");
    let (path, mode) = if kind == "void" {
        ("/pos/v1/transaction", "Void")
    } else {
        ("/pos/v1/refund", "Authorization")
    };
    assert_eq!(last["path"], path, "the last raw request: {last}");
    assert_eq!(
        last["request"]["transaction_mode"], mode,
        "the last raw request: {last}"
    );
    assert_eq!(
        last["request"]["transaction_reference"],
        reference.as_str(),
        "the last raw request: {last}"
    );
    assert_eq!(last["status"], 200, "the last raw request: {last}");
}

const RECEIVED_NOTHING: Step = step!(
    Then,
    "the acquirer received no transaction",
    received_nothing
);
async fn received_nothing(w: &mut KushkiWorld, _: ()) {
    let entries = acquirer_requests(w).await;
    assert!(
        entries.is_empty(),
        "the acquirer received {:?}",
        entries.iter().map(|e| &e["operation"]).collect::<Vec<_>>()
    );
}

/// The acquirer's journal entry of the scenario's charge.
async fn raw_charge(w: &mut KushkiWorld) -> Value {
    let ctid = w.named("charge").client_transaction_id.clone();
    acquirer_requests(w)
        .await
        .into_iter()
        .find(|e| e["operation"] == "charge" && e["client_transaction_id"] == ctid.as_str())
        .unwrap_or_else(|| panic!("the acquirer's journal has no charge `{ctid}`"))
}

const RECEIVED_EXTRA: Step = step!(
    Then,
    "the acquirer received the charge with (cashback|a tip) of {amount}",
    received_extra
);
async fn received_extra(w: &mut KushkiWorld, (extra, expected): (String, Amount)) {
    let entry = raw_charge(w).await;
    let request = &entry["request"];
    let value = if extra == "cashback" {
        assert_eq!(request["is_cashback"], true, "is_cashback of {request}");
        &request["cashback_amount"]
    } else {
        &request["amount"]["tip"]
    };
    let got = parse_major_text(&value.to_string(), expected.currency(), "amount")
        .unwrap_or_else(|e| panic!("`{value}` in {request}: {e}"));
    assert_eq!(got, expected, "the raw charge: {request}");
}

const RECEIVED_DEFERRED: Step = step!(
    Then,
    r"the acquirer received the charge deferred over (\d+) months",
    received_deferred
);
async fn received_deferred(w: &mut KushkiWorld, months: String) {
    let entry = raw_charge(w).await;
    let request = &entry["request"];
    assert_eq!(request["is_deferred"], true, "is_deferred of {request}");
    assert_eq!(
        request["deferred"]["months"],
        months.as_str(),
        "deferred.months of {request}"
    );
}
