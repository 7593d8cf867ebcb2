//! The API's views: the bodies it answers with (`ToSchema`, `Serialize`),
//! built by the repository from rows and handed up through the service to
//! the handlers, which send them. They live beside the API rather than
//! inside `api/` so that the layers below may return them without
//! importing HTTP code (crates.io keeps its `views` the same way); they
//! import only `domain` and `ids`.

mod account;
mod athlete;
mod calendar_feed;
mod grant;
mod plan;
mod session;
mod version;

pub use account::Account;
pub use athlete::Athlete;
pub use calendar_feed::CalendarFeed;
pub use grant::{CoachGrant, Grant};
pub use plan::{PlanSummary, StoredPlan};
pub use session::{Session, answer_headers};
pub use version::version_etag;
