//! The package catalogue's search index: text, filters, sorts and facets, on SQLite.

use crate::store::port::PackageIndex;
use rusqlite::Connection;

impl PackageIndex for Connection {}
