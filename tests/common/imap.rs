//! A real IMAP server for tests (Debian's Dovecot, run in the foreground
//! with a configuration of its own in a temporary folder): IMAP over TLS
//! on 127.0.0.1 with a certificate of a test authority, one user whose
//! mailbox is a Maildir — the one the test SMTP server (aiosmtpd) delivers
//! to, so that a message goes the real way: SMTP in, IMAP out.

use super::TempDir;
use super::smtp::free_port;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub const USER: &str = "mairie";
pub const PASSWORD: &str = "boite-de-test";

pub struct Imap {
    pub child: Child,
    pub port: u16,
    /// The authority's certificate, to trust (PEM).
    pub ca: PathBuf,
    pub _dir: TempDir,
}

impl Imap {
    /// Serves the Maildir `maildir` as the INBOX of [`USER`].
    pub fn start(maildir: &Path) -> Imap {
        let dir = TempDir::new();
        let d = &dir.0;
        let (ca, cert, key) = super::certs::certificates(d);
        let port = free_port();
        let uid = Command::new("id").arg("-u").output().unwrap();
        let uid = String::from_utf8_lossy(&uid.stdout).trim().to_owned();
        let gid = Command::new("id").arg("-g").output().unwrap();
        let gid = String::from_utf8_lossy(&gid.stdout).trim().to_owned();
        let who = Command::new("id").arg("-un").output().unwrap();
        let who = String::from_utf8_lossy(&who.stdout).trim().to_owned();
        // As root, Dovecot's own unprivileged users (the package makes
        // them); as anyone else, that user for everything.
        let root = uid == "0";
        let (internal, login) = if root {
            ("dovecot".to_owned(), "dovenull".to_owned())
        } else {
            (who.clone(), who)
        };
        for sub in ["run", "state", "home"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        // Dovecot refuses to serve a mailbox as uid 0: as root, the mailbox
        // user is `dovecot`, which then owns the Maildir (the SMTP server's
        // files in it are written 0644, readable; renaming them into cur/
        // needs only the folders) and its home.
        let (uid, gid) = if root {
            let of = |flag: &str| {
                let out = Command::new("id").args([flag, "dovecot"]).output().unwrap();
                String::from_utf8_lossy(&out.stdout).trim().to_owned()
            };
            let (uid, gid) = (of("-u"), of("-g"));
            let owner = format!("{uid}:{gid}");
            for path in [maildir, &d.join("home")] {
                let done = Command::new("chown")
                    .args(["-R", &owner])
                    .arg(path)
                    .status()
                    .unwrap();
                assert!(done.success(), "chown {}", path.display());
            }
            // The folders above them, to be walked through.
            for path in [maildir.parent().unwrap(), d.as_path()] {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            (uid, gid)
        } else {
            (uid, gid)
        };
        let conf = format!(
            r#"protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 0
first_valid_gid = 0
auth_mechanisms = plain
mail_location = maildir:{maildir}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u
}}
"#,
            d = d.display(),
            maildir = maildir.display(),
            cert = cert.display(),
            key = key.display(),
            internal_group = if root {
                "dovecot".to_owned()
            } else {
                gid.clone()
            },
        );
        std::fs::write(d.join("dovecot.conf"), conf).unwrap();
        let child = Command::new("dovecot")
            .args(["-F", "-c"])
            .arg(d.join("dovecot.conf"))
            .spawn()
            .expect(
                "dovecot is needed (Debian dovecot-imapd): run scripts/test.sh, which installs it",
            );
        let imap = Imap {
            child,
            port,
            ca,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "dovecot did not start: {}",
                std::fs::read_to_string(imap._dir.0.join("dovecot.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        imap
    }

    /// What Dovecot logged, to say why a test failed.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self._dir.0.join("dovecot.log")).unwrap_or_default()
    }

    /// The mailbox's address as a town's settings write it.
    pub fn url(&self) -> String {
        format!("imaps://{USER}:{PASSWORD}@localhost:{}/INBOX", self.port)
    }
}

impl Drop for Imap {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
