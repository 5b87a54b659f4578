//! The payment receipt the terminal prints after an operation (ref §1.8 lists "payment receipt"
//! as the first use case; the layout is harness-defined): merchant, operation, local date, the
//! 18-digit ticket number, the masked card (BIN and last four, never the PAN: the terminal keeps
//! no other form), the approval code when the acquirer gave one, the total with its currency, the
//! outcome, and which copy it is ("COPIA CLIENTE" or "COPIA COMERCIO"), ending in feed and cut.

use kushki_protocol::calendar::MarketCalendar;
use kushki_protocol::connect::{Align, Column, ConnectOperation, DividerType, PrintCommand};
use kushki_protocol::money::{Amount, AmountBreakdown, Units};
use kushki_protocol::raw::{Country, ReadingType};

use crate::history::HistoryItem;

/// Which copy of a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptCopy {
    /// The cardholder's: "COPIA CLIENTE".
    Customer,
    /// The merchant's: "COPIA COMERCIO".
    Merchant,
}

impl ReceiptCopy {
    /// The line printed at the foot of the copy.
    pub fn label(self) -> &'static str {
        match self {
            ReceiptCopy::Customer => "COPIA CLIENTE",
            ReceiptCopy::Merchant => "COPIA COMERCIO",
        }
    }
}

/// The print commands of one copy of the receipt of `item`.
pub fn receipt_commands(
    item: &HistoryItem,
    copy: ReceiptCopy,
    merchant: &str,
) -> Vec<PrintCommand> {
    let mut out = vec![
        text(merchant, Align::Center, Some(32), true),
        PrintCommand::Divider {
            divider_type: Some(DividerType::Solid),
            offset: None,
        },
        text(
            operation_label(item.row.operation),
            Align::Center,
            None,
            true,
        ),
        row("Fecha", &local_time(item)),
        row("Ticket", &item.row.ticket_number),
    ];
    if let Some(mask) = &item.row.card_mask {
        out.push(row("Tarjeta", mask));
    }
    if let Some(reading) = item.row.reading_type {
        out.push(row("Lectura", reading_label(reading)));
    }
    if let Some(code) = &item.approval_code {
        out.push(row("Aprobacion", code));
    }
    out.push(text(
        &format!("Ref. {}", item.row.transaction_reference),
        Align::Left,
        Some(16),
        false,
    ));
    out.push(PrintCommand::Divider {
        divider_type: Some(DividerType::Dotted),
        offset: None,
    });
    let total = total(item);
    out.push(row(
        "TOTAL",
        &format!("{} {}", total.currency(), total.major_text()),
    ));
    out.push(PrintCommand::Divider {
        divider_type: Some(DividerType::Solid),
        offset: None,
    });
    out.push(text(
        if item.row.approved {
            "APROBADA"
        } else {
            "DECLINADA"
        },
        Align::Center,
        None,
        true,
    ));
    out.push(text(copy.label(), Align::Center, None, false));
    out.push(PrintCommand::Feed { lines: 3 });
    out.push(PrintCommand::Cut);
    out
}

fn text(text: &str, align: Align, size: Option<u32>, bold: bool) -> PrintCommand {
    PrintCommand::Text {
        text: text.to_string(),
        align: Some(align),
        size,
        bold: bold.then_some(true),
        italic: None,
        underline: None,
    }
}

fn row(label: &str, value: &str) -> PrintCommand {
    PrintCommand::Columns {
        columns: vec![
            Column {
                text: label.to_string(),
                weight: 1,
                align: Some(Align::Left),
            },
            Column {
                text: value.to_string(),
                weight: 2,
                align: Some(Align::Right),
            },
        ],
    }
}

fn operation_label(op: ConnectOperation) -> &'static str {
    match op {
        ConnectOperation::Charge => "VENTA",
        ConnectOperation::Authorization => "PREAUTORIZACION",
        ConnectOperation::Capture => "CAPTURA",
        ConnectOperation::ReAuthorization => "REAUTORIZACION",
        ConnectOperation::PosTip => "PROPINA",
        ConnectOperation::Void => "ANULACION",
        ConnectOperation::Refund => "DEVOLUCION",
        _ => "OPERACION",
    }
}

fn reading_label(reading: ReadingType) -> &'static str {
    match reading {
        ReadingType::Icc => "CHIP",
        ReadingType::Nfc => "SIN CONTACTO",
        ReadingType::Mcr => "BANDA",
    }
}

/// The operation's time in its market's zone (H11).
fn local_time(item: &HistoryItem) -> String {
    let country = Country::of_currency(item.currency, Country::Peru);
    let calendar = MarketCalendar::for_country(country);
    item.created()
        .to_zoned(calendar.tz().clone())
        .strftime("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn total(item: &HistoryItem) -> Amount {
    item.row
        .amount
        .as_object()
        .and_then(|a| AmountBreakdown::parse(a, item.currency, Units::Minor, "amount").ok())
        .map(|b| b.total())
        .unwrap_or_else(|| Amount::zero(item.currency))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::printer::render::render;
    use kushki_protocol::connect::SearchItem;
    use serde_json::{Value, json};

    fn item() -> HistoryItem {
        HistoryItem {
            row: SearchItem {
                client_transaction_id: "pos-1".into(),
                transaction_reference: "0c598cc7-bfd5-4180-8544-34a4f923086e".into(),
                ticket_number: "123456789012345678".into(),
                operation: ConnectOperation::Charge,
                approved: true,
                amount: json!({"subtotal_iva": 1000, "subtotal_iva0": 250, "iva": 180}),
                created: "2026-03-24T15:00:00Z"
                    .parse::<jiff::Timestamp>()
                    .unwrap()
                    .as_millisecond(),
                card_mask: Some("400000XXXXXX0002".into()),
                reading_type: Some(ReadingType::Nfc),
            },
            currency: kushki_protocol::money::Currency::Pen,
            approval_code: Some("892478".into()),
            raw_type: None,
        }
    }

    #[test]
    fn a_receipt_shows_the_ticket_the_masked_card_the_total_and_the_copy() {
        let text = render(
            &receipt_commands(&item(), ReceiptCopy::Merchant, "CAFE LIMA"),
            384,
        )
        .text;
        for expected in [
            "CAFE LIMA",
            "VENTA",
            "123456789012345678",
            "400000XXXXXX0002",
            "SIN CONTACTO",
            "892478",
            "PEN 14.30",
            "2026-03-24 10:00:00",
            "APROBADA",
            "COPIA COMERCIO",
        ] {
            assert!(text.contains(expected), "`{expected}` missing from\n{text}");
        }
    }

    #[test]
    fn the_local_time_is_the_markets() {
        let mut i = item();
        i.currency = kushki_protocol::money::Currency::Clp;
        assert_eq!(local_time(&i), "2026-03-24 12:00:00");
    }

    #[test]
    fn an_unreadable_amount_prints_zero_rather_than_failing() {
        let mut i = item();
        i.row.amount = Value::Null;
        assert_eq!(total(&i).minor_units(), 0);
    }
}
