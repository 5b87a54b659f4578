//! Card-present webhooks as Kushki sends them (add §3).
//!
//! Every approved or declined charge, void and refund, and every reversal (ref §2.9), posts the
//! documented body with `X-Kushki-Key` (merchant id), `X-Kushki-Id` (Unix time in milliseconds,
//! from the virtual clock), `X-Kushki-Signature` = hex HMAC-SHA256 of `body + "." + id` and
//! `X-Kushki-SimpleSignature` = hex HMAC-SHA256 of `id`, both keyed with the webhook signature key.
//! A receiver that does not answer 2xx is retried a bounded number of times (harness-defined: the
//! retry policy is not published), then the failure is journaled. A `webhook` behaviour can delay,
//! drop or duplicate a delivery (Kushki warns duplicates happen).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use kushki_mock_support::behaviours::{Hop, NOT_DELIVERED, Subject};
use kushki_mock_support::journal::Exchange;
use kushki_protocol::mask::mask_pan;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::domain::cards::BRANDS;
use crate::domain::ledger::{Kind, Ledger, TxnId};
use crate::state::AppState;

/// Time allowed for one delivery.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// Hex HMAC-SHA256 of `message` under `key`.
pub fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// The two signature headers for a body and id: (`X-Kushki-Signature`, `X-Kushki-SimpleSignature`).
pub fn signatures(key: &str, body: &str, id: &str) -> (String, String) {
    (
        hmac_hex(key.as_bytes(), format!("{body}.{id}").as_bytes()),
        hmac_hex(key.as_bytes(), id.as_bytes()),
    )
}

/// The webhook body for a transaction (add §3 field list; card data limited to the masked PAN).
pub fn body(ledger: &Ledger, id: TxnId, merchant_id: &str) -> Value {
    let t = ledger.get(id);
    let answer = crate::domain::answer(ledger, id);
    let approved = t.approved();
    let (kind_name, acq_type) = match t.kind {
        Kind::Refund => ("REFUND", "Refund"),
        Kind::Void => ("VOID", "Void"),
        // ref §2.9 lists reversals among the events; add §3 shows no reversal example, so the
        // type's spelling follows `VOID` (harness-defined).
        Kind::Reverse => ("REVERSE", "Reverse"),
        _ => ("SALE", t.kind.wire_type(None)),
    };
    let bin = t
        .bin
        .map(|b| format!("{b:06}"))
        .unwrap_or_else(|| "000000".into());
    let last_four = t
        .last_four
        .map(|l| format!("{l:04}"))
        .unwrap_or_else(|| "0000".into());
    let masked = mask_pan(&format!("{bin}000000{last_four}"));
    let amount = Value::Number(t.amount.to_major_json());
    let iso = std::str::from_utf8(&t.iso_code).unwrap_or("05");
    json!({
        "country": match t.country {
            kushki_protocol::raw::Country::Peru => "Peru",
            kushki_protocol::raw::Country::Mexico => "Mexico",
            kushki_protocol::raw::Country::Chile => "Chile",
            kushki_protocol::raw::Country::Colombia => "Colombia",
        },
        "franchise": BRANDS[usize::from(t.brand).min(BRANDS.len() - 1)],
        "metadata": {},
        "available": true,
        "channel": "POS",
        "client_transaction_id": ledger.client_id(t),
        "transaction_reference": t.reference.to_string(),
        "payment_method": "card",
        "card_details": {"reading_type": t.reading_type.map(|r| r.as_str()).unwrap_or("ICC")},
        "transaction_id": t.ticket.to_string(),
        "created": t.created.as_millisecond(),
        "merchant_name": "Kushki mock merchant",
        "transaction_type": kind_name,
        "processor": answer["kushki_response"].clone(),
        "sync_mode": "online",
        "response_code": if approved { "00" } else { iso },
        "transaction_status": answer["transaction_status"].clone(),
        "payment_brand": BRANDS[usize::from(t.brand).min(BRANDS.len() - 1)],
        "acquirer_bank": "Kushki",
        "request_amount": amount.clone(),
        "merchant_id": merchant_id,
        "acq_transaction_type": acq_type,
        "acq_transaction_mode": t.kind.mode(),
        "masked_credit_card": masked,
        "authorization_code": answer["message_fields"]["F38"].clone(),
        "approval_code": answer["message_fields"]["F38"].clone(),
        "last_four_digits": last_four,
        "bin_card": bin,
        "ticket_number": t.ticket.to_string(),
        "amount": {"currency": t.amount.currency().as_str(), "subtotal_iva0": amount.clone(), "extra_taxes": {}},
        "approved_transaction_amount": if approved { amount } else { json!(0) },
        "transactionReference": t.reference.to_string(),
    })
}

/// Sends the webhook for a transaction in the background, if a receiver is configured.
pub fn dispatch(state: &Arc<AppState>, id: TxnId) {
    let Some(target) = state.webhook_target() else {
        return;
    };
    let body = {
        let ledger = state.ledger();
        body(&ledger, id, &state.config.merchant_id)
    };
    let state = state.clone();
    tokio::spawn(async move {
        let client_id = body["client_transaction_id"].as_str().map(str::to_string);
        let plan = state
            .behaviours
            .plan(&Subject {
                hop: Hop::Webhook,
                path: &target.url,
                operation: body["transaction_type"].as_str(),
                amount: None,
                client_transaction_id: client_id.as_deref(),
            })
            .await;
        let Some(copies) = plan.webhook_copies() else {
            let mut e = Exchange::new("webhook", state.clock.now(), "POST", &target.url);
            e.request = Bytes::from(body.to_string());
            e.note = Some(NOT_DELIVERED.into());
            e.client_transaction_id = client_id;
            state.journal.record(e);
            return;
        };
        for _ in 0..copies {
            deliver(&state, &target, &body).await;
        }
    });
}

async fn deliver(state: &AppState, target: &crate::config::WebhookTarget, body: &Value) {
    let text = body.to_string();
    let id = state.clock.now().as_millisecond().to_string();
    let (signature, simple) = signatures(target.key.expose(), &text, &id);
    let attempts = state.config.webhook_attempts.max(1);
    for attempt in 1..=attempts {
        let mut e = Exchange::new("webhook", state.clock.now(), "POST", &target.url);
        e.request = Bytes::from(text.clone());
        e.client_transaction_id = body["client_transaction_id"].as_str().map(str::to_string);
        e.operation = body["transaction_type"].as_str().map(str::to_string);
        let sent = state
            .http
            .post(&target.url)
            .timeout(DELIVERY_TIMEOUT)
            .header("content-type", "application/json")
            .header("X-Kushki-Key", &state.config.merchant_id)
            .header("X-Kushki-Id", &id)
            .header("X-Kushki-Signature", &signature)
            .header("X-Kushki-SimpleSignature", &simple)
            .body(text.clone())
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let status = resp.status();
                e.status = status.as_u16();
                e.response = resp.bytes().await.unwrap_or_default();
                if status.is_success() {
                    e.note = Some(format!("delivered (attempt {attempt} of {attempts})"));
                    state.journal.record(e);
                    return;
                }
                e.note = Some(format!(
                    "receiver answered {status} (attempt {attempt} of {attempts})"
                ));
            }
            Err(err) => {
                e.note = Some(format!(
                    "delivery failed (attempt {attempt} of {attempts}): {err}"
                ));
            }
        }
        if attempt == attempts {
            e.violations.push(format!(
                "webhook-delivery: gave up after {attempts} attempts"
            ));
        }
        state.journal.record(e);
        if attempt < attempts {
            tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_body_dot_id() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let (full, simple) = signatures("Jefe", "what do ya want for nothing", "?");
        assert_eq!(full, hmac_hex(b"Jefe", b"what do ya want for nothing.?"));
        assert_eq!(simple, hmac_hex(b"Jefe", b"?"));
    }
}
