//! The runner fails what it must: an undefined step, and a rule the implementation breaks.

use conformance_reports::model::Status;
use kushki_conformance::collector::Progress;
use kushki_conformance::runner::{Options, default_features_dir, run};
use kushki_conformance::target::Target;

fn temp_features(name: &str, raw_feature: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("raw")).unwrap();
    std::fs::write(dir.join("raw/check.feature"), raw_feature).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undefined_step_fails_the_run_instead_of_being_skipped() {
    let dir = temp_features(
        "undefined",
        "Feature: check\n  Scenario: typo\n    When the terminal app charges 12.00 PEN\n    Then the transaction is aproved\n",
    );
    let mut opts = Options::mock(&dir);
    opts.progress = Progress::Quiet;
    let result = run(&opts).await.unwrap();
    let (_, s) = result.scenarios().next().expect("one scenario ran");
    assert_eq!(s.status, Status::Failed);
    let step = s
        .steps
        .iter()
        .find(|st| st.text.contains("aproved"))
        .expect("the undefined step is reported");
    assert!(
        step.message
            .as_deref()
            .unwrap_or("")
            .contains("no step definition"),
        "{step:?}"
    );
    assert!(result.failed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reverse_feature_fails_against_an_acquirer_whose_sixty_second_rule_is_switched_off() {
    // A real mock acquirer, reached as a remote target, configured with the sixty-second rule
    // broken (a reverse allowed at once). Configured, not switched off by a behaviour: each
    // scenario starts a remote mock afresh (`/__admin/reset`), back to its configuration.
    let mut config = mock_acquirer::Config::default();
    for (country, rule) in &mut config.rules.reverse_rules {
        if *country == kushki_protocol::raw::Country::Peru {
            *rule = kushki_protocol::calendar::ReverseRule::AfterAtLeast { secs: 0 };
        }
    }
    let acquirer = mock_acquirer::spawn(config).await.unwrap();
    let mut opts = Options::mock(&default_features_dir());
    opts.target = Target::Acquirer(acquirer.uri());
    opts.tags = Some("@req:raw.reverse.min-delay".into());
    opts.progress = Progress::Quiet;
    let dir = temp_features(
        "reverse",
        &std::fs::read_to_string(default_features_dir().join("raw/reverse.feature")).unwrap(),
    );
    opts.features = dir;
    let result = run(&opts).await.unwrap();
    let broken: Vec<_> = result
        .scenarios()
        .filter(|(_, s)| s.status == Status::Failed)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        broken.len(),
        1,
        "exactly the 59-second scenario must fail: {:#?}",
        result.features
    );
    assert!(broken[0].name.contains("59 seconds"));
    let message = broken[0]
        .steps
        .iter()
        .find_map(|s| s.message.clone())
        .unwrap();
    assert!(
        message.contains("expected HTTP 400 with code E902"),
        "the failure names the rule's expectation: {message}"
    );
    let passed = result
        .scenarios()
        .filter(|(_, s)| s.status == Status::Passed)
        .count();
    assert_eq!(passed, 1, "the 60-second scenario still passes");
}
