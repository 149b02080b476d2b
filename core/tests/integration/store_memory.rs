//! The store conformance suite on the in-memory store.

use slotwise::testkit::store_conformance_suite;
use slotwise::MemoryStore;

#[test]
fn memory_store_passes_the_store_conformance_suite() {
    store_conformance_suite(MemoryStore::new);
}
