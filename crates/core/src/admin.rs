//! What a team's admins may do: see and manage accounts, see every booking, award points by
//! hand. Every function takes the acting user and checks, from the database (not from a
//! token), that they are an admin.

use crate::booking::{Booking, BookingStatus};
use crate::error::{Error, Result};
use crate::profile::Profile;
use crate::store::Unit;
/// A broken promise that `booksygo admin check` found.
pub use crate::store::port::Problem;

/// Refuses anyone who is not an admin right now.
pub fn require_admin(unit: &dyn Unit, actor: &str) -> Result<()> {
    crate::roles::require(unit, actor, crate::roles::Permission::Administer)
}

/// Every account (users who can log in), oldest first.
pub fn users(unit: &dyn Unit, actor: &str) -> Result<Vec<Profile>> {
    require_admin(unit, actor)?;
    let ids = unit.users().login_accounts()?;
    ids.iter().map(|id| crate::profile::get(unit, id)).collect()
}

/// Changes an account's role. The last admin cannot step down (the team would be locked out
/// of its own server). Takes effect at once: every request reads the role afresh.
pub fn set_role(unit: &dyn Unit, actor: &str, user: &str, role: &str, now: i64) -> Result<Profile> {
    require_admin(unit, actor)?;
    if !crate::accounts::ROLES.contains(&role) {
        return Err(Error::invalid(format!(
            "'{role}' is not a role: use one of {}",
            crate::accounts::ROLES.join(", ")
        )));
    }
    // Role changes take turns: "is another admin left?" is then answered after the other
    // change, not beside it.
    unit.take_turn("roles")?;
    let before = crate::profile::get(unit, user)?;
    // The store refuses the change that would leave no admin in the same statement that
    // makes it, so two admins stepping down at once cannot both succeed.
    if !unit.users().set_role(user, role)? {
        return Err(Error::Conflict(
            "this is the last admin: make another admin first".into(),
        ));
    }
    crate::events::emit(
        unit,
        "user.role_changed",
        user,
        Some(user),
        &serde_json::json!({"from": before.role, "to": role, "by": actor}),
        now,
    )?;
    crate::profile::get(unit, user)
}

/// Every booking on the server, optionally of one status, by start date.
pub fn bookings(
    unit: &dyn Unit,
    actor: &str,
    status: Option<BookingStatus>,
) -> Result<Vec<Booking>> {
    require_admin(unit, actor)?;
    let rows = unit.reports().all_bookings(status.map(|s| s.as_str()))?;
    rows.iter()
        .map(|(user, id)| crate::booking::desk::load(unit, user, id))
        .collect()
}

/// Awards (or, negative, withdraws) points by hand, with the reason in the ledger.
pub fn award_points(
    unit: &dyn Unit,
    actor: &str,
    user: &str,
    points: i64,
    reason: &str,
    now: i64,
) -> Result<crate::points::Balance> {
    require_admin(unit, actor)?;
    crate::profile::get(unit, user)?;
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
        crate::points::earn(unit, user, "MANUAL_AWARD", points, None, reason, now)?;
    } else {
        crate::points::record(
            unit,
            user,
            "MANUAL_AWARD",
            points,
            points,
            None,
            reason,
            now,
        )?;
    }
    crate::points::balance(unit, user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, crate::store::Store, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("a.db")).unwrap();
        let (admin, user) = store
            .read(|unit| {
                let a = crate::accounts::register(
                    unit,
                    "root@t.test",
                    "long enough pw",
                    "",
                    "",
                    "admin",
                    0,
                )
                .unwrap();
                let u = crate::accounts::register(
                    unit,
                    "ada@t.test",
                    "long enough pw",
                    "Ada",
                    "L",
                    "user",
                    0,
                )
                .unwrap();
                Ok((a.id, u.id))
            })
            .unwrap();
        (dir, store, admin, user)
    }

    #[test]
    fn only_admins_manage_users() {
        let (_d, store, admin, user) = store();
        store
            .read(|unit| {
                assert_eq!(users(unit, &admin).unwrap().len(), 2);
                let e = users(unit, &user).unwrap_err();
                assert_eq!(e.kind(), crate::ErrorKind::Forbidden);
                let e = set_role(unit, &user, &user, "admin", 1).unwrap_err();
                assert_eq!(e.kind(), crate::ErrorKind::Forbidden);
                assert_eq!(crate::profile::get(unit, &user).unwrap().role, "user");
                let p = set_role(unit, &admin, &user, "partner", 1).unwrap();
                assert_eq!(p.role, "partner");
                assert!(set_role(unit, &admin, &user, "emperor", 1).is_err());
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn the_last_admin_cannot_step_down() {
        let (_d, store, admin, user) = store();
        store
            .read(|unit| {
                let e = set_role(unit, &admin, &admin, "user", 1).unwrap_err();
                assert_eq!(e.kind(), crate::ErrorKind::Conflict);
                set_role(unit, &admin, &user, "admin", 1).unwrap();
                set_role(unit, &admin, &admin, "user", 1).unwrap();
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn manual_awards_need_a_reason_and_cannot_overdraw() {
        let (_d, store, admin, user) = store();
        let award = |actor: &str, points: i64, reason: &str| {
            store.write(|u| award_points(u, actor, &user, points, reason, 1))
        };
        assert!(award(&admin, 100, "  ").is_err());
        let b = award(&admin, 250, "won the quiz").unwrap();
        assert_eq!((b.total, b.available), (250, 250));
        assert!(award(&admin, -300, "correction").is_err());
        let b = award(&admin, -50, "correction").unwrap();
        assert_eq!((b.total, b.available), (200, 200));
        let e = award(&user, 1000, "me").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Forbidden);
    }
}
