//! `pollhttp-web-testserver [--site DIR]`: runs a [`DemoServer`] for the browser tests.
//!
//! Prints the server's base URL, `http://127.0.0.1:PORT`, as one line on standard output,
//! then serves until standard input reaches its end (or the program is killed). Ending on
//! end of input means the server cannot outlive the script that started it: when that
//! script exits, for whatever reason, the pipe closes and the server stops.
#![forbid(unsafe_code)]

use pollhttp_testserver::DemoServer;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: pollhttp-web-testserver [--site DIR]";

fn main() -> ExitCode {
    let mut site: Option<PathBuf> = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--site") => match args.next() {
                Some(dir) => site = Some(PathBuf::from(dir)),
                None => return fail("--site needs a folder"),
            },
            Some("-h" | "--help") => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => return fail(&format!("unexpected argument {arg:?}")),
        }
    }
    let started = match site {
        Some(dir) => DemoServer::start_with_site(dir),
        None => DemoServer::start(),
    };
    let server = match started {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot start the demo server: {e}")),
    };
    let mut out = io::stdout().lock();
    if writeln!(out, "{}", server.url(""))
        .and_then(|()| out.flush())
        .is_err()
    {
        return fail("cannot write the URL to standard output");
    }
    // Read to the end; what arrives is of no interest. An error ends the wait as well.
    let mut sink = [0u8; 256];
    while matches!(io::stdin().lock().read(&mut sink), Ok(n) if n > 0) {}
    drop(server);
    ExitCode::SUCCESS
}

fn fail(why: &str) -> ExitCode {
    eprintln!("pollhttp-web-testserver: {why}\n{USAGE}");
    ExitCode::from(2)
}
