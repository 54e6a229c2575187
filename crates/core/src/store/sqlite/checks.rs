//! Integrity checks on SQLite: its own `quick_check` and `foreign_key_check`, then the
//! shared questions of `store::checks`.

use crate::error::Result;
use crate::store::checks::{CHECKS, problem};
use crate::store::port::{Checks, Problem};
use rusqlite::Connection;

impl Checks for Connection {
    fn problems(&self) -> Result<Vec<Problem>> {
        let mut out = Vec::new();
        let mut stmt = self.prepare("PRAGMA quick_check")?;
        for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let line = line?;
            if line != "ok" {
                out.push(engine("database file", line));
            }
        }
        let mut stmt = self.prepare("PRAGMA foreign_key_check")?;
        let broken = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in broken {
            let (table, rowid, parent) = row?;
            out.push(engine(
                &format!("{table} row {rowid}"),
                format!("{table} row {rowid} refers to a missing {parent} row"),
            ));
        }
        for check in CHECKS {
            let sql = check.sql.replace("{false}", "0");
            let mut stmt = self.prepare(&sql)?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?;
            for row in rows {
                let (subject, found, expected) = row?;
                out.push(problem(check, &subject, found, expected));
            }
        }
        Ok(out)
    }
}

fn engine(subject: &str, detail: String) -> Problem {
    Problem {
        area: "engine".into(),
        subject: subject.into(),
        detail,
    }
}
