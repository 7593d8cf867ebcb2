//! Accounts and tokens (the sign-in throttles are in `throttle`).

use chrono::{DateTime, Utc};
use diesel::{dsl::now, prelude::*};

use super::error::{RepoError, RepoResult};
use crate::auth::token;
use crate::db::schema::{accounts, tokens};
use crate::domain::vocabulary::Role;
use crate::ids::AccountId;
use crate::models::account::{AccountRow, NewAccountRow};
use crate::views::Account;

/// Who is making a request, as established from their token.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub account_id: AccountId,
    pub role: Role,
}

fn account_from_row(row: AccountRow) -> RepoResult<Account> {
    Ok(Account {
        role: row.role.parse().map_err(RepoError::internal)?,
        id: row.id,
        email: row.email,
        display_name: row.display_name,
        created_at: row.created_at,
    })
}

pub struct NewAccount<'a> {
    pub email: &'a str,
    pub email_normalized: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub role: Role,
}

/// Creates an account; an email already in use is a 409.
pub fn create(connection: &mut PgConnection, new: &NewAccount) -> RepoResult<Account> {
    let row = NewAccountRow {
        id: AccountId::new_v7(),
        email: new.email.trim(),
        email_normalized: new.email_normalized,
        password_hash: new.password_hash,
        display_name: new.display_name.trim(),
        role: new.role.as_str(),
    };
    diesel::insert_into(accounts::table)
        .values(&row)
        .returning(AccountRow::as_returning())
        .get_result(connection)
        .map_err(|error| match RepoError::from(error) {
            RepoError::Conflict(_) => {
                RepoError::Conflict("an account with that email already exists".to_owned())
            }
            other => other,
        })
        .and_then(account_from_row)
}

pub fn find(connection: &mut PgConnection, id: AccountId) -> RepoResult<Account> {
    accounts::table
        .find(id)
        .select(AccountRow::as_select())
        .first(connection)
        .map_err(RepoError::from)
        .and_then(account_from_row)
}

/// The account and stored password hash for a login attempt.
pub fn find_for_login(
    connection: &mut PgConnection,
    email_normalized: &str,
) -> RepoResult<Option<(Account, String)>> {
    accounts::table
        .filter(accounts::email_normalized.eq(email_normalized))
        .select((AccountRow::as_select(), accounts::password_hash))
        .first::<(AccountRow, String)>(connection)
        .optional()?
        .map(|(row, hash)| account_from_row(row).map(|account| (account, hash)))
        .transpose()
}

/// Issues a new token; returns it (the only time it exists in clear) and
/// its expiry.
pub fn issue_token(
    connection: &mut PgConnection,
    account_id: AccountId,
    lifetime: std::time::Duration,
) -> RepoResult<(String, DateTime<Utc>)> {
    let token = token::generate();
    let expires_at =
        Utc::now() + chrono::Duration::from_std(lifetime).map_err(RepoError::internal)?;
    diesel::insert_into(tokens::table)
        .values((
            tokens::token_sha256.eq(token::digest(&token)),
            tokens::account_id.eq(account_id),
            tokens::expires_at.eq(expires_at),
        ))
        .execute(connection)?;
    Ok((token, expires_at))
}

/// The condition under which a token row counts: this digest, not
/// revoked, not expired. Queries that authenticate and read in one round
/// trip filter their join with it.
pub type LiveToken = diesel::dsl::And<
    diesel::dsl::And<
        diesel::dsl::Eq<tokens::token_sha256, Vec<u8>>,
        diesel::dsl::IsNull<tokens::revoked_at>,
    >,
    diesel::dsl::Gt<tokens::expires_at, now>,
>;

pub fn live_token(digest: &[u8]) -> LiveToken {
    tokens::token_sha256
        .eq(digest.to_vec())
        .and(tokens::revoked_at.is_null())
        .and(tokens::expires_at.gt(now))
}

/// A caller from the account id and role columns of a query.
pub fn caller_from((account_id, role): (AccountId, String)) -> RepoResult<Caller> {
    Ok(Caller {
        account_id,
        role: role.parse().map_err(RepoError::internal)?,
    })
}

/// The caller behind a token digest; 401 when it is unknown, expired or
/// revoked.
pub fn authenticate(connection: &mut PgConnection, digest: &[u8]) -> RepoResult<Caller> {
    let found: Option<(AccountId, String)> = tokens::table
        .inner_join(accounts::table)
        .filter(live_token(digest))
        .select((accounts::id, accounts::role))
        .first(connection)
        .optional()?;
    caller_from(found.ok_or(RepoError::InvalidToken)?)
}

/// The caller behind an optional token (its SHA-256 digest): `None` for
/// anonymous requests.
pub fn authenticate_optional(
    connection: &mut PgConnection,
    digest: Option<&[u8]>,
) -> RepoResult<Option<Caller>> {
    digest
        .map(|digest| authenticate(connection, digest))
        .transpose()
}

/// Revokes one token (log out).
pub fn revoke_token(connection: &mut PgConnection, digest: &[u8]) -> RepoResult<()> {
    diesel::update(tokens::table.filter(tokens::token_sha256.eq(digest)))
        .set(tokens::revoked_at.eq(now))
        .execute(connection)?;
    Ok(())
}
