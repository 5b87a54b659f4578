//! Behaviours: outcomes scripted through `POST /__admin/behaviours`, the same on every mock.
//!
//! ```json
//! {"hop":"acquirer","match":{"path":"/pos/v1/transaction","operation":"charge","amount":12.5,
//!  "client_transaction_id":"…"},"respond":{"latency_ms":200,"status":503},"times":1}
//! ```
//!
//! Every field is optional but `respond`. A behaviour applies to the first requests it matches,
//! `times` times (forever when absent), in the order behaviours were added. `respond` can add
//! latency, answer an HTTP status with the documented body, drop the connection (`"fault":"drop"`),
//! never answer (`"fault":"timeout"`), deliver a webhook twice (`"fault":"duplicate"`), force the
//! issuer's answer (`"kushki_code":"05"`), or switch a rule off (`"disable_rule":"…"`) so that a
//! conformance scenario can prove it notices.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};

use crate::journal::Exchange;

/// The leg of a card-present exchange a behaviour applies to, spelled on the wire as the
/// journal's `hop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hop {
    /// The POS → terminal leg (the terminal's Connect API).
    Pos,
    /// The cloud relay's leg (the acquirer's `/terminal/v1/…` routes).
    Relay,
    /// The acquirer's own API (raw transactions, card info), or the terminal's leg to it.
    Acquirer,
    /// A webhook a mock sends.
    Webhook,
}

impl Hop {
    /// The wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Hop::Pos => "pos",
            Hop::Relay => "relay",
            Hop::Acquirer => "acquirer",
            Hop::Webhook => "webhook",
        }
    }
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a behaviour matches. Absent fields match anything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Match {
    /// Exact path, or a prefix when it ends with `*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Operation name as the mock reports it (`charge`, `Void`, `refund`, Connect's `charge`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Total amount in major units (`12.5`), compared exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Number>,
    /// The request's `client_transaction_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_transaction_id: Option<String>,
}

/// A fault instead of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// Close the connection without a complete answer.
    Drop,
    /// Never answer (until the client gives up or the mock shuts down).
    Timeout,
    /// Deliver twice (webhooks: Kushki warns duplicates happen, add §3).
    Duplicate,
}

/// What to do instead of (or on top of) the normal answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Respond {
    /// Wait this long (real milliseconds) before answering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Answer this HTTP status with the documented body for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// A fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// Force the issuer's response code (`"05"`); `"00"` approves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kushki_code: Option<String>,
    /// Switch a named rule off for the matching requests (see each mock's rule list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_rule: Option<String>,
}

/// A scripted behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// The leg it applies to (`pos`, `relay`, `acquirer`, `webhook`); any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hop: Option<Hop>,
    /// What it matches.
    #[serde(default, rename = "match")]
    pub matcher: Match,
    /// What it does.
    pub respond: Respond,
    /// How many times it applies; forever when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

/// What a request looks like to the matcher.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// The leg.
    pub hop: Hop,
    /// The path.
    pub path: &'a str,
    /// The operation, when known.
    pub operation: Option<&'a str>,
    /// Total amount in major units as decimal text (`"12.50"`), when known.
    pub amount: Option<String>,
    /// The request's id, when known.
    pub client_transaction_id: Option<&'a str>,
}

fn same_amount(wanted: &Number, actual: &str) -> bool {
    // Compare as exact decimals: "12.5" and "12.50" are the same amount.
    fn norm(s: &str) -> String {
        let s = s.trim();
        match s.split_once('.') {
            Some((i, f)) => {
                let f = f.trim_end_matches('0');
                if f.is_empty() {
                    i.to_string()
                } else {
                    format!("{i}.{f}")
                }
            }
            None => s.to_string(),
        }
    }
    norm(&wanted.to_string()) == norm(actual)
}

impl Behaviour {
    fn matches(&self, s: &Subject<'_>) -> bool {
        let m = &self.matcher;
        self.hop.is_none_or(|h| h == s.hop)
            && m.path.as_deref().is_none_or(|p| match p.strip_suffix('*') {
                Some(prefix) => s.path.starts_with(prefix),
                None => p == s.path,
            })
            && m.operation
                .as_deref()
                .is_none_or(|o| s.operation.is_some_and(|so| so.eq_ignore_ascii_case(o)))
            && m.amount
                .as_ref()
                .is_none_or(|a| s.amount.as_deref().is_some_and(|sa| same_amount(a, sa)))
            && m.client_transaction_id
                .as_deref()
                .is_none_or(|c| s.client_transaction_id == Some(c))
    }
}

/// The behaviours of one mock.
#[derive(Debug, Default)]
pub struct Behaviours {
    // std Mutex: held only to scan and decrement, never across an await.
    list: Mutex<Vec<Behaviour>>,
}

impl Behaviours {
    /// No behaviours.
    pub fn new() -> Behaviours {
        Behaviours::default()
    }

    /// Adds one; it applies after those added before it.
    pub fn add(&self, b: Behaviour) {
        self.lock().push(b);
    }

    /// Removes every behaviour.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The behaviours still active.
    pub fn list(&self) -> Vec<Behaviour> {
        self.lock().clone()
    }

    /// Whether any behaviour is active (lets hot paths skip building a [`Subject`]).
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The first behaviour matching `subject`, consuming one of its `times`.
    pub fn take(&self, subject: &Subject<'_>) -> Option<Respond> {
        let mut list = self.lock();
        let i = list.iter().position(|b| b.matches(subject))?;
        let respond = list[i].respond.clone();
        if let Some(times) = list[i].times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                list.remove(i);
            }
        }
        Some(respond)
    }

    /// What the behaviours make of a request on `subject.hop`: the first matching behaviour
    /// (consuming one of its `times`), its latency already waited. With no behaviours (the hot
    /// path) it neither waits nor allocates.
    pub async fn plan(&self, subject: &Subject<'_>) -> Plan {
        let respond = if self.is_empty() {
            None
        } else {
            self.take(subject)
        };
        if let Some(ms) = respond.as_ref().and_then(|r| r.latency_ms) {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        Plan {
            hop: subject.hop,
            respond,
        }
    }

    /// Whether a matching behaviour switches `rule` off. Does not consume `times`: a rule stays
    /// off for as long as the behaviour is there.
    pub fn rule_disabled(&self, subject: &Subject<'_>, rule: &str) -> bool {
        self.lock()
            .iter()
            .any(|b| b.respond.disable_rule.as_deref() == Some(rule) && b.matches(subject))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Behaviour>> {
        self.list.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A behaviour resolved for one request on one hop, as wiremock resolves a `Respond` into a
/// `ResponseTemplate`: the latency is already waited ([`Behaviours::plan`]); each hop then asks
/// the plan, in one line, for the status to inject ([`Plan::injected_status`]), the fault that
/// replaces its answer ([`Plan::fault`]), the issuer code to force and the rule to switch off.
#[derive(Debug, Clone)]
pub struct Plan {
    hop: Hop,
    respond: Option<Respond>,
}

impl Plan {
    /// No behaviour: the hop answers as usual.
    pub fn none(hop: Hop) -> Plan {
        Plan { hop, respond: None }
    }

    /// The HTTP status a behaviour injects instead of the hop's answer, noted on `ex`.
    pub fn injected_status(&self, ex: &mut Exchange) -> Option<u16> {
        let status = self.respond.as_ref()?.status?;
        ex.note = Some(format!("status {status} injected on the {} leg", self.hop));
        Some(status)
    }

    /// The fault that replaces (or, for webhooks, repeats) the hop's answer.
    pub fn fault(&self) -> Option<Fault> {
        self.respond.as_ref()?.fault
    }

    /// How many copies of a webhook go out: none for a `drop` fault, two for `duplicate` (add §3
    /// warns duplicates happen), else one.
    pub fn webhook_copies(&self) -> Option<u32> {
        match self.fault() {
            Some(Fault::Drop) => None,
            Some(Fault::Duplicate) => Some(2),
            _ => Some(1),
        }
    }

    /// The issuer's response code a behaviour forces (`"00"` approves).
    pub fn kushki_code(&self) -> Option<&str> {
        self.respond.as_ref()?.kushki_code.as_deref()
    }

    /// Whether the behaviour taken for this request switches `rule` off (with `times`, it may be
    /// used up and gone from [`Behaviours`] already).
    pub fn disables(&self, rule: &str) -> bool {
        self.respond
            .as_ref()
            .is_some_and(|r| r.disable_rule.as_deref() == Some(rule))
    }
}

/// The journal's note for a webhook a `drop` fault kept from being sent.
pub const NOT_DELIVERED: &str = "not delivered: dropped by a behaviour";

/// Parses a behaviour from admin JSON, naming the bad field on error.
pub fn parse(value: &Value) -> Result<Behaviour, String> {
    serde_json::from_value(value.clone()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn subject<'a>(op: &'a str, amount: &str) -> Subject<'a> {
        Subject {
            hop: Hop::Acquirer,
            path: "/pos/v1/transaction",
            operation: Some(op),
            amount: Some(amount.to_string()),
            client_transaction_id: None,
        }
    }

    #[test]
    fn a_behaviour_applies_times_times_then_goes_away() {
        let b = Behaviours::new();
        b.add(
            parse(&json!({"match":{"operation":"charge"},"respond":{"status":503},"times":2}))
                .unwrap(),
        );
        assert!(b.take(&subject("charge", "1")).is_some());
        assert!(b.take(&subject("Void", "1")).is_none());
        assert!(b.take(&subject("charge", "1")).is_some());
        assert!(b.take(&subject("charge", "1")).is_none());
        assert!(b.is_empty());
    }

    #[test]
    fn amounts_match_as_exact_decimals_and_paths_by_prefix() {
        let b = Behaviours::new();
        b.add(parse(&json!({"hop":"acquirer","match":{"path":"/pos/*","amount":12.5},"respond":{"fault":"drop"}})).unwrap());
        assert!(b.take(&subject("charge", "12.50")).is_some());
        assert!(b.take(&subject("charge", "12.51")).is_none());
        let mut s = subject("charge", "12.5");
        s.hop = Hop::Webhook;
        assert!(b.take(&s).is_none());
    }

    #[test]
    fn unknown_fields_are_refused_with_their_name() {
        let err = parse(&json!({"respond":{"stauts":500}})).unwrap_err();
        assert!(err.contains("stauts"), "{err}");
        assert!(parse(&json!({"match":{}})).unwrap_err().contains("respond"));
    }

    #[test]
    fn a_disabled_rule_stays_off_while_the_behaviour_exists() {
        let b = Behaviours::new();
        b.add(parse(&json!({"respond":{"disable_rule":"reverse-min-delay"},"times":1})).unwrap());
        assert!(b.rule_disabled(&subject("Reverse", "1"), "reverse-min-delay"));
        assert!(b.rule_disabled(&subject("Reverse", "1"), "reverse-min-delay"));
        assert!(!b.rule_disabled(&subject("Reverse", "1"), "void-cutoff"));
    }
}
