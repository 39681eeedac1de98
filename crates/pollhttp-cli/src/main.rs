//! `pollhttp`: a curl-style command-line client on pollhttp's poll API, and `pollhttp demo`,
//! the Godot tutorial's poll loop against a built-in server.
#![forbid(unsafe_code)]

/// Writes a line to stderr, ignoring failures: a closed stderr (`pollhttp -v URL 2>&1 |
/// head`) must not turn into a panic.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod args;
mod demo;
mod failure;
mod fetch;
mod output;
mod plan;
mod progress;
mod proxy;
mod strerror;
mod tls;

use args::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse_ordered();
    let quiet = cli.command.is_none() && cli.fetch.silent && !cli.fetch.show_error;
    let result = match &cli.command {
        Some(Command::Demo(demo_args)) => demo::run(demo_args),
        None => fetch::run(&cli.fetch),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !quiet {
                note!("pollhttp: {failure}");
            }
            ExitCode::from(failure.code)
        }
    }
}
