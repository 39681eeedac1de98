//! `/site/<file>`: files from a folder, so that a browser can load a page (and its
//! JavaScript and WebAssembly) from the server its requests go to: same origin.

use super::routes::Responder;
use std::io;
use std::path::{Path, PathBuf};

/// The `Content-Type` of a file by its extension: what a browser needs to run a module
/// script (`text/javascript`) or to compile WebAssembly while it streams in
/// (`application/wasm`).
fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The file `rel` (the path after `/site/`) names inside `dir`, or `None` when `rel` could
/// leave the folder or name it rather than a file in it: an empty, `.` or `..` segment, a
/// backslash or a NUL.
fn resolve(dir: &Path, rel: &str) -> Option<PathBuf> {
    if rel.contains(['\\', '\0']) {
        return None;
    }
    let mut path = dir.to_path_buf();
    for segment in rel.split('/') {
        if matches!(segment, "" | "." | "..") {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

impl Responder<'_> {
    /// Serves `rel` from `site`: `403` for a path that could leave the folder, `404` when
    /// there is no folder or no such file.
    pub(super) fn site_file(&self, site: Option<&Path>, rel: &str) -> io::Result<bool> {
        let Some(dir) = site else {
            return self.text(404, "404 Not Found: this server serves no site folder\n");
        };
        let Some(path) = resolve(dir, rel) else {
            return self.text(403, "403 Forbidden: not a file name inside the site\n");
        };
        // Read whole on each request: the files are a page and its module, and a test may
        // rebuild them while the server runs.
        match std::fs::read(&path) {
            Ok(body) => self.fixed(200, content_type(&path), &body),
            Err(_) => self.text(404, "404 Not Found\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_only_inside_the_folder() {
        let dir = Path::new("/srv/site");
        assert_eq!(
            resolve(dir, "pkg/demo.js"),
            Some(PathBuf::from("/srv/site/pkg/demo.js"))
        );
        for bad in [
            "",
            "..",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a/",
            "a\\..\\b",
            "a\0",
        ] {
            assert_eq!(resolve(dir, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn types_by_extension() {
        assert_eq!(
            content_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("a.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("a_bg.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("a.txt")), "application/octet-stream");
        assert_eq!(content_type(Path::new("noext")), "application/octet-stream");
    }
}
