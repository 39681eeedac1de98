use super::*;

#[test]
fn from_url_forms() {
    let p = ProxyConfig::from_url("http://proxy.example:3128").unwrap();
    assert_eq!(
        (p.host(), p.port(), p.credentials()),
        ("proxy.example", 3128, None)
    );
    let p = ProxyConfig::from_url("HTTP://proxy.example:3128/").unwrap();
    assert_eq!((p.host(), p.port()), ("proxy.example", 3128));
    let p = ProxyConfig::from_url("proxy.example").unwrap();
    assert_eq!((p.host(), p.port()), ("proxy.example", DEFAULT_PROXY_PORT));
    let p = ProxyConfig::from_url("http://proxy.example:").unwrap();
    assert_eq!(p.port(), 1080);
    let p = ProxyConfig::from_url("http://[::1]:8080").unwrap();
    assert_eq!((p.host(), p.port()), ("::1", 8080));
    let p = ProxyConfig::from_url("[::1]").unwrap();
    assert_eq!((p.host(), p.port()), ("::1", 1080));
    let p = ProxyConfig::from_url("  http://10.0.0.1:1  ").unwrap();
    assert_eq!((p.host(), p.port()), ("10.0.0.1", 1));
}

#[test]
fn from_url_credentials() {
    let p = ProxyConfig::from_url("http://user:pass@127.0.0.1:3128").unwrap();
    assert_eq!(p.credentials(), Some(("user", "pass")));
    assert_eq!(
        p.basic_authorization().as_deref(),
        Some("Basic dXNlcjpwYXNz")
    );
    // Percent escapes, a ':' and a raw '@' in the password, an empty password.
    let p = ProxyConfig::from_url("http://us%40er:p%3A%2Fw@d:x@h:1").unwrap();
    assert_eq!(p.credentials(), Some(("us@er", "p:/w@d:x")));
    let p = ProxyConfig::from_url("http://only@h:1").unwrap();
    assert_eq!(p.credentials(), Some(("only", "")));
    let p = ProxyConfig::from_url("http://%C3%A9t%C3%A9:%E2%82%AC@h").unwrap();
    assert_eq!(p.credentials(), Some(("été", "€")));
    assert_eq!(
        p.basic_authorization().as_deref(),
        Some("Basic w6l0w6k64oKs")
    );
    // RFC 7617's example.
    let p = ProxyConfig::new("h", 1).with_credentials("Aladdin", "open sesame");
    assert_eq!(
        p.basic_authorization().as_deref(),
        Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    );
    assert_eq!(ProxyConfig::new("h", 1).basic_authorization(), None);
}

#[test]
fn from_url_rejects() {
    for bad in [
        "",
        "http://",
        "http://:3128",
        "http://user:pass@",
        "http://proxy:0",
        "http://proxy:65536",
        "http://proxy:+80",
        "http://proxy:80x",
        "http://proxy/path",
        "http://proxy:80/path",
        "http://proxy?x",
        "http://::1:8080",
        "http://[::1",
        "http://[::1]x",
        "http://[nope]:1",
        "http://bad host:1",
        "http://u:%zz@h",
        "http://u:%4@h",
        "http://u:%+4@h",
        "http://u:%FF@h",
    ] {
        let err = ProxyConfig::from_url(bad).unwrap_err();
        assert_eq!(err.godot(), GodotError::InvalidParameter, "{bad:?}");
        assert!(
            matches!(err.reason(), Reason::InvalidArgument(_)),
            "{bad:?}: {err}"
        );
    }
}

#[test]
fn from_url_rejects_other_schemes_saying_why() {
    let err = ProxyConfig::from_url("https://user:secret@proxy:443").unwrap_err();
    assert!(matches!(err.reason(), Reason::Unsupported(_)), "{err}");
    assert!(err.to_string().contains("https://"), "{err}");
    assert!(err.to_string().contains("not supported"), "{err}");
    assert!(!err.to_string().contains("secret"), "{err}");
    let err = ProxyConfig::from_url("socks5://proxy:1080").unwrap_err();
    assert!(err.to_string().contains("socks5"), "{err}");
}

#[test]
fn errors_never_show_the_password() {
    for bad in [
        "http://u:hunter2@:1",
        "http://u:hunter2@h:99999",
        "http://u:hunter2%@h",
    ] {
        let err = ProxyConfig::from_url(bad).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}

#[test]
fn a_password_holding_a_scheme_separator_stays_hidden() {
    // The "://" inside the password is not the end of a scheme: what comes before it
    // is no scheme name, so the URL has none.
    let p = ProxyConfig::from_url("u:hunter2://x@proxy:3128").unwrap();
    assert_eq!((p.host(), p.port()), ("proxy", 3128));
    assert_eq!(p.credentials(), Some(("u", "hunter2://x")));
    for bad in ["u:hunter2://x@proxy:0", "u:hunter2://x@/", ":hunter2://@"] {
        let err = ProxyConfig::from_url(bad).unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{bad:?}: {err}");
    }
    // A real scheme is still read as one, in any case.
    let err = ProxyConfig::from_url("Socks5h://u:hunter2@p").unwrap_err();
    assert!(err.to_string().contains("\"Socks5h\""), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
fn a_user_name_with_a_colon_is_refused_when_parsed() {
    // Basic authentication cannot carry it, so no connection could use the result.
    let err = ProxyConfig::from_url("http://a%3Ab:pw@proxy:3128").unwrap_err();
    assert!(err.to_string().contains("':'"), "{err}");
    assert!(!err.to_string().contains("pw"), "{err}");
}

#[test]
fn display_and_debug_hide_the_password() {
    let p = ProxyConfig::new("::1", 8080).with_credentials("u", "hunter2");
    assert_eq!(p.to_string(), "http://u:***@[::1]:8080");
    assert!(!format!("{p:?}").contains("hunter2"));
    let p = ProxyConfig::new("h", 1).with_credentials("u", "");
    assert_eq!(p.to_string(), "http://u@h:1");
    assert_eq!(ProxyConfig::new("h", 1).to_string(), "http://h:1");
}

#[test]
fn target_checks() {
    assert!(ProxyConfig::new("proxy", 1).target().is_ok());
    assert_eq!(ProxyConfig::new("[::1]", 1).target().unwrap().host, "::1");
    assert!(ProxyConfig::new("", 1).target().is_err());
    assert!(ProxyConfig::new("proxy", 0).target().is_err());
    assert!(ProxyConfig::new("proxy:1", 1).target().is_err());
    assert!(ProxyConfig::new("https://proxy", 1).target().is_err());
    assert!(ProxyConfig::new("http://proxy", 1).target().is_ok());
    let colon_user = ProxyConfig::new("proxy", 1).with_credentials("a:b", "c");
    assert!(colon_user.target().is_err());
}
