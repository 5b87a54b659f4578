//! Waiting for something the implementation does in its own time (a terminal taking a command, an
//! event, a webhook, a relink): one polling helper, so every wait has a deadline and says what it
//! waited for.

use std::future::Future;
use std::time::Duration;

/// How often a condition is probed.
const INTERVAL: Duration = Duration::from_millis(5);

/// Probes until `probe` answers `Some`, for at most `deadline` (real time); `None` when it never
/// did.
pub async fn poll<T, F, Fut>(deadline: Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let waiting = async {
        loop {
            if let Some(done) = probe().await {
                return done;
            }
            tokio::time::sleep(INTERVAL).await;
        }
    };
    tokio::time::timeout(deadline, waiting).await.ok()
}

/// [`poll`] in a step: fails it, naming `what` it waited for, when the deadline passes.
pub async fn wait_until<T, F, Fut>(what: &str, deadline: Duration, probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    poll(deadline, probe)
        .await
        .unwrap_or_else(|| panic!("waited {} s for {what}, in vain", deadline.as_secs_f32()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[tokio::test]
    async fn a_condition_is_probed_until_it_holds() {
        let probes = Cell::new(0);
        let n = wait_until("the third probe", Duration::from_secs(1), || async {
            probes.set(probes.get() + 1);
            (probes.get() == 3).then_some(probes.get())
        })
        .await;
        assert_eq!(n, 3);
    }

    #[tokio::test]
    #[should_panic(expected = "waited 0.05 s for nothing, in vain")]
    async fn a_condition_that_never_holds_fails_with_what_was_awaited() {
        wait_until("nothing", Duration::from_millis(50), || async {
            None::<()>
        })
        .await;
    }
}
