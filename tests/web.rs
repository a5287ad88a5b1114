//! The embedded pages through real HTTP: the form → acknowledgement → tracking
//! path, errors, anti-forgery, escaping, headers, XML views against
//! `xsd/view.xsd`, and a tenant's look changed without a restart.
//! (Accessibility and the iframe are checked in a real browser: tests/browser.)

mod common;

use common::*;
use std::path::Path;

fn form_body(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

fn token_of(html: &str) -> String {
    let start = html
        .find(r#"name="_token" value=""#)
        .expect("a token in the form")
        + 21;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

fn post_form(server: &Server, path: &str, body: &[u8], extra_headers: &str) -> HttpResponse {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n{extra_headers}Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    server.raw(&request)
}

fn incident(token: &str, last_name: &str, description: &str) -> Vec<u8> {
    form_body(&[
        ("_token", token),
        ("requester.firstName", "Zoé"),
        ("requester.lastName", last_name),
        ("requester.email", "zoe@example.fr"),
        ("category", "lighting"),
        ("location.street", "3 place de l'Église"),
        ("location.postalCode", "75002"),
        ("location.town", "Démoville"),
        ("description", description),
        ("observedOn", "2026-11-20"),
        ("immediateDanger", "true"),
    ])
}

fn validate_view(xml: &str, name: &str) {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    assert_valid(&schema, xml, &format!("view {name}"));
}

#[test]
fn a_citizen_fills_a_form_gets_an_acknowledgement_and_follows_the_request() {
    let server = Server::start();
    let form = server.get("/demoville/services/road-incident");
    assert_eq!(form.status, 200);
    assert_eq!(
        form.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(form.body.contains(r#"<html lang="fr">"#));
    assert_eq!(form.body.matches("<h1>").count(), 1);
    let token = token_of(&form.body);

    let r = post_form(
        &server,
        "/demoville/services/road-incident",
        &incident(&token, "Lefèvre", "Lampadaire éteint depuis trois jours"),
        "Origin: http://127.0.0.1:8080\r\nSec-Fetch-Site: same-origin\r\n",
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.header("location").unwrap().to_owned();
    let code = location
        .strip_prefix("/demoville/receipt/")
        .expect("redirect to the receipt");

    let receipt = server.get(&location);
    assert_eq!(receipt.status, 200);
    assert_eq!(receipt.header("cache-control"), Some("no-store"));
    assert!(
        receipt
            .body
            .contains(r#"<dd id="reference">2026-000001</dd>"#),
        "{}",
        receipt.body
    );
    assert!(receipt.body.contains(&format!(
        r#"<strong id="tracking-code" class="code">{code}</strong>"#
    )));
    assert!(
        receipt.body.contains("7 décembre 2026"),
        "due date in words"
    );
    assert!(
        receipt
            .body
            .contains(&format!(r#"href="/demoville/track/{code}""#))
    );

    let tracking = server.get(&format!("/demoville/track/{code}"));
    assert_eq!(tracking.status, 200);
    assert!(tracking.body.contains("Suivi de la demande 2026-000001"));
    assert!(tracking.body.contains("Signalement reçu"));
    assert!(tracking.body.contains("fait le 22 novembre 2026"));
    assert_eq!(tracking.body.matches("pas encore").count(), 3);
    // In English, the steps the definition words in English.
    let english = server.get(&format!("/demoville/track/{code}?lang=en"));
    assert!(english.body.contains("Report received"), "{}", english.body);
    assert!(!english.body.contains("Signalement reçu"));
    let form = server.get("/demoville/services/road-incident?lang=en").body;
    for words in [
        "Kind of incident",
        "Pothole or damaged road",
        "The nearest address; GPS coordinates are optional.",
        "Date seen",
    ] {
        assert!(form.contains(words), "{words}: {form}");
    }
    assert!(
        !form.contains(r#"<fieldset class="group" lang="fr">"#),
        "every field says itself in English: not marked French"
    );

    // The same request is visible over SOAP, stored with the web channel.
    let s = server.soap11(&envelope11(&format!(
        "<g:GetRequestStatus><g:trackingCode>{code}</g:trackingCode></g:GetRequestStatus>"
    )));
    assert_eq!(s.element("reference").as_deref(), Some("2026-000001"));

    // Typing the code on the lookup page leads to the same page.
    let lookup = server.get(&format!("/demoville/track?code={}", code.to_lowercase()));
    assert_eq!(lookup.status, 303);
    assert_eq!(
        lookup.header("location"),
        Some(format!("/demoville/track/{code}").as_str())
    );
}

#[test]
fn a_refused_form_keeps_every_value_and_ties_each_message_to_its_field() {
    let server = Server::start();
    let token = token_of(&server.get("/demoville/services/road-incident").body);
    let body = form_body(&[
        ("_token", &token),
        ("requester.firstName", "Zoé"),
        ("requester.lastName", ""),
        ("requester.email", "pas-un-email"),
        ("category", "pothole"),
        ("location.street", "1 rue Haute"),
        ("location.postalCode", "7500"),
        ("location.town", "Démoville"),
        ("description", "court"),
        ("observedOn", "2026-11-20"),
    ]);
    let r = post_form(&server, "/demoville/services/road-incident", &body, "");
    assert_eq!(r.status, 422);
    let html = &r.body;
    assert!(html.contains(r#"id="error-summary""#));
    for id in [
        "f-requester-lastName",
        "f-requester-email",
        "f-location-postalCode",
        "f-description",
    ] {
        assert!(
            html.contains(&format!(r##"<a href="#{id}">"##)),
            "summary links to {id}"
        );
        assert!(
            html.contains(&format!(r#"id="{id}-error""#)),
            "message for {id}"
        );
        let input = html.split(&format!(r#"id="{id}""#)).nth(1).unwrap();
        let input = &input[..input.find('>').unwrap()];
        assert!(
            input.contains(&format!("{id}-error")) && input.contains(r#"aria-invalid="true""#),
            "{id}: {input}"
        );
    }
    assert!(
        html.contains(r#"value="Zoé""#)
            && html.contains(r#"value="1 rue Haute""#)
            && html.contains(r#"value="7500""#)
    );
    assert!(html.contains(">court</textarea>"));
    // A fresh token comes with the re-rendered form, and nothing was stored.
    let token = token_of(html);
    let ok = post_form(
        &server,
        "/demoville/services/road-incident",
        &incident(&token, "Martin", "Lampadaire éteint depuis trois jours"),
        "",
    );
    assert_eq!(ok.status, 303);
    let receipt = server.get(ok.header("location").unwrap());
    assert!(receipt.body.contains(">2026-000001<"));
}

#[test]
fn forged_and_expired_posts_are_refused_and_store_nothing() {
    let server = Server::start();
    let token = token_of(&server.get("/demoville/services/road-incident").body);
    let body = incident(&token, "Martin", "Lampadaire éteint depuis trois jours");
    let cross = post_form(
        &server,
        "/demoville/services/road-incident",
        &body,
        "Origin: http://evil.example\r\n",
    );
    assert_eq!(cross.status, 403);
    let cross = post_form(
        &server,
        "/demoville/services/road-incident",
        &body,
        "Sec-Fetch-Site: cross-site\r\n",
    );
    assert_eq!(cross.status, 403);
    let untokened = incident("", "Martin", "Lampadaire éteint depuis trois jours");
    let r = post_form(&server, "/demoville/services/road-incident", &untokened, "");
    assert_eq!(r.status, 403);
    assert!(
        r.body.contains("ce formulaire a expiré"),
        "the form comes back with a notice"
    );
    assert!(r.body.contains(r#"value="Martin""#), "values are kept");
    let other = token_of(&server.get("/demoville/services/room-booking").body);
    let r = post_form(
        &server,
        "/demoville/services/road-incident",
        &incident(&other, "Martin", "Lampadaire éteint"),
        "",
    );
    assert_eq!(r.status, 403, "a token is valid for its own form only");
    // An Origin naming another site with no fetch metadata (older browsers).
    let cross = post_form(
        &server,
        "/demoville/services/road-incident",
        &body,
        "Origin: http://127.0.0.1:9999\r\n",
    );
    assert_eq!(cross.status, 403);
    // What Chromium sends from our own page under Referrer-Policy: Origin null
    // and fetch metadata saying same-origin.
    let ok = post_form(
        &server,
        "/demoville/services/road-incident",
        &body,
        "Origin: null\r\nSec-Fetch-Site: same-origin\r\n",
    );
    assert_eq!(ok.status, 303);
    assert!(
        server
            .get(ok.header("location").unwrap())
            .body
            .contains(">2026-000001<")
    );
}

#[test]
fn citizen_text_is_escaped_everywhere() {
    let server = Server::start();
    let token = token_of(&server.get("/demoville/services/road-incident").body);
    let attack =
        r#"</script><script>alert(1)</script>"><img src=x onerror=alert(2)> javascript:alert(3)"#;
    let body = form_body(&[
        ("_token", &token),
        ("requester.firstName", attack),
        ("requester.lastName", attack),
        ("requester.email", "zoe@example.fr"),
        ("category", "other"),
        ("location.street", attack),
        ("location.postalCode", "75002"),
        ("location.town", "x"),
        ("description", attack),
        ("observedOn", "2026-11-20"),
        ("locationDetails", &"x".repeat(300)),
    ]);
    let r = post_form(&server, "/demoville/services/road-incident", &body, "");
    assert_eq!(r.status, 422, "locationDetails is too long");
    assert!(!r.body.contains("<script>alert"), "{}", r.body);
    assert!(!r.body.contains("<img src=x"), "{}", r.body);
    assert!(
        r.body
            .contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    // The only scripts are Guichet's own file, and no href holds citizen text.
    assert_eq!(r.body.matches("<script").count(), 1);
    assert!(
        r.body
            .contains(r#"<script src="/demoville/assets/frame.js"#)
    );
    assert!(!r.body.contains(r#"href="javascript"#));
    // A lookup with a hostile code is escaped too.
    let lookup = server.get("/demoville/track?code=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert_eq!(lookup.status, 422);
    assert!(!lookup.body.contains("<script>alert"));
}

#[test]
fn pages_send_a_strict_policy_and_views_are_valid_xml() {
    let server = Server::start();
    let form = server.get("/demoville/services/birth-certificate");
    let csp = form.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'none'")
            && csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(
        csp.contains("frame-ancestors 'self' http://127.0.0.1:8081 http://localhost:8081"),
        "{csp}"
    );
    assert_eq!(form.header("referrer-policy"), Some("same-origin"));
    assert_eq!(form.header("x-content-type-options"), Some("nosniff"));
    assert!(
        !form.body.contains(" style=") && !form.body.contains("<style"),
        "no inline style"
    );

    // XML views, by parameter and by Accept header, valid against the schema.
    let mut pages = vec![
        "/demoville/?format=xml".to_owned(),
        "/demoville/track?format=xml".to_owned(),
        "/demoville/track?code=XXXX&format=xml".to_owned(),
        "/demoville/nothing?format=xml".to_owned(),
    ];
    for code in [
        "birth-certificate",
        "school-enrolment",
        "road-incident",
        "room-booking",
        "change-of-address",
        "association-directory",
    ] {
        pages.push(format!("/demoville/services/{code}?format=xml&lang=en"));
    }
    for (i, path) in pages.iter().enumerate() {
        let r = server.get(path);
        assert_eq!(
            r.header("content-type"),
            Some("application/xml; charset=utf-8"),
            "{path}"
        );
        validate_view(&r.body, &format!("page{i}"));
    }
    let r = server.raw(b"GET /demoville/ HTTP/1.1\r\nHost: x\r\nAccept: application/xml\r\nConnection: close\r\n\r\n");
    assert!(
        r.body
            .contains(r#"<page xmlns="urn:guichet:view:1" kind="catalogue""#)
    );

    // A form with errors, the acknowledgement and the tracking page too.
    let token = token_of(&server.get("/demoville/services/road-incident").body);
    let bad = post_form(
        &server,
        "/demoville/services/road-incident?format=xml",
        &form_body(&[("_token", &token), ("location.latitude", "91")]),
        "",
    );
    assert_eq!(bad.status, 422);
    validate_view(&bad.body, "errors");
    let ok = post_form(
        &server,
        "/demoville/services/road-incident",
        &incident(&token, "Martin", "Lampadaire éteint depuis trois jours"),
        "",
    );
    let receipt_url = ok.header("location").unwrap().to_owned();
    validate_view(
        &server.get(&format!("{receipt_url}?format=xml")).body,
        "receipt",
    );
    let track_url = receipt_url.replace("/receipt/", "/track/");
    validate_view(
        &server.get(&format!("{track_url}?format=xml")).body,
        "tracking",
    );
}

#[test]
fn english_pages_and_http_details() {
    let server = Server::start();
    let r = server.get("/demoville/services/room-booking?lang=en");
    assert!(r.body.contains(r#"<html lang="en">"#));
    // Guichet's own requester block is in English; the town's French text says so.
    assert!(r.body.contains(">First name <span"), "{}", r.body);
    assert!(r.body.contains(r#"<fieldset class="group" lang="fr">"#));
    // Validation messages in English, with the field's label and limits; a
    // rule message written by the town stays French and says so.
    let token = token_of(&r.body);
    let bad = post_form(
        &server,
        "/demoville/services/room-booking?lang=en",
        &form_body(&[
            ("_token", &token),
            ("requester.firstName", "Ann"),
            ("requester.email", "ann@example"),
            ("room", "salle-reunion"),
            ("eventType", "meeting"),
            ("eventDate", "2026-12-20"),
            ("startTime", "18:00"),
            ("endTime", "17:00"),
            ("attendees", "500"),
        ]),
        "",
    );
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("“Last name” is required."),
        "{}",
        bad.body
    );
    assert!(
        bad.body
            .contains("“Email address” is not a valid email address")
    );
    assert!(bad.body.contains("must be at most 200."));
    assert!(
        bad.body
            .contains(r#"lang="fr">L'heure de fin doit être postérieure"#),
        "{}",
        bad.body
    );
    let lookup = server.get("/demoville/track?lang=en");
    assert!(
        lookup
            .body
            .contains(r#"<input type="hidden" name="lang" value="en">"#)
    );
    assert!(r.body.contains("Send the request"));
    assert!(
        r.body
            .contains(r#"action="/demoville/services/room-booking?lang=en""#)
    );
    assert_eq!(r.header("content-language"), Some("en"));
    let r = server.raw(
        b"POST /demoville/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD")));
    let r = server.get("/demoville");
    assert_eq!((r.status, r.header("location")), (308, Some("/demoville/")));
    let r = server.get("/demoville/services/dog-licence");
    assert_eq!(r.status, 404);
    assert!(r.body.contains("Page introuvable"));
    assert_eq!(
        server.get("/demoville/track/ABCD-EFGH-JKMN-PQRS").status,
        404
    );
    let css = server.get("/demoville/assets/guichet.css");
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(
        server
            .get("/demoville/assets/embed.js")
            .body
            .contains("postMessage")
            || server
                .get("/demoville/assets/frame.js")
                .body
                .contains("postMessage")
    );
    assert_eq!(server.get("/demoville/assets/secret.key").status, 404);
}

#[test]
fn a_town_changes_its_colours_wording_and_stylesheets_without_a_restart() {
    let server = Server::start();
    let dir = server.data_dir.join("tenants/demoville");
    let site = server.app.site("demoville").unwrap();
    assert!(
        server
            .get("/demoville/assets/theme.css")
            .body
            .contains("--g-primary: #000091;")
    );

    let settings = std::fs::read_to_string(dir.join("settings.toml")).unwrap();
    let settings = settings
        .replace("primary = \"#000091\"", "primary = \"#6a1b9a\"")
        .replace(
            "frame_ancestors = [",
            "frame_ancestors = [\"https://www.demoville.example\", ",
        );
    std::fs::write(dir.join("settings.toml"), settings).unwrap();
    std::fs::create_dir_all(dir.join("i18n")).unwrap();
    std::fs::write(
        dir.join("i18n/fr.toml"),
        "\"form.submit\" = \"Envoyer ma demande à la mairie\"\n\"error.required\" = \"Merci de remplir « {label} ».\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tenant.css"),
        "body { border-top: 8px solid #6a1b9a; }\n",
    )
    .unwrap();
    site.look.refresh();
    assert!(
        server
            .get("/demoville/assets/theme.css")
            .body
            .contains("--g-primary: #6a1b9a;")
    );
    let form = server.get("/demoville/services/room-booking");
    assert!(form.body.contains("Envoyer ma demande à la mairie"));
    let token = token_of(&form.body);
    let bad = post_form(
        &server,
        "/demoville/services/room-booking",
        &form_body(&[("_token", &token), ("requester.firstName", "Ann")]),
        "",
    );
    assert!(
        bad.body.contains("Merci de remplir « Nom »."),
        "{}",
        bad.body
    );
    assert!(form.body.contains("/demoville/assets/tenant.css?v="));
    assert!(
        form.header("content-security-policy")
            .unwrap()
            .contains("https://www.demoville.example")
    );

    // A broken settings file is refused and the previous look stays.
    std::fs::write(
        dir.join("settings.toml"),
        "[colours]\nprimary = \"red; } body { display: none\"\n",
    )
    .unwrap();
    site.look.refresh();
    assert!(
        server
            .get("/demoville/assets/theme.css")
            .body
            .contains("--g-primary: #6a1b9a;")
    );

    // A stylesheet dropped in the tenant's folder replaces the default one…
    std::fs::create_dir_all(dir.join("xslt")).unwrap();
    std::fs::write(
        dir.join("xslt/catalogue.xsl"),
        r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:v="urn:guichet:view:1" exclude-result-prefixes="v"><xsl:include href="layout.xsl"/><xsl:template name="content"><p id="town-catalogue">Nos démarches : <xsl:value-of select="count(//v:service)"/></p></xsl:template></xsl:stylesheet>"#,
    )
    .unwrap();
    // The layout too: even empty forms, whose HTML is cached, change.
    std::fs::write(
        dir.join("xslt/layout.xsl"),
        crate_file("xslt/layout.xsl").replace(
            "<main id=\"main\"",
            "<p id=\"town-banner\">Mairie</p><main id=\"main\"",
        ),
    )
    .unwrap();
    // (compiled stylesheets are re-checked at most once a second)
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let form = server.get("/demoville/services/room-booking");
    assert!(
        form.body.contains(r#"<p id="town-banner">Mairie</p>"#),
        "{}",
        form.body
    );
    assert!(!form.body.contains("guichet-token-placeholder"));
    let page = server.get("/demoville/");
    assert!(
        page.body.contains(&format!(
            r#"<p id="town-catalogue">Nos démarches : {}</p>"#,
            guichet::core::builtin::services().len()
        )),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("<header"),
        "the default layout is still included"
    );

    // …and a broken one falls back to the default, never a blank page.
    std::fs::write(dir.join("xslt/catalogue.xsl"), "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"><xsl:template match=\"/\"><oops").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let page = server.get("/demoville/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Demande de copie d'acte de naissance"),
        "{}",
        page.body
    );
}

fn crate_file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn behind_a_proxy_the_public_url_gives_the_wsdl_endpoints_and_the_origin_of_forms() {
    let dir = TempDir::new();
    let mut server = Server::start_configured(&dir.0, Default::default(), |app| {
        app.config.public_url = Some("https://guichet.demoville.example".into());
    });
    server.keep(dir);
    let wsdl = server.get("/demoville/soap?wsdl");
    assert_eq!(wsdl.status, 200);
    assert!(
        wsdl.body.contains(
            r#"<soap:address location="https://guichet.demoville.example/demoville/soap"/>"#
        ),
        "{}",
        wsdl.body
    );
    assert!(!wsdl.body.contains("http://127.0.0.1"));
    let r = server.soap11(&envelope11(&road_incident("Martin")));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.element("trackingUrl")
            .unwrap()
            .starts_with("https://guichet.demoville.example/demoville/track/"),
        "{}",
        r.body
    );
    // A browser without fetch metadata posts from the public page: its
    // Origin is the public one, whatever Host the proxy passes on.
    let token = token_of(&server.get("/demoville/services/road-incident").body);
    let body = incident(&token, "Martin", "Lampadaire éteint depuis trois jours");
    let r = post_form(
        &server,
        "/demoville/services/road-incident",
        &body,
        "Origin: https://guichet.demoville.example\r\n",
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = post_form(
        &server,
        "/demoville/services/road-incident",
        &body,
        "Origin: http://guichet.demoville.example\r\n",
    );
    assert_eq!(r.status, 403, "another scheme is another origin");
}

#[test]
fn each_service_has_a_webmasters_documentation_whose_example_the_server_accepts() {
    let server = Server::start();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    let catalogue = server.get("/demoville/?format=xml");
    for code in [
        "birth-certificate",
        "school-enrolment",
        "road-incident",
        "room-booking",
        "change-of-address",
        "association-directory",
    ] {
        let path = format!("/demoville/services/{code}/doc");
        assert!(
            catalogue.body.contains(&format!("doc=\"{path}\"")),
            "linked from the catalogue"
        );
        let page = server.get(&path);
        assert_eq!(page.status, 200, "{code}: {}", page.body);
        assert!(page.body.contains("SoapClient") && page.body.contains("zeep.Client"));
        assert!(
            page.body.contains("&lt;iframe src="),
            "the iframe snippet, escaped"
        );
        let view = server.get(&format!("{path}?format=xml"));
        assert_valid(&schema, &view.body, &format!("documentation of {code}"));
        let doc = guichet::xml::parse(&view.body, Default::default()).unwrap();
        let service_doc = doc
            .children
            .iter()
            .find(|c| c.name == "service-doc")
            .expect("the documentation");
        let operation = service_doc.attr("operation").unwrap();
        assert!(operation.starts_with("Submit"));
        let parameters: Vec<&str> = service_doc
            .children_named("parameter")
            .map(|p| p.attr("path").unwrap())
            .collect();
        assert!(parameters.contains(&"requester/lastName"), "{parameters:?}");
        // The example is a whole envelope the server accepts.
        let example = element(&view.body, "example").unwrap();
        assert!(example.contains(operation));
        let r = server.soap11(&example);
        assert_eq!(r.status, 200, "{code}'s example: {}\n{example}", r.body);
        assert!(r.element("reference").is_some());
    }
    // Every rule in words; every parameter's allowed values with their labels.
    let view = server
        .get("/demoville/services/room-booking/doc?format=xml")
        .body;
    assert!(
        view.contains("L'heure de fin doit être postérieure"),
        "{view}"
    );
    assert!(view.contains("value=\"salle-polyvalente\""));
    // The limits and the delay in words, the WSDL's words (core::describe).
    let page = server.get("/demoville/services/room-booking/doc").body;
    assert!(page.contains("Au plus 160 caractères."), "{page}");
    assert!(page.contains("Délai de réponse : 10 jours au plus."));
    assert_eq!(server.get("/demoville/services/nothing/doc").status, 404);
}

#[test]
fn the_catalogue_is_searched_without_javascript() {
    let server = Server::start();
    let codes = |path: &str| -> Vec<String> {
        let r = server.get(path);
        assert_eq!(r.status, 200, "{path}");
        validate_view(&r.body, path);
        let doc = guichet::xml::parse(&r.body, Default::default()).unwrap();
        fn walk(e: &guichet::xml::Element, out: &mut Vec<String>) {
            if e.name == "service" {
                out.push(e.attr("code").unwrap().to_owned());
            }
            for c in &e.children {
                walk(c, out);
            }
        }
        let mut out = Vec::new();
        walk(&doc, &mut out);
        out
    };
    assert_eq!(
        codes("/demoville/?format=xml").len(),
        guichet::core::builtin::services().len(),
        "no search: every service"
    );
    assert_eq!(
        codes("/demoville/?q=extrait%20naissance&format=xml"),
        ["birth-certificate"]
    );
    assert_eq!(
        codes("/demoville/?q=NAISSANCE%20copie%20Int%C3%A9grale&format=xml"),
        ["birth-certificate"],
        "case and accents do not matter"
    );
    assert_eq!(
        codes("/demoville/?q=etat-civil&format=xml").len(),
        6,
        "a theme's every service"
    );
    assert_eq!(codes("/demoville/?q=voirie%20trou&format=xml").len(), 0);
    let html = server.get("/demoville/?q=salle");
    assert!(html.body.contains("role=\"search\""), "a search form");
    assert!(
        html.body.contains("2 démarches correspondent à « salle »"),
        "the result said"
    );
    assert!(
        html.body.contains("value=\"salle\""),
        "the words kept in the box"
    );
    let none = server.get("/demoville/?q=%3Cscript%3E");
    assert!(
        none.body
            .contains("Aucune démarche ne correspond à « &lt;script&gt; »")
    );
    assert!(!none.body.contains("<script>"));
    let english = server.get("/demoville/?lang=en");
    assert!(
        english.body.contains("name=\"lang\" value=\"en\""),
        "the language goes with the search"
    );
}

fn association(token: &str, values: &[(&str, &str)]) -> Vec<u8> {
    let mut fields = vec![
        ("_token", token),
        ("requester.firstName", "Zoé"),
        ("requester.lastName", "Lefèvre"),
        ("requester.email", "zoe@example.fr"),
        ("associationName", "Les Amis du Vieux Démoville"),
        ("rnaNumber", "W595012345"),
        ("category", "culture"),
        (
            "purpose",
            "Sauvegarde et mise en valeur du patrimoine de la commune.",
        ),
        ("ownsPremises", "true"),
        ("subsidies", "true"),
    ];
    fields.extend_from_slice(values);
    form_body(&fields)
}

#[test]
fn the_new_field_types_refuse_bad_values_next_to_their_fields_and_store_canonical_ones() {
    let server = Server::start();
    let path = "/demoville/services/association-directory";
    let form = server.get(path);
    assert_eq!(form.status, 200);
    // The country is a select of names; identifiers get a keypad or a hint.
    assert!(
        form.body
            .contains(r#"<option value="DE">Allemagne</option>"#)
    );
    assert!(form.body.contains(r#"<option value="FR">France</option>"#));
    let siret = form.body.split(r#"id="f-siret""#).nth(1).unwrap();
    assert!(siret[..siret.find('>').unwrap()].contains(r#"inputmode="numeric""#));
    let bad = association(
        &token_of(&form.body),
        &[
            ("siren", "732 829 321"),
            ("siret", "7328293200007"),
            ("iban", "FR76 3000 6000 0112 3456 7890 188"),
            ("bic", "BNPA-FR"),
            ("membershipFee", "12,345"),
            ("headOfficeCountry", "XX"),
            ("headOfficeCommune", "Brest 75001"),
            ("premisesParcel", "ABC 12345"),
            ("creationDate", "30/02/1912"),
        ],
    );
    let r = post_form(&server, path, &bad, "");
    assert_eq!(r.status, 422, "{}", r.body);
    let html = &r.body;
    for (name, message) in [
        ("siren", "ce numéro SIREN n'existe pas"),
        ("siret", "doit être un numéro SIRET de 14 chiffres"),
        ("iban", "cet IBAN n'existe pas"),
        ("bic", "doit être un code BIC"),
        ("membershipFee", "au plus 2 chiffres après la virgule"),
        ("headOfficeCountry", "n'est pas un code de pays"),
        ("headOfficeCommune", "le code postal ne correspond pas"),
        ("premisesParcel", "doit être une référence cadastrale"),
        ("creationDate", "cette date n'existe pas"),
    ] {
        let id = format!("f-{name}");
        assert!(
            html.contains(&format!(r##"<a href="#{id}">"##)),
            "summary links to {id}"
        );
        let shown = html.split(&format!(r#"id="{id}-error""#)).nth(1).unwrap();
        let shown = &shown[..shown.find("</p>").unwrap()];
        assert!(shown.contains(message), "{id}: {shown}");
        let input = html.split(&format!(r#"id="{id}""#)).nth(1).unwrap();
        let input = &input[..input.find('>').unwrap()];
        assert!(
            input.contains(&format!("{id}-error")) && input.contains(r#"aria-invalid="true""#),
            "{id}: {input}"
        );
    }
    assert!(html.contains(r#"value="7328293200007""#), "values kept");
    // Good values as people type them, stored in canonical form.
    let good = association(
        &token_of(html),
        &[
            ("siren", "732 829 320"),
            ("siret", "732 829 320 00074"),
            ("iban", "fr76 3000 6000 0112 3456 7890 189"),
            ("bic", "bnpa fr pp"),
            ("membershipFee", "1\u{a0}234,5 €"),
            ("headOfficeCountry", "fr"),
            ("headOfficeCommune", "29200 brest"),
            ("premisesParcel", "ab 123"),
            ("creationDate", "03/1912"),
        ],
    );
    let r = post_form(&server, path, &good, "");
    assert_eq!(r.status, 303, "{}", r.body);
    let receipt = server.get(r.header("location").unwrap());
    assert!(
        receipt.body.contains(">2026-000001<"),
        "nothing stored before"
    );
    // What `guichet export REF` writes.
    let file = server.request_file("association-directory", 1);
    for (name, canonical) in [
        ("siren", "732829320"),
        ("siret", "73282932000074"),
        ("iban", "FR7630006000011234567890189"),
        ("bic", "BNPAFRPP"),
        ("membershipFee", "1234.50"),
        ("headOfficeCountry", "FR"),
        ("headOfficeCommune", "29019"),
        ("premisesParcel", "000AB0123"),
        ("creationDate", "1912-03"),
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

/// A repeating group without JavaScript: its minimum of rows shown, rows
/// added and removed by posting the form back (values kept), each row's
/// errors on that row; a conditional field says when to fill it.
#[test]
fn repeating_groups_and_conditional_fields_work_without_javascript() {
    let server = Server::start();
    let path = "/demoville/services/marriage-file";
    let page = server.get(path).body;
    // Two witnesses at least, four at most: two rows, no remove button.
    assert!(
        page.contains(r#"name="witnesses.1.witnessLastName""#),
        "{page}"
    );
    assert!(page.contains(r#"name="witnesses.2.witnessLastName""#));
    assert!(!page.contains(r#"name="witnesses.3.witnessLastName""#));
    assert!(
        page.contains(
            r#"<p hidden="hidden"><button type="submit" class="button secondary" name="_remove""#
        ) && !page.contains(r#"<p><button type="submit" class="button secondary" name="_remove""#),
        "at the minimum, the remove buttons are hidden"
    );
    assert!(page.contains(r#"name="_add" value="witnesses""#));
    // The conditional field says its condition, for pages without script.
    assert!(page.contains(r#"data-when="marriageContract" data-equals="true""#));
    assert!(page.contains("À remplir seulement si vous avez répondu « Oui »"));
    let token = token_of(&page);
    let added = post_form(
        &server,
        path,
        &form_body(&[
            ("_token", &token),
            ("witnesses.1.witnessLastName", "Martin"),
            ("witnesses.2.witnessLastName", "Durand"),
            ("_add", "witnesses"),
        ]),
        "",
    );
    assert_eq!(added.status, 200, "another row, nothing sent");
    let html = &added.body;
    assert!(html.contains(r#"name="witnesses.3.witnessLastName""#));
    assert!(html.contains(r#"value="Martin""#) && html.contains(r#"value="Durand""#));
    assert!(html.contains(r#"name="_remove" value="witnesses.1""#));
    assert!(!html.contains("error-summary"), "no error for a row added");
    let token = token_of(html);
    let removed = post_form(
        &server,
        path,
        &form_body(&[
            ("_token", &token),
            ("witnesses.1.witnessLastName", "Martin"),
            ("witnesses.2.witnessLastName", "Durand"),
            ("witnesses.3.witnessLastName", "Petit"),
            ("_remove", "witnesses.1"),
        ]),
        "",
    );
    assert_eq!(removed.status, 200);
    let html = &removed.body;
    assert!(!html.contains(r#"value="Martin""#), "row 1 removed");
    let first = html.find(r#"value="Durand""#).unwrap();
    let second = html.find(r#"value="Petit""#).unwrap();
    assert!(first < second, "the others move up");
    // Sent: the second row's bad date is said on the second row.
    let token = token_of(html);
    let sent = post_form(
        &server,
        path,
        &form_body(&[
            ("_token", &token),
            ("witnesses.1.witnessLastName", "Durand"),
            ("witnesses.2.witnessLastName", "Petit"),
            ("witnesses.2.witnessBirthDate", "pas une date"),
        ]),
        "",
    );
    assert_eq!(sent.status, 422);
    assert!(
        sent.body
            .contains(r##"href="#f-witnesses-2-witnessBirthDate""##),
        "the summary links the row's field"
    );
    assert!(
        sent.body
            .contains(r#"id="f-witnesses-2-witnessBirthDate-error""#),
        "the message on that row"
    );
}

/// A booking service refuses a slot already held: the same room on the same
/// day for overlapping times, said next to the start time; touching times
/// and another room are free.
#[test]
fn a_room_is_not_booked_twice_for_overlapping_times() {
    let server = Server::start();
    let day = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(30))
        .unwrap()
        .to_string();
    let book = |room: &str, start: &str, end: &str| {
        let token = token_of(&server.get("/demoville/services/room-booking").body);
        post_form(
            &server,
            "/demoville/services/room-booking",
            &form_body(&[
                ("_token", &token),
                ("requester.firstName", "Ann"),
                ("requester.lastName", "Lee"),
                ("requester.email", "ann@example.fr"),
                ("room", room),
                ("eventType", "meeting"),
                ("eventDate", &day),
                ("startTime", start),
                ("endTime", end),
                ("attendees", "20"),
            ]),
            "",
        )
    };
    assert_eq!(book("salle-reunion", "18:00", "20:00").status, 303);
    let taken = book("salle-reunion", "19:30", "21:00");
    assert_eq!(taken.status, 422, "an overlapping slot");
    assert!(
        taken.body.contains("Ce créneau est déjà réservé"),
        "{}",
        taken.body
    );
    assert!(
        taken.body.contains(r##"href="#f-startTime""##),
        "said at the start time"
    );
    assert_eq!(
        book("salle-reunion", "20:00", "22:00").status,
        303,
        "touching is free"
    );
    assert_eq!(
        book("salle-des-fetes", "18:00", "20:00").status,
        303,
        "another room"
    );
}

/// An appointment service offers the free slots its agenda publishes: the
/// form shows them for the day entered (a button posts it back without
/// JavaScript), the slots address answers them as a view document, a time
/// off the grid or a closed day is refused, a slot taken is refused and no
/// longer offered — for that elected official only; a drop-in session's
/// request holds none; the town's own hours replace the service's.
#[test]
fn an_appointment_takes_a_free_slot_of_the_published_hours() {
    let server = Server::start();
    let path = "/demoville/services/elected-official-appointment";
    // A Tuesday at least ten days ahead that is no public holiday.
    let mut day = jiff::Zoned::now()
        .date()
        .checked_add(jiff::Span::new().days(10))
        .unwrap();
    while day.weekday() != jiff::civil::Weekday::Tuesday
        || guichet::core::calendar::is_public_holiday(day)
    {
        day = day.tomorrow().unwrap();
    }
    let sunday = day
        .checked_sub(jiff::Span::new().days(2))
        .unwrap()
        .to_string();
    let day = day.to_string();
    let free = |official: &str| {
        let r = server.get(&format!("{path}/slots?date={day}&resource={official}"));
        assert_eq!(r.status, 200, "{}", r.body);
        validate_view(&r.body, "free-slots");
        r.body
    };
    let mayor = free("mayor");
    assert!(
        mayor.contains("<slot>14:00</slot>") && mayor.contains("<slot>17:30</slot>"),
        "{mayor}"
    );
    assert!(
        !mayor.contains("<slot>18:00</slot>"),
        "the last slot ends at 18:00"
    );

    let send = |extra: &[(&str, &str)]| {
        let token = token_of(&server.get(path).body);
        let mut fields = vec![
            ("_token", token.as_str()),
            ("requester.firstName", "Ann"),
            ("requester.lastName", "Lee"),
            ("requester.email", "ann@example.fr"),
            ("subjectCategory", "housing"),
            (
                "subject",
                "Une demande de logement social déposée il y a deux ans",
            ),
            ("meetingMode", "in-person"),
            ("attendees", "1"),
        ];
        fields.extend_from_slice(extra);
        post_form(&server, path, &form_body(&fields), "")
    };
    let with_mayor = |date: &str, time: &str| {
        send(&[
            ("meetingType", "appointment"),
            ("official", "mayor"),
            ("wishedDate", date),
            ("wishedTime", time),
        ])
    };
    // Without JavaScript: the date entered, the button shows that day's slots.
    let seen = send(&[
        ("meetingType", "appointment"),
        ("official", "mayor"),
        ("wishedDate", &day),
        ("_slots", "1"),
    ]);
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(!seen.body.contains("error-summary"), "nothing checked yet");
    assert!(seen.body.contains("Créneaux libres le"), "{}", seen.body);
    assert!(
        seen.body.contains("<li>14:00</li>") && seen.body.contains(r#"<option value="14:30">"#)
    );
    assert!(seen.body.contains(r#"list="f-wishedTime-slots-list""#));

    assert_eq!(with_mayor(&day, "14:00").status, 303);
    let taken = with_mayor(&day, "14:00");
    assert_eq!(taken.status, 422);
    assert!(
        taken.body.contains("Ce créneau vient d'être pris"),
        "{}",
        taken.body
    );
    assert!(taken.body.contains(r##"href="#f-wishedTime""##));
    assert!(
        !taken.body.contains("<li>14:00</li>") && taken.body.contains("<li>14:30</li>"),
        "the free ones shown"
    );
    assert!(!free("mayor").contains("<slot>14:00</slot>"));
    assert!(
        free("deputy-social").contains("<slot>14:00</slot>"),
        "each official's own agenda"
    );

    let off = with_mayor(&day, "14:10");
    assert_eq!(off.status, 422);
    assert!(
        off.body.contains("n'est pas un créneau proposé"),
        "{}",
        off.body
    );
    let closed = with_mayor(&sunday, "14:00");
    assert_eq!(closed.status, 422);
    assert!(
        closed.body.contains("Pas de rendez-vous ce jour-là"),
        "{}",
        closed.body
    );
    assert!(closed.body.contains(r##"href="#f-wishedDate""##));

    // A drop-in session: no slot held, any time.
    let drop_in = send(&[
        ("meetingType", "permanence"),
        ("permanence", "mayor-saturday"),
        ("wishedDate", &day),
        ("wishedTime", "14:00"),
    ]);
    assert_eq!(drop_in.status, 303, "{}", drop_in.body);

    // The town publishes its own hours for the mayor's office.
    let dir = server.data_dir.join("tenants/demoville");
    let mut settings = std::fs::read_to_string(dir.join("settings.toml")).unwrap();
    settings.push_str("\n[agendas.cabinet]\nhours = [\"tue 10:00-11:00\"]\n");
    std::fs::write(dir.join("settings.toml"), settings).unwrap();
    server.app.site("demoville").unwrap().look.refresh();
    let published = free("mayor");
    assert!(
        published.contains("<slot>10:00</slot><slot>10:30</slot><see>"),
        "{published}"
    );
    assert!(
        server
            .get(path)
            .body
            .contains("Rendez-vous le mardi, hors jours fériés")
    );
    assert_eq!(with_mayor(&day, "10:30").status, 303);
    assert_eq!(with_mayor(&day, "14:30").status, 422, "no longer offered");
}

/// The family-quotient simulation answers on its page at once, in the
/// page's language, links to the enrolment it prices, and stores nothing:
/// the next request still takes the year's first reference.
#[test]
fn a_simulation_answers_at_once_and_stores_nothing() {
    let server = Server::start();
    let page = server.get("/demoville/services/family-quotient").body;
    assert!(
        !page.contains("requester.lastName"),
        "nobody's details asked"
    );
    assert!(page.contains(">Calculer</button>"));
    let token = token_of(&page);
    let r = post_form(
        &server,
        "/demoville/services/family-quotient",
        &form_body(&[
            ("_token", &token),
            ("annualIncome", "36 000"),
            ("monthlyBenefits", "140"),
            ("children", "3"),
        ]),
        "",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    for words in [
        "<dt>Nombre de parts</dt><dd>4,0</dd>",
        "<dt>Quotient familial mensuel</dt><dd>785,00 €</dd>",
        "<dt>Tranche du barème municipal</dt><dd>C</dd>",
        "<dt>Prix d'un repas à la cantine</dt><dd>3,20 €</dd>",
        r#"href="/demoville/services/school-canteen""#,
        r#"value="36 000""#,
    ] {
        assert!(r.body.contains(words), "{words}: {}", r.body);
    }
    let bad = post_form(
        &server,
        "/demoville/services/family-quotient",
        &form_body(&[("_token", &token), ("children", "trois")]),
        "",
    );
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains(r##"href="#f-annualIncome""##));
    // Nothing was stored: a real request takes the first number.
    let token = token_of(&server.get("/demoville/services/road-incident").body);
    let r = post_form(
        &server,
        "/demoville/services/road-incident",
        &incident(&token, "Lefèvre", "Lampadaire éteint depuis trois jours"),
        "",
    );
    let receipt = server.get(r.header("location").unwrap());
    assert!(
        receipt
            .body
            .contains(r#"<dd id="reference">2026-000001</dd>"#)
    );
}

fn body(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

/// A long form in pages, without JavaScript: each page checked on its own
/// before the next, what was typed carried along (nothing stored), the
/// requester's details on their own page, a summary of every answer with a
/// button to change each page, then the request sent from the summary.
#[test]
fn a_long_form_goes_page_by_page_to_a_summary_then_is_sent() {
    let server = Server::start();
    let path = "/demoville/services/social-housing-application";
    let first = server.get(path).body;
    assert!(first.contains(r#"<li aria-current="step" class="current">Votre demande</li>"#));
    assert!(first.contains(r#"name="requestType""#) && !first.contains(r#"name="monthlyIncome""#));
    assert!(
        !first.contains("requester.lastName"),
        "the requester has a page of their own"
    );
    // Carried along: each post sends back what the page had in hidden inputs.
    let post = |token: &str, fields: &[(&str, &str)]| {
        let mut all = vec![("_token", token)];
        all.extend_from_slice(fields);
        post_form(&server, path, &form_body(&all), "")
    };
    let hidden = |html: &str| -> Vec<(String, String)> {
        html.match_indices(r#"<input type="hidden" name=""#)
            .map(|(i, _)| {
                let rest = &html[i + 27..];
                let name = &rest[..rest.find('"').unwrap()];
                let v = &rest[rest.find(r#"value=""#).unwrap() + 7..];
                (name.to_owned(), v[..v.find('"').unwrap()].to_owned())
            })
            .filter(|(n, _)| n != "_token" && n != "_step")
            .collect()
    };
    let page1 = [
        ("requestType", "new"),
        ("applicantBirthDate", "1990-05-04"),
        ("applicantNationality", "french"),
        ("familyStatus", "single"),
        ("applicantActivity", "cdi"),
    ];
    // The first page checked alone: its own error only.
    let mut bad = page1.to_vec();
    bad.retain(|(n, _)| *n != "familyStatus");
    bad.push(("_step", "0"));
    bad.push(("_nav", "next"));
    let r = post(&token_of(&first), &bad);
    assert_eq!(r.status, 422);
    assert!(r.body.contains(r##"href="#f-familyStatus"##), "{}", r.body);
    assert!(
        !r.body.contains(r##"href="#f-monthlyIncome"##),
        "not the next page's"
    );
    // Page after page.
    let mut sent: Vec<(&str, &str)> = page1.to_vec();
    sent.extend([("_step", "0"), ("_nav", "next")]);
    let r = post(&token_of(&r.body), &sent);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("<legend>Votre foyer et vos ressources</legend>")
    );
    let carried = hidden(&r.body);
    assert!(
        carried.contains(&("requestType".into(), "new".into())),
        "{carried:?}"
    );
    let mut next: Vec<(String, String)> = carried;
    for (n, v) in [
        ("householdMembers.1.memberLastName", "Martin"),
        ("householdMembers.1.memberFirstName", "Léo"),
        ("householdMembers.1.memberBirthDate", "2015-02-03"),
        ("dependentChildren", "1"),
        ("monthlyIncome", "1 450"),
        ("taxReferenceIncome", "16 000"),
        ("_step", "1"),
        ("_nav", "next"),
    ] {
        next.push((n.into(), v.into()));
    }
    let r = post(&token_of(&r.body), &body(&next));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("<legend>Votre logement et vos souhaits</legend>")
    );
    let mut next = hidden(&r.body);
    for (n, v) in [
        ("currentHousing", "hosted-family"),
        ("requestReasons", "no-housing"),
        ("wishedType", "t2"),
        ("wishedCommunes", "Démoville"),
        ("_step", "2"),
        ("_nav", "next"),
    ] {
        next.push((n.into(), v.into()));
    }
    let r = post(&token_of(&r.body), &body(&next));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("requester.lastName"),
        "the requester's page"
    );
    let mut next = hidden(&r.body);
    for (n, v) in [
        ("requester.firstName", "Zoé"),
        ("requester.lastName", "Lefèvre"),
        ("requester.email", "zoe@example.fr"),
        ("_step", "3"),
        ("_nav", "next"),
    ] {
        next.push((n.into(), v.into()));
    }
    let r = post(&token_of(&r.body), &body(&next));
    assert_eq!(r.status, 200, "{}", r.body);
    // The summary: every page's answers, each page changeable.
    for words in [
        "<h2>Récapitulatif</h2>",
        "<h3>Votre foyer et vos ressources</h3>",
        "Martin",
        "<dd>Lefèvre</dd>",
        r#"name="_nav" value="edit-1""#,
    ] {
        assert!(r.body.contains(words), "{words}: {}", r.body);
    }
    let summary = hidden(&r.body);
    let mut edit = summary.clone();
    edit.extend([
        ("_step".into(), "4".into()),
        ("_nav".into(), "edit-1".into()),
    ]);
    let back = post(&token_of(&r.body), &body(&edit));
    assert!(
        back.body
            .contains("<legend>Votre foyer et vos ressources</legend>")
    );
    assert!(
        back.body.contains(r#"value="Martin""#),
        "the page's answers are back in place"
    );
    // Sent from the summary: a receipt.
    let mut send = summary;
    send.extend([("_step".into(), "4".into()), ("_nav".into(), "send".into())]);
    let r = post(&token_of(&r.body), &body(&send));
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.header("location").unwrap().contains("/receipt/"));
}

/// Every form says what becomes of the requester's data: the service's own
/// notice (purpose, legal basis, retention, recipients), or general words
/// for what it leaves out, and the rights; the service's French words are
/// marked so on an English page. A simulation, which keeps nothing, has none.
#[test]
fn each_form_has_its_privacy_notice() {
    let server = Server::start();
    let birth = server.get("/demoville/services/birth-certificate").body;
    let notice = &birth[birth.find(r#"<section class="privacy""#).expect("a notice")..];
    assert!(notice.contains("Vos données personnelles"));
    assert!(
        notice.contains("article 30 du décret n° 2017-890"),
        "its own purpose"
    );
    assert!(notice.contains("obligation légale de la commune (article 6.1.c"));
    assert!(notice.contains("un an après son envoi"));
    assert!(
        notice.contains("Ses pièces jointes sont supprimées 3 mois après sa clôture, ses autres données personnelles 12 mois après"),
        "its anonymisation rule, its files sooner"
    );
    assert!(notice.contains("officiers et agents de l'état civil"));
    assert!(notice.contains("saisir la CNIL"));
    assert!(
        birth.find("</form>").unwrap() < birth.find(r#"class="privacy""#).unwrap(),
        "after the form"
    );

    let road = server.get("/demoville/services/road-incident").body;
    let notice = &road[road.find(r#"<section class="privacy""#).expect("a notice")..];
    assert!(
        notice.contains("mission d'intérêt public"),
        "a public task by default"
    );
    assert!(notice.contains("Les agents du service Voirie"), "{notice}");
    assert!(notice.contains("Ville de Démoville"));
    assert!(
        notice.contains(
            "Le temps de traiter votre demande.</span> Ses données personnelles sont effacées 24 mois"
        ),
        "the default rule: {notice}"
    );

    let english = server.get("/demoville/services/room-booking?lang=en").body;
    let notice = &english[english
        .find(r#"<section class="privacy""#)
        .expect("a notice")..];
    assert!(notice.contains("Your personal data"));
    assert!(notice.contains("GDPR article 6.1.b"), "a contract");
    assert!(
        notice.contains(r#"<span lang="fr">Deux ans après la date de l'événement.</span> Its personal data is erased 24 months after it is closed"#),
        "{notice}"
    );
    assert!(
        notice.contains("The agents of the"),
        "the default in English"
    );

    let xml = server
        .get("/demoville/services/birth-certificate?format=xml")
        .body;
    validate_view(&xml, "form with its privacy notice");
    let simulation = server.get("/demoville/services/family-quotient");
    assert_eq!(simulation.status, 200);
    assert!(
        !simulation.body.contains(r#"class="privacy""#),
        "nothing kept"
    );
}
