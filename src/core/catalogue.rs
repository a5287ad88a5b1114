//! Service definitions: what a teleservice asks for, who owns it, how long it
//! may take and which steps it goes through.
//!
//! A definition is data (one XML file per service, validated against
//! `xsd/service-definition.xsd`), read here into [`Service`]. Nothing in this
//! module knows how a form is shown or transported: the SOAP schema, the HTML
//! form and the validator are all derived from the same [`Field`] list.

pub use super::steps::is_hex_colour;
use super::steps::{Automatic, Problem, StepRules, fail};
use regex::Regex;
use std::fmt;
use std::sync::LazyLock;

/// Namespace of service definition files.
pub const DEFINITION_NS: &str = "urn:guichet:service-definition:1";

/// A teleservice, at one version of its definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Stable code used in URLs, e.g. `birth-certificate`.
    pub code: String,
    /// Definition version; a request keeps the version it was submitted under.
    pub version: u32,
    pub theme: Theme,
    /// Title in French (the default language).
    pub title: String,
    /// Title in English, when given.
    pub title_en: Option<String>,
    pub description: String,
    /// The privacy notice of the form (GDPR art. 13).
    pub privacy: Privacy,
    /// Base of the SOAP names: `Submit{operation}`, `{operation}File`.
    pub operation: String,
    pub department: Department,
    /// Maximum delay promised to the citizen, in days counted as
    /// `deadline_count` says.
    pub deadline_days: u32,
    pub deadline_count: super::calendar::DayCount,
    /// A legal deadline: what the town's silence means when it runs out.
    pub silence: Option<Silence>,
    /// Who may ask (at least one kind; citizens when the file says none).
    pub requesters: Vec<RequesterKind>,
    /// The pages of a long form, in order (none: one page). Each field says
    /// which it is on.
    pub pages: Vec<Page>,
    pub fields: Vec<Field>,
    pub rules: Vec<Rule>,
    /// A booking service: the slot a request holds.
    pub booking: Option<Booking>,
    /// A simulation: results computed at once, no request stored.
    pub simulation: Option<Simulation>,
    pub steps: Vec<Step>,
    /// A request left waiting for the requester this long goes on by itself.
    pub unanswered: Option<Unanswered>,
}

/// Who a service serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequesterKind {
    Citizen,
    Association,
    Business,
}

impl RequesterKind {
    pub const ALL: [RequesterKind; 3] = [
        RequesterKind::Citizen,
        RequesterKind::Association,
        RequesterKind::Business,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RequesterKind::Citizen => "citizen",
            RequesterKind::Association => "association",
            RequesterKind::Business => "business",
        }
    }

    pub fn from_name(name: &str) -> Option<RequesterKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// In French, as the form's choice shows it.
    pub fn label(self) -> &'static str {
        match self {
            RequesterKind::Citizen => "À titre personnel",
            RequesterKind::Association => "Pour une association",
            RequesterKind::Business => "Pour une entreprise",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            RequesterKind::Citizen => "For yourself",
            RequesterKind::Association => "For an association",
            RequesterKind::Business => "For a business",
        }
    }
}

/// A page of a long form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub title: String,
    pub title_en: Option<String>,
}

/// Which fields say what a booking holds: two open or accepted requests for
/// the same resource on the same day cannot overlap (more than `desks` of
/// an appointment agenda).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    /// A choice field naming the resource (a room, an elected official);
    /// `None`: one resource.
    pub resource: Option<String>,
    /// A date field.
    pub date: String,
    /// A time field: when it starts.
    pub start: String,
    /// Until when it holds.
    pub until: Until,
}

/// How a booking's end is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Until {
    /// A time field after the start (a room from 18:00 to 22:30).
    Field(String),
    /// A slot of an agenda: `minutes` after the start.
    Appointment(Box<Appointment>),
}

/// An appointment service's agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub minutes: u32,
    /// Its name, shared by the services taking appointments on it (by
    /// default the service's department).
    pub agenda: String,
    /// The hours published by default; the town's settings replace them.
    pub hours: super::agenda::Hours,
}

impl Booking {
    /// The agenda, for an appointment service.
    pub fn appointment(&self) -> Option<&Appointment> {
        match &self.until {
            Until::Appointment(a) => Some(a),
            Until::Field(_) => None,
        }
    }
}

/// The results a simulation computes from the form.
#[derive(Debug, Clone, PartialEq)]
pub struct Simulation {
    pub results: Vec<Computed>,
    /// The service to go on with.
    pub then: Option<String>,
}

/// One computed answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Computed {
    pub name: String,
    pub label: String,
    pub label_en: Option<String>,
    pub formula: super::formula::Formula,
    pub fraction_digits: u32,
    pub unit: Option<String>,
}

/// What the town's silence means at a legal deadline ("silence vaut
/// accord" or "silence vaut rejet"), and the step a request goes to then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Silence {
    /// Acceptance (SVA); else refusal (SVR).
    pub accepts: bool,
    /// A final step of the matching kind.
    pub to: String,
}

/// A service's privacy notice: why the requester's data is processed, on
/// which legal basis, how long it is kept, who receives it. A part left
/// out is said in general words where the notice is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Privacy {
    pub purpose: Option<String>,
    pub legal_basis: LegalBasis,
    pub retention: Option<String>,
    pub recipients: Option<String>,
    /// Months after a request closes until its personal data is removed
    /// (1 to [`Privacy::MAX_MONTHS`]).
    pub anonymise_after_months: u16,
    /// Months after a request closes until its files are deleted, sooner
    /// than the rest (at most `anonymise_after_months`); `None`: with the rest.
    pub files_deleted_after_months: Option<u16>,
}

impl Privacy {
    /// When a definition does not say.
    pub const DEFAULT_MONTHS: u16 = 24;
    pub const MAX_MONTHS: u16 = 1200;

    /// The instant before which a request that closed is due for
    /// anonymisation at `now`, counted in the town's calendar. The oldest
    /// instant there is when months go past it.
    pub fn anonymise_before(&self, now: &jiff::Zoned) -> jiff::Timestamp {
        months_before(now, self.anonymise_after_months)
    }

    /// The instant before which a request that closed is due to lose its
    /// files at `now`, when its service deletes them sooner than the rest.
    pub fn files_deleted_before(&self, now: &jiff::Zoned) -> Option<jiff::Timestamp> {
        self.files_deleted_after_months
            .map(|months| months_before(now, months))
    }
}

/// `months` before `now` in the town's calendar; the oldest instant there
/// is when months go past it.
fn months_before(now: &jiff::Zoned, months: u16) -> jiff::Timestamp {
    now.checked_sub(jiff::Span::new().months(i64::from(months)))
        .map(|z| z.timestamp())
        .unwrap_or(jiff::Timestamp::MIN)
}

impl Privacy {
    /// Whether a request's files go sooner than the rest of its data.
    pub fn files_go_sooner(&self) -> bool {
        self.files_deleted_after_months
            .is_some_and(|f| f < self.anonymise_after_months)
    }
}

impl Default for Privacy {
    fn default() -> Privacy {
        Privacy {
            purpose: None,
            legal_basis: LegalBasis::default(),
            retention: None,
            recipients: None,
            anonymise_after_months: Privacy::DEFAULT_MONTHS,
            files_deleted_after_months: None,
        }
    }
}

/// The lawful bases of GDPR article 6.1 a town relies on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LegalBasis {
    /// 6.1.e: a task in the public interest, most of a town's services.
    #[default]
    PublicTask,
    /// 6.1.c: a legal obligation of the town (civil status, elections…).
    LegalObligation,
    /// 6.1.a
    Consent,
    /// 6.1.b: a contract with the requester (a room hired…).
    Contract,
    /// 6.1.d
    VitalInterests,
    /// 6.1.f
    LegitimateInterests,
}

impl LegalBasis {
    /// The word of the definition files (`legalBasis`), and of messages.
    pub fn name(self) -> &'static str {
        match self {
            LegalBasis::PublicTask => "public-task",
            LegalBasis::LegalObligation => "legal-obligation",
            LegalBasis::Consent => "consent",
            LegalBasis::Contract => "contract",
            LegalBasis::VitalInterests => "vital-interests",
            LegalBasis::LegitimateInterests => "legitimate-interests",
        }
    }
}

/// What happens to a request waiting for the requester (a correction asked,
/// or put on hold) who does not answer: after `days` days it goes to the
/// step `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unanswered {
    pub days: u32,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub code: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub code: String,
    pub name: String,
}

/// A step of the service's workflow. Requests start at the first one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: String,
    /// Label shown to agents.
    pub label: String,
    /// Label shown to the citizen; `None` hides the step from the citizen.
    pub citizen_label: Option<String>,
    /// The citizen's label on the English pages.
    pub citizen_label_en: Option<String>,
    pub kind: StepKind,
    /// Owning department, buttons, automatic actions and timed jumps.
    pub rules: StepRules,
}

/// What a request waits for in a step, or how it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Waiting for an agent (the default).
    Agent,
    /// Waiting for the citizen.
    Citizen,
    /// Passed through by the system.
    Automatic,
    /// Final: the request was granted.
    Accepted,
    /// Final: the request was refused.
    Refused,
    /// Final: closed without further follow-up.
    Closed,
}

impl StepKind {
    pub fn from_name(name: &str) -> Option<StepKind> {
        Some(match name {
            "agent" => StepKind::Agent,
            "citizen" => StepKind::Citizen,
            "automatic" => StepKind::Automatic,
            "accepted" => StepKind::Accepted,
            "refused" => StepKind::Refused,
            "closed" => StepKind::Closed,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            StepKind::Agent => "agent",
            StepKind::Citizen => "citizen",
            StepKind::Automatic => "automatic",
            StepKind::Accepted => "accepted",
            StepKind::Refused => "refused",
            StepKind::Closed => "closed",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            StepKind::Accepted | StepKind::Refused | StepKind::Closed
        )
    }
}

/// One input of a form, or a repeating group of them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Field {
    /// Element name in SOAP and request files (an XML NCName, camelCase).
    pub name: String,
    pub label: String,
    pub help: Option<String>,
    /// Wordings of the English pages.
    pub label_en: Option<String>,
    pub help_en: Option<String>,
    /// Required (when shown, for a conditional field); for a group, at
    /// least one row.
    pub required: bool,
    pub kind: FieldType,
    /// For a group: rows between `min_items` and `max_items`.
    pub facets: Facets,
    /// Allowed values of a choice or multiple choice.
    pub options: Vec<ChoiceOption>,
    /// A conditional field: asked only when this holds.
    pub when: Option<Condition>,
    /// The fields of each row of a group.
    pub fields: Vec<Field>,
    /// The page of a long form it is on (0 for a form of one page).
    pub page: usize,
    /// What a `file` field accepts (the default for any other).
    pub file: super::files::FileRule,
}

/// A wording in `lang`: the English one on English pages when the
/// definition gives it, else the French.
pub fn in_lang<'a>(fr: &'a str, en: Option<&'a str>, lang: &str) -> &'a str {
    match (en, lang) {
        (Some(en), "en") => en,
        _ => fr,
    }
}

impl Page {
    pub fn title_in(&self, lang: &str) -> &str {
        in_lang(&self.title, self.title_en.as_deref(), lang)
    }
}

impl Computed {
    pub fn label_in(&self, lang: &str) -> &str {
        in_lang(&self.label, self.label_en.as_deref(), lang)
    }
}

impl Service {
    /// Whether its form asks for files.
    pub fn takes_files(&self) -> bool {
        self.fields.iter().any(|f| f.kind == FieldType::File)
    }
}

impl Field {
    /// How one of its values reads in `lang`: a choice's option label, a
    /// yes-no answer as `yes` or `no`, any other value as it is.
    pub fn value_words_in(&self, value: &str, lang: &str, (yes, no): (&str, &str)) -> String {
        match self.kind {
            FieldType::Boolean if value == "true" => yes.to_owned(),
            FieldType::Boolean => no.to_owned(),
            _ => self
                .options
                .iter()
                .find(|o| o.value == value)
                .map_or_else(|| value.to_owned(), |o| o.label_in(lang).to_owned()),
        }
    }

    /// The label in `lang`: the English one on English pages when the
    /// definition gives it, else the French.
    pub fn label_in(&self, lang: &str) -> &str {
        in_lang(&self.label, self.label_en.as_deref(), lang)
    }

    /// The help in `lang`, as [`Field::label_in`] (French help when no
    /// English one).
    pub fn help_in(&self, lang: &str) -> Option<&str> {
        match (&self.help_en, lang) {
            (Some(en), "en") => Some(en),
            _ => self.help.as_deref(),
        }
    }

    /// Whether what the field says (label, help, options) is all in `lang`.
    pub fn worded_in(&self, lang: &str) -> bool {
        lang == "fr"
            || (lang == "en"
                && self.label_en.is_some()
                && (self.help.is_none() || self.help_en.is_some())
                && self.options.iter().all(|o| o.label_en.is_some())
                && self.fields.iter().all(|f| f.worded_in(lang)))
    }
}

impl ChoiceOption {
    /// The option's wording in `lang` (see [`Field::label_in`]).
    pub fn label_in(&self, lang: &str) -> &str {
        in_lang(&self.label, self.label_en.as_deref(), lang)
    }
}

impl Step {
    /// The citizen's label in `lang` (see [`Field::label_in`]).
    pub fn citizen_label_in(&self, lang: &str) -> Option<&str> {
        match (&self.citizen_label_en, lang) {
            (Some(en), "en") => Some(en),
            _ => self.citizen_label.as_deref(),
        }
    }
}

/// When a conditional field is asked: an earlier field has one of these
/// values (option values, or `true`/`false` for a yes-no question).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub field: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldType {
    #[default]
    Text,
    LongText,
    Email,
    Phone,
    PostalCode,
    Date,
    Time,
    Integer,
    Decimal,
    Boolean,
    Choice,
    MultipleChoice,
    Address,
    Siret,
    Siren,
    Iban,
    Bic,
    Amount,
    Country,
    CadastralParcel,
    PartialDate,
    /// A French commune, stored as its INSEE code (checked against the
    /// official list, with its postal code when given).
    Commune,
    /// Files (a photo, a scanned document), each checked by [`Field::file`]
    /// and kept in the blob store; `facets.max_items` files at most.
    File,
    /// A repeating group of fields (not a `type` of the file: `<group>`).
    Group,
}

impl FieldType {
    pub const ALL: [(&'static str, FieldType); 23] = [
        ("text", FieldType::Text),
        ("long-text", FieldType::LongText),
        ("email", FieldType::Email),
        ("phone", FieldType::Phone),
        ("postal-code", FieldType::PostalCode),
        ("date", FieldType::Date),
        ("time", FieldType::Time),
        ("integer", FieldType::Integer),
        ("decimal", FieldType::Decimal),
        ("boolean", FieldType::Boolean),
        ("choice", FieldType::Choice),
        ("multiple-choice", FieldType::MultipleChoice),
        ("address", FieldType::Address),
        ("siret", FieldType::Siret),
        ("siren", FieldType::Siren),
        ("iban", FieldType::Iban),
        ("bic", FieldType::Bic),
        ("amount", FieldType::Amount),
        ("country", FieldType::Country),
        ("cadastral-parcel", FieldType::CadastralParcel),
        ("partial-date", FieldType::PartialDate),
        ("commune", FieldType::Commune),
        ("file", FieldType::File),
    ];

    pub fn from_name(name: &str) -> Option<FieldType> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }

    pub fn name(self) -> &'static str {
        if self == FieldType::Group {
            return "group";
        }
        Self::ALL
            .iter()
            .find(|(_, t)| *t == self)
            .map(|(n, _)| *n)
            .unwrap_or("text")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChoiceOption {
    pub value: String,
    pub label: String,
    /// Its wording on the English pages.
    pub label_en: Option<String>,
}

/// Restrictions on a field's value, mirrored as XSD facets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub length: Option<usize>,
    pub pattern: Option<Pattern>,
    /// Message shown when the pattern does not match.
    pub pattern_message: Option<String>,
    /// Inclusive bounds of an integer or decimal, in lexical form.
    pub min: Option<String>,
    pub max: Option<String>,
    pub fraction_digits: Option<u32>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
}

/// A pattern in the common subset of XSD and Rust regular expressions,
/// matched against the whole value, as XSD does.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    pub regex: Regex,
}

/// Two patterns are the same when they are written the same.
impl PartialEq for Pattern {
    fn eq(&self, other: &Pattern) -> bool {
        self.source == other.source
    }
}

impl Pattern {
    pub fn new(source: &str) -> Result<Pattern, regex::Error> {
        Ok(Pattern {
            source: source.to_owned(),
            regex: Regex::new(&format!("^(?:{source})$"))?,
        })
    }

    pub fn matches(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }
}

/// A coherence rule across fields, checked after each field is valid alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub kind: RuleKind,
    /// Machine code reported in errors; defaults per kind.
    pub code: String,
    /// French message; defaults per kind.
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleKind {
    /// A date field must not be later than today (a birth date).
    Past { field: String },
    /// A date field must be at least `days` days after today.
    NotBefore { field: String, days: i64 },
    /// A date or time field must be strictly after another one.
    After { field: String, than: String },
    /// `field` is required when `when` has the value `equals` (a boolean
    /// `true`, a choice value, or one of the chosen values).
    RequiredIf {
        field: String,
        when: String,
        equals: String,
    },
    /// At least one of these fields must be given.
    AtLeastOne { fields: Vec<String> },
}

impl RuleKind {
    /// The field the error is reported on.
    pub fn field(&self) -> &str {
        match self {
            RuleKind::Past { field }
            | RuleKind::NotBefore { field, .. }
            | RuleKind::After { field, .. }
            | RuleKind::RequiredIf { field, .. } => field,
            RuleKind::AtLeastOne { fields } => fields.first().map(String::as_str).unwrap_or(""),
        }
    }

    /// The code of its errors when the definition gives none.
    pub fn default_code(&self) -> &'static str {
        match self {
            RuleKind::Past { .. } => "must-be-past",
            RuleKind::NotBefore { .. } => "too-early",
            RuleKind::After { .. } => "must-be-after",
            RuleKind::RequiredIf { .. } => "required",
            RuleKind::AtLeastOne { .. } => "one-required",
        }
    }
}

/// Why a definition was refused: where, and what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub service: String,
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "service definition {}: {}", self.service, self.message)
    }
}

impl std::error::Error for DefinitionError {}

/// The definition `text` with its root's `version` attribute set to
/// `version`: a draft published as the service's next version. Only the
/// root's start tag is touched; the rest of the file stays as written.
pub fn with_version(text: &str, version: u32) -> String {
    let Some(start) = text.find("<service") else {
        return text.to_owned();
    };
    let Some(len) = text[start..].find('>') else {
        return text.to_owned();
    };
    let tag = &text[start..start + len];
    let attribute =
        regex::Regex::new(r#"\sversion\s*=\s*("[^"]*"|'[^']*')"#).expect("a valid pattern");
    let new_tag = match attribute.find(tag) {
        Some(m) => format!(
            "{} version=\"{version}\"{}",
            &tag[..m.start()],
            &tag[m.end()..]
        ),
        None => format!("{tag} version=\"{version}\""),
    };
    format!("{}{new_tag}{}", &text[..start], &text[start + len..])
}

/// The lexical pattern of e-mail addresses, shared by XSD and validation.
pub const EMAIL_PATTERN: &str = r"[^@\s]+@[^@\s]+\.[^@\s]+";
/// French phone numbers, national or international form, with optional
/// separators between pairs of digits.
pub const PHONE_PATTERN: &str = r"(0|\+33 ?|0033 ?)[1-9]([ .\-]?[0-9]{2}){4}";
/// French postal codes (Corsica's included: 20000–20999).
pub const POSTAL_CODE_PATTERN: &str = "[0-9]{5}";

/// Default maximum length of a one-line text and of a long text.
pub const TEXT_MAX: usize = 255;
pub const LONG_TEXT_MAX: usize = 4000;

/// The requester block, shared by every service: who asks, and how to reach them.
pub static REQUESTER_FIELDS: LazyLock<Vec<Field>> = LazyLock::new(|| {
    let f = |name: &str, label: &str, required, kind, max| Field {
        name: name.into(),
        label: label.into(),
        help: None,
        required,
        kind,
        facets: Facets {
            max_length: max,
            ..Facets::default()
        },
        ..Field::default()
    };
    let mut civility = f("civility", "Civilité", false, FieldType::Choice, None);
    civility.options = vec![
        ChoiceOption {
            value: "Mme".into(),
            label: "Madame".into(),
            label_en: Some("Mrs".into()),
        },
        ChoiceOption {
            value: "M".into(),
            label: "Monsieur".into(),
            label_en: Some("Mr".into()),
        },
    ];
    let mut email = f(
        "email",
        "Adresse e-mail",
        false,
        FieldType::Email,
        Some(254),
    );
    email.help = Some("Pour recevoir l'accusé de réception et le suivi de la demande.".into());
    let mut sms = f(
        "smsUpdates",
        "Recevoir aussi le suivi par SMS",
        false,
        FieldType::Boolean,
        None,
    );
    sms.help = Some("Sur le numéro de portable indiqué ci-dessus.".into());
    // Who asks, for the services that serve associations or businesses
    // (`Service::requesters`): their name, and a business's SIRET.
    let mut kind = f(
        "kind",
        "Vous faites cette demande",
        false,
        FieldType::Choice,
        None,
    );
    kind.help = Some("À titre personnel si vous ne choisissez rien.".into());
    kind.help_en = Some("For yourself if you choose nothing.".into());
    kind.options = RequesterKind::ALL
        .iter()
        .map(|k| ChoiceOption {
            value: k.name().into(),
            label: k.label().into(),
            label_en: Some(k.label_en().into()),
        })
        .collect();
    let mut organisation = f(
        "organisation",
        "Nom de l'association ou de l'entreprise",
        true,
        FieldType::Text,
        Some(160),
    );
    organisation.when = Some(Condition {
        field: "kind".into(),
        values: vec!["association".into(), "business".into()],
    });
    let mut siret = f("siret", "Numéro SIRET", true, FieldType::Siret, None);
    siret.when = Some(Condition {
        field: "kind".into(),
        values: vec!["business".into()],
    });
    vec![
        civility,
        f("firstName", "Prénom", true, FieldType::Text, Some(80)),
        f("lastName", "Nom", true, FieldType::Text, Some(80)),
        email,
        f("phone", "Téléphone", false, FieldType::Phone, None),
        sms,
        f(
            "address",
            "Adresse postale",
            false,
            FieldType::Address,
            None,
        ),
        kind,
        organisation,
        siret,
    ]
});

/// The requester must give at least one way to be reached.
pub static REQUESTER_RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![Rule {
        kind: RuleKind::AtLeastOne {
            fields: vec!["email".into(), "phone".into(), "address".into()],
        },
        code: "contact-required".into(),
        message: Some(
            "Indiquez au moins un moyen de vous joindre : adresse e-mail, téléphone ou adresse postale."
                .into(),
        ),
    }]
});

/// Parts of an address, in document order: (name, label, required, max length).
pub const ADDRESS_PARTS: [(&str, &str, bool, usize); 5] = [
    ("street", "Numéro et voie", true, 200),
    ("postalCode", "Code postal", true, 5),
    ("town", "Commune", true, 100),
    ("latitude", "Latitude", false, 20),
    ("longitude", "Longitude", false, 20),
];

impl Service {
    /// Reads and checks a definition file (see [`super::definition::read`]).
    pub fn from_xml(text: &str) -> Result<Service, DefinitionError> {
        super::definition::read(text)
    }

    /// SOAP operation name, e.g. `SubmitBirthCertificateRequest`; a
    /// simulation's is `Simulate…` (it answers, it stores nothing).
    pub fn submit_operation(&self) -> String {
        if self.simulation.is_some() {
            format!("Simulate{}", self.operation)
        } else {
            format!("Submit{}", self.operation)
        }
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The requester block as this service asks it: who asks (and an
    /// organisation's name and SIRET) only when it serves associations or
    /// businesses, with the kinds it serves.
    pub fn requester_fields(&self) -> Vec<Field> {
        let organisations = self.requesters.iter().any(|k| *k != RequesterKind::Citizen);
        REQUESTER_FIELDS
            .iter()
            .filter(|f| {
                organisations || !matches!(f.name.as_str(), "kind" | "organisation" | "siret")
            })
            .filter(|f| f.name != "siret" || self.serves(RequesterKind::Business))
            .map(|f| {
                let mut f = f.clone();
                if f.name == "kind" {
                    f.options.retain(|o| {
                        RequesterKind::from_name(&o.value).is_some_and(|k| self.serves(k))
                    });
                }
                f
            })
            .collect()
    }

    /// The title in `lang` (see [`in_lang`]).
    pub fn title_in(&self, lang: &str) -> &str {
        in_lang(&self.title, self.title_en.as_deref(), lang)
    }

    /// Whether the service serves this kind of requester.
    pub fn serves(&self, kind: RequesterKind) -> bool {
        self.requesters.contains(&kind)
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    pub fn first_step(&self) -> &Step {
        &self.steps[0]
    }
}

pub(super) fn check_rule(rule: &Rule, fields: &[Field]) -> Result<(), Problem> {
    let get = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| format!("rule {}: unknown field {name:?}", rule.code))
    };
    match &rule.kind {
        RuleKind::Past { field } | RuleKind::NotBefore { field, .. } => {
            if get(field)?.kind != FieldType::Date {
                return fail(format!("rule {}: field {field} must be a date", rule.code));
            }
        }
        RuleKind::After { field, than } => {
            let (a, b) = (get(field)?, get(than)?);
            if a.kind != b.kind || !matches!(a.kind, FieldType::Date | FieldType::Time) {
                return fail(format!(
                    "rule {}: {field} and {than} must both be dates or both times",
                    rule.code
                ));
            }
        }
        RuleKind::RequiredIf { field, when, .. } => {
            get(field)?;
            get(when)?;
        }
        RuleKind::AtLeastOne { fields: names } => {
            if names.len() < 2 {
                return fail(format!(
                    "rule {}: atLeastOne needs two fields or more",
                    rule.code
                ));
            }
            for n in names {
                get(n)?;
            }
        }
    }
    Ok(())
}

/// Lowercase letters, digits and hyphens, as in URLs (services,
/// departments, agendas).
pub fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-')
}

pub(super) fn check_code(code: &str) -> Result<(), Problem> {
    if is_code(code) {
        Ok(())
    } else {
        fail(format!(
            "code {code:?} must be lowercase letters, digits and hyphens (at most 64)"
        ))
    }
}

/// Checks that every target step exists and jumps cannot loop forever.
pub(super) fn check_workflow(steps: &[Step]) -> Result<(), Problem> {
    let exists = |to: &str| steps.iter().any(|s| s.id == to);
    for step in steps {
        let targets = step
            .rules
            .actions
            .iter()
            .map(|a| a.to.as_str())
            .chain(step.rules.timeouts.iter().map(|t| t.to.as_str()))
            .chain(step.rules.on_enter.iter().flat_map(|a| match a {
                Automatic::Jump { to } => vec![to.as_str()],
                Automatic::Call { answers, .. } => {
                    answers.iter().map(|(_, to)| to.as_str()).collect()
                }
                _ => Vec::new(),
            }));
        for to in targets {
            if !exists(to) {
                return fail(format!(
                    "step {}: target step {to:?} does not exist",
                    step.id
                ));
            }
        }
        let waits = step
            .rules
            .on_enter
            .iter()
            .filter(|a| matches!(a, Automatic::Call { answers, .. } if !answers.is_empty()))
            .count();
        if waits > 1 {
            return fail(format!(
                "step {}: only one call may wait for an answer",
                step.id
            ));
        }
        if waits == 1
            && step
                .rules
                .on_enter
                .iter()
                .any(|a| matches!(a, Automatic::Jump { .. }))
        {
            return fail(format!(
                "step {}: a step waiting for a call's answer cannot jump on at once",
                step.id
            ));
        }
        let mut ids: Vec<&str> = step.rules.actions.iter().map(|a| a.id.as_str()).collect();
        ids.sort();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return fail(format!("step {}: two actions have the same id", step.id));
        }
    }
    // Jumps on entering must not come back to where they started.
    for start in steps {
        let mut at = start;
        for _ in 0..=steps.len() {
            let next = at.rules.on_enter.iter().find_map(|a| match a {
                Automatic::Jump { to } => steps.iter().find(|s| &s.id == to),
                _ => None,
            });
            match next {
                Some(n) if n.id == start.id => {
                    return fail(format!("step {}: automatic jumps form a loop", start.id));
                }
                Some(n) => at = n,
                None => break,
            }
        }
    }
    Ok(())
}

/// Text as the catalogue's search compares it: lower case, French accents
/// and ligatures taken off ("État civil" and "etat civil" meet).
pub fn search_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'é' | 'è' | 'ê' | 'ë' => out.push('e'),
            'î' | 'ï' | 'í' | 'ì' => out.push('i'),
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => out.push('o'),
            'ù' | 'û' | 'ü' | 'ú' => out.push('u'),
            'ÿ' => out.push('y'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            '’' | '\'' | '-' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

impl Service {
    /// Whether every word of `query` is in the service's titles,
    /// description, theme or department (see [`search_key`]).
    pub fn matches_search(&self, query: &str) -> bool {
        let query = search_key(query);
        if query.trim().is_empty() {
            // The catalogue without a search: nothing to fold.
            return true;
        }
        let haystack = search_key(&format!(
            "{} {} {} {} {} {}",
            self.title,
            self.title_en.as_deref().unwrap_or(""),
            self.description,
            self.theme.label,
            self.department.name,
            self.code
        ));
        query.split_whitespace().all(|word| haystack.contains(word))
    }
}

/// ASCII subset of XML NCNames, enough for element names we generate.
pub fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !name.to_ascii_lowercase().starts_with("xml")
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_draft_takes_its_next_version_in_its_root_only() {
        let text = "<?xml version=\"1.0\"?>\n<service xmlns=\"urn:x\" code=\"a\" version='1'>\n<title version=\"9\">T</title></service>";
        let v2 = with_version(text, 2);
        assert!(v2.contains("code=\"a\" version=\"2\">"), "{v2}");
        assert!(
            v2.contains("<?xml version=\"1.0\"?>"),
            "the declaration is not the root"
        );
        assert!(
            v2.contains("<title version=\"9\">"),
            "only the root's start tag"
        );
        let none = with_version("<service code=\"a\">x</service>", 3);
        assert_eq!(none, "<service code=\"a\" version=\"3\">x</service>");
    }

    use super::*;

    #[test]
    fn the_catalogue_search_ignores_case_accents_and_order() {
        let s = Service::from_xml(crate::core::builtin::definition("birth-certificate").unwrap())
            .unwrap();
        for query in [
            "naissance",
            "ETAT civil",
            "état-civil",
            "acte naissance",
            "birth",
        ] {
            assert!(s.matches_search(query), "{query}");
        }
        for query in ["mariage", "naissance voirie"] {
            assert!(!s.matches_search(query), "{query}");
        }
        assert!(s.matches_search("  "), "no word: everything");
        assert_eq!(search_key("Œuvre d’Été"), "oeuvre d ete");
    }

    #[test]
    fn every_builtin_definition_loads() {
        for (path, text) in crate::core::builtin::DEFINITIONS {
            let service = Service::from_xml(text).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert!(!service.fields.is_empty(), "{path}");
        }
    }

    #[test]
    fn definition_errors_name_the_problem() {
        let text = crate::core::builtin::definition("birth-certificate")
            .unwrap()
            .replace("type=\"date\"", "type=\"when\"");
        let err = Service::from_xml(&text).unwrap_err();
        assert!(err.message.contains("unknown variant `when`"), "{err}");
        let text = crate::core::builtin::definition("birth-certificate")
            .unwrap()
            .replace("<deadline days=\"10\"/>", "<deadline days=\"dix\"/>");
        let err = Service::from_xml(&text).unwrap_err();
        assert!(err.message.contains("\"dix\""), "{err}");
        // What the types cannot say, the loader does.
        let text = crate::core::builtin::definition("birth-certificate")
            .unwrap()
            .replacen("to=\"", "to=\"nowhere-", 1);
        let err = Service::from_xml(&text).unwrap_err();
        assert!(err.message.contains("does not exist"), "{err}");
    }
}
