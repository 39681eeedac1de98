use super::*;
use crate::test_prelude::*;

fn request(host: &str, port: u16, auth: Option<&str>) -> String {
    String::from_utf8(connect_request(host, port, auth, "pollhttp/test").unwrap()).unwrap()
}

fn feed_all(wire: &[u8]) -> Result<TunnelEvent, ConnError> {
    let mut hs = TunnelHandshake::new(Vec::new(), Limits::default());
    hs.received(wire)
}

/// Feeds `wire` one byte at a time: every prefix must ask for more, the end must open.
fn feed_bytewise(wire: &[u8]) -> Result<TunnelEvent, ConnError> {
    let mut hs = TunnelHandshake::new(Vec::new(), Limits::default());
    for (i, b) in wire.iter().enumerate() {
        let ev = hs.received(core::slice::from_ref(b))?;
        if i + 1 < wire.len() {
            assert_eq!(ev, TunnelEvent::NeedMore, "opened early at byte {i}");
        } else {
            return Ok(ev);
        }
    }
    Ok(TunnelEvent::NeedMore)
}

#[test]
fn request_bytes() {
    assert_eq!(
        request("example.com", 443, None),
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\
         User-Agent: pollhttp/test\r\nAccept: */*\r\n\r\n"
    );
    assert_eq!(
        request("::1", 8443, Some("Basic dTpw")),
        "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\
         Proxy-Authorization: Basic dTpw\r\nUser-Agent: pollhttp/test\r\nAccept: */*\r\n\r\n"
    );
    assert!(request("10.0.0.1", 1, None).starts_with("CONNECT 10.0.0.1:1 HTTP/1.1\r\n"));
    let bytes = connect_request("h", 443, None, "").unwrap();
    assert!(!String::from_utf8(bytes).unwrap().contains("User-Agent"));
}

#[test]
fn request_rejects_injection() {
    assert!(connect_request("h", 443, Some("Basic x\r\nEvil: 1"), "ua").is_err());
    assert!(connect_request("h", 443, None, "ua\r\nEvil: 1").is_err());
}

#[test]
fn any_2xx_opens_whatever_its_framing() {
    for wire in [
        &b"HTTP/1.1 200 Connection established\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.0 200 Connection established\r\nProxy-agent: test\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"HTTP/1.1 204 No Content\r\nContent-Length: 12\r\n\r\n",
        b"HTTP/1.1 299 Odd\r\nConnection: close\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
    ] {
        let text = String::from_utf8_lossy(wire);
        assert_eq!(feed_all(wire), Ok(TunnelEvent::Open), "{text}");
        assert_eq!(feed_bytewise(wire), Ok(TunnelEvent::Open), "{text}");
    }
}

#[test]
fn refusals_keep_code_and_reason() {
    for (wire, code, reason) in [
        (
            &b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic \
               realm=\"p\"\r\nContent-Length: 5\r\n\r\ndenied"[..],
            407,
            "Proxy Authentication Required",
        ),
        (b"HTTP/1.0 403 Forbidden\r\n\r\n", 403, "Forbidden"),
        (b"HTTP/1.1 502 Bad Gateway\r\n\r\n", 502, "Bad Gateway"),
        (
            b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
            101,
            "Switching Protocols",
        ),
        (b"HTTP/1.1 301 \r\nLocation: /\r\n\r\n", 301, ""),
    ] {
        let want = Err(ConnError::ProxyRefused {
            code,
            reason: reason.to_string(),
        });
        assert_eq!(feed_all(wire), want);
        assert_eq!(feed_bytewise(wire), want);
    }
}

#[test]
fn bytes_after_the_head_are_an_error() {
    let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n\x16\x03\x01";
    assert_eq!(feed_all(wire), Err(ConnError::UnexpectedData));
    let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
    assert_eq!(feed_all(wire), Err(ConnError::UnexpectedData));
}

#[test]
fn broken_replies_are_protocol_errors() {
    for wire in [
        &b"SSH-2.0-OpenSSH_9.2\r\n\r\n"[..],
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"\x16\x03\x01\x00\x10garbage\r\n\r\n",
    ] {
        assert!(
            matches!(feed_all(wire), Err(ConnError::Protocol(_))),
            "{:?}",
            String::from_utf8_lossy(wire)
        );
    }
}

#[test]
fn endless_head_is_bounded() {
    let limits = Limits {
        max_head_bytes: 1024,
        ..Limits::default()
    };
    let mut hs = TunnelHandshake::new(Vec::new(), limits);
    assert_eq!(
        hs.received(b"HTTP/1.1 200 OK\r\n"),
        Ok(TunnelEvent::NeedMore)
    );
    let line = b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    let mut result = Ok(TunnelEvent::NeedMore);
    for _ in 0..100 {
        result = hs.received(line);
        if result.is_err() {
            break;
        }
    }
    assert!(
        matches!(
            result,
            Err(ConnError::Protocol(ProtoError::HeadTooLarge { .. }))
        ),
        "{result:?}"
    );
    assert!(hs.buf.len() <= 1024 + line.len());
}

#[test]
fn close_reasons() {
    let hs = TunnelHandshake::new(Vec::new(), Limits::default());
    assert_eq!(
        hs.closed(),
        ConnError::PeerClosed("before the proxy answered CONNECT")
    );
    let mut hs = TunnelHandshake::new(Vec::new(), Limits::default());
    hs.received(b"HTTP/1.1 20").unwrap();
    assert_eq!(
        hs.closed(),
        ConnError::PeerClosed("in the middle of the proxy's answer to CONNECT")
    );
}

#[test]
fn send_progress() {
    let mut hs = TunnelHandshake::new(b"abcdef".to_vec(), Limits::default());
    assert_eq!(hs.to_send(), b"abcdef");
    hs.sent(4);
    assert_eq!(hs.to_send(), b"ef");
    hs.sent(100);
    assert!(hs.to_send().is_empty());
}
