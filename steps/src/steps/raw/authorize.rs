//! New authorizations (ref §2.4, §2.7): charges — by how the card is read, deferred, with a tip,
//! with cashback, with an amount object given field by field, or lost on the way back — and
//! pre-authorizations.

use kushki_protocol::catalog::TestCard;
use kushki_protocol::money::{Amount, AmountBreakdown, Currency};
use kushki_protocol::raw::ReadingType;
use serde_json::{Map, Value, json};

use super::{Authorization, assert_approved};
use crate::env::Mock;
use crate::params::{FromCapture, Table};
use crate::steps::common::require;
use crate::steps::{Step, step};
use crate::target::Capability;
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[
    GIVEN_CHARGE,
    GIVEN_PREAUTH,
    CHARGE,
    CHARGE_READ,
    CHARGE_DEFERRED,
    CHARGE_TIP,
    CHARGE_CASHBACK,
    CHARGE_TABLE,
    CHARGE_LOST,
    PREAUTH,
];

const GIVEN_CHARGE: Step = step!(Given, "an approved charge of {amount}", given_charge);
async fn given_charge(w: &mut KushkiWorld, total: Amount) {
    Authorization::charge(total).send(w, "charge").await;
    assert_approved(w);
}

const GIVEN_PREAUTH: Step = step!(
    Given,
    "an approved pre-authorization of {amount}",
    given_preauth
);
async fn given_preauth(w: &mut KushkiWorld, total: Amount) {
    Authorization::preauth(total)
        .send(w, "pre-authorization")
        .await;
    assert_approved(w);
}

const CHARGE: Step = step!(When, "the terminal app charges {amount}", charge);
async fn charge(w: &mut KushkiWorld, total: Amount) {
    Authorization::charge(total).send(w, "charge").await;
}

const CHARGE_READ: Step = step!(
    When,
    "the terminal app charges {amount} by {reading}(?: with the {card} card)?",
    charge_read
);
async fn charge_read(
    w: &mut KushkiWorld,
    (total, by, card): (Amount, ReadingType, Option<&'static TestCard>),
) {
    let charge = Authorization {
        by,
        card,
        ..Authorization::charge(total)
    };
    charge.send(w, "charge").await;
}

const CHARGE_DEFERRED: Step = step!(
    When,
    r#"the terminal app charges {amount} deferred over (\d+) months(?: with credit type "(\d\d)")?"#,
    charge_deferred
);
async fn charge_deferred(
    w: &mut KushkiWorld,
    (total, months, credit_type): (Amount, String, Option<String>),
) {
    let mut deferred = json!({"months": months});
    if let Some(credit_type) = credit_type {
        deferred["credit_type"] = json!(credit_type);
    }
    let extra = json!({"is_deferred": true, "deferred": deferred});
    Authorization::charge(total)
        .with(extra)
        .send(w, "charge")
        .await;
}

const CHARGE_TIP: Step = step!(
    When,
    "the terminal app charges {amount} with a tip of {amount}",
    charge_tip
);
async fn charge_tip(w: &mut KushkiWorld, (base, tip): (Amount, Amount)) {
    let mut b = AmountBreakdown::untaxed(base);
    b.tip = Some(tip);
    let charge = Authorization::charge(b.total()).with(json!({"amount": b.to_raw_json()}));
    charge.send(w, "charge").await;
}

const CHARGE_CASHBACK: Step = step!(
    When,
    "the terminal app charges {amount} with cashback of {amount}(?: with the {card} card)?",
    charge_cashback
);
async fn charge_cashback(
    w: &mut KushkiWorld,
    (base, cashback, card): (Amount, Amount, Option<&'static TestCard>),
) {
    let extra = json!({"is_cashback": true, "cashback_amount": cashback.to_major_json()});
    let charge = Authorization {
        card,
        ..Authorization::charge(base).with(extra)
    };
    charge.send(w, "charge").await;
}

const CHARGE_TABLE: Step = step!(
    When,
    "the terminal app charges the amount object:",
    charge_table
);
/// A charge whose `amount` object is given field by field (`| subtotal_iva0 | 6.00 PEN |`,
/// `| extra_taxes.iac | 2.00 PEN |`); its total is the sum of every value (ref §2.4, §2.7).
async fn charge_table(w: &mut KushkiWorld, Table(rows): Table) {
    let mut object = Map::new();
    let mut taxes = Map::new();
    let mut currency: Option<Currency> = None;
    let mut total_minor = 0_i64;
    for row in &rows {
        let (field, value) = match row.as_slice() {
            [f, v] => (f.trim(), Amount::from_capture(v).expect("an amount")),
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
            Some(tax) => taxes.insert(tax.to_string(), number),
            None => object.insert(field.to_string(), number),
        };
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
    let extra = json!({"amount": Value::Object(object)});
    Authorization::charge(total)
        .with(extra)
        .send(w, "charge")
        .await;
}

const CHARGE_LOST: Step = step!(
    When,
    "the terminal app charges {amount} but the acquirer's answer is lost",
    charge_lost
);
/// A charge whose answer never reaches the terminal app (the acquirer drops the connection after
/// recording it): the situation a reverse is for (seed).
async fn charge_lost(w: &mut KushkiWorld, total: Amount) {
    require(w, Capability::Faults).await;
    let b = json!({"hop": "acquirer", "match": {"operation": "charge"}, "respond": {"fault": "drop"}, "times": 1});
    w.env().await.behaviour(Mock::Acquirer, b).await;
    Authorization::charge(total).send(w, "charge").await;
    let a = w.last();
    assert!(
        a.status == 0 || a.status >= 500,
        "the behaviour should have dropped the answer, yet the terminal app got HTTP {}: {}",
        a.status,
        a.body
    );
}

const PREAUTH: Step = step!(When, "the terminal app pre-authorizes {amount}", preauth);
async fn preauth(w: &mut KushkiWorld, total: Amount) {
    Authorization::preauth(total)
        .send(w, "pre-authorization")
        .await;
}
