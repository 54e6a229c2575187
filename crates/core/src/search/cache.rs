//! The search cache's one policy: an answer is kept for its time to live, the cache is
//! bounded in size, and every layer is forgotten together when inventory changes.
//!
//! Search keeps two layers of it, on purpose: what the providers answered for a request
//! (`Aggregator`: a different sort, filter or currency of the same trip reuses it without
//! calling a supplier again) and the finished answer for a query (`Searcher`: a repeated
//! search is a lookup). Both use the same time to live, so the finished answer never
//! outlives the offers it was made from.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a flight answer is served from the cache.
pub const FLIGHT_TTL: Duration = Duration::from_secs(600);
/// How long a hotel answer is served from the cache.
pub const HOTEL_TTL: Duration = Duration::from_secs(900);

/// Answers by key, each for `ttl`; when more than `capacity` are held the oldest half is
/// dropped rather than the whole map, so a busy server keeps its hot answers.
///
/// The key is whatever identifies an answer: a request's wire form, or a query itself (then a
/// hit hashes the query's fields, with nothing serialised or allocated).
pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Hash + Eq, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        TtlCache {
            ttl,
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The answer kept under `key`, if it is younger than the time to live.
    pub fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, value: V) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= self.capacity {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            if entries.len() >= self.capacity {
                let mut ages: Vec<Instant> = entries.values().map(|(at, _)| *at).collect();
                ages.sort_unstable();
                let cut = ages[ages.len() / 2];
                entries.retain(|_, (at, _)| *at > cut);
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    /// Forgets every answer (inventory changed).
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_served_until_its_time_to_live_and_forgotten_on_clear() {
        let cache = TtlCache::<String, _>::new(Duration::from_secs(60), 8);
        cache.put("a".into(), 1);
        assert_eq!(cache.get("a"), Some(1));
        assert_eq!(cache.get("b"), None);
        cache.clear();
        assert_eq!(cache.get("a"), None);

        let expired = TtlCache::<String, _>::new(Duration::ZERO, 8);
        expired.put("a".into(), 1);
        assert_eq!(expired.get("a"), None);
    }

    #[test]
    fn a_full_cache_drops_its_oldest_half_and_keeps_the_newest() {
        let cache = TtlCache::<String, _>::new(Duration::from_secs(60), 4);
        for (i, k) in ["a", "b", "c", "d"].into_iter().enumerate() {
            cache.put(k.into(), i);
            // Distinct insertion instants, so "oldest" is well defined.
            let t = Instant::now();
            while Instant::now() == t {}
        }
        cache.put("e".into(), 4);
        assert_eq!(cache.get("e"), Some(4));
        assert_eq!(cache.get("d"), Some(3));
        assert_eq!(cache.get("a"), None);
        let held = ["a", "b", "c", "d", "e"]
            .iter()
            .filter(|k| cache.get(**k).is_some())
            .count();
        assert!(held <= 4, "held {held}");
    }
}
