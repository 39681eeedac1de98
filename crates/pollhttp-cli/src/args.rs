//! Command-line arguments, curl style.

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use pollhttp::TlsVersion;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// `pollhttp URL [options]` or `pollhttp demo [--path PATH]`.
#[derive(Parser, Debug)]
#[command(
    name = "pollhttp",
    version,
    about = "Fetch URLs with pollhttp's poll()-driven HTTP/1.1 client (curl-style options)",
    after_help = "Exit codes, as curl numbers them: 1 unsupported protocol, 2 usage, 3 malformed URL, \
        5 cannot resolve the proxy, 6 cannot resolve the host, 7 cannot connect, 8 weird reply, \
        18 partial body, 22 -f and a code of 400 or more, 23 write error or no -O name, \
        26 unreadable @FILE, 28 timeout, 33 -C not honoured, 35 TLS handshake, \
        47 too many redirects, 52 empty reply, 56 receive failure, 60 certificate \
        verification, 61 bad content encoding, 63 --max-filesize, 77 CA file, \
        90 pinned key mismatch. With several URLs, the last one's.",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    // As in curl, an option given again replaces its earlier value (-H, -d and
    // --data-binary add up instead).
    args_override_self = true
)]
pub struct Cli {
    /// A subcommand instead of a URL.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// What to fetch and how.
    #[command(flatten)]
    pub fetch: FetchArgs,
}

impl Cli {
    /// Parses the process's command line (exiting with a usage message on error, as clap
    /// does); see [`try_parse_ordered_from`](Cli::try_parse_ordered_from).
    pub fn parse_ordered() -> Cli {
        Cli::try_parse_ordered_from(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// Parses `args` (the program name first) and records the order in which `-d` and
    /// `--data-binary` values came in [`FetchArgs::data_in_order`], which clap keeps per
    /// option only.
    pub fn try_parse_ordered_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Cli::command().try_get_matches_from(args)?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        cli.fetch.data_in_order = data_in_order(&matches);
        cli.fetch.outputs_in_order = outputs_in_order(&matches);
        Ok(cli)
    }
}

/// The `-d` and `--data-binary` values in command-line order.
fn data_in_order(matches: &ArgMatches) -> Vec<DataArg> {
    let mut all: Vec<(usize, DataArg)> = Vec::new();
    for (id, binary) in [("data", false), ("data_binary", true)] {
        let (Some(indices), Some(values)) =
            (matches.indices_of(id), matches.get_many::<String>(id))
        else {
            continue;
        };
        all.extend(indices.zip(values).map(|(i, v)| {
            (
                i,
                DataArg {
                    binary,
                    value: v.clone(),
                },
            )
        }));
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, d)| d).collect()
}

/// The `-o` and `-O` options in command-line order: the n-th goes with the n-th URL.
fn outputs_in_order(matches: &ArgMatches) -> Vec<OutputArg> {
    let mut all: Vec<(usize, OutputArg)> = Vec::new();
    if let (Some(indices), Some(values)) = (
        matches.indices_of("outputs"),
        matches.get_many::<PathBuf>("outputs"),
    ) {
        all.extend(
            indices
                .zip(values)
                .map(|(i, p)| (i, OutputArg::File(p.clone()))),
        );
    }
    if matches.value_source("remote_name") == Some(clap::parser::ValueSource::CommandLine) {
        if let Some(indices) = matches.indices_of("remote_name") {
            all.extend(indices.map(|i| (i, OutputArg::RemoteName)));
        }
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, o)| o).collect()
}

/// Where one URL's output goes, as `-o` or `-O` said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputArg {
    /// `-o FILE` (`-` is standard output).
    File(PathBuf),
    /// `-O`: a file named after the URL's last path segment.
    RemoteName,
}

/// `-C/--continue-at`: where a download resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContinueAt {
    /// `-C -`: from the output file's current size.
    OutputSize,
    /// `-C OFFSET`: from this byte.
    Offset(u64),
}

/// Reads `-C`: `-` or a byte offset.
pub fn parse_continue_at(s: &str) -> Result<ContinueAt, String> {
    if s == "-" {
        return Ok(ContinueAt::OutputSize);
    }
    s.parse()
        .map(ContinueAt::Offset)
        .map_err(|_| format!("{s:?} is neither - nor a byte offset"))
}

/// One `-d` or `--data-binary` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataArg {
    /// From `--data-binary` (a file is sent byte for byte), not `-d` (a file's line ends
    /// are dropped).
    pub binary: bool,
    /// The value as given: the data, or `@FILE`.
    pub value: String,
}

#[cfg(test)]
impl DataArg {
    /// A `-d` value.
    pub fn ascii(value: &str) -> DataArg {
        DataArg {
            binary: false,
            value: value.to_string(),
        }
    }

    /// A `--data-binary` value.
    pub fn binary(value: &str) -> DataArg {
        DataArg {
            binary: true,
            value: value.to_string(),
        }
    }
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the Godot "HTTP client class" tutorial's poll loop against a built-in local server.
    Demo(DemoArgs),
}

/// Options of `pollhttp demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// The path to request (`/chunked` shows the chunked branch, `/hello` the
    /// Content-Length one).
    #[arg(long, default_value = "/chunked", value_name = "PATH")]
    pub path: String,
}

/// Options of a fetch.
#[derive(Args, Debug, Default)]
pub struct FetchArgs {
    /// The URLs to fetch, in turn, over one connection where they share an origin;
    /// `http://` is assumed when one has no scheme.
    #[arg(value_name = "URL", required = true, num_args = 1..)]
    pub urls: Vec<String>,
    /// The request method: any token, sent exactly as given (methods are case-sensitive:
    /// `get` is not GET). GET by default, HEAD with -I, POST with -d.
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,
    /// An extra request header; repeatable. `Name: value` is sent, and replaces the header
    /// of that name the request would have had (Host, Authorization, Range, User-Agent,
    /// Accept, Accept-Encoding, Content-Length, Content-Type); `Name:` sends nothing and
    /// removes that header;
    /// `Name;` sends `Name:` with an empty value. `@FILE` reads one header per line from a
    /// file (LF or CRLF line ends, blank lines skipped), `@-` from standard input.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = check_header_arg)]
    pub headers: Vec<String>,
    /// Send DATA as the body (POST unless -X says otherwise), with `Content-Type:
    /// application/x-www-form-urlencoded` unless -H gives one; `@FILE` reads a file without
    /// its line ends, `@-` reads standard input. Several -d and --data-binary values are
    /// joined with `&` in command-line order. With `-H 'Transfer-Encoding: chunked'` the
    /// body is sent in chunks instead of with a Content-Length.
    #[arg(short = 'd', long = "data", value_name = "DATA")]
    pub data: Vec<String>,
    /// Like --data, but `@FILE` is sent byte for byte.
    #[arg(long = "data-binary", value_name = "DATA")]
    pub data_binary: Vec<String>,
    /// The -d and --data-binary values in command-line order (filled by
    /// [`Cli::try_parse_ordered_from`]); the body is made of these.
    #[arg(skip)]
    pub data_in_order: Vec<DataArg>,
    /// Server credentials, sent as `Authorization: Basic`. Without `:PASSWORD` the
    /// password is empty (there is no prompt). Wins over credentials in the URL
    /// (`http://user:password@host/`, percent-decoded), which are used otherwise; a -H
    /// Authorization header wins over both.
    #[arg(short = 'u', long = "user", value_name = "USER[:PASSWORD]")]
    pub user: Option<String>,
    /// Send a HEAD request and print the response head.
    #[arg(short = 'I', long = "head")]
    pub head: bool,
    /// Put the response head before the body in the output.
    #[arg(short = 'i', long = "include")]
    pub include: bool,
    /// Write the output to FILE instead of standard output (`-` is standard output);
    /// repeatable: the n-th -o or -O is for the n-th URL, and URLs without one write to
    /// standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub outputs: Vec<PathBuf>,
    /// Write the output to a file in the current directory named like the URL's last
    /// path segment (without the query), as the URL spells it; a URL whose path ends in
    /// `/` has no such name (exit code 23). Repeatable, paired with URLs as -o is.
    #[arg(
        short = 'O',
        long = "remote-name",
        action = clap::ArgAction::Append,
        num_args = 0,
        default_missing_value = "true",
        value_parser = clap::value_parser!(bool)
    )]
    pub remote_name: Vec<bool>,
    /// The -o and -O options in command-line order (filled by
    /// [`Cli::try_parse_ordered_from`]).
    #[arg(skip)]
    pub outputs_in_order: Vec<OutputArg>,
    /// Resume a download: `-C -` continues the output file from its current size (from
    /// the start without a file), `-C OFFSET` from that byte, sending `Range: bytes=N-`
    /// and appending to the file. A 206 whose Content-Range starts there is appended; a
    /// 416 means the file is complete (exit 0, nothing written); an answer that does not
    /// continue there is exit code 33, unless its length is the offset (the file is
    /// already complete).
    #[arg(short = 'C', long = "continue-at", value_name = "OFFSET|-", value_parser = parse_continue_at, allow_hyphen_values = true)]
    pub continue_at: Option<ContinueAt>,
    /// Follow redirects (301, 302, 303, 307, 308): 301, 302 and 303 turn a POST into a
    /// GET without the body (and its Content-* headers), 303 any method but HEAD, -X ones
    /// too; 307 and 308 send the same request again. Authorization and Cookie headers are
    /// not sent on to another host or port. With -i every head of the chain is written.
    #[arg(short = 'L', long = "location")]
    pub location: bool,
    /// With -L, follow at most this many redirects (50 by default, -1 for no limit);
    /// one more is exit code 47.
    #[arg(long = "max-redirs", value_name = "NUM", value_parser = clap::value_parser!(i32).range(-1..), allow_hyphen_values = true)]
    pub max_redirs: Option<i32>,
    /// Ask for a compressed response (`Accept-Encoding: deflate, gzip, br, zstd`) and
    /// decode it (stacked codings too); a body that is corrupt or cut short, or in
    /// another coding, is exit code 61.
    #[arg(long = "compressed")]
    pub compressed: bool,
    /// Show each status change, the request head sent (`>`), the response heads (`<`) and
    /// each redirect followed on standard error.
    #[arg(short = 'v', long)]
    pub verbose: bool,
    /// Give up on a URL after this many seconds in all, redirects included (exit code
    /// 28); 0 means no limit.
    #[arg(short = 'm', long = "max-time", value_name = "SECONDS", value_parser = parse_seconds)]
    pub max_time: Option<Duration>,
    /// Give up if resolving and connecting take longer than this (exit code 28); 0 leaves
    /// the built-in limit of 90 seconds, as if not given.
    #[arg(long = "connect-timeout", value_name = "SECONDS", value_parser = parse_seconds)]
    pub connect_timeout: Option<Duration>,
    /// Answer lookups of HOST for port PORT with these addresses, in this order, instead of
    /// asking the system (curl's --resolve; repeatable; IPv6 addresses in brackets):
    /// `--resolve example.com:443:[2001:db8::1],192.0.2.1`. The addresses are raced Happy
    /// Eyeballs style, a new one every 250 ms while the earlier ones go on.
    #[arg(long = "resolve", value_name = "HOST:PORT:ADDR[,ADDR]...", value_parser = parse_resolve)]
    pub resolve: Vec<ResolveArg>,
    /// Refuse a body larger than this many bytes (exit code 63): at once when the server
    /// declares a larger Content-Length, otherwise when the (decoded) body passes it.
    #[arg(long = "max-filesize", value_name = "BYTES")]
    pub max_filesize: Option<u64>,
    /// No progress bar and no error message.
    #[arg(short = 's', long)]
    pub silent: bool,
    /// With --silent, still print the error message.
    #[arg(short = 'S', long = "show-error")]
    pub show_error: bool,
    /// Fail with exit code 22 on a response code of 400 or more, without writing the body
    /// (with -i or -I the head is still written, as curl does).
    #[arg(short = 'f', long)]
    pub fail: bool,
    /// The User-Agent header value (pollhttp/VERSION by default); empty sends none.
    #[arg(short = 'A', long = "user-agent", value_name = "NAME")]
    pub user_agent: Option<String>,
    /// Use this HTTP proxy: `[http://][user:password@]host[:port]` (port 1080 by default).
    /// http URLs go through it in absolute form, https URLs in a CONNECT tunnel. Overrides
    /// the http_proxy / https_proxy environment variables; `""` disables proxies.
    #[arg(short = 'x', long = "proxy", value_name = "URL")]
    pub proxy: Option<String>,
    /// Credentials for the proxy (Basic), replacing any in the proxy URL.
    #[arg(short = 'U', long = "proxy-user", value_name = "USER:PASSWORD")]
    pub proxy_user: Option<String>,
    /// Hosts to reach without the proxy, comma-separated (`*` for all, `.example.com` or
    /// `example.com` for a domain and its subdomains, IP addresses, CIDR ranges); overrides
    /// the no_proxy environment variable.
    #[arg(long = "noproxy", value_name = "LIST")]
    pub noproxy: Option<String>,
    /// Trust only the CA certificates in this PEM file to verify https servers (instead of
    /// the bundled Mozilla roots). A missing or unusable file is exit code 77.
    #[arg(long = "cacert", value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Skip certificate verification: with --cacert the chain is still checked but not
    /// the host name; without it, nothing is. --pinnedpubkey still applies.
    #[arg(short = 'k', long = "insecure")]
    pub insecure: bool,
    /// The server's public key must be this one: `sha256//BASE64[;sha256//BASE64...]`,
    /// each the base64 SHA-256 of a SubjectPublicKeyInfo, or a FILE holding the public key
    /// in PEM (`PUBLIC KEY`) or DER (as `openssl pkey -pubout [-outform DER]` writes it).
    /// Checked with -k too; a mismatch, or a file that cannot be read or holds no public
    /// key, is exit code 90.
    #[arg(long = "pinnedpubkey", value_name = "HASHES|FILE")]
    pub pinned_pubkey: Option<String>,
    /// Use TLS 1.2 or later (the default).
    #[arg(long = "tlsv1.2", overrides_with = "tlsv1_3")]
    pub tlsv1_2: bool,
    /// Use TLS 1.3 or later.
    #[arg(long = "tlsv1.3", overrides_with = "tlsv1_2")]
    pub tlsv1_3: bool,
    /// The highest TLS version to offer: 1.2, 1.3 or default (1.3).
    #[arg(long = "tls-max", value_name = "VERSION", value_parser = parse_tls_max)]
    pub tls_max: Option<TlsVersion>,
    /// Verify servers against the operating system's certificate store (honouring
    /// SSL_CERT_FILE and SSL_CERT_DIR) instead of the bundled Mozilla roots; --cacert wins
    /// over it.
    #[arg(long = "ca-native")]
    pub ca_native: bool,
    /// Certificate revocation lists (PEM, any number of X509 CRL blocks, or one in DER)
    /// to check the server's chain against, as curl does with OpenSSL: the server's
    /// certificate and every intermediate, each of whose issuers must have a list in the
    /// file; a list past its next update fails. Revoked (or unknown) is exit code 60, an
    /// unusable file 82.
    #[arg(long = "crlfile", value_name = "FILE")]
    pub crlfile: Option<PathBuf>,
    /// Require the server to staple an OCSP response for its certificate, and check it
    /// (signed by the certificate's issuer or its delegated responder, about this
    /// certificate, current, "good"); anything else is exit code 91. Without this flag
    /// stapled responses are ignored, as curl ignores them. Needs a verified chain (not
    /// -k without --cacert).
    #[arg(long = "cert-status")]
    pub cert_status: bool,
    /// Client certificate (PEM) to present when the server asks for one, followed by any
    /// intermediates; the key may be in the same file. curl's `FILE:PASSWORD` form is
    /// read (`\:` for a colon in the name), but encrypted keys are not supported:
    /// decrypt them with `openssl pkey`. An unusable certificate or key is exit code 58.
    #[arg(short = 'E', long = "cert", value_name = "FILE[:PASSWORD]")]
    pub cert: Option<String>,
    /// The private key of --cert (PEM: RSA, ECDSA P-256/P-384 or Ed25519), when it is not
    /// in the certificate file.
    #[arg(long = "key", value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// Reads `--tls-max`: `1.2`, `1.3` or `default`, as curl spells them.
pub fn parse_tls_max(s: &str) -> Result<TlsVersion, String> {
    match s {
        "1.2" => Ok(TlsVersion::Tls12),
        "1.3" | "default" => Ok(TlsVersion::Tls13),
        "1.0" | "1.1" => Err(format!("TLS {s} is not supported (1.2 is the lowest)")),
        _ => Err(format!("{s:?} is not a TLS version (1.2, 1.3 or default)")),
    }
}

/// Accepts a `-H` value: `@FILE` (read later), or a header line as
/// [`HeaderArg::parse`](crate::plan::HeaderArg::parse) reads it.
pub fn check_header_arg(s: &str) -> Result<String, String> {
    if s.starts_with('@') {
        return Ok(s.to_string());
    }
    crate::plan::HeaderArg::parse(s).map(|_| s.to_string())
}

/// One `--resolve` entry: HOST:PORT's addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveArg {
    /// The host name, as in the URL.
    pub host: String,
    /// The port it applies to.
    pub port: u16,
    /// The addresses, in the order given.
    pub addrs: Vec<std::net::IpAddr>,
}

/// Reads `--resolve`: `[+]HOST:PORT:ADDR[,ADDR]...`, IPv6 addresses in brackets or bare
/// (curl's `+`, which only says the entry may time out of curl's cache, is accepted and
/// ignored). curl's `-HOST:PORT` (remove an entry) and `*` for any host are not supported.
pub fn parse_resolve(s: &str) -> Result<ResolveArg, String> {
    let usage = || format!("{s:?} is not HOST:PORT:ADDR[,ADDR]...");
    if s.starts_with('-') {
        return Err(format!(
            "{s:?}: removing an entry (-HOST:PORT) is not supported"
        ));
    }
    let s_plain = s.strip_prefix('+').unwrap_or(s);
    let (host, rest) = s_plain.split_once(':').ok_or_else(usage)?;
    let (port, list) = rest.split_once(':').ok_or_else(usage)?;
    if host.is_empty() {
        return Err(usage());
    }
    if host == "*" {
        return Err(format!("{s:?}: '*' for any host is not supported"));
    }
    let port: u16 = port.parse().map_err(|_| usage())?;
    let addrs = list
        .split(',')
        .map(|a| {
            let a = a.trim();
            let bare = a
                .strip_prefix('[')
                .and_then(|a| a.strip_suffix(']'))
                .unwrap_or(a);
            bare.parse::<std::net::IpAddr>()
                .map_err(|_| format!("{s:?}: {a:?} is not an IP address"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(ResolveArg {
        host: host.to_string(),
        port,
        addrs,
    })
}

/// Parses a non-negative, finite number of seconds such as `2` or `0.25`.
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    Duration::try_from_secs_f64(secs)
        .map_err(|_| format!("{s:?} is not a usable number of seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_ordered_from(std::iter::once("pollhttp").chain(args.iter().copied()))
    }

    #[test]
    fn url_with_curl_flags() {
        let cli = parse(&[
            "-X",
            "PUT",
            "-H",
            "X-A: 1",
            "-H",
            "X-B:2",
            "-d",
            "a=1",
            "--data-binary",
            "@f",
            "-i",
            "-o",
            "out.bin",
            "-v",
            "--max-time",
            "1.5",
            "-s",
            "-S",
            "-f",
            "-A",
            "me/1",
            "-x",
            "http://p:3128",
            "-U",
            "u:p",
            "--noproxy",
            "localhost",
            "http://localhost:8080/x",
        ])
        .unwrap();
        assert!(cli.command.is_none());
        let f = cli.fetch;
        assert_eq!(f.urls, ["http://localhost:8080/x"]);
        assert_eq!(f.method.as_deref(), Some("PUT"));
        assert_eq!(f.headers, ["X-A: 1", "X-B:2"]);
        assert_eq!(f.data, ["a=1"]);
        assert_eq!(f.data_binary, ["@f"]);
        assert!(f.include && f.verbose && f.silent && f.show_error && f.fail && !f.head);
        assert_eq!(f.outputs, [PathBuf::from("out.bin")]);
        assert_eq!(f.outputs_in_order, [OutputArg::File("out.bin".into())]);
        assert_eq!(f.max_time, Some(Duration::from_millis(1500)));
        assert_eq!(f.user_agent.as_deref(), Some("me/1"));
        assert_eq!(f.proxy.as_deref(), Some("http://p:3128"));
        assert_eq!(f.proxy_user.as_deref(), Some("u:p"));
        assert_eq!(f.noproxy.as_deref(), Some("localhost"));
    }

    #[test]
    fn resolve_entries() {
        let f = parse(&[
            "--resolve",
            "a.test:443:[::1],127.0.0.1",
            "--resolve",
            "+b.test:80:2001:db8::1",
            "http://a.test/",
        ])
        .unwrap()
        .fetch;
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        assert_eq!(
            f.resolve,
            [
                ResolveArg {
                    host: "a.test".into(),
                    port: 443,
                    addrs: vec![ip("::1"), ip("127.0.0.1")]
                },
                ResolveArg {
                    host: "b.test".into(),
                    port: 80,
                    addrs: vec![ip("2001:db8::1")]
                }
            ]
        );
        for bad in [
            "a.test:443",
            "a.test:x:127.0.0.1",
            "a.test:443:nohost",
            ":443:127.0.0.1",
            "*:443:127.0.0.1",
            "-a.test:443",
        ] {
            assert!(
                parse(&["--resolve", bad, "http://a.test/"]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn tls_flags() {
        let cli = parse(&[
            "--cacert",
            "ca.pem",
            "-k",
            "--pinnedpubkey",
            "sha256//AAAA",
            "--tlsv1.3",
            "--tls-max",
            "1.3",
            "--ca-native",
            "--crlfile",
            "ca.crl",
            "-E",
            "me.pem:pw",
            "--key",
            "me.key",
            "--cert-status",
            "https://h/",
        ])
        .unwrap();
        let f = cli.fetch;
        assert_eq!(f.crlfile, Some(PathBuf::from("ca.crl")));
        assert_eq!(f.cert.as_deref(), Some("me.pem:pw"));
        assert_eq!(f.key, Some(PathBuf::from("me.key")));
        assert!(f.cert_status);
        assert_eq!(f.cacert, Some(PathBuf::from("ca.pem")));
        assert!(f.insecure && f.tlsv1_3 && !f.tlsv1_2 && f.ca_native);
        assert_eq!(f.pinned_pubkey.as_deref(), Some("sha256//AAAA"));
        assert_eq!(f.tls_max, Some(TlsVersion::Tls13));
        let f = parse(&["https://h/"]).unwrap().fetch;
        assert!(!f.insecure && !f.tlsv1_2 && !f.tlsv1_3 && !f.ca_native);
        assert_eq!((f.cacert, f.pinned_pubkey, f.tls_max), (None, None, None));
    }

    #[test]
    fn the_last_minimum_version_wins() {
        let f = parse(&["--tlsv1.3", "--tlsv1.2", "https://h/"])
            .unwrap()
            .fetch;
        assert!(f.tlsv1_2 && !f.tlsv1_3);
        let f = parse(&["--tlsv1.2", "--tlsv1.3", "https://h/"])
            .unwrap()
            .fetch;
        assert!(f.tlsv1_3 && !f.tlsv1_2);
    }

    #[test]
    fn tls_max_values() {
        assert_eq!(parse_tls_max("1.2"), Ok(TlsVersion::Tls12));
        assert_eq!(parse_tls_max("default"), Ok(TlsVersion::Tls13));
        assert!(parse_tls_max("1.1").unwrap_err().contains("not supported"));
        assert!(parse(&["--tls-max", "1.4", "https://h/"]).is_err());
        assert!(parse(&["--tls-max", "", "https://h/"]).is_err());
    }

    #[test]
    fn demo_subcommand() {
        let cli = parse(&["demo"]).unwrap();
        let Some(Command::Demo(d)) = cli.command else {
            panic!("not demo")
        };
        assert_eq!(d.path, "/chunked");
        let cli = parse(&["demo", "--path", "/hello"]).unwrap();
        let Some(Command::Demo(d)) = cli.command else {
            panic!("not demo")
        };
        assert_eq!(d.path, "/hello");
        // After a fetch option, `demo` is a URL (host name), as curl would read it.
        let cli = parse(&["-v", "demo"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.fetch.urls, ["demo"]);
        // Demo options do not mix with fetch options.
        assert!(parse(&["demo", "-v"]).is_err());
    }

    #[test]
    fn a_url_is_required_without_a_subcommand() {
        let e = parse(&["-v"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::MissingRequiredArgument);
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn bad_values_are_usage_errors() {
        assert!(parse(&["-H", "NoColon", "http://a/"]).is_err());
        assert!(parse(&["-H", ": empty", "http://a/"]).is_err());
        assert!(parse(&["-H", "Bad Name: x", "http://a/"]).is_err());
        assert!(parse(&["-H", "X: a\r\nY: b", "http://a/"]).is_err());
        assert!(parse(&["--max-time", "soon", "http://a/"]).is_err());
        assert!(parse(&["--max-time", "-1", "http://a/"]).is_err());
        assert!(parse(&["--max-time", "inf", "http://a/"]).is_err());
        assert!(parse(&["--max-time", "0", "http://a/"]).is_ok());
        assert!(parse(&["-H", "X;junk", "http://a/"]).is_err());
    }

    #[test]
    fn header_values_may_be_empty_or_contain_colons() {
        assert_eq!(check_header_arg("Accept:").unwrap(), "Accept:");
        assert_eq!(check_header_arg("X-Empty;").unwrap(), "X-Empty;");
        assert_eq!(check_header_arg("X-Time: 12:30").unwrap(), "X-Time: 12:30");
        assert_eq!(check_header_arg("@headers.txt").unwrap(), "@headers.txt");
    }

    #[test]
    fn data_keeps_the_command_line_order_across_options() {
        let f = parse(&[
            "--data-binary",
            "B",
            "-d",
            "A",
            "--data",
            "C",
            "--data-binary=@f",
            "-dD",
            "http://h/",
        ])
        .unwrap()
        .fetch;
        assert_eq!(
            f.data_in_order,
            [
                DataArg::binary("B"),
                DataArg::ascii("A"),
                DataArg::ascii("C"),
                DataArg::binary("@f"),
                DataArg::ascii("D"),
            ]
        );
        assert!(parse(&["http://h/"])
            .unwrap()
            .fetch
            .data_in_order
            .is_empty());
    }

    #[test]
    fn the_last_of_a_repeated_option_counts() {
        let f = parse(&[
            "-A",
            "a/1",
            "-A",
            "",
            "-X",
            "PUT",
            "-X",
            "PURGE",
            "http://h/",
        ])
        .unwrap()
        .fetch;
        assert_eq!(f.user_agent.as_deref(), Some(""));
        assert_eq!(f.method.as_deref(), Some("PURGE"));
        let f = parse(&[
            "-H",
            "A: 1",
            "-H",
            "B: 2",
            "-d",
            "x",
            "-d",
            "y",
            "http://h/",
        ])
        .unwrap()
        .fetch;
        assert_eq!(f.headers, ["A: 1", "B: 2"]);
        assert_eq!(f.data_in_order, [DataArg::ascii("x"), DataArg::ascii("y")]);
        let f = parse(&["-s", "-s", "-v", "-v", "http://h/"]).unwrap().fetch;
        assert!(f.silent && f.verbose);
    }

    #[test]
    fn user_credentials() {
        let f = parse(&["-u", "me:pa:ss", "http://h/"]).unwrap().fetch;
        assert_eq!(f.user.as_deref(), Some("me:pa:ss"));
        let f = parse(&["--user", "me", "http://h/"]).unwrap().fetch;
        assert_eq!(f.user.as_deref(), Some("me"));
    }

    #[test]
    fn outputs_pair_in_command_line_order() {
        let f = parse(&[
            "-O",
            "-o",
            "a",
            "http://h/1",
            "-O",
            "http://h/2",
            "h/3",
            "-o",
            "-",
        ])
        .unwrap()
        .fetch;
        assert_eq!(f.urls, ["http://h/1", "http://h/2", "h/3"]);
        assert_eq!(
            f.outputs_in_order,
            [
                OutputArg::RemoteName,
                OutputArg::File("a".into()),
                OutputArg::RemoteName,
                OutputArg::File("-".into()),
            ]
        );
        assert!(parse(&["http://h/"])
            .unwrap()
            .fetch
            .outputs_in_order
            .is_empty());
    }

    #[test]
    fn redirect_resume_and_compression_flags() {
        let f = parse(&[
            "-L",
            "--max-redirs",
            "-1",
            "-C",
            "-",
            "--compressed",
            "http://h/",
        ])
        .unwrap()
        .fetch;
        assert!(f.location && f.compressed);
        assert_eq!(f.max_redirs, Some(-1));
        assert_eq!(f.continue_at, Some(ContinueAt::OutputSize));
        let f = parse(&["-C", "100", "--max-redirs", "3", "http://h/"])
            .unwrap()
            .fetch;
        assert_eq!(f.continue_at, Some(ContinueAt::Offset(100)));
        assert_eq!(f.max_redirs, Some(3));
        assert!(!f.location && !f.compressed);
        assert!(parse(&["--max-redirs", "-2", "http://h/"]).is_err());
        assert!(parse(&["-C", "x", "http://h/"]).is_err());
        assert!(parse(&["-C", "-5", "http://h/"]).is_err());
    }
}
