//! `application/x-www-form-urlencoded`-style query strings, exactly as Godot 4's
//! `HTTPClient.query_string_from_dict` builds them.

use std::fmt::{self, Write as _};

/// A value in a query-string dictionary: the subset of Godot's `Variant` that
/// [`query_string_from_dict`] gives a meaning to.
///
/// Its [`Display`](fmt::Display) is Godot 4's `str()` of the same value, which is what
/// ends up (percent-encoded) in the query string:
///
/// | value | text |
/// |---|---|
/// | `Null` | `<null>` |
/// | `Bool(true)` | `true` |
/// | `Int(-3)` | `-3` |
/// | `Float(1.0)`, `Float(0.5)` | `1.0`, `0.5` (shortest round-trip, `.0` when integral; `inf`, `-inf`, `nan`) |
/// | `Str("x y")` | `x y` |
/// | `Array([1, "a", null])` | `[1, "a", <null>]` |
/// | `Dict([("a", 1)])`, `Dict([])` | `{ "a": 1 }`, `{  }` |
///
/// Strings nested inside an array or dictionary are quoted and C-escaped
/// (`\\ \a \b \f \n \r \t \v \' \? \"`), as Godot does to keep them apart from other
/// values. Nesting deeper than 100 levels prints `[...]` / `{ ... }`, like Godot's
/// recursion guard.
///
/// ```
/// use pollhttp::QueryValue;
/// let v = QueryValue::from(vec![QueryValue::from(1), "a".into(), QueryValue::Null]);
/// assert_eq!(v.to_string(), r#"[1, "a", <null>]"#);
/// assert_eq!(QueryValue::from(2.0).to_string(), "2.0");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum QueryValue {
    /// Godot's `null`: the key is written alone, without `=`.
    Null,
    /// A boolean, written `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float, written in Godot 4 style (`1.0`, `0.25`).
    Float(f64),
    /// A string, written as is (then percent-encoded).
    Str(String),
    /// An array: at the top level the key is repeated once per element; nested, it is
    /// written as `[a, b]`.
    Array(Vec<QueryValue>),
    /// A dictionary with keys in insertion order, written as `{ "k": v }`. It is not
    /// expanded into `k[a]=b` pairs (Godot does not either).
    Dict(Vec<(String, QueryValue)>),
}

/// Godot's `Variant::MAX_RECURSION`: the container depth at which stringifying stops.
const MAX_RECURSION: usize = 100;

impl QueryValue {
    /// Godot's `Variant::stringify(recursion_count)`.
    fn stringify(&self, out: &mut String, depth: usize) {
        match self {
            QueryValue::Null => out.push_str("<null>"),
            QueryValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            QueryValue::Int(i) => {
                let _ = write!(out, "{i}");
            }
            QueryValue::Float(f) => push_float(out, *f),
            QueryValue::Str(s) => out.push_str(s),
            QueryValue::Array(items) => {
                if depth > MAX_RECURSION {
                    out.push_str("[...]");
                    return;
                }
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.stringify_nested(out, depth + 1);
                }
                out.push(']');
            }
            QueryValue::Dict(pairs) => {
                if depth > MAX_RECURSION {
                    out.push_str("{ ... }");
                    return;
                }
                // Godot pads with spaces so that `{ }` and `[ ]` differ at a glance;
                // an empty dictionary therefore prints two spaces.
                out.push_str("{ ");
                for (i, (key, value)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    push_quoted(out, key);
                    out.push_str(": ");
                    value.stringify_nested(out, depth + 1);
                }
                out.push_str(" }");
            }
        }
    }

    /// Godot's `stringify_variant_clean`: inside a container, strings are quoted.
    fn stringify_nested(&self, out: &mut String, depth: usize) {
        match self {
            QueryValue::Str(s) => push_quoted(out, s),
            other => other.stringify(out, depth),
        }
    }
}

impl fmt::Display for QueryValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.stringify(&mut s, 0);
        f.write_str(&s)
    }
}

/// 2^63: integral floats below this fit an `i64` exactly.
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

/// Godot 4 `String::num_real(x, true)` for the values where Godot is exact (integral
/// values print as an integer plus `.0`), shortest round-trip digits otherwise.
fn push_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("nan");
    } else if f.is_infinite() {
        out.push_str(if f < 0.0 { "-inf" } else { "inf" });
    } else if f.fract() == 0.0 && f.abs() < I64_LIMIT {
        // Godot takes this branch through `(int64_t)x`, which is why -0.0 prints `0.0`.
        let _ = write!(out, "{}.0", f as i64);
    } else {
        // `Display` for f64 is the shortest text that parses back to the same value and
        // never uses an exponent, so only huge integral values lack a decimal point.
        let start = out.len();
        let _ = write!(out, "{f}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
    }
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

/// Godot 4's `String::uri_encode` on UTF-8 bytes: keeps `A-Z a-z 0-9 - . _ ~`, writes
/// every other byte as `%XX` with upper-case hex digits (so a space is `%20`).
fn push_uri_encoded(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

/// One `(key, value)` pair that [`query_string_from_dict`] accepts, owned or borrowed.
///
/// Implemented for `(K, V)`, where the key is [`Display`](fmt::Display) and the value
/// converts into a [`QueryValue`], and for `&(K, V)` when a reference to the value
/// converts, so arrays, slices, vectors and map iterators can be passed as they are:
///
/// ```
/// use pollhttp::query_string_from_dict;
/// use std::collections::BTreeMap;
///
/// let owned: Vec<(String, String)> = vec![("q".into(), "a b".into())];
/// assert_eq!(query_string_from_dict(&owned), "q=a%20b");
/// let map = BTreeMap::from([("page", 2), ("size", 50)]);
/// assert_eq!(query_string_from_dict(&map), "page=2&size=50");
/// assert_eq!(query_string_from_dict(map.iter().filter(|(_, v)| **v > 10)), "size=50");
/// ```
pub trait QueryField {
    /// The key, written with its [`Display`](fmt::Display) text.
    type Key: fmt::Display;
    /// The value, turned into a [`QueryValue`] when written.
    type Value: Into<QueryValue>;
    /// The key and the value.
    fn into_field(self) -> (Self::Key, Self::Value);
}

impl<K: fmt::Display, V: Into<QueryValue>> QueryField for (K, V) {
    type Key = K;
    type Value = V;
    fn into_field(self) -> (K, V) {
        self
    }
}

impl<'a, K: fmt::Display, V> QueryField for &'a (K, V)
where
    &'a V: Into<QueryValue>,
{
    type Key = &'a K;
    type Value = &'a V;
    fn into_field(self) -> (&'a K, &'a V) {
        (&self.0, &self.1)
    }
}

/// Builds an `application/x-www-form-urlencoded`-style string from `(key, value)` pairs,
/// like Godot 4's `HTTPClient.query_string_from_dict(fields)`.
///
/// Pairs keep the order given (Godot's dictionaries keep insertion order). Keys are
/// written with their [`Display`](fmt::Display) text. Values follow Godot's rules:
///
/// - [`QueryValue::Null`] (or `None`) writes the key alone, without `=`;
/// - an array writes `key=element` once per element, in order (an empty array writes
///   nothing for that key); elements are stringified, not expanded further;
/// - anything else writes `key=value`, with the value's Godot text (see [`QueryValue`]).
///
/// Keys and values are percent-encoded byte by byte from UTF-8, keeping only
/// `A-Z a-z 0-9 - . _ ~` and using upper-case hex (`%C3%A9`); a space becomes `%20`, not
/// `+`. Pairs are joined with `&`; no pairs give `""`. As in Godot, an empty key without
/// a value is a pair written as nothing, still joined: `[("", Null), ("a", 1)]` gives
/// `&a=1`.
///
/// The pairs may be owned or borrowed (see [`QueryField`]): an array or vector of pairs,
/// a reference to one, or an iterator over either.
///
/// ```
/// use pollhttp::{query_string_from_dict, QueryValue};
///
/// let fields = [("username", "user"), ("password", "pass")];
/// assert_eq!(query_string_from_dict(fields), "username=user&password=pass");
/// assert_eq!(query_string_from_dict(&fields), "username=user&password=pass");
/// assert_eq!(query_string_from_dict(&[("a", 1), ("b", 2)]), "a=1&b=2");
///
/// // Values of different types, as in a Godot dictionary, are QueryValues.
/// let fields: Vec<(&str, QueryValue)> = vec![
///     ("single", 123.into()),
///     ("not_valued", QueryValue::Null),
///     ("multiple", vec![22, 33, 44].into()),
/// ];
/// assert_eq!(
///     query_string_from_dict(&fields),
///     "single=123&not_valued&multiple=22&multiple=33&multiple=44"
/// );
/// assert_eq!(
///     query_string_from_dict(&[("a", QueryValue::from(1)), ("b", "x".into())]),
///     "a=1&b=x"
/// );
/// ```
pub fn query_string_from_dict<I>(fields: I) -> String
where
    I: IntoIterator,
    I::Item: QueryField,
{
    let mut out = Pairs::default();
    let mut text = String::new();
    let mut key = String::new();
    for field in fields {
        let (k, v) = field.into_field();
        key.clear();
        let _ = write!(key, "{k}");
        match v.into() {
            QueryValue::Null => out.push(&key, None),
            QueryValue::Array(items) => {
                for item in &items {
                    text.clear();
                    item.stringify(&mut text, 0);
                    out.push(&key, Some(&text));
                }
            }
            value => {
                text.clear();
                value.stringify(&mut text, 0);
                out.push(&key, Some(&text));
            }
        }
    }
    out.text
}

/// The query string being written.
#[derive(Default)]
struct Pairs {
    text: String,
    /// Whether a pair was written, even one written as nothing (an empty key without
    /// value): Godot separates pairs by count, not by what the text holds so far.
    any: bool,
}

impl Pairs {
    fn push(&mut self, key: &str, value: Option<&str>) {
        if self.any {
            self.text.push('&');
        }
        self.any = true;
        push_uri_encoded(&mut self.text, key.as_bytes());
        if let Some(value) = value {
            self.text.push('=');
            push_uri_encoded(&mut self.text, value.as_bytes());
        }
    }
}

impl From<&str> for QueryValue {
    fn from(s: &str) -> Self {
        QueryValue::Str(s.to_owned())
    }
}

impl From<String> for QueryValue {
    fn from(s: String) -> Self {
        QueryValue::Str(s)
    }
}

impl From<&String> for QueryValue {
    fn from(s: &String) -> Self {
        QueryValue::Str(s.clone())
    }
}

impl From<i64> for QueryValue {
    fn from(i: i64) -> Self {
        QueryValue::Int(i)
    }
}

impl From<i32> for QueryValue {
    fn from(i: i32) -> Self {
        QueryValue::Int(i64::from(i))
    }
}

impl From<u32> for QueryValue {
    fn from(i: u32) -> Self {
        QueryValue::Int(i64::from(i))
    }
}

impl From<f64> for QueryValue {
    fn from(f: f64) -> Self {
        QueryValue::Float(f)
    }
}

impl From<bool> for QueryValue {
    fn from(b: bool) -> Self {
        QueryValue::Bool(b)
    }
}

impl From<()> for QueryValue {
    fn from((): ()) -> Self {
        QueryValue::Null
    }
}

/// Conversions from references to the same values, for borrowed fields (see
/// [`QueryField`]).
macro_rules! from_ref {
    ($($t:ty),*) => {$(
        impl From<&$t> for QueryValue {
            fn from(v: &$t) -> Self {
                <QueryValue as From<$t>>::from(*v)
            }
        }
    )*};
}

from_ref!(i64, i32, u32, f64, bool, (), &str);

impl From<&QueryValue> for QueryValue {
    fn from(v: &QueryValue) -> Self {
        v.clone()
    }
}

// The element bounds below are `T: Clone + Into<QueryValue>`, not `&T: Into<QueryValue>`:
// a bound on a reference sends the compiler's search through these same impls without
// end whenever an argument's type is still being inferred (as in `QueryValue::from("a")`).

impl<T: Clone + Into<QueryValue>> From<&Option<T>> for QueryValue {
    fn from(o: &Option<T>) -> Self {
        o.clone().map_or(QueryValue::Null, Into::into)
    }
}

impl<T: Clone + Into<QueryValue>> From<&[T]> for QueryValue {
    fn from(v: &[T]) -> Self {
        QueryValue::Array(v.iter().cloned().map(Into::into).collect())
    }
}

impl<T: Clone + Into<QueryValue>> From<&Vec<T>> for QueryValue {
    fn from(v: &Vec<T>) -> Self {
        <QueryValue as From<&[T]>>::from(v.as_slice())
    }
}

impl<T: Into<QueryValue>> From<Option<T>> for QueryValue {
    fn from(o: Option<T>) -> Self {
        o.map_or(QueryValue::Null, Into::into)
    }
}

impl<T: Into<QueryValue>> From<Vec<T>> for QueryValue {
    fn from(v: Vec<T>) -> Self {
        QueryValue::Array(v.into_iter().map(Into::into).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        let mut s = String::new();
        push_uri_encoded(&mut s, bytes);
        s
    }

    fn qs(fields: Vec<(&str, QueryValue)>) -> String {
        query_string_from_dict(fields)
    }

    #[test]
    fn godot_unit_test_vectors() {
        assert_eq!(qs(vec![]), "");
        assert_eq!(qs(vec![("key", "value".into())]), "key=value");
        assert_eq!(
            qs(vec![
                ("key1", "value".into()),
                ("key2", 123.into()),
                ("key3", vec![1, 2, 3].into()),
                ("key4", QueryValue::Null),
            ]),
            "key1=value&key2=123&key3=1&key3=2&key3=3&key4"
        );
    }

    #[test]
    fn docs_examples() {
        assert_eq!(
            query_string_from_dict([("username", "user"), ("password", "pass")]),
            "username=user&password=pass"
        );
        assert_eq!(
            qs(vec![
                ("single", 123.into()),
                ("not_valued", None::<i32>.into()),
                ("multiple", vec![22, 33, 44].into()),
            ]),
            "single=123&not_valued&multiple=22&multiple=33&multiple=44"
        );
    }

    #[test]
    fn recorded_encoding_examples() {
        assert_eq!(
            qs(vec![
                ("sp ace", "a b&c=d/e?f#g+h%i".into()),
                ("uni", "é€".into())
            ]),
            "sp%20ace=a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25i&uni=%C3%A9%E2%82%AC"
        );
        assert_eq!(
            qs(vec![("r", "!*'();:@&=+$,/?#[]".into())]),
            "r=%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D"
        );
        assert_eq!(qs(vec![("-_.~", "-_.~".into())]), "-_.~=-_.~");
        assert_eq!(
            qs(vec![
                ("empty", "".into()),
                ("emptyarr", Vec::<i32>::new().into())
            ]),
            "empty="
        );
        assert_eq!(query_string_from_dict([(5, "x")]), "5=x");
    }

    #[test]
    fn every_byte() {
        for b in 0..=255u8 {
            let got = encode(&[b]);
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                assert_eq!(got, char::from(b).to_string(), "byte {b}");
            } else {
                assert_eq!(got, format!("%{b:02X}"), "byte {b}");
            }
        }
        // Through the public function too, for every ASCII character.
        for b in 0..=127u8 {
            let s = char::from(b).to_string();
            assert_eq!(
                query_string_from_dict([(s.as_str(), s.as_str())]),
                format!("{0}={0}", encode(&[b]))
            );
        }
        assert_eq!(encode(b" "), "%20");
        assert_eq!(encode(b"\n\t\x01"), "%0A%09%01");
    }

    #[test]
    fn empty_array_emits_nothing_and_keeps_separators_right() {
        assert_eq!(qs(vec![("a", Vec::<i32>::new().into())]), "");
        assert_eq!(
            qs(vec![
                ("a", Vec::<i32>::new().into()),
                ("b", 1.into()),
                ("c", Vec::<i32>::new().into()),
                ("d", QueryValue::Null),
            ]),
            "b=1&d"
        );
    }

    #[test]
    fn value_stringification() {
        assert_eq!(
            qs(vec![
                ("t", true.into()),
                ("f", false.into()),
                ("one", 1.0.into()),
                ("half", 0.5.into()),
                ("neg", (-2.0).into()),
                ("i", (-7i64).into()),
                ("u", u32::MAX.into()),
            ]),
            "t=true&f=false&one=1.0&half=0.5&neg=-2.0&i=-7&u=4294967295"
        );
        let f = |x: f64| QueryValue::Float(x).to_string();
        assert_eq!(f(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(f(1e21), "1000000000000000000000.0");
        assert_eq!(f(1e15), "1000000000000000.0");
        assert_eq!(f(-0.0), "0.0");
        assert_eq!(f(f64::INFINITY), "inf");
        assert_eq!(f(f64::NEG_INFINITY), "-inf");
        assert_eq!(f(f64::NAN), "nan");
        assert_eq!(f(1.5e-7), "0.00000015");
        assert_eq!(
            QueryValue::Int(i64::MIN).to_string(),
            "-9223372036854775808"
        );
    }

    #[test]
    fn nested_values() {
        let nested = QueryValue::Array(vec![vec![1, 2].into(), QueryValue::Null, "x y".into()]);
        assert_eq!(
            qs(vec![("arr_nested", nested)]),
            "arr_nested=%5B1%2C%202%5D&arr_nested=%3Cnull%3E&arr_nested=x%20y"
        );
        let dict = QueryValue::Dict(vec![("a".into(), 1.into()), ("b".into(), "s\"q".into())]);
        assert_eq!(dict.to_string(), r#"{ "a": 1, "b": "s\"q" }"#);
        assert_eq!(
            qs(vec![("d", dict)]),
            "d=%7B%20%22a%22%3A%201%2C%20%22b%22%3A%20%22s%5C%22q%22%20%7D"
        );
        assert_eq!(QueryValue::Dict(vec![]).to_string(), "{  }");
        assert_eq!(QueryValue::Array(vec![]).to_string(), "[]");
        let inner = QueryValue::Array(vec![
            QueryValue::Array(vec!["a\n'?\\".into(), 1.0.into(), true.into()]),
            QueryValue::Dict(vec![("k".into(), QueryValue::Null)]),
        ]);
        assert_eq!(
            inner.to_string(),
            r#"[["a\n\'\?\\", 1.0, true], { "k": <null> }]"#
        );
    }

    #[test]
    fn deep_nesting_is_cut_like_godot() {
        let mut v = QueryValue::Int(1);
        for _ in 0..150 {
            v = QueryValue::Array(vec![v]);
        }
        let s = v.to_string();
        assert!(s.contains("[...]"), "{s}");
        assert_eq!(s.matches('[').count(), 102, "{s}");
    }

    #[test]
    fn conversions() {
        assert_eq!(QueryValue::from("a"), QueryValue::Str("a".into()));
        assert_eq!(
            QueryValue::from(String::from("a")),
            QueryValue::Str("a".into())
        );
        assert_eq!(QueryValue::from(3i32), QueryValue::Int(3));
        assert_eq!(QueryValue::from(Some(3i64)), QueryValue::Int(3));
        assert_eq!(QueryValue::from(None::<&str>), QueryValue::Null);
        assert_eq!(
            QueryValue::from(vec![Some("a"), None]),
            QueryValue::Array(vec!["a".into(), QueryValue::Null])
        );
    }

    #[test]
    fn an_empty_key_without_value_still_takes_its_separator() {
        // Godot puts "&" before every pair it writes and drops the first character of
        // the result, so a pair written as nothing still counts.
        let null = QueryValue::Null;
        assert_eq!(qs(vec![("", null.clone()), ("a", 1.into())]), "&a=1");
        assert_eq!(qs(vec![("", null.clone()), ("", null.clone())]), "&");
        assert_eq!(qs(vec![("a", 1.into()), ("", null.clone())]), "a=1&");
        assert_eq!(qs(vec![("", null.clone())]), "");
        let none = Vec::<i32>::new().into();
        assert_eq!(qs(vec![("x", none), ("", null), ("b", 2.into())]), "&b=2");
    }

    #[test]
    fn borrowed_fields_give_what_owned_ones_give() {
        let ints = [("a", 1), ("b", -2)];
        assert_eq!(query_string_from_dict(&ints), "a=1&b=-2");
        assert_eq!(query_string_from_dict(ints.iter()), "a=1&b=-2");
        assert_eq!(query_string_from_dict(&ints[1..]), "b=-2");

        let strings: Vec<(String, String)> =
            vec![("k 1".into(), "v&1".into()), ("é".into(), String::new())];
        let owned = query_string_from_dict(strings.clone());
        assert_eq!(owned, "k%201=v%261&%C3%A9=");
        assert_eq!(query_string_from_dict(&strings), owned);
        let refs = strings.iter().map(|(k, v)| (k, v));
        assert_eq!(query_string_from_dict(refs), owned);
        let strs = strings.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        assert_eq!(query_string_from_dict(strs), owned);

        let values: Vec<(&str, QueryValue)> = vec![
            ("n", QueryValue::Null),
            ("arr", vec![1.5, 2.0].into()),
            ("empty", QueryValue::Array(vec![])),
            ("s", "x".into()),
        ];
        let owned = query_string_from_dict(values.clone());
        assert_eq!(owned, "n&arr=1.5&arr=2.0&s=x");
        assert_eq!(query_string_from_dict(&values), owned);

        let options = [("some", Some(true)), ("none", None)];
        assert_eq!(query_string_from_dict(&options), "some=true&none");
        let lists = [("l", vec!["a", "b"]), ("e", vec![])];
        assert_eq!(query_string_from_dict(&lists), "l=a&l=b");
        let floats = [("f", 0.5), ("g", 3.0)];
        assert_eq!(query_string_from_dict(&floats), "f=0.5&g=3.0");
        let units = [("u", ())];
        assert_eq!(query_string_from_dict(&units), "u");
        let wide = [("w", u32::MAX)];
        assert_eq!(query_string_from_dict(&wide), "w=4294967295");
        let big = [("i", i64::MIN)];
        assert_eq!(query_string_from_dict(&big), "i=-9223372036854775808");
    }

    #[test]
    fn borrowed_maps() {
        use std::collections::BTreeMap;
        let map: BTreeMap<String, Vec<i32>> =
            BTreeMap::from([("b".into(), vec![2, 3]), ("a".into(), vec![1])]);
        assert_eq!(query_string_from_dict(&map), "a=1&b=2&b=3");
        assert_eq!(query_string_from_dict(map.iter()), "a=1&b=2&b=3");
        let slices: [(&str, &[i64]); 1] = [("s", &[7, 8])];
        assert_eq!(query_string_from_dict(slices), "s=7&s=8");
        let nested = [("n", vec![Some("a"), None])];
        assert_eq!(query_string_from_dict(&nested), "n=a&n=%3Cnull%3E");
    }

    #[test]
    fn nul_in_a_rust_string_is_encoded() {
        assert_eq!(query_string_from_dict([("a\0b", "\0")]), "a%00b=%00");
    }
}
