//! The journal: every exchange a mock takes part in, in order, with card data masked.
//!
//! The in-memory journal keeps a bounded window (the newest [`Journal::capacity`] entries) so a
//! mock under a soak test does not grow without bound; the optional JSON Lines file keeps
//! everything, appended and written through per exchange *before* the answer leaves, so a mock
//! killed with SIGKILL loses no exchange it had answered.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use jiff::Timestamp;
use kushki_protocol::mask::{mask_json, mask_text};
use serde::Serialize;
use serde_json::{Value, json};

/// Default size of the in-memory window.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// Longest body text kept in an entry; longer bodies are cut (the journal is evidence, not a
/// store).
const MAX_BODY_TEXT: usize = 16 * 1024;

/// One exchange, as recorded. Bodies are kept as received and masked when the entry is read or
/// written out, so recording costs no JSON work on the hot path.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Which leg: `pos`, `relay`, `acquirer`, `webhook`, `admin`, …
    pub hop: &'static str,
    /// Virtual time of the request.
    pub time: Timestamp,
    /// HTTP method (or `WS` for the relay link).
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Answer status (0 when no answer was given: a dropped connection or a timeout).
    pub status: u16,
    /// Request body as received.
    pub request: Bytes,
    /// Answer body as sent.
    pub response: Bytes,
    /// Rules the request broke (empty when none).
    pub violations: Vec<String>,
    /// Free note: the failed auth check, a replay, an injected fault.
    pub note: Option<String>,
    /// The operation, when the mock recognised one (`charge`, `Void`, …).
    pub operation: Option<String>,
    /// The request's `client_transaction_id`, when it had one.
    pub client_transaction_id: Option<String>,
}

impl Exchange {
    /// An exchange with empty bodies and no notes.
    pub fn new(hop: &'static str, time: Timestamp, method: &str, path: &str) -> Exchange {
        Exchange {
            hop,
            time,
            method: method.to_string(),
            path: path.to_string(),
            status: 0,
            request: Bytes::new(),
            response: Bytes::new(),
            violations: Vec::new(),
            note: None,
            operation: None,
            client_transaction_id: None,
        }
    }
}

/// An entry as the admin API and the file show it: masked.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    /// Sequence number, from 1, never reused until a reset.
    pub seq: u64,
    /// Virtual time, RFC 3339.
    pub time: String,
    /// Which leg.
    pub hop: &'static str,
    /// HTTP method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Answer status.
    pub status: u16,
    /// Masked request body (JSON when it was JSON, else masked text).
    pub request: Value,
    /// Masked answer body.
    pub response: Value,
    /// Rules broken.
    pub violations: Vec<String>,
    /// Note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Client transaction id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_transaction_id: Option<String>,
}

/// Masks a body for display: JSON is masked field by field, anything else as text.
pub fn masked_body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) => mask_json(&v),
        Err(_) => {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_BODY_TEXT)]);
            json!({ "text": mask_text(&text), "bytes": bytes.len() })
        }
    }
}

fn view(seq: u64, e: &Exchange) -> EntryView {
    EntryView {
        seq,
        time: e.time.to_string(),
        hop: e.hop,
        method: e.method.clone(),
        path: mask_text(&e.path),
        status: e.status,
        request: masked_body(&e.request),
        response: masked_body(&e.response),
        violations: e.violations.clone(),
        note: e.note.clone(),
        operation: e.operation.clone(),
        client_transaction_id: e.client_transaction_id.clone(),
    }
}

/// The journal of one mock.
#[derive(Debug)]
pub struct Journal {
    // std Mutex: held only to push or copy, never across an await.
    window: Mutex<VecDeque<(u64, Exchange)>>,
    next_seq: AtomicU64,
    capacity: usize,
    file: Option<Mutex<File>>,
}

impl Journal {
    /// An in-memory journal keeping the newest `capacity` entries.
    pub fn new(capacity: usize) -> Journal {
        Journal {
            window: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
            next_seq: AtomicU64::new(1),
            capacity: capacity.max(1),
            file: None,
        }
    }

    /// Also appends every entry, masked, to a JSON Lines file.
    pub fn with_file(mut self, path: &Path) -> std::io::Result<Journal> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        self.file = Some(Mutex::new(file));
        Ok(self)
    }

    /// How many entries the in-memory window keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records an exchange and returns its sequence number. With a file, the masked line is
    /// written through before this returns.
    pub fn record(&self, mut exchange: Exchange) -> u64 {
        // The window keeps exact-size copies of the bodies. A body read from a socket is a slice
        // of the connection's read buffer (8 KiB in hyper): kept as it is, it kept that whole
        // buffer alive for as long as the entry stayed in the window (up to 80 MB for a full
        // window), and made hyper allocate a fresh buffer for the connection's next request.
        exchange.request = Bytes::copy_from_slice(&exchange.request);
        exchange.response = Bytes::copy_from_slice(&exchange.response);
        let mut window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
        let debug = tracing::enabled!(tracing::Level::DEBUG);
        if self.file.is_some() || debug {
            let mut line = serde_json::to_vec(&view(seq, &exchange)).unwrap_or_default();
            if debug {
                // `RUST_LOG=debug` shows every exchange as the journal keeps it: masked.
                tracing::debug!("{}", String::from_utf8_lossy(&line));
            }
            line.push(b'\n');
            if let Some(file) = &self.file {
                let mut f = file.lock().unwrap_or_else(|p| p.into_inner());
                if let Err(e) = f.write_all(&line) {
                    tracing::error!(error = %e, "journal file write failed");
                }
            }
        }
        if window.len() == self.capacity {
            window.pop_front();
        }
        window.push_back((seq, exchange));
        seq
    }

    /// The entries in the window, masked, oldest first.
    pub fn entries(&self) -> Vec<EntryView> {
        let window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        window.iter().map(|(seq, e)| view(*seq, e)).collect()
    }

    /// Raw exchanges (unmasked bodies) for the mock's own checks; never shown to clients.
    pub fn exchanges(&self) -> Vec<Exchange> {
        let window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        window.iter().map(|(_, e)| e.clone()).collect()
    }

    /// Number of entries in the window.
    pub fn len(&self) -> usize {
        self.window.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether the window is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Empties the window (the file keeps everything).
    pub fn clear(&self) {
        self.window
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Flushes the file, if any, to disk.
    pub fn flush(&self) {
        if let Some(file) = &self.file {
            let f = file.lock().unwrap_or_else(|p| p.into_inner());
            let _ = f.sync_data();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(body: &str) -> Exchange {
        let mut e = Exchange::new(
            "acquirer",
            Timestamp::UNIX_EPOCH,
            "POST",
            "/pos/v1/transaction",
        );
        e.request = Bytes::from(body.to_string());
        e.status = 200;
        e
    }

    #[test]
    fn the_window_keeps_the_newest_entries_and_numbers_them_in_order() {
        let j = Journal::new(3);
        for i in 0..5 {
            j.record(exchange(&format!("{{\"i\":{i}}}")));
        }
        let seqs: Vec<u64> = j.entries().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![3, 4, 5]);
        j.clear();
        assert!(j.is_empty());
        assert_eq!(j.record(exchange("{}")), 6);
    }

    #[test]
    fn the_window_keeps_its_own_copies_not_slices_of_a_read_buffer() {
        // As hyper hands a body over: a slice of the connection's 8 KiB read buffer.
        let buffer = Bytes::from(vec![b' '; 8192]);
        let mut e = exchange("");
        e.request = buffer.slice(100..300);
        e.response = buffer.slice(300..400);
        let j = Journal::new(3);
        j.record(e);
        let kept = &j.exchanges()[0];
        let inside = |b: &Bytes| buffer.as_ptr_range().contains(&b.as_ptr());
        assert_eq!((kept.request.len(), kept.response.len()), (200, 100));
        assert!(!inside(&kept.request) && !inside(&kept.response));
    }

    #[test]
    fn card_data_is_masked_in_the_view_and_the_file() {
        let dir = std::env::temp_dir().join(format!("journal-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("j.jsonl");
        let _ = std::fs::remove_file(&path);
        let j = Journal::new(10).with_file(&path).unwrap();
        j.record(exchange(
            r#"{"card_details":{"enc_tlv":"5A084111111111111111"},"note":"4111111111111111"}"#,
        ));
        j.record(exchange("not json 5555555555554444"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        let shown = serde_json::to_string(&j.entries()).unwrap();
        for out in [&text, &shown] {
            assert!(!out.contains("4111111111111111"), "{out}");
            assert!(!out.contains("5555555555554444"), "{out}");
            assert!(!out.contains("5A0841"), "{out}");
        }
    }
}
