//! Towns on one install: an operator adds, lists, disables and enables
//! them with the `guichet` command while a server runs, and each town is
//! isolated from the others — agents, WSDL, references, tracking codes,
//! files — through HTTP and SOAP.

mod common;

use common::{HttpResponse, Server, envelope11, road_incident};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn guichet(server: &Server) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
    for (key, _) in std::env::vars() {
        if key.starts_with("GUICHET_") {
            c.env_remove(key);
        }
    }
    c.env("GUICHET_LOG", "error")
        .env("GUICHET_DATA_DIR", &server.data_dir)
        .current_dir(&server.data_dir);
    common::backend_env(&mut c, &server.data_dir);
    c
}

fn said(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Waits until `path` answers `status` (the server reloads tenants by
/// itself), for at most 10 seconds.
fn wait_status(server: &Server, path: &str, status: u16) -> HttpResponse {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = server.get(path);
        if r.status == status {
            return r;
        }
        assert!(
            Instant::now() < deadline,
            "{path} still answers {} instead of {status}",
            r.status
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

/// Logs in at `/SLUG/backoffice/login`; the response.
fn login(server: &Server, slug: &str, login: &str, password: &str) -> HttpResponse {
    let page = server.get(&format!("/{slug}/backoffice/login?format=xml"));
    assert_eq!(page.status, 200, "{}", page.body);
    let token = common::element_attr(&page.body, "login", "token").expect("a login token");
    let body = form(&[("_token", &token), ("login", login), ("password", password)]);
    let mut request = format!(
        "POST /{slug}/backoffice/login HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nSec-Fetch-Site: same-origin\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    server.raw(&request)
}

const PASSWORD: &str = "autreville-2026-mairie";

#[test]
fn an_operator_adds_disables_and_enables_a_town_that_a_running_server_serves() {
    let server = Server::start();
    assert_eq!(server.get("/autreville/").status, 404);
    let add = |slug: &str| {
        guichet(&server)
            .args([
                "tenant",
                "add",
                slug,
                "--name",
                "Ville d'Autreville",
                "--admin",
                "maire",
                "--email",
                "maire@autreville.example",
            ])
            .env("GUICHET_AGENT_PASSWORD", PASSWORD)
            .output()
            .unwrap()
    };
    let out = add("autreville");
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("town autreville added"),
        "{}",
        said(&out)
    );
    // Served without a restart: its pages, its WSDL (no service online yet),
    // its back office for its administrator.
    let catalogue = wait_status(&server, "/autreville/", 200);
    assert!(
        catalogue.body.contains("Ville d&#39;Autreville")
            || catalogue.body.contains("Ville d'Autreville")
    );
    let wsdl = server.get("/autreville/soap?wsdl");
    assert_eq!(wsdl.status, 200);
    assert!(wsdl.body.contains("urn:guichet:autreville"));
    assert!(
        !wsdl.body.contains("SubmitRoadIncidentReport"),
        "no service online"
    );
    let r = login(&server, "autreville", "maire", PASSWORD);
    assert_eq!(r.status, 303, "the administrator logs in: {}", r.body);
    // Its departments are the library's.
    let site = server.app.any_site("autreville").unwrap();
    assert!(site.department("etat-civil").is_some() && site.department("voirie").is_some());

    // A taken or malformed slug is refused, and says why.
    let out = add("autreville");
    assert!(!out.status.success());
    assert!(said(&out).contains("already exists"), "{}", said(&out));
    let out = add("Autre Ville");
    assert!(!out.status.success());
    assert!(said(&out).contains("lower-case letters"), "{}", said(&out));
    let out = add("health");
    assert!(!out.status.success());
    assert!(
        said(&out).contains("Guichet's own address"),
        "{}",
        said(&out)
    );

    // Listed with its numbers.
    let out = guichet(&server).args(["tenant", "list"]).output().unwrap();
    let list = said(&out);
    assert!(
        list.contains("autreville\tVille d'Autreville\t0 service(s) online\t0 request(s)\tenabled"),
        "{list}"
    );
    assert!(
        list.contains(&format!(
            "demoville\tVille de Démoville\t{} service(s) online",
            guichet::core::builtin::services().len()
        )),
        "{list}"
    );

    // Disabled: every address answers 404, within seconds; data kept.
    let out = guichet(&server)
        .args(["tenant", "disable", "autreville"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    wait_status(&server, "/autreville/", 404);
    for path in [
        "/autreville/soap?wsdl",
        "/autreville/backoffice/login",
        "/autreville/xsd/autreville.xsd",
        "/autreville/track",
    ] {
        assert_eq!(server.get(path).status, 404, "{path}");
    }
    assert_eq!(server.get("/demoville/").status, 200, "the others carry on");
    let out = guichet(&server).args(["tenant", "list"]).output().unwrap();
    assert!(
        said(&out).contains(
            "autreville\tVille d'Autreville\t0 service(s) online\t0 request(s)\tdisabled"
        )
    );
    // Enabled again: served again, with its administrator.
    let out = guichet(&server)
        .args(["tenant", "enable", "autreville"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    wait_status(&server, "/autreville/", 200);
    assert_eq!(login(&server, "autreville", "maire", PASSWORD).status, 303);
    let out = guichet(&server)
        .args(["tenant", "disable", "nowhere"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        said(&out).contains("no tenant named \"nowhere\""),
        "{}",
        said(&out)
    );
    // Each change is in the town's own journal.
    let journal = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(server.app.store.journal(site.tenant.id, None, 10))
        .unwrap();
    let actions: Vec<&str> = journal
        .iter()
        .map(|e| e.action.as_str())
        .filter(|a| *a != "login")
        .collect();
    assert!(
        actions.starts_with(&["tenant-enabled", "tenant-disabled"]),
        "{actions:?}"
    );
}

/// Demoville (the whole catalogue) and Autreville (two services of it).
fn two_towns() -> Server {
    let server = Server::start();
    let definitions: Vec<(String, String, u32)> = guichet::core::builtin::DEFINITIONS
        .iter()
        .filter_map(|(_, text)| {
            let s = guichet::core::catalogue::Service::from_xml(text).unwrap();
            matches!(s.code.as_str(), "road-incident" | "room-booking")
                .then(|| (s.code, text.to_string(), s.version))
        })
        .collect();
    assert_eq!(definitions.len(), 2);
    assert!(
        server
            .app
            .store
            .create_tenant("autreville", "Ville d'Autreville", &definitions)
            .unwrap()
    );
    wait_status(&server, "/autreville/", 200);
    server
}

fn soap(server: &Server, slug: &str, body: &str) -> HttpResponse {
    let envelope =
        envelope11(body).replace("urn:guichet:demoville", &format!("urn:guichet:{slug}"));
    server.post(
        &format!("/{slug}/soap"),
        "text/xml; charset=utf-8",
        envelope.as_bytes(),
    )
}

#[test]
fn each_town_has_its_own_services_references_tracking_codes_agents_and_files() {
    let server = two_towns();
    // Each WSDL lists only its town's services, in its town's namespace.
    let demo = server.get("/demoville/soap?wsdl").body;
    let autre = server.get("/autreville/soap?wsdl").body;
    assert!(demo.contains("SubmitBirthCertificateRequest"));
    assert!(autre.contains("SubmitRoadIncidentReport"));
    assert!(
        !autre.contains("SubmitBirthCertificateRequest"),
        "not offered there"
    );
    assert!(autre.contains("urn:guichet:autreville") && !autre.contains("urn:guichet:demoville"));
    // A service of one town is unknown in the other.
    assert_eq!(
        server.get("/autreville/services/birth-certificate").status,
        404
    );

    // References count per town and year.
    let a = soap(&server, "demoville", &road_incident("Durand"));
    let b = soap(&server, "autreville", &road_incident("Martin"));
    let c = soap(&server, "autreville", &road_incident("Petit"));
    for r in [&a, &b, &c] {
        assert_eq!(r.status, 200, "{}", r.body);
    }
    assert_eq!(a.element("reference").unwrap(), "2026-000001");
    assert_eq!(b.element("reference").unwrap(), "2026-000001");
    assert_eq!(c.element("reference").unwrap(), "2026-000002");
    assert!(
        b.element("trackingUrl")
            .unwrap()
            .contains("/autreville/track/")
    );

    // A tracking code of one town is unknown under the other's addresses.
    let code = a.element("trackingCode").unwrap();
    assert_eq!(server.get(&format!("/demoville/track/{code}")).status, 200);
    assert_eq!(server.get(&format!("/autreville/track/{code}")).status, 404);
    let status =
        format!("<g:GetRequestStatus><g:trackingCode>{code}</g:trackingCode></g:GetRequestStatus>");
    let there = soap(&server, "autreville", &status);
    assert_eq!(there.status, 500);
    assert!(
        there.body.contains("unknown-tracking-code"),
        "{}",
        there.body
    );
    assert_eq!(soap(&server, "demoville", &status).status, 200);

    // An agent of one town cannot log into another, nor use its session there.
    let r = login(&server, "autreville", "marie", guichet::app::DEMO_PASSWORD);
    assert_eq!(r.status, 422, "marie is Démoville's: {}", r.body);
    let r = login(&server, "demoville", "marie", guichet::app::DEMO_PASSWORD);
    assert_eq!(r.status, 303);
    let cookie = r
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let with_cookie = |path: &str| {
        server.raw(
            format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
    };
    assert_eq!(with_cookie("/demoville/backoffice/").status, 200);
    let elsewhere = with_cookie("/autreville/backoffice/");
    assert_eq!(elsewhere.status, 303, "sent to Autreville's login");
    assert!(
        elsewhere
            .header("location")
            .unwrap()
            .starts_with("/autreville/backoffice/login")
    );
    assert_eq!(
        with_cookie("/autreville/backoffice/requests/2026-000001").status,
        303,
        "no request of Autreville's by URL either"
    );

    // A town's files are its own: Autreville's colours change its pages only.
    let dir = server.data_dir.join("tenants/autreville");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("settings.toml"),
        "name = \"Autreville-sur-Mer\"\n[colours]\nprimary = \"#8a2be2\"\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !server
        .get("/autreville/")
        .body
        .contains("Autreville-sur-Mer")
    {
        assert!(Instant::now() < deadline, "Autreville's settings are read");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        server
            .get("/autreville/assets/theme.css")
            .body
            .contains("#8a2be2")
    );
    assert!(
        !server
            .get("/demoville/assets/theme.css")
            .body
            .contains("#8a2be2")
    );
    assert!(!server.get("/demoville/").body.contains("Autreville"));
    // And a town's messages are in its own journal only.
    let demo_id = server.app.site("demoville").unwrap().tenant.id;
    let autre_id = server.app.site("autreville").unwrap().tenant.id;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let demo_journal = rt
        .block_on(server.app.store.journal(demo_id, None, 100))
        .unwrap();
    let autre_journal = rt
        .block_on(server.app.store.journal(autre_id, None, 100))
        .unwrap();
    assert!(
        autre_journal
            .iter()
            .all(|e| !e.subject.contains("Durand") && !e.detail.contains("Durand"))
    );
    assert!(!demo_journal.is_empty() && !autre_journal.is_empty());
}

#[test]
fn an_operator_builds_a_towns_catalogue_from_the_library() {
    let server = Server::start();
    let out = guichet(&server)
        .args([
            "tenant",
            "add",
            "autreville",
            "--name",
            "Ville d'Autreville",
            "--admin",
            "maire",
        ])
        .env("GUICHET_AGENT_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    let service = |args: &[&str]| {
        guichet(&server)
            .arg("service")
            .args(args)
            .args(["--tenant", "autreville"])
            .output()
            .unwrap()
    };
    let list = said(&service(&["list"]));
    assert!(
        list.contains("Vie quotidienne\n  elected-official-appointment\t"),
        "themes: {list}"
    );
    assert!(list.contains("  road-incident\t"), "{list}");
    assert!(
        list.contains("\t-\n"),
        "nothing of the library is online yet: {list}"
    );

    // Enabled from the library: served within seconds, submitted through SOAP.
    let out = service(&["enable", "road-incident"]);
    assert!(out.status.success(), "{}", said(&out));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server
        .get("/autreville/soap?wsdl")
        .body
        .contains("SubmitRoadIncidentReport")
    {
        assert!(
            Instant::now() < deadline,
            "the WSDL lists the enabled service"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(server.get("/autreville/services/road-incident").status, 200);
    let r = soap(&server, "autreville", &road_incident("Martin"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.element("reference").unwrap(), "2026-000001");
    let code = r.element("trackingCode").unwrap();
    assert!(said(&service(&["list"])).contains("online (v1)"));
    // The town's definition is the library's file, byte for byte.
    let out = service(&["export", "road-incident"]);
    assert!(out.status.success(), "{}", said(&out));
    let shipped = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("catalogue/vie-quotidienne/road-incident.xml"),
    )
    .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), shipped);
    // Unknown codes are refused with the way to find the right one.
    let out = service(&["enable", "pothole"]);
    assert!(!out.status.success());
    assert!(
        said(&out).contains("no service \"pothole\" in the library"),
        "{}",
        said(&out)
    );
    let out = service(&["disable", "birth-certificate"]);
    assert!(!out.status.success());
    assert!(
        said(&out).contains("the town has no service"),
        "{}",
        said(&out)
    );

    // Withdrawn: gone from the WSDL and the pages; its request carries on.
    let out = service(&["disable", "road-incident"]);
    assert!(out.status.success(), "{}", said(&out));
    let deadline = Instant::now() + Duration::from_secs(10);
    while server
        .get("/autreville/soap?wsdl")
        .body
        .contains("SubmitRoadIncidentReport")
    {
        assert!(
            Instant::now() < deadline,
            "the WSDL drops the withdrawn service"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(server.get("/autreville/services/road-incident").status, 404);
    assert_eq!(server.get(&format!("/autreville/track/{code}")).status, 200);
    assert!(said(&service(&["list"])).contains("offline (v1)"));
    assert_eq!(
        soap(&server, "autreville", &road_incident("Petit")).status,
        500,
        "no longer offered"
    );
    // Back online, the same version.
    assert!(service(&["enable", "road-incident"]).status.success());
    wait_status(&server, "/autreville/services/road-incident", 200);
    let r = soap(&server, "autreville", &road_incident("Petit"));
    assert_eq!(r.element("reference").unwrap(), "2026-000002");
    // Every change is journalled in the town's journal.
    let site = server.app.any_site("autreville").unwrap();
    let journal = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(server.app.store.journal(site.tenant.id, None, 20))
        .unwrap();
    let changes: Vec<(&str, &str)> = journal
        .iter()
        .filter(|e| e.subject == "service:road-incident")
        .map(|e| (e.action.as_str(), e.detail.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            ("service-status", "offline -> online"),
            ("service-status", "online -> offline"),
            ("service-set", "version 1, online"),
        ]
    );
    // In test: for the town's agents only; its test requests purged.
    let out = service(&["enable", "road-incident", "--test"]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(said(&out).contains("road-incident test in autreville"));
    assert!(said(&service(&["list"])).contains("test (v1)"));
    wait_status(&server, "/autreville/services/road-incident", 404);
    let out = service(&["purge-tests", "road-incident"]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("0 test request(s) deleted"),
        "{}",
        said(&out)
    );
    let out = service(&["purge-tests", "pothole"]);
    assert!(!out.status.success());
    assert!(
        said(&out).contains("the town has no service"),
        "{}",
        said(&out)
    );
}

#[test]
fn a_library_of_files_is_checked_whole_at_start() {
    let server = Server::start();
    let library = common::TempDir::new();
    for (theme, file) in [
        ("cadre-de-vie", "road-incident.xml"),
        ("vie-associative", "room-booking.xml"),
    ] {
        std::fs::create_dir_all(library.0.join(theme)).unwrap();
        let code = file.trim_end_matches(".xml");
        let text = guichet::core::builtin::definition(code).unwrap();
        std::fs::write(library.0.join(theme).join(file), text).unwrap();
    }
    // A library of files, by theme folder: what `service list` offers.
    let out = guichet(&server)
        .args(["service", "list", "--library"])
        .arg(&library.0)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    let list = said(&out);
    assert!(
        list.contains("road-incident") && list.contains("room-booking"),
        "{list}"
    );
    assert!(
        list.contains("  birth-certificate\t(the town's own)"),
        "only the folder's services come from the library; the demo town's others are its own: {list}"
    );
    // One broken file refuses the whole library, with its file and line;
    // the server does not start on it.
    let broken = guichet::core::builtin::definition("school-enrolment")
        .unwrap()
        .replacen("<deadline ", "<deadline colour=\"red\" ", 1);
    std::fs::create_dir_all(library.0.join("vie-scolaire")).unwrap();
    std::fs::write(library.0.join("vie-scolaire/school-enrolment.xml"), broken).unwrap();
    let out = guichet(&server)
        .args(["serve", "--listen", "127.0.0.1:0", "--library"])
        .arg(&library.0)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = said(&out);
    assert!(
        said.contains("the service library is refused")
            && said.contains("vie-scolaire/school-enrolment.xml:")
            && said.contains("colour"),
        "{said}"
    );
    // Two files with the same code are refused too.
    std::fs::remove_file(library.0.join("vie-scolaire/school-enrolment.xml")).unwrap();
    std::fs::write(
        library.0.join("vie-scolaire/again.xml"),
        guichet::core::builtin::definition("road-incident").unwrap(),
    )
    .unwrap();
    let out = guichet(&server)
        .args(["service", "list", "--library"])
        .arg(&library.0)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("service code \"road-incident\" is already"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_library_service_exported_then_imported_is_the_same_definition() {
    let server = Server::start();
    let out = guichet(&server)
        .args([
            "tenant",
            "add",
            "autreville",
            "--name",
            "Ville d'Autreville",
            "--admin",
            "maire",
        ])
        .env("GUICHET_AGENT_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    let service = |args: &[&str]| {
        let out = guichet(&server)
            .arg("service")
            .args(args)
            .args(["--tenant", "autreville"])
            .output()
            .unwrap();
        assert!(out.status.success(), "service {args:?}: {}", said(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let dir = common::TempDir::new();
    // Through the commands, the first service of each theme (each command
    // starts Guichet); every definition's written form reads back the same
    // in `core::definition`'s own test.
    let mut themes = Vec::new();
    for (path, shipped) in guichet::core::builtin::DEFINITIONS {
        let original = guichet::core::catalogue::Service::from_xml(shipped).unwrap();
        if themes.contains(&original.theme.code) {
            continue;
        }
        themes.push(original.theme.code.clone());
        let code = original.code.as_str();
        service(&["enable", code]);
        let exported = service(&["export", code]);
        assert_eq!(
            exported, *shipped,
            "{path}: the library's file, byte for byte"
        );
        let file = dir.0.join(format!("{code}.xml"));
        std::fs::write(&file, &exported).unwrap();
        service(&["import", file.to_str().unwrap()]);
        service(&["publish", code]);
        let again = service(&["export", code]);
        let read = guichet::core::catalogue::Service::from_xml(&again).unwrap();
        assert_eq!(read.version, 2, "{path}: published as the next version");
        assert_eq!(
            read,
            guichet::core::catalogue::Service {
                version: 2,
                ..original.clone()
            },
            "{path}: the same definition in meaning"
        );
        assert_eq!(
            again,
            guichet::core::catalogue::with_version(shipped, 2),
            "{path}: and byte for byte but its version"
        );
        // The editor's written form goes round the same way.
        let written = guichet::core::definition::write(&read);
        std::fs::write(&file, &written).unwrap();
        service(&["import", file.to_str().unwrap()]);
        service(&["publish", code]);
        let third = service(&["export", code]);
        assert_eq!(
            guichet::core::catalogue::Service::from_xml(&third).unwrap(),
            guichet::core::catalogue::Service {
                version: 3,
                ..original
            },
            "{path}: the written form means the same"
        );
        assert_eq!(third, guichet::core::catalogue::with_version(&written, 3));
    }
}

/// An agent logged in to one town, sending its forms with their tokens.
struct Session<'a> {
    server: &'a Server,
    cookie: String,
}

impl Session<'_> {
    fn open<'a>(server: &'a Server, slug: &str, who: &str, password: &str) -> Session<'a> {
        let r = login(server, slug, who, password);
        assert_eq!(r.status, 303, "{who} logs in to {slug}: {}", r.body);
        let cookie = r
            .header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        Session { server, cookie }
    }

    fn get(&self, path: &str) -> HttpResponse {
        self.server.raw(
            format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nCookie: {}\r\nConnection: close\r\n\r\n",
                self.cookie
            )
            .as_bytes(),
        )
    }

    fn post(&self, path: &str, fields: &[(&str, &str)]) -> HttpResponse {
        let body = form(fields);
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nCookie: {}\r\nSec-Fetch-Site: same-origin\r\nConnection: close\r\n\r\n",
            body.len(),
            self.cookie
        )
        .into_bytes();
        request.extend_from_slice(&body);
        self.server.raw(&request)
    }

    /// Sends the form `form` of the page at `path` (its token found in the
    /// page's view) with `fields`.
    fn send(&self, path: &str, form: &str, fields: &[(&str, &str)]) -> HttpResponse {
        let view = self.get(&format!("{path}?format=xml")).body;
        let doc = guichet::xml::parse(&view, Default::default()).unwrap();
        fn find<'e>(e: &'e guichet::xml::Element, id: &str) -> Option<&'e guichet::xml::Element> {
            if e.name == "form" && e.attr("id") == Some(id) {
                return Some(e);
            }
            e.children.iter().find_map(|c| find(c, id))
        }
        let token = find(&doc, form)
            .unwrap_or_else(|| panic!("no form {form} on {path}"))
            .attr("token")
            .unwrap()
            .to_owned();
        let mut all = vec![("_token", token.as_str()), ("form", form)];
        all.extend_from_slice(fields);
        self.post(path, &all)
    }

    fn token(&self, path: &str, element: &str) -> String {
        common::element_attr(
            &self.get(&format!("{path}?format=xml")).body,
            element,
            "token",
        )
        .unwrap()
    }
}

fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn two_towns_each_make_their_own_service_in_the_editor_test_it_publish_it_and_keep_old_requests_on_their_version()
 {
    let server = Server::start();
    let out = guichet(&server)
        .args([
            "tenant",
            "add",
            "autreville",
            "--name",
            "Ville d'Autreville",
            "--admin",
            "maire",
        ])
        .env("GUICHET_AGENT_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    wait_status(&server, "/autreville/", 200);
    let towns = [
        (
            "demoville",
            "admin",
            guichet::app::DEMO_PASSWORD,
            "noise",
            "NoiseReport",
            "Signalement d'une nuisance sonore",
        ),
        (
            "autreville",
            "maire",
            PASSWORD,
            "graffiti",
            "GraffitiReport",
            "Signalement d'un tag",
        ),
    ];
    for (slug, who, password, code, operation, title) in towns {
        let admin = Session::open(&server, slug, who, password);
        let base = format!("/{slug}/backoffice/admin/catalogue");
        // Its catalogue picked from the library (Autreville had nothing).
        if slug == "autreville" {
            let token = admin.token(&base, "catalogue-admin");
            let r = admin.post(
                &base,
                &[
                    ("_token", &token),
                    ("action", "enable"),
                    ("code", "road-incident"),
                ],
            );
            assert_eq!(r.status, 303);
        }
        let department = "voirie";
        let r = admin.send(
            &format!("{base}/new"),
            "new",
            &[
                ("action", "create"),
                ("code", code),
                ("title", title),
                ("operation", operation),
                ("theme", "vie-quotidienne"),
                ("department", department),
            ],
        );
        assert_eq!(r.status, 303, "{slug}: {}", r.body);
        let edit = format!("{base}/{code}/edit");
        let r = admin.send(
            &edit,
            "add-field",
            &[
                ("action", "add-field"),
                ("name", "place"),
                ("label", "Lieu"),
                ("type", "text"),
            ],
        );
        assert_eq!(r.status, 303, "{slug}: {}", r.body);
        // In test, then online.
        assert_eq!(
            admin
                .send(&edit, "publish", &[("action", "publish-test")])
                .status,
            303
        );
        until(&format!("{slug}: {code} at the test desk"), || {
            admin
                .get(&format!("/{slug}/backoffice/test/services/{code}"))
                .status
                == 200
        });
        assert_eq!(server.get(&format!("/{slug}/services/{code}")).status, 404);
        let token = admin.token(&base, "catalogue-admin");
        assert_eq!(
            admin
                .post(
                    &base,
                    &[("_token", &token), ("action", "enable"), ("code", code)]
                )
                .status,
            303
        );
        until(&format!("{slug}: {code} online"), || {
            server.get(&format!("/{slug}/services/{code}")).status == 200
        });
    }
    // Each town's WSDL has its own service only.
    let demo = server.get("/demoville/soap?wsdl").body;
    let autre = server.get("/autreville/soap?wsdl").body;
    assert!(demo.contains("SubmitNoiseReport") && !demo.contains("SubmitGraffitiReport"));
    assert!(autre.contains("SubmitGraffitiReport") && !autre.contains("SubmitNoiseReport"));
    assert!(
        autre.contains("SubmitRoadIncidentReport"),
        "its pick from the library"
    );
    assert_eq!(server.get("/autreville/services/noise").status, 404);
    assert_eq!(server.get("/demoville/services/graffiti").status, 404);

    // A request on version 1, then version 2 with another step online: the
    // request keeps version 1's steps to its end.
    let graffiti = |last: &str| {
        format!(
            "<g:SubmitGraffitiReport><g:requester><g:firstName>Anne</g:firstName><g:lastName>{last}</g:lastName><g:email>anne@example.fr</g:email></g:requester><g:details>Tag sur la mairie</g:details><g:place>Place de la mairie</g:place></g:SubmitGraffitiReport>"
        )
    };
    let r = soap(&server, "autreville", &graffiti("Avant"));
    assert_eq!(r.status, 200, "{}", r.body);
    let old = r.element("reference").unwrap();
    let maire = Session::open(&server, "autreville", "maire", PASSWORD);
    let edit = "/autreville/backoffice/admin/catalogue/graffiti/edit";
    let r = maire.send(
        edit,
        "add-step",
        &[
            ("action", "add-step"),
            ("id", "cleaning"),
            ("label", "Nettoyage programmé"),
            ("kind", "agent"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = maire.send(
        &format!("{edit}/steps/received"),
        "action-done",
        &[
            ("action", "save-action"),
            ("id", "done"),
            ("label", "Programmer le nettoyage"),
            ("to", "cleaning"),
            ("role-handler", "yes"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = maire.send(
        &format!("{edit}/steps/cleaning"),
        "add-action",
        &[
            ("action", "save-action"),
            ("id", "cleaned"),
            ("label", "Nettoyé"),
            ("to", "done"),
            ("role-handler", "yes"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        maire.send(edit, "publish", &[("action", "publish")]).status,
        303
    );
    until("version 2 published", || {
        maire
            .get("/autreville/backoffice/admin/catalogue?format=xml")
            .body
            .contains("code=\"graffiti\" status=\"online\" version=\"2\"")
    });
    // Servers reload within their tenants period (300 ms in tests).
    std::thread::sleep(Duration::from_millis(1000));
    let r = soap(&server, "autreville", &graffiti("Après"));
    assert_eq!(r.status, 200, "{}", r.body);
    let new = r.element("reference").unwrap();
    let page = |reference: &str| {
        maire
            .get(&format!(
                "/autreville/backoffice/requests/{reference}?format=xml"
            ))
            .body
    };
    assert!(
        page(&old).contains("Traiter"),
        "version 1's button: {}",
        page(&old)
    );
    assert!(!page(&old).contains("Programmer le nettoyage"));
    assert!(
        page(&new).contains("Programmer le nettoyage"),
        "version 2's button"
    );
    // The old one goes to its end along version 1.
    let view = page(&old);
    let token = common::element_attr(&view, "commands", "token").unwrap();
    let revision = common::element_attr(&view, "commands", "revision").unwrap();
    let r = maire.post(
        &format!("/autreville/backoffice/requests/{old}"),
        &[
            ("_token", &token),
            ("revision", &revision),
            ("command", "act"),
            ("action", "done"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let view = page(&old);
    assert!(
        view.contains("final=\"true\""),
        "finished on version 1's last step: {view}"
    );
}
