//! Integration tests of the mock acquirer: the real server on port 0, driven over HTTP with a
//! manual clock (no test waits for real to satisfy a timing rule). Every raw API answer is checked
//! against its schema in `schemas/` before a test looks at it (see [`support`]).
//!
//! # Layout
//!
//! * `cases::operations`: every operation of ref §2.3, and the search.
//! * `cases::timing`: reverse, void and refund windows (seed), void attempts, partial voids.
//! * `cases::test_amounts`: the amount-triggered outcomes of ref §2.7.
//! * `cases::requests`: idempotency, credentials, malformed bodies (never a 5xx).
//! * `cases::admin`: every `/__admin/` endpoint and behaviour.
//! * `cases::webhooks`: signed deliveries, retries, duplicates (add §3).
//! * `cases::binary`: the `mock-acquirer` process and its journal file.

mod support;

mod cases {
    mod admin;
    mod binary;
    mod operations;
    mod requests;
    mod test_amounts;
    mod timing;
    mod webhooks;
}
