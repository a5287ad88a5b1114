//! Submits committed together: the group commit of SQLite's writer, on
//! PostgreSQL.
//!
//! A submit must hold its tenant's submit lock from drawing its reference
//! to its commit, so that references stay gapless with several nodes
//! writing: one submit per transaction makes a town's submits one commit
//! (one WAL flush) each, whichever node they reach. The submitter of a node
//! instead takes every submit queued on it (up to [`MAX_BATCH`]), locks
//! their tenants in one order (two nodes' batches cannot deadlock), stores
//! them one after the other in one `READ COMMITTED` transaction and commits
//! once; each caller is answered after that commit, so a request is still
//! acknowledged only once durably stored.
//!
//! Submits nearly always succeed (forms are checked before), so a batch
//! first runs without savepoints. When one fails (a slot taken meanwhile),
//! the transaction is rolled back and the batch replayed with each submit
//! in its own savepoint, so the failing one is undone alone — numbers drawn
//! in it are given back with it — and answered with its error.

use super::requests::insert_request;
use super::{MAX_TRIES, SUBMIT_LOCK, is_retryable, pool_error};
use crate::core::intake::NewRequest;
use crate::core::tracking::Reference;
use crate::store::StoreError;
use deadpool_postgres::{Pool, Transaction};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::IsolationLevel;

/// Most submits stored in one transaction. A replay gives each its own
/// savepoint, a subtransaction; PostgreSQL keeps 64 of them per transaction
/// in shared memory before every other session's snapshots get slower.
pub(super) const MAX_BATCH: usize = 64;

/// A submit waiting for the submitter.
pub(super) struct Submit {
    pub tenant_id: i64,
    pub request: NewRequest,
    pub reply: oneshot::Sender<Result<Reference, StoreError>>,
}

/// Stores what arrives on `queue`, batch after batch, until every sender is
/// gone (the store dropped).
pub(super) async fn submitter(pool: Pool, mut queue: mpsc::UnboundedReceiver<Submit>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        crate::metrics::writer_batch(batch.len());
        commit_batch(&pool, &mut batch).await;
    }
}

/// Stores `batch` and answers each of its callers; `batch` is empty after.
async fn commit_batch(pool: &Pool, batch: &mut Vec<Submit>) {
    let mut tenants: Vec<i64> = batch.iter().map(|s| s.tenant_id).collect();
    tenants.sort_unstable();
    tenants.dedup();
    let outcome = match pool.get().await {
        Err(e) => Err(pool_error(e)),
        Ok(mut client) => {
            let mut tries = 0;
            loop {
                tries += 1;
                let mut results = Vec::with_capacity(batch.len());
                let mut run = run_batch(&mut client, &tenants, batch, false, &mut results).await;
                if matches!(run, Ok(false)) {
                    results.clear();
                    run = run_batch(&mut client, &tenants, batch, true, &mut results).await;
                }
                match run {
                    Err(e) if tries < MAX_TRIES && is_retryable(&e) => {
                        tokio::time::sleep(std::time::Duration::from_millis(u64::from(tries) * 2))
                            .await;
                    }
                    Err(e) => break Err(e),
                    Ok(_) => break Ok(results),
                }
            }
        }
    };
    match outcome {
        Ok(results) => {
            for (submit, result) in batch.drain(..).zip(results) {
                let _ = submit.reply.send(result);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, submits = batch.len(), "submit transaction failed; the whole batch is refused");
            let closed = matches!(e, StoreError::Closed);
            let message = format!("write transaction failed: {e}");
            for submit in batch.drain(..) {
                let _ = submit.reply.send(Err(if closed {
                    StoreError::Closed
                } else {
                    StoreError::Invalid(message.clone())
                }));
            }
        }
    }
}

/// Runs the batch in one transaction and commits it, one result per submit
/// in `results`. Without savepoints, stops at the first failing submit and
/// rolls everything back (`Ok(false)`); with them, undoes a failing submit
/// alone and goes on.
async fn run_batch(
    client: &mut deadpool_postgres::Client,
    tenants: &[i64],
    batch: &[Submit],
    savepoints: bool,
    results: &mut Vec<Result<Reference, StoreError>>,
) -> Result<bool, StoreError> {
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::ReadCommitted)
        .start()
        .await?;
    for &tenant_id in tenants {
        tx.execute(
            &tx.prepare_cached("SELECT pg_advisory_xact_lock($1, $2::int4)")
                .await?,
            &[&SUBMIT_LOCK, &(tenant_id as i32)],
        )
        .await?;
    }
    for submit in batch {
        if savepoints {
            let sp: Transaction<'_> = tx.savepoint("submit").await?;
            match insert_request(&sp, submit.tenant_id, &submit.request).await {
                Ok(reference) => {
                    sp.commit().await?;
                    results.push(Ok(reference));
                }
                Err(e) if is_retryable(&e) => return Err(e),
                Err(e) => {
                    sp.rollback().await?;
                    results.push(Err(e));
                }
            }
        } else {
            match insert_request(&tx, submit.tenant_id, &submit.request).await {
                Ok(reference) => results.push(Ok(reference)),
                Err(e) if is_retryable(&e) => return Err(e),
                Err(_) => {
                    tx.rollback().await?;
                    return Ok(false);
                }
            }
        }
    }
    tx.commit().await?;
    Ok(true)
}
