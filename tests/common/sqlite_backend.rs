//! What the tests ask of the SQLite backend directly: the few checks of a
//! guarantee the `Store` trait cannot show (a tampered journal must be found,
//! a sent acknowledgement must leave no tracking code behind). Every other
//! test goes through the trait or the binary; a second backend gives its own
//! version of these functions.

use std::path::Path;

fn open(data_dir: &Path) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(data_dir.join("guichet.sqlite3")).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    db
}

/// What an intruder with write access to the database does to the audit
/// journal of the only tenant.
pub enum Tamper<'a> {
    /// Rewrites an entry's detail.
    Edit { seq: i64, detail: &'a str },
    /// Removes an entry.
    Remove { seq: i64 },
    /// Copies entry `from` as a new entry `seq`.
    Forge { seq: i64, from: i64 },
    /// Removes every entry from `seq` on.
    CutFrom { seq: i64 },
}

pub fn audit_detail(data_dir: &Path, seq: i64) -> String {
    open(data_dir)
        .query_row("SELECT detail FROM audit WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .unwrap()
}

pub fn tamper(data_dir: &Path, how: Tamper) {
    let db = open(data_dir);
    match how {
        Tamper::Edit { seq, detail } => db
            .execute(
                "UPDATE audit SET detail = ?1 WHERE seq = ?2",
                rusqlite::params![detail, seq],
            )
            .unwrap(),
        Tamper::Remove { seq } => db
            .execute("DELETE FROM audit WHERE seq = ?1", [seq])
            .unwrap(),
        Tamper::Forge { seq, from } => db
            .execute(
                "INSERT INTO audit (tenant_id, seq, at, actor, subject, action, detail, detail_sha256, prev_hash, hash)
                 SELECT tenant_id, ?1, at, actor, subject, action, detail, detail_sha256, prev_hash, hash FROM audit WHERE seq = ?2",
                [seq, from],
            )
            .unwrap(),
        Tamper::CutFrom { seq } => db
            .execute("DELETE FROM audit WHERE seq >= ?1", [seq])
            .unwrap(),
    };
}

/// How many places still hold `code` in clear: outbox secrets not yet
/// forgotten, and the bodies of deliveries.
pub fn tracking_code_copies(data_dir: &Path, code: &str) -> i64 {
    open(data_dir)
        .query_row(
            "SELECT (SELECT count(*) FROM outbox WHERE secret IS NOT NULL)
                  + (SELECT count(*) FROM deliveries WHERE body LIKE ?1)",
            [format!("%{code}%")],
            |r| r.get(0),
        )
        .unwrap()
}

/// Every `table.column` of the database where `text` still appears: after
/// an erasure, the person must be nowhere.
pub fn anywhere(data_dir: &Path, text: &str) -> Vec<String> {
    let db = open(data_dir);
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut found = Vec::new();
    for table in tables {
        let columns: Vec<String> = db
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for column in columns {
            let n: i64 = db
                .query_row(
                    &format!(
                        "SELECT count(*) FROM \"{table}\" WHERE instr(CAST(\"{column}\" AS TEXT), ?1) > 0"
                    ),
                    [text],
                    |r| r.get(0),
                )
                .unwrap();
            if n > 0 {
                found.push(format!("{table}.{column}"));
            }
        }
    }
    found
}

/// Makes the database look as before the town's file of people: no file,
/// no request in one.
pub fn forget_files(data_dir: &Path) {
    open(data_dir)
        .execute_batch(
            "UPDATE requests SET person_id = NULL; DELETE FROM person_merges; DELETE FROM persons;",
        )
        .unwrap();
}
