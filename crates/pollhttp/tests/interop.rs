//! pollhttp against a real nginx on 127.0.0.1. Ignored by default: `scripts/interop.sh`
//! makes the certificates, starts nginx and runs these with `--ignored`, passing the
//! ports and paths in `POLLHTTP_INTEROP_*` variables.
//!
//! The vhosts: plain HTTP; TLS 1.2 only with an RSA leaf; TLS 1.3 only with an ECDSA leaf
//! (both sending leaf + intermediate); a leaf for another name; a leaf sent without its
//! intermediate; a leaf that the intermediate's revocation list revokes; one that asks for
//! a client certificate. Every vhost serves the same files and adds `X-Tls-Protocol`
//! (`$ssl_protocol`), `X-Conn` (`$connection`) and `X-Conn-Requests`
//! (`$connection_requests`).

mod tls_support;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use pollhttp::tls::TlsHandshake;
use pollhttp::{
    Certificates, Completion, HttpClient, HttpRequest, HttpRequestResult, Method, PrivateKey,
    Progress, Reason, RevocationLists, Status, TlsErrorKind, TlsOptions, TlsVersion,
};
use tls_support::{body_by_chunks, body_into, connect, connected, get, header, send, LIMIT};

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run scripts/interop.sh, which starts nginx and runs these tests")
    })
}

fn port(which: &str) -> u16 {
    let name = format!("POLLHTTP_INTEROP_{which}_PORT");
    let value = var(&name);
    value
        .parse()
        .unwrap_or_else(|_| panic!("{name}={value:?} is not a port"))
}

fn ca() -> Certificates {
    Certificates::from_pem_file(var("POLLHTTP_INTEROP_CA")).expect("interop CA")
}

fn trusting() -> TlsOptions {
    TlsOptions::client(Some(ca()), None)
}

/// A file nginx serves, read from its document root.
fn served(path: &str) -> Vec<u8> {
    let full = format!("{}/{path}", var("POLLHTTP_INTEROP_WWW"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// What nginx's sub_filter makes of a file under /chunked/ or /close/.
fn rewritten(path: &str) -> Vec<u8> {
    String::from_utf8(served(path))
        .expect("text file")
        .replace("MARK", "mark")
        .into_bytes()
}

/// Connects and returns the TLS error kind of the TLS_HANDSHAKE_ERROR that must follow.
fn handshake_failure(host: &str, port: u16, options: Option<TlsOptions>) -> TlsErrorKind {
    let mut client = HttpClient::new();
    let outcome = connect(&mut client, host, port, options);
    assert_eq!(client.status(), Status::TlsHandshakeError, "{outcome:?}");
    assert_eq!(outcome.errors.first().map(|e| e.godot_code()), Some(25));
    assert_eq!(client.poll().expect_err("sticky").godot_code(), 27);
    match client.last_error().map(|e| e.reason()) {
        Some(Reason::Tls(e)) => e.kind(),
        other => panic!("expected a TLS reason, got {other:?}"),
    }
}

/// GET `path` and checks a 200 with `expected` as the body.
fn get_ok(client: &mut HttpClient, path: &str, expected: &[u8]) {
    let body = get(client, path);
    assert_eq!(client.response_code(), 200, "{path}");
    assert!(body == expected, "{path}: {} bytes differ", body.len());
}

/// GET /small.txt and checks a 200 with the file as the body.
fn get_small_ok(client: &mut HttpClient) {
    get_ok(client, "/small.txt", &served("small.txt"));
}

/// A client connected to the vhost `which` by name: over TLS trusting the test CA, or
/// over plain HTTP for "PLAIN".
fn connected_to(which: &str) -> HttpClient {
    match which {
        "PLAIN" => connected("localhost", port(which), None),
        _ => connected("https://localhost", port(which), Some(trusting())),
    }
}

/// Checks that the next request goes over the connection that served the last one.
fn assert_next_request_reuses_the_connection(client: &mut HttpClient, which: &str) {
    let first = header(client, "X-Conn");
    get_small_ok(client);
    assert_eq!(header(client, "X-Conn"), first, "{which}: same connection");
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn tls12_only_vhost_is_reached() {
    let mut client = connected_to("TLS12");
    get_small_ok(&mut client);
    assert_eq!(
        header(&client, "X-Tls-Protocol").as_deref(),
        Some("TLSv1.2")
    );
    assert_eq!(client.status(), Status::Connected);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn tls12_only_vhost_refuses_a_client_that_wants_tls13() {
    let options = trusting().with_min_version(TlsVersion::Tls13);
    let kind = handshake_failure("https://localhost", port("TLS12"), Some(options));
    assert_eq!(kind, TlsErrorKind::ProtocolVersion);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn tls13_only_vhost_is_reached() {
    let mut client = connected_to("TLS13");
    get_small_ok(&mut client);
    assert_eq!(
        header(&client, "X-Tls-Protocol").as_deref(),
        Some("TLSv1.3")
    );
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn tls13_only_vhost_refuses_a_client_limited_to_tls12() {
    let options = trusting().with_max_version(TlsVersion::Tls12);
    let kind = handshake_failure("https://localhost", port("TLS13"), Some(options));
    assert_eq!(kind, TlsErrorKind::ProtocolVersion);
}

/// DER of the OIDs of an RSA and an EC public key, as they appear in a certificate.
const RSA_ENCRYPTION: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];
const EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn rsa_and_ecdsa_full_chains_verify_against_the_ca() {
    for (which, version, key_oid) in [
        ("TLS12", TlsVersion::Tls12, RSA_ENCRYPTION),
        ("TLS13", TlsVersion::Tls13, EC_PUBLIC_KEY),
    ] {
        let tcp = TcpStream::connect(("127.0.0.1", port(which))).expect("TCP connect");
        tcp.set_nonblocking(true).expect("non-blocking");
        let mut hs =
            TlsHandshake::start(Box::new(tcp), &trusting(), "localhost").expect("handshake start");
        while !hs.poll().unwrap_or_else(|e| panic!("{which}: {e}")) {
            assert!(hs.wait(Some(LIMIT)).expect("wait"), "{which}: stalled");
        }
        let tls = hs.into_stream();
        assert_eq!(tls.negotiated_version(), Some(version), "{which}");
        assert_eq!(tls.alpn_protocol(), Some(&b"http/1.1"[..]), "{which}");
        let chain = tls.peer_certificates().expect("peer certificates");
        assert_eq!(chain.len(), 2, "{which}: leaf and intermediate");
        let leaf = chain.iter_der().next().expect("leaf");
        assert!(contains(leaf, key_oid), "{which}: leaf key type");
        if key_oid == EC_PUBLIC_KEY {
            assert!(!contains(leaf, RSA_ENCRYPTION), "{which}: ECDSA leaf");
        }
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn certificate_for_another_name_is_a_wrong_name() {
    let kind = handshake_failure("https://localhost", port("WRONG_NAME"), Some(trusting()));
    assert_eq!(kind, TlsErrorKind::WrongName);
    // The same with a name override that the right certificate does not cover.
    let options = TlsOptions::client(Some(ca()), Some("wrong.test"));
    let kind = handshake_failure("https://127.0.0.1", port("TLS13"), Some(options));
    assert_eq!(kind, TlsErrorKind::WrongName);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn leaf_sent_without_its_intermediate_is_an_unknown_issuer() {
    let kind = handshake_failure("https://localhost", port("LEAF_ONLY"), Some(trusting()));
    assert_eq!(kind, TlsErrorKind::UnknownIssuer);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn default_roots_do_not_trust_the_test_ca() {
    let kind = handshake_failure("https://localhost", port("TLS13"), None);
    assert_eq!(kind, TlsErrorKind::UnknownIssuer);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn ip_address_host_matches_the_ip_entry() {
    let mut client = connected("https://127.0.0.1", port("TLS13"), Some(trusting()));
    get_small_ok(&mut client);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn keep_alive_over_tls_uses_one_connection() {
    for which in ["TLS12", "TLS13"] {
        let mut client = connected_to(which);
        let mut conns = Vec::new();
        for number in 1..=3 {
            get_small_ok(&mut client);
            assert_eq!(client.status(), Status::Connected, "{which}");
            conns.push(header(&client, "X-Conn").expect("X-Conn"));
            assert_eq!(
                header(&client, "X-Conn-Requests"),
                Some(number.to_string()),
                "{which}"
            );
            client.poll().expect("idle poll");
        }
        assert!(conns.iter().all(|c| *c == conns[0]), "{which}: {conns:?}");
    }
}

/// The 16 MiB file, read with `read_response_body_into`.
fn large_file(which: &str) {
    let expected = served("big.bin");
    let mut client = connected_to(which);
    send(&mut client, Method::Get, "/big.bin", b"");
    assert_eq!(client.response_code(), 200);
    assert_eq!(client.response_body_length(), expected.len() as i64);
    let body = body_into(&mut client, 256 * 1024);
    assert_eq!(body.len(), expected.len());
    assert!(body == expected, "large file differs");
    assert_eq!(client.status(), Status::Connected);
    get_small_ok(&mut client);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn large_static_file_over_tls() {
    large_file("TLS13");
    large_file("TLS12");
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn large_static_file_over_plain_http() {
    large_file("PLAIN");
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn head_gives_the_length_without_a_body() {
    for which in ["TLS13", "PLAIN"] {
        let mut client = connected_to(which);
        send(&mut client, Method::Head, "/big.bin", b"");
        assert_eq!(client.response_code(), 200, "{which}");
        assert_eq!(
            header(&client, "Content-Length"),
            Some(served("big.bin").len().to_string()),
            "{which}"
        );
        assert_eq!(client.response_body_length(), 0, "{which}");
        assert_eq!(client.status(), Status::Connected, "{which}");
        assert_next_request_reuses_the_connection(&mut client, which);
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn not_found_keeps_the_connection() {
    for which in ["TLS12", "PLAIN"] {
        let mut client = connected_to(which);
        send(&mut client, Method::Get, "/missing.txt", b"");
        assert_eq!(client.response_code(), 404, "{which}");
        let page = body_by_chunks(&mut client);
        assert!(
            String::from_utf8_lossy(&page).contains("404 Not Found"),
            "{which}"
        );
        assert_eq!(client.status(), Status::Connected, "{which}");
        assert_next_request_reuses_the_connection(&mut client, which);
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn chunked_response_is_decoded() {
    for which in ["TLS13", "PLAIN"] {
        let mut client = connected_to(which);
        send(&mut client, Method::Get, "/chunked/text.txt", b"");
        assert_eq!(client.response_code(), 200, "{which}");
        assert!(client.is_response_chunked(), "{which}");
        assert_eq!(client.response_body_length(), -1, "{which}");
        let body = body_into(&mut client, 1000);
        assert!(
            body == rewritten("chunked/text.txt"),
            "{which}: body differs"
        );
        assert_eq!(client.status(), Status::Connected, "{which}");
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn close_delimited_response_ends_disconnected_with_the_full_body() {
    for which in ["TLS13", "TLS12", "PLAIN"] {
        let mut client = connected_to(which);
        send(&mut client, Method::Get, "/close/text.txt", b"");
        assert_eq!(client.response_code(), 200, "{which}");
        assert!(!client.is_response_chunked(), "{which}");
        assert_eq!(client.response_body_length(), -1, "{which}");
        let body = body_by_chunks(&mut client);
        assert!(body == rewritten("close/text.txt"), "{which}: body differs");
        assert_eq!(client.status(), Status::Disconnected, "{which}");
        assert!(client.last_error().is_none(), "{which}");
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn sessions_resume_across_clones_of_the_same_options() {
    for which in ["TLS12", "TLS13"] {
        let reused = |options: TlsOptions| {
            let mut client = connected("https://localhost", port(which), Some(options));
            get_small_ok(&mut client);
            header(&client, "X-Tls-Reused")
        };
        let options = trusting();
        assert_eq!(
            reused(options.clone()).as_deref(),
            Some("."),
            "{which}: first"
        );
        assert_eq!(
            reused(options.clone()).as_deref(),
            Some("r"),
            "{which}: clone"
        );
        assert_eq!(
            reused(trusting()).as_deref(),
            Some("."),
            "{which}: new options"
        );
    }
}

// ------------------------------------------------------------------ HttpRequest
//
// Every vhost also has: `/gz/` (nginx's gzip filter on `gz/text.txt`, about 400 KiB of
// text); `/slow/` and `/slow-gz/` (the same files, rate-limited after a fast start);
// `/echo` (answers "METHOD TARGET length=CONTENT-LENGTH"); `/conn` (answers
// "$connection $connection_requests"), `/conn/two` (the same, closing the connection at
// its second request) and `/conn/brief` (keeping it idle for a second only);
// `/to/CODE/abs` and `/to/CODE/rel` (redirects to /echo with an absolute and a relative
// Location); `/to/dots/a/b` (to `../../../echo?via=dots`); `/to/tls13` and `/to/plain`
// (to /echo on the TLS 1.3 and the plain vhost); `/chain/N` (a redirect to /chain/N-1,
// /chain/0 answers). Every response says which method, `Accept-Encoding`, `Range` and
// `If-Range` arrived, in `X-Seen-*` headers (absent when the request had none).

/// Guards against hangs only, as `LIMIT` does for the client tests.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// An `HttpRequest` that trusts the test CA and gives up after `REQUEST_TIMEOUT`.
fn http_request() -> HttpRequest {
    let mut http = HttpRequest::new();
    http.set_tls_options(Some(trusting()));
    http.set_timeout(Some(REQUEST_TIMEOUT));
    http
}

/// The URL of `path` on the vhost `which`: `http://127.0.0.1` for "PLAIN", else
/// `https://localhost`.
fn url_on(which: &str, path: &str) -> String {
    match which {
        "PLAIN" => format!("http://127.0.0.1:{}{path}", port(which)),
        _ => format!("https://localhost:{}{path}", port(which)),
    }
}

fn run_request(
    http: &mut HttpRequest,
    url: &str,
    headers: &[&str],
    method: Method,
    body: &str,
) -> Completion {
    http.request(url, headers, method, body)
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    http.wait_for_completion().expect("a request in progress")
}

fn fetched(http: &mut HttpRequest, url: &str) -> Completion {
    let done = run_request(http, url, &[], Method::Get, "");
    assert_success(&done, url);
    done
}

fn assert_success(done: &Completion, what: &str) {
    assert_eq!(
        done.result,
        HttpRequestResult::Success,
        "{what}: {:?}",
        done.error
    );
}

/// The value of the header line `name` in `headers` (`"Name: value"`).
fn line_value(headers: &[String], name: &str) -> Option<String> {
    headers.iter().find_map(|l| {
        let (n, v) = l.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

fn same_bytes(got: &[u8], want: &[u8], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    assert!(got == want, "{what}: bytes differ");
}

/// A fresh directory for one test's downloads.
fn downloads(name: &str) -> PathBuf {
    let dir = Path::new(&var("POLLHTTP_INTEROP_DOWNLOADS")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("downloads directory");
    dir
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `<file>.part` and its validator sidecar, as `set_keep_partial_download` names them.
fn part_of(file: &Path) -> (PathBuf, PathBuf) {
    let part = PathBuf::from(format!("{}.part", file.display()));
    let validator = PathBuf::from(format!("{}.part.validator", file.display()));
    (part, validator)
}

const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_decodes_what_the_gzip_filter_of_nginx_sends() {
    let text = served("gz/text.txt");
    for which in ["PLAIN", "TLS13"] {
        let mut http = http_request();
        let done = fetched(&mut http, &url_on(which, "/gz/text.txt"));
        assert_eq!(done.response_code, 200, "{which}");
        assert_eq!(
            line_value(&done.headers, "X-Seen-Accept-Encoding").as_deref(),
            Some(ACCEPT_ENCODING),
            "{which}"
        );
        let head = done.head.as_ref().expect("head");
        assert_eq!(head.header("Content-Encoding"), Some("gzip"), "{which}");
        assert_eq!(head.status_line(), "HTTP/1.1 200 OK", "{which}");
        same_bytes(&done.body, &text, which);
        // Far fewer bytes came than were delivered, and the delivered headers describe
        // the decoded body.
        let progress = http.progress();
        assert_eq!(progress.decoded_bytes, text.len() as u64, "{which}");
        assert!(
            progress.wire_bytes < progress.decoded_bytes / 2,
            "{which}: {progress:?}"
        );
        assert_eq!(http.body_size(), -1, "{which}: chunked");
        assert_eq!(
            line_value(&done.headers, "Content-Encoding"),
            None,
            "{which}"
        );
        assert_eq!(line_value(&done.headers, "Content-Length"), None, "{which}");
        assert_eq!(
            line_value(&done.headers, "Vary").as_deref(),
            Some("Accept-Encoding"),
            "{which}"
        );
        assert_eq!(done.headers, http.response_headers(), "{which}");
    }
    // With the caller's own Accept-Encoding, that one is sent, and the body decoded all
    // the same.
    let mut http = http_request();
    let done = run_request(
        &mut http,
        &url_on("PLAIN", "/gz/text.txt"),
        &["Accept-Encoding: gzip"],
        Method::Get,
        "",
    );
    assert_success(&done, "own Accept-Encoding");
    assert_eq!(
        line_value(&done.headers, "X-Seen-Accept-Encoding").as_deref(),
        Some("gzip")
    );
    same_bytes(&done.body, &text, "own Accept-Encoding");
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_head_of_a_gzipped_file_has_nothing_to_decode() {
    // nginx answers a HEAD with `Content-Encoding: gzip` and no body.
    let mut http = http_request();
    let done = run_request(
        &mut http,
        &url_on("PLAIN", "/gz/text.txt"),
        &[],
        Method::Head,
        "",
    );
    assert_success(&done, "HEAD");
    let head = done.head.as_ref().expect("head");
    assert_eq!(head.header("Content-Encoding"), Some("gzip"));
    assert_eq!(done.response_code, 200);
    assert!(done.body.is_empty());
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_without_accept_gzip_gets_the_file_as_it_is() {
    let text = served("gz/text.txt");
    let mut http = http_request();
    http.set_accept_gzip(false);
    let done = fetched(&mut http, &url_on("PLAIN", "/gz/text.txt"));
    assert_eq!(done.response_code, 200);
    // No Accept-Encoding went out, so nginx did not compress.
    assert_eq!(line_value(&done.headers, "X-Seen-Accept-Encoding"), None);
    assert_eq!(line_value(&done.headers, "Content-Encoding"), None);
    assert_eq!(
        line_value(&done.headers, "Content-Length"),
        Some(text.len().to_string())
    );
    same_bytes(&done.body, &text, "plain");
    let progress = http.progress();
    assert_eq!(progress.wire_bytes, text.len() as u64);
    assert_eq!(progress.decoded_bytes, text.len() as u64);

    // Asking for gzip itself, the caller gets nginx's gzip stream as sent, headers and all.
    let done = run_request(
        &mut http,
        &url_on("PLAIN", "/gz/text.txt"),
        &["Accept-Encoding: gzip"],
        Method::Get,
        "",
    );
    assert_success(&done, "gzip as sent");
    assert_eq!(
        line_value(&done.headers, "Content-Encoding").as_deref(),
        Some("gzip")
    );
    assert!(done.body.starts_with(&[0x1f, 0x8b]), "a gzip member");
    assert!(done.body.len() < text.len() / 2);
    assert_eq!(http.progress().wire_bytes, done.body.len() as u64);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_streams_the_gzipped_file_in_4k_pieces() {
    let text = served("gz/text.txt");
    let mut http = http_request();
    http.set_stream_body(true);
    http.request(&url_on("PLAIN", "/gz/text.txt"), &[], Method::Get, "")
        .expect("request");
    let mut got = Vec::new();
    let mut pieces = 0;
    let mut buf = [0u8; 4096];
    let done = loop {
        if let Some(done) = http.poll() {
            break done;
        }
        if http.response_code() != 0 {
            let n = http.read_body(&mut buf);
            if n > 0 {
                pieces += 1;
                got.extend_from_slice(&buf[..n]);
                continue;
            }
        }
        http.wait(Some(Duration::from_millis(100))).expect("wait");
    };
    assert_success(&done, "streamed");
    assert_eq!(done.response_code, 200);
    assert!(done.body.is_empty());
    assert_eq!(line_value(&done.headers, "Content-Encoding"), None);
    same_bytes(&got, &text, "streamed");
    assert!(pieces >= text.len() / 4096, "{pieces} pieces");
    assert!(http.progress().wire_bytes < text.len() as u64 / 2);
    // The body was read to its end: the connection carries the next request.
    http.set_stream_body(false);
    let next = fetched(&mut http, &url_on("PLAIN", "/conn"));
    let conn = next.text().split(' ').next().map(str::to_string);
    assert_eq!(conn, line_value(&done.headers, "X-Conn"));
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_limits_the_decoded_size_of_a_gzipped_body() {
    // About 85 KiB on the wire, over 400 KiB decoded.
    let mut http = http_request();
    http.set_body_size_limit(Some(200 * 1024));
    let done = run_request(
        &mut http,
        &url_on("PLAIN", "/gz/text.txt"),
        &[],
        Method::Get,
        "",
    );
    assert_eq!(
        done.result,
        HttpRequestResult::BodySizeLimitExceeded,
        "{:?}",
        done.error
    );
    assert!(done.body.is_empty());
    assert!(http.progress().decoded_bytes <= 200 * 1024 + 64 * 1024);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_resumes_a_cut_gzipped_download_with_the_plain_file() {
    // A gzipped download is written decoded; cut short, its .part holds the first bytes
    // of the text, and a resume asks for the rest without Accept-Encoding: nginx sends
    // the plain file from there.
    let text = served("gz/text.txt");
    let dir = downloads("gzip-resume");
    let file = dir.join("text.txt");
    let (part, validator) = part_of(&file);
    let mut http = http_request();
    http.set_download_file(Some(&file));
    http.set_keep_partial_download(true);
    let url = url_on("PLAIN", "/slow-gz/text.txt");
    cut_after(&mut http, &url, 64 * 1024);
    let kept = std::fs::read(&part).expect("kept part");
    assert!(
        kept.len() >= 64 * 1024 && kept.len() < text.len(),
        "{}",
        kept.len()
    );
    assert!(text.starts_with(&kept), "the part is the decoded start");
    // nginx weakens the ETag of a gzipped response: the validator is Last-Modified.
    let last_modified = std::fs::read_to_string(&validator).expect("validator");
    assert!(last_modified.ends_with(" GMT"), "{last_modified:?}");

    let done = fetched(&mut http, &url_on("PLAIN", "/gz/text.txt"));
    assert_eq!(done.response_code, 206);
    assert_eq!(
        line_value(&done.headers, "X-Seen-Range"),
        Some(format!("bytes={}-", kept.len()))
    );
    assert_eq!(
        line_value(&done.headers, "X-Seen-If-Range").as_deref(),
        Some(last_modified.trim())
    );
    assert_eq!(line_value(&done.headers, "X-Seen-Accept-Encoding"), None);
    same_bytes(&std::fs::read(&file).expect("file"), &text, "resumed");
    assert_eq!(files_in(&dir), ["text.txt"]);
}

/// Starts a download of `url` and cancels it once `at_least` decoded bytes are in.
fn cut_after(http: &mut HttpRequest, url: &str, at_least: u64) {
    http.request(url, &[], Method::Get, "").expect("request");
    while http.progress().decoded_bytes < at_least {
        if let Some(done) = http.poll() {
            panic!("{url} ended before the cut: {:?}", done.error);
        }
        http.wait(Some(Duration::from_millis(50))).expect("wait");
    }
    http.cancel_request();
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_follows_every_redirect_of_nginx_for_get_and_post() {
    let mut http = http_request();
    let mut conn = None;
    let mut requests = 0;
    for code in [301, 302, 303, 307, 308] {
        for form in ["abs", "rel"] {
            let what = format!("{code} {form}");
            let url = url_on("PLAIN", &format!("/to/{code}/{form}"));
            let done = fetched(&mut http, &url);
            assert_eq!(done.response_code, 200, "{what}");
            assert_eq!(done.text(), "GET /echo length=\n", "{what}");
            assert_eq!(done.final_url, url_on("PLAIN", "/echo"), "{what}");
            assert_eq!(http.progress().redirects, 1, "{what}");
            let [hop] = done.redirects.as_slice() else {
                panic!("{what}: {:?}", done.redirects);
            };
            assert_eq!((hop.code, hop.url.as_str()), (code, url.as_str()), "{what}");
            let location = match form {
                "abs" => url_on("PLAIN", "/echo"),
                _ => "/echo".to_string(),
            };
            assert_eq!(hop.header("Location"), Some(location.as_str()), "{what}");

            // HEAD stays HEAD through every redirect, 303 included.
            let done = run_request(&mut http, &url, &[], Method::Head, "");
            assert_success(&done, &what);
            assert_eq!(done.response_code, 200, "{what} HEAD");
            assert_eq!(
                line_value(&done.headers, "X-Seen-Method").as_deref(),
                Some("HEAD"),
                "{what}"
            );
            assert!(done.body.is_empty(), "{what} HEAD");

            let done = run_request(
                &mut http,
                &url,
                &["Content-Type: text/plain"],
                Method::Post,
                "payload",
            );
            assert_success(&done, &what);
            let want = match code {
                // 301 and 302 turn a POST into a GET, as browsers do; 303 always.
                301..=303 => "GET /echo length=\n",
                _ => "POST /echo length=7\n",
            };
            assert_eq!(done.text(), want, "{what} POST");
            assert_eq!(done.final_url, url_on("PLAIN", "/echo"), "{what} POST");

            // The three requests and their redirects went over one connection.
            requests += 6;
            let this = line_value(&done.headers, "X-Conn");
            assert_eq!(
                line_value(&done.headers, "X-Conn-Requests"),
                Some(requests.to_string()),
                "{what}"
            );
            assert!(conn.is_none() || conn == this, "{what}: {conn:?} {this:?}");
            conn = this;
        }
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_resolves_relative_locations_from_nginx() {
    let mut http = http_request();
    let done = fetched(&mut http, &url_on("PLAIN", "/to/dots/a/b"));
    assert_eq!(done.text(), "GET /echo?via=dots length=\n");
    assert_eq!(done.final_url, url_on("PLAIN", "/echo?via=dots"));
    // On TLS, nginx makes the absolute Location https://localhost:PORT/echo.
    let done = fetched(&mut http, &url_on("TLS13", "/to/308/abs"));
    assert_eq!(done.text(), "GET /echo length=\n");
    assert_eq!(done.final_url, url_on("TLS13", "/echo"));
    assert_eq!(
        line_value(&done.headers, "X-Tls-Protocol").as_deref(),
        Some("TLSv1.3")
    );
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_stops_a_redirect_chain_longer_than_max_redirects() {
    let mut http = http_request();
    // /chain/10 needs 10 redirects; 8 are allowed by default.
    let done = run_request(
        &mut http,
        &url_on("PLAIN", "/chain/10"),
        &[],
        Method::Get,
        "",
    );
    assert_eq!(
        done.result,
        HttpRequestResult::RedirectLimitReached,
        "{:?}",
        done.error
    );
    assert!(matches!(
        done.error.as_ref().map(|e| e.reason()),
        Some(Reason::RedirectLimit { limit: 8 })
    ));
    assert_eq!(done.response_code, 302);
    assert_eq!(done.final_url, url_on("PLAIN", "/chain/2"));
    assert_eq!(
        line_value(&done.headers, "Location").as_deref(),
        Some("/chain/1")
    );
    assert_eq!(http.progress().redirects, 8);
    let codes: Vec<(u16, String)> = done
        .redirects
        .iter()
        .map(|h| (h.code, h.url.clone()))
        .collect();
    let want: Vec<(u16, String)> = (3..=10)
        .rev()
        .map(|n| (302, url_on("PLAIN", &format!("/chain/{n}"))))
        .collect();
    assert_eq!(codes, want);

    http.set_max_redirects(10).expect("max_redirects");
    let done = fetched(&mut http, &url_on("PLAIN", "/chain/10"));
    assert_eq!(done.text(), "end of the chain\n");
    assert_eq!(done.final_url, url_on("PLAIN", "/chain/0"));
    assert_eq!(http.progress().redirects, 10);

    http.set_max_redirects(0).expect("max_redirects");
    let done = run_request(
        &mut http,
        &url_on("PLAIN", "/chain/1"),
        &[],
        Method::Get,
        "",
    );
    assert_eq!(done.result, HttpRequestResult::RedirectLimitReached);
    assert_eq!(done.final_url, url_on("PLAIN", "/chain/1"));

    // Not following at all, the 302 is the answer, with nginx's page as the body.
    http.set_follow_redirects(false);
    let done = fetched(&mut http, &url_on("PLAIN", "/chain/1"));
    assert_eq!(done.response_code, 302);
    assert!(done.text().contains("302 Found"), "{}", done.text());
    assert!(done.redirects.is_empty());
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_redirects_between_plain_and_tls_vhosts() {
    let mut http = http_request();
    let done = fetched(&mut http, &url_on("PLAIN", "/to/tls13"));
    assert_eq!(done.text(), "GET /echo length=\n");
    assert_eq!(done.final_url, url_on("TLS13", "/echo"));
    assert_eq!(
        line_value(&done.headers, "X-Tls-Protocol").as_deref(),
        Some("TLSv1.3")
    );

    let to_plain = url_on("TLS13", "/to/plain");
    let done = run_request(&mut http, &to_plain, &[], Method::Get, "");
    assert_eq!(done.result, HttpRequestResult::RequestFailed);
    assert!(matches!(
        done.error.as_ref().map(|e| e.reason()),
        Some(Reason::RedirectRefused { .. })
    ));
    assert_eq!(done.response_code, 302);

    http.set_allow_https_downgrade(true);
    let done = fetched(&mut http, &to_plain);
    assert_eq!(done.text(), "GET /echo length=\n");
    assert_eq!(done.final_url, url_on("PLAIN", "/echo"));
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_requests_share_one_nginx_connection() {
    for which in ["PLAIN", "TLS13"] {
        let mut http = http_request();
        let mut first = None;
        for number in 1..=4 {
            let (conn, count) = conn_numbers(&mut http, &url_on(which, "/conn"));
            assert_eq!(count, number, "{which}");
            assert_eq!(*first.get_or_insert(conn), conn, "{which}");
            assert_eq!(http.http_client_status(), Status::Connected, "{which}");
        }
    }
}

/// Fetches `/conn...` and returns nginx's `$connection` and `$connection_requests`.
fn conn_numbers(http: &mut HttpRequest, url: &str) -> (u64, u64) {
    let done = fetched(http, url);
    let text = done.text().into_owned();
    let numbers: Vec<u64> = text
        .split_whitespace()
        .map(|n| n.parse().unwrap_or_else(|_| panic!("{url}: {text:?}")))
        .collect();
    assert_eq!(numbers.len(), 2, "{url}: {text:?}");
    (numbers[0], numbers[1])
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_reconnects_after_nginx_closes_at_its_keepalive_requests() {
    // nginx answers the second request on a connection with `Connection: close`.
    for which in ["PLAIN", "TLS13"] {
        let mut http = http_request();
        let url = url_on(which, "/conn/two");
        let (a, first) = conn_numbers(&mut http, &url);
        let (b, second) = conn_numbers(&mut http, &url);
        let (c, third) = conn_numbers(&mut http, &url);
        assert_eq!((first, second, third), (1, 2, 1), "{which}");
        assert_eq!(a, b, "{which}");
        assert_ne!(b, c, "{which}");
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_replaces_a_connection_nginx_closed_while_idle() {
    // nginx closes a connection idle for a second after /conn/brief; the next request
    // goes out on a new one, whether or not the client noticed the close before sending.
    let mut plain = http_request();
    let mut tls = http_request();
    let (plain_before, _) = conn_numbers(&mut plain, &url_on("PLAIN", "/conn/brief"));
    let (tls_before, _) = conn_numbers(&mut tls, &url_on("TLS13", "/conn/brief"));
    std::thread::sleep(Duration::from_millis(1500));
    let (plain_after, n) = conn_numbers(&mut plain, &url_on("PLAIN", "/conn"));
    assert_ne!(plain_before, plain_after);
    assert_eq!(n, 1);
    let (tls_after, n) = conn_numbers(&mut tls, &url_on("TLS13", "/conn"));
    assert_ne!(tls_before, tls_after);
    assert_eq!(n, 1);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_timeout_ends_a_slow_download() {
    // /slow/big.bin sends 4 MiB at once, then 2 MiB a second: 6 seconds in all.
    let mut http = http_request();
    http.set_timeout(Some(Duration::from_millis(700)));
    let started = std::time::Instant::now();
    let done = run_request(
        &mut http,
        &url_on("PLAIN", "/slow/big.bin"),
        &[],
        Method::Get,
        "",
    );
    assert_eq!(done.result, HttpRequestResult::Timeout, "{:?}", done.error);
    assert_eq!(done.response_code, 200);
    assert!(done.body.is_empty());
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    let got = http.downloaded_bytes();
    assert!(got > 0 && got < served("big.bin").len() as u64, "{got}");
    assert_eq!(http.http_client_status(), Status::Disconnected);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_downloads_the_large_file() {
    let big = served("big.bin");
    let dir = downloads("fresh");
    let file = dir.join("big.bin");
    let mut http = http_request();
    http.set_download_file(Some(&file));
    let done = fetched(&mut http, &url_on("PLAIN", "/big.bin"));
    assert_eq!(done.response_code, 200);
    assert!(done.body.is_empty());
    assert_eq!(http.body_size(), big.len() as i64);
    assert_eq!(http.downloaded_bytes(), big.len() as u64);
    same_bytes(&std::fs::read(&file).expect("file"), &big, "download");
    assert_eq!(files_in(&dir), ["big.bin"]);
}

/// The `ETag` and `Last-Modified` nginx gives big.bin, from a HEAD.
fn validators_of_big_bin(http: &mut HttpRequest) -> (String, String) {
    let done = run_request(http, &url_on("PLAIN", "/big.bin"), &[], Method::Head, "");
    assert_success(&done, "HEAD");
    assert!(done.body.is_empty());
    let etag = line_value(&done.headers, "ETag").expect("ETag");
    assert!(etag.starts_with('"'), "nginx's ETag is strong: {etag}");
    let last_modified = line_value(&done.headers, "Last-Modified").expect("Last-Modified");
    (etag, last_modified)
}

/// Resumes big.bin from a `.part` of its first `kept` bytes, with `validator` (if any)
/// as the sidecar, and checks that the complete file comes out.
fn resume_big_bin(name: &str, kept: usize, validator: Option<&str>) -> (Completion, Progress) {
    let big = served("big.bin");
    let dir = downloads(name);
    let file = dir.join("big.bin");
    let (part, sidecar) = part_of(&file);
    std::fs::write(&part, &big[..kept]).expect("part");
    if let Some(v) = validator {
        std::fs::write(&sidecar, v).expect("validator");
    }
    let mut http = http_request();
    http.set_download_file(Some(&file));
    http.set_keep_partial_download(true);
    let done = fetched(&mut http, &url_on("PLAIN", "/big.bin"));
    assert_eq!(
        line_value(&done.headers, "X-Seen-Range"),
        Some(format!("bytes={kept}-")),
        "{name}"
    );
    assert_eq!(
        line_value(&done.headers, "X-Seen-If-Range").as_deref(),
        validator,
        "{name}"
    );
    assert_eq!(line_value(&done.headers, "X-Seen-Accept-Encoding"), None);
    same_bytes(&std::fs::read(&file).expect("file"), &big, name);
    assert_eq!(files_in(&dir), ["big.bin"], "{name}");
    (done, http.progress())
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_resumes_a_partial_download_with_a_range() {
    let len = served("big.bin").len();
    let kept = 5 << 20;
    let (done, progress) = resume_big_bin("range", kept, None);
    assert_eq!(done.response_code, 206);
    assert_eq!(
        line_value(&done.headers, "Content-Range"),
        Some(format!("bytes {kept}-{}/{len}", len - 1))
    );
    assert_eq!(progress.resumed_from, kept as u64);
    assert_eq!(progress.wire_bytes, (len - kept) as u64);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_resumes_with_if_range_and_nginx_validators() {
    let len = served("big.bin").len();
    let (etag, last_modified) = validators_of_big_bin(&mut http_request());
    let kept = 3 << 20;
    // nginx's own strong ETag, and its Last-Modified date, both match: 206.
    for (name, validator) in [("etag", &etag), ("date", &last_modified)] {
        let (done, progress) = resume_big_bin(name, kept, Some(validator));
        assert_eq!(done.response_code, 206, "{name}");
        assert_eq!(progress.resumed_from, kept as u64, "{name}");
    }
    // Another ETag, or the weak form of nginx's: the whole file comes with a 200, and
    // the download starts over.
    for (name, validator) in [
        ("other-etag", "\"0-0\"".to_string()),
        ("weak-etag", format!("W/{etag}")),
    ] {
        let (done, progress) = resume_big_bin(name, kept, Some(&validator));
        assert_eq!(done.response_code, 200, "{name}");
        assert_eq!(progress.resumed_from, 0, "{name}");
        assert_eq!(progress.wire_bytes, len as u64, "{name}");
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_completes_a_part_that_is_already_the_whole_file() {
    let len = served("big.bin").len();
    let (etag, _) = validators_of_big_bin(&mut http_request());
    let (done, progress) = resume_big_bin("whole", len, Some(&etag));
    assert_eq!(done.response_code, 416);
    assert_eq!(
        line_value(&done.headers, "Content-Range"),
        Some(format!("bytes */{len}"))
    );
    assert_eq!(progress.resumed_from, len as u64);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_starts_over_when_the_part_is_longer_than_the_file() {
    let big = served("big.bin");
    let dir = downloads("longer");
    let file = dir.join("big.bin");
    let (part, _) = part_of(&file);
    let mut longer = big.clone();
    longer.extend_from_slice(b"extra");
    std::fs::write(&part, &longer).expect("part");
    let mut http = http_request();
    http.set_download_file(Some(&file));
    http.set_keep_partial_download(true);
    let done = fetched(&mut http, &url_on("PLAIN", "/big.bin"));
    // nginx answered the Range with 416; the part is dropped and the file asked again.
    assert_eq!(done.response_code, 200);
    assert_eq!(line_value(&done.headers, "X-Seen-Range"), None);
    same_bytes(&std::fs::read(&file).expect("file"), &big, "longer");
    assert_eq!(files_in(&dir), ["big.bin"]);
    assert_eq!(http.progress().resumed_from, 0);
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_resumes_a_cut_download_with_the_etag_nginx_gave() {
    let big = served("big.bin");
    let (etag, _) = validators_of_big_bin(&mut http_request());
    let dir = downloads("cut");
    let file = dir.join("big.bin");
    let (part, sidecar) = part_of(&file);
    let mut http = http_request();
    http.set_download_file(Some(&file));
    http.set_keep_partial_download(true);
    cut_after(&mut http, &url_on("PLAIN", "/slow/big.bin"), 4 << 20);
    let kept = std::fs::read(&part).expect("kept part");
    assert!(
        kept.len() >= 4 << 20 && kept.len() < big.len(),
        "{}",
        kept.len()
    );
    assert!(big.starts_with(&kept));
    assert_eq!(std::fs::read_to_string(&sidecar).expect("validator"), etag);
    assert!(!file.exists());

    let done = fetched(&mut http, &url_on("PLAIN", "/big.bin"));
    assert_eq!(done.response_code, 206);
    assert_eq!(
        line_value(&done.headers, "X-Seen-If-Range").as_deref(),
        Some(etag.as_str())
    );
    assert_eq!(http.progress().resumed_from, kept.len() as u64);
    same_bytes(&std::fs::read(&file).expect("file"), &big, "resumed");
    assert_eq!(files_in(&dir), ["big.bin"]);
}

// ----- revocation lists and client certificates ----------------------------------------

/// A file of the certificates directory that interop.sh made.
fn cert_file(name: &str) -> PathBuf {
    Path::new(&var("POLLHTTP_INTEROP_CERTS")).join(name)
}

/// The lists `openssl ca -gencrl` wrote: the root's (nothing revoked) and the
/// intermediate's (the leaf of the REVOKED vhost).
fn lists(names: &[&str]) -> RevocationLists {
    let mut pem = Vec::new();
    for name in names {
        pem.extend(std::fs::read(cert_file(name)).expect("CRL file"));
    }
    RevocationLists::from_pem(&pem).expect("openssl's CRLs")
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn openssl_revocation_lists_pass_good_leaves_and_stop_the_revoked_one() {
    let both = || trusting().with_revocation_lists(lists(&["root.crl", "intermediate.crl"]));
    for which in ["TLS12", "TLS13"] {
        let mut client = connected("https://localhost", port(which), Some(both()));
        get_small_ok(&mut client);
    }
    let revoked = port("REVOKED");
    assert_eq!(
        handshake_failure("https://localhost", revoked, Some(both())),
        TlsErrorKind::Revoked
    );
    // Checked with the intermediate's list alone: the leaf is revoked either way.
    let leaf_only = trusting()
        .with_revocation_lists(lists(&["intermediate.crl"]))
        .only_check_end_entity_revocation();
    assert_eq!(
        handshake_failure("https://localhost", revoked, Some(leaf_only.clone())),
        TlsErrorKind::Revoked
    );
    // The good leaf with that list: fine for the leaf alone, unknown for the whole chain
    // (the root's list is missing).
    let mut client = connected("https://localhost", port("TLS13"), Some(leaf_only));
    get_small_ok(&mut client);
    let chain = trusting().with_revocation_lists(lists(&["intermediate.crl"]));
    assert_eq!(
        handshake_failure("https://localhost", port("TLS13"), Some(chain)),
        TlsErrorKind::RevocationUnknown
    );
    // Without lists the revoked leaf is an ordinary good one.
    let mut client = connected("https://localhost", revoked, Some(trusting()));
    get_small_ok(&mut client);
}

/// The client certificate `name` (`client-rsa`, ...) and its key, from openssl's files.
fn presenting(name: &str) -> TlsOptions {
    trusting().with_client_certificate(
        Certificates::from_pem_file(cert_file(&format!("{name}.pem"))).expect("certificate"),
        PrivateKey::from_pem_file(cert_file(&format!("{name}.key"))).expect("key"),
    )
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn nginx_verifies_rsa_ecdsa_and_ed25519_client_certificates() {
    let port = port("CLIENT_AUTH");
    for name in ["client-rsa", "client-ecdsa", "client-ed25519"] {
        for version in [TlsVersion::Tls12, TlsVersion::Tls13] {
            let tls = presenting(name)
                .with_min_version(version)
                .with_max_version(version);
            let mut client = connected("https://localhost", port, Some(tls));
            let body = String::from_utf8(get(&mut client, "/whoami")).expect("text");
            assert_eq!(client.response_code(), 200, "{name} {version:?}: {body}");
            let protocol = match version {
                TlsVersion::Tls12 => "TLSv1.2",
                TlsVersion::Tls13 => "TLSv1.3",
            };
            assert_eq!(
                body,
                format!("SUCCESS CN=pollhttp {name} {protocol}\n"),
                "{name} {version:?}"
            );
            // The connection stays usable.
            get_small_ok(&mut client);
        }
    }
}

/// nginx asks but finishes the handshake without a certificate, or with one it cannot
/// verify, and answers 400: no TLS failure to report then.
#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn nginx_answers_400_without_a_good_client_certificate() {
    let port = port("CLIENT_AUTH");
    for tls in [trusting(), presenting("client-stranger")] {
        let mut client = connected("https://localhost", port, Some(tls));
        let body = String::from_utf8_lossy(&get(&mut client, "/whoami")).into_owned();
        assert_eq!(client.response_code(), 400, "{body}");
        assert!(body.contains("SSL certificate"), "{body}");
    }
}

#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn http_request_presents_a_client_certificate_to_nginx() {
    let mut http = http_request();
    http.set_tls_options(Some(presenting("client-ecdsa")));
    let done = fetched(&mut http, &url_on("CLIENT_AUTH", "/whoami"));
    assert_success(&done, "whoami");
    assert!(
        done.body.starts_with(b"SUCCESS CN=pollhttp client-ecdsa"),
        "{}",
        String::from_utf8_lossy(&done.body)
    );
}

/// nginx staples what `openssl ocsp` answered: "good" for one leaf, "revoked" for the
/// other (which the CRL tests use without a staple).
#[test]
#[ignore = "needs nginx: run scripts/interop.sh"]
fn stapled_ocsp_responses_from_nginx_are_checked() {
    for version in [TlsVersion::Tls12, TlsVersion::Tls13] {
        let bounded = |tls: TlsOptions| tls.with_min_version(version).with_max_version(version);
        let strict = bounded(trusting().require_ocsp_staple());
        let mut client = connected("https://localhost", port("STAPLED"), Some(strict.clone()));
        get_small_ok(&mut client);
        assert_eq!(
            handshake_failure(
                "https://localhost",
                port("REVOKED_STAPLED"),
                Some(bounded(trusting()))
            ),
            TlsErrorKind::Revoked,
            "{version:?}"
        );
        // The vhosts without a staple fail only when one is required.
        assert_eq!(
            handshake_failure(
                "https://localhost",
                port("TLS13"),
                Some(trusting().require_ocsp_staple())
            ),
            TlsErrorKind::StapleMissing
        );
        let mut client = connected(
            "https://localhost",
            port("REVOKED_STAPLED"),
            Some(bounded(trusting().ignore_ocsp_staples())),
        );
        get_small_ok(&mut client);
    }
}
