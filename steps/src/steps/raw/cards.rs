//! The card a terminal app reads: fake but well-formed card data (the same the mock terminal
//! sends). The one place the suite reaches into the mocks' internals (`mock_terminal::reader`,
//! `mock_acquirer`'s delay), so that moving them into `kushki-protocol` is one edit here.

use kushki_protocol::catalog::TestCard;
use kushki_protocol::money::Amount;
use kushki_protocol::raw::ReadingType;
use mock_terminal::reader::{self, Pin, Reader};
use serde_json::{Value, json};

use crate::world::KushkiWorld;

/// How long the acquirer delays an answer "approved with delay" (ref §2.7; harness-defined).
pub const DELAY_SECS: i64 = mock_acquirer::domain::rules::DEFAULT_DELAY_SECS;

/// The `card_details` of `card` (the catalog's default without one) read by `by` for `total`.
pub async fn card_details(
    w: &mut KushkiWorld,
    by: ReadingType,
    card: Option<&'static TestCard>,
    total: Amount,
) -> Value {
    let card = card.unwrap_or_else(kushki_protocol::catalog::default_card);
    let market = w.market;
    let now = w.env().await.now().await;
    let serial = w.env().await.serial().to_string();
    reader::card_details(
        &Reader::default(),
        &serial,
        card,
        by,
        Pin::None,
        total,
        market,
        now,
    )
}

/// The `pos_details` of the terminal `serial` (a Sunmi P2, as certified terminal apps send).
pub fn pos_details(serial: &str) -> Value {
    json!({"terminal_id": serial.chars().take(15).collect::<String>(), "brand": "SUNMI", "model": "P2-EU", "version": "Kushki SunmiV1.1.18", "has_print": true})
}
