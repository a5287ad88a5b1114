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
