//! Broken, oversized and endless replies over real loopback sockets: each must end in
//! CONNECTION_ERROR with its own reason, in bounded time and memory.

mod fault_kit;

use fault_kit::*;

// ----- limits -----------------------------------------------------------------------

#[test]
fn endless_chunked_body_is_stopped_by_max_body_bytes() {
    let limit = 1024 * 1024;
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()),
        Step::SendChunkedPattern {
            chunk_size: 1000,
            chunks: None,
        },
    ]]);
    let limits = Limits {
        max_body_bytes: Some(limit),
        ..Limits::default()
    };
    let (c, body) = exchange(&server, short_timeouts(), limits);
    assert_connection_error(&c, protocol(ProtoError::BodyTooLarge { limit }));
    assert!(body.len() as u64 <= limit);
    assert_eq!(body, pattern(body.len()));
}

#[test]
fn endless_close_delimited_body_is_stopped_by_max_body_bytes() {
    let limit = 1024 * 1024 + 7;
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec()),
        Step::SendPattern { len: None },
    ]]);
    let limits = Limits {
        max_body_bytes: Some(limit),
        ..Limits::default()
    };
    let (c, body) = exchange(&server, short_timeouts(), limits);
    assert_connection_error(&c, protocol(ProtoError::BodyTooLarge { limit }));
    assert_eq!(
        body.len() as u64,
        limit,
        "every byte up to the limit is delivered"
    );
    assert_eq!(body, pattern(body.len()));
}

#[test]
fn declared_length_above_max_body_bytes_fails_at_the_head() {
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 10737418240\r\n\r\n".to_vec()),
        Step::SendPattern { len: Some(4096) },
        Step::Sleep(SILENCE),
    ]]);
    let limits = Limits {
        max_body_bytes: Some(1 << 20),
        ..Limits::default()
    };
    let (c, body) = exchange(&server, short_timeouts(), limits);
    assert!(body.is_empty(), "not one byte of a refused body");
    assert_connection_error(&c, protocol(ProtoError::BodyTooLarge { limit: 1 << 20 }));
}

#[test]
fn one_mebibyte_header_line_is_head_too_large() {
    let mut reply = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
    reply.resize(reply.len() + 1024 * 1024, b'a');
    reply.extend_from_slice(b"\r\nContent-Length: 0\r\n\r\n");
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::Send(reply)]]);
    let (c, _) = exchange(&server, short_timeouts(), Limits::default());
    assert_connection_error(&c, protocol(ProtoError::HeadTooLarge { limit: 64 * 1024 }));
}

#[test]
fn ten_thousand_headers_are_too_many() {
    let mut reply = b"HTTP/1.1 200 OK\r\n".to_vec();
    for _ in 0..10_000 {
        reply.extend_from_slice(b"a:b\r\n");
    }
    reply.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    assert!(
        reply.len() < 64 * 1024,
        "within max_head_bytes, so the count decides"
    );
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::Send(reply)]]);
    let (c, _) = exchange(&server, short_timeouts(), Limits::default());
    assert_connection_error(&c, protocol(ProtoError::TooManyHeaders { limit: 100 }));
}

// ----- broken replies: each its own reason -----------------------------------------

fn reply_then_close(reply: &[u8]) -> ScriptedServer {
    ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(reply.to_vec()),
        Step::Close,
    ]])
}

#[test]
fn garbage_is_not_http() {
    for garbage in [
        &b"SSH-2.0-OpenSSH_9.6\r\n"[..],
        b"\x15\x03\x01\x00\x02\x02\x50",
        b"ICY 200 OK\r\n\r\n",
        b"<html>hello</html>",
    ] {
        let server = reply_then_close(garbage);
        let (c, body) = exchange(&server, short_timeouts(), Limits::default());
        assert!(body.is_empty());
        assert!(
            matches!(reason(&c), Reason::Protocol(ProtoError::InvalidHead { .. })),
            "{garbage:?}: {:?}",
            c.last_error()
        );
        assert_eq!(c.status(), Status::ConnectionError);
    }
}

#[test]
fn empty_reply() {
    let server = ScriptedServer::start(vec![vec![Step::ReadHead, Step::Close]]);
    let (c, _) = exchange(&server, short_timeouts(), Limits::default());
    assert_connection_error(&c, protocol(ProtoError::EmptyReply));
}

#[test]
fn close_in_the_middle_of_the_head() {
    let server = reply_then_close(b"HTTP/1.1 200 OK\r\nContent-Le");
    let (c, _) = exchange(&server, short_timeouts(), Limits::default());
    assert_connection_error(&c, protocol(ProtoError::TruncatedHead));
}

#[test]
fn close_short_of_the_content_length() {
    let mut reply = b"HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n".to_vec();
    reply.extend_from_slice(&pattern(1000));
    let server = reply_then_close(&reply);
    let (c, body) = exchange(&server, short_timeouts(), Limits::default());
    assert_eq!(body, pattern(1000));
    assert_connection_error(
        &c,
        protocol(ProtoError::TruncatedBody {
            remaining: 1073741824 - 1000,
        }),
    );
    assert_eq!(c.response_body_length(), 1073741824);
}

#[test]
fn close_in_the_middle_of_a_chunk() {
    for cut in [
        &b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nhalf a ch"[..],
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext",
    ] {
        let server = reply_then_close(cut);
        let (c, _) = exchange(&server, short_timeouts(), Limits::default());
        assert_connection_error(&c, protocol(ProtoError::TruncatedChunked));
    }
}

/// Runs one exchange against a server following `script` and asserts that it ended in
/// CONNECTION_ERROR because the peer reset the connection.
///
/// Under Wine (8.0) a reset reaches only a `recv` already blocked when it arrives; a later
/// `recv` returns 0, so there the client sees an early end of stream (an empty reply, a
/// truncated body) and fails with that instead: still CONNECTION_ERROR.
fn assert_ends_in_reset(script: Vec<Step>) {
    let server = ScriptedServer::start(vec![script]);
    let (c, _) = exchange(&server, short_timeouts(), Limits::default());
    assert_eq!(c.status(), Status::ConnectionError);
    let reason = reason(&c);
    let reset = matches!(&reason, Reason::Io(e) if e.kind() == std::io::ErrorKind::ConnectionReset);
    let wine_end_of_stream = pollhttp_testserver::under_wine()
        && matches!(reason, Reason::Protocol(_) | Reason::PeerClosed(_));
    assert!(reset || wine_end_of_stream, "{:?}", c.last_error());
}

#[test]
fn reset_before_the_head() {
    assert_ends_in_reset(vec![Step::ReadHead, Step::Reset]);
}

#[test]
fn reset_in_the_middle_of_the_body() {
    assert_ends_in_reset(vec![
        Step::ReadHead,
        Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome".to_vec()),
        Step::Sleep(Duration::from_millis(100)),
        Step::Reset,
    ]);
}

#[test]
fn endless_interim_responses_are_too_many() {
    let reply = b"HTTP/1.1 100 Continue\r\n\r\n".repeat(17);
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(reply),
        Step::Sleep(SILENCE),
    ]]);
    let (c, _) = exchange(&server, short_timeouts(), Limits::default());
    assert_connection_error(
        &c,
        protocol(ProtoError::TooManyInterimResponses { limit: 16 }),
    );
}

#[test]
fn endless_chunk_size_line_is_too_long() {
    let mut reply = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    reply.extend(std::iter::repeat_n(b'0', 100_000));
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(reply),
        Step::Sleep(SILENCE),
    ]]);
    let (c, body) = exchange(&server, short_timeouts(), Limits::default());
    assert!(body.is_empty());
    assert_connection_error(&c, protocol(ProtoError::ChunkLineTooLong { limit: 4096 }));
}

#[test]
fn endless_trailers_are_too_large() {
    let mut reply =
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n".to_vec();
    for i in 0..2000 {
        reply.extend_from_slice(format!("X-Trailer-{i}: value\r\n").as_bytes());
    }
    let server = ScriptedServer::start(vec![vec![
        Step::ReadHead,
        Step::Send(reply),
        Step::Sleep(SILENCE),
    ]]);
    let (c, body) = exchange(&server, short_timeouts(), Limits::default());
    assert_eq!(body, b"ok");
    assert_connection_error(
        &c,
        protocol(ProtoError::TrailersTooLarge { limit: 16 * 1024 }),
    );
}
