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
