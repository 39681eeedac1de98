//! Text the way Godot 4's `print()` renders values, for the tutorial's lines (here and in
//! the command line's `pollhttp demo`).

use pollhttp::QueryValue;

/// A `Dictionary` of strings as Godot 4 prints it: `{ "key": "value", "k2": "v2" }`, keys
/// in insertion order, both sides quoted and C-escaped; an empty one is `{  }`.
pub fn dictionary(pairs: &[(String, String)]) -> String {
    QueryValue::Dict(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), QueryValue::Str(v.clone())))
            .collect(),
    )
    .to_string()
}

/// `PackedByteArray.get_string_from_ascii()`: each byte is one character (Latin-1) and
/// the text stops at the first NUL.
pub fn string_from_ascii(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take_while(|b| **b != 0)
        .map(|b| char::from(*b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_like_godot_4() {
        let pairs = vec![
            ("Content-Type".to_string(), "text/html".to_string()),
            ("Transfer-Encoding".to_string(), "chunked".to_string()),
        ];
        assert_eq!(
            dictionary(&pairs),
            r#"{ "Content-Type": "text/html", "Transfer-Encoding": "chunked" }"#
        );
        assert_eq!(dictionary(&[]), "{  }");
    }

    #[test]
    fn escapes_like_c_escape() {
        let pairs = [(
            r#"a"b\c?d'e"#.to_string(),
            "\t\n\r\u{7}\u{8}\u{b}\u{c}".to_string(),
        )];
        assert_eq!(
            dictionary(&pairs),
            r#"{ "a\"b\\c\?d\'e": "\t\n\r\a\b\v\f" }"#
        );
    }

    #[test]
    fn ascii_text_stops_at_nul_and_keeps_high_bytes() {
        assert_eq!(string_from_ascii(b"Hi\n"), "Hi\n");
        assert_eq!(string_from_ascii(b"ab\0cd"), "ab");
        assert_eq!(string_from_ascii(&[0xe9]), "\u{e9}");
    }
}
