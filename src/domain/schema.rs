//! OpenAPI schemas for read models that flatten a write model into a
//! larger object (an exercise is its definition plus an id). Derived, they
//! would be `allOf` with the write model's `additionalProperties: false`,
//! which no response could satisfy; this merges the properties instead.

use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};

/// `Inner`'s object schema with `extra` properties added (all required;
/// nullable ones say so in their own schema) and extra fields allowed.
pub fn flattened<Inner: ToSchema>(
    description: &str,
    extra: Vec<(&str, RefOr<Schema>)>,
) -> RefOr<Schema> {
    let RefOr::T(Schema::Object(mut object)) = Inner::schema() else {
        unreachable!("flattened write models are objects");
    };
    object.additional_properties = None;
    object.description = Some(description.to_owned());
    for (name, schema) in extra {
        object.properties.insert(name.to_owned(), schema);
        object.required.push(name.to_owned());
    }
    RefOr::T(Schema::Object(object))
}

fn string_with(format: KnownFormat, nullable: bool) -> RefOr<Schema> {
    let schema_type = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::Type(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(schema_type)
        .format(Some(SchemaFormat::KnownFormat(format)))
        .into()
}

pub fn uuid() -> RefOr<Schema> {
    string_with(KnownFormat::Uuid, false)
}

pub fn nullable_uuid() -> RefOr<Schema> {
    string_with(KnownFormat::Uuid, true)
}

pub fn date_time() -> RefOr<Schema> {
    string_with(KnownFormat::DateTime, false)
}
