//! Payments and refunds of bookings, as stored.

/// Promise: to be stated by the methods this area gains.
pub trait Payments {}
