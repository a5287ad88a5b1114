//! Files kept with requests: written to the blob store before the
//! transaction that records them (so a request never lacks its files), and
//! read back for a download by someone who may see the request.

use super::App;
use crate::core::files::{Attached, FileValue};
use crate::core::forms::Form;
use crate::core::status::RequestRecord;
use bytes::Bytes;

/// Writes every file of a validated form to the blob store, in the blocking
/// pool. `Err` says why (a full disk): nothing is acknowledged then.
pub async fn keep(app: &App, form: &Form) -> Result<(), String> {
    for (_, file) in form.files() {
        keep_one(app, file).await?;
    }
    Ok(())
}

/// Writes one file to the blob store, in the blocking pool.
pub async fn keep_one(app: &App, file: &FileValue) -> Result<(), String> {
    let blobs = std::sync::Arc::clone(&app.blobs);
    let (sha256, bytes) = (file.sha256.clone(), file.bytes.clone());
    tokio::task::spawn_blocking(move || blobs.put(&sha256, &bytes))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| {
            tracing::error!(error = %e, "a file could not be kept");
            format!("a file could not be kept: {e}")
        })
}

/// File `id` of a request, with its bytes; `None` when the request has no
/// such file or its blob is gone.
pub async fn read(
    app: &App,
    record: &RequestRecord,
    id: i64,
) -> Result<Option<(Attached, Bytes)>, String> {
    let Some(file) = record.attachments.iter().find(|a| a.id == id).cloned() else {
        return Ok(None);
    };
    let blobs = std::sync::Arc::clone(&app.blobs);
    let sha256 = file.sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || blobs.get(&sha256))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    match bytes {
        Some(b) => Ok(Some((file, b))),
        None => {
            tracing::error!(sha256 = %file.sha256, "a recorded file is missing from the blob store");
            Ok(None)
        }
    }
}
