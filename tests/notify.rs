//! Notifications end to end, against a real SMTP server (Python aiosmtpd,
//! started by each test) and a local HTTP server playing the SMS provider:
//! the acknowledgement and the news of each step, agents' notices, SMS,
//! failures and retries, reminders and escalations as the clock moves, and a
//! crash between writing a message and sending it.

mod common;

use common::sms::SmsDouble;
use common::smtp::{Smtp, free_port};
use common::{Server, TempDir, envelope11, runtime};
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

const BIRTH: &str = "<g:SubmitBirthCertificateRequest><g:requester><g:firstName>Jean</g:firstName><g:lastName>Dupont</g:lastName><g:email>jean.dupont@example.fr</g:email><g:phone>06 12 34 56 78</g:phone><g:smsUpdates>true</g:smsUpdates></g:requester><g:actType>integral</g:actType><g:requesterRelation>self</g:requesterRelation><g:personLastName>Dupont</g:personLastName><g:personFirstNames>Jean</g:personFirstNames><g:birthDate>1980-02-29</g:birthDate><g:birthPlace>Démoville</g:birthPlace><g:motherName>Martin Anne</g:motherName><g:copies>1</g:copies><g:deliveryMode>post</g:deliveryMode></g:SubmitBirthCertificateRequest>";

/// A server with the demo tenant, its settings given an SMS provider and a
/// sender, sending mail through `smtp`.
fn server(smtp: &str, sms: Option<&SmsDouble>) -> Server {
    let dir = TempDir::new();
    let tenant = dir.0.join("tenants/demoville");
    std::fs::create_dir_all(&tenant).unwrap();
    let mut settings = format!(
        "{}\n[mail]\nfrom = \"Mairie de Démoville <ne-pas-repondre@demoville.example>\"\nreply_to = \"accueil@demoville.example\"\n",
        guichet::tenant::look::DEMO_SETTINGS
    );
    if let Some(sms) = sms {
        settings.push_str(&format!(
            "\n[sms]\nurl = \"http://127.0.0.1:{}/v1/sms\"\nauth = \"bearer jeton-secret\"\nsender = \"Demoville\"\n",
            sms.port
        ));
    }
    std::fs::write(tenant.join("settings.toml"), settings).unwrap();
    let smtp = smtp.to_owned();
    let mut server = Server::start_configured(&dir.0, Default::default(), move |app| {
        app.config.smtp = Some(smtp);
        app.message_url = "https://guichet.demoville.example".into();
    });
    server.keep(dir);
    server
}

fn submit(server: &Server, body: &str) -> (String, String) {
    let r = server.soap11(&envelope11(body));
    assert_eq!(r.status, 200, "{}", r.body);
    (
        r.element("reference").unwrap(),
        r.element("trackingCode").unwrap(),
    )
}

/// Moves a request with the engine and the store, as an agent would.
fn act(server: &Server, reference: &str, login: &str, command: guichet::core::workflow::Command) {
    let rt = runtime();
    let site = server.app.site("demoville").unwrap();
    let reference = guichet::core::tracking::Reference::parse(reference).unwrap();
    let item = rt
        .block_on(server.app.store.work_item(site.tenant.id, reference))
        .unwrap()
        .unwrap();
    let agent = rt
        .block_on(server.app.store.agent(site.tenant.id, login.into()))
        .unwrap()
        .unwrap();
    let service = site
        .tenant
        .service_version(&item.record.service_code, item.record.service_version)
        .unwrap();
    let now = (server.app.clock)();
    let outcome = guichet::core::workflow::apply(
        service,
        &item.state,
        &agent.agent,
        command,
        &site.department_codes(),
        now,
    )
    .unwrap();
    rt.block_on(
        server
            .app
            .store
            .apply(site.tenant.id, reference, item.revision, outcome, now),
    )
    .unwrap();
}

fn take(action: &str) -> guichet::core::workflow::Command {
    guichet::core::workflow::Command::Act {
        action: action.into(),
        comment: None,
    }
}

/// A request's deliveries, through the store.
fn deliveries(server: &Server, reference: &str) -> Vec<guichet::store::DeliveryRecord> {
    let tenant = server.app.site("demoville").unwrap().tenant.id;
    let reference = guichet::core::tracking::Reference::parse(reference).unwrap();
    runtime()
        .block_on(server.app.store.deliveries(tenant, Some(reference)))
        .unwrap()
}

fn outbox(server: &Server) -> (usize, usize) {
    runtime()
        .block_on(guichet::notify::run_outbox(&server.app))
        .unwrap()
}

#[test]
fn the_citizen_is_acknowledged_then_told_of_each_step_by_email_and_sms() {
    let smtp = Smtp::start();
    let sms = SmsDouble::start();
    let server = server(&smtp.url(), Some(&sms));
    let (reference, code) = submit(&server, BIRTH);
    // Nothing is sent by the request itself: the worker sends.
    assert!(smtp.messages().is_empty());
    assert_eq!(
        outbox(&server),
        (2, 4),
        "acknowledgement (e-mail, SMS) + 2 agents"
    );

    let ack = smtp.to("jean.dupont@example.fr");
    assert_eq!(ack.len(), 1, "{ack:?}");
    let ack = &ack[0];
    assert_eq!(
        ack.subject,
        format!("Votre demande {reference} est enregistrée")
    );
    assert!(ack.from.contains("ne-pas-repondre@demoville.example"));
    assert_eq!(ack.reply_to, "accueil@demoville.example");
    assert!(ack.text.starts_with("Bonjour Jean Dupont,"), "{}", ack.text);
    assert!(ack.text.contains("Demande de copie d'acte de naissance"));
    assert!(
        ack.text.contains("au plus tard le 2 décembre 2026"),
        "{}",
        ack.text
    );
    assert!(ack.text.contains(&code), "the tracking code");
    let link = format!("https://guichet.demoville.example/demoville/track/{code}");
    assert!(ack.text.contains(&link));
    assert!(
        ack.html.contains(&format!("<a href=\"{link}\">")),
        "{}",
        ack.html
    );
    assert!(ack.message_id.contains("@guichet"));
    // In the town's colours, with its name and site.
    assert!(
        ack.html.contains("background: #000091") && ack.html.contains(">Ville de Démoville</div>"),
        "{}",
        ack.html
    );
    assert!(
        ack.html
            .contains(r#"<a href="https://www.demoville.example""#)
    );

    // The department's agents (with an e-mail address) hear of it.
    for agent in ["marie@demoville.example", "jean@demoville.example"] {
        let got = smtp.to(agent);
        assert_eq!(got.len(), 1, "{agent}");
        assert_eq!(
            got[0].subject,
            format!("Nouvelle demande {reference} : Demande de copie d'acte de naissance")
        );
        assert!(got[0].text.contains(&format!(
            "https://guichet.demoville.example/demoville/backoffice/requests/{reference}"
        )));
    }
    assert!(
        smtp.to("paul@demoville.example").is_empty(),
        "not the roads department"
    );

    // One SMS, through the provider's API.
    let bodies = sms.bodies();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(
        bodies[0].contains(r#""to": "+33612345678""#),
        "{}",
        bodies[0]
    );
    assert!(bodies[0].contains(r#""from": "Demoville""#));
    assert!(bodies[0].contains(&format!("demande {reference} enregistrée")));
    let head = sms.received.lock().unwrap()[0].0.clone();
    assert!(head.contains("Bearer jeton-secret"), "{head}");

    // The tracking code is not kept once sent.
    let kept = common::backend::tracking_code_copies(&server.data_dir, &code);
    assert_eq!(kept, 0);

    // Each citizen-visible step is news, once.
    act(&server, &reference, "marie", take("take"));
    let o = outbox(&server);
    assert_eq!(o, (1, 2));
    let news = smtp.to("jean.dupont@example.fr");
    assert_eq!(news.len(), 2);
    let step = news
        .iter()
        .find(|m| m.subject.contains("Prise en charge"))
        .expect("the step news");
    assert_eq!(
        step.subject,
        format!("Votre demande {reference} : Prise en charge par le service État civil")
    );
    assert_eq!(sms.bodies().len(), 2);
    // An answer goes out as written.
    act(
        &server,
        &reference,
        "marie",
        guichet::core::workflow::Command::Answer {
            text: "Votre acte sera prêt jeudi.".into(),
        },
    );
    assert_eq!(outbox(&server), (1, 2));
    let answer = smtp
        .to("jean.dupont@example.fr")
        .into_iter()
        .find(|m| m.subject.starts_with("Réponse"))
        .unwrap();
    assert!(answer.text.contains("Votre acte sera prêt jeudi."));
    // Nothing is sent twice.
    assert_eq!(outbox(&server), (0, 0));
    assert_eq!(smtp.messages().len(), 1 + 2 + 1 + 1);
}

#[test]
fn failures_are_retried_with_growing_waits_then_given_up_and_shown() {
    // No SMTP server listens here at first.
    let port = free_port();
    let sms = SmsDouble::start();
    *sms.status.lock().unwrap() = 503;
    let server = server(&format!("smtp://127.0.0.1:{port}"), Some(&sms));
    let (reference, _) = submit(&server, BIRTH);
    assert_eq!(outbox(&server), (2, 0));
    let citizen = ["jean.dupont@example.fr", "+33612345678"];
    let state = || -> Vec<(String, String, i64, i64, Option<String>)> {
        let mut list: Vec<_> = deliveries(&server, &reference)
            .into_iter()
            .filter(|d| citizen.contains(&d.address.as_str()))
            .map(|d| {
                let attempts = i64::from(d.attempts);
                (
                    d.channel,
                    d.state,
                    attempts,
                    d.next_attempt_at,
                    d.last_error,
                )
            })
            .collect();
        list.sort();
        list
    };
    let now = (server.app.clock)().as_second();
    let s = state();
    assert_eq!(s[0].0, "email");
    assert_eq!((s[0].1.as_str(), s[0].2, s[0].3), ("pending", 1, now + 30));
    assert!(s[0].4.as_deref().unwrap().contains("SMTP"), "{s:?}");
    assert_eq!((s[1].1.as_str(), s[1].2), ("pending", 1));
    assert!(s[1].4.as_deref().unwrap().contains("HTTP 503"), "{s:?}");
    // Not retried before its time.
    assert_eq!(outbox(&server), (0, 0));
    assert_eq!(state()[0].2, 1);
    // The SMTP server comes up; after the wait, the message goes.
    let smtp = Smtp::start_on(port);
    server.advance_minutes(1);
    let (_, sent) = outbox(&server);
    assert_eq!(sent, 3, "the acknowledgement and the 2 agents' notices");
    assert_eq!(smtp.to("jean.dupont@example.fr").len(), 1);
    // The SMS provider keeps failing: given up after 8 attempts, shown.
    for _ in 0..10 {
        server.advance_minutes(61);
        outbox(&server);
    }
    let s = state();
    assert_eq!((s[1].1.as_str(), s[1].2), ("failed", 8));
    assert_eq!(sms.bodies().len(), 8);
    let rt = runtime();
    let site = server.app.site("demoville").unwrap();
    let failed = rt
        .block_on(server.app.store.deliveries(site.tenant.id, None))
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].reference.unwrap().to_string(), reference);
    assert!(failed[0].last_error.as_deref().unwrap().contains("503"));
    // Agents see it: on the admin page, and on the request's page.
    let cookie = login(&server, "admin");
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    for (path, needle) in [
        ("/demoville/backoffice/admin".to_owned(), "<failures>"),
        (
            format!("/demoville/backoffice/requests/{reference}"),
            "<deliveries>",
        ),
    ] {
        let view = get(&server, &format!("{path}?format=xml"), &cookie);
        assert_eq!(view.status, 200, "{path}");
        assert!(view.body.contains(needle), "{path}: {}", view.body);
        assert!(view.body.contains("HTTP 503"), "{path}: the error is shown");
        common::assert_valid(&xsd, &view.body, &path);
        let page = get(&server, &path, &cookie);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(page.body.contains("+33612345678"));
    }
    // The provider is fixed; an administrator sends the failed ones again.
    *sms.status.lock().unwrap() = 200;
    let admin = get(&server, "/demoville/backoffice/admin?format=xml", &cookie);
    let r = post(
        &server,
        "/demoville/backoffice/admin/deliveries",
        &cookie,
        &[("_token", &token_in(&admin.body))],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.header("location"),
        Some("/demoville/backoffice/admin?retried=1")
    );
    assert_eq!(outbox(&server), (0, 1), "sent at once");
    assert_eq!(sms.bodies().len(), 9);
    assert_eq!(state()[1].1, "sent");
    let page = get(&server, "/demoville/backoffice/admin?retried=1", &cookie);
    assert!(
        page.body.contains("Messages remis en envoi : 1."),
        "{}",
        page.body
    );
    assert!(!page.body.contains("+33612345678"), "no failure left");
}

fn get(server: &Server, path: &str, cookie: &str) -> common::HttpResponse {
    server.raw(
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
}

/// Logs an agent in through the login form; returns the session cookie.
fn login(server: &Server, login: &str) -> String {
    let page = server.get("/demoville/backoffice/login?format=xml");
    let r = post(
        server,
        "/demoville/backoffice/login",
        "",
        &[
            ("_token", &token_in(&page.body)),
            ("login", login),
            ("password", guichet::app::DEMO_PASSWORD),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    r.header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// The revision a request page's commands were decided on.
fn revision_in(view: &str) -> String {
    view.split("revision=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned()
}

/// The first anti-forgery token of a view.
fn token_in(view: &str) -> String {
    view.split("token=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned()
}

/// Posts a back-office form as a browser would, with the session `cookie`.
fn post(
    server: &Server,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> common::HttpResponse {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        body.append_pair(k, v);
    }
    let body = body.finish();
    server.raw(
        format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nCookie: {cookie}\r\nSec-Fetch-Site: same-origin\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
}

#[test]
fn reminders_at_66_percent_then_escalation_to_the_head_then_the_administrators() {
    let smtp = Smtp::start();
    let server = server(&smtp.url(), None);
    let (reference, _) = submit(&server, BIRTH);
    let watch = |server: &Server| {
        runtime()
            .block_on(guichet::notify::watch_deadlines(&server.app))
            .unwrap()
    };
    outbox(&server);
    let count = |subject: &str| {
        smtp.messages()
            .iter()
            .filter(|m| m.subject.starts_with(subject))
            .map(|m| m.to.clone())
            .collect::<Vec<_>>()
    };
    // Delay of 10 days from 22 November: 66 % is reached on day 7.
    server.advance_days(6);
    assert_eq!(watch(&server), 0);
    server.advance_days(1);
    assert_eq!(watch(&server), 1);
    assert_eq!(watch(&server), 0, "once");
    outbox(&server);
    let mut reminded = count("Rappel");
    reminded.sort();
    assert_eq!(
        reminded,
        ["jean@demoville.example", "marie@demoville.example"]
    );
    // Due 2 December; late from the 3rd: the department head (validator).
    server.advance_days(3);
    assert_eq!(watch(&server), 0, "due today is not late");
    server.advance_days(1);
    assert_eq!(watch(&server), 1);
    outbox(&server);
    assert_eq!(count("En retard"), ["marie@demoville.example"]);
    // Three days later the administrators.
    server.advance_days(2);
    assert_eq!(watch(&server), 0);
    server.advance_days(1);
    assert_eq!(watch(&server), 1);
    assert_eq!(watch(&server), 0);
    outbox(&server);
    assert_eq!(count("Toujours en retard"), ["admin@demoville.example"]);
    // Each notice is in the request's history, for agents only.
    let rt = runtime();
    let site = server.app.site("demoville").unwrap();
    let item = rt
        .block_on(server.app.store.work_item(
            site.tenant.id,
            guichet::core::tracking::Reference::parse(&reference).unwrap(),
        ))
        .unwrap()
        .unwrap();
    let notices: Vec<_> = item
        .events
        .iter()
        .filter(|e| e.action == "reminder" || e.action == "escalation")
        .collect();
    assert_eq!(notices.len(), 3);
    assert!(notices.iter().all(|e| !e.citizen_visible));
}

/// The release or debug binary serving `dir`, its outbox run every `outbox` seconds.
struct Guichet {
    child: Child,
    port: u16,
}

impl Guichet {
    fn start(dir: &Path, smtp: &str, outbox: u64) -> Guichet {
        let port = free_port();
        let child = common::cli(dir)
            .args(["serve", "--durability", "normal", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(dir)
            .args(["--smtp", smtp, "--outbox-seconds", &outbox.to_string()])
            .env("GUICHET_LOG", "warn")
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "guichet did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Guichet { child, port }
    }

    fn submit(&self) {
        let body = envelope11(BIRTH);
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "POST /demoville/soap HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let response = common::read_response(&mut stream);
        assert_eq!(response.status, 200, "{}", response.body);
    }

    /// Killed at once (SIGKILL): no clean shutdown.
    fn crash(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_crash_between_writing_and_sending_loses_nothing_and_sends_each_message_once() {
    let smtp = Smtp::start();
    let data = TempDir::new();
    // The outbox worker would only run in an hour: the server dies first.
    let first = Guichet::start(&data.0, &smtp.url(), 3600);
    first.submit();
    first.crash();
    assert!(smtp.messages().is_empty(), "nothing sent before the crash");
    let pending = {
        let store = common::open_store(&data.0);
        runtime()
            .block_on(store.pending_messages(100))
            .unwrap()
            .len()
    };
    assert_eq!(
        pending, 2,
        "the acknowledgement and the agents' notice were written with the request"
    );

    // Restarted, the worker sends them: the acknowledgement and two agents' notices.
    let second = Guichet::start(&data.0, &smtp.url(), 1);
    wait_for("three messages", || smtp.messages().len() >= 3);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(smtp.messages().len(), 3, "and nothing more");
    second.crash();
    // Once more, after another crash: nothing is sent again.
    let third = Guichet::start(&data.0, &smtp.url(), 1);
    std::thread::sleep(Duration::from_secs(3));
    third.crash();
    let messages = smtp.messages();
    assert_eq!(messages.len(), 3);
    let mut ids: Vec<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three different messages");
    assert_eq!(smtp.to("jean.dupont@example.fr").len(), 1);
}

#[test]
fn mail_goes_through_starttls_with_authentication() {
    let dir = TempDir::new();
    let (ca, cert, key) = common::certs::certificates(&dir.0);
    let maildir = dir.0.join("mail");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let port = free_port();
    let mut child = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/notify/smtp_server.py"))
        .arg(port.to_string())
        .arg(&maildir)
        .arg(&cert)
        .arg(&key)
        .args(["guichet", "mot-de-passe-smtp"])
        .spawn()
        .unwrap();
    wait_for("the TLS SMTP server", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let smtp = Smtp {
        child: Command::new("true").spawn().unwrap(),
        port,
        maildir,
        _dir: dir,
    };
    let url = format!("smtp://guichet:mot-de-passe-smtp@localhost:{port}?tls=required");
    let pem = std::fs::read(&ca).unwrap();
    let email = |to| guichet::notify::mail::Email {
        from: "Mairie <ne-pas-repondre@demoville.example>",
        reply_to: None,
        to,
        subject: "Essai",
        text: "Bonjour",
        html: None,
        message_id: "<essai@guichet>",
        enclosure: None,
        list_unsubscribe: None,
    };
    // Without the town's CA the server is not trusted; with a wrong password it refuses.
    let untrusted = guichet::notify::mail::send(&url, None, &email("a@example.fr"));
    assert!(untrusted.is_err(), "an unknown certificate is refused");
    let wrong = url.replace("mot-de-passe-smtp", "faux");
    let refused = guichet::notify::mail::send(&wrong, Some(&pem), &email("a@example.fr"))
        .unwrap_err()
        .to_string();
    assert!(
        !refused.contains("faux"),
        "the password never shows in errors: {refused}"
    );
    assert!(smtp.messages().is_empty());

    // Through a tenant's settings: STARTTLS, authentication, the town's CA.
    let data = TempDir::new();
    let tenant = data.0.join("tenants/demoville");
    std::fs::create_dir_all(&tenant).unwrap();
    std::fs::write(
        tenant.join("settings.toml"),
        format!(
            "{}\n[mail]\nfrom = \"Mairie de Démoville <ne-pas-repondre@demoville.example>\"\nsmtp = \"{url}\"\nca_file = \"{}\"\n",
            guichet::tenant::look::DEMO_SETTINGS,
            ca.display()
        ),
    )
    .unwrap();
    let mut server = Server::start_configured(&data.0, Default::default(), |_| {});
    server.keep(data);
    submit(&server, BIRTH);
    let (_, sent) = outbox(&server);
    assert_eq!(sent, 3, "acknowledgement and the two agents' notices");
    let got = smtp.to("jean.dupont@example.fr");
    assert_eq!(got.len(), 1);
    assert!(got[0].subject.contains("est enregistrée"));
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_department_head_named_by_an_administrator_is_told_first_when_a_request_is_late() {
    let smtp = Smtp::start();
    let server = server(&smtp.url(), None);
    let cookie = login(&server, "admin");
    let page = get(&server, "/demoville/backoffice/admin?format=xml", &cookie);
    let token = token_in(&page.body);
    let post = |fields: &[(&str, &str)]| {
        let mut all = vec![("_token", token.as_str())];
        all.extend_from_slice(fields);
        post(
            &server,
            "/demoville/backoffice/admin/departments",
            &cookie,
            &all,
        )
    };
    assert_eq!(post(&[("head-etat-civil", "personne")]).status, 400);
    let r = post(&[("head-etat-civil", "jean"), ("head-voirie", "")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = get(
        &server,
        "/demoville/backoffice/admin?format=xml&heads=1",
        &cookie,
    );
    assert!(
        page.body
            .contains("<department code=\"etat-civil\" head=\"jean\">"),
        "{}",
        page.body
    );
    let heads = get(&server, "/demoville/backoffice/admin?heads=1", &cookie);
    assert!(heads.body.contains("Responsables des services enregistrés"));
    assert!(
        heads.body.contains("<option value=\"jean\" selected>"),
        "the head is selected"
    );

    let (_reference, _) = submit(&server, BIRTH);
    outbox(&server);
    server.advance_days(11);
    let recorded = runtime()
        .block_on(guichet::notify::watch_deadlines(&server.app))
        .unwrap();
    assert_eq!(recorded, 2, "the reminder and the first escalation");
    outbox(&server);
    let late: Vec<String> = smtp
        .messages()
        .iter()
        .filter(|m| m.subject.starts_with("En retard"))
        .map(|m| m.to.clone())
        .collect();
    assert_eq!(
        late,
        ["jean@demoville.example"],
        "the head, not the validators"
    );
    let tenant = server.app.site("demoville").unwrap().tenant.id;
    let heads = runtime()
        .block_on(
            server
                .app
                .store
                .journal(tenant, Some("department-head".into()), 100),
        )
        .unwrap();
    let journalled = heads
        .iter()
        .filter(|e| e.subject == "department:etat-civil" && e.detail == "head: jean")
        .count();
    assert_eq!(
        journalled, 1,
        "one journal entry; the unchanged roads department has none"
    );
    assert_eq!(heads.len(), 1);
}

#[test]
fn without_a_mail_server_messages_wait_untried_and_go_once_one_is_configured() {
    let dir = TempDir::new();
    let tenant = dir.0.join("tenants/demoville");
    std::fs::create_dir_all(&tenant).unwrap();
    let settings = tenant.join("settings.toml");
    std::fs::write(&settings, guichet::tenant::look::DEMO_SETTINGS).unwrap();
    let mut server = Server::start_configured(&dir.0, Default::default(), |app| {
        app.message_url = "https://guichet.demoville.example".into();
    });
    server.keep(dir);
    let (reference, _) = submit(&server, BIRTH);
    let (expanded, sent) = outbox(&server);
    assert_eq!((expanded, sent), (2, 0));
    let untried = || -> usize {
        deliveries(&server, &reference)
            .iter()
            .filter(|d| d.state == "pending" && d.attempts == 0 && d.last_error.is_none())
            .count()
    };
    let waiting = untried();
    assert!(
        waiting >= 2,
        "the acknowledgement and the agents' notices wait, untried"
    );
    server.advance_minutes(120);
    assert_eq!(outbox(&server), (0, 0), "nothing is attempted");
    assert_eq!(untried(), waiting);
    // The administrator is told why, and what to set.
    let cookie = login(&server, "admin");
    let page = get(&server, "/demoville/backoffice/admin", &cookie);
    assert!(
        page.body
            .contains(&format!("{waiting} message(s) par e-mail attendent")),
        "{}",
        page.body
    );
    // The town names its mail server: no restart, the messages go.
    let smtp = Smtp::start();
    std::fs::write(
        &settings,
        format!(
            "{}\n[mail]\nsmtp = \"{}\"\n",
            guichet::tenant::look::DEMO_SETTINGS,
            smtp.url()
        ),
    )
    .unwrap();
    let mut sent = 0;
    for _ in 0..50 {
        sent += outbox(&server).1;
        if sent > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(sent, waiting, "every waiting message goes");
    assert_eq!(smtp.to("jean.dupont@example.fr").len(), 1);
    assert!(
        smtp.to("jean.dupont@example.fr")[0]
            .subject
            .contains(&reference)
    );
    let page = get(&server, "/demoville/backoffice/admin", &cookie);
    assert!(!page.body.contains("attendent"), "no warning left");
}

#[test]
fn an_administrator_rewords_messages_on_the_admin_page_and_the_next_ones_say_it() {
    let smtp = Smtp::start();
    let sms = SmsDouble::start();
    let server = server(&smtp.url(), Some(&sms));
    let file = server
        .app
        .site("demoville")
        .unwrap()
        .look
        .dir()
        .join("templates.toml");
    // The webmaster's file: its comment and table are kept.
    let webmaster = "# Relu par le service communication.\n[answer]\nsubject = \"Réponse de la mairie ({reference})\"\n";
    std::fs::write(&file, webmaster).unwrap();
    server.app.site("demoville").unwrap().look.refresh();
    let admin = login(&server, "admin");
    let audited = || {
        let reports = server.app.store.verify_audit().unwrap();
        assert!(reports.iter().all(|r| r.problem.is_none()), "{reports:?}");
        reports.iter().map(|r| r.entries).sum::<u64>()
    };
    let before = audited();

    let list = get(
        &server,
        "/demoville/backoffice/admin/templates?format=xml",
        &admin,
    );
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains(r#"name="answer" audience="citizen" href="/demoville/backoffice/admin/templates/answer" own="true""#), "{}", list.body);
    assert!(list.body.contains(r#"name="reminder" audience="agents""#));
    let ack = "/demoville/backoffice/admin/templates/acknowledgement/birth-certificate";
    let page = get(&server, &format!("{ack}?format=xml"), &admin);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains(r#"subject="Votre demande {reference} est enregistrée""#),
        "inherited wording shown"
    );
    let token = token_in(&page.body);

    // Refused, naming the field; nothing written.
    let text = "Bonjour {name},\n\nNous avons bien reçu votre demande d'acte ({numero}).\nCode de suivi : {tracking_code}\n{tracking_link}";
    let fields = |text: &'static str, action: &'static str| {
        vec![
            ("_token", token.clone()),
            (
                "subject",
                "Demande d'acte {reference} bien reçue".to_owned(),
            ),
            ("text", text.to_owned()),
            ("sms", String::new()),
            ("action", action.to_owned()),
        ]
    };
    let send = |path: &str, f: &[(&str, String)]| {
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        post(&server, path, &admin, &f)
    };
    let r = send(ack, &fields(text, "save"));
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.body
            .contains(r#"id="template-text-error">Variable inconnue : {numero}."#),
        "{}",
        r.body
    );
    assert!(r.body.contains(r#"aria-invalid="true""#));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), webmaster);

    // The preview fills an example; nothing written.
    let text = "Bonjour {name},\n\nNous avons bien reçu votre demande d'acte.\nCode de suivi : {tracking_code}\n{tracking_link}";
    let r = send(&format!("{ack}?format=xml"), &fields(text, "preview"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Bonjour Zoé Lefèvre,"), "{}", r.body);
    assert!(r.body.contains("-000123 bien reçue"), "{}", r.body);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), webmaster);

    // Saved: the acknowledgement of this service only, and no SMS for it.
    let r = send(ack, &fields(text, "save"));
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some(&*format!("{ack}?saved=1")));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.starts_with(webmaster), "{written}");
    assert!(
        written.contains("[birth-certificate.acknowledgement]"),
        "{written}"
    );
    assert!(
        !written.contains("[birth-certificate]\n"),
        "no empty parent table: {written}"
    );
    let reread: toml::Table = written.parse().unwrap();
    assert_eq!(
        reread["birth-certificate"]["acknowledgement"]["text"].as_str(),
        Some(text),
        "{written}"
    );
    assert_eq!(audited(), before + 1);
    // The news of one step, reworded for that step only.
    let step = "/demoville/backoffice/admin/templates/step/birth-certificate/taken";
    let r = send(
        step,
        &[
            ("_token", token.clone()),
            (
                "subject",
                "Votre demande {reference} est entre les mains de l'état civil".into(),
            ),
            (
                "text",
                "Bonjour {name},\n\nUn agent de l'état civil traite votre demande.\n\n{town}"
                    .into(),
            ),
            (
                "sms",
                "{town} : votre demande {reference} est prise en charge.".into(),
            ),
            ("action", "save".into()),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let list = get(
        &server,
        "/demoville/backoffice/admin/templates?format=xml",
        &admin,
    );
    assert!(
        list.body.contains(&format!(r#"<reworded href="{step}">"#)),
        "{}",
        list.body
    );

    let (reference, code) = submit(&server, BIRTH);
    outbox(&server);
    let mail = smtp.to("jean.dupont@example.fr");
    assert_eq!(mail.len(), 1);
    assert_eq!(
        mail[0].subject,
        format!("Demande d'acte {reference} bien reçue")
    );
    assert!(
        mail[0].text.contains(&format!("Code de suivi : {code}")),
        "{}",
        mail[0].text
    );
    assert!(
        sms.bodies().is_empty(),
        "no SMS for this acknowledgement: {:?}",
        sms.bodies()
    );
    act(&server, &reference, "marie", take("take"));
    outbox(&server);
    let news = smtp.to("jean.dupont@example.fr");
    assert!(
        news.iter().any(|m| m.subject
            == format!("Votre demande {reference} est entre les mains de l'état civil")),
        "{news:?}"
    );
    assert_eq!(sms.bodies().len(), 1);
    assert!(
        sms.bodies()[0].contains("est prise en charge"),
        "{:?}",
        sms.bodies()
    );

    // Back to the inherited wording: the file loses the table, keeps the rest.
    let before = audited();
    let r = send(
        ack,
        &[("_token", token.clone()), ("action", "reset".into())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some(&*format!("{ack}?reset=1")));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(!written.contains("acknowledgement"), "{written}");
    assert!(written.starts_with(webmaster));
    assert_eq!(audited(), before + 1);
    let (second, _) = submit(&server, BIRTH);
    outbox(&server);
    assert!(
        smtp.to("jean.dupont@example.fr")
            .iter()
            .any(|m| m.subject == format!("Votre demande {second} est enregistrée")),
        "the default acknowledgement again"
    );

    // A file the webmaster broke is never overwritten.
    std::fs::write(&file, "[answer\nsubject = ").unwrap();
    let r = send(ack, &fields(text, "save"));
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("templates.toml"), "{}", r.body);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "[answer\nsubject = "
    );

    // Unknown scopes, and agents who are not administrators.
    for path in [
        "/demoville/backoffice/admin/templates/no-such-template",
        "/demoville/backoffice/admin/templates/acknowledgement/no-such-service",
        "/demoville/backoffice/admin/templates/step/birth-certificate/no-such-step",
        "/demoville/backoffice/admin/templates/acknowledgement/birth-certificate/taken",
    ] {
        assert_eq!(get(&server, path, &admin).status, 404, "{path}");
    }
    let marie = login(&server, "marie");
    assert_eq!(get(&server, ack, &marie).status, 403);
    let marie_token = token_in(&get(&server, "/demoville/backoffice/?format=xml", &marie).body);
    let r = post(
        &server,
        ack,
        &marie,
        &[("_token", &marie_token), ("action", "reset")],
    );
    assert_eq!(r.status, 403);
}

#[test]
fn a_backlog_larger_than_a_run_goes_out_in_one_drain_several_at_a_time() {
    let smtp = Smtp::start();
    let sms = SmsDouble::start();
    let server = server(&smtp.url(), Some(&sms));
    // 40 requests: 40 acknowledgements by e-mail and by SMS, 80 notices to
    // the two civil-status agents — 160 deliveries, more than a run sends.
    let references: Vec<String> = (0..40).map(|_| submit(&server, BIRTH).0).collect();
    let (expanded, sent) = runtime()
        .block_on(guichet::notify::drain_outbox(&server.app))
        .unwrap();
    assert_eq!((expanded, sent), (40 * 2, 160));
    let mails = smtp.messages();
    assert_eq!(mails.len(), 120);
    for reference in &references {
        let subject = format!("Votre demande {reference} est enregistrée");
        assert_eq!(
            mails.iter().filter(|m| m.subject == subject).count(),
            1,
            "{reference}: one acknowledgement"
        );
    }
    assert_eq!(sms.bodies().len(), 40);
    assert_eq!(
        runtime()
            .block_on(guichet::notify::drain_outbox(&server.app))
            .unwrap(),
        (0, 0),
        "nothing twice"
    );
}

#[test]
fn an_administrator_sends_a_test_email_and_sms_and_reads_why_one_did_not_go() {
    let smtp = Smtp::start();
    let sms = SmsDouble::start();
    let server = server(&smtp.url(), Some(&sms));
    let admin = login(&server, "admin");
    let page = get(&server, "/demoville/backoffice/admin?format=xml", &admin);
    assert!(
        page.body
            .contains(r#"test="/demoville/backoffice/admin/test-message""#)
    );
    let token = token_in(&page.body);
    let test = "/demoville/backoffice/admin/test-message";
    let send = |channel: &str, address: &str| {
        post(
            &server,
            test,
            &admin,
            &[
                ("_token", &token),
                ("channel", channel),
                ("address", address),
            ],
        )
    };
    let r = send("email", "alice@demoville.example");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains(
            "Courriel d'essai accepté par le serveur de courrier pour alice@demoville.example."
        ),
        "{}",
        r.body
    );
    let got = smtp.to("alice@demoville.example");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].subject, "Message d'essai de Ville de Démoville");
    assert!(
        got[0].text.contains("demandé par Alice Administratrice"),
        "{}",
        got[0].text
    );
    assert!(got[0].html.contains("background: #000091"));
    assert!(got[0].from.contains("ne-pas-repondre@demoville.example"));

    let r = send("sms", "07 11 22 33 44");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("+33711223344"), "{}", r.body);
    assert!(
        sms.bodies()[0].contains("SMS d'essai"),
        "{:?}",
        sms.bodies()
    );

    let r = send("sms", "01 23 45 67 89");
    assert_eq!(r.status, 422, "a landline");
    let r = send("email", "pas une adresse");
    assert_eq!(r.status, 422);

    // The provider refuses: its answer is on the page.
    *sms.status.lock().unwrap() = 401;
    let r = send("sms", "0711223344");
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(
        r.body.contains("Le SMS d'essai n'est pas parti"),
        "{}",
        r.body
    );
    assert!(r.body.contains("401"), "the provider's status: {}", r.body);
    // A mail server that is not there.
    drop(smtp);
    let r = send("email", "alice@demoville.example");
    assert_eq!(r.status, 502, "{}", r.body);
    assert!(
        r.body
            .contains("Le courriel d'essai n'est pas parti : SMTP"),
        "{}",
        r.body
    );
    // Nothing of it went through the outbox.
    assert_eq!(outbox(&server), (0, 0));

    let marie = login(&server, "marie");
    let marie_token = token_in(&get(&server, "/demoville/backoffice/?format=xml", &marie).body);
    let r = post(
        &server,
        test,
        &marie,
        &[
            ("_token", &marie_token),
            ("channel", "email"),
            ("address", "marie@demoville.example"),
        ],
    );
    assert_eq!(r.status, 403);
}

#[test]
fn a_citizen_who_used_the_english_pages_is_written_to_in_english() {
    let smtp = Smtp::start();
    let server = server(&smtp.url(), None);
    let path = "/demoville/services/road-incident?lang=en";
    let form = server.get(path);
    assert_eq!(form.status, 200);
    let token = form
        .body
        .split(r#"name="_token" value=""#)
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned();
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("_token", token.as_str()),
        ("requester.firstName", "Ann"),
        ("requester.lastName", "Smith"),
        ("requester.email", "ann.smith@example.org"),
        ("category", "lighting"),
        ("location.street", "3 place de l'Église"),
        ("location.postalCode", "75002"),
        ("location.town", "Démoville"),
        ("description", "The street lamp has been off for three days"),
        ("observedOn", "2026-11-20"),
    ] {
        body.append_pair(k, v);
    }
    let body = body.finish();
    let r = server.raw(
        format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nSec-Fetch-Site: same-origin\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    outbox(&server);
    let mail = smtp.to("ann.smith@example.org");
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].subject, "Your request 2026-000001 is registered");
    assert!(
        mail[0].text.starts_with("Hello Ann Smith,"),
        "{}",
        mail[0].text
    );
    assert!(
        mail[0]
            .text
            .contains("\"Report an incident on the public road\""),
        "the service's English title: {}",
        mail[0].text
    );
    assert!(
        mail[0]
            .text
            .contains("will answer by 7 December 2026 at the latest"),
        "{}",
        mail[0].text
    );
    assert!(
        mail[0].text.contains("/demoville/track/") && mail[0].text.contains("?lang=en"),
        "the tracking page in English: {}",
        mail[0].text
    );
    assert!(mail[0].html.contains(r#"<html lang="en">"#));
    // The roads department's agents are told in French.
    let agents = smtp.to("paul@demoville.example");
    assert_eq!(agents.len(), 1);
    assert!(
        agents[0]
            .subject
            .starts_with("Nouvelle demande 2026-000001"),
        "{}",
        agents[0].subject
    );
}

/// A letter from a step's template: the administrator words the letter of a
/// step on the admin page; the agent makes it from the request page with a
/// text of their own and sends it; it is kept with the request (the agent
/// downloads it: the town's letterhead, the requester, the subject, the
/// body as worded) and reaches the requester attached to an e-mail.
#[test]
fn an_agent_sends_the_letter_of_a_step_made_from_its_template() {
    let smtp = Smtp::start();
    let server = server(&smtp.url(), None);
    let (reference, _) = submit(&server, &common::road_incident("Courrier"));
    outbox(&server);

    // The administrator words the letter of "received" for road incidents.
    let admin = login(&server, "admin");
    let list = get(
        &server,
        "/demoville/backoffice/admin/templates?format=xml",
        &admin,
    );
    assert!(
        list.body.contains(r#"name="letter" audience="letters""#),
        "{}",
        list.body
    );
    let scope = "/demoville/backoffice/admin/templates/letter/road-incident/received";
    let page = get(&server, &format!("{scope}?format=xml"), &admin);
    assert_eq!(page.status, 200, "{}", page.body);
    let token = token_in(&page.body);
    let r = post(
        &server,
        scope,
        &admin,
        &[
            ("_token", &token),
            ("subject", "Votre signalement {reference}"),
            (
                "text",
                "Madame, Monsieur,\n\nNous avons bien reçu votre signalement « {service} ».\n\n{answer}\n\nLe service {department}",
            ),
            ("sms", ""),
            ("action", "save"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    // The agent makes it, with a text of their own, and sends it.
    let paul = login(&server, "paul");
    let path = format!("/demoville/backoffice/requests/{reference}");
    let view = get(&server, &format!("{path}?format=xml"), &paul).body;
    assert!(
        view.contains("<letter><legend>Courrier de l'étape « Signalement reçu »</legend><send email=\"zoe@example.fr\">"),
        "{view}"
    );
    let revision = revision_in(&view);
    let r = post(
        &server,
        &path,
        &paul,
        &[
            ("_token", &token_in(&view)),
            ("revision", &revision),
            ("command", "letter"),
            ("comment", "Une équipe passera jeudi matin."),
            ("send", "yes"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let view = get(&server, &format!("{path}?format=xml"), &paul).body;
    let name = format!("courrier-{reference}-received.pdf");
    assert!(
        view.contains(&name) && view.contains("Ajoutée par paul"),
        "{view}"
    );
    assert!(view.contains("Courrier produit"), "in the history: {view}");
    let href = format!("{path}/files/1");
    let letter = get(&server, &href, &paul);
    assert_eq!(letter.status, 200);
    assert_eq!(letter.header("content-type"), Some("application/pdf"));
    if let Ok(keep) = std::env::var("GUICHET_KEEP_PDF") {
        std::fs::write(keep, &letter.bytes).unwrap();
    }
    let (text, fonts) = common::pdf_text(&letter.bytes);
    for expected in [
        "Ville de Démoville",
        "Démoville, le ",
        "Zoé Courrier",
        "zoe@example.fr",
        "Objet",
        &format!("Votre signalement {reference}"),
        "Nous avons bien reçu votre signalement « Signalement d'un incident sur la voie publique ».",
        "Une équipe passera jeudi matin.",
        "Le service Voirie",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    assert!(fonts.contains("DejaVuSans"), "{fonts}");

    // The e-mail carries it.
    outbox(&server);
    let mails = smtp.to("zoe@example.fr");
    let mail = mails
        .iter()
        .find(|m| m.subject.contains("Un courrier de la mairie"))
        .unwrap_or_else(|| panic!("{mails:?}"));
    assert!(mail.text.contains(&reference), "{}", mail.text);
    assert_eq!(mail.attachments.len(), 1);
    let (file, media_type, bytes) = &mail.attachments[0];
    assert_eq!(file, &name);
    assert_eq!(media_type, "application/pdf");
    assert_eq!(bytes, &letter.bytes, "the letter kept is the letter sent");

    // Made without sending: kept, no e-mail.
    let view = get(&server, &format!("{path}?format=xml"), &paul).body;
    let revision = revision_in(&view);
    let before = smtp.messages().len();
    let r = post(
        &server,
        &path,
        &paul,
        &[
            ("_token", &token_in(&view)),
            ("revision", &revision),
            ("command", "letter"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    outbox(&server);
    assert_eq!(smtp.messages().len(), before, "printed for the post");
    assert_eq!(get(&server, &format!("{path}/files/2"), &paul).status, 200);
    // Someone without rights on the request may not.
    let marie = login(&server, "marie");
    assert_eq!(get(&server, &href, &marie).status, 403);
    let r = post(
        &server,
        &path,
        &marie,
        &[
            (
                "_token",
                &token_in(&get(&server, "/demoville/backoffice/?format=xml", &marie).body),
            ),
            ("revision", &revision),
            ("command", "letter"),
        ],
    );
    assert_eq!(r.status, 403, "{}", r.body);
}

/// The cells of the line of a report's text part whose first cell is
/// `label`.
fn report_line(text: &str, label: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            l.split('|')
                .map(|c| c.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .find(|cells| cells[0] == label)
        .unwrap_or_else(|| panic!("a line {label} in\n{text}"))
}

#[test]
fn a_subscriber_gets_the_monthly_figures_of_a_saved_query_once_by_email() {
    use guichet::core::saved_query::{PeriodChoice, StatQuery, report_month};
    use guichet::store::NewSavedQuery;
    let smtp = Smtp::start();
    let server = server(&smtp.url(), None);
    // Two road incidents on 22 November, one repaired the same day; a
    // birth certificate, état civil's.
    let refs: Vec<String> = ["Un", "Deux"]
        .iter()
        .map(|n| submit(&server, &common::road_incident(n)).0)
        .collect();
    submit(&server, BIRTH);
    for action in ["qualify", "schedule", "fixed"] {
        act(&server, &refs[0], "paul", take(action));
    }
    outbox(&server);
    let before = smtp.messages().len();
    common::agent::add_reader(
        &server,
        "elu",
        &["voirie:stats"],
        Some("elu@demoville.example"),
    );
    common::agent::add_reader(&server, "muet", &["voirie:stats"], None);
    common::agent::add_reader(
        &server,
        "ancien",
        &["voirie:stats"],
        Some("ancien@demoville.example"),
    );
    let rt = runtime();
    let tenant = server.app.site("demoville").unwrap().tenant.id;
    let store = &server.app.store;
    let id = rt
        .block_on(store.save_query(
            tenant,
            NewSavedQuery {
                owner: "elu".into(),
                name: "Voirie du mois".into(),
                shared_with: Some("voirie".into()),
                query: StatQuery {
                    period: PeriodChoice::Month,
                    ..StatQuery::default()
                },
            },
            (server.app.clock)(),
        ))
        .unwrap();
    // Subscribed as the page does: the first report is for this month.
    let today: jiff::civil::Date = "2026-11-22".parse().unwrap();
    for agent in ["elu", "muet", "ancien"] {
        assert!(
            rt.block_on(store.subscribe(tenant, id, agent.into(), Some(report_month(today))))
                .unwrap()
        );
    }
    let reports = || {
        runtime()
            .block_on(guichet::notify::reports::queue_reports(&server.app))
            .unwrap()
    };
    assert_eq!(reports(), 0, "November is not over");

    // Before the report, "ancien" keeps a handler's role but loses the
    // statistics: the report is read with the rights of the day.
    let changed = rt
        .block_on(store.change_agent(
            tenant,
            guichet::store::AgentChange {
                login: "ancien".into(),
                name: "ancien".into(),
                email: Some("ancien@demoville.example".into()),
                admin: false,
                active: true,
                roles: vec![("voirie".into(), guichet::core::workflow::Role::Handler)],
                password_hash: None,
            },
            "admin".into(),
            None,
            (server.app.clock)(),
        ))
        .unwrap();
    assert_eq!(changed, guichet::store::AgentChanged::Changed);
    server.advance_days(9);
    assert_eq!(
        reports(),
        1,
        "the first of December: elu's; muet has no address, ancien no right any more"
    );
    assert_eq!(reports(), 0, "once a month");
    outbox(&server);
    assert_eq!(smtp.messages().len(), before + 1);
    assert!(smtp.to("ancien@demoville.example").is_empty());
    let mails = smtp.to("elu@demoville.example");
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(
        mail.subject,
        "Statistiques : Voirie du mois (novembre 2026)"
    );
    assert!(
        mail.text.contains(&format!(
            "https://guichet.demoville.example/demoville/backoffice/stats?period=month&saved={id}"
        )),
        "{}",
        mail.text
    );
    // Her figures are the roads' (the birth certificate is not hers), as
    // the page shows them.
    assert_eq!(report_line(&mail.text, "Demandes reçues")[1], "2");
    assert_eq!(report_line(&mail.text, "Demandes closes")[1], "1");
    assert_eq!(
        report_line(&mail.text, "Closes dans le délai (%)")[1],
        "100,0"
    );
    assert_eq!(
        report_line(&mail.text, "novembre 2026")[1..],
        ["2".to_owned(), "1".to_owned()]
    );
    assert!(!mail.text.contains("naissance"), "{}", mail.text);
    assert!(mail.html.contains("<table"), "{}", mail.html);
    assert!(mail.html.contains("<th scope=\"row\""));
    assert!(mail.html.contains("Demandes reçues"));

    // December's figures on the first of January, once more.
    server.advance_days(31);
    assert_eq!(reports(), 1);
    outbox(&server);
    let mails = smtp.to("elu@demoville.example");
    assert_eq!(mails.len(), 2);
    assert!(
        mails
            .iter()
            .any(|m| m.subject == "Statistiques : Voirie du mois (décembre 2026)")
    );
}

/// A citizen page's XML view.
fn citizen_view(server: &Server, path: &str) -> (u16, guichet::xml::Element) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let r = server.get(&format!("{path}{sep}format=xml"));
    (r.status, common::agent::parse(&r.body))
}

fn questionnaire_post(
    server: &Server,
    path: &str,
    fields: &[(&str, &str)],
) -> common::HttpResponse {
    let (_, view) = citizen_view(server, path);
    let token = common::agent::find(&view, "satisfaction")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let mut all = vec![("_token", token.as_str())];
    all.extend_from_slice(fields);
    common::agent::post_raw(
        server,
        path,
        "",
        &common::agent::form(&all),
        "Sec-Fetch-Site: same-origin\r\n",
    )
}

#[test]
fn a_closed_request_asks_its_requester_a_questionnaire_answered_once_that_the_statistics_count() {
    let smtp = Smtp::start();
    let server = server(&smtp.url(), None);
    let (closed, _) = submit(&server, &common::road_incident("Satisfaite"));
    let (open, _) = submit(&server, &common::road_incident("Patiente"));
    outbox(&server);
    // Qualified and scheduled: not closed, no questionnaire yet.
    for action in ["qualify", "schedule"] {
        act(&server, &closed, "paul", take(action));
    }
    outbox(&server);
    assert!(
        smtp.to("zoe@example.fr")
            .iter()
            .all(|m| !m.text.contains("/satisfaction/")),
        "only the closing message asks"
    );
    act(&server, &closed, "paul", take("fixed"));
    outbox(&server);
    let fixed: Vec<_> = smtp
        .to("zoe@example.fr")
        .into_iter()
        .filter(|m| m.subject.starts_with("Incident réparé"))
        .collect();
    assert_eq!(fixed.len(), 1);
    let text = &fixed[0].text;
    assert!(
        text.contains("trois questions, une minute, sans compte"),
        "{text}"
    );
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/satisfaction/"))
        .unwrap_or_else(|| panic!("a questionnaire link in\n{text}"))
        .to_owned();
    assert!(
        fixed[0].html.contains(&format!("href=\"{link}\"")),
        "the link is clickable"
    );
    let path = link
        .strip_prefix("https://guichet.demoville.example")
        .unwrap()
        .to_owned();
    assert!(
        path.starts_with(&format!("/demoville/satisfaction/{closed}/")),
        "{path}"
    );

    // The page: three questions of five marks and a comment.
    let (status, view) = citizen_view(&server, &path);
    assert_eq!(status, 200);
    let form = common::agent::find(&view, "satisfaction").unwrap();
    assert_eq!(form.attr("state"), Some("open"));
    assert_eq!(common::agent::all(&view, "question").len(), 3);
    assert_eq!(common::agent::all(&view, "mark").len(), 15);
    let xsd = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    common::assert_valid(
        &xsd,
        &server.get(&format!("{path}?format=xml")).body,
        "satisfaction",
    );
    let html = server.get(&path);
    assert_eq!(html.status, 200);
    assert!(
        html.body
            .contains("<legend>Dans l'ensemble, êtes-vous satisfait")
    );

    // Incomplete: each missing mark said next to its question, nothing kept.
    let refused = questionnaire_post(&server, &path, &[("overall", "4"), ("comment", "Rapide !")]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("id=\"q-delay-error\""));
    assert!(refused.body.contains("id=\"q-clarity-error\""));
    assert!(!refused.body.contains("id=\"q-overall-error\""));
    assert!(
        refused.body.contains("Rapide !"),
        "what was typed comes back"
    );
    let site = server.app.site("demoville").unwrap();
    let rows = || {
        runtime()
            .block_on(
                server
                    .app
                    .store
                    .survey_rows(site.tenant.id, None, 0, i64::MAX),
            )
            .unwrap()
    };
    assert!(rows().is_empty());

    let answer = [
        ("overall", "4"),
        ("delay", "5"),
        ("clarity", "3"),
        ("comment", "Réparé en <b>deux</b> jours, merci !"),
    ];
    let thanks = questionnaire_post(&server, &path, &answer);
    assert_eq!(thanks.status, 200, "{}", thanks.body);
    assert!(thanks.body.contains("Merci ! Votre avis est enregistré."));
    // Once: the link now says so, and a second answer changes nothing.
    let (_, view) = citizen_view(&server, &path);
    assert_eq!(
        common::agent::find(&view, "satisfaction")
            .unwrap()
            .attr("state"),
        Some("answered")
    );
    let again = questionnaire_post(
        &server,
        &path,
        &[("overall", "1"), ("delay", "1"), ("clarity", "1")],
    );
    assert_eq!(again.status, 200);
    assert!(again.body.contains("Vous avez déjà donné votre avis"));
    let kept = rows();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (
            kept[0].marks.overall,
            kept[0].marks.delay,
            kept[0].marks.clarity
        ),
        (4, 5, 3)
    );
    assert_eq!(kept[0].marks.department, "voirie");

    // A forged seal, another request's seal: unknown. An open request:
    // not yet.
    let forged = path.replace(&closed, &open);
    assert_eq!(server.get(&forged).status, 404);
    let mut bad = path.clone();
    bad.pop();
    bad.push(if path.ends_with('0') { '1' } else { '0' });
    assert_eq!(server.get(&bad).status, 404);
    let reference = guichet::core::tracking::Reference::parse(&open).unwrap();
    let open_path = format!(
        "/demoville{}",
        guichet::usecases::satisfaction::path(&server.app, &site, reference)
    );
    assert_eq!(server.get(&open_path).status, 410);

    // The statistics count it, with its comment, escaped.
    let admin = common::agent::login(&server, "admin");
    let stats = admin.view("/demoville/backoffice/stats");
    let table = |id: &str| common::agent::stats_table(&stats, id);
    let summary = table("summary");
    let figure = |label: &str| summary.iter().find(|r| r[0] == label).unwrap()[1].clone();
    assert_eq!(figure("Avis de satisfaction reçus"), "1");
    assert_eq!(figure("Demandeurs satisfaits (%)"), "100,0");
    assert_eq!(figure("Satisfaction moyenne (sur 5)"), "4,0");
    assert_eq!(
        table("satisfaction-department"),
        [["Voirie", "1", "100,0", "4,0", "5,0", "3,0"]
            .map(String::from)
            .to_vec()]
    );
    assert_eq!(table("satisfaction-service").len(), 1);
    assert_eq!(
        table("comments")[0][2],
        "Réparé en <b>deux</b> jours, merci !"
    );
    let page = admin.get("/demoville/backoffice/stats");
    assert!(
        page.body
            .contains("Réparé en &lt;b&gt;deux&lt;/b&gt; jours")
    );

    // Sixty days after closing, an unanswered questionnaire closes.
    let (late, _) = submit(&server, &common::road_incident("Tardive"));
    for action in ["qualify", "schedule", "fixed"] {
        act(&server, &late, "paul", take(action));
    }
    let reference = guichet::core::tracking::Reference::parse(&late).unwrap();
    let late_path = format!(
        "/demoville{}",
        guichet::usecases::satisfaction::path(&server.app, &site, reference)
    );
    assert_eq!(server.get(&late_path).status, 200);
    server.advance_days(61);
    assert_eq!(server.get(&late_path).status, 410);
    let closed_post = questionnaire_post(&server, &late_path, &answer);
    assert_eq!(closed_post.status, 410);
    assert_eq!(rows().len(), 1);
}
