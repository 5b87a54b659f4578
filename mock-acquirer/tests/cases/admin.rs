//! The admin API under `/__admin/` (mock-support's shared routes and the acquirer's own), one test
//! per endpoint and per kind of behaviour.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::bodies::{self, With};
use crate::support::{Answer, LIMA_MORNING, Opts, TestApp, check_schema, spawn_app};

/// Sends a charge without the "never a 5xx" check, for answers a behaviour injects.
async fn charge_allowing_injected_status(app: &TestApp) -> Answer {
    let body = bodies::charge("10.50", "PEN");
    let (status, bytes) = app
        .try_send("/pos/v1/transaction", body.to_string(), Opts::default())
        .await
        .expect("an answer");
    let parsed: Value = serde_json::from_slice(&bytes).expect("a JSON answer");
    check_schema("injected answer", "/pos/v1/transaction", status, &parsed);
    Answer {
        what: "charge".into(),
        request: body,
        status,
        bytes,
        body: parsed,
    }
}

#[tokio::test]
async fn health_answers_ok() {
    let app = spawn_app(LIMA_MORNING).await;
    let (status, body) = app.admin("GET", "/__admin/health", None).await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
}

#[tokio::test]
async fn the_journal_lists_exchanges_in_order_masked_and_can_be_emptied() {
    let app = spawn_app(LIMA_MORNING).await;
    let pan = "4111111111111111";
    let body = bodies::charge("100.00", "PEN").with("card_details", bodies::clear_icc(pan));
    let sale = app
        .transaction(&body)
        .await
        .approved("charge with clear test card data")
        .txn();
    assert_eq!(
        app.transaction(&body).await.body["transaction_reference"],
        sale.reference.as_str()
    );
    app.void(&sale).await.approved("void");

    let entries = app.journal().await;
    assert_eq!(entries.len(), 3, "three exchanges: {entries:?}");
    let seqs: Vec<u64> = entries
        .iter()
        .map(|e| e["seq"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(seqs, [1, 2, 3], "entries are numbered in order");
    for e in &entries {
        assert_eq!(e["hop"], "acquirer", "{e}");
        assert_eq!(e["method"], "POST", "{e}");
        assert_eq!(e["path"], "/pos/v1/transaction", "{e}");
        assert_eq!(e["status"], 200, "{e}");
        assert_eq!(
            e["time"], LIMA_MORNING,
            "entries carry the virtual time: {e}"
        );
    }
    assert_eq!(entries[0]["operation"], "charge");
    assert_eq!(entries[0]["client_transaction_id"], sale.client_id.as_str());
    assert_eq!(entries[2]["operation"], "void");
    assert_eq!(
        entries[0]["response"]["transaction_reference"],
        sale.reference.as_str(),
        "the entry holds the answer"
    );
    assert_eq!(
        entries[0]["request"]["card_details"]["reading_type"], "ICC",
        "non-secret request fields stay readable"
    );
    let text = serde_json::to_string(&entries).unwrap();
    for secret in [
        pan.to_string(),
        format!("5A08{pan}"),
        format!("{pan}D30122011234"),
        bodies::SEED_ENC_TLV.to_string(),
        bodies::SEED_ENC_TRACK2.to_string(),
    ] {
        assert!(
            !text.contains(&secret),
            "card data `{}…` appears in clear in the journal: {text}",
            &secret[..8]
        );
    }
    let (status, _) = app.admin("DELETE", "/__admin/journal", None).await;
    assert_eq!(status, 204, "DELETE /__admin/journal answers 204");
    assert!(
        app.journal().await.is_empty(),
        "the journal is empty after DELETE"
    );
    app.charge("10.50", "PEN").await.approved("charge");
    let after = app.journal().await;
    assert_eq!(
        after[0]["seq"], 4,
        "sequence numbers are not reused: {after:?}"
    );
}

#[tokio::test]
async fn the_clock_can_be_read_set_and_advanced_and_bad_requests_name_the_field() {
    let app = spawn_app(LIMA_MORNING).await;
    let (status, body) = app.admin("GET", "/__admin/clock", None).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"now": LIMA_MORNING, "mode": "manual"}));
    let set = app.set_clock("2026-04-01T12:00:00Z").await;
    assert_eq!(set["now"], "2026-04-01T12:00:00Z", "{set}");
    let advanced = app.advance(90).await;
    assert_eq!(advanced["now"], "2026-04-01T12:01:30Z", "{advanced}");
    let (_, now) = app.admin("GET", "/__admin/clock", None).await;
    assert_eq!(now["now"], "2026-04-01T12:01:30Z", "{now}");

    for (bad, field) in [
        (json!({"set": "yesterday"}), "set"),
        (json!({"set": 5}), "set"),
        (json!({"advance_seconds": "ten"}), "advance_seconds"),
        (json!({"advance_seconds": 1.5}), "advance_seconds"),
        (json!({"advance": 10}), "advance"),
    ] {
        let (status, body) = app.admin("POST", "/__admin/clock", Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(
            body["error"]["field"], field,
            "the error names the field for {bad}: {body}"
        );
    }
    let (status, body) = app.admin("POST", "/__admin/clock", Some(json!({}))).await;
    assert_eq!(status, 400, "an empty clock request is refused: {body}");
    let (_, still) = app.admin("GET", "/__admin/clock", None).await;
    assert_eq!(
        still["now"], "2026-04-01T12:01:30Z",
        "refused requests leave the clock alone"
    );
}

#[tokio::test]
async fn a_status_behaviour_injects_503_with_the_documented_body_once() {
    let app = spawn_app(LIMA_MORNING).await;
    app.behaviour(json!({"hop": "acquirer", "match": {"operation": "charge"}, "respond": {"status": 503}, "times": 1}))
        .await;
    let injected = charge_allowing_injected_status(&app).await;
    assert_eq!(injected.status, 503, "{}", injected.body);
    assert_eq!(
        injected.body["code"], "E002",
        "a 5xx is answered with Kushki's server-error body (E002, add §2.1): {}",
        injected.body
    );
    assert!(
        app.transactions().await.is_empty(),
        "an injected status records nothing"
    );
    app.charge("10.50", "PEN")
        .await
        .approved("times 1: the next charge is normal");
}

#[tokio::test]
async fn a_drop_behaviour_gives_the_client_a_connection_error() {
    let app = spawn_app(LIMA_MORNING).await;
    app.behaviour(
        json!({"match": {"operation": "charge"}, "respond": {"fault": "drop"}, "times": 1}),
    )
    .await;
    let sent = app
        .try_send(
            "/pos/v1/transaction",
            bodies::charge("10.50", "PEN").to_string(),
            Opts::default(),
        )
        .await;
    assert!(
        sent.is_err(),
        "a dropped answer must fail on the client; got {sent:?}"
    );
    let journal = app.journal().await;
    assert!(
        journal[0]["note"]
            .as_str()
            .is_some_and(|n| n.contains("dropped")),
        "the journal says the answer was dropped: {journal:?}"
    );
    app.charge("10.50", "PEN")
        .await
        .approved("the next charge is normal");
}

#[tokio::test]
async fn a_timeout_behaviour_leaves_the_client_to_time_out() {
    let app = spawn_app(LIMA_MORNING).await;
    app.behaviour(
        json!({"match": {"operation": "charge"}, "respond": {"fault": "timeout"}, "times": 1}),
    )
    .await;
    let opts = Opts {
        timeout: Some(Duration::from_millis(300)),
        ..Opts::default()
    };
    let started = Instant::now();
    let sent = app
        .try_send(
            "/pos/v1/transaction",
            bodies::charge("10.50", "PEN").to_string(),
            opts,
        )
        .await;
    match sent {
        Err(e) => assert!(e.is_timeout(), "expected the client's timeout, got {e}"),
        Ok(answer) => panic!("a timeout behaviour must not answer; got {answer:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the client's own 300 ms timeout ended it"
    );
    app.charge("10.50", "PEN")
        .await
        .approved("the next charge is normal");
}

#[tokio::test]
async fn a_latency_behaviour_delays_the_answer() {
    let app = spawn_app(LIMA_MORNING).await;
    app.behaviour(
        json!({"match": {"operation": "charge"}, "respond": {"latency_ms": 150}, "times": 1}),
    )
    .await;
    let started = Instant::now();
    app.charge("10.50", "PEN")
        .await
        .approved("a delayed answer is still an approval");
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "latency_ms 150: answered after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn behaviours_apply_times_times_are_listed_and_can_be_removed() {
    let app = spawn_app(LIMA_MORNING).await;
    let added = app
        .behaviour(json!({"match": {"operation": "charge", "amount": 50}, "respond": {"kushki_code": "00"}, "times": 2}))
        .await;
    assert_eq!(
        added["behaviour"]["times"], 2,
        "the 201 answer echoes the behaviour: {added}"
    );
    app.charge("50", "PEN")
        .await
        .approved("forced 00 overrides the 50 test amount (1 of 2)");
    let (_, listed) = app.admin("GET", "/__admin/behaviours", None).await;
    assert_eq!(
        listed["behaviours"][0]["times"], 1,
        "one use left: {listed}"
    );
    app.charge("50", "PEN").await.approved("forced 00 (2 of 2)");
    app.charge("50", "PEN")
        .await
        .declined("05", "after two uses the test amount applies again");
    let (_, listed) = app.admin("GET", "/__admin/behaviours", None).await;
    assert_eq!(
        listed["behaviours"],
        json!([]),
        "a used-up behaviour is gone: {listed}"
    );

    app.behaviour(json!({"respond": {"status": 503}})).await;
    let (status, _) = app.admin("DELETE", "/__admin/behaviours", None).await;
    assert_eq!(status, 204);
    app.charge("10.50", "PEN")
        .await
        .approved("no behaviour after DELETE");

    let (status, body) = app
        .admin(
            "POST",
            "/__admin/behaviours",
            Some(json!({"respond": {"stauts": 503}})),
        )
        .await;
    assert_eq!(status, 400, "a misspelt field is refused: {body}");
    assert!(
        body["error"]["message"].to_string().contains("stauts"),
        "{body}"
    );
}

#[tokio::test]
async fn disabling_reverse_min_delay_lets_a_ten_second_reverse_through() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    let other = app.charge_ok("100.00", "PEN").await;
    app.advance(10).await;
    app.reverse(&sale)
        .await
        .refused(400, "E902", "without the behaviour, 10 s is too early");
    app.behaviour(json!({"match": {"operation": "reverse"}, "respond": {"disable_rule": "reverse-min-delay"}, "times": 1}))
        .await;
    app.reverse(&sale)
        .await
        .approved("with reverse-min-delay off, a reverse at 10 s is accepted");
    let journal = app.journal().await;
    assert!(
        journal.last().is_some_and(|e| e["violations"] == json!([])),
        "an accepted request records no violation: {journal:?}"
    );
    app.reverse(&other).await.refused(
        400,
        "E902",
        "times 1: the rule is back for the next reverse",
    );
}

#[tokio::test]
async fn reset_empties_the_ledger_journal_and_behaviours_and_puts_the_clock_back() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    app.behaviour(json!({"respond": {"status": 503}})).await;
    app.advance(3600).await;
    let (status, _) = app
        .admin(
            "POST",
            "/__admin/webhooks",
            Some(json!({"url": "http://127.0.0.1:9/hook", "key": "k"})),
        )
        .await;
    assert_eq!(status, 200);

    let (status, body) = app.admin("POST", "/__admin/reset", None).await;
    assert_eq!((status, body), (200, json!({"status": "ok"})));
    assert!(
        app.transactions().await.is_empty(),
        "reset empties the ledger"
    );
    assert!(app.journal().await.is_empty(), "reset empties the journal");
    let (_, behaviours) = app.admin("GET", "/__admin/behaviours", None).await;
    assert_eq!(
        behaviours["behaviours"],
        json!([]),
        "reset removes behaviours"
    );
    let (_, clock) = app.admin("GET", "/__admin/clock", None).await;
    assert_eq!(
        clock["now"], LIMA_MORNING,
        "reset puts the clock back to its start"
    );
    let (_, hook) = app.admin("GET", "/__admin/webhooks", None).await;
    assert_eq!(
        hook["url"],
        Value::Null,
        "reset puts the webhook target back: {hook}"
    );
    app.void(&sale).await.refused(
        404,
        "E901",
        "the reset ledger no longer knows the old charge",
    );
}

#[tokio::test]
async fn the_webhook_target_can_be_read_set_and_removed_and_the_key_is_never_shown() {
    let app = spawn_app(LIMA_MORNING).await;
    let (status, body) = app.admin("GET", "/__admin/webhooks", None).await;
    assert_eq!((status, body), (200, json!({"url": null})));
    let (status, body) = app
        .admin(
            "POST",
            "/__admin/webhooks",
            Some(json!({"url": "http://127.0.0.1:9/hook", "key": "s3cret-key"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"url": "http://127.0.0.1:9/hook"}));
    let (_, got) = app.admin("GET", "/__admin/webhooks", None).await;
    assert!(
        !got.to_string().contains("s3cret"),
        "the key is never shown: {got}"
    );
    for (bad, field) in [
        (json!({"url": "http://127.0.0.1:9/hook"}), "key"),
        (json!({"url": "ftp://example.invalid/", "key": "k"}), "url"),
        (json!({"key": "k"}), "url"),
    ] {
        let (status, body) = app
            .admin("POST", "/__admin/webhooks", Some(bad.clone()))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["field"], field, "{bad}: {body}");
    }
    let (status, body) = app
        .admin("POST", "/__admin/webhooks", Some(json!({"url": null})))
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"url": null})),
        "url null removes the target"
    );
}

#[tokio::test]
async fn the_rules_endpoint_lists_every_rule_a_behaviour_can_disable() {
    let app = spawn_app(LIMA_MORNING).await;
    let (status, body) = app.admin("GET", "/__admin/rules", None).await;
    assert_eq!(status, 200);
    let rules: Vec<&str> = body["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        rules,
        mock_acquirer::domain::rule::Rule::ALL.map(|r| r.id()),
        "{body}"
    );
    for rule in [
        "reverse-min-delay",
        "reverse-same-day",
        "void-cutoff",
        "void-attempts",
        "refund-window",
        "idempotency",
    ] {
        assert!(rules.contains(&rule), "{rule} is listed: {body}");
    }
}

#[tokio::test]
async fn the_transactions_endpoint_shows_the_ledger_with_states_and_parents() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    let void = app.void(&sale).await.approved("void");
    let txns = app.transactions().await;
    assert_eq!(txns.len(), 2, "{txns:?}");
    assert_eq!(txns[0]["transaction_reference"], sale.reference.as_str());
    assert_eq!(txns[0]["client_transaction_id"], sale.client_id.as_str());
    assert_eq!(txns[0]["kind"], "charge");
    assert_eq!(txns[0]["state"], "voided");
    assert_eq!(txns[0]["created"], LIMA_MORNING);
    assert_eq!(txns[1]["transaction_reference"], void.reference().as_str());
    assert_eq!(txns[1]["kind"], "void");
    assert_eq!(
        txns[1]["parent"],
        sale.reference.as_str(),
        "the void names its original"
    );
}
