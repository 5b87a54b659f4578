//! Every subcommand of `kushki-conformance`, run as a process the way an integrator or CI runs it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_kushki-conformance");

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kc-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small features folder: one Connect and two raw scenarios, one of them needing the clock.
fn small_features(dir: &Path, extra_raw: &str) -> PathBuf {
    let f = dir.join("features");
    std::fs::create_dir_all(f.join("raw")).unwrap();
    std::fs::create_dir_all(f.join("connect")).unwrap();
    std::fs::write(
        f.join("raw/sale.feature"),
        format!(
            "@doc:raw-single-payment\nFeature: Sale\n  Scenario: A sale is approved\n    When the terminal app charges 12.50 PEN\n    Then the transaction is approved\n\n  @virtual-time\n  Scenario: A reverse after a minute\n    Given an approved charge of 12.00 PEN\n    When 60 seconds pass\n    And the terminal app reverses the charge\n    Then the transaction is approved\n{extra_raw}"
        ),
    )
    .unwrap();
    std::fs::write(
        f.join("connect/charge.feature"),
        "@doc:connect-payments\nFeature: Charge\n  Scenario: A POS charge is approved\n    When the POS charges 12.50 PEN\n    Then the POS gets an approval\n",
    )
    .unwrap();
    f
}

fn run(args: &[&str], envs: &[(&str, &str)]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// `run --features FEATURES --out OUT --lines` with `extra` arguments.
fn run_suite(features: &Path, out: &Path, extra: &[&str], envs: &[(&str, &str)]) -> (i32, String) {
    let mut args = vec![
        "run",
        "--features",
        features.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--lines",
    ];
    args.extend_from_slice(extra);
    run(&args, envs)
}

#[test]
fn every_subcommand_has_help() {
    for sub in ["run", "serve", "verify", "check-package"] {
        let (code, text) = run(&[sub, "--help"], &[]);
        assert_eq!(code, 0, "{sub} --help: {text}");
        assert!(text.contains("Usage"), "{text}");
    }
}

#[test]
fn run_writes_the_reports_and_check_package_verifies_them() {
    let dir = temp("run");
    let features = small_features(&dir, "");
    let out = dir.join("report");
    let (code, text) = run_suite(
        &features,
        &out,
        &["--sign-key-env", "KC_TEST_KEY"],
        &[("KC_TEST_KEY", "s3cret-key")],
    );
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("5 passed, 0 failed, 0 skipped"),
        "3 Connect runs (one per topology) and 2 raw: {text}"
    );
    for file in ["junit.xml", "cucumber.json", "index.html", "manifest.json"] {
        assert!(out.join(file).is_file(), "{file} missing");
    }

    // JUnit: a real XML parser reads the counts.
    let xml = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("junit.xml is well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 5);
    assert!(doc.descendants().all(|n| !n.has_tag_name("failure")));

    // Cucumber JSON: valid against the format's schema.
    let cucumber: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cucumber.json")).unwrap()).unwrap();
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/schemas/cucumber-json.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the Cucumber JSON schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&cucumber)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "cucumber.json breaks its schema: {errors:?}"
    );

    // The package: intact, then signed, then tampered.
    let check_signed = |key| {
        run(
            &[
                "check-package",
                out.to_str().unwrap(),
                "--sign-key-env",
                "KC_TEST_KEY",
            ],
            &[("KC_TEST_KEY", key)],
        )
    };
    let (code, text) = check_signed("s3cret-key");
    assert_eq!(code, 0, "{text}");
    let (code, text) = check_signed("wrong-key");
    assert_ne!(code, 0, "a wrong key must fail: {text}");
    let mut html = std::fs::read(out.join("index.html")).unwrap();
    let last = html.len() - 2;
    html[last] ^= 0x01;
    std::fs::write(out.join("index.html"), html).unwrap();
    let (code, text) = run(&["check-package", out.to_str().unwrap()], &[]);
    assert_ne!(code, 0, "an altered file must fail: {text}");
    assert!(text.contains("index.html"), "{text}");
}

#[test]
fn a_failing_scenario_makes_run_exit_non_zero_and_the_report_says_so() {
    let dir = temp("fail");
    let features = small_features(
        &dir,
        "\n  Scenario: A typo\n    When the terminal app charges 12.50 PEN\n    Then the transaction is aproved\n",
    );
    let out = dir.join("report");
    let (code, text) = run_suite(&features, &out, &[], &[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("1 failed"), "{text}");
    let xml = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count(),
        1
    );
}

#[test]
fn a_remote_target_without_an_admin_api_skips_what_it_cannot_steer() {
    // A bare HTTP server that is not one of the mocks: every scenario needing the clock is
    // skipped with the reason, never counted as passed.
    let dir = temp("skip");
    let features = small_features(&dir, "");
    let out = dir.join("report");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let acquirer = rt
        .block_on(mock_acquirer::spawn(mock_acquirer::Config::default()))
        .unwrap();
    // Hide the admin API behind a path the probe does not find: point at a prefix.
    let target = format!("acquirer://{}/not-a-mock", acquirer.uri());
    let (code, text) = run_suite(&features, &out, &["--target", &target], &[]);
    // Against the wrong base path the raw scenario fails (404), and the clock one is skipped.
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("1 skipped"), "{text}");
    let xml = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let skipped: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .collect();
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0]
            .attribute("message")
            .unwrap_or("")
            .contains("@virtual-time")
    );
    drop(acquirer);
}

#[test]
fn serve_runs_the_mocks_until_interrupted_and_verify_checks_their_journal() {
    let dir = temp("serve");
    let journal = dir.join("journal.jsonl");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--acquirer-listen",
            "127.0.0.1:0",
            "--terminal",
            "PB04209860189@127.0.0.1:0",
            "--clock",
            "manual",
            "--start-time",
            "2026-03-24T15:00:00Z",
            "--journal",
            journal.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let acquirer = first
        .strip_prefix("mock-acquirer listening on ")
        .expect(&first)
        .to_string();
    let mut banner = vec![first];
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.starts_with("Ctrl-C");
        banner.push(line);
        if done {
            break;
        }
    }
    let banner = banner.join("\n");
    assert!(
        banner.contains("Private-Credential-Id: mock-private-credential-0001"),
        "{banner}"
    );
    assert!(banner.contains("Business-Code"), "{banner}");
    assert!(
        banner
            .contains("mock-terminal PB04209860189 (PER, SUNMI P3) listening on http://127.0.0.1:"),
        "{banner}"
    );

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::new();
        let body = json!({"transaction_mode": "Authorization", "transaction_type": "charge",
            "client_transaction_id": uuid::Uuid::new_v4().to_string(),
            "amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 12.5},
            "card_details": {"reading_type": "ICC", "enc_tlv": "5A084111111111111111"}});
        let r = http
            .post(format!("{acquirer}/pos/v1/transaction"))
            .header("Private-Credential-Id", "mock-private-credential-0001")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    });
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = wait(&mut child, Duration::from_secs(10));
    assert_eq!(exit, Some(0), "serve exits cleanly on Ctrl-C");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|l| l.contains("journal flushed")),
        "{rest:?}"
    );
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(
        text.lines().any(|l| l.contains("/pos/v1/transaction")),
        "the journal file has the charge"
    );
    assert!(
        !text.contains("4111111111111111"),
        "the journal masks the PAN"
    );

    let out = dir.join("verify");
    let (code, report) = run(
        &[
            "verify",
            "--journal",
            journal.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{report}");
    let (code, report) = run(
        &[
            "verify",
            "--journal",
            journal.to_str().unwrap(),
            "--profile",
            "certification",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        code, 1,
        "one approved sale is not a certification: {report}"
    );
    assert!(report.contains("FAIL a void"), "{report}");
}

fn wait(child: &mut std::process::Child, limit: Duration) -> Option<i32> {
    let end = std::time::Instant::now() + limit;
    while std::time::Instant::now() < end {
        if let Ok(Some(s)) = child.try_wait() {
            return s.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    None
}

#[test]
fn the_html_report_shows_its_summary_numbers_in_a_real_browser() {
    let dir = temp("html");
    let features = small_features(&dir, "");
    let out = dir.join("report");
    let (code, text) = run_suite(&features, &out, &[], &[]);
    assert_eq!(code, 0, "{text}");
    let page = out.join("index.html").canonicalize().unwrap();
    let profile = dir.join("chromium-profile");
    let dom = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}", page.display()),
        ])
        .output()
        .expect("Debian's chromium is installed (.ci/run installs it)");
    let dom = String::from_utf8_lossy(&dom.stdout);
    let number = |id: &str| -> Option<String> {
        let start = dom.find(&format!("id=\"{id}\""))?;
        let rest = &dom[start..];
        let open = rest.find('>')? + 1;
        let close = rest[open..].find('<')?;
        Some(rest[open..open + close].trim().to_string())
    };
    assert_eq!(
        number("passed").as_deref(),
        Some("5"),
        "the rendered page: {}",
        &dom[..dom.len().min(2000)]
    );
    assert_eq!(number("failed").as_deref(), Some("0"));
    assert_eq!(number("skipped").as_deref(), Some("0"));
}
