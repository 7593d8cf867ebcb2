//! The events a subscription may ask for.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
pub enum EventType {
    #[serde(rename = "session.created")]
    SessionCreated,
    #[serde(rename = "session.updated")]
    SessionUpdated,
    #[serde(rename = "session.deleted")]
    SessionDeleted,
    #[serde(rename = "plan.created")]
    PlanCreated,
    /// An adapted version of a plan was stored (it replaces its parent).
    #[serde(rename = "plan.adapted")]
    PlanAdapted,
    #[serde(rename = "plan.deleted")]
    PlanDeleted,
    /// A load warning that was not there before a change to the sessions.
    #[serde(rename = "load.warning")]
    LoadWarning,
}

impl EventType {
    pub const ALL: [EventType; 7] = [
        EventType::SessionCreated,
        EventType::SessionUpdated,
        EventType::SessionDeleted,
        EventType::PlanCreated,
        EventType::PlanAdapted,
        EventType::PlanDeleted,
        EventType::LoadWarning,
    ];

    /// The name on the wire and in the database (the outbox triggers write
    /// the same strings).
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::SessionCreated => "session.created",
            EventType::SessionUpdated => "session.updated",
            EventType::SessionDeleted => "session.deleted",
            EventType::PlanCreated => "plan.created",
            EventType::PlanAdapted => "plan.adapted",
            EventType::PlanDeleted => "plan.deleted",
            EventType::LoadWarning => "load.warning",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown event type {0:?}")]
pub struct UnknownEvent(pub String);

impl FromStr for EventType {
    type Err = UnknownEvent;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .into_iter()
            .find(|event| event.as_str() == name)
            .ok_or_else(|| UnknownEvent(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_text_and_json() {
        for event in EventType::ALL {
            assert_eq!(event.as_str().parse::<EventType>().unwrap(), event);
            let json = serde_json::to_string(&event).unwrap();
            assert_eq!(json, format!("\"{}\"", event.as_str()));
        }
        assert!("session.exploded".parse::<EventType>().is_err());
    }
}
