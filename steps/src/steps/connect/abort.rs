//! Aborting (ref §1.2, §1.7): a charge started in the background, the POS aborting it while the
//! terminal waits for the card or the acquirer, and how the started charge ends.

use std::time::Duration;

use kushki_protocol::connect::ConnectOperation;
use kushki_protocol::money::Amount;
use serde_json::{Value, json};

use super::{assert_error, connect_amount, finish_started, payload, started_finished};
use crate::env::{Connect, Method, Mock, wait_until};
use crate::steps::common::require;
use crate::steps::{Step, step};
use crate::target::Capability;
use crate::world::{KushkiWorld, Named};

/// The steps of this module.
pub const STEPS: &[Step] = &[
    START_CHARGE,
    APPROVAL_REQUESTED,
    ABORT,
    ABORT_WITH,
    STARTED_APPROVED,
    STARTED_ERROR,
    STARTED_PENDING,
    ABORT_CONFIRMED,
];

const START_CHARGE: Step = step!(When, "the POS starts charging {amount}", start_charge);
async fn start_charge(w: &mut KushkiWorld, total: Amount) {
    let payload = payload(w, json!({"amount": connect_amount(total)}));
    let ctid = super::text(&payload["client_transaction_id"]);
    // The operation runs on its own environment handle: a second env reaching the same mocks.
    let mut runner = w.env().await.second_handle();
    let handle = tokio::spawn(async move {
        let what = Connect::Operation(ConnectOperation::Charge);
        let answer = runner.connect(what, payload).send().await;
        (answer, runner.evidence)
    });
    w.pending = Some(handle);
    let named = Named {
        reference: String::new(),
        client_transaction_id: ctid,
        amount: total,
        request: Value::Null,
    };
    w.named.insert("started charge".into(), named);
    // Let the terminal take the command (and the reader its scripted action) before the next
    // step moves the clock.
    if !w.env().await.has(Capability::ScriptedCard) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        return;
    }
    let env = w.env().await.second_handle();
    let pending = w.pending.as_ref();
    wait_until(
        "the terminal to take the command",
        Duration::from_secs(10),
        || async {
            if pending.is_some_and(|p| p.is_finished()) {
                return Some(());
            }
            let view = env
                .admin_call(Mock::Terminal, "GET", "/__admin/terminal", None)
                .await;
            let queued = env
                .admin_call(Mock::Terminal, "GET", "/__admin/cards", None)
                .await;
            let queue_empty = queued["cards"].as_array().is_none_or(Vec::is_empty);
            (view["state"] != "waiting_for_call" && queue_empty).then_some(())
        },
    )
    .await;
}

const APPROVAL_REQUESTED: Step = step!(
    When,
    "the terminal has asked the acquirer for approval",
    approval_requested
);
async fn approval_requested(w: &mut KushkiWorld, _: ()) {
    require(w, Capability::Faults).await;
    let ctid = w.named("started charge").client_transaction_id.clone();
    let env = w.env().await.second_handle();
    let pending = w.pending.as_ref();
    let what = "the terminal to ask the acquirer for approval";
    let ended = wait_until(what, Duration::from_secs(10), || async {
        if pending.is_some_and(|p| p.is_finished()) {
            return Some(true);
        }
        let view = env
            .admin_call(Mock::Terminal, "GET", "/__admin/terminal", None)
            .await;
        if view["state"]["phase"] != "approval_requested" {
            return None;
        }
        // The acquirer has the request (so the clock moves after it recorded the charge).
        let journal = env.journal(Mock::Acquirer).await;
        let seen = journal
            .iter()
            .any(|e| e["hop"] == "acquirer" && e["client_transaction_id"] == ctid.as_str());
        seen.then_some(false)
    })
    .await;
    if ended {
        let a = finish_started(w).await;
        panic!(
            "the started charge ended before the terminal waited for the acquirer: HTTP {}: {}",
            a.status, a.body
        );
    }
}

const ABORT: Step = step!(When, "the POS aborts", abort);
async fn abort(w: &mut KushkiWorld, _: ()) {
    let what = Connect::Operation(ConnectOperation::Abort);
    let answer = w.env().await.connect(what, json!({})).send().await;
    w.last = Some(answer);
}

const ABORT_WITH: Step = step!(
    When,
    "the POS aborts with (GET|POST)( on the async route)?",
    abort_with
);
async fn abort_with(w: &mut KushkiWorld, (method, asynchronous): (String, bool)) {
    let method = if method == "GET" {
        Method::Get
    } else {
        Method::Post
    };
    let what = Connect::Operation(ConnectOperation::Abort);
    let answer = w
        .env()
        .await
        .connect(what, json!({}))
        .asynchronous(asynchronous)
        .method(method)
        .send()
        .await;
    w.last = Some(answer);
}

const STARTED_APPROVED: Step = step!(Then, "the started charge is approved", started_approved);
async fn started_approved(w: &mut KushkiWorld, _: ()) {
    let a = finish_started(w).await;
    assert!(
        a.status == 200 && a.body["approved"] == true,
        "expected the started charge approved, got {}: {}",
        a.status,
        a.body
    );
}

const STARTED_ERROR: Step = step!(
    Then,
    r#"the started charge ends with error "([A-Z0-9_-]+)" with HTTP (\d+)"#,
    started_error
);
async fn started_error(w: &mut KushkiWorld, (code, status): (String, u16)) {
    let a = finish_started(w).await;
    assert_error(&a, &code, status);
}

const STARTED_PENDING: Step = step!(Then, "the started charge is still pending", started_pending);
async fn started_pending(w: &mut KushkiWorld, _: ()) {
    // Give the terminal a moment to end it if it (wrongly) would.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        w.pending.is_some() && !started_finished(w),
        "the started charge has already ended"
    );
}

const ABORT_CONFIRMED: Step = step!(
    Then,
    "the POS gets the abort confirmed for the (started|asynchronous) charge",
    abort_confirmed
);
async fn abort_confirmed(w: &mut KushkiWorld, which: String) {
    let ctid = w
        .named(&format!("{which} charge"))
        .client_transaction_id
        .clone();
    let a = w.last();
    assert!(
        a.status == 200 && a.body["aborted"] == true,
        "expected the abort confirmed (HTTP 200, aborted: true), got HTTP {}: {}",
        a.status,
        a.body
    );
    assert_eq!(
        a.body["client_transaction_id"],
        ctid.as_str(),
        "the abort names the operation it aborted: {}",
        a.body
    );
}
