//! The image, started through the module as an integrator's test starts it. Every test needs a
//! Docker engine and the image (`container/build.sh`): libtest cannot decide that at run time, so
//! they are `#[ignore]`d with the reason and `.ci/run` runs them with `--include-ignored`.

use std::time::{Duration, Instant};

use kushki_conformance::runner::{self, Options};
use kushki_conformance::target::Target;
use kushki_protocol::auth::{self, Credentials};
use kushki_testcontainers::{KushkiMocks, KushkiMocksExt as _};
use serde_json::{Value, json};
use testcontainers::core::WaitFor;
use testcontainers::core::wait::ExitWaitStrategy;
use testcontainers::runners::AsyncRunner as _;
use testcontainers::{GenericImage, ImageExt as _};

const NEEDS_DOCKER: &str = "needs a Docker engine and the kushki-conformance image";

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("a client")
}

/// A signed and encrypted Connect charge, as a POS sends it (ref §1.5); the decrypted answer.
async fn connect_charge(
    client: &reqwest::Client,
    url: &str,
    business_code: &str,
    serial: &str,
) -> Value {
    let creds = Credentials::new(business_code, serial);
    let ts = jiff::Timestamp::now().as_second();
    let payload = json!({
        "client_transaction_id": uuid_like(),
        "amount": {"subtotal_iva": 0, "subtotal_iva0": 1250, "iva": 0}
    });
    let sealed = auth::seal_request(&creds, ts, &payload.to_string()).expect("sealed");
    let resp = client
        .post(url)
        .header("Authorization", sealed.authorization)
        .header("timestamp", sealed.timestamp)
        .header("content-type", "application/json")
        .body(sealed.body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = resp.status();
    let body = resp.text().await.expect("a body");
    let clear = auth::open_response(&creds, ts, &body)
        .unwrap_or_else(|e| panic!("{url} answered {status} {body}: {e}"));
    serde_json::from_str(&clear).expect("JSON")
}

fn uuid_like() -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (n >> 64) as u32,
        (n >> 48) as u16,
        (n >> 36) as u16 & 0xfff,
        (n >> 24) as u16 & 0xfff,
        n as u64 & 0xffff_ffff_ffff
    )
}

async fn raw_charge(client: &reqwest::Client, base: &str, credential: &str) -> (u16, Value) {
    let body = json!({
        "transaction_mode": "Authorization",
        "transaction_type": "charge",
        "client_transaction_id": uuid_like(),
        "amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 12.50},
        "card_details": {"reading_type": "ICC", "enc_tlv": "5A084111111111111111",
            "tracks": {"enc_track2": "4111111111111111D3012", "track_ksn": "FFFF4357486333600003"}}
    });
    let resp = client
        .post(format!("{base}/pos/v1/transaction"))
        .header("Private-Credential-Id", credential)
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{base}: {e}"));
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
#[ignore = "needs a Docker engine and the kushki-conformance image"]
async fn the_image_answers_a_signed_connect_charge_and_a_raw_charge() {
    let mocks = KushkiMocks::default().start().await.expect(NEEDS_DOCKER);
    let urls = mocks.endpoints().await.expect("endpoints");
    let client = http();
    let lan = connect_charge(
        &client,
        &format!("{}/terminal/v1/sync/charge", urls.terminal_lan_url),
        &urls.business_code,
        &urls.serial,
    )
    .await;
    assert_eq!(lan["approved"], true, "LAN charge: {lan}");
    let cloud = connect_charge(
        &client,
        &format!("{}/terminal/v1/{}/sync/charge", urls.relay_url, urls.serial),
        &urls.business_code,
        &urls.serial,
    )
    .await;
    assert_eq!(cloud["approved"], true, "cloud charge: {cloud}");
    let (status, raw) = raw_charge(&client, &urls.raw_api_url, &urls.credential).await;
    assert_eq!(status, 200, "raw charge: {raw}");
    assert_eq!(raw["transaction_status"], "APPROVAL", "raw charge: {raw}");
}

/// Runs the whole suite in this process against `target`; returns the totals.
async fn suite(target: Target) -> (usize, usize, usize, Vec<String>) {
    let started = Instant::now();
    let mut opts = Options::mock(&runner::default_features_dir());
    opts.target = target.clone();
    opts.progress = kushki_conformance::collector::Progress::Quiet;
    let run = runner::run(&opts).await.expect("the suite runs");
    let t = run.totals();
    let mut problems = Vec::new();
    for (f, s) in run.scenarios() {
        match s.status {
            conformance_reports::model::Status::Failed => problems.push(format!(
                "FAILED {}:{} {}: {:?}",
                f.path,
                s.line,
                s.name,
                s.steps
                    .iter()
                    .filter_map(|st| st.message.clone())
                    .collect::<Vec<_>>()
            )),
            conformance_reports::model::Status::Skipped => {
                let reason = s.skip_reason.clone().unwrap_or_default();
                if !reason.contains("the terminal under test is configured for PER") {
                    problems.push(format!(
                        "SKIPPED {}:{} {}: {reason}",
                        f.path, s.line, s.name
                    ));
                }
            }
            conformance_reports::model::Status::Passed => {}
        }
    }
    println!(
        "{target}: {} passed, {} failed, {} skipped in {:.1} s",
        t.passed,
        t.failed,
        t.skipped,
        started.elapsed().as_secs_f64()
    );
    (t.passed, t.failed, t.skipped, problems)
}

#[tokio::test]
#[ignore = "needs a Docker engine and the kushki-conformance image"]
async fn the_whole_suite_passes_against_the_container_over_the_docker_network() {
    // The network named: older engines (20.10) call the default one "default" in the container's
    // settings and 404 on inspecting it by that name.
    let mocks = KushkiMocks::default()
        .with_network("bridge")
        .start()
        .await
        .expect(NEEDS_DOCKER);
    let net = mocks.network_endpoints().await.expect("endpoints");
    // HTTPS as well, trusting the CA the container generated (before any client is built: the
    // suite's clients read the trusted CA once).
    let ca = mocks.ca_certificate().await.expect("the CA certificate");
    kushki_conformance::env::trust_ca(ca.as_bytes()).expect("a PEM certificate");
    for target in [
        Target::Lan(net.terminal_lan_url.clone()),
        Target::Cloud(net.relay_url.clone()),
        Target::Acquirer(net.raw_api_url.clone()),
        Target::Lan(net.terminal_https_url.clone()),
        Target::Cloud(net.acquirer_https_url.clone()),
        Target::Acquirer(net.acquirer_https_url.clone()),
    ] {
        let (passed, failed, _skipped, problems) = suite(target.clone()).await;
        assert!(
            problems.is_empty() && failed == 0,
            "{target}: {}",
            problems.join("\n")
        );
        assert!(passed >= 95, "{target}: only {passed} passed");
    }
}

#[tokio::test]
#[ignore = "needs a Docker engine and the kushki-conformance image"]
async fn the_images_own_run_reaches_the_mocks_by_name_on_a_docker_network() {
    // A user-defined network, as Compose makes: containers find each other by name, which a
    // static binary in a scratch image must resolve without glibc's NSS modules.
    let suffix = std::process::id();
    let network = format!("kushki-test-{suffix}");
    let name = format!("kushki-mocks-{suffix}");
    let _mocks = KushkiMocks::default()
        .with_network(&network)
        .with_container_name(&name)
        .start()
        .await
        .expect(NEEDS_DOCKER);
    for target in [
        format!("lan://{name}:6868"),
        format!("cloud://http://{name}:8080"),
        format!("acquirer://http://{name}:8080"),
    ] {
        let runner = GenericImage::new(kushki_testcontainers::IMAGE, "latest")
            .with_wait_for(WaitFor::exit(ExitWaitStrategy::new()))
            .with_network(&network)
            .with_cmd(["run", "--lines", "--target", target.as_str()])
            .with_startup_timeout(Duration::from_secs(300))
            .start()
            .await
            .expect("the runner container");
        let out =
            String::from_utf8_lossy(&runner.stdout_to_vec().await.expect("stdout")).into_owned();
        let summary = out
            .lines()
            .find(|l| l.contains(" passed, ") && l.contains(" failed, "))
            .unwrap_or_else(|| panic!("{target}: no summary in\n{out}"))
            .to_string();
        println!("image's run --target {target}: {summary}");
        assert!(summary.contains(" 0 failed"), "{target}: {out}");
        let passed: usize = summary
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_default();
        assert!(passed >= 95, "{target}: {summary}");
    }
}

#[tokio::test]
#[ignore = "needs a Docker engine and the kushki-conformance image"]
async fn a_client_that_does_not_trust_the_ca_gets_a_tls_failure_not_a_hang() {
    let mocks = KushkiMocks::default().start().await.expect(NEEDS_DOCKER);
    let urls = mocks.endpoints().await.expect("endpoints");
    for url in [&urls.terminal_https_url, &urls.acquirer_https_url] {
        let started = Instant::now();
        let err = http()
            .get(format!("{url}/__admin/health"))
            .send()
            .await
            .expect_err("an untrusted CA is refused");
        assert!(
            !err.is_timeout() && started.elapsed() < Duration::from_secs(5),
            "{url}: refused at the handshake, not by a timeout: {err:?}"
        );
    }
    // The same URL, trusting the CA, answers.
    let ca = mocks.ca_certificate().await.expect("the CA certificate");
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.as_bytes()).expect("PEM"))
        .build()
        .expect("a client");
    let ok = trusting
        .get(format!("{}/__admin/health", urls.terminal_https_url))
        .send()
        .await
        .expect("trusted");
    assert!(ok.status().is_success());
}
