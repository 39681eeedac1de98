//! The connect pipeline: resolve, TCP connect, the proxy tunnel (when an HTTPS proxy is
//! used), then (when asked) the TLS handshake.
//!
//! Each stage is polled without blocking; `wait` sleeps on whatever the current stage
//! is waiting for. With a proxy, resolving and TCP go to the proxy; TLS always verifies
//! the origin. The tunnel's protocol is the core's
//! ([`Connection`](pollhttp_proto::Connection)): in that stage the pipeline only lends
//! its stream to the client, which moves the `CONNECT` bytes.

use crate::net::host::Target;
use crate::net::{ConnectPoll, Resolve, TcpConnect};
use crate::proto::{authority, ConnectStage};
use crate::tls::{TlsHandshake, TlsOptions};
use crate::{Endpoint, Error, GodotError, Interest, Reason, Status, StreamPeer};
use std::net::SocketAddr;
use std::time::Duration;

enum Stage {
    Resolving(Resolve),
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
}

impl Connector {
    /// Starts connecting to `target:port`, through `via` when given; never blocks.
    pub(crate) fn start(
        target: &Target,
        port: u16,
        tls: Option<TlsOptions>,
        via: Option<Via>,
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
            Some(ip) => Stage::Tcp(TcpConnect::start(vec![SocketAddr::new(ip, tcp_port)])),
            None => Stage::Resolving(Resolve::start(&tcp_target.host, tcp_port)),
        };
        Connector {
            stage,
            tls_name: target.host.clone(),
            display,
            tcp_display,
            endpoint,
            tunnel,
            tls,
        }
    }

    /// The current stage, for the core's deadlines.
    pub(crate) fn stage(&self) -> ConnectStage {
        match &self.stage {
            Stage::Resolving(_) => ConnectStage::Resolving,
            Stage::Tcp(tcp) => ConnectStage::Tcp {
                attempt: tcp.failures().len(),
                last: !tcp.has_more(),
            },
            Stage::Tunnel(_) => ConnectStage::Tunnel,
            Stage::Tls(_) | Stage::Finished => ConnectStage::Tls,
        }
    }

    /// Gives up on the TCP attempt in progress (its connect timeout expired), recording
    /// `why`, and starts the next address.
    pub(crate) fn skip_attempt(&mut self, why: std::io::Error) {
        if let Stage::Tcp(tcp) = &mut self.stage {
            tcp.skip_current(why);
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
    pub(crate) fn poll(&mut self) -> Progress {
        loop {
            match &mut self.stage {
                Stage::Resolving(job) => match job.poll() {
                    None => return Progress::Pending,
                    Some(Ok(addrs)) => {
                        // As Godot does (ST-10), the poll that sees the answer starts the
                        // connect and reports CONNECTING, so that status is always seen.
                        self.stage = Stage::Tcp(TcpConnect::start(addrs));
                        return Progress::Pending;
                    }
                    Some(Err(e)) => {
                        let host = job.host().to_string();
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
                Stage::Tcp(tcp) => match tcp.poll() {
                    ConnectPoll::Pending => return Progress::Pending,
                    ConnectPoll::Failed(e) => {
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
            Stage::Resolving(job) => {
                // The result is kept by the job; the next poll() picks it up.
                Ok(job.wait(timeout).is_some())
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
            Stage::Resolving(_) | Stage::Finished => None,
            Stage::Tcp(_) => Some(Interest::Write),
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
}
