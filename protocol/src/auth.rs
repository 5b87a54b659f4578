//! Kushki ONE Connect authentication: signing, verification, encryption and decryption.
//!
//! Every Connect call carries an `Authorization: Basic <sha512 hex>` header, a `timestamp` header
//! (Unix seconds, UTC) and a body `{"data":"<iv_hex>:<ciphertext_hex>"}` whose plaintext is the
//! JSON every Kushki ONE guide documents as "the request body".
//!
//! # Provenance
//!
//! Kushki's own page (reference section 1.5) shows the inputs, the `Basic` prefix, the ±5 minute
//! window and steps 1 and 2 (the timestamp and `formattedDate`); steps 3 to 6 were truncated in
//! the crawl. The rest is **reconstructed from two independent third-party clients** (the
//! reference's `[3P-CODE]` mesapay and surpay, which agree with each other):
//!
//! ```text
//! ts            = unix seconds (integer)
//! formattedDate = UTC strftime("%Y:%m:%d:%H:%M", ts)              e.g. "2026:03:24:21:55"
//! token         = businessCode + terminalSerial
//! password      = md5_hex( rpad(token + formattedDate, 32, "0") ) no-op when already >= 32 chars
//! encodedKeyTs  = base64( password + str(ts) )
//! signature     = sha512_hex( base64( json_compact( requestData ∪ {"key": encodedKeyTs} ) ) )
//! Authorization = "Basic " + signature ;  timestamp = str(ts)
//! aesKey        = utf8( (str(ts) + "___" + password)[0:32] )     three underscores, AES-256
//! body          = {"data": hex(iv16) + ":" + hex( AES-256-CBC-PKCS7(aesKey, iv16, json) )}
//! ```
//!
//! Responses are encrypted the same way with the **request's** timestamp. base64 is the standard
//! alphabet with padding; hex is lowercase on output and accepted in either case on input.
//!
//! # Harness decisions (`schemas/README.md`, H7 and H8)
//!
//! * The signature is computed over the payload **as the client serialised it**: the decrypted
//!   plaintext is compacted at the text level ([`compact`]: insignificant whitespace removed,
//!   key order, string escapes and number text kept byte for byte) and `,"key":"…"` is inserted
//!   before its final `}`. So `12.50` and `12.5`, `é` and `\u00e9`, `{"a":…,"b":…}` and
//!   `{"b":…,"a":…}` all sign differently, and each verifies when the client signed what it
//!   encrypted. A payload that already has a top-level `"key"` member is refused
//!   ([`AuthError::ReservedKey`]): the third-party clients would overwrite it in place, which
//!   no text-level rule can reproduce faithfully.
//! * `/abort` and other bodyless calls are signed over the literal `{}` ([`open_bodyless`]).
//! * Failures ([`AuthFailure`]): missing or malformed headers answer `AUTH-003`, a timestamp
//!   more than [`TIMESTAMP_WINDOW_SECS`] away from the verifier's clock `AUTH-002`, and a bad
//!   signature **and** an undecryptable body the same `AUTH-001` with the same message, so the
//!   answer is no padding oracle ([`AuthFailure::public_code`]). When decryption fails a dummy
//!   signature is still computed and compared, so both paths do comparable work. The journal
//!   records which check failed ([`AuthFailure::check`]).
//!
//! The Business-Code is held in a [`Sensitive`], so no `Debug` or `Display` of [`Credentials`]
//! ever shows it.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use aes::Aes256;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand::RngCore as _;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use sha2::{Digest as _, Sha512};
use subtle::ConstantTimeEq as _;

use crate::mask::Sensitive;

type Aes256CbcEnc = cbc::Encryptor<Aes256>;
type Aes256CbcDec = cbc::Decryptor<Aes256>;

/// How far (in seconds, either way) a request's `timestamp` header may be from the verifier's
/// clock: Kushki's "must fall within ±5 minutes of server time" (reference 1.5).
pub const TIMESTAMP_WINDOW_SECS: i64 = 300;

/// Length of a SHA-512 hex signature.
const SIGNATURE_HEX_LEN: usize = 128;

/// A merchant's Connect credentials for one terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The Business-Code (older docs: Private-Credential-Id), the merchant's secret.
    pub business_code: Sensitive,
    /// The terminal's serial number (`terminalSerial`), part of the signing token.
    pub terminal_serial: String,
}

impl Credentials {
    /// Credentials from a Business-Code and a terminal serial.
    pub fn new(business_code: &str, serial: &str) -> Self {
        Credentials {
            business_code: Sensitive::new(business_code),
            terminal_serial: serial.to_string(),
        }
    }
}

/// Errors of signing, encrypting and decrypting (the building blocks; verification of an
/// incoming request reports an [`AuthFailure`] instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The payload is not valid JSON.
    #[error("payload is not valid JSON: {0}")]
    InvalidJson(String),
    /// The payload is valid JSON but not an object.
    #[error("payload is not a JSON object")]
    NotAnObject,
    /// The payload already has a top-level `"key"` member, which the signature reserves.
    #[error("payload already has a top-level \"key\" member, which the signature reserves")]
    ReservedKey,
    /// The encrypted `data` (or the body carrying it) is not of the form `<32 hex>:<hex>`.
    #[error("encrypted data is malformed: {0}")]
    MalformedData(&'static str),
    /// AES-CBC decryption failed (bad PKCS#7 padding: wrong key or corrupted ciphertext).
    #[error("decryption failed")]
    Decryption,
    /// The decrypted bytes are not UTF-8.
    #[error("decrypted plaintext is not UTF-8")]
    NotUtf8,
}

/// A request ready to send: the two headers and the encrypted body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedRequest {
    /// The `Authorization` header value: `Basic <128 lowercase hex>`.
    pub authorization: String,
    /// The `timestamp` header value: Unix seconds in decimal.
    pub timestamp: String,
    /// The body text `{"data":"<iv_hex>:<ciphertext_hex>"}`.
    pub body: String,
}

/// An authenticated, decrypted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedRequest {
    /// The decrypted JSON text, exactly as the client encrypted it.
    pub plaintext: String,
    /// The request's `timestamp` header; responses are encrypted with it.
    pub timestamp: i64,
}

/// Why an incoming request was refused. Every variant answers HTTP 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// `Authorization` or `timestamp` is missing or not well formed (`AUTH-003`).
    #[error("malformed headers: {0}")]
    MalformedHeaders(&'static str),
    /// The timestamp is more than [`TIMESTAMP_WINDOW_SECS`] from the verifier's clock
    /// (`AUTH-002`).
    #[error("timestamp outside the ±{TIMESTAMP_WINDOW_SECS} s window (skew {skew_secs} s)")]
    StaleTimestamp {
        /// Verifier's clock minus the request's timestamp: positive when the request is old.
        skew_secs: i64,
    },
    /// The body is not `{"data":"<32 hex>:<hex>"}`, does not decrypt, or does not decrypt to a
    /// UTF-8 JSON object (`AUTH-001`, like a bad signature).
    #[error("body could not be decrypted to a JSON object")]
    Undecryptable,
    /// The body decrypted but the signature does not match it (`AUTH-001`).
    #[error("signature does not match")]
    Signature,
}

impl AuthFailure {
    /// Which check failed, for the journal: `headers`, `timestamp`, `signature` or `decryption`.
    pub fn check(&self) -> &'static str {
        match self {
            AuthFailure::MalformedHeaders(_) => "headers",
            AuthFailure::StaleTimestamp { .. } => "timestamp",
            AuthFailure::Signature => "signature",
            AuthFailure::Undecryptable => "decryption",
        }
    }

    /// The code answered to the client (H8): `AUTH-003` headers, `AUTH-002` timestamp, and
    /// `AUTH-001` for both a bad signature and an undecryptable body (no padding oracle).
    pub fn public_code(&self) -> &'static str {
        match self {
            AuthFailure::MalformedHeaders(_) => "AUTH-003",
            AuthFailure::StaleTimestamp { .. } => "AUTH-002",
            AuthFailure::Signature | AuthFailure::Undecryptable => "AUTH-001",
        }
    }

    /// The message answered to the client; identical for a bad signature and an undecryptable
    /// body.
    pub fn public_message(&self) -> &'static str {
        match self {
            AuthFailure::MalformedHeaders(_) => {
                "Missing or malformed Authorization or timestamp header"
            }
            AuthFailure::StaleTimestamp { .. } => {
                "Request timestamp is outside the allowed window of 5 minutes"
            }
            AuthFailure::Signature | AuthFailure::Undecryptable => {
                "Request signature could not be verified"
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Derivation
// ---------------------------------------------------------------------------------------------

/// `formattedDate`: the UTC minute of `ts` as `YYYY:MM:DD:HH:MM`, zero-padded
/// (`1774389300` gives `"2026:03:24:21:55"`). Total for every `i64`; only years 1000 to 9999
/// are meaningful to other implementations.
pub fn formatted_date(ts: i64) -> String {
    let mut out = String::with_capacity(16);
    push_formatted_date(&mut out, ts);
    out
}

/// Appends [`formatted_date`] to `out` (no `format!`: it is part of every seal and open).
fn push_formatted_date(out: &mut String, ts: i64) {
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    if (0..=9999).contains(&year) {
        push_two_digits(out, year / 100);
        push_two_digits(out, year % 100);
    } else {
        // Outside four digits: what `{year:04}` writes (a sign and at least four digits).
        use std::fmt::Write as _;
        let _ = write!(out, "{year:04}");
    }
    for (sep, n) in [
        (':', month),
        (':', day),
        (':', secs / 3600),
        (':', (secs % 3600) / 60),
    ] {
        out.push(sep);
        push_two_digits(out, n);
    }
}

/// Appends `n` (0 to 99) as two decimal digits.
fn push_two_digits(out: &mut String, n: i64) {
    let n = n.unsigned_abs();
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Proleptic Gregorian date of a day count from 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `password`: `md5_hex(rpad(businessCode + terminalSerial + formattedDate, 32, "0"))`. The
/// padding counts characters (Unicode scalar values) and does nothing when the text already has
/// 32 or more.
pub fn password(creds: &Credentials, ts: i64) -> String {
    String::from_utf8_lossy(&password_hex(creds, ts)).into_owned()
}

/// [`password`] as its 32 lowercase hex bytes, without allocating the answer.
fn password_hex(creds: &Credentials, ts: i64) -> [u8; 32] {
    let code = creds.business_code.expose();
    let mut text = String::with_capacity(code.len() + creds.terminal_serial.len() + 32);
    text.push_str(code);
    text.push_str(&creds.terminal_serial);
    push_formatted_date(&mut text, ts);
    let len = if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    };
    text.extend(std::iter::repeat_n('0', 32usize.saturating_sub(len)));
    let mut out = [0u8; 32];
    hex_into(&md5::Md5::digest(text.as_bytes()), &mut out);
    out
}

/// The key material of one `(credentials, ts)` pair, derived once per seal or open: the
/// password (an MD5 and the date formatting) is needed by both the signature and the AES key.
struct Derived {
    /// `str(ts)`.
    ts_text: String,
    /// [`password`] as ASCII hex.
    password: [u8; 32],
}

impl Derived {
    fn new(creds: &Credentials, ts: i64) -> Derived {
        Derived {
            ts_text: ts.to_string(),
            password: password_hex(creds, ts),
        }
    }

    /// [`encoded_key_timestamp`].
    fn encoded_key_timestamp(&self) -> String {
        let mut text = Vec::with_capacity(32 + self.ts_text.len());
        text.extend_from_slice(&self.password);
        text.extend_from_slice(self.ts_text.as_bytes());
        BASE64.encode(text)
    }

    /// [`aes_key`].
    fn aes_key(&self) -> [u8; 32] {
        // `str(ts)` has at least one character and the password 32, so there are always 32
        // bytes, all ASCII.
        let mut key = [0u8; 32];
        let head = [self.ts_text.as_bytes(), b"___", &self.password[..]].concat();
        key.copy_from_slice(&head[..32]);
        key
    }
}

/// `encodedKeyTimestamp`: `base64(password + str(ts))`, the value of the signed `"key"` member.
pub fn encoded_key_timestamp(creds: &Credentials, ts: i64) -> String {
    Derived::new(creds, ts).encoded_key_timestamp()
}

/// `aesKey`: the first 32 bytes of `str(ts) + "___" + password` (AES-256).
pub fn aes_key(creds: &Credentials, ts: i64) -> [u8; 32] {
    Derived::new(creds, ts).aes_key()
}

// ---------------------------------------------------------------------------------------------
// Hex
// ---------------------------------------------------------------------------------------------

/// Writes the lowercase hex of `bytes` into `out`, which is exactly twice as long.
fn hex_into(bytes: &[u8], out: &mut [u8]) {
    // The lengths match at every call site; a mismatch would leave `out` as it was.
    debug_assert_eq!(out.len(), bytes.len() * 2);
    let _ = hex::encode_to_slice(bytes, out);
}

/// Decodes hex in either case into `out`, which is exactly half as long; `None` when a
/// character is not hexadecimal.
fn unhex_into(text: &[u8], out: &mut [u8]) -> Option<()> {
    hex::decode_to_slice(text, out).ok()
}

// ---------------------------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------------------------

/// Removes the insignificant whitespace (space, tab, line feed, carriage return outside
/// strings) of a JSON object's text and keeps every other byte exactly: key order, duplicate
/// keys, string escapes such as `\u00e9`, raw UTF-8 and number text such as `12.50`. This is a
/// text-level compaction, not a parse and re-serialisation.
///
/// Errors when the text is not valid JSON or not an object.
pub fn compact(json: &str) -> Result<String, AuthError> {
    compact_object(json).map(|(text, _)| text)
}

/// [`compact`], also answering whether the object has a top-level `"key"` member.
fn compact_object(json: &str) -> Result<(String, bool), AuthError> {
    let Shape::Object { has_key } = shape(json)? else {
        return Err(AuthError::NotAnObject);
    };
    Ok((compact_text(json, 0), has_key))
}

/// The text without its insignificant whitespace, with room for `extra` more bytes. Works on
/// bytes: `"`, `\\` and the four whitespace bytes are ASCII and never part of a multi-byte
/// UTF-8 sequence, so every run copied starts and ends on a character boundary.
fn compact_text(json: &str, extra: usize) -> String {
    let bytes = json.as_bytes();
    let mut out = String::with_capacity(json.len() + extra);
    let mut in_string = false;
    let mut escaped = false;
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            out.push_str(&json[run..i]);
            run = i + 1;
        } else if b == b'"' {
            in_string = true;
        }
    }
    out.push_str(&json[run..]);
    out
}

/// What a JSON text is, as far as signing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// An object, and whether it has a top-level `"key"` member.
    Object { has_key: bool },
    /// Any other JSON value.
    Other,
}

/// Checks that `json` is JSON and tells an object (with or without a top-level `"key"`) from
/// any other value, accepting exactly the texts `serde_json::from_str::<Value>` accepts and
/// failing with the same error, without building the tree: [`Walk`] is driven through the
/// same `deserialize_any` calls as `Value`'s own visitor.
fn shape(json: &str) -> Result<Shape, AuthError> {
    let special = Cell::new(false);
    let mut de = serde_json::Deserializer::from_str(json);
    let walked = Walk {
        top: true,
        special: &special,
    }
    .deserialize(&mut de)
    .and_then(|shape| de.end().map(|()| shape));
    if special.get() {
        // An object whose first key is serde_json's private raw-value token: let `Value` itself
        // decide what that text is.
        return match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(map)) => Ok(Shape::Object {
                has_key: map.contains_key("key"),
            }),
            Ok(_) => Ok(Shape::Other),
            Err(e) => Err(AuthError::InvalidJson(e.to_string())),
        };
    }
    walked.map_err(|e| AuthError::InvalidJson(e.to_string()))
}

/// serde_json's private map key for a number kept as text (`arbitrary_precision`): `Value`
/// reads an object whose first key is this as a number.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";
/// serde_json's private map key for a raw value (`raw_value`).
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// A visitor that accepts what `serde_json::Value`'s does, allocating nothing but the text of
/// numbers too large for 64 bits (which serde_json hands over as strings).
#[derive(Clone, Copy)]
struct Walk<'a> {
    /// Whether this is the whole text (only its shape is answered).
    top: bool,
    /// Set when an object starts with [`RAW_VALUE_TOKEN`], whose handling by `Value` is left to
    /// `Value`.
    special: &'a Cell<bool>,
}

impl Walk<'_> {
    fn nested(self) -> Self {
        Walk { top: false, ..self }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = Shape;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Shape, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
        Ok(Shape::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
        Ok(Shape::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Shape, E> {
        Ok(Shape::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
        Ok(Shape::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
        Ok(Shape::Other)
    }

    fn visit_none<E>(self) -> Result<Shape, E> {
        Ok(Shape::Other)
    }

    fn visit_unit<E>(self) -> Result<Shape, E> {
        Ok(Shape::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        while seq.next_element_seed(self.nested())?.is_some() {}
        Ok(Shape::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut has_key = match map.next_key_seed(FirstKey)? {
            None => return Ok(Shape::Object { has_key: false }),
            Some(FirstKeyClass::Number) => {
                // A number kept as text, read as `Value` reads it.
                map.next_value_seed(NumberText)?;
                return Ok(Shape::Other);
            }
            Some(FirstKeyClass::RawValue) => {
                self.special.set(true);
                false
            }
            Some(FirstKeyClass::Name { is_key }) => is_key,
        };
        map.next_value_seed(self.nested())?;
        while let Some(is_key) = map.next_key_seed(IsKey)? {
            has_key |= is_key;
            map.next_value_seed(self.nested())?;
        }
        Ok(if self.top {
            Shape::Object { has_key }
        } else {
            Shape::Other
        })
    }
}

/// What an object's first key tells `Value` (its `KeyClassifier`).
enum FirstKeyClass {
    Number,
    RawValue,
    Name { is_key: bool },
}

struct FirstKey;

impl<'de> DeserializeSeed<'de> for FirstKey {
    type Value = FirstKeyClass;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FirstKey {
    type Value = FirstKeyClass;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E>(self, s: &str) -> Result<FirstKeyClass, E> {
        Ok(match s {
            NUMBER_TOKEN => FirstKeyClass::Number,
            RAW_VALUE_TOKEN => FirstKeyClass::RawValue,
            _ => FirstKeyClass::Name { is_key: s == "key" },
        })
    }
}

/// A later key: only whether it is `"key"` (after unescaping) matters.
struct IsKey;

impl<'de> DeserializeSeed<'de> for IsKey {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_string(self)
    }
}

impl<'de> Visitor<'de> for IsKey {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E>(self, s: &str) -> Result<bool, E> {
        Ok(s == "key")
    }
}

/// The value after [`NUMBER_TOKEN`]: number text, parsed as `Value` parses it.
struct NumberText;

impl<'de> DeserializeSeed<'de> for NumberText {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NumberText {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("string containing a number")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        s.parse::<serde_json::Number>().map_err(E::custom)?;
        Ok(())
    }
}

/// The exact text that is base64-encoded and hashed: [`compact`] of the payload with
/// `,"key":"<encodedKeyTimestamp>"` inserted before the final `}` (`{"key":"…"}` for `{}`).
///
/// Errors when the payload is not a JSON object or already has a top-level `"key"`.
pub fn signing_string(
    creds: &Credentials,
    ts: i64,
    payload_json: &str,
) -> Result<String, AuthError> {
    signing_string_with(&Derived::new(creds, ts), payload_json)
}

/// [`signing_string`] with the key material already derived.
fn signing_string_with(keys: &Derived, payload_json: &str) -> Result<String, AuthError> {
    let Shape::Object { has_key } = shape(payload_json)? else {
        return Err(AuthError::NotAnObject);
    };
    if has_key {
        return Err(AuthError::ReservedKey);
    }
    let key = keys.encoded_key_timestamp();
    let mut signing = compact_text(payload_json, key.len() + 10);
    // A compacted object is `{…}` with nothing around it.
    signing.pop();
    if signing.len() > 1 {
        signing.push(',');
    }
    signing.push_str("\"key\":\"");
    signing.push_str(&key);
    signing.push_str("\"}");
    Ok(signing)
}

/// The signature: lowercase hex of `sha512(base64(signing_string))`; the `Authorization` header
/// is `Basic ` followed by it.
pub fn signature(creds: &Credentials, ts: i64, payload_json: &str) -> Result<String, AuthError> {
    let hex = hash_signing_string(&signing_string(creds, ts, payload_json)?);
    Ok(String::from_utf8_lossy(&hex).into_owned())
}

/// Lowercase hex of `sha512(base64(signing))`.
fn hash_signing_string(signing: &str) -> [u8; SIGNATURE_HEX_LEN] {
    let mut out = [0u8; SIGNATURE_HEX_LEN];
    hex_into(&Sha512::digest(BASE64.encode(signing).as_bytes()), &mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// Encryption
// ---------------------------------------------------------------------------------------------

/// Encrypts with AES-256-CBC and PKCS#7 under [`aes_key`] and the given IV; answers the wire
/// `data` value `"<iv_hex>:<ciphertext_hex>"` in lowercase hex.
pub fn encrypt(creds: &Credentials, ts: i64, plaintext: &[u8], iv: [u8; 16]) -> String {
    encrypt_wrapped(&Derived::new(creds, ts).aes_key(), plaintext, iv, "", "")
}

/// `prefix + "<iv_hex>:<ciphertext_hex>" + suffix`, written once into a buffer of the exact
/// size (the prefix and suffix carry the body's `{"data":"` and `"}`).
fn encrypt_wrapped(
    key: &[u8; 32],
    plaintext: &[u8],
    iv: [u8; 16],
    prefix: &str,
    suffix: &str,
) -> String {
    let ciphertext =
        Aes256CbcEnc::new(key.into(), &iv.into()).encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    let iv_end = prefix.len() + 32;
    let ct_start = iv_end + 1;
    let ct_end = ct_start + 2 * ciphertext.len();
    let mut out = vec![0u8; ct_end + suffix.len()];
    out[..prefix.len()].copy_from_slice(prefix.as_bytes());
    hex_into(&iv, &mut out[prefix.len()..iv_end]);
    out[iv_end] = b':';
    hex_into(&ciphertext, &mut out[ct_start..ct_end]);
    out[ct_end..].copy_from_slice(suffix.as_bytes());
    // Hex, a colon and the (UTF-8) prefix and suffix.
    String::from_utf8(out).unwrap_or_default()
}

/// [`encrypt`] with a fresh random IV from the thread's cryptographically secure generator.
pub fn encrypt_random_iv(creds: &Credentials, ts: i64, plaintext: &[u8]) -> String {
    encrypt(creds, ts, plaintext, random_iv())
}

fn random_iv() -> [u8; 16] {
    let mut iv = [0u8; 16];
    rand::rng().fill_bytes(&mut iv);
    iv
}

/// Decrypts a wire `data` value `"<32 hex>:<hex>"` (hex in either case).
pub fn decrypt(creds: &Credentials, ts: i64, data: &str) -> Result<Vec<u8>, AuthError> {
    decrypt_with(&Derived::new(creds, ts).aes_key(), data)
}

/// [`decrypt`] under a derived key; the ciphertext is decoded and decrypted in one buffer.
fn decrypt_with(key: &[u8; 32], data: &str) -> Result<Vec<u8>, AuthError> {
    let (iv_hex, ct_hex) = data
        .split_once(':')
        .ok_or(AuthError::MalformedData("no ':' between IV and ciphertext"))?;
    let mut iv = [0u8; 16];
    if iv_hex.len() != 32 {
        return Err(AuthError::MalformedData(
            "IV is not 32 hexadecimal characters",
        ));
    }
    unhex_into(iv_hex.as_bytes(), &mut iv).ok_or(AuthError::MalformedData(
        "IV is not 32 hexadecimal characters",
    ))?;
    let not_hex = AuthError::MalformedData("ciphertext is not hexadecimal");
    if !ct_hex.len().is_multiple_of(2) {
        return Err(not_hex);
    }
    let mut buf = vec![0u8; ct_hex.len() / 2];
    unhex_into(ct_hex.as_bytes(), &mut buf).ok_or(not_hex)?;
    if buf.is_empty() || !buf.len().is_multiple_of(16) {
        return Err(AuthError::MalformedData(
            "ciphertext is not a positive multiple of 16 bytes",
        ));
    }
    let len = Aes256CbcDec::new(key.into(), &iv.into())
        .decrypt_padded_mut::<Pkcs7>(&mut buf)
        .map_err(|_| AuthError::Decryption)?
        .len();
    buf.truncate(len);
    Ok(buf)
}

/// The body text before and after the wire `data` value: `{"data":"` and `"}` (the value is
/// hex and one colon, nothing to escape).
const BODY_PREFIX: &str = "{\"data\":\"";
const BODY_SUFFIX: &str = "\"}";

/// The `data` string of a body that is exactly `{"data":"…"}`, borrowed from the body when it
/// has no escapes. Accepts exactly what `serde_json::from_slice::<Value>` accepts and judges
/// the members as that map would (a repeated `"data"` counts once, the last value wins), without
/// building it.
fn body_data(body: &[u8]) -> Result<Cow<'_, str>, AuthError> {
    let special = Cell::new(false);
    let mut de = serde_json::Deserializer::from_slice(body);
    let walked = BodyVisitor { special: &special }
        .deserialize(&mut de)
        .and_then(|found| de.end().map(|()| found));
    if special.get() {
        return body_data_from_value(body).map(Cow::Owned);
    }
    match walked.map_err(|_| AuthError::MalformedData("body is not valid JSON"))? {
        BodyMembers::OnlyData(Some(data)) => Ok(data),
        BodyMembers::OnlyData(None) | BodyMembers::OnlyOther => Err(AuthError::MalformedData(
            "body has no string \"data\" member",
        )),
        BodyMembers::Other => Err(AuthError::MalformedData(
            "body is not an object with exactly one member \"data\"",
        )),
    }
}

/// [`body_data`] through a `Value`, for the one text whose reading is left to it (an object
/// starting with serde_json's private raw-value token).
fn body_data_from_value(body: &[u8]) -> Result<String, AuthError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| AuthError::MalformedData("body is not valid JSON"))?;
    match value {
        Value::Object(map) if map.len() == 1 => match map.get("data") {
            Some(Value::String(data)) => Ok(data.clone()),
            _ => Err(AuthError::MalformedData(
                "body has no string \"data\" member",
            )),
        },
        _ => Err(AuthError::MalformedData(
            "body is not an object with exactly one member \"data\"",
        )),
    }
}

/// What a body's members are.
enum BodyMembers<'de> {
    /// Only `"data"` (perhaps repeated), with its last value when that is a string.
    OnlyData(Option<Cow<'de, str>>),
    /// One other member name (perhaps repeated).
    OnlyOther,
    /// Not an object, an empty one, or more than one member name.
    Other,
}

struct BodyVisitor<'a> {
    special: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for BodyVisitor<'_> {
    type Value = BodyMembers<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl BodyVisitor<'_> {
    fn walk(&self) -> Walk<'_> {
        Walk {
            top: false,
            special: self.special,
        }
    }
}

impl<'de> Visitor<'de> for BodyVisitor<'_> {
    type Value = BodyMembers<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(BodyMembers::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(BodyMembers::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(BodyMembers::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(BodyMembers::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(BodyMembers::Other)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(BodyMembers::Other)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(BodyMembers::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.walk().visit_seq(seq)?;
        Ok(BodyMembers::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let first: Cow<'de, str> = match map.next_key_seed(BodyKey)? {
            None => return Ok(BodyMembers::Other),
            Some(key) if key == NUMBER_TOKEN => {
                map.next_value_seed(NumberText)?;
                return Ok(BodyMembers::Other);
            }
            Some(key) => {
                if key == RAW_VALUE_TOKEN {
                    self.special.set(true);
                }
                key
            }
        };
        let is_data = first == "data";
        let mut data = None;
        if is_data {
            data = map.next_value_seed(DataValue(self.walk()))?;
        } else {
            map.next_value_seed(self.walk())?;
        }
        let mut one_name = true;
        while let Some(same) = map.next_key_seed(SameKey(&first))? {
            one_name &= same;
            if is_data && same {
                data = map.next_value_seed(DataValue(self.walk()))?;
            } else {
                map.next_value_seed(self.walk())?;
            }
        }
        Ok(match (one_name, is_data) {
            (true, true) => BodyMembers::OnlyData(data),
            (true, false) => BodyMembers::OnlyOther,
            (false, _) => BodyMembers::Other,
        })
    }
}

/// A member name, borrowed from the body when it has no escapes.
struct BodyKey;

impl<'de> DeserializeSeed<'de> for BodyKey {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for BodyKey {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_owned()))
    }
}

/// A later member name: whether it equals the first.
struct SameKey<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for SameKey<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_string(self)
    }
}

impl<'de> Visitor<'de> for SameKey<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E>(self, s: &str) -> Result<bool, E> {
        Ok(s == self.0)
    }
}

/// The value of `"data"`: its text when it is a string, `None` (after walking it) otherwise.
struct DataValue<'a>(Walk<'a>);

impl<'de> DeserializeSeed<'de> for DataValue<'_> {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DataValue<'_> {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(s.to_owned())))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.0.visit_seq(seq).map(|_| None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.0.visit_map(map).map(|_| None)
    }
}

// ---------------------------------------------------------------------------------------------
// Client side
// ---------------------------------------------------------------------------------------------

/// Signs and encrypts a request with a random IV: the client's side of every Connect call. The
/// plaintext is encrypted as given; the signature is over its compacted text.
pub fn seal_request(
    creds: &Credentials,
    ts: i64,
    plaintext_json: &str,
) -> Result<SealedRequest, AuthError> {
    seal_request_with_iv(creds, ts, plaintext_json, random_iv())
}

/// [`seal_request`] with a chosen IV (known-answer tests).
pub fn seal_request_with_iv(
    creds: &Credentials,
    ts: i64,
    plaintext_json: &str,
    iv: [u8; 16],
) -> Result<SealedRequest, AuthError> {
    let keys = Derived::new(creds, ts);
    let signature = hash_signing_string(&signing_string_with(&keys, plaintext_json)?);
    let mut authorization = String::with_capacity(6 + SIGNATURE_HEX_LEN);
    authorization.push_str("Basic ");
    authorization.push_str(std::str::from_utf8(&signature).unwrap_or_default());
    let body = encrypt_wrapped(
        &keys.aes_key(),
        plaintext_json.as_bytes(),
        iv,
        BODY_PREFIX,
        BODY_SUFFIX,
    );
    Ok(SealedRequest {
        authorization,
        timestamp: keys.ts_text,
        body,
    })
}

/// Encrypts a response with a random IV under the request's timestamp; answers the body text
/// `{"data":"…"}`.
pub fn seal_response(creds: &Credentials, request_ts: i64, plaintext_json: &str) -> String {
    seal_response_with_iv(creds, request_ts, plaintext_json, random_iv())
}

/// [`seal_response`] with a chosen IV (known-answer tests).
pub fn seal_response_with_iv(
    creds: &Credentials,
    request_ts: i64,
    plaintext_json: &str,
    iv: [u8; 16],
) -> String {
    encrypt_wrapped(
        &Derived::new(creds, request_ts).aes_key(),
        plaintext_json.as_bytes(),
        iv,
        BODY_PREFIX,
        BODY_SUFFIX,
    )
}

/// Decrypts a response body `{"data":"…"}` encrypted under the request's timestamp; answers the
/// JSON text. Errors when the body is malformed, does not decrypt, or is not UTF-8 JSON.
pub fn open_response(
    creds: &Credentials,
    request_ts: i64,
    body: &str,
) -> Result<String, AuthError> {
    open_response_bytes(creds, request_ts, body.as_bytes())
}

/// [`open_response`] of the body's bytes as received (no text conversion first: a body that is
/// not UTF-8 is not valid JSON either).
pub fn open_response_bytes(
    creds: &Credentials,
    request_ts: i64,
    body: &[u8],
) -> Result<String, AuthError> {
    let data = body_data(body)?;
    let plaintext =
        String::from_utf8(decrypt(creds, request_ts, &data)?).map_err(|_| AuthError::NotUtf8)?;
    // Any JSON value, checked without building it.
    shape(&plaintext)?;
    Ok(plaintext)
}

// ---------------------------------------------------------------------------------------------
// Verifier side
// ---------------------------------------------------------------------------------------------

/// Checks the headers' form; answers the signature (lowercased) and the timestamp.
fn parse_headers(
    authorization: Option<&str>,
    timestamp: Option<&str>,
) -> Result<(String, i64), AuthFailure> {
    let authorization = authorization.ok_or(AuthFailure::MalformedHeaders(
        "missing Authorization header",
    ))?;
    let signature = authorization
        .strip_prefix("Basic ")
        .ok_or(AuthFailure::MalformedHeaders(
            "Authorization does not start with \"Basic \"",
        ))?;
    if signature.len() != SIGNATURE_HEX_LEN || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AuthFailure::MalformedHeaders(
            "Authorization signature is not 128 hexadecimal characters",
        ));
    }
    let timestamp = timestamp.ok_or(AuthFailure::MalformedHeaders("missing timestamp header"))?;
    if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AuthFailure::MalformedHeaders(
            "timestamp is not a decimal number of seconds",
        ));
    }
    let ts = timestamp.parse::<i64>().map_err(|_| {
        AuthFailure::MalformedHeaders("timestamp is not a decimal number of seconds")
    })?;
    Ok((signature.to_ascii_lowercase(), ts))
}

fn check_window(now_unix: i64, ts: i64) -> Result<(), AuthFailure> {
    let skew = now_unix.saturating_sub(ts);
    if skew.unsigned_abs() > TIMESTAMP_WINDOW_SECS.unsigned_abs() {
        return Err(AuthFailure::StaleTimestamp { skew_secs: skew });
    }
    Ok(())
}

fn signatures_match(expected: &[u8], presented: &str) -> bool {
    bool::from(expected.ct_eq(presented.as_bytes()))
}

/// Decrypts a request body to its plaintext JSON object and signing string.
fn decrypt_request(
    creds: &Credentials,
    ts: i64,
    body: &[u8],
) -> Result<(String, Result<String, AuthError>), AuthError> {
    let keys = Derived::new(creds, ts);
    let data = body_data(body)?;
    let plaintext =
        String::from_utf8(decrypt_with(&keys.aes_key(), &data)?).map_err(|_| AuthError::NotUtf8)?;
    match signing_string_with(&keys, &plaintext) {
        Err(AuthError::ReservedKey) => Ok((plaintext, Err(AuthError::ReservedKey))),
        Err(e) => Err(e),
        Ok(signing) => Ok((plaintext, Ok(signing))),
    }
}

/// Verifies and decrypts an incoming request: the terminal's (or the cloud relay's) side.
///
/// Checks, in order: both headers present and well formed (`Basic ` and 128 hex characters;
/// a decimal timestamp), else [`AuthFailure::MalformedHeaders`]; the timestamp within
/// [`TIMESTAMP_WINDOW_SECS`] of `now_unix`, else [`AuthFailure::StaleTimestamp`]; the body
/// `{"data":"<32 hex>:<hex>"}` decrypting to a UTF-8 JSON object, else
/// [`AuthFailure::Undecryptable`]; the signature over the decrypted text, compared in constant
/// time, else [`AuthFailure::Signature`] (also for a plaintext with a top-level `"key"`, which
/// no signature of this scheme covers unambiguously). When decryption fails a dummy signature of
/// comparable length is still computed and compared.
pub fn open_request(
    creds: &Credentials,
    now_unix: i64,
    authorization: Option<&str>,
    timestamp: Option<&str>,
    body: &[u8],
) -> Result<OpenedRequest, AuthFailure> {
    let (presented, ts) = parse_headers(authorization, timestamp)?;
    check_window(now_unix, ts)?;
    match decrypt_request(creds, ts, body) {
        Ok((plaintext, Ok(signing))) => {
            if signatures_match(&hash_signing_string(&signing), &presented) {
                Ok(OpenedRequest {
                    plaintext,
                    timestamp: ts,
                })
            } else {
                Err(AuthFailure::Signature)
            }
        }
        Ok((plaintext, Err(_))) => {
            // Reserved "key": do the work of a signature check, then refuse.
            let dummy = "0".repeat(plaintext.len());
            std::hint::black_box(signatures_match(&hash_signing_string(&dummy), &presented));
            Err(AuthFailure::Signature)
        }
        Err(_) => {
            // Same work as the success path's hash and comparison, over a dummy about as long
            // as the plaintext would have been, so decryption and signature failures are not
            // told apart by timing more than necessary.
            let dummy = "0".repeat(body.len() / 2);
            std::hint::black_box(signatures_match(&hash_signing_string(&dummy), &presented));
            Err(AuthFailure::Undecryptable)
        }
    }
}

/// Verifies a bodyless request (`GET /abort` on the LAN): the same header and timestamp checks
/// as [`open_request`], then the signature over the literal `{}` (harness-defined H7). Answers
/// the request's timestamp, with which the response is encrypted.
pub fn open_bodyless(
    creds: &Credentials,
    now_unix: i64,
    authorization: Option<&str>,
    timestamp: Option<&str>,
) -> Result<i64, AuthFailure> {
    let (presented, ts) = parse_headers(authorization, timestamp)?;
    check_window(now_unix, ts)?;
    let expected = hash_signing_string(
        &signing_string_with(&Derived::new(creds, ts), "{}").unwrap_or_default(),
    );
    if signatures_match(&expected, &presented) {
        Ok(ts)
    } else {
        Err(AuthFailure::Signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials {
        Credentials::new("BC-TEST-0001", "PB04209860189")
    }

    #[test]
    fn formatted_date_agrees_with_jiff_across_four_centuries() {
        let mut ts: i64 = -2_208_988_800; // 1900-01-01
        while ts < 253_402_300_799 {
            let expected = jiff::Timestamp::from_second(ts)
                .unwrap()
                .strftime("%Y:%m:%d:%H:%M")
                .to_string();
            assert_eq!(formatted_date(ts), expected, "ts {ts}");
            ts += 86_400 * 13 + 3_719;
        }
    }

    #[test]
    fn formatted_date_handles_leap_days_and_year_ends() {
        assert_eq!(formatted_date(0), "1970:01:01:00:00");
        assert_eq!(formatted_date(951_782_400), "2000:02:29:00:00");
        assert_eq!(formatted_date(1_709_251_199), "2024:02:29:23:59");
        assert_eq!(formatted_date(1_735_689_599), "2024:12:31:23:59");
        assert_eq!(formatted_date(-1), "1969:12:31:23:59");
    }

    #[test]
    fn a_short_token_is_padded_with_zeros_to_32_characters() {
        let short = Credentials::new("B", "S");
        let padded = format!("BS{}", formatted_date(0));
        let padded = format!("{padded:0<32}");
        assert_eq!(padded.len(), 32);
        assert_eq!(
            password(&short, 0),
            hex::encode(md5::Md5::digest(padded.as_bytes()))
        );
    }

    #[test]
    fn padding_counts_characters_not_bytes() {
        let accented = Credentials::new("Ñ", "é");
        let padded = format!("Ñé{}", formatted_date(0));
        let padded = format!("{padded:0<32}");
        assert_eq!(padded.chars().count(), 32);
        assert_eq!(
            password(&accented, 0),
            hex::encode(md5::Md5::digest(padded.as_bytes()))
        );
    }

    #[test]
    fn aes_key_is_the_first_32_bytes_of_timestamp_three_underscores_and_password() {
        let key = aes_key(&creds(), 5);
        let expected = format!("5___{}", password(&creds(), 5));
        assert_eq!(&key[..], &expected.as_bytes()[..32]);
    }

    #[test]
    fn compact_keeps_strings_escapes_and_number_text_byte_for_byte() {
        let pretty = "{\n  \"a b\" : \"x \\\" y\\\\\" ,\n\t\"n\": 12.50 , \"u\":\"\\u00e9 é\",\r\n \"arr\": [ 1 , { } ] }\n";
        assert_eq!(
            compact(pretty).unwrap(),
            "{\"a b\":\"x \\\" y\\\\\",\"n\":12.50,\"u\":\"\\u00e9 é\",\"arr\":[1,{}]}"
        );
    }

    #[test]
    fn compact_refuses_text_that_is_not_a_json_object() {
        assert_eq!(compact("[1,2]"), Err(AuthError::NotAnObject));
        assert_eq!(compact("\"x\""), Err(AuthError::NotAnObject));
        assert!(matches!(
            compact("{\"a\":}"),
            Err(AuthError::InvalidJson(_))
        ));
        assert!(matches!(compact(""), Err(AuthError::InvalidJson(_))));
    }

    #[test]
    fn signing_string_appends_key_last_and_handles_the_empty_object() {
        let key = encoded_key_timestamp(&creds(), 7);
        assert_eq!(
            signing_string(&creds(), 7, " { } ").unwrap(),
            format!("{{\"key\":\"{key}\"}}")
        );
        assert_eq!(
            signing_string(&creds(), 7, "{ \"z\": 1 }").unwrap(),
            format!("{{\"z\":1,\"key\":\"{key}\"}}")
        );
    }

    #[test]
    fn a_payload_with_its_own_top_level_key_member_is_refused() {
        assert_eq!(
            signing_string(&creds(), 7, "{\"key\":\"x\"}"),
            Err(AuthError::ReservedKey)
        );
        assert_eq!(
            signing_string(&creds(), 7, "{\"\\u006bey\":1}"),
            Err(AuthError::ReservedKey)
        );
        assert!(signing_string(&creds(), 7, "{\"a\":{\"key\":1}}").is_ok());
    }

    #[test]
    fn the_walk_accepts_and_refuses_exactly_what_a_value_parse_does() {
        let texts = [
            "{}",
            " { \"a\" : [1, -2, 3.5e10, 18446744073709551616, -0, true, null, \"\\u00e9\"] } ",
            "{\"key\":1}",
            "{\"a\":1,\"\\u006bey\":{}}",
            "{\"a\":{\"key\":1}}",
            "{\"a\":1,\"a\":2}",
            "[1,{\"key\":2}]",
            "12.50",
            "1e400",
            "\"x\"",
            "null",
            "{\"$serde_json::private::Number\":\"12.5\"}",
            "{\"$serde_json::private::Number\":\"x\"}",
            "{\"$serde_json::private::Number\":\"1\",\"b\":2}",
            "{\"a\":{\"$serde_json::private::Number\":\"1\"}}",
            "{\"$serde_json::private::RawValue\":\"{\\\"key\\\":1}\"}",
            "{\"a\":\"\\ud800\"}",
            "{\"a\":01}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":1} x",
            "",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        ];
        for text in texts {
            let by_value = match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(map)) => Ok(Shape::Object {
                    has_key: map.contains_key("key"),
                }),
                Ok(_) => Ok(Shape::Other),
                Err(e) => Err(AuthError::InvalidJson(e.to_string())),
            };
            assert_eq!(shape(text), by_value, "{text}");
        }
    }

    #[test]
    fn the_body_is_read_exactly_as_a_value_parse_reads_it() {
        let bodies: [&[u8]; 16] = [
            b"{\"data\":\"00:11\"}",
            b" { \"data\" : \"a\\u0062\" } ",
            b"{\"data\":\"a\",\"data\":\"b\"}",
            b"{\"data\":\"a\",\"data\":1}",
            b"{\"data\":1,\"data\":\"b\"}",
            b"{\"data\":\"a\",\"x\":1}",
            b"{\"x\":\"a\"}",
            b"{\"x\":1,\"x\":2}",
            b"{\"data\":[1,{\"a\":2}]}",
            b"{}",
            b"[\"data\"]",
            b"{\"data\":\"\xff\"}",
            b"{\"data\":\"a\"} {}",
            b"{\"$serde_json::private::Number\":\"1\"}",
            b"{\"$serde_json::private::RawValue\":\"{\\\"data\\\":\\\"a\\\"}\"}",
            b"{\"data\":12.5e3}",
        ];
        for body in bodies {
            assert_eq!(
                body_data(body).map(Cow::into_owned),
                body_data_from_value(body),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn debug_of_credentials_never_shows_the_business_code() {
        let shown = format!("{:?}", Credentials::new("SECRET-BUSINESS-CODE", "PB1"));
        assert!(!shown.contains("SECRET-BUSINESS-CODE"), "{shown}");
        assert!(shown.contains("PB1"));
    }

    #[test]
    fn decrypt_refuses_malformed_data_before_touching_the_cipher() {
        let c = creds();
        assert!(matches!(
            decrypt(&c, 1, "00"),
            Err(AuthError::MalformedData(_))
        ));
        assert!(matches!(
            decrypt(&c, 1, "0011:00"),
            Err(AuthError::MalformedData(_))
        ));
        let iv = "00".repeat(16);
        assert!(matches!(
            decrypt(&c, 1, &format!("{iv}:")),
            Err(AuthError::MalformedData(_))
        ));
        assert!(matches!(
            decrypt(&c, 1, &format!("{iv}:0g")),
            Err(AuthError::MalformedData(_))
        ));
        assert!(matches!(
            decrypt(&c, 1, &format!("{iv}:{}", "00".repeat(15))),
            Err(AuthError::MalformedData(_))
        ));
    }

    #[test]
    fn open_response_reads_what_seal_response_wrote_and_nothing_under_another_timestamp() {
        let c = creds();
        let body = seal_response(&c, 1_774_389_300, "{\"approved\":true,\"x\":\"ñ\"}");
        assert_eq!(
            open_response(&c, 1_774_389_300, &body).unwrap(),
            "{\"approved\":true,\"x\":\"ñ\"}"
        );
        assert!(open_response(&c, 1_774_389_301, &body).is_err());
    }
}
