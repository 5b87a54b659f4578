//! The domain words steps speak, as regex fragments and their parsers: `{amount}` is
//! `12.00 PEN`, `{card}` a catalog card id, `{reading}` how it is read.

use cucumber::step::Context;
use kushki_protocol::catalog;
use kushki_protocol::money::Amount;
use kushki_protocol::raw::{Country, ReadingType};

/// `12.00 PEN`, `1000 CLP`.
pub const AMOUNT: &str = r"(\d+(?:\.\d+)? (?:PEN|USD|MXN|CLP|COP))";
/// A catalog card id (`visa-credit`).
pub const CARD: &str = r"([a-z]+-[a-z]+)";
/// `chip`, `contactless` or `swipe`.
pub const READING: &str = r"(chip|contactless|swipe)";
/// A market name.
pub const MARKET: &str = r"(Peru|Chile|Mexico|Colombia)";

/// Builds a step regex from a pattern with `{amount}`, `{card}`, `{reading}`, `{market}`
/// placeholders, anchored at both ends.
pub fn pattern(p: &str) -> String {
    format!(
        "^{}$",
        p.replace("{amount}", AMOUNT)
            .replace("{card}", CARD)
            .replace("{reading}", READING)
            .replace("{market}", MARKET)
    )
}

/// The `i`-th capture group (from 1) of a step, or "" when it did not participate.
pub fn arg(ctx: &Context, i: usize) -> String {
    ctx.matches
        .get(i)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Parses `{amount}`.
pub fn amount(text: &str) -> Amount {
    Amount::parse_display(text).unwrap_or_else(|e| panic!("`{text}` is not an amount: {e}"))
}

/// Parses `{reading}`.
pub fn reading(text: &str) -> ReadingType {
    match text {
        "contactless" => ReadingType::Nfc,
        "swipe" => ReadingType::Mcr,
        _ => ReadingType::Icc,
    }
}

/// Parses `{market}`.
pub fn market(text: &str) -> Country {
    match text {
        "Chile" => Country::Chile,
        "Mexico" => Country::Mexico,
        "Colombia" => Country::Colombia,
        _ => Country::Peru,
    }
}

/// Checks `{card}` against the catalog.
pub fn card(id: &str) -> String {
    catalog::test_card(id).unwrap_or_else(|| {
        panic!(
            "`{id}` is not a catalog card; the catalog has {}",
            catalog::test_cards()
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    });
    id.to_string()
}

/// The IANA zone of a city a step names (`Lima`), else of the market.
pub fn zone(city: &str) -> &'static str {
    match city {
        "Santiago" => "America/Santiago",
        "Mexico City" => "America/Mexico_City",
        "Bogota" => "America/Bogota",
        _ => "America/Lima",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    #[test]
    fn placeholders_match_the_domain_words() {
        let re = Regex::new(&pattern("the terminal app charges {amount} by {reading}")).unwrap();
        let caps = re
            .captures("the terminal app charges 12.50 PEN by contactless")
            .unwrap();
        assert_eq!(amount(&caps[1]).to_string(), "12.50 PEN");
        assert_eq!(reading(&caps[2]), ReadingType::Nfc);
        assert!(!re.is_match("the terminal app charges 12.50 ABC by chip"));
        assert_eq!(card("visa-credit"), "visa-credit");
    }
}
