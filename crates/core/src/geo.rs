//! Great-circle distances and deterministic hashing, the two primitives the market is made of.

/// Great-circle distance in kilometres (haversine, mean Earth radius).
pub fn distance_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().asin()
}

/// splitmix64: a fast, well-mixed, stable hash step. The market's randomness comes only from
/// here, so the same inputs give the same market on every machine and every day.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hashes a sequence of words.
pub fn hash(parts: &[u64]) -> u64 {
    parts
        .iter()
        .fold(0x51_7c_c1_b7_27_22_0a_95, |h, p| mix(h ^ p))
}

/// Hashes a short string into a word (FNV-1a).
pub fn word(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// A deterministic value in `0..n`.
pub fn pick(h: u64, n: u64) -> u64 {
    if n == 0 { 0 } else { h % n }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_distances() {
        // LHR-JFK is about 5,540 km; SYD-LAX about 12,050 km.
        let lhr_jfk = distance_km(51.4706, -0.4619, 40.6398, -73.7789);
        assert!((lhr_jfk - 5540.0).abs() < 30.0, "{lhr_jfk}");
        let syd_lax = distance_km(-33.9461, 151.1772, 33.9425, -118.4081);
        assert!((syd_lax - 12050.0).abs() < 60.0, "{syd_lax}");
    }

    #[test]
    fn hashing_is_stable() {
        assert_eq!(hash(&[1, 2, 3]), hash(&[1, 2, 3]));
        assert_ne!(hash(&[1, 2, 3]), hash(&[3, 2, 1]));
        assert_eq!(word("BA"), word("BA"));
    }
}
