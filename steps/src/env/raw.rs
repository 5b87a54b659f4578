//! The raw card-present API as a terminal app calls it (ref §2): a route, a body, the
//! `Private-Credential-Id`; every answer checked against the schema its route and status call for
//! before a step reads it (add §2.1, ref §2.5, §2.10).

use kushki_protocol::schemas::SchemaKind;
use serde_json::{Value, json};

use super::{Answer, Env};
use crate::params::FromCapture;

/// A route of the raw API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawRoute {
    /// `/pos/v1/transaction`: authorizations, follow-ups, voids, reverses (ref §2.4).
    Transaction,
    /// `/pos/v1/refund` (ref §2.9).
    Refund,
    /// `/pos-analytics/v1/transactions/search` (ref §2.10, add §6.4).
    Search,
}

impl RawRoute {
    /// Its path.
    pub fn path(self) -> &'static str {
        match self {
            RawRoute::Transaction => "/pos/v1/transaction",
            RawRoute::Refund => "/pos/v1/refund",
            RawRoute::Search => "/pos-analytics/v1/transactions/search",
        }
    }

    /// The schema of an answer with `status` (none for a broken connection or a 5xx).
    fn schema(self, status: u16) -> Option<SchemaKind> {
        match status {
            200 if self == RawRoute::Search => Some(SchemaKind::RawSearchResponse),
            200 => Some(SchemaKind::RawTransactionResponse),
            401 => Some(SchemaKind::RawUnauthorized),
            0 | 500.. => None,
            _ => Some(SchemaKind::RawError),
        }
    }
}

/// A route as a feature writes it (`"/pos/v1/refund"`).
impl FromCapture for RawRoute {
    const EXPECTED: &'static str = "a route of the raw API";
    fn from_capture(text: &str) -> Result<Self, String> {
        [RawRoute::Transaction, RawRoute::Refund, RawRoute::Search]
            .into_iter()
            .find(|r| r.path() == text)
            .ok_or_else(|| format!("`{text}` is not one"))
    }
}

/// A raw call being prepared: [`Env::raw`], then options, then [`RawCall::send`].
#[must_use = "a call does nothing until sent"]
pub struct RawCall<'e> {
    env: &'e mut Env,
    route: RawRoute,
    body: String,
    content_type: Option<String>,
    credential: Option<String>,
}

impl Env {
    /// A JSON `body` to `route`, with the target's credential.
    pub fn raw(&mut self, route: RawRoute, body: &Value) -> RawCall<'_> {
        let credential = Some(self.credential.clone());
        RawCall {
            env: self,
            route,
            body: body.to_string(),
            content_type: Some("application/json".into()),
            credential,
        }
    }
}

impl RawCall<'_> {
    /// With this body text instead (a scenario's own, possibly malformed, JSON).
    pub fn text(mut self, body: String) -> Self {
        self.body = body;
        self
    }

    /// With this content type, or none.
    pub fn content_type(mut self, content_type: Option<&str>) -> Self {
        self.content_type = content_type.map(str::to_string);
        self
    }

    /// With this credential, or none.
    pub fn credential(mut self, credential: Option<String>) -> Self {
        self.credential = credential;
        self
    }

    /// Sends, checks the answer's schema and keeps the exchange as evidence.
    pub async fn send(self) -> Answer {
        let RawCall {
            env,
            route,
            body,
            content_type,
            credential,
        } = self;
        let base = env
            .raw_base
            .clone()
            .expect("this target has no raw API (use an acquirer target)");
        let path = route.path();
        let request: Value = serde_json::from_str(&body).unwrap_or(Value::String(body.clone()));
        let mut req = env.http.post(format!("{base}{path}")).body(body);
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        if let Some(c) = credential {
            req = req.header("Private-Credential-Id", c);
        }
        let label = format!("POST {path}");
        let answer = match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                Answer {
                    label,
                    status,
                    body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
                    encrypted: false,
                }
            }
            Err(e) => Answer {
                label,
                status: 0,
                body: json!({"connection_error": e.to_string()}),
                encrypted: false,
            },
        };
        if let Some(kind) = route.schema(answer.status) {
            answer.assert_schema(kind);
        }
        env.record(&answer.label.clone(), &request, &answer);
        answer
    }
}
