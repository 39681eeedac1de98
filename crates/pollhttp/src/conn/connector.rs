//! The connect pipeline: resolve, TCP connect, the proxy tunnel (when an HTTPS proxy is
//! used), then (when asked) the TLS handshake.
//!
//! Each stage is polled without blocking; `wait` sleeps on whatever the current stage
//! is waiting for. With a proxy, resolving and TCP go to the proxy; TLS always verifies
//! the origin. The tunnel's protocol is the core's
//! ([`Connection`](pollhttp_proto::Connection)): in that stage the pipeline only lends
//! its stream to the client, which moves the `CONNECT` bytes.

use crate::net::host::Target;
use crate::net::{interleave, AttemptEvent, ConnectPoll, TcpConnect};
use crate::proto::{authority, ConnectStage};
use crate::tls::{TlsHandshake, TlsOptions};
use crate::{
    AttemptOutcome, ConnectAttempt, Endpoint, Error, GodotError, Interest, Reason, ResolveHandle,
    Resolver, Status, StreamPeer,
};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

enum Stage {
    Resolving {
        lookup: ResolveHandle,
        /// The name looked up, for messages.
        host: String,
    },
    Tcp(TcpConnect),
    /// Connected to an HTTPS proxy, waiting for the client to open the tunnel.
    Tunnel(Box<dyn StreamPeer>),
    Tls(Box<TlsHandshake>),
    Finished,
}

/// What one `poll` of the pipeline produced.
pub(crate) enum Progress {
    /// Still working.
    Pending,
    /// The stream is ready for HTTP.
    Ready(Box<dyn StreamPeer>),
    /// Failed: the sticky status to enter and the error to report.
    Failed(Status, Error),
}

/// The proxy a connection goes through.
pub(crate) struct Via {
    /// The proxy's address, resolved and connected to instead of the origin.
    pub(crate) proxy: Target,
    /// The proxy's port.
    pub(crate) port: u16,
    /// An HTTPS proxy: a `CONNECT` tunnel comes before TLS. An HTTP proxy takes requests
    /// in absolute form on the plain connection.
    pub(crate) tunnel: bool,
}

pub(crate) struct Connector {
    stage: Stage,
    /// Name verified by TLS (the origin, also when a proxy is in between).
    tls_name: String,
    /// The origin's `host:port`, for TLS messages.
    display: String,
    /// What TCP connects to, for messages: the origin's `host:port`, or the proxy's.
    tcp_display: String,
    /// Whose name is resolved and whose address connected to.
    endpoint: Endpoint,
    /// A tunnel comes between TCP and TLS.
    tunnel: bool,
    tls: Option<TlsOptions>,
    /// The TCP attempts, once the TCP stage is over.
    attempts: Vec<ConnectAttempt>,
}

impl Connector {
    /// Starts connecting to `target:port`, through `via` when given, asking `resolver`
    /// for a name's addresses (an IP literal needs none), at `now`; never blocks.
    pub(crate) fn start(
        target: &Target,
        port: u16,
        tls: Option<TlsOptions>,
        via: Option<Via>,
        resolver: &dyn Resolver,
        now: Instant,
    ) -> Connector {
        let display = authority(&target.host, port);
        let (tcp_target, tcp_port, tcp_display, endpoint, tunnel) = match via {
            None => (
                target.clone(),
                port,
                display.clone(),
                Endpoint::Origin,
                false,
            ),
            Some(via) => {
                let endpoint = match via.tunnel {
                    true => Endpoint::HttpsProxy,
                    false => Endpoint::HttpProxy,
                };
                let shown = authority(&via.proxy.host, via.port);
                (via.proxy, via.port, shown, endpoint, via.tunnel)
            }
        };
        let stage = match tcp_target.ip {
            Some(ip) => Stage::Tcp(TcpConnect::start(vec![SocketAddr::new(ip, tcp_port)], now)),
            None => Stage::Resolving {
                lookup: resolver.resolve(&tcp_target.host, tcp_port),
                host: tcp_target.host.clone(),
            },
        };
        Connector {
            stage,
            tls_name: target.host.clone(),
            display,
            tcp_display,
            endpoint,
            tunnel,
            tls,
            attempts: Vec::new(),
        }
    }

    /// The current stage, for the core's deadlines.
    pub(crate) fn stage(&self) -> ConnectStage {
        match &self.stage {
            Stage::Resolving { .. } => ConnectStage::Resolving,
            Stage::Tcp(_) => ConnectStage::Tcp,
            Stage::Tunnel(_) => ConnectStage::Tunnel,
            Stage::Tls(_) | Stage::Finished => ConnectStage::Tls,
        }
    }

    /// What happened to the TCP attempts since the last call, for the core.
    pub(crate) fn drain_events(&mut self) -> Option<std::vec::Drain<'_, AttemptEvent>> {
        match &mut self.stage {
            Stage::Tcp(tcp) => Some(tcp.drain_events()),
            _ => None,
        }
    }

    /// The attempt delay passed: starts the next address at `now`, the attempts in
    /// progress going on.
    pub(crate) fn start_next_attempt(&mut self, now: Instant) {
        if let Stage::Tcp(tcp) = &mut self.stage {
            tcp.start_next(now);
        }
    }

    /// Closes TCP attempt number `attempt`, its connect limit expired (`why`); starts the
    /// next address when none is left in progress.
    pub(crate) fn expire_attempt(&mut self, attempt: usize, why: std::io::Error, now: Instant) {
        if let Stage::Tcp(tcp) = &mut self.stage {
            tcp.expire(attempt, why, now);
        }
    }

    /// The TCP attempts so far (all of them once the TCP stage is over).
    pub(crate) fn attempts(&self) -> &[ConnectAttempt] {
        match &self.stage {
            Stage::Tcp(tcp) => tcp.attempts(),
            _ => &self.attempts,
        }
    }

    /// Ends the TCP stage at `now` (the connect ran out of time): the attempts still in
    /// progress are closed and end with `outcome`.
    pub(crate) fn end_attempts(&mut self, now: Instant, outcome: AttemptOutcome) {
        if let Stage::Tcp(tcp) = &mut self.stage {
            self.attempts = tcp.finish(now, outcome);
            self.stage = Stage::Finished;
        }
    }

    /// The list of TCP attempts, taken when the pipeline ends at `now`; attempts still in
    /// progress end with `outcome`.
    pub(crate) fn take_attempts(
        &mut self,
        now: Instant,
        outcome: AttemptOutcome,
    ) -> Vec<ConnectAttempt> {
        match &mut self.stage {
            Stage::Tcp(tcp) => tcp.finish(now, outcome),
            _ => std::mem::take(&mut self.attempts),
        }
    }

    /// The stream to the HTTPS proxy while the tunnel is being opened.
    pub(crate) fn tunnel_stream(&mut self) -> Option<&mut dyn StreamPeer> {
        match &mut self.stage {
            Stage::Tunnel(stream) => Some(stream.as_mut()),
            _ => None,
        }
    }

    /// The proxy opened the tunnel: on to TLS with the origin.
    pub(crate) fn tunnel_open(&mut self) -> Option<Progress> {
        match std::mem::replace(&mut self.stage, Stage::Finished) {
            Stage::Tunnel(stream) => self.start_tls(stream),
            other => {
                self.stage = other;
                None
            }
        }
    }

    /// Advances as far as possible without blocking. In the tunnel stage there is
    /// nothing to do here: the client drives the tunnel over
    /// [`tunnel_stream`](Self::tunnel_stream).
    pub(crate) fn poll(&mut self, now: Instant) -> Progress {
        loop {
            match &mut self.stage {
                Stage::Resolving { lookup, host } => match lookup.poll() {
                    None => return Progress::Pending,
                    Some(Ok(addrs)) if !addrs.is_empty() => {
                        // As Godot does (ST-10), the poll that sees the answer starts the
                        // connect and reports CONNECTING, so that status is always seen.
                        self.stage = Stage::Tcp(TcpConnect::start(interleave(addrs), now));
                        return Progress::Pending;
                    }
                    Some(result) => {
                        let e = result.err().unwrap_or_else(|| {
                            std::io::Error::new(
                                std::io::ErrorKind::NotFound,
                                format!("no addresses found for host {host}"),
                            )
                        });
                        let host = std::mem::take(host);
                        self.stage = Stage::Finished;
                        return Progress::Failed(
                            Status::CantResolve,
                            Error::new(
                                GodotError::CantResolve,
                                Reason::Resolve {
                                    host,
                                    endpoint: self.endpoint,
                                    error: e.into(),
                                },
                            ),
                        );
                    }
                },
                Stage::Tcp(tcp) => match tcp.poll(now) {
                    ConnectPoll::Pending => return Progress::Pending,
                    ConnectPoll::Failed(e) => {
                        self.attempts = tcp.finish(now, AttemptOutcome::Abandoned);
                        self.stage = Stage::Finished;
                        return Progress::Failed(
                            Status::CantConnect,
                            Error::new(
                                GodotError::CantConnect,
                                Reason::Connect {
                                    target: self.tcp_display.clone(),
                                    endpoint: self.endpoint,
                                    error: e.into(),
                                },
                            ),
                        );
                    }
                    ConnectPoll::Connected(stream) => {
                        self.attempts = tcp.finish(now, AttemptOutcome::Abandoned);
                        let stream: Box<dyn StreamPeer> =
                            Box::new(crate::net::TcpPeer::new(stream));
                        if self.tunnel {
                            self.stage = Stage::Tunnel(stream);
                            return Progress::Pending;
                        }
                        if let Some(done) = self.start_tls(stream) {
                            return done;
                        }
                    }
                },
                Stage::Tunnel(_) => return Progress::Pending,
                Stage::Tls(hs) => match hs.poll() {
                    Ok(false) => return Progress::Pending,
                    Ok(true) => {
                        if let Stage::Tls(hs) = std::mem::replace(&mut self.stage, Stage::Finished)
                        {
                            return Progress::Ready(Box::new(hs.into_stream()));
                        }
                    }
                    Err(e) => return self.tls_failed(e),
                },
                Stage::Finished => {
                    return Progress::Failed(
                        Status::CantConnect,
                        Error::new(GodotError::CantConnect, Reason::NotConnected),
                    )
                }
            }
        }
    }

    /// Moves to the TLS stage over `stream` when TLS is wanted (`None`: continue
    /// polling); otherwise the stream is ready as is.
    fn start_tls(&mut self, stream: Box<dyn StreamPeer>) -> Option<Progress> {
        let Some(opts) = &self.tls else {
            self.stage = Stage::Finished;
            return Some(Progress::Ready(stream));
        };
        match TlsHandshake::start(stream, opts, &self.tls_name) {
            Ok(hs) => {
                self.stage = Stage::Tls(Box::new(hs));
                None
            }
            Err(e) => Some(self.tls_failed(e)),
        }
    }

    fn tls_failed(&mut self, e: crate::tls::TlsError) -> Progress {
        self.stage = Stage::Finished;
        Progress::Failed(
            Status::TlsHandshakeError,
            Error::new(
                GodotError::CantConnect,
                Reason::Tls(e.with_server(self.display.clone())),
            ),
        )
    }

    /// Sleeps until the current stage can make progress or `timeout` passes;
    /// `tunnel_interest` is what the tunnel stage waits for.
    pub(crate) fn wait(
        &mut self,
        timeout: Option<Duration>,
        tunnel_interest: Interest,
    ) -> std::io::Result<bool> {
        match &mut self.stage {
            Stage::Resolving { lookup, .. } => {
                // The answer is kept by the handle; the next poll() picks it up.
                Ok(lookup.wait(timeout).is_some())
            }
            Stage::Tcp(tcp) => tcp.wait(timeout),
            Stage::Tunnel(stream) => stream.wait(tunnel_interest, timeout),
            Stage::Tls(hs) => hs.wait(timeout),
            Stage::Finished => Ok(true),
        }
    }

    /// What the current stage waits for on its socket (`None` while resolving);
    /// `tunnel_interest` is what the tunnel stage waits for.
    pub(crate) fn interest(&self, tunnel_interest: Interest) -> Option<Interest> {
        match &self.stage {
            Stage::Resolving { .. } | Stage::Finished => None,
            Stage::Tcp(tcp) => Some(tcp.interest()),
            Stage::Tunnel(_) => Some(tunnel_interest),
            Stage::Tls(hs) => Some(hs.interest()),
        }
    }

    /// The socket of the current stage, for the caller's own poller.
    #[cfg(unix)]
    pub(crate) fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        match &self.stage {
            Stage::Tcp(tcp) => tcp.raw_fd(),
            Stage::Tunnel(stream) => stream.raw_fd(),
            Stage::Tls(hs) => hs.raw_fd(),
            _ => None,
        }
    }

    /// The socket of the current stage, for the caller's own poller (Windows).
    #[cfg(windows)]
    pub(crate) fn raw_socket(&self) -> Option<std::os::windows::io::RawSocket> {
        match &self.stage {
            Stage::Tcp(tcp) => tcp.raw_socket(),
            Stage::Tunnel(stream) => stream.raw_socket(),
            Stage::Tls(hs) => hs.raw_socket(),
            _ => None,
        }
    }

    /// Every socket of the current stage, borrowed, for a [`Poller`](crate::Poller)
    /// (Windows): each TCP attempt in progress (by its number), or the one stream.
    #[cfg(windows)]
    pub(crate) fn for_each_socket(
        &self,
        f: &mut dyn FnMut(crate::client::SocketId, std::os::windows::io::BorrowedSocket<'_>),
    ) {
        let stream = match &self.stage {
            Stage::Tcp(tcp) => return tcp.for_each_socket(f),
            Stage::Tunnel(stream) => stream.socket(),
            Stage::Tls(hs) => hs.socket(),
            _ => None,
        };
        if let Some(s) = stream {
            f(crate::client::SocketId::Stream, s);
        }
    }
}
