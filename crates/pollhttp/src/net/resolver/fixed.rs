//! Fixed answers: [`StaticResolver`].

use super::{ResolveHandle, Resolver};
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// A [`Resolver`] with fixed answers, given in advance: for tests (a dead address first and
/// a working one second, say), for pinning a name to an address as curl's `--resolve`
/// does, or for a small table of names in front of another resolver.
///
/// Names are compared without regard to ASCII case. An answer is given at once, in the
/// order given. A name without an entry goes to the fallback
/// ([`with_fallback`](StaticResolver::with_fallback)), or fails with
/// [`io::ErrorKind::NotFound`].
///
/// ```
/// use pollhttp::{Resolver, StaticResolver, SystemResolver};
/// use std::net::{IpAddr, SocketAddr};
/// use std::sync::Arc;
///
/// let v6: IpAddr = "2001:db8::1".parse().unwrap();
/// let v4: IpAddr = "192.0.2.1".parse().unwrap();
/// let resolver = StaticResolver::new()
///     .with_ips("example.test", [v6, v4]) // any port
///     .with_port_ips("api.test", 8443, [v4]) // only for port 8443, as curl's --resolve
///     .with_addrs("moved.test", [SocketAddr::new(v4, 9000)]) // its own port, whatever asked
///     .with_fallback(Arc::new(SystemResolver));
///
/// let addrs = resolver.resolve("Example.TEST", 80).poll().unwrap()?;
/// assert_eq!(addrs, vec![SocketAddr::new(v6, 80), SocketAddr::new(v4, 80)]);
/// let addrs = resolver.resolve("moved.test", 80).poll().unwrap()?;
/// assert_eq!(addrs, vec![SocketAddr::new(v4, 9000)]);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct StaticResolver {
    /// By lowercase name: answers for one port, then for any port.
    entries: HashMap<String, Entries>,
    fallback: Option<Arc<dyn Resolver>>,
}

#[derive(Clone, Debug, Default)]
struct Entries {
    by_port: Vec<(u16, Vec<IpAddr>)>,
    any_port: Option<Answer>,
}

#[derive(Clone, Debug)]
enum Answer {
    /// These addresses on the port asked for.
    Ips(Vec<IpAddr>),
    /// These socket addresses as they are.
    Addrs(Vec<SocketAddr>),
}

impl StaticResolver {
    /// A resolver that knows no name yet (and has no fallback).
    pub fn new() -> StaticResolver {
        StaticResolver::default()
    }

    /// Answers `host` with `ips`, in this order, on whatever port is asked for. Replaces an
    /// earlier answer for any port of `host`.
    pub fn with_ips(mut self, host: &str, ips: impl IntoIterator<Item = IpAddr>) -> Self {
        self.entry(host).any_port = Some(Answer::Ips(ips.into_iter().collect()));
        self
    }

    /// Answers `host` with `ips`, in this order, when port `port` is asked for (curl's
    /// `--resolve host:port:addr[,addr]...`); wins over [`with_ips`](Self::with_ips) and
    /// [`with_addrs`](Self::with_addrs) for that port.
    pub fn with_port_ips(
        mut self,
        host: &str,
        port: u16,
        ips: impl IntoIterator<Item = IpAddr>,
    ) -> Self {
        let ips: Vec<IpAddr> = ips.into_iter().collect();
        let entry = self.entry(host);
        entry.by_port.retain(|(p, _)| *p != port);
        entry.by_port.push((port, ips));
        self
    }

    /// Answers `host` with `addrs`, ports included, whatever port is asked for (as curl's
    /// `--connect-to`). Replaces an earlier answer for any port of `host`.
    pub fn with_addrs(mut self, host: &str, addrs: impl IntoIterator<Item = SocketAddr>) -> Self {
        self.entry(host).any_port = Some(Answer::Addrs(addrs.into_iter().collect()));
        self
    }

    /// Asks `fallback` for the names this resolver has no answer for.
    pub fn with_fallback(mut self, fallback: Arc<dyn Resolver>) -> Self {
        self.fallback = Some(fallback);
        self
    }

    fn entry(&mut self, host: &str) -> &mut Entries {
        self.entries.entry(host.to_ascii_lowercase()).or_default()
    }

    /// The fixed answer for `host:port`, if any.
    fn lookup(&self, host: &str, port: u16) -> Option<Vec<SocketAddr>> {
        let entries = self.entries.get(&host.to_ascii_lowercase())?;
        if let Some((_, ips)) = entries.by_port.iter().find(|(p, _)| *p == port) {
            return Some(ips.iter().map(|&ip| SocketAddr::new(ip, port)).collect());
        }
        match entries.any_port.as_ref()? {
            Answer::Ips(ips) => Some(ips.iter().map(|&ip| SocketAddr::new(ip, port)).collect()),
            Answer::Addrs(addrs) => Some(addrs.clone()),
        }
    }
}

impl Resolver for StaticResolver {
    fn resolve(&self, host: &str, port: u16) -> ResolveHandle {
        if let Some(addrs) = self.lookup(host, port) {
            return ResolveHandle::ready(Ok(addrs));
        }
        match &self.fallback {
            Some(fallback) => fallback.resolve(host, port),
            None => ResolveHandle::ready(Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("no fixed answer for host {host}"),
            ))),
        }
    }
}

impl fmt::Debug for StaticResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticResolver")
            .field("entries", &self.entries)
            .field("fallback", &self.fallback.is_some())
            .finish()
    }
}
