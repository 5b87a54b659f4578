//! # mock-terminal
//!
//! A Sunmi SmartPOS (P2 SE or P3) running Kushki ONE in Semi-Integrated mode, for POS
//! integrators: the Kushki ONE Connect API on the LAN (`/terminal/v1/...`, port 6868), on
//! localhost, and over the cloud relay through a WebSocket link. Every request is verified
//! (signature, ±5 minute timestamp, AES-256-CBC body), run through the terminal's state machine
//! and card reader, sent to the acquirer over the raw API, and answered encrypted.
//!
//! # Layout
//!
//! * [`config`]: what a terminal starts with, and the device profiles.
//! * [`connect`]: the one handler every path reaches; [`lan`] and [`cloud`] are its transports.
//! * [`flow`]: running an operation (card, acquirer, reverse on timeout, void-or-refund).
//! * [`reader`]: the scripted card reader and the fake card data it produces.
//! * [`events`]: async events to `events_webhook_url`.
//! * [`history`]: local history for `transaction_search_local`.
//! * [`printer`]: print jobs (202, then COMPLETED or FAILED), their text and SVG renderings,
//!   receipts, and the printer's faults.
//! * [`state`], [`admin`], [`startup`]: shared state, `/__admin/cards`, [`spawn`].

pub mod admin;
pub mod cloud;
pub mod config;
pub mod connect;
pub mod events;
pub mod flow;
pub mod history;
pub mod lan;
pub mod printer;
pub mod reader;
pub mod startup;
pub mod state;

pub use config::Config;
pub use startup::{RunningTerminal, spawn};
