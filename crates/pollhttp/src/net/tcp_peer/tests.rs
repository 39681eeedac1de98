use super::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Instant;

/// A connected pair: the peer under test (non-blocking, as the connector hands it over)
/// and the server's end.
fn pair() -> (TcpPeer, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    client.set_nonblocking(true).unwrap();
    let (server, _) = listener.accept().unwrap();
    (TcpPeer::new(client), server)
}

/// Runs read_wait until it gives bytes or end of stream (a slice may run out first).
fn read_wait_some(peer: &mut TcpPeer, buf: &mut [u8]) -> usize {
    loop {
        match peer.read_wait(buf, None) {
            Ok(n) => return n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => panic!("read_wait failed: {e}"),
        }
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn fd_is_blocking(peer: &TcpPeer) -> bool {
    let flags = rustix::fs::fcntl_getfl(&peer.stream).unwrap();
    !flags.contains(rustix::fs::OFlags::NONBLOCK)
}

#[test]
fn read_wait_returns_bytes_that_arrive_later_on_every_exchange() {
    let (mut peer, server) = pair();
    let mut buf = [0u8; 64];
    for i in 0..6u8 {
        let writer = {
            let mut server = server.try_clone().unwrap();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                server.write_all(&[b'a' + i; 5]).unwrap();
            })
        };
        let n = read_wait_some(&mut peer, &mut buf);
        writer.join().unwrap();
        assert_eq!(&buf[..n], &[b'a' + i; 5][..n], "exchange {i}");
        // Anything the first read did not take is there for a plain read.
        let mut got = n;
        while got < 5 {
            got += read_wait_some(&mut peer, &mut buf[got..5]);
        }
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    assert!(
        fd_is_blocking(&peer),
        "a connection used for many waits reads in one call"
    );
    server.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(read_wait_some(&mut peer, &mut buf), 0, "end of stream");
}

#[test]
fn first_waits_keep_the_descriptor_non_blocking() {
    let (mut peer, mut server) = pair();
    server.write_all(b"x").unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(read_wait_some(&mut peer, &mut buf), 1);
    #[cfg(any(target_os = "linux", target_os = "android"))]
    assert!(!fd_is_blocking(&peer));
}

#[test]
fn read_wait_gives_would_block_when_its_timeout_passes() {
    let (mut peer, _server) = pair();
    let mut buf = [0u8; 8];
    // Through poll(2) first, then (once switched) through the blocking descriptor, with
    // a timeout long enough for a whole receive slice and one shorter.
    for timeout in [
        Duration::from_millis(30),
        Duration::from_millis(30),
        Duration::from_millis(30),
        Duration::from_millis(1300),
        Duration::from_millis(30),
    ] {
        let started = Instant::now();
        let err = peer.read_wait(&mut buf, Some(timeout)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        assert!(
            started.elapsed() >= timeout,
            "returned before its timeout {timeout:?}"
        );
    }
}

#[test]
fn read_and_write_never_block_once_the_descriptor_is_blocking() {
    let (mut peer, mut server) = pair();
    let mut buf = [0u8; 8];
    for _ in 0..4 {
        server.write_all(b"y").unwrap();
        assert_eq!(read_wait_some(&mut peer, &mut buf), 1);
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    assert!(fd_is_blocking(&peer));
    let err = peer.read(&mut buf).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    // The server reads nothing: the socket buffers fill and the write must say so.
    let chunk = vec![0u8; 256 * 1024];
    let mut written = 0usize;
    let full = loop {
        match peer.write(&chunk) {
            Ok(n) => written += n,
            Err(e) => break e,
        }
        assert!(written < 1 << 30, "the socket never filled");
    };
    assert_eq!(full.kind(), io::ErrorKind::WouldBlock);
    let slices = [io::IoSlice::new(&chunk), io::IoSlice::new(&chunk)];
    let err = peer.write_vectored(&slices).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    // What was written arrives whole.
    drop(peer);
    let mut received = Vec::new();
    server.read_to_end(&mut received).unwrap();
    assert_eq!(received.len(), written);
}
