//! What each role may do: the one permission table. Every rule that depends on a role asks
//! [`can`] (or [`require`], which reads the role from the database, never from a token), so
//! the table below and the README's are the whole story.
//!
//! | permission | user | premium | partner | admin |
//! | --- | --- | --- | --- | --- |
//! | book, pay, cancel, trips, points, watches (their own) | yes | yes | yes | yes |
//! | points x1.5 on their own bookings and reviews | | yes | | |
//! | the first date change of each booking without the fare's change fee | | yes | | |
//! | member prices on packages: 10% off, shown and charged | | yes | | yes |
//! | the sales report of their own packages | | | yes | yes |
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
    /// The first date change of each of the traveller's bookings without the fare's change
    /// fee (the fare difference is still paid).
    FreeDateChange,
    /// Member prices on packages ([`crate::model::package::MEMBER_PERCENT`] off), shown in
    /// search and detail and charged on booking.
    MemberPrices,
    /// Add packages, and change the ones they added.
    ManageOwnPackages,
    /// The sales report of the packages they own (admins: any partner's).
    SalesReport,
    /// Change any package.
    ManageAnyPackage,
    /// Accounts and roles, every booking, points by hand, webhooks, the dashboard.
    Administer,
}

/// Every permission, in the table's order.
pub const PERMISSIONS: &[Permission] = &[
    Permission::BonusPoints,
    Permission::FreeDateChange,
    Permission::MemberPrices,
    Permission::ManageOwnPackages,
    Permission::SalesReport,
    Permission::ManageAnyPackage,
    Permission::Administer,
];

/// Which roles hold each permission.
pub const TABLE: &[(Permission, &[&str])] = &[
    (Permission::BonusPoints, &["premium"]),
    (Permission::FreeDateChange, &["premium"]),
    (Permission::MemberPrices, &["premium", "admin"]),
    (Permission::ManageOwnPackages, &["partner", "admin"]),
    (Permission::SalesReport, &["partner", "admin"]),
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
    Err(Error::Forbidden(refusal(permission).into()))
}

/// What a refusal of `permission` says (the core's and the server's 403 alike).
pub fn refusal(permission: Permission) -> &'static str {
    match permission {
        Permission::Administer => "only an admin may do that",
        Permission::ManageAnyPackage => "only an admin may change that package",
        Permission::ManageOwnPackages => "only admins and partners manage packages",
        Permission::BonusPoints => "only premium members earn bonus points",
        Permission::FreeDateChange => "only premium members change a date for free",
        Permission::MemberPrices => "only members see member prices",
        Permission::SalesReport => "only partners and admins read sales reports",
    }
}

/// Whether `user`'s role, read now, holds `permission` (an unknown account holds none).
pub fn holds(unit: &dyn Unit, user: &str, permission: Permission) -> Result<bool> {
    Ok(can(
        &unit.users().role(user)?.unwrap_or_default(),
        permission,
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
        let expected: &[(&str, [bool; 7])] = &[
            // BonusPoints, FreeDateChange, MemberPrices, ManageOwnPackages, SalesReport,
            // ManageAnyPackage, Administer
            ("user", [false, false, false, false, false, false, false]),
            ("premium", [true, true, true, false, false, false, false]),
            ("partner", [false, false, false, true, true, false, false]),
            ("admin", [false, false, true, true, true, true, true]),
            ("nobody", [false, false, false, false, false, false, false]),
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
