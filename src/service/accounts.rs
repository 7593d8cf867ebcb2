//! Accounts and tokens: registration, sign-in with its throttles and
//! lockout, sign-out. Passwords are hashed on the blocking pool without a
//! database connection held, under the permit the handler took first.

use actix_web::web;
use chrono::{DateTime, Utc};

use crate::auth::hashing_gate::HashingPermit;
use crate::auth::password;
use crate::config::Config;
use crate::db::{self, PgPool};
use crate::domain::account::normalize_email;
use crate::domain::vocabulary::Role;
use crate::error::ApiError;
use crate::repo::accounts::{self, NewAccount};
use crate::repo::throttle::{self, AddressAction, AddressPolicy, LockoutPolicy};
use crate::views::Account;

/// A token just issued (shown once), with the account it signs in.
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub account: Account,
}

/// An account to create, already checked against the account rules.
pub struct Registration {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub role: Role,
}

/// Counts the attempt against the client address (429 past the limit),
/// hashes the password, then creates the account and its first token in
/// one transaction, so no account exists without a way in.
pub async fn register(
    pool: &PgPool,
    config: &Config,
    permit: HashingPermit,
    client_address: String,
    registration: Registration,
) -> Result<IssuedToken, ApiError> {
    let per_address = AddressPolicy {
        limit: config.register_per_address,
        window: config.register_window,
    };
    db::run(pool, move |connection| {
        Ok(throttle::count_address_attempt(
            connection,
            AddressAction::Register,
            &client_address,
            &per_address,
        )?)
    })
    .await?;
    let Registration {
        email,
        password,
        display_name,
        role,
    } = registration;
    let password_hash = web::block(move || {
        let _permit = permit;
        password::hash(&password)
    })
    .await?;
    let lifetime = config.token_lifetime;
    db::run(pool, move |connection| {
        use diesel::Connection;
        connection.transaction(|connection| {
            let account = accounts::create(
                connection,
                &NewAccount {
                    email: &email,
                    email_normalized: &normalize_email(&email),
                    password_hash: &password_hash,
                    display_name: &display_name,
                    role,
                },
            )?;
            let (token, expires_at) = accounts::issue_token(connection, account.id, lifetime)?;
            Ok(IssuedToken {
                token,
                expires_at,
                account,
            })
        })
    })
    .await
}

/// Signs in. Every attempt for an email counts before its password is
/// checked (the lockout holds however many arrive at once), as does every
/// attempt from the client address; a success clears the email's count.
/// An unknown email costs the same hashing as a wrong password and
/// answers alike.
pub async fn sign_in(
    pool: &PgPool,
    config: &Config,
    permit: HashingPermit,
    client_address: String,
    email: &str,
    password: String,
) -> Result<IssuedToken, ApiError> {
    let email = normalize_email(email);
    let lookup_email = email.clone();
    let lockout = LockoutPolicy {
        max_attempts: config.login_max_failures,
        window: config.login_window,
    };
    let per_address = AddressPolicy {
        limit: config.login_per_address,
        window: config.login_address_window,
    };
    let found = db::run(pool, move |connection| {
        throttle::count_address_attempt(
            connection,
            AddressAction::SignIn,
            &client_address,
            &per_address,
        )?;
        throttle::reserve_sign_in(connection, &lookup_email, &lockout)?;
        Ok(accounts::find_for_login(connection, &lookup_email)?)
    })
    .await?;
    // The hash is checked without holding a database connection.
    let (account, matches) = web::block(move || {
        let _permit = permit;
        match found {
            Some((account, hash)) => {
                let matches = password::verify(&password, &hash);
                (Some(account), matches)
            }
            None => {
                password::verify_against_dummy(&password);
                (None, false)
            }
        }
    })
    .await?;
    let lifetime = config.token_lifetime;
    db::run(pool, move |connection| match account {
        Some(account) if matches => {
            throttle::clear_sign_in(connection, &email)?;
            let (token, expires_at) = accounts::issue_token(connection, account.id, lifetime)?;
            Ok(IssuedToken {
                token,
                expires_at,
                account,
            })
        }
        _ => {
            throttle::record_sign_in_failure(connection, &email, &lockout)?;
            Err(invalid_credentials())
        }
    })
    .await
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized {
        detail: "wrong email or password".to_owned(),
        invalid_token: false,
    }
}

/// Revokes the token the request carries (401 if it is no longer live).
pub async fn sign_out(pool: &PgPool, token_digest: Vec<u8>) -> Result<(), ApiError> {
    db::run(pool, move |connection| {
        accounts::authenticate(connection, &token_digest)?;
        Ok(accounts::revoke_token(connection, &token_digest)?)
    })
    .await
}

/// The account a token belongs to.
pub async fn current(pool: &PgPool, token_digest: Vec<u8>) -> Result<Account, ApiError> {
    db::run(pool, move |connection| {
        let caller = accounts::authenticate(connection, &token_digest)?;
        Ok(accounts::find(connection, caller.account_id)?)
    })
    .await
}
