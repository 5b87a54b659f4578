//! The benchmark runs end to end with tiny numbers (items 1 to 3, a few hundred milliseconds
//! each), so a broken workload fails `cargo test` rather than a release run.

use std::time::Duration;

use kushki_bench::Options;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_run_measures_every_load_without_a_failed_request() {
    let opts = Options {
        measure: Duration::from_millis(150),
        rounds: 2,
        warmup: Duration::from_millis(50),
        connections: 4,
        low_connections: 2,
        terminals: 3,
        items: vec![1, 2, 3],
        bin_dir: None,
        ..Options::default()
    };
    let report = kushki_bench::run(&opts).await;
    assert!(report.notes.is_empty(), "{}", report.text());
    for item in ["1", "2", "3"] {
        let rps = report
            .rows
            .iter()
            .find(|r| r.item == item && r.figure == "req/s")
            .unwrap_or_else(|| panic!("no req/s row for item {item}:\n{}", report.text()));
        assert!(rps.value > 0.0, "{}", report.text());
    }
    // Each round measured every load once, and the figures pool both rounds.
    assert_eq!(report.rounds.len(), 2, "{}", report.text());
    for r in &report.rounds {
        assert!(
            r.baseline_rps.is_some() && r.raw_rps.is_some() && r.connect_rps.is_some(),
            "{}",
            report.text()
        );
    }
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["conditions"]["rounds"], 2);
    assert_eq!(json["conditions"]["build"], "debug");
    assert!(report.table().contains("× baseline"));
}
