//! Byte-level grammar shared by the parsers and the request writer (RFC 9110 section 5.6).

use alloc::vec::Vec;

/// `tchar` from RFC 9110 section 5.6.2: the bytes allowed in a token.
pub(crate) fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.'
        | b'^' | b'_' | b'`' | b'|' | b'~'
        | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// `token = 1*tchar`.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Optional whitespace (`OWS`, `BWS`): space or horizontal tab.
pub(crate) fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `s` without surrounding spaces and tabs.
pub(crate) fn trim_ows(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_ows(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|&b| !is_ows(b)).map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or_default()
}

/// A field-value byte that is a control character (HTAB is allowed, obs-text is allowed).
pub(crate) fn is_value_ctl(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7F
}

/// Whether `s` holds a space, a control character or DEL: what a request target and the
/// `Host` value must not contain.
pub(crate) fn has_space_or_ctl(s: &[u8]) -> bool {
    // Exact per word: a byte below 0x21, or a DEL.
    any_word(
        s,
        |x| has_below(x, 0x21) || has_byte(x, 0x7F),
        |b| b <= b' ' || b == 0x7F,
    )
}

/// Whether `s` holds a byte that is a control character in a field value ([`is_value_ctl`]).
pub(crate) fn has_value_ctl(s: &[u8]) -> bool {
    // A word with a byte below 0x20 may hold only tabs, which are allowed: its bytes are
    // then looked at one by one.
    any_word(s, |x| has_below(x, 0x20) || has_byte(x, 0x7F), is_value_ctl)
}

/// Whether a byte of `s` is `bad`, eight bytes per step for strings of eight or more:
/// `maybe` tells whether a word may hold a bad byte (never missing one), and only then are
/// its bytes looked at. The last word overlaps the one before it rather than leaving a
/// tail of single bytes.
fn any_word(s: &[u8], maybe: impl Fn(u64) -> bool, bad: impl Fn(u8) -> bool) -> bool {
    let word = |w: &[u8]| {
        let x = u64::from_le_bytes(<[u8; 8]>::try_from(w).unwrap_or_default());
        maybe(x) && w.iter().any(|&b| bad(b))
    };
    if s.len() < 8 {
        return s.iter().any(|&b| bad(b));
    }
    let tail = s.get(s.len() - 8..).unwrap_or_default();
    s.chunks_exact(8).any(word) || word(tail)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether a byte of `x` is below `n` (at most 128). Borrows can flag bytes above a byte
/// that is below `n`, never a word without one.
fn has_below(x: u64, n: u8) -> bool {
    x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS != 0
}

/// Whether a byte of `x` is `b`.
fn has_byte(x: u64, b: u8) -> bool {
    has_below(x ^ (ONES * u64::from(b)), 1)
}

/// `1*DIGIT` as a `u64`; `None` when empty, not all digits, or too large.
pub(crate) fn parse_decimal(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |acc, &b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// Whether a comma-separated field value holds `token` (case-insensitive).
pub(crate) fn list_contains(value: &[u8], token: &str) -> bool {
    value
        .split(|&b| b == b',')
        .any(|e| trim_ows(e).eq_ignore_ascii_case(token.as_bytes()))
}

/// Whether `name` is `canonical` in any case. The spelling most servers send is compared
/// first, as a whole: a field name of the right length is usually the one looked for.
pub(crate) fn is_field_name(name: &[u8], canonical: &str) -> bool {
    name == canonical.as_bytes() || name.eq_ignore_ascii_case(canonical.as_bytes())
}

/// Appends the decimal form of `n` without going through a `String`.
pub(crate) fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        // `n % 10` is below 10, so the cast cannot truncate.
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_prelude::*;

    #[test]
    fn tokens_and_trimming() {
        assert!(is_token(b"chunked"));
        assert!(is_token(b"X-Custom_1!"));
        assert!(!is_token(b""));
        assert!(!is_token(b"a b"));
        assert!(!is_token(b"a:b"));
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b""), b"");
    }

    #[test]
    fn word_scans_find_every_bad_byte() {
        let naive_space = |s: &[u8]| s.iter().any(|&b| b <= b' ' || b == 0x7F);
        let naive_ctl = |s: &[u8]| s.iter().any(|&b| is_value_ctl(b));
        for len in 0..=24 {
            for at in 0..len {
                for b in 0..=255u8 {
                    for fill in [b'a', 0xFF, b'\t'] {
                        let mut s = vec![fill; len];
                        s[at] = b;
                        assert_eq!(has_space_or_ctl(&s), naive_space(&s), "{s:?}");
                        assert_eq!(has_value_ctl(&s), naive_ctl(&s), "{s:?}");
                    }
                }
            }
        }
        assert!(!has_space_or_ctl(b""));
        assert!(!has_value_ctl(b""));
    }

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal(b"0"), Some(0));
        assert_eq!(parse_decimal(b"007"), Some(7));
        assert_eq!(parse_decimal(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_decimal(b"18446744073709551616"), None);
        assert_eq!(parse_decimal(b"+5"), None);
        assert_eq!(parse_decimal(b""), None);
        for n in [0u64, 9, 10, 12345, u64::MAX] {
            let mut v = Vec::new();
            push_decimal(&mut v, n);
            assert_eq!(v, n.to_string().as_bytes());
        }
    }

    #[test]
    fn lists() {
        assert!(list_contains(b"Upgrade, CLOSE ", "close"));
        assert!(list_contains(b",\tclose", "close"));
        assert!(!list_contains(b"keep-alive", "close"));
        assert!(!list_contains(b"closed", "close"));
        assert!(!list_contains(b"", "close"));
    }

    #[test]
    fn field_names() {
        assert!(is_field_name(b"Content-Length", "Content-Length"));
        assert!(is_field_name(b"content-length", "Content-Length"));
        assert!(is_field_name(b"CONTENT-length", "Content-Length"));
        assert!(!is_field_name(b"Content-Lengthx", "Content-Length"));
        assert!(!is_field_name(b"Content_Length", "Content-Length"));
    }
}
