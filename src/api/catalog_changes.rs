//! Changes to the catalog: admins edit the global catalog and import
//! whole catalogs; coaches keep private exercises for their athletes.

use actix_web::{HttpResponse, delete, http::header, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::exercises::{ExerciseKey, RunstrongCatalog};
use crate::catalog_cache::CatalogCache;
use crate::db::PgPool;
use crate::domain::catalog::{Exercise, ExerciseDefinition};
use crate::domain::free_exercise_db::{FreeExerciseDbExercise, to_definition};
use crate::domain::validation::FieldError;
use crate::error::{ApiError, Problem};
use crate::http::auth::BearerToken;
use crate::http::conditional::{IfMatch, IfMatchHeader};
use crate::http::etag::strong_etag;
use crate::http::extract::{JsonBody, parse_json};
use crate::service::catalog::{self, ImportItem, Precondition, prefix_errors};

/// The ETag of an exercise, as its GET serves it.
fn exercise_etag(exercise: &Exercise) -> Result<String, ApiError> {
    Ok(strong_etag(
        &serde_json::to_vec(exercise).map_err(ApiError::internal)?,
    ))
}

/// The `If-Match` check of a write: the stored exercise's `ETag`.
fn etag_precondition(if_match: IfMatch) -> Precondition {
    Box::new(move |current| if_match.require(&exercise_etag(current)?))
}

fn exercise_response(
    mut builder: actix_web::HttpResponseBuilder,
    exercise: &Exercise,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(exercise).map_err(ApiError::internal)?;
    Ok(builder
        .insert_header((header::ETAG, strong_etag(&body)))
        .content_type("application/json")
        .body(body))
}

/// Add an exercise.
///
/// Admins add to the global catalog; coaches add a private exercise that
/// they and the athletes whose grants they accepted see. A private slug
/// is the coach's own: it may repeat a global slug or another coach's, and
/// only a slug the coach already uses is a 409.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    request_body = ExerciseDefinition,
    responses(
        (status = 201, description = "Created", body = Exercise,
            headers(("ETag" = String, description = "Strong entity tag"), ("Location" = String, description = "The new exercise"))),
        (status = 403, description = "Athletes may not add exercises", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken in the caller's namespace (the global catalog for admins, the coach's own exercises for coaches)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Breaks a catalog rule or links an unknown exercise", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/exercises")]
pub async fn create_exercise(
    pool: web::Data<PgPool>,
    catalog_cache: web::Data<CatalogCache>,
    token: BearerToken,
    body: JsonBody<ExerciseDefinition>,
) -> Result<HttpResponse, ApiError> {
    let exercise = catalog::create(&pool, &catalog_cache, token.digest, body.0).await?;
    let location = format!("/v1/exercises/{}", exercise.id);
    let mut builder = HttpResponse::Created();
    builder.insert_header((header::LOCATION, location));
    exercise_response(builder, &exercise)
}

/// Replace an exercise.
///
/// Replaces every field of the exercise with the body (a full definition,
/// not a patch). Admins change global exercises and a coach their own
/// private ones; `If-Match` must carry the exercise's current `ETag`. The
/// links and substitutes must name exercises the owner can see. Answers the
/// exercise with its new `ETag`.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(ExerciseKey, IfMatchHeader),
    request_body = ExerciseDefinition,
    responses(
        (status = 200, description = "Replaced", body = Exercise,
            headers(("ETag" = String, description = "The new entity tag"))),
        (status = 403, description = "Not the caller's to change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such exercise visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slug is taken in the exercise's namespace", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Breaks a catalog rule or links an unknown exercise", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/exercises/{id_or_slug}")]
pub async fn replace_exercise(
    pool: web::Data<PgPool>,
    catalog_cache: web::Data<CatalogCache>,
    token: BearerToken,
    key: web::Path<ExerciseKey>,
    if_match: IfMatch,
    body: JsonBody<ExerciseDefinition>,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner().id_or_slug;
    let exercise = catalog::replace(
        &pool,
        &catalog_cache,
        token.digest,
        key,
        etag_precondition(if_match),
        body.0,
    )
    .await?;
    exercise_response(HttpResponse::Ok(), &exercise)
}

/// Delete an exercise.
///
/// Removes the exercise from the catalog. Admins delete global exercises
/// and a coach their own private ones; `If-Match` must carry the exercise's
/// current `ETag`, so a change made meanwhile is not deleted unseen. Plans
/// and sessions already stored keep what they recorded.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    params(ExerciseKey, IfMatchHeader),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not the caller's to delete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such exercise visible to the caller", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/exercises/{id_or_slug}")]
pub async fn delete_exercise(
    pool: web::Data<PgPool>,
    catalog_cache: web::Data<CatalogCache>,
    token: BearerToken,
    key: web::Path<ExerciseKey>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let key = key.into_inner().id_or_slug;
    catalog::delete(
        &pool,
        &catalog_cache,
        token.digest,
        key,
        etag_precondition(if_match),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A catalog to import: runstrong's export object, or a free-exercise-db
/// array.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum CatalogImport {
    Runstrong(RunstrongCatalog),
    FreeExerciseDb(Vec<FreeExerciseDbExercise>),
}

/// What an import did (it is all or nothing: on any rejection, a 422
/// lists every problem and nothing is written).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    /// Slugs of the exercises added.
    pub created: Vec<String>,
    /// Slugs of global exercises replaced.
    pub updated: Vec<String>,
}

fn field_errors_of(error: ApiError) -> Vec<FieldError> {
    match error {
        ApiError::BadRequest { errors, detail } | ApiError::Unprocessable { errors, detail }
            if errors.is_empty() =>
        {
            vec![FieldError::new("", detail)]
        }
        ApiError::BadRequest { errors, .. } | ApiError::Unprocessable { errors, .. } => errors,
        other => vec![FieldError::new("", other.to_string())],
    }
}

/// One exported exercise: its id, and the definition parsed on its own so
/// that an error points at the field (`Exercise` flattens the definition,
/// which hides the path).
fn parse_runstrong_item(
    value: &serde_json::Value,
) -> Result<(Uuid, ExerciseDefinition), Vec<FieldError>> {
    let mut fields = value
        .as_object()
        .cloned()
        .ok_or_else(|| vec![FieldError::new("", "must be an exercise object")])?;
    let id = fields
        .remove("id")
        .and_then(|id| id.as_str().and_then(|id| Uuid::parse_str(id).ok()))
        .ok_or_else(|| vec![FieldError::new("/id", "must be a UUID")])?;
    if fields
        .remove("owner_account_id")
        .is_some_and(|owner| !owner.is_null())
    {
        return Err(vec![FieldError::new(
            "/owner_account_id",
            "private exercises are not imported; only the global catalog is",
        )]);
    }
    let definition =
        parse_json::<ExerciseDefinition>(serde_json::Value::Object(fields).to_string().as_bytes())
            .map_err(field_errors_of)?;
    Ok((id, definition))
}

/// Parses every item on its own, so that one bad item is reported with
/// its index instead of failing the whole document at the first error.
fn parse_import(document: &serde_json::Value) -> (Vec<ImportItem>, Vec<FieldError>) {
    let mut items = Vec::new();
    let mut errors = Vec::new();
    match document {
        serde_json::Value::Object(fields) => {
            if fields.get("format").and_then(|f| f.as_str()) != Some("runstrong") {
                errors.push(FieldError::new(
                    "/format",
                    "must be `runstrong` (or send a free-exercise-db array)",
                ));
            }
            if fields.get("version").and_then(|v| v.as_u64()) != Some(1) {
                errors.push(FieldError::new("/version", "only version 1 is known"));
            }
            let Some(exercises) = fields.get("exercises").and_then(|e| e.as_array()) else {
                errors.push(FieldError::new(
                    "/exercises",
                    "must be an array of exercises",
                ));
                return (items, errors);
            };
            if let Some(unknown) = fields
                .keys()
                .find(|k| !["format", "version", "exercises"].contains(&k.as_str()))
            {
                errors.push(FieldError::new(format!("/{unknown}"), "unknown field"));
            }
            for (index, value) in exercises.iter().enumerate() {
                let pointer = format!("/exercises/{index}");
                match parse_runstrong_item(value) {
                    Ok((id, definition)) => items.push(ImportItem {
                        id: Some(id),
                        definition,
                        pointer,
                    }),
                    Err(item_errors) => errors.extend(prefix_errors(item_errors, &pointer)),
                }
            }
        }
        serde_json::Value::Array(entries) => {
            for (index, value) in entries.iter().enumerate() {
                let pointer = format!("/{index}");
                let definition = parse_json::<FreeExerciseDbExercise>(value.to_string().as_bytes())
                    .map_err(field_errors_of)
                    .and_then(|item| to_definition(&item));
                match definition {
                    Ok(definition) => items.push(ImportItem {
                        id: None,
                        definition,
                        pointer,
                    }),
                    Err(item_errors) => errors.extend(prefix_errors(item_errors, &pointer)),
                }
            }
        }
        _ => errors.push(FieldError::new(
            "",
            "send a runstrong export object or a free-exercise-db array",
        )),
    }
    (items, errors)
}

/// Import a catalog into the global catalog (admins only).
///
/// Accepts runstrong's export (`{format, version, exercises}`) or a
/// free-exercise-db array. Exercises are matched to existing global ones
/// by id, then slug, and replaced; the others are created (with their
/// exported id). All or nothing.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    request_body = CatalogImport,
    responses(
        (status = 200, description = "Imported", body = ImportReport),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only admins import", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Items rejected (every reason listed); nothing was written", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/exercises/import")]
pub async fn import_exercises(
    pool: web::Data<PgPool>,
    catalog_cache: web::Data<CatalogCache>,
    token: BearerToken,
    body: JsonBody<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let (items, parse_errors) = parse_import(&body.0);
    let outcome = catalog::import(&pool, &catalog_cache, token.digest, items, parse_errors).await?;
    let report = ImportReport {
        created: outcome.created,
        updated: outcome.updated,
    };
    Ok(HttpResponse::Ok().json(report))
}
