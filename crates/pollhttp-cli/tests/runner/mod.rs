//! Runs the built `pollhttp` binary with a clean environment and a time limit.
//!
//! `POLLHTTP_CLI_EXE` names another build of the binary to run instead, and
//! `POLLHTTP_CLI_RUNNER` a program to start it with: `scripts/wine/test.sh` runs these
//! tests on Linux against the Windows build, through Wine (`scripts/wine/runner.sh`), so
//! that it is compared with Linux's curl.

use std::path::Path;
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

/// Where the tests find curl, the measure of the command line's behaviour.
const CURL: &str = "/usr/bin/curl";

/// The command that starts the binary under test: this build's, or the one named by
/// `POLLHTTP_CLI_EXE` (started by `POLLHTTP_CLI_RUNNER` when set).
fn pollhttp_command() -> Command {
    let Some(exe) = std::env::var_os("POLLHTTP_CLI_EXE") else {
        return Command::new(env!("CARGO_BIN_EXE_pollhttp"));
    };
    match std::env::var_os("POLLHTTP_CLI_RUNNER") {
        Some(runner) => {
            let mut cmd = Command::new(runner);
            cmd.arg(exe);
            cmd
        }
        None => Command::new(exe),
    }
}

/// Runs the binary with `env` as the only TLS and proxy variables.
#[allow(dead_code)]
pub fn pollhttp(args: &[&str], env: &[(&str, &str)]) -> Run {
    pollhttp_with_input(args, env, None)
}

/// Like [`pollhttp`], with `input` on standard input (`None`: none at all).
#[allow(dead_code)]
pub fn pollhttp_with_input(args: &[&str], env: &[(&str, &str)], input: Option<&[u8]>) -> Run {
    run(pollhttp_command(), args, env, input)
}

/// Runs the binary in the directory `dir` (where `-o NAME` and `-O` write).
#[allow(dead_code)]
pub fn pollhttp_in(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = pollhttp_command();
    cmd.current_dir(dir);
    run(cmd, args, &[], None)
}

/// Runs curl in the directory `dir`, as [`curl`] does.
#[allow(dead_code)]
pub fn curl_in(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = curl_command();
    cmd.current_dir(dir);
    run(cmd, args, &[], None)
}

/// Runs curl (Debian's, at /usr/bin/curl) the same way, without reading any `.curlrc`.
///
/// # Panics
/// If curl is not installed: the tests that compare with it must not pass without it
/// (`.ci/run` installs it; by hand, `apt-get install curl`).
#[allow(dead_code)] // not every test file compares with curl
pub fn curl(args: &[&str], env: &[(&str, &str)]) -> Run {
    curl_with_input(args, env, None)
}

/// Like [`curl`], with `input` on standard input (`None`: none at all).
#[allow(dead_code)]
pub fn curl_with_input(args: &[&str], env: &[(&str, &str)], input: Option<&[u8]>) -> Run {
    run(curl_command(), args, env, input)
}

fn curl_command() -> Command {
    assert!(
        Path::new(CURL).is_file(),
        "{CURL} is missing: the comparisons with curl need it (apt-get install curl)"
    );
    let mut cmd = Command::new(CURL);
    // -q first: no .curlrc; --no-progress-meter: stderr carries only curl's messages.
    cmd.args(["-q", "--no-progress-meter"]);
    cmd
}

fn run(mut cmd: Command, args: &[&str], env: &[(&str, &str)], input: Option<&[u8]>) -> Run {
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in CLEARED_VARS {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("start {program}: {e}"));
    if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
        use std::io::Write as _;
        // A client that does not read all of it closes the pipe: not the test's concern.
        let _ = stdin.write_all(bytes);
    }
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out: Output = match rx.recv_timeout(RUN_LIMIT) {
        Ok(out) => out.unwrap_or_else(|e| panic!("wait for {program}: {e}")),
        Err(_) => panic!("{program} {args:?} (pid {pid}) still running after {RUN_LIMIT:?}"),
    };
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
