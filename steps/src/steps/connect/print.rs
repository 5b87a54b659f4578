//! Printing on the terminal (ref §1.8; H9): the printer's state, print jobs, polling a job until
//! it ends, and the job's webhook.

use std::time::Duration;

use kushki_protocol::money::Amount;
use kushki_protocol::schemas::{self, SchemaKind};
use serde_json::{Value, json};

use crate::env::{Answer, Connect, Env, Mock, wait_until};
use crate::steps::common::require;
use crate::steps::{Step, step};
use crate::target::Capability;
use crate::world::{KushkiWorld, Named};

/// The steps of this module.
pub const STEPS: &[Step] = &[
    PAPER_OUT,
    PRINTER_BUSY,
    PRINT_JOB,
    PRINT_JOB_ON_ROUTE,
    PRINT_AGAIN,
    POLL,
    ACCEPTED,
    ENDS,
    WEBHOOK,
];

async fn printer_admin(w: &mut KushkiWorld, body: Value) {
    require(w, Capability::Faults).await;
    w.env()
        .await
        .admin_call(Mock::Terminal, "POST", "/__admin/printer", Some(body))
        .await;
}

const PAPER_OUT: Step = step!(Given, "the printer is out of paper", paper_out);
async fn paper_out(w: &mut KushkiWorld, _: ()) {
    printer_admin(w, json!({"paper": "out"})).await;
}

const PRINTER_BUSY: Step = step!(Given, "the printer is busy", printer_busy);
async fn printer_busy(w: &mut KushkiWorld, _: ()) {
    printer_admin(w, json!({"busy": true})).await;
}

/// A receipt-like layout using every command type mesapay sends (ref §1.8).
fn print_layout(w: &mut KushkiWorld, title: &str) -> Value {
    json!({
        "printJobId": w.new_client_id(),
        "externalReference": "order-1018282",
        "commands": [
            {"type": "text", "text": title, "align": "CENTER", "size": 32, "bold": true},
            {"type": "divider", "dividerType": "DOTTED"},
            {"type": "columns", "columns": [
                {"text": "Total", "weight": 1, "align": "LEFT"},
                {"text": "PEN 12.00", "weight": 1, "align": "RIGHT"}
            ]},
            {"type": "space", "pixels": 8},
            {"type": "qr", "content": "https://example.com/receipt/1018282", "errorLevel": "M", "align": "CENTER"},
            {"type": "feed", "lines": 3},
            {"type": "cut"}
        ]
    })
}

/// Sends a print job (on a scenario's route, if it names one) and remembers it as "print job".
async fn send_print(w: &mut KushkiWorld, route: Option<&str>, job: Value) {
    let call = w.env().await.connect(Connect::Print, job.clone());
    let answer = match route {
        Some(r) => call.on_route(r).send().await,
        None => call.send().await,
    };
    let named = Named {
        reference: job["printJobId"].as_str().unwrap_or_default().to_string(),
        client_transaction_id: String::new(),
        amount: Amount::zero(w.market.currency()),
        request: job,
    };
    w.named.insert("print job".into(), named);
    w.last = Some(answer);
}

const PRINT_JOB: Step = step!(
    When,
    r#"the POS sends a print job for "([^"]+)"( with a webhook| that skips a busy printer)?"#,
    print_job
);
async fn print_job(w: &mut KushkiWorld, (title, option): (String, String)) {
    let mut job = print_layout(w, &title);
    match option.as_str() {
        " with a webhook" => {
            assert!(
                w.receiver.is_some(),
                "an events receiver (Given an events receiver)"
            );
            job["webhookUrl"] = json!(format!("{}/prints", w.receiver_url));
        }
        " that skips a busy printer" => job["skipIfBusy"] = json!(true),
        _ => {}
    }
    send_print(w, None, job).await;
}

const PRINT_JOB_ON_ROUTE: Step = step!(
    When,
    r#"the POS sends a print job for "([^"]+)" on the route "([a-z_/]+)""#,
    print_job_on_route
);
async fn print_job_on_route(w: &mut KushkiWorld, (title, route): (String, String)) {
    let job = print_layout(w, &title);
    send_print(w, Some(&route), job).await;
}

const PRINT_AGAIN: Step = step!(When, "the POS sends the same print job again", print_again);
async fn print_again(w: &mut KushkiWorld, _: ()) {
    let job = w.named("print job").request.clone();
    send_print(w, None, job).await;
}

/// `GET print_job?print_job_id=ID`, signed over `{}` like every bodyless request (H7, H9).
async fn poll_job(env: &mut Env, id: &str) -> Answer {
    let what = Connect::PrintJob(id.to_string());
    env.connect(what, json!({})).send().await
}

const POLL: Step = step!(When, r#"the POS polls the print job(?: "([^"]+)")?"#, poll);
async fn poll(w: &mut KushkiWorld, id: Option<String>) {
    let id = id.unwrap_or_else(|| w.named("print job").reference.clone());
    let answer = poll_job(w.env().await, &id).await;
    w.last = Some(answer);
}

const ACCEPTED: Step = step!(
    Then,
    "the POS gets the print job accepted as PENDING",
    accepted
);
async fn accepted(w: &mut KushkiWorld, _: ()) {
    let id = w.named("print job").reference.clone();
    let a = w.last();
    assert!(
        a.status == 202 && a.body["status"] == "PENDING",
        "expected 202 Accepted with status PENDING, got HTTP {}: {}",
        a.status,
        a.body
    );
    assert_eq!(
        a.body["printJobId"],
        id.as_str(),
        "printJobId of {}",
        a.body
    );
    assert!(a.encrypted, "the answer to a print job came unencrypted");
}

fn assert_print_state(state: &Value, status: &str, code: Option<&str>) {
    assert_eq!(state["status"], status, "print job state {state}");
    match code {
        None => assert!(state.get("error").is_none(), "print job state {state}"),
        Some(code) => assert_eq!(state["error"]["code"], code, "print job state {state}"),
    }
}

const ENDS: Step = step!(
    Then,
    r#"the print job ends (COMPLETED|FAILED)(?: with error "([A-Z0-9-]+)")?"#,
    ends
);
async fn ends(w: &mut KushkiWorld, (status, code): (String, Option<String>)) {
    let id = w.named("print job").reference.clone();
    // The POS polls until the job leaves PENDING.
    let base = w.env().await.second_handle();
    let what = format!("print job {id} to leave PENDING");
    let (a, evidence) = wait_until(&what, Duration::from_secs(10), || {
        let (mut env, id) = (base.second_handle(), id.clone());
        async move {
            let a = poll_job(&mut env, &id).await;
            assert_eq!(a.status, 200, "polling {id}: HTTP {}: {}", a.status, a.body);
            assert!(a.encrypted, "the polling answer came unencrypted");
            (a.body["status"] != "PENDING").then_some((a, env.evidence))
        }
    })
    .await;
    w.env().await.evidence.extend(evidence);
    assert_eq!(a.body["printJobId"], id.as_str(), "{}", a.body);
    assert_eq!(
        a.body["externalReference"], "order-1018282",
        "the job's externalReference is echoed: {}",
        a.body
    );
    assert_print_state(&a.body, &status, code.as_deref());
    w.last = Some(a);
}

const WEBHOOK: Step = step!(
    Then,
    r"the events receiver gets the print job's final state (COMPLETED|FAILED)",
    webhook
);
async fn webhook(w: &mut KushkiWorld, status: String) {
    let id = w.named("print job").reference.clone();
    let receiver = w.receiver.as_ref().expect("an events receiver");
    let received = wait_until("the print webhook", Duration::from_secs(10), || async {
        let received = receiver.received_requests().await.unwrap_or_default();
        (!received.is_empty()).then_some(received)
    })
    .await;
    let state: Value = serde_json::from_slice(&received[0].body).unwrap_or(Value::Null);
    if let Err(v) = schemas::validate(SchemaKind::ConnectPrintJobResponse, &state) {
        panic!("the print webhook breaks connect/print_job.response.json: {v:?}: {state}");
    }
    assert_eq!(state["printJobId"], id.as_str(), "{state}");
    assert_print_state(&state, &status, None);
    assert_eq!(received.len(), 1, "one webhook per job");
}
