//! The audit journal anchored outside the database.
//!
//! The journal is a hash chain whose head sits in the same database, so
//! whoever can write the database can rewrite it whole, consistently, and
//! `audit verify` alone would not notice. A **checkpoint** publishes each
//! town's head (`seq`, `hash`) out of the database, signed with HMAC-SHA-256
//! under a key kept apart from it (`--audit-key`): the server appends one
//! line per town whose journal moved to `--audit-checkpoints` every
//! `--audit-checkpoint-seconds` — and mails each town's latest to the
//! addresses of its `[audit] checkpoints_to` —, and `guichet audit
//! checkpoint` prints them for an operator to send anywhere (a remote log, a
//! printout).
//! `guichet audit verify --against FILE` then requires every chain to still
//! hold every entry a checkpoint vouches for: a journal edited, cut or
//! replaced since is found, and a checkpoint line forged without the key is
//! refused.

use crate::store::{Anchor, StoreError};
use crate::usecases::App;
use ring::hmac;
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

/// A sign-in, a sign-out or a refused sign-in in the town's journal
/// (`login`, `logout`, `login-failed`): who, on whom, and from where.
pub async fn sign_in_event(
    app: &App,
    tenant_id: i64,
    actor: String,
    subject: String,
    action: &str,
    detail: String,
) -> Result<(), StoreError> {
    app.store
        .record_audit(tenant_id, actor, subject, action.into(), detail, app.now())
        .await
}

/// What a person typed as a login, cut to a length a journal can show.
pub fn typed(login: &str) -> String {
    login.chars().take(64).collect()
}

/// One published head, as written on its line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub tenant: String,
    pub seq: i64,
    pub hash: String,
    /// When it was taken (RFC 3339).
    pub at: String,
    /// HMAC-SHA-256 of the fields above, hexadecimal.
    pub mac: String,
}

/// Why checkpoints could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("{0}: {1}")]
    File(String, std::io::Error),
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The key of `path`, made (random, owner-only) when the file does not
/// exist yet and `create` is true.
pub fn key(path: &Path, create: bool) -> Result<hmac::Key, CheckpointError> {
    let file = |e| CheckpointError::File(path.display().to_string(), e);
    match std::fs::read_to_string(path) {
        Ok(text) => crate::auth::token::key_from_hex(text.trim())
            .map(|k| hmac::Key::new(hmac::HMAC_SHA256, &k))
            .ok_or_else(|| {
                CheckpointError::Refused(format!(
                    "{}: not an audit key (64 hexadecimal digits)",
                    path.display()
                ))
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| file(std::io::Error::other(e.to_string())))?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(file)?;
            }
            let hex = crate::core::tracking::hex(&bytes);
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut f = options.open(path).map_err(file)?;
            f.write_all(format!("{hex}\n").as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(file)?;
            tracing::info!(file = %path.display(), "audit checkpoint key made");
            Ok(hmac::Key::new(hmac::HMAC_SHA256, &bytes))
        }
        Err(e) => Err(file(e)),
    }
}

/// What the MAC covers: each field length-prefixed, so that no two
/// checkpoints sign the same bytes.
fn signed_bytes(tenant: &str, seq: i64, hash: &str, at: &str) -> Vec<u8> {
    let mut out = b"guichet-audit-checkpoint-1".to_vec();
    for field in [tenant, &seq.to_string(), hash, at] {
        out.extend_from_slice(format!("|{}:", field.len()).as_bytes());
        out.extend_from_slice(field.as_bytes());
    }
    out
}

/// `anchor` signed at `at`.
pub fn sign(key: &hmac::Key, anchor: &Anchor, at: &str) -> Checkpoint {
    let tag = hmac::sign(
        key,
        &signed_bytes(&anchor.tenant, anchor.seq, &anchor.hash, at),
    );
    Checkpoint {
        tenant: anchor.tenant.clone(),
        seq: anchor.seq,
        hash: anchor.hash.clone(),
        at: at.to_owned(),
        mac: crate::core::tracking::hex(tag.as_ref()),
    }
}

/// Every town's head now, signed.
pub async fn take(app: &App, key: &hmac::Key) -> Result<Vec<Checkpoint>, CheckpointError> {
    let at = app.now().to_string();
    Ok(app
        .store
        .audit_heads()
        .await?
        .iter()
        .map(|a| sign(key, a, &at))
        .collect())
}

/// The anchors of a checkpoint file (JSON lines; blank lines and `#`
/// comments skipped), each line's MAC checked: a line not signed with
/// `key` is refused with its number.
pub fn read(text: &str, key: &hmac::Key) -> Result<Vec<Anchor>, CheckpointError> {
    let mut anchors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let n = i + 1;
        let c: Checkpoint = serde_json::from_str(line).map_err(|e| {
            CheckpointError::Refused(format!("checkpoint line {n} is not a checkpoint: {e}"))
        })?;
        let tag = (0..c.mac.len() / 2)
            .map(|i| u8::from_str_radix(c.mac.get(2 * i..2 * i + 2).unwrap_or("zz"), 16))
            .collect::<Result<Vec<u8>, _>>()
            .unwrap_or_default();
        if hmac::verify(key, &signed_bytes(&c.tenant, c.seq, &c.hash, &c.at), &tag).is_err() {
            return Err(CheckpointError::Refused(format!(
                "checkpoint line {n} ({}, entry {}) is not signed with this audit key: forged, altered, or from another server",
                c.tenant, c.seq
            )));
        }
        anchors.push(Anchor {
            tenant: c.tenant,
            seq: c.seq,
            hash: c.hash,
        });
    }
    Ok(anchors)
}

/// Appends `checkpoints` to `path` as JSON lines, synced to disk.
pub fn append(path: &Path, checkpoints: &[Checkpoint]) -> Result<(), CheckpointError> {
    let file = |e| CheckpointError::File(path.display().to_string(), e);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(file)?;
    }
    let mut text = String::new();
    for c in checkpoints {
        text.push_str(&serde_json::to_string(c).expect("a checkpoint is JSON"));
        text.push('\n');
    }
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(file)?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_data())
        .map_err(file)
}

/// The server's checkpoints: at start, then every period, one line per town
/// whose journal moved since the last line this process wrote.
pub async fn run(app: std::sync::Arc<App>) {
    let key_file = app.config.audit_key_file();
    let key = match key(&key_file, true) {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "no audit checkpoints: the key cannot be read or made");
            return;
        }
    };
    let out = app.config.audit_checkpoints_file();
    let mut written: HashMap<String, i64> = HashMap::new();
    // The last line written for each town, and the last one mailed.
    let mut last_lines: HashMap<String, Checkpoint> = HashMap::new();
    let mut mailed: HashMap<String, i64> = HashMap::new();
    let mut interval = tokio::time::interval(app.config.audit_checkpoint_period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let fresh: Vec<Checkpoint> = match take(&app, &key).await {
            Ok(all) => all
                .into_iter()
                .filter(|c| c.seq > 0 && written.get(&c.tenant) != Some(&c.seq))
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "audit checkpoint not taken; next time");
                continue;
            }
        };
        if !fresh.is_empty() {
            let file = out.clone();
            let lines = fresh.clone();
            match tokio::task::spawn_blocking(move || append(&file, &lines)).await {
                Ok(Ok(())) => {
                    for c in fresh {
                        written.insert(c.tenant.clone(), c.seq);
                        last_lines.insert(c.tenant.clone(), c);
                    }
                }
                Ok(Err(e)) => tracing::error!(error = %e, "audit checkpoint not written"),
                Err(e) => tracing::error!(error = %e, "audit checkpoint task failed"),
            }
        }
        // Each town that asks for them gets its latest checkpoint written,
        // by e-mail; one not sent goes at the next period.
        for (tenant, seq) in &written {
            if mailed.get(tenant) == Some(seq) {
                continue;
            }
            let Some(c) = last_lines.get(tenant).filter(|c| c.seq == *seq) else {
                continue;
            };
            if mail(&app, c).await {
                mailed.insert(tenant.clone(), *seq);
            }
        }
    }
}

/// Mails checkpoint `c` to the addresses of its town's `[audit]
/// checkpoints_to`; whether every one took it (true when there are none).
async fn mail(app: &App, c: &Checkpoint) -> bool {
    let Some(site) = app.site(&c.tenant) else {
        return true;
    };
    let to = site.look.get().settings.audit.checkpoints_to.clone();
    if to.is_empty() {
        return true;
    }
    let town = site.town_name();
    let line = serde_json::to_string(c).expect("a checkpoint is JSON");
    let subject = format!(
        "Journal d'audit de {town} : point de contrôle de l'entrée {}",
        c.seq
    );
    let text = format!(
        "Point de contrôle du journal d'audit de {town}, pris le {at} : l'entrée {seq} du journal a l'empreinte {hash}.\n\n\
         Gardez ce message hors du serveur de Guichet. Pour vérifier que le journal n'a pas été réécrit depuis, enregistrez la ligne ci-dessous dans un fichier (avec celles des messages précédents) et lancez « guichet audit verify --against FICHIER » ; la ligne est signée avec la clé d'audit du serveur, elle ne peut pas être refaite sans elle.\n\n{line}\n",
        at = c.at,
        seq = c.seq,
        hash = c.hash,
    );
    let mut all = true;
    for address in to {
        if let Err(e) =
            crate::notify::send_test(app, &site, "email", address.clone(), &subject, &text, "fr")
                .await
        {
            tracing::warn!(tenant = %c.tenant, %address, error = %e, "audit checkpoint not mailed; next time");
            all = false;
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_key() -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, &[7u8; 32])
    }

    #[test]
    fn a_checkpoint_reads_back_only_with_its_key_and_unaltered() {
        let anchor = Anchor {
            tenant: "demoville".into(),
            seq: 12,
            hash: "ab".repeat(32),
        };
        let line =
            serde_json::to_string(&sign(&test_key(), &anchor, "2026-12-07T10:00:00Z")).unwrap();
        let text = format!("# made by hand\n\n{line}\n");
        assert_eq!(read(&text, &test_key()).unwrap(), vec![anchor]);
        let other = hmac::Key::new(hmac::HMAC_SHA256, &[8u8; 32]);
        let e = read(&text, &other).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("not signed"), "{e}");
        let moved = line.replace("\"seq\":12", "\"seq\":11");
        assert!(read(&moved, &test_key()).is_err());
        let e = read("{\"tenant\":1}", &test_key()).unwrap_err().to_string();
        assert!(e.contains("line 1 is not a checkpoint"), "{e}");
    }

    #[test]
    fn the_key_is_made_once_and_read_after() {
        let dir = std::env::temp_dir().join(format!("guichet-audit-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("keys/audit.key");
        assert!(key(&path, false).is_err(), "verify never makes a key");
        let made = key(&path, true).unwrap();
        let anchor = Anchor {
            tenant: "t".into(),
            seq: 1,
            hash: "00".into(),
        };
        let c = sign(&made, &anchor, "x");
        let again = key(&path, true).unwrap();
        assert_eq!(sign(&again, &anchor, "x"), c);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "owner only");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
