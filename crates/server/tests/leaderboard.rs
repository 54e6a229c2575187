//! The team's leaderboard shows display names, never an e-mail or an account id, and leaves
//! out whoever opted out (hardening issue, item 11).

mod common;

use axum::http::StatusCode;
use common::{call_auth, sign_up, state};
use serde_json::{Value, json};

fn token(tokens: &Value) -> String {
    tokens["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_leaderboard_shows_names_not_emails_or_ids_and_honours_opting_out() {
    let (_d, s) = state();
    let ada = token(&sign_up(&s, "ada@example.com", "Ada", "Lovelace").await);
    let bob = token(&sign_up(&s, "bob@example.com", "", "").await);
    let ids: Vec<String> = {
        let mut v = Vec::new();
        for t in [&ada, &bob] {
            let (_, p) = call_auth(&s, "GET", "/api/users/profile", t, None, None).await;
            v.push(p["id"].as_str().unwrap().to_string());
        }
        v
    };

    let (st, board) = call_auth(&s, "GET", "/api/gamification/leaderboard", &ada, None, None).await;
    assert_eq!(st, StatusCode::OK, "{board}");
    let text = board.to_string();
    for secret in [
        "ada@example.com",
        "bob@example.com",
        &ids[0],
        &ids[1],
        "user_id",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    let rows = board.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{board}");
    // Both have 0 points and were made in the same (pinned) second: the order is the ids'.
    let mine = |b: &Value| {
        b.as_array()
            .unwrap()
            .iter()
            .find(|r| r["you"] == true)
            .cloned()
    };
    let me = mine(&board).unwrap();
    assert_eq!(me["name"], "Ada L.");
    let other = rows.iter().find(|r| r["you"] == false).unwrap();
    let handle = other["name"].as_str().unwrap().to_string();
    assert!(handle.starts_with("Traveller "), "{handle}");
    assert_eq!(
        me.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["level", "name", "rank", "total", "you"]
    );

    // Bob opts out with his profile: gone from Ada's board, still on his own.
    let (st, p) = call_auth(
        &s,
        "PUT",
        "/api/users/profile",
        &bob,
        Some(&json!({"preferences": {"leaderboard": false}}).to_string()),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["preferences"]["leaderboard"], false);
    let (_, board) = call_auth(&s, "GET", "/api/gamification/leaderboard", &ada, None, None).await;
    assert_eq!(board.as_array().unwrap().len(), 1, "{board}");
    assert_eq!(board[0]["name"], "Ada L.");
    let (_, own) = call_auth(&s, "GET", "/api/gamification/leaderboard", &bob, None, None).await;
    assert_eq!(own.as_array().unwrap().len(), 2, "{own}");
    let bob_row = mine(&own).unwrap();
    assert_eq!(bob_row["name"], handle.as_str());
    assert_eq!(bob_row["rank"], other["rank"], "the same rank as before");

    // A switch that is not a boolean is a clear 4xx, not a silent default.
    let (st, err) = call_auth(
        &s,
        "PUT",
        "/api/users/preferences",
        &bob,
        Some(r#"{"leaderboard":"maybe"}"#),
        None,
    )
    .await;
    assert!(st.is_client_error(), "{st} {err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("leaderboard")
            || err["error"]["message"]
                .as_str()
                .unwrap()
                .contains("boolean"),
        "{err}"
    );
}
