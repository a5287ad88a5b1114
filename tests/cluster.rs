//! Two Guichet nodes on one PostgreSQL database, as `guichet serve`
//! processes: a load of submits and agents' actions spread across both, one
//! node killed with SIGKILL in the middle of it. Every acknowledged request
//! is stored once, references stay gapless, each message is sent exactly
//! once (counted at a real SMTP server), and a town's colours changed on one
//! node show on the other.
//!
//! The node that dies sends through an SMTP server that never answers the
//! end of a message: every delivery it claims is in flight when it dies, and
//! must be sent by the other node once the claim has run out — never twice.

mod common;

use common::agent::{Node, Target, find, login};
use common::postgres::{Database, run_query};
use common::smtp::{Smtp, free_port};
use common::{TEST_SECRET, envelope11, road_incident};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An SMTP server that takes a message and never says whether it got it;
/// and how many messages it holds so.
fn hung_smtp() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&held);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counted = Arc::clone(&counted);
            std::thread::spawn(move || {
                let mut out = stream.try_clone().unwrap();
                let mut lines = BufReader::new(stream);
                let _ = out.write_all(b"220 hung ESMTP\r\n");
                let mut line = String::new();
                let mut in_data = false;
                while lines.read_line(&mut line).is_ok_and(|n| n > 0) {
                    let command = line.trim_end().to_ascii_uppercase();
                    if in_data {
                        if command == "." {
                            counted.fetch_add(1, Ordering::SeqCst);
                            // The message is in; its answer never comes.
                            std::thread::sleep(Duration::from_secs(3600));
                        }
                    } else if command.starts_with("EHLO") {
                        let _ = out.write_all(b"250-hung\r\n250 8BITMIME\r\n");
                    } else if command == "DATA" {
                        in_data = true;
                        let _ = out.write_all(b"354 go on\r\n");
                    } else if command == "QUIT" {
                        let _ = out.write_all(b"221 bye\r\n");
                        return;
                    } else {
                        let _ = out.write_all(b"250 ok\r\n");
                    }
                    line.clear();
                }
            });
        }
    });
    (port, held)
}

struct Guichet {
    child: Child,
    node: Node,
    _dir: common::TempDir,
}

impl Guichet {
    fn start(database: &str, smtp: &str) -> Guichet {
        let dir = common::TempDir::new();
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_guichet"))
            .args(["serve", "--durability", "normal", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(&dir.0)
            .args([
                "--smtp",
                smtp,
                "--outbox-seconds",
                "1",
                "--claim-seconds",
                "4",
            ])
            .args(["--tenant-seconds", "1"])
            .env("GUICHET_DATABASE", database)
            .env("GUICHET_SECRET", TEST_SECRET)
            .env("GUICHET_LOG", "warn")
            .env("GUICHET_RATE_LIMITS", "off")
            .spawn()
            .unwrap();
        let node = Node(SocketAddr::from(([127, 0, 0, 1], port)));
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(node.0).is_err() {
            assert!(Instant::now() < deadline, "guichet did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Guichet {
            child,
            node,
            _dir: dir,
        }
    }
}

/// Submits a road incident to `node`; its reference if acknowledged (a
/// node killed meanwhile acknowledges nothing).
fn submit(node: &Node, name: &str) -> Option<String> {
    let body = envelope11(&road_incident(name));
    let request = format!(
        "POST /demoville/soap HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let answer = std::panic::catch_unwind(|| node.raw(request.as_bytes())).ok()?;
    (answer.status == 200)
        .then(|| answer.element("reference"))
        .flatten()
}

impl Drop for Guichet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn two_nodes_share_one_database_and_one_dies_mid_load_losing_nothing() {
    let database = Database::new("cluster");
    let smtp = Smtp::start();
    let (hung_port, held) = hung_smtp();
    let hung = format!("smtp://127.0.0.1:{hung_port}");
    let a = Guichet::start(database.url(), &hung);
    let b = Guichet::start(database.url(), &smtp.url());

    // An administrator changes the town's colours on A; B shows them.
    let admin = login(&a.node, "admin");
    let path = "/demoville/backoffice/admin/settings";
    let page = admin.view(path);
    let token = find(&page, "settings-edit")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    let saved = admin.post(
        path,
        &[
            ("_token", token.as_str()),
            ("name", "Ville de Démoville"),
            ("site_url", ""),
            ("colour-primary", "#18753c"),
            ("colour-primary_text", "#ffffff"),
            ("colour-accent", "#e1000f"),
            ("colour-background", "#ffffff"),
            ("colour-text", "#1e1e1e"),
            ("colour-error", "#ce0500"),
            ("mail_from", "Mairie <ne-pas-repondre@demoville.example>"),
            ("reply_to", ""),
            ("reminder_percent", "66"),
            ("admin_after_days", "2"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    wait_for("B to show A's colours", Duration::from_secs(10), || {
        b.node
            .get("/demoville/assets/theme.css")
            .body
            .contains("--g-primary: #18753c")
    });

    // The load: four clients submitting to both nodes in turn, an agent
    // acting on what they got, A killed in the middle.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let nodes = Arc::new([a.node.0, b.node.0]);
    let clients: Vec<_> = (0..4)
        .map(|client| {
            let (acknowledged, nodes) = (Arc::clone(&acknowledged), Arc::clone(&nodes));
            std::thread::spawn(move || {
                for i in 0..30 {
                    let node = Node(nodes[(client + i) % 2]);
                    if let Some(reference) = submit(&node, &format!("Client{client}-{i}")) {
                        acknowledged.lock().unwrap().push(reference);
                    }
                    // A steady load over a few seconds, so that both
                    // nodes' outbox workers run during it.
                    std::thread::sleep(Duration::from_millis(40));
                }
            })
        })
        .collect();
    // The voirie agent qualifies requests, on whichever node answers.
    let paul_b = login(&b.node, "paul");
    let mut acted = Vec::new();
    let mut a = Some(a);
    let started = Instant::now();
    while clients.iter().any(|c| !c.is_finished()) || acted.len() < 10 {
        let next = acknowledged
            .lock()
            .unwrap()
            .iter()
            .find(|r| !acted.contains(*r))
            .cloned();
        if let Some(reference) = next {
            let r = paul_b.act(&reference, "qualify");
            assert_eq!(r.status, 303, "qualify {reference}: {}", r.body);
            acted.push(reference);
        }
        // Killed once it is in the middle of sending (or, if it never
        // got to send, late in the load: then the check below fails).
        let sending = held.load(Ordering::SeqCst) > 0;
        if a.is_some()
            && acknowledged.lock().unwrap().len() >= 40
            && (sending || started.elapsed() > Duration::from_secs(20))
        {
            let mut killed = a.take().unwrap();
            killed.child.kill().unwrap(); // SIGKILL
            killed.child.wait().unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the load took too long"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    for c in clients {
        c.join().unwrap();
    }
    assert!(a.is_none(), "A was killed during the load");
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 60,
        "{} acknowledged",
        acknowledged.len()
    );

    // Every acknowledged request is there, once; references are gapless.
    let numbers = run_query(
        database.url(),
        "SELECT number FROM requests ORDER BY number",
    );
    let expected: Vec<i64> = (1..=numbers.len() as i64).collect();
    assert_eq!(numbers, expected, "gapless references");
    for reference in &acknowledged {
        let number: i64 = reference.split('-').nth(1).unwrap().parse().unwrap();
        assert!(numbers.contains(&number), "{reference} is stored");
    }
    assert!(numbers.len() >= acknowledged.len());

    // Every message is sent once, by B (A's sends never finished).
    wait_for("every message sent", Duration::from_secs(60), || {
        run_query(
            database.url(),
            "SELECT count(*) FROM outbox WHERE state = 'pending'",
        )[0] == 0
            && run_query(
                database.url(),
                "SELECT count(*) FROM deliveries WHERE state <> 'sent'",
            )[0] == 0
    });
    let deliveries = run_query(database.url(), "SELECT count(*) FROM deliveries")[0];
    std::thread::sleep(Duration::from_secs(2)); // nothing more comes
    let messages = smtp.messages();
    let mut ids: Vec<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), messages.len(), "no message sent twice");
    assert_eq!(messages.len() as i64, deliveries, "every delivery sent");
    assert!(deliveries >= acknowledged.len() as i64);
    assert!(
        held.load(Ordering::SeqCst) > 0,
        "A was sending when it died: what it held was sent by B after its claim ran out"
    );

    // The journal still holds, read by a command on the database.
    let out = Command::new(env!("CARGO_BIN_EXE_guichet"))
        .args(["audit", "verify"])
        .env("GUICHET_DATABASE", database.url())
        .env("GUICHET_SECRET", TEST_SECRET)
        .env("GUICHET_LOG", "error")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(b);
}

/// A town's SQLite store moved into PostgreSQL by `guichet store copy`:
/// every row and file arrives, the journal verifies there, a node on
/// PostgreSQL serves the requests, and a second copy into the same
/// database is refused.
#[test]
fn a_sqlite_store_is_copied_into_postgresql_and_served_from_there() {
    let data = common::TempDir::new();
    let server = common::Server::start_in(&data.0, Default::default());
    let mut references = Vec::new();
    for name in ["Durand", "Martin"] {
        let r = server.soap11(&envelope11(&road_incident(name)));
        assert_eq!(r.status, 200, "{}", r.body);
        references.push(r.element("reference").unwrap());
    }
    drop(server);
    let database = Database::new("copy");
    let copy = || {
        Command::new(env!("CARGO_BIN_EXE_guichet"))
            .args(["store", "copy", "--from"])
            .arg(format!("sqlite:{}", data.0.display()))
            .args(["--to", database.url()])
            .env("GUICHET_LOG", "error")
            .output()
            .unwrap()
    };
    let out = copy();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("requests: 2 rows"), "{said}");
    assert!(
        said.contains("demoville:") && said.contains("chain intact"),
        "{said}"
    );
    assert!(
        said.contains("GUICHET_SECRET"),
        "says which key to give the nodes: {said}"
    );
    assert_eq!(
        run_query(database.url(), "SELECT count(*) FROM requests")[0],
        2
    );

    // A node on the copy exports the requests, and numbers the next one after them.
    let export = Command::new(env!("CARGO_BIN_EXE_guichet"))
        .args(["export", &references[0]])
        .env("GUICHET_DATABASE", database.url())
        .env("GUICHET_SECRET", TEST_SECRET)
        .env("GUICHET_DATA_DIR", &data.0)
        .env("GUICHET_LOG", "error")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&export.stdout).contains("Durand"),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let smtp = Smtp::start();
    let node = Guichet::start(database.url(), &smtp.url());
    let next = submit(&node.node, "Petit").expect("acknowledged");
    assert_eq!(next, "2026-000003");
    drop(node);

    let again = copy();
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds towns"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}
