//! The terminal's local history: what `transaction_search_local` answers without internet
//! (ref §1.4), and what the void-or-refund decision reads.

use std::sync::Mutex;

use jiff::Timestamp;
use kushki_protocol::connect::{SearchItem, SearchQuery};
use kushki_protocol::money::Currency;
use kushki_protocol::raw::TransactionType;

/// One finished operation: the row both searches answer, and what only the terminal keeps.
#[derive(Debug, Clone)]
pub struct HistoryItem {
    /// What `transaction_search_local` answers for it (ids, ticket, amount in minor units, time,
    /// masked card, reading type).
    pub row: SearchItem,
    /// The currency of `row.amount` (the terminal's market, H1): receipts print it.
    pub currency: Currency,
    /// The issuer's approval code (`message_fields.F38`), when the acquirer gave one.
    pub approval_code: Option<String>,
    /// The raw `transaction_type` the acquirer recorded (for voids of this transaction).
    pub raw_type: Option<TransactionType>,
}

impl HistoryItem {
    /// When it finished (`row.created`, epoch milliseconds).
    pub fn created(&self) -> Timestamp {
        Timestamp::from_millisecond(self.row.created).unwrap_or(Timestamp::UNIX_EPOCH)
    }
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
            .find(|i| i.row.transaction_reference == reference)
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
            .map(|i| &i.row)
            .filter(|i| {
                q.client_transaction_id
                    .as_deref()
                    .is_none_or(|c| c == i.client_transaction_id)
                    && q.transaction_reference
                        .as_deref()
                        .is_none_or(|r| r == i.transaction_reference)
                    && q.from.is_none_or(|f| i.created >= f)
                    && q.to.is_none_or(|t| i.created <= t)
            })
            .skip(skip)
            .take(size)
            .cloned()
            .collect()
    }
}
