//! Every operation of ref §2.3 (charge, preAuth, reAuthorization, capture, posTip, Void, Reverse,
//! refund), the cardless Beta flows (seed; H13) and the transaction search (ref §2.10, add §6.4).

use serde_json::{Value, json};

use crate::support::bodies::{self, With, num};
use crate::support::{LIMA_MORNING, TestApp, Txn, spawn_app};

/// A JSON number as f64, for comparing amounts in answers (no arithmetic is done on it).
fn major(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {v}"))
}

/// The ledger record of `reference`, from `GET /__admin/transactions`.
async fn ledger_state(app: &TestApp, reference: &str) -> String {
    let txns = app.transactions().await;
    let t = txns
        .iter()
        .find(|t| t["transaction_reference"] == reference)
        .unwrap_or_else(|| panic!("{reference} is not in the ledger: {txns:?}"));
    t["state"].as_str().unwrap_or_default().to_string()
}

/// The reverse window opens 60 s after the original (seed); tests of other rules step past it.
async fn past_reverse_delay(app: &TestApp) {
    app.advance(60).await;
}

#[tokio::test]
async fn a_plain_charge_is_approved_with_its_amount_a_ticket_and_an_authorization_code() {
    let app = spawn_app(LIMA_MORNING).await;
    let a = app
        .charge("100.00", "PEN")
        .await
        .approved("ref §2.3: a charge with a card is approved");
    assert_eq!(a.body["transaction_type"], "charge", "{}", a.body);
    assert_eq!(major(&a.body["authorized_amount"]), 100.0, "{}", a.body);
    let ticket = a.body["ticket_number"].as_str().unwrap_or_default();
    assert!(
        ticket.len() == 18 && ticket.chars().all(|c| c.is_ascii_digit()),
        "add §6.3: ticket_number has 18 digits; got `{ticket}`"
    );
    let f38 = a.body["message_fields"]["F38"].as_str().unwrap_or_default();
    assert_eq!(
        f38.len(),
        6,
        "an approval carries a six-digit F38; {}",
        a.body
    );
    assert_eq!(a.body["kushki_response"]["code"], "000", "{}", a.body);
}

#[tokio::test]
async fn a_deferred_charge_is_approved() {
    let app = spawn_app(LIMA_MORNING).await;
    let body = bodies::charge("300.00", "PEN")
        .with("is_deferred", json!(true))
        .with("deferred", json!({"months": "10"}));
    app.transaction(&body)
        .await
        .approved("ref §2.3: a deferred sale (is_deferred, deferred.months) is approved");
}

#[tokio::test]
async fn a_charge_with_a_tip_authorizes_the_sum_of_the_amount_object() {
    let app = spawn_app(LIMA_MORNING).await;
    let mut body = bodies::charge("50.00", "PEN");
    body["amount"]["tip"] = num("5.00");
    let a = app
        .transaction(&body)
        .await
        .approved("ref §2.3: a sale with amount.tip is approved");
    assert_eq!(
        major(&a.body["authorized_amount"]),
        55.0,
        "ref §2.7: the amount is the sum of all values in the object (50 + 5 tip); {}",
        a.body
    );
}

#[tokio::test]
async fn a_charge_with_cashback_is_approved() {
    let app = spawn_app(LIMA_MORNING).await;
    let body = bodies::charge("100.00", "PEN")
        .with("is_cashback", json!(true))
        .with("cashback_amount", num("20.00"));
    app.transaction(&body)
        .await
        .approved("ref §2.3: a sale with is_cashback and cashback_amount is approved");
}

#[tokio::test]
async fn chip_contactless_and_swiped_charges_are_approved_and_searchable_by_reading_type() {
    let app = spawn_app(LIMA_MORNING).await;
    for (name, card) in [
        ("ICC", bodies::icc()),
        ("NFC", bodies::nfc()),
        ("MCR", bodies::mcr()),
    ] {
        let body = bodies::charge("20.00", "PEN").with("card_details", card);
        let txn = app
            .transaction(&body)
            .await
            .approved(&format!("ref §2.4: a charge read by {name} is approved"))
            .txn();
        let items = app
            .search(
                json!({"page": 1, "size": 10, "filters": {"transaction_reference": txn.reference}}),
            )
            .await;
        assert_eq!(items.len(), 1, "search by reference: {items:?}");
        assert_eq!(
            items[0]["reading_type"], name,
            "the search item keeps how the card was read: {}",
            items[0]
        );
    }
}

#[tokio::test]
async fn a_preauth_is_approved_and_holds_its_amount() {
    let app = spawn_app(LIMA_MORNING).await;
    let a = app
        .transaction(&bodies::preauth("100.00", "PEN"))
        .await
        .approved("ref §2.3: a pre-authorization is approved");
    assert_eq!(a.body["transaction_type"], "preAuth", "{}", a.body);
    assert_eq!(ledger_state(&app, &a.reference()).await, "authorized");
}

#[tokio::test]
async fn a_reauthorization_with_a_new_amount_replaces_the_authorized_amount() {
    let app = spawn_app(LIMA_MORNING).await;
    let pre = app.preauth_ok("100.00", "PEN").await;
    let r = app
        .transaction(&bodies::reauth(&pre, "150.00"))
        .await
        .approved("ref §2.3: a reAuthorization of a preAuth is approved");
    assert_eq!(r.body["transaction_type"], "reAuthorization", "{}", r.body);
    app.transaction(&bodies::capture(&pre, "150.00"))
        .await
        .approved("after a re-authorization to 150, a capture of 150 fits the authorization");
}

#[tokio::test]
async fn a_zero_reauthorization_extends_validity_and_keeps_the_authorized_amount() {
    let app = spawn_app(LIMA_MORNING).await;
    let pre = app.preauth_ok("100.00", "PEN").await;
    app.transaction(&bodies::reauth(&pre, "0"))
        .await
        .approved("ref §2.3: a $0 reAuthorization extends the capture date");
    app.transaction(&bodies::capture(&pre, "100.01"))
        .await
        .refused(
            400,
            "E041",
            "a $0 re-authorization keeps 100 authorized, so 100.01 exceeds it",
        );
    app.transaction(&bodies::capture(&pre, "100.00"))
        .await
        .approved("a $0 re-authorization keeps 100 authorized, so 100 can be captured");
}

#[tokio::test]
async fn a_full_capture_is_approved_and_closes_the_preauth() {
    let app = spawn_app(LIMA_MORNING).await;
    let pre = app.preauth_ok("80.00", "PEN").await;
    let c = app
        .transaction(&bodies::capture(&pre, "80.00"))
        .await
        .approved("ref §2.3: a capture of a preAuth is approved");
    assert_eq!(c.body["transaction_type"], "capture", "{}", c.body);
    assert_eq!(major(&c.body["authorized_amount"]), 80.0, "{}", c.body);
    assert_eq!(ledger_state(&app, &pre.reference).await, "captured");
}

#[tokio::test]
async fn a_partial_capture_is_approved_for_the_smaller_amount() {
    let app = spawn_app(LIMA_MORNING).await;
    let pre = app.preauth_ok("100.00", "PEN").await;
    let c = app
        .transaction(&bodies::capture(&pre, "60.00"))
        .await
        .approved("a capture below the authorized amount is approved");
    assert_eq!(major(&c.body["authorized_amount"]), 60.0, "{}", c.body);
}

#[tokio::test]
async fn a_capture_of_a_reauthorization_reference_is_refused_with_e910() {
    let app = spawn_app(LIMA_MORNING).await;
    let pre = app.preauth_ok("100.00", "PEN").await;
    let reauth = app
        .transaction(&bodies::reauth(&pre, "120.00"))
        .await
        .approved("re-authorization")
        .txn();
    let a = app
        .transaction(&bodies::capture(&reauth, "120.00"))
        .await
        .refused(
            400,
            "E910",
            "ref §2.3: the capture reference \"must be from an authorization, not from a reauthorization\"",
        );
    assert!(a.details().contains("pre-authorization"), "{}", a.body);
    app.transaction(&bodies::capture(&pre, "120.00"))
        .await
        .approved("the capture of the preAuth's own reference is approved");
}

#[tokio::test]
async fn a_second_capture_of_the_same_preauth_is_refused_with_e912() {
    let app = spawn_app(LIMA_MORNING).await;
    let pre = app.preauth_ok("100.00", "PEN").await;
    app.transaction(&bodies::capture(&pre, "100.00"))
        .await
        .approved("first capture");
    app.transaction(&bodies::capture(&pre, "100.00"))
        .await
        .refused(400, "E912", "a pre-authorization is captured once");
}

#[tokio::test]
async fn a_post_tip_on_a_charge_is_approved_but_not_on_a_preauth() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("60.00", "PEN").await;
    let tip = app
        .transaction(&bodies::pos_tip(&sale, "3.50"))
        .await
        .approved("add §6.2: posTip with Authorization adds a tip to a charge");
    assert_eq!(tip.body["transaction_type"], "posTip", "{}", tip.body);
    assert_eq!(major(&tip.body["authorized_amount"]), 3.5, "{}", tip.body);
    let pre = app.preauth_ok("60.00", "PEN").await;
    app.transaction(&bodies::pos_tip(&pre, "3.50"))
        .await
        .refused(400, "E910", "a posTip must reference a charge");
}

#[tokio::test]
async fn a_void_of_a_charge_is_approved_and_a_second_void_is_refused() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    let v = app
        .void(&sale)
        .await
        .approved("seed: a same-day void before the cut-off is approved");
    assert_eq!(
        v.body["transaction_type"], "charge",
        "a void answers with the type of the original; {}",
        v.body
    );
    assert_ne!(
        v.reference(),
        sale.reference,
        "a void has its own reference"
    );
    assert_eq!(ledger_state(&app, &sale.reference).await, "voided");
    app.void(&sale)
        .await
        .refused(400, "E908", "a voided charge cannot be voided again");
}

#[tokio::test]
async fn a_void_of_a_preauth_is_approved_and_it_can_no_longer_be_captured() {
    let app = spawn_app(LIMA_MORNING).await;
    let pre = app.preauth_ok("100.00", "PEN").await;
    app.void(&pre)
        .await
        .approved("seed: a preAuth can be voided (transaction_type preAuth)");
    app.transaction(&bodies::capture(&pre, "100.00"))
        .await
        .refused(400, "E908", "a voided preAuth cannot be captured");
}

#[tokio::test]
async fn a_void_of_a_capture_is_approved() {
    let app = spawn_app(LIMA_MORNING).await;
    let pre = app.preauth_ok("100.00", "PEN").await;
    let cap = app
        .transaction(&bodies::capture(&pre, "100.00"))
        .await
        .approved("capture")
        .txn();
    let v = app
        .void(&cap)
        .await
        .approved("seed: a capture can be voided (transaction_type capture)");
    assert_eq!(v.body["transaction_type"], "capture", "{}", v.body);
    assert_eq!(ledger_state(&app, &cap.reference).await, "voided");
}

#[tokio::test]
async fn a_void_of_a_reauthorization_voids_the_authorization_it_extended() {
    let app = spawn_app(LIMA_MORNING).await;
    let pre = app.preauth_ok("100.00", "PEN").await;
    let reauth = app
        .transaction(&bodies::reauth(&pre, "130.00"))
        .await
        .approved("re-authorization")
        .txn();
    let v = app
        .void(&reauth)
        .await
        .approved("seed: a reAuthorization can be voided (transaction_type reAuthorization)");
    assert_eq!(v.body["transaction_type"], "reAuthorization", "{}", v.body);
    assert_eq!(
        ledger_state(&app, &pre.reference).await,
        "voided",
        "voiding the re-authorization voids the pre-authorization it extended (harness-defined)"
    );
}

#[tokio::test]
async fn a_reverse_of_a_charge_is_approved_after_a_minute() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    past_reverse_delay(&app).await;
    let r = app
        .reverse(&sale)
        .await
        .approved("seed: a reverse by the original's client_transaction_id is approved");
    assert_eq!(r.body["transaction_type"], "charge", "{}", r.body);
    assert_eq!(ledger_state(&app, &sale.reference).await, "reversed");
}

#[tokio::test]
async fn a_reverse_of_a_capture_is_approved() {
    let app = spawn_app(LIMA_MORNING).await;
    let pre = app.preauth_ok("100.00", "PEN").await;
    let cap = app
        .transaction(&bodies::capture(&pre, "100.00"))
        .await
        .approved("capture")
        .txn();
    past_reverse_delay(&app).await;
    let r = app
        .reverse(&cap)
        .await
        .approved("seed: a capture can be reversed (transaction_type capture)");
    assert_eq!(r.body["transaction_type"], "capture", "{}", r.body);
    assert_eq!(ledger_state(&app, &cap.reference).await, "reversed");
}

#[tokio::test]
async fn a_total_refund_the_next_day_is_approved_and_closes_the_charge() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    app.advance(86_400).await;
    let r = app
        .refund(&sale, None)
        .await
        .approved("seed: a refund on a later day is approved");
    assert_eq!(
        r.body["transaction_type"], "Refund",
        "add §6.3 writes the refund's type as `Refund`; {}",
        r.body
    );
    assert_eq!(major(&r.body["authorized_amount"]), 100.0, "{}", r.body);
    assert_eq!(ledger_state(&app, &sale.reference).await, "refunded");
    app.refund(&sale, Some("1.00")).await.refused(
        400,
        "E909",
        "a charge refunded in full cannot be refunded again",
    );
}

#[tokio::test]
async fn partial_refunds_are_approved_up_to_the_original_amount() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    app.advance(86_400).await;
    let first = app
        .refund(&sale, Some("40.00"))
        .await
        .approved("ref §2.3: a refund with an amount is partial");
    assert_eq!(
        major(&first.body["authorized_amount"]),
        40.0,
        "{}",
        first.body
    );
    app.refund(&sale, Some("60.00"))
        .await
        .approved("a second partial refund up to the original's amount");
    assert_eq!(ledger_state(&app, &sale.reference).await, "refunded");
}

#[tokio::test]
async fn partial_refunds_summing_past_the_original_are_refused_with_e907() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "PEN").await;
    app.advance(86_400).await;
    app.refund(&sale, Some("60.00"))
        .await
        .approved("first partial refund");
    let a = app.refund(&sale, Some("40.01")).await.refused(
        400,
        "E907",
        "refunds total at most the original (60 + 40.01 > 100)",
    );
    assert!(
        a.details().contains("40.01"),
        "the refusal says what was asked: {}",
        a.body
    );
    app.refund(&sale, Some("40.00"))
        .await
        .approved("60 + 40 is exactly the original");
}

#[tokio::test]
async fn cardless_void_reverse_and_refund_are_accepted_in_peru() {
    let app = spawn_app(LIMA_MORNING).await;
    let voided = app.charge_ok("600.00", "PEN").await;
    let void = bodies::cardless(bodies::void(&voided).with("amount", voided.amount.clone()))
        .with("is_smart_void", json!(true));
    app.transaction(&void)
        .await
        .approved("seed: a cardless void (omit_card) is accepted in Peru (Beta)");

    let reversed = app.charge_ok("60.00", "PEN").await;
    past_reverse_delay(&app).await;
    app.transaction(&bodies::cardless(bodies::reverse(&reversed)))
        .await
        .approved("seed: a cardless reverse is accepted in Peru (Beta)");

    let refunded = app.charge_ok("6.00", "PEN").await;
    app.advance(86_400).await;
    let refund = bodies::cardless(bodies::refund(&refunded, Some("6.00")));
    app.refund_with(&refund)
        .await
        .approved("seed: a cardless refund is accepted in Peru (Beta)");
}

#[tokio::test]
async fn cardless_void_reverse_and_refund_are_refused_with_e911_in_mexico() {
    let app = spawn_app(LIMA_MORNING).await;
    let sale = app.charge_ok("100.00", "MXN").await;
    let void = bodies::cardless(bodies::void(&sale).with("amount", sale.amount.clone()));
    app.transaction(&void).await.refused(
        400,
        "E911",
        "H13: omit_card is Beta in Peru and Chile only, not Mexico",
    );
    past_reverse_delay(&app).await;
    app.transaction(&bodies::cardless(bodies::reverse(&sale)))
        .await
        .refused(400, "E911", "H13: no cardless reverse in Mexico");
    app.advance(86_400).await;
    app.refund_with(&bodies::cardless(bodies::refund(&sale, Some("100.00"))))
        .await
        .refused(400, "E911", "H13: no cardless refund in Mexico");
    app.refund(&sale, None)
        .await
        .approved("the same refund with the card is accepted in Mexico");
}

#[tokio::test]
async fn a_cardless_charge_is_refused_with_e041() {
    let app = spawn_app(LIMA_MORNING).await;
    let body = bodies::cardless(bodies::charge("100.00", "PEN"));
    let a = app.transaction(&body).await.refused(
        400,
        "E041",
        "H13: a cardless charge has no card to charge",
    );
    assert!(a.details().contains("cardless"), "{}", a.body);
    let body = bodies::cardless(bodies::preauth("100.00", "PEN"));
    app.transaction(&body)
        .await
        .refused(400, "E041", "H13: a cardless preAuth has no card either");
}

/// Three charges one minute apart, for the search tests: (oldest, middle, newest).
async fn three_charges(app: &TestApp) -> (Txn, Txn, Txn) {
    let first = app.charge_ok("10.50", "PEN").await;
    app.advance(60).await;
    let body =
        bodies::charge("20.00", "PEN").with("card_details", bodies::clear_icc("5555555555554444"));
    let second = app.transaction(&body).await.approved("charge").txn();
    app.advance(60).await;
    let third = app.preauth_ok("30.00", "PEN").await;
    (first, second, third)
}

#[tokio::test]
async fn the_search_answers_most_recent_first_and_filters_by_id_reference_type_date_and_card() {
    let app = spawn_app(LIMA_MORNING).await;
    let (first, second, third) = three_charges(&app).await;

    let all = app.search(json!({"page": 1, "size": 10})).await;
    let refs: Vec<&str> = all
        .iter()
        .map(|i| i["transaction_reference"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        refs,
        [&third.reference, &second.reference, &first.reference],
        "ref §2.10: results are most recent first"
    );

    let by_id = app
        .search(
            json!({"page": 1, "size": 10, "filters": {"client_transaction_id": second.client_id}}),
        )
        .await;
    assert_eq!(by_id.len(), 1, "filter by client_transaction_id: {by_id:?}");
    assert_eq!(by_id[0]["transaction_reference"], second.reference.as_str());

    let by_ref = app
        .search(
            json!({"page": 1, "size": 10, "filters": {"transaction_reference": first.reference}}),
        )
        .await;
    assert_eq!(
        by_ref.len(),
        1,
        "filter by transaction_reference: {by_ref:?}"
    );

    let preauths = app
        .search(json!({"page": 1, "size": 10, "filters": {"transaction_type": "preAuth"}}))
        .await;
    assert_eq!(
        preauths.len(),
        1,
        "filter by transaction_type: {preauths:?}"
    );
    assert_eq!(
        preauths[0]["transaction_reference"],
        third.reference.as_str()
    );

    let start: jiff::Timestamp = crate::support::LIMA_MORNING.parse().unwrap();
    let from_second = start.as_millisecond() + 60_000;
    let window = app
        .search(json!({"page": 1, "size": 10, "filters": {"start_date": from_second, "end_date": from_second}}))
        .await;
    assert_eq!(
        window.len(),
        1,
        "start_date/end_date are inclusive epoch ms: {window:?}"
    );
    assert_eq!(
        window[0]["transaction_reference"],
        second.reference.as_str()
    );

    let by_card = app
        .search(json!({"page": 1, "size": 10, "filters": {"last_four_digits": "4444", "bin": "555555"}}))
        .await;
    assert_eq!(by_card.len(), 1, "filter by last four and BIN: {by_card:?}");
    assert_eq!(
        by_card[0]["card_mask"], "555555XXXXXX4444",
        "the card is shown masked: {}",
        by_card[0]
    );
}

#[tokio::test]
async fn the_search_pages_with_page_and_with_from_alike() {
    let app = spawn_app(LIMA_MORNING).await;
    let (first, second, third) = three_charges(&app).await;
    let refs = |items: Vec<Value>| -> Vec<String> {
        items
            .iter()
            .map(|i| {
                i["transaction_reference"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    };
    let page1 = refs(app.search(json!({"page": 1, "size": 2})).await);
    let page2 = refs(app.search(json!({"page": 2, "size": 2})).await);
    assert_eq!(
        page1,
        [third.reference.clone(), second.reference.clone()],
        "page 1 of size 2"
    );
    assert_eq!(
        page2,
        std::slice::from_ref(&first.reference),
        "page 2 of size 2 holds the rest"
    );
    let from1 = refs(app.search(json!({"from": 1, "size": 2})).await);
    assert_eq!(
        from1,
        [second.reference, first.reference],
        "ref §2.10: the older form skips `from` results"
    );
    let from2 = refs(app.search(json!({"from": 2, "size": 2})).await);
    assert_eq!(from2, page2, "from 2 = page 2 with size 2");
    assert!(
        app.search(json!({"page": 3, "size": 2})).await.is_empty(),
        "past the end: no items"
    );
}
