//! # kushki-conformance
//!
//! The conformance suite: the Gherkin scenarios of `features/` (the executable statement of what
//! Kushki documents) run by step definitions that drive any implementation through a target —
//! the embedded mocks, a terminal on the LAN, the cloud relay, localhost, or an acquirer URL.
//!
//! # Layout
//!
//! * [`target`]: targets, topologies and capabilities.
//! * [`env`]: a scenario's environment and its clients (every answer checked against
//!   `schemas/` before a step reads it; every exchange kept, masked).
//! * [`world`]: the per-scenario world.
//! * [`params`]: the domain words of steps (`{amount}`, `{card}`, `{reading}`).
//! * [`steps`]: the step definitions, registered explicitly.
//! * [`collector`], [`runner`]: running the suite into the report model.

pub mod collector;
pub mod env;
pub mod params;
pub mod requirements;
pub mod runner;
pub mod serve;
pub mod steps;
pub mod target;
pub mod verify;
pub mod world;
