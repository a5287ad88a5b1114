//! WSDL 1.1 and XML Schema generated from a tenant's online services.
//!
//! Document/literal wrapped, as WS-I Basic Profile 1.1 and JAX-WS wrapper style
//! want it: each message has one part named `parameters` declared with
//! `element=`, the request wrapper is named after its operation, and every
//! wrapper is a sequence of elements. Field rules become XSD facets, so a
//! client can validate before sending; the annotations say in words what
//! the service's documentation page says (`core::describe`): each field's
//! label, help, presence, limits and allowed values, each operation's
//! title, description, delay and coherence rules. There is a SOAP 1.1 and a SOAP 1.2
//! binding and port; their address is filled in with the address the WSDL was
//! fetched from ([`ADDRESS_PLACEHOLDER`]).

use crate::core::catalogue::{
    ADDRESS_PARTS, EMAIL_PATTERN, Field, FieldType, LONG_TEXT_MAX, PHONE_PATTERN,
    POSTAL_CODE_PATTERN, REQUESTER_FIELDS, Service, TEXT_MAX,
};
use crate::core::describe;
use crate::core::intake::Channel;
use crate::core::status::State;
use crate::core::tenant::{Audience, Tenant};
use crate::core::{countries, formats};
use crate::xml::escape;
use std::fmt::Write;

/// Replaced by the endpoint address when the WSDL is served.
pub const ADDRESS_PLACEHOLDER: &str = crate::tenant::Documents::ADDRESS;

/// Everything generated once from a tenant's catalogue when it loads.
pub fn documents(tenant: &Tenant) -> crate::tenant::Documents {
    crate::tenant::Documents {
        example: example_envelope,
        wsdl: wsdl(tenant, Audience::Public),
        agents_wsdl: wsdl(tenant, Audience::Agents),
        exchange_wsdl: super::exchange::wsdl(tenant),
        exchange_examples: super::exchange::examples(tenant),
        schema: schema(tenant, None),
        service_schemas: tenant
            .services
            .iter()
            .map(|s| (s.code.clone(), schema(tenant, Some(s))))
            .collect(),
    }
}

/// Operations every tenant has, besides one `Submit…` per service.
pub const LIST_SERVICES: &str = "ListServices";
pub const GET_REQUEST_STATUS: &str = "GetRequestStatus";
pub const REPLY_TO_REQUEST: &str = "ReplyToRequest";

/// The tenant's schema: common types, then for each service its `Submit…`
/// wrapper, response and request file (`…File`), then the common operations.
/// With `only` set, just that service (for its request files).
pub fn schema(tenant: &Tenant, only: Option<&Service>) -> String {
    match only {
        Some(s) => schema_of(tenant, &[s], false),
        None => schema_of(tenant, &services(tenant, Audience::Public), true),
    }
}

fn services(tenant: &Tenant, audience: Audience) -> Vec<&Service> {
    tenant.offered(audience).map(|s| s.as_ref()).collect()
}

/// The schema of `services`; `whole` adds the common operations.
fn schema_of(tenant: &Tenant, services: &[&Service], whole: bool) -> String {
    let ns = escape(&tenant.namespace()).into_owned();
    let mut x = String::with_capacity(32 * 1024);
    let _ = write!(
        x,
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="{ns}" targetNamespace="{ns}" elementFormDefault="qualified" attributeFormDefault="unqualified" version="1">"#
    );
    common_types(&mut x);
    for service in services {
        service_elements(&mut x, service);
    }
    if whole {
        x.push_str(&format!(
            r#"<xs:element name="{LIST_SERVICES}"><xs:annotation><xs:documentation xml:lang="fr">Liste des téléservices en ligne.</xs:documentation></xs:annotation><xs:complexType><xs:sequence/></xs:complexType></xs:element>"#
        ));
        x.push_str(&format!(
            r#"<xs:element name="{LIST_SERVICES}Response"><xs:complexType><xs:sequence><xs:element name="service" type="tns:ServiceInfo" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>"#
        ));
        x.push_str(&format!(
            r#"<xs:element name="{GET_REQUEST_STATUS}"><xs:annotation><xs:documentation xml:lang="fr">Suivi d'une demande par son code de suivi.</xs:documentation></xs:annotation><xs:complexType><xs:sequence><xs:element name="trackingCode" type="tns:TrackingCode"/></xs:sequence></xs:complexType></xs:element>"#
        ));
        x.push_str(&format!(
            r#"<xs:element name="{GET_REQUEST_STATUS}Response"><xs:complexType><xs:sequence><xs:element name="status" type="tns:RequestStatus"/></xs:sequence></xs:complexType></xs:element>"#
        ));
        x.push_str(&format!(
            r#"<xs:element name="{REPLY_TO_REQUEST}"><xs:annotation><xs:documentation xml:lang="fr">Le demandeur écrit à la mairie au sujet de sa demande (code de suivi) : le message rejoint l'historique, le service qui la traite est prévenu. Erreurs : unknown-tracking-code, required, too-long.</xs:documentation></xs:annotation><xs:complexType><xs:sequence><xs:element name="trackingCode" type="tns:TrackingCode"/><xs:element name="text"><xs:simpleType><xs:restriction base="xs:string"><xs:minLength value="1"/><xs:maxLength value="{}"/></xs:restriction></xs:simpleType></xs:element></xs:sequence></xs:complexType></xs:element>"#,
            crate::core::workflow::REPLY_MAX
        ));
        x.push_str(&format!(
            r#"<xs:element name="{REPLY_TO_REQUEST}Response"><xs:complexType><xs:sequence><xs:element name="status" type="tns:RequestStatus"/></xs:sequence></xs:complexType></xs:element>"#
        ));
    }
    x.push_str("</xs:schema>");
    x
}

fn doc(x: &mut String, text: &str) {
    let _ = write!(
        x,
        r#"<xs:annotation><xs:documentation xml:lang="fr">{}</xs:documentation></xs:annotation>"#,
        escape(text)
    );
}

/// An INSEE commune code: the département (2 digits, 2A or 2B for Corsica)
/// then 3 digits (overseas: 97 and 3 digits).
const INSEE_PATTERN: &str = "(2[AB]|[0-9]{2})[0-9]{3}";

fn common_types(x: &mut String) {
    let _ = write!(
        x,
        r#"<xs:simpleType name="Email"><xs:restriction base="xs:string"><xs:maxLength value="254"/><xs:pattern value="{}"/></xs:restriction></xs:simpleType>"#,
        escape(EMAIL_PATTERN)
    );
    let _ = write!(
        x,
        r#"<xs:simpleType name="FrenchPhone"><xs:restriction base="xs:string"><xs:pattern value="{}"/></xs:restriction></xs:simpleType>"#,
        escape(PHONE_PATTERN)
    );
    let _ = write!(
        x,
        r#"<xs:simpleType name="FrenchPostalCode"><xs:restriction base="xs:string"><xs:pattern value="{POSTAL_CODE_PATTERN}"/></xs:restriction></xs:simpleType>"#
    );
    for (name, pattern, words) in [
        ("Siren", formats::SIREN_PATTERN, FieldType::Siren),
        ("Siret", formats::SIRET_PATTERN, FieldType::Siret),
        ("Iban", formats::IBAN_PATTERN, FieldType::Iban),
        ("Bic", formats::BIC_PATTERN, FieldType::Bic),
        (
            "CadastralParcel",
            formats::CADASTRAL_PARCEL_PATTERN,
            FieldType::CadastralParcel,
        ),
        (
            "PartialDate",
            formats::PARTIAL_DATE_PATTERN,
            FieldType::PartialDate,
        ),
        ("InseeCommune", INSEE_PATTERN, FieldType::Commune),
    ] {
        let _ = write!(x, r#"<xs:simpleType name="{name}">"#);
        doc(x, &describe::format(words).unwrap_or_default());
        let _ = write!(
            x,
            r#"<xs:restriction base="xs:string"><xs:pattern value="{}"/></xs:restriction></xs:simpleType>"#,
            escape(pattern)
        );
    }
    x.push_str(r#"<xs:complexType name="File"><xs:annotation><xs:documentation xml:lang="fr">Un fichier joint : son contenu en base64, son nom (fileName). Son type est reconnu à son contenu ; mediaType n'est qu'indicatif.</xs:documentation></xs:annotation><xs:simpleContent><xs:extension base="xs:base64Binary"><xs:attribute name="fileName" type="xs:string"/><xs:attribute name="mediaType" type="xs:string"/></xs:extension></xs:simpleContent></xs:complexType>"#);
    x.push_str(r#"<xs:simpleType name="Amount">"#);
    doc(x, &describe::format(FieldType::Amount).unwrap_or_default());
    x.push_str(r#"<xs:restriction base="xs:decimal"><xs:minInclusive value="0"/><xs:fractionDigits value="2"/></xs:restriction></xs:simpleType>"#);
    x.push_str(r#"<xs:simpleType name="Country">"#);
    doc(x, &describe::format(FieldType::Country).unwrap_or_default());
    x.push_str(r#"<xs:restriction base="xs:string">"#);
    for (code, name) in countries::ALL.iter() {
        let _ = write!(
            x,
            r#"<xs:enumeration value="{code}"><xs:annotation><xs:documentation xml:lang="fr">{}</xs:documentation></xs:annotation></xs:enumeration>"#,
            escape(name)
        );
    }
    x.push_str("</xs:restriction></xs:simpleType>");
    x.push_str(r#"<xs:simpleType name="TrackingCode"><xs:annotation><xs:documentation xml:lang="fr">Code de suivi secret : 16 caractères (base 32 de Crockford), en quatre groupes séparés par des tirets.</xs:documentation></xs:annotation><xs:restriction base="xs:string"><xs:maxLength value="40"/></xs:restriction></xs:simpleType>"#);
    x.push_str(r#"<xs:simpleType name="Reference"><xs:restriction base="xs:string"><xs:pattern value="[0-9]{4}-[0-9]{6,}"/></xs:restriction></xs:simpleType>"#);
    x.push_str(r#"<xs:complexType name="Address"><xs:sequence>"#);
    for (name, label, required, max) in ADDRESS_PARTS {
        let min = if required { "" } else { r#" minOccurs="0""# };
        let _ = write!(x, r#"<xs:element name="{name}"{min}>"#);
        doc(
            x,
            &format!(
                "{label}. {} {}",
                describe::presence(required),
                describe::max_length(max)
            ),
        );
        match name {
            "postalCode" => x.push_str(
                r#"<xs:simpleType><xs:restriction base="tns:FrenchPostalCode"/></xs:simpleType>"#,
            ),
            "latitude" | "longitude" => {
                let limit = if name == "latitude" { 90 } else { 180 };
                let _ = write!(
                    x,
                    r#"<xs:simpleType><xs:restriction base="xs:decimal"><xs:minInclusive value="-{limit}"/><xs:maxInclusive value="{limit}"/></xs:restriction></xs:simpleType>"#
                );
            }
            _ => {
                let _ = write!(
                    x,
                    r#"<xs:simpleType><xs:restriction base="xs:string"><xs:minLength value="1"/><xs:maxLength value="{max}"/></xs:restriction></xs:simpleType>"#
                );
            }
        }
        x.push_str("</xs:element>");
    }
    x.push_str("</xs:sequence></xs:complexType>");
    x.push_str(r#"<xs:complexType name="Requester">"#);
    doc(
        x,
        "Le demandeur. Indiquez au moins un moyen de le joindre : e-mail, téléphone ou adresse postale.",
    );
    x.push_str("<xs:sequence>");
    for field in REQUESTER_FIELDS.iter() {
        field_element(x, field, &REQUESTER_FIELDS);
    }
    x.push_str("</xs:sequence></xs:complexType>");

    x.push_str(r#"<xs:complexType name="SimulationResult"><xs:annotation><xs:documentation xml:lang="fr">Un résultat de simulation : son nom, son libellé, sa valeur (un nombre au point décimal, ou un texte) et son unité.</xs:documentation></xs:annotation><xs:sequence><xs:element name="name" type="xs:string"/><xs:element name="label" type="xs:string"/><xs:element name="value" type="xs:string"/><xs:element name="unit" type="xs:string" minOccurs="0"/></xs:sequence></xs:complexType>"#);
    x.push_str(r#"<xs:complexType name="SubmissionReceipt"><xs:sequence>"#);
    x.push_str(r#"<xs:element name="reference" type="tns:Reference"><xs:annotation><xs:documentation xml:lang="fr">Référence publique de la demande (année et numéro d'ordre).</xs:documentation></xs:annotation></xs:element>"#);
    x.push_str(r#"<xs:element name="trackingCode" type="tns:TrackingCode"><xs:annotation><xs:documentation xml:lang="fr">Code de suivi secret, à remettre au demandeur seul.</xs:documentation></xs:annotation></xs:element>"#);
    x.push_str(r#"<xs:element name="dueDate" type="xs:date"><xs:annotation><xs:documentation xml:lang="fr">Date limite de réponse promise.</xs:documentation></xs:annotation></xs:element>"#);
    x.push_str(r#"<xs:element name="submittedAt" type="xs:dateTime"/><xs:element name="trackingUrl" type="xs:anyURI"/>"#);
    x.push_str("</xs:sequence></xs:complexType>");

    x.push_str(r#"<xs:simpleType name="State"><xs:restriction base="xs:string">"#);
    for state in State::ALL {
        let _ = write!(x, r#"<xs:enumeration value="{}"/>"#, state.as_str());
    }
    x.push_str("</xs:restriction></xs:simpleType>");
    x.push_str(r#"<xs:complexType name="StatusStep"><xs:sequence><xs:element name="label" type="xs:string"/><xs:element name="done" type="xs:boolean"/><xs:element name="date" type="xs:date" minOccurs="0"/><xs:element name="current" type="xs:boolean"/></xs:sequence></xs:complexType>"#);
    x.push_str(r#"<xs:complexType name="RequestStatus"><xs:sequence><xs:element name="reference" type="tns:Reference"/><xs:element name="service" type="xs:string"/><xs:element name="serviceTitle" type="xs:string"/><xs:element name="state" type="tns:State"/><xs:element name="stateLabel" type="xs:string"/><xs:element name="currentStep" type="xs:string" minOccurs="0"/><xs:element name="submittedAt" type="xs:dateTime"/><xs:element name="dueDate" type="xs:date"/><xs:element name="step" type="tns:StatusStep" minOccurs="0" maxOccurs="unbounded"/><xs:element name="message" type="tns:StatusMessage" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType>"#);
    x.push_str(r#"<xs:complexType name="StatusMessage"><xs:annotation><xs:documentation xml:lang="fr">Un message au sujet de la demande : de la mairie au demandeur (town) ou du demandeur (citizen).</xs:documentation></xs:annotation><xs:sequence><xs:element name="date" type="xs:date"/><xs:element name="from"><xs:simpleType><xs:restriction base="xs:string"><xs:enumeration value="town"/><xs:enumeration value="citizen"/></xs:restriction></xs:simpleType></xs:element><xs:element name="text" type="xs:string"/></xs:sequence></xs:complexType>"#);
    x.push_str(r#"<xs:complexType name="ServiceInfo"><xs:sequence><xs:element name="code" type="xs:string"/><xs:element name="operation" type="xs:string"/><xs:element name="title" type="xs:string"/><xs:element name="theme" type="xs:string"/><xs:element name="themeLabel" type="xs:string"/><xs:element name="department" type="xs:string"/><xs:element name="deadlineDays" type="xs:int"/><xs:element name="description" type="xs:string"/></xs:sequence></xs:complexType>"#);
    x.push_str(r#"<xs:simpleType name="Channel"><xs:restriction base="xs:string">"#);
    for channel in Channel::ALL {
        let _ = write!(x, r#"<xs:enumeration value="{channel}"/>"#);
    }
    x.push_str("</xs:restriction></xs:simpleType>");
    x.push_str(r#"<xs:complexType name="FieldError"><xs:sequence><xs:element name="field" type="xs:string" minOccurs="0"><xs:annotation><xs:documentation xml:lang="fr">Chemin du champ en cause, par exemple requester/email ou location/postalCode.</xs:documentation></xs:annotation></xs:element><xs:element name="code" type="xs:string"/><xs:element name="message" type="xs:string"/></xs:sequence></xs:complexType>"#);
    x.push_str(r#"<xs:element name="ValidationFault"><xs:complexType><xs:sequence><xs:element name="error" type="tns:FieldError" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>"#);
}

/// The declarations of a service's fields, in definition order.
fn field_elements(x: &mut String, service: &Service) {
    for field in &service.fields {
        field_element(x, field, &service.fields);
    }
}

fn service_elements(x: &mut String, service: &Service) {
    let op = service.submit_operation();
    if let Some(simulation) = &service.simulation {
        // A simulation: the form's fields in, the results out; no requester,
        // no request, no request file.
        let _ = write!(x, r#"<xs:element name="{op}">"#);
        doc(x, &describe::service(service));
        x.push_str("<xs:complexType><xs:sequence>");
        field_elements(x, service);
        x.push_str("</xs:sequence></xs:complexType></xs:element>");
        let _ = write!(x, r#"<xs:element name="{op}Response">"#);
        let names: Vec<String> = simulation
            .results
            .iter()
            .map(|r| format!("{} ({})", r.name, r.label))
            .collect();
        doc(
            x,
            &format!("Les résultats, dans l'ordre : {}.", names.join(", ")),
        );
        x.push_str(r#"<xs:complexType><xs:sequence><xs:element name="result" type="tns:SimulationResult" maxOccurs="unbounded"/>"#);
        x.push_str(r#"<xs:element name="continueWith" type="xs:string" minOccurs="0"><xs:annotation><xs:documentation xml:lang="fr">Le téléservice qui fait suite (son code), s'il y en a un.</xs:documentation></xs:annotation></xs:element>"#);
        x.push_str("</xs:sequence></xs:complexType></xs:element>");
        return;
    }
    let _ = write!(x, r#"<xs:element name="{op}">"#);
    doc(x, &describe::service(service));
    x.push_str(
        r#"<xs:complexType><xs:sequence><xs:element name="requester" type="tns:Requester"/>"#,
    );
    field_elements(x, service);
    x.push_str("</xs:sequence></xs:complexType></xs:element>");
    let _ = write!(
        x,
        r#"<xs:element name="{op}Response"><xs:complexType><xs:sequence><xs:element name="receipt" type="tns:SubmissionReceipt"/></xs:sequence></xs:complexType></xs:element>"#
    );
    let _ = write!(x, r#"<xs:element name="{}File">"#, service.operation);
    doc(x, &format!("Fichier de demande : {}", service.title));
    x.push_str(r#"<xs:complexType><xs:sequence><xs:element name="reference" type="tns:Reference"/><xs:element name="service" type="xs:string"/><xs:element name="serviceVersion" type="xs:positiveInteger"/><xs:element name="channel" type="tns:Channel"/><xs:element name="submittedAt" type="xs:dateTime"/><xs:element name="dueDate" type="xs:date"/><xs:element name="step" type="xs:string"/><xs:element name="requester" type="tns:Requester"/>"#);
    field_elements(x, service);
    x.push_str("</xs:sequence></xs:complexType></xs:element>");
}

/// A field's declaration; `siblings` are the fields beside it (its
/// condition names one of them).
fn field_element(x: &mut String, field: &Field, siblings: &[Field]) {
    if field.kind == FieldType::Group {
        // One element per row, holding the row's fields.
        let min = if field.when.is_some() {
            0
        } else {
            field.facets.min_items.unwrap_or(0)
        };
        let _ = write!(
            x,
            r#"<xs:element name="{}" minOccurs="{min}" maxOccurs="{}">"#,
            field.name,
            field.facets.max_items.unwrap_or(1)
        );
        field_doc(x, field, siblings);
        x.push_str("<xs:complexType><xs:sequence>");
        for f in &field.fields {
            field_element(x, f, &field.fields);
        }
        x.push_str("</xs:sequence></xs:complexType></xs:element>");
        return;
    }
    let min = if field.when.is_some() {
        // Required only when its condition holds: said in its documentation.
        0
    } else if field.kind == FieldType::MultipleChoice {
        if field.required {
            field.facets.min_items.unwrap_or(1)
        } else {
            0
        }
    } else {
        usize::from(field.required)
    };
    let max = if field.kind == FieldType::MultipleChoice {
        field
            .facets
            .max_items
            .unwrap_or(field.options.len())
            .to_string()
    } else if field.kind == FieldType::File {
        field.facets.max_items.unwrap_or(1).to_string()
    } else {
        "1".to_owned()
    };
    let mut attrs = format!(r#"name="{}""#, field.name);
    if min != 1 {
        let _ = write!(attrs, r#" minOccurs="{min}""#);
    }
    if max != "1" {
        let _ = write!(attrs, r#" maxOccurs="{max}""#);
    }
    let facets = &field.facets;
    let named = match field.kind {
        FieldType::Email => Some("tns:Email"),
        FieldType::Phone => Some("tns:FrenchPhone"),
        FieldType::PostalCode => Some("tns:FrenchPostalCode"),
        FieldType::Date => Some("xs:date"),
        FieldType::Time => Some("xs:time"),
        FieldType::Boolean => Some("xs:boolean"),
        FieldType::Address => Some("tns:Address"),
        FieldType::Siren => Some("tns:Siren"),
        FieldType::Siret => Some("tns:Siret"),
        FieldType::Iban => Some("tns:Iban"),
        FieldType::Bic => Some("tns:Bic"),
        FieldType::Country => Some("tns:Country"),
        FieldType::CadastralParcel => Some("tns:CadastralParcel"),
        FieldType::PartialDate => Some("tns:PartialDate"),
        FieldType::Commune => Some("tns:InseeCommune"),
        FieldType::File => Some("tns:File"),
        FieldType::Amount if facets.min.is_none() && facets.max.is_none() => Some("tns:Amount"),
        _ => None,
    };
    // Named types take no extra facets here, except an e-mail's length.
    if let Some(t) = named {
        let _ = write!(x, r#"<xs:element {attrs} type="{t}">"#);
        field_doc(x, field, siblings);
        x.push_str("</xs:element>");
        return;
    }
    let _ = write!(x, "<xs:element {attrs}>");
    field_doc(x, field, siblings);
    x.push_str("<xs:simpleType>");
    match field.kind {
        FieldType::Text | FieldType::LongText => {
            x.push_str(r#"<xs:restriction base="xs:string">"#);
            if let Some(l) = facets.length {
                let _ = write!(x, r#"<xs:length value="{l}"/>"#);
            } else {
                let min_length = facets.min_length.unwrap_or(usize::from(field.required));
                if min_length > 0 {
                    let _ = write!(x, r#"<xs:minLength value="{min_length}"/>"#);
                }
                let default_max = if field.kind == FieldType::Text {
                    TEXT_MAX
                } else {
                    LONG_TEXT_MAX
                };
                let _ = write!(
                    x,
                    r#"<xs:maxLength value="{}"/>"#,
                    facets.max_length.unwrap_or(default_max)
                );
            }
            if let Some(p) = &facets.pattern {
                let _ = write!(x, r#"<xs:pattern value="{}"/>"#, escape(&p.source));
            }
        }
        FieldType::Integer => {
            let fits_int =
                |b: &Option<String>| b.as_ref().and_then(|v| v.parse::<i32>().ok()).is_some();
            let base = if fits_int(&facets.min) && fits_int(&facets.max) {
                "xs:int"
            } else {
                "xs:long"
            };
            let _ = write!(x, r#"<xs:restriction base="{base}">"#);
            bounds(x, field);
        }
        FieldType::Decimal => {
            x.push_str(r#"<xs:restriction base="xs:decimal">"#);
            if let Some(d) = facets.fraction_digits {
                let _ = write!(x, r#"<xs:fractionDigits value="{d}"/>"#);
            }
            bounds(x, field);
        }
        FieldType::Amount => {
            x.push_str(r#"<xs:restriction base="tns:Amount">"#);
            bounds(x, field);
        }
        FieldType::Choice | FieldType::MultipleChoice => {
            x.push_str(r#"<xs:restriction base="xs:string">"#);
            for option in &field.options {
                let _ = write!(
                    x,
                    r#"<xs:enumeration value="{}"><xs:annotation><xs:documentation xml:lang="fr">{}</xs:documentation></xs:annotation></xs:enumeration>"#,
                    escape(&option.value),
                    escape(&option.label)
                );
            }
        }
        _ => unreachable!("named types are handled above"),
    }
    x.push_str("</xs:restriction></xs:simpleType></xs:element>");
}

fn bounds(x: &mut String, field: &Field) {
    if let Some(min) = &field.facets.min {
        let _ = write!(x, r#"<xs:minInclusive value="{}"/>"#, escape(min));
    }
    if let Some(max) = &field.facets.max {
        let _ = write!(x, r#"<xs:maxInclusive value="{}"/>"#, escape(max));
    }
}

/// A field's annotation: the words of its documentation page (label, help,
/// required or not, limits, allowed values), from `core::describe`.
fn field_doc(x: &mut String, field: &Field, siblings: &[Field]) {
    doc(x, &describe::field(field, siblings));
}

/// The WSDL document of the services offered to `audience`, with
/// [`ADDRESS_PLACEHOLDER`] where the endpoint goes.
pub fn wsdl(tenant: &Tenant, audience: Audience) -> String {
    let ns = escape(&tenant.namespace()).into_owned();
    let mut operations: Vec<(String, String, bool)> = tenant
        .offered(audience)
        .map(|s| (s.submit_operation(), describe::service(s), true))
        .collect();
    operations.push((
        LIST_SERVICES.into(),
        "Liste des téléservices en ligne.".into(),
        false,
    ));
    operations.push((
        GET_REQUEST_STATUS.into(),
        "Suivi d'une demande par son code de suivi : état, étapes, date limite et messages.".into(),
        true,
    ));
    operations.push((
        REPLY_TO_REQUEST.into(),
        "Message du demandeur à la mairie au sujet de sa demande, par son code de suivi.".into(),
        true,
    ));

    let mut x = String::with_capacity(64 * 1024);
    x.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    x.push('\n');
    let _ = write!(
        x,
        r#"<wsdl:definitions name="Guichet" targetNamespace="{ns}" xmlns:tns="{ns}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:xs="http://www.w3.org/2001/XMLSchema">"#
    );
    let _ = write!(
        x,
        "<wsdl:documentation>Téléservices de {} (Guichet). Schéma : xsd/{}.xsd</wsdl:documentation>",
        escape(&tenant.name),
        tenant.slug
    );
    x.push_str("<wsdl:types>");
    x.push_str(&schema_of(tenant, &services(tenant, audience), true));
    x.push_str("</wsdl:types>");
    for (op, _, _) in &operations {
        let _ = write!(
            x,
            r#"<wsdl:message name="{op}Input"><wsdl:part name="parameters" element="tns:{op}"/></wsdl:message><wsdl:message name="{op}Output"><wsdl:part name="parameters" element="tns:{op}Response"/></wsdl:message>"#
        );
    }
    x.push_str(r#"<wsdl:message name="ValidationFault"><wsdl:part name="fault" element="tns:ValidationFault"/></wsdl:message>"#);
    x.push_str(r#"<wsdl:portType name="Teleservices">"#);
    for (op, title, faults) in &operations {
        let _ = write!(
            x,
            r#"<wsdl:operation name="{op}"><wsdl:documentation>{}</wsdl:documentation><wsdl:input message="tns:{op}Input"/><wsdl:output message="tns:{op}Output"/>"#,
            escape(title)
        );
        if *faults {
            x.push_str(r#"<wsdl:fault name="ValidationFault" message="tns:ValidationFault"/>"#);
        }
        x.push_str("</wsdl:operation>");
    }
    x.push_str("</wsdl:portType>");
    for (binding, prefix, extra) in [
        ("TeleservicesSoap11", "soap", ""),
        (
            "TeleservicesSoap12",
            "soap12",
            r#" soapActionRequired="false""#,
        ),
    ] {
        let _ = write!(
            x,
            r#"<wsdl:binding name="{binding}" type="tns:Teleservices"><{prefix}:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>"#
        );
        for (op, _, faults) in &operations {
            let _ = write!(
                x,
                r#"<wsdl:operation name="{op}"><{prefix}:operation soapAction="{ns}:{op}" style="document"{extra}/><wsdl:input><{prefix}:body use="literal"/></wsdl:input><wsdl:output><{prefix}:body use="literal"/></wsdl:output>"#
            );
            if *faults {
                let _ = write!(
                    x,
                    r#"<wsdl:fault name="ValidationFault"><{prefix}:fault name="ValidationFault" use="literal"/></wsdl:fault>"#
                );
            }
            x.push_str("</wsdl:operation>");
        }
        x.push_str("</wsdl:binding>");
    }
    let _ = write!(
        x,
        r#"<wsdl:service name="Guichet"><wsdl:port name="TeleservicesSoap11Port" binding="tns:TeleservicesSoap11"><soap:address location="{ADDRESS_PLACEHOLDER}"/></wsdl:port><wsdl:port name="TeleservicesSoap12Port" binding="tns:TeleservicesSoap12"><soap12:address location="{ADDRESS_PLACEHOLDER}"/></wsdl:port></wsdl:service>"#
    );
    x.push_str("</wsdl:definitions>\n");
    x
}

/// A complete SOAP 1.1 envelope submitting `entries` (a service's example)
/// to `service`, indented for reading: what the webmasters' documentation
/// shows, and what its tests send.
pub fn example_envelope(
    tenant: &Tenant,
    service: &crate::core::catalogue::Service,
    entries: &[(String, crate::core::forms::RawValue)],
) -> String {
    use crate::core::forms::RawValue;
    fn write(out: &mut String, entries: &[(String, RawValue)], depth: usize) {
        for (name, value) in entries {
            let indent = "  ".repeat(depth);
            match value {
                RawValue::Text(t) => {
                    out.push_str(&format!("{indent}<g:{name}>{}</g:{name}>\n", escape(t)));
                }
                RawValue::Group(items) => {
                    out.push_str(&format!("{indent}<g:{name}>\n"));
                    write(out, items, depth + 1);
                    out.push_str(&format!("{indent}</g:{name}>\n"));
                }
                RawValue::File(f) => {
                    use base64::Engine;
                    let content = base64::engine::general_purpose::STANDARD.encode(&f.bytes);
                    out.push_str(&format!(
                        "{indent}<g:{name} fileName=\"{}\">{content}</g:{name}>\n",
                        escape(&f.file_name)
                    ));
                }
            }
        }
    }
    let operation = service.submit_operation();
    let mut body = String::new();
    write(&mut body, entries, 3);
    format!(
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"\n               xmlns:g=\"{}\">\n  <soap:Body>\n    <g:{operation}>\n{body}    </g:{operation}>\n  </soap:Body>\n</soap:Envelope>\n",
        escape(&tenant.namespace())
    )
}
