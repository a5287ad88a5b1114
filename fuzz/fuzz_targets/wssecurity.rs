//! The exchange API's WS-Security header: an envelope's UsernameToken
//! read, its window checked and its digest computed, whatever it holds.
#![no_main]
use guichet::auth::api::{check, precheck};
use guichet::soap::envelope::{Version, parse_understanding};
use guichet::xml::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let security = [(guichet::exchange::api::WSSE_NS, "Security")];
    let Ok(envelope) = parse_understanding(data, Version::Soap11, Limits::default(), &security)
    else {
        return;
    };
    if let Ok(Some(token)) = guichet::soap::exchange::username_token(&envelope.headers) {
        let now: jiff::Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let _ = precheck(&token, now);
        let _ = check(&token, "mot-de-passe-du-logiciel");
    }
});
