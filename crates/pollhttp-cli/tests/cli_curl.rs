//! The measure of the command line is curl itself: the same invocation should put the
//! same bytes on the wire, print the same output and exit with the same code as curl 7.88.
//! Each test runs Debian's /usr/bin/curl and `pollhttp` against one loopback scripted
//! server and compares what it recorded and what they printed. Without curl these tests
//! fail (`.ci/run` installs it).

mod runner;

use pollhttp_testserver::{response, ScriptedServer, Step};
use runner::{curl_with_input, pollhttp_with_input, Run};
use std::path::PathBuf;

/// The same `User-Agent` for both, so that the bytes can match.
const AGENT: [&str; 2] = ["-A", "cmp/1"];

/// What one client did: its run and the request bytes the server recorded.
struct Seen {
    run: Run,
    request: Vec<u8>,
}

/// Runs curl, then pollhttp, each with `args` (where `{URL}` stands for
/// `http://{userinfo}127.0.0.1:PORT/x`) and `input` on standard input, against one server
/// that answers each connection's request with `reply` and closes.
fn both(args: &[&str], userinfo: &str, reply: &[u8], input: Option<&[u8]>) -> (Seen, Seen) {
    let script = vec![Step::ReadHead, Step::Send(reply.to_vec()), Step::Close];
    let server = ScriptedServer::start(vec![script.clone(), script]);
    let url = format!("http://{userinfo}127.0.0.1:{}/x", server.port());
    let argv: Vec<String> = args.iter().map(|a| a.replace("{URL}", &url)).collect();
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let theirs = curl_with_input(&argv, &[], input);
    let ours = pollhttp_with_input(&argv, &[], input);
    // curl ran first: its connection was accepted first.
    let request = |connection: usize, who: &str| {
        let mut reqs = server.connection_requests(connection);
        assert!(reqs.len() <= 1, "{who} sent {} requests", reqs.len());
        reqs.pop().unwrap_or_default()
    };
    let seen = (
        Seen {
            request: request(0, "curl"),
            run: theirs,
        },
        Seen {
            request: request(1, "pollhttp"),
            run: ours,
        },
    );
    let errors = server.errors();
    assert!(errors.is_empty(), "server: {errors:?}");
    seen
}

/// Both clients put the same bytes on the wire, printed the same and exited alike; returns
/// the request.
fn same(args: &[&str], reply: &[u8]) -> String {
    same_with_input(args, reply, None)
}

fn same_with_input(args: &[&str], reply: &[u8], input: Option<&[u8]>) -> String {
    let (curl, ours) = both(args, "", reply, input);
    let show = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert_eq!(
        show(&ours.request),
        show(&curl.request),
        "{args:?}: request bytes (left pollhttp, right curl)"
    );
    assert_eq!(
        (ours.run.code, &ours.run.stdout),
        (curl.run.code, &curl.run.stdout),
        "{args:?}: exit code and output (left pollhttp, right curl); stderr: {} / {}",
        ours.run.stderr,
        curl.run.stderr
    );
    show(&ours.request)
}

fn ok() -> Vec<u8> {
    response(200, &[], b"fine\n")
}

fn with_agent<'a>(args: &[&'a str]) -> Vec<&'a str> {
    AGENT.iter().copied().chain(args.iter().copied()).collect()
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn with(name: &str, contents: &[u8]) -> TempFile {
        let path =
            std::env::temp_dir().join(format!("pollhttp-cli-curl-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("write temporary file");
        TempFile(path)
    }

    fn arg(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.0.display())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn plain_requests_match_curl_byte_for_byte() {
    for args in [
        &["{URL}"][..],
        &["-d", "x=1&y=2", "{URL}"],
        &["--data-binary", "raw", "{URL}"],
        &["-d", "", "{URL}"],
        &["-X", "POST", "{URL}"],
        &["-X", "PUT", "-d", "a", "{URL}"],
        &[
            "-H",
            "Accept: text/plain",
            "-H",
            "X-A: 1",
            "-H",
            "host: other",
            "{URL}",
        ],
        &[
            "-H",
            "X-A: 1",
            "-d",
            "a=1",
            "-H",
            "content-type: text/plain",
            "{URL}",
        ],
        &["-H", "User-Agent: other", "-H", "X: 1", "{URL}"],
    ] {
        same(&with_agent(args), &ok());
    }
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
    same(&with_agent(&["-I", "{URL}"]), head);
    same(&with_agent(&["-i", "{URL}"]), &ok());
    // No -A at all: only the agent's name differs.
    let (curl, ours) = both(&["{URL}"], "", &ok(), None);
    let agent = format!("User-Agent: {}\r\n", pollhttp::USER_AGENT);
    assert_eq!(
        String::from_utf8_lossy(&ours.request).replace(&agent, ""),
        String::from_utf8_lossy(&curl.request).replace("User-Agent: curl/7.88.1\r\n", "")
    );
}

#[test]
fn a_chunked_transfer_encoding_header_sends_the_body_in_chunks() {
    let req = same(
        &with_agent(&["-H", "Transfer-Encoding: chunked", "-d", "abc", "{URL}"]),
        &ok(),
    );
    assert!(req.ends_with("\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), "{req}");
    assert!(!req.contains("Content-Length"), "{req}");
    let req = same(
        &with_agent(&[
            "-H",
            "Transfer-Encoding: chunked",
            "--data-binary",
            "",
            "{URL}",
        ]),
        &ok(),
    );
    assert!(req.ends_with("\r\n\r\n0\r\n\r\n"), "{req}");
}

#[test]
fn data_keeps_the_command_line_order() {
    let req = same(
        &with_agent(&["--data-binary", "B", "-d", "A", "-d", "C", "{URL}"]),
        &ok(),
    );
    assert!(req.ends_with("\r\n\r\nB&A&C"), "{req}");
    let file = TempFile::with("data.txt", b"l1\r\nl2\n");
    let ascii = file.arg("@");
    let req = same(
        &with_agent(&["-d", &ascii, "--data-binary", &ascii, "-d", "z", "{URL}"]),
        &ok(),
    );
    assert!(req.ends_with("\r\n\r\nl1l2&l1\r\nl2\n&z"), "{req}");
}

#[test]
fn fail_with_include_prints_the_head_and_exits_22() {
    let not_found = b"HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\nX-A: b\r\n\r\nnope\n";
    for args in [
        &["-f", "-i", "{URL}"][..],
        &["-f", "-I", "{URL}"],
        &["-f", "{URL}"],
        &["-i", "{URL}"],
        &["-f", "-s", "-i", "{URL}"],
    ] {
        same(&with_agent(args), not_found);
    }
    let (_, ours) = both(&with_agent(&["-f", "-i", "{URL}"]), "", not_found, None);
    assert_eq!(ours.run.code, 22);
    assert_eq!(
        ours.run.stdout,
        "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\nX-A: b\r\n\r\n"
    );
    assert!(
        ours.run.stderr.contains("returned error: 404"),
        "{}",
        ours.run.stderr
    );
}

#[test]
fn any_token_is_a_method() {
    for args in [
        &["-X", "PROPFIND", "{URL}"][..],
        &["-X", "PURGE", "{URL}"],
        &["-X", "propfind", "-H", "Depth: 1", "-d", "<x/>", "{URL}"],
        &["-X", "get", "{URL}"],
    ] {
        same(&with_agent(args), &response(207, &[], b"<multistatus/>\n"));
    }
}

#[test]
fn empty_and_semicolon_headers_follow_curls_rules() {
    let req = same(
        &with_agent(&[
            "-H",
            "Accept:",
            "-H",
            "User-Agent:",
            "-H",
            "Host:",
            "-H",
            "X;",
            "-H",
            "Y:",
            "{URL}",
        ]),
        &ok(),
    );
    assert_eq!(req, "GET /x HTTP/1.1\r\nX:\r\n\r\n");
    same(&with_agent(&["-A", "", "{URL}"]), &ok());
    same(
        &with_agent(&[
            "-H",
            "Content-Type:",
            "-H",
            "X-Empty;",
            "-d",
            "abc",
            "{URL}",
        ]),
        &ok(),
    );
}

#[test]
fn header_files_and_standard_input() {
    let file = TempFile::with(
        "headers.txt",
        b"X-F1: a\r\n\nX-F2: b\n  \nAccept;\nUser-Agent:\n#c: d\nX-F4: last",
    );
    let at = file.arg("@");
    same(
        &with_agent(&["-H", &at, "-H", "X-After: 1", "{URL}"]),
        &ok(),
    );
    same_with_input(
        &with_agent(&["-H", "@-", "{URL}"]),
        &ok(),
        Some(b"X-S: from-stdin\r\nX-T: 2\n"),
    );
}

#[test]
fn credentials_from_the_option_and_the_url() {
    for (args, userinfo) in [
        (&["-u", "user:pa%20ss", "{URL}"][..], ""),
        (&["-u", "a:", "{URL}"], ""),
        (&["{URL}"], "us%40er:p%3Ass@"),
        (&["{URL}"], "user@"),
        (&["{URL}"], ":pw@"),
        (&["-u", "a:b", "{URL}"], "us%40er:p%3Ass@"),
        (
            &["-u", "a:b", "-H", "Authorization: Bearer x", "{URL}"],
            "us%40er:p%3Ass@",
        ),
    ] {
        let args = with_agent(args);
        let (curl, ours) = both(&args, userinfo, &ok(), None);
        assert_eq!(
            String::from_utf8_lossy(&ours.request),
            String::from_utf8_lossy(&curl.request),
            "{args:?} {userinfo}"
        );
        assert_eq!(
            (ours.run.code, &ours.run.stdout),
            (curl.run.code, &curl.run.stdout)
        );
    }
}

#[test]
fn zero_timeouts_mean_no_limit() {
    for args in [
        &["--max-time", "0", "{URL}"][..],
        &["--connect-timeout", "0", "{URL}"],
        &["-m", "0", "--connect-timeout", "0", "{URL}"],
    ] {
        let (_, ours) = both(&with_agent(args), "", &ok(), None);
        assert_eq!(ours.run.code, 0, "{args:?}: {}", ours.run.stderr);
        same(&with_agent(args), &ok());
    }
}
