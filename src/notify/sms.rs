//! SMS through the tenant's provider: who can receive one and the HTTP call
//! that sends it. How a text travels (alphabet, parts) is [`crate::core::sms`].

use super::SendError;
pub use crate::core::sms::{Encoding, MAX_PARTS, Segments, prepare, segments, to_gsm7_friendly};

/// A French mobile number in international form (`+33612345678`), or
/// `None` for a number that cannot receive SMS (landlines, foreign numbers
/// in national form, nonsense).
pub fn mobile_number(phone: &str) -> Option<String> {
    let digits: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let national = if let Some(rest) = digits.strip_prefix("+33") {
        format!("0{rest}")
    } else if let Some(rest) = digits.strip_prefix("0033") {
        format!("0{rest}")
    } else {
        digits
    };
    let mobile = national.len() == 10
        && (national.starts_with("06") || national.starts_with("07"))
        && national.bytes().all(|b| b.is_ascii_digit());
    mobile.then(|| format!("+33{}", &national[1..]))
}

/// The HTTP call that hands one SMS to the tenant's provider: the
/// configured body with `{to}`, `{from}`, `{text}` and `{ref}` escaped for
/// its content type, its method, address and authorization. Both senders
/// (the outbox's, one SMS at a time, and the campaigns', thousands at once)
/// build it here.
pub struct ProviderCall {
    pub put: bool,
    pub url: String,
    pub content_type: String,
    pub authorization: Option<String>,
    pub body: String,
}

pub fn provider_call(
    settings: &crate::tenant::look::SmsSettings,
    to: &str,
    text: &str,
    reference: &str,
) -> ProviderCall {
    let json = settings.content_type.contains("json");
    let escape = |v: &str| -> String {
        if json {
            let mut out = String::new();
            for c in v.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out
        } else {
            form_urlencoded::byte_serialize(v.as_bytes()).collect()
        }
    };
    let body = crate::tenant::templates::fill(
        &settings.body,
        &[
            ("to", &escape(to)),
            ("from", &escape(&settings.sender)),
            ("text", &escape(text)),
            ("ref", &escape(reference)),
        ],
    );
    let authorization = settings.auth.as_deref().map(|a| {
        if let Some(token) = a.strip_prefix("bearer ") {
            format!("Bearer {token}")
        } else if let Some(credentials) = a.strip_prefix("basic ") {
            format!("Basic {}", base64(credentials.as_bytes()))
        } else {
            a.to_owned()
        }
    });
    ProviderCall {
        put: settings.method.eq_ignore_ascii_case("PUT"),
        url: settings.url.clone(),
        content_type: settings.content_type.clone(),
        authorization,
        body,
    }
}

/// The provider's id of the SMS in its JSON answer, at `field` (`id`,
/// `message_id`, `messages.0.id`).
pub fn provider_id(answer: &[u8], field: &str) -> Option<String> {
    let root: serde_json::Value = serde_json::from_slice(answer).ok()?;
    let mut v = &root;
    for part in field.split('.') {
        v = match v {
            serde_json::Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            serde_json::Value::Object(map) => map.get(part)?,
            _ => return None,
        };
    }
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Sends an SMS through the tenant's provider (see [`provider_call`]).
pub fn send(
    settings: &crate::tenant::look::SmsSettings,
    to: &str,
    text: &str,
) -> Result<(), SendError> {
    let call = provider_call(settings, to, text, "");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(15)))
        .http_status_as_error(false)
        .build()
        .into();
    let response = if call.put {
        let mut r = agent
            .put(&call.url)
            .header("Content-Type", &call.content_type);
        if let Some(a) = &call.authorization {
            r = r.header("Authorization", a);
        }
        r.send(call.body.as_str())
    } else {
        let mut r = agent
            .post(&call.url)
            .header("Content-Type", &call.content_type);
        if let Some(a) = &call.authorization {
            r = r.header("Authorization", a);
        }
        r.send(call.body.as_str())
    }
    .map_err(|e| format!("SMS provider {}: {e}", settings.url))?;
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        let text = response
            .into_body()
            .read_to_string()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>();
        Err(SendError(format!(
            "SMS provider answered HTTP {status}: {text}"
        )))
    }
}

fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = match chunk.len() {
            3 => u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8 | u32::from(chunk[2]),
            2 => u32::from(chunk[0]) << 16 | u32::from(chunk[1]) << 8,
            _ => u32::from(chunk[0]) << 16,
        };
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod gateway_tests {
    use super::*;

    #[test]
    fn french_mobiles_only() {
        assert_eq!(
            mobile_number("06 12 34 56 78").as_deref(),
            Some("+33612345678")
        );
        assert_eq!(
            mobile_number("+33 7 12 34 56 78").as_deref(),
            Some("+33712345678")
        );
        assert_eq!(mobile_number("01 23 45 67 89"), None);
        assert_eq!(mobile_number("12"), None);
    }

    #[test]
    fn the_providers_id_is_found_at_its_path() {
        assert_eq!(
            provider_id(br#"{"id": "abc"}"#, "id").as_deref(),
            Some("abc")
        );
        assert_eq!(
            provider_id(br#"{"messages": [{"id": 42}]}"#, "messages.0.id").as_deref(),
            Some("42")
        );
        assert_eq!(provider_id(b"OK", "id"), None);
        assert_eq!(provider_id(br#"{"id": ""}"#, "id"), None);
    }

    #[test]
    fn basic_credentials() {
        assert_eq!(base64(b"mairie:secret"), "bWFpcmllOnNlY3JldA==");
        assert_eq!(base64(b"ab"), "YWI=");
    }
}
