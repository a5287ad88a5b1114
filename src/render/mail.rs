//! The HTML part of e-mails: the town's name on a band of its primary
//! colour, the message's paragraphs (every character escaped, links made
//! clickable), the town's site below. Written here, beside the pages'
//! stylesheets, so that only `render/` and the stylesheets write HTML; built
//! as text rather than through XSLT because mail clients want inline styles
//! and nothing else, and e-mails go out by the thousand.

/// The town's look in the HTML part of its e-mails: its name on a band of
/// its primary colour, and its site in the footer. Colours come from the
/// tenant's checked settings (`#rgb` or `#rrggbb`), so they may go in a
/// `style` attribute.
#[derive(Debug, Clone, Copy)]
pub struct Brand<'a> {
    pub town: &'a str,
    pub primary: &'a str,
    pub primary_text: &'a str,
    pub text: &'a str,
    /// The town's site, `http(s)://…`.
    pub site_url: Option<&'a str>,
}

impl Default for Brand<'_> {
    fn default() -> Self {
        Brand {
            town: "",
            primary: "#000091",
            primary_text: "#ffffff",
            text: "#1e1e1e",
            site_url: None,
        }
    }
}

/// The HTML part of an e-mail: the town's band, the text's paragraphs,
/// escaped, links made clickable, and the town's site below.
pub fn html(subject: &str, text: &str, brand: &Brand, lang: &str) -> String {
    html_with_tables(subject, text, &[], brand, lang)
}

/// A table an e-mail carries after its text: a title, column headings and
/// rows of cells (the first naming the row).
pub struct MailTable<'a> {
    pub title: &'a str,
    pub columns: &'a [String],
    pub rows: &'a [Vec<String>],
}

/// The HTML part of an e-mail whose text is followed by tables (a monthly
/// report of the statistics), every cell escaped.
pub fn html_with_tables(
    subject: &str,
    text: &str,
    tables: &[MailTable],
    brand: &Brand,
    lang: &str,
) -> String {
    let colour = |c: &'static str, given: &str| {
        if crate::core::catalogue::is_hex_colour(given) {
            given.to_owned()
        } else {
            c.to_owned()
        }
    };
    let defaults = Brand::default();
    let primary = colour(defaults.primary, brand.primary);
    let primary_text = colour(defaults.primary_text, brand.primary_text);
    let ink = colour(defaults.text, brand.text);
    let town = crate::xml::escape_text(brand.town);
    let mut body = String::new();
    if !brand.town.is_empty() {
        body.push_str(&format!(
            "<div style=\"background: {primary}; color: {primary_text}; padding: 12px 16px; font-size: 18px; font-weight: bold\">{town}</div>\n"
        ));
    }
    body.push_str("<div style=\"padding: 8px 16px\">\n");
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        body.push_str("<p>");
        let lines: Vec<String> = paragraph.lines().map(link_line).collect();
        body.push_str(&lines.join("<br>\n"));
        body.push_str("</p>\n");
    }
    for t in tables {
        body.push_str(&format!(
            "<h2 style=\"font-size: 16px; margin: 20px 0 6px\">{}</h2>\n",
            crate::xml::escape_text(t.title)
        ));
        if t.rows.is_empty() {
            body.push_str("<p>—</p>\n");
            continue;
        }
        let cell = "padding: 3px 8px; border: 1px solid #dddddd";
        body.push_str("<table style=\"border-collapse: collapse; font-size: 13px\">\n<thead><tr>");
        for c in t.columns {
            body.push_str(&format!(
                "<th scope=\"col\" style=\"{cell}; text-align: left; background: #f6f6f6\">{}</th>",
                crate::xml::escape_text(c)
            ));
        }
        body.push_str("</tr></thead>\n<tbody>\n");
        for row in t.rows {
            body.push_str("<tr>");
            for (i, v) in row.iter().enumerate() {
                let v = crate::xml::escape_text(v);
                if i == 0 {
                    body.push_str(&format!(
                        "<th scope=\"row\" style=\"{cell}; text-align: left; font-weight: normal\">{v}</th>"
                    ));
                } else {
                    body.push_str(&format!("<td style=\"{cell}; text-align: right\">{v}</td>"));
                }
            }
            body.push_str("</tr>\n");
        }
        body.push_str("</tbody></table>\n");
    }
    body.push_str("</div>\n");
    if let Some(site) = brand
        .site_url
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
    {
        let site = crate::xml::escape(site);
        body.push_str(&format!(
            "<div style=\"padding: 8px 16px; border-top: 1px solid #dddddd; font-size: 13px\">{town} — <a href=\"{site}\" style=\"color: {primary}\">{site}</a></div>\n"
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"margin: 0; font-family: sans-serif; line-height: 1.5; color: {ink}\">\n{body}</body></html>\n",
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
