//! `tls-frame`: the longest single call a frame loop makes into pollhttp while it connects
//! over TLS and fetches one small body. A game pays that call in one frame's time.
//!
//! ```text
//! tls-frame [ROUNDS] [--cases private,resumed,bundled] [--kx x25519|p256|p384]
//!           [--suite aes128|aes256|chacha] [--chain p256|p384] [--body BYTES]
//! ```
//!
//! It makes an ECDSA root, an intermediate and a leaf for `localhost` at start (rcgen:
//! P-256 keys; with `--chain p384` the root's and the intermediate's are P-384, as in
//! Let's Encrypt's ECDSA chain), serves the leaf and the intermediate from a rustls server
//! thread on 127.0.0.1, and runs ROUNDS rounds (default 300) of each case: `connect_to_host("https://localhost")`, `poll()` until CONNECTED, `request()`,
//! `poll()` until the head, `poll()` and `read_response_body_into()` until the end of the
//! body, `close()`. Each of those calls is timed alone, by the wall clock and by the
//! thread's CPU clock (which a busy machine disturbs far less); between calls that made
//! no progress the loop sleeps in `wait()`, untimed, as a frame loop sleeps until its next
//! frame. With two or more cores the client and the server run on different ones.
//!
//! Cases (TLS 1.3 is negotiated in all of them):
//! - `private`: `TlsOptions::client(Some(private CA), None)`, new options every round, as a
//!   program that makes its options per request: a full handshake each time, and the
//!   rustls configuration is built inside the first TLS `poll()`.
//! - `resumed`: one `TlsOptions` cloned every round: the first round as above, the others
//!   resume the session (no certificate to verify).
//! - `bundled`: the Mozilla roots bundled with pollhttp plus the private CA in one rustls
//!   root store, through `TlsOptions::from_rustls_config` (built once before the rounds,
//!   resumption off): a full handshake whose chain check searches the whole bundled store.
//!
//! `--kx` puts one key exchange group first in the client's provider (the client sends a
//! key share for its first group only): `p384` is what rustls 0.23.48's ring order made
//! the client send. `--suite` puts one TLS 1.3 cipher suite first (the server here takes
//! the client's order). Also printed: what the cryptography alone costs here (ring's key
//! exchanges and ECDSA verifications, the floor of a full handshake) and what building
//! TLS options costs outside any poll.
//!
//! The last line per case, `summary case=… max_us=…`, is what `scripts/bench.sh` collects.
//! Exit status 1 when a round fails (a wrong status, code or body), never on a timing.

mod server;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pollhttp::tls::rustls::client::Resumption;
use pollhttp::tls::rustls::crypto::CryptoProvider;
use pollhttp::tls::rustls::{CipherSuite, ClientConfig, NamedGroup, RootCertStore};
use pollhttp::{Certificates, HttpClient, Method, Status, TlsOptions};
use pollhttp_testserver::certs::{Ca, Curve};
use rustix::thread::CpuSet;

/// The sleep between calls that made no progress; a reply ends it sooner.
const WAIT: Option<Duration> = Some(Duration::from_millis(100));

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("tls-frame: {e}\nusage: tls-frame [ROUNDS] [--cases private,resumed,bundled] [--kx x25519|p256|p384] [--suite aes128|aes256|chacha] [--chain p256|p384] [--body BYTES]");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tls-frame: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Args {
    rounds: usize,
    cases: Vec<String>,
    kx: Option<NamedGroup>,
    suite: Option<CipherSuite>,
    chain: Curve,
    body: usize,
}

impl Args {
    fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut args = Args {
            rounds: 300,
            cases: vec!["private".into(), "resumed".into(), "bundled".into()],
            kx: None,
            suite: None,
            chain: Curve::P256,
            body: 1024,
        };
        while let Some(a) = it.next() {
            let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
            match a.as_str() {
                "--cases" => {
                    args.cases = value("--cases")?.split(',').map(str::to_owned).collect();
                    if let Some(bad) = args
                        .cases
                        .iter()
                        .find(|c| !["private", "resumed", "bundled"].contains(&c.as_str()))
                    {
                        return Err(format!("unknown case {bad:?}"));
                    }
                }
                "--kx" => {
                    args.kx = Some(match value("--kx")?.as_str() {
                        "x25519" => NamedGroup::X25519,
                        "p256" => NamedGroup::secp256r1,
                        "p384" => NamedGroup::secp384r1,
                        other => return Err(format!("unknown group {other:?}")),
                    })
                }
                "--suite" => {
                    args.suite = Some(match value("--suite")?.as_str() {
                        "aes128" => CipherSuite::TLS13_AES_128_GCM_SHA256,
                        "aes256" => CipherSuite::TLS13_AES_256_GCM_SHA384,
                        "chacha" => CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
                        other => return Err(format!("unknown suite {other:?}")),
                    })
                }
                "--chain" => {
                    args.chain = match value("--chain")?.as_str() {
                        "p256" => Curve::P256,
                        "p384" => Curve::P384,
                        other => return Err(format!("unknown chain {other:?}")),
                    }
                }
                "--body" => {
                    args.body = value("--body")?
                        .parse()
                        .map_err(|e| format!("--body: {e}"))?
                }
                n if !n.starts_with('-') => {
                    args.rounds = n.parse().map_err(|e| format!("rounds {n:?}: {e}"))?
                }
                other => return Err(format!("unknown option {other}")),
            }
        }
        if args.rounds == 0 {
            return Err("at least one round".into());
        }
        Ok(args)
    }
}

fn run(args: &Args) -> Result<(), String> {
    let cpus = allowed_cpus();
    let (client_cpu, server_cpu) = match cpus.as_slice() {
        [first, .., last] => (Some(*last), Some(*first)),
        _ => (None, None),
    };
    // A root, an intermediate and a leaf, the server sending the leaf and the
    // intermediate as public servers do: three signatures to verify per full handshake.
    let ca = Ca::root_on("tls-frame root", args.chain);
    let intermediate = ca.intermediate_on("tls-frame intermediate", args.chain);
    let leaf = intermediate.leaf(&["localhost", "127.0.0.1"]);
    let body = vec![b'x'; args.body];
    let chain = vec![leaf.der.clone(), intermediate.der.clone()];
    let port = server::start(chain, leaf.key(), body.clone(), server_cpu)
        .map_err(|e| format!("server: {e}"))?;
    // Threads inherit their creator's pinning: the resolver thread, started by the first
    // lookup, would share the client's core and could preempt it in the middle of a call.
    start_resolver(port)?;
    if let Some(cpu) = client_cpu {
        pin_current_thread(cpu);
    }
    println!(
        "tls-frame: {} rounds per case, GET of {} bytes over TLS 1.3 from a rustls server on 127.0.0.1 (ECDSA P-256 leaf, {}); client key share {}; {}",
        args.rounds,
        args.body,
        match args.chain {
            Curve::P256 => "P-256 intermediate and root",
            Curve::P384 => "P-384 intermediate and root",
        },
        args.kx.map_or("X25519 (the default provider's first group)".to_string(), |g| format!("{g:?}")),
        match (client_cpu, server_cpu) {
            (Some(c), Some(s)) => format!("client on CPU {c}, server on CPU {s}"),
            _ => "one CPU: client and server share it".to_string(),
        }
    );
    println!();
    crypto_floor();
    let ca_certs = Certificates::from_pem(ca.pem.as_bytes()).map_err(|e| e.to_string())?;
    setup_costs(&ca_certs, &ca);
    let provider = provider_with_first(args.kx, args.suite);
    for case in &args.cases {
        let rounds = run_case(case, args, port, &ca_certs, &ca, &provider, &body)?;
        rounds.report(case);
    }
    Ok(())
}

/// Looks up `localhost` once through a client, unmeasured, so that pollhttp's resolver
/// thread exists before the client's thread is pinned.
fn start_resolver(port: u16) -> Result<(), String> {
    let mut client = HttpClient::new();
    client
        .connect_to_host("localhost", Some(port), None)
        .map_err(|e| e.to_string())?;
    while client.status() == Status::Resolving {
        client.poll().map_err(|e| e.to_string())?;
        client.wait(WAIT).map_err(|e| e.to_string())?;
    }
    client.close();
    Ok(())
}

/// The default provider, with `group` and `suite` moved to the front of their lists.
fn provider_with_first(
    group: Option<NamedGroup>,
    suite: Option<CipherSuite>,
) -> Arc<CryptoProvider> {
    let mut provider = (*TlsOptions::default_crypto_provider()).clone();
    if let Some(group) = group {
        provider.kx_groups.sort_by_key(|g| g.name() != group);
    }
    if let Some(suite) = suite {
        provider.cipher_suites.sort_by_key(|s| s.suite() != suite);
    }
    Arc::new(provider)
}

fn run_case(
    case: &str,
    args: &Args,
    port: u16,
    ca_certs: &Certificates,
    ca: &Ca,
    provider: &Arc<CryptoProvider>,
    body: &[u8],
) -> Result<Rounds, String> {
    let private = || {
        TlsOptions::client(Some(ca_certs.clone()), None).with_crypto_provider(Arc::clone(provider))
    };
    let shared = match case {
        "resumed" => Some(private()),
        "bundled" => {
            let mut config = bundled_config(ca, provider)?;
            config.resumption = Resumption::disabled();
            Some(TlsOptions::from_rustls_config(Arc::new(config)).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    let mut rounds = Rounds::default();
    let mut client = HttpClient::new();
    let mut buf = vec![0u8; 16 * 1024];
    for round in 0..args.rounds {
        let options = shared.clone().unwrap_or_else(private);
        rounds
            .round(&mut client, round, options, port, body, &mut buf)
            .map_err(|e| format!("case {case}, round {round}: {e}"))?;
    }
    Ok(rounds)
}

/// The bundled Mozilla roots plus the private CA, in a rustls config over `provider`.
fn bundled_config(ca: &Ca, provider: &Arc<CryptoProvider>) -> Result<ClientConfig, String> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    roots.add(ca.der.clone()).map_err(|e| e.to_string())?;
    let mut config = ClientConfig::builder_with_provider(Arc::clone(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// A call the loop makes, by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Call {
    ConnectToHost,
    Poll(u8),
    Request,
    ReadBody,
    Close,
}

impl Call {
    fn poll(status: Status) -> Call {
        Call::Poll(status as u8)
    }

    fn name(self) -> String {
        match self {
            Call::ConnectToHost => "connect_to_host".into(),
            Call::Poll(s) => format!("poll {}", status_name(s)),
            Call::Request => "request".into(),
            Call::ReadBody => "read_response_body_into".into(),
            Call::Close => "close".into(),
        }
    }
}

fn status_name(status: u8) -> &'static str {
    const NAMES: [&str; 10] = [
        "DISCONNECTED",
        "RESOLVING",
        "CANT_RESOLVE",
        "CONNECTING",
        "CANT_CONNECT",
        "CONNECTED",
        "REQUESTING",
        "BODY",
        "CONNECTION_ERROR",
        "TLS_HANDSHAKE_ERROR",
    ];
    NAMES.get(usize::from(status)).copied().unwrap_or("?")
}

/// One timed call.
#[derive(Clone, Copy, Debug)]
struct Sample {
    call: Call,
    round: usize,
    /// How many calls of this kind came before it in its round.
    nth: usize,
    /// The status right after the call.
    after: u8,
    wall: Duration,
    cpu: Duration,
}

impl Sample {
    /// The table row it counts in: polls by status and by their rank in that status.
    fn row(&self) -> (Call, usize) {
        match self.call {
            Call::Poll(_) => (self.call, self.nth.min(2)),
            call => (call, 0),
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} (call {} of its kind in the round, status after: {}) in round {}: {:.0} µs wall, {:.0} µs CPU",
            self.call.name(),
            self.nth + 1,
            status_name(self.after),
            self.round,
            us(self.wall),
            us(self.cpu)
        )
    }
}

#[derive(Default)]
struct Rounds {
    samples: Vec<Sample>,
}

impl Rounds {
    fn timed<T>(
        &mut self,
        client: &mut HttpClient,
        round: usize,
        call: Call,
        f: impl FnOnce(&mut HttpClient) -> T,
    ) -> T {
        let cpu0 = thread_cpu();
        let t0 = Instant::now();
        let out = f(client);
        let wall = t0.elapsed();
        let cpu = thread_cpu().saturating_sub(cpu0);
        let nth = self
            .samples
            .iter()
            .rev()
            .take_while(|s| s.round == round)
            .filter(|s| s.call == call)
            .count();
        self.samples.push(Sample {
            call,
            round,
            nth,
            after: client.status() as u8,
            wall,
            cpu,
        });
        out
    }

    fn round(
        &mut self,
        c: &mut HttpClient,
        round: usize,
        options: TlsOptions,
        port: u16,
        body: &[u8],
        buf: &mut [u8],
    ) -> Result<(), String> {
        let wait = |c: &mut HttpClient| c.wait(WAIT).map(drop).map_err(|e| e.to_string());
        self.timed(c, round, Call::ConnectToHost, |c| {
            c.connect_to_host("https://localhost", Some(port), Some(options))
        })
        .map_err(|e| format!("connect_to_host: {e}"))?;
        while matches!(c.status(), Status::Resolving | Status::Connecting) {
            let call = Call::poll(c.status());
            // A failed poll shows in the status, checked below.
            let _ = self.timed(c, round, call, |c| c.poll());
            if matches!(c.status(), Status::Resolving | Status::Connecting) {
                wait(c)?;
            }
        }
        if c.status() != Status::Connected {
            return Err(format!("{:?}: {:?}", c.status(), c.last_error()));
        }
        self.timed(c, round, Call::Request, |c| {
            c.request(Method::Get, "/", &[] as &[&str], "")
        })
        .map_err(|e| format!("request: {e}"))?;
        while c.status() == Status::Requesting {
            let _ = self.timed(c, round, Call::poll(Status::Requesting), |c| c.poll());
            if c.status() == Status::Requesting {
                wait(c)?;
            }
        }
        if c.response_code() != 200 {
            return Err(format!(
                "{:?}, code {}: {:?}",
                c.status(),
                c.response_code(),
                c.last_error()
            ));
        }
        let mut got = Vec::with_capacity(body.len());
        while c.status() == Status::Body {
            let _ = self.timed(c, round, Call::poll(Status::Body), |c| c.poll());
            let n = self
                .timed(c, round, Call::ReadBody, |c| c.read_response_body_into(buf))
                .map_err(|e| format!("body: {e}"))?;
            got.extend_from_slice(&buf[..n]);
            if n == 0 && c.status() == Status::Body {
                wait(c)?;
            }
        }
        if c.status() != Status::Connected || got != body {
            return Err(format!(
                "{:?} after {} of {} body bytes: {:?}",
                c.status(),
                got.len(),
                body.len(),
                c.last_error()
            ));
        }
        self.timed(c, round, Call::Close, |c| c.close());
        Ok(())
    }

    fn report(&self, case: &str) {
        println!("### case {case}");
        println!();
        println!("| call | calls | median µs | p99 µs | max µs | max CPU µs |");
        println!("|---|--:|--:|--:|--:|--:|");
        let mut kinds: Vec<(Call, usize)> = self.samples.iter().map(Sample::row).collect();
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            let of_kind: Vec<&Sample> = self.samples.iter().filter(|s| s.row() == kind).collect();
            let wall = sorted(of_kind.iter().map(|s| s.wall));
            let cpu = sorted(of_kind.iter().map(|s| s.cpu));
            let which = match kind {
                (Call::Poll(_), 0) => ", 1st",
                (Call::Poll(_), 1) => ", 2nd",
                (Call::Poll(_), _) => ", 3rd and later",
                _ => "",
            };
            println!(
                "| {}{which} | {} | {:.1} | {:.1} | {:.1} | {:.1} |",
                kind.0.name(),
                wall.len(),
                us(median(&wall)),
                us(p99(&wall)),
                us(max(&wall)),
                us(max(&cpu))
            );
        }
        let rounds = self.samples.last().map_or(0, |s| s.round + 1);
        // The worst call of each round: what a connect and fetch costs the worst frame.
        let worst: Vec<Sample> = (0..rounds)
            .filter_map(|r| {
                self.samples
                    .iter()
                    .filter(|s| s.round == r)
                    .max_by_key(|s| s.wall)
                    .copied()
            })
            .collect();
        let worst_wall = sorted(worst.iter().map(|s| s.wall));
        let worst_cpu = sorted((0..rounds).filter_map(|r| {
            self.samples
                .iter()
                .filter(|s| s.round == r)
                .map(|s| s.cpu)
                .max()
        }));
        let round_cpu = sorted((0..rounds).map(|r| {
            self.samples
                .iter()
                .filter(|s| s.round == r)
                .map(|s| s.cpu)
                .sum::<Duration>()
        }));
        let longest = self.samples.iter().max_by_key(|s| s.wall);
        let longest_cpu = self.samples.iter().max_by_key(|s| s.cpu);
        let warm = self
            .samples
            .iter()
            .filter(|s| s.round > 0)
            .max_by_key(|s| s.wall);
        println!();
        println!(
            "Worst call per round ({rounds} rounds): median {:.0} µs, p99 {:.0} µs, max {:.0} µs wall; by CPU median {:.0} µs, p99 {:.0} µs, max {:.0} µs. Client CPU per round (all calls): median {:.0} µs.",
            us(median(&worst_wall)),
            us(p99(&worst_wall)),
            us(max(&worst_wall)),
            us(median(&worst_cpu)),
            us(p99(&worst_cpu)),
            us(max(&worst_cpu)),
            us(median(&round_cpu)),
        );
        if let Some(s) = longest {
            println!("Longest call: {}.", s.describe());
        }
        if let Some(s) = longest_cpu {
            println!("Longest by CPU: {}.", s.describe());
        }
        if let Some(s) = warm {
            println!("Longest after the first round: {}.", s.describe());
        }
        println!();
        println!(
            "summary case={case} rounds={rounds} max_us={:.0} p99_us={:.0} median_us={:.0} max_cpu_us={:.0} p99_cpu_us={:.0} median_cpu_us={:.0} warm_max_us={:.0} max_call=\"{}\"",
            us(max(&worst_wall)),
            us(p99(&worst_wall)),
            us(median(&worst_wall)),
            us(max(&worst_cpu)),
            us(p99(&worst_cpu)),
            us(median(&worst_cpu)),
            warm.map_or(0.0, |s| us(s.wall)),
            longest.map_or(String::new(), |s| s.call.name()),
        );
        println!();
    }
}

/// What the cryptography of a full handshake costs on this machine, without TLS around
/// it: the client's key exchange (key share and shared secret) per group, and one ECDSA
/// signature check per curve (a full handshake here has three: the root's on the
/// intermediate, the intermediate's on the leaf, the server's on the handshake).
fn crypto_floor() {
    use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};
    use ring::rand::SystemRandom;
    use ring::signature::{self, EcdsaKeyPair, KeyPair as _};

    let rng = SystemRandom::new();
    let exchange = |alg: &'static agreement::Algorithm, n: usize| {
        let peer = EphemeralPrivateKey::generate(alg, &rng).expect("peer key");
        let peer_public = peer.compute_public_key().expect("peer public key");
        let times = sorted((0..n).map(|_| {
            let t0 = Instant::now();
            let key = EphemeralPrivateKey::generate(alg, &rng).expect("key");
            let _share = key.compute_public_key().expect("public key");
            let peer = UnparsedPublicKey::new(alg, peer_public.as_ref());
            agreement::agree_ephemeral(key, &peer, |secret| secret.len()).expect("agree");
            t0.elapsed()
        }));
        us(median(&times))
    };
    let verification = |signing: &'static signature::EcdsaSigningAlgorithm,
                        verifying: &'static signature::EcdsaVerificationAlgorithm,
                        n: usize| {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &rng).expect("ECDSA key");
        let pair = EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref(), &rng).expect("key pair");
        let message = [7u8; 130];
        let sig = pair.sign(&rng, &message).expect("sign");
        let public =
            signature::UnparsedPublicKey::new(verifying, pair.public_key().as_ref().to_vec());
        let times = sorted((0..n).map(|_| {
            let t0 = Instant::now();
            public.verify(&message, sig.as_ref()).expect("verify");
            t0.elapsed()
        }));
        us(median(&times))
    };
    let (x25519, p256, p384) = (
        exchange(&agreement::X25519, 200),
        exchange(&agreement::ECDH_P256, 200),
        exchange(&agreement::ECDH_P384, 50),
    );
    let verify = verification(
        &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        &signature::ECDSA_P256_SHA256_ASN1,
        200,
    );
    let verify384 = verification(
        &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        &signature::ECDSA_P384_SHA384_ASN1,
        50,
    );
    println!("Cryptography alone (ring, medians): client key exchange X25519 {x25519:.0} µs, P-256 {p256:.0} µs, P-384 {p384:.0} µs; ECDSA verification P-256 {verify:.0} µs, P-384 {verify384:.0} µs. Floor of a full handshake with X25519 and three P-256 signatures: {:.0} µs, split over two polls (the key share, then the rest).", x25519 + 3.0 * verify);
    println!();
}

/// What making options and rustls configurations costs, outside any poll (with new
/// options per connection, the same work happens inside the first TLS poll).
fn setup_costs(ca_certs: &Certificates, ca: &Ca) {
    let once = |f: &dyn Fn()| {
        let t0 = Instant::now();
        f();
        t0.elapsed()
    };
    let first_default = once(&|| {
        let _ = TlsOptions::default().prepare();
    });
    let default = sorted((0..50).map(|_| {
        once(&|| {
            let _ = TlsOptions::default().prepare();
        })
    }));
    let private = sorted((0..50).map(|_| {
        once(&|| {
            let _ = TlsOptions::client(Some(ca_certs.clone()), None).prepare();
        })
    }));
    let bundled = sorted((0..50).map(|_| {
        once(&|| {
            let _ = bundled_config(ca, &TlsOptions::default_crypto_provider());
        })
    }));
    println!("Setting up, outside any poll (medians of 50): TlsOptions::default().prepare() (bundled roots) {:.0} µs the first time in the process, then {:.0} µs; TlsOptions::client(private CA).prepare() {:.0} µs; a rustls config with the bundled roots plus the private CA {:.0} µs.",
        us(first_default), us(median(&default)), us(median(&private)), us(median(&bundled)));
    println!();
}

fn sorted(it: impl Iterator<Item = Duration>) -> Vec<Duration> {
    let mut v: Vec<Duration> = it.collect();
    v.sort();
    v
}

fn median(sorted: &[Duration]) -> Duration {
    sorted
        .get(sorted.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or_default()
}

fn p99(sorted: &[Duration]) -> Duration {
    let i = (sorted.len() * 99).div_ceil(100).saturating_sub(1);
    sorted.get(i).copied().unwrap_or_default()
}

fn max(sorted: &[Duration]) -> Duration {
    sorted.last().copied().unwrap_or_default()
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// CPU time of the calling thread (user and system).
fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// The CPUs this process may run on.
fn allowed_cpus() -> Vec<usize> {
    match rustix::thread::sched_getaffinity(None) {
        Ok(set) => (0..CpuSet::MAX_CPU).filter(|&i| set.is_set(i)).collect(),
        Err(_) => Vec::new(),
    }
}

/// Pins the calling thread to `cpu` (best effort: a refusal leaves it unpinned).
pub(crate) fn pin_current_thread(cpu: usize) {
    let mut set = CpuSet::new();
    set.set(cpu);
    let _ = rustix::thread::sched_setaffinity(None, &set);
}
