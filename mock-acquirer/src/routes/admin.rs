//! The acquirer's own admin routes, beside the shared ones of
//! [`kushki_mock_support::admin`]:
//!
//! * `GET /__admin/webhooks` → `{"url":…}` (the key is never shown);
//! * `POST /__admin/webhooks` with `{"url":"…","key":"…"}` sets the receiver, `{"url":null}`
//!   removes it;
//! * `GET /__admin/rules` → the rule ids a behaviour can switch off with `disable_rule`;
//! * `GET /__admin/transactions` → the ledger, for tests and `verify`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use kushki_mock_support::admin::{admin_body, admin_error};
use serde_json::{Value, json};

use crate::config::WebhookTarget;
use crate::domain::ledger::Lifecycle;
use crate::domain::rule::Rule;
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/__admin/webhooks", get(get_webhook).post(set_webhook))
        .route("/__admin/rules", get(rules))
        .route("/__admin/transactions", get(transactions))
}

async fn get_webhook(State(s): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({ "url": s.webhook_target().map(|t| t.url) }))
}

async fn set_webhook(State(s): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let body = match admin_body(&headers, &body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let target = match (body.get("url"), body.get("key")) {
        (Some(Value::Null), _) => None,
        (Some(Value::String(url)), Some(Value::String(key))) => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return admin_error("url", "must be an http(s) URL");
            }
            Some(WebhookTarget {
                url: url.clone(),
                key: kushki_protocol::mask::Sensitive::new(key.clone()),
            })
        }
        (Some(Value::String(_)), _) => {
            return admin_error("key", "the webhook signature key is required");
        }
        _ => return admin_error("url", "give `url` (and `key`), or `url: null` to remove"),
    };
    *s.webhook.lock().unwrap_or_else(|p| p.into_inner()) = target;
    get_webhook(State(s)).await.into_response()
}

async fn rules() -> Json<Value> {
    Json(json!({ "rules": Rule::ALL.map(Rule::id) }))
}

async fn transactions(State(s): State<Arc<AppState>>) -> Json<Value> {
    let ledger = s.ledger();
    let items: Vec<Value> = ledger
        .all()
        .map(|(_, t)| {
            let (state, undone) = match t.state {
                Lifecycle::Declined => ("declined", 0),
                Lifecycle::Approved { undone } => ("approved", undone),
                Lifecycle::Refunded => ("refunded", t.amount.minor_units()),
                Lifecycle::Voided => ("voided", 0),
                Lifecycle::Reversed => ("reversed", 0),
                Lifecycle::Authorized { .. } => ("authorized", 0),
                Lifecycle::Captured => ("captured", 0),
                Lifecycle::Final => ("final", 0),
            };
            json!({
                "transaction_reference": t.reference.to_string(),
                "client_transaction_id": ledger.client_id(t),
                "kind": t.kind.search_type(),
                "state": state,
                "amount": t.amount.to_string(),
                "undone_minor": undone,
                "parent": t.parent.map(|p| ledger.get(p).reference.to_string()),
                "created": t.created.to_string(),
                "failed_voids": t.failed_voids,
            })
        })
        .collect();
    Json(json!({ "transactions": items }))
}
