//! Money: integer minor units with their currency, and the wire's `amount` objects parsed exactly.
//!
//! The raw card-present API carries decimal numbers in major units (`"subtotal_iva0": 12.50`), and
//! Kushki ONE Connect carries integers in minor units (harness-defined H1 in `schemas/README.md`).
//! Both are parsed from the number's own text (serde_json's `arbitrary_precision` keeps it), so
//! `12.505` for PEN is an error naming the field, never a rounding.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

/// ISO 4217 currencies the raw card-present API accepts (`amount.currency`, ref §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// Peruvian sol, 2 decimals.
    #[serde(rename = "PEN")]
    Pen,
    /// US dollar, 2 decimals.
    #[serde(rename = "USD")]
    Usd,
    /// Mexican peso, 2 decimals.
    #[serde(rename = "MXN")]
    Mxn,
    /// Chilean peso, no decimals.
    #[serde(rename = "CLP")]
    Clp,
    /// Colombian peso, no decimals (CO docs: "COP (0)", ref §0).
    #[serde(rename = "COP")]
    Cop,
}

impl Currency {
    /// Every currency, in a stable order.
    pub const ALL: [Currency; 5] = [
        Currency::Pen,
        Currency::Usd,
        Currency::Mxn,
        Currency::Clp,
        Currency::Cop,
    ];

    /// Number of decimals of the currency's minor unit.
    pub fn decimals(self) -> u32 {
        match self {
            Currency::Pen | Currency::Usd | Currency::Mxn => 2,
            Currency::Clp | Currency::Cop => 0,
        }
    }

    /// The wire spelling (`"PEN"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Currency::Pen => "PEN",
            Currency::Usd => "USD",
            Currency::Mxn => "MXN",
            Currency::Clp => "CLP",
            Currency::Cop => "COP",
        }
    }

    fn scale(self) -> i64 {
        10_i64.pow(self.decimals())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| MoneyError::new("currency", format!("unknown currency `{s}`")))
    }
}

/// A sum of money: integer minor units and the currency they count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Amount {
    minor: i64,
    currency: Currency,
}

impl Amount {
    /// An amount of `minor` minor units (céntimos, centavos, or whole pesos for CLP and COP).
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Amount { minor, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Amount::from_minor(0, currency)
    }

    /// Minor units.
    pub fn minor_units(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// Whole major units when the amount has no fractional part (`10.00 PEN` -> `Some(10)`).
    pub fn whole_major_units(self) -> Option<i64> {
        let scale = self.currency.scale();
        (self.minor % scale == 0).then_some(self.minor / scale)
    }

    /// Sum of two amounts of the same currency; `None` on a currency mismatch or overflow.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_add(other.minor))
            .flatten()
            .map(|minor| Amount::from_minor(minor, self.currency))
    }

    /// Difference of two amounts of the same currency; `None` on a mismatch or overflow.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_sub(other.minor))
            .flatten()
            .map(|minor| Amount::from_minor(minor, self.currency))
    }

    /// The amount as the raw API writes it: a JSON number in major units with the currency's
    /// decimals (`12.50`), built from text so no float is involved.
    pub fn to_major_json(self) -> Number {
        let text = self.major_text();
        // `major_text` always produces a valid JSON number.
        text.parse::<Number>().unwrap_or_else(|_| Number::from(0))
    }

    /// Major units as decimal text without the currency (`"12.50"`, `"1000"`).
    pub fn major_text(self) -> String {
        let decimals = self.currency.decimals() as usize;
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if decimals == 0 {
            return format!("{sign}{abs}");
        }
        let scale = self.currency.scale().unsigned_abs();
        format!("{sign}{}.{:0decimals$}", abs / scale, abs % scale)
    }

    /// Parses the conformance steps' notation, `"12.00 PEN"` or `"1000 CLP"`.
    pub fn parse_display(text: &str) -> Result<Amount, MoneyError> {
        let (number, currency) = text.trim().split_once(' ').ok_or_else(|| {
            MoneyError::new("amount", format!("`{text}` is not `<number> <CUR>`"))
        })?;
        let currency: Currency = currency.trim().parse()?;
        parse_major_text(number.trim(), currency, "amount")
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.major_text(), self.currency)
    }
}

/// A value on the wire that is not a valid amount; `field` is its JSON path (`amount.iva`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct MoneyError {
    /// Dotted path of the offending field, relative to the request (`amount.subtotal_iva0`).
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl MoneyError {
    fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        MoneyError {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The field as a JSON pointer (`/amount/subtotal_iva0`).
    pub fn pointer(&self) -> String {
        format!("/{}", self.field.replace('.', "/"))
    }
}

/// Parses a non-negative decimal in major units from its exact text, refusing more decimals than
/// the currency has (`12.505` PEN) instead of rounding. Exponents are accepted when exact
/// (`1.25e1` is `12.50`).
pub fn parse_major_text(text: &str, currency: Currency, field: &str) -> Result<Amount, MoneyError> {
    let bad = |reason: String| MoneyError::new(field, reason);
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => {
            let exp: i32 = text[i + 1..]
                .parse()
                .map_err(|_| bad(format!("`{text}` is not a decimal number")))?;
            (&text[..i], exp)
        }
        None => (text, 0),
    };
    let negative = mantissa.starts_with('-');
    let mantissa = mantissa.trim_start_matches('-');
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty()
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad(format!("`{text}` is not a decimal number")));
    }
    // The digits (integer part then fraction, read without copying them) and the power of ten
    // they must be multiplied by to give minor units.
    let power = i64::from(exponent) - frac_part.len() as i64 + i64::from(currency.decimals());
    let digits = || int_part.bytes().chain(frac_part.bytes());
    let count = int_part.len() + frac_part.len();
    let too_large = || bad(format!("`{text}` is too large"));
    let accumulate = |taken: usize| -> Result<i64, MoneyError> {
        digits().take(taken).try_fold(0i64, |acc, b| {
            acc.checked_mul(10)
                .and_then(|v| v.checked_add(i64::from(b - b'0')))
                .ok_or_else(too_large)
        })
    };
    let minor: i64 = if digits().all(|b| b == b'0') {
        0
    } else if power >= 0 {
        let value = accumulate(count)?;
        10_i64
            .checked_pow(u32::try_from(power).map_err(|_| too_large())?)
            .and_then(|p| value.checked_mul(p))
            .ok_or_else(too_large)?
    } else {
        let cut = usize::try_from(-power).unwrap_or(usize::MAX);
        let kept = count.saturating_sub(cut);
        if digits().skip(kept).any(|b| b != b'0') {
            return Err(bad(format!(
                "`{text}` has more than {} decimals for {currency}",
                currency.decimals()
            )));
        }
        accumulate(kept)?
    };
    if negative && minor != 0 {
        return Err(bad(format!("`{text}` is negative")));
    }
    Ok(Amount::from_minor(minor, currency))
}

/// Parses a non-negative integer count of minor units from its exact text (Connect, H1).
pub fn parse_minor_text(text: &str, currency: Currency, field: &str) -> Result<Amount, MoneyError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MoneyError::new(
            field,
            format!("`{text}` is not a whole number of minor units"),
        ));
    }
    text.parse::<i64>()
        .map(|m| Amount::from_minor(m, currency))
        .map_err(|_| MoneyError::new(field, format!("`{text}` is too large")))
}

/// The components of a wire `amount` object, each parsed exactly.
///
/// The total is the sum of every value in the object (ref §2.4: the amount "corresponds to the sum
/// of all values within the object"; §2.7 test amounts are matched against it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountBreakdown {
    /// `subtotal_iva`: the taxed subtotal, without tip.
    pub subtotal_iva: Amount,
    /// `subtotal_iva0`: the untaxed subtotal, without tip.
    pub subtotal_iva0: Amount,
    /// `iva`: the VAT.
    pub iva: Amount,
    /// `tip`, when sent.
    pub tip: Option<Amount>,
    /// `extra_taxes.{airport_tax, iac, ice, travel_agency}`, the ones sent.
    pub extra_taxes: Vec<(ExtraTax, Amount)>,
}

/// The taxes of `amount.extra_taxes` (ref §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtraTax {
    /// `airport_tax`.
    AirportTax,
    /// `iac`: aggregate consumption tax.
    Iac,
    /// `ice`: special excise tax.
    Ice,
    /// `travel_agency`: airlines.
    TravelAgency,
}

impl ExtraTax {
    /// Every extra tax.
    pub const ALL: [ExtraTax; 4] = [
        ExtraTax::AirportTax,
        ExtraTax::Iac,
        ExtraTax::Ice,
        ExtraTax::TravelAgency,
    ];

    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtraTax::AirportTax => "airport_tax",
            ExtraTax::Iac => "iac",
            ExtraTax::Ice => "ice",
            ExtraTax::TravelAgency => "travel_agency",
        }
    }
}

/// How the numbers of an `amount` object are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    /// Decimal major units (raw API, H2).
    Major,
    /// Integer minor units (Kushki ONE Connect, H1).
    Minor,
}

impl AmountBreakdown {
    /// Parses a wire `amount` object. `currency` is the object's own `currency` on the raw API, the
    /// terminal's on Connect; `path` is the object's dotted path (`amount`) for error messages.
    /// Fields other than the amount components (`currency`) are left to the schema.
    pub fn parse<O: Fields + ?Sized>(
        object: &O,
        currency: Currency,
        units: Units,
        path: &str,
    ) -> Result<Self, MoneyError> {
        // The field's path is written only for an error.
        let component = |map: &O, key: &str, at: &str| -> Result<Option<Amount>, MoneyError> {
            match map.field(key) {
                None | Some(Field::Null) => Ok(None),
                Some(Field::Number(n)) => match units {
                    Units::Major => parse_major_text(n, currency, ""),
                    Units::Minor => parse_minor_text(n, currency, ""),
                }
                .map(Some)
                .map_err(|e| MoneyError::new(format!("{at}.{key}"), e.reason)),
                Some(other) => Err(MoneyError::new(
                    format!("{at}.{key}"),
                    format!("expected a number, found {}", other.type_name()),
                )),
            }
        };
        let required = |key: &str| -> Result<Amount, MoneyError> {
            component(object, key, path)?
                .ok_or_else(|| MoneyError::new(format!("{path}.{key}"), "is required"))
        };
        let mut extra_taxes = Vec::new();
        match object.field("extra_taxes") {
            None | Some(Field::Null) => {}
            Some(Field::Object(taxes)) => {
                let at = format!("{path}.extra_taxes");
                for tax in ExtraTax::ALL {
                    if let Some(a) = component(taxes, tax.as_str(), &at)? {
                        extra_taxes.push((tax, a));
                    }
                }
            }
            Some(other) => {
                return Err(MoneyError::new(
                    format!("{path}.extra_taxes"),
                    format!("expected an object, found {}", other.type_name()),
                ));
            }
        }
        let breakdown = AmountBreakdown {
            subtotal_iva: required("subtotal_iva")?,
            subtotal_iva0: required("subtotal_iva0")?,
            iva: required("iva")?,
            tip: component(object, "tip", path)?,
            extra_taxes,
        };
        // Every component fits on its own; their sum must too, or `total` would overflow.
        if breakdown
            .parts()
            .try_fold(0i64, |sum, a| sum.checked_add(a.minor_units()))
            .is_none()
        {
            return Err(MoneyError::new(
                path,
                "the sum of the amount object is too large",
            ));
        }
        Ok(breakdown)
    }

    fn parts(&self) -> impl Iterator<Item = Amount> + '_ {
        [self.subtotal_iva, self.subtotal_iva0, self.iva]
            .into_iter()
            .chain(self.tip)
            .chain(self.extra_taxes.iter().map(|(_, a)| *a))
    }

    /// The sum of every component.
    pub fn total(&self) -> Amount {
        let currency = self.subtotal_iva.currency();
        Amount::from_minor(self.parts().map(Amount::minor_units).sum(), currency)
    }

    /// A breakdown of a single untaxed amount (`subtotal_iva0`), the usual test shape.
    pub fn untaxed(amount: Amount) -> Self {
        let zero = Amount::zero(amount.currency());
        AmountBreakdown {
            subtotal_iva: zero,
            subtotal_iva0: amount,
            iva: zero,
            tip: None,
            extra_taxes: Vec::new(),
        }
    }

    /// Writes the object as the raw API expects it, with `currency` and major-unit numbers.
    pub fn to_raw_json(&self) -> Value {
        let mut map = self.components_json(|a| Value::Number(a.to_major_json()));
        map.insert(
            "currency".into(),
            Value::String(self.subtotal_iva.currency().as_str().into()),
        );
        Value::Object(map)
    }

    /// Writes the object as Kushki ONE Connect expects it: minor-unit integers, no currency.
    pub fn to_connect_json(&self) -> Value {
        Value::Object(self.components_json(|a| Value::Number(Number::from(a.minor_units()))))
    }

    fn components_json(&self, num: impl Fn(Amount) -> Value) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("subtotal_iva".into(), num(self.subtotal_iva));
        map.insert("subtotal_iva0".into(), num(self.subtotal_iva0));
        map.insert("iva".into(), num(self.iva));
        if let Some(tip) = self.tip {
            map.insert("tip".into(), num(tip));
        }
        if !self.extra_taxes.is_empty() {
            let taxes = self
                .extra_taxes
                .iter()
                .map(|(t, a)| (t.as_str().to_string(), num(*a)))
                .collect();
            map.insert("extra_taxes".into(), Value::Object(taxes));
        }
        map
    }
}

/// One member of a JSON object as the typed readers see it, whichever representation holds the
/// object (`serde_json`'s map, or a request body's [`crate::json_tree::Members`]).
#[derive(Debug)]
pub enum Field<'a, O: ?Sized> {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number's text as written.
    Number(&'a str),
    /// A string.
    String(&'a str),
    /// An array.
    Array,
    /// An object.
    Object(&'a O),
}

impl<O: ?Sized> Field<'_, O> {
    /// The JSON type's name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Field::Null => "null",
            Field::Bool(_) => "boolean",
            Field::Number(_) => "number",
            Field::String(_) => "string",
            Field::Array => "array",
            Field::Object(_) => "object",
        }
    }
}

/// Read access to a JSON object's members by name.
pub trait Fields {
    /// The member named `key`.
    fn field(&self, key: &str) -> Option<Field<'_, Self>>;
}

impl Fields for Map<String, Value> {
    fn field(&self, key: &str) -> Option<Field<'_, Self>> {
        Some(match self.get(key)? {
            Value::Null => Field::Null,
            Value::Bool(b) => Field::Bool(*b),
            Value::Number(n) => Field::Number(n.as_str()),
            Value::String(s) => Field::String(s),
            Value::Array(_) => Field::Array,
            Value::Object(o) => Field::Object(o),
        })
    }
}

impl<'d> Fields for crate::json_tree::Members<'d> {
    fn field(&self, key: &str) -> Option<Field<'_, Self>> {
        use crate::json_tree::Doc;
        Some(match self.get(key)? {
            Doc::Null => Field::Null,
            Doc::Bool(b) => Field::Bool(*b),
            Doc::Number(n) => Field::Number(n),
            Doc::String(s) => Field::String(s),
            Doc::Array(_) => Field::Array,
            Doc::Object(o) => Field::Object(o),
        })
    }
}

/// The JSON type name of a value, for error messages.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn major(text: &str, c: Currency) -> Result<i64, MoneyError> {
        parse_major_text(text, c, "amount.iva").map(Amount::minor_units)
    }

    #[test]
    fn two_decimal_currencies_take_at_most_two_decimals() {
        for c in [Currency::Pen, Currency::Usd, Currency::Mxn] {
            assert_eq!(major("12.50", c), Ok(1250));
            assert_eq!(major("12.5", c), Ok(1250));
            assert_eq!(major("12", c), Ok(1200));
            assert_eq!(major("0.01", c), Ok(1));
            let err = major("12.505", c).unwrap_err();
            assert_eq!(err.field, "amount.iva");
            assert!(err.reason.contains("more than 2 decimals"), "{err}");
        }
    }

    #[test]
    fn trailing_zeros_beyond_the_currency_decimals_are_exact_and_accepted() {
        assert_eq!(major("12.5000", Currency::Pen), Ok(1250));
        assert_eq!(major("1000.0", Currency::Clp), Ok(1000));
    }

    #[test]
    fn zero_decimal_currencies_refuse_any_fraction() {
        for c in [Currency::Clp, Currency::Cop] {
            assert_eq!(major("1000", c), Ok(1000));
            assert!(major("1000.5", c).is_err());
            assert!(major("0.1", c).is_err());
        }
    }

    #[test]
    fn exponents_are_accepted_only_when_exact() {
        assert_eq!(major("1.25e1", Currency::Pen), Ok(1250));
        assert_eq!(major("1E3", Currency::Clp), Ok(1000));
        assert!(major("1.2345e1", Currency::Pen).is_err());
    }

    #[test]
    fn a_fraction_that_a_float_would_round_is_refused() {
        // 0.1 + 0.2 style text that f64 would silently round.
        assert!(major("12.5000000000000001", Currency::Pen).is_err());
    }

    #[test]
    fn negative_and_malformed_numbers_are_refused() {
        assert!(major("-1", Currency::Pen).is_err());
        assert!(major("abc", Currency::Pen).is_err());
        assert!(major(".5", Currency::Pen).is_err());
        assert_eq!(major("-0", Currency::Pen), Ok(0));
    }

    #[test]
    fn minor_units_must_be_whole() {
        assert_eq!(
            parse_minor_text("1200", Currency::Pen, "amount.iva").map(Amount::minor_units),
            Ok(1200)
        );
        assert!(parse_minor_text("12.5", Currency::Pen, "amount.iva").is_err());
        assert!(parse_minor_text("-5", Currency::Pen, "amount.iva").is_err());
    }

    #[test]
    fn a_wire_amount_object_is_parsed_exactly_and_totalled() {
        let wire = json!({"currency":"PEN","iva":1.80,"subtotal_iva":10.00,"subtotal_iva0":0,
            "tip":2.5,"extra_taxes":{"airport_tax":0.20,"iac":0,"ice":0,"travel_agency":0}});
        let b = AmountBreakdown::parse(
            wire.as_object().unwrap(),
            Currency::Pen,
            Units::Major,
            "amount",
        )
        .unwrap();
        assert_eq!(b.total(), Amount::from_minor(1450, Currency::Pen));
        assert_eq!(b.tip, Some(Amount::from_minor(250, Currency::Pen)));
    }

    #[test]
    fn a_bad_component_is_named_by_its_path() {
        let wire = json!({"iva":0,"subtotal_iva":0,"subtotal_iva0":12.505});
        let err = AmountBreakdown::parse(
            wire.as_object().unwrap(),
            Currency::Pen,
            Units::Major,
            "amount",
        )
        .unwrap_err();
        assert_eq!(err.field, "amount.subtotal_iva0");
        assert_eq!(err.pointer(), "/amount/subtotal_iva0");
        let wire = json!({"iva":0,"subtotal_iva":0,"subtotal_iva0":1,"extra_taxes":{"ice":"x"}});
        let err = AmountBreakdown::parse(
            wire.as_object().unwrap(),
            Currency::Pen,
            Units::Major,
            "amount",
        )
        .unwrap_err();
        assert_eq!(err.field, "amount.extra_taxes.ice");
        let wire = json!({"iva":0,"subtotal_iva0":1});
        let err = AmountBreakdown::parse(
            wire.as_object().unwrap(),
            Currency::Pen,
            Units::Major,
            "amount",
        )
        .unwrap_err();
        assert_eq!(err.field, "amount.subtotal_iva");
    }

    #[test]
    fn components_whose_sum_overflows_are_refused_naming_the_object() {
        let wire: Value = serde_json::from_str(
            r#"{"iva":9223372036854775807,"subtotal_iva":0,"subtotal_iva0":9223372036854775807}"#,
        )
        .unwrap();
        let err = AmountBreakdown::parse(
            wire.as_object().unwrap(),
            Currency::Clp,
            Units::Major,
            "amount",
        )
        .unwrap_err();
        assert_eq!(err.field, "amount");
        assert!(err.reason.contains("too large"), "{}", err.reason);
    }

    #[test]
    fn connect_amounts_are_minor_units() {
        let wire = json!({"subtotal_iva":0,"subtotal_iva0":1200,"iva":0});
        let b = AmountBreakdown::parse(
            wire.as_object().unwrap(),
            Currency::Pen,
            Units::Minor,
            "amount",
        )
        .unwrap();
        assert_eq!(b.total().major_text(), "12.00");
        let wire = json!({"subtotal_iva":0,"subtotal_iva0":12.5,"iva":0});
        assert!(
            AmountBreakdown::parse(
                wire.as_object().unwrap(),
                Currency::Pen,
                Units::Minor,
                "amount"
            )
            .is_err()
        );
    }

    #[test]
    fn amounts_write_back_with_the_currency_decimals() {
        let b = AmountBreakdown::untaxed(Amount::from_minor(1205, Currency::Pen));
        assert_eq!(
            serde_json::to_string(&b.to_raw_json()).unwrap(),
            r#"{"subtotal_iva":0.00,"subtotal_iva0":12.05,"iva":0.00,"currency":"PEN"}"#
        );
        let b = AmountBreakdown::untaxed(Amount::from_minor(1000, Currency::Clp));
        assert_eq!(
            serde_json::to_string(&b.to_connect_json()).unwrap(),
            r#"{"subtotal_iva":0,"subtotal_iva0":1000,"iva":0}"#
        );
    }

    #[test]
    fn the_step_notation_round_trips() {
        let a = Amount::parse_display("12.00 PEN").unwrap();
        assert_eq!(a, Amount::from_minor(1200, Currency::Pen));
        assert_eq!(a.to_string(), "12.00 PEN");
        assert_eq!(
            Amount::parse_display("1000 CLP").unwrap().to_string(),
            "1000 CLP"
        );
        assert!(Amount::parse_display("12.001 PEN").is_err());
        assert!(Amount::parse_display("12 XXX").is_err());
        assert_eq!(a.whole_major_units(), Some(12));
    }

    #[test]
    fn every_currency_has_its_wire_spelling() {
        for c in Currency::ALL {
            assert_eq!(c.as_str().parse::<Currency>().unwrap(), c);
            assert_eq!(serde_json::to_value(c).unwrap(), json!(c.as_str()));
        }
        assert_eq!(Currency::Clp.decimals(), 0);
        assert_eq!(Currency::Cop.decimals(), 0);
        assert_eq!(Currency::Mxn.decimals(), 2);
    }
}
