//! The acquirer's domain: the ledger, its rules, and what it reads from cards. No HTTP here.

pub mod card_info;
pub mod cards;
pub mod ledger;
pub mod rules;

use kushki_protocol::errors::{APPROVED_KUSHKI_CODE, APPROVED_KUSHKI_MESSAGE};
use serde_json::{Value, json};

use ledger::{Kind, Ledger, Lifecycle, TxnId};

/// The raw API answer for a transaction (ref §2.5, add §6.3), in Kushki's key order. Rebuilt from
/// the record every time, so an idempotent replay answers byte for byte the same.
pub fn answer(ledger: &Ledger, id: TxnId) -> Value {
    let t = ledger.get(id);
    let approved = t.approved();
    let iso = std::str::from_utf8(&t.iso_code).unwrap_or("05");
    let (kushki_code, kushki_message) = if approved {
        (
            APPROVED_KUSHKI_CODE.to_string(),
            APPROVED_KUSHKI_MESSAGE.to_string(),
        )
    } else {
        (iso.to_string(), rules::decline_message(iso))
    };
    let authorized = if approved {
        Value::Number(t.amount.to_major_json())
    } else {
        json!(0)
    };
    // Authorization code and STAN, derived from the record (six digits each).
    let bytes = t.reference.as_bytes();
    let auth_code = if approved {
        let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % 1_000_000;
        format!("{n:06}")
    } else {
        String::new()
    };
    let original_type = match t.kind {
        Kind::Void | Kind::Reverse => t.original_type,
        _ => None,
    };
    json!({
        "additional_amounts": {"account_type": "", "amount": 0, "amount_type": "", "card_type": "", "currency_code": ""},
        "authorized_amount": authorized,
        "cvm_type": "",
        "F11": format!("{:06}", (id + 1) % 1_000_000),
        "franchise": cards::BRANDS[usize::from(t.brand).min(cards::BRANDS.len() - 1)],
        "kushki_response": {"code": kushki_code, "message": kushki_message},
        "message_fields": {"F38": auth_code, "F39": if approved { "00" } else { iso }},
        "transaction_reference": t.reference.to_string(),
        "ticket_number": t.ticket.to_string(),
        "transaction_status": if approved { "APPROVAL" } else { "DECLINED" },
        "transaction_type": t.kind.wire_type(original_type),
    })
}

/// Whether the transaction is still approved and standing (for searches and webhooks).
pub fn is_standing(state: Lifecycle) -> bool {
    matches!(
        state,
        Lifecycle::Approved { .. } | Lifecycle::Authorized { .. }
    )
}
