//! The core's store conformance suite (S1, S2) on SQLite.

use slotwise::testkit::store_conformance_suite;

use crate::support::fast_store;

#[test]
fn sqlite_store_passes_the_store_conformance_suite() {
    store_conformance_suite(fast_store);
}
