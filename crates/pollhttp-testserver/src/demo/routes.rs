//! The demo server's routes: how each request is answered.

use super::cors::{split_cors_prefix, CORS_RESPONSE_HEADERS};
use super::page::{fnv1a64, page_chunks};
use super::request::Request;
use super::{CLOSE_BODY, HELLO_BODY, SLOW_BODY};
use crate::pattern::pattern_slice;
use crate::wire::reason_phrase;
use std::io::{self, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

/// The size of the pieces `/chunked` and `/bytes/N` write.
const PAGE_CHUNK_TARGET: usize = 700;
const BYTES_PIECE: usize = 64 * 1024;
const SLOW_PIECES: usize = 10;
const SLOW_PAUSE: Duration = Duration::from_millis(100);

/// What the routes serve that is prepared when the server starts.
#[derive(Default)]
pub(crate) struct Assets {
    /// The folder `/site/` serves.
    pub(crate) site: Option<PathBuf>,
    /// The `/gzip` body. Compressed once at start, on the starting thread: a compressor
    /// needs more stack than a connection thread has.
    pub(crate) gzipped_page: Vec<u8>,
    /// How many responses are held open right now (`/never`, `/stall/N`): `/held` says,
    /// so that a test can see a client's abort reach the server.
    pub(crate) held: AtomicUsize,
}

/// Writes responses on one connection for one request.
pub(crate) struct Responder<'a> {
    pub(super) out: &'a TcpStream,
    pub(super) head_only: bool,
    pub(super) keep_alive: bool,
    /// Whether every head carries the `/cors/` prefix's headers.
    pub(super) cors: bool,
}

impl<'a> Responder<'a> {
    pub(crate) fn new(out: &'a TcpStream, head_only: bool, keep_alive: bool) -> Responder<'a> {
        Responder {
            out,
            head_only,
            keep_alive,
            cors: false,
        }
    }

    pub(super) fn head(&self, code: u16, headers: &[(&str, String)]) -> Vec<u8> {
        let mut h = format!(
            "HTTP/1.1 {code} {}\r\nServer: pollhttp-testserver\r\n",
            reason_phrase(code)
        );
        for (name, value) in headers {
            h.push_str(&format!("{name}: {value}\r\n"));
        }
        if self.cors {
            for (name, value) in CORS_RESPONSE_HEADERS {
                h.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        if !self.keep_alive {
            h.push_str("Connection: close\r\n");
        }
        h.push_str("\r\n");
        h.into_bytes()
    }

    pub(super) fn write(&self, bytes: &[u8]) -> io::Result<()> {
        (&*self.out).write_all(bytes)
    }

    /// A response with a `Content-Length` body (only the head for `HEAD`).
    pub(crate) fn fixed(&self, code: u16, content_type: &str, body: &[u8]) -> io::Result<bool> {
        self.fixed_with(code, &[], content_type, body)
    }

    /// [`fixed`](Self::fixed) with `extra` headers after `Content-Type` and
    /// `Content-Length`.
    pub(super) fn fixed_with(
        &self,
        code: u16,
        extra: &[(&str, String)],
        content_type: &str,
        body: &[u8],
    ) -> io::Result<bool> {
        let mut headers = vec![
            ("Content-Type", content_type.to_string()),
            ("Content-Length", body.len().to_string()),
        ];
        headers.extend_from_slice(extra);
        let mut msg = self.head(code, &headers);
        if !self.head_only {
            msg.extend_from_slice(body);
        }
        self.write(&msg)?;
        Ok(self.keep_alive)
    }

    pub(super) fn text(&self, code: u16, body: &str) -> io::Result<bool> {
        self.fixed(code, "text/plain; charset=utf-8", body.as_bytes())
    }

    fn method_not_allowed(&self) -> io::Result<bool> {
        let body = b"405 Method Not Allowed\n";
        let msg = self.head(
            405,
            &[
                ("Allow", "GET, HEAD".to_string()),
                ("Content-Type", "text/plain; charset=utf-8".to_string()),
                ("Content-Length", body.len().to_string()),
            ],
        );
        self.write(&[msg.as_slice(), body].concat())?;
        Ok(self.keep_alive)
    }

    fn page(&self, with_trailer: bool) -> io::Result<bool> {
        let mut headers = vec![
            ("Content-Type", "text/html; charset=utf-8".to_string()),
            ("Transfer-Encoding", "chunked".to_string()),
        ];
        if with_trailer {
            headers.push(("Trailer", "X-Body-Fnv1a64".to_string()));
        }
        self.write(&self.head(200, &headers))?;
        if self.head_only {
            return Ok(self.keep_alive);
        }
        let mut page = Vec::new();
        // One write per chunk, so the client really receives the page piece by piece.
        for chunk in page_chunks(PAGE_CHUNK_TARGET) {
            page.extend_from_slice(chunk);
            let mut piece = format!("{:x}\r\n", chunk.len()).into_bytes();
            piece.extend_from_slice(chunk);
            piece.extend_from_slice(b"\r\n");
            self.write(&piece)?;
        }
        let mut last = b"0\r\n".to_vec();
        if with_trailer {
            last.extend_from_slice(
                format!("X-Body-Fnv1a64: {:016x}\r\n", fnv1a64(&page)).as_bytes(),
            );
        }
        last.extend_from_slice(b"\r\n");
        self.write(&last)?;
        Ok(self.keep_alive)
    }

    fn bytes(&self, count: &str) -> io::Result<bool> {
        let Ok(n) = count.parse::<u64>() else {
            return self.text(
                400,
                "400 Bad Request: /bytes/N needs a decimal byte count\n",
            );
        };
        let headers = [
            ("Content-Type", "application/octet-stream".to_string()),
            ("Content-Length", n.to_string()),
        ];
        self.write(&self.head(200, &headers))?;
        if self.head_only {
            return Ok(self.keep_alive);
        }
        self.pattern(n)?;
        Ok(self.keep_alive)
    }

    /// Writes the first `n` bytes of the pattern, in pieces.
    pub(super) fn pattern(&self, n: u64) -> io::Result<()> {
        let mut offset = 0u64;
        while offset < n {
            // Capped by BYTES_PIECE, so it fits in usize; the slice may be shorter still.
            let want = (n - offset).min(BYTES_PIECE as u64) as usize;
            let piece = pattern_slice(offset, want);
            self.write(piece)?;
            offset += piece.len() as u64;
        }
        Ok(())
    }

    fn close_delimited(&self) -> io::Result<bool> {
        let me = Responder {
            keep_alive: false,
            ..*self
        };
        let head = me.head(
            200,
            &[("Content-Type", "text/plain; charset=utf-8".to_string())],
        );
        if me.head_only {
            me.write(&head)?;
        } else {
            me.write(&[head.as_slice(), CLOSE_BODY.as_bytes()].concat())?;
        }
        Ok(false)
    }

    fn status(&self, code_text: &str) -> io::Result<bool> {
        let code = match code_text.parse::<u16>() {
            Ok(c) if (100..=999).contains(&c) => c,
            _ => {
                return self.text(
                    400,
                    "400 Bad Request: /status/N needs a code from 100 to 999\n",
                )
            }
        };
        match code {
            101 => self.text(
                400,
                "400 Bad Request: this server cannot switch protocols\n",
            ),
            100..=199 => {
                // An interim response, then the final one.
                self.write(format!("HTTP/1.1 {code} {}\r\n\r\n", reason_phrase(code)).as_bytes())?;
                self.text(200, &format!("200 OK after a {code} interim response\n"))
            }
            204 | 304 => {
                self.write(&self.head(code, &[]))?;
                Ok(self.keep_alive)
            }
            _ => self.text(code, &format!("{code} {}\n", reason_phrase(code))),
        }
    }

    fn slow(&self) -> io::Result<bool> {
        let headers = [
            ("Content-Type", "text/plain; charset=utf-8".to_string()),
            ("Content-Length", SLOW_BODY.len().to_string()),
        ];
        self.write(&self.head(200, &headers))?;
        if self.head_only {
            return Ok(self.keep_alive);
        }
        let piece = SLOW_BODY.len().div_ceil(SLOW_PIECES);
        for (i, p) in SLOW_BODY.as_bytes().chunks(piece).enumerate() {
            if i > 0 {
                thread::sleep(SLOW_PAUSE);
            }
            self.write(p)?;
        }
        Ok(self.keep_alive)
    }

    fn echo(&self, req: &Request) -> io::Result<bool> {
        let mut body = req.head_lines().join("\n").into_bytes();
        body.extend_from_slice(b"\n\n");
        body.extend_from_slice(&req.body);
        self.fixed(200, "text/plain; charset=utf-8", &body)
    }
}

/// Answers `req`; `Ok(true)` when the connection may serve another request.
pub(crate) fn respond(out: &TcpStream, req: &Request, assets: &Assets) -> io::Result<bool> {
    let mut r = Responder::new(out, req.is_head(), req.keep_alive());
    let (cors, path) = split_cors_prefix(req.path());
    if cors {
        if req.method == "OPTIONS" {
            return r.preflight();
        }
        r.cors = true;
    }
    let get_like = matches!(req.method.as_str(), "GET" | "HEAD");
    let content = |f: &dyn Fn() -> io::Result<bool>| {
        if get_like {
            f()
        } else {
            r.method_not_allowed()
        }
    };
    match path {
        "/" => content(&|| r.page(false)),
        "/chunked" => content(&|| r.page(true)),
        "/hello" => content(&|| r.text(200, HELLO_BODY)),
        "/close" => content(&|| r.close_delimited()),
        "/slow" => content(&|| r.slow()),
        "/echo" => r.echo(req),
        "/never" => r.never(&assets.held),
        "/held" => content(&|| r.text(200, &format!("{}\n", assets.held.load(Ordering::SeqCst)))),
        "/gzip" => content(&|| r.gzip(&assets.gzipped_page)),
        _ => {
            if let Some(n) = path.strip_prefix("/bytes/") {
                content(&|| r.bytes(n))
            } else if let Some(code) = path.strip_prefix("/status/") {
                r.status(code)
            } else if let Some(n) = path.strip_prefix("/stall/") {
                content(&|| r.stall(n, &assets.held))
            } else if let Some(hops) = path.strip_prefix("/redirect/") {
                match hops.parse::<u64>() {
                    Ok(0) => content(&|| r.text(200, HELLO_BODY)),
                    Ok(n) => r.redirect(n - 1),
                    Err(_) => r.text(
                        400,
                        "400 Bad Request: /redirect/N needs a decimal hop count\n",
                    ),
                }
            } else if let Some(file) = path.strip_prefix("/site/") {
                content(&|| r.site_file(assets.site.as_deref(), file))
            } else {
                r.text(404, "404 Not Found\n")
            }
        }
    }
}
