//! Error envelopes and one catalog of codes for both protocols.
//!
//! * Kushki ONE Connect answers errors with the **LinkFailure** envelope
//!   `{type, code, param?, message, object?}` (ref §1.7). Its codes are in [`ConnectCode`].
//! * The raw card-present API answers pre-processing errors with
//!   `{code, details?{Origin, Message}, message}` (add §2.1) and a bad credential with
//!   `{"message":"Unauthorized"}`. Its codes are in [`RawErrorCode`]; issuer outcomes are not
//!   errors but `kushki_response` codes ([`iso_message`]).
//!
//! Every entry says where it comes from ([`Provenance`]): documented by Kushki, seen in
//! third-party code that ran against the live service, or defined by this harness because Kushki
//! does not say (the harness's codes never reuse a documented code for another meaning).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Where a catalog entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Kushki documents it; the source is named.
    Documented(&'static str),
    /// Third-party code that ran against Kushki shows it; the source is named.
    ThirdParty(&'static str),
    /// Kushki does not say; the harness defines it (the reason is given).
    HarnessDefined(&'static str),
}

impl Provenance {
    /// Whether the harness defined the entry.
    pub fn is_harness_defined(self) -> bool {
        matches!(self, Provenance::HarnessDefined(_))
    }
}

wire_enum! {
    /// `type` of a LinkFailure: the category and source of the failure (ref §1.7).
    pub enum FailureType {
        /// Validation: missing required fields, wrong type, invalid format (documented).
        Parameter = "PARAMETER",
        /// The terminal's physical state: busy, offline, … (documented).
        Terminal = "TERMINAL",
        /// Signature, timestamp or encryption (3P surpay).
        Authentication = "AUTHENTICATION",
        /// A referenced resource does not exist (3P surpay).
        NotFound = "NOT_FOUND",
        /// The terminal's configuration forbids the operation (3P surpay).
        Configuration = "CONFIGURATION",
        /// The device's hardware or OS (3P surpay).
        Manufacturer = "MANUFACTURER",
        /// Passed through from the acquirer, HTTP status preserved (documented).
        Acquirer = "ACQUIRER",
        /// The terminal's printer (3P surpay).
        TerminalPrinter = "TERMINAL-PRINTER",
        /// The Sunmi payment flow, e.g. the customer cancelled (3P mesapay).
        TerminalSunmi = "TERMINAL-SUNMI",
    }
}

/// `object` of a LinkFailure: traceability fields (ref §1.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FailureObject {
    /// The request's `client_transaction_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_transaction_id: Option<String>,
    /// The terminal's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
    /// The terminal's serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
}

impl FailureObject {
    /// The object a terminal answers with: its id and serial (both its serial), and the
    /// request's `client_transaction_id` when it had one.
    pub fn of_terminal(serial: &str, client_transaction_id: Option<&str>) -> FailureObject {
        FailureObject {
            client_transaction_id: client_transaction_id.map(str::to_string),
            terminal_id: Some(serial.to_string()),
            serial_number: Some(serial.to_string()),
        }
    }
}

/// The LinkFailure envelope of every Kushki ONE Connect error (ref §1.7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkFailure {
    /// Category.
    #[serde(rename = "type")]
    pub kind: FailureType,
    /// Prefix and number (`PAR-003`), or the acquirer's own code.
    pub code: String,
    /// The field that caused the error, mainly for PARAMETER.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// Human-readable reason.
    pub message: String,
    /// Traceability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<FailureObject>,
}

/// Declares the Connect catalog: one variant per code with its category, HTTP status, message
/// and provenance.
macro_rules! connect_codes {
    ($($(#[$doc:meta])* $variant:ident => ($kind:ident, $code:literal, $status:literal, $message:literal, $prov:expr),)+) => {
        /// Every error code a Kushki ONE Connect mock can answer.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ConnectCode {
            $($(#[$doc])* $variant,)+
        }

        impl ConnectCode {
            /// Every code.
            pub const ALL: &'static [ConnectCode] = &[$(ConnectCode::$variant,)+];

            /// The `type` of the envelope.
            pub fn kind(self) -> FailureType {
                match self { $(ConnectCode::$variant => FailureType::$kind,)+ }
            }

            /// The `code` on the wire.
            pub fn code(self) -> &'static str {
                match self { $(ConnectCode::$variant => $code,)+ }
            }

            /// The HTTP status of the answer.
            pub fn http_status(self) -> u16 {
                match self { $(ConnectCode::$variant => $status,)+ }
            }

            /// The default `message`.
            pub fn message(self) -> &'static str {
                match self { $(ConnectCode::$variant => $message,)+ }
            }

            /// Where the code comes from.
            pub fn provenance(self) -> Provenance {
                match self { $(ConnectCode::$variant => $prov,)+ }
            }
        }
    };
}

const H_CONNECT: &str = "ref §5 #8: Kushki ONE code meanings are not published";

connect_codes! {
    /// A required field is missing.
    MissingField => (Parameter, "PAR-001", 400, "A required field is missing", Provenance::HarnessDefined(H_CONNECT)),
    /// A field has the wrong type or format.
    InvalidField => (Parameter, "PAR-002", 400, "A field has an invalid type or format", Provenance::HarnessDefined(H_CONNECT)),
    /// The amount is zero.
    AmountNotPositive => (Parameter, "PAR-003", 400, "Amount must be a value greater than 0", Provenance::Documented("ref §1.7, error-catalog-kushkione")),
    /// A field the operation does not know.
    UnknownField => (Parameter, "PAR-004", 400, "The field is not allowed for this operation", Provenance::HarnessDefined(H_CONNECT)),
    /// The decrypted body is not a JSON object.
    MalformedJson => (Parameter, "PAR-005", 400, "The request body is not a valid JSON object", Provenance::HarnessDefined(H_CONNECT)),
    /// An async route without `events_webhook_url`.
    MissingWebhookUrl => (Parameter, "PAR-006", 400, "events_webhook_url is required for asynchronous operations", Provenance::HarnessDefined("H6: async results arrive by webhook (ref §1.3)")),
    /// The signature does not match, or the body cannot be decrypted (one answer: no oracle).
    AuthenticationFailed => (Authentication, "AUTH-001", 401, "Authentication failed: the signature or the encrypted body is not valid", Provenance::HarnessDefined("H8")),
    /// The timestamp is outside ±5 minutes of the terminal's clock.
    StaleTimestamp => (Authentication, "AUTH-002", 401, "The timestamp must fall within ±5 minutes of server time", Provenance::HarnessDefined("H8; the window itself is documented (ref §1.5)")),
    /// Missing or malformed `Authorization` or `timestamp` headers.
    MissingCredentials => (Authentication, "AUTH-003", 401, "The Authorization (Basic <sha512>) and timestamp headers are required", Provenance::HarnessDefined("H8")),
    /// No card was presented before the reader's timeout.
    CardReadTimeout => (Terminal, "TER-001", 408, "No card was presented before the reader timed out", Provenance::HarnessDefined(H_CONNECT)),
    /// The card was removed during the read.
    CardRemoved => (Terminal, "TER-002", 409, "The card was removed before the read finished", Provenance::HarnessDefined(H_CONNECT)),
    /// Another command is in progress.
    TerminalBusy => (Terminal, "TER-003", 409, "The terminal is busy with another operation", Provenance::ThirdParty("ref §1.7: surpay '409 TER-003 terminal ocupado'")),
    /// The acquirer did not answer in time; the terminal reversed the transaction.
    AcquirerTimeout => (Terminal, "TER-004", 504, "The acquirer did not answer in time; the transaction was reversed", Provenance::HarnessDefined(H_CONNECT)),
    /// The acquirer could not be reached at all (nothing was sent, so nothing to reverse).
    AcquirerUnreachable => (Terminal, "TER-008", 503, "The terminal could not reach the acquirer", Provenance::HarnessDefined(H_CONNECT)),
    /// Abort while no transaction is in progress.
    NothingToAbort => (Terminal, "TER-005", 409, "There is no transaction in progress to abort", Provenance::ThirdParty("ref §1.7: mesapay 'abort with no active transaction -> 409'; the code is harness-defined")),
    /// Abort after `APPROVAL_REQUESTED`.
    AbortTooLate => (Terminal, "TER-006", 409, "The transaction can no longer be aborted: approval was already requested", Provenance::ThirdParty("ref §1.3: surpay 'abort only works before APPROVAL_REQUESTED'; the code is harness-defined")),
    /// The answer of an operation that the POS aborted.
    Aborted => (Terminal, "TER-007", 409, "The operation was aborted by the POS", Provenance::HarnessDefined(H_CONNECT)),
    /// The customer cancelled on the terminal (HTTP 200, no `approved`).
    CustomerCancelled => (TerminalSunmi, "-1", 200, "User cancel the process", Provenance::ThirdParty("ref §1.7: mesapay")),
    /// The cloud has no live link to the terminal.
    TerminalOffline => (Terminal, "CLOUDPAYMENT_VALIDATION_ERROR", 503, "The terminal is not online or Kushki ONE Connect is not active", Provenance::ThirdParty("ref §1.5: mesapay comment")),
    /// The printer has no paper.
    PrinterOutOfPaper => (TerminalPrinter, "TER-101", 409, "The printer is out of paper", Provenance::HarnessDefined("H9; type TERMINAL-PRINTER seen in 3P")),
    /// The printer is busy and the job asked `skipIfBusy`.
    PrinterBusy => (TerminalPrinter, "TER-102", 409, "The printer is busy", Provenance::HarnessDefined("H9")),
    /// The referenced transaction is unknown.
    TransactionNotFound => (NotFound, "NF-001", 404, "Transaction not found", Provenance::HarnessDefined(H_CONNECT)),
    /// The print job is unknown.
    PrintJobNotFound => (NotFound, "NF-002", 404, "Print job not found", Provenance::HarnessDefined(H_CONNECT)),
    /// The route names no operation.
    UnknownOperation => (NotFound, "NF-003", 404, "Unknown operation", Provenance::HarnessDefined(H_CONNECT)),
    /// The terminal's configuration forbids the operation.
    OperationDisabled => (Configuration, "CONF-4001", 403, "The operation is disabled in this terminal's configuration", Provenance::HarnessDefined(H_CONNECT)),
    /// The card reader failed (a fault injected through the admin API).
    ReaderFault => (Manufacturer, "MAN-30001", 503, "The card reader reported a hardware error", Provenance::HarnessDefined(H_CONNECT)),
}

impl ConnectCode {
    /// The envelope for this code, with the default message.
    pub fn failure(self) -> LinkFailure {
        LinkFailure {
            kind: self.kind(),
            code: self.code().to_string(),
            param: None,
            message: self.message().to_string(),
            object: None,
        }
    }

    /// Looks a code up by its wire `code`.
    pub fn from_code(code: &str) -> Option<ConnectCode> {
        ConnectCode::ALL.iter().copied().find(|c| c.code() == code)
    }
}

impl LinkFailure {
    /// Sets `param`.
    pub fn with_param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// Sets `message`.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Sets `object`.
    pub fn with_object(mut self, object: FailureObject) -> Self {
        self.object = Some(object);
        self
    }

    /// An ACQUIRER failure passing the raw API's error through (ref §1.7: "For ACQUIRER errors,
    /// the same HTTP status originally returned by Kushki is preserved").
    pub fn from_acquirer(body: &RawError) -> LinkFailure {
        LinkFailure {
            kind: FailureType::Acquirer,
            code: body.code.clone(),
            param: None,
            message: body
                .details
                .as_ref()
                .map(|d| format!("{} ({})", body.message, d.message))
                .unwrap_or_else(|| body.message.clone()),
            object: None,
        }
    }
}

/// `details` of a raw API error body (add §2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawErrorDetails {
    /// Where the error was raised (`Process Generic Transaction | validateRequest`).
    #[serde(rename = "Origin")]
    pub origin: String,
    /// What is wrong, naming every bad field.
    #[serde(rename = "Message")]
    pub message: String,
}

/// The raw API's pre-processing error body (add §2.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawError {
    /// `E0xx` (Kushki's) or `E9xx` (the harness's, H10).
    pub code: String,
    /// Details; optional in Kushki's examples, always sent by the mocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<RawErrorDetails>,
    /// Kushki's message text.
    pub message: String,
}

/// Declares the raw API catalog.
macro_rules! raw_codes {
    ($($(#[$doc:meta])* $variant:ident => ($code:literal, $status:literal, $message:literal, $prov:expr),)+) => {
        /// Every pre-processing error code of the raw card-present API the mock acquirer answers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RawErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl RawErrorCode {
            /// Every code.
            pub const ALL: &'static [RawErrorCode] = &[$(RawErrorCode::$variant,)+];

            /// The `code` on the wire.
            pub fn code(self) -> &'static str {
                match self { $(RawErrorCode::$variant => $code,)+ }
            }

            /// The HTTP status.
            pub fn http_status(self) -> u16 {
                match self { $(RawErrorCode::$variant => $status,)+ }
            }

            /// The `message` (Kushki's Spanish text where documented).
            pub fn message(self) -> &'static str {
                match self { $(RawErrorCode::$variant => $message,)+ }
            }

            /// Where the code comes from.
            pub fn provenance(self) -> Provenance {
                match self { $(RawErrorCode::$variant => $prov,)+ }
            }
        }
    };
}

const H10: &str = "H10: Kushki's pre-processing code list is not published (ref §2.8)";

raw_codes! {
    /// Invalid body: `details.Message` names every bad field.
    InvalidBody => ("E001", 400, "Cuerpo de la petición inválido.", Provenance::Documented("add §2.1")),
    /// Unexpected error (only when a behaviour injects it: never for the client's fault).
    Unexpected => ("E002", 500, "Ha ocurrido un error inesperado.", Provenance::Documented("add §2.1")),
    /// Refund not available (outside its window).
    RefundNotAvailable => ("E016", 412, "Refund no disponible", Provenance::Documented("add §2.1, §2.2")),
    /// Operation not allowed (partial void outside Chile, cardless outside its markets, an
    /// illegal lifecycle transition).
    OperationNotAllowed => ("E041", 400, "Operación no permitida", Provenance::Documented("add §2.1")),
    /// The currency differs from the original's. Kushki's example answers 500; the harness
    /// answers 400 because it is the client's fault (H10).
    CurrencyMismatch => ("E042", 400, "El código de moneda es diferente al de la transacción inicial.", Provenance::Documented("add §2.1; HTTP status harness-defined")),
    /// The original was already reversed (Kushki's message text, "reservada" sic).
    AlreadyReversed => ("E048", 400, "La transacción previa ya se encuentra reservada", Provenance::Documented("add §2.1")),
    /// The referenced transaction does not exist.
    TransactionNotFound => ("E901", 404, "Transacción no encontrada", Provenance::HarnessDefined(H10)),
    /// A reverse earlier than the minimum delay after the original.
    ReverseTooEarly => ("E902", 400, "Reverso no disponible todavía", Provenance::HarnessDefined("H10; the rule (≥ 1 minute) is documented in the seed")),
    /// A reverse after the business day's cut-off (or outside the configured window).
    ReverseWindowClosed => ("E903", 400, "Reverso fuera de la ventana permitida", Provenance::HarnessDefined("H10; the rule (same day, before 23:59 Peru) is documented in the seed")),
    /// A void after the cut-off: the answer points to a refund.
    VoidWindowClosed => ("E904", 400, "Anulación no disponible: use un reembolso (/pos/v1/refund)", Provenance::HarnessDefined("H10; the rule (same day before the cut-off, else refund) is documented in the seed")),
    /// A `client_transaction_id` reused with a different body.
    DuplicateClientTransactionId => ("E905", 409, "client_transaction_id ya utilizado con otra solicitud", Provenance::HarnessDefined("H10; ref §5 #16: duplicate behaviour is not documented")),
    /// The void failed three times: the answer points to a refund.
    VoidAttemptsExceeded => ("E906", 400, "Se superaron los 3 intentos de anulación: use un reembolso (/pos/v1/refund)", Provenance::HarnessDefined("H10; the three attempts are documented in the seed")),
    /// Refunds would exceed the original amount.
    RefundExceedsAmount => ("E907", 400, "El monto del reembolso excede el saldo de la transacción", Provenance::HarnessDefined(H10)),
    /// The original was already voided.
    AlreadyVoided => ("E908", 400, "La transacción ya fue anulada", Provenance::HarnessDefined(H10)),
    /// The original was already refunded in full.
    AlreadyRefunded => ("E909", 400, "La transacción ya fue reembolsada", Provenance::HarnessDefined(H10)),
    /// The reference names a transaction of the wrong kind (a capture of a reAuthorization).
    WrongOriginal => ("E910", 400, "La referencia no corresponde a una transacción válida para esta operación", Provenance::HarnessDefined("H10; the rule ('must be from an authorization, not from a reauthorization') is documented, ref §2.3")),
    /// Cardless (`omit_card`) is not available in this market.
    CardlessNotAvailable => ("E911", 400, "Operación sin tarjeta no disponible en este país", Provenance::HarnessDefined("H10, H13; cardless is Beta in Peru (seed)")),
    /// The pre-authorization was already captured.
    AlreadyCaptured => ("E912", 400, "La preautorización ya fue capturada", Provenance::HarnessDefined(H10)),
}

impl RawErrorCode {
    /// The body for this code with `details` naming the origin and the reason.
    pub fn body(self, origin: &str, details: impl Into<String>) -> RawError {
        RawError {
            code: self.code().to_string(),
            details: Some(RawErrorDetails {
                origin: origin.to_string(),
                message: details.into(),
            }),
            message: self.message().to_string(),
        }
    }

    /// Looks a code up by its wire `code`.
    pub fn from_code(code: &str) -> Option<RawErrorCode> {
        RawErrorCode::ALL.iter().copied().find(|c| c.code() == code)
    }
}

/// The raw API's answer to a missing or unknown `Private-Credential-Id` (401, add §2.1).
pub fn unauthorized_body() -> Value {
    json!({"message": "Unauthorized"})
}

/// The HTTP statuses Kushki lists for card-present (ref §2.8), with their reason phrases.
pub const RAW_HTTP_STATUSES: &[(u16, &str)] = &[
    (200, "OK"),
    (400, "Bad Request"),
    (401, "Authorization Required"),
    (403, "Forbidden"),
    (404, "Not Found"),
    (409, "Conflict"),
    (410, "Gone"),
    (412, "Precondition failed"),
    (429, "Too Many Requests"),
    (430, "Request Header Fields Too Large"),
    (500, "Internal Server Error"),
    (502, "Bad Gateway"),
    (503, "Service Temporarily Unavailable"),
    (504, "Gateway Timeout"),
];

/// The approval code of `kushki_response` (add §2.2: `"000"`, while `F39` is `"00"`).
pub const APPROVED_KUSHKI_CODE: &str = "000";
/// The approval message of `kushki_response` (add §6.3).
pub const APPROVED_KUSHKI_MESSAGE: &str = "Approved or completed Successfully.";

/// The ISO 8583 response codes of `kushki_response` / `F39` (ref §2.8, add §2.2), with their
/// descriptions.
pub const ISO_RESPONSE_CODES: &[(&str, &str)] = &[
    ("00", "Approved or completed successfully"),
    ("01", "Refer to card issuer"),
    ("02", "Refer to card issuer, special conditions"),
    ("03", "Invalid merchant"),
    ("04", "Capture card"),
    ("05", "Do not honor"),
    ("06", "Error"),
    ("07", "Pick-up card, special condition"),
    ("08", "Honor with ID"),
    ("09", "Request in progress"),
    ("10", "Partial Approval"),
    ("11", "Approved (VIP)"),
    ("12", "Invalid transaction"),
    ("13", "Invalid amount"),
    ("14", "Invalid card number"),
    ("15", "No such issuer"),
    ("17", "Customer cancellation"),
    ("19", "Re-enter transaction"),
    ("21", "No action taken"),
    ("25", "Unable to locate record"),
    ("30", "Format error"),
    ("31", "Bank not supported by switch"),
    ("32", "Completed partially"),
    ("33", "Expired card"),
    ("34", "Suspected fraud"),
    ("36", "Restricted card"),
    ("38", "Allowable PIN tries exceeded"),
    ("39", "No credit account"),
    ("40", "Requested function not supported"),
    ("41", "Lost card"),
    ("43", "Stolen card"),
    ("51", "Not sufficient funds"),
    ("52", "No checking account"),
    ("53", "No savings account"),
    ("54", "Expired card"),
    ("55", "Incorrect PIN"),
    ("56", "No card record"),
    ("57", "Transaction not permitted to cardholder"),
    ("58", "Transaction not permitted to terminal"),
    ("59", "Suspected fraud"),
    ("61", "Exceeds withdrawal amount limit"),
    ("62", "Restricted card"),
    ("63", "Security violation"),
    ("64", "Original amount incorrect"),
    ("65", "Exceeds withdrawal frequency limit"),
    ("68", "Response received too late"),
    ("75", "Allowable number of PIN tries exceeded"),
    ("90", "Cutoff is in process"),
    ("91", "Issuer or switch is inoperative"),
    ("92", "Unable to route transaction"),
    ("93", "Transaction cannot be completed, violation of law"),
    ("94", "Duplicate transmission"),
    ("95", "Reconcile error"),
    ("96", "System malfunction"),
];

/// The description of an ISO response code.
pub fn iso_message(code: &str) -> Option<&'static str> {
    ISO_RESPONSE_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, m)| *m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_connect_code_is_unique_and_its_type_matches_its_prefix() {
        let mut seen = HashSet::new();
        for c in ConnectCode::ALL {
            assert!(seen.insert(c.code()), "{} twice", c.code());
            let prefix_type = match c.code().split('-').next().unwrap() {
                "PAR" => Some(FailureType::Parameter),
                "AUTH" => Some(FailureType::Authentication),
                "NF" => Some(FailureType::NotFound),
                "CONF" => Some(FailureType::Configuration),
                "MAN" => Some(FailureType::Manufacturer),
                _ => None,
            };
            if let Some(t) = prefix_type {
                assert_eq!(c.kind(), t, "{}", c.code());
            }
            assert_eq!(ConnectCode::from_code(c.code()), Some(*c));
            assert!((200..600).contains(&c.http_status()));
        }
    }

    #[test]
    fn harness_defined_raw_codes_never_take_a_kushki_number() {
        for c in RawErrorCode::ALL {
            if c.provenance().is_harness_defined() {
                assert!(c.code().starts_with("E9"), "{}", c.code());
            } else {
                assert!(c.code().starts_with("E0"), "{}", c.code());
            }
            assert_eq!(RawErrorCode::from_code(c.code()), Some(*c));
        }
    }

    #[test]
    fn no_client_fault_is_answered_with_a_5xx() {
        for c in RawErrorCode::ALL {
            if *c != RawErrorCode::Unexpected {
                assert!(c.http_status() < 500, "{}", c.code());
            }
        }
    }

    #[test]
    fn the_documented_example_envelope_round_trips() {
        let text = r#"{"type":"PARAMETER","code":"PAR-003","param":"amount","message":"Amount must be a value greater than 0","object":{"client_transaction_id":"1018282","terminal_id":"172653","serial_number":"PJ715652"}}"#;
        let f: LinkFailure = serde_json::from_str(text).unwrap();
        assert_eq!(f.kind, FailureType::Parameter);
        assert_eq!(
            ConnectCode::from_code(&f.code),
            Some(ConnectCode::AmountNotPositive)
        );
        assert_eq!(serde_json::to_string(&f).unwrap(), text);
    }

    #[test]
    fn the_documented_raw_error_body_round_trips() {
        let text = r#"{"code":"E001","details":{"Origin":"Process Generic Transaction | validateRequest","Message":"document_number: cannot be blank; document_type: cannot be blank."},"message":"Cuerpo de la petición inválido."}"#;
        let e: RawError = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), text);
        let acq = LinkFailure::from_acquirer(&e);
        assert_eq!(acq.kind, FailureType::Acquirer);
        assert_eq!(acq.code, "E001");
    }

    #[test]
    fn failure_types_have_their_wire_spelling() {
        for t in FailureType::ALL {
            assert_eq!(t.as_str().parse::<FailureType>().unwrap(), *t);
        }
        assert_eq!(FailureType::TerminalPrinter.as_str(), "TERMINAL-PRINTER");
        assert_eq!(iso_message("05"), Some("Do not honor"));
    }
}
