//! The whole suite against `serve` started as a separate process, over each topology, the way an
//! integrator runs it against anything the suite did not start itself: every scenario passes or
//! is skipped with a stated reason, none fails for the harness's own reasons.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_kushki-conformance");

/// One whole-suite run at a time: libtest runs these tests in parallel, and three suites against
/// three debug `serve`s on two cores would measure the machine, not the harness.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner())
}

/// A `serve` process, killed on drop.
struct Served {
    child: Child,
    acquirer: String,
    terminal: String,
    /// HTTPS base URLs from the banner: the acquirer's, then the terminal's.
    https: Vec<String>,
    /// The CA file named in the banner.
    ca: Option<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` on free ports and reads the addresses from its banner.
fn serve() -> Served {
    serve_with(&["--terminal", "PB04209860189@127.0.0.1:0"])
}

fn serve_with(args: &[&str]) -> Served {
    let mut child = Command::new(BIN)
        .args(["serve", "--acquirer-listen", "127.0.0.1:0"])
        .args(args)
        .env_remove("KUSHKI_TERMINALS")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("serve starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let (mut acquirer, mut terminal) = (None, None);
    let (mut https, mut ca) = (Vec::new(), None);
    for line in lines.by_ref() {
        let line = line.expect("a banner line");
        let url = line.split(" listening on ").nth(1).map(str::to_string);
        if line.starts_with("mock-acquirer") {
            acquirer = url;
        } else if line.starts_with("mock-terminal") {
            terminal = url;
        } else if let Some(url) = line.trim().strip_prefix("HTTPS") {
            https.push(
                url.trim()
                    .trim_end_matches("/terminal/v1/sync/{operation}")
                    .to_string(),
            );
        } else if let Some(file) = line.strip_prefix("CA certificate") {
            ca = file.split_whitespace().next().map(str::to_string);
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
        https,
        ca,
    }
}

/// Runs the suite against `target`; returns (passed, failed, skipped, the output).
fn run(target: &str) -> (u32, u32, u32, String) {
    run_with(target, &[])
}

fn run_with(target: &str, extra: &[&str]) -> (u32, u32, u32, String) {
    let out = std::env::temp_dir().join(format!(
        "kc-remote-{}-{}",
        target.split(':').next().unwrap_or("t"),
        std::process::id()
    ));
    let started = Instant::now();
    let output = Command::new(BIN)
        .args(["run", "--lines", "--target", target, "--out"])
        .arg(&out)
        .args(extra)
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
    let _serial = one_at_a_time();
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

#[test]
fn the_suite_passes_over_https_trusting_the_stores_ca_and_an_untrusting_client_is_refused() {
    let _serial = one_at_a_time();
    let dir = std::env::temp_dir().join(format!("kc-remote-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    let served = serve_with(&[
        "--acquirer-tls-listen",
        "127.0.0.1:0",
        "--terminal",
        "PB04209860189@127.0.0.1:0,tls=127.0.0.1:0",
        "--ca-file",
        ca_file.to_str().unwrap(),
    ]);
    assert_eq!(
        served.ca.as_deref(),
        ca_file.to_str(),
        "the banner names the CA file"
    );
    let [acquirer, terminal] = served.https.as_slice() else {
        panic!("two HTTPS listeners in the banner: {:?}", served.https)
    };
    let ca = ca_file.to_str().unwrap();
    for target in [
        format!("lan://{terminal}"),
        format!("cloud://{acquirer}"),
        format!("acquirer://{acquirer}"),
    ] {
        let (passed, failed, skipped, text) = run_with(&target, &["--ca-cert", ca]);
        assert_eq!(failed, 0, "{target}: scenarios failed:\n{text}");
        assert!(passed >= 95, "{target}: only {passed} passed:\n{text}");
        assert!(skipped <= 4, "{target}: {skipped} skipped:\n{text}");
    }
    // Without the CA, the same server is refused at the handshake, at once: no hang, no answer.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let err = rt
        .block_on(async {
            reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap()
                .get(format!("{terminal}/__admin/health"))
                .send()
                .await
        })
        .expect_err("an untrusted certificate is refused");
    assert!(
        !err.is_timeout() && started.elapsed() < std::time::Duration::from_secs(5),
        "refused at the handshake, not by a timeout: {err:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_suite_passes_against_a_terminal_only_serve_beside_a_separate_acquirer() {
    let _serial = one_at_a_time();
    // A store of separate processes, as separate containers make it: one `serve` holds the
    // acquirer and relay, another only the terminal, which finds them by host name.
    let acquirer = serve_with(&["--terminal", "UNUSED0001@127.0.0.1:0"]);
    let port = acquirer.acquirer.rsplit(':').next().unwrap_or_default();
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--acquirer-url",
            &format!("http://localhost:{port}"),
        ])
        .args(["--terminal", "PB04209860189@127.0.0.1:0"])
        .env_remove("KUSHKI_TERMINALS")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("a terminal-only serve starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let terminal = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.starts_with("mock-terminal")
                .then(|| l.split(" listening on ").nth(1).map(str::to_string))
                .flatten()
        })
        .expect("the terminal's address in the banner");
    std::thread::spawn(move || for _ in lines {});
    let terminal_only = Served {
        child,
        acquirer: acquirer.acquirer.clone(),
        terminal,
        https: Vec::new(),
        ca: None,
    };
    for target in [
        format!(
            "lan://{}",
            terminal_only.terminal.trim_start_matches("http://")
        ),
        format!(
            "cloud://{}",
            acquirer.acquirer.trim_start_matches("http://")
        ),
    ] {
        let (passed, failed, skipped, text) = run(&target);
        assert_eq!(failed, 0, "{target}: scenarios failed:\n{text}");
        assert!(passed >= 95, "{target}: only {passed} passed:\n{text}");
        assert!(skipped <= 4, "{target}: {skipped} skipped:\n{text}");
        skips_are_for_other_markets(&text);
    }
}
