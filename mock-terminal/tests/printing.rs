//! Printing on the mock terminal (ref §1.8; H9) as a POS does it: jobs over LAN and cloud, their
//! renderings (golden text files, and an SVG whose QR code is read back by a QR decoder), polling,
//! the webhook, the printer's faults, and receipts.
//!
//! Golden files live in `tests/golden/`. They were written once from the renderer and checked by
//! eye; a change of rendering shows as a failure with both texts. To rewrite them on purpose, run
//! with `UPDATE_GOLDEN=1` and review the diff.

mod support;

use std::time::Duration;

use kushki_protocol::schemas::SchemaKind;
use serde_json::{Value, json};
use support::pos::PosAnswer;
use support::{Path, World, assert_failure, assert_schema, charge, world};

/// Creates a print job on `path` (`print`, or `sync/print` in the cloud).
async fn print(w: &World, path: Path, job: Value) -> PosAnswer {
    w.call(path, "print", job).await
}

/// Polls a job: `GET print_job?print_job_id=ID`, signed over `{}`.
async fn poll(w: &World, path: Path, id: &str) -> PosAnswer {
    let route = World::route(path, &format!("print_job?print_job_id={id}"));
    w.pos(path).get(&route, w.now()).await
}

/// Polls until the job leaves PENDING (a bounded number of short polls).
async fn final_state(w: &World, path: Path, id: &str) -> Value {
    for _ in 0..400 {
        let a = poll(w, path, id).await;
        assert_eq!(a.status, 200, "polling {id}: {a:?}");
        assert!(a.encrypted, "the polling answer is encrypted");
        assert_schema(SchemaKind::ConnectPrintJobResponse, &a.body);
        if a.body["status"] != "PENDING" {
            return a.body;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("print job {id} never left PENDING");
}

/// Accepts a job and returns its id, checking the 202 answer.
async fn accepted(w: &World, path: Path, job: Value) -> String {
    let a = print(w, path, job).await;
    assert_eq!(a.status, 202, "{a:?}");
    assert!(a.encrypted);
    assert_schema(SchemaKind::ConnectPrintJobResponse, &a.body);
    assert_eq!(a.body["status"], "PENDING", "{a:?}");
    a.body["printJobId"].as_str().unwrap().to_string()
}

async fn admin_prints(w: &World) -> Vec<Value> {
    let v = w.admin_get("/__admin/prints").await;
    v["prints"].as_array().unwrap().clone()
}

async fn admin_print(w: &World, id: &str) -> Value {
    admin_prints(w)
        .await
        .into_iter()
        .find(|p| p["printJobId"] == id)
        .unwrap_or_else(|| panic!("{id} is not in /__admin/prints"))
}

async fn printer(w: &World, body: Value) -> Value {
    let r = w
        .admin
        .post(format!("{}/__admin/printer", w.terminal.uri()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "printer fault refused");
    r.json().await.unwrap()
}

fn golden_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.txt"))
}

fn assert_golden(name: &str, actual: &str) {
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "golden file {} unreadable ({e}); the rendering was:\n{actual}",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "the rendering of `{name}` differs from {}\n--- expected\n{expected}--- actual\n{actual}---",
        path.display()
    );
}

/// One job per command type (and the fixture receipt with every command), each checked against
/// its golden text.
fn golden_jobs() -> Vec<(&'static str, Value)> {
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
            "../schemas/fixtures/connect/print_job.request/valid/receipt-every-command.json",
        ))
        .unwrap(),
    )
    .unwrap();
    vec![
        (
            "text",
            json!({"commands": [
                {"type": "text", "text": "Left, the default"},
                {"type": "text", "text": "Centred", "align": "CENTER"},
                {"type": "text", "text": "Right", "align": "RIGHT"},
                {"type": "text", "text": "Bold, italic and underlined are plain here", "bold": true, "italic": true, "underline": true},
                {"type": "text", "text": "A long line of text wraps between words when it does not fit the paper"},
                {"type": "text", "text": "Size 16 holds forty-eight characters a line: see?", "size": 16},
                {"type": "text", "text": "SIZE 32 CENTRED", "size": 32, "align": "CENTER"},
                {"type": "text", "text": "SIZE 48 RIGHT", "size": 48, "align": "RIGHT"},
                {"type": "text", "text": "SIZE 64 WRAPS SOON", "size": 64},
                {"type": "text", "text": "Keeps   its   spaces"},
                {"type": "text", "text": "two\nlines", "align": "CENTER"}
            ]}),
        ),
        (
            "columns",
            json!({"commands": [
                {"type": "columns", "columns": [{"text": "Espresso", "weight": 3}, {"text": "8.00", "weight": 1, "align": "RIGHT"}]},
                {"type": "columns", "columns": [{"text": "L"}, {"text": "C", "align": "CENTER"}, {"text": "R", "align": "RIGHT"}]},
                {"type": "columns", "columns": [{"text": "Sandwich de pollo con palta y extra queso", "weight": 2}, {"text": "2 x 15.50", "weight": 1, "align": "RIGHT"}]}
            ]}),
        ),
        (
            "divider",
            json!({"commands": [
                {"type": "divider"},
                {"type": "divider", "dividerType": "SOLID"},
                {"type": "divider", "dividerType": "DOTTED"},
                {"type": "divider", "dividerType": "EMPTY"},
                {"type": "divider", "dividerType": "SOLID", "offset": 48}
            ]}),
        ),
        (
            "feed",
            json!({"commands": [
                {"type": "text", "text": "before"},
                {"type": "feed", "lines": 2},
                {"type": "text", "text": "after two lines"}
            ]}),
        ),
        (
            "space",
            json!({"commands": [
                {"type": "text", "text": "5 dots: no blank line"},
                {"type": "space", "pixels": 5},
                {"type": "text", "text": "12 dots: one"},
                {"type": "space", "pixels": 12},
                {"type": "text", "text": "48 dots: two"},
                {"type": "space", "pixels": 48},
                {"type": "text", "text": "end"}
            ]}),
        ),
        (
            "cut",
            json!({"commands": [
                {"type": "text", "text": "Gracias por su compra", "align": "CENTER"},
                {"type": "cut"}
            ]}),
        ),
        (
            "qr",
            json!({"commands": [
                {"type": "qr", "content": "https://example.com/r/42"},
                {"type": "qr", "content": "wifi:cafe", "align": "LEFT", "dotSize": 3, "errorLevel": "L"},
                {"type": "qr", "content": "right", "align": "RIGHT", "errorLevel": "H"},
                {"type": "qr", "content": "https://example.com/a/very/long/path/that/does/not/fit/on/one/line"}
            ]}),
        ),
        ("receipt-every-command", fixture),
    ]
}

#[tokio::test]
async fn each_command_type_renders_as_its_golden_text() {
    let w = world().await;
    for (name, mut job) in golden_jobs() {
        job["printJobId"] = json!(format!("golden-{name}"));
        let id = accepted(&w, Path::Lan, job).await;
        let done = final_state(&w, Path::Lan, &id).await;
        assert_eq!(done["status"], "COMPLETED", "{name}: {done}");
        let listed = admin_print(&w, &id).await;
        assert_golden(name, listed["text"].as_str().unwrap());
        let svg = listed["svg"].as_str().unwrap();
        assert!(
            svg.starts_with("<svg ") && svg.contains(r#"width="384""#),
            "{name}: the SVG is 384 dots wide: {svg}"
        );
    }
}

/// The `<rect>`s an SVG draws in black, as (x, y, width, height), and its height.
fn black_rects(svg: &str) -> (usize, usize, Vec<[usize; 4]>) {
    fn attr(tag: &str, name: &str) -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = tag[start..].find('"')? + start;
        Some(tag[start..end].to_string())
    }
    let root = &svg[..svg.find('>').unwrap()];
    let width: usize = attr(root, "width").unwrap().parse().unwrap();
    let height: usize = attr(root, "height").unwrap().parse().unwrap();
    let mut rects = Vec::new();
    let mut rest = svg;
    while let Some(at) = rest.find("<rect ") {
        let end = rest[at..].find('>').unwrap() + at;
        let tag = &rest[at..=end];
        if attr(tag, "fill").as_deref() == Some("#000") {
            let n = |k: &str| attr(tag, k).unwrap().parse::<usize>().unwrap();
            rects.push([n("x"), n("y"), n("width"), n("height")]);
        }
        rest = &rest[end..];
    }
    (width, height, rects)
}

/// Draws the SVG's black rects on white paper and asks a QR decoder what it reads.
fn decode_qr_codes(svg: &str) -> Vec<String> {
    let (width, height, rects) = black_rects(svg);
    assert!(!rects.is_empty(), "no black modules in {svg}");
    let mut paper = vec![255u8; width * height];
    for [x, y, w, h] in rects {
        assert!(
            x + w <= width && y + h <= height,
            "a module lies off the paper"
        );
        for row in y..y + h {
            paper[row * width + x..row * width + x + w].fill(0);
        }
    }
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| paper[y * width + x]);
    image
        .detect_grids()
        .into_iter()
        .map(|grid| grid.decode().expect("the QR code decodes").1)
        .collect()
}

#[tokio::test]
async fn the_svg_draws_a_qr_code_that_a_decoder_reads_back() {
    let w = world().await;
    let cases = [
        ("https://example.com/receipt/42?x=1&y=2", 4, "M", "CENTER"),
        ("WIFI:S:cafe;T:WPA;P:secret;;", 6, "H", "LEFT"),
        ("loyalty-0001", 3, "L", "RIGHT"),
        ("Quartile <&> 'quoted'", 5, "Q", "CENTER"),
    ];
    for (content, dot, level, align) in cases {
        let id = accepted(
            &w,
            Path::Lan,
            json!({"commands": [
                {"type": "text", "text": "Scan me", "align": "CENTER"},
                {"type": "qr", "content": content, "dotSize": dot, "errorLevel": level, "align": align},
                {"type": "cut"}
            ]}),
        )
        .await;
        final_state(&w, Path::Lan, &id).await;
        let svg = admin_print(&w, &id).await["svg"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            svg.contains(&format!(r#"data-dot="{dot}""#)),
            "dotSize {dot} is honoured"
        );
        assert_eq!(
            decode_qr_codes(&svg),
            [content],
            "the QR code drawn for `{content}` ({level}, {dot} dots, {align})"
        );
    }
}

#[tokio::test]
async fn a_job_answers_202_pending_at_once_and_polling_reaches_completed() {
    let w = world().await;
    for route in ["print", "print/job", "sync/print", "sync/print/job"] {
        let a = w
            .pos(Path::Lan)
            .post(
                route,
                &json!({"externalReference": "order-42", "commands": [{"type": "text", "text": "hola"}]}),
                w.now(),
            )
            .await;
        assert_eq!(a.status, 202, "{route}: {a:?}");
        assert_eq!(a.body.as_object().unwrap().len(), 2, "{route}: {a:?}");
        let id = a.body["printJobId"].as_str().unwrap().to_string();
        assert!(
            uuid::Uuid::parse_str(&id).is_ok(),
            "{route}: a job without printJobId gets a UUID, got {id}"
        );
        let done = final_state(&w, Path::Lan, &id).await;
        assert_eq!(done["status"], "COMPLETED", "{route}: {done}");
        assert_eq!(done["externalReference"], "order-42");
        assert_eq!(done["createdAt"], support::START);
        assert_eq!(
            done["completedAt"],
            support::START,
            "printing takes no clock time"
        );
        assert!(done.get("error").is_none());
    }
    let pos = w.terminal.journal();
    let polls = pos
        .iter()
        .filter(|e| e.hop == "pos" && e.operation.as_deref() == Some("print_job"))
        .count();
    assert!(polls >= 4, "polls are journaled");
}

#[tokio::test]
async fn the_cloud_print_routes_create_and_poll_through_the_relay() {
    let w = world().await;
    for route in ["sync/print", "sync/print/job"] {
        let a = w
            .pos(Path::Cloud)
            .post(
                route,
                &json!({"commands": [{"type": "text", "text": "nube"}, {"type": "cut"}]}),
                w.now(),
            )
            .await;
        assert_eq!(a.status, 202, "{route}: {a:?}");
        let id = a.body["printJobId"].as_str().unwrap().to_string();
        let done = final_state(&w, Path::Cloud, &id).await;
        assert_eq!(done["status"], "COMPLETED", "{done}");
    }
    assert!(
        w.terminal
            .journal()
            .iter()
            .any(|e| e.hop == "pos" && e.note.as_deref() == Some("via the cloud relay")),
        "the terminal saw the jobs arrive over the link"
    );
}

#[tokio::test]
async fn the_webhook_receives_the_final_status() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/print"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&receiver)
        .await;
    let w = world().await;
    let id = accepted(
        &w,
        Path::Lan,
        json!({"printJobId": "hook-1", "externalReference": "mesa-7", "webhookUrl": format!("{}/print", receiver.uri()),
               "commands": [{"type": "text", "text": "Mesa 7"}]}),
    )
    .await;
    assert_eq!(id, "hook-1");
    let mut delivered = Vec::new();
    for _ in 0..400 {
        delivered = receiver.received_requests().await.unwrap_or_default();
        if !delivered.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(delivered.len(), 1, "one webhook for the job");
    let body: Value = serde_json::from_slice(&delivered[0].body).unwrap();
    assert_schema(SchemaKind::ConnectPrintJobResponse, &body);
    assert_eq!(
        (
            &body["printJobId"],
            &body["status"],
            &body["externalReference"]
        ),
        (&json!("hook-1"), &json!("COMPLETED"), &json!("mesa-7")),
        "{body}"
    );
    assert_eq!(
        body,
        final_state(&w, Path::Lan, &id).await,
        "webhook and polling agree"
    );
    let journal = w.terminal.journal();
    let hook = journal
        .iter()
        .find(|e| e.hop == "webhook")
        .expect("the delivery is journaled");
    assert_eq!(
        (
            hook.status,
            hook.operation.as_deref(),
            hook.client_transaction_id.as_deref()
        ),
        (200, Some("COMPLETED"), Some("hook-1"))
    );
}

#[tokio::test]
async fn out_of_paper_fails_the_job_with_ter_101() {
    let w = world().await;
    let view = printer(&w, json!({"paper": "out"})).await;
    assert_eq!(view["paper"], "out");
    let id = accepted(
        &w,
        Path::Lan,
        json!({"commands": [{"type": "text", "text": "x"}]}),
    )
    .await;
    let done = final_state(&w, Path::Lan, &id).await;
    assert_eq!(done["status"], "FAILED", "{done}");
    assert_eq!(
        (
            done["error"]["type"].as_str(),
            done["error"]["code"].as_str()
        ),
        (Some("TERMINAL-PRINTER"), Some("TER-101")),
        "{done}"
    );
    assert!(done["completedAt"].is_string());
    // Paper back: the next job prints.
    printer(&w, json!({"paper": "ok"})).await;
    let id = accepted(&w, Path::Lan, json!({"commands": [{"type": "cut"}]})).await;
    assert_eq!(final_state(&w, Path::Lan, &id).await["status"], "COMPLETED");
}

#[tokio::test]
async fn a_busy_printer_fails_skip_if_busy_jobs_with_ter_102_and_holds_the_others() {
    let w = world().await;
    printer(&w, json!({"busy": true})).await;
    let skip = accepted(
        &w,
        Path::Lan,
        json!({"skipIfBusy": true, "commands": [{"type": "text", "text": "skip"}]}),
    )
    .await;
    let done = final_state(&w, Path::Lan, &skip).await;
    assert_eq!(
        (done["status"].as_str(), done["error"]["code"].as_str()),
        (Some("FAILED"), Some("TER-102")),
        "{done}"
    );
    let held = accepted(
        &w,
        Path::Lan,
        json!({"skipIfBusy": false, "commands": [{"type": "text", "text": "wait"}]}),
    )
    .await;
    let behind = accepted(
        &w,
        Path::Lan,
        json!({"commands": [{"type": "text", "text": "next"}]}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    for id in [&held, &behind] {
        let a = poll(&w, Path::Lan, id).await;
        assert_eq!(
            a.body["status"], "PENDING",
            "a busy printer holds {id}: {a:?}"
        );
    }
    let view = printer(&w, json!({"busy": false})).await;
    assert_eq!(view["busy"], false);
    for id in [&held, &behind] {
        assert_eq!(final_state(&w, Path::Lan, id).await["status"], "COMPLETED");
    }
}

#[tokio::test]
async fn a_job_waits_thirty_seconds_of_clock_time_for_a_busy_printer_then_fails() {
    let w = world().await;
    printer(&w, json!({"busy": true})).await;
    let id = accepted(
        &w,
        Path::Lan,
        json!({"commands": [{"type": "text", "text": "x"}]}),
    )
    .await;
    w.advance(29);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(poll(&w, Path::Lan, &id).await.body["status"], "PENDING");
    w.advance(1);
    let done = final_state(&w, Path::Lan, &id).await;
    assert_eq!(
        (done["status"].as_str(), done["error"]["code"].as_str()),
        (Some("FAILED"), Some("TER-102")),
        "{done}"
    );
}

#[tokio::test]
async fn an_unknown_command_is_a_parameter_error_naming_commands_n_type() {
    let w = world().await;
    let a = print(
        &w,
        Path::Lan,
        json!({"commands": [{"type": "text", "text": "ok"}, {"type": "barcode", "content": "123"}]}),
    )
    .await;
    assert_failure(&a, 400, "PAR-002");
    assert!(a.encrypted, "errors after authentication are encrypted");
    assert_eq!(a.body["param"], "commands.1.type", "{a:?}");
    assert!(admin_prints(&w).await.is_empty(), "nothing was queued");
    let a = print(&w, Path::Lan, json!({"commands": [{"type": "text"}]})).await;
    assert_failure(&a, 400, "PAR-001");
    assert_eq!(a.body["param"], "commands.0.text", "{a:?}");
    let a = print(
        &w,
        Path::Lan,
        json!({"commands": [{"type": "cut"}], "copies": 2}),
    )
    .await;
    assert_failure(&a, 400, "PAR-004");
    assert_eq!(a.body["param"], "copies", "{a:?}");
}

#[tokio::test]
async fn a_reused_print_job_id_is_refused() {
    let w = world().await;
    let job = json!({"printJobId": "once", "commands": [{"type": "cut"}]});
    accepted(&w, Path::Lan, job.clone()).await;
    let again = print(&w, Path::Lan, job).await;
    assert_failure(&again, 400, "PAR-002");
    assert_eq!(again.body["param"], "printJobId");
}

#[tokio::test]
async fn an_unknown_print_job_is_nf_002_and_polling_without_an_id_is_par_001() {
    let w = world().await;
    for path in [Path::Lan, Path::Cloud] {
        let a = poll(&w, path, "no-such-job").await;
        assert_failure(&a, 404, "NF-002");
        assert!(a.encrypted, "{path:?}");
    }
    let route = "print_job";
    let a = w.pos(Path::Lan).get(route, w.now()).await;
    assert_failure(&a, 400, "PAR-001");
    assert_eq!(a.body["param"], "print_job_id");
    let a = w
        .pos(Path::Lan)
        .post("print_job", &json!({}), w.now())
        .await;
    assert_failure(&a, 404, "NF-003");
}

#[tokio::test]
async fn a_receipt_of_an_approved_charge_shows_the_ticket_and_a_masked_pan_never_the_clear_one() {
    let w = world().await;
    let sale = w.call(Path::Lan, "charge", charge("rcpt-1", 1250)).await;
    assert_eq!(sale.body["approved"], true, "{sale:?}");
    let raw = &sale.body["rawResponse"];
    let reference = raw["transaction_reference"].as_str().unwrap();
    let r = w
        .admin
        .post(format!("{}/__admin/prints/receipt", w.terminal.uri()))
        .json(
            &json!({"transaction_reference": reference, "copies": "both", "merchant": "CAFE LIMA"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["printJobId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(final_state(&w, Path::Lan, &id).await["status"], "COMPLETED");
    let job = admin_print(&w, &id).await;
    assert_eq!(job["externalReference"], reference);
    let text = job["text"].as_str().unwrap();
    let svg = job["svg"].as_str().unwrap();
    let pan = kushki_protocol::catalog::default_card().pan.expose();
    let masked = kushki_protocol::mask::mask_pan(pan);
    let ticket = w
        .terminal
        .state()
        .history
        .by_reference(reference)
        .unwrap()
        .row
        .ticket_number;
    assert_eq!(ticket.len(), 18, "an 18-digit ticket number");
    for expected in [
        ticket.as_str(),
        masked.as_str(),
        "PEN 12.50",
        "CAFE LIMA",
        "COPIA CLIENTE",
        "COPIA COMERCIO",
        "APROBADA",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from the receipt:\n{text}"
        );
    }
    if let Some(code) = raw["message_fields"]["F38"]
        .as_str()
        .filter(|c| !c.is_empty())
    {
        assert!(
            text.contains(code),
            "the approval code {code} is printed:\n{text}"
        );
    }
    assert!(
        !text.contains(pan) && !svg.contains(pan),
        "the clear PAN never reaches the paper"
    );
    let unknown = w
        .admin
        .post(format!("{}/__admin/prints/receipt", w.terminal.uri()))
        .json(&json!({"transaction_reference": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn reset_forgets_the_jobs_and_clears_the_printer_faults() {
    let w = world().await;
    printer(&w, json!({"paper": "out", "busy": true})).await;
    accepted(&w, Path::Lan, json!({"commands": [{"type": "cut"}]})).await;
    let r = w
        .admin
        .post(format!("{}/__admin/reset", w.terminal.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(admin_prints(&w).await.is_empty());
    let view = w.admin_get("/__admin/printer").await;
    assert_eq!(view, json!({"paper": "ok", "busy": false, "pending": 0}));
    let bad = w
        .admin
        .post(format!("{}/__admin/printer", w.terminal.uri()))
        .json(&json!({"paper": "empty"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400, "an unknown paper state is refused");
    let bad: Value = bad.json().await.unwrap();
    assert_eq!(bad["error"]["field"], "paper", "{bad}");
}
