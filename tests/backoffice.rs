//! The agents' back office over HTTP: a request submitted by SOAP processed
//! to its end by agents with the right roles, the citizen following; rights
//! enforced by direct URL; two agents acting at once; login throttling and
//! sessions; transfer and validation; timed jumps; the console's filters;
//! the audit journal and its tamper detection.

mod common;

use common::agent::*;
use common::{HttpResponse, Server, envelope11, road_incident, runtime};
use guichet::xml::Element;

const BIRTH: &str = "<g:SubmitBirthCertificateRequest><g:requester><g:civility>M</g:civility><g:firstName>Jean</g:firstName><g:lastName>Dupont</g:lastName><g:email>jean.dupont@example.fr</g:email></g:requester><g:actType>integral</g:actType><g:requesterRelation>self</g:requesterRelation><g:personLastName>Dupont</g:personLastName><g:personFirstNames>Jean Pierre</g:personFirstNames><g:birthDate>1980-02-29</g:birthDate><g:birthPlace>Démoville</g:birthPlace><g:motherName>Martin Anne</g:motherName><g:copies>2</g:copies><g:deliveryMode>post</g:deliveryMode></g:SubmitBirthCertificateRequest>";

/// Submits through SOAP; returns (reference, tracking code).
fn submit(server: &Server, body: &str) -> (String, String) {
    let r = server.soap11(&envelope11(body));
    assert_eq!(r.status, 200, "{}", r.body);
    (
        r.element("reference").unwrap(),
        r.element("trackingCode").unwrap(),
    )
}

/// A file as a browser sends it: input, file name, declared type, bytes.
type SentFile<'a> = (&'a str, &'a str, &'a str, &'a [u8]);

/// A `multipart/form-data` body of `fields` then, if given, one file
/// `(input, file name, bytes)`, as a browser sends it; with its Content-Type.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> (String, Vec<u8>) {
    let files: Vec<SentFile> = file
        .into_iter()
        .map(|(input, name, bytes)| (input, name, "text/xml", bytes))
        .collect();
    multipart_files(fields, &files)
}

/// The same with any number of files `(input, file name, declared type, bytes)`.
fn multipart_files(
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "----GuichetTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, file_name, declared, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {declared}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn acts(page: &Element) -> Vec<String> {
    all(page, "act")
        .iter()
        .map(|a| a.attr("id").unwrap().to_owned())
        .collect()
}

fn console_refs(agent: &Agent, query: &str) -> Vec<String> {
    let view = agent.view(&format!("/demoville/backoffice/?{query}"));
    all(&view, "request")
        .iter()
        .map(|r| r.attr("reference").unwrap().to_owned())
        .collect()
}

fn tracking_steps(server: &Server, code: &str) -> Vec<(String, String)> {
    let r = server.get(&format!("/demoville/track/{code}?format=xml"));
    assert_eq!(r.status, 200);
    let view = parse(&r.body);
    all(&view, "step")
        .iter()
        .map(|s| {
            (
                find(s, "label").unwrap().text.clone(),
                s.attr("done").unwrap().to_owned(),
            )
        })
        .collect()
}

/// The demo town's journal verifies; how many changes it holds (its
/// entries but the sign-ins, sign-outs and refused sign-ins).
fn audit_ok(server: &Server) -> u64 {
    let reports = server.app.store.verify_audit().unwrap();
    let demo = reports.iter().find(|r| r.tenant == "demoville").unwrap();
    assert_eq!(demo.problem, None);
    let tenant = server.app.any_site("demoville").unwrap().tenant.id;
    let signins: usize = ["login", "logout", "login-failed"]
        .iter()
        .map(|action| {
            runtime()
                .block_on(
                    server
                        .app
                        .store
                        .journal(tenant, Some((*action).into()), 100_000),
                )
                .unwrap()
                .len()
        })
        .sum();
    demo.entries - signins as u64
}

#[test]
fn a_soap_request_is_processed_to_its_end_and_the_citizen_follows_every_step() {
    let server = Server::start();
    let (reference, code) = submit(&server, BIRTH);
    let marie = login(&server, "marie");
    assert_eq!(console_refs(&marie, ""), vec![reference.clone()]);
    let page = marie.request(&reference);
    assert_eq!(acts(&page), ["take", "refuse"]);
    assert_eq!(find(&page, "step").unwrap().text, "Demande initiale");
    let history = all(&page, "event");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].attr("kind"), Some("submitted"));

    for (action, step) in [
        ("take", "Prise en charge"),
        ("check", "Contrôle de validité"),
        ("valid", "Acte préparé"),
        ("send", "Envoyé par courrier"),
        ("close", "Clôturée"),
    ] {
        let r = marie.act(&reference, action);
        assert_eq!(r.status, 303, "{action}: {}", r.body);
        assert!(r.header("location").unwrap().contains("saved=1"));
        assert_eq!(marie.step(&reference), step);
    }
    let page = marie.request(&reference);
    assert_eq!(find(&page, "request").unwrap().attr("final"), Some("true"));
    assert!(
        acts(&page).is_empty(),
        "nothing to press on a closed request"
    );
    let events = all(&page, "event");
    assert_eq!(events.len(), 6);
    assert_eq!(find(events[1], "who").unwrap().text, "Marie Durand");
    assert_eq!(find(events[1], "what").unwrap().text, "Prendre en charge");
    // The citizen saw every step, and the normal ending.
    let steps = tracking_steps(&server, &code);
    assert_eq!(
        steps,
        [
            ("Demande reçue", "true"),
            ("Prise en charge par le service État civil", "true"),
            ("Vérification de la demande", "true"),
            ("Document établi", "true"),
            ("Document envoyé ou prêt à retirer", "true"),
            ("Demande terminée", "true"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    // The closed request leaves the default console view and shows in "finished".
    assert!(console_refs(&marie, "").is_empty());
    assert_eq!(console_refs(&marie, "state=final"), vec![reference.clone()]);
    // Reopened with a reason, it is back to work.
    let r = marie.command(&reference, &[("command", "reopen"), ("comment", "")]);
    assert_eq!(r.status, 422, "a reason is required");
    assert!(r.body.contains("commentaire est obligatoire"), "{}", r.body);
    let r = marie.command(
        &reference,
        &[
            ("command", "reopen"),
            ("comment", "Acte égaré par La Poste"),
        ],
    );
    assert_eq!(r.status, 303);
    assert_eq!(marie.step(&reference), "Envoyé par courrier");
    // Every event is in the audit journal, and it verifies.
    assert_eq!(audit_ok(&server), 6 /* agents */ + 7);
}

#[test]
fn rights_are_enforced_on_every_url() {
    let server = Server::start();
    let (civil, _) = submit(&server, BIRTH);
    let (road, _) = submit(&server, &road_incident("Durand"));
    let paul = login(&server, "paul"); // roads handler
    let jean = login(&server, "jean"); // reader in civil status and roads
    let marie = login(&server, "marie");

    // Not logged in: pages send to the login page, posts are refused.
    let r = server.get(&format!("/demoville/backoffice/requests/{civil}"));
    assert_eq!(r.status, 303);
    assert!(
        r.header("location").unwrap().starts_with(
            "/demoville/backoffice/login?next=%2Fdemoville%2Fbackoffice%2Frequests%2F"
        )
    );
    let r = post_raw(
        &server,
        &format!("/demoville/backoffice/requests/{civil}"),
        "guichet_session=0000000000000000000000000000000000000000000000000000000000000000",
        &form(&[("command", "act"), ("action", "take")]),
        "",
    );
    assert_eq!(r.status, 401);

    // A roads agent neither sees nor opens nor acts on a civil-status request.
    assert_eq!(console_refs(&paul, "state=all"), vec![road.clone()]);
    let r = paul.get(&format!("/demoville/backoffice/requests/{civil}"));
    assert_eq!(r.status, 403);
    assert!(!r.body.contains("Dupont"), "nothing of the request leaks");
    let token = find(&paul.view("/demoville/backoffice/"), "backoffice")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let r = paul.post(
        &format!("/demoville/backoffice/requests/{civil}"),
        &[
            ("_token", &token),
            ("revision", "0"),
            ("command", "act"),
            ("action", "take"),
        ],
    );
    assert_eq!(r.status, 403);
    // Nor by a mass action.
    let r = paul.post(
        "/demoville/backoffice/mass",
        &[
            ("_token", &token),
            ("action", "take"),
            ("ref", &civil),
            ("confirm", "yes"),
        ],
    );
    assert_eq!(r.status, 303);
    assert!(r.header("location").unwrap().ends_with("done=0&skipped=1"));
    assert_eq!(marie.step(&civil), "Demande initiale");

    // A reader sees and annotates, but has no button and cannot act.
    let page = jean.request(&civil);
    assert!(acts(&page).is_empty());
    assert!(find(&page, "note").is_some());
    assert!(find(&page, "transfer").is_none());
    let r = jean.command(&civil, &[("command", "act"), ("action", "take")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("droit"), "{}", r.body);
    let r = jean.command(&civil, &[("command", "note"), ("text", "Vu au guichet")]);
    assert_eq!(r.status, 303);
    let page = marie.request(&civil);
    let note = all(&page, "event")
        .into_iter()
        .find(|e| e.attr("kind") == Some("note"))
        .unwrap();
    assert_eq!(note.attr("visible"), Some("false"));
    assert_eq!(find(note, "comment").unwrap().text, "Vu au guichet");

    // Administration is for administrators, at the contract's /T/admin/ too.
    for (from, to) in [
        ("/demoville/admin", "/demoville/backoffice/admin"),
        ("/demoville/admin/", "/demoville/backoffice/admin"),
        (
            "/demoville/admin/templates/step?format=xml",
            "/demoville/backoffice/admin/templates/step?format=xml",
        ),
    ] {
        let r = marie.get(from);
        assert_eq!(r.status, 308, "{from}");
        assert_eq!(r.header("location"), Some(to), "{from}");
    }
    assert_eq!(marie.get("/demoville/backoffice/admin").status, 403);
    let r = marie.post(
        "/demoville/backoffice/admin/agents",
        &[("_token", &token), ("login", "intrus")],
    );
    assert_eq!(r.status, 403);
    for path in [
        "/demoville/backoffice/admin/templates",
        "/demoville/backoffice/admin/templates/acknowledgement",
        "/demoville/backoffice/admin/catalogue",
        "/demoville/backoffice/admin/catalogue/road-incident.xml",
    ] {
        assert_eq!(marie.get(path).status, 403, "{path}");
    }
    let r = marie.post(
        "/demoville/backoffice/admin/catalogue",
        &[
            ("_token", &token),
            ("action", "disable"),
            ("code", "road-incident"),
        ],
    );
    assert_eq!(r.status, 403);
    let r = marie.post(
        "/demoville/backoffice/admin/templates/acknowledgement",
        &[("_token", &token), ("action", "reset")],
    );
    assert_eq!(r.status, 403);
    let admin = login(&server, "admin");
    let view = admin.view("/demoville/backoffice/admin");
    assert_eq!(all(&view, "agent").len(), 6 + 1 /* the bar */);

    // Another site's form cannot act, even with the agent's cookie.
    let r = post_raw(
        &server,
        &format!("/demoville/backoffice/requests/{civil}"),
        &marie.cookie,
        &form(&[("command", "act"), ("action", "take")]),
        "Origin: https://evil.example\r\n",
    );
    assert_eq!(r.status, 403);
    // And a post without the page's token is refused.
    let r = marie.post(
        &format!("/demoville/backoffice/requests/{civil}"),
        &[("revision", "0"), ("command", "act"), ("action", "take")],
    );
    assert_eq!(r.status, 403);
    assert_eq!(marie.step(&civil), "Demande initiale");
}

#[test]
fn two_agents_acting_at_once_never_both_win() {
    let server = Server::start();
    let (reference, _) = submit(&server, BIRTH);
    let marie = login(&server, "marie");
    let admin = login(&server, "admin");
    // Both open the page, then both press "take".
    let page_m = marie.request(&reference);
    let page_a = admin.request(&reference);
    let fields = |page: &Element| {
        let c = find(page, "commands").unwrap();
        (
            c.attr("token").unwrap().to_owned(),
            c.attr("revision").unwrap().to_owned(),
        )
    };
    let (tm, rm) = fields(&page_m);
    let (ta, ra) = fields(&page_a);
    let path = format!("/demoville/backoffice/requests/{reference}");
    let (r1, r2) = std::thread::scope(|s| {
        let a = s.spawn(|| {
            marie.post(
                &path,
                &[
                    ("_token", &tm),
                    ("revision", &rm),
                    ("command", "act"),
                    ("action", "take"),
                ],
            )
        });
        let b = s.spawn(|| {
            admin.post(
                &path,
                &[
                    ("_token", &ta),
                    ("revision", &ra),
                    ("command", "act"),
                    ("action", "take"),
                ],
            )
        });
        (a.join().unwrap(), b.join().unwrap())
    });
    let mut statuses = [r1.status, r2.status];
    statuses.sort();
    assert_eq!(statuses, [303, 409], "one wins, the other is told");
    let loser = if r1.status == 409 { &r1 } else { &r2 };
    assert!(
        loser.body.contains("modifiée par quelqu'un d'autre"),
        "{}",
        loser.body
    );
    assert!(
        loser.body.contains("Prise en charge"),
        "shows the fresh state"
    );
    let page = marie.request(&reference);
    let takes = all(&page, "event")
        .into_iter()
        .filter(|e| find(e, "what").unwrap().text == "Prendre en charge")
        .count();
    assert_eq!(takes, 1, "applied once");
    // A button pressed on a stale page is refused the same way.
    let r = marie.post(
        &path,
        &[
            ("_token", &tm),
            ("revision", &rm),
            ("command", "act"),
            ("action", "check"),
        ],
    );
    assert_eq!(r.status, 409);
    assert_eq!(marie.step(&reference), "Prise en charge");
    audit_ok(&server);
}

#[test]
fn transfer_then_validation_by_the_emitting_department() {
    let server = Server::start();
    let (road, code) = submit(&server, &road_incident("Durand"));
    let paul = login(&server, "paul");
    let marie = login(&server, "marie");
    let sophie = login(&server, "sophie");
    assert!(console_refs(&marie, "state=all").is_empty());
    let r = paul.command(
        &road,
        &[
            ("command", "transfer"),
            ("to", "etat-civil"),
            ("comment", "Concerne une plaque commémorative"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.header("location"),
        Some("/demoville/backoffice/?saved=1"),
        "the request left Paul's departments"
    );
    assert_eq!(
        paul.get(&format!("/demoville/backoffice/requests/{road}"))
            .status,
        403
    );
    assert_eq!(console_refs(&marie, ""), vec![road.clone()]);
    let page = marie.request(&road);
    assert_eq!(find(&page, "department").unwrap().text, "État civil");
    let transfer = all(&page, "event")
        .into_iter()
        .find(|e| e.attr("kind") == Some("transfer"))
        .unwrap();
    assert_eq!(
        find(transfer, "what").unwrap().text,
        "Transférée au service État civil"
    );
    // Marie prepares the answer and asks the roads department to validate it.
    let answer = "Votre signalement a été transmis au service du patrimoine.";
    let r = marie.command(
        &road,
        &[
            ("command", "ask-validation"),
            ("to", "voirie"),
            ("text", answer),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // Paul (handler, not validator) sees nothing to decide; Sophie does.
    assert!(console_refs(&sophie, "").contains(&road));
    let page = sophie.request(&road);
    assert!(find(&page, "decide").is_some());
    assert_eq!(find(&page, "answer").unwrap().text, answer);
    assert!(
        acts(&page).is_empty(),
        "her roles are in roads, not civil status"
    );
    let before = tracking_messages(&server, &code);
    assert!(before.is_empty(), "nothing told before validation");
    let r = sophie.command(&road, &[("command", "decide"), ("approve", "yes")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = marie.request(&road);
    assert!(find(&page, "validation").is_none());
    let answered = all(&page, "event")
        .into_iter()
        .find(|e| e.attr("kind") == Some("answer"))
        .unwrap();
    assert_eq!(answered.attr("visible"), Some("true"));
    assert_eq!(tracking_messages(&server, &code), [answer]);
    audit_ok(&server);
}

fn tracking_messages(server: &Server, code: &str) -> Vec<String> {
    let r = server.get(&format!("/demoville/track/{code}?format=xml"));
    let view = parse(&r.body);
    all(&view, "message")
        .iter()
        .map(|m| find(m, "text").unwrap().text.clone())
        .collect()
}

#[test]
fn logins_are_throttled_and_sessions_are_cookies_the_page_cannot_read() {
    let server = Server::start();
    for _ in 0..5 {
        let r = login_attempt(&server, "marie", "wrong password");
        assert_eq!(r.status, 422);
        assert!(r.body.contains("incorrect"));
        assert!(r.header("set-cookie").is_none());
    }
    // Even the right password waits now.
    let r = login_attempt(&server, "marie", guichet::app::DEMO_PASSWORD);
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("30"));
    // Other agents are not held back.
    let paul = login(&server, "paul");
    server.advance_days(1);
    let r = login_attempt(&server, "marie", guichet::app::DEMO_PASSWORD);
    assert_eq!(r.status, 303);
    let cookie = r.header("set-cookie").unwrap();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/demoville/backoffice"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    // Unknown logins are refused the same way as wrong passwords.
    assert_eq!(login_attempt(&server, "nobody", "x").status, 422);
    // Sessions expire: Paul's (a day old) sends him back to the login page.
    assert_eq!(paul.get("/demoville/backoffice/").status, 303);
    // Logging out ends the session on the server.
    let marie = Agent {
        server: &server,
        cookie: cookie.split(';').next().unwrap().to_owned(),
    };
    let token = find(&marie.view("/demoville/backoffice/"), "backoffice")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let r = marie.post("/demoville/backoffice/logout", &[("_token", &token)]);
    assert_eq!(r.status, 303);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(marie.get("/demoville/backoffice/").status, 303);
    // Every sign-in, sign-out and refused attempt is in the journal, with
    // where it came from; a throttled attempt adds none.
    let failed = common::journal(&server, "login-failed");
    assert_eq!(failed.len(), 6, "five wrong passwords and an unknown login");
    assert!(
        failed
            .iter()
            .all(|e| e.actor == "anonymous" && e.detail == "from 127.0.0.1")
    );
    assert_eq!(failed[0].subject, "agent:nobody");
    assert_eq!(failed[1].subject, "agent:marie");
    let logins = common::journal(&server, "login");
    let subjects: Vec<&str> = logins.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(subjects, ["agent:marie", "agent:paul"]);
    assert_eq!(logins[0].actor, "agent:marie");
    let logouts = common::journal(&server, "logout");
    assert_eq!(logouts.len(), 1);
    assert_eq!(logouts[0].actor, "agent:marie");
    let reports = server.app.store.verify_audit().unwrap();
    assert!(reports.iter().all(|r| r.problem.is_none()), "{reports:?}");
}

#[test]
fn timed_jumps_move_requests_left_too_long() {
    let server = Server::start();
    let (reference, _) = submit(&server, BIRTH);
    let marie = login(&server, "marie");
    for action in ["take", "check", "valid", "send"] {
        assert_eq!(marie.act(&reference, action).status, 303);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    server.advance_days(14);
    assert_eq!(
        rt.block_on(guichet::usecases::act::run_timers(&server.app))
            .unwrap(),
        0
    );
    server.advance_days(1);
    assert_eq!(
        rt.block_on(guichet::usecases::act::run_timers(&server.app))
            .unwrap(),
        1
    );
    assert_eq!(
        rt.block_on(guichet::usecases::act::run_timers(&server.app))
            .unwrap(),
        0,
        "once"
    );
    let marie = login(&server, "marie");
    let page = marie.request(&reference);
    assert_eq!(find(&page, "step").unwrap().text, "Clôturée");
    let last = all(&page, "event").pop().unwrap();
    assert_eq!(find(last, "who").unwrap().text, "Automatique");
    assert_eq!(find(last, "what").unwrap().text, "Délai écoulé");
}

#[test]
fn the_console_filters_sorts_pages_and_marks_late_requests() {
    let server = Server::start();
    let mut civil = Vec::new();
    for _ in 0..27 {
        civil.push(submit(&server, BIRTH).0);
    }
    let (road, _) = submit(&server, &road_incident("Zèbre"));
    let admin = login(&server, "admin");
    let view = admin.view("/demoville/backoffice/");
    let console = find(&view, "console").unwrap();
    assert_eq!(console.attr("total"), Some("28"));
    assert_eq!(console.attr("pages"), Some("2"));
    assert_eq!(all(&view, "request").len(), 25);
    let next = find(&view, "next")
        .unwrap()
        .attr("href")
        .unwrap()
        .to_owned();
    assert_eq!(all(&admin.view(&next), "request").len(), 3);
    assert_eq!(
        console_refs(&admin, "service=road-incident"),
        vec![road.clone()]
    );
    assert_eq!(console_refs(&admin, "q=z%C3%A8bre"), vec![road.clone()]);
    assert_eq!(
        console_refs(&admin, &format!("q={}", civil[3])),
        [civil[3].clone()]
    );
    assert_eq!(
        console_refs(&admin, "department=voirie"),
        vec![road.clone()]
    );
    assert_eq!(console_refs(&admin, "channel=web").len(), 0);
    let by_reference = console_refs(&admin, "sort=reference&dir=desc");
    assert_eq!(by_reference[0], road);
    // Nothing is late yet; 12 days later (delay 10 days for the certificate,
    // 15 for roads) civil-status requests are late, the road one nearly so.
    assert!(console_refs(&admin, "late=1").is_empty());
    server.advance_days(12);
    let admin = login(&server, "admin");
    assert_eq!(
        console_refs(&admin, "late=1&service=birth-certificate").len(),
        25
    );
    let view = admin.view("/demoville/backoffice/?service=road-incident");
    let row = find(&view, "request").unwrap();
    assert_eq!(row.attr("late"), Some("false"));
    assert_eq!(row.attr("soon"), Some("true"));
    // A mass action asks for confirmation, then applies to each request once.
    let token = find(&view, "backoffice")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let picked = [civil[0].as_str(), civil[1].as_str(), road.as_str()];
    let mut fields = vec![("_token", token.as_str()), ("action", "take")];
    for r in picked {
        fields.push(("ref", r));
    }
    let r = admin.post("/demoville/backoffice/mass", &fields);
    assert_eq!(r.status, 200);
    assert!(r.body.contains(&civil[0]) && !r.body.contains(&road));
    let marie = login(&server, "marie");
    assert_eq!(
        marie.step(&civil[0]),
        "Demande initiale",
        "not before confirming"
    );
    fields.push(("confirm", "yes"));
    let r = admin.post("/demoville/backoffice/mass", &fields);
    assert_eq!(r.status, 303);
    assert!(r.header("location").unwrap().ends_with("?done=2&skipped=1"));
    assert_eq!(marie.step(&civil[0]), "Prise en charge");
    assert_eq!(marie.step(&civil[1]), "Prise en charge");
    assert_eq!(marie.step(&civil[2]), "Demande initiale");
}

#[test]
fn agents_are_added_from_the_admin_page_and_the_command_line() {
    let server = Server::start();
    let admin = login(&server, "admin");
    let token = find(&admin.view("/demoville/backoffice/admin"), "admin")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let r = admin.post(
        "/demoville/backoffice/admin/agents",
        &[
            ("_token", &token),
            ("login", "Bad Login"),
            ("name", ""),
            ("password", "short"),
            ("role", "voirie:handler"),
        ],
    );
    assert_eq!(r.status, 422);
    for field in ["login", "name", "password"] {
        assert!(
            r.body.contains(&format!("field=\"{field}\""))
                || r.body.contains(&format!("{field}-error")),
            "{field} error shown: {}",
            r.body
        );
    }
    let r = admin.post(
        "/demoville/backoffice/admin/agents",
        &[
            ("_token", &token),
            ("login", "nina"),
            ("name", "Nina Roux"),
            ("password", "un mot de passe assez long"),
            ("role", "voirie:handler"),
            ("role", "voirie:validator"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = admin.post(
        "/demoville/backoffice/admin/agents",
        &[
            ("_token", &token),
            ("login", "nina"),
            ("name", "Nina Bis"),
            ("password", "un mot de passe assez long"),
        ],
    );
    assert_eq!(r.status, 422, "login taken");
    let r = login_attempt(&server, "nina", "un mot de passe assez long");
    assert_eq!(r.status, 303);

    // The command line, on the same data folder while the server runs.
    let out = add_with_cli(
        &server,
        "omar",
        "Omar Haddad",
        "population:handler",
        "mot de passe du terminal",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let omar = login_attempt(&server, "omar", "mot de passe du terminal");
    assert_eq!(omar.status, 303);
    let out = add_with_cli(
        &server,
        "omar2",
        "X",
        "lune:handler",
        "mot de passe du terminal",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no department \"lune\""));
    // Creations are in the audit journal.
    assert_eq!(audit_ok(&server), 6 + 2);
}

#[test]
fn audit_verify_finds_an_edited_a_removed_and_a_cut_off_entry() {
    let server = Server::start();
    let (reference, _) = submit(&server, BIRTH);
    let marie = login(&server, "marie");
    for action in ["take", "check", "valid"] {
        assert_eq!(marie.act(&reference, action).status, 303);
    }
    let entries = audit_ok(&server);
    assert_eq!(entries, 6 + 4, "and marie's sign-in, entry 8");
    // "Acte préparé" marked the request for export: its file is written once.
    let out = common::TempDir::new();
    let export = || {
        common::cli(&server.data_dir)
            .args(["export", "--pending"])
            .arg(&out.0)
            .arg("--data-dir")
            .arg(&server.data_dir)
            .output()
            .unwrap()
    };
    let first = export();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let file = std::fs::read_to_string(out.0.join(format!("{reference}.xml"))).unwrap();
    assert!(
        file.contains("<personLastName>Dupont</personLastName>"),
        "{file}"
    );
    let second = export();
    assert!(String::from_utf8_lossy(&second.stderr).contains("0 request file(s) exported"));
    let verify = || {
        common::cli(&server.data_dir)
            .args(["audit", "verify", "--data-dir"])
            .arg(&server.data_dir)
            .output()
            .unwrap()
    };
    let out = verify();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("demoville: 11 entries, chain intact"));
    use common::backend::{Tamper, audit_detail, tamper};
    let data = &server.data_dir;
    let original = audit_detail(data, 8);
    tamper(
        data,
        Tamper::Edit {
            seq: 8,
            detail: "taken -> closed",
        },
    );
    let out = verify();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        said.contains("entry 8") && said.contains("edited"),
        "{said}"
    );
    tamper(
        data,
        Tamper::Edit {
            seq: 8,
            detail: &original,
        },
    );
    assert!(verify().status.success(), "restored");
    tamper(data, Tamper::Remove { seq: 7 });
    let said = String::from_utf8_lossy(&verify().stdout).to_string();
    assert!(said.contains("entry 7 is missing"), "{said}");
    tamper(data, Tamper::Forge { seq: 7, from: 6 });
    let said = String::from_utf8_lossy(&verify().stdout).to_string();
    assert!(
        said.contains("entry 7"),
        "a forged entry 7 does not chain: {said}"
    );
    tamper(data, Tamper::CutFrom { seq: 7 });
    let said = String::from_utf8_lossy(&verify().stdout).to_string();
    assert!(said.contains("removed from its end"), "{said}");
}

#[test]
fn every_back_office_view_is_valid_against_the_view_schema() {
    let server = Server::start();
    let (civil, code) = submit(&server, BIRTH);
    let (road, _) = submit(&server, &road_incident("Durand"));
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    let check = |what: &str, r: HttpResponse| {
        assert!(
            r.header("content-type")
                .unwrap()
                .starts_with("application/xml"),
            "{what}: {}",
            r.body
        );
        common::assert_valid(&xsd, &r.body, what);
    };
    check(
        "login",
        server.get("/demoville/backoffice/login?format=xml&next=%2Fdemoville%2Fbackoffice%2Fadmin"),
    );
    let failed = {
        let page = parse(&server.get("/demoville/backoffice/login?format=xml").body);
        let token = find(&page, "login")
            .unwrap()
            .attr("token")
            .unwrap()
            .to_owned();
        post_raw(
            &server,
            "/demoville/backoffice/login",
            "",
            &form(&[("_token", &token), ("login", "marie"), ("password", "non")]),
            "Accept: application/xml\r\n",
        )
    };
    check("failed login", failed);
    let marie = login(&server, "marie");
    let paul = login(&server, "paul");
    let jean = login(&server, "jean");
    let admin = login(&server, "admin");
    // A pending validation, an answer and a note give every part of the page.
    paul.command(
        &road,
        &[
            ("command", "ask-validation"),
            ("to", "etat-civil"),
            ("text", "Réponse à valider"),
        ],
    );
    marie.command(&civil, &[("command", "answer"), ("standard", "1")]);
    marie.command(&civil, &[("command", "note"), ("text", "Note")]);
    marie.command(
        &civil,
        &[
            ("command", "hold"),
            ("comment", "Envoyez une pièce d'identité."),
        ],
    );
    for (what, agent, path) in [
        (
            "console",
            &admin,
            "/demoville/backoffice/?state=all&done=2&skipped=1".to_owned(),
        ),
        (
            "map",
            &admin,
            "/demoville/backoffice/map?state=all".to_owned(),
        ),
        (
            "empty console",
            &marie,
            "/demoville/backoffice/?q=personne".to_owned(),
        ),
        (
            "request with a validation to decide",
            &marie,
            format!("/demoville/backoffice/requests/{road}"),
        ),
        (
            "request on hold",
            &marie,
            format!("/demoville/backoffice/requests/{civil}?saved=1"),
        ),
        (
            "request for a reader",
            &jean,
            format!("/demoville/backoffice/requests/{civil}"),
        ),
        (
            "admin",
            &admin,
            "/demoville/backoffice/admin?created=nina".to_owned(),
        ),
        (
            "an agent's account",
            &admin,
            "/demoville/backoffice/admin/agents/marie".to_owned(),
        ),
        (
            "a new standard answer",
            &admin,
            "/demoville/backoffice/admin/answers/new?department=voirie".to_owned(),
        ),
        (
            "a standard answer",
            &admin,
            "/demoville/backoffice/admin/answers/1".to_owned(),
        ),
        (
            "the administrator's own account",
            &admin,
            "/demoville/backoffice/admin/agents/admin".to_owned(),
        ),
        (
            "the town's settings",
            &admin,
            "/demoville/backoffice/admin/settings?saved=1".to_owned(),
        ),
        (
            "the message templates",
            &admin,
            "/demoville/backoffice/admin/templates".to_owned(),
        ),
        (
            "the catalogue",
            &admin,
            "/demoville/backoffice/admin/catalogue?done=enabled&code=road-incident".to_owned(),
        ),
        (
            "a citizens' template",
            &admin,
            "/demoville/backoffice/admin/templates/acknowledgement?saved=1".to_owned(),
        ),
        (
            "the news of one step",
            &admin,
            "/demoville/backoffice/admin/templates/step/road-incident/scheduled".to_owned(),
        ),
        (
            "an agents' template",
            &admin,
            "/demoville/backoffice/admin/templates/reminder/birth-certificate".to_owned(),
        ),
        (
            "a person's data, not searched yet",
            &admin,
            "/demoville/backoffice/admin/people".to_owned(),
        ),
        (
            "a person's data, found",
            &admin,
            "/demoville/backoffice/admin/people?q=Durand".to_owned(),
        ),
        (
            "a person's data, too short a query",
            &admin,
            "/demoville/backoffice/admin/people?q=D".to_owned(),
        ),
        (
            "access refused",
            &paul,
            format!("/demoville/backoffice/requests/{civil}"),
        ),
    ] {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = agent.get(&format!("{path}{sep}format=xml"));
        let status = r.status;
        check(what, r);
        // And its stylesheet makes a page of it.
        let html = agent.get(&path);
        assert_eq!(html.status, status, "{what} in HTML: {}", html.body);
        assert!(
            html.body.contains("</html>"),
            "{what} in HTML: {}",
            html.body
        );
    }
    let token = find(&admin.view("/demoville/backoffice/"), "backoffice")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let confirm = post_raw(
        &server,
        "/demoville/backoffice/mass",
        &admin.cookie,
        &form(&[("_token", &token), ("action", "qualify"), ("ref", &road)]),
        "Sec-Fetch-Site: same-origin\r\nAccept: application/xml\r\n",
    );
    check("mass confirmation", confirm);
    let refused = post_raw(
        &server,
        "/demoville/backoffice/admin/agents",
        &admin.cookie,
        &form(&[
            ("_token", &token),
            ("login", "X"),
            ("role", "voirie:reader"),
        ]),
        "Sec-Fetch-Site: same-origin\r\nAccept: application/xml\r\n",
    );
    check("admin with errors", refused);
    let refused = post_raw(
        &server,
        "/demoville/backoffice/admin/templates/sent",
        &admin.cookie,
        &form(&[
            ("_token", &token),
            ("subject", ""),
            ("text", "{inconnue} {tracking_code}"),
            ("sms", "{reference}"),
            ("action", "save"),
        ]),
        "Sec-Fetch-Site: same-origin\r\nAccept: application/xml\r\n",
    );
    assert_eq!(refused.status, 422);
    check("a template with errors", refused);
    let refused = post_raw(
        &server,
        "/demoville/backoffice/admin/settings",
        &admin.cookie,
        &form(&[("_token", &token), ("name", ""), ("colour-primary", "#fff")]),
        "Sec-Fetch-Site: same-origin\r\nAccept: application/xml\r\n",
    );
    assert_eq!(refused.status, 422);
    check("settings with errors", refused);
    // The citizen's tracking page with the town's messages.
    check(
        "tracking with replies",
        server.get(&format!("/demoville/track/{code}?format=xml")),
    );
    assert_eq!(
        tracking_messages(&server, &code),
        [
            "Bonjour, pour traiter votre demande, nous avons besoin d'une copie de votre pièce d'identité. Merci de la déposer à l'accueil de la mairie ou de répondre à ce message.",
            "Envoyez une pièce d'identité."
        ]
    );
}

#[test]
fn an_administrator_changes_deactivates_and_reactivates_an_agent() {
    let server = Server::start();
    let admin = login(&server, "admin");
    let marie = login(&server, "marie");
    let before = audit_ok(&server);
    let page = admin.view("/demoville/backoffice/admin");
    let listed = all(&page, "agent");
    let row = listed
        .iter()
        .find(|a| a.attr("login") == Some("marie"))
        .expect("marie listed");
    assert_eq!(row.attr("active"), Some("true"));
    assert_eq!(
        row.attr("href"),
        Some("/demoville/backoffice/admin/agents/marie")
    );
    let edit = admin.view("/demoville/backoffice/admin/agents/marie");
    let f = find(&edit, "agent-form").expect("the account's form");
    assert_eq!(f.attr("name"), Some("Marie Durand"));
    assert_eq!(f.attr("active"), Some("true"));
    assert_eq!(all(f, "grant").len(), 2, "her two roles are ticked");
    let token = find(&edit, "agent-edit")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let path = "/demoville/backoffice/admin/agents/marie";

    // Refused: a bad e-mail and a short new password; nothing changes.
    let r = admin.post(
        path,
        &[
            ("_token", &token),
            ("name", "Marie Dupont"),
            ("email", "pas une adresse"),
            ("password", "court"),
            ("active", "yes"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("agent-email-error") && r.body.contains("agent-password-error"));
    assert!(r.body.contains("Marie Dupont"), "what was typed is kept");
    let tenant = server.app.site("demoville").unwrap().tenant.id;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let stored = rt
        .block_on(server.app.store.agent(tenant, "marie".into()))
        .unwrap()
        .unwrap();
    assert_eq!(stored.agent.name, "Marie Durand");
    assert_eq!(audit_ok(&server), before, "nothing journalled");

    // Renamed, moved to the roads as a reader, and deactivated: her session
    // ends at once and she cannot log in any more.
    let r = admin.post(
        path,
        &[
            ("_token", &token),
            ("name", "Marie Dupont"),
            ("email", "marie.dupont@demoville.fr"),
            ("role", "voirie:reader"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.header("location"),
        Some("/demoville/backoffice/admin?changed=marie")
    );
    let after = marie.get("/demoville/backoffice/");
    assert_eq!(after.status, 303, "her session has ended");
    assert!(
        after
            .header("location")
            .unwrap()
            .contains("/backoffice/login")
    );
    assert_ne!(
        login_attempt(&server, "marie", guichet::app::DEMO_PASSWORD).status,
        303,
        "a deactivated agent cannot log in"
    );
    let edit = admin.view(path);
    let f = find(&edit, "agent-form").unwrap();
    assert_eq!(f.attr("active"), Some("false"));
    assert_eq!(f.attr("name"), Some("Marie Dupont"));
    assert_eq!(f.attr("email"), Some("marie.dupont@demoville.fr"));
    let grants: Vec<_> = all(f, "grant")
        .iter()
        .map(|g| {
            format!(
                "{}:{}",
                g.attr("department").unwrap(),
                g.attr("role").unwrap()
            )
        })
        .collect();
    assert_eq!(grants, vec!["voirie:reader"]);
    let admin_page = admin.get("/demoville/backoffice/admin?changed=marie");
    assert!(
        admin_page.body.contains("Compte désactivé"),
        "{}",
        admin_page.body
    );
    assert!(
        admin_page
            .body
            .contains("Compte de l&#39;agent marie modifié")
            || admin_page.body.contains("Compte de l'agent marie modifié")
    );
    assert_eq!(audit_ok(&server), before + 1, "one journal entry");
    let changes = rt
        .block_on(
            server
                .app
                .store
                .journal(tenant, Some("agent-changed".into()), 10),
        )
        .unwrap();
    let detail = &changes
        .iter()
        .find(|e| e.subject == "agent:marie")
        .expect("the change is journalled")
        .detail;
    assert!(
        detail.contains("deactivated") && detail.contains("roles: voirie:reader"),
        "{detail}"
    );
    assert!(
        !detail.contains("argon2"),
        "no password hash in the journal"
    );

    // Reactivated with a new password: the old one no longer works.
    let r = admin.post(
        path,
        &[
            ("_token", &token),
            ("name", "Marie Dupont"),
            ("password", "un tout nouveau mot de passe"),
            ("active", "yes"),
            ("role", "etat-civil:handler"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_ne!(
        login_attempt(&server, "marie", guichet::app::DEMO_PASSWORD).status,
        303
    );
    assert_eq!(
        login_attempt(&server, "marie", "un tout nouveau mot de passe").status,
        303
    );

    // Administrators cannot lock themselves out.
    let own = admin.view("/demoville/backoffice/admin/agents/admin");
    assert_eq!(find(&own, "agent-edit").unwrap().attr("own"), Some("true"));
    let r = admin.post(
        "/demoville/backoffice/admin/agents/admin",
        &[("_token", &token), ("name", "Alice Administratrice")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("agent-admin-error") && r.body.contains("agent-active-error"));
    assert_eq!(
        admin.get("/demoville/backoffice/admin").status,
        200,
        "still an administrator"
    );

    // Their own password: their other sessions end, this one stays.
    let other = login(&server, "admin");
    let r = admin.post(
        "/demoville/backoffice/admin/agents/admin",
        &[
            ("_token", &token),
            ("name", "Alice Administratrice"),
            ("admin", "yes"),
            ("active", "yes"),
            ("password", "le nouveau mot de passe d'Alice"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(admin.get("/demoville/backoffice/admin").status, 200);
    assert_eq!(other.get("/demoville/backoffice/admin").status, 303);

    // Unknown agents, unknown roles, and agents who are not administrators.
    assert_eq!(
        admin
            .get("/demoville/backoffice/admin/agents/personne")
            .status,
        404
    );
    let r = admin.post(
        path,
        &[("_token", &token), ("name", "X"), ("role", "lune:handler")],
    );
    assert_eq!(r.status, 400);
    let paul = login(&server, "paul");
    assert_eq!(paul.get(path).status, 403);
    let paul_token = find(&paul.view("/demoville/backoffice/"), "backoffice")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let r = paul.post(
        path,
        &[
            ("_token", &paul_token),
            ("name", "Marie"),
            ("active", "yes"),
        ],
    );
    assert_eq!(r.status, 403);

    // The way back in from the command line: a new password, account active.
    let out = common::cli(&server.data_dir)
        .args(["agent", "password", "paul", "--data-dir"])
        .arg(&server.data_dir)
        .env("GUICHET_AGENT_PASSWORD", "paul a un nouveau mot de passe")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        paul.get("/demoville/backoffice/").status,
        303,
        "his session ended"
    );
    assert_eq!(
        login_attempt(&server, "paul", "paul a un nouveau mot de passe").status,
        303
    );
    audit_ok(&server);
}

#[test]
fn administrators_write_change_and_remove_standard_answers_that_agents_send() {
    let server = Server::start();
    let admin = login(&server, "admin");
    let marie = login(&server, "marie");
    let (civil, code) = submit(&server, BIRTH);
    let before = audit_ok(&server);
    let listed = |agent: &Agent| all(&agent.view("/demoville/backoffice/admin"), "answer").len();
    let seeded = listed(&admin);
    assert!(seeded > 0, "the demo town has standard answers");
    let page = admin.view("/demoville/backoffice/admin/answers/new?department=etat-civil");
    let edit = find(&page, "answer-edit").unwrap();
    let token = edit.attr("token").unwrap().to_owned();
    assert_eq!(
        find(&page, "answer-form").unwrap().attr("department"),
        Some("etat-civil")
    );
    let new = "/demoville/backoffice/admin/answers/new";

    // Refused with a message by each field; nothing stored.
    let r = admin.post(
        new,
        &[
            ("_token", &token),
            ("department", "lune"),
            ("title", ""),
            ("text", "  "),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    for field in ["department", "title", "text"] {
        assert!(
            r.body.contains(&format!("answer-{field}-error")),
            "{field}: {}",
            r.body
        );
    }
    assert_eq!(listed(&admin), seeded);

    let text = "Bonjour,\r\n\r\nVotre acte est prêt : passez le retirer à l'accueil de la mairie, muni d'une pièce d'identité.";
    let r = admin.post(
        new,
        &[
            ("_token", &token),
            ("department", "etat-civil"),
            ("title", "Acte à retirer au guichet"),
            ("text", text),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.header("location"),
        Some("/demoville/backoffice/admin?answer=saved#answers")
    );
    let answers = admin.view("/demoville/backoffice/admin");
    let ours = all(&answers, "answer")
        .into_iter()
        .find(|a| find(a, "title").unwrap().text == "Acte à retirer au guichet")
        .expect("listed")
        .clone();
    let href = ours.attr("href").unwrap().to_owned();
    let id = ours.attr("id").unwrap().to_owned();
    assert_eq!(
        find(&ours, "text").unwrap().text,
        text.replace("\r\n", "\n"),
        "line ends made plain"
    );

    // The agent finds it on the request and sends it.
    let request = marie.request(&civil);
    assert!(
        all(&request, "standard")
            .iter()
            .any(|s| s.attr("id") == Some(id.as_str())),
        "offered to the civil-status agent"
    );
    let r = marie.command(&civil, &[("command", "answer"), ("standard", &id)]);
    assert_eq!(r.status, 303, "{}", r.body);
    let sent = tracking_messages(&server, &code);
    assert!(
        sent.iter().any(|m| m.contains("passez le retirer")),
        "{sent:?}"
    );

    // Changed, then removed (once confirmed); the answer sent keeps its text.
    let r = admin.post(
        &href,
        &[
            ("_token", &token),
            ("department", "etat-civil"),
            ("title", "Acte à retirer"),
            ("text", "Votre acte vous attend à l'accueil."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let form = admin.view(&href);
    assert_eq!(
        find(&form, "answer-form").unwrap().attr("title"),
        Some("Acte à retirer")
    );
    let r = admin.post(&href, &[("_token", &token), ("delete", "yes")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("answer-confirm-error"));
    assert_eq!(listed(&admin), seeded + 1);
    let r = admin.post(
        &href,
        &[("_token", &token), ("delete", "yes"), ("confirm", "yes")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(listed(&admin), seeded);
    assert_eq!(admin.get(&href).status, 404);
    assert!(
        tracking_messages(&server, &code)
            .iter()
            .any(|m| m.contains("passez le retirer"))
    );
    // created, changed, removed, plus marie's answer.
    assert_eq!(audit_ok(&server), before + 4);

    // Only administrators.
    assert_eq!(marie.get(new).status, 403);
    let marie_token = find(&marie.view("/demoville/backoffice/"), "backoffice")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let r = marie.post(
        new,
        &[
            ("_token", &marie_token),
            ("department", "etat-civil"),
            ("title", "X"),
            ("text", "Y"),
        ],
    );
    assert_eq!(r.status, 403);
    assert_eq!(listed(&admin), seeded);
}

#[test]
fn steps_show_the_colour_their_definition_gives_them() {
    let server = Server::start();
    let (reference, _) = submit(&server, BIRTH);
    let marie = login(&server, "marie");
    let console = marie.get("/demoville/backoffice/");
    assert_eq!(console.status, 200);
    let stylesheet = console
        .body
        .split("href=\"")
        .filter_map(|p| p.split('"').next())
        .find(|h| h.contains("/assets/steps.css?v="))
        .expect("the back office links the step colours")
        .replace("&amp;", "&");
    assert!(
        console
            .body
            .contains(r#"<span class="step-label step-colour-0063cb">Demande initiale</span>"#),
        "{}",
        console.body
    );
    let page = marie.get(&format!("/demoville/backoffice/requests/{reference}"));
    assert!(
        page.body
            .contains("step-label current-step step-colour-0063cb")
    );
    let css = server.get(&stylesheet);
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(
        css.body
            .contains(".step-label.step-colour-0063cb { border-left-color: #0063cb; }"),
        "{}",
        css.body
    );
    // No inline style anywhere: the CSP forbids it.
    assert!(!console.body.contains("style=\""));
}

#[test]
fn an_administrator_changes_the_towns_settings_and_faint_colours_are_refused() {
    let server = Server::start();
    let admin = login(&server, "admin");
    let marie = login(&server, "marie");
    let before = audit_ok(&server);
    let path = "/demoville/backoffice/admin/settings";
    let page = admin.view(path);
    let form = find(&page, "settings-form").unwrap();
    assert_eq!(form.attr("name"), Some("Ville de Démoville"));
    assert_eq!(form.attr("reminder-percent"), Some("66"));
    let token = find(&page, "settings-edit")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let file = server
        .app
        .site("demoville")
        .unwrap()
        .look
        .dir()
        .join("settings.toml");
    let written = std::fs::read_to_string(&file).unwrap();
    // Every online service ticked for the questionnaire, as the page shows.
    let asked: Vec<&'static str> = all(&page, "asked-service")
        .iter()
        .inspect(|s| assert_eq!(s.attr("checked"), Some("true")))
        .map(|s| &*Box::leak(s.attr("code").unwrap().to_owned().into_boxed_str()))
        .collect();
    assert!(
        asked.len() >= 5 && asked.contains(&"road-incident"),
        "{asked:?}"
    );
    let token: &'static str = Box::leak(token.into_boxed_str());
    let mut good = vec![
        ("_token", token),
        ("name", "Mairie de Démoville-sur-Mer"),
        ("site_url", "https://www.demoville-sur-mer.example"),
        ("colour-primary", "#18753c"),
        ("colour-primary_text", "#ffffff"),
        ("colour-accent", "#e1000f"),
        ("colour-background", "#ffffff"),
        ("colour-text", "#1e1e1e"),
        ("colour-error", "#ce0500"),
        (
            "mail_from",
            "Mairie <ne-pas-repondre@demoville-sur-mer.example>",
        ),
        ("reply_to", "accueil@demoville-sur-mer.example"),
        ("reminder_percent", "50"),
        ("admin_after_days", "2"),
        ("satisfaction", "on"),
        ("satisfaction_days", "30"),
    ];
    good.extend(asked.iter().map(|c| ("satisfaction_service", *c)));
    let with = |changes: &[(&'static str, &'static str)]| {
        let mut fields = good.to_vec();
        for (k, v) in changes {
            fields.iter_mut().find(|(f, _)| f == k).unwrap().1 = v;
        }
        fields
    };

    // Every bad field named at once; the file untouched.
    let r = admin.post(
        path,
        &with(&[
            ("name", " "),
            ("site_url", "javascript:alert(1)"),
            ("colour-accent", "red"),
            ("mail_from", "pas un expéditeur"),
            ("reply_to", "nulle part"),
            ("reminder_percent", "0"),
            ("admin_after_days", "trois"),
            ("satisfaction_days", "0"),
        ]),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    for field in [
        "name",
        "site_url",
        "colour-accent",
        "mail_from",
        "reply_to",
        "reminder_percent",
        "admin_after_days",
        "satisfaction_days",
    ] {
        assert!(
            r.body.contains(&format!(r#"id="settings-{field}-error""#)),
            "{field}: {}",
            r.body
        );
    }
    // Light grey button text on light green: too faint to read.
    let r = admin.post(
        path,
        &with(&[
            ("colour-primary", "#8fd19e"),
            ("colour-primary_text", "#eeeeee"),
        ]),
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Texte des boutons trop peu lisible sur la couleur principale : contraste 1,5:1, il faut 4,5:1 au moins."),
        "{}",
        r.body
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);

    // Saved: the file keeps its comments and other settings; the pages and
    // the deadline notices use the new values at once.
    let r = admin.post(path, &good);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.header("location"),
        Some("/demoville/backoffice/admin/settings?saved=1")
    );
    let now = std::fs::read_to_string(&file).unwrap();
    assert!(now.starts_with("# Look of the demo town's pages."), "{now}");
    assert!(
        now.contains("frame_ancestors = [\"http://127.0.0.1:8081\""),
        "{now}"
    );
    assert!(now.contains("primary = \"#18753c\""), "{now}");
    let look = server.app.site("demoville").unwrap().look.get();
    assert_eq!(
        look.settings.name.as_deref(),
        Some("Mairie de Démoville-sur-Mer")
    );
    assert_eq!(look.settings.deadlines.reminder_percent, 50);
    assert_eq!(
        look.settings.satisfaction.as_ref().map(|s| s.days),
        Some(30)
    );
    assert!(now.contains("[satisfaction]\ndays = 30"), "{now}");
    assert_eq!(
        look.settings.mail.from.as_deref(),
        Some("Mairie <ne-pas-repondre@demoville-sur-mer.example>")
    );
    let theme = server.get(&format!("/demoville/assets/theme.css?v={}", look.version));
    assert!(
        theme.body.contains("--g-primary: #18753c;"),
        "{}",
        theme.body
    );
    let catalogue = server.get("/demoville/").body;
    assert!(catalogue.contains("Mairie de Démoville-sur-Mer"));
    assert!(
        catalogue.contains(
            r#"<a href="https://www.demoville-sur-mer.example" target="_top">Site de la collectivité</a>"#
        ),
        "{catalogue}"
    );
    assert_eq!(audit_ok(&server), before + 1);

    // The questionnaire for some services only: listed; none is refused,
    // said next to the list; all again, and the list goes (later services
    // are asked too).
    let mut some = with(&[]);
    some.retain(|(k, v)| *k != "satisfaction_service" || *v == "road-incident");
    assert_eq!(admin.post(path, &some).status, 303);
    let now = std::fs::read_to_string(&file).unwrap();
    assert!(
        now.contains("days = 30\nservices = [\"road-incident\"]"),
        "{now}"
    );
    let look = server.app.site("demoville").unwrap().look.get();
    assert_eq!(
        look.settings
            .satisfaction
            .as_ref()
            .and_then(|s| s.services.clone()),
        Some(vec!["road-incident".to_owned()])
    );
    let checked: Vec<String> = all(&admin.view(path), "asked-service")
        .iter()
        .filter(|s| s.attr("checked") == Some("true"))
        .map(|s| s.attr("code").unwrap().to_owned())
        .collect();
    assert_eq!(checked, ["road-incident"]);
    let mut none = with(&[]);
    none.retain(|(k, _)| *k != "satisfaction_service");
    let r = admin.post(path, &none);
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains(r#"id="settings-satisfaction-services-error""#),
        "{}",
        r.body
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), now);
    assert_eq!(admin.post(path, &good).status, 303);
    let now = std::fs::read_to_string(&file).unwrap();
    assert!(!now.contains("days = 30\nservices"), "{now}");
    let look = server.app.site("demoville").unwrap().look.get();
    assert_eq!(
        look.settings
            .satisfaction
            .as_ref()
            .map(|s| s.services.is_none()),
        Some(true)
    );
    let journal = server.app.store.verify_audit().unwrap();
    assert!(journal.iter().all(|r| r.problem.is_none()));

    // Emptied optional fields leave the file; the questionnaire unticked,
    // its table too.
    let mut unticked = with(&[("site_url", ""), ("reply_to", "")]);
    unticked.retain(|(k, _)| *k != "satisfaction");
    let r = admin.post(path, &unticked);
    assert_eq!(r.status, 303);
    let now = std::fs::read_to_string(&file).unwrap();
    assert!(
        !now.contains("site_url") && !now.contains("reply_to"),
        "{now}"
    );
    assert!(!now.contains("[satisfaction]"), "{now}");
    let look = server.app.site("demoville").unwrap().look.get();
    assert!(look.settings.satisfaction.is_none());

    // A file the webmaster broke elsewhere is never overwritten.
    std::fs::write(
        &file,
        format!("{now}\nframe_ancestors = [\"pas une origine\"]\n"),
    )
    .unwrap();
    let broken = std::fs::read_to_string(&file).unwrap();
    let r = admin.post(path, &good);
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), broken);

    // Administrators only.
    assert_eq!(marie.get(path).status, 403);
    let marie_token = find(&marie.view("/demoville/backoffice/"), "backoffice")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let mut fields = good.to_vec();
    fields[0].1 = &marie_token;
    assert_eq!(marie.post(path, &fields).status, 403);
}

/// Version 2 of the road-incident service: received, then fixed at once
/// (no qualifying, no scheduling).
fn road_incident_v2() -> String {
    let v1 = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("catalogue/vie-quotidienne/road-incident.xml"),
    )
    .unwrap();
    let start = v1.find("<workflow>").unwrap();
    let end = v1.find("</workflow>").unwrap() + "</workflow>".len();
    format!(
        "{}{}{}",
        &v1[..start],
        r##"<workflow>
    <step id="received" label="Signalement reçu" citizen="Signalement reçu">
      <action id="repair" label="Réparer aussitôt" to="repaired" roles="handler" message="fixed"/>
    </step>
    <step id="repaired" kind="accepted" label="Réparé" citizen="Incident réparé"/>
  </workflow>"##,
        &v1[end..]
    )
}

#[test]
fn a_request_made_on_version_1_ends_along_version_1_after_version_2_is_published() {
    let server = Server::start();
    let (first, first_code) = submit(&server, &road_incident("Durand"));
    // The town imports and publishes a version 2 with other steps, through
    // the command line, while the server runs.
    let file = server.data_dir.join("road-incident-v2.xml");
    std::fs::write(&file, road_incident_v2()).unwrap();
    let guichet = |args: &[&str]| {
        let out = common::cli(&server.data_dir)
            .args(args)
            .env("GUICHET_DATA_DIR", &server.data_dir)
            .env("GUICHET_LOG", "error")
            .output()
            .unwrap();
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "guichet {args:?}: {said}");
        said
    };
    let imported = guichet(&["service", "import", file.to_str().unwrap()]);
    assert!(
        imported.contains("draft of road-incident kept"),
        "{imported}"
    );
    assert!(guichet(&["service", "list"]).contains("road-incident\t(draft)"));
    let published = guichet(&["service", "publish", "road-incident"]);
    assert!(
        published.contains("road-incident version 2 online"),
        "{published}"
    );
    // Served within seconds: a new request is made on version 2.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server
        .app
        .site("demoville")
        .unwrap()
        .tenant
        .service("road-incident")
        .unwrap()
        .version
        != 2
    {
        assert!(std::time::Instant::now() < deadline, "version 2 is served");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (second, _) = submit(&server, &road_incident("Martin"));
    assert!(guichet(&["service", "list"]).contains("online (v2)"));
    let exported = guichet(&["service", "export", "road-incident"]);
    assert!(
        exported.contains("version=\"2\""),
        "the published file carries its version"
    );

    // Each request follows the steps of the version it was made under.
    let paul = login(&server, "paul");
    assert_eq!(acts(&paul.request(&second)), ["repair"]);
    assert_eq!(acts(&paul.request(&first)), ["qualify", "not-ours"]);
    for action in ["qualify", "schedule", "fixed"] {
        let r = paul.act(&first, action);
        assert_eq!(r.status, 303, "{action}: {}", r.body);
    }
    assert_eq!(paul.step(&first), "Réparé");
    let steps: Vec<String> = tracking_steps(&server, &first_code)
        .into_iter()
        .map(|(label, _)| label)
        .collect();
    assert_eq!(
        steps,
        [
            "Signalement reçu",
            "Signalement examiné",
            "Intervention planifiée",
            "Incident réparé"
        ],
        "the citizen follows version 1's steps to the end"
    );
    assert_eq!(paul.act(&second, "repair").status, 303);
    assert_eq!(paul.step(&second), "Réparé");
    // Publishing again without a new draft says what to do.
    let out = common::cli(&server.data_dir)
        .args(["service", "publish", "road-incident"])
        .env("GUICHET_DATA_DIR", &server.data_dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no draft"));
    // A broken file is refused with its line, and nothing is kept.
    std::fs::write(
        &file,
        road_incident_v2().replace("<deadline ", "<deadline colour=\"x\" "),
    )
    .unwrap();
    let out = common::cli(&server.data_dir)
        .args(["service", "import", file.to_str().unwrap()])
        .env("GUICHET_DATA_DIR", &server.data_dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        said.contains("road-incident-v2.xml:") && said.contains("colour"),
        "{said}"
    );
    assert!(!guichet(&["service", "list"]).contains("(draft)"));
}

#[test]
fn an_administrator_runs_the_towns_catalogue_from_the_admin_page() {
    let server = Server::start();
    let admin = login(&server, "admin");
    let page = admin.view("/demoville/backoffice/admin/catalogue");
    let catalogue = find(&page, "catalogue-admin").expect("the catalogue");
    let token = catalogue.attr("token").unwrap().to_owned();
    let statuses: Vec<(String, String)> = all(&page, "service")
        .iter()
        .map(|s| {
            (
                s.attr("code").unwrap().to_owned(),
                s.attr("status").unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        statuses.len(),
        guichet::core::builtin::services().len(),
        "the whole library, by theme: {statuses:?}"
    );
    assert!(statuses.len() >= 40, "the whole catalogue");
    assert!(statuses.iter().all(|(_, s)| s == "online"));
    assert_eq!(all(&page, "theme").len(), 8);
    let wsdl_has = |op: &str| server.get("/demoville/soap?wsdl").body.contains(op);
    let until = |what: &str, done: &dyn Fn() -> bool| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !done() {
            assert!(std::time::Instant::now() < deadline, "{what}");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    };
    let post = |fields: &[(&str, &str)]| {
        let mut all = vec![("_token", token.as_str())];
        all.extend_from_slice(fields);
        admin.post("/demoville/backoffice/admin/catalogue", &all)
    };

    // Withdrawn from the page: gone from the WSDL; back online.
    let r = post(&[("action", "disable"), ("code", "room-booking")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        r.header("location")
            .unwrap()
            .ends_with("?done=disabled&code=room-booking")
    );
    until("room booking withdrawn", &|| {
        !wsdl_has("SubmitRoomBookingRequest")
    });
    let page = admin.view("/demoville/backoffice/admin/catalogue?done=disabled&code=room-booking");
    assert!(find(&page, "notice").unwrap().text.contains("room-booking"));
    assert_eq!(
        post(&[("action", "enable"), ("code", "room-booking")]).status,
        303
    );
    until("room booking back", &|| {
        wsdl_has("SubmitRoomBookingRequest")
    });

    // Its definition downloads as the file it is.
    let file = admin.get("/demoville/backoffice/admin/catalogue/road-incident.xml");
    assert_eq!(file.status, 200);
    assert!(
        file.header("content-disposition")
            .unwrap()
            .contains("road-incident.xml")
    );
    assert!(file.body.contains("code=\"road-incident\""));
    assert_eq!(
        admin
            .get("/demoville/backoffice/admin/catalogue/nothing.xml")
            .status,
        404
    );

    // A broken definition is refused with its line, what was pasted kept,
    // nothing stored.
    let own = file
        .body
        .replace("code=\"road-incident\"", "code=\"graffiti\"")
        .replace("SubmitRoadIncident", "SubmitGraffiti")
        .replace(
            "<operation>RoadIncidentReport</operation>",
            "<operation>GraffitiReport</operation>",
        );
    let broken = own.replacen("<deadline ", "<deadline colour=\"red\" ", 1);
    let r = post(&[("action", "import"), ("definition", &broken)]);
    assert_eq!(r.status, 422, "{}", r.body);
    let page = admin.view("/demoville/backoffice/admin/catalogue");
    assert!(all(&page, "draft").is_empty(), "nothing kept");
    let refused = post(&[("action", "import"), ("definition", &broken)]);
    assert!(refused.body.contains("colour"), "the problem is said");
    assert!(refused.body.contains("Ligne "), "with its line");
    assert!(refused.body.contains("aria-invalid"), "next to the field");
    let huge = "x".repeat(300 * 1024);
    let r = post(&[("action", "import"), ("definition", &huge)]);
    assert_eq!(r.status, 413);
    assert!(r.body.contains("dépasse 256 Kio"), "said next to the field");
    assert!(r.body.contains("aria-invalid"));

    // The town's own service: imported as a draft, published, online.
    let r = post(&[("action", "import"), ("definition", &own)]);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = admin.view("/demoville/backoffice/admin/catalogue");
    let drafts: Vec<&str> = all(&page, "draft")
        .iter()
        .map(|d| d.attr("code").unwrap())
        .collect();
    assert_eq!(drafts, ["graffiti"]);
    assert_eq!(
        post(&[("action", "publish"), ("code", "graffiti")]).status,
        303
    );
    until("the town's own service online", &|| {
        wsdl_has("SubmitGraffitiReport")
    });
    let page = admin.view("/demoville/backoffice/admin/catalogue");
    let own_section = find(&page, "own").expect("the town's own services");
    assert_eq!(
        all(own_section, "service")[0].attr("code"),
        Some("graffiti")
    );
    assert_eq!(server.get("/demoville/services/graffiti").status, 200);
    // Unknown actions and codes are refused, each with a reason.
    assert_eq!(post(&[("action", "explode")]).status, 400);
    let r = post(&[("action", "enable"), ("code", "nothing")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("nothing"));
}

#[test]
fn an_administrator_uploads_a_definition_file_on_the_catalogue_page() {
    let server = Server::start();
    let admin = login(&server, "admin");
    let path = "/demoville/backoffice/admin/catalogue";
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    let token = token_of_catalogue(&admin.view(path));
    // The upload form, beside the paste field: a labelled file input tied
    // to its help, sent as multipart with the session's token.
    let html = admin.get(path).body;
    assert!(html.contains(r#"enctype="multipart/form-data""#), "{html}");
    assert!(html.contains(r#"<label for="definition-file">"#));
    assert!(html.contains(r#"type="file" id="definition-file" name="definition-file""#));
    assert!(html.contains(r#"aria-describedby="definition-file-help""#));
    assert!(
        html.contains(r#"<textarea id="definition""#),
        "the paste field stays"
    );

    let upload = |file_name: &str, bytes: &[u8], extra: &str| {
        let (content_type, body) = multipart(
            &[("_token", &token), ("action", "upload")],
            Some(("definition-file", file_name, bytes)),
        );
        post_typed(
            &server,
            path,
            &admin.cookie,
            &content_type,
            &body,
            &format!("Sec-Fetch-Site: same-origin\r\n{extra}"),
        )
    };
    let drafts = || {
        all(&admin.view(path), "draft")
            .iter()
            .map(|d| d.attr("code").unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let own = admin
        .get("/demoville/backoffice/admin/catalogue/road-incident.xml")
        .body
        .replace("code=\"road-incident\"", "code=\"graffiti\"")
        .replace(
            "<operation>RoadIncidentReport</operation>",
            "<operation>GraffitiReport</operation>",
        );

    // A broken file: its problem with its line and the file's name, next
    // to the file input; nothing stored. The view is the schema's.
    let broken = own.replacen("<deadline ", "<deadline colour=\"red\" ", 1);
    let r = upload("graffiti-cassé.xml", broken.as_bytes(), "");
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("colour"), "the problem is said: {}", r.body);
    assert!(
        r.body.contains("graffiti-cassé.xml</span> — Ligne "),
        "with the file and line: {}",
        r.body
    );
    assert!(
        r.body
            .contains(r#"aria-describedby="definition-file-help definition-file-error""#)
    );
    assert!(r.body.contains(r#"id="definition-file-error""#));
    let view = upload(
        "graffiti-cassé.xml",
        broken.as_bytes(),
        "Accept: application/xml\r\n",
    );
    assert_eq!(view.status, 422);
    common::assert_valid(&xsd, &view.body, "the refused upload");
    let page = parse(&view.body);
    let refused = find(&page, "upload").unwrap();
    assert_eq!(refused.attr("file"), Some("graffiti-cassé.xml"));
    assert!(find(refused, "error").unwrap().attr("line").is_some());
    assert!(drafts().is_empty(), "nothing kept");

    // A file not in UTF-8, an empty one, one too big, none at all: each
    // said next to the file input, nothing stored.
    let mut latin1 = own.clone().into_bytes();
    latin1.extend_from_slice(b"<!-- \xe9t\xe9 -->\n");
    let r = upload("latin1.xml", &latin1, "");
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("« latin1.xml » n'est pas en UTF-8"),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"aria-invalid="true""#));
    let r = upload("vide.xml", b"", "");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("« vide.xml » est vide"), "{}", r.body);
    let big = format!("{own}<!-- {} -->\n", "x".repeat(256 * 1024));
    let r = upload("gros.xml", big.as_bytes(), "");
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(
        r.body.contains("« gros.xml » dépasse 256 Kio"),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"id="definition-file-error""#));
    let r = upload("", b"", "");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Choisissez un fichier de définition."));
    assert!(drafts().is_empty(), "nothing kept");

    // The guard reads a multipart form's token like any other: none, or a
    // forged one, is refused, and so is a form posted from another site.
    for fields in [
        vec![("action", "upload")],
        vec![("_token", "forged"), ("action", "upload")],
    ] {
        let (content_type, body) = multipart(
            &fields,
            Some(("definition-file", "graffiti.xml", own.as_bytes())),
        );
        let r = post_typed(
            &server,
            path,
            &admin.cookie,
            &content_type,
            &body,
            "Sec-Fetch-Site: same-origin\r\n",
        );
        assert_eq!(r.status, 403, "{fields:?}: {}", r.body);
    }
    let (content_type, body) = multipart(
        &[("_token", &token), ("action", "upload")],
        Some(("definition-file", "graffiti.xml", own.as_bytes())),
    );
    for elsewhere in [
        "Sec-Fetch-Site: cross-site\r\n",
        "Origin: https://elsewhere.example\r\n",
    ] {
        let r = post_typed(
            &server,
            path,
            &admin.cookie,
            &content_type,
            &body,
            elsewhere,
        );
        assert_eq!(r.status, 403, "posted from another site: {elsewhere}");
    }
    let r = post_typed(
        &server,
        path,
        &admin.cookie,
        "multipart/form-data",
        &body,
        "Sec-Fetch-Site: same-origin\r\n",
    );
    assert_eq!(r.status, 400, "a multipart body without its boundary");
    assert!(drafts().is_empty(), "nothing kept");

    // A good file (with the byte order mark some editors write): a draft,
    // the same as a pasted one.
    let mut good = "\u{feff}".as_bytes().to_vec();
    good.extend_from_slice(own.as_bytes());
    let r = upload("C:\\Users\\mairie\\graffiti.xml", &good, "");
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        r.header("location")
            .unwrap()
            .ends_with("?done=imported&code=graffiti")
    );
    assert_eq!(drafts(), ["graffiti"]);
}

/// A SOAP 1.1 call to the testers' endpoint, with `login:password` as HTTP
/// Basic credentials (none when `None`).
fn soap_test(server: &Server, credentials: Option<&str>, envelope: &str) -> HttpResponse {
    use base64::Engine;
    let auth = credentials.map_or(String::new(), |c| {
        format!(
            "Authorization: Basic {}\r\n",
            base64::engine::general_purpose::STANDARD.encode(c)
        )
    });
    let mut request = format!(
        "POST /demoville/soap/test HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\n{auth}Connection: close\r\n\r\n",
        envelope.len()
    )
    .into_bytes();
    request.extend_from_slice(envelope.as_bytes());
    server.raw(&request)
}

fn status_call(code: &str) -> String {
    envelope11(&format!(
        "<g:GetRequestStatus><g:trackingCode>{code}</g:trackingCode></g:GetRequestStatus>"
    ))
}

#[test]
fn a_service_in_test_is_tried_by_agents_through_the_form_and_soap_and_its_requests_purged() {
    let server = Server::start();
    let admin = login(&server, "admin");
    let paul = login(&server, "paul");
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    let real = submit(&server, &road_incident("Réel")).1;
    let catalogue = admin.view("/demoville/backoffice/admin/catalogue");
    let token = find(&catalogue, "catalogue-admin")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let r = admin.post(
        "/demoville/backoffice/admin/catalogue",
        &[
            ("_token", &token),
            ("action", "enable-test"),
            ("code", "road-incident"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server
        .get("/demoville/soap?wsdl")
        .body
        .contains("SubmitRoadIncidentReport")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "in test: gone from the public WSDL"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Not public: no form, not in the catalogue, not through SOAP.
    assert_eq!(server.get("/demoville/services/road-incident").status, 404);
    assert!(
        !server
            .get("/demoville/?format=xml")
            .body
            .contains("road-incident")
    );
    let public = server.soap11(&envelope11(&road_incident("Public")));
    assert_eq!(public.status, 500, "{}", public.body);
    assert!(public.body.contains("unknown-operation"));

    // The testers' desk is behind an agent's session.
    let anonymous = server.get("/demoville/backoffice/test/services/road-incident");
    assert_eq!(anonymous.status, 303);
    assert!(
        anonymous
            .header("location")
            .unwrap()
            .contains("/demoville/backoffice/login?next=")
    );
    let home = paul.get("/demoville/backoffice/test/?format=xml");
    common::assert_valid(&xsd, &home.body, "testers' catalogue");
    let home = parse(&home.body);
    assert!(find(&home, "testing").is_some(), "the banner");
    let tested: Vec<(&str, Option<&str>)> = all(&home, "service")
        .iter()
        .map(|s| (s.attr("code").unwrap(), s.attr("test")))
        .collect();
    assert_eq!(tested[0], ("road-incident", Some("true")), "{tested:?}");
    assert!(
        tested.iter().skip(1).all(|(_, t)| t.is_none()),
        "online ones too, unmarked"
    );
    let bar = find(
        &parse(&paul.get("/demoville/backoffice/?format=xml").body),
        "backoffice",
    )
    .unwrap()
    .attr("test")
    .map(str::to_owned);
    assert_eq!(bar.as_deref(), Some("/demoville/backoffice/test/"));

    // The form, as citizens will see it, submitted by an agent.
    let view = paul.get("/demoville/backoffice/test/services/road-incident?format=xml");
    assert_eq!(view.status, 200, "{}", view.body);
    common::assert_valid(&xsd, &view.body, "test form");
    let form_view = parse(&view.body);
    let form = find(&form_view, "form").unwrap();
    assert_eq!(form.attr("test"), Some("true"));
    assert_eq!(
        form.attr("action"),
        Some("/demoville/backoffice/test/services/road-incident")
    );
    let page = paul.get("/demoville/backoffice/test/services/road-incident");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("class=\"testing\""),
        "the banner is shown"
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let token = form.attr("token").unwrap().to_owned();
    let r = paul.post(
        "/demoville/backoffice/test/services/road-incident",
        &[
            ("_token", &token),
            ("requester.firstName", "Paul"),
            ("requester.lastName", "Essai"),
            ("requester.email", "paul@example.fr"),
            ("category", "lighting"),
            ("location.street", "3 place de l'Église"),
            ("location.postalCode", "75002"),
            ("location.town", "Démoville"),
            ("description", "Lampadaire éteint (essai)"),
            ("observedOn", "2026-11-20"),
            ("immediateDanger", "false"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let receipt_url = r.header("location").unwrap().to_owned();
    assert!(
        receipt_url.starts_with("/demoville/backoffice/test/receipt/"),
        "{receipt_url}"
    );
    let web_code = receipt_url.rsplit('/').next().unwrap().to_owned();
    let receipt = paul.get(&format!("{receipt_url}?format=xml"));
    assert_eq!(receipt.status, 200, "{}", receipt.body);
    common::assert_valid(&xsd, &receipt.body, "test receipt");
    let receipt = parse(&receipt.body);
    let receipt = find(&receipt, "receipt").unwrap();
    assert_eq!(receipt.attr("reference"), Some("2026-000002"));
    assert_eq!(
        receipt.attr("tracking-url").map(str::to_owned),
        Some(format!("/demoville/backoffice/test/track/{web_code}"))
    );
    assert_eq!(
        paul.get(&format!("/demoville/backoffice/test/track/{web_code}"))
            .status,
        200
    );
    // Unknown to the public tracking, page and SOAP alike.
    assert_eq!(
        server.get(&format!("/demoville/track/{web_code}")).status,
        404
    );
    assert_eq!(
        server.get(&format!("/demoville/receipt/{web_code}")).status,
        404
    );
    let r = server.soap11(&status_call(&web_code));
    assert!(r.body.contains("unknown-tracking-code"), "{}", r.body);

    // Its documentation at the test desk points at the testers' endpoint,
    // with the agent's login in the snippets.
    let doc = paul.get("/demoville/backoffice/test/services/road-incident/doc?format=xml");
    assert_eq!(doc.status, 200);
    common::assert_valid(&xsd, &doc.body, "test doc");
    assert!(doc.body.contains("/demoville/soap/test?wsdl"));
    assert!(
        doc.body
            .contains("&apos;login&apos; =&gt; &apos;paul&apos;")
            || doc.body.contains("'login' =&gt; 'paul'"),
        "{}",
        doc.body
    );
    assert!(
        doc.body.contains("session.auth = (&quot;paul&quot;")
            || doc.body.contains("session.auth = (\"paul\"")
    );

    // The testers' SOAP endpoint: agents' credentials, services in test.
    let call = envelope11(&road_incident("Soap"));
    let r = soap_test(&server, None, &call);
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .starts_with("Basic realm=")
    );
    assert_eq!(soap_test(&server, Some("paul:mauvais"), &call).status, 401);
    let wsdl = server.raw(
        format!(
            "GET /demoville/soap/test?wsdl HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Basic {}\r\nConnection: close\r\n\r\n",
            {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD
                    .encode(format!("paul:{}", guichet::app::DEMO_PASSWORD))
            }
        )
        .as_bytes(),
    );
    assert_eq!(wsdl.status, 200);
    assert!(wsdl.body.contains("SubmitRoadIncidentReport"));
    assert!(
        wsdl.body.contains("/demoville/soap/test\""),
        "its own address"
    );
    let credentials = format!("paul:{}", guichet::app::DEMO_PASSWORD);
    let r = soap_test(&server, Some(&credentials), &call);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.element("reference").unwrap(), "2026-000003");
    let soap_code = r.element("trackingCode").unwrap();
    assert!(
        r.element("trackingUrl")
            .unwrap()
            .ends_with(&format!("/demoville/backoffice/test/track/{soap_code}"))
    );
    let r = soap_test(&server, Some(&credentials), &status_call(&soap_code));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        server
            .soap11(&status_call(&soap_code))
            .body
            .contains("unknown-tracking-code")
    );
    // A real request is still tracked publicly.
    assert_eq!(server.get(&format!("/demoville/track/{real}")).status, 200);

    // Agents see test requests marked in the console and on their page.
    let console = paul.view("/demoville/backoffice/?state=all");
    let marks: Vec<(&str, &str)> = all(&console, "request")
        .iter()
        .map(|r| (r.attr("reference").unwrap(), r.attr("test").unwrap()))
        .collect();
    assert!(marks.contains(&("2026-000001", "false")), "{marks:?}");
    assert!(marks.contains(&("2026-000002", "true")), "{marks:?}");
    assert!(marks.contains(&("2026-000003", "true")), "{marks:?}");
    assert_eq!(
        find(&paul.request("2026-000002"), "request")
            .unwrap()
            .attr("test"),
        Some("true")
    );

    // The administrator purges them; the real request stays.
    let catalogue = admin.view("/demoville/backoffice/admin/catalogue");
    let row = all(&catalogue, "service")
        .into_iter()
        .find(|s| s.attr("code") == Some("road-incident"))
        .unwrap();
    assert_eq!(row.attr("status"), Some("test"));
    assert_eq!(row.attr("tests"), Some("2"));
    assert_eq!(
        row.attr("try"),
        Some("/demoville/backoffice/test/services/road-incident")
    );
    let r = admin.post(
        "/demoville/backoffice/admin/catalogue",
        &[
            ("_token", &token_of_catalogue(&catalogue)),
            ("action", "purge-tests"),
            ("code", "road-incident"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.header("location").unwrap().contains("count=2"));
    assert_eq!(
        paul.get("/demoville/backoffice/requests/2026-000002")
            .status,
        404
    );
    assert_eq!(
        paul.get("/demoville/backoffice/requests/2026-000001")
            .status,
        200
    );
    assert_eq!(
        paul.get(&format!("/demoville/backoffice/test/track/{web_code}"))
            .status,
        404
    );
    assert!(
        audit_ok(&server) > 0,
        "the journal is intact after the purge"
    );
    // Put online after its test: public again, new requests are real.
    let catalogue = admin.view("/demoville/backoffice/admin/catalogue");
    let r = admin.post(
        "/demoville/backoffice/admin/catalogue",
        &[
            ("_token", &token_of_catalogue(&catalogue)),
            ("action", "enable"),
            ("code", "road-incident"),
        ],
    );
    assert_eq!(r.status, 303);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server.get("/demoville/services/road-incident").status != 200 {
        assert!(std::time::Instant::now() < deadline, "back online");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let r = soap_test(&server, Some(&credentials), &call);
    assert_eq!(r.element("reference").unwrap(), "2026-000004");
    let code = r.element("trackingCode").unwrap();
    assert_eq!(
        server.get(&format!("/demoville/track/{code}")).status,
        200,
        "an online service's request is real, whoever sends it"
    );
}

fn token_of_catalogue(page: &Element) -> String {
    find(page, "catalogue-admin")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned()
}

#[test]
fn a_towns_own_service_is_made_in_the_editor_tried_in_test_then_published() {
    let server = Server::start();
    let admin = login(&server, "admin");
    let paul = login(&server, "paul");
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    let base = "/demoville/backoffice/admin/catalogue";
    let valid = |path: &str| {
        let r = admin.get(&format!("{path}?format=xml"));
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        common::assert_valid(&xsd, &r.body, path);
        parse(&r.body)
    };
    // Every form of the editor carries its token and the form's id.
    let send = |path: &str, form: &str, fields: &[(&str, &str)]| {
        let page = valid(path);
        let token = all(&page, "form")
            .into_iter()
            .find(|f| f.attr("id") == Some(form))
            .unwrap_or_else(|| panic!("no form {form} on {path}"))
            .attr("token")
            .unwrap()
            .to_owned();
        let mut all_fields = vec![("_token", token.as_str()), ("form", form)];
        all_fields.extend_from_slice(fields);
        admin.post(path, &all_fields)
    };

    // A new service of the town's own, started from the catalogue.
    let catalogue = valid(base);
    assert_eq!(
        find(&catalogue, "catalogue-admin").unwrap().attr("new"),
        Some("/demoville/backoffice/admin/catalogue/new")
    );
    let new = format!("{base}/new");
    let r = send(
        &new,
        "new",
        &[("action", "create"), ("code", ""), ("title", "")],
    );
    assert_eq!(r.status, 422, "an empty form is refused");
    assert!(r.body.contains("aria-invalid"), "next to the fields");
    let r = send(
        &new,
        "new",
        &[
            ("action", "create"),
            ("code", "road-incident"),
            ("title", "Doublon"),
            ("operation", "Duplicate"),
            ("theme", "vie-quotidienne"),
            ("department", "voirie"),
        ],
    );
    assert_eq!(r.status, 422, "a taken code is refused: {}", r.body);
    assert!(r.body.contains("already taken"));
    let r = send(
        &new,
        "new",
        &[
            ("action", "create"),
            ("code", "graffiti"),
            ("title", "Signalement d'un tag ou graffiti"),
            ("operation", "GraffitiReport"),
            ("theme", "vie-quotidienne"),
            ("department", "voirie"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let edit = format!("{base}/graffiti/edit");
    assert_eq!(
        r.header("location").unwrap(),
        format!("{edit}?done=created")
    );

    // Shaped: the general part, a field with its choices, a rule, a step
    // with a button leading to it.
    let r = send(
        &edit,
        "general",
        &[
            ("action", "save-general"),
            ("title", "Signalement d'un tag ou graffiti"),
            (
                "description",
                "Un tag sur un mur, un abri, du mobilier urbain.",
            ),
            ("theme", "vie-quotidienne"),
            ("department", "voirie"),
            ("deadline-days", "dix"),
            ("deadline-count", "working"),
        ],
    );
    assert_eq!(r.status, 422, "a deadline that is not a number");
    assert!(r.body.contains("aria-invalid"));
    assert!(
        r.body.contains("Un tag sur un mur"),
        "what was typed is kept"
    );
    let r = send(
        &edit,
        "general",
        &[
            ("action", "save-general"),
            ("title", "Signalement d'un tag ou graffiti"),
            (
                "description",
                "Un tag sur un mur, un abri, du mobilier urbain.",
            ),
            ("theme", "vie-quotidienne"),
            ("department", "voirie"),
            ("deadline-days", "10"),
            ("deadline-count", "working"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = send(
        &edit,
        "add-field",
        &[
            ("action", "add-field"),
            ("name", "surface"),
            ("label", "Surface taguée"),
            ("type", "choice"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = send(
        &format!("{edit}/fields/surface"),
        "field",
        &[
            ("action", "save-field"),
            ("label", "Surface taguée"),
            ("type", "choice"),
            ("required", "yes"),
            (
                "options",
                "wall = Mur\nshelter = Abri de bus\nfurniture = Mobilier urbain",
            ),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = send(
        &edit,
        "add-field",
        &[
            ("action", "add-field"),
            ("name", "seenOn"),
            ("label", "Constaté le"),
            ("type", "date"),
        ],
    );
    assert_eq!(r.status, 303);
    let r = send(
        &edit,
        "add-rule",
        &[
            ("action", "add-rule"),
            ("kind", "past"),
            ("field", "seenOn"),
            (
                "message",
                "La date de constatation ne peut pas être future.",
            ),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = send(
        &edit,
        "add-step",
        &[
            ("action", "add-step"),
            ("id", "cleaned"),
            ("label", "Nettoyé"),
            ("kind", "accepted"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let step = format!("{edit}/steps/received");
    let r = send(
        &step,
        "add-action",
        &[
            ("action", "save-action"),
            ("id", "clean"),
            ("label", "Nettoyer"),
            ("to", "cleaned"),
            ("role-handler", "yes"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r = send(
        &step,
        "add-timeout",
        &[
            ("action", "add-timeout"),
            ("days", "30"),
            ("since", "created"),
            ("to", "done"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    // The tree shows it: steps, buttons and where they lead.
    let page = valid(&edit);
    let tree = find(&page, "tree").unwrap();
    let steps: Vec<&str> = all(tree, "step")
        .iter()
        .map(|s| s.attr("id").unwrap())
        .collect();
    assert_eq!(steps, ["received", "done", "cleaned"]);
    let branches: Vec<(String, String)> = all(tree, "branch")
        .iter()
        .map(|b| (b.text.clone(), b.attr("to").unwrap().to_owned()))
        .collect();
    assert!(
        branches.contains(&("Nettoyer".into(), "cleaned".into())),
        "{branches:?}"
    );
    assert!(branches.iter().any(|(_, to)| to == "done"));

    // What the loader would refuse is refused, nothing kept: a step a
    // button leads to cannot go.
    let before = admin.get(&format!("{base}/graffiti.xml")).body;
    let r = send(
        &edit,
        "step-cleaned",
        &[("action", "remove-step"), ("step", "cleaned")],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("does not exist"),
        "the loader's reason: {}",
        r.body
    );
    let page = valid(&edit);
    assert_eq!(
        all(find(&page, "tree").unwrap(), "step").len(),
        3,
        "nothing kept"
    );
    assert_eq!(admin.get(&format!("{base}/graffiti.xml")).body, before);

    // The preview renders the form and checks what is typed, storing nothing.
    let preview = admin.get(&format!("{edit}/preview"));
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("Surface taguée"));
    let preview = parse(&admin.get(&format!("{edit}/preview?format=xml")).body);
    let token = find(&preview, "form")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let r = admin.post(
        &format!("{edit}/preview"),
        &[
            ("_token", &token),
            ("requester.firstName", "Zoé"),
            ("requester.lastName", "Essai"),
            ("requester.email", "zoe@example.fr"),
            ("surface", "wall"),
            ("seenOn", "2099-01-01"),
            ("details", "Un grand tag"),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("ne peut pas être future"),
        "the rule's message"
    );
    let r = admin.post(
        &format!("{edit}/preview"),
        &[
            ("_token", &token),
            ("requester.firstName", "Zoé"),
            ("requester.lastName", "Essai"),
            ("requester.email", "zoe@example.fr"),
            ("surface", "wall"),
            ("seenOn", "2026-11-20"),
            ("details", "Un grand tag"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("aurait été acceptée"));
    assert_eq!(
        console_refs(&paul, "state=all").len(),
        0,
        "a preview stores nothing"
    );

    // Published in test: the agents try it, then it goes online.
    let r = send(&edit, "publish", &[("action", "publish-test")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while paul
        .get("/demoville/backoffice/test/services/graffiti")
        .status
        != 200
    {
        assert!(std::time::Instant::now() < deadline, "in test for agents");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(server.get("/demoville/services/graffiti").status, 404);
    let form = parse(
        &paul
            .get("/demoville/backoffice/test/services/graffiti?format=xml")
            .body,
    );
    let token = find(&form, "form")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let r = paul.post(
        "/demoville/backoffice/test/services/graffiti",
        &[
            ("_token", &token),
            ("requester.firstName", "Paul"),
            ("requester.lastName", "Essai"),
            ("requester.email", "paul@example.fr"),
            ("surface", "shelter"),
            ("seenOn", "2026-11-20"),
            ("details", "Tag sur l'abri de bus"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let reference = "2026-000001";
    let item = paul.request(reference);
    assert_eq!(find(&item, "request").unwrap().attr("test"), Some("true"));
    assert!(
        acts(&item).contains(&"clean".to_owned()),
        "its button: {:?}",
        acts(&item)
    );
    let catalogue = valid(base);
    let r = admin.post(
        base,
        &[
            ("_token", &token_of_catalogue(&catalogue)),
            ("action", "enable"),
            ("code", "graffiti"),
        ],
    );
    assert_eq!(r.status, 303);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server.get("/demoville/services/graffiti").status != 200 {
        assert!(std::time::Instant::now() < deadline, "online");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        server
            .get("/demoville/soap?wsdl")
            .body
            .contains("SubmitGraffitiReport")
    );
    let catalogue = valid(base);
    let row = all(&catalogue, "service")
        .into_iter()
        .find(|s| s.attr("code") == Some("graffiti"))
        .unwrap();
    assert_eq!(row.attr("status"), Some("online"));
    assert_eq!(
        row.attr("edit"),
        Some("/demoville/backoffice/admin/catalogue/graffiti/edit")
    );
    // Its definition, written by the editor, passes the schema and the loader.
    let file = admin.get(&format!("{base}/graffiti.xml")).body;
    guichet::library::check("graffiti.xml", &file).expect("the editor's file is valid");
    assert!(file.contains("<option value=\"shelter\">Abri de bus</option>"));
}

#[test]
fn a_legal_deadline_decides_by_silence_and_tells_the_requester() {
    let server = Server::start();
    // The town's room booking, given a legal deadline: silence means acceptance.
    let text = guichet::core::builtin::definition("room-booking")
        .unwrap()
        .replace(
            "<deadline days=\"10\"/>",
            "<deadline days=\"10\" silence=\"acceptance\"/>",
        );
    common::publish(&server, "room-booking", &text);
    // Served within the tenants period; its documentation says it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let doc = loop {
        let doc = server
            .get("/demoville/services/room-booking/doc?format=xml")
            .body;
        if doc.contains("le silence vaut accord") {
            break doc;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "version 2 served: {doc}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let envelope = find(&parse(&doc), "example").unwrap().text.clone();
    let r = server.soap11(&envelope);
    assert_eq!(r.status, 200, "{}", r.body);
    let reference = r.element("reference").unwrap();
    let code = r.element("trackingCode").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let timers = || {
        rt.block_on(guichet::usecases::act::run_timers(&server.app))
            .unwrap()
    };
    server.advance_days(10);
    assert_eq!(
        timers(),
        0,
        "on the due date itself the town may still answer"
    );
    server.advance_days(1);
    assert_eq!(timers(), 1, "the day after, silence decides");
    assert_eq!(timers(), 0, "once");
    let admin = login(&server, "admin");
    let page = admin.request(&reference);
    assert_eq!(find(&page, "step").unwrap().text, "Réservation confirmée");
    let last = all(&page, "event").pop().unwrap();
    assert_eq!(find(last, "who").unwrap().text, "Automatique");
    assert_eq!(
        find(last, "what").unwrap().text,
        "Décision implicite : délai légal écoulé"
    );
    let messages = tracking_messages(&server, &code);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("le silence vaut accord")),
        "the requester is told why: {messages:?}"
    );
    let steps = tracking_steps(&server, &code);
    assert!(
        steps
            .iter()
            .any(|(label, _)| label == "Réservation confirmée"),
        "{steps:?}"
    );

    // Waiting for missing documents stops the clock: the due date moves by
    // the days waited, and silence decides only after the new one.
    let doc = server
        .get("/demoville/services/room-booking/doc?format=xml")
        .body;
    let envelope = find(&parse(&doc), "example").unwrap().text.clone();
    let r = server.soap11(&envelope);
    assert_eq!(r.status, 200, "{}", r.body);
    let held = r.element("reference").unwrap();
    let due = |admin: &Agent| {
        find(&admin.request(&held), "due")
            .unwrap()
            .attr("date")
            .unwrap()
            .to_owned()
    };
    let first_due = due(&admin);
    let r = admin.command(
        &held,
        &[
            ("command", "hold"),
            ("comment", "Merci de joindre les statuts de l'association."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    server.advance_days(5);
    let admin = login(&server, "admin");
    let r = admin.command(
        &held,
        &[("command", "resume"), ("comment", "Statuts reçus.")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let moved = due(&admin);
    let first: jiff::civil::Date = first_due.parse().unwrap();
    assert_eq!(
        moved,
        first
            .checked_add(jiff::Span::new().days(5))
            .unwrap()
            .to_string(),
        "the due date moved by the five days waited"
    );
    // Made on day 0, due on day 10; held from day 0 to day 5: due on day 15.
    server.advance_days(6);
    assert_eq!(
        timers(),
        0,
        "day 11: past the first due date, not the new one"
    );
    server.advance_days(4);
    assert_eq!(timers(), 0, "day 15: the new due date itself");
    server.advance_days(1);
    assert_eq!(timers(), 1, "day 16: the day after the new due date");
}

/// The citizen writes to the town: from the tracking page (the code proves
/// the request is theirs), and through a town site by SOAP
/// (`ReplyToRequest`). The reply is in the history and the tracking page,
/// the department's agents are told, the console marks the request until an
/// agent opens it; an empty or unknown reply stores nothing.
#[test]
fn the_citizen_replies_from_the_tracking_page_and_by_soap_and_agents_see_it_unread() {
    let server = Server::start();
    let (reference, code) = submit(&server, BIRTH);
    let marie = login(&server, "marie");
    marie.command(
        &reference,
        &[
            ("command", "answer"),
            ("text", "Merci de préciser le nom de votre mère."),
        ],
    );

    // Without JavaScript, from the tracking page.
    let page = server.get(&format!("/demoville/track/{code}"));
    assert!(
        page.body
            .contains(r#"<form method="post" action="/demoville/track/"#),
        "a reply form"
    );
    let start = page.body.find(r#"name="_token" value=""#).unwrap() + 21;
    let token = page.body[start..start + page.body[start..].find('"').unwrap()].to_owned();
    let path = format!("/demoville/track/{code}/reply");
    let empty = post_raw(
        &server,
        &path,
        "",
        &form(&[("_token", &token), ("text", "   ")]),
        "Sec-Fetch-Site: same-origin\r\n",
    );
    assert_eq!(empty.status, 422);
    assert!(
        empty.body.contains("Écrivez votre message"),
        "{}",
        empty.body
    );
    let forged = post_raw(
        &server,
        &path,
        "",
        &form(&[("_token", "1.abc"), ("text", "Bonjour")]),
        "Sec-Fetch-Site: same-origin\r\n",
    );
    assert_eq!(forged.status, 403);
    let sent = post_raw(
        &server,
        &path,
        "",
        &form(&[
            ("_token", &token),
            ("text", "Ma mère s'appelle Anne Martin, épouse Dupont."),
        ]),
        "Sec-Fetch-Site: same-origin\r\n",
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let after = server.get(sent.header("location").unwrap());
    assert!(after.body.contains("Votre message est envoyé"));
    assert_eq!(
        tracking_messages(&server, &code),
        [
            "Merci de préciser le nom de votre mère.",
            "Ma mère s'appelle Anne Martin, épouse Dupont."
        ]
    );
    let view = parse(
        &server
            .get(&format!("/demoville/track/{code}?format=xml"))
            .body,
    );
    let froms: Vec<&str> = all(&view, "message")
        .iter()
        .map(|m| m.attr("from").unwrap())
        .collect();
    assert_eq!(froms, ["town", "citizen"]);

    // The console marks it until an agent opens the request.
    let unread = |agent: &Agent| {
        let console = agent.view("/demoville/backoffice/");
        all(&console, "request")
            .iter()
            .find(|r| r.attr("reference") == Some(reference.as_str()))
            .and_then(|r| r.attr("unread"))
            .map(str::to_owned)
    };
    assert_eq!(unread(&marie).as_deref(), Some("true"));
    let history = all(&marie.request(&reference), "event")
        .iter()
        .filter(|e| e.attr("kind") == Some("reply"))
        .count();
    assert_eq!(history, 1, "the reply is in the history");
    assert_eq!(unread(&marie).as_deref(), Some("false"), "read once opened");

    // By SOAP, with the tracking code: the status answered has the messages.
    let r = server.soap11(&envelope11(&format!(
        "<g:ReplyToRequest><g:trackingCode>{code}</g:trackingCode><g:text>Je joins aussi le livret de famille.</g:text></g:ReplyToRequest>"
    )));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("<from>citizen</from><text>Je joins aussi le livret de famille.</text>"),
        "{}",
        r.body
    );
    let status = server.soap11(&envelope11(&format!(
        "<g:GetRequestStatus><g:trackingCode>{code}</g:trackingCode></g:GetRequestStatus>"
    )));
    assert!(
        status
            .body
            .contains("<from>town</from><text>Merci de préciser le nom de votre mère.</text>"),
        "{}",
        status.body
    );
    assert_eq!(unread(&marie).as_deref(), Some("true"));
    for (inner, wanted) in [
        (format!("<g:ReplyToRequest><g:trackingCode>{code}</g:trackingCode><g:text> </g:text></g:ReplyToRequest>"), "required"),
        ("<g:ReplyToRequest><g:trackingCode>AAAA-BBBB-CCCC-DDDD</g:trackingCode><g:text>Bonjour</g:text></g:ReplyToRequest>".to_owned(), "unknown-tracking-code"),
        (format!("<g:ReplyToRequest><g:trackingCode>{code}</g:trackingCode><g:text>{}</g:text></g:ReplyToRequest>", "x".repeat(4001)), "too-long"),
    ] {
        let fault = server.soap11(&envelope11(&inner));
        assert_eq!(fault.status, 500, "{}", fault.body);
        assert!(fault.body.contains(wanted), "{wanted}: {}", fault.body);
    }
    assert_eq!(
        tracking_messages(&server, &code).len(),
        3,
        "nothing stored by a refused reply"
    );

    // The department's agents are told (an outbox message to état civil).
    let pending = runtime()
        .block_on(server.app.store.pending_messages(100))
        .unwrap();
    assert!(
        pending
            .iter()
            .any(|m| m.recipient_kind == "department"
                && m.template.as_deref() == Some("citizen-reply")),
        "{pending:?}"
    );
}

/// An agent asks the citizen to correct a field, saying why: the request
/// waits; the tracking page leads to a page with that field only, filled
/// with what was sent; the correction is checked by the same rules, stored
/// in place of the old value, and the history says both.
#[test]
fn an_agent_asks_for_a_correction_and_the_citizen_makes_it() {
    let server = Server::start();
    let (reference, code) = submit(&server, BIRTH);
    let marie = login(&server, "marie");
    let page = marie.request(&reference);
    let fields: Vec<String> = all(&page, "correction")
        .first()
        .map(|c| {
            all(c, "field")
                .iter()
                .map(|f| f.attr("name").unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(fields.contains(&"motherName".to_owned()), "{fields:?}");
    let refused = marie.command(
        &reference,
        &[("command", "ask-correction"), ("comment", "Nom incomplet")],
    );
    assert_eq!(refused.status, 422, "no field chosen");
    let asked = marie.command(
        &reference,
        &[
            ("command", "ask-correction"),
            ("field", "motherName"),
            ("comment", "Indiquez le nom de naissance de votre mère."),
        ],
    );
    assert_eq!(asked.status, 303, "{}", asked.body);

    let track = server.get(&format!("/demoville/track/{code}"));
    let link = format!("/demoville/track/{code}/correct");
    assert!(track.body.contains(&link), "{}", track.body);
    assert!(
        track
            .body
            .contains("Indiquez le nom de naissance de votre mère.")
    );
    let correction = server.get(&link);
    assert_eq!(correction.status, 200);
    let html = &correction.body;
    assert!(
        html.contains(r#"name="motherName" value="Martin Anne""#),
        "the stored value"
    );
    assert!(
        !html.contains("requester.lastName") && !html.contains(r#"name="birthDate""#),
        "only the field asked"
    );
    let start = html.find(r#"name="_token" value=""#).unwrap() + 21;
    let token = html[start..start + html[start..].find('"').unwrap()].to_owned();
    let send = |value: &str| {
        post_raw(
            &server,
            &link,
            "",
            &form(&[
                ("_token", token.as_str()),
                ("motherName", value),
                ("birthDate", "1900-01-01"),
            ]),
            "Sec-Fetch-Site: same-origin\r\n",
        )
    };
    let empty = send("");
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains(r##"href="#f-motherName""##));
    let done = send("Martin Anne Marie");
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(server.get(&link).status, 404, "nothing more to correct");

    let page = marie.request(&reference);
    let corrected = all(&page, "event")
        .into_iter()
        .find(|e| {
            all(e, "comment")
                .first()
                .is_some_and(|c| c.text.contains("→"))
        })
        .map(|e| all(e, "comment")[0].text.clone())
        .expect("the correction in the history");
    assert!(
        corrected.contains("« Martin Anne » → « Martin Anne Marie »"),
        "{corrected}"
    );
    let item = runtime()
        .block_on(server.app.store.work_item(
            server.app.site("demoville").unwrap().tenant.id,
            guichet::core::tracking::Reference::parse(&reference).unwrap(),
        ))
        .unwrap()
        .unwrap();
    let value = |path: &str| {
        item.rows
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        value("motherName").as_deref(),
        Some("Martin Anne Marie"),
        "the new value is the request's"
    );
    assert_eq!(
        value("birthDate").as_deref(),
        Some("1980-02-29"),
        "a field not asked keeps its value"
    );
    assert_eq!(value("requester/lastName").as_deref(), Some("Dupont"));
    assert!(!item.state.waiting_for_citizen, "no longer waiting");
    assert!(item.record.correction.is_empty());
}

/// A correction the citizen never makes: the birth certificate's workflow
/// says 30 days, then the request is closed as unanswered by itself, the
/// correction page closes and the tracking page says why.
#[test]
fn a_correction_left_unanswered_closes_the_request_after_the_days_its_workflow_says() {
    let server = Server::start();
    let (reference, code) = submit(&server, BIRTH);
    let marie = login(&server, "marie");
    let asked = marie.command(
        &reference,
        &[
            ("command", "ask-correction"),
            ("field", "motherName"),
            ("comment", "Indiquez le nom de naissance de votre mère."),
        ],
    );
    assert_eq!(asked.status, 303, "{}", asked.body);
    let timers = || runtime().block_on(guichet::usecases::act::run_timers(&server.app));
    server.advance_days(29);
    assert_eq!(timers().unwrap(), 0, "29 days: still waiting");
    let link = format!("/demoville/track/{code}/correct");
    assert_eq!(server.get(&link).status, 200);
    server.advance_days(1);
    assert_eq!(timers().unwrap(), 1, "30 days: unanswered");
    assert_eq!(timers().unwrap(), 0, "once");
    assert_eq!(server.get(&link).status, 404, "nothing to correct any more");
    let marie = login(&server, "marie");
    let page = marie.request(&reference);
    assert_eq!(
        find(&page, "step").unwrap().text,
        "Classée sans suite (correction non faite)"
    );
    let last = all(&page, "event").pop().unwrap();
    assert_eq!(find(last, "who").unwrap().text, "Automatique");
    let track = server.get(&format!("/demoville/track/{code}"));
    assert!(
        track.body.contains("Demande classée sans suite"),
        "{}",
        track.body
    );
    assert!(track.body.contains("30 jours"), "the citizen is told why");
}

/// Retention: a closed birth certificate (its definition says 12 months)
/// is anonymised after 12 months and nothing else is — not the road
/// incident closed the same day (24 months, the default), not a request
/// still open; then the incident's turn comes. What remains keeps the
/// statistics; the person is nowhere in the database, the journal still
/// verifies and tells the run.
#[test]
fn a_retention_run_anonymises_what_is_due_and_nothing_else() {
    use common::backend::anywhere;
    let server = Server::start();
    let rt = runtime();
    let retention = || {
        rt.block_on(guichet::usecases::retention::run(&server.app))
            .unwrap()
            .into_iter()
            .flat_map(|s| s.anonymised)
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
    };
    let forgettable = BIRTH
        .replace("Dupont", "Oubliable")
        .replace("jean.dupont", "jean.oubliable");
    let (birth, birth_code) = submit(&server, &forgettable);
    let (road, _) = submit(&server, &road_incident("Gardable"));
    let open_one = BIRTH.replace("Dupont", "Encours");
    let (open, _) = submit(&server, &open_one);

    let marie = login(&server, "marie");
    let r = marie.command(
        &birth,
        &[
            ("command", "note"),
            ("text", "Rappeler M. Oubliable au 06 12 34 56 78"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    for action in ["take", "check", "valid", "send", "close"] {
        assert_eq!(marie.act(&birth, action).status, 303, "{action}");
    }
    let paul = login(&server, "paul");
    for action in ["qualify", "schedule", "fixed"] {
        assert_eq!(paul.act(&road, action).status, 303, "{action}");
    }
    // The requester's opinion of the closed request, whose comment names
    // them.
    let site = server.app.site("demoville").unwrap();
    let reference = guichet::core::tracking::Reference::parse(&birth).unwrap();
    let path = guichet::usecases::satisfaction::path(&server.app, &site, reference);
    let seal = path.rsplit('/').next().unwrap();
    let opinion = guichet::core::satisfaction::Answer {
        overall: 5,
        delay: 4,
        clarity: 4,
        comment: Some("Merci de la part de Mme Oubliable".into()),
    };
    assert!(matches!(
        rt.block_on(guichet::usecases::satisfaction::answer(
            &server.app,
            &site,
            reference,
            seal,
            opinion
        ))
        .unwrap(),
        guichet::usecases::satisfaction::Questionnaire::Recorded(_)
    ));
    assert!(!anywhere(&server.data_dir, "Oubliable").is_empty());
    assert!(!anywhere(&server.data_dir, "06 12 34 56 78").is_empty());

    server.advance_days(360);
    assert!(retention().is_empty(), "not yet 12 months");
    server.advance_days(10);
    assert_eq!(
        retention(),
        vec![birth.clone()],
        "the birth certificate only"
    );
    assert!(retention().is_empty(), "once");

    // The person is gone from every table, the comment too.
    assert_eq!(
        anywhere(&server.data_dir, "Oubliable"),
        Vec::<String>::new()
    );
    assert_eq!(
        anywhere(&server.data_dir, "oubliable"),
        Vec::<String>::new()
    );
    assert_eq!(
        anywhere(&server.data_dir, "06 12 34 56 78"),
        Vec::<String>::new(),
        "the note's text, in the history and in the audit journal"
    );
    assert_eq!(
        server.get(&format!("/demoville/track/{birth_code}")).status,
        404,
        "the tracking code leads nowhere"
    );
    // What statistics count stays: the opinion's marks, not its comment.
    let answers = rt
        .block_on(
            server
                .app
                .store
                .survey_rows(site.tenant.id, None, 0, i64::MAX),
        )
        .unwrap();
    assert_eq!(answers.len(), 1);
    assert_eq!(
        (answers[0].marks.overall, answers[0].comment.as_deref()),
        (5, None)
    );
    let marie = login(&server, "marie");
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    let xml = marie.get(&format!(
        "/demoville/backoffice/requests/{birth}?format=xml"
    ));
    common::assert_valid(&xsd, &xml.body, "an anonymised request");
    let html = marie.get(&format!("/demoville/backoffice/requests/{birth}"));
    assert!(
        html.body.contains(r#"class="notice info anonymised""#),
        "{}",
        html.body
    );
    let page = marie.request(&birth);
    assert!(
        find(&page, "anonymised").unwrap().text.contains("effacées"),
        "the page says why it is empty"
    );
    assert_eq!(find(&page, "step").unwrap().text, "Clôturée");
    assert_eq!(
        find(&page, "service").unwrap().attr("code"),
        Some("birth-certificate")
    );
    assert_eq!(find(&page, "channel").unwrap().attr("code"), Some("soap"));
    assert!(all(find(&page, "requester").unwrap(), "item").is_empty());
    assert!(all(find(&page, "fields").unwrap(), "item").is_empty());
    assert_eq!(all(&page, "event").len(), 7, "every step of the history");
    assert!(find(&page, "commands").is_none(), "nothing to do any more");
    let console = marie.view("/demoville/backoffice/?state=final");
    let row = all(&console, "request")
        .into_iter()
        .find(|r| r.attr("reference") == Some(birth.as_str()))
        .expect("still counted among the finished");
    assert_eq!(find(row, "subject").unwrap().text, "(données effacées)");

    // The others are as they were.
    assert!(!anywhere(&server.data_dir, "Gardable").is_empty());
    assert!(!anywhere(&server.data_dir, "Encours").is_empty());
    let road_page = login(&server, "paul").request(&road);
    assert!(find(&road_page, "anonymised").is_none());
    assert!(!all(find(&road_page, "requester").unwrap(), "item").is_empty());

    // The journal verifies and tells the run, without the person.
    audit_ok(&server);
    let tenant = server.app.site("demoville").unwrap().tenant.id;
    let runs = rt
        .block_on(
            server
                .app
                .store
                .journal(tenant, Some("anonymised".into()), 10),
        )
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].actor, "system:retention");
    assert_eq!(
        runs[0].detail,
        format!("1 requests anonymised (birth-certificate: 1): {birth}")
    );
    let notes = rt
        .block_on(server.app.store.journal(tenant, Some("note".into()), 10))
        .unwrap();
    let note = notes
        .iter()
        .find(|e| e.subject == birth)
        .expect("the note's entry");
    assert!(
        note.detail.is_empty() && note.redacted_at.is_some(),
        "{note:?}"
    );

    // Two years after its closing, the incident's turn; the open one stays.
    server.advance_days(365);
    assert_eq!(retention(), vec![road.clone()]);
    assert_eq!(anywhere(&server.data_dir, "Gardable"), Vec::<String>::new());
    assert!(
        !anywhere(&server.data_dir, "Encours").is_empty(),
        "{open} is open"
    );
    audit_ok(&server);
}

const PHOTO: &[u8] = include_bytes!("fixtures/photo-gps.jpg");
const PDF: &[u8] = include_bytes!("fixtures/piece-identite.pdf");

/// The road incident's form fields as a citizen fills them.
fn road_form(token: &str) -> Vec<(&str, &str)> {
    vec![
        ("_token", token),
        ("requester.firstName", "Zoé"),
        ("requester.lastName", "Photographe"),
        ("requester.email", "zoe@example.fr"),
        ("category", "pothole"),
        ("location.street", "3 place de l'Église"),
        ("location.postalCode", "75002"),
        ("location.town", "Démoville"),
        ("description", "Nid-de-poule profond devant la mairie"),
        ("observedOn", "2026-11-20"),
    ]
}

fn birth_form(token: &str) -> Vec<(&str, &str)> {
    vec![
        ("_token", token),
        ("requester.civility", "M"),
        ("requester.firstName", "Jean"),
        ("requester.lastName", "Guichet"),
        ("requester.email", "jean.guichet@example.fr"),
        ("actType", "integral"),
        ("requesterRelation", "self"),
        ("personLastName", "Guichet"),
        ("personFirstNames", "Jean"),
        ("birthDate", "1980-02-29"),
        ("birthPlace", "Démoville"),
        ("motherName", "Martin Anne"),
        ("copies", "1"),
        ("deliveryMode", "post"),
    ]
}

/// Sends the road incident's form with `files` (multipart, as a browser).
fn send_road_form(server: &Server, files: &[SentFile]) -> HttpResponse {
    let page = server.get("/demoville/services/road-incident").body;
    let key = r#"name="_token" value=""#;
    let at = page.find(key).expect("a token") + key.len();
    let token = page[at..at + page[at..].find('"').unwrap()].to_owned();
    let (content_type, body) = multipart_files(&road_form(&token), files);
    post_typed(
        server,
        "/demoville/services/road-incident",
        "",
        &content_type,
        &body,
        "Sec-Fetch-Site: same-origin\r\n",
    )
}

/// The tracking code a form's answer sends the browser to.
fn receipt_code(sent: &HttpResponse) -> String {
    let location = sent.header("location").expect("to the acknowledgement");
    location.rsplit('/').next().unwrap().to_owned()
}

fn blobs_on_disk(server: &Server) -> usize {
    common::backend::blobs_kept(&server.data_dir)
}

/// A photo sent with the web form reaches the agent without its location;
/// the citizen downloads it from the tracking page; the request file holds
/// it in base64 and stays valid against its schema.
#[test]
fn a_photo_sent_with_the_web_form_reaches_the_agent_without_its_location() {
    let server = Server::start();
    let form = server.get("/demoville/services/road-incident").body;
    assert!(form.contains(r#"enctype="multipart/form-data""#), "{form}");
    assert!(form.contains(r#"type="file""#) && form.contains(" multiple "));
    assert!(form.contains("accept=\".jpg,.jpeg,image/jpeg,.png,image/png,.webp,image/webp\""));
    assert!(form.contains("JPEG, PNG, WebP, 8 Mio au plus par fichier, 3 fichiers au plus"));

    let sent = send_road_form(
        &server,
        &[(
            "photo",
            "C:\\Photos\\IMG_2041.JPG",
            "application/octet-stream",
            PHOTO,
        )],
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let code = receipt_code(&sent);
    assert_eq!(blobs_on_disk(&server), 1, "kept once");

    let paul = login(&server, "paul");
    let reference = console_refs(&paul, "")[0].clone();
    let page = paul.request(&reference);
    let files = all(&page, "file");
    assert_eq!(files.len(), 1);
    assert_eq!(find(files[0], "name").unwrap().text, "IMG_2041.jpg");
    assert_eq!(files[0].attr("media-type"), Some("image/jpeg"));
    assert_eq!(
        find(files[0], "origin").unwrap().text,
        "Photos de l'incident"
    );
    let href = files[0].attr("href").unwrap().to_owned();
    let got = paul.get(&href);
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type"), Some("image/jpeg"));
    assert_eq!(
        got.header("content-disposition"),
        Some("attachment; filename=\"IMG_2041.jpg\"; filename*=UTF-8''IMG_2041.jpg")
    );
    assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
    assert!(got.body.contains("JFIF"), "the picture");
    assert!(!got.body.contains("GPSLatitude"), "without its location");
    assert!(!got.body.contains("Pris devant"), "nor its comment");
    assert!(
        all(find(&page, "fields").unwrap(), "item")
            .iter()
            .all(|i| i.attr("label") != Some("Photos de l'incident")),
        "not among the values, as a digest"
    );
    // Another request's file is not reached through this one.
    assert_eq!(paul.get(&href.replace("/files/1", "/files/99")).status, 404);
    let marie = login(&server, "marie");
    assert_eq!(
        marie.get(&href).status,
        403,
        "état civil may not read voirie's request"
    );

    // The citizen's tracking page lists it; the code downloads it.
    let track = server.get(&format!("/demoville/track/{code}")).body;
    assert!(
        track.contains("Vos pièces jointes") && track.contains("IMG_2041.jpg"),
        "{track}"
    );
    let mine = server.get(&format!("/demoville/track/{code}/files/1"));
    assert_eq!(mine.status, 200);
    assert_eq!(mine.header("content-type"), Some("image/jpeg"));
    assert_eq!(
        server
            .get("/demoville/track/AAAA-AAAA-AAAA-AAAA/files/1")
            .status,
        404
    );

    // The request file carries it, and stays valid.
    let number: u32 = reference.rsplit('-').next().unwrap().parse().unwrap();
    let file = server.request_file("road-incident", number);
    assert!(
        file.contains(r#"<photo fileName="IMG_2041.jpg" mediaType="image/jpeg">/9j/"#),
        "{file}"
    );
    common::assert_valid_against_served(
        &server,
        "/demoville/xsd/road-incident.xsd",
        &file,
        "request file with a photo",
    );
}

/// Every limit of a file field is said next to it, with the file's name,
/// and nothing is stored: the kind (from the content, whatever the name or
/// the declared type), the size, the number of files, an image that does
/// not read; over SOAP the same, and bad base64.
#[test]
fn every_file_limit_is_said_next_to_its_field_and_nothing_is_stored() {
    let server = Server::start();
    let cases: Vec<(Vec<SentFile>, &str)> = vec![
        (
            vec![("photo", "nid.jpg", "image/jpeg", PDF)],
            "le fichier « nid.jpg » n'est pas un fichier JPEG, PNG ou WebP (d'après son contenu)",
        ),
        (
            vec![(
                "photo",
                "nid.jpg",
                "image/jpeg",
                b"<svg onload=alert(1)>".as_slice(),
            )],
            "n'est pas un fichier JPEG",
        ),
        (
            vec![(
                "photo",
                "abime.jpg",
                "image/jpeg",
                &[0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0x00][..],
            )],
            "l'image « abime.jpg » est illisible",
        ),
        (
            vec![
                ("photo", "1.jpg", "image/jpeg", PHOTO),
                ("photo", "2.jpg", "image/jpeg", PHOTO),
                ("photo", "3.jpg", "image/jpeg", PHOTO),
                ("photo", "4.jpg", "image/jpeg", PHOTO),
            ],
            "3 fichier(s) au plus",
        ),
    ];
    for (files, said) in &cases {
        let r = send_road_form(&server, files);
        assert_eq!(r.status, 422, "{said}: {}", r.body);
        let shown = r.body.replace("&#39;", "'");
        assert!(shown.contains(said), "{said}: {shown}");
        assert!(shown.contains(r#"id="f-photo-error""#), "next to its field");
    }
    // Larger than its 8 MiB (the request itself is within the upload limit).
    let big = {
        let mut b = PHOTO.to_vec();
        b.resize(8 * 1024 * 1024 + 1, 0);
        b
    };
    let r = send_road_form(&server, &[("photo", "grande.jpg", "image/jpeg", &big)]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("dépasse 8 Mio"), "{}", r.body);
    let marie = login(&server, "paul");
    assert!(console_refs(&marie, "").is_empty(), "nothing stored");
    assert_eq!(blobs_on_disk(&server), 0, "no file kept");

    // Over SOAP: base64 content, the kind from the content.
    let birth = |content: &str| {
        BIRTH.replace(
            "</g:SubmitBirthCertificateRequest>",
            &format!(r#"<g:identityDocument fileName="carte.pdf" mediaType="application/pdf">{content}</g:identityDocument></g:SubmitBirthCertificateRequest>"#),
        )
    };
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let r = server.soap11(&envelope11(&birth(&b64(b"pas un PDF"))));
    assert_eq!(r.status, 500, "{}", r.body);
    assert!(
        r.body.contains("<g:code>file-type</g:code>")
            && r.body.contains("<g:field>identityDocument</g:field>"),
        "{}",
        r.body
    );
    let r = server.soap11(&envelope11(&birth("@@@ pas du base64 @@@")));
    assert!(
        r.body.contains("<g:code>invalid-base64</g:code>"),
        "{}",
        r.body
    );
    assert_eq!(blobs_on_disk(&server), 0);
    // Wrapped base64, as some clients send it, is taken.
    let wrapped: String = b64(PDF)
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\n", std::str::from_utf8(c).unwrap()))
        .collect();
    let (reference, _) = submit(&server, &birth(&wrapped));
    let marie = login(&server, "marie");
    let page = marie.request(&reference);
    let file = find(&page, "file").expect("the PDF reaches the agent");
    assert_eq!(find(file, "name").unwrap().text, "carte.pdf");
    assert_eq!(file.attr("media-type"), Some("application/pdf"));
    let got = marie.get(file.attr("href").unwrap());
    assert!(got.body.starts_with("%PDF-1.4"), "as sent");
    assert_eq!(blobs_on_disk(&server), 1);
}

/// A request with a photo is corrected: another field corrected keeps the
/// photo; the photo itself asked again is replaced by the one sent.
#[test]
fn a_correction_keeps_the_files_it_does_not_ask_and_replaces_those_it_does() {
    let server = Server::start();
    let sent = send_road_form(&server, &[("photo", "avant.jpg", "image/jpeg", PHOTO)]);
    assert_eq!(sent.status, 303, "{}", sent.body);
    let code = receipt_code(&sent);
    let paul = login(&server, "paul");
    let reference = console_refs(&paul, "")[0].clone();
    let link = format!("/demoville/track/{code}/correct");
    let token_of = |html: &str| {
        let start = html.find(r#"name="_token" value=""#).unwrap() + 21;
        html[start..start + html[start..].find('"').unwrap()].to_owned()
    };
    let ask = |field: &str| {
        let r = paul.command(
            &reference,
            &[
                ("command", "ask-correction"),
                ("field", field),
                ("comment", "Merci"),
            ],
        );
        assert_eq!(r.status, 303, "{}", r.body);
    };

    ask("description");
    let token = token_of(&server.get(&link).body);
    let done = post_raw(
        &server,
        &link,
        "",
        &form(&[
            ("_token", &token),
            ("description", "Nid-de-poule très profond, 20 cm"),
        ]),
        "Sec-Fetch-Site: same-origin\r\n",
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let files = all(&paul.request(&reference), "file")
        .iter()
        .map(|f| find(f, "name").unwrap().text.clone())
        .collect::<Vec<_>>();
    assert_eq!(files, ["avant.jpg"], "the photo kept");

    ask("photo");
    let page = server.get(&link).body;
    assert!(page.contains(r#"enctype="multipart/form-data""#), "{page}");
    let (content_type, body) = multipart_files(
        &[("_token", &token_of(&page))],
        &[(
            "photo",
            "apres.png",
            "image/png",
            include_bytes!("../reference/exemple.png"),
        )],
    );
    let done = post_typed(
        &server,
        &link,
        "",
        &content_type,
        &body,
        "Sec-Fetch-Site: same-origin\r\n",
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let page = paul.request(&reference);
    let files = all(&page, "file");
    assert_eq!(files.len(), 1, "replaced, not added");
    assert_eq!(find(files[0], "name").unwrap().text, "apres.png");
    assert_eq!(files[0].attr("media-type"), Some("image/png"));
}

/// The request and its receipt as PDF, from the tracking page (with the
/// tracking code on the receipt) and from the back office (for an agent who
/// may read the request): real text in the town's words, French characters
/// right, the font embedded; someone else's request is not reached.
#[test]
fn the_request_and_its_receipt_are_downloaded_as_pdf_with_real_text() {
    let server = Server::start();
    let sent = send_road_form(
        &server,
        &[(
            "photo",
            "trottoir.png",
            "image/png",
            guichet::core::files::SAMPLE_PNG,
        )],
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let code = receipt_code(&sent);
    let track = server.get(&format!("/demoville/track/{code}")).body;
    assert!(
        track.contains(&format!("/demoville/track/{code}/request.pdf")),
        "{track}"
    );
    let receipt_page = server.get(&format!("/demoville/receipt/{code}")).body;
    assert!(
        receipt_page.contains(&format!("/demoville/track/{code}/receipt.pdf")),
        "{receipt_page}"
    );

    let got = server.get(&format!("/demoville/track/{code}/request.pdf"));
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type"), Some("application/pdf"));
    assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
    let disposition = got.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"demande-2026-"),
        "{disposition}"
    );
    assert!(got.bytes.starts_with(b"%PDF-"));
    if let Ok(keep) = std::env::var("GUICHET_KEEP_PDF") {
        std::fs::write(keep, &got.bytes).unwrap();
    }
    let (text, fonts) = common::pdf_text(&got.bytes);
    let paul = login(&server, "paul");
    let reference = console_refs(&paul, "")[0].clone();
    for expected in [
        "Ville de Démoville",
        &format!("Demande {reference}"),
        "Signalement d'un incident sur la voie publique",
        "Demandeur",
        "Zoé",
        "Photographe",
        "zoe@example.fr",
        "3 place de l'Église",
        "Nid-de-poule profond devant la mairie",
        "20/11/2026",
        "Pièces jointes",
        "trottoir.png",
        "Étapes",
        "Réponse au plus tard le",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    assert!(
        !text.contains(&code),
        "the request itself does not repeat the code"
    );
    // Tagged for assistive technologies: titled, in French, its structure
    // headings and tables whose rows have their label as header.
    let info = common::pdf_info(&got.bytes);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(
        info.contains(&format!("Title:           Demande {reference}")),
        "{info}"
    );
    let structure = common::pdf_structure(&got.bytes);
    for expected in [
        "H1 (block)",
        "H2 (block)",
        "Table (block)",
        "/Scope /Row",
        "\"Zoé\"",
    ] {
        assert!(structure.contains(expected), "{expected:?} in\n{structure}");
    }
    // DejaVu Sans, embedded and subset, with its Unicode map.
    let dejavu = fonts
        .lines()
        .filter(|l| l.contains("DejaVuSans"))
        .collect::<Vec<_>>();
    assert!(!dejavu.is_empty(), "{fonts}");
    for line in dejavu {
        let cols: Vec<&str> = line.split_whitespace().collect();
        // name type encoding emb sub uni object ID
        assert_eq!(
            cols[cols.len() - 5..cols.len() - 2],
            ["yes", "yes", "yes"],
            "{line}"
        );
    }

    let receipt = server.get(&format!("/demoville/track/{code}/receipt.pdf"));
    assert_eq!(receipt.status, 200);
    let (text, _) = common::pdf_text(&receipt.bytes);
    for expected in [
        "Accusé de réception",
        &reference,
        "Code de suivi",
        code.as_str(),
        &format!("/demoville/track/{code}"),
        "Conservez ce document",
    ] {
        // A long link may be broken across two lines, as any word is.
        let joined: String = text.split_whitespace().collect();
        let wanted: String = expected.split_whitespace().collect();
        assert!(
            text.contains(expected) || joined.contains(&wanted),
            "{expected:?} in\n{text}"
        );
    }
    assert_eq!(
        server
            .get("/demoville/track/AAAA-AAAA-AAAA-AAAA/request.pdf")
            .status,
        404
    );

    // The agent prints the same request from the back office.
    let page = paul
        .get(&format!("/demoville/backoffice/requests/{reference}"))
        .body;
    assert!(
        page.contains(&format!(
            "/demoville/backoffice/requests/{reference}/request.pdf"
        )),
        "{page}"
    );
    let printed = paul.get(&format!(
        "/demoville/backoffice/requests/{reference}/request.pdf"
    ));
    assert_eq!(printed.status, 200);
    let (text, _) = common::pdf_text(&printed.bytes);
    assert!(
        text.contains("Nid-de-poule profond devant la mairie"),
        "{text}"
    );
    let receipt = paul.get(&format!(
        "/demoville/backoffice/requests/{reference}/receipt.pdf"
    ));
    let (text, _) = common::pdf_text(&receipt.bytes);
    assert!(
        text.contains("Accusé de réception") && !text.contains("Code de suivi"),
        "{text}"
    );
    let marie = login(&server, "marie");
    assert_eq!(
        marie
            .get(&format!(
                "/demoville/backoffice/requests/{reference}/request.pdf"
            ))
            .status,
        403,
        "état civil may not read voirie's request"
    );
    assert_eq!(
        server
            .get(&format!(
                "/demoville/backoffice/requests/{reference}/request.pdf"
            ))
            .status,
        303,
        "not signed in: to the login page"
    );
}

/// An agent adds a document of the town's to a request (a photo from the
/// field): its location removed, listed as theirs, in the history; sent,
/// the requester finds it on the tracking page, kept for the town, not; a
/// file of another kind, or none, is refused with the reason on the page
/// and nothing is kept.
#[test]
fn an_agent_adds_a_document_of_the_towns_and_a_bad_one_is_refused() {
    let server = Server::start();
    let sent = send_road_form(&server, &[]);
    assert_eq!(sent.status, 303, "{}", sent.body);
    let code = receipt_code(&sent);
    let paul = login(&server, "paul");
    let reference = console_refs(&paul, "")[0].clone();
    let path = format!("/demoville/backoffice/requests/{reference}");
    let send = |files: &[SentFile], send: bool| {
        let page = paul.request(&reference);
        let commands = find(&page, "commands").unwrap();
        assert!(find(commands, "add-file").is_some());
        let token = commands.attr("token").unwrap().to_owned();
        let revision = commands.attr("revision").unwrap().to_owned();
        let mut fields = vec![
            ("_token", token.as_str()),
            ("revision", revision.as_str()),
            ("command", "add-file"),
            ("comment", "Constaté sur place"),
        ];
        if send {
            fields.push(("send", "yes"));
        }
        let (content_type, body) = multipart_files(&fields, files);
        post_typed(
            &server,
            &path,
            &paul.cookie,
            &content_type,
            &body,
            "Sec-Fetch-Site: same-origin\r\n",
        )
    };

    // Refused: not a picture nor a PDF (from its content), or no file.
    let r = send(
        &[("file", "photo.jpg", "image/jpeg", b"MZ\x90\x00 not a photo")],
        true,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains(
            "Le document n'est pas joint : le fichier « photo.jpg » n'est pas un fichier"
        ),
        "{}",
        r.body
    );
    let r = send(&[("file", "", "application/octet-stream", b"")], false);
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Choisissez le fichier à joindre."),
        "{}",
        r.body
    );
    assert_eq!(blobs_on_disk(&server), 0, "nothing kept");

    let r = send(&[("file", "sur place.jpg", "image/jpeg", PHOTO)], true);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = paul.request(&reference);
    let files = all(&page, "file");
    assert_eq!(files.len(), 1);
    assert_eq!(find(files[0], "name").unwrap().text, "sur place.jpg");
    assert_eq!(find(files[0], "origin").unwrap().text, "Ajoutée par paul");
    let got = paul.get(files[0].attr("href").unwrap());
    assert_eq!(got.header("content-type"), Some("image/jpeg"));
    assert!(!got.body.contains("GPSLatitude"), "without its location");
    let history: Vec<String> = all(&page, "event")
        .iter()
        .map(|e| find(e, "what").unwrap().text.clone())
        .collect();
    assert!(
        history.contains(&"Document joint".to_owned()),
        "{history:?}"
    );
    // An e-mail waits for the requester, carrying it.
    let tenant = server.app.site("demoville").unwrap().tenant.id;
    let outbox = runtime()
        .block_on(guichet::notify::run_outbox(&server.app))
        .unwrap();
    assert!(outbox.0 >= 1);
    let deliveries = runtime()
        .block_on(server.app.store.deliveries(
            tenant,
            guichet::core::tracking::Reference::parse(&reference),
        ))
        .unwrap();
    assert!(
        deliveries.iter().any(|d| d
            .subject
            .as_deref()
            .is_some_and(|s| s.contains("Un courrier de la mairie"))),
        "{deliveries:?}"
    );
    // Sent to the requester: on their tracking page, to download.
    let track = server.get(&format!("/demoville/track/{code}")).body;
    assert!(
        track.contains("Courriers et documents de la mairie") && track.contains("sur place.jpg"),
        "{track}"
    );
    assert_eq!(
        server
            .get(&format!("/demoville/track/{code}/files/1"))
            .status,
        200
    );
    // Kept for the town only: not there.
    let r = send(
        &[(
            "file",
            "note.pdf",
            "application/pdf",
            guichet::core::files::SAMPLE_PDF,
        )],
        false,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(all(&paul.request(&reference), "file").len(), 2);
    let track = server.get(&format!("/demoville/track/{code}")).body;
    assert!(!track.contains("note.pdf"), "{track}");
    assert_eq!(
        server
            .get(&format!("/demoville/track/{code}/files/2"))
            .status,
        404
    );
}

/// A service that deletes files sooner than the rest (the birth
/// certificate: 3 months, 12 for the rest): the retention run deletes the
/// identity document the requester sent and the town's letter at 3 months,
/// says so in the history and the journal, keeps the rest until 12.
#[test]
fn files_go_sooner_than_the_rest_when_the_service_says() {
    use base64::Engine;
    let server = Server::start();
    let rt = runtime();
    let retention = || {
        rt.block_on(guichet::usecases::retention::run(&server.app))
            .unwrap()
    };
    let pdf = base64::engine::general_purpose::STANDARD.encode(guichet::core::files::SAMPLE_PDF);
    let with_file = BIRTH.replace(
        "</g:SubmitBirthCertificateRequest>",
        &format!(r#"<g:identityDocument fileName="carte.pdf" mediaType="application/pdf">{pdf}</g:identityDocument></g:SubmitBirthCertificateRequest>"#),
    );
    let (birth, _) = submit(&server, &with_file);
    let marie = login(&server, "marie");
    for action in ["take", "check", "valid", "send"] {
        assert_eq!(marie.act(&birth, action).status, 303, "{action}");
    }
    let revision = marie.revision(&birth);
    let r = marie.command(&birth, &[("command", "letter"), ("revision", &revision)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(marie.act(&birth, "close").status, 303);
    assert_eq!(
        all(&marie.request(&birth), "file").len(),
        2,
        "theirs and the letter"
    );
    let kept = || rt.block_on(server.app.store.kept_blobs()).unwrap().len();
    assert_eq!(kept(), 2);

    server.advance_days(80);
    let swept = retention();
    assert!(
        swept.iter().all(|s| s.files_deleted.is_empty()),
        "not yet 3 months"
    );
    server.advance_days(15);
    let swept = retention();
    let deleted: Vec<String> = swept
        .iter()
        .flat_map(|s| &s.files_deleted)
        .map(|r| r.to_string())
        .collect();
    assert_eq!(deleted, vec![birth.clone()]);
    assert!(
        swept.iter().all(|s| s.anonymised.is_empty()),
        "the rest stays"
    );
    assert!(
        retention().iter().all(|s| s.files_deleted.is_empty()),
        "once"
    );
    // Sessions do not last three months: sign in again.
    let marie = login(&server, "marie");
    let page = marie.request(&birth);
    assert!(all(&page, "file").is_empty(), "no file left");
    assert_eq!(kept(), 0, "their blobs go at the next sweep");
    let history: Vec<String> = all(&page, "event")
        .iter()
        .map(|e| find(e, "what").unwrap().text.clone())
        .collect();
    assert!(
        history.contains(&"Pièces jointes supprimées (durée de conservation)".to_owned()),
        "{history:?}"
    );
    assert!(
        all(find(&page, "requester").unwrap(), "item")
            .iter()
            .any(|i| i.text == "Dupont"),
        "the requester is still known"
    );
    let tenant = server.app.site("demoville").unwrap().tenant.id;
    let journal = rt
        .block_on(
            server
                .app
                .store
                .journal(tenant, Some("files-deleted".into()), 10),
        )
        .unwrap();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].actor, "system:retention");
    assert!(
        journal[0].detail.starts_with(&format!(
            "1 requests lost their files (birth-certificate: 1): {birth}"
        )),
        "{}",
        journal[0].detail
    );
    server.advance_days(280);
    let anonymised: Vec<String> = retention()
        .iter()
        .flat_map(|s| &s.anonymised)
        .map(|r| r.to_string())
        .collect();
    assert_eq!(anonymised, vec![birth]);
}

/// A request made on the English pages gets its letter in English.
#[test]
fn a_request_made_in_english_gets_its_letter_in_english() {
    let server = Server::start();
    let page = server.get("/demoville/services/road-incident?lang=en").body;
    let key = r#"name="_token" value=""#;
    let at = page.find(key).expect("a token") + key.len();
    let token = page[at..at + page[at..].find('"').unwrap()].to_owned();
    let (content_type, body) = multipart_files(&road_form(&token), &[]);
    let sent = post_typed(
        &server,
        "/demoville/services/road-incident?lang=en",
        "",
        &content_type,
        &body,
        "Sec-Fetch-Site: same-origin\r\n",
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let paul = login(&server, "paul");
    let reference = console_refs(&paul, "")[0].clone();
    let revision = paul.revision(&reference);
    let r = paul.command(
        &reference,
        &[("command", "letter"), ("revision", &revision)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let letter = paul.get(&format!(
        "/demoville/backoffice/requests/{reference}/files/1"
    ));
    let (text, _) = common::pdf_text(&letter.bytes);
    for expected in [
        "Dear Sir or Madam,",
        "Subject",
        "Report received",
        "Yours faithfully,",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
}

/// The rows of one table of the statistics view, each as its cells' text.
fn stats_rows(view: &Element, id: &str) -> Vec<Vec<String>> {
    assert!(find(view, "stats").is_some(), "a statistics view");
    stats_table(view, id)
}

/// The value of one figure of the summary table, by its label.
fn figure(view: &Element, label: &str) -> String {
    stats_rows(view, "summary")
        .into_iter()
        .find(|r| r[0] == label)
        .unwrap_or_else(|| panic!("a figure {label}"))[1]
        .clone()
}

#[test]
fn statistics_count_what_the_requests_did_draw_it_and_export_it_as_french_csv() {
    let server = Server::start();
    // Four road incidents on Sunday 22 November 2026 (15 days to answer):
    // one repaired that day, one 10 days later, one 20 days later (late),
    // one still open on day 20 (late).
    let refs: Vec<String> = ["Un", "Deux", "Trois", "Quatre"]
        .iter()
        .map(|n| submit(&server, &road_incident(n)).0)
        .collect();
    // A request in test mode would not count; none here. A birth
    // certificate of another department, for the department filter.
    submit(&server, BIRTH);
    // Sessions do not outlive days: Paul logs in again each time.
    let repair = |r: &str| {
        let paul = login(&server, "paul");
        for action in ["qualify", "schedule", "fixed"] {
            assert_eq!(paul.act(r, action).status, 303, "{action}");
        }
    };
    repair(&refs[0]);
    server.advance_days(10);
    repair(&refs[1]);
    server.advance_days(10);
    repair(&refs[2]);
    let paul = login(&server, "paul");

    // Paul handles requests but holds no statistics role.
    assert_eq!(paul.get("/demoville/backoffice/stats").status, 403);
    let bar = paul.view("/demoville/backoffice/");
    assert!(find(&bar, "backoffice").unwrap().attr("stats").is_none());

    // An elected official with the roads' statistics only.
    let out = add_with_cli(
        &server,
        "elu",
        "Élise Lu",
        "voirie:stats",
        "mot de passe de l'élue",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let elu = login_with(&server, "elu", "mot de passe de l'élue");
    // Her console shows no request: the role gives figures, not files.
    let console = elu.view("/demoville/backoffice/");
    assert_eq!(find(&console, "console").unwrap().attr("total"), Some("0"));
    // Nor exports of them.
    assert_eq!(elu.get("/demoville/backoffice/export").status, 403);
    assert_eq!(
        elu.get("/demoville/backoffice/export/requests.csv?state=all")
            .status,
        403
    );
    assert!(
        elu.get(&format!("/demoville/backoffice/requests/{}", refs[0]))
            .status
            >= 403
    );

    let path = "/demoville/backoffice/stats?period=year";
    let view = elu.view(path);
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    common::assert_valid(&xsd, &elu.get(&format!("{path}&format=xml")).body, "stats");
    let stats = find(&view, "stats").unwrap();
    assert_eq!(
        (stats.attr("from"), stats.attr("to")),
        (Some("2026-01-01"), Some("2026-12-12"))
    );
    // The birth certificate is état civil's: not in her figures.
    assert_eq!(figure(&view, "Demandes reçues"), "4");
    assert_eq!(figure(&view, "Demandes closes"), "3");
    assert_eq!(figure(&view, "En cours en fin de période"), "1");
    assert_eq!(figure(&view, "Dont en retard"), "1");
    assert_eq!(figure(&view, "Closes dans le délai (%)"), "66,7");
    // Delays 0, 10 and 20 days: mean 10, median 10, 9th decile 20; in
    // working days 0, 8 and 15 (weekends not counted).
    assert_eq!(figure(&view, "Délai de traitement moyen (jours)"), "10,0");
    assert_eq!(figure(&view, "Délai médian (jours)"), "10");
    assert_eq!(figure(&view, "Délai au 9e décile (jours)"), "20");
    assert_eq!(figure(&view, "Délai médian (jours ouvrés)"), "8");
    assert_eq!(figure(&view, "Délai au 9e décile (jours ouvrés)"), "15");
    // The late count is the console's, for the administrator.
    let admin = login(&server, "admin");
    let late = admin.view("/demoville/backoffice/?late=1&service=road-incident");
    assert_eq!(find(&late, "console").unwrap().attr("total"), Some("1"));
    // Month by month, and the waiting request at its step.
    let months = stats_rows(&view, "months");
    assert_eq!(months.len(), 12);
    assert_eq!(months[10], ["novembre 2026", "4", "1"]);
    assert_eq!(months[11], ["décembre 2026", "0", "2"]);
    // The words of their descriptions, four times each.
    let words = stats_rows(&view, "words");
    assert_eq!(
        words[..2],
        [
            [
                "Signalement d'un incident sur la voie publique",
                "chaussée",
                "4"
            ],
            [
                "Signalement d'un incident sur la voie publique",
                "dangereux",
                "4"
            ]
        ],
        "{words:?}"
    );
    assert!(words.iter().all(|w| w[1] != "de" && w[1] != "milieu>"));
    // By theme: the road incidents are everyday life's.
    let themes = stats_rows(&view, "theme");
    assert_eq!(themes.len(), 1, "{themes:?}");
    assert_eq!(themes[0][..3], ["Vie quotidienne", "4", "3"]);
    let waiting = stats_rows(&view, "waiting");
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0][2], "1");
    assert_eq!(waiting[0][5], "20", "entered its step 20 days ago");
    // The administrator sees every department: the birth certificate too.
    let all = admin.view(path);
    assert_eq!(figure(&all, "Demandes reçues"), "5");
    let one = admin.view(&format!("{path}&department=voirie"));
    assert_eq!(figure(&one, "Demandes reçues"), "4");

    // The page: a chart with its title and description, the same figures
    // in a table, no script needed.
    let html = elu.get(path).body;
    assert!(html.contains("<svg"), "{html}");
    assert!(html.contains(r#"role="img""#));
    assert!(html.contains(r#"aria-labelledby="chart-months-title chart-months-desc""#));
    assert!(html.contains(r#"<th scope="row">novembre 2026</th>"#));
    // A bad range is said next to its field, with the month's figures.
    let bad = elu.get("/demoville/backoffice/stats?period=range&from=2026-12-10&to=2026-12-01");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains(r#"id="stats-to-error""#), "{}", bad.body);

    // CSV as French spreadsheets read it: BOM, `;`, decimal commas, accents.
    let csv = elu.get("/demoville/backoffice/stats/months.csv?period=year");
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("statistiques-demoville-months")
    );
    assert!(
        csv.body.starts_with("\u{feff}Mois;Reçues;Closes\r\n"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("décembre 2026;0;2\r\n"));
    let summary = elu
        .get("/demoville/backoffice/stats/summary.csv?period=year")
        .body;
    assert!(
        summary.contains("Closes dans le délai (%);66,7\r\n"),
        "{summary}"
    );
    let xml = elu.get("/demoville/backoffice/stats/service.xml?period=year");
    assert_eq!(xml.status, 200);
    let doc = parse(&xml.body);
    assert_eq!(doc.attr("table"), Some("service"));
    assert_eq!(doc.children_named("row").count(), 1);
    assert_eq!(
        elu.get("/demoville/backoffice/stats/nothing.csv").status,
        404
    );
}

/// A console's requests exported: every request the filters select, of the
/// departments the agent may read, with the columns chosen (the form's
/// fields included), as CSV a French spreadsheet opens and as an XLSX a
/// spreadsheet reader reads back (calamine); the columns kept as a named
/// model of the service, reopened, replaced and removed.
#[test]
fn console_exports_every_chosen_request_as_csv_and_xlsx_with_the_columns_kept_as_models() {
    use calamine::{Data, Reader, Xlsx};
    let server = Server::start();
    let refs: Vec<String> = ["Lefèvre", "Œuvray", "N'Diaye"]
        .iter()
        .map(|n| submit(&server, &road_incident(n)).0)
        .collect();
    submit(&server, BIRTH);
    let paul = login(&server, "paul");
    let filters = "state=all&service=road-incident";
    let page = format!("/demoville/backoffice/export?{filters}");
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    common::assert_valid(
        &xsd,
        &paul.get(&format!("{page}&format=xml")).body,
        "export",
    );
    let view = paul.view(&page);
    let export = find(&view, "export").unwrap();
    assert_eq!(export.attr("total"), Some("3"));
    let token = export.attr("token").unwrap().to_owned();
    let offered: Vec<&str> = all(&view, "column")
        .iter()
        .filter_map(|c| c.attr("code"))
        .collect();
    assert!(
        offered.contains(&"field:location") && offered.contains(&"link"),
        "{offered:?}"
    );

    // The console links to it, with its filters.
    let console = paul.view(&format!("/demoville/backoffice/?{filters}"));
    assert!(
        find(&console, "console")
            .unwrap()
            .attr("export")
            .unwrap()
            .contains("service=road-incident")
    );

    // CSV: BOM, `;`, the chosen columns in order, every request, accents.
    let columns = [
        "reference",
        "requester",
        "field:location",
        "field:category",
        "link",
    ];
    let mut fields = vec![
        ("_token", token.as_str()),
        ("do", "download"),
        ("format", "csv"),
    ];
    fields.extend(columns.iter().map(|c| ("column", *c)));
    let r = paul.post(&page, &fields);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    assert!(r.header("content-disposition").unwrap().contains(".csv"));
    assert!(r.bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(r.bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(
        lines[0], "Référence;Demandeur;Lieu de l'incident;Nature de l'incident;Lien",
        "{text}"
    );
    for (reference, name) in refs.iter().zip(["Lefèvre", "Œuvray", "N'Diaye"]) {
        let line = lines
            .iter()
            .find(|l| l.starts_with(reference.as_str()))
            .unwrap();
        assert!(line.contains(&format!("Zoé {name}")), "{line}");
        assert!(
            line.contains("12 rue de la République, 75002, Démoville"),
            "{line}"
        );
        assert!(
            line.contains(";Nid-de-poule ou chaussée dégradée;"),
            "a choice in its wording: {line}"
        );
        assert!(
            line.ends_with(&format!("/demoville/backoffice/requests/{reference}")),
            "{line}"
        );
    }

    // XLSX of the same filters by URL: real dates, and only Paul's
    // department (the birth certificate is état civil's) even unfiltered.
    let r = paul.get(
        "/demoville/backoffice/export/requests.xlsx?state=all&columns=reference,received,due,state",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let mut book = Xlsx::new(std::io::Cursor::new(r.bytes.clone())).unwrap();
    let sheet = book.worksheet_range("Demandes").unwrap();
    let rows: Vec<_> = sheet.rows().collect();
    assert_eq!(rows.len(), 4, "a header and Paul's three requests");
    assert_eq!(rows[0][0], Data::String("Référence".into()));
    assert!(matches!(rows[1][1], Data::DateTime(_)), "{:?}", rows[1][1]);
    assert!(matches!(rows[1][2], Data::DateTime(_)), "{:?}", rows[1][2]);
    assert_eq!(rows[1][3], Data::String("En cours".into()));
    // Marie, of état civil, exports her own only.
    let marie = login(&server, "marie");
    let r =
        marie.get("/demoville/backoffice/export/requests.csv?state=all&columns=reference,service");
    let text = String::from_utf8_lossy(&r.bytes).into_owned();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains("Copie d'acte de naissance") || text.contains("naissance"),
        "{text}"
    );

    // Bad columns are named, not guessed.
    let r = paul.get("/demoville/backoffice/export/requests.csv?columns=reference,password");
    assert_eq!(r.status, 400);
    assert!(r.body.contains("password"), "{}", r.body);

    // A model: the columns under a name, for the service.
    let mut save = vec![("_token", token.as_str()), ("do", "save"), ("name", "")];
    save.extend(columns.iter().map(|c| ("column", *c)));
    let r = paul.post(&page, &save);
    assert_eq!(
        r.status, 400,
        "no name: the form again, the message by the field"
    );
    assert!(r.body.contains("export-name-error"), "{}", r.body);
    save[2] = ("name", "Suivi des nids-de-poule");
    let r = paul.post(&page, &save);
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.header("location").unwrap().to_owned();
    let view = paul.view(&location);
    let model = find(&view, "model").unwrap();
    assert_eq!(model.text, "Suivi des nids-de-poule");
    assert_eq!(model.attr("selected"), Some("true"));
    assert!(
        find(&view, "notice")
            .unwrap()
            .text
            .contains("Suivi des nids-de-poule")
    );
    let checked: Vec<&str> = all(&view, "column")
        .iter()
        .filter(|c| c.attr("checked") == Some("true"))
        .filter_map(|c| c.attr("code"))
        .collect();
    assert_eq!(
        checked,
        [
            "reference",
            "requester",
            "link",
            "field:category",
            "field:location"
        ]
    );
    // Saved again under the same name: replaced, not doubled.
    let r = paul.post(
        &page,
        &[
            ("_token", &token),
            ("do", "save"),
            ("name", "Suivi des nids-de-poule"),
            ("column", "reference"),
        ],
    );
    assert_eq!(r.status, 303);
    let view = paul.view(&page);
    assert_eq!(all(&view, "model").len(), 1);
    let id = find(&view, "model").unwrap().attr("id").unwrap().to_owned();
    // Another service's page does not offer it.
    let other = paul.view("/demoville/backoffice/export?service=birth-certificate");
    assert!(all(&other, "model").is_empty());
    let r = paul.post(
        &page,
        &[("_token", &token), ("do", "delete"), ("model", &id)],
    );
    assert_eq!(r.status, 303);
    assert!(all(&paul.view(&page), "model").is_empty());

    // Without the token, nothing is sent.
    let r = paul.post(&page, &[("do", "download")]);
    assert!(r.status >= 400);
}

#[test]
fn an_agent_records_a_phone_call_through_the_services_own_form_with_its_channel_and_receipt() {
    let server = Server::start();
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    // Without a session: the login page first.
    let anonymous = server.get("/demoville/backoffice/intake/phone/services/road-incident");
    assert_eq!(anonymous.status, 303);
    let paul = login(&server, "paul");
    let console = paul.view("/demoville/backoffice/");
    assert_eq!(
        find(&console, "backoffice").unwrap().attr("intake"),
        Some("/demoville/backoffice/intake")
    );
    let intake = paul.get("/demoville/backoffice/intake?format=xml");
    assert_eq!(intake.status, 200, "{}", intake.body);
    common::assert_valid(&xsd, &intake.body, "intake");
    let intake = parse(&intake.body);
    let channels: Vec<(&str, &str)> = all(&intake, "channel")
        .iter()
        .map(|c| (c.attr("code").unwrap(), c.attr("href").unwrap()))
        .collect();
    assert_eq!(
        channels,
        [
            ("phone", "/demoville/backoffice/intake/phone/"),
            ("counter", "/demoville/backoffice/intake/counter/"),
            ("letter", "/demoville/backoffice/intake/letter/"),
            ("fax", "/demoville/backoffice/intake/fax/"),
        ]
    );
    // The channel's catalogue: the online services, each form at this desk.
    let catalogue = paul.get("/demoville/backoffice/intake/phone/?format=xml");
    assert_eq!(catalogue.status, 200);
    common::assert_valid(&xsd, &catalogue.body, "intake catalogue");
    assert!(
        catalogue
            .body
            .contains("/demoville/backoffice/intake/phone/services/road-incident"),
        "{}",
        catalogue.body
    );
    assert!(
        catalogue.body.contains("par téléphone"),
        "the banner says so"
    );
    assert_eq!(
        paul.get("/demoville/backoffice/intake/pigeon/").status,
        404,
        "no such channel"
    );
    let form = paul.get("/demoville/backoffice/intake/phone/services/road-incident?format=xml");
    assert_eq!(form.status, 200, "{}", form.body);
    common::assert_valid(&xsd, &form.body, "intake form");
    let form = parse(&form.body);
    let form = find(&form, "form").unwrap();
    assert_eq!(
        form.attr("action"),
        Some("/demoville/backoffice/intake/phone/services/road-incident")
    );
    let token = form.attr("token").unwrap().to_owned();
    let page = "/demoville/backoffice/intake/phone/services/road-incident";

    // The service's rules, as online: every bad field named, nothing stored.
    let mut fields = road_form(&token);
    fields.retain(|(k, _)| *k != "location.street" && *k != "requester.lastName");
    let r = paul.post(page, &fields);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body.contains("location") && r.body.contains("lastName"),
        "{}",
        r.body
    );

    // Recorded: the request's page, its channel and the agent in its history.
    let r = paul.post(page, &road_form(&token));
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.header("location").unwrap().to_owned();
    assert_eq!(
        location,
        "/demoville/backoffice/requests/2026-000001?recorded=phone"
    );
    let view = paul.view(&location);
    assert!(
        find(&view, "notice")
            .unwrap()
            .text
            .contains("reçue par téléphone"),
        "{:?}",
        find(&view, "notice")
    );
    assert_eq!(find(&view, "channel").unwrap().attr("code"), Some("phone"));
    let first = all(&view, "who").into_iter().next().unwrap().text.clone();
    assert_eq!(
        first, "Paul Martin",
        "the first event is the recording agent's"
    );
    let receipt = paul.get("/demoville/backoffice/requests/2026-000001/receipt.pdf");
    assert_eq!(receipt.status, 200);
    assert!(receipt.bytes.starts_with(b"%PDF"));
    // The console filters it by its channel.
    let phoned = paul.view("/demoville/backoffice/?state=all&channel=phone");
    assert_eq!(find(&phoned, "console").unwrap().attr("total"), Some("1"));

    // A civil-status request recorded by Paul, who does not read it: the
    // intake says its reference.
    let page = "/demoville/backoffice/intake/counter/services/birth-certificate";
    let form = parse(&paul.get(&format!("{page}?format=xml")).body);
    let token = find(&form, "form")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let r = paul.post(page, &birth_form(&token));
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.header("location").unwrap().to_owned();
    assert_eq!(
        location,
        "/demoville/backoffice/intake?recorded=2026-000002&channel=counter"
    );
    let said = paul.view(&location);
    assert!(
        find(&said, "recorded")
            .unwrap()
            .text
            .contains("2026-000002")
    );
    assert!(
        paul.get("/demoville/backoffice/requests/2026-000002")
            .status
            >= 403
    );
    // Marie, of civil status, finds it recorded at the counter.
    let marie = login(&server, "marie");
    let view = marie.view("/demoville/backoffice/requests/2026-000002");
    assert_eq!(
        find(&view, "channel").unwrap().attr("code"),
        Some("counter")
    );
    audit_ok(&server);
}

#[test]
fn suggested_files_are_merged_or_kept_apart_by_an_agent_and_a_file_starts_the_intake() {
    let server = Server::start();
    let send = |last: &str, email: &str, phone: Option<&str>| {
        let contact = match phone {
            Some(p) => format!("<g:email>{email}</g:email><g:phone>{p}</g:phone>"),
            None => format!("<g:email>{email}</g:email>"),
        };
        let body = road_incident(last).replace("<g:email>zoe@example.fr</g:email>", &contact);
        submit(&server, &body).0
    };
    // A phone in one file, then the same phone given with the e-mail of
    // another: that other file, and a suggestion that both are one.
    let a = send("Doublon", "doublon.a@example.fr", Some("06 22 22 22 22"));
    let c = send("Doublon", "doublon.c@example.fr", None);
    let d = send("Doublon", "doublon.c@example.fr", Some("+33 6 22 22 22 22"));
    let paul = login(&server, "paul");
    let file_of = |reference: &str| -> String {
        find(&paul.request(reference), "requester-file")
            .unwrap()
            .attr("href")
            .unwrap()
            .to_owned()
    };
    let (file_a, file_c) = (file_of(&a), file_of(&c));
    assert_ne!(file_a, file_c, "never joined by the machine");
    assert_eq!(file_of(&d), file_c, "by its e-mail address");
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    let search = paul.view("/demoville/backoffice/people");
    assert_eq!(
        find(&search, "people-search").unwrap().attr("suggested"),
        Some("1")
    );
    let merges = "/demoville/backoffice/people/merges";
    common::assert_valid(
        &xsd,
        &paul.get(&format!("{merges}?format=xml")).body,
        "the suggested merges",
    );
    let view = paul.view(merges);
    let suggestions = all(&view, "suggestion");
    assert_eq!(suggestions.len(), 1);
    let suggestion = suggestions[0];
    assert_eq!(
        find(suggestion, "reason").unwrap().attr("code"),
        Some("phone")
    );
    let pair: Vec<&str> = all(suggestion, "person")
        .iter()
        .map(|p| p.attr("href").unwrap())
        .collect();
    assert_eq!(pair, vec![file_a.as_str(), file_c.as_str()], "older first");
    let action = suggestion.attr("action").unwrap().to_owned();

    // Merged: one file, its requests together, the newer file sends to it.
    let r = paul.post_form(&action, &[("decision", "merge")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let id_a = file_a.rsplit('/').next().unwrap().to_owned();
    assert_eq!(
        r.header("location"),
        Some(format!("{merges}?done=merged&into={id_a}").as_str())
    );
    let done = paul.view(&format!("{merges}?done=merged&into={id_a}"));
    assert_eq!(
        find(&done, "done").unwrap().attr("href"),
        Some(file_a.as_str())
    );
    assert!(all(&done, "suggestion").is_empty());
    let moved = paul.get(&file_c);
    assert_eq!(moved.status, 303);
    assert_eq!(moved.header("location"), Some(file_a.as_str()));
    for r in [&a, &c, &d] {
        assert_eq!(file_of(r), file_a, "{r} in the file kept");
    }
    let merged = paul.view(&file_a);
    assert_eq!(all(&merged, "request").len(), 3);
    let person = find(&merged, "person").unwrap();
    assert_eq!(find(person, "email").unwrap().text, "doublon.a@example.fr");
    assert_eq!(find(person, "phone").unwrap().text, "0622222222");
    // Answered twice (a second agent, a second tab): already dealt with.
    let again = paul.post_form(&action, &[("decision", "merge")]);
    assert_eq!(
        again.header("location"),
        Some(format!("{merges}?done=gone").as_str())
    );

    // Two people sharing a phone: kept apart, never suggested again.
    send("Premier", "premier@example.fr", Some("07 33 33 33 33"));
    let f = send("Second", "second@example.fr", None);
    send("Second", "second@example.fr", Some("07 33 33 33 33"));
    let view = paul.view(merges);
    let suggestion = find(&view, "suggestion").expect("a new suggestion");
    let action = suggestion.attr("action").unwrap().to_owned();
    let r = paul.post_form(&action, &[("decision", "apart")]);
    assert_eq!(
        r.header("location"),
        Some(format!("{merges}?done=apart").as_str())
    );
    assert!(all(&paul.view(merges), "suggestion").is_empty());
    send("Second", "second@example.fr", Some("07 33 33 33 33"));
    assert!(
        all(&paul.view(merges), "suggestion").is_empty(),
        "not suggested again"
    );
    assert_ne!(file_of(&f), file_a);
    // Nonsense is no decision.
    let r = paul.post_form(&action, &[("decision", "peut-être")]);
    assert_eq!(r.header("location"), Some(merges));

    // What the file is of, set by an agent.
    let r = paul.post_form(&file_a, &[("kind", "partner")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.header("location"),
        Some(format!("{file_a}?saved=kind").as_str())
    );
    let saved = paul.view(&format!("{file_a}?saved=kind"));
    assert!(find(&saved, "saved").is_some());
    assert_eq!(
        find(&saved, "person").unwrap().attr("kind"),
        Some("partner")
    );
    let selected: Vec<&str> = all(&saved, "kind")
        .iter()
        .filter(|k| k.attr("selected") == Some("true"))
        .map(|k| k.attr("code").unwrap())
        .collect();
    assert_eq!(selected, vec!["partner"]);
    let r = paul.post_form(&file_a, &[("kind", "martian")]);
    assert_eq!(r.header("location"), Some(file_a.as_str()));
    common::assert_valid(
        &xsd,
        &paul.get(&format!("{file_a}?format=xml")).body,
        "a file with its forms",
    );
    let tenant = server.app.any_site("demoville").unwrap().tenant.id;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let journal = |action: &str| {
        rt.block_on(server.app.store.journal(tenant, Some(action.into()), 10))
            .unwrap()
    };
    let merged_entry = journal("persons-merged");
    assert_eq!(merged_entry.len(), 1);
    assert_eq!(merged_entry[0].subject, format!("person:{id_a}"));
    assert_eq!(merged_entry[0].actor, "agent:paul");
    assert_eq!(journal("persons-kept-apart").len(), 1);
    assert_eq!(journal("person-kind")[0].detail, "partner");

    // A new request for this person at the intake desk: the service's form
    // with the requester's block from the file, recorded into it.
    let new = find(&saved, "new-request").unwrap();
    assert_eq!(new.attr("person"), Some(id_a.as_str()));
    let r = paul.get(&format!(
        "/demoville/backoffice/intake?person={id_a}&channel=phone&service=road-incident"
    ));
    assert_eq!(r.status, 303);
    let form_page =
        format!("/demoville/backoffice/intake/phone/services/road-incident?person={id_a}");
    assert_eq!(r.header("location"), Some(form_page.as_str()));
    let html = paul.get(&form_page).body;
    for value in ["Doublon", "doublon.a@example.fr", "0622222222"] {
        assert!(
            html.contains(&format!(r#"value="{value}""#)),
            "{value} filled"
        );
    }
    let key = r#"name="_token" value=""#;
    let at = html.find(key).expect("a token") + key.len();
    let token = html[at..at + html[at..].find('"').unwrap()].to_owned();
    let fields: Vec<(&str, &str)> = road_form(&token)
        .into_iter()
        .map(|(k, v)| match k {
            "requester.email" => (k, "doublon.a@example.fr"),
            "requester.lastName" => (k, "Doublon"),
            _ => (k, v),
        })
        .collect();
    let r = paul.post(
        "/demoville/backoffice/intake/phone/services/road-incident",
        &fields,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let recorded = r.header("location").unwrap().to_owned();
    let reference = recorded
        .trim_start_matches("/demoville/backoffice/requests/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(file_of(&reference), file_a);
    assert_eq!(all(&paul.view(&file_a), "request").len(), 4);
    // An unknown service or channel is the plain intake page.
    let plain = paul.get(&format!(
        "/demoville/backoffice/intake?person={id_a}&channel=pigeon&service=road-incident"
    ));
    assert_eq!(plain.status, 200);
    audit_ok(&server);
}

/// Submits `count` road incidents through the real submit path, a few at
/// a time; their references.
fn many_road_incidents(server: &Server, count: usize) {
    use guichet::core::intake::{Channel, Submission};
    let site = server.app.site("demoville").unwrap();
    let service = site.tenant.service("road-incident").unwrap().clone();
    let today = jiff::civil::date(2026, 11, 22);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut left = count;
        while left > 0 {
            let now = left.min(50);
            left -= now;
            let tasks: Vec<_> = (0..now)
                .map(|_| {
                    let (app, site, service) = (
                        std::sync::Arc::clone(&server.app),
                        std::sync::Arc::clone(&site),
                        service.clone(),
                    );
                    tokio::spawn(async move {
                        let submission = Submission {
                            channel: Channel::Web,
                            lang: "fr".into(),
                            entries: guichet::core::example::example(&service, today, None),
                            citizen_id: None,
                            recorded_by: None,
                            inbound: None,
                        };
                        guichet::usecases::submit::submit(&app, &site, &service, &submission)
                            .await
                            .map(|_| ())
                            .map_err(|e| format!("{e:?}"))
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap().unwrap();
            }
        }
    });
}

#[test]
fn a_large_export_runs_in_the_background_and_is_offered_to_its_agent_until_it_expires() {
    use calamine::{Reader, Xlsx};
    let server = Server::start();
    let many = guichet::web::backoffice::AT_ONCE as usize + 20;
    many_road_incidents(&server, many);
    submit(&server, BIRTH);
    let rt = runtime();
    let tenant = server.app.site("demoville").unwrap().tenant.id;
    let files_of_requests = rt.block_on(server.app.store.kept_blobs()).unwrap();
    let journal = |action: &str| {
        rt.block_on(server.app.store.journal(tenant, Some(action.into()), 10))
            .unwrap()
    };

    // A small export is written at once, and journaled without the
    // filters' free text.
    let marie = login(&server, "marie");
    let r = marie.get("/demoville/backoffice/export/requests.csv?state=all&q=Zoé");
    assert_eq!(r.status, 200);
    let downloaded = journal("export.downloaded");
    assert_eq!(downloaded.len(), 1);
    assert_eq!(downloaded[0].actor, "agent:marie");
    assert!(
        downloaded[0].detail.starts_with("0 demandes, csv"),
        "{}",
        downloaded[0].detail
    );
    assert!(
        !downloaded[0].detail.contains("Zoé"),
        "{}",
        downloaded[0].detail
    );

    let paul = login(&server, "paul");
    let page = "/demoville/backoffice/export?state=all&service=road-incident";
    let view = paul.view(page);
    let export = find(&view, "export").unwrap();
    assert_eq!(export.attr("total"), Some(many.to_string().as_str()));
    assert!(
        find(&view, "background").is_some(),
        "the page says it will wait"
    );
    let token = export.attr("token").unwrap().to_owned();
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");

    // Asked: queued, said so, listed; nothing written yet.
    let csv = [
        ("_token", token.as_str()),
        ("do", "download"),
        ("format", "csv"),
        ("column", "reference"),
        ("column", "requester"),
        ("column", "field:location"),
    ];
    let r = paul.post(page, &csv);
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.header("location").unwrap().to_owned();
    assert!(location.contains("queued="), "{location}");
    let view = paul.view(&location);
    assert!(find(&view, "notice").is_some());
    let job = find(&view, "job").unwrap();
    assert_eq!(job.attr("state"), Some("queued"));
    assert_eq!(job.attr("href"), None);
    let shown = paul.get(&format!("{location}&format=xml"));
    common::assert_valid(&xsd, &shown.body, "export with a job");
    assert_eq!(journal("export.queued").len(), 1);

    // The worker writes it: every request once, in the console's order.
    assert_eq!(
        rt.block_on(guichet::web::run_exports(&server.app)).unwrap(),
        1
    );
    let view = paul.view(page);
    let job = find(&view, "job").unwrap();
    assert_eq!(job.attr("state"), Some("ready"), "{:?}", find(&view, "why"));
    assert_eq!(job.attr("rows"), Some(many.to_string().as_str()));
    assert!(
        job.attr("until").unwrap().contains("23"),
        "{:?}",
        job.attr("until")
    );
    let href = job.attr("href").unwrap().to_owned();
    let r = paul.get(&href);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .contains("demandes-demoville-2026-11-22.csv")
    );
    assert!(r.bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(r.bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), many + 1);
    assert_eq!(lines[0], "Référence;Demandeur;Lieu de l'incident");
    let mut references: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(';').next().unwrap())
        .collect();
    references.sort();
    references.dedup();
    assert_eq!(references.len(), many, "each request once");
    let ends = journal("export.ready");
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0].actor, "system:exports");
    assert_eq!(journal("export.downloaded").len(), 2);

    // Another agent cannot take it, by its number or otherwise.
    assert_eq!(marie.get(&href).status, 404);
    assert_eq!(
        paul.get("/demoville/backoffice/export/files/999").status,
        404
    );

    // Two waiting at most per agent: the third is refused, said by the list.
    let xlsx = [
        ("_token", token.as_str()),
        ("do", "download"),
        ("format", "xlsx"),
        ("column", "reference"),
        ("column", "received"),
    ];
    assert_eq!(paul.post(page, &xlsx).status, 303);
    assert_eq!(paul.post(page, &csv).status, 303);
    let r = paul.post(page, &xlsx);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("deux exports"), "{}", r.body);
    assert_eq!(
        rt.block_on(guichet::web::run_exports(&server.app)).unwrap(),
        2
    );
    let view = paul.view(page);
    let jobs = all(&view, "job");
    assert_eq!(jobs.len(), 3);
    assert!(jobs.iter().all(|j| j.attr("state") == Some("ready")));
    let xlsx_href = jobs[1].attr("href").unwrap().to_owned();
    let r = paul.get(&xlsx_href);
    assert_eq!(r.status, 200);
    let mut book = Xlsx::new(std::io::Cursor::new(r.bytes.clone())).unwrap();
    let sheet = book.worksheet_range("Demandes").unwrap();
    assert_eq!(sheet.rows().count(), many + 1);

    // A day on: no longer offered; the retention run lets the blob go.
    server.advance_minutes(24 * 60 + 1);
    let paul = login(&server, "paul");
    assert_eq!(paul.get(&href).status, 410);
    let view = paul.view(page);
    assert!(
        all(&view, "job")
            .iter()
            .all(|j| j.attr("state") == Some("expired") && j.attr("href").is_none())
    );
    let kept = rt.block_on(server.app.store.kept_blobs()).unwrap();
    assert_eq!(
        kept.len(),
        files_of_requests.len() + 2,
        "the expired files (two CSV alike, one XLSX) are kept until the run"
    );
    rt.block_on(guichet::usecases::retention::run(&server.app))
        .unwrap();
    assert_eq!(
        rt.block_on(server.app.store.kept_blobs()).unwrap(),
        files_of_requests
    );
    audit_ok(&server);
}

/// The saved queries a statistics view lists: (name, who, sharing,
/// subscribed, editable).
fn saved_queries(view: &Element) -> Vec<(String, String, String, String, String)> {
    all(view, "query")
        .iter()
        .map(|q| {
            let a = |n: &str| q.attr(n).unwrap_or_default().to_owned();
            (
                q.text.clone(),
                a("who"),
                a("sharing"),
                a("subscribed"),
                a("editable"),
            )
        })
        .collect()
}

fn saved_id(view: &Element, name: &str) -> String {
    all(view, "query")
        .iter()
        .find(|q| q.text == name)
        .unwrap_or_else(|| panic!("a saved query {name}"))
        .attr("id")
        .unwrap()
        .to_owned()
}

#[test]
fn saved_queries_are_private_or_shared_with_a_department_and_reopen_with_the_figures_of_the_day() {
    let server = Server::start();
    for n in ["Un", "Deux"] {
        submit(&server, &road_incident(n));
    }
    submit(&server, BIRTH);
    add_reader(
        &server,
        "elu",
        &["voirie:stats"],
        Some("elu@demoville.example"),
    );
    add_reader(&server, "adjoint", &["voirie:stats"], None);
    add_reader(&server, "officier", &["etat-civil:stats"], None);
    let password = READER_PASSWORD;
    let elu = login_with(&server, "elu", password);
    let page = "/demoville/backoffice/stats";

    // One service, one breakdown: the tables of the other breakdowns go.
    let asked = format!("{page}?period=year&service=road-incident&group=channel");
    let view = elu.view(&asked);
    let ids: Vec<&str> = all(&view, "table")
        .iter()
        .filter_map(|t| t.attr("id"))
        .collect();
    assert_eq!(
        ids,
        [
            "summary", "months", "channel", "comments", "waiting", "outcomes", "words"
        ]
    );
    assert_eq!(figure(&view, "Demandes reçues"), "2");
    assert!(saved_queries(&view).is_empty());
    let token = find(&view, "stats")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    // The form that saves carries the page's query.
    let params: Vec<(String, String)> = all(&view, "param")
        .iter()
        .map(|p| {
            (
                p.attr("name").unwrap().into(),
                p.attr("value").unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        params,
        [
            ("period".to_owned(), "year".to_owned()),
            ("service".into(), "road-incident".into()),
            ("group".into(), "channel".into())
        ]
    );

    // No name: the page again, the message next to the field, nothing kept.
    let fields = |name: &'static str, share: &'static str| {
        vec![
            ("_token", token.clone()),
            ("do", "save".to_owned()),
            ("period", "year".to_owned()),
            ("service", "road-incident".to_owned()),
            ("group", "channel".to_owned()),
            ("name", name.to_owned()),
            ("share", share.to_owned()),
        ]
    };
    let post = |agent: &Agent, fields: &[(&str, String)]| {
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        agent.post(page, &f)
    };
    let refused = post(&elu, &fields("   ", ""));
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("Donnez un nom à la requête."));
    assert!(refused.body.contains("aria-invalid=\"true\""));
    let site = server.app.site("demoville").unwrap();
    let stored = || {
        runtime()
            .block_on(server.app.store.saved_queries(site.tenant.id))
            .unwrap()
    };
    assert!(stored().is_empty());

    // Saved private, then one shared with the roads department; a share
    // with a department she may not read is private.
    let saved = post(&elu, &fields("Signalements de l'année", ""));
    assert_eq!(saved.status, 303, "{}", saved.body);
    let location = saved.header("location").unwrap().to_owned();
    assert!(
        location.contains("saved=") && location.contains("done=saved"),
        "{location}"
    );
    assert_eq!(post(&elu, &fields("Voirie partagée", "voirie")).status, 303);
    assert_eq!(
        post(&elu, &fields("Pas chez moi", "etat-civil")).status,
        303
    );
    let mut kept: Vec<(String, Option<String>)> = stored()
        .into_iter()
        .map(|q| (q.name, q.shared_with))
        .collect();
    kept.sort();
    assert_eq!(
        kept,
        [
            ("Pas chez moi".to_owned(), None),
            ("Signalements de l'année".to_owned(), None),
            ("Voirie partagée".to_owned(), Some("voirie".to_owned())),
        ]
    );
    let view = elu.view(&location);
    assert!(view_text(&view).contains("Requête enregistrée."));
    assert_eq!(
        saved_queries(&view),
        [
            (
                "Pas chez moi".into(),
                "à vous".into(),
                "privée".into(),
                "false".into(),
                "true".into()
            ),
            (
                "Signalements de l'année".into(),
                "à vous".into(),
                "privée".into(),
                "false".into(),
                "true".into()
            ),
            (
                "Voirie partagée".into(),
                "à vous".into(),
                "partagée avec Voirie".into(),
                "false".into(),
                "true".into()
            ),
        ]
    );
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    common::assert_valid(
        &xsd,
        &elu.get(&format!("{location}&format=xml")).body,
        "stats",
    );

    // Another reader of the roads sees the shared one, not the private
    // ones; état civil's reader sees none; may not remove it.
    let adjoint = login_with(&server, "adjoint", password);
    let view = adjoint.view(page);
    assert_eq!(
        saved_queries(&view),
        [(
            "Voirie partagée".into(),
            "de elu".into(),
            "partagée avec Voirie".into(),
            "false".into(),
            "false".into()
        )]
    );
    let shared = saved_id(&view, "Voirie partagée");
    let adjoint_token = find(&view, "stats")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    assert_eq!(
        adjoint
            .post(
                page,
                &[
                    ("_token", &adjoint_token),
                    ("do", "delete"),
                    ("query", &shared)
                ]
            )
            .status,
        403
    );
    let officier = login_with(&server, "officier", password);
    assert!(saved_queries(&officier.view(page)).is_empty());
    // Nor can she act on it by its number.
    let officier_token = find(&officier.view(page), "stats")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    assert_eq!(
        officier
            .post(
                page,
                &[
                    ("_token", &officier_token),
                    ("do", "subscribe"),
                    ("query", &shared)
                ]
            )
            .status,
        404
    );

    // Reopened later, it gives the figures of that day.
    let view = elu.view(page);
    let private = saved_id(&view, "Signalements de l'année");
    let href = all(&view, "query")
        .iter()
        .find(|q| q.text == "Signalements de l'année")
        .unwrap()
        .attr("href")
        .unwrap()
        .to_owned();
    submit(&server, &road_incident("Trois"));
    let reopened = elu.view(&href);
    assert_eq!(figure(&reopened, "Demandes reçues"), "3");
    let current: Vec<&str> = all(&reopened, "query")
        .iter()
        .filter(|q| q.attr("current") == Some("true"))
        .map(|q| q.text.as_str())
        .collect();
    assert_eq!(current, ["Signalements de l'année"]);
    let stats = find(&reopened, "stats").unwrap();
    assert_eq!(stats.attr("period"), Some("year"));

    // Subscribed, then not; the adjoint has no address: no button.
    let subscribe = |what: &str, id: &str| {
        let r = elu.post(page, &[("_token", &token), ("do", what), ("query", id)]);
        assert_eq!(r.status, 303, "{what}: {}", r.body);
        elu.view(r.header("location").unwrap())
    };
    let view = subscribe("subscribe", &private);
    assert!(view_text(&view).contains("le rapport vous sera envoyé le 1er de chaque mois"));
    let subscribed: Vec<String> = saved_queries(&view)
        .into_iter()
        .filter(|q| q.3 == "true")
        .map(|q| q.0)
        .collect();
    assert_eq!(subscribed, ["Signalements de l'année"]);
    let q = stored()
        .into_iter()
        .find(|q| q.name == "Signalements de l'année")
        .unwrap();
    assert_eq!(q.subscribers, ["elu"]);
    subscribe("unsubscribe", &private);
    assert!(stored().iter().all(|q| q.subscribers.is_empty()));
    assert_eq!(
        find(&adjoint.view(page), "saved").unwrap().attr("email"),
        Some("false")
    );

    // The administrator sees what is shared, and may remove it.
    let admin = login(&server, "admin");
    let view = admin.view(page);
    assert_eq!(
        saved_queries(&view)
            .into_iter()
            .map(|q| q.0)
            .collect::<Vec<_>>(),
        ["Voirie partagée"]
    );
    let admin_token = find(&view, "stats")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let gone = admin.post(
        page,
        &[
            ("_token", &admin_token),
            ("do", "delete"),
            ("query", &shared),
        ],
    );
    assert_eq!(gone.status, 303);
    assert_eq!(stored().len(), 2);
    assert!(saved_queries(&adjoint.view(page)).is_empty());
}

/// Every text of a view, for looking a message up.
fn view_text(e: &Element) -> String {
    let mut s = e.text.clone();
    for c in &e.children {
        s.push(' ');
        s.push_str(&view_text(c));
    }
    s
}

/// A road incident at `street` (`postal`), with a point (`lat`, `lon`) when
/// given, submitted over SOAP; its reference.
fn road_at(
    server: &Server,
    last_name: &str,
    street: &str,
    postal: &str,
    point: Option<(&str, &str)>,
) -> String {
    let body = road_incident(last_name)
        .replace(
            "<g:street>12 rue de la République</g:street><g:postalCode>75002</g:postalCode>",
            &format!("<g:street>{street}</g:street><g:postalCode>{postal}</g:postalCode>"),
        )
        .replace(
            "<g:latitude>48.8686</g:latitude><g:longitude>2.3314</g:longitude>",
            &point.map_or_else(String::new, |(lat, lon)| {
                format!("<g:latitude>{lat}</g:latitude><g:longitude>{lon}</g:longitude>")
            }),
        );
    submit(server, &body).0
}

#[test]
fn a_towns_places_put_requests_in_districts_for_the_console_the_map_statistics_and_exports() {
    let server = Server::start();
    // The demo town's places.toml: Centre-ville and the Gare in the north,
    // Les Prés and Le Moulin in the south, postal code 59000.
    let by_point = road_at(
        &server,
        "Point",
        "rue Nationale",
        "59000",
        Some(("50.640", "3.070")),
    );
    let by_street = road_at(&server, "Rue", "4 av. de la Gare", "59000", None);
    let centre = road_at(&server, "Centre", "12 Rue de la Republique", "59000", None);
    let south = road_at(
        &server,
        "Sud",
        "3 rue du Moulin",
        "59000",
        Some(("50.615", "3.070")),
    );
    let elsewhere = road_at(&server, "Ailleurs", "4 avenue de la Gare", "75001", None);
    let birth = submit(&server, BIRTH).0;
    let admin = login(&server, "admin");

    // The console's filters by sector and district.
    let view = admin.view("/demoville/backoffice/");
    let options = |name: &str| -> Vec<String> {
        all(&view, "filter")
            .into_iter()
            .find(|f| f.attr("name") == Some(name))
            .unwrap_or_else(|| panic!("a {name} filter"))
            .children_named("option")
            .map(|o| o.text.clone())
            .collect()
    };
    assert_eq!(options("sector"), ["Tous", "Nord", "Sud"]);
    assert_eq!(
        options("district"),
        [
            "Tous",
            "Centre-ville",
            "Quartier de la Gare",
            "Les Prés",
            "Le Moulin"
        ]
    );
    let listed = |query: &str| {
        let mut refs = console_refs(&admin, &format!("state=all&{query}"));
        refs.sort();
        refs
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        listed("district=gare"),
        sorted(vec![by_point.clone(), by_street.clone()])
    );
    assert_eq!(listed("district=centre"), vec![centre.clone()]);
    assert_eq!(
        listed("sector=Nord"),
        sorted(vec![by_point.clone(), by_street.clone(), centre.clone()])
    );
    assert_eq!(listed("sector=Sud"), vec![south.clone()]);
    assert!(listed("sector=Sud&district=gare").is_empty());
    assert_eq!(
        listed("district=nowhere").len(),
        6,
        "an unknown district is no filter"
    );
    // The request's page says where it is.
    let page = admin.request(&by_point);
    assert_eq!(
        find(&page, "district").map(|d| d.text.clone()).as_deref(),
        Some("Quartier de la Gare (secteur Nord)")
    );
    assert!(find(&admin.request(&elsewhere), "district").is_none());
    assert!(find(&admin.request(&birth), "district").is_none());

    // The map: the chosen requests with a point over the outlines.
    let map_view = admin.view("/demoville/backoffice/map?state=all");
    let map = find(&map_view, "map").unwrap();
    assert_eq!(
        (map.attr("chosen"), map.attr("located"), map.attr("drawn")),
        (Some("6"), Some("2"), Some("2"))
    );
    assert_eq!(all(&map_view, "area").len(), 4);
    let marks: Vec<&str> = all(&map_view, "mark")
        .iter()
        .map(|m| m.attr("reference").unwrap())
        .collect();
    assert_eq!(
        sorted(marks.iter().map(|m| m.to_string()).collect()),
        sorted(vec![by_point.clone(), south.clone()])
    );
    // North up: the southern request is drawn lower.
    let y = |r: &str| -> f64 {
        all(&map_view, "mark")
            .into_iter()
            .find(|m| m.attr("reference") == Some(r))
            .unwrap()
            .attr("y")
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(y(&south) > y(&by_point));
    assert!(map.attr("console").unwrap().contains("state=all"));
    let south_only = admin.view("/demoville/backoffice/map?state=all&sector=Sud");
    assert_eq!(find(&south_only, "map").unwrap().attr("located"), Some("1"));
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    for path in [
        "/demoville/backoffice/map?state=all&format=xml",
        "/demoville/backoffice/?format=xml",
    ] {
        common::assert_valid(&xsd, &admin.get(path).body, path);
    }
    common::assert_valid(
        &xsd,
        &admin
            .get(&format!(
                "/demoville/backoffice/requests/{by_point}?format=xml"
            ))
            .body,
        "request with its district",
    );
    let html = admin.get("/demoville/backoffice/map?state=all");
    assert_eq!(html.status, 200);
    assert!(
        html.body.contains("<svg") && html.body.contains("<polygon"),
        "{}",
        html.body
    );
    // Marie, of état civil, sees no road incident on it.
    let marie = login(&server, "marie");
    let hers = marie.view("/demoville/backoffice/map?state=all");
    assert_eq!(find(&hers, "map").unwrap().attr("located"), Some("0"));

    // Statistics by district and by sector.
    let stats = admin.view("/demoville/backoffice/stats?period=year");
    let count = |table: &str, label: &str| -> String {
        stats_rows(&stats, table)
            .into_iter()
            .find(|r| r[0] == label)
            .unwrap_or_else(|| panic!("{label} in {table}: {:?}", stats_rows(&stats, table)))[1]
            .clone()
    };
    assert_eq!(count("district", "Quartier de la Gare"), "2");
    assert_eq!(count("district", "Centre-ville"), "1");
    assert_eq!(count("district", "Le Moulin"), "1");
    assert_eq!(count("district", "Hors quartier ou sans adresse"), "2");
    assert_eq!(count("sector", "Nord"), "3");
    assert_eq!(count("sector", "Sud"), "1");

    // Exports say the district.
    let csv = admin.get("/demoville/backoffice/export/requests.csv?state=all&district=gare&columns=reference,district");
    assert_eq!(csv.status, 200);
    let text = String::from_utf8_lossy(&csv.bytes).into_owned();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.contains(&format!("{by_street};Quartier de la Gare")),
        "{text}"
    );

    // The town moves the Gare's avenue to the centre: new requests follow
    // at once, stored ones once `guichet places` runs.
    let site = server.app.site("demoville").unwrap();
    let file = site.look.dir().join("places.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let moved = text.replace("\"avenue de la Gare\", ", "").replace(
        "\"place de la Mairie\",",
        "\"place de la Mairie\", \"avenue de la Gare\",",
    );
    assert_ne!(moved, text);
    std::fs::write(&file, moved).unwrap();
    site.look.refresh();
    let after = road_at(&server, "Après", "6 avenue de la Gare", "59000", None);
    assert!(listed("district=centre").contains(&after));
    assert!(
        listed("district=gare").contains(&by_street),
        "not yet placed again"
    );
    let out = common::cli(&server.data_dir)
        .args(["places", "--tenant", "demoville", "--data-dir"])
        .arg(&server.data_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("7 requests read, 5 in a district, 1 changed"),
        "{said}"
    );
    assert_eq!(listed("district=gare"), vec![by_point.clone()]);
    assert!(listed("district=centre").contains(&by_street));
    audit_ok(&server);
}

#[test]
fn the_same_persons_requests_gather_in_one_file_by_email_or_phone_whatever_the_channel() {
    let server = Server::start();
    let with_phone = |last: &str, email: Option<&str>, phone: &str| {
        let contact = match email {
            Some(e) => format!("<g:email>{e}</g:email><g:phone>{phone}</g:phone>"),
            None => format!("<g:phone>{phone}</g:phone>"),
        };
        let body = road_incident(last).replace("<g:email>zoe@example.fr</g:email>", &contact);
        submit(&server, &body).0
    };
    // Over SOAP with an address and a phone, then the phone alone written
    // otherwise, then the address alone with another name: one file.
    let first = with_phone("Fichée", Some("zoe.fichee@example.fr"), "06 12 34 56 78");
    let by_phone = with_phone("Fichée", None, "+33 6 12 34 56 78");
    let by_email = with_phone("Autrement", Some("Zoe.Fichee@example.fr"), "01 02 03 04 05");
    // The web form, another channel, same address.
    let page = server.get("/demoville/services/road-incident").body;
    let key = r#"name="_token" value=""#;
    let at = page.find(key).expect("a token") + key.len();
    let token = page[at..at + page[at..].find('"').unwrap()].to_owned();
    let fields: Vec<(&str, &str)> = road_form(&token)
        .into_iter()
        .map(|(k, v)| {
            if k == "requester.email" {
                (k, "zoe.fichee@example.fr")
            } else {
                (k, v)
            }
        })
        .collect();
    let (content_type, body) = multipart_files(&fields, &[]);
    let sent = post_typed(
        &server,
        "/demoville/services/road-incident",
        "",
        &content_type,
        &body,
        "Sec-Fetch-Site: same-origin\r\n",
    );
    let location = sent
        .header("location")
        .expect("to the acknowledgement")
        .to_owned();
    let receipt = server.get(&format!("{location}?format=xml"));
    let by_web =
        common::element_attr(&receipt.body, "receipt", "reference").expect("its reference");
    // A birth certificate (état civil) by the same address, and someone else.
    let birth = submit(
        &server,
        &BIRTH.replace("jean.dupont@example.fr", "zoe.fichee@example.fr"),
    )
    .0;
    let other = with_phone("Autre", Some("autre@example.fr"), "07 00 00 00 01");

    let admin = login(&server, "admin");
    let file_of = |reference: &str| -> String {
        find(&admin.request(reference), "requester-file")
            .unwrap_or_else(|| panic!("{reference} has a file"))
            .attr("href")
            .unwrap()
            .to_owned()
    };
    let file = file_of(&first);
    for r in [&by_phone, &by_email, &by_web, &birth] {
        assert_eq!(file_of(r), file, "{r} in the same file");
    }
    assert_ne!(file_of(&other), file);
    let view = admin.view(&file);
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    common::assert_valid(
        &xsd,
        &admin.get(&format!("{file}?format=xml")).body,
        "a file",
    );
    let person = find(&view, "person").unwrap();
    assert_eq!(find(person, "name").unwrap().text, "Zoé Fichée");
    assert_eq!(find(person, "email").unwrap().text, "zoe.fichee@example.fr");
    assert_eq!(find(person, "phone").unwrap().text, "0612345678");
    assert_eq!(person.attr("account"), Some("false"));
    let listed: Vec<&str> = all(&view, "request")
        .iter()
        .map(|r| r.attr("reference").unwrap())
        .collect();
    assert_eq!(listed.len(), 5, "{listed:?}");
    assert_eq!(listed[0], birth, "newest first");
    let channels: Vec<&str> = all(&view, "channel")
        .iter()
        .map(|c| c.attr("code").unwrap())
        .collect();
    assert!(
        channels.contains(&"soap") && channels.contains(&"web"),
        "{channels:?}"
    );
    // Paul (roads) reads the roads' requests; the birth certificate is only counted.
    let paul = login(&server, "paul");
    let his = paul.view(&file);
    assert_eq!(all(&his, "request").len(), 4);
    assert_eq!(
        find(&his, "person-file").unwrap().attr("elsewhere"),
        Some("1")
    );
    // Found by name, whatever the accents, and by phone however written.
    let found = |q: &str| -> Vec<String> {
        let v = admin.view(&format!("/demoville/backoffice/people?q={q}"));
        all(&v, "person")
            .iter()
            .map(|p| p.attr("href").unwrap().to_owned())
            .collect()
    };
    assert_eq!(found("fichee"), vec![file.clone()]);
    assert_eq!(found("06.12.34.56"), vec![file.clone()]);
    assert!(found("personne-inconnue").is_empty());
    common::assert_valid(
        &xsd,
        &admin
            .get("/demoville/backoffice/people?q=fichee&format=xml")
            .body,
        "a search",
    );
    // Unknown files are 404, another town's too; the intake's agents only.
    assert_eq!(admin.get("/demoville/backoffice/people/999999").status, 404);
    assert_eq!(admin.get("/demoville/backoffice/people/abc").status, 404);

    // Requests stored before the file existed are filed by `guichet
    // people`, by the same rules: one file again for all five.
    common::backend::forget_files(&server.data_dir);
    assert!(find(&admin.request(&first), "requester-file").is_none());
    let people = || {
        let out = common::cli(&server.data_dir)
            .args(["people", "--tenant", "demoville", "--data-dir"])
            .arg(&server.data_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let said = people();
    assert!(said.contains("demoville: 6 requests joined"), "{said}");
    let file = file_of(&first);
    for r in [&by_phone, &by_email, &by_web, &birth] {
        assert_eq!(file_of(r), file, "{r} in the same file again");
    }
    assert_ne!(file_of(&other), file);
    assert!(people().contains("demoville: 0 requests joined"), "once");
}
