//! Form validation: raw values from any channel in, typed values or the full
//! list of what is wrong out.
//!
//! Channels (SOAP, HTML, e-mail…) hand over [`RawValue`]s keyed by field name,
//! in the order received. [`validate`] checks every field of the service and of
//! the requester block, then the coherence rules, and reports *every* error at
//! once, each with the path of the field, a machine code and a French message.

use super::catalogue::{
    ADDRESS_PARTS, EMAIL_PATTERN, Field, FieldType, LONG_TEXT_MAX, PHONE_PATTERN,
    POSTAL_CODE_PATTERN, REQUESTER_FIELDS, REQUESTER_RULES, RequesterKind, Rule, RuleKind, Service,
    TEXT_MAX,
};
use super::files::{self, FileProblem, FileValue, RawFile};
use super::formats::{self, Refusal};
use jiff::civil::{Date, Time};
use regex::Regex;
use std::sync::LazyLock;

/// A value as received, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawValue {
    Text(String),
    /// A group of named values (the requester block, an address).
    Group(Vec<(String, RawValue)>),
    /// A file (one entry per file of a field that takes several).
    File(RawFile),
}

/// Name of the requester block among the raw entries.
pub const REQUESTER: &str = "requester";

/// One thing wrong with a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field, e.g. `birthDate`, `requester/email`, `location/postalCode`.
    pub path: String,
    /// Stable machine code, e.g. `required`, `pattern`, `must-be-past`.
    pub code: String,
    /// Message for a person, in French.
    pub message: String,
}

/// A validated value, in canonical form.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Date(Date),
    Time(Time),
    Integer(i64),
    /// Canonical lexical form (`12.5`), kept as text to avoid rounding.
    Decimal(String),
    Boolean(bool),
    Choice(String),
    Choices(Vec<String>),
    Address(Address),
    /// The rows of a repeating group, each its fields' values in order.
    Rows(Vec<Vec<(String, Value)>>),
    /// A file field's files, as kept.
    Files(Vec<FileValue>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub street: String,
    pub postal_code: String,
    pub town: String,
    pub latitude: Option<String>,
    pub longitude: Option<String>,
}

/// A validated form: the requester block and the service's own fields, each in
/// definition order, absent optional fields left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub requester: Vec<(String, Value)>,
    pub values: Vec<(String, Value)>,
}

impl Value {
    /// Whether the value is, or holds, `wanted` (in lexical form): a yes-no
    /// answer `true` or `false`, a choice, one of the chosen values. What
    /// conditions and `requiredIf` rules compare.
    pub fn has(&self, wanted: &str) -> bool {
        match self {
            Value::Choices(c) => c.iter().any(|v| v == wanted),
            Value::Address(_) | Value::Rows(_) | Value::Files(_) => false,
            v => v.lexical().first().is_some_and(|(_, t)| t == wanted),
        }
    }

    /// The canonical lexical forms (XSD-compatible) of this value, with the
    /// sub-path of each: one for scalars, one per choice, one per address
    /// part, one per value of each row (`1/firstName`, rows from 1).
    pub fn lexical(&self) -> Vec<(Option<String>, String)> {
        if let Value::Rows(rows) = self {
            let mut out = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                for (name, value) in row {
                    for (sub, text) in value.lexical() {
                        let path = match sub {
                            Some(sub) => format!("{}/{name}/{sub}", i + 1),
                            None => format!("{}/{name}", i + 1),
                        };
                        out.push((Some(path), text));
                    }
                }
            }
            return out;
        }
        self.parts()
            .into_iter()
            .map(|(sub, text)| (sub.map(str::to_owned), text))
            .collect()
    }

    fn parts(&self) -> Vec<(Option<&'static str>, String)> {
        match self {
            Value::Rows(_) => Vec::new(),
            Value::Text(s) | Value::Decimal(s) | Value::Choice(s) => vec![(None, s.clone())],
            Value::Date(d) => vec![(None, d.to_string())],
            Value::Time(t) => vec![(None, t.strftime("%H:%M:%S").to_string())],
            Value::Integer(i) => vec![(None, i.to_string())],
            Value::Boolean(b) => vec![(None, b.to_string())],
            Value::Choices(c) => c.iter().map(|v| (None, v.clone())).collect(),
            // A file is kept in the blob store under its digest.
            Value::Files(files) => files.iter().map(|f| (None, f.sha256.clone())).collect(),
            Value::Address(a) => {
                let mut out = vec![
                    (Some("street"), a.street.clone()),
                    (Some("postalCode"), a.postal_code.clone()),
                    (Some("town"), a.town.clone()),
                ];
                if let Some(lat) = &a.latitude {
                    out.push((Some("latitude"), lat.clone()));
                }
                if let Some(lon) = &a.longitude {
                    out.push((Some("longitude"), lon.clone()));
                }
                out
            }
        }
    }
}

impl Form {
    /// Flat `(path, lexical value)` rows, requester first: how a store keeps a
    /// form and how a request file is written back from it.
    pub fn rows(&self) -> Vec<(String, String)> {
        let mut rows = Vec::new();
        let mut push = |prefix: Option<&str>, name: &str, value: &Value| {
            for (sub, text) in value.lexical() {
                let mut path = String::new();
                if let Some(p) = prefix {
                    path.push_str(p);
                    path.push('/');
                }
                path.push_str(name);
                if let Some(s) = sub {
                    path.push('/');
                    path.push_str(&s);
                }
                rows.push((path, text));
            }
        };
        for (name, value) in &self.requester {
            push(Some(REQUESTER), name, value);
        }
        for (name, value) in &self.values {
            push(None, name, value);
        }
        rows
    }

    /// The files of the form's file fields, with the field of each.
    pub fn files(&self) -> Vec<(&str, &FileValue)> {
        self.values
            .iter()
            .filter_map(|(name, v)| match v {
                Value::Files(files) => Some(files.iter().map(move |f| (name.as_str(), f))),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// A requester's value by name.
    pub fn requester_text(&self, name: &str) -> Option<&str> {
        self.requester
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| match v {
                Value::Text(s) | Value::Choice(s) => Some(s.as_str()),
                _ => None,
            })
    }
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| anchored(EMAIL_PATTERN));
static PHONE: LazyLock<Regex> = LazyLock::new(|| anchored(PHONE_PATTERN));
static POSTAL_CODE: LazyLock<Regex> = LazyLock::new(|| anchored(POSTAL_CODE_PATTERN));
static DECIMAL: LazyLock<Regex> =
    LazyLock::new(|| anchored(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)"));

fn anchored(pattern: &str) -> Regex {
    Regex::new(&format!("^(?:{pattern})$")).expect("built-in pattern")
}

/// Validates raw entries against a service, with `today` in the tenant's time
/// zone for date rules.
pub fn validate(
    service: &Service,
    entries: &[(String, RawValue)],
    today: Date,
) -> Result<Form, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut requester = Vec::new();
    let mut own: Vec<(String, RawValue)> = Vec::new();
    let mut requester_seen = false;
    // A simulation asks nobody's details: it stores nothing.
    let asks_requester = service.simulation.is_none();
    for (name, value) in entries {
        if name == REQUESTER && !asks_requester {
            errors.push(error(
                REQUESTER,
                "unknown-field",
                "Une simulation ne demande pas les coordonnées du demandeur.".into(),
            ));
            continue;
        }
        if name == REQUESTER {
            if requester_seen {
                errors.push(error(
                    REQUESTER,
                    "repeated-field",
                    "Le bloc « demandeur » est répété.".into(),
                ));
                continue;
            }
            requester_seen = true;
            match value {
                RawValue::Group(items) => {
                    requester = check_fields(
                        &REQUESTER_FIELDS,
                        items,
                        Some(REQUESTER),
                        today,
                        &mut errors,
                    );
                    check_rules(
                        &REQUESTER_RULES,
                        &REQUESTER_FIELDS,
                        &requester,
                        Some(REQUESTER),
                        today,
                        &mut errors,
                    );
                }
                RawValue::Text(t) if t.trim().is_empty() => {}
                RawValue::Text(_) | RawValue::File(_) => errors.push(error(
                    REQUESTER,
                    "invalid-structure",
                    "Le bloc « demandeur » doit contenir des champs, pas du texte.".into(),
                )),
            }
        } else {
            own.push((name.clone(), value.clone()));
        }
    }
    // Only the kinds of requester the service serves.
    if let Some(kind) = requester
        .iter()
        .find(|(n, _)| n == "kind")
        .and_then(|(_, v)| match v {
            Value::Choice(c) => RequesterKind::from_name(c),
            _ => None,
        })
        && !service.serves(kind)
    {
        errors.push(error(
            "requester/kind",
            "not-served",
            format!(
                "Ce téléservice ne reçoit pas de demande « {} ».",
                kind.label().to_lowercase()
            ),
        ));
    }
    if !requester_seen && asks_requester {
        errors.push(error(
            REQUESTER,
            "required",
            "Les coordonnées du demandeur sont obligatoires.".into(),
        ));
    }
    let values = check_fields(&service.fields, &own, None, today, &mut errors);
    check_rules(
        &service.rules,
        &service.fields,
        &values,
        None,
        today,
        &mut errors,
    );
    if errors.is_empty() {
        Ok(Form { requester, values })
    } else {
        Err(errors)
    }
}

fn error(path: &str, code: &str, message: String) -> FieldError {
    FieldError {
        path: path.to_owned(),
        code: code.to_owned(),
        message,
    }
}

fn join(prefix: Option<&str>, name: &str) -> String {
    match prefix {
        Some(p) => format!("{p}/{name}"),
        None => name.to_owned(),
    }
}

/// Checks each field once; reports unknown and repeated entries.
fn check_fields(
    fields: &[Field],
    entries: &[(String, RawValue)],
    prefix: Option<&str>,
    today: Date,
    errors: &mut Vec<FieldError>,
) -> Vec<(String, Value)> {
    for (name, _) in entries {
        if !fields.iter().any(|f| &f.name == name) {
            errors.push(error(
                &join(prefix, name),
                "unknown-field",
                format!("L'élément « {name} » n'est pas attendu."),
            ));
        }
    }
    let mut values: Vec<(String, Value)> = Vec::new();
    for field in fields {
        // A conditional field not asked: what came for it is ignored.
        if !is_asked(field, &values) {
            continue;
        }
        let path = join(prefix, &field.name);
        let given: Vec<&RawValue> = entries
            .iter()
            .filter(|(n, _)| n == &field.name)
            .map(|(_, v)| v)
            .collect();
        if field.kind == FieldType::Group {
            if let Some(rows) = check_group(field, &given, &path, today, errors) {
                values.push((field.name.clone(), rows));
            }
            continue;
        }
        if !matches!(field.kind, FieldType::MultipleChoice | FieldType::File) && given.len() > 1 {
            errors.push(error(
                &path,
                "repeated-field",
                format!("« {} » ne peut être donné qu'une fois.", field.label),
            ));
            continue;
        }
        if let Some(value) = check_field(field, &given, &path, today, errors) {
            values.push((field.name.clone(), value));
        }
    }
    values
}

/// Raw entries from values named by paths (`a`, `a.b`, `group.N.field`
/// with `separator` `.` as a form posts them; `a/b`, `group/N/field` as the
/// store keeps them), in the order given; a repeating group's numbered rows
/// become one entry each, in the order of N, as SOAP gives them.
pub fn entries_from_paths(
    pairs: impl IntoIterator<Item = (String, String)>,
    separator: char,
) -> Vec<(String, RawValue)> {
    let mut entries: Vec<(String, RawValue)> = Vec::new();
    for (name, value) in pairs {
        let parts: Vec<&str> = name.split(separator).collect();
        insert(&mut entries, &parts, value);
    }
    numbered_rows(entries)
}

/// A repeating group's inputs are named `group.N.field`: the group's rows,
/// in the order of N, become one entry each, as SOAP gives them.
fn numbered_rows(entries: Vec<(String, RawValue)>) -> Vec<(String, RawValue)> {
    let mut out = Vec::with_capacity(entries.len());
    for (name, value) in entries {
        match value {
            RawValue::Group(items)
                if !items.is_empty()
                    && items.iter().all(|(n, v)| {
                        n.parse::<u32>().is_ok() && matches!(v, RawValue::Group(_))
                    }) =>
            {
                let mut rows: Vec<(u32, RawValue)> = items
                    .into_iter()
                    .map(|(n, v)| (n.parse().unwrap_or(0), v))
                    .collect();
                rows.sort_by_key(|(n, _)| *n);
                out.extend(rows.into_iter().map(|(_, row)| (name.clone(), row)));
            }
            value => out.push((name, value)),
        }
    }
    out
}

fn insert(entries: &mut Vec<(String, RawValue)>, path: &[&str], value: String) {
    match path {
        [] => {}
        [name] => entries.push(((*name).to_owned(), RawValue::Text(value))),
        [name, rest @ ..] => {
            let existing = entries
                .iter_mut()
                .find(|(n, v)| n == name && matches!(v, RawValue::Group(_)));
            match existing {
                Some((_, RawValue::Group(items))) => insert(items, rest, value),
                _ => {
                    let mut items = Vec::new();
                    insert(&mut items, rest, value);
                    entries.push(((*name).to_owned(), RawValue::Group(items)));
                }
            }
        }
    }
}

/// Whether a field is asked given the values before it: always, or when
/// its condition holds (a condition on a field not given, or refused, does
/// not).
pub fn is_asked(field: &Field, before: &[(String, Value)]) -> bool {
    match &field.when {
        None => true,
        Some(when) => before
            .iter()
            .find(|(n, _)| *n == when.field)
            .is_some_and(|(_, v)| when.values.iter().any(|w| v.has(w))),
    }
}

/// The rows of a repeating group: each checked like a form of the group's
/// fields, its errors under `PATH/N/…` (rows from 1); blank rows are not
/// rows.
fn check_group(
    field: &Field,
    given: &[&RawValue],
    path: &str,
    today: Date,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    let label = &field.label;
    let before = errors.len();
    let mut rows = Vec::new();
    for raw in given.iter().copied().filter(|v| !is_blank(v)) {
        let row_path = format!("{path}/{}", rows.len() + 1);
        match raw {
            RawValue::Group(items) => {
                rows.push(check_fields(
                    &field.fields,
                    items,
                    Some(&row_path),
                    today,
                    errors,
                ));
            }
            RawValue::Text(_) | RawValue::File(_) => {
                errors.push(error(
                    &row_path,
                    "invalid-structure",
                    format!("« {label} » : chaque ligne contient des champs, pas du texte."),
                ));
                rows.push(Vec::new());
            }
        }
    }
    let n = rows.len();
    let min = field.facets.min_items.unwrap_or(0);
    if n == 0 && min > 0 {
        errors.push(error(
            path,
            "required",
            format!("« {label} » : au moins {min} ligne(s) à remplir."),
        ));
    } else if n < min {
        errors.push(error(
            path,
            "too-few-rows",
            format!("« {label} » : au moins {min} ligne(s) à remplir ({n} remplie(s))."),
        ));
    }
    if let Some(max) = field.facets.max_items.filter(|m| n > *m) {
        errors.push(error(
            path,
            "too-many-rows",
            format!("« {label} » : au plus {max} ligne(s) ({n} données)."),
        ));
    }
    if errors.len() > before || n == 0 {
        None
    } else {
        Some(Value::Rows(rows))
    }
}

/// Whether nothing was typed: empty text, or a group of empty texts.
pub fn is_blank(value: &RawValue) -> bool {
    match value {
        RawValue::Text(t) => t.trim().is_empty(),
        // A file input left empty sends a part with no name and no bytes.
        RawValue::File(f) => f.bytes.is_empty() && f.file_name.trim().is_empty(),
        RawValue::Group(items) => items.iter().all(|(_, v)| is_blank(v)),
    }
}

fn check_field(
    field: &Field,
    given: &[&RawValue],
    path: &str,
    today: Date,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    let given: Vec<&RawValue> = given.iter().copied().filter(|v| !is_blank(v)).collect();
    let label = &field.label;
    if given.is_empty() {
        if field.required {
            errors.push(error(
                path,
                "required",
                format!("« {label} » est obligatoire."),
            ));
        }
        return None;
    }
    let before = errors.len();
    let value = match field.kind {
        // Groups are checked by `check_group`.
        FieldType::Group => None,
        FieldType::File => check_files(field, &given, path, errors).map(Value::Files),
        FieldType::Address => match given[0] {
            RawValue::Group(items) => check_address(field, items, path, errors).map(Value::Address),
            RawValue::Text(_) | RawValue::File(_) => {
                errors.push(error(
                    path,
                    "invalid-structure",
                    format!("« {label} » doit contenir les éléments street, postalCode et town."),
                ));
                None
            }
        },
        FieldType::MultipleChoice => {
            let mut chosen = Vec::new();
            for v in &given {
                let Some(text) = text_of(field, v, path, errors) else {
                    continue;
                };
                if !field.options.iter().any(|o| o.value == text) {
                    errors.push(not_in_list(field, path, &text));
                } else if chosen.contains(&text) {
                    errors.push(error(
                        path,
                        "repeated-choice",
                        format!("« {label} » : le choix « {text} » est donné deux fois."),
                    ));
                } else {
                    chosen.push(text);
                }
            }
            let n = chosen.len();
            if let Some(min) = field.facets.min_items.filter(|m| n < *m) {
                errors.push(error(
                    path,
                    "too-few-choices",
                    format!("« {label} » : choisissez au moins {min} réponse(s)."),
                ));
            }
            if let Some(max) = field.facets.max_items.filter(|m| n > *m) {
                errors.push(error(
                    path,
                    "too-many-choices",
                    format!("« {label} » : choisissez au plus {max} réponse(s)."),
                ));
            }
            Some(Value::Choices(chosen))
        }
        _ => text_of(field, given[0], path, errors)
            .and_then(|t| check_scalar(field, &t, path, today, errors)),
    };
    if errors.len() > before { None } else { value }
}

/// Each file against the field's rule, and their number: every file
/// refused is named in its own message.
fn check_files(
    field: &Field,
    given: &[&RawValue],
    path: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Vec<FileValue>> {
    let label = &field.label;
    let rule = &field.file;
    let max = field.facets.max_items.unwrap_or(1);
    if given.len() > max {
        errors.push(error(
            path,
            "too-many-files",
            format!("« {label} » : {max} fichier(s) au plus."),
        ));
        return None;
    }
    let mut kept = Vec::new();
    for v in given {
        let RawValue::File(raw) = v else {
            errors.push(error(
                path,
                "invalid-structure",
                format!("« {label} » attend un fichier."),
            ));
            continue;
        };
        let name = files::base_name(&raw.file_name);
        let shown = if name.is_empty() { "sans nom" } else { name };
        if raw.bytes.is_empty() {
            errors.push(error(
                path,
                "empty-file",
                format!("« {label} » : le fichier « {shown} » est vide."),
            ));
            continue;
        }
        match files::accept(rule, raw) {
            Ok(file) => kept.push(file),
            Err(problem) => errors.push(error(
                path,
                match problem {
                    FileProblem::TooLarge => "file-too-large",
                    FileProblem::Kind => "file-type",
                    FileProblem::Unreadable => "file-unreadable",
                },
                format!("« {label} » : {}", problem.words(rule, shown)),
            )),
        }
    }
    Some(kept)
}

fn text_of(
    field: &Field,
    value: &RawValue,
    path: &str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match value {
        RawValue::Text(t) => Some(t.trim().to_owned()),
        RawValue::Group(_) | RawValue::File(_) => {
            errors.push(error(
                path,
                "invalid-structure",
                format!(
                    "« {} » attend une valeur simple, pas des éléments.",
                    field.label
                ),
            ));
            None
        }
    }
}

fn not_in_list(field: &Field, path: &str, text: &str) -> FieldError {
    let allowed: Vec<&str> = field.options.iter().map(|o| o.value.as_str()).collect();
    error(
        path,
        "not-in-list",
        format!(
            "« {} » : la valeur « {text} » n'est pas proposée (valeurs possibles : {}).",
            field.label,
            allowed.join(", ")
        ),
    )
}

fn check_length(
    field: &Field,
    text: &str,
    default_max: Option<usize>,
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    let label = &field.label;
    let n = text.chars().count();
    let f = &field.facets;
    if let Some(len) = f.length.filter(|l| n != *l) {
        errors.push(error(
            path,
            "wrong-length",
            format!("« {label} » doit comporter exactement {len} caractères."),
        ));
    }
    if let Some(min) = f.min_length.filter(|m| n < *m) {
        errors.push(error(
            path,
            "too-short",
            format!("« {label} » doit comporter au moins {min} caractères."),
        ));
    }
    if let Some(max) = f.max_length.or(default_max).filter(|m| n > *m) {
        errors.push(error(
            path,
            "too-long",
            format!("« {label} » ne doit pas dépasser {max} caractères (actuellement {n})."),
        ));
    }
    if let Some(p) = &f.pattern
        && !p.matches(text)
    {
        let message = f
            .pattern_message
            .clone()
            .unwrap_or_else(|| format!("« {label} » n'a pas le format attendu."));
        errors.push(error(path, "pattern", message));
    }
}

/// Records why a value is refused; the value is then `None`.
fn refuse(errors: &mut Vec<FieldError>, path: &str, code: &str, message: String) -> Option<Value> {
    errors.push(error(path, code, message));
    None
}

/// An identifier read by `core::formats`: its canonical form, or the
/// error `invalid-KIND` (not shaped like one) or `KIND-checksum` (its check
/// digits are wrong).
fn identifier(
    read: Result<String, Refusal>,
    kind: &str,
    format_message: String,
    check_message: String,
    path: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    match read {
        Ok(text) => Some(Value::Text(text)),
        Err(Refusal::Format) => refuse(errors, path, &format!("invalid-{kind}"), format_message),
        Err(Refusal::Check) => refuse(errors, path, &format!("{kind}-checksum"), check_message),
    }
}

fn check_scalar(
    field: &Field,
    text: &str,
    path: &str,
    today: Date,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    let label = &field.label;
    let bad = |errors: &mut Vec<FieldError>, code: &str, message: String| {
        refuse(errors, path, code, message)
    };
    match field.kind {
        FieldType::Group | FieldType::File => None,
        FieldType::Text | FieldType::LongText => check_text(field, text, path, errors),
        FieldType::Email => {
            if !EMAIL.is_match(text) {
                return bad(
                    errors,
                    "invalid-email",
                    format!(
                        "« {label} » n'est pas une adresse e-mail valide (exemple : prenom.nom@exemple.fr)."
                    ),
                );
            }
            check_length(field, text, Some(254), path, errors);
            Some(Value::Text(text.to_owned()))
        }
        FieldType::Phone => {
            if !PHONE.is_match(text) {
                return bad(
                    errors,
                    "invalid-phone",
                    format!(
                        "« {label} » n'est pas un numéro de téléphone français valide (exemple : 06 12 34 56 78)."
                    ),
                );
            }
            Some(Value::Text(canonical_phone(text)))
        }
        FieldType::PostalCode => {
            if !POSTAL_CODE.is_match(text) {
                return bad(
                    errors,
                    "invalid-postal-code",
                    format!("« {label} » doit être un code postal de 5 chiffres."),
                );
            }
            Some(Value::Text(text.to_owned()))
        }
        FieldType::Date => match parse_date(text) {
            Some(d) => Some(Value::Date(d)),
            None => bad(
                errors,
                "invalid-date",
                format!(
                    "« {label} » n'est pas une date valide (attendu : AAAA-MM-JJ ou JJ/MM/AAAA)."
                ),
            ),
        },
        FieldType::Time => match parse_time(text) {
            Some(t) => Some(Value::Time(t)),
            None => bad(
                errors,
                "invalid-time",
                format!("« {label} » n'est pas une heure valide (attendu : HH:MM)."),
            ),
        },
        FieldType::Integer => {
            let Ok(n) = text.strip_prefix('+').unwrap_or(text).parse::<i64>() else {
                return bad(
                    errors,
                    "invalid-integer",
                    format!("« {label} » doit être un nombre entier."),
                );
            };
            check_bounds(field, n as f64, path, errors);
            Some(Value::Integer(n))
        }
        FieldType::Decimal => check_decimal(field, text, path, errors),
        FieldType::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "on" | "oui" => Some(Value::Boolean(true)),
            "false" | "0" | "non" => Some(Value::Boolean(false)),
            _ => bad(
                errors,
                "invalid-boolean",
                format!("« {label} » doit valoir true ou false."),
            ),
        },
        FieldType::Choice => {
            if field.options.iter().any(|o| o.value == text) {
                Some(Value::Choice(text.to_owned()))
            } else {
                errors.push(not_in_list(field, path, text));
                None
            }
        }
        FieldType::Siren => identifier(
            formats::siren(text),
            "siren",
            format!("« {label} » doit être un numéro SIREN de 9 chiffres (exemple : 732 829 320)."),
            format!(
                "« {label} » : ce numéro SIREN n'existe pas (sa clé de contrôle est fausse, vérifiez chaque chiffre)."
            ),
            path,
            errors,
        ),
        FieldType::Siret => identifier(
            formats::siret(text),
            "siret",
            format!(
                "« {label} » doit être un numéro SIRET de 14 chiffres (exemple : 732 829 320 00074)."
            ),
            format!(
                "« {label} » : ce numéro SIRET n'existe pas (sa clé de contrôle est fausse, vérifiez chaque chiffre)."
            ),
            path,
            errors,
        ),
        FieldType::Iban => identifier(
            formats::iban(text),
            "iban",
            format!(
                "« {label} » doit être un IBAN : 2 lettres de pays, 2 chiffres de clé, puis le numéro de compte (27 caractères pour un compte en France, exemple : FR76 3000 6000 0112 3456 7890 189)."
            ),
            format!(
                "« {label} » : cet IBAN n'existe pas (sa clé de contrôle est fausse, vérifiez chaque caractère)."
            ),
            path,
            errors,
        ),
        FieldType::Bic => identifier(
            formats::bic(text),
            "bic",
            format!(
                "« {label} » doit être un code BIC de 8 ou 11 lettres et chiffres (exemple : BNPAFRPP)."
            ),
            String::new(),
            path,
            errors,
        ),
        FieldType::Commune => match crate::core::communes::find(text) {
            Ok(commune) => Some(Value::Text(commune.code.to_owned())),
            Err(crate::core::communes::NotFound::Unknown) => bad(
                errors,
                "unknown-commune",
                format!(
                    "« {label} » : aucune commune française ne correspond à « {text} ». Indiquez son code INSEE, ou son nom et son code postal (exemple : Brest 29200)."
                ),
            ),
            Err(crate::core::communes::NotFound::WrongPostalCode) => bad(
                errors,
                "commune-postal-code",
                format!(
                    "« {label} » : le code postal ne correspond pas à cette commune. Vérifiez l'un et l'autre (exemple : Brest 29200)."
                ),
            ),
            Err(crate::core::communes::NotFound::Ambiguous(n)) => bad(
                errors,
                "ambiguous-commune",
                format!(
                    "« {label} » : {n} communes répondent à « {text} ». Ajoutez le code postal, ou indiquez le code INSEE."
                ),
            ),
        },
        FieldType::Country => identifier(
            formats::country(text),
            "country",
            format!(
                "« {label} » : « {text} » n'est pas un code de pays ISO 3166 (exemple : FR pour la France)."
            ),
            String::new(),
            path,
            errors,
        ),
        FieldType::CadastralParcel => identifier(
            formats::cadastral_parcel(text),
            "cadastral-parcel",
            format!(
                "« {label} » doit être une référence cadastrale : la section (1 ou 2 lettres) puis le numéro de plan (1 à 4 chiffres), précédés s'il y a lieu du préfixe à 3 chiffres (exemple : AB 123 ou 000 AB 0123)."
            ),
            String::new(),
            path,
            errors,
        ),
        FieldType::PartialDate => match formats::partial_date(text, today) {
            Ok(date) => Some(Value::Text(date)),
            Err(Refusal::Format) => bad(
                errors,
                "invalid-partial-date",
                format!(
                    "« {label} » n'est pas une date valide (attendu : une année AAAA, un mois MM/AAAA ou une date JJ/MM/AAAA)."
                ),
            ),
            Err(Refusal::Check) => bad(
                errors,
                "impossible-date",
                format!("« {label} » : cette date n'existe pas ou n'est pas encore passée."),
            ),
        },
        FieldType::Amount => match formats::amount(text) {
            Ok(amount) => {
                check_bounds(field, amount.parse().unwrap_or(0.0), path, errors);
                Some(Value::Decimal(amount))
            }
            Err(Refusal::Format) => bad(
                errors,
                "invalid-amount",
                format!("« {label} » doit être un montant en euros, positif (exemple : 1 234,50)."),
            ),
            Err(Refusal::Check) => bad(
                errors,
                "too-many-cents",
                format!("« {label} » : au plus 2 chiffres après la virgule (les centimes)."),
            ),
        },
        FieldType::MultipleChoice | FieldType::Address => unreachable!("handled by check_field"),
    }
}

/// A text on one line (or several, for a long text), without control
/// characters, within its length.
fn check_text(
    field: &Field,
    text: &str,
    path: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    let label = &field.label;
    let bad = |errors: &mut Vec<FieldError>, code: &str, message: String| {
        refuse(errors, path, code, message)
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    {
        return bad(
            errors,
            "invalid-characters",
            format!("« {label} » contient des caractères de contrôle."),
        );
    }
    if field.kind == FieldType::Text && text.contains(['\n', '\r']) {
        return bad(
            errors,
            "multiline",
            format!("« {label} » doit tenir sur une seule ligne."),
        );
    }
    let max = if field.kind == FieldType::Text {
        TEXT_MAX
    } else {
        LONG_TEXT_MAX
    };
    check_length(field, text, Some(max), path, errors);
    Some(Value::Text(text.to_owned()))
}

/// A decimal number, written with a comma or a point, within its digits
/// and bounds.
fn check_decimal(
    field: &Field,
    text: &str,
    path: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Value> {
    let label = &field.label;
    let bad = |errors: &mut Vec<FieldError>, code: &str, message: String| {
        refuse(errors, path, code, message)
    };
    if !DECIMAL.is_match(text) {
        return bad(
            errors,
            "invalid-decimal",
            format!("« {label} » doit être un nombre (exemple : 12,5)."),
        );
    }
    let canonical = canonical_decimal(text);
    if let Some(digits) = field.facets.fraction_digits {
        let frac = canonical.split('.').nth(1).map_or(0, str::len);
        if frac > digits as usize {
            return bad(
                errors,
                "too-many-decimals",
                format!("« {label} » : au plus {digits} chiffre(s) après la virgule."),
            );
        }
    }
    check_bounds(field, canonical.parse().unwrap_or(0.0), path, errors);
    Some(Value::Decimal(canonical))
}

fn check_bounds(field: &Field, n: f64, path: &str, errors: &mut Vec<FieldError>) {
    let label = &field.label;
    if let Some(min) = &field.facets.min
        && n < min.parse::<f64>().unwrap_or(f64::MIN)
    {
        errors.push(error(
            path,
            "below-minimum",
            format!("« {label} » doit être au moins {min}."),
        ));
    }
    if let Some(max) = &field.facets.max
        && n > max.parse::<f64>().unwrap_or(f64::MAX)
    {
        errors.push(error(
            path,
            "above-maximum",
            format!("« {label} » doit être au plus {max}."),
        ));
    }
}

fn check_address(
    field: &Field,
    items: &[(String, RawValue)],
    path: &str,
    errors: &mut Vec<FieldError>,
) -> Option<Address> {
    let before = errors.len();
    let mut parts: Vec<Option<String>> = Vec::new();
    for (name, _) in items {
        if !ADDRESS_PARTS.iter().any(|(n, ..)| n == name) {
            errors.push(error(
                &format!("{path}/{name}"),
                "unknown-field",
                format!("L'élément « {name} » n'est pas attendu dans une adresse."),
            ));
        }
    }
    for (name, label, required, max) in ADDRESS_PARTS {
        parts.push(address_part(
            field,
            items,
            path,
            (name, label, required, max),
            errors,
        ));
    }
    if parts[3].is_some() != parts[4].is_some() {
        errors.push(error(
            &format!(
                "{path}/{}",
                if parts[3].is_some() {
                    "longitude"
                } else {
                    "latitude"
                }
            ),
            "incomplete-coordinates",
            format!(
                "« {} » : donnez la latitude et la longitude ensemble.",
                field.label
            ),
        ));
    }
    if errors.len() > before {
        return None;
    }
    let mut it = parts.into_iter();
    Some(Address {
        street: it.next().flatten().unwrap_or_default(),
        postal_code: it.next().flatten().unwrap_or_default(),
        town: it.next().flatten().unwrap_or_default(),
        latitude: it.next().flatten(),
        longitude: it.next().flatten(),
    })
}

/// One part of an address (street, postal code, town, latitude,
/// longitude), checked; `None` when missing or wrong.
fn address_part(
    field: &Field,
    items: &[(String, RawValue)],
    path: &str,
    (name, label, required, max): (&str, &str, bool, usize),
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let sub = format!("{path}/{name}");
    let label = format!("{} : {}", field.label, label.to_lowercase());
    let given: Vec<&RawValue> = items
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v)
        .collect();
    if given.len() > 1 {
        errors.push(error(
            &sub,
            "repeated-field",
            format!("« {label} » ne peut être donné qu'une fois."),
        ));
        return None;
    }
    let text = match given.first() {
        Some(RawValue::Text(t)) => t.trim().to_owned(),
        Some(RawValue::Group(_) | RawValue::File(_)) => {
            errors.push(error(
                &sub,
                "invalid-structure",
                format!("« {label} » attend une valeur simple."),
            ));
            return None;
        }
        None => String::new(),
    };
    if text.is_empty() {
        if required {
            errors.push(error(
                &sub,
                "required",
                format!("« {label} » est obligatoire."),
            ));
        }
        return None;
    }
    if text.chars().count() > max || text.contains(['\n', '\r']) {
        errors.push(error(
            &sub,
            "too-long",
            format!("« {label} » ne doit pas dépasser {max} caractères, sur une ligne."),
        ));
    }
    match name {
        "postalCode" if !POSTAL_CODE.is_match(&text) => {
            errors.push(error(
                &sub,
                "invalid-postal-code",
                format!("« {label} » doit être un code postal de 5 chiffres."),
            ));
        }
        "latitude" | "longitude" => {
            let limit = if name == "latitude" { 90.0 } else { 180.0 };
            let ok = DECIMAL.is_match(&text)
                && canonical_decimal(&text)
                    .parse::<f64>()
                    .is_ok_and(|v| v.abs() <= limit);
            if !ok {
                errors.push(error(
                    &sub,
                    &format!("invalid-{name}"),
                    format!("« {label} » doit être un nombre décimal entre -{limit} et {limit}."),
                ));
                return None;
            }
            return Some(canonical_decimal(&text));
        }
        _ => {}
    }
    Some(text)
}

/// `+33612345678` from any accepted spelling.
fn canonical_phone(text: &str) -> String {
    let digits: String = text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    let national = digits
        .strip_prefix("+33")
        .or_else(|| digits.strip_prefix("0033"))
        .or_else(|| digits.strip_prefix('0'))
        .unwrap_or(&digits);
    format!("+33{national}")
}

fn canonical_decimal(text: &str) -> String {
    let mut s = text.replace(',', ".");
    if s.starts_with('+') {
        s.remove(0);
    }
    if s.starts_with('.') {
        s.insert(0, '0');
    } else if s.starts_with("-.") {
        s.insert(1, '0');
    }
    if s.ends_with('.') {
        s.pop();
    }
    s
}

/// ISO `YYYY-MM-DD` (an XSD time zone suffix is ignored) or French `JJ/MM/AAAA`.
pub fn parse_date(text: &str) -> Option<Date> {
    let iso = text
        .strip_suffix('Z')
        .or_else(|| {
            let n = text.len();
            (n == 16 && matches!(text.get(10..11), Some("+" | "-"))).then(|| &text[..10])
        })
        .unwrap_or(text);
    if iso.len() == 10 && iso.as_bytes()[4] == b'-' && iso.as_bytes()[7] == b'-' {
        return iso.parse().ok();
    }
    let parts: Vec<&str> = text.split('/').collect();
    if let [d, m, y] = parts.as_slice()
        && y.len() == 4
        && d.len() <= 2
        && m.len() <= 2
    {
        return Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok();
    }
    None
}

/// `HH:MM` (HTML) or `HH:MM:SS` (XSD), ignoring fractional seconds and zones.
pub fn parse_time(text: &str) -> Option<Time> {
    let core = text.strip_suffix('Z').unwrap_or(text);
    let n = core.len();
    let core = if n > 8 && matches!(core.get(n - 6..n - 5), Some("+" | "-")) {
        &core[..n - 6]
    } else {
        core
    };
    let core = core.split('.').next()?;
    let nums: Vec<&str> = core.split(':').collect();
    let num = |s: &str| -> Option<i8> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
    };
    match nums.as_slice() {
        [h, m] => Time::new(num(h)?, num(m)?, 0, 0).ok(),
        [h, m, s] => Time::new(num(h)?, num(m)?, num(s)?, 0).ok(),
        _ => None,
    }
}

fn find<'a>(values: &'a [(String, Value)], name: &str) -> Option<&'a Value> {
    values.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

fn check_rules(
    rules: &[Rule],
    fields: &[Field],
    values: &[(String, Value)],
    prefix: Option<&str>,
    today: Date,
    errors: &mut Vec<FieldError>,
) {
    let label = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .map_or(name.to_owned(), |f| f.label.clone())
    };
    // A field already in error is not judged again by a rule.
    let in_error = |name: &str, errors: &[FieldError]| {
        let path = join(prefix, name);
        errors
            .iter()
            .any(|e| e.path == path || e.path.starts_with(&format!("{path}/")))
    };
    for rule in rules {
        let field = rule.kind.field();
        if in_error(field, errors) {
            continue;
        }
        let broken: Option<String> = match &rule.kind {
            RuleKind::Past { field } => match find(values, field) {
                Some(Value::Date(d)) if *d > today => Some(format!(
                    "« {} » ne peut pas être postérieure à aujourd'hui.",
                    label(field)
                )),
                _ => None,
            },
            RuleKind::NotBefore { field, days } => match find(values, field) {
                Some(Value::Date(d)) => {
                    let earliest = today
                        .checked_add(jiff::Span::new().days(*days))
                        .unwrap_or(today);
                    (*d < earliest).then(|| {
                        format!(
                            "« {} » doit être au plus tôt le {}.",
                            label(field),
                            earliest.strftime("%d/%m/%Y")
                        )
                    })
                }
                _ => None,
            },
            RuleKind::After { field, than } => {
                let later = match (find(values, field), find(values, than)) {
                    (Some(Value::Date(a)), Some(Value::Date(b))) => Some(a > b),
                    (Some(Value::Time(a)), Some(Value::Time(b))) => Some(a > b),
                    _ => None,
                };
                (later == Some(false) && !in_error(than, errors))
                    .then(|| format!("« {} » doit être après « {} ».", label(field), label(than)))
            }
            RuleKind::RequiredIf {
                field,
                when,
                equals,
            } => {
                let triggered = find(values, when).is_some_and(|v| v.has(equals));
                (triggered && find(values, field).is_none())
                    .then(|| format!("« {} » est obligatoire dans ce cas.", label(field)))
            }
            RuleKind::AtLeastOne { fields: names } => (!names
                .iter()
                .any(|n| find(values, n).is_some() || in_error(n, errors)))
            .then(|| {
                let labels: Vec<String> =
                    names.iter().map(|n| format!("« {} »", label(n))).collect();
                format!(
                    "Indiquez au moins l'un de ces champs : {}.",
                    labels.join(", ")
                )
            }),
        };
        if let Some(default_message) = broken {
            errors.push(FieldError {
                path: join(prefix, field),
                code: rule.code.clone(),
                message: rule.message.clone().unwrap_or(default_message),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::builtin;

    fn t(s: &str) -> RawValue {
        RawValue::Text(s.into())
    }

    fn g(items: &[(&str, RawValue)]) -> RawValue {
        RawValue::Group(
            items
                .iter()
                .map(|(n, v)| (n.to_string(), v.clone()))
                .collect(),
        )
    }

    fn requester() -> (String, RawValue) {
        (
            REQUESTER.into(),
            g(&[
                ("firstName", t("Zoé")),
                ("lastName", t("Lefèvre")),
                ("email", t("zoe@example.fr")),
            ]),
        )
    }

    fn today() -> Date {
        jiff::civil::date(2026, 11, 22)
    }

    fn service(code: &str) -> Service {
        builtin::services()
            .into_iter()
            .find(|s| s.code == code)
            .unwrap()
    }

    fn booking(date: &str, start: &str, end: &str) -> Vec<(String, RawValue)> {
        vec![
            requester(),
            ("room".into(), t("salle-polyvalente")),
            ("eventType".into(), t("meeting")),
            ("eventDate".into(), t(date)),
            ("startTime".into(), t(start)),
            ("endTime".into(), t(end)),
            ("attendees".into(), t("40")),
            ("equipment".into(), t("chairs")),
            ("equipment".into(), t("projector")),
        ]
    }

    fn codes(r: Result<Form, Vec<FieldError>>) -> Vec<(String, String)> {
        r.unwrap_err()
            .into_iter()
            .map(|e| (e.path, e.code))
            .collect()
    }

    /// A service with a conditional field, a conditional group and a
    /// repeating group (1 to 3 rows, a conditional field in each row).
    fn household() -> Service {
        Service::from_xml(
            r#"<service xmlns="urn:guichet:service-definition:1" code="household" version="1">
  <title>Foyer</title><theme code="t">T</theme><department code="d">D</department>
  <operation>Household</operation><deadline days="5"/>
  <form>
    <field name="situation" type="choice" required="true"><label>Situation</label>
      <option value="single">Seul</option><option value="couple">En couple</option></field>
    <field name="partnerName" type="text" required="true" when="situation" equals="couple"><label>Nom du conjoint</label></field>
    <field name="hasChildren" type="boolean"><label>Enfants</label></field>
    <group name="children" minOccurs="1" maxOccurs="3" when="hasChildren" equals="true">
      <label>Enfants</label>
      <field name="firstName" type="text" required="true"><label>Prénom</label></field>
      <field name="birthDate" type="date" required="true"><label>Naissance</label></field>
      <field name="school" type="boolean"><label>Scolarisé</label></field>
      <field name="schoolName" type="text" required="true" when="school" equals="true"><label>École</label></field>
    </group>
  </form>
  <workflow><step id="a" label="A" kind="closed"/></workflow>
</service>"#,
        )
        .unwrap()
    }

    fn child(first: &str, born: &str, school: Option<&str>) -> (String, RawValue) {
        let mut items = vec![("firstName", t(first)), ("birthDate", t(born))];
        if let Some(name) = school {
            items.push(("school", t("true")));
            items.push(("schoolName", t(name)));
        }
        ("children".into(), g(&items))
    }

    #[test]
    fn a_conditional_field_is_asked_checked_and_stored_only_when_its_condition_holds() {
        let s = household();
        // Single: the partner's name given anyway is ignored, not stored.
        let form = validate(
            &s,
            &[
                requester(),
                ("situation".into(), t("single")),
                ("partnerName".into(), t("x".repeat(999).as_str())),
            ],
            today(),
        )
        .unwrap();
        assert!(
            form.rows().iter().all(|(p, _)| p != "partnerName"),
            "{:?}",
            form.rows()
        );
        // In a couple, it is required, and checked.
        let errors = codes(validate(
            &s,
            &[requester(), ("situation".into(), t("couple"))],
            today(),
        ));
        assert_eq!(errors, [("partnerName".to_owned(), "required".to_owned())]);
        let errors = codes(validate(
            &s,
            &[
                requester(),
                ("situation".into(), t("couple")),
                ("partnerName".into(), t("x".repeat(999).as_str())),
            ],
            today(),
        ));
        assert_eq!(errors, [("partnerName".to_owned(), "too-long".to_owned())]);
    }

    #[test]
    fn a_repeating_group_keeps_its_rows_in_order_and_names_each_rows_errors() {
        let s = household();
        let base = || {
            vec![
                requester(),
                ("situation".into(), t("single")),
                ("hasChildren".into(), t("true")),
            ]
        };
        let mut entries = base();
        entries.push(child("Léa", "2018-05-02", Some("École Jules-Ferry")));
        entries.push(child("Tom", "2021-01-10", None));
        let form = validate(&s, &entries, today()).unwrap();
        let rows = form.rows();
        let wanted = [
            ("children/1/firstName", "Léa"),
            ("children/1/birthDate", "2018-05-02"),
            ("children/1/school", "true"),
            ("children/1/schoolName", "École Jules-Ferry"),
            ("children/2/firstName", "Tom"),
            ("children/2/birthDate", "2021-01-10"),
        ];
        let got: Vec<(&str, &str)> = rows
            .iter()
            .filter(|(p, _)| p.starts_with("children/"))
            .map(|(p, v)| (p.as_str(), v.as_str()))
            .collect();
        assert_eq!(got, wanted);
        // Each row's errors on that row; a blank row is no row.
        let mut entries = base();
        entries.push(child("Léa", "demain", None));
        entries.push(("children".into(), g(&[("firstName", t(" "))])));
        entries.push(("children".into(), g(&[("school", t("true"))])));
        assert_eq!(
            codes(validate(&s, &entries, today())),
            [
                ("children/1/birthDate".to_owned(), "invalid-date".to_owned()),
                ("children/2/firstName".to_owned(), "required".to_owned()),
                ("children/2/birthDate".to_owned(), "required".to_owned()),
                ("children/2/schoolName".to_owned(), "required".to_owned()),
            ]
        );
        // Between minOccurs and maxOccurs rows, when the group is asked.
        assert_eq!(
            codes(validate(&s, &base(), today())),
            [("children".to_owned(), "required".to_owned())]
        );
        let mut entries = base();
        for name in ["A", "B", "C", "D"] {
            entries.push(child(name, "2020-01-01", None));
        }
        assert_eq!(
            codes(validate(&s, &entries, today())),
            [("children".to_owned(), "too-many-rows".to_owned())]
        );
        // Not asked (no children): its rows are ignored.
        let mut entries = vec![requester(), ("situation".into(), t("single"))];
        entries.push(child("Léa", "pas une date", None));
        assert!(validate(&s, &entries, today()).is_ok());
    }

    #[test]
    fn conditions_must_name_an_earlier_field_and_values_it_takes() {
        let text = household_text().replace(
            r#"when="situation" equals="couple""#,
            r#"when="situation" equals="married""#,
        );
        let err = Service::from_xml(&text).unwrap_err();
        assert!(err.message.contains("\"married\" is not a value"), "{err}");
        let text = household_text().replace(
            r#"when="school" equals="true""#,
            r#"when="nowhere" equals="true""#,
        );
        let err = Service::from_xml(&text).unwrap_err();
        assert!(err.message.contains("earlier field"), "{err}");
    }

    fn household_text() -> String {
        crate::core::definition::write(&household())
    }

    #[test]
    fn an_association_or_business_says_its_name_and_a_business_its_siret() {
        let graffiti = service("graffiti-removal");
        let example = crate::core::example::example(&graffiti, today(), None);
        let with = |items: &[(&str, RawValue)]| {
            let mut entries: Vec<(String, RawValue)> = example
                .iter()
                .filter(|(n, _)| n != REQUESTER)
                .cloned()
                .collect();
            let mut requester = vec![
                ("firstName", t("Zoé")),
                ("lastName", t("Lefèvre")),
                ("email", t("zoe@example.fr")),
            ];
            requester.extend_from_slice(items);
            entries.push((REQUESTER.into(), g(&requester)));
            entries
        };
        assert_eq!(
            codes(validate(
                &graffiti,
                &with(&[("kind", t("business"))]),
                today()
            )),
            [
                ("requester/organisation".to_owned(), "required".to_owned()),
                ("requester/siret".to_owned(), "required".to_owned()),
            ]
        );
        let form = validate(
            &graffiti,
            &with(&[
                ("kind", t("business")),
                ("organisation", t("Boulangerie Martin")),
                ("siret", t("732 829 320 00074")),
            ]),
            today(),
        )
        .unwrap();
        assert_eq!(
            form.requester_text("organisation"),
            Some("Boulangerie Martin")
        );
        // A person: no organisation asked, what came for it ignored.
        let form = validate(&graffiti, &with(&[("organisation", t("X"))]), today()).unwrap();
        assert_eq!(form.requester_text("organisation"), None);
        // A service for persons only refuses a business.
        let birth = service("birth-certificate");
        let entries: Vec<(String, RawValue)> = crate::core::example::example(&birth, today(), None)
            .into_iter()
            .map(|(n, v)| match (n.as_str(), v) {
                (REQUESTER, RawValue::Group(mut items)) => {
                    items.push(("kind".into(), t("business")));
                    items.push(("organisation".into(), t("SARL X")));
                    items.push(("siret".into(), t("73282932000074")));
                    (n, RawValue::Group(items))
                }
                (_, v) => (n, v),
            })
            .collect();
        assert_eq!(
            codes(validate(&birth, &entries, today())),
            [("requester/kind".to_owned(), "not-served".to_owned())]
        );
        assert!(birth.requester_fields().iter().all(|f| f.name != "kind"));
        let kinds = graffiti.requester_fields();
        let kind = kinds.iter().find(|f| f.name == "kind").unwrap();
        assert_eq!(kind.options.len(), 3);
    }

    #[test]
    fn a_valid_booking_is_typed() {
        let form = validate(
            &service("room-booking"),
            &booking("2026-12-12", "18:00", "22:30:00"),
            today(),
        )
        .unwrap();
        assert_eq!(
            form.values[3],
            (
                "startTime".into(),
                Value::Time(jiff::civil::time(18, 0, 0, 0))
            )
        );
        assert!(form.values.contains(&(
            "equipment".into(),
            Value::Choices(vec!["chairs".into(), "projector".into()])
        )));
        assert_eq!(form.requester_text("lastName"), Some("Lefèvre"));
        assert!(
            form.rows()
                .contains(&("requester/email".into(), "zoe@example.fr".into()))
        );
    }

    #[test]
    fn coherence_rules_name_their_field() {
        let errs = codes(validate(
            &service("room-booking"),
            &booking("2026-11-25", "18:00", "17:00"),
            today(),
        ));
        assert_eq!(
            errs,
            vec![
                ("eventDate".into(), "booking-too-late".into()),
                ("endTime".into(), "end-before-start".into())
            ]
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let entries = vec![
            (
                REQUESTER.into(),
                g(&[
                    ("firstName", t("A")),
                    ("phone", t("12345")),
                    ("fax", t("x")),
                ]),
            ),
            ("room".into(), t("garage")),
            ("eventDate".into(), t("2026-02-30")),
            ("startTime".into(), t("25:00")),
            ("attendees".into(), t("500")),
            ("attendees".into(), t("5")),
            ("equipment".into(), t("piano")),
            ("colour".into(), t("blue")),
        ];
        let errs = codes(validate(&service("room-booking"), &entries, today()));
        let expected = [
            ("requester/fax", "unknown-field"),
            ("requester/lastName", "required"),
            ("requester/phone", "invalid-phone"),
            ("colour", "unknown-field"),
            ("room", "not-in-list"),
            ("eventType", "required"),
            ("eventDate", "invalid-date"),
            ("startTime", "invalid-time"),
            ("endTime", "required"),
            ("attendees", "repeated-field"),
            ("equipment", "not-in-list"),
        ];
        for (path, code) in expected {
            assert!(
                errs.contains(&(path.into(), code.into())),
                "{path} {code} missing from {errs:?}"
            );
        }
        assert_eq!(errs.len(), expected.len(), "{errs:?}");
    }

    #[test]
    fn requester_needs_a_contact_and_must_be_present() {
        let svc = service("change-of-address");
        let errs = codes(validate(&svc, &[], today()));
        assert!(errs.contains(&("requester".into(), "required".into())));
        let entries = vec![(
            REQUESTER.into(),
            g(&[("firstName", t("A")), ("lastName", t("B"))]),
        )];
        let errs = codes(validate(&svc, &entries, today()));
        assert!(errs.contains(&("requester/email".into(), "contact-required".into())));
    }

    #[test]
    fn addresses_are_checked_part_by_part() {
        let svc = service("road-incident");
        let base = |loc: RawValue| {
            vec![
                requester(),
                ("category".into(), t("pothole")),
                ("location".into(), loc),
                (
                    "description".into(),
                    t("Trou profond de 20 cm au milieu de la chaussée"),
                ),
                ("observedOn".into(), t("21/11/2026")),
            ]
        };
        let ok = validate(
            &svc,
            &base(g(&[
                ("street", t("12 rue de la Paix")),
                ("postalCode", t("75002")),
                ("town", t("Démoville")),
                ("latitude", t("48,8686")),
                ("longitude", t("2.3314")),
            ])),
            today(),
        )
        .unwrap();
        match &ok.values[1].1 {
            Value::Address(a) => assert_eq!(a.latitude.as_deref(), Some("48.8686")),
            v => panic!("{v:?}"),
        }
        let errs = codes(validate(
            &svc,
            &base(g(&[
                ("street", t("x")),
                ("postalCode", t("7500")),
                ("latitude", t("95")),
            ])),
            today(),
        ));
        assert_eq!(
            errs,
            vec![
                ("location/postalCode".into(), "invalid-postal-code".into()),
                ("location/town".into(), "required".into()),
                ("location/latitude".into(), "invalid-latitude".into()),
            ]
        );
    }

    #[test]
    fn scalar_types_and_canonical_forms() {
        let field = |kind| Field {
            name: "f".into(),
            label: "F".into(),
            help: None,
            required: true,
            kind,
            facets: Default::default(),
            options: vec![],
            ..Field::default()
        };
        let mut errs = vec![];
        let mut check = |kind, s: &str| check_scalar(&field(kind), s, "f", today(), &mut errs);
        assert_eq!(
            check(FieldType::Phone, "06 12 34 56 78"),
            Some(Value::Text("+33612345678".into()))
        );
        assert_eq!(
            check(FieldType::Phone, "+33 1.23.45.67.89"),
            Some(Value::Text("+33123456789".into()))
        );
        assert_eq!(
            check(FieldType::Decimal, "-,5"),
            Some(Value::Decimal("-0.5".into()))
        );
        assert_eq!(check(FieldType::Boolean, "1"), Some(Value::Boolean(true)));
        assert_eq!(
            check(FieldType::Date, "2026-03-01Z"),
            Some(Value::Date(jiff::civil::date(2026, 3, 1)))
        );
        assert_eq!(
            check(FieldType::Time, "09:30:00+01:00"),
            Some(Value::Time(jiff::civil::time(9, 30, 0, 0)))
        );
        for (kind, bad) in [
            (FieldType::Email, "a@b"),
            (FieldType::PostalCode, "2A004"),
            (FieldType::Integer, "1.5"),
            (FieldType::Decimal, "1e3"),
            (FieldType::Text, "a\nb"),
            (FieldType::Text, "bell\u{7}"),
            (FieldType::Time, "9:30"),
            (FieldType::Date, "2026-13-01"),
        ] {
            assert_eq!(check(kind, bad), None, "{bad:?} accepted as {kind:?}");
        }
        assert_eq!(errs.len(), 8);
    }

    #[test]
    fn a_commune_is_stored_by_its_insee_code_and_checked_with_its_postal_code() {
        let field = Field {
            name: "town".into(),
            label: "Commune du siège".into(),
            help: None,
            required: true,
            kind: FieldType::Commune,
            facets: Default::default(),
            options: Vec::new(),
            ..Field::default()
        };
        let one = |text: &str| {
            let mut errors = Vec::new();
            let v = check_scalar(
                &field,
                text,
                "town",
                jiff::civil::date(2026, 12, 1),
                &mut errors,
            );
            (v, errors.into_iter().map(|e| e.code).collect::<Vec<_>>())
        };
        for typed in ["29019", "Brest 29200", "29200 BREST"] {
            assert_eq!(one(typed).0, Some(Value::Text("29019".into())), "{typed}");
        }
        assert_eq!(one("Brest 75001").1, ["commune-postal-code"]);
        assert_eq!(one("Démoville").1, ["unknown-commune"]);
        assert_eq!(one("Saint-Denis").1, ["ambiguous-commune"]);
        assert_eq!(
            one("saint-denis 97400").0,
            Some(Value::Text("97411".into()))
        );
    }

    #[test]
    fn identifiers_amounts_and_partial_dates_are_stored_canonical() {
        let field = |kind, min: Option<&str>, max: Option<&str>| Field {
            name: "f".into(),
            label: "F".into(),
            help: None,
            required: true,
            kind,
            facets: crate::core::catalogue::Facets {
                min: min.map(Into::into),
                max: max.map(Into::into),
                ..Default::default()
            },
            options: vec![],
            ..Field::default()
        };
        let check = |kind, s: &str| {
            let mut errs = vec![];
            let v = check_scalar(&field(kind, None, None), s, "f", today(), &mut errs);
            (v, errs.into_iter().map(|e| e.code).collect::<Vec<_>>())
        };
        let text = |s: &str| (Some(Value::Text(s.into())), vec![]);
        assert_eq!(check(FieldType::Siren, "732 829 320"), text("732829320"));
        assert_eq!(
            check(FieldType::Siret, " 732 829 320 00074 "),
            text("73282932000074")
        );
        assert_eq!(
            check(FieldType::Siret, "356 000 000 00001"),
            text("35600000000001")
        );
        assert_eq!(
            check(FieldType::Iban, "fr76 3000 6000 0112 3456 7890 189"),
            text("FR7630006000011234567890189")
        );
        assert_eq!(
            check(FieldType::Iban, "DE89 3704 0044 0532 0130 00"),
            text("DE89370400440532013000")
        );
        assert_eq!(check(FieldType::Bic, "cepafrpp627"), text("CEPAFRPP627"));
        assert_eq!(check(FieldType::Country, "be"), text("BE"));
        assert_eq!(
            check(FieldType::CadastralParcel, "ab0123"),
            text("000AB0123")
        );
        assert_eq!(check(FieldType::PartialDate, "03/1912"), text("1912-03"));
        assert_eq!(
            check(FieldType::Amount, "1 234,5 €"),
            (Some(Value::Decimal("1234.50".into())), vec![])
        );
        for (kind, bad, code) in [
            (FieldType::Siren, "732 829 321", "siren-checksum"),
            (FieldType::Siren, "7328", "invalid-siren"),
            (FieldType::Siret, "73282932000075", "siret-checksum"),
            (FieldType::Siret, "35600000000014", "siret-checksum"),
            (FieldType::Siret, "732829320", "invalid-siret"),
            (
                FieldType::Iban,
                "FR76 3000 6000 0112 3456 7890 188",
                "iban-checksum",
            ),
            (FieldType::Iban, "FR76 3000 6000 0112", "invalid-iban"),
            (FieldType::Bic, "BNPAFR", "invalid-bic"),
            (FieldType::Country, "ZZ", "invalid-country"),
            (
                FieldType::CadastralParcel,
                "ABC",
                "invalid-cadastral-parcel",
            ),
            (FieldType::PartialDate, "1912-02-30", "impossible-date"),
            (FieldType::PartialDate, "2030", "impossible-date"),
            (FieldType::PartialDate, "mars 1912", "invalid-partial-date"),
            (FieldType::Amount, "-3", "invalid-amount"),
            (FieldType::Amount, "3,145", "too-many-cents"),
        ] {
            assert_eq!(
                check(kind, bad),
                (None, vec![code.to_owned()]),
                "{bad:?} as {kind:?}"
            );
        }
        let mut errs = vec![];
        let fee = field(FieldType::Amount, Some("5"), Some("500"));
        assert_eq!(
            check_scalar(&fee, "4,99", "f", today(), &mut errs),
            Some(Value::Decimal("4.99".into()))
        );
        assert_eq!(
            check_scalar(&fee, "1 000", "f", today(), &mut errs),
            Some(Value::Decimal("1000.00".into()))
        );
        let codes: Vec<&str> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["below-minimum", "above-maximum"]);
        assert!(
            errs.iter()
                .all(|e| e.path == "f" && e.message.contains("« F »"))
        );
    }

    #[test]
    fn odd_text_never_panics_the_parsers() {
        for text in [
            "é1234567890",
            "2026-11-2é+01:0",
            "1é:00:00+01:00",
            "ééééééééé",
            "12:00é",
            "",
            "//",
            "1/2/",
            "99999999999999999999",
        ] {
            let _ = parse_date(text);
            let _ = parse_time(text);
            let _ = canonical_decimal(text);
        }
    }

    #[test]
    fn long_text_keeps_special_characters() {
        let svc = service("road-incident");
        let description = "Trou <profond> & dangereux, « très » visible : é à ç";
        let entries = vec![
            requester(),
            ("category".into(), t("other")),
            (
                "location".into(),
                g(&[
                    ("street", t("1 place de l'Église")),
                    ("postalCode", t("20000")),
                    ("town", t("Ajaccio")),
                ]),
            ),
            ("description".into(), t(description)),
            ("observedOn".into(), t("2026-11-22")),
        ];
        let form = validate(&svc, &entries, today()).unwrap();
        assert!(
            form.values
                .contains(&("description".into(), Value::Text(description.into())))
        );
    }
}
