//! Tracking codes and references as people type them: what is read
//! writes back to a text that reads the same.
#![no_main]
use guichet::core::tracking::{Reference, TrackingCode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(code) = TrackingCode::parse(text) {
        let again = TrackingCode::parse(&code.to_string());
        assert!(again == Some(code), "{text:?}");
    }
    if let Some(reference) = Reference::parse(text) {
        assert_eq!(Reference::parse(&reference.to_string()), Some(reference), "{text:?}");
    }
});
