//! HTTPS end to end, verification on: an acquirer serving HTTPS (raw API and cloud relay) under
//! a store CA, and a terminal that reaches it only through `https://` and `wss://` URLs, trusts
//! that CA, and serves Connect over its own HTTPS listener (the terminal's 6869, on port 0 here).

mod support;

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use kushki_mock_support::tls::Tls;
use kushki_protocol::schemas::SchemaKind;
use support::pos::Pos;
use support::{BUSINESS_CODE, SERIAL, START, World, assert_schema, charge};

/// A client trusting the store's CA and nothing else.
fn trusting(tls: &Tls) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(tls.ca_pem().as_bytes()).unwrap())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// The store: one CA, an acquirer with an HTTPS listener, a terminal whose acquirer hop and
/// cloud link use only that listener, and which serves HTTPS itself.
async fn https_store() -> (World, Arc<Tls>) {
    let tls = Arc::new(Tls::generate().expect("a CA"));
    let start: Timestamp = START.parse().unwrap();
    let acquirer = mock_acquirer::spawn(mock_acquirer::Config {
        tls_listen: Some("127.0.0.1:0".parse().unwrap()),
        tls: Some(tls.clone()),
        ..mock_acquirer::Config::manual_at(start)
    })
    .await
    .unwrap();
    let secure = acquirer.tls_uri().expect("the acquirer's HTTPS listener");
    assert!(secure.starts_with("https://"), "{secure}");
    let terminal = mock_terminal::spawn(mock_terminal::Config {
        serial: SERIAL.into(),
        business_code: BUSINESS_CODE.into(),
        acquirer_url: secure.clone(),
        cloud_url: Some(secure),
        shared_clock: Some(acquirer.state().clock.clone()),
        tls_listen: Some("127.0.0.1:0".parse().unwrap()),
        tls: Some(tls.clone()),
        trust_ca_pem: Some(tls.ca_pem()),
        ..mock_terminal::Config::default()
    })
    .await
    .unwrap();
    assert!(
        terminal.wait_for_cloud(Duration::from_secs(5)).await,
        "the terminal never linked to the relay over wss://"
    );
    let admin = trusting(&tls);
    (
        World {
            acquirer,
            terminal,
            admin,
        },
        tls,
    )
}

fn pos(base: String, w: &World, tls: &Tls) -> Pos {
    Pos {
        http: trusting(tls),
        base,
        keys: w.keys(),
    }
}

#[tokio::test]
async fn a_charge_is_approved_over_the_relay_and_the_terminals_https_listener_with_an_https_acquirer()
 {
    let (w, tls) = https_store().await;
    let acquirer_https = w.acquirer.tls_uri().unwrap();
    let terminal_https = w.terminal.tls_uri().expect("the terminal's HTTPS listener");
    assert!(terminal_https.starts_with("https://"), "{terminal_https}");
    let paths = [
        (
            "cloud relay over HTTPS",
            format!("{acquirer_https}/terminal/v1/{SERIAL}"),
            "sync/charge",
        ),
        (
            "the terminal's HTTPS listener",
            format!("{terminal_https}/terminal/v1"),
            "charge",
        ),
    ];
    for (i, (what, base, route)) in paths.into_iter().enumerate() {
        let a = pos(base, &w, &tls)
            .post(route, &charge(&format!("tls-{i}"), 1250), w.now())
            .await;
        assert_eq!(a.status, 200, "{what}: {a:?}");
        assert!(a.encrypted, "{what}: answers are encrypted");
        assert_schema(SchemaKind::ConnectOperationResponse, &a.body);
        assert_eq!(a.body["approved"], true, "{what}: {a:?}");
    }
    let charges = w
        .acquirer_operations()
        .iter()
        .filter(|o| *o == "charge")
        .count();
    assert_eq!(charges, 2, "one raw charge over HTTPS per Connect charge");
}

#[tokio::test]
async fn the_ca_is_served_on_the_admin_api_and_absent_without_https() {
    let (w, tls) = https_store().await;
    for base in [
        w.terminal.tls_uri().unwrap(),
        w.terminal.uri(),
        w.acquirer.tls_uri().unwrap(),
    ] {
        let r = w
            .admin
            .get(format!("{base}/__admin/tls/ca.pem"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{base}");
        assert_eq!(
            r.headers()["content-type"],
            "application/x-pem-file",
            "{base}"
        );
        assert_eq!(r.text().await.unwrap(), tls.ca_pem(), "{base}");
    }
    let plain = support::world().await;
    let r = plain
        .admin
        .get(format!("{}/__admin/tls/ca.pem", plain.terminal.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["field"], "tls", "{body}");
    assert!(plain.terminal.tls_uri().is_none() && plain.acquirer.tls_uri().is_none());
}
