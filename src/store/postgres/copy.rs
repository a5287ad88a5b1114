//! `guichet store copy`: a town's whole SQLite store (its database and its
//! blobs) moved into an empty PostgreSQL database, in one transaction that
//! commits only once every table's rows are counted on arrival and every
//! tenant's audit chain verifies there.
//!
//! Both schemas have the same tables, columns and encodings, so rows move
//! as they are: the SQLite side is read in one read transaction (a
//! consistent snapshot, even of a running server), on a thread of its own,
//! and streamed to PostgreSQL's binary `COPY` through a bounded channel, so
//! a big town never sits whole in memory.

use super::PostgresStore;
use crate::store::{AuditReport, StoreError};
use rusqlite::types::Value;
use std::path::{Path, PathBuf};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

/// Every table of the schema but `tenant_changes` (a counter both sides
/// already have), in an order their foreign keys allow. A table added to
/// the schema and not here stops the copy (see [`check_tables`]).
const TABLES: [&str; 43] = [
    "tenants",
    "service_versions",
    "services",
    "service_drafts",
    "reference_counters",
    "citizens",
    "persons",
    "requests",
    "request_values",
    "events",
    "agents",
    "departments",
    "agent_roles",
    "sessions",
    "standard_answers",
    "audit",
    "audit_heads",
    "attachments",
    "outbox",
    "deliveries",
    "slots",
    "citizen_sessions",
    "citizen_tokens",
    "citizen_identities",
    "openid_flows",
    "api_accounts",
    "api_account_roles",
    "wss_nonces",
    "exchange_acks",
    "calls",
    "login_failures",
    "tenant_files",
    "export_models",
    "stat_queries",
    "stat_subscriptions",
    "satisfaction_answers",
    "export_jobs",
    "person_merges",
    "inbound",
    "inbound_files",
    "subscribers",
    "campaigns",
    "campaign_sends",
];

/// Tables of PostgreSQL's schema that SQLite does not have.
const POSTGRES_ONLY: [&str; 3] = ["guichet_schema", "blobs", "tenant_changes"];

/// What was copied.
#[derive(Debug, Clone)]
pub struct CopyReport {
    /// Rows per table, in copy order.
    pub tables: Vec<(String, u64)>,
    /// Files sent with requests.
    pub blobs: u64,
    /// Each tenant's audit chain, as verified on arrival.
    pub audit: Vec<AuditReport>,
}

/// A message from the SQLite reader.
enum Read {
    Row(Vec<Value>),
    /// The table's rows are all sent; how many.
    End(u64),
    Failed(String),
}

impl PostgresStore {
    /// Copies the SQLite store of `dir` (`DIR/guichet.sqlite3`, migrated
    /// first if need be, and `DIR/blobs/`) into this store, which must hold
    /// no tenant yet. Nothing is kept unless everything arrived and every
    /// audit chain verifies.
    pub fn copy_from_sqlite(&self, dir: &Path) -> Result<CopyReport, StoreError> {
        let path = dir.join("guichet.sqlite3");
        if !path.exists() {
            return Err(StoreError::Invalid(format!(
                "no Guichet database in {}",
                dir.display()
            )));
        }
        // Brings an older database to this binary's schema (a no-op for a
        // running server of the same version).
        crate::store::sqlite::SqliteStore::open(dir, crate::store::sqlite::Durability::Full)?
            .close();
        let blobs_dir = dir.join("blobs");
        let pool = self.pool.clone();
        self.wait(self.spawn(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            let held: i64 = tx
                .query_one("SELECT count(*) FROM tenants", &[])
                .await?
                .get(0);
            if held > 0 {
                return Err(StoreError::Invalid(
                    "the PostgreSQL database already holds towns: copy into an empty one".into(),
                ));
            }
            check_tables(&tx).await?;
            let mut columns = Vec::new();
            for table in TABLES {
                columns.push(table_columns(&tx, table).await?);
            }
            let (sender, mut rows) = tokio::sync::mpsc::channel::<Read>(4096);
            let names: Vec<Vec<String>> = columns
                .iter()
                .map(|c| c.iter().map(|(n, _)| n.clone()).collect())
                .collect();
            let reader = std::thread::Builder::new()
                .name("guichet-copy".into())
                .spawn(move || read_sqlite(&path, &names, &sender))
                .map_err(|e| StoreError::Invalid(format!("cannot start the reader: {e}")))?;
            let mut tables = Vec::new();
            for (table, columns) in TABLES.iter().zip(&columns) {
                let copied = copy_table(&tx, table, columns, &mut rows).await?;
                tables.push((table.to_string(), copied));
            }
            let _ = reader.join();
            for table in tables_with_ids(&tx).await? {
                tx.execute(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence($1, 'id'), COALESCE(max(id), 0) + 1, false) FROM {table}"
                    ),
                    &[&table],
                )
                .await?;
            }
            // Every node reloads its towns.
            tx.execute(
                "UPDATE tenant_changes SET generation = generation + 1",
                &[],
            )
            .await?;
            let blobs = copy_blobs(&tx, &blobs_dir).await?;
            let tenants = tx
                .query("SELECT id, slug FROM tenants ORDER BY id", &[])
                .await?;
            let mut audit = Vec::new();
            for t in &tenants {
                let report = super::audit::verify_audit(&tx, t.get(0), t.get(1), &[]).await?;
                if let Some(problem) = &report.problem {
                    return Err(StoreError::Corrupt(format!(
                        "the audit journal of {} does not verify after the copy ({problem}); nothing was kept",
                        report.tenant
                    )));
                }
                audit.push(report);
            }
            tx.commit().await?;
            Ok(CopyReport {
                tables,
                blobs,
                audit,
            })
        }))
    }
}

/// Refuses to copy when the schemas' tables differ from [`TABLES`].
async fn check_tables(tx: &deadpool_postgres::Transaction<'_>) -> Result<(), StoreError> {
    let rows = tx
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
            &[],
        )
        .await?;
    let mut unknown: Vec<String> = rows
        .iter()
        .map(|r| r.get::<_, String>(0))
        .filter(|t| !TABLES.contains(&t.as_str()) && !POSTGRES_ONLY.contains(&t.as_str()))
        .collect();
    unknown.sort();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "tables the copy does not know: {} (this binary's copy is older than its schema)",
            unknown.join(", ")
        )))
    }
}

/// A table's columns on PostgreSQL, in order, with their types.
async fn table_columns(
    tx: &deadpool_postgres::Transaction<'_>,
    table: &str,
) -> Result<Vec<(String, Type)>, StoreError> {
    let statement = tx
        .prepare(&format!("SELECT * FROM {table} LIMIT 0"))
        .await?;
    Ok(statement
        .columns()
        .iter()
        .map(|c| (c.name().to_owned(), c.type_().clone()))
        .collect())
}

/// Tables with an identity `id`, whose sequence must start after the rows
/// copied.
async fn tables_with_ids(
    tx: &deadpool_postgres::Transaction<'_>,
) -> Result<Vec<String>, StoreError> {
    let rows = tx
        .query(
            "SELECT table_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'
             ORDER BY table_name",
            &[],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// Reads every table of [`TABLES`] (the columns named) in one snapshot and
/// sends their rows, table after table.
fn read_sqlite(path: &Path, columns: &[Vec<String>], out: &tokio::sync::mpsc::Sender<Read>) {
    let result = (|| -> Result<(), String> {
        let conn =
            rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| e.to_string())?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(|e| e.to_string())?;
        // One read transaction: the snapshot of the first SELECT holds for
        // every table, whatever a running server writes meanwhile.
        conn.execute_batch("BEGIN").map_err(|e| e.to_string())?;
        for (table, names) in TABLES.iter().zip(columns) {
            let list = names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ");
            let mut stmt = conn
                .prepare(&format!("SELECT {list} FROM \"{table}\""))
                .map_err(|e| format!("{table}: {e}"))?;
            let mut rows = stmt.query([]).map_err(|e| format!("{table}: {e}"))?;
            let mut n = 0u64;
            while let Some(row) = rows.next().map_err(|e| format!("{table}: {e}"))? {
                let values = (0..names.len())
                    .map(|i| row.get::<_, Value>(i))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| format!("{table}: {e}"))?;
                if out.blocking_send(Read::Row(values)).is_err() {
                    return Ok(()); // the copy stopped
                }
                n += 1;
            }
            if out.blocking_send(Read::End(n)).is_err() {
                return Ok(());
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = out.blocking_send(Read::Failed(e));
    }
}

/// Streams one table's rows into `COPY … FROM STDIN BINARY`; the rows
/// written, checked against the rows read.
async fn copy_table(
    tx: &deadpool_postgres::Transaction<'_>,
    table: &str,
    columns: &[(String, Type)],
    rows: &mut tokio::sync::mpsc::Receiver<Read>,
) -> Result<u64, StoreError> {
    let list = columns
        .iter()
        .map(|(n, _)| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let types: Vec<Type> = columns.iter().map(|(_, t)| t.clone()).collect();
    let sink = tx
        .copy_in(&format!("COPY {table} ({list}) FROM STDIN BINARY"))
        .await?;
    let writer = BinaryCopyInWriter::new(sink, &types);
    tokio::pin!(writer);
    let read = loop {
        match rows.recv().await {
            Some(Read::Row(values)) => {
                let values = values
                    .into_iter()
                    .zip(columns)
                    .map(|(v, (name, t))| convert(v, t).map_err(|e| format!("{table}.{name}: {e}")))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(StoreError::Corrupt)?;
                let refs: Vec<&(dyn ToSql + Sync)> =
                    values.iter().map(|v| &**v as &(dyn ToSql + Sync)).collect();
                writer.as_mut().write(&refs).await?;
            }
            Some(Read::End(n)) => break n,
            Some(Read::Failed(e)) => {
                return Err(StoreError::Invalid(format!("reading SQLite: {e}")));
            }
            None => return Err(StoreError::Invalid("the SQLite reader stopped".into())),
        }
    };
    let written = writer.as_mut().finish().await?;
    if written != read {
        return Err(StoreError::Corrupt(format!(
            "{table}: {read} rows read, {written} written"
        )));
    }
    Ok(written)
}

type Param = Box<dyn ToSql + Sync + Send>;

/// A SQLite value as the PostgreSQL column's type.
fn convert(value: Value, to: &Type) -> Result<Param, String> {
    Ok(match (value, to) {
        (Value::Null, t) if *t == Type::INT8 => Box::new(None::<i64>),
        (Value::Null, t) if *t == Type::BYTEA => Box::new(None::<Vec<u8>>),
        (Value::Null, t) if *t == Type::FLOAT8 => Box::new(None::<f64>),
        (Value::Real(r), t) if *t == Type::FLOAT8 => Box::new(r),
        (Value::Integer(i), t) if *t == Type::FLOAT8 => Box::new(i as f64),
        (Value::Null, _) => Box::new(None::<String>),
        (Value::Integer(i), t) if *t == Type::INT8 => Box::new(i),
        (Value::Integer(i), t) if *t == Type::TEXT => Box::new(i.to_string()),
        (Value::Text(s), t) if *t == Type::TEXT => Box::new(s),
        (Value::Text(s), t) if *t == Type::INT8 => Box::new(
            s.parse::<i64>()
                .map_err(|_| format!("{s:?} is not an integer"))?,
        ),
        (Value::Blob(b), t) if *t == Type::BYTEA => Box::new(b),
        (Value::Blob(b), t) if *t == Type::TEXT => {
            Box::new(String::from_utf8(b).map_err(|_| "a blob that is not text".to_string())?)
        }
        (v, t) => return Err(format!("{v:?} cannot go into a {t} column")),
    })
}

/// Copies `DIR/blobs/ab/abcdef…` into the blobs table, each checked
/// against its name (the SHA-256 of its content).
async fn copy_blobs(
    tx: &deadpool_postgres::Transaction<'_>,
    dir: &Path,
) -> Result<u64, StoreError> {
    use sha2::Digest;
    let files = tokio::task::spawn_blocking({
        let dir = dir.to_owned();
        move || blob_files(&dir)
    })
    .await
    .map_err(|e| StoreError::Invalid(format!("listing blobs: {e}")))?
    .map_err(|e| StoreError::Invalid(format!("listing {}: {e}", dir.display())))?;
    let insert = tx
        .prepare(
            "INSERT INTO blobs (sha256, bytes, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (sha256) DO NOTHING",
        )
        .await?;
    let now = jiff::Timestamp::now().as_second();
    let mut n = 0;
    for (digest, path) in files {
        let bytes = std::fs::read(&path)
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", path.display())))?;
        let actual = crate::core::tracking::hex(&sha2::Sha256::digest(&bytes));
        if actual != digest {
            return Err(StoreError::Corrupt(format!(
                "{}: its content does not match its name",
                path.display()
            )));
        }
        tx.execute(&insert, &[&digest, &bytes, &now]).await?;
        n += 1;
    }
    Ok(n)
}

fn blob_files(dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    let fans = match std::fs::read_dir(dir) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(e),
    };
    for fan in fans {
        let fan = fan?.path();
        if !fan.is_dir() || fan.file_name().is_some_and(|n| n == "tmp") {
            continue;
        }
        for entry in std::fs::read_dir(&fan)? {
            let path = entry?.path();
            if let Some(name) = path.file_name().and_then(|n| n.to_str())
                && crate::store::blobs::is_digest(name)
            {
                files.push((name.to_owned(), path.clone()));
            }
        }
    }
    files.sort();
    Ok(files)
}
