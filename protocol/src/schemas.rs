//! The JSON Schemas of `schemas/`: embedded, compiled once, and reported field by field.
//!
//! Every wire shape of both protocols is a JSON Schema 2020-12 file under `schemas/` (see
//! `schemas/README.md`). They are embedded in the binary with `include_str!`, and each is compiled
//! the first time it is used, offline: relative `$ref`s (`../common.json#/$defs/raw_amount`) are
//! resolved against [`BASE_URI`] and served from the embedded copies, nothing is fetched.
//!
//! [`validate`] returns every violation, each with the JSON pointer of the exact field at fault:
//! a missing required property is reported at the property's own pointer (`/amount`, not the
//! object holding it), and each unknown property at its pointer (`/card_details/pan`). Numbers are
//! compared exactly (`arbitrary_precision`), so `12.505` PEN fails `multipleOf: 0.01` at
//! `/amount/subtotal_iva0`.

use std::fmt;
use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::json::Json;
use jsonschema::{
    Draft, Keyword, PatternOptions, Retrieve, Uri, ValidationError, ValidationOptions, Validator,
};
use serde_json::Value;

use crate::json_tree::{Doc, DocJson};

/// The base every schema's `$id` is relative to
/// (`https://kushki-conformance.invalid/schemas/raw/transaction.request.json`).
pub const BASE_URI: &str = "https://kushki-conformance.invalid/schemas/";

/// Path of the shared definitions (`$defs`) every schema references, relative to `schemas/`.
pub const COMMON_PATH: &str = "common.json";

const COMMON_TEXT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../schemas/common.json"
));

macro_rules! schema_kinds {
    ($($(#[$meta:meta])* $variant:ident => $path:literal,)+) => {
        /// One schema file of `schemas/` (common definitions excepted, see [`COMMON_PATH`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum SchemaKind {
            $($(#[$meta])* $variant,)+
        }

        impl SchemaKind {
            /// Every schema, in declaration order.
            pub const ALL: &'static [SchemaKind] = &[$(SchemaKind::$variant,)+];

            /// The file's path relative to `schemas/` (`"raw/transaction.request.json"`).
            pub fn path(self) -> &'static str {
                match self {
                    $(SchemaKind::$variant => $path,)+
                }
            }

            fn text(self) -> &'static str {
                match self {
                    $(SchemaKind::$variant => include_str!(concat!(
                        env!("CARGO_MANIFEST_DIR"),
                        "/../schemas/",
                        $path
                    )),)+
                }
            }
        }
    };
}

schema_kinds! {
    /// `raw/transaction.request.json`: `POST /pos/v1/transaction` (ref §2.3, §2.4; add §6.2; seed).
    RawTransactionRequest => "raw/transaction.request.json",
    /// `raw/refund.request.json`: `POST /pos/v1/refund` (ref §2.3; add §6.2; seed).
    RawRefundRequest => "raw/refund.request.json",
    /// `raw/transaction.response.json`: answer of both raw routes (ref §2.5; add §6.3).
    RawTransactionResponse => "raw/transaction.response.json",
    /// `raw/search.request.json`: transaction search, `page` or `from` form (ref §2.10; add §6.4).
    RawSearchRequest => "raw/search.request.json",
    /// `raw/search.response.json`: `{"items":[…]}` (add §6.4).
    RawSearchResponse => "raw/search.response.json",
    /// `raw/error.json`: pre-processing error `{code, message, details?}` (add §2.1).
    RawError => "raw/error.json",
    /// `raw/unauthorized.json`: the 401 body `{"message":"Unauthorized"}` (add §2.1).
    RawUnauthorized => "raw/unauthorized.json",
    /// `raw/webhook.json`: card-present webhook body (add §3).
    RawWebhook => "raw/webhook.json",
    /// `connect/encrypted.json`: the wire body `{"data":"<iv_hex>:<ct_hex>"}` (ref §1.5).
    ConnectEncrypted => "connect/encrypted.json",
    /// `connect/charge.request.json`: plaintext of `/charge` (ref §1.6; add §1).
    ConnectChargeRequest => "connect/charge.request.json",
    /// `connect/authorization.request.json`: plaintext of `/authorization` (H3).
    ConnectAuthorizationRequest => "connect/authorization.request.json",
    /// `connect/capture.request.json`: plaintext of `/capture` (H3).
    ConnectCaptureRequest => "connect/capture.request.json",
    /// `connect/re_authorization.request.json`: plaintext of `/re_authorization` (H3).
    ConnectReAuthorizationRequest => "connect/re_authorization.request.json",
    /// `connect/pos_tip.request.json`: plaintext of `/pos_tip` (H3).
    ConnectPosTipRequest => "connect/pos_tip.request.json",
    /// `connect/void.request.json`: plaintext of `/void` (H3).
    ConnectVoidRequest => "connect/void.request.json",
    /// `connect/refund.request.json`: plaintext of `/refund` (H3).
    ConnectRefundRequest => "connect/refund.request.json",
    /// `connect/abort.request.json`: plaintext of `/abort`, the literal `{}` (ref §1.5; H7).
    ConnectAbortRequest => "connect/abort.request.json",
    /// `connect/search.request.json`: plaintext of both transaction searches (H3).
    ConnectSearchRequest => "connect/search.request.json",
    /// `connect/operation.response.json`: sync answer of every payment operation (ref §1.7).
    ConnectOperationResponse => "connect/operation.response.json",
    /// `connect/abort.response.json`: answer of `/abort` (H7).
    ConnectAbortResponse => "connect/abort.response.json",
    /// `connect/search.response.json`: answer of both searches (H3).
    ConnectSearchResponse => "connect/search.response.json",
    /// `connect/link_failure.json`: the LinkFailure error envelope (ref §1.7).
    ConnectLinkFailure => "connect/link_failure.json",
    /// `connect/event.json`: the async envelope, answer of `/async/{op}` and webhook body (H6).
    ConnectEvent => "connect/event.json",
    /// `connect/print_job.request.json`: print job creation (ref §1.8; H9).
    ConnectPrintJobRequest => "connect/print_job.request.json",
    /// `connect/print_job.response.json`: print job answer, poll and webhook (ref §1.8; H9).
    ConnectPrintJobResponse => "connect/print_job.response.json",
    /// `catalog/test_amounts.schema.json`: shape of `catalog/test_amounts.json` (ref §2.7).
    CatalogTestAmounts => "catalog/test_amounts.schema.json",
    /// `catalog/test_cards.schema.json`: shape of `catalog/test_cards.json` (H12).
    CatalogTestCards => "catalog/test_cards.schema.json",
    /// `raw/balance_inquiry.request.json`: `POST /pos/v1/balance-inquiry` (harness-defined H14).
    RawBalanceInquiryRequest => "raw/balance_inquiry.request.json",
    /// `raw/balance_inquiry.response.json`: its answer, with `balance` when approved (H14).
    RawBalanceInquiryResponse => "raw/balance_inquiry.response.json",
    /// `raw/bin_info.request.json`: `POST /pos/v1/bin-info` and `/pos/v2/bin-info` (H14).
    RawBinInfoRequest => "raw/bin_info.request.json",
    /// `raw/bin_info.response.json`: the v1 answer `{bin, brand, card_type, bank, country}` (H14).
    RawBinInfoResponse => "raw/bin_info.response.json",
    /// `raw/bin_info_v2.response.json`: the v2 answer, v1 plus issuer and product details (H14).
    RawBinInfoV2Response => "raw/bin_info_v2.response.json",
    /// `raw/deferred_options.request.json`: `POST /pos/v1/deferred-options` `{bin, amount}` (H14).
    RawDeferredOptionsRequest => "raw/deferred_options.request.json",
    /// `raw/deferred_options.response.json`: `{"options":[…]}` (H14; ref §3, add §6.1).
    RawDeferredOptionsResponse => "raw/deferred_options.response.json",
}

impl SchemaKind {
    /// The schema's `$id` ([`BASE_URI`] followed by [`SchemaKind::path`]).
    pub fn id(self) -> String {
        format!("{BASE_URI}{}", self.path())
    }

    /// The fixtures folder of this schema relative to `schemas/fixtures/`: the path without
    /// `.json` (`"raw/transaction.request"`).
    pub fn fixture_dir(self) -> &'static str {
        let path = self.path();
        path.strip_suffix(".json").unwrap_or(path)
    }

    /// The schema whose [`SchemaKind::path`] is `path`.
    pub fn from_path(path: &str) -> Option<SchemaKind> {
        SchemaKind::ALL.iter().copied().find(|k| k.path() == path)
    }
}

impl fmt::Display for SchemaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

/// The schema file's text as embedded.
pub fn schema_text(kind: SchemaKind) -> &'static str {
    kind.text()
}

/// The text of `schemas/common.json`, the shared `$defs`.
pub fn common_schema_text() -> &'static str {
    COMMON_TEXT
}

/// One way an instance breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer of the offending field in the instance (`/amount/subtotal_iva0`); for a
    /// missing required property, the pointer the property would have (`/amount`); empty for the
    /// document itself.
    pub pointer: String,
    /// JSON pointer of the failing keyword in the schema (`/properties/amount/$ref/…`).
    pub schema_path: String,
    /// What is wrong, in words. Values of card-data fields are never quoted.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            self.pointer.as_str()
        };
        write!(f, "{pointer}: {}", self.message)
    }
}

/// Every violation as one line, `"; "` between them (`/amount: is required; /foo: …`).
pub fn violations_message(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(Violation::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Validates `instance` against `kind`'s schema, returning every violation.
///
/// # Panics
///
/// If the embedded schema does not compile, which the crate's tests rule out.
pub fn validate(kind: SchemaKind, instance: &Value) -> Result<(), Vec<Violation>> {
    let validator = match validator(kind) {
        Ok(v) => v,
        Err(e) => panic!("schema {kind} does not compile: {e}"),
    };
    let violations: Vec<Violation> = validator
        .iter_errors(instance)
        .flat_map(|e| violations_of(e, instance))
        .collect();
    if violations.is_empty() {
        Ok(())
    } else {
        Err(violations)
    }
}

/// Whether `instance` satisfies `kind`'s schema.
///
/// # Panics
///
/// If the embedded schema does not compile, which the crate's tests rule out.
pub fn is_valid(kind: SchemaKind, instance: &Value) -> bool {
    match validator(kind) {
        Ok(v) => v.is_valid(instance),
        Err(e) => panic!("schema {kind} does not compile: {e}"),
    }
}

/// Whether a [`Doc`] satisfies `kind`'s schema: the same schema and the same verdict as
/// [`is_valid`] on the `Value` of the same text (the crate's tests compare them), without
/// building that `Value`. Violations are listed by [`validate`] on the `Value`
/// ([`Doc::to_value`]), which only a failing body needs.
///
/// # Panics
///
/// If the embedded schema does not compile, which the crate's tests rule out.
pub fn is_valid_doc(kind: SchemaKind, instance: &Doc<'_>) -> bool {
    match compiled(&DOC_VALIDATORS, kind) {
        Ok(v) => v.is_valid(instance),
        Err(e) => panic!("schema {kind} does not compile: {e}"),
    }
}

/// Compiles `kind`'s schema (once; later calls return the cached outcome), with the compiler's
/// message on failure. [`validate`] calls this itself; tests call it to prove every schema
/// compiles.
pub fn compile(kind: SchemaKind) -> Result<(), String> {
    validator(kind).map(|_| ()).map_err(str::to_string)
}

const KIND_COUNT: usize = SchemaKind::ALL.len();

static VALIDATORS: [OnceLock<Result<Validator, String>>; KIND_COUNT] =
    [const { OnceLock::new() }; KIND_COUNT];

static DOC_VALIDATORS: [OnceLock<Result<Validator<DocJson>, String>>; KIND_COUNT] =
    [const { OnceLock::new() }; KIND_COUNT];

fn validator(kind: SchemaKind) -> Result<&'static Validator, &'static str> {
    compiled(&VALIDATORS, kind)
}

/// `kind`'s validator for representation `F` from its cache, compiled on first use.
fn compiled<F: Json>(
    cache: &'static [OnceLock<Result<Validator<F>, String>>; KIND_COUNT],
    kind: SchemaKind,
) -> Result<&'static Validator<F>, &'static str>
where
    decimal::PowerOfTen: for<'i> Keyword<'i, F>,
{
    cache[kind as usize]
        .get_or_init(|| build_for(kind))
        .as_ref()
        .map_err(String::as_str)
}

/// One schema compiled for instances in representation `F`, with the same options for every
/// representation.
fn build_for<F: Json>(kind: SchemaKind) -> Result<Validator<F>, String>
where
    decimal::PowerOfTen: for<'i> Keyword<'i, F>,
{
    let schema: Value =
        serde_json::from_str(kind.text()).map_err(|e| format!("{}: not JSON: {e}", kind.path()))?;
    ValidationOptions::<_, F>::default()
        .with_draft(Draft::Draft202012)
        .with_base_uri(kind.id())
        .with_retriever(Embedded)
        .with_keyword("multipleOf", decimal::factory)
        // The schemas' patterns are plain (anchors, classes, counts; no look-around or
        // back-reference), which the `regex` engine runs without fancy-regex's wrapper.
        .with_pattern_options(PatternOptions::regex())
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| format!("{}: {e}", kind.path()))
}

/// `multipleOf` with a power of ten (`0.01`, `1`), decided on the number's own decimal text.
///
/// The schemas use `multipleOf` only to say how many decimals an amount may have. `jsonschema`
/// under `arbitrary_precision` decides it in exact big-fraction arithmetic, which cost a tenth of
/// a raw charge; a power of ten needs no arithmetic: `x` is a multiple of `10^k` exactly when the
/// last non-zero digit of its decimal text (exponent included) is at `10^k` or above. The verdict
/// and the message (`12.505 is not a multiple of 0.01`) are the standard keyword's; a schema with
/// any other divisor does not compile, which the crate's tests would show.
mod decimal {
    use jsonschema::json::Json;
    use jsonschema::paths::Location;
    use jsonschema::{Keyword, ValidationError};
    use serde_json::{Map, Value};

    use crate::json_tree::{Digits, Doc, DocJson, decimal_digits as digits};

    /// `multipleOf: 10^power`.
    pub(crate) struct PowerOfTen {
        power: i64,
        text: String,
    }

    pub(super) fn factory<'a, F: Json>(
        _parent: &'a Map<String, Value>,
        value: &'a Value,
        _path: Location,
    ) -> Result<Box<dyn for<'i> Keyword<'i, F>>, ValidationError<'a>>
    where
        PowerOfTen: for<'i> Keyword<'i, F>,
    {
        let power = match value {
            Value::Number(n) => match digits(n.as_str()) {
                Some(Digits::NonZero {
                    lowest_power,
                    power_of_ten: true,
                }) => Some(lowest_power),
                _ => None,
            },
            _ => None,
        };
        match power {
            Some(power) => Ok(Box::new(PowerOfTen {
                power,
                text: value.to_string(),
            })),
            None => Err(ValidationError::custom(format!(
                "multipleOf {value}: the harness's schemas use powers of ten only (0.01, 1)"
            ))),
        }
    }

    impl PowerOfTen {
        /// The verdict on a number's text; `None` for an instance that is not a number, of
        /// which multipleOf says nothing.
        fn holds(&self, number: Option<&str>) -> bool {
            match number.map(digits) {
                None | Some(Some(Digits::Zero)) => true,
                Some(Some(Digits::NonZero { lowest_power, .. })) => lowest_power >= self.power,
                Some(None) => false,
            }
        }

        fn error<'i>(&self, instance: impl std::fmt::Display) -> ValidationError<'i> {
            ValidationError::custom(format!("{instance} is not a multiple of {}", self.text))
        }
    }

    fn value_number(instance: &Value) -> Option<&str> {
        match instance {
            Value::Number(n) => Some(n.as_str()),
            _ => None,
        }
    }

    impl<'i> Keyword<'i> for PowerOfTen {
        fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
            if self.holds(value_number(instance)) {
                Ok(())
            } else {
                Err(self.error(instance))
            }
        }

        fn is_valid(&self, instance: &'i Value) -> bool {
            self.holds(value_number(instance))
        }
    }

    impl<'i> Keyword<'i, DocJson> for PowerOfTen {
        fn validate(&self, instance: &'i Doc<'i>) -> Result<(), ValidationError<'i>> {
            if self.holds(instance.number_text()) {
                Ok(())
            } else {
                Err(self.error(instance.to_value()))
            }
        }

        fn is_valid(&self, instance: &'i Doc<'i>) -> bool {
            self.holds(instance.number_text())
        }
    }
}

/// Serves `common.json` and every schema from the embedded copies, so `$ref`s resolve offline.
struct Embedded;

impl Retrieve for Embedded {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let uri = uri.as_str();
        let path = uri.split('#').next().unwrap_or(uri);
        let path = path
            .strip_prefix(BASE_URI)
            .ok_or_else(|| format!("`{uri}` is not one of the embedded schemas"))?;
        let text = if path == COMMON_PATH {
            COMMON_TEXT
        } else {
            SchemaKind::from_path(path)
                .ok_or_else(|| format!("`{uri}` is not one of the embedded schemas"))?
                .text()
        };
        Ok(serde_json::from_str(text)?)
    }
}

/// Turns one validator error into the violations a client should see: one per missing or unknown
/// property, at that property's own pointer.
fn violations_of(error: ValidationError<'_>, root: &Value) -> Vec<Violation> {
    let at = error.instance_path().clone();
    let schema_path = error.schema_path().as_str().to_string();
    let field = |name: &str| at.join(name).as_str().to_string();
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_string);
            vec![Violation {
                pointer: field(&name),
                schema_path,
                message: "is required".into(),
            }]
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => unexpected
            .iter()
            .map(|name| Violation {
                pointer: field(name),
                schema_path: schema_path.clone(),
                message: "is not a known field here".into(),
            })
            .collect(),
        // `additionalProperties: false` beside no `properties` is reported once, as a false
        // schema at the object itself: every key of that object is unexpected.
        ValidationErrorKind::FalseSchema if schema_path.ends_with("/additionalProperties") => root
            .pointer(at.as_str())
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|object| object.keys())
            .map(|name| Violation {
                pointer: field(name),
                schema_path: schema_path.clone(),
                message: "is not a known field here".into(),
            })
            .collect(),
        ValidationErrorKind::FalseSchema => vec![Violation {
            pointer: at.as_str().to_string(),
            schema_path,
            message: "is not allowed here".into(),
        }],
        // The validator's own text elides all but two options; a client needs the whole list.
        ValidationErrorKind::Enum { options } if !is_secret(&at) => {
            let allowed = options
                .as_array()
                .map(|o| {
                    o.iter()
                        .map(Value::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| options.to_string());
            vec![Violation {
                pointer: at.as_str().to_string(),
                schema_path,
                message: format!("{} is not one of {allowed}", error.instance()),
            }]
        }
        _ => {
            let message = if is_secret(&at) {
                error.masked_with("the value").to_string()
            } else {
                error.to_string()
            };
            vec![Violation {
                pointer: at.as_str().to_string(),
                schema_path,
                message,
            }]
        }
    }
}

/// Whether any segment of the pointer names card data or a secret, whose value must not be quoted.
fn is_secret(at: &jsonschema::paths::Location) -> bool {
    at.as_str().split('/').any(crate::mask::is_secret_key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_are_unique_and_resolve_back() {
        for &kind in SchemaKind::ALL {
            assert_eq!(SchemaKind::from_path(kind.path()), Some(kind));
            assert!(kind.id().starts_with(BASE_URI));
            assert!(!kind.fixture_dir().ends_with(".json"));
        }
    }

    #[test]
    fn a_missing_field_and_an_unknown_one_are_named() {
        let err = validate(SchemaKind::RawUnauthorized, &json!({"code": "E001"})).unwrap_err();
        let pointers: Vec<_> = err.iter().map(|v| v.pointer.as_str()).collect();
        assert!(pointers.contains(&"/message"), "{err:?}");
        assert!(pointers.contains(&"/code"), "{err:?}");
        let text = violations_message(&err);
        assert!(text.contains("/message: is required"), "{text}");
    }

    #[test]
    fn an_enum_violation_lists_every_option() {
        let body =
            json!({"code": "E001", "message": "x", "details": {"Origin": 1, "Message": "m"}});
        let err = validate(SchemaKind::RawError, &body).unwrap_err();
        assert_eq!(err[0].pointer, "/details/Origin");
        let body = json!({"type": "OTHER", "code": "X", "message": "x"});
        let err = validate(SchemaKind::ConnectLinkFailure, &body).unwrap_err();
        assert_eq!(err[0].pointer, "/type");
        assert!(err[0].message.contains("\"TERMINAL-SUNMI\""), "{}", err[0]);
    }

    #[test]
    fn decimal_digits_are_read_from_the_text() {
        use crate::json_tree::{Digits, decimal_digits as digits};
        let nz = |lowest_power, power_of_ten| {
            Some(Digits::NonZero {
                lowest_power,
                power_of_ten,
            })
        };
        assert_eq!(digits("0.01"), nz(-2, true));
        assert_eq!(digits("1"), nz(0, true));
        assert_eq!(digits("1e2"), nz(2, true));
        assert_eq!(digits("10"), nz(1, true));
        assert_eq!(digits("12.50"), nz(-1, false));
        assert_eq!(digits("-12.505"), nz(-3, false));
        assert_eq!(digits("120"), nz(1, false));
        assert_eq!(digits("1.25e1"), nz(-1, false));
        assert_eq!(digits("125E-3"), nz(-3, false));
        assert_eq!(digits("0.10"), nz(-1, true));
        assert_eq!(digits("0"), Some(Digits::Zero));
        assert_eq!(digits("-0.000e5"), Some(Digits::Zero));
        assert_eq!(digits("1e-99999999999999999999"), nz(-(i64::MAX / 4), true));
        assert_eq!(digits("abc"), None);
    }

    /// The keyword agrees with `jsonschema`'s own exact `multipleOf` on every number here.
    #[test]
    fn multiple_of_agrees_with_the_standard_keyword() {
        let numbers = [
            "0",
            "1",
            "12",
            "12.3",
            "12.34",
            "12.345",
            "12.340",
            "12.3400000",
            "1e2",
            "1.5e1",
            "1.55e1",
            "1.555e1",
            "125e-2",
            "125e-3",
            "0.01",
            "0.001",
            "-3.10",
            "-3.105",
            "1E+2",
            "0.000e3",
            "123456789012.34",
        ];
        for divisor in ["0.01", "1", "0.1", "100"] {
            let schema: Value =
                serde_json::from_str(&format!(r#"{{"multipleOf": {divisor}}}"#)).unwrap();
            let standard = jsonschema::validator_for(&schema).unwrap();
            let ours = jsonschema::options()
                .with_keyword("multipleOf", decimal::factory)
                .build(&schema)
                .unwrap();
            for n in numbers {
                let instance: Value = serde_json::from_str(n).unwrap();
                let expected = standard.is_valid(&instance);
                assert_eq!(ours.is_valid(&instance), expected, "{n} / {divisor}");
                match (ours.validate(&instance), standard.validate(&instance)) {
                    (Ok(()), Ok(())) => {}
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{n}"),
                    (a, b) => panic!("{n} / {divisor}: {a:?} vs {b:?}"),
                }
            }
        }
        // Past f64's precision the standard keyword rounds (it calls 99999999999999999999.99
        // a multiple of 1); the digits do not.
        let one: Value = serde_json::from_str(r#"{"multipleOf": 1}"#).unwrap();
        let ours = jsonschema::options()
            .with_keyword("multipleOf", decimal::factory)
            .build(&one)
            .unwrap();
        for (n, whole) in [
            ("99999999999999999999.99", false),
            ("99999999999999999999.00", true),
        ] {
            let instance: Value = serde_json::from_str(n).unwrap();
            assert_eq!(ours.is_valid(&instance), whole, "{n}");
        }
        let three: Value = serde_json::from_str(r#"{"multipleOf": 3}"#).unwrap();
        assert!(
            jsonschema::options()
                .with_keyword("multipleOf", decimal::factory)
                .build(&three)
                .is_err()
        );
    }

    #[test]
    fn a_root_violation_displays_as_slash() {
        let v = Violation {
            pointer: String::new(),
            schema_path: "/type".into(),
            message: "is not an object".into(),
        };
        assert_eq!(v.to_string(), "/: is not an object");
    }

    #[test]
    fn card_data_values_are_not_quoted_in_messages() {
        let body = json!({"reading_type": "ICC", "enc_tlv": "4111111111111111ZZ"});
        let wrapped = json!({
            "transaction_mode": "Authorization", "transaction_type": "charge",
            "client_transaction_id": "6680eadc-6c8d-44aa-8ca0-18e061c1472a",
            "amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 1},
            "card_details": body
        });
        let err = validate(SchemaKind::RawTransactionRequest, &wrapped).unwrap_err();
        let v = err
            .iter()
            .find(|v| v.pointer == "/card_details/enc_tlv")
            .expect("enc_tlv violation");
        assert!(!v.message.contains("4111"), "{v}");
    }
}
