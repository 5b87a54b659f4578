//! The terminal's printer (ref §1.8; shapes and rules harness-defined, H9): print jobs sent by the
//! POS over the same signed, encrypted transport as payments ([`crate::connect`] authenticates,
//! decrypts and seals; this module does the rest).
//!
//! # Routes
//!
//! | path | route | what |
//! |---|---|---|
//! | LAN, localhost | `POST /terminal/v1/print`, `/print/job`, `/sync/print`, `/sync/print/job` | creates a job |
//! | LAN, localhost | `GET /terminal/v1/print_job?print_job_id=ID` (also `sync/print_job`), signed over `{}` | polls it |
//! | cloud | `POST /terminal/v1/{serial}/sync/print`, `/sync/print/job` | creates a job |
//! | cloud | `GET /terminal/v1/{serial}/sync/print_job?print_job_id=ID` | polls it |
//!
//! Creation validates the plaintext against `connect/print_job.request.json` (PARAMETER errors
//! name the field, `commands.N.type` for an unknown command), refuses a `printJobId` already used
//! (PAR-002, `param` `printJobId`), and answers **202 `{printJobId, status:"PENDING"}`** at once
//! (a UUID when the POS sent no id). Polling answers the job's state (`print_job.response.json`)
//! or NF-002 (404) for an unknown id.
//!
//! # Timing (harness-defined)
//!
//! A job is rendered ([`render`]) when it is accepted, then ends on its own task:
//!
//! * **printer free**: it prints at once and takes **no clock time**: `COMPLETED`, or `FAILED`
//!   with TER-101 (type TERMINAL-PRINTER) when the paper is out. Printing speed is not modelled,
//!   so the outcome is the same under a manual clock and a system clock, and no test has to move
//!   the clock to see a job complete.
//! * **printer busy** (the admin `busy` flag, or an earlier job still waiting for the printer):
//!   with `skipIfBusy: true` the job ends `FAILED` with TER-102 at once; otherwise it stays
//!   `PENDING`, in arrival order, until the printer is free (then as above), and ends `FAILED`
//!   with TER-102 after [`BUSY_WAIT_SECS`] of clock time. This is how a POS sees `PENDING` when
//!   it polls.
//!
//! The final state is also posted to the request's `webhookUrl` (hop `webhook`, the bounded
//! retries of [`crate::events::post_with_retries`], every attempt journaled). Faults and the list
//! of jobs with both renderings are in [`admin`]; receipts of past operations in [`receipt`].
//! `POST /__admin/reset` forgets every job and clears both faults.

pub mod admin;
pub mod receipt;
pub mod render;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::http::Method;
use jiff::Timestamp;
use kushki_mock_support::journal::Exchange;
use kushki_protocol::connect::{PrintCommand, PrintJobState, PrintJobStatus};
use kushki_protocol::errors::{ConnectCode, FailureObject, LinkFailure};
use kushki_protocol::schemas::{self, SchemaKind};
use serde_json::{Value, json};
use tokio::sync::Notify;

pub use receipt::{ReceiptCopy, receipt_commands};
pub use render::Rendering;

use crate::events;
use crate::state::AppState;

/// Clock seconds a job waits for a busy printer before it fails with TER-102 (harness-defined).
pub const BUSY_WAIT_SECS: i64 = 30;
/// Jobs kept; past it the oldest finished job is forgotten, and a queue full of unfinished jobs
/// refuses new ones with TER-102 (harness-defined).
pub const MAX_JOBS: usize = 1000;

/// The print routes, after `/terminal/v1/` (LAN) or the serial (cloud).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintRoute {
    /// `print`, `print/job` (POST).
    Create,
    /// `print_job?print_job_id=ID` (GET).
    Poll,
}

impl PrintRoute {
    /// The print route a Connect route names, with or without the `sync/` prefix.
    pub fn parse(route: &str) -> Option<PrintRoute> {
        match route.strip_prefix("sync/").unwrap_or(route) {
            "print" | "print/job" => Some(PrintRoute::Create),
            "print_job" => Some(PrintRoute::Poll),
            _ => None,
        }
    }

    /// The method the route takes.
    pub fn method(self) -> Method {
        match self {
            PrintRoute::Create => Method::POST,
            PrintRoute::Poll => Method::GET,
        }
    }

    /// The journal's name for it.
    pub fn operation(self) -> &'static str {
        match self {
            PrintRoute::Create => "print",
            PrintRoute::Poll => "print_job",
        }
    }
}

/// Where a job is on its way to the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Queue {
    /// The printer was free when it arrived: it prints as soon as its task runs.
    Ready,
    /// The printer was busy: it waits its turn.
    Waiting,
    /// The printer was busy and the job asked `skipIfBusy`: it fails with TER-102.
    Skipped,
    /// Ended.
    Done,
}

/// A job to queue.
#[derive(Debug, Clone)]
pub struct JobRequest {
    /// `printJobId`; a UUID is made up when absent.
    pub id: Option<String>,
    /// What to print.
    pub commands: Vec<PrintCommand>,
    /// `externalReference`, echoed in every state.
    pub external_reference: Option<String>,
    /// `webhookUrl`: where the final state goes.
    pub webhook_url: Option<String>,
    /// `skipIfBusy`.
    pub skip_if_busy: bool,
}

/// A job and both renderings.
#[derive(Debug, Clone)]
pub struct Job {
    /// `printJobId`.
    pub id: String,
    /// Arrival order: waiting jobs print in it.
    seq: u64,
    queue: Queue,
    /// Status.
    pub status: PrintJobStatus,
    /// `externalReference`.
    pub external_reference: Option<String>,
    /// `webhookUrl`.
    pub webhook_url: Option<String>,
    /// Clock time of acceptance.
    pub created_at: Timestamp,
    /// Clock time of the end.
    pub completed_at: Option<Timestamp>,
    /// Why it failed.
    pub error: Option<LinkFailure>,
    /// The job on paper.
    pub rendering: Rendering,
}

impl Job {
    /// The polling answer and webhook body.
    pub fn state(&self) -> PrintJobState {
        PrintJobState {
            print_job_id: self.id.clone(),
            status: self.status,
            external_reference: self.external_reference.clone(),
            created_at: Some(self.created_at.to_string()),
            completed_at: self.completed_at.map(|t| t.to_string()),
            error: self.error.clone(),
        }
    }
}

/// The printer: its jobs and its two faults.
#[derive(Debug, Default)]
pub struct Printer {
    // std Mutex: never held across an await.
    inner: Mutex<Inner>,
    /// Woken when a job ends, a fault changes or the printer is reset: waiting jobs look again.
    changed: Notify,
}

#[derive(Debug, Default)]
struct Inner {
    paper_out: bool,
    busy: bool,
    jobs: VecDeque<Job>,
    next_seq: u64,
    /// Bumped by a reset, so the tasks of forgotten jobs end quietly.
    generation: u64,
}

/// The printer's faults and queue, as the admin API shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrinterStatus {
    /// Out of paper.
    pub paper_out: bool,
    /// Busy (set through the admin API).
    pub busy: bool,
    /// Jobs not ended yet.
    pub pending: usize,
}

/// What a job's task does next.
enum Step {
    /// The job is gone (reset) or already ended.
    Gone,
    /// The printer is busy: wait for a change or the deadline.
    Wait,
    /// The job ended: its state and where to post it.
    Done(Box<PrintJobState>, Option<String>),
}

impl Printer {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets the paper fault.
    pub fn set_paper_out(&self, out: bool) {
        self.lock().paper_out = out;
        self.changed.notify_waiters();
    }

    /// Sets the busy fault; clearing it lets waiting jobs print.
    pub fn set_busy(&self, busy: bool) {
        self.lock().busy = busy;
        self.changed.notify_waiters();
    }

    /// Faults and queue length.
    pub fn status(&self) -> PrinterStatus {
        let inner = self.lock();
        PrinterStatus {
            paper_out: inner.paper_out,
            busy: inner.busy,
            pending: inner.jobs.iter().filter(|j| j.queue != Queue::Done).count(),
        }
    }

    /// Every job kept, oldest first.
    pub fn jobs(&self) -> Vec<Job> {
        self.lock().jobs.iter().cloned().collect()
    }

    /// One job.
    pub fn job(&self, id: &str) -> Option<Job> {
        self.lock().jobs.iter().find(|j| j.id == id).cloned()
    }

    /// Forgets every job (their tasks end without a webhook) and clears both faults.
    pub fn reset(&self) {
        {
            let mut inner = self.lock();
            inner.generation += 1;
            inner.jobs.clear();
            inner.paper_out = false;
            inner.busy = false;
        }
        self.changed.notify_waiters();
    }

    /// Queues a rendered job: its place is decided now, in arrival order.
    fn accept(
        &self,
        request: JobRequest,
        rendering: Rendering,
        now: Timestamp,
    ) -> Result<(String, u64), Box<LinkFailure>> {
        let mut inner = self.lock();
        let id = request
            .id
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        if inner.jobs.iter().any(|j| j.id == id) {
            return Err(Box::new(
                ConnectCode::InvalidField
                    .failure()
                    .with_param("printJobId")
                    .with_message(format!(
                        "printJobId `{id}` was already used on this terminal: every job needs its own"
                    )),
            ));
        }
        if inner.jobs.len() >= MAX_JOBS {
            match inner.jobs.iter().position(|j| j.queue == Queue::Done) {
                Some(oldest) => {
                    inner.jobs.remove(oldest);
                }
                None => {
                    return Err(Box::new(ConnectCode::PrinterBusy.failure().with_message(
                        format!("The print queue is full ({MAX_JOBS} unfinished jobs)"),
                    )));
                }
            }
        }
        let occupied = inner.busy || inner.jobs.iter().any(|j| j.queue == Queue::Waiting);
        let queue = match (occupied, request.skip_if_busy) {
            (false, _) => Queue::Ready,
            (true, true) => Queue::Skipped,
            (true, false) => Queue::Waiting,
        };
        let seq = inner.next_seq;
        inner.next_seq += 1;
        inner.jobs.push_back(Job {
            id: id.clone(),
            seq,
            queue,
            status: PrintJobStatus::Pending,
            external_reference: request.external_reference,
            webhook_url: request.webhook_url,
            created_at: now,
            completed_at: None,
            error: None,
            rendering,
        });
        Ok((id, inner.generation))
    }

    fn step(&self, id: &str, generation: u64, now: Timestamp, deadline: Timestamp) -> Step {
        let mut inner = self.lock();
        if inner.generation != generation {
            return Step::Gone;
        }
        let Some(at) = inner.jobs.iter().position(|j| j.id == id) else {
            return Step::Gone;
        };
        let seq = inner.jobs[at].seq;
        let waiting_ahead = inner
            .jobs
            .iter()
            .any(|j| j.seq < seq && j.queue == Queue::Waiting);
        let (busy, paper_out) = (inner.busy, inner.paper_out);
        let print = || paper_out.then(|| ConnectCode::PrinterOutOfPaper.failure());
        let job = &mut inner.jobs[at];
        let failure = match job.queue {
            Queue::Done => return Step::Gone,
            Queue::Ready => print(),
            Queue::Skipped => Some(
                ConnectCode::PrinterBusy
                    .failure()
                    .with_message("The printer is busy and the job asked skipIfBusy"),
            ),
            Queue::Waiting if !busy && !waiting_ahead => print(),
            Queue::Waiting if now >= deadline => {
                Some(ConnectCode::PrinterBusy.failure().with_message(format!(
                    "The printer was still busy after {BUSY_WAIT_SECS} s"
                )))
            }
            Queue::Waiting => return Step::Wait,
        };
        job.queue = Queue::Done;
        job.completed_at = Some(now);
        job.status = if failure.is_some() {
            PrintJobStatus::Failed
        } else {
            PrintJobStatus::Completed
        };
        job.error = failure;
        Step::Done(Box::new(job.state()), job.webhook_url.clone())
    }
}

/// Renders and queues a job, and starts the task that ends it: the one way in for the POS routes
/// and the admin receipt route. Gives the accepted job's id.
pub fn submit(state: &Arc<AppState>, request: JobRequest) -> Result<String, Box<LinkFailure>> {
    let rendering = render::render(&request.commands, state.config.model.paper_dots());
    let now = state.clock.now();
    let (id, generation) = state.printer.accept(request, rendering, now)?;
    let deadline = kushki_mock_support::clock::later(now, BUSY_WAIT_SECS);
    tokio::spawn(run(state.clone(), id.clone(), generation, deadline));
    Ok(id)
}

/// A job's task: waits while it must, ends the job, posts the webhook.
async fn run(state: Arc<AppState>, id: String, generation: u64, deadline: Timestamp) {
    loop {
        // Registered before looking, so a change in between is not missed.
        let changed = state.printer.changed.notified();
        match state
            .printer
            .step(&id, generation, state.clock.now(), deadline)
        {
            Step::Gone => return,
            Step::Wait => {
                tokio::select! {
                    _ = changed => {}
                    _ = state.clock.sleep_until(deadline) => {}
                    _ = state.shutdown.notified() => return,
                }
            }
            Step::Done(job, webhook) => {
                state.printer.changed.notify_waiters();
                if let Some(url) = webhook {
                    let body = serde_json::to_value(&job).unwrap_or_default();
                    if cfg!(debug_assertions)
                        && let Err(v) =
                            schemas::validate(SchemaKind::ConnectPrintJobResponse, &body)
                    {
                        tracing::error!(violations = %schemas::violations_message(&v), "the print webhook breaks its schema");
                    }
                    events::post_with_retries(
                        &state,
                        &url,
                        body.to_string(),
                        job.status.as_str(),
                        &job.print_job_id,
                    )
                    .await;
                }
                return;
            }
        }
    }
}

fn refusal(state: &AppState, failure: LinkFailure) -> (u16, Value) {
    let status = ConnectCode::from_code(&failure.code)
        .map(ConnectCode::http_status)
        .unwrap_or(400);
    let body = failure.with_object(FailureObject::of_terminal(&state.config.serial, None));
    (status, serde_json::to_value(body).unwrap_or_default())
}

/// `POST print` / `print/job` with its decrypted plaintext: 202 and the job, or a LinkFailure.
pub fn create(state: &Arc<AppState>, plaintext: &str, ex: &mut Exchange) -> (u16, Value) {
    let body: Value = match serde_json::from_str::<Value>(plaintext) {
        Ok(v) if v.is_object() => v,
        _ => return refusal(state, ConnectCode::MalformedJson.failure()),
    };
    if let Err(violations) = schemas::validate(SchemaKind::ConnectPrintJobRequest, &body) {
        return refusal(state, crate::connect::parameter_failure(&violations));
    }
    let mut commands = Vec::new();
    for (i, command) in body["commands"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        match PrintCommand::from_json(command) {
            Ok(c) => commands.push(c),
            Err(why) => {
                // The schema already refuses what this refuses; kept so a gap between the two
                // still names the field.
                let field = why.split_once(':').map_or("type", |(f, _)| f);
                return refusal(
                    state,
                    ConnectCode::InvalidField
                        .failure()
                        .with_param(format!("commands.{i}.{field}"))
                        .with_message(why.clone()),
                );
            }
        }
    }
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let request = JobRequest {
        id: text("printJobId"),
        commands,
        external_reference: text("externalReference"),
        webhook_url: text("webhookUrl"),
        skip_if_busy: body
            .get("skipIfBusy")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    match submit(state, request) {
        Ok(id) => {
            ex.note = Some(format!("print job {id} accepted"));
            (
                202,
                json!({"printJobId": id, "status": PrintJobStatus::Pending.as_str()}),
            )
        }
        Err(failure) => refusal(state, *failure),
    }
}

/// `GET print_job?print_job_id=ID`: the job's state, PAR-001 without an id, NF-002 for an
/// unknown one.
pub fn poll(state: &AppState, query: Option<&str>) -> (u16, Value) {
    let Some(id) =
        query_param(query.unwrap_or_default(), "print_job_id").filter(|id| !id.is_empty())
    else {
        return refusal(
            state,
            ConnectCode::MissingField
                .failure()
                .with_param("print_job_id")
                .with_message("print_job_id is required in the query string (ref §1.8)"),
        );
    };
    match state.printer.job(&id) {
        Some(job) => (200, serde_json::to_value(job.state()).unwrap_or_default()),
        None => refusal(
            state,
            ConnectCode::PrintJobNotFound
                .failure()
                .with_message(format!("No print job `{id}` on this terminal")),
        ),
    }
}

/// The first value of `name` in a query string, percent-decoded (`+` is a space).
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key) == name).then(|| decode(value))
    })
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    #[test]
    fn print_routes_are_recognised_with_and_without_the_sync_prefix() {
        assert_eq!(PrintRoute::parse("print"), Some(PrintRoute::Create));
        assert_eq!(
            PrintRoute::parse("sync/print/job"),
            Some(PrintRoute::Create)
        );
        assert_eq!(PrintRoute::parse("sync/print_job"), Some(PrintRoute::Poll));
        assert_eq!(PrintRoute::parse("async/print"), None);
        assert_eq!(PrintRoute::parse("charge"), None);
    }

    #[test]
    fn the_query_parameter_is_percent_decoded() {
        assert_eq!(
            query_param("a=1&print_job_id=job%2F1+x", "print_job_id").as_deref(),
            Some("job/1 x")
        );
        assert_eq!(
            query_param("print_job_id=%zz%4", "print_job_id").as_deref(),
            Some("%zz%4")
        );
        assert_eq!(query_param("", "print_job_id"), None);
    }

    fn request(id: &str, skip: bool) -> JobRequest {
        JobRequest {
            id: Some(id.into()),
            commands: vec![PrintCommand::Cut],
            external_reference: None,
            webhook_url: None,
            skip_if_busy: skip,
        }
    }

    #[test]
    fn a_busy_printer_makes_jobs_wait_in_order_or_skip() {
        let printer = Printer::default();
        let now: Timestamp = "2026-03-24T15:00:00Z".parse().unwrap();
        let deadline = now + SignedDuration::from_secs(BUSY_WAIT_SECS);
        let r = render::render(&[PrintCommand::Cut], 384);
        printer.set_busy(true);
        let (_, g) = printer.accept(request("a", false), r.clone(), now).unwrap();
        printer.set_busy(false);
        printer.accept(request("b", true), r.clone(), now).unwrap();
        printer.accept(request("c", false), r.clone(), now).unwrap();
        assert!(
            matches!(printer.step("c", g, now, deadline), Step::Wait),
            "c waits behind a"
        );
        match printer.step("b", g, now, deadline) {
            Step::Done(s, _) => assert_eq!(s.error.unwrap().code, "TER-102"),
            _ => panic!("b skips: a is still waiting for the printer"),
        }
        assert!(matches!(
            printer.step("a", g, now, deadline),
            Step::Done(..)
        ));
        assert!(matches!(
            printer.step("c", g, now, deadline),
            Step::Done(..)
        ));
        let err = printer.accept(request("a", false), r, now).unwrap_err();
        assert_eq!(err.param.as_deref(), Some("printJobId"));
    }

    #[test]
    fn a_job_waits_at_most_thirty_seconds_of_clock_time() {
        let printer = Printer::default();
        let now: Timestamp = "2026-03-24T15:00:00Z".parse().unwrap();
        let deadline = now + SignedDuration::from_secs(BUSY_WAIT_SECS);
        printer.set_busy(true);
        let (_, g) = printer
            .accept(request("a", false), render::render(&[], 384), now)
            .unwrap();
        assert!(matches!(
            printer.step("a", g, deadline - SignedDuration::from_secs(1), deadline),
            Step::Wait
        ));
        match printer.step("a", g, deadline, deadline) {
            Step::Done(s, _) => {
                assert_eq!(s.status, PrintJobStatus::Failed);
                assert_eq!(s.error.unwrap().code, "TER-102");
            }
            _ => panic!("the wait is bounded"),
        }
    }
}
