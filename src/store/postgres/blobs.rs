//! Blobs (files sent with requests) in the database, where every node
//! finds them: the same [`BlobStore`] as `DATA/blobs/` on one node.
//!
//! Its methods are synchronous (the callers run them in the blocking pool)
//! and wait for the store's runtime.

use super::PostgresStore;
use crate::store::StoreError;
use crate::store::blobs::{BlobStore, is_digest};
use bytes::Bytes;
use std::time::Duration;

fn io(e: StoreError) -> std::io::Error {
    std::io::Error::other(e)
}

fn check(sha256: &str) -> std::io::Result<()> {
    if is_digest(sha256) {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a SHA-256 digest: {sha256:?}"),
        ))
    }
}

fn unix_now() -> i64 {
    jiff::Timestamp::now().as_second()
}

impl BlobStore for PostgresStore {
    fn put(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<()> {
        check(sha256)?;
        let sha256 = sha256.to_owned();
        let bytes = bytes.to_vec();
        // Committed (and so durable) before the request that refers to it.
        self.wait(self.write(move |tx| {
            let (sha256, bytes) = (sha256.clone(), bytes.clone());
            Box::pin(async move {
                tx.execute(
                    "INSERT INTO blobs (sha256, bytes, created_at) VALUES ($1, $2, $3)
                     ON CONFLICT (sha256) DO UPDATE SET created_at = excluded.created_at",
                    &[&sha256, &bytes, &unix_now()],
                )
                .await?;
                Ok(())
            })
        }))
        .map_err(io)
    }

    fn get(&self, sha256: &str) -> std::io::Result<Option<Bytes>> {
        check(sha256)?;
        let sha256 = sha256.to_owned();
        self.wait(self.read(move |tx| {
            Box::pin(async move {
                Ok(tx
                    .query_opt("SELECT bytes FROM blobs WHERE sha256 = $1", &[&sha256])
                    .await?
                    .map(|r| Bytes::from(r.get::<_, Vec<u8>>(0))))
            })
        }))
        .map_err(io)
    }

    fn sweep(&self, referenced: &dyn Fn(&str) -> bool, grace: Duration) -> std::io::Result<usize> {
        let before = unix_now() - i64::try_from(grace.as_secs()).unwrap_or(i64::MAX / 2);
        let old: Vec<String> = self
            .wait(self.read(move |tx| {
                Box::pin(async move {
                    Ok(tx
                        .query("SELECT sha256 FROM blobs WHERE created_at < $1", &[&before])
                        .await?
                        .iter()
                        .map(|r| r.get(0))
                        .collect())
                })
            }))
            .map_err(io)?;
        let orphans: Vec<String> = old.into_iter().filter(|d| !referenced(d)).collect();
        if orphans.is_empty() {
            return Ok(0);
        }
        // Only those still old: a blob written again meanwhile (the same
        // file sent anew) is younger and stays.
        self.wait(self.write(move |tx| {
            let orphans = orphans.clone();
            Box::pin(async move {
                let n = tx
                    .execute(
                        "DELETE FROM blobs WHERE sha256 = ANY($1) AND created_at < $2",
                        &[&orphans, &before],
                    )
                    .await?;
                Ok(n as usize)
            })
        }))
        .map_err(io)
    }
}
