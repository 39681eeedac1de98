use super::*;
use crate::test_prelude::*;

fn req<'a>(
    method: &'a str,
    target: &'a str,
    headers: &'a [&'a str],
    body_len: usize,
) -> RequestHead<'a, &'a str> {
    RequestHead {
        method,
        target,
        host: "example.com",
        headers,
        body_len,
        content_length_if_empty: false,
        user_agent: "ua/1",
    }
}

fn write(r: &RequestHead<'_, &str>) -> Result<String, ProtoError> {
    let mut out = Vec::new();
    write_request_head(&mut out, r)?;
    Ok(String::from_utf8(out).unwrap())
}

const AUTO: &str = "Host: example.com\r\nUser-Agent: ua/1\r\nAccept: */*\r\n\r\n";
/// The automatic headers after the user's: `Host` is written before them.
const AFTER: &str = "User-Agent: ua/1\r\nAccept: */*\r\n\r\n";

#[test]
fn plain_get() {
    assert_eq!(
        write(&req("GET", "/", &[], 0)).unwrap(),
        format!("GET / HTTP/1.1\r\n{AUTO}")
    );
}

#[test]
fn content_length_rules() {
    assert_eq!(
        write(&req("POST", "/p", &[], 3)).unwrap(),
        "POST /p HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\nUser-Agent: ua/1\r\nAccept: */*\r\n\r\n"
    );
    // A body is announced for any method (Godot sends it for GET too).
    assert!(write(&req("GET", "/", &[], 12345))
        .unwrap()
        .contains("\r\nContent-Length: 12345\r\n"));
    // Empty body: only when asked.
    assert_eq!(
        write(&req("POST", "/p", &[], 0)).unwrap(),
        format!("POST /p HTTP/1.1\r\n{AUTO}")
    );
    let mut r = req("POST", "/p", &[], 0);
    r.content_length_if_empty = true;
    assert_eq!(
        write(&r).unwrap(),
        "POST /p HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\nUser-Agent: ua/1\r\nAccept: */*\r\n\r\n"
    );
}

#[test]
fn host_first_then_user_headers_in_order_and_trimmed() {
    assert_eq!(
        write(&req("GET", "/", &["  X-A: 1 ", "\tX-B:2", "X-A: 3"], 0)).unwrap(),
        format!("GET / HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\nX-B:2\r\nX-A: 3\r\n{AFTER}")
    );
}

#[test]
fn user_headers_suppress_their_automatic_twins() {
    assert_eq!(
        write(&req("GET", "/", &["host: other:81"], 0)).unwrap(),
        "GET / HTTP/1.1\r\nhost: other:81\r\nUser-Agent: ua/1\r\nAccept: */*\r\n\r\n"
    );
    assert_eq!(
        write(&req(
            "GET",
            "/",
            &["user-agent: X/1", "ACCEPT: text/html"],
            0
        ))
        .unwrap(),
        "GET / HTTP/1.1\r\nHost: example.com\r\nuser-agent: X/1\r\nACCEPT: text/html\r\n\r\n"
    );
    assert_eq!(
        write(&req("PUT", "/", &["content-length: 3"], 3)).unwrap(),
        format!("PUT / HTTP/1.1\r\nHost: example.com\r\ncontent-length: 3\r\n{AFTER}")
    );
    assert_eq!(
        write(&req("PUT", "/", &["Content-Length:0"], 0)).unwrap(),
        format!("PUT / HTTP/1.1\r\nHost: example.com\r\nContent-Length:0\r\n{AFTER}")
    );
    assert_eq!(
        write(&req("POST", "/", &["Transfer-Encoding: chunked"], 10)).unwrap(),
        format!("POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n{AFTER}")
    );
    // Only the exact name counts.
    assert_eq!(
        write(&req("GET", "/", &["Accept-Encoding: gzip", "X-Host: h"], 0)).unwrap(),
        format!(
            "GET / HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: gzip\r\nX-Host: h\r\n{AFTER}"
        )
    );
}

#[test]
fn automatic_values() {
    let mut r = req("GET", "/", &[], 0);
    r.host = "[::1]:8080";
    r.user_agent = "";
    assert_eq!(
        write(&r).unwrap(),
        "GET / HTTP/1.1\r\nHost: [::1]:8080\r\nAccept: */*\r\n\r\n"
    );
    r.host = "";
    assert_eq!(
        write(&r).unwrap(),
        "GET / HTTP/1.1\r\nHost: \r\nAccept: */*\r\n\r\n"
    );
    r.host = "a b";
    assert_eq!(
        write(&r),
        Err(ProtoError::InvalidAutomaticHeader {
            name: "Host",
            why: "space or control character"
        })
    );
    r.host = "a\r\nX: y";
    assert!(matches!(
        write(&r),
        Err(ProtoError::InvalidAutomaticHeader { name: "Host", .. })
    ));
    // A user Host makes the automatic value irrelevant.
    let headers = ["Host: good"];
    r.headers = &headers;
    assert!(write(&r).is_ok());
    r.host = "h";
    r.headers = &[];
    r.user_agent = "x\ny";
    assert!(matches!(
        write(&r),
        Err(ProtoError::InvalidAutomaticHeader {
            name: "User-Agent",
            ..
        })
    ));
    r.user_agent = "pollhttp/0.1 (Linux)\tok";
    assert!(write(&r).is_ok());
}

#[test]
fn appends_and_leaves_out_untouched_on_error() {
    let mut out = b"PREVIOUS".to_vec();
    write_request_head(&mut out, &req("GET", "/", &[], 0)).unwrap();
    assert_eq!(out, format!("PREVIOUSGET / HTTP/1.1\r\n{AUTO}").as_bytes());
    let mut out = b"PREVIOUS".to_vec();
    assert!(write_request_head(&mut out, &req("GET", "/", &["X: 1", "bad"], 0)).is_err());
    assert_eq!(out, b"PREVIOUS");
    // Owned strings work too.
    let owned = vec![String::from("X-O: v")];
    let r = RequestHead {
        method: "GET",
        target: "/",
        host: "h",
        headers: &owned,
        body_len: 0,
        content_length_if_empty: false,
        user_agent: "",
    };
    let mut out = Vec::new();
    write_request_head(&mut out, &r).unwrap();
    assert_eq!(
        out,
        b"GET / HTTP/1.1\r\nHost: h\r\nX-O: v\r\nAccept: */*\r\n\r\n"
    );
}

#[test]
fn header_consistency_failures() {
    let e = |index, why| Err(ProtoError::InvalidHeader { index, why });
    assert_eq!(
        write(&req("POST", "/", &["X: 1", "Content-Length: 1"], 3)),
        e(1, "Content-Length does not match the body length")
    );
    assert_eq!(
        write(&req("POST", "/", &["Content-Length: abc"], 3)),
        e(0, "Content-Length does not match the body length")
    );
    assert_eq!(
        write(&req(
            "POST",
            "/",
            &["Content-Length: 3", "Transfer-Encoding: chunked"],
            3
        )),
        e(1, "Transfer-Encoding together with Content-Length")
    );
    assert_eq!(
        write(&req(
            "POST",
            "/",
            &["Transfer-Encoding: chunked", "Content-Length: 3"],
            3
        )),
        e(1, "Content-Length together with Transfer-Encoding")
    );
    assert_eq!(
        write(&req("GET", "/", &["Host: a", "HOST: b"], 0)),
        e(1, "more than one Host header")
    );
}

#[test]
fn method_validation() {
    for ok in ["GET", "PATCH", "M-SEARCH", "X_Y", "propfind"] {
        assert_eq!(validate_method(ok), Ok(()), "{ok}");
    }
    for bad in ["", "GE T", "GET\r\n", "GET\0", "G\u{c9}T", "GET/"] {
        assert_eq!(
            validate_method(bad),
            Err(ProtoError::InvalidMethod),
            "{bad:?}"
        );
        assert_eq!(
            write(&req(bad, "/", &[], 0)),
            Err(ProtoError::InvalidMethod)
        );
    }
}

#[test]
fn client_methods_are_tokens_and_a_checked_line_writes_the_same_head() {
    // The client leaves the request line to `validate_target` alone: its methods must
    // always pass `validate_method`.
    for m in crate::Method::ALL {
        assert_eq!(validate_method(m.as_str()), Ok(()), "{m}");
    }
    let cases: [(&str, &[&str], usize); 4] = [
        ("/", &[], 0),
        ("/p?q=1", &["X-A: 1", "Host: other"], 5),
        ("/", &["bad"], 0),
        ("/", &["Content-Length: 2"], 3),
    ];
    for (target, headers, body_len) in cases {
        let r = req("POST", target, headers, body_len);
        let (mut a, mut b) = (b"X".to_vec(), b"X".to_vec());
        assert_eq!(
            write_request_head(&mut a, &r),
            write_request_head_checked_line(&mut b, &r, true)
        );
        assert_eq!(a, b);
    }
}

#[test]
fn target_validation() {
    let ok = [
        ("GET", "/"),
        ("GET", "/a?b=c&d=%20"),
        ("GET", "/\u{fc}n\u{ef}"),
        ("GET", "http://example.com/x"),
        ("GET", "https://example.com"),
        ("OPTIONS", "*"),
        ("OPTIONS", "/x"),
        ("CONNECT", "example.com:443"),
        ("CONNECT", "[::1]:443"),
        ("CONNECT", "/"),
    ];
    for (m, t) in ok {
        assert_eq!(validate_target(m, t), Ok(()), "{m} {t}");
    }
    let bad = [
        ("GET", "", "empty target"),
        ("GET", "/a b", "space or control character in target"),
        ("GET", "/a\r\nX: y", "space or control character in target"),
        ("GET", "/\0", "space or control character in target"),
        ("GET", "/\x7f", "space or control character in target"),
        ("GET", "/\t", "space or control character in target"),
        (
            "GET",
            "*",
            "target must start with '/', 'http://' or 'https://'",
        ),
        (
            "GET",
            "example.com/",
            "target must start with '/', 'http://' or 'https://'",
        ),
        (
            "GET",
            "HTTP://x/",
            "target must start with '/', 'http://' or 'https://'",
        ),
        (
            "HEAD",
            "example.com:80",
            "target must start with '/', 'http://' or 'https://'",
        ),
        (
            "OPTIONS",
            "**",
            "target must start with '/', 'http://' or 'https://', or be '*'",
        ),
        ("CONNECT", "example.com", "CONNECT target must be host:port"),
        ("CONNECT", ":443", "CONNECT target must be host:port"),
        ("CONNECT", "host:", "CONNECT target must be host:port"),
        ("CONNECT", "*", "CONNECT target must be host:port"),
    ];
    for (m, t, why) in bad {
        assert_eq!(
            validate_target(m, t),
            Err(ProtoError::InvalidTarget { why }),
            "{m} {t:?}"
        );
        assert_eq!(
            write(&req(m, t, &[], 0)),
            Err(ProtoError::InvalidTarget { why })
        );
    }
}

#[test]
fn header_validation() {
    assert_eq!(validate_headers::<&str>(&[]), Ok(()));
    assert_eq!(
        validate_headers(&["X: tab\tok", "X: caf\u{e9}", "X:", "X-Empty:   "]),
        Ok(())
    );
    let bad = [
        ("", "empty header"),
        ("  \t ", "empty header"),
        (
            ":v",
            "expected \"Name: value\" with a non-empty name before ':'",
        ),
        (
            " : v",
            "expected \"Name: value\" with a non-empty name before ':'",
        ),
        (
            "NoColon",
            "expected \"Name: value\" with a non-empty name before ':'",
        ),
        (
            "Bad Name: v",
            "header name is not a token (no spaces or separators allowed)",
        ),
        (
            "Name : v",
            "header name is not a token (no spaces or separators allowed)",
        ),
        (
            "N\u{e9}: v",
            "header name is not a token (no spaces or separators allowed)",
        ),
        (
            "X-A: 1\r\nX-B: 2",
            "control character (CR, LF, NUL...) in header value",
        ),
        (
            "X-A: 1\n",
            "control character (CR, LF, NUL...) in header value",
        ),
        (
            "X: a\0b",
            "control character (CR, LF, NUL...) in header value",
        ),
        (
            "X: \x7f",
            "control character (CR, LF, NUL...) in header value",
        ),
    ];
    for (h, why) in bad {
        let headers = ["Good: 1", h];
        let want = ProtoError::InvalidHeader { index: 1, why };
        assert_eq!(validate_headers(&headers), Err(want), "{h:?}");
        assert_eq!(write(&req("GET", "/", &headers, 0)), Err(want));
    }
}

#[test]
fn a_second_content_length_is_refused_even_when_equal() {
    assert_eq!(
        write(&req(
            "POST",
            "/",
            &["Content-Length: 3", "content-length: 3"],
            3
        )),
        Err(ProtoError::InvalidHeader {
            index: 1,
            why: "more than one Content-Length header"
        })
    );
}
