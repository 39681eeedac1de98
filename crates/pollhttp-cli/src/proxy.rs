//! Which proxy a fetch goes through, as curl decides: `-x/--proxy`, `--proxy-user`,
//! `--noproxy`, and otherwise the `http_proxy` / `https_proxy` / `no_proxy` environment
//! variables (upper-case names too).

use crate::args::FetchArgs;
use crate::failure::{code, Failure};
use crate::plan::Plan;
use pollhttp::{no_proxy_matches, GodotError, ProxyConfig, Reason};

/// The proxy for `plan`, or `None` for a direct connection.
///
/// - A host matched by `--noproxy` (or, without it, by `no_proxy` / `NO_PROXY`) is
///   fetched directly, whatever else says.
/// - `-x URL` wins over the environment; `-x ""` means no proxy at all.
/// - `--proxy-user user:password` replaces credentials given in the proxy URL.
pub fn choose(
    args: &FetchArgs,
    plan: &Plan,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ProxyConfig>, Failure> {
    choose_for(args, &plan.connect_host, env)
}

/// [`choose`] for a connection to `connect_host` (`http://host` or `https://host`).
pub fn choose_for(
    args: &FetchArgs,
    connect_host: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ProxyConfig>, Failure> {
    let tls = connect_host.starts_with("https://");
    let no_proxy = args
        .noproxy
        .clone()
        .or_else(|| env("no_proxy"))
        .or_else(|| env("NO_PROXY"));
    if no_proxy.is_some_and(|list| no_proxy_matches(&list, connect_host)) {
        return Ok(None);
    }
    let proxy = match args.proxy.as_deref() {
        Some("") => None,
        Some(url) => Some(ProxyConfig::from_url(url).map_err(|e| bad_proxy(&e))?),
        None => {
            // The exclusion list was applied above (with --noproxy taking its place).
            let vars = |name: &str| match name {
                "no_proxy" | "NO_PROXY" => None,
                _ => env(name),
            };
            ProxyConfig::from_env_vars(tls, connect_host, vars).map_err(|e| bad_proxy(&e))?
        }
    };
    Ok(proxy.map(|p| match args.proxy_user.as_deref() {
        Some(user_pass) => {
            let (user, pass) = user_pass.split_once(':').unwrap_or((user_pass, ""));
            p.with_credentials(user, pass)
        }
        None => p,
    }))
}

fn bad_proxy(e: &pollhttp::Error) -> Failure {
    let why = match e.reason() {
        Reason::InvalidArgument(s) | Reason::Unsupported(s) => s.clone(),
        other => other.to_string(),
    };
    let exit = match (e.godot(), e.reason()) {
        (_, Reason::Unsupported(_)) => code::FAILED,
        (GodotError::InvalidParameter, _) => code::BAD_URL,
        _ => code::FAILED,
    };
    Failure::new(exit, format!("proxy: {why}"))
}

/// Whether the plan's connection uses TLS (and so the HTTPS proxy).
pub fn is_tls(plan: &Plan) -> bool {
    plan.connect_host.starts_with("https://")
}

/// The request line's target as an HTTP proxy receives it: `http://host[:port]/path`.
pub fn absolute_target(plan: &Plan) -> String {
    let host = plan
        .connect_host
        .split_once("://")
        .map_or(plan.connect_host.as_str(), |(_, h)| h);
    // What the library writes: the same absolute form, from the same Host value.
    let host_header = pollhttp::proto::host_header(host, plan.port, false);
    pollhttp::proto::ProxyForm::new(&host_header, None)
        .target(&plan.target)
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{build, BodySource};
    use std::collections::HashMap;

    struct NoFiles;
    impl BodySource for NoFiles {
        fn read(&self, _: &str) -> std::io::Result<Vec<u8>> {
            Err(std::io::ErrorKind::NotFound.into())
        }
    }

    fn args(url: &str) -> FetchArgs {
        FetchArgs {
            urls: vec![url.to_string()],
            ..FetchArgs::default()
        }
    }

    fn pick(a: &FetchArgs, vars: &[(&str, &str)]) -> Result<Option<ProxyConfig>, Failure> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let plan = build(a, &NoFiles).unwrap();
        choose(a, &plan, &|n| map.get(n).cloned())
    }

    fn host_port(p: Option<ProxyConfig>) -> Option<(String, u16)> {
        p.map(|p| (p.host().to_string(), p.port()))
    }

    #[test]
    fn environment_by_scheme() {
        let env = [("http_proxy", "plain:1"), ("HTTPS_PROXY", "tunnel:2")];
        let got = pick(&args("http://example.com/"), &env).unwrap();
        assert_eq!(host_port(got), Some(("plain".into(), 1)));
        let got = pick(&args("https://example.com/"), &env).unwrap();
        assert_eq!(host_port(got), Some(("tunnel".into(), 2)));
        assert_eq!(pick(&args("https://example.com/"), &[]).unwrap(), None);
    }

    #[test]
    fn option_wins_and_empty_disables() {
        let env = [("http_proxy", "plain:1")];
        let mut a = args("http://example.com/");
        a.proxy = Some("http://opt:3".into());
        assert_eq!(host_port(pick(&a, &env).unwrap()), Some(("opt".into(), 3)));
        a.proxy = Some(String::new());
        assert_eq!(pick(&a, &env).unwrap(), None);
    }

    #[test]
    fn no_proxy_and_noproxy() {
        let env = [("https_proxy", "p:1"), ("no_proxy", ".internal")];
        assert_eq!(pick(&args("https://a.internal/"), &env).unwrap(), None);
        // --noproxy replaces the variable...
        let mut a = args("https://a.internal/");
        a.noproxy = Some("other".into());
        assert!(pick(&a, &env).unwrap().is_some());
        // ...and applies to -x too, as in curl.
        let mut a = args("http://localhost:8080/");
        a.proxy = Some("p:1".into());
        a.noproxy = Some("localhost".into());
        assert_eq!(pick(&a, &[]).unwrap(), None);
        let mut a = args("http://[::1]:8080/");
        a.proxy = Some("p:1".into());
        a.noproxy = Some("*".into());
        assert_eq!(pick(&a, &[]).unwrap(), None);
    }

    #[test]
    fn proxy_user_replaces_url_credentials() {
        let mut a = args("http://example.com/");
        a.proxy = Some("http://u1:p1@p:1".into());
        let got = pick(&a, &[]).unwrap().unwrap();
        assert_eq!(got.credentials(), Some(("u1", "p1")));
        a.proxy_user = Some("u2:p:2".into());
        let got = pick(&a, &[]).unwrap().unwrap();
        assert_eq!(got.credentials(), Some(("u2", "p:2")));
        a.proxy_user = Some("solo".into());
        let got = pick(&a, &[]).unwrap().unwrap();
        assert_eq!(got.credentials(), Some(("solo", "")));
    }

    #[test]
    fn bad_proxies_fail() {
        let mut a = args("http://example.com/");
        a.proxy = Some("https://p:443".into());
        let f = pick(&a, &[]).unwrap_err();
        assert_eq!(f.code, code::FAILED);
        assert!(f.message.contains("https://"), "{}", f.message);
        a.proxy = Some("http://p:99999".into());
        assert_eq!(pick(&a, &[]).unwrap_err().code, code::BAD_URL);
        let f = pick(
            &args("http://example.com/"),
            &[("http_proxy", "socks5://p")],
        )
        .unwrap_err();
        assert_eq!(f.code, code::FAILED);
    }

    #[test]
    fn absolute_targets() {
        let t = |url: &str| absolute_target(&build(&args(url), &NoFiles).unwrap());
        assert_eq!(t("http://example.com/a?b=1"), "http://example.com/a?b=1");
        assert_eq!(t("http://example.com:8080/"), "http://example.com:8080/");
        assert_eq!(t("http://[::1]:81/x"), "http://[::1]:81/x");
    }
}
