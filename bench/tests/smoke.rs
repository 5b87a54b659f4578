//! The benchmark runs end to end with tiny numbers (items 1 to 3, a few hundred milliseconds
//! each), so a broken workload fails `cargo test` rather than a release run.

use std::time::Duration;

use kushki_bench::Options;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_run_measures_every_load_without_a_failed_request() {
    let opts = Options {
        measure: Duration::from_millis(300),
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
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["conditions"]["build"], "debug");
    assert!(report.table().contains("× baseline"));
}
