//! The town's SMS provider calls `POST /T/inbound/sms` for each SMS
//! received on the town's number: the sender, the text and the provider's
//! id of the message, as a form or JSON (field names set per town), proven
//! by the town's secret — a `Guichet-Signature` header as the town's own
//! calls carry (`t=UNIX_SECONDS,v1=HEX(HMAC-SHA256(secret, "t.BODY"))`, five
//! minutes at most from now) or, for providers that sign nothing, the
//! secret itself as `key` in the callback's address.

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

/// Handles one call: `signature` the `Guichet-Signature` header, `key` the
/// address's `key`, `json` whether the body is JSON.
pub async fn callback(
    app: &App,
    site: &Site,
    signature: Option<&str>,
    key: Option<&str>,
    json: bool,
    body: &[u8],
) -> Answer {
    let look = site.look.get();
    let settings = &look.settings.inbound;
    let Some(secret) = settings.sms_secret.as_deref() else {
        return answer(404, "unknown", "this town receives no SMS");
    };
    let now = app.now().as_second();
    let signed = signature.is_some_and(|s| signed(secret, s, body, now));
    let keyed = key.is_some_and(|k| crate::auth::same_secret(k.as_bytes(), secret.as_bytes()));
    if !(signed || keyed) {
        tracing::warn!(tenant = %site.tenant.slug, "SMS callback without a valid signature: refused");
        return answer(401, "refused", "signature or key missing or wrong");
    }
    let field = |name: &str| -> Option<String> {
        if json {
            let v: serde_json::Value = serde_json::from_slice(body).ok()?;
            match v.get(name)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        } else {
            form_urlencoded::parse(body)
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        }
    };
    let (Some(from), Some(text)) = (field(&settings.sms_from), field(&settings.sms_text)) else {
        return answer(
            400,
            "invalid",
            &format!(
                "the fields {} and {} are needed",
                settings.sms_from, settings.sms_text
            ),
        );
    };
    let message = Message {
        channel: Channel::Sms,
        source: "sms".into(),
        external_id: field(&settings.sms_id).filter(|id| !id.is_empty()),
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
