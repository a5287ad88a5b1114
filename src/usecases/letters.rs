//! The town's documents kept with a request: the letter of its current
//! step, made from the step's template into a PDF under the town's
//! letterhead, and the files an agent brings (a scanned letter, a photo from
//! the field). Each is written to the blob store, then recorded by the
//! workflow's `AddFile` command (history event, audit entry, and the e-mail
//! that carries it when the agent sends it) in one transaction.

use super::App;
use super::act::{self, ActError, Acted};
use crate::core::files::{FileKind, FileProblem, FileRule, FileValue, RawFile};
use crate::core::tracking::Reference;
use crate::core::workflow::{Agent, Command, Refusal};
use crate::render::documents::{self, LetterText, Words};
use crate::store::StoreError;
use crate::store::WorkItem;
use crate::tenant::Site;
use crate::tenant::dates::long_date;
use bytes::Bytes;

/// What an agent may add: PDF or pictures, up to 20 MiB, an image's
/// metadata (location) removed.
pub fn agent_file_rule() -> FileRule {
    FileRule {
        accept: FileKind::ALL.to_vec(),
        max_bytes: FileRule::MAX_KILOBYTES * 1024,
        remove_metadata: true,
    }
}

/// Why an agent's document was not added.
#[derive(Debug)]
pub enum AddError {
    /// The file itself is refused.
    File(FileProblem),
    Act(ActError),
}

impl From<ActError> for AddError {
    fn from(e: ActError) -> AddError {
        AddError::Act(e)
    }
}

fn unavailable(e: impl std::fmt::Display) -> ActError {
    ActError::Unavailable(StoreError::Invalid(e.to_string()))
}

/// Writes a file's bytes to the blob store, before the transaction that
/// records it.
async fn keep(app: &App, file: &FileValue) -> Result<(), ActError> {
    super::files::keep_one(app, file).await.map_err(unavailable)
}

/// Adds a file the agent brings to request `reference`, seen at
/// `seen_revision`; e-mailed to the requester when `send`.
#[allow(clippy::too_many_arguments)]
pub async fn add_file(
    app: &App,
    site: &Site,
    agent: &Agent,
    reference: Reference,
    revision: act::Revision,
    raw: RawFile,
    comment: Option<String>,
    send: bool,
) -> Result<Acted, AddError> {
    let file = crate::core::files::accept(&agent_file_rule(), &raw).map_err(AddError::File)?;
    keep(app, &file).await?;
    let command = Command::AddFile {
        file,
        letter: None,
        comment,
        send,
    };
    Ok(act::act_all(app, site, agent, reference, revision, vec![command]).await?)
}

/// The requester as a letter addresses them: civility and name,
/// organisation, then the postal address of their account's profile when
/// the request belongs to an account that has one, else their e-mail
/// address.
fn addressee(item: &WorkItem, profile: Option<&crate::store::Profile>) -> Vec<String> {
    let get = |name: &str| {
        item.rows
            .iter()
            .find(|(p, _)| p == &format!("{}/{name}", crate::core::forms::REQUESTER))
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    };
    let civility = get("civility")
        .or_else(|| profile.and_then(|p| p.civility.clone()))
        .map(|c| match c.as_str() {
            "Mme" => "Madame".to_owned(),
            "M" => "Monsieur".to_owned(),
            other => other.to_owned(),
        });
    let name = [civility, Some(item.requester_name.clone())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let filled = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
    let postal = profile.and_then(|p| {
        let street = filled(&p.street)?;
        let town = [filled(&p.postal_code), filled(&p.town)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        (!town.is_empty()).then(|| vec![street, town])
    });
    let mut lines: Vec<String> = [Some(name), get("organisation")]
        .into_iter()
        .flatten()
        .collect();
    match postal {
        Some(address) => lines.extend(address),
        None => lines.extend(get("email")),
    }
    lines.retain(|l| !l.trim().is_empty());
    lines
}

/// Makes the letter of the request's current step, with `added` as its
/// `{answer}`, keeps it with the request and, when `send`, e-mails it to
/// the requester.
pub async fn letter(
    app: &App,
    site: &Site,
    agent: &Agent,
    reference: Reference,
    seen_revision: Option<i64>,
    added: Option<String>,
    send: bool,
) -> Result<Acted, ActError> {
    let (item, service) = act::readable(app, site, agent, reference).await?;
    if item.record.anonymised_at.is_some() {
        return Err(ActError::Refused(Box::new(item), Refusal::Anonymised));
    }
    let account = app
        .store
        .requester_account(site.tenant.id, reference)
        .await?;
    let look = site.look.get();
    // The language the request was made in, when the town speaks it.
    let lang = if look.has_language(&item.record.lang) {
        item.record.lang.clone()
    } else {
        look.settings.language.clone()
    };
    let town = site.town_name();
    let tz = &site.tenant.time_zone;
    let now = app.now();
    let step = service.step(&item.record.step);
    let step_id = item.record.step.clone();
    let step_label = step
        .map(|s| {
            s.citizen_label_in(&lang)
                .map_or_else(|| s.label.clone(), str::to_owned)
        })
        .unwrap_or_default();
    let department = site
        .department(&item.state.department)
        .map_or_else(|| service.department.name.clone(), |d| d.name.clone());
    let reference_text = reference.to_string();
    let tracking_link = format!(
        "{}/{}/track",
        app.message_url.trim_end_matches('/'),
        site.tenant.slug
    );
    let due = long_date(item.record.due_date, &lang);
    let answer = added.clone().unwrap_or_default();
    let title = service.title_in(&lang);
    let vars = [
        ("town", town.as_str()),
        ("name", item.requester_name.as_str()),
        ("reference", reference_text.as_str()),
        ("service", title),
        ("due_date", due.as_str()),
        ("step", step_label.as_str()),
        ("answer", answer.as_str()),
        ("tracking_code", ""),
        ("tracking_link", tracking_link.as_str()),
        ("department", department.as_str()),
    ];
    let (subject, body) =
        crate::tenant::templates::letter(&look.templates, &service.code, &step_id, &vars, &lang)
            .ok_or_else(|| unavailable("no letter template"))?;
    // An empty {answer} leaves no blank paragraph behind.
    let body = squeeze_blank_lines(&body);
    let words = Words {
        look: &look,
        lang: &lang,
        tz,
        now,
    };
    let doc = documents::letter(
        &words,
        &town,
        &LetterText {
            reference: &reference_text,
            to: addressee(&item, account.as_ref().map(|c| &c.profile)),
            subject: &subject,
            body: &body,
            department: &department,
            date: now.to_zoned(tz.clone()).date(),
        },
    );
    let pdf = documents::pdf_file(documents::letterhead(&look, &town), doc)
        .await
        .map_err(unavailable)?;
    let bytes = Bytes::from(pdf);
    let file = FileValue {
        name: format!("courrier-{reference_text}-{step_id}.pdf"),
        kind: FileKind::Pdf,
        sha256: crate::core::files::sha256(&bytes),
        bytes,
    };
    keep(app, &file).await?;
    let command = Command::AddFile {
        file,
        letter: Some(subject),
        comment: added,
        send,
    };
    act::act(app, site, agent, reference, seen_revision, command).await
}

/// Runs of blank lines made one.
fn squeeze_blank_lines(text: &str) -> String {
    let mut out = Vec::new();
    for line in text.lines() {
        let blank = line.trim().is_empty();
        if blank && out.last().is_some_and(|l: &&str| l.trim().is_empty()) {
            continue;
        }
        out.push(line);
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    #[test]
    fn blank_lines_left_by_an_empty_variable_are_squeezed() {
        assert_eq!(
            super::squeeze_blank_lines("Madame,\n\n\n\nVotre demande\n\n \nSalutations"),
            "Madame,\n\nVotre demande\n\nSalutations"
        );
    }
}
