//! The measure of the command line is curl itself: the same invocation should put the
//! same bytes on the wire, print the same output and exit with the same code as curl 7.88.
//! Each test runs Debian's /usr/bin/curl and `pollhttp` against one loopback scripted
//! server and compares what it recorded and what they printed. Without curl these tests
//! fail (`.ci/run` installs it).

mod runner;

use pollhttp_testserver::{response, BlackHole, ScriptedServer, Step};
use runner::{curl_in, curl_with_input, pollhttp_in, pollhttp_with_input, Run};
use std::net::TcpListener;
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

/// Each client's own working directory, holding the same files at the start.
struct Dirs(PathBuf);

impl Dirs {
    fn new(name: &str, files: &[(&str, &[u8])]) -> Dirs {
        let root =
            std::env::temp_dir().join(format!("pollhttp-cli-curl-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for who in ["curl", "ours"] {
            let dir = root.join(who);
            std::fs::create_dir_all(&dir).expect("create a test directory");
            for (file, contents) in files {
                std::fs::write(dir.join(file), contents).expect("write a test file");
            }
        }
        Dirs(root)
    }

    fn of(&self, who: &str) -> PathBuf {
        self.0.join(who)
    }

    /// Every file in `who`'s directory, with its contents, by name.
    fn files(&self, who: &str) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = std::fs::read_dir(self.of(who))
            .expect("list a test directory")
            .map(|e| {
                let e = e.expect("a directory entry");
                let bytes = std::fs::read(e.path()).unwrap_or_default();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                )
            })
            .collect();
        all.sort();
        all
    }
}

impl Drop for Dirs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What curl and pollhttp did with one command line, each in its own directory.
struct Pair {
    curl: Run,
    ours: Run,
    dirs: Dirs,
}

impl Pair {
    /// Runs curl, then pollhttp, with `args` (after `-A cmp/1`), each in a directory
    /// holding `files`.
    fn run(name: &str, args: &[&str], files: &[(&str, &[u8])]) -> Pair {
        let dirs = Dirs::new(name, files);
        let args = with_agent(args);
        let curl = curl_in(&dirs.of("curl"), &args);
        let ours = pollhttp_in(&dirs.of("ours"), &args);
        Pair { curl, ours, dirs }
    }

    /// Same exit code, standard output and files written.
    fn assert_same_results(&self, what: &str) {
        assert_eq!(
            (self.ours.code, &self.ours.stdout),
            (self.curl.code, &self.curl.stdout),
            "{what}: exit code and output (left pollhttp, right curl); stderr: {} / {}",
            self.ours.stderr,
            self.curl.stderr
        );
        assert_eq!(
            self.dirs.files("ours"),
            self.dirs.files("curl"),
            "{what}: files written (left pollhttp, right curl)"
        );
    }
}

/// One client's connections, in order, each with the requests it carried.
type Connections = Vec<Vec<String>>;

/// The scripts for two clients that each make the connections `each` makes, one after
/// the other: curl's first, then pollhttp's.
fn twice(each: Vec<Vec<Step>>) -> Vec<Vec<Step>> {
    let mut all = each.clone();
    all.extend(each);
    all
}

/// What `server` recorded, split into curl's first `n` connections and pollhttp's next
/// `n`.
fn split(server: &ScriptedServer, n: usize) -> (Connections, Connections) {
    let conn = |i: usize| -> Vec<String> {
        server
            .connection_requests(i)
            .iter()
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .collect()
    };
    ((0..n).map(conn).collect(), (n..2 * n).map(conn).collect())
}

/// Both clients sent the same requests over the same connections.
fn assert_same_requests(server: &ScriptedServer, connections: usize, what: &str) {
    let (curl, ours) = split(server, connections);
    assert_eq!(
        ours, curl,
        "{what}: requests per connection (left pollhttp, right curl)"
    );
    assert_eq!(
        server.connections_accepted(),
        2 * connections,
        "{what}: connections"
    );
}

/// A redirect with this code to `location`, with a small body.
fn redirect(code: u16, location: &str) -> Vec<u8> {
    response(code, &[("Location", location)], b"moved\n")
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

#[test]
fn without_location_a_redirect_is_the_answer() {
    let moved = redirect(302, "/elsewhere");
    same(&with_agent(&["{URL}"]), &moved);
    same(&with_agent(&["-i", "{URL}"]), &moved);
    same(&with_agent(&["-d", "a=1", "{URL}"]), &moved);
}

#[test]
fn location_follows_each_redirect_code_as_curl_does() {
    let done = response(200, &[("X-Final", "1")], b"final\n");
    for code in [301, 302, 303, 307, 308] {
        let mut cases = vec![
            &["-L", "{URL}"][..],
            &["-L", "-d", "a=1", "{URL}"],
            &["-L", "-i", "-d", "a=1", "-H", "X-Kept: 1", "{URL}"],
            &["-L", "-u", "me:pw", "--data-binary", "xyz", "{URL}"],
        ];
        if code != 303 {
            // curl sends the -X method on every request of the chain, also where a 303
            // asks for a GET (pollhttp sends the GET).
            cases.push(&["-L", "-X", "PUT", "{URL}"]);
        }
        if code >= 307 {
            // The body goes again, and what describes it (see
            // a_dropped_body_takes_its_content_headers_along for the others).
            cases.push(&["-L", "-d", "a=1", "-H", "Content-Type: text/x", "{URL}"]);
            cases.push(&[
                "-L",
                "-H",
                "Transfer-Encoding: chunked",
                "-d",
                "abc",
                "{URL}",
            ]);
        }
        for args in cases {
            let server = ScriptedServer::start(twice(vec![vec![
                Step::ReadHead,
                Step::Send(redirect(code, "/next?x=1")),
                Step::ReadHead,
                Step::Send(done.clone()),
                Step::Close,
            ]]));
            let url = format!("http://127.0.0.1:{}/first", server.port());
            let argv: Vec<&str> = args
                .iter()
                .map(|a| if *a == "{URL}" { url.as_str() } else { a })
                .collect();
            let what = format!("{code} {args:?}");
            let pair = Pair::run("follow", &argv, &[]);
            pair.assert_same_results(&what);
            assert_same_requests(&server, 1, &what);
            assert_eq!(pair.ours.code, 0, "{what}: {}", pair.ours.stderr);
        }
        // A HEAD stays a HEAD, 303 included.
        let server = ScriptedServer::start(twice(vec![vec![
            Step::ReadHead,
            Step::Send(
                format!("HTTP/1.1 {code} Moved\r\nLocation: /n\r\nContent-Length: 6\r\n\r\n")
                    .into_bytes(),
            ),
            Step::ReadHead,
            Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n".to_vec()),
            Step::Close,
        ]]));
        let url = format!("http://127.0.0.1:{}/h", server.port());
        let pair = Pair::run("follow-head", &["-L", "-I", &url], &[]);
        pair.assert_same_results(&format!("{code} -I"));
        assert_same_requests(&server, 1, &format!("{code} -I"));
    }
}

/// Where pollhttp parts from curl on purpose: when a redirect turns a POST into a GET
/// without its body, curl 7.88 still sends the -H headers that described the body
/// (`Content-Type`, and `Transfer-Encoding: chunked` with no chunks after it, which leaves
/// the server waiting for them); pollhttp drops them with the body (RFC 9110 section 15.4).
#[test]
fn a_dropped_body_takes_its_content_headers_along() {
    let server = ScriptedServer::start(twice(vec![vec![
        Step::ReadHead,
        Step::Send(redirect(303, "/next")),
        Step::ReadHead,
        Step::Send(response(200, &[], b"final\n")),
        Step::Close,
    ]]));
    let url = format!("http://127.0.0.1:{}/first", server.port());
    let pair = Pair::run(
        "dropped-body",
        &["-L", "-d", "a=1", "-H", "Content-Type: text/x", &url],
        &[],
    );
    pair.assert_same_results("303 -H Content-Type");
    let (curl, ours) = split(&server, 1);
    assert_eq!(ours[0][0], curl[0][0]);
    assert!(
        curl[0][1].contains("\r\nContent-Type: text/x\r\n"),
        "{curl:?}"
    );
    assert_eq!(
        ours[0][1],
        format!(
            "GET /next HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nUser-Agent: cmp/1\r\nAccept: */*\r\n\r\n",
            server.port()
        )
    );
}

#[test]
fn a_chain_of_redirects_writes_every_head_with_include() {
    let server = ScriptedServer::start(twice(vec![vec![
        Step::ReadHead,
        Step::Send(redirect(301, "/b")),
        Step::ReadHead,
        Step::Send(response(302, &[("Location", "c"), ("X-Hop", "2")], b"")),
        Step::ReadHead,
        Step::Send(redirect(303, "/d")),
        Step::ReadHead,
        Step::Send(response(200, &[], b"end\n")),
        Step::Close,
    ]]));
    let url = format!("http://127.0.0.1:{}/a", server.port());
    let pair = Pair::run("chain", &["-i", "-L", "-o", "out", &url], &[]);
    pair.assert_same_results("-i -L -o");
    assert_same_requests(&server, 1, "-i -L -o");
    let out = &pair.dirs.files("ours")[0].1;
    assert_eq!(out.matches("HTTP/1.1 ").count(), 4, "{out}");
    assert!(out.ends_with("\r\n\r\nend\n"), "{out}");
}

#[test]
fn max_redirs_ends_the_chain_with_exit_47() {
    for (args, redirects, requests) in [
        (&["-L", "--max-redirs", "1"][..], 3, 2),
        (&["-L", "--max-redirs", "1", "-i"], 3, 2),
        (&["-L", "--max-redirs", "0", "-i"], 1, 1),
        (&["-L", "--max-redirs", "-1"], 3, 4),
        // curl's default limit is 50.
        (&["-L"], 51, 51),
        (&["-L"], 50, 51),
    ] {
        let mut script = Vec::new();
        for i in 0..requests {
            script.push(Step::ReadHead);
            script.push(Step::Send(if i < redirects {
                redirect(302, &format!("/r{}", i + 1))
            } else {
                response(200, &[], b"end\n")
            }));
        }
        script.push(Step::Close);
        let server = ScriptedServer::start(twice(vec![script]));
        let url = format!("http://127.0.0.1:{}/r0", server.port());
        let mut argv = args.to_vec();
        argv.push(&url);
        let what = format!("{args:?} with {redirects} redirects");
        let pair = Pair::run("max-redirs", &argv, &[]);
        pair.assert_same_results(&what);
        assert_same_requests(&server, 1, &what);
        if redirects > requests - 1 {
            assert_eq!(pair.ours.code, 47, "{what}");
            assert!(
                pair.ours.stderr.contains("redirects followed"),
                "{what}: {}",
                pair.ours.stderr
            );
        }
    }
}

#[test]
fn a_redirect_to_another_origin_drops_credentials_as_curl_does() {
    for (args, userinfo) in [
        (
            &["-L", "-u", "a:b", "-H", "Cookie: c=1", "-H", "X-K: 1"][..],
            "",
        ),
        (&["-L"], "u:p@"),
        (&["-L", "-H", "Host: example.test"], ""),
        (&["-L", "-d", "a=1", "-H", "Authorization: Bearer t"], ""),
    ] {
        let target = ScriptedServer::start(twice(vec![vec![
            Step::ReadHead,
            Step::Send(response(200, &[], b"there\n")),
            Step::Close,
        ]]));
        // Another host name and port: another origin to both. (To the same name on
        // another port curl keeps a -H Host; pollhttp names the new origin.)
        let location = format!("http://localhost:{}/final", target.port());
        let first = ScriptedServer::start(twice(vec![vec![
            Step::ReadHead,
            Step::Send(redirect(302, &location)),
            Step::Close,
        ]]));
        let url = format!("http://{userinfo}127.0.0.1:{}/start", first.port());
        let mut argv = args.to_vec();
        argv.push(&url);
        let what = format!("{args:?} {userinfo}");
        let pair = Pair::run("cross-origin", &argv, &[]);
        pair.assert_same_results(&what);
        assert_same_requests(&first, 1, &what);
        assert_same_requests(&target, 1, &what);
        let (_, ours) = split(&target, 1);
        assert!(!ours[0][0].contains("Authorization"), "{what}: {:?}", ours);
    }
}

/// `data` in the content coding `coding`: gzip, deflate (zlib-wrapped), br or zstd.
fn encode(coding: &str, data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    match coding {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).expect("gzip");
            e.finish().expect("gzip")
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(data).expect("deflate");
            e.finish().expect("deflate")
        }
        "br" => {
            let mut out = Vec::new();
            {
                let mut e = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
                e.write_all(data).expect("br");
            }
            out
        }
        "zstd" => zstd::encode_all(data, 3).expect("zstd"),
        other => panic!("no encoder for {other}"),
    }
}

#[test]
fn compressed_asks_for_curls_codings_and_decodes() {
    let text = b"hello, compressed world\n".repeat(50);
    for coding in ["deflate", "br", "zstd"] {
        let reply = response(200, &[("Content-Encoding", coding)], &encode(coding, &text));
        same(&with_agent(&["--compressed", "{URL}"]), &reply);
    }
    let mut stacked = encode("br", &encode("gzip", &text));
    stacked = encode("zstd", &stacked);
    let reply = response(200, &[("Content-Encoding", "gzip, br, zstd")], &stacked);
    same(&with_agent(&["--compressed", "{URL}"]), &reply);
    let body = encode("gzip", &text);
    let reply = response(200, &[("Content-Encoding", "gzip")], &body);
    for args in [
        &["--compressed", "{URL}"][..],
        &["--compressed", "-i", "{URL}"],
        &["--compressed", "-H", "Accept-Encoding: gzip", "{URL}"],
        &["--compressed", "-d", "x", "-H", "X-A: 1", "{URL}"],
        // Without --compressed, neither asked for nor decoded.
        &["{URL}"],
        &["-H", "Accept-Encoding: gzip", "{URL}"],
    ] {
        same(&with_agent(args), &reply);
    }
    let (_, ours) = both(&with_agent(&["--compressed", "{URL}"]), "", &reply, None);
    assert_eq!(ours.run.stdout.as_bytes(), &text[..]);
    let req = String::from_utf8_lossy(&ours.request).into_owned();
    assert!(
        req.contains("\r\nAccept-Encoding: deflate, gzip, br, zstd\r\n"),
        "{req}"
    );
    // A body that is not what its Content-Encoding says is exit 61 for both.
    let broken = response(
        200,
        &[("Content-Encoding", "gzip")],
        b"\x1f\x8b\x08\x00garbage, not deflate data at all",
    );
    same(&with_agent(&["--compressed", "{URL}"]), &broken);
    let (_, ours) = both(&with_agent(&["--compressed", "{URL}"]), "", &broken, None);
    assert_eq!(ours.run.code, 61, "{}", ours.run.stderr);
    // Nothing asked for: the same bytes on the wire, and a compressed body that comes
    // anyway is decoded by both.
    same(
        &with_agent(&["--compressed", "-H", "Accept-Encoding:", "{URL}"]),
        &ok(),
    );
    same(
        &with_agent(&["--compressed", "-H", "Accept-Encoding:", "{URL}"]),
        &reply,
    );
    // A coding neither knows: curl refuses it (after the head, with -i), without
    // --compressed it is passed on as it came.
    let unknown = response(200, &[("Content-Encoding", "compress")], b"as sent\n");
    for args in [
        &["--compressed", "{URL}"][..],
        &["--compressed", "-i", "{URL}"],
        &["{URL}"],
    ] {
        same(&with_agent(args), &unknown);
    }
}

#[test]
fn continue_at_resumes_the_output_file_as_curl_does() {
    const FULL: &[u8] = b"0123456789abcdefghij";
    let part = |from: usize| {
        response(
            206,
            &[("Content-Range", &format!("bytes {from}-19/20"))],
            &FULL[from..],
        )
    };
    /// What the case is, the file's contents before, the options, the server's answer.
    type Case<'a> = (&'a str, &'a [u8], Vec<&'a str>, Vec<u8>);
    let cases: Vec<Case> = vec![
        ("206 appends", b"01234", vec!["-C", "-"], part(5)),
        ("with -i", b"01234", vec!["-i", "-C", "-"], part(5)),
        ("an offset", b"01234", vec!["-C", "3"], part(3)),
        (
            "no file yet",
            b"",
            vec!["-C", "-"],
            response(200, &[], FULL),
        ),
        (
            "416: complete",
            FULL,
            vec!["-C", "-"],
            response(416, &[("Content-Range", "bytes */20")], b"<p>no</p>"),
        ),
        (
            "416 with -f -i",
            FULL,
            vec!["-f", "-i", "-C", "-"],
            response(416, &[("Content-Range", "bytes */20")], b"<p>no</p>"),
        ),
        (
            "416 without Content-Range, -f",
            b"01234",
            vec!["-f", "-C", "-"],
            response(416, &[], b"no"),
        ),
        (
            "200 with Content-Range */20",
            b"01234",
            vec!["-C", "-"],
            response(200, &[("Content-Range", "bytes */20")], FULL),
        ),
        (
            "200: no ranges",
            b"01234",
            vec!["-C", "-"],
            response(200, &[], FULL),
        ),
        (
            "200 -i: no ranges",
            b"01234",
            vec!["-i", "-C", "-"],
            response(200, &[], FULL),
        ),
        (
            "200 as long as the file",
            FULL,
            vec!["-C", "-"],
            response(200, &[], FULL),
        ),
        (
            "206 elsewhere",
            b"01234",
            vec!["-C", "-"],
            response(206, &[("Content-Range", "bytes 0-19/20")], FULL),
        ),
        (
            "404 with -f",
            b"01234",
            vec!["-f", "-C", "-"],
            response(404, &[], b"gone"),
        ),
    ];
    for (what, initial, args, reply) in cases {
        let server = ScriptedServer::start(twice(vec![vec![
            Step::ReadHead,
            Step::Send(reply),
            Step::Close,
        ]]));
        let url = format!("http://127.0.0.1:{}/f", server.port());
        let files: Vec<(&str, &[u8])> = if initial.is_empty() {
            vec![]
        } else {
            vec![("f", initial)]
        };
        let mut argv = args.clone();
        argv.extend(["-o", "f", &url]);
        let pair = Pair::run("resume", &argv, &files);
        pair.assert_same_results(what);
        assert_same_requests(&server, 1, what);
    }
}

#[test]
fn remote_name_names_the_file_as_curl_does() {
    let server = ScriptedServer::start(twice(vec![vec![
        Step::ReadHead,
        Step::Send(response(200, &[], b"named\n")),
        Step::Close,
    ]]));
    let url = format!("http://127.0.0.1:{}/dir/fi%20le.txt?x=1#top", server.port());
    let pair = Pair::run("remote-name", &["-O", &url], &[]);
    pair.assert_same_results("-O");
    assert_same_requests(&server, 1, "-O");
    assert_eq!(
        pair.dirs.files("ours"),
        [("fi%20le.txt".to_string(), "named\n".to_string())]
    );

    // No name: exit 23 before anything is fetched, and nothing after it either.
    let server = ScriptedServer::start(twice(vec![vec![
        Step::ReadHead,
        Step::Send(response(200, &[], b"first\n")),
        Step::Close,
    ]]));
    let base = format!("http://127.0.0.1:{}", server.port());
    for args in [
        vec!["-O".to_string(), format!("{base}/dir/")],
        vec![
            "-O".to_string(),
            format!("{base}/dir/"),
            format!("{base}/x"),
        ],
    ] {
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let pair = Pair::run("no-name", &argv, &[]);
        pair.assert_same_results(&format!("{args:?}"));
        assert_eq!(pair.ours.code, 23);
    }
    let argv = [
        "-O",
        "-O",
        &format!("{base}/x")[..],
        &format!("{base}/")[..],
    ]
    .map(String::from);
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let pair = Pair::run("no-second-name", &argv, &[]);
    pair.assert_same_results("-O -O x /");
    assert_eq!(pair.ours.code, 23);
    assert_same_requests(&server, 1, "-O -O x /");
}

#[test]
fn several_urls_go_in_turn_over_one_connection() {
    for args in [
        vec!["-o", "one", "{A}", "{B}"],
        vec!["-o", "one", "-o", "two", "{A}", "{B}"],
        vec!["-O", "-o", "x", "{A}", "{B}"],
        vec!["{A}", "-O", "{B}"],
        vec!["-i", "{A}", "{B}"],
        vec!["-d", "p=1", "{A}", "{B}"],
    ] {
        let server = ScriptedServer::start(twice(vec![vec![
            Step::ReadHead,
            Step::Send(response(200, &[("X-N", "1")], b"first\n")),
            Step::ReadHead,
            Step::Send(response(200, &[("X-N", "2")], b"second\n")),
            Step::Close,
        ]]));
        let a = format!("http://127.0.0.1:{}/a", server.port());
        let b = format!("http://127.0.0.1:{}/b", server.port());
        let argv: Vec<&str> = args
            .iter()
            .map(|x| match *x {
                "{A}" => a.as_str(),
                "{B}" => b.as_str(),
                other => other,
            })
            .collect();
        let what = format!("{args:?}");
        let pair = Pair::run("several", &argv, &[]);
        pair.assert_same_results(&what);
        // One connection each, carrying both requests.
        assert_same_requests(&server, 1, &what);
        assert_eq!(split(&server, 1).1[0].len(), 2, "{what}");
    }
}

#[test]
fn a_failed_url_does_not_stop_the_next_one() {
    let dead = format!("http://127.0.0.1:{}/", closed_port());
    for order in [[true, false], [false, true]] {
        let server = ScriptedServer::start(twice(vec![vec![
            Step::ReadHead,
            Step::Send(response(200, &[], b"alive\n")),
            Step::Close,
        ]]));
        let live = format!("http://127.0.0.1:{}/", server.port());
        let argv: Vec<&str> = order
            .iter()
            .map(|d| if *d { dead.as_str() } else { live.as_str() })
            .collect();
        let pair = Pair::run("failed-first", &argv, &[]);
        pair.assert_same_results(&format!("{order:?}"));
        // The run's exit code is the last URL's.
        assert_eq!(pair.ours.code, if order[1] { 7 } else { 0 });
    }
}

/// The `-v` lines about connect attempts (`Trying`, `connect to ... failed`, `Connected
/// to`), which both clients print in the same words.
fn attempt_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| {
            l.starts_with("*   Trying ")
                || l.starts_with("* connect to ")
                || l.starts_with("* Connected to ")
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn connect_attempts_are_shown_as_curl_shows_them() {
    // IPv6 then IPv4 for one name, as a resolver preferring IPv6 answers: curl 7.88 races
    // the families 200 ms apart, pollhttp every address 250 ms apart. First the IPv6
    // address refuses, then it never answers (a full accept queue on [::1], same port).
    let script = vec![Step::ReadHead, Step::Send(ok()), Step::Close];
    for dead in [false, true] {
        let server = ScriptedServer::start(vec![script.clone(), script.clone()]);
        let port = server.port();
        let _hole = dead.then(|| {
            let hole = BlackHole::bind(format!("[::1]:{port}").parse().unwrap())
                .unwrap_or_else(|e| panic!("cannot make an unanswered address on [::1]: {e}"));
            hole.verify().unwrap_or_else(|e| panic!("{e}"));
            hole
        });
        let entry = format!("dual.test:{port}:[::1],127.0.0.1");
        let url = format!("http://dual.test:{port}/x");
        let argv = with_agent(&["-v", "-s", "--resolve", &entry, &url]);
        let theirs = runner::curl(&argv, &[]);
        let ours = runner::pollhttp(&argv, &[]);
        assert_eq!(
            (ours.code, &ours.stdout),
            (theirs.code, &theirs.stdout),
            "dead: {dead}; stderr: {} / {}",
            ours.stderr,
            theirs.stderr
        );
        assert_eq!(
            attempt_lines(&ours.stderr),
            attempt_lines(&theirs.stderr),
            "dead: {dead} (left pollhttp, right curl)"
        );
        let expected_failure = format!("* connect to ::1 port {port} failed: Connection refused");
        assert_eq!(
            attempt_lines(&ours.stderr).contains(&expected_failure),
            !dead,
            "{}",
            ours.stderr
        );
    }
}
