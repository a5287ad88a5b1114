//! The town's file of the people and organisations who ask: one file per
//! person or organisation, whatever the channel, found again by the same
//! e-mail address or the same phone number (never by a name alone); two
//! files with near names at the same address are only suggested to an agent
//! as one. Pure: what a requester block says, in the keys files are matched
//! by; the store keeps the files.

use super::catalogue::search_key;
use super::forms::{Form, Value};
use super::places::street_key;

/// Who a file is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonKind {
    Citizen,
    Association,
    Business,
    /// A partner of the town (set by an agent, never by a form).
    Partner,
}

impl PersonKind {
    pub const ALL: [PersonKind; 4] = [
        PersonKind::Citizen,
        PersonKind::Association,
        PersonKind::Business,
        PersonKind::Partner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PersonKind::Citizen => "citizen",
            PersonKind::Association => "association",
            PersonKind::Business => "business",
            PersonKind::Partner => "partner",
        }
    }

    pub fn from_name(name: &str) -> Option<PersonKind> {
        PersonKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// What a request's requester block says of who asks, as a file keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    pub kind: Option<PersonKind>,
    pub first_name: String,
    pub last_name: String,
    /// An association's or a business's name.
    pub organisation: Option<String>,
    /// Lower case.
    pub email: Option<String>,
    /// Digits only, national form (`0612345678`).
    pub phone: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub town: Option<String>,
}

impl Contact {
    /// The requester of `form`, `None` when it names no one and gives no
    /// way to reach them.
    pub fn of(form: &Form) -> Option<Contact> {
        let text = |name: &str| {
            form.requester_text(name)
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let address = form.requester.iter().find_map(|(_, v)| match v {
            Value::Address(a) => Some(a.clone()),
            _ => None,
        });
        let kind = text("kind")
            .and_then(|k| PersonKind::from_name(&k))
            .filter(|k| *k != PersonKind::Partner);
        let contact = Contact {
            kind: Some(kind.unwrap_or(PersonKind::Citizen)),
            first_name: text("firstName").unwrap_or_default(),
            last_name: text("lastName").unwrap_or_default(),
            organisation: text("organisation"),
            email: text("email").map(|e| e.to_lowercase()),
            phone: text("phone").and_then(|p| phone_key(&p)),
            street: address.as_ref().map(|a| a.street.trim().to_owned()),
            postal_code: address.as_ref().map(|a| a.postal_code.trim().to_owned()),
            town: address.as_ref().map(|a| a.town.trim().to_owned()),
        };
        let named = !contact.first_name.is_empty()
            || !contact.last_name.is_empty()
            || contact.organisation.is_some();
        (named || contact.email.is_some() || contact.phone.is_some()).then_some(contact)
    }

    /// The requester of a stored request, from its values' `(path, text)`
    /// rows (`requester/firstName`, `requester/address/street`…).
    pub fn of_stored(rows: &[(String, String)]) -> Option<Contact> {
        let get = |name: &str| {
            rows.iter()
                .find(|(p, _)| p.strip_prefix("requester/") == Some(name))
                .map(|(_, v)| v.clone())
        };
        let mut requester: Vec<(String, Value)> = [
            "kind",
            "firstName",
            "lastName",
            "organisation",
            "email",
            "phone",
        ]
        .into_iter()
        .filter_map(|n| get(n).map(|v| (n.to_owned(), Value::Text(v))))
        .collect();
        if let Some(street) = get("address/street") {
            requester.push((
                "address".into(),
                Value::Address(super::forms::Address {
                    street,
                    postal_code: get("address/postalCode").unwrap_or_default(),
                    town: get("address/town").unwrap_or_default(),
                    latitude: None,
                    longitude: None,
                }),
            ));
        }
        Contact::of(&Form {
            requester,
            values: Vec::new(),
        })
    }

    /// The name as a file shows it: the organisation's, or first and last.
    pub fn display_name(&self) -> String {
        display_name(
            &self.first_name,
            &self.last_name,
            self.organisation.as_deref(),
        )
    }

    /// Names as files with near names are compared: folded, the words in
    /// order (`Lefèvre Zoé` and `zoe lefevre` meet).
    pub fn name_key(&self) -> String {
        let name = match &self.organisation {
            Some(o) => o.clone(),
            None => format!("{} {}", self.first_name, self.last_name),
        };
        let mut words: Vec<String> = search_key(&name)
            .replace(['-', '\'', '’', '.', ','], " ")
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        words.sort();
        words.join(" ")
    }

    /// The address as files at the same address are compared (`""`: none).
    pub fn place_key(&self) -> String {
        match (&self.street, &self.postal_code) {
            (Some(s), Some(p)) if !s.is_empty() => format!("{} {p}", street_key(s)),
            _ => String::new(),
        }
    }
}

/// The name a file is shown by: the organisation's, or first and last.
pub fn display_name(first: &str, last: &str, organisation: Option<&str>) -> String {
    match organisation {
        Some(o) => o.to_owned(),
        None => format!("{first} {last}").trim().to_owned(),
    }
}

/// A phone number in national digits (`+33 6 12…` and `06.12…` meet),
/// `None` when it has too few digits to be one.
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    let national = if let Some(rest) = digits.strip_prefix("0033") {
        format!("0{rest}")
    } else if phone.trim_start().starts_with('+') && digits.starts_with("33") {
        format!("0{}", &digits[2..])
    } else {
        digits
    };
    (national.len() >= 8).then_some(national)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::forms::Address;

    fn form(fields: &[(&str, &str)], address: Option<(&str, &str)>) -> Form {
        let mut requester: Vec<(String, Value)> = fields
            .iter()
            .map(|(n, v)| ((*n).to_owned(), Value::Text((*v).to_owned())))
            .collect();
        if let Some((street, postal)) = address {
            requester.push((
                "address".into(),
                Value::Address(Address {
                    street: street.into(),
                    postal_code: postal.into(),
                    town: "Démoville".into(),
                    latitude: None,
                    longitude: None,
                }),
            ));
        }
        Form {
            requester,
            values: Vec::new(),
        }
    }

    #[test]
    fn a_requester_is_read_in_the_keys_files_meet_by() {
        let c = Contact::of(&form(
            &[
                ("firstName", "Zoé"),
                ("lastName", "Lefèvre"),
                ("email", " Zoe@Example.FR "),
                ("phone", "+33 6 12 34 56 78"),
            ],
            Some(("12 bis, av. de la Gare", "59000")),
        ))
        .unwrap();
        assert_eq!(c.email.as_deref(), Some("zoe@example.fr"));
        assert_eq!(c.phone.as_deref(), Some("0612345678"));
        assert_eq!(c.kind, Some(PersonKind::Citizen));
        assert_eq!(c.display_name(), "Zoé Lefèvre");
        let other = Contact::of(&form(
            &[
                ("firstName", "zoe"),
                ("lastName", "LEFEVRE"),
                ("phone", "06.12.34.56.78"),
            ],
            Some(("12 avenue de la Gare", "59000")),
        ))
        .unwrap();
        assert_eq!(c.name_key(), other.name_key());
        assert_eq!(c.place_key(), other.place_key());
        assert_eq!(c.phone, other.phone);
        assert_eq!(phone_key("0033612345678").as_deref(), Some("0612345678"));
        assert_eq!(phone_key("12"), None);
    }

    #[test]
    fn an_organisation_is_filed_by_its_name_and_nobody_gives_no_file() {
        let c = Contact::of(&form(
            &[
                ("kind", "association"),
                ("organisation", "Comité des fêtes"),
                ("firstName", "Luc"),
                ("lastName", "Martin"),
            ],
            None,
        ))
        .unwrap();
        assert_eq!(c.kind, Some(PersonKind::Association));
        assert_eq!(c.display_name(), "Comité des fêtes");
        assert_eq!(c.name_key(), "comite des fetes");
        assert_eq!(c.place_key(), "");
        assert_eq!(Contact::of(&form(&[], None)), None);
        // As stored, the same.
        let stored = Form {
            requester: vec![
                ("kind".into(), Value::Text("association".into())),
                (
                    "organisation".into(),
                    Value::Text("Comité des fêtes".into()),
                ),
                ("firstName".into(), Value::Text("Luc".into())),
                ("lastName".into(), Value::Text("Martin".into())),
            ],
            values: Vec::new(),
        };
        assert_eq!(Contact::of_stored(&stored.rows()), Some(c));
        // A form never makes a partner.
        let p = Contact::of(&form(&[("kind", "partner"), ("lastName", "X")], None)).unwrap();
        assert_eq!(p.kind, Some(PersonKind::Citizen));
    }
}
