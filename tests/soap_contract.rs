//! The SOAP contract, through real HTTP on a real socket.
//!
//! Golden files: each `tests/soap/NAME.request.xml` is posted (SOAP 1.2 when
//! NAME contains `soap12`, else 1.1) and the status, content type and body are
//! compared with `NAME.response.txt`; the WSDL is compared with
//! `wsdl/demoville.wsdl`. `UPDATE_GOLDEN=1 cargo test` rewrites them.

mod common;

use common::*;
use std::path::Path;

fn golden(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run UPDATE_GOLDEN=1 cargo test",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "{} differs from the server's answer (UPDATE_GOLDEN=1 cargo test to accept):\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        );
    }
}

/// Pretty-prints XML so golden diffs are readable (one element per line).
fn indent(xml: &str) -> String {
    let mut out = String::new();
    let mut depth: usize = 0;
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        let end = rest[start..]
            .find('>')
            .map(|e| start + e + 1)
            .unwrap_or(rest.len());
        let tag = &rest[start..end];
        rest = &rest[end..];
        if tag.starts_with("</") {
            depth = depth.saturating_sub(1);
            if text.is_empty() {
                out.push_str(&"  ".repeat(depth));
            }
            out.push_str(text);
            out.push_str(tag);
            out.push('\n');
        } else {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&"  ".repeat(depth));
            out.push_str(tag);
            let self_closing = tag.ends_with("/>") || tag.starts_with("<?");
            if !self_closing {
                depth += 1;
                // Text followed by its closing tag stays on one line.
                if let Some(close) = rest.find('<')
                    && rest[close..].starts_with("</")
                {
                    continue;
                }
            }
            out.push('\n');
        }
    }
    out
}

#[test]
fn golden_soap_exchanges() {
    let server = Server::start();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/soap");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".request.xml").map(str::to_owned))
        .collect();
    names.sort();
    assert!(
        names.len() >= 15,
        "golden cases missing in {}",
        dir.display()
    );
    for name in names {
        let request = std::fs::read(dir.join(format!("{name}.request.xml"))).unwrap();
        let content_type = if name.contains("soap12") {
            "application/soap+xml; charset=utf-8"
        } else {
            "text/xml; charset=utf-8"
        };
        let r = server.post("/demoville/soap", content_type, &request);
        let actual = format!(
            "status: {}\ncontent-type: {}\n\n{}",
            r.status,
            r.header("content-type").unwrap_or(""),
            indent(&r.body)
        );
        golden(&dir.join(format!("{name}.response.txt")), &actual);
    }
}

#[test]
fn wsdl_is_golden_and_points_at_the_address_used() {
    let server = Server::start();
    let r = server.get("/demoville/soap?wsdl");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/xml; charset=utf-8"));
    golden(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("wsdl/demoville.wsdl"),
        &r.body,
    );

    let other = server.raw(b"GET /demoville/soap?WSDL HTTP/1.1\r\nHost: mairie.example:9443\r\nConnection: close\r\n\r\n");
    assert!(
        other
            .body
            .contains(r#"<soap:address location="http://mairie.example:9443/demoville/soap"/>"#)
    );
    assert!(
        other
            .body
            .contains(r#"<soap12:address location="http://mairie.example:9443/demoville/soap"/>"#)
    );
}

#[test]
fn wsdl_follows_ws_i_document_literal_wrapped() {
    let server = Server::start();
    let wsdl = server.get("/demoville/soap?wsdl").body;
    let doc = guichet::xml::parse(
        &wsdl,
        guichet::xml::Limits {
            max_depth: 64,
            max_elements: 100_000,
        },
    )
    .unwrap();
    let operations: Vec<&str> = doc
        .child("portType")
        .unwrap()
        .children_named("operation")
        .map(|o| o.attr("name").unwrap())
        .collect();
    // The library's order: by theme folder, then file.
    let mut expected: Vec<String> = guichet::core::builtin::services()
        .iter()
        .map(|s| s.submit_operation())
        .collect();
    assert!(expected.len() >= 40, "the whole catalogue");
    assert_eq!(
        expected[0], "SubmitCafChangeNotification",
        "aide-sociale first"
    );
    expected.extend([
        "ListServices".to_owned(),
        "GetRequestStatus".to_owned(),
        "ReplyToRequest".to_owned(),
    ]);
    assert_eq!(operations, expected);
    for message in doc.children_named("message") {
        let parts: Vec<_> = message.children_named("part").collect();
        assert_eq!(parts.len(), 1, "one part per message");
        assert!(parts[0].attr("element").is_some() && parts[0].attr("type").is_none());
        if message.attr("name").unwrap().ends_with("Input") {
            assert_eq!(parts[0].attr("name"), Some("parameters"));
            // The request wrapper is named after its operation.
            let op = message.attr("name").unwrap().trim_end_matches("Input");
            assert_eq!(parts[0].attr("element"), Some(format!("tns:{op}").as_str()));
        }
    }
    let schema = doc.child("types").unwrap().child("schema").unwrap();
    assert_eq!(schema.attr("elementFormDefault"), Some("qualified"));
    let bindings: Vec<_> = doc.children_named("binding").collect();
    assert_eq!(bindings.len(), 2);
    assert!(
        bindings[0].child("binding").unwrap().ns.as_deref()
            == Some("http://schemas.xmlsoap.org/wsdl/soap/")
    );
    assert!(
        bindings[1].child("binding").unwrap().ns.as_deref()
            == Some("http://schemas.xmlsoap.org/wsdl/soap12/")
    );
    let ports: Vec<_> = doc
        .child("service")
        .unwrap()
        .children_named("port")
        .collect();
    assert_eq!(ports.len(), 2);
}

/// The words of an XSD declaration's `xs:annotation/xs:documentation`.
fn documentation(e: &guichet::xml::Element) -> &str {
    e.child("annotation")
        .and_then(|a| a.child("documentation"))
        .map_or("", |d| d.text.as_str())
}

/// The element named `name` in the sequence of a complex type.
fn declared<'a>(complex: &'a guichet::xml::Element, name: &str) -> &'a guichet::xml::Element {
    complex
        .child("sequence")
        .and_then(|s| {
            s.children_named("element")
                .find(|e| e.attr("name") == Some(name))
        })
        .unwrap_or_else(|| panic!("{name} is declared"))
}

#[test]
fn the_wsdl_documents_each_service_in_the_words_of_its_documentation_page() {
    let server = Server::start();
    let limits = guichet::xml::Limits {
        max_depth: 64,
        max_elements: 100_000,
    };
    let wsdl = guichet::xml::parse(&server.get("/demoville/soap?wsdl").body, limits).unwrap();
    let schema = wsdl.child("types").unwrap().child("schema").unwrap();
    let named = |kind: &'static str, name: &str| {
        schema
            .children_named(kind)
            .find(|e| e.attr("name") == Some(name))
            .unwrap_or_else(|| panic!("{kind} {name} in the WSDL's schema"))
    };
    let requester = named("complexType", "Requester");
    let address = named("complexType", "Address");
    for (file, text) in guichet::core::builtin::DEFINITIONS {
        let service = guichet::core::catalogue::Service::from_xml(text).unwrap();
        let operation = service.submit_operation();
        let view = server.get(&format!(
            "/demoville/services/{}/doc?format=xml",
            service.code
        ));
        assert_eq!(view.status, 200, "{file}");
        let page = guichet::xml::parse(&view.body, limits).unwrap();
        let doc = page.child("service-doc").expect("the documentation");
        assert_eq!(doc.attr("operation"), Some(operation.as_str()));

        // The operation and its wrapper: title, description, delay, rules.
        let said = wsdl
            .child("portType")
            .unwrap()
            .children_named("operation")
            .find(|o| o.attr("name") == Some(operation.as_str()))
            .and_then(|o| o.child("documentation"))
            .map(|d| d.text.clone())
            .unwrap_or_else(|| panic!("{operation} is documented"));
        let wrapper = named("element", &operation);
        let mut sentences: Vec<&str> = vec![&doc.child("title").unwrap().text];
        sentences.extend(doc.child("description").map(|d| d.text.as_str()));
        sentences.push(&doc.child("deadline").expect("the delay").text);
        let rules: Vec<&str> = doc
            .children_named("rule")
            .map(|r| r.text.as_str())
            .collect();
        assert!(!rules.is_empty(), "{file}: at least the requester's rule");
        sentences.extend(&rules);
        for sentence in &sentences {
            assert!(
                said.contains(sentence),
                "{operation}'s wsdl:documentation says {sentence:?}: {said}"
            );
            assert!(
                documentation(wrapper).contains(sentence),
                "{operation}'s xs:documentation says {sentence:?}"
            );
        }
        assert_eq!(documentation(wrapper), said, "one wording");

        // Each parameter: where it is declared, and what its annotation says.
        let wrapper_type = wrapper.child("complexType").unwrap();
        for parameter in doc.children_named("parameter") {
            let path = parameter.attr("path").unwrap();
            let segments: Vec<&str> = path.split('/').collect();
            let (mut container, mut rest) = match segments.as_slice() {
                ["requester", rest @ ..] => (requester, rest),
                rest => (wrapper_type, rest),
            };
            // A repeating group's fields are declared in its own type.
            while rest.len() > 1 {
                match declared(container, rest[0]).child("complexType") {
                    Some(row) => {
                        container = row;
                        rest = &rest[1..];
                    }
                    None => break,
                }
            }
            let limits: Vec<&str> = parameter
                .children_named("limit")
                .map(|l| l.text.as_str())
                .collect();
            let element = match rest {
                [name] => declared(container, name),
                [field, part] => {
                    // An address: the field says its label, the part its limits.
                    let label = &parameter.child("label").unwrap().text;
                    let field_label = label.split(" : ").next().unwrap();
                    assert!(
                        documentation(declared(container, field)).contains(field_label),
                        "{path}"
                    );
                    assert!(!limits.is_empty(), "{path} has a length");
                    let part = declared(address, part);
                    for limit in &limits {
                        assert!(documentation(part).contains(limit), "{path}: {limit}");
                    }
                    continue;
                }
                _ => panic!("{path}: an unexpected path"),
            };
            let words = documentation(element);
            let mut expected = vec![
                parameter.child("label").unwrap().text.clone(),
                guichet::core::describe::presence(parameter.attr("required") == Some("true"))
                    .to_owned(),
            ];
            expected.extend(parameter.child("help").map(|h| h.text.clone()));
            expected.extend(limits.iter().map(|l| l.to_string()));
            for option in parameter.children_named("option") {
                expected.push(format!(
                    "{} : {}",
                    option.attr("value").unwrap(),
                    option.text
                ));
            }
            for sentence in &expected {
                assert!(
                    words.contains(sentence.as_str()),
                    "{operation} {path}: the annotation says {sentence:?}: {words}"
                );
            }
        }
    }
    // What the page says of a few parameters, word for word.
    let view = server
        .get("/demoville/services/room-booking/doc?format=xml")
        .body;
    for sentence in [
        "<limit lang=\"fr\">Au moins 1.</limit><limit lang=\"fr\">Au plus 200.</limit>",
        "<limit lang=\"fr\">Au plus 160 caractères.</limit>",
        "<deadline lang=\"fr\">Délai de réponse : 10 jours au plus.</deadline>",
    ] {
        assert!(view.contains(sentence), "{sentence}: {view}");
    }
}

#[test]
fn schemas_are_served_and_compile_in_libxml2() {
    let server = Server::start();
    let temp = TempDir::new();
    for name in [
        "demoville",
        "birth-certificate",
        "school-enrolment",
        "road-incident",
        "room-booking",
        "change-of-address",
    ] {
        let r = server.get(&format!("/demoville/xsd/{name}.xsd"));
        assert_eq!(r.status, 200, "{name}");
        let xsd = temp.0.join(format!("{name}.xsd"));
        std::fs::write(&xsd, &r.body).unwrap();
        // A schema that does not compile makes xmllint fail with code 5
        // before it even looks at the document.
        let doc = temp.0.join("empty.xml");
        std::fs::write(&doc, "<nothing/>").unwrap();
        let out = xmllint(&[
            "--noout",
            "--schema",
            xsd.to_str().unwrap(),
            doc.to_str().unwrap(),
        ]);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{name}.xsd must compile: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(server.get("/demoville/xsd/nothing.xsd").status, 404);
}

pub fn xmllint(args: &[&str]) -> std::process::Output {
    std::process::Command::new("xmllint")
        .args(args)
        .output()
        .expect("xmllint is needed (Debian libxml2-utils): run scripts/test.sh, which installs it")
}

#[test]
fn http_methods_and_media_types() {
    let server = Server::start();
    let r = server.get("/demoville/soap");
    assert_eq!((r.status, r.header("allow")), (405, Some("POST")));
    let r = server.raw(b"PUT /demoville/soap HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, POST")));
    let r = server.post("/demoville/soap", "application/json", b"{}");
    assert_eq!(r.status, 415);
    let r = server.post("/demoville/soap", "", b"<x/>");
    assert_eq!(r.status, 415);
    let r = server.post("/demoville/soap", "text/xml; charset=ISO-8859-1", b"<x/>");
    assert_eq!(r.status, 415);
    assert_eq!(server.get("/nowhere/soap?wsdl").status, 404);
    assert_eq!(server.get("/health").body, "ok\n");
}

#[test]
fn oversized_and_slow_bodies_are_refused_and_nothing_is_stored() {
    let temp = TempDir::new();
    // The demo town's services take files: its SOAP bodies are bounded by
    // the upload limit.
    let limits = guichet::app::RequestLimits {
        max_body: 4096,
        max_upload: 4096,
        body_timeout: std::time::Duration::from_millis(300),
        ..Default::default()
    };
    let server = Server::start_in(&temp.0, limits);
    let big = envelope11(&road_incident(&"x".repeat(5000)));
    assert_eq!(server.soap11(&big).status, 413);
    // Chunked, without Content-Length: the limit still holds.
    let mut chunked = b"POST /demoville/soap HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    chunked.extend_from_slice(format!("{:x}\r\n{big}\r\n0\r\n\r\n", big.len()).as_bytes());
    assert_eq!(server.raw(&chunked).status, 413);
    // A body that never arrives in full gets 408, not a hung connection.
    let r = server.raw(b"POST /demoville/soap HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<soap:Envelope");
    assert_eq!(r.status, 408);
    let ok = server.soap11(&envelope11(&road_incident("Martin")));
    assert_eq!(
        ok.element("reference").as_deref(),
        Some("2026-000001"),
        "{}",
        ok.body
    );
}

#[test]
fn truncated_xml_gets_an_immediate_client_fault() {
    let server = Server::start();
    let whole = envelope11(&road_incident("Martin"));
    let cut = &whole[..whole.len() / 2];
    let started = std::time::Instant::now();
    let r = server.soap11(cut);
    assert_eq!(r.status, 500);
    assert_eq!(r.element("faultcode").as_deref(), Some("soap:Client"));
    assert_eq!(r.element("code").as_deref(), Some("malformed-xml"));
    // Answered from the bytes received, not after a read timeout.
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn submit_then_follow_then_export_a_valid_request_file() {
    let server = Server::start();
    let r = server.soap11(&envelope11(&road_incident("Lefèvre &amp; &lt;Fils&gt;")));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("text/xml; charset=utf-8"));
    assert_eq!(r.element("reference").as_deref(), Some("2026-000001"));
    assert_eq!(r.element("dueDate").as_deref(), Some("2026-12-07"));
    assert_eq!(
        r.element("submittedAt").as_deref(),
        Some("2026-11-22T11:00:00+01:00")
    );
    let code = r.element("trackingCode").unwrap();
    assert!(
        guichet::core::tracking::TrackingCode::parse(&code).is_some(),
        "{code}"
    );
    assert_eq!(
        r.element("trackingUrl").unwrap(),
        format!("http://127.0.0.1:8080/demoville/track/{code}")
    );

    // Status over SOAP 1.2, with the code typed loosely (lowercase, spaces).
    let loose = code.to_lowercase().replace('-', " ");
    let s = server.soap12(&envelope12(&format!(
        r#"<GetRequestStatus xmlns="urn:guichet:demoville"><trackingCode>{loose}</trackingCode></GetRequestStatus>"#
    )));
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(
        s.header("content-type"),
        Some("application/soap+xml; charset=utf-8")
    );
    assert_eq!(s.element("state").as_deref(), Some("received"));
    assert_eq!(s.element("dueDate").as_deref(), Some("2026-12-07"));
    assert_eq!(s.element("label").as_deref(), Some("Signalement reçu"));
    assert_eq!(s.element("date").as_deref(), Some("2026-11-22"));
    assert_eq!(s.body.matches("<done>true</done>").count(), 1);
    assert_eq!(s.body.matches("<done>false</done>").count(), 3);
    // "Not our responsibility" is an ending shown only when it happens.
    assert!(!s.body.contains("Transmis au gestionnaire"));

    // The stored request, written as a request file, is valid against its XSD
    // and keeps the special characters exactly.
    let file = server.request_file("road-incident", 1);
    assert_eq!(
        element(&file, "lastName").as_deref(),
        Some("Lefèvre & <Fils>")
    );
    assert_eq!(
        element(&file, "description").as_deref(),
        Some("Trou profond & dangereux <au milieu> de la chaussée")
    );
    assert_eq!(element(&file, "channel").as_deref(), Some("soap"));
    assert_valid_against_served(
        &server,
        "/demoville/xsd/road-incident.xsd",
        &file,
        "the request file",
    );
}

#[test]
fn every_service_round_trips_to_a_valid_request_file() {
    let server = Server::start();
    let requester = "<g:requester><g:civility>M</g:civility><g:firstName>Jean</g:firstName><g:lastName>Dupont</g:lastName><g:phone>06 12 34 56 78</g:phone><g:address><g:street>3 allée des Tilleuls</g:street><g:postalCode>20000</g:postalCode><g:town>Ajaccio</g:town></g:address></g:requester>";
    let cases = [
        (
            "birth-certificate",
            format!(
                "<g:SubmitBirthCertificateRequest>{requester}<g:actType>integral</g:actType><g:requesterRelation>self</g:requesterRelation><g:personLastName>Dupont</g:personLastName><g:personFirstNames>Jean Pierre</g:personFirstNames><g:birthDate>1980-02-29</g:birthDate><g:birthPlace>Démoville</g:birthPlace><g:motherName>Martin Anne</g:motherName><g:copies>2</g:copies><g:deliveryMode>post</g:deliveryMode></g:SubmitBirthCertificateRequest>"
            ),
        ),
        (
            "school-enrolment",
            format!(
                "<g:SubmitSchoolEnrolmentRequest>{requester}<g:childLastName>Dupont</g:childLastName><g:childFirstName>Léa</g:childFirstName><g:childBirthDate>2021-05-03</g:childBirthDate><g:schoolYear>2027-2028</g:schoolYear><g:level>ps</g:level><g:periscolarServices>canteen</g:periscolarServices><g:periscolarServices>evening-care</g:periscolarServices><g:derogation>true</g:derogation><g:derogationReason>Garde par les grands-parents</g:derogationReason><g:otherParentPhone>+33 1 23 45 67 89</g:otherParentPhone></g:SubmitSchoolEnrolmentRequest>"
            ),
        ),
        ("road-incident", road_incident("Dupont")),
        (
            "room-booking",
            format!(
                "<g:SubmitRoomBookingRequest>{requester}<g:room>salle-des-fetes</g:room><g:organisation>Comité des fêtes</g:organisation><g:eventType>show</g:eventType><g:eventDate>2027-01-16</g:eventDate><g:startTime>20:00:00</g:startTime><g:endTime>23:30:00</g:endTime><g:attendees>150</g:attendees><g:equipment>chairs</g:equipment><g:equipment>sound</g:equipment></g:SubmitRoomBookingRequest>"
            ),
        ),
        (
            "change-of-address",
            format!(
                "<g:SubmitChangeOfAddressNotification>{requester}<g:previousAddress><g:street>1 rue Haute</g:street><g:postalCode>75001</g:postalCode><g:town>Paris</g:town></g:previousAddress><g:newAddress><g:street>3 allée des Tilleuls</g:street><g:postalCode>20000</g:postalCode><g:town>Ajaccio</g:town></g:newAddress><g:moveDate>2026-11-01</g:moveDate><g:householdSize>3</g:householdSize><g:updateElectoralRoll>1</g:updateElectoralRoll></g:SubmitChangeOfAddressNotification>"
            ),
        ),
    ];
    for (number, (code, body)) in cases.iter().enumerate() {
        let r = server.soap11(&envelope11(body));
        assert_eq!(r.status, 200, "{code}: {}", r.body);
        let reference = guichet::core::tracking::Reference {
            year: 2026,
            number: number as u32 + 1,
        };
        assert_eq!(r.element("reference"), Some(reference.to_string()));
        let file = server.request_file(code, reference.number);
        assert_valid_against_served(&server, &format!("/demoville/xsd/{code}.xsd"), &file, code);
        if *code != "road-incident" {
            assert_eq!(
                element(&file, "phone").as_deref(),
                Some("+33612345678"),
                "{file}"
            );
        }
    }
}

#[test]
fn references_are_gapless_under_concurrency_and_faults_store_nothing() {
    let server = Server::start();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let addr = server.addr;
            std::thread::spawn(move || {
                let mut refs = Vec::new();
                for i in 0..25 {
                    let envelope = if i % 5 == 0 {
                        // Invalid: category unknown. Must store nothing and use no number.
                        envelope11(&road_incident("Faux").replace("pothole", "meteorite"))
                    } else {
                        envelope11(&road_incident(&format!("Client{t}x{i}")))
                    };
                    let mut stream = std::net::TcpStream::connect(addr).unwrap();
                    use std::io::Write;
                    write!(
                        stream,
                        "POST /demoville/soap HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{envelope}",
                        envelope.len()
                    )
                    .unwrap();
                    let r = read_response(&mut stream);
                    if i % 5 == 0 {
                        assert_eq!(r.status, 500);
                        assert_eq!(r.element("code").as_deref(), Some("not-in-list"));
                    } else {
                        assert_eq!(r.status, 200, "{}", r.body);
                        refs.push(r.element("reference").unwrap());
                    }
                }
                refs
            })
        })
        .collect();
    let mut all: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    all.sort();
    let expected: Vec<String> = (1..=160).map(|n| format!("2026-{n:06}")).collect();
    assert_eq!(all, expected);
}

#[test]
fn acknowledged_requests_survive_a_restart() {
    let temp = TempDir::new();
    let code = {
        let server = Server::start_in(&temp.0, Default::default());
        let r = server.soap11(&envelope11(&road_incident("Durable")));
        r.element("trackingCode").unwrap()
    };
    let server = Server::start_in(&temp.0, Default::default());
    let s = server.soap11(&envelope11(&format!(
        "<g:GetRequestStatus><g:trackingCode>{code}</g:trackingCode></g:GetRequestStatus>"
    )));
    assert_eq!(
        s.element("reference").as_deref(),
        Some("2026-000001"),
        "{}",
        s.body
    );
    let next = server.soap11(&envelope11(&road_incident("Suivant")));
    assert_eq!(next.element("reference").as_deref(), Some("2026-000002"));
}

#[test]
fn keep_alive_connections_serve_many_calls() {
    let server = Server::start();
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let body = envelope11("<g:ListServices/>");
    use std::io::{BufRead, BufReader, Read, Write};
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    for _ in 0..3 {
        write!(stream, "POST /demoville/soap HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        let mut length = 0;
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut buf = vec![0; length];
        reader.read_exact(&mut buf).unwrap();
        assert!(
            String::from_utf8(buf)
                .unwrap()
                .contains("<code>room-booking</code>")
        );
    }
}

#[test]
fn mangled_envelopes_get_an_answer_never_a_crash() {
    let server = Server::start();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/soap");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".request.xml"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    seeds.push(envelope11(&road_incident("Lefèvre")).into_bytes());
    // A small deterministic xorshift, so a failure can be replayed.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"<>/&;:=\"' \n\x00\xc3\xa9\xffabcXYZ01-!?[]";
    for round in 0..400 {
        let mut body = seeds[(next() % seeds.len() as u64) as usize].clone();
        for _ in 0..1 + next() % 4 {
            if body.is_empty() {
                break;
            }
            let at = (next() % body.len() as u64) as usize;
            match next() % 4 {
                0 => body[at] = alphabet[(next() % alphabet.len() as u64) as usize],
                1 => {
                    body.remove(at);
                }
                2 => body.insert(at, alphabet[(next() % alphabet.len() as u64) as usize]),
                _ => body.truncate(at),
            }
        }
        let content_type = if round % 3 == 0 {
            "application/soap+xml"
        } else {
            "text/xml"
        };
        let r = server.post("/demoville/soap", content_type, &body);
        assert!(
            matches!(r.status, 200 | 400 | 500),
            "round {round}: status {} for {:?}",
            r.status,
            String::from_utf8_lossy(&body)
        );
        assert!(
            guichet::xml::parse(&r.body, Default::default()).is_ok(),
            "round {round}: the answer is not XML: {}",
            r.body
        );
    }
    assert_eq!(server.get("/health").status, 200);
}

#[test]
fn the_new_field_types_fault_on_each_bad_field_and_store_canonical_values() {
    let server = Server::start();
    let request = |values: &str| {
        format!(
            "<g:SubmitAssociationDirectoryRequest><g:requester><g:firstName>Zoé</g:firstName><g:lastName>Lefèvre</g:lastName><g:email>zoe@example.fr</g:email></g:requester><g:associationName>Les Amis du Vieux Démoville</g:associationName><g:rnaNumber>W595012345</g:rnaNumber>{values}</g:SubmitAssociationDirectoryRequest>"
        )
    };
    let bad = request(
        "<g:creationDate>1912-02-30</g:creationDate><g:category>culture</g:category><g:purpose>Patrimoine.</g:purpose><g:headOfficeCountry>XX</g:headOfficeCountry><g:siren>73282932</g:siren><g:siret>35600000000014</g:siret><g:membershipFee>12.345</g:membershipFee><g:premisesParcel>AB 0</g:premisesParcel><g:iban>DE89 3704 0044 0532 0130</g:iban><g:bic>BNP1FRPP</g:bic>",
    );
    let r = server.soap11(&envelope11(&bad));
    assert_eq!(r.status, 500, "{}", r.body);
    let doc = guichet::xml::parse(&r.body, Default::default()).unwrap();
    let mut errors = Vec::new();
    let mut stack = vec![&doc];
    while let Some(e) = stack.pop() {
        if e.name == "error" {
            let text = |n: &str| e.child(n).map(|c| c.text.clone());
            errors.push((text("field").unwrap(), text("code").unwrap()));
        }
        stack.extend(e.children.iter().rev());
    }
    let expected = [
        ("creationDate", "impossible-date"),
        ("headOfficeCountry", "invalid-country"),
        ("siren", "invalid-siren"),
        ("siret", "siret-checksum"),
        ("membershipFee", "too-many-cents"),
        ("premisesParcel", "invalid-cadastral-parcel"),
        ("iban", "invalid-iban"),
        ("bic", "invalid-bic"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    assert_eq!(errors, expected, "{}", r.body);

    // Loosely typed, accepted, stored canonical; the request file is valid.
    let good = request(
        "<g:creationDate>12/03/1912</g:creationDate><g:category>sport</g:category><g:purpose>Patrimoine.</g:purpose><g:headOfficeCountry>be</g:headOfficeCountry><g:siren>552 100 554</g:siren><g:siret>356 000 000 00001</g:siret><g:membershipFee>0,5</g:membershipFee><g:ownsPremises>true</g:ownsPremises><g:premisesParcel>302 0B 15</g:premisesParcel><g:subsidies>true</g:subsidies><g:iban>gb29 nwbk 6016 1331 9268 19</g:iban><g:bic>nwbkgb2l</g:bic>",
    );
    let r = server.soap11(&envelope11(&good));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.element("reference").as_deref(), Some("2026-000001"));
    let file = server.request_file("association-directory", 1);
    for (name, canonical) in [
        ("creationDate", "1912-03-12"),
        ("headOfficeCountry", "BE"),
        ("siren", "552100554"),
        ("siret", "35600000000001"),
        ("membershipFee", "0.50"),
        ("premisesParcel", "3020B0015"),
        ("iban", "GB29NWBK60161331926819"),
        ("bic", "NWBKGB2L"),
    ] {
        assert_eq!(element(&file, name).as_deref(), Some(canonical), "{file}");
    }
    assert_valid_against_served(
        &server,
        "/demoville/xsd/association-directory.xsd",
        &file,
        "the request file",
    );
}
