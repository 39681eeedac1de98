//! [`DemoServer`]: a small keep-alive HTTP/1.1 server with fixed routes.

mod cors;
pub(crate) mod gzip;
mod hold;
pub(crate) mod page;
mod redirect;
mod request;
mod routes;
mod site;

use crate::reader::RequestReader;
use crate::scripted::close_gracefully;
use crate::wire::{content_length, has_token};
use request::Request;
use routes::{respond, Assets, Responder};
use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The body of `/hello`.
pub const HELLO_BODY: &str = "Hello, world!\n";
/// The body of `/slow`, sent in ten pieces about 100 ms apart.
pub const SLOW_BODY: &str =
    "tick 0\ntick 1\ntick 2\ntick 3\ntick 4\ntick 5\ntick 6\ntick 7\ntick 8\ntick 9\n";
/// The body of `/close`, which ends when the server closes the connection.
pub(crate) const CLOSE_BODY: &str =
    "This body has no length: it ends when the connection closes.\n";

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: u64 = 16 * 1024 * 1024;
/// How long a connection may stay idle (or a write stay blocked) before the server drops it.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Stack size of a connection thread; its buffers live on the heap or in 16 KiB reads.
const CONNECTION_STACK: usize = 256 * 1024;

#[derive(Default)]
struct DemoShared {
    stop: AtomicBool,
    /// A handle to every open connection, so that dropping the server can end them.
    open: Mutex<HashMap<u64, TcpStream>>,
    next_id: AtomicU64,
    assets: Assets,
}

impl DemoShared {
    fn open(&self) -> MutexGuard<'_, HashMap<u64, TcpStream>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A keep-alive HTTP/1.1 server on `127.0.0.1` with fixed routes, one thread per connection.
///
/// | route | response |
/// | --- | --- |
/// | `/`, `/chunked` | an HTML release-notes page ([`demo_page`](crate::demo_page)) sent chunked in several chunks; `/chunked` adds an `X-Body-Fnv1a64` trailer ([`fnv1a64`](crate::fnv1a64) of the page) |
/// | `/hello` | [`HELLO_BODY`] with `Content-Length` |
/// | `/echo` | any method: the request line and header lines (one per line), a blank line, then the request body, as `text/plain` |
/// | `/bytes/N` | `N` bytes of [`pattern_byte`](crate::pattern_byte) with `Content-Length`, streamed (any `N` up to `u64::MAX`) |
/// | `/close` | a body with `Connection: close` and no length; the server closes after it |
/// | `/status/N` | status `N` with a short body; none for `204` and `304`; for `1xx` (not `101`) an interim response, then `200` |
/// | `/slow` | [`SLOW_BODY`] trickled over about one second, with `Content-Length` |
/// | `/never` | any method: no answer; the connection stays open until the client closes it, the server is dropped or it has been idle for a minute |
/// | `/stall/N` | `Content-Length: 2*N`, the first `N` bytes of the `/bytes/N` pattern, then nothing more (held open like `/never`) |
/// | `/held` | how many `/never` and `/stall/N` responses are held open right now, as decimal text: a client's abort shows as this number going down |
/// | `/redirect/N` | for `N` > 0, any method: `302` with `Location: N-1` (a relative reference to `redirect/N-1` beside it, so the chain keeps its prefix); `/redirect/0` answers like `/hello` |
/// | `/gzip` | [`gzipped_demo_page`](crate::gzipped_demo_page) with `Content-Encoding: gzip` and the compressed length, whatever the request accepts |
/// | `/site/FILE` | the file `FILE` of the site folder given to [`start_with_site`](DemoServer::start_with_site) (`.html` `text/html`, `.js` `text/javascript`, `.wasm` `application/wasm`, others `application/octet-stream`); `403` for a `.`, `..` or empty path segment; `404` without a folder |
/// | `/cors/ROUTE` | `ROUTE` as above with `Access-Control-Allow-Origin: *` and `Access-Control-Expose-Headers: *` on every response (redirects and errors too); `OPTIONS` on any `/cors/...` path is a preflight answered `204` with `Access-Control-Allow-Origin: *`, `Access-Control-Allow-Methods: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS`, `Access-Control-Allow-Headers: *, Authorization` and `Access-Control-Max-Age: 0` |
/// | anything else | `404` |
///
/// Only `/cors/` responses carry CORS headers: a browser refuses the others to a page of
/// another origin. `HEAD` gets the same head as `GET` and no body. Content routes answer
/// other methods with `405`. Requests may carry a `Content-Length` or chunked body (up to 16 MiB); a request
/// with `Connection: close` (or HTTP/1.0 without keep-alive) gets `Connection: close` and
/// the connection closes after the response. The server stops when dropped.
///
/// ```
/// use std::io::{Read, Write};
/// let server = pollhttp_testserver::DemoServer::start().unwrap();
/// let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
/// s.write_all(b"GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
/// let mut got = String::new();
/// s.read_to_string(&mut got).unwrap();
/// assert!(got.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(got.ends_with("\r\n\r\nHello, world!\n"));
/// ```
pub struct DemoServer {
    addr: SocketAddr,
    shared: Arc<DemoShared>,
    accept: Option<JoinHandle<()>>,
}

impl DemoServer {
    /// Starts the server on `127.0.0.1` with an ephemeral port.
    pub fn start() -> io::Result<DemoServer> {
        DemoServer::start_serving(None)
    }

    /// [`start`](DemoServer::start) with `/site/` serving the files of the folder `dir`
    /// (read on each request); an error if `dir` is not a folder.
    pub fn start_with_site(dir: impl Into<PathBuf>) -> io::Result<DemoServer> {
        let dir = dir.into();
        if !dir.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("site folder {} is not a folder", dir.display()),
            ));
        }
        DemoServer::start_serving(Some(dir))
    }

    fn start_serving(site: Option<PathBuf>) -> io::Result<DemoServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let assets = Assets {
            site,
            gzipped_page: gzip::gzipped_demo_page()?,
            held: Default::default(),
        };
        let shared = Arc::new(DemoShared {
            assets,
            ..DemoShared::default()
        });
        let accept_shared = Arc::clone(&shared);
        let accept = thread::Builder::new()
            .name(format!("demo-server-{}", addr.port()))
            .spawn(move || accept_loop(&listener, &accept_shared))?;
        Ok(DemoServer {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // The accept thread is blocked in accept(): a connection of our own wakes it up.
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok();
        if let Some(t) = self.accept.take() {
            if woke {
                let _ = t.join();
            }
        }
        for (_, stream) in self.shared.open().drain() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<DemoShared>) {
    for conn in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = conn else {
            // Out of descriptors or similar: let it pass rather than spin.
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        let conn_shared = Arc::clone(shared);
        // Small stacks: a test may open thousands of connections at once.
        let _ = thread::Builder::new()
            .name("demo-conn".into())
            .stack_size(CONNECTION_STACK)
            .spawn(move || serve(stream, &conn_shared));
    }
}

fn serve(stream: TcpStream, shared: &DemoShared) {
    let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
    match stream.try_clone() {
        Ok(handle) => {
            shared.open().insert(id, handle);
        }
        Err(_) => return,
    }
    // Registered before this check, so a concurrent drop either sees us or we see it.
    if !shared.stop.load(Ordering::SeqCst) {
        let _ = serve_requests(&stream, &shared.assets);
    }
    shared.open().remove(&id);
}

fn serve_requests(stream: &TcpStream, assets: &Assets) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(IDLE_TIMEOUT))?;
    stream.set_write_timeout(Some(IDLE_TIMEOUT))?;
    let mut reader = RequestReader::new(stream.try_clone()?);
    let refuse = |code: u16, why: &str| -> io::Result<()> {
        Responder::new(stream, false, false).fixed(
            code,
            "text/plain; charset=utf-8",
            why.as_bytes(),
        )?;
        close_gracefully(stream);
        Ok(())
    };
    loop {
        let head = match reader.read_head(MAX_HEAD, None) {
            Ok(Some(h)) => h,
            Ok(None) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                return refuse(431, "431 Request Header Fields Too Large\n");
            }
            Err(e) => return Err(e),
        };
        let mut req = match Request::parse(head) {
            Ok(r) => r,
            Err(why) => return refuse(400, &format!("400 Bad Request: {why}\n")),
        };
        if has_token(&req.head, "expect", "100-continue") {
            (&*stream).write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        if req.is_chunked() {
            match reader.read_chunked(MAX_BODY, None) {
                Ok(body) => req.body = body,
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    return refuse(400, &format!("400 Bad Request: {e}\n"));
                }
                Err(e) => return Err(e),
            }
        } else {
            match content_length(&req.head) {
                Ok(None) => {}
                Ok(Some(n)) if n > MAX_BODY => {
                    return refuse(413, "413 Content Too Large\n");
                }
                Ok(Some(n)) => req.body = reader.read_exact_bytes(n, None)?,
                Err(why) => return refuse(400, &format!("400 Bad Request: {why}\n")),
            }
        }
        if req.header("host").is_none() && req.version == "HTTP/1.1" {
            return refuse(
                400,
                "400 Bad Request: HTTP/1.1 requests need a Host header\n",
            );
        }
        if !respond(stream, &req, assets)? {
            close_gracefully(stream);
            return Ok(());
        }
    }
}
