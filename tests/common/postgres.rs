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
pub fn admin(sql: &str) {
    let sql = sql.to_owned();
    with_client(server_url(), |client| {
        Box::pin(async move {
            client
                .batch_execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        })
    })
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
        let url = url_of(&name);
        Database { name, url }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if std::env::var_os("GUICHET_KEEP_DATABASES").is_none() {
            admin(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The URL of database `name` on the test server.
pub fn url_of(name: &str) -> String {
    let base = server_url();
    match base.rfind('/') {
        Some(slash) if slash > base.find("://").map_or(0, |i| i + 2) => {
            format!("{}/{name}", &base[..slash])
        }
        _ => format!("{base}/{name}"),
    }
}

/// The database of a test's data folder (`guichet_d_` and the folder's
/// name), created on first use: a server restarted on the same folder
/// finds its data again, as on SQLite.
pub fn database_for(dir: &std::path::Path) -> String {
    let name = database_name(dir);
    static MADE: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut made = MADE.lock().unwrap();
    if !made.contains(&name) {
        let exists = !run_query(
            &url_of("postgres"),
            &format!("SELECT 1::bigint FROM pg_database WHERE datname = '{name}'"),
        )
        .is_empty();
        if !exists {
            admin(&format!("CREATE DATABASE {name}"));
        }
        made.push(name.clone());
    }
    url_of(&name)
}

/// Drops the database of a data folder, if one was made.
pub fn drop_database_for(dir: &std::path::Path) {
    if std::env::var_os("GUICHET_KEEP_DATABASES").is_none() {
        admin(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            database_name(dir)
        ));
    }
}

fn database_name(dir: &std::path::Path) -> String {
    let leaf = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let clean: String = leaf
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    // Database names are at most 63 bytes; a long folder name keeps its end.
    let clean = &clean[clean.len().saturating_sub(50)..];
    format!("guichet_d_{clean}")
}

/// Runs a query giving one `bigint` column on the database at `url`.
pub fn run_query(url: &str, sql: &str) -> Vec<i64> {
    let sql = sql.to_owned();
    with_client(url, |client| {
        Box::pin(async move {
            client
                .query(&sql, &[])
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
                .iter()
                .map(|r| r.get::<_, i64>(0))
                .collect()
        })
    })
}

/// Runs `sql` with text parameters on the database at `url`; rows affected.
pub fn run_execute(url: &str, sql: &str, params: &[&str]) -> u64 {
    let sql = sql.to_owned();
    let params: Vec<String> = params.iter().map(|p| p.to_string()).collect();
    with_client(url, |client| {
        Box::pin(async move {
            let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                params.iter().map(|p| p as _).collect();
            client
                .execute(&sql, &refs)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
        })
    })
}

/// Rows of text columns (NULL as None) of a query with text parameters.
pub fn run_rows(url: &str, sql: &str, params: &[&str]) -> Vec<Vec<Option<String>>> {
    let sql = sql.to_owned();
    let params: Vec<String> = params.iter().map(|p| p.to_string()).collect();
    with_client(url, |client| {
        Box::pin(async move {
            let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                params.iter().map(|p| p as _).collect();
            client
                .query(&sql, &refs)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e:?}"))
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| r.get::<_, Option<String>>(i))
                        .collect()
                })
                .collect()
        })
    })
}

fn with_client<T>(
    url: &str,
    f: impl for<'a> FnOnce(
        &'a tokio_postgres::Client,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'a>>,
) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("the test PostgreSQL server answers");
        let connection = tokio::spawn(connection);
        let value = f(&client).await;
        drop(client);
        let _ = connection.await;
        value
    })
}
