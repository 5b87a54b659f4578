//! What the terminal refuses and how it says so (ref §1.9; `connect/error.json`): a plaintext a
//! scenario writes, operations on unknown transactions, routes, and the error's fields.

use kushki_protocol::connect::ConnectOperation as Op;
use kushki_protocol::money::Amount;
use serde_json::{Value, json};

use super::{assert_error, connect_amount, op, payload};
use crate::env::Connect;
use crate::params::Docstring;
use crate::steps::{Step, step};
use crate::target::Topology;
use crate::world::{KushkiWorld, Named};

/// The steps of this module.
pub const STEPS: &[Step] = &[
    PLAINTEXT,
    UNKNOWN_REFERENCE,
    ON_ROUTE,
    OFFLINE_SERIAL_CHARGE,
    ERROR,
    PARAM,
    TYPE,
    MESSAGE,
    OBJECT,
    NO_APPROVED_FIELD,
];

const PLAINTEXT: Step = step!(When, "the POS sends the ([a-z_]+) plaintext:", plaintext);
async fn plaintext(w: &mut KushkiWorld, (operation, Docstring(text)): (String, Docstring)) {
    let what = match operation.as_str() {
        "print" => Connect::Print,
        op => Connect::Operation(op.parse().unwrap_or_else(|e| panic!("`{op}`: {e}"))),
    };
    let mut text = text.replace("{uuid}", &w.new_client_id());
    // `{charge}`, `{pre-authorization}`, …: the reference of a transaction named earlier.
    for (name, named) in &w.named {
        text = text.replace(&format!("{{{name}}}"), &named.reference);
    }
    if w.receiver.is_some() {
        let url = format!("{}/events", w.receiver_url);
        text = text.replace("{events_webhook_url}", &url);
    }
    let payload: Value = serde_json::from_str(&text).expect("the docstring is JSON");
    let answer = w.env().await.connect(what, payload.clone()).send().await;
    let named = Named {
        reference: String::new(),
        client_transaction_id: super::text(&payload["client_transaction_id"]),
        amount: Amount::zero(w.market.currency()),
        request: payload,
    };
    w.named.insert("request".into(), named);
    w.last = Some(answer);
}

const UNKNOWN_REFERENCE: Step = step!(
    When,
    "the POS (captures|re-authorizes|voids|refunds|adds a post tip to) a transaction the acquirer does not know",
    unknown_reference
);
async fn unknown_reference(w: &mut KushkiWorld, verb: String) {
    let one = Amount::from_minor(100, w.market.currency());
    let (operation, extra) = match verb.as_str() {
        "captures" => (Op::Capture, json!({})),
        "re-authorizes" => (Op::ReAuthorization, json!({"amount": connect_amount(one)})),
        "voids" => (Op::Void, json!({})),
        "refunds" => (Op::Refund, json!({})),
        _ => (Op::PosTip, json!({"tip": one.minor_units()})),
    };
    let mut payload = payload(
        w,
        json!({"transaction_reference": uuid::Uuid::new_v4().to_string()}),
    );
    if let (Some(p), Value::Object(e)) = (payload.as_object_mut(), extra) {
        p.extend(e);
    }
    op(w, "unknown", operation, payload).await;
}

const ON_ROUTE: Step = step!(
    When,
    r#"the POS charges {amount} on the route "([a-z_/]+)""#,
    on_route
);
async fn on_route(w: &mut KushkiWorld, (total, route): (Amount, String)) {
    let payload = payload(w, json!({"amount": connect_amount(total)}));
    let what = Connect::Operation(Op::Charge);
    let answer = w
        .env()
        .await
        .connect(what, payload)
        .on_route(&route)
        .send()
        .await;
    w.last = Some(answer);
}

/// A serial no terminal holds a link for (the cloud answers before checking the signature).
const OFFLINE_SERIAL: &str = "PB00000000000";

const OFFLINE_SERIAL_CHARGE: Step = step!(
    When,
    "the POS charges {amount} through the cloud for a serial with no live link",
    offline_serial_charge
);
async fn offline_serial_charge(w: &mut KushkiWorld, total: Amount) {
    assert_eq!(
        w.config.topology,
        Topology::Cloud,
        "this step needs @topology:cloud"
    );
    let payload = payload(w, json!({"amount": connect_amount(total)}));
    let env = w.env().await;
    let other = kushki_protocol::auth::Credentials::new(
        env.credentials().business_code.expose(),
        OFFLINE_SERIAL,
    );
    let what = Connect::Operation(Op::Charge);
    let answer = env.connect(what, payload).signed_by(other).send().await;
    w.last = Some(answer);
}

const ERROR: Step = step!(
    Then,
    r#"the POS gets error "([A-Z0-9_-]+)" with HTTP (\d+)"#,
    error
);
async fn error(w: &mut KushkiWorld, (code, status): (String, u16)) {
    assert_error(w.last(), &code, status);
}

/// Fails unless the last answer's `field` is `expected`.
fn assert_field(w: &KushkiWorld, field: &str, expected: &str) {
    let a = w.last();
    assert_eq!(a.body[field], expected, "{field} of {}", a.body);
}

const PARAM: Step = step!(Then, r#"the error's param is "([^"]+)""#, param);
async fn param(w: &mut KushkiWorld, expected: String) {
    assert_field(w, "param", &expected);
}

const TYPE: Step = step!(Then, r#"the error's type is "([A-Z_-]+)""#, error_type);
async fn error_type(w: &mut KushkiWorld, expected: String) {
    assert_field(w, "type", &expected);
}

const MESSAGE: Step = step!(Then, r#"the error's message is "([^"]+)""#, message);
async fn message(w: &mut KushkiWorld, expected: String) {
    assert_field(w, "message", &expected);
}

const OBJECT: Step = step!(
    Then,
    "the error's object names the request's client_transaction_id and the terminal",
    object
);
async fn object(w: &mut KushkiWorld, _: ()) {
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

const NO_APPROVED_FIELD: Step = step!(
    Then,
    r#"the answer has no "approved" field"#,
    no_approved_field
);
async fn no_approved_field(w: &mut KushkiWorld, _: ()) {
    let a = w.last();
    assert!(
        a.body.get("approved").is_none() && a.body.get("rawResponse").is_none(),
        "expected no approved/rawResponse: {}",
        a.body
    );
}
