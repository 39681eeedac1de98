//! The connect pipeline: resolve, TCP connect, then (when asked) the TLS handshake.
//!
//! Each stage is polled without blocking; `wait` sleeps on whatever the current stage
//! is waiting for. A proxy tunnel fits between TCP and TLS as one more stage.

use crate::host::Target;
use crate::net::{ConnectPoll, Resolve, TcpConnect};
use crate::tls::{TlsHandshake, TlsOptions};
use crate::{Error, GodotError, Interest, Reason, Status, StreamPeer};
use std::net::SocketAddr;
use std::time::Duration;

enum Stage {
    Resolving(Resolve),
    Tcp(TcpConnect),
    Tls(Box<TlsHandshake>),
    Finished,
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
    /// `host:port` for messages.
    display: String,
    tls: Option<TlsOptions>,
}

impl Connector {
    /// Starts connecting to `target:port`; never blocks.
    pub(crate) fn start(target: &Target, port: u16, tls: Option<TlsOptions>) -> Connector {
        let display = match target.ip {
            Some(std::net::IpAddr::V6(_)) => format!("[{}]:{port}", target.host),
            _ => format!("{}:{port}", target.host),
        };
        let stage = match target.ip {
            Some(ip) => Stage::Tcp(TcpConnect::start(vec![SocketAddr::new(ip, port)])),
            None => Stage::Resolving(Resolve::start(&target.host, port)),
        };
        Connector {
            stage,
            tls_name: target.host.clone(),
            display,
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

    /// Advances as far as possible without blocking.
    pub(crate) fn poll(&mut self) -> Progress {
        loop {
            match &mut self.stage {
                Stage::Resolving(job) => match job.poll() {
                    None => return Progress::Pending(Status::Resolving),
                    Some(Ok(addrs)) => self.stage = Stage::Tcp(TcpConnect::start(addrs)),
                    Some(Err(e)) => {
                        let host = job.host().to_string();
                        self.stage = Stage::Finished;
                        return Progress::Failed(
                            Status::CantResolve,
                            Error::new(
                                GodotError::CantResolve,
                                Reason::Resolve {
                                    host,
                                    detail: e.to_string(),
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
                                    target: self.display.clone(),
                                    detail: e.to_string(),
                                },
                            ),
                        );
                    }
                    ConnectPoll::Connected(stream) => {
                        let stream: Box<dyn StreamPeer> = Box::new(stream);
                        match &self.tls {
                            None => {
                                self.stage = Stage::Finished;
                                return Progress::Ready(stream);
                            }
                            Some(opts) => match TlsHandshake::start(stream, opts, &self.tls_name) {
                                Ok(hs) => self.stage = Stage::Tls(Box::new(hs)),
                                Err(e) => return self.tls_failed(e),
                            },
                        }
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

    fn tls_failed(&mut self, e: crate::tls::TlsError) -> Progress {
        self.stage = Stage::Finished;
        Progress::Failed(
            Status::TlsHandshakeError,
            Error::new(
                GodotError::CantConnect,
                Reason::Tls(crate::tls::TlsError::new(
                    e.kind(),
                    format!("{} ({})", e.detail(), self.display),
                )),
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
            Stage::Tls(hs) => hs.wait(timeout),
            Stage::Finished => Ok(true),
        }
    }

    /// What the current stage waits for on its socket (`None` while resolving).
    pub(crate) fn interest(&self) -> Option<Interest> {
        match &self.stage {
            Stage::Resolving(_) | Stage::Finished => None,
            Stage::Tcp(_) => Some(Interest::Write),
            Stage::Tls(hs) => Some(hs.interest()),
        }
    }

    /// The socket of the current stage, for the caller's own poller.
    #[cfg(unix)]
    pub(crate) fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        match &self.stage {
            Stage::Tcp(tcp) => tcp.raw_fd(),
            Stage::Tls(hs) => hs.raw_fd(),
            _ => None,
        }
    }
}
