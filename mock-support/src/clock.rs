//! The mocks' clock: [`kushki_protocol::calendar::SwitchableClock`] plus waiting on virtual time.
//!
//! Rules read `now()`; delays ("approved with delay" test amounts, the terminal's 60-second
//! acquirer timeout) wait with [`VirtualClock::sleep_until`], which ends when the virtual time
//! passes the deadline: in system mode by sleeping for real, in manual mode as soon as someone
//! sets or advances the clock far enough through the admin API.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use kushki_protocol::calendar::{Clock, ClockMode, SwitchableClock};
use tokio::sync::Notify;

/// A shared, settable clock that wakes waiters when it moves.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    inner: Arc<SwitchableClock>,
    moved: Arc<Notify>,
    initial: (ClockMode, Option<Timestamp>),
}

impl VirtualClock {
    /// A clock in `mode`, starting at `start` when manual (now when absent).
    pub fn new(mode: ClockMode, start: Option<Timestamp>) -> VirtualClock {
        let start_at = start.unwrap_or_else(Timestamp::now);
        VirtualClock {
            inner: Arc::new(SwitchableClock::new(mode, start_at)),
            moved: Arc::new(Notify::new()),
            initial: (mode, start),
        }
    }

    /// The current virtual time.
    pub fn now(&self) -> Timestamp {
        self.inner.now()
    }

    /// System or manual.
    pub fn mode(&self) -> ClockMode {
        self.inner.mode()
    }

    /// Sets the time (switches to manual) and wakes waiters.
    pub fn set(&self, ts: Timestamp) {
        self.inner.set(ts);
        self.moved.notify_waiters();
    }

    /// Advances the time (switches to manual) and wakes waiters.
    pub fn advance_secs(&self, secs: i64) {
        self.inner.advance_secs(secs);
        self.moved.notify_waiters();
    }

    /// Back to the mode and start the mock was configured with.
    pub fn reset(&self) {
        let (mode, start) = self.initial;
        match mode {
            ClockMode::System => self.inner.use_system(),
            ClockMode::Manual => self.inner.set(start.unwrap_or_else(Timestamp::now)),
        }
        self.moved.notify_waiters();
    }

    /// The clock as a plain [`Clock`] for domain code.
    pub fn as_clock(&self) -> Arc<dyn Clock> {
        self.inner.clone()
    }

    /// Waits until the virtual time reaches `deadline`.
    pub async fn sleep_until(&self, deadline: Timestamp) {
        loop {
            // Register interest before reading the time, so a move in between is not missed.
            let moved = self.moved.notified();
            let now = self.now();
            if now >= deadline {
                return;
            }
            match self.mode() {
                ClockMode::System => {
                    let remaining = deadline.duration_since(now);
                    let real = Duration::try_from(remaining).unwrap_or(Duration::from_millis(1));
                    tokio::select! {
                        _ = tokio::time::sleep(real.min(Duration::from_secs(1))) => {}
                        _ = moved => {}
                    }
                }
                ClockMode::Manual => moved.await,
            }
        }
    }

    /// Waits `secs` seconds of virtual time.
    pub async fn sleep_secs(&self, secs: i64) {
        self.sleep_until(later(self.now(), secs)).await;
    }
}

/// `ts` moved by `secs` seconds, held at the ends of jiff's range: a manual clock can be set to
/// its last second, and a deadline after that must not overflow (`+` panics there).
pub fn later(ts: Timestamp, secs: i64) -> Timestamp {
    ts.checked_add(SignedDuration::from_secs(secs))
        .unwrap_or(if secs < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_wait_ends_when_the_clock_is_advanced_not_before() {
        let start: Timestamp = "2026-03-24T15:00:00Z".parse().unwrap();
        let clock = VirtualClock::new(ClockMode::Manual, Some(start));
        let waiter = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep_secs(60).await })
        };
        tokio::task::yield_now().await;
        clock.advance_secs(59);
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished(), "woke at 59 s of a 60 s wait");
        clock.advance_secs(1);
        tokio::time::timeout(Duration::from_secs(2), waiter)
            .await
            .expect("the wait did not end at 60 s")
            .unwrap();
    }

    #[test]
    fn a_deadline_past_the_end_of_time_is_held_at_the_end() {
        assert_eq!(later(Timestamp::MAX, 60), Timestamp::MAX);
        assert_eq!(later(Timestamp::MIN, -60), Timestamp::MIN);
        let t: Timestamp = "2026-03-24T15:00:00Z".parse().unwrap();
        assert_eq!(later(t, 60).to_string(), "2026-03-24T15:01:00Z");
    }

    #[test]
    fn reset_restores_the_configured_start() {
        let start: Timestamp = "2026-03-24T15:00:00Z".parse().unwrap();
        let clock = VirtualClock::new(ClockMode::Manual, Some(start));
        clock.advance_secs(3600);
        clock.reset();
        assert_eq!(clock.now(), start);
        assert_eq!(clock.mode(), ClockMode::Manual);
    }
}
