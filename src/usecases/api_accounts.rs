//! Accounts of business software on the exchange API, created and changed
//! by an administrator (the admin page or `guichet api-account`): a login,
//! a name shown in histories, rights per department like an agent's, and
//! a password kept sealed (`auth::api`) since WS-Security digests need it.

use super::App;
use crate::auth::api as credentials;
use crate::core::workflow::Role;
use crate::store::{ApiAccountChange, NewApiAccount, StoreError};
use crate::tenant::Site;

/// Why an account was not created or changed, in French where a person
/// reads it.
#[derive(Debug)]
pub enum AccountError {
    /// A value is refused: the field (`login`, `name`, `role`,
    /// `password`) and, in words, why.
    Invalid(&'static str, String),
    /// The login is taken.
    Taken,
    NotFound,
    Unavailable(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> AccountError {
        AccountError::Unavailable(e)
    }
}

/// Rights written `DEPARTMENT:ROLE`, each department one of the town's.
pub fn parse_grants(site: &Site, texts: &[String]) -> Result<Vec<(String, Role)>, String> {
    let mut grants = Vec::new();
    for r in texts.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        let (department, role) = r
            .split_once(':')
            .ok_or_else(|| format!("droit « {r} » : écrivez SERVICE:RÔLE"))?;
        if site.department(department).is_none() {
            return Err(format!(
                "droit « {r} » : pas de service « {department} » (connus : {})",
                site.department_codes().join(", ")
            ));
        }
        // Statistics are the back office's, not the exchange API's.
        let role = Role::from_name(role)
            .filter(|r| r.sees_requests())
            .ok_or_else(|| format!("droit « {r} » : le rôle est reader, handler ou validator"))?;
        grants.push((department.to_owned(), role));
    }
    Ok(grants)
}

fn check(login: &str, name: &str, roles: &[(String, Role)]) -> Result<(), AccountError> {
    if !crate::auth::valid_login(login) {
        return Err(AccountError::Invalid(
            "login",
            "l'identifiant a de 2 à 40 lettres minuscules, chiffres, points ou tirets".into(),
        ));
    }
    if name.trim().is_empty() || name.chars().count() > 120 {
        return Err(AccountError::Invalid(
            "name",
            "le nom (de 1 à 120 caractères) dit quel logiciel appelle".into(),
        ));
    }
    if roles.is_empty() {
        return Err(AccountError::Invalid(
            "role",
            "un compte d'échange a au moins un droit dans un service".into(),
        ));
    }
    Ok(())
}

fn seal(app: &App, site: &Site, login: &str, password: &str) -> Result<String, AccountError> {
    if let Some(problem) = credentials::secret_problem(password) {
        return Err(AccountError::Invalid("password", problem));
    }
    credentials::seal(&app.secret, &site.tenant.slug, login, password)
        .map_err(|e| AccountError::Unavailable(StoreError::Invalid(e.to_string())))
}

/// Creates an account, in the journal as done by `actor`.
pub async fn add(
    app: &App,
    site: &Site,
    login: &str,
    name: &str,
    roles: Vec<(String, Role)>,
    password: &str,
    actor: String,
) -> Result<(), AccountError> {
    let login = login.trim().to_lowercase();
    check(&login, name, &roles)?;
    let sealed_secret = seal(app, site, &login, password)?;
    let created = app
        .store
        .add_api_account(
            site.tenant.id,
            NewApiAccount {
                login: login.clone(),
                name: name.trim().to_owned(),
                roles,
                sealed_secret,
            },
            actor,
            app.now(),
        )
        .await?;
    if !created {
        return Err(AccountError::Taken);
    }
    tracing::info!(tenant = %site.tenant.slug, %login, "exchange account created");
    Ok(())
}

/// Changes an account whole; `password` replaces the current one.
#[allow(clippy::too_many_arguments)]
pub async fn change(
    app: &App,
    site: &Site,
    login: &str,
    name: &str,
    active: bool,
    roles: Vec<(String, Role)>,
    password: Option<&str>,
    actor: String,
) -> Result<(), AccountError> {
    check(login, name, &roles)?;
    let sealed_secret = password.map(|p| seal(app, site, login, p)).transpose()?;
    let found = app
        .store
        .change_api_account(
            site.tenant.id,
            ApiAccountChange {
                login: login.to_owned(),
                name: name.trim().to_owned(),
                active,
                roles,
                sealed_secret,
            },
            actor,
            app.now(),
        )
        .await?;
    if found {
        Ok(())
    } else {
        Err(AccountError::NotFound)
    }
}
