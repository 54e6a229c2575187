//! Reviews of completed package bookings.

use super::*;

/// A traveller's review of a package they travelled on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Review {
    pub id: String,
    pub booking_id: String,
    pub package_id: String,
    pub rating: u8,
    pub text: String,
    pub created_at: Timestamp,
}

impl Desk {
    /// Reviews are for completed package bookings, once per booking; the package's rating and
    /// review count move with them, and the reviewer earns points. A booking that is not the
    /// traveller's is not found before the rating or the text is judged: the answer tells
    /// nothing of another traveller's bookings.
    pub fn review_as(
        &self,
        user: &str,
        booking_id: &str,
        rating: u8,
        text: &str,
    ) -> Result<Review> {
        self.sweep()?;
        self.store()
            .write(|tx| self.review_in(tx, user, booking_id, rating, text.trim()))
    }

    fn review_in(
        &self,
        tx: &dyn Unit,
        user: &str,
        booking_id: &str,
        rating: u8,
        text: &str,
    ) -> Result<Review> {
        let b = load(tx, user, booking_id)?;
        if !(1..=5).contains(&rating) {
            return Err(Error::invalid("a rating is 1 to 5"));
        }
        if text.chars().count() < 3 || text.chars().count() > 2000 {
            return Err(Error::invalid("a review is 3 to 2000 characters"));
        }
        if b.status != BookingStatus::Completed {
            return Err(Error::Conflict(format!(
                "booking {} is {}: you can review a package once the trip is completed",
                b.id, b.status
            )));
        }
        let package = b
            .items
            .iter()
            .find(|i| i.kind == "package")
            .map(|i| i.offer_id.clone())
            .ok_or_else(|| Error::invalid(format!("booking {} has no package to review", b.id)))?;
        // One review per booking: a second sent at the same moment waits for the first.
        tx.take_turn(&format!("review:{}", b.id))?;
        if tx.bookings().reviewed(&b.id)? {
            return Err(Error::Conflict(format!(
                "booking {} is already reviewed",
                b.id
            )));
        }
        let id = crate::ids::new("rev");
        let now = self.now().as_second();
        tx.bookings().add_review(&NewReview {
            id: &id,
            booking: &b.id,
            package: &package,
            user,
            rating,
            text,
            at: now,
        })?;
        events::emit(
            tx,
            "review.written",
            &id,
            Some(user),
            &serde_json::json!({"package_id": package, "rating": rating}),
            now,
        )?;
        points::on_review(tx, user, &b.id, now)?;
        Ok(Review {
            id,
            booking_id: b.id,
            package_id: package,
            rating,
            text: text.to_string(),
            created_at: ts(now),
        })
    }
}
