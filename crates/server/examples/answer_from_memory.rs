//! The yardstick of `scripts/bench-server-search.sh`: the smallest axum server that answers
//! `POST /api/search/flights` with bytes it holds in memory (a copy of the real server's
//! answer, read from a file at start), on the same multi-threaded runtime as `booksygo serve`.
//! No parsing, no search, no middleware: what serving those bytes costs and nothing more.
//!
//! ```sh
//! cargo run --release -p booksygo-server --example answer_from_memory -- \
//!     127.0.0.1:18098 answer.json [gzip|zstd]
//! ```
//! The optional third argument is sent as `Content-Encoding` (the file then holds the
//! compressed answer).

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(bind), Some(file)) = (args.next(), args.next()) else {
        eprintln!("usage: answer_from_memory ADDR FILE [CONTENT-ENCODING]");
        std::process::exit(2);
    };
    let encoding = args.next();
    let answer = Bytes::from(std::fs::read(&file)?);
    let handler = move || {
        let answer = answer.clone();
        let encoding = encoding.clone();
        async move {
            let mut response = (
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::VARY, "accept-encoding"),
                ],
                answer,
            )
                .into_response();
            if let Some(e) = encoding
                && let Ok(value) = e.parse()
            {
                response
                    .headers_mut()
                    .insert(header::CONTENT_ENCODING, value);
            }
            response
        }
    };
    let app = Router::new().route("/api/search/flights", post(handler));
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind(&bind).await?;
            axum::serve(listener, app).await
        })
}
