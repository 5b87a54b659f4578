//! The certification dry-run report: one self-contained HTML file (inline CSS, no script, no
//! external resource), readable offline and fit to attach to a certification request.
//!
//! Sections, in order:
//!
//! * a header: implementation under test, target, versions, start and end, and the verdict;
//! * `#summary`: scenario counts in `<span id="passed">`, `id="failed"`, `id="skipped"` and
//!   `id="total"` (stable ids, so a test or a script can read them), and the run's errors;
//! * `#coverage`: one row per requirement (`id="req-<id>"`): its text and source, and the
//!   scenarios that carry its `@req:<id>` tag with their status and topology, or "not testable"
//!   with the reason, or "not covered";
//! * `#features`: per feature and scenario (`id="s-<n>"`, failed ones open): status, topology,
//!   tags, the skip reason, the steps with status, time and message, each exchange as pretty JSON
//!   in a `<details>`, and the receipts as `<pre>`.
//!
//! Every string is masked ([`crate::redact`]) and then HTML-escaped.

use std::fmt::Write as _;

use serde_json::Value;

use crate::junit::millis;
use crate::model::{Run, ScenarioResult, Status};
use crate::redact;

/// The tag prefix by which a scenario names a requirement it covers.
pub const REQ_TAG: &str = "@req:";

const CSS: &str = r#"
:root { --pass: #1a7f37; --fail: #c62828; --skip: #8a6d00; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
  margin: 0 auto; max-width: 72rem; padding: 1.5rem; }
h1 { margin: 0 0 .5rem; font-size: 1.6rem; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: .3rem; margin-top: 2rem; }
h3 { margin: 1.5rem 0 .3rem; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--soft); border: 1px solid var(--line); padding: .6rem; overflow-x: auto;
  white-space: pre-wrap; word-break: break-word; margin: .3rem 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
dl.meta ul { margin: 0; padding-left: 1.1rem; }
.verdict { display: inline-block; padding: .3rem .8rem; border-radius: .3rem; color: #fff;
  font-weight: 700; }
.verdict.passed { background: var(--pass); }
.verdict.failed { background: var(--fail); }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--soft); }
table.counts { width: auto; }
table.counts td { font-size: 1.4rem; font-weight: 700; text-align: right; min-width: 5rem; }
.status { display: inline-block; min-width: 4.5rem; text-align: center; border-radius: .25rem;
  padding: 0 .35rem; font-size: .8rem; font-weight: 700; text-transform: uppercase; color: #fff; }
.status.passed { background: var(--pass); }
.status.failed { background: var(--fail); }
.status.skipped { background: var(--skip); }
.status.none { background: #6e7781; }
tr.step-failed td { background: #ffebe9; }
details.scenario { border: 1px solid var(--line); border-radius: .3rem; margin: .4rem 0;
  padding: .3rem .6rem; }
details.scenario > summary { cursor: pointer; }
details.scenario.failed { border-left: .35rem solid var(--fail); }
details.scenario.passed { border-left: .35rem solid var(--pass); }
details.scenario.skipped { border-left: .35rem solid var(--skip); }
.where, .muted { color: #59636e; font-size: .9em; }
ul.covering { margin: 0; padding-left: 1rem; }
.tag { background: var(--soft); border: 1px solid var(--line); border-radius: 1rem;
  padding: 0 .45rem; margin-right: .2rem; font-size: .85em; }
footer { margin-top: 3rem; color: #59636e; font-size: .85em; }
"#;

/// The HTML report of a run.
pub fn render(run: &Run) -> String {
    let run = redact::run(run);
    let totals = run.totals();
    let mut h = String::new();
    let verdict = if run.failed() { "failed" } else { "passed" };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Conformance report: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&run.implementation)
    );

    // Header.
    let _ = write!(
        h,
        "<header>\n<h1>Kushki conformance report</h1>\n\
         <p class=\"verdict {verdict}\" id=\"verdict\">{}</p>\n<dl class=\"meta\">\n\
         <dt>Implementation under test</dt><dd id=\"implementation\">{}</dd>\n\
         <dt>Target</dt><dd id=\"target\"><code>{}</code></dd>\n<dt>Versions</dt><dd><ul>",
        if run.failed() { "FAILED" } else { "PASSED" },
        esc(&run.implementation),
        esc(&run.target),
    );
    for (name, version) in &run.versions {
        let _ = write!(h, "<li><code>{}</code> {}</li>", esc(name), esc(version));
    }
    let _ = write!(
        h,
        "</ul></dd>\n<dt>Started</dt><dd id=\"started\">{}</dd>\n\
         <dt>Finished</dt><dd id=\"finished\">{}</dd>\n</dl>\n</header>\n<main>\n",
        esc(&run.started),
        esc(&run.finished)
    );

    // Summary.
    let _ = write!(
        h,
        "<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"counts\">\n\
         <tr><th>Passed</th><th>Failed</th><th>Skipped</th><th>Total</th></tr>\n\
         <tr><td><span id=\"passed\">{}</span></td><td><span id=\"failed\">{}</span></td>\
         <td><span id=\"skipped\">{}</span></td><td><span id=\"total\">{}</span></td></tr>\n\
         </table>\n<p class=\"muted\">Scenarios, counted once per topology. A skipped scenario \
         never counts as passed: it did not run against this target (see its reason).</p>\n",
        totals.passed,
        totals.failed,
        totals.skipped,
        totals.total()
    );
    if !run.errors.is_empty() {
        h.push_str("<h3>Run errors</h3>\n<ul id=\"errors\">\n");
        for e in &run.errors {
            let _ = writeln!(h, "<li><pre>{}</pre></li>", esc(e));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");

    coverage(&mut h, &run);
    features(&mut h, &run);

    let _ = write!(
        h,
        "</main>\n<footer>Written by conformance-reports {}. Card numbers are shown as BIN and \
         last four; TLV, tracks, PIN blocks, the Business-Code and credentials are redacted.\
         </footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    h
}

/// Anchor of the `n`th scenario of the run (in [`Run::scenarios`] order).
fn anchor(n: usize) -> String {
    format!("s-{n}")
}

fn coverage(h: &mut String, run: &Run) {
    h.push_str("<section id=\"coverage\">\n<h2>Requirement coverage</h2>\n");
    if run.requirements.is_empty() {
        h.push_str("<p class=\"muted\">This run was given no requirements list.</p>\n</section>\n");
        return;
    }
    h.push_str(
        "<table>\n<thead><tr><th>Requirement</th><th>Text</th><th>Source</th>\
         <th>Covered by</th></tr></thead>\n<tbody>\n",
    );
    let scenarios: Vec<_> = run.scenarios().enumerate().collect();
    for req in &run.requirements {
        let tag = format!("{REQ_TAG}{}", req.id);
        let covering: Vec<_> = scenarios
            .iter()
            .filter(|(_, (_, s))| s.tags.contains(&tag))
            .collect();
        let state = if !req.testable {
            "not-testable"
        } else if covering.is_empty() {
            "not-covered"
        } else if covering
            .iter()
            .any(|(_, (_, s))| s.status == Status::Failed)
        {
            "failed"
        } else if covering
            .iter()
            .any(|(_, (_, s))| s.status == Status::Passed)
        {
            "passed"
        } else {
            "skipped"
        };
        let _ = write!(
            h,
            "<tr id=\"req-{}\" class=\"req {state}\"><td><code>{}</code></td><td>{}</td>\
             <td>{}</td><td>",
            esc(&req.id),
            esc(&req.id),
            esc(&req.text),
            esc(&req.source)
        );
        if !req.testable {
            let _ = write!(
                h,
                "<span class=\"status none\">n/a</span> not testable: {}",
                esc(req.reason.as_deref().unwrap_or("no reason given"))
            );
        } else if covering.is_empty() {
            h.push_str("<span class=\"status failed\">none</span> not covered by any scenario");
        } else {
            h.push_str("<ul class=\"covering\">");
            for (n, (f, s)) in covering {
                let _ = write!(
                    h,
                    "<li>{} <a href=\"#{}\">{}</a> <span class=\"where\">{}:{} · {}</span></li>",
                    badge(s.status),
                    anchor(*n),
                    esc(&s.name),
                    esc(&f.path),
                    s.line,
                    esc(&s.topology)
                );
            }
            h.push_str("</ul>");
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");

    let mut unknown: Vec<&str> = run
        .scenarios()
        .flat_map(|(_, s)| s.tags.iter())
        .filter_map(|t| t.strip_prefix(REQ_TAG))
        .filter(|id| !run.requirements.iter().any(|r| r.id == *id))
        .collect();
    unknown.sort_unstable();
    unknown.dedup();
    if !unknown.is_empty() {
        h.push_str("<p id=\"unknown-requirements\">Tags naming no listed requirement: ");
        for id in unknown {
            let _ = write!(h, "<code>{}{}</code> ", esc(REQ_TAG), esc(id));
        }
        h.push_str("</p>\n");
    }
    h.push_str("</section>\n");
}

fn features(h: &mut String, run: &Run) {
    h.push_str("<section id=\"features\">\n<h2>Features and scenarios</h2>\n");
    let mut n = 0;
    for f in &run.features {
        let _ = write!(
            h,
            "<section class=\"feature\">\n<h3>{}</h3>\n<p><code>{}</code> {}</p>\n",
            esc(&f.name),
            esc(&f.path),
            tag_list(&f.tags)
        );
        for s in &f.scenarios {
            scenario(h, s, n);
            n += 1;
        }
        h.push_str("</section>\n");
    }
    h.push_str("</section>\n");
}

fn scenario(h: &mut String, s: &ScenarioResult, n: usize) {
    let status = s.status.as_str();
    let _ = write!(
        h,
        "<details class=\"scenario {status}\" id=\"{}\"{}>\n<summary>{} {} \
         <span class=\"where\">line {} · topology <b>{}</b> · {:.0} ms</span></summary>\n",
        anchor(n),
        if s.status == Status::Failed {
            " open"
        } else {
            ""
        },
        badge(s.status),
        esc(&s.name),
        s.line,
        esc(&s.topology),
        millis(s.duration_ms)
    );
    if !s.tags.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", tag_list(&s.tags));
    }
    if let Some(reason) = &s.skip_reason {
        let _ = writeln!(h, "<p class=\"reason\">Skipped: {}</p>", esc(reason));
    }
    if !s.steps.is_empty() {
        h.push_str(
            "<table class=\"steps\">\n<tr><th>Step</th><th>Line</th><th>Status</th>\
             <th>Time</th></tr>\n",
        );
        for st in &s.steps {
            let _ = writeln!(
                h,
                "<tr class=\"step-{}\"><td><b>{}</b> {}</td><td>{}</td><td>{}</td>\
                 <td>{:.0} ms</td></tr>",
                st.status,
                esc(&st.keyword),
                esc(&st.text),
                st.line,
                badge(st.status),
                millis(st.duration_ms)
            );
            if let Some(m) = &st.message {
                let _ = writeln!(
                    h,
                    "<tr class=\"step-{}\"><td colspan=\"4\"><pre class=\"message\">{}</pre></td></tr>",
                    st.status,
                    esc(m)
                );
            }
        }
        h.push_str("</table>\n");
    }
    if !s.exchanges.is_empty() {
        let _ = writeln!(h, "<h4>Exchanges ({})</h4>", s.exchanges.len());
        for (i, x) in s.exchanges.iter().enumerate() {
            let label = x
                .get("request")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("exchange {}", i + 1));
            let answer = match x.get("status") {
                Some(Value::Null) | None => String::new(),
                Some(Value::String(s)) => format!(" → {s}"),
                Some(other) => format!(" → {other}"),
            };
            let pretty = serde_json::to_string_pretty(x).unwrap_or_else(|_| x.to_string());
            let _ = writeln!(
                h,
                "<details class=\"exchange\"><summary><code>{}{}</code></summary><pre>{}</pre></details>",
                esc(&label),
                esc(&answer),
                esc(&pretty)
            );
        }
    }
    if !s.receipts.is_empty() {
        let _ = writeln!(h, "<h4>Receipts ({})</h4>", s.receipts.len());
        for r in &s.receipts {
            let _ = writeln!(h, "<pre class=\"receipt\">{}</pre>", esc(r));
        }
    }
    h.push_str("</details>\n");
}

fn badge(status: Status) -> String {
    format!("<span class=\"status {status}\">{status}</span>")
}

fn tag_list(tags: &[String]) -> String {
    tags.iter()
        .map(|t| format!("<span class=\"tag\">{}</span>", esc(t)))
        .collect()
}

/// HTML escaping for text and attribute values alike.
fn esc(s: &str) -> String {
    crate::markup::escape(s, |c| match c {
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_escaped() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
