//! `Poller` over real loopback sockets: a thousand connections from one thread, resolving
//! clients, reconnects onto reused descriptor numbers, bytes already buffered, bodies read
//! in pieces, and tokens that are gone.

use pollhttp::{HttpClient, Method, Poller, Status, Token};
use pollhttp_testserver::fleet::Fleet;
use pollhttp_testserver::loop_server::{pattern_byte, LoopServer};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The thousand-connection test needs most of the descriptors; the others wait for it.
static SERIAL: Mutex<()> = Mutex::new(());

const LIMIT: Duration = Duration::from_secs(60);

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The number of the client's socket (a descriptor on Unix, a handle on Windows), to print.
fn socket_number(c: &HttpClient) -> Option<u64> {
    #[cfg(unix)]
    return c.raw_fd().and_then(|fd| u64::try_from(fd).ok());
    #[cfg(windows)]
    return c.raw_socket();
}

/// Polls until `token` is reported, `limit` at most; true if it was.
fn wait_for(poller: &mut Poller, token: Token, limit: Duration) -> bool {
    let end = Instant::now() + limit;
    let mut ready = Vec::new();
    while Instant::now() < end {
        poller
            .poll(&mut ready, Some(Duration::from_millis(100)))
            .unwrap();
        if ready.contains(&token) {
            return true;
        }
    }
    false
}

/// Drives one client through the poller (and only through it) while it is in `states`.
fn drive_while(poller: &mut Poller, token: Token, c: &mut HttpClient, states: &[Status]) {
    let end = Instant::now() + Duration::from_secs(10);
    while states.contains(&c.status()) {
        assert!(
            wait_for(poller, token, end.saturating_duration_since(Instant::now())),
            "never reported in {:?}",
            c.status()
        );
        let _ = c.poll();
        poller.update(token, c).unwrap();
    }
}

/// A client that has started to connect to the loopback server on `port`, registered.
fn registered(poller: &mut Poller, port: u16) -> (HttpClient, Token) {
    let mut c = HttpClient::new();
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    let token = poller.register(&c).unwrap();
    (c, token)
}

/// A registered client driven through the poller until it left CONNECTING.
fn connected(poller: &mut Poller, port: u16) -> (HttpClient, Token) {
    let (mut c, token) = registered(poller, port);
    drive_while(poller, token, &mut c, &[Status::Connecting]);
    (c, token)
}

/// Connects `c`, in blocking mode, with a single `poll()`, behind the poller's back.
fn connect_blocking(c: &mut HttpClient, port: u16) {
    c.connect_to_host("127.0.0.1", Some(port), None).unwrap();
    c.poll().unwrap();
}

/// Sends a GET for `path` and drives the client through the poller until it left
/// REQUESTING.
fn get(poller: &mut Poller, token: Token, c: &mut HttpClient, path: &str) {
    c.request(Method::Get, path, &[] as &[&str], "").unwrap();
    poller.update(token, c).unwrap();
    drive_while(poller, token, c, &[Status::Requesting]);
}

fn read_all_body(poller: &mut Poller, token: Token, c: &mut HttpClient, piece: usize) -> Vec<u8> {
    let mut body = Vec::new();
    let mut buf = vec![0u8; piece];
    let end = Instant::now() + Duration::from_secs(20);
    while c.status() == Status::Body {
        // One read per report: the poller must report again while bytes are left.
        let n = c.read_response_body_into(&mut buf).unwrap();
        body.extend_from_slice(&buf[..n]);
        poller.update(token, c).unwrap();
        if c.status() == Status::Body {
            let left = end.saturating_duration_since(Instant::now());
            assert!(
                wait_for(poller, token, left),
                "body stalled at {}",
                body.len()
            );
        }
    }
    body
}

#[test]
fn thousand_connections_from_one_thread() {
    let _guard = serial();
    const CLIENTS: usize = 1000;
    const REQUESTS: usize = 3;
    // Each connection takes two descriptors here (the server is in this process).
    pollhttp_testserver::process::require_nofile(2 * CLIENTS as u64 + 100);
    let server = LoopServer::start().unwrap();
    let mut fleet = Fleet::connect(CLIENTS, "127.0.0.1", server.port());
    fleet.run(REQUESTS, LIMIT).unwrap();
    assert_eq!(fleet.responses(), CLIENTS * REQUESTS);
    for m in &fleet.members {
        assert_eq!(m.client.status(), Status::Connected);
        assert_eq!(m.done, REQUESTS);
    }
    // Keep-alive: one connection per client carried all its requests.
    let stats = server.stats();
    use std::sync::atomic::Ordering::Relaxed;
    assert_eq!(stats.accepted.load(Relaxed), CLIENTS as u64);
    assert_eq!(stats.responses.load(Relaxed), (CLIENTS * REQUESTS) as u64);
    println!(
        "{} responses over {CLIENTS} connections, {} readiness reports",
        fleet.responses(),
        fleet.wakeups
    );
}

#[test]
fn resolving_client_is_reported_without_a_socket() {
    let _guard = serial();
    let server = LoopServer::start().unwrap();
    // "localhost" goes through the resolver thread; it may also list ::1 first, where
    // nothing listens, so the connect moves on to a second socket.
    let mut fleet = Fleet::connect(4, "localhost", server.port());
    assert!(fleet
        .members
        .iter()
        .all(|m| m.client.status() == Status::Resolving));
    fleet.run(2, LIMIT).unwrap();
    assert_eq!(fleet.responses(), 8);
}

#[test]
fn reconnect_onto_the_same_descriptor_number_is_followed() {
    let _guard = serial();
    let server = LoopServer::start().unwrap();
    let mut poller = Poller::new().unwrap();
    let (mut c, token) = connected(&mut poller, server.port());
    assert_eq!(c.status(), Status::Connected);
    let first = socket_number(&c);

    // Reconnect behind the poller's back (blocking mode): the new socket most likely gets
    // the number the old one freed, with the same interest.
    c.close();
    c.set_blocking_mode(true);
    connect_blocking(&mut c, server.port());
    assert_eq!(c.status(), Status::Connected);
    c.set_blocking_mode(false);
    println!("socket before {first:?}, after {:?}", socket_number(&c));
    poller.update(token, &c).unwrap();

    get(&mut poller, token, &mut c, "/echo/again");
    let body = read_all_body(&mut poller, token, &mut c, 1024);
    assert_eq!(body, b"again");
    assert_eq!(c.status(), Status::Connected);
}

#[test]
fn clients_swapping_descriptor_numbers_keep_their_tokens() {
    let _guard = serial();
    let server = LoopServer::start().unwrap();
    let mut poller = Poller::new().unwrap();
    let mut a = HttpClient::new();
    let mut b = HttpClient::new();
    a.set_blocking_mode(true);
    b.set_blocking_mode(true);
    connect_blocking(&mut a, server.port());
    connect_blocking(&mut b, server.port());
    let ta = poller.register(&a).unwrap();
    let tb = poller.register(&b).unwrap();
    let (fa, fb) = (socket_number(&a), socket_number(&b));
    // Both reconnect, in the order that hands b's old number to a and a's to b.
    a.close();
    b.close();
    connect_blocking(&mut b, server.port());
    connect_blocking(&mut a, server.port());
    println!(
        "a: {fa:?} -> {:?}, b: {fb:?} -> {:?}",
        socket_number(&a),
        socket_number(&b)
    );
    a.set_blocking_mode(false);
    b.set_blocking_mode(false);
    // b is updated first: registering its new socket must not be undone by a's update.
    poller.update(tb, &b).unwrap();
    poller.update(ta, &a).unwrap();
    for (c, t, word) in [(&mut a, ta, "alpha"), (&mut b, tb, "beta")] {
        get(&mut poller, t, c, &format!("/echo/{word}"));
        let body = read_all_body(&mut poller, t, c, 1024);
        assert_eq!(body, word.as_bytes());
    }
}

#[test]
fn buffered_body_bytes_are_reported_at_once() {
    let _guard = serial();
    let server = LoopServer::start().unwrap();
    let mut poller = Poller::new().unwrap();
    let (mut c, token) = connected(&mut poller, server.port());
    let text = "x".repeat(2000);
    get(&mut poller, token, &mut c, &format!("/echo/{text}"));
    assert_eq!(c.status(), Status::Body);
    // The whole small response came in one read: the body waits in the client, not the
    // socket, which will not become readable again.
    let mut piece = [0u8; 10];
    let mut body = Vec::new();
    while c.status() == Status::Body {
        let n = c.read_response_body_into(&mut piece).unwrap();
        body.extend_from_slice(&piece[..n]);
        poller.update(token, &c).unwrap();
        if c.status() == Status::Body {
            assert!(c.has_pending_input());
            let mut ready = Vec::new();
            poller
                .poll(&mut ready, Some(Duration::from_secs(30)))
                .unwrap();
            assert_eq!(
                ready,
                [token],
                "buffered bytes must be reported without waiting"
            );
        }
    }
    assert_eq!(body, text.as_bytes());
}

#[test]
fn large_body_read_in_pieces_keeps_being_reported() {
    let _guard = serial();
    let server = LoopServer::start().unwrap();
    let mut poller = Poller::new().unwrap();
    let (mut c, token) = connected(&mut poller, server.port());
    const LEN: u64 = 4 << 20;
    get(&mut poller, token, &mut c, &format!("/bytes/{LEN}"));
    // 16 KiB pieces go straight from the socket into the buffer, leaving the rest of what
    // arrived in the socket: edge-triggered readiness must be re-armed (Unix), and
    // level-triggered readiness keeps reporting it (Windows).
    let body = read_all_body(&mut poller, token, &mut c, 16 * 1024);
    assert_eq!(body.len() as u64, LEN);
    assert!(body
        .iter()
        .enumerate()
        .all(|(i, &b)| b == pattern_byte(i as u64)));
    assert_eq!(c.status(), Status::Connected);
}

#[test]
fn deregistered_tokens_are_never_reported() {
    let _guard = serial();
    let server = LoopServer::start().unwrap();
    let mut poller = Poller::new().unwrap();
    let (a, ta) = registered(&mut poller, server.port());
    // Connecting: the socket becomes writable, but nobody is listening for a any more.
    poller.deregister(ta).unwrap();
    assert!(poller.is_empty());
    assert!(poller.update(ta, &a).is_err());
    assert!(poller.deregister(ta).is_err());

    let (_b, tb) = registered(&mut poller, server.port());
    assert_eq!(tb.index(), ta.index(), "the slot is reused");
    assert_ne!(tb, ta);
    let end = Instant::now() + Duration::from_secs(10);
    let mut ready = Vec::new();
    let mut saw_b = false;
    while !saw_b && Instant::now() < end {
        poller
            .poll(&mut ready, Some(Duration::from_millis(100)))
            .unwrap();
        assert!(!ready.contains(&ta));
        saw_b = ready.contains(&tb);
    }
    assert!(saw_b);
}

#[test]
fn idle_connection_closed_by_the_server_is_reported() {
    let _guard = serial();
    let server = LoopServer::start().unwrap();
    let mut poller = Poller::new().unwrap();
    let (mut c, token) = connected(&mut poller, server.port());
    // An idle connection is not reported while nothing happens...
    let mut ready = Vec::new();
    poller
        .poll(&mut ready, Some(Duration::from_millis(50)))
        .unwrap();
    assert!(ready.is_empty());
    // ...and is when the server ends it.
    drop(server);
    assert!(wait_for(&mut poller, token, Duration::from_secs(10)));
    assert!(c.poll().is_err());
    assert_eq!(c.status(), Status::ConnectionError);
    poller.update(token, &c).unwrap();
}

/// Starts a server that accepts one connection and says, through the returned channel,
/// how it ended: `Ok(())` for the client's close, `Err` for a read error (a reset).
fn one_connection_watcher() -> (u16, std::sync::mpsc::Receiver<std::io::Result<()>>) {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 1024];
        let end = loop {
            match s.read(&mut buf) {
                Ok(0) => break Ok(()),
                Ok(_) => {}
                Err(e) => break Err(e),
            }
        };
        let _ = tx.send(end);
    });
    (port, rx)
}

#[test]
fn a_client_dropped_without_deregistering_closes_its_connection() {
    // On Windows the poller waits on duplicates of the clients' sockets: they must close
    // with the client, not stay open until the poller hears of it.
    let _guard = serial();
    let (port, ended) = one_connection_watcher();
    let mut poller = Poller::new().unwrap();
    let (c, token) = connected(&mut poller, port);
    assert_eq!(c.status(), Status::Connected);
    let mut ready = Vec::new();
    poller.poll(&mut ready, Some(Duration::ZERO)).unwrap();
    drop(c);
    let end = ended
        .recv_timeout(Duration::from_secs(30))
        .expect("the server never saw the dropped client's connection end");
    println!("the server saw {end:?}");
    // The poller goes on without it, and never reports it.
    poller
        .poll(&mut ready, Some(Duration::from_millis(20)))
        .unwrap();
    assert!(!ready.contains(&token), "{ready:?}");
    poller.deregister(token).unwrap();
}

#[test]
fn a_client_closed_without_an_update_closes_its_connection() {
    let _guard = serial();
    let (port, ended) = one_connection_watcher();
    let mut poller = Poller::new().unwrap();
    let (mut c, token) = connected(&mut poller, port);
    let mut ready = Vec::new();
    poller.poll(&mut ready, Some(Duration::ZERO)).unwrap();
    c.close();
    let end = ended
        .recv_timeout(Duration::from_secs(30))
        .expect("the server never saw the closed client's connection end");
    println!("the server saw {end:?}");
    // Told late, the poller parks the client.
    poller.update(token, &c).unwrap();
    poller
        .poll(&mut ready, Some(Duration::from_millis(20)))
        .unwrap();
    assert!(ready.is_empty(), "{ready:?}");
}
