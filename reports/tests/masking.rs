//! No report file carries card data or secrets: the sample run has a PAN, a Business-Code, a TLV
//! blob and a credential in its exchanges, step text, failure message and receipt.

mod common;

use common::{PAN_MASKED, SECRETS, TICKET, sample_run, scratch};
use conformance_reports::write_all;

#[test]
fn no_report_file_contains_card_data_or_secrets() {
    let dir = scratch("masking");
    let written = write_all(&sample_run(), &dir, Some(b"signing key")).unwrap();
    for path in written.all() {
        let text = std::fs::read_to_string(path).unwrap();
        for secret in SECRETS {
            assert!(
                !text.contains(secret),
                "{} contains {secret}",
                path.display()
            );
        }
    }
    let html = std::fs::read_to_string(&written.html).unwrap();
    assert!(
        html.contains(PAN_MASKED),
        "the PAN is shown masked, not dropped"
    );
    assert!(html.contains("[redacted]"));
    assert!(html.contains(TICKET));
    let listing: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(listing.len(), 4, "only the four files: {listing:?}");
}
