//! The blob store: files sent with requests, kept once each under the
//! SHA-256 of their content. [`FsBlobs`] keeps them in the data folder
//! (`DATA/blobs/ab/abcdef…`); a cluster puts another implementation (an
//! object store) behind the same trait.
//!
//! A blob is written, synced and renamed into place *before* the
//! transaction that records it commits: a crash between the two leaves a
//! blob nothing refers to (never shown, removed by [`BlobStore::sweep`]),
//! never a request whose file is missing.

use bytes::Bytes;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

pub trait BlobStore: Send + Sync {
    /// Keeps `bytes` under `sha256` (their digest, lower-case hex, which
    /// the caller computed); nothing is written when it is there already.
    fn put(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<()>;
    /// The blob, if kept.
    fn get(&self, sha256: &str) -> std::io::Result<Option<Bytes>>;
    /// Removes the blobs not in `referenced` written more than `grace` ago
    /// (younger ones may belong to a request being stored). Returns how
    /// many went.
    fn sweep(&self, referenced: &dyn Fn(&str) -> bool, grace: Duration) -> std::io::Result<usize>;
}

/// Blobs as files in a folder, two hex digits of fan-out.
pub struct FsBlobs {
    root: PathBuf,
}

pub(super) fn is_digest(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl FsBlobs {
    pub fn open(root: &Path) -> std::io::Result<FsBlobs> {
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(FsBlobs {
            root: root.to_owned(),
        })
    }

    fn path(&self, sha256: &str) -> std::io::Result<PathBuf> {
        if !is_digest(sha256) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("not a SHA-256 digest: {sha256:?}"),
            ));
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }
}

impl BlobStore for FsBlobs {
    fn put(&self, sha256: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(sha256)?;
        if path.exists() {
            return Ok(());
        }
        let dir = path.parent().expect("a fan-out folder");
        std::fs::create_dir_all(dir)?;
        let mut name = [0u8; 8];
        getrandom::fill(&mut name).map_err(std::io::Error::other)?;
        let tmp = self.root.join("tmp").join(format!(
            "{sha256}.{}",
            name.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ));
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &path)?;
        // The rename itself made durable.
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    }

    fn get(&self, sha256: &str) -> std::io::Result<Option<Bytes>> {
        match std::fs::read(self.path(sha256)?) {
            Ok(b) => Ok(Some(Bytes::from(b))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn sweep(&self, referenced: &dyn Fn(&str) -> bool, grace: Duration) -> std::io::Result<usize> {
        let now = SystemTime::now();
        let old = |p: &Path| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|t| now.duration_since(t).unwrap_or_default() > grace)
        };
        let mut removed = 0;
        for fan in std::fs::read_dir(&self.root)? {
            let fan = fan?.path();
            if !fan.is_dir() {
                continue;
            }
            let is_tmp = fan.file_name().is_some_and(|n| n == "tmp");
            for entry in std::fs::read_dir(&fan)? {
                let path = entry?.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                // Half-written files of a crash, and blobs nothing records.
                let orphan = is_tmp || (is_digest(name) && !referenced(name));
                if orphan && old(&path) {
                    std::fs::remove_file(&path)?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_is_kept_once_under_its_digest_and_swept_when_nothing_refers_to_it() {
        let root = std::env::temp_dir().join(format!("guichet-blobs-{}", std::process::id()));
        let blobs = FsBlobs::open(&root).unwrap();
        let digest = crate::core::files::sha256(b"hello");
        blobs.put(&digest, b"hello").unwrap();
        blobs.put(&digest, b"hello").unwrap();
        assert_eq!(blobs.get(&digest).unwrap().as_deref(), Some(&b"hello"[..]));
        assert!(blobs.get("../../etc/passwd").is_err(), "only digests");
        assert_eq!(
            blobs.sweep(&|_| false, Duration::from_secs(3600)).unwrap(),
            0,
            "too young"
        );
        assert_eq!(
            blobs.sweep(&|d| d == digest, Duration::ZERO).unwrap(),
            0,
            "referenced"
        );
        assert_eq!(blobs.sweep(&|_| false, Duration::ZERO).unwrap(), 1);
        assert_eq!(blobs.get(&digest).unwrap(), None);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
