//! An ordered list of header fields stored in one reusable byte buffer.

use std::fmt;

/// Where one field's name and value sit in [`HeaderList::bytes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    start: usize,
    name_end: usize,
    end: usize,
}

/// Header (or trailer) fields in arrival order, duplicates kept.
///
/// Names and values live in one byte buffer plus a table of ranges, so a list that is
/// [`clear`](HeaderList::clear)ed and refilled for every response stops allocating once it
/// has grown to the size of the largest head seen. Names are compared case-insensitively;
/// values are raw bytes, since HTTP allows non-ASCII (obs-text) in them.
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
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

impl HeaderList {
    /// An empty list.
    pub fn new() -> Self {
        HeaderList::default()
    }

    /// Removes every field, keeping the allocated capacity for reuse.
    pub fn clear(&mut self) {
        self.bytes.clear();
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
        self.name_of(self.entries[i])
    }

    /// Value of field `i`, without surrounding whitespace.
    ///
    /// # Panics
    ///
    /// If `i >= self.len()`, like slice indexing; [`entry`](HeaderList::entry) does not panic.
    pub fn value(&self, i: usize) -> &[u8] {
        self.value_of(self.entries[i])
    }

    /// Name and value of field `i`, or `None` when `i` is out of range.
    pub fn entry(&self, i: usize) -> Option<(&str, &[u8])> {
        let e = *self.entries.get(i)?;
        Some((self.name_of(e), self.value_of(e)))
    }

    /// Every field as `(name, value)`, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> + '_ {
        self.entries
            .iter()
            .map(move |&e| (self.name_of(e), self.value_of(e)))
    }

    /// Value of the first field called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Values of every field called `name` (case-insensitive), in arrival order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Appends a field.
    ///
    /// `name` should be an HTTP token (always true for names coming from the parser); a name
    /// that is not valid UTF-8 is stored with U+FFFD in place of the invalid bytes.
    pub fn push(&mut self, name: &[u8], value: &[u8]) {
        let start = self.bytes.len();
        match std::str::from_utf8(name) {
            Ok(s) => self.bytes.extend_from_slice(s.as_bytes()),
            Err(_) => self
                .bytes
                .extend_from_slice(String::from_utf8_lossy(name).as_bytes()),
        }
        let name_end = self.bytes.len();
        self.bytes.extend_from_slice(value);
        self.entries.push(Entry {
            start,
            name_end,
            end: self.bytes.len(),
        });
    }

    /// Appends a field whose value may contain obsolete line folding (RFC 9112 section 5.2):
    /// each line break with the whitespace after it becomes a single space.
    pub(crate) fn push_unfolded(&mut self, name: &str, value: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(name.as_bytes());
        let name_end = self.bytes.len();
        let mut rest = value;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let (line, after) = rest.split_at(nl);
            self.bytes
                .extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
            self.bytes.push(b' ');
            let after = after.get(1..).unwrap_or_default();
            let skip = after
                .iter()
                .position(|&b| b != b' ' && b != b'\t')
                .unwrap_or(after.len());
            rest = after.get(skip..).unwrap_or_default();
        }
        self.bytes.extend_from_slice(rest);
        self.entries.push(Entry {
            start,
            name_end,
            end: self.bytes.len(),
        });
    }

    fn name_of(&self, e: Entry) -> &str {
        // Names are stored from a `&str` or lossily converted, so this cannot fail.
        self.bytes
            .get(e.start..e.name_end)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }

    fn value_of(&self, e: Entry) -> &[u8] {
        self.bytes.get(e.name_end..e.end).unwrap_or_default()
    }

    #[cfg(test)]
    pub(crate) fn capacities(&self) -> (usize, usize) {
        (self.bytes.capacity(), self.entries.capacity())
    }
}

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
