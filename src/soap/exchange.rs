//! The exchange API for business software: its WSDL, written from the
//! description in [`crate::exchange::api`], and its calls — a WS-Security
//! UsernameToken read from the header, checked by
//! [`crate::usecases::exchange::authenticate`], then the operation.
//!
//! Same conventions as the citizen-facing service: document/literal
//! wrapped (WS-I Basic Profile), SOAP 1.1 and 1.2, dispatch on the
//! qualified name of the Body's child, faults with a `ValidationFault`
//! detail naming each bad parameter.

use super::envelope::{self, Version};
use super::fault::Fault;
use super::wsdl::ADDRESS_PLACEHOLDER;
use crate::auth::api::{TokenProblem, UsernameToken};
use crate::core::files::RawFile;
use crate::core::forms::FieldError;
use crate::core::tenant::Tenant;
use crate::core::tracking::Reference;
use crate::exchange::api::{self as described, Param};
use crate::store::{ListedRequest, StoredEvent};
use crate::tenant::Site;
use crate::tenant::dates::xs_date_time;
use crate::usecases::App;
use crate::usecases::exchange::{self as usecase, Changed, ExchangeError, ListFilter};
use crate::xml::{Element, escape, push_text_element};
use base64::Engine;
use jiff::tz::TimeZone;
use std::fmt::Write;

/// The exchange WSDL, the endpoint's address left as
/// [`ADDRESS_PLACEHOLDER`].
pub fn wsdl(tenant: &Tenant) -> String {
    let ns = escape(&described::namespace(&tenant.namespace())).into_owned();
    let mut x = String::with_capacity(24 * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = write!(
        x,
        r#"<wsdl:definitions name="GuichetExchange" targetNamespace="{ns}" xmlns:tns="{ns}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:xs="http://www.w3.org/2001/XMLSchema">"#
    );
    let _ = write!(
        x,
        "<wsdl:documentation>Service d'échange de {} (Guichet) pour les logiciels métier : demandes nouvelles, fichiers de demande, acquittements, changements d'étape. Chaque appel porte un en-tête WS-Security UsernameToken (PasswordDigest, Nonce, wsu:Created) d'un compte d'échange. Documentation : exchange/doc</wsdl:documentation>",
        escape(&tenant.name)
    );
    x.push_str("<wsdl:types>");
    schema(&mut x, &ns);
    x.push_str("</wsdl:types>");
    for op in described::OPERATIONS {
        let name = op.name;
        let _ = write!(
            x,
            r#"<wsdl:message name="{name}Input"><wsdl:part name="parameters" element="tns:{name}"/></wsdl:message><wsdl:message name="{name}Output"><wsdl:part name="parameters" element="tns:{name}Response"/></wsdl:message>"#
        );
    }
    x.push_str(r#"<wsdl:message name="ValidationFault"><wsdl:part name="fault" element="tns:ValidationFault"/></wsdl:message>"#);
    x.push_str(r#"<wsdl:portType name="Exchange">"#);
    for op in described::OPERATIONS {
        let name = op.name;
        let _ = write!(
            x,
            r#"<wsdl:operation name="{name}"><wsdl:documentation>{}</wsdl:documentation><wsdl:input message="tns:{name}Input"/><wsdl:output message="tns:{name}Output"/><wsdl:fault name="ValidationFault" message="tns:ValidationFault"/></wsdl:operation>"#,
            escape(op.doc)
        );
    }
    x.push_str("</wsdl:portType>");
    for (binding, prefix, extra) in [
        ("ExchangeSoap11", "soap", ""),
        ("ExchangeSoap12", "soap12", r#" soapActionRequired="false""#),
    ] {
        let _ = write!(
            x,
            r#"<wsdl:binding name="{binding}" type="tns:Exchange"><{prefix}:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>"#
        );
        for op in described::OPERATIONS {
            let name = op.name;
            let _ = write!(
                x,
                r#"<wsdl:operation name="{name}"><{prefix}:operation soapAction="{ns}:{name}" style="document"{extra}/><wsdl:input><{prefix}:body use="literal"/></wsdl:input><wsdl:output><{prefix}:body use="literal"/></wsdl:output><wsdl:fault name="ValidationFault"><{prefix}:fault name="ValidationFault" use="literal"/></wsdl:fault></wsdl:operation>"#
            );
        }
        x.push_str("</wsdl:binding>");
    }
    let _ = write!(
        x,
        r#"<wsdl:service name="GuichetExchange"><wsdl:port name="ExchangeSoap11Port" binding="tns:ExchangeSoap11"><soap:address location="{ADDRESS_PLACEHOLDER}"/></wsdl:port><wsdl:port name="ExchangeSoap12Port" binding="tns:ExchangeSoap12"><soap12:address location="{ADDRESS_PLACEHOLDER}"/></wsdl:port></wsdl:service>"#
    );
    x.push_str("</wsdl:definitions>\n");
    x
}

fn documentation(x: &mut String, text: &str) {
    let _ = write!(
        x,
        r#"<xs:annotation><xs:documentation xml:lang="fr">{}</xs:documentation></xs:annotation>"#,
        escape(text)
    );
}

fn element(x: &mut String, p: &Param) {
    let _ = write!(x, r#"<xs:element name="{}" type="{}""#, p.name, p.xsd);
    if !p.required {
        x.push_str(r#" minOccurs="0""#);
    }
    if p.many {
        x.push_str(r#" maxOccurs="unbounded""#);
    }
    x.push('>');
    documentation(x, p.doc);
    x.push_str("</xs:element>");
}

fn sequence(x: &mut String, params: &[Param]) {
    x.push_str("<xs:complexType><xs:sequence>");
    for p in params {
        element(x, p);
    }
    x.push_str("</xs:sequence></xs:complexType>");
}

fn schema(x: &mut String, ns: &str) {
    let _ = write!(
        x,
        r#"<xs:schema targetNamespace="{ns}" xmlns:tns="{ns}" elementFormDefault="qualified" attributeFormDefault="unqualified" version="1">"#
    );
    for t in described::SIMPLE_TYPES {
        let _ = write!(x, r#"<xs:simpleType name="{}">"#, t.name);
        documentation(x, t.doc);
        let _ = write!(x, r#"<xs:restriction base="{}">"#, t.base);
        if let Some(n) = t.min_length {
            let _ = write!(x, r#"<xs:minLength value="{n}"/>"#);
        }
        if let Some(n) = t.max_length {
            let _ = write!(x, r#"<xs:maxLength value="{n}"/>"#);
        }
        if let Some(n) = t.min {
            let _ = write!(x, r#"<xs:minInclusive value="{n}"/>"#);
        }
        if let Some(n) = t.max {
            let _ = write!(x, r#"<xs:maxInclusive value="{n}"/>"#);
        }
        if let Some(p) = t.pattern {
            let _ = write!(x, r#"<xs:pattern value="{}"/>"#, escape(p));
        }
        x.push_str("</xs:restriction></xs:simpleType>");
    }
    for t in described::TYPES {
        let _ = write!(x, r#"<xs:complexType name="{}">"#, t.name);
        documentation(x, t.doc);
        x.push_str("<xs:sequence>");
        for p in t.fields {
            element(x, p);
        }
        x.push_str("</xs:sequence></xs:complexType>");
    }
    x.push_str(r#"<xs:complexType name="FieldError"><xs:sequence><xs:element name="field" type="xs:string" minOccurs="0"><xs:annotation><xs:documentation xml:lang="fr">Le paramètre en cause, par exemple reference ou reference/2.</xs:documentation></xs:annotation></xs:element><xs:element name="code" type="xs:string"/><xs:element name="message" type="xs:string"/></xs:sequence></xs:complexType>"#);
    x.push_str(r#"<xs:element name="ValidationFault"><xs:complexType><xs:sequence><xs:element name="error" type="tns:FieldError" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>"#);
    for op in described::OPERATIONS {
        let _ = write!(x, r#"<xs:element name="{}">"#, op.name);
        documentation(x, op.doc);
        sequence(x, op.input);
        x.push_str("</xs:element>");
        let _ = write!(x, r#"<xs:element name="{}Response">"#, op.name);
        sequence(x, op.output);
        x.push_str("</xs:element>");
    }
    x.push_str("</xs:schema>");
}

/// Example exchanges for the documentation page: `(operation, request
/// envelope, response envelope)`, written by this module's own writers.
pub fn examples(tenant: &Tenant) -> Vec<(String, String, String)> {
    let ns = described::namespace(&tenant.namespace());
    let header = format!(
        "  <soap:Header>\n    <wsse:Security xmlns:wsse=\"{}\" xmlns:wsu=\"{}\">\n      <wsse:UsernameToken>\n        <wsse:Username>logiciel-etat-civil</wsse:Username>\n        <wsse:Password Type=\"{}\">Base64(SHA-1(nonce + created + mot de passe))</wsse:Password>\n        <wsse:Nonce EncodingType=\"{}\">3Ph8Jc0xq2yLgmz6dCrlDQ==</wsse:Nonce>\n        <wsu:Created>2026-12-02T09:30:00Z</wsu:Created>\n      </wsse:UsernameToken>\n    </wsse:Security>\n  </soap:Header>\n",
        described::WSSE_NS,
        described::WSU_NS,
        described::PASSWORD_DIGEST,
        described::BASE64_BINARY
    );
    let request = |body: &str| {
        format!(
            "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"\n               xmlns:x=\"{}\">\n{header}  <soap:Body>\n{body}  </soap:Body>\n</soap:Envelope>\n",
            escape(&ns)
        )
    };
    let reference = Reference {
        year: 2026,
        number: 42,
    };
    let listed = ListedRequest {
        cursor: 42,
        reference,
        service_code: "birth-certificate".into(),
        service_version: 1,
        department: "etat-civil".into(),
        step: "received".into(),
        submitted_at: "2026-12-01T14:03:27Z".parse().unwrap_or_default(),
        due_date: jiff::civil::date(2026, 12, 11),
        revision: 1,
    };
    let mut list = String::new();
    list_response(&mut list, &ns, &[listed], false, &tenant.time_zone);
    let mut change = String::new();
    change_response(
        &mut change,
        &ns,
        described::UPDATE_REQUEST_STATUS,
        &Changed {
            reference,
            step: "taken".into(),
            finished: false,
            revision: 2,
        },
    );
    vec![
        (
            described::LIST_NEW_REQUESTS.to_owned(),
            request(
                "    <x:ListNewRequests>\n      <x:department>etat-civil</x:department>\n      <x:limit>50</x:limit>\n    </x:ListNewRequests>\n",
            ),
            envelope::wrap(Version::Soap11, &list),
        ),
        (
            described::UPDATE_REQUEST_STATUS.to_owned(),
            request(
                "    <x:UpdateRequestStatus>\n      <x:reference>2026-000042</x:reference>\n      <x:action>take</x:action>\n      <x:revision>1</x:revision>\n    </x:UpdateRequestStatus>\n",
            ),
            envelope::wrap(Version::Soap11, &change),
        ),
    ]
}

/// Handles one call to the tenant's exchange endpoint. `peer` is the
/// client's address, for throttling failed authentications.
pub async fn call(
    app: &App,
    site: &Site,
    version: Version,
    body: &[u8],
    peer: &str,
) -> super::Response {
    let ns = described::namespace(&site.tenant.namespace());
    let understood = [(described::WSSE_NS, "Security")];
    let result =
        match envelope::parse_understanding(body, version, app.config.limits.xml, &understood) {
            Ok(env) => {
                let token = username_token(&env.headers);
                match token {
                    Err(problem) => Err(token_fault(problem)),
                    Ok(token) => dispatch(app, site, token.as_ref(), &env.body, &ns, peer).await,
                }
            }
            Err(fault) => Err(fault),
        };
    super::Response::answer(result, version, &ns)
}

/// The UsernameToken of the `wsse:Security` header, if there is one.
pub fn username_token(headers: &[Element]) -> Result<Option<UsernameToken>, TokenProblem> {
    let Some(security) = headers
        .iter()
        .find(|h| h.is(described::WSSE_NS, "Security"))
    else {
        return Ok(None);
    };
    let Some(token) = security
        .children
        .iter()
        .find(|c| c.is(described::WSSE_NS, "UsernameToken"))
    else {
        return Ok(None);
    };
    let part = |name: &str| {
        token
            .children
            .iter()
            .find(|c| c.is(described::WSSE_NS, name))
    };
    let username = part("Username").map(|e| e.text.trim().to_owned());
    let password = part("Password");
    let digest = password
        .and_then(|p| p.attr("Type"))
        .is_some_and(|t| t.trim() == described::PASSWORD_DIGEST);
    let nonce = match part("Nonce") {
        None => None,
        Some(n) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(n.text.split_whitespace().collect::<String>())
                .map_err(|_| TokenProblem::NotDigest)?,
        ),
    };
    // Created is wsu:Created; some clients put it in the wsse namespace.
    let created = token
        .children
        .iter()
        .find(|c| c.is(described::WSU_NS, "Created") || c.is(described::WSSE_NS, "Created"))
        .map(|e| e.text.trim().to_owned());
    Ok(Some(UsernameToken {
        username: username.unwrap_or_default(),
        password: password
            .map(|p| p.text.trim().to_owned())
            .unwrap_or_default(),
        digest,
        nonce,
        created,
    }))
}

fn token_fault(problem: TokenProblem) -> Fault {
    Fault::client(problem.code(), problem.words())
}

/// Bad parameters, the reason naming each: an exchange call is not a
/// citizen's request.
fn invalid(errors: Vec<FieldError>) -> Fault {
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    let reason = format!("Appel refusé : {}", messages.join(" ; "));
    let mut fault = Fault::invalid(errors);
    fault.reason = reason;
    fault
}

fn fault_of(e: ExchangeError) -> Fault {
    match e {
        ExchangeError::Token(problem) => token_fault(problem),
        ExchangeError::Throttled(wait) => Fault::client(
            "throttled",
            format!("Trop d'échecs d'authentification : réessayez dans {wait} secondes."),
        ),
        ExchangeError::Invalid(errors) => invalid(errors),
        ExchangeError::UnknownRequest(r) => invalid(vec![FieldError {
            path: "reference".into(),
            code: "unknown-request".into(),
            message: format!("Aucune demande {r}."),
        }]),
        ExchangeError::NotAllowed(r) => invalid(vec![FieldError {
            path: "reference".into(),
            code: "not-allowed".into(),
            message: format!(
                "La demande {r} est hors des services municipaux où ce compte a des droits."
            ),
        }]),
        ExchangeError::Stale { current } => invalid(vec![FieldError {
            path: "revision".into(),
            code: "stale-revision".into(),
            message: format!(
                "La demande a changé depuis (révision {current} maintenant) : relisez-la avant de décider."
            ),
        }]),
        ExchangeError::Refused(why) => invalid(vec![FieldError {
            path: String::new(),
            code: "refused".into(),
            message: format!("Changement refusé : {why}."),
        }]),
        ExchangeError::FileRefused(why) => invalid(vec![FieldError {
            path: "content".into(),
            code: "file-refused".into(),
            message: why,
        }]),
        ExchangeError::Unavailable(e) => {
            tracing::error!(error = %e, "exchange call failed");
            Fault::server("Erreur interne : rien n'a été changé. Réessayez plus tard.")
        }
    }
}

/// The wrapper's parameters, read against the operation's description:
/// each child in the exchange namespace, known, not repeated unless it may
/// be; every problem named.
struct Params<'a> {
    payload: &'a Element,
    ns: &'a str,
    errors: Vec<FieldError>,
}

impl<'a> Params<'a> {
    fn read(payload: &'a Element, ns: &'a str, described: &[Param]) -> Params<'a> {
        let mut errors = Vec::new();
        for child in &payload.children {
            let known = described.iter().find(|p| p.name == child.name);
            if child.ns.as_deref() != Some(ns) || known.is_none() {
                errors.push(FieldError {
                    path: child.name.clone(),
                    code: "invalid-value".into(),
                    message: format!(
                        "Élément inattendu {} (voir le WSDL : les paramètres sont dans l'espace de noms {ns}).",
                        child.qualified_name()
                    ),
                });
            } else if known.is_some_and(|p| !p.many)
                && payload
                    .children
                    .iter()
                    .filter(|c| c.name == child.name)
                    .count()
                    > 1
                && !errors.iter().any(|e| e.path == child.name)
            {
                errors.push(FieldError {
                    path: child.name.clone(),
                    code: "invalid-value".into(),
                    message: format!("« {} » ne doit figurer qu'une fois.", child.name),
                });
            }
        }
        Params {
            payload,
            ns,
            errors,
        }
    }

    fn all(&self, name: &str) -> Vec<&'a Element> {
        self.payload
            .children
            .iter()
            .filter(|c| c.name == name && c.ns.as_deref() == Some(self.ns))
            .collect()
    }

    fn text(&self, name: &str) -> Option<String> {
        self.all(name)
            .first()
            .map(|e| e.text.trim().to_owned())
            .filter(|t| !t.is_empty())
    }

    fn bad(&mut self, name: &str, message: String) {
        self.errors.push(FieldError {
            path: name.into(),
            code: "invalid-value".into(),
            message,
        });
    }

    fn required(&mut self, name: &str) -> Option<String> {
        let v = self.text(name);
        if v.is_none() {
            self.errors.push(FieldError {
                path: name.into(),
                code: "required".into(),
                message: format!("« {name} » est obligatoire."),
            });
        }
        v
    }

    fn reference(&mut self) -> Option<Reference> {
        let text = self.required("reference")?;
        let r = Reference::parse(&text);
        if r.is_none() {
            self.bad(
                "reference",
                format!("« {text} » n'est pas une référence comme 2026-000123."),
            );
        }
        r
    }

    fn long(&mut self, name: &str) -> Option<i64> {
        let text = self.text(name)?;
        let n = text.parse::<i64>().ok();
        if n.is_none() {
            self.bad(name, format!("« {name} » doit être un nombre entier."));
        }
        n
    }

    fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.text(name).as_deref() {
            None => None,
            Some("true" | "1") => Some(true),
            Some("false" | "0") => Some(false),
            Some(_) => {
                self.bad(name, format!("« {name} » vaut true ou false."));
                None
            }
        }
    }

    fn long_text(&mut self, name: &str, required: bool) -> Option<String> {
        let v = if required {
            self.required(name)
        } else {
            self.text(name)
        }?;
        if v.chars().count() > described::TEXT_MAX {
            self.errors.push(FieldError {
                path: name.into(),
                code: "too-long".into(),
                message: format!("« {name} » a plus de {} caractères.", described::TEXT_MAX),
            });
        }
        Some(v)
    }

    fn done(self) -> Result<(), Fault> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(invalid(self.errors))
        }
    }
}

async fn dispatch(
    app: &App,
    site: &Site,
    token: Option<&UsernameToken>,
    payload: &Element,
    ns: &str,
    peer: &str,
) -> Result<String, Fault> {
    let Some(op) = described::OPERATIONS
        .iter()
        .find(|op| payload.ns.as_deref() == Some(ns) && payload.name == op.name)
    else {
        return Err(Fault::client(
            "unknown-operation",
            format!(
                "Opération inconnue : {}. Les opérations du service d'échange sont dans l'espace de noms {ns} (voir le WSDL).",
                payload.qualified_name()
            ),
        ));
    };
    // Who calls comes first: an unauthenticated caller learns nothing of
    // its parameters.
    let account = usecase::authenticate(app, site, token, peer)
        .await
        .map_err(fault_of)?;
    let mut p = Params::read(payload, ns, op.input);
    let tz = &site.tenant.time_zone;
    let mut out = String::with_capacity(1024);
    match op.name {
        described::LIST_NEW_REQUESTS => {
            let limit = p.long("limit");
            let filter = ListFilter {
                service: p.text("service"),
                department: p.text("department"),
                after: p.text("after"),
                limit: limit.map(|n| u32::try_from(n).unwrap_or(0)),
            };
            p.done()?;
            let page = usecase::list_new(app, site, &account, filter)
                .await
                .map_err(fault_of)?;
            list_response(&mut out, ns, &page.requests, page.more, tz);
        }
        described::GET_REQUEST_FILE => {
            let reference = p.reference();
            p.done()?;
            let reference = reference.expect("checked");
            let fetched = usecase::request_file(app, site, &account, reference)
                .await
                .map_err(fault_of)?;
            let item = &fetched.item;
            open(&mut out, op.name, ns);
            out.push_str("<request>");
            push_text_element(&mut out, "reference", &reference.to_string());
            push_text_element(&mut out, "service", &item.record.service_code);
            push_text_element(
                &mut out,
                "serviceVersion",
                &item.record.service_version.to_string(),
            );
            push_text_element(&mut out, "department", &item.state.department);
            push_text_element(&mut out, "step", &item.state.step);
            let label = fetched
                .service
                .step(&item.state.step)
                .map_or(item.state.step.as_str(), |s| s.label.as_str());
            push_text_element(&mut out, "stepLabel", label);
            push_text_element(&mut out, "finished", bool_text(item.state.finished));
            push_text_element(
                &mut out,
                "waitingForRequester",
                bool_text(item.state.waiting_for_citizen),
            );
            push_text_element(&mut out, "revision", &item.revision.to_string());
            push_text_element(
                &mut out,
                "schema",
                &format!(
                    "{}/{}/xsd/{}.xsd",
                    app.message_url.trim_end_matches('/'),
                    site.tenant.slug,
                    item.record.service_code
                ),
            );
            push_text_element(
                &mut out,
                "file",
                &base64::engine::general_purpose::STANDARD.encode(fetched.file.as_bytes()),
            );
            for (id, label, comment) in &fetched.actions {
                out.push_str("<action>");
                push_text_element(&mut out, "id", id);
                push_text_element(&mut out, "label", label);
                push_text_element(&mut out, "commentRequired", bool_text(*comment));
                out.push_str("</action>");
            }
            out.push_str("</request>");
            close(&mut out, op.name);
        }
        described::ACKNOWLEDGE_REQUESTS => {
            let mut references = Vec::new();
            let elements = p.all("reference");
            if elements.is_empty() {
                p.required("reference");
            }
            for (n, e) in elements.iter().enumerate() {
                match Reference::parse(&e.text) {
                    Some(r) => references.push(r),
                    None => p.bad(
                        &format!("reference/{}", n + 1),
                        format!(
                            "« {} » n'est pas une référence comme 2026-000123.",
                            e.text.trim()
                        ),
                    ),
                }
            }
            p.done()?;
            let n = usecase::acknowledge(app, site, &account, references)
                .await
                .map_err(fault_of)?;
            open(&mut out, op.name, ns);
            push_text_element(&mut out, "acknowledged", &n.to_string());
            close(&mut out, op.name);
        }
        described::UPDATE_REQUEST_STATUS => {
            let reference = p.reference();
            let action = p.required("action");
            let comment = p.long_text("comment", false);
            let message = p.long_text("messageToCitizen", false);
            let revision = p.long("revision");
            p.done()?;
            let changed = usecase::update_status(
                app,
                site,
                &account,
                reference.expect("checked"),
                action.expect("checked"),
                comment,
                message,
                revision,
            )
            .await
            .map_err(fault_of)?;
            change_response(&mut out, ns, op.name, &changed);
        }
        described::ADD_NOTE => {
            let reference = p.reference();
            let text = p.long_text("text", true);
            let revision = p.long("revision");
            p.done()?;
            let changed = usecase::add_note(
                app,
                site,
                &account,
                reference.expect("checked"),
                text.expect("checked"),
                revision,
            )
            .await
            .map_err(fault_of)?;
            change_response(&mut out, ns, op.name, &changed);
        }
        described::ADD_DOCUMENT => {
            let reference = p.reference();
            let file_name = p.required("fileName");
            let content = p.required("content");
            let send = p.boolean("sendToRequester").unwrap_or(false);
            let comment = p.long_text("comment", false);
            let revision = p.long("revision");
            let bytes = content.and_then(|c| {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(c.split_whitespace().collect::<String>());
                if decoded.is_err() {
                    p.bad("content", "« content » n'est pas du base64 valide.".into());
                }
                decoded.ok()
            });
            p.done()?;
            let changed = usecase::add_document(
                app,
                site,
                &account,
                reference.expect("checked"),
                RawFile {
                    file_name: file_name.expect("checked"),
                    bytes: bytes.expect("checked").into(),
                },
                send,
                comment,
                revision,
            )
            .await
            .map_err(fault_of)?;
            change_response(&mut out, ns, op.name, &changed);
        }
        described::GET_REQUEST_HISTORY => {
            let reference = p.reference();
            p.done()?;
            let (events, revision) =
                usecase::history(app, site, &account, reference.expect("checked"))
                    .await
                    .map_err(fault_of)?;
            open(&mut out, op.name, ns);
            for e in &events {
                event(&mut out, e, tz);
            }
            push_text_element(&mut out, "revision", &revision.to_string());
            close(&mut out, op.name);
        }
        _ => unreachable!("every described operation is handled"),
    }
    Ok(out)
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn open(out: &mut String, name: &str, ns: &str) {
    let _ = write!(out, "<{name}Response xmlns=\"{}\">", escape(ns));
}

fn close(out: &mut String, name: &str) {
    let _ = write!(out, "</{name}Response>");
}

fn list_response(
    out: &mut String,
    ns: &str,
    requests: &[ListedRequest],
    more: bool,
    tz: &TimeZone,
) {
    open(out, described::LIST_NEW_REQUESTS, ns);
    for r in requests {
        out.push_str("<request>");
        push_text_element(out, "reference", &r.reference.to_string());
        push_text_element(out, "service", &r.service_code);
        push_text_element(out, "serviceVersion", &r.service_version.to_string());
        push_text_element(out, "department", &r.department);
        push_text_element(out, "step", &r.step);
        push_text_element(out, "submittedAt", &xs_date_time(r.submitted_at, tz));
        push_text_element(out, "dueDate", &r.due_date.to_string());
        push_text_element(out, "revision", &r.revision.to_string());
        out.push_str("</request>");
    }
    if let Some(last) = requests.last() {
        push_text_element(out, "cursor", &last.cursor.to_string());
    }
    push_text_element(out, "more", bool_text(more));
    close(out, described::LIST_NEW_REQUESTS);
}

fn change_response(out: &mut String, ns: &str, name: &str, c: &Changed) {
    open(out, name, ns);
    out.push_str("<change>");
    push_text_element(out, "reference", &c.reference.to_string());
    push_text_element(out, "step", &c.step);
    push_text_element(out, "finished", bool_text(c.finished));
    push_text_element(out, "revision", &c.revision.to_string());
    out.push_str("</change>");
    close(out, name);
}

fn event(out: &mut String, e: &StoredEvent, tz: &TimeZone) {
    out.push_str("<event>");
    push_text_element(out, "at", &xs_date_time(e.at, tz));
    push_text_element(out, "actor", &e.actor);
    if let Some(name) = &e.actor_name {
        push_text_element(out, "actorName", name);
    }
    push_text_element(out, "action", &e.action);
    if let Some(s) = &e.from_step {
        push_text_element(out, "fromStep", s);
    }
    if let Some(s) = &e.to_step {
        push_text_element(out, "toStep", s);
    }
    if let Some(c) = &e.comment {
        push_text_element(out, "comment", c);
    }
    push_text_element(out, "citizenVisible", bool_text(e.citizen_visible));
    if let Some(d) = &e.department {
        push_text_element(out, "department", d);
    }
    out.push_str("</event>");
}
