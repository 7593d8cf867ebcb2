//! Baseline: the least an actix-web JSON endpoint can cost. One handler
//! returning a ~200-byte serde object; nothing else.
//!
//! BASELINE_ADDR=127.0.0.1:9101 cargo run --release --example baseline_json

use actix_web::{App, HttpResponse, HttpServer, get, post};
use serde::Serialize;

#[derive(Serialize)]
struct Payload {
    id: &'static str,
    slug: &'static str,
    name: &'static str,
    summary: &'static str,
    category: &'static str,
    difficulty: u8,
}

#[get("/json")]
async fn json() -> HttpResponse {
    HttpResponse::Ok().json(Payload {
        id: "01a21c0b-440a-7253-bd31-bc16c4888b9d",
        slug: "glute-bridge",
        name: "Glute bridge",
        summary: "A floor exercise where you lift your hips by squeezing your glutes.",
        category: "core",
        difficulty: 1,
    })
}

/// A webhook receiver that costs nothing: the target of the subscribed
/// webhook in bench/run's "one webhook subscribed" pair.
#[post("/hook")]
async fn hook() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("BASELINE_ADDR").unwrap_or_else(|_| "127.0.0.1:9101".to_owned());
    HttpServer::new(|| App::new().service(json).service(hook))
        .bind(addr)?
        .run()
        .await
}
