//! Text the way Godot 4's `print()` renders values, for the tutorial's lines.
//!
//! The command line's demo prints with `pollhttp::QueryValue`; this crate keeps to the
//! client's calls that the browser build has too, so it formats the two values the
//! tutorial prints itself.

/// A `Dictionary` of strings as Godot 4 prints it: `{ "key": "value", "k2": "v2" }`, keys
/// in insertion order, both sides quoted and C-escaped; an empty one is `{  }`.
pub fn dictionary(pairs: &[(String, String)]) -> String {
    let mut out = String::from("{ ");
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_quoted(&mut out, key);
        out.push_str(": ");
        push_quoted(&mut out, value);
    }
    out.push_str(" }");
    out
}

/// Godot's `c_escape().quote()`.
fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            '\'' => out.push_str("\\'"),
            '?' => out.push_str("\\?"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('"');
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
