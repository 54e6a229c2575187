//! Fault injection for crash tests: `BOOKSYGO_FAULT=<step>` makes the process abort (as
//! abruptly as `kill -9`: no destructors, no flushing) the moment it reaches that named step.
//! Unset, as in every normal run, a step is one check of a value read once.
//!
//! The steps, in order: `idempotency.claimed` (a key is taken), `booking.committed` (the booking
//! is written, and paid at once by an in-process provider), `charge.started` (a charge attempt
//! is written down), `charge.answered` (the payment provider answered), `charge.settled` (its
//! outcome is written), `cancel.committed` (a cancellation is written, refunds not yet paid
//! out), `idempotency.finished` (the answer to replay is recorded).

use std::sync::OnceLock;

static FAULT: OnceLock<Option<String>> = OnceLock::new();

/// Aborts the process here when `BOOKSYGO_FAULT` names `step`.
pub fn step(step: &str) {
    let armed = FAULT.get_or_init(|| {
        std::env::var("BOOKSYGO_FAULT")
            .ok()
            .filter(|s| !s.is_empty())
    });
    if armed.as_deref() == Some(step) {
        eprintln!("BOOKSYGO_FAULT: aborting at step {step}");
        std::process::abort();
    }
}
