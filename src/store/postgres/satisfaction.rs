//! SQL of the satisfaction questionnaire's answers.

use super::PostgresStore;
use crate::core::satisfaction::{Answer, Marks};
use crate::core::tracking::Reference;
use crate::store::satisfaction::stored_entered_at;
use crate::store::*;

impl SatisfactionStore for PostgresStore {
    fn survey(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<Survey>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                let row = tx
                    .query_opt(
                        "SELECT r.service_code, r.service_version, r.finished, r.entered_at, r.lang,
                                EXISTS (SELECT 1 FROM satisfaction_answers a WHERE a.request_id = r.id)
                         FROM requests r
                         WHERE r.tenant_id = $1 AND r.year = $2 AND r.number = $3 AND r.test = 0",
                        &[
                            &tenant_id,
                            &i64::from(reference.year),
                            &i64::from(reference.number),
                        ],
                    )
                    .await?;
                row.map(|r| {
                    let version: i64 = r.get(1);
                    let finished: i64 = r.get(2);
                    Ok(Survey {
                        service_code: r.get(0),
                        service_version: u32::try_from(version).unwrap_or(0),
                        finished: finished != 0,
                        entered_at: stored_entered_at(r.get(3))?,
                        lang: r.get(4),
                        answered: r.get(5),
                    })
                })
                .transpose()
            })
        })
    }

    fn answer_survey(
        &self,
        tenant_id: i64,
        reference: Reference,
        answer: Answer,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |tx| {
            let answer = answer.clone();
            Box::pin(async move {
                Ok(tx
                    .execute(
                        "INSERT INTO satisfaction_answers
                           (tenant_id, request_id, service_code, department, overall, delay, clarity, comment, answered_at)
                         SELECT tenant_id, id, service_code, department, $4, $5, $6, $7, $8 FROM requests
                         WHERE tenant_id = $1 AND year = $2 AND number = $3 AND test = 0 AND finished = 1
                         ON CONFLICT (request_id) DO NOTHING",
                        &[
                            &tenant_id,
                            &i64::from(reference.year),
                            &i64::from(reference.number),
                            &i64::from(answer.overall),
                            &i64::from(answer.delay),
                            &i64::from(answer.clarity),
                            &answer.comment,
                            &at.as_second(),
                        ],
                    )
                    .await?
                    > 0)
            })
        })
    }

    fn survey_rows(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        from: i64,
        to: i64,
    ) -> BoxFuture<'_, Result<Vec<SurveyRow>, StoreError>> {
        self.read(move |tx| {
            Box::pin(async move {
                if departments.as_ref().is_some_and(Vec::is_empty) {
                    return Ok(Vec::new());
                }
                let rows = tx
                    .query(
                        "SELECT service_code, department, overall, delay, clarity, comment, answered_at
                         FROM satisfaction_answers
                         WHERE tenant_id = $1 AND answered_at >= $2 AND answered_at < $3
                           AND ($4::TEXT[] IS NULL OR department = ANY($4))
                         ORDER BY answered_at, id",
                        &[&tenant_id, &from, &to, &departments],
                    )
                    .await?;
                let mark = |v: i64| u8::try_from(v).unwrap_or(0);
                Ok(rows
                    .iter()
                    .map(|r| SurveyRow {
                        marks: Marks {
                            service: r.get(0),
                            department: r.get(1),
                            overall: mark(r.get(2)),
                            delay: mark(r.get(3)),
                            clarity: mark(r.get(4)),
                        },
                        comment: r.get(5),
                        answered_at: r.get(6),
                    })
                    .collect())
            })
        })
    }
}
