//! The acquirer's rules as values: each [`Rule`] carries its id (the wire spelling of
//! `disable_rule` and `GET /__admin/rules`), the document it comes from, and the Kushki service
//! that reports its refusals; a [`Refusal`] names the rule it enforces. A leaf module, so that
//! both the ledger's transitions and the per-operation rules name the same values.

use std::fmt;
use std::str::FromStr;

use kushki_protocol::errors::RawErrorCode;

/// One of the acquirer's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// A reused `client_transaction_id` with another body is refused (E905); the same body
    /// replays the first answer.
    Idempotency,
    /// `omit_card` only in Peru and Chile (E911).
    CardlessMarket,
    /// No cardless charge or preAuth (E041).
    CardlessCharge,
    /// Charges, preAuths, captures and refunds move more than zero (E001).
    AmountPositive,
    /// Cashback only with local cards, as the test card catalog marks them (E041).
    CashbackLocal,
    /// Follow-ups use the original's currency (E042).
    Currency,
    /// Illegal transitions (E041, E048, E908, E909, E910, E912).
    Lifecycle,
    /// Captures and re-authorizations reference the preAuth (E910).
    CaptureReference,
    /// Partial voids only in Chile (E041 "Partial void not allowed").
    PartialVoid,
    /// Voids on the same business day before the cut-off, else refund (E904).
    VoidCutoff,
    /// After three declined voids, refund (E906).
    VoidAttempts,
    /// Reverses at least 60 s after the original (E902).
    ReverseMinDelay,
    /// Reverses on the same business day before the cut-off (E903).
    ReverseSameDay,
    /// Refunds from the day after up to 120 days (E016).
    RefundWindow,
    /// Refunds total at most the original (E907).
    RefundAmount,
}

impl Rule {
    /// Every rule, in the order `GET /__admin/rules` lists them.
    pub const ALL: [Rule; 15] = [
        Rule::Idempotency,
        Rule::CardlessMarket,
        Rule::CardlessCharge,
        Rule::AmountPositive,
        Rule::CashbackLocal,
        Rule::Currency,
        Rule::Lifecycle,
        Rule::CaptureReference,
        Rule::PartialVoid,
        Rule::VoidCutoff,
        Rule::VoidAttempts,
        Rule::ReverseMinDelay,
        Rule::ReverseSameDay,
        Rule::RefundWindow,
        Rule::RefundAmount,
    ];

    /// The id: what `disable_rule` names, the journal's violations start with, and
    /// `GET /__admin/rules` lists.
    pub const fn id(self) -> &'static str {
        match self {
            Rule::Idempotency => "idempotency",
            Rule::CardlessMarket => "cardless-market",
            Rule::CardlessCharge => "cardless-charge",
            Rule::AmountPositive => "amount-positive",
            Rule::CashbackLocal => "cashback-local",
            Rule::Currency => "currency",
            Rule::Lifecycle => "lifecycle",
            Rule::CaptureReference => "capture-reference",
            Rule::PartialVoid => "partial-void",
            Rule::VoidCutoff => "void-cutoff",
            Rule::VoidAttempts => "void-attempts",
            Rule::ReverseMinDelay => "reverse-min-delay",
            Rule::ReverseSameDay => "reverse-same-day",
            Rule::RefundWindow => "refund-window",
            Rule::RefundAmount => "refund-amount",
        }
    }

    /// Where the rule comes from: the documents' sections (ref = the API reference, add = the
    /// addendum, seed = the seed brief, H = the harness's decisions), or `harness-defined`.
    pub const fn source(self) -> &'static str {
        match self {
            Rule::Idempotency => "harness-defined (ref §5 #16)",
            Rule::CardlessMarket => "seed (Peru Beta); add §6.2 (Chile); H13",
            Rule::CardlessCharge => "H13",
            Rule::AmountPositive => "harness-defined",
            Rule::CashbackLocal => "add §6.2; H12",
            Rule::Currency => "add §2.1",
            Rule::Lifecycle => "ref §2.3; STYLE",
            Rule::CaptureReference => "ref §2.3",
            Rule::PartialVoid => "add §2.1, §6.2",
            Rule::VoidCutoff | Rule::VoidAttempts => "seed",
            Rule::ReverseMinDelay | Rule::ReverseSameDay => "seed",
            Rule::RefundWindow => "seed; add §6.2",
            Rule::RefundAmount => "ref §2.3",
        }
    }

    /// The Kushki service the raw API's error envelope names as the `origin` of a refusal.
    pub const fn origin(self) -> &'static str {
        match self {
            Rule::RefundWindow | Rule::RefundAmount => "Refund Validator",
            Rule::PartialVoid => "Capture Validator",
            Rule::ReverseMinDelay
            | Rule::ReverseSameDay
            | Rule::VoidCutoff
            | Rule::VoidAttempts => "Void Amount Control",
            _ => "Transaction Management Service",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// An id that names no rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no rule has the id `{0}`")]
pub struct UnknownRule(pub String);

impl FromStr for Rule {
    type Err = UnknownRule;

    fn from_str(s: &str) -> Result<Rule, UnknownRule> {
        Rule::ALL
            .into_iter()
            .find(|r| r.id() == s)
            .ok_or_else(|| UnknownRule(s.to_string()))
    }
}

/// Why a request or a transition is refused: one raw API code each, the rule that refuses it, and
/// the reason for `details.Message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The code.
    pub code: RawErrorCode,
    /// The rule, for the journal, the envelope's origin and `disable_rule`.
    pub rule: Rule,
    /// The reason.
    pub reason: String,
}

impl Refusal {
    /// A refusal with `code` under `rule`.
    pub fn new(code: RawErrorCode, rule: Rule, reason: impl Into<String>) -> Refusal {
        Refusal {
            code,
            rule,
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn every_rule_reads_back_from_its_id() {
        for rule in Rule::ALL {
            assert_eq!(rule.id().parse::<Rule>(), Ok(rule), "{rule:?}");
        }
        assert!("no-such-rule".parse::<Rule>().is_err());
    }
}
