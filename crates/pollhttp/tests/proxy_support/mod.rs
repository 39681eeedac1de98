//! An in-process HTTP proxy for the proxy tests: forward requests (absolute form) and
//! CONNECT tunnels, optional Basic authentication, exact recording of what it received.
//!
//! Threads and blocking sockets with timeouts; it only ever connects to loopback
//! addresses (a target elsewhere gets `502` and nothing is dialled).
#![allow(dead_code)]

pub mod tls_origin;

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Bounds every blocking socket call, so a failing test ends instead of hanging.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// How the proxy answers a CONNECT that passed authentication.
#[derive(Clone, Debug)]
pub enum OnConnect {
    /// Dial the target, send these bytes (the response head), then relay both ways.
    Relay(Vec<u8>),
    /// Send these bytes and close, without dialling anything.
    Answer(Vec<u8>),
}

impl OnConnect {
    /// The usual `HTTP/1.1 200 Connection established` with no framing headers.
    pub fn established() -> OnConnect {
        OnConnect::Relay(b"HTTP/1.1 200 Connection established\r\n\r\n".to_vec())
    }
}

/// The proxy's behaviour.
#[derive(Clone, Debug)]
pub struct ProxyOptions {
    /// Basic credentials the proxy demands (`407` otherwise).
    pub auth: Option<(String, String)>,
    /// What a CONNECT gets.
    pub on_connect: OnConnect,
}

impl Default for ProxyOptions {
    fn default() -> Self {
        ProxyOptions {
            auth: None,
            on_connect: OnConnect::established(),
        }
    }
}

/// A running proxy on 127.0.0.1; stops when dropped.
pub struct TestProxy {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl TestProxy {
    /// Starts a proxy with default options (no auth, CONNECT relays after a plain 200).
    pub fn start() -> TestProxy {
        TestProxy::with(ProxyOptions::default())
    }

    /// Starts a proxy with `options`.
    pub fn with(options: ProxyOptions) -> TestProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (requests, options) = (requests.clone(), options.clone());
                    std::thread::spawn(move || serve(conn, &options, &requests));
                }
            })
        };
        TestProxy {
            addr,
            requests,
            stop,
            accept: Some(accept),
        }
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request head received so far, byte for byte (up to and including the
    /// blank line), in arrival order.
    pub fn requests(&self) -> Vec<Vec<u8>> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// `Basic base64(user:pass)` for the tests' own checks.
pub fn basic(user: &str, pass: &str) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = format!("{user}:{pass}").into_bytes();
    let mut out = String::from("Basic ");
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(A[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Reads until the end of a request head; returns (head, bytes read past it).
fn read_head(conn: &mut TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Some((buf, rest));
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Only loopback targets are ever dialled.
fn loopback(host: &str, port: u16) -> Option<SocketAddr> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse::<IpAddr>().ok().filter(|ip| ip.is_loopback())?
    };
    Some(SocketAddr::new(ip, port))
}

/// `host:port` (IPv6 in brackets) to a loopback address.
fn authority_addr(authority: &str) -> Option<SocketAddr> {
    let (host, port) = authority.rsplit_once(':')?;
    loopback(host, port.parse().ok()?)
}

fn serve(mut conn: TcpStream, options: &ProxyOptions, requests: &Mutex<Vec<Vec<u8>>>) {
    let _ = conn.set_read_timeout(Some(IO_TIMEOUT));
    let _ = conn.set_write_timeout(Some(IO_TIMEOUT));
    let Some((head, rest)) = read_head(&mut conn) else {
        return;
    };
    requests.lock().unwrap().push(head.clone());
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut parts = text.split("\r\n").next().unwrap_or("").split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));

    if let Some((user, pass)) = &options.auth {
        if header(&text, "proxy-authorization") != Some(basic(user, pass).as_str()) {
            let _ = conn.write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                  Proxy-Authenticate: Basic realm=\"test\"\r\n\
                  Content-Length: 6\r\nConnection: close\r\n\r\ndenied",
            );
            return;
        }
    }
    if method == "CONNECT" {
        match &options.on_connect {
            OnConnect::Answer(bytes) => {
                let _ = conn.write_all(bytes);
            }
            OnConnect::Relay(reply) => match authority_addr(target) {
                Some(addr) => match TcpStream::connect_timeout(&addr, IO_TIMEOUT) {
                    Ok(upstream) => {
                        if conn.write_all(reply).is_ok() {
                            relay(conn, upstream, &rest);
                        }
                    }
                    Err(_) => {
                        let _ = conn.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
                    }
                },
                None => {
                    let _ = conn.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
                }
            },
        }
        return;
    }
    forward(conn, &text, target, &rest);
}

/// Sends an absolute-form request on to the origin in origin form, without
/// `Proxy-Authorization`, and relays the answer until the origin closes.
fn forward(mut conn: TcpStream, head: &str, target: &str, body_start: &[u8]) {
    let Some(after) = target.strip_prefix("http://") else {
        let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let (authority, path) = match after.find('/') {
        Some(i) => (&after[..i], &after[i..]),
        None => (after, "/"),
    };
    let authority = if authority.contains(':') && !authority.ends_with(']') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let Some(addr) = authority_addr(&authority) else {
        let _ = conn.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let Ok(mut upstream) = TcpStream::connect_timeout(&addr, IO_TIMEOUT) else {
        let _ = conn.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or("");
    let mut out = first.replacen(target, path, 1);
    out.push_str("\r\n");
    for line in lines.filter(|l| !l.is_empty()) {
        if !line
            .to_ascii_lowercase()
            .starts_with("proxy-authorization:")
        {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
    let _ = upstream.write_all(out.as_bytes());
    relay(conn, upstream, body_start);
}

/// Copies bytes both ways until either side ends, then closes both.
fn relay(client: TcpStream, mut upstream: TcpStream, already: &[u8]) {
    let _ = upstream.set_read_timeout(Some(IO_TIMEOUT));
    if !already.is_empty() && upstream.write_all(already).is_err() {
        return;
    }
    let (Ok(mut c2), Ok(mut u2)) = (client.try_clone(), upstream.try_clone()) else {
        return;
    };
    let up = std::thread::spawn(move || {
        let mut client = client;
        let _ = std::io::copy(&mut client, &mut u2);
        let _ = u2.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut upstream, &mut c2);
    let _ = c2.shutdown(Shutdown::Both);
    let _ = up.join();
}
