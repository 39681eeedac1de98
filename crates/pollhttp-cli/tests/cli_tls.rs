//! The `pollhttp` binary's TLS flags (`--cacert`, `-k`, `--pinnedpubkey`, `--tlsv1.2`,
//! `--tlsv1.3`, `--tls-max`, `--ca-native`, `--crlfile`, `--cert`, `--key`) and their curl
//! exit codes, against an in-process rustls server on 127.0.0.1 with certificates and
//! revocation lists made at test time.

mod runner;

use pollhttp_testserver::certs::{
    ocsp_response, self_signed, Ca, KeyKind, Leaf, OcspEntry, OcspSigner, Validity,
};
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
        Server::start_chain(std::slice::from_ref(&leaf.der), leaf, versions)
    }

    /// Presents `chain` (leaf first) with `leaf`'s key.
    fn start_chain(
        chain: &[rustls::pki_types::CertificateDer<'static>],
        leaf: &Leaf,
        versions: &[&'static SupportedProtocolVersion],
    ) -> Server {
        let provider = pollhttp::TlsOptions::default_crypto_provider();
        let config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain.to_vec(), leaf.key())
            .expect("server config");
        Server::with_config(config)
    }

    /// Presents `chain` (leaf first) with `leaf`'s key, stapling `ocsp`.
    fn stapling(
        chain: &[rustls::pki_types::CertificateDer<'static>],
        leaf: &Leaf,
        ocsp: Vec<u8>,
    ) -> Server {
        let provider = pollhttp::TlsOptions::default_crypto_provider();
        let config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&TLS13, &TLS12])
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert_with_ocsp(chain.to_vec(), leaf.key(), ocsp)
            .expect("server config");
        Server::with_config(config)
    }

    /// Requires a client certificate issued by `client_ca`.
    fn requiring_client_cert(
        leaf: &Leaf,
        versions: &[&'static SupportedProtocolVersion],
        client_ca: &Ca,
    ) -> Server {
        let provider = pollhttp::TlsOptions::default_crypto_provider();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(client_ca.der.clone()).expect("client CA");
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .build()
        .expect("client verifier");
        let config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(vec![leaf.der.clone()], leaf.key())
            .expect("server config");
        Server::with_config(config)
    }

    fn with_config(config: ServerConfig) -> Server {
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
    while tls.conn.is_handshaking() {
        if tls.conn.complete_io(&mut tls.sock).is_err() {
            // The alert is out; close without a reset, so that a client whose request
            // is already on the way (TLS 1.3) still reads it.
            let _ = tls.sock.shutdown(std::net::Shutdown::Write);
            let _ = tls.sock.set_read_timeout(Some(Duration::from_secs(2)));
            while matches!(tls.sock.read(&mut [0u8; 1024]), Ok(n) if n > 0) {}
            return;
        }
    }
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

// ----- revocation lists and client certificates -----------------------------------------

/// Runs pollhttp and curl with `args`; both must exit with `want` (and print the same).
#[track_caller]
fn both_exit(args: &[&str], want: i32) -> Run {
    let ours = pollhttp(args, &[]);
    let theirs = curl(args, &[]);
    assert_eq!(
        (ours.code, theirs.code),
        (want, want),
        "{args:?}\n pollhttp: {}\n curl: {}",
        ours.stderr,
        theirs.stderr
    );
    assert_eq!(ours.stdout, theirs.stdout, "{args:?}");
    ours
}

#[test]
fn crlfile_checks_the_server_certificate_as_curl_does() {
    let (ca, ca_file, leaf, server) = trusted_setup(&[&TLS13, &TLS12]);
    let url = server.url();
    let crl = |c: &pollhttp_testserver::certs::Crl| TempFile::with(&c.pem);
    let run = |crl: &TempFile, want: i32| {
        both_exit(
            &["--cacert", ca_file.path(), "--crlfile", crl.path(), &url],
            want,
        )
    };

    let r = run(&crl(&ca.crl(&[])), 0);
    assert_ok(&r, "TLSv1_3");
    let r = run(&crl(&ca.crl(&[leaf.serial])), 60);
    assert!(r.stderr.contains("certificate is revoked"), "{}", r.stderr);
    // A list of another issuer leaves the status unknown: curl (OpenSSL) refuses that.
    let r = run(&crl(&Ca::root("some other CA").crl(&[leaf.serial])), 60);
    assert!(
        r.stderr.contains("revocation status is unknown"),
        "{}",
        r.stderr
    );
    // A list past its next update: refused by both.
    let r = run(&crl(&ca.crl_with(&[], Validity::Expired)), 60);
    assert!(
        r.stderr.contains("revocation list has expired"),
        "{}",
        r.stderr
    );

    // Files that hold no list are 82.
    let r = run(&TempFile::with(&ca.pem), 82);
    assert!(r.stderr.contains("error loading CRL file"), "{}", r.stderr);
    let missing = "/nonexistent/pollhttp/ca.crl";
    both_exit(
        &["--cacert", ca_file.path(), "--crlfile", missing, &url],
        82,
    );

    // -v says what is checked.
    let good = crl(&ca.crl(&[]));
    let r = pollhttp(
        &[
            "-v",
            "--cacert",
            ca_file.path(),
            "--crlfile",
            good.path(),
            &url,
        ],
        &[],
    );
    assert_ok(&r, "TLSv1_3");
    let expected = format!("checking revocation of the chain against {}", good.path());
    assert!(r.stderr.contains(&expected), "{}", r.stderr);
}

/// curl with OpenSSL checks the whole chain: a revoked intermediate fails, and every
/// issuer on the way needs its list.
#[test]
fn crlfile_checks_intermediates_too() {
    let root = Ca::root("pollhttp CLI test CA");
    let ca_file = TempFile::with(&root.pem);
    let intermediate = root.intermediate("pollhttp CLI intermediate");
    let leaf = intermediate.leaf(&["127.0.0.1"]);
    let chain = [leaf.der.clone(), intermediate.der.clone()];
    let server = Server::start_chain(&chain, &leaf, &[&TLS13]);
    let url = server.url();
    let run = |lists: &[&pollhttp_testserver::certs::Crl], want: i32| {
        let pem: String = lists.iter().map(|c| c.pem.as_str()).collect();
        let file = TempFile::with(&pem);
        both_exit(
            &["--cacert", ca_file.path(), "--crlfile", file.path(), &url],
            want,
        )
    };
    let r = run(&[&root.crl(&[]), &intermediate.crl(&[])], 0);
    assert_ok(&r, "TLSv1_3");
    let r = run(
        &[&root.crl(&[intermediate.serial]), &intermediate.crl(&[])],
        60,
    );
    assert!(
        r.stderr.contains("an intermediate certificate"),
        "{}",
        r.stderr
    );
    run(&[&root.crl(&[]), &intermediate.crl(&[leaf.serial])], 60);
    // The intermediate's list alone leaves the intermediate's status unknown.
    let r = run(&[&intermediate.crl(&[])], 60);
    assert!(
        r.stderr.contains("revocation status is unknown"),
        "{}",
        r.stderr
    );
}

/// Where pollhttp parts from curl: a list in DER is read too (curl's OpenSSL reads PEM
/// only, 82); and `-k` without `--cacert` ignores the lists in both.
#[test]
fn crlfile_in_der_and_with_insecure() {
    let (ca, ca_file, leaf, server) = trusted_setup(&[&TLS13, &TLS12]);
    let url = server.url();
    let der = TempFile::with_bytes(ca.crl(&[leaf.serial]).der.as_ref());
    let args = ["--cacert", ca_file.path(), "--crlfile", der.path(), &url];
    assert_fails(&pollhttp(&args, &[]), 60, "certificate is revoked");
    assert_eq!(curl(&args, &[]).code, 82);
    let revoking = TempFile::with(&ca.crl(&[leaf.serial]).pem);
    let r = both_exit(&["-k", "--crlfile", revoking.path(), &url], 0);
    assert_ok(&r, "TLSv1_3");
}

/// A client certificate and key in files, as `--cert` and `--key` take them.
struct ClientFiles {
    cert: TempFile,
    key: TempFile,
    both: TempFile,
}

fn client_files(leaf: &Leaf) -> ClientFiles {
    ClientFiles {
        cert: TempFile::with(&leaf.pem),
        key: TempFile::with(leaf.key_pem()),
        both: TempFile::with(&format!("{}{}", leaf.pem, leaf.key_pem())),
    }
}

#[test]
fn client_certificates_are_sent_as_curl_sends_them() {
    let (_ca, ca_file, leaf, _server) = trusted_setup(&[&TLS13]);
    let client_ca = Ca::root("pollhttp CLI client CA");
    for version in [&TLS12, &TLS13] {
        let server = Server::requiring_client_cert(&leaf, &[version], &client_ca);
        let url = server.url();
        let ca = ca_file.path();
        for kind in [
            KeyKind::Rsa,
            KeyKind::EcdsaP256,
            KeyKind::EcdsaP384,
            KeyKind::Ed25519,
        ] {
            let files = client_files(&client_ca.client("cli client", kind));
            let r = both_exit(
                &[
                    "--cacert",
                    ca,
                    "--cert",
                    files.cert.path(),
                    "--key",
                    files.key.path(),
                    &url,
                ],
                0,
            );
            assert!(r.stdout.starts_with("secure hello"), "{}", r.stdout);
            // Certificate and key in one file, and curl's FILE:PASSWORD form.
            both_exit(&["--cacert", ca, "--cert", files.both.path(), &url], 0);
            let with_password = format!("{}:unused", files.both.path());
            both_exit(&["--cacert", ca, "-E", &with_password, &url], 0);
        }
    }
}

#[test]
fn a_server_that_refuses_gives_curls_codes_98_or_35_in_tls_1_2_and_56_in_tls_1_3() {
    let (_ca, ca_file, leaf, _server) = trusted_setup(&[&TLS13]);
    let client_ca = Ca::root("pollhttp CLI client CA");
    let stranger = client_files(&Ca::root("stranger CA").client("cli client", KeyKind::EcdsaP256));
    // rustls's server sends certificate_required in TLS 1.2 too: curl's 98 there.
    for (version, missing, rejected) in [(&TLS12, 98, 35), (&TLS13, 56, 56)] {
        let server = Server::requiring_client_cert(&leaf, &[version], &client_ca);
        let url = server.url();
        let ca = ca_file.path();
        let r = both_exit(&["--cacert", ca, &url], missing);
        assert!(
            r.stderr.contains("requires a client certificate"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("--cert FILE presents one"),
            "{}",
            r.stderr
        );
        // --key alone is ignored, as curl ignores it.
        let key = client_files(&client_ca.client("cli client", KeyKind::EcdsaP256));
        both_exit(&["--cacert", ca, "--key", key.key.path(), &url], missing);
        let r = both_exit(
            &["--cacert", ca, "--cert", stranger.both.path(), &url],
            rejected,
        );
        assert!(
            r.stderr.contains("rejected the client certificate"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn unusable_client_certificates_are_exit_58() {
    let (_ca, ca_file, leaf, _server) = trusted_setup(&[&TLS13]);
    let client_ca = Ca::root("pollhttp CLI client CA");
    let server = Server::requiring_client_cert(&leaf, &[&TLS13], &client_ca);
    let url = server.url();
    let ca = ca_file.path();
    let mine = client_files(&client_ca.client("cli client", KeyKind::EcdsaP256));
    let other = client_files(&client_ca.client("cli client", KeyKind::EcdsaP256));

    let r = both_exit(
        &[
            "--cacert",
            ca,
            "--cert",
            "/nonexistent/pollhttp/me.pem",
            &url,
        ],
        58,
    );
    assert!(
        r.stderr.contains("/nonexistent/pollhttp/me.pem"),
        "{}",
        r.stderr
    );
    // A certificate without its key.
    let r = both_exit(&["--cacert", ca, "--cert", mine.cert.path(), &url], 58);
    assert!(r.stderr.contains("no PRIVATE KEY"), "{}", r.stderr);
    // Another certificate's key.
    let r = both_exit(
        &[
            "--cacert",
            ca,
            "--cert",
            mine.cert.path(),
            "--key",
            other.key.path(),
            &url,
        ],
        58,
    );
    assert!(
        r.stderr.contains("not for this private key"),
        "{}",
        r.stderr
    );
    // A key file that is not a key.
    both_exit(
        &[
            "--cacert",
            ca,
            "--cert",
            mine.cert.path(),
            "--key",
            mine.cert.path(),
            &url,
        ],
        58,
    );
}

/// Where pollhttp parts from curl: encrypted keys are refused (58) even with the
/// password, which curl takes from `--cert FILE:PASSWORD`.
#[test]
fn encrypted_keys_are_refused_with_58() {
    let (_ca, ca_file, leaf, _server) = trusted_setup(&[&TLS13]);
    let client_ca = Ca::root("pollhttp CLI client CA");
    let server = Server::requiring_client_cert(&leaf, &[&TLS13], &client_ca);
    let mine = client_files(&client_ca.client("cli client", KeyKind::EcdsaP256));
    let encrypted = TempFile::with("");
    let made = std::process::Command::new("openssl")
        .args([
            "pkey",
            "-in",
            mine.key.path(),
            "-aes128",
            "-passout",
            "pass:secret",
        ])
        .args(["-out", encrypted.path()])
        .status()
        .expect("openssl (apt-get install openssl)");
    assert!(made.success());
    let cert = format!("{}:secret", mine.cert.path());
    let args = [
        "--cacert",
        ca_file.path(),
        "--cert",
        &cert,
        "--key",
        encrypted.path(),
        &server.url(),
    ];
    let r = pollhttp(&args, &[]);
    assert_fails(&r, 58, "encrypted");
    let theirs = curl(&args, &[]);
    assert_eq!(theirs.code, 0, "{}", theirs.stderr);
}

#[test]
fn cert_status_requires_a_good_staple_as_curl_does() {
    let root = Ca::root("pollhttp CLI test CA");
    let ca_file = TempFile::with(&root.pem);
    let intermediate = root.intermediate("pollhttp CLI intermediate");
    let leaf = intermediate.leaf(&["127.0.0.1"]);
    let chain = [leaf.der.clone(), intermediate.der.clone()];
    let staple = |entry| ocsp_response(&intermediate, &leaf, entry, OcspSigner::Issuer);
    let ca = ca_file.path();

    let good = Server::stapling(&chain, &leaf, staple(OcspEntry::Valid));
    let r = both_exit(&["--cacert", ca, "--cert-status", &good.url()], 0);
    assert_ok(&r, "TLSv1_3");
    let revoked = Server::stapling(&chain, &leaf, staple(OcspEntry::Revoked));
    let r = both_exit(&["--cacert", ca, "--cert-status", &revoked.url()], 91);
    assert!(r.stderr.contains("revoked"), "{}", r.stderr);
    // Without the flag a staple is not looked at, by either.
    both_exit(&["--cacert", ca, &revoked.url()], 0);
    let none = Server::start_chain(&chain, &leaf, &[&TLS13]);
    let r = both_exit(&["--cacert", ca, "--cert-status", &none.url()], 91);
    assert!(
        r.stderr.contains("no stapled OCSP response"),
        "{}",
        r.stderr
    );
    // Signed by someone else.
    let forged = ocsp_response(
        &intermediate,
        &leaf,
        OcspEntry::Valid,
        OcspSigner::Stranger(&Ca::root("stranger")),
    );
    let forged = Server::stapling(&chain, &leaf, forged);
    let r = both_exit(&["--cacert", ca, "--cert-status", &forged.url()], 91);
    assert!(r.stderr.contains("cannot be trusted"), "{}", r.stderr);

    // -v says so; -k alone leaves no chain to check the staple against.
    let r = pollhttp(&["-v", "--cacert", ca, "--cert-status", &good.url()], &[]);
    assert!(
        r.stderr.contains("requiring a good stapled OCSP response"),
        "{}",
        r.stderr
    );
    assert_fails(
        &pollhttp(&["-k", "--cert-status", &good.url()], &[]),
        2,
        "--cert-status",
    );
}
