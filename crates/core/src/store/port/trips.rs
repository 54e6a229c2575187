//! A traveller's trips: bookings grouped and read for the trips view.

/// Promise: to be stated by the methods this area gains.
pub trait Trips {}
