//! A workflow step calls the town's software: a signed POST queued with
//! the event, received by a real HTTP server started here that checks the
//! signature, fails once, then recovers; its answer moves the request on
//! and the citizen sees the step.

mod common;

use common::agent::login;
use common::{Server, envelope11, road_incident};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

const SECRET: &str = "secret-partagé-avec-le-sig-voirie";

/// One POST as the receiver saw it.
#[derive(Debug, Clone)]
struct Received {
    signature_valid: bool,
    call_id: String,
    content_type: String,
    body: String,
}

/// A receiver answering each POST with the next of `answers` (status,
/// body), recording what it got.
fn receiver(answers: Vec<(u16, &'static str)>) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/guichet/hook", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut answers = answers.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                headers.push(line.trim().to_owned());
            }
            let header = |name: &str| {
                headers
                    .iter()
                    .find_map(|h| {
                        let (k, v) = h.split_once(':')?;
                        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                    })
                    .unwrap_or_default()
            };
            let length: usize = header("content-length").parse().unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            // The receiver's check, as a town's developer writes it.
            let signature = header("guichet-signature");
            let (t, v1) = signature
                .split_once(',')
                .map(|(t, v)| {
                    (
                        t.trim_start_matches("t=").to_owned(),
                        v.trim_start_matches("v1=").to_owned(),
                    )
                })
                .unwrap_or_default();
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
            mac.update(format!("{t}.").as_bytes());
            mac.update(&body);
            let expected: String = mac
                .finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            record.lock().unwrap().push(Received {
                signature_valid: expected == v1,
                call_id: header("guichet-call"),
                content_type: header("content-type"),
                body: String::from_utf8_lossy(&body).into_owned(),
            });
            let (status, text) = answers.next().unwrap_or((500, "no more answers"));
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (url, seen)
}

/// The demo town's road incident, its `qualified` step calling `sig` and
/// waiting for its answer; `[calls.sig]` pointing at `url`.
fn configure(server: &Server, url: &str, body: &str) {
    let dir = server.data_dir.join("tenants/demoville");
    let settings = std::fs::read_to_string(dir.join("settings.toml")).unwrap_or_default();
    std::fs::write(
        dir.join("settings.toml"),
        format!("{settings}\n[calls.sig]\nurl = \"{url}\"\nsecret = \"{SECRET}\"\n"),
    )
    .unwrap();
    let text = guichet::core::builtin::definition("road-incident").unwrap();
    let start = text.find("<step id=\"qualified\"").unwrap();
    let end = start + text[start..].find('>').unwrap() + 1;
    let text = format!(
        "{}<onEnter><call target=\"sig\" body=\"{body}\"><on answer=\"scheduled\" to=\"scheduled\"/><on answer=\"not-ours\" to=\"not-ours\"/></call></onEnter>{}",
        &text[..end],
        &text[end..]
    );
    common::publish(server, "road-incident", &text);
    // Served within the tenants period, with the new settings.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let site = server.app.site("demoville").unwrap();
        if site.look.get().settings.calls.contains_key("sig")
            && site.tenant.service("road-incident").unwrap().version == 2
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "version 2 and [calls.sig] served"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

fn drain(server: &Server) {
    common::runtime()
        .block_on(guichet::notify::drain_outbox(&server.app))
        .unwrap();
}

fn status(server: &Server, code: &str) -> String {
    server
        .soap11(&envelope11(&format!(
            "<g:GetRequestStatus><g:trackingCode>{code}</g:trackingCode></g:GetRequestStatus>"
        )))
        .body
}

#[test]
fn a_step_calls_the_towns_software_which_fails_then_answers_and_the_request_moves_on() {
    let server = Server::start();
    let (url, seen) = receiver(vec![
        (503, "maintenance"),
        (
            200,
            r#"{"answer": "scheduled", "comment": "Équipe B lundi"}"#,
        ),
    ]);
    configure(&server, &url, "json");
    let r = server.soap11(&envelope11(&road_incident("Durand")));
    let reference = r.element("reference").unwrap();
    let code = r.element("trackingCode").unwrap();
    let paul = login(&server, "paul");
    assert_eq!(paul.act(&reference, "qualify").status, 303);

    // First try: the receiver is down; nothing moves, a retry is due.
    drain(&server);
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(status(&server, &code).contains("Signalement examiné"));
    drain(&server);
    assert_eq!(seen.lock().unwrap().len(), 1, "not before its retry time");

    // Past the backoff: it answers, and the step waiting for it goes on.
    server.advance_minutes(1);
    drain(&server);
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|r| r.signature_valid), "{got:?}");
    assert_eq!(got[0].call_id, got[1].call_id, "the same call, retried");
    assert_eq!(got[0].content_type, "application/json");
    let json: serde_json::Value = serde_json::from_str(&got[1].body).unwrap();
    assert_eq!(json["reference"], reference.as_str());
    assert_eq!(json["step"], "qualified");
    assert_eq!(json["service"], "road-incident");
    let citizen = status(&server, &code);
    assert!(citizen.contains("Intervention planifiée"), "{citizen}");
    // The history keeps the call and its answer, for the agents.
    let page = paul.get(&format!("/demoville/backoffice/requests/{reference}"));
    assert!(page.body.contains("Équipe B lundi"), "{}", page.body);
    assert!(page.body.contains("Réponse du logiciel"), "{}", page.body);
    // Nothing more to send.
    drain(&server);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[test]
fn a_call_may_post_the_request_file_and_a_forged_answer_code_moves_nothing() {
    let server = Server::start();
    let (url, seen) = receiver(vec![(200, r#"{"answer": "fly-away"}"#)]);
    configure(&server, &url, "file");
    let r = server.soap11(&envelope11(&road_incident("Martin")));
    let reference = r.element("reference").unwrap();
    let code = r.element("trackingCode").unwrap();
    let paul = login(&server, "paul");
    assert_eq!(paul.act(&reference, "qualify").status, 303);
    drain(&server);
    let got = seen.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert!(got[0].signature_valid);
    assert!(got[0].content_type.starts_with("application/xml"));
    common::assert_valid_against_served(
        &server,
        "/demoville/xsd/road-incident.xsd",
        &got[0].body,
        "the posted request file",
    );
    // An answer the step does not name is recorded, and the step stays.
    assert!(status(&server, &code).contains("Signalement examiné"));
    let page = paul.get(&format!("/demoville/backoffice/requests/{reference}"));
    assert!(page.body.contains("fly-away"), "{}", page.body);
}
