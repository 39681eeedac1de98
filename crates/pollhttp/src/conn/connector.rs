//! The connect pipeline: resolve, TCP connect, the proxy tunnel (when an HTTPS proxy is
//! used), then (when asked) the TLS handshake.
//!
//! Each stage is polled without blocking; `wait` sleeps on whatever the current stage
//! is waiting for. With a proxy, resolving and TCP go to the proxy; TLS always verifies
//! the origin.

use super::tunnel::Tunnel;
use crate::net::host::Target;
use crate::net::{ConnectPoll, Resolve, TcpConnect};
use crate::proto::Limits;
use crate::tls::{TlsHandshake, TlsOptions};
use crate::{Endpoint, Error, GodotError, Interest, Reason, Status, StreamPeer};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

enum Stage {
    Resolving(Resolve),
    Tcp(TcpConnect),
    Tunnel(Box<Tunnel>),
    Tls(Box<TlsHandshake>),
    Finished,
}

/// Where the pipeline is, for the client's deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConnectStage {
    Resolving,
    /// A TCP connect; `attempt` changes whenever the next address is tried.
    Tcp {
        attempt: usize,
    },
    /// Waiting for an HTTPS proxy's answer to `CONNECT`.
    Tunnel,
    Tls,
    Finished,
}

/// The proxy a connection goes through.
pub(crate) struct Via {
    /// The proxy's address, resolved and connected to instead of the origin.
    pub(crate) proxy: Target,
    /// The proxy's port.
    pub(crate) port: u16,
    /// For an HTTPS proxy: the `CONNECT` request and the limits for the reply. `None`
    /// for an HTTP proxy, which takes requests in absolute form on the plain connection.
    pub(crate) tunnel: Option<(Vec<u8>, Limits)>,
}

/// What one `poll` of the pipeline produced.
pub(crate) enum Progress {
    /// Still working; the status to show.
    Pending(Status),
    /// The stream is ready for HTTP.
    Ready(Box<dyn StreamPeer>),
    /// Failed: the sticky status to enter and the error to report.
    Failed(Status, Error),
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
    /// The CONNECT request and limits, until the tunnel stage starts.
    tunnel: Option<(Vec<u8>, Limits)>,
    tls: Option<TlsOptions>,
}

fn authority(target: &Target, port: u16) -> String {
    match target.ip {
        Some(IpAddr::V6(_)) => format!("[{}]:{port}", target.host),
        _ => format!("{}:{port}", target.host),
    }
}

impl Connector {
    /// Starts connecting to `target:port`, through `via` when given; never blocks.
    pub(crate) fn start(
        target: &Target,
        port: u16,
        tls: Option<TlsOptions>,
        via: Option<Via>,
    ) -> Connector {
        let display = authority(target, port);
        let (tcp_target, tcp_port, tcp_display, endpoint, tunnel) = match via {
            None => (
                target.clone(),
                port,
                display.clone(),
                Endpoint::Origin,
                None,
            ),
            Some(via) => {
                let endpoint = match via.tunnel {
                    Some(_) => Endpoint::HttpsProxy,
                    None => Endpoint::HttpProxy,
                };
                let shown = authority(&via.proxy, via.port);
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

    /// Godot's status for the current stage.
    pub(crate) fn status(&self) -> Status {
        match self.stage {
            Stage::Resolving(_) => Status::Resolving,
            _ => Status::Connecting,
        }
    }

    /// A pipeline that connects to `addrs` in turn, without TLS.
    #[cfg(test)]
    pub(crate) fn for_addrs(addrs: Vec<SocketAddr>) -> Connector {
        Connector {
            stage: Stage::Tcp(TcpConnect::start(addrs)),
            tls_name: String::new(),
            display: "test".to_string(),
            tcp_display: "test".to_string(),
            endpoint: Endpoint::Origin,
            tunnel: None,
            tls: None,
        }
    }

    /// The current stage, for the client's deadlines.
    pub(crate) fn stage(&self) -> ConnectStage {
        match &self.stage {
            Stage::Resolving(_) => ConnectStage::Resolving,
            Stage::Tcp(tcp) => ConnectStage::Tcp {
                attempt: tcp.failures().len(),
            },
            Stage::Tunnel(_) => ConnectStage::Tunnel,
            Stage::Tls(_) => ConnectStage::Tls,
            Stage::Finished => ConnectStage::Finished,
        }
    }

    /// Gives up on the TCP attempt in progress (its connect timeout expired), recording
    /// `why`; true when another address is now being tried.
    pub(crate) fn skip_attempt(&mut self, why: std::io::Error) -> bool {
        match &mut self.stage {
            Stage::Tcp(tcp) => {
                tcp.skip_current(why);
                tcp.current_addr().is_some()
            }
            _ => false,
        }
    }

    /// Advances as far as possible without blocking.
    pub(crate) fn poll(&mut self) -> Progress {
        loop {
            match &mut self.stage {
                Stage::Resolving(job) => match job.poll() {
                    None => return Progress::Pending(Status::Resolving),
                    Some(Ok(addrs)) => {
                        // As Godot does (ST-10), the poll that sees the answer starts the
                        // connect and reports CONNECTING, so that status is always seen.
                        self.stage = Stage::Tcp(TcpConnect::start(addrs));
                        return Progress::Pending(Status::Connecting);
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
                    ConnectPoll::Pending => return Progress::Pending(Status::Connecting),
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
                        match self.tunnel.take() {
                            Some((request, limits)) => {
                                self.stage =
                                    Stage::Tunnel(Box::new(Tunnel::start(stream, request, limits)));
                            }
                            None => {
                                if let Some(done) = self.start_tls(stream) {
                                    return done;
                                }
                            }
                        }
                    }
                },
                Stage::Tunnel(tunnel) => match tunnel.poll() {
                    Ok(false) => return Progress::Pending(Status::Connecting),
                    Ok(true) => {
                        if let Stage::Tunnel(tunnel) =
                            std::mem::replace(&mut self.stage, Stage::Finished)
                        {
                            if let Some(done) = self.start_tls(tunnel.into_stream()) {
                                return done;
                            }
                        }
                    }
                    Err(reason) => {
                        self.stage = Stage::Finished;
                        return Progress::Failed(
                            Status::CantConnect,
                            Error::new(GodotError::CantConnect, reason),
                        );
                    }
                },
                Stage::Tls(hs) => match hs.poll() {
                    Ok(false) => return Progress::Pending(Status::Connecting),
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

    /// Sleeps until the current stage can make progress or `timeout` passes.
    pub(crate) fn wait(&mut self, timeout: Option<Duration>) -> std::io::Result<bool> {
        match &mut self.stage {
            Stage::Resolving(job) => {
                // The result is kept by the job; the next poll() picks it up.
                Ok(job.wait(timeout).is_some())
            }
            Stage::Tcp(tcp) => tcp.wait(timeout),
            Stage::Tunnel(tunnel) => tunnel.wait(timeout),
            Stage::Tls(hs) => hs.wait(timeout),
            Stage::Finished => Ok(true),
        }
    }

    /// What the current stage waits for on its socket (`None` while resolving).
    pub(crate) fn interest(&self) -> Option<Interest> {
        match &self.stage {
            Stage::Resolving(_) | Stage::Finished => None,
            Stage::Tcp(_) => Some(Interest::Write),
            Stage::Tunnel(tunnel) => Some(tunnel.interest()),
            Stage::Tls(hs) => Some(hs.interest()),
        }
    }

    /// The socket of the current stage, for the caller's own poller.
    #[cfg(unix)]
    pub(crate) fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        match &self.stage {
            Stage::Tcp(tcp) => tcp.raw_fd(),
            Stage::Tunnel(tunnel) => tunnel.raw_fd(),
            Stage::Tls(hs) => hs.raw_fd(),
            _ => None,
        }
    }
}
