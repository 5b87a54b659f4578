//! The raw card-present API ("API RAW", ref §2): what a certified terminal app sends to the
//! acquirer and what it gets back.
//!
//! Requests are validated against `schemas/raw/*.json` first (see [`crate::schemas`]); the typed
//! forms here are what a validated request deserialises into. [`TransactionRequest::operation`]
//! maps the wire's `transaction_mode` × `transaction_type` pair onto one [`Operation`] per row of
//! ref §2.3.

use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::json_tree::Doc;
use crate::money::{AmountBreakdown, Currency, MoneyError, Units};

wire_enum! {
    /// `transaction_mode` (ref §2.3).
    pub enum TransactionMode {
        /// A new authorization: charge, preAuth, reAuthorization, capture, posTip, refund.
        Authorization = "Authorization",
        /// Cancels a transaction of the same business day before the cut-off.
        Void = "Void",
        /// Undoes a transaction whose outcome the terminal does not know (timeout).
        Reverse = "Reverse",
    }
}

wire_enum! {
    /// `transaction_type` (ref §2.3, add §6.2 for `posTip`, ref §2.10 for the search-only ones).
    pub enum TransactionType {
        /// Single-step sale.
        Charge = "charge",
        /// Pre-authorization: reserves funds.
        PreAuth = "preAuth",
        /// Changes the amount or extends the validity of a pre-authorization.
        ReAuthorization = "reAuthorization",
        /// Captures a pre-authorization.
        Capture = "capture",
        /// Refund (`/pos/v1/refund` only).
        Refund = "refund",
        /// Tip added after the authorization (add §6.2).
        PosTip = "posTip",
        /// Sale tip; a search filter value (ref §2.10).
        Tip = "tip",
        /// Balance inquiry; a search filter value and webhook event (ref §2.10, §2.9).
        BalanceInquiry = "balanceInquiry",
        /// Hotel check-in; a search filter value (ref §2.10).
        CheckIn = "checkIn",
        /// Hotel checkout; a search filter value (ref §2.10).
        Checkout = "checkout",
    }
}

wire_enum! {
    /// `card_details.reading_type`: how the terminal read the card (ref §2.4).
    pub enum ReadingType {
        /// Chip (EMV contact).
        Icc = "ICC",
        /// Magnetic stripe.
        Mcr = "MCR",
        /// Contactless.
        Nfc = "NFC",
    }
}

wire_enum! {
    /// `transaction_status` of a raw API answer (ref §2.5, add §6.3).
    pub enum TransactionStatus {
        /// Approved by the issuer.
        Approval = "APPROVAL",
        /// Declined by the issuer.
        Declined = "DECLINED",
    }
}

wire_enum! {
    /// The four Kushki ONE markets (ref §0), as ISO 3166 alpha-3 codes in `country`.
    ///
    /// The sources' examples are inconsistent (`"CLP"` as a country, `"COL"` with CLP), so the
    /// harness decides the market as described in `schemas/README.md` H11: see [`Country::resolve`].
    pub enum Country {
        /// Peru (PEN; the seed's rules, America/Lima).
        Peru = "PER",
        /// Mexico (MXN).
        Mexico = "MEX",
        /// Chile (CLP; test amounts ×100).
        Chile = "CHL",
        /// Colombia (COP).
        Colombia = "COL",
    }
}

impl Country {
    /// The market a currency belongs to; USD goes to `default` (harness-defined H11).
    pub fn of_currency(currency: Currency, default: Country) -> Country {
        match currency {
            Currency::Pen => Country::Peru,
            Currency::Mxn => Country::Mexico,
            Currency::Clp => Country::Chile,
            Currency::Cop => Country::Colombia,
            Currency::Usd => default,
        }
    }

    /// The market of a request: its `country` when that is one of the four markets, else the
    /// currency's (harness-defined H11).
    pub fn resolve(country: Option<&str>, currency: Currency, default: Country) -> Country {
        country
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| Country::of_currency(currency, default))
    }

    /// The market's own currency.
    pub fn currency(self) -> Currency {
        match self {
            Country::Peru => Currency::Pen,
            Country::Mexico => Currency::Mxn,
            Country::Chile => Currency::Clp,
            Country::Colombia => Currency::Cop,
        }
    }
}

/// One row of ref §2.3: what a `/pos/v1/transaction` or `/pos/v1/refund` request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `Authorization` × `charge`: a sale (plain, deferred, with tip or cashback).
    Charge,
    /// `Authorization` × `preAuth`.
    PreAuth,
    /// `Authorization` × `reAuthorization`, referencing a preAuth.
    ReAuthorization,
    /// `Authorization` × `capture`, referencing a preAuth (never a reAuthorization).
    Capture,
    /// `Authorization` × `posTip`, referencing a charge (add §6.2).
    PosTip,
    /// `Void` × the original's type.
    Void(TransactionType),
    /// `Reverse` × the original's type, by the original's `client_transaction_id`.
    Reverse(TransactionType),
    /// `Authorization` × `refund` on `/pos/v1/refund`.
    Refund,
}

impl Operation {
    /// The pair of a mode and a type, or `None` when ref §2.3 has no such row.
    pub fn from_wire(mode: TransactionMode, kind: TransactionType) -> Option<Operation> {
        use TransactionType as T;
        match (mode, kind) {
            (TransactionMode::Authorization, T::Charge) => Some(Operation::Charge),
            (TransactionMode::Authorization, T::PreAuth) => Some(Operation::PreAuth),
            (TransactionMode::Authorization, T::ReAuthorization) => {
                Some(Operation::ReAuthorization)
            }
            (TransactionMode::Authorization, T::Capture) => Some(Operation::Capture),
            (TransactionMode::Authorization, T::PosTip) => Some(Operation::PosTip),
            (TransactionMode::Authorization, T::Refund) => Some(Operation::Refund),
            (
                TransactionMode::Void,
                t @ (T::Charge | T::PreAuth | T::ReAuthorization | T::Capture),
            ) => Some(Operation::Void(t)),
            (TransactionMode::Reverse, t @ (T::Charge | T::Capture)) => Some(Operation::Reverse(t)),
            _ => None,
        }
    }

    /// The wire pair of this operation.
    pub fn wire(self) -> (TransactionMode, TransactionType) {
        match self {
            Operation::Charge => (TransactionMode::Authorization, TransactionType::Charge),
            Operation::PreAuth => (TransactionMode::Authorization, TransactionType::PreAuth),
            Operation::ReAuthorization => (
                TransactionMode::Authorization,
                TransactionType::ReAuthorization,
            ),
            Operation::Capture => (TransactionMode::Authorization, TransactionType::Capture),
            Operation::PosTip => (TransactionMode::Authorization, TransactionType::PosTip),
            Operation::Refund => (TransactionMode::Authorization, TransactionType::Refund),
            Operation::Void(t) => (TransactionMode::Void, t),
            Operation::Reverse(t) => (TransactionMode::Reverse, t),
        }
    }

    /// Whether the request names its original by `transaction_reference` (void, capture,
    /// reAuthorization, posTip, refund); a reverse names it by `client_transaction_id` (seed).
    pub fn references_original(self) -> bool {
        !matches!(
            self,
            Operation::Charge | Operation::PreAuth | Operation::Reverse(_)
        )
    }
}

/// `card_details.tracks` (ref §2.4, add §6.2). Values are the terminal's DUKPT-encrypted hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Tracks {
    /// Encrypted track 1 (magstripe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enc_track1: Option<crate::mask::Sensitive>,
    /// Encrypted track 2 (`=` replaced by `D` before encryption).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enc_track2: Option<crate::mask::Sensitive>,
    /// Key serial number of the track encryption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track_ksn: Option<String>,
    /// Descriptor of `track_ksn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track_ksn_desc: Option<String>,
    /// Track-2 length without filler.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub track2_length: Option<u32>,
}

/// `card_details` (ref §2.4): encrypted card data as read by the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDetails {
    /// How the card was read.
    pub reading_type: ReadingType,
    /// Encrypted EMV TLV (chip and contactless).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enc_tlv: Option<crate::mask::Sensitive>,
    /// Encrypted tracks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracks: Option<Tracks>,
    /// ISO-0 PIN block, DUKPT-encrypted (online PIN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin_block: Option<crate::mask::Sensitive>,
    /// Key serial number of the PIN encryption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin_ksn: Option<String>,
    /// Descriptor of `pin_ksn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin_ksn_desc: Option<String>,
}

/// A validated `/pos/v1/transaction` or `/pos/v1/refund` body.
///
/// Only the fields the acquirer's rules read are typed; the whole body stays available as JSON
/// for the journal (masked) and for echoing.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionRequest {
    /// Which row of ref §2.3.
    pub operation: Operation,
    /// The request's own id; for a reverse, the id of the transaction to reverse.
    pub client_transaction_id: String,
    /// The original transaction, for void, capture, reAuthorization, posTip and refund.
    pub transaction_reference: Option<String>,
    /// The amount object, exactly parsed; `None` where it is optional and absent.
    pub amount: Option<AmountBreakdown>,
    /// The currency named by `amount.currency`.
    pub currency: Option<Currency>,
    /// `country` as sent.
    pub country: Option<String>,
    /// The card data, absent on cardless requests.
    pub card_details: Option<CardDetails>,
    /// `omit_card: true`: a cardless (Beta) request.
    pub omit_card: bool,
    /// `is_smart_void` (Chile: process as a refund for some issuers, add §6.2).
    pub is_smart_void: bool,
    /// `is_deferred` (or the seed's `isDeferred`) with `deferred.months`.
    pub deferred_months: Option<u32>,
    /// `is_cashback` with `cashback_amount`.
    pub cashback: Option<crate::money::Amount>,
}

/// Why a schema-valid body could not be typed (an amount with too many decimals, say).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// A money field is not exact for its currency.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// `transaction_mode` × `transaction_type` is not a row of ref §2.3.
    #[error("transaction_type: `{kind}` cannot be combined with transaction_mode `{mode}`")]
    Combination {
        /// The mode sent.
        mode: String,
        /// The type sent.
        kind: String,
    },
    /// A field is missing or has the wrong type (the schema normally catches these first).
    #[error("{field}: {reason}")]
    Field {
        /// Dotted path of the field.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

impl RequestError {
    /// The offending field as a dotted path.
    pub fn field(&self) -> String {
        match self {
            RequestError::Money(m) => m.field.clone(),
            RequestError::Combination { .. } => "transaction_type".into(),
            RequestError::Field { field, .. } => field.clone(),
        }
    }
}

fn field_err(field: &str, reason: impl Into<String>) -> RequestError {
    RequestError::Field {
        field: field.into(),
        reason: reason.into(),
    }
}

impl TransactionRequest {
    /// Types a body that already passed its schema.
    pub fn from_doc(body: &Doc<'_>) -> Result<TransactionRequest, RequestError> {
        let obj = body
            .as_object()
            .ok_or_else(|| field_err("", "the body must be a JSON object"))?;
        let text = |key: &str| obj.get(key).and_then(Doc::as_str);
        let flag = |key: &str| obj.get(key).and_then(Doc::as_bool).unwrap_or(false);
        let mode_text =
            text("transaction_mode").ok_or_else(|| field_err("transaction_mode", "is required"))?;
        let kind_text =
            text("transaction_type").ok_or_else(|| field_err("transaction_type", "is required"))?;
        let mode: TransactionMode = mode_text
            .parse()
            .map_err(|e: crate::UnknownVariant| field_err("transaction_mode", e.to_string()))?;
        let kind: TransactionType = kind_text
            .parse()
            .map_err(|e: crate::UnknownVariant| field_err("transaction_type", e.to_string()))?;
        let operation =
            Operation::from_wire(mode, kind).ok_or_else(|| RequestError::Combination {
                mode: mode_text.into(),
                kind: kind_text.into(),
            })?;
        let client_transaction_id = text("client_transaction_id")
            .ok_or_else(|| field_err("client_transaction_id", "is required"))?
            .to_string();
        let (amount, currency) = match obj.get("amount") {
            Some(Doc::Object(a)) => {
                let currency: Currency = a
                    .get("currency")
                    .and_then(Doc::as_str)
                    .ok_or_else(|| field_err("amount.currency", "is required"))?
                    .parse()
                    .map_err(|e: MoneyError| field_err("amount.currency", e.reason))?;
                (
                    Some(AmountBreakdown::parse(a, currency, Units::Major, "amount")?),
                    Some(currency),
                )
            }
            None | Some(Doc::Null) => (None, None),
            Some(_) => return Err(field_err("amount", "must be an object")),
        };
        let card_details = match obj.get("card_details") {
            // Read from the body's tree in place, without a `Value`.
            Some(v) if !v.is_null() => Some(
                CardDetails::deserialize(v.into_deserializer())
                    .map_err(|e| field_err("card_details", e.to_string()))?,
            ),
            _ => None,
        };
        let deferred = flag("is_deferred") || flag("isDeferred");
        let deferred_months = if deferred {
            obj.get("deferred")
                .and_then(|d| d.get("months"))
                .and_then(|m| match m {
                    Doc::String(s) => s.parse().ok(),
                    Doc::Number(n) => n.parse().ok(),
                    _ => None,
                })
        } else {
            None
        };
        let cashback = match (flag("is_cashback"), obj.get("cashback_amount"), currency) {
            (true, Some(Doc::Number(n)), Some(c)) => {
                Some(crate::money::parse_major_text(n, c, "cashback_amount")?)
            }
            _ => None,
        };
        Ok(TransactionRequest {
            operation,
            client_transaction_id,
            transaction_reference: text("transaction_reference").map(str::to_string),
            amount,
            currency,
            country: text("country").map(str::to_string),
            card_details,
            omit_card: flag("omit_card"),
            is_smart_void: flag("is_smart_void"),
            deferred_months,
            cashback,
        })
    }
}

/// `pos_details` of a raw request: the terminal app that sends it (ref §2.4). The acquirer does
/// not read it, so [`TransactionRequest::from_doc`] leaves it out; a sender writes it with
/// [`TransactionRequest::to_json`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosDetails {
    /// The terminal's id (its serial, at most 15 characters).
    pub terminal_id: String,
    /// The device brand (`SUNMI`).
    pub brand: String,
    /// The device model as the wire spells it.
    pub model: String,
    /// The terminal app's version.
    pub version: String,
    /// Whether the device prints.
    pub has_print: bool,
}

impl TransactionRequest {
    /// A request for `operation` with nothing but its id: the other fields are set by the sender.
    pub fn new(operation: Operation, client_transaction_id: impl Into<String>) -> Self {
        TransactionRequest {
            operation,
            client_transaction_id: client_transaction_id.into(),
            transaction_reference: None,
            amount: None,
            currency: None,
            country: None,
            card_details: None,
            omit_card: false,
            is_smart_void: false,
            deferred_months: None,
            cashback: None,
        }
    }

    /// Writes the body [`TransactionRequest::from_doc`] reads, in the order a terminal app sends
    /// it: `transaction_mode`, `transaction_type`, `client_transaction_id`, `country`,
    /// `pos_details`, `transaction_reference`, `amount`, `card_details`, the cashback, the
    /// deferral, and the `omit_card` and `is_smart_void` flags when set.
    pub fn to_json(&self, pos_details: Option<&PosDetails>) -> Value {
        let (mode, kind) = self.operation.wire();
        let mut body = Map::with_capacity(12);
        body.insert("transaction_mode".into(), Value::from(mode.as_str()));
        body.insert("transaction_type".into(), Value::from(kind.as_str()));
        body.insert(
            "client_transaction_id".into(),
            Value::from(self.client_transaction_id.as_str()),
        );
        if let Some(country) = &self.country {
            body.insert("country".into(), Value::from(country.as_str()));
        }
        if let Some(pos) = pos_details {
            body.insert(
                "pos_details".into(),
                serde_json::to_value(pos).unwrap_or_default(),
            );
        }
        if let Some(reference) = &self.transaction_reference {
            body.insert(
                "transaction_reference".into(),
                Value::from(reference.as_str()),
            );
        }
        if let Some(amount) = &self.amount {
            body.insert("amount".into(), amount.to_raw_json());
        }
        if let Some(card) = &self.card_details {
            body.insert(
                "card_details".into(),
                serde_json::to_value(card).unwrap_or_default(),
            );
        }
        if let Some(cashback) = self.cashback {
            body.insert("is_cashback".into(), Value::Bool(true));
            body.insert(
                "cashback_amount".into(),
                Value::Number(cashback.to_major_json()),
            );
        }
        if let Some(months) = self.deferred_months {
            body.insert("is_deferred".into(), Value::Bool(true));
            let mut deferred = Map::with_capacity(1);
            deferred.insert("months".into(), Value::String(months.to_string()));
            body.insert("deferred".into(), Value::Object(deferred));
        }
        if self.omit_card {
            body.insert("omit_card".into(), Value::Bool(true));
        }
        if self.is_smart_void {
            body.insert("is_smart_void".into(), Value::Bool(true));
        }
        Value::Object(body)
    }
}

/// `kushki_response` of an answer: the processor's code and message (ref §2.5, add §2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KushkiResponse {
    /// `"000"` for an approval (add §2.2), else the ISO code (`"01"`, `"05"`, …).
    pub code: String,
    /// Human-readable text.
    pub message: String,
}

/// `message_fields` of an answer: ISO 8583 fields as Kushki shows them (ref §2.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageFields {
    /// Authorization code.
    #[serde(rename = "F38")]
    pub f38: String,
    /// ISO response code (`"00"` approved).
    #[serde(rename = "F39")]
    pub f39: String,
}

/// `additional_amounts` of an answer (ref §2.5), empty in every example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AdditionalAmounts {
    /// Account type.
    pub account_type: String,
    /// Amount.
    pub amount: i64,
    /// Amount type.
    pub amount_type: String,
    /// Card type.
    pub card_type: String,
    /// Currency code.
    pub currency_code: String,
}

/// The answer of `/pos/v1/transaction` and `/pos/v1/refund` (ref §2.5, add §6.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransactionResponse {
    /// Always empty in Kushki's examples.
    pub additional_amounts: AdditionalAmounts,
    /// Authorized amount as a JSON number in major units.
    pub authorized_amount: serde_json::Number,
    /// Cardholder verification method.
    pub cvm_type: String,
    /// ISO STAN.
    #[serde(rename = "F11")]
    pub f11: String,
    /// Card brand (`VISA`, `MASTERCARD`, `PROSA`, add §6.3).
    pub franchise: String,
    /// Processor outcome.
    pub kushki_response: KushkiResponse,
    /// ISO fields.
    pub message_fields: MessageFields,
    /// Kushki's id of the transaction (UUID).
    pub transaction_reference: String,
    /// 18-digit ticket number.
    pub ticket_number: String,
    /// Approved or declined.
    pub transaction_status: TransactionStatus,
    /// The operation's type as Kushki writes it (`"charge"`, `"Refund"`, add §6.3).
    pub transaction_type: String,
}

/// The transaction search request (ref §2.10, add §6.4), newer (`page`) or older (`from`) form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// Page number (newer form), from 1 (harness-defined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Offset (older form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<u32>,
    /// Page size, at most 500.
    pub size: u32,
    /// Filters, all optional.
    #[serde(default)]
    pub filters: SearchFilters,
}

/// `filters` of a search (ref §2.10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SearchFilters {
    /// First six (or eight) digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bin: Option<String>,
    /// Client transaction id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_transaction_id: Option<String>,
    /// Start, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<i64>,
    /// End, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<i64>,
    /// Last four digits (newer form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_four_digits: Option<String>,
    /// Last four digits (older form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_four_digits: Option<String>,
    /// Kushki's transaction reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_reference: Option<String>,
    /// Transaction type (`charge`, `preAuth`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_type: Option<String>,
    /// Time zone of the older form (`"+08:00"`); accepted, not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// A body's JSON object or an empty one: helper for building requests.
pub fn object(value: &Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The body's text read as the acquirer reads it.
    fn doc(body: &Value) -> Doc<'static> {
        let text: &'static str = Box::leak(body.to_string().into_boxed_str());
        Doc::parse(text).unwrap()
    }

    #[test]
    fn a_written_request_reads_back_as_itself_and_passes_its_schema() {
        use crate::money::{Amount, Units};
        let amount = json!({"subtotal_iva": 0, "subtotal_iva0": 12.5, "iva": 0, "currency": "PEN"});
        let mut charge =
            TransactionRequest::new(Operation::Charge, "0e8d6a1c-2f4b-4c7e-9a31-5b6d7e8f9a01");
        charge.amount = Some(
            AmountBreakdown::parse(&object(&amount), Currency::Pen, Units::Major, "amount")
                .unwrap(),
        );
        charge.currency = Some(Currency::Pen);
        charge.country = Some(Country::Peru.as_str().into());
        charge.card_details = Some(CardDetails {
            reading_type: ReadingType::Icc,
            enc_tlv: Some(crate::mask::Sensitive::new("5A08")),
            tracks: None,
            pin_block: None,
            pin_ksn: None,
            pin_ksn_desc: None,
        });
        charge.cashback = Some(Amount::from_minor(200, Currency::Pen));
        charge.deferred_months = Some(3);
        let mut void = TransactionRequest::new(
            Operation::Void(TransactionType::Charge),
            "1f9e7b2d-3a5c-4d8f-8b42-6c7d8e9fab12",
        );
        void.transaction_reference = Some("2a0f8c3e-4b6d-4e9a-9c53-7d8e9fa0bc23".into());
        void.omit_card = true;
        void.is_smart_void = true;
        let pos = PosDetails {
            terminal_id: "PB04209860189".into(),
            brand: "SUNMI".into(),
            model: "P2".into(),
            version: "1.0.0".into(),
            has_print: true,
        };
        for req in [charge, void] {
            let body = req.to_json(Some(&pos));
            assert_eq!(
                TransactionRequest::from_doc(&doc(&body)).unwrap(),
                req,
                "{body}"
            );
            assert_eq!(body["pos_details"]["terminal_id"], "PB04209860189");
            let violations =
                crate::schemas::validate(crate::schemas::SchemaKind::RawTransactionRequest, &body);
            assert!(violations.is_ok(), "{body}: {violations:?}");
        }
    }

    #[test]
    fn every_vocabulary_has_its_wire_spelling() {
        for m in TransactionMode::ALL {
            assert_eq!(m.as_str().parse::<TransactionMode>().unwrap(), *m);
            assert_eq!(serde_json::to_value(m).unwrap(), json!(m.as_str()));
        }
        for t in TransactionType::ALL {
            assert_eq!(t.as_str().parse::<TransactionType>().unwrap(), *t);
            assert_eq!(serde_json::to_value(t).unwrap(), json!(t.as_str()));
        }
        for r in ReadingType::ALL {
            assert_eq!(
                serde_json::from_value::<ReadingType>(json!(r.as_str())).unwrap(),
                *r
            );
        }
        for s in TransactionStatus::ALL {
            assert_eq!(s.to_string().parse::<TransactionStatus>().unwrap(), *s);
        }
        for c in Country::ALL {
            assert_eq!(c.as_str().parse::<Country>().unwrap(), *c);
        }
        assert_eq!(TransactionType::PreAuth.as_str(), "preAuth");
        assert_eq!(TransactionType::ReAuthorization.as_str(), "reAuthorization");
        assert_eq!(TransactionType::PosTip.as_str(), "posTip");
        assert!("Charge".parse::<TransactionType>().is_err());
    }

    #[test]
    fn every_row_of_the_operation_table_maps_both_ways() {
        use TransactionMode as M;
        use TransactionType as T;
        let rows = [
            (M::Authorization, T::Charge),
            (M::Authorization, T::PreAuth),
            (M::Authorization, T::ReAuthorization),
            (M::Authorization, T::Capture),
            (M::Authorization, T::PosTip),
            (M::Authorization, T::Refund),
            (M::Void, T::Charge),
            (M::Void, T::PreAuth),
            (M::Void, T::ReAuthorization),
            (M::Void, T::Capture),
            (M::Reverse, T::Charge),
            (M::Reverse, T::Capture),
        ];
        for (m, t) in rows {
            let op = Operation::from_wire(m, t).unwrap();
            assert_eq!(op.wire(), (m, t));
        }
        assert_eq!(Operation::from_wire(M::Reverse, T::PreAuth), None);
        assert_eq!(Operation::from_wire(M::Void, T::Refund), None);
    }

    #[test]
    fn the_market_comes_from_the_country_or_else_the_currency() {
        assert_eq!(
            Country::resolve(Some("PER"), Currency::Usd, Country::Peru),
            Country::Peru
        );
        // The docs' example sends "CLP" as a country: the currency decides.
        assert_eq!(
            Country::resolve(Some("CLP"), Currency::Clp, Country::Peru),
            Country::Chile
        );
        assert_eq!(
            Country::resolve(None, Currency::Mxn, Country::Peru),
            Country::Mexico
        );
        assert_eq!(
            Country::resolve(None, Currency::Usd, Country::Peru),
            Country::Peru
        );
    }

    #[test]
    fn the_seed_cardless_void_types_as_a_void_of_a_charge() {
        let body = json!({"amount":{"currency":"PEN","iva":0,"subtotal_iva":0,"subtotal_iva0":60000},
            "transaction_mode":"Void","transaction_type":"charge","is_smart_void":true,
            "client_transaction_id":"6680eadc-6c8d-44aa-8ca0-18e061c1472a",
            "transaction_reference":"f2f29080-0214-42c0-95a5-77ecf3434cd7","omit_card":true});
        let req = TransactionRequest::from_doc(&doc(&body)).unwrap();
        assert_eq!(req.operation, Operation::Void(TransactionType::Charge));
        assert!(req.omit_card && req.is_smart_void);
        assert_eq!(req.amount.unwrap().total().to_string(), "60000.00 PEN");
    }

    #[test]
    fn an_impossible_mode_and_type_pair_names_the_type() {
        let body = json!({"transaction_mode":"Reverse","transaction_type":"preAuth",
            "client_transaction_id":"x"});
        let err = TransactionRequest::from_doc(&doc(&body)).unwrap_err();
        assert_eq!(err.field(), "transaction_type");
    }

    #[test]
    fn an_inexact_amount_names_its_field() {
        let body = json!({"amount":{"currency":"PEN","iva":0,"subtotal_iva":0,"subtotal_iva0":12.505},
            "transaction_mode":"Authorization","transaction_type":"charge","client_transaction_id":"x"});
        let err = TransactionRequest::from_doc(&doc(&body)).unwrap_err();
        assert_eq!(err.field(), "amount.subtotal_iva0");
    }
}
