//! The booking state machine:
//!
//! ```text
//! PENDING -> PAYMENT_PROCESSING -> CONFIRMED -> COMPLETED
//! PENDING | PAYMENT_PROCESSING | CONFIRMED -> CANCELLED -> REFUNDED
//! ```
//!
//! `transition` is the only code that changes a booking's status. It runs inside the caller's
//! transaction, refuses illegal moves, writes the audit row and emits the event.

use crate::error::{Error, Result};
use crate::events;
use crate::store::Unit;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BookingStatus {
    Pending,
    PaymentProcessing,
    Confirmed,
    Completed,
    Cancelled,
    Refunded,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 6] = [
        BookingStatus::Pending,
        BookingStatus::PaymentProcessing,
        BookingStatus::Confirmed,
        BookingStatus::Completed,
        BookingStatus::Cancelled,
        BookingStatus::Refunded,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            BookingStatus::Pending => "PENDING",
            BookingStatus::PaymentProcessing => "PAYMENT_PROCESSING",
            BookingStatus::Confirmed => "CONFIRMED",
            BookingStatus::Completed => "COMPLETED",
            BookingStatus::Cancelled => "CANCELLED",
            BookingStatus::Refunded => "REFUNDED",
        }
    }

    pub fn parse(s: &str) -> Result<BookingStatus> {
        BookingStatus::ALL
            .into_iter()
            .find(|b| b.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::invalid(format!("unknown booking status '{s}'")))
    }

    /// The legal moves.
    pub fn can_become(self, to: BookingStatus) -> bool {
        use BookingStatus::*;
        matches!(
            (self, to),
            (Pending, PaymentProcessing)
                | (PaymentProcessing, Confirmed)
                | (Confirmed, Completed)
                | (Pending | PaymentProcessing | Confirmed, Cancelled)
                | (Cancelled, Refunded)
                // A declined or abandoned charge goes back to waiting for payment.
                | (PaymentProcessing, Pending)
        )
    }

    /// The event a move emits.
    pub fn event(to: BookingStatus) -> &'static str {
        match to {
            BookingStatus::Pending => "booking.payment_failed",
            BookingStatus::PaymentProcessing => "booking.payment_started",
            BookingStatus::Confirmed => "booking.confirmed",
            BookingStatus::Completed => "booking.completed",
            BookingStatus::Cancelled => "booking.cancelled",
            BookingStatus::Refunded => "booking.refunded",
        }
    }
}

impl std::fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Records a new booking's first state (audit and `booking.created`).
pub fn created(unit: &dyn Unit, booking: &str, user: &str, now: i64) -> Result<()> {
    unit.bookings().audit_created(booking, now)?;
    events::emit(
        unit,
        "booking.created",
        booking,
        Some(user),
        &serde_json::json!({"booking_id": booking, "status": "PENDING"}),
        now,
    )
}

/// Moves a booking from its current status to `to`, or fails without changing anything.
pub fn transition(
    unit: &dyn Unit,
    booking: &str,
    to: BookingStatus,
    reason: &str,
    now: i64,
) -> Result<BookingStatus> {
    let (from, user) = unit
        .bookings()
        .status(booking)?
        .ok_or_else(|| Error::NotFound(format!("no booking {booking}")))?;
    let from = BookingStatus::parse(&from)?;
    if !from.can_become(to) {
        return Err(Error::Conflict(format!(
            "booking {booking} is {from} and cannot become {to}"
        )));
    }
    // Conditional on the status just read: a writer that moved the booking in between (another
    // process, another database connection) makes this one change nothing, and it is refused
    // instead of overwriting that move.
    if !unit
        .bookings()
        .move_status(booking, from.as_str(), to.as_str(), reason, now)?
    {
        return Err(Error::Conflict(format!(
            "booking {booking} changed while it was becoming {to}: look at it again"
        )));
    }
    events::emit(
        unit,
        BookingStatus::event(to),
        booking,
        Some(&user),
        &serde_json::json!({"booking_id": booking, "from": from, "to": to, "reason": reason}),
        now,
    )?;
    Ok(from)
}

#[cfg(test)]
mod tests {
    use super::BookingStatus::*;
    use super::*;

    #[test]
    fn only_the_documented_moves_are_legal() {
        let legal = [
            (Pending, PaymentProcessing),
            (PaymentProcessing, Confirmed),
            (Confirmed, Completed),
            (Pending, Cancelled),
            (PaymentProcessing, Cancelled),
            (Confirmed, Cancelled),
            (Cancelled, Refunded),
            (PaymentProcessing, Pending),
        ];
        for from in BookingStatus::ALL {
            for to in BookingStatus::ALL {
                assert_eq!(
                    from.can_become(to),
                    legal.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }
}
