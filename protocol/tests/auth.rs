//! Kushki ONE Connect authentication (reference 1.5, H7, H8): the known-answer vector, the
//! timestamp window, tampering, serialisation-sensitivity, and an independent Node.js client.

use std::path::PathBuf;
use std::process::Command;

use kushki_protocol::auth::{self, AuthFailure, Credentials, OpenedRequest, TIMESTAMP_WINDOW_SECS};
use serde_json::Value;

const VECTOR: &str = include_str!("fixtures/connect-auth-vector.json");

struct Vector {
    creds: Credentials,
    ts: i64,
    v: Value,
}

impl Vector {
    fn load() -> Vector {
        let v: Value = serde_json::from_str(VECTOR).unwrap();
        let creds = Credentials::new(
            v["business_code"].as_str().unwrap(),
            v["terminal_serial"].as_str().unwrap(),
        );
        let ts = v["timestamp"].as_i64().unwrap();
        Vector { creds, ts, v }
    }

    fn s(&self, field: &str) -> &str {
        self.v[field]
            .as_str()
            .unwrap_or_else(|| panic!("vector field {field}"))
    }

    fn data(&self) -> &str {
        self.v["wire_body"]["data"].as_str().unwrap()
    }

    fn wire_body(&self) -> String {
        format!("{{\"data\":\"{}\"}}", self.data())
    }

    fn iv(&self) -> [u8; 16] {
        let mut iv = [0u8; 16];
        hex::decode_to_slice(self.s("iv_hex"), &mut iv).unwrap();
        iv
    }

    fn open(
        &self,
        now: i64,
        authorization: &str,
        timestamp: &str,
        body: &str,
    ) -> Result<OpenedRequest, AuthFailure> {
        auth::open_request(
            &self.creds,
            now,
            Some(authorization),
            Some(timestamp),
            body.as_bytes(),
        )
    }
}

/// Replaces the hex digit at `pos` by a different one.
fn flip_hex(text: &str, pos: usize) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[pos] = if bytes[pos] == b'0' { b'1' } else { b'0' };
    String::from_utf8(bytes).unwrap()
}

fn assert_auth_001(result: Result<OpenedRequest, AuthFailure>, what: &str) -> AuthFailure {
    let failure = result.expect_err(what);
    assert_eq!(failure.public_code(), "AUTH-001", "{what}: {failure:?}");
    assert!(
        matches!(failure, AuthFailure::Signature | AuthFailure::Undecryptable),
        "{what}: {failure:?}"
    );
    failure
}

// ---------------------------------------------------------------------------------------------
// 1. Known-answer vector
// ---------------------------------------------------------------------------------------------

#[test]
fn every_field_of_the_known_answer_vector_is_reproduced_exactly() {
    let t = Vector::load();
    let (c, ts) = (&t.creds, t.ts);
    assert_eq!(auth::formatted_date(ts), t.s("formatted_date"));
    assert_eq!(auth::password(c, ts), t.s("password_md5_hex"));
    assert_eq!(
        auth::encoded_key_timestamp(c, ts),
        t.s("encoded_key_timestamp")
    );
    assert_eq!(
        auth::signing_string(c, ts, t.s("plaintext_body")).unwrap(),
        t.s("signed_json")
    );
    assert_eq!(
        format!(
            "Basic {}",
            auth::signature(c, ts, t.s("plaintext_body")).unwrap()
        ),
        t.s("authorization_header")
    );
    assert_eq!(&auth::aes_key(c, ts), t.s("aes_key_utf8").as_bytes());
    assert_eq!(
        auth::encrypt(c, ts, t.s("plaintext_body").as_bytes(), t.iv()),
        t.data()
    );
    assert_eq!(
        auth::decrypt(c, ts, t.data()).unwrap(),
        t.s("plaintext_body").as_bytes()
    );

    let sealed = auth::seal_request_with_iv(c, ts, t.s("plaintext_body"), t.iv()).unwrap();
    assert_eq!(sealed.authorization, t.s("authorization_header"));
    assert_eq!(sealed.timestamp, ts.to_string());
    assert_eq!(
        serde_json::from_str::<Value>(&sealed.body).unwrap(),
        t.v["wire_body"]
    );
    assert_eq!(sealed.body, t.wire_body());
}

#[test]
fn the_vector_wire_request_opens_to_its_plaintext() {
    let t = Vector::load();
    let opened = t
        .open(
            t.ts,
            t.s("authorization_header"),
            &t.ts.to_string(),
            &t.wire_body(),
        )
        .unwrap();
    assert_eq!(
        opened,
        OpenedRequest {
            plaintext: t.s("plaintext_body").to_string(),
            timestamp: t.ts
        }
    );
}

#[test]
fn a_random_iv_request_and_response_round_trip() {
    let t = Vector::load();
    let a = auth::seal_request(&t.creds, t.ts, t.s("plaintext_body")).unwrap();
    let b = auth::seal_request(&t.creds, t.ts, t.s("plaintext_body")).unwrap();
    assert_ne!(a.body, b.body, "two seals use two IVs");
    assert_eq!(a.authorization, b.authorization);
    let opened = t
        .open(t.ts + 10, &a.authorization, &a.timestamp, &a.body)
        .unwrap();
    assert_eq!(opened.plaintext, t.s("plaintext_body"));

    let response = auth::seal_response(&t.creds, opened.timestamp, "{\"approved\":true}");
    assert_eq!(
        auth::open_response(&t.creds, t.ts, &response).unwrap(),
        "{\"approved\":true}"
    );
    let data = auth::encrypt_random_iv(&t.creds, t.ts, b"{}");
    assert_eq!(auth::decrypt(&t.creds, t.ts, &data).unwrap(), b"{}");
}

// ---------------------------------------------------------------------------------------------
// 2. Timestamp window
// ---------------------------------------------------------------------------------------------

#[test]
fn the_vector_is_accepted_up_to_exactly_five_minutes_either_way_and_refused_beyond() {
    let t = Vector::load();
    let ts_header = t.ts.to_string();
    assert_eq!(TIMESTAMP_WINDOW_SECS, 300);
    for now in [t.ts, t.ts + 300, t.ts - 300, t.ts + 1, t.ts - 1] {
        let opened = t.open(now, t.s("authorization_header"), &ts_header, &t.wire_body());
        assert_eq!(opened.unwrap().timestamp, t.ts, "now = ts{:+}", now - t.ts);
    }
    for (now, skew) in [
        (t.ts + 301, 301),
        (t.ts - 301, -301),
        (t.ts + 86_400, 86_400),
    ] {
        let failure = t
            .open(now, t.s("authorization_header"), &ts_header, &t.wire_body())
            .unwrap_err();
        assert_eq!(failure, AuthFailure::StaleTimestamp { skew_secs: skew });
        assert_eq!(failure.public_code(), "AUTH-002");
        assert_eq!(failure.check(), "timestamp");
    }
}

#[test]
fn missing_or_malformed_headers_answer_auth_003() {
    let t = Vector::load();
    let good_auth = t.s("authorization_header").to_string();
    let good_ts = t.ts.to_string();
    let sig = &good_auth["Basic ".len()..];
    let body = t.wire_body();
    let cases: Vec<(Option<String>, Option<String>)> = vec![
        (None, Some(good_ts.clone())),
        (Some(good_auth.clone()), None),
        (Some(sig.to_string()), Some(good_ts.clone())),
        (Some(format!("Bearer {sig}")), Some(good_ts.clone())),
        (Some(format!("Basic  {sig}")), Some(good_ts.clone())),
        (Some(format!("Basic {}", &sig[1..])), Some(good_ts.clone())),
        (Some(format!("Basic {sig}0")), Some(good_ts.clone())),
        (Some(format!("Basic {}g", &sig[1..])), Some(good_ts.clone())),
        (Some(good_auth.clone()), Some(String::new())),
        (Some(good_auth.clone()), Some("1774389300.0".into())),
        (Some(good_auth.clone()), Some("-1774389300".into())),
        (Some(good_auth.clone()), Some(" 1774389300".into())),
        (Some(good_auth.clone()), Some("99999999999999999999".into())),
    ];
    for (authorization, timestamp) in cases {
        let result = auth::open_request(
            &t.creds,
            t.ts,
            authorization.as_deref(),
            timestamp.as_deref(),
            body.as_bytes(),
        );
        let failure = result.expect_err("malformed headers");
        assert!(
            matches!(failure, AuthFailure::MalformedHeaders(_)),
            "{authorization:?} {timestamp:?}: {failure:?}"
        );
        assert_eq!(failure.public_code(), "AUTH-003");
        assert_eq!(failure.check(), "headers");
    }
    // A millisecond timestamp is well formed, just far outside the window.
    let millis = t
        .open(t.ts, &good_auth, &format!("{good_ts}000"), &body)
        .unwrap_err();
    assert_eq!(millis.public_code(), "AUTH-002");
    // Hex is case-insensitive.
    let upper = format!("Basic {}", sig.to_ascii_uppercase());
    assert!(t.open(t.ts, &upper, &good_ts, &body).is_ok());
}

// ---------------------------------------------------------------------------------------------
// 3. Tampering
// ---------------------------------------------------------------------------------------------

#[test]
fn flipping_any_hex_digit_of_the_iv_or_the_ciphertext_is_refused_with_auth_001() {
    let t = Vector::load();
    let data = t.data();
    let mut seen_signature = false;
    let mut seen_decryption = false;
    for pos in (0..data.len()).filter(|&p| p != 32) {
        let body = format!("{{\"data\":\"{}\"}}", flip_hex(data, pos));
        let failure = assert_auth_001(
            t.open(t.ts, t.s("authorization_header"), &t.ts.to_string(), &body),
            &format!("flip {pos}"),
        );
        seen_signature |= failure == AuthFailure::Signature;
        seen_decryption |= failure == AuthFailure::Undecryptable;
    }
    assert!(
        seen_signature && seen_decryption,
        "both kinds of failure were exercised"
    );
}

#[test]
fn flipping_any_hex_digit_of_the_signature_is_refused_with_auth_001() {
    let t = Vector::load();
    let header = t.s("authorization_header");
    for pos in "Basic ".len()..header.len() {
        let failure = assert_auth_001(
            t.open(
                t.ts,
                &flip_hex(header, pos),
                &t.ts.to_string(),
                &t.wire_body(),
            ),
            &format!("flip {pos}"),
        );
        assert_eq!(failure, AuthFailure::Signature);
        assert_eq!(failure.check(), "signature");
    }
}

#[test]
fn changing_the_timestamp_header_is_refused_even_inside_the_window() {
    let t = Vector::load();
    for delta in [-300, -60, -1, 1, 59, 60, 300] {
        let ts = t.ts + delta;
        assert_auth_001(
            t.open(
                ts,
                t.s("authorization_header"),
                &ts.to_string(),
                &t.wire_body(),
            ),
            &format!("timestamp {delta:+}"),
        );
    }
}

#[test]
fn padding_failures_and_signature_failures_look_the_same_to_the_client() {
    let t = Vector::load();
    let ts = t.ts.to_string();
    // Last ciphertext digit flipped: the PKCS#7 padding breaks.
    let data = t.data();
    let bad_padding = format!("{{\"data\":\"{}\"}}", flip_hex(data, data.len() - 1));
    let decryption = t
        .open(t.ts, t.s("authorization_header"), &ts, &bad_padding)
        .unwrap_err();
    assert_eq!(decryption, AuthFailure::Undecryptable);
    assert_eq!(decryption.check(), "decryption");
    // A valid body under another client's signature.
    let other = auth::signature(&t.creds, t.ts, "{}").unwrap();
    let signature = t
        .open(t.ts, &format!("Basic {other}"), &ts, &t.wire_body())
        .unwrap_err();
    assert_eq!(signature, AuthFailure::Signature);
    assert_eq!(signature.check(), "signature");

    assert_eq!(decryption.public_code(), signature.public_code());
    assert_eq!(decryption.public_message(), signature.public_message());
    assert_eq!(signature.public_code(), "AUTH-001");
    assert_ne!(
        AuthFailure::StaleTimestamp { skew_secs: 301 }.public_message(),
        signature.public_message()
    );
}

#[test]
fn bodies_that_are_not_a_single_data_member_or_do_not_hold_a_json_object_are_undecryptable() {
    let t = Vector::load();
    let ts = t.ts.to_string();
    let good_auth = t.s("authorization_header");
    let data = t.data();
    let not_an_object = auth::seal_request_with_iv(&t.creds, t.ts, "{}", [7; 16]).unwrap();
    let array_data = auth::encrypt(&t.creds, t.ts, b"[1,2]", [7; 16]);
    let latin1_data = auth::encrypt(&t.creds, t.ts, b"{\"a\":\"\xe9\"}", [7; 16]);
    let bodies = [
        String::new(),
        "not json".to_string(),
        "[]".to_string(),
        "{}".to_string(),
        format!("{{\"data\":\"{data}\",\"extra\":1}}"),
        format!("{{\"Data\":\"{data}\"}}"),
        "{\"data\":42}".to_string(),
        format!("{{\"data\":\"{}\"}}", data.replace(':', "")),
        format!("{{\"data\":\"{}\"}}", &data[2..]),
        format!("{{\"data\":\"{}\"}}", &data[..data.len() - 2]),
        format!("{{\"data\":\"{array_data}\"}}"),
        format!("{{\"data\":\"{latin1_data}\"}}"),
    ];
    for body in &bodies {
        let failure = t.open(t.ts, good_auth, &ts, body).unwrap_err();
        assert_eq!(failure, AuthFailure::Undecryptable, "{body}");
    }
    // The sealed `{}` opens under its own signature, not under the vector's.
    assert!(
        t.open(t.ts, &not_an_object.authorization, &ts, &not_an_object.body)
            .is_ok()
    );
    assert_eq!(
        t.open(t.ts, good_auth, &ts, &not_an_object.body),
        Err(AuthFailure::Signature)
    );
}

#[test]
fn a_decrypted_payload_with_its_own_top_level_key_is_refused_as_a_signature_failure() {
    let t = Vector::load();
    let payload = "{\"key\":\"mine\",\"a\":1}";
    assert_eq!(
        auth::seal_request(&t.creds, t.ts, payload),
        Err(auth::AuthError::ReservedKey)
    );
    // A client that signed it some other way (here: as if without the member) is still refused.
    let body = format!(
        "{{\"data\":\"{}\"}}",
        auth::encrypt_random_iv(&t.creds, t.ts, payload.as_bytes())
    );
    let authorization = format!(
        "Basic {}",
        auth::signature(&t.creds, t.ts, "{\"a\":1}").unwrap()
    );
    assert_eq!(
        t.open(t.ts, &authorization, &t.ts.to_string(), &body),
        Err(AuthFailure::Signature)
    );
}

#[test]
fn a_bodyless_request_verifies_over_the_literal_empty_object() {
    let t = Vector::load();
    let sealed = auth::seal_request(&t.creds, t.ts, "{}").unwrap();
    assert_eq!(
        auth::open_bodyless(
            &t.creds,
            t.ts + 5,
            Some(&sealed.authorization),
            Some(&sealed.timestamp)
        ),
        Ok(t.ts)
    );
    let wrong = auth::open_bodyless(
        &t.creds,
        t.ts,
        Some(t.s("authorization_header")),
        Some(&sealed.timestamp),
    );
    assert_eq!(wrong, Err(AuthFailure::Signature));
    let stale = auth::open_bodyless(
        &t.creds,
        t.ts + 301,
        Some(&sealed.authorization),
        Some(&sealed.timestamp),
    );
    assert_eq!(stale, Err(AuthFailure::StaleTimestamp { skew_secs: 301 }));
    let missing = auth::open_bodyless(&t.creds, t.ts, None, Some(&sealed.timestamp)).unwrap_err();
    assert_eq!(missing.public_code(), "AUTH-003");
    let other_terminal = Credentials::new(t.s("business_code"), "PB00000000000");
    assert_eq!(
        auth::open_bodyless(
            &other_terminal,
            t.ts,
            Some(&sealed.authorization),
            Some(&sealed.timestamp)
        ),
        Err(AuthFailure::Signature)
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Key order, number text, whitespace, escapes
// ---------------------------------------------------------------------------------------------

#[test]
fn key_order_and_number_text_change_the_signature() {
    let t = Vector::load();
    let sign = |p: &str| auth::signature(&t.creds, t.ts, p).unwrap();
    let base = sign(r#"{"b":1,"a":12.50,"name":"José Ñandú"}"#);
    assert_ne!(base, sign(r#"{"a":12.50,"b":1,"name":"José Ñandú"}"#));
    assert_ne!(base, sign(r#"{"b":1,"a":12.5,"name":"José Ñandú"}"#));
    assert_ne!(
        base,
        sign(r#"{"b":1,"a":12.50,"name":"Jos\u00e9 \u00d1and\u00fa"}"#)
    );
    assert_eq!(
        auth::signing_string(&t.creds, t.ts, r#"{"b":1,"a":12.50,"name":"José Ñandú"}"#).unwrap(),
        format!(
            r#"{{"b":1,"a":12.50,"name":"José Ñandú","key":"{}"}}"#,
            t.s("encoded_key_timestamp")
        )
    );
}

#[test]
fn a_pretty_printed_body_verifies_the_same_as_its_compact_form() {
    let t = Vector::load();
    let compact = r#"{"b":1,"a":12.50,"name":"José Ñandú","nested":{"x":[1, 2],"s":"a  b"}}"#;
    let pretty = "{\n  \"b\": 1,\n  \"a\": 12.50,\n  \"name\": \"José Ñandú\",\n  \"nested\": {\n    \"x\": [\n      1,\n      2\n    ],\n    \"s\": \"a  b\"\n  }\n}\n";
    assert_eq!(
        auth::compact(pretty).unwrap(),
        compact.replace("[1, 2]", "[1,2]")
    );
    assert_eq!(
        auth::signature(&t.creds, t.ts, pretty).unwrap(),
        auth::signature(&t.creds, t.ts, compact).unwrap()
    );
    let sealed = auth::seal_request(&t.creds, t.ts, pretty).unwrap();
    let opened = t
        .open(t.ts, &sealed.authorization, &sealed.timestamp, &sealed.body)
        .unwrap();
    assert_eq!(
        opened.plaintext, pretty,
        "the plaintext is handed over exactly as encrypted"
    );
    // The compact form's signature also verifies the pretty body.
    let compact_auth = format!(
        "Basic {}",
        auth::signature(&t.creds, t.ts, compact).unwrap()
    );
    assert!(
        t.open(t.ts, &compact_auth, &sealed.timestamp, &sealed.body)
            .is_ok()
    );
}

#[test]
fn raw_utf8_and_escaped_non_ascii_each_verify_when_the_client_signed_what_it_sent() {
    let t = Vector::load();
    let ts = t.ts.to_string();
    let utf8 = r#"{"name":"José Ñandú","city":"日本"}"#;
    let escaped = r#"{"name":"Jos\u00e9 \u00d1and\u00fa","city":"\u65e5\u672c"}"#;
    for payload in [utf8, escaped] {
        let sealed = auth::seal_request(&t.creds, t.ts, payload).unwrap();
        let opened = t
            .open(t.ts, &sealed.authorization, &sealed.timestamp, &sealed.body)
            .unwrap();
        assert_eq!(opened.plaintext, payload);
    }
    // Signed one way, encrypted the other: the verifier signs what it decrypted, so refused.
    let utf8_auth = format!("Basic {}", auth::signature(&t.creds, t.ts, utf8).unwrap());
    let escaped_body = format!(
        "{{\"data\":\"{}\"}}",
        auth::encrypt_random_iv(&t.creds, t.ts, escaped.as_bytes())
    );
    let failure = t.open(t.ts, &utf8_auth, &ts, &escaped_body).unwrap_err();
    assert_eq!(failure, AuthFailure::Signature);
}

// ---------------------------------------------------------------------------------------------
// 5. An independent client in another language (Node.js, built-in crypto only)
// ---------------------------------------------------------------------------------------------

fn node(args: &[&str]) -> String {
    let script: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "pos-client.mjs"]
        .iter()
        .collect();
    let output = match Command::new("node").arg(&script).args(args).output() {
        Ok(output) => output,
        Err(e) => panic!(
            "cannot run `node` ({e}): the independent Node.js client test needs Node.js on PATH \
             (CI installs it); install Node.js 18 or newer"
        ),
    };
    assert!(
        output.status.success(),
        "node {} {args:?} failed: {}\n{}",
        script.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("node prints UTF-8")
        .trim_end_matches('\n')
        .to_string()
}

/// Runs the Node client and opens its request with the Rust verifier.
fn node_request(t: &Vector, extra: &[&str], payload: &str) -> OpenedRequest {
    let ts = t.ts.to_string();
    let mut args: Vec<&str> = extra.to_vec();
    args.extend([t.s("business_code"), t.s("terminal_serial"), &ts, payload]);
    let line: Value = serde_json::from_str(&node(&args)).expect("the client prints one JSON line");
    assert_eq!(line["timestamp"], ts.as_str());
    auth::open_request(
        &t.creds,
        t.ts + 42,
        line["authorization"].as_str(),
        line["timestamp"].as_str(),
        line["body"].as_str().unwrap().as_bytes(),
    )
    .unwrap_or_else(|f| {
        panic!(
            "the Rust verifier refused the Node client's {payload}: {f:?} ({})",
            f.check()
        )
    })
}

#[test]
fn the_independent_node_client_reproduces_the_known_answer_vector() {
    let t = Vector::load();
    let ts = t.ts.to_string();
    let line: Value = serde_json::from_str(&node(&[
        "--iv",
        t.s("iv_hex"),
        t.s("business_code"),
        t.s("terminal_serial"),
        &ts,
        t.s("plaintext_body"),
    ]))
    .unwrap();
    assert_eq!(line["authorization"], t.s("authorization_header"));
    assert_eq!(line["body"], t.wire_body().as_str());
}

#[test]
fn requests_signed_by_the_independent_node_client_are_accepted() {
    let t = Vector::load();
    // (payload given to the client, plaintext JSON.stringify produces)
    let cases = [
        (
            r#"{"client_transaction_id":"abc-123","amount":{"subtotal_iva":0,"subtotal_iva0":1200,"iva":0}}"#,
            r#"{"client_transaction_id":"abc-123","amount":{"subtotal_iva":0,"subtotal_iva0":1200,"iva":0}}"#,
        ),
        (
            r#"{"client_transaction_id":"ñ-1","metadata":{"reference":"Café ñ 日本","customer_email":"josé@example.com"}}"#,
            r#"{"client_transaction_id":"ñ-1","metadata":{"reference":"Café ñ 日本","customer_email":"josé@example.com"}}"#,
        ),
        (
            r#"{ "amount": { "subtotal_iva0": 12.50, "iva": 1200, "tip": 1.0, "x": 1e3 } }"#,
            r#"{"amount":{"subtotal_iva0":12.5,"iva":1200,"tip":1,"x":1000}}"#,
        ),
        (t.s("plaintext_body"), t.s("plaintext_body")),
        ("{}", "{}"),
        (
            r#"{"quote":"say \"hi\"\\ / \t","emoji":"😀","list":[true,false,null]}"#,
            r#"{"quote":"say \"hi\"\\ / \t","emoji":"😀","list":[true,false,null]}"#,
        ),
    ];
    for (payload, expected_plaintext) in cases {
        let opened = node_request(&t, &[], payload);
        assert_eq!(opened.plaintext, expected_plaintext, "{payload}");
        assert_eq!(opened.timestamp, t.ts);
    }
}

#[test]
fn requests_from_the_node_client_escaping_non_ascii_are_accepted_too() {
    let t = Vector::load();
    let opened = node_request(&t, &["--ascii"], r#"{"reference":"Café ñ 日本","n":12.5}"#);
    assert_eq!(
        opened.plaintext,
        r#"{"reference":"Caf\u00e9 \u00f1 \u65e5\u672c","n":12.5}"#
    );
}

#[test]
fn the_independent_node_client_decrypts_what_seal_response_produced() {
    let t = Vector::load();
    let ts = t.ts.to_string();
    for plaintext in [
        r#"{"approved":true,"transaction_reference":"abc","message":"Aprobada: Café ñ 日本","amount":12.50}"#,
        "{}",
    ] {
        let body = auth::seal_response(&t.creds, t.ts, plaintext);
        let decrypted = node(&[
            t.s("business_code"),
            t.s("terminal_serial"),
            "--decrypt",
            &ts,
            &body,
        ]);
        assert_eq!(decrypted, plaintext);
        let data = serde_json::from_str::<Value>(&body).unwrap()["data"]
            .as_str()
            .unwrap()
            .to_string();
        let decrypted = node(&[
            "--decrypt",
            t.s("business_code"),
            t.s("terminal_serial"),
            &ts,
            &data,
        ]);
        assert_eq!(decrypted, plaintext);
    }
}
