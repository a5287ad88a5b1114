//! Message templates: the built-in French ones (`templates/fr.toml`) under
//! the tenant's rewording (`DATA/tenants/SLUG/templates.toml`), per service
//! and per step.

use std::sync::LazyLock;

static BUILTIN: LazyLock<toml::Table> = LazyLock::new(|| {
    include_str!("../../templates/fr.toml")
        .parse()
        .expect("built-in templates")
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

/// The first wording of `field` found, most specific first: the tenant's
/// `[SERVICE.step.STEP]` (step news only), `[SERVICE.NAME]`, `[NAME]`, then
/// the built-in `[NAME]`.
fn field<'a>(
    tenant: &'a toml::Table,
    service: Option<&str>,
    step: Option<&str>,
    name: &str,
    key: &str,
) -> Option<&'a str> {
    let mut places: Vec<(&toml::Table, Vec<&str>)> = Vec::new();
    if let (Some(service), Some(step)) = (service, step) {
        if name == crate::core::workflow::STEP_TEMPLATE {
            places.push((tenant, vec![service, "step", step]));
        }
    }
    if let Some(service) = service {
        places.push((tenant, vec![service, name]));
    }
    places.push((tenant, vec![name]));
    places.push((&BUILTIN, vec![name]));
    places.into_iter().find_map(|(t, path)| {
        table(t, &path)
            .and_then(|t| t.get(key))
            .and_then(|v| v.as_str())
    })
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

/// Renders template `name`; `None` if it has no text anywhere.
pub fn render(
    tenant: &toml::Table,
    service: Option<&str>,
    step: Option<&str>,
    name: &str,
    vars: &[(&str, &str)],
) -> Option<Rendered> {
    let text = fill(field(tenant, service, step, name, "text")?, vars)
        .trim()
        .to_owned();
    let subject = fill(
        field(tenant, service, step, name, "subject").unwrap_or("{reference}"),
        vars,
    )
    .replace(['\r', '\n'], " ");
    let sms = field(tenant, service, step, name, "sms").map(|s| fill(s, vars).trim().to_owned());
    Some(Rendered {
        html: html(&subject, &text),
        subject,
        text,
        sms,
    })
}

/// The HTML part of an e-mail: the text's paragraphs, escaped, links made
/// clickable.
fn html(subject: &str, text: &str) -> String {
    let mut body = String::new();
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        body.push_str("<p>");
        let lines: Vec<String> = paragraph.lines().map(link_line).collect();
        body.push_str(&lines.join("<br>\n"));
        body.push_str("</p>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family: sans-serif; line-height: 1.5\">\n{body}</body></html>\n",
        crate::xml::escape_text(subject)
    )
}

fn link_line(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            let escaped = crate::xml::escape(word);
            if word.starts_with("https://") || word.starts_with("http://") {
                format!("<a href=\"{escaped}\">{escaped}</a>")
            } else {
                escaped.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
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
        )
        .unwrap();
        assert_eq!(r.subject, "Du nouveau : 2026-000001");
        assert_eq!(
            r.text,
            "Nos équipes passent bientôt, Zoé Lefèvre. {unknown}"
        );
        let other = render(&tenant, Some("road-incident"), Some("fixed"), "step", &vars).unwrap();
        assert!(
            other.text.starts_with("Bonjour"),
            "other steps keep the default text"
        );
        assert!(render(&none, None, None, "no-such-template", &vars).is_none());
    }

    #[test]
    fn html_parts_escape_what_citizens_and_agents_wrote() {
        let r = render(
            &toml::Table::new(),
            None,
            None,
            "answer",
            &[("answer", "<script>alert(1)</script> & co"), ("name", "A")],
        )
        .unwrap();
        assert!(
            r.html
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co")
        );
        assert!(!r.html.contains("<script>"));
    }
}
