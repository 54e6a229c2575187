//! The words of a package as SQLite's FTS5 table reads them (`porter unicode61
//! remove_diacritics 2`), so the in-memory index matches and ranks exactly as the table does.
//!
//! Ported from SQLite 3's `fts5_tokenize.c` (the unicode61 tokenizer: runs of letters, digits
//! and private-use characters, folded to lower case with diacritics removed) and its porter
//! stemmer, step by step, on the same bytes. Two approximations, both checked: characters
//! outside ASCII are classed by this crate's Unicode tables and folded by canonical
//! decomposition (SQLite has its own tables of the same data); the index compares the token
//! count of every column with the count FTS5 stored (`packages_fts_docsize`) and does not
//! answer text searches when one differs.

use unicode_general_category::{GeneralCategory, get_general_category};

/// Calls `token` with each token of `text`, folded and stemmed as FTS5 stores it.
pub fn tokens(text: &str, mut token: impl FnMut(&[u8])) {
    let mut buf: Vec<u8> = Vec::with_capacity(32);
    let mut chars = text.chars().peekable();
    loop {
        // Skip separators up to the first letter, digit or private-use character.
        loop {
            match chars.peek() {
                None => return,
                Some(&c) if is_alnum(c) => break,
                Some(_) => {
                    chars.next();
                }
            }
        }
        buf.clear();
        while let Some(&c) = chars.peek() {
            if c.is_ascii() {
                if !c.is_ascii_alphanumeric() {
                    break;
                }
                buf.push(c.to_ascii_lowercase() as u8);
            } else if is_alnum(c) || is_diacritic(c) {
                if let Some(f) = fold(c) {
                    let mut b = [0u8; 4];
                    buf.extend_from_slice(f.encode_utf8(&mut b).as_bytes());
                }
            } else {
                break;
            }
            chars.next();
        }
        token(porter(&mut buf));
    }
}

/// FTS5's default token characters: letters, numbers and private use (`L* N* Co`).
fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    use GeneralCategory as G;
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::DecimalNumber
            | G::LetterNumber
            | G::OtherNumber
            | G::PrivateUse
    )
}

/// The combining diacritics FTS5 keeps inside a token (and removes): its own bit masks.
fn is_diacritic(c: char) -> bool {
    let c = c as u32;
    let mask0: u32 = 0x08029FDF;
    let mask1: u32 = 0x000361F8;
    if !(768..=817).contains(&c) {
        return false;
    }
    if c < 768 + 32 {
        mask0 & (1 << (c - 768)) != 0
    } else {
        mask1 & (1 << (c - 768 - 32)) != 0
    }
}

/// Lower case, then the base letter of a letter with diacritics; `None` for a diacritic alone.
fn fold(c: char) -> Option<char> {
    if is_diacritic(c) {
        return None;
    }
    let mut lower = c.to_lowercase();
    let l = match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    };
    let mut base = None;
    let mut only_marks = true;
    unicode_normalization::char::decompose_canonical(l, |d| {
        if base.is_none() {
            base = Some(d);
        } else if !unicode_normalization::char::is_combining_mark(d) {
            only_marks = false;
        }
    });
    match base {
        Some(b) if only_marks && b != l => Some(b),
        _ => Some(l),
    }
}

const PORTER_MAX_TOKEN: usize = 64;

fn is_vowel(c: u8, y_is_vowel: bool) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u') || (y_is_vowel && c == b'y')
}

fn gobble_vc(stem: &[u8], prev_cons: bool) -> usize {
    let mut cons = prev_cons;
    let mut i = 0;
    while i < stem.len() {
        cons = !is_vowel(stem[i], cons);
        if !cons {
            break;
        }
        i += 1;
    }
    i += 1;
    while i < stem.len() {
        cons = !is_vowel(stem[i], cons);
        if cons {
            return i + 1;
        }
        i += 1;
    }
    0
}

fn m_gt0(stem: &[u8]) -> bool {
    gobble_vc(stem, false) != 0
}

fn m_gt1(stem: &[u8]) -> bool {
    let n = gobble_vc(stem, false);
    n != 0 && gobble_vc(&stem[n..], true) != 0
}

fn m_eq1(stem: &[u8]) -> bool {
    let n = gobble_vc(stem, false);
    n != 0 && gobble_vc(&stem[n..], true) == 0
}

fn o_star(stem: &[u8]) -> bool {
    let last = stem[stem.len() - 1];
    if matches!(last, b'w' | b'x' | b'y') {
        return false;
    }
    let mut mask: u32 = 0;
    let mut cons = false;
    for &c in stem {
        cons = !is_vowel(c, cons);
        mask = (mask << 1) + u32::from(cons);
    }
    mask & 0x7 == 0x5
}

fn m_gt1_and_s_or_t(stem: &[u8]) -> bool {
    matches!(stem[stem.len() - 1], b's' | b't') && m_gt1(stem)
}

fn has_vowel(stem: &[u8]) -> bool {
    stem.iter().enumerate().any(|(i, &c)| is_vowel(c, i > 0))
}

/// The byte before the last, as the generated steps switch on it (0 when there is none).
fn second_last(b: &[u8]) -> u8 {
    if b.len() >= 2 { b[b.len() - 2] } else { 0 }
}

/// Replaces `suffix` (whose length is checked: the word must be longer) by `with` when
/// `cond` holds of the stem; whether the suffix was there.
fn rule(b: &mut Vec<u8>, suffix: &str, with: &str, cond: fn(&[u8]) -> bool) -> bool {
    let s = suffix.as_bytes();
    if b.len() > s.len() && b.ends_with(s) {
        let stem = b.len() - s.len();
        if cond(&b[..stem]) {
            b.truncate(stem);
            b.extend_from_slice(with.as_bytes());
        }
        true
    } else {
        false
    }
}

fn step4(b: &mut Vec<u8>) {
    let rules: &[&str] = match second_last(b) {
        b'a' => &["al"],
        b'c' => &["ance", "ence"],
        b'e' => &["er"],
        b'i' => &["ic"],
        b'l' => &["able", "ible"],
        b'n' => &["ant", "ement", "ment", "ent"],
        b'o' => {
            if rule(b, "ion", "", m_gt1_and_s_or_t) {
                return;
            }
            &["ou"]
        }
        b's' => &["ism"],
        b't' => &["ate", "iti"],
        b'u' => &["ous"],
        b'v' => &["ive"],
        b'z' => &["ize"],
        _ => &[],
    };
    for s in rules {
        if rule(b, s, "", m_gt1) {
            return;
        }
    }
}

fn step1b2(b: &mut Vec<u8>) -> bool {
    let (s, with) = match second_last(b) {
        b'a' => ("at", "ate"),
        b'b' => ("bl", "ble"),
        b'i' => ("iz", "ize"),
        _ => return false,
    };
    if b.len() > 2 && b.ends_with(s.as_bytes()) {
        b.truncate(b.len() - 2);
        b.extend_from_slice(with.as_bytes());
        true
    } else {
        false
    }
}

fn step2(b: &mut Vec<u8>) {
    let rules: &[(&str, &str)] = match second_last(b) {
        b'a' => &[("ational", "ate"), ("tional", "tion")],
        b'c' => &[("enci", "ence"), ("anci", "ance")],
        b'e' => &[("izer", "ize")],
        b'g' => &[("logi", "log")],
        b'l' => &[
            ("bli", "ble"),
            ("alli", "al"),
            ("entli", "ent"),
            ("eli", "e"),
            ("ousli", "ous"),
        ],
        b'o' => &[("ization", "ize"), ("ation", "ate"), ("ator", "ate")],
        b's' => &[
            ("alism", "al"),
            ("iveness", "ive"),
            ("fulness", "ful"),
            ("ousness", "ous"),
        ],
        b't' => &[("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")],
        _ => &[],
    };
    for (s, with) in rules {
        if rule(b, s, with, m_gt0) {
            return;
        }
    }
}

fn step3(b: &mut Vec<u8>) {
    let rules: &[(&str, &str)] = match second_last(b) {
        b'a' => &[("ical", "ic")],
        b's' => &[("ness", "")],
        b't' => &[("icate", "ic"), ("iciti", "ic")],
        b'u' => &[("ful", "")],
        b'v' => &[("ative", "")],
        b'z' => &[("alize", "al")],
        _ => &[],
    };
    for (s, with) in rules {
        if rule(b, s, with, m_gt0) {
            return;
        }
    }
}

fn step1b(b: &mut Vec<u8>) -> bool {
    match second_last(b) {
        b'e' => {
            if b.len() > 3 && b.ends_with(b"eed") {
                if m_gt0(&b[..b.len() - 3]) {
                    b.truncate(b.len() - 1);
                }
                false
            } else if b.len() > 2 && b.ends_with(b"ed") && has_vowel(&b[..b.len() - 2]) {
                b.truncate(b.len() - 2);
                true
            } else {
                false
            }
        }
        b'n' if b.len() > 3 && b.ends_with(b"ing") && has_vowel(&b[..b.len() - 3]) => {
            b.truncate(b.len() - 3);
            true
        }
        _ => false,
    }
}

fn step1a(b: &mut Vec<u8>) {
    let n = b.len();
    if b[n - 1] == b's' {
        if second_last(b) == b'e' {
            if (n > 4 && b[n - 4] == b's' && b[n - 3] == b's') || (n > 3 && b[n - 3] == b'i') {
                b.truncate(n - 2);
            } else {
                b.truncate(n - 1);
            }
        } else if second_last(b) != b's' {
            b.truncate(n - 1);
        }
    }
}

/// FTS5's porter stemmer on one folded token (3 to 64 bytes; others pass through).
pub fn porter(b: &mut Vec<u8>) -> &[u8] {
    if b.len() > PORTER_MAX_TOKEN || b.len() < 3 {
        return b;
    }
    step1a(b);
    if step1b(b) && !step1b2(b) {
        let n = b.len();
        let c = b[n - 1];
        if !is_vowel(c, false) && c != b'l' && c != b's' && c != b'z' && n >= 2 && c == b[n - 2] {
            b.truncate(n - 1);
        } else if m_eq1(b) && o_star(b) {
            b.push(b'e');
        }
    }
    let n = b.len();
    if b[n - 1] == b'y' && has_vowel(&b[..n - 1]) {
        b[n - 1] = b'i';
    }
    step2(b);
    step3(b);
    step4(b);
    let n = b.len();
    if b[n - 1] == b'e' && (m_gt1(&b[..n - 1]) || (m_eq1(&b[..n - 1]) && !o_star(&b[..n - 1]))) {
        b.truncate(n - 1);
    }
    let n = b.len();
    if n > 1 && b[n - 1] == b'l' && b[n - 2] == b'l' && m_gt1(&b[..n - 1]) {
        b.truncate(n - 1);
    }
    b
}

/// One search word as FTS5 reads it: folded and stemmed (the rule's words are already
/// lower-case ASCII letters and digits, one token each).
pub fn query_term(word: &str) -> Option<Vec<u8>> {
    let mut out = None;
    tokens(word, |t| {
        if out.is_none() {
            out = Some(t.to_vec());
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem(w: &str) -> String {
        let mut b = w.as_bytes().to_vec();
        String::from_utf8(porter(&mut b).to_vec()).unwrap()
    }

    #[test]
    fn porter_as_fts5() {
        for (w, s) in [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("cats", "cat"),
            ("feed", "feed"),
            ("agreed", "agre"),
            ("plastered", "plaster"),
            ("motoring", "motor"),
            ("sing", "sing"),
            ("conflated", "conflat"),
            ("hopping", "hop"),
            ("filing", "file"),
            ("happy", "happi"),
            ("relational", "relat"),
            ("generalization", "gener"),
            ("tours", "tour"),
            ("touring", "tour"),
            ("hiking", "hike"),
            ("glaciers", "glacier"),
            ("ab", "ab"),
        ] {
            assert_eq!(stem(w), s, "{w}");
        }
    }

    #[test]
    fn tokens_fold_and_split() {
        let mut out = Vec::new();
        tokens("São Paulo, Reykjavík's ÆBLE x_y 3D", |t| {
            out.push(String::from_utf8(t.to_vec()).unwrap())
        });
        // As `fts5vocab` lists the same text's tokens (checked with the sqlite3 shell).
        assert_eq!(
            out,
            ["sao", "paulo", "reykjavik", "s", "æble", "x", "y", "3d"]
        );
    }
}
