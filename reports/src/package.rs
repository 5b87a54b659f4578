//! The evidence package: the report folder plus a `manifest.json` that vouches for it.
//!
//! ```text
//! { "format": "kushki-conformance-evidence/1",
//!   "implementation", "target", "versions": {name: version}, "started", "finished",
//!   "verdict": "passed" | "failed",
//!   "totals": {"passed", "failed", "skipped"},
//!   "files": [{"path": "junit.xml", "sha256": "<64 hex>", "bytes": 1234}, …],
//!   "hmac_sha256": "<64 hex>" }                       only when written with a signing key
//! ```
//!
//! `files` lists every file of the package but the manifest itself, with paths relative to the
//! folder and `/` as separator. `sha256` is the lower-case hex SHA-256 of the file's bytes.
//!
//! **Signature.** `hmac_sha256` is the lower-case hex HMAC-SHA256, under the signing key, of the
//! manifest's *canonical bytes*: the manifest object without its `hmac_sha256` key, serialised as
//! compact JSON (no white space between tokens) with the keys of every object sorted by their
//! UTF-8 bytes, strings escaped as JSON requires and no more (`/` and non-ASCII written as
//! themselves), numbers as written. Python's
//! `json.dumps(m, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()` gives the
//! same bytes, so the signature can be checked without this crate. The file itself is
//! pretty-printed; its layout is not signed, its content is.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::model::{Run, Totals};
use crate::redact;

/// The manifest's file name, inside the package folder.
pub const MANIFEST: &str = "manifest.json";

/// The manifest's `format`.
pub const FORMAT: &str = "kushki-conformance-evidence/1";

/// The manifest's signature field.
pub const HMAC_FIELD: &str = "hmac_sha256";

type HmacSha256 = Hmac<Sha256>;

/// What a successful [`check_package`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageCheck {
    /// The files the manifest lists, each present with its recorded size and hash.
    pub files: Vec<String>,
    /// Their total size.
    pub bytes: u64,
    /// Whether the manifest's HMAC was verified (false: the package is unsigned and no key was
    /// given).
    pub signed: bool,
    /// The counts the manifest records.
    pub totals: Totals,
}

/// Writes `dir/manifest.json` for a run whose report files are already written, signed when
/// `sign_key` is given. `files` are relative to `dir`, or `dir.join(…)` paths; each must lie
/// inside `dir`.
pub fn write_manifest(
    dir: &Path,
    run: &Run,
    files: &[PathBuf],
    sign_key: Option<&[u8]>,
) -> io::Result<PathBuf> {
    let run = redact::run(run);
    let mut entries = Vec::new();
    for file in files {
        let relative = file.strip_prefix(dir).unwrap_or(file);
        if !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a file inside {}", file.display(), dir.display()),
            ));
        }
        let full = dir.join(relative);
        let bytes = fs::read(&full)?;
        entries.push(json!({
            "path": slash_path(relative),
            "sha256": hex::encode(Sha256::digest(&bytes)),
            "bytes": bytes.len(),
        }));
    }
    let totals = run.totals();
    let mut manifest = Map::new();
    manifest.insert("format".into(), json!(FORMAT));
    manifest.insert("implementation".into(), json!(run.implementation));
    manifest.insert("target".into(), json!(run.target));
    manifest.insert("versions".into(), json!(run.versions));
    manifest.insert("started".into(), json!(run.started));
    manifest.insert("finished".into(), json!(run.finished));
    manifest.insert(
        "verdict".into(),
        json!(if run.failed() { "failed" } else { "passed" }),
    );
    manifest.insert("totals".into(), json!(totals));
    manifest.insert("files".into(), Value::Array(entries));
    if let Some(key) = sign_key {
        let mac = sign(&manifest, key);
        manifest.insert(HMAC_FIELD.into(), json!(mac));
    }
    let path = dir.join(MANIFEST);
    let mut text =
        serde_json::to_string_pretty(&Value::Object(manifest)).map_err(io::Error::other)?;
    text.push('\n');
    fs::write(&path, text)?;
    Ok(path)
}

/// Checks a package folder against its manifest: every listed file present with its size and
/// SHA-256, no file that the manifest does not list, and the signature. With a key, the manifest
/// must be signed with that key; without one, a signed manifest is refused too (its signature
/// would go unchecked). Every problem found is returned, each naming the file and what was
/// expected and found.
pub fn check_package(dir: &Path, key: Option<&[u8]>) -> Result<PackageCheck, Vec<String>> {
    let manifest_path = dir.join(MANIFEST);
    let text = fs::read_to_string(&manifest_path)
        .map_err(|e| vec![format!("{}: cannot be read: {e}", manifest_path.display())])?;
    let manifest: Map<String, Value> = serde_json::from_str(&text)
        .map_err(|e| vec![format!("{MANIFEST}: not a JSON object: {e}")])?;
    let mut problems = Vec::new();

    match manifest.get("format").and_then(Value::as_str) {
        Some(FORMAT) => {}
        other => problems.push(format!(
            "{MANIFEST}: format is {other:?}, expected \"{FORMAT}\""
        )),
    }
    let totals = manifest
        .get("totals")
        .and_then(|t| serde_json::from_value::<Totals>(t.clone()).ok());
    if totals.is_none() {
        problems.push(format!(
            "{MANIFEST}: `totals` is missing or not {{passed, failed, skipped}}"
        ));
    }

    let signed = match (key, manifest.get(HMAC_FIELD)) {
        (Some(key), Some(Value::String(mac))) => {
            if verify(&manifest, key, mac) {
                true
            } else {
                problems.push(format!(
                    "{MANIFEST}: {HMAC_FIELD} does not match: signed with another key, or the \
                     manifest was altered after signing"
                ));
                false
            }
        }
        (Some(_), Some(_)) => {
            problems.push(format!("{MANIFEST}: {HMAC_FIELD} is not a hex string"));
            false
        }
        (Some(_), None) => {
            problems.push(format!(
                "{MANIFEST}: a key was given but the manifest is not signed (no {HMAC_FIELD})"
            ));
            false
        }
        (None, Some(_)) => {
            problems.push(format!(
                "{MANIFEST}: the manifest is signed ({HMAC_FIELD}) but no key was given to verify it"
            ));
            false
        }
        (None, None) => false,
    };

    let mut listed = BTreeSet::new();
    let mut files = Vec::new();
    let mut bytes_total = 0u64;
    let entries = match manifest.get("files").and_then(Value::as_array) {
        Some(entries) => entries.as_slice(),
        None => {
            problems.push(format!("{MANIFEST}: `files` is missing or not an array"));
            &[]
        }
    };
    for (i, entry) in entries.iter().enumerate() {
        let path = entry.get("path").and_then(Value::as_str);
        let sha = entry.get("sha256").and_then(Value::as_str);
        let size = entry.get("bytes").and_then(Value::as_u64);
        let (Some(path), Some(sha), Some(size)) = (path, sha, size) else {
            problems.push(format!(
                "{MANIFEST}: files[{i}] lacks a string path, a string sha256 or a number of bytes"
            ));
            continue;
        };
        if !is_plain_relative(path) {
            problems.push(format!(
                "{MANIFEST}: files[{i}] path {path:?} is not a plain relative path inside the package"
            ));
            continue;
        }
        if path == MANIFEST || !listed.insert(path.to_string()) {
            problems.push(format!("{MANIFEST}: {path} is listed twice"));
            continue;
        }
        let bytes = match fs::read(dir.join(path)) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                problems.push(format!("{path}: missing (the manifest lists it)"));
                continue;
            }
            Err(e) => {
                problems.push(format!("{path}: cannot be read: {e}"));
                continue;
            }
        };
        let actual = hex::encode(Sha256::digest(&bytes));
        if bytes.len() as u64 != size {
            problems.push(format!(
                "{path}: altered: {} bytes, the manifest says {size}",
                bytes.len()
            ));
        } else if !actual.eq_ignore_ascii_case(sha) {
            problems.push(format!(
                "{path}: altered: sha256 is {actual}, the manifest says {sha}"
            ));
        } else {
            bytes_total += size;
            files.push(path.to_string());
        }
    }

    match list_files(dir) {
        Ok(present) => {
            for path in present {
                if path != MANIFEST && !listed.contains(&path) {
                    problems.push(format!("{path}: extra (not listed in the manifest)"));
                }
            }
        }
        Err(e) => problems.push(format!("{}: cannot be listed: {e}", dir.display())),
    }

    match totals {
        Some(totals) if problems.is_empty() => Ok(PackageCheck {
            files,
            bytes: bytes_total,
            signed,
            totals,
        }),
        _ => Err(problems),
    }
}

/// The canonical bytes (see the module docs) of a manifest, its `hmac_sha256` left out.
pub fn canonical_bytes(manifest: &Map<String, Value>) -> Vec<u8> {
    let mut without = manifest.clone();
    without.shift_remove(HMAC_FIELD);
    canonical(&Value::Object(without)).to_string().into_bytes()
}

/// A copy with every object's keys sorted (serde_json keeps insertion order in this workspace).
fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), canonical(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

fn mac_for(key: &[u8]) -> HmacSha256 {
    // HMAC accepts a key of any length; `new_from_slice` cannot fail for it.
    HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length")
}

fn sign(manifest: &Map<String, Value>, key: &[u8]) -> String {
    let mut mac = mac_for(key);
    mac.update(&canonical_bytes(manifest));
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time comparison of the recorded HMAC with the one recomputed.
fn verify(manifest: &Map<String, Value>, key: &[u8], recorded: &str) -> bool {
    let Ok(recorded) = hex::decode(recorded) else {
        return false;
    };
    let mut mac = mac_for(key);
    mac.update(&canonical_bytes(manifest));
    mac.verify_slice(&recorded).is_ok()
}

fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A manifest path names a file inside the package: relative, no `..`, no root, no `\`.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Every file under `dir`, as `/`-separated paths relative to it, sorted.
fn list_files(dir: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.push(slash_path(rel));
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bytes_sort_keys_at_every_depth_and_leave_out_the_signature() {
        let m: Map<String, Value> = serde_json::from_str(
            r#"{"b": 1, "hmac_sha256": "ff", "a": {"z": [ {"y": "é/x", "x": 2} ], "c": true}}"#,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(canonical_bytes(&m)).unwrap(),
            r#"{"a":{"c":true,"z":[{"x":2,"y":"é/x"}]},"b":1}"#
        );
    }

    #[test]
    fn only_plain_relative_paths_name_package_files() {
        assert!(is_plain_relative("junit.xml"));
        assert!(is_plain_relative("evidence/a.json"));
        for bad in ["", "../x", "/etc/passwd", "a/../b", "./a", "a\\b"] {
            assert!(!is_plain_relative(bad), "{bad}");
        }
    }
}
