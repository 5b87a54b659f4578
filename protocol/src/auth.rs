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

use aes::Aes256;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand::RngCore as _;
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
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}:{month:02}:{day:02}:{:02}:{:02}",
        secs / 3600,
        (secs % 3600) / 60
    )
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
    let mut text = format!(
        "{}{}{}",
        creds.business_code.expose(),
        creds.terminal_serial,
        formatted_date(ts)
    );
    let len = text.chars().count();
    text.extend(std::iter::repeat_n('0', 32usize.saturating_sub(len)));
    hex::encode(md5::Md5::digest(text.as_bytes()))
}

/// `encodedKeyTimestamp`: `base64(password + str(ts))`, the value of the signed `"key"` member.
pub fn encoded_key_timestamp(creds: &Credentials, ts: i64) -> String {
    BASE64.encode(format!("{}{ts}", password(creds, ts)))
}

/// `aesKey`: the first 32 bytes of `str(ts) + "___" + password` (AES-256).
pub fn aes_key(creds: &Credentials, ts: i64) -> [u8; 32] {
    let text = format!("{ts}___{}", password(creds, ts));
    let mut key = [0u8; 32];
    // `str(ts)` has at least one character and the password 32, so there are always 32 bytes,
    // all ASCII.
    key.copy_from_slice(&text.as_bytes()[..32]);
    key
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
    let value: Value =
        serde_json::from_str(json).map_err(|e| AuthError::InvalidJson(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(AuthError::NotAnObject);
    };
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            if c == '"' {
                in_string = true;
            }
            out.push(c);
        }
    }
    Ok((out, map.contains_key("key")))
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
    let (compacted, has_key) = compact_object(payload_json)?;
    if has_key {
        return Err(AuthError::ReservedKey);
    }
    let key = encoded_key_timestamp(creds, ts);
    // A compacted object is `{…}` with nothing around it.
    let inner = &compacted[1..compacted.len() - 1];
    Ok(if inner.is_empty() {
        format!("{{\"key\":\"{key}\"}}")
    } else {
        format!("{{{inner},\"key\":\"{key}\"}}")
    })
}

/// The signature: lowercase hex of `sha512(base64(signing_string))`; the `Authorization` header
/// is `Basic ` followed by it.
pub fn signature(creds: &Credentials, ts: i64, payload_json: &str) -> Result<String, AuthError> {
    Ok(hash_signing_string(&signing_string(
        creds,
        ts,
        payload_json,
    )?))
}

fn hash_signing_string(signing: &str) -> String {
    hex::encode(Sha512::digest(BASE64.encode(signing).as_bytes()))
}

// ---------------------------------------------------------------------------------------------
// Encryption
// ---------------------------------------------------------------------------------------------

/// Encrypts with AES-256-CBC and PKCS#7 under [`aes_key`] and the given IV; answers the wire
/// `data` value `"<iv_hex>:<ciphertext_hex>"` in lowercase hex.
pub fn encrypt(creds: &Credentials, ts: i64, plaintext: &[u8], iv: [u8; 16]) -> String {
    let key = aes_key(creds, ts);
    let ciphertext =
        Aes256CbcEnc::new(&key.into(), &iv.into()).encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    format!("{}:{}", hex::encode(iv), hex::encode(ciphertext))
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
    let (iv_hex, ct_hex) = data
        .split_once(':')
        .ok_or(AuthError::MalformedData("no ':' between IV and ciphertext"))?;
    let mut iv = [0u8; 16];
    if iv_hex.len() != 32 {
        return Err(AuthError::MalformedData(
            "IV is not 32 hexadecimal characters",
        ));
    }
    hex::decode_to_slice(iv_hex, &mut iv)
        .map_err(|_| AuthError::MalformedData("IV is not 32 hexadecimal characters"))?;
    let ciphertext = hex::decode(ct_hex)
        .map_err(|_| AuthError::MalformedData("ciphertext is not hexadecimal"))?;
    if ciphertext.is_empty() || ciphertext.len() % 16 != 0 {
        return Err(AuthError::MalformedData(
            "ciphertext is not a positive multiple of 16 bytes",
        ));
    }
    let key = aes_key(creds, ts);
    Aes256CbcDec::new(&key.into(), &iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(&ciphertext)
        .map_err(|_| AuthError::Decryption)
}

/// The body `{"data":"<iv_hex>:<ciphertext_hex>"}` for a wire `data` value.
fn data_body(data: &str) -> String {
    // `data` is hex and one colon: nothing to escape.
    format!("{{\"data\":\"{data}\"}}")
}

/// The `data` string of a body that is exactly `{"data":"…"}`.
fn body_data(body: &[u8]) -> Result<String, AuthError> {
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
    let signature = signature(creds, ts, plaintext_json)?;
    Ok(SealedRequest {
        authorization: format!("Basic {signature}"),
        timestamp: ts.to_string(),
        body: data_body(&encrypt(creds, ts, plaintext_json.as_bytes(), iv)),
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
    data_body(&encrypt(creds, request_ts, plaintext_json.as_bytes(), iv))
}

/// Decrypts a response body `{"data":"…"}` encrypted under the request's timestamp; answers the
/// JSON text. Errors when the body is malformed, does not decrypt, or is not UTF-8 JSON.
pub fn open_response(
    creds: &Credentials,
    request_ts: i64,
    body: &str,
) -> Result<String, AuthError> {
    let data = body_data(body.as_bytes())?;
    let plaintext =
        String::from_utf8(decrypt(creds, request_ts, &data)?).map_err(|_| AuthError::NotUtf8)?;
    serde_json::from_str::<Value>(&plaintext).map_err(|e| AuthError::InvalidJson(e.to_string()))?;
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

fn signatures_match(expected: &str, presented: &str) -> bool {
    bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// Decrypts a request body to its plaintext JSON object and signing string.
fn decrypt_request(
    creds: &Credentials,
    ts: i64,
    body: &[u8],
) -> Result<(String, Result<String, AuthError>), AuthError> {
    let data = body_data(body)?;
    let plaintext =
        String::from_utf8(decrypt(creds, ts, &data)?).map_err(|_| AuthError::NotUtf8)?;
    match signing_string(creds, ts, &plaintext) {
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
    let expected = hash_signing_string(&format!(
        "{{\"key\":\"{}\"}}",
        encoded_key_timestamp(creds, ts)
    ));
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
