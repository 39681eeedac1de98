//! Query strings built from a caller's fields.

use crate::{query_string_from_dict, QueryValue};

/// Builds a query string with [`query_string_from_dict`] from fields decoded out of the
/// input (see [`Reader`] for the encoding), owned and borrowed.
///
/// Properties:
/// - owned fields, a reference to them and an iterator of references give one string;
/// - the string holds only `A-Z a-z 0-9 - . _ ~ % & =`, each `%` followed by two
///   upper-case hex digits;
/// - split at `&` and `=` and percent-decoded, it gives back each key with the Godot
///   text of its value (the key alone for null, once per element for an array, nothing
///   for an empty one);
/// - a float's text reads back as the same float (`inf`, `-inf` and `nan` aside).
pub fn query_string(data: &[u8]) {
    let mut reader = Reader { data, pos: 0 };
    let mut fields: Vec<(String, QueryValue)> = Vec::new();
    while reader.pos < data.len() && fields.len() < 64 {
        let key = reader.text();
        let value = reader.value(0);
        fields.push((key, value));
    }

    let owned = query_string_from_dict(fields.clone());
    assert_eq!(query_string_from_dict(&fields), owned);
    assert_eq!(
        query_string_from_dict(fields.iter().map(|(k, v)| (k, v))),
        owned
    );

    let b = owned.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'%' => {
                let hex = |j: usize| {
                    b.get(j)
                        .is_some_and(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h))
                };
                assert!(hex(i + 1) && hex(i + 2), "bad escape at {i} in {owned:?}");
            }
            b'&' | b'=' | b'-' | b'.' | b'_' | b'~' => {}
            c => assert!(
                c.is_ascii_alphanumeric(),
                "{:?} in {owned:?}",
                char::from(c)
            ),
        }
    }

    let mut expected: Vec<(Vec<u8>, Option<Vec<u8>>)> = Vec::new();
    for (key, value) in &fields {
        let k = key.as_bytes().to_vec();
        match value {
            QueryValue::Null => expected.push((k, None)),
            QueryValue::Array(items) => {
                for item in items {
                    expected.push((k.clone(), Some(item.to_string().into_bytes())));
                }
            }
            other => expected.push((k, Some(other.to_string().into_bytes()))),
        }
    }
    // An empty string is both no pair and one empty key without value.
    let lone_empty_key = expected.len() == 1 && expected[0] == (Vec::new(), None);
    let got: Vec<(Vec<u8>, Option<Vec<u8>>)> = if owned.is_empty() && !lone_empty_key {
        Vec::new()
    } else {
        owned
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => (decode(k), Some(decode(v))),
                None => (decode(pair), None),
            })
            .collect()
    };
    assert_eq!(got, expected, "{owned:?}");
}

fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("checked above");
            out.push(u8::from_str_radix(hex, 16).expect("checked above"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Reads fields out of fuzz bytes. A text runs to the next `0xFF` or the end; a value
/// starts with a kind byte: null, bool, int (8 bytes), float (8 bytes), string, array or
/// dictionary (a count byte, then that many values or key and value pairs, nested at most
/// four deep).
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    fn eight(&mut self) -> [u8; 8] {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.byte();
        }
        b
    }

    fn text(&mut self) -> String {
        let rest = self.data.get(self.pos..).unwrap_or_default();
        let len = rest.iter().position(|&b| b == 0xFF).unwrap_or(rest.len());
        self.pos += len + 1;
        String::from_utf8_lossy(&rest[..len]).into_owned()
    }

    fn value(&mut self, depth: usize) -> QueryValue {
        let kind = self.byte();
        match kind % 7 {
            0 => QueryValue::Null,
            1 => QueryValue::Bool(kind & 0x80 != 0),
            2 => QueryValue::Int(i64::from_le_bytes(self.eight())),
            3 => {
                let f = f64::from_le_bytes(self.eight());
                check_float(f);
                QueryValue::Float(f)
            }
            4 => QueryValue::Str(self.text()),
            5 if depth < 4 => {
                let n = usize::from(self.byte() % 8);
                QueryValue::Array((0..n).map(|_| self.value(depth + 1)).collect())
            }
            6 if depth < 4 => {
                let n = usize::from(self.byte() % 8);
                QueryValue::Dict(
                    (0..n)
                        .map(|_| (self.text(), self.value(depth + 1)))
                        .collect(),
                )
            }
            _ => QueryValue::Null,
        }
    }
}

fn check_float(f: f64) {
    let text = QueryValue::Float(f).to_string();
    if f.is_nan() {
        assert_eq!(text, "nan");
    } else if f.is_infinite() {
        assert_eq!(text, if f < 0.0 { "-inf" } else { "inf" });
    } else {
        assert!(text.contains('.'), "{f:?} is written {text:?}");
        assert_eq!(
            text.parse::<f64>().ok(),
            Some(f),
            "{f:?} is written {text:?}"
        );
    }
}
