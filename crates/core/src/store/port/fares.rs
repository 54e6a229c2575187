//! Fare history: the prices searches have seen, for trends and predictions.

/// Promise: to be stated by the methods this area gains.
pub trait Fares {}
