//! The citizen's account through real HTTP and a real SMTP server
//! (aiosmtpd): sign up, the link that confirms the address, sign in and
//! out, requests submitted signed in and attached by their code, one
//! account never seeing another's, nothing telling an outsider whether an
//! address has an account, the forgotten password, a new address or
//! password told by e-mail, the profile filling the forms.

mod common;

use common::smtp::Smtp;
use common::{HttpResponse, Server, TempDir, runtime};

/// A server with the demo tenant, sending mail through `smtp`.
fn server(smtp: &Smtp) -> Server {
    let dir = TempDir::new();
    let url = smtp.url();
    let mut server = Server::start_configured(&dir.0, Default::default(), move |app| {
        app.config.smtp = Some(url);
        app.message_url = "http://127.0.0.1:8080".into();
    });
    server.keep(dir);
    server
}

/// Sends what the outbox holds.
fn send_mail(server: &Server) {
    runtime()
        .block_on(guichet::notify::drain_outbox(&server.app))
        .unwrap();
}

/// The account link of the last message to `address` (its path), after
/// sending what waits.
fn link_to(server: &Server, smtp: &Smtp, address: &str) -> String {
    send_mail(server);
    let mails = smtp.to(address);
    let mail = mails
        .last()
        .unwrap_or_else(|| panic!("no mail to {address}"));
    let start = mail
        .text
        .find("http://127.0.0.1:8080/")
        .unwrap_or_else(|| panic!("no link in {}", mail.text))
        + "http://127.0.0.1:8080".len();
    let rest = &mail.text[start..];
    rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())].to_owned()
}

/// A browser of one person: their cookie kept from page to page.
struct Browser<'a> {
    server: &'a Server,
    cookie: Option<String>,
}

impl<'a> Browser<'a> {
    fn new(server: &'a Server) -> Browser<'a> {
        Browser {
            server,
            cookie: None,
        }
    }

    fn keep_cookie(&mut self, r: &HttpResponse) {
        for (name, value) in &r.headers {
            if name.eq_ignore_ascii_case("set-cookie") && value.starts_with("guichet_account=") {
                let pair = value.split(';').next().unwrap();
                self.cookie = (pair != "guichet_account=").then(|| pair.to_owned());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookie
            .as_ref()
            .map(|c| format!("Cookie: {c}\r\n"))
            .unwrap_or_default()
    }

    fn get(&mut self, path: &str) -> HttpResponse {
        let r = self.server.raw(
            format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n{}Connection: close\r\n\r\n",
                self.cookie_header()
            )
            .as_bytes(),
        );
        self.keep_cookie(&r);
        r
    }

    fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> HttpResponse {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            s.append_pair(k, v);
        }
        let body = s.finish();
        self.post_body(path, "application/x-www-form-urlencoded", body.as_bytes())
    }

    /// A POST of `body` from the town's own pages, the cookie kept.
    fn post_body(&mut self, path: &str, content_type: &str, body: &[u8]) -> HttpResponse {
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nOrigin: http://127.0.0.1:8080\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n",
            body.len(),
            self.cookie_header()
        )
        .into_bytes();
        request.extend_from_slice(body);
        let r = self.server.raw(&request);
        self.keep_cookie(&r);
        r
    }

    /// A multipart POST of `fields` and one file `(input, name, bytes)`.
    fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> HttpResponse {
        let boundary = "----GuichetAccountBoundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        let (input, name, bytes) = file;
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{input}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post_body(
            path,
            &format!("multipart/form-data; boundary={boundary}"),
            &body,
        )
    }

    /// Opens `page`, then sends its form `form` with `fields` and its token.
    fn send(&mut self, page: &str, form: &str, fields: &[(&str, &str)]) -> HttpResponse {
        let html = self.get(page).body;
        let token = token_of(&html, form);
        let action = attr_after(&html, &format!(r#"id="{form}""#), "action")
            .or_else(|| attr_before(&html, &format!(r#"id="{form}""#), "action"))
            .unwrap_or_else(|| panic!("no form {form} on {page}: {html}"));
        let mut all = vec![("_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post(&action.replace("&amp;", "&"), &all)
    }
}

/// The value of attribute `name` in the tag holding `marker`, looking back.
fn attr_before(html: &str, marker: &str, name: &str) -> Option<String> {
    let at = html.find(marker)?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..at];
    let key = format!(r#"{name}=""#);
    let start = tag.find(&key)? + key.len();
    Some(tag[start..start + tag[start..].find('"')?].to_owned())
}

fn attr_after(html: &str, marker: &str, name: &str) -> Option<String> {
    let at = html.find(marker)?;
    let tag_end = at + html[at..].find('>')?;
    let tag = &html[at..tag_end];
    let key = format!(r#"{name}=""#);
    let start = tag.find(&key)? + key.len();
    Some(tag[start..start + tag[start..].find('"')?].to_owned())
}

/// The anti-forgery token of form `form` (or the first form of the page).
fn token_of(html: &str, form: &str) -> String {
    let from = html.find(&format!(r#"id="{form}""#)).unwrap_or(0);
    let key = r#"name="_token" value=""#;
    let start = from + html[from..].find(key).expect("a token") + key.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

const PASSWORD: &str = "Lune-verte-sous-la-pluie-7";

/// Signs up and confirms `email` by the link it receives; signed in after.
fn open_account<'a>(server: &'a Server, smtp: &Smtp, email: &str) -> Browser<'a> {
    let mut b = Browser::new(server);
    let r = b.send(
        "/demoville/account/signup",
        "signup",
        &[("email", email), ("password", PASSWORD)],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let link = link_to(server, smtp, &email.to_lowercase());
    assert!(link.starts_with("/demoville/account/confirm/"), "{link}");
    let r = b.send(&link, "confirm", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(b.cookie.is_some(), "signed in once confirmed");
    b
}

fn road_incident(b: &mut Browser, last_name: &str) -> HttpResponse {
    b.send(
        "/demoville/services/road-incident",
        "form",
        &[
            ("requester.firstName", "Zoé"),
            ("requester.lastName", last_name),
            ("requester.email", "zoe@example.fr"),
            ("category", "lighting"),
            ("location.street", "3 place de l'Église"),
            ("location.postalCode", "75002"),
            ("location.town", "Démoville"),
            ("description", "Lampadaire éteint depuis trois jours"),
            ("observedOn", "2026-11-20"),
        ],
    )
}

/// The tracking code of a receipt page a submission led to.
fn tracking_code(b: &mut Browser, sent: &HttpResponse) -> String {
    assert_eq!(sent.status, 303, "{}", sent.body);
    let location = sent.header("location").unwrap().to_owned();
    let code = location.rsplit('/').next().unwrap().to_owned();
    assert_eq!(b.get(&location).status, 200);
    code
}

#[test]
fn a_citizen_signs_up_confirms_files_requests_attaches_one_and_sees_only_their_own() {
    let smtp = Smtp::start();
    let server = server(&smtp);
    // Without a session, the account's pages lead to the sign-in page.
    let mut anonymous = Browser::new(&server);
    let r = anonymous.get("/demoville/account/");
    assert_eq!(r.status, 303);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("/demoville/account/login?next=")
    );

    // A request made before the account exists, followed by its code.
    let earlier = road_incident(&mut anonymous, "Avant");
    let earlier_code = tracking_code(&mut anonymous, &earlier);

    let mut zoe = open_account(&server, &smtp, "Zoe.Lefevre@Example.fr");
    let mail = smtp.to("zoe.lefevre@example.fr");
    assert_eq!(mail.len(), 1, "one message, to the address in lower case");
    assert!(
        mail[0].subject.contains("Confirmez votre adresse"),
        "{}",
        mail[0].subject
    );
    let home = zoe.get("/demoville/account/");
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("Votre compte est ouvert")
            || home.body.contains("Aucune demande en cours")
    );
    assert_eq!(home.header("cache-control"), Some("no-store"));

    // Two requests sent signed in, and the earlier one attached by its code.
    let first = road_incident(&mut zoe, "Premier");
    tracking_code(&mut zoe, &first);
    let second = road_incident(&mut zoe, "Second");
    tracking_code(&mut zoe, &second);
    let attached = zoe.send("/demoville/account/", "attach", &[("code", &earlier_code)]);
    assert_eq!(attached.status, 303, "{}", attached.body);
    let home = zoe.get(attached.header("location").unwrap());
    assert!(
        home.body
            .contains("La demande 2026-000001 est dans votre compte"),
        "{}",
        home.body
    );
    for reference in ["2026-000001", "2026-000002", "2026-000003"] {
        assert!(
            home.body
                .contains(&format!("/demoville/account/requests/{reference}")),
            "{reference}"
        );
    }
    assert!(
        home.body.contains("Signalement reçu"),
        "the steps are listed"
    );
    let page = zoe.get("/demoville/account/requests/2026-000002");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Signalement reçu"));
    // The views are the vocabulary's.
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("xsd/view.xsd");
    for path in [
        "/demoville/account/?format=xml",
        "/demoville/account/requests/2026-000002?format=xml",
        "/demoville/account/profile?format=xml",
        "/demoville/account/security?format=xml",
        "/demoville/account/archive?format=xml",
    ] {
        let xml = zoe.get(path);
        assert_eq!(xml.status, 200, "{path}");
        common::assert_valid(&schema, &xml.body, path);
    }
    for path in [
        "/demoville/account/signup?format=xml",
        "/demoville/account/login?format=xml",
    ] {
        common::assert_valid(&schema, &anonymous.get(path).body, path);
    }

    // A second account sees none of them, whatever the URL; nor can it
    // take the earlier request with its code.
    let mut other = open_account(&server, &smtp, "paul@example.fr");
    let theirs = other.get("/demoville/account/");
    assert!(
        !theirs.body.contains("2026-000001") && theirs.body.contains("Aucune demande en cours")
    );
    assert_eq!(
        other.get("/demoville/account/requests/2026-000002").status,
        404
    );
    let taken = other.send("/demoville/account/", "attach", &[("code", &earlier_code)]);
    assert_eq!(taken.status, 422);
    assert!(
        taken
            .body
            .contains("Aucune demande ne correspond à ce code")
    );

    // She writes to the town from her request's page; the other account
    // cannot write on it.
    let replied = zoe.send(
        "/demoville/account/requests/2026-000002",
        "reply",
        &[("text", "Le lampadaire clignote aussi la nuit.")],
    );
    assert_eq!(replied.status, 303, "{}", replied.body);
    let page = zoe.get(replied.header("location").unwrap());
    assert!(page.body.contains("Le lampadaire clignote aussi la nuit."));
    assert!(page.body.contains("Votre message est envoyé"));
    let token = token_of(&other.get("/demoville/account/").body, "");
    let theirs = other.post(
        "/demoville/account/requests/2026-000002/reply",
        &[("_token", &token), ("text", "Intrus")],
    );
    assert_eq!(theirs.status, 404);
    assert!(
        !zoe.get("/demoville/account/requests/2026-000002")
            .body
            .contains("Intrus")
    );

    // A form opened signed in is filled from the profile.
    let saved = zoe.send(
        "/demoville/account/profile",
        "profile",
        &[
            ("civility", "Mme"),
            ("firstName", "Zoé"),
            ("lastName", "Lefèvre"),
            ("phone", "06 12 34 56 78"),
            ("street", "3 rue des Lilas"),
            ("postalCode", "75002"),
            ("town", "Démoville"),
        ],
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("Vos informations sont enregistrées"));
    let form = zoe.get("/demoville/services/birth-certificate").body;
    for value in ["Lefèvre", "zoe.lefevre@example.fr", "3 rue des Lilas"] {
        assert!(
            form.contains(&format!(r#"value="{value}""#)),
            "{value} prefilled"
        );
    }
    let bad = zoe.send(
        "/demoville/account/profile",
        "profile",
        &[("postalCode", "7500")],
    );
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Le code postal compte 5 chiffres"));
    assert!(
        anonymous
            .get("/demoville/services/birth-certificate")
            .body
            .contains(r#"name="requester.lastName" value="""#),
        "nobody else's details"
    );

    // Signed out: the session is over, the account's pages lead to sign-in.
    let token = token_of(&zoe.get("/demoville/account/").body, "");
    let out = zoe.post("/demoville/account/logout", &[("_token", &token)]);
    assert_eq!(out.status, 303);
    assert!(zoe.cookie.is_none(), "the cookie is cleared");
    assert_eq!(zoe.get("/demoville/account/").status, 303);

    // Signed in again with the password.
    let back = zoe.send(
        "/demoville/account/login",
        "login",
        &[("email", "zoe.lefevre@example.fr"), ("password", PASSWORD)],
    );
    assert_eq!(back.status, 303, "{}", back.body);
    assert!(zoe.get("/demoville/account/").body.contains("2026-000003"));
}

#[test]
fn nothing_tells_whether_an_address_has_an_account_and_links_work_once() {
    let smtp = Smtp::start();
    let server = server(&smtp);
    let mut zoe = open_account(&server, &smtp, "zoe@example.fr");

    // Signing up again with the address: the same page, a different mail.
    let mut stranger = Browser::new(&server);
    let again = stranger.send(
        "/demoville/account/signup",
        "signup",
        &[
            ("email", "zoe@example.fr"),
            ("password", "Un-autre-mot-de-passe-42"),
        ],
    );
    let new = stranger.send(
        "/demoville/account/signup",
        "signup",
        &[
            ("email", "nobody@example.fr"),
            ("password", "Un-autre-mot-de-passe-42"),
        ],
    );
    assert_eq!(again.status, new.status);
    let strip = |b: &str, email: &str| {
        b.replace(email, "X")
            .replace(|c: char| c.is_ascii_digit(), "")
    };
    assert_eq!(
        strip(&again.body, "zoe@example.fr"),
        strip(&new.body, "nobody@example.fr"),
        "the same page either way"
    );
    send_mail(&server);
    let told = smtp.to("zoe@example.fr");
    assert!(
        told.last().unwrap().subject.contains("Votre compte"),
        "the owner is told"
    );
    // An unconfirmed account cannot sign in, and says no more than a wrong password.
    let unconfirmed = stranger.send(
        "/demoville/account/login",
        "login",
        &[
            ("email", "nobody@example.fr"),
            ("password", "Un-autre-mot-de-passe-42"),
        ],
    );
    let wrong = stranger.send(
        "/demoville/account/login",
        "login",
        &[
            ("email", "zoe@example.fr"),
            ("password", "pas le bon mot de passe"),
        ],
    );
    assert_eq!((unconfirmed.status, wrong.status), (422, 422));
    let notice = |b: &str| {
        b[b.find("notice error").unwrap()..]
            .split("</div>")
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(notice(&unconfirmed.body), notice(&wrong.body));

    // Weak passwords are refused, next to the field.
    let weak = stranger.send(
        "/demoville/account/signup",
        "signup",
        &[("email", "weak@example.fr"), ("password", "azertyuiop123")],
    );
    assert_eq!(weak.status, 422);
    assert!(weak.body.contains("trop courant"), "{}", weak.body);
    assert!(weak.body.contains(r#"id="signup-password-error""#));
    let short = stranger.send(
        "/demoville/account/signup",
        "signup",
        &[("email", "weak@example.fr"), ("password", "court")],
    );
    assert!(short.body.contains("au moins 12 caractères"));

    // Forgotten password: the same page for any address; the link works once.
    let unknown = stranger.send(
        "/demoville/account/forgot",
        "forgot",
        &[("email", "nobody-at-all@example.fr")],
    );
    let known = stranger.send(
        "/demoville/account/forgot",
        "forgot",
        &[("email", "zoe@example.fr")],
    );
    assert_eq!(
        strip(&unknown.body, "nobody-at-all@example.fr"),
        strip(&known.body, "zoe@example.fr")
    );
    send_mail(&server);
    assert!(
        smtp.to("nobody-at-all@example.fr").is_empty(),
        "no mail to an address without an account"
    );
    let reset = link_to(&server, &smtp, "zoe@example.fr");
    assert!(reset.starts_with("/demoville/account/reset/"), "{reset}");
    let mut phone = Browser::new(&server);
    let done = phone.send(
        &reset,
        "reset",
        &[("password", "Un-nouveau-mot-de-passe-tres-long")],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(phone.get(&reset).status, 404, "a link works once");
    // The other sessions ended; the old password no longer works.
    assert_eq!(zoe.get("/demoville/account/").status, 303);
    let old = stranger.send(
        "/demoville/account/login",
        "login",
        &[("email", "zoe@example.fr"), ("password", PASSWORD)],
    );
    assert_eq!(old.status, 422);
    send_mail(&server);
    assert!(
        smtp.to("zoe@example.fr")
            .last()
            .unwrap()
            .subject
            .contains("mot de passe de votre compte"),
        "the citizen is told of the change"
    );
    // A made-up link: the same dead end.
    assert_eq!(
        phone
            .get(&format!("/demoville/account/reset/{}", "0".repeat(64)))
            .status,
        404
    );
}

#[test]
fn a_new_address_is_confirmed_on_it_and_the_old_one_is_told() {
    let smtp = Smtp::start();
    let server = server(&smtp);
    let mut zoe = open_account(&server, &smtp, "zoe@example.fr");
    let asked = zoe.send(
        "/demoville/account/security",
        "email",
        &[("email", "zoe.new@example.fr")],
    );
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(asked.body.contains("zoe.new@example.fr"));
    let link = link_to(&server, &smtp, "zoe.new@example.fr");
    let done = zoe.send(&link, "email-confirm", &[]);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body
            .contains("utilise désormais l'adresse zoe.new@example.fr")
    );
    send_mail(&server);
    assert!(
        smtp.to("zoe@example.fr")
            .last()
            .unwrap()
            .subject
            .contains("L'adresse de votre compte"),
        "the old address is told"
    );
    // The password changes with the current one only.
    let wrong = zoe.send(
        "/demoville/account/security",
        "password",
        &[
            ("current", "pas le bon"),
            ("password", "Encore-un-autre-mot-de-passe-9"),
        ],
    );
    assert_eq!(wrong.status, 422);
    assert!(
        wrong
            .body
            .contains("Le mot de passe actuel n'est pas le bon")
    );
    let changed = zoe.send(
        "/demoville/account/security",
        "password",
        &[
            ("current", PASSWORD),
            ("password", "Encore-un-autre-mot-de-passe-9"),
        ],
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(
        zoe.get("/demoville/account/").status,
        200,
        "this session stays"
    );
    let mut again = Browser::new(&server);
    let signed = again.send(
        "/demoville/account/login",
        "login",
        &[
            ("email", "zoe.new@example.fr"),
            ("password", "Encore-un-autre-mot-de-passe-9"),
        ],
    );
    assert_eq!(signed.status, 303, "{}", signed.body);
}

#[test]
fn failed_sign_ins_are_throttled_and_forms_need_their_token() {
    let smtp = Smtp::start();
    let server = server(&smtp);
    let _zoe = open_account(&server, &smtp, "zoe@example.fr");
    let mut b = Browser::new(&server);
    let mut last = 0;
    for _ in 0..6 {
        last = b
            .send(
                "/demoville/account/login",
                "login",
                &[
                    ("email", "zoe@example.fr"),
                    ("password", "mauvais mot de passe"),
                ],
            )
            .status;
    }
    assert_eq!(last, 429, "waits after five failures");
    // The journal names the account tried, never the address typed.
    let failed = common::journal(&server, "login-failed");
    assert_eq!(failed.len(), 5, "the throttled attempt adds none");
    assert!(
        failed
            .iter()
            .all(|e| e.subject.starts_with("citizen:") && e.subject != "citizen:unknown")
    );
    assert!(
        failed.iter().all(|e| !e.detail.contains("zoe")),
        "{failed:?}"
    );
    let logins = common::journal(&server, "login");
    assert!(!logins.is_empty(), "opening the account signed her in");
    assert_eq!(logins[0].subject, failed[0].subject);
    // A POST without its token changes nothing.
    let forged = b.post(
        "/demoville/account/signup",
        &[("email", "x@example.fr"), ("password", PASSWORD)],
    );
    assert_eq!(forged.status, 403);
    send_mail(&server);
    assert!(smtp.to("x@example.fr").is_empty());
}

/// A citizen downloads everything the town holds on them (GDPR access and
/// portability): the account, its profile, and each of their requests with
/// the values sent and the steps — and nothing of another account's.
#[test]
fn a_citizen_downloads_all_the_town_holds_on_them_as_json() {
    let smtp = Smtp::start();
    let server = server(&smtp);
    let mut anonymous = Browser::new(&server);
    let r = anonymous.get("/demoville/account/export");
    assert_eq!(r.status, 303, "signed out: to the sign-in page");

    let mut zoe = open_account(&server, &smtp, "zoe.export@example.fr");
    let saved = zoe.send(
        "/demoville/account/profile",
        "profile",
        &[("lastName", "Lefèvre"), ("town", "Démoville")],
    );
    assert!(saved.status < 400, "{}", saved.body);
    let sent = road_incident(&mut zoe, "Lefèvre");
    tracking_code(&mut zoe, &sent);
    let mut paul = open_account(&server, &smtp, "paul.export@example.fr");
    let other = road_incident(&mut paul, "Paul-Unique");
    tracking_code(&mut paul, &other);

    let profile = zoe.get("/demoville/account/profile");
    assert!(profile.body.contains(r#"href="/demoville/account/export""#));
    let r = zoe.get("/demoville/account/export");
    assert_eq!(r.status, 200);
    let exported = common::journal(&server, "account-exported");
    assert_eq!(exported.len(), 1, "every download is journaled");
    assert_eq!(exported[0].detail, "json, 1 requests");
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        r.header("content-disposition"),
        Some(
            r#"attachment; filename="mes-donnees-demoville.json"; filename*=UTF-8''mes-donnees-demoville.json"#
        )
    );
    assert_eq!(r.header("cache-control"), Some("private, no-store"));
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    let data: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
    assert_eq!(data["account"]["email"], "zoe.export@example.fr");
    assert_eq!(data["account"]["profile"]["last_name"], "Lefèvre");
    let requests = data["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "hers only");
    let request = &requests[0];
    assert_eq!(request["service"], "road-incident");
    assert_eq!(
        request["values"]["description"],
        "Lampadaire éteint depuis trois jours"
    );
    assert_eq!(request["values"]["requester/lastName"], "Lefèvre");
    assert!(!request["steps"].as_array().unwrap().is_empty());
    assert!(
        !r.body.contains("Paul-Unique"),
        "nothing of another account"
    );
}

/// The requests of an account, by reference, from its dashboard's XML.
fn own_references(b: &mut Browser) -> Vec<String> {
    let view = common::agent::parse(&b.get("/demoville/account/?format=xml").body);
    common::agent::all(&view, "request")
        .iter()
        .filter_map(|r| r.attr("reference").map(str::to_owned))
        .collect()
}

fn run_retention(server: &Server) -> Vec<String> {
    runtime()
        .block_on(guichet::usecases::retention::run(&server.app))
        .unwrap()
        .into_iter()
        .flat_map(|s| s.anonymised)
        .map(|r| r.to_string())
        .collect()
}

/// Erasure: a citizen closes their account (confirmed by their password).
/// Its finished request is anonymised at once, the open one stays with the
/// town, which finishes it and tells the requester, and is anonymised
/// then; the account, its profile and its address are nowhere any more
/// once the goodbye message is sent.
#[test]
fn a_citizen_closes_their_account_and_only_what_the_town_must_finish_stays() {
    use common::agent::login;
    use common::backend::anywhere;
    let smtp = Smtp::start();
    let server = server(&smtp);
    let email = "zoe.ferme@example.fr";
    let mut zoe = open_account(&server, &smtp, email);
    let saved = zoe.send(
        "/demoville/account/profile",
        "profile",
        &[("lastName", "Profilnom"), ("town", "Démoville")],
    );
    assert!(saved.status < 400, "{}", saved.body);
    let sent = road_incident(&mut zoe, "Fermable-Un");
    tracking_code(&mut zoe, &sent);
    let sent = road_incident(&mut zoe, "Fermable-Deux");
    let open_code = tracking_code(&mut zoe, &sent);
    let mut references = own_references(&mut zoe);
    references.sort();
    let [done, open] = [references[0].clone(), references[1].clone()];
    let paul = login(&server, "paul");
    for action in ["qualify", "schedule", "fixed"] {
        assert_eq!(paul.act(&done, action).status, 303, "{action}");
    }
    send_mail(&server);

    let security = zoe.get("/demoville/account/security");
    assert!(
        security.body.contains("Fermer mon compte"),
        "{}",
        security.body
    );
    let refused = zoe.send(
        "/demoville/account/security",
        "close",
        &[("confirmation", "pas-le-bon-mot-de-passe")],
    );
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("n'est pas le bon") || refused.body.contains("n&#39;est pas le bon")
    );
    assert!(
        !anywhere(&server.data_dir, "Profilnom").is_empty(),
        "nothing done"
    );

    let closed = zoe.send(
        "/demoville/account/security",
        "close",
        &[("confirmation", PASSWORD)],
    );
    assert_eq!(closed.status, 200, "{}", closed.body);
    assert!(closed.body.contains("Votre compte est fermé"));
    assert!(
        closed.body.contains("Demandes terminées anonymisées : 1")
            && closed.body.contains("anonymisées à leur clôture : 1"),
        "{}",
        closed.body
    );
    assert!(zoe.cookie.is_none(), "signed out");
    assert_eq!(zoe.get("/demoville/account/").status, 303);
    let again = Browser::new(&server).send(
        "/demoville/account/login",
        "login",
        &[("email", email), ("password", PASSWORD)],
    );
    assert_ne!(again.status, 303, "no account to sign in to");

    // At once: the account, its profile, its finished request.
    for gone in ["Profilnom", "Fermable-Un"] {
        assert_eq!(
            anywhere(&server.data_dir, gone),
            Vec::<String>::new(),
            "{gone}"
        );
    }
    // The open request stays, with its requester, who is still told.
    assert!(!anywhere(&server.data_dir, "Fermable-Deux").is_empty());
    assert_eq!(
        server.get(&format!("/demoville/track/{open_code}")).status,
        200
    );
    // The goodbye goes to the address; then the address is nowhere.
    let bye = link_to(&server, &smtp, email);
    assert!(bye.ends_with("/demoville/account/signup"), "{bye}");
    assert!(smtp.to(email).last().unwrap().subject.contains("fermé"));
    assert!(run_retention(&server).is_empty(), "the open one is not due");
    assert_eq!(anywhere(&server.data_dir, email), Vec::<String>::new());

    // The town finishes the open request; the requester hears it first.
    let paul = login(&server, "paul");
    for action in ["qualify", "schedule", "fixed"] {
        assert_eq!(paul.act(&open, action).status, 303, "{action}");
    }
    assert!(
        run_retention(&server).is_empty(),
        "its last message is not sent yet"
    );
    send_mail(&server);
    let told = smtp.to("zoe@example.fr");
    assert!(
        told.iter().any(|m| m.text.contains(&open)),
        "the decision reached the requester"
    );
    assert_eq!(run_retention(&server), vec![open.clone()]);
    assert_eq!(
        anywhere(&server.data_dir, "Fermable-Deux"),
        Vec::<String>::new()
    );
    assert_eq!(
        server.get(&format!("/demoville/track/{open_code}")).status,
        404
    );
    let reports = server.app.store.verify_audit().unwrap();
    assert!(reports.iter().all(|r| r.problem.is_none()), "{reports:?}");
}

/// Access for a person who asks at the town hall: an administrator finds
/// their account and requests by address or name and downloads them; the
/// export is in the audit journal, without the address; agents who are not
/// administrators cannot.
#[test]
fn an_administrator_finds_a_person_and_downloads_their_data_in_the_journal() {
    use common::agent::{all, find, login};
    let smtp = Smtp::start();
    let server = server(&smtp);
    let email = "zoe.acces@example.fr";
    let mut zoe = open_account(&server, &smtp, email);
    let saved = zoe.send(
        "/demoville/account/profile",
        "profile",
        &[
            ("firstName", "Zoé"),
            ("lastName", "Accessible"),
            ("town", "Démoville"),
        ],
    );
    assert!(saved.status < 400, "{}", saved.body);
    let sent = road_incident(&mut zoe, "Accessible");
    tracking_code(&mut zoe, &sent);
    // One by SOAP, with the same name, and no account.
    let soap = server.soap11(&common::envelope11(&common::road_incident("Accessible")));
    assert_eq!(soap.status, 200);
    let other = server.soap11(&common::envelope11(&common::road_incident("Autrepersonne")));
    assert_eq!(other.status, 200);

    assert_eq!(
        login(&server, "paul")
            .get("/demoville/backoffice/admin/people")
            .status,
        403
    );
    let admin = login(&server, "admin");
    let short = admin.get("/demoville/backoffice/admin/people?q=a");
    assert_eq!(short.status, 422);
    let page = admin.view("/demoville/backoffice/admin/people?q=accessible");
    let people = find(&page, "people").unwrap();
    let accounts = all(people, "account");
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].attr("email"), Some(email));
    assert_eq!(all(people, "request").len(), 2, "hers and the SOAP one");
    let by_address = admin.view(&format!("/demoville/backoffice/admin/people?q={email}"));
    assert_eq!(all(&by_address, "request").len(), 1, "the account's");
    let nobody = admin.view("/demoville/backoffice/admin/people?q=Inconnu%20Total");
    assert!(all(&nobody, "request").is_empty() && all(&nobody, "account").is_empty());
    let html = admin.get("/demoville/backoffice/admin/people?q=accessible");
    assert!(
        html.body.contains("Télécharger ses données"),
        "{}",
        html.body
    );

    let token = people.attr("token").unwrap().to_owned();
    let r = admin.post(
        "/demoville/backoffice/admin/people/export",
        &[("_token", &token), ("q", "Accessible")],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(r.header("cache-control"), Some("private, no-store"));
    let data: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
    assert_eq!(data["accounts"][0]["email"], email);
    assert_eq!(data["accounts"][0]["profile"]["last_name"], "Accessible");
    assert_eq!(data["accounts"][0]["requests"].as_array().unwrap().len(), 1);
    let unlinked = data["requests"].as_array().unwrap();
    assert_eq!(unlinked.len(), 1, "the SOAP one, beside the account");
    assert_eq!(unlinked[0]["channel"], "soap");
    assert!(!r.body.contains("Autrepersonne"));
    let forged = admin.post(
        "/demoville/backoffice/admin/people/export",
        &[("_token", "faux"), ("q", "Accessible")],
    );
    assert_eq!(forged.status, 403);

    let tenant = server.app.site("demoville").unwrap().tenant.id;
    let journal = runtime()
        .block_on(
            server
                .app
                .store
                .journal(tenant, Some("person-exported".into()), 10),
        )
        .unwrap();
    assert_eq!(journal.len(), 1, "one export, one entry");
    let pdf = admin.post(
        "/demoville/backoffice/admin/people/export",
        &[("_token", &token), ("q", "Accessible"), ("format", "pdf")],
    );
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), Some("application/pdf"));
    let (text, _) = common::pdf_text(&pdf.bytes);
    assert!(
        text.contains(email) && text.contains("Demandes (2)") && !text.contains("Autrepersonne"),
        "{text}"
    );
    assert_eq!(journal[0].actor, "agent:admin");
    assert!(
        journal[0].detail.starts_with("1 accounts [citizen:"),
        "{}",
        journal[0].detail
    );
    assert!(journal[0].detail.contains("2 requests"));
    assert!(!journal[0].detail.contains(email) && !journal[0].detail.contains("Accessible"));
}

/// A file sent signed in is on the account's page of the request, and
/// downloads from there; another account cannot reach it.
#[test]
fn a_citizen_finds_the_file_they_sent_in_their_account() {
    let smtp = Smtp::start();
    let server = server(&smtp);
    let mut zoe = open_account(&server, &smtp, "zoe.fichier@example.fr");
    let page = zoe.get("/demoville/services/birth-certificate").body;
    let token = token_of(&page, "form");
    let sent = zoe.post_file(
        "/demoville/services/birth-certificate",
        &[
            ("_token", &token),
            ("requester.firstName", "Zoé"),
            ("requester.lastName", "Fichier"),
            ("requester.email", "zoe.fichier@example.fr"),
            ("actType", "extract-with-filiation"),
            ("requesterRelation", "self"),
            ("personLastName", "Fichier"),
            ("personFirstNames", "Zoé"),
            ("birthDate", "1990-05-17"),
            ("birthPlace", "Démoville"),
            ("copies", "1"),
            ("deliveryMode", "counter"),
        ],
        (
            "identityDocument",
            "ma carte.pdf",
            include_bytes!("fixtures/piece-identite.pdf"),
        ),
    );
    tracking_code(&mut zoe, &sent);
    let view = common::agent::parse(&zoe.get("/demoville/account/?format=xml").body);
    let reference = common::agent::all(&view, "request")[0]
        .attr("reference")
        .unwrap()
        .to_owned();
    let mine = zoe
        .get(&format!("/demoville/account/requests/{reference}"))
        .body;
    let href = format!("/demoville/account/requests/{reference}/files/1");
    assert!(
        mine.contains(&format!(r#"href="{href}""#)) && mine.contains("ma carte.pdf"),
        "{mine}"
    );
    let got = zoe.get(&href);
    assert_eq!(got.status, 200);
    assert_eq!(got.header("content-type"), Some("application/pdf"));
    assert!(got.body.starts_with("%PDF"));
    // The request and its receipt as PDF, and everything held as a PDF.
    for (pdf, expected) in [
        (
            "request.pdf",
            &["Zoé", "17/05/1990", "ma carte.pdf", "Demandeur"][..],
        ),
        (
            "receipt.pdf",
            &["Accusé de réception", reference.as_str()][..],
        ),
    ] {
        let path = format!("/demoville/account/requests/{reference}/{pdf}");
        assert!(mine.contains(&format!(r#"href="{path}""#)), "{mine}");
        let got = zoe.get(&path);
        assert_eq!(got.status, 200, "{path}");
        assert_eq!(got.header("content-type"), Some("application/pdf"));
        let (text, _) = common::pdf_text(&got.bytes);
        for e in expected {
            assert!(text.contains(e), "{e:?} in\n{text}");
        }
    }
    let profile = zoe.get("/demoville/account/profile").body;
    assert!(
        profile.contains(r#"href="/demoville/account/export.pdf""#),
        "{profile}"
    );
    let all = zoe.get("/demoville/account/export.pdf");
    assert_eq!(all.status, 200);
    assert_eq!(all.header("cache-control"), Some("private, no-store"));
    let (text, _) = common::pdf_text(&all.bytes);
    for e in [
        "Données personnelles détenues par la mairie",
        "zoe.fichier@example.fr",
        &reference,
        "Fichier",
        "Demandes (1)",
    ] {
        assert!(text.contains(e), "{e:?} in\n{text}");
    }
    let mut paul = open_account(&server, &smtp, "paul.fichier@example.fr");
    assert_eq!(paul.get(&href).status, 404, "not another account's");
    for pdf in ["request.pdf", "receipt.pdf"] {
        let path = format!("/demoville/account/requests/{reference}/{pdf}");
        assert_eq!(paul.get(&path).status, 404, "not another account's");
    }
    let theirs = paul.get("/demoville/account/export.pdf");
    let (text, _) = common::pdf_text(&theirs.bytes);
    assert!(
        text.contains("Demandes (0)") && !text.contains("Zoé"),
        "{text}"
    );
}

/// A request made signed in: the letter an agent makes of its step is
/// addressed to the postal address of the citizen's profile.
#[test]
fn a_letter_is_addressed_to_the_postal_address_of_the_requesters_account() {
    use common::agent::login;
    let smtp = Smtp::start();
    let server = server(&smtp);
    let mut zoe = open_account(&server, &smtp, "zoe.poste@example.fr");
    let saved = zoe.send(
        "/demoville/account/profile",
        "profile",
        &[
            ("civility", "Mme"),
            ("firstName", "Zoé"),
            ("lastName", "Postale"),
            ("street", "8 rue des Lilas"),
            ("postalCode", "75003"),
            ("town", "Démoville"),
        ],
    );
    assert!(saved.status < 400, "{}", saved.body);
    let sent = road_incident(&mut zoe, "Postale");
    tracking_code(&mut zoe, &sent);
    let paul = login(&server, "paul");
    let reference = common::agent::all(&paul.view("/demoville/backoffice/"), "request")[0]
        .attr("reference")
        .unwrap()
        .to_owned();
    let revision = paul.revision(&reference);
    let r = paul.command(
        &reference,
        &[
            ("command", "letter"),
            ("revision", &revision),
            ("send", "yes"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // Sent: the citizen finds it in their account too.
    let mine = zoe
        .get(&format!("/demoville/account/requests/{reference}"))
        .body;
    let href = format!("/demoville/account/requests/{reference}/files/1");
    assert!(
        mine.contains("Courriers et documents de la mairie") && mine.contains(&href),
        "{mine}"
    );
    let theirs = zoe.get(&href);
    assert_eq!(theirs.header("content-type"), Some("application/pdf"));
    let letter = paul.get(&format!(
        "/demoville/backoffice/requests/{reference}/files/1"
    ));
    let (text, _) = common::pdf_text(&letter.bytes);
    for expected in ["Madame Zoé Postale", "8 rue des Lilas", "75003 Démoville"] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    assert!(
        !text.contains("zoe@example.fr"),
        "the postal address, not the e-mail: {text}"
    );
}
