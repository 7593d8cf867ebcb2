//! Baseline: actix-web + diesel + r2d2 at their barest. One select by
//! primary key and one insert of a row shaped like a logged session, on
//! the blocking pool, with the same pool size as runstrong; and the
//! physical limit of runstrong's own schema: a logged session inserted
//! into the real `sessions` table (its indexes, its foreign key, its
//! webhook trigger) with its idempotency row, in one transaction, with
//! nothing else — no token check, no access rule, no validation.
//!
//! DATABASE_URL=… BASELINE_ADDR=127.0.0.1:9102 cargo run --release --example baseline_diesel

use actix_web::{App, HttpResponse, HttpServer, get, post, web};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::sql_types::{Double, SmallInt, Text, Timestamptz, Uuid as SqlUuid};
use runstrong::db::schema::{idempotency_keys, sessions};

type PgPool = Pool<ConnectionManager<PgConnection>>;

#[derive(QueryableByName, serde::Serialize)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Timestamptz)]
    started_at: chrono::DateTime<chrono::Utc>,
    #[diesel(sql_type = Double)]
    duration_min: f64,
    #[diesel(sql_type = SmallInt)]
    rpe: i16,
}

#[get("/sessions/{id}")]
async fn select(pool: web::Data<PgPool>, id: web::Path<uuid::Uuid>) -> HttpResponse {
    let id = id.into_inner();
    let row = web::block(move || {
        let mut connection = pool.get().expect("connection");
        diesel::sql_query(
            "SELECT id, kind, started_at, duration_min, rpe FROM bench_sessions WHERE id = $1",
        )
        .bind::<SqlUuid, _>(id)
        .get_result::<Row>(&mut connection)
        .optional()
    })
    .await;
    match row {
        Ok(Ok(Some(row))) => HttpResponse::Ok().json(row),
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

#[post("/sessions")]
async fn insert(pool: web::Data<PgPool>) -> HttpResponse {
    let result = web::block(move || {
        let mut connection = pool.get().expect("connection");
        diesel::sql_query(
            "INSERT INTO bench_sessions (id, kind, started_at, duration_min, rpe) VALUES ($1, 'easy_run', now(), 45, 3)",
        )
        .bind::<SqlUuid, _>(uuid::Uuid::now_v7())
        .execute(&mut connection)
    })
    .await;
    match result {
        Ok(Ok(_)) => HttpResponse::Created().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

/// The session columns a logged run fills, as runstrong's create does.
#[derive(Insertable)]
#[diesel(table_name = sessions)]
struct NewSession<'a> {
    id: uuid::Uuid,
    athlete_id: uuid::Uuid,
    created_by_account_id: Option<uuid::Uuid>,
    kind: &'a str,
    started_at: chrono::DateTime<chrono::Utc>,
    duration_min: f64,
    distance_km: Option<f64>,
    rpe: Option<i16>,
    sets: serde_json::Value,
    body_sha256: &'a str,
}

#[post("/accounts/{account_id}/athletes/{athlete_id}/sessions")]
async fn insert_logged_session(
    pool: web::Data<PgPool>,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> HttpResponse {
    let (account_id, athlete_id) = path.into_inner();
    let result = web::block(move || {
        let mut connection = pool.get().expect("connection");
        let id = uuid::Uuid::now_v7();
        let started_at = chrono::Utc::now();
        // The answer stored under the key, about the size of runstrong's.
        let body = serde_json::to_vec(&serde_json::json!({
            "id": id, "athlete_id": athlete_id, "kind": "easy_run", "started_at": started_at,
            "duration_min": 45.0, "distance_km": 8.0, "rpe": 3, "sets": [], "load": 135.0,
        }))
        .expect("json");
        connection.transaction(|connection| {
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::account_id.eq(account_id),
                    idempotency_keys::key.eq(id.to_string()),
                    idempotency_keys::request_sha256.eq("bench"),
                    idempotency_keys::response_status.eq(Some(201_i16)),
                    idempotency_keys::response_body.eq(Some(&body)),
                    idempotency_keys::response_headers.eq(serde_json::json!({})),
                ))
                .execute(connection)?;
            diesel::insert_into(sessions::table)
                .values(NewSession {
                    id,
                    athlete_id,
                    created_by_account_id: Some(account_id),
                    kind: "easy_run",
                    started_at,
                    duration_min: 45.0,
                    distance_km: Some(8.0),
                    rpe: Some(3),
                    sets: serde_json::json!([]),
                    body_sha256: "bench",
                })
                .execute(connection)
                .map(|_| body)
        })
    })
    .await;
    match result {
        Ok(Ok(body)) => HttpResponse::Created()
            .content_type("application/json")
            .body(body),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::var("BASELINE_ADDR").unwrap_or_else(|_| "127.0.0.1:9102".to_owned());
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let size = std::env::var("RUNSTRONG_POOL_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let pool: PgPool = Pool::builder()
        .max_size(size)
        .build(ConnectionManager::new(url))
        .expect("pool");
    {
        let mut connection = pool.get().expect("connection");
        diesel::sql_query(
            "CREATE TABLE IF NOT EXISTS bench_sessions (id uuid PRIMARY KEY, kind text NOT NULL,
             started_at timestamptz NOT NULL, duration_min double precision NOT NULL, rpe smallint NOT NULL)",
        )
        .execute(&mut connection)
        .expect("table");
    }
    let pool = web::Data::new(pool);
    HttpServer::new(move || {
        App::new()
            .app_data(pool.clone())
            .service(select)
            .service(insert)
            .service(insert_logged_session)
    })
    .bind(addr)?
    .run()
    .await
}
