//! Steps of Kushki ONE Connect (ref §1): a POS driving a terminal over LAN, localhost or cloud.

use std::time::Duration;

use cucumber::step::{Collection, Context};
use kushki_protocol::auth;
use kushki_protocol::money::{Amount, AmountBreakdown};
use kushki_protocol::schemas::SchemaKind;
use serde_json::{Value, json};

use super::common::require;
use super::step;
use crate::env::{Answer, Mock};
use crate::params::{amount, arg, card, reading};
use crate::target::Capability;
use crate::world::{KushkiWorld, Named};

/// Registers the steps of this module.
pub fn register(c: Collection<KushkiWorld>) -> Collection<KushkiWorld> {
    let c = step!(c, given, "a POS-approved charge of {amount}", given_charge);
    let c = step!(
        c,
        given,
        "a POS-approved pre-authorization of {amount}",
        given_preauth
    );
    let c = step!(
        c,
        given,
        "the customer will present the {card} card by {reading}(?: and enter the (right|wrong) PIN)?",
        present
    );
    let c = step!(
        c,
        given,
        r"the customer will present a card after (\d+) seconds",
        present_later
    );
    let c = step!(c, given, "the customer will cancel", customer_cancels);
    let c = step!(
        c,
        given,
        "the customer will remove the card",
        customer_removes
    );
    let c = step!(c, given, "no card will be presented", no_card);
    let c = step!(
        c,
        given,
        "the acquirer will not answer the terminal",
        acquirer_silent
    );
    let c = step!(c, given, "an events receiver", events_receiver);
    let c = step!(c, when, "the POS charges {amount}", pos_charge);
    let c = step!(
        c,
        when,
        "the POS charges {amount} with a tip of {amount}",
        pos_charge_tip
    );
    let c = step!(
        c,
        when,
        "the POS charges {amount} with cashback of {amount}",
        pos_charge_cashback
    );
    let c = step!(
        c,
        when,
        r"the POS charges {amount} in (\d+) installments",
        pos_charge_installments
    );
    let c = step!(c, when, "the POS pre-authorizes {amount}", pos_preauth);
    let c = step!(
        c,
        when,
        "the POS captures the pre-authorization(?: for {amount})?",
        pos_capture
    );
    let c = step!(
        c,
        when,
        "the POS re-authorizes the pre-authorization for {amount}",
        pos_reauth
    );
    let c = step!(
        c,
        when,
        "the POS adds a post tip of {amount} to the charge",
        pos_tip
    );
    let c = step!(c, when, "the POS voids the charge", pos_void);
    let c = step!(c, when, "the POS refunds the charge", pos_refund);
    let c = step!(
        c,
        when,
        "the POS refunds {amount} of the charge",
        pos_partial_refund
    );
    let c = step!(
        c,
        when,
        "the POS starts charging {amount}",
        pos_start_charge
    );
    let c = step!(c, when, "the POS aborts", pos_abort);
    let c = step!(
        c,
        when,
        "the POS charges {amount} asynchronously",
        pos_async_charge
    );
    let c = step!(
        c,
        when,
        "the POS searches the terminal's local history",
        search_local
    );
    let c = step!(
        c,
        when,
        "the POS searches the acquirer's history",
        search_online
    );
    let c = step!(
        c,
        when,
        "the POS sends the charge plaintext:",
        send_plaintext
    );
    let c = step!(
        c,
        when,
        "the POS signs a charge with the wrong Business-Code",
        wrong_business_code
    );
    let c = step!(
        c,
        when,
        r"the POS sends a charge signed (\d+) seconds (in the past|in the future)",
        skewed
    );
    let c = step!(
        c,
        when,
        "the POS sends a charge whose ciphertext was altered",
        tampered
    );
    let c = step!(
        c,
        when,
        "the POS sends a charge without its Authorization header",
        no_headers
    );
    let c = step!(c, then, "the POS gets an approval", pos_approved);
    let c = step!(
        c,
        then,
        r#"the POS gets a decline with code "(\d\d)""#,
        pos_declined
    );
    let c = step!(
        c,
        then,
        r#"the POS gets error "([A-Z0-9_-]+|-1)" with HTTP (\d+)"#,
        pos_error
    );
    let c = step!(c, then, r#"the error's param is "([^"]+)""#, error_param);
    let c = step!(c, then, "the started charge is approved", started_approved);
    let c = step!(
        c,
        then,
        r#"the started charge ends with error "([A-Z0-9_-]+)" with HTTP (\d+)"#,
        started_error
    );
    let c = step!(
        c,
        then,
        r"the POS is acknowledged with TERMINAL_ACKNOWLEDGED",
        acknowledged
    );
    let c = step!(
        c,
        then,
        r"the events receiver gets (.+) in order",
        events_in_order
    );
    let c = step!(
        c,
        then,
        r"the history lists (\d+) operations?",
        history_count
    );
    let c = step!(c, then, "the answer came encrypted", encrypted);
    step!(
        c,
        then,
        "the acquirer received a reverse of the started charge",
        acquirer_reversed
    )
}

fn connect_amount(a: Amount) -> Value {
    AmountBreakdown::untaxed(a).to_connect_json()
}

/// A Connect operation; names its transaction when the answer carries one.
async fn op(w: &mut KushkiWorld, name: &str, operation: &str, payload: Value) {
    let ctid = payload["client_transaction_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let answer = w.env().await.connect(operation, &payload, false).await;
    check_answer(&answer);
    if answer.status == 200 && answer.body["approved"] == true {
        let reference = answer.text("/rawResponse/transaction_reference");
        let total = payload
            .get("amount")
            .and_then(Value::as_object)
            .and_then(|a| {
                AmountBreakdown::parse(
                    a,
                    w.market.currency(),
                    kushki_protocol::money::Units::Minor,
                    "amount",
                )
                .ok()
            })
            .map(|b| b.total())
            .unwrap_or(Amount::zero(w.market.currency()));
        w.named.insert(
            name.into(),
            Named {
                reference,
                client_transaction_id: ctid,
                amount: total,
                request: payload,
            },
        );
    }
    w.last = Some(answer);
}

/// Every Connect answer's raw JSON is checked against its schema before a step reads it.
pub fn check_answer(a: &Answer) {
    if a.status == 0 {
        return;
    }
    if a.body.get("approved").is_some() {
        a.assert_schema(SchemaKind::ConnectOperationResponse);
    } else if a.body.get("status").is_some() && a.body.get("event_id").is_some() {
        a.assert_schema(SchemaKind::ConnectEvent);
    } else if a.body.get("aborted").is_some() {
        a.assert_schema(SchemaKind::ConnectAbortResponse);
    } else if a.body.get("items").is_some() {
        a.assert_schema(SchemaKind::ConnectSearchResponse);
    } else {
        a.assert_schema(SchemaKind::ConnectLinkFailure);
    }
}

async fn payment(w: &mut KushkiWorld, operation: &str, name: &str, total: Amount, extra: Value) {
    let ctid = w.new_client_id();
    let mut payload = json!({"client_transaction_id": ctid, "amount": connect_amount(total)});
    if let (Some(p), Some(e)) = (payload.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            p.insert(k.clone(), v.clone());
        }
    }
    op(w, name, operation, payload).await;
}

async fn given_charge(w: &mut KushkiWorld, ctx: Context) {
    payment(w, "charge", "charge", amount(&arg(&ctx, 1)), json!({})).await;
    assert_pos_approved(w);
}

async fn given_preauth(w: &mut KushkiWorld, ctx: Context) {
    payment(
        w,
        "authorization",
        "pre-authorization",
        amount(&arg(&ctx, 1)),
        json!({}),
    )
    .await;
    assert_pos_approved(w);
}

async fn present(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::ScriptedCard).await;
    let card_id = card(&arg(&ctx, 1));
    let rt = reading(&arg(&ctx, 2));
    let pin = match arg(&ctx, 3).as_str() {
        "right" => "ok",
        "wrong" => "wrong",
        _ => "none",
    };
    w.env()
        .await
        .card(
            json!({"action": "present", "card": card_id, "reading_type": rt.as_str(), "pin": pin}),
        )
        .await;
}

async fn present_later(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::ScriptedCard).await;
    let secs: u32 = arg(&ctx, 1).parse().expect("seconds");
    w.env()
        .await
        .card(json!({"action": "present", "after_seconds": secs}))
        .await;
}

async fn customer_cancels(w: &mut KushkiWorld, _ctx: Context) {
    require(w, Capability::ScriptedCard).await;
    w.env().await.card(json!({"action": "cancel"})).await;
}

async fn customer_removes(w: &mut KushkiWorld, _ctx: Context) {
    require(w, Capability::ScriptedCard).await;
    w.env().await.card(json!({"action": "remove"})).await;
}

async fn no_card(w: &mut KushkiWorld, _ctx: Context) {
    require(w, Capability::ScriptedCard).await;
    w.env().await.card(json!({"action": "no_card"})).await;
}

async fn acquirer_silent(w: &mut KushkiWorld, _ctx: Context) {
    require(w, Capability::Faults).await;
    let b = json!({"hop": "acquirer", "match": {"operation": "charge"}, "respond": {"fault": "timeout"}, "times": 1});
    w.env().await.behaviour(Mock::Terminal, b).await;
}

async fn events_receiver(w: &mut KushkiWorld, _ctx: Context) {
    use wiremock::matchers::method;
    use wiremock::{Mock as WMock, MockServer, ResponseTemplate};
    let server = MockServer::start().await;
    WMock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    w.receiver = Some(server);
}

async fn pos_charge(w: &mut KushkiWorld, ctx: Context) {
    payment(w, "charge", "charge", amount(&arg(&ctx, 1)), json!({})).await;
}

async fn pos_charge_tip(w: &mut KushkiWorld, ctx: Context) {
    let mut b = AmountBreakdown::untaxed(amount(&arg(&ctx, 1)));
    b.tip = Some(amount(&arg(&ctx, 2)));
    let total = b.total();
    payment(
        w,
        "charge",
        "charge",
        total,
        json!({"amount": b.to_connect_json()}),
    )
    .await;
}

async fn pos_charge_cashback(w: &mut KushkiWorld, ctx: Context) {
    let cashback = amount(&arg(&ctx, 2));
    payment(
        w,
        "charge",
        "charge",
        amount(&arg(&ctx, 1)),
        json!({"cashback_amount": cashback.minor_units()}),
    )
    .await;
}

async fn pos_charge_installments(w: &mut KushkiWorld, ctx: Context) {
    let months: u32 = arg(&ctx, 2).parse().expect("months");
    payment(
        w,
        "charge",
        "charge",
        amount(&arg(&ctx, 1)),
        json!({"deferred": {"months": months}}),
    )
    .await;
}

async fn pos_preauth(w: &mut KushkiWorld, ctx: Context) {
    payment(
        w,
        "authorization",
        "pre-authorization",
        amount(&arg(&ctx, 1)),
        json!({}),
    )
    .await;
}

async fn referenced(w: &mut KushkiWorld, operation: &str, of: &str, save_as: &str, extra: Value) {
    let reference = w.named(of).reference.clone();
    let ctid = w.new_client_id();
    let mut payload = json!({"client_transaction_id": ctid, "transaction_reference": reference});
    if let (Some(p), Some(e)) = (payload.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            p.insert(k.clone(), v.clone());
        }
    }
    op(w, save_as, operation, payload).await;
}

async fn pos_capture(w: &mut KushkiWorld, ctx: Context) {
    let extra = match arg(&ctx, 1) {
        a if a.is_empty() => json!({}),
        a => json!({"amount": connect_amount(amount(&a))}),
    };
    referenced(w, "capture", "pre-authorization", "capture", extra).await;
}

async fn pos_reauth(w: &mut KushkiWorld, ctx: Context) {
    let a = amount(&arg(&ctx, 1));
    referenced(
        w,
        "re_authorization",
        "pre-authorization",
        "re-authorization",
        json!({"amount": connect_amount(a)}),
    )
    .await;
}

async fn pos_tip(w: &mut KushkiWorld, ctx: Context) {
    let tip = amount(&arg(&ctx, 1));
    referenced(
        w,
        "pos_tip",
        "charge",
        "tip",
        json!({"tip": tip.minor_units()}),
    )
    .await;
}

async fn pos_void(w: &mut KushkiWorld, _ctx: Context) {
    referenced(w, "void", "charge", "void", json!({})).await;
}

async fn pos_refund(w: &mut KushkiWorld, _ctx: Context) {
    referenced(w, "refund", "charge", "refund", json!({})).await;
}

async fn pos_partial_refund(w: &mut KushkiWorld, ctx: Context) {
    let a = amount(&arg(&ctx, 1));
    referenced(
        w,
        "refund",
        "charge",
        "refund",
        json!({"amount": connect_amount(a)}),
    )
    .await;
}

async fn pos_start_charge(w: &mut KushkiWorld, ctx: Context) {
    let total = amount(&arg(&ctx, 1));
    let ctid = w.new_client_id();
    let payload = json!({"client_transaction_id": ctid, "amount": connect_amount(total)});
    // The operation runs on its own environment handle: a second env reaching the same mocks.
    let env = w.env().await;
    let mut runner = env.second_handle();
    let handle = tokio::spawn(async move {
        let answer = runner.connect("charge", &payload, false).await;
        (answer, runner.evidence)
    });
    w.pending = Some(handle);
    w.named.insert(
        "started charge".into(),
        Named {
            reference: String::new(),
            client_transaction_id: ctid,
            amount: total,
            request: Value::Null,
        },
    );
    // Let the terminal take the command before the next step.
    wait_until_busy(w).await;
}

async fn wait_until_busy(w: &mut KushkiWorld) {
    if !w.env().await.has(Capability::ScriptedCard) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        return;
    }
    for _ in 0..500 {
        let t = w
            .env()
            .await
            .admin_call(Mock::Terminal, "GET", "/__admin/terminal", None)
            .await;
        if t["state"] != "waiting_for_call" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(4)).await;
    }
    panic!("the terminal never started the charge");
}

async fn pos_abort(w: &mut KushkiWorld, _ctx: Context) {
    let answer = w.env().await.abort().await;
    check_answer(&answer);
    w.last = Some(answer);
}

async fn pos_async_charge(w: &mut KushkiWorld, ctx: Context) {
    let total = amount(&arg(&ctx, 1));
    let url = w
        .receiver
        .as_ref()
        .map(|r| format!("{}/events", r.uri()))
        .expect("an events receiver (Given an events receiver)");
    let ctid = w.new_client_id();
    let payload = json!({"client_transaction_id": ctid, "amount": connect_amount(total), "events_webhook_url": url});
    let answer = w.env().await.connect("charge", &payload, true).await;
    check_answer(&answer);
    w.last = Some(answer);
}

async fn search_local(w: &mut KushkiWorld, _ctx: Context) {
    let answer = w
        .env()
        .await
        .connect("transaction_search_local", &json!({"size": 100}), false)
        .await;
    check_answer(&answer);
    w.last = Some(answer);
}

async fn search_online(w: &mut KushkiWorld, _ctx: Context) {
    let answer = w
        .env()
        .await
        .connect("transaction_search_online", &json!({"size": 100}), false)
        .await;
    check_answer(&answer);
    w.last = Some(answer);
}

async fn send_plaintext(w: &mut KushkiWorld, ctx: Context) {
    let text = ctx
        .step
        .docstring
        .clone()
        .expect("this step takes a JSON docstring");
    let text = text.replace("{uuid}", &w.new_client_id());
    let payload: Value = serde_json::from_str(&text).expect("the docstring is JSON");
    let answer = w.env().await.connect("charge", &payload, false).await;
    check_answer(&answer);
    w.last = Some(answer);
}

async fn sealed_charge(w: &mut KushkiWorld) -> (Value, i64) {
    let ctid = w.new_client_id();
    let total = Amount::from_minor(1200, w.market.currency());
    let ts = w.env().await.now().await.as_second();
    (
        json!({"client_transaction_id": ctid, "amount": connect_amount(total)}),
        ts,
    )
}

fn route(w: &KushkiWorld) -> &'static str {
    if w.config.topology == crate::target::Topology::Cloud {
        "sync/charge"
    } else {
        "charge"
    }
}

async fn wrong_business_code(w: &mut KushkiWorld, _ctx: Context) {
    let (payload, ts) = sealed_charge(w).await;
    let serial = w.env().await.serial().to_string();
    let wrong = auth::Credentials::new("NOT-THE-BUSINESS-CODE", &serial);
    let sealed = auth::seal_request(&wrong, ts, &payload.to_string()).expect("sealed");
    let r = route(w);
    let a = w
        .env()
        .await
        .connect_send(
            r,
            "POST",
            Some(sealed.authorization),
            Some(sealed.timestamp),
            Some(sealed.body),
            ts,
            &payload,
        )
        .await;
    w.last = Some(a);
}

async fn skewed(w: &mut KushkiWorld, ctx: Context) {
    let secs: i64 = arg(&ctx, 1).parse().expect("seconds");
    let sign = if arg(&ctx, 2) == "in the past" { -1 } else { 1 };
    let (payload, now) = sealed_charge(w).await;
    let ts = now + sign * secs;
    let creds = w.env().await.credentials().clone();
    let sealed = auth::seal_request(&creds, ts, &payload.to_string()).expect("sealed");
    let r = route(w);
    let a = w
        .env()
        .await
        .connect_send(
            r,
            "POST",
            Some(sealed.authorization),
            Some(sealed.timestamp),
            Some(sealed.body),
            ts,
            &payload,
        )
        .await;
    w.last = Some(a);
}

async fn tampered(w: &mut KushkiWorld, _ctx: Context) {
    let (payload, ts) = sealed_charge(w).await;
    let creds = w.env().await.credentials().clone();
    let sealed = auth::seal_request(&creds, ts, &payload.to_string()).expect("sealed");
    let mut body: Value = serde_json::from_str(&sealed.body).expect("JSON");
    let data = body["data"].as_str().unwrap_or_default().to_string();
    let last = data.chars().last().unwrap_or('0');
    let flipped = format!(
        "{}{}",
        &data[..data.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    body["data"] = json!(flipped);
    let r = route(w);
    let a = w
        .env()
        .await
        .connect_send(
            r,
            "POST",
            Some(sealed.authorization),
            Some(sealed.timestamp),
            Some(body.to_string()),
            ts,
            &payload,
        )
        .await;
    w.last = Some(a);
}

async fn no_headers(w: &mut KushkiWorld, _ctx: Context) {
    let (payload, ts) = sealed_charge(w).await;
    let creds = w.env().await.credentials().clone();
    let sealed = auth::seal_request(&creds, ts, &payload.to_string()).expect("sealed");
    let r = route(w);
    let a = w
        .env()
        .await
        .connect_send(r, "POST", None, None, Some(sealed.body), ts, &payload)
        .await;
    w.last = Some(a);
}

fn assert_pos_approved(w: &KushkiWorld) {
    let a = w.last();
    assert!(
        a.status == 200 && a.body["approved"] == true,
        "expected an approval (HTTP 200, approved: true) from {}, got HTTP {}: {}",
        a.label,
        a.status,
        a.body
    );
    assert!(
        a.encrypted,
        "Connect answers are encrypted with the request's timestamp (H8)"
    );
}

async fn pos_approved(w: &mut KushkiWorld, _ctx: Context) {
    assert_pos_approved(w);
}

async fn pos_declined(w: &mut KushkiWorld, ctx: Context) {
    let code = arg(&ctx, 1);
    let a = w.last();
    assert!(
        a.status == 200
            && a.body["approved"] == false
            && a.body["rawResponse"]["message_fields"]["F39"] == code.as_str(),
        "expected a decline with code {code}, got HTTP {}: {}",
        a.status,
        a.body
    );
}

fn assert_error(a: &Answer, code: &str, status: u16) {
    assert!(
        a.status == status && a.body["code"] == code,
        "expected error {code} with HTTP {status} from {}, got HTTP {}: {}",
        a.label,
        a.status,
        a.body
    );
    a.assert_schema(SchemaKind::ConnectLinkFailure);
}

async fn pos_error(w: &mut KushkiWorld, ctx: Context) {
    let status: u16 = arg(&ctx, 2).parse().expect("a status");
    assert_error(w.last(), &arg(&ctx, 1), status);
}

async fn error_param(w: &mut KushkiWorld, ctx: Context) {
    let a = w.last();
    assert_eq!(
        a.body["param"],
        arg(&ctx, 1).as_str(),
        "param of {}",
        a.body
    );
}

async fn finish_started(w: &mut KushkiWorld) -> Answer {
    let handle = w
        .pending
        .take()
        .expect("no charge was started (When the POS starts charging …)");
    let (answer, evidence) = tokio::time::timeout(Duration::from_secs(30), handle)
        .await
        .expect("the started charge did not end within 30 s")
        .expect("the started charge's task");
    w.env().await.evidence.extend(evidence);
    check_answer(&answer);
    answer
}

async fn started_approved(w: &mut KushkiWorld, _ctx: Context) {
    let a = finish_started(w).await;
    assert!(
        a.status == 200 && a.body["approved"] == true,
        "expected the started charge approved, got {}: {}",
        a.status,
        a.body
    );
}

async fn started_error(w: &mut KushkiWorld, ctx: Context) {
    let a = finish_started(w).await;
    let status: u16 = arg(&ctx, 2).parse().expect("a status");
    assert_error(&a, &arg(&ctx, 1), status);
}

async fn acknowledged(w: &mut KushkiWorld, _ctx: Context) {
    let a = w.last();
    assert_eq!(
        (
            a.status,
            a.body["status"].as_str(),
            a.body["previous_status"].as_str()
        ),
        (200, Some("TERMINAL_ACKNOWLEDGED"), Some("")),
        "{}",
        a.body
    );
}

async fn events_in_order(w: &mut KushkiWorld, ctx: Context) {
    let expected: Vec<String> = arg(&ctx, 1)
        .split(',')
        .map(|s| s.trim().trim_start_matches("and ").trim().to_string())
        .collect();
    let receiver = w.receiver.as_ref().expect("an events receiver");
    let mut events = Vec::new();
    for _ in 0..1000 {
        events = receiver.received_requests().await.unwrap_or_default();
        if events.len() >= expected.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let statuses: Vec<String> = events
        .iter()
        .map(|r| {
            let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            if let Err(e) = kushki_protocol::schemas::validate(SchemaKind::ConnectEvent, &v) {
                panic!("an event breaks connect/event.json: {e:?}: {v}");
            }
            v["status"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(statuses, expected, "events received, in order");
}

async fn history_count(w: &mut KushkiWorld, ctx: Context) {
    let n: usize = arg(&ctx, 1).parse().expect("a count");
    let a = w.last();
    let found = a.body["items"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(found, n, "expected {n} operations: {}", a.body);
}

async fn encrypted(w: &mut KushkiWorld, _ctx: Context) {
    assert!(
        w.last().encrypted,
        "the answer was not encrypted: {}",
        w.last().body
    );
}

async fn acquirer_reversed(w: &mut KushkiWorld, _ctx: Context) {
    require(w, Capability::Faults).await;
    let entries = w.env().await.journal(Mock::Acquirer).await;
    let ops: Vec<String> = entries
        .iter()
        .filter(|e| e["hop"] == "acquirer" && e["path"] == "/pos/v1/transaction")
        .filter_map(|e| e["operation"].as_str().map(str::to_string))
        .collect();
    assert!(
        ops.contains(&"reverse".to_string()),
        "the acquirer's journal shows no reverse: {ops:?}"
    );
}
