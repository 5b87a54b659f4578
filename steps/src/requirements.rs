//! The requirements list (`features/requirements/*.toml`) as coverage rows for the reports.

use std::path::Path;

use conformance_reports::model::Coverage;

#[derive(Debug, serde::Deserialize)]
struct File {
    requirement: Vec<Row>,
}

#[derive(Debug, serde::Deserialize)]
struct Row {
    id: String,
    text: String,
    source: String,
    #[serde(default = "yes")]
    testable: bool,
    #[serde(default)]
    reason: Option<String>,
}

fn yes() -> bool {
    true
}

/// Reads every `*.toml` of `features/requirements/`, in file-name order.
pub fn load(features: &Path) -> Result<Vec<Coverage>, String> {
    let dir = features.join("requirements");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        let file: File = toml::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
        out.extend(file.requirement.into_iter().map(|r| Coverage {
            id: r.id,
            text: r.text,
            source: r.source,
            testable: r.testable,
            reason: r.reason,
        }));
    }
    Ok(out)
}
