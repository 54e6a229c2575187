//! Figures over many rows for analytics and the admin's view.

/// Promise: to be stated by the methods this area gains.
pub trait Reports {}
