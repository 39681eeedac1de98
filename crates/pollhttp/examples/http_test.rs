//! The Godot "HTTP client class" tutorial (`http_test.gd`), ported line by line.
//!
//! `cargo run -p pollhttp --example http_test` fetches a chunked page from an embedded
//! loopback server; `cargo run -p pollhttp --example http_test -- HOST PORT PATH` fetches
//! from elsewhere.

use pollhttp::{HttpClient, Method, QueryValue, Status};
use std::time::Duration;

fn frame() {
    // Stands in for `await get_tree().process_frame`.
    std::thread::sleep(Duration::from_millis(16));
}

fn main() -> Result<(), pollhttp::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let _server; // keeps the embedded server alive for the whole run
    let (host, port, path) = if args.len() >= 3 {
        let port = args[1].parse().expect("PORT must be a number");
        (args[0].clone(), port, args[2].clone())
    } else {
        let server = pollhttp_testserver::DemoServer::start().expect("start demo server");
        let port = server.port();
        _server = server;
        ("localhost".to_string(), port, "/chunked".to_string())
    };

    let mut http = HttpClient::new(); // Create the Client.
    let err = http.connect_to_host(&host, Some(port), None); // Connect to host/port.
    assert!(err.is_ok()); // Make sure connection is OK.

    // Wait until resolved and connected.
    while http.status() == Status::Connecting || http.status() == Status::Resolving {
        let _ = http.poll();
        println!("Connecting...");
        frame();
    }

    assert_eq!(http.status(), Status::Connected); // Check if the connection was made successfully.

    // Some headers
    let headers = ["User-Agent: Pirulo/1.0 (Godot)", "Accept: */*"];

    let err = http.request(Method::Get, &path, &headers, ""); // Request a page from the site (this one was chunked..)
    assert!(err.is_ok()); // Make sure all is OK.

    while http.status() == Status::Requesting {
        // Keep polling for as long as the request is being processed.
        let _ = http.poll();
        println!("Requesting...");
        frame();
    }

    assert!(http.status() == Status::Body || http.status() == Status::Connected); // Make sure request finished well.

    println!("response? {}", http.has_response()); // Site might not have a response.

    if http.has_response() {
        // If there is a response...
        let headers = http.response_headers_as_dictionary(); // Get response headers.
        println!("code: {}", http.response_code()); // Show response code.
        println!("**headers:\\n{}", godot_dictionary(&headers)); // Show headers.

        // Getting the HTTP Body
        if http.is_response_chunked() {
            // Does it use chunks?
            println!("Response is Chunked!");
        } else {
            // Or just plain Content-Length
            let bl = http.response_body_length();
            println!("Response Length: {bl}");
        }

        // This method works for both anyway
        let mut rb = Vec::new(); // Array that will hold the data.

        while http.status() == Status::Body {
            // While there is body left to be read
            let _ = http.poll();
            // Get a chunk.
            let chunk = http.read_response_body_chunk();
            if chunk.is_empty() {
                frame();
            } else {
                rb.extend_from_slice(&chunk); // Append to read buffer.
            }
        }
        // Done!

        println!("bytes got: {}", rb.len());
        let text = String::from_utf8_lossy(&rb);
        println!("Text: {text}");
    }
    Ok(())
}

/// Formats header pairs the way Godot 4 prints a Dictionary.
fn godot_dictionary(pairs: &[(String, String)]) -> String {
    let dict = pairs
        .iter()
        .map(|(k, v)| (k.clone(), QueryValue::from(v.as_str())))
        .collect();
    QueryValue::Dict(dict).to_string()
}
