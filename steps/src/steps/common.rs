//! Steps every feature uses: the market and the clock (harness-defined: the virtual clock of
//! `@virtual-time` targets), and the capability checks other steps share.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use kushki_protocol::raw::Country;

use super::{Step, step};
use crate::target::Capability;
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[MARKET, TIME_IS, TIME_BECOMES, PASSES, HAS_PASSED];

/// Fails the step unless the target has `c` (a scenario using it must carry its tag).
pub async fn require(w: &mut KushkiWorld, c: Capability) {
    if !w.env().await.has(c) {
        crate::env::skip(format!(
            "this step needs @{} control, which the target does not offer (the scenario lacks the @{} tag that would have filtered it out)",
            c.tag(),
            c.tag()
        ));
    }
}

const MARKET: Step = step!(Given, "the market is {market}", given_market);
async fn given_market(w: &mut KushkiWorld, market: Country) {
    assert!(
        w.env_if_started().is_none(),
        "`Given the market is …` must come before any step that reaches the implementation"
    );
    w.market = market;
}

const TIME_IS: Step = step!(
    Given,
    r#"the time is "(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})" in (Lima|Santiago|Mexico City|Bogota)"#,
    set_time
);
const TIME_BECOMES: Step = step!(
    When,
    r#"the time becomes "(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})" in (Lima|Santiago|Mexico City|Bogota)"#,
    set_time
);
async fn set_time(w: &mut KushkiWorld, (local, tz): (DateTime, TimeZone)) {
    require(w, Capability::VirtualTime).await;
    let ts = tz.to_zoned(local).expect("a valid local time").timestamp();
    w.env().await.set_time(ts).await;
}

const PASSES: Step = step!(
    When,
    r"(\d+) (second|seconds|minute|minutes|hour|hours|day|days) pass(?:es)?",
    advance
);
const HAS_PASSED: Step = step!(
    Given,
    r"(\d+) (second|seconds|minute|minutes|hour|hours|day|days) (?:have|has) passed",
    advance
);
async fn advance(w: &mut KushkiWorld, (n, unit): (i64, String)) {
    require(w, Capability::VirtualTime).await;
    let unit = match unit.trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        _ => 1,
    };
    w.env().await.advance(n * unit).await;
}

/// For a step that scripts the customer: `true` when the target can script the reader (the step
/// then scripts it); with `--interactive` against a real terminal, asks the operator to do `what`
/// at the terminal, waits for Enter, and returns `false`; otherwise fails the step like
/// [`require`].
pub async fn script_or_ask(w: &mut KushkiWorld, what: &str) -> bool {
    if w.env().await.has(Capability::ScriptedCard) {
        return true;
    }
    if !w.config.interactive {
        require(w, Capability::ScriptedCard).await;
        return false;
    }
    let prompt = format!(
        "\n>>> At the terminal: {what}. Press Enter once done (or when the terminal asks for it)."
    );
    let answered = tokio::task::spawn_blocking(move || {
        println!("{prompt}");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).is_ok()
    })
    .await
    .unwrap_or(false);
    assert!(answered, "no operator answered the prompt");
    false
}
