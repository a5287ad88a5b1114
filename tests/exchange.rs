//! The exchange API for business software (`/T/exchange`), over HTTP:
//! its WSDL, WS-Security UsernameToken (digest, window, nonces kept in the
//! store across restarts), and a business application's round: list the
//! new requests, fetch each file (valid against its XSD), acknowledge,
//! move one to its end while the citizen sees each step.

mod common;

use base64::Engine;
use common::agent::{all, find, parse};
use common::{HttpResponse, Server, TempDir, element, envelope11, road_incident};
use guichet::config::RequestLimits;
use guichet::core::workflow::Role;

const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
const DIGEST: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
const TEXT: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText";
const NS: &str = "urn:guichet:demoville:exchange";
const PASSWORD: &str = "logiciel-voirie-2026-secret";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn digest(nonce: &[u8], created: &str, password: &str) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY);
    ctx.update(nonce);
    ctx.update(created.as_bytes());
    ctx.update(password.as_bytes());
    b64(ctx.finish().as_ref())
}

/// A UsernameToken header as WSS 1.1 writes it.
struct Token {
    login: String,
    password: String,
    nonce: Vec<u8>,
    created: String,
    kind: &'static str,
}

impl Token {
    fn fresh(server: &Server, login: &str, password: &str) -> Token {
        let mut nonce = vec![0u8; 16];
        getrandom::fill(&mut nonce).unwrap();
        Token {
            login: login.into(),
            password: password.into(),
            nonce,
            created: server.now.lock().unwrap().to_string(),
            kind: DIGEST,
        }
    }

    fn header(&self) -> String {
        let password = if self.kind == DIGEST {
            digest(&self.nonce, &self.created, &self.password)
        } else {
            self.password.clone()
        };
        format!(
            r#"<soapenv:Header><wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}" soapenv:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>{}</wsse:Username><wsse:Password Type="{}">{password}</wsse:Password><wsse:Nonce>{}</wsse:Nonce><wsu:Created>{}</wsu:Created></wsse:UsernameToken></wsse:Security></soapenv:Header>"#,
            self.login,
            self.kind,
            b64(&self.nonce),
            self.created
        )
    }
}

fn envelope(header: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="{NS}">{header}<soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
    )
}

fn send(server: &Server, token: &Token, body: &str) -> HttpResponse {
    server.post(
        "/demoville/exchange",
        "text/xml; charset=utf-8",
        envelope(&token.header(), body).as_bytes(),
    )
}

/// A call with a fresh token of `login`.
fn call(server: &Server, login: &str, body: &str) -> HttpResponse {
    send(server, &Token::fresh(server, login, PASSWORD), body)
}

fn fault_codes(r: &HttpResponse) -> Vec<String> {
    all(&parse(&r.body), "code")
        .iter()
        .map(|e| e.text.clone())
        .collect()
}

fn add_account(server: &Server, login: &str, roles: &[(&str, Role)]) {
    let site = server.app.site("demoville").unwrap();
    common::runtime()
        .block_on(guichet::usecases::api_accounts::add(
            &server.app,
            &site,
            login,
            &format!("Logiciel {login}"),
            roles.iter().map(|(d, r)| (d.to_string(), *r)).collect(),
            PASSWORD,
            "system:test".into(),
        ))
        .unwrap();
}

/// Files a road incident over the citizens' SOAP endpoint: (reference,
/// tracking code).
fn report(server: &Server, name: &str) -> (String, String) {
    let r = server.soap11(&envelope11(&road_incident(name)));
    assert_eq!(r.status, 200, "{}", r.body);
    (
        r.element("reference").unwrap(),
        r.element("trackingCode").unwrap(),
    )
}

fn citizen_status(server: &Server, code: &str) -> String {
    server
        .soap11(&envelope11(&format!(
            "<g:GetRequestStatus><g:trackingCode>{code}</g:trackingCode></g:GetRequestStatus>"
        )))
        .body
}

#[test]
fn the_wsdl_describes_every_operation_and_the_endpoint_wants_post() {
    let server = Server::start();
    let r = server.get("/demoville/exchange?wsdl");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/xml"));
    let wsdl = parse(&r.body);
    let ops: Vec<String> = all(&wsdl, "operation")
        .iter()
        .filter_map(|o| o.attr("name").map(str::to_owned))
        .collect();
    for op in [
        "ListNewRequests",
        "GetRequestFile",
        "AcknowledgeRequests",
        "UpdateRequestStatus",
        "AddNote",
        "AddDocument",
        "GetRequestHistory",
    ] {
        assert!(ops.iter().any(|o| o == op), "{op} missing from {ops:?}");
    }
    assert!(
        r.body
            .contains(r#"location="http://127.0.0.1:8080/demoville/exchange""#),
        "{}",
        r.body
    );
    assert_eq!(
        find(&wsdl, "definitions").unwrap().attr("targetNamespace"),
        Some(NS)
    );
    let r = server.get("/demoville/exchange");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    assert!(r.body.contains("?wsdl"));
}

#[test]
fn tokens_missing_wrong_stale_replayed_or_in_clear_are_refused() {
    let server = Server::start();
    add_account(&server, "voirie-sig", &[("voirie", Role::Handler)]);
    let list = "<x:ListNewRequests/>";
    // No header at all.
    let r = server.post(
        "/demoville/exchange",
        "text/xml; charset=utf-8",
        envelope("", list).as_bytes(),
    );
    assert_eq!(r.status, 500);
    assert_eq!(fault_codes(&r), ["security-token-missing"]);
    // A good token passes.
    let token = Token::fresh(&server, "voirie-sig", PASSWORD);
    let r = send(&server, &token, list);
    assert_eq!(r.status, 200, "{}", r.body);
    // The same token again: its nonce has served.
    let r = send(&server, &token, list);
    assert_eq!(fault_codes(&r), ["security-token-replayed"], "{}", r.body);
    // A wrong password, an unknown login: the same answer.
    let r = call(&server, "voirie-sig", "<x:ListNewRequests/>");
    assert_eq!(r.status, 200);
    let wrong = Token::fresh(&server, "voirie-sig", "not-the-password-at-all");
    assert_eq!(
        fault_codes(&send(&server, &wrong, list)),
        ["failed-authentication"]
    );
    let unknown = Token::fresh(&server, "nobody", PASSWORD);
    assert_eq!(
        fault_codes(&send(&server, &unknown, list)),
        ["failed-authentication"]
    );
    // Six minutes old.
    let mut stale = Token::fresh(&server, "voirie-sig", PASSWORD);
    server.advance_minutes(6);
    let r = send(&server, &stale, list);
    assert_eq!(fault_codes(&r), ["security-token-expired"]);
    // A forged Created (the digest covers it) is a wrong digest.
    let good = Token::fresh(&server, "voirie-sig", PASSWORD);
    let mut forged = envelope(&good.header(), list);
    let later = server
        .now
        .lock()
        .unwrap()
        .checked_add(jiff::SignedDuration::from_secs(30))
        .unwrap()
        .to_string();
    forged = forged.replace(&good.created, &later);
    let r = server.post(
        "/demoville/exchange",
        "text/xml; charset=utf-8",
        forged.as_bytes(),
    );
    assert_eq!(fault_codes(&r), ["failed-authentication"], "{}", r.body);
    // PasswordText is not accepted.
    stale.created = server.now.lock().unwrap().to_string();
    stale.kind = TEXT;
    assert_eq!(
        fault_codes(&send(&server, &stale, list)),
        ["security-token-unsupported"]
    );
    // SOAP 1.2 too.
    let token = Token::fresh(&server, "voirie-sig", PASSWORD);
    let body = envelope(&token.header(), list).replace(
        "http://schemas.xmlsoap.org/soap/envelope/",
        "http://www.w3.org/2003/05/soap-envelope",
    );
    let r = server.post(
        "/demoville/exchange",
        "application/soap+xml; charset=utf-8",
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    // A disabled account is refused.
    let site = server.app.site("demoville").unwrap();
    common::runtime()
        .block_on(guichet::usecases::api_accounts::change(
            &server.app,
            &site,
            "voirie-sig",
            "Logiciel voirie-sig",
            false,
            vec![("voirie".into(), Role::Handler)],
            None,
            "system:test".into(),
        ))
        .unwrap();
    assert_eq!(
        fault_codes(&call(&server, "voirie-sig", list)),
        ["failed-authentication"]
    );
}

#[test]
fn a_nonce_stays_used_after_a_restart() {
    let dir = TempDir::new();
    let header;
    {
        let server = Server::start_in(&dir.0, RequestLimits::default());
        add_account(&server, "voirie-sig", &[("voirie", Role::Handler)]);
        let token = Token::fresh(&server, "voirie-sig", PASSWORD);
        header = token.header();
        let r = send(&server, &token, "<x:ListNewRequests/>");
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let server = Server::start_in(&dir.0, RequestLimits::default());
    let r = server.post(
        "/demoville/exchange",
        "text/xml; charset=utf-8",
        envelope(&header, "<x:ListNewRequests/>").as_bytes(),
    );
    assert_eq!(fault_codes(&r), ["security-token-replayed"], "{}", r.body);
}

#[test]
fn business_software_pulls_acknowledges_and_moves_a_request_to_its_end() {
    let server = Server::start();
    add_account(&server, "voirie-sig", &[("voirie", Role::Handler)]);
    add_account(&server, "etat-civil-app", &[("etat-civil", Role::Handler)]);
    let (first, code) = report(&server, "Durand");
    let (second, _) = report(&server, "Martin");
    let (third, _) = report(&server, "Petit");

    // Pages of one, oldest first, with a cursor.
    let r = call(
        &server,
        "voirie-sig",
        "<x:ListNewRequests><x:limit>2</x:limit></x:ListNewRequests>",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let page = parse(&r.body);
    let refs: Vec<String> = all(&page, "reference")
        .iter()
        .map(|e| e.text.clone())
        .collect();
    assert_eq!(refs, [first.as_str(), second.as_str()]);
    assert_eq!(element(&r.body, "more").as_deref(), Some("true"));
    let cursor = element(&r.body, "cursor").unwrap();
    let r = call(
        &server,
        "voirie-sig",
        &format!("<x:ListNewRequests><x:after>{cursor}</x:after></x:ListNewRequests>"),
    );
    let refs: Vec<String> = all(&parse(&r.body), "reference")
        .iter()
        .map(|e| e.text.clone())
        .collect();
    assert_eq!(refs, [third.as_str()]);
    assert_eq!(element(&r.body, "more").as_deref(), Some("false"));
    // Another department's software sees none of them.
    let r = call(&server, "etat-civil-app", "<x:ListNewRequests/>");
    assert!(all(&parse(&r.body), "request").is_empty(), "{}", r.body);
    let r = call(
        &server,
        "etat-civil-app",
        &format!("<x:GetRequestFile><x:reference>{first}</x:reference></x:GetRequestFile>"),
    );
    assert_eq!(fault_codes(&r), ["not-allowed"]);
    // Bad parameters are named, each.
    let r = call(
        &server,
        "voirie-sig",
        "<x:ListNewRequests><x:service>nope</x:service><x:limit>9999</x:limit></x:ListNewRequests>",
    );
    assert_eq!(fault_codes(&r), ["unknown-service", "invalid-value"]);

    // The file is the request file, valid against the service's schema.
    let r = call(
        &server,
        "voirie-sig",
        &format!("<x:GetRequestFile><x:reference>{first}</x:reference></x:GetRequestFile>"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let file = base64::engine::general_purpose::STANDARD
        .decode(element(&r.body, "file").unwrap())
        .unwrap();
    let file = String::from_utf8(file).unwrap();
    assert!(file.contains("Durand"));
    common::assert_valid_against_served(
        &server,
        "/demoville/xsd/road-incident.xsd",
        &file,
        "the request file",
    );
    assert_eq!(element(&r.body, "step").as_deref(), Some("received"));
    let actions: Vec<String> = all(&parse(&r.body), "id")
        .iter()
        .map(|e| e.text.clone())
        .collect();
    assert_eq!(actions, ["qualify", "not-ours"]);
    let revision = element(&r.body, "revision").unwrap();

    // Acknowledged, it is no longer new for this account.
    let r = call(
        &server,
        "voirie-sig",
        &format!(
            "<x:AcknowledgeRequests><x:reference>{first}</x:reference><x:reference>{second}</x:reference></x:AcknowledgeRequests>"
        ),
    );
    assert_eq!(
        element(&r.body, "acknowledged").as_deref(),
        Some("2"),
        "{}",
        r.body
    );
    let r = call(&server, "voirie-sig", "<x:ListNewRequests/>");
    let refs: Vec<String> = all(&parse(&r.body), "reference")
        .iter()
        .map(|e| e.text.clone())
        .collect();
    assert_eq!(refs, [third.as_str()]);
    // One unknown reference and nothing is acknowledged.
    let r = call(
        &server,
        "voirie-sig",
        &format!(
            "<x:AcknowledgeRequests><x:reference>{third}</x:reference><x:reference>2026-999999</x:reference></x:AcknowledgeRequests>"
        ),
    );
    assert_eq!(fault_codes(&r), ["unknown-request"]);
    let r = call(&server, "voirie-sig", "<x:ListNewRequests/>");
    assert_eq!(all(&parse(&r.body), "request").len(), 1);

    // Moved through its steps as the account, revision by revision.
    let step = |action: &str, revision: &str, message: Option<&str>| {
        let message = message
            .map(|m| format!("<x:messageToCitizen>{m}</x:messageToCitizen>"))
            .unwrap_or_default();
        call(
            &server,
            "voirie-sig",
            &format!(
                "<x:UpdateRequestStatus><x:reference>{first}</x:reference><x:action>{action}</x:action>{message}<x:revision>{revision}</x:revision></x:UpdateRequestStatus>"
            ),
        )
    };
    let r = step("qualify", &revision, None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(element(&r.body, "step").as_deref(), Some("qualified"));
    let after_qualify = element(&r.body, "revision").unwrap();
    assert!(citizen_status(&server, &code).contains("Signalement examiné"));
    // The revision it was decided on is gone: nothing applied.
    let r = step("schedule", &revision, None);
    assert_eq!(fault_codes(&r), ["stale-revision"], "{}", r.body);
    let r = step("fly", &after_qualify, None);
    assert_eq!(fault_codes(&r), ["refused"], "{}", r.body);
    let r = step(
        "schedule",
        &after_qualify,
        Some("Intervention prévue lundi matin."),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let status = citizen_status(&server, &code);
    assert!(status.contains("Intervention planifiée"), "{status}");
    assert!(
        status.contains("Intervention prévue lundi matin."),
        "{status}"
    );
    // A note stays internal; without a revision the change applies as it is.
    let r = call(
        &server,
        "voirie-sig",
        &format!(
            "<x:AddNote><x:reference>{first}</x:reference><x:text>Équipe B, camion 3.</x:text></x:AddNote>"
        ),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!citizen_status(&server, &code).contains("camion"));
    let r = step("fixed", &element(&r.body, "revision").unwrap(), None);
    assert_eq!(
        element(&r.body, "finished").as_deref(),
        Some("true"),
        "{}",
        r.body
    );
    let status = citizen_status(&server, &code);
    assert!(status.contains("Incident réparé"), "{status}");

    // The history says who, by name.
    let r = call(
        &server,
        "voirie-sig",
        &format!("<x:GetRequestHistory><x:reference>{first}</x:reference></x:GetRequestHistory>"),
    );
    let history = parse(&r.body);
    let events = all(&history, "event");
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e.child("action").unwrap().text.as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "submitted",
            "qualify",
            "schedule",
            "answer",
            "note",
            "fixed"
        ]
    );
    assert_eq!(events[1].child("actor").unwrap().text, "api:voirie-sig");
    assert_eq!(
        events[1].child("actorName").unwrap().text,
        "Logiciel voirie-sig"
    );
    // The journal has the reads and the acknowledgement under its name.
    let site = server.app.site("demoville").unwrap();
    let journal = common::runtime()
        .block_on(server.app.store.journal(site.tenant.id, None, 200))
        .unwrap();
    let by_software: Vec<&str> = journal
        .iter()
        .filter(|e| e.actor == "api:voirie-sig")
        .map(|e| e.action.as_str())
        .collect();
    for action in [
        "request-file-read",
        "requests-acknowledged",
        "qualify",
        "note",
        "request-history-read",
    ] {
        assert!(by_software.contains(&action), "{action} in {by_software:?}");
    }
}

#[test]
fn a_document_from_the_software_reaches_the_requester() {
    let server = Server::start();
    add_account(&server, "voirie-sig", &[("voirie", Role::Handler)]);
    let (reference, code) = report(&server, "Durand");
    let pdf = std::fs::read("tests/fixtures/piece-identite.pdf").unwrap();
    let r = call(
        &server,
        "voirie-sig",
        &format!(
            "<x:AddDocument><x:reference>{reference}</x:reference><x:fileName>compte-rendu.pdf</x:fileName><x:content>{}</x:content><x:sendToRequester>true</x:sendToRequester><x:comment>Compte rendu d'intervention</x:comment></x:AddDocument>",
            b64(&pdf)
        ),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let page = server.get(&format!("/demoville/track/{code}"));
    assert!(page.body.contains("compte-rendu.pdf"), "{}", page.body);
    // A file of a kind not accepted is named as the fault.
    let r = call(
        &server,
        "voirie-sig",
        &format!(
            "<x:AddDocument><x:reference>{reference}</x:reference><x:fileName>x.exe</x:fileName><x:content>{}</x:content></x:AddDocument>",
            b64(b"MZ\x90\x00 not a document")
        ),
    );
    assert_eq!(fault_codes(&r), ["file-refused"], "{}", r.body);
}

#[test]
fn the_documentation_page_lists_every_operation_fault_and_an_example() {
    let server = Server::start();
    let r = server.get("/demoville/exchange/doc");
    assert_eq!(r.status, 200, "{}", r.body);
    for op in [
        "ListNewRequests",
        "GetRequestFile",
        "AcknowledgeRequests",
        "UpdateRequestStatus",
        "AddNote",
        "AddDocument",
        "GetRequestHistory",
    ] {
        assert!(r.body.contains(&format!(r#"id="op-{op}""#)), "{op}");
    }
    for code in [
        "security-token-replayed",
        "failed-authentication",
        "stale-revision",
        "not-allowed",
    ] {
        assert!(r.body.contains(&format!(r#"id="fault-{code}""#)), "{code}");
    }
    assert!(r.body.contains("PasswordDigest"));
    assert!(
        r.body
            .contains("http://127.0.0.1:8080/demoville/exchange?wsdl")
    );
    // The example is a real envelope of the server's writer.
    assert!(r.body.contains("ListNewRequestsResponse"));
    let view = server.get("/demoville/exchange/doc?format=xml");
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    common::assert_valid(&schema, &view.body, "the exchange documentation view");
    let en = server.get("/demoville/exchange/doc?lang=en");
    assert!(en.body.contains("Exchange service for business software"));
}

#[test]
fn an_administrator_creates_changes_and_stops_an_account_from_the_admin_page() {
    use common::agent::login;
    let server = Server::start();
    let admin = login(&server, "admin");
    let page = admin.view("/demoville/backoffice/admin/exchange");
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    let token = find(&page, "exchange-accounts")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    // Every problem next to its field; nothing created.
    let r = admin.post(
        "/demoville/backoffice/admin/exchange",
        &[
            ("_token", &token),
            ("login", "Bad Login"),
            ("name", "Logiciel"),
        ],
    );
    assert_eq!(r.status, 422);
    let r = admin.post(
        "/demoville/backoffice/admin/exchange",
        &[
            ("_token", &token),
            ("login", "sig-voirie"),
            ("name", "SIG voirie"),
            ("password", "short"),
            ("role", "voirie:handler"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains(r#"id="account-password-error""#),
        "{}",
        r.body
    );
    let r = admin.post(
        "/demoville/backoffice/admin/exchange",
        &[
            ("_token", &token),
            ("login", "sig-voirie"),
            ("name", "SIG voirie"),
            ("password", PASSWORD),
            ("role", "voirie:handler"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let view = admin.get("/demoville/backoffice/admin/exchange?format=xml&created=sig-voirie");
    common::assert_valid(&schema, &view.body, "the exchange accounts view");
    assert!(view.body.contains(r#"login="sig-voirie""#));
    assert!(!view.body.contains(PASSWORD));
    // The account works at once.
    report(&server, "Durand");
    let r = call(&server, "sig-voirie", "<x:ListNewRequests/>");
    assert_eq!(all(&parse(&r.body), "request").len(), 1, "{}", r.body);
    // Stopped from its page: refused.
    let edit = admin.get("/demoville/backoffice/admin/exchange/sig-voirie?format=xml");
    common::assert_valid(&schema, &edit.body, "an exchange account's view");
    let r = admin.post(
        "/demoville/backoffice/admin/exchange/sig-voirie",
        &[
            ("_token", &token),
            ("name", "SIG voirie"),
            ("role", "voirie:handler"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        fault_codes(&call(&server, "sig-voirie", "<x:ListNewRequests/>")),
        ["failed-authentication"]
    );
    // An agent who is not an administrator may not see the page.
    let marie = login(&server, "marie");
    assert_eq!(
        marie.get("/demoville/backoffice/admin/exchange").status,
        403
    );
    let html = admin.get("/demoville/backoffice/admin/exchange");
    assert!(html.body.contains("SIG voirie"));
}

#[test]
fn a_test_request_is_unknown_to_business_software() {
    use base64::Engine;
    let server = Server::start();
    add_account(&server, "voirie-sig", &[("voirie", Role::Handler)]);
    let site = server.app.site("demoville").unwrap();
    assert!(
        server
            .app
            .store
            .set_service_status(
                site.tenant.id,
                "road-incident",
                guichet::store::ServiceStatus::Test,
                "agent:admin",
                server.app.now(),
            )
            .unwrap()
    );
    // Served in test within the tenants period.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server
        .app
        .site("demoville")
        .unwrap()
        .tenant
        .offered(guichet::core::tenant::Audience::Public)
        .any(|s| s.code == "road-incident")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "road-incident in test"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // An agent tries it at the testers' endpoint.
    let envelope = envelope11(&road_incident("Essai"));
    let mut request = format!(
        "POST /demoville/soap/test HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nAuthorization: Basic {}\r\nConnection: close\r\n\r\n",
        envelope.len(),
        base64::engine::general_purpose::STANDARD
            .encode(format!("paul:{}", guichet::app::DEMO_PASSWORD))
    )
    .into_bytes();
    request.extend_from_slice(envelope.as_bytes());
    let r = server.raw(&request);
    assert_eq!(r.status, 200, "{}", r.body);
    let reference = r.element("reference").unwrap();
    let r = call(&server, "voirie-sig", "<x:ListNewRequests/>");
    assert!(all(&parse(&r.body), "request").is_empty(), "{}", r.body);
    for body in [
        format!("<x:GetRequestFile><x:reference>{reference}</x:reference></x:GetRequestFile>"),
        format!(
            "<x:UpdateRequestStatus><x:reference>{reference}</x:reference><x:action>qualify</x:action></x:UpdateRequestStatus>"
        ),
        format!(
            "<x:AcknowledgeRequests><x:reference>{reference}</x:reference></x:AcknowledgeRequests>"
        ),
    ] {
        assert_eq!(
            fault_codes(&call(&server, "voirie-sig", &body)),
            ["unknown-request"],
            "{body}"
        );
    }
}
