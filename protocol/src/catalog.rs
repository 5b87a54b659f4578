//! Test amounts and test cards, read from `schemas/catalog/*.json`.
//!
//! * **Test amounts** (ref §2.7): a request total of exactly 10, 40, 50, 74 or 174 major units (in
//!   Chile 1000, 4000, 5000, 7400, 17400 pesos) triggers a documented issuer outcome. Every other
//!   total is approved. See `schemas/catalog/test_amounts.json`, which also records the contradicting
//!   worked example of the same page.
//! * **Test cards** (harness-defined H12): Kushki publishes none, so the harness uses the card
//!   brands' public test numbers. Only the mock terminal knows which card it presented; the raw API
//!   only sees fake encrypted hex.
//!
//! Both files are embedded and parsed once.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::mask::Sensitive;
use crate::money::Amount;
use crate::raw::{Country, ReadingType, TransactionMode};

const TEST_AMOUNTS_TEXT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../schemas/catalog/test_amounts.json"
));

const TEST_CARDS_TEXT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../schemas/catalog/test_cards.json"
));

/// The text of `schemas/catalog/test_amounts.json` as embedded.
pub fn test_amounts_text() -> &'static str {
    TEST_AMOUNTS_TEXT
}

/// The text of `schemas/catalog/test_cards.json` as embedded.
pub fn test_cards_text() -> &'static str {
    TEST_CARDS_TEXT
}

/// Which table of ref §2.7 a market uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AmountMarket {
    /// Peru, Mexico, Colombia and every market but Chile (`"default"`).
    #[serde(rename = "default")]
    Default,
    /// Chile: the default amounts ×100, in whole pesos (`"CL"`).
    #[serde(rename = "CL")]
    Chile,
}

impl AmountMarket {
    /// The table a market uses.
    pub fn of(country: Country) -> AmountMarket {
        match country {
            Country::Chile => AmountMarket::Chile,
            Country::Peru | Country::Mexico | Country::Colombia => AmountMarket::Default,
        }
    }
}

/// Which requests a test amount applies to (ref §2.7 "Transaction mode").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AppliesTo {
    /// New authorizations: charge, preAuth, reAuthorization, capture, posTip, refund.
    #[serde(rename = "Authorization")]
    Authorization,
    /// Voids and reverses (`"Void/Reverse"`).
    #[serde(rename = "Void/Reverse")]
    VoidOrReverse,
}

impl AppliesTo {
    /// The rows a request of `mode` is matched against.
    pub fn of(mode: TransactionMode) -> AppliesTo {
        match mode {
            TransactionMode::Authorization => AppliesTo::Authorization,
            TransactionMode::Void | TransactionMode::Reverse => AppliesTo::VoidOrReverse,
        }
    }
}

/// The issuer's decision a test amount triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// `transaction_status: APPROVAL`.
    #[serde(rename = "approved")]
    Approved,
    /// `transaction_status: DECLINED`.
    #[serde(rename = "declined")]
    Declined,
}

/// One row of ref §2.7.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestAmount {
    /// The table the row belongs to.
    pub market: AmountMarket,
    /// The total, in whole major units, that triggers the row.
    #[serde(rename = "amount")]
    pub amount_major: i64,
    /// The requests the row applies to.
    pub applies_to: AppliesTo,
    /// ISO response code the issuer answers (`"01"`, `"00"`, …).
    pub response_code: String,
    /// The table's description text.
    pub message: String,
    /// Approved or declined.
    pub outcome: Outcome,
    /// Whether the approval comes "with delay" (its length is not documented: the mock waits
    /// [`DEFAULT_DELAY_SECS`] unless configured otherwise).
    pub delayed: bool,
    /// Where the row comes from.
    pub source: String,
}

/// Default delay of "approved with delay" test amounts (74, 174; Chile ×100), in clock seconds
/// (harness-defined: ref §2.7 does not give the length).
pub const DEFAULT_DELAY_SECS: i64 = 20;

#[derive(Deserialize)]
struct AmountsFile {
    amounts: Vec<TestAmount>,
}

/// Every test amount, in file order.
///
/// # Panics
///
/// If the embedded catalog does not parse, which the crate's tests rule out.
pub fn test_amounts() -> &'static [TestAmount] {
    static AMOUNTS: OnceLock<Vec<TestAmount>> = OnceLock::new();
    AMOUNTS.get_or_init(
        || match serde_json::from_str::<AmountsFile>(TEST_AMOUNTS_TEXT) {
            Ok(file) => file.amounts,
            Err(e) => panic!("schemas/catalog/test_amounts.json does not parse: {e}"),
        },
    )
}

/// The test amount a request total triggers in `country`, if any: Chile uses the CL rows, every
/// other market the default ones, and a total matches only when it is exactly that many whole major
/// units (`10.50 PEN` matches nothing). `None` means the ordinary outcome, an approval.
pub fn test_amount_for(
    country: Country,
    total: Amount,
    applies_to: AppliesTo,
) -> Option<&'static TestAmount> {
    let market = AmountMarket::of(country);
    let whole = total.whole_major_units()?;
    test_amounts()
        .iter()
        .find(|t| t.market == market && t.applies_to == applies_to && t.amount_major == whole)
}

/// Card brands of the test cards (the raw answer's `franchise`, ref §2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardBrand {
    /// Visa.
    #[serde(rename = "VISA")]
    Visa,
    /// Mastercard.
    #[serde(rename = "MASTERCARD")]
    Mastercard,
    /// American Express.
    #[serde(rename = "AMEX")]
    Amex,
    /// PROSA (Mexican switch; add §6.3 lists it as a franchise).
    #[serde(rename = "PROSA")]
    Prosa,
}

impl CardBrand {
    /// The wire spelling (`"VISA"`), as the raw answer's `franchise`.
    pub fn as_str(self) -> &'static str {
        match self {
            CardBrand::Visa => "VISA",
            CardBrand::Mastercard => "MASTERCARD",
            CardBrand::Amex => "AMEX",
            CardBrand::Prosa => "PROSA",
        }
    }
}

/// Credit or debit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardType {
    /// A credit card.
    #[serde(rename = "credit")]
    Credit,
    /// A debit card.
    #[serde(rename = "debit")]
    Debit,
}

impl CardType {
    /// The spelling of the webhook's `card_type` (`"credit"`, add §3).
    pub fn as_str(self) -> &'static str {
        match self {
            CardType::Credit => "credit",
            CardType::Debit => "debit",
        }
    }
}

/// One of the harness's test cards (harness-defined H12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestCard {
    /// Catalog id (`"visa-credit"`).
    pub id: String,
    /// Card brand.
    pub franchise: CardBrand,
    /// The card number; never shown in logs.
    pub pan: Sensitive,
    /// The first six digits.
    pub bin: String,
    /// The last four digits.
    pub last_four: String,
    /// Credit or debit.
    pub card_type: CardType,
    /// How the mock terminal can read it.
    pub reading_types: Vec<ReadingType>,
    /// The name on the card.
    pub holder_name: String,
    /// Expiry, `MM/YY`.
    pub expiry: String,
    /// Issued in Peru: cashback only works with local cards (add §6.2).
    pub local: bool,
}

impl TestCard {
    /// The PAN as BIN, `X`s and last four (`411111XXXXXX1111`), as webhooks and searches show it.
    pub fn masked_pan(&self) -> String {
        crate::mask::mask_pan(self.pan.expose())
    }

    /// Whether the card can be read that way.
    pub fn supports(&self, reading_type: ReadingType) -> bool {
        self.reading_types.contains(&reading_type)
    }
}

#[derive(Deserialize)]
struct CardsFile {
    default_card: String,
    cards: Vec<TestCard>,
}

fn cards_file() -> &'static CardsFile {
    static CARDS: OnceLock<CardsFile> = OnceLock::new();
    CARDS.get_or_init(
        || match serde_json::from_str::<CardsFile>(TEST_CARDS_TEXT) {
            Ok(file) => file,
            Err(e) => panic!("schemas/catalog/test_cards.json does not parse: {e}"),
        },
    )
}

/// Every test card, in file order.
///
/// # Panics
///
/// If the embedded catalog does not parse, which the crate's tests rule out.
pub fn test_cards() -> &'static [TestCard] {
    &cards_file().cards
}

/// The test card with that id.
pub fn test_card(id: &str) -> Option<&'static TestCard> {
    test_cards().iter().find(|c| c.id == id)
}

/// The card presented when a step names none (`visa-credit`).
///
/// # Panics
///
/// If the catalog's `default_card` names no card, which the crate's tests rule out.
pub fn default_card() -> &'static TestCard {
    let id = &cards_file().default_card;
    match test_card(id) {
        Some(card) => card,
        None => panic!("schemas/catalog/test_cards.json: default_card `{id}` is not a card"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn pen(minor: i64) -> Amount {
        Amount::from_minor(minor, Currency::Pen)
    }

    #[test]
    fn ten_soles_decline_with_01_on_an_authorization() {
        let t = test_amount_for(Country::Peru, pen(1000), AppliesTo::Authorization).unwrap();
        assert_eq!(t.response_code, "01");
        assert_eq!(t.outcome, Outcome::Declined);
        assert!(!t.delayed);
        assert_eq!(t.market, AmountMarket::Default);
    }

    #[test]
    fn the_default_table_serves_mexico_and_colombia() {
        let mxn = Amount::from_minor(4000, Currency::Mxn);
        let t = test_amount_for(Country::Mexico, mxn, AppliesTo::Authorization).unwrap();
        assert_eq!(t.response_code, "04");
        let cop = Amount::from_minor(50, Currency::Cop);
        let t = test_amount_for(Country::Colombia, cop, AppliesTo::Authorization).unwrap();
        assert_eq!(t.response_code, "05");
    }

    #[test]
    fn a_thousand_pesos_decline_with_01_in_chile() {
        let clp = Amount::from_minor(1000, Currency::Clp);
        let t = test_amount_for(Country::Chile, clp, AppliesTo::Authorization).unwrap();
        assert_eq!(t.response_code, "01");
        assert_eq!(t.outcome, Outcome::Declined);
        assert_eq!(t.market, AmountMarket::Chile);
    }

    #[test]
    fn ten_pesos_in_chile_are_not_a_test_amount_and_so_approve() {
        let clp = Amount::from_minor(10, Currency::Clp);
        assert_eq!(
            test_amount_for(Country::Chile, clp, AppliesTo::Authorization),
            None
        );
    }

    #[test]
    fn one_hundred_seventy_four_on_a_void_or_reverse_approves_with_delay() {
        let t = test_amount_for(Country::Peru, pen(17400), AppliesTo::VoidOrReverse).unwrap();
        assert_eq!(t.response_code, "00");
        assert_eq!(t.outcome, Outcome::Approved);
        assert!(t.delayed);
        // The same total on an authorization is not a test amount.
        assert_eq!(
            test_amount_for(Country::Peru, pen(17400), AppliesTo::Authorization),
            None
        );
        let clp = Amount::from_minor(17400, Currency::Clp);
        let t = test_amount_for(Country::Chile, clp, AppliesTo::VoidOrReverse).unwrap();
        assert!(t.delayed && t.outcome == Outcome::Approved);
    }

    #[test]
    fn seventy_four_approves_with_delay() {
        let t = test_amount_for(Country::Peru, pen(7400), AppliesTo::Authorization).unwrap();
        assert_eq!(
            (t.response_code.as_str(), t.outcome, t.delayed),
            ("00", Outcome::Approved, true)
        );
    }

    #[test]
    fn a_fractional_total_is_not_a_test_amount() {
        assert_eq!(
            test_amount_for(Country::Peru, pen(1050), AppliesTo::Authorization),
            None
        );
        assert_eq!(
            test_amount_for(Country::Peru, pen(1001), AppliesTo::Authorization),
            None
        );
    }

    #[test]
    fn applies_to_follows_the_mode() {
        assert_eq!(
            AppliesTo::of(TransactionMode::Authorization),
            AppliesTo::Authorization
        );
        assert_eq!(
            AppliesTo::of(TransactionMode::Void),
            AppliesTo::VoidOrReverse
        );
        assert_eq!(
            AppliesTo::of(TransactionMode::Reverse),
            AppliesTo::VoidOrReverse
        );
    }

    #[test]
    fn every_market_has_the_five_rows() {
        for market in [AmountMarket::Default, AmountMarket::Chile] {
            assert_eq!(
                test_amounts().iter().filter(|t| t.market == market).count(),
                5
            );
        }
        for t in test_amounts() {
            assert_eq!(
                t.outcome == Outcome::Approved,
                t.response_code == "00",
                "{t:?}"
            );
        }
    }

    fn luhn_ok(pan: &str) -> bool {
        let sum: u32 = pan
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let d = u32::from(b - b'0');
                if i % 2 == 1 {
                    let d = d * 2;
                    if d > 9 { d - 9 } else { d }
                } else {
                    d
                }
            })
            .sum();
        sum.is_multiple_of(10)
    }

    #[test]
    fn test_cards_are_consistent() {
        let cards = test_cards();
        assert!(cards.len() >= 6);
        for card in cards {
            let pan = card.pan.expose();
            assert!(luhn_ok(pan), "{} fails Luhn", card.id);
            assert_eq!(&pan[..6], card.bin, "{}", card.id);
            assert_eq!(&pan[pan.len() - 4..], card.last_four, "{}", card.id);
            assert!(!card.reading_types.is_empty(), "{}", card.id);
            assert!(
                !format!("{card:?}").contains(pan),
                "{} leaks its PAN",
                card.id
            );
            assert_eq!(test_card(&card.id), Some(card));
        }
        let ids: std::collections::HashSet<_> = cards.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids.len(), cards.len(), "duplicate card ids");
    }

    #[test]
    fn the_default_card_is_the_local_visa_credit() {
        let card = default_card();
        assert_eq!(card.id, "visa-credit");
        assert_eq!(card.franchise, CardBrand::Visa);
        assert_eq!(card.card_type, CardType::Credit);
        assert!(card.local);
        assert!(card.supports(ReadingType::Icc));
        assert_eq!(card.masked_pan(), "411111XXXXXX1111");
        assert!(test_card("no-such-card").is_none());
    }

    #[test]
    fn local_and_foreign_cards_both_exist() {
        assert!(test_cards().iter().any(|c| c.local));
        assert!(test_cards().iter().any(|c| !c.local));
        for id in [
            "visa-credit",
            "visa-debit",
            "mastercard-credit",
            "mastercard-debit",
            "amex-credit",
            "prosa-debit",
        ] {
            assert!(test_card(id).is_some(), "{id}");
        }
    }
}
