//! Steps of the raw card-present API (ref §2): a terminal app talking to the acquirer.

use cucumber::step::{Collection, Context};
use kushki_protocol::money::{Amount, AmountBreakdown};
use kushki_protocol::raw::ReadingType;
use mock_terminal::reader::{self, Pin, Reader};
use serde_json::{Value, json};

use super::common::require;
use super::step;
use crate::env::Mock;
use crate::params::{amount, arg, card, reading};
use crate::target::Capability;
use crate::world::{KushkiWorld, Named};

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
        r"the terminal app charges {amount} deferred over (\d+) months",
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
        "the terminal app charges {amount} with cashback of {amount}",
        charge_cashback
    );
    let c = step!(c, when, "the terminal app pre-authorizes {amount}", preauth);
    let c = step!(
        c,
        when,
        "the terminal app re-authorizes the pre-authorization for {amount}",
        reauth
    );
    let c = step!(
        c,
        when,
        "the terminal app captures the (pre-authorization|re-authorization)(?: for {amount})?",
        capture
    );
    let c = step!(
        c,
        when,
        "the terminal app adds a post tip of {amount} to the charge",
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
        "the terminal app refunds the charge( without the card)?",
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
        given,
        r#"the acquirer will answer (voids|charges) with issuer code "(\d\d)"(?: (\d+) times)?"#,
        force_code
    );
    let c = step!(
        c,
        given,
        r#"the acquirer rule "([a-z-]+)" is switched off"#,
        rule_off
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
    let c = step!(c, then, r#"the error names "([^"]+)""#, error_names);
    let c = step!(c, then, "the answer is the same as the first", same_answer);
    let c = step!(
        c,
        then,
        r"the search finds (\d+) transactions?",
        search_count
    );
    let c = step!(
        c,
        then,
        "the first transaction found is the (charge|refund|void|pre-authorization)",
        search_first
    );
    step!(
        c,
        then,
        r"the acquirer recorded (\d+) transactions?",
        ledger_count
    )
}

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

/// Sends a new authorization and names it when approved.
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
    send(w, "/pos/v1/transaction", body.clone()).await;
    let last = w.last();
    if last.status == 200 {
        let reference = last.text("/transaction_reference");
        w.named.insert(
            name.to_string(),
            Named {
                reference,
                client_transaction_id: ctid,
                amount: total,
                request: body,
            },
        );
    }
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
    authorize(
        w,
        "charge",
        "charge",
        amount(&arg(&ctx, 1)),
        ReadingType::Icc,
        None,
        json!({"is_deferred": true, "deferred": {"months": months}}),
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
    authorize(
        w,
        "charge",
        "charge",
        base,
        ReadingType::Icc,
        None,
        json!({"is_cashback": true, "cashback_amount": cashback.to_major_json()}),
    )
    .await;
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

#[allow(clippy::too_many_arguments)]
/// A follow-up on a named transaction: void, capture, reAuthorization, posTip, refund.
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
    send(w, path, body.clone()).await;
    let last = w.last();
    if last.status == 200 {
        let reference = last.text("/transaction_reference");
        let amount = total.unwrap_or(original.amount);
        w.named.insert(
            save_as.to_string(),
            Named {
                reference,
                client_transaction_id: ctid,
                amount,
                request: body,
            },
        );
    }
}

async fn reauth(w: &mut KushkiWorld, ctx: Context) {
    let t = amount(&arg(&ctx, 1));
    follow_up(
        w,
        "/pos/v1/transaction",
        "Authorization",
        "reAuthorization",
        "pre-authorization",
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
    follow_up(
        w,
        "/pos/v1/transaction",
        "Authorization",
        "capture",
        &of,
        t,
        false,
        "capture",
    )
    .await;
}

async fn post_tip(w: &mut KushkiWorld, ctx: Context) {
    let tip = amount(&arg(&ctx, 1));
    let original = w.named("charge").clone();
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

async fn reverse(w: &mut KushkiWorld, ctx: Context) {
    let of = arg(&ctx, 1);
    let original = w.named(&of).clone();
    let cardless = !arg(&ctx, 2).is_empty();
    // A reverse resends the original with mode Reverse and the original's id (seed).
    let body = if cardless {
        json!({"amount": raw_amount(original.amount), "transaction_mode": "Reverse", "transaction_type": original_type(&of),
            "client_transaction_id": original.client_transaction_id, "omit_card": true})
    } else {
        let mut b = original.request.clone();
        b["transaction_mode"] = json!("Reverse");
        b["transaction_type"] = json!(original_type(&of));
        if let Some(o) = b.as_object_mut() {
            o.remove("transaction_reference");
            o.remove("is_cashback");
            o.remove("cashback_amount");
        }
        b
    };
    send(w, "/pos/v1/transaction", body).await;
}

async fn reverse_unknown(w: &mut KushkiWorld, _ctx: Context) {
    let ctid = w.new_client_id();
    let currency = w.market.currency();
    let body = json!({"amount": raw_amount(Amount::from_minor(1000 * 10_i64.pow(currency.decimals()), currency)),
        "transaction_mode": "Reverse", "transaction_type": "charge", "client_transaction_id": ctid, "omit_card": true});
    send(w, "/pos/v1/transaction", body).await;
}

async fn refund(w: &mut KushkiWorld, ctx: Context) {
    let cardless = !arg(&ctx, 1).is_empty();
    follow_up(
        w,
        "/pos/v1/refund",
        "Authorization",
        "refund",
        "charge",
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
            amount: Amount::zero(kushki_protocol::money::Currency::Pen),
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

async fn search_by(w: &mut KushkiWorld, ctx: Context) {
    let field = arg(&ctx, 1);
    let charge = w.named("charge").clone();
    let value = if field == "client_transaction_id" {
        charge.client_transaction_id
    } else {
        charge.reference
    };
    let body = json!({"page": 1, "size": 10, "filters": {field: value}});
    send(w, "/pos-analytics/v1/transactions/search", body).await;
}

async fn search_page(w: &mut KushkiWorld, ctx: Context) {
    let page: u32 = arg(&ctx, 1).parse().expect("a page");
    let size: u32 = arg(&ctx, 2).parse().expect("a size");
    send(
        w,
        "/pos-analytics/v1/transactions/search",
        json!({"page": page, "size": size}),
    )
    .await;
}

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

async fn rule_off(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::Faults).await;
    let b = json!({"respond": {"disable_rule": arg(&ctx, 1)}});
    w.env().await.behaviour(Mock::Acquirer, b).await;
}

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

async fn same_answer(w: &mut KushkiWorld, _ctx: Context) {
    let first = w.named("first answer").reference.clone();
    let again = w.last().body.to_string();
    assert_eq!(
        again, first,
        "an idempotent retry must answer exactly as the first time"
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
