//! A local HTTP server playing a town's SMS provider, for the tests that
//! send SMS.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// A local HTTP server playing an SMS provider: records each request, and
/// answers with the status given (200 unless told otherwise).
pub struct SmsDouble {
    pub port: u16,
    pub received: Arc<Mutex<Vec<(String, String)>>>,
    pub status: Arc<Mutex<u16>>,
}

impl SmsDouble {
    pub fn start() -> SmsDouble {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(Mutex::new(200u16));
        let (r, st) = (Arc::clone(&received), Arc::clone(&status));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read the head, then the body by Content-Length.
                let (head, body) = loop {
                    let n = stream.read(&mut chunk).unwrap_or(0);
                    if n == 0 {
                        break (String::from_utf8_lossy(&buf).to_string(), String::new());
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let length: usize = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        if body.len() >= length {
                            break (head.to_owned(), body.to_owned());
                        }
                    }
                };
                r.lock().unwrap().push((head, body));
                let code = *st.lock().unwrap();
                let _ = stream.write_all(
                    format!(
                        "HTTP/1.1 {code} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    )
                    .as_bytes(),
                );
            }
        });
        SmsDouble {
            port,
            received,
            status,
        }
    }

    pub fn bodies(&self) -> Vec<String> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| b.clone())
            .collect()
    }
}

/// The town's SMS provider calling `path` (its callback, its receipts) with
/// a form `body`, signed with the town's `secret` as the town's own calls
/// are (`Guichet-Signature`), at the server's time.
pub fn signed_post(
    server: &super::Server,
    path: &str,
    secret: &str,
    body: &str,
) -> super::HttpResponse {
    let t = server.app.now().as_second();
    let signature = guichet::notify::calls::signature(secret, t, body.as_bytes());
    super::agent::post_typed(
        server,
        path,
        "",
        "application/x-www-form-urlencoded",
        body.as_bytes(),
        &format!("Guichet-Signature: {signature}\r\n"),
    )
}

/// The provider's call for an SMS received on the town's number.
pub fn received(
    server: &super::Server,
    secret: &str,
    from: &str,
    text: &str,
    id: &str,
) -> super::HttpResponse {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("from", from)
        .append_pair("text", text)
        .append_pair("id", id)
        .finish();
    signed_post(server, "/demoville/inbound/sms", secret, &body)
}

/// The `status` of the callback's JSON answer.
pub fn status_of(r: &super::HttpResponse) -> String {
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
    v["status"].as_str().unwrap_or("").to_owned()
}
