//! Follow-ups on a named transaction (ref §2.4, §2.9, seed): re-authorizations, captures, post
//! tips, voids (partial, smart), reverses and refunds, with or without the card.

use kushki_protocol::money::{Amount, AmountBreakdown};
use serde_json::{Value, json};

use super::{extend, raw_amount, remember, request, send, with_amount};
use crate::env::RawRoute;
use crate::steps::{Step, step};
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[
    REAUTH,
    REAUTH_CHARGE,
    CAPTURE,
    POST_TIP,
    VOID,
    PARTIAL_VOID,
    SMART_VOID,
    REVERSE,
    REVERSE_UNKNOWN,
    REFUND,
    PARTIAL_REFUND,
];

/// A follow-up on the transaction named `of`: a mode and type, an amount when it has its own.
#[derive(Debug, Clone, Copy)]
pub struct FollowUp<'a> {
    /// `Authorization` or `Void`.
    pub mode: &'static str,
    /// Its `transaction_type`.
    pub kind: &'static str,
    /// The transaction it follows.
    pub of: &'a str,
    /// Its own amount, else the original's.
    pub total: Option<Amount>,
    /// Without the card: it then always carries the amount object (seed examples).
    pub cardless: bool,
}

impl FollowUp<'_> {
    /// Its body, `client_transaction_id` and amount.
    pub fn body(self, w: &mut KushkiWorld) -> (Value, String, Amount) {
        let original = w.named(self.of).clone();
        let ctid = w.new_client_id();
        let mut request = request(self.mode, self.kind, &ctid);
        request.transaction_reference = Some(original.reference);
        request.omit_card = self.cardless;
        // A cardless follow-up always carries the amount object (seed examples).
        let amount = self.total.or(self.cardless.then_some(original.amount));
        if let Some(a) = amount {
            request = with_amount(request, a);
        }
        (
            request.to_json(None),
            ctid,
            self.total.unwrap_or(original.amount),
        )
    }

    /// Sends it to `route` with `extra` fields and, when approved, names it `save_as`.
    async fn send(self, w: &mut KushkiWorld, route: RawRoute, save_as: &str, extra: Value) {
        let (mut body, ctid, amount) = self.body(w);
        extend(&mut body, extra);
        send(w, route, &body).await;
        if w.last().status == 200 {
            remember(w, save_as, ctid, amount, body);
        }
    }
}

/// An authorization-mode follow-up of `kind` on `of`.
fn authorization<'a>(kind: &'static str, of: &'a str, total: Option<Amount>) -> FollowUp<'a> {
    FollowUp {
        mode: "Authorization",
        kind,
        of,
        total,
        cardless: false,
    }
}

/// A void of `of` (its type is the original's).
fn void_of(of: &str, total: Option<Amount>, cardless: bool) -> FollowUp<'_> {
    FollowUp {
        mode: "Void",
        kind: original_type(of),
        of,
        total,
        cardless,
    }
}

/// The `transaction_type` of the transaction a scenario calls `name`.
pub fn original_type(name: &str) -> &'static str {
    match name {
        "pre-authorization" => "preAuth",
        "capture" => "capture",
        "re-authorization" => "reAuthorization",
        _ => "charge",
    }
}

const REAUTH: Step = step!(
    When,
    "the terminal app re-authorizes the pre-authorization for {amount}( without the card)?",
    reauth
);
async fn reauth(w: &mut KushkiWorld, (total, cardless): (Amount, bool)) {
    let f = FollowUp {
        cardless,
        ..authorization("reAuthorization", "pre-authorization", Some(total))
    };
    f.send(w, RawRoute::Transaction, "re-authorization", json!({}))
        .await;
}

const REAUTH_CHARGE: Step = step!(
    When,
    "the terminal app re-authorizes the charge for {amount}",
    reauth_charge
);
async fn reauth_charge(w: &mut KushkiWorld, total: Amount) {
    let f = authorization("reAuthorization", "charge", Some(total));
    f.send(w, RawRoute::Transaction, "re-authorization", json!({}))
        .await;
}

const CAPTURE: Step = step!(
    When,
    "the terminal app captures the (pre-authorization|re-authorization)(?: for {amount})?( without the card)?",
    capture
);
async fn capture(w: &mut KushkiWorld, (of, total, cardless): (String, Option<Amount>, bool)) {
    let f = FollowUp {
        cardless,
        ..authorization("capture", &of, total)
    };
    f.send(w, RawRoute::Transaction, "capture", json!({})).await;
}

const POST_TIP: Step = step!(
    When,
    "the terminal app adds a post tip of {amount} to the (charge|pre-authorization)",
    post_tip
);
async fn post_tip(w: &mut KushkiWorld, (tip, of): (Amount, String)) {
    let reference = w.named(&of).reference.clone();
    let mut b = AmountBreakdown::untaxed(Amount::zero(tip.currency()));
    b.tip = Some(tip);
    let mut request = request("Authorization", "posTip", w.new_client_id());
    request.transaction_reference = Some(reference);
    request.amount = Some(b);
    request.currency = Some(tip.currency());
    send(w, RawRoute::Transaction, &request.to_json(None)).await;
}

const VOID: Step = step!(
    When,
    "the terminal app voids the (charge|pre-authorization|capture|re-authorization)( without the card)?",
    void
);
async fn void(w: &mut KushkiWorld, (of, cardless): (String, bool)) {
    let f = void_of(&of, None, cardless);
    f.send(w, RawRoute::Transaction, "void", json!({})).await;
}

const PARTIAL_VOID: Step = step!(
    When,
    "the terminal app voids {amount} of the charge",
    partial_void
);
async fn partial_void(w: &mut KushkiWorld, part: Amount) {
    let f = void_of("charge", Some(part), false);
    f.send(w, RawRoute::Transaction, "void", json!({})).await;
}

const SMART_VOID: Step = step!(When, "the terminal app smart-voids the charge", smart_void);
/// Chile's `is_smart_void` (add §6.2): a void the acquirer may process as a refund.
async fn smart_void(w: &mut KushkiWorld, _: ()) {
    let f = void_of("charge", None, false);
    let extra = json!({"is_smart_void": true});
    f.send(w, RawRoute::Transaction, "void", extra).await;
}

/// A reverse resends the original with mode Reverse and the original's id (seed); a cardless one
/// sends only the amount (seed's cardless example).
pub fn reverse_body(w: &KushkiWorld, of: &str, cardless: bool) -> Value {
    let original = w.named(of).clone();
    if cardless {
        let mut request = with_amount(
            request("Reverse", original_type(of), original.client_transaction_id),
            original.amount,
        );
        request.omit_card = true;
        return request.to_json(None);
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

const REVERSE: Step = step!(
    When,
    "the terminal app reverses the (charge|capture)( without the card)?",
    reverse
);
async fn reverse(w: &mut KushkiWorld, (of, cardless): (String, bool)) {
    let body = reverse_body(w, &of, cardless);
    let original = w.named(&of).clone();
    send(w, RawRoute::Transaction, &body).await;
    if w.last().status == 200 {
        let ctid = original.client_transaction_id;
        remember(w, "reverse", ctid, original.amount, body);
    }
}

const REVERSE_UNKNOWN: Step = step!(
    When,
    "the terminal app reverses a charge that never reached the acquirer",
    reverse_unknown
);
async fn reverse_unknown(w: &mut KushkiWorld, _: ()) {
    let ctid = w.new_client_id();
    let currency = w.market.currency();
    let total = Amount::from_minor(1000 * 10_i64.pow(currency.decimals()), currency);
    let mut request = with_amount(request("Reverse", "charge", ctid), total);
    request.omit_card = true;
    send(w, RawRoute::Transaction, &request.to_json(None)).await;
}

const REFUND: Step = step!(
    When,
    "the terminal app refunds the (charge|capture)( without the card)?",
    refund
);
async fn refund(w: &mut KushkiWorld, (of, cardless): (String, bool)) {
    let f = FollowUp {
        cardless,
        ..authorization("refund", &of, None)
    };
    f.send(w, RawRoute::Refund, "refund", json!({})).await;
}

const PARTIAL_REFUND: Step = step!(
    When,
    "the terminal app refunds {amount} of the charge",
    partial_refund
);
async fn partial_refund(w: &mut KushkiWorld, part: Amount) {
    let f = authorization("refund", "charge", Some(part));
    f.send(w, RawRoute::Refund, "refund", json!({})).await;
}
