use super::*;
use crate::test_prelude::*;

fn parse_all(bytes: &[u8], limits: &Limits) -> Result<(usize, ResponseHead), ProtoError> {
    let mut p = HeadParser::new();
    let mut head = ResponseHead::new();
    match p.parse(bytes, limits, &mut head)? {
        HeadParse::Complete { consumed } => Ok((consumed, head)),
        HeadParse::Partial => panic!("partial: {:?}", String::from_utf8_lossy(bytes)),
    }
}

fn parse_ok(bytes: &[u8]) -> (usize, ResponseHead) {
    parse_all(bytes, &Limits::default()).expect("valid head")
}

fn parse_err(bytes: &[u8]) -> ProtoError {
    parse_all(bytes, &Limits::default()).expect_err("invalid head")
}

fn headers(h: &ResponseHead) -> Vec<(String, Vec<u8>)> {
    h.headers()
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_vec()))
        .collect()
}

const SAMPLE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-Dup: a\r\nx-dup: b\r\n\r\nhello";

#[test]
fn parses_a_head_and_stops_at_the_blank_line() {
    let (consumed, h) = parse_ok(SAMPLE);
    assert_eq!(&SAMPLE[consumed..], b"hello");
    assert_eq!(h.version_minor(), 1);
    assert_eq!(h.code(), 200);
    assert_eq!(h.reason(), b"OK");
    assert_eq!(h.headers().len(), 4);
    assert_eq!(h.headers().get("content-length"), Some(&b"5"[..]));
    assert_eq!(h.headers().get_all("X-DUP").count(), 2);
}

#[test]
fn split_at_every_offset() {
    let end = SAMPLE.len() - 5;
    let (_, whole) = parse_ok(SAMPLE);
    // Growing buffer, one byte per call: Partial until the blank line is complete.
    let mut p = HeadParser::new();
    let mut h = ResponseHead::new();
    for n in 0..=SAMPLE.len() {
        let r = p.parse(&SAMPLE[..n], &Limits::default(), &mut h).unwrap();
        if n < end {
            assert_eq!(r, HeadParse::Partial, "at {n}");
            assert_eq!(h.code(), 0, "out untouched while partial");
            // Each byte is looked at once: the next call resumes where this one stopped.
            assert_eq!(p.scanned, n, "at {n}");
        } else {
            assert_eq!(r, HeadParse::Complete { consumed: end }, "at {n}");
            assert_eq!(h, whole);
            break;
        }
    }
    // Two calls split at every offset.
    for split in 0..end {
        let mut p = HeadParser::new();
        let mut h = ResponseHead::new();
        assert_eq!(
            p.parse(&SAMPLE[..split], &Limits::default(), &mut h),
            Ok(HeadParse::Partial)
        );
        assert_eq!(
            p.parse(SAMPLE, &Limits::default(), &mut h),
            Ok(HeadParse::Complete { consumed: end })
        );
        assert_eq!(h, whole);
    }
}

#[test]
fn bare_lf_line_endings() {
    let (consumed, h) = parse_ok(b"HTTP/1.0 404 Not Found\nA: 1\nB: 2\n\nbody");
    assert_eq!(consumed, 34);
    assert_eq!(h.version_minor(), 0);
    assert_eq!(h.code(), 404);
    assert_eq!(h.reason(), b"Not Found");
    assert_eq!(
        headers(&h),
        [("A".into(), b"1".to_vec()), ("B".into(), b"2".to_vec())]
    );
    // Mixed: CRLF lines ended by LF, and LF lines ended by CRLF.
    assert_eq!(parse_ok(b"HTTP/1.1 200 OK\r\nA: 1\r\n\n").0, 24);
    assert_eq!(parse_ok(b"HTTP/1.1 200 OK\nA: 1\n\r\n").0, 23);
    assert_eq!(parse_ok(b"HTTP/1.1 204\n\n").0, 14);
}

#[test]
fn obsolete_line_folding_becomes_one_space() {
    let (_, h) =
        parse_ok(b"HTTP/1.1 200 OK\r\nX-Fold: first\r\n  second\r\n\tthird\r\nNext: n\r\n\r\n");
    assert_eq!(
        headers(&h),
        [
            ("X-Fold".into(), b"first second third".to_vec()),
            ("Next".into(), b"n".to_vec())
        ]
    );
    let (_, h) = parse_ok(b"HTTP/1.1 200 OK\nX-Fold: a\n b\n\n");
    assert_eq!(h.headers().get("x-fold"), Some(&b"a b"[..]));
}

#[test]
fn leading_empty_lines_are_skipped() {
    for prefix in [&b"\r\n"[..], b"\n", b"\r\n\r\n\n", b"\n\r\n"] {
        let mut bytes = prefix.to_vec();
        bytes.extend_from_slice(b"HTTP/1.1 201 Created\r\n\r\n");
        let (consumed, h) = parse_ok(&bytes);
        assert_eq!(consumed, bytes.len());
        assert_eq!(h.code(), 201);
        // Also byte by byte.
        let mut p = HeadParser::new();
        let mut out = ResponseHead::new();
        for n in 0..bytes.len() {
            assert_eq!(
                p.parse(&bytes[..n], &Limits::default(), &mut out),
                Ok(HeadParse::Partial),
                "{prefix:?} at {n}"
            );
        }
        assert_eq!(
            p.parse(&bytes, &Limits::default(), &mut out),
            Ok(HeadParse::Complete {
                consumed: bytes.len()
            })
        );
    }
}

#[test]
fn reason_from_httparse_is_the_status_line_as_sent() {
    for line in [
        &b"HTTP/1.1 200 OK\r\n"[..],
        b"HTTP/1.1 200 OK\n",
        b"HTTP/1.0   503   Service \t Unavailable \t\r\n",
        b"HTTP/1.1 200 \tOK\r\n",
        b"HTTP/1.1 204 \r\n",
        b"HTTP/1.1 204\r\n",
        b"HTTP/1.1 200 caf\xc3\xa9 \xff\r\n",
        b"HTTP/1.1 299 a,b;c=\"d\"/e\r\n",
    ] {
        let mut bytes = line.to_vec();
        bytes.extend_from_slice(b"A: 1\r\n\r\n");
        let (_, h) = parse_ok(&bytes);
        assert_eq!(
            h.reason(),
            reason_phrase(&bytes),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn lenient_status_line_and_names() {
    let (_, h) = parse_ok(b"HTTP/1.1  404  Not  Found \r\n\r\n");
    assert_eq!(h.code(), 404);
    assert_eq!(h.reason(), b"Not  Found ");
    let (_, h) = parse_ok(b"HTTP/1.1 418\r\n\r\n");
    assert_eq!((h.code(), h.reason()), (418, &b""[..]));
    let (_, h) = parse_ok(b"HTTP/1.1 200 \xc3\xa9t\xe9\r\n\r\n");
    assert_eq!(h.reason(), b"\xc3\xa9t\xe9");
    let (_, h) = parse_ok(b"HTTP/1.1 200 OK\r\nContent-Length : 5\r\nX:   spaced   \r\nE:\r\n\r\n");
    assert_eq!(
        headers(&h),
        [
            ("Content-Length".into(), b"5".to_vec()),
            ("X".into(), b"spaced".to_vec()),
            ("E".into(), b"".to_vec())
        ]
    );
    let (_, h) = parse_ok(b"HTTP/1.1 200 OK\r\nX-Bin: caf\xe9\r\n\r\n");
    assert_eq!(h.headers().get("x-bin"), Some(&b"caf\xe9"[..]));
    let (_, h) = parse_ok(b"HTTP/1.1 999 Custom\r\n\r\n");
    assert_eq!(h.code(), 999);
}

#[test]
fn garbage_is_never_a_response() {
    let cases: &[&[u8]] = &[
        b"ICY 200 OK\r\n\r\n",
        b"http/1.1 200 OK\r\n\r\n",
        b"HTTP/2 200\r\n\r\n",
        b"HTTP/1.2 200 OK\r\n\r\n",
        b"HTTP/1.1 20 OK\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 abc OK\r\n\r\n",
        b"HTTP/1.1 099 Low\r\n\r\n",
        b"HTTP/1.1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n: empty\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
        b"\rHTTP/1.1 200 OK\r\n\r\n",
        b"lostbodyHTTP/1.1 200 OK\r\n\r\n",
        b"\x15\x03\x03\x00\x02\x02\x46",
    ];
    for &c in cases {
        assert!(
            matches!(parse_err(c), ProtoError::InvalidHead { .. }),
            "{:?} -> {:?}",
            String::from_utf8_lossy(c),
            parse_all(c, &Limits::default())
        );
    }
}

#[test]
fn wrong_version_prefix_fails_before_the_head_ends() {
    let mut p = HeadParser::new();
    let mut h = ResponseHead::new();
    let l = Limits::default();
    assert_eq!(p.parse(b"HT", &l, &mut h), Ok(HeadParse::Partial));
    assert!(matches!(
        p.parse(b"HTX", &l, &mut h),
        Err(ProtoError::InvalidHead { .. })
    ));
    let mut p = HeadParser::new();
    assert!(matches!(
        p.parse(b"\r\nICY", &l, &mut h),
        Err(ProtoError::InvalidHead { .. })
    ));
}

#[test]
fn head_size_limit() {
    let head = b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\n";
    let exact = Limits {
        max_head_bytes: head.len(),
        ..Limits::default()
    };
    assert_eq!(parse_all(head, &exact).unwrap().0, head.len());
    let short = Limits {
        max_head_bytes: head.len() - 1,
        ..Limits::default()
    };
    assert_eq!(
        parse_all(head, &short).unwrap_err(),
        ProtoError::HeadTooLarge {
            limit: head.len() - 1
        }
    );
    // Without an end in sight: fails once the buffer reaches the limit, not later.
    let mut p = HeadParser::new();
    let mut h = ResponseHead::new();
    let l = Limits {
        max_head_bytes: 64,
        ..Limits::default()
    };
    let mut buf = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
    while buf.len() < 63 {
        assert_eq!(p.parse(&buf, &l, &mut h), Ok(HeadParse::Partial));
        buf.push(b'a');
    }
    buf.push(b'a');
    assert_eq!(
        p.parse(&buf, &l, &mut h),
        Err(ProtoError::HeadTooLarge { limit: 64 })
    );
    // Endless empty lines count too.
    let mut p = HeadParser::new();
    assert_eq!(
        p.parse(&[b'\n'; 64], &l, &mut h),
        Err(ProtoError::HeadTooLarge { limit: 64 })
    );
    // A zero limit rejects the first byte, not the empty buffer.
    let zero = Limits {
        max_head_bytes: 0,
        ..Limits::default()
    };
    let mut p = HeadParser::new();
    assert_eq!(p.parse(b"", &zero, &mut h), Ok(HeadParse::Partial));
    assert_eq!(
        p.parse(b"H", &zero, &mut h),
        Err(ProtoError::HeadTooLarge { limit: 0 })
    );
    // A huge single line with the default limit.
    let mut big = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
    big.resize(70_000, b'a');
    assert_eq!(parse_err(&big), ProtoError::HeadTooLarge { limit: 65536 });
}

fn head_with_headers(n: usize) -> Vec<u8> {
    let mut v = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..n {
        v.extend_from_slice(format!("H{i}: v\r\n").as_bytes());
    }
    v.extend_from_slice(b"\r\n");
    v
}

#[test]
fn header_count_limit() {
    let l = Limits::default();
    assert_eq!(
        parse_all(&head_with_headers(100), &l)
            .unwrap()
            .1
            .headers()
            .len(),
        100
    );
    assert_eq!(
        parse_all(&head_with_headers(101), &l).unwrap_err(),
        ProtoError::TooManyHeaders { limit: 100 }
    );
    let zero = Limits {
        max_headers: 0,
        ..Limits::default()
    };
    assert_eq!(
        parse_all(&head_with_headers(0), &zero).unwrap().1.code(),
        200
    );
    assert_eq!(
        parse_all(&head_with_headers(1), &zero).unwrap_err(),
        ProtoError::TooManyHeaders { limit: 0 }
    );
    // Above the stack array: the heap path.
    let many = Limits {
        max_headers: 300,
        ..Limits::default()
    };
    let (_, h) = parse_all(&head_with_headers(300), &many).unwrap();
    assert_eq!(h.headers().len(), 300);
    assert_eq!(h.headers().name(299), "H299");
    assert_eq!(
        parse_all(&head_with_headers(301), &many).unwrap_err(),
        ProtoError::TooManyHeaders { limit: 300 }
    );
}

#[test]
fn reuse_and_contract_breaks() {
    let mut p = HeadParser::new();
    let mut h = ResponseHead::new();
    let l = Limits::default();
    assert_eq!(p.parse(&SAMPLE[..30], &l, &mut h), Ok(HeadParse::Partial));
    // A shorter buffer than before must not panic or misparse.
    assert_eq!(p.parse(&SAMPLE[..10], &l, &mut h), Ok(HeadParse::Partial));
    assert!(matches!(
        p.parse(SAMPLE, &l, &mut h),
        Ok(HeadParse::Complete { .. })
    ));
    // After Complete the parser starts afresh.
    assert_eq!(
        p.parse(b"HTTP/1.0 500 E\r\n\r\n", &l, &mut h),
        Ok(HeadParse::Complete { consumed: 18 })
    );
    assert_eq!(
        (h.code(), h.version_minor(), h.headers().len()),
        (500, 0, 0)
    );
    h.clear();
    assert_eq!((h.code(), h.reason()), (0, &b""[..]));
}

/// Feeds `bytes` one byte per call, as a trickling peer would, and returns the first
/// result that is not `Partial` (or `Partial` if the bytes run out), with the head.
fn parse_trickled(bytes: &[u8], limits: &Limits) -> (Result<HeadParse, ProtoError>, ResponseHead) {
    let mut p = HeadParser::new();
    let mut h = ResponseHead::new();
    for n in 1..=bytes.len() {
        match p.parse(&bytes[..n], limits, &mut h) {
            Ok(HeadParse::Partial) => {}
            other => return (other, h),
        }
    }
    (Ok(HeadParse::Partial), h)
}

#[test]
fn whole_and_trickled_heads_agree() {
    // A head that is complete at the first look is parsed in one pass; one that trickles
    // in goes through the search for its end first. Both must give the same outcome:
    // the same head, the same length, or the same error.
    let mut corpus: Vec<Vec<u8>> = [
        SAMPLE,
        b"HTTP/1.0 404 Not Found\nA: 1\nB: 2\n\nbody",
        b"HTTP/1.1 200 OK\r\nA: 1\r\n\n",
        b"HTTP/1.1 200 OK\nA: 1\n\r\nrest",
        b"HTTP/1.1 204\n\n",
        b"\r\n\nHTTP/1.1 201 Created\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-Fold: first\r\n  second\r\n\tthird\r\nNext: n\r\n\r\n",
        b"HTTP/1.1 200 OK\nX-Fold: a\n b\n\nxyz",
        b"HTTP/1.1 200 OK\r\nX: a\r\n \r\nY: b\r\n\r\n",
        b"HTTP/1.1  404  Not  Found \r\n\r\n",
        b"HTTP/1.1 200 \xc3\xa9t\xe9\r\nX-Bin: caf\xe9\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length : 5\r\nX:   spaced   \r\nE:\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
        b"HTTP/1.1 200 OK\r\r\n\r\n",
        b"HTTP/1.1 099 Low\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
    ]
    .iter()
    .map(|b| b.to_vec())
    .collect();
    corpus.push(head_with_headers(100));
    corpus.push(head_with_headers(101));
    let limits = [
        Limits::default(),
        Limits {
            max_head_bytes: 24,
            ..Limits::default()
        },
        Limits {
            max_headers: 2,
            ..Limits::default()
        },
    ];
    for bytes in &corpus {
        for l in &limits {
            let mut p = HeadParser::new();
            let mut whole = ResponseHead::new();
            let w = p.parse(bytes, l, &mut whole);
            let (t, trickled) = parse_trickled(bytes, l);
            let shown = String::from_utf8_lossy(bytes);
            assert_eq!(w, t, "{shown:?} with {l:?}");
            assert_eq!(whole, trickled, "{shown:?} with {l:?}");
        }
    }
}

#[test]
fn bytes_past_the_head_limit_are_not_looked_at() {
    // The version check used to see the byte past the limit when it had arrived, and not
    // when it had not: the same bytes gave InvalidHead or HeadTooLarge by how they were
    // split. Found by fuzzing.
    let limits = Limits {
        max_head_bytes: 16,
        ..Limits::default()
    };
    let bytes = b"\r\n\r\n\r\n\r\n\r\nHTTP/1\r\n\r\n\r\n";
    let mut head = ResponseHead::new();
    for end in 16..=bytes.len() {
        let mut p = HeadParser::new();
        assert_eq!(
            p.parse(&bytes[..end], &limits, &mut head),
            Err(ProtoError::HeadTooLarge { limit: 16 }),
            "{end} bytes"
        );
    }
}

#[test]
fn a_value_with_a_line_break_is_never_stored_raw() {
    // The fold check counts line ends; a head whose only extra line is a fold must still
    // have it unfolded, whatever else it holds.
    let (_, h) = parse_ok(b"HTTP/1.1 200 OK\r\nA: 1\r\nB: x\r\n\ty\r\nC: 3\r\n\r\n");
    assert_eq!(
        headers(&h),
        [
            ("A".into(), b"1".to_vec()),
            ("B".into(), b"x y".to_vec()),
            ("C".into(), b"3".to_vec())
        ]
    );
    assert!(h.headers().iter().all(|(_, v)| !v.contains(&b'\n')));
}

#[test]
fn a_carriage_return_at_the_head_limit_is_too_large_however_split() {
    // Whether the CR at the last allowed byte starts an empty line or is a stray byte
    // depends on the next byte, past the limit: the head is too large either way. Found by
    // fuzzing (the answer used to depend on whether that byte had arrived).
    let limits = Limits {
        max_head_bytes: 8,
        ..Limits::default()
    };
    let bytes = b"\r\n\r\n\n\n\n\r\x00HTTP/1.1 200 OK\r\n\r\n";
    let mut head = ResponseHead::new();
    for end in 8..=bytes.len() {
        assert_eq!(
            HeadParser::new().parse(&bytes[..end], &limits, &mut head),
            Err(ProtoError::HeadTooLarge { limit: 8 }),
            "{end} bytes"
        );
    }
    assert_eq!(
        HeadParser::new().parse(&bytes[..7], &limits, &mut head),
        Ok(HeadParse::Partial)
    );
}
