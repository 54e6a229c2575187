//! What a team's admins may do: see and manage accounts, see every booking, award points by
//! hand. Every function takes the acting user and checks, from the database (not from a
//! token), that they are an admin.

use crate::booking::{Booking, BookingStatus};
use crate::error::{Error, Result};
use crate::profile::Profile;
use rusqlite::{Connection, params};

/// Refuses anyone who is not an admin right now.
pub fn require_admin(conn: &Connection, actor: &str) -> Result<()> {
    let role = crate::profile::get(conn, actor)?.role;
    if role == "admin" {
        Ok(())
    } else {
        Err(Error::Forbidden("only an admin may do that".into()))
    }
}

/// Every account (users who can log in), oldest first.
pub fn users(conn: &Connection, actor: &str) -> Result<Vec<Profile>> {
    require_admin(conn, actor)?;
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM users WHERE password_hash IS NOT NULL ORDER BY created_at, id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.iter().map(|id| crate::profile::get(conn, id)).collect()
}

/// Changes an account's role. The last admin cannot step down (the team would be locked out
/// of its own server). Takes effect at the user's next token refresh.
pub fn set_role(
    conn: &Connection,
    actor: &str,
    user: &str,
    role: &str,
    now: i64,
) -> Result<Profile> {
    require_admin(conn, actor)?;
    if !crate::accounts::ROLES.contains(&role) {
        return Err(Error::invalid(format!(
            "'{role}' is not a role: use one of {}",
            crate::accounts::ROLES.join(", ")
        )));
    }
    let before = crate::profile::get(conn, user)?;
    if before.role == "admin" && role != "admin" {
        let admins: i64 = conn.query_row(
            "SELECT count(*) FROM users WHERE role = 'admin' AND password_hash IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        if admins <= 1 {
            return Err(Error::Conflict(
                "this is the last admin: make another admin first".into(),
            ));
        }
    }
    conn.execute(
        "UPDATE users SET role = ?1 WHERE id = ?2",
        params![role, user],
    )?;
    crate::events::emit(
        conn,
        "user.role_changed",
        user,
        Some(user),
        &serde_json::json!({"from": before.role, "to": role, "by": actor}),
        now,
    )?;
    crate::profile::get(conn, user)
}

/// Every booking on the server, optionally of one status, by start date.
pub fn bookings(
    conn: &Connection,
    actor: &str,
    status: Option<BookingStatus>,
) -> Result<Vec<Booking>> {
    require_admin(conn, actor)?;
    let rows: Vec<(String, String)> = conn
        .prepare(
            "SELECT user_id, id FROM bookings WHERE (?1 IS NULL OR status = ?1)
             ORDER BY starts_on, created_at, rowid",
        )?
        .query_map(params![status.map(|s| s.as_str())], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    rows.iter()
        .map(|(user, id)| crate::booking::desk::load(conn, user, id))
        .collect()
}

/// Awards (or, negative, withdraws) points by hand, with the reason in the ledger.
pub fn award_points(
    conn: &Connection,
    actor: &str,
    user: &str,
    points: i64,
    reason: &str,
    now: i64,
) -> Result<crate::points::Balance> {
    require_admin(conn, actor)?;
    crate::profile::get(conn, user)?;
    if points == 0 || points.abs() > 1_000_000 {
        return Err(Error::invalid(
            "points must be a non-zero number between -1000000 and 1000000",
        ));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid(
            "give a reason: it is shown in the user's history",
        ));
    }
    if points > 0 {
        crate::points::earn(conn, user, "MANUAL_AWARD", points, None, reason, now)?;
    } else {
        crate::points::record(
            conn,
            user,
            "MANUAL_AWARD",
            points,
            points,
            None,
            reason,
            now,
        )?;
    }
    crate::points::balance(conn, user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, crate::store::Store, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("a.db")).unwrap();
        let (admin, user) = {
            let conn = store.conn().unwrap();
            let a = crate::accounts::register(
                &conn,
                "root@t.test",
                "long enough pw",
                "",
                "",
                "admin",
                0,
            )
            .unwrap();
            let u = crate::accounts::register(
                &conn,
                "ada@t.test",
                "long enough pw",
                "Ada",
                "L",
                "user",
                0,
            )
            .unwrap();
            (a.id, u.id)
        };
        (dir, store, admin, user)
    }

    #[test]
    fn only_admins_manage_users() {
        let (_d, store, admin, user) = store();
        let conn = store.conn().unwrap();
        assert_eq!(users(&conn, &admin).unwrap().len(), 2);
        let e = users(&conn, &user).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Forbidden);
        let e = set_role(&conn, &user, &user, "admin", 1).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Forbidden);
        assert_eq!(crate::profile::get(&conn, &user).unwrap().role, "user");
        let p = set_role(&conn, &admin, &user, "partner", 1).unwrap();
        assert_eq!(p.role, "partner");
        assert!(set_role(&conn, &admin, &user, "emperor", 1).is_err());
    }

    #[test]
    fn the_last_admin_cannot_step_down() {
        let (_d, store, admin, user) = store();
        let conn = store.conn().unwrap();
        let e = set_role(&conn, &admin, &admin, "user", 1).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Conflict);
        set_role(&conn, &admin, &user, "admin", 1).unwrap();
        set_role(&conn, &admin, &admin, "user", 1).unwrap();
    }

    #[test]
    fn manual_awards_need_a_reason_and_cannot_overdraw() {
        let (_d, store, admin, user) = store();
        let conn = store.conn().unwrap();
        assert!(award_points(&conn, &admin, &user, 100, "  ", 1).is_err());
        let b = award_points(&conn, &admin, &user, 250, "won the quiz", 1).unwrap();
        assert_eq!((b.total, b.available), (250, 250));
        assert!(award_points(&conn, &admin, &user, -300, "correction", 1).is_err());
        let b = award_points(&conn, &admin, &user, -50, "correction", 1).unwrap();
        assert_eq!((b.total, b.available), (200, 200));
        let e = award_points(&conn, &user, &user, 1000, "me", 1).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Forbidden);
    }
}
