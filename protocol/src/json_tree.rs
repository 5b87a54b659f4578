//! A JSON request body read in place: the representation the raw API's hot path validates and
//! types, instead of `serde_json::Value`.
//!
//! `serde_json` still does all the parsing (this module only builds the tree it reports). What
//! differs from `Value` is the tree: object members are a vector in the order they were written,
//! looked up by comparing names, and strings without escapes borrow the body. `Value`'s
//! order-keeping map (`preserve_order`, which the Connect signature needs) hashes every key it
//! inserts and every key the JSON Schema validator looks up with SipHash: that alone was an
//! eighth of a raw charge (BENCHMARKS.md). The same JSON Schemas validate a [`Doc`] through
//! `jsonschema`'s representation trait ([`DocJson`]); the crate's tests hold both validators to
//! the same verdict on every fixture and on generated mutations of them.
//!
//! What it keeps exactly as `Value` does: number text as written (`arbitrary_precision`: `12.50`
//! stays `12.50`), key order, and duplicate names, which keep the first name's position and the
//! last value (serde_json's `IndexMap::insert`). Depth is bounded by serde_json's recursion limit
//! (128).

use std::borrow::Cow;
use std::fmt;

use jsonschema::JsonType;
use jsonschema::json::{Array, Json, JsonNumber, Node, NodeIdentity, Object};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// The key serde_json (with `arbitrary_precision`) hands a visitor a number under: a number
/// arrives as a one-entry map from this key to its text. It is serde_json's convention for
/// formats that carry numbers as text; the test `numbers_keep_their_text` fails if it changes.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// One JSON value of a body.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Doc<'a> {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as its text in the body.
    Number(Box<str>),
    /// A string, borrowed from the body unless it had escapes.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Doc<'a>>),
    /// An object.
    Object(Members<'a>),
}

/// An object's members in the order written, each name once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Members<'a>(Vec<(Cow<'a, str>, Doc<'a>)>);

impl<'a> Members<'a> {
    /// The member named `key`.
    pub fn get(&self, key: &str) -> Option<&Doc<'a>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The members in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Doc<'a>)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// Appends a member; a name already present keeps its position and takes the new value.
    fn insert(&mut self, key: Cow<'a, str>, value: Doc<'a>) {
        // Linear up to a size no real body reaches; a hostile body with 40,000 names costs one
        // sort instead of 40,000² comparisons.
        if self.0.len() < 32 {
            match self.0.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => self.0.push((key, value)),
            }
        } else {
            self.0.push((key, value));
        }
    }

    /// Merges duplicate names among the members past the first 32 (those were merged as they
    /// came): the first position, the last value.
    fn finish(&mut self) {
        if self.0.len() <= 32 {
            return;
        }
        let mut order: Vec<usize> = (0..self.0.len()).collect();
        // Stable: equal names stay in the order written.
        order.sort_by(|&a, &b| self.0[a].0.cmp(&self.0[b].0));
        let mut gone = vec![false; self.0.len()];
        let mut moves = Vec::new();
        for run in order.chunk_by(|&a, &b| self.0[a].0 == self.0[b].0) {
            if let [first, .., last] = *run {
                moves.push((first, last));
                run[1..].iter().for_each(|&i| gone[i] = true);
            }
        }
        for (first, last) in moves {
            self.0[first].1 = std::mem::take(&mut self.0[last].1);
        }
        let mut index = 0;
        self.0.retain(|_| {
            index += 1;
            !gone[index - 1]
        });
    }
}

impl<'a> Doc<'a> {
    /// Parses a JSON text.
    pub fn parse(text: &'a str) -> Result<Doc<'a>, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The member named `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Doc<'a>> {
        match self {
            Doc::Object(m) => m.get(key),
            _ => None,
        }
    }

    /// The members of an object.
    pub fn as_object(&self) -> Option<&Members<'a>> {
        match self {
            Doc::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Doc::String(s) => Some(s),
            _ => None,
        }
    }

    /// A boolean's value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Doc::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A number's text as written.
    pub fn number_text(&self) -> Option<&str> {
        match self {
            Doc::Number(n) => Some(n),
            _ => None,
        }
    }

    /// Whether it is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Doc::Null)
    }

    /// The JSON type's name, for error messages (`"object"`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Doc::Null => "null",
            Doc::Bool(_) => "boolean",
            Doc::Number(_) => "number",
            Doc::String(_) => "string",
            Doc::Array(_) => "array",
            Doc::Object(_) => "object",
        }
    }

    /// The same value as a `serde_json::Value` (key order and number text kept). For cold paths:
    /// listing a failing body's violations.
    pub fn to_value(&self) -> Value {
        match self {
            Doc::Null => Value::Null,
            Doc::Bool(b) => Value::Bool(*b),
            Doc::Number(n) => Value::Number(number(n)),
            Doc::String(s) => Value::String(s.to_string()),
            Doc::Array(items) => Value::Array(items.iter().map(Doc::to_value).collect()),
            Doc::Object(m) => Value::Object(
                m.0.iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// A `serde_json::Number` of a number text that serde_json itself read.
fn number(text: &str) -> Number {
    // serde_json wrote this text, so it parses; `0` only if that ever stops being so.
    text.parse().unwrap_or_else(|_| Number::from(0))
}

impl<'de> Deserialize<'de> for Doc<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DocVisitor)
    }
}

struct DocVisitor;

impl<'de> Visitor<'de> for DocVisitor {
    type Value = Doc<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Doc<'de>, E> {
        Ok(Doc::Bool(b))
    }

    // Without `arbitrary_precision` (another deserializer than serde_json's) numbers come as
    // primitives; their text is then what serde_json would write.
    fn visit_i64<E>(self, n: i64) -> Result<Doc<'de>, E> {
        Ok(Doc::Number(n.to_string().into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Doc<'de>, E> {
        Ok(Doc::Number(n.to_string().into()))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Doc<'de>, E> {
        Number::from_f64(n)
            .map(|n| Doc::Number(n.to_string().into()))
            .ok_or_else(|| E::custom("a number must be finite"))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Doc<'de>, E> {
        Ok(Doc::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Doc<'de>, E> {
        Ok(Doc::String(Cow::Owned(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Doc<'de>, E> {
        Ok(Doc::String(Cow::Owned(s)))
    }

    fn visit_unit<E>(self) -> Result<Doc<'de>, E> {
        Ok(Doc::Null)
    }

    fn visit_none<E>(self) -> Result<Doc<'de>, E> {
        Ok(Doc::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Doc<'de>, D::Error> {
        Doc::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Doc<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Doc::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc<'de>, A::Error> {
        let Some(first) = map.next_key::<Key<'de>>()? else {
            return Ok(Doc::Object(Members::default()));
        };
        if first.0 == NUMBER_TOKEN {
            let text: String = map.next_value()?;
            return Ok(Doc::Number(text.into()));
        }
        let mut members = Members(Vec::with_capacity(8));
        members.insert(first.0, map.next_value()?);
        while let Some(key) = map.next_key::<Key<'de>>()? {
            members.insert(key.0, map.next_value()?);
        }
        members.finish();
        Ok(Doc::Object(members))
    }
}

/// An object's name, borrowed where it had no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object member name")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_string())))
            }
            fn visit_string<E>(self, s: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Typed reading of a part of a [`Doc`] (`card_details` into its struct), without going through
/// `Value`.
impl<'de> IntoDeserializer<'de, serde_json::Error> for &'de Doc<'de> {
    type Deserializer = DocDeserializer<'de>;

    fn into_deserializer(self) -> DocDeserializer<'de> {
        DocDeserializer(self)
    }
}

/// A [`Doc`] as a serde `Deserializer`.
pub struct DocDeserializer<'de>(&'de Doc<'de>);

impl<'de> Deserializer<'de> for DocDeserializer<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Doc::Null => visitor.visit_unit(),
            Doc::Bool(b) => visitor.visit_bool(*b),
            Doc::Number(n) => {
                if let Ok(u) = n.parse::<u64>() {
                    visitor.visit_u64(u)
                } else if let Ok(i) = n.parse::<i64>() {
                    visitor.visit_i64(i)
                } else {
                    match n.parse::<f64>() {
                        Ok(f) if f.is_finite() => visitor.visit_f64(f),
                        _ => Err(de::Error::custom(format!("number {n} is out of range"))),
                    }
                }
            }
            Doc::String(s) => visitor.visit_borrowed_str(s),
            Doc::Array(items) => visitor.visit_seq(de::value::SeqDeserializer::new(items.iter())),
            Doc::Object(m) => visitor.visit_map(de::value::MapDeserializer::new(
                m.0.iter().map(|(k, v)| (k.as_ref(), v)),
            )),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Doc::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            // A unit variant written as its name.
            Doc::String(s) => visitor.visit_enum(de::value::StrDeserializer::new(s)),
            _ => self.deserialize_any(de::IgnoredAny).and_then(|_| {
                Err(de::Error::custom(format_args!(
                    "{name}: expected one of {variants:?}"
                )))
            }),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

// ---- the JSON Schema representation -------------------------------------------------------

/// [`Doc`] as a `jsonschema` instance representation (`jsonschema::options_for::<DocJson>()`).
pub struct DocJson;

impl Json for DocJson {
    type Node<'a> = &'a Doc<'a>;
    type PreparedKey = Box<str>;
    type StringBuffer = Doc<'static>;

    // A lookup compares names one by one, so a pass over the members is never dearer than the
    // lookups it replaces (`required` checks all its names in one pass).
    const KEYS_PER_LOOKUP: usize = 1 << 16;

    fn prepare_key(key: &str) -> Box<str> {
        key.into()
    }

    fn with_string_node<T>(
        buffer: &mut Doc<'static>,
        string: &str,
        f: impl FnOnce(<DocJson as Json>::Node<'_>) -> T,
    ) -> T {
        match buffer {
            Doc::String(Cow::Owned(existing)) => {
                existing.clear();
                existing.push_str(string);
            }
            _ => *buffer = Doc::String(Cow::Owned(string.to_string())),
        }
        f(buffer)
    }
}

/// A number of a [`Doc`]: its text.
#[derive(Debug, Clone, Copy)]
pub struct DocNumber<'a>(&'a str);

impl JsonNumber for DocNumber<'_> {
    // The same readings as serde_json's `Number` under `arbitrary_precision`.
    fn as_u64(&self) -> Option<u64> {
        self.0.parse().ok()
    }

    fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    fn as_f64(&self) -> Option<f64> {
        self.0.parse::<f64>().ok().filter(|f| f.is_finite())
    }

    fn as_str(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.0)
    }

    fn to_number(&self) -> Cow<'_, Number> {
        Cow::Owned(number(self.0))
    }

    fn is_integer(&self) -> bool {
        // Integral exactly when no non-zero digit stands below the units (`12.00`, `1.2e1`).
        match decimal_digits(self.0) {
            Some(Digits::Zero) => true,
            Some(Digits::NonZero { lowest_power, .. }) => lowest_power >= 0,
            None => false,
        }
    }
}

impl<'a> Node<'a, DocJson> for &'a Doc<'a> {
    type Object = &'a Members<'a>;
    type Array = &'a [Doc<'a>];
    type Number = DocNumber<'a>;

    fn as_object(&self) -> Option<&'a Members<'a>> {
        match self {
            Doc::Object(m) => Some(m),
            _ => None,
        }
    }

    fn as_array(&self) -> Option<&'a [Doc<'a>]> {
        match self {
            Doc::Array(items) => Some(items),
            _ => None,
        }
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        match self {
            Doc::String(s) => Some(Cow::Borrowed(s.as_ref())),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<DocNumber<'a>> {
        match self {
            Doc::Number(n) => Some(DocNumber(n)),
            _ => None,
        }
    }

    fn as_boolean(&self) -> Option<bool> {
        Doc::as_bool(self)
    }

    fn is_null(&self) -> bool {
        Doc::is_null(self)
    }

    fn json_type(&self) -> JsonType {
        match self {
            Doc::Null => JsonType::Null,
            Doc::Bool(_) => JsonType::Boolean,
            Doc::Number(_) => JsonType::Number,
            Doc::String(_) => JsonType::String,
            Doc::Array(_) => JsonType::Array,
            Doc::Object(_) => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        // `enum` and `const` of the schemas name strings; those compare without building a
        // `Value`. Numbers compare mathematically, through the validator's own comparison.
        match (self, expected) {
            (Doc::String(s), Value::String(e)) => s == e,
            (Doc::Bool(b), Value::Bool(e)) => b == e,
            (Doc::Null, Value::Null) => true,
            (Doc::String(_) | Doc::Bool(_) | Doc::Null, _) => false,
            _ => jsonschema::json::cmp::equal(&Node::to_value(self), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(Doc::to_value(self))
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::new(
            std::ptr::from_ref::<Doc<'a>>(*self) as usize
        ))
    }
}

impl<'a> Object<'a, DocJson> for &'a Members<'a> {
    type Node = &'a Doc<'a>;
    type MemberName = &'a str;
    type MembersIter = MembersIter<'a>;

    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, key: &Box<str>) -> Option<&'a Doc<'a>> {
        Members::get(self, key)
    }

    fn members(&self) -> MembersIter<'a> {
        MembersIter(self.0.iter())
    }
}

/// The members of a [`Members`] for the validator.
pub struct MembersIter<'a>(std::slice::Iter<'a, (Cow<'a, str>, Doc<'a>)>);

impl<'a> Iterator for MembersIter<'a> {
    type Item = (&'a str, &'a Doc<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k.as_ref(), v))
    }
}

impl<'a> Array<'a, DocJson> for &'a [Doc<'a>] {
    type Node = &'a Doc<'a>;
    type ElementsIter = std::slice::Iter<'a, Doc<'a>>;

    fn len(&self) -> usize {
        <[Doc<'a>]>::len(self)
    }

    fn elements(&self) -> std::slice::Iter<'a, Doc<'a>> {
        self.iter()
    }
}

/// What the decimal text of a JSON number says about its digits.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Digits {
    /// Every digit is zero.
    Zero,
    /// The power of ten of the last non-zero digit (`12.50` → -1, `1e2` → 2, `120` → 1),
    /// and whether the number is a power of ten (`0.01`, `1`, `1e3`).
    NonZero {
        lowest_power: i64,
        power_of_ten: bool,
    },
}

/// Reads a JSON number's text (sign and exponent included); `None` when it is not one.
pub(crate) fn decimal_digits(text: &str) -> Option<Digits> {
    let text = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => {
            let exp = &text[i + 1..];
            let magnitude = exp.trim_start_matches(['+', '-']);
            if magnitude.is_empty() || !magnitude.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Past this the exponent saturates: such a number is a multiple of every power
            // of ten the schemas use (positive) or of none of them (negative).
            let magnitude = magnitude.parse::<i64>().unwrap_or(i64::MAX / 4);
            let sign = if exp.starts_with('-') { -1 } else { 1 };
            (&text[..i], sign * magnitude)
        }
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty()
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    // Digit k (0-based, left to right over int_part then frac_part) stands for
    // 10^(exponent + int_len - 1 - k).
    let all = || int_part.bytes().chain(frac_part.bytes());
    let Some(first) = all().position(|b| b != b'0') else {
        return Some(Digits::Zero);
    };
    let count = int_part.len() + frac_part.len();
    let last = count - 1 - all().rev().position(|b| b != b'0').unwrap_or(0);
    let int_len = i64::try_from(int_part.len()).ok()?;
    let last_index = i64::try_from(last).ok()?;
    Some(Digits::NonZero {
        lowest_power: exponent.saturating_add(int_len - 1 - last_index),
        power_of_ten: first == last && all().nth(first) == Some(b'1'),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_value(text: &str) {
        let doc = Doc::parse(text).unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(doc.to_value(), value, "{text}");
        assert_eq!(
            serde_json::to_string(&doc.to_value()).unwrap(),
            serde_json::to_string(&value).unwrap(),
            "{text}"
        );
    }

    #[test]
    fn numbers_keep_their_text() {
        let text = r#"{"a":12.50,"b":-0,"c":1e400,"d":18446744073709551616,"e":1.0E-2}"#;
        let doc = Doc::parse(text).unwrap();
        assert_eq!(doc.get("a").and_then(Doc::number_text), Some("12.50"));
        assert_eq!(doc.get("b").and_then(Doc::number_text), Some("-0"));
        assert_eq!(
            doc.get("d").and_then(Doc::number_text),
            Some("18446744073709551616")
        );
        // Exactly the text `Value` keeps (serde_json writes exponents its own way: `1e+400`).
        let value: Value = serde_json::from_str(text).unwrap();
        for key in ["a", "b", "c", "d", "e"] {
            assert_eq!(
                doc.get(key).and_then(Doc::number_text),
                value[key].as_number().map(Number::as_str),
                "{key}"
            );
        }
        assert_eq!(Doc::parse("7").unwrap(), Doc::Number("7".into()));
    }

    #[test]
    fn the_tree_is_the_one_serde_json_builds() {
        for text in [
            r#"{"b":1,"a":[true,null,"x\u00e9\n",{"z":{}}],"c":"plain","\u0041":2.0}"#,
            r#"{"a":1,"b":2,"a":3}"#,
            r#"{"a":{"x":1},"a":"y","b":[],"a":null}"#,
            "[]",
            r#""only a string""#,
        ] {
            same_as_value(text);
        }
        // Duplicates in an object past the linear merge: first position, last value.
        let mut text = String::from("{");
        for i in 0..100 {
            text.push_str(&format!("\"k{}\":{i},", i % 40));
        }
        text.push_str("\"end\":true}");
        same_as_value(&text);
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let doc = Doc::parse(r#"{"plain":"abc","escaped":"a\"b"}"#).unwrap();
        assert!(matches!(
            doc.get("plain"),
            Some(Doc::String(Cow::Borrowed("abc")))
        ));
        assert!(matches!(doc.get("escaped"), Some(Doc::String(Cow::Owned(s))) if s == "a\"b"));
    }

    #[test]
    fn parse_errors_and_depth_are_serde_json_s() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let ours = Doc::parse(&deep).unwrap_err().to_string();
        let theirs = serde_json::from_str::<Value>(&deep)
            .unwrap_err()
            .to_string();
        assert_eq!(ours, theirs);
        for bad in ["{", r#"{"a":}"#, "[1,]", "nul", r#"{"a" 1}"#] {
            assert_eq!(
                Doc::parse(bad).unwrap_err().to_string(),
                serde_json::from_str::<Value>(bad).unwrap_err().to_string(),
                "{bad}"
            );
        }
    }

    #[test]
    fn typed_reading_goes_through_the_doc() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        enum Kind {
            #[serde(rename = "ICC")]
            Icc,
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Part {
            kind: Kind,
            text: String,
            n: u32,
            maybe: Option<String>,
            list: Vec<bool>,
        }
        let doc =
            Doc::parse(r#"{"kind":"ICC","text":"t","n":7,"maybe":null,"list":[true]}"#).unwrap();
        let part = Part::deserialize((&doc).into_deserializer()).unwrap();
        assert_eq!(
            part,
            Part {
                kind: Kind::Icc,
                text: "t".into(),
                n: 7,
                maybe: None,
                list: vec![true]
            }
        );
        let doc = Doc::parse(r#"{"kind":"MCR","text":"t","n":7,"list":[]}"#).unwrap();
        let err = Part::deserialize((&doc).into_deserializer()).unwrap_err();
        assert!(err.to_string().contains("MCR"), "{err}");
    }
}
