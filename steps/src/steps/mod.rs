//! The step definitions, one module per domain concept. Each step is a `const` [`Step`] written
//! directly above its handler and listed in its module's `STEPS`; [`collection`] registers every
//! list. Registration stays explicit (no `inventory`: a registration cannot vanish at link time,
//! in debug or release), and a step written but left out of its module's list is an unused
//! `const`, which the lints refuse.

pub mod common;
pub mod connect;
pub mod raw;

use cucumber::step::{Collection, Context};
use futures::future::LocalBoxFuture;

use crate::params::pattern;
use crate::world::KushkiWorld;

/// Which keyword a step is registered under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    /// `Given`.
    Given,
    /// `When`.
    When,
    /// `Then`.
    Then,
}

/// A handler as cucumber calls it; [`step!`] adapts a typed one.
pub type Run = for<'a> fn(&'a mut KushkiWorld, Context) -> LocalBoxFuture<'a, ()>;

/// One step definition: its keyword, its pattern (with the placeholders of
/// [`crate::params::pattern`]) and its handler.
#[derive(Clone, Copy)]
pub struct Step {
    /// The keyword.
    pub keyword: Keyword,
    /// The pattern, as written beside the handler.
    pub pattern: &'static str,
    /// The handler.
    pub run: Run,
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} {}", self.keyword, self.pattern)
    }
}

/// A step: `const CHARGE: Step = step!(When, "the POS charges {amount}", pos_charge);` above
/// `async fn pos_charge(w: &mut KushkiWorld, total: Amount)`. The handler's second parameter
/// receives the captures typed ([`crate::params::StepArgs`]).
macro_rules! step {
    ($keyword:ident, $pattern:expr, $f:path) => {{
        fn run<'a>(
            w: &'a mut $crate::world::KushkiWorld,
            ctx: cucumber::step::Context,
        ) -> futures::future::LocalBoxFuture<'a, ()> {
            let args = $crate::params::StepArgs::from_step(&ctx);
            Box::pin($f(w, args))
        }
        $crate::steps::Step {
            keyword: $crate::steps::Keyword::$keyword,
            pattern: $pattern,
            run,
        }
    }};
}
pub(crate) use step;

/// Every step list of the suite, by concept.
const ALL: &[&[Step]] = &[
    common::STEPS,
    raw::authorize::STEPS,
    raw::follow_ups::STEPS,
    raw::bad_input::STEPS,
    raw::search::STEPS,
    raw::delays::STEPS,
    raw::behaviours::STEPS,
    raw::webhooks::STEPS,
    raw::answers::STEPS,
    connect::payments::STEPS,
    connect::customer::STEPS,
    connect::abort::STEPS,
    connect::events::STEPS,
    connect::search::STEPS,
    connect::auth::STEPS,
    connect::errors::STEPS,
    connect::acquirer::STEPS,
    connect::print::STEPS,
];

/// Every step of the suite.
pub fn collection() -> Collection<KushkiWorld> {
    ALL.iter()
        .flat_map(|list| list.iter())
        .fold(Collection::new(), |c, s| {
            let re = regex::Regex::new(&pattern(s.pattern))
                .unwrap_or_else(|e| panic!("step `{}` is not a valid pattern: {e}", s.pattern));
            match s.keyword {
                Keyword::Given => c.given(None, re, s.run),
                Keyword::When => c.when(None, re, s.run),
                Keyword::Then => c.then(None, re, s.run),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_is_a_valid_regex_and_registered_once() {
        let mut seen = std::collections::HashSet::new();
        for s in ALL.iter().flat_map(|l| l.iter()) {
            regex::Regex::new(&pattern(s.pattern)).expect(s.pattern);
            assert!(seen.insert((s.keyword, s.pattern)), "{s:?} twice");
        }
        // Every step the suite had when it moved to one module per concept (raise it with a new one).
        assert_eq!(seen.len(), 150, "steps registered");
    }
}
