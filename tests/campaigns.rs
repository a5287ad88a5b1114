//! Lists and campaigns, end to end: people join the town's list by an SMS
//! keyword (the provider's signed callback), by the alerts page (an e-mail
//! confirmed by the link a real SMTP server received) and at the counter;
//! an agent of the list's department writes an SMS campaign in the back
//! office, the sender hands it to the provider (a local double), the
//! provider's signed receipts are counted per recipient; STOP leaves every
//! list; an e-mail campaign carries its one-click link to leave the list.

mod common;

use common::agent::{all, find, login, parse, post_typed};
use common::sms::SmsDouble;
use common::smtp::Smtp;
use common::{HttpResponse, Server, TempDir, runtime};

const SECRET: &str = "secret-du-fournisseur-sms";
const PUBLIC: &str = "https://guichet.demoville.example";

fn server(smtp: &str, sms: &SmsDouble) -> Server {
    let dir = TempDir::new();
    let tenant = dir.0.join("tenants/demoville");
    std::fs::create_dir_all(&tenant).unwrap();
    let settings = format!(
        r#"{}
[mail]
from = "Mairie de Démoville <ne-pas-repondre@demoville.example>"

[sms]
url = "http://127.0.0.1:{}/v1/sms"
sender = "Demoville"
body = '{{"to": "{{to}}", "from": "{{from}}", "text": "{{text}}", "ref": "{{ref}}"}}'

[inbound]
sms_secret = "{SECRET}"
sms_number = "06 00 00 00 00"
"#,
        guichet::tenant::look::DEMO_SETTINGS,
        sms.port
    );
    std::fs::write(tenant.join("settings.toml"), settings).unwrap();
    let smtp = smtp.to_owned();
    let mut server = Server::start_configured(&dir.0, Default::default(), move |app| {
        app.config.smtp = Some(smtp);
        app.message_url = PUBLIC.into();
    });
    server.keep(dir);
    server
}

fn sms(server: &Server, from: &str, text: &str, id: &str) -> HttpResponse {
    common::sms::received(server, SECRET, from, text, id)
}

fn receipt(server: &Server, reference: &str, status: &str) -> HttpResponse {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("ref", reference)
        .append_pair("status", status)
        .finish();
    common::sms::signed_post(server, "/demoville/inbound/sms/receipts", SECRET, &body)
}

/// One round of the campaigns' sender: how many sends it took.
fn send(server: &Server) -> usize {
    runtime()
        .block_on(guichet::notify::campaigns::run(&server.app))
        .unwrap()
}

/// The public page's form posted as a browser does.
fn post_page(server: &Server, path: &str, fields: &[(&str, &str)]) -> HttpResponse {
    post_typed(
        server,
        path,
        "",
        "application/x-www-form-urlencoded",
        &common::agent::form(fields),
        "Sec-Fetch-Site: same-origin\r\n",
    )
}

fn figure(view: &guichet::xml::Element, name: &str) -> String {
    find(view, "campaign")
        .and_then(|c| c.attr(name))
        .unwrap_or_else(|| panic!("no {name}"))
        .to_owned()
}

#[test]
fn a_list_joined_by_sms_web_and_counter_gets_a_campaign_whose_receipts_are_counted() {
    let smtp = Smtp::start();
    let double = SmsDouble::start();
    let server = server(&smtp.url(), &double);

    // By SMS: the keyword alone subscribes, said once by SMS; the same SMS
    // again changes nothing; a message merely mentioning works is a message.
    let r = sms(&server, "+33 6 11 11 11 11", "TRAVAUX", "k-1");
    assert_eq!(
        (r.status, common::sms::status_of(&r)),
        (200, "subscribed".into()),
        "{}",
        r.body
    );
    assert_eq!(
        common::sms::status_of(&sms(&server, "0611111111", "travaux", "k-2")),
        "subscribed"
    );
    assert_eq!(
        common::sms::status_of(&sms(&server, "0622222222", "Travaux", "k-3")),
        "subscribed"
    );
    assert_eq!(
        common::sms::status_of(&sms(
            &server,
            "0644444444",
            "Des travaux bruyants rue des Lilas",
            "k-4"
        )),
        "queued"
    );
    common::drain_outbox(&server);
    let welcomes: Vec<String> = double
        .bodies()
        .into_iter()
        .filter(|b| b.contains("inscrit"))
        .collect();
    assert_eq!(welcomes.len(), 2, "{:?}", double.bodies());
    assert!(
        welcomes
            .iter()
            .any(|w| w.contains("+33611111111") && w.contains("STOP")),
        "{welcomes:?}"
    );

    // By the web: each bad field said next to it, nothing kept.
    let page = server.get("/demoville/alerts?format=xml");
    assert_eq!(page.status, 200);
    common::assert_valid(&common::view_xsd(), &page.body, "the alerts page");
    let view = parse(&page.body);
    let lists: Vec<&str> = all(&view, "list")
        .iter()
        .map(|l| l.attr("code").unwrap())
        .collect();
    assert_eq!(lists, vec!["travaux", "culture"]);
    let html = server.get("/demoville/alerts").body;
    assert!(
        html.contains("06 00 00 00 00") && html.contains("TRAVAUX"),
        "how to join by SMS"
    );
    let token = common::form_token(&html);
    let bad = post_page(
        &server,
        "/demoville/alerts",
        &[("_token", &token), ("email", "pas-une-adresse")],
    );
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("au moins une liste") && bad.body.contains("adresse électronique valide"),
        "{}",
        bad.body
    );
    let ok = post_page(
        &server,
        "/demoville/alerts",
        &[
            ("_token", &token),
            ("list", "travaux"),
            ("email", "Ana@Example.fr"),
        ],
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("lien de confirmation"), "{}", ok.body);
    common::drain_outbox(&server);
    let mails = smtp.to("ana@example.fr");
    assert_eq!(mails.len(), 1);
    let prefix = format!("{PUBLIC}/demoville/alerts/confirm/");
    let at = mails[0].text.find(&prefix).expect("the confirmation link") + PUBLIC.len();
    let link: String = mails[0].text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let confirmed = server.get(&link);
    assert_eq!(confirmed.status, 200);
    assert!(
        confirmed.body.contains("est confirmée"),
        "{}",
        confirmed.body
    );
    assert_eq!(
        server
            .get("/demoville/alerts/confirm/0123456789abcdef0123456789abcdef")
            .status,
        404
    );

    // At the counter, by an agent who handles requests: audited; a
    // landline refused next to its field.
    let paul = login(&server, "paul");
    let r = paul.post_form(
        "/demoville/backoffice/campaigns",
        &[
            ("list", "travaux"),
            ("channel", "sms"),
            ("address", "01 23 45 67 89"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("téléphone mobile"), "{}", r.body);
    let r = paul.post_form(
        "/demoville/backoffice/campaigns",
        &[
            ("list", "travaux"),
            ("channel", "sms"),
            ("address", "06 33 33 33 33"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(common::journal(&server, "subscriber-added").len(), 1);
    let lists = paul.get("/demoville/backoffice/campaigns?format=xml");
    common::assert_valid(&common::view_xsd(), &lists.body, "the lists and campaigns");
    let lists = parse(&lists.body);
    let travaux = all(&lists, "list")
        .into_iter()
        .find(|l| l.attr("code") == Some("travaux"))
        .unwrap();
    assert_eq!(
        (travaux.attr("sms"), travaux.attr("email")),
        (Some("3"), Some("1"))
    );

    // Only the list's department writes to it.
    let marie = login(&server, "marie");
    assert_eq!(marie.get("/demoville/backoffice/campaigns/new").status, 403);

    // Checked and counted before it goes: too long, then right.
    let new = paul.get("/demoville/backoffice/campaigns/new?format=xml");
    common::assert_valid(&common::view_xsd(), &new.body, "a new campaign");
    let long = "Travaux rue des Lilas. ".repeat(30);
    let r = paul.post_form(
        "/demoville/backoffice/campaigns/new",
        &[
            ("list", "travaux"),
            ("channel", "sms"),
            ("text", &long),
            ("do", "send"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("dépasse 3 SMS"), "{}", r.body);
    let text = "Démoville : la rue des Lilas sera fermée lundi de 8 h à 18 h.";
    let r = paul.post_form(
        "/demoville/backoffice/campaigns/new?format=xml",
        &[
            ("list", "travaux"),
            ("channel", "sms"),
            ("text", text),
            ("do", "preview"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let preview = parse(&r.body);
    let preview = find(&preview, "preview").expect("a preview");
    assert_eq!(
        (preview.attr("recipients"), preview.attr("parts")),
        (Some("3"), Some("1"))
    );
    let r = paul.post_form(
        "/demoville/backoffice/campaigns/new",
        &[
            ("list", "travaux"),
            ("channel", "sms"),
            ("text", text),
            ("do", "send"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let campaign = r.header("location").unwrap().to_owned();
    assert_eq!(common::journal(&server, "campaign-created").len(), 1);

    // Sent through the provider, each with its reference.
    let before = double.bodies().len();
    assert_eq!(send(&server), 3);
    let sent: Vec<String> = double.bodies()[before..].to_vec();
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|b| b.contains("rue des Lilas")), "{sent:?}");
    let refs: Vec<String> = sent
        .iter()
        .map(|b| {
            let v: serde_json::Value = serde_json::from_str(b).unwrap();
            v["ref"].as_str().unwrap().to_owned()
        })
        .collect();
    assert!(refs.iter().all(|r| r.starts_with('g')), "{refs:?}");
    assert_eq!(send(&server), 0, "each sent once");
    let view = paul.view(&campaign);
    assert_eq!(
        (figure(&view, "recipients"), figure(&view, "sent")),
        ("3".into(), "3".into())
    );

    // Receipts: proven, by reference; delivered or failed, counted.
    let unsigned = post_typed(
        &server,
        "/demoville/inbound/sms/receipts",
        "",
        "application/x-www-form-urlencoded",
        format!("ref={}&status=DELIVRD", refs[0]).as_bytes(),
        "",
    );
    assert_eq!(unsigned.status, 401);
    assert_eq!(
        common::sms::status_of(&receipt(&server, &refs[0], "DELIVRD")),
        "delivered"
    );
    assert_eq!(
        common::sms::status_of(&receipt(&server, &refs[1], "UNDELIV")),
        "failed"
    );
    assert_eq!(
        common::sms::status_of(&receipt(&server, &refs[2], "buffered")),
        "pending"
    );
    assert_eq!(receipt(&server, "g999999", "DELIVRD").status, 404);
    let page = paul.get(&format!("{campaign}?format=xml"));
    common::assert_valid(&common::view_xsd(), &page.body, "a campaign's page");
    let view = parse(&page.body);
    assert_eq!(
        (
            figure(&view, "delivered"),
            figure(&view, "failed"),
            figure(&view, "sent")
        ),
        ("1".into(), "1".into(), "1".into())
    );
    assert_eq!(figure(&view, "percent"), "50");
    assert_eq!(all(&view, "recipient").len(), 3);

    // STOP: every list left, told by SMS; the next campaign skips them.
    assert_eq!(
        common::sms::status_of(&sms(&server, "+33611111111", "STOP", "k-5")),
        "stopped"
    );
    common::drain_outbox(&server);
    let bodies = double.bodies();
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("sinscription") && b.contains("+33611111111")),
        "told by SMS: {bodies:?}"
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("inscrit") && b.contains("+33633333333")),
        "the person subscribed at the counter told by SMS"
    );
    // The provider down: tried again later, then sent.
    *double.status.lock().unwrap() = 503;
    let r = paul.post_form(
        "/demoville/backoffice/campaigns/new",
        &[
            ("list", "travaux"),
            ("channel", "sms"),
            ("text", "Rue des Lilas rouverte."),
            ("do", "send"),
        ],
    );
    assert_eq!(r.status, 303);
    let second = r.header("location").unwrap().to_owned();
    assert_eq!(send(&server), 2);
    let view = paul.view(&second);
    assert_eq!(
        (figure(&view, "recipients"), figure(&view, "queued")),
        ("2".into(), "2".into())
    );
    assert_eq!(send(&server), 0, "not before its time");
    *double.status.lock().unwrap() = 200;
    server.advance_minutes(1);
    assert_eq!(send(&server), 2);
    let view = paul.view(&second);
    assert_eq!(
        (figure(&view, "sent"), figure(&view, "queued")),
        ("2".into(), "0".into())
    );
    assert_eq!(
        find(&view, "status").map(|s| s.attr("code")),
        Some(Some("sent"))
    );

    // By e-mail: the town's message with its link to leave the list, in
    // List-Unsubscribe too (one click, RFC 8058).
    let admin = login(&server, "admin");
    let r = admin.post_form(
        "/demoville/backoffice/campaigns/new",
        &[
            ("list", "travaux"),
            ("channel", "email"),
            ("subject", "Travaux rue des Lilas"),
            ("text", "La rue des Lilas sera fermée lundi."),
            ("do", "send"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(send(&server), 1);
    let mails = smtp.to("ana@example.fr");
    // The campaign's, whichever order the mailbox lists them in.
    let mail = mails
        .iter()
        .find(|m| m.subject == "Travaux rue des Lilas")
        .unwrap_or_else(|| panic!("the campaign's e-mail: {mails:?}"));
    assert!(
        mail.text.contains("La rue des Lilas sera fermée lundi.")
            && mail.text.contains("Travaux et circulation")
    );
    let leave = mail
        .list_unsubscribe
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    assert!(
        leave.starts_with(&format!("{PUBLIC}/demoville/alerts/leave/")),
        "{leave}"
    );
    assert_eq!(mail.list_unsubscribe_post, "List-Unsubscribe=One-Click");
    assert!(mail.text.contains(&leave));
    let path = &leave[PUBLIC.len()..];
    let form = server.get(path);
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("Me désinscrire"),
        "a button: a link scanner leaves nothing"
    );
    // The mail client's one-click POST, from its own servers.
    let left = post_typed(
        &server,
        path,
        "",
        "application/x-www-form-urlencoded",
        b"List-Unsubscribe=One-Click",
        "",
    );
    assert_eq!(left.status, 200, "{}", left.body);
    assert!(left.body.contains("désinscrit"));
    let lists = parse(&paul.get("/demoville/backoffice/campaigns?format=xml").body);
    let travaux = all(&lists, "list")
        .into_iter()
        .find(|l| l.attr("code") == Some("travaux"))
        .unwrap();
    assert_eq!(
        (travaux.attr("sms"), travaux.attr("email")),
        (Some("2"), Some("0"))
    );

    // What the town holds of her, for her request for access (GDPR art.
    // 15): her subscription, left but kept, in the export, and journaled.
    let r = admin.post_form(
        "/demoville/backoffice/admin/people/export",
        &[("q", "ana@example.fr")],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let data: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
    let held = data["subscriptions"].as_array().unwrap();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(
        (
            &held[0]["list"],
            &held[0]["channel"],
            &held[0]["state"],
            &held[0]["source"]
        ),
        (
            &serde_json::json!("travaux"),
            &serde_json::json!("email"),
            &serde_json::json!("stopped"),
            &serde_json::json!("web")
        )
    );
    assert_eq!(held[0]["list_name"], "Travaux et circulation");
    assert!(
        common::journal(&server, "person-exported")[0]
            .detail
            .ends_with("1 subscriptions")
    );
}
