//! A real SMTP server for tests (Python aiosmtpd, writing what it receives
//! to a Maildir), started by each test that sends mail.

use super::TempDir;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real SMTP server (aiosmtpd) writing what it receives to a Maildir.
pub struct Smtp {
    pub child: Child,
    pub port: u16,
    pub maildir: PathBuf,
    pub _dir: TempDir,
}

impl Smtp {
    pub fn start() -> Smtp {
        Smtp::start_on(free_port())
    }

    pub fn start_on(port: u16) -> Smtp {
        let dir = TempDir::new();
        let maildir = dir.0.join("mail");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .spawn()
            .expect("python3 with aiosmtpd is needed: run scripts/test.sh, which installs it");
        let smtp = Smtp {
            child,
            port,
            maildir,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start (is it installed? pip install aiosmtpd)"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        smtp
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Mail> {
        let out = Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/notify/maildir.py"))
            .arg(&self.maildir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let mut mails = Vec::new();
        for line in text.lines() {
            if line == "MESSAGE" {
                mails.push(Mail::default());
                continue;
            }
            let (k, v) = line.split_once('=').unwrap();
            let v = unescape(v);
            let m = mails.last_mut().unwrap();
            match k {
                "to" => m.to = v,
                "from" => m.from = v,
                "reply-to" => m.reply_to = v,
                "subject" => m.subject = v,
                "message-id" => m.message_id = v,
                "list-unsubscribe" => m.list_unsubscribe = v,
                "list-unsubscribe-post" => m.list_unsubscribe_post = v,
                "text" => m.text = v,
                "html" => m.html = v,
                "attachment" => {
                    let mut parts = v.splitn(3, '\t');
                    let name = parts.next().unwrap_or_default().to_owned();
                    let media_type = parts.next().unwrap_or_default().to_owned();
                    let hex = parts.next().unwrap_or_default();
                    let bytes = (0..hex.len() / 2)
                        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                        .collect();
                    m.attachments.push((name, media_type, bytes));
                }
                _ => {}
            }
        }
        mails
    }

    pub fn to(&self, address: &str) -> Vec<Mail> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.contains(address))
            .collect()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Debug, Default, Clone)]
pub struct Mail {
    pub to: String,
    pub from: String,
    pub reply_to: String,
    pub subject: String,
    pub message_id: String,
    /// A list's message: `<LINK>` to leave it, and the one-click mark.
    pub list_unsubscribe: String,
    pub list_unsubscribe_post: String,
    pub text: String,
    pub html: String,
    /// (file name, media type, bytes) of each attachment.
    pub attachments: Vec<(String, String, Vec<u8>)>,
}
