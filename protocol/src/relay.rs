//! The frames of the cloud link between a terminal and the relay (harness-defined: Kushki does
//! not publish how its cloud reaches the terminal, ref §1.2).
//!
//! The terminal opens a WebSocket to the relay's `GET /terminal/v1/{serial}/link` and keeps it
//! open. For every POS request on `/terminal/v1/{serial}/{sync|async}/{op}` the relay sends one
//! [`RelayRequest`] text frame with the request untouched (headers that matter and the body as
//! sent); the terminal answers with one [`RelayResponse`] frame carrying the same `id`. The relay's
//! `/__admin/terminals/{serial}/__admin/…` requests travel the same way, with a `route` starting
//! `__admin/`, and are answered by the terminal's admin API.

use serde::{Deserialize, Serialize};

/// Path of the link, relative to the relay's base URL, for `serial`.
pub fn link_path(serial: &str) -> String {
    format!("/terminal/v1/{serial}/link")
}

/// A POS request forwarded by the relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayRequest {
    /// Correlates the answer.
    pub id: u64,
    /// HTTP method as the POS sent it.
    pub method: String,
    /// The route after the serial: `sync/charge`, `async/charge`, `sync/abort`, `sync/print`, …
    pub route: String,
    /// Query string, if any (print-job polling).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// `Authorization` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<String>,
    /// `timestamp` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// `Content-Type` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The body as sent (the encrypted `{"data":…}` text).
    pub body: String,
}

/// The terminal's answer to a [`RelayRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayResponse {
    /// The request's `id`.
    pub id: u64,
    /// HTTP status.
    pub status: u16,
    /// The body as the terminal answered it.
    pub body: String,
}
