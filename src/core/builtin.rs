//! The catalogue shipped with Guichet (`catalogue/*.xml`), compiled into the
//! binary so that a fresh install has a working demo town.

use super::catalogue::Service;

/// `(file name, definition text)` of every built-in service.
pub const DEFINITIONS: [(&str, &str); 5] = [
    (
        "birth-certificate.xml",
        include_str!("../../catalogue/birth-certificate.xml"),
    ),
    (
        "school-enrolment.xml",
        include_str!("../../catalogue/school-enrolment.xml"),
    ),
    (
        "road-incident.xml",
        include_str!("../../catalogue/road-incident.xml"),
    ),
    (
        "room-booking.xml",
        include_str!("../../catalogue/room-booking.xml"),
    ),
    (
        "change-of-address.xml",
        include_str!("../../catalogue/change-of-address.xml"),
    ),
];

/// The built-in services, parsed. They are checked by the test suite, so a
/// failure here is a build defect.
pub fn services() -> Vec<Service> {
    DEFINITIONS
        .iter()
        .map(|(name, text)| Service::from_xml(text).unwrap_or_else(|e| panic!("{name}: {e}")))
        .collect()
}
