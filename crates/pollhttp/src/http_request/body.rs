//! The body between the socket and its destination: read from the client, decoded,
//! counted against the limit.

use super::Progress;
use crate::decode::ContentDecoder;
use crate::{Error, GodotError, HttpClient, Reason, Status};
use std::io;

/// What one pull gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pulled {
    /// Bytes written to the caller's buffer.
    pub n: usize,
    /// Whether the body is complete (every decoded byte delivered).
    pub ended: bool,
}

/// The body of the final response, as it is pulled through the decoder.
pub(crate) struct BodyPipe {
    decoder: Option<ContentDecoder>,
    /// Bytes as received, waiting for the decoder (only with a decoder).
    raw: Vec<u8>,
    raw_pos: usize,
    raw_len: usize,
    raw_ended: bool,
    finished: bool,
    limit: Option<u64>,
}

impl BodyPipe {
    pub fn new(decoder: Option<ContentDecoder>, chunk: usize, limit: Option<u64>) -> BodyPipe {
        let raw = if decoder.is_some() {
            vec![0; chunk]
        } else {
            Vec::new()
        };
        BodyPipe {
            decoder,
            raw,
            raw_pos: 0,
            raw_len: 0,
            raw_ended: false,
            finished: false,
            limit,
        }
    }

    /// Whether every byte of the body has been delivered.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Moves body bytes into `out`: straight from the socket without a decoder, through
    /// it with one. Returns 0 bytes (not ended) when nothing is ready yet.
    pub fn pull(
        &mut self,
        client: &mut HttpClient,
        out: &mut [u8],
        progress: &mut Progress,
    ) -> Result<Pulled, Error> {
        if self.finished || out.is_empty() {
            return Ok(Pulled {
                n: 0,
                ended: self.finished,
            });
        }
        let Some(decoder) = self.decoder.as_mut() else {
            let (n, ended) = read_raw(client, out)?;
            progress.wire_bytes += n as u64;
            self.count(progress, n)?;
            self.finished = ended;
            return Ok(Pulled { n, ended });
        };
        loop {
            if self.raw_pos < self.raw_len {
                let input = &self.raw[self.raw_pos..self.raw_len];
                let (used, made) = decoder.decode(input, out).map_err(decode_error)?;
                self.raw_pos += used;
                if made > 0 {
                    self.count(progress, made)?;
                    return Ok(Pulled {
                        n: made,
                        ended: false,
                    });
                }
                if used == 0 {
                    // The decoder's contract is to make progress; not doing so would
                    // spin here forever.
                    return Err(decode_error(io::Error::other(
                        "the decoder made no progress",
                    )));
                }
            } else if !self.raw_ended {
                // What the decoder still holds goes out before anything new is read, so
                // that a body that pauses is not held back.
                let (_, made) = decoder.decode(&[], out).map_err(decode_error)?;
                if made > 0 {
                    self.count(progress, made)?;
                    return Ok(Pulled {
                        n: made,
                        ended: false,
                    });
                }
                let (n, ended) = read_raw(client, &mut self.raw)?;
                progress.wire_bytes += n as u64;
                self.raw_pos = 0;
                self.raw_len = n;
                self.raw_ended = ended;
                if n == 0 && !ended {
                    return Ok(Pulled { n: 0, ended: false });
                }
            } else {
                let made = decoder.finish(out).map_err(decode_error)?;
                if made > 0 {
                    self.count(progress, made)?;
                    return Ok(Pulled {
                        n: made,
                        ended: false,
                    });
                }
                self.finished = true;
                return Ok(Pulled { n: 0, ended: true });
            }
        }
    }

    fn count(&self, progress: &mut Progress, n: usize) -> Result<(), Error> {
        progress.decoded_bytes += n as u64;
        match self.limit {
            Some(limit) if progress.decoded_bytes > limit => Err(Error::new(
                GodotError::InvalidData,
                Reason::BodySizeLimit {
                    limit,
                    declared: None,
                },
            )),
            _ => Ok(()),
        }
    }
}

/// Reads body bytes as received; `true` once the body has ended.
fn read_raw(client: &mut HttpClient, buf: &mut [u8]) -> Result<(usize, bool), Error> {
    match client.status() {
        Status::Body => {}
        s if s.is_error() => return Err(client_failure(client)),
        _ => return Ok((0, true)),
    }
    let n = client.read_response_body_into(buf)?;
    let ended = matches!(client.status(), Status::Connected | Status::Disconnected);
    Ok((n, ended))
}

/// The error a client in an error status holds.
pub(crate) fn client_failure(client: &HttpClient) -> Error {
    client.last_error().cloned().unwrap_or_else(|| {
        Error::new(
            GodotError::ConnectionError,
            Reason::PeerClosed("unexpectedly"),
        )
    })
}

fn decode_error(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
    Error::new(
        GodotError::InvalidData,
        Reason::Decode(io::Error::new(io::ErrorKind::InvalidData, e).into()),
    )
}
