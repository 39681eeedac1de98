//! A minimal blocking HTTP/1.1 client for testing the servers with plain std sockets.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A response as read off the wire.
#[derive(Debug)]
pub struct Reply {
    pub code: u16,
    pub head: String,
    pub body: Vec<u8>,
    pub trailer: String,
    /// How many chunks a chunked body came in.
    pub chunks: usize,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.split("\r\n").skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Reads buffered bytes from a stream, keeping what is read past the current message.
pub struct Conn {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub fn new(addr: SocketAddr) -> Conn {
        Conn {
            stream: connect(addr),
            buf: Vec::new(),
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    fn fill(&mut self) -> usize {
        let mut tmp = [0u8; 65536];
        let n = self.stream.read(&mut tmp).expect("read");
        self.buf.extend_from_slice(&tmp[..n]);
        n
    }

    fn line(&mut self) -> String {
        loop {
            if let Some(p) = self.buf.iter().position(|b| *b == b'\n') {
                let l: Vec<u8> = self.buf.drain(..=p).collect();
                return String::from_utf8(l)
                    .unwrap()
                    .trim_end_matches(['\r', '\n'])
                    .to_string();
            }
            assert!(self.fill() > 0, "stream ended inside a line");
        }
    }

    pub fn exact(&mut self, n: usize) -> Vec<u8> {
        while self.buf.len() < n {
            assert!(self.fill() > 0, "stream ended inside a body");
        }
        self.buf.drain(..n).collect()
    }

    /// Reads one response head, leaving its body unread.
    pub fn head(&mut self) -> Reply {
        let mut head = String::new();
        loop {
            let l = self.line();
            if l.is_empty() {
                break;
            }
            head.push_str(&l);
            head.push_str("\r\n");
        }
        let code: u16 = head[9..12].parse().unwrap();
        Reply {
            code,
            head,
            body: Vec::new(),
            trailer: String::new(),
            chunks: 0,
        }
    }

    /// Reads one response; `head_request` says whether it answers a HEAD.
    pub fn response(&mut self, head_request: bool) -> Reply {
        let mut reply = self.head();
        let code = reply.code;
        if (100..200).contains(&code) {
            return reply;
        }
        if head_request || code == 204 || code == 304 {
            return reply;
        }
        if reply
            .header("transfer-encoding")
            .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
        {
            loop {
                let size = usize::from_str_radix(&self.line(), 16).unwrap();
                if size == 0 {
                    loop {
                        let l = self.line();
                        if l.is_empty() {
                            break;
                        }
                        reply.trailer.push_str(&l);
                        reply.trailer.push_str("\r\n");
                    }
                    break;
                }
                reply.chunks += 1;
                let data = self.exact(size);
                reply.body.extend(data);
                assert_eq!(self.line(), "", "chunk not followed by CRLF");
            }
        } else if let Some(n) = reply.header("content-length") {
            reply.body = self.exact(n.parse().unwrap());
        } else {
            while self.fill() > 0 {}
            reply.body = std::mem::take(&mut self.buf);
        }
        reply
    }

    /// Sends a request and reads its response.
    pub fn request(&mut self, method: &str, target: &str, extra: &str, body: &[u8]) -> Reply {
        let mut req = format!("{method} {target} HTTP/1.1\r\nHost: test\r\n{extra}");
        if !body.is_empty() {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        self.send(req.as_bytes());
        self.send(body);
        self.response(method == "HEAD")
    }

    /// True when nothing has arrived past what was read and the connection is still open:
    /// a short read waits in vain. It can miss bytes that are late, never invent them, so
    /// a `false` always means the server sent more or closed.
    pub fn is_open_and_quiet(&mut self) -> bool {
        if !self.buf.is_empty() {
            return false;
        }
        self.stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut tmp = [0u8; 1];
        let quiet = matches!(
            self.stream.read(&mut tmp),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)
        );
        self.stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        quiet
    }

    /// Everything the peer sends until it closes (or resets) the connection.
    pub fn rest(&mut self) -> Vec<u8> {
        let mut tmp = [0u8; 65536];
        loop {
            match self.stream.read(&mut tmp) {
                Ok(0) => break,
                Ok(n) => self.buf.extend_from_slice(&tmp[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(e) => panic!("read: {e}"),
            }
        }
        std::mem::take(&mut self.buf)
    }

    /// True when the server has closed: a read returns end of stream.
    pub fn is_closed_by_peer(&mut self) -> bool {
        self.buf.is_empty() && self.fill() == 0
    }
}
