//! `pollhttp demo`: the Godot "HTTP client class" tutorial's poll loop, line for line,
//! against the built-in demo server.

use crate::args::DemoArgs;
use crate::failure::{code, Failure, Phase};
use pollhttp::{HttpClient, Method, Status};
use pollhttp_testserver::DemoServer;
use pollhttp_web_demo::{dictionary, string_from_ascii};
use std::io::{self, Write};
use std::thread;
use std::time::Duration;

/// Prints one line of the script's output; a closed or failing standard output ends the run.
macro_rules! say {
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, $($arg)*).map_err(|e| {
            Failure::new(code::WRITE, format!("failure writing to standard output: {e}"))
        })?
    };
}

/// Where the tutorial awaits `process_frame`: one frame at 60 frames per second.
const FRAME: Duration = Duration::from_millis(16);

fn frame() {
    thread::sleep(FRAME);
}

/// The tutorial's `assert(...)` on a status: a failure naming the status and its cause.
fn status_failure(http: &HttpClient, phase: Phase, expected: &str) -> Failure {
    let mut f = match http.last_error() {
        Some(e) => Failure::from_client(e, phase),
        None => Failure::from_status(http.status(), phase),
    };
    f.message = format!("expected {expected}, got {}: {}", http.status(), f.message);
    f
}

/// Runs the tutorial script.
pub fn run(args: &DemoArgs) -> Result<(), Failure> {
    let server = DemoServer::start()
        .map_err(|e| Failure::new(code::FAILED, format!("cannot start the demo server: {e}")))?;

    let mut out = io::stdout().lock();
    let mut http = HttpClient::new(); // Create the client.

    // Connect by name so that the RESOLVING status shows, as with the tutorial's web site.
    http.connect_to_host("localhost", Some(server.port()), None)
        .map_err(|e| Failure::from_client(&e, Phase::Connect { proxy: false }))?;

    // Wait until resolved and connected.
    while matches!(http.status(), Status::Connecting | Status::Resolving) {
        let _ = http.poll();
        say!(out, "Connecting...");
        frame();
    }
    if http.status() != Status::Connected {
        return Err(status_failure(
            &http,
            Phase::Connect { proxy: false },
            "STATUS_CONNECTED",
        ));
    }

    // Some headers.
    let headers = ["User-Agent: Pirulo/1.0 (Godot)", "Accept: */*"];
    http.request(Method::Get, &args.path, &headers, "")
        .map_err(|e| Failure::from_client(&e, Phase::Request))?;

    while http.status() == Status::Requesting {
        // Keep polling for as long as the request is being processed.
        let _ = http.poll();
        say!(out, "Requesting...");
        frame();
    }
    if !matches!(http.status(), Status::Body | Status::Connected) {
        return Err(status_failure(
            &http,
            Phase::Request,
            "STATUS_BODY or STATUS_CONNECTED",
        ));
    }

    say!(out, "response? {}", http.has_response()); // The site might not have a response.

    if http.has_response() {
        let headers = http.response_headers_as_dictionary();
        say!(out, "code: {}", http.response_code());
        // The tutorial's "\\n" is a backslash and an n, printed as such.
        say!(out, "**headers:\\n{}", dictionary(&headers));

        if http.is_response_chunked() {
            say!(out, "Response is Chunked!");
        } else {
            say!(out, "Response Length: {}", http.response_body_length());
        }

        // This method works for both anyway.
        let mut rb: Vec<u8> = Vec::new();
        while http.status() == Status::Body {
            // While there is body left to be read.
            let _ = http.poll();
            let chunk = http.read_response_body_chunk();
            if chunk.is_empty() {
                frame();
            } else {
                rb.extend_from_slice(&chunk);
            }
        }
        if http.status().is_error() {
            return Err(status_failure(&http, Phase::Body, "the whole body"));
        }

        say!(out, "bytes got: {}", rb.len());
        say!(out, "Text: {}", string_from_ascii(&rb));
    }
    Ok(())
}
