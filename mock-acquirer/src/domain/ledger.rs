//! The ledger: every transaction the acquirer approved or declined, with its lifecycle.
//!
//! Lifecycles are enums with transition methods returning [`Refusal`]s that map to one documented
//! or harness-defined raw API code each (STYLE habit 4):
//!
//! ```text
//! charge, capture, posTip:  Approved{undone} ──void──▶ Voided
//!                                  │  └──reverse──▶ Reversed
//!                                  └──refund (partial sums ≤ amount)──▶ Approved{undone+…} ─▶ Refunded
//! preAuth:                  Authorized{amount} ──reAuthorization (amount, or 0 to extend)──▶ Authorized{amount'}
//!                                  ├──capture (must reference the preAuth, not a reAuthorization)──▶ Captured
//!                                  └──void──▶ Voided
//! any declined transaction: Declined (nothing to undo)
//! ```
//!
//! A transaction costs well under 512 bytes: ids are stored as integers and answers are rebuilt
//! from the record rather than kept (idempotent replays included).

use foldhash::HashMap;

use jiff::Timestamp;
use kushki_protocol::errors::RawErrorCode;
use kushki_protocol::money::{Amount, Currency};
use kushki_protocol::raw::{Country, ReadingType, TransactionType};
use uuid::Uuid;

pub use super::rule::Refusal;
use super::rule::Rule;

/// Index of a transaction in the ledger.
pub type TxnId = u32;

/// What kind of record a transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A sale.
    Charge,
    /// A pre-authorization.
    PreAuth,
    /// A re-authorization of a preAuth.
    ReAuthorization,
    /// A capture of a preAuth.
    Capture,
    /// A tip added to a charge.
    PosTip,
    /// A refund.
    Refund,
    /// A void.
    Void,
    /// A reverse.
    Reverse,
}

impl Kind {
    /// The `transaction_type` the record answers with (add §6.3 writes refunds as `"Refund"`).
    pub fn wire_type(self, original: Option<TransactionType>) -> &'static str {
        match self {
            Kind::Charge => "charge",
            Kind::PreAuth => "preAuth",
            Kind::ReAuthorization => "reAuthorization",
            Kind::Capture => "capture",
            Kind::PosTip => "posTip",
            Kind::Refund => "Refund",
            Kind::Void | Kind::Reverse => original.map(TransactionType::as_str).unwrap_or("charge"),
        }
    }

    /// The search filter value of this kind (ref §2.10).
    /// Only refunds, voids and reverses are spelled otherwise than on the wire.
    pub fn search_type(self) -> &'static str {
        match self {
            Kind::Refund => "refund",
            Kind::Void => "void",
            Kind::Reverse => "reverse",
            _ => self.wire_type(None),
        }
    }

    /// The `transaction_mode` of this kind.
    pub fn mode(self) -> &'static str {
        match self {
            Kind::Void => "Void",
            Kind::Reverse => "Reverse",
            _ => "Authorization",
        }
    }
}

/// Where a transaction is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// Declined by the issuer: nothing to undo.
    Declined,
    /// Approved money movement; `undone` minor units were refunded or partially voided.
    Approved {
        /// Minor units already refunded or partially voided.
        undone: i64,
    },
    /// Fully refunded.
    Refunded,
    /// Voided.
    Voided,
    /// Reversed.
    Reversed,
    /// An approved preAuth holding `amount` minor units.
    Authorized {
        /// Currently authorized minor units (after re-authorizations).
        amount: i64,
    },
    /// A captured preAuth.
    Captured,
    /// A void, reverse or refund record: it moves no further.
    Final,
}

/// One transaction.
#[derive(Debug, Clone)]
pub struct Transaction {
    /// `transaction_reference`.
    pub reference: Uuid,
    /// Interned `client_transaction_id`.
    pub client_id: u32,
    /// What it is.
    pub kind: Kind,
    /// For voids and reverses: the original's type.
    pub original_type: Option<TransactionType>,
    /// When it was accepted (virtual time).
    pub created: Timestamp,
    /// Its total amount.
    pub amount: Amount,
    /// Its market.
    pub country: Country,
    /// Where it is.
    pub state: Lifecycle,
    /// The transaction it acts on (void, reverse, refund, capture, reAuthorization, posTip).
    pub parent: Option<TxnId>,
    /// 18-digit ticket number.
    pub ticket: u64,
    /// ISO response code (`"00"` approved).
    pub iso_code: [u8; 2],
    /// Card brand index into [`crate::domain::cards::BRANDS`].
    pub brand: u8,
    /// BIN (first six digits) when the card data was readable.
    pub bin: Option<u32>,
    /// Last four digits when readable.
    pub last_four: Option<u16>,
    /// How the card was read.
    pub reading_type: Option<ReadingType>,
    /// Declined void attempts against this transaction (seed: after three, refund).
    pub failed_voids: u8,
    /// Hash of the request body, to tell an idempotent retry from a reuse of the id.
    pub body_hash: u64,
    /// Whether the request was cardless.
    pub cardless: bool,
}

impl Transaction {
    /// Whether the issuer approved it.
    pub fn approved(&self) -> bool {
        self.state != Lifecycle::Declined
    }

    /// What can still be refunded or voided, in minor units.
    pub fn remaining(&self) -> i64 {
        match self.state {
            Lifecycle::Approved { undone } => self.amount.minor_units() - undone,
            Lifecycle::Authorized { amount } => amount,
            _ => 0,
        }
    }

    fn refuse_undone(&self, action: &str) -> Result<(), Refusal> {
        let (code, subject) = match self.state {
            Lifecycle::Voided => (
                RawErrorCode::AlreadyVoided,
                "the transaction was already voided; it".to_string(),
            ),
            Lifecycle::Reversed => (
                RawErrorCode::AlreadyReversed,
                "the transaction was already reversed; it".to_string(),
            ),
            Lifecycle::Refunded => (
                RawErrorCode::AlreadyRefunded,
                "the transaction was already refunded in full; it".to_string(),
            ),
            Lifecycle::Declined => (
                RawErrorCode::OperationNotAllowed,
                "a declined transaction moved no money; it".to_string(),
            ),
            Lifecycle::Final => (
                RawErrorCode::WrongOriginal,
                format!(
                    "the reference names a {} record, which",
                    self.kind.search_type()
                ),
            ),
            _ => return Ok(()),
        };
        Err(Refusal::new(
            code,
            Rule::Lifecycle,
            format!("{subject} cannot be {action}"),
        ))
    }

    /// Checks that a void of `partial` (or of everything) is possible now, lifecycle-wise.
    pub fn can_void(&self, partial: Option<i64>) -> Result<(), Refusal> {
        self.refuse_undone("voided")?;
        match (self.kind, self.state) {
            (Kind::PreAuth, Lifecycle::Captured) => Err(Refusal::new(
                RawErrorCode::AlreadyCaptured,
                Rule::Lifecycle,
                "the pre-authorization was captured: void the capture instead",
            )),
            (_, Lifecycle::Approved { undone }) if undone > 0 && partial.is_none() => {
                Err(Refusal::new(
                    RawErrorCode::OperationNotAllowed,
                    Rule::Lifecycle,
                    "the transaction was partially refunded; it can no longer be voided in full",
                ))
            }
            _ => match partial {
                Some(p) if p > self.remaining() => Err(Refusal::new(
                    RawErrorCode::OperationNotAllowed,
                    Rule::Lifecycle,
                    format!(
                        "the void amount exceeds what remains of the transaction ({})",
                        self.remaining()
                    ),
                )),
                _ => Ok(()),
            },
        }
    }

    /// Voids (all, or `partial` minor units).
    pub fn void(&mut self, partial: Option<i64>) -> Result<(), Refusal> {
        self.can_void(partial)?;
        self.state = match (self.state, partial) {
            (Lifecycle::Approved { undone }, Some(p)) if undone + p < self.amount.minor_units() => {
                Lifecycle::Approved { undone: undone + p }
            }
            _ => Lifecycle::Voided,
        };
        Ok(())
    }

    /// Checks that a reverse is possible, lifecycle-wise.
    pub fn can_reverse(&self) -> Result<(), Refusal> {
        match self.state {
            // The terminal did not know the outcome: reversing a decline undoes nothing and is
            // accepted (harness-defined).
            Lifecycle::Declined => Ok(()),
            Lifecycle::Approved { undone } if undone > 0 => Err(Refusal::new(
                RawErrorCode::OperationNotAllowed,
                Rule::Lifecycle,
                "the transaction was partially refunded; it cannot be reversed",
            )),
            _ => self.refuse_undone("reversed"),
        }
    }

    /// Reverses.
    pub fn reverse(&mut self) -> Result<(), Refusal> {
        self.can_reverse()?;
        self.state = Lifecycle::Reversed;
        Ok(())
    }

    /// Checks that a refund of `amount` minor units is possible, lifecycle-wise.
    pub fn can_refund(&self, amount: i64) -> Result<(), Refusal> {
        self.refuse_undone("refunded")?;
        match self.kind {
            Kind::Charge | Kind::Capture | Kind::PosTip => {}
            Kind::PreAuth => {
                return Err(Refusal::new(
                    RawErrorCode::WrongOriginal,
                    Rule::Lifecycle,
                    "a pre-authorization moves no money until captured: refund its capture, or void it",
                ));
            }
            _ => {
                return Err(Refusal::new(
                    RawErrorCode::WrongOriginal,
                    Rule::Lifecycle,
                    format!("a {} cannot be refunded", self.kind.search_type()),
                ));
            }
        }
        if amount > self.remaining() {
            return Err(Refusal::new(
                RawErrorCode::RefundExceedsAmount,
                Rule::RefundAmount,
                format!(
                    "refunds would total more than the original: {} requested, {} remaining",
                    Amount::from_minor(amount, self.amount.currency()),
                    Amount::from_minor(self.remaining(), self.amount.currency())
                ),
            ));
        }
        Ok(())
    }

    /// Refunds `amount` minor units.
    pub fn refund(&mut self, amount: i64) -> Result<(), Refusal> {
        self.can_refund(amount)?;
        if let Lifecycle::Approved { undone } = self.state {
            let undone = undone + amount;
            self.state = if undone >= self.amount.minor_units() {
                Lifecycle::Refunded
            } else {
                Lifecycle::Approved { undone }
            };
        }
        Ok(())
    }

    /// Checks that this transaction can be captured or re-authorized (ref §2.3: the reference
    /// "must be from an authorization, not from a reauthorization").
    pub fn can_extend(&self, action: &str) -> Result<(), Refusal> {
        if self.kind != Kind::PreAuth {
            return Err(Refusal::new(
                RawErrorCode::WrongOriginal,
                Rule::CaptureReference,
                format!(
                    "a {action} must reference a pre-authorization, not a {}",
                    self.kind.search_type()
                ),
            ));
        }
        match self.state {
            Lifecycle::Captured => Err(Refusal::new(
                RawErrorCode::AlreadyCaptured,
                Rule::Lifecycle,
                "the pre-authorization was already captured",
            )),
            Lifecycle::Authorized { .. } => Ok(()),
            _ => self.refuse_undone(if action == "capture" {
                "captured"
            } else {
                "re-authorized"
            }),
        }
    }
}

/// The ledger. Not thread-safe by itself: the acquirer holds it behind one mutex, so every rule
/// sees a consistent state.
#[derive(Debug, Default)]
pub struct Ledger {
    txns: Vec<Transaction>,
    by_reference: HashMap<Uuid, TxnId>,
    /// `client_transaction_id` → the transaction created with it (void, refund and new
    /// authorizations; a reverse reuses the original's id and is not indexed).
    by_client_id: HashMap<Box<str>, TxnId>,
    client_ids: Vec<Box<str>>,
    next_ticket: u64,
}

/// First ticket number: 18 digits, like `111727462978861299` (add §6.3).
const TICKET_BASE: u64 = 111_700_000_000_000_000;

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Number of transactions.
    pub fn len(&self) -> usize {
        self.txns.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.txns.is_empty()
    }

    /// A transaction.
    pub fn get(&self, id: TxnId) -> &Transaction {
        &self.txns[id as usize]
    }

    /// A transaction, mutably.
    pub fn get_mut(&mut self, id: TxnId) -> &mut Transaction {
        &mut self.txns[id as usize]
    }

    /// Every transaction, oldest first.
    pub fn all(&self) -> impl DoubleEndedIterator<Item = (TxnId, &Transaction)> {
        self.txns.iter().enumerate().map(|(i, t)| (i as TxnId, t))
    }

    /// The transaction with this `transaction_reference`.
    pub fn by_reference(&self, reference: &str) -> Option<TxnId> {
        let uuid = Uuid::parse_str(reference).ok()?;
        self.by_reference.get(&uuid).copied()
    }

    /// The transaction created with this `client_transaction_id`.
    pub fn by_client_id(&self, client_id: &str) -> Option<TxnId> {
        self.by_client_id.get(client_id).copied()
    }

    /// The `client_transaction_id` of a transaction.
    pub fn client_id(&self, t: &Transaction) -> &str {
        &self.client_ids[t.client_id as usize]
    }

    /// Adds a transaction. `index_client_id` is false for reverses, which carry the original's id.
    #[allow(clippy::too_many_arguments)]
    pub fn insert(
        &mut self,
        client_transaction_id: &str,
        index_client_id: bool,
        kind: Kind,
        created: Timestamp,
        amount: Amount,
        country: Country,
        state: Lifecycle,
        parent: Option<TxnId>,
    ) -> TxnId {
        let id = self.txns.len() as TxnId;
        // A v4 UUID from the thread's CSPRNG (rand's ThreadRng), not `Uuid::new_v4`, which makes
        // a getrandom system call per transaction, here under the ledger's lock.
        let reference = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        let client_id = self.client_ids.len() as u32;
        self.client_ids.push(client_transaction_id.into());
        if index_client_id {
            self.by_client_id.insert(client_transaction_id.into(), id);
        }
        self.by_reference.insert(reference, id);
        self.next_ticket += 1;
        self.txns.push(Transaction {
            reference,
            client_id,
            kind,
            original_type: None,
            created,
            amount,
            country,
            state,
            parent,
            ticket: TICKET_BASE + self.next_ticket,
            iso_code: *b"00",
            brand: 0,
            bin: None,
            last_four: None,
            reading_type: None,
            failed_voids: 0,
            body_hash: 0,
            cardless: false,
        });
        id
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        *self = Ledger::default();
    }

    /// Sum of approved refunds (and partial voids) against a transaction: for invariant checks.
    pub fn undone_of(&self, id: TxnId) -> i64 {
        let t = self.get(id);
        match t.state {
            Lifecycle::Approved { undone } => undone,
            Lifecycle::Refunded => t.amount.minor_units(),
            _ => 0,
        }
    }

    /// The currency of a transaction.
    pub fn currency(&self, id: TxnId) -> Currency {
        self.get(id).amount.currency()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger_with(kind: Kind, state: Lifecycle, minor: i64) -> (Ledger, TxnId) {
        let mut l = Ledger::new();
        let id = l.insert(
            "c1",
            true,
            kind,
            Timestamp::UNIX_EPOCH,
            Amount::from_minor(minor, Currency::Pen),
            Country::Peru,
            state,
            None,
        );
        (l, id)
    }

    #[test]
    fn a_voided_charge_can_be_neither_refunded_nor_voided_again() {
        let (mut l, id) = ledger_with(Kind::Charge, Lifecycle::Approved { undone: 0 }, 1000);
        l.get_mut(id).void(None).unwrap();
        assert_eq!(
            l.get_mut(id).refund(100).unwrap_err().code,
            RawErrorCode::AlreadyVoided
        );
        assert_eq!(
            l.get_mut(id).void(None).unwrap_err().code,
            RawErrorCode::AlreadyVoided
        );
        assert_eq!(
            l.get_mut(id).reverse().unwrap_err().code,
            RawErrorCode::AlreadyVoided
        );
    }

    #[test]
    fn partial_refunds_sum_to_at_most_the_original() {
        let (mut l, id) = ledger_with(Kind::Charge, Lifecycle::Approved { undone: 0 }, 1000);
        l.get_mut(id).refund(400).unwrap();
        l.get_mut(id).refund(600).unwrap();
        assert_eq!(l.get(id).state, Lifecycle::Refunded);
        assert_eq!(
            l.get_mut(id).refund(1).unwrap_err().code,
            RawErrorCode::AlreadyRefunded
        );
        let (mut l, id) = ledger_with(Kind::Charge, Lifecycle::Approved { undone: 0 }, 1000);
        l.get_mut(id).refund(999).unwrap();
        assert_eq!(
            l.get_mut(id).refund(2).unwrap_err().code,
            RawErrorCode::RefundExceedsAmount
        );
        assert_eq!(l.undone_of(id), 999);
    }

    #[test]
    fn a_reversed_charge_answers_already_reversed() {
        let (mut l, id) = ledger_with(Kind::Charge, Lifecycle::Approved { undone: 0 }, 1000);
        l.get_mut(id).reverse().unwrap();
        assert_eq!(
            l.get_mut(id).reverse().unwrap_err().code,
            RawErrorCode::AlreadyReversed
        );
        assert_eq!(
            l.get_mut(id).void(None).unwrap_err().code,
            RawErrorCode::AlreadyReversed
        );
    }

    #[test]
    fn a_capture_must_reference_the_preauth_not_a_reauthorization() {
        let (l, id) = ledger_with(Kind::ReAuthorization, Lifecycle::Final, 1000);
        let err = l.get(id).can_extend("capture").unwrap_err();
        assert_eq!(err.code, RawErrorCode::WrongOriginal);
        let (mut l, id) = ledger_with(Kind::PreAuth, Lifecycle::Authorized { amount: 1000 }, 1000);
        l.get(id).can_extend("capture").unwrap();
        l.get_mut(id).state = Lifecycle::Captured;
        assert_eq!(
            l.get(id).can_extend("capture").unwrap_err().code,
            RawErrorCode::AlreadyCaptured
        );
        assert_eq!(
            l.get(id).can_void(None).unwrap_err().code,
            RawErrorCode::AlreadyCaptured
        );
    }

    #[test]
    fn a_declined_charge_cannot_be_voided_or_refunded_but_can_be_reversed() {
        let (mut l, id) = ledger_with(Kind::Charge, Lifecycle::Declined, 1000);
        assert_eq!(
            l.get(id).can_void(None).unwrap_err().code,
            RawErrorCode::OperationNotAllowed
        );
        assert_eq!(
            l.get(id).can_refund(1).unwrap_err().code,
            RawErrorCode::OperationNotAllowed
        );
        l.get_mut(id).reverse().unwrap();
    }

    #[test]
    fn a_partial_void_leaves_the_rest_refundable() {
        let (mut l, id) = ledger_with(Kind::Charge, Lifecycle::Approved { undone: 0 }, 1000);
        l.get_mut(id).void(Some(300)).unwrap();
        assert_eq!(l.get(id).remaining(), 700);
        l.get_mut(id).refund(700).unwrap();
        assert_eq!(l.get(id).state, Lifecycle::Refunded);
    }

    #[test]
    fn ticket_numbers_have_eighteen_digits_and_references_are_unique() {
        let mut l = Ledger::new();
        for i in 0..100 {
            l.insert(
                &format!("c{i}"),
                true,
                Kind::Charge,
                Timestamp::UNIX_EPOCH,
                Amount::from_minor(1, Currency::Pen),
                Country::Peru,
                Lifecycle::Approved { undone: 0 },
                None,
            );
        }
        let tickets: std::collections::HashSet<String> =
            l.all().map(|(_, t)| t.ticket.to_string()).collect();
        assert_eq!(tickets.len(), 100);
        assert!(tickets.iter().all(|t| t.len() == 18));
        assert_eq!(l.by_client_id("c7"), Some(7));
        let r = l.get(7).reference.to_string();
        assert_eq!(l.by_reference(&r), Some(7));
    }

    #[test]
    fn a_transaction_record_stays_small() {
        // The ledger budget is 512 bytes per transaction, indexes included.
        assert!(
            std::mem::size_of::<Transaction>() <= 128,
            "{}",
            std::mem::size_of::<Transaction>()
        );
    }
}
