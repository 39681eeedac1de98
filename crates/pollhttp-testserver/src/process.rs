//! The process side of many-connection runs: the descriptor limit, resident memory and
//! the thread's CPU time.

/// Raises this process's soft limit on open descriptors to at least `want` (within the
/// hard limit, which an unprivileged process cannot pass). Returns the limit in force, or
/// why it stays below `want`.
///
/// Windows has no such limit on sockets (a process may hold millions of handles): there
/// this returns `u64::MAX`.
#[cfg(unix)]
pub fn raise_nofile(want: u64) -> Result<u64, String> {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut lim = getrlimit(Resource::Nofile);
    let current = lim.current.unwrap_or(u64::MAX);
    if current >= want {
        return Ok(current);
    }
    let hard = lim.maximum.unwrap_or(u64::MAX);
    if hard < want {
        // Root may raise the hard limit too; anyone else gets the reason.
        let mut higher = lim;
        higher.maximum = Some(want);
        higher.current = Some(want);
        if setrlimit(Resource::Nofile, higher).is_ok() {
            return Ok(want);
        }
        return Err(format!(
            "the descriptor limit is {current} (hard limit {hard}); {want} are needed"
        ));
    }
    lim.current = Some(want);
    setrlimit(Resource::Nofile, lim).map_err(|e| format!("setrlimit(NOFILE, {want}): {e}"))?;
    Ok(want)
}

/// Raises this process's soft limit on open descriptors (see the Unix version): Windows
/// has no such limit on sockets.
#[cfg(not(unix))]
pub fn raise_nofile(_want: u64) -> Result<u64, String> {
    Ok(u64::MAX)
}

/// [`raise_nofile`], failing the test (never skipping it) when the limit stays below
/// `want`.
pub fn require_nofile(want: u64) {
    if let Err(why) = raise_nofile(want) {
        panic!(
            "this test needs {want} open descriptors: {why}. Raise the hard limit \
             (`ulimit -Hn`, or run as root, which may raise it)"
        );
    }
}

/// The process's resident set size in KiB (`VmRSS` in /proc/self/status), on Linux.
///
/// A Windows program reads the same file under Wine, which runs it as a Linux process and
/// shows Linux's files on its `Z:` drive: the figure is then that process's, Wine's own
/// memory included. On Windows itself there is no such file, and this is `None`.
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time used by the calling thread so far (user and system), which a busy shared
/// machine disturbs far less than wall-clock time. `None` on Windows, whose thread times
/// (`GetThreadTimes`) are out of reach without `unsafe` code or another dependency.
#[cfg(unix)]
pub fn thread_cpu() -> Option<std::time::Duration> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Some(std::time::Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
}

/// CPU time used by the calling thread so far: `None` here (see the Unix version).
#[cfg(not(unix))]
pub fn thread_cpu() -> Option<std::time::Duration> {
    None
}
