//! The amount-triggered outcomes of ref §2.7 (`schemas/catalog/test_amounts.json`), one case each.
//! "Approved with delay" waits 20 s of clock time (harness-defined length): the tests move the
//! manual clock, never wait for real.

use std::time::Duration;

use serde_json::Value;

use crate::support::bodies;
use crate::support::{Answer, LIMA_MORNING, TestApp, spawn_app};

/// Sends `body` and checks its answer comes only once the clock has moved 20 s: not before, not
/// at 19 s.
async fn answered_only_after_twenty_clock_seconds(
    app: &TestApp,
    body: Value,
    rule: &str,
) -> Answer {
    let id = body["client_transaction_id"]
        .as_str()
        .expect("id")
        .to_string();
    let pending = app.spawn_transaction(body);
    app.wait_in_ledger(&id, 1).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(
        !pending.is_finished(),
        "{rule}: answered before the clock moved"
    );
    app.advance(19).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(
        !pending.is_finished(),
        "{rule}: answered after 19 s of a 20 s delay"
    );
    app.advance(1).await;
    let answer = tokio::time::timeout(Duration::from_secs(2), pending)
        .await
        .unwrap_or_else(|_| panic!("{rule}: still no answer after the clock moved 20 s"))
        .expect("the request task");
    let journal = app.journal().await;
    assert!(
        journal.iter().any(|e| e["note"]
            .as_str()
            .is_some_and(|n| n.contains("delayed 20 s"))),
        "{rule}: the journal notes the delay: {journal:?}"
    );
    answer
}

async fn declines(total: &str, currency: &str, f39: &str, message: &str) {
    let app = spawn_app(LIMA_MORNING).await;
    let rule = format!("ref §2.7: {total} {currency} declines with {f39}");
    let a = app.charge(total, currency).await.declined(f39, &rule);
    assert_eq!(
        a.body["kushki_response"]["message"], message,
        "{rule}: {}",
        a.body
    );
    assert_eq!(
        a.body["authorized_amount"].as_f64(),
        Some(0.0),
        "{rule}: nothing authorized; {}",
        a.body
    );
}

#[tokio::test]
async fn ten_pen_is_declined_with_01() {
    declines(
        "10",
        "PEN",
        "01",
        "Transaction declined. Please contact your card issuer.",
    )
    .await;
}

#[tokio::test]
async fn forty_pen_is_declined_with_04() {
    declines("40", "PEN", "04", "The entered card has been reported.").await;
}

#[tokio::test]
async fn fifty_pen_is_declined_with_05() {
    declines(
        "50",
        "PEN",
        "05",
        "An error occurred while processing the transaction.",
    )
    .await;
}

#[tokio::test]
async fn seventy_four_pen_is_approved_only_after_the_clock_advances_twenty_seconds() {
    let app = spawn_app(LIMA_MORNING).await;
    answered_only_after_twenty_clock_seconds(&app, bodies::charge("74", "PEN"), "ref §2.7: 74 PEN")
        .await
        .approved("ref §2.7: 74 is approved with delay");
}

#[tokio::test]
async fn a_void_of_174_pen_is_approved_after_a_delay() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app
        .charge("174", "PEN")
        .await
        .approved("ref §2.7: 174 applies to Void/Reverse only, so the charge is approved at once")
        .txn();
    answered_only_after_twenty_clock_seconds(&app, bodies::void(&sale), "ref §2.7: void of 174")
        .await
        .approved("ref §2.7: a void of 174 is approved with delay");
}

#[tokio::test]
async fn one_thousand_clp_in_chile_is_declined_with_01() {
    declines(
        "1000",
        "CLP",
        "01",
        "Transaction declined. Please contact your card issuer.",
    )
    .await;
}

#[tokio::test]
async fn four_thousand_clp_in_chile_is_declined_with_04() {
    declines("4000", "CLP", "04", "The entered card has been reported.").await;
}

#[tokio::test]
async fn five_thousand_clp_in_chile_is_declined_with_05() {
    declines(
        "5000",
        "CLP",
        "05",
        "An error occurred while processing the transaction.",
    )
    .await;
}

#[tokio::test]
async fn seven_thousand_four_hundred_clp_in_chile_is_approved_after_a_delay() {
    let app = spawn_app(LIMA_MORNING).await;
    answered_only_after_twenty_clock_seconds(
        &app,
        bodies::charge("7400", "CLP"),
        "ref §2.7: 7400 CLP",
    )
    .await
    .approved("ref §2.7: 7400 CLP is approved with delay");
}

#[tokio::test]
async fn a_void_of_17400_clp_in_chile_is_approved_after_a_delay() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app
        .charge("17400", "CLP")
        .await
        .approved("17400 CLP applies to Void/Reverse only")
        .txn();
    answered_only_after_twenty_clock_seconds(
        &app,
        bodies::void(&sale),
        "ref §2.7: void of 17400 CLP",
    )
    .await
    .approved("ref §2.7: a void of 17400 CLP is approved with delay");
}

#[tokio::test]
async fn ten_clp_in_chile_is_approved_because_chile_uses_the_values_times_one_hundred() {
    let app = spawn_app(LIMA_MORNING).await;
    app.charge("10", "CLP")
        .await
        .approved("ref §2.7: in Chile any amount but the ×100 values is approved");
}

#[tokio::test]
async fn ten_fifty_pen_is_approved_because_only_whole_test_amounts_match() {
    let app = spawn_app(LIMA_MORNING).await;
    app.charge("10.50", "PEN")
        .await
        .approved("catalog: 10.50 matches no test amount, so it is approved");
}
