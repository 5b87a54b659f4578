//! **HARNESS-DEFINED routes (H14)**: balance inquiry, BIN info v1 and v2, deferred options.
//!
//! Kushki lists these raw card-present operations but publishes no path, body or answer
//! (ref §2.2, §5 #11; add §6.1), so the harness serves them where and as `schemas/README.md` H14
//! says:
//!
//! | route | body | answer | journal operation |
//! |---|---|---|---|
//! | `POST /pos/v1/balance-inquiry` | `raw/balance_inquiry.request.json` | `raw/balance_inquiry.response.json` | `balanceInquiry` |
//! | `POST /pos/v1/bin-info` | `raw/bin_info.request.json` | `raw/bin_info.response.json` | `binInfo` |
//! | `POST /pos/v2/bin-info` | `raw/bin_info.request.json` | `raw/bin_info_v2.response.json` | `binInfoV2` |
//! | `POST /pos/v1/deferred-options` | `raw/deferred_options.request.json` | `raw/deferred_options.response.json` | `deferredOptions` |
//!
//! Each exchange follows [`super::pos`]: credential (401) → JSON body and schema (E001 naming every
//! field; a violation at `/bin` carries the origin `BinInfoMiddleware | getBinInfo` of add §2.1,
//! and an all-zero bin the message "Error the bin is empty") → behaviours (latency, status, faults;
//! `kushki_code` declines a balance inquiry) → answer, validated against its schema in debug
//! builds → journal (hop `acquirer`). Nothing is written to the ledger and no webhook is sent.
//! The domain logic is in [`crate::domain::card_info`].

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use kushki_mock_support::behaviours::{Hop, Subject};
use kushki_mock_support::body::json_object;
use kushki_mock_support::journal::Exchange;
use kushki_protocol::errors::{APPROVED_KUSHKI_CODE, APPROVED_KUSHKI_MESSAGE, RawErrorCode};
use kushki_protocol::money::{AmountBreakdown, Currency, Units};
use kushki_protocol::raw::{CardDetails, Country};
use kushki_protocol::schemas::{self, SchemaKind};
use serde_json::{Value, json};
use uuid::Uuid;

use super::pos::{Outcome, credential_checked, finish, read_body, read_valid};
use crate::domain::card_info::{self, BIN_EMPTY, BIN_ORIGIN};
use crate::domain::{cards, rules};
use crate::error::{ApiError, ORIGIN_VALIDATION};
use crate::state::AppState;

/// `POST /pos/v1/balance-inquiry` (H14).
pub const BALANCE_INQUIRY_PATH: &str = "/pos/v1/balance-inquiry";
/// `POST /pos/v1/bin-info` (H14).
pub const BIN_INFO_PATH: &str = "/pos/v1/bin-info";
/// `POST /pos/v2/bin-info` (H14).
pub const BIN_INFO_V2_PATH: &str = "/pos/v2/bin-info";
/// `POST /pos/v1/deferred-options` (H14).
pub const DEFERRED_OPTIONS_PATH: &str = "/pos/v1/deferred-options";

/// The four harness-defined card-information routes.
pub fn router() -> Router<Arc<AppState>> {
    Route::ALL.into_iter().fold(Router::new(), |router, route| {
        router.route(
            route.path(),
            post(
                move |State(s): State<Arc<AppState>>, headers: HeaderMap, body: Body| {
                    exchange(s, route, headers, body)
                },
            ),
        )
    })
}

/// Which route an exchange is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    BalanceInquiry,
    BinInfo,
    BinInfoV2,
    DeferredOptions,
}

impl Route {
    const ALL: [Route; 4] = [
        Route::BalanceInquiry,
        Route::BinInfo,
        Route::BinInfoV2,
        Route::DeferredOptions,
    ];

    fn path(self) -> &'static str {
        match self {
            Route::BalanceInquiry => BALANCE_INQUIRY_PATH,
            Route::BinInfo => BIN_INFO_PATH,
            Route::BinInfoV2 => BIN_INFO_V2_PATH,
            Route::DeferredOptions => DEFERRED_OPTIONS_PATH,
        }
    }

    /// The operation name of the journal and of behaviours.
    fn operation(self) -> &'static str {
        match self {
            Route::BalanceInquiry => "balanceInquiry",
            Route::BinInfo => "binInfo",
            Route::BinInfoV2 => "binInfoV2",
            Route::DeferredOptions => "deferredOptions",
        }
    }

    fn request_schema(self) -> SchemaKind {
        match self {
            Route::BalanceInquiry => SchemaKind::RawBalanceInquiryRequest,
            Route::BinInfo | Route::BinInfoV2 => SchemaKind::RawBinInfoRequest,
            Route::DeferredOptions => SchemaKind::RawDeferredOptionsRequest,
        }
    }

    fn response_schema(self) -> SchemaKind {
        match self {
            Route::BalanceInquiry => SchemaKind::RawBalanceInquiryResponse,
            Route::BinInfo => SchemaKind::RawBinInfoResponse,
            Route::BinInfoV2 => SchemaKind::RawBinInfoV2Response,
            Route::DeferredOptions => SchemaKind::RawDeferredOptionsResponse,
        }
    }
}

async fn exchange(state: Arc<AppState>, route: Route, headers: HeaderMap, body: Body) -> Response {
    let mut ex = Exchange::new("acquirer", state.clock.now(), "POST", route.path());
    ex.operation = Some(route.operation().to_string());
    let outcome = process(&state, route, &headers, body, &mut ex).await;
    finish(&state, ex, outcome).await
}

async fn process(
    state: &Arc<AppState>,
    route: Route,
    headers: &HeaderMap,
    body: Body,
    ex: &mut Exchange,
) -> Outcome {
    let body = match credential_checked(state, headers, body, ex).await {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    let value = match route {
        Route::BalanceInquiry => read_valid(headers, body, route.request_schema(), ex).await,
        _ => read_bin_body(headers, body, route.request_schema(), ex).await,
    };
    let value = match value {
        Ok(v) => v,
        Err(e) => return e.into(),
    };
    let default_market = state.config.rules.default_country;
    let client_transaction_id = value
        .get("client_transaction_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    ex.client_transaction_id = client_transaction_id.clone();

    // Typing that the schema cannot do: the bin's catalog lookup, the amount's exact total.
    let mut total = None;
    let prepared = match route {
        Route::BalanceInquiry => Prepared::Balance(balance_market(&value, default_market)),
        Route::BinInfo | Route::BinInfoV2 | Route::DeferredOptions => {
            let bin = value.get("bin").and_then(Value::as_str).unwrap_or("");
            let info = match card_info::bin_info(bin) {
                Ok(info) => info,
                Err(e) => {
                    ex.violations.push(format!("schema: /bin: {e}"));
                    return bin_error(format!("/bin: {e}")).into();
                }
            };
            if route == Route::DeferredOptions {
                match deferred_total(&value, default_market) {
                    Ok((market, amount)) => {
                        total = Some(amount);
                        Prepared::Deferred(info, market, amount)
                    }
                    Err(details) => {
                        ex.violations.push(format!("schema: {details}"));
                        return ApiError::invalid(details).into();
                    }
                }
            } else {
                Prepared::Bin(info)
            }
        }
    };

    let subject = Subject {
        hop: Hop::Acquirer,
        path: route.path(),
        operation: Some(route.operation()),
        amount: total.map(|t| t.major_text()),
        client_transaction_id: client_transaction_id.as_deref(),
    };
    let plan = state.behaviours.plan(&subject).await;
    if let Some(status) = plan.injected_status(ex) {
        return ApiError::Injected(status).into();
    }

    let answer = match prepared {
        Prepared::Balance(market) => {
            let card = value
                .get("card_details")
                .cloned()
                .and_then(|d| serde_json::from_value::<CardDetails>(d).ok());
            let franchise = cards::read(card.as_ref()).franchise();
            balance_answer(market, franchise, plan.kushki_code(), Uuid::new_v4())
        }
        Prepared::Bin(info) if route == Route::BinInfo => info.v1_json(),
        Prepared::Bin(info) => info.v2_json(default_market),
        Prepared::Deferred(info, market, amount) => {
            let options: Vec<Value> = card_info::deferred_options(market, info.card_type, amount)
                .iter()
                .map(card_info::DeferredOption::to_json)
                .collect();
            json!({ "options": options })
        }
    };
    if cfg!(debug_assertions)
        && let Err(v) = schemas::validate(route.response_schema(), &answer)
    {
        tracing::error!(violations = %schemas::violations_message(&v), "the mock's own answer breaks its schema");
        ex.violations.push(format!(
            "egress-schema: {}",
            schemas::violations_message(&v)
        ));
    }
    Outcome::answered(&plan, Outcome::Answer(StatusCode::OK, answer))
}

/// A validated request, typed.
enum Prepared {
    /// A balance inquiry in this market.
    Balance(Country),
    /// A BIN lookup.
    Bin(card_info::BinInfo),
    /// Deferred options for this card, market and total.
    Deferred(card_info::BinInfo, Country, kushki_protocol::money::Amount),
}

/// An E001 with the origin of add §2.1's BIN error.
fn bin_error(details: String) -> ApiError {
    ApiError::Raw {
        code: RawErrorCode::InvalidBody,
        origin: BIN_ORIGIN,
        details,
    }
}

/// Reads and validates a body that carries a `bin`: like [`read_valid`], but a violation at
/// `/bin` takes the origin `BinInfoMiddleware | getBinInfo`, and an empty (all-zero) bin the
/// message "Error the bin is empty" (add §2.1).
async fn read_bin_body(
    headers: &HeaderMap,
    body: Body,
    kind: SchemaKind,
    ex: &mut Exchange,
) -> Result<Value, ApiError> {
    let bytes = read_body(body, ex).await?;
    let value = json_object(headers, &bytes).map_err(|e| ApiError::invalid(e.to_string()))?;
    let Err(violations) = schemas::validate(kind, &value) else {
        return Ok(value);
    };
    ex.violations
        .extend(violations.iter().map(|v| format!("schema: {v}")));
    let empty_bin = value
        .get("bin")
        .and_then(Value::as_str)
        .is_some_and(card_info::bin_is_empty);
    let mut lines: Vec<String> = Vec::new();
    for v in &violations {
        let line = if v.pointer == "/bin" && empty_bin {
            format!("/bin: {BIN_EMPTY}")
        } else {
            v.to_string()
        };
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    let at_bin = violations.iter().any(|v| v.pointer == "/bin");
    Err(ApiError::Raw {
        code: RawErrorCode::InvalidBody,
        origin: if at_bin {
            BIN_ORIGIN
        } else {
            ORIGIN_VALIDATION
        },
        details: lines.join("; "),
    })
}

/// The market of a balance inquiry: its `country` when one of the four, else the default (H11).
fn balance_market(value: &Value, default: Country) -> Country {
    let country = value.get("country").and_then(Value::as_str);
    Country::resolve(country, default.currency(), default)
}

/// The market (the amount's currency's, H11) and exact total of a deferred-options request, or
/// what is wrong, naming the field (the schema normally catches it first).
fn deferred_total(
    value: &Value,
    default: Country,
) -> Result<(Country, kushki_protocol::money::Amount), String> {
    let money = |e: kushki_protocol::money::MoneyError| format!("{}: {}", e.pointer(), e.reason);
    let amount = value
        .get("amount")
        .and_then(Value::as_object)
        .ok_or_else(|| "/amount: is required".to_string())?;
    let currency: Currency = amount
        .get("currency")
        .and_then(Value::as_str)
        .unwrap_or("")
        .parse()
        .map_err(money)?;
    let breakdown =
        AmountBreakdown::parse(amount, currency, Units::Major, "amount").map_err(money)?;
    Ok((Country::of_currency(currency, default), breakdown.total()))
}

/// The balance inquiry answer (H14). A behaviour's `kushki_code` other than `"00"` declines it
/// with that ISO code and no `balance`.
fn balance_answer(
    market: Country,
    franchise: &str,
    forced_code: Option<&str>,
    reference: Uuid,
) -> Value {
    let declined =
        forced_code.filter(|c| !c.is_empty() && *c != "00" && *c != APPROVED_KUSHKI_CODE);
    let ticket = ticket_of(reference);
    match declined {
        Some(code) => json!({
            "transaction_reference": reference.to_string(),
            "ticket_number": ticket,
            "transaction_status": "DECLINED",
            "kushki_response": {"code": code, "message": rules::decline_message(code)},
            "franchise": franchise,
        }),
        None => {
            let balance = card_info::balance(market);
            json!({
                "transaction_reference": reference.to_string(),
                "ticket_number": ticket,
                "transaction_status": "APPROVAL",
                "kushki_response": {"code": APPROVED_KUSHKI_CODE, "message": APPROVED_KUSHKI_MESSAGE},
                "balance": {
                    "currency": balance.currency().as_str(),
                    "available": Value::Number(balance.to_major_json()),
                },
                "franchise": franchise,
            })
        }
    }
}

/// An 18-digit ticket number derived from the reference, starting with 9 so it never collides
/// with the ledger's (`111…`, add §6.3); balance inquiries are not recorded in the ledger.
fn ticket_of(reference: Uuid) -> String {
    const SPAN: u128 = 100_000_000_000_000_000; // 10^17
    format!("9{:017}", reference.as_u128() % SPAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_have_eighteen_digits() {
        for _ in 0..100 {
            let t = ticket_of(Uuid::new_v4());
            assert_eq!(t.len(), 18, "{t}");
            assert!(t.starts_with('9') && t.bytes().all(|b| b.is_ascii_digit()));
        }
        assert_eq!(ticket_of(Uuid::nil()), "900000000000000000");
    }

    #[test]
    fn balance_answers_satisfy_their_schema() {
        let r = Uuid::new_v4();
        for (market, forced) in [
            (Country::Peru, None),
            (Country::Chile, Some("00")),
            (Country::Mexico, Some("51")),
            (Country::Colombia, Some("05")),
        ] {
            let answer = balance_answer(market, "VISA", forced, r);
            assert_eq!(
                schemas::validate(SchemaKind::RawBalanceInquiryResponse, &answer),
                Ok(()),
                "{answer}"
            );
        }
        let declined = balance_answer(Country::Peru, "VISA", Some("51"), r);
        assert_eq!(declined["transaction_status"], json!("DECLINED"));
        assert!(declined.get("balance").is_none());
        let pen = balance_answer(Country::Peru, "AMEX", None, r);
        assert_eq!(pen["balance"]["available"].to_string(), "1000.00");
        assert_eq!(pen["balance"]["currency"], json!("PEN"));
    }
}
