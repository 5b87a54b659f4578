//! The per-scenario world. Nothing is shared between scenarios but the run's configuration, so
//! they run concurrently.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use kushki_protocol::money::Amount;
use kushki_protocol::raw::Country;
use serde_json::Value;

use crate::env::{Answer, Env};
use crate::target::{Target, Topology};

/// What a run is configured with; read by every world it creates.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The target.
    pub target: Target,
    /// The topology this cucumber pass runs on.
    pub topology: Topology,
    /// Serial of the terminal under test (remote targets).
    pub serial: Option<String>,
    /// Ask the operator for card actions instead of scripting them.
    pub interactive: bool,
}

// cucumber creates worlds with `World::new()`, which takes no arguments: the pass's configuration
// is published here by the runner, which runs one pass at a time.
static CURRENT: RwLock<Option<Arc<RunConfig>>> = RwLock::new(None);

/// Publishes the configuration worlds are created with.
pub fn set_current(config: RunConfig) {
    *CURRENT.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(config));
}

fn current() -> Option<Arc<RunConfig>> {
    CURRENT.read().unwrap_or_else(|p| p.into_inner()).clone()
}

/// A transaction a scenario refers to by name ("the charge", "the pre-authorization").
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    /// `transaction_reference` from the acquirer.
    pub reference: String,
    /// The `client_transaction_id` it was created with.
    pub client_transaction_id: String,
    /// Its total.
    pub amount: Amount,
    /// The body that created it (for reverses, which resend the original).
    pub request: Value,
}

/// The world of one scenario.
#[derive(Debug)]
pub struct KushkiWorld {
    /// The run's configuration.
    pub config: Arc<RunConfig>,
    /// The market amounts and currencies default to.
    pub market: Country,
    env: Option<Env>,
    /// The last answer.
    pub last: Option<Answer>,
    /// Named transactions.
    pub named: HashMap<String, Named>,
    /// A Connect operation running in the background, and the timestamp it was signed with.
    pub pending: Option<tokio::task::JoinHandle<(Answer, Vec<Value>)>>,
    /// A webhook receiver started by the scenario.
    pub receiver: Option<wiremock::MockServer>,
    /// The receiver's base URL as the implementation under test reaches it.
    pub receiver_url: String,
    /// Key of the webhook receiver.
    pub webhook_key: Option<String>,
    counter: u32,
    /// Scenario key, for collecting evidence after it ends.
    pub key: String,
}

impl cucumber::World for KushkiWorld {
    type Error = String;

    async fn new() -> Result<Self, String> {
        let config = current().ok_or("no run configured: use kushki_conformance::runner::run")?;
        Ok(KushkiWorld {
            config,
            market: Country::Peru,
            env: None,
            last: None,
            named: HashMap::new(),
            pending: None,
            receiver: None,
            receiver_url: String::new(),
            webhook_key: None,
            counter: 0,
            key: String::new(),
        })
    }
}

impl KushkiWorld {
    /// The environment, started on first use (after any `Given the market is …`).
    pub async fn env(&mut self) -> &mut Env {
        if self.env.is_none() {
            let env = Env::start(
                &self.config.target,
                self.config.topology,
                self.market,
                self.config.serial.as_deref(),
            )
            .await
            .unwrap_or_else(|e| panic!("cannot reach the implementation under test: {e}"));
            let other_market = env
                .remote_market()
                .filter(|m| env.topology.is_connect() && *m != self.market);
            self.env = Some(env);
            if let Some(theirs) = other_market {
                crate::env::skip(format!(
                    "the scenario is for a {} terminal; the terminal under test is configured for {}",
                    self.market.as_str(),
                    theirs.as_str()
                ));
            }
        }
        self.env.as_mut().expect("started above")
    }

    /// The environment if it was started.
    pub fn env_if_started(&self) -> Option<&Env> {
        self.env.as_ref()
    }

    /// Takes the environment out (for shutdown after the scenario).
    pub fn take_env(&mut self) -> Option<Env> {
        self.env.take()
    }

    /// A fresh `client_transaction_id`: a UUID (the raw API requires one, add §6.2; Connect
    /// accepts it too).
    pub fn new_client_id(&mut self) -> String {
        self.counter += 1;
        uuid::Uuid::new_v4().to_string()
    }

    /// The last answer, or a clear failure when no request was made.
    pub fn last(&self) -> &Answer {
        self.last
            .as_ref()
            .expect("no request was made yet in this scenario")
    }

    /// A named transaction, or a clear failure.
    pub fn named(&self, name: &str) -> &Named {
        self.named.get(name).unwrap_or_else(|| {
            panic!(
                "no transaction is called `{name}` in this scenario (known: {:?})",
                self.named.keys().collect::<Vec<_>>()
            )
        })
    }
}
