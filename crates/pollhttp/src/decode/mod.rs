//! placeholder
#![allow(missing_docs, dead_code)]
pub struct ContentDecoder;
pub struct UnknownCoding;
#[derive(Debug)]
pub struct DecodeError;
impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("x")
    }
}
impl std::error::Error for DecodeError {}
impl ContentDecoder {
    pub fn from_content_encoding<'a>(
        _v: impl IntoIterator<Item = &'a str>,
    ) -> Result<Option<ContentDecoder>, UnknownCoding> {
        Ok(None)
    }
    pub fn decode(&mut self, _i: &[u8], _o: &mut [u8]) -> Result<(usize, usize), DecodeError> {
        Err(DecodeError)
    }
    pub fn finish(&mut self, _o: &mut [u8]) -> Result<usize, DecodeError> {
        Err(DecodeError)
    }
}
