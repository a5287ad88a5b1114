//! A town's files shared by every node. What the admin pages write into the
//! tenant's folder (`settings.toml`, `templates.toml`) is also kept in the
//! store ([`share`]); every node copies the files of a newer version into
//! its own folder every few seconds ([`sync`]), so a town's colours changed
//! on one node show on all, and a node's folder holds nothing another node
//! needs.
//!
//! The version a node has reached is kept in `DATA/tenants/.files-version`:
//! a restarted node does not copy again what it has, and a file a webmaster
//! edited by hand in a folder stays as they left it until the admin pages
//! write that file again.

use crate::store::StoreError;
use crate::tenant::Site;
use crate::usecases::App;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The version of the tenant files this node's folders hold.
pub struct Synced {
    version: AtomicI64,
    file: PathBuf,
    /// One writer of the version file at a time: an admin page's save
    /// (`wrote`) and the copy of other nodes' files (`sync`) may reach a
    /// version together, and would race on the same temporary file.
    writing: std::sync::Mutex<()>,
}

impl Synced {
    /// Reads the version reached from `DATA/tenants/.files-version` (0 when
    /// there is none: a new node copies every file).
    pub fn open(data_dir: &Path) -> Synced {
        let file = data_dir.join("tenants").join(".files-version");
        let version = std::fs::read_to_string(&file)
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0);
        Synced {
            version: AtomicI64::new(version),
            file,
            writing: std::sync::Mutex::new(()),
        }
    }

    pub fn version(&self) -> i64 {
        self.version.load(Ordering::Acquire)
    }

    /// This node has just written the file of `version` itself: when it
    /// had every version before, it has this one too, and does not copy
    /// its own file back over the folder (where a webmaster may have
    /// edited another file by hand since).
    pub fn wrote(&self, version: i64) -> std::io::Result<()> {
        if self.version() == version - 1 {
            self.reached(version)?;
        }
        Ok(())
    }

    /// Records `version` as reached, unless a later one already is.
    fn reached(&self, version: i64) -> std::io::Result<()> {
        let _one = self
            .writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.version() >= version {
            return Ok(());
        }
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let temporary = self.file.with_extension("new");
        std::fs::write(&temporary, format!("{version}\n"))?;
        std::fs::rename(&temporary, &self.file)?;
        self.version.store(version, Ordering::Release);
        Ok(())
    }
}

/// Why a file could not be shared or copied.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Keeps the site's `file`, just written by an admin page, in the store for
/// the other nodes.
pub async fn share(app: &App, site: &Site, file: &str) -> Result<(), FilesError> {
    // A small file the admin page has just written: read as it was written,
    // on this thread.
    let content = site.look.file(file)?.unwrap_or_default();
    let version = app
        .store
        .put_tenant_file(site.tenant.id, file.to_owned(), content, (app.clock)())
        .await?;
    app.tenant_files.wrote(version)?;
    Ok(())
}

/// Copies into the tenants' folders the files stored since the version this
/// node has; returns how many changed a folder. A file of a town whose
/// site is not built yet (just added on another node) waits for the next
/// look, with every file after it.
pub async fn sync(app: &App) -> Result<usize, FilesError> {
    let have = app.tenant_files.version();
    if app.store.tenant_files_version().await? <= have {
        return Ok(0);
    }
    let files = app.store.tenant_files_since(have).await?;
    let sites = app.sites.load_full();
    let mut reached = have;
    let mut changed = 0;
    for f in files {
        let Some(site) = sites
            .by_slug
            .values()
            .find(|s| s.tenant.id == f.tenant_id)
            .cloned()
        else {
            break;
        };
        let installed = tokio::task::spawn_blocking(move || site.look.install(&f.path, &f.content))
            .await
            .map_err(std::io::Error::other)??;
        changed += usize::from(installed);
        reached = f.version;
    }
    if reached > have {
        let synced = Arc::clone(&app.tenant_files);
        tokio::task::spawn_blocking(move || synced.reached(reached))
            .await
            .map_err(std::io::Error::other)??;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_reached_together_are_written_once_each_and_never_go_back() {
        let dir = std::env::temp_dir().join(format!(
            "guichet-synced-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let synced = Arc::new(Synced::open(&dir));
        // A save and the copy of other nodes' files reaching versions at
        // once (they raced on one temporary file: an error, a 503).
        let threads: Vec<_> = (1..=8)
            .map(|_| {
                let synced = Arc::clone(&synced);
                std::thread::spawn(move || {
                    for v in 1..=200 {
                        synced.reached(v).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let top = synced.version();
        assert_eq!(top, 200);
        synced.reached(5).unwrap();
        assert_eq!(synced.version(), top, "never back to an older version");
        assert_eq!(Synced::open(&dir).version(), top, "as kept on disk");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
