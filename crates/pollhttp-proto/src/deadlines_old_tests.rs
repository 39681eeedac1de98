use super::*;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn limits() -> Timeouts {
    Timeouts {
        response_head: Some(ms(100)),
        idle: Some(ms(50)),
        total: Some(ms(1000)),
        ..Timeouts::NONE
    }
}

#[test]
fn defaults_are_documented_values() {
    let t = Timeouts::default();
    assert_eq!(t.resolve, Some(Duration::from_secs(30)));
    assert_eq!(t.connect, Some(Duration::from_secs(30)));
    assert_eq!(t.connect_total, Some(Duration::from_secs(90)));
    assert_eq!(t.tls_handshake, Some(Duration::from_secs(30)));
    assert_eq!(t.response_head, Some(Duration::from_secs(120)));
    assert_eq!(t.idle, Some(Duration::from_secs(120)));
    assert_eq!(t.total, None);
    assert_eq!(t.get(TimeoutPhase::Idle), t.idle);
}

#[test]
fn no_clock_runs_before_a_request() {
    let d = Deadlines::default();
    let now = Instant::now();
    assert_eq!(d.next_deadline(), None);
    assert_eq!(d.wait_limit(now), None);
    assert!(d.check_request(now).is_none());
    assert_eq!(d.clamp_wait(Some(ms(7)), now), (Some(ms(7)), false));
    assert_eq!(d.clamp_wait(None, now), (None, false));
}

#[test]
fn sending_then_head_then_body() {
    let mut d = Deadlines::default();
    d.set_limits(limits());
    let t0 = Instant::now();
    d.start_request(t0, false);
    // Sending: idle runs, the head clock does not.
    assert_eq!(d.next_deadline(), Some(t0 + ms(50)));
    assert!(d.check_request(t0 + ms(49)).is_none());
    let e = d.check_request(t0 + ms(50)).unwrap();
    assert_eq!(e.godot(), GodotError::ConnectionError);
    assert_eq!(e.timeout_phase(), Some(TimeoutPhase::Idle));
    d.progress(t0 + ms(40));
    assert!(d.check_request(t0 + ms(80)).is_none());
    // Sent: only the head clock (and total).
    d.request_sent(t0 + ms(60));
    assert_eq!(d.next_deadline(), Some(t0 + ms(160)));
    assert!(d.check_request(t0 + ms(159)).is_none());
    let e = d.check_request(t0 + ms(160)).unwrap();
    assert_eq!(
        e.reason(),
        &Reason::Timeout {
            phase: TimeoutPhase::ResponseHead,
            after: ms(100)
        }
    );
    // A second request_sent does not move the head deadline.
    d.request_sent(t0 + ms(150));
    assert_eq!(d.next_deadline(), Some(t0 + ms(160)));
    // Body: idle from the head on.
    d.head_received(t0 + ms(120));
    assert_eq!(d.next_deadline(), Some(t0 + ms(170)));
    d.progress(t0 + ms(990));
    assert_eq!(d.next_deadline(), Some(t0 + ms(1000)));
    assert_eq!(
        d.check_request(t0 + ms(1000)).unwrap().timeout_phase(),
        Some(TimeoutPhase::Total)
    );
    d.request_finished();
    assert_eq!(d.next_deadline(), None);
}

#[test]
fn total_is_charged_with_the_connect_time_once() {
    let mut d = Deadlines::default();
    d.set_limits(limits());
    let t0 = Instant::now();
    d.start_connect(t0);
    assert_eq!(d.next_deadline(), Some(t0 + ms(1000)));
    d.connected(t0 + ms(300));
    assert_eq!(d.next_deadline(), None, "no clock while CONNECTED");
    // The caller waits 5 s before requesting: that time is not charged.
    let t1 = t0 + ms(5300);
    d.start_request(t1, true);
    assert_eq!(d.next_deadline(), Some(t1 + ms(100)));
    d.head_received(t1 + ms(10));
    d.progress(t1 + ms(690));
    assert_eq!(d.next_deadline(), Some(t1 + ms(700)), "1000 - 300 left");
    d.request_finished();
    // The next request on the connection gets the whole budget.
    let t2 = t1 + ms(2000);
    d.start_request(t2, true);
    d.head_received(t2);
    d.progress(t2 + ms(990));
    assert_eq!(d.next_deadline(), Some(t2 + ms(1000)));
}

#[test]
fn waits_are_clamped_to_the_next_deadline() {
    let mut d = Deadlines::default();
    d.set_limits(limits());
    let t0 = Instant::now();
    d.start_request(t0, true);
    assert_eq!(d.clamp_wait(None, t0), (Some(ms(100)), true));
    assert_eq!(d.clamp_wait(Some(ms(500)), t0), (Some(ms(100)), true));
    assert_eq!(d.clamp_wait(Some(ms(20)), t0), (Some(ms(20)), false));
    // Rounded up, never zero before the deadline.
    assert_eq!(
        d.wait_limit(t0 + ms(99) + Duration::from_micros(1)),
        Some(ms(1))
    );
    assert_eq!(d.wait_limit(t0 + ms(200)), Some(Duration::ZERO));
}

#[test]
fn zero_limits_expire_at_once_and_none_never() {
    let mut d = Deadlines::default();
    d.set_limits(Timeouts {
        response_head: Some(Duration::ZERO),
        ..Timeouts::NONE
    });
    let t0 = Instant::now();
    d.start_request(t0, true);
    assert!(d.check_request(t0).is_some());
    d.set_limits(Timeouts::NONE);
    d.start_request(t0, true);
    assert!(d
        .check_request(t0 + Duration::from_secs(1_000_000))
        .is_none());
    assert_eq!(d.next_deadline(), None);
}

#[test]
fn messages_name_the_limit() {
    let e = Error::new(
        GodotError::ConnectionError,
        Reason::Timeout {
            phase: TimeoutPhase::ResponseHead,
            after: ms(300),
        },
    );
    assert_eq!(
        e.to_string(),
        "ERR_CONNECTION_ERROR: timed out after 300ms waiting for the response head \
         (timeouts.response_head)"
    );
    assert_eq!(TimeoutPhase::ConnectTotal.to_string(), "connect_total");
}

/// A listener whose accept queue is full, so that connection attempts to it stay pending.
fn black_hole() -> (socket2::Socket, std::net::TcpStream, std::net::SocketAddr) {
    use socket2::{Domain, Socket, Type};
    let l = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    l.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    l.listen(0).unwrap();
    let addr = l.local_addr().unwrap().as_socket().unwrap();
    let filler = std::net::TcpStream::connect(addr).unwrap();
    (l, filler, addr)
}

#[test]
fn a_connect_timeout_moves_on_to_the_next_address() {
    use crate::conn::Progress;
    let (_hole, _filler, dead) = black_hole();
    let live = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut connector = Connector::for_addrs(vec![dead, live.local_addr().unwrap()]);
    let mut d = Deadlines::default();
    d.set_limits(Timeouts {
        connect: Some(ms(100)),
        ..Timeouts::NONE
    });
    d.start_connect(Instant::now());
    let start = Instant::now();
    let stream = loop {
        assert!(start.elapsed() < Duration::from_secs(10), "did not end");
        match connector.poll() {
            Progress::Pending(_) => {
                if let Some((status, err)) = d.check_connect(&mut connector, Instant::now()) {
                    panic!("{status:?} {err}");
                }
                connector.wait(d.wait_limit(Instant::now())).unwrap();
            }
            Progress::Ready(s) => break s,
            Progress::Failed(status, err) => panic!("{status:?} {err}"),
        }
    };
    drop(stream);
    assert!(live.accept().is_ok(), "connected to the second address");
}

#[test]
fn a_connect_timeout_on_the_last_address_is_cant_connect() {
    use crate::conn::Progress;
    let (_hole, _filler, dead) = black_hole();
    let mut connector = Connector::for_addrs(vec![dead, dead]);
    let mut d = Deadlines::default();
    d.set_limits(Timeouts {
        connect: Some(ms(50)),
        ..Timeouts::NONE
    });
    d.start_connect(Instant::now());
    let start = Instant::now();
    let (status, err) = loop {
        assert!(start.elapsed() < Duration::from_secs(10), "did not end");
        match connector.poll() {
            Progress::Pending(_) => {
                if let Some(failed) = d.check_connect(&mut connector, Instant::now()) {
                    break failed;
                }
                connector.wait(d.wait_limit(Instant::now())).unwrap();
            }
            Progress::Ready(_) => {
                eprintln!("skipping: this system completes connects beyond a full accept queue");
                return;
            }
            Progress::Failed(status, err) => panic!("{status:?} {err}"),
        }
    };
    assert_eq!(status, Status::CantConnect);
    assert_eq!(err.godot(), GodotError::CantConnect);
    assert_eq!(
        err.reason(),
        &Reason::Timeout {
            phase: TimeoutPhase::Connect,
            after: ms(50)
        }
    );
    // Both addresses were given their own 50 ms.
    assert!(start.elapsed() >= ms(100));
}

#[test]
fn new_limits_apply_to_the_next_clock_only() {
    let mut d = Deadlines::default();
    d.set_limits(limits());
    let t0 = Instant::now();
    d.start_request(t0, false);
    d.set_limits(Timeouts::NONE);
    assert_eq!(d.limits(), &Timeouts::NONE);
    assert_eq!(
        d.check_request(t0 + ms(50)).unwrap().timeout_phase(),
        Some(TimeoutPhase::Idle),
        "the running request keeps its idle limit"
    );
    d.start_request(t0, false);
    assert!(d.check_request(t0 + ms(5000)).is_none());
}
