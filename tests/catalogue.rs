//! Service definitions are data checked twice: against
//! `xsd/service-definition.xsd` (what administrators and tools validate
//! with) and by the loader (what the server trusts). Both must agree.

mod common;

use common::TempDir;
use std::path::Path;
use std::process::Command;

fn xsd_accepts(file: &Path) -> bool {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(root.join("xsd/service-definition.xsd"))
        .arg(file)
        .output()
        .expect("xmllint is needed (Debian libxml2-utils): run scripts/test.sh, which installs it");
    assert_ne!(
        out.status.code(),
        Some(5),
        "the schema itself must compile: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.status.success()
}

#[test]
fn every_catalogue_file_is_valid_against_the_schema() {
    // A folder per theme, a file per service, named by its code.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("catalogue");
    let mut count = 0;
    for theme in std::fs::read_dir(dir).unwrap() {
        let theme = theme.unwrap().path();
        assert!(
            theme.is_dir(),
            "{}: only theme folders here",
            theme.display()
        );
        for entry in std::fs::read_dir(&theme).unwrap() {
            let path = entry.unwrap().path();
            assert!(xsd_accepts(&path), "{} is not valid", path.display());
            let service = guichet::library::check(
                &path.display().to_string(),
                &std::fs::read_to_string(&path).unwrap(),
            )
            .unwrap();
            assert_eq!(
                path.file_name().unwrap().to_string_lossy(),
                format!("{}.xml", service.code),
                "named by its code"
            );
            assert_eq!(
                theme.file_name().unwrap().to_string_lossy(),
                service.theme.code,
                "{} is in its theme's folder",
                path.display()
            );
            count += 1;
        }
    }
    assert_eq!(count, guichet::core::builtin::DEFINITIONS.len());
}

#[test]
fn broken_definitions_are_refused_by_schema_and_loader_alike() {
    let temp = TempDir::new();
    let original = guichet::core::builtin::definition("room-booking").unwrap();
    let cases = [
        (
            "unknown field type",
            original.replace(r#"type="time""#, r#"type="hour""#),
        ),
        (
            "duplicate field",
            original.replace(r#"name="endTime""#, r#"name="startTime""#),
        ),
        (
            "choice without options",
            original
                .replace(r#"<option value="meeting">Réunion</option>"#, "")
                .replace(
                    r#"<option value="general-assembly">Assemblée générale</option>"#,
                    "",
                )
                .replace(r#"<option value="show">Spectacle ou concert</option>"#, "")
                .replace(r#"<option value="training">Formation</option>"#, "")
                .replace(
                    r#"<option value="family-party">Fête familiale</option>"#,
                    "",
                ),
        ),
        (
            "bad code",
            original.replace(r#"code="room-booking""#, r#"code="Room Booking""#),
        ),
        (
            "bad operation name",
            original.replace(
                "<operation>RoomBookingRequest</operation>",
                "<operation>room booking</operation>",
            ),
        ),
        (
            "duplicate step",
            original.replace(r#"id="availability""#, r#"id="received""#),
        ),
        (
            "unknown step kind",
            original.replace(r#"kind="accepted""#, r#"kind="done""#),
        ),
    ];
    assert!(guichet::core::catalogue::Service::from_xml(original).is_ok());
    for (what, text) in cases {
        assert_ne!(text, original, "{what}: the mutation did not apply");
        let file = temp.0.join("def.xml");
        std::fs::write(&file, &text).unwrap();
        // "choice without options" is a semantic rule the schema cannot say.
        if what != "choice without options" {
            assert!(!xsd_accepts(&file), "{what}: the schema accepted it");
        }
        assert!(
            guichet::core::catalogue::Service::from_xml(&text).is_err(),
            "{what}: the loader accepted it"
        );
    }
}
