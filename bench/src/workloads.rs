//! What the connections send: a raw API charge (to the baseline or the mock acquirer) and a
//! Kushki ONE Connect charge (to one mock terminal per connection).

use std::net::SocketAddr;
use std::sync::LazyLock;

use axum::Router;
use axum::http::header;
use axum::routing::post;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, StatusCode};
use kushki_protocol::auth::{self, Credentials};
use kushki_protocol::mask::Sensitive;
use kushki_protocol::money::{Amount, AmountBreakdown, Currency};
use kushki_protocol::raw::{
    CardDetails, Operation, PosDetails, ReadingType, Tracks, TransactionRequest,
};
use uuid::Uuid;

use crate::load::Workload;

/// The raw API credential the mock acquirer accepts by default.
pub const CREDENTIAL: &str = mock_acquirer::DEFAULT_CREDENTIAL;

/// A Connect charge's amount in minor units (12.50 PEN): not a test amount.
pub const CONNECT_AMOUNT_MINOR: i64 = 1250;

/// The `client_transaction_id` the raw charge's template is written with, where each request's
/// own id goes.
const TEMPLATE_ID: &str = "00000000-0000-4000-8000-000000000000";

/// A raw API charge (ref §2.3, seed): a chip read with the seed's encrypted TLV and track 2,
/// written once by [`TransactionRequest::to_json`] and split where its `client_transaction_id`
/// goes.
static RAW_CHARGE: LazyLock<[String; 2]> = LazyLock::new(|| {
    let zero = Amount::zero(Currency::Pen);
    let mut charge = TransactionRequest::new(Operation::Charge, TEMPLATE_ID);
    charge.amount = Some(AmountBreakdown {
        subtotal_iva: zero,
        subtotal_iva0: Amount::from_minor(1234, Currency::Pen),
        iva: zero,
        tip: None,
        extra_taxes: Vec::new(),
    });
    charge.currency = Some(Currency::Pen);
    charge.card_details = Some(CardDetails {
        reading_type: ReadingType::Icc,
        enc_tlv: Some(Sensitive::new(
            "E9BCEC77FACD77F942E433BE6CD27068F09ADFA082B6AE478D9BDA4EEEAFD3765300FD2EF030CD3A8DD9624E04CDFBC60B4206B9587A1A0DB5820D87D3ACAB9F",
        )),
        tracks: Some(Tracks {
            enc_track2: Some(Sensitive::new("2C5E3DC796759FAB00BB11163CC4B69B")),
            track_ksn: Some("FFFF4357486333600003".into()),
            ..Tracks::default()
        }),
        pin_block: None,
        pin_ksn: Some("FFFF4357486333600003".into()),
        pin_ksn_desc: None,
    });
    let pos = PosDetails {
        terminal_id: "PB04209860189".into(),
        brand: "SUNMI".into(),
        model: "P2-EU".into(),
        version: "Kushki SunmiV1.1.18".into(),
        has_print: true,
    };
    let text = charge.to_json(Some(&pos)).to_string();
    let (head, tail) = text
        .split_once(TEMPLATE_ID)
        .expect("the template's id is written once");
    [head.to_string(), tail.to_string()]
});

/// A raw API charge body with a fresh `client_transaction_id` (a v4 UUID), written into a
/// template as a load generator would (no JSON tree built per request).
pub fn raw_charge_body() -> String {
    let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let id = Uuid::new_v4().hyphenated().encode_lower(&mut id);
    let [head, tail] = &*RAW_CHARGE;
    [head.as_str(), id, tail.as_str()].concat()
}

/// A `POST /pos/v1/transaction` request for `addr` with a fresh charge.
pub fn raw_charge_request(addr: SocketAddr) -> Request<Full<Bytes>> {
    Request::post("/pos/v1/transaction")
        .header(header::HOST, addr.to_string())
        .header(header::CONTENT_TYPE, "application/json")
        .header("Private-Credential-Id", CREDENTIAL)
        .body(Full::new(Bytes::from(raw_charge_body())))
        .expect("a well-formed request")
}

/// `GET /__admin/health` for `addr`.
pub fn health_request(addr: SocketAddr) -> Request<Full<Bytes>> {
    Request::get("/__admin/health")
        .header(header::HOST, addr.to_string())
        .body(Full::new(Bytes::new()))
        .expect("a well-formed request")
}

/// The baseline: a bare axum handler on the raw API's path answering a fixed JSON body, with
/// nothing else (no credential check, no parsing, no ledger, no journal).
pub fn baseline_router(body: Bytes) -> Router {
    Router::new().route(
        "/pos/v1/transaction",
        post(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    )
}

/// Raw charges with distinct `client_transaction_id`s, every answer an approval.
#[derive(Debug, Clone)]
pub struct RawCharge {
    /// The acquirer (or the baseline).
    pub addr: SocketAddr,
}

impl Workload for RawCharge {
    type Ctx = ();

    fn addr(&self, _conn: usize) -> SocketAddr {
        self.addr
    }

    fn request(&self, _conn: usize) -> (Request<Full<Bytes>>, ()) {
        (raw_charge_request(self.addr), ())
    }

    fn check(&self, _ctx: (), status: StatusCode, body: &[u8]) -> Result<(), String> {
        // A substring test: parsing the answer would load the generator, not the server.
        if status == StatusCode::OK && contains(body, br#""transaction_status":"APPROVAL""#) {
            Ok(())
        } else {
            Err(format!(
                "raw charge: HTTP {status}: {}",
                String::from_utf8_lossy(body)
            ))
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A Connect charge's plaintext with a fresh `client_transaction_id` (a v4 UUID), written as
/// text: the same compact JSON as `json!({"client_transaction_id": …, "amount":
/// {"subtotal_iva": 0, "subtotal_iva0": CONNECT_AMOUNT_MINOR, "iva": 0}}).to_string()`.
pub fn connect_charge_payload() -> String {
    let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
    let id = Uuid::new_v4().hyphenated().encode_lower(&mut id);
    format!(
        r#"{{"client_transaction_id":"{id}","amount":{{"subtotal_iva":0,"subtotal_iva0":{CONNECT_AMOUNT_MINOR},"iva":0}}}}"#
    )
}

/// One mock terminal the Connect load talks to.
#[derive(Debug, Clone)]
pub struct TerminalTarget {
    /// Its LAN address.
    pub addr: SocketAddr,
    /// The POS's credentials for it (Business-Code and serial).
    pub creds: Credentials,
}

/// Connect charges on the LAN path (`POST /terminal/v1/charge`), connection `i` to terminal `i`
/// (a terminal serves one command at a time). Each request is signed and encrypted with the
/// current Unix time, and each answer decrypted and checked for `"approved":true`.
#[derive(Debug, Clone)]
pub struct ConnectCharge {
    /// The terminals, one per connection.
    pub terminals: Vec<TerminalTarget>,
}

impl Workload for ConnectCharge {
    type Ctx = (usize, i64);

    fn addr(&self, conn: usize) -> SocketAddr {
        self.terminals[conn % self.terminals.len()].addr
    }

    fn request(&self, conn: usize) -> (Request<Full<Bytes>>, (usize, i64)) {
        let t = &self.terminals[conn % self.terminals.len()];
        let ts = jiff::Timestamp::now().as_second();
        let payload = connect_charge_payload();
        let sealed = auth::seal_request(&t.creds, ts, &payload).expect("a JSON object payload");
        let req = Request::post("/terminal/v1/charge")
            .header(header::HOST, t.addr.to_string())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, sealed.authorization)
            .header("timestamp", sealed.timestamp)
            .body(Full::new(Bytes::from(sealed.body)))
            .expect("a well-formed request");
        (req, (conn, ts))
    }

    fn check(
        &self,
        (conn, ts): (usize, i64),
        status: StatusCode,
        body: &[u8],
    ) -> Result<(), String> {
        let t = &self.terminals[conn % self.terminals.len()];
        let plain = auth::open_response_bytes(&t.creds, ts, body).map_err(|e| {
            format!(
                "Connect charge: HTTP {status}: {e}: {}",
                String::from_utf8_lossy(body)
            )
        })?;
        // `open_response` has checked that the text is JSON; a substring test of the compact
        // answer is enough for the outcome.
        if status == StatusCode::OK && plain.contains(r#""approved":true"#) {
            Ok(())
        } else {
            Err(format!("Connect charge: HTTP {status}: {plain}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kushki_protocol::schemas::{self, SchemaKind};
    use serde_json::{Value, json};

    #[test]
    fn the_raw_charge_is_a_valid_request_with_a_fresh_id_each_time() {
        let a: Value = serde_json::from_str(&raw_charge_body()).unwrap();
        let b: Value = serde_json::from_str(&raw_charge_body()).unwrap();
        assert!(
            schemas::validate(SchemaKind::RawTransactionRequest, &a).is_ok(),
            "{a}"
        );
        assert_ne!(a["client_transaction_id"], b["client_transaction_id"]);
        assert_eq!(a["amount"]["subtotal_iva0"].to_string(), "12.34");
    }

    #[test]
    fn the_connect_payload_is_the_text_json_would_write() {
        let text = connect_charge_payload();
        let v: Value = serde_json::from_str(&text).unwrap();
        let id = v["client_transaction_id"].as_str().unwrap();
        assert!(Uuid::parse_str(id).is_ok(), "{text}");
        let expected = json!({
            "client_transaction_id": id,
            "amount": {"subtotal_iva": 0, "subtotal_iva0": CONNECT_AMOUNT_MINOR, "iva": 0}
        })
        .to_string();
        assert_eq!(text, expected);
    }
}
