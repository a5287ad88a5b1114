//! A service put into French words, as its documentation for webmasters
//! says it: whether a field is required, its limits and allowed values, a
//! coherence rule, the promised delay. The documentation page
//! (`/T/services/CODE/doc`) and the WSDL and XSD annotations both take their
//! words from here, so the two can never say different things; each channel
//! writes them in its own markup.
//!
//! Pure functions of a definition: no I/O, nothing of SOAP or HTML.

use super::calendar::DayCount;
use super::catalogue::{
    ADDRESS_PARTS, ChoiceOption, Field, FieldType, LONG_TEXT_MAX, REQUESTER_FIELDS,
    REQUESTER_RULES, Rule, RuleKind, Service, TEXT_MAX, Until,
};
use super::forms::REQUESTER;

/// The longest e-mail address accepted when a field names no maximum.
const EMAIL_MAX: usize = 254;

/// "Obligatoire." or "Facultatif."
pub fn presence(required: bool) -> &'static str {
    if required {
        "Obligatoire."
    } else {
        "Facultatif."
    }
}

fn characters(n: usize) -> String {
    if n > 1 {
        format!("{n} caractères")
    } else {
        format!("{n} caractère")
    }
}

/// "Au plus N caractères.": the limit of a text (and of an address's part).
pub fn max_length(n: usize) -> String {
    format!("Au plus {}.", characters(n))
}

/// A field's limits, one sentence each, as validation applies them: the
/// length of a text (its type's default when the definition names none),
/// its format, the bounds and decimals of a number, how many choices may
/// be ticked. Allowed values are [`option`]'s; an address's limits are
/// its parts' ([`max_length`]).
pub fn limits(field: &Field) -> Vec<String> {
    let f = &field.facets;
    let mut out = Vec::new();
    match field.kind {
        FieldType::Text | FieldType::LongText | FieldType::Email => {
            if let Some(l) = f.length {
                out.push(format!("Exactement {}.", characters(l)));
            } else {
                if let Some(m) = f.min_length {
                    out.push(format!("Au moins {}.", characters(m)));
                }
                let default = match field.kind {
                    FieldType::Text => TEXT_MAX,
                    FieldType::LongText => LONG_TEXT_MAX,
                    _ => EMAIL_MAX,
                };
                out.push(max_length(f.max_length.unwrap_or(default)));
            }
            if let Some(p) = &f.pattern {
                out.push(format!("Format (expression régulière) : « {} ».", p.source));
            }
        }
        FieldType::Integer | FieldType::Decimal | FieldType::Amount => {
            out.extend(format(field.kind));
            if let Some(min) = &f.min {
                out.push(format!("Au moins {min}."));
            }
            if let Some(max) = &f.max {
                out.push(format!("Au plus {max}."));
            }
            if let Some(d) = f.fraction_digits {
                out.push(format!("Au plus {d} chiffre(s) après la virgule."));
            }
        }
        FieldType::Group => {
            if let Some(n) = f.min_items.filter(|n| *n > 0) {
                out.push(format!("Au moins {n} ligne(s)."));
            }
            if let Some(n) = f.max_items {
                out.push(format!("Au plus {n} ligne(s)."));
            }
        }
        FieldType::MultipleChoice => {
            if let Some(n) = f.min_items {
                out.push(format!("Au moins {n} choix."));
            }
            if let Some(n) = f.max_items {
                out.push(format!("Au plus {n} choix."));
            }
        }
        FieldType::Siren
        | FieldType::Siret
        | FieldType::Iban
        | FieldType::Bic
        | FieldType::Country
        | FieldType::CadastralParcel
        | FieldType::PartialDate
        | FieldType::Commune => out.extend(format(field.kind)),
        FieldType::File => out.extend(super::files::describe(
            &field.file,
            f.max_items.unwrap_or(1),
        )),
        FieldType::Phone
        | FieldType::PostalCode
        | FieldType::Date
        | FieldType::Time
        | FieldType::Boolean
        | FieldType::Choice
        | FieldType::Address => {}
    }
    out
}

/// The shape of a value of `kind` in words, for the types that have one
/// of their own (identifiers, codes, amounts, partial dates): the
/// sentence of the field's limits and of the SOAP type's annotation.
pub fn format(kind: FieldType) -> Option<String> {
    let words = match kind {
        FieldType::Amount => {
            "Montant en euros, positif, au plus 2 chiffres après la virgule (1 234,50 ou 1234.50, le signe € permis), enregistré sous la forme 1234.50."
        }
        FieldType::Siren => {
            "Numéro SIREN : 9 chiffres (espaces permis) dont le dernier est une clé de Luhn, enregistré sans espaces."
        }
        FieldType::Siret => {
            "Numéro SIRET : 14 chiffres (espaces permis), le SIREN suivi du numéro d'établissement, clé de Luhn (pour les établissements de La Poste, SIREN 356 000 000, la somme des chiffres est un multiple de 5), enregistré sans espaces."
        }
        FieldType::Iban => {
            "IBAN (ISO 13616) : 2 lettres de pays, 2 chiffres de clé (contrôle modulo 97) et le numéro de compte, 27 caractères pour la France, 15 à 34 selon le pays ; espaces et minuscules permis, enregistré en majuscules sans espaces."
        }
        FieldType::Bic => {
            "Code BIC (ISO 9362) : 8 ou 11 caractères, 4 lettres de banque, 2 lettres de pays, 2 lettres ou chiffres de lieu et 3 facultatifs d'agence, enregistré en majuscules."
        }
        FieldType::Country => {
            "Code de pays ISO 3166-1 à 2 lettres (FR pour la France), enregistré en majuscules."
        }
        FieldType::CadastralParcel => {
            "Référence cadastrale : préfixe de 3 chiffres facultatif (000 par défaut), section de 1 ou 2 lettres (ou 0 et une lettre), numéro de plan de 1 à 4 chiffres (AB 123) ; enregistrée sous la forme 000AB0123."
        }
        FieldType::PartialDate => {
            "Date passée, complète ou non : une année (AAAA), un mois (AAAA-MM ou MM/AAAA) ou un jour (AAAA-MM-JJ ou JJ/MM/AAAA), enregistrée sous la forme ISO de ce qui est donné."
        }
        FieldType::Commune => {
            "Commune française : son code INSEE (29019 pour Brest) ; dans le formulaire, aussi son nom avec son code postal (Brest 29200), vérifiés ensemble dans la liste officielle des communes ; enregistrée sous son code INSEE."
        }
        _ => return None,
    };
    Some(words.to_owned())
}

/// An allowed value with its label: "value : label".
pub fn option(option: &ChoiceOption) -> String {
    format!("{} : {}", option.value, option.label)
}

/// A coherence rule of `service` (or of the requester block) in words: its
/// own message when the definition gives one, else a sentence naming the
/// fields by their labels.
pub fn rule(service: &Service, rule: &Rule) -> String {
    if let Some(message) = &rule.message {
        return message.clone();
    }
    let label = |name: &str| {
        service
            .fields
            .iter()
            .chain(REQUESTER_FIELDS.iter())
            .find(|f| f.name == name)
            .map_or(name.to_owned(), |f| f.label.clone())
    };
    match &rule.kind {
        RuleKind::Past { field } => format!("« {} » doit être une date passée.", label(field)),
        RuleKind::NotBefore { field, days } => {
            format!("« {} » : au plus tôt dans {days} jour(s).", label(field))
        }
        RuleKind::After { field, than } => {
            format!("« {} » doit être après « {} ».", label(field), label(than))
        }
        RuleKind::RequiredIf {
            field,
            when,
            equals,
        } => format!(
            "« {} » est obligatoire quand « {} » vaut « {equals} ».",
            label(field),
            label(when)
        ),
        RuleKind::AtLeastOne { fields } => format!(
            "Au moins un de : {}.",
            fields
                .iter()
                .map(|f| format!("« {} »", label(f)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Every rule a submission of `service` must follow, the service's then the
/// requester block's, each with its words.
pub fn rules(service: &Service) -> Vec<(&Rule, String)> {
    service
        .rules
        .iter()
        .chain(REQUESTER_RULES.iter())
        .map(|r| (r, rule(service, r)))
        .collect()
}

/// The delay promised to the citizen: "Délai de réponse : 10 jours au plus."
pub fn deadline(service: &Service) -> String {
    let n = service.deadline_days;
    let days = if n > 1 { "jours" } else { "jour" };
    let kind = match (service.deadline_count, n > 1) {
        (DayCount::Calendar, _) => "",
        (DayCount::Working, true) => " ouvrés",
        (DayCount::Working, false) => " ouvré",
    };
    let silence = match &service.silence {
        None => "",
        Some(s) if s.accepts => {
            " Délai légal : sans réponse à son terme, le silence vaut accord (acceptation tacite)."
        }
        Some(_) => {
            " Délai légal : sans réponse à son terme, le silence vaut rejet (refus implicite)."
        }
    };
    format!("Délai de réponse : {n} {days}{kind} au plus.{silence}")
}

/// What a booking or an appointment holds, in words, with the errors a
/// taken or unoffered slot gets.
pub fn booking(service: &Service) -> Option<String> {
    let booking = service.booking.as_ref()?;
    let label = |name: &str| {
        service
            .field(name)
            .map_or_else(|| name.to_owned(), |f| f.label.clone())
    };
    let resource = booking
        .resource
        .as_ref()
        .map(|r| format!(", pour chaque valeur de « {} »", label(r)))
        .unwrap_or_default();
    Some(match &booking.until {
        Until::Field(end) => format!(
            "Réservation : deux demandes en cours ou acceptées ne peuvent se chevaucher le même jour « {} »{resource}, de « {} » à « {} » (erreur slot-taken sur « {} »).",
            label(&booking.date),
            label(&booking.start),
            label(end),
            label(&booking.start)
        ),
        Until::Appointment(a) => {
            let days = a.hours.open_days("fr");
            let desks = if a.hours.desks > 1 {
                format!(", {} rendez-vous à la fois", a.hours.desks)
            } else {
                String::new()
            };
            format!(
                "Rendez-vous de {} minutes sur l'agenda « {} »{desks}{resource} : « {} » doit être l'heure d'un créneau encore libre le jour « {} », parmi ceux que la mairie publie ({}hors jours fériés) ; sinon l'erreur day-closed (jour sans rendez-vous), slot-not-offered (heure hors des créneaux) ou slot-taken (créneau déjà pris). Les créneaux libres d'un jour : GET services/{}/slots?date=AAAA-MM-JJ.",
                a.minutes,
                a.agenda,
                label(&booking.start),
                label(&booking.date),
                if days.is_empty() {
                    String::new()
                } else {
                    format!("par défaut le {days}, ")
                },
                service.code
            )
        }
    })
}

/// `text` ending as a sentence does.
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?', '…', ':']) {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}

/// Everything said of a field, in one paragraph: its label and help,
/// whether it is required, its limits, its allowed values.
pub fn field(field: &Field, siblings: &[Field]) -> String {
    let mut parts = vec![sentence(&field.label)];
    if let Some(help) = &field.help {
        parts.push(sentence(help));
    }
    parts.push(presence(field.required).to_owned());
    parts.extend(condition(field, siblings));
    parts.extend(limits(field));
    if !field.options.is_empty() {
        let values: Vec<String> = field.options.iter().map(option).collect();
        parts.push(format!("Valeurs permises : {}.", values.join(" ; ")));
    }
    parts.join(" ")
}

/// When a conditional field is asked, in words: « Seulement si « Label »
/// vaut « Option » ou « Option ». » (what is given otherwise is ignored).
pub fn condition(field: &Field, siblings: &[Field]) -> Option<String> {
    let when = field.when.as_ref()?;
    let on = siblings.iter().find(|f| f.name == when.field);
    let label = on.map_or(when.field.as_str(), |f| f.label.as_str());
    let values: Vec<String> = when
        .values
        .iter()
        .map(|v| {
            let shown = on.map_or_else(|| v.clone(), |f| f.value_words_in(v, "fr", ("Oui", "Non")));
            format!("« {shown} »")
        })
        .collect();
    Some(format!(
        "Seulement si « {label} » vaut {} ; ignoré sinon.",
        values.join(" ou ")
    ))
}

/// Everything said of a service, in one paragraph: its title and
/// description, the promised delay, its coherence rules.
pub fn service(service: &Service) -> String {
    let mut parts = vec![sentence(&service.title)];
    if !service.description.is_empty() {
        parts.push(sentence(&service.description));
    }
    parts.push(deadline(service));
    parts.extend(booking(service));
    let rules = rules(service);
    if !rules.is_empty() {
        parts.push("Règles de cohérence :".to_owned());
        parts.extend(rules.into_iter().map(|(_, words)| sentence(&words)));
    }
    parts.join(" ")
}

/// A stored value as a person reads it.
fn shown(service: &Service, path: &str, value: &str) -> (String, String) {
    let mut parts = path.split('/');
    let first = parts.next().unwrap_or_default();
    if first == REQUESTER {
        let name = parts.next().unwrap_or_default();
        let label = REQUESTER_FIELDS
            .iter()
            .find(|f| f.name == name)
            .map_or(name, |f| f.label.as_str());
        return (label.to_owned(), value.to_owned());
    }
    let Some(mut field) = service.field(first) else {
        return (path.to_owned(), value.to_owned());
    };
    let mut row_label = None;
    if field.kind == FieldType::Group {
        // GROUP/N/FIELD[/PART]: "Group 2 — Field".
        let n = parts.next().unwrap_or_default();
        let name = parts.next().unwrap_or_default();
        let Some(inner) = field.fields.iter().find(|f| f.name == name) else {
            return (path.to_owned(), value.to_owned());
        };
        row_label = Some(format!("{} {n} — ", field.label));
        field = inner;
    }
    let row_label = row_label.unwrap_or_default();
    if let Some(part) = parts.next() {
        let part_label = ADDRESS_PARTS
            .iter()
            .find(|(n, ..)| *n == part)
            .map_or(part, |(_, l, ..)| *l);
        return (
            format!("{row_label}{} — {part_label}", field.label),
            value.to_owned(),
        );
    }
    let shown = match field.kind {
        FieldType::Boolean => if value == "true" { "Oui" } else { "Non" }.to_owned(),
        FieldType::Date => value
            .parse::<jiff::civil::Date>()
            .map_or_else(|_| value.to_owned(), |d| d.strftime("%d/%m/%Y").to_string()),
        FieldType::Time => value.get(..5).unwrap_or(value).to_owned(),
        _ => field
            .options
            .iter()
            .find(|o| o.value == value)
            .map_or_else(|| value.to_owned(), |o| o.label.clone()),
    };
    (format!("{row_label}{}", field.label), shown)
}

/// A request's stored rows as a person reads them, label and value: the
/// requester's (`requester`) or the fields', in order, several choices of
/// one field on one line, files left out (they are listed with their names).
/// The back office, the PDF of a request and its letters show these.
pub fn values(
    service: &Service,
    rows: &[(String, String)],
    requester: bool,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for (path, value) in rows {
        if path.starts_with(&format!("{REQUESTER}/")) != requester {
            continue;
        }
        // Files are listed apart, with their names and links.
        if service
            .field(path)
            .is_some_and(|f| f.kind == FieldType::File)
        {
            continue;
        }
        let (label, text) = shown(service, path, value);
        match out.last_mut() {
            Some((p, _, v)) if p == path => {
                v.push_str(", ");
                v.push_str(&text);
            }
            _ => out.push((path.clone(), label, text)),
        }
    }
    out.into_iter().map(|(_, l, v)| (l, v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::builtin;

    fn library(code: &str) -> Service {
        builtin::services()
            .into_iter()
            .find(|s| s.code == code)
            .unwrap()
    }

    #[test]
    fn limits_say_what_validation_applies() {
        let booking = library("room-booking");
        let field = |name: &str| booking.field(name).unwrap();
        assert_eq!(limits(field("attendees")), ["Au moins 1.", "Au plus 200."]);
        assert_eq!(limits(field("organisation")), ["Au plus 160 caractères."]);
        assert_eq!(
            limits(field("comments")),
            ["Au plus 2000 caractères."],
            "a definition's maximum"
        );
        assert!(limits(field("room")).is_empty(), "a choice has options");
        let requester = REQUESTER_FIELDS.iter().find(|f| f.name == "civility");
        assert_eq!(option(&requester.unwrap().options[0]), "Mme : Madame");
        let mut text = field("organisation").clone();
        text.facets.max_length = None;
        text.facets.length = Some(1);
        assert_eq!(limits(&text), ["Exactement 1 caractère."]);
        text.facets.length = None;
        assert_eq!(limits(&text), ["Au plus 255 caractères."], "the default");
    }

    #[test]
    fn a_service_is_said_with_its_delay_and_rules() {
        let booking = library("room-booking");
        assert_eq!(deadline(&booking), "Délai de réponse : 10 jours au plus.");
        let words = service(&booking);
        assert!(words.starts_with("Réservation d'une salle municipale. Demander"));
        assert!(words.contains("Délai de réponse : 10 jours au plus. Réservation : deux demandes en cours ou acceptées ne peuvent se chevaucher le même jour « Date de la manifestation », pour chaque valeur de « Salle »"), "{words}");
        assert!(
            words.contains("(erreur slot-taken sur « Heure de début »). Règles de cohérence :"),
            "{words}"
        );
        let appointment = service(&library("identity-card"));
        assert!(appointment.contains("Rendez-vous de 20 minutes sur l'agenda « titres-identite », 2 rendez-vous à la fois : « Heure du rendez-vous » doit être l'heure d'un créneau encore libre le jour « Date du rendez-vous », parmi ceux que la mairie publie (par défaut le lundi, mardi, mercredi, jeudi, vendredi, samedi, hors jours fériés)"), "{appointment}");
        for (_, rule) in rules(&booking) {
            assert!(words.contains(&rule), "{words}");
        }
        assert!(words.contains("Indiquez au moins un moyen de vous joindre"));
        let mut working = booking.clone();
        working.deadline_count = DayCount::Working;
        working.deadline_days = 1;
        assert_eq!(
            deadline(&working),
            "Délai de réponse : 1 jour ouvré au plus."
        );
    }

    #[test]
    fn a_field_is_said_whole() {
        let email = REQUESTER_FIELDS.iter().find(|f| f.name == "email").unwrap();
        assert_eq!(
            field(email, &[]),
            "Adresse e-mail. Pour recevoir l'accusé de réception et le suivi de la demande. Facultatif. Au plus 254 caractères."
        );
        let civility = REQUESTER_FIELDS
            .iter()
            .find(|f| f.name == "civility")
            .unwrap();
        assert_eq!(
            field(civility, &[]),
            "Civilité. Facultatif. Valeurs permises : Mme : Madame ; M : Monsieur."
        );
    }

    #[test]
    fn rules_without_a_message_name_the_fields_by_their_labels() {
        let mut booking = library("room-booking");
        let after = booking
            .rules
            .iter_mut()
            .find(|r| matches!(r.kind, RuleKind::After { .. }))
            .unwrap();
        after.message = None;
        let after = after.clone();
        assert_eq!(
            rule(&booking, &after),
            "« Heure de fin » doit être après « Heure de début »."
        );
    }
}
