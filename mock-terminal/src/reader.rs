//! The card reader: a queue of what the customer will do, set through `POST /__admin/cards`, and
//! the well-formed fake card data a read produces.
//!
//! ```json
//! {"action":"present","reading_type":"NFC","card":"mastercard-debit","pin":"ok","after_seconds":5}
//! ```
//!
//! `action` is `present` (a card is read), `cancel` (the customer cancels), `remove` (the card is
//! pulled out mid-read) or `no_card` (nothing until the reader times out); every other field is
//! optional. `after_seconds` is clock time before the action happens, so a test can abort while
//! the terminal waits. With an empty queue a default approved chip card is read at once.
//!
//! The card data a read produces is written by [`kushki_protocol::card_reads`], shared with the
//! conformance steps.

use std::collections::VecDeque;
use std::sync::Mutex;

use kushki_protocol::card_reads::{KsnCounter, Pin};
use kushki_protocol::catalog::{self, TestCard};
use kushki_protocol::raw::ReadingType;
use serde::{Deserialize, Serialize};

/// What the customer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A card is read.
    Present,
    /// The customer cancels on the terminal.
    Cancel,
    /// The card is removed before the read ends.
    Remove,
    /// No card until the reader times out.
    NoCard,
}

/// One scripted customer action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardAction {
    /// What happens.
    pub action: Action,
    /// How the card is read (default ICC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading_type: Option<ReadingType>,
    /// A catalog card id (default `visa-credit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<String>,
    /// The PIN.
    #[serde(default)]
    pub pin: Pin,
    /// Clock seconds before it happens.
    #[serde(default)]
    pub after_seconds: u32,
}

impl CardAction {
    /// The default read: a chip read of the default card, no PIN, at once.
    pub fn default_read() -> CardAction {
        CardAction {
            action: Action::Present,
            reading_type: Some(ReadingType::Icc),
            card: None,
            pin: Pin::None,
            after_seconds: 0,
        }
    }

    /// Checks the action against the catalog: the card exists and supports the reading type.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let card = self.card()?;
        let rt = self.reading_type.unwrap_or(ReadingType::Icc);
        if !card.supports(rt) {
            return Err((
                "reading_type".into(),
                format!("card `{}` cannot be read by {rt}", card.id),
            ));
        }
        Ok(())
    }

    /// The catalog card.
    pub fn card(&self) -> Result<&'static TestCard, (String, String)> {
        match &self.card {
            None => Ok(catalog::default_card()),
            Some(id) => catalog::test_card(id).ok_or_else(|| {
                let known: Vec<&str> = catalog::test_cards()
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect();
                (
                    "card".into(),
                    format!("unknown card `{id}`; the catalog has {}", known.join(", ")),
                )
            }),
        }
    }
}

/// The reader's queue.
#[derive(Debug, Default)]
pub struct Reader {
    // std Mutex: push and pop only, never across an await.
    queue: Mutex<VecDeque<CardAction>>,
    ksns: KsnCounter,
}

impl Reader {
    /// Queues an action.
    pub fn push(&self, action: CardAction) {
        self.lock().push_back(action);
    }

    /// The next action, or the default read.
    pub fn next(&self) -> CardAction {
        self.lock()
            .pop_front()
            .unwrap_or_else(CardAction::default_read)
    }

    /// The queued actions.
    pub fn queued(&self) -> Vec<CardAction> {
        self.lock().iter().cloned().collect()
    }

    /// Empties the queue.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<CardAction>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The KSNs of this terminal's reads.
    pub fn ksns(&self) -> &KsnCounter {
        &self.ksns
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_default_read_is_an_approved_chip_card() {
        let r = Reader::default();
        let a = r.next();
        assert_eq!(a.action, Action::Present);
        assert_eq!(a.card().unwrap().id, catalog::default_card().id);
    }

    #[test]
    fn unknown_cards_and_impossible_reads_are_refused_with_the_field() {
        let a: CardAction =
            serde_json::from_value(json!({"action":"present","card":"nope"})).unwrap();
        assert_eq!(a.validate().unwrap_err().0, "card");
        assert!(serde_json::from_value::<CardAction>(json!({"action":"wave"})).is_err());
    }
}
