//! Towns on one install, as an operator runs them: a town added with its
//! first administrator and the library's departments (no service online
//! yet), disabled (every URL answers 404, its data kept) or enabled again.
//! Running servers serve the change within seconds (`app::watch_tenants`).

use crate::store::{Department, NewAgent, Store, StoreError};
use jiff::Timestamp;

/// Path segments Guichet itself answers at the root: no town may take them.
const RESERVED: [&str; 4] = ["health", "metrics", "assets", "static"];

/// Why a town was not added.
#[derive(Debug, thiserror::Error)]
pub enum TownError {
    #[error(
        "slug {0:?}: 2 to 40 lower-case letters, digits or dashes, starting with a letter (it becomes /SLUG/ in every address)"
    )]
    MalformedSlug(String),
    #[error("slug {0:?} is Guichet's own address; choose another")]
    ReservedSlug(String),
    #[error("a town named {0:?} already exists (see `guichet tenant list`)")]
    Taken(String),
    #[error("the town's name is empty")]
    NoName,
    #[error("login {0:?}: 2 to 40 lower-case letters, digits, dots or dashes")]
    MalformedLogin(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an operator gives to add a town.
pub struct NewTown {
    pub slug: String,
    pub name: String,
    /// Its first administrator (`admin` is set whatever is given).
    pub admin: NewAgent,
}

pub fn check_slug(slug: &str) -> Result<(), TownError> {
    let ok = (2..=40).contains(&slug.len())
        && slug.starts_with(|c: char| c.is_ascii_lowercase())
        && !slug.ends_with('-')
        && !slug.contains("--")
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !ok {
        return Err(TownError::MalformedSlug(slug.to_owned()));
    }
    if RESERVED.contains(&slug) {
        return Err(TownError::ReservedSlug(slug.to_owned()));
    }
    Ok(())
}

/// The departments of the service library: a new town starts with them.
pub fn library_departments(library: &[crate::library::Entry]) -> Vec<Department> {
    let mut out: Vec<Department> = Vec::new();
    for entry in library {
        let service = &entry.service;
        if !out.iter().any(|d| d.code == service.department.code) {
            out.push(Department {
                code: service.department.code.clone(),
                name: service.department.name.clone(),
                head: None,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Adds a town, its departments and its first administrator, checked
/// first, then written in one transaction; returns the tenant's id.
pub async fn add_town(
    store: &dyn Store,
    library: &[crate::library::Entry],
    town: NewTown,
    actor: &str,
    at: Timestamp,
) -> Result<i64, TownError> {
    check_slug(&town.slug)?;
    let name = town.name.trim();
    if name.is_empty() {
        return Err(TownError::NoName);
    }
    if !crate::auth::valid_login(&town.admin.login) {
        return Err(TownError::MalformedLogin(town.admin.login.clone()));
    }
    let admin = NewAgent {
        admin: true,
        ..town.admin
    };
    let tenant_id = store
        .create_town(
            &town.slug,
            name,
            &library_departments(library),
            &admin,
            actor,
            at,
        )?
        .ok_or_else(|| TownError::Taken(town.slug.clone()))?;
    tracing::info!(tenant = %town.slug, "town added");
    Ok(tenant_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_addresses() {
        for good in ["autreville", "saint-jean-de-luz", "ville2", "ab"] {
            assert!(check_slug(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "a",
            "Autreville",
            "2ville",
            "ville-",
            "ville--x",
            "ville x",
            "ville/x",
            "été",
        ] {
            assert!(
                matches!(check_slug(bad), Err(TownError::MalformedSlug(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            check_slug("health"),
            Err(TownError::ReservedSlug(_))
        ));
    }

    #[test]
    fn a_new_town_starts_with_the_librarys_departments() {
        let d = library_departments(&crate::library::load(None).unwrap());
        let codes: Vec<&str> = d.iter().map(|d| d.code.as_str()).collect();
        for code in ["etat-civil", "voirie", "population"] {
            assert!(codes.contains(&code), "{codes:?}");
        }
    }
}
