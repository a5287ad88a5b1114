//! A town's TOML files: settings.toml (read, then checked), places.toml,
//! templates.toml (its wordings filled and rewritten by the admin page).
#![no_main]
use guichet::tenant::look::Settings;
use guichet::tenant::templates;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(settings) = toml::from_str::<Settings>(text) {
        if settings.check().is_ok() {
            let _ = (settings.lists(), settings.inbound.rules(), settings.map.tile_origin());
            for agenda in settings.agendas.values() {
                let _ = agenda.hours();
            }
        }
    }
    let _ = guichet::tenant::places::parse(text);
    let _ = templates::fill(text, &[("reference", "2026-000001"), ("town", "Démoville")]);
    let _ = templates::unknown_variables(text);
    if let Ok(table) = toml::from_str::<toml::Table>(text) {
        let scope = templates::Scope {
            name: "answer".into(),
            ..Default::default()
        };
        let _ = templates::wording(&table, &scope, "subject");
        let _ = templates::letter(&table, "road-incident", "received", &[], "fr");
    }
    let scope = templates::Scope {
        name: "step".into(),
        service: Some("road-incident".into()),
        step: Some("scheduled".into()),
    };
    if let Ok(rewritten) = templates::reword(text, &scope, &[("subject", Some("Objet {reference}"))]) {
        // The rewritten file reads back as TOML.
        assert!(rewritten.parse::<toml::Table>().is_ok(), "{rewritten}");
    }
});
