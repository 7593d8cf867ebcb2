//! Secrets stay out of the logs: passwords, tokens, Authorization header
//! values and the database password, at the most talkative log level, in
//! both log formats, along every path that handles them — including the
//! failing ones, which are the ones that log. (Every other fault test also
//! checks its own instance's logs for every secret the run has used.)

use std::{
    io::Write,
    process::{Command, Stdio},
};

use base64::Engine;
use serde_json::json;

use crate::support::{
    CLUSTER_PASSWORD, Cluster, Instance, PASSWORD, assert_no_secrets, client, create_athlete,
    register, remember_secret, secrets, unique_email,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logs_never_contain_passwords_tokens_or_authorization_values() {
    // The database URL carries a password (trust authentication ignores it).
    let cluster = Cluster::start();
    let database_url = cluster.url("runstrong");
    remember_secret(CLUSTER_PASSWORD);
    let wrong_password = "wrong-password-9c1e";
    remember_secret(wrong_password);
    let forged = format!("rs_{}", "Q".repeat(43));
    remember_secret(&forged);
    let basic = base64::engine::general_purpose::STANDARD.encode("someone:basic-secret-77d2");
    remember_secret(&basic);
    remember_secret("basic-secret-77d2");

    for format in ["json", "pretty"] {
        let instance = Instance::start(
            &format!("secrets-{format}"),
            &[
                ("DATABASE_URL", &database_url),
                ("RUNSTRONG_LOG_FORMAT", format),
                ("RUNSTRONG_LOGIN_MAX_FAILURES", "2"),
                ("RUST_LOG", "trace"),
            ],
        )
        .await;
        let http = client();
        let base = instance.base.clone();
        let account = register(&http, &base, "coach").await;

        // Signing in: right, wrong, malformed, locked out.
        let tokens = format!("{base}/v1/tokens");
        let ok = http
            .post(&tokens)
            .json(&json!({"email": account.email, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 201);
        let second_token = ok.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned();
        remember_secret(&second_token);
        for _ in 0..3 {
            let response = http
                .post(&tokens)
                .json(&json!({"email": account.email, "password": wrong_password}))
                .send()
                .await
                .unwrap();
            assert!(matches!(response.status().as_u16(), 401 | 429));
        }
        for body in [
            format!(
                r#"{{"email": "{}", "password": "{wrong_password}""#,
                account.email
            ),
            format!(
                r#"{{"email": "{}", "password": ["{wrong_password}"]}}"#,
                account.email
            ),
            format!(
                r#"{{"email": "{}", "password": "{wrong_password}", "extra": 1}}"#,
                account.email
            ),
        ] {
            let response = http
                .post(&tokens)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert!(response.status().is_client_error());
        }
        // Registering with a password that breaks the rules, or a taken email.
        for password in [wrong_password.to_owned(), "short".to_owned()] {
            let _ = http
                .post(format!("{base}/v1/accounts"))
                .json(&json!({"email": account.email, "password": password, "display_name": "X", "role": "athlete"}))
                .send()
                .await
                .unwrap();
        }

        // Using tokens: valid, forged, another scheme, revoked.
        let me = format!("{base}/v1/me");
        assert_eq!(
            http.get(&me)
                .bearer_auth(&account.token)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        assert_eq!(
            http.get(&me)
                .bearer_auth(&forged)
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        assert_eq!(
            http.get(&me)
                .header("Authorization", format!("Basic {basic}"))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        let revoke = http
            .delete(format!("{base}/v1/tokens/current"))
            .bearer_auth(&second_token)
            .send()
            .await
            .unwrap();
        assert_eq!(revoke.status(), 204);
        assert_eq!(
            http.get(&me)
                .bearer_auth(&second_token)
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        // A calendar feed: its URL is a secret, fetched (200), and
        // fetched again once deleted (404, with a problem body).
        let athlete = create_athlete(&http, &base, &account).await;
        let feeds = format!("{base}/v1/athletes/{athlete}/calendar-feeds");
        let feed: serde_json::Value = http
            .post(&feeds)
            .bearer_auth(&account.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let feed_url = feed["url"].as_str().unwrap().to_owned();
        remember_secret(
            feed_url
                .trim_start_matches("/v1/calendar-feeds/")
                .trim_end_matches(".ics"),
        );
        let fetched = http.get(format!("{base}{feed_url}")).send().await.unwrap();
        assert_eq!(fetched.status(), 200);
        let deleted = http
            .delete(format!("{feeds}/{}", feed["id"].as_str().unwrap()))
            .bearer_auth(&account.token)
            .send()
            .await
            .unwrap();
        assert_eq!(deleted.status(), 204);
        let gone = http.get(format!("{base}{feed_url}")).send().await.unwrap();
        assert_eq!(gone.status(), 404);
        assert!(
            !gone.text().await.unwrap().contains("rscal_"),
            "a problem body echoes the URL"
        );

        // A token in the query string is not accepted (and not logged).
        let _ = http
            .get(format!("{me}?access_token={}", account.token))
            .send()
            .await
            .unwrap();

        // A failing database, with the password-bearing URL in the config.
        cluster.stop();
        let down = http
            .get(&me)
            .bearer_auth(&account.token)
            .send()
            .await
            .unwrap();
        assert_eq!(down.status(), 503);
        cluster.start_again();

        let logs = instance.logs();
        assert!(
            logs.contains("request finished"),
            "the logs were written: {logs}"
        );
        assert!(
            !logs.contains("access_token="),
            "{format}: a query-string token is logged"
        );
        assert_no_secrets(&format!("secrets ({format})"), &logs);
    }

    // The admin command, with the password on standard input and in the
    // environment.
    for through_stdin in [true, false] {
        let email = unique_email("admin");
        let password = format!("admin passphrase {}", uuid::Uuid::now_v7().simple());
        remember_secret(&password);
        let mut command = Command::new(env!("CARGO_BIN_EXE_runstrong"));
        command
            .args(["create-admin", "--email", &email])
            .env("DATABASE_URL", &database_url)
            .env("RUST_LOG", "trace")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if !through_stdin {
            command.env("RUNSTRONG_ADMIN_PASSWORD", &password);
        }
        let mut child = command.spawn().expect("run create-admin");
        if through_stdin {
            writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        }
        let output = child.wait_with_output().unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "create-admin: {printed}");
        assert_no_secrets("create-admin", &printed);
    }

    assert_no_secrets("secrets: postgres", &cluster.server_log());
    println!(
        "secrets: logs of 2 instances at RUST_LOG=trace (json, pretty), 2 create-admin runs and PostgreSQL's log hold none of {} secrets",
        secrets().len()
    );
}

/// The check above would see a leak: planted secrets are found.
#[test]
fn the_secrets_check_finds_planted_secrets() {
    let token = format!("rs_{}", "a1B2-_".repeat(8));
    remember_secret("planted-password-31aa");
    for leak in [
        format!(r#"{{"message":"request finished","token":"{token}"}}"#),
        "authorization: Bearer whatever-it-is".to_owned(),
        "login failed for password planted-password-31aa".to_owned(),
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_secrets("planted", &leak));
        assert!(caught.is_err(), "not caught: {leak}");
    }
    assert_no_secrets("clean", r#"{"message":"request finished","status":200}"#);
}

/// Start-up errors are logged too: a malformed DATABASE_URL is named
/// without its password.
#[test]
fn a_malformed_database_url_is_reported_without_its_password() {
    let secret = "url-secret-5be0";
    remember_secret(secret);
    // No database name: start-up refuses the URL.
    let output = Command::new(env!("CARGO_BIN_EXE_runstrong"))
        .env_clear()
        .env(
            "DATABASE_URL",
            format!("postgres://postgres:{secret}@127.0.0.1:5432"),
        )
        .env("RUNSTRONG_ADDR", "127.0.0.1:0")
        .env("RUNSTRONG_LOG_FORMAT", "json")
        .output()
        .expect("run runstrong");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!output.status.success(), "it refuses to start: {printed}");
    assert!(printed.contains("DATABASE_URL"), "it says why: {printed}");
    assert_no_secrets("bad DATABASE_URL", &printed);
}
