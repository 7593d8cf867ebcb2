//! The schema stays ready to distribute by athlete (SPEC "Ready to
//! distribute", docs/scaling.md): read from the catalog of a migrated
//! database, every per-athlete table has `athlete_id` in its primary key
//! and in every unique index, and its foreign keys to other per-athlete
//! tables carry it. Citus can enforce a key on a table distributed by
//! `athlete_id` only when the key includes `athlete_id`, and a foreign key
//! between distributed tables only when both sides are in the same shard.
//!
//! Which tables are per-athlete is read from the catalog too, not listed
//! here: `athletes` (the root, distributed by its `id`) and every table
//! with an `athlete_id` column, except the few below. A new table holding
//! an athlete's rows is checked from its first migration.

use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, sql_types::Text};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, TestDatabase, database_url, spawn_app};

/// Tables with an `athlete_id` column whose rows belong to something else,
/// and why: they are reference or account-local tables (docs/scaling.md).
const NOT_PER_ATHLETE: &[(&str, &str)] = &[(
    "webhook_deliveries",
    "a delivery belongs to its subscription (webhook → account): listed per webhook, \
     leased by due time across all athletes, keyed (webhook_id, id) with its attempts; \
     athlete_id only names the event's subject, for the access check at delivery",
)];

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

fn lines(connection: &mut PgConnection, sql: &str) -> Vec<String> {
    let exceptions: Vec<&str> = NOT_PER_ATHLETE.iter().map(|(table, _)| *table).collect();
    diesel::sql_query(sql)
        .bind::<diesel::sql_types::Array<Text>, _>(exceptions)
        .load::<Line>(connection)
        .unwrap()
        .into_iter()
        .map(|row| row.line)
        .collect()
}

/// The per-athlete tables of `public` with the column each is distributed
/// by, as a CTE for the checks below. `$1`: the exceptions.
const PER_ATHLETE: &str = "
    WITH per_athlete AS (
        SELECT c.oid, c.relname::text AS name, a.attnum AS key, a.attname::text AS key_name
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        JOIN pg_attribute a ON a.attrelid = c.oid AND NOT a.attisdropped
            AND a.attname = CASE WHEN c.relname = 'athletes' THEN 'id' ELSE 'athlete_id' END
        WHERE c.relkind IN ('r', 'p') AND c.relname <> ALL ($1)
    )";

/// Every way a per-athlete table breaks the rule, one line each.
const VIOLATIONS: &str = "
    SELECT format('%s has no primary key', t.name) AS line
    FROM per_athlete t
    WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = t.oid AND k.contype = 'p')
  UNION ALL
    -- Primary keys, unique constraints and unique indexes (partial ones
    -- too): the key columns, not INCLUDE ones, must hold the athlete.
    SELECT format('%s: unique index %s (%s) lacks %s', t.name, i.indexrelid::regclass,
                  pg_get_indexdef(i.indexrelid), t.key_name)
    FROM per_athlete t
    JOIN pg_index i ON i.indrelid = t.oid AND i.indisunique
    WHERE NOT t.key = ANY ((string_to_array(i.indkey::text, ' ')::int2[])[1:i.indnkeyatts])
  UNION ALL
    SELECT format('%s: exclusion constraint %s lacks %s', t.name, k.conname, t.key_name)
    FROM per_athlete t
    JOIN pg_constraint k ON k.conrelid = t.oid AND k.contype = 'x'
    WHERE NOT t.key = ANY (k.conkey)
  UNION ALL
    -- A foreign key between per-athlete tables must pair the athlete
    -- columns, so that the referenced row is in the same shard.
    SELECT format('%s: foreign key %s to %s does not pair %s with %s.%s', child.name, k.conname,
                  parent.name, child.key_name, parent.name, parent.key_name)
    FROM pg_constraint k
    JOIN per_athlete child ON child.oid = k.conrelid
    JOIN per_athlete parent ON parent.oid = k.confrelid
    WHERE k.contype = 'f'
      AND NOT EXISTS (SELECT 1 FROM unnest(k.conkey, k.confkey) AS pair (referencing, referenced)
                      WHERE pair.referencing = child.key AND pair.referenced = parent.key)
  UNION ALL
    -- Citus refuses SET NULL and SET DEFAULT on a foreign key that holds
    -- the distribution column, even with PostgreSQL 15's column list.
    SELECT format('%s: foreign key %s to %s sets columns on %s (Citus refuses SET NULL/DEFAULT here)',
                  child.name, k.conname, parent.name,
                  CASE WHEN k.confdeltype IN ('n', 'd') THEN 'delete' ELSE 'update' END)
    FROM pg_constraint k
    JOIN per_athlete child ON child.oid = k.conrelid
    JOIN per_athlete parent ON parent.oid = k.confrelid
    WHERE k.contype = 'f' AND (k.confdeltype IN ('n', 'd') OR k.confupdtype IN ('n', 'd'))
  UNION ALL
    -- A reference or account-local table cannot point into a distributed
    -- one: Citus has no foreign keys in that direction.
    SELECT format('%s (not per-athlete) has foreign key %s to per-athlete %s',
                  k.conrelid::regclass, k.conname, parent.name)
    FROM pg_constraint k
    JOIN per_athlete parent ON parent.oid = k.confrelid
    WHERE k.contype = 'f' AND k.conrelid NOT IN (SELECT oid FROM per_athlete)
    ORDER BY 1";

#[tokio::test]
async fn every_per_athlete_table_keeps_athlete_id_in_its_keys() {
    let database = TestDatabase::from_template();
    let url = database_url(&database.name);
    let (per_athlete, exceptions, violations) = tokio::task::spawn_blocking(move || {
        let mut connection = PgConnection::establish(&url).unwrap();
        let per_athlete = lines(
            &mut connection,
            &format!("{PER_ATHLETE} SELECT name AS line FROM per_athlete ORDER BY name"),
        );
        // An exception that no longer exists, or lost its athlete_id, is
        // stale: it could hide a new table of that name.
        let exceptions = lines(
            &mut connection,
            "SELECT table_name::text AS line FROM information_schema.columns
             WHERE table_schema = 'public' AND column_name = 'athlete_id'
               AND table_name = ANY ($1)
             ORDER BY 1",
        );
        let violations = lines(&mut connection, &format!("{PER_ATHLETE} {VIOLATIONS}"));
        (per_athlete, exceptions, violations)
    })
    .await
    .unwrap();

    // The catalog query finds the tables it must (so that an empty list of
    // violations means something).
    for table in [
        "athletes",
        "sessions",
        "plans",
        "calendar_feeds",
        "webhook_outbox",
    ] {
        assert!(
            per_athlete.iter().any(|name| name == table),
            "{table} should be per-athlete; found {per_athlete:?}"
        );
    }
    let mut listed: Vec<&str> = NOT_PER_ATHLETE.iter().map(|(table, _)| *table).collect();
    listed.sort_unstable();
    assert_eq!(
        exceptions, listed,
        "every exception should still be a table with an athlete_id column"
    );
    assert!(
        violations.is_empty(),
        "per-athlete tables ({}) must keep athlete_id in their keys:\n{}",
        per_athlete.join(", "),
        violations.join("\n")
    );
}

async fn create_plan(app: &TestApp, owner: &Session, athlete: &str) -> Value {
    let response = app
        .request(
            Method::POST,
            &format!("/v1/athletes/{athlete}/plans"),
            Some(owner),
        )
        .json(&json!({"start_date": "2026-10-05", "weeks": 2, "race": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

fn run_on(started_at: &str) -> Value {
    json!({"kind": "easy_run", "started_at": started_at, "duration_min": 40.0, "rpe": 3})
}

/// The links to a plan carry athlete_id now and are `NO ACTION` (Citus
/// refuses SET NULL on them): deleting a plan must still leave its logged
/// sessions and its adaptations in place, unlinked and otherwise unchanged,
/// as `ON DELETE SET NULL` did.
#[tokio::test]
async fn deleting_a_plan_unlinks_its_sessions_and_adaptations_and_changes_nothing_else() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (athlete, athlete_etag) = app.create_athlete(&owner).await;
    let plan = create_plan(&app, &owner, &athlete).await;
    let plan_id = plan["id"].as_str().unwrap();
    let mut linked = run_on("2026-10-06T07:00:00Z");
    linked["planned"] = json!({"plan_id": plan_id, "date": "2026-10-06", "index": 0});
    let created = app
        .post_json_as(
            &format!("/v1/athletes/{athlete}/sessions"),
            &owner,
            &linked,
            201,
        )
        .await;
    assert_eq!(created["planned"]["plan_id"], plan_id);
    let session_path = format!("/v1/sessions/{}", created["id"].as_str().unwrap());
    let adapted = app
        .post_json_as(
            &format!("/v1/plans/{plan_id}/adapt"),
            &owner,
            &json!({"from": "2026-10-12"}),
            201,
        )
        .await;
    assert_eq!(adapted["parent_plan_id"], plan_id);
    let before = app
        .request(Method::GET, &session_path, Some(&owner))
        .send()
        .await
        .unwrap();
    let etag_before = before.headers()["etag"].to_str().unwrap().to_owned();

    let deleted = app
        .request(
            Method::DELETE,
            &format!("/v1/plans/{plan_id}"),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);

    let after = app
        .request(Method::GET, &session_path, Some(&owner))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 200);
    assert_eq!(
        after.headers()["etag"].to_str().unwrap(),
        etag_before,
        "unlinking is not a new version of the session"
    );
    let mut after: Value = after.json().await.unwrap();
    assert!(after["planned"].is_null(), "{after}");
    let mut rest_before = created.clone();
    rest_before.as_object_mut().unwrap().remove("planned");
    after.as_object_mut().unwrap().remove("planned");
    assert_eq!(after, rest_before, "only the link goes");
    let adaptation = app
        .request(
            Method::GET,
            &format!("/v1/plans/{}", adapted["id"].as_str().unwrap()),
            Some(&owner),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(adaptation.status(), 200);
    let adaptation: Value = adaptation.json().await.unwrap();
    assert!(adaptation["parent_plan_id"].is_null(), "{adaptation}");
    assert_eq!(adaptation["plan"], adapted["plan"]);
    // The athlete's deletion still takes plans and sessions together,
    // now that the link between them no longer unlinks on its own.
    let gone = app
        .request(
            Method::DELETE,
            &format!("/v1/athletes/{athlete}"),
            Some(&owner),
        )
        .header("If-Match", athlete_etag)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 204);
    assert_eq!(
        app.query_json(&format!(
            "SELECT to_json((SELECT count(*) FROM sessions WHERE athlete_id = '{athlete}')
                          + (SELECT count(*) FROM plans WHERE athlete_id = '{athlete}'))"
        ))
        .await,
        "0"
    );
}

/// The primary key (id, athlete_id) no longer keeps one session id to one
/// athlete: racing creates with one client-chosen id for two athletes must
/// still store one session and answer the other athlete 409.
#[tokio::test]
async fn racing_creates_with_one_client_id_for_two_athletes_store_one_session() {
    let app = spawn_app().await;
    let owner = app.register("athlete").await;
    let (first, _) = app.create_athlete(&owner).await;
    let (second, _) = app.create_athlete(&owner).await;
    for round in 0..5 {
        let id = uuid::Uuid::now_v7().to_string();
        let mut body = run_on(&format!("2026-10-0{}T07:00:00Z", round + 1));
        body["id"] = json!(id);
        let requests = (0..8).map(|n| {
            let athlete = if n % 2 == 0 { &first } else { &second };
            let request = app
                .request(
                    Method::POST,
                    &format!("/v1/athletes/{athlete}/sessions"),
                    Some(&owner),
                )
                .json(&body);
            async move {
                (
                    athlete.clone(),
                    request.send().await.unwrap().status().as_u16(),
                )
            }
        });
        let answers = futures_util::future::join_all(requests).await;
        let stored: String = app
            .query_json(&format!(
                "SELECT json_agg(athlete_id) FROM sessions WHERE id = '{id}'"
            ))
            .await;
        let owners: Vec<String> = serde_json::from_str(&stored).unwrap();
        assert_eq!(owners.len(), 1, "round {round}: {answers:?}");
        for (athlete, status) in &answers {
            let expected: &[u16] = if *athlete == owners[0] {
                &[200, 201]
            } else {
                &[409]
            };
            assert!(expected.contains(status), "round {round}: {answers:?}");
        }
        assert_eq!(
            answers.iter().filter(|(_, status)| *status == 201).count(),
            1,
            "round {round}: {answers:?}"
        );
    }
}
