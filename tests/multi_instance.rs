//! Three real `booksygo serve` processes on one PostgreSQL database, with clients spreading
//! their requests over them: what one instance writes, the others see; the promises a team
//! relies on (no oversell, one booking per Idempotency-Key, each webhook event once and in
//! order, live events on every instance) hold across instances; and a `kill -9` of one of
//! them mid-load loses nothing it acknowledged.

use booksygo_core::store::postgres::testing::TestDatabase;
use serde_json::{Value, json};
use std::io::BufRead;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SIGNING_KEY: &str = "multi-instance-test-signing-key-0123456789";
const NOW: &str = "2026-11-25T12:00:00Z";
const PASSWORD: &str = "correct horse battery";

/// A `booksygo serve` process; killed when dropped.
struct Instance {
    child: std::process::Child,
    url: String,
    _home: tempfile::TempDir,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn booksygo(home: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("booksygo"));
    c.env("BOOKSYGO_HOME", home)
        .env("BOOKSYGO_NOW", NOW)
        .env("BOOKSYGO_KEYRING", "off")
        .env("BOOKSYGO_JWT_SECRET", SIGNING_KEY)
        // Every instance seals personal data with the same key.
        .env(
            "BOOKSYGO_DATA_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )
        .env("NO_COLOR", "1")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("BOOKSYGO_DATA_DIR");
    c
}

/// Starts `n` instances on `database` together (they migrate and load the market at the same
/// moment), and waits until each listens.
fn start(database: &str, n: usize, webhook_allow: &str) -> Vec<Instance> {
    let spawned: Vec<(std::process::Child, tempfile::TempDir)> = (0..n)
        .map(|_| {
            let home = tempfile::tempdir().unwrap();
            // The log goes to a file: a pipe nobody reads would fill and stall the server.
            let log = std::fs::File::create(home.path().join("serve.log")).unwrap();
            let child = booksygo(home.path())
                .args(["serve", "--json", "--database-url", database])
                .env("BOOKSYGO_BIND", "127.0.0.1:0")
                .env("BOOKSYGO_WEBHOOK_ALLOW", webhook_allow)
                .env("BOOKSYGO_ANONYMOUS_SEARCH_RATE", "0")
                .env("BOOKSYGO_LOG_LEVEL", "warn")
                .stdout(std::process::Stdio::piped())
                .stderr(log)
                .spawn()
                .unwrap();
            (child, home)
        })
        .collect();
    spawned
        .into_iter()
        .map(|(mut child, home)| {
            let mut line = String::new();
            std::io::BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            if line.is_empty() {
                let mut err = String::new();
                std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
                panic!("an instance did not start: {err}");
            }
            let listening: Value = serde_json::from_str(&line).unwrap();
            Instance {
                url: format!("http://{}", listening["listening"].as_str().unwrap()),
                child,
                _home: home,
            }
        })
        .collect()
}

/// A JSON call: (status, body). A connection that fails (an instance that is gone) is
/// status 0.
async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
    key: Option<&str>,
) -> (u16, Value) {
    let mut req = http.request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    match req.send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            (status, res.json().await.unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

async fn login(http: &reqwest::Client, base: &str, email: &str) -> String {
    let (st, t) = call(
        http,
        reqwest::Method::POST,
        format!("{base}/api/auth/login"),
        None,
        Some(json!({"email": email, "password": PASSWORD})),
        None,
    )
    .await;
    assert_eq!(st, 200, "login of {email} on {base}: {t}");
    t["access_token"].as_str().unwrap().to_string()
}

async fn register(http: &reqwest::Client, base: &str, email: &str) {
    let (st, body) = call(
        http,
        reqwest::Method::POST,
        format!("{base}/api/auth/register"),
        None,
        Some(json!({"email": email, "password": PASSWORD, "first_name": "Buyer", "last_name": "Test"})),
        None,
    )
    .await;
    assert_eq!(st, 201, "register {email} on {base}: {body}");
}

fn booking(offer: &str) -> Value {
    json!({
        "selected_offers": [offer],
        "passengers": [{"given_name": "Ada", "family_name": "Lovelace", "born_on": "1990-12-10", "type": "adult"}],
        "contact_email": "ada@example.com",
        "payment": {"method": "card", "card_number": "4242424242424242", "expiry": "12/30"}
    })
}

/// A loopback receiver of webhooks: the event ids in the order they arrived.
async fn receiver() -> (u16, Arc<Mutex<Vec<String>>>) {
    let got: Arc<Mutex<Vec<String>>> = Default::default();
    let kept = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let kept = kept.clone();
            async move {
                let v: Value = serde_json::from_str(&body).unwrap();
                kept.lock()
                    .unwrap()
                    .push(v["id"].as_str().unwrap().to_string());
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, got)
}

/// Waits for `done` to hold, checking every 50 ms, for at most `limit`: a bounded wait for a
/// condition, not a timing assertion.
async fn until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_on_one_postgres_keep_every_promise() {
    let db = TestDatabase::create();
    let (hook_port, delivered) = receiver().await;
    let mut instances = start(db.url(), 3, "127.0.0.1");
    let urls: Vec<String> = instances.iter().map(|i| i.url.clone()).collect();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    // The first admin, made on the server's machine, on the shared database.
    let admin_home = tempfile::tempdir().unwrap();
    let mut made = booksygo(admin_home.path())
        .args([
            "admin",
            "create-user",
            "--email",
            "root@team.test",
            "--role",
            "admin",
        ])
        .args(["--password-stdin", "--database-url", db.url()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        &mut made.stdin.take().unwrap(),
        format!("{PASSWORD}\n").as_bytes(),
    )
    .unwrap();
    assert!(made.wait().unwrap().success());

    eprintln!("multi-instance: accounts");
    // An account made on one instance logs in on another; its token works on the third.
    register(&http, &urls[0], "grace@team.test").await;
    let grace = login(&http, &urls[1], "grace@team.test").await;
    let (st, me) = call(
        &http,
        reqwest::Method::GET,
        format!("{}/api/users/profile", urls[2]),
        Some(&grace),
        None,
        None,
    )
    .await;
    assert_eq!((st, me["email"].as_str()), (200, Some("grace@team.test")));

    eprintln!("multi-instance: webhook");
    // A webhook for every event, created on the third instance.
    let root = login(&http, &urls[2], "root@team.test").await;
    let (st, hook) = call(
        &http,
        reqwest::Method::POST,
        format!("{}/api/admin/webhooks", urls[2]),
        Some(&root),
        Some(json!({"url": format!("http://127.0.0.1:{hook_port}/hook")})),
        None,
    )
    .await;
    assert_eq!(st, 201, "{hook}");

    eprintln!("multi-instance: stream");
    // Grace streams her events from the third instance.
    let stream = http
        .get(format!("{}/api/events/stream", urls[2]))
        .bearer_auth(&grace)
        .timeout(Duration::from_secs(600))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let seen: Arc<Mutex<String>> = Default::default();
    {
        let seen = seen.clone();
        tokio::spawn(async move {
            use futures_util::StreamExt;
            let mut bytes = stream.bytes_stream();
            while let Some(Ok(chunk)) = bytes.next().await {
                seen.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&chunk));
            }
        });
    }

    eprintln!("multi-instance: search");
    // The flight to sell out: the premium economy non-stop with the fewest seats.
    let (st, offers) = call(
        &http,
        reqwest::Method::POST,
        format!("{}/api/search/flights", urls[0]),
        None,
        Some(json!({
            "slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2027-03-14"}],
            "passengers": [{"type": "adult"}],
            "cabin_class": "premium_economy",
            "max_connections": 0
        })),
        None,
    )
    .await;
    assert_eq!(st, 200, "{offers}");
    let offers = offers["offers"].as_array().unwrap().clone();
    let offer = offers
        .iter()
        .min_by_key(|o| o["available_seats"].as_i64().unwrap())
        .unwrap()
        .clone();
    let offer_id = offer["id"].as_str().unwrap().to_string();
    let flight = offer["slices"][0]["segments"][0]["flight_number"]
        .as_str()
        .unwrap()
        .to_string();
    let capacity = offer["available_seats"].as_i64().unwrap();

    eprintln!("multi-instance: first booking");
    // A booking made through the first instance reaches the stream on the third.
    let (st, first) = call(
        &http,
        reqwest::Method::POST,
        format!("{}/api/bookings", urls[0]),
        Some(&grace),
        Some(booking(&offer_id)),
        None,
    )
    .await;
    assert_eq!(st, 201, "{first}");
    let first_id = first["id"].as_str().unwrap().to_string();
    assert!(
        until(Duration::from_secs(5), || seen
            .lock()
            .unwrap()
            .contains(&first_id))
        .await,
        "the stream on another instance did not see {first_id}: {}",
        seen.lock().unwrap()
    );

    eprintln!("multi-instance: idempotency");
    // One Idempotency-Key sent to two instances at once: one booking, the same answer.
    let (a, b) = tokio::join!(
        call(
            &http,
            reqwest::Method::POST,
            format!("{}/api/bookings", urls[0]),
            Some(&grace),
            Some(booking(&offer_id)),
            Some("same-key-on-two-instances"),
        ),
        call(
            &http,
            reqwest::Method::POST,
            format!("{}/api/bookings", urls[1]),
            Some(&grace),
            Some(booking(&offer_id)),
            Some("same-key-on-two-instances"),
        ),
    );
    assert!(
        matches!(a.0, 200 | 201) && matches!(b.0, 200 | 201),
        "{a:?} {b:?}"
    );
    assert_eq!(a.1["id"], b.1["id"], "one key, one booking");
    let (_, mine) = call(
        &http,
        reqwest::Method::GET,
        format!("{}/api/bookings", urls[2]),
        Some(&grace),
        None,
        None,
    )
    .await;
    assert_eq!(mine.as_array().unwrap().len(), 2, "{mine}");

    eprintln!("multi-instance: buyers");
    // Twelve buyers spread over the instances buy the flight until it is sold out; one
    // instance is killed (-9) once five sales are acknowledged.
    let mut buyers = Vec::new();
    for i in 0..12 {
        let email = format!("buyer{i}@team.test");
        register(&http, &urls[i % 3], &email).await;
        buyers.push(login(&http, &urls[(i + 1) % 3], &email).await);
    }
    let alive: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(urls.clone()));
    let acknowledged: Arc<Mutex<Vec<String>>> = Default::default();
    let sold = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (i, token) in buyers.into_iter().enumerate() {
        let (http, alive, acknowledged, sold, offer_id) = (
            http.clone(),
            alive.clone(),
            acknowledged.clone(),
            sold.clone(),
            offer_id.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for attempt in 0.. {
                // Each purchase has its key; a retry after a lost answer sends the same one.
                let key = format!("buyer-{i}-{attempt}");
                let mut tries = 0;
                loop {
                    let base = {
                        let alive = alive.lock().unwrap();
                        alive[(i + attempt + tries) % alive.len()].clone()
                    };
                    let (st, body) = call(
                        &http,
                        reqwest::Method::POST,
                        format!("{base}/api/bookings"),
                        Some(&token),
                        Some(booking(&offer_id)),
                        Some(&key),
                    )
                    .await;
                    match st {
                        200 | 201 => {
                            assert_eq!(body["status"], "CONFIRMED", "{body}");
                            acknowledged
                                .lock()
                                .unwrap()
                                .push(body["id"].as_str().unwrap().to_string());
                            sold.fetch_add(1, Ordering::SeqCst);
                            break;
                        }
                        409 if body.to_string().contains("sold out") => return,
                        // The first try went to the instance that was killed, mid-request:
                        // its key stays taken until it counts as abandoned (5 minutes).
                        // Whether that purchase went through is unknown to this buyer, who
                        // buys again under a new key.
                        409 if body.to_string().contains("still in progress") => break,
                        // The instance is gone: try again elsewhere with the same key.
                        0 | 503 => {
                            tries += 1;
                            assert!(tries < 50, "buyer {i} got nowhere: {st} {body}");
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        _ => panic!("buyer {i} on {base}: {st} {body}"),
                    }
                }
            }
        }));
    }
    assert!(
        until(Duration::from_secs(60), || sold.load(Ordering::SeqCst) >= 5).await,
        "no sales"
    );
    {
        let victim = &mut instances[1];
        victim.child.kill().unwrap();
        victim.child.wait().unwrap();
        alive.lock().unwrap().retain(|u| *u != victim.url);
    }
    for t in tasks {
        t.await.unwrap();
    }

    eprintln!("multi-instance: sold out");
    // Never more sold than there were seats, and the seats left are what was not sold.
    let acknowledged = acknowledged.lock().unwrap().clone();
    let (st, again) = call(
        &http,
        reqwest::Method::POST,
        format!("{}/api/search/flights", urls[2]),
        None,
        Some(json!({
            "slices": [{"origin": "LHR", "destination": "JFK", "departure_date": "2027-03-14"}],
            "passengers": [{"type": "adult"}],
            "cabin_class": "premium_economy",
            "max_connections": 0
        })),
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert!(
        !again["offers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["slices"][0]["segments"][0]["flight_number"] == flight.as_str()),
        "{flight} is sold out and no longer offered"
    );
    // Nothing acknowledged was lost with the killed instance.
    let (_, all) = call(
        &http,
        reqwest::Method::GET,
        format!("{}/api/admin/bookings", urls[0]),
        Some(&root),
        None,
        None,
    )
    .await;
    let confirmed_ids: Vec<&str> = all
        .as_array()
        .unwrap_or_else(|| panic!("{all}"))
        .iter()
        .filter(|b| b["status"] == "CONFIRMED")
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    for id in &acknowledged {
        assert!(
            confirmed_ids.contains(&id.as_str()),
            "{id} was acknowledged and is gone"
        );
    }
    // Every seat sold once: Grace's two bookings, every acknowledged one, and at most the
    // few whose answer the killed instance never sent.
    assert_eq!(
        confirmed_ids.len() as i64,
        capacity,
        "every seat sold, none twice"
    );
    assert!(acknowledged.len() as i64 + 2 <= capacity);

    eprintln!("multi-instance: webhooks");
    // The webhook got each event once, in order, whichever instance delivered it.
    let expected = || -> Vec<String> {
        let pg = booksygo_core::store::postgres::PgStore::connect(db.url()).unwrap();
        pg.conn()
            .unwrap()
            .query("SELECT id FROM events ORDER BY seq", &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    // A deadline, not a pace: it ends as soon as every event is in. 164 events took 30 s and
    // more on a 2-core runner busy with a build; alone they take a few seconds.
    let complete = until(Duration::from_secs(120), || {
        let got = delivered.lock().unwrap().clone();
        let all = expected();
        got.first()
            .and_then(|f| all.iter().position(|e| e == f))
            .is_some_and(|start| got.len() == all.len() - start)
    })
    .await;
    let got = delivered.lock().unwrap().clone();
    let all = expected();
    assert!(complete, "{} of {} events delivered", got.len(), all.len());
    let start = all.iter().position(|e| *e == got[0]).unwrap();
    assert_eq!(got, all[start..].to_vec(), "each event once, in order");
    assert!(got.iter().any(|e| all.iter().any(|a| a == e)));

    eprintln!("multi-instance: check");
    // And the data keeps its promises.
    let checked = booksygo(admin_home.path())
        .args(["admin", "check", "--json", "--database-url", db.url()])
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
}
