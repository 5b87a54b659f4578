//! The whole suite against `serve` started as a separate process, over each topology, the way an
//! integrator runs it against anything the suite did not start itself: every scenario passes or
//! is skipped with a stated reason, none fails for the harness's own reasons.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_kushki-conformance");

/// A `serve` process, killed on drop.
struct Served {
    child: Child,
    acquirer: String,
    terminal: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on free ports and reads the addresses from its banner.
fn serve() -> Served {
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--acquirer-listen",
            "127.0.0.1:0",
            "--terminal",
            "PB04209860189@127.0.0.1:0",
        ])
        .env_remove("KUSHKI_TERMINALS")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("serve starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let (mut acquirer, mut terminal) = (None, None);
    for line in lines.by_ref() {
        let line = line.expect("a banner line");
        let url = line.split(" listening on ").nth(1).map(str::to_string);
        if line.starts_with("mock-acquirer") {
            acquirer = url;
        } else if line.starts_with("mock-terminal") {
            terminal = url;
        } else if line.starts_with("Ctrl-C") {
            break;
        }
    }
    // Keep reading, so `serve` never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Served {
        child,
        acquirer: acquirer.expect("the acquirer's address in the banner"),
        terminal: terminal.expect("the terminal's address in the banner"),
    }
}

/// Runs the suite against `target`; returns (passed, failed, skipped, the output).
fn run(target: &str) -> (u32, u32, u32, String) {
    let out = std::env::temp_dir().join(format!(
        "kc-remote-{}-{}",
        target.split(':').next().unwrap_or("t"),
        std::process::id()
    ));
    let started = Instant::now();
    let output = Command::new(BIN)
        .args(["run", "--lines", "--target", target, "--out"])
        .arg(&out)
        .env_remove("KUSHKI_BUSINESS_CODE")
        .env_remove("KUSHKI_SERIAL")
        .env_remove("KUSHKI_PRIVATE_CREDENTIAL_ID")
        .output()
        .expect("run starts");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let summary = text
        .lines()
        .find(|l| l.contains(" passed, ") && l.contains(" failed, "))
        .unwrap_or_else(|| panic!("no summary from run --target {target}:\n{text}"));
    let n = |word: &str| -> u32 {
        summary
            .split(", ")
            .find(|p| p.ends_with(word))
            .and_then(|p| p.split(' ').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("`{word}` in `{summary}`"))
    };
    println!(
        "{target}: {summary} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&out);
    (n("passed"), n("failed"), n("skipped"), text)
}

/// Every skip names a reason other than a missing capability: a mock has them all.
fn skips_are_for_other_markets(text: &str) {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("skip") {
            let reason = lines.next().unwrap_or_default();
            assert!(
                reason.contains("the terminal under test is configured for PER"),
                "{line}: skipped for another reason: {reason}"
            );
        }
    }
}

#[test]
fn the_whole_suite_passes_against_serve_over_every_topology() {
    let served = serve();
    let lan = served.terminal.trim_start_matches("http://").to_string();
    let port = lan.rsplit(':').next().unwrap_or_default().to_string();
    for target in [
        format!("lan://{lan}"),
        format!("localhost:{port}"),
        format!("cloud://{}", served.acquirer.trim_start_matches("http://")),
        format!("acquirer://{}", served.acquirer),
    ] {
        let (passed, failed, skipped, text) = run(&target);
        assert_eq!(failed, 0, "{target}: scenarios failed:\n{text}");
        assert!(passed >= 95, "{target}: only {passed} passed:\n{text}");
        assert!(skipped <= 4, "{target}: {skipped} skipped:\n{text}");
        skips_are_for_other_markets(&text);
    }
}
