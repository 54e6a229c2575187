//! Writing a notice: the template of its kind in the recipient's language (files under
//! `notify/templates/<locale>/`, built into the binary), as plain text and as HTML from the
//! same words, with the footer that says how to stop that kind of message.

use super::Kind;
use super::locale::{LOCALES, pick};
use crate::error::{Error, Result};
use minijinja::{Environment, Value};
use std::sync::OnceLock;

macro_rules! templates {
    ($($locale:literal),*) => {
        &[$(
            ($locale, "_footer", include_str!(concat!("templates/", $locale, "/_footer.txt"))),
            ($locale, "welcome", include_str!(concat!("templates/", $locale, "/welcome.txt"))),
            ($locale, "booking_confirmed", include_str!(concat!("templates/", $locale, "/booking_confirmed.txt"))),
            ($locale, "payment_receipt", include_str!(concat!("templates/", $locale, "/payment_receipt.txt"))),
            ($locale, "booking_cancelled", include_str!(concat!("templates/", $locale, "/booking_cancelled.txt"))),
            ($locale, "refund", include_str!(concat!("templates/", $locale, "/refund.txt"))),
            ($locale, "price_alert", include_str!(concat!("templates/", $locale, "/price_alert.txt"))),
            ($locale, "reminder", include_str!(concat!("templates/", $locale, "/reminder.txt"))),
        )*]
    };
}

const TEMPLATES: &[(&str, &str, &str)] = templates!("en", "es", "fr", "de");
const LAYOUT: &str = include_str!("templates/layout.html");

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (locale, name, source) in TEMPLATES {
            // The templates are part of the binary and covered by tests: one that does not
            // parse is a build mistake, found by `every_kind_renders_in_every_language`.
            if let Err(e) = env.add_template_owned(format!("{locale}/{name}.txt"), *source) {
                tracing::error!(error = %e, locale, name, "a notification template does not parse");
            }
        }
        if let Err(e) = env.add_template("layout.html", LAYOUT) {
            tracing::error!(error = %e, "the notification layout does not parse");
        }
        env
    })
}

/// A notice written out.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub locale: &'static str,
    pub subject: String,
    /// The plain text, footer included.
    pub text: String,
    pub html: String,
}

fn failed(e: minijinja::Error) -> Error {
    Error::internal(format!("writing a notification: {e}"))
}

/// Writes `kind` in `locale` (English when that language is not supported) from `context`.
pub fn write(kind: Kind, locale: &str, context: &serde_json::Value) -> Result<Written> {
    let locale = pick(locale);
    let env = environment();
    let mut ctx = context.clone();
    if let Some(map) = ctx.as_object_mut() {
        map.insert("kind_name".into(), kind.name(locale).into());
        map.insert(
            "stop".into(),
            format!("booksygo inbox prefs {} none", kind.as_str()).into(),
        );
    }
    let ctx = Value::from(minijinja::value::Serde(&ctx));
    let block = |template: &str, block: &str| -> Result<String> {
        env.get_template(template)
            .map_err(failed)?
            .render_captured(ctx.clone())
            .map_err(failed)?
            .with_state_mut(|state| state.render_block(block))
            .map_err(failed)
    };
    let template = format!("{locale}/{}.txt", kind.as_str());
    let subject = block(&template, "subject")?;
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    let body = block(&template, "body")?;
    let body = body.trim().to_string();
    let footer = block(&format!("{locale}/_footer.txt"), "body")?;
    let footer = footer.trim().to_string();
    let text = format!("{body}\n\n-- \n{footer}\n");
    let paragraphs: Vec<Vec<String>> = body
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(|l| l.trim_end().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|p| p.iter().any(|l| !l.trim().is_empty()))
        .collect();
    let html = env
        .get_template("layout.html")
        .map_err(failed)?
        .render(minijinja::context! {
            locale => locale,
            subject => subject.clone(),
            paragraphs => paragraphs,
            footer => footer.clone(),
        })
        .map_err(failed)?;
    Ok(Written {
        locale,
        subject,
        text,
        html,
    })
}

/// The languages there are templates for.
pub fn locales() -> &'static [&'static str] {
    &LOCALES
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> serde_json::Value {
        serde_json::json!({
            "email": "ada@example.com",
            "code": "BGY7K2",
            "booking_id": "bkg_1",
            "starts": "Sunday 14 March 2027",
            "ends": "Sunday 21 March 2027",
            "items": [{"description": "BA117 LHR-JFK <economy>", "price": "EUR 251.00"}],
            "total": "EUR 251.00",
            "paid": "EUR 251.00",
            "points": 0,
            "points_value": "EUR 0.00",
            "at": "Sunday 14 March 2027, 09:05 UTC",
            "refund": "EUR 100.00",
            "amount": "EUR 100.00",
            "origin": "LHR",
            "destination": "JFK",
            "date": "Sunday 14 March 2027",
            "price": "EUR 199.00",
            "below": "EUR 200.00",
            "first": "BA117 LHR-JFK",
            "departs": "Sunday 14 March 2027, 09:05 GMT",
            "command": "booksygo bookings show BGY7K2",
        })
    }

    #[test]
    fn every_kind_renders_in_every_language() {
        for locale in locales() {
            for kind in Kind::ALL {
                let w = write(kind, locale, &sample())
                    .unwrap_or_else(|e| panic!("{locale}/{}: {e}", kind.as_str()));
                assert_eq!(w.locale, *locale);
                assert!(!w.subject.is_empty() && !w.subject.contains('\n'));
                assert!(
                    w.text
                        .contains(&format!("booksygo inbox prefs {} none", kind.as_str())),
                    "{locale}/{}: no way to stop in {}",
                    kind.as_str(),
                    w.text
                );
                assert!(w.html.contains(&format!("<html lang=\"{locale}\">")));
                assert!(!w.text.contains("{{") && !w.html.contains("{{"));
            }
        }
    }

    #[test]
    fn html_escapes_what_the_text_carries() {
        let w = write(Kind::BookingConfirmed, "en", &sample()).unwrap();
        assert!(w.text.contains("BA117 LHR-JFK <economy>: EUR 251.00"));
        assert!(w.html.contains("BA117 LHR-JFK &lt;economy&gt;: EUR 251.00"));
        assert!(!w.html.contains("<economy>"));
    }

    #[test]
    fn an_unsupported_language_is_written_in_english() {
        let pt = write(Kind::Welcome, "pt-BR", &sample()).unwrap();
        let en = write(Kind::Welcome, "en", &sample()).unwrap();
        assert_eq!(pt, en);
        let es = write(Kind::Welcome, "es", &sample()).unwrap();
        assert_eq!(es.subject, "Bienvenido a BooksyGo");
    }
}
