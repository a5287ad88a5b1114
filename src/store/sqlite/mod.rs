//! The embedded SQLite store.
//!
//! - **One writer thread** owns the only write connection. Submissions queue to
//!   it; it takes every queued job at once and commits them in one transaction
//!   (group commit), each in its own savepoint so one failure spoils no other,
//!   then answers each job. Throughput grows with load instead of paying one
//!   `fsync` per request, and reference numbers stay gapless because they are
//!   drawn inside the transaction that stores the request.
//! - **Readers** use a small pool of read-only connections (WAL lets them run
//!   beside the writer), picked round-robin with `try_lock`: no global lock on
//!   the read path.

mod work;

use super::{
    AgentChange, AgentChanged, AgentRecord, AuditReport, BoxFuture, ConsoleQuery, ConsoleRow,
    DeadlineMark, Delivery, DeliveryRecord, Department, NewAgent, NewDelivery, NewStandardAnswer,
    OpenRequest, PendingMessage, StandardAnswer, Store, StoreError, StoredRequest, TenantRecord,
    WorkItem,
};
use crate::core::intake::NewRequest;
use crate::core::status::{RequestRecord, StepEntry};
use crate::core::tracking::Reference;
use crate::core::workflow::Outcome;
use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::oneshot;

/// Schema migrations, applied in order; `PRAGMA user_version` counts them.
const MIGRATIONS: [&str; 5] = [
    include_str!("0001_init.sql"),
    include_str!("0002_workflow.sql"),
    include_str!("0003_notifications.sql"),
    include_str!("0004_department_heads.sql"),
    include_str!("0005_request_language.sql"),
];

/// Prepared statements kept per connection: more than the store has.
const STATEMENT_CACHE: usize = 256;

/// Most jobs committed in one transaction.
const MAX_BATCH: usize = 512;

/// A write waiting for the writer thread. It runs inside the transaction of
/// a batch, possibly twice (see [`commit_batch`]), then is answered once
/// that transaction is over.
trait Job: Send {
    /// Runs the write; `false` if it failed and its changes must be undone.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller: its own result if the batch committed (`None`),
    /// else why the batch failed.
    fn finish(self: Box<Self>, failure: Option<String>);
}

/// A [`Job`] made of a closure and where to send its result.
struct Write<F, T> {
    f: F,
    result: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<F, T> Job for Write<F, T>
where
    F: FnMut(&Connection) -> Result<T, StoreError> + Send,
    T: Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let result = (self.f)(conn);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, failure: Option<String>) {
        let _ = self.reply.send(match (failure, self.result) {
            (None, Some(result)) => result,
            (None, None) => Err(StoreError::Invalid("the write was never run".into())),
            (Some(e), _) => Err(StoreError::Invalid(e)),
        });
    }
}

pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Option<mpsc::Sender<Box<dyn Job>>>>,
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Stopped by dropping its sender.
    checkpointer: Mutex<Option<(mpsc::Sender<()>, std::thread::JoinHandle<()>)>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
}

/// How durable a commit is. `Full` (the default) syncs the WAL at every
/// commit, so an acknowledged request survives a power cut; `Normal` only
/// survives a crash of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Full,
    Normal,
}

impl SqliteStore {
    /// Opens (creating if needed) `DIR/guichet.sqlite3` and runs migrations.
    pub fn open(dir: &Path, durability: Durability) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Invalid(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("guichet.sqlite3");
        let mut conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let synchronous = if durability == Durability::Full {
            "FULL"
        } else {
            "NORMAL"
        };
        conn.pragma_update(None, "synchronous", synchronous)?;
        // The WAL is copied back into the database by its own thread (below),
        // not by the commit that happens to cross the threshold.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        // Once restarted, the WAL file is cut back to this size (it keeps its
        // largest size otherwise).
        conn.pragma_update(None, "journal_size_limit", WAL_MAX_FRAMES * 4096)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Every statement the writer runs stays prepared (rusqlite keeps 16).
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        migrate(&mut conn)?;

        let readers = (0..reader_count())
            .map(|_| open_reader(&path).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;

        let (tx, rx) = mpsc::channel();
        let oversized = Arc::new(AtomicBool::new(false));
        let raised = Arc::clone(&oversized);
        let writer_thread = std::thread::Builder::new()
            .name("guichet-writer".into())
            .spawn(move || writer_loop(conn, rx, &oversized))
            .map_err(|e| StoreError::Invalid(format!("cannot start writer thread: {e}")))?;
        let mut checkpoint_conn = Connection::open(&path)?;
        checkpoint_conn.pragma_update(None, "synchronous", synchronous)?;
        checkpoint_conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let (stop, stopped) = mpsc::channel::<()>();
        let checkpoint_thread = std::thread::Builder::new()
            .name("guichet-checkpoint".into())
            .spawn(move || checkpoint_loop(&mut checkpoint_conn, &stopped, &raised))
            .map_err(|e| StoreError::Invalid(format!("cannot start checkpoint thread: {e}")))?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(Some(tx)),
            writer_thread: Mutex::new(Some(writer_thread)),
            checkpointer: Mutex::new(Some((stop, checkpoint_thread))),
            readers: Arc::new(readers),
            next_reader: AtomicUsize::new(0),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops taking jobs, lets the writer finish the queued ones, and waits.
    pub fn close(&self) {
        self.writer.lock().expect("writer lock").take();
        if let Some(handle) = self
            .writer_thread
            .lock()
            .expect("writer thread lock")
            .take()
        {
            let _ = handle.join();
        }
        let checkpointer = self.checkpointer.lock().expect("checkpointer lock").take();
        if let Some((stop, handle)) = checkpointer {
            drop(stop);
            let _ = handle.join();
        }
    }

    fn send(&self, job: Box<dyn Job>) -> Result<(), StoreError> {
        let guard = self.writer.lock().expect("writer lock");
        guard
            .as_ref()
            .ok_or(StoreError::Closed)?
            .send(job)
            .map_err(|_| StoreError::Closed)
    }

    /// Runs `f` in the writer thread, inside the next batch's transaction,
    /// and resolves once that transaction has committed. `f` may run twice:
    /// when another write of its batch fails, the batch is rolled back and
    /// replayed with each write in its own savepoint.
    fn write<T: Send + 'static>(
        &self,
        f: impl FnMut(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> BoxFuture<'_, Result<T, StoreError>> {
        let (reply, answer) = oneshot::channel::<Result<T, StoreError>>();
        let sent = self.send(Box::new(Write {
            f,
            result: None,
            reply,
        }));
        Box::pin(async move {
            sent?;
            answer.await.map_err(|_| StoreError::Closed)?
        })
    }

    /// Runs `f` on a read connection in the blocking pool.
    fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> BoxFuture<'_, Result<T, StoreError>> {
        let readers = Arc::clone(&self.readers);
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let n = readers.len();
                for i in 0..n {
                    if let Ok(conn) = readers[(start + i) % n].try_lock() {
                        return f(&conn);
                    }
                }
                let conn = readers[start % n].lock().expect("reader lock");
                f(&conn)
            })
            .await
            .map_err(|e| StoreError::Invalid(format!("read task failed: {e}")))?
        })
    }

    /// Runs `f` on a fresh write connection, outside the writer thread: for
    /// rare administrative changes made at start-up or from the command line.
    fn admin<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = Connection::open(&self.path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        f(&mut conn)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.close();
    }
}

fn reader_count() -> usize {
    std::thread::available_parallelism()
        .map_or(4, |n| n.get() * 2)
        .clamp(2, 32)
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current = conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize;
    if current > MIGRATIONS.len() {
        return Err(StoreError::Invalid(format!(
            "the database is at schema version {current}, newer than this binary ({}): upgrade Guichet",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "database migrated");
    }
    Ok(())
}

/// Frames the WAL may hold before the writer stops to checkpoint it whole
/// (64 MiB with SQLite's 4 KiB pages).
const WAL_MAX_FRAMES: i64 = 16_384;

/// Runs a checkpoint; `(busy, frames in the WAL, frames copied)`.
fn checkpoint(conn: &Connection, mode: &str) -> Option<(i64, i64, i64)> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .inspect_err(|e| tracing::warn!(error = %e, mode, "WAL checkpoint failed"))
    .ok()
}

/// Copies the WAL back into the database ten times a second, passively (never
/// waiting for readers or the writer), and once more, truncating, when the
/// store closes. Under a steady stream of writes a passive checkpoint never
/// catches up, and the WAL would grow without end (9 GiB after a minute of
/// submits): past [`WAL_MAX_FRAMES`] it raises `oversized`, and the writer
/// checkpoints the rest itself between two batches (see [`writer_loop`]).
fn checkpoint_loop(conn: &mut Connection, stop: &mpsc::Receiver<()>, oversized: &AtomicBool) {
    while let Err(mpsc::RecvTimeoutError::Timeout) =
        stop.recv_timeout(std::time::Duration::from_millis(100))
    {
        if let Some((_, frames, _)) = checkpoint(conn, "PASSIVE")
            && frames > WAL_MAX_FRAMES
        {
            oversized.store(true, Ordering::Relaxed);
        }
    }
    checkpoint(conn, "TRUNCATE");
}

/// Commits whatever is queued, batch after batch. When the checkpoint
/// thread says the WAL is oversized, the writer checkpoints it whole and
/// restarts it before the next batch (tens of milliseconds, as the passive
/// checkpoints have copied most of it): being the one writer, it never
/// fights for the write lock (a checkpoint thread asking for it starved for
/// seconds behind back-to-back batches), and the writes queued meanwhile
/// wait: back-pressure instead of a WAL that fills the disk.
fn writer_loop(mut conn: Connection, rx: mpsc::Receiver<Box<dyn Job>>, oversized: &AtomicBool) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&mut conn, batch);
        if oversized.swap(false, Ordering::Relaxed) {
            let started = std::time::Instant::now();
            let done = checkpoint(&conn, "RESTART");
            let took = started.elapsed();
            let busy = done.is_some_and(|(busy, _, _)| busy != 0);
            if busy || took > std::time::Duration::from_millis(250) {
                // A reader holding an old snapshot makes the writer wait (up
                // to the busy timeout): worth knowing when p99 jumps.
                tracing::warn!(
                    ms = took.as_millis() as u64,
                    busy,
                    "the writer's WAL checkpoint was slow or blocked by a reader"
                );
            }
        }
    }
}

/// Applies every job in one transaction and answers each once it is over.
///
/// Writes nearly always succeed (inputs are checked before), so the batch
/// first runs without savepoints, which cost a copy of every page touched.
/// If one write fails, that transaction is rolled back and the batch is
/// replayed with each write in its own savepoint, so that the failing one is
/// undone alone and answered with its error.
fn commit_batch(conn: &mut Connection, mut batch: Vec<Box<dyn Job>>) {
    let outcome = match run_batch(conn, &mut batch, false) {
        Ok(true) => Ok(()),
        Ok(false) => run_batch(conn, &mut batch, true).map(|_| ()),
        Err(e) => Err(e),
    };
    let failure = outcome.err().map(|e| {
        tracing::error!(error = %e, jobs = batch.len(), "write transaction failed; the whole batch is refused");
        e
    });
    for job in batch {
        job.finish(failure.clone());
    }
}

/// Runs the jobs in one IMMEDIATE transaction and commits it. Without
/// savepoints, stops at the first failing job and rolls everything back
/// (`Ok(false)`); with them, undoes a failing job alone and goes on.
fn run_batch(
    conn: &mut Connection,
    batch: &mut [Box<dyn Job>],
    savepoints: bool,
) -> Result<bool, String> {
    let mut tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| format!("cannot begin a write transaction: {e}"))?;
    for job in batch.iter_mut() {
        if savepoints {
            let sp = tx.savepoint().map_err(|e| e.to_string())?;
            if job.run(&sp) {
                sp.commit().map_err(|e| e.to_string())?;
            }
        } else if !job.run(&tx) {
            // Dropping the transaction rolls it back.
            return Ok(false);
        }
    }
    tx.commit().map_err(|e| format!("commit failed: {e}"))?;
    Ok(true)
}

fn insert_request(
    tx: &Connection,
    tenant_id: i64,
    r: &NewRequest,
) -> Result<Reference, StoreError> {
    let year = r.submitted_at.year();
    let number: u32 = tx
        .prepare_cached(
            "INSERT INTO reference_counters (tenant_id, year, last) VALUES (?1, ?2, 1)
             ON CONFLICT (tenant_id, year) DO UPDATE SET last = last + 1 RETURNING last",
        )?
        .query_row(params![tenant_id, year], |row| row.get(0))?;
    let submitted_at = r.submitted_at.timestamp().to_string();
    let requester_name = format!(
        "{} {}",
        r.form.requester_text("firstName").unwrap_or_default(),
        r.form.requester_text("lastName").unwrap_or_default()
    );
    let state = &r.start.state;
    tx.prepare_cached(
        "INSERT INTO requests (tenant_id, year, number, service_code, service_version, channel,
             tracking_digest, step, submitted_at, due_date, requester_name, requester_email,
             department, entered_at, finished, lang)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?9, ?14, ?15)",
    )?
    .execute(params![
        tenant_id,
        year,
        number,
        r.service_code,
        r.service_version,
        r.channel.as_str(),
        r.tracking_digest,
        state.step,
        submitted_at,
        r.due_date.to_string(),
        requester_name.trim(),
        r.form.requester_text("email"),
        state.department,
        state.finished,
        r.lang,
    ])?;
    let request_id = tx.last_insert_rowid();
    insert_values(tx, request_id, &r.form.rows())?;
    let reference = Reference { year, number };
    work::record_outcome(
        tx,
        tenant_id,
        request_id,
        &reference,
        &r.start,
        &submitted_at,
        Some(&r.tracking_code),
    )?;
    Ok(reference)
}

/// Rows of values inserted by one statement (SQLite allows 32 766 bound
/// parameters; 4 per row).
const VALUES_PER_INSERT: usize = 64;

/// A request's field values, several rows per statement: one statement per
/// row cost a third of the writer's time per submit.
fn insert_values(
    tx: &Connection,
    request_id: i64,
    rows: &[(String, String)],
) -> Result<(), StoreError> {
    use rusqlite::ToSql;
    for (chunk_index, chunk) in rows.chunks(VALUES_PER_INSERT).enumerate() {
        let mut sql = String::with_capacity(80 + chunk.len() * 12);
        sql.push_str("INSERT INTO request_values (request_id, position, path, value) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str("(?,?,?,?)");
        }
        let positions: Vec<i64> = (0..chunk.len())
            .map(|i| (chunk_index * VALUES_PER_INSERT + i) as i64)
            .collect();
        let mut bound: Vec<&dyn ToSql> = Vec::with_capacity(chunk.len() * 4);
        for ((path, value), position) in chunk.iter().zip(&positions) {
            bound.push(&request_id);
            bound.push(position);
            bound.push(path);
            bound.push(value);
        }
        tx.prepare_cached(&sql)?.execute(bound.as_slice())?;
    }
    Ok(())
}

fn load_record(
    conn: &Connection,
    where_clause: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Option<(i64, RequestRecord)>, StoreError> {
    let sql = format!(
        "SELECT id, year, number, service_code, service_version, channel, step, submitted_at, due_date
         FROM requests WHERE {where_clause}"
    );
    let row = conn
        .prepare_cached(&sql)?
        .query_row(args, |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i16>(1)?,
                row.get::<_, u32>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, u32>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, String>(7)?,
                row.get::<_, String>(8)?,
            ))
        })
        .optional()?;
    let Some((
        id,
        year,
        number,
        service_code,
        service_version,
        channel,
        step,
        submitted_at,
        due_date,
    )) = row
    else {
        return Ok(None);
    };
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("request {id}: {what}: {e}"))
    };
    // What the citizen sees, in one pass: steps entered, and the town's messages.
    let mut history = Vec::new();
    let mut messages = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT to_step, at, action, comment FROM events
         WHERE request_id = ?1 AND citizen_visible = 1 ORDER BY id",
    )?;
    let mut rows = stmt.query(params![id])?;
    while let Some(row) = rows.next()? {
        let at: String = row.get(1)?;
        let at = at.parse().map_err(|e| corrupt("event date", &e))?;
        let action: String = row.get(2)?;
        match (
            row.get::<_, Option<String>>(0)?,
            row.get::<_, Option<String>>(3)?,
        ) {
            (_, Some(text)) if action == "answer" || action == "hold" => messages.push((at, text)),
            (Some(step), _) => history.push(StepEntry { step, at }),
            _ => {}
        }
    }
    Ok(Some((
        id,
        RequestRecord {
            reference: Reference { year, number },
            service_code,
            service_version,
            channel,
            step,
            submitted_at: submitted_at
                .parse()
                .map_err(|e| corrupt("submitted_at", &e))?,
            due_date: due_date.parse().map_err(|e| corrupt("due_date", &e))?,
            history,
            messages,
        },
    )))
}

/// A request's id, record and values in submission order.
type Found = (i64, RequestRecord, Vec<(String, String)>);

/// A request by reference.
fn by_reference(
    conn: &Connection,
    tenant_id: i64,
    reference: Reference,
) -> Result<Option<Found>, StoreError> {
    let Some((id, record)) = load_record(
        conn,
        "tenant_id = ?1 AND year = ?2 AND number = ?3",
        &[&tenant_id, &reference.year, &reference.number],
    )?
    else {
        return Ok(None);
    };
    let rows = conn
        .prepare_cached(
            "SELECT path, value FROM request_values WHERE request_id = ?1 ORDER BY position",
        )?
        .query_map(params![id], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((id, record, rows)))
}

impl Store for SqliteStore {
    fn submit(
        &self,
        tenant_id: i64,
        request: NewRequest,
    ) -> BoxFuture<'_, Result<Reference, StoreError>> {
        self.write(move |conn| insert_request(conn, tenant_id, &request))
    }

    fn request_by_tracking(
        &self,
        tenant_id: i64,
        digest: String,
    ) -> BoxFuture<'_, Result<Option<RequestRecord>, StoreError>> {
        self.read(move |conn| {
            Ok(load_record(
                conn,
                "tracking_digest = ?1 AND tenant_id = ?2",
                &[&digest, &tenant_id],
            )?
            .map(|(_, r)| r))
        })
    }

    fn request_by_reference(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<StoredRequest>, StoreError>> {
        self.read(move |conn| {
            Ok(by_reference(conn, tenant_id, reference)?
                .map(|(_, record, rows)| StoredRequest { record, rows }))
        })
    }

    fn tenants(&self) -> Result<Vec<TenantRecord>, StoreError> {
        self.admin(|conn| {
            let mut tenants: Vec<TenantRecord> = conn
                .prepare("SELECT id, slug, name, time_zone FROM tenants ORDER BY id")?
                .query_map([], |row| {
                    Ok(TenantRecord {
                        id: row.get(0)?,
                        slug: row.get(1)?,
                        name: row.get(2)?,
                        time_zone: row.get(3)?,
                        services: Vec::new(),
                        older_versions: Vec::new(),
                    })
                })?
                .collect::<Result<_, _>>()?;
            for t in &mut tenants {
                t.services = conn
                    .prepare(
                        "SELECT v.definition, s.status = 'online' FROM services s
                         JOIN service_versions v ON v.tenant_id = s.tenant_id AND v.code = s.code AND v.version = s.version
                         WHERE s.tenant_id = ?1 ORDER BY s.position",
                    )?
                    .query_map(params![t.id], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect::<Result<_, _>>()?;
                t.older_versions = conn
                    .prepare(
                        "SELECT v.definition FROM service_versions v
                         JOIN services s ON s.tenant_id = v.tenant_id AND s.code = v.code
                         WHERE v.tenant_id = ?1 AND v.version <> s.version ORDER BY v.id",
                    )?
                    .query_map(params![t.id], |row| row.get(0))?
                    .collect::<Result<_, _>>()?;
            }
            Ok(tenants)
        })
    }

    fn create_tenant(
        &self,
        slug: &str,
        name: &str,
        definitions: &[(String, String, u32)],
    ) -> Result<bool, StoreError> {
        self.admin(|conn| {
            let tx = conn.transaction()?;
            let now = jiff::Timestamp::now().to_string();
            let inserted = tx.execute(
                "INSERT INTO tenants (slug, name, created_at) VALUES (?1, ?2, ?3) ON CONFLICT (slug) DO NOTHING",
                params![slug, name, now],
            )?;
            if inserted == 0 {
                return Ok(false);
            }
            let tenant_id = tx.last_insert_rowid();
            for (position, (code, definition, version)) in definitions.iter().enumerate() {
                tx.execute(
                    "INSERT INTO service_versions (tenant_id, code, version, definition, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![tenant_id, code, version, definition, now],
                )?;
                tx.execute(
                    "INSERT INTO services (tenant_id, code, version, status, position) VALUES (?1, ?2, ?3, 'online', ?4)",
                    params![tenant_id, code, version, position as i64],
                )?;
            }
            tx.commit()?;
            Ok(true)
        })
    }

    fn sync_departments(
        &self,
        tenant_id: i64,
        departments: &[Department],
        service_departments: &[(String, String)],
    ) -> Result<(), StoreError> {
        self.admin(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for d in departments {
                tx.execute(
                    "INSERT INTO departments (tenant_id, code, name) VALUES (?1, ?2, ?3)
                     ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name",
                    params![tenant_id, d.code, d.name],
                )?;
            }
            for (service, department) in service_departments {
                tx.execute(
                    "UPDATE requests SET department = ?1
                     WHERE tenant_id = ?2 AND service_code = ?3 AND department = ''",
                    params![department, tenant_id, service],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn departments(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Department>, StoreError>> {
        self.read(move |conn| work::departments(conn, tenant_id))
    }

    fn set_department_heads(
        &self,
        tenant_id: i64,
        heads: Vec<(String, Option<String>)>,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>> {
        self.write(move |conn| {
            work::set_department_heads(conn, tenant_id, &heads, &actor, &at.to_string())
        })
    }

    fn agent(
        &self,
        tenant_id: i64,
        login: String,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>> {
        self.read(move |conn| work::agent(conn, tenant_id, &login))
    }

    fn agents(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<AgentRecord>, StoreError>> {
        self.read(move |conn| work::agents(conn, tenant_id))
    }

    fn add_agent(
        &self,
        tenant_id: i64,
        agent: NewAgent,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |conn| work::add_agent(conn, tenant_id, &agent, &actor, &at.to_string()))
    }

    fn change_agent(
        &self,
        tenant_id: i64,
        change: AgentChange,
        actor: String,
        keep_session: Option<String>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<AgentChanged, StoreError>> {
        self.write(move |conn| {
            work::change_agent(
                conn,
                tenant_id,
                &change,
                &actor,
                keep_session.as_deref(),
                &at.to_string(),
            )
        })
    }

    fn create_session(
        &self,
        agent_id: i64,
        digest: String,
        at: Timestamp,
        expires: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| {
            // Expired sessions go as new ones come.
            conn.prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1")?
                .execute(params![at.as_second()])?;
            conn.prepare_cached(
                "INSERT INTO sessions (digest, agent_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![digest, agent_id, at.as_second(), expires.as_second()])?;
            Ok(())
        })
    }

    fn session_agent(
        &self,
        tenant_id: i64,
        digest: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<Option<AgentRecord>, StoreError>> {
        self.read(move |conn| work::session_agent(conn, tenant_id, &digest, now.as_second()))
    }

    fn end_session(&self, digest: String) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| {
            conn.prepare_cached("DELETE FROM sessions WHERE digest = ?1")?
                .execute(params![digest])?;
            Ok(())
        })
    }

    fn work_item(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<WorkItem>, StoreError>> {
        self.read(move |conn| {
            let Some((id, record, rows)) = by_reference(conn, tenant_id, reference)? else {
                return Ok(None);
            };
            let (state, revision, requester_name) = work::load_state(conn, id)?;
            let events = work::events(conn, id)?;
            Ok(Some(WorkItem {
                record,
                state,
                revision,
                requester_name,
                rows,
                events,
            }))
        })
    }

    fn apply(
        &self,
        tenant_id: i64,
        reference: Reference,
        revision: i64,
        outcome: Outcome,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<i64, StoreError>> {
        self.write(move |conn| {
            work::apply(
                conn,
                tenant_id,
                &reference,
                revision,
                &outcome,
                &at.to_string(),
            )
        })
    }

    fn console(
        &self,
        tenant_id: i64,
        query: ConsoleQuery,
    ) -> BoxFuture<'_, Result<(u64, Vec<ConsoleRow>), StoreError>> {
        self.read(move |conn| work::console(conn, tenant_id, &query))
    }

    fn open_requests(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<OpenRequest>, StoreError>> {
        self.read(move |conn| work::open_requests(conn, tenant_id))
    }

    fn standard_answers(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<StandardAnswer>, StoreError>> {
        self.read(move |conn| work::standard_answers(conn, tenant_id))
    }

    fn save_standard_answer(
        &self,
        tenant_id: i64,
        id: Option<i64>,
        answer: NewStandardAnswer,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<Option<i64>, StoreError>> {
        self.write(move |conn| {
            work::save_standard_answer(conn, tenant_id, id, &answer, &actor, &at.to_string())
        })
    }

    fn remove_standard_answer(
        &self,
        tenant_id: i64,
        id: i64,
        actor: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |conn| {
            work::remove_standard_answer(conn, tenant_id, id, &actor, &at.to_string())
        })
    }

    fn retry_failed_deliveries(
        &self,
        tenant_id: i64,
        actor: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<usize, StoreError>> {
        self.write(move |conn| work::retry_failed_deliveries(conn, tenant_id, &actor, now))
    }

    fn record_audit(
        &self,
        tenant_id: i64,
        actor: String,
        subject: String,
        action: String,
        detail: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| {
            work::append_audit(
                conn,
                tenant_id,
                &at.to_string(),
                &actor,
                &subject,
                &action,
                &detail,
            )
        })
    }

    fn seed_standard_answers(
        &self,
        tenant_id: i64,
        answers: &[(&str, &str, &str)],
    ) -> Result<(), StoreError> {
        self.admin(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let any: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM standard_answers WHERE tenant_id = ?1)",
                params![tenant_id],
                |r| r.get(0),
            )?;
            if !any {
                for (department, title, text) in answers {
                    tx.execute(
                        "INSERT INTO standard_answers (tenant_id, department, title, text) VALUES (?1, ?2, ?3, ?4)",
                        params![tenant_id, department, title, text],
                    )?;
                }
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn export_pending(&self, tenant_id: i64) -> BoxFuture<'_, Result<Vec<Reference>, StoreError>> {
        self.read(move |conn| {
            let rows = conn
                .prepare_cached(
                    "SELECT year, number FROM requests WHERE tenant_id = ?1 AND export_pending = 1 ORDER BY id",
                )?
                .query_map(params![tenant_id], |r| {
                    Ok(Reference {
                        year: r.get(0)?,
                        number: r.get(1)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    fn export_done(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| {
            conn.prepare_cached(
                "UPDATE requests SET export_pending = 0 WHERE tenant_id = ?1 AND year = ?2 AND number = ?3",
            )?
            .execute(params![tenant_id, reference.year, reference.number])?;
            Ok(())
        })
    }

    fn verify_audit(&self) -> Result<Vec<AuditReport>, StoreError> {
        self.admin(|conn| {
            let tenants: Vec<(i64, String)> = conn
                .prepare("SELECT id, slug FROM tenants ORDER BY id")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            tenants
                .iter()
                .map(|(id, slug)| work::verify_audit(conn, *id, slug))
                .collect()
        })
    }

    fn deadline_mark(
        &self,
        tenant_id: i64,
        reference: Reference,
        mark: DeadlineMark,
        department: String,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |conn| {
            work::deadline_mark(
                conn,
                tenant_id,
                &reference,
                mark,
                &department,
                &at.to_string(),
            )
        })
    }

    fn pending_messages(
        &self,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<PendingMessage>, StoreError>> {
        self.read(move |conn| work::pending_messages(conn, limit))
    }

    fn expand_message(
        &self,
        message_id: i64,
        deliveries: Vec<NewDelivery>,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| work::expand_message(conn, message_id, &deliveries))
    }

    fn due_deliveries(
        &self,
        now: i64,
        limit: u32,
        idle: Vec<(i64, &'static str)>,
    ) -> BoxFuture<'_, Result<Vec<Delivery>, StoreError>> {
        self.read(move |conn| work::due_deliveries(conn, now, limit, &idle))
    }

    fn pending_deliveries(
        &self,
        tenant_id: i64,
    ) -> BoxFuture<'_, Result<Vec<(String, u64)>, StoreError>> {
        self.read(move |conn| work::pending_deliveries(conn, tenant_id))
    }

    fn delivery_result(
        &self,
        id: i64,
        result: Result<(), (String, Option<i64>)>,
        at: Timestamp,
    ) -> BoxFuture<'_, Result<(), StoreError>> {
        self.write(move |conn| work::delivery_result(conn, id, &result, &at.to_string()))
    }

    fn deliveries(
        &self,
        tenant_id: i64,
        reference: Option<Reference>,
    ) -> BoxFuture<'_, Result<Vec<DeliveryRecord>, StoreError>> {
        self.read(move |conn| work::deliveries(conn, tenant_id, reference.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// A fresh folder under the system's temporary one, removed on drop.
    struct Scratch(PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_failing_write_is_undone_alone_and_the_others_of_its_batch_commit() {
        let dir = Scratch(std::env::temp_dir().join(format!(
            "guichet-batch-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond()
        )));
        let store = SqliteStore::open(&dir.0, Durability::Normal).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(store.write(|c| {
            c.execute("CREATE TABLE scratch (x INTEGER UNIQUE)", [])?;
            Ok(())
        }))
        .unwrap();
        // Hold the writer so that the next three writes make one batch.
        let held = store.write(|_| {
            std::thread::sleep(std::time::Duration::from_millis(300));
            Ok(())
        });
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&runs);
        let a = store.write(move |c| {
            counted.fetch_add(1, Ordering::SeqCst);
            c.execute("INSERT INTO scratch (x) VALUES (1)", [])?;
            Ok(())
        });
        // Writes 2, then fails: its 2 must not stay.
        let b = store.write(|c| {
            c.execute("INSERT INTO scratch (x) VALUES (2)", [])?;
            c.execute("INSERT INTO scratch (x) VALUES (1)", [])?;
            Ok(())
        });
        let c = store.write(|c| {
            c.execute("INSERT INTO scratch (x) VALUES (3)", [])?;
            Ok(())
        });
        rt.block_on(held).unwrap();
        assert!(rt.block_on(a).is_ok());
        assert!(rt.block_on(b).is_err(), "the failing write is told");
        assert!(rt.block_on(c).is_ok());
        assert_eq!(runs.load(Ordering::SeqCst), 2, "run, rolled back, replayed");
        let kept: Vec<i64> = rt
            .block_on(store.read(|c| {
                let mut stmt = c.prepare("SELECT x FROM scratch ORDER BY x")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<Result<Vec<i64>, _>>()?)
            }))
            .unwrap();
        assert_eq!(kept, vec![1, 3]);
    }
}
