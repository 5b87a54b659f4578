//! Steps of the raw card-present API (ref §2): a terminal app talking to the acquirer.
//!
//! The terminal app's requests are built here as a certified terminal app would send them (ref
//! §2.3, §2.4, seed); every answer is schema-checked by [`crate::env::RawCall`] before a step
//! reads it. Transactions are named ("the charge", "the pre-authorization", "the capture",
//! "the re-authorization", "the void", "the refund") so later steps can act on them. One module
//! per concept; what they share (building and naming requests) is here.

pub mod answers;
pub mod authorize;
pub mod bad_input;
pub mod behaviours;
pub mod cards;
pub mod delays;
pub mod follow_ups;
pub mod search;
pub mod webhooks;

use kushki_protocol::catalog::TestCard;
use kushki_protocol::money::{Amount, AmountBreakdown};
use kushki_protocol::raw::{
    Operation, ReadingType, TransactionMode, TransactionRequest, TransactionType,
};
use serde_json::{Value, json};

use crate::env::RawRoute;
use crate::world::{KushkiWorld, Named};

/// The raw `amount` object of an untaxed amount.
pub fn raw_amount(a: Amount) -> Value {
    AmountBreakdown::untaxed(a).to_raw_json()
}

/// The raw request for `mode` × `kind` (wire spellings, as the steps name them) with its id:
/// the body is written by `kushki-protocol`'s one writer ([`TransactionRequest::to_json`]).
pub fn request(
    mode: &str,
    kind: &str,
    client_transaction_id: impl Into<String>,
) -> TransactionRequest {
    let operation = mode
        .parse::<TransactionMode>()
        .ok()
        .zip(kind.parse::<TransactionType>().ok())
        .and_then(|(m, k)| Operation::from_wire(m, k))
        .unwrap_or_else(|| panic!("`{mode}` × `{kind}` is not a row of ref §2.3"));
    TransactionRequest::new(operation, client_transaction_id)
}

/// `request` with the untaxed `amount` object of `total`.
pub fn with_amount(mut request: TransactionRequest, total: Amount) -> TransactionRequest {
    request.amount = Some(AmountBreakdown::untaxed(total));
    request.currency = Some(total.currency());
    request
}

/// Adds `extra`'s fields to (or over) `body`'s.
pub fn extend(body: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (body.as_object_mut(), extra) {
        b.extend(e);
    }
}

/// Sends `body` to `route`; its answer becomes the last.
pub async fn send(w: &mut KushkiWorld, route: RawRoute, body: &Value) {
    let answer = w.env().await.raw(route, body).send().await;
    w.last = Some(answer);
}

/// Remembers a transaction under `name`, with the reference the acquirer gave it (empty when it
/// gave none: a reverse only needs the request and its `client_transaction_id`).
pub fn remember(w: &mut KushkiWorld, name: &str, ctid: String, amount: Amount, request: Value) {
    let reference = w.last().text("/transaction_reference");
    let named = Named {
        reference,
        client_transaction_id: ctid,
        amount,
        request,
    };
    w.named.insert(name.to_string(), named);
}

/// A new authorization (a charge or a preAuth) of a card read by a terminal app.
#[derive(Debug, Clone)]
pub struct Authorization {
    /// `charge` or `preAuth`.
    pub kind: &'static str,
    /// Its total.
    pub total: Amount,
    /// How the card is read.
    pub by: ReadingType,
    /// The catalog card, or the default.
    pub card: Option<&'static TestCard>,
    /// Fields added to (or replacing those of) the body.
    pub extra: Value,
}

impl Authorization {
    /// A chip charge of `total` with the default card.
    pub fn charge(total: Amount) -> Self {
        Authorization {
            kind: "charge",
            total,
            by: ReadingType::Icc,
            card: None,
            extra: json!({}),
        }
    }

    /// A chip pre-authorization of `total` with the default card.
    pub fn preauth(total: Amount) -> Self {
        Authorization {
            kind: "preAuth",
            ..Authorization::charge(total)
        }
    }

    /// With `extra`'s fields.
    pub fn with(mut self, extra: Value) -> Self {
        self.extra = extra;
        self
    }

    /// The body as a certified terminal app sends it, and its `client_transaction_id`.
    pub async fn body(self, w: &mut KushkiWorld) -> (Value, String) {
        let ctid = w.new_client_id();
        let serial = w.env().await.serial().to_string();
        let mut request = with_amount(request("Authorization", self.kind, &ctid), self.total);
        request.country = Some(w.market.as_str().to_string());
        request.card_details = Some(cards::card_details(w, self.by, self.card, self.total).await);
        let mut body = request.to_json(Some(&cards::pos_details(&serial)));
        extend(&mut body, self.extra);
        (body, ctid)
    }

    /// Sends it and names it `name` (whatever the answer: a reverse may follow).
    pub async fn send(self, w: &mut KushkiWorld, name: &str) {
        let total = self.total;
        let (body, ctid) = self.body(w).await;
        send(w, RawRoute::Transaction, &body).await;
        remember(w, name, ctid, total, body);
    }
}

/// Fails unless the last answer is an approval.
pub fn assert_approved(w: &KushkiWorld) {
    let a = w.last();
    assert!(
        a.status == 200 && a.body["transaction_status"] == "APPROVAL",
        "expected an approval (HTTP 200, transaction_status APPROVAL) from {}, got HTTP {}: {}",
        a.label,
        a.status,
        a.body
    );
}
