//! The evidence package: a fresh one checks out; an altered byte, a missing or extra file, a
//! wrong key, an unsigned or unverifiable signature do not.

mod common;

use std::fs;
use std::path::Path;

use common::{sample_run, scratch};
use conformance_reports::model::Totals;
use conformance_reports::{check_package, package, write_all};
use serde_json::Value;

const KEY: &[u8] = b"certification key 1";

fn problems(dir: &Path, key: Option<&[u8]>) -> Vec<String> {
    check_package(dir, key).expect_err("the check should fail")
}

fn assert_reports(problems: &[String], needle: &str) {
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "expected a problem containing {needle:?}, got {problems:#?}"
    );
}

#[test]
fn a_fresh_signed_package_checks_out() {
    let dir = scratch("package-fresh");
    let written = write_all(&sample_run(), &dir, Some(KEY)).unwrap();
    let check = check_package(&dir, Some(KEY)).expect("a fresh package checks out");
    assert_eq!(check.files, ["junit.xml", "cucumber.json", "index.html"]);
    assert!(check.signed);
    assert_eq!(
        check.totals,
        Totals {
            passed: 2,
            failed: 1,
            skipped: 1
        }
    );
    let sizes: u64 = written.all()[..3]
        .iter()
        .map(|p| fs::metadata(p).unwrap().len())
        .sum();
    assert_eq!(check.bytes, sizes);

    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(&written.manifest).unwrap()).unwrap();
    assert_eq!(manifest["format"], package::FORMAT);
    assert_eq!(manifest["verdict"], "failed");
    assert_eq!(manifest["totals"]["skipped"], 1);
    assert_eq!(
        manifest["implementation"],
        "embedded mock-acquirer and mock-terminal"
    );
    assert_eq!(manifest["files"][0]["path"], "junit.xml");
    assert_eq!(manifest["files"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(manifest["hmac_sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn the_signature_is_the_documented_hmac_over_the_canonical_bytes() {
    use hmac::{Hmac, Mac};
    let dir = scratch("package-hmac");
    let written = write_all(&sample_run(), &dir, Some(KEY)).unwrap();
    let manifest: serde_json::Map<String, Value> =
        serde_json::from_str(&fs::read_to_string(&written.manifest).unwrap()).unwrap();
    let canonical = String::from_utf8(package::canonical_bytes(&manifest)).unwrap();
    assert!(
        canonical.starts_with("{\"files\":[{\"bytes\":"),
        "sorted keys, compact: {canonical}"
    );
    assert!(!canonical.contains("hmac_sha256"));
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(KEY).unwrap();
    mac.update(canonical.as_bytes());
    assert_eq!(
        manifest["hmac_sha256"],
        hex::encode(mac.finalize().into_bytes())
    );
}

#[test]
fn an_unsigned_package_checks_out_without_a_key() {
    let dir = scratch("package-unsigned");
    write_all(&sample_run(), &dir, None).unwrap();
    let check = check_package(&dir, None).expect("an unsigned package checks out without a key");
    assert!(!check.signed);
    assert_reports(&problems(&dir, Some(KEY)), "the manifest is not signed");
}

#[test]
fn an_altered_byte_is_found() {
    let dir = scratch("package-altered");
    let written = write_all(&sample_run(), &dir, Some(KEY)).unwrap();
    let mut bytes = fs::read(&written.html).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    fs::write(&written.html, bytes).unwrap();
    let p = problems(&dir, Some(KEY));
    assert_reports(&p, "index.html: altered: sha256 is");
    assert_eq!(p.len(), 1, "only that file: {p:#?}");
}

#[test]
fn a_missing_and_an_extra_file_are_found() {
    let dir = scratch("package-missing");
    let written = write_all(&sample_run(), &dir, Some(KEY)).unwrap();
    fs::remove_file(&written.cucumber_json).unwrap();
    fs::create_dir_all(dir.join("evidence")).unwrap();
    fs::write(dir.join("evidence/late.txt"), "added after the manifest").unwrap();
    let p = problems(&dir, Some(KEY));
    assert_reports(&p, "cucumber.json: missing");
    assert_reports(&p, "evidence/late.txt: extra");
}

#[test]
fn a_wrong_key_or_an_edited_manifest_fails_the_signature() {
    let dir = scratch("package-key");
    let written = write_all(&sample_run(), &dir, Some(KEY)).unwrap();
    assert_reports(
        &problems(&dir, Some(b"another key")),
        "hmac_sha256 does not match",
    );
    assert_reports(
        &problems(&dir, None),
        "signed (hmac_sha256) but no key was given",
    );

    // Turning the verdict around breaks the signature, though every file hash still holds.
    let text = fs::read_to_string(&written.manifest).unwrap();
    fs::write(
        &written.manifest,
        text.replace("\"verdict\": \"failed\"", "\"verdict\": \"passed\""),
    )
    .unwrap();
    let p = problems(&dir, Some(KEY));
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_reports(&p, "hmac_sha256 does not match");
}

#[test]
fn reformatting_the_manifest_keeps_the_signature() {
    let dir = scratch("package-reformat");
    let written = write_all(&sample_run(), &dir, Some(KEY)).unwrap();
    let v: Value = serde_json::from_str(&fs::read_to_string(&written.manifest).unwrap()).unwrap();
    fs::write(&written.manifest, v.to_string()).unwrap();
    check_package(&dir, Some(KEY)).expect("the content is signed, not the layout");
}

#[test]
fn a_missing_manifest_is_reported() {
    let dir = scratch("package-no-manifest");
    assert_reports(&problems(&dir, None), "manifest.json: cannot be read");
}

#[test]
fn a_relative_output_folder_works() {
    // write_all passes `out.join(name)` paths to the manifest: with a relative `out` they must
    // still be hashed once, not looked up under `out/out/`.
    let dir = scratch("package-relative");
    let cwd = std::env::current_dir().unwrap();
    let Some(relative) = pathdiff(&dir, &cwd) else {
        eprintln!(
            "scratch space is not reachable relatively from {}",
            cwd.display()
        );
        return;
    };
    write_all(&sample_run(), &relative, None).unwrap();
    check_package(&dir, None).expect("a package written through a relative path checks out");
}

/// `to` relative to `from`, through their common ancestor.
fn pathdiff(to: &Path, from: &Path) -> Option<std::path::PathBuf> {
    let mut up = std::path::PathBuf::new();
    let mut base = from;
    loop {
        if let Ok(rest) = to.strip_prefix(base) {
            return Some(up.join(rest));
        }
        up.push("..");
        base = base.parent()?;
    }
}
