//! The printer's admin routes (harness-defined, beside the shared ones of
//! [`kushki_mock_support::admin`]):
//!
//! * `GET /__admin/prints` → `{"prints":[{printJobId, status, externalReference?, createdAt,
//!   completedAt?, error?, text, svg}]}`, oldest first: every job with both renderings;
//! * `POST /__admin/prints/receipt` `{"transaction_reference": "…", "copies":
//!   "customer"|"merchant"|"both", "merchant": "…"}` (`copies` defaults to `customer`,
//!   `merchant` to [`DEFAULT_MERCHANT`]) → 202 `{printJobId, status:"PENDING"}`: queues the
//!   receipt of an operation of the local history as a print job (404 when the reference is not
//!   in it); a convenience for demos and reports;
//! * `GET /__admin/printer` → `{"paper":"ok"|"out","busy":bool,"pending":N}`;
//! * `POST /__admin/printer` `{"paper":"out"|"ok"}` and/or `{"busy":true|false}` → the same
//!   view: the faults of [`crate::printer`] (out of paper: jobs fail with TER-101; busy: jobs wait
//!   or, with `skipIfBusy`, fail with TER-102).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kushki_mock_support::admin::{AdminJson, admin_error};
use serde_json::{Value, json};

use super::{Job, JobRequest, ReceiptCopy, receipt_commands, submit};
use crate::state::AppState;

/// The merchant name on receipts when the admin call gives none.
pub const DEFAULT_MERCHANT: &str = "COMERCIO DE PRUEBA";

/// The routes.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/__admin/prints", get(prints))
        .route("/__admin/prints/receipt", post(receipt))
        .route("/__admin/printer", get(printer).post(set_printer))
}

fn view(job: &Job) -> Value {
    let mut v = serde_json::to_value(job.state()).unwrap_or_default();
    v["text"] = json!(job.rendering.text);
    v["svg"] = json!(job.rendering.svg);
    v
}

async fn prints(State(s): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({ "prints": s.printer.jobs().iter().map(view).collect::<Vec<_>>() }))
}

/// Checks that an admin body has only `allowed` keys, naming the first other one.
#[allow(clippy::result_large_err)]
fn only(body: &Value, allowed: &[&str]) -> Result<(), Response> {
    match body
        .as_object()
        .and_then(|o| o.keys().find(|k| !allowed.contains(&k.as_str())))
    {
        Some(unknown) => Err(admin_error(
            unknown,
            format!("unknown field: the fields are {}", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

async fn receipt(State(s): State<Arc<AppState>>, AdminJson(body): AdminJson) -> Response {
    if let Err(r) = only(&body, &["transaction_reference", "copies", "merchant"]) {
        return r;
    }
    let Some(reference) = body["transaction_reference"].as_str() else {
        return admin_error("transaction_reference", "a string is required");
    };
    let copies: &[ReceiptCopy] = match body.get("copies").map(Value::as_str) {
        None | Some(Some("customer")) => &[ReceiptCopy::Customer],
        Some(Some("merchant")) => &[ReceiptCopy::Merchant],
        Some(Some("both")) => &[ReceiptCopy::Merchant, ReceiptCopy::Customer],
        Some(_) => return admin_error("copies", r#"one of "customer", "merchant", "both""#),
    };
    let merchant = match body.get("merchant") {
        None => DEFAULT_MERCHANT,
        Some(Value::String(m)) => m.as_str(),
        Some(_) => return admin_error("merchant", "must be a string"),
    };
    let Some(item) = s.history.by_reference(reference) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"error": {
                "field": "transaction_reference",
                "message": format!("`{reference}` is not in the terminal's local history"),
            }})),
        )
            .into_response();
    };
    let commands = copies
        .iter()
        .flat_map(|copy| receipt_commands(&item, *copy, merchant))
        .collect();
    let request = JobRequest {
        id: None,
        commands,
        external_reference: Some(item.row.transaction_reference.clone()),
        webhook_url: None,
        skip_if_busy: false,
    };
    match submit(&s, request) {
        Ok(id) => (
            StatusCode::ACCEPTED,
            Json(json!({"printJobId": id, "status": "PENDING"})),
        )
            .into_response(),
        Err(failure) => (StatusCode::CONFLICT, Json(json!(failure))).into_response(),
    }
}

fn printer_view(s: &AppState) -> Json<Value> {
    let status = s.printer.status();
    Json(json!({
        "paper": if status.paper_out { "out" } else { "ok" },
        "busy": status.busy,
        "pending": status.pending,
    }))
}

async fn printer(State(s): State<Arc<AppState>>) -> Json<Value> {
    printer_view(&s)
}

async fn set_printer(State(s): State<Arc<AppState>>, AdminJson(body): AdminJson) -> Response {
    if let Err(r) = only(&body, &["paper", "busy"]) {
        return r;
    }
    let paper_out = match body.get("paper").map(Value::as_str) {
        None => None,
        Some(Some("out")) => Some(true),
        Some(Some("ok")) => Some(false),
        Some(_) => return admin_error("paper", r#"one of "ok", "out""#),
    };
    let busy = match body.get("busy") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return admin_error("busy", "must be true or false"),
    };
    if paper_out.is_none() && busy.is_none() {
        return admin_error(
            "",
            r#"give "paper" ("ok" or "out") and/or "busy" (true or false)"#,
        );
    }
    if let Some(out) = paper_out {
        s.printer.set_paper_out(out);
    }
    if let Some(busy) = busy {
        s.printer.set_busy(busy);
    }
    printer_view(&s).into_response()
}
