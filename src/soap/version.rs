//! The two SOAP versions: their namespaces and media types. Shared by the
//! envelope reader and the fault writer, which know nothing of each other.

pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Soap11,
    Soap12,
}

impl Version {
    pub fn namespace(self) -> &'static str {
        match self {
            Version::Soap11 => SOAP11_NS,
            Version::Soap12 => SOAP12_NS,
        }
    }

    /// Content-Type of responses.
    pub fn content_type(self) -> &'static str {
        match self {
            Version::Soap11 => "text/xml; charset=utf-8",
            Version::Soap12 => "application/soap+xml; charset=utf-8",
        }
    }

    /// The version a request's Content-Type announces, `None` if it is not SOAP.
    /// Err carries the refused charset.
    pub fn from_content_type(content_type: &str) -> Option<Result<Version, UnsupportedCharset>> {
        let mut parts = content_type.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let version = match media.as_str() {
            "text/xml" => Version::Soap11,
            "application/soap+xml" => Version::Soap12,
            _ => return None,
        };
        for param in parts {
            if let Some((name, value)) = param.split_once('=')
                && name.trim().eq_ignore_ascii_case("charset")
            {
                let charset = value.trim().trim_matches('"').to_ascii_lowercase();
                if !matches!(charset.as_str(), "utf-8" | "utf8" | "us-ascii") {
                    return Some(Err(UnsupportedCharset(charset)));
                }
            }
        }
        Some(Ok(version))
    }
}

/// A charset other than UTF-8 (or its ASCII subset) in a SOAP request's
/// Content-Type: refused with 415.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("charset {0} is not supported: send UTF-8")]
pub struct UnsupportedCharset(pub String);
