//! Requests answered late ("approved with delay", ref §2.7): an operation started in the
//! background, the clock moved past the acquirer's delay, and the answer that then arrives.

use std::time::Duration;

use kushki_protocol::money::Amount;
use serde_json::{Value, json};

use super::follow_ups::{FollowUp, reverse_body};
use super::{Authorization, assert_approved, cards::DELAY_SECS};
use crate::env::{Answer, Env, RawRoute, wait_until};
use crate::steps::common::require;
use crate::steps::{Step, step};
use crate::target::Capability;
use crate::world::{KushkiWorld, Named};

/// The steps of this module.
pub const STEPS: &[Step] = &[START, NOT_ANSWERED_YET, DELAYED_ANSWER];

/// How many transactions the acquirer's public search shows (a handle of its own, so the polling
/// is not recorded as the scenario's evidence).
async fn transactions_visible(env: &Env) -> usize {
    let mut probe = env.second_handle();
    let query = json!({"page": 1, "size": 500});
    let a = probe.raw(RawRoute::Search, &query).send().await;
    a.body["items"].as_array().map(Vec::len).unwrap_or(0)
}

const START: Step = step!(
    When,
    "the terminal app starts (a charge|a void of a charge|a reverse of a charge) of {amount}",
    start
);
/// Starts an operation in the background (a charge, or a void or reverse of a fresh charge of the
/// same amount) and returns once the acquirer has recorded it, so that the clock only moves after
/// the acquirer started waiting.
async fn start(w: &mut KushkiWorld, (what, total): (String, Amount)) {
    let body = if what == "a charge" {
        let (body, ctid) = Authorization::charge(total).body(w).await;
        let named = Named {
            reference: String::new(),
            client_transaction_id: ctid,
            amount: total,
            request: body.clone(),
        };
        w.named.insert("charge".into(), named);
        body
    } else {
        Authorization::charge(total).send(w, "charge").await;
        assert_approved(w);
        if what == "a void of a charge" {
            let void = FollowUp {
                mode: "Void",
                kind: "charge",
                of: "charge",
                total: None,
                cardless: false,
            };
            void.body(w).0
        } else {
            // Seed: a reverse waits at least one minute after the transaction.
            require(w, Capability::VirtualTime).await;
            w.env()
                .await
                .advance(kushki_protocol::calendar::REVERSE_MIN_DELAY_SECS)
                .await;
            reverse_body(w, "charge", false)
        }
    };
    let env = w.env().await.second_handle();
    let before = transactions_visible(&env).await;
    let mut runner = env.second_handle();
    let handle = tokio::spawn(async move {
        let answer = runner.raw(RawRoute::Transaction, &body).send().await;
        (answer, runner.evidence)
    });
    w.pending = Some(handle);
    let pending = w.pending.as_ref();
    let recorded = format!("the acquirer to record {what} of {total} (searching its transactions)");
    wait_until(&recorded, Duration::from_secs(10), || async {
        let done = pending.is_some_and(|p| p.is_finished());
        (done || transactions_visible(&env).await > before).then_some(())
    })
    .await;
}

const NOT_ANSWERED_YET: Step = step!(
    Then,
    r"the acquirer has not answered after (\d+) seconds? of clock time",
    not_answered_yet
);
async fn not_answered_yet(w: &mut KushkiWorld, secs: i64) {
    require(w, Capability::VirtualTime).await;
    w.env().await.advance(secs).await;
    // Give a wrongly early answer the time to arrive.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let pending = w
        .pending
        .as_ref()
        .expect("no request was started in the background (When the terminal app starts …)");
    if pending.is_finished() {
        let (answer, _) = take_pending(w).await;
        panic!(
            "ref §2.7 \"approved with delay\": expected no answer yet after {secs} s of clock time (the harness's delay is {DELAY_SECS} s), got HTTP {}: {}",
            answer.status, answer.body
        );
    }
}

async fn take_pending(w: &mut KushkiWorld) -> (Answer, Vec<Value>) {
    let handle = w
        .pending
        .take()
        .expect("no request was started in the background (When the terminal app starts …)");
    match tokio::time::timeout(Duration::from_secs(5), handle).await {
        Ok(Ok(done)) => done,
        Ok(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Ok(Err(e)) => panic!("the background request was cancelled: {e}"),
        Err(_) => panic!(
            "ref §2.7: no answer 5 s (real time) after the clock passed the delay: the answer waits on something else than the clock"
        ),
    }
}

const DELAYED_ANSWER: Step = step!(Then, "the delayed answer arrives", delayed_answer);
async fn delayed_answer(w: &mut KushkiWorld, _: ()) {
    let (answer, evidence) = take_pending(w).await;
    w.env().await.evidence.extend(evidence);
    w.last = Some(answer);
}
