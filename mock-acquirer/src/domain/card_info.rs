//! Card information without moving money: balance inquiry, BIN info (v1, v2) and deferred options.
//!
//! **HARNESS-DEFINED (H14).** Kushki lists these four raw card-present operations but publishes no
//! path, body or answer for any of them (ref §2.2, §5 #11; add §6.1). Everything here is the
//! harness's own decision, written down in `schemas/README.md` H14 and in the `x-source` of
//! `schemas/raw/{balance_inquiry,bin_info,bin_info_v2,deferred_options}.*.json`:
//!
//! * BIN info comes from the test card catalog (H12) by BIN, else from the first digits
//!   (4 VISA, 5 or 2 MASTERCARD, 34 or 37 AMEX, 36 or 38 DINERS, anything else VISA as in
//!   [`super::cards::info_from_pan`]) with bank `Unknown` and country `XXX`. An all-zero bin is
//!   "empty" (add §2.1: `BinInfoMiddleware | getBinInfo`, "Error the bin is empty").
//! * The balance is a fixed 1000.00 in the market's currency.
//! * Deferred options follow the online API's facts (add §6.1): Mexico `"03"` months without
//!   interest from a minimum of 100 MXN per month (3 m 300 … 18 m 1,800), Chile `"01"` Cuotas
//!   Emisor and `"03"` Cuotas Comercio, Colombia and Peru `"01"`. Debit cards get none.
//!
//! No HTTP here: [`crate::routes::card_info`] calls these.

use kushki_protocol::catalog::{self, CardBrand, CardType};
use kushki_protocol::money::{Amount, Currency};
use kushki_protocol::raw::Country;
use serde_json::{Value, json};

/// `details.Origin` of BIN errors (add §2.1).
pub const BIN_ORIGIN: &str = "BinInfoMiddleware | getBinInfo";

/// `details.Message` of an empty (all-zero) bin (add §2.1).
pub const BIN_EMPTY: &str = "Error the bin is empty";

/// Bank of a BIN the catalog does not know.
pub const UNKNOWN_BANK: &str = "Unknown";

/// Issuer country of a BIN the catalog does not know (the ISO 3166 alpha-3 shape, not a country).
pub const UNKNOWN_COUNTRY: &str = "XXX";

/// The balance every approved inquiry shows, in whole major units of the market's currency.
pub const BALANCE_MAJOR: i64 = 1000;

/// Why a bin is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BinError {
    /// Empty or all zeros.
    #[error("Error the bin is empty")]
    Empty,
    /// Not 6 or 8 digits.
    #[error("must be 6 or 8 digits")]
    Length,
}

/// Whether a bin is "empty": no digits but zeros (add §2.1's "Error the bin is empty").
pub fn bin_is_empty(bin: &str) -> bool {
    bin.bytes().all(|b| b == b'0')
}

/// What the acquirer knows about a BIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinInfo {
    /// The bin as asked (6 or 8 digits).
    pub bin: String,
    /// `franchise` spelling (`VISA`, …).
    pub brand: &'static str,
    /// Credit or debit.
    pub card_type: CardType,
    /// Issuing bank.
    pub bank: &'static str,
    /// Issuer's ISO 3166 alpha-3 code ([`UNKNOWN_COUNTRY`] when unknown).
    pub country: &'static str,
    /// The catalog card it matched, if any.
    pub catalog_card: Option<&'static str>,
}

/// Looks a bin up: the catalog first (by its first six digits), else the brand's digits.
pub fn bin_info(bin: &str) -> Result<BinInfo, BinError> {
    if bin_is_empty(bin) {
        return Err(BinError::Empty);
    }
    if !(bin.len() == 6 || bin.len() == 8) || !bin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BinError::Length);
    }
    let six = &bin[..6];
    if let Some(card) = catalog::test_cards().iter().find(|c| c.bin == six) {
        let (bank, country) = catalog_issuer(card.franchise, card.local);
        return Ok(BinInfo {
            bin: bin.to_string(),
            brand: card.franchise.as_str(),
            card_type: card.card_type,
            bank,
            country,
            catalog_card: Some(card.id.as_str()),
        });
    }
    Ok(BinInfo {
        bin: bin.to_string(),
        brand: brand_of_digits(bin),
        card_type: CardType::Credit,
        bank: UNKNOWN_BANK,
        country: UNKNOWN_COUNTRY,
        catalog_card: None,
    })
}

/// The brand of a card number's first digits (the same fallbacks as the card reader's).
pub fn brand_of_digits(digits: &str) -> &'static str {
    match digits.as_bytes() {
        [b'4', ..] => "VISA",
        [b'3', b'4' | b'7', ..] => "AMEX",
        [b'3', b'6' | b'8', ..] => "DINERS",
        [b'5' | b'2', ..] => "MASTERCARD",
        _ => "VISA",
    }
}

/// Issuer of a catalog card (harness-defined: the catalog's `local` cards are Peruvian, PROSA is
/// the Mexican switch, the brands' other public test numbers are taken as US-issued).
fn catalog_issuer(brand: CardBrand, local: bool) -> (&'static str, &'static str) {
    match (local, brand) {
        (true, _) => ("Harness Test Bank Peru", "PER"),
        (false, CardBrand::Prosa) => ("Harness Test Bank Mexico", "MEX"),
        (false, _) => ("Harness Test Bank USA", "USA"),
    }
}

impl BinInfo {
    /// The v1 answer `{bin, brand, card_type, bank, country}`.
    pub fn v1_json(&self) -> Value {
        json!({
            "bin": self.bin,
            "brand": self.brand,
            "card_type": self.card_type.as_str(),
            "bank": self.bank,
            "country": self.country,
        })
    }

    /// The v2 answer: v1 plus `bin_length`, `is_prepaid` (never, for the harness's cards),
    /// `is_local` (issued in `market`), `issuer{name, country}` and `product`.
    pub fn v2_json(&self, market: Country) -> Value {
        let mut v = self.v1_json();
        let kind = match self.card_type {
            CardType::Credit => "CREDIT",
            CardType::Debit => "DEBIT",
        };
        if let Value::Object(map) = &mut v {
            map.insert("bin_length".into(), json!(self.bin.len()));
            map.insert("is_prepaid".into(), json!(false));
            map.insert("is_local".into(), json!(self.country == market.as_str()));
            map.insert(
                "issuer".into(),
                json!({"name": self.bank, "country": self.country}),
            );
            map.insert("product".into(), json!(format!("{} {kind}", self.brand)));
        }
        v
    }
}

/// The balance of an approved inquiry: [`BALANCE_MAJOR`] in the market's currency.
pub fn balance(market: Country) -> Amount {
    let currency = market.currency();
    Amount::from_minor(BALANCE_MAJOR * 10_i64.pow(currency.decimals()), currency)
}

/// One deferred option (the online API's `{type, name, months, monthsOfGrace}`, ref §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferredOption {
    /// Credit type code (`"03"`).
    pub credit_type: &'static str,
    /// Name shown to the cardholder.
    pub name: &'static str,
    /// Installment counts on offer.
    pub months: Vec<u32>,
}

impl DeferredOption {
    /// The wire form; `monthsOfGrace` is always empty (add §6.1: `graceMonths` always `"00"`).
    pub fn to_json(&self) -> Value {
        let months: Vec<String> = self.months.iter().map(u32::to_string).collect();
        json!({
            "type": self.credit_type,
            "name": self.name,
            "months": months,
            "monthsOfGrace": [],
        })
    }
}

/// Mexico's months without interest and the minimum total of each, in whole MXN (add §6.1).
pub const MX_MONTHS_MINIMUM: [(u32, i64); 5] =
    [(3, 300), (6, 600), (9, 900), (12, 1200), (18, 1800)];

/// Months offered outside Mexico (harness-defined: the sources give no list).
pub const OTHER_MONTHS: [u32; 4] = [3, 6, 9, 12];

/// The deferred options for a card type and a total in a market. Debit cards and a zero total get
/// none; in Mexico only the months whose minimum the total reaches.
pub fn deferred_options(
    market: Country,
    card_type: CardType,
    total: Amount,
) -> Vec<DeferredOption> {
    if card_type == CardType::Debit || total.minor_units() <= 0 {
        return Vec::new();
    }
    let others = || OTHER_MONTHS.to_vec();
    match market {
        Country::Mexico => {
            let reached: Vec<u32> = MX_MONTHS_MINIMUM
                .iter()
                .filter(|(_, min)| {
                    let min = Amount::from_minor(min * 100, Currency::Mxn);
                    total.currency() == Currency::Mxn && total.minor_units() >= min.minor_units()
                })
                .map(|(m, _)| *m)
                .collect();
            if reached.is_empty() {
                Vec::new()
            } else {
                vec![DeferredOption {
                    credit_type: "03",
                    name: "Meses sin intereses",
                    months: reached,
                }]
            }
        }
        Country::Chile => vec![
            DeferredOption {
                credit_type: "01",
                name: "Cuotas Emisor",
                months: others(),
            },
            DeferredOption {
                credit_type: "03",
                name: "Cuotas Comercio",
                months: others(),
            },
        ],
        Country::Colombia | Country::Peru => vec![DeferredOption {
            credit_type: "01",
            name: "Cuotas con intereses",
            months: others(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mxn(minor: i64) -> Amount {
        Amount::from_minor(minor, Currency::Mxn)
    }

    #[test]
    fn catalog_bins_give_the_catalog_card() {
        let visa = bin_info("411111").unwrap();
        assert_eq!(visa.brand, "VISA");
        assert_eq!(visa.card_type, CardType::Credit);
        assert_eq!(visa.country, "PER");
        assert_eq!(visa.catalog_card, Some("visa-credit"));
        let prosa = bin_info("50622100").unwrap();
        assert_eq!(
            (prosa.brand, prosa.card_type, prosa.country),
            ("PROSA", CardType::Debit, "MEX")
        );
        let mc = bin_info("555555").unwrap();
        assert_eq!((mc.brand, mc.country), ("MASTERCARD", "USA"));
    }

    #[test]
    fn unknown_bins_fall_back_to_the_first_digits() {
        for (bin, brand) in [
            ("400001", "VISA"),
            ("51000000", "MASTERCARD"),
            ("222100", "MASTERCARD"),
            ("340000", "AMEX"),
            ("370000", "AMEX"),
            ("360000", "DINERS"),
            ("380000", "DINERS"),
        ] {
            let info = bin_info(bin).unwrap();
            assert_eq!(info.brand, brand, "{bin}");
            assert_eq!((info.bank, info.country), (UNKNOWN_BANK, UNKNOWN_COUNTRY));
            assert_eq!(info.catalog_card, None);
        }
    }

    #[test]
    fn empty_and_badly_sized_bins_are_refused() {
        assert_eq!(bin_info("000000"), Err(BinError::Empty));
        assert_eq!(bin_info("00000000"), Err(BinError::Empty));
        assert_eq!(bin_info(""), Err(BinError::Empty));
        assert_eq!(bin_info("41111"), Err(BinError::Length));
        assert_eq!(bin_info("4111111"), Err(BinError::Length));
        assert_eq!(bin_info("41111a"), Err(BinError::Length));
        assert_eq!(BinError::Empty.to_string(), BIN_EMPTY);
    }

    #[test]
    fn v2_adds_issuer_product_and_locality() {
        let v = bin_info("41111111").unwrap().v2_json(Country::Peru);
        assert_eq!(v["bin_length"], json!(8));
        assert_eq!(v["is_local"], json!(true));
        assert_eq!(v["issuer"]["country"], json!("PER"));
        assert_eq!(v["product"], json!("VISA CREDIT"));
        let v = bin_info("411111").unwrap().v2_json(Country::Mexico);
        assert_eq!(v["is_local"], json!(false));
    }

    #[test]
    fn the_balance_is_a_thousand_in_the_market_currency() {
        assert_eq!(balance(Country::Peru).major_text(), "1000.00");
        assert_eq!(balance(Country::Peru).currency(), Currency::Pen);
        assert_eq!(balance(Country::Chile).major_text(), "1000");
        assert_eq!(balance(Country::Mexico).currency(), Currency::Mxn);
    }

    #[test]
    fn mexico_offers_only_the_months_the_amount_reaches() {
        let months = |minor| {
            deferred_options(Country::Mexico, CardType::Credit, mxn(minor))
                .first()
                .map(|o| o.months.clone())
                .unwrap_or_default()
        };
        assert_eq!(months(29_999), Vec::<u32>::new());
        assert_eq!(months(30_000), vec![3]);
        assert_eq!(months(59_999), vec![3]);
        assert_eq!(months(60_000), vec![3, 6]);
        assert_eq!(months(119_999), vec![3, 6, 9]);
        assert_eq!(months(180_000), vec![3, 6, 9, 12, 18]);
        let opt = &deferred_options(Country::Mexico, CardType::Credit, mxn(60_000))[0];
        assert_eq!(opt.credit_type, "03");
        assert_eq!(
            opt.to_json(),
            json!({"type": "03", "name": "Meses sin intereses", "months": ["3", "6"], "monthsOfGrace": []})
        );
    }

    #[test]
    fn other_markets_and_debit_cards() {
        let clp = Amount::from_minor(100_000, Currency::Clp);
        let cl = deferred_options(Country::Chile, CardType::Credit, clp);
        let types: Vec<_> = cl.iter().map(|o| (o.credit_type, o.name)).collect();
        assert_eq!(
            types,
            vec![("01", "Cuotas Emisor"), ("03", "Cuotas Comercio")]
        );
        let pen = Amount::from_minor(10_000, Currency::Pen);
        let pe = deferred_options(Country::Peru, CardType::Credit, pen);
        assert_eq!(pe.len(), 1);
        assert_eq!(pe[0].credit_type, "01");
        assert_eq!(
            deferred_options(Country::Colombia, CardType::Credit, pen)[0].credit_type,
            "01"
        );
        assert!(deferred_options(Country::Peru, CardType::Debit, pen).is_empty());
        assert!(deferred_options(Country::Mexico, CardType::Debit, mxn(500_000)).is_empty());
        assert!(
            deferred_options(Country::Peru, CardType::Credit, Amount::zero(Currency::Pen))
                .is_empty()
        );
    }
}
