//! Kushki ONE Connect (ref §1): the operations a POS sends to a Sunmi terminal, their answers, the
//! async event envelope and print jobs.
//!
//! What travels on the wire is `{"data":"<iv>:<ct>"}` (see [`crate::auth`]); everything here is
//! the plaintext inside. Only `/charge` has documented request fields (ref §1.6); the others are
//! harness-defined (H3 in `schemas/README.md`). Amounts are integers in minor units (H1), in the
//! terminal's currency.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::errors::LinkFailure;
use crate::money::{Amount, AmountBreakdown, Currency, MoneyError, Units};
use crate::raw::TransactionResponse;

wire_enum! {
    /// The operation segment of a Connect route (ref §1.4).
    pub enum ConnectOperation {
        /// Single-step payment.
        Charge = "charge",
        /// Pre-authorization.
        Authorization = "authorization",
        /// Capture of a pre-authorization.
        Capture = "capture",
        /// Re-authorization of a pre-authorization.
        ReAuthorization = "re_authorization",
        /// Tip after the authorization.
        PosTip = "pos_tip",
        /// Same-day cancel before the cut-off.
        Void = "void",
        /// Refund of a settled transaction.
        Refund = "refund",
        /// Cancels the transaction in progress.
        Abort = "abort",
        /// History from the acquirer.
        TransactionSearchOnline = "transaction_search_online",
        /// History stored on the terminal.
        TransactionSearchLocal = "transaction_search_local",
    }
}

impl ConnectOperation {
    /// Whether the operation reads a card (and so passes through the reader states).
    pub fn reads_card(self) -> bool {
        matches!(
            self,
            ConnectOperation::Charge | ConnectOperation::Authorization
        )
    }

    /// Whether the operation moves money at the acquirer (and so has an async variant).
    pub fn is_financial(self) -> bool {
        !matches!(
            self,
            ConnectOperation::Abort
                | ConnectOperation::TransactionSearchOnline
                | ConnectOperation::TransactionSearchLocal
        )
    }
}

/// Plaintext of `/charge` and `/authorization` (ref §1.6).
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRequest {
    /// The POS's id for this operation (H4).
    pub client_transaction_id: String,
    /// The amount, in the terminal's currency.
    pub amount: AmountBreakdown,
    /// `metadata.{reference, customer_email, device}` as sent.
    pub metadata: Option<Map<String, Value>>,
    /// `cashback_amount` (charge only; 3P surpay).
    pub cashback: Option<Amount>,
    /// `query_deferred`: ask the cardholder for installments (3P surpay).
    pub query_deferred: bool,
    /// `deferred.months` (harness-defined H3).
    pub deferred_months: Option<u32>,
    /// `events_webhook_url` (async only).
    pub events_webhook_url: Option<String>,
}

/// Plaintext of `/capture`, `/re_authorization`, `/void` and `/refund` (H3).
#[derive(Debug, Clone, PartialEq)]
pub struct ReferencedRequest {
    /// The POS's id for this operation.
    pub client_transaction_id: String,
    /// The original transaction.
    pub transaction_reference: String,
    /// The amount (capture, refund: optional for partial; re_authorization: required).
    pub amount: Option<AmountBreakdown>,
    /// `events_webhook_url` (async only).
    pub events_webhook_url: Option<String>,
}

/// Plaintext of `/pos_tip` (H3).
#[derive(Debug, Clone, PartialEq)]
pub struct PosTipRequest {
    /// The POS's id for this operation.
    pub client_transaction_id: String,
    /// The charge the tip is added to.
    pub transaction_reference: String,
    /// The tip.
    pub tip: Amount,
    /// `events_webhook_url` (async only).
    pub events_webhook_url: Option<String>,
}

/// Plaintext of both searches (H3).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchQuery {
    /// Only this operation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_transaction_id: Option<String>,
    /// Only this transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_reference: Option<String>,
    /// From, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    /// To, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<i64>,
    /// Page, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Page size, 1 to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
}

/// A typed Connect request.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectRequest {
    /// `/charge`.
    Charge(PaymentRequest),
    /// `/authorization`.
    Authorization(PaymentRequest),
    /// `/capture`.
    Capture(ReferencedRequest),
    /// `/re_authorization`.
    ReAuthorization(ReferencedRequest),
    /// `/pos_tip`.
    PosTip(PosTipRequest),
    /// `/void`.
    Void(ReferencedRequest),
    /// `/refund`.
    Refund(ReferencedRequest),
    /// `/abort` (plaintext `{}`).
    Abort,
    /// `/transaction_search_online`.
    SearchOnline(SearchQuery),
    /// `/transaction_search_local`.
    SearchLocal(SearchQuery),
}

impl ConnectRequest {
    /// Types a plaintext that already passed its schema. `currency` is the terminal's.
    pub fn from_json(
        operation: ConnectOperation,
        body: &Value,
        currency: Currency,
    ) -> Result<ConnectRequest, MoneyError> {
        let empty = Map::new();
        let obj = body.as_object().unwrap_or(&empty);
        let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
        let required = |k: &str| {
            text(k).ok_or_else(|| MoneyError {
                field: k.to_string(),
                reason: "is required".into(),
            })
        };
        let amount = |required_amount: bool| -> Result<Option<AmountBreakdown>, MoneyError> {
            match obj.get("amount") {
                Some(Value::Object(a)) => {
                    AmountBreakdown::parse(a, currency, Units::Minor, "amount").map(Some)
                }
                _ if required_amount => Err(MoneyError {
                    field: "amount".into(),
                    reason: "is required".into(),
                }),
                _ => Ok(None),
            }
        };
        let minor = |k: &str| -> Result<Option<Amount>, MoneyError> {
            obj.get(k)
                .and_then(|v| v.as_number())
                .map(|n| crate::money::parse_minor_text(&n.to_string(), currency, k))
                .transpose()
        };
        let referenced = |required_amount: bool| -> Result<ReferencedRequest, MoneyError> {
            Ok(ReferencedRequest {
                client_transaction_id: required("client_transaction_id")?,
                transaction_reference: required("transaction_reference")?,
                amount: amount(required_amount)?,
                events_webhook_url: text("events_webhook_url"),
            })
        };
        let payment = |cashback: bool| -> Result<PaymentRequest, MoneyError> {
            Ok(PaymentRequest {
                client_transaction_id: required("client_transaction_id")?,
                amount: amount(true)?.expect("required amount"),
                metadata: obj.get("metadata").and_then(Value::as_object).cloned(),
                cashback: if cashback {
                    minor("cashback_amount")?
                } else {
                    None
                },
                query_deferred: obj
                    .get("query_deferred")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                deferred_months: obj
                    .get("deferred")
                    .and_then(|d| d.get("months"))
                    .and_then(Value::as_u64)
                    .and_then(|m| u32::try_from(m).ok()),
                events_webhook_url: text("events_webhook_url"),
            })
        };
        let search = || -> SearchQuery { serde_json::from_value(body.clone()).unwrap_or_default() };
        Ok(match operation {
            ConnectOperation::Charge => ConnectRequest::Charge(payment(true)?),
            ConnectOperation::Authorization => ConnectRequest::Authorization(payment(false)?),
            ConnectOperation::Capture => ConnectRequest::Capture(referenced(false)?),
            ConnectOperation::ReAuthorization => ConnectRequest::ReAuthorization(referenced(true)?),
            ConnectOperation::Void => ConnectRequest::Void(referenced(false)?),
            ConnectOperation::Refund => ConnectRequest::Refund(referenced(false)?),
            ConnectOperation::PosTip => ConnectRequest::PosTip(PosTipRequest {
                client_transaction_id: required("client_transaction_id")?,
                transaction_reference: required("transaction_reference")?,
                tip: minor("tip")?.ok_or_else(|| MoneyError {
                    field: "tip".into(),
                    reason: "is required".into(),
                })?,
                events_webhook_url: text("events_webhook_url"),
            }),
            ConnectOperation::Abort => ConnectRequest::Abort,
            ConnectOperation::TransactionSearchOnline => ConnectRequest::SearchOnline(search()),
            ConnectOperation::TransactionSearchLocal => ConnectRequest::SearchLocal(search()),
        })
    }

    /// The request's own `client_transaction_id` (none for abort and searches).
    pub fn client_transaction_id(&self) -> Option<&str> {
        match self {
            ConnectRequest::Charge(p) | ConnectRequest::Authorization(p) => {
                Some(&p.client_transaction_id)
            }
            ConnectRequest::Capture(r)
            | ConnectRequest::ReAuthorization(r)
            | ConnectRequest::Void(r)
            | ConnectRequest::Refund(r) => Some(&r.client_transaction_id),
            ConnectRequest::PosTip(t) => Some(&t.client_transaction_id),
            ConnectRequest::Abort
            | ConnectRequest::SearchOnline(_)
            | ConnectRequest::SearchLocal(_) => None,
        }
    }

    /// `events_webhook_url`, when the operation carries one.
    pub fn events_webhook_url(&self) -> Option<&str> {
        match self {
            ConnectRequest::Charge(p) | ConnectRequest::Authorization(p) => {
                p.events_webhook_url.as_deref()
            }
            ConnectRequest::Capture(r)
            | ConnectRequest::ReAuthorization(r)
            | ConnectRequest::Void(r)
            | ConnectRequest::Refund(r) => r.events_webhook_url.as_deref(),
            ConnectRequest::PosTip(t) => t.events_webhook_url.as_deref(),
            _ => None,
        }
    }
}

/// The sync answer of a financial operation (ref §1.7, 3P mesapay shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperationResponse {
    /// Whether the issuer approved.
    pub approved: bool,
    /// Human-readable outcome.
    pub message: String,
    /// The request's id, echoed.
    pub client_transaction_id: String,
    /// The acquirer's raw answer, verbatim.
    #[serde(rename = "rawResponse")]
    pub raw_response: TransactionResponse,
}

/// The answer of `/abort` (H7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbortResponse {
    /// Always `true`: a refused abort is a LinkFailure.
    pub aborted: bool,
    /// The aborted operation's id.
    pub client_transaction_id: String,
    /// Human-readable text.
    pub message: String,
}

/// One row of a search answer (H3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchItem {
    /// The operation's id.
    pub client_transaction_id: String,
    /// The acquirer's reference.
    pub transaction_reference: String,
    /// 18-digit ticket.
    pub ticket_number: String,
    /// Which operation.
    pub operation: ConnectOperation,
    /// Approved or not.
    pub approved: bool,
    /// Amount, minor units.
    pub amount: Value,
    /// When, epoch milliseconds.
    pub created: i64,
    /// Masked card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_mask: Option<String>,
    /// How the card was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading_type: Option<crate::raw::ReadingType>,
}

/// The answer of both searches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// Most recent first.
    pub items: Vec<SearchItem>,
}

wire_enum! {
    /// `status` of an async event (ref §1.3, 3P surpay).
    pub enum EventStatus {
        /// The terminal accepted the command (the answer to `/async/{op}`).
        TerminalAcknowledged = "TERMINAL_ACKNOWLEDGED",
        /// A card was presented.
        CardPresented = "CARD_PRESENTED",
        /// The terminal asked the acquirer; abort is refused from here on.
        ApprovalRequested = "APPROVAL_REQUESTED",
        /// Approved (final).
        Approval = "APPROVAL",
        /// Declined (final).
        Declined = "DECLINED",
        /// Cancelled by the customer, the POS or an error (final).
        TerminalCanceled = "TERMINAL_CANCELED",
    }
}

impl EventStatus {
    /// Whether no event follows this one.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            EventStatus::Approval | EventStatus::Declined | EventStatus::TerminalCanceled
        )
    }
}

/// The async envelope: the answer to `/async/{op}` and every webhook delivery (H6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unique per delivery.
    pub event_id: String,
    /// The new status.
    pub status: EventStatus,
    /// The status before, `""` on the acknowledgement.
    pub previous_status: String,
    /// The operation's id.
    pub client_transaction_id: String,
    /// Which operation.
    pub operation: ConnectOperation,
    /// When, epoch milliseconds.
    pub created: i64,
    /// The failure code of a cancelled operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Human-readable text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// On the final event: the sync answer (operation response or LinkFailure).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Value>,
}

wire_enum! {
    /// `align` of a print command (ref §1.8).
    pub enum Align {
        /// Left.
        Left = "LEFT",
        /// Centre.
        Center = "CENTER",
        /// Right.
        Right = "RIGHT",
    }
}

wire_enum! {
    /// `dividerType` of a divider (ref §1.8).
    pub enum DividerType {
        /// A solid line.
        Solid = "SOLID",
        /// A dotted line.
        Dotted = "DOTTED",
        /// Blank space.
        Empty = "EMPTY",
    }
}

wire_enum! {
    /// `errorLevel` of a QR code (ref §1.8).
    pub enum QrErrorLevel {
        /// ~7 %.
        L = "L",
        /// ~15 %.
        M = "M",
        /// ~25 %.
        Q = "Q",
        /// ~30 %.
        H = "H",
    }
}

/// One cell of a `columns` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Text.
    pub text: String,
    /// Relative width.
    #[serde(default = "one")]
    pub weight: u32,
    /// Alignment inside the cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub align: Option<Align>,
}

fn one() -> u32 {
    1
}

/// A print command (ref §1.8, 3P mesapay field names; H9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum PrintCommand {
    /// A line of text.
    Text {
        /// The text.
        text: String,
        /// Alignment.
        #[serde(skip_serializing_if = "Option::is_none")]
        align: Option<Align>,
        /// Font height in dots (H9).
        #[serde(skip_serializing_if = "Option::is_none")]
        size: Option<u32>,
        /// Bold.
        #[serde(skip_serializing_if = "Option::is_none")]
        bold: Option<bool>,
        /// Italic.
        #[serde(skip_serializing_if = "Option::is_none")]
        italic: Option<bool>,
        /// Underline.
        #[serde(skip_serializing_if = "Option::is_none")]
        underline: Option<bool>,
    },
    /// Cells side by side.
    Columns {
        /// The cells.
        columns: Vec<Column>,
    },
    /// A horizontal rule.
    Divider {
        /// Line style.
        #[serde(rename = "dividerType", skip_serializing_if = "Option::is_none")]
        divider_type: Option<DividerType>,
        /// Indent in dots.
        #[serde(skip_serializing_if = "Option::is_none")]
        offset: Option<u32>,
    },
    /// Blank lines.
    Feed {
        /// How many.
        lines: u32,
    },
    /// Blank space.
    Space {
        /// How many dots.
        pixels: u32,
    },
    /// Cut the paper.
    Cut,
    /// A QR code.
    Qr {
        /// Encoded content.
        content: String,
        /// Module size in dots.
        #[serde(rename = "dotSize", skip_serializing_if = "Option::is_none")]
        dot_size: Option<u32>,
        /// Error correction.
        #[serde(rename = "errorLevel", skip_serializing_if = "Option::is_none")]
        error_level: Option<QrErrorLevel>,
        /// Alignment.
        #[serde(skip_serializing_if = "Option::is_none")]
        align: Option<Align>,
    },
}

impl PrintCommand {
    /// Types a command that already passed its schema.
    ///
    /// Written by hand rather than with serde's internally tagged enums, which cannot carry
    /// numbers under serde_json's `arbitrary_precision`.
    pub fn from_json(value: &Value) -> Result<PrintCommand, String> {
        let obj = value.as_object().ok_or("a command must be an object")?;
        let s = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
        let n = |k: &str| {
            obj.get(k)
                .and_then(Value::as_u64)
                .and_then(|v| u32::try_from(v).ok())
        };
        let b = |k: &str| obj.get(k).and_then(Value::as_bool);
        let parsed = |k: &str| -> Result<Option<String>, String> { Ok(s(k)) };
        let align = parsed("align")?
            .map(|a| a.parse::<Align>().map_err(|e| format!("align: {e}")))
            .transpose()?;
        match s("type").as_deref() {
            Some("text") => Ok(PrintCommand::Text {
                text: s("text").ok_or("text: is required")?,
                align,
                size: n("size"),
                bold: b("bold"),
                italic: b("italic"),
                underline: b("underline"),
            }),
            Some("columns") => {
                let columns = obj
                    .get("columns")
                    .and_then(Value::as_array)
                    .ok_or("columns: is required")?
                    .iter()
                    .map(|c| {
                        let o = c
                            .as_object()
                            .ok_or("columns: each cell must be an object")?;
                        Ok(Column {
                            text: o
                                .get("text")
                                .and_then(Value::as_str)
                                .ok_or("columns: text is required")?
                                .to_string(),
                            weight: o
                                .get("weight")
                                .and_then(Value::as_u64)
                                .and_then(|w| u32::try_from(w).ok())
                                .unwrap_or(1),
                            align: o
                                .get("align")
                                .and_then(Value::as_str)
                                .map(|a| a.parse::<Align>().map_err(|e| format!("align: {e}")))
                                .transpose()?,
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                Ok(PrintCommand::Columns { columns })
            }
            Some("divider") => Ok(PrintCommand::Divider {
                divider_type: s("dividerType")
                    .map(|d| d.parse().map_err(|e| format!("dividerType: {e}")))
                    .transpose()?,
                offset: n("offset"),
            }),
            Some("feed") => Ok(PrintCommand::Feed {
                lines: n("lines").ok_or("lines: is required")?,
            }),
            Some("space") => Ok(PrintCommand::Space {
                pixels: n("pixels").ok_or("pixels: is required")?,
            }),
            Some("cut") => Ok(PrintCommand::Cut),
            Some("qr") => Ok(PrintCommand::Qr {
                content: s("content").ok_or("content: is required")?,
                dot_size: n("dotSize"),
                error_level: s("errorLevel")
                    .map(|e| e.parse().map_err(|e| format!("errorLevel: {e}")))
                    .transpose()?,
                align,
            }),
            Some(other) => Err(format!("type: unknown command `{other}`")),
            None => Err("type: is required".into()),
        }
    }
}

wire_enum! {
    /// Status of a print job (ref §1.8).
    pub enum PrintJobStatus {
        /// Queued (3P mesapay).
        Pending = "PENDING",
        /// Printed (documented).
        Completed = "COMPLETED",
        /// Not printed (documented).
        Failed = "FAILED",
    }
}

/// A print job's state: the 202 answer, the polling answer and the print webhook body (H9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrintJobState {
    /// The job's id.
    #[serde(rename = "printJobId")]
    pub print_job_id: String,
    /// Its status.
    pub status: PrintJobStatus,
    /// The POS's reference, echoed.
    #[serde(
        rename = "externalReference",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub external_reference: Option<String>,
    /// When it was queued (RFC 3339).
    #[serde(rename = "createdAt", default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it ended (RFC 3339).
    #[serde(
        rename = "completedAt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub completed_at: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<LinkFailure>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_operation_has_its_route_spelling() {
        for op in ConnectOperation::ALL {
            assert_eq!(op.as_str().parse::<ConnectOperation>().unwrap(), *op);
        }
        assert_eq!(
            ConnectOperation::ReAuthorization.as_str(),
            "re_authorization"
        );
        assert_eq!(
            ConnectOperation::TransactionSearchLocal.as_str(),
            "transaction_search_local"
        );
        assert!(!ConnectOperation::Abort.is_financial());
        assert!(ConnectOperation::Charge.reads_card());
    }

    #[test]
    fn every_event_status_has_its_wire_spelling() {
        for s in EventStatus::ALL {
            assert_eq!(s.as_str().parse::<EventStatus>().unwrap(), *s);
        }
        assert!(EventStatus::TerminalCanceled.is_final());
        assert!(!EventStatus::ApprovalRequested.is_final());
        for s in PrintJobStatus::ALL {
            assert_eq!(s.as_str().parse::<PrintJobStatus>().unwrap(), *s);
        }
    }

    #[test]
    fn the_documented_charge_plaintext_types_in_minor_units() {
        let body = json!({"client_transaction_id":"6680eadc-6c8d-44aa-8ca0-18e061c1472a",
            "amount":{"subtotal_iva":0,"subtotal_iva0":1200,"iva":0,
            "extra_taxes":{"airport_tax":0,"iac":0,"ice":0,"travel_agency":0}}});
        let req =
            ConnectRequest::from_json(ConnectOperation::Charge, &body, Currency::Pen).unwrap();
        let ConnectRequest::Charge(p) = &req else {
            panic!("{req:?}")
        };
        assert_eq!(p.amount.total().to_string(), "12.00 PEN");
        assert_eq!(
            req.client_transaction_id(),
            Some("6680eadc-6c8d-44aa-8ca0-18e061c1472a")
        );
    }

    #[test]
    fn a_fractional_connect_amount_names_its_field() {
        let body = json!({"client_transaction_id":"1","amount":{"subtotal_iva":0,"subtotal_iva0":12.5,"iva":0}});
        let err =
            ConnectRequest::from_json(ConnectOperation::Charge, &body, Currency::Pen).unwrap_err();
        assert_eq!(err.field, "amount.subtotal_iva0");
    }

    #[test]
    fn print_commands_round_trip_through_their_wire_form() {
        let cmds = json!([
            {"type":"text","text":"Hola","align":"CENTER","size":24,"bold":true},
            {"type":"columns","columns":[{"text":"Total","weight":2},{"text":"12.00","weight":1,"align":"RIGHT"}]},
            {"type":"divider","dividerType":"DOTTED"},
            {"type":"feed","lines":2},
            {"type":"space","pixels":10},
            {"type":"qr","content":"https://kushki.com","dotSize":4,"errorLevel":"M","align":"CENTER"},
            {"type":"cut"}
        ]);
        for c in cmds.as_array().unwrap() {
            let typed = PrintCommand::from_json(c).unwrap();
            assert_eq!(&serde_json::to_value(&typed).unwrap(), c);
        }
        let err = PrintCommand::from_json(&json!({"type":"beep"})).unwrap_err();
        assert!(err.starts_with("type:"), "{err}");
    }
}
