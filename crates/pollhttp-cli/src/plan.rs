//! Turning the arguments into exactly what will be sent: where to connect, the request line,
//! every header and the body.
//!
//! The headers follow curl's rules and order, so that the same command line puts the same
//! bytes on the wire as curl 7.88: `Host`, `Authorization` (from -u or the URL), `Range`
//! (for -C), `User-Agent`, `Accept`, `Accept-Encoding` (for --compressed), the -H headers in
//! their order, then `Content-Length` and `Content-Type` for a body. A -H header replaces
//! the one of its name; `Name:` removes it.

use crate::args::{DataArg, FetchArgs};
use crate::failure::{code, Failure};
use pollhttp::{Method, RequestMethod};
use std::io::{self, Read};
use url::{Host, Url};

/// The `User-Agent` sent unless the caller gives one: the library's own, so that the
/// two never drift apart.
pub const DEFAULT_USER_AGENT: &str = pollhttp::USER_AGENT;

/// The `Accept-Encoding` curl 7.88 sends for `--compressed` (built with zlib, brotli and
/// zstd, as Debian's is): every coding the library decodes, in curl's order.
pub const CURL_ACCEPT_ENCODING: &str = "deflate, gzip, br, zstd";

/// A fully prepared request.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    /// The URL to request, without credentials or fragment.
    pub url: String,
    /// What to pass to `connect_to_host`: the scheme and the bare host (IPv6 without brackets).
    pub connect_host: String,
    /// The port from the URL, or the scheme's default.
    pub port: u16,
    /// The request target: path and query.
    pub target: String,
    /// The method token, checked: any token, as `-X` gave it.
    pub method: String,
    /// Every header line, in the order sent. The client is told to add none of its own, so
    /// that `-v` shows exactly what goes on the wire.
    pub headers: Vec<String>,
    /// The body, as sent (chunk-encoded when the headers ask for chunks).
    pub body: Vec<u8>,
}

impl Plan {
    /// Whether this is a GET, the one request whose download `-C` resumes.
    pub fn is_get(&self) -> bool {
        self.method == Method::Get.as_str()
    }

    /// The method for the client.
    pub fn method(&self) -> RequestMethod<'_> {
        // Checked by `build`; a token that is not one is refused by the client.
        RequestMethod::parse(&self.method).unwrap_or(RequestMethod::Other(&self.method))
    }
}

/// Where `@file` contents (bodies and header files) come from; tests substitute their own.
pub trait BodySource {
    /// The contents of `path` (`-` is standard input).
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;
}

/// Reads `@file` contents from the file system and standard input.
pub struct FileSystem;

impl BodySource for FileSystem {
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        if path == "-" {
            let mut v = Vec::new();
            io::stdin().lock().read_to_end(&mut v)?;
            Ok(v)
        } else {
            std::fs::read(path)
        }
    }
}

/// One `-H` header as curl reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderArg {
    /// A line to send as given (`Name;` is turned into `Name:`).
    Send(String),
    /// `Name:` with nothing after it: no such header at all.
    Remove(String),
}

impl HeaderArg {
    /// Reads a header as curl does: `Name: value` is sent; `Name:` (nothing but white
    /// space after the colon) removes the header the request would have had; `Name;` sends
    /// `Name:` with an empty value. The name must be a non-empty token (no white space),
    /// and no CR, LF or NUL may appear.
    ///
    /// # Errors
    ///
    /// A sentence saying what is wrong, for a usage error.
    pub fn parse(s: &str) -> Result<HeaderArg, String> {
        if s.contains(['\r', '\n', '\0']) {
            return Err("a header cannot contain CR, LF or NUL".into());
        }
        let (at, semicolon) = match (s.find(':'), s.find(';')) {
            (Some(c), Some(sc)) if sc < c => (sc, true),
            (Some(c), _) => (c, false),
            (None, Some(sc)) => (sc, true),
            (None, None) => return Err("expected NAME: VALUE, NAME: or NAME;".into()),
        };
        let (name, rest) = (&s[..at], &s[at + 1..]);
        if name.is_empty() {
            return Err("the header name is empty".into());
        }
        if name.contains([' ', '\t']) {
            return Err("the header name contains white space".into());
        }
        if semicolon {
            if !rest.is_empty() {
                return Err(format!(
                    "{s:?}: after NAME; nothing may follow (NAME: VALUE sends a value)"
                ));
            }
            return Ok(HeaderArg::Send(format!("{name}:")));
        }
        if rest.trim_matches([' ', '\t']).is_empty() {
            Ok(HeaderArg::Remove(name.to_string()))
        } else {
            Ok(HeaderArg::Send(s.to_string()))
        }
    }

    /// The header's name.
    pub fn name(&self) -> &str {
        match self {
            HeaderArg::Send(line) => line.split_once(':').map_or(line.as_str(), |(n, _)| n),
            HeaderArg::Remove(name) => name,
        }
    }

    /// The value of a header to send, without the white space around it.
    fn value(&self) -> Option<&str> {
        match self {
            HeaderArg::Send(line) => line
                .split_once(':')
                .map(|(_, v)| v.trim_matches([' ', '\t'])),
            HeaderArg::Remove(_) => None,
        }
    }
}

/// Parses a URL as curl does: `http://` is assumed without a scheme; only http and https are
/// spoken.
pub fn parse_url(input: &str) -> Result<Url, Failure> {
    let with_scheme = if input.contains("://") {
        input.to_string()
    } else {
        format!("http://{input}")
    };
    let url = Url::parse(&with_scheme)
        .map_err(|e| Failure::new(code::BAD_URL, format!("malformed URL {input:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Failure::new(
            code::FAILED,
            format!(
                "unsupported protocol {:?} (only http and https)",
                url.scheme()
            ),
        ));
    }
    if url.host().is_none() {
        return Err(Failure::new(
            code::BAD_URL,
            format!("no host in URL {input:?}"),
        ));
    }
    Ok(url)
}

fn read_file(source: &dyn BodySource, path: &str) -> Result<Vec<u8>, Failure> {
    source
        .read(path)
        .map_err(|e| Failure::new(code::READ, format!("cannot read {path}: {e}")))
}

/// The body from the -d and --data-binary values, joined with `&` in command-line order;
/// `None` without any.
fn load_data(parts: &[DataArg], source: &dyn BodySource) -> Result<Option<Vec<u8>>, Failure> {
    if parts.is_empty() {
        return Ok(None);
    }
    let mut joined = Vec::new();
    for (i, d) in parts.iter().enumerate() {
        if i > 0 {
            joined.push(b'&');
        }
        match d.value.strip_prefix('@') {
            // As curl does for -d: the file's line ends are dropped.
            Some(path) if !d.binary => joined.extend(
                read_file(source, path)?
                    .into_iter()
                    .filter(|b| *b != b'\r' && *b != b'\n'),
            ),
            Some(path) => joined.extend(read_file(source, path)?),
            None => joined.extend_from_slice(d.value.as_bytes()),
        }
    }
    Ok(Some(joined))
}

/// The -H headers in order, with `@FILE` arguments replaced by the file's lines.
fn load_headers(args: &FetchArgs, source: &dyn BodySource) -> Result<Vec<HeaderArg>, Failure> {
    let mut out = Vec::new();
    for h in &args.headers {
        let Some(path) = h.strip_prefix('@') else {
            out.push(HeaderArg::parse(h).map_err(|why| Failure::new(code::USAGE, why))?);
            continue;
        };
        let bytes = read_file(source, path)?;
        let text = String::from_utf8_lossy(&bytes);
        for (n, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim_matches([' ', '\t']).is_empty() {
                continue;
            }
            out.push(HeaderArg::parse(line).map_err(|why| {
                Failure::new(code::USAGE, format!("-H @{path}, line {}: {why}", n + 1))
            })?);
        }
    }
    Ok(out)
}

/// The credentials to send: `-u user[:password]`, else the URL's (percent-decoded), as
/// curl takes them.
fn credentials(args: &FetchArgs, url: &Url) -> Option<(Vec<u8>, Vec<u8>)> {
    if let Some(user_pass) = &args.user {
        let (user, pass) = user_pass.split_once(':').unwrap_or((user_pass, ""));
        return Some((user.as_bytes().to_vec(), pass.as_bytes().to_vec()));
    }
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    Some((
        percent_decode(url.username()),
        percent_decode(url.password().unwrap_or_default()),
    ))
}

/// `%XX` escapes decoded; anything else is kept.
fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        match (
            b[i],
            b.get(i + 1).and_then(|&c| hex(c)),
            b.get(i + 2).and_then(|&c| hex(c)),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// `body` as one chunk and the last chunk (RFC 9112 section 7.1), as curl sends a body it
/// was told to chunk; an empty body is the last chunk alone.
fn chunk_encode(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 16);
    if !body.is_empty() {
        out.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// What the request to every URL shares, read once (standard input can be read only
/// once): the body from -d and --data-binary, and the -H headers.
#[derive(Debug)]
pub struct Inputs {
    data: Option<Vec<u8>>,
    custom: Vec<HeaderArg>,
}

impl Inputs {
    /// Reads the body and the headers, `@FILE` arguments included.
    pub fn load(args: &FetchArgs, source: &dyn BodySource) -> Result<Inputs, Failure> {
        Ok(Inputs {
            data: load_data(&args.data_in_order, source)?,
            custom: load_headers(args, source)?,
        })
    }
}

/// Builds the plan for `args` and its first URL.
#[cfg(test)]
pub fn build(args: &FetchArgs, source: &dyn BodySource) -> Result<Plan, Failure> {
    let inputs = Inputs::load(args, source)?;
    let url = args.urls.first().map_or("", String::as_str);
    build_for(args, &inputs, url, None)
}

/// The name `-O` gives the output of `input`: the URL's last path segment as the URL
/// spells it (percent escapes kept), `None` when the path ends in `/`.
pub fn remote_name(input: &str) -> Result<Option<String>, Failure> {
    let url = parse_url(input)?;
    let name = url.path().rsplit('/').next().unwrap_or_default();
    Ok((!name.is_empty()).then(|| name.to_string()))
}

/// Builds the plan for the URL `input`; `resume_from` asks for the rest of the resource
/// from that byte on (`Range: bytes=N-`).
pub fn build_for(
    args: &FetchArgs,
    inputs: &Inputs,
    input: &str,
    resume_from: Option<u64>,
) -> Result<Plan, Failure> {
    let url = parse_url(input)?;
    let data = inputs.data.clone();
    let custom = &inputs.custom;
    let method = match &args.method {
        Some(m) => {
            RequestMethod::parse(m).map_err(|_| {
                Failure::new(
                    code::USAGE,
                    format!("invalid request method {m:?}: not a token"),
                )
            })?;
            m.clone()
        }
        None if args.head => Method::Head.as_str().to_string(),
        None if data.is_some() => Method::Post.as_str().to_string(),
        None => Method::Get.as_str().to_string(),
    };
    if args.head && data.is_some() {
        return Err(Failure::new(
            code::USAGE,
            "--head cannot be combined with --data",
        ));
    }
    let host = match url.host() {
        Some(Host::Domain(d)) => d.to_string(),
        Some(Host::Ipv4(a)) => a.to_string(),
        Some(Host::Ipv6(a)) => a.to_string(),
        None => {
            return Err(Failure::new(
                code::BAD_URL,
                format!("no host in URL {input:?}"),
            ))
        }
    };
    let port = url
        .port_or_known_default()
        .ok_or_else(|| Failure::new(code::BAD_URL, format!("no port for URL {input:?}")))?;
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }

    let find = |name: &str| custom.iter().find(|h| h.name().eq_ignore_ascii_case(name));
    let mut headers = Vec::new();
    // curl writes a -H Host header in Host's place, as `Host:` and what followed the colon.
    match find("host") {
        Some(HeaderArg::Send(line)) => {
            let rest = line.split_once(':').map_or("", |(_, v)| v);
            headers.push(format!("Host:{rest}"));
        }
        Some(HeaderArg::Remove(_)) => {}
        // The URL crate leaves out a port equal to the scheme's default, as Host should.
        None => headers.push(match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("Host: {h}:{p}"),
            (Some(h), None) => format!("Host: {h}"),
            (None, _) => format!("Host: {host}"),
        }),
    }
    if find("authorization").is_none() {
        if let Some((user, password)) = credentials(args, &url) {
            headers.push(format!(
                "Authorization: {}",
                pollhttp::basic_authorization(&user, &password)
            ));
        }
    }
    // curl sends the range it resumes from between the credentials and User-Agent.
    if let (Some(from), None) = (resume_from.filter(|n| *n > 0), find("range")) {
        headers.push(format!("Range: bytes={from}-"));
    }
    if find("user-agent").is_none() {
        let agent = args.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT);
        if !agent.is_empty() {
            headers.push(format!("User-Agent: {agent}"));
        }
    }
    if find("accept").is_none() {
        headers.push("Accept: */*".to_string());
    }
    if args.compressed && find("accept-encoding").is_none() {
        headers.push(format!("Accept-Encoding: {CURL_ACCEPT_ENCODING}"));
    }
    for h in custom {
        if let HeaderArg::Send(line) = h {
            if !h.name().eq_ignore_ascii_case("host") {
                headers.push(line.clone());
            }
        }
    }
    // curl sends the body in chunks when -H asks for `Transfer-Encoding: chunked`.
    let chunked = custom.iter().any(|h| {
        h.name().eq_ignore_ascii_case("transfer-encoding")
            && h.value().is_some_and(|v| {
                v.split(',')
                    .any(|t| t.trim_matches([' ', '\t']).eq_ignore_ascii_case("chunked"))
            })
    });
    let body = match data {
        Some(data) => {
            let length = match find("content-length") {
                Some(HeaderArg::Send(_)) => None,
                // Without it a body could not be delimited: it stays, unlike in curl.
                Some(HeaderArg::Remove(_)) if data.is_empty() => None,
                _ if chunked => None,
                _ => Some(data.len()),
            };
            if let Some(n) = length {
                headers.push(format!("Content-Length: {n}"));
            }
            if find("content-type").is_none() {
                headers.push("Content-Type: application/x-www-form-urlencoded".to_string());
            }
            if chunked {
                chunk_encode(&data)
            } else {
                data
            }
        }
        None => Vec::new(),
    };
    // The credentials travel in the Authorization header above (or not at all, when -H
    // removed it); the URL handed to the client carries none.
    let mut bare = url.clone();
    // Both fail only for URLs that cannot have credentials, which then have none.
    let _ = bare.set_username("");
    let _ = bare.set_password(None);
    bare.set_fragment(None);
    Ok(Plan {
        url: bare.into(),
        connect_host: format!("{}://{host}", url.scheme()),
        port,
        target,
        method,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Files(HashMap<&'static str, &'static [u8]>);

    impl BodySource for Files {
        fn read(&self, path: &str) -> io::Result<Vec<u8>> {
            self.0
                .get(path)
                .map(|b| b.to_vec())
                .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
        }
    }

    fn files() -> Files {
        Files(HashMap::from([
            ("body.txt", b"a=1\r\nb=2\n".as_slice()),
            (
                "headers.txt",
                b"X-F1: a\r\n\nX-F2: b\n  \nAccept;\nUser-Agent:\nX-F3: last".as_slice(),
            ),
            ("bad-headers.txt", b"X-A: 1\nno colon\n".as_slice()),
        ]))
    }

    fn args(url: &str) -> FetchArgs {
        FetchArgs {
            urls: vec![url.to_string()],
            ..FetchArgs::default()
        }
    }

    fn agent() -> String {
        format!("User-Agent: {DEFAULT_USER_AGENT}")
    }

    #[test]
    fn plain_get() {
        let p = build(&args("http://Example.com/a/b?x=1&y=%20#frag"), &files()).unwrap();
        assert_eq!(p.connect_host, "http://example.com");
        assert_eq!(p.port, 80);
        assert_eq!(p.target, "/a/b?x=1&y=%20");
        assert_eq!(p.method(), RequestMethod::Known(Method::Get));
        assert_eq!(p.headers, ["Host: example.com", &agent(), "Accept: */*"]);
        assert!(p.body.is_empty());
    }

    #[test]
    fn ports_schemes_and_ipv6() {
        let p = build(&args("localhost:8080"), &files()).unwrap();
        assert_eq!(
            (p.connect_host.as_str(), p.port, p.target.as_str()),
            ("http://localhost", 8080, "/")
        );
        assert_eq!(p.headers[0], "Host: localhost:8080");
        let p = build(&args("https://[::1]:8443/x"), &files()).unwrap();
        assert_eq!((p.connect_host.as_str(), p.port), ("https://::1", 8443));
        assert_eq!(p.headers[0], "Host: [::1]:8443");
        let p = build(&args("https://h.test:443/"), &files()).unwrap();
        assert_eq!((p.port, p.headers[0].as_str()), (443, "Host: h.test"));
    }

    #[test]
    fn bad_urls() {
        assert_eq!(
            build(&args("http://"), &files()).unwrap_err().code,
            code::BAD_URL
        );
        assert_eq!(
            build(&args("http://a b/"), &files()).unwrap_err().code,
            code::BAD_URL
        );
        assert_eq!(
            build(&args("http://h:99999/"), &files()).unwrap_err().code,
            code::BAD_URL
        );
        assert_eq!(
            build(&args("ftp://h/"), &files()).unwrap_err().code,
            code::FAILED
        );
    }

    #[test]
    fn data_makes_a_form_post() {
        let mut a = args("http://h/form");
        a.data_in_order = vec![DataArg::ascii("x=1"), DataArg::ascii("@body.txt")];
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.method(), RequestMethod::Known(Method::Post));
        assert_eq!(p.body, b"x=1&a=1b=2");
        assert_eq!(
            p.headers,
            [
                "Host: h",
                &agent(),
                "Accept: */*",
                "Content-Length: 10",
                "Content-Type: application/x-www-form-urlencoded"
            ]
        );
    }

    #[test]
    fn data_is_joined_in_command_line_order() {
        let mut a = args("http://h/");
        a.data_in_order = vec![
            DataArg::binary("B"),
            DataArg::ascii("A"),
            DataArg::ascii("C"),
        ];
        assert_eq!(build(&a, &files()).unwrap().body, b"B&A&C");
        // An empty -d still makes a POST with a body of length 0.
        let mut a = args("http://h/");
        a.data_in_order = vec![DataArg::ascii("")];
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.method, "POST");
        assert!(p.headers.contains(&"Content-Length: 0".to_string()));
    }

    #[test]
    fn binary_data_keeps_line_ends_and_user_headers_win() {
        let mut a = args("http://h/");
        a.data_in_order = vec![DataArg::binary("@body.txt")];
        a.method = Some("PUT".into());
        a.headers = vec![
            "Accept: text/plain".into(),
            "host: other".into(),
            "content-type: text/x".into(),
        ];
        a.user_agent = Some("me/2".into());
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.method(), RequestMethod::Known(Method::Put));
        assert_eq!(p.body, b"a=1\r\nb=2\n");
        // curl's order: Host (given, in its place), User-Agent, the -H headers, then
        // Content-Length; the given Content-Type replaces the form's.
        assert_eq!(
            p.headers,
            [
                "Host: other",
                "User-Agent: me/2",
                "Accept: text/plain",
                "content-type: text/x",
                "Content-Length: 9",
            ]
        );
    }

    #[test]
    fn empty_headers_remove_and_semicolons_send_empty() {
        let mut a = args("http://h/");
        a.headers = vec![
            "Accept:".into(),
            "User-Agent:  ".into(),
            "Host:".into(),
            "X-Empty;".into(),
            "X-Gone:".into(),
        ];
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.headers, ["X-Empty:"]);
        // -A "" sends no User-Agent either.
        let mut a = args("http://h/");
        a.user_agent = Some(String::new());
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.headers, ["Host: h", "Accept: */*"]);
        // A given User-Agent goes among the -H headers and -A is ignored, as in curl.
        let mut a = args("http://h/");
        a.user_agent = Some("me".into());
        a.headers = vec!["User-Agent: other".into(), "X: 1".into()];
        let p = build(&a, &files()).unwrap();
        assert_eq!(
            p.headers,
            ["Host: h", "Accept: */*", "User-Agent: other", "X: 1"]
        );
    }

    #[test]
    fn header_arguments_as_curl_reads_them() {
        use HeaderArg::*;
        let ok = [
            ("X-A: 1", Send("X-A: 1".into())),
            ("X-A:1", Send("X-A:1".into())),
            ("X-T: 12:30;x", Send("X-T: 12:30;x".into())),
            ("X-A:", Remove("X-A".into())),
            ("X-A: \t ", Remove("X-A".into())),
            ("X-A;", Send("X-A:".into())),
        ];
        for (arg, want) in ok {
            assert_eq!(HeaderArg::parse(arg), Ok(want), "{arg:?}");
        }
        for bad in [
            "",
            "X",
            ": v",
            ";",
            "X A: 1",
            "X;junk",
            "X; ",
            "X: a\r\nY: b",
            "X\0: 1",
        ] {
            assert!(HeaderArg::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Send("X-A:".into()).name(), "X-A");
        assert_eq!(Remove("X-A".into()).name(), "X-A");
    }

    #[test]
    fn header_files_give_one_header_per_line() {
        let mut a = args("http://h/");
        a.headers = vec!["@headers.txt".into(), "X-After: 1".into()];
        let p = build(&a, &files()).unwrap();
        assert_eq!(
            p.headers,
            [
                "Host: h",
                "X-F1: a",
                "X-F2: b",
                "Accept:",
                "X-F3: last",
                "X-After: 1"
            ]
        );
        a.headers = vec!["@missing.txt".into()];
        assert_eq!(build(&a, &files()).unwrap_err().code, code::READ);
        a.headers = vec!["@bad-headers.txt".into()];
        let f = build(&a, &files()).unwrap_err();
        assert_eq!(f.code, code::USAGE);
        assert!(
            f.message.starts_with("-H @bad-headers.txt, line 2: "),
            "{}",
            f.message
        );
    }

    #[test]
    fn chunked_transfer_encoding_chunks_the_body() {
        let mut a = args("http://h/");
        a.headers = vec!["Transfer-Encoding: chunked".into()];
        a.data_in_order = vec![DataArg::ascii("abc")];
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.body, b"3\r\nabc\r\n0\r\n\r\n");
        assert_eq!(
            p.headers,
            [
                "Host: h",
                &agent(),
                "Accept: */*",
                "Transfer-Encoding: chunked",
                "Content-Type: application/x-www-form-urlencoded"
            ]
        );
        a.data_in_order = vec![DataArg::ascii("")];
        assert_eq!(build(&a, &files()).unwrap().body, b"0\r\n\r\n");
        a.headers = vec!["transfer-encoding: gzip, CHUNKED".into()];
        let big = "x".repeat(300);
        a.data_in_order = vec![DataArg::binary(&big)];
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.body, format!("12c\r\n{big}\r\n0\r\n\r\n").as_bytes());
        // Without data nothing is sent after the head, as in curl.
        a.data_in_order.clear();
        a.method = Some("PUT".into());
        let p = build(&a, &files()).unwrap();
        assert!(p.body.is_empty());
        assert!(!p.headers.iter().any(|h| h.starts_with("Content-")));
    }

    #[test]
    fn a_removed_content_length_stays_for_a_body() {
        let mut a = args("http://h/");
        a.headers = vec!["Content-Length:".into(), "Content-Type:".into()];
        a.data_in_order = vec![DataArg::ascii("abc")];
        let p = build(&a, &files()).unwrap();
        assert_eq!(
            p.headers,
            ["Host: h", &agent(), "Accept: */*", "Content-Length: 3"]
        );
        a.data_in_order = vec![DataArg::ascii("")];
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.headers, ["Host: h", &agent(), "Accept: */*"]);
    }

    #[test]
    fn credentials_from_the_option_or_the_url() {
        let auth = |a: &FetchArgs| {
            build(a, &files())
                .unwrap()
                .headers
                .into_iter()
                .filter(|h| h.starts_with("Authorization"))
                .collect::<Vec<_>>()
        };
        let mut a = args("http://h/");
        a.user = Some("user:pa%20ss".into());
        assert_eq!(auth(&a), ["Authorization: Basic dXNlcjpwYSUyMHNz"]);
        a.user = Some("a".into());
        assert_eq!(auth(&a), ["Authorization: Basic YTo="]);
        // The URL's are percent-decoded, and the option wins over them.
        let mut a = args("http://us%40er:p%3Ass@h/");
        assert_eq!(auth(&a), ["Authorization: Basic dXNAZXI6cDpzcw=="]);
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.headers[0], "Host: h");
        assert_eq!(p.headers[1], "Authorization: Basic dXNAZXI6cDpzcw==");
        assert_eq!(p.target, "/");
        a.user = Some("a:b".into());
        assert_eq!(auth(&a), ["Authorization: Basic YTpi"]);
        // A given Authorization wins over both, in its own place.
        a.headers = vec!["Authorization: Bearer x".into()];
        assert_eq!(auth(&a), ["Authorization: Bearer x"]);
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.headers.last().unwrap(), "Authorization: Bearer x");
        a.headers = vec!["Authorization:".into()];
        assert!(auth(&a).is_empty());
        assert_eq!(
            auth(&args("http://user@h/")),
            ["Authorization: Basic dXNlcjo="]
        );
        assert_eq!(auth(&args("http://:pw@h/")), ["Authorization: Basic OnB3"]);
        assert!(auth(&args("http://h/")).is_empty());
    }

    #[test]
    fn percent_decoding_and_base64() {
        assert_eq!(percent_decode("a%41%zz%4"), b"aA%zz%4");
        assert_eq!(percent_decode("%e2%82%AC"), "€".as_bytes());
        assert_eq!(
            pollhttp::basic_authorization(b"Aladdin", b"open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(pollhttp::basic_authorization(b"", b""), "Basic Og==");
    }

    #[test]
    fn methods_and_conflicts() {
        let mut a = args("http://h/");
        a.head = true;
        assert_eq!(
            build(&a, &files()).unwrap().method(),
            RequestMethod::Known(Method::Head)
        );
        a.data_in_order = vec![DataArg::ascii("x")];
        assert_eq!(build(&a, &files()).unwrap_err().code, code::USAGE);
        // Any token is a method, sent as given.
        for m in ["PROPFIND", "PURGE", "propfind", "put"] {
            let mut a = args("http://h/");
            a.method = Some(m.into());
            let p = build(&a, &files()).unwrap();
            assert_eq!(p.method().as_str(), m);
            assert_eq!(p.headers, ["Host: h", &agent(), "Accept: */*"]);
        }
        for bad in ["", "BR EW", "GET\r\n"] {
            let mut a = args("http://h/");
            a.method = Some(bad.into());
            assert_eq!(
                build(&a, &files()).unwrap_err().code,
                code::USAGE,
                "{bad:?}"
            );
        }
        // -X POST without data sends no Content-Length, as curl does.
        let mut a = args("http://h/");
        a.method = Some("POST".into());
        let p = build(&a, &files()).unwrap();
        assert!(!p.headers.iter().any(|h| h.starts_with("Content-")));
        let mut a = args("http://h/");
        a.data_in_order = vec![DataArg::ascii("@missing")];
        assert_eq!(build(&a, &files()).unwrap_err().code, code::READ);
    }

    #[test]
    fn the_url_for_the_client_has_no_credentials_or_fragment() {
        let p = build(&args("http://u:p@h:81/a?b#c"), &files()).unwrap();
        assert_eq!(p.url, "http://h:81/a?b");
        assert_eq!(p.headers[1], "Authorization: Basic dTpw");
    }

    #[test]
    fn resume_and_compression_headers_take_curls_places() {
        let mut a = args("http://u:p@h/f");
        a.compressed = true;
        a.headers = vec!["X-A: 1".into()];
        let inputs = Inputs::load(&a, &files()).unwrap();
        let p = build_for(&a, &inputs, "http://u:p@h/f", Some(100)).unwrap();
        assert_eq!(
            p.headers,
            [
                "Host: h",
                "Authorization: Basic dTpw",
                "Range: bytes=100-",
                &agent(),
                "Accept: */*",
                "Accept-Encoding: deflate, gzip, br, zstd",
                "X-A: 1",
            ]
        );
        // Nothing to resume from 0; a -H Accept-Encoding replaces curl's.
        a.headers = vec!["accept-encoding: gzip".into()];
        let inputs = Inputs::load(&a, &files()).unwrap();
        let p = build_for(&a, &inputs, "http://h/f", Some(0)).unwrap();
        assert_eq!(
            p.headers,
            ["Host: h", &agent(), "Accept: */*", "accept-encoding: gzip"]
        );
    }

    #[test]
    fn remote_names() {
        assert_eq!(
            remote_name("http://h/a/fi%20le.txt?x=1#f")
                .unwrap()
                .as_deref(),
            Some("fi%20le.txt")
        );
        assert_eq!(remote_name("h/dir/x").unwrap().as_deref(), Some("x"));
        assert_eq!(remote_name("http://h/dir/").unwrap(), None);
        assert_eq!(remote_name("http://h").unwrap(), None);
        assert_eq!(remote_name("http://").unwrap_err().code, code::BAD_URL);
    }
}
