//! Turning the arguments into exactly what will be sent: where to connect, the request line,
//! every header and the body.

use crate::args::FetchArgs;
use crate::failure::{code, Failure};
use pollhttp::Method;
use std::io::{self, Read};
use url::{Host, Url};

/// The `User-Agent` sent unless the caller gives one: the library's own, so that the
/// two never drift apart.
pub const DEFAULT_USER_AGENT: &str = pollhttp::USER_AGENT;

/// A fully prepared request.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    /// What to pass to `connect_to_host`: the scheme and the bare host (IPv6 without brackets).
    pub connect_host: String,
    /// The port from the URL, or the scheme's default.
    pub port: u16,
    /// The request target: path and query.
    pub target: String,
    /// The method.
    pub method: Method,
    /// Every header line, in the order sent. The defaults are spelled out here so that the
    /// client adds none of its own and `-v` shows exactly what goes on the wire.
    pub headers: Vec<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// Where `@file` bodies come from; tests substitute their own.
pub trait BodySource {
    /// The contents of `path` (`-` is standard input).
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;
}

/// Reads `@file` bodies from the file system and standard input.
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

fn load_data(args: &FetchArgs, source: &dyn BodySource) -> Result<Option<Vec<u8>>, Failure> {
    if args.data.is_empty() && args.data_binary.is_empty() {
        return Ok(None);
    }
    let read = |path: &str| {
        source
            .read(path)
            .map_err(|e| Failure::new(code::READ, format!("cannot read {path}: {e}")))
    };
    let mut parts = Vec::new();
    for d in &args.data {
        parts.push(match d.strip_prefix('@') {
            // As curl does for -d: the file's line ends are dropped.
            Some(path) => read(path)?
                .into_iter()
                .filter(|b| *b != b'\r' && *b != b'\n')
                .collect(),
            None => d.as_bytes().to_vec(),
        });
    }
    for d in &args.data_binary {
        parts.push(match d.strip_prefix('@') {
            Some(path) => read(path)?,
            None => d.as_bytes().to_vec(),
        });
    }
    Ok(Some(parts.join(&b'&')))
}

/// Builds the plan for `args`.
pub fn build(args: &FetchArgs, source: &dyn BodySource) -> Result<Plan, Failure> {
    let input = args.url.as_deref().unwrap_or_default();
    let url = parse_url(input)?;
    let data = load_data(args, source)?;
    let method = match &args.method {
        Some(m) => Method::parse(m).ok_or_else(|| {
            Failure::new(code::USAGE, format!("unsupported request method {m:?}"))
        })?,
        None if args.head => Method::Head,
        None if data.is_some() => Method::Post,
        None => Method::Get,
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

    let mut headers = args.headers.clone();
    let mut add_default = |name: &str, value: String| {
        if !pollhttp::proto::has_field(&headers, name) {
            headers.push(format!("{name}: {value}"));
        }
    };
    // The URL crate leaves out a port equal to the scheme's default, as Host should.
    let authority = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        (None, _) => host.clone(),
    };
    add_default("Host", authority);
    add_default(
        "User-Agent",
        args.user_agent
            .clone()
            .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string()),
    );
    add_default("Accept", "*/*".to_string());
    let body = data.unwrap_or_default();
    if !args.data.is_empty() {
        add_default(
            "Content-Type",
            "application/x-www-form-urlencoded".to_string(),
        );
    }
    if !body.is_empty() || method.expects_body() {
        add_default("Content-Length", body.len().to_string());
    }
    Ok(Plan {
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
        Files(HashMap::from([("body.txt", b"a=1\r\nb=2\n".as_slice())]))
    }

    fn args(url: &str) -> FetchArgs {
        FetchArgs {
            url: Some(url.to_string()),
            ..FetchArgs::default()
        }
    }

    #[test]
    fn plain_get() {
        let p = build(&args("http://Example.com/a/b?x=1&y=%20#frag"), &files()).unwrap();
        assert_eq!(p.connect_host, "http://example.com");
        assert_eq!(p.port, 80);
        assert_eq!(p.target, "/a/b?x=1&y=%20");
        assert_eq!(p.method, Method::Get);
        assert_eq!(
            p.headers,
            [
                "Host: example.com",
                &format!("User-Agent: {DEFAULT_USER_AGENT}"),
                "Accept: */*"
            ]
        );
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
        a.data = vec!["x=1".into(), "@body.txt".into()];
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.method, Method::Post);
        assert_eq!(p.body, b"x=1&a=1b=2");
        assert!(p
            .headers
            .contains(&"Content-Type: application/x-www-form-urlencoded".to_string()));
        assert!(p.headers.contains(&"Content-Length: 10".to_string()));
    }

    #[test]
    fn binary_data_keeps_line_ends_and_user_headers_win() {
        let mut a = args("http://h/");
        a.data_binary = vec!["@body.txt".into()];
        a.method = Some("put".into());
        a.headers = vec!["host: other".into(), "Accept: text/plain".into()];
        a.user_agent = Some("me/2".into());
        let p = build(&a, &files()).unwrap();
        assert_eq!(p.method, Method::Put);
        assert_eq!(p.body, b"a=1\r\nb=2\n");
        assert_eq!(
            p.headers,
            [
                "host: other",
                "Accept: text/plain",
                "User-Agent: me/2",
                "Content-Length: 9"
            ]
        );
    }

    #[test]
    fn methods_and_conflicts() {
        let mut a = args("http://h/");
        a.head = true;
        assert_eq!(build(&a, &files()).unwrap().method, Method::Head);
        a.data = vec!["x".into()];
        assert_eq!(build(&a, &files()).unwrap_err().code, code::USAGE);
        let mut a = args("http://h/");
        a.method = Some("BREW".into());
        assert_eq!(build(&a, &files()).unwrap_err().code, code::USAGE);
        let mut a = args("http://h/");
        a.method = Some("POST".into());
        let p = build(&a, &files()).unwrap();
        assert!(p.headers.contains(&"Content-Length: 0".to_string()));
        let mut a = args("http://h/");
        a.data = vec!["@missing".into()];
        assert_eq!(build(&a, &files()).unwrap_err().code, code::READ);
    }
}
