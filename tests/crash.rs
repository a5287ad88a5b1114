//! Crashes under load: the server is killed (SIGKILL) twenty times while
//! clients submit as fast as they can and the outbox sends; after the last
//! restart every acknowledged request is there once, the references have
//! no gap, the audit journal verifies, and every message went out — a
//! message in flight at a kill again, as the same message. Then power cuts
//! (a FUSE filesystem that forgets what was not synced,
//! `tests/powercut/lazyfs.py`) with each durability, and a full disk.

mod common;

use common::smtp::{Smtp, free_port};
use common::{TempDir, envelope11, road_incident};
use std::io::Write;
use std::path::Path;
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CYCLES: usize = 20;
const CLIENTS: usize = 2;
/// Between two submits of a client: sustained, but within what the
/// outbox sends to the test's SMTP server before the next kill.
const PAUSE: Duration = Duration::from_millis(20);

/// The server, killed when dropped (a failed assertion leaves none behind).
struct Guichet(Child);

impl Guichet {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Guichet {
    fn drop(&mut self) {
        self.kill();
    }
}

fn start(dir: &Path, smtp: &str, port: u16) -> Guichet {
    let child = common::cli(dir)
        .args(["serve", "--durability", "full", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(dir)
        .args([
            "--smtp",
            smtp,
            "--outbox-seconds",
            "1",
            "--claim-seconds",
            "2",
        ])
        .env("GUICHET_LOG", "error")
        .env("GUICHET_RATE_LIMITS", "off")
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "guichet did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Guichet(child)
}

/// One submit: the reference if the server acknowledged it.
fn submit(port: u16, body: &str) -> Option<String> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "POST /demoville/soap HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut text = String::new();
    use std::io::Read;
    stream.read_to_string(&mut text).ok()?;
    if !text.starts_with("HTTP/1.1 200") {
        return None;
    }
    let start = text.find("<reference>")? + "<reference>".len();
    let end = text[start..].find("</reference>")? + start;
    Some(text[start..end].to_owned())
}

/// `CLIENTS` clients submitting without pause (but `PAUSE`), each
/// acknowledged reference kept.
struct Load {
    running: Arc<AtomicBool>,
    clients: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(port: u16, name: &str, acknowledged: &Arc<Mutex<Vec<String>>>) -> Load {
        let running = Arc::new(AtomicBool::new(true));
        let clients = (0..CLIENTS)
            .map(|c| {
                let running = Arc::clone(&running);
                let acknowledged = Arc::clone(acknowledged);
                let body = envelope11(&road_incident(&format!("{name}Client{c}")));
                std::thread::spawn(move || {
                    while running.load(Ordering::Relaxed) {
                        if let Some(reference) = submit(port, &body) {
                            acknowledged.lock().unwrap().push(reference);
                        }
                        std::thread::sleep(PAUSE);
                    }
                })
            })
            .collect();
        Load { running, clients }
    }

    fn stop(self) {
        self.running.store(false, Ordering::Relaxed);
        for c in self.clients {
            c.join().unwrap();
        }
    }
}

#[test]
fn twenty_kills_under_sustained_submits_lose_nothing_acknowledged_and_resend_only_whats_in_flight()
{
    let smtp = Smtp::start();
    let data = TempDir::new();
    let port = free_port();
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut seed = 0x2026_u64;
    for cycle in 0..CYCLES {
        let mut child = start(&data.0, &smtp.url(), port);
        let load = Load::start(port, &format!("Cycle{cycle}"), &acknowledged);
        // Killed at a time of its own, between 0.3 and 1.3 s of load.
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        std::thread::sleep(Duration::from_millis(300 + (seed >> 33) % 1000));
        child.kill();
        load.stop();
    }
    // Once more, left to send what is due.
    let mut child = start(&data.0, &smtp.url(), port);
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 100,
        "a sustained load: {}",
        acknowledged.len()
    );
    let db = rusqlite::Connection::open(data.0.join("guichet.sqlite3")).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let pending = count("SELECT count(*) FROM deliveries WHERE state = 'pending'")
            + count("SELECT count(*) FROM outbox WHERE state = 'pending'");
        if pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the outbox did not drain: {pending} left"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(2));
    child.kill();

    // Every acknowledged request is stored, once.
    let mut stored: Vec<(i64, i64, String)> = db
        .prepare("SELECT year, number, requester_name FROM requests ORDER BY year, number")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let references: std::collections::HashSet<String> = stored
        .iter()
        .map(|(y, n, _)| format!("{y}-{n:06}"))
        .collect();
    assert_eq!(references.len(), stored.len(), "no reference twice");
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|r| !references.contains(*r))
        .collect();
    assert!(lost.is_empty(), "acknowledged and lost: {lost:?}");
    let mut unique = acknowledged.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        acknowledged.len(),
        "a reference acknowledged twice"
    );
    // References have no gap (a request being written when the server died
    // was never acknowledged and took no number).
    stored.sort();
    for (i, (_, number, _)) in stored.iter().enumerate() {
        assert_eq!(*number, i as i64 + 1, "a gap before {number}");
    }
    // The journal verifies.
    let verify = common::cli(&data.0)
        .args(["audit", "verify", "--data-dir"])
        .arg(&data.0)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    // Every acknowledgement went out: one message per stored request. A
    // message the SMTP server had taken when the server died, before its
    // delivery was recorded, goes again after the restart — SMTP cannot
    // tell us it has one already — but as the same message (its
    // Message-ID), which mail services show once; at most the deliveries in
    // flight at each kill (8).
    let messages = smtp.messages();
    let mut ids: Vec<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    let all = ids.len();
    ids.dedup();
    let again = all - ids.len();
    let acks: std::collections::HashSet<&str> = messages
        .iter()
        .filter(|m| m.subject.contains("est enregistrée"))
        .map(|m| m.message_id.as_str())
        .collect();
    assert_eq!(acks.len(), stored.len(), "one acknowledgement per request");
    for m in &messages {
        let twins: Vec<_> = messages
            .iter()
            .filter(|o| o.message_id == m.message_id)
            .collect();
        assert!(
            twins
                .iter()
                .all(|o| o.to == m.to && o.subject == m.subject && o.text == m.text),
            "two different messages under one Message-ID: {}",
            m.message_id
        );
    }
    assert!(again <= CYCLES * 8, "{again} messages went twice");
    eprintln!(
        "{CYCLES} kills: {} acknowledged, {} stored, 0 lost, {} messages, {again} of them sent again after a kill (same Message-ID)",
        acknowledged.len(),
        stored.len(),
        ids.len()
    );
}

/// A small filesystem of its own (tmpfs), unmounted when dropped.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(megabytes: u32) -> SmallDisk {
        let dir = std::env::temp_dir().join(format!("guichet-disk-{}", free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(&dir)
            .status()
            .expect("mount (the test runs as root, as CI does)");
        assert!(status.success(), "mounting a small tmpfs needs root");
        SmallDisk(dir)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Fills the filesystem of `dir` with one file until it is full.
fn fill(dir: &Path) -> std::path::PathBuf {
    let ballast = dir.join("ballast");
    let mut f = std::fs::File::create(&ballast).unwrap();
    let block = vec![0u8; 64 * 1024];
    while f.write_all(&block).is_ok() {}
    let small = [0u8; 512];
    while f.write_all(&small).is_ok() {}
    let _ = f.sync_all();
    ballast
}

#[test]
fn a_full_disk_refuses_submits_clearly_stores_no_half_and_recovers_by_itself() {
    let smtp = Smtp::start();
    let disk = SmallDisk::mount(48);
    let data = disk.0.join("data");
    let port = free_port();
    let _server = start(&data, &smtp.url(), port);
    let body = |i: usize| envelope11(&road_incident(&format!("Disque{i}")));
    let mut acknowledged = Vec::new();
    for i in 0..20 {
        acknowledged.push(submit(port, &body(i)).expect("room enough at first"));
    }
    let ballast = fill(&disk.0);
    // Full: each submit is answered at once, refused or (while pages the
    // database had free take it) stored — never a hang, never a crash.
    let mut refused = 0;
    for i in 20..120 {
        let started = Instant::now();
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        let b = body(i);
        write!(
            stream,
            "POST /demoville/soap HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}",
            b.len()
        )
        .unwrap();
        let r = common::read_response(&mut stream);
        assert!(started.elapsed() < Duration::from_secs(15));
        match r.status {
            200 => acknowledged.push(r.element("reference").unwrap()),
            _ => {
                if refused == 0 {
                    eprintln!("first refusal: {} {}", r.status, r.body);
                }
                refused += 1;
                assert!(
                    r.status == 503 || r.body.contains("faultcode"),
                    "a clear answer: {} {}",
                    r.status,
                    r.body
                );
            }
        }
    }
    assert!(refused > 50, "the disk is full: {refused} refused");
    // Space comes back: submits go through again, without a restart.
    std::fs::remove_file(&ballast).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let reference = loop {
        if let Some(r) = submit(port, &body(1000)) {
            break r;
        }
        assert!(Instant::now() < deadline, "no recovery once space returned");
        std::thread::sleep(Duration::from_millis(200));
    };
    acknowledged.push(reference);
    for i in 1001..1010 {
        acknowledged.push(submit(port, &body(i)).expect("recovered"));
    }
    drop(_server);
    // Every acknowledged request is there, whole, and nothing else; the
    // references have no gap; the journal verifies.
    let db = rusqlite::Connection::open(data.join("guichet.sqlite3")).unwrap();
    let stored: Vec<(i64, i64)> = db
        .prepare("SELECT year, number FROM requests ORDER BY number")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let references: Vec<String> = stored.iter().map(|(y, n)| format!("{y}-{n:06}")).collect();
    let mut expected = acknowledged.clone();
    expected.sort();
    assert_eq!(references, expected, "stored = acknowledged");
    for (i, (_, n)) in stored.iter().enumerate() {
        assert_eq!(*n, i as i64 + 1, "no gap");
    }
    let half: i64 = db
        .query_row(
            "SELECT count(*) FROM requests r WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.request_id = r.id)
                OR NOT EXISTS (SELECT 1 FROM request_values v WHERE v.request_id = r.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(half, 0, "a request without its first event or its values");
    let verify = common::cli(&data)
        .args(["audit", "verify", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    eprintln!(
        "disk full: {refused} submits refused clearly, {} acknowledged and stored whole, recovered without a restart",
        acknowledged.len()
    );
}

/// `tests/powercut/lazyfs.py` mounted over a folder of its own: writes not
/// synced live in its memory only, and killing it is the power cut.
struct LazyDisk {
    backing: TempDir,
    mountpoint: TempDir,
    daemon: Option<Child>,
}

impl LazyDisk {
    fn mount() -> LazyDisk {
        let mut disk = LazyDisk {
            backing: TempDir::new(),
            mountpoint: TempDir::new(),
            daemon: None,
        };
        disk.power_on();
        disk
    }

    fn power_on(&mut self) {
        let mut daemon = std::process::Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/powercut/lazyfs.py"))
            .arg(&self.backing.0)
            .arg(&self.mountpoint.0)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 with pyfuse3 (scripts/test.sh installs it)");
        let mut line = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "mounted",
            "lazyfs did not mount (needs /dev/fuse and root)"
        );
        self.daemon = Some(daemon);
    }

    /// The power goes: whatever was not synced is lost.
    fn cut(&mut self) {
        if let Some(mut d) = self.daemon.take() {
            let _ = d.kill();
            let _ = d.wait();
        }
        let _ = std::process::Command::new("fusermount3")
            .args(["-u", "-z"])
            .arg(&self.mountpoint.0)
            .status();
    }

    fn data(&self) -> std::path::PathBuf {
        self.mountpoint.0.join("data")
    }
}

impl Drop for LazyDisk {
    fn drop(&mut self) {
        self.cut();
    }
}

/// Power cuts under sustained submits with `durability`: what the clients
/// were told was stored, and what is stored once the power is back.
fn power_cuts(durability: &str, cycles: usize) -> (Vec<String>, Vec<String>, bool) {
    let mut disk = LazyDisk::mount();
    let port = free_port();
    let serve = |disk: &LazyDisk| {
        let child = common::cli(&disk.data())
            .args(["serve", "--durability", durability, "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(disk.data())
            .env("GUICHET_LOG", "error")
            .env("GUICHET_RATE_LIMITS", "off")
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "guichet did not start on lazyfs");
            std::thread::sleep(Duration::from_millis(50));
        }
        Guichet(child)
    };
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    for cycle in 0..cycles {
        let mut server = serve(&disk);
        let load = Load::start(port, &format!("Coupure{cycle}"), &acknowledged);
        std::thread::sleep(Duration::from_millis(1500));
        // The power goes: the disk's cache first, the server with it.
        disk.cut();
        server.kill();
        load.stop();
        disk.power_on();
    }
    let server = serve(&disk);
    drop(server);
    let db = rusqlite::Connection::open(disk.data().join("guichet.sqlite3")).unwrap();
    let stored: Vec<String> = db
        .prepare("SELECT year, number FROM requests ORDER BY number")
        .unwrap()
        .query_map([], |r| {
            Ok(format!(
                "{}-{:06}",
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(db);
    let verify = common::cli(&disk.data())
        .args(["audit", "verify", "--data-dir"])
        .arg(disk.data())
        .output()
        .unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    (acknowledged, stored, verify.status.success())
}

/// How many references were acknowledged more than once.
fn reused(acknowledged: &[String]) -> usize {
    let mut unique = acknowledged.to_vec();
    unique.sort();
    unique.dedup();
    acknowledged.len() - unique.len()
}

#[test]
fn power_cuts_lose_nothing_acknowledged_with_full_durability() {
    let (acknowledged, stored, verified) = power_cuts("full", 5);
    assert!(
        acknowledged.len() > 50,
        "a sustained load: {}",
        acknowledged.len()
    );
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|r| !stored.contains(r))
        .collect();
    assert!(
        lost.is_empty(),
        "acknowledged, then lost by a power cut: {lost:?}"
    );
    assert_eq!(reused(&acknowledged), 0, "a reference given twice");
    assert!(verified, "the audit journal verifies after the cuts");
    eprintln!(
        "durability full: 5 power cuts, {} acknowledged, {} stored, 0 lost",
        acknowledged.len(),
        stored.len()
    );
}

#[test]
fn power_cuts_with_normal_durability_lose_what_was_not_synced() {
    let (acknowledged, stored, verified) = power_cuts("normal", 5);
    // A request lost with its number: the number goes to the next request
    // after the restart, so the same reference was acknowledged twice.
    let again = reused(&acknowledged);
    let mut unique = acknowledged.clone();
    unique.sort();
    unique.dedup();
    let lost = again + unique.iter().filter(|r| !stored.contains(r)).count();
    // `normal` promises nothing against a power cut: the figure is
    // reported (SECURITY.md), and what is left is consistent.
    assert!(verified, "the audit journal verifies after the cuts");
    eprintln!(
        "durability normal: 5 power cuts, {} acknowledged, {} stored, {lost} acknowledged and lost ({again} of their references given again)",
        acknowledged.len(),
        stored.len()
    );
}
