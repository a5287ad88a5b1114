//! A simulation's formulas (`<simulation><result formula="…">`), parsed when
//! the definition is loaded and computed from a validated form, with no I/O.
//!
//! The expression language is evalexpr's: arithmetic, comparisons, `&&`,
//! `||`, `if(c, a, b)`, `min`, `max`, `floor`, `round`, strings in double
//! quotes. Its context here is read-only (a formula cannot assign) and holds
//! the form's values: numbers as decimals, a yes-no answer as 1 or 0, a
//! choice as its value (a number when it reads as one), an unanswered
//! optional number as 0; and the results computed before.

use super::catalogue::{Computed, Field, FieldType, Service};
use super::forms::{Form, Value};
use evalexpr::{
    ContextWithMutableVariables, DefaultNumericTypes, HashMapContext, Node, Value as Computation,
};

/// The functions a formula may call.
pub const FUNCTIONS: [&str; 6] = ["if", "min", "max", "floor", "round", "ceil"];

/// A parsed formula; two are the same when written the same.
#[derive(Debug, Clone)]
pub struct Formula {
    pub source: String,
    tree: Node<DefaultNumericTypes>,
}

impl PartialEq for Formula {
    fn eq(&self, other: &Formula) -> bool {
        self.source == other.source
    }
}

impl Formula {
    /// Parses `source`; every name it uses must be one of `known` (the
    /// form's fields and the results before it).
    pub fn parse(source: &str, known: &[&str]) -> Result<Formula, String> {
        let tree = evalexpr::build_operator_tree::<DefaultNumericTypes>(source)
            .map_err(|e| format!("formula {source:?}: {e}"))?;
        if let Some(unknown) = tree
            .iter_variable_identifiers()
            .find(|v| !known.contains(v))
        {
            return Err(format!(
                "formula {source:?}: {unknown:?} is neither a field of the form nor an earlier result"
            ));
        }
        if tree.iter_write_variable_identifiers().next().is_some() {
            return Err(format!(
                "formula {source:?}: a formula computes, it does not assign"
            ));
        }
        if let Some(f) = tree
            .iter_function_identifiers()
            .find(|f| !FUNCTIONS.contains(f))
        {
            return Err(format!(
                "formula {source:?}: unknown function {f:?} (known: {})",
                FUNCTIONS.join(", ")
            ));
        }
        Ok(Formula {
            source: source.to_owned(),
            tree,
        })
    }
}

/// One computed answer, in lexical form (`412.50`, `B`, `true`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub name: String,
    pub value: String,
}

/// Why a simulation could not answer (a division by zero, a text where a
/// number was wanted): the result's name and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub result: String,
    pub reason: String,
}

/// The results of `service`'s simulation for a validated form, in order.
pub fn simulate(service: &Service, form: &Form) -> Result<Vec<Answer>, Failed> {
    let Some(simulation) = &service.simulation else {
        return Ok(Vec::new());
    };
    let mut context = HashMapContext::<DefaultNumericTypes>::new();
    for field in &service.fields {
        let value = form
            .values
            .iter()
            .find(|(n, _)| *n == field.name)
            .map(|(_, v)| v);
        if let Some(v) = variable(field, value) {
            // Names are the definition's, each set once: this cannot fail.
            let _ = context.set_value(field.name.clone(), v);
        }
    }
    let mut answers = Vec::new();
    for result in &simulation.results {
        let failed = |reason: String| Failed {
            result: result.name.clone(),
            reason,
        };
        let value = result
            .formula
            .tree
            .eval_with_context(&context)
            .map_err(|e| failed(e.to_string()))?;
        let lexical = lexical(result, &value).map_err(failed)?;
        let _ = context.set_value(result.name.clone(), value);
        answers.push(Answer {
            name: result.name.clone(),
            value: lexical,
        });
    }
    Ok(answers)
}

fn variable(field: &Field, value: Option<&Value>) -> Option<Computation<DefaultNumericTypes>> {
    let number = |text: &str| text.replace(',', ".").parse::<f64>().ok();
    Some(match (field.kind, value) {
        (FieldType::Boolean, v) => Computation::Float(if matches!(v, Some(Value::Boolean(true))) {
            1.0
        } else {
            0.0
        }),
        (FieldType::Integer | FieldType::Decimal | FieldType::Amount, None) => {
            Computation::Float(0.0)
        }
        (_, Some(Value::Integer(i))) => Computation::Float(*i as f64),
        (_, Some(Value::Decimal(d))) => Computation::Float(number(d)?),
        (_, Some(Value::Choice(c) | Value::Text(c))) => match number(c) {
            Some(n) if field.kind == FieldType::Choice => Computation::Float(n),
            _ => Computation::String(c.clone()),
        },
        (_, None) => Computation::String(String::new()),
        _ => return None,
    })
}

fn lexical(result: &Computed, value: &Computation<DefaultNumericTypes>) -> Result<String, String> {
    Ok(match value {
        Computation::Float(f) if !f.is_finite() => {
            return Err("the result is not a finite number (a division by zero?)".into());
        }
        Computation::Float(f) => format!("{:.*}", result.fraction_digits as usize, f),
        Computation::Int(i) => i.to_string(),
        Computation::Boolean(b) => b.to_string(),
        Computation::String(s) => s.clone(),
        other => {
            return Err(format!(
                "a result must be a number, a text or a yes-no, not {other:?}"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::forms::{RawValue, validate};

    fn quotient() -> Service {
        crate::core::builtin::services()
            .into_iter()
            .find(|s| s.code == "family-quotient")
            .unwrap()
    }

    fn answers(entries: &[(&str, &str)]) -> Vec<(String, String)> {
        let s = quotient();
        let entries: Vec<(String, RawValue)> = entries
            .iter()
            .map(|(n, v)| (n.to_string(), RawValue::Text(v.to_string())))
            .collect();
        let form = validate(&s, &entries, jiff::civil::date(2026, 12, 1)).unwrap();
        simulate(&s, &form)
            .unwrap()
            .into_iter()
            .map(|a| (a.name, a.value))
            .collect()
    }

    #[test]
    fn the_family_quotient_is_computed_from_the_form() {
        // 36 000 € a year, 140 € of benefits a month, three children: four
        // shares, (3 000 + 140) / 4.
        let got = answers(&[
            ("annualIncome", "36000"),
            ("monthlyBenefits", "140"),
            ("children", "3"),
        ]);
        let want = [
            ("shares", "4.0"),
            ("quotient", "785.00"),
            ("bracket", "C"),
            ("mealPrice", "3.20"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want);
        // One child with a disability: half a share more.
        let got = answers(&[
            ("annualIncome", "18000"),
            ("children", "1"),
            ("disabledChildren", "1"),
        ]);
        assert_eq!(got[0].1, "3.0");
        assert_eq!(got[1].1, "500.00");
        assert_eq!(got[2].1, "B");
    }

    #[test]
    fn a_formula_names_what_exists_and_only_computes() {
        let known = ["a", "b"];
        assert!(Formula::parse("a * 2 + max(b, 1)", &known).is_ok());
        let e = Formula::parse("a + c", &known).unwrap_err();
        assert!(e.contains("\"c\""), "{e}");
        assert!(
            Formula::parse("a = 3", &known)
                .unwrap_err()
                .contains("assign")
        );
        let e = Formula::parse("str::regex_matches(a, \"x\")", &known).unwrap_err();
        assert!(e.contains("unknown function"), "{e}");
    }
}
