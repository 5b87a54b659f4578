//! The mock terminal driven like a POS drives a Sunmi terminal, over LAN, localhost and the cloud.

mod support;

use std::time::Duration;

use kushki_protocol::schemas::SchemaKind;
use serde_json::{Value, json};
use support::{Path, World, amount, assert_failure, assert_schema, charge, world};

const PATHS: [Path; 3] = [Path::Lan, Path::Localhost, Path::Cloud];

#[tokio::test]
async fn an_independent_pos_completes_a_charge_over_every_path() {
    let w = world().await;
    for (i, path) in PATHS.into_iter().enumerate() {
        let a = w
            .call(path, "charge", charge(&format!("pos-{i}"), 1250))
            .await;
        assert_eq!(a.status, 200, "{path:?}: {a:?}");
        assert!(
            a.encrypted,
            "{path:?}: answers are encrypted with the request's timestamp"
        );
        assert_schema(SchemaKind::ConnectOperationResponse, &a.body);
        assert_eq!(a.body["approved"], true, "{path:?}");
        assert_eq!(
            a.body["rawResponse"]["authorized_amount"].to_string(),
            "12.50"
        );
    }
    let charges = w
        .acquirer_operations()
        .iter()
        .filter(|o| *o == "charge")
        .count();
    assert_eq!(charges, 3, "one raw charge per Connect charge");
}

#[tokio::test]
async fn the_sync_prefix_serves_the_same_operation_on_the_lan() {
    let w = world().await;
    let a = w
        .pos(Path::Lan)
        .post("sync/charge", &charge("s1", 100), w.now())
        .await;
    assert_eq!(a.body["approved"], true, "{a:?}");
}

#[tokio::test]
async fn a_test_amount_declines_through_the_terminal() {
    let w = world().await;
    // 10.00 PEN in minor units (H1) is the issuer's 01 decline (ref §2.7).
    let a = w.call(Path::Lan, "charge", charge("d1", 1000)).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["approved"], false);
    assert_eq!(a.body["rawResponse"]["message_fields"]["F39"], "01");
}

#[tokio::test]
async fn every_operation_runs_end_to_end_on_the_lan() {
    let w = world().await;
    let auth = w.call(Path::Lan, "authorization", charge("a1", 5500)).await;
    assert_eq!(auth.body["approved"], true, "{auth:?}");
    let reference = auth.body["rawResponse"]["transaction_reference"]
        .as_str()
        .unwrap()
        .to_string();
    let reauth = w
        .call(Path::Lan, "re_authorization", json!({"client_transaction_id": "a2", "transaction_reference": reference, "amount": amount(6000)}))
        .await;
    assert_eq!(reauth.body["approved"], true, "{reauth:?}");
    let capture = w
        .call(
            Path::Lan,
            "capture",
            json!({"client_transaction_id": "a3", "transaction_reference": reference}),
        )
        .await;
    assert_eq!(capture.body["approved"], true, "{capture:?}");

    let sale = w.call(Path::Lan, "charge", charge("c1", 2000)).await;
    let sale_ref = sale.body["rawResponse"]["transaction_reference"]
        .as_str()
        .unwrap()
        .to_string();
    let tip = w
        .call(
            Path::Lan,
            "pos_tip",
            json!({"client_transaction_id": "c2", "transaction_reference": sale_ref, "tip": 300}),
        )
        .await;
    assert_eq!(tip.body["approved"], true, "{tip:?}");
    let void = w
        .call(
            Path::Lan,
            "void",
            json!({"client_transaction_id": "c3", "transaction_reference": sale_ref}),
        )
        .await;
    assert_eq!(void.body["approved"], true, "{void:?}");

    let local = w
        .call(Path::Lan, "transaction_search_local", json!({}))
        .await;
    assert_schema(SchemaKind::ConnectSearchResponse, &local.body);
    assert_eq!(local.body["items"].as_array().unwrap().len(), 6);
    assert_eq!(
        local.body["items"][0]["operation"], "void",
        "most recent first"
    );
    let online = w
        .call(Path::Lan, "transaction_search_online", json!({"size": 50}))
        .await;
    assert_eq!(online.status, 200, "{online:?}");
    assert_schema(SchemaKind::ConnectSearchResponse, &online.body);
    assert!(online.body["items"].as_array().unwrap().len() >= 6);
}

#[tokio::test]
async fn a_void_on_a_later_day_becomes_a_refund_as_the_app_does() {
    let w = world().await;
    let sale = w.call(Path::Lan, "charge", charge("r1", 2000)).await;
    let reference = sale.body["rawResponse"]["transaction_reference"]
        .as_str()
        .unwrap()
        .to_string();
    w.advance(24 * 3600);
    let cancel = w
        .call(
            Path::Lan,
            "void",
            json!({"client_transaction_id": "r2", "transaction_reference": reference}),
        )
        .await;
    assert_eq!(cancel.body["approved"], true, "{cancel:?}");
    assert_eq!(cancel.body["rawResponse"]["transaction_type"], "Refund");
    assert_eq!(
        w.acquirer_operations().last().map(String::as_str),
        Some("refund")
    );
}

#[tokio::test]
async fn a_second_command_while_busy_gets_ter_003_and_abort_cancels_the_first() {
    let w = world().await;
    w.card(json!({"action": "present", "after_seconds": 30}))
        .await;
    let pos = w.pos(Path::Lan);
    let ts = w.now();
    let first = tokio::spawn({
        let pos = pos.clone();
        async move { pos.post("charge", &charge("b1", 100), ts).await }
    });
    w.wait_phase("waiting_for_card").await;
    let second = w.call(Path::Lan, "charge", charge("b2", 100)).await;
    assert_failure(&second, 409, "TER-003");
    let abort = pos.get("abort", w.now()).await;
    assert_eq!(abort.status, 200, "{abort:?}");
    assert_schema(SchemaKind::ConnectAbortResponse, &abort.body);
    assert_eq!(abort.body["client_transaction_id"], "b1");
    let first = first.await.unwrap();
    assert_failure(&first, 409, "TER-007");
    assert!(
        w.acquirer_operations().is_empty(),
        "nothing reached the acquirer"
    );
    // The terminal waits for a call again.
    let again = w.call(Path::Lan, "charge", charge("b3", 100)).await;
    assert_eq!(again.body["approved"], true);
}

#[tokio::test]
async fn abort_when_idle_is_refused() {
    let w = world().await;
    let a = w.pos(Path::Lan).get("abort", w.now()).await;
    assert_failure(&a, 409, "TER-005");
}

#[tokio::test]
async fn abort_after_approval_was_requested_is_refused_and_a_silent_acquirer_is_reversed_after_sixty_seconds()
 {
    let w = world().await;
    w.terminal_behaviour(json!({"hop": "acquirer", "match": {"operation": "charge"}, "respond": {"fault": "timeout"}, "times": 1})).await;
    let pos = w.pos(Path::Lan);
    let ts = w.now();
    let pending = tokio::spawn({
        let pos = pos.clone();
        async move { pos.post("charge", &charge("t1", 100), ts).await }
    });
    w.wait_phase("approval_requested").await;
    let late = pos.get("abort", w.now()).await;
    assert_failure(&late, 409, "TER-006");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        !pending.is_finished(),
        "the terminal must wait 60 s of clock time"
    );
    w.advance(59);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!pending.is_finished(), "59 s is not yet the timeout");
    w.advance(1);
    let answer = tokio::time::timeout(Duration::from_secs(5), pending)
        .await
        .unwrap()
        .unwrap();
    assert_failure(&answer, 504, "TER-004");
    assert!(
        answer.body["message"]
            .as_str()
            .unwrap()
            .contains("reversed"),
        "{answer:?}"
    );
    assert_eq!(
        w.acquirer_operations(),
        ["charge", "reverse"],
        "the acquirer saw the charge, then its reverse"
    );
}

#[tokio::test]
async fn a_customer_cancel_answers_200_with_code_minus_one() {
    let w = world().await;
    w.card(json!({"action": "cancel"})).await;
    let a = w.call(Path::Lan, "charge", charge("x1", 100)).await;
    assert_eq!(a.status, 200);
    assert_eq!(
        (a.body["type"].as_str(), a.body["code"].as_str()),
        (Some("TERMINAL-SUNMI"), Some("-1"))
    );
    assert!(a.body.get("approved").is_none());
}

#[tokio::test]
async fn a_removed_card_and_a_reader_timeout_are_terminal_errors() {
    let w = world().await;
    w.card(json!({"action": "remove"})).await;
    let a = w.call(Path::Lan, "charge", charge("x2", 100)).await;
    assert_failure(&a, 409, "TER-002");
    w.card(json!({"action": "no_card"})).await;
    let pos = w.pos(Path::Lan);
    let ts = w.now();
    let waiting = tokio::spawn(async move { pos.post("charge", &charge("x3", 100), ts).await });
    w.wait_phase("waiting_for_card").await;
    w.advance(60);
    let a = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .unwrap()
        .unwrap();
    assert_failure(&a, 408, "TER-001");
}

#[tokio::test]
async fn a_wrong_pin_is_declined_by_the_card_without_asking_the_acquirer() {
    let w = world().await;
    w.card(json!({"action": "present", "card": "mastercard-debit", "reading_type": "ICC", "pin": "wrong"})).await;
    let a = w.call(Path::Lan, "charge", charge("p1", 100)).await;
    assert_eq!(a.body["approved"], false);
    assert_eq!(a.body["rawResponse"]["kushki_response"]["code"], "55");
    assert!(w.acquirer_operations().is_empty());
}

#[tokio::test]
async fn contactless_and_swipe_reads_reach_the_acquirer_with_their_reading_type() {
    let w = world().await;
    w.card(json!({"action": "present", "card": "mastercard-debit", "reading_type": "NFC"}))
        .await;
    let a = w.call(Path::Lan, "charge", charge("n1", 100)).await;
    assert_eq!(a.body["rawResponse"]["franchise"], "MASTERCARD", "{a:?}");
    w.card(json!({"action": "present", "reading_type": "MCR", "pin": "ok"}))
        .await;
    let b = w.call(Path::Lan, "charge", charge("m1", 100)).await;
    assert_eq!(b.body["approved"], true, "{b:?}");
    let raw: Vec<Value> = w
        .acquirer
        .journal()
        .iter()
        .filter(|e| e.hop == "acquirer")
        .map(|e| e.request.clone())
        .collect();
    assert_eq!(raw[0]["card_details"]["reading_type"], "NFC");
    assert_eq!(raw[1]["card_details"]["reading_type"], "MCR");
}

#[tokio::test]
async fn a_serial_without_a_live_link_gets_the_offline_error() {
    let w = world().await;
    let pos = support::pos::Pos::new(
        format!("{}/terminal/v1/NOSUCHSERIAL", w.acquirer.uri()),
        w.keys(),
    );
    let a = pos.post("sync/charge", &charge("o1", 100), w.now()).await;
    assert_failure(&a, 503, "CLOUDPAYMENT_VALIDATION_ERROR");
}

#[tokio::test]
async fn a_link_that_drops_mid_request_ends_it_with_the_offline_error_in_bounded_time() {
    let w = world().await;
    w.acquirer_behaviour(json!({"hop": "relay", "respond": {"fault": "drop"}, "times": 1}))
        .await;
    let started = std::time::Instant::now();
    let a = w.call(Path::Cloud, "charge", charge("o2", 100)).await;
    assert_failure(&a, 503, "CLOUDPAYMENT_VALIDATION_ERROR");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The terminal links again by itself.
    assert!(w.terminal.wait_for_cloud(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn cloud_abort_is_post_and_lan_abort_is_get() {
    let w = world().await;
    let cloud = w
        .pos(Path::Cloud)
        .post("sync/abort", &json!({}), w.now())
        .await;
    assert_failure(&cloud, 409, "TER-005");
    let async_cloud = w
        .pos(Path::Cloud)
        .post("async/abort", &json!({}), w.now())
        .await;
    assert_failure(&async_cloud, 404, "NF-003");
    let lan_post = w.pos(Path::Lan).post("abort", &json!({}), w.now()).await;
    assert_failure(&lan_post, 404, "NF-003");
}

#[tokio::test]
async fn authentication_failures_answer_auth_errors_and_the_journal_says_which_check_failed() {
    let w = world().await;
    let pos = w.pos(Path::Lan);
    let keys = w.keys();
    let ts = w.now();
    let payload = charge("z1", 100);
    let body = keys.encrypt(ts, &payload.to_string());
    let good_auth = keys.authorization(ts, &payload);

    let mut bad_sig = good_auth.clone();
    bad_sig.replace_range(10..11, if &good_auth[10..11] == "0" { "1" } else { "0" });
    let a = pos
        .raw(
            "charge",
            Some(&bad_sig),
            Some(&ts.to_string()),
            body.clone(),
        )
        .await;
    assert_failure(&a, 401, "AUTH-001");

    let stale = (ts - 301).to_string();
    let a = pos
        .raw(
            "charge",
            Some(&keys.authorization(ts - 301, &payload)),
            Some(&stale),
            keys.encrypt(ts - 301, &payload.to_string()),
        )
        .await;
    assert_failure(&a, 401, "AUTH-002");

    let a = pos.raw("charge", None, None, body.clone()).await;
    assert_failure(&a, 401, "AUTH-003");

    // A tampered ciphertext answers exactly like a bad signature: no padding oracle.
    let mut tampered: Value = serde_json::from_str(&body).unwrap();
    let data = tampered["data"].as_str().unwrap().to_string();
    let flipped = format!(
        "{}{}",
        &data[..data.len() - 1],
        if data.ends_with('0') { "1" } else { "0" }
    );
    tampered["data"] = json!(flipped);
    let b = pos
        .raw(
            "charge",
            Some(&good_auth),
            Some(&ts.to_string()),
            tampered.to_string(),
        )
        .await;
    assert_failure(&b, 401, "AUTH-001");
    let sig_failure = pos
        .raw("charge", Some(&bad_sig), Some(&ts.to_string()), body)
        .await;
    assert_eq!(
        b.body, sig_failure.body,
        "padding and signature failures must look the same"
    );

    let notes: Vec<String> = w
        .terminal
        .journal()
        .iter()
        .filter_map(|e| e.note.clone())
        .collect();
    for check in ["signature", "timestamp", "headers"] {
        assert!(
            notes
                .iter()
                .any(|n| n.contains(&format!("authentication failed: {check}"))),
            "{check} not journaled: {notes:?}"
        );
    }
    let journal = serde_json::to_string(&w.terminal.journal()).unwrap();
    assert!(
        !journal.contains(support::BUSINESS_CODE),
        "the Business-Code leaked into the journal"
    );
}

#[tokio::test]
async fn parameter_errors_name_the_field() {
    let w = world().await;
    let zero = w.call(Path::Lan, "charge", charge("q1", 0)).await;
    assert_failure(&zero, 400, "PAR-003");
    assert_eq!(zero.body["param"], "amount");
    let missing = w
        .call(Path::Lan, "charge", json!({"amount": amount(100)}))
        .await;
    assert_failure(&missing, 400, "PAR-001");
    assert_eq!(missing.body["param"], "client_transaction_id");
    let unknown = w
        .call(
            Path::Lan,
            "charge",
            json!({"client_transaction_id": "q2", "amount": amount(100), "colour": "red"}),
        )
        .await;
    assert_failure(&unknown, 400, "PAR-004");
    assert_eq!(unknown.body["param"], "colour");
    let fraction = w.call(Path::Lan, "charge", json!({"client_transaction_id": "q3", "amount": {"subtotal_iva": 0, "subtotal_iva0": 12.5, "iva": 0}})).await;
    assert_eq!(fraction.status, 400, "{fraction:?}");
    assert_eq!(fraction.body["param"], "amount.subtotal_iva0");
}

#[tokio::test]
async fn async_charges_acknowledge_at_once_and_post_every_state_change_in_order() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/events"))
        .respond_with(ResponseTemplate::new(200))
        .expect(3)
        .mount(&receiver)
        .await;
    let w = world().await;
    for path_kind in [Path::Lan] {
        let pos = w.pos(path_kind);
        let ack = pos
            .post(
                "async/charge",
                &json!({"client_transaction_id": "e1", "amount": amount(700), "events_webhook_url": format!("{}/events", receiver.uri())}),
                w.now(),
            )
            .await;
        assert_eq!(ack.status, 200);
        assert_schema(SchemaKind::ConnectEvent, &ack.body);
        assert_eq!(
            (
                ack.body["status"].as_str(),
                ack.body["previous_status"].as_str()
            ),
            (Some("TERMINAL_ACKNOWLEDGED"), Some(""))
        );
    }
    let mut received = Vec::new();
    for _ in 0..400 {
        received = receiver.received_requests().await.unwrap_or_default();
        if received.len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let events: Vec<Value> = received
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    for e in &events {
        assert_schema(SchemaKind::ConnectEvent, e);
    }
    let statuses: Vec<&str> = events
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["CARD_PRESENTED", "APPROVAL_REQUESTED", "APPROVAL"]
    );
    let previous: Vec<&str> = events
        .iter()
        .map(|e| e["previous_status"].as_str().unwrap())
        .collect();
    assert_eq!(
        previous,
        [
            "TERMINAL_ACKNOWLEDGED",
            "CARD_PRESENTED",
            "APPROVAL_REQUESTED"
        ]
    );
    assert_eq!(events[2]["object"]["approved"], true);
    receiver.verify().await;
}

#[tokio::test]
async fn an_async_route_without_a_webhook_url_is_a_parameter_error() {
    let w = world().await;
    let a = w
        .pos(Path::Lan)
        .post("async/charge", &charge("e2", 100), w.now())
        .await;
    assert_failure(&a, 400, "PAR-006");
}

#[tokio::test]
async fn a_failing_webhook_receiver_gets_bounded_retries_then_a_recorded_failure() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&receiver)
        .await;
    let w = world().await;
    w.card(json!({"action": "cancel"})).await;
    let _ = w
        .pos(Path::Lan)
        .post("async/charge", &json!({"client_transaction_id": "e3", "amount": amount(100), "events_webhook_url": receiver.uri()}), w.now())
        .await;
    let mut failures = 0;
    for _ in 0..400 {
        failures = w
            .terminal
            .journal()
            .iter()
            .filter(|e| {
                e.violations
                    .iter()
                    .any(|v| v.starts_with("webhook-delivery"))
            })
            .count();
        if failures > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        failures, 1,
        "one event (TERMINAL_CANCELED) given up after its attempts"
    );
    assert_eq!(
        receiver.received_requests().await.unwrap().len(),
        3,
        "exactly three attempts"
    );
}

#[tokio::test]
async fn an_acquirer_refusal_passes_through_as_an_acquirer_failure_with_its_status() {
    let w = world().await;
    let a = w
        .call(Path::Lan, "re_authorization", json!({"client_transaction_id": "f1", "transaction_reference": "f2f29080-0214-42c0-95a5-77ecf3434cd7", "amount": support::amount(100)}))
        .await;
    assert_eq!(a.body["type"], "ACQUIRER", "{a:?}");
    assert_eq!(a.body["code"], "E901");
    assert_eq!(
        a.status, 404,
        "the acquirer's HTTP status is preserved (ref §1.7)"
    );
}

#[tokio::test]
async fn the_admin_api_reports_the_terminal_and_refuses_unknown_cards() {
    let w = world().await;
    let t = w.admin_get("/__admin/terminal").await;
    assert_eq!(t["state"], "waiting_for_call");
    assert_eq!(t["cloud"], "online");
    let r = w
        .admin
        .post(format!("{}/__admin/cards", w.terminal.uri()))
        .json(&json!({"action": "present", "card": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["field"], "card");
    let h = w.admin_get("/__admin/health").await;
    assert_eq!(h["status"], "ok");
}

#[allow(dead_code)]
fn _world_is_used(_: &World) {}
