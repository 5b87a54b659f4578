//! Request bodies of the raw API (ref §2.3, §2.4; seed), built the way a terminal app sends them.
//! Card data is the seed's "encrypted" hex unless a test asks for clear test data.

use serde_json::{Value, json};
use uuid::Uuid;

use super::Answer;

/// The seed's encrypted TLV (shortened; the mock cannot read it).
pub const SEED_ENC_TLV: &str = "E9BCEC77FACD77F942E433BE6CD27068F09ADFA082B6AE478D9BDA4EEEAFD3765300FD2EF030CD3A8DD9624E04CDFBC60B4206B9587A1A0DB5820D87D3ACAB9F";
/// The seed's encrypted track 2.
pub const SEED_ENC_TRACK2: &str = "2C5E3DC796759FAB00BB11163CC4B69B";
/// An encrypted-looking track 1.
pub const ENC_TRACK1: &str = "8B14B35A8B8D7307AEBDCFD9D5DD8EB5DC7BFB729A1E6ABAC08D5C5A064F590F";
/// A KSN from the seed.
pub const KSN: &str = "FFFF4357486333600003";

/// A JSON number with exactly this text (`"12.50"` stays `12.50`).
pub fn num(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("`{text}` is not a JSON number: {e}"))
}

/// A fresh `client_transaction_id`.
pub fn new_id() -> String {
    Uuid::new_v4().to_string()
}

/// `{currency, iva: 0, subtotal_iva: 0, subtotal_iva0: total}`.
pub fn amount(total: &str, currency: &str) -> Value {
    json!({"currency": currency, "iva": 0, "subtotal_iva": 0, "subtotal_iva0": num(total)})
}

/// Chip read (ICC): `enc_tlv`, track 2 and KSNs (seed).
pub fn icc() -> Value {
    json!({
        "reading_type": "ICC",
        "enc_tlv": SEED_ENC_TLV,
        "tracks": {"track_ksn": KSN, "enc_track2": SEED_ENC_TRACK2},
        "pin_ksn": KSN
    })
}

/// Contactless read (NFC): `enc_tlv` only.
pub fn nfc() -> Value {
    json!({"reading_type": "NFC", "enc_tlv": SEED_ENC_TLV})
}

/// Magnetic stripe (MCR): tracks 1 and 2.
pub fn mcr() -> Value {
    json!({
        "reading_type": "MCR",
        "tracks": {"enc_track1": ENC_TRACK1, "enc_track2": SEED_ENC_TRACK2, "track_ksn": KSN}
    })
}

/// A chip read whose "encrypted" data is clear test data, as the mock terminal sends it: BER-TLV
/// with tag 5A and a clear track 2 carrying `pan`.
pub fn clear_icc(pan: &str) -> Value {
    let tlv = format!("5A08{pan}");
    json!({
        "reading_type": "ICC",
        "enc_tlv": tlv,
        "tracks": {"track_ksn": KSN, "enc_track2": format!("{pan}D30122011234")},
        "pin_ksn": KSN
    })
}

fn pos_details() -> Value {
    json!({"brand": "SUNMI", "model": "P2-EU", "version": "Kushki SunmiV1.1.18", "terminal_id": "PB04209860189"})
}

/// A card charge (ICC).
pub fn charge(total: &str, currency: &str) -> Value {
    json!({
        "transaction_mode": "Authorization",
        "transaction_type": "charge",
        "client_transaction_id": new_id(),
        "amount": amount(total, currency),
        "card_details": icc(),
        "pos_details": pos_details()
    })
}

/// A card preAuth (ICC).
pub fn preauth(total: &str, currency: &str) -> Value {
    charge(total, currency).with("transaction_type", json!("preAuth"))
}

/// What a test needs to act on an earlier transaction.
#[derive(Debug, Clone)]
pub struct Txn {
    /// Its `transaction_reference`.
    pub reference: String,
    /// Its `client_transaction_id`.
    pub client_id: String,
    /// Its `transaction_type` (`charge`, `preAuth`, `capture`, `reAuthorization`).
    pub kind: String,
    /// Its `amount` object as sent.
    pub amount: Value,
}

impl Txn {
    /// From an approved answer and its request.
    pub fn from_answer(answer: &Answer) -> Txn {
        Txn {
            reference: answer.reference(),
            client_id: answer.request["client_transaction_id"]
                .as_str()
                .expect("the request has a client_transaction_id")
                .to_string(),
            kind: answer.request["transaction_type"]
                .as_str()
                .expect("the request has a transaction_type")
                .to_string(),
            amount: answer.request["amount"].clone(),
        }
    }

    /// Its currency.
    pub fn currency(&self) -> &str {
        self.amount["currency"].as_str().unwrap_or("PEN")
    }
}

/// A full void of `txn` (seed: its `transaction_reference`, a new `client_transaction_id`, its
/// type).
pub fn void(txn: &Txn) -> Value {
    json!({
        "transaction_mode": "Void",
        "transaction_type": txn.kind,
        "client_transaction_id": new_id(),
        "transaction_reference": txn.reference,
        "card_details": icc()
    })
}

/// A reverse of `txn` (seed: the `client_transaction_id` **of the transaction to reverse**).
pub fn reverse(txn: &Txn) -> Value {
    json!({
        "transaction_mode": "Reverse",
        "transaction_type": txn.kind,
        "client_transaction_id": txn.client_id,
        "amount": txn.amount,
        "card_details": icc()
    })
}

/// A refund of `txn`: total without `amount`, partial with it.
pub fn refund(txn: &Txn, partial: Option<&str>) -> Value {
    let body = json!({
        "transaction_mode": "Authorization",
        "transaction_type": "refund",
        "client_transaction_id": new_id(),
        "transaction_reference": txn.reference,
        "card_details": icc()
    });
    match partial {
        Some(total) => body.with("amount", amount(total, txn.currency())),
        None => body,
    }
}

/// A capture of a preAuth (`amount` required by the schema; partial when smaller).
pub fn capture(txn: &Txn, total: &str) -> Value {
    json!({
        "transaction_mode": "Authorization",
        "transaction_type": "capture",
        "client_transaction_id": new_id(),
        "transaction_reference": txn.reference,
        "amount": amount(total, txn.currency())
    })
}

/// A re-authorization of a preAuth to `total` (0 extends validity only, ref §2.3).
pub fn reauth(txn: &Txn, total: &str) -> Value {
    json!({
        "transaction_mode": "Authorization",
        "transaction_type": "reAuthorization",
        "client_transaction_id": new_id(),
        "transaction_reference": txn.reference,
        "amount": amount(total, txn.currency()),
        "cvm_type": "none"
    })
}

/// A post-tip on a charge (add §6.2).
pub fn pos_tip(txn: &Txn, tip: &str) -> Value {
    json!({
        "transaction_mode": "Authorization",
        "transaction_type": "posTip",
        "client_transaction_id": new_id(),
        "transaction_reference": txn.reference,
        "amount": {"currency": txn.currency(), "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 0, "tip": num(tip)}
    })
}

/// The cardless (`omit_card: true`, seed Beta) form of a body: no card data.
pub fn cardless(body: Value) -> Value {
    body.without("card_details").with("omit_card", json!(true))
}

/// Small edits of a JSON object body.
pub trait With {
    /// Sets a top-level key.
    fn with(self, key: &str, value: Value) -> Value;
    /// Removes a top-level key.
    fn without(self, key: &str) -> Value;
}

impl With for Value {
    fn with(mut self, key: &str, value: Value) -> Value {
        self.as_object_mut()
            .expect("a JSON object body")
            .insert(key.to_string(), value);
        self
    }

    fn without(mut self, key: &str) -> Value {
        self.as_object_mut()
            .expect("a JSON object body")
            .shift_remove(key);
        self
    }
}
