//! The exercise catalog: reads as the caller sees it (global exercises,
//! plus private ones of the caller or of the caller's coaches), and the
//! writes of admins (global catalog, imports) and coaches (private
//! exercises), each checked against the slugs its audience can see.

use std::collections::HashSet;

use diesel::{Connection, PgConnection};
use uuid::Uuid;

use crate::catalog_cache::CatalogCache;
use crate::db::{self, PgPool};
use crate::domain::catalog::{Exercise, ExerciseDefinition, ProgressionStep, Variation};
use crate::domain::catalog_filter::ExerciseFilter;
use crate::domain::validation::FieldError;
use crate::domain::vocabulary::Role;
use crate::error::ApiError;
use crate::ids::AccountId;
use crate::repo::accounts::{self, Caller};
use crate::repo::exercises as repo;

/// A check on the exercise as stored before it is changed (the handler's
/// `If-Match` against the exercise's `ETag`).
pub type Precondition = Box<dyn FnOnce(&Exercise) -> Result<(), ApiError> + Send>;

fn exercise_not_found() -> ApiError {
    ApiError::NotFound("no exercise has that id or slug".to_owned())
}

/// The account id of an optional caller: private exercises are visible to
/// their coach and to the coach's athletes.
pub(crate) fn viewer_id(
    connection: &mut PgConnection,
    token_digest: Option<&[u8]>,
) -> Result<Option<AccountId>, ApiError> {
    Ok(accounts::authenticate_optional(connection, token_digest)?.map(|caller| caller.account_id))
}

/// A page of the exercises the caller sees that match `filter`, after the
/// `(slug, id)` position `after`, and whether more follow.
pub async fn list(
    pool: &PgPool,
    token_digest: Option<Vec<u8>>,
    filter: ExerciseFilter,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Result<(Vec<Exercise>, bool), ApiError> {
    db::run(pool, move |connection| {
        let viewer = viewer_id(connection, token_digest.as_deref())?;
        let after = after.as_ref().map(|(slug, id)| (slug.as_str(), *id));
        Ok(repo::list(connection, viewer, &filter, after, limit)?)
    })
    .await
}

/// The exercise an id or slug names for the caller (404 if none).
pub async fn find(
    pool: &PgPool,
    token_digest: Option<Vec<u8>>,
    key: String,
) -> Result<Exercise, ApiError> {
    db::run(pool, move |connection| {
        let viewer = viewer_id(connection, token_digest.as_deref())?;
        repo::find(connection, viewer, &key)?.ok_or_else(exercise_not_found)
    })
    .await
}

/// The easier → harder chain of the exercise an id or slug names: the
/// exercise's id, its index in the chain, and the chain, easiest first.
pub async fn progression(
    pool: &PgPool,
    token_digest: Option<Vec<u8>>,
    key: String,
) -> Result<(Uuid, usize, Vec<ProgressionStep>), ApiError> {
    db::run(pool, move |connection| {
        let viewer = viewer_id(connection, token_digest.as_deref())?;
        let exercise = repo::find(connection, viewer, &key)?.ok_or_else(exercise_not_found)?;
        let chain = repo::progression(connection, viewer, &exercise)?;
        let position = chain
            .iter()
            .position(|step| step.id == exercise.id)
            .unwrap_or(0);
        Ok((exercise.id, position, chain))
    })
    .await
}

/// Every exercise the caller sees, by slug (the export).
pub async fn all(pool: &PgPool, token_digest: Option<Vec<u8>>) -> Result<Vec<Exercise>, ApiError> {
    db::run(pool, move |connection| {
        let viewer = viewer_id(connection, token_digest.as_deref())?;
        Ok(repo::all(connection, viewer)?)
    })
    .await
}

/// Adds an exercise: to the global catalog for an admin, to the coach's
/// private exercises for a coach (athletes may not add).
pub async fn create(
    pool: &PgPool,
    catalog: &CatalogCache,
    token_digest: Vec<u8>,
    definition: ExerciseDefinition,
) -> Result<Exercise, ApiError> {
    let exercise = db::run(pool, move |connection| {
        let caller = accounts::authenticate(connection, &token_digest)?;
        let owner = owner_for_new(&caller)?;
        validate_against_catalog(connection, owner, &definition)?;
        Ok(repo::create(
            connection,
            Uuid::now_v7(),
            owner,
            origin_of(owner),
            &definition,
        )?)
    })
    .await?;
    // Read-your-writes here; other instances hear of it by NOTIFY.
    catalog.invalidate();
    Ok(exercise)
}

/// Replaces every field of an exercise the caller may change, once
/// `precondition` accepts the stored one.
pub async fn replace(
    pool: &PgPool,
    catalog: &CatalogCache,
    token_digest: Vec<u8>,
    key: String,
    precondition: Precondition,
    definition: ExerciseDefinition,
) -> Result<Exercise, ApiError> {
    let exercise = db::run(pool, move |connection| {
        connection.transaction::<_, ApiError, _>(|connection| {
            let caller = accounts::authenticate(connection, &token_digest)?;
            let current = writable_exercise(connection, &caller, &key)?;
            precondition(&current)?;
            let owner = current.owner_account_id;
            validate_against_catalog(connection, owner, &definition)?;
            Ok(repo::update(
                connection,
                current.id,
                owner,
                origin_of(owner),
                &definition,
            )?)
        })
    })
    .await?;
    catalog.invalidate();
    Ok(exercise)
}

/// Deletes an exercise the caller may change, once `precondition` accepts
/// the stored one.
pub async fn delete(
    pool: &PgPool,
    catalog: &CatalogCache,
    token_digest: Vec<u8>,
    key: String,
    precondition: Precondition,
) -> Result<(), ApiError> {
    db::run(pool, move |connection| {
        connection.transaction::<_, ApiError, _>(|connection| {
            let caller = accounts::authenticate(connection, &token_digest)?;
            let current = writable_exercise(connection, &caller, &key)?;
            precondition(&current)?;
            Ok(repo::delete(connection, current.id)?)
        })
    })
    .await?;
    catalog.invalidate();
    Ok(())
}

/// One item of a catalog import: the id it asks for (runstrong format),
/// its definition, and the JSON pointer of the item for error reports.
pub struct ImportItem {
    pub id: Option<Uuid>,
    pub definition: ExerciseDefinition,
    pub pointer: String,
}

/// The slugs an import added and the global ones it replaced.
pub struct ImportOutcome {
    pub created: Vec<String>,
    pub updated: Vec<String>,
}

/// Imports parsed items into the global catalog (admins only), all or
/// nothing: `parse_errors` (from reading the document) and every item's
/// rule and reference errors are reported together in one 422.
pub async fn import(
    pool: &PgPool,
    catalog: &CatalogCache,
    token_digest: Vec<u8>,
    items: Vec<ImportItem>,
    parse_errors: Vec<FieldError>,
) -> Result<ImportOutcome, ApiError> {
    let outcome = db::run(pool, move |connection| {
        let caller = accounts::authenticate(connection, &token_digest)?;
        if caller.role != Role::Admin {
            return Err(ApiError::Forbidden(
                "only admins import catalogs".to_owned(),
            ));
        }
        let mut errors = parse_errors;
        let mut known: HashSet<String> = repo::namespace_slugs(connection, None)?
            .into_iter()
            .collect();
        let mut seen = HashSet::new();
        for item in &items {
            if !seen.insert(item.definition.slug.clone()) {
                errors.push(FieldError::new(
                    format!("{}/slug", item.pointer),
                    "this slug appears twice in the import",
                ));
            }
            known.insert(item.definition.slug.clone());
        }
        for item in &items {
            if let Err(item_errors) = item.definition.validate() {
                errors.extend(prefix_errors(item_errors, &item.pointer));
            }
            errors.extend(check_references(&item.definition, &known, &item.pointer));
        }
        if !errors.is_empty() {
            return Err(ApiError::unprocessable(errors));
        }
        connection.transaction(|connection| write_import(connection, &items))
    })
    .await?;
    catalog.invalidate();
    Ok(outcome)
}

/// Prefixes every error's pointer with the item's.
pub fn prefix_errors(
    errors: Vec<FieldError>,
    prefix: &str,
) -> impl Iterator<Item = FieldError> + '_ {
    errors
        .into_iter()
        .map(move |e| FieldError::new(format!("{prefix}{}", e.pointer), e.detail))
}

fn write_import(
    connection: &mut PgConnection,
    items: &[ImportItem],
) -> Result<ImportOutcome, ApiError> {
    let mut outcome = ImportOutcome {
        created: Vec::new(),
        updated: Vec::new(),
    };
    let mut conflicts = Vec::new();
    for item in items {
        let slug = item.definition.slug.clone();
        match repo::find_for_import(connection, item.id, &slug)? {
            Some((_, Some(_))) => conflicts.push(FieldError::new(
                format!("{}/id", item.pointer),
                "this id belongs to an exercise outside the global catalog",
            )),
            Some((existing, None)) => {
                repo::update(connection, existing, None, "import", &item.definition)?;
                outcome.updated.push(slug);
            }
            None => {
                repo::create(
                    connection,
                    item.id.unwrap_or_else(Uuid::now_v7),
                    None,
                    "import",
                    &item.definition,
                )?;
                outcome.created.push(slug);
            }
        }
    }
    if conflicts.is_empty() {
        Ok(outcome)
    } else {
        // Returning an error rolls the transaction back: all or nothing.
        Err(ApiError::unprocessable(conflicts))
    }
}

fn origin_of(owner: Option<AccountId>) -> &'static str {
    if owner.is_some() { "coach" } else { "admin" }
}

/// Who owns an exercise the caller creates: admins write the global
/// catalog, coaches their private one; athletes may not write.
fn owner_for_new(caller: &Caller) -> Result<Option<AccountId>, ApiError> {
    match caller.role {
        Role::Admin => Ok(None),
        Role::Coach => Ok(Some(caller.account_id)),
        Role::Athlete => Err(ApiError::Forbidden(
            "only admins (global catalog) and coaches (private exercises) add exercises".to_owned(),
        )),
    }
}

/// The exercise for a write, if the caller may see it: 404 otherwise, 403
/// when they see it but it is not theirs to change.
fn writable_exercise(
    connection: &mut PgConnection,
    caller: &Caller,
    key: &str,
) -> Result<Exercise, ApiError> {
    let exercise = repo::find_visible_for_update(connection, caller.account_id, key)?
        .ok_or_else(exercise_not_found)?;
    let allowed = match exercise.owner_account_id {
        None => caller.role == Role::Admin,
        Some(owner) => owner == caller.account_id,
    };
    if allowed {
        Ok(exercise)
    } else {
        Err(ApiError::Forbidden(
            "only admins change the global catalog, and only its coach a private exercise"
                .to_owned(),
        ))
    }
}

fn validate_against_catalog(
    connection: &mut PgConnection,
    owner: Option<AccountId>,
    definition: &ExerciseDefinition,
) -> Result<(), ApiError> {
    definition.validate().map_err(ApiError::unprocessable)?;
    let known: HashSet<String> = repo::namespace_slugs(connection, owner)?
        .into_iter()
        .collect();
    let errors = check_references(definition, &known, "");
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::unprocessable(errors))
    }
}

/// Every linked exercise and substitute must be one the new exercise's
/// audience can see: global ones for the global catalog; for a private
/// exercise, global ones and the coach's own (the coach's namespace).
fn check_references(
    definition: &ExerciseDefinition,
    known: &HashSet<String>,
    pointer_prefix: &str,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (field, variations) in [
        ("easier", &definition.easier),
        ("harder", &definition.harder),
    ] {
        for (index, variation) in variations.iter().enumerate() {
            if let Variation::Exercise { exercise_slug } = variation
                && !known.contains(exercise_slug)
            {
                errors.push(FieldError::new(
                    format!("{pointer_prefix}/{field}/{index}/exercise_slug"),
                    format!("no exercise `{exercise_slug}` is visible here"),
                ));
            }
        }
    }
    for (index, substitute) in definition.substitutes.iter().enumerate() {
        if !known.contains(substitute) {
            errors.push(FieldError::new(
                format!("{pointer_prefix}/substitutes/{index}"),
                format!("no exercise `{substitute}` is visible here"),
            ));
        }
    }
    errors
}
