//! The sandbox payment provider, with test cards in the spirit of Stripe's:
//!
//! | card | outcome |
//! | --- | --- |
//! | 4242 4242 4242 4242 | succeeds |
//! | 4000 0000 0000 0002 | declined |
//! | 4000 0000 0000 9995 | declined: insufficient funds |
//! | 4000 0027 6000 3184 | requires confirmation (3-D Secure), then succeeds |
//!
//! Any other valid card succeeds.

use super::{Card, ChargeOutcome, PaymentProvider};
use crate::error::{Error, Result};
use crate::model::Money;
use async_trait::async_trait;

pub const NAME: &str = "sandbox";

#[derive(Debug, Clone, Default)]
pub struct SandboxPayments;

fn outcome(amount: Money, card: &Card, idempotency_key: &str) -> Result<ChargeOutcome> {
    if amount.minor <= 0 {
        return Err(Error::internal("charge of a non-positive amount"));
    }
    let reference = format!("ch_sbx_{:016x}", crate::geo::word(idempotency_key));
    Ok(match card.number.as_str() {
        "4000000000000002" => ChargeOutcome::Declined {
            reason: "the card was declined".into(),
        },
        "4000000000009995" => ChargeOutcome::Declined {
            reason: "insufficient funds".into(),
        },
        "4000002760003184" => ChargeOutcome::RequiresAction { reference },
        _ => ChargeOutcome::Succeeded { reference },
    })
}

#[async_trait]
impl PaymentProvider for SandboxPayments {
    fn name(&self) -> &str {
        NAME
    }

    async fn charge(
        &self,
        amount: Money,
        card: &Card,
        idempotency_key: &str,
    ) -> Result<ChargeOutcome> {
        outcome(amount, card, idempotency_key)
    }

    fn charge_now(
        &self,
        amount: Money,
        card: &Card,
        idempotency_key: &str,
    ) -> Option<Result<ChargeOutcome>> {
        Some(outcome(amount, card, idempotency_key))
    }

    async fn confirm(&self, reference: &str) -> Result<ChargeOutcome> {
        Ok(ChargeOutcome::Succeeded {
            reference: reference.to_string(),
        })
    }

    async fn refund(&self, reference: &str, amount: Money, _key: &str) -> Result<String> {
        Ok(format!(
            "re_sbx_{:016x}",
            crate::geo::hash(&[crate::geo::word(reference), amount.minor as u64])
        ))
    }
}
