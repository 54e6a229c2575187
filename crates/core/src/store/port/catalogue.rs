//! The market's catalogue: airports, airlines, routes, hotels, and the small key-value meta table.

/// Promise: to be stated by the methods this area gains.
pub trait Catalogue {}
