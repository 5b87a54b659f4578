//! The timing rules of the seed, each on both sides of its boundary, on the manual clock:
//! reverse ≥ 60 s and before 23:59 Lima; void before 23:59 Lima and at most three declined
//! attempts; refund from the next day up to 120 days. Also partial voids (add §2.1, §6.2) and the
//! lifecycle refusals of reverses.

use serde_json::json;

use crate::support::bodies::{self, With};
use crate::support::{LIMA_MORNING, lima, spawn_app};

#[tokio::test]
async fn a_reverse_at_59_seconds_is_refused_with_e902_and_at_60_seconds_is_approved() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    app.advance(59).await;
    let early = app.reverse(&sale).await.refused(
        400,
        "E902",
        "seed: \"wait at least 1 minute after the transaction before initiating a reversal\" (59 s)",
    );
    assert!(
        early.details().contains("59 s"),
        "the refusal says how long it was: {}",
        early.body
    );
    app.advance(1).await;
    app.reverse(&sale)
        .await
        .approved("seed: a reverse exactly 60 s after the transaction is allowed");
}

#[tokio::test]
async fn a_reverse_is_approved_at_23_58_59_lima_and_refused_with_e903_at_23_59_00() {
    // 23:30 Lima on 2026-03-24 is 04:30Z on the 25th.
    let app = spawn_app(&lima("2026-03-24", "23:30:00")).await;
    let before = app.charge_ok("100.00", "PEN").await;
    let after = app.charge_ok("100.00", "PEN").await;
    app.set_clock(&lima("2026-03-24", "23:58:59")).await;
    app.reverse(&before)
        .await
        .approved("seed: reversals before 23:59 for Peru on the same day (23:58:59)");
    app.set_clock(&lima("2026-03-24", "23:59:00")).await;
    app.reverse(&after).await.refused(
        400,
        "E903",
        "seed: \"only available on the same day … before 23:59 for Peru\" (23:59:00 is too late)",
    );
}

#[tokio::test]
async fn a_reverse_on_the_next_day_is_refused_with_e903() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    app.advance(86_400).await;
    app.reverse(&sale).await.refused(
        400,
        "E903",
        "seed: a reverse must be on the transaction's day",
    );
}

#[tokio::test]
async fn a_void_is_approved_at_23_58_59_lima_and_refused_with_e904_pointing_to_refund_at_23_59_00()
{
    let app = spawn_app(&lima("2026-03-24", "23:30:00")).await;
    let before = app.charge_ok("100.00", "PEN").await;
    let after = app.charge_ok("100.00", "PEN").await;
    app.set_clock(&lima("2026-03-24", "23:58:59")).await;
    app.void(&before)
        .await
        .approved("seed: a void on the same day before 23:59 (23:58:59)");
    app.set_clock(&lima("2026-03-24", "23:59:00")).await;
    let late = app.void(&after).await.refused(
        400,
        "E904",
        "seed: after 23:59 of the approval day a refund is generated instead of a void",
    );
    let message = late.body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("/pos/v1/refund") && late.details().contains("/pos/v1/refund"),
        "the E904 answer points to the refund route: {}",
        late.body
    );
    app.refund(&after, None)
        .await
        .approved("the refund the E904 points to is accepted after the cut-off (harness reading)");
}

#[tokio::test]
async fn a_refund_is_refused_on_the_same_day_accepted_on_days_1_and_120_and_refused_on_day_121() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    let same_day = app.refund(&sale, Some("1.00")).await.refused(
        412,
        "E016",
        "seed: a refund is for a later day; the same day before 23:59 is a void",
    );
    assert!(
        same_day.details().contains("void"),
        "the refusal points to the void: {}",
        same_day.body
    );
    app.set_clock(&lima("2026-03-25", "10:00:00")).await;
    app.refund(&sale, Some("1.00"))
        .await
        .approved("seed: a refund on the next day (day 1)");
    app.set_clock(&lima("2026-07-22", "10:00:00")).await;
    app.refund(&sale, Some("1.00"))
        .await
        .approved("seed: \"the maximum time allowed to process a refund is 120 days\" (day 120)");
    app.set_clock(&lima("2026-07-23", "10:00:00")).await;
    let late = app.refund(&sale, Some("1.00")).await.refused(
        412,
        "E016",
        "seed: refunds end after 120 days (day 121)",
    );
    assert!(
        late.details().contains("121"),
        "the refusal counts the days: {}",
        late.body
    );
}

#[tokio::test]
async fn after_three_declined_voids_the_fourth_is_refused_with_e906_and_a_same_day_refund_is_accepted()
 {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    app.behaviour(
        json!({"match": {"operation": "void"}, "respond": {"kushki_code": "05"}, "times": 3}),
    )
    .await;
    for attempt in 1..=3 {
        app.void(&sale).await.declined(
            "05",
            &format!("void attempt {attempt} declined by the behaviour"),
        );
    }
    let fourth = app.void(&sale).await.refused(
        400,
        "E906",
        "seed: \"up to 3 attempts\"; after that a refund is generated",
    );
    assert!(
        fourth.details().contains("/pos/v1/refund"),
        "{}",
        fourth.body
    );
    app.refund(&sale, None).await.approved(
        "seed: a refund is generated \"when the void request exceeded three attempts\", even the same day",
    );
}

#[tokio::test]
async fn a_partial_void_is_accepted_in_chile_and_refused_with_e041_in_peru() {
    let app = spawn_app(LIMA_MORNING).await;
    let chile = app.charge_ok("10000", "CLP").await;
    let partial = bodies::void(&chile).with("amount", bodies::amount("3000", "CLP"));
    let v = app
        .transaction(&partial)
        .await
        .approved("add §6.2: a Chile void with a smaller amount is a partial void");
    assert_eq!(
        v.body["authorized_amount"].as_f64(),
        Some(3000.0),
        "{}",
        v.body
    );

    let peru = app.charge_ok("100.00", "PEN").await;
    let partial = bodies::void(&peru).with("amount", bodies::amount("40.00", "PEN"));
    let a = app.transaction(&partial).await.refused(
        400,
        "E041",
        "add §2.1: \"Partial void not allowed\" outside Chile",
    );
    assert!(
        a.details().contains("Partial void not allowed"),
        "{}",
        a.body
    );
    assert_eq!(
        a.body["details"]["Origin"], "Capture Validator",
        "add §2.1 origin: {}",
        a.body
    );
}

#[tokio::test]
async fn reversing_an_unknown_client_transaction_id_is_refused_with_e901_404() {
    let app = spawn_app(LIMA_MORNING).await;
    let body = bodies::charge("100.00", "PEN").with("transaction_mode", json!("Reverse"));
    app.transaction(&body).await.refused(
        404,
        "E901",
        "nothing reached the acquirer with that id, so nothing to reverse",
    );
}

#[tokio::test]
async fn a_second_reverse_of_the_same_charge_is_refused_with_e048() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    app.advance(60).await;
    app.reverse(&sale).await.approved("first reverse");
    app.reverse(&sale).await.refused(
        400,
        "E048",
        "add §2.1: \"La transacción previa ya se encuentra reversada\"",
    );
}
