//! PackageIndex on PostgreSQL.

#![allow(unused_variables)]

use super::unit::{PgUnit, pending};
use crate::error::Result;
use crate::model::package::PackageSpec;
use crate::model::package::{PackageSort, PackageSummary};
use crate::store::port::*;
use jiff::civil::Date;

impl PackageIndex for PgUnit<'_> {
    fn put(&self, spec: &PackageSpec, filing: &Filing<'_>) -> Result<()> {
        Err(pending("PackageIndex::put"))
    }

    fn search(&self, q: &IndexQuery) -> Result<Found> {
        Err(pending("PackageIndex::search"))
    }

    fn owner(&self, id: &str) -> Result<Option<Option<String>>> {
        Err(pending("PackageIndex::owner"))
    }

    fn detail(&self, id_or_slug: &str) -> Result<Option<StoredPackage>> {
        Err(pending("PackageIndex::detail"))
    }

    fn departures(&self, package: &str, from: Date) -> Result<Vec<DepartureRow>> {
        Err(pending("PackageIndex::departures"))
    }

    fn featured(&self, limit: usize) -> Result<Vec<PackageSummary>> {
        Err(pending("PackageIndex::featured"))
    }

    fn deal_candidates(&self, from: Date, to: Date) -> Result<Vec<PackageSummary>> {
        Err(pending("PackageIndex::deal_candidates"))
    }

    fn fixture_version(&self) -> Result<Option<String>> {
        Err(pending("PackageIndex::fixture_version"))
    }

    fn set_fixture_version(&self, version: &str) -> Result<()> {
        Err(pending("PackageIndex::set_fixture_version"))
    }
}
