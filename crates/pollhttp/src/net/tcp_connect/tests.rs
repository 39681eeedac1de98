use super::*;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};

/// Drives a connect to its end; the step limit only guards against a hang.
fn finish(c: &mut TcpConnect) -> Result<TcpStream, io::Error> {
    for _ in 0..1000 {
        match c.poll() {
            ConnectPoll::Pending => {
                c.wait(Some(Duration::from_secs(10))).unwrap();
            }
            ConnectPoll::Connected(s) => return Ok(s),
            ConnectPoll::Failed(e) => return Err(e),
        }
    }
    panic!("connect never finished: {c:?}");
}

/// A loopback port with nothing listening on it.
fn closed_port() -> SocketAddr {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    l.local_addr().unwrap()
}

fn check_stream(mut s: TcpStream, listener: &TcpListener) {
    assert_eq!(s.peer_addr().unwrap(), listener.local_addr().unwrap());
    assert!(s.nodelay().unwrap());
    let mut buf = [0u8; 8];
    let e = s.read(&mut buf).unwrap_err();
    assert_eq!(
        e.kind(),
        io::ErrorKind::WouldBlock,
        "the stream must be non-blocking"
    );
    // And it is a working connection.
    let (mut server, _) = listener.accept().unwrap();
    server.write_all(b"hi").unwrap();
    let mut got = Vec::new();
    while got.len() < 2 {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                crate::StreamPeer::wait(&mut s, crate::Interest::Read, None).unwrap();
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(got, b"hi");
}

#[test]
fn connects_over_ipv4_loopback() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut c = TcpConnect::start(vec![addr]);
    assert_eq!(c.current_addr(), Some(addr));
    #[cfg(unix)]
    assert!(c.raw_fd().is_some());
    let s = finish(&mut c).unwrap();
    assert!(c.failures().is_empty());
    assert_eq!(c.current_addr(), None);
    check_stream(s, &listener);
    // The stream has been handed over: asking again is an error, not a hang.
    match c.poll() {
        ConnectPoll::Failed(e) => assert_eq!(e.kind(), io::ErrorKind::InvalidInput),
        other => panic!("{other:?}"),
    }
}

#[test]
fn connects_over_ipv6_loopback() {
    let listener = TcpListener::bind("[::1]:0").unwrap_or_else(|e| {
        panic!("cannot listen on [::1] ({e}): the machine needs IPv6 on its loopback interface")
    });
    let mut c = TcpConnect::start(vec![listener.local_addr().unwrap()]);
    let s = finish(&mut c).unwrap();
    check_stream(s, &listener);
}

#[test]
fn refused_port_fails_naming_the_address() {
    let addr = closed_port();
    let mut c = TcpConnect::start(vec![addr]);
    let e = finish(&mut c).unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused, "{e}");
    assert!(e.to_string().contains(&addr.to_string()), "{e}");
    assert_eq!(c.failures().len(), 1);
    assert_eq!(c.failures()[0].0, addr);
    // Failure is sticky.
    match c.poll() {
        ConnectPoll::Failed(again) => assert_eq!(again.to_string(), e.to_string()),
        other => panic!("{other:?}"),
    }
    assert!(c.wait(Some(Duration::ZERO)).unwrap());
}

#[test]
fn falls_through_to_the_next_address() {
    let refused = closed_port();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let mut c = TcpConnect::start(vec![refused, listener.local_addr().unwrap()]);
    let s = finish(&mut c).unwrap();
    assert_eq!(c.failures().len(), 1);
    assert_eq!(c.failures()[0].0, refused);
    assert_eq!(c.failures()[0].1.kind(), io::ErrorKind::ConnectionRefused);
    check_stream(s, &listener);
}

#[test]
fn all_failing_lists_every_address() {
    let (a, b) = (closed_port(), closed_port());
    let mut c = TcpConnect::start(vec![a, b]);
    let e = finish(&mut c).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains(&format!("connect to {b} failed")), "{msg}");
    assert!(msg.contains("2 addresses tried"), "{msg}");
    assert!(msg.contains(&a.to_string()), "{msg}");
    let tried: Vec<SocketAddr> = c.failures().iter().map(|f| f.0).collect();
    assert_eq!(tried, vec![a, b]);
}

#[test]
fn the_last_addresss_own_error_is_the_source() {
    use std::error::Error as _;
    let refused = Some(rustix::io::Errno::CONNREFUSED.raw_os_error());
    let mut c = TcpConnect::start(vec![closed_port(), closed_port()]);
    let e = finish(&mut c).unwrap_err();
    // The message is ours, so the outer error has no code; one level down has it.
    assert_eq!(e.raw_os_error(), None);
    let last = e.source().and_then(|s| s.downcast_ref::<io::Error>());
    assert_eq!(last.and_then(io::Error::raw_os_error), refused);
    // A copy (as a poll after the failure gives, and as a reason keeps) keeps it too.
    let copy = crate::error::copy_io_error(&e);
    assert_eq!(copy.to_string(), e.to_string());
    let last = copy.source().and_then(|s| s.downcast_ref::<io::Error>());
    assert_eq!(last.and_then(io::Error::raw_os_error), refused);
}

#[test]
fn more_addresses_than_listed_end_with_an_ellipsis() {
    let addrs: Vec<SocketAddr> = (0..LISTED_IN_ERROR + 1).map(|_| closed_port()).collect();
    let mut c = TcpConnect::start(addrs.clone());
    let msg = finish(&mut c).unwrap_err().to_string();
    let listed: Vec<String> = addrs[..LISTED_IN_ERROR]
        .iter()
        .map(|a| a.to_string())
        .collect();
    let want = format!(
        "({} addresses tried: {}, ...)",
        addrs.len(),
        listed.join(", ")
    );
    assert!(msg.ends_with(&want), "{msg}");
}

#[test]
fn no_addresses_is_an_error() {
    let mut c = TcpConnect::start(Vec::new());
    assert_eq!(c.current_addr(), None);
    match c.poll() {
        ConnectPoll::Failed(e) => assert_eq!(e.kind(), io::ErrorKind::InvalidInput),
        other => panic!("{other:?}"),
    }
}

#[test]
fn skip_current_moves_on() {
    let first = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let second = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let mut c = TcpConnect::start(vec![
        first.local_addr().unwrap(),
        second.local_addr().unwrap(),
    ]);
    c.skip_current(io::Error::new(io::ErrorKind::TimedOut, "too slow"));
    assert_eq!(c.current_addr(), Some(second.local_addr().unwrap()));
    let s = finish(&mut c).unwrap();
    assert_eq!(c.failures()[0].1.kind(), io::ErrorKind::TimedOut);
    check_stream(s, &second);
}

#[test]
fn handles_can_move_between_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<TcpConnect>();
    assert_send::<ConnectPoll>();
    assert_send::<crate::net::Resolve>();
}

#[test]
fn a_shortage_of_descriptors_is_this_machines_fault() {
    use crate::{Endpoint, Fault, Reason};
    let failed = |errno: rustix::io::Errno| {
        let last = io::Error::from_raw_os_error(errno.raw_os_error());
        let addr = closed_port();
        io::Error::new(
            last.kind(),
            ConnectFailed {
                last_addr: addr,
                last,
                listed: vec![addr],
                tried: 1,
            },
        )
    };
    let fault = |e: io::Error| {
        Reason::Connect {
            target: "h:1".into(),
            endpoint: Endpoint::Origin,
            error: e.into(),
        }
        .fault()
    };
    assert_eq!(fault(failed(rustix::io::Errno::MFILE)), Fault::Local);
    assert_eq!(
        fault(failed(rustix::io::Errno::CONNREFUSED)),
        Fault::Network
    );
}
