//! The card a terminal app reads: fake but well-formed card data, written by
//! `kushki_protocol::card_reads` (the same the mock terminal sends, shared without the suite
//! reaching into a mock).

use kushki_protocol::card_reads::{self, KsnCounter, Pin};
use kushki_protocol::catalog::TestCard;
use kushki_protocol::money::Amount;
use kushki_protocol::raw::{CardDetails, PosDetails, ReadingType};

use crate::world::KushkiWorld;

/// How long the acquirer delays an answer "approved with delay" (ref §2.7; harness-defined).
pub const DELAY_SECS: i64 = kushki_protocol::catalog::DEFAULT_DELAY_SECS;

/// The `card_details` of `card` (the catalog's default without one) read by `by` for `total`.
pub async fn card_details(
    w: &mut KushkiWorld,
    by: ReadingType,
    card: Option<&'static TestCard>,
    total: Amount,
) -> CardDetails {
    let card = card.unwrap_or_else(kushki_protocol::catalog::default_card);
    let market = w.market;
    let now = w.env().await.now().await;
    let serial = w.env().await.serial().to_string();
    card_reads::card_details(
        &KsnCounter::default(),
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
pub fn pos_details(serial: &str) -> PosDetails {
    PosDetails {
        terminal_id: serial.chars().take(15).collect(),
        brand: "SUNMI".into(),
        model: "P2-EU".into(),
        version: "Kushki SunmiV1.1.18".into(),
        has_print: true,
    }
}
