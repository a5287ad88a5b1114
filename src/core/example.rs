//! An example submission of a service, valid by construction: every field
//! filled with a value its type, limits, options and coherence rules
//! accept on `today`. The webmasters' documentation shows it as a complete
//! SOAP envelope; the tests submit it.

use super::catalogue::{ADDRESS_PARTS, Field, FieldType, RuleKind, Service};
use super::forms::{REQUESTER, RawValue};
use jiff::ToSpan;
use jiff::civil::{Date, Time};

/// The example's entries, as a channel would hand them to the submit path:
/// the requester block first, then the service's fields in their order. An
/// appointment service's takes `slot` (a free one, which only the store
/// knows), or else the first its own hours offer from
/// [`appointment_search_from`].
pub fn example(
    service: &Service,
    today: Date,
    slot: Option<(Date, Time)>,
) -> Vec<(String, RawValue)> {
    // An e-mail address for the acknowledgement; no SMS without a mobile
    // number worth showing; a person asking (the default), so no
    // organisation.
    let asked: Vec<Field> = service
        .requester_fields()
        .into_iter()
        .filter(|f| f.name != "smsUpdates" && f.name != "kind")
        .collect();
    let requester = fields(service, &asked, today, false);
    // A simulation asks nobody's details.
    let mut entries = if service.simulation.is_some() {
        Vec::new()
    } else {
        vec![(REQUESTER.to_owned(), RawValue::Group(requester))]
    };
    let mut own = fields(service, &service.fields, today, true);
    if let Some(booking) = &service.booking
        && let Some(appointment) = booking.appointment()
    {
        let slot = slot.or_else(|| {
            let mut day = appointment_search_from(service, today)?;
            for _ in 0..366 {
                if let Some((start, _)) =
                    appointment.hours.offered(day, appointment.minutes).first()
                {
                    return Some((day, *start));
                }
                day = day.tomorrow().ok()?;
            }
            None
        });
        for (name, value) in &mut own {
            match slot {
                Some((day, _)) if *name == booking.date => {
                    *value = RawValue::Text(day.to_string());
                }
                Some((_, time)) if *name == booking.start => {
                    *value = RawValue::Text(time.strftime("%H:%M").to_string());
                }
                _ => {}
            }
        }
    }
    entries.extend(own);
    entries
}

/// The first day an appointment service's example may take (its rules
/// allow it): where the search for a free slot starts.
pub fn appointment_search_from(service: &Service, today: Date) -> Option<Date> {
    let booking = service.booking.as_ref()?;
    booking.appointment()?;
    let field = service.field(&booking.date)?;
    match value(service, field, today, &booking.date)? {
        RawValue::Text(t) => t.parse().ok(),
        _ => None,
    }
}

/// Example values of `fields` in order, a conditional field only when the
/// values before it ask for it; `top` for the form's own fields (whose
/// rules apply), not a group's.
fn fields(service: &Service, fields: &[Field], today: Date, top: bool) -> Vec<(String, RawValue)> {
    let mut entries: Vec<(String, RawValue)> = Vec::new();
    for field in fields {
        if let Some(when) = &field.when {
            let asked = entries.iter().any(|(n, v)| {
                *n == when.field && matches!(v, RawValue::Text(t) if when.values.contains(t))
            });
            if !asked {
                continue;
            }
        }
        if field.kind == FieldType::Group {
            // As many rows as needed, and one at least to show their shape.
            let n = field.facets.min_items.unwrap_or(0).max(1);
            for _ in 0..n {
                entries.push((
                    field.name.clone(),
                    RawValue::Group(self::fields(service, &field.fields, today, false)),
                ));
            }
            continue;
        }
        let name = if top { field.name.as_str() } else { "" };
        if let Some(v) = value(service, field, today, name) {
            entries.push((field.name.clone(), v));
        }
    }
    entries
}

fn text(value: impl Into<String>) -> Option<RawValue> {
    Some(RawValue::Text(value.into()))
}

/// A value of `field`; `name` is its path among the service's fields (empty
/// for the requester block, whose rules are the requester's own).
fn value(service: &Service, field: &Field, today: Date, name: &str) -> Option<RawValue> {
    let rule = |pick: &dyn Fn(&RuleKind) -> bool| {
        service
            .rules
            .iter()
            .map(|r| &r.kind)
            .find(|k| !name.is_empty() && k.field() == name && pick(k))
            .cloned()
    };
    match field.kind {
        FieldType::Group => None,
        FieldType::File => Some(RawValue::File(super::files::sample(&field.file))),
        FieldType::Text => text(sample_text(field, "Exemple")),
        FieldType::LongText => text(sample_text(
            field,
            "Texte d'exemple : ce que le demandeur écrit.",
        )),
        FieldType::Email => text("prenom.nom@exemple.fr"),
        FieldType::Phone => text("06 12 34 56 78"),
        FieldType::PostalCode => text("59000"),
        FieldType::Date => {
            let date = if rule(&|k| matches!(k, RuleKind::Past { .. })).is_some() {
                today.checked_sub(30.years()).ok()?
            } else if let Some(RuleKind::NotBefore { days, .. }) =
                rule(&|k| matches!(k, RuleKind::NotBefore { .. }))
            {
                today.checked_add((days + 7).days()).ok()?
            } else if let Some(RuleKind::After { .. }) =
                rule(&|k| matches!(k, RuleKind::After { .. }))
            {
                today.checked_add(21.days()).ok()?
            } else {
                today.checked_sub(1.days()).ok()?
            };
            text(date.to_string())
        }
        FieldType::Time => {
            let later = rule(&|k| matches!(k, RuleKind::After { .. })).is_some();
            text(if later { "20:00" } else { "18:00" })
        }
        FieldType::Integer => {
            let min: i64 = field
                .facets
                .min
                .as_deref()
                .and_then(|m| m.parse().ok())
                .unwrap_or(1);
            let max: i64 = field
                .facets
                .max
                .as_deref()
                .and_then(|m| m.parse().ok())
                .unwrap_or(i64::MAX);
            text(min.max(1).min(max).to_string())
        }
        FieldType::Decimal => {
            let min: f64 = field
                .facets
                .min
                .as_deref()
                .and_then(|m| m.parse().ok())
                .unwrap_or(1.0);
            text(format!("{}", min.max(1.0)))
        }
        FieldType::Amount => {
            let bound = |b: &Option<String>| b.as_deref().and_then(|m| m.parse::<f64>().ok());
            let min = bound(&field.facets.min).unwrap_or(0.0);
            let max = bound(&field.facets.max).unwrap_or(f64::MAX);
            text(format!("{:.2}", min.max(10.0).min(max)))
        }
        FieldType::Siren => text("732829320"),
        FieldType::Siret => text("73282932000074"),
        FieldType::Iban => text("FR7630006000011234567890189"),
        FieldType::Bic => text("BNPAFRPP"),
        FieldType::Country => text("FR"),
        FieldType::CadastralParcel => text("000AB0123"),
        FieldType::PartialDate => text(format!("{}-03", today.year() - 30)),
        FieldType::Commune => text("29019"),
        FieldType::Boolean => text("true"),
        FieldType::Choice => field
            .options
            .first()
            .map(|o| RawValue::Text(o.value.clone())),
        // One entry per chosen value: the first options, as many as needed.
        FieldType::MultipleChoice => field
            .options
            .first()
            .map(|o| RawValue::Text(o.value.clone())),
        FieldType::Address => {
            let sample = [
                ("street", "1 place de la Mairie"),
                ("postalCode", "59000"),
                ("town", "Démoville"),
            ];
            Some(RawValue::Group(
                ADDRESS_PARTS
                    .iter()
                    .filter(|(_, _, required, _)| *required)
                    .filter_map(|(part, ..)| {
                        sample
                            .iter()
                            .find(|(p, _)| p == part)
                            .map(|(p, v)| ((*p).to_owned(), RawValue::Text((*v).to_owned())))
                    })
                    .collect(),
            ))
        }
    }
}

/// A text the field's pattern and lengths accept: `preferred` when it does,
/// else the first of a few common shapes that does.
fn sample_text(field: &Field, preferred: &str) -> String {
    let fits = |candidate: &str| {
        let n = candidate.chars().count();
        field
            .facets
            .pattern
            .as_ref()
            .is_none_or(|p| p.matches(candidate))
            && field.facets.min_length.is_none_or(|m| n >= m)
            && field.facets.max_length.is_none_or(|m| n <= m)
            && field.facets.length.is_none_or(|m| n == m)
    };
    // Else a word of the field's help or pattern message that fits: where
    // a definition gives its example ("exemple : W595012345").
    let words: Vec<&str> = [&field.help, &field.facets.pattern_message]
        .into_iter()
        .flatten()
        .flat_map(|t| t.split(|c: char| c.is_whitespace() || "(),;«»".contains(c)))
        .map(|w| w.trim_end_matches(['.', ':']))
        .filter(|w| !w.is_empty())
        .collect();
    [
        preferred,
        "Exemple",
        "A",
        "ABC",
        "12345",
        "A1B2C3",
        "AB-123-CD",
    ]
    .into_iter()
    .chain(words)
    .find(|c| fits(c))
    .unwrap_or(preferred)
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_library_example_is_accepted_by_validation() {
        let today: Date = "2026-11-22".parse().unwrap();
        for service in crate::core::builtin::services() {
            let entries = example(&service, today, None);
            // What every channel's submission goes through, appointments'
            // offered slots included.
            let now = today.at(9, 0, 0, 0).in_tz("Europe/Paris").unwrap();
            let code = crate::core::tracking::TrackingCode::from_random(Default::default());
            let submission = crate::core::intake::Submission {
                channel: crate::core::intake::Channel::Soap,
                lang: "fr".into(),
                entries,
                citizen_id: None,
                recorded_by: None,
                inbound: None,
            };
            if let Err(errors) = crate::core::intake::receive(
                &service,
                &submission,
                &now,
                &code,
                None,
                &Default::default(),
            ) {
                panic!("{}: {errors:?}", service.code);
            }
        }
    }
}
