//! The clocks, the market calendars and the reverse / void / refund windows.

use std::sync::Arc;

use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use kushki_protocol::calendar::{
    Clock, ClockMode, MAX_VOID_ATTEMPTS, MarketCalendar, REFUND_MAX_DAYS, REVERSE_MIN_DELAY_SECS,
    ReverseRule, SwitchableClock, SystemClock, WindowError, refund_window, reverse_window,
    void_window,
};
use kushki_protocol::raw::Country;

/// A UTC instant from its RFC 3339 text.
fn ts(s: &str) -> Timestamp {
    s.parse().expect("a valid timestamp")
}

/// A Lima local time (UTC-5, no DST) as an instant.
fn lima(y: i16, m: i8, d: i8, h: i8, min: i8, s: i8) -> Timestamp {
    date(y, m, d)
        .at(h, min, s, 0)
        .in_tz("America/Lima")
        .expect("a valid Lima time")
        .timestamp()
}

fn peru() -> MarketCalendar {
    MarketCalendar::for_country(Country::Peru)
}

fn default_reverse() -> ReverseRule {
    ReverseRule::default_for(Country::Peru)
}

// ----- reverse delay --------------------------------------------------------------------------

#[test]
fn a_reverse_59_seconds_after_is_too_early() {
    let original = lima(2026, 3, 10, 12, 0, 0);
    let now = original + SignedDuration::from_secs(59);
    assert_eq!(
        reverse_window(&peru(), original, now, default_reverse()),
        Err(WindowError::TooEarly {
            elapsed_secs: 59,
            required_secs: 60
        })
    );
}

#[test]
fn a_reverse_60_seconds_after_is_allowed() {
    let original = lima(2026, 3, 10, 12, 0, 0);
    let now = original + SignedDuration::from_secs(REVERSE_MIN_DELAY_SECS);
    assert_eq!(
        reverse_window(&peru(), original, now, default_reverse()),
        Ok(())
    );
}

#[test]
fn the_too_early_message_names_the_rule_and_the_values() {
    let err = WindowError::TooEarly {
        elapsed_secs: 59,
        required_secs: 60,
    };
    assert_eq!(
        err.to_string(),
        "a reverse needs at least 60 s after the original; 59 s elapsed"
    );
}

#[test]
fn every_market_defaults_to_the_seeds_one_minute_reverse_delay() {
    for &country in Country::ALL {
        assert_eq!(
            ReverseRule::default_for(country),
            ReverseRule::AfterAtLeast { secs: 60 }
        );
    }
}

#[test]
fn the_older_chile_29_second_rule_is_available_as_an_alternative() {
    let cal = MarketCalendar::for_country(Country::Chile);
    let original = ts("2026-03-10T15:00:00Z");
    let rule = ReverseRule::WithinAtMost { secs: 29 };
    assert_eq!(
        reverse_window(
            &cal,
            original,
            original + SignedDuration::from_secs(29),
            rule
        ),
        Ok(())
    );
    assert_eq!(
        reverse_window(
            &cal,
            original,
            original + SignedDuration::from_secs(30),
            rule
        ),
        Err(WindowError::TooLate {
            elapsed_secs: 30,
            limit_secs: 29
        })
    );
}

#[test]
fn a_request_before_the_original_is_refused() {
    let original = lima(2026, 3, 10, 12, 0, 0);
    let now = original - SignedDuration::from_secs(5);
    assert!(matches!(
        reverse_window(&peru(), original, now, default_reverse()),
        Err(WindowError::BeforeOriginal { elapsed_secs: -5 })
    ));
    assert!(matches!(
        void_window(&peru(), original, now),
        Err(WindowError::BeforeOriginal { .. })
    ));
    assert!(matches!(
        refund_window(&peru(), original, now),
        Err(WindowError::BeforeOriginal { .. })
    ));
}

// ----- the Lima cut-off -------------------------------------------------------------------------

#[test]
fn lima_23_59_is_04_59_utc_the_next_day() {
    assert_eq!(
        peru().cutoff_of(date(2026, 3, 10)),
        ts("2026-03-11T04:59:00Z")
    );
}

#[test]
fn a_void_at_23_58_59_lima_is_before_the_cut_off() {
    let cal = peru();
    let original = lima(2026, 3, 10, 9, 0, 0);
    let now = ts("2026-03-11T04:58:59Z");
    assert!(cal.is_before_cutoff_same_day(original, now));
    assert_eq!(void_window(&cal, original, now), Ok(()));
    assert_eq!(
        reverse_window(&cal, original, now, default_reverse()),
        Ok(())
    );
}

#[test]
fn a_void_at_exactly_23_59_00_lima_is_after_the_cut_off() {
    let cal = peru();
    let original = lima(2026, 3, 10, 9, 0, 0);
    let now = ts("2026-03-11T04:59:00Z");
    assert!(!cal.is_before_cutoff_same_day(original, now));
    assert_eq!(cal.business_day(now), date(2026, 3, 10));
    let after = Err(WindowError::AfterCutoff {
        cutoff: ts("2026-03-11T04:59:00Z"),
    });
    assert_eq!(void_window(&cal, original, now), after);
    assert_eq!(
        reverse_window(&cal, original, now, default_reverse()),
        after
    );
}

#[test]
fn a_reverse_across_midnight_lima_is_not_the_same_day() {
    let cal = peru();
    let original = lima(2026, 3, 10, 23, 30, 0);
    let now = lima(2026, 3, 11, 0, 0, 30);
    assert_eq!(cal.days_after(original, now), 1);
    assert_eq!(
        reverse_window(&cal, original, now, default_reverse()),
        Err(WindowError::NotSameDay)
    );
    assert_eq!(
        void_window(&cal, original, now),
        Err(WindowError::NotSameDay)
    );
}

#[test]
fn the_business_day_is_the_local_date_not_the_utc_date() {
    // 02:00 UTC on 11 March is 21:00 on 10 March in Lima.
    assert_eq!(
        peru().business_day(ts("2026-03-11T02:00:00Z")),
        date(2026, 3, 10)
    );
}

// ----- refunds ----------------------------------------------------------------------------------

#[test]
fn a_refund_the_same_day_before_the_cut_off_must_be_a_void() {
    let original = lima(2026, 3, 10, 9, 0, 0);
    let now = lima(2026, 3, 10, 18, 0, 0);
    assert_eq!(peru().days_after(original, now), 0);
    assert_eq!(
        refund_window(&peru(), original, now),
        Err(WindowError::SameDayUseVoid)
    );
}

#[test]
fn a_refund_the_same_day_after_the_cut_off_is_allowed() {
    let original = lima(2026, 3, 10, 9, 0, 0);
    let now = lima(2026, 3, 10, 23, 59, 30);
    assert_eq!(peru().days_after(original, now), 0);
    assert_eq!(refund_window(&peru(), original, now), Ok(()));
}

#[test]
fn a_refund_one_day_after_is_allowed() {
    let original = lima(2026, 3, 10, 9, 0, 0);
    let now = lima(2026, 3, 11, 0, 0, 1);
    assert_eq!(peru().days_after(original, now), 1);
    assert_eq!(refund_window(&peru(), original, now), Ok(()));
}

#[test]
fn a_refund_120_days_after_is_allowed() {
    let original = lima(2026, 1, 1, 9, 0, 0);
    let now = lima(2026, 5, 1, 23, 0, 0);
    assert_eq!(peru().days_after(original, now), REFUND_MAX_DAYS);
    assert_eq!(refund_window(&peru(), original, now), Ok(()));
}

#[test]
fn a_refund_121_days_after_has_expired() {
    let original = lima(2026, 1, 1, 9, 0, 0);
    let now = lima(2026, 5, 2, 0, 30, 0);
    assert_eq!(
        refund_window(&peru(), original, now),
        Err(WindowError::RefundExpired { days: 121 })
    );
}

#[test]
fn a_void_gets_three_attempts() {
    assert_eq!(MAX_VOID_ATTEMPTS, 3);
}

// ----- the time zone database -----------------------------------------------------------------

#[test]
fn each_market_uses_its_own_zone() {
    let zones: Vec<_> = [
        Country::Peru,
        Country::Chile,
        Country::Mexico,
        Country::Colombia,
    ]
    .into_iter()
    .map(|c| {
        MarketCalendar::for_country(c)
            .tz()
            .iana_name()
            .map(str::to_owned)
    })
    .collect();
    assert_eq!(
        zones,
        [
            "America/Lima",
            "America/Santiago",
            "America/Mexico_City",
            "America/Bogota"
        ]
        .map(|z| Some(z.to_owned()))
    );
}

#[test]
fn chiles_zone_really_has_daylight_saving_time() {
    let cal = MarketCalendar::for_country(Country::Chile);
    let january = cal.cutoff_of(date(2026, 1, 15));
    let july = cal.cutoff_of(date(2026, 7, 15));
    let jan_offset = cal.tz().to_offset(january);
    let jul_offset = cal.tz().to_offset(july);
    assert_ne!(jan_offset, jul_offset);
    // Summer UTC-3, winter UTC-4.
    assert_eq!(january, ts("2026-01-16T02:59:00Z"));
    assert_eq!(july, ts("2026-07-16T03:59:00Z"));
}

#[test]
fn limas_zone_has_no_daylight_saving_time() {
    let cal = peru();
    assert_eq!(
        cal.tz().to_offset(cal.cutoff_of(date(2026, 1, 15))),
        cal.tz().to_offset(cal.cutoff_of(date(2026, 7, 15)))
    );
}

// ----- clocks -----------------------------------------------------------------------------------

#[test]
fn a_switchable_clock_switches_to_manual_when_set() {
    let clock = SwitchableClock::system();
    assert_eq!(clock.mode(), ClockMode::System);
    let before = Timestamp::now();
    let now = clock.now();
    assert!(now >= before && now <= Timestamp::now());

    clock.set(ts("2026-03-10T12:00:00Z"));
    assert_eq!(clock.mode(), ClockMode::Manual);
    assert_eq!(clock.now(), ts("2026-03-10T12:00:00Z"));
    clock.advance_secs(60);
    assert_eq!(clock.now(), ts("2026-03-10T12:01:00Z"));

    clock.use_system();
    assert_eq!(clock.mode(), ClockMode::System);
    assert!(clock.now() >= before);
}

#[test]
fn advancing_a_switchable_clock_in_system_mode_starts_from_the_system_time() {
    let clock = SwitchableClock::system();
    let before = SystemClock.now();
    clock.advance_secs(3600);
    let after = SystemClock.now();
    assert_eq!(clock.mode(), ClockMode::Manual);
    let now = clock.now();
    assert!(now >= before + SignedDuration::from_hours(1));
    assert!(now <= after + SignedDuration::from_hours(1));
    // Frozen from now on.
    assert_eq!(clock.now(), now);
}

#[test]
fn resetting_a_switchable_clock_restores_its_initial_mode_and_start() {
    let start = ts("2026-03-10T12:00:00Z");
    let clock = SwitchableClock::manual(start);
    clock.advance_secs(500);
    clock.use_system();
    clock.reset();
    assert_eq!(clock.mode(), ClockMode::Manual);
    assert_eq!(clock.now(), start);

    let clock = SwitchableClock::system();
    clock.set(start);
    clock.reset();
    assert_eq!(clock.mode(), ClockMode::System);
}

#[test]
fn clock_modes_serialize_as_lowercase_names() {
    assert_eq!(
        serde_json::to_string(&ClockMode::Manual).unwrap(),
        "\"manual\""
    );
    assert_eq!(
        serde_json::from_str::<ClockMode>("\"system\"").unwrap(),
        ClockMode::System
    );
}

#[test]
fn an_arc_dyn_clock_is_usable_across_threads() {
    let manual = Arc::new(SwitchableClock::manual(ts("2026-03-10T12:00:00Z")));
    let clock: Arc<dyn Clock> = manual.clone();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let clock = Arc::clone(&clock);
            std::thread::spawn(move || clock.now())
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), ts("2026-03-10T12:00:00Z"));
    }
    manual.advance_secs(10);
    let seen = std::thread::spawn(move || clock.now()).join().unwrap();
    assert_eq!(seen, ts("2026-03-10T12:00:10Z"));
}
