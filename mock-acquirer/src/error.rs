//! The acquirer's one error type and its one `IntoResponse`: exactly the documented bodies
//! (add §2.1).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kushki_protocol::errors::{RawErrorCode, unauthorized_body};
use serde_json::json;

/// The `details.Origin` of validation errors, as in Kushki's example (add §2.1).
pub const ORIGIN_VALIDATION: &str = "Process Generic Transaction | validateRequest";

/// Every way the raw API refuses a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// Missing or unknown `Private-Credential-Id` (401 `{"message":"Unauthorized"}`).
    Unauthorized,
    /// A pre-processing error with its code, origin and reason.
    Raw {
        /// The code.
        code: RawErrorCode,
        /// `details.Origin`.
        origin: &'static str,
        /// `details.Message`.
        details: String,
    },
    /// An HTTP status injected by a behaviour, answered with the documented body for it.
    Injected(u16),
}

impl ApiError {
    /// An E001 naming what is wrong.
    pub fn invalid(details: impl Into<String>) -> ApiError {
        ApiError::Raw {
            code: RawErrorCode::InvalidBody,
            origin: ORIGIN_VALIDATION,
            details: details.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::Unauthorized => 401,
            ApiError::Raw { code, .. } => code.http_status(),
            ApiError::Injected(s) => *s,
        }
    }

    /// The body.
    pub fn body(&self) -> serde_json::Value {
        match self {
            ApiError::Unauthorized => unauthorized_body(),
            ApiError::Raw {
                code,
                origin,
                details,
            } => serde_json::to_value(code.body(origin, details.clone())).unwrap_or_default(),
            ApiError::Injected(status) => injected_body(*status),
        }
    }
}

/// The documented body for a status a behaviour injects: the bodies of add §2.1 where Kushki shows
/// one, E002 for server errors, and the reason phrase of ref §2.8 otherwise.
pub fn injected_body(status: u16) -> serde_json::Value {
    match status {
        401 => unauthorized_body(),
        403 => json!({"Message": "User is not authorized to access this resource"}),
        400 => serde_json::to_value(
            RawErrorCode::InvalidBody.body(ORIGIN_VALIDATION, "injected by a behaviour"),
        )
        .unwrap_or_default(),
        412 => serde_json::to_value(
            RawErrorCode::RefundNotAvailable.body("Refund Validator", "Refund no disponible"),
        )
        .unwrap_or_default(),
        s if s >= 500 => serde_json::to_value(
            RawErrorCode::Unexpected
                .body("Transaction Management Service", "injected by a behaviour"),
        )
        .unwrap_or_default(),
        s => {
            let phrase = kushki_protocol::errors::RAW_HTTP_STATUSES
                .iter()
                .find(|(c, _)| *c == s)
                .map(|(_, p)| *p)
                .unwrap_or("Error");
            json!({"message": phrase})
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status()).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(self.body())).into_response()
    }
}
