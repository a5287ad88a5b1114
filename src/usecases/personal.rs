//! A person's data for an administrator (GDPR access, art. 15, asked at the
//! town hall or by post): the accounts and requests found by an e-mail
//! address or a name, and their export, written in the audit journal with
//! what it held (account numbers and references, never the query itself,
//! which is personal data too).

use super::App;
use super::account::{Held, held, normalize_email};
use crate::core::status::RequestRecord;
use crate::store::{Citizen, PersonFound, PersonQuery, StoreError};
use crate::tenant::Site;

/// What an administrator typed, as a query; `None` when it is too short to
/// look for anybody.
pub fn query(typed: &str) -> Option<PersonQuery> {
    let typed = typed.trim();
    if typed.contains('@') {
        return normalize_email(typed).map(PersonQuery::Email);
    }
    let words: Vec<&str> = typed.split_whitespace().collect();
    (words.iter().map(|w| w.chars().count()).sum::<usize>() >= 2)
        .then(|| PersonQuery::Name(words.join(" ")))
}

/// Everything held on a person: each account with what it holds, and the
/// requests found that no account found holds.
pub struct Person {
    pub accounts: Vec<(Citizen, Held)>,
    pub requests: Vec<(RequestRecord, Vec<(String, String)>)>,
    /// Its subscriptions to the town's lists, by the address asked for and
    /// its accounts' addresses.
    pub subscriptions: Vec<crate::store::Subscriber>,
}

pub async fn find(app: &App, site: &Site, query: PersonQuery) -> Result<PersonFound, StoreError> {
    app.store.find_person(site.tenant.id, query).await
}

/// Gathers the person's data and records the export in the audit journal.
pub async fn export(
    app: &App,
    site: &Site,
    agent_login: &str,
    query: PersonQuery,
) -> Result<Person, StoreError> {
    let tenant = site.tenant.id;
    let mut addresses: Vec<String> = match &query {
        PersonQuery::Email(address) => vec![address.clone()],
        PersonQuery::Name(_) => Vec::new(),
    };
    let found = app.store.find_person(tenant, query).await?;
    let mut accounts = Vec::new();
    for citizen in found.accounts {
        let h = held(app, site, &citizen)
            .await
            .map_err(|e| StoreError::Invalid(format!("{e:?}")))?;
        accounts.push((citizen, h));
    }
    let mut requests = Vec::new();
    for reference in found.requests.iter().map(|r| &r.reference) {
        let in_account = accounts
            .iter()
            .any(|(_, h)| h.requests.iter().any(|(r, _)| r.reference == *reference));
        if in_account {
            continue;
        }
        if let Some(item) = app.store.work_item(tenant, *reference).await? {
            requests.push((item.record, item.rows));
        }
    }
    addresses.extend(accounts.iter().map(|(c, _)| c.email.clone()));
    addresses.sort();
    addresses.dedup();
    let mut subscriptions = Vec::new();
    for address in addresses {
        subscriptions.extend(app.store.subscriptions_of(tenant, address).await?);
    }
    let ids: Vec<String> = accounts
        .iter()
        .map(|(c, _)| format!("citizen:{}", c.id))
        .collect();
    let references: Vec<String> = accounts
        .iter()
        .flat_map(|(_, h)| h.requests.iter().map(|(r, _)| r.reference))
        .chain(requests.iter().map(|(r, _)| r.reference))
        .map(|r| r.to_string())
        .collect();
    app.store
        .record_audit(
            tenant,
            format!("agent:{agent_login}"),
            "person".into(),
            "person-exported".into(),
            format!(
                "{} accounts [{}], {} requests [{}], {} subscriptions",
                ids.len(),
                ids.join(", "),
                references.len(),
                references.join(", "),
                subscriptions.len()
            ),
            app.now(),
        )
        .await?;
    Ok(Person {
        accounts,
        requests,
        subscriptions,
    })
}
