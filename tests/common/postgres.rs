//! Throw-away PostgreSQL databases for the tests that run on PostgreSQL.
//!
//! The server is `GUICHET_TEST_POSTGRES` (a URL whose user may create
//! databases; `scripts/test.sh` starts one and sets it). Without it, the
//! first test to ask starts a cluster of its own with `scripts/postgres.sh`
//! (installing Debian's package if needed), shared by every test binary
//! (the script reuses a running one).

#![allow(dead_code)]

use std::sync::OnceLock;

/// The server's URL, the cluster started if need be.
pub fn server_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("GUICHET_TEST_POSTGRES")
            && !url.is_empty()
        {
            return url;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/postgres.sh");
        let out = std::process::Command::new(script)
            .args(["start", "54330"])
            .stderr(std::process::Stdio::inherit())
            .output()
            .expect("scripts/postgres.sh runs");
        assert!(
            out.status.success(),
            "scripts/postgres.sh could not start PostgreSQL"
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    })
}

/// Runs `sql` on the server's maintenance database.
fn admin(sql: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(server_url(), tokio_postgres::NoTls)
            .await
            .expect("the test PostgreSQL server answers");
        let connection = tokio::spawn(connection);
        client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        drop(client);
        let _ = connection.await;
    });
}

/// A database made for one test, dropped (whoever is still connected) when
/// this is.
pub struct Database {
    name: String,
    url: String,
}

impl Database {
    /// A new empty database named `guichet_PURPOSE_RANDOM`.
    pub fn new(purpose: &str) -> Database {
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).unwrap();
        let suffix: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let name = format!("guichet_{purpose}_{suffix}");
        admin(&format!("CREATE DATABASE {name}"));
        let base = server_url();
        let url = match base.rfind('/') {
            Some(slash) if base[..slash].contains("://") && slash > base.find("://").unwrap() + 2 => {
                format!("{}/{name}", &base[..slash])
            }
            _ => format!("{base}/{name}"),
        };
        Database { name, url }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs `sql` in this database (what a test checks beyond the trait).
    pub fn query_i64(&self, sql: &str) -> Vec<i64> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
                .await
                .unwrap();
            let connection = tokio::spawn(connection);
            let rows = client.query(sql, &[]).await.unwrap();
            drop(client);
            let _ = connection.await;
            rows.iter().map(|r| r.get::<_, i64>(0)).collect()
        })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if std::env::var_os("GUICHET_KEEP_DATABASES").is_none() {
            admin(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}
