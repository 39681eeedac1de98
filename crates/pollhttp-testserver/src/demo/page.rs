//! The HTML page served chunked at `/` and `/chunked`.

/// The HTML page that `/` and `/chunked` send (ASCII only, a few KiB): a release-notes page
/// of the kind the Godot tutorial fetched.
pub fn demo_page() -> &'static str {
    PAGE
}

/// FNV-1a (64-bit) of `data`, as `/chunked` sends it in its `X-Body-Fnv1a64` trailer
/// (16 lower-case hex digits).
///
/// ```
/// assert_eq!(pollhttp_testserver::fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
/// ```
pub fn fnv1a64(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The page cut into pieces of about `target` bytes at line ends, one chunk each.
pub(crate) fn page_chunks(target: usize) -> Vec<&'static [u8]> {
    let mut chunks = Vec::new();
    let bytes = PAGE.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + target).min(bytes.len());
        while end < bytes.len() && bytes[end - 1] != b'\n' {
            end += 1;
        }
        chunks.push(&bytes[start..end]);
        start = end;
    }
    chunks
}

const PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>pollhttp - Release notes</title>
<style>
body { font-family: sans-serif; max-width: 46em; margin: 2em auto; line-height: 1.4; }
h2 { border-bottom: 1px solid #ccc; }
code { background: #f4f4f4; padding: 0 0.2em; }
</style>
</head>
<body>
<h1>Release notes</h1>
<p>This page lists the changes of each release, newest first. It is served by the
pollhttp demo server in several chunks, the way large dynamic pages usually are.</p>

<h2 id="v0.4.0">Version 0.4.0</h2>
<ul>
<li>Added: a readiness API, so that one thread can drive many clients and sleep until one
of them has work to do.</li>
<li>Added: reading a response body straight into a caller's buffer, with no allocation
per read.</li>
<li>Changed: chunked bodies are delivered in pieces of at most <code>read_chunk_size</code>
bytes.</li>
<li>Fixed: a response with both <code>Transfer-Encoding</code> and
<code>Content-Length</code> is read as chunked and the connection is closed after it.</li>
<li>Fixed: the header accessors no longer consume the headers.</li>
</ul>

<h2 id="v0.3.0">Version 0.3.0</h2>
<ul>
<li>Added: TLS 1.2 and 1.3 with certificate verification against the platform roots or a
caller's chain.</li>
<li>Added: HTTP and HTTPS proxies, with a correct <code>CONNECT</code> request.</li>
<li>Changed: interim 1xx responses are skipped while waiting for the final one.</li>
<li>Fixed: <code>HEAD</code>, <code>204</code> and <code>304</code> responses never wait for
a body.</li>
<li>Fixed: bodies that end when the server closes the connection are read to the end
instead of being dropped.</li>
</ul>

<h2 id="v0.2.0">Version 0.2.0</h2>
<ul>
<li>Added: <code>request_raw</code> for binary request bodies.</li>
<li>Added: name resolution on a background thread, so <code>connect_to_host</code> never
blocks.</li>
<li>Changed: every address of a host name is tried in order until one connects.</li>
<li>Fixed: header lines with a carriage return, line feed or NUL are refused instead of
being sent.</li>
<li>Fixed: an empty <code>POST</code>, <code>PUT</code> or <code>PATCH</code> body is sent
with <code>Content-Length: 0</code>.</li>
</ul>

<h2 id="v0.1.0">Version 0.1.0</h2>
<ul>
<li>First release: a non-blocking HTTP/1.1 client driven by <code>poll()</code>, with the
status machine of the engine's <code>HTTPClient</code>: DISCONNECTED, RESOLVING,
CONNECTING, CONNECTED, REQUESTING, BODY and the error statuses.</li>
<li>Keep-alive connections: a second request reuses the socket of the first.</li>
<li>Response heads limited in size and header count; chunk-size lines limited in
length.</li>
</ul>

<h2 id="upgrading">Upgrading</h2>
<p>Code written against the engine's class keeps working: the method names, the status
numbers, the method numbers and the error names are the same. Programs that relied on the
header accessors emptying the header list should read the headers once and keep them.</p>
<p>Programs that busy-looped on <code>poll()</code> can call <code>wait()</code> between
polls instead; it sleeps until the socket is ready and uses no processor time while the
server is thinking.</p>

<p><a href="/hello">Say hello</a> - <a href="/echo">Echo your request</a> -
<a href="/bytes/1048576">Download 1 MiB</a> - <a href="/slow">A slow page</a></p>
</body>
</html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_page_in_order() {
        let chunks = page_chunks(700);
        assert!(chunks.len() >= 4, "only {} chunks", chunks.len());
        assert_eq!(chunks.concat(), PAGE.as_bytes());
        assert!(chunks.iter().all(|c| c.ends_with(b"\n")));
    }

    #[test]
    fn page_is_ascii_and_a_few_kib() {
        assert!(PAGE.is_ascii());
        assert!(
            PAGE.len() > 3000 && PAGE.len() < 16 * 1024,
            "{}",
            PAGE.len()
        );
    }
}
