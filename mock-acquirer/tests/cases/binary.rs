//! The `mock-acquirer` binary: it binds port 0, prints its address, and writes every exchange,
//! masked, through to its journal file before answering, so a SIGKILL loses nothing answered.

use crate::support::bodies::{self, With};
use crate::support::{Binary, LIMA_MORNING, check_schema, http_client, spawn_binary};

#[tokio::test]
async fn the_binary_prints_its_address_and_its_journal_file_survives_sigkill() {
    let journal = std::env::temp_dir().join(format!(
        "mock-acquirer-journal-{}.jsonl",
        uuid::Uuid::new_v4()
    ));
    let Binary { mut child, base } = spawn_binary(&journal, &[]).await;
    assert!(
        base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"),
        "the first line gives the bound address: {base}"
    );

    let http = http_client();
    let pan = "4000000000000002";
    let body = bodies::charge("100.00", "PEN").with("card_details", bodies::clear_icc(pan));
    let resp = http
        .post(format!("{base}/pos/v1/transaction"))
        .header("content-type", "application/json")
        .header("Private-Credential-Id", mock_acquirer::DEFAULT_CREDENTIAL)
        .body(body.to_string())
        .send()
        .await
        .expect("charge");
    let status = resp.status().as_u16();
    let answer: serde_json::Value = resp.json().await.expect("JSON answer");
    check_schema("binary charge", "/pos/v1/transaction", status, &answer);
    assert_eq!(answer["transaction_status"], "APPROVAL", "{answer}");

    child.kill().await.expect("SIGKILL the binary");

    let text = std::fs::read_to_string(&journal).expect("the journal file exists");
    let _ = std::fs::remove_file(&journal);
    let entries: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(
        entries.len(),
        1,
        "the answered exchange is in the file: {text}"
    );
    let e = &entries[0];
    assert_eq!(e["path"], "/pos/v1/transaction");
    assert_eq!(e["status"], 200);
    assert_eq!(
        e["time"], LIMA_MORNING,
        "the manual clock started at --start-time"
    );
    assert_eq!(
        e["response"]["transaction_reference"],
        answer["transaction_reference"]
    );
    assert_eq!(e["client_transaction_id"], body["client_transaction_id"]);
    assert!(
        !text.contains(pan),
        "the PAN never appears in the file: {text}"
    );
    assert!(
        !text.contains(&format!("5A08{pan}")),
        "the clear TLV never appears: {text}"
    );
}
