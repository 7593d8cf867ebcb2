//! Registration, sign-in (tokens), sign-out and the caller's account.

use actix_web::{HttpResponse, delete, get, http::header, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::hashing_gate::HashingGate;
use crate::config::Config;
use crate::db::PgPool;
use crate::domain::account::{PASSWORD_MAX_CHARS, check_display_name, check_email, check_password};
use crate::domain::validation::Errors;
use crate::domain::vocabulary::Role;
use crate::error::{ApiError, Problem};
use crate::http::auth::BearerToken;
use crate::http::client_address::ClientAddress;
use crate::http::extract::JsonBody;
use crate::service::accounts::{self, IssuedToken, Registration};
use crate::views::Account;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// At most 254 characters.
    #[schema(example = "sam@example.com", max_length = 254)]
    #[serde(deserialize_with = "crate::domain::account::bounded_email")]
    pub email: String,
    /// 10 to 1024 characters.
    #[schema(example = "a long passphrase", min_length = 10, max_length = 1024)]
    pub password: String,
    #[schema(example = "Sam Runner")]
    pub display_name: String,
    /// `athlete` or `coach`; admins are created only by `runstrong create-admin`.
    #[schema(schema_with = registrable_role)]
    pub role: Role,
}

/// The roles anyone may register with: every role but `admin`, which the
/// handler refuses (422), so the document does not offer it either.
fn registrable_role() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .enum_values(Some(
            Role::ALL
                .iter()
                .filter(|role| **role != Role::Admin)
                .map(|role| role.as_str()),
        ))
        .description(Some(
            "`athlete` or `coach`; admins are created only by `runstrong create-admin`.",
        ))
        .build()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// At most 254 characters.
    #[schema(example = "sam@example.com", max_length = 254)]
    #[serde(deserialize_with = "crate::domain::account::bounded_email")]
    pub email: String,
    /// At most 1024 characters, as at registration.
    #[schema(example = "a long passphrase", max_length = 1024)]
    pub password: String,
}

/// A new bearer token: shown once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    #[schema(example = "rs_Jm3v…")]
    pub token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
    pub account: Account,
}

/// A response carrying a new token: never stored by any cache.
fn token_created(issued: IssuedToken) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse {
            token: issued.token,
            token_type: "Bearer",
            expires_at: issued.expires_at,
            account: issued.account,
        })
}

/// Register an account.
///
/// Answers with the account and a token, so the app is signed in at once.
/// Registrations are throttled per client address (429 with `Retry-After`),
/// and password hashing is capped per instance (503 with `Retry-After`).
#[utoipa::path(
    tag = "accounts",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created, with a token", body = TokenResponse),
        (status = 400, description = "Malformed body, unknown field, or an email over 254 characters", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An account with that email exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid email, password or role", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many registrations from this client address; retry later", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds until the next attempt is accepted"))),
        (status = 503, description = "This instance is hashing as many passwords as it allows at once, or the database is out of reach; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    )
)]
#[post("/v1/accounts")]
pub async fn register(
    pool: web::Data<PgPool>,
    config: web::Data<Config>,
    gate: web::Data<HashingGate>,
    address: ClientAddress,
    body: JsonBody<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    let mut errors = Errors::default();
    check_email(&mut errors, "/email", &request.email);
    check_password(&mut errors, "/password", &request.password);
    check_display_name(&mut errors, "/display_name", &request.display_name);
    errors.check(
        request.role != Role::Admin,
        "/role",
        "must be `athlete` or `coach`; admins are created from the command line",
    );
    errors.into_result().map_err(ApiError::unprocessable)?;
    // The permit first: a refusal costs nothing, not even a database trip.
    let permit = HashingGate::try_enter(&gate)?;
    let registration = Registration {
        email: request.email,
        password: request.password,
        display_name: request.display_name,
        role: request.role,
    };
    let issued = accounts::register(&pool, &config, permit, address.0, registration).await?;
    Ok(token_created(issued))
}

/// Sign in: exchange email and password for a token.
///
/// Every attempt for an email counts before its password is checked:
/// after `RUNSTRONG_LOGIN_MAX_FAILURES` of them within the window, the
/// email is locked out for a while (429 with `Retry-After`), across every
/// instance and however many attempts arrive at once; a successful
/// sign-in clears the count. Sign-ins are also throttled per client
/// address (429), and password hashing is capped per instance (503 with
/// `Retry-After`). An unknown email and a wrong password answer alike.
#[utoipa::path(
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 201, description = "Signed in", body = TokenResponse),
        (status = 400, description = "Malformed body, unknown field, an email over 254 or a password over 1024 characters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts for this email or from this client address; retry later", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds until the next attempt is accepted"))),
        (status = 503, description = "This instance is hashing as many passwords as it allows at once, or the database is out of reach; retry after `Retry-After` seconds", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    )
)]
#[post("/v1/tokens")]
pub async fn login(
    pool: web::Data<PgPool>,
    config: web::Data<Config>,
    gate: web::Data<HashingGate>,
    address: ClientAddress,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.0;
    if password.chars().count() > PASSWORD_MAX_CHARS {
        return Err(ApiError::bad_field(
            "/password",
            format!("at most {PASSWORD_MAX_CHARS} characters"),
        ));
    }
    // The permit first: a refusal costs nothing, not even a database trip.
    let permit = HashingGate::try_enter(&gate)?;
    let issued = accounts::sign_in(&pool, &config, permit, address.0, &email, password).await?;
    Ok(token_created(issued))
}

/// Sign out: revoke the token this request carries.
///
/// Revokes only the token sent in `Authorization`; other tokens of the same
/// account stay valid. Every later request with this token answers 401.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The token is revoked"),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/v1/tokens/current")]
pub async fn logout(pool: web::Data<PgPool>, token: BearerToken) -> Result<HttpResponse, ApiError> {
    accounts::sign_out(&pool, token.digest).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's account.
///
/// Answers the account the bearer token belongs to: its id, email, display
/// name, role and creation time. Useful to check that a token still works
/// and whom it signs in.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = Account),
        (status = 401, description = "Missing, malformed, expired or revoked token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/me")]
pub async fn me(pool: web::Data<PgPool>, token: BearerToken) -> Result<HttpResponse, ApiError> {
    let account = accounts::current(&pool, token.digest).await?;
    Ok(HttpResponse::Ok().json(account))
}
