//! Slow and idle clients over a real socket: half a request line, an idle kept-alive
//! connection and more connections than the cap. The timeouts are short here through
//! `ServeOptions`; the waits below are upper bounds for a disconnect, not timings.

mod common;

use booksygo_server::ServeOptions;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous: the server closes after a fraction of it.
const UPPER_BOUND: Duration = Duration::from_secs(20);

async fn server(options: ServeOptions) -> std::net::SocketAddr {
    let (dir, state) = common::state();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _dir = dir;
        booksygo_server::serve_with(listener, state, std::future::pending(), options)
            .await
            .unwrap();
    });
    addr
}

/// Reads until the server closes the connection (within [`UPPER_BOUND`]); what it sent.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let closed = tokio::time::timeout(UPPER_BOUND, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        closed.is_ok(),
        "the server kept the connection open; it sent {:?}",
        String::from_utf8_lossy(&got)
    );
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test]
async fn half_sent_requests_and_idle_connections_are_closed() {
    let addr = server(ServeOptions {
        header_timeout: Duration::from_millis(300),
        ..ServeOptions::default()
    })
    .await;
    // Half a request line, then nothing.
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /heal").await.unwrap();
    let answer = until_closed(&mut half).await;
    assert!(!answer.contains("200 OK"), "{answer}");
    // All the headers but the blank line that ends them.
    let mut headers = TcpStream::connect(addr).await.unwrap();
    headers
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let answer = until_closed(&mut headers).await;
    assert!(!answer.contains("200 OK"), "{answer}");
    // Connected, nothing sent.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    until_closed(&mut silent).await;
    // A whole request is answered; the kept-alive connection is then closed when idle.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = until_closed(&mut idle).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains(r#"{"status":"ok"}"#), "{answer}");
}

#[tokio::test]
async fn connections_over_the_cap_wait_for_a_free_one() {
    let addr = server(ServeOptions {
        header_timeout: UPPER_BOUND * 3,
        max_connections: 1,
    })
    .await;
    let base = format!("http://{addr}/healthz");
    // The only slot, held by a client that sends nothing.
    let hog = TcpStream::connect(addr).await.unwrap();
    // Served only once the hog leaves.
    let mut waiting = tokio::spawn(async move { reqwest::get(base).await.unwrap().status() });
    // The one wait that is not an upper bound: nothing may come back while the slot is
    // held (a slow machine can only make this pass, never fail).
    let early = tokio::time::timeout(Duration::from_millis(500), &mut waiting).await;
    assert!(
        early.is_err(),
        "a second connection was served past the cap"
    );
    drop(hog);
    let status = tokio::time::timeout(UPPER_BOUND, waiting)
        .await
        .expect("served once the slot is free")
        .unwrap();
    assert_eq!(status, 200);
}
