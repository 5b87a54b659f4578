//! The mocks' admin API as steps use it: the clock, the scripted reader, behaviours, the
//! journal (harness-defined; a target that is not one of these mocks has none, and a step needing
//! it is skipped).

use std::collections::HashSet;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::{Env, Mock, skip};
use crate::target::Capability;

impl Env {
    /// The time the terminal (or acquirer) goes by: the virtual clock when the target has one.
    pub async fn now(&self) -> Timestamp {
        if self.has(Capability::VirtualTime)
            && let Some(base) = self
                .terminal_admin
                .as_ref()
                .or(self.acquirer_admin.as_ref())
            && let Ok(resp) = self.http.get(format!("{base}/__admin/clock")).send().await
            && let Ok(v) = resp.json::<Value>().await
            && let Some(now) = v["now"].as_str().and_then(|t| t.parse().ok())
        {
            return now;
        }
        Timestamp::now()
    }

    fn admin(&self, mock: Mock) -> Option<&String> {
        match mock {
            Mock::Acquirer => self.acquirer_admin.as_ref(),
            Mock::Terminal => self.terminal_admin.as_ref(),
        }
    }

    /// A JSON admin call; panics with the mock's answer when it is not 2xx.
    pub async fn admin_call(
        &self,
        mock: Mock,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let Some(base) = self.admin(mock) else {
            skip(format!(
                "the target has no admin API for the {mock:?}: it is not one of these mocks"
            ))
        };
        let url = format!("{base}{path}");
        let mut req = match method {
            "GET" => self.http.get(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url),
        };
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("admin {method} {path}: {e}"));
        let status = resp.status();
        let value: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(
            status.is_success(),
            "admin {method} {path} answered {status}: {value}"
        );
        value
    }

    /// Sets the virtual time on every mock of the target.
    pub async fn set_time(&self, ts: Timestamp) {
        let mut seen = HashSet::new();
        for mock in [Mock::Acquirer, Mock::Terminal] {
            if let Some(base) = self.admin(mock)
                && seen.insert(base.clone())
            {
                self.admin_call(
                    mock,
                    "POST",
                    "/__admin/clock",
                    Some(json!({"set": ts.to_string()})),
                )
                .await;
            }
        }
    }

    /// Advances the virtual time.
    pub async fn advance(&self, secs: i64) {
        let now = self.now().await;
        self.set_time(now + jiff::SignedDuration::from_secs(secs))
            .await;
    }

    /// Queues a customer action at the reader.
    pub async fn card(&self, action: Value) {
        self.admin_call(Mock::Terminal, "POST", "/__admin/cards", Some(action))
            .await;
    }

    /// Adds a behaviour to a mock.
    pub async fn behaviour(&self, mock: Mock, behaviour: Value) {
        self.admin_call(mock, "POST", "/__admin/behaviours", Some(behaviour))
            .await;
    }

    /// A mock's journal entries.
    pub async fn journal(&self, mock: Mock) -> Vec<Value> {
        let v = self.admin_call(mock, "GET", "/__admin/journal", None).await;
        v["entries"].as_array().cloned().unwrap_or_default()
    }
}
