//! The TLS settings of an https fetch, chosen as curl's flags choose them: `--cacert`,
//! `-k/--insecure`, `--pinnedpubkey`, `--tlsv1.2` / `--tlsv1.3`, `--tls-max`,
//! `--ca-native`, `--crlfile`, `--cert` and `--key`.

use std::path::{Path, PathBuf};

use crate::args::FetchArgs;
use crate::failure::{code, Failure};
use pollhttp::{Certificates, PrivateKey, RevocationLists, TlsOptions, TlsVersion};

/// The options for the client, ready to use: the CA file is read and the configuration
/// (with the operating system's store, for `--ca-native`) built here, before the poll
/// loop, so that setup problems are reported as such and not as handshake failures.
///
/// - `--cacert FILE`: only that file's certificates are trusted; a file that cannot be
///   read or holds no usable certificate is exit code 77.
/// - `-k`: the library's unsafe client: with `--cacert` the chain is still checked but not
///   the name; without it, nothing. Pins are checked regardless.
/// - `--pinnedpubkey`: `sha256//` hashes, a bad one being a usage error (2), or a public
///   key file, one that cannot be read or holds no public key being exit code 90.
/// - `--tlsv1.3` with `--tls-max 1.2` leaves no version to offer: exit code 35.
/// - `--crlfile FILE`: revocation lists checked as curl (with OpenSSL) checks them: the
///   server's certificate and the intermediates, unknown status (no list of a
///   certificate's issuer) and expired lists failing; a file that cannot be read or
///   holds no list is exit code 82. Without a chain to check
///   (`-k` without `--cacert`) the lists are not used, as curl does not check them when
///   it does not verify.
/// - `--cert-status`: a stapled OCSP response is required and checked (exit code 91
///   when missing, untrustworthy or not "good"); without it staples are ignored, as curl
///   ignores them. With `-k` and no `--cacert` it is a usage error (2).
/// - `--cert FILE[:PASSWORD]` and `--key FILE`: the client certificate and its key
///   (from the certificate file when `--key` is not given); an unreadable, encrypted or
///   mismatched one is exit code 58. `--key` alone is ignored, as in curl.
pub fn options(args: &FetchArgs) -> Result<TlsOptions, Failure> {
    let (min, max) = versions(args);
    if min > max {
        return Err(Failure::new(
            code::TLS,
            "--tlsv1.3 asks for TLS 1.3 or later but --tls-max 1.2 allows at most 1.2",
        ));
    }
    let chain = match &args.cacert {
        Some(path) => Some(Certificates::from_pem_file(path).map_err(|e| {
            Failure::new(
                code::CA_CERT,
                format!("error setting certificate file: {}", e.detail()),
            )
        })?),
        None => None,
    };
    let mut opts = if args.insecure {
        TlsOptions::client_unsafe(chain)
    } else {
        TlsOptions::client(chain, None)
    }
    .with_min_version(min)
    .with_max_version(max);
    if args.ca_native {
        opts = opts.with_os_roots();
    }
    if let Some(pins) = &args.pinned_pubkey {
        opts = pin(opts, pins)?;
    }
    if let Some(path) = &args.crlfile {
        let lists = RevocationLists::from_file(path).map_err(|e| {
            Failure::new(
                code::CRL_FILE,
                format!("error loading CRL file: {}", e.detail()),
            )
        })?;
        if checks_chain(args) {
            opts = opts.with_revocation_lists(lists);
        }
    }
    opts = if !args.cert_status {
        opts.ignore_ocsp_staples()
    } else if checks_chain(args) {
        opts.require_ocsp_staple()
    } else {
        return Err(Failure::new(
            code::USAGE,
            "--cert-status checks the OCSP response against the verified chain, and -k \
             without --cacert verifies none",
        ));
    };
    if let Some(cert) = &args.cert {
        let (chain, key) = client_identity(cert, args.key.as_deref())?;
        opts = opts.with_client_certificate(chain, key);
    }
    // Left are the trusted certificates themselves (unusable as anchors) and the
    // operating system's store (unreadable or empty): both are CA problems to curl.
    opts.prepare().map_err(|e| {
        Failure::new(
            code::CA_CERT,
            format!("error setting certificate verify locations: {}", e.detail()),
        )
    })?;
    Ok(opts)
}

/// True when the server's chain is verified: not with `-k` alone.
fn checks_chain(args: &FetchArgs) -> bool {
    !args.insecure || args.cacert.is_some()
}

/// Splits curl's `--cert FILE[:PASSWORD]`: at the first `:` not escaped as `\:`.
fn split_cert(value: &str) -> (PathBuf, Option<String>) {
    let mut file = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.clone().next() == Some(':') => {
                file.push(':');
                chars.next();
            }
            ':' => return (PathBuf::from(file), Some(chars.collect())),
            c => file.push(c),
        }
    }
    (PathBuf::from(file), None)
}

/// The client certificate of `--cert` and its key, from `--key` or the certificate file,
/// checked against each other.
fn client_identity(cert: &str, key: Option<&Path>) -> Result<(Certificates, PrivateKey), Failure> {
    let (cert_file, password) = split_cert(cert);
    let key_file = key.unwrap_or(&cert_file);
    let chain = Certificates::from_pem_file(&cert_file).map_err(|e| {
        Failure::new(
            code::CLIENT_CERT,
            format!(
                "could not load PEM client certificate from {}: {}",
                cert_file.display(),
                e.detail()
            ),
        )
    })?;
    let key = PrivateKey::from_pem_file(key_file).map_err(|e| {
        let with_password = if password.is_some() {
            " (the password given with --cert cannot help: encrypted keys are not supported)"
        } else {
            ""
        };
        Failure::new(
            code::CLIENT_CERT,
            format!(
                "unable to set private key file {}: {}{with_password}",
                key_file.display(),
                e.detail()
            ),
        )
    })?;
    // The pair on its own, so that a mismatch is told apart from a CA problem.
    TlsOptions::client_unsafe(None)
        .with_client_certificate(chain.clone(), key.clone())
        .prepare()
        .map_err(|e| {
            Failure::new(
                code::CLIENT_CERT,
                format!(
                    "unable to use client certificate {} with key {}: {}",
                    cert_file.display(),
                    key_file.display(),
                    e.detail()
                ),
            )
        })?;
    Ok((chain, key))
}

/// Adds `--pinnedpubkey`: hashes (`sha256//...`), or else the path of a public key file
/// (PEM or DER), as curl reads the value.
fn pin(opts: TlsOptions, value: &str) -> Result<TlsOptions, Failure> {
    if value.starts_with("sha256//") {
        return opts
            .with_pinned_public_keys(value)
            .map_err(|e| Failure::new(code::USAGE, format!("--pinnedpubkey: {}", e.detail())));
    }
    // curl reads the file when it checks the key, so a missing or unusable one is a
    // mismatch (90) there; here it is found before connecting, with the same code.
    let key = std::fs::read(value).map_err(|e| {
        Failure::new(
            code::PINNED_KEY,
            format!("--pinnedpubkey: cannot read the public key file {value}: {e}"),
        )
    })?;
    opts.with_pinned_public_key(&key).map_err(|e| {
        Failure::new(
            code::PINNED_KEY,
            format!("--pinnedpubkey: {value}: {}", e.detail()),
        )
    })
}

/// The lowest and highest versions to offer.
fn versions(args: &FetchArgs) -> (TlsVersion, TlsVersion) {
    let min = if args.tlsv1_3 {
        TlsVersion::Tls13
    } else {
        TlsVersion::Tls12
    };
    (min, args.tls_max.unwrap_or(TlsVersion::Tls13))
}

/// One line for `-v`: what is trusted, what is checked and which versions are offered.
pub fn describe(args: &FetchArgs, opts: &TlsOptions) -> String {
    let roots = match (&args.cacert, opts.uses_os_roots()) {
        (Some(path), _) => format!("CA file {}", path.display()),
        (None, true) => "the operating system's store".to_string(),
        (None, false) => "the bundled Mozilla roots".to_string(),
    };
    let checks = match (args.insecure, args.cacert.is_some()) {
        (false, _) => format!("verifying chain and name against {roots}"),
        (true, true) => format!("verifying the chain against {roots}, not the name (--insecure)"),
        (true, false) => "not verifying the certificate (--insecure)".to_string(),
    };
    let pins = if opts.has_pins() {
        ", public key pinned"
    } else {
        ""
    };
    let revocation = match (&args.crlfile, opts.revocation_lists()) {
        (Some(path), Some(_)) => format!(
            ", checking revocation of the chain against {}",
            path.display()
        ),
        (Some(path), None) => format!(", not using {} (--insecure)", path.display()),
        _ => String::new(),
    };
    let status = if args.cert_status {
        ", requiring a good stapled OCSP response"
    } else {
        ""
    };
    let client = match &args.cert {
        Some(cert) => format!(
            ", presenting client certificate {}",
            split_cert(cert).0.display()
        ),
        None => String::new(),
    };
    let name = |v: TlsVersion| match v {
        TlsVersion::Tls12 => "1.2",
        TlsVersion::Tls13 => "1.3",
    };
    let (min, max) = (opts.min_version(), opts.max_version());
    let offered = if min == max {
        format!("TLS {}", name(min))
    } else {
        format!("TLS {} to {}", name(min), name(max))
    };
    format!("{checks}{pins}{revocation}{status}{client}; offering {offered}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> FetchArgs {
        FetchArgs {
            urls: vec!["https://h/".to_string()],
            ..FetchArgs::default()
        }
    }

    #[test]
    fn defaults_verify_everything_against_bundled_roots() {
        let opts = options(&args()).unwrap();
        assert!(!opts.is_unsafe_client() && !opts.has_pins() && !opts.uses_os_roots());
        assert!(opts.trusted_chain().is_none());
        assert_eq!(
            (opts.min_version(), opts.max_version()),
            (TlsVersion::Tls12, TlsVersion::Tls13)
        );
        assert_eq!(
            describe(&args(), &opts),
            "verifying chain and name against the bundled Mozilla roots; offering TLS 1.2 to 1.3"
        );
    }

    #[test]
    fn flags_reach_the_options() {
        let mut a = args();
        a.insecure = true;
        a.tlsv1_3 = true;
        a.ca_native = false;
        a.pinned_pubkey = Some("sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=".to_string());
        let opts = options(&a).unwrap();
        assert!(opts.is_unsafe_client() && opts.has_pins());
        assert_eq!(opts.min_version(), TlsVersion::Tls13);
        assert_eq!(
            describe(&a, &opts),
            "not verifying the certificate (--insecure), public key pinned; offering TLS 1.3"
        );
        let mut a = args();
        a.tls_max = Some(TlsVersion::Tls12);
        assert_eq!(options(&a).unwrap().max_version(), TlsVersion::Tls12);
    }

    #[test]
    fn cert_values_split_as_curl_splits_them() {
        let split = |v: &str| {
            let (file, password) = split_cert(v);
            (file.display().to_string(), password)
        };
        assert_eq!(split("me.pem"), ("me.pem".into(), None));
        assert_eq!(split("me.pem:pw"), ("me.pem".into(), Some("pw".into())));
        assert_eq!(split("me.pem:p:w"), ("me.pem".into(), Some("p:w".into())));
        assert_eq!(split("a\\:b.pem"), ("a:b.pem".into(), None));
        assert_eq!(split("a\\:b.pem:"), ("a:b.pem".into(), Some(String::new())));
        assert_eq!(split("a\\b.pem"), ("a\\b.pem".into(), None));
    }

    #[test]
    fn setup_problems_have_curl_codes() {
        let mut a = args();
        a.tlsv1_3 = true;
        a.tls_max = Some(TlsVersion::Tls12);
        assert_eq!(options(&a).unwrap_err().code, code::TLS);

        let mut a = args();
        a.pinned_pubkey = Some("sha256//AAAA".to_string());
        let f = options(&a).unwrap_err();
        assert_eq!(f.code, code::USAGE);
        assert!(f.message.starts_with("--pinnedpubkey: "), "{}", f.message);

        let mut a = args();
        a.pinned_pubkey = Some("/nonexistent/pollhttp/key.pem".to_string());
        let f = options(&a).unwrap_err();
        assert_eq!(f.code, code::PINNED_KEY);
        assert!(
            f.message.starts_with(
                "--pinnedpubkey: cannot read the public key file /nonexistent/pollhttp/key.pem: "
            ),
            "{}",
            f.message
        );

        let mut a = args();
        a.crlfile = Some("/nonexistent/pollhttp/ca.crl".into());
        let f = options(&a).unwrap_err();
        assert_eq!(f.code, code::CRL_FILE);
        assert!(
            f.message.starts_with("error loading CRL file: "),
            "{}",
            f.message
        );

        let mut a = args();
        a.cert = Some("/nonexistent/pollhttp/me.pem:pw".into());
        let f = options(&a).unwrap_err();
        assert_eq!(f.code, code::CLIENT_CERT);
        assert!(
            f.message.contains("/nonexistent/pollhttp/me.pem:"),
            "{}",
            f.message
        );

        let mut a = args();
        a.cacert = Some("/nonexistent/pollhttp/ca.pem".into());
        let f = options(&a).unwrap_err();
        assert_eq!(f.code, code::CA_CERT);
        assert!(
            f.message.contains("/nonexistent/pollhttp/ca.pem"),
            "{}",
            f.message
        );
    }
}
