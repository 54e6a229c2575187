//! A database outage under load: the server answers JSON 503s (never a 500, never a hang)
//! and `/readyz` fails while PostgreSQL cannot be reached, then recovers by itself when it
//! returns, without a restart. The outage is a TCP proxy in front of the shared PostgreSQL
//! that drops every connection and refuses new ones, so other tests keep their database.

use booksygo_core::store::postgres::testing::TestDatabase;
use serde_json::{Value, json};
use std::io::BufRead;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Forwards 127.0.0.1:<port> to PostgreSQL while `up`; taking it down closes every
/// connection and refuses new ones.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Default::default();
        let (up2, open2) = (up.clone(), open.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                if !up2.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                open2.lock().unwrap().push(task.abort_handle());
            }
        });
        Proxy { port, up, open }
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        for task in self.open.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// The test database's URL, through the proxy.
fn through(url: &str, port: u16) -> String {
    let target = booksygo_core::store::postgres::testing::server_url();
    let host_port = target
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|auth| auth.rsplit('@').next())
        .unwrap()
        .to_string();
    url.replacen(&host_port, &format!("127.0.0.1:{port}"), 1)
}

async fn get(http: &reqwest::Client, url: String, token: Option<&str>) -> (u16, Value) {
    let mut req = http.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req
        .send()
        .await
        .expect("the server answers, whatever the database does");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_server_answers_503_while_postgres_is_down_and_recovers_without_a_restart() {
    let db = TestDatabase::create();
    let target = booksygo_core::store::postgres::testing::server_url();
    let pg_addr = target
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|auth| auth.rsplit('@').next())
        .unwrap()
        .to_string();
    let proxy = Proxy::start(pg_addr).await;
    let url = format!("{}?pool_max_size=4", through(db.url(), proxy.port));

    let home = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("booksygo"))
        .args(["serve", "--json", "--database-url", &url])
        .env("BOOKSYGO_HOME", home.path())
        .env("BOOKSYGO_NOW", "2026-11-25T12:00:00Z")
        .env("BOOKSYGO_KEYRING", "off")
        .env(
            "BOOKSYGO_JWT_SECRET",
            "outage-test-signing-key-0123456789abcdef",
        )
        .env(
            "BOOKSYGO_DATA_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )
        .env("BOOKSYGO_BIND", "127.0.0.1:0")
        .env("BOOKSYGO_LOG_LEVEL", "error")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let listening: Value = serde_json::from_str(&line).expect("the server started");
    let base = format!("http://{}", listening["listening"].as_str().unwrap());
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    let register = json!({"email": "ada@team.test", "password": "correct horse battery", "first_name": "Ada", "last_name": "L"});
    let res = http
        .post(format!("{base}/api/auth/register"))
        .json(&register)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let tokens: Value = http
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"email": "ada@team.test", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = tokens["access_token"].as_str().unwrap().to_string();
    assert_eq!(get(&http, format!("{base}/readyz"), None).await.0, 200);
    assert_eq!(
        get(&http, format!("{base}/api/bookings"), Some(&token))
            .await
            .0,
        200
    );

    // Down: every request that needs the database is a JSON 503 within the request time,
    // never a 500; /readyz fails; what needs no database still answers.
    proxy.down();
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let (status, body) = get(&http, format!("{base}/api/bookings"), Some(&token)).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
        assert!(started.elapsed() < Duration::from_secs(15));
    }
    let (status, body) = get(&http, format!("{base}/readyz"), None).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(get(&http, format!("{base}/healthz"), None).await.0, 200);
    let metrics = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let errors: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("booksygo_db_pool_errors_total "))
        .expect("the pool's error counter")
        .parse()
        .unwrap();
    assert!(errors > 0, "{metrics}");

    // Up again: the pool reconnects by itself.
    proxy.up();
    let mut recovered = false;
    for _ in 0..100 {
        if get(&http, format!("{base}/readyz"), None).await.0 == 200
            && get(&http, format!("{base}/api/bookings"), Some(&token))
                .await
                .0
                == 200
        {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        recovered,
        "the server did not recover once PostgreSQL was back"
    );
    let _ = child.kill();
    let _ = child.wait();
}
