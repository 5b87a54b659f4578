//! `POST /pos-analytics/v1/transactions/search` (ref §2.10, add §6.4): the ledger, most recent
//! first, filtered and paged; at most 10,000 results per request.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use kushki_mock_support::journal::Exchange;
use kushki_protocol::mask::mask_pan;
use kushki_protocol::raw::SearchRequest;
use kushki_protocol::schemas::SchemaKind;
use serde_json::{Value, json};

use super::pos::{Outcome, check_credential, finish, read_valid};
use crate::domain::cards::BRANDS;
use crate::domain::ledger::{Kind, Ledger, Transaction, TxnId};
use crate::error::ApiError;
use crate::state::AppState;

/// Path of the search (the older documented path; the newer page's path is not visible, ref §2.2).
pub const SEARCH_PATH: &str = "/pos-analytics/v1/transactions/search";

/// Most results one search returns (ref §2.10).
pub const MAX_RESULTS: usize = 10_000;

/// The search route.
pub fn router() -> Router<Arc<AppState>> {
    Router::new().route(SEARCH_PATH, post(search))
}

async fn search(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    let mut ex = Exchange::new("acquirer", state.clock.now(), "POST", SEARCH_PATH);
    ex.operation = Some("search".into());
    let outcome = match check_credential(&state, &headers) {
        Err(e) => {
            ex.violations
                .push("credential: missing or unknown Private-Credential-Id".into());
            e.into()
        }
        Ok(()) => match read_valid(&headers, body, SchemaKind::RawSearchRequest, &mut ex).await {
            Err(e) => e.into(),
            Ok(value) => match serde_json::from_value::<SearchRequest>(value.clone()) {
                Err(e) => ApiError::invalid(match oversized_number(&value) {
                    Some(pointer) => format!("{pointer}: the number is too large"),
                    None => e.to_string(),
                })
                .into(),
                Ok(req) => {
                    let ledger = state.ledger();
                    Outcome::Answer(
                        StatusCode::OK,
                        json!({ "items": run(&ledger, &req, &state.config.merchant_id) }),
                    )
                }
            },
        },
    };
    finish(&state, ex, outcome).await
}

/// The pointer of a number the schema lets through (it bounds only the sign) but that does not
/// fit its field, so the E001 names the field rather than serde's bare "invalid number".
fn oversized_number(value: &Value) -> Option<&'static str> {
    let too_big_u32 = |v: &Value| v.as_u64().is_none_or(|n| n > u64::from(u32::MAX));
    ["/page", "/from", "/size"]
        .into_iter()
        .find(|p| value.pointer(p).is_some_and(too_big_u32))
        .or_else(|| {
            ["/filters/start_date", "/filters/end_date"]
                .into_iter()
                .find(|p| value.pointer(p).is_some_and(|v| v.as_i64().is_none()))
        })
}

fn wire_type(t: &Transaction) -> &'static str {
    match t.kind {
        Kind::Void | Kind::Reverse => t.original_type.map(|o| o.as_str()).unwrap_or("charge"),
        other => other.search_type(),
    }
}

fn matches(ledger: &Ledger, t: &Transaction, req: &SearchRequest) -> bool {
    let f = &req.filters;
    let created = t.created.as_millisecond();
    f.client_transaction_id
        .as_deref()
        .is_none_or(|c| ledger.client_id(t) == c)
        && f.transaction_reference
            .as_deref()
            .is_none_or(|r| t.reference.to_string() == r)
        && f.start_date.is_none_or(|s| created >= s)
        && f.end_date.is_none_or(|e| created <= e)
        && f.transaction_type
            .as_deref()
            .is_none_or(|ty| ty == "UNKNOWN" || ty == wire_type(t))
        && f.bin.as_deref().is_none_or(|b| {
            t.bin
                .is_some_and(|tb| format!("{tb:06}").starts_with(&b[..b.len().min(6)]))
        })
        && f.last_four_digits
            .as_deref()
            .or(f.card_four_digits.as_deref())
            .is_none_or(|l| t.last_four.is_some_and(|tl| format!("{tl:04}") == l))
}

/// Runs a search over the ledger.
pub fn run(ledger: &Ledger, req: &SearchRequest, merchant_id: &str) -> Vec<Value> {
    let size = req.size.clamp(1, 500) as usize;
    let skip = match (req.page, req.from) {
        (_, Some(from)) => from as usize,
        (Some(page), None) => (page.max(1) as usize - 1) * size,
        (None, None) => 0,
    };
    ledger
        .all()
        .rev()
        .filter(|(_, t)| matches(ledger, t, req))
        .take(MAX_RESULTS)
        .skip(skip)
        .take(size)
        .map(|(id, t)| item(ledger, id, t, merchant_id))
        .collect()
}

fn item(ledger: &Ledger, id: TxnId, t: &Transaction, merchant_id: &str) -> Value {
    let answer = crate::domain::answer(ledger, id);
    let zero = kushki_protocol::money::Amount::zero(t.amount.currency()).to_major_json();
    let mut item = json!({
        "transaction_reference": t.reference.to_string(),
        "ticket_number": t.ticket.to_string(),
        "transaction_date": t.created.as_millisecond(),
        "amount": {
            "currency": t.amount.currency().as_str(),
            "iva": zero.clone(),
            "subtotal_iva": zero,
            "subtotal_iva0": t.amount.to_major_json(),
        },
        "transaction_status": answer["transaction_status"].clone(),
        "authorization_code": answer["message_fields"]["F38"].clone(),
        "transaction_type": wire_type(t),
        "transaction_mode": t.kind.mode(),
        "payment_brand": BRANDS[usize::from(t.brand).min(BRANDS.len() - 1)],
        "merchant_id": merchant_id,
        "client_transaction_id": ledger.client_id(t),
        "trance_audit_number": answer["F11"].clone(),
    });
    if let (Some(bin), Some(last)) = (t.bin, t.last_four) {
        item["card_mask"] = json!(mask_pan(&format!("{bin:06}000000{last:04}")));
    }
    if let Some(r) = t.reading_type {
        item["reading_type"] = json!(r.as_str());
    }
    item
}
