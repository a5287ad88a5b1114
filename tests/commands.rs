//! The `guichet` command's settings, as an operator gives them: flags,
//! `GUICHET_*` variables and a `guichet.toml`, read the same way by every
//! command, checked once, with messages that say what to do.

mod common;

use common::{Server, TempDir, envelope11, road_incident};
use std::path::Path;
use std::process::{Command, Output};

/// The `guichet` binary with nothing of the caller's environment that could
/// change its settings, run from `cwd` (so that no `./guichet.toml` is read
/// by accident).
fn guichet(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guichet"));
    c.current_dir(cwd);
    for (key, _) in std::env::vars() {
        if key.starts_with("GUICHET_") {
            c.env_remove(key);
        }
    }
    c.env("GUICHET_LOG", "error");
    c
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A data folder with the demo town and one stored request (reference).
fn data_with_a_request() -> (TempDir, String) {
    let data = TempDir::new();
    let server = Server::start_in(&data.0, Default::default());
    let r = server.soap11(&envelope11(&road_incident("Durand")));
    assert_eq!(r.status, 200, "{}", r.body);
    let reference = r.element("reference").unwrap();
    drop(server);
    (data, reference)
}

#[test]
fn every_command_reads_the_data_folder_from_the_environment() {
    let (data, reference) = data_with_a_request();
    let elsewhere = TempDir::new();
    let out = guichet(&elsewhere.0)
        .args(["export", &reference])
        .env("GUICHET_DATA_DIR", &data.0)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Durand"), "{}", stdout(&out));
    let out = guichet(&elsewhere.0)
        .arg("wsdl")
        .env("GUICHET_DATA_DIR", &data.0)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(r#"location="http://127.0.0.1:8080/demoville/soap""#));
    let out = guichet(&elsewhere.0)
        .args(["agent", "list"])
        .env("GUICHET_DATA_DIR", &data.0)
        .output()
        .unwrap();
    assert!(stdout(&out).contains("marie"), "{}", stderr(&out));
    let out = guichet(&elsewhere.0)
        .args(["retention", "run"])
        .env("GUICHET_DATA_DIR", &data.0)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "demoville: 0 requests anonymised\n",
        "the open request is kept"
    );
    let out = guichet(&elsewhere.0)
        .args(["audit", "verify"])
        .env("GUICHET_DATA_DIR", &data.0)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_wsdl_names_the_tenant_and_address_asked_for() {
    let (data, _) = data_with_a_request();
    let out = guichet(&data.0)
        .args(["wsdl", "--tenant", "demoville", "--data-dir"])
        .arg(&data.0)
        .args(["--public-url", "https://guichet.example.fr/"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(r#"location="https://guichet.example.fr/demoville/soap""#),
        "{}",
        stdout(&out)
    );
    let out = guichet(&data.0)
        .args(["wsdl", "--tenant", "autreville", "--data-dir"])
        .arg(&data.0)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(r#"no tenant named "autreville" (known: demoville)"#),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_configuration_file_gives_what_flags_and_variables_leave_out() {
    let (data, _) = data_with_a_request();
    let dir = TempDir::new();
    let file = dir.0.join("guichet.toml");
    std::fs::write(
        &file,
        format!(
            "# The town hall's settings.\ndata-dir = {:?}\nlisten = \"127.0.0.1:9090\"\n",
            data.0.display().to_string()
        ),
    )
    .unwrap();
    // Found in the current folder…
    let out = guichet(&dir.0).arg("wsdl").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("http://127.0.0.1:9090/demoville/soap"));
    // …or named; a flag wins over the file, a variable too.
    let elsewhere = TempDir::new();
    let out = guichet(&elsewhere.0)
        .arg("wsdl")
        .arg("--config")
        .arg(&file)
        .args(["--listen", "127.0.0.1:7070"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains("http://127.0.0.1:7070/demoville/soap"));
    let out = guichet(&elsewhere.0)
        .arg("wsdl")
        .env("GUICHET_CONFIG", &file)
        .env("GUICHET_LISTEN", "127.0.0.1:6060")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("http://127.0.0.1:6060/demoville/soap"));
}

#[test]
fn wrong_settings_stop_guichet_with_what_to_write() {
    let dir = TempDir::new();
    let file = dir.0.join("guichet.toml");
    std::fs::write(&file, "listen-on = \"0.0.0.0:80\"\n").unwrap();
    let out = guichet(&dir.0).arg("wsdl").output().unwrap();
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(
        said.contains("guichet.toml") && said.contains("listen-on"),
        "{said}"
    );
    // A named file that does not exist is an error, not a silent default.
    let out = guichet(&dir.0)
        .args(["wsdl", "--config", "absent.toml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("absent.toml"), "{}", stderr(&out));
    // A bad value is named with its variable.
    std::fs::remove_file(&file).unwrap();
    let out = guichet(&dir.0)
        .arg("serve")
        .env("GUICHET_PUBLIC_URL", "guichet.example.fr")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--public-url") && stderr(&out).contains("GUICHET_PUBLIC_URL"),
        "{}",
        stderr(&out)
    );
    let out = guichet(&dir.0)
        .args(["serve", "--timer-seconds", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--timer-seconds"), "{}", stderr(&out));
    // Commands other than serve never create a data folder: they say where
    // they looked and how to give another.
    let out = guichet(&dir.0).args(["agent", "list"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no Guichet data in data") && stderr(&out).contains("--data-dir"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.0.join("data").exists());
}

#[test]
fn demo_data_fills_a_town_with_a_year_of_requests_through_the_real_paths() {
    let data = TempDir::new();
    let out = guichet(&data.0)
        .args([
            "demo-data",
            "--requests",
            "400",
            "--days",
            "200",
            "--seed",
            "7",
            "--data-dir",
        ])
        .arg(&data.0)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // demoville: N requests submitted over 200 days (R refused), S steps
    // taken, C closed, A satisfaction answers
    let said = stdout(&out);
    let numbers: Vec<u64> = said
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect();
    let [submitted, days, _refused, steps, closed, answered] = numbers[..] else {
        panic!("what demo-data said: {said}");
    };
    assert_eq!(days, 200);
    assert!((340..=460).contains(&submitted), "{said}");
    assert!(steps >= submitted && closed * 10 >= submitted * 7, "{said}");
    assert!(answered > 0, "{said}");
    // Every event is in the journal, chained.
    let verify = guichet(&data.0)
        .args(["audit", "verify", "--data-dir"])
        .arg(&data.0)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}{}",
        stdout(&verify),
        stderr(&verify)
    );
    // With a mail server, it refuses: its messages would go out.
    let refused = guichet(&data.0)
        .args(["demo-data", "--smtp", "smtp://127.0.0.1:1", "--data-dir"])
        .arg(&data.0)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("mail server"),
        "{}",
        stderr(&refused)
    );

    // The statistics of the whole period say what was done.
    let server = Server::start_in(&data.0, Default::default());
    let admin = common::agent::login(&server, "admin");
    let view = admin.view("/demoville/backoffice/stats?period=range&from=2020-01-01&to=2029-12-31");
    let summary = common::agent::stats_table(&view, "summary");
    let figure = |label: &str| -> u64 {
        summary.iter().find(|r| r[0] == label).unwrap()[1]
            .parse()
            .unwrap()
    };
    assert_eq!(figure("Demandes reçues"), submitted);
    assert!(figure("Demandes closes") >= closed);
    assert!(figure("Dont en retard") > 0, "some run late");
    assert_eq!(figure("Avis de satisfaction reçus"), answered);
    // Every channel but Open311's and SMS, the months of the period, and
    // the incident phrases among the frequent words.
    assert!(common::agent::stats_table(&view, "channel").len() >= 5);
    assert!(common::agent::stats_table(&view, "months").len() >= 7);
    assert!(common::agent::stats_table(&view, "service").len() >= 10);
    // Persons and associations, who together are every requester.
    let kinds = common::agent::stats_table(&view, "kind");
    let count = |label: &str| -> u64 {
        kinds
            .iter()
            .find(|r| r[0] == label)
            .map_or(0, |r| r[1].parse().unwrap())
    };
    assert!(count("Associations") > 0, "{kinds:?}");
    assert_eq!(count("Particuliers") + count("Associations"), submitted);
    let words = common::agent::stats_table(&view, "words");
    assert!(
        words
            .iter()
            .any(|w| w[1] == "nid-de-poule" || w[1] == "trottoir"),
        "{words:?}"
    );
    // The console has them closed.
    let console = admin.view("/demoville/backoffice/?state=final");
    let total: u64 = common::agent::find(&console, "console")
        .unwrap()
        .attr("total")
        .unwrap()
        .parse()
        .unwrap();
    assert!(total >= closed, "{total} closed in the console");
}

/// The hash of an audit entry as the store computes it (an insider who
/// read the source knows it too): fields length-prefixed, then the
/// previous hash.
fn insider_hash(seq: i64, fields: [&str; 6], prev: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(seq.to_string().as_bytes());
    for f in fields {
        h.update(format!("|{}:", f.len()).as_bytes());
        h.update(f.as_bytes());
    }
    h.update(b"|");
    h.update(prev.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Someone with write access to the database edits an entry and rehashes
/// the whole chain and its head: consistent, `audit verify` alone passes.
fn rewrite_the_journal(data: &Path) {
    use sha2::{Digest, Sha256};
    let db = rusqlite::Connection::open(data.join("guichet.sqlite3")).unwrap();
    let rows: Vec<(i64, i64, [String; 5])> = db
        .prepare("SELECT tenant_id, seq, at, actor, subject, action, detail FROM audit ORDER BY tenant_id, seq")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?]))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(rows.len() >= 2, "a journal to rewrite");
    let mut prev = "0".repeat(64);
    for (tenant, seq, [at, actor, subject, action, detail]) in rows {
        let detail = if seq == 1 {
            format!("{detail} (edited)")
        } else {
            detail
        };
        let digest: String = Sha256::digest(detail.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let hash = insider_hash(seq, [&at, &actor, &subject, &action, &digest, "2"], &prev);
        db.execute(
            "UPDATE audit SET detail = ?1, detail_sha256 = ?2, prev_hash = ?3, hash = ?4
             WHERE tenant_id = ?5 AND seq = ?6",
            rusqlite::params![detail, digest, prev, hash, tenant, seq],
        )
        .unwrap();
        db.execute(
            "UPDATE audit_heads SET hash = ?1 WHERE tenant_id = ?2 AND seq = ?3",
            rusqlite::params![hash, tenant, seq],
        )
        .unwrap();
        prev = hash;
    }
}

#[test]
fn a_journal_rewritten_whole_in_the_database_is_caught_by_a_signed_checkpoint() {
    let (data, _) = data_with_a_request();
    let dir = TempDir::new();
    let checkpoints = dir.0.join("checkpoints.jsonl");
    let key = dir.0.join("keys/audit.key");
    let against = |file: &Path| {
        guichet(&data.0)
            .args(["audit", "verify", "--against"])
            .arg(file)
            .arg("--data-dir")
            .arg(&data.0)
            .arg("--audit-key")
            .arg(&key)
            .output()
            .unwrap()
    };
    let run = |args: &[&str]| {
        guichet(&data.0)
            .args(args)
            .arg("--data-dir")
            .arg(&data.0)
            .arg("--audit-key")
            .arg(&key)
            .output()
            .unwrap()
    };
    let out = run(&["audit", "checkpoint", "--to", checkpoints.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let line: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    assert_eq!(line["tenant"], "demoville");
    assert!(line["seq"].as_i64().unwrap() >= 2, "{line}");
    assert_eq!(line["mac"].as_str().unwrap().len(), 64);
    assert!(
        key.exists(),
        "the key is made on first use, apart from the data"
    );
    assert!(!data.0.join("audit.key").exists());
    let out = against(&checkpoints);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("chain intact, 1 checkpoint(s) held"),
        "{}",
        stdout(&out)
    );

    rewrite_the_journal(&data.0);
    let out = run(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "the rewrite is consistent: {}",
        stdout(&out)
    );
    let out = against(&checkpoints);
    assert!(!out.status.success());
    assert!(
        stdout(&out).contains("is not the one the checkpoint published"),
        "{}",
        stdout(&out)
    );

    // A checkpoint line moved to fit the rewrite is not signed any more.
    let text = std::fs::read_to_string(&checkpoints).unwrap();
    let forged = dir.0.join("forged.jsonl");
    let head = line["hash"].as_str().unwrap();
    std::fs::write(&forged, text.replace(head, &"0".repeat(64))).unwrap();
    let out = against(&forged);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("line 1") && stderr(&out).contains("not signed"),
        "{}",
        stderr(&out)
    );

    // The journal emptied, head included: the checkpoint still vouches.
    let db = rusqlite::Connection::open(data.0.join("guichet.sqlite3")).unwrap();
    db.execute_batch("DELETE FROM audit; DELETE FROM audit_heads;")
        .unwrap();
    drop(db);
    let out = run(&["audit", "verify"]);
    assert!(out.status.success(), "an empty journal verifies alone");
    let out = against(&checkpoints);
    assert!(!out.status.success());
    assert!(
        stdout(&out).contains("ends at entry 0 but a checkpoint vouches"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_server_appends_checkpoints_of_the_journals_that_moved_and_mails_them_to_the_town() {
    let (data, _) = data_with_a_request();
    // The town asks for its checkpoints by e-mail, through a real SMTP server.
    let smtp = common::smtp::Smtp::start();
    let settings = data.0.join("tenants/demoville/settings.toml");
    let mut text = std::fs::read_to_string(&settings).unwrap();
    text.push_str("\n[audit]\ncheckpoints_to = [\"archives@demoville.example\"]\n");
    text = if text.contains("\n[mail]\n") {
        text.replace(
            "\n[mail]\n",
            &format!("\n[mail]\nsmtp = \"{}\"\n", smtp.url()),
        )
    } else {
        format!("{text}\n[mail]\nsmtp = \"{}\"\n", smtp.url())
    };
    std::fs::write(&settings, text).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = guichet(&data.0)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
        ])
        .arg(&data.0)
        .spawn()
        .unwrap();
    let file = data.0.join("audit-checkpoints.jsonl");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !std::fs::read_to_string(&file).is_ok_and(|t| t.ends_with('\n')) {
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint written"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let mail = loop {
        if let Some(m) = smtp
            .messages()
            .into_iter()
            .find(|m| m.to.contains("archives@demoville.example"))
        {
            break m;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint mailed to the town's address"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(
        mail.subject.contains("point de contrôle"),
        "{}",
        mail.subject
    );
    // The line the mail carries is the one written to the file, and holds
    // the journal on its own.
    let line = mail
        .text
        .lines()
        .find(|l| l.starts_with('{'))
        .expect("the checkpoint's line in the mail")
        .to_owned();
    assert!(
        std::fs::read_to_string(&file).unwrap().contains(&line),
        "{line}"
    );
    let mailed = data.0.join("mailed-checkpoint.jsonl");
    std::fs::write(&mailed, format!("{line}\n")).unwrap();
    for against in [&file, &mailed] {
        let out = guichet(&data.0)
            .args(["audit", "verify", "--against"])
            .arg(against)
            .arg("--data-dir")
            .arg(&data.0)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
        assert!(
            stdout(&out).contains("1 checkpoint(s) held"),
            "{}",
            stdout(&out)
        );
    }
}
