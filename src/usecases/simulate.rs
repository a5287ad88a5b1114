//! A simulation (the family quotient): the form checked like any
//! submission, its results computed at once by the core; no request, no
//! reference, nothing stored or sent. Shared by the form page and SOAP.

use crate::core::catalogue::{Computed, Service};
use crate::core::forms::{self, FieldError, RawValue};
use crate::core::formula::{self, Answer, Failed};
use jiff::civil::Date;

#[derive(Debug)]
pub enum SimulateError {
    /// Every bad field at once.
    Invalid(Vec<FieldError>),
    /// A formula could not compute with these values.
    Failed(Failed),
}

/// Each result of `service`'s simulation with its definition, in order.
pub fn simulate<'s>(
    service: &'s Service,
    entries: &[(String, RawValue)],
    today: Date,
) -> Result<Vec<(&'s Computed, Answer)>, SimulateError> {
    let form = forms::validate(service, entries, today).map_err(SimulateError::Invalid)?;
    let answers = formula::simulate(service, &form).map_err(|e| {
        tracing::warn!(service = %service.code, result = %e.result, reason = %e.reason, "a simulation could not compute");
        SimulateError::Failed(e)
    })?;
    let results = service
        .simulation
        .as_ref()
        .map(|s| s.results.as_slice())
        .unwrap_or_default();
    Ok(results.iter().zip(answers).collect())
}
