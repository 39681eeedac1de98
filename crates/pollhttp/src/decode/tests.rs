use super::*;
use flate2::write::{DeflateEncoder, GzEncoder, ZlibEncoder};
use flate2::Compression;
use std::error::Error as _;
use std::io::{self, Write};

// ---- Encoders and a driver ----

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn raw_deflate(data: &[u8]) -> Vec<u8> {
    let mut e = DeflateEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn br(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = ::brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        w.write_all(data).unwrap();
    }
    out
}

fn zst(data: &[u8]) -> Vec<u8> {
    ::zstd::encode_all(data, 3).unwrap()
}

fn encode(coding: Coding, data: &[u8]) -> Vec<u8> {
    match coding {
        Coding::Gzip => gzip(data),
        Coding::Deflate => zlib(data),
        Coding::Brotli => br(data),
        Coding::Zstd => zst(data),
        Coding::Identity => data.to_vec(),
    }
}

/// `data` with `codings` applied in order.
fn encode_all(codings: &[Coding], data: &[u8]) -> Vec<u8> {
    codings.iter().fold(data.to_vec(), |d, &c| encode(c, &d))
}

const CODINGS: [Coding; 4] = [Coding::Gzip, Coding::Deflate, Coding::Brotli, Coding::Zstd];

/// Text with some variation, compressible like a real body.
fn text(len: usize) -> Vec<u8> {
    let mut rng = Rng(len as u64);
    let words = [
        "request ",
        "response ",
        "header ",
        "body ",
        "gzip ",
        "poll ",
        "client ",
        "the ",
        "a ",
        "of ",
        "200 OK\n",
        "connection ",
        "keep-alive ",
    ];
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        out.extend_from_slice(words[rng.below(words.len())].as_bytes());
        if rng.below(10) == 0 {
            out.extend_from_slice(rng.next().to_string().as_bytes());
        }
    }
    out.truncate(len);
    out
}

/// Feeds `body` in pieces of `chunk` bytes, decoding into a buffer of `out_size`, then
/// finishes; checks on every call that it stays within its buffers and makes progress.
fn run(
    decoder: &mut ContentDecoder,
    body: &[u8],
    chunk: usize,
    out_size: usize,
) -> Result<Vec<u8>, DecodeError> {
    let mut out = vec![0u8; out_size];
    let mut decoded = Vec::new();
    for mut piece in body.chunks(chunk.max(1)) {
        while !piece.is_empty() {
            let (c, p) = decoder.decode(piece, &mut out)?;
            assert!(c <= piece.len() && p <= out.len());
            assert!(c > 0 || p > 0, "decode made no progress");
            decoded.extend_from_slice(&out[..p]);
            piece = &piece[c..];
        }
    }
    drain(decoder, &mut out, &mut decoded)?;
    Ok(decoded)
}

/// Calls `finish` until it returns `Ok(0)`.
fn drain(
    decoder: &mut ContentDecoder,
    out: &mut [u8],
    decoded: &mut Vec<u8>,
) -> Result<(), DecodeError> {
    for _ in 0..100_000 {
        let n = decoder.finish(out)?;
        if n == 0 {
            assert!(decoder.is_done());
            return Ok(());
        }
        decoded.extend_from_slice(&out[..n]);
    }
    panic!("finish never returned Ok(0)");
}

fn decode(codings: &[Coding], body: &[u8]) -> Result<Vec<u8>, DecodeError> {
    run(&mut ContentDecoder::new(codings), body, 4096, 64 * 1024)
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// From `min` to `max` (excluded) random bytes.
    fn bytes(&mut self, min: usize, max: usize) -> Vec<u8> {
        let len = min + self.below(max - min);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

// ---- Content-Encoding ----

fn parsed(values: &[&str]) -> Result<Option<Vec<Coding>>, UnknownCoding> {
    ContentDecoder::from_content_encoding(values.iter().copied())
        .map(|d| d.map(|d| d.codings().to_vec()))
}

#[test]
fn content_encoding_names_and_lists() {
    use Coding::*;
    assert_eq!(parsed(&[]), Ok(None));
    assert_eq!(parsed(&[""]), Ok(None));
    assert_eq!(parsed(&[" , ,\t"]), Ok(None));
    assert_eq!(parsed(&["identity"]), Ok(None));
    assert_eq!(parsed(&["Identity, IDENTITY"]), Ok(None));
    assert_eq!(parsed(&["gzip"]), Ok(Some(vec![Gzip])));
    assert_eq!(parsed(&["GZip"]), Ok(Some(vec![Gzip])));
    assert_eq!(parsed(&["x-gzip"]), Ok(Some(vec![Gzip])));
    assert_eq!(parsed(&["X-Gzip"]), Ok(Some(vec![Gzip])));
    assert_eq!(parsed(&["deflate"]), Ok(Some(vec![Deflate])));
    assert_eq!(parsed(&["br"]), Ok(Some(vec![Brotli])));
    assert_eq!(parsed(&["zstd"]), Ok(Some(vec![Zstd])));
    assert_eq!(
        parsed(&[" gzip ,\tbr ", "", ",zstd,,identity,"]),
        Ok(Some(vec![Gzip, Brotli, Zstd]))
    );
    assert_eq!(parsed(&["gzip", "br"]), Ok(Some(vec![Gzip, Brotli])));
    assert_eq!(parsed(&["gzip, gzip"]), Ok(Some(vec![Gzip, Gzip])));
}

#[test]
fn content_encoding_unknown_or_too_many() {
    for (values, token) in [
        (&["compress"][..], "compress"),
        (&["gzip, foo"][..], "foo"),
        (&["gzip", "BR", "x-compress"][..], "x-compress"),
        (&["gzip;q=1"][..], "gzip;q=1"),
        (&["g zip"][..], "g zip"),
        (&["*"][..], "*"),
    ] {
        let err = parsed(values).unwrap_err();
        assert_eq!(err.token(), token);
        assert!(!err.is_too_many());
        assert_eq!(
            err.to_string(),
            format!("unsupported content coding {token:?}")
        );
    }
    assert!(parsed(&["gzip, br, zstd, deflate"]).unwrap().is_some());
    let err = parsed(&["gzip, br, zstd, deflate", "Gzip"]).unwrap_err();
    assert!(err.is_too_many());
    assert_eq!(err.token(), "Gzip");
    assert_eq!(
        err.to_string(),
        "more than 4 stacked content codings (at \"Gzip\")"
    );
}

#[test]
fn coding_names() {
    for coding in CODINGS.into_iter().chain([Coding::Identity]) {
        assert_eq!(Coding::from_token(coding.as_str()), Some(coding));
        assert_eq!(coding.to_string(), coding.as_str());
        assert!(coding.is_supported());
    }
    assert_eq!(Coding::from_token("x-gzip"), Some(Coding::Gzip));
    assert_eq!(Coding::from_token("brotli"), None);
    assert_eq!(Coding::from_token(""), None);
}

// ---- Each coding ----

#[test]
fn every_coding_round_trips_in_any_pieces() {
    let data = text(100_000);
    for coding in CODINGS {
        let body = encode(coding, &data);
        for (chunk, out) in [
            (1, 64 * 1024),
            (7, 1),
            (4096, 13),
            (4096, 64 * 1024),
            (body.len(), 64 * 1024),
            (body.len(), 1000),
        ] {
            let mut decoder = ContentDecoder::new(&[coding]);
            let decoded = run(&mut decoder, &body, chunk, out)
                .unwrap_or_else(|e| panic!("{coding}, chunk {chunk}, out {out}: {e}"));
            assert!(decoded == data, "{coding}, chunk {chunk}, out {out}");
            assert!(decoder.is_done());
        }
    }
}

#[test]
fn is_done_once_the_stream_ends() {
    let data = text(5000);
    for coding in CODINGS {
        let body = encode(coding, &data);
        let mut decoder = ContentDecoder::new(&[coding]);
        let mut out = vec![0; 10_000];
        let (c, p) = decoder.decode(&body[..body.len() - 1], &mut out).unwrap();
        assert_eq!(c, body.len() - 1, "{coding}");
        assert!(!decoder.is_done(), "{coding}");
        let (c2, p2) = decoder.decode(&body[c..], &mut out[p..]).unwrap();
        assert_eq!((c2, p + p2), (1, data.len()), "{coding}");
        assert!(decoder.is_done(), "{coding}");
        assert_eq!(decoder.finish(&mut out).unwrap(), 0);
        assert!(decoder.is_done());
    }
}

#[test]
fn an_empty_body_decodes_to_nothing() {
    for coding in CODINGS {
        let mut decoder = ContentDecoder::new(&[coding]);
        assert!(!decoder.is_done());
        assert_eq!(run(&mut decoder, b"", 1, 16).unwrap(), b"");
        assert!(decoder.is_done());
    }
    // A stream whose content is empty, inside another.
    let body = br(&[]);
    assert_eq!(decode(&[Coding::Gzip, Coding::Brotli], &body).unwrap(), b"");
}

#[test]
fn identity_only_copies() {
    let mut decoder = ContentDecoder::new(&[Coding::Identity]);
    assert_eq!(decoder.codings(), [Coding::Identity]);
    assert_eq!(
        run(&mut decoder, b"plain text", 3, 4).unwrap(),
        b"plain text"
    );
    let mut decoder = ContentDecoder::new(&[Coding::Identity, Coding::Gzip, Coding::Identity]);
    assert_eq!(run(&mut decoder, &gzip(b"abc"), 3, 4).unwrap(), b"abc");
}

// ---- gzip ----

/// A gzip member with every optional header field, built by hand around raw deflate data.
fn gzip_member_with_fields(data: &[u8], header_crc_ok: bool) -> Vec<u8> {
    let flags = 0x02 | 0x04 | 0x08 | 0x10;
    let mut m = vec![0x1f, 0x8b, 8, flags, 1, 2, 3, 4, 0, 3];
    m.extend_from_slice(&5u16.to_le_bytes());
    m.extend_from_slice(b"AB\x02\x00x");
    m.extend_from_slice(b"name.txt\0");
    m.extend_from_slice(b"a comment\0");
    let mut crc = flate2::Crc::new();
    crc.update(&m);
    let crc16 = (crc.sum() & 0xffff) as u16 ^ if header_crc_ok { 0 } else { 1 };
    m.extend_from_slice(&crc16.to_le_bytes());
    m.extend_from_slice(&raw_deflate(data));
    let mut crc = flate2::Crc::new();
    crc.update(data);
    m.extend_from_slice(&crc.sum().to_le_bytes());
    m.extend_from_slice(&(data.len() as u32).to_le_bytes());
    m
}

#[test]
fn gzip_header_fields_are_skipped_and_checked() {
    let body = gzip_member_with_fields(b"fields", true);
    for chunk in [1, 2, 3, 5, body.len()] {
        let mut decoder = ContentDecoder::new(&[Coding::Gzip]);
        assert_eq!(run(&mut decoder, &body, chunk, 3).unwrap(), b"fields");
    }
    let body = gzip_member_with_fields(b"fields", false);
    let err = decode(&[Coding::Gzip], &body).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::Corrupt);
    assert_eq!(
        err.to_string(),
        "gzip: corrupt data (header CRC16 mismatch) after 37 input bytes"
    );
}

#[test]
fn gzip_members_follow_one_another() {
    let mut body = gzip(b"first, ");
    body.extend_from_slice(&gzip(b""));
    body.extend_from_slice(&gzip_member_with_fields(b"second, ", true));
    body.extend_from_slice(&gzip(&text(70_000)));
    let mut expected = b"first, second, ".to_vec();
    expected.extend_from_slice(&text(70_000));
    for (chunk, out) in [(1, 7), (100, 64 * 1024), (body.len(), 5)] {
        let mut decoder = ContentDecoder::new(&[Coding::Gzip]);
        assert!(run(&mut decoder, &body, chunk, out).unwrap() == expected);
    }
}

#[test]
fn gzip_bad_headers() {
    for (body, what) in [
        (&b"\x1f\x8c\x08\x00"[..], "not a gzip stream"),
        (&b"PK\x03\x04"[..], "not a gzip stream"),
        (&b"\x1f\x8b\x07\x00"[..], "unknown compression method"),
        (&b"\x1f\x8b\x08\x20"[..], "reserved header flags set"),
    ] {
        let err = decode(&[Coding::Gzip], body).unwrap_err();
        assert_eq!(err.kind(), DecodeErrorKind::Corrupt);
        assert!(err.to_string().contains(what), "{err}");
        assert!(err.source().is_none());
    }
}

#[test]
fn gzip_checksum_and_length_are_verified() {
    let good = gzip(b"checked data");
    let n = good.len();
    let mut bad_crc = good.clone();
    bad_crc[n - 8] ^= 1;
    let err = decode(&[Coding::Gzip], &bad_crc).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::Corrupt);
    assert_eq!(
        err.to_string(),
        format!("gzip: corrupt data (CRC32 mismatch) after {n} input bytes")
    );
    let mut bad_len = good.clone();
    bad_len[n - 1] ^= 1;
    let err = decode(&[Coding::Gzip], &bad_len).unwrap_err();
    assert!(err.to_string().contains("(length mismatch)"), "{err}");
}

#[test]
fn gzip_data_after_the_last_member_is_an_error() {
    for tail in [&b"x"[..], b"\0\0\0\0", b"\x1f", b"\x1f\x00", b"<html>"] {
        let mut body = gzip(b"content");
        body.extend_from_slice(tail);
        let mut decoder = ContentDecoder::new(&[Coding::Gzip]);
        let err = run(&mut decoder, &body, 1, 64).unwrap_err();
        if tail == b"\x1f" {
            // Could be the start of a member.
            assert_eq!(err.kind(), DecodeErrorKind::Truncated, "{tail:?}");
        } else {
            assert_eq!(err.kind(), DecodeErrorKind::TrailingData, "{tail:?}");
            assert_eq!(
                err.to_string(),
                format!(
                    "gzip: data after the end of the stream at input byte {}",
                    body.len() - tail.len()
                )
            );
        }
    }
}

// ---- deflate ----

#[test]
fn deflate_accepts_zlib_and_raw() {
    let data = text(50_000);
    for body in [zlib(&data), raw_deflate(&data)] {
        for (chunk, out) in [
            (1, 1),
            (1, 64 * 1024),
            (2, 3),
            (3, 100),
            (body.len(), 64 * 1024),
        ] {
            let mut decoder = ContentDecoder::new(&[Coding::Deflate]);
            assert!(run(&mut decoder, &body, chunk, out).unwrap() == data);
        }
    }
    // Raw data whose first bytes happen to make no valid zlib header, and ones that do.
    assert!(!deflate::is_zlib_header(
        raw_deflate(&data)[0],
        raw_deflate(&data)[1]
    ));
    assert!(deflate::is_zlib_header(0x78, 0x9c));
    assert!(deflate::is_zlib_header(0x78, 0x01));
    assert!(!deflate::is_zlib_header(0x78, 0x9d));
    assert!(!deflate::is_zlib_header(0x79, 0x9c));
}

#[test]
fn deflate_adler32_is_verified() {
    let mut body = zlib(b"adler checked");
    let n = body.len();
    body[n - 1] ^= 0x40;
    let err = decode(&[Coding::Deflate], &body).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::Corrupt);
    assert!(
        err.to_string().starts_with("deflate: corrupt data"),
        "{err}"
    );
    assert!(err.source().unwrap().is::<flate2::DecompressError>());
}

#[test]
fn deflate_data_after_the_end_is_an_error() {
    for mut body in [zlib(b"zlib"), raw_deflate(b"raw")] {
        body.push(0);
        let err = decode(&[Coding::Deflate], &body).unwrap_err();
        assert_eq!(err.kind(), DecodeErrorKind::TrailingData);
    }
}

// ---- br ----

#[test]
fn brotli_errors() {
    let mut body = br(b"brotli body");
    body.push(0);
    let err = decode(&[Coding::Brotli], &body).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::TrailingData);
    assert_eq!(
        err.to_string(),
        format!(
            "br: data after the end of the stream at input byte {}",
            body.len() - 1
        )
    );
    // A reserved bit set in the first metablock header.
    let err = decode(&[Coding::Brotli], &[0xff; 16]).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::Corrupt);
    assert!(
        err.to_string()
            .starts_with("br: corrupt data (BROTLI_DECODER_ERROR"),
        "{err}"
    );
    assert!(err.source().is_some());
}

#[test]
fn brotli_large_window_streams_are_refused() {
    // The large-window extension (windows up to 1 GiB) is not RFC 7932 Brotli.
    let encode = |large_window: bool, lgwin: i32| {
        let params = ::brotli::enc::BrotliEncoderParams {
            quality: 5,
            lgwin,
            large_window,
            ..Default::default()
        };
        let mut out = Vec::new();
        ::brotli::BrotliCompress(&mut &b"large window"[..], &mut out, &params).unwrap();
        out
    };
    assert_eq!(
        decode(&[Coding::Brotli], &encode(false, 24)).unwrap(),
        b"large window"
    );
    let err = decode(&[Coding::Brotli], &encode(true, 30)).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::Corrupt);
}

// ---- zstd ----

fn skippable_frame(payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x5a, 0x2a, 0x4d, 0x18];
    f.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    f.extend_from_slice(payload);
    f
}

#[test]
fn zstd_frames_follow_one_another() {
    let mut body = zst(b"one, ");
    body.extend_from_slice(&skippable_frame(b"skip me"));
    body.extend_from_slice(&zst(b""));
    body.extend_from_slice(&zst(&text(200_000)));
    let mut expected = b"one, ".to_vec();
    expected.extend_from_slice(&text(200_000));
    for (chunk, out) in [(1, 5), (999, 64 * 1024), (body.len(), 64 * 1024)] {
        let mut decoder = ContentDecoder::new(&[Coding::Zstd]);
        assert!(run(&mut decoder, &body, chunk, out).unwrap() == expected);
    }
    // Only a skippable frame: no content, whole.
    assert_eq!(
        decode(&[Coding::Zstd], &skippable_frame(b"x")).unwrap(),
        b""
    );
}

#[test]
fn zstd_errors() {
    let mut body = zst(b"zstd body");
    body.extend_from_slice(b"garbage!");
    let err = decode(&[Coding::Zstd], &body).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::TrailingData);
    assert!(err.source().unwrap().is::<io::Error>());

    let err = decode(&[Coding::Zstd], b"not zstd at all").unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::Corrupt);
    assert!(err.to_string().starts_with("zstd: corrupt data ("), "{err}");

    // The content checksum is verified.
    let mut encoder = ::zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
    encoder.include_checksum(true).unwrap();
    encoder.write_all(b"checksummed").unwrap();
    let mut body = encoder.finish().unwrap();
    let n = body.len();
    body[n - 1] ^= 1;
    let err = decode(&[Coding::Zstd], &body).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::Corrupt);
}

#[test]
fn zstd_window_over_8_mib_is_refused() {
    use ::zstd::stream::raw::CParameter;
    let data = text(100_000);
    let encode_with_window = |log: u32| {
        let mut raw = ::zstd::stream::raw::Encoder::new(3).unwrap();
        raw.set_parameter(CParameter::WindowLog(log)).unwrap();
        let mut encoder = ::zstd::stream::write::Encoder::with_encoder(Vec::new(), raw);
        encoder.write_all(&data).unwrap();
        encoder.finish().unwrap()
    };
    assert!(decode(&[Coding::Zstd], &encode_with_window(23)).unwrap() == data);
    let err = decode(&[Coding::Zstd], &encode_with_window(24)).unwrap_err();
    assert_eq!(err.kind(), DecodeErrorKind::Corrupt);
    assert!(err.to_string().contains("memory"), "{err}");
}

// ---- Stacks ----

#[test]
fn stacks_are_undone_in_reverse() {
    use Coding::*;
    let data = text(150_000);
    for codings in [
        &[Gzip, Brotli][..],
        &[Brotli, Gzip],
        &[Zstd, Deflate],
        &[Gzip, Gzip],
        &[Deflate, Zstd, Gzip],
        &[Brotli, Gzip, Zstd],
        &[Gzip, Identity, Brotli, Deflate],
    ] {
        let body = encode_all(codings, &data);
        let header = codings
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        for (chunk, out) in [(1, 64 * 1024), (5, 3), (4096, 64 * 1024), (body.len(), 777)] {
            let mut decoder = ContentDecoder::from_content_encoding([header.as_str()])
                .unwrap()
                .unwrap();
            let decoded = run(&mut decoder, &body, chunk, out)
                .unwrap_or_else(|e| panic!("{header}, chunk {chunk}, out {out}: {e}"));
            assert!(decoded == data, "{header}, chunk {chunk}, out {out}");
        }
    }
}

#[test]
fn a_cut_inside_a_stack_names_its_coding() {
    use Coding::*;
    let data = text(10_000);
    // The inner gzip stream is cut, but the outer br stream around it is whole.
    let gz = gzip(&data);
    let body = br(&gz[..gz.len() - 3]);
    let err = decode(&[Gzip, Brotli], &body).unwrap_err();
    assert_eq!(
        (err.coding(), err.kind()),
        (Gzip, DecodeErrorKind::Truncated)
    );
    assert_eq!(
        err.to_string(),
        format!("gzip: truncated stream after {} input bytes", gz.len() - 3)
    );
    // The outer stream is cut.
    let body = br(&gz);
    let err = decode(&[Gzip, Brotli], &body[..body.len() - 1]).unwrap_err();
    assert_eq!(
        (err.coding(), err.kind()),
        (Brotli, DecodeErrorKind::Truncated)
    );
    // Garbage after the inner stream, inside a whole outer one.
    let mut gz2 = gz.clone();
    gz2.extend_from_slice(b"junk");
    let err = decode(&[Gzip, Zstd], &zst(&gz2)).unwrap_err();
    assert_eq!(
        (err.coding(), err.kind()),
        (Gzip, DecodeErrorKind::TrailingData)
    );
}

// ---- Truncation ----

#[test]
fn every_truncation_is_an_error() {
    let data = text(3000);
    for codings in [
        &[Coding::Gzip][..],
        &[Coding::Deflate],
        &[Coding::Brotli],
        &[Coding::Zstd],
        &[Coding::Gzip, Coding::Zstd],
    ] {
        let mut bodies = vec![encode_all(codings, &data)];
        if codings == [Coding::Deflate] {
            bodies.push(raw_deflate(&data));
        }
        for body in bodies {
            for cut in 1..body.len() {
                // Every byte of the (cut) body arrives, as a Content-Length of that size
                // would allow: the decoder itself must see the stream is incomplete.
                let mut decoder = ContentDecoder::new(codings);
                let err = run(&mut decoder, &body[..cut], 1000, 1000)
                    .expect_err(&format!("{codings:?} cut at {cut} of {}", body.len()));
                assert_eq!(
                    err.kind(),
                    DecodeErrorKind::Truncated,
                    "{codings:?} {cut}: {err}"
                );
                assert!(!decoder.is_done());
            }
        }
    }
}

// ---- Errors ----

#[test]
fn decoders_and_errors_can_move_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<ContentDecoder>();
    send_sync::<DecodeError>();
    send_sync::<UnknownCoding>();
}

#[test]
fn errors_are_final_and_convert_to_io() {
    let mut decoder = ContentDecoder::new(&[Coding::Gzip]);
    let mut out = [0u8; 16];
    let err = decoder.decode(b"not gzip", &mut out).unwrap_err();
    assert_eq!(err.position(), 0);
    let again = decoder.decode(&gzip(b"fine"), &mut out).unwrap_err();
    assert_eq!(again.to_string(), err.to_string());
    assert_eq!(
        decoder.finish(&mut out).unwrap_err().to_string(),
        err.to_string()
    );
    assert!(!decoder.is_done());
    let io_err: io::Error = err.into();
    assert_eq!(io_err.kind(), io::ErrorKind::InvalidData);

    let mut decoder = ContentDecoder::new(&[Coding::Gzip]);
    decoder.decode(&gzip(b"abc")[..5], &mut out).unwrap();
    let err = decoder.finish(&mut out).unwrap_err();
    assert_eq!(io::Error::from(err).kind(), io::ErrorKind::UnexpectedEof);
}

#[test]
fn finish_with_an_empty_buffer_does_nothing() {
    let mut decoder = ContentDecoder::new(&[Coding::Gzip]);
    decoder.decode(&gzip(b"abc")[..5], &mut [0; 4]).unwrap();
    assert_eq!(decoder.finish(&mut []).unwrap(), 0);
    assert!(!decoder.is_done());
    assert!(decoder.finish(&mut [0; 4]).is_err());
}

// ---- Bombs ----

/// 1 GiB of zeros, gzipped: 1024 members of 1 MiB each, about 1 MiB in all.
fn gzip_bomb() -> (Vec<u8>, u64) {
    let member = gzip(&vec![0u8; 1 << 20]);
    (member.repeat(1024), 1 << 30)
}

/// Decodes `body` 16 KiB at a time into a 64 KiB buffer, checking that no call writes
/// more than the buffer and that every byte is zero; returns the decoded length.
fn decode_zeros(codings: &[Coding], body: &[u8]) -> u64 {
    let mut decoder = ContentDecoder::new(codings);
    let mut out = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    let zeros = vec![0u8; out.len()];
    let mut check = |out: &[u8]| {
        assert!(out == &zeros[..out.len()]);
        total += out.len() as u64;
    };
    for mut piece in body.chunks(16 * 1024) {
        while !piece.is_empty() {
            let (c, p) = decoder.decode(piece, &mut out).unwrap();
            assert!(p <= out.len());
            check(&out[..p]);
            piece = &piece[c..];
        }
    }
    loop {
        let n = decoder.finish(&mut out).unwrap();
        if n == 0 {
            break;
        }
        check(&out[..n]);
    }
    total
}

#[test]
fn a_gzip_bomb_decodes_in_bounded_pieces() {
    let (body, size) = gzip_bomb();
    assert!(body.len() < 2 << 20, "{}", body.len());
    assert_eq!(decode_zeros(&[Coding::Gzip], &body), size);
}

#[test]
fn a_stacked_bomb_decodes_in_bounded_pieces() {
    // 256 MiB of zeros, zstd-compressed, then brotli-compressed: a few hundred bytes.
    let zeros = vec![0u8; 1 << 20];
    let frame = zst(&zeros);
    let body = br(&frame.repeat(256));
    assert!(body.len() < 64 * 1024, "{}", body.len());
    assert_eq!(
        decode_zeros(&[Coding::Zstd, Coding::Brotli], &body),
        256 << 20
    );
}

// ---- Arbitrary input ----

/// Applies one random damage to `body`: a cut, flipped bits, inserted or removed bytes.
fn damage(rng: &mut Rng, body: &mut Vec<u8>) {
    if body.is_empty() {
        body.extend(rng.bytes(1, 9));
        return;
    }
    match rng.below(4) {
        0 => body.truncate(rng.below(body.len())),
        1 => {
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(body.len());
                body[i] ^= 1 << rng.below(8);
            }
        }
        2 => {
            let i = rng.below(body.len() + 1);
            let junk = rng.bytes(1, 17);
            body.splice(i..i, junk);
        }
        _ => {
            let i = rng.below(body.len());
            let n = (1 + rng.below(16)).min(body.len() - i);
            body.drain(i..i + n);
        }
    }
}

/// Decodes `body` in random pieces into random buffers, with some empty inputs between,
/// checking progress on every call; the result, or the first error.
fn run_randomly(
    rng: &mut Rng,
    decoder: &mut ContentDecoder,
    body: &[u8],
) -> Result<Vec<u8>, DecodeError> {
    let mut out = vec![0u8; 1 + rng.below(3000)];
    let mut decoded = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let piece = &rest[..(1 + rng.below(2000)).min(rest.len())];
        let (c, p) = decoder.decode(if rng.below(8) == 0 { &[] } else { piece }, &mut out)?;
        assert!(c <= piece.len() && p <= out.len());
        decoded.extend_from_slice(&out[..p]);
        rest = &rest[c..];
        if c == 0 && p == 0 {
            // Only an empty input may make no progress.
            let (c, p) = decoder.decode(piece, &mut out)?;
            assert!(c > 0 || p > 0, "no progress");
            decoded.extend_from_slice(&out[..p]);
            rest = &rest[c..];
        }
    }
    drain(decoder, &mut out, &mut decoded)?;
    Ok(decoded)
}

#[test]
fn arbitrary_input_never_panics_and_always_progresses() {
    use Coding::*;
    let mut rng = Rng(0x5eed);
    let stacks: [&[Coding]; 8] = [
        &[Gzip],
        &[Deflate],
        &[Brotli],
        &[Zstd],
        &[Gzip, Brotli],
        &[Zstd, Deflate],
        &[Deflate, Gzip, Zstd],
        &[Brotli, Zstd],
    ];
    for round in 0..600 {
        let codings = stacks[rng.below(stacks.len())];
        let data = if rng.below(2) == 0 {
            text(rng.below(20_000))
        } else {
            rng.bytes(0, 5000)
        };
        let mut body = encode_all(codings, &data);
        match rng.below(4) {
            // Whole: must decode to the data.
            0 => {
                let mut decoder = ContentDecoder::new(codings);
                let decoded = run_randomly(&mut rng, &mut decoder, &body)
                    .unwrap_or_else(|e| panic!("round {round}, {codings:?}: {e}"));
                assert!(decoded == data, "round {round}, {codings:?}");
                continue;
            }
            // Random bytes, in place of the body or after a valid start.
            1 => {
                let keep = rng.below(body.len() + 1);
                body.truncate(keep);
                body.extend(rng.bytes(0, 3000));
            }
            _ => {
                for _ in 0..1 + rng.below(3) {
                    damage(&mut rng, &mut body);
                }
            }
        }
        let mut decoder = ContentDecoder::new(codings);
        // Either outcome is fine; neither may panic or hang.
        if let Err(e) = run_randomly(&mut rng, &mut decoder, &body) {
            assert!(!e.to_string().is_empty());
            assert!(codings.contains(&e.coding()));
        }
    }
}
