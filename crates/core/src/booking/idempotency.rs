//! Idempotency keys on create, pay and cancel, with Stripe's semantics: the same key and
//! request replays the first answer; the same key with another request is refused. A request
//! whose key's first request is still running (on this instance or another) waits for its
//! answer, up to [`WAIT_FOR_FIRST`], and replays it; only then is it refused as still running.
//!
//! A key is tied to the booking it acts on: pay and cancel name it up front, and create ties
//! it inside the very transaction that writes the booking ([`Claim::attach`]). So a request
//! cut short (the process died, the database failed) never runs a second time from scratch:
//! once it counts as abandoned, a retry either runs it again because nothing was written under
//! the key, or is told to carry on from the booking the key is tied to ([`Begun::Resume`]).

use super::Booking;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{KeyRecord, KeyRef, Store, Unit};

/// An unfinished request frees its idempotency key after this long.
pub const IDEMPOTENCY_ABANDONED_SECONDS: i64 = 5 * 60;

/// How long a request waits for the answer of the first request with its key.
pub const WAIT_FOR_FIRST: std::time::Duration = std::time::Duration::from_secs(5);

/// The key a request runs under.
#[derive(Clone)]
pub(crate) struct Claim {
    scope: &'static str,
    user: String,
    key: String,
    /// When this request took the key: a request that outlived its claim (another took the
    /// key over as abandoned) can no longer write under it.
    taken_at: i64,
}

impl Claim {
    fn key(&self) -> KeyRef<'_> {
        KeyRef {
            scope: self.scope,
            user: &self.user,
            key: &self.key,
        }
    }

    /// Ties the key to `booking_id` inside the transaction that creates the booking: if that
    /// transaction commits, no retry under this key can ever create a second booking. A
    /// request whose claim was taken over meanwhile is refused, and its booking rolls back.
    pub(crate) fn attach(&self, unit: &dyn Unit, booking_id: &str) -> Result<()> {
        if !unit.keys().tie(&self.key(), self.taken_at, booking_id)? {
            return Err(Error::Conflict(format!(
                "the request with idempotency key '{}' took too long and was taken over by a retry: nothing was booked by this one",
                self.key
            )));
        }
        Ok(())
    }
}

/// What a request under a key is to do.
pub(crate) enum Begun {
    /// No key was given: run.
    Unkeyed,
    /// The key is ours: run, then [`finish`].
    Fresh(Claim),
    /// The key's first request finished: this was its answer.
    Replay(Box<Result<Booking>>),
    /// The key's first request never finished, and wrote to this booking: carry on from the
    /// booking as it stands (then [`finish`]), never start again.
    Resume(Claim, String),
}

/// Claims `key` for a request whose digest is `hash`, acting on `booking` when it is known
/// up front (pay, cancel). One transaction: two requests with one key never both run.
pub(crate) fn begin(
    store: &Store,
    scope: &'static str,
    user: &str,
    key: Option<&str>,
    hash: &str,
    booking: Option<&str>,
    now: i64,
) -> Result<Begun> {
    let Some(key) = key else {
        return Ok(Begun::Unkeyed);
    };
    if key.is_empty() || key.len() > 255 {
        return Err(Error::invalid("an idempotency key is 1 to 255 characters"));
    }
    let claim = Claim {
        scope,
        user: user.to_string(),
        key: key.to_string(),
        taken_at: now,
    };
    let k = KeyRef { scope, user, key };
    // Two requests with one key at the same moment: the second waits for the first's answer
    // and replays it, so both get the same answer.
    let deadline = std::time::Instant::now() + WAIT_FOR_FIRST;
    let begun = loop {
        let claim = claim.clone();
        let found = store.write(move |unit| {
            let keys = unit.keys();
            // Claim the key by inserting it: of two writers with one key, exactly one inserts.
            if keys.claim(&k, hash, booking, now)? {
                return Ok(Some(Begun::Fresh(claim)));
            }
            let seen = keys
                .record(&k)?
                .ok_or_else(|| Error::internal(format!("idempotency key '{key}' vanished")))?;
            // A request that never finished (the process died, the client went away) does not
            // hold its key for ever: after a few minutes it counts as abandoned.
            let abandoned = seen.response == INTERRUPTED
                || (seen.response == IN_PROGRESS
                    && seen.taken_at < now - IDEMPOTENCY_ABANDONED_SECONDS);
            // Taking over an abandoned key is conditional on the record as read: of two retries,
            // one takes it and the other finds it in progress.
            let KeyRecord {
                request_hash,
                response,
                booking: tied,
                ..
            } = &seen;
            if abandoned && tied.is_none() {
                // Nothing was written under the key: it is free, for any request.
                if !keys.take_over(&k, &seen, hash, booking, now)? {
                    return Ok(None);
                }
                Ok(Some(Begun::Fresh(claim)))
            } else if request_hash != hash {
                Err(Error::Conflict(format!(
                    "idempotency key '{key}' was already used with a different request"
                )))
            } else if let (true, Some(booking_id)) = (abandoned, tied) {
                if !keys.take_over(&k, &seen, hash, Some(booking_id), now)? {
                    return Ok(None);
                }
                Ok(Some(Begun::Resume(claim, booking_id.clone())))
            } else if response == IN_PROGRESS {
                // Its first request runs: wait for its answer.
                Ok(None)
            } else {
                Ok(Some(Begun::Replay(Box::new(replay(unit, user, response)?))))
            }
        })?;
        match found {
            Some(begun) => break begun,
            None if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            None => {
                return Err(Error::Conflict(format!(
                    "a request with idempotency key '{key}' is still in progress"
                )));
            }
        }
    };
    crate::faults::step("idempotency.claimed");
    Ok(begun)
}

/// The first request is running, or died with the process.
const IN_PROGRESS: &str = "in_progress";
/// The first request failed on our side after writing to its booking: the next retry
/// carries on from that booking at once.
const INTERRUPTED: &str = "interrupted";

/// The fields of a booking answer that hold personal data: never kept in the idempotency
/// table (which is not sealed), read again from the booking (where they are) on replay.
const PERSONAL: [&str; 2] = ["contact_email", "passengers"];

/// A booking answer as kept for replay: the first answer without its personal data.
fn kept(booking: &Booking) -> Result<serde_json::Value> {
    let mut answer = serde_json::to_value(booking)?;
    if let Some(fields) = answer.as_object_mut() {
        for field in PERSONAL {
            fields.remove(field);
        }
    }
    Ok(serde_json::json!({ "ok": answer }))
}

fn replay(unit: &dyn Unit, user: &str, response: &str) -> Result<Result<Booking>> {
    let v: serde_json::Value = serde_json::from_str(response)?;
    if let Some(b) = v.get("ok") {
        let mut answer = b.clone();
        // The first answer as it was, with the traveller data as the booking holds it now
        // (answers kept before this rule still hold it, and are replayed as they are).
        if let Some(fields) = answer.as_object_mut()
            && PERSONAL.iter().any(|f| !fields.contains_key(*f))
        {
            let id = fields
                .get("id")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| Error::internal("a kept answer without its booking id"))?;
            let now = serde_json::to_value(super::desk::load(unit, user, id)?)?;
            for field in PERSONAL {
                fields.insert(field.to_string(), now[field].clone());
            }
        }
        return Ok(Ok(serde_json::from_value(answer)?));
    }
    let message = v["error"]["message"]
        .as_str()
        .unwrap_or("failed")
        .to_string();
    Ok(Err(match v["error"]["kind"].as_str() {
        Some("invalid_input") => Error::invalid(message),
        Some("not_found") => Error::NotFound(message),
        Some("auth_required") => Error::AuthRequired(message),
        _ => Error::Conflict(message),
    }))
}

/// Records the answer to replay. Failures on our side or a supplier's are worth retrying:
/// the key is freed when nothing was written under it, and otherwise marked so that the
/// next retry carries on from its booking. The outcome stands even if recording it fails
/// (the key then counts as abandoned after a while, and is resumed or freed as above).
pub(crate) fn finish(store: &Store, claim: &Claim, outcome: &Result<Booking>) {
    let recorded = store.read(|unit| {
        let keys = unit.keys();
        let k = claim.key();
        if let Err(e) = outcome
            && matches!(e.kind(), ErrorKind::Internal | ErrorKind::SuppliersFailed)
        {
            if !keys.free(&k, claim.taken_at)? {
                keys.answer(&k, claim.taken_at, INTERRUPTED)?;
            }
            return Ok(());
        }
        let response = match outcome {
            Ok(b) => kept(b)?,
            Err(e) => serde_json::json!({"error": {"kind": e.kind(), "message": e.to_string()}}),
        };
        keys.answer(&k, claim.taken_at, &response.to_string())?;
        Ok(())
    });
    if recorded.is_ok() {
        crate::faults::step("idempotency.finished");
    }
}
