//! A flight answer as it goes over the wire: the JSON the team server sends for
//! `POST /api/search/flights` (and `RemoteAgency` reads back as [`FlightResults`]), made once
//! per cached answer, and that JSON compressed for each encoding a client asked for, made the
//! first time one does. Kept with the answer in the searcher's cache, so a repeated search is a
//! lookup and a write, and every copy is forgotten with the answer when inventory changes.

use super::results::FlightResults;
use crate::error::{Error, Result};
use crate::model::FlightOffer;
use bytes::Bytes;
use serde::Serialize;
use std::io::Write;
use std::sync::OnceLock;

/// How the bytes of an answer are encoded (HTTP's `Content-Encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Identity,
    Gzip,
    Zstd,
}

impl Encoding {
    /// The name HTTP gives it.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Zstd => "zstd",
        }
    }
}

/// Answers shorter than this are sent as they are: compressing them saves less than the
/// encoding's own framing and the client's work to undo it.
pub const MIN_COMPRESSED: usize = 1024;
/// gzip's level: 6 is zlib's default, and the answer is compressed once per cached query.
const GZIP_LEVEL: u32 = 6;
/// zstd's level: 3 is its default.
const ZSTD_LEVEL: i32 = 3;

/// An answer ready to send.
#[derive(Debug, Clone)]
pub struct WireAnswer {
    /// The JSON, encoded as [`WireAnswer::encoding`] says.
    pub body: Bytes,
    /// What was asked for, or [`Encoding::Identity`] when compressing would not pay
    /// (see [`MIN_COMPRESSED`]).
    pub encoding: Encoding,
    /// Whether the answer came from the cache (no provider was asked).
    pub cached: bool,
}

/// The shape of the JSON: the offers, and the warnings when there are any.
#[derive(Serialize)]
struct Wire<'a> {
    offers: &'a [FlightOffer],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
}

/// A finished answer and its wire forms, each made at most once (two requests racing for the
/// same form may both make it; one copy is kept).
pub(crate) struct KeptAnswer {
    pub results: FlightResults,
    json: OnceLock<Bytes>,
    /// `None` inside: compressing this answer does not pay.
    gzip: OnceLock<Option<Bytes>>,
    zstd: OnceLock<Option<Bytes>>,
}

impl KeptAnswer {
    pub fn new(results: FlightResults) -> Self {
        KeptAnswer {
            results,
            json: OnceLock::new(),
            gzip: OnceLock::new(),
            zstd: OnceLock::new(),
        }
    }

    /// The answer's JSON.
    pub fn json(&self) -> Result<Bytes> {
        once(&self.json, || {
            let wire = Wire {
                offers: &self.results.offers,
                warnings: &self.results.warnings,
            };
            Ok(Bytes::from(serde_json::to_vec(&wire)?))
        })
    }

    /// The answer in `want`, or as plain JSON when compressing it does not pay.
    pub fn encoded(&self, want: Encoding) -> Result<(Bytes, Encoding)> {
        let slot = match want {
            Encoding::Identity => return Ok((self.json()?, Encoding::Identity)),
            Encoding::Gzip => &self.gzip,
            Encoding::Zstd => &self.zstd,
        };
        let json = self.json()?;
        let compressed = once(slot, || {
            if json.len() < MIN_COMPRESSED {
                return Ok(None);
            }
            let packed = compress(&json, want)?;
            Ok((packed.len() < json.len()).then(|| Bytes::from(packed)))
        })?;
        Ok(match compressed {
            Some(bytes) => (bytes, want),
            None => (json, Encoding::Identity),
        })
    }
}

/// The value in `slot`, made by `make` when there is none yet. Nothing blocks: a request
/// that finds the slot empty makes the value itself rather than wait for another.
fn once<T: Clone>(slot: &OnceLock<T>, make: impl FnOnce() -> Result<T>) -> Result<T> {
    if let Some(v) = slot.get() {
        return Ok(v.clone());
    }
    let made = make()?;
    let _ = slot.set(made.clone());
    Ok(slot.get().cloned().unwrap_or(made))
}

/// `data` compressed as `how` says.
pub fn compress(data: &[u8], how: Encoding) -> Result<Vec<u8>> {
    match how {
        Encoding::Identity => Ok(data.to_vec()),
        Encoding::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(
                Vec::with_capacity(data.len() / 4),
                flate2::Compression::new(GZIP_LEVEL),
            );
            gz.write_all(data).map_err(Error::internal)?;
            gz.finish().map_err(Error::internal)
        }
        Encoding::Zstd => zstd::bulk::compress(data, ZSTD_LEVEL).map_err(Error::internal),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn results(n: usize, warnings: Vec<String>) -> FlightResults {
        let offer: FlightOffer =
            serde_json::from_str(include_str!("../../tests/data/flight_offer.json")).unwrap();
        FlightResults {
            offers: vec![offer; n],
            warnings,
        }
    }

    #[test]
    fn the_json_leaves_out_empty_warnings_and_keeps_the_rest() {
        let quiet = KeptAnswer::new(results(1, vec![]));
        let v: serde_json::Value = serde_json::from_slice(&quiet.json().unwrap()).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 1, "{v}");
        assert_eq!(
            v["offers"][0],
            serde_json::to_value(&quiet.results.offers[0]).unwrap()
        );
        let warned = KeptAnswer::new(results(1, vec!["duffel was slow".into()]));
        let v: serde_json::Value = serde_json::from_slice(&warned.json().unwrap()).unwrap();
        assert_eq!(v["warnings"], serde_json::json!(["duffel was slow"]));
        // What `RemoteAgency` reads back is the answer itself.
        let back: FlightResults = serde_json::from_slice(&warned.json().unwrap()).unwrap();
        assert_eq!(back.warnings, warned.results.warnings);
        assert_eq!(back.offers.len(), 1);
    }

    #[test]
    fn each_encoding_decodes_to_the_json_and_is_made_once() {
        let kept = KeptAnswer::new(results(20, vec![]));
        let json = kept.json().unwrap();
        let (gz, how) = kept.encoded(Encoding::Gzip).unwrap();
        assert_eq!(how, Encoding::Gzip);
        assert!(gz.len() < json.len() / 3, "{} of {}", gz.len(), json.len());
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, json);
        let (zs, how) = kept.encoded(Encoding::Zstd).unwrap();
        assert_eq!(how, Encoding::Zstd);
        assert_eq!(zstd::bulk::decompress(&zs, json.len()).unwrap(), json);
        // The same bytes again: kept, not made anew.
        let (again, _) = kept.encoded(Encoding::Gzip).unwrap();
        assert_eq!(again.as_ptr(), gz.as_ptr());
        assert_eq!(kept.json().unwrap().as_ptr(), json.as_ptr());
    }

    #[test]
    fn a_small_answer_is_sent_plain() {
        let kept = KeptAnswer::new(results(0, vec![]));
        let (body, how) = kept.encoded(Encoding::Gzip).unwrap();
        assert_eq!(how, Encoding::Identity);
        assert_eq!(&body[..], br#"{"offers":[]}"#);
    }
}
