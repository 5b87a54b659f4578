//! Steps every feature uses: the market, the clock, named transactions.

use cucumber::step::{Collection, Context};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use super::step;
use crate::params::{arg, market, zone};
use crate::target::Capability;
use crate::world::KushkiWorld;

/// Registers the steps of this module.
pub fn register(c: Collection<KushkiWorld>) -> Collection<KushkiWorld> {
    let c = step!(c, given, "the market is {market}", given_market);
    let c = step!(
        c,
        given,
        r#"the time is "(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})" in (Lima|Santiago|Mexico City|Bogota)"#,
        set_time
    );
    let c = step!(
        c,
        when,
        r#"the time becomes "(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})" in (Lima|Santiago|Mexico City|Bogota)"#,
        set_time
    );
    let c = step!(
        c,
        when,
        r"(\d+) (second|seconds|minute|minutes|hour|hours|day|days) pass(?:es)?",
        advance
    );
    step!(
        c,
        given,
        r"(\d+) (second|seconds|minute|minutes|hour|hours|day|days) (?:have|has) passed",
        advance
    )
}

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

async fn given_market(w: &mut KushkiWorld, ctx: Context) {
    assert!(
        w.env_if_started().is_none(),
        "`Given the market is …` must come before any step that reaches the implementation"
    );
    w.market = market(&arg(&ctx, 1));
}

async fn set_time(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::VirtualTime).await;
    let local: DateTime = arg(&ctx, 1)
        .replace(' ', "T")
        .parse()
        .expect("a local date and time");
    let tz = TimeZone::get(zone(&arg(&ctx, 2))).expect("a bundled time zone");
    let ts = tz.to_zoned(local).expect("a valid local time").timestamp();
    w.env().await.set_time(ts).await;
}

async fn advance(w: &mut KushkiWorld, ctx: Context) {
    require(w, Capability::VirtualTime).await;
    let n: i64 = arg(&ctx, 1).parse().expect("a number");
    let unit = match arg(&ctx, 2).trim_end_matches('s') {
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
