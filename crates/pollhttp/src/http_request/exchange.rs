//! One request from `request()` to its completion: connecting (or reusing the
//! connection), sending, following redirects, and moving the body to its destination.

use super::body::{client_failure, BodyPipe};
use super::download::{Download, Resume};
use super::method::RequestMethodBuf;
use super::redirect::{self, Decision, Hop};
use super::target::Target;
use super::{Completion, HttpRequest, HttpRequestResult, Progress, ResponseHead};
use crate::decode::ContentDecoder;
use crate::proto::RequestBody;
use crate::Instant;
use crate::{Error, GodotError, Reason, RequestMethod, Status, TimeoutPhase};

/// The request in progress.
pub(crate) struct Job {
    target: Target,
    method: RequestMethodBuf,
    /// The caller's headers, less what a redirect removed.
    headers: Vec<String>,
    /// Kept for redirects that send it again (307, 308): shared with the connection, not
    /// copied for each send.
    body: std::sync::Arc<[u8]>,
    redirects: u32,
    pub deadline: Option<Instant>,
    stage: Stage,
    /// Whether the current exchange went over a connection kept from an earlier one
    /// (such a connection may have been closed by the server meanwhile).
    reused: bool,
    /// Whether the current exchange is a retry on a fresh connection.
    retried: bool,
    download: Option<Download>,
    resume: Option<Resume>,
    pipe: Option<BodyPipe>,
    collected: Vec<u8>,
    /// The buffer the body passes through on its way to memory or the file.
    out: Vec<u8>,
    /// Collect the body into `collected` even with `stream_body` on (what the caller
    /// left unread when it asked to wait for the end).
    pub collect: bool,
}

enum Stage {
    /// Connecting to the target's origin.
    Connect,
    /// The request is sent (or being sent); waiting for the response head.
    AwaitHead,
    /// Reading a response's body away, to keep the connection, before the next hop: a
    /// redirect's, or (`hop` none) a refused resume's, which is sent again without
    /// `Range`.
    Drain { hop: Option<Hop>, drained: u64 },
    /// The final response's body.
    Body,
}

/// How much of a redirect's body is read to keep its connection; a longer one closes it.
const MAX_DRAIN: u64 = 64 * 1024;

/// The `Accept-Encoding` sent when the caller asks for none.
const ACCEPT_ENCODING: &str = "Accept-Encoding: gzip, deflate, br, zstd";

/// What a step did.
enum Step {
    /// Go on stepping.
    Again,
    /// Nothing to do until the socket or a deadline says so.
    Wait,
    /// The request is over.
    Done(Box<Completion>),
}

impl HttpRequest {
    /// Starts a request with a text body (Godot's `request(url, custom_headers, method,
    /// request_data)`); see [`request_raw`](HttpRequest::request_raw).
    pub fn request<'m>(
        &mut self,
        url: &str,
        headers: &[&str],
        method: impl Into<RequestMethod<'m>>,
        body: &str,
    ) -> Result<(), Error> {
        self.request_raw(url, headers, method, body.as_bytes())
    }

    /// Starts a request (Godot's `request_raw`). `url` is absolute (`http://` is assumed
    /// without a scheme); credentials in it (`http://user:pass@host/`) are sent as
    /// `Authorization: Basic` unless `headers` has its own `Authorization`. `headers`
    /// are `"Name: value"` lines, as for [`HttpClient::request`](crate::HttpClient::request).
    ///
    /// Nothing is sent yet: [`poll`](HttpRequest::poll) does the work.
    ///
    /// # Errors
    ///
    /// `ERR_BUSY` while a request is in progress; `ERR_INVALID_PARAMETER` for a URL that
    /// is not `http` or `https` or has no host, a method that is not a token, or a header
    /// with CR, LF or NUL. Nothing changes then.
    pub fn request_raw<'m>(
        &mut self,
        url: &str,
        headers: &[&str],
        method: impl Into<RequestMethod<'m>>,
        body: impl Into<Vec<u8>>,
    ) -> Result<(), Error> {
        let method = method.into();
        if let RequestMethod::Other(token) = method {
            RequestMethod::parse(token)
                .map_err(|e| Error::new(GodotError::InvalidParameter, Reason::InvalidRequest(e)))?;
        }
        self.start(url, headers, RequestMethodBuf::from(method), body.into())
    }

    fn start(
        &mut self,
        url: &str,
        headers: &[&str],
        method: RequestMethodBuf,
        body: Vec<u8>,
    ) -> Result<(), Error> {
        if self.job.is_some() {
            return Err(Error::new(GodotError::Busy, Reason::Busy));
        }
        let target = Target::parse(url)?;
        #[cfg(target_arch = "wasm32")]
        if let Some(path) = &self.settings.download_file {
            return Err(Error::new(
                GodotError::Unavailable,
                Reason::Unsupported(format!(
                    "download_file {}: a browser page has no file system; take the body \
                     from the Completion, or read it with set_stream_body",
                    path.display()
                )),
            ));
        }
        if let Some(bad) = headers
            .iter()
            .find(|h| h.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)))
        {
            return Err(Error::invalid(format!(
                "header {bad:?} holds CR, LF or NUL"
            )));
        }
        let download = self
            .settings
            .download_file
            .as_deref()
            .map(|p| Download::new(p, self.settings.keep_partial_download));
        let resume = download.as_ref().and_then(Download::resume_point);
        let now = self.client.now();
        self.progress = Progress::default();
        self.head = None;
        self.delivered_headers.clear();
        self.redirects.clear();
        self.final_url = Some(target.display_url());
        self.job = Some(Job {
            target,
            method,
            headers: headers.iter().map(|h| h.to_string()).collect(),
            body: body.into(),
            redirects: 0,
            deadline: self.settings.timeout.and_then(|t| now.checked_add(t)),
            stage: Stage::Connect,
            reused: false,
            retried: false,
            download,
            resume,
            pipe: None,
            collected: Vec::new(),
            out: Vec::new(),
            collect: false,
        });
        self.begin_hop();
        Ok(())
    }

    /// Drives the request; returns its [`Completion`] once, when it is over (Godot's
    /// `request_completed` signal). Call it from the program's loop (each frame, or
    /// when [`wait`](HttpRequest::wait) or a [`Poller`](crate::Poller) says the client is
    /// ready).
    pub fn poll(&mut self) -> Option<Completion> {
        self.job.as_ref()?;
        loop {
            let step = match self.step() {
                Ok(step) => step,
                Err(e) => Step::Done(Box::new(self.fail(e))),
            };
            match step {
                Step::Again => continue,
                Step::Wait => return None,
                Step::Done(done) => return Some(*done),
            }
        }
    }

    /// Stops the request in progress (Godot's `cancel_request`): the connection is
    /// closed, a download's temporary file removed (or kept for a resume), and no
    /// completion is returned.
    pub fn cancel_request(&mut self) {
        if let Some(job) = self.job.take() {
            if let Some(d) = job.download {
                d.abandon();
            }
            self.client.close();
        }
    }

    /// Reads decoded body bytes into `buf`, with [`set_stream_body`] on, once the final
    /// response's head has arrived; 0 when nothing is ready yet, or when the body is over
    /// (the next `poll()` returns the completion, and [`wait`](HttpRequest::wait) does not
    /// sleep). A failure ends the request: the next `poll()` returns it.
    ///
    /// [`set_stream_body`]: HttpRequest::set_stream_body
    pub fn read_body(&mut self, buf: &mut [u8]) -> usize {
        let Some(job) = self.job.as_mut() else {
            return 0;
        };
        if !matches!(job.stage, Stage::Body) || !self.settings.stream_body {
            return 0;
        }
        let Some(pipe) = job.pipe.as_mut() else {
            return 0;
        };
        match pipe.pull(&mut self.client, buf, &mut self.progress) {
            Ok(p) => p.n,
            Err(e) => {
                job.stage = Stage::Body;
                job.pipe = None;
                self.pending_failure = Some(e);
                0
            }
        }
    }

    /// Whether `poll()` can go on without waiting for the socket: a failure seen by
    /// `read_body`, or a streamed body read to its end.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn ready_without_io(&self) -> bool {
        let Some(job) = self.job.as_ref() else {
            return false;
        };
        self.pending_failure.is_some()
            || matches!(job.stage, Stage::Body)
                && job.pipe.as_ref().is_none_or(BodyPipe::is_finished)
    }

    /// One step of the state machine.
    fn step(&mut self) -> Result<Step, Error> {
        if let Some(e) = self.pending_failure.take() {
            return Err(e);
        }
        let now = self.client.now();
        let Some(job) = self.job.as_mut() else {
            return Ok(Step::Wait);
        };
        if job.deadline.is_some_and(|d| now >= d) {
            return Err(self.timeout_error());
        }
        match job.stage {
            Stage::Connect => self.step_connect(),
            Stage::AwaitHead => self.step_await_head(),
            Stage::Drain { .. } => self.step_drain(),
            Stage::Body => self.step_body(),
        }
    }

    /// Starts the current hop: reuses the connection when it is open to the same
    /// origin, else connects.
    fn begin_hop(&mut self) {
        let Some(job) = self.job.as_mut() else {
            return;
        };
        job.stage = Stage::Connect;
        job.reused = self.client.status() == Status::Connected
            && self.connected_origin.as_ref() == Some(&job.target.origin);
        if !job.reused {
            self.connected_origin = None;
        }
    }

    fn step_connect(&mut self) -> Result<Step, Error> {
        let Some(job) = self.job.as_mut() else {
            return Ok(Step::Wait);
        };
        if self.connected_origin.is_none() {
            let origin = job.target.origin.clone();
            self.apply_deadline();
            let host = if origin.tls {
                format!("https://{}", origin.host)
            } else {
                format!("http://{}", origin.host)
            };
            let tls = origin.tls.then(|| self.settings.tls.clone()).flatten();
            self.client.connect_to_host(&host, Some(origin.port), tls)?;
            self.connected_origin = Some(origin);
        }
        match self.client.status() {
            Status::Connected => {
                self.send()?;
                Ok(Step::Again)
            }
            Status::Resolving | Status::Connecting => {
                let before = self.client.status();
                self.client.poll()?;
                let after = self.client.status();
                Ok(if after == before && after != Status::Connected {
                    Step::Wait
                } else {
                    Step::Again
                })
            }
            _ => Err(client_failure(&self.client)),
        }
    }

    /// Sends the current hop's request on the connected client.
    fn send(&mut self) -> Result<(), Error> {
        self.apply_deadline();
        let accept_gzip = self.settings.accept_gzip;
        let automatic = self.client.automatic_headers();
        let Some(job) = self.job.as_mut() else {
            return Ok(());
        };
        let has = |name: &str| {
            job.headers.iter().any(|h| {
                h.split(':')
                    .next()
                    .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
            })
        };
        let mut extra: Vec<String> = Vec::new();
        if !has("authorization") {
            extra.extend(
                job.target
                    .basic_authorization()
                    .map(|a| format!("Authorization: {a}")),
            );
        }
        let resuming = job.resume.as_ref().filter(|_| !has("range"));
        if let Some(r) = resuming {
            extra.push(format!("Range: bytes={}-", r.offset));
            if let Some(v) = &r.validator {
                extra.push(format!("If-Range: {v}"));
            }
        }
        // With the automatic headers off the caller spells out every header, this one too.
        // In the browser, Accept-Encoding is the browser's (and it decodes).
        if automatic
            && !cfg!(target_arch = "wasm32")
            && accept_gzip
            && !has("accept-encoding")
            && !has("range")
            && resuming.is_none()
        {
            extra.push(ACCEPT_ENCODING.to_string());
        }
        let lines: Vec<&str> = job
            .headers
            .iter()
            .chain(extra.iter())
            .map(String::as_str)
            .collect();
        let body = RequestBody::from(std::sync::Arc::clone(&job.body));
        // The browser follows redirects itself; it is told not to when none may be.
        #[cfg(target_arch = "wasm32")]
        self.client.set_follow_redirects(
            self.settings.follow_redirects && self.settings.max_redirects != Some(0),
        );
        self.client.request_raw(
            job.method.borrow(),
            job.target.request_target(),
            &lines,
            body,
        )?;
        job.stage = Stage::AwaitHead;
        Ok(())
    }

    fn step_await_head(&mut self) -> Result<Step, Error> {
        let before = self.client.status();
        if before == Status::Requesting {
            if let Err(e) = self.client.poll() {
                return self.retry_or_fail(e);
            }
        }
        match self.client.status() {
            Status::Requesting => Ok(if before == Status::Requesting {
                Step::Wait
            } else {
                Step::Again
            }),
            Status::Body | Status::Connected | Status::Disconnected
                if self.client.has_response() =>
            {
                self.handle_head()
            }
            s if s.is_error() || s == Status::Disconnected => {
                let e = client_failure(&self.client);
                self.retry_or_fail(e)
            }
            _ => Ok(Step::Wait),
        }
    }

    /// A reused connection that the server had closed fails before any response; the
    /// request is sent once more on a new connection, as curl and hyper do.
    fn retry_or_fail(&mut self, e: Error) -> Result<Step, Error> {
        // In the browser, max_redirects 0 is a fetch told not to follow, whose redirect
        // then fails as refused; Godot calls that reaching the limit.
        #[cfg(target_arch = "wasm32")]
        let e = match e.reason() {
            Reason::RedirectRefused { .. }
                if self.settings.follow_redirects && self.settings.max_redirects == Some(0) =>
            {
                Error::new(GodotError::Failed, Reason::RedirectLimit { limit: 0 })
            }
            _ => e,
        };
        let Some(job) = self.job.as_mut() else {
            return Err(e);
        };
        let stale = matches!(
            e.reason(),
            Reason::PeerClosed(_)
                | Reason::Io(_)
                | Reason::Protocol(crate::proto::ProtoError::EmptyReply)
        );
        if job.reused && !job.retried && stale && !self.client.has_response() {
            job.retried = true;
            job.reused = false;
            job.stage = Stage::Connect;
            self.client.close();
            self.connected_origin = None;
            return Ok(Step::Again);
        }
        Err(e)
    }

    /// The head of a response has arrived: a redirect to follow, or the final response.
    fn handle_head(&mut self) -> Result<Step, Error> {
        let allow_downgrade = self.settings.allow_https_downgrade;
        let max = self.settings.max_redirects;
        let follow = self.settings.follow_redirects;
        let Some(job) = self.job.as_mut() else {
            return Ok(Step::Wait);
        };
        job.retried = false;
        let code = self.client.response_code();
        let decision = if !follow {
            Decision::Final
        } else {
            let Some(response) = self.client.response() else {
                return Err(client_failure(&self.client));
            };
            let locations: Vec<String> = response
                .headers()
                .get_all("location")
                .map(|l| l.into_owned())
                .collect();
            redirect::decide(
                code,
                &job.method,
                locations.iter().map(String::as_str),
                &job.target,
                allow_downgrade,
            )
        };
        match decision {
            Decision::Follow(hop) => {
                if max.is_some_and(|m| job.redirects >= m) {
                    let head = ResponseHead::of(&self.client, job.target.display_url());
                    self.set_head(head);
                    return Err(Error::new(
                        GodotError::Failed,
                        Reason::RedirectLimit {
                            limit: max.unwrap_or(0),
                        },
                    ));
                }
                let head = ResponseHead::of(&self.client, job.target.display_url());
                self.redirects.push(head);
                job.stage = Stage::Drain {
                    hop: Some(hop),
                    drained: 0,
                };
                Ok(Step::Again)
            }
            Decision::Refuse(reason) => {
                let head = ResponseHead::of(&self.client, job.target.display_url());
                self.set_head(head);
                Err(Error::new(GodotError::Failed, reason))
            }
            Decision::Final => self.start_final_body(),
        }
    }

    /// Reads away a redirect's body so that its connection can carry the next request.
    fn step_drain(&mut self) -> Result<Step, Error> {
        let mut scratch = [0u8; 8192];
        loop {
            let status = self.client.status();
            let Some(job) = self.job.as_mut() else {
                return Ok(Step::Wait);
            };
            let Stage::Drain { drained, .. } = &mut job.stage else {
                return Ok(Step::Again);
            };
            match status {
                Status::Body if *drained <= MAX_DRAIN => {
                    let n = self.client.read_response_body_into(&mut scratch);
                    match n {
                        Ok(0) if self.client.status() == Status::Body => return Ok(Step::Wait),
                        Ok(n) => *drained += n as u64,
                        // The redirect is followed all the same, on a new connection.
                        Err(_) => self.client.close(),
                    }
                }
                Status::Connected => break,
                _ => {
                    self.client.close();
                    break;
                }
            }
        }
        self.follow()
    }

    /// Moves on to the redirect's target.
    fn follow(&mut self) -> Result<Step, Error> {
        let Some(job) = self.job.as_mut() else {
            return Ok(Step::Wait);
        };
        let Stage::Drain { hop, .. } = std::mem::replace(&mut job.stage, Stage::Connect) else {
            return Ok(Step::Again);
        };
        let Some(hop) = hop else {
            // The same request again, on the same connection when it was kept.
            self.begin_hop();
            return Ok(Step::Again);
        };
        redirect::headers_for_hop(&mut job.headers, &hop);
        if !hop.keep_body {
            job.body = std::sync::Arc::from(&[][..]);
        }
        job.method = hop.method;
        job.target = hop.target;
        job.redirects += 1;
        self.progress.redirects = job.redirects;
        self.final_url = Some(job.target.display_url());
        if self.client.status() != Status::Connected {
            self.client.close();
        }
        self.begin_hop();
        Ok(Step::Again)
    }

    /// The final response: checks its size, prepares its decoder and destination.
    fn start_final_body(&mut self) -> Result<Step, Error> {
        let accept_gzip = self.settings.accept_gzip;
        let limit = self.settings.body_size_limit;
        let chunk = self.settings.download_chunk_size;
        let Some(job) = self.job.as_mut() else {
            return Ok(Step::Wait);
        };
        let code = self.client.response_code();
        // The browser follows redirects out of sight; its response says where it ended.
        #[cfg(target_arch = "wasm32")]
        if self.client.was_redirected() {
            self.final_url = self.client.response_url().map(str::to_string);
        }
        let url = self
            .final_url
            .clone()
            .unwrap_or_else(|| job.target.display_url());
        let head = ResponseHead::of(&self.client, url);
        let mut headers = head.headers.clone();
        let length = u64::try_from(self.client.response_body_length()).ok();
        self.progress.expected_wire = length;
        let mut codings: Vec<String> = Vec::new();
        let (decoder, content_range) = match self.client.response() {
            Some(r) => {
                codings = r
                    .headers()
                    .get_all("content-encoding")
                    .map(|v| v.into_owned())
                    .collect();
                // The browser has decoded the body already: decoding it again is the bug
                // of Godot's web export.
                let decoder = if accept_gzip && !cfg!(target_arch = "wasm32") {
                    ContentDecoder::from_content_encoding(codings.iter().map(String::as_str))
                        .ok()
                        .flatten()
                } else {
                    None
                };
                (
                    decoder,
                    r.headers().get("content-range").map(|v| v.into_owned()),
                )
            }
            None => (None, None),
        };
        // Headers that describe the encoded bytes go when the caller gets decoded ones.
        let decoded = decoder.is_some() || (cfg!(target_arch = "wasm32") && !codings.is_empty());
        if decoded {
            headers.retain(|h| {
                let name = h.split(':').next().unwrap_or("").trim();
                !name.eq_ignore_ascii_case("content-encoding")
                    && !name.eq_ignore_ascii_case("content-length")
            });
        }
        self.delivered_headers = headers;
        self.head = Some(head);
        if let (Some(limit), Some(len)) = (limit, length) {
            if len > limit {
                return Err(Error::new(
                    GodotError::InvalidData,
                    Reason::BodySizeLimit {
                        limit,
                        declared: Some(len),
                    },
                ));
            }
        }
        if let Some(download) = job.download.as_mut() {
            let validator = self.client.response().and_then(|r| validator_of(&r));
            match (&job.resume, code) {
                (Some(resume), 206) => {
                    if content_range_start(content_range.as_deref()) != Some(resume.offset) {
                        download.discard_partial();
                        return Err(Error::new(
                            GodotError::InvalidData,
                            Reason::RangeMismatch {
                                expected_start: resume.offset,
                                content_range: content_range.unwrap_or_default(),
                            },
                        ));
                    }
                    self.progress.resumed_from = resume.offset;
                    download.open(true, validator)?;
                }
                (Some(resume), 416)
                    if content_range_total(content_range.as_deref()) == Some(resume.offset) =>
                {
                    // The kept part is already the whole resource.
                    self.progress.resumed_from = resume.offset;
                    job.pipe = None;
                    job.stage = Stage::Body;
                    return Ok(self.complete());
                }
                (Some(_), 416) => {
                    // The kept part does not fit the resource (it is longer, or the
                    // resource changed): it is dropped and the whole body asked for.
                    download.discard_partial();
                    job.resume = None;
                    job.stage = Stage::Drain {
                        hop: None,
                        drained: 0,
                    };
                    self.head = None;
                    self.delivered_headers.clear();
                    return Ok(Step::Again);
                }
                _ => download.open(false, validator)?,
            }
        }
        job.pipe = Some(BodyPipe::new(decoder, chunk, limit));
        job.stage = Stage::Body;
        Ok(Step::Again)
    }

    fn step_body(&mut self) -> Result<Step, Error> {
        let caller_reads =
            self.settings.stream_body && !self.job.as_ref().is_some_and(|j| j.collect);
        if caller_reads {
            let ended = match self.job.as_ref().and_then(|j| j.pipe.as_ref()) {
                Some(pipe) => pipe.is_finished(),
                None => true,
            };
            if ended {
                return Ok(self.complete());
            }
            // The caller reads; poll() only watches the clock and the failure.
            return Ok(Step::Wait);
        }
        // One buffer per request, not one per poll().
        let chunk = self.settings.download_chunk_size;
        let Some(job) = self.job.as_mut() else {
            return Ok(Step::Wait);
        };
        let mut out = std::mem::take(&mut job.out);
        out.resize(chunk, 0);
        let step = self.pump_body(&mut out);
        if let Some(job) = self.job.as_mut() {
            job.out = out;
        }
        step
    }

    /// Moves what the body has ready into memory or the download file, through `out`.
    fn pump_body(&mut self, out: &mut [u8]) -> Result<Step, Error> {
        loop {
            let Some(job) = self.job.as_mut() else {
                return Ok(Step::Wait);
            };
            let Some(pipe) = job.pipe.as_mut() else {
                return Ok(self.complete());
            };
            let pulled = pipe.pull(&mut self.client, out, &mut self.progress)?;
            if pulled.n > 0 {
                let data = &out[..pulled.n];
                match job.download.as_mut() {
                    Some(d) => d.write(data)?,
                    None => job.collected.extend_from_slice(data),
                }
            }
            if pulled.ended {
                return Ok(self.complete());
            }
            if pulled.n == 0 {
                return Ok(Step::Wait);
            }
        }
    }

    /// Completes the request successfully (the body is all in).
    fn complete(&mut self) -> Step {
        let Some(mut job) = self.job.take() else {
            return Step::Wait;
        };
        if let Some(d) = job.download.take() {
            if let Err(e) = d.finish() {
                self.job = Some(job);
                return Step::Done(Box::new(self.fail(e)));
            }
        }
        if !matches!(self.client.status(), Status::Connected) {
            self.client.close();
            self.connected_origin = None;
        }
        Step::Done(Box::new(Completion {
            result: HttpRequestResult::Success,
            response_code: self.response_code(),
            headers: self.response_headers().to_vec(),
            body: std::mem::take(&mut job.collected),
            error: None,
            final_url: self.final_url.clone().unwrap_or_default(),
            head: self.head.clone(),
            redirects: std::mem::take(&mut self.redirects),
        }))
    }

    /// Keeps `head` as the final response's, its headers delivered as they came.
    fn set_head(&mut self, head: ResponseHead) {
        self.delivered_headers = head.headers.clone();
        self.head = Some(head);
    }

    /// Ends the request with `error`.
    pub(super) fn fail(&mut self, error: Error) -> Completion {
        let status = self.client.status();
        let error = self.explain_timeout(error);
        if let Some(job) = self.job.take() {
            if let Some(d) = job.download {
                d.abandon();
            }
        }
        self.client.close();
        self.connected_origin = None;
        Completion {
            result: HttpRequestResult::of_failure(&error, status),
            response_code: self.response_code(),
            headers: self.response_headers().to_vec(),
            body: Vec::new(),
            error: Some(error),
            final_url: self.final_url.clone().unwrap_or_default(),
            head: self.head.clone(),
            redirects: std::mem::take(&mut self.redirects),
        }
    }

    /// Gives the client the caller's limits, with what is left of the whole-request
    /// timeout as its `total` limit, so that its waits end on time.
    fn apply_deadline(&mut self) {
        let mut timeouts = self.timeouts;
        if let Some(deadline) = self.job.as_ref().and_then(|j| j.deadline) {
            let left = deadline.saturating_duration_since(self.client.now());
            timeouts.total = Some(timeouts.total.map_or(left, |t| t.min(left)));
        }
        self.client.set_timeouts(timeouts);
    }

    fn timeout_error(&self) -> Error {
        Error::new(
            GodotError::Timeout,
            Reason::Timeout {
                phase: TimeoutPhase::Total,
                after: self.settings.timeout.unwrap_or_default(),
            },
        )
    }

    /// The client's `total` limit was set from the request's timeout: its expiry is
    /// the request's timeout.
    fn explain_timeout(&self, error: Error) -> Error {
        let deadline_passed = self
            .job
            .as_ref()
            .and_then(|j| j.deadline)
            .is_some_and(|d| self.client.now() >= d);
        match error.reason() {
            Reason::Timeout {
                phase: TimeoutPhase::Total,
                ..
            } if deadline_passed => self.timeout_error(),
            _ => error,
        }
    }
}

/// The validator that lets a resume ask `If-Range`: a strong ETag, else Last-Modified.
fn validator_of(r: &crate::Response<'_>) -> Option<String> {
    if let Some(etag) = r.headers().get("etag") {
        let etag = etag.trim();
        if etag.starts_with('"') {
            return Some(etag.to_string());
        }
    }
    r.headers()
        .get("last-modified")
        .map(|v| v.trim().to_string())
}

/// The first byte of `Content-Range: bytes N-M/L`.
fn content_range_start(v: Option<&str>) -> Option<u64> {
    let range = v?.trim().strip_prefix("bytes ")?;
    range.split('-').next()?.trim().parse().ok()
}

/// The total of `Content-Range: bytes */L` (or `N-M/L`).
fn content_range_total(v: Option<&str>) -> Option<u64> {
    v?.rsplit('/').next()?.trim().parse().ok()
}
