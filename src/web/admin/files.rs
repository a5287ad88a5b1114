//! The tenant's own files written from the admin pages (`templates.toml`,
//! `settings.toml`): one way to rewrite them, to say why one was left as it
//! was, and to record the change in the audit journal once it is written.

use crate::tenant::Site;
use crate::usecases::App;
use crate::web::session::Session;
use crate::web::view::Frame;
use hyper::StatusCode;

/// Why a tenant's file was left as it was.
pub(super) enum Refused {
    /// It does not parse as it is: the webmaster's typo, which only they
    /// can mend (overwriting it would lose their work).
    Broken(String),
    /// With the new values it would not load (another of its settings is
    /// wrong).
    Invalid(String),
    Io(std::io::Error),
}

impl From<std::io::Error> for Refused {
    fn from(e: std::io::Error) -> Self {
        Refused::Io(e)
    }
}

impl Refused {
    /// A parser's error, its first line (the rest quotes the file).
    pub(super) fn broken(error: impl std::fmt::Display) -> Refused {
        Refused::Broken(first_line(&error.to_string()))
    }

    pub(super) fn invalid(error: impl std::fmt::Display) -> Refused {
        Refused::Invalid(first_line(&error.to_string()))
    }

    pub(super) fn status(&self) -> StatusCode {
        match self {
            Refused::Broken(_) | Refused::Invalid(_) => StatusCode::CONFLICT,
            Refused::Io(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The notice for the administrator; `page` names the page's messages
    /// (`bo.template`, `bo.settings`: `PAGE.error.broken-file`, …).
    pub(super) fn message(&self, frame: &Frame, page: &str) -> String {
        match self {
            Refused::Broken(e) => {
                frame.format(&format!("{page}.error.broken-file"), &[("error", e)])
            }
            Refused::Invalid(e) => {
                frame.format(&format!("{page}.error.invalid-file"), &[("error", e)])
            }
            Refused::Io(_) => frame.message("bo.template.error.io"),
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").to_owned()
}

/// Rewrites `file` of the tenant folder with `edit` (see
/// [`crate::tenant::look::TenantLook::rewrite`]), then keeps it in the store
/// for the other nodes; a file that could not be written or shared is said
/// in the log.
pub(super) async fn rewrite(
    app: &App,
    site: &Site,
    file: &str,
    edit: impl FnOnce(&str) -> Result<String, Refused>,
) -> Result<(), Refused> {
    site.look.rewrite(file, edit).inspect_err(|e| {
        if let Refused::Io(e) = e {
            tracing::error!(tenant = %site.tenant.slug, file, error = %e, "could not be written");
        }
    })?;
    crate::usecases::tenant_files::share(app, site, file)
        .await
        .map_err(|e| {
            // Written on this node only: the next save carries it to the others.
            tracing::error!(tenant = %site.tenant.slug, file, error = %e, "written here but not kept in the store for the other nodes");
            Refused::Io(std::io::Error::other(e.to_string()))
        })
}

/// Records a change already written to a file. The file cannot be taken
/// back: a journal that cannot be written now is said in the log, and the
/// page goes on.
pub(super) async fn audit(
    app: &App,
    site: &Site,
    session: &Session,
    subject: String,
    action: &str,
    detail: String,
) {
    if let Err(e) = app
        .store
        .record_audit(
            site.tenant.id,
            format!("agent:{}", session.record.agent.login),
            subject.clone(),
            action.to_owned(),
            detail,
            (app.clock)(),
        )
        .await
    {
        tracing::error!(tenant = %site.tenant.slug, %subject, action, error = %e, "change not written to the audit journal");
    }
}
