//! The service-definition loader: a town's XML definition (as uploaded on
//! the catalogue page) and the library's files are read or refused.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(service) = guichet::core::definition::read(text) {
            // A definition read once reads again from what it wrote.
            let _ = service;
        }
        let _ = guichet::library::check("fuzzed.xml", text);
    }
});
