//! The whole server as a client reaches it, without a socket: the demo
//! town on an embedded store, each input one request to one of its doors —
//! a SOAP submit (1.1, 1.2), the exchange API (WS-Security), Open311, a
//! citizen's form (URL-encoded, multipart), the SMS callback, any page.
//! Bad input gets an answer, never a panic, nor a 500 other than a SOAP
//! 1.1 fault blaming the client.
#![no_main]
use bytes::Bytes;
use guichet::store::sqlite::{Durability, SqliteStore};
use guichet::usecases::{App, Clock};
use hyper::{Method, Request};
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};

struct World {
    runtime: tokio::runtime::Runtime,
    app: Arc<App>,
    /// The citizen's session cookie and its anti-forgery token.
    cookie: String,
    token: String,
    _dir: tempfile::TempDir,
}

const FORM: &str = "/demoville/services/road-incident";

fn read(runtime: &tokio::runtime::Runtime, r: hyper::Response<http_body_util::Full<Bytes>>) -> String {
    use http_body_util::BodyExt;
    let bytes = runtime.block_on(r.into_body().collect()).unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path(), Durability::Normal).unwrap();
        guichet::app::ensure_demo_tenant(&store, dir.path()).unwrap();
        let now: jiff::Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let clock: Clock = Arc::new(move || now);
        let config = guichet::config::Config {
            data_dir: dir.path().to_owned(),
            ..Default::default()
        };
        let app = Arc::new(guichet::app::load(Arc::new(store), config, clock).unwrap());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let page = runtime.block_on(guichet::http::handle(
            &app,
            Request::get(FORM).body(Bytes::new()).unwrap(),
            "127.0.0.1:40000".parse().unwrap(),
        ));
        let cookie = page
            .headers()
            .get_all(hyper::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
            .join("; ");
        let html = read(&runtime, page);
        let key = r#"name="_token" value=""#;
        let at = html.find(key).expect("the form's token") + key.len();
        let token = html[at..at + html[at..].find('"').unwrap()].to_owned();
        World {
            runtime,
            app,
            cookie,
            token,
            _dir: dir,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&door, rest)) = data.split_first() else {
        return;
    };
    let w = world();
    let post = |path: &str, content_type: &str, body: Vec<u8>| {
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("host", "127.0.0.1:8080")
            .header("content-type", content_type)
            .header("content-length", body.len())
            .header("cookie", &w.cookie)
            .body(Bytes::from(body))
    };
    let request = match door % 8 {
        0 => post("/demoville/soap", "text/xml; charset=utf-8", rest.to_vec()),
        1 => post("/demoville/soap", "application/soap+xml; charset=utf-8", rest.to_vec()),
        2 => post("/demoville/exchange", "text/xml; charset=utf-8", rest.to_vec()),
        3 => post(
            "/demoville/open311/v2/requests.json",
            "application/x-www-form-urlencoded",
            rest.to_vec(),
        ),
        4 => {
            let mut body = format!("_token={}&", w.token).into_bytes();
            body.extend_from_slice(rest);
            post(FORM, "application/x-www-form-urlencoded", body)
        }
        5 => {
            let mut body = format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"_token\"\r\n\r\n{}\r\n",
                w.token
            )
            .into_bytes();
            body.extend_from_slice(rest);
            post(FORM, "multipart/form-data; boundary=XyZ", body)
        }
        6 => post("/demoville/inbound/sms", "application/json", rest.to_vec()),
        _ => {
            let Ok(path) = std::str::from_utf8(rest) else {
                return;
            };
            Request::builder()
                .method(Method::GET)
                .uri(format!("/demoville/{path}"))
                .header("host", "127.0.0.1:8080")
                .header("cookie", &w.cookie)
                .body(Bytes::new())
        }
    };
    let Ok(request) = request else {
        return;
    };
    let response = w.runtime.block_on(guichet::http::handle(
        &w.app,
        request,
        "127.0.0.1:40000".parse().unwrap(),
    ));
    if response.status() == hyper::StatusCode::INTERNAL_SERVER_ERROR {
        let body = read(&w.runtime, response);
        // SOAP 1.1 sends every fault with 500 (its binding says so): one
        // that blames the client is the right answer; one that blames the
        // server, as any other 500, is a defect.
        let client_fault = door % 8 <= 2
            && ["Client", "VersionMismatch", "MustUnderstand", "Sender"]
                .iter()
                .any(|code| {
                    body.contains(&format!("<faultcode>soap:{code}</faultcode>"))
                        || body.contains(&format!("<soap:Value>soap:{code}</soap:Value>"))
                });
        if !client_fault {
            panic!("door {door}: 500 {body}");
        }
    }
});
