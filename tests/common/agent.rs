//! An agent in the back office over HTTP (signed in, reading XML views,
//! sending commands from a request page) and the XML and form helpers the
//! back-office tests share.

use super::{HttpResponse, Server};
use guichet::xml::Element;

pub fn parse(xml: &str) -> Element {
    guichet::xml::parse(xml, Default::default()).unwrap_or_else(|e| panic!("{e}: {xml}"))
}

pub fn find<'a>(e: &'a Element, name: &str) -> Option<&'a Element> {
    if e.name == name {
        return Some(e);
    }
    e.children.iter().find_map(|c| find(c, name))
}

pub fn find_all<'a>(e: &'a Element, name: &str, out: &mut Vec<&'a Element>) {
    if e.name == name {
        out.push(e);
    }
    for c in &e.children {
        find_all(c, name, out);
    }
}

pub fn all<'a>(e: &'a Element, name: &str) -> Vec<&'a Element> {
    let mut out = Vec::new();
    find_all(e, name, &mut out);
    out
}

pub fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

/// Where HTTP requests go: an in-process [`Server`], or a node started as
/// a process ([`Node`]).
pub trait Target {
    fn raw(&self, request: &[u8]) -> HttpResponse;
    fn get(&self, path: &str) -> HttpResponse {
        self.raw(
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    }
}

impl Target for Server {
    fn raw(&self, request: &[u8]) -> HttpResponse {
        Server::raw(self, request)
    }
}

/// A `guichet serve` listening at this address.
pub struct Node(pub std::net::SocketAddr);

impl Target for Node {
    fn raw(&self, request: &[u8]) -> HttpResponse {
        super::raw_to(self.0, request)
    }
}

pub fn post_raw<T: Target + ?Sized>(
    server: &T,
    path: &str,
    cookie: &str,
    body: &[u8],
    extra: &str,
) -> HttpResponse {
    post_typed(
        server,
        path,
        cookie,
        "application/x-www-form-urlencoded",
        body,
        extra,
    )
}

pub fn post_typed<T: Target + ?Sized>(
    server: &T,
    path: &str,
    cookie: &str,
    content_type: &str,
    body: &[u8],
    extra: &str,
) -> HttpResponse {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCookie: {cookie}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    server.raw(&request)
}

pub struct Agent<'a, T: Target + ?Sized = Server> {
    pub server: &'a T,
    pub cookie: String,
}

/// `guichet agent add LOGIN --name NAME --role ROLE` on the demo server's
/// data, with `password`; what the command did.
pub fn add_with_cli(
    server: &Server,
    login: &str,
    name: &str,
    role: &str,
    password: &str,
) -> std::process::Output {
    super::cli(&server.data_dir)
        .args([
            "agent",
            "add",
            login,
            "--name",
            name,
            "--role",
            role,
            "--data-dir",
        ])
        .arg(&server.data_dir)
        .env("GUICHET_AGENT_PASSWORD", password)
        .output()
        .unwrap()
}

/// The rows of one table of a statistics view (`table[@id]`), each as its
/// cells' text.
pub fn stats_table(view: &Element, id: &str) -> Vec<Vec<String>> {
    all(view, "table")
        .into_iter()
        .find(|t| t.attr("id") == Some(id))
        .unwrap_or_else(|| panic!("a table {id}"))
        .children_named("row")
        .map(|r| r.children_named("cell").map(|c| c.text.clone()).collect())
        .collect()
}

/// The password [`add_reader`] gives.
pub const READER_PASSWORD: &str = "mot de passe de test";

/// `guichet agent add LOGIN` with roles (`DEPARTMENT:ROLE`) and maybe an
/// address, its password [`READER_PASSWORD`]; it must succeed.
pub fn add_reader(server: &Server, login: &str, roles: &[&str], email: Option<&str>) {
    let mut cli = super::cli(&server.data_dir);
    cli.args(["agent", "add", login, "--name", login, "--data-dir"])
        .arg(&server.data_dir)
        .env("GUICHET_AGENT_PASSWORD", READER_PASSWORD);
    for r in roles {
        cli.args(["--role", r]);
    }
    if let Some(e) = email {
        cli.args(["--email", e]);
    }
    let out = cli.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn login_attempt<T: Target + ?Sized>(server: &T, login: &str, password: &str) -> HttpResponse {
    let page = server.get("/demoville/backoffice/login?format=xml");
    assert_eq!(page.status, 200, "{}", page.body);
    let view = parse(&page.body);
    let token = find(&view, "login")
        .unwrap()
        .attr("token")
        .unwrap()
        .to_owned();
    post_raw(
        server,
        "/demoville/backoffice/login",
        "",
        &form(&[("_token", &token), ("login", login), ("password", password)]),
        "Sec-Fetch-Site: same-origin\r\n",
    )
}

pub fn login<'a, T: Target + ?Sized>(server: &'a T, login: &str) -> Agent<'a, T> {
    login_with(server, login, guichet::app::DEMO_PASSWORD)
}

/// Signs in with `password`, which must be right.
pub fn login_with<'a, T: Target + ?Sized>(
    server: &'a T,
    login: &str,
    password: &str,
) -> Agent<'a, T> {
    let r = login_attempt(server, login, password);
    assert_eq!(r.status, 303, "{login} logs in: {}", r.body);
    let set = r.header("set-cookie").expect("a session cookie").to_owned();
    let cookie = set.split(';').next().unwrap().to_owned();
    Agent { server, cookie }
}

impl<T: Target + ?Sized> Agent<'_, T> {
    pub fn get(&self, path: &str) -> HttpResponse {
        self.server.raw(
            format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nCookie: {}\r\nConnection: close\r\n\r\n",
                self.cookie
            )
            .as_bytes(),
        )
    }

    /// A page's XML view, which must be served.
    pub fn view(&self, path: &str) -> Element {
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = self.get(&format!("{path}{sep}format=xml"));
        assert_eq!(r.status, 200, "GET {path}: {}", r.body);
        parse(&r.body)
    }

    pub fn request(&self, reference: &str) -> Element {
        self.view(&format!("/demoville/backoffice/requests/{reference}"))
    }

    /// The revision a request's page offers its commands on.
    pub fn revision(&self, reference: &str) -> String {
        find(&self.request(reference), "commands")
            .expect("commands on the request page")
            .attr("revision")
            .unwrap()
            .to_owned()
    }

    pub fn post(&self, path: &str, fields: &[(&str, &str)]) -> HttpResponse {
        post_raw(
            self.server,
            path,
            &self.cookie,
            &form(fields),
            "Sec-Fetch-Site: same-origin\r\n",
        )
    }

    /// The session's anti-forgery token, as the agent's bar carries it.
    pub fn token(&self) -> String {
        find(&self.view("/demoville/backoffice/"), "backoffice")
            .and_then(|b| b.attr("token"))
            .expect("the agent's bar")
            .to_owned()
    }

    /// Posts `fields` as a page's form does, the session's token with them.
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> HttpResponse {
        let token = self.token();
        let mut all = vec![("_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post(path, &all)
    }

    /// Sends a command from the request page as it is now.
    pub fn command(&self, reference: &str, fields: &[(&str, &str)]) -> HttpResponse {
        let page = self.request(reference);
        let commands = find(&page, "commands").expect("the agent may act");
        let token = commands.attr("token").unwrap().to_owned();
        let revision = commands.attr("revision").unwrap().to_owned();
        let mut all = vec![("_token", token.as_str()), ("revision", revision.as_str())];
        all.extend_from_slice(fields);
        self.post(&format!("/demoville/backoffice/requests/{reference}"), &all)
    }

    pub fn act(&self, reference: &str, action: &str) -> HttpResponse {
        self.command(reference, &[("command", "act"), ("action", action)])
    }

    pub fn step(&self, reference: &str) -> String {
        find(&self.request(reference), "step").unwrap().text.clone()
    }
}
