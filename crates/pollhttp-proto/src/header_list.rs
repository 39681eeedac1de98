//! An ordered list of header fields stored in one reusable byte buffer.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Where one field's name and value are in [`HeaderList::bytes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    name: (usize, usize),
    value: (usize, usize),
}

/// Header (or trailer) fields in arrival order, duplicates kept.
///
/// Names and values live in one byte buffer plus a table of where each one is, so a list
/// that is [`clear`](HeaderList::clear)ed and refilled for every response stops allocating
/// once it has grown to the size of the largest head seen. A parsed head is copied into
/// the buffer whole, once, and its fields are found where they are in it. Names are
/// compared case-insensitively; values are raw bytes, since HTTP allows non-ASCII
/// (obs-text) in them.
///
/// ```
/// use pollhttp_proto::HeaderList;
/// let mut h = HeaderList::new();
/// h.push(b"Set-Cookie", b"a=1");
/// h.push(b"Content-Type", b"text/plain");
/// h.push(b"set-cookie", b"b=2");
/// assert_eq!(h.get("content-type"), Some(&b"text/plain"[..]));
/// assert_eq!(h.get_all("SET-COOKIE").collect::<Vec<_>>(), [&b"a=1"[..], b"b=2"]);
/// assert_eq!(h.name(2), "set-cookie");
/// ```
#[derive(Clone, Default)]
pub struct HeaderList {
    /// Every name and value, where the entries say; names are always UTF-8 (stored from
    /// `&str`, or made valid by [`push`](HeaderList::push)), so reading them as text never
    /// fails. Bytes between fields (a copied head's separators) belong to no field.
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
        self.entries.get(i).map(|e| self.field(e))
    }

    /// Every field as `(name, value)`, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> + '_ {
        self.entries.iter().map(|e| self.field(e))
    }

    /// The length of every field's name, in order: a scan for a few names can pass over
    /// the other fields without looking at their bytes.
    pub(crate) fn name_lengths(&self) -> impl Iterator<Item = usize> + '_ {
        self.entries
            .iter()
            .map(|e| e.name.1.saturating_sub(e.name.0))
    }

    /// Name and value of field `i` as bytes (empty when `i` is out of range).
    pub(crate) fn field_bytes(&self, i: usize) -> (&[u8], &[u8]) {
        match self.entries.get(i) {
            Some(e) => (self.span(e.name), self.span(e.value)),
            None => (&[], &[]),
        }
    }

    /// Value of the first field called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        let want = name.as_bytes();
        let e = self.entries.iter().find(|e| self.is_named(e, want))?;
        Some(self.span(e.value))
    }

    /// Values of every field called `name` (case-insensitive), in arrival order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        let want = name.as_bytes();
        self.entries
            .iter()
            .filter(move |e| self.is_named(e, want))
            .map(|e| self.span(e.value))
    }

    /// Whether `e`'s name is `want` in any case. Bytes, not `str`, and only a name of the
    /// right length is looked at.
    fn is_named(&self, e: &Entry, want: &[u8]) -> bool {
        e.name.1.saturating_sub(e.name.0) == want.len()
            && self.span(e.name).eq_ignore_ascii_case(want)
    }

    /// Appends a field.
    ///
    /// `name` should be an HTTP token (always true for names coming from the parser); a name
    /// that is not valid UTF-8 is stored with U+FFFD in place of the invalid bytes.
    pub fn push(&mut self, name: &[u8], value: &[u8]) {
        match core::str::from_utf8(name) {
            Ok(s) => self.push_str(s, value),
            Err(_) => self.push_str(&String::from_utf8_lossy(name), value),
        }
    }

    /// Appends a field whose name is already known to be text (httparse hands out names
    /// as `&str`), with no further check.
    pub(crate) fn push_str(&mut self, name: &str, value: &[u8]) {
        let name = self.append(name.as_bytes());
        let value = self.append(value);
        self.entries.push(Entry { name, value });
    }

    /// Appends the fields of a parsed head: `head` is copied once, and each field that
    /// lies within it (as httparse's fields do) is recorded where it is in the copy; any
    /// other is copied on its own. With `folded`, a value holding a line break is stored
    /// unfolded: each line break with the whitespace after it becomes a single space
    /// (obsolete line folding, RFC 9112 section 5.2).
    pub(crate) fn extend_from_head<'h>(
        &mut self,
        head: &'h [u8],
        fields: impl Iterator<Item = (&'h str, &'h [u8])>,
        folded: bool,
    ) {
        let base = self.bytes.len();
        self.bytes.extend_from_slice(head);
        let head_at = head.as_ptr().addr();
        // Where `part` is in the copy, if it lies within `head`.
        let within = |part: &[u8]| -> Option<(usize, usize)> {
            let offset = part.as_ptr().addr().checked_sub(head_at)?;
            let end = offset.checked_add(part.len())?;
            (end <= head.len()).then_some((base + offset, base + end))
        };
        for (name, value) in fields {
            let name = match within(name.as_bytes()) {
                Some(span) => span,
                None => self.append(name.as_bytes()),
            };
            let value = match within(value) {
                Some(span) if !(folded && value.contains(&b'\n')) => span,
                _ if folded => self.append_unfolded(value),
                _ => self.append(value),
            };
            self.entries.push(Entry { name, value });
        }
    }

    /// Appends `part` to the buffer; returns where it is.
    fn append(&mut self, part: &[u8]) -> (usize, usize) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(part);
        (start, self.bytes.len())
    }

    /// Appends `value` with each line break and the whitespace after it made one space.
    fn append_unfolded(&mut self, value: &[u8]) -> (usize, usize) {
        let start = self.bytes.len();
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
        (start, self.bytes.len())
    }

    fn span(&self, (start, end): (usize, usize)) -> &[u8] {
        self.bytes.get(start..end).unwrap_or_default()
    }

    fn field(&self, e: &Entry) -> (&str, &[u8]) {
        // Names are stored from text (see `bytes`): the check cannot fail.
        let name = core::str::from_utf8(self.span(e.name)).unwrap_or_default();
        (name, self.span(e.value))
    }

    #[cfg(test)]
    pub(crate) fn capacities(&self) -> (usize, usize) {
        (self.bytes.capacity(), self.entries.capacity())
    }
}

/// Lists are equal when they hold the same fields in the same order, however stored.
impl PartialEq for HeaderList {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for HeaderList {}

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
    use crate::test_prelude::*;

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
    fn fields_of_a_head_are_found_in_its_copy() {
        let head = b"HTTP/1.1 200 OK\r\nA: 1\r\nFold: a\r\n  b\n\tc \r\n d\r\nb: \xff2\r\n\r\n";
        let at = |s: &[u8]| {
            let i = head.windows(s.len()).position(|w| w == s).unwrap();
            &head[i..i + s.len()]
        };
        let name = |s: &[u8]| core::str::from_utf8(at(s)).unwrap();
        let elsewhere = b"copied".to_vec();
        let fields = [
            (name(b"A"), at(b"1")),
            (name(b"Fold"), at(b"a\r\n  b\n\tc \r\n d")),
            (name(b"b"), at(b"\xff2")),
            ("Outside", &elsewhere[..]),
        ];
        let mut h = HeaderList::new();
        h.push(b"First", b"pushed");
        h.extend_from_head(head, fields.iter().copied(), true);
        let mut want = HeaderList::new();
        for (n, v) in [
            ("First", &b"pushed"[..]),
            ("A", b"1"),
            ("Fold", b"a b c  d"),
            ("b", b"\xff2"),
            ("Outside", b"copied"),
        ] {
            want.push(n.as_bytes(), v);
        }
        assert_eq!(h, want);
        assert_eq!(h.get("fold"), Some(&b"a b c  d"[..]));
        assert_eq!(h.field_bytes(4), (&b"Outside"[..], &b"copied"[..]));
        assert_eq!(h.name_lengths().collect::<Vec<_>>(), [5, 1, 4, 1, 7]);
        // Without `folded`, values are kept as they are.
        let mut raw = HeaderList::new();
        raw.extend_from_head(head, fields.iter().copied(), false);
        assert_eq!(raw.value(1), b"a\r\n  b\n\tc \r\n d");
        assert_ne!(raw, want);
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
