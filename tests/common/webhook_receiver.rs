//! A webhook receiver for the tests: tests/fixtures/webhook_receiver.py run
//! with the Python of target/test-venv, which verifies every delivery with
//! the Standard Webhooks reference library (`standardwebhooks`, PyPI).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

/// The Python with `standardwebhooks` (made by .ci/install-test-python).
pub fn test_python() -> String {
    let python = std::env::var("RUNSTRONG_TEST_PYTHON")
        .unwrap_or_else(|_| format!("{}/target/test-venv/bin/python", env!("CARGO_MANIFEST_DIR")));
    assert!(
        std::path::Path::new(&python).exists(),
        "{python} is missing: run .ci/install-test-python (it installs standardwebhooks)"
    );
    python
}

/// A receiver process and every request it got, as it printed them.
pub struct Receiver {
    child: Child,
    port: u16,
    secrets: tempfile_path::TempPath,
    requests: Arc<Mutex<Vec<Value>>>,
}

mod tempfile_path {
    /// A file removed when dropped.
    pub struct TempPath(pub std::path::PathBuf);
    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

impl Receiver {
    pub fn start(args: &[&str]) -> Receiver {
        let secrets = tempfile_path::TempPath(std::env::temp_dir().join(format!(
            "runstrong-webhook-secrets-{}",
            uuid::Uuid::now_v7().simple()
        )));
        std::fs::write(&secrets.0, "").unwrap();
        let script = format!(
            "{}/tests/fixtures/webhook_receiver.py",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut child = Command::new(test_python())
            .arg(script)
            .arg(&secrets.0)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the receiver starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        let port = first["port"].as_u64().unwrap() as u16;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let collected = requests.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                collected
                    .lock()
                    .unwrap()
                    .push(serde_json::from_str(&line).unwrap());
            }
        });
        Receiver {
            child,
            port,
            secrets,
            requests,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn trust(&self, secret: &str) {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.secrets.0)
            .unwrap();
        writeln!(file, "{secret}").unwrap();
    }

    pub fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }

    /// Waits (up to 20 s) until `done` holds for the requests received.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        for _ in 0..400 {
            let requests = self.requests();
            if done(&requests) {
                return requests;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{what}: not received; got {:#?}", self.requests());
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
