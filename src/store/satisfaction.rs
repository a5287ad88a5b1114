//! The answers to the satisfaction questionnaire of closed requests.

use super::{BoxFuture, StoreError};
use crate::core::satisfaction::{Answer, Marks};
use crate::core::tracking::Reference;

/// What the questionnaire's page needs of its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub service_code: String,
    pub service_version: u32,
    /// The request reached a final step.
    pub finished: bool,
    /// When it entered its current step (Unix seconds): for a finished
    /// request, when it closed.
    pub entered_at: i64,
    /// The language the requester used.
    pub lang: String,
    pub answered: bool,
}

/// An answer as the statistics read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    pub marks: Marks,
    pub comment: Option<String>,
    /// Unix seconds.
    pub answered_at: i64,
}

pub trait SatisfactionStore: Send + Sync {
    /// The questionnaire of a real request of the tenant (a test request
    /// has none).
    fn survey(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<Survey>, StoreError>>;

    /// Records the answer to a finished request's questionnaire, unless it
    /// was answered already or the request is not finished; whether it was
    /// recorded.
    fn answer_survey(
        &self,
        tenant_id: i64,
        reference: Reference,
        answer: Answer,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>>;

    /// The answers given from `from` to before `to` (Unix seconds), of
    /// requests of `departments` only when given, oldest first.
    fn survey_rows(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        from: i64,
        to: i64,
    ) -> BoxFuture<'_, Result<Vec<SurveyRow>, StoreError>>;
}

/// Reads the time a request entered its step, as stored (RFC 3339 text).
pub(super) fn stored_entered_at(text: &str) -> Result<i64, StoreError> {
    text.parse::<jiff::Timestamp>()
        .map(|t| t.as_second())
        .map_err(|e| StoreError::Corrupt(format!("entered_at {text:?}: {e}")))
}
