//! The satisfaction questionnaire of a closed request: its link, sealed
//! with the server's secret (so it needs no account and no stored token),
//! whether it is open, and its answer recorded once.

use super::App;
use crate::core::satisfaction::Answer;
use crate::core::tracking::Reference;
use crate::store::{StoreError, Survey};
use crate::tenant::Site;

/// Where a questionnaire stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Questionnaire {
    /// It may be answered.
    Open(Survey),
    /// Answered already.
    Answered(Survey),
    /// Answered just now.
    Recorded(Survey),
    /// The request is not closed, the town does not ask for its service,
    /// or the days to answer are over.
    Closed(Survey),
    /// No such request, or a seal that is not the link's.
    Unknown,
}

fn purpose(site: &Site, reference: Reference) -> String {
    format!("{}/satisfaction/{reference}", site.tenant.slug)
}

/// The questionnaire's path after the town's base (`/satisfaction/…`).
pub fn path(app: &App, site: &Site, reference: Reference) -> String {
    format!(
        "/satisfaction/{reference}/{}",
        app.secret.seal(&purpose(site, reference))
    )
}

/// Whether the town asks requests of `service` once closed.
pub fn asks(site: &Site, service: &str) -> bool {
    site.look
        .get()
        .settings
        .satisfaction
        .as_ref()
        .is_some_and(|s| s.asks(service))
}

/// The questionnaire a link opens.
pub async fn open(
    app: &App,
    site: &Site,
    reference: Reference,
    seal: &str,
) -> Result<Questionnaire, StoreError> {
    if !app.secret.opens(&purpose(site, reference), seal) {
        return Ok(Questionnaire::Unknown);
    }
    let Some(survey) = app.store.survey(site.tenant.id, reference).await? else {
        return Ok(Questionnaire::Unknown);
    };
    if survey.answered {
        return Ok(Questionnaire::Answered(survey));
    }
    let days = site
        .look
        .get()
        .settings
        .satisfaction
        .as_ref()
        .map_or(0, |s| i64::from(s.days));
    let now = (app.clock)().as_second();
    let in_time = now - survey.entered_at <= days * 86_400;
    if survey.finished && asks(site, &survey.service_code) && in_time {
        Ok(Questionnaire::Open(survey))
    } else {
        Ok(Questionnaire::Closed(survey))
    }
}

/// Records an answer through a link; where the questionnaire stood
/// (`Recorded` when this answer is the one kept; `Answered` when another
/// got there first).
pub async fn answer(
    app: &App,
    site: &Site,
    reference: Reference,
    seal: &str,
    answer: Answer,
) -> Result<Questionnaire, StoreError> {
    match open(app, site, reference, seal).await? {
        Questionnaire::Open(mut survey) => {
            let recorded = app
                .store
                .answer_survey(site.tenant.id, reference, answer, app.now())
                .await?;
            survey.answered = true;
            Ok(if recorded {
                Questionnaire::Recorded(survey)
            } else {
                Questionnaire::Answered(survey)
            })
        }
        other => Ok(other),
    }
}
