//! The encrypted stream: bulk data, how it ends, and peers that are not TLS servers.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;

use super::{connect, read_to_end, request, write_all, Server, Then, STALL};
use crate::conn::{Interest, StreamPeer};
use crate::tls::{Certificates, TlsError, TlsErrorKind, TlsHandshake, TlsOptions, TlsVersion};
use pollhttp_testserver::certs::Ca;

fn trusted_server(then: Then) -> (Server, TlsOptions) {
    let ca = Ca::root("Test Root");
    let leaf = ca.leaf(&["localhost"]);
    let chain = Certificates::from_pem(ca.pem.as_bytes()).expect("CA PEM");
    (
        Server::new(&leaf, &[]).then(then),
        TlsOptions::client(Some(chain), None),
    )
}

#[test]
fn one_mebibyte_round_trips() {
    const LEN: usize = 1 << 20;
    let data: Vec<u8> = (0..LEN).map(|i| (i * 31 % 251) as u8).collect();
    let (server, options) = trusted_server(Then::Echo(LEN));
    let running = server.start();
    let mut tls = connect(running.addr, &options, "localhost").expect("handshake");
    let (mut sent, mut got) = (0, Vec::with_capacity(LEN));
    let mut buf = vec![0u8; 64 * 1024];
    while got.len() < LEN {
        let mut progress = false;
        if sent < LEN {
            match tls.write(&data[sent..]) {
                Ok(n) => (sent, progress) = (sent + n, true),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("write: {e}"),
            }
        }
        let flushed = match tls.flush() {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
            Err(e) => panic!("flush: {e}"),
        };
        match tls.read(&mut buf) {
            Ok(0) => panic!("early end after {} bytes", got.len()),
            Ok(n) => (progress, _) = (true, got.extend_from_slice(&buf[..n])),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("read: {e}"),
        }
        if !progress {
            let interest = if sent < LEN || !flushed {
                Interest::ReadWrite
            } else {
                Interest::Read
            };
            assert!(tls.wait(interest, Some(STALL)).expect("wait"), "stalled");
        }
    }
    assert!(got == data, "echoed bytes differ");
    assert_eq!(read_to_end(&mut tls).expect("end"), b"");
    assert_eq!(tls.peer_closed_cleanly(), Some(true));
    drop(tls);
    assert_eq!(running.report().error, None);
}

#[test]
fn close_notify_and_bare_close_both_end_the_stream() {
    for close_notify in [true, false] {
        let payload = b"HTTP/1.1 200 OK\r\n\r\nbody until close".to_vec();
        let (server, options) = trusted_server(Then::Answer {
            payload: payload.clone(),
            close_notify,
        });
        let running = server.start();
        let mut tls = connect(running.addr, &options, "localhost").expect("handshake");
        assert_eq!(tls.peer_closed_cleanly(), None);
        assert_eq!(request(&mut tls).expect("body"), payload);
        assert_eq!(tls.peer_closed_cleanly(), Some(close_notify));
        // The end is sticky.
        assert_eq!(tls.read(&mut [0u8; 16]).expect("again"), 0);
        assert!(tls.has_buffered_read(), "an ended stream reads at once");
        drop(tls);
        assert_eq!(running.report().error, None);
    }
}

#[test]
fn a_cut_record_is_an_error_not_an_end() {
    let (server, options) = trusted_server(Then::Truncate(vec![b'x'; 3000]));
    let running = server.start();
    let mut tls = connect(running.addr, &options, "localhost").expect("handshake");
    let err = request(&mut tls).expect_err("truncated");
    assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    let inner = err.get_ref().and_then(|e| e.downcast_ref::<TlsError>());
    assert_eq!(inner.map(TlsError::kind), Some(TlsErrorKind::Closed));
    drop(tls);
    assert_eq!(running.report().error, None);
}

#[test]
fn buffered_plaintext_counts_as_readable() {
    let payload = vec![b'y'; 1000];
    let (server, options) = trusted_server(Then::Answer {
        payload: payload.clone(),
        close_notify: true,
    });
    let running = server.start();
    let mut tls = connect(running.addr, &options, "localhost").expect("handshake");
    write_all(&mut tls, b"GET / HTTP/1.1\n").expect("request");
    let mut first = [0u8; 10];
    loop {
        match tls.read(&mut first) {
            Ok(n) => {
                assert_eq!(n, 10);
                break;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(tls.wait(Interest::Read, Some(STALL)).expect("wait"));
            }
            Err(e) => panic!("read: {e}"),
        }
    }
    assert!(tls.has_buffered_read());
    assert!(tls.wait(Interest::Read, Some(STALL)).expect("wait"));
    let rest = read_to_end(&mut tls).expect("rest");
    assert_eq!(rest.len() + 10, payload.len());
    drop(tls);
    assert_eq!(running.report().error, None);
}

/// A plain TCP server that reads what the client sends and answers with `reply`
/// (closing right away when `reply` is empty).
fn raw_server(reply: &'static [u8]) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let handle = std::thread::spawn(move || {
        let (mut tcp, _) = listener.accept().expect("accept");
        tcp.set_read_timeout(Some(STALL)).ok();
        let mut hello = [0u8; 512];
        let _ = Read::read(&mut tcp, &mut hello);
        let _ = Write::write_all(&mut tcp, reply);
    });
    (addr, handle)
}

#[test]
fn a_plain_http_server_is_not_tls() {
    let (addr, handle) = raw_server(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    let err = connect(addr, &TlsOptions::default(), "localhost").expect_err("not TLS");
    assert_eq!(err.kind(), TlsErrorKind::NotTls, "{err}");
    assert!(err.detail().contains("HTTP/1.1 400"), "{err}");
    handle.join().expect("server");
}

#[test]
fn a_server_closing_during_the_handshake_is_closed() {
    let (addr, handle) = raw_server(b"");
    let err = connect(addr, &TlsOptions::default(), "localhost").expect_err("closed");
    assert_eq!(err.kind(), TlsErrorKind::Closed, "{err}");
    handle.join().expect("server");
}

#[test]
fn failures_are_final_and_reported_again() {
    let (addr, handle) = raw_server(b"SSH-2.0-OpenSSH_9.6\r\n");
    let tcp = std::net::TcpStream::connect(addr).expect("connect");
    tcp.set_nonblocking(true).expect("nonblocking");
    let mut hs =
        TlsHandshake::start(Box::new(tcp), &TlsOptions::default(), "localhost").expect("start");
    let err = loop {
        match hs.poll() {
            Ok(true) => panic!("handshake with an SSH server succeeded"),
            Ok(false) => assert!(hs.wait(Some(STALL)).expect("wait"), "stalled"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), TlsErrorKind::NotTls);
    assert_eq!(hs.poll(), Err(err));
    assert_eq!(hs.negotiated_version(), None);
    handle.join().expect("server");
}

#[test]
fn bad_settings_are_invalid_config() {
    let tcp = || {
        // Never used for I/O: start() fails before.
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let tcp =
            std::net::TcpStream::connect(listener.local_addr().expect("addr")).expect("connect");
        Box::new(tcp)
    };
    let inverted = TlsOptions::default()
        .with_min_version(TlsVersion::Tls13)
        .with_max_version(TlsVersion::Tls12);
    let empty = TlsOptions::client(Some(Certificates::from_der(Vec::new())), None);
    let garbage = TlsOptions::client(Some(Certificates::from_der(vec![vec![1, 2, 3]])), None);
    for options in [&inverted, &empty, &garbage] {
        let err = TlsHandshake::start(tcp(), options, "localhost").expect_err("invalid");
        assert_eq!(err.kind(), TlsErrorKind::InvalidConfig, "{err}");
        assert_eq!(options.prepare(), Err(err));
    }
    let err =
        TlsHandshake::start(tcp(), &TlsOptions::default(), "bad host!").expect_err("bad host");
    assert_eq!(err.kind(), TlsErrorKind::InvalidConfig);
    assert!(TlsHandshake::start(tcp(), &TlsOptions::default(), "[::1]").is_ok());

    let err = Certificates::from_pem(b"no certificates here").expect_err("no PEM");
    assert_eq!(err.kind(), TlsErrorKind::InvalidConfig);
    let err = Certificates::from_pem_file("/nonexistent/ca.pem").expect_err("no file");
    assert_eq!(err.kind(), TlsErrorKind::InvalidConfig);
}

#[test]
fn pem_reading_keeps_every_certificate() {
    let root = Ca::root("Root");
    let intermediate = root.intermediate("Intermediate");
    let pem = format!("{}\n{}", root.pem, intermediate.pem);
    let certs = Certificates::from_pem(pem.as_bytes()).expect("PEM");
    assert_eq!(certs.len(), 2);
    let ders: Vec<&[u8]> = certs.iter_der().collect();
    assert_eq!(ders, vec![root.der.as_ref(), intermediate.der.as_ref()]);
}
