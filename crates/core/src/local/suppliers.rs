//! Which real suppliers are on: each is enabled by its credentials, with a base URL that
//! defaults to the supplier's own host. Without credentials nothing changes: the sandbox
//! market and the sandbox cards answer.
//!
//! Names follow the config keys: `duffel.token` is read from `BOOKSYGO_DUFFEL_TOKEN` (or the
//! keyring: `booksygo config set-secret duffel.token`), `duffel.base_url` from
//! `BOOKSYGO_DUFFEL_BASE_URL` or `[duffel] base_url` in config.toml, and so on.

use super::LocalOptions;
use crate::booking::payment::paypal::{self, PayPalConfig, PayPalPayments};
use crate::booking::payment::stripe::{self, StripeConfig, StripePayments};
use crate::error::{Error, Result};
use crate::providers::Secret;
use crate::providers::duffel::{self, Duffel, DuffelConfig};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// `duffel.base_url` -> `BOOKSYGO_DUFFEL_BASE_URL`.
pub fn env_name(key: &str) -> String {
    format!("BOOKSYGO_{}", key.replace('.', "_").to_ascii_uppercase())
}

/// Reads one setting from the environment (non-empty values only). The one place to switch
/// to the shared settings and secrets store.
pub fn from_env(key: &str) -> Option<String> {
    std::env::var(env_name(key))
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Secrets the suppliers read (environment, keyring or the private secrets file).
pub const SECRET_KEYS: &[&str] = &[
    "duffel.token",
    "stripe.secret_key",
    "stripe.webhook_secret",
    "amadeus.client_id",
    "amadeus.client_secret",
    "paypal.secret",
];
/// Plain settings the suppliers read (environment or config.toml).
pub const SETTING_KEYS: &[&str] = &[
    "duffel.base_url",
    "duffel.deadline_secs",
    "duffel.order_timeout_secs",
    "duffel.stays",
    "stripe.base_url",
    "amadeus.base_url",
    "amadeus.deadline_secs",
    "paypal.client_id",
    "paypal.base_url",
    "paypal.webhook_id",
];

/// The configured suppliers.
#[derive(Clone, Default)]
pub struct Suppliers {
    pub duffel: Option<Duffel>,
    /// Duffel Stays (hotels), on with `duffel.stays = true`: Duffel opens Stays per account.
    pub duffel_stays: bool,
    pub stripe: Option<StripePayments>,
    pub stripe_webhook_secret: Option<Secret>,
    pub amadeus: Option<crate::providers::amadeus::Amadeus>,
    /// PayPal beside the card provider, on with `paypal.client_id` and `paypal.secret`.
    pub paypal: Option<Arc<PayPalPayments>>,
}

/// One line of `providers list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProviderStatus {
    pub name: String,
    /// "flights", "payments", ...
    pub kind: String,
    pub enabled: bool,
    /// "test" or "live" (from the key), or "offline" for the sandbox.
    pub mode: String,
    pub base_url: Option<String>,
    pub note: String,
}

/// One line of `providers check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderCheck {
    pub name: String,
    pub ok: bool,
    pub message: String,
}

fn seconds(get: &dyn Fn(&str) -> Option<String>, key: &str, default: u64) -> Result<Duration> {
    match get(key) {
        None => Ok(Duration::from_secs(default)),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=600).contains(s))
            .map(Duration::from_secs)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{}='{v}' is not a number of seconds from 1 to 600",
                    env_name(key)
                ))
            }),
    }
}

impl Suppliers {
    /// From `BOOKSYGO_*` environment variables.
    pub fn from_env() -> Result<Suppliers> {
        Self::from_lookup(&from_env)
    }

    /// From the settings: secrets from the environment, keyring or secrets file; the rest
    /// from the environment or config.toml.
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Suppliers> {
        let mut values = std::collections::HashMap::new();
        for key in SECRET_KEYS {
            if let Some(s) = settings.secret(key)? {
                values.insert(key.to_string(), s.expose().to_string());
            }
        }
        for key in SETTING_KEYS {
            if let Some(v) = settings.get(key) {
                values.insert(key.to_string(), v);
            }
        }
        Self::from_lookup(&|k: &str| values.get(k).cloned())
    }

    /// From any key lookup (`duffel.token`, `duffel.base_url`, ...).
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Suppliers> {
        let mut s = Suppliers::default();
        if let Some(token) = get("duffel.token") {
            let mut cfg = DuffelConfig::new(Secret::new(token));
            if let Some(url) = get("duffel.base_url") {
                cfg.base_url = url;
            }
            cfg.deadline = seconds(get, "duffel.deadline_secs", 12)?;
            cfg.order_timeout = seconds(get, "duffel.order_timeout_secs", 60)?;
            s.duffel = Some(Duffel::new(cfg)?);
            s.duffel_stays = matches!(
                get("duffel.stays").as_deref(),
                Some("1" | "true" | "yes" | "on")
            );
        }
        if let Some(key) = get("stripe.secret_key") {
            let mut cfg = StripeConfig::new(Secret::new(key));
            if let Some(url) = get("stripe.base_url") {
                cfg.base_url = url;
            }
            s.stripe = Some(StripePayments::new(cfg)?);
        }
        s.stripe_webhook_secret = get("stripe.webhook_secret").map(Secret::new);
        if let (Some(id), Some(secret)) = (get("paypal.client_id"), get("paypal.secret")) {
            let mut cfg = PayPalConfig::new(&id, Secret::new(secret));
            if let Some(url) = get("paypal.base_url") {
                cfg.base_url = url;
            }
            cfg.webhook_id = get("paypal.webhook_id");
            s.paypal = Some(Arc::new(PayPalPayments::new(cfg)?));
        }
        if let (Some(id), Some(secret)) = (get("amadeus.client_id"), get("amadeus.client_secret")) {
            let mut cfg =
                crate::providers::amadeus::AmadeusConfig::new(Secret::new(id), Secret::new(secret));
            if let Some(url) = get("amadeus.base_url") {
                cfg.base_url = url;
            }
            cfg.deadline = seconds(get, "amadeus.deadline_secs", 12)?;
            s.amadeus = Some(crate::providers::amadeus::Amadeus::new(
                cfg,
                crate::providers::amadeus::Amadeus::fixture_zones(),
            )?);
        }
        Ok(s)
    }

    /// Plugs the enabled suppliers into a local agency's options.
    pub fn apply(&self, options: &mut LocalOptions) {
        if let Some(d) = &self.duffel {
            options.flight_providers.push(Arc::new(d.clone()));
            if self.duffel_stays {
                options
                    .hotel_providers
                    .push(Arc::new(duffel::stays::DuffelStays::new(d.clone())));
            }
        }
        if let Some(a) = &self.amadeus {
            options.flight_providers.push(Arc::new(a.clone()));
            options.hotel_providers.push(Arc::new(a.clone()));
        }
        if let Some(st) = &self.stripe {
            options.payments = Arc::new(st.clone());
        }
        if self.stripe_webhook_secret.is_some() {
            options.payment_webhook_secret = self.stripe_webhook_secret.clone();
        }
        if let Some(p) = &self.paypal {
            options.paypal = Some(p.clone());
        }
    }

    pub fn list(&self) -> Vec<ProviderStatus> {
        let mut out = vec![ProviderStatus {
            name: "sandbox".into(),
            kind: "flights, hotels, payments".into(),
            enabled: true,
            mode: "offline".into(),
            base_url: None,
            note: "the built-in market and test cards".into(),
        }];
        out.push(match &self.duffel {
            Some(d) => ProviderStatus {
                name: duffel::NAME.into(),
                kind: if self.duffel_stays {
                    "flights, hotels".into()
                } else {
                    "flights".into()
                },
                enabled: true,
                mode: d.config().mode().into(),
                base_url: Some(d.config().base_url.clone()),
                note: format!("search deadline {} s", d.config().deadline.as_secs()),
            },
            None => ProviderStatus {
                name: duffel::NAME.into(),
                kind: "flights".into(),
                enabled: false,
                mode: "-".into(),
                base_url: None,
                note: "set BOOKSYGO_DUFFEL_TOKEN to enable".into(),
            },
        });
        out.push(match &self.stripe {
            Some(st) => ProviderStatus {
                name: stripe::NAME.into(),
                kind: "payments".into(),
                enabled: true,
                mode: st.config().mode().into(),
                base_url: Some(st.config().base_url.clone()),
                note: if self.stripe_webhook_secret.is_some() {
                    "webhook secret set".into()
                } else {
                    "no webhook secret (BOOKSYGO_STRIPE_WEBHOOK_SECRET)".into()
                },
            },
            None => ProviderStatus {
                name: stripe::NAME.into(),
                kind: "payments".into(),
                enabled: false,
                mode: "-".into(),
                base_url: None,
                note: "set BOOKSYGO_STRIPE_SECRET_KEY to enable".into(),
            },
        });
        out.push(match &self.paypal {
            Some(p) => ProviderStatus {
                name: paypal::NAME.into(),
                kind: "payments".into(),
                enabled: true,
                mode: p.config().mode().into(),
                base_url: Some(p.config().base_url.clone()),
                note: if p.config().webhook_id.is_some() {
                    "webhook id set".into()
                } else {
                    "no webhook id (paypal.webhook_id)".into()
                },
            },
            None => ProviderStatus {
                name: paypal::NAME.into(),
                kind: "payments".into(),
                enabled: false,
                mode: "-".into(),
                base_url: None,
                note: "set paypal.client_id and BOOKSYGO_PAYPAL_SECRET to enable".into(),
            },
        });
        out.push(match &self.amadeus {
            Some(a) => ProviderStatus {
                name: crate::providers::amadeus::NAME.into(),
                kind: "flights, hotels (search only)".into(),
                enabled: true,
                mode: a.config().mode().into(),
                base_url: Some(a.config().base_url.clone()),
                note: format!("search deadline {} s", a.config().deadline.as_secs()),
            },
            None => ProviderStatus {
                name: crate::providers::amadeus::NAME.into(),
                kind: "flights".into(),
                enabled: false,
                mode: "-".into(),
                base_url: None,
                note: "set BOOKSYGO_AMADEUS_CLIENT_ID and _CLIENT_SECRET to enable".into(),
            },
        });
        out
    }

    /// One cheap authenticated call per enabled supplier.
    pub async fn check(&self) -> Vec<ProviderCheck> {
        let mut out = Vec::new();
        if let Some(d) = &self.duffel {
            out.push(match d.check().await {
                Ok(()) => ProviderCheck {
                    name: duffel::NAME.into(),
                    ok: true,
                    message: format!("token accepted ({} mode)", d.config().mode()),
                },
                Err(e) => ProviderCheck {
                    name: duffel::NAME.into(),
                    ok: false,
                    message: e.to_string(),
                },
            });
        }
        if let Some(a) = &self.amadeus {
            out.push(match a.check().await {
                Ok(()) => ProviderCheck {
                    name: crate::providers::amadeus::NAME.into(),
                    ok: true,
                    message: format!("client credentials accepted ({} mode)", a.config().mode()),
                },
                Err(e) => ProviderCheck {
                    name: crate::providers::amadeus::NAME.into(),
                    ok: false,
                    message: e.to_string(),
                },
            });
        }
        if let Some(p) = &self.paypal {
            out.push(match p.check().await {
                Ok(()) => ProviderCheck {
                    name: paypal::NAME.into(),
                    ok: true,
                    message: format!("client credentials accepted ({} mode)", p.config().mode()),
                },
                Err(e) => ProviderCheck {
                    name: paypal::NAME.into(),
                    ok: false,
                    message: e.to_string(),
                },
            });
        }
        if let Some(st) = &self.stripe {
            out.push(match st.check().await {
                Ok(()) => ProviderCheck {
                    name: stripe::NAME.into(),
                    ok: true,
                    message: format!("secret key accepted ({} mode)", st.config().mode()),
                },
                Err(e) => ProviderCheck {
                    name: stripe::NAME.into(),
                    ok: false,
                    message: e.to_string(),
                },
            });
        }
        out
    }
}
