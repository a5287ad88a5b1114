//! The store contract (`tests/store_contract/mod.rs`) run on the embedded
//! SQLite store: every case on a fresh store in its own temporary folder.

#[path = "store_contract/mod.rs"]
mod store_contract;

use guichet::store::Store;
use guichet::store::sqlite::{Durability, SqliteStore};
use std::path::PathBuf;
use std::sync::Arc;

/// A temporary folder removed on drop (as in `tests/common`).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).unwrap();
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let path = std::env::temp_dir().join(format!("guichet-contract-{name}"));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh SQLite store, and the folder holding it (dropped after it).
fn sqlite() -> (Arc<dyn Store>, TempDir) {
    let dir = TempDir::new();
    let store = SqliteStore::open(&dir.0, Durability::Full).expect("a fresh SQLite store");
    (Arc::new(store), dir)
}

store_contract!(sqlite());
