//! The front door against abuse: rate limits per client and per town
//! (429 with Retry-After), the client named by a trusted proxy only.

mod common;

use common::agent::login_attempt;
use common::{Server, TempDir, envelope11, road_incident};
use guichet::config::{RateLimits, RequestLimits};
use guichet::usecases::rate::Limiters;

/// A server with these rate limits (the tests' servers have none).
fn limited(limits: &str, proxies: &[&str]) -> Server {
    let temp = TempDir::new();
    let limits: RateLimits = limits.parse().unwrap();
    let proxies: Vec<ipnet::IpNet> = proxies.iter().map(|p| p.parse().unwrap()).collect();
    let mut server = Server::start_configured(&temp.0, RequestLimits::default(), move |app| {
        app.config.rate_limits = limits.clone();
        app.config.trusted_proxies = proxies;
        app.rate = Limiters::new(&limits, std::sync::Arc::clone(&app.clock));
    });
    server.keep(temp);
    server
}

fn forwarded_post(
    server: &Server,
    path: &str,
    forwarded_for: &str,
    body: &str,
) -> common::HttpResponse {
    server.raw(
        format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: text/xml; charset=utf-8\r\nX-Forwarded-For: {forwarded_for}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
}

#[test]
fn submits_beyond_a_clients_share_wait_and_nothing_is_stored() {
    let server = limited("soap=3:100", &[]);
    let envelope = envelope11(&road_incident("Limite"));
    for _ in 0..3 {
        assert_eq!(server.soap11(&envelope).status, 200);
    }
    let r = server.soap11(&envelope);
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(
        r.header("retry-after"),
        Some("20"),
        "3 a minute: one every 20 s"
    );
    assert!(r.body.contains("réessayez dans 20 secondes"), "{}", r.body);
    // The time the answer named, and it goes through again: the refused
    // one took no reference.
    server.advance_minutes(1);
    let r = server.soap11(&envelope);
    assert_eq!(r.status, 200);
    assert!(
        r.element("reference").unwrap().ends_with("-000004"),
        "{}",
        r.body
    );
    // The metric counts the refusal (the process's, every test's).
    let metrics = server.get("/metrics");
    let counted: u64 = metrics
        .body
        .lines()
        .find_map(|l| l.strip_prefix("guichet_rate_limited_total{kind=\"soap\"} "))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(counted >= 1, "{}", metrics.body);
}

#[test]
fn a_town_flooded_from_many_addresses_is_held_to_its_own_share() {
    let server = limited("soap=100:4", &["127.0.0.1/32"]);
    let envelope = envelope11(&road_incident("Foule"));
    for i in 0..4 {
        let r = forwarded_post(
            &server,
            "/demoville/soap",
            &format!("198.51.100.{i}"),
            &envelope,
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let r = forwarded_post(&server, "/demoville/soap", "198.51.100.99", &envelope);
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    // Reads are not counted.
    assert_eq!(server.get("/demoville/").status, 200);
}

#[test]
fn behind_a_trusted_proxy_each_client_is_counted_by_the_address_it_names() {
    let server = limited("login=2:1000", &["127.0.0.1/32", "10.0.0.0/8"]);
    let attempt = |chain: &str| {
        let body = "login=marie&password=faux&_token=x";
        server.raw(
            format!(
                "POST /demoville/backoffice/login HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Forwarded-For: {chain}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        )
    };
    // 192.0.2.7 through two proxies of ours: counted as 192.0.2.7.
    assert_ne!(attempt("192.0.2.7, 10.1.2.3").status, 429);
    assert_ne!(attempt("192.0.2.7, 10.1.2.3").status, 429);
    let r = attempt("192.0.2.7, 10.1.2.3");
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("30"));
    // Another citizen behind the same proxies is not held back.
    assert_ne!(attempt("192.0.2.8").status, 429);
    // An address the client wrote itself, left of the one our proxy saw,
    // does not get it a fresh share.
    assert_eq!(attempt("203.0.113.50, 192.0.2.7").status, 429);
}

#[test]
fn without_a_trusted_proxy_a_forwarded_address_is_not_believed() {
    let server = limited("login=1:1000", &[]);
    assert_ne!(login_attempt(&server, "marie", "faux").status, 429);
    let body = "login=marie&password=faux&_token=x";
    let r = server.raw(
        format!(
            "POST /demoville/backoffice/login HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Forwarded-For: 192.0.2.200\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    assert_eq!(r.status, 429, "still 127.0.0.1");
}

#[test]
fn each_kind_has_its_own_limit() {
    let server = limited("signup=1:100,forms=1:100,open311=1:100,exchange=1:100", &[]);
    let form = "application/x-www-form-urlencoded";
    assert_ne!(
        server
            .post("/demoville/account/signup", form, b"email=a")
            .status,
        429
    );
    assert_eq!(
        server
            .post("/demoville/account/signup", form, b"email=a")
            .status,
        429
    );
    assert_ne!(server.post("/demoville/track", form, b"code=x").status, 429);
    assert_eq!(server.post("/demoville/track", form, b"code=x").status, 429);
    assert_ne!(
        server
            .post("/demoville/open311/v2/requests.json", form, b"x=1")
            .status,
        429
    );
    assert_eq!(
        server
            .post("/demoville/open311/v2/requests.json", form, b"x=1")
            .status,
        429
    );
    let xml = "text/xml; charset=utf-8";
    assert_ne!(server.post("/demoville/exchange", xml, b"<x/>").status, 429);
    assert_eq!(server.post("/demoville/exchange", xml, b"<x/>").status, 429);
    // SOAP is not limited here (soap keeps its default, far above).
    let envelope = envelope11(&road_incident("Genre"));
    assert_eq!(server.soap11(&envelope).status, 200);
}

#[test]
fn the_limits_are_read_and_refused_with_what_to_write() {
    let l: RateLimits = "soap=10:0, login=0:5".parse().unwrap();
    let soap = l.of(guichet::config::RateClass::Soap).unwrap();
    assert_eq!((soap.client, soap.town), (10, 0));
    assert!(
        l.of(guichet::config::RateClass::Forms).is_some(),
        "defaults kept"
    );
    assert!("off".parse::<RateLimits>().unwrap().classes.is_empty());
    let e = "soup=1:2".parse::<RateLimits>().unwrap_err();
    assert!(e.contains("unknown kind `soup`"), "{e}");
    let e = "soap=12".parse::<RateLimits>().unwrap_err();
    assert!(e.contains("CLIENT:TOWN"), "{e}");
}

#[test]
fn the_client_is_read_from_x_forwarded_for_or_forwarded_as_proxies_write_them() {
    use guichet::http::client_address;
    use hyper::HeaderMap;
    let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
    let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
    let with = |name: &'static str, value: &str| {
        let mut h = HeaderMap::new();
        h.insert(name, value.parse().unwrap());
        h
    };
    let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
    let forwarded = with(
        "forwarded",
        r#"for="[2001:db8::7]:4711";proto=https, for=10.0.0.9"#,
    );
    assert_eq!(
        client_address(&trusted, &forwarded, proxy),
        ip("2001:db8::7")
    );
    let xff = with("x-forwarded-for", "192.0.2.1:5000, 10.2.2.2");
    assert_eq!(client_address(&trusted, &xff, proxy), ip("192.0.2.1"));
    let only_ours = with("x-forwarded-for", "10.3.3.3, 10.2.2.2");
    assert_eq!(client_address(&trusted, &only_ours, proxy), ip("10.3.3.3"));
    let garbage = with("x-forwarded-for", "unknown, <script>");
    assert_eq!(client_address(&trusted, &garbage, proxy), proxy);
    assert_eq!(client_address(&trusted, &HeaderMap::new(), proxy), proxy);
    let stranger = ip("198.51.100.1");
    assert_eq!(client_address(&trusted, &xff, stranger), stranger);
}

/// What SQL text may be built from, besides `UPPER_CASE` constants: each
/// name here was read and is a fragment the store makes of its own
/// placeholders (`?N`, `$N`), a number, a choice among fixed words, or one
/// of its own table or column names — never a value someone sent.
const VETTED: &[(&str, &str)] = &[
    (
        "filter",
        "console and export filters: clauses over placeholders (store::console)",
    ),
    (
        "filter.sql",
        "the statistics filter: clauses over placeholders",
    ),
    ("where_clause", "clauses over placeholders"),
    ("clause", "a citizen looked up by one of two fixed clauses"),
    ("condition", "one of two fixed retention conditions"),
    ("clauses.join", "clauses over placeholders"),
    ("marks", "a list of placeholders"),
    ("placeholders.join", "a list of placeholders"),
    ("pairs.join", "pairs of placeholders"),
    ("each(", "the same clause over numbered placeholders"),
    ("p", "a placeholder"),
    ("reference_text", "a fixed SQL expression of the reference"),
    ("limit", "a number"),
    ("offset", "a number"),
    ("page_size(", "a number"),
    ("order", "ORDER BY chosen from a fixed set"),
    ("by", "one of two fixed column names"),
    ("which", "one of two fixed column names"),
    (
        "table",
        "the store's own table names (store copy, outbox tables)",
    ),
    ("list", "the columns of the store's own tables"),
    ("AGENT_COLUMNS", "the agents' columns"),
    ("orphans", "a fixed subquery"),
    ("open", "a fixed FROM clause"),
    (
        "rest",
        "fixed WHERE clauses over placeholders (subscribers_where)",
    ),
];

/// Every `format!` of the sources whose text is SQL, with the
/// interpolations it makes: `(file:line, literal, [interpolation])`.
fn sql_formats() -> Vec<(String, String, Vec<String>)> {
    let keyword = regex::Regex::new(
        r"\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|WHERE|ORDER BY|CREATE|DROP|ALTER|VALUES|JOIN)\b",
    )
    .unwrap();
    let start = regex::Regex::new(r#"format!\(\s*(r#*)?""#).unwrap();
    let placeholder = regex::Regex::new(r"\{([^{}:]*)(?::[^{}]*)?\}").unwrap();
    let mut out = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for m in start.captures_iter(&text) {
                let whole = m.get(0).unwrap();
                let hashes = m.get(1).map_or("", |h| &h.as_str()[1..]);
                let close = format!("\"{hashes}");
                let Some(len) = text[whole.end()..].find(&close) else {
                    continue;
                };
                let literal = &text[whole.end()..whole.end() + len];
                if !keyword.is_match(literal) {
                    continue;
                }
                // The arguments, up to the closing parenthesis.
                let after = &text[whole.end() + len + close.len()..];
                let mut depth = 1;
                let mut end = 0;
                for (i, c) in after.char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                let mut positional = after[..end]
                    .trim_start_matches(',')
                    .split(",\n")
                    .map(|a| a.trim().trim_start_matches('&').to_owned())
                    .filter(|a| !a.is_empty());
                let cleaned = literal.replace("{{", "").replace("}}", "");
                let used: Vec<String> = placeholder
                    .captures_iter(&cleaned)
                    .map(|c| match c.get(1).unwrap().as_str() {
                        "" => positional.next().unwrap_or_default(),
                        name => name.to_owned(),
                    })
                    .collect();
                let line = text[..whole.start()].lines().count();
                let file = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
                out.push((
                    format!("{}:{line}", file.display()),
                    literal.to_owned(),
                    used,
                ));
            }
        }
    }
    out
}

#[test]
fn sql_is_made_of_bound_parameters_only() {
    let formats = sql_formats();
    assert!(
        formats.len() > 50,
        "the scan finds the store's SQL: {}",
        formats.len()
    );
    let mut refused = Vec::new();
    for (at, literal, used) in &formats {
        // A value put between quotes is a value in the SQL text.
        if literal.contains("'{") {
            refused.push(format!("{at}: a value quoted into SQL: {literal}"));
        }
        for u in used {
            let constant = !u.is_empty()
                && u.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            let vetted = VETTED.iter().any(|(name, _)| {
                u == name
                    || (name.ends_with('(')
                        || name.ends_with(".join")
                        || name.contains('.')
                        || *name == "AGENT_COLUMNS")
                        && u.starts_with(name)
            });
            if !constant && !vetted {
                refused.push(format!("{at}: `{u}` interpolated into SQL"));
            }
        }
    }
    // Quotes doubled by hand are SQL escaped by hand.
    for (at, _, _) in &formats {
        let file = at.split(':').next().unwrap();
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_owned() + file)
                .unwrap();
        if text.contains(r#"replace('\'', "''")"#) {
            refused.push(format!("{file}: quotes escaped by hand"));
        }
    }
    refused.sort();
    refused.dedup();
    assert!(
        refused.is_empty(),
        "SQL must bind its values (or vet the interpolation in VETTED):\n{}",
        refused.join("\n")
    );
}

/// The attack files of the field, each dropped as a town's `catalogue.xsl`:
/// none reads a file, reaches the network or writes anything, and the
/// page still answers (the attack's output without the secret, or the
/// default page when the stylesheet is refused).
#[test]
fn a_towns_stylesheet_cannot_read_files_reach_the_network_or_write() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = Server::start();
    // A listener that counts whoever connects.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = std::sync::Arc::new(AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&connections);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if stream.is_ok() {
                counted.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let written = std::env::temp_dir().join(format!("guichet-xslt-pwned-{}", std::process::id()));
    let _ = std::fs::remove_file(&written);
    let head = r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:exsl="http://exslt.org/common" xmlns:dyn="http://exslt.org/dynamic" xmlns:php="http://php.net/xsl" xmlns:saxon="http://saxon.sf.net/" extension-element-prefixes="exsl" exclude-result-prefixes="dyn php saxon"><xsl:output method="html"/>"#;
    let net = format!("http://127.0.0.1:{port}/evil.xsl");
    let attacks: Vec<(&str, String)> = vec![
        (
            "document() of a file",
            format!(
                r#"{head}<xsl:template match="/"><p id="x">[<xsl:copy-of select="document('/etc/passwd')"/>][<xsl:copy-of select="document('file:///etc/passwd')"/>]</p></xsl:template></xsl:stylesheet>"#
            ),
        ),
        (
            "document() over the network",
            format!(
                r#"{head}<xsl:template match="/"><p id="x"><xsl:copy-of select="document('{net}')"/></p></xsl:template></xsl:stylesheet>"#
            ),
        ),
        (
            "xsl:include of /etc/passwd",
            format!(
                r#"{head}<xsl:include href="/etc/passwd"/><xsl:template match="/"><p id="x">inclus</p></xsl:template></xsl:stylesheet>"#
            ),
        ),
        (
            "xsl:include of file:///etc/passwd",
            format!(
                r#"{head}<xsl:include href="file:///etc/passwd"/><xsl:template match="/"><p id="x">inclus</p></xsl:template></xsl:stylesheet>"#
            ),
        ),
        (
            "xsl:import over the network",
            format!(
                r#"{head}<xsl:import href="{net}"/><xsl:template match="/"><p id="x">importé</p></xsl:template></xsl:stylesheet>"#
            ),
        ),
        (
            "a relative include climbing out",
            format!(
                r#"{head}<xsl:include href="../../../../etc/passwd"/><xsl:template match="/"><p id="x">inclus</p></xsl:template></xsl:stylesheet>"#
            ),
        ),
        (
            "an external entity",
            format!(
                r#"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd"><!ENTITY n SYSTEM "{net}">]>{head}<xsl:template match="/"><p id="x">&e;&n;</p></xsl:template></xsl:stylesheet>"#
            ),
        ),
        (
            "exsl:document writing a file",
            format!(
                r#"{head}<xsl:template match="/"><exsl:document href="{}" method="text">écrit</exsl:document><p id="x">ok</p></xsl:template></xsl:stylesheet>"#,
                written.display()
            ),
        ),
        (
            "dyn:evaluate of document()",
            format!(
                r#"{head}<xsl:template match="/"><p id="x"><xsl:copy-of select="dyn:evaluate(&quot;document('/etc/passwd')&quot;)"/></p></xsl:template></xsl:stylesheet>"#
            ),
        ),
        (
            "foreign extension functions",
            format!(
                r#"{head}<xsl:template match="/"><p id="x"><xsl:value-of select="php:function('file_get_contents', '/etc/passwd')"/><xsl:value-of select="saxon:evaluate('1')"/></p></xsl:template></xsl:stylesheet>"#
            ),
        ),
    ];
    let dir = server.data_dir.join("tenants/demoville/xslt");
    std::fs::create_dir_all(&dir).unwrap();
    // First a harmless one with the same head: the override is served, so
    // what follows tests the attacks, not a typing mistake of this test.
    std::fs::write(
        dir.join("catalogue.xsl"),
        format!(r#"{head}<xsl:template match="/"><p id="x">témoin <xsl:value-of select="count(exsl:node-set(/))"/></p></xsl:template></xsl:stylesheet>"#),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let control = server.get("/demoville/");
    assert!(
        control.body.contains(r#"<p id="x">témoin 1</p>"#),
        "{}",
        control.body
    );
    let mut ran = Vec::new();
    for (name, xsl) in &attacks {
        std::fs::write(dir.join("catalogue.xsl"), xsl).unwrap();
        // (compiled stylesheets are re-checked at most once a second)
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let page = server.get("/demoville/");
        assert_eq!(page.status, 200, "{name}: {}", page.body);
        assert!(
            !page.body.contains("root:"),
            "{name} read /etc/passwd: {}",
            page.body
        );
        assert!(!written.exists(), "{name} wrote a file");
        if page.body.contains(r#"<p id="x">"#) {
            ran.push(*name);
        }
    }
    // Refused by the transform's security preferences, each fails and the
    // default page is served; the only ones shown are the harmless ones.
    assert!(ran.iter().all(|n| n.starts_with("foreign")), "{ran:?}");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "a stylesheet reached the network"
    );
}

/// A connection to `server` from `source` (another loopback address).
fn connect_from(
    source: &str,
    server: std::net::SocketAddr,
) -> std::io::Result<std::net::TcpStream> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    let from: std::net::SocketAddr = format!("{source}:0").parse().unwrap();
    socket.bind(&from.into())?;
    socket.connect_timeout(&server.into(), std::time::Duration::from_secs(2))?;
    Ok(socket.into())
}

/// Whether the server closed `stream` (read gives end of file or an error
/// within `wait`).
fn closed(stream: &mut std::net::TcpStream, wait: std::time::Duration) -> bool {
    use std::io::Read;
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut buf = [0u8; 512];
    match stream.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => closed(stream, wait),
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

#[test]
fn a_client_holding_a_thousand_slow_connections_starves_nobody_else() {
    use std::io::Write;
    let temp = TempDir::new();
    let timeout = std::time::Duration::from_secs(6);
    let limits = RequestLimits {
        max_connections_per_client: 64,
        body_timeout: timeout,
        ..Default::default()
    };
    let mut server = Server::start_configured(&temp.0, limits, |_| {});
    server.keep(temp);
    // 127.0.0.2 opens a thousand connections and sends half a request line
    // on each (slowloris).
    let opened = std::time::Instant::now();
    let mut slow = Vec::new();
    for _ in 0..1000 {
        let mut s = connect_from("127.0.0.2", server.addr).unwrap();
        let _ = s.write_all(b"GET /demoville/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ");
        slow.push(s);
    }
    // Everyone else is answered at once.
    for _ in 0..5 {
        assert_eq!(server.get("/health").status, 200);
        assert_eq!(server.get("/demoville/").status, 200);
    }
    // Beyond 64, the slow client's connections were closed at once…
    let mut open = Vec::new();
    for mut s in slow {
        if !closed(&mut s, std::time::Duration::from_millis(20)) {
            open.push(s);
        }
    }
    assert!(
        opened.elapsed() < timeout,
        "the machine is too slow for this test: {:?}",
        opened.elapsed()
    );
    assert!(open.len() <= 64, "{} of 1000 held open", open.len());
    assert!(open.len() >= 60, "the first 64 are served: {}", open.len());
    // …and those it kept are closed once the header timeout is over.
    std::thread::sleep(
        (opened + timeout + std::time::Duration::from_secs(1))
            .saturating_duration_since(std::time::Instant::now()),
    );
    for s in &mut open {
        let _ = s.write_all(b"b");
        assert!(
            closed(s, std::time::Duration::from_millis(500)),
            "slow headers are cut off at --request-timeout"
        );
    }
    // Its share is free again.
    assert!(connect_from("127.0.0.2", server.addr).is_ok());
}

#[test]
fn oversized_headers_and_bodies_are_cut_off_before_they_are_read() {
    use std::io::{Read, Write};
    let server = Server::start();
    // 100 KiB of headers: 431, without waiting for the rest.
    let mut s = std::net::TcpStream::connect(server.addr).unwrap();
    let mut request = b"GET /demoville/ HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_vec();
    for i in 0..1600 {
        request.extend_from_slice(format!("X-Padding-{i}: {}\r\n", "a".repeat(60)).as_bytes());
    }
    let _ = s.write_all(&request);
    s.set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .unwrap();
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:?}");
    // A body announced too large: 413 before a byte of it is sent.
    for (path, content_type) in [
        ("/demoville/soap", "text/xml; charset=utf-8"),
        (
            "/demoville/services/road-incident",
            "multipart/form-data; boundary=x",
        ),
        ("/demoville/exchange", "text/xml; charset=utf-8"),
    ] {
        let mut s = std::net::TcpStream::connect(server.addr).unwrap();
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: 1000000000\r\n\r\n"
        )
        .unwrap();
        s.set_read_timeout(Some(std::time::Duration::from_secs(2)))
            .unwrap();
        let mut head = [0u8; 12];
        s.read_exact(&mut head).unwrap();
        assert_eq!(&head, b"HTTP/1.1 413", "{path}");
    }
}

/// Found by the `http` fuzz target: a form sent with a NUL in a field was
/// answered 500, the page showing it back next to its error not being XML.
#[test]
fn a_value_with_characters_xml_cannot_carry_is_refused_next_to_its_field() {
    let server = Server::start();
    let token = common::form_token(&server.get("/demoville/services/road-incident").body);
    let body = format!(
        "_token={token}&requester.lastName=Dupont%00&description=Trou%1B%5B31m%00profond&category=pothole"
    );
    let r = server.post(
        "/demoville/services/road-incident",
        "application/x-www-form-urlencoded",
        body.as_bytes(),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("caractères de contrôle"), "{}", r.body);
    assert!(!r.body.contains('\u{0}'));
    assert!(
        r.body.contains("Trou\u{FFFD}[31m\u{FFFD}profond"),
        "shown back, replaced"
    );
}
