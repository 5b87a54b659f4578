//! Steps of Kushki ONE Connect (ref §1): a POS driving a terminal over LAN, localhost or cloud.

use std::time::Duration;

use cucumber::step::{Collection, Context};
use kushki_protocol::auth;
use kushki_protocol::money::{Amount, AmountBreakdown, Units, parse_major_text};
use kushki_protocol::schemas::SchemaKind;
use serde_json::{Value, json};

use super::common::{require, script_or_ask};
use super::step;
use crate::env::{Answer, Mock};
use crate::params::{amount, arg, card, reading};
use crate::target::{Capability, Topology};
use crate::world::{KushkiWorld, Named};

/// Registers the steps of this module.
pub fn register(c: Collection<KushkiWorld>) -> Collection<KushkiWorld> {
    let c = register_given(c);
    let c = register_when(c);
    register_then(c)
}

fn register_given(c: Collection<KushkiWorld>) -> Collection<KushkiWorld> {
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
    let c = step!(
        c,
        given,
        r"the acquirer answers the terminal with HTTP (\d+)",
        acquirer_status
    );
    let c = step!(
        c,
        given,
        "the terminal's cloud link will drop during the next request",
        link_will_drop
    );
    step!(c, given, "an events receiver", events_receiver)
}

fn register_when(c: Collection<KushkiWorld>) -> Collection<KushkiWorld> {
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
    let c = step!(
        c,
        when,
        "the POS charges {amount} asking for issuer installments",
        pos_charge_query_deferred
    );
    let c = step!(
        c,
        when,
        r#"the POS charges {amount} on the route "([a-z_/]+)""#,
        pos_charge_on_route
    );
    let c = step!(
        c,
        when,
        "the POS charges {amount} through the cloud for a serial with no live link",
        pos_charge_offline_serial
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
    let c = step!(
        c,
        when,
        "the POS voids the (charge|pre-authorization)",
        pos_void
    );
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
        "the POS (captures|re-authorizes|voids|refunds|adds a post tip to) a transaction the acquirer does not know",
        pos_unknown_reference
    );
    let c = step!(
        c,
        when,
        "the POS starts charging {amount}",
        pos_start_charge
    );
    let c = step!(
        c,
        when,
        "the terminal has asked the acquirer for approval",
        approval_requested
    );
    let c = step!(c, when, "the POS aborts", pos_abort);
    let c = step!(
        c,
        when,
        "the POS aborts with (GET|POST)( on the async route)?",
        pos_abort_with
    );
    let c = step!(
        c,
        when,
        "the POS charges {amount} asynchronously",
        pos_async_charge
    );
    let c = step!(
        c,
        when,
        "the POS charges {amount} asynchronously without an events_webhook_url",
        pos_async_charge_without_url
    );
    let c = step!(
        c,
        when,
        r"the POS searches the (terminal's local|acquirer's) history(?: for the (charge|void|refund|pre-authorization|capture|re-authorization|tip))?",
        search
    );
    let c = step!(
        c,
        when,
        r"the POS searches the terminal's local history, page (\d+) of (\d+)",
        search_page
    );
    let c = step!(
        c,
        when,
        "the POS sends the ([a-z_]+) plaintext:",
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
        "the POS sends a charge without its (Authorization|timestamp|Authorization and timestamp) headers?",
        no_headers
    );
    let c = step!(
        c,
        when,
        "the POS sends a charge whose Authorization lacks the Basic prefix",
        no_basic_prefix
    );
    let c = step!(
        c,
        when,
        r"the POS sends a charge signed for a timestamp (\d+) seconds before its timestamp header",
        other_timestamp
    );
    step!(c, when, "the POS sends a charge in plain JSON", plain_json)
}

fn register_then(c: Collection<KushkiWorld>) -> Collection<KushkiWorld> {
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
        r#"the POS gets error "([A-Z0-9_-]+)" with HTTP (\d+)"#,
        pos_error
    );
    let c = step!(c, then, r#"the error's param is "([^"]+)""#, error_param);
    let c = step!(c, then, r#"the error's type is "([A-Z_-]+)""#, error_type);
    let c = step!(
        c,
        then,
        r#"the error's message is "([^"]+)""#,
        error_message
    );
    let c = step!(
        c,
        then,
        "the error's object names the request's client_transaction_id and the terminal",
        error_object
    );
    let c = step!(
        c,
        then,
        r#"the answer has no "approved" field"#,
        no_approved_field
    );
    let c = step!(
        c,
        then,
        "the acquirer authorized {amount}",
        acquirer_authorized
    );
    let c = step!(
        c,
        then,
        r#"the acquirer's transaction type is "([A-Za-z]+)""#,
        acquirer_transaction_type
    );
    let c = step!(
        c,
        then,
        "the answer carries an 18-digit ticket number",
        ticket_number
    );
    let c = step!(
        c,
        then,
        "the answer names the ([A-Z]+) franchise",
        franchise
    );
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
        "the started charge is still pending",
        started_pending
    );
    let c = step!(
        c,
        then,
        "the POS gets the abort confirmed for the (started|asynchronous) charge",
        abort_confirmed
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
        "each event names the status before it as previous_status",
        events_chain
    );
    let c = step!(
        c,
        then,
        r#"the final event carries (an approval|a decline|error "([A-Z0-9_-]+)")"#,
        final_event
    );
    let c = step!(
        c,
        then,
        r"the history lists (\d+) operations?",
        history_count
    );
    let c = step!(
        c,
        then,
        r"the first operation listed is the (charge|void|refund|pre-authorization|capture|re-authorization|tip)",
        first_listed
    );
    let c = step!(
        c,
        then,
        "the operation listed was read by {reading} from the {card} card",
        listed_read
    );
    let c = step!(c, then, "the answer came encrypted", encrypted);
    let c = step!(c, then, "the answer came in plain JSON", plain_answer);
    let c = step!(
        c,
        then,
        "the answer is the one a bad signature gets",
        same_as_bad_signature
    );
    let c = step!(
        c,
        then,
        "the acquirer received a reverse of the started charge",
        acquirer_reversed
    );
    let c = step!(
        c,
        then,
        "the acquirer received a (void|refund) of the (charge|pre-authorization)",
        acquirer_received_cancel
    );
    let c = step!(
        c,
        then,
        "the acquirer received no transaction",
        acquirer_received_nothing
    );
    let c = step!(
        c,
        then,
        "the acquirer received the charge with (cashback|a tip) of {amount}",
        acquirer_received_extra
    );
    let c = step!(
        c,
        then,
        r"the acquirer received the charge deferred over (\d+) months",
        acquirer_received_deferred
    );
    let c = step!(c, then, "the terminal links to the cloud again", relinked);
    register_print(c)
}

fn register_print(c: Collection<KushkiWorld>) -> Collection<KushkiWorld> {
    let c = step!(c, given, "the printer is out of paper", paper_out);
    let c = step!(c, given, "the printer is busy", printer_busy);
    let c = step!(
        c,
        when,
        r#"the POS sends a print job for "([^"]+)"( with a webhook| that skips a busy printer)?"#,
        print_job
    );
    let c = step!(
        c,
        when,
        r#"the POS sends a print job for "([^"]+)" on the route "([a-z_/]+)""#,
        print_job_on_route
    );
    let c = step!(
        c,
        when,
        "the POS sends the same print job again",
        print_again
    );
    let c = step!(
        c,
        when,
        r#"the POS polls the print job(?: "([^"]+)")?"#,
        poll_print_job
    );
    let c = step!(
        c,
        then,
        "the POS gets the print job accepted as PENDING",
        print_accepted
    );
    let c = step!(
        c,
        then,
        r#"the print job ends (COMPLETED|FAILED)(?: with error "([A-Z0-9-]+)")?"#,
        print_ends
    );
    step!(
        c,
        then,
        r"the events receiver gets the print job's final state (COMPLETED|FAILED)",
        print_webhook
    )
}

fn connect_amount(a: Amount) -> Value {
    AmountBreakdown::untaxed(a).to_connect_json()
}

/// Merges `extra`'s keys into `payload`.
fn merge(payload: &mut Value, extra: Value) {
    if let (Some(p), Value::Object(e)) = (payload.as_object_mut(), extra) {
        for (k, v) in e {
            p.insert(k, v);
        }
    }
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
                AmountBreakdown::parse(a, w.market.currency(), Units::Minor, "amount").ok()
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
    } else if a.body.get("printJobId").is_some() {
        a.assert_schema(SchemaKind::ConnectPrintJobResponse);
    } else {
        a.assert_schema(SchemaKind::ConnectLinkFailure);
    }
}

async fn payment(w: &mut KushkiWorld, operation: &str, name: &str, total: Amount, extra: Value) {
    let ctid = w.new_client_id();
    let mut payload = json!({"client_transaction_id": ctid, "amount": connect_amount(total)});
    merge(&mut payload, extra);
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
    let card_id = card(&arg(&ctx, 1));
    let rt = reading(&arg(&ctx, 2));
    let pin = match arg(&ctx, 3).as_str() {
        "right" => "ok",
        "wrong" => "wrong",
        _ => "none",
    };
    let ask = format!(
        "when it asks, present the {card_id} card by {} (PIN: {pin})",
        arg(&ctx, 2)
    );
    if !script_or_ask(w, &ask).await {
        return;
    }
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
    if !script_or_ask(w, "when it asks for the card, cancel on the terminal").await {
        return;
    }
    w.env().await.card(json!({"action": "cancel"})).await;
}

async fn customer_removes(w: &mut KushkiWorld, _ctx: Context) {
    if !script_or_ask(
        w,
        "when it reads the card, pull it out before the read ends",
    )
    .await
    {
        return;
    }
    w.env().await.card(json!({"action": "remove"})).await;
}

async fn no_card(w: &mut KushkiWorld, _ctx: Context) {
    if !script_or_ask(w, "present no card and let the reader time out").await {
        return;
    }
    w.env().await.card(json!({"action": "no_card"})).await;
}

async fn acquirer_silent(w: &mut KushkiWorld, _ctx: Context) {
    require(w, Capability::Faults).await;
    let b = json!({"hop": "acquirer", "match": {"operation": "charge"}, "respond": {"fault": "timeout"}, "times": 1});
    w.env().await.behaviour(Mock::Terminal, b).await;
}

async fn acquirer_status(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::Faults).await;
    let status: u16 = arg(&ctx, 1).parse().expect("a status");
    let b = json!({"hop": "acquirer", "respond": {"status": status}});
    w.env().await.behaviour(Mock::Terminal, b).await;
}

async fn link_will_drop(w: &mut KushkiWorld, _ctx: Context) {
    require(w, Capability::Faults).await;
    let b = json!({"hop": "relay", "respond": {"fault": "drop"}, "times": 1});
    w.env().await.behaviour(Mock::Acquirer, b).await;
}

async fn events_receiver(w: &mut KushkiWorld, _ctx: Context) {
    let (server, url) = w.env().await.receiver(200).await;
    w.receiver = Some(server);
    w.receiver_url = url;
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

async fn pos_charge_query_deferred(w: &mut KushkiWorld, ctx: Context) {
    payment(
        w,
        "charge",
        "charge",
        amount(&arg(&ctx, 1)),
        json!({"query_deferred": true}),
    )
    .await;
}

/// Sends `payload`, sealed as ref §1.5 says, to `route` (relative to the target's Connect base).
async fn send_sealed(w: &mut KushkiWorld, route: &str, payload: &Value) -> Answer {
    let ts = w.env().await.now().await.as_second();
    let creds = w.env().await.credentials().clone();
    let sealed = auth::seal_request(&creds, ts, &payload.to_string()).expect("sealed");
    let a = w
        .env()
        .await
        .connect_send(
            route,
            "POST",
            Some(sealed.authorization),
            Some(sealed.timestamp),
            Some(sealed.body),
            ts,
            payload,
        )
        .await;
    check_answer(&a);
    a
}

async fn pos_charge_on_route(w: &mut KushkiWorld, ctx: Context) {
    let ctid = w.new_client_id();
    let payload =
        json!({"client_transaction_id": ctid, "amount": connect_amount(amount(&arg(&ctx, 1)))});
    let a = send_sealed(w, &arg(&ctx, 2), &payload).await;
    w.last = Some(a);
}

/// A serial no terminal holds a link for (the cloud answers before checking the signature).
const OFFLINE_SERIAL: &str = "PB00000000000";

async fn pos_charge_offline_serial(w: &mut KushkiWorld, ctx: Context) {
    assert_eq!(
        w.config.topology,
        Topology::Cloud,
        "this step needs @topology:cloud"
    );
    let ctid = w.new_client_id();
    let payload =
        json!({"client_transaction_id": ctid, "amount": connect_amount(amount(&arg(&ctx, 1)))});
    let ts = w.env().await.now().await.as_second();
    let own = w.env().await.credentials().clone();
    let creds = auth::Credentials::new(own.business_code.expose(), OFFLINE_SERIAL);
    let sealed = auth::seal_request(&creds, ts, &payload.to_string()).expect("sealed");
    // The target's Connect base ends with its own serial; `..` (resolved by the URL parser)
    // steps back to name another one.
    let route = format!("../{OFFLINE_SERIAL}/sync/charge");
    let a = w
        .env()
        .await
        .connect_send(
            &route,
            "POST",
            Some(sealed.authorization),
            Some(sealed.timestamp),
            Some(sealed.body),
            ts,
            &payload,
        )
        .await;
    check_answer(&a);
    w.last = Some(a);
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
    merge(&mut payload, extra);
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

async fn pos_void(w: &mut KushkiWorld, ctx: Context) {
    referenced(w, "void", &arg(&ctx, 1), "void", json!({})).await;
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

async fn pos_unknown_reference(w: &mut KushkiWorld, ctx: Context) {
    let one = Amount::from_minor(100, w.market.currency());
    let (operation, extra) = match arg(&ctx, 1).as_str() {
        "captures" => ("capture", json!({})),
        "re-authorizes" => ("re_authorization", json!({"amount": connect_amount(one)})),
        "voids" => ("void", json!({})),
        "refunds" => ("refund", json!({})),
        _ => ("pos_tip", json!({"tip": one.minor_units()})),
    };
    let ctid = w.new_client_id();
    let unknown = uuid::Uuid::new_v4().to_string();
    let mut payload = json!({"client_transaction_id": ctid, "transaction_reference": unknown});
    merge(&mut payload, extra);
    op(w, "unknown", operation, payload).await;
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
    // Let the terminal take the command (and the reader its scripted action) before the next
    // step moves the clock.
    wait_until_taken(w).await;
}

/// Whether the background charge has ended.
fn started_finished(w: &KushkiWorld) -> bool {
    w.pending.as_ref().is_some_and(|p| p.is_finished())
}

/// The terminal's admin view.
async fn terminal_view(w: &mut KushkiWorld) -> Value {
    w.env()
        .await
        .admin_call(Mock::Terminal, "GET", "/__admin/terminal", None)
        .await
}

/// Waits until the terminal is busy with the command and its reader took the scripted action
/// (from then on the reader's waits are counted on the clock), or the command already ended.
async fn wait_until_taken(w: &mut KushkiWorld) {
    if !w.env().await.has(Capability::ScriptedCard) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        return;
    }
    for _ in 0..1000 {
        if started_finished(w) {
            return;
        }
        let t = terminal_view(w).await;
        let queued = w
            .env()
            .await
            .admin_call(Mock::Terminal, "GET", "/__admin/cards", None)
            .await;
        let queue_empty = queued["cards"].as_array().is_none_or(Vec::is_empty);
        if t["state"] != "waiting_for_call" && queue_empty {
            return;
        }
        tokio::time::sleep(Duration::from_millis(4)).await;
    }
    panic!("the terminal never took the command");
}

async fn approval_requested(w: &mut KushkiWorld, _ctx: Context) {
    require(w, Capability::Faults).await;
    let ctid = w.named("started charge").client_transaction_id.clone();
    for _ in 0..1000 {
        if started_finished(w) {
            let a = finish_started(w).await;
            panic!(
                "the started charge ended before the terminal waited for the acquirer: HTTP {}: {}",
                a.status, a.body
            );
        }
        let t = terminal_view(w).await;
        if t["state"]["phase"] == "approval_requested" {
            // The acquirer has the request (so the clock moves after it recorded the charge).
            let seen = w
                .env()
                .await
                .journal(Mock::Acquirer)
                .await
                .iter()
                .any(|e| e["hop"] == "acquirer" && e["client_transaction_id"] == ctid.as_str());
            if seen {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(4)).await;
    }
    panic!("the terminal never asked the acquirer for approval");
}

async fn pos_abort(w: &mut KushkiWorld, _ctx: Context) {
    let answer = w.env().await.abort().await;
    check_answer(&answer);
    w.last = Some(answer);
}

async fn pos_abort_with(w: &mut KushkiWorld, ctx: Context) {
    let method = arg(&ctx, 1);
    let asynchronous = !arg(&ctx, 2).is_empty();
    let route = match (asynchronous, w.config.topology) {
        (true, _) => "async/abort",
        (false, Topology::Cloud) => "sync/abort",
        _ => "abort",
    };
    let ts = w.env().await.now().await.as_second();
    let creds = w.env().await.credentials().clone();
    let sealed = auth::seal_request(&creds, ts, "{}").expect("sealed");
    let body = (method == "POST").then_some(sealed.body);
    let a = w
        .env()
        .await
        .connect_send(
            route,
            &method,
            Some(sealed.authorization),
            Some(sealed.timestamp),
            body,
            ts,
            &json!({}),
        )
        .await;
    check_answer(&a);
    w.last = Some(a);
}

async fn async_charge(w: &mut KushkiWorld, total: Amount, with_url: bool) {
    let ctid = w.new_client_id();
    let mut payload = json!({"client_transaction_id": ctid, "amount": connect_amount(total)});
    if with_url {
        assert!(
            w.receiver.is_some(),
            "an events receiver (Given an events receiver)"
        );
        let url = format!("{}/events", w.receiver_url);
        payload["events_webhook_url"] = json!(url);
    }
    let answer = w.env().await.connect("charge", &payload, true).await;
    check_answer(&answer);
    w.named.insert(
        "asynchronous charge".into(),
        Named {
            reference: String::new(),
            client_transaction_id: ctid,
            amount: total,
            request: payload,
        },
    );
    let acknowledged = answer.status == 200;
    w.last = Some(answer);
    if acknowledged && w.env().await.has(Capability::ScriptedCard) {
        // The reader takes its scripted action before a later step moves the clock.
        for _ in 0..1000 {
            let queued = w
                .env()
                .await
                .admin_call(Mock::Terminal, "GET", "/__admin/cards", None)
                .await;
            if queued["cards"].as_array().is_none_or(Vec::is_empty) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(4)).await;
        }
        panic!("the terminal's reader never took the scripted action");
    }
}

async fn pos_async_charge(w: &mut KushkiWorld, ctx: Context) {
    async_charge(w, amount(&arg(&ctx, 1)), true).await;
}

async fn pos_async_charge_without_url(w: &mut KushkiWorld, ctx: Context) {
    async_charge(w, amount(&arg(&ctx, 1)), false).await;
}

async fn search(w: &mut KushkiWorld, ctx: Context) {
    let operation = if arg(&ctx, 1) == "terminal's local" {
        "transaction_search_local"
    } else {
        "transaction_search_online"
    };
    let mut query = json!({"size": 100});
    let of = arg(&ctx, 2);
    if !of.is_empty() {
        query["client_transaction_id"] = json!(w.named(&of).client_transaction_id);
    }
    let answer = w.env().await.connect(operation, &query, false).await;
    check_answer(&answer);
    w.last = Some(answer);
}

async fn search_page(w: &mut KushkiWorld, ctx: Context) {
    let page: u32 = arg(&ctx, 1).parse().expect("a page");
    let size: u32 = arg(&ctx, 2).parse().expect("a size");
    let answer = w
        .env()
        .await
        .connect(
            "transaction_search_local",
            &json!({"page": page, "size": size}),
            false,
        )
        .await;
    check_answer(&answer);
    w.last = Some(answer);
}

async fn send_plaintext(w: &mut KushkiWorld, ctx: Context) {
    let operation = arg(&ctx, 1);
    let text = ctx
        .step
        .docstring
        .clone()
        .expect("this step takes a JSON docstring");
    let mut text = text.replace("{uuid}", &w.new_client_id());
    // `{charge}`, `{pre-authorization}`, …: the reference of a transaction named earlier.
    for (name, named) in &w.named {
        text = text.replace(&format!("{{{name}}}"), &named.reference);
    }
    if w.receiver.is_some() {
        text = text.replace(
            "{events_webhook_url}",
            &format!("{}/events", w.receiver_url),
        );
    }
    let payload: Value = serde_json::from_str(&text).expect("the docstring is JSON");
    let answer = w.env().await.connect(&operation, &payload, false).await;
    check_answer(&answer);
    w.named.insert(
        "request".into(),
        Named {
            reference: String::new(),
            client_transaction_id: payload["client_transaction_id"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            amount: Amount::zero(w.market.currency()),
            request: payload,
        },
    );
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
    if w.config.topology == Topology::Cloud {
        "sync/charge"
    } else {
        "charge"
    }
}

/// Sends a charge with the caller's headers and body.
async fn send_charge(
    w: &mut KushkiWorld,
    authorization: Option<String>,
    timestamp: Option<String>,
    body: String,
    ts: i64,
    payload: &Value,
) -> Answer {
    let r = route(w);
    let a = w
        .env()
        .await
        .connect_send(r, "POST", authorization, timestamp, Some(body), ts, payload)
        .await;
    check_answer(&a);
    a
}

/// A charge signed with a Business-Code the terminal does not have.
async fn bad_signature_answer(w: &mut KushkiWorld) -> Answer {
    let (payload, ts) = sealed_charge(w).await;
    let serial = w.env().await.serial().to_string();
    let wrong = auth::Credentials::new("NOT-THE-BUSINESS-CODE", &serial);
    let sealed = auth::seal_request(&wrong, ts, &payload.to_string()).expect("sealed");
    send_charge(
        w,
        Some(sealed.authorization),
        Some(sealed.timestamp),
        sealed.body,
        ts,
        &payload,
    )
    .await
}

async fn wrong_business_code(w: &mut KushkiWorld, _ctx: Context) {
    let a = bad_signature_answer(w).await;
    w.last = Some(a);
}

async fn skewed(w: &mut KushkiWorld, ctx: Context) {
    let secs: i64 = arg(&ctx, 1).parse().expect("seconds");
    let sign = if arg(&ctx, 2) == "in the past" { -1 } else { 1 };
    let (payload, now) = sealed_charge(w).await;
    let ts = now + sign * secs;
    let creds = w.env().await.credentials().clone();
    let sealed = auth::seal_request(&creds, ts, &payload.to_string()).expect("sealed");
    let a = send_charge(
        w,
        Some(sealed.authorization),
        Some(sealed.timestamp),
        sealed.body,
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
    let a = send_charge(
        w,
        Some(sealed.authorization),
        Some(sealed.timestamp),
        body.to_string(),
        ts,
        &payload,
    )
    .await;
    w.last = Some(a);
}

async fn no_headers(w: &mut KushkiWorld, ctx: Context) {
    let (payload, ts) = sealed_charge(w).await;
    let creds = w.env().await.credentials().clone();
    let sealed = auth::seal_request(&creds, ts, &payload.to_string()).expect("sealed");
    let (authorization, timestamp) = match arg(&ctx, 1).as_str() {
        "Authorization" => (None, Some(sealed.timestamp)),
        "timestamp" => (Some(sealed.authorization), None),
        _ => (None, None),
    };
    let a = send_charge(w, authorization, timestamp, sealed.body, ts, &payload).await;
    w.last = Some(a);
}

async fn no_basic_prefix(w: &mut KushkiWorld, _ctx: Context) {
    let (payload, ts) = sealed_charge(w).await;
    let creds = w.env().await.credentials().clone();
    let sealed = auth::seal_request(&creds, ts, &payload.to_string()).expect("sealed");
    let bare = sealed
        .authorization
        .trim_start_matches("Basic ")
        .to_string();
    let a = send_charge(
        w,
        Some(bare),
        Some(sealed.timestamp),
        sealed.body,
        ts,
        &payload,
    )
    .await;
    w.last = Some(a);
}

async fn other_timestamp(w: &mut KushkiWorld, ctx: Context) {
    let secs: i64 = arg(&ctx, 1).parse().expect("seconds");
    let (payload, ts) = sealed_charge(w).await;
    let creds = w.env().await.credentials().clone();
    let sealed = auth::seal_request(&creds, ts - secs, &payload.to_string()).expect("sealed");
    let a = send_charge(
        w,
        Some(sealed.authorization),
        Some(ts.to_string()),
        sealed.body,
        ts,
        &payload,
    )
    .await;
    w.last = Some(a);
}

async fn plain_json(w: &mut KushkiWorld, _ctx: Context) {
    let (payload, ts) = sealed_charge(w).await;
    let creds = w.env().await.credentials().clone();
    let sealed = auth::seal_request(&creds, ts, &payload.to_string()).expect("sealed");
    let a = send_charge(
        w,
        Some(sealed.authorization),
        Some(sealed.timestamp),
        payload.to_string(),
        ts,
        &payload,
    )
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

async fn error_type(w: &mut KushkiWorld, ctx: Context) {
    let a = w.last();
    assert_eq!(a.body["type"], arg(&ctx, 1).as_str(), "type of {}", a.body);
}

async fn error_message(w: &mut KushkiWorld, ctx: Context) {
    let a = w.last();
    assert_eq!(
        a.body["message"],
        arg(&ctx, 1).as_str(),
        "message of {}",
        a.body
    );
}

async fn error_object(w: &mut KushkiWorld, _ctx: Context) {
    let ctid = w.named("request").client_transaction_id.clone();
    let serial = w.env().await.serial().to_string();
    let a = w.last();
    let object = &a.body["object"];
    assert_eq!(
        object["client_transaction_id"],
        ctid.as_str(),
        "object.client_transaction_id of {}",
        a.body
    );
    assert_eq!(
        object["serial_number"],
        serial.as_str(),
        "object.serial_number of {}",
        a.body
    );
    assert!(
        object["terminal_id"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "object.terminal_id of {}",
        a.body
    );
}

async fn no_approved_field(w: &mut KushkiWorld, _ctx: Context) {
    let a = w.last();
    assert!(
        a.body.get("approved").is_none() && a.body.get("rawResponse").is_none(),
        "expected no approved/rawResponse: {}",
        a.body
    );
}

async fn acquirer_authorized(w: &mut KushkiWorld, ctx: Context) {
    let expected = amount(&arg(&ctx, 1));
    let a = w.last();
    let text = a.text("/rawResponse/authorized_amount");
    let got = parse_major_text(&text, expected.currency(), "authorized_amount")
        .unwrap_or_else(|e| panic!("rawResponse.authorized_amount `{text}`: {e}: {}", a.body));
    assert_eq!(got, expected, "authorized amount of {}", a.body);
}

async fn acquirer_transaction_type(w: &mut KushkiWorld, ctx: Context) {
    let a = w.last();
    assert_eq!(
        a.body["rawResponse"]["transaction_type"],
        arg(&ctx, 1).as_str(),
        "rawResponse.transaction_type of {}",
        a.body
    );
}

async fn ticket_number(w: &mut KushkiWorld, _ctx: Context) {
    let a = w.last();
    let t = a.text("/rawResponse/ticket_number");
    assert!(
        t.len() == 18 && t.bytes().all(|b| b.is_ascii_digit()),
        "ticket number `{t}` of {}",
        a.body
    );
}

async fn franchise(w: &mut KushkiWorld, ctx: Context) {
    let a = w.last();
    assert_eq!(
        a.body["rawResponse"]["franchise"],
        arg(&ctx, 1).as_str(),
        "franchise of {}",
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

async fn started_pending(w: &mut KushkiWorld, _ctx: Context) {
    // Give the terminal a moment to end it if it (wrongly) would.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        w.pending.is_some() && !started_finished(w),
        "the started charge has already ended"
    );
}

async fn abort_confirmed(w: &mut KushkiWorld, ctx: Context) {
    let name = format!("{} charge", arg(&ctx, 1));
    let ctid = w.named(&name).client_transaction_id.clone();
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

async fn acknowledged(w: &mut KushkiWorld, _ctx: Context) {
    let ctid = w.named("asynchronous charge").client_transaction_id.clone();
    let a = w.last();
    assert_eq!(
        (
            a.status,
            a.body["status"].as_str(),
            a.body["previous_status"].as_str(),
            a.body["client_transaction_id"].as_str(),
        ),
        (
            200,
            Some("TERMINAL_ACKNOWLEDGED"),
            Some(""),
            Some(ctid.as_str())
        ),
        "{}",
        a.body
    );
    assert!(a.encrypted, "the acknowledgement came unencrypted");
}

/// The events received so far, each checked against `connect/event.json`.
async fn events(w: &KushkiWorld) -> Vec<Value> {
    let receiver = w.receiver.as_ref().expect("an events receiver");
    receiver
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let v: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            if let Err(e) = kushki_protocol::schemas::validate(SchemaKind::ConnectEvent, &v) {
                panic!("an event breaks connect/event.json: {e:?}: {v}");
            }
            v
        })
        .collect()
}

async fn events_in_order(w: &mut KushkiWorld, ctx: Context) {
    let expected: Vec<String> = arg(&ctx, 1)
        .replace(" and ", ", ")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    for _ in 0..1000 {
        if events(w).await.len() >= expected.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A moment more, so an event too many is seen.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let received = events(w).await;
    let statuses: Vec<String> = received
        .iter()
        .map(|v| v["status"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(statuses, expected, "events received, in order");
    let ctid = w.named("asynchronous charge").client_transaction_id.clone();
    for e in &received {
        assert_eq!(
            e["client_transaction_id"],
            ctid.as_str(),
            "every event names the operation: {e}"
        );
    }
}

async fn events_chain(w: &mut KushkiWorld, _ctx: Context) {
    let received = events(w).await;
    let mut previous = "TERMINAL_ACKNOWLEDGED".to_string();
    for e in &received {
        assert_eq!(
            e["previous_status"],
            previous.as_str(),
            "previous_status of {e}"
        );
        previous = e["status"].as_str().unwrap_or_default().to_string();
    }
}

async fn final_event(w: &mut KushkiWorld, ctx: Context) {
    let received = events(w).await;
    let last = received.last().expect("no event was received");
    let object = &last["object"];
    match arg(&ctx, 1).as_str() {
        "an approval" => {
            assert_eq!(object["approved"], true, "final event {last}");
            kushki_protocol::schemas::validate(SchemaKind::ConnectOperationResponse, object)
                .unwrap_or_else(|v| panic!("the final event's object: {v:?}"));
        }
        "a decline" => {
            assert_eq!(object["approved"], false, "final event {last}");
            kushki_protocol::schemas::validate(SchemaKind::ConnectOperationResponse, object)
                .unwrap_or_else(|v| panic!("the final event's object: {v:?}"));
        }
        _ => {
            let code = arg(&ctx, 2);
            assert_eq!(last["code"], code.as_str(), "final event {last}");
            assert_eq!(object["code"], code.as_str(), "final event {last}");
            kushki_protocol::schemas::validate(SchemaKind::ConnectLinkFailure, object)
                .unwrap_or_else(|v| panic!("the final event's object: {v:?}"));
        }
    }
}

async fn history_count(w: &mut KushkiWorld, ctx: Context) {
    let n: usize = arg(&ctx, 1).parse().expect("a count");
    let a = w.last();
    let found = a.body["items"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(found, n, "expected {n} operations: {}", a.body);
}

async fn first_listed(w: &mut KushkiWorld, ctx: Context) {
    let named = w.named(&arg(&ctx, 1)).clone();
    let a = w.last();
    let first = &a.body["items"][0];
    assert_eq!(
        first["client_transaction_id"],
        named.client_transaction_id.as_str(),
        "the first item of {}",
        a.body
    );
    if !named.reference.is_empty() {
        assert_eq!(
            first["transaction_reference"],
            named.reference.as_str(),
            "the first item of {}",
            a.body
        );
    }
}

async fn listed_read(w: &mut KushkiWorld, ctx: Context) {
    let rt = reading(&arg(&ctx, 1));
    let card_id = card(&arg(&ctx, 2));
    let c = kushki_protocol::catalog::test_card(&card_id).expect("a catalog card");
    let a = w.last();
    let item = &a.body["items"][0];
    assert_eq!(item["reading_type"], rt.as_str(), "reading type of {item}");
    let mask = item["card_mask"].as_str().unwrap_or_default();
    assert!(
        mask.starts_with(c.bin.as_str()) && mask.ends_with(c.last_four.as_str()),
        "card mask `{mask}` is not the {card_id} card's"
    );
}

async fn encrypted(w: &mut KushkiWorld, _ctx: Context) {
    assert!(
        w.last().encrypted,
        "the answer was not encrypted: {}",
        w.last().body
    );
}

async fn plain_answer(w: &mut KushkiWorld, _ctx: Context) {
    assert!(
        !w.last().encrypted,
        "the answer was encrypted: {}",
        w.last().body
    );
}

async fn same_as_bad_signature(w: &mut KushkiWorld, _ctx: Context) {
    let last = w.last().clone();
    let bad = bad_signature_answer(w).await;
    assert_eq!(
        (last.status, &last.body, last.encrypted),
        (bad.status, &bad.body, bad.encrypted),
        "the answer differs from a bad signature's (H8: no padding oracle)"
    );
}

/// The raw API requests the acquirer received, from its journal.
async fn acquirer_requests(w: &mut KushkiWorld) -> Vec<Value> {
    require(w, Capability::Faults).await;
    w.env()
        .await
        .journal(Mock::Acquirer)
        .await
        .into_iter()
        .filter(|e| {
            e["hop"] == "acquirer"
                && e["path"]
                    .as_str()
                    .is_some_and(|p| p == "/pos/v1/transaction" || p == "/pos/v1/refund")
        })
        .collect()
}

async fn acquirer_reversed(w: &mut KushkiWorld, _ctx: Context) {
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

async fn acquirer_received_cancel(w: &mut KushkiWorld, ctx: Context) {
    let kind = arg(&ctx, 1);
    let reference = w.named(&arg(&ctx, 2)).reference.clone();
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

async fn acquirer_received_nothing(w: &mut KushkiWorld, _ctx: Context) {
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

async fn acquirer_received_extra(w: &mut KushkiWorld, ctx: Context) {
    let expected = amount(&arg(&ctx, 2));
    let entry = raw_charge(w).await;
    let request = &entry["request"];
    let value = if arg(&ctx, 1) == "cashback" {
        assert_eq!(request["is_cashback"], true, "is_cashback of {request}");
        &request["cashback_amount"]
    } else {
        &request["amount"]["tip"]
    };
    let got = parse_major_text(&value.to_string(), expected.currency(), "amount")
        .unwrap_or_else(|e| panic!("`{value}` in {request}: {e}"));
    assert_eq!(got, expected, "the raw charge: {request}");
}

async fn acquirer_received_deferred(w: &mut KushkiWorld, ctx: Context) {
    let months = arg(&ctx, 1);
    let entry = raw_charge(w).await;
    let request = &entry["request"];
    assert_eq!(request["is_deferred"], true, "is_deferred of {request}");
    assert_eq!(
        request["deferred"]["months"],
        months.as_str(),
        "deferred.months of {request}"
    );
}

async fn relinked(w: &mut KushkiWorld, _ctx: Context) {
    require(w, Capability::Faults).await;
    for _ in 0..1000 {
        let journal = w.env().await.journal(Mock::Acquirer).await;
        let note = |e: &Value, n: &str| e["hop"] == "relay" && e["note"] == n;
        // A link made after the last one closed (the journal may start after the first link:
        // a remote mock's is emptied when the scenario starts).
        let closed = journal
            .iter()
            .rposition(|e| note(e, "terminal link closed"));
        let relinked =
            closed.is_some_and(|c| journal[c..].iter().any(|e| note(e, "terminal linked")));
        if relinked && terminal_view(w).await["state"] == "waiting_for_call" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the terminal never linked to the cloud again");
}

// ---------------------------------------------------------------------------------------------
// Printing (ref §1.8; H9)

async fn printer_admin(w: &mut KushkiWorld, body: Value) {
    require(w, Capability::Faults).await;
    w.env()
        .await
        .admin_call(Mock::Terminal, "POST", "/__admin/printer", Some(body))
        .await;
}

async fn paper_out(w: &mut KushkiWorld, _ctx: Context) {
    printer_admin(w, json!({"paper": "out"})).await;
}

async fn printer_busy(w: &mut KushkiWorld, _ctx: Context) {
    printer_admin(w, json!({"busy": true})).await;
}

/// A receipt-like layout using every command type mesapay sends (ref §1.8).
fn print_layout(w: &mut KushkiWorld, title: &str) -> Value {
    json!({
        "printJobId": w.new_client_id(),
        "externalReference": "order-1018282",
        "commands": [
            {"type": "text", "text": title, "align": "CENTER", "size": 32, "bold": true},
            {"type": "divider", "dividerType": "DOTTED"},
            {"type": "columns", "columns": [
                {"text": "Total", "weight": 1, "align": "LEFT"},
                {"text": "PEN 12.00", "weight": 1, "align": "RIGHT"}
            ]},
            {"type": "space", "pixels": 8},
            {"type": "qr", "content": "https://example.com/receipt/1018282", "errorLevel": "M", "align": "CENTER"},
            {"type": "feed", "lines": 3},
            {"type": "cut"}
        ]
    })
}

/// Sends a print job and remembers it as "print job".
async fn send_print(w: &mut KushkiWorld, route: Option<&str>, job: Value) {
    let answer = match route {
        Some(r) => send_sealed(w, r, &job).await,
        None => {
            let a = w.env().await.connect("print", &job, false).await;
            check_answer(&a);
            a
        }
    };
    w.named.insert(
        "print job".into(),
        Named {
            reference: job["printJobId"].as_str().unwrap_or_default().to_string(),
            client_transaction_id: String::new(),
            amount: Amount::zero(w.market.currency()),
            request: job,
        },
    );
    w.last = Some(answer);
}

async fn print_job(w: &mut KushkiWorld, ctx: Context) {
    let mut job = print_layout(w, &arg(&ctx, 1));
    match arg(&ctx, 2).as_str() {
        " with a webhook" => {
            assert!(
                w.receiver.is_some(),
                "an events receiver (Given an events receiver)"
            );
            let url = format!("{}/prints", w.receiver_url);
            job["webhookUrl"] = json!(url);
        }
        " that skips a busy printer" => job["skipIfBusy"] = json!(true),
        _ => {}
    }
    send_print(w, None, job).await;
}

async fn print_job_on_route(w: &mut KushkiWorld, ctx: Context) {
    let job = print_layout(w, &arg(&ctx, 1));
    send_print(w, Some(&arg(&ctx, 2)), job).await;
}

async fn print_again(w: &mut KushkiWorld, _ctx: Context) {
    let job = w.named("print job").request.clone();
    send_print(w, None, job).await;
}

/// `GET print_job?print_job_id=ID`, signed over `{}` like every bodyless request (H7, H9).
async fn poll_once(w: &mut KushkiWorld, id: &str) -> Answer {
    let route = match w.config.topology {
        Topology::Cloud => format!("sync/print_job?print_job_id={id}"),
        _ => format!("print_job?print_job_id={id}"),
    };
    let ts = w.env().await.now().await.as_second();
    let creds = w.env().await.credentials().clone();
    let authorization = format!(
        "Basic {}",
        auth::signature(&creds, ts, "{}").expect("signature")
    );
    let a = w
        .env()
        .await
        .connect_send(
            &route,
            "GET",
            Some(authorization),
            Some(ts.to_string()),
            None,
            ts,
            &json!({}),
        )
        .await;
    check_answer(&a);
    a
}

async fn poll_print_job(w: &mut KushkiWorld, ctx: Context) {
    let id = match arg(&ctx, 1) {
        id if id.is_empty() => w.named("print job").reference.clone(),
        id => id,
    };
    let a = poll_once(w, &id).await;
    w.last = Some(a);
}

async fn print_accepted(w: &mut KushkiWorld, _ctx: Context) {
    let id = w.named("print job").reference.clone();
    let a = w.last();
    assert!(
        a.status == 202 && a.body["status"] == "PENDING",
        "expected 202 Accepted with status PENDING, got HTTP {}: {}",
        a.status,
        a.body
    );
    assert_eq!(
        a.body["printJobId"],
        id.as_str(),
        "printJobId of {}",
        a.body
    );
    assert!(a.encrypted, "the answer to a print job came unencrypted");
}

fn assert_print_state(state: &Value, status: &str, code: &str) {
    assert_eq!(state["status"], status, "print job state {state}");
    if code.is_empty() {
        assert!(state.get("error").is_none(), "print job state {state}");
    } else {
        assert_eq!(state["error"]["code"], code, "print job state {state}");
    }
}

async fn print_ends(w: &mut KushkiWorld, ctx: Context) {
    let id = w.named("print job").reference.clone();
    // The POS polls until the job leaves PENDING (a bounded number of short polls).
    for _ in 0..400 {
        let a = poll_once(w, &id).await;
        assert_eq!(a.status, 200, "polling {id}: HTTP {}: {}", a.status, a.body);
        assert!(a.encrypted, "the polling answer came unencrypted");
        if a.body["status"] != "PENDING" {
            assert_eq!(a.body["printJobId"], id.as_str(), "{}", a.body);
            assert_eq!(
                a.body["externalReference"], "order-1018282",
                "the job's externalReference is echoed: {}",
                a.body
            );
            assert_print_state(&a.body, &arg(&ctx, 1), &arg(&ctx, 2));
            w.last = Some(a);
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("print job {id} never left PENDING");
}

async fn print_webhook(w: &mut KushkiWorld, ctx: Context) {
    let id = w.named("print job").reference.clone();
    let receiver = w.receiver.as_ref().expect("an events receiver");
    for _ in 0..1000 {
        let received = receiver.received_requests().await.unwrap_or_default();
        if let Some(r) = received.first() {
            let state: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            if let Err(v) =
                kushki_protocol::schemas::validate(SchemaKind::ConnectPrintJobResponse, &state)
            {
                panic!("the print webhook breaks connect/print_job.response.json: {v:?}: {state}");
            }
            assert_eq!(state["printJobId"], id.as_str(), "{state}");
            assert_print_state(&state, &arg(&ctx, 1), "");
            assert_eq!(received.len(), 1, "one webhook per job");
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the print webhook never came");
}
