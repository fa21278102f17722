//! Validation failures as data: a field name and a message key from the catalogue, so every
//! adapter (form, API, CLI) can say the same thing in Danish or English.

use serde::Serialize;

/// One thing wrong with one input field. `key` names a message in the catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
}

impl FieldError {
    pub const fn new(field: &'static str, key: &'static str) -> Self {
        Self { field, key }
    }
}

/// Everything wrong with one request; empty means valid.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| e.field).collect::<Vec<_>>().join(", "))]
pub struct Problem(pub Vec<FieldError>);

impl Problem {
    pub fn one(field: &'static str, key: &'static str) -> Self {
        Self(vec![FieldError::new(field, key)])
    }

    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Collects the error of a parse into this problem and returns the value if it parsed.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    pub fn into_result(self) -> Result<(), Problem> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}
