//! # conformance-reports
//!
//! One model of a conformance run ([`model::Run`]: the implementation under test, the target,
//! versions, and each scenario's steps and exchanges) that the runner fills, and the reports CI
//! and certification dry-runs read: JUnit XML, Cucumber JSON, a self-contained HTML report and an
//! evidence package with a manifest of SHA-256 hashes. Card data is masked before anything is
//! written.
//!
//! # Layout
//!
//! * [`model`]: the run model.

pub mod model;
