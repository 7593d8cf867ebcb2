//! A database that stops answering without closing its connections (issue
//! 16, item 5): runstrong reaches PostgreSQL through a small TCP proxy
//! written here, which on a switch stops forwarding in both directions
//! while keeping every socket open — the client's kernel sees an
//! ESTABLISHED connection, nothing ever comes back.
//!
//! What this can and cannot show: the proxy's own kernel still
//! acknowledges runstrong's data and answers its keepalive probes, so the
//! TCP-level defences (keepalives, `tcp_user_timeout`, which cover a host
//! that is really gone) cannot fire here. What the test proves is the
//! application-level bound that covers every case TCP cannot see (a
//! pooler or proxy whose own peer vanished, a stopped server process):
//! `db::run`'s deadline answers 503 problem+json, not a hang, and the pool
//! recovers once the path answers again. That the keepalives are on is
//! checked on the sockets themselves (`ss` shows their timers).

use std::process::Command;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::support::{
    Instance, TestDatabase, assert_no_secrets, client, create_athlete, register, server_host_port,
};

/// The default deadline (statement timeout 5 s + 10 s) plus room for a
/// loaded machine: a request past this is a hang.
const ANSWER_BOUND: Duration = Duration::from_secs(30);
/// After the path answers again, the service is back within this.
const RECOVERY_BOUND: Duration = Duration::from_secs(5);

/// Forwards TCP connections to `upstream`; `freeze(true)` stops reading and
/// writing on every connection (new ones are accepted and held too)
/// without closing anything, `freeze(false)` carries on where it stopped.
struct FreezableProxy {
    port: u16,
    frozen: watch::Sender<bool>,
    accept: tokio::task::JoinHandle<()>,
}

impl FreezableProxy {
    async fn start(upstream: (String, u16)) -> FreezableProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (frozen, watching) = watch::channel(false);
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect((upstream.0.as_str(), upstream.1)).await else {
                    continue;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pump(client_read, server_write, watching.clone()));
                tokio::spawn(pump(server_read, client_write, watching.clone()));
            }
        });
        FreezableProxy {
            port,
            frozen,
            accept,
        }
    }

    fn freeze(&self, frozen: bool) {
        self.frozen.send_replace(frozen);
    }
}

impl Drop for FreezableProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Copies `from` to `to`, waiting whenever the proxy is frozen — before
/// reading, and again before writing what was read, so nothing crosses
/// while frozen. Ends (passing the close on) when either side closes.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut frozen: watch::Receiver<bool>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        if frozen.wait_for(|frozen| !frozen).await.is_err() {
            return;
        }
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        if frozen.wait_for(|frozen| !frozen).await.is_err() {
            return;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// A response reduced to what the test checks.
#[derive(Debug)]
struct Answer {
    status: u16,
    problem: bool,
    retry_after: bool,
    elapsed: Duration,
}

async fn get(http: &reqwest::Client, url: &str, token: &str) -> Result<Answer, String> {
    let started = Instant::now();
    let response = http
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|error| format!("{error:?} after {:?}", started.elapsed()))?;
    let status = response.status().as_u16();
    let problem = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v == "application/problem+json");
    let retry_after = response.headers().contains_key("retry-after");
    let _ = response.bytes().await;
    Ok(Answer {
        status,
        problem,
        retry_after,
        elapsed: started.elapsed(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_that_stops_answering_gets_503_within_the_deadline_then_recovers() {
    let proxy = FreezableProxy::start(server_host_port()).await;
    let database = TestDatabase::from_template();
    // Everything through the proxy, as everything would go to a host.
    let url = format!(
        "postgres://postgres@127.0.0.1:{}/{}?sslmode=disable",
        proxy.port, database.name
    );
    let instance = Instance::start("vanished", &[("DATABASE_URL", url.as_str())]).await;
    let http = client();
    let account = register(&http, &instance.base, "athlete").await;
    let athlete = create_athlete(&http, &instance.base, &account).await;
    let path = instance.url(&format!("/v1/athletes/{athlete}"));
    for _ in 0..3 {
        let answer = get(&http, &path, &account.token).await.unwrap();
        assert_eq!(answer.status, 200, "through the proxy: {answer:?}");
    }

    // The keepalives are on: the kernel keeps a keepalive timer on every
    // connection runstrong has open to the database.
    let sockets = Command::new("ss")
        .args(["-tnoH", "state", "established"])
        .arg(format!("( dport = :{} )", proxy.port))
        .output()
        .expect("run ss");
    let sockets = String::from_utf8_lossy(&sockets.stdout).into_owned();
    let lines: Vec<&str> = sockets.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "runstrong's connections are there");
    assert!(
        lines.iter().all(|line| line.contains("timer:(keepalive")),
        "every database connection has a keepalive timer:\n{sockets}"
    );

    // The path stops answering; the sockets stay open.
    proxy.freeze(true);
    let started = Instant::now();
    let frozen: Vec<_> = (0..3)
        .map(|_| {
            let (http, path, token) = (http.clone(), path.clone(), account.token.clone());
            tokio::spawn(async move { get(&http, &path, &token).await })
        })
        .collect();
    let mut answers = Vec::new();
    for request in frozen {
        answers.push(request.await.unwrap());
    }
    let frozen_for = started.elapsed();
    for answer in &answers {
        let answer = answer
            .as_ref()
            .unwrap_or_else(|error| panic!("an answer, not a hang or a cut connection: {error}"));
        assert!(
            answer.status == 503 && answer.problem && answer.retry_after,
            "503 problem+json with Retry-After: {answer:?}"
        );
        assert!(
            answer.elapsed < ANSWER_BOUND,
            "answered within {ANSWER_BOUND:?}: {answer:?}"
        );
    }
    assert!(
        instance
            .logs()
            .contains("the database did not answer within"),
        "the deadline answered:\n{}",
        instance.logs()
    );

    // The path answers again: the service is back without a restart.
    proxy.freeze(false);
    let thawed = Instant::now();
    let recovered = loop {
        let answer = get(&http, &path, &account.token).await;
        if matches!(answer, Ok(Answer { status: 200, .. })) {
            break thawed.elapsed();
        }
        assert!(
            thawed.elapsed() < RECOVERY_BOUND,
            "back within {RECOVERY_BOUND:?}: last {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for _ in 0..10 {
        let answer = get(&http, &path, &account.token).await.unwrap();
        assert_eq!(answer.status, 200, "after recovery: {answer:?}");
    }
    assert_no_secrets("vanished host", &instance.logs());
    println!(
        "vanished host: frozen requests answered {:?} in {frozen_for:?}; \
         first 200 {recovered:?} after the path answered again",
        answers
            .iter()
            .map(|a| a.as_ref().map(|a| (a.status, a.elapsed)).unwrap())
            .collect::<Vec<_>>()
    );
}
