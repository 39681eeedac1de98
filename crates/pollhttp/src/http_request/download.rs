//! The download file: written beside its target under a temporary name, moved into
//! place only when complete, and kept for a resume only when asked.

use crate::{Error, GodotError, Reason};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What a kept partial download allows the next request to ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Resume {
    /// Bytes already on disk: the `Range` starts here.
    pub offset: u64,
    /// The `If-Range` value (a strong ETag or a Last-Modified date), when the server
    /// gave one.
    pub validator: Option<String>,
}

/// One download in progress.
#[derive(Debug)]
pub(crate) struct Download {
    target: PathBuf,
    part: PathBuf,
    keep_partial: bool,
    file: Option<File>,
    /// The validator of the response being written, saved with a kept partial file.
    validator: Option<String>,
}

impl Download {
    /// Prepares a download to `target`. With `keep_partial` the temporary file has a
    /// fixed name (`<target>.part`) so that a later request can resume it.
    pub fn new(target: &Path, keep_partial: bool) -> Download {
        static SERIAL: AtomicU64 = AtomicU64::new(0);
        let part = if keep_partial {
            suffixed(target, ".part")
        } else {
            let n = SERIAL.fetch_add(1, Ordering::Relaxed);
            suffixed(target, &format!(".{}-{n}.part", std::process::id()))
        };
        Download {
            target: target.to_path_buf(),
            part,
            keep_partial,
            file: None,
            validator: None,
        }
    }

    /// The partial download a request can continue, if one was kept.
    pub fn resume_point(&self) -> Option<Resume> {
        if !self.keep_partial {
            return None;
        }
        let offset = fs::metadata(&self.part).ok()?.len();
        if offset == 0 {
            return None;
        }
        let validator = fs::read_to_string(validator_path(&self.part))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && !s.contains(['\r', '\n']));
        Some(Resume { offset, validator })
    }

    /// Opens the temporary file: appending to a kept partial file (`append`), or from
    /// the start. `validator` identifies the response, for a later resume.
    pub fn open(&mut self, append: bool, validator: Option<String>) -> Result<(), Error> {
        let mut options = OpenOptions::new();
        options.write(true).create(true);
        if append {
            options.append(true);
        } else {
            options.truncate(true);
        }
        let file = options
            .open(&self.part)
            .map_err(|e| file_error("open", &self.part, e))?;
        self.file = Some(file);
        self.validator = validator;
        Ok(())
    }

    /// Appends decoded body bytes.
    pub fn write(&mut self, data: &[u8]) -> Result<(), Error> {
        let Some(file) = self.file.as_mut() else {
            return Err(file_error(
                "write",
                &self.part,
                io::Error::other("the file is not open"),
            ));
        };
        file.write_all(data)
            .map_err(|e| file_error("write", &self.part, e))
    }

    /// The body is complete: moves the file into place.
    pub fn finish(mut self) -> Result<(), Error> {
        if self.file.is_none() {
            // A response that ended before its body began (a resumed file that was
            // already complete): the kept part is the whole file.
            self.open(true, None)?;
        }
        if let Some(file) = self.file.take() {
            file.sync_data()
                .map_err(|e| file_error("write", &self.part, e))?;
        }
        fs::rename(&self.part, &self.target).map_err(|e| file_error("rename", &self.part, e))?;
        let _ = fs::remove_file(validator_path(&self.part));
        Ok(())
    }

    /// The download failed or was cancelled: removes the temporary file, or keeps it
    /// (with its validator) for a resume.
    pub fn abandon(mut self) {
        self.file = None;
        if self.keep_partial {
            let path = validator_path(&self.part);
            match &self.validator {
                Some(v) => {
                    let _ = fs::write(path, v);
                }
                None => {
                    let _ = fs::remove_file(path);
                }
            }
        } else {
            let _ = fs::remove_file(&self.part);
        }
    }

    /// The kept partial file no longer matches the resource: forget it.
    pub fn discard_partial(&self) {
        let _ = fs::remove_file(&self.part);
        let _ = fs::remove_file(validator_path(&self.part));
    }
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn validator_path(part: &Path) -> PathBuf {
    suffixed(part, ".validator")
}

fn file_error(op: &'static str, path: &Path, e: io::Error) -> Error {
    let godot = if op == "open" {
        GodotError::FileCantOpen
    } else {
        GodotError::FileCantWrite
    };
    Error::new(
        godot,
        Reason::DownloadFile {
            op,
            path: path.to_path_buf(),
            error: e.into(),
        },
    )
}
