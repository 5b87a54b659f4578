//! The transaction history a POS reads through the terminal (ref §1.4): the terminal's local
//! history and the acquirer's, by page, and what the listed operations say.

use kushki_protocol::catalog::TestCard;
use kushki_protocol::connect::ConnectOperation as Op;
use kushki_protocol::raw::ReadingType;
use serde_json::{Value, json};

use crate::env::Connect;
use crate::steps::{Step, step};
use crate::world::KushkiWorld;

/// The steps of this module.
pub const STEPS: &[Step] = &[SEARCH, SEARCH_PAGE, COUNT, FIRST_LISTED, LISTED_READ];

async fn search_with(w: &mut KushkiWorld, operation: Op, query: Value) {
    let what = Connect::Operation(operation);
    let answer = w.env().await.connect(what, query).send().await;
    w.last = Some(answer);
}

const SEARCH: Step = step!(
    When,
    r"the POS searches the (terminal's local|acquirer's) history(?: for the (charge|void|refund|pre-authorization|capture|re-authorization|tip))?",
    search
);
async fn search(w: &mut KushkiWorld, (history, of): (String, Option<String>)) {
    let operation = if history == "terminal's local" {
        Op::TransactionSearchLocal
    } else {
        Op::TransactionSearchOnline
    };
    let mut query = json!({"size": 100});
    if let Some(of) = of {
        query["client_transaction_id"] = json!(w.named(&of).client_transaction_id);
    }
    search_with(w, operation, query).await;
}

const SEARCH_PAGE: Step = step!(
    When,
    r"the POS searches the terminal's local history, page (\d+) of (\d+)",
    search_page
);
async fn search_page(w: &mut KushkiWorld, (page, size): (u32, u32)) {
    let query = json!({"page": page, "size": size});
    search_with(w, Op::TransactionSearchLocal, query).await;
}

const COUNT: Step = step!(Then, r"the history lists (\d+) operations?", count);
async fn count(w: &mut KushkiWorld, n: usize) {
    let a = w.last();
    let found = a.body["items"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(found, n, "expected {n} operations: {}", a.body);
}

const FIRST_LISTED: Step = step!(
    Then,
    r"the first operation listed is the (charge|void|refund|pre-authorization|capture|re-authorization|tip)",
    first_listed
);
async fn first_listed(w: &mut KushkiWorld, name: String) {
    let named = w.named(&name).clone();
    let a = w.last();
    let first = &a.body["items"][0];
    assert_eq!(
        first["client_transaction_id"],
        named.client_transaction_id.as_str(),
        "the first item of {}",
        a.body
    );
    if !named.reference.is_empty() {
        assert_eq!(
            first["transaction_reference"],
            named.reference.as_str(),
            "the first item of {}",
            a.body
        );
    }
}

const LISTED_READ: Step = step!(
    Then,
    "the operation listed was read by {reading} from the {card} card",
    listed_read
);
async fn listed_read(w: &mut KushkiWorld, (by, card): (ReadingType, &'static TestCard)) {
    let a = w.last();
    let item = &a.body["items"][0];
    assert_eq!(item["reading_type"], by.as_str(), "reading type of {item}");
    let mask = item["card_mask"].as_str().unwrap_or_default();
    assert!(
        mask.starts_with(card.bin.as_str()) && mask.ends_with(card.last_four.as_str()),
        "card mask `{mask}` is not the {} card's",
        card.id
    );
}
