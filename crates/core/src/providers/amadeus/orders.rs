//! Flight orders: travellers checked and booked on Amadeus's own offer, retrieved, cancelled
//! in one call; an order whose answer was lost cannot be looked up (it carries no id of ours).

use super::{Amadeus, OFFER_TTL_SECONDS};
use crate::error::{Error, Result};
use crate::model::traveller::{Gender, PassengerInput};
use crate::model::{Currency, FlightOffer, Money, PassengerType};
use crate::providers::{FlightOrders, OrderRequest, SupplierCancellation, SupplierOrder};
use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::{Value, json};
use std::collections::HashMap;

impl Amadeus {
    pub(crate) fn map_order(raw: &Value) -> Result<SupplierOrder> {
        let d = &raw["data"];
        let offer = &d["flightOffers"][0]["price"];
        let total = match (
            offer["grandTotal"].as_str().or(offer["total"].as_str()),
            offer["currency"].as_str(),
        ) {
            (Some(a), Some(c)) => Money::from_decimal(a, Currency::parse(c)?)?,
            _ => Money::zero(Currency::EUR),
        };
        Ok(SupplierOrder {
            order_id: d["id"].as_str().unwrap_or_default().to_string(),
            booking_reference: d["associatedRecords"][0]["reference"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            total,
            cancelled: false,
            intent: None,
            awaiting_payment: false,
            payment_required_by: None,
        })
    }
}

#[async_trait]
impl FlightOrders for Amadeus {
    fn check_travellers(&self, passengers: &[PassengerInput], phone: Option<&str>) -> Result<()> {
        if passengers.iter().any(|p| p.gender.is_none()) {
            return Err(Error::invalid(
                "Amadeus needs each traveller's gender (m or f): add it to --passenger, e.g. \"Ada,Lovelace,1990-12-10,adult,f\"",
            ));
        }
        if !phone.is_some_and(|p| p.starts_with('+') && p.len() > 8) {
            return Err(Error::invalid(
                "Amadeus needs a contact phone number in international form: --phone +442080160508",
            ));
        }
        Ok(())
    }

    /// Flight Offers Price: the offer confirmed at today's price (offered as long as the
    /// search's offer was).
    async fn refresh(&self, offer: &FlightOffer) -> Result<FlightOffer> {
        let searched_at = Timestamp::from_second(offer.expires_at.as_second() - OFFER_TTL_SECONDS)
            .unwrap_or(offer.expires_at);
        self.price(offer, searched_at).await
    }

    async fn create_order(&self, req: &OrderRequest<'_>) -> Result<SupplierOrder> {
        let raw = req
            .offer
            .supplier_offer
            .clone()
            .ok_or_else(|| Error::internal("an Amadeus offer without Amadeus's own offer"))?;
        let mut ids: HashMap<PassengerType, Vec<&str>> = HashMap::new();
        for p in &req.offer.passengers {
            ids.entry(p.kind).or_default().push(&p.id);
        }
        let mut used: HashMap<PassengerType, usize> = HashMap::new();
        let (code, number) = split_phone(req.phone.unwrap_or_default());
        let mut travelers = Vec::new();
        for p in req.passengers {
            let n = used.entry(p.kind()).or_default();
            let id = ids.get(&p.kind()).and_then(|v| v.get(*n)).ok_or_else(|| {
                Error::invalid(format!(
                    "the Amadeus offer has no place for another {}",
                    p.kind().as_str()
                ))
            })?;
            *n += 1;
            travelers.push(json!({
                "id": id,
                "dateOfBirth": p.born_on.to_string(),
                "gender": match p.gender { Some(Gender::F) => "FEMALE", _ => "MALE" },
                "name": {"firstName": p.given_name.trim().to_uppercase(), "lastName": p.family_name.trim().to_uppercase()},
                "contact": {"emailAddress": req.email, "phones": [{"deviceType": "MOBILE", "countryCallingCode": code, "number": number}]},
            }));
        }
        let body = json!({"data": {"type": "flight-order", "flightOffers": [raw], "travelers": travelers}});
        let v = self
            .call(
                reqwest::Method::POST,
                "/v1/booking/flight-orders",
                Some(&body),
            )
            .await?;
        Self::map_order(&v)
    }

    async fn find_order(&self, _intent: &str) -> Result<Option<SupplierOrder>> {
        Err(Error::Conflict(
            "Amadeus orders cannot be looked up by BooksyGo's reference: check the Amadeus console for this booking".into(),
        ))
    }

    async fn get_order(&self, order_id: &str) -> Result<SupplierOrder> {
        let v = self
            .call(
                reqwest::Method::GET,
                &format!("/v1/booking/flight-orders/{order_id}"),
                None,
            )
            .await?;
        Self::map_order(&v)
    }

    /// Amadeus cancels in one call: the quote is the order itself, nothing refunded by it.
    async fn quote_cancellation(&self, order_id: &str) -> Result<SupplierCancellation> {
        Ok(SupplierCancellation {
            id: order_id.to_string(),
            order_id: order_id.to_string(),
            refund: None,
            expires_at: None,
            confirmed: false,
        })
    }

    async fn confirm_cancellation(&self, order_id: &str) -> Result<SupplierCancellation> {
        self.call(
            reqwest::Method::DELETE,
            &format!("/v1/booking/flight-orders/{order_id}"),
            None,
        )
        .await?;
        Ok(SupplierCancellation {
            id: order_id.to_string(),
            order_id: order_id.to_string(),
            refund: None,
            expires_at: None,
            confirmed: true,
        })
    }
}

/// "+442080160508" -> ("44", "2080160508"), for the country codes of one to three digits
/// that Amadeus wants apart (a best effort: common codes first).
fn split_phone(p: &str) -> (String, String) {
    let digits: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
    let cc_len = if digits.starts_with('1') || digits.starts_with('7') {
        1
    } else if [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ]
    .iter()
    .any(|c| digits.starts_with(c))
    {
        2
    } else {
        3
    };
    let cc_len = cc_len.min(digits.len());
    (digits[..cc_len].to_string(), digits[cc_len..].to_string())
}
