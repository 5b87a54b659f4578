//! The terminal's local history: what `transaction_search_local` answers without internet
//! (ref §1.4), and what the void-or-refund decision reads.

use std::sync::Mutex;

use jiff::Timestamp;
use kushki_protocol::connect::{ConnectOperation, SearchItem, SearchQuery};
use kushki_protocol::money::Currency;
use kushki_protocol::raw::{ReadingType, TransactionType};
use serde_json::Value;

/// One finished operation.
#[derive(Debug, Clone)]
pub struct HistoryItem {
    /// The operation's id.
    pub client_transaction_id: String,
    /// The acquirer's reference.
    pub transaction_reference: String,
    /// 18-digit ticket.
    pub ticket_number: String,
    /// Which operation.
    pub operation: ConnectOperation,
    /// Approved or not.
    pub approved: bool,
    /// Connect amount object (minor units).
    pub amount: Value,
    /// The currency of `amount` (the terminal's market, H1): receipts print it.
    pub currency: Currency,
    /// The issuer's approval code (`message_fields.F38`), when the acquirer gave one.
    pub approval_code: Option<String>,
    /// When.
    pub created: Timestamp,
    /// Masked PAN.
    pub card_mask: Option<String>,
    /// How the card was read.
    pub reading_type: Option<ReadingType>,
    /// The raw `transaction_type` the acquirer recorded (for voids of this transaction).
    pub raw_type: Option<TransactionType>,
}

/// Most operations kept (oldest dropped first).
pub const MAX_HISTORY: usize = 10_000;

/// The history.
#[derive(Debug, Default)]
pub struct History {
    // std Mutex: never held across an await.
    items: Mutex<Vec<HistoryItem>>,
}

impl History {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<HistoryItem>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records an operation.
    pub fn push(&self, item: HistoryItem) {
        let mut items = self.lock();
        if items.len() == MAX_HISTORY {
            items.remove(0);
        }
        items.push(item);
    }

    /// The operation that produced `reference`.
    pub fn by_reference(&self, reference: &str) -> Option<HistoryItem> {
        self.lock()
            .iter()
            .rev()
            .find(|i| i.transaction_reference == reference)
            .cloned()
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// A search, most recent first (H3: `page` from 1, `size` 1 to 100, default 10).
    pub fn search(&self, q: &SearchQuery) -> Vec<SearchItem> {
        let size = q.size.unwrap_or(10).clamp(1, 100) as usize;
        let skip = (q.page.unwrap_or(1).max(1) as usize - 1) * size;
        self.lock()
            .iter()
            .rev()
            .filter(|i| {
                let ms = i.created.as_millisecond();
                q.client_transaction_id
                    .as_deref()
                    .is_none_or(|c| c == i.client_transaction_id)
                    && q.transaction_reference
                        .as_deref()
                        .is_none_or(|r| r == i.transaction_reference)
                    && q.from.is_none_or(|f| ms >= f)
                    && q.to.is_none_or(|t| ms <= t)
            })
            .skip(skip)
            .take(size)
            .map(|i| SearchItem {
                client_transaction_id: i.client_transaction_id.clone(),
                transaction_reference: i.transaction_reference.clone(),
                ticket_number: i.ticket_number.clone(),
                operation: i.operation,
                approved: i.approved,
                amount: i.amount.clone(),
                created: i.created.as_millisecond(),
                card_mask: i.card_mask.clone(),
                reading_type: i.reading_type,
            })
            .collect()
    }
}
