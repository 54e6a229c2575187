//! What each role may do: the one permission table. Every rule that depends on a role asks
//! [`can`] (or [`require`], which reads the role from the database, never from a token), so
//! the table below and the README's are the whole story.
//!
//! | permission | user | premium | partner | admin |
//! | --- | --- | --- | --- | --- |
//! | book, pay, cancel, trips, points, watches (their own) | yes | yes | yes | yes |
//! | points x1.5 on their own bookings and reviews | | yes | | |
//! | add packages and change their own | | | yes | yes |
//! | change any package (the catalogue's, other partners') | | | | yes |
//! | accounts and roles, every booking, points by hand, webhooks, the dashboard | | | | yes |

use crate::error::{Error, Result};
use crate::store::Unit;

/// Something only some roles may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Points x1.5 on the traveller's own bookings and reviews (first booking, completed
    /// trip, review).
    BonusPoints,
    /// Add packages, and change the ones they added.
    ManageOwnPackages,
    /// Change any package.
    ManageAnyPackage,
    /// Accounts and roles, every booking, points by hand, webhooks, the dashboard.
    Administer,
}

/// Every permission, in the table's order.
pub const PERMISSIONS: &[Permission] = &[
    Permission::BonusPoints,
    Permission::ManageOwnPackages,
    Permission::ManageAnyPackage,
    Permission::Administer,
];

/// Which roles hold each permission.
pub const TABLE: &[(Permission, &[&str])] = &[
    (Permission::BonusPoints, &["premium"]),
    (Permission::ManageOwnPackages, &["partner", "admin"]),
    (Permission::ManageAnyPackage, &["admin"]),
    (Permission::Administer, &["admin"]),
];

/// Whether `role` holds `permission` (an unknown role holds none).
pub fn can(role: &str, permission: Permission) -> bool {
    TABLE
        .iter()
        .any(|(p, roles)| *p == permission && roles.contains(&role))
}

/// `actor`'s role now, from the database.
pub fn role_of(unit: &dyn Unit, actor: &str) -> Result<String> {
    unit.users()
        .role(actor)?
        .ok_or_else(|| Error::NotFound(format!("no account {actor}")))
}

/// Refuses `actor` unless their role, read now, holds `permission`.
pub fn require(unit: &dyn Unit, actor: &str, permission: Permission) -> Result<()> {
    if can(&role_of(unit, actor)?, permission) {
        return Ok(());
    }
    Err(Error::Forbidden(
        match permission {
            Permission::Administer => "only an admin may do that",
            Permission::ManageAnyPackage => "only an admin may change that package",
            Permission::ManageOwnPackages => "only admins and partners manage packages",
            Permission::BonusPoints => "only premium members earn bonus points",
        }
        .into(),
    ))
}

/// `points` as `user` earns them for their own bookings and reviews: x1.5 (rounded down) for
/// the roles with [`Permission::BonusPoints`].
pub fn travel_points(unit: &dyn Unit, user: &str, points: i64) -> Result<i64> {
    let role = unit.users().role(user)?.unwrap_or_default();
    Ok(if can(&role, Permission::BonusPoints) {
        points * 3 / 2
    } else {
        points
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matrix of every role and permission, as the README states it.
    #[test]
    fn the_table_is_the_readmes() {
        let expected: &[(&str, [bool; 4])] = &[
            // BonusPoints, ManageOwnPackages, ManageAnyPackage, Administer
            ("user", [false, false, false, false]),
            ("premium", [true, false, false, false]),
            ("partner", [false, true, false, false]),
            ("admin", [false, true, true, true]),
            ("nobody", [false, false, false, false]),
        ];
        for (role, row) in expected {
            for (p, want) in PERMISSIONS.iter().zip(row) {
                assert_eq!(can(role, *p), *want, "{role} {p:?}");
            }
        }
        for role in crate::accounts::ROLES {
            assert!(
                expected.iter().any(|(r, _)| r == role),
                "{role} is in the matrix"
            );
        }
    }
}
