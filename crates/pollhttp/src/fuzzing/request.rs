//! The request side: what a caller gives `request()` turned into a request head.

use super::{fields, params};
use crate::proto::{
    validate_headers, validate_method, validate_target, write_request_head, ProtoError, RequestHead,
};

const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "OPTIONS", "CONNECT", "DELETE"];

/// Checks the request validators against a byte-level model of their rules, then writes
/// the head and reads it back with httparse.
///
/// Parameter bytes: flags (method from a list or the input, `content_length_if_empty`,
/// body length kind, bytes already in the output buffer), two body length bytes. The rest
/// is split at `0xFF` bytes (never part of UTF-8) into method, target, host, user agent
/// and the user headers.
///
/// Properties:
/// - `validate_method`, `validate_target` and `validate_headers` accept exactly what
///   the model accepts;
/// - `write_request_head` fails when a validator fails, and appends nothing when it fails;
/// - a written head holds no CR or LF outside its line ends and no other control
///   character but HTAB, and httparse reads it back whole with the same method, target
///   and headers: the automatic `Host` first unless overridden, the user's (trimmed, in
///   order), then exactly the other automatic ones that were not overridden; one `Host`;
///   at most one `Content-Length`, only with the body's length and never with
///   `Transfer-Encoding`.
pub fn request_head(data: &[u8]) {
    let ([flags, l0, l1], rest) = params::<3>(data);
    let fields = fields(rest);
    let field = |i: usize| fields.get(i).map_or("", String::as_str);
    let method = match usize::from(flags & 7) {
        i if i < METHODS.len() => METHODS[i],
        _ => field(0),
    };
    let (target, host, user_agent) = (field(1), field(2), field(3));
    let headers = fields.get(4..).unwrap_or_default();
    let body_len = match (flags >> 4) & 3 {
        0 => 0,
        1 => usize::from(l0),
        2 => usize::from(u16::from_le_bytes([l0, l1])),
        _ => usize::MAX - usize::from(l0),
    };
    let req = RequestHead {
        method,
        target,
        host,
        headers,
        body_len,
        content_length_if_empty: flags & 8 != 0,
        user_agent,
    };

    assert_eq!(
        validate_method(method).is_ok(),
        model_token(method),
        "{method:?}"
    );
    assert_eq!(
        validate_target(method, target).is_ok(),
        model_target(method, target),
        "{method:?} {target:?}"
    );
    for h in headers {
        assert_eq!(
            validate_headers(&[h]).is_ok(),
            model_header(h).is_some(),
            "{h:?}"
        );
    }
    let headers_ok = headers.iter().all(|h| model_header(h).is_some());
    assert_eq!(validate_headers(headers).is_ok(), headers_ok);

    let prefix: &[u8] = if flags & 0x40 != 0 { b"kept\r\n" } else { b"" };
    let mut out = prefix.to_vec();
    let result = write_request_head(&mut out, &req);
    let line_ok = model_token(method) && model_target(method, target);
    match result {
        Err(e) => {
            assert_eq!(out, prefix, "{e}: bytes appended by a failed write");
            if !line_ok {
                assert!(matches!(
                    e,
                    ProtoError::InvalidMethod | ProtoError::InvalidTarget { .. }
                ));
            }
        }
        Ok(()) => {
            assert!(line_ok && headers_ok, "an invalid request was written");
            assert!(out.starts_with(prefix));
            check_head(&out[prefix.len()..], &req);
        }
    }
}

/// RFC 9110 `token`.
fn model_token(s: &str) -> bool {
    const SEPARATORS: &[u8] = b"!#$%&'*+-.^_`|~";
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || SEPARATORS.contains(&b))
}

/// The documented rules of `validate_target`.
fn model_target(method: &str, target: &str) -> bool {
    if target.is_empty() || target.bytes().any(|b| b <= b' ' || b == 0x7F) {
        return false;
    }
    if target.starts_with('/') || target.starts_with("http://") || target.starts_with("https://") {
        return true;
    }
    match method {
        "OPTIONS" => target == "*",
        "CONNECT" => target
            .find(':')
            .is_some_and(|c| c > 0 && c + 1 < target.len()),
        _ => false,
    }
}

/// `(name, value)` of a user header as `validate_headers` should accept it.
fn model_header(raw: &str) -> Option<(&str, &str)> {
    let entry = raw.trim_matches([' ', '\t']);
    let (name, value) = entry.split_once(':')?;
    let value_ok = value
        .bytes()
        .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7F));
    (model_token(name) && value_ok).then_some((name, value))
}

fn check_head(head: &[u8], req: &RequestHead<'_, String>) {
    assert!(head.ends_with(b"\r\n\r\n"));
    for (i, &b) in head.iter().enumerate() {
        match b {
            b'\r' => assert_eq!(head.get(i + 1), Some(&b'\n'), "bare CR at {i}"),
            b'\n' => assert!(i > 0 && head[i - 1] == b'\r', "bare LF at {i}"),
            b'\t' => {}
            _ => assert!(b >= 0x20 && b != 0x7F, "control byte {b:#x} at {i}"),
        }
    }

    let user: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|h| model_header(h).expect("a written header is valid"))
        .collect();
    let has = |name: &str| user.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    let auto_host = !has("host");
    let auto_length = !has("content-length")
        && !has("transfer-encoding")
        && (req.body_len > 0 || req.content_length_if_empty);
    let auto_agent = !has("user-agent") && !req.user_agent.is_empty();
    let auto_accept = !has("accept");
    let expected = user.len()
        + usize::from(auto_host)
        + usize::from(auto_length)
        + usize::from(auto_agent)
        + usize::from(auto_accept);

    let mut slots = vec![httparse::EMPTY_HEADER; expected + 1];
    let mut parsed = httparse::Request::new(&mut slots);
    match parsed.parse(head) {
        Ok(httparse::Status::Complete(n)) => assert_eq!(n, head.len(), "bytes after the head"),
        other => panic!("httparse cannot read the head back: {other:?}"),
    }
    assert_eq!(parsed.method, Some(req.method));
    assert_eq!(parsed.path, Some(req.target));
    assert_eq!(parsed.version, Some(1));
    assert_eq!(parsed.headers.len(), expected);

    let ows: &[_] = &[' ', '\t'];
    // The automatic Host comes first (RFC 9110 section 7.2), the user's headers after it.
    let after_host = if auto_host {
        assert_eq!(parsed.headers.first().map(|h| h.name), Some("Host"));
        1
    } else {
        0
    };
    for (got, (name, value)) in parsed.headers.iter().skip(after_host).zip(&user) {
        assert_eq!(got.name, *name);
        let got_value = std::str::from_utf8(got.value).expect("UTF-8 in, UTF-8 out");
        assert_eq!(got_value.trim_matches(ows), value.trim_matches(ows));
    }
    let named = |name: &str| {
        parsed
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
            .collect::<Vec<_>>()
    };
    let hosts = named("host");
    assert_eq!(hosts.len(), 1, "exactly one Host");
    if auto_host {
        assert_eq!(hosts[0], req.host.trim_matches(ows).as_bytes());
    }
    // At most one Content-Length, with the body's length.
    let lengths = named("content-length");
    assert!(
        lengths.len() <= 1,
        "{} Content-Length fields",
        lengths.len()
    );
    for v in &lengths {
        let v = std::str::from_utf8(v).unwrap_or_default().trim_matches(ows);
        assert!(
            v.bytes().all(|b| b.is_ascii_digit()),
            "Content-Length {v:?}"
        );
        assert_eq!(v.parse::<u64>().ok(), u64::try_from(req.body_len).ok());
    }
    if !lengths.is_empty() {
        assert!(named("transfer-encoding").is_empty());
    }
    if auto_length {
        assert_eq!(lengths.len(), 1);
    }
}
