//! Loyalty points: the append-only ledger (balances are derived: record, earn, balance, history)
//! and levels. Available points never go negative: the ledger refuses such a row.

mod awards;
mod badges;
mod challenges;
mod leaderboard;
mod lifecycle;
pub mod referrals;

pub use awards::{Trigger, evaluate};
pub use badges::{BADGES, BadgeStatus, badges};
pub use challenges::{Challenge, challenges};
pub use leaderboard::{LeaderboardEntry, leaderboard};
pub use lifecycle::{cancel_effect, on_cancelled, on_completed, on_confirmed, on_review};
pub use referrals::{Referral, Referred};

use crate::error::{Error, Result};
pub use crate::model::ledger::LedgerEntry;
use crate::store::{LedgerRow, Unit};
use serde::{Deserialize, Serialize};

pub const FIRST_BOOKING: i64 = 500;
pub const BOOKING_COMPLETED: i64 = 100;
pub const REVIEW_WRITTEN: i64 = 50;
pub const REFERRAL: i64 = 200;
pub const CHALLENGE_COMPLETED: i64 = 300;

/// Levels by total points earned.
pub const LEVELS: &[(&str, i64)] = &[
    ("Explorer", 0),
    ("Adventurer", 1000),
    ("Voyager", 2500),
    ("Globetrotter", 5000),
    ("Legend", 10000),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Balance {
    pub user_id: String,
    /// Everything earned, less clawbacks: decides the level.
    pub total: i64,
    /// What can be redeemed now.
    pub available: i64,
    pub level: String,
    pub next_level: Option<String>,
    /// Points still needed for the next level.
    pub to_next_level: Option<i64>,
    /// 0-100 through the current level.
    pub level_progress: u8,
}

pub fn level_for(total: i64) -> (usize, &'static str) {
    let i = LEVELS.iter().rposition(|(_, at)| total >= *at).unwrap_or(0);
    (i, LEVELS[i].0)
}

pub fn balance(unit: &dyn Unit, user: &str) -> Result<Balance> {
    let (total, available) = unit.ledger().sums(user)?;
    let (i, level) = level_for(total);
    let next = LEVELS.get(i + 1);
    let progress = match next {
        Some((_, at)) => ((total - LEVELS[i].1) * 100 / (at - LEVELS[i].1)).clamp(0, 100) as u8,
        None => 100,
    };
    Ok(Balance {
        user_id: user.to_string(),
        total,
        available,
        level: level.to_string(),
        next_level: next.map(|(n, _)| n.to_string()),
        to_next_level: next.map(|(_, at)| at - total),
        level_progress: progress,
    })
}

/// The turn writers of `user`'s points take.
pub(crate) fn turn(user: &str) -> String {
    format!("points:{user}")
}

/// Appends a ledger row; refuses one that would take available points below zero. The check
/// and the append are one statement, so two writers spending the same points at once cannot
/// both succeed (points are never double-spent).
/// (One argument per ledger column keeps call sites readable as rows.)
#[allow(clippy::too_many_arguments)]
pub fn record(
    unit: &dyn Unit,
    user: &str,
    kind: &str,
    total_delta: i64,
    available_delta: i64,
    booking: Option<&str>,
    note: &str,
    now: i64,
) -> Result<()> {
    // One writer at a time appends to a traveller's ledger: the balance the append checks is
    // then the balance it lands on (PostgreSQL's READ COMMITTED would let two spends of the
    // same points each see the balance before the other).
    unit.take_turn(&turn(user))?;
    let row = LedgerRow {
        user,
        kind,
        total_delta,
        available_delta,
        booking,
        note,
        at: now,
    };
    if !unit.ledger().append(&row)? {
        let (_, available) = unit.ledger().sums(user)?;
        return Err(Error::invalid(format!(
            "only {available} points are available, {} asked",
            -available_delta
        )));
    }
    Ok(())
}

/// Earns points (counted in total and available).
pub fn earn(
    unit: &dyn Unit,
    user: &str,
    kind: &str,
    points: i64,
    booking: Option<&str>,
    note: &str,
    now: i64,
) -> Result<()> {
    record(unit, user, kind, points, points, booking, note, now)?;
    crate::events::emit(
        unit,
        "points.earned",
        user,
        Some(user),
        &serde_json::json!({"kind": kind, "points": points, "booking_id": booking}),
        now,
    )
}

/// Points a new booking would earn for a traveller with this ledger, for a summary before
/// booking: the first-booking bonus (paid on confirmation, once) and the points for travelling.
pub fn earn_preview(history: &[LedgerEntry]) -> Vec<(&'static str, i64)> {
    let mut earn = Vec::new();
    if !history.iter().any(|e| e.kind == "FIRST_BOOKING") {
        earn.push(("first-booking bonus on confirmation", FIRST_BOOKING));
    }
    earn.push(("once you have travelled", BOOKING_COMPLETED));
    earn
}

/// A user's ledger, oldest row first.
pub fn history(unit: &dyn Unit, user: &str) -> Result<Vec<LedgerEntry>> {
    unit.ledger().history(user)
}

#[cfg(test)]
mod tests {
    //! Each test body runs on SQLite and on PostgreSQL (`name::sqlite`, `name::postgres`).

    use super::*;
    use crate::store::Store;
    use proptest::prelude::*;

    /// What keeps a test's database alive: a temporary directory, or a PostgreSQL database
    /// of its own (dropped afterwards).
    #[allow(dead_code)]
    enum Kept {
        Dir(tempfile::TempDir),
        Database(crate::store::postgres::testing::TestDatabase),
    }

    /// A fresh store on `engine` with one traveller, `usr_a`.
    fn store(engine: &str) -> (Kept, Store) {
        let (kept, store) = match engine {
            "sqlite" => {
                let dir = tempfile::tempdir().unwrap();
                let store = Store::open(&dir.path().join("p.db")).unwrap();
                (Kept::Dir(dir), store)
            }
            "postgres" => {
                let db = crate::store::postgres::testing::TestDatabase::create();
                let store = db.port();
                (Kept::Database(db), store)
            }
            other => panic!("no engine {other}"),
        };
        store
            .read(|u| u.users().ensure_user("usr_a", "a@example.com", 0))
            .unwrap();
        (kept, store)
    }

    /// Makes the bodies `$name(engine: &str)` tests on each engine.
    macro_rules! on_engines {
        ($($name:ident),+) => {$(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name("sqlite")
                }

                #[test]
                fn postgres() {
                    super::$name("postgres")
                }
            }
        )+};
    }

    on_engines!(
        earn_preview_offers_the_first_booking_bonus_only_once,
        available_never_negative
    );

    #[test]
    fn levels() {
        assert_eq!(level_for(0).1, "Explorer");
        assert_eq!(level_for(999).1, "Explorer");
        assert_eq!(level_for(1000).1, "Adventurer");
        assert_eq!(level_for(50_000).1, "Legend");
    }

    fn earn_preview_offers_the_first_booking_bonus_only_once(engine: &str) {
        let (_kept, store) = store(engine);
        let before = earn_preview(&store.read(|u| history(u, "usr_a")).unwrap());
        assert_eq!(
            before.iter().map(|e| e.1).collect::<Vec<_>>(),
            [FIRST_BOOKING, BOOKING_COMPLETED]
        );
        store
            .write(|u| earn(u, "usr_a", "FIRST_BOOKING", FIRST_BOOKING, None, "first", 1))
            .unwrap();
        let after = earn_preview(&store.read(|u| history(u, "usr_a")).unwrap());
        assert_eq!(
            after.iter().map(|e| e.1).collect::<Vec<_>>(),
            [BOOKING_COMPLETED]
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        Earn(i64),
        Redeem(i64),
        Cancel,
    }

    /// Whatever happens, available points never go negative and never exceed what was
    /// earned less what is redeemed; the ledger refuses what would break it.
    ///
    /// One store per engine; each case (and each shrinking step) is a traveller of its own
    /// with an empty ledger, as a fresh store would give: a PostgreSQL database per case
    /// would cost seconds each.
    fn available_never_negative(engine: &str) {
        let (_kept, store) = store(engine);
        let ops = proptest::collection::vec(
            prop_oneof![
                (1i64..2000).prop_map(Op::Earn),
                (1i64..3000).prop_map(Op::Redeem),
                Just(Op::Cancel),
            ],
            1..30,
        );
        let case = std::cell::Cell::new(0);
        proptest::test_runner::TestRunner::default()
            .run(&ops, |ops| {
                case.set(case.get() + 1);
                let user = format!("usr_case{}", case.get());
                let user = user.as_str();
                store
                    .read(|u| {
                        u.users()
                            .ensure_user(user, &format!("{user}@example.com"), 0)
                    })
                    .unwrap();
                for (i, op) in ops.iter().enumerate() {
                    let booking = format!("bkg_{i}");
                    match op {
                        Op::Earn(p) => {
                            store
                                .write(|u| {
                                    earn(u, user, "FIRST_BOOKING", *p, Some(&booking), "", 0)
                                })
                                .unwrap();
                        }
                        Op::Redeem(p) => {
                            let before = store.read(|u| balance(u, user)).unwrap().available;
                            let r = store.write(|u| {
                                record(u, user, "REDEEMED", 0, -p, Some(&booking), "", 0)
                            });
                            prop_assert_eq!(r.is_ok(), *p <= before);
                        }
                        Op::Cancel => {
                            let target = format!("bkg_{}", i / 2);
                            store.write(|u| on_cancelled(u, user, &target, 0)).unwrap();
                        }
                    }
                    let b = store.read(|u| balance(u, user)).unwrap();
                    prop_assert!(b.available >= 0, "{:?}", b);
                }
                Ok(())
            })
            .unwrap();
    }
}
