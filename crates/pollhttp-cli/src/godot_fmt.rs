//! Text the way Godot 4's `print()` renders values, for the tutorial demo.

/// Godot's `String.c_escape()`: backslash escapes for `\\`, the C control escapes, `'`, `?`
/// and `"`.
pub fn c_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
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
    out
}

/// A `Dictionary` of strings as Godot 4 prints it: `{ "key": "value", "k2": "v2" }`, keys
/// in insertion order, both sides quoted and C-escaped; an empty one is `{  }`.
pub fn dictionary(pairs: &[(String, String)]) -> String {
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("\"{}\": \"{}\"", c_escape(k), c_escape(v)))
        .collect();
    format!("{{ {} }}", body.join(", "))
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
        assert_eq!(c_escape(r#"a"b\c?d'e"#), r#"a\"b\\c\?d\'e"#);
        assert_eq!(c_escape("\t\n\r"), "\\t\\n\\r");
        assert_eq!(c_escape("*/*"), "*/*");
    }

    #[test]
    fn ascii_text_stops_at_nul_and_keeps_high_bytes() {
        assert_eq!(string_from_ascii(b"Hi\n"), "Hi\n");
        assert_eq!(string_from_ascii(b"ab\0cd"), "ab");
        assert_eq!(string_from_ascii(&[0xe9]), "\u{e9}");
    }
}
