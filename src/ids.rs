//! Typed ids: one type per kind of row, so that an athlete's id cannot be
//! passed where a plan's or a session's is expected (the idea of lemmy's
//! `newtypes.rs`). `repo::sessions::insert(athlete, plan, session)` with
//! plain `Uuid`s compiles with its arguments swapped; with these it does not.
//!
//! Every layer uses them, so they sit beside the layers rather than in one.
//! Each is a `Uuid` underneath and looks like one from outside:
//!
//! - JSON: `#[serde(transparent)]`, the same string as the `Uuid`;
//! - SQL: bound and loaded as `diesel::sql_types::Uuid` (the derives and the
//!   `ToSql`/`FromSql` below), so diesel's DSL takes them in filters and
//!   rows load them without a conversion;
//! - OpenAPI: they implement no `ToSchema`, on purpose: a field of the
//!   API's types that holds one says `#[schema(value_type = Uuid)]`, so the
//!   document keeps describing it as a string of format `uuid`; a field that
//!   forgets does not compile.
//!
//! The conversion from a bare `Uuid` (`From`) is for the edges: a path
//! segment, a row read with raw SQL, a test.

use std::fmt;

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, Output, ToSql};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            Serialize, Deserialize, AsExpression, FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        pub struct $name(Uuid);

        impl $name {
            /// A new time-ordered id (UUIDv7), as the server chooses ids.
            pub fn new_v7() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(formatter)
            }
        }

        impl ToSql<diesel::sql_types::Uuid, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                <Uuid as ToSql<diesel::sql_types::Uuid, Pg>>::to_sql(&self.0, out)
            }
        }

        impl FromSql<diesel::sql_types::Uuid, Pg> for $name {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                <Uuid as FromSql<diesel::sql_types::Uuid, Pg>>::from_sql(bytes).map(Self)
            }
        }
    };
}

typed_id!(
    /// An account: a person who signs in (an athlete's owner or a coach).
    AccountId
);
typed_id!(
    /// An athlete profile, owned by one account.
    AthleteId
);
typed_id!(
    /// A stored plan of one athlete.
    PlanId
);
typed_id!(
    /// A logged session of one athlete (client-chosen or UUIDv7).
    SessionId
);
typed_id!(
    /// A coach's grant on one athlete.
    GrantId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_the_same_json_string_as_its_uuid() {
        let uuid = Uuid::now_v7();
        let id = SessionId::from(uuid);
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            serde_json::to_string(&uuid).unwrap()
        );
        let back: SessionId = serde_json::from_str(&format!("\"{uuid}\"")).unwrap();
        assert_eq!(back, id);
        assert_eq!(id.to_string(), uuid.to_string());
        assert!(serde_json::from_str::<SessionId>("\"not-a-uuid\"").is_err());
    }
}
