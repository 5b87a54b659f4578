//! The domain words steps speak, and how a step handler receives them typed (the cucumber book's
//! `Parameter` types: `fn feed_cat(world, times: u8)`).
//!
//! A pattern names a word with a placeholder — `{amount}` is `12.00 PEN`, `{card}` a catalog card
//! id, `{reading}` how it is read, `{market}` a market — and a handler takes each capture as a
//! parameter of its type, in order: `async fn charge(w: &mut KushkiWorld, (total, by):
//! (Amount, ReadingType))`. A capture that does not parse fails the step with one message naming
//! the step, the capture and what was expected.

use std::fmt::Display;
use std::str::FromStr;

use cucumber::step::Context;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use kushki_protocol::catalog::{self, TestCard};
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

/// A value one capture group of a step is parsed into.
pub trait FromCapture: Sized {
    /// What the capture should be, for the failure message (`an amount like 12.00 PEN`).
    const EXPECTED: &'static str;

    /// Parses the captured text ("" when an optional group did not take part).
    fn from_capture(text: &str) -> Result<Self, String>;
}

/// One parameter of a step handler: a capture ([`FromCapture`]), or the step's docstring or
/// table, which take no capture.
pub trait StepArg: Sized {
    /// Takes the parameter from the step, reading capture `next` onwards as needed.
    fn take(ctx: &Context, next: &mut usize) -> Self;
}

/// Everything a step handler receives besides the world: one [`StepArg`], a tuple of them in
/// capture order, or `()` for a step without captures. Every capture of the pattern must be taken.
pub trait StepArgs: Sized {
    /// Builds the arguments from the matched step.
    fn from_step(ctx: &Context) -> Self;
}

impl<T: FromCapture> StepArg for T {
    fn take(ctx: &Context, next: &mut usize) -> Self {
        *next += 1;
        let text = ctx
            .matches
            .get(*next)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| {
                panic!(
                    "step `{}` has no capture {next}: its handler takes more parameters than its pattern captures",
                    ctx.step.value
                )
            });
        T::from_capture(text).unwrap_or_else(|e| {
            panic!(
                "step `{}`: capture {next} `{text}` is not {}: {e}",
                ctx.step.value,
                T::EXPECTED
            )
        })
    }
}

/// Checks that a handler took every capture of its pattern.
fn all_taken(ctx: &Context, taken: usize) {
    let captured = ctx.matches.len().saturating_sub(1);
    assert_eq!(
        taken, captured,
        "step `{}`: its handler takes {taken} captures, its pattern has {captured}",
        ctx.step.value
    );
}

/// A single capture.
impl<T: FromCapture> StepArgs for T {
    fn from_step(ctx: &Context) -> Self {
        let mut next = 0;
        let arg = T::take(ctx, &mut next);
        all_taken(ctx, next);
        arg
    }
}

/// The docstring alone.
impl StepArgs for Docstring {
    fn from_step(ctx: &Context) -> Self {
        all_taken(ctx, 0);
        Docstring::take(ctx, &mut 0)
    }
}

/// The table alone.
impl StepArgs for Table {
    fn from_step(ctx: &Context) -> Self {
        all_taken(ctx, 0);
        Table::take(ctx, &mut 0)
    }
}

impl StepArgs for () {
    fn from_step(ctx: &Context) -> Self {
        all_taken(ctx, 0);
    }
}

macro_rules! step_args_tuple {
    ($($t:ident),+) => {
        impl<$($t: StepArg),+> StepArgs for ($($t,)+) {
            fn from_step(ctx: &Context) -> Self {
                let mut next = 0;
                let args = ($($t::take(ctx, &mut next),)+);
                all_taken(ctx, next);
                args
            }
        }
    };
}
step_args_tuple!(A);
step_args_tuple!(A, B);
step_args_tuple!(A, B, C);
step_args_tuple!(A, B, C, D);

/// The step's docstring (a step whose pattern ends with `:`).
#[derive(Debug, Clone)]
pub struct Docstring(pub String);

impl StepArg for Docstring {
    fn take(ctx: &Context, _next: &mut usize) -> Self {
        Docstring(
            ctx.step
                .docstring
                .clone()
                .unwrap_or_else(|| panic!("step `{}` takes a docstring", ctx.step.value)),
        )
    }
}

/// The step's data table, row by row.
#[derive(Debug, Clone)]
pub struct Table(pub Vec<Vec<String>>);

impl StepArg for Table {
    fn take(ctx: &Context, _next: &mut usize) -> Self {
        let table = ctx
            .step
            .table
            .as_ref()
            .unwrap_or_else(|| panic!("step `{}` takes a table", ctx.step.value));
        Table(table.rows.clone())
    }
}

/// Parses with `FromStr`, keeping its error.
fn parsed<T: FromStr>(text: &str) -> Result<T, String>
where
    T::Err: Display,
{
    text.parse().map_err(|e: T::Err| e.to_string())
}

impl FromCapture for String {
    const EXPECTED: &'static str = "text";
    fn from_capture(text: &str) -> Result<Self, String> {
        Ok(text.to_string())
    }
}

/// A count, a number of seconds, an index, a page.
macro_rules! number_capture {
    ($($t:ty),+) => {$(
        impl FromCapture for $t {
            const EXPECTED: &'static str = "a whole number";
            fn from_capture(text: &str) -> Result<Self, String> {
                parsed(text)
            }
        }
    )+};
}
number_capture!(u16, u32, i64, usize);

/// An optional group: `None` when it did not take part.
impl<T: FromCapture> FromCapture for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_capture(text: &str) -> Result<Self, String> {
        match text {
            "" => Ok(None),
            t => T::from_capture(t).map(Some),
        }
    }
}

/// An optional phrase (`( without the card)?`): whether it was said.
impl FromCapture for bool {
    const EXPECTED: &'static str = "a phrase that is there or not";
    fn from_capture(text: &str) -> Result<Self, String> {
        Ok(!text.is_empty())
    }
}

/// `{amount}`.
impl FromCapture for Amount {
    const EXPECTED: &'static str = "an amount like 12.00 PEN";
    fn from_capture(text: &str) -> Result<Self, String> {
        Amount::parse_display(text).map_err(|e| e.to_string())
    }
}

/// `{reading}`.
impl FromCapture for ReadingType {
    const EXPECTED: &'static str = "chip, contactless or swipe";
    fn from_capture(text: &str) -> Result<Self, String> {
        match text {
            "chip" => Ok(ReadingType::Icc),
            "contactless" => Ok(ReadingType::Nfc),
            "swipe" => Ok(ReadingType::Mcr),
            other => Err(format!("`{other}` is no way of reading a card")),
        }
    }
}

/// `{market}`.
impl FromCapture for Country {
    const EXPECTED: &'static str = "Peru, Chile, Mexico or Colombia";
    fn from_capture(text: &str) -> Result<Self, String> {
        match text {
            "Peru" => Ok(Country::Peru),
            "Chile" => Ok(Country::Chile),
            "Mexico" => Ok(Country::Mexico),
            "Colombia" => Ok(Country::Colombia),
            other => Err(format!("`{other}` is not a market")),
        }
    }
}

/// `{card}`: a card of the catalog.
impl FromCapture for &'static TestCard {
    const EXPECTED: &'static str = "a catalog card";
    fn from_capture(id: &str) -> Result<Self, String> {
        catalog::test_card(id).ok_or_else(|| {
            format!(
                "the catalog has {}",
                catalog::test_cards()
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }
}

/// A local date and time, `2026-03-24 10:00:00`.
impl FromCapture for DateTime {
    const EXPECTED: &'static str = "a local date and time like 2026-03-24 10:00:00";
    fn from_capture(text: &str) -> Result<Self, String> {
        parsed(&text.replace(' ', "T"))
    }
}

/// A city a step names (`Lima`): its time zone.
impl FromCapture for TimeZone {
    const EXPECTED: &'static str = "Lima, Santiago, Mexico City or Bogota";
    fn from_capture(city: &str) -> Result<Self, String> {
        let zone = match city {
            "Lima" => "America/Lima",
            "Santiago" => "America/Santiago",
            "Mexico City" => "America/Mexico_City",
            "Bogota" => "America/Bogota",
            other => return Err(format!("`{other}` is not a city of a market")),
        };
        TimeZone::get(zone).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn context(pattern_text: &str, step: &str) -> Context {
        let re = Regex::new(&pattern(pattern_text)).unwrap();
        let caps = re.captures(step).expect("the step matches");
        Context {
            step: cucumber::gherkin::Step {
                keyword: "When ".into(),
                ty: cucumber::gherkin::StepType::When,
                value: step.into(),
                docstring: None,
                table: None,
                span: cucumber::gherkin::Span { start: 0, end: 0 },
                position: cucumber::gherkin::LineCol { line: 0, col: 0 },
            },
            matches: caps
                .iter()
                .map(|m| (None, m.map(|m| m.as_str().to_string()).unwrap_or_default()))
                .collect(),
        }
    }

    #[test]
    fn a_handler_receives_the_domain_words_typed() {
        let ctx = context(
            "the terminal app charges {amount} by {reading}(?: with the {card} card)?",
            "the terminal app charges 12.50 PEN by contactless",
        );
        let (total, by, card): (Amount, ReadingType, Option<&TestCard>) = StepArgs::from_step(&ctx);
        assert_eq!(total.to_string(), "12.50 PEN");
        assert_eq!(by, ReadingType::Nfc);
        assert!(card.is_none());
    }

    #[test]
    fn a_card_outside_the_catalog_fails_with_the_catalog_listed() {
        let e = <&TestCard>::from_capture("acme-gold").unwrap_err();
        assert!(e.contains("visa-credit"), "{e}");
    }

    #[test]
    #[should_panic(expected = "its handler takes 1 captures, its pattern has 2")]
    fn a_handler_must_take_every_capture() {
        let ctx = context("{amount} by {reading}", "1.00 PEN by chip");
        let _: (Amount,) = StepArgs::from_step(&ctx);
    }

    #[test]
    fn placeholders_reject_other_words() {
        let re = Regex::new(&pattern("the terminal app charges {amount} by {reading}")).unwrap();
        assert!(!re.is_match("the terminal app charges 12.50 ABC by chip"));
    }
}
