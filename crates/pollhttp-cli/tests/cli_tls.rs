//! The `pollhttp` binary's TLS flags (`--cacert`, `-k`, `--pinnedpubkey`, `--tlsv1.2`,
//! `--tlsv1.3`, `--tls-max`, `--ca-native`) and their curl exit codes, against an
//! in-process rustls server on 127.0.0.1 with certificates made at test time.

mod runner;

use pollhttp_testserver::certs::{self_signed, Ca, Leaf};
use runner::{curl, pollhttp, Run};
use rustls::version::{TLS12, TLS13};
use rustls::{ServerConfig, ServerConnection, StreamOwned, SupportedProtocolVersion};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Guards the server against a client that stops talking; no test comes near it.
const STALL: Duration = Duration::from_secs(20);

// ----- certificates ---------------------------------------------------------------------

/// The curl pin of `leaf`'s public key, computed here independently of pollhttp:
/// `sha256//` and the base64 SHA-256 of its SubjectPublicKeyInfo.
fn pin(leaf: &Leaf) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, &leaf.spki);
    format!("sha256//{}", base64(digest.as_ref()))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A file in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn with(contents: &str) -> TempFile {
        TempFile::with_bytes(contents.as_bytes())
    }

    fn with_bytes(contents: &[u8]) -> TempFile {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("pollhttp-cli-tls-{}-{n}.pem", std::process::id()));
        std::fs::write(&path, contents).expect("write temporary file");
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("temporary path is UTF-8")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// ----- server ---------------------------------------------------------------------------

/// An HTTPS server on 127.0.0.1 answering every request with the TLS version it
/// negotiated, one connection at a time, until dropped.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(leaf: &Leaf, versions: &[&'static SupportedProtocolVersion]) -> Server {
        let provider = pollhttp::TlsOptions::default_crypto_provider();
        let config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(vec![leaf.der.clone()], leaf.key())
            .expect("server config");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for tcp in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(tcp) = tcp {
                    serve(Arc::clone(&config), tcp);
                }
            }
        });
        Server {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One connection: handshake, read the request head, answer, close with close_notify.
/// A client that rejects the handshake just ends it.
fn serve(config: Arc<ServerConfig>, tcp: TcpStream) {
    let _ = tcp.set_read_timeout(Some(STALL));
    let _ = tcp.set_write_timeout(Some(STALL));
    let Ok(conn) = ServerConnection::new(config) else {
        return;
    };
    let mut tls = StreamOwned::new(conn, tcp);
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match tls.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let body = format!("secure hello over {:?}\n", tls.conn.protocol_version());
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = tls.write_all(reply.as_bytes());
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

#[track_caller]
fn assert_ok(r: &Run, version: &str) {
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.stdout, format!("secure hello over Some({version})\n"));
}

#[track_caller]
fn assert_fails(r: &Run, code: i32, words: &str) {
    assert_eq!(r.code, code, "stdout: {} stderr: {}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "stdout: {}", r.stdout);
    assert!(r.stderr.contains(words), "{words:?} not in: {}", r.stderr);
}

/// A CA, its PEM in a file, and a server with a certificate from it for 127.0.0.1.
fn trusted_setup(versions: &[&'static SupportedProtocolVersion]) -> (Ca, TempFile, Leaf, Server) {
    let ca = Ca::root("pollhttp CLI test CA");
    let ca_file = TempFile::with(&ca.pem);
    let leaf = ca.leaf(&["127.0.0.1"]);
    let server = Server::start(&leaf, versions);
    (ca, ca_file, leaf, server)
}

// ----- tests ----------------------------------------------------------------------------

#[test]
fn cacert_makes_the_server_trusted() {
    let (_ca, ca_file, _leaf, server) = trusted_setup(&[&TLS13, &TLS12]);
    let r = pollhttp(&["--cacert", ca_file.path(), &server.url()], &[]);
    assert_ok(&r, "TLSv1_3");
    // -v says what is checked and which versions are offered.
    let r = pollhttp(&["-v", "--cacert", ca_file.path(), &server.url()], &[]);
    assert_ok(&r, "TLSv1_3");
    let expected = format!(
        "* TLS: verifying chain and name against CA file {}; offering TLS 1.2 to 1.3",
        ca_file.path()
    );
    assert!(r.stderr.contains(&expected), "{}", r.stderr);
    assert!(r.stderr.contains("* TLS: negotiated Tls13"), "{}", r.stderr);
}

#[test]
fn an_unknown_issuer_is_exit_60() {
    let (_ca, _ca_file, _leaf, server) = trusted_setup(&[&TLS13, &TLS12]);
    let r = pollhttp(&[&server.url()], &[]);
    assert_fails(&r, 60, "certificate issuer is not trusted");
    assert!(r.stderr.contains("UnknownIssuer"), "{}", r.stderr);
    // Another CA's file does not help either: only the given file is trusted.
    let other = TempFile::with(&Ca::root("some other CA").pem);
    let r = pollhttp(&["--cacert", other.path(), &server.url()], &[]);
    assert_fails(&r, 60, "certificate issuer is not trusted");
    // -k with a CA file still checks the chain against it.
    let r = pollhttp(&["-k", "--cacert", other.path(), &server.url()], &[]);
    assert_fails(&r, 60, "certificate issuer is not trusted");
}

#[test]
fn a_self_signed_server_is_exit_60_unless_insecure() {
    let server = Server::start(&self_signed(&["127.0.0.1"]), &[&TLS13, &TLS12]);
    let r = pollhttp(&[&server.url()], &[]);
    assert_fails(&r, 60, "self-signed certificate is not trusted");
    let r = pollhttp(&["--insecure", &server.url()], &[]);
    assert_ok(&r, "TLSv1_3");
}

#[test]
fn a_wrong_name_is_exit_60_and_insecure_accepts_it() {
    let ca = Ca::root("pollhttp CLI test CA");
    let ca_file = TempFile::with(&ca.pem);
    let server = Server::start(&ca.leaf(&["elsewhere.test"]), &[&TLS13, &TLS12]);
    let r = pollhttp(&["--cacert", ca_file.path(), &server.url()], &[]);
    assert_fails(&r, 60, "certificate is not valid for this name");
    let r = pollhttp(&["-k", "--cacert", ca_file.path(), &server.url()], &[]);
    assert_ok(&r, "TLSv1_3");
    let r = pollhttp(&["-k", &server.url()], &[]);
    assert_ok(&r, "TLSv1_3");
}

#[test]
fn pinned_public_keys_match_or_fail_with_90() {
    let (_ca, ca_file, leaf, server) = trusted_setup(&[&TLS13, &TLS12]);
    let other_pin = pin(&Ca::root("unrelated").leaf(&["127.0.0.1"]));
    let leaf_pin = pin(&leaf);
    let url = server.url();
    let ca = ca_file.path();

    let r = pollhttp(&["--cacert", ca, "--pinnedpubkey", &leaf_pin, &url], &[]);
    assert_ok(&r, "TLSv1_3");
    let both = format!("{other_pin};{}", leaf_pin);
    let r = pollhttp(&["--cacert", ca, "--pinnedpubkey", &both, &url], &[]);
    assert_ok(&r, "TLSv1_3");

    let r = pollhttp(&["--cacert", ca, "--pinnedpubkey", &other_pin, &url], &[]);
    assert_fails(&r, 90, "public key does not match the pinned keys");
    // The error names the key the server has, ready to pin.
    assert!(r.stderr.contains(&leaf_pin), "{}", r.stderr);

    // -k skips the certificate checks but never the pin.
    let r = pollhttp(&["-k", "--pinnedpubkey", &other_pin, &url], &[]);
    assert_fails(&r, 90, "public key does not match the pinned keys");
    let r = pollhttp(&["-k", "--pinnedpubkey", &leaf_pin, &url], &[]);
    assert_ok(&r, "TLSv1_3");

    // A malformed sha256// list is refused before connecting.
    let r = pollhttp(&["-k", "--pinnedpubkey", "sha256//AAAA", &url], &[]);
    assert_fails(&r, 2, "--pinnedpubkey");
}

/// `--pinnedpubkey FILE`: the server's public key itself, in PEM or DER, as curl takes it;
/// and both clients give the same exit codes and output for every kind of value.
#[test]
fn pinned_public_key_files_in_pem_and_der_agree_with_curl() {
    let (ca, ca_file, leaf, server) = trusted_setup(&[&TLS13, &TLS12]);
    let url = server.url();
    let der = TempFile::with_bytes(&leaf.spki);
    let pem = TempFile::with(&public_key_pem(&leaf.spki));
    let other = TempFile::with(&public_key_pem(&Ca::root("unrelated").leaf(&["x"]).spki));
    let cases: [(&str, i32); 6] = [
        (der.path(), 0),
        (pem.path(), 0),
        (other.path(), 90),
        // A certificate is not a public key.
        (ca_file.path(), 90),
        ("/nonexistent/pollhttp/key.pem", 90),
        (&format!("{};{}", pin(&ca.leaf(&["y"])), pin(&leaf)), 0),
    ];
    for (value, want) in cases {
        for insecure in [true, false] {
            let mut args = vec!["--pinnedpubkey", value, &url];
            if insecure {
                args.insert(0, "-k");
            } else {
                args.splice(0..0, ["--cacert", ca_file.path()]);
            }
            let ours = pollhttp(&args, &[]);
            assert_eq!(ours.code, want, "{args:?}: {}", ours.stderr);
            if want == 0 {
                assert_ok(&ours, "TLSv1_3");
            } else {
                assert!(
                    ours.stderr.contains("pinned") || ours.stderr.contains("--pinnedpubkey"),
                    "{}",
                    ours.stderr
                );
            }
            let theirs = curl(&args, &[]);
            assert_eq!(
                (theirs.code, theirs.stdout.as_str()),
                (ours.code, ours.stdout.as_str()),
                "curl {args:?}: {}",
                theirs.stderr
            );
        }
    }
}

/// `der` as a PEM `PUBLIC KEY` block, as `openssl pkey -pubout` writes it.
fn public_key_pem(der: &[u8]) -> String {
    let b64 = base64(der);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem
}

#[test]
fn minimum_version_above_the_server_is_exit_35() {
    let (_ca, ca_file, _leaf, server) = trusted_setup(&[&TLS12]);
    let ca = ca_file.path();
    let r = pollhttp(&["--cacert", ca, "--tlsv1.3", &server.url()], &[]);
    assert_fails(&r, 35, "no TLS version in common");
    let r = pollhttp(&["--cacert", ca, "--tlsv1.2", &server.url()], &[]);
    assert_ok(&r, "TLSv1_2");
    // The last of --tlsv1.3 / --tlsv1.2 counts, as in curl.
    let r = pollhttp(
        &["--cacert", ca, "--tlsv1.3", "--tlsv1.2", &server.url()],
        &[],
    );
    assert_ok(&r, "TLSv1_2");
}

#[test]
fn maximum_version_below_the_server_is_exit_35() {
    let (_ca, ca_file, _leaf, server) = trusted_setup(&[&TLS13]);
    let ca = ca_file.path();
    let r = pollhttp(&["--cacert", ca, "--tls-max", "1.2", &server.url()], &[]);
    assert_fails(&r, 35, "no TLS version in common");
    let r = pollhttp(&["--cacert", ca, "--tls-max", "1.3", &server.url()], &[]);
    assert_ok(&r, "TLSv1_3");
}

#[test]
fn tls_max_is_what_gets_negotiated() {
    let (_ca, ca_file, _leaf, server) = trusted_setup(&[&TLS13, &TLS12]);
    let ca = ca_file.path();
    let r = pollhttp(&["--cacert", ca, "--tls-max", "1.2", &server.url()], &[]);
    assert_ok(&r, "TLSv1_2");
    // Nothing left to offer.
    let r = pollhttp(
        &[
            "--cacert",
            ca,
            "--tlsv1.3",
            "--tls-max",
            "1.2",
            &server.url(),
        ],
        &[],
    );
    assert_fails(&r, 35, "--tls-max 1.2");
}

#[test]
fn an_unusable_ca_file_is_exit_77() {
    let (_ca, _ca_file, _leaf, server) = trusted_setup(&[&TLS13, &TLS12]);
    let missing = std::env::temp_dir().join(format!(
        "pollhttp-cli-tls-{}-missing.pem",
        std::process::id()
    ));
    assert!(!missing.exists());
    let missing = missing.to_str().unwrap();
    let r = pollhttp(&["--cacert", missing, &server.url()], &[]);
    assert_fails(&r, 77, missing);
    // -k does not make a broken file acceptable.
    let r = pollhttp(&["-k", "--cacert", missing, &server.url()], &[]);
    assert_fails(&r, 77, missing);
    let not_pem = TempFile::with("this is not a certificate\n");
    let r = pollhttp(&["--cacert", not_pem.path(), &server.url()], &[]);
    assert_fails(&r, 77, "no CERTIFICATE block");
}

#[test]
fn ca_native_uses_the_operating_system_store() {
    let (_ca, ca_file, _leaf, server) = trusted_setup(&[&TLS13, &TLS12]);
    // The store reader honours SSL_CERT_FILE, which stands in for the system's store.
    let env = [("SSL_CERT_FILE", ca_file.path())];
    let r = pollhttp(&["--ca-native", &server.url()], &env);
    assert_ok(&r, "TLSv1_3");
    // Without the flag the bundled roots are used, and they do not know the test CA.
    let r = pollhttp(&[&server.url()], &env);
    assert_fails(&r, 60, "certificate issuer is not trusted");
}

#[test]
fn base64_matches_known_values() {
    assert_eq!(base64(b""), "");
    assert_eq!(base64(b"f"), "Zg==");
    assert_eq!(base64(b"fo"), "Zm8=");
    assert_eq!(base64(b"foo"), "Zm9v");
    assert_eq!(base64(b"foob"), "Zm9vYg==");
    // The SHA-256 of nothing, as in curl's documentation of pins.
    let empty = ring::digest::digest(&ring::digest::SHA256, b"");
    assert_eq!(
        base64(empty.as_ref()),
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    );
}
