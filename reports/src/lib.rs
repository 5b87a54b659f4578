//! # conformance-reports
//!
//! One model of a conformance run ([`model::Run`]: the implementation under test, the target,
//! versions, and each scenario's steps and exchanges) that the runner fills, and the reports CI
//! and certification dry-runs read: JUnit XML, Cucumber JSON, a self-contained HTML report and an
//! evidence package with a manifest of SHA-256 hashes. Card data is masked before anything is
//! written.
//!
//! [`write_all`] writes the whole package into a folder ([`DEFAULT_DIR`] unless told otherwise):
//!
//! | file | what | for |
//! |---|---|---|
//! | `junit.xml` | [`junit`]: one `<testcase>` per scenario and topology | CI gating |
//! | `cucumber.json` | [`cucumber_json`]: the Cucumber JSON format | Cucumber tooling |
//! | `index.html` | [`html`]: summary, requirement coverage, evidence | people, certification |
//! | `manifest.json` | [`package`]: SHA-256 of every other file, optionally an HMAC | proof |
//!
//! [`package::check_package`] verifies such a folder later.
//!
//! # Layout
//!
//! * [`model`]: the run model.
//! * [`redact`]: the masked copy of a run every report is written from (the one masking gate).
//! * [`junit`], [`cucumber_json`], [`html`]: one renderer per format, each `render(&Run)`.
//! * `markup`: the HTML and XML escaping the renderers share.
//! * [`package`]: the manifest, its signature, and the package check.
//! * `schemas/`: the Cucumber JSON schema and the JUnit XSD the tests validate the output against.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub mod cucumber_json;
pub mod html;
pub mod junit;
mod markup;
pub mod model;
pub mod package;
pub mod redact;

pub use package::{PackageCheck, check_package};

/// The output folder when none is given.
pub const DEFAULT_DIR: &str = "conformance-report";

/// File name of the JUnit XML report.
pub const JUNIT_FILE: &str = "junit.xml";
/// File name of the Cucumber JSON report.
pub const CUCUMBER_FILE: &str = "cucumber.json";
/// File name of the HTML report.
pub const HTML_FILE: &str = "index.html";

/// The files [`write_all`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `junit.xml`.
    pub junit: PathBuf,
    /// `cucumber.json`.
    pub cucumber_json: PathBuf,
    /// `index.html`.
    pub html: PathBuf,
    /// `manifest.json`, written last, over the other three.
    pub manifest: PathBuf,
}

impl Written {
    /// All four paths, the manifest last.
    pub fn all(&self) -> [&Path; 4] {
        [&self.junit, &self.cucumber_json, &self.html, &self.manifest]
    }
}

/// Writes the four files of a run's report package into `out` (created if needed; files of the
/// same names are replaced, other files are left alone, and a later [`check_package`] will call
/// them extra). The manifest is signed when `sign_key` is given.
pub fn write_all(run: &model::Run, out: &Path, sign_key: Option<&[u8]>) -> io::Result<Written> {
    fs::create_dir_all(out)?;
    let junit = out.join(JUNIT_FILE);
    fs::write(&junit, junit::render(run))?;
    let cucumber_json = out.join(CUCUMBER_FILE);
    let mut json =
        serde_json::to_string_pretty(&cucumber_json::render(run)).map_err(io::Error::other)?;
    json.push('\n');
    fs::write(&cucumber_json, json)?;
    let html = out.join(HTML_FILE);
    fs::write(&html, html::render(run))?;
    let manifest = package::write_manifest(
        out,
        run,
        &[junit.clone(), cucumber_json.clone(), html.clone()],
        sign_key,
    )?;
    Ok(Written {
        junit,
        cucumber_json,
        html,
        manifest,
    })
}
