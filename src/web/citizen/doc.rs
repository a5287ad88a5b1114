//! A service's documentation for the town's webmaster
//! (`/T/services/CODE/doc`): its SOAP operation and endpoint, every
//! parameter (path, type, required, limits, allowed values with their
//! labels, help), its delay and coherence rules in words (`core::describe`,
//! whose words the WSDL's annotations carry too), a complete example
//! envelope the server accepts, ready-to-paste PHP `SoapClient` and Python `zeep`
//! calls, the iframe to embed its form, and the faults it may return.

use crate::core::catalogue::{ADDRESS_PARTS, Field, FieldType, REQUESTER_FIELDS, Service};
use crate::core::describe;
use crate::core::forms::{REQUESTER, RawValue};
use crate::web::route::Ctx;
use crate::web::view::{Desk, Xml, service_title};
use crate::web::{Body, not_found, page};
use hyper::{Response, StatusCode};

pub(super) async fn doc(cx: &Ctx<'_>) -> Response<Body> {
    let (site, frame, req) = (cx.site, cx.frame, cx.req);
    let Some(service) = site
        .tenant
        .offer(frame.desk.audience(), cx.param("code"))
        .cloned()
    else {
        return not_found(site, frame, req);
    };
    let today = cx.app.now().to_zoned(site.tenant.time_zone.clone()).date();
    let entries = crate::usecases::appointments::example(cx.app, site, &service, today).await;
    let envelope = (site.documents.example)(&site.tenant, &service, &entries);
    let v = doc_view(cx, &service, &envelope, &entries);
    page(site, frame, req, StatusCode::OK, "doc.xsl", v, false)
}

fn doc_view(
    cx: &Ctx<'_>,
    service: &Service,
    envelope: &str,
    entries: &[(String, RawValue)],
) -> String {
    let frame = cx.frame;
    let origin = cx.app.config.public_url.as_deref().unwrap_or(cx.req.origin);
    let endpoint = format!("{origin}{}{}", frame.base, frame.desk.soap_path());
    let wsdl = format!("{endpoint}?wsdl");
    let form = format!(
        "{origin}{}{}/services/{}",
        frame.base,
        frame.desk.prefix(),
        service.code
    );
    let title = service_title(service, frame.lang);
    let mut x = Xml::new();
    frame.begin(
        &mut x,
        "doc",
        &frame.format("doc.title", &[("service", title)]),
    );
    let operation = service.submit_operation();
    x.open(
        "service-doc",
        &[
            ("code", &service.code),
            ("operation", &operation),
            ("endpoint", &endpoint),
            ("wsdl", &wsdl),
            ("form", &form),
        ],
    );
    x.text("title", &[], title);
    if !service.description.is_empty() {
        x.text("description", &[("lang", "fr")], &service.description);
    }
    x.text("deadline", &[("lang", "fr")], &describe::deadline(service));
    if let Some(words) = describe::booking(service) {
        x.text("booking", &[("lang", "fr")], &words);
    }
    // The requester's type is shared by every operation: its conditions
    // are worded over every kind, as the WSDL's annotations are.
    for field in &service.requester_fields() {
        parameter(
            &mut x,
            field,
            &format!("{REQUESTER}/{}", field.name),
            &REQUESTER_FIELDS,
        );
    }
    for field in &service.fields {
        parameter(&mut x, field, &field.name, &service.fields);
        // A group's fields, under the group's element (repeated per row).
        for f in &field.fields {
            parameter(
                &mut x,
                f,
                &format!("{}/{}", field.name, f.name),
                &field.fields,
            );
        }
    }
    for (rule, words) in describe::rules(service) {
        x.text("rule", &[("code", &rule.code), ("lang", "fr")], &words);
    }
    x.text("example", &[], envelope);
    // At the test desk the endpoint wants the agent's credentials (HTTP
    // Basic): the snippets say so, the password read from the environment.
    let login = match frame.desk {
        Desk::Testers => cx.session.as_ref().map(|s| s.record.agent.login.as_str()),
        Desk::Public | Desk::Intake(_) => None,
    };
    let lists = repeated(service);
    let simulation = service.simulation.is_some();
    x.text(
        "php",
        &[],
        &php(&wsdl, &operation, entries, login, &lists, simulation),
    );
    x.text(
        "zeep",
        &[],
        &zeep(&wsdl, &operation, entries, login, &lists, simulation),
    );
    x.text(
        "iframe",
        &[],
        &format!(
            "<iframe src=\"{form}\" title=\"{}\" style=\"width: 100%; border: 0; min-height: 40rem\"></iframe>\n<script src=\"{origin}{}/assets/embed.js\" async></script>",
            crate::xml::escape(title),
            frame.base
        ),
    );
    x.close("service-doc");
    x.close("page");
    x.finish()
}

/// One parameter: its path in the envelope, its type and limits, its
/// allowed values; an address gives one parameter per part.
fn parameter(x: &mut Xml, field: &Field, path: &str, siblings: &[Field]) {
    if field.kind == FieldType::Address {
        for (part, label, required, max_length) in ADDRESS_PARTS {
            let max = max_length.to_string();
            let required = if required && field.required {
                "true"
            } else {
                "false"
            };
            x.open(
                "parameter",
                &[
                    ("path", &format!("{path}/{part}")),
                    ("type", "text"),
                    ("required", required),
                    ("max-length", &max),
                ],
            );
            x.text(
                "label",
                &[("lang", "fr")],
                &format!("{} : {label}", field.label),
            );
            x.text(
                "limit",
                &[("lang", "fr")],
                &describe::max_length(max_length),
            );
            x.close("parameter");
        }
        return;
    }
    let max_length = field.facets.max_length.map(|m| m.to_string());
    let mut attrs = vec![
        ("path", path),
        ("type", field.kind.name()),
        ("required", if field.required { "true" } else { "false" }),
    ];
    if let Some(m) = &max_length {
        attrs.push(("max-length", m));
    }
    if let Some(m) = &field.facets.min {
        attrs.push(("min", m));
    }
    if let Some(m) = &field.facets.max {
        attrs.push(("max", m));
    }
    if let Some(p) = &field.facets.pattern {
        attrs.push(("pattern", &p.source));
    }
    x.open("parameter", &attrs);
    x.text("label", &[("lang", "fr")], &field.label);
    if let Some(help) = &field.help {
        x.text("help", &[("lang", "fr")], help);
    }
    for limit in describe::condition(field, siblings)
        .into_iter()
        .chain(describe::limits(field))
    {
        x.text("limit", &[("lang", "fr")], &limit);
    }
    for option in &field.options {
        x.text(
            "option",
            &[("value", &option.value), ("lang", "fr")],
            &option.label,
        );
    }
    x.close("parameter");
}

/// The service's elements that may repeat (groups' rows, multiple
/// choices): the snippets give them as lists.
fn repeated(service: &Service) -> Vec<&str> {
    service
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldType::Group | FieldType::MultipleChoice))
        .map(|f| f.name.as_str())
        .collect()
}

/// Entries with one name together, in the order of their first: an
/// element given once, or each of its repetitions.
fn collapsed(entries: &[(String, RawValue)]) -> Vec<(&str, Vec<&RawValue>)> {
    let mut out: Vec<(&str, Vec<&RawValue>)> = Vec::new();
    for (k, v) in entries {
        match out.iter_mut().find(|(n, _)| n == k) {
            Some((_, values)) => values.push(v),
            None => out.push((k, vec![v])),
        }
    }
    out
}

fn php_value(value: &RawValue, depth: usize, lists: &[&str]) -> String {
    match value {
        RawValue::Text(t) => format!("'{}'", t.replace('\\', "\\\\").replace('\'', "\\'")),
        // PHP's SoapClient encodes the bytes as base64 itself.
        RawValue::File(f) => format!(
            "['_' => file_get_contents('{0}'), 'fileName' => '{0}']",
            f.file_name
        ),
        RawValue::Group(items) => {
            let indent = "    ".repeat(depth + 1);
            let inner: Vec<String> = collapsed(items)
                .into_iter()
                .map(|(k, values)| {
                    let shown = if lists.contains(&k) || values.len() > 1 {
                        let rows: Vec<String> = values
                            .iter()
                            .map(|v| php_value(v, depth + 1, &[]))
                            .collect();
                        format!("[{}]", rows.join(", "))
                    } else {
                        php_value(values[0], depth + 1, &[])
                    };
                    format!("{indent}'{k}' => {shown},")
                })
                .collect();
            format!("[\n{}\n{}]", inner.join("\n"), "    ".repeat(depth))
        }
    }
}

fn php(
    wsdl: &str,
    operation: &str,
    entries: &[(String, RawValue)],
    login: Option<&str>,
    lists: &[&str],
    simulation: bool,
) -> String {
    let params = php_value(&RawValue::Group(entries.to_vec()), 1, lists);
    let options = match login {
        Some(login) => format!(
            "['exceptions' => true, 'login' => '{login}', 'password' => getenv('GUICHET_PASSWORD')]"
        ),
        None => "['exceptions' => true]".to_owned(),
    };
    if simulation {
        return format!(
            "<?php\n$client = new SoapClient('{wsdl}', {options});\ntry {{\n    $answer = $client->{operation}({params});\n    foreach (is_array($answer->result) ? $answer->result : [$answer->result] as $result) {{\n        echo $result->name, ' ', $result->value, \"\\n\";\n    }}\n}} catch (SoapFault $fault) {{\n    // $fault->detail->ValidationFault->error: each bad field, with its code and message.\n    echo $fault->getMessage(), \"\\n\";\n}}\n"
        );
    }
    format!(
        "<?php\n$client = new SoapClient('{wsdl}', {options});\ntry {{\n    $receipt = $client->{operation}({params})->receipt;\n    echo $receipt->reference, ' ', $receipt->trackingCode, \"\\n\";\n}} catch (SoapFault $fault) {{\n    // $fault->detail->ValidationFault->error: each bad field, with its code and message.\n    echo $fault->getMessage(), \"\\n\";\n}}\n"
    )
}

fn py_value(value: &RawValue, depth: usize) -> String {
    match value {
        RawValue::Text(t) => format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")),
        // zeep: the element's content under `_value_1`, bytes it encodes.
        RawValue::File(f) => format!(
            "{{\"_value_1\": open(\"{0}\", \"rb\").read(), \"fileName\": \"{0}\"}}",
            f.file_name
        ),
        RawValue::Group(items) => {
            let indent = "    ".repeat(depth + 1);
            let inner: Vec<String> = collapsed(items)
                .into_iter()
                .map(|(k, values)| {
                    format!("{indent}\"{k}\": {},", py_values(&values, false, depth + 1))
                })
                .collect();
            format!("{{\n{}\n{}}}", inner.join("\n"), "    ".repeat(depth))
        }
    }
}

/// A value given once, or a list of them (an element that may repeat).
fn py_values(values: &[&RawValue], list: bool, depth: usize) -> String {
    if list || values.len() > 1 {
        let items: Vec<String> = values.iter().map(|v| py_value(v, depth)).collect();
        format!("[{}]", items.join(", "))
    } else {
        py_value(values[0], depth)
    }
}

fn zeep(
    wsdl: &str,
    operation: &str,
    entries: &[(String, RawValue)],
    login: Option<&str>,
    lists: &[&str],
    simulation: bool,
) -> String {
    let args: Vec<String> = collapsed(entries)
        .into_iter()
        .map(|(k, values)| format!("        {k}={},", py_values(&values, lists.contains(&k), 2)))
        .collect();
    let client = match login {
        Some(login) => format!(
            "import os\n\nimport requests\nimport zeep\nfrom zeep.transports import Transport\n\nsession = requests.Session()\nsession.auth = (\"{login}\", os.environ[\"GUICHET_PASSWORD\"])\nclient = zeep.Client(\"{wsdl}\", transport=Transport(session=session))"
        ),
        None => format!("import zeep\n\nclient = zeep.Client(\"{wsdl}\")"),
    };
    if simulation {
        return format!(
            "{client}\ntry:\n    answer = client.service.{operation}(\n{}\n    )\n    for result in answer.result:\n        print(result.name, result.value)\nexcept zeep.exceptions.Fault as fault:\n    # fault.detail: the ValidationFault, each bad field with its code and message.\n    print(fault.message)\n",
            args.join("\n")
        );
    }
    format!(
        "{client}\ntry:\n    receipt = client.service.{operation}(\n{}\n    )\n    print(receipt.reference, receipt.trackingCode)\nexcept zeep.exceptions.Fault as fault:\n    # fault.detail: the ValidationFault, each bad field with its code and message.\n    print(fault.message)\n",
        args.join("\n")
    )
}
