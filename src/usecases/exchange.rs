//! What business software does through the exchange API, as an account
//! with rights per department: its UsernameToken checked, the requests it
//! has not acknowledged listed, a request file fetched, requests
//! acknowledged, and changes made through the same engine, rights, history
//! and revision check as an agent's (`act`, `letters`). Reads of personal
//! data and acknowledgements are in the audit journal under the account's
//! name (`api:LOGIN`); changes are in the request's history too.
//!
//! Test requests are not the software's: they stay unknown to it.

use super::App;
use super::act::{self, ActError, Revision};
use crate::auth::api::{self as credentials, TokenProblem, UsernameToken};
use crate::core::catalogue::Service;
use crate::core::files::RawFile;
use crate::core::forms::FieldError;
use crate::core::tracking::Reference;
use crate::core::workflow::{self, Command};
use crate::exchange::api as described;
use crate::store::{
    ApiAccount, ListedRequest, NewRequestsQuery, StoreError, StoredEvent, StoredRequest, WorkItem,
};
use crate::tenant::Site;
use std::sync::Arc;

/// Why a call was not answered.
#[derive(Debug)]
pub enum ExchangeError {
    /// The token is missing, stale, replayed or wrong.
    Token(TokenProblem),
    /// Too many failed authentications from this address: wait so many
    /// seconds.
    Throttled(i64),
    /// Bad parameters, each named (code and French words).
    Invalid(Vec<FieldError>),
    /// No such request (or a test request).
    UnknownRequest(Reference),
    /// The request is outside the account's departments.
    NotAllowed(Reference),
    /// The request changed since the revision named; it is at `current`.
    Stale {
        current: i64,
    },
    /// The engine refused the change, and why.
    Refused(String),
    /// The document is refused (empty, too big, a kind not accepted).
    FileRefused(String),
    Unavailable(StoreError),
}

impl From<StoreError> for ExchangeError {
    fn from(e: StoreError) -> ExchangeError {
        ExchangeError::Unavailable(e)
    }
}

fn from_act(reference: Reference, e: ActError) -> ExchangeError {
    match e {
        ActError::NotFound => ExchangeError::UnknownRequest(reference),
        ActError::Forbidden => ExchangeError::NotAllowed(reference),
        ActError::Conflict(item) => ExchangeError::Stale {
            current: item.revision,
        },
        ActError::Refused(_, refusal) => ExchangeError::Refused(refusal.to_string()),
        ActError::Unavailable(e) => ExchangeError::Unavailable(e),
    }
}

/// The active account whose token this is. The token's time is judged
/// first, then its digest against the account's password, and only then is
/// its nonce recorded as used (a replay of a good token is refused, on
/// every node, after a restart too). Failures are throttled per tenant,
/// login and client address, as agents' logins are.
pub async fn authenticate(
    app: &App,
    site: &Site,
    token: Option<&UsernameToken>,
    peer: &str,
) -> Result<ApiAccount, ExchangeError> {
    let token = token.ok_or(ExchangeError::Token(TokenProblem::Missing))?;
    let now = app.now();
    credentials::precheck(token, now).map_err(ExchangeError::Token)?;
    let login = token.username.trim().to_lowercase();
    let key = format!("{}/api:{login}/{peer}", site.tenant.slug);
    let wait = super::throttle::wait(app, &key, now.as_second()).await?;
    if wait > 0 {
        return Err(ExchangeError::Throttled(wait));
    }
    let account = app
        .store
        .api_account(site.tenant.id, login.clone())
        .await?
        .filter(|a| a.active);
    let matches = account.as_ref().is_some_and(|a| {
        credentials::unseal(&app.secret, &site.tenant.slug, &a.login, &a.sealed_secret)
            .is_some_and(|password| credentials::check(token, &password))
    });
    let Some(account) = account.filter(|_| matches) else {
        super::throttle::failed(app, &key, now.as_second()).await?;
        tracing::warn!(tenant = %site.tenant.slug, %login, %peer, "failed exchange authentication");
        return Err(ExchangeError::Token(TokenProblem::Failed));
    };
    let nonce = token.nonce.as_deref().unwrap_or_default();
    let forget_before =
        jiff::Timestamp::from_second(now.as_second() - 2 * credentials::WINDOW_SECS).unwrap_or(now);
    let fresh = app
        .store
        .use_nonce(
            site.tenant.id,
            credentials::nonce_digest(&account.login, nonce),
            now,
            forget_before,
        )
        .await?;
    if !fresh {
        tracing::warn!(tenant = %site.tenant.slug, %login, %peer, "replayed exchange token");
        return Err(ExchangeError::Token(TokenProblem::Replayed));
    }
    super::throttle::succeeded(app, &key).await?;
    Ok(account)
}

/// What `ListNewRequests` asks.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub service: Option<String>,
    pub department: Option<String>,
    /// The cursor as the client sent it back.
    pub after: Option<String>,
    pub limit: Option<u32>,
}

/// A page of new requests, and whether more follow.
pub struct NewRequests {
    pub requests: Vec<ListedRequest>,
    pub more: bool,
}

/// The requests the account has not acknowledged, oldest first.
pub async fn list_new(
    app: &App,
    site: &Site,
    account: &ApiAccount,
    filter: ListFilter,
) -> Result<NewRequests, ExchangeError> {
    let mut errors = Vec::new();
    if let Some(code) = &filter.service
        && !site.tenant.services.iter().any(|s| &s.code == code)
    {
        errors.push(FieldError {
            path: "service".into(),
            code: "unknown-service".into(),
            message: format!("Aucun téléservice de code « {code} »."),
        });
    }
    if let Some(code) = &filter.department
        && site.department(code).is_none()
    {
        errors.push(FieldError {
            path: "department".into(),
            code: "unknown-department".into(),
            message: format!("Aucun service municipal de code « {code} »."),
        });
    }
    let after = match filter.after.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                errors.push(FieldError {
                    path: "after".into(),
                    code: "invalid-value".into(),
                    message: "« after » doit être le curseur rendu par la page précédente.".into(),
                });
                None
            }
        },
    };
    let limit = filter.limit.unwrap_or(described::DEFAULT_LIMIT);
    if !(1..=described::MAX_LIMIT).contains(&limit) {
        errors.push(FieldError {
            path: "limit".into(),
            code: "invalid-value".into(),
            message: format!("« limit » va de 1 à {}.", described::MAX_LIMIT),
        });
    }
    if !errors.is_empty() {
        return Err(ExchangeError::Invalid(errors));
    }
    let mut departments: Vec<String> = account
        .roles
        .iter()
        .filter(|(_, r)| r.sees_requests())
        .map(|(d, _)| d.clone())
        .collect();
    departments.sort();
    departments.dedup();
    let mut requests = app
        .store
        .new_requests(
            site.tenant.id,
            NewRequestsQuery {
                account_id: account.id,
                departments,
                service: filter.service,
                department: filter.department,
                after,
                limit: limit + 1,
            },
        )
        .await?;
    let more = requests.len() > limit as usize;
    requests.truncate(limit as usize);
    Ok(NewRequests { requests, more })
}

/// A request the account may read (never a test request).
async fn readable(
    app: &App,
    site: &Site,
    account: &ApiAccount,
    reference: Reference,
) -> Result<(WorkItem, Arc<Service>), ExchangeError> {
    // `act::readable` keeps test requests from business software.
    act::readable(app, site, &account.agent(), reference)
        .await
        .map_err(|e| from_act(reference, e))
}

/// A request with its file, as `GetRequestFile` gives it.
pub struct Fetched {
    pub item: WorkItem,
    pub service: Arc<Service>,
    /// The XML request file, valid against the service's schema.
    pub file: String,
    /// The step's actions the account may take: `(id, label, comment required)`.
    pub actions: Vec<(String, String, bool)>,
}

/// The request file of a request the account may read; the access is in
/// the audit journal.
pub async fn request_file(
    app: &App,
    site: &Site,
    account: &ApiAccount,
    reference: Reference,
) -> Result<Fetched, ExchangeError> {
    let (item, service) = readable(app, site, account, reference).await?;
    let stored = StoredRequest {
        record: item.record.clone(),
        rows: item.rows.clone(),
    };
    let file = file_of(app, site, Arc::clone(&service), stored).await?;
    let actions = if item.record.anonymised_at.is_some() {
        Vec::new()
    } else {
        workflow::available_actions(&service, &item.state, &account.agent())
            .into_iter()
            .map(|a| (a.id.clone(), a.label.clone(), a.comment_required))
            .collect()
    };
    app.store
        .record_audit(
            site.tenant.id,
            account.agent().actor(),
            format!("request:{reference}"),
            "request-file-read".into(),
            format!(
                "{} v{}",
                item.record.service_code, item.record.service_version
            ),
            app.now(),
        )
        .await?;
    Ok(Fetched {
        item,
        service,
        file,
        actions,
    })
}

/// A stored request's XML request file, its files read from the blob
/// store off the async threads: what `GetRequestFile` returns and a
/// step's call with `body="file"` posts.
pub async fn file_of(
    app: &App,
    site: &Site,
    service: Arc<Service>,
    stored: StoredRequest,
) -> Result<String, StoreError> {
    let blobs = Arc::clone(&app.blobs);
    let tenant = site.tenant.clone();
    tokio::task::spawn_blocking(move || {
        crate::exchange::request_file(&tenant, &service, &stored, &|d| blobs.get(d).ok().flatten())
    })
    .await
    .map_err(|e| StoreError::Invalid(e.to_string()))
}

/// Marks the requests as taken by the account's software. Every reference
/// is checked first; one unknown or outside its rights and none is marked.
pub async fn acknowledge(
    app: &App,
    site: &Site,
    account: &ApiAccount,
    references: Vec<Reference>,
) -> Result<u32, ExchangeError> {
    if references.len() > described::MAX_ACKNOWLEDGED {
        return Err(ExchangeError::Invalid(vec![FieldError {
            path: "reference".into(),
            code: "too-many".into(),
            message: format!(
                "Au plus {} références par appel ({} reçues).",
                described::MAX_ACKNOWLEDGED,
                references.len()
            ),
        }]));
    }
    let mut errors = Vec::new();
    for (n, &reference) in references.iter().enumerate() {
        let path = format!("reference/{}", n + 1);
        match readable(app, site, account, reference).await {
            Ok(_) => {}
            Err(ExchangeError::UnknownRequest(_)) => errors.push(FieldError {
                path,
                code: "unknown-request".into(),
                message: format!("Aucune demande {reference}."),
            }),
            Err(ExchangeError::NotAllowed(_)) => errors.push(FieldError {
                path,
                code: "not-allowed".into(),
                message: format!(
                    "La demande {reference} est hors des services où ce compte a des droits."
                ),
            }),
            Err(e) => return Err(e),
        }
    }
    if !errors.is_empty() {
        return Err(ExchangeError::Invalid(errors));
    }
    Ok(app
        .store
        .acknowledge(
            site.tenant.id,
            account.id,
            references,
            account.agent().actor(),
            app.now(),
        )
        .await?)
}

/// A request after a change: its step and revision.
pub struct Changed {
    pub reference: Reference,
    pub step: String,
    pub finished: bool,
    pub revision: i64,
}

async fn apply(
    app: &App,
    site: &Site,
    account: &ApiAccount,
    reference: Reference,
    revision: Option<i64>,
    commands: Vec<Command>,
) -> Result<Changed, ExchangeError> {
    let revision = revision.map_or(Revision::Latest, |r| Revision::Seen(Some(r)));
    act::act_all(app, site, &account.agent(), reference, revision, commands)
        .await
        .map(changed)
        .map_err(|e| from_act(reference, e))
}

fn changed(acted: act::Acted) -> Changed {
    Changed {
        reference: acted.reference,
        step: acted.step,
        finished: acted.finished,
        revision: acted.revision,
    }
}

/// Takes one of the step's actions as the account, with its message to
/// the requester in the same change when given.
#[allow(clippy::too_many_arguments)]
pub async fn update_status(
    app: &App,
    site: &Site,
    account: &ApiAccount,
    reference: Reference,
    action: String,
    comment: Option<String>,
    message: Option<String>,
    revision: Option<i64>,
) -> Result<Changed, ExchangeError> {
    let mut commands = vec![Command::Act { action, comment }];
    if let Some(text) = message {
        commands.push(Command::Answer { text });
    }
    apply(app, site, account, reference, revision, commands).await
}

/// An internal note.
pub async fn add_note(
    app: &App,
    site: &Site,
    account: &ApiAccount,
    reference: Reference,
    text: String,
    revision: Option<i64>,
) -> Result<Changed, ExchangeError> {
    apply(
        app,
        site,
        account,
        reference,
        revision,
        vec![Command::Note { text }],
    )
    .await
}

/// A document of the software's kept with the request (and sent to the
/// requester when `send`), as an agent adds one.
#[allow(clippy::too_many_arguments)]
pub async fn add_document(
    app: &App,
    site: &Site,
    account: &ApiAccount,
    reference: Reference,
    raw: RawFile,
    send: bool,
    comment: Option<String>,
    revision: Option<i64>,
) -> Result<Changed, ExchangeError> {
    let shown = crate::core::files::base_name(&raw.file_name).to_owned();
    let revision = revision.map_or(Revision::Latest, |r| Revision::Seen(Some(r)));
    match super::letters::add_file(
        app,
        site,
        &account.agent(),
        reference,
        revision,
        raw,
        comment,
        send,
    )
    .await
    {
        Ok(acted) => Ok(changed(acted)),
        Err(super::letters::AddError::File(problem)) => Err(ExchangeError::FileRefused(
            problem.words(&super::letters::agent_file_rule(), &shown),
        )),
        Err(super::letters::AddError::Act(e)) => Err(from_act(reference, e)),
    }
}

/// The request's whole history; the reading is in the audit journal.
pub async fn history(
    app: &App,
    site: &Site,
    account: &ApiAccount,
    reference: Reference,
) -> Result<(Vec<StoredEvent>, i64), ExchangeError> {
    let (item, _) = readable(app, site, account, reference).await?;
    app.store
        .record_audit(
            site.tenant.id,
            account.agent().actor(),
            format!("request:{reference}"),
            "request-history-read".into(),
            String::new(),
            app.now(),
        )
        .await?;
    Ok((item.events, item.revision))
}
