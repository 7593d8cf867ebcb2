//! What the rest of a request's handling may need to know about it without
//! having the request at hand: its id and path, for problem bodies.

tokio::task_local! {
    static REQUEST_CONTEXT: RequestContext;
}

#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub path: String,
}

/// Runs `future` with `context` visible to `current()` inside it.
pub async fn scope<F: std::future::Future>(context: RequestContext, future: F) -> F::Output {
    REQUEST_CONTEXT.scope(context, future).await
}

/// The context of the request being handled, if any.
pub fn current() -> Option<RequestContext> {
    REQUEST_CONTEXT.try_with(Clone::clone).ok()
}
