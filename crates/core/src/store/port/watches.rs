//! Price watches and what they last saw.

/// Promise: to be stated by the methods this area gains.
pub trait Watches {}
