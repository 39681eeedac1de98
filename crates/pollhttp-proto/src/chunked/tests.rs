use super::*;
use crate::test_prelude::*;

/// Body, trailers, data run lengths, bytes left after the body.
type Outcome = (Vec<u8>, HeaderList, Vec<usize>, Vec<u8>);

/// What a driver does: append each piece to a buffer, decode until no progress, drop what
/// was consumed. Returns the body, the trailers, the data run lengths and the bytes left
/// after the end of the body.
fn run(pieces: &[&[u8]], max_data: usize, limits: &Limits) -> Result<Outcome, ProtoError> {
    let mut dec = ChunkedDecoder::new();
    let mut trailers = HeaderList::new();
    let mut buf = Vec::new();
    let mut body = Vec::new();
    let mut runs = Vec::new();
    for piece in pieces {
        buf.extend_from_slice(piece);
        while !dec.is_done() {
            let d = dec.decode(&buf, max_data, limits, &mut trailers)?;
            assert!(d.data.end <= d.consumed && d.consumed <= buf.len());
            assert!(d.data.len() <= max_data);
            if !d.data.is_empty() {
                runs.push(d.data.len());
                body.extend_from_slice(&buf[d.data.clone()]);
            }
            buf.drain(..d.consumed);
            if d.data.is_empty() {
                // Without data the decoder only stops when it needs more input or is done.
                assert!(buf.is_empty() || dec.is_done());
                break;
            }
        }
    }
    assert!(dec.is_done(), "not done after all input");
    Ok((body, trailers, runs, buf))
}

fn run_all(input: &[u8]) -> Result<Outcome, ProtoError> {
    run(&[input], usize::MAX, &Limits::default())
}

fn first_error(input: &[u8], limits: &Limits) -> ProtoError {
    let mut dec = ChunkedDecoder::new();
    let mut trailers = HeaderList::new();
    let mut pos = 0;
    loop {
        match dec.decode(&input[pos..], usize::MAX, limits, &mut trailers) {
            Err(e) => {
                // Errors are sticky.
                assert_eq!(dec.decode(b"0\r\n\r\n", 10, limits, &mut trailers), Err(e));
                return e;
            }
            Ok(d) => {
                assert!(!dec.is_done(), "decoded without error: {input:?}");
                assert!(d.consumed > 0, "stalled without error: {input:?}");
                pos += d.consumed;
            }
        }
    }
}

const SAMPLE: &[u8] = b"5;name=value;q=\"a \\\"quoted\\\" ;x\"\r\nhello\r\n00B \r\n, chunked!!\r\n1a ; ext \r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Checksum: abc\r\nX-Other:  two words \r\n\r\nNEXT";
const SAMPLE_BODY: &[u8] = b"hello, chunked!!abcdefghijklmnopqrstuvwxyz";

fn check_sample(r: Outcome) {
    let (body, trailers, _, rest) = r;
    assert_eq!(body, SAMPLE_BODY);
    assert_eq!(
        trailers.iter().collect::<Vec<_>>(),
        [("X-Checksum", &b"abc"[..]), ("X-Other", b"two words")]
    );
    assert_eq!(rest, b"NEXT");
}

#[test]
fn sample_in_one_piece() {
    let r = run_all(SAMPLE).unwrap();
    assert_eq!(r.2, [5, 11, 26]);
    check_sample(r);
}

#[test]
fn sample_split_at_every_offset() {
    for split in 0..=SAMPLE.len() {
        let r = run(
            &[&SAMPLE[..split], &SAMPLE[split..]],
            usize::MAX,
            &Limits::default(),
        )
        .unwrap_or_else(|e| panic!("split {split}: {e}"));
        check_sample(r);
    }
    let bytes: Vec<&[u8]> = SAMPLE.chunks(1).collect();
    check_sample(run(&bytes, usize::MAX, &Limits::default()).unwrap());
    for split_a in (0..SAMPLE.len()).step_by(7) {
        for split_b in split_a..SAMPLE.len() {
            let r = run(
                &[
                    &SAMPLE[..split_a],
                    &SAMPLE[split_a..split_b],
                    &SAMPLE[split_b..],
                ],
                4,
                &Limits::default(),
            )
            .unwrap();
            check_sample(r);
        }
    }
}

#[test]
fn data_comes_in_pieces_of_max_data() {
    let r = run(&[b"a\r\n0123456789\r\n0\r\n\r\n"], 3, &Limits::default()).unwrap();
    assert_eq!(r.0, b"0123456789");
    assert_eq!(r.2, [3, 3, 3, 1]);
    // One run per call even when more data is available.
    let mut dec = ChunkedDecoder::new();
    let mut t = HeaderList::new();
    let input = b"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n";
    let l = Limits::default();
    let d = dec.decode(input, 100, &l, &mut t).unwrap();
    assert_eq!((d.consumed, d.data), (6, 3..6));
    let d = dec.decode(&input[6..], 100, &l, &mut t).unwrap();
    assert_eq!((d.consumed, d.data), (8, 5..8));
    assert!(!dec.is_done());
    let d = dec.decode(&input[14..], 100, &l, &mut t).unwrap();
    assert_eq!((d.consumed, d.data.len()), (7, 0));
    assert!(dec.is_done());
    // Done: nothing more is consumed.
    assert_eq!(
        dec.decode(b"junk", 100, &l, &mut t).unwrap(),
        Decoded {
            consumed: 0,
            data: 0..0
        }
    );
}

#[test]
fn max_data_zero_makes_no_progress_inside_data() {
    let mut dec = ChunkedDecoder::new();
    let mut t = HeaderList::new();
    let d = dec
        .decode(b"3\r\nabc", 0, &Limits::default(), &mut t)
        .unwrap();
    assert_eq!((d.consumed, d.data.len()), (3, 0));
    assert_eq!(dec.data_left_in_chunk(), 3);
}

#[test]
fn sizes() {
    assert_eq!(
        run_all(b"0000000000000000000000005\r\nhello\r\n0\r\n\r\n")
            .unwrap()
            .0,
        b"hello"
    );
    assert_eq!(
        run_all(b"A\r\n0123456789\r\n0\r\n\r\n").unwrap().0,
        b"0123456789"
    );
    assert_eq!(
        run_all(b"a\r\n0123456789\r\n000\r\n\r\n").unwrap().0,
        b"0123456789"
    );
    let mut dec = ChunkedDecoder::new();
    let mut t = HeaderList::new();
    dec.decode(b"FFFFFFFFFFFFFFFF\r\n", 1, &Limits::default(), &mut t)
        .unwrap();
    assert_eq!(dec.data_left_in_chunk(), u64::MAX);
    assert_eq!(
        first_error(b"10000000000000000\r\n", &Limits::default()),
        ProtoError::ChunkSizeOverflow
    );
    assert_eq!(
        first_error(b"FFFFFFFFFFFFFFFFF\r\n", &Limits::default()),
        ProtoError::ChunkSizeOverflow
    );
}

#[test]
fn chunks_of_16_mib_and_more() {
    let size: usize = (16 << 20) + 1;
    let mut input = format!("{size:x}\r\n").into_bytes();
    let header_len = input.len();
    input.resize(header_len + size, b'z');
    input.extend_from_slice(b"\r\n0\r\n\r\n");
    let (body, _, runs, rest) = run(&[&input], 65536, &Limits::default()).unwrap();
    assert_eq!(body.len(), size);
    assert!(body.iter().all(|&b| b == b'z'));
    assert_eq!(runs.len(), 257);
    assert!(rest.is_empty());

    // Direct reads: the driver skips the data itself.
    let mut dec = ChunkedDecoder::new();
    let mut t = HeaderList::new();
    let l = Limits::default();
    let d = dec.decode(b"40000000\r\n", 10, &l, &mut t).unwrap();
    assert_eq!(d.consumed, 10);
    assert_eq!(dec.data_left_in_chunk(), 1 << 30);
    dec.consume_data((1 << 30) - 2);
    let d = dec.decode(b"xy\r\n0\r\n\r\n", 10, &l, &mut t).unwrap();
    assert_eq!((d.consumed, d.data), (2, 0..2));
    assert_eq!(dec.data_left_in_chunk(), 0);
    dec.consume_data(5); // outside data: ignored
    let d = dec.decode(b"\r\n0\r\n\r\n", 10, &l, &mut t).unwrap();
    assert_eq!(d.consumed, 7);
    assert!(dec.is_done());
}

#[test]
fn extensions_and_whitespace() {
    let ok: &[&[u8]] = &[
        b"5;a\r\nhello\r\n0\r\n\r\n",
        b"5;a=b\r\nhello\r\n0\r\n\r\n",
        b"5 ; a = b ; c\r\nhello\r\n0\r\n\r\n",
        b"5\t;\ta\t=\t\"q\\\"x;y\\\\\"\t;c=d\r\nhello\r\n0\r\n\r\n",
        b"5;a=\"\"\r\nhello\r\n0\r\n\r\n",
        b"5;a=\"caf\xc3\xa9\"\r\nhello\r\n0\r\n\r\n",
        b"5   \r\nhello\r\n0\r\n\r\n",
        b"5\nhello\r\n0\n\n",
        b"5\r\nhello\r\n0;last=1\r\nT: v\n\r\n",
    ];
    for &c in ok {
        let r = run_all(c).unwrap_or_else(|e| panic!("{:?}: {e}", String::from_utf8_lossy(c)));
        assert_eq!(r.0, b"hello", "{:?}", String::from_utf8_lossy(c));
    }
}

#[test]
fn malformed_size_lines() {
    let bad: &[&[u8]] = &[
        b"\r\n",
        b"x\r\n",
        b" 5\r\n",
        b"-5\r\n",
        b"+5\r\n",
        b"0x5\r\n",
        b"5 5\r\n",
        b"5;\r\n",
        b"5; \r\n",
        b"5;=b\r\n",
        b"5;a=\r\n",
        b"5;a==b\r\n",
        b"5;a b\r\n",
        b"5;a=b c\r\n",
        b"5;a=\"open\r\n",
        b"5;a=\"x\"y\r\n",
        b"5;a=\"\x01\"\r\n",
        b"5\rx",
        b"5\r\r\n",
        b"5,3\r\n",
        b"5\x00\r\n",
    ];
    for &c in bad {
        assert_eq!(
            first_error(c, &Limits::default()),
            ProtoError::InvalidChunkSize,
            "{:?}",
            String::from_utf8_lossy(c)
        );
    }
}

#[test]
fn chunk_line_limit() {
    let l = Limits {
        max_chunk_line_bytes: 8,
        ..Limits::default()
    };
    // Exactly 8 bytes including CRLF.
    assert_eq!(
        run(&[b"5;abcd\r\nhello\r\n0\r\n\r\n"], 99, &l).unwrap().0,
        b"hello"
    );
    assert_eq!(
        first_error(b"5;abcde\r\nhello\r\n0\r\n\r\n", &l),
        ProtoError::ChunkLineTooLong { limit: 8 }
    );
    assert_eq!(
        first_error(b"000000000000005\r\n", &l),
        ProtoError::ChunkLineTooLong { limit: 8 }
    );
    let default = Limits::default();
    let mut long = b"5;".to_vec();
    long.resize(5000, b'a');
    assert_eq!(
        first_error(&long, &default),
        ProtoError::ChunkLineTooLong { limit: 4096 }
    );
}

#[test]
fn data_must_end_with_crlf() {
    for c in [
        &b"5\r\nhelloX\r\n"[..],
        b"5\r\nhello\n0\r\n\r\n",
        b"5\r\nhello\rX",
        b"5\r\nhello0\r\n\r\n",
    ] {
        let mut dec = ChunkedDecoder::new();
        let mut t = HeaderList::new();
        let l = Limits::default();
        let d = dec.decode(c, 99, &l, &mut t).unwrap();
        assert_eq!(&c[d.data], b"hello");
        assert_eq!(
            dec.decode(&c[d.consumed..], 99, &l, &mut t),
            Err(ProtoError::InvalidChunkTerminator)
        );
    }
}

#[test]
fn trailers() {
    let (_, t, _, _) = run_all(b"0\r\nA: 1\r\nb: two\r\nA: 3\r\n\r\n").unwrap();
    assert_eq!(t.get_all("a").collect::<Vec<_>>(), [&b"1"[..], b"3"]);
    assert_eq!(t.len(), 3);
    let (_, t, _, _) = run_all(b"0\r\n\r\n").unwrap();
    assert!(t.is_empty());
    let (_, t, _, _) = run_all(b"0\n\n").unwrap();
    assert!(t.is_empty());
    for bad in [
        &b"0\r\nNo colon\r\n\r\n"[..],
        b"0\r\nA: 1\r\n folded\r\n\r\n",
        b"0\r\n: v\r\n\r\n",
        b"0\r\n\rX\r\n\r\n",
    ] {
        assert_eq!(
            first_error(bad, &Limits::default()),
            ProtoError::InvalidTrailer,
            "{bad:?}"
        );
    }
}

#[test]
fn trailer_limits() {
    let section = b"X: 1234567\r\n"; // 12 bytes
    let mut input = b"0\r\n".to_vec();
    input.extend_from_slice(section);
    input.extend_from_slice(b"\r\n");
    let exact = Limits {
        max_trailer_bytes: 12,
        ..Limits::default()
    };
    for split in 0..input.len() {
        run(&[&input[..split], &input[split..]], 9, &exact).unwrap();
    }
    let short = Limits {
        max_trailer_bytes: 11,
        ..Limits::default()
    };
    assert_eq!(
        first_error(&input, &short),
        ProtoError::TrailersTooLarge { limit: 11 }
    );
    // An endless trailer line fails without buffering it.
    let mut endless = b"0\r\nX: ".to_vec();
    endless.resize(100_000, b'a');
    assert_eq!(
        first_error(&endless, &Limits::default()),
        ProtoError::TrailersTooLarge { limit: 16384 }
    );
    // No trailer bytes allowed: only the final empty line is accepted.
    let none = Limits {
        max_trailer_bytes: 0,
        ..Limits::default()
    };
    run(&[b"0\r\n\r\n"], 9, &none).unwrap();
    assert_eq!(
        first_error(b"0\r\nA: 1\r\n\r\n", &none),
        ProtoError::TrailersTooLarge { limit: 0 }
    );
    let one = Limits {
        max_headers: 1,
        ..Limits::default()
    };
    assert_eq!(
        first_error(b"0\r\nA: 1\r\nB: 2\r\n\r\n", &one),
        ProtoError::TooManyHeaders { limit: 1 }
    );
}

#[test]
fn reset_reuses_the_decoder() {
    let mut dec = ChunkedDecoder::new();
    let mut t = HeaderList::new();
    let l = Limits::default();
    let input = b"0\r\nA: 1\r\n\r\n";
    assert_eq!(
        dec.decode(input, 9, &l, &mut t).unwrap().consumed,
        input.len()
    );
    assert!(dec.is_done());
    let cap = dec.trailer_buf.capacity();
    dec.reset();
    assert!(!dec.is_done());
    assert_eq!(
        dec.decode(input, 9, &l, &mut t).unwrap().consumed,
        input.len()
    );
    assert_eq!(dec.trailer_buf.capacity(), cap);
    assert_eq!(t.len(), 2, "trailers are appended; the caller clears them");
    // Reset also clears a sticky error.
    dec.reset();
    assert_eq!(
        dec.decode(b"x", 9, &l, &mut t),
        Err(ProtoError::InvalidChunkSize)
    );
    assert_eq!(
        dec.decode(b"1", 9, &l, &mut t),
        Err(ProtoError::InvalidChunkSize)
    );
    dec.reset();
    assert_eq!(dec.decode(b"1\r\nz", 9, &l, &mut t).unwrap().data, 3..4);
}
