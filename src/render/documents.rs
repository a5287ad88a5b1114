//! What goes on the town's PDF documents: a request as the citizen may see
//! it, its receipt, everything held on a person. Each builder gives the
//! blocks of a [`pdf::Doc`]; [`pdf::render`] lays them out under the
//! town's [`letterhead`]. The same documents are served from the tracking
//! page, the citizen's account and the back office.

use super::pdf::{self, Block, Doc, Letterhead};
use crate::core::catalogue::Service;
use crate::core::files::{Attached, size_words};
use crate::core::status::CitizenStatus;
use crate::tenant::dates::long_date;
use crate::tenant::look::Look;
use crate::tenant::templates::fill;
use jiff::Timestamp;

/// The words of one language of a tenant's look.
pub struct Words<'a> {
    pub look: &'a Look,
    pub lang: &'a str,
    pub tz: &'a jiff::tz::TimeZone,
    /// When the document is made (its "printed on" line).
    pub now: Timestamp,
}

impl Words<'_> {
    fn get(&self, key: &str) -> String {
        self.look.message(self.lang, key).to_owned()
    }

    fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.look.message(self.lang, key), args)
    }

    /// `2 décembre 2026 à 10:42` in the tenant's time zone.
    fn moment(&self, at: Timestamp) -> String {
        let z = at.to_zoned(self.tz.clone());
        self.format(
            "pdf.moment",
            &[
                ("date", &long_date(z.date(), self.lang)),
                ("time", &z.strftime("%H:%M").to_string()),
            ],
        )
    }
}

/// The town's letterhead: its name, colour, logo and site.
pub fn letterhead<'a>(look: &'a Look, town: &'a str) -> Letterhead<'a> {
    Letterhead {
        town,
        colour: &look.settings.colours.primary,
        logo: look
            .logo
            .as_ref()
            .map(|(_, bytes, media_type)| (bytes.as_slice(), *media_type)),
        lines: look.settings.site_url.iter().cloned().collect(),
    }
}

fn files(w: &Words, blocks: &mut Vec<Block>, files: &[Attached]) {
    if files.is_empty() {
        return;
    }
    blocks.push(Block::Heading(w.get("pdf.files")));
    for f in files {
        blocks.push(Block::Field(
            f.name.clone(),
            format!("{} ({})", size_words(f.size), f.media_type),
        ));
    }
}

/// The head of a request: reference, service, dates, state.
fn summary(w: &Words, blocks: &mut Vec<Block>, status: &CitizenStatus) {
    blocks.push(Block::Field(
        w.get("receipt.reference"),
        status.reference.to_string(),
    ));
    blocks.push(Block::Field(
        w.get("receipt.service"),
        status.service_title.clone(),
    ));
    blocks.push(Block::Field(
        w.get("receipt.submitted"),
        w.moment(status.submitted_at),
    ));
    blocks.push(Block::Field(
        w.get("receipt.due-date"),
        long_date(status.due_date, w.lang),
    ));
}

/// A request as its requester may see it: every value sent, the requester,
/// the reference and due date, the steps done and to come, the files, the
/// messages with the town.
pub fn request(
    w: &Words,
    service: &Service,
    status: &CitizenStatus,
    rows: &[(String, String)],
) -> Doc {
    let reference = status.reference.to_string();
    let mut blocks = vec![Block::Title(
        w.format("pdf.request.title", &[("reference", &reference)]),
    )];
    summary(w, &mut blocks, status);
    blocks.push(Block::Field(
        w.get("track.state"),
        status.state.label_in(w.lang).to_owned(),
    ));
    blocks.push(Block::Heading(w.get("pdf.requester")));
    for (label, value) in crate::core::describe::values(service, rows, true) {
        blocks.push(Block::Field(label, value));
    }
    let sent = crate::core::describe::values(service, rows, false);
    if !sent.is_empty() {
        blocks.push(Block::Heading(w.get("pdf.values")));
        for (label, value) in sent {
            blocks.push(Block::Field(label, value));
        }
    }
    files(w, &mut blocks, &status.files);
    blocks.push(Block::Heading(w.get("track.steps")));
    for step in &status.steps {
        let when = match step.date {
            Some(d) => w.format("track.done", &[("date", &long_date(d, w.lang))]),
            None if step.current => w.get("track.current"),
            None => w.get("track.not-yet"),
        };
        blocks.push(Block::Field(step.label.clone(), when));
    }
    if !status.messages.is_empty() {
        blocks.push(Block::Heading(w.get("track.messages")));
        for m in &status.messages {
            let from = if m.from_citizen { "citizen" } else { "town" };
            blocks.push(Block::Field(
                format!(
                    "{} — {}",
                    w.get(&format!("pdf.from.{from}")),
                    long_date(m.date, w.lang)
                ),
                m.text.clone(),
            ));
        }
    }
    blocks.push(Block::Gap(10.0));
    blocks.push(Block::Small(
        w.format("pdf.printed", &[("moment", &w.moment(w.now))]),
    ));
    Doc {
        title: w.format("pdf.request.footer", &[("reference", &reference)]),
        language: w.lang.to_owned(),
        blocks,
    }
}

/// The acknowledgement of a request: what was received, when, and when the
/// answer is due; its tracking code when the citizen holds it (the town
/// keeps only a digest).
pub fn receipt(w: &Words, status: &CitizenStatus, tracking: Option<(&str, &str)>) -> Doc {
    let reference = status.reference.to_string();
    let mut blocks = vec![
        Block::Title(w.get("pdf.receipt.title")),
        Block::Paragraph(w.format(
            "pdf.receipt.text",
            &[
                ("service", &status.service_title),
                ("moment", &w.moment(status.submitted_at)),
            ],
        )),
    ];
    summary(w, &mut blocks, status);
    if let Some((code, url)) = tracking {
        blocks.push(Block::Field(
            w.get("receipt.tracking-code"),
            code.to_owned(),
        ));
        blocks.push(Block::Field(w.get("pdf.tracking-url"), url.to_owned()));
        blocks.push(Block::Gap(6.0));
        blocks.push(Block::Paragraph(w.get("receipt.keep-code")));
    }
    files(w, &mut blocks, &status.files);
    blocks.push(Block::Gap(10.0));
    blocks.push(Block::Small(w.get("pdf.receipt.note")));
    Doc {
        title: w.format("pdf.receipt.footer", &[("reference", &reference)]),
        language: w.lang.to_owned(),
        blocks,
    }
}

/// A request as its requester sees it, under the definition it was made
/// with, with its stored rows.
pub type ShownRequest = (
    std::sync::Arc<Service>,
    CitizenStatus,
    Vec<(String, String)>,
);

/// A person's account, as [`person`] shows it.
pub struct AccountLines {
    pub email: String,
    /// (label, value) of the profile, filled fields only.
    pub profile: Vec<(String, String)>,
    /// The identity providers linked.
    pub identities: Vec<String>,
}

/// Everything the town holds on a person (GDPR access): their accounts and
/// each of their requests, as [`request`] shows it.
pub fn person(w: &Words, who: &str, accounts: &[AccountLines], requests: &[ShownRequest]) -> Doc {
    let mut blocks = vec![
        Block::Title(w.get("pdf.person.title")),
        Block::Paragraph(w.format(
            "pdf.person.text",
            &[("who", who), ("moment", &w.moment(w.now))],
        )),
    ];
    for a in accounts {
        blocks.push(Block::Heading(w.get("pdf.person.account")));
        blocks.push(Block::Field(w.get("pdf.person.email"), a.email.clone()));
        for (label, value) in &a.profile {
            blocks.push(Block::Field(label.clone(), value.clone()));
        }
        if !a.identities.is_empty() {
            blocks.push(Block::Field(
                w.get("pdf.person.identities"),
                a.identities.join(", "),
            ));
        }
    }
    blocks.push(Block::Heading(w.format(
        "pdf.person.requests",
        &[("count", &requests.len().to_string())],
    )));
    if requests.is_empty() {
        blocks.push(Block::Paragraph(w.get("pdf.person.none")));
    }
    for (service, status, rows) in requests {
        let one = request(w, service, status, rows);
        for b in one.blocks {
            match b {
                // Each request under its own heading, without the print date.
                Block::Title(t) => blocks.push(Block::Heading(t)),
                Block::Heading(t) => blocks.push(Block::Subheading(t)),
                Block::Small(_) | Block::Gap(_) => {}
                other => blocks.push(other),
            }
        }
    }
    Doc {
        title: w.format("pdf.person.footer", &[("who", who)]),
        language: w.lang.to_owned(),
        blocks,
    }
}

/// A document as a PDF file, in the town's colours: rendered off the async
/// threads (laying out and subsetting fonts takes a few milliseconds).
pub async fn pdf_file(head: Letterhead<'_>, doc: Doc) -> Result<Vec<u8>, pdf::PdfError> {
    let town = head.town.to_owned();
    let colour = head.colour.to_owned();
    let logo = head.logo.map(|(b, t)| (b.to_vec(), t.to_owned()));
    let lines = head.lines;
    tokio::task::spawn_blocking(move || {
        let head = Letterhead {
            town: &town,
            colour: &colour,
            logo: logo.as_ref().map(|(b, t)| (b.as_slice(), t.as_str())),
            lines,
        };
        pdf::render(&head, &doc)
    })
    .await
    .unwrap_or_else(|e| Err(pdf::PdfError(e.to_string())))
}

/// What a letter says, its template filled in.
pub struct LetterText<'a> {
    pub reference: &'a str,
    /// The requester's name, organisation and contact, one per line.
    pub to: Vec<String>,
    pub subject: &'a str,
    pub body: &'a str,
    /// The department that writes.
    pub department: &'a str,
    pub date: jiff::civil::Date,
}

/// A letter of the town's: place and date, the requester's address block,
/// the subject and reference, the body.
pub fn letter(w: &Words, town: &str, l: &LetterText) -> Doc {
    let date = long_date(l.date, w.lang);
    let blocks = vec![
        Block::Right(w.format("pdf.letter.place-date", &[("town", town), ("date", &date)])),
        Block::Address(l.to.clone()),
        Block::Field(w.get("pdf.letter.subject"), l.subject.to_owned()),
        Block::Field(w.get("receipt.reference"), l.reference.to_owned()),
        Block::Field(w.get("pdf.letter.department"), l.department.to_owned()),
        Block::Gap(14.0),
        Block::Paragraph(l.body.to_owned()),
    ];
    Doc {
        title: w.format(
            "pdf.letter.footer",
            &[("reference", l.reference), ("subject", l.subject)],
        ),
        language: w.lang.to_owned(),
        blocks,
    }
}
