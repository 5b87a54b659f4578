//! The customer at the terminal (ref §1.7 reader states; harness-defined scripting): the card they
//! present and how, or their cancelling, pulling the card out, or presenting nothing. Scripted on
//! a mock's reader; asked of the operator at a real terminal with `--interactive`.

use kushki_protocol::catalog::TestCard;
use kushki_protocol::raw::ReadingType;
use serde_json::json;

use crate::steps::common::{require, script_or_ask};
use crate::steps::{Step, step};
use crate::target::Capability;
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[PRESENT, PRESENT_LATER, CANCELS, REMOVES, NO_CARD];

const PRESENT: Step = step!(
    Given,
    "the customer will present the {card} card by {reading}(?: and enter the (right|wrong) PIN)?",
    present
);
async fn present(
    w: &mut KushkiWorld,
    (card, by, pin): (&'static TestCard, ReadingType, Option<String>),
) {
    let pin = match pin.as_deref() {
        Some("right") => "ok",
        Some(_) => "wrong",
        None => "none",
    };
    let how = match by {
        ReadingType::Nfc => "contactless",
        ReadingType::Mcr => "swipe",
        _ => "chip",
    };
    let ask = format!(
        "when it asks, present the {} card by {how} (PIN: {pin})",
        card.id
    );
    if script_or_ask(w, &ask).await {
        let action =
            json!({"action": "present", "card": card.id, "reading_type": by.as_str(), "pin": pin});
        w.env().await.card(action).await;
    }
}

const PRESENT_LATER: Step = step!(
    Given,
    r"the customer will present a card after (\d+) seconds",
    present_later
);
async fn present_later(w: &mut KushkiWorld, secs: u32) {
    require(w, Capability::ScriptedCard).await;
    let action = json!({"action": "present", "after_seconds": secs});
    w.env().await.card(action).await;
}

const CANCELS: Step = step!(Given, "the customer will cancel", cancels);
async fn cancels(w: &mut KushkiWorld, _: ()) {
    if script_or_ask(w, "when it asks for the card, cancel on the terminal").await {
        w.env().await.card(json!({"action": "cancel"})).await;
    }
}

const REMOVES: Step = step!(Given, "the customer will remove the card", removes);
async fn removes(w: &mut KushkiWorld, _: ()) {
    let ask = "when it reads the card, pull it out before the read ends";
    if script_or_ask(w, ask).await {
        w.env().await.card(json!({"action": "remove"})).await;
    }
}

const NO_CARD: Step = step!(Given, "no card will be presented", no_card);
async fn no_card(w: &mut KushkiWorld, _: ()) {
    if script_or_ask(w, "present no card and let the reader time out").await {
        w.env().await.card(json!({"action": "no_card"})).await;
    }
}
