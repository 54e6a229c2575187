//! Integrity checks on PostgreSQL: the shared questions of `store::checks` (PostgreSQL
//! enforces foreign keys and checks its pages itself).

use super::unit::{PgUnit, get};
use crate::error::Result;
use crate::store::checks::{CHECKS, problem};
use crate::store::port::{Checks, Problem};

impl Checks for PgUnit<'_> {
    fn problems(&self) -> Result<Vec<Problem>> {
        let mut out = Vec::new();
        for check in CHECKS {
            let sql = check.sql.replace("{false}", "false");
            for row in self.query(&sql, &[])? {
                let subject: String = get(&row, 0)?;
                out.push(problem(check, &subject, get(&row, 1)?, get(&row, 2)?));
            }
        }
        Ok(out)
    }
}
