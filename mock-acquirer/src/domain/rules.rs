//! The acquirer's decisions: one plain function, [`apply`], that takes a validated request, the
//! ledger and the time, and either records a transaction or refuses with one code. Handlers call
//! it; tests call it without HTTP.
//!
//! Rule ids (used in the journal's violations and by behaviours' `disable_rule`):
//!
//! | rule | what | source |
//! |---|---|---|
//! | `idempotency` | a reused `client_transaction_id` with another body is refused (E905); the same body replays the first answer | harness-defined (ref §5 #16) |
//! | `cardless-market` | `omit_card` only in Peru and Chile (E911) | seed (Peru Beta); add §6.2 (Chile); H13 |
//! | `cardless-charge` | no cardless charge or preAuth (E041) | H13 |
//! | `amount-positive` | charges, preAuths, captures and refunds move more than zero (E001) | harness-defined |
//! | `cashback-local` | cashback only with local cards, as the test card catalog marks them (E041) | add §6.2; H12 |
//! | `currency` | follow-ups use the original's currency (E042) | add §2.1 |
//! | `lifecycle` | illegal transitions (E041, E048, E908, E909, E910, E912) | ref §2.3; STYLE |
//! | `capture-reference` | captures and re-authorizations reference the preAuth (E910) | ref §2.3 |
//! | `partial-void` | partial voids only in Chile (E041 "Partial void not allowed") | add §2.1, §6.2 |
//! | `void-cutoff` | voids on the same business day before the cut-off, else refund (E904) | seed |
//! | `void-attempts` | after three declined voids, refund (E906) | seed |
//! | `reverse-min-delay` | reverses at least 60 s after the original (E902) | seed |
//! | `reverse-same-day` | reverses on the same business day before the cut-off (E903) | seed |
//! | `refund-window` | refunds from the day after up to 120 days (E016) | seed; add §6.2 |
//! | `refund-amount` | refunds total at most the original (E907) | ref §2.3 |

use jiff::Timestamp;
use kushki_protocol::calendar::{self, MarketCalendar, ReverseRule, WindowError};
use kushki_protocol::catalog::{self, AppliesTo, Outcome};
use kushki_protocol::errors::{self, RawErrorCode};
use kushki_protocol::money::{Amount, Currency};
use kushki_protocol::raw::{Country, Operation, TransactionRequest, TransactionType};

use super::cards;
use super::ledger::{Kind, Ledger, Lifecycle, Refusal, TxnId};

/// Every rule id, for validating `disable_rule` and documenting it.
pub const RULES: &[&str] = &[
    "idempotency",
    "cardless-market",
    "cardless-charge",
    "amount-positive",
    "cashback-local",
    "currency",
    "lifecycle",
    "capture-reference",
    "partial-void",
    "void-cutoff",
    "void-attempts",
    "reverse-min-delay",
    "reverse-same-day",
    "refund-window",
    "refund-amount",
];

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

/// Default delay of "approved with delay" test amounts (harness-defined).
pub const DEFAULT_DELAY_SECS: i64 = 20;

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
    pub disabled: &'a (dyn Fn(&str) -> bool + Sync),
    /// An issuer code forced by a behaviour (`"00"` approves).
    pub forced_code: Option<&'a str>,
    /// Hash of the request body (idempotency).
    pub body_hash: u64,
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

fn refuse(code: RawErrorCode, rule: &'static str, reason: impl Into<String>) -> Refusal {
    Refusal::new(code, rule, reason)
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

fn window_refusal(err: WindowError, kind: &str) -> Refusal {
    let text = err.to_string();
    match (kind, &err) {
        ("reverse", WindowError::TooEarly { .. } | WindowError::BeforeOriginal { .. }) => {
            refuse(RawErrorCode::ReverseTooEarly, "reverse-min-delay", text)
        }
        ("reverse", _) => refuse(RawErrorCode::ReverseWindowClosed, "reverse-same-day", text),
        ("void", _) => refuse(
            RawErrorCode::VoidWindowClosed,
            "void-cutoff",
            format!("{text}; send a refund to /pos/v1/refund instead"),
        ),
        _ => refuse(RawErrorCode::RefundNotAvailable, "refund-window", text),
    }
}

fn original_by_reference(ledger: &Ledger, req: &TransactionRequest) -> Result<TxnId, Refusal> {
    let reference = req.transaction_reference.as_deref().unwrap_or_default();
    ledger.by_reference(reference).ok_or_else(|| {
        refuse(
            RawErrorCode::TransactionNotFound,
            "lifecycle",
            format!("no transaction has transaction_reference `{reference}`"),
        )
    })
}

/// Applies a validated request to the ledger.
pub fn apply(
    ledger: &mut Ledger,
    req: &TransactionRequest,
    ctx: &Context<'_>,
) -> Result<Applied, Refusal> {
    let on = |rule: &str| !(ctx.disabled)(rule);
    // A refusal stands unless a behaviour switched its rule off.
    let enforce = |checked: Result<(), Refusal>| match checked {
        Err(r) if on(r.rule) => Err(r),
        _ => Ok(()),
    };
    let op = req.operation;

    // Idempotency (harness-defined, ref §5 #16): a reverse carries the original's id by design.
    if !matches!(op, Operation::Reverse(_))
        && on("idempotency")
        && let Some(existing) = ledger.by_client_id(&req.client_transaction_id)
    {
        let t = ledger.get(existing);
        if t.body_hash == ctx.body_hash {
            return Ok(Applied {
                txn: existing,
                replay: true,
                delay_secs: None,
                webhook: false,
            });
        }
        return Err(refuse(
            RawErrorCode::DuplicateClientTransactionId,
            "idempotency",
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
        if on("cardless-market") && !ctx.rules.cardless_markets.contains(&country) {
            return Err(refuse(
                RawErrorCode::CardlessNotAvailable,
                "cardless-market",
                format!(
                    "omit_card is available in {:?} only (Beta); this request is for {country:?}",
                    ctx.rules.cardless_markets
                ),
            ));
        }
        if on("cardless-charge") && matches!(op, Operation::Charge | Operation::PreAuth) {
            return Err(refuse(
                RawErrorCode::OperationNotAllowed,
                "cardless-charge",
                "a cardless charge or preAuth has no card to charge: omit_card is for voids, reverses, refunds, captures and re-authorizations",
            ));
        }
    }

    if let (Some(p), Some(c)) = (parent, req.currency) {
        let original = ledger.currency(p);
        if original != c && on("currency") {
            return Err(refuse(
                RawErrorCode::CurrencyMismatch,
                "currency",
                format!("amount.currency {c} differs from the original's {original}"),
            ));
        }
    }

    let total = req.amount.as_ref().map(|a| a.total());
    if matches!(
        op,
        Operation::Charge | Operation::PreAuth | Operation::Capture | Operation::Refund
    ) && total.is_some_and(|t| t.minor_units() == 0)
        && on("amount-positive")
    {
        return Err(refuse(
            RawErrorCode::InvalidBody,
            "amount-positive",
            "amount: the sum of the amount object must be greater than 0",
        ));
    }

    let now = ctx.now;
    let card = cards::read(req.card_details.as_ref());

    // add §6.2: "cashback only works with local cards". Only a catalog card (H12) is known to be
    // foreign; a card the acquirer cannot read is given the benefit of the doubt.
    if op == Operation::Charge
        && req.cashback.is_some()
        && on("cashback-local")
        && let Some(foreign) = catalog::test_cards().iter().find(|c| {
            !c.local
                && card.bin.is_some_and(|b| format!("{b:06}") == c.bin)
                && card
                    .last_four
                    .is_some_and(|l| format!("{l:04}") == c.last_four)
        })
    {
        return Err(refuse(
            RawErrorCode::OperationNotAllowed,
            "cashback-local",
            format!(
                "cashback only works with local cards; the {} card ({}) is not local",
                foreign.franchise.as_str(),
                foreign.masked_pan()
            ),
        ));
    }
    let record = |ledger: &mut Ledger,
                  kind: Kind,
                  amount: Amount,
                  state: Lifecycle,
                  parent: Option<TxnId>,
                  index: bool| {
        let id = ledger.insert(
            &req.client_transaction_id,
            index,
            kind,
            now,
            amount,
            country,
            state,
            parent,
        );
        let t = ledger.get_mut(id);
        t.body_hash = ctx.body_hash;
        t.cardless = req.omit_card;
        t.reading_type = req.card_details.as_ref().map(|d| d.reading_type);
        if let Some(p) = parent {
            let (brand, bin, last_four) = {
                let pt = ledger.get(p);
                (pt.brand, pt.bin, pt.last_four)
            };
            let t = ledger.get_mut(id);
            if card.bin.is_none() {
                t.brand = brand;
                t.bin = bin;
                t.last_four = last_four;
            }
        }
        let t = ledger.get_mut(id);
        if card.bin.is_some() {
            t.brand = card.brand;
            t.bin = card.bin;
            t.last_four = card.last_four;
        }
        id
    };

    match op {
        Operation::Charge | Operation::PreAuth => {
            let total = total.unwrap_or(Amount::zero(currency));
            let (code, delay) = issuer_outcome(ctx, country, total, AppliesTo::Authorization);
            let approved = code == *b"00";
            let (kind, state) = match (op, approved) {
                (_, false) => (
                    if op == Operation::Charge {
                        Kind::Charge
                    } else {
                        Kind::PreAuth
                    },
                    Lifecycle::Declined,
                ),
                (Operation::Charge, true) => (Kind::Charge, Lifecycle::Approved { undone: 0 }),
                _ => (
                    Kind::PreAuth,
                    Lifecycle::Authorized {
                        amount: total.minor_units(),
                    },
                ),
            };
            let id = record(ledger, kind, total, state, None, true);
            ledger.get_mut(id).iso_code = code;
            Ok(Applied {
                txn: id,
                replay: false,
                delay_secs: delay,
                webhook: true,
            })
        }
        Operation::ReAuthorization | Operation::Capture => {
            let original = original_by_reference(ledger, req)?;
            let action = if op == Operation::Capture {
                "capture"
            } else {
                "re-authorization"
            };
            let checked = ledger.get(original).can_extend(action);
            enforce(checked)?;
            let authorized = ledger.get(original).remaining();
            if op == Operation::Capture {
                let amount = total.map(|t| t.minor_units()).unwrap_or(authorized);
                if amount > authorized && on("lifecycle") {
                    return Err(refuse(
                        RawErrorCode::OperationNotAllowed,
                        "lifecycle",
                        format!(
                            "the capture ({}) exceeds the authorized amount ({})",
                            Amount::from_minor(amount, currency),
                            Amount::from_minor(authorized, currency)
                        ),
                    ));
                }
                ledger.get_mut(original).state = Lifecycle::Captured;
                let id = record(
                    ledger,
                    Kind::Capture,
                    Amount::from_minor(amount, currency),
                    Lifecycle::Approved { undone: 0 },
                    Some(original),
                    true,
                );
                return Ok(Applied {
                    txn: id,
                    replay: false,
                    delay_secs: None,
                    webhook: true,
                });
            }
            let total = total.unwrap_or(Amount::zero(currency));
            let (code, delay) = issuer_outcome(ctx, country, total, AppliesTo::Authorization);
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
            let id = record(
                ledger,
                Kind::ReAuthorization,
                total,
                state,
                Some(original),
                true,
            );
            ledger.get_mut(id).iso_code = code;
            Ok(Applied {
                txn: id,
                replay: false,
                delay_secs: delay,
                webhook: false,
            })
        }
        Operation::PosTip => {
            let original = original_by_reference(ledger, req)?;
            let o = ledger.get(original);
            if o.kind != Kind::Charge && on("lifecycle") {
                return Err(refuse(
                    RawErrorCode::WrongOriginal,
                    "lifecycle",
                    format!(
                        "a posTip must reference a charge, not a {}",
                        o.kind.search_type()
                    ),
                ));
            }
            if !matches!(o.state, Lifecycle::Approved { .. }) && on("lifecycle") {
                return Err(refuse(
                    RawErrorCode::OperationNotAllowed,
                    "lifecycle",
                    "a tip can only be added to an approved charge that was not voided, reversed or refunded",
                ));
            }
            let tip = req
                .amount
                .as_ref()
                .map(|a| a.tip.unwrap_or_else(|| a.total()))
                .unwrap_or(Amount::zero(currency));
            let id = record(
                ledger,
                Kind::PosTip,
                tip,
                Lifecycle::Approved { undone: 0 },
                Some(original),
                true,
            );
            Ok(Applied {
                txn: id,
                replay: false,
                delay_secs: None,
                webhook: true,
            })
        }
        Operation::Void(kind) => {
            let mut original = original_by_reference(ledger, req)?;
            // The type is the referenced record's (seed: "the type of transaction you want to
            // void"), checked before a re-authorization is traced back to its preAuth.
            check_type(ledger, original, kind, on("lifecycle"))?;
            // Voiding a re-authorization voids the authorization it extended (harness-defined).
            if ledger.get(original).kind == Kind::ReAuthorization
                && let Some(p) = ledger.get(original).parent
            {
                original = p;
            }
            let o = ledger.get(original).clone();
            let partial = total
                .map(|t| t.minor_units())
                .filter(|t| *t < o.remaining() && matches!(o.state, Lifecycle::Approved { .. }));
            if partial.is_some() && country != Country::Chile && on("partial-void") {
                return Err(refuse(
                    RawErrorCode::OperationNotAllowed,
                    "partial-void",
                    "Partial void not allowed (partial voids are available in Chile only)",
                ));
            }
            if on("void-attempts") && u32::from(o.failed_voids) >= calendar::MAX_VOID_ATTEMPTS {
                return Err(refuse(
                    RawErrorCode::VoidAttemptsExceeded,
                    "void-attempts",
                    format!(
                        "{} void attempts were declined; send a refund to /pos/v1/refund instead",
                        o.failed_voids
                    ),
                ));
            }
            if on("void-cutoff") {
                let cal = MarketCalendar::for_country(o.country);
                calendar::void_window(&cal, o.created, now)
                    .map_err(|e| window_refusal(e, "void"))?;
            }
            // Chile's smart void is processed as a refund (add §6.2).
            if req.is_smart_void && country == Country::Chile {
                let amount = partial.unwrap_or(o.remaining());
                enforce(ledger.get(original).can_refund(amount))?;
                let _ = ledger.get_mut(original).refund(amount);
                let id = record(
                    ledger,
                    Kind::Refund,
                    Amount::from_minor(amount, currency),
                    Lifecycle::Final,
                    Some(original),
                    true,
                );
                return Ok(Applied {
                    txn: id,
                    replay: false,
                    delay_secs: None,
                    webhook: true,
                });
            }
            enforce(ledger.get(original).can_void(partial))?;
            let amount = match (partial, o.remaining()) {
                (Some(p), _) => Amount::from_minor(p, currency),
                (None, 0) => o.amount,
                (None, rest) => Amount::from_minor(rest, currency),
            };
            let (code, delay) = issuer_outcome(
                ctx,
                country,
                total.unwrap_or(o.amount),
                AppliesTo::VoidOrReverse,
            );
            if code != *b"00" {
                let t = ledger.get_mut(original);
                t.failed_voids = t.failed_voids.saturating_add(1);
                let id = record(
                    ledger,
                    Kind::Void,
                    amount,
                    Lifecycle::Declined,
                    Some(original),
                    true,
                );
                ledger.get_mut(id).iso_code = code;
                ledger.get_mut(id).original_type = Some(kind);
                return Ok(Applied {
                    txn: id,
                    replay: false,
                    delay_secs: delay,
                    webhook: true,
                });
            }
            let _ = ledger.get_mut(original).void(partial);
            let id = record(
                ledger,
                Kind::Void,
                amount,
                Lifecycle::Final,
                Some(original),
                true,
            );
            ledger.get_mut(id).original_type = Some(kind);
            Ok(Applied {
                txn: id,
                replay: false,
                delay_secs: delay,
                webhook: true,
            })
        }
        Operation::Reverse(kind) => {
            let original = ledger.by_client_id(&req.client_transaction_id).ok_or_else(|| {
                refuse(
                    RawErrorCode::TransactionNotFound,
                    "lifecycle",
                    format!(
                        "no transaction has client_transaction_id `{}`: nothing reached the acquirer, so there is nothing to reverse",
                        req.client_transaction_id
                    ),
                )
            })?;
            check_type(ledger, original, kind, on("lifecycle"))?;
            let o = ledger.get(original).clone();
            let cal = MarketCalendar::for_country(o.country);
            if let Err(e) =
                calendar::reverse_window(&cal, o.created, now, ctx.rules.reverse_rule(o.country))
            {
                let r = window_refusal(e, "reverse");
                if on(r.rule) {
                    return Err(r);
                }
            }
            enforce(ledger.get(original).can_reverse())?;
            let (_, delay) = issuer_outcome(
                ctx,
                country,
                total.unwrap_or(o.amount),
                AppliesTo::VoidOrReverse,
            );
            let _ = ledger.get_mut(original).reverse();
            let id = record(
                ledger,
                Kind::Reverse,
                o.amount,
                Lifecycle::Final,
                Some(original),
                false,
            );
            ledger.get_mut(id).original_type = Some(kind);
            Ok(Applied {
                txn: id,
                replay: false,
                delay_secs: delay,
                // ref §2.9: "reversals" are among the notified events.
                webhook: true,
            })
        }
        Operation::Refund => {
            let original = original_by_reference(ledger, req)?;
            let o = ledger.get(original).clone();
            let amount = total.map(|t| t.minor_units()).unwrap_or(o.remaining());
            if on("refund-window") {
                let cal = MarketCalendar::for_country(o.country);
                match calendar::refund_window(&cal, o.created, now) {
                    Ok(()) => {}
                    // Seed: a refund is also the way out once the void "exceeded three attempts".
                    Err(WindowError::SameDayUseVoid)
                        if u32::from(o.failed_voids) >= calendar::MAX_VOID_ATTEMPTS => {}
                    Err(e) => {
                        let mut r = window_refusal(e, "refund");
                        if matches!(r.code, RawErrorCode::RefundNotAvailable)
                            && cal.days_after(o.created, now) == 0
                        {
                            r.reason = format!(
                                "{}; a same-day cancel is a void (transaction_mode Void on /pos/v1/transaction)",
                                r.reason
                            );
                        }
                        return Err(r);
                    }
                }
            }
            enforce(ledger.get(original).can_refund(amount))?;
            let _ = ledger.get_mut(original).refund(amount);
            let id = record(
                ledger,
                Kind::Refund,
                Amount::from_minor(amount, currency),
                Lifecycle::Final,
                Some(original),
                true,
            );
            Ok(Applied {
                txn: id,
                replay: false,
                delay_secs: None,
                webhook: true,
            })
        }
    }
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
            return Err(refuse(
                RawErrorCode::WrongOriginal,
                "lifecycle",
                format!(
                    "the reference names a {} record, which cannot be voided or reversed",
                    o.kind.search_type()
                ),
            ));
        }
    };
    if actual != kind && enforce {
        return Err(refuse(
            RawErrorCode::WrongOriginal,
            "lifecycle",
            format!("transaction_type `{kind}` does not match the original, which is a `{actual}`"),
        ));
    }
    Ok(())
}
