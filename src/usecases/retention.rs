//! The retention run: requests whose files are due for deletion sooner than
//! the rest (`filesDeletedAfterMonths`) lose them, then requests whose
//! personal data is due for removal, by their service's privacy rule or
//! because their citizen closed their account, are anonymised; in batches, each batch a transaction and an entry of
//! the audit journal, so that a run stopped half-way loses nothing and the
//! next one goes on.

use super::App;
use crate::core::tracking::Reference;
use crate::store::{RetentionRule, StoreError};

/// Requests anonymised in one transaction.
pub const BATCH: u32 = 200;

/// What a run did in one town.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swept {
    pub tenant: String,
    pub anonymised: Vec<Reference>,
    /// Requests whose files went sooner than the rest, by their rule.
    pub files_deleted: Vec<Reference>,
}

/// Runs retention over every town (a disabled one too: its data is kept,
/// so its rules still apply) at the clock's "now".
pub async fn run(app: &App) -> Result<Vec<Swept>, StoreError> {
    let now = app.now();
    let mut sites = app.all_sites();
    sites.sort_by(|a, b| a.tenant.slug.cmp(&b.tenant.slug));
    let mut swept = Vec::new();
    for site in sites {
        let tenant = &site.tenant;
        let today = now.to_zoned(tenant.time_zone.clone());
        let rules: Vec<RetentionRule> = tenant
            .privacy_rules()
            .into_iter()
            .map(|(code, privacy)| RetentionRule {
                service_code: code.to_owned(),
                closed_before: privacy.anonymise_before(&today),
            })
            .collect();
        // Files first: a rule may delete them sooner than the rest.
        let file_rules: Vec<RetentionRule> = tenant
            .privacy_rules()
            .into_iter()
            .filter(|(_, privacy)| privacy.files_go_sooner())
            .filter_map(|(code, privacy)| {
                Some(RetentionRule {
                    service_code: code.to_owned(),
                    closed_before: privacy.files_deleted_before(&today)?,
                })
            })
            .collect();
        let files_deleted = if file_rules.is_empty() {
            Vec::new()
        } else {
            every_batch(|| {
                app.store
                    .delete_files_due(tenant.id, file_rules.clone(), BATCH, now)
            })
            .await?
        };
        let anonymised = every_batch(|| {
            app.store
                .anonymise_due(tenant.id, rules.clone(), BATCH, now)
        })
        .await?;
        if !anonymised.is_empty() || !files_deleted.is_empty() {
            tracing::info!(tenant = %tenant.slug, anonymised = anonymised.len(), files_deleted = files_deleted.len(), "retention run");
        }
        swept.push(Swept {
            tenant: tenant.slug.clone(),
            anonymised,
            files_deleted,
        });
    }
    // Background exports past their time stop holding their file.
    let expired = app.store.expire_exports(now).await?;
    if expired > 0 {
        tracing::info!(expired, "background exports expired");
    }
    sweep_blobs(app).await?;
    Ok(swept)
}

/// Runs `batch` until one comes back short of [`BATCH`]: what each did.
async fn every_batch<F, Fut>(mut batch: F) -> Result<Vec<Reference>, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<Reference>, StoreError>>,
{
    let mut done = Vec::new();
    loop {
        let one = batch().await?;
        let last = one.len() < BATCH as usize;
        done.extend(one);
        if last {
            return Ok(done);
        }
    }
}

/// Files no request records any more (anonymised, purged test requests, a
/// crash before the transaction that would have recorded them) nor a
/// background export offers leave the blob store; those written in the last hour stay, they may belong to a
/// request being stored.
pub async fn sweep_blobs(app: &App) -> Result<usize, StoreError> {
    let kept = app.store.kept_blobs().await?;
    let blobs = std::sync::Arc::clone(&app.blobs);
    let removed = tokio::task::spawn_blocking(move || {
        blobs.sweep(&|d| kept.contains(d), std::time::Duration::from_secs(3600))
    })
    .await
    .map_err(|e| StoreError::Invalid(e.to_string()))?
    .map_err(|e| StoreError::Backend(Box::new(e)))?;
    if removed > 0 {
        tracing::info!(
            removed,
            "files no request records removed from the blob store"
        );
    }
    Ok(removed)
}
