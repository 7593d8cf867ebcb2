//! Registration, sign-in (tokens), sign-out and the caller's account.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::password;
use crate::config::Config;
use crate::db::{self, PgPool};
use crate::domain::account::{check_display_name, check_email, check_password, normalize_email};
use crate::domain::validation::Errors;
use crate::domain::vocabulary::Role;
use crate::error::{ApiError, Problem};
use crate::http::auth::BearerToken;
use crate::http::extract::JsonBody;
use crate::repo::accounts::{self, Account, NewAccount};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[schema(example = "sam@example.com")]
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
    #[schema(example = "sam@example.com")]
    pub email: String,
    #[schema(example = "a long passphrase")]
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

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized {
        detail: "wrong email or password".to_owned(),
        invalid_token: false,
    }
}

/// Register an account.
///
/// Answers with the account and a token, so the app is signed in at once.
#[utoipa::path(
    tag = "accounts",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created, with a token", body = TokenResponse),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An account with that email exists", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid email, password or role", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/accounts")]
pub async fn register(
    pool: web::Data<PgPool>,
    config: web::Data<Config>,
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
    let password = request.password;
    let password_hash = web::block(move || password::hash(&password)).await?;
    let lifetime = config.token_lifetime;
    let response = db::run(&pool, move |connection| {
        use diesel::Connection;
        connection.transaction(|connection| {
            let account = accounts::create(
                connection,
                &NewAccount {
                    email: &request.email,
                    email_normalized: &normalize_email(&request.email),
                    password_hash: &password_hash,
                    display_name: &request.display_name,
                    role: request.role,
                },
            )?;
            let (token, expires_at) = accounts::issue_token(connection, account.id, lifetime)?;
            Ok(TokenResponse {
                token,
                token_type: "Bearer",
                expires_at,
                account,
            })
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(response))
}

/// Sign in: exchange email and password for a token.
///
/// Repeated failures for one email lock it out for a while (429 with
/// `Retry-After`), across every instance. An unknown email and a wrong
/// password answer alike.
#[utoipa::path(
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 201, description = "Signed in", body = TokenResponse),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failures for this email; retry later", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds until the next attempt is accepted"))),
    )
)]
#[post("/v1/tokens")]
pub async fn login(
    pool: web::Data<PgPool>,
    config: web::Data<Config>,
    body: JsonBody<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.0;
    let email = normalize_email(&email);
    let lookup_email = email.clone();
    let found = db::run(&pool, move |connection| {
        if let Some(retry_after_s) = accounts::lockout_remaining(connection, &lookup_email)? {
            return Err(locked_out(retry_after_s));
        }
        accounts::find_for_login(connection, &lookup_email)
    })
    .await?;
    // The hash is checked without holding a database connection.
    let (account, matches) = web::block(move || match found {
        Some((account, hash)) => {
            let matches = password::verify(&password, &hash);
            (Some(account), matches)
        }
        None => {
            password::verify_against_dummy(&password);
            (None, false)
        }
    })
    .await?;
    let (max_failures, window, lifetime) = (
        config.login_max_failures,
        config.login_window,
        config.token_lifetime,
    );
    let response = db::run(&pool, move |connection| match account {
        Some(account) if matches => {
            accounts::clear_login_failures(connection, &email)?;
            let (token, expires_at) = accounts::issue_token(connection, account.id, lifetime)?;
            Ok(TokenResponse {
                token,
                token_type: "Bearer",
                expires_at,
                account,
            })
        }
        _ => {
            accounts::record_login_failure(connection, &email, max_failures, window)?;
            Err(invalid_credentials())
        }
    })
    .await?;
    Ok(HttpResponse::Created().json(response))
}

fn locked_out(retry_after_s: u64) -> ApiError {
    ApiError::TooManyRequests {
        detail: format!("too many failed sign-ins for this email; try again in {retry_after_s} s"),
        retry_after_s,
    }
}

/// Sign out: revoke the token this request carries.
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
    db::run(&pool, move |connection| {
        accounts::authenticate(connection, &token.digest)?;
        accounts::revoke_token(connection, &token.digest)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's account.
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
    let account = db::run(&pool, move |connection| {
        let caller = accounts::authenticate(connection, &token.digest)?;
        accounts::find(connection, caller.account_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(account))
}
