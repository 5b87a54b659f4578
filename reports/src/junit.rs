//! JUnit XML, for CI servers that gate on test results.
//!
//! ```text
//! <testsuites name="kushki-conformance" tests failures errors time>
//!   <testsuite name="<feature name>" file="<feature path>" tests failures errors skipped time timestamp>
//!     <properties> implementation, target, versions </properties>
//!     <testcase classname="<feature path> [<topology>]" name="<scenario> (line N)" file line time>
//!       <failure message="<first failing step: its text and message>" type="step failed">
//!         every step with its status and message
//!       </failure>                               (failed scenarios)
//!       <skipped message="<reason>"/>            (skipped scenarios)
//!       <system-out>every step with its status</system-out>
//!     </testcase>
//!   </testsuite>
//!   <testsuite name="run errors">                (only when the run has errors outside scenarios)
//!     <testcase classname="run" name="error N"><error message="…"/></testcase>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! Elements and attributes are those of the Jenkins xUnit plugin's `junit-10.xsd`, restated in
//! `reports/schemas/junit.xsd`, which allows no `skipped` count on `<testsuites>`: the root carries
//! tests, failures, errors and time, and each `<testsuite>` its own `skipped` count. Times are in
//! seconds. Everything written is masked first ([`crate::redact`]).

use std::fmt::Write as _;

use crate::model::{FeatureResult, Run, ScenarioResult, Status};
use crate::redact;

/// The root's `name`.
pub const SUITES_NAME: &str = "kushki-conformance";

/// The JUnit XML of a run.
pub fn render(run: &Run) -> String {
    let run = redact::run(run);
    let mut x = Xml::default();
    x.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let totals = run.totals();
    let errors = run.errors.len();
    let time: f64 = run
        .features
        .iter()
        .flat_map(|f| &f.scenarios)
        .map(|s| millis(s.duration_ms))
        .sum();
    let tests = totals.total() + errors;
    x.open(
        "testsuites",
        &[
            ("name", SUITES_NAME),
            ("tests", &tests.to_string()),
            ("failures", &totals.failed.to_string()),
            ("errors", &errors.to_string()),
            ("time", &seconds(time)),
        ],
    );
    for feature in &run.features {
        suite(&mut x, &run, feature);
    }
    if !run.errors.is_empty() {
        x.open(
            "testsuite",
            &[
                ("name", "run errors"),
                ("tests", &errors.to_string()),
                ("failures", "0"),
                ("errors", &errors.to_string()),
                ("skipped", "0"),
                ("time", "0.000"),
                ("timestamp", &run.started),
            ],
        );
        for (i, error) in run.errors.iter().enumerate() {
            x.open(
                "testcase",
                &[
                    ("classname", "run"),
                    ("name", &format!("error {}", i + 1)),
                    ("time", "0.000"),
                ],
            );
            x.element(
                "error",
                &[("message", first_line(error)), ("type", "run error")],
                error,
            );
            x.close("testcase");
        }
        x.close("testsuite");
    }
    x.close("testsuites");
    x.out
}

fn suite(x: &mut Xml, run: &Run, feature: &FeatureResult) {
    let count = |status: Status| {
        feature
            .scenarios
            .iter()
            .filter(|s| s.status == status)
            .count()
            .to_string()
    };
    let time: f64 = feature
        .scenarios
        .iter()
        .map(|s| millis(s.duration_ms))
        .sum();
    x.open(
        "testsuite",
        &[
            ("name", &feature.name),
            ("file", &feature.path),
            ("tests", &feature.scenarios.len().to_string()),
            ("failures", &count(Status::Failed)),
            ("errors", "0"),
            ("skipped", &count(Status::Skipped)),
            ("time", &seconds(time)),
            ("timestamp", &run.started),
        ],
    );
    x.open("properties", &[]);
    x.empty(
        "property",
        &[("name", "implementation"), ("value", &run.implementation)],
    );
    x.empty("property", &[("name", "target"), ("value", &run.target)]);
    for (name, version) in &run.versions {
        x.empty(
            "property",
            &[("name", &format!("version.{name}")), ("value", version)],
        );
    }
    x.close("properties");
    for scenario in &feature.scenarios {
        case(x, feature, scenario);
    }
    x.close("testsuite");
}

fn case(x: &mut Xml, feature: &FeatureResult, s: &ScenarioResult) {
    x.open(
        "testcase",
        &[
            ("classname", &format!("{} [{}]", feature.path, s.topology)),
            ("name", &format!("{} (line {})", s.name, s.line)),
            ("file", &feature.path),
            ("line", &s.line.to_string()),
            ("time", &seconds(millis(s.duration_ms))),
        ],
    );
    match s.status {
        Status::Failed => {
            let message = match s.steps.iter().find(|st| st.status == Status::Failed) {
                Some(st) => format!(
                    "{} {} (line {}): {}",
                    st.keyword,
                    st.text,
                    st.line,
                    st.message.as_deref().unwrap_or("failed")
                ),
                None => "the scenario failed outside its steps".to_string(),
            };
            x.element(
                "failure",
                &[("message", &message), ("type", "step failed")],
                &steps_text(s),
            );
        }
        Status::Skipped => {
            let reason = s.skip_reason.as_deref().unwrap_or("skipped");
            x.empty("skipped", &[("message", reason)]);
        }
        Status::Passed => {}
    }
    if !s.steps.is_empty() {
        x.element("system-out", &[], &steps_text(s));
    }
    x.close("testcase");
}

/// One line per step (`[passed] Given … (line 7, 12 ms)`), its message indented below.
fn steps_text(s: &ScenarioResult) -> String {
    let mut out = String::new();
    for st in &s.steps {
        let _ = writeln!(
            out,
            "[{}] {} {} (line {}, {:.0} ms)",
            st.status,
            st.keyword,
            st.text,
            st.line,
            millis(st.duration_ms)
        );
        for line in st.message.as_deref().unwrap_or("").lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// A duration the model holds in milliseconds, made safe to add (no NaN, no negative).
pub(crate) fn millis(ms: f64) -> f64 {
    if ms.is_finite() && ms > 0.0 { ms } else { 0.0 }
}

fn seconds(ms: f64) -> String {
    format!("{:.3}", ms / 1000.0)
}

/// A small XML writer: indented elements, escaped attributes and text. Strings reaching it have
/// been through [`redact::text`], which leaves no character XML 1.0 forbids.
#[derive(Default)]
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"{}\"", escape(v, true));
        }
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.out.push_str(&"  ".repeat(self.depth));
        let _ = writeln!(self.out, "</{name}>");
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.start(name, attrs);
        self.out.push_str("/>\n");
    }

    fn element(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        let _ = writeln!(self.out, ">{}</{name}>", escape(text, false));
    }
}

/// XML escaping; in attributes also of quotes and of the white space a parser would normalise
/// away (a multi-line failure message keeps its line breaks).
fn escape(s: &str, attribute: bool) -> String {
    crate::markup::escape(s, |c| match c {
        '"' if attribute => Some("&quot;"),
        '\'' if attribute => Some("&apos;"),
        '\n' if attribute => Some("&#10;"),
        '\r' => Some("&#13;"),
        '\t' if attribute => Some("&#9;"),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_escape_markup_quotes_and_line_breaks() {
        assert_eq!(
            escape("a<b>&\"c'\nd\r", true),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;d&#13;"
        );
        assert_eq!(escape("]]> \"x\"\n", false), "]]&gt; \"x\"\n");
    }

    #[test]
    fn bad_durations_count_as_zero() {
        assert_eq!(millis(f64::NAN), 0.0);
        assert_eq!(millis(-3.0), 0.0);
        assert_eq!(seconds(1234.0), "1.234");
    }
}
