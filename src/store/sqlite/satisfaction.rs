//! SQL of the satisfaction questionnaire's answers.

use super::SqliteStore;
use crate::core::satisfaction::{Answer, Marks};
use crate::core::tracking::Reference;
use crate::store::satisfaction::stored_entered_at;
use crate::store::*;
use rusqlite::{OptionalExtension, params, params_from_iter, types::Value};

impl SatisfactionStore for SqliteStore {
    fn survey(
        &self,
        tenant_id: i64,
        reference: Reference,
    ) -> BoxFuture<'_, Result<Option<Survey>, StoreError>> {
        self.read(move |conn| {
            let row = conn
                .prepare_cached(
                    "SELECT r.service_code, r.service_version, r.finished, r.entered_at, r.lang,
                            EXISTS (SELECT 1 FROM satisfaction_answers a WHERE a.request_id = r.id)
                     FROM requests r
                     WHERE r.tenant_id = ?1 AND r.year = ?2 AND r.number = ?3 AND r.test = 0",
                )?
                .query_row(params![tenant_id, reference.year, reference.number], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, u32>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, bool>(5)?,
                    ))
                })
                .optional()?;
            row.map(
                |(service_code, service_version, finished, entered, lang, answered)| {
                    Ok(Survey {
                        service_code,
                        service_version,
                        finished,
                        entered_at: stored_entered_at(&entered)?,
                        lang,
                        answered,
                    })
                },
            )
            .transpose()
        })
    }

    fn answer_survey(
        &self,
        tenant_id: i64,
        reference: Reference,
        answer: Answer,
        at: jiff::Timestamp,
    ) -> BoxFuture<'_, Result<bool, StoreError>> {
        self.write(move |conn| {
            Ok(conn
                .prepare_cached(
                    "INSERT INTO satisfaction_answers
                       (tenant_id, request_id, service_code, department, overall, delay, clarity, comment, answered_at)
                     SELECT tenant_id, id, service_code, department, ?4, ?5, ?6, ?7, ?8 FROM requests
                     WHERE tenant_id = ?1 AND year = ?2 AND number = ?3 AND test = 0 AND finished = 1
                     ON CONFLICT (request_id) DO NOTHING",
                )?
                .execute(params![
                    tenant_id,
                    reference.year,
                    reference.number,
                    answer.overall,
                    answer.delay,
                    answer.clarity,
                    answer.comment,
                    at.as_second()
                ])?
                > 0)
        })
    }

    fn survey_rows(
        &self,
        tenant_id: i64,
        departments: Option<Vec<String>>,
        from: i64,
        to: i64,
    ) -> BoxFuture<'_, Result<Vec<SurveyRow>, StoreError>> {
        self.read(move |conn| {
            let mut args: Vec<Value> = vec![tenant_id.into(), from.into(), to.into()];
            let mut sql =
                "SELECT service_code, department, overall, delay, clarity, comment, answered_at
                 FROM satisfaction_answers
                 WHERE tenant_id = ?1 AND answered_at >= ?2 AND answered_at < ?3"
                    .to_owned();
            if let Some(departments) = &departments {
                if departments.is_empty() {
                    return Ok(Vec::new());
                }
                let marks: Vec<String> = departments
                    .iter()
                    .map(|d| {
                        args.push(d.clone().into());
                        format!("?{}", args.len())
                    })
                    .collect();
                sql.push_str(&format!(" AND department IN ({})", marks.join(", ")));
            }
            sql.push_str(" ORDER BY answered_at, id");
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
                Ok(SurveyRow {
                    marks: Marks {
                        service: r.get(0)?,
                        department: r.get(1)?,
                        overall: r.get(2)?,
                        delay: r.get(3)?,
                        clarity: r.get(4)?,
                    },
                    comment: r.get(5)?,
                    answered_at: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}
