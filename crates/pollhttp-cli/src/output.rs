//! Where the response goes: standard output or a file.

use crate::failure::{code, Failure};
use pollhttp::ResponseHead;
use std::fs::{File, OpenOptions};
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

/// A response head as received, in [`format_head`]'s form.
pub fn head_text(head: &ResponseHead) -> String {
    format_head(&head.status_line(), &head.headers)
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
    /// Standard output, or the file at `path` (created, and truncated unless `append`;
    /// `-` is standard output).
    pub fn open(path: Option<&Path>, append: bool) -> Result<Output, Failure> {
        let (sink, name): (Box<dyn Write>, String) = match path {
            Some(p) if p != Path::new("-") => {
                let name = p.display().to_string();
                let file = if append {
                    OpenOptions::new().create(true).append(true).open(p)
                } else {
                    File::create(p)
                }
                .map_err(|e| write_failure(&name, &e))?;
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
        let mut out = Output::open(Some(&path), false).unwrap();
        out.write(b"abc").unwrap();
        out.write(&[7u8; 100_000]).unwrap();
        out.finish().unwrap();
        let got = std::fs::read(&path).unwrap();
        assert_eq!(got.len(), 100_003);
        assert!(got.starts_with(b"abc\x07"));
        let mut out = Output::open(Some(&path), true).unwrap();
        out.write(b"end").unwrap();
        out.finish().unwrap();
        let got = std::fs::read(&path).unwrap();
        assert_eq!(got.len(), 100_006);
        assert!(got.ends_with(b"\x07end"));
        let missing = dir.join("no/such/dir/out.bin");
        assert_eq!(
            Output::open(Some(&missing), false).err().map(|f| f.code),
            Some(23)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
