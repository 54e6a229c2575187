//! Tests on a real PostgreSQL: each gets a database of its own, dropped afterwards (also when
//! the test fails or panics). The server is `BOOKSYGO_TEST_PG_URL`, by default the one every
//! development and CI machine runs. A server that cannot be reached fails the test with one
//! line saying so: PostgreSQL tests never pass without PostgreSQL.

use super::{PgStore, parse_url};

/// The server tests use when `BOOKSYGO_TEST_PG_URL` is not set.
pub const DEFAULT_TEST_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The URL of the server tests run on (a database on it to connect to for administration).
pub fn server_url() -> String {
    std::env::var("BOOKSYGO_TEST_PG_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_TEST_URL.to_string())
}

/// A fresh, empty database `booksygo_test_<random>`, dropped with `DROP DATABASE ... WITH
/// (FORCE)` (other sessions on it are ended) when this value goes.
pub struct TestDatabase {
    name: String,
    url: String,
    admin: PgStore,
}

impl TestDatabase {
    /// Creates the database. Panics with one clear line when the server cannot be reached.
    pub fn create() -> TestDatabase {
        let server = server_url();
        let admin = match PgStore::connect(&with_options(&server, "pool_max_size=1")) {
            Ok(store) => store,
            Err(e) => {
                let shown = parse_url(&server)
                    .map(|t| t.shown)
                    .unwrap_or_else(|_| super::redact(&server));
                let text = e.to_string();
                let reason = text
                    .strip_prefix(&format!("PostgreSQL not reachable at {shown}: "))
                    .unwrap_or(&text);
                panic!("PostgreSQL not reachable at {shown} (set BOOKSYGO_TEST_PG_URL): {reason}");
            }
        };
        let mut raw = [0u8; 8];
        getrandom::fill(&mut raw).expect("randomness");
        let name = format!(
            "booksygo_test_{}",
            raw.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        admin
            .conn()
            .and_then(|c| c.batch_execute(&format!("CREATE DATABASE {name}")))
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let url = with_database(&server, &name);
        TestDatabase { name, url, admin }
    }

    /// The URL of this database (with the server's user and options).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The storage port on this database, migrated: what a generic test body runs on.
    pub fn port(&self) -> crate::store::Store {
        crate::store::Store::connect(&self.url)
            .unwrap_or_else(|e| panic!("cannot open test database {}: {e}", self.name))
    }

    /// [`TestDatabase::port`] sealing personal columns with `keys`.
    pub fn port_sealed(&self, keys: crate::crypto::DataKeys) -> crate::store::Store {
        crate::store::Store::connect_sealed(&self.url, None, keys)
            .unwrap_or_else(|e| panic!("cannot open test database {}: {e}", self.name))
    }

    /// A store on this database.
    pub fn store(&self) -> PgStore {
        PgStore::connect(&self.url)
            .unwrap_or_else(|e| panic!("cannot connect to test database {}: {e}", self.name))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let dropped = self.admin.conn().and_then(|c| {
            c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
        });
        if let Err(e) = dropped {
            eprintln!("warning: test database {} was not dropped: {e}", self.name);
        }
    }
}

/// `url` pointing at database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..authority_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

fn with_options(url: &str, options: &str) -> String {
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}{options}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_test_database_url_keeps_the_server_and_its_options() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
