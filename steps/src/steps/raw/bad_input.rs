//! Requests a terminal app gets wrong or repeats (add §2.1, ref §2.6): a body the scenario writes,
//! an empty body, another content type, a missing or foreign credential, and retries of a charge
//! (idempotency).

use kushki_protocol::money::{Amount, Currency};
use serde_json::{Value, json};

use super::{Authorization, cards, raw_amount, request, send, with_amount};
use crate::env::RawRoute;
use crate::params::Docstring;
use crate::steps::{Step, step};
use crate::world::{KushkiWorld, Named};

/// The steps of this module.
pub const STEPS: &[Step] = &[
    SAME_AGAIN,
    SAME_ID_OTHER_BODY,
    DOCSTRING,
    EMPTY,
    CONTENT_TYPE,
    CREDENTIAL,
];

const SAME_AGAIN: Step = step!(
    When,
    "the terminal app sends the same charge again",
    same_again
);
async fn same_again(w: &mut KushkiWorld, _: ()) {
    let first = w.last.clone();
    let body = w.named("charge").request.clone();
    send(w, RawRoute::Transaction, &body).await;
    w.named
        .entry("first answer".into())
        .or_insert_with(|| Named {
            reference: first.map(|a| a.body.to_string()).unwrap_or_default(),
            client_transaction_id: String::new(),
            amount: Amount::zero(Currency::Pen),
            request: Value::Null,
        });
}

const SAME_ID_OTHER_BODY: Step = step!(
    When,
    "the terminal app sends another charge with the same client_transaction_id",
    same_id_other_body
);
async fn same_id_other_body(w: &mut KushkiWorld, _: ()) {
    let charge = w.named("charge").clone();
    let mut body = charge.request;
    let total = charge.amount;
    body["amount"] = raw_amount(Amount::from_minor(
        total.minor_units() + 100,
        total.currency(),
    ));
    send(w, RawRoute::Transaction, &body).await;
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

const DOCSTRING: Step = step!(When, r#"the terminal app sends to "(/[^"]+)":"#, docstring);
async fn docstring(w: &mut KushkiWorld, (route, Docstring(text)): (RawRoute, Docstring)) {
    let text = fill(w, &text);
    let answer = w.env().await.raw(route, &json!({})).text(text).send().await;
    w.last = Some(answer);
}

const EMPTY: Step = step!(
    When,
    r#"the terminal app sends an empty body to "(/[^"]+)""#,
    empty
);
async fn empty(w: &mut KushkiWorld, route: RawRoute) {
    let call = w.env().await.raw(route, &json!({}));
    let answer = call.text(String::new()).send().await;
    w.last = Some(answer);
}

const CONTENT_TYPE: Step = step!(
    When,
    r#"the terminal app sends a charge with the content type "([^"]+)""#,
    content_type
);
async fn content_type(w: &mut KushkiWorld, content_type: String) {
    let total = Amount::from_minor(1200, w.market.currency());
    let (body, _) = Authorization::charge(total).body(w).await;
    let call = w.env().await.raw(RawRoute::Transaction, &body);
    let answer = call.content_type(Some(&content_type)).send().await;
    w.last = Some(answer);
}

const CREDENTIAL: Step = step!(
    When,
    r#"the terminal app sends a charge (without a credential|with the credential "[^"]*")"#,
    credential
);
async fn credential(w: &mut KushkiWorld, how: String) {
    let credential = how
        .strip_prefix("with the credential \"")
        .map(|c| c.trim_end_matches('"').to_string());
    let ctid = w.new_client_id();
    let total = Amount::from_minor(1200, w.market.currency());
    let mut request = with_amount(request("Authorization", "charge", ctid), total);
    request.card_details =
        Some(cards::card_details(w, kushki_protocol::raw::ReadingType::Icc, None, total).await);
    let body = request.to_json(None);
    let call = w.env().await.raw(RawRoute::Transaction, &body);
    let answer = call.credential(credential).send().await;
    w.last = Some(answer);
}
