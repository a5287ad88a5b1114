//! The XML reader under the SOAP envelope, the exchange files and the
//! definitions: any text is read or refused, within its limits.
#![no_main]
use guichet::xml::{Limits, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let small = Limits {
            max_depth: 8,
            max_elements: 64,
        };
        if let Ok(root) = parse(text, small) {
            // What the small limits accept, the default ones accept alike.
            assert_eq!(parse(text, Limits::default()).ok(), Some(root));
        }
    }
});
