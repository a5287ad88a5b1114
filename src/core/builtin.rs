//! The service library shipped with Guichet (`catalogue/THEME/CODE.xml`),
//! compiled into the binary (the list is written by `build.rs`) so that a
//! fresh install has a library to pick from and a working demo town.

use super::catalogue::Service;

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// The built-in services, parsed. They are checked by the test suite, so a
/// failure here is a build defect.
pub fn services() -> Vec<Service> {
    DEFINITIONS
        .iter()
        .map(|(name, text)| Service::from_xml(text).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}

/// The shipped definition file of `code` (`road-incident`…), if any.
pub fn definition(code: &str) -> Option<&'static str> {
    let file = format!("{code}.xml");
    DEFINITIONS
        .iter()
        .find(|(path, _)| path.rsplit('/').next() == Some(file.as_str()))
        .map(|(_, text)| *text)
}
