//! The words for a system error, as curl prints them after `failed: `.
//!
//! On Unix curl prints the C library's `strerror` (`Connection refused`), which is what
//! Rust's message is, less its ` (os error 111)`. On Windows curl does not print the
//! system's sentence (`No connection could be made because the target machine actively
//! refused it.`): it has its own words for the Winsock errors, the same short ones, and
//! so does this command line for those a connect meets. Other errors keep the system's
//! text, without the full stop that ends Windows' messages.

/// The system's message for `e`, as curl prints it.
pub fn strerror(e: &std::io::Error) -> String {
    if let Some(words) = e.raw_os_error().and_then(curl_words) {
        return words.to_string();
    }
    let text = e.to_string();
    let text = match e.raw_os_error() {
        Some(code) => text
            .strip_suffix(&format!(" (os error {code})"))
            .unwrap_or(&text),
        None => &text,
    };
    if cfg!(windows) {
        text.trim_end().trim_end_matches('.').to_string()
    } else {
        text.to_string()
    }
}

/// curl's words for the Winsock errors of a connect (its `lib/strerror.c`), on Windows.
fn curl_words(code: i32) -> Option<&'static str> {
    if !cfg!(windows) {
        return None;
    }
    Some(match code {
        10048 => "Address already in use",
        10049 => "Address not available",
        10050 => "Network down",
        10051 => "Network unreachable",
        10052 => "Network has been reset",
        10053 => "Connection was aborted",
        10054 => "Connection was reset",
        10055 => "No buffer space",
        10060 => "Timed out",
        10061 => "Connection refused",
        10064 => "Host down",
        10065 => "Host unreachable",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(any(windows, target_os = "linux"))]
    fn a_refused_connect_reads_as_curl_prints_it() {
        // Linux's ECONNREFUSED, or Winsock's WSAECONNREFUSED.
        let code = if cfg!(windows) { 10061 } else { 111 };
        let e = std::io::Error::from_raw_os_error(code);
        assert_eq!(strerror(&e), "Connection refused");
    }

    #[test]
    #[cfg(windows)]
    fn other_windows_messages_lose_their_full_stop() {
        // ERROR_FILE_NOT_FOUND: no word of curl's, the system's sentence.
        let text = strerror(&std::io::Error::from_raw_os_error(2));
        assert!(!text.is_empty() && !text.ends_with('.'), "{text:?}");
        assert!(!text.contains("os error"), "{text:?}");
    }

    #[test]
    fn errors_without_a_code_keep_their_text() {
        let e = std::io::Error::other("made up");
        assert_eq!(strerror(&e), "made up");
    }
}
