//! The PostgreSQL store, for several Guichet nodes sharing one database.
//!
//! - **Same tables, same encodings as SQLite** (`0001_schema.sql`): times as
//!   RFC 3339 text, dates as ISO text, flags as 0/1, every integer `BIGINT`.
//!   Both backends read rows through the same conversions, and
//!   `guichet store copy` moves rows as they are.
//! - **Its own runtime.** Database I/O runs on two threads of the store's
//!   own tokio runtime, where the pool's connections live: the trait's
//!   synchronous methods (start-up, commands) can wait for it from any
//!   thread that is not a runtime worker, and a server's workers never poll
//!   a connection.
//! - **Writes are serializable.** [`PostgresStore::write`] runs its closure
//!   in a `SERIALIZABLE` transaction and runs it again when PostgreSQL could
//!   not serialise it (SQLSTATE 40001, 40P01): every write behaves as if it
//!   were alone, as SQLite's single writer makes it, so the checks made
//!   inside a write (a revision, the last administrator, a slot's desks) hold
//!   across nodes.
//! - **Submits are the exception** (`submits.rs`): a node's submitter
//!   stores the submits queued on it in one `READ COMMITTED` transaction
//!   under their tenants' submit locks, so that concurrent submits queue on
//!   the lock instead of failing and retrying, references stay gapless (the
//!   counter is drawn in the transaction that stores the request), and a
//!   batch costs one commit.

mod agents;
mod audit;
mod blobs;
mod campaigns;
mod citizens;
mod console;
mod copy;
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
mod submits;
mod tenant_files;
mod tenants;

pub use copy::CopyReport;

use super::{BoxFuture, StoreError};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Transaction};
use std::future::Future;
use std::str::FromStr;
use tokio_postgres::error::SqlState;
use tokio_postgres::{IsolationLevel, NoTls};

/// Schema migrations, applied in order; the `guichet_schema` table counts
/// them. Kept beside SQLite's (`../sqlite/`), one file per change on each.
const MIGRATIONS: [&str; 14] = [
    include_str!("0001_schema.sql"),
    include_str!("0002_blobs.sql"),
    include_str!("0003_tenant_files.sql"),
    include_str!("0004_stats_role.sql"),
    include_str!("0005_stats_index.sql"),
    include_str!("0006_export_models.sql"),
    include_str!("0007_saved_queries.sql"),
    include_str!("0008_satisfaction.sql"),
    include_str!("0009_requester_kind.sql"),
    include_str!("0010_export_jobs.sql"),
    include_str!("0011_places.sql"),
    include_str!("0012_persons.sql"),
    include_str!("0013_inbound.sql"),
    include_str!("0014_campaigns.sql"),
];

/// The advisory lock held while migrating, so that nodes starting together
/// migrate once.
const MIGRATION_LOCK: i64 = 0x6775_6963_6865_7401;

/// Namespace of the per-tenant submit locks (`pg_advisory_xact_lock(ns, tenant)`).
const SUBMIT_LOCK: i32 = 0x4775_6963;

/// How often a write that PostgreSQL could not serialise is tried in all.
const MAX_TRIES: u32 = 12;

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        StoreError::Backend(Box::new(e))
    }
}

impl From<deadpool_postgres::PoolError> for StoreError {
    fn from(e: deadpool_postgres::PoolError) -> StoreError {
        StoreError::Backend(Box::new(e))
    }
}

/// The SQLSTATE of a database error, if `e` is one.
pub(super) fn sql_state(e: &StoreError) -> Option<&SqlState> {
    match e {
        StoreError::Backend(source) => source
            .downcast_ref::<tokio_postgres::Error>()
            .and_then(|e| e.code()),
        _ => None,
    }
}

/// A stored integer (every column is `BIGINT`) that must fit `T`: a
/// version, a count, a reference's year or number. `what` names it in the
/// error (`format_args!` builds it only then).
pub(super) fn narrow<T: TryFrom<i64>>(
    what: impl std::fmt::Display,
    value: i64,
) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| StoreError::Corrupt(format!("{what}: {value} out of range")))
}

/// A reference from its stored year and number.
pub(super) fn reference(
    year: i64,
    number: i64,
) -> Result<crate::core::tracking::Reference, StoreError> {
    Ok(crate::core::tracking::Reference {
        year: narrow("reference year", year)?,
        number: narrow("reference number", number)?,
    })
}

/// Whether trying the transaction again may succeed.
fn is_retryable(e: &StoreError) -> bool {
    matches!(
        sql_state(e),
        Some(s) if *s == SqlState::T_R_SERIALIZATION_FAILURE || *s == SqlState::T_R_DEADLOCK_DETECTED
    )
}

/// The future a read or write closure returns, borrowing the transaction
/// (deadpool's, whose `prepare_cached` keeps statements per connection).
pub(super) type TxFuture<'a, T> = BoxFuture<'a, Result<T, StoreError>>;

pub struct PostgresStore {
    pool: Pool,
    /// Where connections live and every query runs; `None` once closed.
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    url: String,
    /// Where submits wait for the submitter (`submits.rs`).
    submits: tokio::sync::mpsc::UnboundedSender<submits::Submit>,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`),
    /// creates or migrates the schema, and keeps a pool of at most
    /// `pool_size` connections.
    pub fn open(url: &str, pool_size: usize) -> Result<PostgresStore, StoreError> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::Invalid(format!("bad PostgreSQL URL: {e}")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("guichet-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Invalid(format!("cannot start the store's runtime: {e}")))?;
        let handle = runtime.handle().clone();
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(2))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(std::time::Duration::from_secs(30)))
            .create_timeout(Some(std::time::Duration::from_secs(10)))
            .build()
            .map_err(|e| StoreError::Invalid(format!("cannot build the connection pool: {e}")))?;
        let (submits, queue) = tokio::sync::mpsc::unbounded_channel();
        handle.spawn(submits::submitter(pool.clone(), queue));
        let store = PostgresStore {
            pool,
            runtime: Some(runtime),
            handle,
            url: redact(url),
            submits,
        };
        let pool = store.pool.clone();
        store.wait(store.spawn(async move {
            let mut client = pool.get().await?;
            migrate(&mut client).await
        }))?;
        Ok(store)
    }

    /// The URL without its password, for logs.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Closes the pool: later calls fail with [`StoreError::Closed`].
    pub fn close(&self) {
        self.pool.close();
    }

    /// Runs `fut` on the store's runtime.
    fn spawn<T: Send + 'static>(
        &self,
        fut: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> BoxFuture<'_, Result<T, StoreError>> {
        let task = self.handle.spawn(fut);
        Box::pin(async move {
            task.await
                .map_err(|e| StoreError::Invalid(format!("database task failed: {e}")))?
        })
    }

    /// Waits for `fut`: the trait's synchronous methods, called at start-up,
    /// from commands, the blocking pool, and now and then a handler.
    pub(super) fn wait<T: Send>(
        &self,
        fut: BoxFuture<'_, Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        use tokio::runtime::{Handle, RuntimeFlavor};
        match Handle::try_current().map(|h| h.runtime_flavor()) {
            // A current-thread runtime's thread (a test's #[tokio::test]):
            // waiting here would stall it; wait on another thread instead.
            Ok(RuntimeFlavor::CurrentThread) => std::thread::scope(|s| {
                s.spawn(|| self.handle.block_on(fut))
                    .join()
                    .unwrap_or_else(|_| Err(StoreError::Invalid("database wait panicked".into())))
            }),
            // A worker of a multi-threaded runtime (a handler calling a
            // synchronous method): its other tasks move to other workers
            // while this one waits.
            Ok(_) => tokio::task::block_in_place(|| self.handle.block_on(fut)),
            Err(_) => self.handle.block_on(fut),
        }
    }

    /// Runs `f` in a read-only `REPEATABLE READ` transaction: the queries
    /// of one read see one snapshot, as a SQLite reader does.
    pub(super) fn read<T, F>(&self, f: F) -> BoxFuture<'_, Result<T, StoreError>>
    where
        T: Send + 'static,
        F: for<'a> FnOnce(&'a Transaction<'a>) -> TxFuture<'a, T> + Send + 'static,
    {
        let pool = self.pool.clone();
        self.spawn(async move {
            let mut client = pool.get().await.map_err(pool_error)?;
            let tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .await?;
            let value = f(&tx).await?;
            tx.commit().await?;
            Ok(value)
        })
    }

    /// Runs `f` in a `SERIALIZABLE` transaction and commits it, trying again
    /// (up to [`MAX_TRIES`]) when PostgreSQL could not serialise it. `f` may
    /// thus run several times: it clones what it captured into the future
    /// it returns, which may only borrow the transaction:
    ///
    /// ```ignore
    /// self.write(move |tx| {
    ///     let login = login.clone();
    ///     Box::pin(async move {
    ///         tx.execute("UPDATE agents SET active = 0 WHERE login = $1", &[&login]).await?;
    ///         Ok(())
    ///     })
    /// })
    /// ```
    pub(super) fn write<T, F>(&self, f: F) -> BoxFuture<'_, Result<T, StoreError>>
    where
        T: Send + 'static,
        F: for<'a> Fn(&'a Transaction<'a>) -> TxFuture<'a, T> + Send + Sync + 'static,
    {
        self.transaction(IsolationLevel::Serializable, f)
    }

    fn transaction<T, F>(
        &self,
        isolation: IsolationLevel,
        f: F,
    ) -> BoxFuture<'_, Result<T, StoreError>>
    where
        T: Send + 'static,
        F: for<'a> Fn(&'a Transaction<'a>) -> TxFuture<'a, T> + Send + Sync + 'static,
    {
        let pool = self.pool.clone();
        self.spawn(async move {
            let mut client = pool.get().await.map_err(pool_error)?;
            let mut tries = 0;
            loop {
                tries += 1;
                let result = async {
                    let tx = client
                        .build_transaction()
                        .isolation_level(isolation)
                        .start()
                        .await?;
                    let value = f(&tx).await?;
                    tx.commit().await?;
                    Ok::<T, StoreError>(value)
                }
                .await;
                match result {
                    Err(e) if tries < MAX_TRIES && is_retryable(&e) => {
                        // Back off a little, differently each time, so that
                        // two writers that collided do not collide again.
                        let mut jitter = [0u8; 1];
                        let _ = getrandom::fill(&mut jitter);
                        let ms = u64::from(tries) * 2 + u64::from(jitter[0] % 8);
                        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                    }
                    other => return other,
                }
            }
        })
    }
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Closed => StoreError::Closed,
        e => StoreError::from(e),
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.pool.close();
        if let Some(runtime) = self.runtime.take() {
            // Dropping a runtime inside another one's async context panics.
            runtime.shutdown_background();
        }
    }
}

/// `url` with its password replaced by `***`.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn migrate(client: &mut Object) -> Result<(), StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS guichet_schema (version BIGINT NOT NULL)")
        .await?;
    let current: i64 = match tx
        .query_opt("SELECT version FROM guichet_schema", &[])
        .await?
    {
        Some(row) => row.get(0),
        None => {
            tx.execute("INSERT INTO guichet_schema (version) VALUES (0)", &[])
                .await?;
            0
        }
    };
    let current = current.max(0) as usize;
    if current > MIGRATIONS.len() {
        return Err(StoreError::Invalid(format!(
            "the database is at schema version {current}, newer than this binary ({}): upgrade Guichet",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "UPDATE guichet_schema SET version = $1",
            &[&((i + 1) as i64)],
        )
        .await?;
        tracing::info!(version = i + 1, "database migrated");
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn a_urls_password_is_not_logged() {
        assert_eq!(
            redact("postgres://guichet:s3cret@db:5432/guichet"),
            "postgres://guichet:***@db:5432/guichet"
        );
        assert_eq!(
            redact("postgres://guichet@db/guichet"),
            "postgres://guichet@db/guichet"
        );
    }
}
