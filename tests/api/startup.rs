use diesel::migration::MigrationSource;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, sql_types::BigInt};
use diesel_migrations::MigrationHarness;
use runstrong::db::prepare::{MIGRATIONS, prepare_database};
use runstrong::startup::Application;

use crate::helpers::{TestDatabase, spawn_app, test_config};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

fn count(connection: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(connection)
        .unwrap()
        .count
}

#[tokio::test]
async fn migrations_run_down_and_up_again() {
    let app = spawn_app().await;
    let url = app.database_url();
    tokio::task::spawn_blocking(move || {
        let mut connection = PgConnection::establish(&url).unwrap();
        let total = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
            .unwrap()
            .len();
        assert!(total >= 1);
        let reverted = connection.revert_all_migrations(MIGRATIONS).unwrap();
        assert_eq!(reverted.len(), total);
        assert_eq!(
            count(
                &mut connection,
                "SELECT count(*) AS count FROM pg_tables WHERE tablename = 'exercises'"
            ),
            0
        );
        let applied = connection.run_pending_migrations(MIGRATIONS).unwrap();
        assert_eq!(applied.len(), total);
        assert_eq!(
            count(
                &mut connection,
                "SELECT count(*) AS count FROM pg_tables WHERE tablename = 'exercises'"
            ),
            1
        );
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn two_instances_started_together_on_an_empty_database_both_become_ready() {
    let database = TestDatabase::new();
    let name = database.name.clone();
    let (first, second) = tokio::join!(
        Application::build(test_config(&name)),
        Application::build(test_config(&name)),
    );
    let (first, second) = (first.expect("first starts"), second.expect("second starts"));
    let client = reqwest::Client::new();
    let mut handles = Vec::new();
    for application in [first, second] {
        let port = application.port();
        handles.push(application.handle());
        tokio::spawn(application.run_until_stopped());
        let ready = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status(), 200);
    }
    let url = crate::helpers::database_url(&name);
    let (exercises, distinct) = tokio::task::spawn_blocking(move || {
        let mut connection = PgConnection::establish(&url).unwrap();
        (
            count(&mut connection, "SELECT count(*) AS count FROM exercises"),
            count(
                &mut connection,
                "SELECT count(DISTINCT slug) AS count FROM exercises",
            ),
        )
    })
    .await
    .unwrap();
    assert!(exercises >= 60);
    assert_eq!(exercises, distinct);
    for handle in handles {
        drop(handle.stop(false));
    }
}

/// Test databases are copies of a template migrated and seeded once
/// (tests/common/template_db.rs): an instance started on a copy must find
/// every migration applied and this seed recorded, and so change nothing.
#[tokio::test]
async fn an_instance_on_a_template_copy_finds_nothing_to_migrate_or_seed() {
    let database = TestDatabase::from_template();
    let url = crate::helpers::database_url(&database.name);
    let copied_at = chrono::Utc::now();
    let application = Application::build(test_config(&database.name))
        .await
        .expect("starts on the copy");
    let handle = application.handle();
    tokio::spawn(application.run_until_stopped());
    let expected_exercises = runstrong::seed::definitions().unwrap().len() as i64;
    tokio::task::spawn_blocking(move || {
        let mut connection = PgConnection::establish(&url).unwrap();
        assert!(connection.pending_migrations(MIGRATIONS).unwrap().is_empty());
        let at = copied_at.to_rfc3339();
        assert_eq!(
            count(
                &mut connection,
                &format!(
                    "SELECT count(*) AS count FROM __diesel_schema_migrations WHERE run_on >= '{at}'"
                )
            ),
            0,
            "the instance applied migrations again"
        );
        assert_eq!(
            count(
                &mut connection,
                &format!(
                    "SELECT count(*) AS count FROM catalog_seed_state WHERE applied_at < '{at}'"
                )
            ),
            1,
            "the seed was not in the copy, or was applied again"
        );
        assert_eq!(
            count(
                &mut connection,
                "SELECT count(*) AS count FROM exercises WHERE origin = 'seed'"
            ),
            expected_exercises
        );
    })
    .await
    .unwrap();
    drop(handle.stop(false));
}

#[tokio::test]
async fn seeding_again_is_idempotent_and_keeps_admin_changes() {
    let app = spawn_app().await;
    let url = app.database_url();
    tokio::task::spawn_blocking(move || {
        let mut connection = PgConnection::establish(&url).unwrap();
        let before = count(&mut connection, "SELECT count(*) AS count FROM exercises");
        // An admin edit, and a seed that must be re-applied (hash forgotten).
        diesel::sql_query(
            "UPDATE exercises SET name = 'Edited by admin', origin = 'admin' WHERE slug = 'glute-bridge'",
        )
        .execute(&mut connection)
        .unwrap();
        diesel::sql_query("UPDATE exercises SET name = 'Stale seed text' WHERE slug = 'pallof-press'")
            .execute(&mut connection)
            .unwrap();
        diesel::sql_query("DELETE FROM catalog_seed_state").execute(&mut connection).unwrap();
        prepare_database(&url).unwrap();
        prepare_database(&url).unwrap();
        assert_eq!(count(&mut connection, "SELECT count(*) AS count FROM exercises"), before);
        assert_eq!(
            count(
                &mut connection,
                "SELECT count(*) AS count FROM exercises WHERE slug = 'glute-bridge' AND name = 'Edited by admin'"
            ),
            1
        );
        assert_eq!(
            count(
                &mut connection,
                "SELECT count(*) AS count FROM exercises WHERE slug = 'pallof-press' AND name = 'Stale seed text'"
            ),
            0
        );
    })
    .await
    .unwrap();
}

/// Instances behind a pooler store the session limits as role defaults at
/// start-up; several starting at once must take turns (two concurrent
/// `ALTER ROLE … SET` on one role and database collide on a catalog index).
#[tokio::test]
async fn instances_storing_session_limits_together_all_succeed() {
    let database = TestDatabase::new();
    let url = crate::helpers::database_url(&database.name);
    prepare_database(&url).unwrap();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
    let workers: Vec<_> = (0..6)
        .map(|_| {
            let (url, barrier) = (url.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                runstrong::db::prepare::store_session_limits(
                    &url,
                    std::time::Duration::from_millis(4_321),
                    std::time::Duration::from_millis(1_234),
                )
            })
        })
        .collect();
    for worker in workers {
        worker
            .join()
            .unwrap()
            .expect("every instance stores the limits");
    }
    let url_for_check = url.clone();
    let stored = tokio::task::spawn_blocking(move || {
        // A new session picks up the role defaults for this database.
        let mut connection = PgConnection::establish(&url_for_check).unwrap();
        count(
            &mut connection,
            "SELECT count(*) AS count FROM pg_db_role_setting s \
             JOIN pg_database d ON d.oid = s.setdatabase \
             WHERE d.datname = current_database() \
               AND 'statement_timeout=4321' = ANY (s.setconfig) \
               AND 'lock_timeout=1234' = ANY (s.setconfig)",
        )
    })
    .await
    .unwrap();
    assert_eq!(stored, 1);
}
