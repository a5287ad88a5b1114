//! The SOAP envelope reader, both versions, with and without the exchange
//! API's `wsse:Security` understood: a request or a fault, never a panic.
#![no_main]
use guichet::soap::envelope::{Version, parse, parse_understanding};
use guichet::xml::Limits;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let version = if first & 1 == 0 {
        Version::Soap11
    } else {
        Version::Soap12
    };
    let security = [(guichet::exchange::api::WSSE_NS, "Security")];
    match parse(body, version, Limits::default()) {
        Ok(envelope) => {
            // A block understood by the exchange API does not turn a read
            // envelope into a fault.
            assert!(parse_understanding(body, version, Limits::default(), &security).is_ok());
            let _ = envelope.body.qualified_name();
        }
        Err(fault) => {
            let _ = fault;
            let _ = parse_understanding(body, version, Limits::default(), &security);
        }
    }
});
