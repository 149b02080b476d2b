//! Temporary store files for the tests.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use slotwise_sqlite::{SqliteOptions, SqliteStore, Synchronous};

/// A fresh path under the test target's temporary directory; any file left there by an
/// earlier run is removed.
pub fn temp_path(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("slotwise-sqlite-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("{name}-{}-{n}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

/// Options for tests that check semantics, not durability: no fsync.
pub fn fast_options() -> SqliteOptions {
    SqliteOptions {
        synchronous: Synchronous::Off,
        ..SqliteOptions::default()
    }
}

/// A store on a fresh file, without fsync.
pub fn fast_store() -> SqliteStore {
    SqliteStore::open_with(temp_path("case"), fast_options()).unwrap()
}
