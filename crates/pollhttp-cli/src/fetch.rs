//! `pollhttp URL...`: each URL fetched in turn by one [`HttpRequest`], which keeps the
//! connection from one to the next when they share an origin; the body is written to the
//! output as it arrives.

use crate::args::{ContinueAt, FetchArgs, OutputArg};
use crate::failure::{code, Failure, Phase};
use crate::output::{head_text, Output};
use crate::plan::{self, FileSystem, Inputs, Plan};
use crate::progress::Progress;
use crate::proxy;
use pollhttp::{
    AttemptOutcome, Completion, HttpClient, HttpRequest, ProxyConfig, ResponseHead, StaticResolver,
    Status, SystemResolver, Timeouts, TlsOptions,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The size of the one buffer every body read goes into.
const READ_BUFFER: usize = 64 * 1024;

/// How many redirects `-L` follows without `--max-redirs`: curl's default.
const DEFAULT_MAX_REDIRS: i32 = 50;

/// What curl says when a resumed download's answer does not continue the file.
const CANNOT_RESUME: &str = "HTTP server doesn't seem to support byte ranges. Cannot resume.";

/// Prints status changes, heads and redirects to standard error for `-v`.
struct Trace {
    verbose: bool,
    last: Option<Status>,
    /// Whether the negotiated TLS version of the current connection was shown.
    tls_shown: bool,
    /// Redirect heads of the current URL shown so far.
    heads_shown: usize,
    /// Redirects of the current URL announced so far (`Issue another request`).
    hops_shown: usize,
    /// Whether a new connection of the current URL starts with a name lookup (the host,
    /// or the proxy, is a name, not an IP address).
    resolves: bool,
    /// The connect attempts of the current connection shown so far.
    attempts: AttemptsShown,
    /// Connections made so far, for curl's `(#N)`.
    connections: usize,
}

/// Whether `host` (possibly `scheme://host`, an IPv6 address with or without brackets)
/// is a name that must be looked up.
fn is_name(host: &str) -> bool {
    let bare = host.split_once("://").map_or(host, |(_, h)| h);
    bare.trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
        .is_err()
}

/// What `-v` has shown of one connect's attempts.
#[derive(Default)]
struct AttemptsShown {
    /// When the connect's first attempt started, to tell a new connect's list.
    first: Option<Instant>,
    /// Whether the end of each attempt shown (`Trying`) has been shown too.
    ended: Vec<bool>,
}

/// Where a status comes in the client's way through one exchange.
fn rank(status: Status) -> u8 {
    match status {
        Status::Resolving => 1,
        Status::Connecting => 2,
        Status::Connected => 3,
        Status::Requesting => 4,
        Status::Body => 5,
        _ => 0,
    }
}

impl Trace {
    fn new(verbose: bool) -> Trace {
        Trace {
            verbose,
            last: None,
            tls_shown: false,
            heads_shown: 0,
            hops_shown: 0,
            resolves: false,
            attempts: AttemptsShown::default(),
            connections: 0,
        }
    }

    /// Shows the client's status when it changed since the last look, and the connect
    /// attempts' news (as curl does: `Trying`, a failure, `Connected to`) after RESOLVING
    /// and CONNECTING and before the statuses that follow. One `poll()` can pass
    /// RESOLVING, CONNECTING, CONNECTED and REQUESTING on its way (a fast lookup, a
    /// loopback connect); those are named too, as the client never skips them, except
    /// RESOLVING for an IP address. `host` is the name connected to, for `Connected to`.
    fn see(&mut self, http: &HttpRequest, host: &str) {
        let status = http.http_client_status();
        let mut statuses = Vec::new();
        if self.last != Some(status) {
            if matches!(status, Status::Resolving | Status::Connecting) {
                self.tls_shown = false;
            }
            let before = self.last.map_or(0, rank);
            let after = rank(status);
            let lookup = self.resolves.then_some(Status::Resolving);
            let passed_by = [Status::Connecting, Status::Connected, Status::Requesting];
            for passed in lookup.into_iter().chain(passed_by) {
                if before < rank(passed) && after > rank(passed) {
                    statuses.push(passed);
                }
            }
            statuses.push(status);
        }
        if self.verbose {
            let connecting = |s: &&Status| matches!(s, Status::Resolving | Status::Connecting);
            for s in statuses.iter().filter(connecting) {
                note!("* status: {}", s.godot_name());
            }
            self.attempts(http.client(), host);
            for s in statuses.iter().filter(|s| !connecting(s)) {
                note!("* status: {}", s.godot_name());
            }
        }
        self.last = Some(status);
        if let (false, Some(v)) = (self.tls_shown, http.client().tls_version()) {
            if self.verbose {
                note!("* TLS: negotiated {v:?}");
            }
            self.tls_shown = true;
        }
    }

    /// Shows the connect attempts not shown yet, in curl's words.
    fn attempts(&mut self, client: &HttpClient, host: &str) {
        let list = client.connect_attempts();
        let first = list.first().map(|a| a.started);
        if first != self.attempts.first {
            self.attempts = AttemptsShown {
                first,
                ended: Vec::new(),
            };
        }
        for (i, a) in list.iter().enumerate() {
            if i == self.attempts.ended.len() {
                note!("*   Trying {}...", a.addr);
                self.attempts.ended.push(false);
            }
            if self.attempts.ended[i] {
                continue;
            }
            let (ip, port) = (a.addr.ip(), a.addr.port());
            match &a.outcome {
                AttemptOutcome::Pending => continue,
                AttemptOutcome::Connected => {
                    note!(
                        "* Connected to {host} ({ip}) port {port} (#{})",
                        self.connections
                    );
                    self.connections += 1;
                }
                AttemptOutcome::Failed(e) => {
                    note!(
                        "* connect to {ip} port {port} failed: {}",
                        crate::strerror::strerror(e)
                    );
                }
                AttemptOutcome::TimedOut => {
                    note!("* connect to {ip} port {port} failed: Connection timed out");
                }
                // Closed unfinished when another connected first: curl says nothing.
                _ => {}
            }
            self.attempts.ended[i] = true;
        }
    }

    fn lines(&self, prefix: &str, lines: impl IntoIterator<Item = String>) {
        if self.verbose {
            for l in lines {
                note!("{prefix} {l}");
            }
            note!("{prefix}");
        }
    }

    fn head(&self, head: &ResponseHead) {
        self.lines(
            "<",
            std::iter::once(head.status_line()).chain(head.headers.iter().cloned()),
        );
    }

    /// Shows the redirect heads not shown yet, each followed by the URL it leads to once
    /// the redirect is followed: `heads` met so far, `followed` of them followed, the
    /// last one to `current_url`.
    fn redirects(&mut self, heads: &[ResponseHead], followed: usize, current_url: &str) {
        loop {
            if self.heads_shown == self.hops_shown && self.heads_shown < heads.len() {
                self.head(&heads[self.heads_shown]);
                self.heads_shown += 1;
            } else if self.hops_shown < self.heads_shown && self.hops_shown < followed {
                let next = heads
                    .get(self.hops_shown + 1)
                    .map_or(current_url, |h| h.url.as_str());
                if self.verbose {
                    note!("* Issue another request to this URL: '{next}'");
                }
                self.hops_shown += 1;
            } else {
                break;
            }
        }
    }
}

/// Where one URL's output goes.
enum Destination {
    Stdout,
    File(PathBuf),
}

impl Destination {
    fn path(&self) -> Option<&Path> {
        match self {
            Destination::Stdout => None,
            Destination::File(p) => Some(p),
        }
    }
}

/// Prints a failure that does not end the run, as `main` prints the last one.
fn report(args: &FetchArgs, failure: &Failure) {
    if !args.silent || args.show_error {
        note!("pollhttp: {failure}");
    }
}

/// Fetches every URL in turn, as curl does: a failed one is reported and the next one
/// fetched; the run's result is the last URL's. A `-O` without a file name ends the run.
pub fn run(args: &FetchArgs) -> Result<(), Failure> {
    let inputs = Inputs::load(args, &FileSystem)?;
    let mut session = Session::new(args)?;
    let mut last = Ok(());
    for (i, url) in args.urls.iter().enumerate() {
        if let Err(f) = &last {
            report(args, f);
        }
        let destination = match args.outputs_in_order.get(i) {
            None => Destination::Stdout,
            Some(OutputArg::File(p)) if p == Path::new("-") => Destination::Stdout,
            Some(OutputArg::File(p)) => Destination::File(p.clone()),
            Some(OutputArg::RemoteName) => match plan::remote_name(url) {
                Ok(Some(name)) => Destination::File(name.into()),
                Ok(None) => {
                    return Err(Failure::new(
                        code::WRITE,
                        format!(
                            "remote file name has no length: {url} (-O names the file after \
                             the URL's last path segment)"
                        ),
                    ));
                }
                Err(f) => {
                    last = Err(f);
                    continue;
                }
            },
        };
        last = session.fetch(&inputs, url, &destination);
    }
    last
}

/// The request object and what has been set on it, shared by the URLs.
struct Session<'a> {
    args: &'a FetchArgs,
    http: HttpRequest,
    /// The proxies set: for http and for https URLs.
    proxies: (Option<ProxyConfig>, Option<ProxyConfig>),
    /// The TLS options, once made (making them reads files).
    tls: Option<Result<TlsOptions, Failure>>,
    trace: Trace,
}

impl<'a> Session<'a> {
    fn new(args: &'a FetchArgs) -> Result<Session<'a>, Failure> {
        let mut http = HttpRequest::new();
        // The plan spells out every header, in curl's order.
        http.set_automatic_headers(false);
        http.set_stream_body(true);
        http.set_follow_redirects(args.location);
        http.set_max_redirects(args.max_redirs.unwrap_or(DEFAULT_MAX_REDIRS))
            .map_err(|e| Failure::new(code::USAGE, format!("--max-redirs: {e}")))?;
        // curl follows a redirect from https to http.
        http.set_allow_https_downgrade(true);
        // --connect-timeout limits each connection, --max-time each URL's whole transfer
        // (redirects included); an expired one is exit 28. 0 means no limit of the
        // caller's, as in curl: the built-in connect limit, no total limit.
        let nonzero = |d: Option<std::time::Duration>| d.filter(|d| !d.is_zero());
        http.set_timeouts(Timeouts {
            connect_total: nonzero(args.connect_timeout).or(Timeouts::default().connect_total),
            ..Timeouts::default()
        });
        http.set_timeout(nonzero(args.max_time));
        http.set_body_size_limit(args.max_filesize);
        if !args.resolve.is_empty() {
            // --resolve entries first, the system for every other name.
            let fixed = args.resolve.iter().fold(StaticResolver::new(), |r, e| {
                r.with_port_ips(&e.host, e.port, e.addrs.iter().copied())
            });
            http.set_resolver(Arc::new(fixed.with_fallback(Arc::new(SystemResolver))));
        }
        if let Some(agent) = &args.user_agent {
            // Requests carry it as a header; this is for a CONNECT request.
            http.set_user_agent(agent)
                .map_err(|e| Failure::from_client(&e, Phase::Connect { proxy: true }))?;
        }
        Ok(Session {
            args,
            http,
            proxies: (None, None),
            tls: None,
            trace: Trace::new(args.verbose),
        })
    }

    /// The TLS options, made on first use.
    fn tls_options(&mut self) -> &Result<TlsOptions, Failure> {
        let args = self.args;
        self.tls.get_or_insert_with(|| crate::tls::options(args))
    }

    /// Sets the proxies for `plan`'s host (the URL's own scheme's, and the other one's for
    /// a redirect to it); returns the one this URL goes through.
    fn use_proxies(&mut self, plan: &Plan) -> Result<Option<ProxyConfig>, Failure> {
        let env = |name: &str| std::env::var(name).ok();
        let own = proxy::choose(self.args, plan, &env)?;
        let host = plan
            .connect_host
            .split_once("://")
            .map_or(plan.connect_host.as_str(), |(_, h)| h);
        let tls = proxy::is_tls(plan);
        let other_host = if tls {
            format!("http://{host}")
        } else {
            format!("https://{host}")
        };
        // Only a redirect would use it: a bad setting for it is no reason to fail now.
        let other = proxy::choose_for(self.args, &other_host, &env).unwrap_or(None);
        let wanted = if tls {
            (other, own.clone())
        } else {
            (own.clone(), other)
        };
        // Setting a proxy closes the connection: only when it changes.
        if wanted != self.proxies {
            self.http.set_http_proxy(wanted.0.clone());
            self.http.set_https_proxy(wanted.1.clone());
            self.proxies = wanted;
        }
        Ok(own)
    }

    /// Fetches one URL into `destination`.
    fn fetch(
        &mut self,
        inputs: &Inputs,
        url: &str,
        destination: &Destination,
    ) -> Result<(), Failure> {
        let args = self.args;
        let resume_from = match (args.continue_at, destination) {
            (None, _) => None,
            (Some(ContinueAt::Offset(n)), _) => Some(n),
            (Some(ContinueAt::OutputSize), Destination::File(p)) => {
                Some(std::fs::metadata(p).map_or(0, |m| m.len()))
            }
            (Some(ContinueAt::OutputSize), Destination::Stdout) => Some(0),
        }
        .filter(|n| *n > 0);
        let plan = plan::build_for(args, inputs, url, resume_from)?;
        let proxy = self.use_proxies(&plan)?;
        let tls = proxy::is_tls(&plan);
        if let Some(p) = &proxy {
            if args.verbose {
                let how = if tls {
                    "CONNECT tunnel"
                } else {
                    "absolute-form requests"
                };
                note!("* proxy: {p} ({how})");
            }
        }
        if tls || args.location {
            let verbose = args.verbose && tls;
            match self.tls_options() {
                Ok(opts) => {
                    if verbose {
                        note!("* TLS: {}", crate::tls::describe(args, opts));
                    }
                    let opts = opts.clone();
                    self.http.set_tls_options(Some(opts));
                }
                Err(f) if tls => return Err(f.clone()),
                // Reported if a redirect leads to https.
                Err(_) => {}
            }
        }
        // --compressed decodes; the plan says whether Accept-Encoding is sent (`-H
        // 'Accept-Encoding:'` removes it): with the automatic headers off, the library
        // adds none of its own.
        self.http.set_accept_gzip(args.compressed);
        let forward = proxy.as_ref().filter(|_| !tls);
        self.trace_request(&plan, forward);
        let headers: Vec<&str> = plan.headers.iter().map(String::as_str).collect();
        self.http
            .request_raw(&plan.url, &headers, plan.method(), plan.body.clone())
            .map_err(|e| Failure::from_client(&e, Phase::Request))?;
        self.trace.heads_shown = 0;
        self.trace.hops_shown = 0;
        let looked_up = proxy
            .as_ref()
            .map_or(plan.connect_host.as_str(), |p| p.host());
        self.trace.resolves = is_name(looked_up);
        let mut transfer = Transfer {
            args,
            destination,
            resume_from: resume_from.filter(|_| plan.is_get()),
            proxy: proxy.is_some(),
            head_request: plan.method == "HEAD",
            out: None,
            progress: None,
            discard: false,
            started: false,
        };
        let result = self.drive(&mut transfer);
        if result.is_err() || self.http.is_busy() {
            // A failure of the command line's own (a write, -f, a resume refused):
            // the connection cannot carry another request.
            self.http.cancel_request();
        }
        if let Some(p) = &transfer.progress {
            match &result {
                Ok(()) => p.finish(),
                Err(_) => p.abandon(),
            }
        }
        let finished = transfer.out.take().map_or(Ok(()), Output::finish);
        result.and(finished)
    }

    /// Shows the request about to be sent; `forward` is the HTTP proxy it goes through,
    /// if any, so that `-v` shows the request line and `Proxy-Authorization` the client
    /// then writes.
    fn trace_request(&self, plan: &Plan, forward: Option<&ProxyConfig>) {
        if !self.args.verbose {
            return;
        }
        let target = match forward {
            Some(_) => proxy::absolute_target(plan),
            None => plan.target.clone(),
        };
        let user_has_auth = plan.headers.iter().any(|h| {
            h.split_once(':')
                .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case("proxy-authorization"))
        });
        let proxy_auth = forward
            .and_then(ProxyConfig::basic_authorization)
            .filter(|_| !user_has_auth)
            .map(|a| format!("Proxy-Authorization: {a}"));
        self.trace.lines(
            ">",
            std::iter::once(format!("{} {target} HTTP/1.1", plan.method))
                .chain(plan.headers.iter().cloned())
                .chain(proxy_auth),
        );
    }

    /// The name the current connection goes to, for `-v`: the proxy's, or the current
    /// URL's host.
    fn connect_host(&self) -> String {
        let Some(url) = self.http.final_url().and_then(|u| url::Url::parse(u).ok()) else {
            return String::new();
        };
        let proxy = match url.scheme() {
            "https" => &self.proxies.1,
            _ => &self.proxies.0,
        };
        if let Some(p) = proxy {
            return p.host().to_string();
        }
        match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(host) => host.to_string(),
            None => String::new(),
        }
    }

    /// Shows what changed since the last look: the status, redirects met and followed.
    fn look(&mut self) {
        let host = self.connect_host();
        self.trace.see(&self.http, &host);
        let followed = self.http.progress().redirects as usize;
        let current = self.http.final_url().unwrap_or_default().to_string();
        self.trace
            .redirects(self.http.redirects(), followed, &current);
    }

    /// Polls until the request completes, writing the body as it arrives.
    fn drive(&mut self, t: &mut Transfer<'_>) -> Result<(), Failure> {
        let mut buf = vec![0u8; READ_BUFFER];
        loop {
            let mut done = self.http.poll();
            if done.is_none() && t.started {
                self.pump(t, &mut buf)?;
                // The body may be over: the completion comes with the next poll.
                done = self.http.poll();
            }
            if let Some(done) = done {
                return self.complete(t, done);
            }
            self.look();
            if self.tls.as_ref().is_some_and(Result::is_err)
                && self
                    .http
                    .final_url()
                    .is_some_and(|u| u.starts_with("https://"))
            {
                if let Some(Err(f)) = &self.tls {
                    return Err(f.clone());
                }
            }
            if !t.started {
                if let Some(head) = self.http.response_head().cloned() {
                    let redirects = self.http.redirects().to_vec();
                    let wire = self.http.progress().expected_wire;
                    match t.start(&head, &redirects, wire, &self.trace)? {
                        Next::Body => continue,
                        Next::Stop => {
                            self.http.cancel_request();
                            return Ok(());
                        }
                    }
                }
            }
            self.http
                .wait(None)
                .map_err(|e| Failure::from_client(&e, Phase::Body))?;
        }
    }

    /// Moves the body that is ready to the output.
    fn pump(&mut self, t: &mut Transfer<'_>, buf: &mut [u8]) -> Result<(), Failure> {
        loop {
            let n = self.http.read_body(buf);
            if n == 0 {
                return Ok(());
            }
            if !t.discard {
                if let Some(out) = t.out.as_mut() {
                    out.write(&buf[..n])?;
                }
            }
            if let Some(p) = &t.progress {
                p.update(&self.http.progress());
            }
        }
    }

    /// The request is over.
    fn complete(&mut self, t: &mut Transfer<'_>, done: Completion) -> Result<(), Failure> {
        let host = self.connect_host();
        self.trace.see(&self.http, &host);
        self.trace
            .redirects(&done.redirects, done.redirects.len(), &done.final_url);
        if done.is_success() {
            if !t.started {
                // The head and the end came in one poll (a response without a body).
                if let Some(head) = &done.head {
                    let wire = self.http.progress().expected_wire;
                    if let Next::Stop = t.start(head, &done.redirects, wire, &self.trace)? {
                        return Ok(());
                    }
                }
            }
            return Ok(());
        }
        let failure = Failure::from_completion(&done, t.proxy);
        // curl writes the heads it followed, and the one it would not, with -i.
        if let (false, true, Some(head)) = (
            t.started,
            failure.code == code::TOO_MANY_REDIRECTS,
            &done.head,
        ) {
            self.trace.head(head);
            if t.args.include || t.args.head {
                let mut out = Output::open(t.destination.path(), t.resume_from.is_some())?;
                for h in done.redirects.iter().chain(std::iter::once(head)) {
                    out.write(head_text(h).as_bytes())?;
                }
                t.out = Some(out);
            }
        }
        Err(failure)
    }
}

/// What comes after the final head.
enum Next {
    /// Read the body.
    Body,
    /// Nothing more to read: the request is abandoned, successfully.
    Stop,
}

/// One URL's response on its way to the output.
struct Transfer<'a> {
    args: &'a FetchArgs,
    destination: &'a Destination,
    /// The byte a `-C` GET resumes from.
    resume_from: Option<u64>,
    proxy: bool,
    /// A HEAD request: no body to decode.
    head_request: bool,
    out: Option<Output>,
    progress: Option<Progress>,
    /// The body is read but not written (a 416 to a resume: the file is complete).
    discard: bool,
    /// Whether the final head has been dealt with.
    started: bool,
}

impl Transfer<'_> {
    /// The final head is in: -f, -i, the resume checks, then the output is opened.
    /// `redirects` are the heads before it, `wire_length` the body's declared length.
    fn start(
        &mut self,
        head: &ResponseHead,
        redirects: &[ResponseHead],
        wire_length: Option<u64>,
        trace: &Trace,
    ) -> Result<Next, Failure> {
        self.started = true;
        trace.head(head);
        let args = self.args;
        let code = head.code;
        let content_range = head.header("content-range");
        // As curl reads it: a Content-Range without a first byte (`bytes */20`) means the
        // whole resource is coming, and the resume is off.
        let resuming = self
            .resume_from
            .filter(|_| content_range.is_none_or(|v| content_range_start(Some(v)).is_some()));
        // The body of a 416 to a resume is not written (the file is taken as complete),
        // nor is it an error for -f, unless its Content-Range turned the resume off.
        self.discard = self.resume_from.is_some() && code == 416;
        let failed = args.fail && code >= 400 && !(code == 416 && resuming.is_some());
        let show_head = args.include || args.head;
        let http_error = || {
            Failure::new(
                code::HTTP_ERROR,
                format!("the requested URL returned error: {code}"),
            )
        };
        if failed && !show_head {
            return Err(http_error());
        }
        let mut out = Output::open(self.destination.path(), self.resume_from.is_some())?;
        if show_head {
            // With -L, every head of the chain, as curl writes them.
            for h in redirects.iter().chain(std::iter::once(head)) {
                out.write(head_text(h).as_bytes())?;
            }
        }
        self.out = Some(out);
        // With -f, curl 7.88 still writes the head for -i and -I, then stops before the
        // body.
        if failed {
            return Err(http_error());
        }
        if args.compressed && !self.head_request {
            if let Some(coding) = unknown_coding(head) {
                return Err(Failure::new(
                    code::BAD_CONTENT_ENCODING,
                    format!(
                        "unrecognized content encoding type {coding:?}: deflate, gzip, br \
                         and zstd are understood"
                    ),
                ));
            }
        }
        if let (Some(offset), false) = (resuming, self.discard) {
            if content_range_start(content_range) != Some(offset) {
                // An answer as long as the part we have: the file is already complete.
                if wire_length == Some(offset) {
                    if args.verbose {
                        note!("* The entire document is already downloaded");
                    }
                    return Ok(Next::Stop);
                }
                return Err(Failure::new(code::RANGE, CANNOT_RESUME));
            }
        }
        let to_file = self.destination.path().is_some();
        self.progress = Some(Progress::new(
            Progress::wanted(to_file, args.silent),
            wire_length,
        ));
        Ok(Next::Body)
    }
}

/// A coding of the head's `Content-Encoding` that cannot be decoded (curl refuses such a
/// body with `--compressed`; the library would deliver it as sent).
fn unknown_coding(head: &ResponseHead) -> Option<String> {
    const KNOWN: [&str; 6] = ["identity", "gzip", "x-gzip", "deflate", "br", "zstd"];
    head.headers
        .iter()
        .filter_map(|h| h.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("content-encoding"))
        .flat_map(|(_, value)| value.split(','))
        .map(|c| c.trim_matches([' ', '\t']))
        .find(|c| !c.is_empty() && !KNOWN.iter().any(|k| c.eq_ignore_ascii_case(k)))
        .map(str::to_string)
}

/// The first byte of a `Content-Range` value, read as curl reads it: the first number
/// (`bytes 100-199/200`); `None` for `*` or no number.
fn content_range_start(value: Option<&str>) -> Option<u64> {
    let v = value?;
    let from = v.find(|c: char| c.is_ascii_digit() || c == '*')?;
    let digits: String = v[from..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_looked_up_addresses_are_not() {
        for name in ["localhost", "http://example.com", "https://a.b"] {
            assert!(is_name(name), "{name}");
        }
        for addr in [
            "127.0.0.1",
            "http://10.0.0.1",
            "::1",
            "[::1]",
            "https://[fe80::1]",
        ] {
            assert!(!is_name(addr), "{addr}");
        }
    }

    #[test]
    fn unknown_codings() {
        let head = |values: &[&str]| {
            let mut h = ResponseHead::default();
            h.headers = values
                .iter()
                .map(|v| format!("Content-Encoding: {v}"))
                .collect();
            h
        };
        assert_eq!(unknown_coding(&head(&[])), None);
        assert_eq!(unknown_coding(&head(&["GZIP, br", "Identity"])), None);
        assert_eq!(unknown_coding(&head(&["x-gzip,,zstd", "deflate"])), None);
        assert_eq!(
            unknown_coding(&head(&["gzip", " compress "])).as_deref(),
            Some("compress")
        );
    }

    #[test]
    fn content_range_starts() {
        assert_eq!(content_range_start(Some("bytes 100-199/200")), Some(100));
        assert_eq!(content_range_start(Some("bytes: 5-")), Some(5));
        assert_eq!(content_range_start(Some("7-9/10")), Some(7));
        assert_eq!(content_range_start(Some("bytes */200")), None);
        assert_eq!(content_range_start(Some("bytes")), None);
        assert_eq!(content_range_start(None), None);
    }
}
