//! One `fetch` in flight: its response promise, then its body stream read one piece at
//! a time, and the `AbortController` that really stops it.

use super::promise::Pending;
use js_sys::{Reflect, Uint8Array};
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    AbortController, ReadableStreamDefaultReader, Request, RequestInit, RequestRedirect, Response,
    WorkerGlobalScope,
};

/// What the page asks `fetch` for.
pub(crate) struct FetchRequest<'a> {
    pub url: &'a str,
    pub method: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
    pub follow_redirects: bool,
}

/// A failure reported by the browser: a rejected promise's error, by its name and message
/// (`TypeError: Failed to fetch`). The browser tells a page no more than that, on
/// purpose: a refused connection, a failed TLS handshake and a response that CORS keeps
/// from the page all look the same.
#[derive(Clone, Debug)]
pub(crate) struct BrowserError {
    what: &'static str,
    message: String,
}

impl BrowserError {
    pub(crate) fn new(what: &'static str, value: &JsValue) -> BrowserError {
        let message = if let Some(e) = value.dyn_ref::<js_sys::Error>() {
            format!("{}: {}", String::from(e.name()), String::from(e.message()))
        } else if let Some(s) = value.as_string() {
            s
        } else {
            format!("{value:?}")
        };
        BrowserError { what, message }
    }
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.what, self.message)
    }
}

impl std::error::Error for BrowserError {}

/// One piece of the body, handed out from `at` on.
struct Piece {
    bytes: Uint8Array,
    at: u32,
}

/// What a look at the body stream found.
pub(crate) enum BodyState {
    /// Bytes are ready to be taken.
    Ready,
    /// A read is in flight.
    Waiting,
    /// The stream ended.
    End,
}

enum Stage {
    /// Waiting for the response (status and headers).
    Response(Pending),
    /// Reading the body: at most one `read()` in flight, at most one piece held.
    Body {
        reader: Option<ReadableStreamDefaultReader>,
        read: Option<Pending>,
        piece: Option<Piece>,
    },
}

/// A fetch started by [`Fetch::start`]. Dropping it aborts the transfer, whatever stage
/// it is in (an abort after the end is a no-op for the browser).
pub(crate) struct Fetch {
    abort: AbortController,
    stage: Stage,
}

impl Drop for Fetch {
    fn drop(&mut self) {
        self.abort.abort();
    }
}

impl Fetch {
    /// Starts the fetch; the browser's synchronous refusals (a body on GET, a header it
    /// cannot parse) come back as errors here.
    pub(crate) fn start(req: &FetchRequest<'_>) -> Result<Fetch, BrowserError> {
        let refused = |e: JsValue| BrowserError::new("the browser refused the request", &e);
        let abort = AbortController::new().map_err(refused)?;
        let init = RequestInit::new();
        init.set_method(req.method);
        init.set_signal(Some(&abort.signal()));
        init.set_redirect(if req.follow_redirects {
            RequestRedirect::Follow
        } else {
            RequestRedirect::Manual
        });
        let headers = web_sys::Headers::new().map_err(refused)?;
        for (name, value) in req.headers {
            headers.append(name, value).map_err(refused)?;
        }
        init.set_headers(&headers);
        if !req.body.is_empty() {
            init.set_body(&Uint8Array::from(req.body));
        }
        let request = Request::new_with_str_and_init(req.url, &init).map_err(refused)?;
        let promise = global_fetch(&request).map_err(refused)?;
        Ok(Fetch {
            abort,
            stage: Stage::Response(Pending::new(promise)),
        })
    }

    /// The response once the browser has it; `None` while it is pending. On success the
    /// body stream is opened for [`poll_body`](Fetch::poll_body).
    pub(crate) fn poll_response(&mut self) -> Option<Result<Response, BrowserError>> {
        let Stage::Response(pending) = &mut self.stage else {
            return None;
        };
        let outcome = pending.settled()?;
        Some(match outcome {
            Ok(value) => match value.dyn_into::<Response>() {
                Ok(response) => {
                    let reader = response.body().and_then(|s| {
                        s.get_reader()
                            .dyn_into::<ReadableStreamDefaultReader>()
                            .ok()
                    });
                    self.stage = Stage::Body {
                        reader,
                        read: None,
                        piece: None,
                    };
                    Ok(response)
                }
                Err(other) => Err(BrowserError::new("fetch gave no Response", &other)),
            },
            Err(e) => Err(BrowserError::new("fetch failed", &e)),
        })
    }

    /// Whether a `read()` of the body stream is in flight.
    pub(crate) fn is_reading(&self) -> bool {
        matches!(&self.stage, Stage::Body { read: Some(_), .. })
    }

    /// Looks at the body stream: takes the result of a settled read, and starts the next
    /// read when no bytes are held (so at most one piece waits for the caller and the
    /// server is read only as fast as the caller reads).
    pub(crate) fn poll_body(&mut self) -> Result<BodyState, BrowserError> {
        let Stage::Body {
            reader,
            read,
            piece,
        } = &mut self.stage
        else {
            return Ok(BodyState::Waiting);
        };
        loop {
            if piece.is_some() {
                return Ok(BodyState::Ready);
            }
            let Some(r) = reader.as_ref() else {
                return Ok(BodyState::End);
            };
            if let Some(pending) = read.as_mut() {
                let Some(outcome) = pending.settled() else {
                    return Ok(BodyState::Waiting);
                };
                *read = None;
                let result =
                    outcome.map_err(|e| BrowserError::new("reading the body failed", &e))?;
                let done = Reflect::get(&result, &JsValue::from_str("done"))
                    .map(|d| d.is_truthy())
                    .unwrap_or(true);
                if done {
                    *reader = None;
                    return Ok(BodyState::End);
                }
                let value = Reflect::get(&result, &JsValue::from_str("value"))
                    .map_err(|e| BrowserError::new("reading the body failed", &e))?;
                let bytes = value.dyn_into::<Uint8Array>().map_err(|v| {
                    BrowserError::new("the body stream gave something other than bytes", &v)
                })?;
                if bytes.length() > 0 {
                    *piece = Some(Piece { bytes, at: 0 });
                }
                continue;
            }
            *read = Some(Pending::new(r.read()));
        }
    }

    /// Copies held body bytes into `buf`; 0 when none are held.
    pub(crate) fn take(&mut self, buf: &mut [u8]) -> usize {
        let Stage::Body { piece, .. } = &mut self.stage else {
            return 0;
        };
        let Some(p) = piece.as_mut() else {
            return 0;
        };
        let left = p.bytes.length() - p.at;
        let n = left.min(u32::try_from(buf.len()).unwrap_or(u32::MAX));
        p.bytes
            .subarray(p.at, p.at + n)
            .copy_to(&mut buf[..n as usize]);
        p.at += n;
        if p.at == p.bytes.length() {
            *piece = None;
        }
        n as usize
    }

    /// How many body bytes are held, ready for [`take`](Fetch::take).
    pub(crate) fn held(&self) -> usize {
        match &self.stage {
            Stage::Body { piece: Some(p), .. } => (p.bytes.length() - p.at) as usize,
            _ => 0,
        }
    }
}

/// The global `fetch`, of a page or of a worker.
fn global_fetch(request: &Request) -> Result<js_sys::Promise, JsValue> {
    let global = js_sys::global();
    if let Some(window) = global.dyn_ref::<web_sys::Window>() {
        return Ok(window.fetch_with_request(request));
    }
    if let Some(worker) = global.dyn_ref::<WorkerGlobalScope>() {
        return Ok(worker.fetch_with_request(request));
    }
    Err(JsValue::from_str(
        "neither a window nor a worker: this global object has no fetch",
    ))
}
