//! # mock-acquirer
//!
//! A faithful, stateful stand-in for Kushki's card-present backend: the raw card-present API
//! (`POST /pos/v1/transaction`, `POST /pos/v1/refund`, transaction search) with its ledger and
//! timing rules, webhooks signed as Kushki signs them, a journal of every exchange, and the admin
//! API that steers it from any language. Terminal-app integrators point their app at it instead
//! of `https://api-uat.kushkipagos.com`.
//!
//! # Layout
//!
//! * [`config`]: what a mock starts with (credentials, clock, journal file, rules, webhook).
//! * [`domain`]: the ledger ([`domain::ledger`]), the rules ([`domain::rule::Rule`], applied by
//!   one function per operation in [`domain::rules`]), the card reader of clear test data
//!   ([`domain::cards`]) and the answer builder. No HTTP.
//! * [`routes`]: `pos` (transaction, refund), `search`, `card_info` (balance inquiry, BIN info v1
//!   and v2, deferred options: harness-defined H14), and the acquirer's own admin routes.
//! * [`relay`]: the Kushki ONE cloud relay (`/terminal/v1/{serial}/sync|async/{op}`) over the
//!   terminals' WebSocket links.
//! * [`webhooks`]: signed deliveries with bounded retries.
//! * [`error`]: the one error type and its documented bodies.
//! * [`state`], [`startup`]: shared state and [`spawn`].
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let acquirer = mock_acquirer::spawn(mock_acquirer::Config::default()).await?;
//! println!("{}", acquirer.uri());
//! # Ok(()) }
//! ```

pub mod config;
pub mod domain;
pub mod error;
pub mod relay;
pub mod routes;
pub mod startup;
pub mod state;
pub mod webhooks;

pub use config::{Config, DEFAULT_CREDENTIAL};
pub use startup::{RunningAcquirer, spawn};
