//! A town's catalogue, picked from the service library: a library service
//! enabled (the town's copy of it, online), withdrawn (offline: gone from the
//! catalogue and the WSDL, its requests carrying on to their end), enabled
//! again, exported as its definition file. Every change is audited and
//! served by running servers within seconds (the tenants generation).

use crate::core::catalogue::{Department, Service, Theme};
use crate::core::editor::Edit;
use crate::library::Entry;
use crate::store::{ServiceState, ServiceStatus, Store, StoreError};
use crate::tenant::Site;
use jiff::Timestamp;

/// Why a catalogue change was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("no service {0:?} in the library (see `guichet service list`)")]
    NotInLibrary(String),
    #[error("the town has no service {0:?} (see `guichet service list --tenant …`)")]
    NotInTown(String),
    #[error("the town has no draft of {0:?} (import one first: `guichet service import FILE`)")]
    NoDraft(String),
    #[error(transparent)]
    Refused(#[from] crate::library::FileRefused),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Puts a library service in the town's catalogue, online (or in test,
/// for the town's agents): the library's definition the first time, the
/// town's own version when it comes back.
pub fn enable(
    store: &dyn Store,
    library: &[Entry],
    site: &Site,
    code: &str,
    status: ServiceStatus,
    actor: &str,
    at: Timestamp,
) -> Result<(), CatalogueError> {
    let tenant_id = site.tenant.id;
    if town_service(store, tenant_id, code)?.is_some() {
        store.set_service_status(tenant_id, code, status, actor, at)?;
        return Ok(());
    }
    let entry = library
        .iter()
        .find(|l| l.service.code == code)
        .ok_or_else(|| CatalogueError::NotInLibrary(code.to_owned()))?;
    store.set_service(
        tenant_id,
        code,
        &entry.text,
        entry.service.version,
        status,
        actor,
        at,
    )?;
    Ok(())
}

/// Withdraws a service from the town's catalogue (offline).
pub fn disable(
    store: &dyn Store,
    site: &Site,
    code: &str,
    actor: &str,
    at: Timestamp,
) -> Result<(), CatalogueError> {
    if !store.set_service_status(site.tenant.id, code, ServiceStatus::Offline, actor, at)? {
        return Err(CatalogueError::NotInTown(code.to_owned()));
    }
    Ok(())
}

fn town_service(
    store: &dyn Store,
    tenant_id: i64,
    code: &str,
) -> Result<Option<ServiceState>, StoreError> {
    Ok(store
        .services(tenant_id)?
        .into_iter()
        .find(|s| s.code == code))
}

/// Deletes the town's test requests of `code` (or of every service), with
/// their history and messages; their references stay in the audit journal.
/// Returns how many went.
pub async fn purge_tests(
    store: &dyn Store,
    site: &Site,
    code: Option<&str>,
    actor: &str,
    at: Timestamp,
) -> Result<u64, CatalogueError> {
    if let Some(code) = code {
        town_service(store, site.tenant.id, code)?
            .ok_or_else(|| CatalogueError::NotInTown(code.to_owned()))?;
    }
    let purged = store
        .purge_tests(
            site.tenant.id,
            code.map(str::to_owned),
            actor.to_owned(),
            at,
        )
        .await?;
    tracing::info!(tenant = %site.tenant.slug, service = code.unwrap_or("*"), purged, "test requests purged");
    Ok(purged)
}

/// The definition file of the town's current version of `code`.
pub fn export(store: &dyn Store, site: &Site, code: &str) -> Result<String, CatalogueError> {
    let state = town_service(store, site.tenant.id, code)?
        .ok_or_else(|| CatalogueError::NotInTown(code.to_owned()))?;
    store
        .definition(site.tenant.id, code, state.version)?
        .ok_or_else(|| {
            StoreError::Corrupt(format!(
                "service {code} v{} has no definition",
                state.version
            ))
            .into()
        })
}

/// Keeps a definition file as the town's draft of its service (checked
/// like a library file first); returns the service's code.
pub fn import(
    store: &dyn Store,
    site: &Site,
    file: &str,
    text: &str,
    actor: &str,
    at: Timestamp,
) -> Result<String, CatalogueError> {
    let service = crate::library::check(file, text)?;
    store.save_draft(site.tenant.id, &service.code, text, actor, at)?;
    Ok(service.code)
}

/// Publishes the town's draft of `code` as its next version, online (or in
/// test): requests already made keep the version they were made under.
/// Returns the new version.
pub fn publish(
    store: &dyn Store,
    site: &Site,
    code: &str,
    status: ServiceStatus,
    actor: &str,
    at: Timestamp,
) -> Result<u32, CatalogueError> {
    let tenant_id = site.tenant.id;
    let draft =
        draft(store, tenant_id, code)?.ok_or_else(|| CatalogueError::NoDraft(code.to_owned()))?;
    let version = store.last_version(tenant_id, code)? + 1;
    let text = crate::core::catalogue::with_version(&draft, version);
    crate::library::check(code, &text)?;
    if !store.publish_draft(tenant_id, code, &text, version, status, actor, at)? {
        return Err(CatalogueError::NoDraft(code.to_owned()));
    }
    Ok(version)
}

/// What the editor works on: the town's draft of `code`, else its current
/// version (the first edit makes it a draft). `true` when it is a draft.
pub fn editable(
    store: &dyn Store,
    site: &Site,
    code: &str,
) -> Result<(Service, bool), CatalogueError> {
    let (text, is_draft) = match draft(store, site.tenant.id, code)? {
        Some(text) => (text, true),
        None => (export(store, site, code)?, false),
    };
    // Checked like a file when it was kept: reading it is enough.
    let service = Service::from_xml(&text)
        .map_err(|e| StoreError::Corrupt(format!("the definition of {code} kept: {e}")))?;
    Ok((service, is_draft))
}

/// The town's draft of `code`, if it has one.
fn draft(store: &dyn Store, tenant_id: i64, code: &str) -> Result<Option<String>, StoreError> {
    Ok(store
        .drafts(tenant_id)?
        .into_iter()
        .find(|(c, _)| c == code)
        .map(|(_, text)| text))
}

/// Applies one change of the editor to the town's draft of `code` (made
/// from its current version on the first change), writes it and checks it
/// like a file — schema and loader — before keeping it: nothing is kept
/// when the result would be refused.
pub fn edit(
    store: &dyn Store,
    site: &Site,
    code: &str,
    change: Edit,
    actor: &str,
    at: Timestamp,
) -> Result<(), CatalogueError> {
    let (mut service, _) = editable(store, site, code)?;
    change.apply(&mut service).map_err(|p| refused(code, p.0))?;
    let text = crate::core::definition::write(&service);
    crate::library::check(code, &text)?;
    store.save_draft(site.tenant.id, code, &text, actor, at)?;
    Ok(())
}

/// What a new service of the town's own starts from.
#[derive(Debug, Clone)]
pub struct NewService {
    pub code: String,
    pub title: String,
    pub operation: String,
    pub theme: Theme,
    pub department: Department,
}

/// Starts a service of the town's own as a draft: one field and two steps
/// (received, then done), to be shaped in the editor and published. Refused
/// when the town or the library already has the code.
pub fn create(
    store: &dyn Store,
    library: &[Entry],
    site: &Site,
    new: NewService,
    actor: &str,
    at: Timestamp,
) -> Result<(), CatalogueError> {
    let taken = library.iter().any(|l| l.service.code == new.code)
        || town_service(store, site.tenant.id, &new.code)?.is_some()
        || draft(store, site.tenant.id, &new.code)?.is_some();
    if taken {
        return Err(refused(
            &new.code,
            format!(
                "the code {:?} is already taken (by the library or the town)",
                new.code
            ),
        ));
    }
    let service = crate::core::editor::skeleton(
        &new.code,
        &new.title,
        &new.operation,
        new.theme,
        new.department,
    );
    let text = crate::core::definition::write(&service);
    crate::library::check(&new.code, &text)?;
    store.save_draft(site.tenant.id, &new.code, &text, actor, at)?;
    Ok(())
}

fn refused(code: &str, message: String) -> CatalogueError {
    CatalogueError::Refused(crate::library::FileRefused {
        file: code.to_owned(),
        problems: vec![crate::library::Problem {
            line: None,
            message,
        }],
    })
}
