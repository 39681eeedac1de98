//! Where the response goes: standard output or a file.

use crate::failure::{code, Failure};
use pollhttp::HttpClient;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// The response head as curl prints it for `-i` and `-I`: a status line, the header lines
/// and a blank line, with CRLF line ends.
///
pub fn format_head(status_line: &str, headers: &[String]) -> String {
    let mut head = status_line.to_string();
    head.push_str("\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head
}

/// The status line as received: version, code and the server's reason phrase.
pub fn status_line(client: &HttpClient) -> String {
    match client.response() {
        Some(r) => format!("HTTP/1.{} {} {}", r.version_minor(), r.status(), r.reason())
            .trim_end()
            .to_string(),
        None => String::new(),
    }
}

/// A buffered destination for the output; a failed write is exit code 23.
pub struct Output {
    sink: BufWriter<Box<dyn Write>>,
    name: String,
}

fn write_failure(name: &str, e: &io::Error) -> Failure {
    Failure::new(
        code::WRITE,
        format!("failure writing output to {name}: {e}"),
    )
}

impl Output {
    /// Standard output, or the file at `path` (created or truncated; `-` is standard output).
    pub fn open(path: Option<&Path>) -> Result<Output, Failure> {
        let (sink, name): (Box<dyn Write>, String) = match path {
            Some(p) if p != Path::new("-") => {
                let name = p.display().to_string();
                let file = File::create(p).map_err(|e| write_failure(&name, &e))?;
                (Box::new(file), name)
            }
            _ => (Box::new(io::stdout().lock()), "standard output".to_string()),
        };
        Ok(Output {
            // Writes of a whole read buffer bypass this buffer; it only gathers small pieces.
            sink: BufWriter::with_capacity(64 * 1024, sink),
            name,
        })
    }

    /// Writes all of `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        self.sink
            .write_all(bytes)
            .map_err(|e| write_failure(&self.name, &e))
    }

    /// Flushes everything written.
    pub fn finish(mut self) -> Result<(), Failure> {
        self.sink.flush().map_err(|e| write_failure(&self.name, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_format() {
        let h = format_head(
            "HTTP/1.1 404 Not Found",
            &["Content-Length: 3".into(), "X-A: b".into()],
        );
        assert_eq!(
            h,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nX-A: b\r\n\r\n"
        );
        assert_eq!(format_head("HTTP/1.0 299", &[]), "HTTP/1.0 299\r\n\r\n");
    }

    #[test]
    fn file_output_and_errors() {
        let dir = std::env::temp_dir().join(format!("pollhttp-cli-output-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out.bin");
        let mut out = Output::open(Some(&path)).unwrap();
        out.write(b"abc").unwrap();
        out.write(&[7u8; 100_000]).unwrap();
        out.finish().unwrap();
        let got = std::fs::read(&path).unwrap();
        assert_eq!(got.len(), 100_003);
        assert!(got.starts_with(b"abc\x07"));
        let missing = dir.join("no/such/dir/out.bin");
        assert_eq!(Output::open(Some(&missing)).err().map(|f| f.code), Some(23));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
