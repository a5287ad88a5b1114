//! Exchange with business software: a stored request written as an XML
//! request file, valid against its service's schema (`/T/xsd/CODE.xsd`).
//! Its files are inside it, as in a SOAP call: each file field's element
//! holds the file in base64, with `fileName` and `mediaType` (the type
//! Guichet found in the content).

use crate::core::catalogue::{ADDRESS_PARTS, Field, FieldType, REQUESTER_FIELDS, Service};
use crate::core::tenant::Tenant;
use crate::store::StoredRequest;
use crate::tenant::dates::xs_date_time;
use crate::xml::{escape, push_text_element};

/// The request file of a stored request, under the definition version it was
/// submitted with.
/// `blob` gives a kept file's bytes by digest.
pub fn request_file(
    tenant: &Tenant,
    service: &Service,
    stored: &StoredRequest,
    blob: &dyn Fn(&str) -> Option<bytes::Bytes>,
) -> String {
    let r = &stored.record;
    let root = format!("{}File", service.operation);
    let mut out = String::with_capacity(2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<");
    out.push_str(&root);
    out.push_str(" xmlns=\"");
    out.push_str(&escape(&tenant.namespace()));
    out.push_str("\">");
    push_text_element(&mut out, "reference", &r.reference.to_string());
    push_text_element(&mut out, "service", &r.service_code);
    push_text_element(&mut out, "serviceVersion", &r.service_version.to_string());
    push_text_element(&mut out, "channel", &r.channel);
    push_text_element(
        &mut out,
        "submittedAt",
        &xs_date_time(r.submitted_at, &tenant.time_zone),
    );
    push_text_element(&mut out, "dueDate", &r.due_date.to_string());
    push_text_element(&mut out, "step", &r.step);
    out.push_str("<requester>");
    let files = Files {
        attached: &r.attachments,
        blob,
    };
    write_fields(
        &mut out,
        &REQUESTER_FIELDS,
        &stored.rows,
        "requester/",
        &files,
    );
    out.push_str("</requester>");
    write_fields(&mut out, &service.fields, &stored.rows, "", &files);
    out.push_str("</");
    out.push_str(&root);
    out.push_str(">\n");
    out
}

/// A request's kept files and where their bytes are.
struct Files<'a> {
    attached: &'a [crate::core::files::Attached],
    blob: &'a dyn Fn(&str) -> Option<bytes::Bytes>,
}

fn write_fields(
    out: &mut String,
    fields: &[Field],
    rows: &[(String, String)],
    prefix: &str,
    files: &Files<'_>,
) {
    for field in fields {
        let path = format!("{prefix}{}", field.name);
        if field.kind == FieldType::Group {
            // Rows stored as GROUP/N/FIELD: one element per row, in order.
            for n in 1.. {
                let row = format!("{path}/{n}/");
                if !rows.iter().any(|(p, _)| p.starts_with(&row)) {
                    break;
                }
                out.push('<');
                out.push_str(&field.name);
                out.push('>');
                write_fields(out, &field.fields, rows, &row, files);
                out.push_str("</");
                out.push_str(&field.name);
                out.push('>');
            }
        } else if field.kind == FieldType::Address {
            let parts: Vec<(&str, &str)> = ADDRESS_PARTS
                .iter()
                .filter_map(|(part, ..)| {
                    let sub = format!("{path}/{part}");
                    rows.iter()
                        .find(|(p, _)| *p == sub)
                        .map(|(_, v)| (*part, v.as_str()))
                })
                .collect();
            if !parts.is_empty() {
                out.push('<');
                out.push_str(&field.name);
                out.push('>');
                for (part, value) in parts {
                    push_text_element(out, part, value);
                }
                out.push_str("</");
                out.push_str(&field.name);
                out.push('>');
            }
        } else if field.kind == FieldType::File {
            use base64::Engine;
            // Each row is a file's digest.
            for (_, digest) in rows.iter().filter(|(p, _)| *p == path) {
                let Some(file) = files
                    .attached
                    .iter()
                    .find(|a| a.sha256 == *digest && a.field.as_deref() == Some(&field.name))
                else {
                    continue;
                };
                let content = (files.blob)(digest)
                    .map(|b| base64::engine::general_purpose::STANDARD.encode(&b))
                    .unwrap_or_default();
                out.push('<');
                out.push_str(&field.name);
                out.push_str(" fileName=\"");
                out.push_str(&escape(&file.name));
                out.push_str("\" mediaType=\"");
                out.push_str(&escape(&file.media_type));
                out.push_str("\">");
                out.push_str(&content);
                out.push_str("</");
                out.push_str(&field.name);
                out.push('>');
            }
        } else {
            for (_, value) in rows.iter().filter(|(p, _)| *p == path) {
                push_text_element(out, &field.name, value);
            }
        }
    }
}
