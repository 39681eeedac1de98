//! `pollhttp URL`: one request driven through the client's poll API.

use crate::args::FetchArgs;
use crate::failure::{code, Failure, Phase};
use crate::output::{format_head, status_line, Output};
use crate::plan::{self, FileSystem, Plan};
use crate::progress::Progress;
use crate::proxy;
use pollhttp::{HttpClient, Method, ProxyConfig, RequestMethod, Status, Timeouts};

/// The size of the one buffer every body read goes into.
const READ_BUFFER: usize = 64 * 1024;

/// Prints status changes and heads to standard error for `-v`.
struct Trace {
    verbose: bool,
    last: Option<Status>,
}

impl Trace {
    fn see(&mut self, status: Status) {
        if self.verbose && self.last != Some(status) {
            note!("* status: {}", status.godot_name());
        }
        self.last = Some(status);
    }

    fn lines(&self, prefix: &str, lines: impl IntoIterator<Item = String>) {
        if self.verbose {
            for l in lines {
                note!("{prefix} {l}");
            }
            note!("{prefix}");
        }
    }
}

/// The failure for a client that has reached an error status (or closed unexpectedly).
fn failure_of(client: &HttpClient, phase: Phase) -> Failure {
    match client.last_error() {
        Some(e) => Failure::from_client(e, phase),
        None => Failure::from_status(client.status(), phase),
    }
}

/// Polls until `done(client)`, sleeping in `wait` between polls; error statuses, an
/// unexpected disconnect and the deadline end it with a failure.
fn drive(
    client: &mut HttpClient,
    trace: &mut Trace,
    phase: Phase,
    done: impl Fn(&HttpClient) -> bool,
) -> Result<Status, Failure> {
    loop {
        let status = client.status();
        trace.see(status);
        if done(client) {
            return Ok(status);
        }
        if status.is_error() || status == Status::Disconnected {
            return Err(failure_of(client, phase));
        }
        if let Err(e) = client.poll() {
            trace.see(client.status());
            return Err(Failure::from_client(&e, phase));
        }
        if !done(client) && !client.status().is_error() {
            client
                .wait(None)
                .map_err(|e| Failure::from_client(&e, phase))?;
        }
    }
}

/// Runs a fetch as the arguments say.
pub fn run(args: &FetchArgs) -> Result<(), Failure> {
    let plan = plan::build(args, &FileSystem)?;
    let mut trace = Trace {
        verbose: args.verbose,
        last: None,
    };
    let mut client = HttpClient::new();
    // The plan spells out every header, in curl's order.
    client.set_automatic_headers(false);
    // --connect-timeout and --max-time are the client's own deadlines: every wait and
    // read inside it ends by them, and an expired one is `Reason::Timeout` (exit 28).
    // 0 means no limit of the caller's, as in curl: no total limit, and the built-in
    // connect limit.
    let nonzero = |d: Option<std::time::Duration>| d.filter(|d| !d.is_zero());
    client.set_timeouts(Timeouts {
        connect_total: nonzero(args.connect_timeout).or(Timeouts::default().connect_total),
        total: nonzero(args.max_time),
        ..Timeouts::default()
    });
    if let Some(max) = args.max_filesize {
        let mut limits = client.limits().clone();
        limits.max_body_bytes = Some(max);
        client.set_limits(limits);
    }
    let proxy = proxy::choose(args, &plan, &|name| std::env::var(name).ok())?;
    let connecting = Phase::Connect {
        proxy: proxy.is_some(),
    };
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
    if let Some(agent) = &args.user_agent {
        // The request carries it as a header; this is for the CONNECT request.
        client
            .set_user_agent(agent)
            .map_err(|e| Failure::from_client(&e, connecting))?;
    }
    if tls {
        client.set_https_proxy_config(proxy.clone());
    } else {
        client.set_http_proxy_config(proxy.clone());
    }
    let tls_options = if tls {
        let opts = crate::tls::options(args)?;
        if args.verbose {
            note!("* TLS: {}", crate::tls::describe(args, &opts));
        }
        Some(opts)
    } else {
        None
    };
    client
        .connect_to_host(&plan.connect_host, Some(plan.port), tls_options)
        .map_err(|e| Failure::from_client(&e, connecting))?;
    drive(&mut client, &mut trace, connecting, |c| {
        c.status() == Status::Connected
    })?;
    if let (true, Some(v)) = (args.verbose, client.tls_version()) {
        note!("* TLS: negotiated {v:?}");
    }

    let forward = proxy.as_ref().filter(|_| !tls);
    send_request(&mut client, &mut trace, &plan, forward)?;
    // A response without body on a connection the server closes (HEAD to an HTTP/1.0
    // server, a 204 with `Connection: close`) ends in DISCONNECTED, complete all the same.
    let status = drive(&mut client, &mut trace, Phase::Request, |c| {
        matches!(c.status(), Status::Body | Status::Connected) || c.is_response_complete()
    })?;
    if !client.has_response() {
        return Err(Failure::from_status(status, Phase::Request));
    }

    let code = client.response_code();
    let headers = client.response_headers();
    trace.lines(
        "<",
        std::iter::once(status_line(&client)).chain(headers.iter().cloned()),
    );
    let failed = args.fail && code >= 400;
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

    let mut out = Output::open(args.output.as_deref())?;
    if show_head {
        out.write(format_head(&status_line(&client), &headers).as_bytes())?;
    }
    // With -f, curl 7.88 still writes the head for -i and -I, then stops before the body.
    if failed {
        out.finish()?;
        return Err(http_error());
    }
    if plan.method() != RequestMethod::Known(Method::Head) {
        let length = u64::try_from(client.response_body_length()).ok();
        let to_file = args
            .output
            .as_deref()
            .is_some_and(|p| p != std::path::Path::new("-"));
        let progress = Progress::new(Progress::wanted(to_file, args.silent), length);
        let copied = copy_body(&mut client, &mut trace, &mut out, &progress);
        match &copied {
            Ok(()) => progress.finish(),
            Err(_) => progress.abandon(),
        }
        copied?;
    }
    out.finish()
}

/// Sends the request; `forward` is the HTTP proxy it goes through, if any, so that `-v`
/// shows the request line and `Proxy-Authorization` the client then writes.
fn send_request(
    client: &mut HttpClient,
    trace: &mut Trace,
    plan: &Plan,
    forward: Option<&ProxyConfig>,
) -> Result<(), Failure> {
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
    trace.lines(
        ">",
        std::iter::once(format!("{} {target} HTTP/1.1", plan.method))
            .chain(plan.headers.iter().cloned())
            .chain(proxy_auth),
    );
    let headers: Vec<&str> = plan.headers.iter().map(String::as_str).collect();
    client
        .request_raw(plan.method(), &plan.target, &headers, &plan.body)
        .map_err(|e| Failure::from_client(&e, Phase::Request))
}

/// Copies the body to `out` through one reusable buffer, waiting on the socket whenever
/// nothing is ready.
fn copy_body(
    client: &mut HttpClient,
    trace: &mut Trace,
    out: &mut Output,
    progress: &Progress,
) -> Result<(), Failure> {
    let mut buf = vec![0u8; READ_BUFFER];
    loop {
        let status = client.status();
        trace.see(status);
        if status.is_error() {
            return Err(failure_of(client, Phase::Body));
        }
        if status != Status::Body {
            return Ok(());
        }
        let n = client
            .read_response_body_into(&mut buf)
            .map_err(|e| Failure::from_client(&e, Phase::Body))?;
        if n > 0 {
            out.write(&buf[..n])?;
            progress.advance(n);
        } else if client.status() == Status::Body {
            client
                .wait(None)
                .map_err(|e| Failure::from_client(&e, Phase::Body))?;
            client
                .poll()
                .map_err(|e| Failure::from_client(&e, Phase::Body))?;
        }
    }
}
