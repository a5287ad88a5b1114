//! Message templates: the built-in French ones (`templates/fr.toml`) under
//! the tenant's rewording (`DATA/tenants/SLUG/templates.toml`), per service
//! and per step.

use crate::render::mail::{Brand, html};
use std::sync::LazyLock;

static BUILTIN: LazyLock<toml::Table> = LazyLock::new(|| {
    include_str!("../../templates/fr.toml")
        .parse()
        .expect("built-in templates")
});

/// The citizens' messages in English, for requests made on the English
/// pages (`templates/en.toml`).
static BUILTIN_EN: LazyLock<toml::Table> = LazyLock::new(|| {
    include_str!("../../templates/en.toml")
        .parse()
        .expect("built-in English templates")
});

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// For citizens' messages that have an SMS wording.
    pub sms: Option<String>,
}

fn table<'a>(t: &'a toml::Table, path: &[&str]) -> Option<&'a toml::Table> {
    let mut at = t;
    for key in path {
        at = at.get(*key)?.as_table()?;
    }
    Some(at)
}

/// Where a template's wording is looked for, most specific first: the
/// tenant's `[SERVICE.step.STEP]` (step news only), `[SERVICE.NAME]`,
/// `[NAME]`, then the built-in `[NAME]`. In English, the built-in English
/// wording when there is one (the tenant's rewordings are French).
fn places<'t, 'p>(
    tenant: &'t toml::Table,
    service: Option<&'p str>,
    step: Option<&'p str>,
    name: &'p str,
    lang: &str,
) -> Vec<(&'t toml::Table, Vec<&'p str>)> {
    if lang == "en" && BUILTIN_EN.get(name).is_some() {
        return vec![(&*BUILTIN_EN, vec![name])];
    }
    let mut places = Vec::with_capacity(4);
    if let (Some(service), Some(step)) = (service, step) {
        if per_step(name) {
            places.push((tenant, vec![service, name, step]));
        }
    }
    if let Some(service) = service {
        places.push((tenant, vec![service, name]));
    }
    places.push((tenant, vec![name]));
    places.push((&*BUILTIN, vec![name]));
    places
}

/// The first wording of `key` in `places`.
fn first<'a>(places: &[(&'a toml::Table, Vec<&str>)], key: &str) -> Option<&'a str> {
    places.iter().find_map(|(t, path)| {
        table(t, path)
            .and_then(|t| t.get(key))
            .and_then(|v| v.as_str())
    })
}

fn field<'a>(
    tenant: &'a toml::Table,
    service: Option<&str>,
    step: Option<&str>,
    name: &str,
    key: &str,
    lang: &str,
) -> Option<&'a str> {
    first(&places(tenant, service, step, name, lang), key)
}

/// Fills `{name}` variables.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if vars.iter().any(|(k, _)| *k == &after[..end]) => {
                let value = vars
                    .iter()
                    .find(|(k, _)| *k == &after[..end])
                    .map(|(_, v)| *v)
                    .unwrap_or_default();
                out.push_str(value);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether template `name` is also worded per step (`[SERVICE.NAME.STEP]`):
/// the step news and the letters.
pub fn per_step(name: &str) -> bool {
    name == crate::core::workflow::STEP_TEMPLATE || name == crate::core::workflow::LETTER_TEMPLATE
}

/// The letter of `step`: its subject and body filled with `vars`, from the
/// most specific wording (`[SERVICE.letter.STEP]`, `[SERVICE.letter]`,
/// `[letter]`, the built-in one).
pub fn letter(
    tenant: &toml::Table,
    service: &str,
    step: &str,
    vars: &[(&str, &str)],
    lang: &str,
) -> Option<(String, String)> {
    let name = crate::core::workflow::LETTER_TEMPLATE;
    let text = fill(
        field(tenant, Some(service), Some(step), name, "text", lang)?,
        vars,
    )
    .trim()
    .to_owned();
    let subject = fill(
        field(tenant, Some(service), Some(step), name, "subject", lang).unwrap_or("{reference}"),
        vars,
    )
    .replace(['\r', '\n'], " ");
    Some((subject, text))
}

/// Renders template `name`; `None` if it has no text anywhere.
pub fn render(
    tenant: &toml::Table,
    service: Option<&str>,
    step: Option<&str>,
    name: &str,
    vars: &[(&str, &str)],
    brand: &Brand,
    lang: &str,
) -> Option<Rendered> {
    let text = fill(field(tenant, service, step, name, "text", lang)?, vars)
        .trim()
        .to_owned();
    let subject = fill(
        field(tenant, service, step, name, "subject", lang).unwrap_or("{reference}"),
        vars,
    )
    .replace(['\r', '\n'], " ");
    // An empty SMS wording: no SMS for this message.
    let sms = field(tenant, service, step, name, "sms", lang)
        .filter(|s| !s.trim().is_empty())
        .map(|s| fill(s, vars).trim().to_owned());
    Some(Rendered {
        html: html(&subject, &text, brand, lang),
        subject,
        text,
        sms,
    })
}

/// The variables a template may use, written `{name}`, in the order the
/// admin page lists them (`templates/fr.toml` describes them too).
pub const VARIABLES: [&str; 18] = [
    "town",
    "name",
    "reference",
    "service",
    "due_date",
    "step",
    "answer",
    "tracking_code",
    "tracking_link",
    "department",
    "backoffice_link",
    "link",
    "email",
    "query",
    "period",
    // A list's messages: its name; a campaign's e-mail: the agent's
    // subject and text.
    "list",
    "subject",
    "text",
];

/// The template whose `{tracking_code}` is known: the code is given only
/// once, in the acknowledgement.
pub const ACKNOWLEDGEMENT: &str = "acknowledgement";

/// The wordings of a template: `subject` and `text` (e-mail), `sms`
/// (citizens' templates only).
pub const FIELDS: [&str; 3] = ["subject", "text", "sms"];

/// The built-in templates in the order of `templates/fr.toml`, each with
/// whether it goes to citizens (it has an SMS wording) or to agents.
pub fn builtin() -> &'static [(String, bool)] {
    static ORDER: LazyLock<Vec<(String, bool)>> = LazyLock::new(|| {
        let doc: toml_edit::DocumentMut = include_str!("../../templates/fr.toml")
            .parse()
            .expect("built-in templates");
        doc.iter()
            .filter_map(|(name, item)| {
                let t = item.as_table()?;
                Some((name.to_owned(), t.contains_key("sms")))
            })
            .collect()
    });
    &ORDER
}

/// Where a template is worded in `templates.toml`: `[NAME]` for the whole
/// town, `[SERVICE.NAME]` for one service, `[SERVICE.step.STEP]` for the
/// news of one step and `[SERVICE.letter.STEP]` for its letter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub name: String,
    pub service: Option<String>,
    /// Only with a service, and only for the step news and the letters.
    pub step: Option<String>,
}

impl Scope {
    fn path(&self) -> Vec<&str> {
        match (&self.service, &self.step) {
            (Some(service), Some(step)) => vec![service, &self.name, step],
            (Some(service), None) => vec![service, &self.name],
            _ => vec![&self.name],
        }
    }
}

/// What a field of a template says at `scope`: `(wording, own)`, where
/// `own` is true when the tenant worded it at this very scope, and the
/// wording is otherwise the one inherited (from the town-wide or built-in
/// template).
pub fn wording(tenant: &toml::Table, scope: &Scope, key: &str) -> (Option<String>, bool) {
    let own = table(tenant, &scope.path())
        .and_then(|t| t.get(key))
        .and_then(|v| v.as_str());
    match own {
        Some(s) => (Some(s.to_owned()), true),
        None => (inherited(tenant, scope, key).map(str::to_owned), false),
    }
}

/// The wording `key` would have at `scope` if the tenant had none there:
/// the places after the scope's own.
pub fn inherited<'a>(tenant: &'a toml::Table, scope: &Scope, key: &str) -> Option<&'a str> {
    let places = places(
        tenant,
        scope.service.as_deref(),
        scope.step.as_deref(),
        &scope.name,
        "fr",
    );
    first(&places[1..], key)
}

/// The `{words}` of a wording that are not variables, once each.
pub fn unknown_variables(wording: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = wording;
    while let Some(start) = rest.find('{') {
        rest = &rest[start + 1..];
        let Some(end) = rest.find('}') else { break };
        let word = &rest[..end];
        let looks_like_a_variable = !word.is_empty()
            && word
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if looks_like_a_variable && !VARIABLES.contains(&word) && !out.iter().any(|w| w == word) {
            out.push(word.to_owned());
        }
        rest = &rest[end + 1..];
    }
    out
}

/// Rewrites the text of a `templates.toml` so that `scope` words each of
/// `values` as given (`None`: no wording of its own, the inherited one
/// applies). Everything else in the file (comments, order, other tables)
/// is kept; tables left empty are removed.
pub fn reword(
    file: &str,
    scope: &Scope,
    values: &[(&str, Option<&str>)],
) -> Result<String, toml_edit::TomlError> {
    let mut doc: toml_edit::DocumentMut = file.parse()?;
    let path = scope.path();
    let mut at: &mut toml_edit::Table = doc.as_table_mut();
    for key in &path {
        let item = at.entry(key).or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        });
        if !item.is_table() {
            // A value where a table should be: it can only be the town's
            // typo; the table replaces it.
            *item = toml_edit::Item::Table(toml_edit::Table::new());
        }
        at = item.as_table_mut().expect("made a table above");
    }
    at.set_implicit(false);
    for (key, value) in values {
        match value {
            Some(v) => {
                at.insert(key, toml_edit::value(*v));
            }
            None => {
                at.remove(key);
            }
        }
    }
    prune(doc.as_table_mut(), &path);
    Ok(doc.to_string())
}

/// Removes the tables along `path` that hold nothing, deepest first.
fn prune(t: &mut toml_edit::Table, path: &[&str]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let Some(child) = t.get_mut(first).and_then(|i| i.as_table_mut()) else {
        return;
    };
    prune(child, rest);
    if child.is_empty() {
        t.remove(first);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_filled_and_reworded_per_service_and_step() {
        let vars = [
            ("name", "Zoé Lefèvre"),
            ("reference", "2026-000001"),
            ("service", "Signalement"),
            ("step", "Intervention planifiée"),
            ("town", "Démoville"),
            ("tracking_link", "https://guichet.example/demoville/track"),
        ];
        let none = toml::Table::new();
        let r = render(
            &none,
            Some("road-incident"),
            Some("scheduled"),
            "step",
            &vars,
            &Brand::default(),
            "fr",
        )
        .unwrap();
        assert_eq!(
            r.subject,
            "Votre demande 2026-000001 : Intervention planifiée"
        );
        assert!(r.text.starts_with("Bonjour Zoé Lefèvre,"));
        assert!(r.html.contains(
            "<a href=\"https://guichet.example/demoville/track\">https://guichet.example/demoville/track</a>"
        ));
        let tenant: toml::Table = r#"
            [step]
            subject = "Du nouveau : {reference}"
            [road-incident.step.scheduled]
            text = "Nos équipes passent bientôt, {name}. {unknown}"
        "#
        .parse()
        .unwrap();
        let r = render(
            &tenant,
            Some("road-incident"),
            Some("scheduled"),
            "step",
            &vars,
            &Brand::default(),
            "fr",
        )
        .unwrap();
        assert_eq!(r.subject, "Du nouveau : 2026-000001");
        assert_eq!(
            r.text,
            "Nos équipes passent bientôt, Zoé Lefèvre. {unknown}"
        );
        let other = render(
            &tenant,
            Some("road-incident"),
            Some("fixed"),
            "step",
            &vars,
            &Brand::default(),
            "fr",
        )
        .unwrap();
        assert!(
            other.text.starts_with("Bonjour"),
            "other steps keep the default text"
        );
        assert!(
            render(
                &none,
                None,
                None,
                "no-such-template",
                &vars,
                &Brand::default(),
                "fr"
            )
            .is_none()
        );
    }

    #[test]
    fn html_parts_escape_what_citizens_and_agents_wrote() {
        let r = render(
            &toml::Table::new(),
            None,
            None,
            "answer",
            &[("answer", "<script>alert(1)</script> & co"), ("name", "A")],
            &Brand {
                town: "Saint-Jean <d'Acre> & Cie",
                primary: "#0063cb",
                site_url: Some("https://www.example.fr/?a=1&b=\"2\""),
                ..Brand::default()
            },
            "fr",
        )
        .unwrap();
        assert!(
            r.html
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co")
        );
        assert!(r.html.contains("background: #0063cb"), "{}", r.html);
        assert!(
            r.html
                .contains(">Saint-Jean &lt;d'Acre&gt; &amp; Cie</div>"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains(r#"href="https://www.example.fr/?a=1&amp;b=&quot;2&quot;""#),
            "{}",
            r.html
        );
        // A colour that is not one (settings are checked; this is the net).
        let odd = html(
            "S",
            "T",
            &Brand {
                town: "X",
                primary: "red; x: y",
                ..Brand::default()
            },
            "fr",
        );
        assert!(
            odd.contains("background: #000091") && !odd.contains("red;"),
            "{odd}"
        );
        assert!(!r.html.contains("<script>"));
    }
    #[test]
    fn the_admin_page_rewords_the_file_keeping_what_the_webmaster_wrote() {
        let file = "# Relu par le service communication.\n[answer]\nsubject = \"Réponse ({reference})\" # court\n";
        let scope = Scope {
            name: "step".into(),
            service: Some("road-incident".into()),
            step: Some("scheduled".into()),
        };
        let text = "Bonjour {name},\n\nNos équipes passent « bientôt ».\n{town}";
        let out = reword(file, &scope, &[("subject", None), ("text", Some(text))]).unwrap();
        assert!(out.starts_with(file), "{out}");
        assert!(out.contains("[road-incident.step.scheduled]\n"), "{out}");
        assert!(!out.contains("[road-incident]"), "implicit parents: {out}");
        assert!(
            out.contains("\"\"\""),
            "multi-line text kept readable: {out}"
        );
        let table: toml::Table = out.parse().unwrap();
        let (wording, own) = wording(&table, &scope, "text");
        assert_eq!((wording.as_deref(), own), (Some(text), true));
        let (subject, own) = super::wording(&table, &scope, "subject");
        assert!(!own);
        assert_eq!(
            subject.as_deref(),
            Some("Votre demande {reference} : {step}")
        );

        // The service-level wording of the same template sits beside the steps.
        let service = Scope {
            step: None,
            ..scope.clone()
        };
        let out = reword(&out, &service, &[("subject", Some("Voirie : {step}"))]).unwrap();
        let table: toml::Table = out.parse().unwrap();
        assert_eq!(
            inherited(&table, &scope, "subject"),
            Some("Voirie : {step}")
        );
        assert_eq!(
            render(
                &table,
                Some("road-incident"),
                Some("scheduled"),
                "step",
                &[("step", "X")],
                &Brand::default(),
                "fr"
            )
            .unwrap()
            .subject,
            "Voirie : X"
        );

        // Removing every wording removes the tables, not the rest.
        let out = reword(&out, &scope, &[("text", None)]).unwrap();
        let out = reword(&out, &service, &[("subject", None)]).unwrap();
        assert_eq!(out, file);
        assert!(
            reword("[answer\n", &scope, &[]).is_err(),
            "a broken file is refused"
        );
    }

    #[test]
    fn unknown_variables_are_named_once_and_braces_that_are_not_variables_ignored() {
        assert_eq!(
            unknown_variables("{name} {numero} {numero} {town} { } {a b} {date-limite}"),
            vec!["numero".to_owned(), "date-limite".to_owned()]
        );
        assert!(unknown_variables("Tarif : {reference} {").is_empty());
    }

    #[test]
    fn builtin_templates_are_listed_in_file_order_citizens_first() {
        let names: Vec<&str> = builtin().iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[..3], ["acknowledgement", "step", "answer"]);
        assert!(builtin().iter().any(|(n, c)| n == "reminder" && !c));
        assert!(
            builtin()
                .iter()
                .all(|(n, c)| *c == BUILTIN[n.as_str()].get("sms").is_some())
        );
    }

    #[test]
    fn citizens_of_the_english_pages_get_the_english_wording_agents_the_french() {
        let tenant: toml::Table = "[acknowledgement]\nsubject = \"Bien reçu : {reference}\"\n"
            .parse()
            .unwrap();
        let vars = [("reference", "2026-000001"), ("name", "Ann Smith")];
        let en = render(
            &tenant,
            None,
            None,
            "acknowledgement",
            &vars,
            &Brand::default(),
            "en",
        )
        .unwrap();
        assert_eq!(en.subject, "Your request 2026-000001 is registered");
        assert!(en.text.starts_with("Hello Ann Smith,"));
        assert!(en.html.contains(r#"<html lang="en">"#));
        let fr = render(
            &tenant,
            None,
            None,
            "acknowledgement",
            &vars,
            &Brand::default(),
            "fr",
        )
        .unwrap();
        assert_eq!(
            fr.subject, "Bien reçu : 2026-000001",
            "the town's rewording, in French"
        );
        let agents = render(
            &tenant,
            None,
            None,
            "new-request",
            &vars,
            &Brand::default(),
            "en",
        )
        .unwrap();
        assert!(
            agents.subject.starts_with("Nouvelle demande"),
            "no English agents' wording: French"
        );
        // Every English template has a French one, with the same fields.
        let en_table: toml::Table = include_str!("../../templates/en.toml").parse().unwrap();
        for (name, t) in &en_table {
            let french = BUILTIN[name].as_table().unwrap();
            let keys = |t: &toml::Table| t.keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(t.as_table().unwrap()), keys(french), "{name}");
            for (key, wording) in t.as_table().unwrap() {
                assert!(
                    unknown_variables(wording.as_str().unwrap()).is_empty(),
                    "{name}.{key}"
                );
            }
        }
    }

    #[test]
    fn an_empty_sms_wording_sends_no_sms() {
        let tenant: toml::Table = "[sent]\nsms = \"\"\n".parse().unwrap();
        let r = render(&tenant, None, None, "sent", &[], &Brand::default(), "fr").unwrap();
        assert_eq!(r.sms, None);
        assert!(!r.text.is_empty());
    }
}
