//! The campaigns' sender: claims due sends in batches, hands each SMS to
//! the town's provider over a pooled HTTP client (keep-alive, hundreds of
//! requests in flight from one task each, no thread per SMS) and each
//! e-mail to its SMTP server (pooled connections, in the blocking pool),
//! then records the whole batch's outcomes in one transaction. Apart from
//! the outbox: a campaign of ten thousand SMS does not hold back a
//! request's acknowledgement, and the outbox's retries do not slow it.

use super::{SendError, mail, sms};
use crate::store::{DueSend, SendOutcome, StoreError};
use crate::tenant::Site;
use crate::usecases::App;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// Sends claimed at once.
pub const BATCH: u32 = 2_000;
/// SMS requests in flight at once.
const SMS_AT_ONCE: usize = 256;
/// E-mails handed to SMTP at once (each its pooled connection).
const EMAIL_AT_ONCE: usize = 8;
/// How long a claimed batch stays this sender's.
const CLAIM_SECS: i64 = 300;
/// Tries before a send is given up.
const MOST_ATTEMPTS: u32 = 5;
/// How long one SMS request may take.
const SMS_TIMEOUT: Duration = Duration::from_secs(15);

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// One client for every provider: its pool keeps connections to each.
static CLIENT: LazyLock<Client<Https, Full<Bytes>>> = LazyLock::new(|| {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(Some(Duration::from_secs(10)));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(SMS_AT_ONCE)
        .build(https)
});

/// When a send that failed for now is tried again.
fn retry_at(now: i64, attempts: u32) -> i64 {
    now + match attempts {
        0 => 30,
        1 => 120,
        2 => 600,
        _ => 1_800,
    }
}

/// Sends one batch of due sends; how many there were (a full batch means
/// more may be due).
pub async fn run(app: &App) -> Result<usize, StoreError> {
    let now = app.now().as_second();
    let due = app.store.claim_sends(now, now + CLAIM_SECS, BATCH).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let count = due.len();
    let (texts, emails): (Vec<DueSend>, Vec<DueSend>) =
        due.into_iter().partition(|d| d.channel == "sms");
    let mut outcomes = Vec::with_capacity(count);
    let (a, b) = tokio::join!(send_sms(app, texts), send_emails(app, emails));
    outcomes.extend(a);
    outcomes.extend(b);
    for (_, outcome) in &outcomes {
        let word = match outcome {
            SendOutcome::Sent(_) => "sent",
            SendOutcome::Failed(_) => "failed",
            SendOutcome::Retry(..) => "retry",
        };
        crate::metrics::campaign_send(word);
    }
    app.store.record_sends(outcomes, app.now()).await?;
    Ok(count)
}

/// What a try's error means for the send.
fn outcome(app: &App, d: &DueSend, result: Result<Option<String>, Failure>) -> SendOutcome {
    match result {
        Ok(id) => SendOutcome::Sent(id),
        Err(Failure::Final(e)) => SendOutcome::Failed(e),
        Err(Failure::Again(e)) if d.attempts + 1 >= MOST_ATTEMPTS => SendOutcome::Failed(e),
        Err(Failure::Again(e)) => {
            SendOutcome::Retry(e, retry_at(app.now().as_second(), d.attempts))
        }
    }
}

enum Failure {
    /// The provider refused it (a bad number): not tried again.
    Final(String),
    /// A network error, a timeout, the provider busy or down.
    Again(String),
}

async fn send_sms(app: &App, due: Vec<DueSend>) -> Vec<(i64, SendOutcome)> {
    let mut outcomes = Vec::with_capacity(due.len());
    let mut running = tokio::task::JoinSet::new();
    let mut due = due.into_iter();
    loop {
        while running.len() < SMS_AT_ONCE {
            let Some(d) = due.next() else { break };
            let site = app.site_by_id(d.tenant_id);
            running.spawn(async move {
                let result = match site {
                    Some(site) => one_sms(&site, &d).await,
                    None => Err(Failure::Final("the town is gone".into())),
                };
                (d, result)
            });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        match done {
            Ok((d, result)) => outcomes.push((d.id, outcome(app, &d, result))),
            // A panic: its send stays claimed, due again once the claim ends.
            Err(e) => tracing::error!(error = %e, "a campaign's SMS task failed"),
        }
    }
    outcomes
}

async fn one_sms(site: &Site, d: &DueSend) -> Result<Option<String>, Failure> {
    let look = site.look.get();
    let Some(settings) = look.settings.sms.as_ref() else {
        return Err(Failure::Again("no SMS provider set ([sms])".into()));
    };
    let Some(to) = sms::mobile_number(&d.address) else {
        return Err(Failure::Final("not a mobile number".into()));
    };
    let call = sms::provider_call(settings, &to, &d.text, &reference(d.id));
    let mut request = hyper::Request::builder()
        .method(if call.put { "PUT" } else { "POST" })
        .uri(&call.url)
        .header(hyper::header::CONTENT_TYPE, &call.content_type);
    if let Some(a) = &call.authorization {
        request = request.header(hyper::header::AUTHORIZATION, a);
    }
    let request = request
        .body(Full::new(Bytes::from(call.body)))
        .map_err(|e| Failure::Final(format!("SMS provider {}: {e}", call.url)))?;
    let exchange = async {
        let response = CLIENT
            .request(request)
            .await
            .map_err(|e| Failure::Again(format!("SMS provider {}: {e}", call.url)))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| Failure::Again(format!("SMS provider {}: {e}", call.url)))?
            .to_bytes();
        Ok::<_, Failure>((status, body))
    };
    let (status, body) = tokio::time::timeout(SMS_TIMEOUT, exchange)
        .await
        .map_err(|_| Failure::Again(format!("SMS provider {}: no answer in time", call.url)))??;
    match status {
        200..=299 => Ok(settings
            .id_field
            .as_deref()
            .and_then(|f| sms::provider_id(&body, f))),
        408 | 429 | 500..=599 => Err(Failure::Again(format!(
            "SMS provider answered HTTP {status}"
        ))),
        _ => Err(Failure::Final(format!(
            "SMS provider answered HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ))),
    }
}

/// The reference Guichet gives a send (`{ref}`), which receipts may name.
pub fn reference(id: i64) -> String {
    format!("g{id}")
}

/// A send's id from its reference.
pub fn send_id(reference: &str) -> Option<i64> {
    reference.strip_prefix('g')?.parse().ok()
}

async fn send_emails(app: &App, due: Vec<DueSend>) -> Vec<(i64, SendOutcome)> {
    let mut outcomes = Vec::with_capacity(due.len());
    let mut running = tokio::task::JoinSet::new();
    let mut due = due.into_iter();
    loop {
        while running.len() < EMAIL_AT_ONCE {
            let Some(d) = due.next() else { break };
            let site = app.site_by_id(d.tenant_id);
            let smtp = app.config.smtp.clone();
            let public = app.message_url.clone();
            running.spawn_blocking(move || {
                let result = match site {
                    Some(site) => one_email(&site, smtp.as_deref(), &public, &d),
                    None => Err(SendError("the town is gone".into())),
                };
                (d, result)
            });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        match done {
            Ok((d, result)) => {
                // An SMTP error may be the server's mood or the address:
                // tried again, then given up.
                let result = result.map(|()| None).map_err(|e| Failure::Again(e.0));
                outcomes.push((d.id, outcome(app, &d, result)));
            }
            Err(e) => tracing::error!(error = %e, "a campaign's e-mail task failed"),
        }
    }
    outcomes
}

fn one_email(
    site: &Arc<Site>,
    smtp: Option<&str>,
    public: &str,
    d: &DueSend,
) -> Result<(), SendError> {
    let look = site.look.get();
    let route = super::mail_route(site, &look, smtp)?;
    let town = site.town_name();
    let list = look.settings.list_name(&d.list).unwrap_or(&d.list);
    let leave = format!(
        "{}/{}/alerts/leave/{}",
        public.trim_end_matches('/'),
        site.tenant.slug,
        d.token
    );
    let rendered = crate::tenant::templates::render(
        &look.templates,
        None,
        None,
        "campaign",
        &[
            ("town", town.as_str()),
            ("list", list),
            ("link", leave.as_str()),
            ("subject", d.subject.as_str()),
            ("text", d.text.as_str()),
        ],
        &super::brand(&look, &town),
        look.settings.language.as_str(),
    )
    .ok_or("no campaign template")?;
    let message_id = format!(
        "<campaign-{}.{}.{}@guichet>",
        d.campaign_id, d.id, site.tenant.slug
    );
    mail::send(
        &route.smtp,
        route.ca.as_deref(),
        &mail::Email {
            from: &route.from,
            reply_to: look.settings.mail.reply_to.as_deref(),
            to: &d.address,
            subject: &rendered.subject,
            text: &rendered.text,
            html: Some(&rendered.html),
            message_id: &message_id,
            enclosure: None,
            list_unsubscribe: Some(&leave),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reference_names_its_send() {
        assert_eq!(send_id(&reference(42)), Some(42));
        assert_eq!(send_id("42"), None);
        assert_eq!(send_id("gx"), None);
    }

    #[test]
    fn retries_back_off() {
        assert!(retry_at(0, 0) < retry_at(0, 1));
        assert!(retry_at(0, 3) <= 1_800);
    }
}
