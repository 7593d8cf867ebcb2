//! First come, first served admission to the connection pool: requests
//! past the pool wait in line up to `RUNSTRONG_POOL_QUEUE`; more are told
//! to retry at once, never left to time out.

use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, connection::SimpleConnection};
use reqwest::Method;

use crate::helpers::{Session, TestApp, spawn_app_with};

async fn read_athlete(
    app: &TestApp,
    owner: &Session,
    athlete_id: &str,
) -> (u16, Duration, Option<String>) {
    let started = Instant::now();
    let response = app
        .request(
            Method::GET,
            &format!("/v1/athletes/{athlete_id}"),
            Some(owner),
        )
        .send()
        .await
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (response.status().as_u16(), started.elapsed(), retry_after)
}

#[tokio::test]
async fn past_the_pool_requests_wait_in_line_and_a_full_line_is_refused_at_once() {
    let app = spawn_app_with(|config| {
        config.pool_size = 1;
        config.pool_queue = 2;
        config.pool_timeout = Duration::from_secs(10);
    })
    .await;
    let owner = app.register("athlete").await;
    let (athlete_id, _) = app.create_athlete(&owner).await;

    // Another session holds the athletes table for 1.5 s: the one pooled
    // connection waits on it with the first request.
    let url = app.database_url();
    let (locked, is_locked) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let mut connection = PgConnection::establish(&url).unwrap();
        connection
            .batch_execute("BEGIN; LOCK TABLE athletes IN ACCESS EXCLUSIVE MODE")
            .unwrap();
        locked.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        connection.batch_execute("COMMIT").unwrap();
    });
    is_locked.recv().unwrap();
    let first = read_athlete(&app, &owner, &athlete_id);
    // Six more once the first holds the connection: two find a place in
    // line, four are refused at once.
    let burst = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        futures_util::future::join_all((0..6).map(|_| read_athlete(&app, &owner, &athlete_id)))
            .await
    };
    let ((first_status, _, _), burst) = tokio::join!(first, burst);
    holder.join().unwrap();
    assert_eq!(first_status, 200);
    let served: Vec<_> = burst.iter().filter(|(status, ..)| *status == 200).collect();
    let refused: Vec<_> = burst.iter().filter(|(status, ..)| *status == 503).collect();
    assert_eq!((served.len(), refused.len()), (2, 4), "{burst:?}");
    for (_, elapsed, retry_after) in &refused {
        assert!(
            *elapsed < Duration::from_millis(900),
            "refused after {elapsed:?}"
        );
        assert_eq!(retry_after.as_deref(), Some("1"));
    }
    // Those in line were served once the lock went, not refused.
    for (_, elapsed, _) in &served {
        assert!(
            *elapsed >= Duration::from_millis(900),
            "served after {elapsed:?}"
        );
    }
    // And the pool serves normally right after.
    assert_eq!(read_athlete(&app, &owner, &athlete_id).await.0, 200);
}
