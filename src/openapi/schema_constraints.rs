//! Constraints the derive cannot express and the validators enforce:
//! bounded dates, closed `Variation` objects, lists without repeats.

use utoipa::openapi::{self, RefOr, schema::Schema};

use super::operations;

/// Every date and time the API takes lies in 1900-01-01..=2200-12-31
/// (`domain::dates`). `format: date` cannot bound a range; a pattern on
/// the year can, so every date and date-time schema gets one, and clients
/// and schemathesis know the bound instead of meeting it as a 400.
pub const DATE_PATTERN: &str = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-";

pub(super) fn bound_dates(spec: &mut openapi::OpenApi) {
    use utoipa::openapi::schema::{ArrayItems, KnownFormat, SchemaFormat};
    fn visit(schema: &mut RefOr<Schema>) {
        let RefOr::T(schema) = schema else {
            return;
        };
        match schema {
            Schema::Object(object) => {
                let dated = matches!(
                    object.format,
                    Some(SchemaFormat::KnownFormat(
                        KnownFormat::Date | KnownFormat::DateTime
                    ))
                );
                if dated && object.pattern.is_none() {
                    object.pattern = Some(DATE_PATTERN.to_owned());
                }
                object.properties.values_mut().for_each(visit);
            }
            Schema::Array(array) => {
                if let ArrayItems::RefOrSchema(items) = &mut array.items {
                    visit(items);
                }
            }
            Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(visit),
            Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(visit),
            Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(visit),
            _ => {}
        }
    }
    if let Some(components) = spec.components.as_mut() {
        components.schemas.values_mut().for_each(visit);
    }
    for item in spec.paths.paths.values_mut() {
        for operation in operations(item) {
            for parameter in operation.parameters.iter_mut().flatten() {
                if let RefOr::T(openapi::path::Parameter {
                    schema: Some(schema),
                    ..
                }) = parameter
                {
                    visit(schema);
                }
            }
        }
    }
}

/// The variants of `Variation` (internally tagged, `deny_unknown_fields`)
/// refuse unknown fields, but the derive leaves their object schemas open.
pub(super) fn close_variations(spec: &mut openapi::OpenApi) {
    use utoipa::openapi::schema::AdditionalProperties;
    let schemas = &mut spec
        .components
        .as_mut()
        .expect("the document has components")
        .schemas;
    let Some(RefOr::T(Schema::OneOf(one_of))) = schemas.get_mut("Variation") else {
        panic!("Variation is not a oneOf schema");
    };
    for variant in one_of.items.iter_mut() {
        let RefOr::T(Schema::Object(object)) = variant else {
            panic!("a Variation variant is not an object schema");
        };
        object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
    }
}

/// Lists whose values must not repeat: the profile and exercise
/// validators refuse repeats (422), and JSON Schema can say so, but the
/// derive writes `uniqueItems` only for set types.
const UNIQUE_ITEMS: &[(&str, &[&str])] = &[
    (
        "AthleteProfile",
        &["available_days", "equipment", "injuries"],
    ),
    (
        "AthleteProfilePatch",
        &["available_days", "equipment", "injuries"],
    ),
    ("Athlete", &["available_days", "equipment", "injuries"]),
    ("PlanRequest", &["available_days", "equipment", "injuries"]),
    (
        "PlanOverrides",
        &["available_days", "equipment", "injuries"],
    ),
    ("ExerciseDefinition", EXERCISE_SETS),
    ("Exercise", EXERCISE_SETS),
];

/// The lists of an exercise whose values must not repeat.
const EXERCISE_SETS: &[&str] = &[
    "primary_muscles",
    "secondary_muscles",
    "equipment",
    "avoid_with",
    "helps_with",
    "benefits",
];

pub(super) fn mark_unique_items(spec: &mut openapi::OpenApi) {
    let schemas = &mut spec
        .components
        .as_mut()
        .expect("the document has components")
        .schemas;
    for (name, properties) in UNIQUE_ITEMS {
        let Some(RefOr::T(Schema::Object(object))) = schemas.get_mut(*name) else {
            panic!("{name} is not an object schema");
        };
        for property in *properties {
            match object.properties.get_mut(*property) {
                Some(RefOr::T(Schema::Array(array))) => array.unique_items = true,
                _ => panic!("{name}.{property} is not an array"),
            }
        }
    }
}
