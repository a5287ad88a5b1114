//! Messages the town receives, end to end: SMS from the town's provider's
//! signed callback, and e-mail delivered by SMTP (aiosmtpd) into a mailbox
//! a real IMAP server (Dovecot) serves and Guichet reads over TLS — each a
//! reply on its request when it proves which one it answers, else an item
//! of the qualification queue, routed by the town's rules, acknowledged,
//! that an agent makes a request, adds to a request, forwards or files.

mod common;

use common::agent::{all, find, login, parse, post_typed};
use common::imap::Imap;
use common::sms::SmsDouble;
use common::smtp::Smtp;
use common::{HttpResponse, Server, TempDir, envelope11, runtime};

const SECRET: &str = "secret-du-fournisseur-sms";

/// The demo town receiving SMS (and sending them through `sms`), its
/// mailboxes given, its rules routing pavement words to the roads.
fn server(smtp: &str, sms: &SmsDouble, mailboxes: &str) -> Server {
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

[inbound]
sms_secret = "{SECRET}"
poll_seconds = 10

[[inbound.rules]]
keywords = ["trottoir", "nid de poule"]
department = "voirie"
service = "road-incident"

[[inbound.rules]]
keywords = ["naissance"]
department = "etat-civil"
{mailboxes}
"#,
        guichet::tenant::look::DEMO_SETTINGS,
        sms.port
    );
    std::fs::write(tenant.join("settings.toml"), settings).unwrap();
    let smtp = smtp.to_owned();
    let mut server = Server::start_configured(&dir.0, Default::default(), move |app| {
        app.config.smtp = Some(smtp);
        app.message_url = "https://guichet.demoville.example".into();
    });
    server.keep(dir);
    server
}

fn tenant_dir(server: &Server) -> std::path::PathBuf {
    server.data_dir.join("tenants/demoville")
}

fn sms(server: &Server, from: &str, text: &str, id: &str) -> HttpResponse {
    common::sms::received(server, SECRET, from, text, id)
}

/// Every text of an element and its children.
fn text_of(e: &guichet::xml::Element) -> String {
    let mut out = e.text.clone();
    for c in &e.children {
        out.push(' ');
        out.push_str(&text_of(c));
    }
    out
}

#[test]
fn an_sms_becomes_an_item_of_the_right_queue_then_a_request_and_the_next_one_a_reply() {
    let smtp = Smtp::start();
    let double = SmsDouble::start();
    let server = server(&smtp.url(), &double, "");
    // Unsigned, badly signed, or with a wrong key: refused, nothing kept.
    let unsigned = post_typed(
        &server,
        "/demoville/inbound/sms",
        "",
        "application/x-www-form-urlencoded",
        b"from=0655555555&text=bonjour",
        "",
    );
    assert_eq!(unsigned.status, 401, "{}", unsigned.body);
    let forged = post_typed(
        &server,
        "/demoville/inbound/sms",
        "",
        "application/x-www-form-urlencoded",
        b"from=0655555555&text=bonjour",
        "Guichet-Signature: t=1,v1=00\r\n",
    );
    assert_eq!(forged.status, 401);
    let wrong_key = post_typed(
        &server,
        "/demoville/inbound/sms?key=devine",
        "",
        "application/json",
        br#"{"from": "0655555555", "text": "bonjour"}"#,
        "",
    );
    assert_eq!(wrong_key.status, 401);
    let paul = login(&server, "paul");
    assert!(all(&paul.view("/demoville/backoffice/inbound"), "message").is_empty());

    // Routed to the roads by its words, acknowledged by SMS, kept once.
    let r = sms(
        &server,
        "+33 6 55 55 55 55",
        "Le trottoir est défoncé devant le 3 rue des Lilas",
        "sms-1",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(common::sms::status_of(&r), "queued");
    assert_eq!(
        common::sms::status_of(&sms(
            &server,
            "+33655555555",
            "Le trottoir est défoncé",
            "sms-1"
        )),
        "duplicate"
    );
    common::drain_outbox(&server);
    let sent = double.bodies();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].contains("bien re") && sent[0].contains("655555555"),
        "{sent:?}"
    );

    let queue = paul.get("/demoville/backoffice/inbound?format=xml");
    common::assert_valid(&common::view_xsd(), &queue.body, "the queue");
    let queue = parse(&queue.body);
    let messages = all(&queue, "message");
    assert_eq!(messages.len(), 1);
    let message = messages[0];
    assert_eq!(message.attr("channel"), Some("sms"));
    assert_eq!(find(message, "sender").unwrap().text, "0655555555");
    assert_eq!(
        find(message, "department").unwrap().attr("code"),
        Some("voirie")
    );
    let page = message.attr("href").unwrap().to_owned();
    let id = page.rsplit('/').next().unwrap().to_owned();
    common::assert_valid(
        &common::view_xsd(),
        &paul.get(&format!("{page}?format=xml")).body,
        "a message's page",
    );
    let view = paul.view(&page);
    let suggested: Vec<&str> = all(&view, "service")
        .iter()
        .filter(|s| s.attr("suggested") == Some("true"))
        .map(|s| s.attr("code").unwrap())
        .collect();
    assert_eq!(suggested, vec!["road-incident"]);
    // Civil status reads neither the roads' queue nor its messages.
    let marie = login(&server, "marie");
    assert!(all(&marie.view("/demoville/backoffice/inbound"), "message").is_empty());
    assert_eq!(marie.get(&page).status, 403);

    // Made a request at the SMS intake desk: its sender and text filled in.
    let r = paul.get(&format!(
        "/demoville/backoffice/intake?inbound={id}&service=road-incident"
    ));
    assert_eq!(r.status, 303);
    let form = format!("/demoville/backoffice/intake/sms/services/road-incident?inbound={id}");
    assert_eq!(r.header("location"), Some(form.as_str()));
    let html = paul.get(&form).body;
    assert!(html.contains(r#"value="0655555555""#), "the sender's phone");
    assert!(html.contains("Le trottoir est défoncé devant le 3 rue des Lilas"));
    assert!(
        html.contains(&format!("services/road-incident?inbound={id}\"")),
        "the form posts back with its message"
    );
    let token = common::form_token(&html);
    let fields = [
        ("_token", token.as_str()),
        ("requester.firstName", "Hugo"),
        ("requester.lastName", "Texto"),
        ("requester.phone", "06 55 55 55 55"),
        ("category", "sidewalk"),
        ("location.street", "3 rue des Lilas"),
        ("location.postalCode", "75002"),
        ("location.town", "Démoville"),
        (
            "description",
            "Le trottoir est défoncé devant le 3 rue des Lilas",
        ),
        ("observedOn", "2026-11-20"),
    ];
    let sent = paul.post(&form, &fields);
    assert_eq!(sent.status, 303, "{}", sent.body);
    let location = sent.header("location").unwrap().to_owned();
    assert!(
        location.starts_with("/demoville/backoffice/requests/"),
        "{location}"
    );
    let reference = location
        .trim_start_matches("/demoville/backoffice/requests/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let request = paul.request(&reference);
    assert_eq!(find(&request, "channel").unwrap().attr("code"), Some("sms"));
    assert_eq!(
        find(&request, "origin-message").and_then(|m| m.attr("href")),
        Some(page.as_str()),
        "the request leads to the message it was made of"
    );
    assert!(all(&paul.view("/demoville/backoffice/inbound"), "message").is_empty());
    let made = paul.view(&page);
    assert_eq!(
        find(&made, "message").unwrap().attr("state"),
        Some("request")
    );
    assert_eq!(find(&made, "request").unwrap().text, reference);
    assert!(find(&made, "actions").is_none(), "no more answers");
    // Sent again (a second tab): refused with the reason, nothing stored.
    let again = paul.post(&form, &fields);
    assert_eq!(again.status, 422, "{}", again.body);
    assert!(again.body.contains("déjà été traité"), "{}", again.body);
    assert_eq!(
        find(&paul.view("/demoville/backoffice/?state=all"), "console")
            .unwrap()
            .attr("total"),
        Some("1")
    );

    // The same phone writing the reference: a reply on that request.
    let r = sms(
        &server,
        "06.55.55.55.55",
        &format!("Pour la demande {reference} : c'est devant le numéro 3."),
        "sms-2",
    );
    assert_eq!(common::sms::status_of(&r), "replied", "{}", r.body);
    let request = paul.request(&reference);
    assert!(
        text_of(&request).contains("c'est devant le numéro 3"),
        "the reply in the request's history"
    );
    // The reference alone from another phone proves nothing: queued.
    let r = sms(
        &server,
        "07 11 11 11 11",
        &format!("{reference} moi aussi j'ai vu ce trottoir"),
        "sms-3",
    );
    assert_eq!(common::sms::status_of(&r), "queued");
    // A provider that signs nothing sends the secret as its key, in JSON;
    // no rule holds: routed to no department, every agent's queue.
    let r = post_typed(
        &server,
        &format!("/demoville/inbound/sms?key={SECRET}"),
        "",
        "application/json",
        br#"{"from": "0612121212", "text": "Bonjour, quels sont vos horaires ?", "id": 77}"#,
        "",
    );
    assert_eq!(common::sms::status_of(&r), "queued", "{}", r.body);
    let queue = marie.view("/demoville/backoffice/inbound");
    let unrouted = all(&queue, "message");
    assert_eq!(unrouted.len(), 1, "marie sees the unrouted one only");
    let question = unrouted[0].attr("href").unwrap().to_owned();
    // Forwarded by Paul to civil status, filed there by Marie.
    let other = all(&paul.view("/demoville/backoffice/inbound"), "message")
        .iter()
        .find(|m| find(m, "sender").unwrap().text == "0711111111")
        .map(|m| m.attr("href").unwrap().to_owned())
        .unwrap();
    let r = paul.post_form(&other, &[("do", "forward"), ("department", "etat-civil")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.header("location"),
        Some("/demoville/backoffice/inbound?done=forwarded")
    );
    assert_eq!(paul.get(&other).status, 403, "not the roads' any more");
    assert_eq!(
        all(&marie.view("/demoville/backoffice/inbound"), "message").len(),
        2
    );
    let r = marie.post_form(&other, &[("do", "file")]);
    assert_eq!(
        r.header("location"),
        Some("/demoville/backoffice/inbound?done=filed")
    );
    let r = marie.post_form(&other, &[("do", "file")]);
    assert_eq!(
        r.header("location"),
        Some("/demoville/backoffice/inbound?done=gone")
    );
    // Added by hand to a request Marie does not read: refused.
    let r = marie.post_form(&question, &[("do", "reply"), ("reference", &reference)]);
    assert_eq!(
        r.header("location"),
        Some(format!("{question}?error=reference").as_str())
    );
    assert_eq!(common::journal(&server, "inbound-forwarded").len(), 1);
    assert_eq!(common::journal(&server, "inbound-filed").len(), 1);
    let replied = common::journal(&server, "inbound-replied");
    assert_eq!(replied.len(), 1);
    assert_eq!(replied[0].actor, "system:inbound-sms");
    // Every acknowledgement went by SMS: the three queued ones.
    common::drain_outbox(&server);
    assert_eq!(
        double
            .bodies()
            .iter()
            .filter(|b| b.contains("bien re"))
            .count(),
        3
    );
}

#[test]
fn an_email_delivered_by_smtp_is_read_over_imap_as_a_reply_with_its_file_or_queued() {
    // The citizens' mail (what Guichet sends) and the town's mailbox (what
    // citizens send to the town, served by Dovecot) are two servers.
    let outgoing = Smtp::start();
    let town_mx = Smtp::start();
    let imap = Imap::start(&town_mx.maildir);
    let double = SmsDouble::start();
    let mailboxes = format!(
        "\n[[inbound.mailboxes]]\nname = \"mairie\"\nurl = \"{}\"\nca_file = \"imap-ca.pem\"\n",
        imap.url()
    );
    let server = server(&outgoing.url(), &double, &mailboxes);
    std::fs::copy(&imap.ca, tenant_dir(&server).join("imap-ca.pem")).unwrap();
    let read = || runtime().block_on(guichet::inbound::read_mailboxes(&server.app));
    assert_eq!(read(), 0, "an empty mailbox");

    // A request, acknowledged by e-mail: the acknowledgement's Message-ID
    // carries the request's reply token.
    let road = common::road_incident("Courriel");
    let r = server.soap11(&envelope11(&road));
    assert_eq!(r.status, 200, "{}", r.body);
    let reference = r.element("reference").unwrap();
    common::drain_outbox(&server);
    let ack = outgoing.to("zoe@example.fr");
    assert_eq!(ack.len(), 1);
    let ack_id = ack[0].message_id.clone();
    assert!(ack_id.contains(&reference), "{ack_id}");

    // Zoé answers from her mail program, a PDF attached; another writes
    // about a pothole with no reference; a third quotes the reference from
    // another address.
    let send = |from: &str, subject: &str, text: &str, in_reply_to: Option<&str>, pdf: bool| {
        use lettre::message::{Attachment, MultiPart, SinglePart, header::ContentType};
        let mut builder = lettre::Message::builder()
            .from(from.parse().unwrap())
            .to("mairie@demoville.example".parse().unwrap())
            .subject(subject);
        if let Some(id) = in_reply_to {
            builder = builder.in_reply_to(id.to_owned()).references(id.to_owned());
        }
        let message = if pdf {
            builder
                .multipart(
                    MultiPart::mixed()
                        .singlepart(SinglePart::plain(text.to_owned()))
                        .singlepart(Attachment::new("plan.pdf".into()).body(
                            guichet::core::files::SAMPLE_PDF.to_vec(),
                            ContentType::parse("application/pdf").unwrap(),
                        )),
                )
                .unwrap()
        } else {
            builder.body(text.to_owned()).unwrap()
        };
        use lettre::Transport;
        lettre::SmtpTransport::builder_dangerous("127.0.0.1")
            .port(town_mx.port)
            .build()
            .send(&message)
            .unwrap();
    };
    send(
        "Zoé Courriel <zoe@example.fr>",
        &format!("Re: {}", ack[0].subject),
        &format!(
            "Voici le plan de l'endroit.\n\nLe 22/11/2026, Mairie a écrit :\n> Votre demande {reference} est enregistrée"
        ),
        Some(&ack_id),
        true,
    );
    send(
        "Basile Passant <basile@example.fr>",
        "Un nid de poule",
        "Il y a un nid de poule énorme avenue de la Gare.",
        None,
        false,
    );
    send(
        "Intrus <intrus@example.fr>",
        &format!("A propos de {reference}"),
        "Je voudrais ajouter un commentaire.",
        None,
        false,
    );
    {
        let site = server.app.site("demoville").unwrap();
        let look = site.look.get();
        let mailbox = &look.settings.inbound.mailboxes[0];
        let direct = runtime().block_on(guichet::inbound::imap::read(&server.app, &site, mailbox));
        assert_eq!(
            direct,
            Ok(3),
            "three messages read over IMAP: {}",
            imap.log()
        );
    }
    assert_eq!(read(), 0, "each once: marked seen");

    // Zoé's answer is on her request, her file with it.
    let paul = login(&server, "paul");
    let request = paul.request(&reference);
    let text = text_of(&request);
    assert!(text.contains("Voici le plan de l'endroit."), "her reply");
    assert!(!text.contains("a écrit"), "without the quoted message");
    let files = all(&request, "file");
    assert!(
        files.iter().any(|f| text_of(f).contains("plan.pdf")),
        "her file joined the request"
    );
    // The two others wait in the roads' queue (the pothole by its words,
    // the other routed nowhere), each acknowledged by e-mail.
    let queue = paul.view("/demoville/backoffice/inbound");
    let senders: Vec<String> = all(&queue, "message")
        .iter()
        .map(|m| find(m, "sender").unwrap().text.clone())
        .collect();
    assert_eq!(senders.len(), 2, "{senders:?}");
    assert!(senders.iter().any(|s| s.contains("basile@example.fr")));
    assert!(senders.iter().any(|s| s.contains("intrus@example.fr")));
    common::drain_outbox(&server);
    for who in ["basile@example.fr", "intrus@example.fr"] {
        let got = outgoing.to(who);
        assert_eq!(got.len(), 1, "{who} acknowledged");
        assert!(got[0].subject.contains("bien reçu"), "{}", got[0].subject);
    }
    assert!(
        !outgoing.to("zoe@example.fr").is_empty(),
        "no acknowledgement of a reply beyond the request's own messages"
    );
    // Made a request at the e-mail desk: the sender's address and name.
    let basile = all(&queue, "message")
        .iter()
        .find(|m| find(m, "sender").unwrap().text.contains("basile"))
        .map(|m| m.attr("href").unwrap().to_owned())
        .unwrap();
    let id = basile.rsplit('/').next().unwrap();
    let r = paul.get(&format!(
        "/demoville/backoffice/intake?inbound={id}&service=road-incident"
    ));
    let form = r.header("location").unwrap().to_owned();
    assert!(
        form.starts_with("/demoville/backoffice/intake/email/"),
        "{form}"
    );
    let html = paul.get(&form).body;
    for value in ["basile@example.fr", "Basile", "Passant"] {
        assert!(html.contains(&format!(r#"value="{value}""#)), "{value}");
    }
}
