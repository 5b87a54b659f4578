//! `cargo test` runs the whole conformance suite against the embedded mocks: Connect features
//! once per topology (LAN, localhost, cloud), raw features against the acquirer. Any failed,
//! undefined or unparsable scenario fails the test.

use conformance_reports::model::Status;
use kushki_conformance::runner::{Options, default_features_dir, run};

#[tokio::main]
async fn main() {
    let opts = Options::mock(&default_features_dir());
    let started = std::time::Instant::now();
    let result = run(&opts).await.expect("the suite runs");
    let totals = result.totals();
    println!(
        "conformance: {} scenarios in {:.1} s",
        totals.passed + totals.failed + totals.skipped,
        started.elapsed().as_secs_f64()
    );
    for e in &result.errors {
        println!("error: {e}");
    }
    let skipped_against_mocks: Vec<String> = result
        .scenarios()
        .filter(|(_, s)| s.status == Status::Skipped)
        .map(|(f, s)| format!("{}:{} {}", f.path, s.line, s.name))
        .collect();
    // The mocks offer every capability: nothing may be skipped against them.
    let failed = totals.failed + skipped_against_mocks.len() + result.errors.len();
    println!("{} passed, {} failed", totals.passed, failed);
    if failed > 0 || totals.passed == 0 {
        for s in skipped_against_mocks {
            println!("skipped against the mocks: {s}");
        }
        std::process::exit(1);
    }
}
