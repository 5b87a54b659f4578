//! The terminal's shared state and its state machine (ref §1.1, seed first steps):
//!
//! ```text
//! Waiting for call ──command──▶ Busy: waiting for card ──card──▶ card read ──▶ approval requested ──▶ result ──▶ Waiting for call
//!                    (a second command while busy: TER-003, 409; abort before approval requested only)
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use kushki_mock_support::admin::MockAdmin;
use kushki_mock_support::behaviours::Behaviours;
use kushki_mock_support::clock::VirtualClock;
use kushki_mock_support::journal::Journal;
use kushki_protocol::auth::Credentials;
use kushki_protocol::connect::ConnectOperation;
use kushki_protocol::money::Currency;
use serde::Serialize;
use tokio::sync::Notify;

use crate::config::Config;
use crate::history::History;
use crate::printer::Printer;
use crate::reader::Reader;

/// Where a busy terminal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The command was accepted; the reader is waiting for a card.
    WaitingForCard,
    /// A card was read.
    CardRead,
    /// The terminal asked the acquirer: abort is refused from here on.
    ApprovalRequested,
}

/// A command in progress.
#[derive(Debug, Clone)]
pub struct Busy {
    /// Its id.
    pub client_transaction_id: String,
    /// Which operation.
    pub operation: ConnectOperation,
    /// Where it is.
    pub phase: Phase,
    /// Woken by an abort.
    pub abort: Arc<Notify>,
    /// Set by an abort (read after waking, and before each step).
    pub aborted: Arc<AtomicBool>,
}

impl Busy {
    /// Whether an abort was accepted for this command.
    pub fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::SeqCst)
    }
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct AppState {
    /// Configuration as started.
    pub config: Config,
    /// Business-Code and serial, for the Connect signature.
    pub creds: Credentials,
    /// The market's currency: Connect amounts are in its minor units (H1).
    pub currency: Currency,
    /// The journal.
    pub journal: Journal,
    /// The clock.
    pub clock: VirtualClock,
    /// Scripted behaviours.
    pub behaviours: Behaviours,
    /// The card reader's queue.
    pub reader: Reader,
    /// `None` while waiting for a call. std Mutex: never held across an await.
    pub busy: Mutex<Option<Busy>>,
    /// Local history, for `transaction_search_local` and void-or-refund decisions.
    pub history: History,
    /// The printer: its jobs and its admin-set faults.
    pub printer: Printer,
    /// Outbound HTTP (acquirer, webhooks), with timeouts.
    pub http: reqwest::Client,
    /// The acquirer's [`TRANSACTION_PATH`] URL, parsed once at start-up: every charge posts to
    /// it. `None` when the configured acquirer URL does not parse (each call then reports it).
    pub acquirer_transaction_url: Option<reqwest::Url>,
    /// Woken at shutdown.
    pub shutdown: Notify,
    /// Whether the cloud link is up.
    pub cloud_online: AtomicBool,
}

/// The raw API path of charges, pre-authorisations, captures, voids and reverses.
pub const TRANSACTION_PATH: &str = "/pos/v1/transaction";

impl AppState {
    /// Locks the busy slot.
    pub fn busy(&self) -> std::sync::MutexGuard<'_, Option<Busy>> {
        self.busy.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves the command in progress to `phase`.
    pub fn set_phase(&self, phase: Phase) {
        if let Some(b) = self.busy().as_mut() {
            b.phase = phase;
        }
    }
}

/// Frees the terminal when the command ends, however it ends.
pub struct BusyGuard(pub Arc<AppState>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        *self.0.busy() = None;
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

    fn tls_ca_pem(&self) -> Option<String> {
        self.config.tls_listen?;
        self.config.tls.as_ref().map(|t| t.ca_pem())
    }

    fn reset_state(&self) {
        self.reader.clear();
        self.history.clear();
        self.printer.reset();
        if let Some(b) = self.busy().as_ref() {
            b.aborted.store(true, Ordering::SeqCst);
            b.abort.notify_waiters();
        }
    }
}

/// The acquirer's base URL and a raw API path joined as text.
pub fn acquirer_url_text(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    let mut url = String::with_capacity(base.len() + path.len());
    url.push_str(base);
    url.push_str(path);
    url
}
