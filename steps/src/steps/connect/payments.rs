//! Payments a POS asks the terminal for (ref §1.4, §1.6): charges with their extras, pre-
//! authorizations and the follow-ups on a named transaction, and what the acquirer's answer says.

use kushki_protocol::connect::ConnectOperation as Op;
use kushki_protocol::money::{Amount, AmountBreakdown, parse_major_text};
use serde_json::{Value, json};

use super::{connect_amount, op, payload};
use crate::steps::{Step, step};
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[
    GIVEN_CHARGE,
    GIVEN_PREAUTH,
    CHARGE,
    CHARGE_TIP,
    CHARGE_CASHBACK,
    CHARGE_INSTALLMENTS,
    CHARGE_QUERY_DEFERRED,
    PREAUTH,
    CAPTURE,
    REAUTH,
    TIP,
    VOID,
    REFUND,
    PARTIAL_REFUND,
    APPROVED,
    DECLINED,
    AUTHORIZED,
    TRANSACTION_TYPE,
    TICKET_NUMBER,
    FRANCHISE,
];

/// A new payment of `total` (`extra` adds to or replaces its fields), named `name`.
async fn payment(w: &mut KushkiWorld, operation: Op, name: &str, total: Amount, extra: Value) {
    let mut payload = payload(w, json!({"amount": connect_amount(total)}));
    if let (Some(p), Value::Object(e)) = (payload.as_object_mut(), extra) {
        p.extend(e);
    }
    op(w, name, operation, payload).await;
}

/// A follow-up on the transaction named `of`, named `save_as`.
async fn referenced(w: &mut KushkiWorld, operation: Op, of: &str, save_as: &str, extra: Value) {
    let reference = w.named(of).reference.clone();
    let mut payload = payload(w, json!({"transaction_reference": reference}));
    if let (Some(p), Value::Object(e)) = (payload.as_object_mut(), extra) {
        p.extend(e);
    }
    op(w, save_as, operation, payload).await;
}

const GIVEN_CHARGE: Step = step!(Given, "a POS-approved charge of {amount}", given_charge);
async fn given_charge(w: &mut KushkiWorld, total: Amount) {
    payment(w, Op::Charge, "charge", total, json!({})).await;
    assert_pos_approved(w);
}

const GIVEN_PREAUTH: Step = step!(
    Given,
    "a POS-approved pre-authorization of {amount}",
    given_preauth
);
async fn given_preauth(w: &mut KushkiWorld, total: Amount) {
    payment(w, Op::Authorization, "pre-authorization", total, json!({})).await;
    assert_pos_approved(w);
}

const CHARGE: Step = step!(When, "the POS charges {amount}", charge);
async fn charge(w: &mut KushkiWorld, total: Amount) {
    payment(w, Op::Charge, "charge", total, json!({})).await;
}

const CHARGE_TIP: Step = step!(
    When,
    "the POS charges {amount} with a tip of {amount}",
    charge_tip
);
async fn charge_tip(w: &mut KushkiWorld, (base, tip): (Amount, Amount)) {
    let mut b = AmountBreakdown::untaxed(base);
    b.tip = Some(tip);
    let amount = json!({"amount": b.to_connect_json()});
    payment(w, Op::Charge, "charge", b.total(), amount).await;
}

const CHARGE_CASHBACK: Step = step!(
    When,
    "the POS charges {amount} with cashback of {amount}",
    charge_cashback
);
async fn charge_cashback(w: &mut KushkiWorld, (total, cashback): (Amount, Amount)) {
    let extra = json!({"cashback_amount": cashback.minor_units()});
    payment(w, Op::Charge, "charge", total, extra).await;
}

const CHARGE_INSTALLMENTS: Step = step!(
    When,
    r"the POS charges {amount} in (\d+) installments",
    charge_installments
);
async fn charge_installments(w: &mut KushkiWorld, (total, months): (Amount, u32)) {
    let extra = json!({"deferred": {"months": months}});
    payment(w, Op::Charge, "charge", total, extra).await;
}

const CHARGE_QUERY_DEFERRED: Step = step!(
    When,
    "the POS charges {amount} asking for issuer installments",
    charge_query_deferred
);
async fn charge_query_deferred(w: &mut KushkiWorld, total: Amount) {
    payment(
        w,
        Op::Charge,
        "charge",
        total,
        json!({"query_deferred": true}),
    )
    .await;
}

const PREAUTH: Step = step!(When, "the POS pre-authorizes {amount}", preauth);
async fn preauth(w: &mut KushkiWorld, total: Amount) {
    payment(w, Op::Authorization, "pre-authorization", total, json!({})).await;
}

const CAPTURE: Step = step!(
    When,
    "the POS captures the pre-authorization(?: for {amount})?",
    capture
);
async fn capture(w: &mut KushkiWorld, amount: Option<Amount>) {
    let extra = match amount {
        None => json!({}),
        Some(a) => json!({"amount": connect_amount(a)}),
    };
    referenced(w, Op::Capture, "pre-authorization", "capture", extra).await;
}

const REAUTH: Step = step!(
    When,
    "the POS re-authorizes the pre-authorization for {amount}",
    reauth
);
async fn reauth(w: &mut KushkiWorld, total: Amount) {
    let extra = json!({"amount": connect_amount(total)});
    referenced(
        w,
        Op::ReAuthorization,
        "pre-authorization",
        "re-authorization",
        extra,
    )
    .await;
}

const TIP: Step = step!(
    When,
    "the POS adds a post tip of {amount} to the charge",
    tip
);
async fn tip(w: &mut KushkiWorld, tip: Amount) {
    let extra = json!({"tip": tip.minor_units()});
    referenced(w, Op::PosTip, "charge", "tip", extra).await;
}

const VOID: Step = step!(When, "the POS voids the (charge|pre-authorization)", void);
async fn void(w: &mut KushkiWorld, of: String) {
    referenced(w, Op::Void, &of, "void", json!({})).await;
}

const REFUND: Step = step!(When, "the POS refunds the charge", refund);
async fn refund(w: &mut KushkiWorld, _: ()) {
    referenced(w, Op::Refund, "charge", "refund", json!({})).await;
}

const PARTIAL_REFUND: Step = step!(
    When,
    "the POS refunds {amount} of the charge",
    partial_refund
);
async fn partial_refund(w: &mut KushkiWorld, part: Amount) {
    let extra = json!({"amount": connect_amount(part)});
    referenced(w, Op::Refund, "charge", "refund", extra).await;
}

/// Fails unless the last answer is an approval, encrypted (H8).
pub fn assert_pos_approved(w: &KushkiWorld) {
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

const APPROVED: Step = step!(Then, "the POS gets an approval", approved);
async fn approved(w: &mut KushkiWorld, _: ()) {
    assert_pos_approved(w);
}

const DECLINED: Step = step!(
    Then,
    r#"the POS gets a decline with code "(\d\d)""#,
    declined
);
async fn declined(w: &mut KushkiWorld, code: String) {
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

const AUTHORIZED: Step = step!(Then, "the acquirer authorized {amount}", authorized);
async fn authorized(w: &mut KushkiWorld, expected: Amount) {
    let a = w.last();
    let text = a.text("/rawResponse/authorized_amount");
    let got = parse_major_text(&text, expected.currency(), "authorized_amount")
        .unwrap_or_else(|e| panic!("rawResponse.authorized_amount `{text}`: {e}: {}", a.body));
    assert_eq!(got, expected, "authorized amount of {}", a.body);
}

const TRANSACTION_TYPE: Step = step!(
    Then,
    r#"the acquirer's transaction type is "([A-Za-z]+)""#,
    transaction_type
);
async fn transaction_type(w: &mut KushkiWorld, kind: String) {
    let a = w.last();
    assert_eq!(
        a.body["rawResponse"]["transaction_type"],
        kind.as_str(),
        "rawResponse.transaction_type of {}",
        a.body
    );
}

const TICKET_NUMBER: Step = step!(
    Then,
    "the answer carries an 18-digit ticket number",
    ticket_number
);
async fn ticket_number(w: &mut KushkiWorld, _: ()) {
    let a = w.last();
    let t = a.text("/rawResponse/ticket_number");
    assert!(
        t.len() == 18 && t.bytes().all(|b| b.is_ascii_digit()),
        "ticket number `{t}` of {}",
        a.body
    );
}

const FRANCHISE: Step = step!(Then, "the answer names the ([A-Z]+) franchise", franchise);
async fn franchise(w: &mut KushkiWorld, name: String) {
    let a = w.last();
    assert_eq!(
        a.body["rawResponse"]["franchise"],
        name.as_str(),
        "franchise of {}",
        a.body
    );
}
