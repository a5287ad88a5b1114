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

mod agents;
mod audit;
mod campaigns;
mod citizens;
mod console;
mod exchange;
mod exports;
mod identities;
mod inbound;
mod outbox;
mod people;
mod personal;
mod places;
mod queries;
mod requests;
mod satisfaction;
mod stats;
mod tenant_files;
mod tenants;

use super::{BoxFuture, StoreError};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::oneshot;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Backend(Box::new(e))
    }
}

/// Schema migrations, applied in order; `PRAGMA user_version` counts them.
const MIGRATIONS: [&str; 34] = [
    include_str!("0001_init.sql"),
    include_str!("0002_workflow.sql"),
    include_str!("0003_notifications.sql"),
    include_str!("0004_department_heads.sql"),
    include_str!("0005_request_language.sql"),
    include_str!("0006_tenant_state.sql"),
    include_str!("0007_service_offline.sql"),
    include_str!("0008_service_drafts.sql"),
    include_str!("0009_test_requests.sql"),
    include_str!("0010_waiting_since.sql"),
    include_str!("0011_slots.sql"),
    include_str!("0012_citizens.sql"),
    include_str!("0013_unread_replies.sql"),
    include_str!("0014_corrections.sql"),
    include_str!("0015_openid.sql"),
    include_str!("0016_openid_logout.sql"),
    include_str!("0017_retention.sql"),
    include_str!("0018_attachments.sql"),
    include_str!("0019_town_documents.sql"),
    include_str!("0020_exchange.sql"),
    include_str!("0021_calls.sql"),
    include_str!("0022_login_failures.sql"),
    include_str!("0023_tenant_files.sql"),
    include_str!("0024_stats_role.sql"),
    include_str!("0025_stats_index.sql"),
    include_str!("0026_export_models.sql"),
    include_str!("0027_saved_queries.sql"),
    include_str!("0028_satisfaction.sql"),
    include_str!("0029_requester_kind.sql"),
    include_str!("0030_export_jobs.sql"),
    include_str!("0031_places.sql"),
    include_str!("0032_persons.sql"),
    include_str!("0033_inbound.sql"),
    include_str!("0034_campaigns.sql"),
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
        plan_once(&conn)?;
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
        // The pages of the indexes every submit touches stay in memory as
        // the database grows (SQLite's default is 2 MiB).
        conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
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
            .map_err(|_| StoreError::Closed)?;
        crate::metrics::writer_queue(1);
        Ok(())
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
        Box::pin(async move { self.start_read(f).await })
    }

    /// Runs `f` at once on the calling thread when a read connection is
    /// free, else as [`read`](Self::read): for lookups by a unique index
    /// that take microseconds (a status by its tracking code), where the
    /// trip through the blocking pool (a thread woken, then the caller woken
    /// back) cost more than the lookup itself. Never for a read that scans.
    fn point_read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> BoxFuture<'_, Result<T, StoreError>> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        if let Some(conn) = free_reader(&self.readers, start) {
            let result = f(&conn);
            return Box::pin(std::future::ready(result));
        }
        self.read(f)
    }

    /// Starts `f` on a read connection in the blocking pool at once, so
    /// that several reads can run side by side; the result is awaited.
    fn start_read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> impl Future<Output = Result<T, StoreError>> + Send + 'static {
        let readers = Arc::clone(&self.readers);
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let task = tokio::task::spawn_blocking(move || match free_reader(&readers, start) {
            Some(conn) => f(&conn),
            None => f(&readers[start % readers.len()].lock().expect("reader lock")),
        });
        async move {
            task.await
                .map_err(|e| StoreError::Invalid(format!("read task failed: {e}")))?
        }
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

/// The first read connection not in use, trying each once from `start`
/// (round-robin, so that reads spread over the pool).
fn free_reader(
    readers: &[Mutex<Connection>],
    start: usize,
) -> Option<std::sync::MutexGuard<'_, Connection>> {
    let n = readers.len();
    (0..n).find_map(|i| readers[(start + i) % n].try_lock().ok())
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
    plan_once(&conn)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    console::register_fold(&conn)?;
    Ok(conn)
}

/// Plans each statement once, when first prepared, whatever values are
/// later bound to it (SQLite's query planner stability guarantee).
///
/// Without it, SQLite marks a statement whose plan looked at a bound value
/// (its estimates for a `column = ?` term, `LIMIT ?`) to be planned again
/// when that value changes, and clearing the bindings counts as a change:
/// such a statement given back to rusqlite's cache was parsed and planned
/// anew at its next use — the status lookup's events and attachments
/// queries every time. That was a third of a status lookup's time
/// (`sqlite3Reprepare` under `sqlite3_step`, BENCHMARKS.md).
fn plan_once(conn: &Connection) -> Result<(), StoreError> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
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

/// The writer's page cache, in KiB (SQLite's negative `cache_size`).
const WRITER_CACHE_KIB: i64 = -65_536;

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
        crate::metrics::writer_queue(-(batch.len() as i64));
        crate::metrics::writer_batch(batch.len());
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
        format!("write transaction failed: {e}")
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
) -> Result<bool, rusqlite::Error> {
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for job in batch.iter_mut() {
        if savepoints {
            let sp = tx.savepoint()?;
            if job.run(&sp) {
                sp.commit()?;
            }
        } else if !job.run(&tx) {
            // Dropping the transaction rolls it back.
            return Ok(false);
        }
    }
    tx.commit()?;
    Ok(true)
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
    fn a_cached_statement_is_never_planned_again_when_its_bindings_change() {
        let dir = Scratch(std::env::temp_dir().join(format!(
            "guichet-plan-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond()
        )));
        let store = SqliteStore::open(&dir.0, Durability::Normal).unwrap();
        let conn = open_reader(&store.path).unwrap();
        // Two of a status lookup's statements (requests::load_record and
        // requests::attachments), each run with a new request id as the
        // status path runs them, given back to rusqlite's cache in between.
        for sql in [
            "SELECT to_step, at, action, comment FROM events
             WHERE request_id = ?1 AND citizen_visible = 1 ORDER BY id",
            "SELECT a.id, EXISTS (SELECT 1 FROM outbox o WHERE o.attachment_id = a.id)
             FROM attachments a WHERE a.request_id = ?1 ORDER BY a.id",
        ] {
            for request_id in [41_i64, 1_077, 52_311] {
                let mut stmt = conn.prepare_cached(sql).unwrap();
                let mut rows = stmt.query([request_id]).unwrap();
                while rows.next().unwrap().is_some() {}
            }
            let stmt = conn.prepare_cached(sql).unwrap();
            assert_eq!(
                stmt.get_status(rusqlite::StatementStatus::RePrepare),
                0,
                "parsed and planned again at each use: {sql}"
            );
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
        // Hold the writer until the next three writes are queued, so that
        // they make one batch (a timed wait let a slow machine split it).
        let (queued, wait) = std::sync::mpsc::channel::<()>();
        let held = store.write(move |_| {
            let _ = wait.recv_timeout(std::time::Duration::from_secs(10));
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
        queued.send(()).unwrap();
        drop(queued);
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
