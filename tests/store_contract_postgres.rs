//! The store contract (`tests/store_contract/mod.rs`) run on the PostgreSQL
//! store: every case on a fresh database of its own, dropped afterwards.
//!
//! The server is `GUICHET_TEST_POSTGRES` (a URL to a database the tests may
//! create others from, as `scripts/test.sh` sets it); without it, the tests
//! start a throw-away cluster themselves with `scripts/postgres.sh`.

#[path = "store_contract/mod.rs"]
mod store_contract;

#[path = "common/postgres.rs"]
mod postgres;

use guichet::store::Store;
use guichet::store::postgres::PostgresStore;
use std::sync::Arc;

/// A fresh PostgreSQL store on a database of its own (dropped after it).
fn postgres() -> (Arc<dyn Store>, postgres::Database) {
    let database = postgres::Database::new("contract");
    let store = PostgresStore::open(database.url(), 8).expect("a fresh PostgreSQL store");
    (Arc::new(store), database)
}

store_contract!(postgres());
