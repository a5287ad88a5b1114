//! Exchange with business software: a stored request written as an XML
//! request file, valid against its service's schema (`/T/xsd/CODE.xsd`).

use crate::core::catalogue::{ADDRESS_PARTS, Field, FieldType, REQUESTER_FIELDS, Service};
use crate::core::tenant::Tenant;
use crate::store::StoredRequest;
use crate::tenant::dates::xs_date_time;
use crate::xml::{escape, push_text_element};

/// The request file of a stored request, under the definition version it was
/// submitted with.
pub fn request_file(tenant: &Tenant, service: &Service, stored: &StoredRequest) -> String {
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
    write_fields(&mut out, &REQUESTER_FIELDS, &stored.rows, "requester/");
    out.push_str("</requester>");
    write_fields(&mut out, &service.fields, &stored.rows, "");
    out.push_str("</");
    out.push_str(&root);
    out.push_str(">\n");
    out
}

fn write_fields(out: &mut String, fields: &[Field], rows: &[(String, String)], prefix: &str) {
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
                write_fields(out, &field.fields, rows, &row);
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
        } else {
            for (_, value) in rows.iter().filter(|(p, _)| *p == path) {
                push_text_element(out, &field.name, value);
            }
        }
    }
}
