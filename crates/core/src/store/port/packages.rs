//! The package catalogue's search index: text, filters, sorts and facets.

/// Promise: to be stated by the methods this area gains.
pub trait PackageIndex {}
