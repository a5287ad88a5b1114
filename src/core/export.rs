//! Exports of requests from the agents' console: which columns a sheet has
//! (chosen by the agent, kept as named models per service), and what each
//! cell of a request says. No I/O: the store reads the rows, `web` writes
//! the CSV or the spreadsheet.

use std::fmt;

/// A column of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Reference,
    Service,
    Channel,
    Step,
    Department,
    /// The district of the town it is in.
    District,
    /// The requester's first and last name.
    Requester,
    Email,
    /// When it was received.
    Received,
    Due,
    /// Open, waiting for the citizen, or finished.
    State,
    /// The request's page in the back office.
    Link,
    /// A field of the service's form, by name: its value, or its parts'
    /// (an address, a group's rows) joined.
    Field(String),
}

impl Column {
    /// The columns every request has, in the order they are offered.
    pub const FIXED: [Column; 12] = [
        Column::Reference,
        Column::Service,
        Column::Step,
        Column::Received,
        Column::Due,
        Column::State,
        Column::Requester,
        Column::Email,
        Column::Channel,
        Column::Department,
        Column::District,
        Column::Link,
    ];

    /// What an export has when nothing is chosen.
    pub fn default_set() -> Vec<Column> {
        vec![
            Column::Reference,
            Column::Service,
            Column::Step,
            Column::Received,
            Column::Due,
            Column::Requester,
            Column::Link,
        ]
    }

    /// Its name in URLs and saved models: `reference`, …, `field:NAME`.
    pub fn code(&self) -> String {
        match self {
            Column::Reference => "reference".into(),
            Column::Service => "service".into(),
            Column::Channel => "channel".into(),
            Column::Step => "step".into(),
            Column::Department => "department".into(),
            Column::District => "district".into(),
            Column::Requester => "requester".into(),
            Column::Email => "email".into(),
            Column::Received => "received".into(),
            Column::Due => "due".into(),
            Column::State => "state".into(),
            Column::Link => "link".into(),
            Column::Field(name) => format!("field:{name}"),
        }
    }

    pub fn parse(code: &str) -> Option<Column> {
        let code = code.trim();
        if let Some(name) = code.strip_prefix("field:") {
            let ok = !name.is_empty()
                && name.len() <= 100
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            return ok.then(|| Column::Field(name.to_owned()));
        }
        Column::FIXED.into_iter().find(|c| c.code() == code)
    }
}

/// A list of columns that does not read: the first code that is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownColumn(pub String);

impl fmt::Display for UnknownColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown column {:?}", self.0)
    }
}

/// Columns written as their codes, comma-separated, each once, in order.
pub fn parse_columns(text: &str) -> Result<Vec<Column>, UnknownColumn> {
    let mut out: Vec<Column> = Vec::new();
    for code in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let column = Column::parse(code).ok_or_else(|| UnknownColumn(code.to_owned()))?;
        if !out.contains(&column) {
            out.push(column);
        }
    }
    Ok(out)
}

/// Columns as their codes, comma-separated (what [`parse_columns`] reads).
pub fn columns_text(columns: &[Column]) -> String {
    columns
        .iter()
        .map(Column::code)
        .collect::<Vec<_>>()
        .join(",")
}

/// The value of field `name` among a request's stored values (paths
/// `name`, or `name/part…` for an address or a group's rows, in order),
/// parts joined by `, `.
pub fn field_value(values: &[(String, String)], name: &str) -> String {
    values
        .iter()
        .filter(|(path, _)| {
            path == name
                || path
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A named choice of columns for a service's exports (`service` empty: for
/// every service, then fixed columns only make sense).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportModel {
    pub id: i64,
    pub service: String,
    pub name: String,
    pub columns: Vec<Column>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_read_back_what_they_write_and_name_what_is_wrong() {
        let mut all = Column::FIXED.to_vec();
        all.push(Column::Field("location".into()));
        let text = columns_text(&all);
        assert_eq!(parse_columns(&text), Ok(all));
        assert_eq!(
            parse_columns("reference, due,reference,,field:category"),
            Ok(vec![
                Column::Reference,
                Column::Due,
                Column::Field("category".into())
            ])
        );
        assert_eq!(
            parse_columns("reference,password"),
            Err(UnknownColumn("password".into()))
        );
        assert!(parse_columns("field:").is_err());
        assert!(parse_columns("field:a b").is_err());
    }

    #[test]
    fn a_field_is_its_value_or_its_parts_joined() {
        let values: Vec<(String, String)> = [
            ("location/street", "12 rue de la République"),
            ("location/postalCode", "75002"),
            ("locationDetails", "Devant la boulangerie"),
            ("category", "pothole"),
            ("children/1/firstName", "Léa"),
            ("children/2/firstName", "Tom"),
        ]
        .into_iter()
        .map(|(p, v)| (p.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(field_value(&values, "category"), "pothole");
        assert_eq!(
            field_value(&values, "location"),
            "12 rue de la République, 75002"
        );
        assert_eq!(field_value(&values, "children"), "Léa, Tom");
        assert_eq!(field_value(&values, "missing"), "");
    }
}
