//! [`Tutorial`]: the tutorial script's poll loop as a state machine, one frame per call.

use crate::godot_fmt::{dictionary, string_from_ascii};
use pollhttp::{HttpClient, Method, Status};

/// The headers the tutorial sends with its request.
pub const TUTORIAL_HEADERS: [&str; 2] = ["User-Agent: Pirulo/1.0 (Godot)", "Accept: */*"];

/// What [`Tutorial::frame`] left the script at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Waiting for the next frame.
    Running,
    /// The script ran to its end.
    Done,
    /// The script stopped where the tutorial asserts (a status it did not expect, or a
    /// call refused); the text says which.
    Failed(String),
}

/// Where the script is: each state but `Start` and `Finished` is one of the script's
/// `while` loops, entered again at its condition on the next frame.
#[derive(Debug)]
enum Step {
    Start,
    Connecting,
    Requesting,
    Body,
    Finished(Progress),
}

/// The tutorial's script: connect, request, print the response's code and headers, read
/// the body and print it. One [`frame`](Tutorial::frame) runs it to its next
/// `await process_frame`; [`lines`](Tutorial::lines) holds what it printed so far.
///
/// The lines are the ones `pollhttp demo` prints: `Connecting...` and `Requesting...`
/// once per frame spent in those loops, `response? true`, `code: 200`,
/// `**headers:\n{ ... }` (a backslash and an `n`, as the script has it), `Response is
/// Chunked!` or `Response Length: N`, `bytes got: N` and `Text: ...`.
pub struct Tutorial {
    http: HttpClient,
    host: String,
    port: u16,
    path: String,
    step: Step,
    lines: Vec<String>,
    body: Vec<u8>,
}

impl Tutorial {
    /// A script that will fetch `path` (such as `/chunked`) from `host:port` over plain
    /// HTTP. Nothing happens before the first [`frame`](Tutorial::frame).
    pub fn new(host: &str, port: u16, path: &str) -> Tutorial {
        Tutorial {
            http: HttpClient::new(),
            host: host.to_string(),
            port,
            path: path.to_string(),
            step: Step::Start,
            lines: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Every line the script has printed, oldest first.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Runs the script until it awaits the next frame or ends. Once it has ended, each
    /// call answers the same [`Progress`] and does nothing.
    pub fn frame(&mut self) -> Progress {
        loop {
            match &self.step {
                Step::Finished(p) => return p.clone(),
                Step::Start => self.connect(),
                Step::Connecting => {
                    // Wait until resolved and connected.
                    if matches!(self.http.status(), Status::Connecting | Status::Resolving) {
                        let _ = self.http.poll();
                        self.say("Connecting...".to_string());
                        return Progress::Running;
                    }
                    self.request();
                }
                Step::Requesting => {
                    // Keep polling for as long as the request is being processed.
                    if self.http.status() == Status::Requesting {
                        let _ = self.http.poll();
                        self.say("Requesting...".to_string());
                        return Progress::Running;
                    }
                    self.response();
                }
                Step::Body => {
                    // While there is body left to be read.
                    while self.http.status() == Status::Body {
                        let _ = self.http.poll();
                        let chunk = self.http.read_response_body_chunk();
                        if chunk.is_empty() {
                            return Progress::Running;
                        }
                        self.body.extend_from_slice(&chunk);
                    }
                    self.text();
                }
            }
        }
    }

    fn say(&mut self, line: String) {
        self.lines.push(line);
    }

    fn fail(&mut self, why: String) {
        self.step = Step::Finished(Progress::Failed(why));
    }

    /// The tutorial's `assert` on a status.
    fn unexpected(&mut self, expected: &str) {
        let why = format!("expected {expected}, got {}", self.http.status());
        self.fail(why);
    }

    fn connect(&mut self) {
        match self.http.connect_to_host(&self.host, Some(self.port), None) {
            Ok(()) => self.step = Step::Connecting,
            Err(e) => self.fail(format!("connect_to_host: {e}")),
        }
    }

    fn request(&mut self) {
        if self.http.status() != Status::Connected {
            return self.unexpected("STATUS_CONNECTED");
        }
        match self
            .http
            .request(Method::Get, &self.path, &TUTORIAL_HEADERS, "")
        {
            Ok(()) => self.step = Step::Requesting,
            Err(e) => self.fail(format!("request: {e}")),
        }
    }

    fn response(&mut self) {
        if !matches!(self.http.status(), Status::Body | Status::Connected) {
            return self.unexpected("STATUS_BODY or STATUS_CONNECTED");
        }
        // The site might not have a response.
        self.say(format!("response? {}", self.http.has_response()));
        if !self.http.has_response() {
            self.step = Step::Finished(Progress::Done);
            return;
        }
        let headers = self.http.response_headers_as_dictionary();
        self.say(format!("code: {}", self.http.response_code()));
        // The tutorial's "\\n" is a backslash and an n, printed as such.
        self.say(format!("**headers:\\n{}", dictionary(&headers)));
        if self.http.is_response_chunked() {
            self.say("Response is Chunked!".to_string());
        } else {
            let length = self.http.response_body_length();
            self.say(format!("Response Length: {length}"));
        }
        self.step = Step::Body;
    }

    fn text(&mut self) {
        if self.http.status().is_error() {
            return self.unexpected("the whole body");
        }
        self.say(format!("bytes got: {}", self.body.len()));
        let text = string_from_ascii(&self.body);
        self.say(format!("Text: {text}"));
        self.step = Step::Finished(Progress::Done);
    }
}
