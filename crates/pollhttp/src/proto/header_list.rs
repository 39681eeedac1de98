//! An ordered list of header fields stored in one reusable byte buffer.

use std::fmt;

/// Where one field ends in [`HeaderList::names`] and [`HeaderList::values`]; it starts
/// where the previous field ends (or at 0), since fields are appended in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    name_end: usize,
    value_end: usize,
}

/// Header (or trailer) fields in arrival order, duplicates kept.
///
/// Names and values live in two buffers (the names in a `String`, so they are known to
/// be UTF-8 once stored and never checked again) plus a table of where each field ends,
/// so a list that is [`clear`](HeaderList::clear)ed and refilled for every response stops
/// allocating once it has grown to the size of the largest head seen. Names are compared
/// case-insensitively; values are raw bytes, since HTTP allows non-ASCII (obs-text) in
/// them.
///
/// ```
/// use pollhttp::proto::HeaderList;
/// let mut h = HeaderList::new();
/// h.push(b"Set-Cookie", b"a=1");
/// h.push(b"Content-Type", b"text/plain");
/// h.push(b"set-cookie", b"b=2");
/// assert_eq!(h.get("content-type"), Some(&b"text/plain"[..]));
/// assert_eq!(h.get_all("SET-COOKIE").collect::<Vec<_>>(), [&b"a=1"[..], b"b=2"]);
/// assert_eq!(h.name(2), "set-cookie");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HeaderList {
    names: String,
    values: Vec<u8>,
    entries: Vec<Entry>,
}

impl HeaderList {
    /// An empty list.
    pub fn new() -> Self {
        HeaderList::default()
    }

    /// Removes every field, keeping the allocated capacity for reuse.
    pub fn clear(&mut self) {
        self.names.clear();
        self.values.clear();
        self.entries.clear();
    }

    /// Number of fields (each field line counts once, duplicates included).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the list has no field.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Name of field `i`, as the server spelled it.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`, like slice indexing; [`entry`](HeaderList::entry) does not panic.
    pub fn name(&self, i: usize) -> &str {
        match self.entry(i) {
            Some((name, _)) => name,
            None => panic!("header index {i} out of range for {} fields", self.len()),
        }
    }

    /// Value of field `i`, without surrounding whitespace.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`, like slice indexing; [`entry`](HeaderList::entry) does not panic.
    pub fn value(&self, i: usize) -> &[u8] {
        match self.entry(i) {
            Some((_, value)) => value,
            None => panic!("header index {i} out of range for {} fields", self.len()),
        }
    }

    /// Name and value of field `i`, or `None` when `i` is out of range.
    pub fn entry(&self, i: usize) -> Option<(&str, &[u8])> {
        let e = *self.entries.get(i)?;
        let start = match i.checked_sub(1) {
            Some(p) => self.entries.get(p).copied().unwrap_or(ZERO),
            None => ZERO,
        };
        Some(self.field(start, e))
    }

    /// Every field as `(name, value)`, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> + '_ {
        let mut start = ZERO;
        self.entries.iter().map(move |&e| {
            let field = self.field(start, e);
            start = e;
            field
        })
    }

    /// Every field as `(name bytes, value)`, for scans that compare names as bytes and
    /// need no `str` (nor its character-boundary checks).
    pub(crate) fn iter_bytes(&self) -> impl Iterator<Item = (&[u8], &[u8])> + '_ {
        let names = self.names.as_bytes();
        let mut start = ZERO;
        self.entries.iter().map(move |&e| {
            let from = start;
            start = e;
            (
                names.get(from.name_end..e.name_end).unwrap_or_default(),
                self.values
                    .get(from.value_end..e.value_end)
                    .unwrap_or_default(),
            )
        })
    }

    /// Value of the first field called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        let want = name.as_bytes();
        let names = self.names.as_bytes();
        let mut start = ZERO;
        for &e in &self.entries {
            // Bytes, not `str`: no character-boundary checks for fields that do not match.
            if names
                .get(start.name_end..e.name_end)
                .is_some_and(|n| n.eq_ignore_ascii_case(want))
            {
                return self.values.get(start.value_end..e.value_end);
            }
            start = e;
        }
        None
    }

    /// Values of every field called `name` (case-insensitive), in arrival order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        let want = name.as_bytes();
        let names = self.names.as_bytes();
        let mut start = ZERO;
        self.entries.iter().filter_map(move |&e| {
            let from = start;
            start = e;
            // Bytes, not `str`: no character-boundary checks for fields that do not match.
            let n = names.get(from.name_end..e.name_end).unwrap_or_default();
            n.eq_ignore_ascii_case(want).then(|| {
                self.values
                    .get(from.value_end..e.value_end)
                    .unwrap_or_default()
            })
        })
    }

    /// Appends a field.
    ///
    /// `name` should be an HTTP token (always true for names coming from the parser); a name
    /// that is not valid UTF-8 is stored with U+FFFD in place of the invalid bytes.
    pub fn push(&mut self, name: &[u8], value: &[u8]) {
        match std::str::from_utf8(name) {
            Ok(s) => self.push_str(s, value),
            Err(_) => self.push_str(&String::from_utf8_lossy(name), value),
        }
    }

    /// Appends a field whose name is already known to be text (httparse hands out names
    /// as `&str`), with no further check.
    pub(crate) fn push_str(&mut self, name: &str, value: &[u8]) {
        self.names.push_str(name);
        self.values.extend_from_slice(value);
        self.entries.push(Entry {
            name_end: self.names.len(),
            value_end: self.values.len(),
        });
    }

    /// Appends a field whose value may contain obsolete line folding (RFC 9112 section 5.2):
    /// each line break with the whitespace after it becomes a single space.
    pub(crate) fn push_unfolded(&mut self, name: &str, value: &[u8]) {
        self.names.push_str(name);
        let mut rest = value;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let (line, after) = rest.split_at(nl);
            self.values
                .extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
            self.values.push(b' ');
            let after = after.get(1..).unwrap_or_default();
            let skip = after
                .iter()
                .position(|&b| b != b' ' && b != b'\t')
                .unwrap_or(after.len());
            rest = after.get(skip..).unwrap_or_default();
        }
        self.values.extend_from_slice(rest);
        self.entries.push(Entry {
            name_end: self.names.len(),
            value_end: self.values.len(),
        });
    }

    /// The field ending at `e`, which starts where `start` ends.
    fn field(&self, start: Entry, e: Entry) -> (&str, &[u8]) {
        // Ends are recorded after whole names were pushed, so they are character
        // boundaries and `get` cannot fail.
        let name = self
            .names
            .get(start.name_end..e.name_end)
            .unwrap_or_default();
        let value = self
            .values
            .get(start.value_end..e.value_end)
            .unwrap_or_default();
        (name, value)
    }

    #[cfg(test)]
    pub(crate) fn capacities(&self) -> (usize, usize, usize) {
        (
            self.names.capacity(),
            self.values.capacity(),
            self.entries.capacity(),
        )
    }
}

/// Where the first field starts.
const ZERO: Entry = Entry {
    name_end: 0,
    value_end: 0,
};

impl fmt::Debug for HeaderList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.iter()
                    .map(|(n, v)| (n, String::from_utf8_lossy(v).into_owned())),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_get_iter() {
        let mut h = HeaderList::new();
        assert!(h.is_empty());
        h.push(b"A", b"1");
        h.push(b"b", b"");
        h.push(b"a", b"\xff3");
        assert_eq!(h.len(), 3);
        assert_eq!(h.get("a"), Some(&b"1"[..]));
        assert_eq!(h.get("B"), Some(&b""[..]));
        assert_eq!(h.get("c"), None);
        assert_eq!(h.get_all("A").collect::<Vec<_>>(), [&b"1"[..], b"\xff3"]);
        assert_eq!(
            h.iter().collect::<Vec<_>>(),
            [("A", &b"1"[..]), ("b", b""), ("a", b"\xff3")]
        );
        assert_eq!(h.entry(1), Some(("b", &b""[..])));
        assert_eq!(h.entry(3), None);
        assert_eq!(format!("{h:?}"), r#"[("A", "1"), ("b", ""), ("a", "�3")]"#);
    }

    #[test]
    fn non_utf8_name_is_replaced() {
        let mut h = HeaderList::new();
        h.push(b"X\xff", b"v");
        assert_eq!(h.name(0), "X\u{fffd}");
        assert_eq!(h.value(0), b"v");
    }

    #[test]
    fn unfolding() {
        let mut h = HeaderList::new();
        h.push_unfolded("X", b"a\r\n  b\n\tc \r\n d");
        assert_eq!(h.value(0), b"a b c  d");
    }

    #[test]
    fn clear_keeps_capacity() {
        let mut h = HeaderList::new();
        for _ in 0..10 {
            h.push(b"Name", b"some value");
        }
        let caps = h.capacities();
        h.clear();
        assert!(h.is_empty());
        for _ in 0..10 {
            h.push(b"Name", b"some value");
        }
        assert_eq!(h.capacities(), caps);
    }
}
