//! What the tests ask of the backend directly (a tampered journal must be
//! found, a sent acknowledgement must leave no tracking code behind, an
//! erased person must be nowhere), on whichever backend this run uses:
//! SQLite's versions are in `sqlite_backend`, PostgreSQL's here.

use super::postgres::{database_for, run_execute, run_query, run_rows};
use super::{on_postgres, sqlite_backend};
use std::path::Path;

pub use super::sqlite_backend::Tamper;

pub fn audit_detail(data_dir: &Path, seq: i64) -> String {
    if !on_postgres() {
        return sqlite_backend::audit_detail(data_dir, seq);
    }
    let rows = run_rows(
        &database_for(data_dir),
        "SELECT detail FROM audit WHERE seq = $1::text::bigint",
        &[&seq.to_string()],
    );
    rows[0][0].clone().unwrap()
}

pub fn tamper(data_dir: &Path, how: Tamper) {
    if !on_postgres() {
        return sqlite_backend::tamper(data_dir, how);
    }
    let url = database_for(data_dir);
    match how {
        Tamper::Edit { seq, detail } => run_execute(
            &url,
            "UPDATE audit SET detail = $1 WHERE seq = $2::text::bigint",
            &[detail, &seq.to_string()],
        ),
        Tamper::Remove { seq } => run_execute(
            &url,
            "DELETE FROM audit WHERE seq = $1::text::bigint",
            &[&seq.to_string()],
        ),
        Tamper::Forge { seq, from } => run_execute(
            &url,
            "INSERT INTO audit (tenant_id, seq, at, actor, subject, action, detail, detail_sha256, prev_hash, hash)
             SELECT tenant_id, $1::text::bigint, at, actor, subject, action, detail, detail_sha256, prev_hash, hash
             FROM audit WHERE seq = $2::text::bigint",
            &[&seq.to_string(), &from.to_string()],
        ),
        Tamper::CutFrom { seq } => run_execute(
            &url,
            "DELETE FROM audit WHERE seq >= $1::text::bigint",
            &[&seq.to_string()],
        ),
    };
}

/// How many places still hold `code` in clear: outbox secrets not yet
/// forgotten, and the bodies of deliveries.
pub fn tracking_code_copies(data_dir: &Path, code: &str) -> i64 {
    if !on_postgres() {
        return sqlite_backend::tracking_code_copies(data_dir, code);
    }
    let url = database_for(data_dir);
    let secrets = run_query(&url, "SELECT count(*) FROM outbox WHERE secret IS NOT NULL")[0];
    let bodies = run_rows(
        &url,
        "SELECT count(*)::text FROM deliveries WHERE body LIKE $1",
        &[&format!("%{code}%")],
    )[0][0]
        .as_deref()
        .unwrap()
        .parse::<i64>()
        .unwrap();
    secrets + bodies
}

/// Every `table.column` of the database where `text` still appears: after
/// an erasure, the person must be nowhere.
pub fn anywhere(data_dir: &Path, text: &str) -> Vec<String> {
    if !on_postgres() {
        return sqlite_backend::anywhere(data_dir, text);
    }
    let url = database_for(data_dir);
    let columns = run_rows(
        &url,
        "SELECT table_name::text, column_name::text FROM information_schema.columns
         WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
        &[],
    );
    let mut found = Vec::new();
    for column in columns {
        let (table, column) = (column[0].clone().unwrap(), column[1].clone().unwrap());
        let n = run_rows(
            &url,
            &format!(
                "SELECT count(*)::text FROM \"{table}\" WHERE strpos(CAST(\"{column}\" AS TEXT), $1) > 0"
            ),
            &[text],
        )[0][0]
            .as_deref()
            .unwrap()
            .parse::<i64>()
            .unwrap();
        if n > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

/// How many files sent with requests are kept (`DATA/blobs/` on SQLite,
/// the blobs table on PostgreSQL).
pub fn blobs_kept(data_dir: &Path) -> usize {
    if on_postgres() {
        return run_query(&database_for(data_dir), "SELECT count(*) FROM blobs")[0] as usize;
    }
    let root = data_dir.join("blobs");
    std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "tmp")
        .flat_map(|fan| {
            std::fs::read_dir(fan.path())
                .unwrap()
                .filter_map(|e| e.ok())
        })
        .count()
}

/// Makes the database look as before the town's file of people: no file,
/// no request in one.
pub fn forget_files(data_dir: &Path) {
    if !on_postgres() {
        return sqlite_backend::forget_files(data_dir);
    }
    let url = database_for(data_dir);
    for sql in [
        "UPDATE requests SET person_id = NULL",
        "DELETE FROM person_merges",
        "DELETE FROM persons",
    ] {
        run_execute(&url, sql, &[]);
    }
}
