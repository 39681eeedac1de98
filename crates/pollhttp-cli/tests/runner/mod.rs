//! Runs the built `pollhttp` binary with a clean environment and a time limit.

use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// No run may take longer than this; a hung binary fails the test instead of hanging it.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// Variables that would change what the binary trusts or where it connects.
const CLEARED_VARS: [&str; 8] = [
    "http_proxy",
    "HTTP_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "no_proxy",
    "NO_PROXY",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// What one run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with `env` as the only TLS and proxy variables.
pub fn pollhttp(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pollhttp"));
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in CLEARED_VARS {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let child = cmd.spawn().expect("start pollhttp");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out: Output = match rx.recv_timeout(RUN_LIMIT) {
        Ok(out) => out.expect("wait for pollhttp"),
        Err(_) => panic!("pollhttp {args:?} (pid {pid}) still running after {RUN_LIMIT:?}"),
    };
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
