//! Faults around the mock acquirer (issue 9): the process killed with SIGKILL in the middle of a
//! load loses no exchange it had answered, and a webhook receiver that is down or hung costs the
//! clients nothing and ends in a journaled failure after bounded retries.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mock_acquirer::{Config, DEFAULT_CREDENTIAL};
use serde_json::Value;

use support::bodies;
use support::{Binary, LIMA_MORNING, http_client, spawn_app_with, spawn_binary};

/// Loaders hammering the binary while it is killed.
const LOADERS: usize = 16;
/// Answers to collect before the kill.
const ANSWERED_BEFORE_KILL: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigkill_mid_load_loses_no_exchange_the_acquirer_had_answered() {
    let journal = std::env::temp_dir().join(format!(
        "mock-acquirer-sigkill-{}.jsonl",
        uuid::Uuid::new_v4()
    ));
    let Binary { mut child, base } = spawn_binary(&journal, &["--test-delay-secs", "0"]).await;

    // (client_transaction_id, transaction_reference) of every 200 a loader received in full.
    let answered: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let loaders: Vec<_> = (0..LOADERS)
        .map(|_| {
            let (base, answered) = (base.clone(), answered.clone());
            tokio::spawn(async move {
                let http = http_client();
                let mut transport_errors = 0;
                loop {
                    let body = bodies::charge("12.34", "PEN");
                    let sent = http
                        .post(format!("{base}/pos/v1/transaction"))
                        .header("content-type", "application/json")
                        .header("Private-Credential-Id", DEFAULT_CREDENTIAL)
                        .timeout(Duration::from_secs(5))
                        .body(body.to_string())
                        .send()
                        .await;
                    let answer = match sent {
                        Ok(resp) if resp.status() == 200 => resp.json::<Value>().await.ok(),
                        Ok(resp) => panic!("HTTP {} under load", resp.status()),
                        Err(_) => None,
                    };
                    match answer {
                        Some(a) => answered.lock().unwrap().push((
                            body["client_transaction_id"].as_str().unwrap().to_string(),
                            a["transaction_reference"].as_str().unwrap().to_string(),
                        )),
                        // The process is gone: this loader is done.
                        None => {
                            transport_errors += 1;
                            if transport_errors >= 2 {
                                return;
                            }
                        }
                    }
                }
            })
        })
        .collect();
    let started = Instant::now();
    while answered.lock().unwrap().len() < ANSWERED_BEFORE_KILL {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the load never reached {ANSWERED_BEFORE_KILL} answers"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().await.expect("SIGKILL the binary");
    for l in loaders {
        l.await.expect("a loader panicked");
    }

    let text = std::fs::read_to_string(&journal).expect("the journal file exists");
    let _ = std::fs::remove_file(&journal);
    let mut entries = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<Value>(line) {
            Ok(v) => entries.push(v),
            // Only the line being written at the kill may be torn, and no client got its answer.
            Err(e) => assert_eq!(i + 1, lines.len(), "line {i} of the journal is torn ({e})"),
        }
    }
    let answered = answered.lock().unwrap().clone();
    for (id, reference) in &answered {
        let found = entries.iter().any(|e| {
            e["client_transaction_id"] == id.as_str()
                && e["status"] == 200
                && e["response"]["transaction_reference"] == reference.as_str()
        });
        assert!(
            found,
            "the answered charge {id} ({reference}) is not in the journal file; {} answers, {} entries",
            answered.len(),
            entries.len()
        );
    }
    assert!(
        entries.len() >= answered.len(),
        "{} entries for {} answers",
        entries.len(),
        answered.len()
    );
    eprintln!(
        "sigkill: {} answers received, {} entries in the file",
        answered.len(),
        entries.len()
    );
}

/// A port nobody listens on.
async fn closed_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_receiver_that_is_down_gets_bounded_retries_then_a_journaled_failure() {
    let mut config = Config::manual_at(LIMA_MORNING.parse().unwrap());
    config.webhook = Some(mock_acquirer::config::WebhookTarget {
        url: format!("http://127.0.0.1:{}/hook", closed_port().await),
        key: kushki_protocol::mask::Sensitive::new("whsec-test"),
    });
    let app = spawn_app_with(config).await;
    let started = Instant::now();
    app.charge("100.00", "PEN")
        .await
        .approved("a charge is answered whatever the receiver does");
    let failure = app
        .wait_for_entry("with the webhook's final failure", |e| {
            e["hop"] == "webhook" && e["violations"].to_string().contains("gave up after 3")
        })
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "three refused connections took {:?}",
        started.elapsed()
    );
    let attempts: Vec<Value> = app.journal_of("webhook").await;
    assert_eq!(
        attempts.len(),
        3,
        "three attempts, each journaled: {attempts:?}"
    );
    assert_eq!(failure["status"], 0, "no answer was received: {failure}");
    assert!(
        attempts.iter().all(|a| a["note"]
            .as_str()
            .is_some_and(|n| n.contains("delivery failed"))),
        "{attempts:?}"
    );
}

#[tokio::test]
async fn a_hung_receiver_does_not_delay_the_answer_to_the_client() {
    // Accepts connections and never answers.
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = hung.local_addr().unwrap().port();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = hung.accept().await {
            held.push(s);
        }
    });
    let mut config = Config::manual_at(LIMA_MORNING.parse().unwrap());
    config.webhook = Some(mock_acquirer::config::WebhookTarget {
        url: format!("http://127.0.0.1:{port}/hook"),
        key: kushki_protocol::mask::Sensitive::new("whsec-test"),
    });
    let app = spawn_app_with(config).await;
    for _ in 0..5 {
        let started = Instant::now();
        app.charge("100.00", "PEN")
            .await
            .approved("a charge with a hung receiver");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "the answer waited for the webhook: {:?}",
            started.elapsed()
        );
    }
    // Deliveries are still pending (each bounded by the delivery timeout); none was journaled
    // as delivered.
    let delivered = app
        .journal()
        .await
        .into_iter()
        .filter(|e| e["hop"] == "webhook" && e["status"] == 200)
        .count();
    assert_eq!(delivered, 0);
    holder.abort();
}
