//! Test world: a mock acquirer (which is also the cloud relay) and a mock terminal sharing one
//! manual clock, both on port 0, and POS clients for the three paths.

#![allow(dead_code)]

pub mod pos;

use std::time::Duration;

use jiff::Timestamp;
use kushki_protocol::schemas::{self, SchemaKind};
use mock_acquirer::RunningAcquirer;
use mock_terminal::RunningTerminal;
use pos::{Pos, PosAnswer, PosKeys};
use serde_json::{Value, json};

pub const START: &str = "2026-03-24T15:00:00Z";
pub const BUSINESS_CODE: &str = "BC-TEST-0001";
pub const SERIAL: &str = "PB04209860189";

pub struct World {
    pub acquirer: RunningAcquirer,
    pub terminal: RunningTerminal,
    pub admin: reqwest::Client,
}

/// Which path the POS takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    Lan,
    Localhost,
    Cloud,
}

pub async fn world() -> World {
    world_with(|_| {}).await
}

pub async fn world_with(tweak: impl FnOnce(&mut mock_terminal::Config)) -> World {
    world_tweaked(|_| {}, tweak).await
}

/// The world with both mocks' configurations tweaked before they start.
pub async fn world_tweaked(
    acquirer_tweak: impl FnOnce(&mut mock_acquirer::Config),
    tweak: impl FnOnce(&mut mock_terminal::Config),
) -> World {
    let start: Timestamp = START.parse().unwrap();
    let mut acquirer_config = mock_acquirer::Config::manual_at(start);
    acquirer_tweak(&mut acquirer_config);
    let acquirer = mock_acquirer::spawn(acquirer_config).await.unwrap();
    let mut config = mock_terminal::Config {
        serial: SERIAL.into(),
        business_code: BUSINESS_CODE.into(),
        acquirer_url: acquirer.uri(),
        cloud_url: Some(acquirer.uri()),
        localhost_listen: Some("127.0.0.1:0".parse().unwrap()),
        shared_clock: Some(acquirer.state().clock.clone()),
        ..mock_terminal::Config::default()
    };
    tweak(&mut config);
    let terminal = mock_terminal::spawn(config).await.unwrap();
    if terminal.state().config.cloud_url.is_some() {
        assert!(
            terminal.wait_for_cloud(Duration::from_secs(5)).await,
            "the terminal never linked to the relay"
        );
    }
    World {
        acquirer,
        terminal,
        admin: reqwest::Client::new(),
    }
}

impl World {
    pub fn keys(&self) -> PosKeys {
        PosKeys {
            business_code: BUSINESS_CODE.into(),
            serial: SERIAL.into(),
        }
    }

    pub fn pos(&self, path: Path) -> Pos {
        let base = match path {
            Path::Lan => format!("{}/terminal/v1", self.terminal.uri()),
            Path::Localhost => format!("{}/terminal/v1", self.terminal.localhost_uri().unwrap()),
            Path::Cloud => format!("{}/terminal/v1/{SERIAL}", self.acquirer.uri()),
        };
        Pos::new(base, self.keys())
    }

    /// The shared virtual time, in Unix seconds (the POS signs with it).
    pub fn now(&self) -> i64 {
        self.acquirer.state().clock.now().as_second()
    }

    pub fn advance(&self, secs: i64) {
        self.acquirer.state().clock.advance_secs(secs);
    }

    /// The route of an operation on a path: LAN takes the plain route, the cloud `sync/`.
    pub fn route(path: Path, op: &str) -> String {
        match path {
            Path::Cloud => format!("sync/{op}"),
            _ => op.to_string(),
        }
    }

    pub async fn call(&self, path: Path, op: &str, payload: Value) -> PosAnswer {
        self.pos(path)
            .post(&Self::route(path, op), &payload, self.now())
            .await
    }

    pub async fn card(&self, action: Value) {
        let r = self
            .admin
            .post(format!("{}/__admin/cards", self.terminal.uri()))
            .json(&action)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            201,
            "card action refused: {}",
            r.text().await.unwrap()
        );
    }

    pub async fn terminal_behaviour(&self, b: Value) {
        self.behaviour(&self.terminal.uri(), b).await;
    }

    pub async fn acquirer_behaviour(&self, b: Value) {
        self.behaviour(&self.acquirer.uri(), b).await;
    }

    async fn behaviour(&self, base: &str, b: Value) {
        let r = self
            .admin
            .post(format!("{base}/__admin/behaviours"))
            .json(&b)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }

    /// `GET` of a terminal admin route (`/__admin/journal`), its JSON answer.
    pub async fn admin_get(&self, route: &str) -> Value {
        self.admin
            .get(format!("{}{route}", self.terminal.uri()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits (a bounded number of short polls) until the terminal is in `phase`.
    pub async fn wait_phase(&self, phase: &str) {
        for _ in 0..400 {
            let t = self.admin_get("/__admin/terminal").await;
            if t["state"]["phase"] == phase {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("the terminal never reached phase {phase}");
    }

    pub fn acquirer_operations(&self) -> Vec<String> {
        self.acquirer
            .journal()
            .iter()
            .filter(|e| e.hop == "acquirer")
            .filter_map(|e| e.operation.clone())
            .collect()
    }
}

/// `GET url`, its body as text.
pub async fn get_text(http: &reqwest::Client, url: String) -> String {
    http.get(url).send().await.unwrap().text().await.unwrap()
}

pub fn amount(minor: i64) -> Value {
    json!({"subtotal_iva": 0, "subtotal_iva0": minor, "iva": 0})
}

pub fn charge(ctid: &str, minor: i64) -> Value {
    json!({"client_transaction_id": ctid, "amount": amount(minor)})
}

/// Asserts a body is valid against a schema, listing every violation.
pub fn assert_schema(kind: SchemaKind, body: &Value) {
    if let Err(v) = schemas::validate(kind, body) {
        panic!(
            "{body} breaks {}: {}",
            kind.path(),
            schemas::violations_message(&v)
        );
    }
}

/// Asserts a LinkFailure with `code` and `status`.
pub fn assert_failure(answer: &PosAnswer, status: u16, code: &str) {
    assert_eq!(
        (answer.status, answer.body["code"].as_str().unwrap_or("")),
        (status, code),
        "expected {code} with HTTP {status}, got {answer:?}"
    );
    assert_schema(SchemaKind::ConnectLinkFailure, &answer.body);
}
