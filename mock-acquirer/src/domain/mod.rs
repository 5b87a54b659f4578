//! The acquirer's domain: the ledger, its rules, and what it reads from cards. No HTTP here.

pub mod card_info;
pub mod cards;
pub mod ledger;
pub mod rule;
pub mod rules;

use kushki_protocol::errors::{APPROVED_KUSHKI_CODE, APPROVED_KUSHKI_MESSAGE};
use serde::Serialize;
use serde_json::{Number, Value};

use ledger::{Kind, Ledger, Lifecycle, TxnId};

/// The raw API answer for a transaction (ref §2.5, add §6.3), in Kushki's key order. Rebuilt from
/// the record every time, so an idempotent replay answers byte for byte the same.
pub fn answer(ledger: &Ledger, id: TxnId) -> Value {
    serde_json::to_value(answer_body(ledger, id)).unwrap_or_default()
}

/// [`answer`] as the compact JSON text the raw API sends: the same text as `answer(..)
/// .to_string()` (a test holds them equal for every kind of record), written straight from the
/// record into one buffer. Building a [`Value`] first cost a quarter of a charge, and serde's
/// escaping of every string a tenth; the fixed keys are written as they stand and only the
/// values are escaped, when they need it.
pub fn answer_text(ledger: &Ledger, id: TxnId) -> Vec<u8> {
    let b = answer_body(ledger, id);
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(
        br#"{"additional_amounts":{"account_type":"","amount":0,"amount_type":"","card_type":"","currency_code":""},"authorized_amount":"#,
    );
    // `arbitrary_precision`: a number's text is what serde_json writes for it.
    out.extend_from_slice(b.authorized_amount.text.as_bytes());
    let fields: [(&[u8], &str); 11] = [
        (br#","cvm_type":"#, b.cvm_type),
        (br#","F11":"#, &b.f11),
        (br#","franchise":"#, b.franchise),
        (br#","kushki_response":{"code":"#, &b.kushki_response.code),
        (br#","message":"#, &b.kushki_response.message),
        (br#"},"message_fields":{"F38":"#, &b.message_fields.f38),
        (br#","F39":"#, &b.message_fields.f39),
        (br#"},"transaction_reference":"#, &b.transaction_reference),
        (br#","ticket_number":"#, &b.ticket_number),
        (br#","transaction_status":"#, b.transaction_status),
        (br#","transaction_type":"#, b.transaction_type),
    ];
    for (key, value) in fields {
        out.extend_from_slice(key);
        json_string(&mut out, value);
    }
    out.push(b'}');
    out
}

/// Appends `value` as a JSON string, exactly as serde_json writes it: as it stands when nothing
/// in it needs escaping (no quote, backslash or control character), else through serde_json.
fn json_string(out: &mut Vec<u8>, value: &str) {
    if value.bytes().all(|c| c >= 0x20 && c != b'"' && c != b'\\') {
        out.push(b'"');
        out.extend_from_slice(value.as_bytes());
        out.push(b'"');
    } else {
        // Writing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, value);
    }
}

/// A JSON number kept as its text (`12.50`), serialised as a number.
struct NumberText {
    text: String,
}

impl Serialize for NumberText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The text is `Amount::major_text`'s, always a valid JSON number; `0` if that ever fails.
        self.text
            .parse::<Number>()
            .unwrap_or_else(|_| Number::from(0))
            .serialize(s)
    }
}

/// `n` (below 1,000,000) as six digits with leading zeros, as `format!("{n:06}")` writes it,
/// without the formatter.
fn six_digits(n: u32) -> String {
    let mut digits = [b'0'; 6];
    let mut rest = n % 1_000_000;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    digits.iter().map(|&b| char::from(b)).collect()
}

/// The fields of an answer, in Kushki's key order (serialised as they stand).
#[derive(Serialize)]
struct AnswerBody {
    additional_amounts: AdditionalAmounts,
    authorized_amount: NumberText,
    cvm_type: &'static str,
    #[serde(rename = "F11")]
    f11: String,
    franchise: &'static str,
    kushki_response: KushkiResponse,
    message_fields: MessageFields,
    transaction_reference: String,
    ticket_number: String,
    transaction_status: &'static str,
    transaction_type: &'static str,
}

/// Always empty on card-present answers (add §6.3).
#[derive(Serialize)]
struct AdditionalAmounts {
    account_type: &'static str,
    amount: u8,
    amount_type: &'static str,
    card_type: &'static str,
    currency_code: &'static str,
}

#[derive(Serialize)]
struct KushkiResponse {
    code: String,
    message: String,
}

#[derive(Serialize)]
struct MessageFields {
    #[serde(rename = "F38")]
    f38: String,
    #[serde(rename = "F39")]
    f39: String,
}

fn answer_body(ledger: &Ledger, id: TxnId) -> AnswerBody {
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
    let authorized = NumberText {
        text: if approved {
            t.amount.major_text()
        } else {
            "0".into()
        },
    };
    // Authorization code and STAN, derived from the record (six digits each).
    let bytes = t.reference.as_bytes();
    let auth_code = if approved {
        let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % 1_000_000;
        six_digits(n)
    } else {
        String::new()
    };
    let original_type = match t.kind {
        Kind::Void | Kind::Reverse => t.original_type,
        _ => None,
    };
    AnswerBody {
        additional_amounts: AdditionalAmounts {
            account_type: "",
            amount: 0,
            amount_type: "",
            card_type: "",
            currency_code: "",
        },
        authorized_amount: authorized,
        cvm_type: "",
        f11: six_digits((id + 1) % 1_000_000),
        franchise: cards::BRANDS[usize::from(t.brand).min(cards::BRANDS.len() - 1)],
        kushki_response: KushkiResponse {
            code: kushki_code,
            message: kushki_message,
        },
        message_fields: MessageFields {
            f38: auth_code,
            f39: if approved { "00" } else { iso }.to_string(),
        },
        transaction_reference: t.reference.to_string(),
        ticket_number: t.ticket.to_string(),
        transaction_status: if approved { "APPROVAL" } else { "DECLINED" },
        transaction_type: t.kind.wire_type(original_type),
    }
}

/// Whether the transaction is still approved and standing (for searches and webhooks).
pub fn is_standing(state: Lifecycle) -> bool {
    matches!(
        state,
        Lifecycle::Approved { .. } | Lifecycle::Authorized { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use kushki_protocol::money::{Amount, Currency};
    use kushki_protocol::raw::{Country, TransactionType};
    use serde_json::json;

    #[test]
    fn six_digits_writes_what_the_formatter_writes() {
        for n in [
            0,
            7,
            42,
            999,
            1_000,
            65_535,
            123_456,
            999_999,
            1_000_000,
            4_294_967_295,
        ] {
            assert_eq!(six_digits(n), format!("{:06}", n % 1_000_000), "{n}");
        }
    }

    /// The answer as it was built before it was serialised straight from the record: the text
    /// must not change.
    fn answer_as_json_value(ledger: &Ledger, id: TxnId) -> Value {
        let t = ledger.get(id);
        let approved = t.approved();
        let iso = std::str::from_utf8(&t.iso_code).unwrap_or("05");
        let (code, message) = if approved {
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
        let b = t.reference.as_bytes();
        let auth_code = if approved {
            format!(
                "{:06}",
                u32::from_be_bytes([b[0], b[1], b[2], b[3]]) % 1_000_000
            )
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
            "kushki_response": {"code": code, "message": message},
            "message_fields": {"F38": auth_code, "F39": if approved { "00" } else { iso }},
            "transaction_reference": t.reference.to_string(),
            "ticket_number": t.ticket.to_string(),
            "transaction_status": if approved { "APPROVAL" } else { "DECLINED" },
            "transaction_type": t.kind.wire_type(original_type),
        })
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for text in [
            "",
            "APPROVAL",
            "Transacción aprobada",
            "a\"b",
            "back\\slash",
            "tab\there",
            "\u{1}",
        ] {
            let mut out = Vec::new();
            json_string(&mut out, text);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                Value::from(text).to_string()
            );
        }
    }

    #[test]
    fn the_answer_text_is_the_text_of_the_answer_value_for_every_kind_of_record() {
        let mut l = Ledger::new();
        let at = Timestamp::UNIX_EPOCH;
        let charge = l.insert(
            "c1",
            true,
            Kind::Charge,
            at,
            Amount::from_minor(1250, Currency::Pen),
            Country::Peru,
            Lifecycle::Approved { undone: 0 },
            None,
        );
        let declined = l.insert(
            "c2",
            true,
            Kind::Charge,
            at,
            Amount::from_minor(1000, Currency::Pen),
            Country::Peru,
            Lifecycle::Declined,
            None,
        );
        l.get_mut(declined).iso_code = *b"51";
        let clp = l.insert(
            "c3",
            true,
            Kind::PreAuth,
            at,
            Amount::from_minor(5000, Currency::Clp),
            Country::Chile,
            Lifecycle::Authorized { amount: 5000 },
            None,
        );
        let void = l.insert(
            "c4",
            true,
            Kind::Void,
            at,
            Amount::from_minor(1250, Currency::Pen),
            Country::Peru,
            Lifecycle::Final,
            Some(charge),
        );
        l.get_mut(void).original_type = Some(TransactionType::Charge);
        for id in [charge, declined, clp, void] {
            let expected = answer_as_json_value(&l, id);
            assert_eq!(
                String::from_utf8(answer_text(&l, id)).unwrap(),
                expected.to_string()
            );
            assert_eq!(answer(&l, id), expected);
        }
    }
}
