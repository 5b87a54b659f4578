//! The HTML report: numbers under stable ids, the coverage matrix, evidence, escaping, and no
//! external resource.

mod common;

use common::{PAN_MASKED, TICKET, sample_run};
use conformance_reports::html;

/// The text of the element with `id`, up to the next tag.
fn by_id<'a>(html: &'a str, id: &str) -> &'a str {
    let open = format!("id=\"{id}\"");
    let at = html
        .find(&open)
        .unwrap_or_else(|| panic!("no element with {open}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap() + start;
    &rest[start..end]
}

/// The markup of the table row with `id`.
fn row<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("<tr id=\"{id}\""))
        .unwrap_or_else(|| panic!("no row {id}"));
    let end = html[at..].find("</tr>").unwrap() + at;
    &html[at..end]
}

#[test]
fn the_summary_numbers_sit_under_stable_ids() {
    let h = html::render(&sample_run());
    assert_eq!(by_id(&h, "passed"), "2");
    assert_eq!(by_id(&h, "failed"), "1");
    assert_eq!(by_id(&h, "skipped"), "1");
    assert_eq!(by_id(&h, "total"), "4");
    assert_eq!(by_id(&h, "verdict"), "FAILED");
}

#[test]
fn the_header_names_implementation_target_versions_and_times() {
    let h = html::render(&sample_run());
    assert!(
        h.contains("<title>Conformance report: embedded mock-acquirer and mock-terminal</title>")
    );
    assert_eq!(
        by_id(&h, "implementation"),
        "embedded mock-acquirer and mock-terminal"
    );
    assert_eq!(by_id(&h, "started"), "2025-01-02T03:04:05Z");
    assert_eq!(by_id(&h, "finished"), "2025-01-02T03:04:09Z");
    assert!(h.contains("<li><code>kushki-api</code> 2024-06 &lt;ref&gt;</li>"));
}

#[test]
fn the_coverage_matrix_lists_every_requirement_with_its_scenarios_or_why_not() {
    let h = html::render(&sample_run());
    let charge = row(&h, "req-raw.charge");
    assert!(
        charge.contains("class=\"req failed\""),
        "a failing covering scenario fails the row: {charge}"
    );
    assert_eq!(
        charge.matches("<li>").count(),
        2,
        "both topologies: {charge}"
    );
    assert!(charge.contains("<span class=\"status passed\">passed</span> <a href=\"#s-0\">A chip sale is approved</a>"), "{charge}");
    assert!(
        charge.contains("<span class=\"status failed\">failed</span> <a href=\"#s-1\">"),
        "{charge}"
    );
    assert!(
        charge.contains("raw/single_payment.feature:8 · lan"),
        "{charge}"
    );

    let reverse = row(&h, "req-raw.reverse.min-delay");
    assert!(reverse.contains("class=\"req passed\""), "{reverse}");
    assert!(reverse.contains("status skipped"), "{reverse}");

    let settlement = row(&h, "req-raw.settlement");
    assert!(
        settlement.contains("not testable: Settlement happens after the API exchange"),
        "{settlement}"
    );
    let connect = row(&h, "req-connect.charge");
    assert!(connect.contains("not covered by any scenario"), "{connect}");

    assert!(
        h.contains("<code>@req:raw.unlisted</code>"),
        "tags naming no requirement are listed"
    );
}

#[test]
fn scenarios_show_steps_exchanges_and_receipts() {
    let h = html::render(&sample_run());
    assert!(h.contains("<details class=\"scenario failed\" id=\"s-1\" open>"));
    assert!(h.contains("<details class=\"scenario skipped\" id=\"s-3\">"));
    assert!(h.contains("<p class=\"reason\">Skipped: the target lacks @virtual-time</p>"));
    assert!(
        h.contains("<b>Then</b> the sale is &lt;b&gt;approved&lt;/b&gt;"),
        "step text is escaped"
    );
    assert!(h.contains("expected &lt;approved&gt; &amp; &quot;true&quot; but got &#39;false&#39;"));
    assert!(h.contains("<details class=\"exchange\"><summary><code>POST /pos/v1/transaction → 201</code></summary><pre>{\n  &quot;request&quot;"), "exchanges are pretty JSON");
    assert!(
        h.contains(&format!("&quot;ticket_number&quot;: &quot;{TICKET}&quot;")),
        "identifiers stay readable"
    );
    assert!(h.contains(&format!(
        "<pre class=\"receipt\">KUSHKI\nVISA {PAN_MASKED}\n"
    )));
    assert!(h.contains("<h3>Single payment &lt;raw API&gt;</h3>"));
}

#[test]
fn the_page_is_self_contained() {
    let h = html::render(&sample_run());
    for external in [
        "<script", "<link", "src=", "url(", "@import", "http://", "https://",
    ] {
        assert!(
            !h.contains(external),
            "the report must not load anything: found {external}"
        );
    }
    assert!(h.starts_with("<!DOCTYPE html>"));
    assert!(h.contains("<style>"));
}
