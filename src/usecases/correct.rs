//! The citizen corrects the fields an agent asked them to: the new values
//! of those fields, the others as stored, are validated together by the
//! same rules as a submission and stored in place of the old ones, with a
//! history event saying each old and new value; the request no longer
//! waits (a legal deadline's due date moves by the days waited), and its
//! department is told.

use super::App;
use crate::core::catalogue::{FieldType, Service};
use crate::core::forms::{self, FieldError, REQUESTER, RawValue};
use crate::core::tracking::Reference;
use crate::core::workflow::{self, Corrected};
use crate::store::{StoreError, WorkItem};
use crate::tenant::Site;
use std::sync::Arc;

#[derive(Debug)]
pub enum CorrectError {
    /// No such request, or no correction asked on it.
    NotAsked,
    /// Every bad field at once; nothing was stored.
    Invalid(Vec<FieldError>),
    Unavailable(String),
}

impl From<StoreError> for CorrectError {
    fn from(e: StoreError) -> CorrectError {
        CorrectError::Unavailable(e.to_string())
    }
}

/// The request and the definition it was made with, when a correction is
/// asked on it; and its stored values as entries.
pub async fn asked(
    app: &App,
    site: &Site,
    reference: Reference,
) -> Result<(WorkItem, Arc<Service>, Vec<(String, RawValue)>), CorrectError> {
    let item = app
        .store
        .work_item(site.tenant.id, reference)
        .await?
        .filter(|i| !i.record.correction.is_empty() && !i.record.test)
        .ok_or(CorrectError::NotAsked)?;
    let service = site
        .tenant
        .service_version(&item.record.service_code, item.record.service_version)
        .cloned()
        .ok_or(CorrectError::NotAsked)?;
    let stored = forms::entries_from_paths(item.rows.clone(), '/');
    Ok((item, service, stored))
}

/// The files kept in a file field, as raw files to validate again.
async fn kept_files(
    app: &App,
    record: &crate::core::status::RequestRecord,
    field: &str,
) -> Result<Vec<(String, RawValue)>, CorrectError> {
    let mut out = Vec::new();
    for a in record
        .attachments
        .iter()
        .filter(|a| a.field.as_deref() == Some(field))
    {
        let Some((_, bytes)) = super::files::read(app, record, a.id)
            .await
            .map_err(CorrectError::Unavailable)?
        else {
            continue;
        };
        out.push((
            field.to_owned(),
            RawValue::File(crate::core::files::RawFile {
                file_name: a.name.clone(),
                bytes,
            }),
        ));
    }
    Ok(out)
}

/// What a field's stored rows say, in words.
fn said(service: &Service, name: &str, rows: &[(String, String)]) -> String {
    let field = service.field(name);
    rows.iter()
        .filter(|(p, _)| p == name || p.starts_with(&format!("{name}/")))
        .map(|(_, v)| {
            field.map_or_else(|| v.clone(), |f| f.value_words_in(v, "fr", ("Oui", "Non")))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stores the citizen's correction of request `reference`: `posted` gives
/// the fields asked (any other is ignored).
pub async fn correct(
    app: &App,
    site: &Site,
    reference: Reference,
    posted: &[(String, RawValue)],
    channel: &str,
) -> Result<(), CorrectError> {
    let (item, service, stored) = asked(app, site, reference).await?;
    let open = &item.record.correction;
    // The form as stored, the fields asked as now given, in the
    // definition's order.
    let mut merged: Vec<(String, RawValue)> = stored
        .iter()
        .filter(|(n, _)| n == REQUESTER)
        .cloned()
        .collect();
    for field in &service.fields {
        if open.contains(&field.name) {
            merged.extend(posted.iter().filter(|(n, _)| *n == field.name).cloned());
        } else if field.kind == FieldType::File {
            // A file kept, checked again as it was sent.
            merged.extend(kept_files(app, &item.record, &field.name).await?);
        } else {
            merged.extend(stored.iter().filter(|(n, _)| *n == field.name).cloned());
        }
    }
    let today = app.now().to_zoned(site.tenant.time_zone.clone()).date();
    let form = forms::validate(&service, &merged, today).map_err(CorrectError::Invalid)?;
    let rows = form.rows();
    // The files of the fields corrected, on disk before the transaction.
    let files: Vec<(String, crate::core::files::FileValue)> = form
        .files()
        .into_iter()
        .filter(|(field, _)| open.iter().any(|o| o == field))
        .map(|(field, file)| (field.to_owned(), file.clone()))
        .collect();
    super::files::keep(app, &form)
        .await
        .map_err(CorrectError::Unavailable)?;
    let changes: Vec<Corrected> = open
        .iter()
        .filter_map(|name| {
            let (before, after) = (
                said(&service, name, &item.rows),
                said(&service, name, &rows),
            );
            (before != after).then(|| Corrected {
                label: service
                    .field(name)
                    .map_or_else(|| name.clone(), |f| f.label.clone()),
                before,
                after,
            })
        })
        .collect();
    let outcome = workflow::corrected(&service, &item.state, &changes, channel, app.now());
    app.store
        .correct(
            site.tenant.id,
            reference,
            item.revision,
            rows,
            files,
            outcome,
            app.now(),
        )
        .await?;
    tracing::info!(tenant = %site.tenant.slug, %reference, "citizen corrected a request");
    Ok(())
}
