//! The bounds of `read_chunk_size`, shared by the socket client and the browser client.

use crate::Error;

/// Default for `HttpClient::read_chunk_size`, as in Godot 4.
pub const DEFAULT_READ_CHUNK_SIZE: usize = 65536;

const MIN_READ_CHUNK_SIZE: usize = 256;
const MAX_READ_CHUNK_SIZE: usize = 16 * 1024 * 1024;

/// `size` if Godot accepts it as a `read_chunk_size` (256 to 16 MiB), else
/// `ERR_INVALID_PARAMETER`.
pub(crate) fn checked(size: usize) -> Result<usize, Error> {
    if (MIN_READ_CHUNK_SIZE..=MAX_READ_CHUNK_SIZE).contains(&size) {
        Ok(size)
    } else {
        Err(Error::invalid(format!(
            "read_chunk_size {size} is outside {MIN_READ_CHUNK_SIZE}..={MAX_READ_CHUNK_SIZE}"
        )))
    }
}
