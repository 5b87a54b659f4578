//! The JUnit XML read back with a real XML parser: counts, failures, skips, escaping, and the
//! element and attribute rules of the JUnit XSD (`schemas/junit.xsd`).

mod common;

use std::collections::HashMap;

use common::sample_run;
use conformance_reports::junit;
use roxmltree::{Document, Node};

const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";

fn attr<'a>(n: Node<'a, '_>, name: &str) -> &'a str {
    n.attribute(name)
        .unwrap_or_else(|| panic!("<{}> lacks {name}", n.tag_name().name()))
}

/// Every `<tag>` element of the document, in order.
fn elements<'a, 'i>(doc: &'a Document<'i>, tag: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants().filter(|n| n.has_tag_name(tag)).collect()
}

fn children<'a, 'i>(n: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    n.children().filter(move |c| c.has_tag_name(name))
}

#[test]
fn the_root_and_each_suite_count_tests_failures_and_skips() {
    let xml = junit::render(&sample_run());
    let doc = Document::parse(&xml).expect("junit.xml is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(attr(root, "tests"), "4");
    assert_eq!(attr(root, "failures"), "1");
    assert_eq!(attr(root, "errors"), "0");

    let suites: Vec<_> = children(root, "testsuite").collect();
    assert_eq!(suites.len(), 2, "one <testsuite> per feature");
    let counts: Vec<_> = suites
        .iter()
        .map(|s| {
            (
                attr(*s, "file"),
                attr(*s, "tests"),
                attr(*s, "failures"),
                attr(*s, "skipped"),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("raw/single_payment.feature", "2", "1", "0"),
            ("raw/reverse.feature", "2", "0", "1"),
        ]
    );
    assert_eq!(
        attr(suites[0], "name"),
        "Single payment <raw API>",
        "names round-trip escaped"
    );
    assert_eq!(attr(suites[0], "time"), "0.096");
}

#[test]
fn each_scenario_and_topology_is_a_testcase_named_by_feature_topology_and_line() {
    let xml = junit::render(&sample_run());
    let doc = Document::parse(&xml).unwrap();
    let cases: Vec<_> = elements(&doc, "testcase")
        .into_iter()
        .map(|n| (attr(n, "classname"), attr(n, "name")))
        .collect();
    assert_eq!(
        cases,
        [
            (
                "raw/single_payment.feature [acquirer]",
                "A chip sale is approved (line 8)"
            ),
            (
                "raw/single_payment.feature [lan]",
                "A chip sale is approved (line 8)"
            ),
            (
                "raw/reverse.feature [acquirer]",
                "A reverse waits a minute (line 5)"
            ),
            (
                "raw/reverse.feature [lan]",
                "A reverse waits a minute (line 5)"
            ),
        ]
    );
}

#[test]
fn a_failure_names_the_failing_step_and_its_message_and_a_skip_its_reason() {
    let xml = junit::render(&sample_run());
    let doc = Document::parse(&xml).unwrap();
    let failures: Vec<_> = elements(&doc, "failure");
    assert_eq!(failures.len(), 1);
    let message = attr(failures[0], "message");
    assert!(
        message.starts_with(
            "Then the sale is <b>approved</b> (line 11): expected <approved> & \"true\" but got 'false'\n"
        ),
        "failure message: {message:?}"
    );
    assert!(
        !message.contains('\u{1b}'),
        "terminal colours are stripped: {message:?}"
    );
    let body = failures[0].text().unwrap_or("");
    assert!(body.contains("[passed] Given the card"), "{body}");
    assert!(
        body.contains("[failed] Then the sale is <b>approved</b> (line 11"),
        "{body}"
    );
    assert_eq!(
        failures[0].parent().map(|p| attr(p, "classname")),
        Some("raw/single_payment.feature [lan]")
    );

    let skipped: Vec<_> = elements(&doc, "skipped");
    assert_eq!(skipped.len(), 1);
    assert_eq!(
        attr(skipped[0], "message"),
        "the target lacks @virtual-time"
    );
    assert_eq!(
        skipped[0].parent().map(|p| attr(p, "classname")),
        Some("raw/reverse.feature [lan]")
    );
}

#[test]
fn errors_outside_scenarios_are_error_testcases() {
    let mut run = sample_run();
    run.errors
        .push("feature parse error: raw/bad.feature line 3: <oops>".into());
    let xml = junit::render(&run);
    let doc = Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(attr(root, "tests"), "5");
    assert_eq!(attr(root, "errors"), "1");
    let errors: Vec<_> = elements(&doc, "error");
    assert_eq!(errors.len(), 1);
    assert_eq!(
        attr(errors[0], "message"),
        "feature parse error: raw/bad.feature line 3: <oops>"
    );
    assert_eq!(validate(&xml), Vec::<String>::new());
}

#[test]
fn the_output_follows_the_junit_xsd() {
    let violations = validate(&junit::render(&sample_run()));
    assert!(
        violations.is_empty(),
        "junit.xml breaks junit.xsd:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_xsd_checker_catches_what_the_xsd_forbids() {
    let bad = r#"<testsuites skipped="1"><testsuite name="x"><testcase classname="c"><bogus/></testcase>
        <system-out><b>no</b></system-out></testsuite></testsuites>"#;
    let violations = validate(bad);
    for expected in [
        "/testsuites: attribute `skipped` is not declared",
        "/testsuites/testsuite: required attribute `tests` is missing",
        "/testsuites/testsuite/testcase: required attribute `name` is missing",
        "/testsuites/testsuite/testcase: <bogus> is not allowed here",
        "/testsuites/testsuite/system-out: <b> is not allowed here",
    ] {
        assert!(
            violations.iter().any(|v| v == expected),
            "missing {expected:?} in {violations:#?}"
        );
    }
}

/// One global element declaration of the XSD.
#[derive(Debug, Default)]
struct Decl {
    /// Declared attributes, with whether they are required.
    attributes: HashMap<String, bool>,
    /// Elements its content model refers to.
    children: Vec<String>,
    /// Whether text may stand between its children.
    mixed: bool,
}

/// The global element declarations of `schemas/junit.xsd`. The checker understands the constructs
/// that file uses (see its header comment) and fails loudly on any other.
fn declarations() -> HashMap<String, Decl> {
    let text = include_str!("../schemas/junit.xsd");
    let doc = Document::parse(text).expect("junit.xsd is XML");
    let xs = |n: &Node, name: &str| {
        n.is_element() && n.tag_name().namespace() == Some(XSD_NS) && n.tag_name().name() == name
    };
    let mut decls = HashMap::new();
    for el in doc.root_element().children().filter(|n| xs(n, "element")) {
        let name = attr(el, "name").to_string();
        let mut decl = Decl::default();
        match el.attribute("type") {
            Some("xs:string") => decl.mixed = true,
            Some(other) => panic!("junit.xsd: type {other} is beyond this checker"),
            None => {
                let ct = el
                    .children()
                    .find(|n| xs(n, "complexType"))
                    .expect("a complexType");
                decl.mixed = ct.attribute("mixed") == Some("true");
                for part in ct.descendants().filter(|n| n.is_element() && *n != ct) {
                    match part.tag_name().name() {
                        "attribute" => {
                            decl.attributes.insert(
                                attr(part, "name").into(),
                                part.attribute("use") == Some("required"),
                            );
                        }
                        "element" => decl.children.push(attr(part, "ref").into()),
                        "sequence" | "choice" => {}
                        other => panic!("junit.xsd: xs:{other} is beyond this checker"),
                    }
                }
            }
        }
        decls.insert(name, decl);
    }
    decls
}

/// Every way `xml` breaks the XSD: undeclared or missing attributes, children the content model
/// does not allow, text where the content is not mixed. Each as `<path>: <problem>`.
fn validate(xml: &str) -> Vec<String> {
    let decls = declarations();
    let doc = Document::parse(xml).expect("well-formed XML");
    let mut out = Vec::new();
    let root = doc.root_element();
    if !decls.contains_key(root.tag_name().name()) {
        out.push(format!("root <{}> is not declared", root.tag_name().name()));
        return out;
    }
    check(
        root,
        &format!("/{}", root.tag_name().name()),
        &decls,
        &mut out,
    );
    out
}

fn check(n: Node, path: &str, decls: &HashMap<String, Decl>, out: &mut Vec<String>) {
    let decl = &decls[n.tag_name().name()];
    for a in n.attributes() {
        if !decl.attributes.contains_key(a.name()) {
            out.push(format!("{path}: attribute `{}` is not declared", a.name()));
        }
    }
    for (name, required) in &decl.attributes {
        if *required && n.attribute(name.as_str()).is_none() {
            out.push(format!("{path}: required attribute `{name}` is missing"));
        }
    }
    for c in n.children() {
        if c.is_text() {
            if !decl.mixed && !c.text().unwrap_or("").trim().is_empty() {
                out.push(format!("{path}: text is not allowed here"));
            }
        } else if c.is_element() {
            let name = c.tag_name().name();
            if !decl.children.iter().any(|r| r == name) {
                out.push(format!("{path}: <{name}> is not allowed here"));
            } else {
                check(c, &format!("{path}/{name}"), decls, out);
            }
        }
    }
}
