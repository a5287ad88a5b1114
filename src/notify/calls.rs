//! Calls from a workflow step to the town's software (`<call target>` in a
//! step's `onEnter`): queued in the `calls` table in the transaction of the
//! event, sent here as a signed POST to the URL of `[calls.TARGET]` in the
//! town's `settings.toml`, retried with backoff, and their answer recorded
//! in the request's history — where a waiting step branches on it
//! (`workflow::call_answered`).
//!
//! The signature, as GitHub's and Stripe's webhooks do it:
//! `Guichet-Signature: t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret, "t.BODY"))`.
//! A receiver recomputes it over the raw body and refuses a `t` too old.
//! `Guichet-Call` is the call's id (the same on every retry: a receiver
//! that saw it already answers again without doing it twice).
//!
//! The answer is the response: any 2xx is received; its JSON body may say
//! `{"answer": "CODE", "comment": "…"}`. Anything else is retried.

use super::MAX_ATTEMPTS;
use crate::core::workflow::{self, CallBody};
use crate::store::{CallResult, DueCall, StoreError};
use crate::tenant::Site;
use crate::tenant::look::CallSettings;
use crate::usecases::App;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Calls sent per run.
const CALLS_PER_RUN: u32 = 32;
/// How long a receiver may take to answer.
const TIMEOUT_SECS: u64 = 15;

pub const SIGNATURE_HEADER: &str = "Guichet-Signature";
pub const CALL_HEADER: &str = "Guichet-Call";

/// `t=…,v1=…` for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex = crate::core::tracking::hex(&mac.finalize().into_bytes());
    format!("t={timestamp},v1={hex}")
}

/// What a receiver answered: its status and, from a JSON body, the answer
/// code and comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub answer: Option<String>,
    pub comment: Option<String>,
}

impl Answer {
    fn read(status: u16, body: &str) -> Answer {
        let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
        let field = |name: &str| {
            json.as_ref()
                .and_then(|j| j.get(name))
                .and_then(|v| v.as_str())
                .map(|s| s.trim().chars().take(500).collect::<String>())
                .filter(|s| !s.is_empty())
        };
        Answer {
            status,
            // An answer is a code, as a definition's `on answer` is.
            answer: field("answer").filter(|a| {
                a.len() <= 64
                    && a.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            }),
            comment: field("comment"),
        }
    }

    /// What the history keeps of it.
    fn words(&self, target: &str) -> String {
        let mut w = format!("{target} : HTTP {}", self.status);
        if let Some(a) = &self.answer {
            w.push_str(&format!(", réponse « {a} »"));
        }
        if let Some(c) = &self.comment {
            w.push_str(&format!(" — {c}"));
        }
        w
    }
}

/// Sends the calls due, once. Returns how many were answered.
pub async fn run_calls(app: &App) -> Result<usize, StoreError> {
    let now = app.now();
    let mut answered = 0;
    // Posted several at once (each in the blocking pool): one slow
    // receiver does not hold the others; their answers are recorded one by one.
    let mut sending = tokio::task::JoinSet::new();
    let due = app.store.due_calls(now.as_second(), CALLS_PER_RUN).await?;
    // Taken by this node: each call is made by the one node that claimed it.
    let claimed = app
        .store
        .claim_calls(
            due.iter().map(|c| c.id).collect(),
            now.as_second(),
            super::claim_until(app, now),
        )
        .await?;
    for call in due.into_iter().filter(|c| claimed.contains(&c.id)) {
        let Some(site) = app.site_by_id(call.tenant_id) else {
            continue;
        };
        let settings = site.look.get().settings.calls.get(&call.target).cloned();
        let prepared = match settings {
            None => Err(format!(
                "pas de [calls.{}] dans settings.toml de la collectivité",
                call.target
            )),
            Some(settings) => match body(app, &site, &call).await? {
                None => continue,
                Some(body) => Ok((settings, body)),
            },
        };
        let timestamp = now.as_second();
        sending.spawn_blocking(move || {
            let result = prepared.and_then(|(settings, (body, content_type))| {
                post(&settings, call.id, timestamp, &body, content_type)
            });
            (call, site, result)
        });
    }
    while let Some(done) = sending.join_next().await {
        let Ok((call, site, result)) = done else {
            // A panic while sending: the call stays due and is tried again.
            tracing::error!("a calling task failed");
            continue;
        };
        match result {
            Ok(answer) => {
                let words = answer.words(&call.target);
                let target = call.target.clone();
                let code = answer.answer.clone();
                crate::usecases::act::as_system(app, &site, call.reference, |service, item| {
                    workflow::call_answered(
                        service,
                        &item.state,
                        &target,
                        code.as_deref(),
                        words.clone(),
                        app.now(),
                    )
                })
                .await?;
                app.store
                    .call_result(
                        call.id,
                        CallResult::Answered {
                            status: answer.status,
                        },
                        app.now(),
                    )
                    .await?;
                tracing::info!(tenant = %site.tenant.slug, call = call.id, target = %call.target, status = answer.status, "call answered");
                answered += 1;
            }
            Err(error) => {
                let attempts = call.attempts + 1;
                tracing::warn!(tenant = %site.tenant.slug, call = call.id, target = %call.target, attempts, %error, "call failed");
                let next_attempt_at = (attempts < MAX_ATTEMPTS)
                    .then(|| now.as_second() + (30i64 << (attempts - 1).min(7)).min(3600));
                if next_attempt_at.is_none() {
                    let (target, words) = (call.target.clone(), error.clone());
                    crate::usecases::act::as_system(app, &site, call.reference, |_, item| {
                        workflow::call_failed(&item.state, &target, words.clone())
                    })
                    .await?;
                }
                app.store
                    .call_result(
                        call.id,
                        CallResult::Failed {
                            error,
                            next_attempt_at,
                        },
                        app.now(),
                    )
                    .await?;
            }
        }
    }
    Ok(answered)
}

/// The body a call posts and its type; `None` when the request is gone.
async fn body(
    app: &App,
    site: &Site,
    call: &DueCall,
) -> Result<Option<(Vec<u8>, &'static str)>, StoreError> {
    let Some(stored) = app
        .store
        .request_by_reference(site.tenant.id, call.reference)
        .await?
    else {
        return Ok(None);
    };
    let r = &stored.record;
    Ok(Some(match call.body {
        CallBody::Json => {
            let json = serde_json::json!({
                "event": "step-entered",
                "call": call.id,
                "tenant": site.tenant.slug,
                "target": call.target,
                "reference": r.reference.to_string(),
                "service": r.service_code,
                "serviceVersion": r.service_version,
                "step": call.step,
                "submittedAt": crate::tenant::dates::xs_date_time(r.submitted_at, &site.tenant.time_zone),
                "dueDate": r.due_date.to_string(),
                "requestFile": format!("{}/{}/exchange", app.message_url.trim_end_matches('/'), site.tenant.slug),
            });
            (json.to_string().into_bytes(), "application/json")
        }
        CallBody::File => {
            let Some(service) = site
                .tenant
                .service_version(&r.service_code, r.service_version)
                .cloned()
            else {
                return Err(StoreError::Corrupt(format!(
                    "definition {} v{} missing",
                    r.service_code, r.service_version
                )));
            };
            let file = crate::usecases::exchange::file_of(app, site, service, stored).await?;
            (file.into_bytes(), "application/xml; charset=utf-8")
        }
    }))
}

/// One POST, signed; a 2xx answer, or why not.
fn post(
    settings: &CallSettings,
    id: i64,
    timestamp: i64,
    body: &[u8],
    content_type: &str,
) -> Result<Answer, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(TIMEOUT_SECS)))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let response = agent
        .post(settings.url.trim())
        .header("Content-Type", content_type)
        .header(
            SIGNATURE_HEADER,
            &signature(&settings.secret, timestamp, body),
        )
        .header(CALL_HEADER, &id.to_string())
        .header("User-Agent", "Guichet")
        .send(body)
        .map_err(|e| format!("{}: {e}", settings.url))?;
    let status = response.status().as_u16();
    let text = response
        .into_body()
        .with_config()
        .limit(64 * 1024)
        .read_to_string()
        .unwrap_or_default();
    if (200..300).contains(&status) {
        Ok(Answer::read(status, &text))
    } else {
        Err(format!(
            "HTTP {status}: {}",
            text.chars().take(200).collect::<String>()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_the_time_and_the_body() {
        // Computed independently:
        // printf '1733130000.{"a":1}' | openssl dgst -sha256 -hmac 'un secret partagé long'
        assert_eq!(
            signature("un secret partagé long", 1733130000, br#"{"a":1}"#),
            "t=1733130000,v1=a8eaccec7196fa6bc6ffc615ed0f4dfc0bbe17422d53325ce49585751f98e381"
        );
    }

    #[test]
    fn an_answer_is_a_code_and_a_comment_from_json() {
        let a = Answer::read(200, r#"{"answer": "accepted", "comment": "Dossier 42"}"#);
        assert_eq!(a.answer.as_deref(), Some("accepted"));
        assert_eq!(a.comment.as_deref(), Some("Dossier 42"));
        assert_eq!(Answer::read(204, "").answer, None);
        assert_eq!(Answer::read(200, r#"{"answer": "<script>"}"#).answer, None);
        assert_eq!(
            Answer::read(200, r#"{"answer":"refused"}"#).words("sig"),
            "sig : HTTP 200, réponse « refused »"
        );
    }
}
