//! Field-level validation errors shared by every input the API checks.

use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field: where it is (a JSON Pointer into the request body, or
/// `/name` for a query or path parameter) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    #[schema(example = "/limit")]
    pub pointer: String,
    #[schema(example = "must be between 1 and 200")]
    pub detail: String,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

/// The errors on one line (`pointer: detail; …`), for a command-line tool
/// or a log, where there is no problem document to carry them.
pub fn one_line(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|error| format!("{}: {}", error.pointer, error.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Collects the errors of one input so all of them are reported at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn add(&mut self, pointer: impl Into<String>, detail: impl Into<String>) {
        self.0.push(FieldError::new(pointer, detail));
    }

    /// Records `detail` at `pointer` when `ok` is false.
    pub fn check(&mut self, ok: bool, pointer: impl Into<String>, detail: impl Into<String>) {
        if !ok {
            self.add(pointer, detail);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// What the validation tests of every input share.
#[cfg(test)]
pub mod test_support {
    use super::FieldError;

    /// The pointers of the errors a check found; none when it passed.
    pub fn pointers_of(checked: Result<(), Vec<FieldError>>) -> Vec<String> {
        checked
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|error| error.pointer)
            .collect()
    }

    /// The properties of `T`'s schema that document both a `minimum` and a
    /// `maximum`, with those bounds: what a bounds test walks.
    pub fn documented_bounds<T: utoipa::PartialSchema>() -> Vec<(String, f64, f64)> {
        let schema = serde_json::to_value(T::schema()).unwrap();
        schema["properties"]
            .as_object()
            .unwrap()
            .iter()
            .filter_map(|(field, property)| {
                let min = property["minimum"].as_f64()?;
                let max = property["maximum"].as_f64()?;
                Some((field.clone(), min, max))
            })
            .collect()
    }
}
