//! The acquirer's shared state: small, cloneable through an `Arc`.

use std::sync::Mutex;

use kushki_mock_support::admin::MockAdmin;
use kushki_mock_support::behaviours::Behaviours;
use kushki_mock_support::clock::VirtualClock;
use kushki_mock_support::journal::Journal;
use tokio::sync::Notify;

use crate::config::{Config, WebhookTarget};
use crate::domain::ledger::Ledger;

/// Everything the handlers share.
#[derive(Debug)]
pub struct AppState {
    /// Configuration as started.
    pub config: Config,
    /// The ledger. std Mutex: every rule runs under it without awaiting, so each request sees and
    /// leaves a consistent ledger.
    pub ledger: Mutex<Ledger>,
    /// The journal.
    pub journal: Journal,
    /// The clock.
    pub clock: VirtualClock,
    /// Scripted behaviours.
    pub behaviours: Behaviours,
    /// Where webhooks go (set at start or through `POST /__admin/webhooks`).
    pub webhook: Mutex<Option<WebhookTarget>>,
    /// Outbound HTTP client (webhooks), with timeouts.
    pub http: reqwest::Client,
    /// Woken at shutdown, so requests held by a `timeout` fault end.
    pub shutdown: Notify,
    /// The cloud relay's live terminal links.
    pub relay: crate::relay::Relay,
}

impl AppState {
    /// Locks the ledger (a poisoned lock is recovered: the ledger is left consistent by every
    /// transition, which either completes or does nothing).
    pub fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current webhook target.
    pub fn webhook_target(&self) -> Option<WebhookTarget> {
        self.webhook
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl MockAdmin for AppState {
    fn journal(&self) -> &Journal {
        &self.journal
    }

    fn clock(&self) -> &VirtualClock {
        &self.clock
    }

    fn behaviours(&self) -> &Behaviours {
        &self.behaviours
    }

    fn reset_state(&self) {
        self.ledger().clear();
        *self.webhook.lock().unwrap_or_else(|p| p.into_inner()) = self.config.webhook.clone();
    }

    fn tls_ca_pem(&self) -> Option<String> {
        self.config.tls_listen?;
        self.config.tls.as_ref().map(|t| t.ca_pem())
    }
}
