//! The form decoder: URL-encoded bodies and `multipart/form-data` (the
//! boundary taken from the input's first line), as every page reads them.
#![no_main]
use bytes::Bytes;
use guichet::web::{Fields, PageRequest};
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::Method;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // URL-encoded: every name and value is readable.
    let fields = Fields::parse(data);
    for (name, value) in fields.pairs() {
        let _ = (fields.get(name), fields.all(name), value.len());
    }
    // Multipart: the first line is the Content-Type's boundary parameter.
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (boundary, body) = data.split_at(split);
    let Ok(boundary) = std::str::from_utf8(boundary) else {
        return;
    };
    let mut headers = HeaderMap::new();
    let Ok(value) = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}"))
    else {
        return;
    };
    headers.insert(CONTENT_TYPE, value);
    let request = PageRequest {
        method: &Method::POST,
        rest: &[],
        query: None,
        headers: &headers,
        origin: "http://127.0.0.1",
        body: Bytes::copy_from_slice(body.get(1..).unwrap_or_default()),
        peer: std::net::Ipv4Addr::LOCALHOST.into(),
    };
    let read = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(Fields::read(&request));
    if let Ok(fields) = read {
        for (name, upload) in fields.files() {
            let _ = (fields.file(name), upload.bytes.len());
        }
    }
});
