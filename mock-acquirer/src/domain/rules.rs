//! The acquirer's decisions, one plain function per operation ([`charge`], [`pre_auth`],
//! [`capture`], [`re_authorization`], [`pos_tip`], [`void`], [`reverse`], [`refund`]), each
//! taking a request that passed the checks every operation shares ([`admit`]), the ledger and the
//! time, and either recording a transaction or refusing under one [`Rule`]. Handlers call them
//! through [`Admitted::decide`]; tests call them without HTTP.
//!
//! The rules themselves, with their ids (used in the journal's violations and by behaviours'
//! `disable_rule`) and sources, are the values of [`Rule`].

use jiff::Timestamp;
use kushki_protocol::calendar::{self, MarketCalendar, ReverseRule, WindowError};
use kushki_protocol::catalog::{self, AppliesTo, Outcome};
use kushki_protocol::errors::{self, RawErrorCode};
use kushki_protocol::money::{Amount, Currency};
use kushki_protocol::raw::{Country, Operation, TransactionRequest, TransactionType};

use super::cards::{self, CardInfo};
use super::ledger::{Kind, Ledger, Lifecycle, TxnId};
pub use super::rule::{Refusal, Rule};

/// The acquirer's configurable rules.
#[derive(Debug, Clone)]
pub struct RulesConfig {
    /// Market of USD requests without a known `country` (H11).
    pub default_country: Country,
    /// The reverse window per market (seed: ≥ 60 s everywhere; Chile's older 29 s text can be
    /// chosen with [`ReverseRule::WithinAtMost`]).
    pub reverse_rules: Vec<(Country, ReverseRule)>,
    /// How long "approved with delay" test amounts (74, 174; Chile ×100) wait, in clock seconds
    /// (harness-defined: ref §2.7 does not give the length).
    pub delay_secs: i64,
    /// Markets where `omit_card` is accepted (H13).
    pub cardless_markets: Vec<Country>,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            default_country: Country::Peru,
            reverse_rules: Country::ALL
                .iter()
                .map(|c| (*c, ReverseRule::default_for(*c)))
                .collect(),
            delay_secs: DEFAULT_DELAY_SECS,
            cardless_markets: vec![Country::Peru, Country::Chile],
        }
    }
}

// The delay of "approved with delay" test amounts lives with the catalog of test amounts.
use kushki_protocol::catalog::DEFAULT_DELAY_SECS;

impl RulesConfig {
    fn reverse_rule(&self, country: Country) -> ReverseRule {
        self.reverse_rules
            .iter()
            .find(|(c, _)| *c == country)
            .map(|(_, r)| *r)
            .unwrap_or_else(|| ReverseRule::default_for(country))
    }
}

/// What else a request brings besides its body.
pub struct Context<'a> {
    /// The virtual time.
    pub now: Timestamp,
    /// The rules.
    pub rules: &'a RulesConfig,
    /// Whether a behaviour switched a rule off for this request.
    pub disabled: &'a (dyn Fn(Rule) -> bool + Sync),
    /// An issuer code forced by a behaviour (`"00"` approves).
    pub forced_code: Option<&'a str>,
    /// Hash of the request body (idempotency).
    pub body_hash: u64,
}

impl Context<'_> {
    /// Whether `rule` is enforced for this request.
    fn on(&self, rule: Rule) -> bool {
        !(self.disabled)(rule)
    }

    /// A refusal stands unless a behaviour switched its rule off.
    fn enforce(&self, checked: Result<(), Refusal>) -> Result<(), Refusal> {
        match checked {
            Err(r) if self.on(r.rule) => Err(r),
            _ => Ok(()),
        }
    }
}

/// The result of an accepted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The transaction that answers it.
    pub txn: TxnId,
    /// Whether it replays an earlier answer (same `client_transaction_id` and body).
    pub replay: bool,
    /// Clock seconds to wait before answering ("approved with delay").
    pub delay_secs: Option<i64>,
    /// Whether a webhook goes out for it (charges, preAuths, captures, post tips, voids, refunds
    /// and reversals; ref §2.9, add §3).
    pub webhook: bool,
}

impl Applied {
    /// A new record answering the request, after `delay_secs`, notified when `webhook`.
    fn new(txn: TxnId, delay_secs: Option<i64>, webhook: bool) -> Applied {
        Applied {
            txn,
            replay: false,
            delay_secs,
            webhook,
        }
    }
}

/// The issuer's answer: forced by a behaviour, else the test amounts (ref §2.7), else approval.
fn issuer_outcome(
    ctx: &Context<'_>,
    country: Country,
    total: Amount,
    applies_to: AppliesTo,
) -> ([u8; 2], Option<i64>) {
    if let Some(code) = ctx.forced_code {
        let bytes = code.as_bytes();
        if bytes.len() == 2 {
            return ([bytes[0], bytes[1]], None);
        }
    }
    match catalog::test_amount_for(country, total, applies_to) {
        Some(t) => {
            let code = t.response_code.as_bytes();
            let code = if code.len() == 2 {
                [code[0], code[1]]
            } else {
                *b"05"
            };
            let approved = t.outcome == Outcome::Approved;
            let code = if approved { *b"00" } else { code };
            (code, t.delayed.then_some(ctx.rules.delay_secs))
        }
        None => (*b"00", None),
    }
}

/// The message of a decline code: the test-amount table's text, else the ISO description.
pub fn decline_message(code: &str) -> String {
    catalog::test_amounts()
        .iter()
        .find(|t| t.response_code == code && t.outcome == Outcome::Declined)
        .map(|t| t.message.clone())
        .or_else(|| errors::iso_message(code).map(str::to_string))
        .unwrap_or_else(|| "Transaction declined".to_string())
}

fn void_window_closed(err: WindowError) -> Refusal {
    Refusal::new(
        RawErrorCode::VoidWindowClosed,
        Rule::VoidCutoff,
        format!("{err}; send a refund to /pos/v1/refund instead"),
    )
}

fn reverse_window_refusal(err: WindowError) -> Refusal {
    let (code, rule) = match err {
        WindowError::TooEarly { .. } | WindowError::BeforeOriginal { .. } => {
            (RawErrorCode::ReverseTooEarly, Rule::ReverseMinDelay)
        }
        _ => (RawErrorCode::ReverseWindowClosed, Rule::ReverseSameDay),
    };
    Refusal::new(code, rule, err.to_string())
}

/// A request that passed the checks every operation shares, resolved against the ledger.
pub struct Admitted<'r> {
    req: &'r TransactionRequest,
    ctx: &'r Context<'r>,
    /// The request's currency, or the original's for follow-ups without an amount.
    currency: Currency,
    /// The request's market, or the original's.
    country: Country,
    /// The request's total, when it has an amount.
    total: Option<Amount>,
    /// What the acquirer reads from the card.
    card: CardInfo,
}

/// What the shared checks make of a request.
pub enum Admission<'r> {
    /// The same `client_transaction_id` and body again: the first answer, replayed.
    Replay(Applied),
    /// A new request, for its operation's rules.
    New(Admitted<'r>),
}

/// The checks every operation shares (idempotency, the market, cardless requests, the currency,
/// positive amounts, cashback), in that order.
pub fn admit<'r>(
    ledger: &Ledger,
    req: &'r TransactionRequest,
    ctx: &'r Context<'r>,
) -> Result<Admission<'r>, Refusal> {
    let op = req.operation;

    // Idempotency (harness-defined, ref §5 #16): a reverse carries the original's id by design.
    if !matches!(op, Operation::Reverse(_))
        && ctx.on(Rule::Idempotency)
        && let Some(existing) = ledger.by_client_id(&req.client_transaction_id)
    {
        let t = ledger.get(existing);
        if t.body_hash == ctx.body_hash {
            return Ok(Admission::Replay(Applied {
                txn: existing,
                replay: true,
                delay_secs: None,
                webhook: false,
            }));
        }
        return Err(Refusal::new(
            RawErrorCode::DuplicateClientTransactionId,
            Rule::Idempotency,
            format!(
                "client_transaction_id `{}` was already used by another request (transaction_reference {})",
                req.client_transaction_id, t.reference
            ),
        ));
    }

    // The market: the request's own, or the original's for follow-ups without an amount.
    let parent = match op {
        Operation::Charge | Operation::PreAuth => None,
        Operation::Reverse(_) => ledger.by_client_id(&req.client_transaction_id),
        _ => ledger.by_reference(req.transaction_reference.as_deref().unwrap_or_default()),
    };
    let currency = req
        .currency
        .or_else(|| parent.map(|p| ledger.currency(p)))
        .unwrap_or(Currency::Pen);
    let country = match parent {
        Some(p) if req.country.is_none() => ledger.get(p).country,
        _ => Country::resolve(req.country.as_deref(), currency, ctx.rules.default_country),
    };

    if req.omit_card {
        if ctx.on(Rule::CardlessMarket) && !ctx.rules.cardless_markets.contains(&country) {
            return Err(Refusal::new(
                RawErrorCode::CardlessNotAvailable,
                Rule::CardlessMarket,
                format!(
                    "omit_card is available in {:?} only (Beta); this request is for {country:?}",
                    ctx.rules.cardless_markets
                ),
            ));
        }
        if ctx.on(Rule::CardlessCharge) && matches!(op, Operation::Charge | Operation::PreAuth) {
            return Err(Refusal::new(
                RawErrorCode::OperationNotAllowed,
                Rule::CardlessCharge,
                "a cardless charge or preAuth has no card to charge: omit_card is for voids, reverses, refunds, captures and re-authorizations",
            ));
        }
    }

    if let (Some(p), Some(c)) = (parent, req.currency) {
        let original = ledger.currency(p);
        if original != c && ctx.on(Rule::Currency) {
            return Err(Refusal::new(
                RawErrorCode::CurrencyMismatch,
                Rule::Currency,
                format!("amount.currency {c} differs from the original's {original}"),
            ));
        }
    }

    let total = req.amount.as_ref().map(|a| a.total());
    if matches!(
        op,
        Operation::Charge | Operation::PreAuth | Operation::Capture | Operation::Refund
    ) && total.is_some_and(|t| t.minor_units() == 0)
        && ctx.on(Rule::AmountPositive)
    {
        return Err(Refusal::new(
            RawErrorCode::InvalidBody,
            Rule::AmountPositive,
            "amount: the sum of the amount object must be greater than 0",
        ));
    }

    let card = cards::read(req.card_details.as_ref());

    // add §6.2: "cashback only works with local cards". Only a catalog card (H12) is known to be
    // foreign; a card the acquirer cannot read is given the benefit of the doubt.
    if op == Operation::Charge
        && req.cashback.is_some()
        && ctx.on(Rule::CashbackLocal)
        && let Some(foreign) = catalog::test_cards().iter().find(|c| {
            !c.local
                && card.bin.is_some_and(|b| format!("{b:06}") == c.bin)
                && card
                    .last_four
                    .is_some_and(|l| format!("{l:04}") == c.last_four)
        })
    {
        return Err(Refusal::new(
            RawErrorCode::OperationNotAllowed,
            Rule::CashbackLocal,
            format!(
                "cashback only works with local cards; the {} card ({}) is not local",
                foreign.franchise.as_str(),
                foreign.masked_pan()
            ),
        ));
    }

    Ok(Admission::New(Admitted {
        req,
        ctx,
        currency,
        country,
        total,
        card,
    }))
}

impl Admitted<'_> {
    /// Applies the rules of the request's operation.
    pub fn decide(&self, ledger: &mut Ledger) -> Result<Applied, Refusal> {
        match self.req.operation {
            Operation::Charge => charge(ledger, self),
            Operation::PreAuth => pre_auth(ledger, self),
            Operation::Capture => capture(ledger, self),
            Operation::ReAuthorization => re_authorization(ledger, self),
            Operation::PosTip => pos_tip(ledger, self),
            Operation::Void(kind) => void(ledger, self, kind),
            Operation::Reverse(kind) => reverse(ledger, self, kind),
            Operation::Refund => refund(ledger, self),
        }
    }

    /// Records the request as a `kind` record of `amount` in `state`, acting on `parent`; its
    /// `client_transaction_id` is indexed when `index` (not for a reverse, which reuses the
    /// original's).
    fn record(
        &self,
        ledger: &mut Ledger,
        kind: Kind,
        amount: Amount,
        state: Lifecycle,
        parent: Option<TxnId>,
        index: bool,
    ) -> TxnId {
        let req = self.req;
        let card = &self.card;
        let id = ledger.insert(
            &req.client_transaction_id,
            index,
            kind,
            self.ctx.now,
            amount,
            self.country,
            state,
            parent,
        );
        // A follow-up without readable card data shows the original's card.
        let (brand, bin, last_four) = match parent {
            Some(p) if card.bin.is_none() => {
                let pt = ledger.get(p);
                (pt.brand, pt.bin, pt.last_four)
            }
            _ => (card.brand, card.bin, card.last_four),
        };
        let t = ledger.get_mut(id);
        t.body_hash = self.ctx.body_hash;
        t.cardless = req.omit_card;
        t.reading_type = req.card_details.as_ref().map(|d| d.reading_type);
        if parent.is_some() || card.bin.is_some() {
            t.brand = brand;
            t.bin = bin;
            t.last_four = last_four;
        }
        id
    }

    /// Records a follow-up of `original` (every operation but a charge, a preAuth and a
    /// reverse): a `kind` record of `amount` in `state`, its id indexed.
    fn follow_up(
        &self,
        ledger: &mut Ledger,
        kind: Kind,
        amount: Amount,
        state: Lifecycle,
        original: TxnId,
    ) -> TxnId {
        self.record(ledger, kind, amount, state, Some(original), true)
    }

    /// The original a follow-up names by `transaction_reference`.
    fn original_by_reference(&self, ledger: &Ledger) -> Result<TxnId, Refusal> {
        let reference = self
            .req
            .transaction_reference
            .as_deref()
            .unwrap_or_default();
        ledger.by_reference(reference).ok_or_else(|| {
            Refusal::new(
                RawErrorCode::TransactionNotFound,
                Rule::Lifecycle,
                format!("no transaction has transaction_reference `{reference}`"),
            )
        })
    }

    /// The issuer's answer to this request for `total`.
    fn issuer(&self, total: Amount, applies_to: AppliesTo) -> ([u8; 2], Option<i64>) {
        issuer_outcome(self.ctx, self.country, total, applies_to)
    }
}

/// A charge (ref §2.3): the issuer approves or declines it.
pub fn charge(ledger: &mut Ledger, a: &Admitted<'_>) -> Result<Applied, Refusal> {
    authorize(ledger, a, Kind::Charge)
}

/// A preAuth (ref §2.3): approved, it holds its amount until captured, re-authorized or voided.
pub fn pre_auth(ledger: &mut Ledger, a: &Admitted<'_>) -> Result<Applied, Refusal> {
    authorize(ledger, a, Kind::PreAuth)
}

fn authorize(ledger: &mut Ledger, a: &Admitted<'_>, kind: Kind) -> Result<Applied, Refusal> {
    let total = a.total.unwrap_or(Amount::zero(a.currency));
    let (code, delay) = a.issuer(total, AppliesTo::Authorization);
    let state = match (kind, code == *b"00") {
        (_, false) => Lifecycle::Declined,
        (Kind::Charge, true) => Lifecycle::Approved { undone: 0 },
        _ => Lifecycle::Authorized {
            amount: total.minor_units(),
        },
    };
    let id = a.record(ledger, kind, total, state, None, true);
    ledger.get_mut(id).iso_code = code;
    Ok(Applied::new(id, delay, true))
}

/// The preAuth a capture or re-authorization references, if it can still be extended.
fn extendable(ledger: &Ledger, a: &Admitted<'_>, action: &str) -> Result<TxnId, Refusal> {
    let original = a.original_by_reference(ledger)?;
    a.ctx.enforce(ledger.get(original).can_extend(action))?;
    Ok(original)
}

/// A capture (ref §2.3): at most the authorized amount, all of it when the request has none.
pub fn capture(ledger: &mut Ledger, a: &Admitted<'_>) -> Result<Applied, Refusal> {
    let original = extendable(ledger, a, "capture")?;
    let authorized = ledger.get(original).remaining();
    let amount = a.total.map(|t| t.minor_units()).unwrap_or(authorized);
    if amount > authorized && a.ctx.on(Rule::Lifecycle) {
        return Err(Refusal::new(
            RawErrorCode::OperationNotAllowed,
            Rule::Lifecycle,
            format!(
                "the capture ({}) exceeds the authorized amount ({})",
                Amount::from_minor(amount, a.currency),
                Amount::from_minor(authorized, a.currency)
            ),
        ));
    }
    ledger.get_mut(original).state = Lifecycle::Captured;
    let id = a.follow_up(
        ledger,
        Kind::Capture,
        Amount::from_minor(amount, a.currency),
        Lifecycle::Approved { undone: 0 },
        original,
    );
    Ok(Applied::new(id, None, true))
}

/// A re-authorization (ref §2.3, add §6.5): the issuer's answer; approved, its amount replaces
/// the authorized one.
pub fn re_authorization(ledger: &mut Ledger, a: &Admitted<'_>) -> Result<Applied, Refusal> {
    let original = extendable(ledger, a, "re-authorization")?;
    let total = a.total.unwrap_or(Amount::zero(a.currency));
    let (code, delay) = a.issuer(total, AppliesTo::Authorization);
    let approved = code == *b"00";
    if approved && total.minor_units() > 0 {
        // The re-authorized amount replaces the authorized one (it "may be higher or
        // lower", add §6.5); $0 only extends validity (ref §2.3).
        ledger.get_mut(original).state = Lifecycle::Authorized {
            amount: total.minor_units(),
        };
    }
    let state = if approved {
        Lifecycle::Final
    } else {
        Lifecycle::Declined
    };
    let id = a.follow_up(ledger, Kind::ReAuthorization, total, state, original);
    ledger.get_mut(id).iso_code = code;
    Ok(Applied::new(id, delay, false))
}

/// A tip added after the charge (add §6.2): only on an approved charge still standing.
pub fn pos_tip(ledger: &mut Ledger, a: &Admitted<'_>) -> Result<Applied, Refusal> {
    let original = a.original_by_reference(ledger)?;
    let o = ledger.get(original);
    if o.kind != Kind::Charge && a.ctx.on(Rule::Lifecycle) {
        return Err(Refusal::new(
            RawErrorCode::WrongOriginal,
            Rule::Lifecycle,
            format!(
                "a posTip must reference a charge, not a {}",
                o.kind.search_type()
            ),
        ));
    }
    if !matches!(o.state, Lifecycle::Approved { .. }) && a.ctx.on(Rule::Lifecycle) {
        return Err(Refusal::new(
            RawErrorCode::OperationNotAllowed,
            Rule::Lifecycle,
            "a tip can only be added to an approved charge that was not voided, reversed or refunded",
        ));
    }
    let tip = a
        .req
        .amount
        .as_ref()
        .map(|amount| amount.tip.unwrap_or_else(|| amount.total()))
        .unwrap_or(Amount::zero(a.currency));
    let id = a.follow_up(
        ledger,
        Kind::PosTip,
        tip,
        Lifecycle::Approved { undone: 0 },
        original,
    );
    Ok(Applied::new(id, None, true))
}

/// A void of a `kind` original (ref §2.3, seed): partial only in Chile, before the cut-off of
/// the same business day, at most three declined attempts; Chile's smart void is a refund.
pub fn void(
    ledger: &mut Ledger,
    a: &Admitted<'_>,
    kind: TransactionType,
) -> Result<Applied, Refusal> {
    let ctx = a.ctx;
    let mut original = a.original_by_reference(ledger)?;
    // The type is the referenced record's (seed: "the type of transaction you want to
    // void"), checked before a re-authorization is traced back to its preAuth.
    check_type(ledger, original, kind, ctx.on(Rule::Lifecycle))?;
    // Voiding a re-authorization voids the authorization it extended (harness-defined).
    if ledger.get(original).kind == Kind::ReAuthorization
        && let Some(p) = ledger.get(original).parent
    {
        original = p;
    }
    let o = ledger.get(original).clone();
    let partial = a
        .total
        .map(|t| t.minor_units())
        .filter(|t| *t < o.remaining() && matches!(o.state, Lifecycle::Approved { .. }));
    if partial.is_some() && a.country != Country::Chile && ctx.on(Rule::PartialVoid) {
        return Err(Refusal::new(
            RawErrorCode::OperationNotAllowed,
            Rule::PartialVoid,
            "Partial void not allowed (partial voids are available in Chile only)",
        ));
    }
    if ctx.on(Rule::VoidAttempts) && u32::from(o.failed_voids) >= calendar::MAX_VOID_ATTEMPTS {
        return Err(Refusal::new(
            RawErrorCode::VoidAttemptsExceeded,
            Rule::VoidAttempts,
            format!(
                "{} void attempts were declined; send a refund to /pos/v1/refund instead",
                o.failed_voids
            ),
        ));
    }
    if ctx.on(Rule::VoidCutoff) {
        let cal = MarketCalendar::for_country(o.country);
        calendar::void_window(&cal, o.created, ctx.now).map_err(void_window_closed)?;
    }
    // Chile's smart void is processed as a refund (add §6.2).
    if a.req.is_smart_void && a.country == Country::Chile {
        let amount = partial.unwrap_or(o.remaining());
        ctx.enforce(ledger.get(original).can_refund(amount))?;
        let _ = ledger.get_mut(original).refund(amount);
        let id = a.follow_up(
            ledger,
            Kind::Refund,
            Amount::from_minor(amount, a.currency),
            Lifecycle::Final,
            original,
        );
        return Ok(Applied::new(id, None, true));
    }
    ctx.enforce(ledger.get(original).can_void(partial))?;
    let amount = match (partial, o.remaining()) {
        (Some(p), _) => Amount::from_minor(p, a.currency),
        (None, 0) => o.amount,
        (None, rest) => Amount::from_minor(rest, a.currency),
    };
    let (code, delay) = a.issuer(a.total.unwrap_or(o.amount), AppliesTo::VoidOrReverse);
    let state = if code == *b"00" {
        let _ = ledger.get_mut(original).void(partial);
        Lifecycle::Final
    } else {
        let t = ledger.get_mut(original);
        t.failed_voids = t.failed_voids.saturating_add(1);
        Lifecycle::Declined
    };
    let id = a.follow_up(ledger, Kind::Void, amount, state, original);
    let t = ledger.get_mut(id);
    if state == Lifecycle::Declined {
        t.iso_code = code;
    }
    t.original_type = Some(kind);
    Ok(Applied::new(id, delay, true))
}

/// A reverse of a `kind` original, named by its `client_transaction_id` (ref §2.3, seed): at
/// least 60 s after it, on the same business day.
pub fn reverse(
    ledger: &mut Ledger,
    a: &Admitted<'_>,
    kind: TransactionType,
) -> Result<Applied, Refusal> {
    let ctx = a.ctx;
    let client_id = &a.req.client_transaction_id;
    let original = ledger.by_client_id(client_id).ok_or_else(|| {
        Refusal::new(
            RawErrorCode::TransactionNotFound,
            Rule::Lifecycle,
            format!(
                "no transaction has client_transaction_id `{client_id}`: nothing reached the acquirer, so there is nothing to reverse"
            ),
        )
    })?;
    check_type(ledger, original, kind, ctx.on(Rule::Lifecycle))?;
    let o = ledger.get(original).clone();
    let cal = MarketCalendar::for_country(o.country);
    ctx.enforce(
        calendar::reverse_window(&cal, o.created, ctx.now, ctx.rules.reverse_rule(o.country))
            .map_err(reverse_window_refusal),
    )?;
    ctx.enforce(ledger.get(original).can_reverse())?;
    let (_, delay) = a.issuer(a.total.unwrap_or(o.amount), AppliesTo::VoidOrReverse);
    let _ = ledger.get_mut(original).reverse();
    let id = a.record(
        ledger,
        Kind::Reverse,
        o.amount,
        Lifecycle::Final,
        Some(original),
        false,
    );
    ledger.get_mut(id).original_type = Some(kind);
    // ref §2.9: "reversals" are among the notified events.
    Ok(Applied::new(id, delay, true))
}

/// A refund (ref §2.3, seed): from the day after the original up to 120 days, at most what
/// remains of it.
pub fn refund(ledger: &mut Ledger, a: &Admitted<'_>) -> Result<Applied, Refusal> {
    let ctx = a.ctx;
    let original = a.original_by_reference(ledger)?;
    let o = ledger.get(original).clone();
    let amount = a.total.map(|t| t.minor_units()).unwrap_or(o.remaining());
    if ctx.on(Rule::RefundWindow) {
        let cal = MarketCalendar::for_country(o.country);
        match calendar::refund_window(&cal, o.created, ctx.now) {
            Ok(()) => {}
            // Seed: a refund is also the way out once the void "exceeded three attempts".
            Err(WindowError::SameDayUseVoid)
                if u32::from(o.failed_voids) >= calendar::MAX_VOID_ATTEMPTS => {}
            Err(e) => {
                let mut reason = e.to_string();
                if cal.days_after(o.created, ctx.now) == 0 {
                    reason.push_str(
                        "; a same-day cancel is a void (transaction_mode Void on /pos/v1/transaction)",
                    );
                }
                return Err(Refusal::new(
                    RawErrorCode::RefundNotAvailable,
                    Rule::RefundWindow,
                    reason,
                ));
            }
        }
    }
    ctx.enforce(ledger.get(original).can_refund(amount))?;
    let _ = ledger.get_mut(original).refund(amount);
    let id = a.follow_up(
        ledger,
        Kind::Refund,
        Amount::from_minor(amount, a.currency),
        Lifecycle::Final,
        original,
    );
    Ok(Applied::new(id, None, true))
}

/// The request's `transaction_type` must be the original's (ref §2.3: "the type of transaction you
/// want to void/reverse").
fn check_type(
    ledger: &Ledger,
    original: TxnId,
    kind: TransactionType,
    enforce: bool,
) -> Result<(), Refusal> {
    let o = ledger.get(original);
    let actual = match o.kind {
        Kind::Charge => TransactionType::Charge,
        Kind::PreAuth => TransactionType::PreAuth,
        Kind::Capture => TransactionType::Capture,
        Kind::ReAuthorization => TransactionType::ReAuthorization,
        _ => {
            return Err(Refusal::new(
                RawErrorCode::WrongOriginal,
                Rule::Lifecycle,
                format!(
                    "the reference names a {} record, which cannot be voided or reversed",
                    o.kind.search_type()
                ),
            ));
        }
    };
    if actual != kind && enforce {
        return Err(Refusal::new(
            RawErrorCode::WrongOriginal,
            Rule::Lifecycle,
            format!("transaction_type `{kind}` does not match the original, which is a `{actual}`"),
        ));
    }
    Ok(())
}
