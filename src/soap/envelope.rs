//! SOAP 1.1 and 1.2 envelopes: reading a request, writing a response.
//!
//! The SOAP version comes from the HTTP Content-Type (`text/xml` is 1.1,
//! `application/soap+xml` is 1.2); an envelope in another namespace gets a
//! VersionMismatch fault. Header blocks that must be understood are refused
//! with MustUnderstand, since Guichet defines none. The Body must hold exactly
//! one element: the operation's wrapper.

use super::fault::{Fault, FaultCode};
pub use super::version::{SOAP11_NS, SOAP12_NS, Version};
use crate::xml::{self, Element, Limits};

const SOAP11_NEXT: &str = "http://schemas.xmlsoap.org/soap/actor/next";
const SOAP12_NEXT: &str = "http://www.w3.org/2003/05/soap-envelope/role/next";
const SOAP12_ULTIMATE: &str = "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver";

/// A parsed request envelope: its version, its header blocks and the
/// Body's single child.
#[derive(Debug)]
pub struct Envelope {
    pub version: Version,
    /// The Header's blocks (none without a Header).
    pub headers: Vec<Element>,
    pub body: Element,
}

/// Reads an envelope sent with the given Content-Type version; no header
/// block is understood.
pub fn parse(input: &[u8], version: Version, limits: Limits) -> Result<Envelope, Fault> {
    parse_understanding(input, version, limits, &[])
}

/// Reads an envelope whose endpoint understands the header blocks named
/// `(namespace, local name)` in `understood` (the exchange API's
/// `wsse:Security`); any other block that must be understood is a
/// MustUnderstand fault.
pub fn parse_understanding(
    input: &[u8],
    version: Version,
    limits: Limits,
    understood: &[(&str, &str)],
) -> Result<Envelope, Fault> {
    let text = std::str::from_utf8(input).map_err(|e| {
        Fault::client(
            "invalid-utf8",
            format!(
                "Le message n'est pas en UTF-8 valide (octet {}).",
                e.valid_up_to()
            ),
        )
    })?;
    let root = xml::parse(text, limits)
        .map_err(|e| Fault::client(e.code(), format!("Message refusé : {e}.")))?;
    check_version(&root, version)?;
    let env_ns = version.namespace();
    if !root.text.trim().is_empty() {
        return Err(Fault::client(
            "malformed-envelope",
            "L'enveloppe SOAP contient du texte.".into(),
        ));
    }
    let mut children = root.children.into_iter();
    let mut next = children.next();
    let mut headers = Vec::new();
    if let Some(header) = next.take_if(|e| e.is(env_ns, "Header")) {
        check_headers(&header, version, understood)?;
        headers = header.children;
        next = children.next();
    }
    let body = match next {
        Some(body) if body.is(env_ns, "Body") => body,
        Some(other) => {
            return Err(Fault::client(
                "malformed-envelope",
                format!(
                    "Élément {} inattendu : l'enveloppe doit contenir Header (facultatif) puis Body.",
                    other.qualified_name()
                ),
            ));
        }
        None => {
            return Err(Fault::client(
                "malformed-envelope",
                "L'enveloppe SOAP n'a pas de Body.".into(),
            ));
        }
    };
    if let Some(extra) = children.next() {
        return Err(Fault::client(
            "malformed-envelope",
            format!(
                "Élément {} inattendu après le Body.",
                extra.qualified_name()
            ),
        ));
    }
    if !body.text.trim().is_empty() {
        return Err(Fault::client(
            "malformed-envelope",
            "Le Body contient du texte hors de l'opération.".into(),
        ));
    }
    let mut parts = body.children.into_iter();
    let payload = parts.next().ok_or_else(|| {
        Fault::client(
            "empty-body",
            "Le Body SOAP est vide : aucune opération demandée.".into(),
        )
    })?;
    if parts.next().is_some() {
        return Err(Fault::client(
            "malformed-envelope",
            "Le Body doit contenir une seule opération.".into(),
        ));
    }
    Ok(Envelope {
        version,
        headers,
        body: payload,
    })
}

/// The root must be an envelope of the version the Content-Type announced.
fn check_version(root: &Element, version: Version) -> Result<(), Fault> {
    let ns = root.ns.as_deref();
    if root.name != "Envelope" || !matches!(ns, Some(SOAP11_NS | SOAP12_NS)) {
        if root.name == "Envelope" {
            return Err(Fault::new(
                FaultCode::VersionMismatch,
                format!(
                    "Enveloppe SOAP inconnue ({}) : seules SOAP 1.1 et SOAP 1.2 sont prises en charge.",
                    ns.unwrap_or("sans espace de noms")
                ),
            ));
        }
        return Err(Fault::client(
            "not-an-envelope",
            format!(
                "Le message n'est pas une enveloppe SOAP (élément racine {}).",
                root.qualified_name()
            ),
        ));
    }
    if ns != Some(version.namespace()) {
        return Err(Fault::new(
            FaultCode::VersionMismatch,
            match version {
                Version::Soap11 => {
                    "Une enveloppe SOAP 1.2 doit être envoyée avec le type application/soap+xml."
                }
                Version::Soap12 => {
                    "Une enveloppe SOAP 1.1 doit être envoyée avec le type text/xml."
                }
            }
            .to_owned(),
        ));
    }
    Ok(())
}

/// Header blocks addressed to us that must be understood and are not among
/// `understood`: a MustUnderstand fault naming them.
fn check_headers(
    header: &Element,
    version: Version,
    understood: &[(&str, &str)],
) -> Result<(), Fault> {
    let not_understood: Vec<(String, String)> = header
        .children
        .iter()
        .filter(|block| must_understand(block, version) && targets_us(block, version))
        .filter(|block| !understood.iter().any(|(ns, name)| block.is(ns, name)))
        .map(|block| (block.ns.clone().unwrap_or_default(), block.name.clone()))
        .collect();
    if !not_understood.is_empty() {
        let names: Vec<String> = not_understood
            .iter()
            .map(|(ns, n)| format!("{{{ns}}}{n}"))
            .collect();
        let mut fault = Fault::new(
            FaultCode::MustUnderstand,
            format!("En-tête(s) SOAP non compris : {}.", names.join(", ")),
        );
        fault.not_understood = not_understood;
        return Err(fault);
    }
    Ok(())
}

fn must_understand(block: &Element, version: Version) -> bool {
    matches!(
        block.attr_ns(version.namespace(), "mustUnderstand"),
        Some("1" | "true")
    )
}

fn targets_us(block: &Element, version: Version) -> bool {
    match version {
        Version::Soap11 => matches!(block.attr_ns(SOAP11_NS, "actor"), None | Some(SOAP11_NEXT)),
        Version::Soap12 => matches!(
            block.attr_ns(SOAP12_NS, "role"),
            None | Some("") | Some(SOAP12_NEXT) | Some(SOAP12_ULTIMATE)
        ),
    }
}

/// Wraps a payload (already serialised, carrying its own namespace
/// declarations) in an envelope of the given version.
pub fn wrap(version: Version, payload: &str) -> String {
    let mut out = String::with_capacity(payload.len() + 160);
    out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    out.push_str(r#"<soap:Envelope xmlns:soap=""#);
    out.push_str(version.namespace());
    out.push_str(r#""><soap:Body>"#);
    out.push_str(payload);
    out.push_str("</soap:Body></soap:Envelope>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(ns: &str, inner: &str) -> String {
        format!(r#"<e:Envelope xmlns:e="{ns}">{inner}</e:Envelope>"#)
    }

    fn code(r: Result<Envelope, Fault>) -> (FaultCode, String) {
        let f = r.unwrap_err();
        (
            f.code,
            f.errors.first().map(|e| e.code.clone()).unwrap_or_default(),
        )
    }

    #[test]
    fn reads_the_body_child_by_namespace() {
        let doc = env(
            SOAP11_NS,
            r#"<e:Header/><e:Body><ListServices xmlns="urn:t"/></e:Body>"#,
        );
        let e = parse(doc.as_bytes(), Version::Soap11, Limits::default()).unwrap();
        assert!(e.body.is("urn:t", "ListServices"));
    }

    #[test]
    fn version_comes_from_content_type_and_must_match() {
        assert_eq!(
            Version::from_content_type("text/xml; charset=UTF-8"),
            Some(Ok(Version::Soap11))
        );
        assert_eq!(
            Version::from_content_type(r#"application/soap+xml;charset=utf-8;action="urn:x""#),
            Some(Ok(Version::Soap12))
        );
        assert_eq!(Version::from_content_type("application/json"), None);
        assert_eq!(
            Version::from_content_type("text/xml; charset=iso-8859-1"),
            Some(Err(super::super::version::UnsupportedCharset(
                "iso-8859-1".into()
            )))
        );
        let doc = env(SOAP12_NS, "<e:Body><x/></e:Body>");
        assert_eq!(
            code(parse(doc.as_bytes(), Version::Soap11, Limits::default())).0,
            FaultCode::VersionMismatch
        );
        let doc = env("urn:not-soap", "<e:Body><x/></e:Body>");
        assert_eq!(
            code(parse(doc.as_bytes(), Version::Soap12, Limits::default())).0,
            FaultCode::VersionMismatch
        );
    }

    #[test]
    fn must_understand_headers_are_refused_unless_for_someone_else() {
        let doc = env(
            SOAP12_NS,
            r#"<e:Header><s:Security xmlns:s="urn:sec" e:mustUnderstand="true"/></e:Header><e:Body><x/></e:Body>"#,
        );
        let f = parse(doc.as_bytes(), Version::Soap12, Limits::default()).unwrap_err();
        assert_eq!(f.code, FaultCode::MustUnderstand);
        assert_eq!(
            f.not_understood,
            vec![("urn:sec".to_owned(), "Security".to_owned())]
        );
        let doc = env(
            SOAP11_NS,
            r#"<e:Header><s:T xmlns:s="urn:sec" e:mustUnderstand="1" e:actor="urn:other"/><s:U xmlns:s="urn:sec" e:mustUnderstand="0"/></e:Header><e:Body><x/></e:Body>"#,
        );
        assert!(parse(doc.as_bytes(), Version::Soap11, Limits::default()).is_ok());
    }

    #[test]
    fn malformed_envelopes_are_client_faults() {
        for (doc, expected) in [
            (env(SOAP11_NS, "<e:Body></e:Body>"), "empty-body"),
            (
                env(SOAP11_NS, "<e:Body><a/><b/></e:Body>"),
                "malformed-envelope",
            ),
            (
                env(SOAP11_NS, "<e:Body><a/></e:Body><e:Trailer/>"),
                "malformed-envelope",
            ),
            (env(SOAP11_NS, "<e:Header/>"), "malformed-envelope"),
            ("<Envelope/>".to_owned(), ""),
            ("<x/>".to_owned(), "not-an-envelope"),
            (env(SOAP11_NS, "<e:Body><a>"), "malformed-xml"),
            (
                format!(
                    r#"<!DOCTYPE d [<!ENTITY x "y">]>{}"#,
                    env(SOAP11_NS, "<e:Body><a>&x;</a></e:Body>")
                ),
                "dtd-forbidden",
            ),
        ] {
            let (fault_code, error_code) =
                code(parse(doc.as_bytes(), Version::Soap11, Limits::default()));
            if expected.is_empty() {
                assert_eq!(fault_code, FaultCode::VersionMismatch, "{doc}");
            } else {
                assert_eq!(
                    (fault_code, error_code.as_str()),
                    (FaultCode::Client, expected),
                    "{doc}"
                );
            }
        }
        let (c, e) = code(parse(b"\xff\xfe<x/>", Version::Soap11, Limits::default()));
        assert_eq!((c, e.as_str()), (FaultCode::Client, "invalid-utf8"));
    }
}
