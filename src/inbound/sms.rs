//! The town's SMS provider calls `POST /T/inbound/sms` for each SMS
//! received on the town's number: the sender, the text and the provider's
//! id of the message, as a form or JSON (field names set per town), proven
//! by the town's secret — a `Guichet-Signature` header as the town's own
//! calls carry (`t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret, "t.BODY"))`, five
//! minutes at most from now) or, for providers that sign nothing, the
//! secret itself as `key` in the callback's address. Its delivery receipts
//! come the same way to `POST /T/inbound/sms/receipts`.

use crate::core::intake::Channel;
use crate::tenant::Site;
use crate::usecases::App;
use crate::usecases::inbound::{self, Message, Outcome};

/// How far a signature's time may be from ours.
const SKEW_SECS: i64 = 300;

/// What the callback answers: its status and a JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

fn answer(status: u16, what: &str, detail: &str) -> Answer {
    Answer {
        status,
        body: serde_json::json!({ "status": what, "detail": detail }).to_string(),
    }
}

/// A call proven by the town's secret (signed, or with the secret as
/// `key`) and its fields; else the answer that refuses it.
struct Proven<'a> {
    json: bool,
    body: &'a [u8],
}

impl Proven<'_> {
    fn field(&self, name: &str) -> Option<String> {
        if self.json {
            let v: serde_json::Value = serde_json::from_slice(self.body).ok()?;
            match v.get(name)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        } else {
            form_urlencoded::parse(self.body)
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        }
    }
}

fn prove<'a>(
    app: &App,
    site: &Site,
    signature: Option<&str>,
    key: Option<&str>,
    json: bool,
    body: &'a [u8],
) -> Result<Proven<'a>, Answer> {
    let look = site.look.get();
    let Some(secret) = look.settings.inbound.sms_secret.as_deref() else {
        return Err(answer(404, "unknown", "this town receives no SMS"));
    };
    let now = app.now().as_second();
    let signed = signature.is_some_and(|s| signed(secret, s, body, now));
    let keyed = key.is_some_and(|k| crate::auth::same_secret(k.as_bytes(), secret.as_bytes()));
    if !(signed || keyed) {
        tracing::warn!(tenant = %site.tenant.slug, "SMS callback without a valid signature: refused");
        return Err(answer(401, "refused", "signature or key missing or wrong"));
    }
    Ok(Proven { json, body })
}

/// Handles one call: `signature` the `Guichet-Signature` header, `key` the
/// address's `key`, `json` whether the body is JSON. A text that is a
/// command to the town's lists (a list's keyword, `STOP`) does that and
/// goes no further.
pub async fn callback(
    app: &App,
    site: &Site,
    signature: Option<&str>,
    key: Option<&str>,
    json: bool,
    body: &[u8],
) -> Answer {
    let call = match prove(app, site, signature, key, json, body) {
        Ok(call) => call,
        Err(refused) => return refused,
    };
    let look = site.look.get();
    let settings = &look.settings.inbound;
    let (Some(from), Some(text)) = (
        call.field(&settings.sms_from),
        call.field(&settings.sms_text),
    ) else {
        return answer(
            400,
            "invalid",
            &format!(
                "the fields {} and {} are needed",
                settings.sms_from, settings.sms_text
            ),
        );
    };
    match crate::usecases::campaigns::sms_command(app, site, &from, &text).await {
        Ok(Some(crate::usecases::campaigns::SmsDone::Subscribed(list))) => {
            return answer(200, "subscribed", &list);
        }
        Ok(Some(crate::usecases::campaigns::SmsDone::Stopped(n))) => {
            return answer(200, "stopped", &n.to_string());
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(tenant = %site.tenant.slug, error = %e, "SMS command not kept");
            return answer(503, "unavailable", "try again later");
        }
    }
    let message = Message {
        channel: Channel::Sms,
        source: "sms".into(),
        external_id: call.field(&settings.sms_id).filter(|id| !id.is_empty()),
        sender: from,
        sender_name: String::new(),
        subject: String::new(),
        text: text.chars().take(2_000).collect(),
        replying_to: Vec::new(),
        files: Vec::new(),
    };
    match inbound::receive(app, site, message).await {
        Ok(Outcome::Replied(reference)) => answer(200, "replied", &reference.to_string()),
        Ok(Outcome::Queued(id)) => answer(200, "queued", &id.to_string()),
        Ok(Outcome::Duplicate) => answer(200, "duplicate", ""),
        Ok(Outcome::Empty) => answer(400, "invalid", "no sender or no text"),
        Err(e) => {
            tracing::error!(tenant = %site.tenant.slug, error = %e, "SMS not kept");
            answer(503, "unavailable", "try again later")
        }
    }
}

/// The provider's delivery receipt of a campaign's SMS
/// (`POST /T/inbound/sms/receipts`, proven as the callback is): the send it
/// names (the provider's id, or Guichet's `{ref}`) delivered or failed.
/// A status still on its way, or one unknown, is acknowledged and ignored;
/// a receipt for no send known is 404, so that the provider tries again
/// (its answer to the sending may not be recorded yet).
pub async fn receipts(
    app: &App,
    site: &Site,
    signature: Option<&str>,
    key: Option<&str>,
    json: bool,
    body: &[u8],
) -> Answer {
    use crate::core::campaigns::Receipt;
    use crate::store::ReceiptKey;
    let call = match prove(app, site, signature, key, json, body) {
        Ok(call) => call,
        Err(refused) => return refused,
    };
    let look = site.look.get();
    let settings = &look.settings.inbound;
    let ours = call
        .field(&settings.receipt_ref)
        .and_then(|r| crate::notify::campaigns::send_id(r.trim()));
    let theirs = call
        .field(&settings.receipt_id)
        .map(|i| i.trim().to_owned())
        .filter(|i| !i.is_empty());
    let key = match (ours, theirs) {
        (Some(id), _) => ReceiptKey::Ours(id),
        (None, Some(id)) => ReceiptKey::Provider(id),
        (None, None) => {
            return answer(
                400,
                "invalid",
                &format!(
                    "the field {} or {} is needed",
                    settings.receipt_id, settings.receipt_ref
                ),
            );
        }
    };
    let Some(status) = call.field(&settings.receipt_status) else {
        return answer(
            400,
            "invalid",
            &format!("the field {} is needed", settings.receipt_status),
        );
    };
    let delivered = match crate::core::campaigns::receipt(&status) {
        Some(Receipt::Delivered) => true,
        Some(Receipt::Failed) => false,
        Some(Receipt::Pending) => {
            crate::metrics::campaign_receipt("pending");
            return answer(200, "pending", "");
        }
        None => {
            crate::metrics::campaign_receipt("unknown");
            return answer(200, "ignored", "unknown status");
        }
    };
    match app
        .store
        .record_receipt(site.tenant.id, key, delivered, app.now())
        .await
    {
        Ok(true) => {
            let word = if delivered { "delivered" } else { "failed" };
            crate::metrics::campaign_receipt(word);
            answer(200, word, "")
        }
        Ok(false) => answer(404, "unknown", "no such message"),
        Err(e) => {
            tracing::error!(tenant = %site.tenant.slug, error = %e, "SMS receipt not kept");
            answer(503, "unavailable", "try again later")
        }
    }
}

/// Whether `header` signs `body` with `secret` at a time near `now`.
fn signed(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    let Some(t) = header
        .split(',')
        .find_map(|p| p.trim().strip_prefix("t="))
        .and_then(|t| t.parse::<i64>().ok())
    else {
        return false;
    };
    if (now - t).abs() > SKEW_SECS {
        return false;
    }
    let expected = crate::notify::calls::signature(secret, t, body);
    crate::auth::same_secret(expected.as_bytes(), header.trim().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_for_its_body_and_time_only() {
        let s = crate::notify::calls::signature("0123456789abcdef", 1_000, b"from=1&text=x");
        assert!(signed("0123456789abcdef", &s, b"from=1&text=x", 1_100));
        assert!(!signed("0123456789abcdef", &s, b"from=1&text=y", 1_100));
        assert!(!signed(
            "0123456789abcdef",
            &s,
            b"from=1&text=x",
            1_000 + SKEW_SECS + 1
        ));
        assert!(!signed("autre-secret-long", &s, b"from=1&text=x", 1_100));
        assert!(!signed("0123456789abcdef", "t=abc,v1=00", b"", 0));
    }
}
