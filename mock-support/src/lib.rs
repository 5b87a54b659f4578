//! # kushki-mock-support
//!
//! What every Kushki mock shares, so that the acquirer and the terminal answer their admin API
//! alike and journal alike, while never depending on each other (they talk over HTTP, as in real
//! life):
//!
//! # Layout
//!
//! * [`clock`]: the mocks' [`clock::VirtualClock`]: system or manual time, and waits that end when
//!   the virtual time passes a deadline (a 60-second rule costs no wall time).
//! * [`journal`]: every exchange in order, masked, in a bounded in-memory window and optionally a
//!   JSON Lines file that keeps everything.
//! * [`behaviours`]: scripted outcomes (latency, status, dropped connection, no answer, issuer
//!   codes, rules switched off) matched per hop, path, operation, amount and id.
//! * [`admin`]: the `/__admin/` router: health, journal, clock, behaviours, reset.
//! * [`body`]: reading a JSON body with every client fault turned into a typed error (never a
//!   panic, never a 500).
//! * [`dns`]: host names resolved in Rust (hickory) for the terminal's cloud link.
//! * [`server`]: binding (port 0 in tests), the house limits, graceful shutdown, HTTPS listeners.
//! * [`startup`]: what both mocks do to start and stop: journal, outbound client, listeners,
//!   and their binaries' clock flags, banner and signal loop.
//! * [`tls`]: the store's certificate authority and the leaves it issues each HTTPS listener.
//! * `fuzz` (feature `fuzz`, for the mocks' robustness tests): generated bad input.

pub mod admin;
pub mod behaviours;
pub mod body;
pub mod clock;
pub mod dns;
#[cfg(feature = "fuzz")]
pub mod fuzz;
pub mod journal;
pub mod server;
pub mod startup;
pub mod tls;
