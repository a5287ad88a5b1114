//! SOAP faults: one type for every error a SOAP client can get, written as a
//! SOAP 1.1 or 1.2 fault with the right HTTP status.
//!
//! Errors about the request's content carry a `ValidationFault` detail (in the
//! tenant's namespace, declared in the WSDL) listing each bad field with its
//! path, a machine code and a French message.

use super::version::{SOAP12_NS, Version};
use crate::core::forms::FieldError;
use crate::xml::{escape, push_text_element};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    VersionMismatch,
    MustUnderstand,
    /// The request is wrong (SOAP 1.2: Sender).
    Client,
    /// Guichet failed (SOAP 1.2: Receiver).
    Server,
}

impl FaultCode {
    /// Its SOAP 1.1 name.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultCode::VersionMismatch => "VersionMismatch",
            FaultCode::MustUnderstand => "MustUnderstand",
            FaultCode::Client => "Client",
            FaultCode::Server => "Server",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub code: FaultCode,
    /// Human-readable reason, in French.
    pub reason: String,
    /// Each bad field; empty for envelope-level faults.
    pub errors: Vec<FieldError>,
    /// Header blocks not understood, for MustUnderstand.
    pub not_understood: Vec<(String, String)>,
}

impl Fault {
    pub fn new(code: FaultCode, reason: String) -> Fault {
        Fault {
            code,
            reason,
            errors: Vec::new(),
            not_understood: Vec::new(),
        }
    }

    /// A client error not tied to one field (malformed XML, empty body…).
    pub fn client(code: &str, message: String) -> Fault {
        Fault {
            code: FaultCode::Client,
            reason: message.clone(),
            errors: vec![FieldError {
                path: String::new(),
                code: code.to_owned(),
                message,
            }],
            not_understood: Vec::new(),
        }
    }

    /// Bad fields: the reason summarises, the detail lists each.
    pub fn invalid(errors: Vec<FieldError>) -> Fault {
        let reason = match errors.len() {
            1 => format!("La demande contient une erreur : {}", errors[0].message),
            n => {
                let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                format!("La demande contient {n} erreurs : {}", messages.join(" ; "))
            }
        };
        Fault {
            code: FaultCode::Client,
            reason,
            errors,
            not_understood: Vec::new(),
        }
    }

    pub fn server(message: &str) -> Fault {
        Fault::new(FaultCode::Server, message.to_owned())
    }

    /// HTTP status: 500 for every SOAP 1.1 fault (WS-I R1126); for SOAP 1.2,
    /// 400 for Sender and 500 otherwise.
    pub fn http_status(&self, version: Version) -> u16 {
        match (version, self.code) {
            (Version::Soap12, FaultCode::Client) => 400,
            _ => 500,
        }
    }

    /// The whole response envelope.
    pub fn to_envelope(&self, version: Version, tenant_ns: &str) -> String {
        let mut out = String::with_capacity(512 + self.errors.len() * 200);
        out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        out.push_str(r#"<soap:Envelope xmlns:soap=""#);
        out.push_str(version.namespace());
        out.push('"');
        out.push('>');
        if version == Version::Soap12 {
            self.soap12_headers(&mut out);
        }
        out.push_str("<soap:Body><soap:Fault>");
        match version {
            Version::Soap11 => {
                let code = self.code.as_str();
                out.push_str("<faultcode>soap:");
                out.push_str(code);
                out.push_str("</faultcode>");
                push_text_element(&mut out, "faultstring", &self.reason);
                if self.has_detail() {
                    out.push_str("<detail>");
                    self.detail(&mut out, tenant_ns);
                    out.push_str("</detail>");
                }
            }
            Version::Soap12 => {
                let code = match self.code {
                    FaultCode::VersionMismatch => "VersionMismatch",
                    FaultCode::MustUnderstand => "MustUnderstand",
                    FaultCode::Client => "Sender",
                    FaultCode::Server => "Receiver",
                };
                out.push_str("<soap:Code><soap:Value>soap:");
                out.push_str(code);
                out.push_str(r#"</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="fr">"#);
                out.push_str(&crate::xml::escape_text(&self.reason));
                out.push_str("</soap:Text></soap:Reason>");
                if self.has_detail() {
                    out.push_str("<soap:Detail>");
                    self.detail(&mut out, tenant_ns);
                    out.push_str("</soap:Detail>");
                }
            }
        }
        out.push_str("</soap:Fault></soap:Body></soap:Envelope>");
        out
    }

    fn has_detail(&self) -> bool {
        matches!(self.code, FaultCode::Client) && !self.errors.is_empty()
    }

    fn soap12_headers(&self, out: &mut String) {
        match self.code {
            FaultCode::VersionMismatch => {
                out.push_str(r#"<soap:Header><soap:Upgrade><soap:SupportedEnvelope qname="s12:Envelope" xmlns:s12=""#);
                out.push_str(SOAP12_NS);
                out.push_str(r#""/></soap:Upgrade></soap:Header>"#);
            }
            FaultCode::MustUnderstand => {
                out.push_str("<soap:Header>");
                for (ns, name) in &self.not_understood {
                    out.push_str(r#"<soap:NotUnderstood qname="h:"#);
                    out.push_str(&escape(name));
                    out.push_str(r#"" xmlns:h=""#);
                    out.push_str(&escape(ns));
                    out.push_str(r#""/>"#);
                }
                out.push_str("</soap:Header>");
            }
            _ => {}
        }
    }

    fn detail(&self, out: &mut String, tenant_ns: &str) {
        out.push_str(r#"<g:ValidationFault xmlns:g=""#);
        out.push_str(&escape(tenant_ns));
        out.push_str(r#"">"#);
        for e in &self.errors {
            out.push_str("<g:error>");
            if !e.path.is_empty() {
                push_text_element(out, "g:field", &e.path);
            }
            push_text_element(out, "g:code", &e.code);
            push_text_element(out, "g:message", &e.message);
            out.push_str("</g:error>");
        }
        out.push_str("</g:ValidationFault>");
    }
}
