//! Steps of the raw card-present API (ref §2): a terminal app talking to the acquirer.
//!
//! The terminal app's requests are built here as a certified terminal app would send them (ref
//! §2.3, §2.4, seed); every answer is schema-checked by [`crate::env::Env::raw`] before a step
//! reads it. Transactions are named ("the charge", "the pre-authorization", "the capture",
//! "the re-authorization", "the void", "the refund") so later steps can act on them.

use std::time::Duration;

use cucumber::step::{Collection, Context};
use hmac::{Hmac, Mac};
use kushki_protocol::money::{Amount, AmountBreakdown, Currency};
use kushki_protocol::raw::ReadingType;
use kushki_protocol::schemas::{self, SchemaKind};
use mock_terminal::reader::{self, Pin, Reader};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use super::common::require;
use super::step;
use crate::env::{Answer, Mock};
use crate::params::{amount, arg, card, reading};
use crate::target::Capability;
use crate::world::{KushkiWorld, Named};

/// The search route (ref §2.10, add §6.4).
const SEARCH: &str = "/pos-analytics/v1/transactions/search";
/// The signature key the scenarios' webhook receivers are configured with unless they name one.
const DEFAULT_WEBHOOK_KEY: &str = "conformance-webhook-signature-key";

/// Registers the steps of this module.
pub fn register(c: Collection<KushkiWorld>) -> Collection<KushkiWorld> {
    let c = step!(c, given, "an approved charge of {amount}", given_charge);
    let c = step!(
        c,
        given,
        "an approved pre-authorization of {amount}",
        given_preauth
    );
    let c = step!(c, when, "the terminal app charges {amount}", charge);
    let c = step!(
        c,
        when,
        "the terminal app charges {amount} by {reading}(?: with the {card} card)?",
        charge
    );
    let c = step!(
        c,
        when,
        r#"the terminal app charges {amount} deferred over (\d+) months(?: with credit type "(\d\d)")?"#,
        charge_deferred
    );
    let c = step!(
        c,
        when,
        "the terminal app charges {amount} with a tip of {amount}",
        charge_tip
    );
    let c = step!(
        c,
        when,
        "the terminal app charges {amount} with cashback of {amount}(?: with the {card} card)?",
        charge_cashback
    );
    let c = step!(
        c,
        when,
        "the terminal app charges the amount object:",
        charge_table
    );
    let c = step!(
        c,
        when,
        "the terminal app charges {amount} but the acquirer's answer is lost",
        charge_lost
    );
    let c = step!(c, when, "the terminal app pre-authorizes {amount}", preauth);
    let c = step!(
        c,
        when,
        "the terminal app re-authorizes the pre-authorization for {amount}( without the card)?",
        reauth
    );
    let c = step!(
        c,
        when,
        "the terminal app re-authorizes the charge for {amount}",
        reauth_charge
    );
    let c = step!(
        c,
        when,
        "the terminal app captures the (pre-authorization|re-authorization)(?: for {amount})?( without the card)?",
        capture
    );
    let c = step!(
        c,
        when,
        "the terminal app adds a post tip of {amount} to the (charge|pre-authorization)",
        post_tip
    );
    let c = step!(
        c,
        when,
        "the terminal app voids the (charge|pre-authorization|capture|re-authorization)( without the card)?",
        void
    );
    let c = step!(
        c,
        when,
        "the terminal app voids {amount} of the charge",
        partial_void
    );
    let c = step!(
        c,
        when,
        "the terminal app smart-voids the charge",
        smart_void
    );
    let c = step!(
        c,
        when,
        "the terminal app reverses the (charge|capture)( without the card)?",
        reverse
    );
    let c = step!(
        c,
        when,
        "the terminal app reverses a charge that never reached the acquirer",
        reverse_unknown
    );
    let c = step!(
        c,
        when,
        "the terminal app refunds the (charge|capture)( without the card)?",
        refund
    );
    let c = step!(
        c,
        when,
        "the terminal app refunds {amount} of the charge",
        partial_refund
    );
    let c = step!(
        c,
        when,
        "the terminal app sends the same charge again",
        same_again
    );
    let c = step!(
        c,
        when,
        "the terminal app sends another charge with the same client_transaction_id",
        same_id_other_body
    );
    let c = step!(
        c,
        when,
        r#"the terminal app sends to "(/[^"]+)":"#,
        send_docstring
    );
    let c = step!(
        c,
        when,
        r#"the terminal app sends an empty body to "(/[^"]+)""#,
        send_empty
    );
    let c = step!(
        c,
        when,
        r#"the terminal app sends a charge with the content type "([^"]+)""#,
        send_content_type
    );
    let c = step!(
        c,
        when,
        r#"the terminal app sends a charge (without a credential|with the credential "[^"]*")"#,
        send_credential
    );
    let c = step!(
        c,
        when,
        r"the terminal app searches by the charge's (client_transaction_id|transaction_reference)",
        search_by
    );
    let c = step!(
        c,
        when,
        r"the terminal app searches page (\d+) of (\d+) transactions",
        search_page
    );
    let c = step!(
        c,
        when,
        r"the terminal app searches (\d+) transactions from offset (\d+)",
        search_from
    );
    let c = step!(
        c,
        when,
        r"the terminal app searches for (charge|preAuth|reAuthorization|capture|posTip|refund) transactions",
        search_type
    );
    let c = step!(
        c,
        when,
        r#"the terminal app searches by (bin|last four digits|card four digits) "(\d+)""#,
        search_card
    );
    let c = step!(
        c,
        when,
        r"the terminal app searches the transactions of the last (\d+) minutes",
        search_recent
    );
    let c = step!(
        c,
        when,
        "the terminal app searches without a credential",
        search_unauthorized
    );
    let c = step!(
        c,
        when,
        "the terminal app starts (a charge|a void of a charge|a reverse of a charge) of {amount}",
        start_background
    );
    let c = step!(
        c,
        given,
        r#"the acquirer will answer (voids|charges) with issuer code "(\d\d)"(?: (\d+) times)?"#,
        force_code
    );
    let c = step!(
        c,
        given,
        r"the acquirer will answer the next (charge|void|refund) with HTTP (\d{3})",
        inject_status
    );
    let c = step!(
        c,
        given,
        r#"the acquirer rule "([a-z-]+)" is switched off"#,
        rule_off
    );
    let c = step!(
        c,
        given,
        r#"a webhook receiver with the signature key "([^"]+)""#,
        webhook_receiver
    );
    let c = step!(
        c,
        given,
        r"a webhook receiver that answers HTTP (\d{3})",
        webhook_receiver_status
    );
    let c = step!(
        c,
        given,
        "the acquirer will deliver the next notification twice",
        webhook_duplicate
    );
    let c = step!(c, then, "the transaction is approved", approved);
    let c = step!(
        c,
        then,
        r#"the transaction is declined with code "(\d\d)""#,
        declined
    );
    let c = step!(
        c,
        then,
        r#"the request is refused with HTTP (\d+) and code "(E\d{3})""#,
        refused
    );
    let c = step!(
        c,
        then,
        r"the request is refused with HTTP 401 Unauthorized",
        unauthorized
    );
    let c = step!(c, then, r"the request fails with HTTP (5\d\d)", fails_with);
    let c = step!(c, then, r#"the error names "([^"]+)""#, error_names);
    let c = step!(c, then, r#"the error's origin is "([^"]+)""#, error_origin);
    let c = step!(c, then, "the answer is the same as the first", same_answer);
    let c = step!(
        c,
        then,
        "the authorized amount is {amount}",
        authorized_amount
    );
    let c = step!(
        c,
        then,
        r#"the answer's transaction_type is "([A-Za-z]+)""#,
        answer_type
    );
    let c = step!(
        c,
        then,
        "the answer carries the approval codes and an 18-digit ticket number",
        approval_codes
    );
    let c = step!(
        c,
        then,
        r"the acquirer has not answered after (\d+) seconds? of clock time",
        not_answered_yet
    );
    let c = step!(c, then, "the delayed answer arrives", delayed_answer);
    let c = step!(
        c,
        then,
        r"the search finds (\d+) transactions?",
        search_count
    );
    let c = step!(
        c,
        then,
        "the first transaction found is the (charge|refund|void|pre-authorization|capture)",
        search_first
    );
    let c = step!(
        c,
        then,
        r"every transaction found is (?:a|an) (charge|preAuth|reAuthorization|capture|posTip|refund)",
        search_all_of_type
    );
    let c = step!(
        c,
        then,
        r"the receiver gets (\d+) signed notifications?",
        notifications
    );
    let c = step!(
        c,
        then,
        r"notification (\d+) reports the (charge|void|refund|reverse)(?: as (SALE|VOID|REFUND))? with status (APPROVAL|DECLINED)",
        notification_reports
    );
    let c = step!(
        c,
        then,
        r"notifications (\d+) and (\d+) are the same notification",
        notifications_same
    );
    let c = step!(
        c,
        then,
        r"the receiver gets (\d+) attempts of the same notification and no more",
        bounded_attempts
    );
    step!(
        c,
        then,
        r"the acquirer recorded (\d+) transactions?",
        ledger_count
    )
}

// ---------------------------------------------------------------------------------------------
// Building requests
// ---------------------------------------------------------------------------------------------

/// The raw `amount` object of an untaxed amount.
pub fn raw_amount(a: Amount) -> Value {
    AmountBreakdown::untaxed(a).to_raw_json()
}

/// Fake but well-formed card data for a read (the same the mock terminal sends).
async fn card_details(
    w: &mut KushkiWorld,
    rt: ReadingType,
    card_id: Option<&str>,
    total: Amount,
) -> Value {
    let card = card_id
        .and_then(kushki_protocol::catalog::test_card)
        .unwrap_or_else(kushki_protocol::catalog::default_card);
    let market = w.market;
    let now = w.env().await.now().await;
    let serial = w.env().await.serial().to_string();
    reader::card_details(
        &Reader::default(),
        &serial,
        card,
        rt,
        Pin::None,
        total,
        market,
        now,
    )
}

fn pos_details(serial: &str) -> Value {
    json!({"terminal_id": serial.chars().take(15).collect::<String>(), "brand": "SUNMI", "model": "P2-EU", "version": "Kushki SunmiV1.1.18", "has_print": true})
}

async fn send(w: &mut KushkiWorld, path: &str, body: Value) {
    let answer = w.env().await.raw(path, &body).await;
    w.last = Some(answer);
}

/// Remembers a transaction under `name`, with the reference the acquirer gave it (empty when it
/// gave none: a reverse only needs the request and its `client_transaction_id`).
fn remember(w: &mut KushkiWorld, name: &str, ctid: String, amount: Amount, request: Value) {
    let reference = w.last().text("/transaction_reference");
    w.named.insert(
        name.to_string(),
        Named {
            reference,
            client_transaction_id: ctid,
            amount,
            request,
        },
    );
}

/// The body of a new authorization (charge or preAuth) as a certified terminal app sends it.
async fn authorization_body(
    w: &mut KushkiWorld,
    kind: &str,
    total: Amount,
    rt: ReadingType,
    card_id: Option<&str>,
    extra: Value,
) -> (Value, String) {
    let ctid = w.new_client_id();
    let serial = w.env().await.serial().to_string();
    let mut body = json!({
        "transaction_mode": "Authorization",
        "transaction_type": kind,
        "client_transaction_id": ctid,
        "amount": raw_amount(total),
        "country": w.market.as_str(),
        "pos_details": pos_details(&serial),
        "card_details": card_details(w, rt, card_id, total).await,
    });
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    (body, ctid)
}

/// Sends a new authorization and names it (whatever the answer: a reverse may follow).
#[allow(clippy::too_many_arguments)]
async fn authorize(
    w: &mut KushkiWorld,
    kind: &str,
    name: &str,
    total: Amount,
    rt: ReadingType,
    card_id: Option<&str>,
    extra: Value,
) {
    let (body, ctid) = authorization_body(w, kind, total, rt, card_id, extra).await;
    send(w, "/pos/v1/transaction", body.clone()).await;
    remember(w, name, ctid, total, body);
}

async fn given_charge(w: &mut KushkiWorld, ctx: Context) {
    authorize(
        w,
        "charge",
        "charge",
        amount(&arg(&ctx, 1)),
        ReadingType::Icc,
        None,
        json!({}),
    )
    .await;
    assert_approved(w);
}

async fn given_preauth(w: &mut KushkiWorld, ctx: Context) {
    authorize(
        w,
        "preAuth",
        "pre-authorization",
        amount(&arg(&ctx, 1)),
        ReadingType::Icc,
        None,
        json!({}),
    )
    .await;
    assert_approved(w);
}

async fn charge(w: &mut KushkiWorld, ctx: Context) {
    let total = amount(&arg(&ctx, 1));
    let rt = reading(&arg(&ctx, 2));
    let card_arg = arg(&ctx, 3);
    let card_id = (!card_arg.is_empty()).then(|| card(&card_arg));
    authorize(
        w,
        "charge",
        "charge",
        total,
        rt,
        card_id.as_deref(),
        json!({}),
    )
    .await;
}

async fn charge_deferred(w: &mut KushkiWorld, ctx: Context) {
    let months = arg(&ctx, 2);
    let mut deferred = json!({"months": months});
    let credit_type = arg(&ctx, 3);
    if !credit_type.is_empty() {
        deferred["credit_type"] = json!(credit_type);
    }
    authorize(
        w,
        "charge",
        "charge",
        amount(&arg(&ctx, 1)),
        ReadingType::Icc,
        None,
        json!({"is_deferred": true, "deferred": deferred}),
    )
    .await;
}

async fn charge_tip(w: &mut KushkiWorld, ctx: Context) {
    let base = amount(&arg(&ctx, 1));
    let tip = amount(&arg(&ctx, 2));
    let mut b = AmountBreakdown::untaxed(base);
    b.tip = Some(tip);
    let total = b.total();
    authorize(
        w,
        "charge",
        "charge",
        total,
        ReadingType::Icc,
        None,
        json!({"amount": b.to_raw_json()}),
    )
    .await;
}

async fn charge_cashback(w: &mut KushkiWorld, ctx: Context) {
    let base = amount(&arg(&ctx, 1));
    let cashback = amount(&arg(&ctx, 2));
    let card_arg = arg(&ctx, 3);
    let card_id = (!card_arg.is_empty()).then(|| card(&card_arg));
    authorize(
        w,
        "charge",
        "charge",
        base,
        ReadingType::Icc,
        card_id.as_deref(),
        json!({"is_cashback": true, "cashback_amount": cashback.to_major_json()}),
    )
    .await;
}

/// A charge whose `amount` object is given field by field (`| subtotal_iva0 | 6.00 PEN |`,
/// `| extra_taxes.iac | 2.00 PEN |`); its total is the sum of every value (ref §2.4, §2.7).
async fn charge_table(w: &mut KushkiWorld, ctx: Context) {
    let table = ctx
        .step
        .table
        .as_ref()
        .expect("this step takes a table of amount fields");
    let mut object = Map::new();
    let mut taxes = Map::new();
    let mut currency: Option<Currency> = None;
    let mut total_minor = 0_i64;
    for row in &table.rows {
        let (field, value) = match row.as_slice() {
            [f, v] => (f.trim(), amount(v)),
            _ => panic!("each row is `| field | amount |`, got {row:?}"),
        };
        assert!(
            currency.is_none_or(|c| c == value.currency()),
            "every field of one amount object has the same currency"
        );
        currency = Some(value.currency());
        total_minor += value.minor_units();
        let number = Value::Number(value.to_major_json());
        match field.strip_prefix("extra_taxes.") {
            Some(tax) => {
                taxes.insert(tax.to_string(), number);
            }
            None => {
                object.insert(field.to_string(), number);
            }
        }
    }
    let currency = currency.expect("at least one amount field");
    let zero = Value::Number(Amount::zero(currency).to_major_json());
    for required in ["subtotal_iva", "subtotal_iva0", "iva"] {
        object.entry(required).or_insert_with(|| zero.clone());
    }
    if !taxes.is_empty() {
        object.insert("extra_taxes".into(), Value::Object(taxes));
    }
    object.insert("currency".into(), json!(currency.as_str()));
    let total = Amount::from_minor(total_minor, currency);
    authorize(
        w,
        "charge",
        "charge",
        total,
        ReadingType::Icc,
        None,
        json!({"amount": Value::Object(object)}),
    )
    .await;
}

/// A charge whose answer never reaches the terminal app (the acquirer drops the connection after
/// recording it): the situation a reverse is for (seed).
async fn charge_lost(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::Faults).await;
    let total = amount(&arg(&ctx, 1));
    let b = json!({"hop": "acquirer", "match": {"operation": "charge"}, "respond": {"fault": "drop"}, "times": 1});
    w.env().await.behaviour(Mock::Acquirer, b).await;
    authorize(
        w,
        "charge",
        "charge",
        total,
        ReadingType::Icc,
        None,
        json!({}),
    )
    .await;
    let a = w.last();
    assert!(
        a.status == 0 || a.status >= 500,
        "the behaviour should have dropped the answer, yet the terminal app got HTTP {}: {}",
        a.status,
        a.body
    );
}

async fn preauth(w: &mut KushkiWorld, ctx: Context) {
    authorize(
        w,
        "preAuth",
        "pre-authorization",
        amount(&arg(&ctx, 1)),
        ReadingType::Icc,
        None,
        json!({}),
    )
    .await;
}

/// The body of a follow-up on a named transaction: void, capture, reAuthorization, refund. A
/// cardless follow-up always carries the amount object (seed examples).
fn follow_up_body(
    w: &mut KushkiWorld,
    mode: &str,
    kind: &str,
    of: &str,
    total: Option<Amount>,
    cardless: bool,
) -> (Value, String, Amount) {
    let original = w.named(of).clone();
    let ctid = w.new_client_id();
    let mut body = json!({
        "transaction_mode": mode,
        "transaction_type": kind,
        "client_transaction_id": ctid,
        "transaction_reference": original.reference,
    });
    if let Some(t) = total {
        body["amount"] = raw_amount(t);
    }
    if cardless {
        body["omit_card"] = json!(true);
        if total.is_none() {
            body["amount"] = raw_amount(original.amount);
        }
    }
    (body, ctid, total.unwrap_or(original.amount))
}

#[allow(clippy::too_many_arguments)]
/// Sends a follow-up and names it `save_as`.
async fn follow_up(
    w: &mut KushkiWorld,
    path: &str,
    mode: &str,
    kind: &str,
    of: &str,
    total: Option<Amount>,
    cardless: bool,
    save_as: &str,
) {
    let (body, ctid, amount) = follow_up_body(w, mode, kind, of, total, cardless);
    send(w, path, body.clone()).await;
    if w.last().status == 200 {
        remember(w, save_as, ctid, amount, body);
    }
}

async fn reauth(w: &mut KushkiWorld, ctx: Context) {
    let t = amount(&arg(&ctx, 1));
    let cardless = !arg(&ctx, 2).is_empty();
    follow_up(
        w,
        "/pos/v1/transaction",
        "Authorization",
        "reAuthorization",
        "pre-authorization",
        Some(t),
        cardless,
        "re-authorization",
    )
    .await;
}

async fn reauth_charge(w: &mut KushkiWorld, ctx: Context) {
    let t = amount(&arg(&ctx, 1));
    follow_up(
        w,
        "/pos/v1/transaction",
        "Authorization",
        "reAuthorization",
        "charge",
        Some(t),
        false,
        "re-authorization",
    )
    .await;
}

async fn capture(w: &mut KushkiWorld, ctx: Context) {
    let of = arg(&ctx, 1);
    let t = Some(arg(&ctx, 2))
        .filter(|s| !s.is_empty())
        .map(|s| amount(&s));
    let cardless = !arg(&ctx, 3).is_empty();
    follow_up(
        w,
        "/pos/v1/transaction",
        "Authorization",
        "capture",
        &of,
        t,
        cardless,
        "capture",
    )
    .await;
}

async fn post_tip(w: &mut KushkiWorld, ctx: Context) {
    let tip = amount(&arg(&ctx, 1));
    let of = arg(&ctx, 2);
    let original = w.named(&of).clone();
    let ctid = w.new_client_id();
    let zero = Amount::zero(tip.currency());
    let mut b = AmountBreakdown::untaxed(zero);
    b.tip = Some(tip);
    let body = json!({"transaction_mode": "Authorization", "transaction_type": "posTip", "client_transaction_id": ctid,
        "transaction_reference": original.reference, "amount": b.to_raw_json()});
    send(w, "/pos/v1/transaction", body).await;
}

fn original_type(name: &str) -> &'static str {
    match name {
        "pre-authorization" => "preAuth",
        "capture" => "capture",
        "re-authorization" => "reAuthorization",
        _ => "charge",
    }
}

async fn void(w: &mut KushkiWorld, ctx: Context) {
    let of = arg(&ctx, 1);
    let cardless = !arg(&ctx, 2).is_empty();
    follow_up(
        w,
        "/pos/v1/transaction",
        "Void",
        original_type(&of),
        &of,
        None,
        cardless,
        "void",
    )
    .await;
}

async fn partial_void(w: &mut KushkiWorld, ctx: Context) {
    let t = amount(&arg(&ctx, 1));
    follow_up(
        w,
        "/pos/v1/transaction",
        "Void",
        "charge",
        "charge",
        Some(t),
        false,
        "void",
    )
    .await;
}

/// Chile's `is_smart_void` (add §6.2): a void the acquirer may process as a refund.
async fn smart_void(w: &mut KushkiWorld, _ctx: Context) {
    let (mut body, ctid, amount) = follow_up_body(w, "Void", "charge", "charge", None, false);
    body["is_smart_void"] = json!(true);
    send(w, "/pos/v1/transaction", body.clone()).await;
    if w.last().status == 200 {
        remember(w, "void", ctid, amount, body);
    }
}

/// A reverse resends the original with mode Reverse and the original's id (seed); a cardless one
/// sends only the amount (seed's cardless example).
fn reverse_body(w: &KushkiWorld, of: &str, cardless: bool) -> Value {
    let original = w.named(of).clone();
    if cardless {
        return json!({"amount": raw_amount(original.amount), "transaction_mode": "Reverse", "transaction_type": original_type(of),
            "client_transaction_id": original.client_transaction_id, "omit_card": true});
    }
    let mut b = original.request.clone();
    b["transaction_mode"] = json!("Reverse");
    b["transaction_type"] = json!(original_type(of));
    if b.get("amount").is_none() {
        b["amount"] = raw_amount(original.amount);
    }
    if let Some(o) = b.as_object_mut() {
        o.remove("transaction_reference");
        o.remove("is_cashback");
        o.remove("cashback_amount");
    }
    b
}

async fn reverse(w: &mut KushkiWorld, ctx: Context) {
    let of = arg(&ctx, 1);
    let cardless = !arg(&ctx, 2).is_empty();
    let body = reverse_body(w, &of, cardless);
    let ctid = w.named(&of).client_transaction_id.clone();
    let amount = w.named(&of).amount;
    send(w, "/pos/v1/transaction", body.clone()).await;
    if w.last().status == 200 {
        remember(w, "reverse", ctid, amount, body);
    }
}

async fn reverse_unknown(w: &mut KushkiWorld, _ctx: Context) {
    let ctid = w.new_client_id();
    let currency = w.market.currency();
    let body = json!({"amount": raw_amount(Amount::from_minor(1000 * 10_i64.pow(currency.decimals()), currency)),
        "transaction_mode": "Reverse", "transaction_type": "charge", "client_transaction_id": ctid, "omit_card": true});
    send(w, "/pos/v1/transaction", body).await;
}

async fn refund(w: &mut KushkiWorld, ctx: Context) {
    let of = arg(&ctx, 1);
    let cardless = !arg(&ctx, 2).is_empty();
    follow_up(
        w,
        "/pos/v1/refund",
        "Authorization",
        "refund",
        &of,
        None,
        cardless,
        "refund",
    )
    .await;
}

async fn partial_refund(w: &mut KushkiWorld, ctx: Context) {
    let t = amount(&arg(&ctx, 1));
    follow_up(
        w,
        "/pos/v1/refund",
        "Authorization",
        "refund",
        "charge",
        Some(t),
        false,
        "refund",
    )
    .await;
}

async fn same_again(w: &mut KushkiWorld, _ctx: Context) {
    let first = w.last.clone();
    let body = w.named("charge").request.clone();
    send(w, "/pos/v1/transaction", body).await;
    w.named
        .entry("first answer".into())
        .or_insert_with(|| Named {
            reference: first.map(|a| a.body.to_string()).unwrap_or_default(),
            client_transaction_id: String::new(),
            amount: Amount::zero(Currency::Pen),
            request: Value::Null,
        });
}

async fn same_id_other_body(w: &mut KushkiWorld, _ctx: Context) {
    let mut body = w.named("charge").request.clone();
    let total = w.named("charge").amount;
    body["amount"] = raw_amount(Amount::from_minor(
        total.minor_units() + 100,
        total.currency(),
    ));
    send(w, "/pos/v1/transaction", body).await;
}

/// Replaces `{uuid}` with a fresh id and `{reference}` with the charge's reference.
fn fill(w: &mut KushkiWorld, text: &str) -> String {
    let mut out = text.to_string();
    while out.contains("{uuid}") {
        let id = w.new_client_id();
        out = out.replacen("{uuid}", &id, 1);
    }
    if let Some(c) = w.named.get("charge") {
        out = out
            .replace("{reference}", &c.reference)
            .replace("{charge_client_transaction_id}", &c.client_transaction_id);
    }
    out
}

async fn send_docstring(w: &mut KushkiWorld, ctx: Context) {
    let path = arg(&ctx, 1);
    let text = ctx
        .step
        .docstring
        .clone()
        .expect("this step takes a JSON docstring");
    let text = fill(w, &text);
    let answer = w
        .env()
        .await
        .raw_bytes(&path, text.into_bytes(), Some("application/json"))
        .await;
    w.last = Some(answer);
}

async fn send_empty(w: &mut KushkiWorld, ctx: Context) {
    let path = arg(&ctx, 1);
    let answer = w
        .env()
        .await
        .raw_bytes(&path, Vec::new(), Some("application/json"))
        .await;
    w.last = Some(answer);
}

async fn send_content_type(w: &mut KushkiWorld, ctx: Context) {
    let content_type = arg(&ctx, 1);
    let total = Amount::from_minor(1200, w.market.currency());
    let (body, _) = authorization_body(w, "charge", total, ReadingType::Icc, None, json!({})).await;
    let answer = w
        .env()
        .await
        .raw_bytes(
            "/pos/v1/transaction",
            body.to_string().into_bytes(),
            Some(&content_type),
        )
        .await;
    w.last = Some(answer);
}

async fn send_credential(w: &mut KushkiWorld, ctx: Context) {
    let how = arg(&ctx, 1);
    let credential = how
        .strip_prefix("with the credential \"")
        .map(|c| c.trim_end_matches('"').to_string());
    let ctid = w.new_client_id();
    let total = Amount::from_minor(1200, w.market.currency());
    let body = json!({"transaction_mode": "Authorization", "transaction_type": "charge", "client_transaction_id": ctid,
        "amount": raw_amount(total), "card_details": card_details(w, ReadingType::Icc, None, total).await});
    let answer = w
        .env()
        .await
        .raw_with("/pos/v1/transaction", &body, credential, true)
        .await;
    w.last = Some(answer);
}

// ---------------------------------------------------------------------------------------------
// Search (ref §2.10, add §6.4)
// ---------------------------------------------------------------------------------------------

async fn search_by(w: &mut KushkiWorld, ctx: Context) {
    let field = arg(&ctx, 1);
    let charge = w.named("charge").clone();
    let value = if field == "client_transaction_id" {
        charge.client_transaction_id
    } else {
        charge.reference
    };
    let body = json!({"page": 1, "size": 10, "filters": {field: value}});
    send(w, SEARCH, body).await;
}

async fn search_page(w: &mut KushkiWorld, ctx: Context) {
    let page: u32 = arg(&ctx, 1).parse().expect("a page");
    let size: u32 = arg(&ctx, 2).parse().expect("a size");
    send(w, SEARCH, json!({"page": page, "size": size})).await;
}

async fn search_from(w: &mut KushkiWorld, ctx: Context) {
    let size: u32 = arg(&ctx, 1).parse().expect("a size");
    let from: u32 = arg(&ctx, 2).parse().expect("an offset");
    send(w, SEARCH, json!({"from": from, "size": size})).await;
}

async fn search_type(w: &mut KushkiWorld, ctx: Context) {
    let kind = arg(&ctx, 1);
    send(
        w,
        SEARCH,
        json!({"page": 1, "size": 100, "filters": {"transaction_type": kind}}),
    )
    .await;
}

async fn search_card(w: &mut KushkiWorld, ctx: Context) {
    let field = match arg(&ctx, 1).as_str() {
        "bin" => "bin",
        "last four digits" => "last_four_digits",
        _ => "card_four_digits",
    };
    let value = arg(&ctx, 2);
    send(
        w,
        SEARCH,
        json!({"page": 1, "size": 100, "filters": {field: value}}),
    )
    .await;
}

async fn search_recent(w: &mut KushkiWorld, ctx: Context) {
    let minutes: i64 = arg(&ctx, 1).parse().expect("minutes");
    let now = w.env().await.now().await.as_millisecond();
    let start = now - minutes * 60_000;
    send(
        w,
        SEARCH,
        json!({"page": 1, "size": 100, "filters": {"start_date": start, "end_date": now}}),
    )
    .await;
}

async fn search_unauthorized(w: &mut KushkiWorld, _ctx: Context) {
    let answer = w
        .env()
        .await
        .raw_with(SEARCH, &json!({"page": 1, "size": 10}), None, true)
        .await;
    w.last = Some(answer);
}

// ---------------------------------------------------------------------------------------------
// Requests answered late ("approved with delay", ref §2.7)
// ---------------------------------------------------------------------------------------------

/// How many transactions the acquirer's public search shows (a handle of its own, so the polling
/// is not recorded as the scenario's evidence).
async fn transactions_visible(w: &mut KushkiWorld) -> usize {
    let mut probe = w.env().await.second_handle();
    let a = probe.raw(SEARCH, &json!({"page": 1, "size": 500})).await;
    a.body["items"].as_array().map(Vec::len).unwrap_or(0)
}

/// Starts an operation in the background (a charge, or a void or reverse of a fresh charge of the
/// same amount) and returns once the acquirer has recorded it, so that the clock only moves after
/// the acquirer started waiting.
async fn start_background(w: &mut KushkiWorld, ctx: Context) {
    let what = arg(&ctx, 1);
    let total = amount(&arg(&ctx, 2));
    let body = if what == "a charge" {
        let (body, ctid) =
            authorization_body(w, "charge", total, ReadingType::Icc, None, json!({})).await;
        w.named.insert(
            "charge".into(),
            Named {
                reference: String::new(),
                client_transaction_id: ctid,
                amount: total,
                request: body.clone(),
            },
        );
        body
    } else {
        authorize(
            w,
            "charge",
            "charge",
            total,
            ReadingType::Icc,
            None,
            json!({}),
        )
        .await;
        assert_approved(w);
        if what == "a void of a charge" {
            follow_up_body(w, "Void", "charge", "charge", None, false).0
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
    let before = transactions_visible(w).await;
    let mut runner = w.env().await.second_handle();
    let handle = tokio::spawn(async move {
        let answer = runner.raw("/pos/v1/transaction", &body).await;
        (answer, runner.evidence)
    });
    w.pending = Some(handle);
    for _ in 0..1000 {
        if w.pending.as_ref().is_some_and(|p| p.is_finished())
            || transactions_visible(w).await > before
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the acquirer never recorded {what} of {total} (searched its transactions for 5 s)");
}

async fn not_answered_yet(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::VirtualTime).await;
    let secs: i64 = arg(&ctx, 1).parse().expect("seconds");
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
            "ref §2.7 \"approved with delay\": expected no answer yet after {secs} s of clock time (the harness's delay is {} s), got HTTP {}: {}",
            mock_acquirer::domain::rules::DEFAULT_DELAY_SECS,
            answer.status,
            answer.body
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

async fn delayed_answer(w: &mut KushkiWorld, _ctx: Context) {
    let (answer, evidence) = take_pending(w).await;
    w.env().await.evidence.extend(evidence);
    w.last = Some(answer);
}

// ---------------------------------------------------------------------------------------------
// Behaviours (@faults)
// ---------------------------------------------------------------------------------------------

async fn force_code(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::Faults).await;
    let op = if arg(&ctx, 1) == "voids" {
        "void"
    } else {
        "charge"
    };
    let mut b = json!({"hop": "acquirer", "match": {"operation": op}, "respond": {"kushki_code": arg(&ctx, 2)}});
    if let Ok(times) = arg(&ctx, 3).parse::<u32>() {
        b["times"] = json!(times);
    }
    w.env().await.behaviour(Mock::Acquirer, b).await;
}

async fn inject_status(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::Faults).await;
    let op = arg(&ctx, 1);
    let status: u16 = arg(&ctx, 2).parse().expect("a status");
    let b = json!({"hop": "acquirer", "match": {"operation": op}, "respond": {"status": status}, "times": 1});
    w.env().await.behaviour(Mock::Acquirer, b).await;
}

async fn rule_off(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::Faults).await;
    let b = json!({"respond": {"disable_rule": arg(&ctx, 1)}});
    w.env().await.behaviour(Mock::Acquirer, b).await;
}

// ---------------------------------------------------------------------------------------------
// Webhooks (add §3), checked here independently of the mock's own signing code
// ---------------------------------------------------------------------------------------------

async fn start_receiver(w: &mut KushkiWorld, status: u16, key: &str) {
    require(w, Capability::Faults).await;
    let (server, base) = w.env().await.receiver(status).await;
    // Kushki configures card-present webhooks in its Console (add §3); the mock through its admin
    // API.
    let url = format!("{base}/kushki-webhook");
    w.env()
        .await
        .admin_call(
            Mock::Acquirer,
            "POST",
            "/__admin/webhooks",
            Some(json!({"url": url, "key": key})),
        )
        .await;
    w.receiver = Some(server);
    w.webhook_key = Some(key.to_string());
}

async fn webhook_receiver(w: &mut KushkiWorld, ctx: Context) {
    let key = arg(&ctx, 1);
    start_receiver(w, 200, &key).await;
}

async fn webhook_receiver_status(w: &mut KushkiWorld, ctx: Context) {
    let status: u16 = arg(&ctx, 1).parse().expect("a status");
    start_receiver(w, status, DEFAULT_WEBHOOK_KEY).await;
}

async fn webhook_duplicate(w: &mut KushkiWorld, _ctx: Context) {
    require(w, Capability::Faults).await;
    let b = json!({"hop": "webhook", "respond": {"fault": "duplicate"}, "times": 1});
    w.env().await.behaviour(Mock::Acquirer, b).await;
}

async fn received(w: &KushkiWorld) -> Vec<wiremock::Request> {
    let receiver = w
        .receiver
        .as_ref()
        .expect("no webhook receiver (Given a webhook receiver …)");
    receiver.received_requests().await.unwrap_or_default()
}

/// Waits (real time, up to 5 s) until at least `n` deliveries arrived.
async fn wait_for_deliveries(w: &KushkiWorld, n: usize) -> Vec<wiremock::Request> {
    for _ in 0..500 {
        let got = received(w).await;
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let got = received(w).await;
    panic!(
        "expected {n} webhook deliveries within 5 s, got {}",
        got.len()
    );
}

fn hmac_sha256_hex(key: &str, message: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

fn header(r: &wiremock::Request, name: &str) -> String {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Checks one delivery as a receiver following add §3 would: the headers, both signatures and the
/// body's shape.
fn verify_delivery(r: &wiremock::Request, key: &str, which: usize) -> Value {
    let id = header(r, "X-Kushki-Id");
    assert!(
        !header(r, "X-Kushki-Key").is_empty(),
        "add §3: notification {which} has no X-Kushki-Key (the merchant id)"
    );
    assert!(
        id.len() >= 13 && id.chars().all(|c| c.is_ascii_digit()),
        "add §3: X-Kushki-Id of notification {which} is a Unix time in milliseconds, got `{id}`"
    );
    let mut signed = r.body.clone();
    signed.push(b'.');
    signed.extend_from_slice(id.as_bytes());
    assert_eq!(
        header(r, "X-Kushki-Signature"),
        hmac_sha256_hex(key, &signed),
        "add §3: X-Kushki-Signature of notification {which} must be hex HMAC-SHA256(key, body + \".\" + X-Kushki-Id)"
    );
    assert_eq!(
        header(r, "X-Kushki-SimpleSignature"),
        hmac_sha256_hex(key, id.as_bytes()),
        "add §3: X-Kushki-SimpleSignature of notification {which} must be hex HMAC-SHA256(key, X-Kushki-Id)"
    );
    assert!(
        header(r, "content-type").starts_with("application/json"),
        "notification {which} is JSON: content-type `{}`",
        header(r, "content-type")
    );
    let body: Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| {
        panic!(
            "notification {which} is not JSON ({e}): {}",
            String::from_utf8_lossy(&r.body)
        )
    });
    if let Err(v) = schemas::validate(SchemaKind::RawWebhook, &body) {
        panic!(
            "schema: notification {which} breaks raw/webhook.json:\n  {}\nbody: {body}",
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
    body
}

async fn notifications(w: &mut KushkiWorld, ctx: Context) {
    let n: usize = arg(&ctx, 1).parse().expect("a count");
    wait_for_deliveries(w, n).await;
    // A notification too many (a retry after a 2xx, a spurious duplicate) would come quickly.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = received(w).await;
    assert_eq!(
        got.len(),
        n,
        "expected exactly {n} notifications, got {}: {:?}",
        got.len(),
        got.iter()
            .map(|r| String::from_utf8_lossy(&r.body).to_string())
            .collect::<Vec<_>>()
    );
    let key = w.webhook_key.clone().expect("the receiver's key");
    for (i, r) in got.iter().enumerate() {
        verify_delivery(r, &key, i + 1);
    }
}

async fn notification_reports(w: &mut KushkiWorld, ctx: Context) {
    let i: usize = arg(&ctx, 1).parse().expect("an index");
    let name = arg(&ctx, 2);
    let kind = arg(&ctx, 3);
    let status = arg(&ctx, 4);
    let got = wait_for_deliveries(w, i).await;
    let key = w.webhook_key.clone().expect("the receiver's key");
    let body = verify_delivery(&got[i - 1], &key, i);
    let expected = w.named(&name).clone();
    assert_eq!(
        body["transaction_reference"],
        expected.reference.as_str(),
        "notification {i} is about the {name}: {body}"
    );
    assert_eq!(
        body["client_transaction_id"],
        expected.client_transaction_id.as_str(),
        "notification {i} carries the {name}'s client_transaction_id: {body}"
    );
    if !kind.is_empty() {
        assert_eq!(
            body["transaction_type"],
            kind.as_str(),
            "add §3: transaction_type of notification {i}: {body}"
        );
    }
    assert_eq!(
        body["transaction_status"],
        status.as_str(),
        "add §3: transaction_status of notification {i}: {body}"
    );
}

async fn notifications_same(w: &mut KushkiWorld, ctx: Context) {
    let a: usize = arg(&ctx, 1).parse().expect("an index");
    let b: usize = arg(&ctx, 2).parse().expect("an index");
    let got = wait_for_deliveries(w, a.max(b)).await;
    let (x, y) = (&got[a - 1], &got[b - 1]);
    assert_eq!(
        String::from_utf8_lossy(&x.body),
        String::from_utf8_lossy(&y.body),
        "add §3: a duplicate notification carries the same body (a receiver deduplicates by transaction_reference)"
    );
}

async fn bounded_attempts(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::Faults).await;
    let n: usize = arg(&ctx, 1).parse().expect("a count");
    // The acquirer journals a `webhook-delivery` violation when it gives up.
    let mut gave_up = false;
    for _ in 0..500 {
        let journal = w.env().await.journal(Mock::Acquirer).await;
        if journal
            .iter()
            .any(|e| e["violations"].to_string().contains("webhook-delivery"))
        {
            gave_up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        gave_up,
        "the acquirer never gave up delivering the notification within 5 s (retries must be bounded)"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = received(w).await;
    assert_eq!(
        got.len(),
        n,
        "harness-defined: {n} delivery attempts to a receiver that keeps failing, got {}",
        got.len()
    );
    let key = w.webhook_key.clone().expect("the receiver's key");
    for (i, r) in got.iter().enumerate() {
        verify_delivery(r, &key, i + 1);
        assert_eq!(
            r.body,
            got[0].body,
            "attempt {} carries the body of the first",
            i + 1
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Assertions
// ---------------------------------------------------------------------------------------------

fn assert_approved(w: &KushkiWorld) {
    let a = w.last();
    assert!(
        a.status == 200 && a.body["transaction_status"] == "APPROVAL",
        "expected an approval (HTTP 200, transaction_status APPROVAL) from {}, got HTTP {}: {}",
        a.label,
        a.status,
        a.body
    );
}

async fn approved(w: &mut KushkiWorld, _ctx: Context) {
    assert_approved(w);
}

async fn declined(w: &mut KushkiWorld, ctx: Context) {
    let code = arg(&ctx, 1);
    let a = w.last();
    assert!(
        a.status == 200
            && a.body["transaction_status"] == "DECLINED"
            && a.body["message_fields"]["F39"] == code.as_str(),
        "expected a decline with F39 {code} (ref §2.7), got HTTP {}: {}",
        a.status,
        a.body
    );
    assert_eq!(
        a.body["kushki_response"]["code"],
        code.as_str(),
        "kushki_response.code"
    );
}

async fn refused(w: &mut KushkiWorld, ctx: Context) {
    let status: u16 = arg(&ctx, 1).parse().expect("a status");
    let code = arg(&ctx, 2);
    let a = w.last();
    assert!(
        a.status == status && a.body["code"] == code.as_str(),
        "expected HTTP {status} with code {code}, got HTTP {} from {}: {}",
        a.status,
        a.label,
        a.body
    );
}

async fn unauthorized(w: &mut KushkiWorld, _ctx: Context) {
    let a = w.last();
    assert_eq!(
        (a.status, &a.body),
        (401, &json!({"message": "Unauthorized"})),
        "add §2.1: 401 {{\"message\":\"Unauthorized\"}}"
    );
}

async fn fails_with(w: &mut KushkiWorld, ctx: Context) {
    let status: u16 = arg(&ctx, 1).parse().expect("a status");
    let a = w.last();
    assert_eq!(
        a.status, status,
        "ref §2.8: expected HTTP {status} from {}, got: {}",
        a.label, a.body
    );
}

async fn error_names(w: &mut KushkiWorld, ctx: Context) {
    let needle = arg(&ctx, 1);
    let a = w.last();
    let details = a.body["details"]["Message"].as_str().unwrap_or_default();
    assert!(
        details.contains(&needle),
        "expected details.Message to name `{needle}`, got: {}",
        a.body
    );
}

async fn error_origin(w: &mut KushkiWorld, ctx: Context) {
    let origin = arg(&ctx, 1);
    let a = w.last();
    assert_eq!(
        a.body["details"]["Origin"],
        origin.as_str(),
        "add §2.1: details.Origin of {}: {}",
        a.label,
        a.body
    );
}

async fn same_answer(w: &mut KushkiWorld, _ctx: Context) {
    let first = w.named("first answer").reference.clone();
    let again = w.last().body.to_string();
    assert_eq!(
        again, first,
        "an idempotent retry must answer exactly as the first time"
    );
}

async fn authorized_amount(w: &mut KushkiWorld, ctx: Context) {
    let expected = amount(&arg(&ctx, 1));
    let a = w.last();
    let text = match &a.body["authorized_amount"] {
        Value::Number(n) => n.to_string(),
        other => panic!("authorized_amount is not a number: {other} in {}", a.body),
    };
    // Compared as exact decimals: `23`, `23.0` and `23.00` are the same amount.
    let trimmed = match text.split_once('.') {
        Some((units, decimals)) if decimals.chars().all(|c| c == '0') => units.to_string(),
        _ => text.clone(),
    };
    let actual = Amount::parse_display(&format!("{trimmed} {}", expected.currency()))
        .unwrap_or_else(|e| panic!("authorized_amount `{text}` in {}: {e}", a.body));
    assert_eq!(
        actual, expected,
        "authorized_amount of {} (ref §2.5): {}",
        a.label, a.body
    );
}

async fn answer_type(w: &mut KushkiWorld, ctx: Context) {
    let expected = arg(&ctx, 1);
    let a = w.last();
    assert_eq!(
        a.body["transaction_type"],
        expected.as_str(),
        "transaction_type of the answer to {}: {}",
        a.label,
        a.body
    );
}

async fn approval_codes(w: &mut KushkiWorld, _ctx: Context) {
    assert_approved(w);
    let a = w.last();
    assert_eq!(
        a.body["kushki_response"]["code"], "000",
        "add §2.2: an approval's kushki_response.code is \"000\": {}",
        a.body
    );
    assert_eq!(
        a.body["message_fields"]["F39"], "00",
        "add §2.2: an approval's message_fields.F39 is \"00\": {}",
        a.body
    );
    let ticket = a.text("/ticket_number");
    assert!(
        ticket.len() == 18 && ticket.chars().all(|c| c.is_ascii_digit()),
        "add §6.3: ticket_number has 18 digits, got `{ticket}`"
    );
    let reference = a.text("/transaction_reference");
    assert!(
        uuid::Uuid::parse_str(&reference).is_ok(),
        "ref §2.5: transaction_reference is a UUID, got `{reference}`"
    );
}

async fn search_count(w: &mut KushkiWorld, ctx: Context) {
    let n: usize = arg(&ctx, 1).parse().expect("a count");
    let a = w.last();
    assert_eq!(a.status, 200, "search answered {}: {}", a.status, a.body);
    let found = a.body["items"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(
        found, n,
        "expected {n} transactions, found {found}: {}",
        a.body
    );
}

async fn search_first(w: &mut KushkiWorld, ctx: Context) {
    let name = arg(&ctx, 1);
    let expected = w.named(&name).reference.clone();
    let a = w.last();
    assert_eq!(
        a.body["items"][0]["transaction_reference"],
        expected.as_str(),
        "most recent first (ref §2.10): {}",
        a.body
    );
}

async fn search_all_of_type(w: &mut KushkiWorld, ctx: Context) {
    let kind = arg(&ctx, 1);
    let a = w.last();
    let items = a.body["items"].as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty(), "the search found nothing: {}", a.body);
    for item in items {
        assert_eq!(
            item["transaction_type"],
            kind.as_str(),
            "filters.transaction_type {kind} (ref §2.10) let through: {item}"
        );
    }
}

async fn ledger_count(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::Faults).await;
    let n: usize = arg(&ctx, 1).parse().expect("a count");
    let v = w
        .env()
        .await
        .admin_call(Mock::Acquirer, "GET", "/__admin/transactions", None)
        .await;
    let found = v["transactions"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(found, n, "the acquirer's ledger: {v}");
}
