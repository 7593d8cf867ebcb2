use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{PASSWORD, assert_problem, spawn_app, spawn_app_with, unique_email};

#[tokio::test]
async fn register_sign_in_read_me_and_sign_out() {
    let app = spawn_app().await;
    let session = app.register("athlete").await;
    let me: Value = app
        .request(Method::GET, "/v1/me", Some(&session))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], session.email);
    assert_eq!(me["role"], "athlete");
    assert_eq!(me["id"], session.account_id);
    assert!(me.get("password_hash").is_none());

    // Email case does not matter for sign-in.
    let second = app.login(&session.email.to_uppercase()).await;
    assert_ne!(second.token, session.token);

    let logout = app
        .request(Method::DELETE, "/v1/tokens/current", Some(&session))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let after = app
        .request(Method::GET, "/v1/me", Some(&session))
        .send()
        .await
        .unwrap();
    assert!(
        after.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("invalid_token")
    );
    assert_problem(after, 401).await;
    // The other token still works.
    assert_eq!(
        app.request(Method::GET, "/v1/me", Some(&second))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn registration_refuses_bad_input_clearly() {
    let app = spawn_app().await;
    let post = |body: Value| app.client.post(app.url("/v1/accounts")).json(&body).send();
    let valid = || json!({"email": unique_email("a"), "password": PASSWORD, "display_name": "A", "role": "coach"});

    for (field, value, pointer) in [
        ("password", json!("too short"), "/password"),
        ("password", json!("x".repeat(1025)), "/password"),
        ("email", json!("not-an-email"), "/email"),
        ("display_name", json!("  "), "/display_name"),
        ("role", json!("admin"), "/role"),
    ] {
        let mut body = valid();
        body[field] = value;
        let problem = assert_problem(post(body).await.unwrap(), 422).await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{problem}");
    }
    // Unknown fields (mass assignment) and unknown roles are 400s.
    let mut body = valid();
    body["id"] = json!("00000000-0000-0000-0000-000000000000");
    assert_problem(post(body).await.unwrap(), 400).await;
    let mut body = valid();
    body["role"] = json!("superuser");
    let problem = assert_problem(post(body).await.unwrap(), 400).await;
    assert_eq!(problem["errors"][0]["pointer"], "/role");
    let malformed = app
        .client
        .post(app.url("/v1/accounts"))
        .header("content-type", "application/json")
        .body("{\"email\":")
        .send()
        .await
        .unwrap();
    assert_problem(malformed, 400).await;

    // One account per email, whatever its case.
    let taken = valid();
    assert_eq!(post(taken.clone()).await.unwrap().status(), 201);
    let mut again = taken.clone();
    again["email"] = json!(taken["email"].as_str().unwrap().to_uppercase());
    assert_problem(post(again).await.unwrap(), 409).await;
}

#[tokio::test]
async fn unknown_email_and_wrong_password_answer_the_same() {
    let app = spawn_app().await;
    let session = app.register("athlete").await;
    let attempt = |email: String, password: &'static str| {
        app.client
            .post(app.url("/v1/tokens"))
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    let wrong_password = assert_problem(
        attempt(session.email.clone(), "not the password")
            .await
            .unwrap(),
        401,
    )
    .await;
    let unknown = assert_problem(
        attempt(unique_email("nobody"), "not the password")
            .await
            .unwrap(),
        401,
    )
    .await;
    for field in ["type", "title", "status", "detail"] {
        assert_eq!(wrong_password[field], unknown[field], "{field}");
    }
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_with_owasp_parameters_and_tokens_only_as_hashes() {
    let app = spawn_app().await;
    let session = app.register("coach").await;
    let phc = app
        .query_json(&format!(
            "SELECT to_json(password_hash) FROM accounts WHERE id = '{}'",
            session.account_id
        ))
        .await;
    let phc: String = serde_json::from_str(&phc).unwrap();
    assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
    let params = phc.split('$').nth(3).unwrap();
    let value = |key: &str| -> u32 {
        params
            .split(',')
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(
        value("m") >= 19_456 && value("t") >= 2 && value("p") >= 1,
        "{params}"
    );
    assert!(!phc.contains(crate::helpers::PASSWORD));

    let dump = app
        .query_json("SELECT json_agg(t)::text FROM tokens t")
        .await;
    assert!(!dump.contains(&session.token), "a token is stored in clear");
    assert!(!dump.contains(session.token.trim_start_matches("rs_")));
    let expected_hash = hex::encode(Sha256::digest(session.token.as_bytes()));
    assert!(
        dump.contains(&expected_hash),
        "the token's SHA-256 should be stored: {dump}"
    );
}

#[tokio::test]
async fn bad_expired_and_query_string_tokens_are_refused() {
    let app = spawn_app().await;
    let session = app.register("athlete").await;
    for header in ["Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer", "rs_abc"] {
        let response = app
            .client
            .get(app.url("/v1/me"))
            .header("Authorization", header)
            .send()
            .await
            .unwrap();
        assert!(
            response.headers().contains_key("www-authenticate"),
            "{header}"
        );
        assert_problem(response, 401).await;
    }
    let in_query = app
        .get(&format!("/v1/me?access_token={}", session.token))
        .await;
    assert_eq!(
        in_query.headers()["www-authenticate"],
        "Bearer realm=\"runstrong\""
    );
    assert_problem(in_query, 401).await;

    app.execute_sql("UPDATE tokens SET expires_at = now() - interval '1 second'")
        .await;
    let expired = app
        .request(Method::GET, "/v1/me", Some(&session))
        .send()
        .await
        .unwrap();
    assert_problem(expired, 401).await;
}

#[tokio::test]
async fn repeated_failures_lock_an_email_out_until_the_window_passes() {
    let app = spawn_app_with(|config| {
        config.login_max_failures = 3;
        config.login_window = std::time::Duration::from_secs(2);
    })
    .await;
    let session = app.register("athlete").await;
    let attempt = |password: &'static str| {
        app.client
            .post(app.url("/v1/tokens"))
            .json(&json!({"email": session.email, "password": password}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(attempt("wrong password!").await.unwrap().status(), 401);
    }
    // Locked: even the right password is turned away, with Retry-After.
    let locked = attempt(PASSWORD).await.unwrap();
    let retry_after: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    assert_problem(locked, 429).await;
    // Another email is not affected.
    let other = app.register("athlete").await;
    app.login(&other.email).await;

    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(attempt(PASSWORD).await.unwrap().status(), 201);
}

#[tokio::test]
async fn admins_come_only_from_the_command_line() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let me: Value = app
        .request(Method::GET, "/v1/me", Some(&admin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "admin");
}

#[tokio::test]
async fn create_admin_command_reads_the_password_from_stdin() {
    use std::io::Write;
    let app = spawn_app().await;
    let email = unique_email("cli-admin");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_runstrong"))
        .args(["create-admin", "--email", &email])
        .env("DATABASE_URL", app.database_url())
        .env_remove("RUNSTRONG_ADMIN_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let admin = app.login(&email).await;
    let me: Value = app
        .request(Method::GET, "/v1/me", Some(&admin))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "admin");

    // A short password is refused, and nothing is created.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_runstrong"))
        .args(["create-admin", "--email", &unique_email("weak")])
        .env("DATABASE_URL", app.database_url())
        .env("RUNSTRONG_ADMIN_PASSWORD", "short")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("at least 10"));
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_problem() {
    let app = spawn_app_with(|config| config.body_limit_bytes = 4096).await;
    let response = app
        .client
        .post(app.url("/v1/accounts"))
        .header("content-type", "application/json")
        .body(format!("{{\"email\":\"{}\"}}", "x".repeat(10_000)))
        .send()
        .await
        .unwrap();
    assert_problem(response, 413).await;
    let wrong_type = app
        .client
        .post(app.url("/v1/accounts"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(wrong_type, 415).await;
}
