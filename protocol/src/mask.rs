//! Redaction of card data and secrets.
//!
//! PAN, tracks, TLV, PIN blocks, the Business-Code and credentials never reach a log line, a
//! journal entry or a report in clear. Card data held in typed form is a [`Sensitive`], whose
//! `Debug` and `Display` redact; JSON bodies are passed through [`mask_json`] before they are
//! journaled; free text (a log line, an HTML report) through [`mask_text`].

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A card-data or secret string whose `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Sensitive(value.into())
    }

    /// The clear value, for the one place that must send or compare it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sensitive({})", redacted(&self.0))
    }
}

impl fmt::Display for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redacted(&self.0))
    }
}

fn redacted(value: &str) -> String {
    format!("[redacted {} chars]", value.chars().count())
}

/// Object keys whose values are card data or secrets, compared case-insensitively with `-` and
/// `_` ignored (`Private-Credential-Id` and `private_credential_id` alike).
const SECRET_KEYS: &[&str] = &[
    "enctlv",
    "enctrack1",
    "enctrack2",
    "tlv",
    "pinblock",
    "track1",
    "track2",
    "pan",
    "cardnumber",
    "number",
    "cvv",
    "businesscode",
    "privatecredentialid",
    "credential",
    "webhookkey",
    "authorization",
    "xkushkisignature",
    "xkushkisimplesignature",
    "password",
    "key",
];

/// Keys whose values are card numbers: shown as BIN and last four (`411111XXXXXX1111`).
const PAN_KEYS: &[&str] = &["maskedcreditcard", "cardmask"];

/// Keys whose digit strings are identifiers, not card numbers: never digit-masked, so an 18-digit
/// ticket number or a millisecond `X-Kushki-Id` stays readable in journals and reports.
const ID_KEYS: &[&str] = &[
    "ticketnumber",
    "transactionid",
    "xkushkiid",
    "created",
    "referencenumber",
    "trackksn",
    "pinksn",
    "terminalid",
];

fn normalise(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a JSON key or header name carries a secret.
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.contains(&normalise(key).as_str())
}

/// A copy of `value` with every secret field replaced by `"[redacted]"` and every digit run that
/// looks like a PAN masked, at any depth.
pub fn mask_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let masked =
                        if is_secret_key(k) && !v.is_object() && !v.is_array() && !v.is_null() {
                            Value::String("[redacted]".into())
                        } else if ID_KEYS.contains(&normalise(k).as_str()) && v.is_string() {
                            v.clone()
                        } else if PAN_KEYS.contains(&normalise(k).as_str()) {
                            match v {
                                Value::String(s) => Value::String(mask_text(s)),
                                other => mask_json(other),
                            }
                        } else {
                            mask_json(v)
                        };
                    (k.clone(), masked)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(mask_json).collect()),
        Value::String(s) => Value::String(mask_text(s)),
        other => other.clone(),
    }
}

/// Masks every run of 13 to 19 digits (a PAN, possibly inside a track) to its first six and last
/// four digits: `4111111111111111` becomes `411111XXXXXX1111`.
pub fn mask_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if (13..=19).contains(&digits.len()) {
            out.push_str(&mask_pan(digits));
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// A PAN as BIN and last four with `X` between (`400000XXXXXX0002`, the webhook's own format, add
/// §3). Shorter strings are fully masked.
pub fn mask_pan(pan: &str) -> String {
    let n = pan.chars().count();
    if n < 11 {
        return "X".repeat(n);
    }
    let chars: Vec<char> = pan.chars().collect();
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[n - 4..].iter().collect();
    format!("{head}{}{tail}", "X".repeat(n - 10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sensitive_values_never_print() {
        let s = Sensitive::new("E9BCEC77FACD77F9");
        assert_eq!(format!("{s}"), "[redacted 16 chars]");
        assert!(!format!("{s:?}").contains("E9BC"));
        assert_eq!(serde_json::to_value(&s).unwrap(), json!("E9BCEC77FACD77F9"));
    }

    #[test]
    fn card_data_and_secrets_are_redacted_at_any_depth() {
        let body = json!({"card_details":{"enc_tlv":"AB12","tracks":{"enc_track2":"CD34","track_ksn":"FFFF"},
            "pin_block":"99"},"Private-Credential-Id":"cred","business_code":"BC-1",
            "note":"card 4111111111111111 used","ticket_number":"111727462978861299"});
        let masked = mask_json(&body);
        let text = masked.to_string();
        for secret in ["AB12", "CD34", "\"99\"", "cred", "BC-1", "4111111111111111"] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
        assert!(text.contains("411111XXXXXX1111"));
        assert_eq!(masked["card_details"]["tracks"]["track_ksn"], json!("FFFF"));
        // An 18-digit ticket number is an identifier the integrator needs, not a PAN.
        assert_eq!(masked["ticket_number"], json!("111727462978861299"));
    }

    #[test]
    fn pans_keep_bin_and_last_four() {
        assert_eq!(mask_pan("4000000000000002"), "400000XXXXXX0002");
        assert_eq!(mask_text("x5555555555554444y"), "x555555XXXXXX4444y");
        assert_eq!(mask_text("amount 1200"), "amount 1200");
    }
}
