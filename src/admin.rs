//! Administrative commands run from the command line, never over HTTP.

use uuid::Uuid;

use crate::auth::password;
use crate::db::prepare::prepare_database;
use crate::domain::account::{check_display_name, check_email, check_password, normalize_email};
use crate::domain::validation::{self, Errors};
use crate::domain::vocabulary::Role;
use crate::repo::accounts::{self, NewAccount};

/// Creates an admin account (preparing the database first, so this works
/// on a fresh install). Fails when the email is taken. `database_url` is
/// the direct one (`Config::direct_database_url`): preparation takes a
/// session-level advisory lock.
pub fn create_admin(database_url: &str, email: &str, password_text: &str) -> Result<Uuid, String> {
    let mut errors = Errors::default();
    check_email(&mut errors, "email", email);
    check_password(&mut errors, "password", password_text);
    let display_name = email.split('@').next().unwrap_or("admin");
    check_display_name(&mut errors, "display name", display_name);
    errors
        .into_result()
        .map_err(|errors| validation::one_line(&errors))?;
    prepare_database(database_url).map_err(|e| e.to_string())?;
    let mut connection = crate::db::establish(database_url).map_err(|e| e.to_string())?;
    let hash = password::hash(password_text);
    let account = accounts::create(
        &mut connection,
        &NewAccount {
            email,
            email_normalized: &normalize_email(email),
            password_hash: &hash,
            display_name,
            role: Role::Admin,
        },
    )
    .map_err(|e| e.to_string())?;
    Ok(account.id.uuid())
}
