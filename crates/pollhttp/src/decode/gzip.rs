//! The `gzip` coding (RFC 1952): members, one after another, each a header, deflate data
//! and a trailer with the CRC32 and length of what it holds.

use super::deflate::inflate_some;
use super::{Coding, DecodeError, DecodeErrorKind};
use flate2::{Crc, Decompress};

/// Header flags (RFC 1952 §2.3.1).
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const FRESERVED: u8 = 0xe0;

/// Decodes a `gzip` body of one or more members.
pub(super) struct GzipDecoder {
    state: State,
    /// The header being read.
    header: Header,
    inflate: Decompress,
    /// CRC32 of the member's decoded data.
    crc: Crc,
    /// Length of the member's decoded data, modulo 2^32.
    size: u32,
    /// The trailer being read, and how much of it has come.
    trailer: [u8; 8],
    trailer_len: usize,
    /// Members decoded whole.
    members: u64,
    total_in: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    Body,
    Trailer,
    /// After a member's trailer (or before any input): a member may start, or the input
    /// may end.
    Between,
}

/// Where a header is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The ten fixed bytes; how many came.
    Fixed(usize),
    /// The two bytes of the extra field's length; how many came.
    ExtraLen(usize),
    /// The extra field; how many bytes are left.
    Extra(usize),
    Name,
    Comment,
    /// The header's CRC16; how many bytes came.
    Crc(usize),
    Done,
}

struct Header {
    part: Part,
    /// The fixed part, then the extra length and the CRC16 as they come.
    bytes: [u8; 10],
    flags: u8,
    /// CRC32 of the header bytes before the CRC16.
    crc: Crc,
}

impl Header {
    fn new() -> Header {
        Header {
            part: Part::Fixed(0),
            bytes: [0; 10],
            flags: 0,
            crc: Crc::new(),
        }
    }

    /// The part after `part`, by the flags.
    fn next(&self, part: Part) -> Part {
        let order = [
            (Part::ExtraLen(0), FEXTRA),
            (Part::Name, FNAME),
            (Part::Comment, FCOMMENT),
            (Part::Crc(0), FHCRC),
        ];
        let from = match part {
            Part::Fixed(_) => 0,
            Part::ExtraLen(_) | Part::Extra(_) => 1,
            Part::Name => 2,
            Part::Comment => 3,
            Part::Crc(_) | Part::Done => 4,
        };
        order[from..]
            .iter()
            .find(|&&(_, flag)| self.flags & flag != 0)
            .map_or(Part::Done, |&(part, _)| part)
    }

    /// Reads header bytes from `input`; returns how many it took. `Err` carries a
    /// description and the offset of the bad byte in `input`.
    fn read(&mut self, input: &[u8]) -> Result<usize, (&'static str, usize)> {
        let mut i = 0;
        while i < input.len() && self.part != Part::Done {
            let start = i;
            match self.part {
                Part::Fixed(n) => {
                    let b = input[i];
                    let bad = match n {
                        0 | 1 if b != [0x1f, 0x8b][n] => Some("not a gzip stream"),
                        2 if b != 8 => Some("unknown compression method"),
                        3 if b & FRESERVED != 0 => Some("reserved header flags set"),
                        _ => None,
                    };
                    if let Some(what) = bad {
                        return Err((what, i));
                    }
                    self.bytes[n] = b;
                    i += 1;
                    self.part = if n + 1 == 10 {
                        self.flags = self.bytes[3];
                        self.next(self.part)
                    } else {
                        Part::Fixed(n + 1)
                    };
                }
                Part::ExtraLen(n) => {
                    self.bytes[n] = input[i];
                    i += 1;
                    self.part = if n == 0 {
                        Part::ExtraLen(1)
                    } else {
                        match u16::from_le_bytes([self.bytes[0], self.bytes[1]]) {
                            0 => self.next(self.part),
                            len => Part::Extra(usize::from(len)),
                        }
                    };
                }
                Part::Extra(left) => {
                    let n = left.min(input.len() - i);
                    i += n;
                    self.part = if n == left {
                        self.next(self.part)
                    } else {
                        Part::Extra(left - n)
                    };
                }
                Part::Name | Part::Comment => match input[i..].iter().position(|&b| b == 0) {
                    Some(zero) => {
                        i += zero + 1;
                        self.part = self.next(self.part);
                    }
                    None => i = input.len(),
                },
                Part::Crc(n) => {
                    self.bytes[n] = input[i];
                    i += 1;
                    if n == 0 {
                        self.part = Part::Crc(1);
                    } else {
                        let expected = u16::from_le_bytes([self.bytes[0], self.bytes[1]]);
                        // The CRC16 is the low half of the CRC32 of the bytes before it.
                        if u32::from(expected) != self.crc.sum() & 0xffff {
                            return Err(("header CRC16 mismatch", i - 1));
                        }
                        self.part = Part::Done;
                    }
                    continue;
                }
                Part::Done => {}
            }
            self.crc.update(&input[start..i]);
        }
        Ok(i)
    }
}

impl GzipDecoder {
    pub(super) fn new() -> GzipDecoder {
        GzipDecoder {
            state: State::Between,
            header: Header::new(),
            inflate: Decompress::new(false),
            crc: Crc::new(),
            size: 0,
            trailer: [0; 8],
            trailer_len: 0,
            members: 0,
            total_in: 0,
        }
    }

    pub(super) fn is_complete(&self) -> bool {
        self.state == State::Between && self.members > 0
    }

    pub(super) fn total_in(&self) -> u64 {
        self.total_in
    }

    pub(super) fn decode(
        &mut self,
        input: &[u8],
        output: &mut [u8],
    ) -> Result<(usize, usize), DecodeError> {
        let (mut c, mut p) = (0, 0);
        let result = self.run(input, output, &mut c, &mut p);
        self.total_in += c as u64;
        result.map(|()| (c, p))
    }

    fn run(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        c: &mut usize,
        p: &mut usize,
    ) -> Result<(), DecodeError> {
        loop {
            match self.state {
                State::Between => {
                    if *c == input.len() {
                        return Ok(());
                    }
                    self.header = Header::new();
                    self.state = State::Header;
                }
                State::Header => {
                    let n = self.header.read(&input[*c..]).map_err(|(what, at)| {
                        let at = self.total_in + (*c + at) as u64;
                        match self.header.part {
                            // After a whole member, anything but another member's magic
                            // number is data after the end, which starts at the magic.
                            Part::Fixed(magic @ (0 | 1)) if self.members > 0 => DecodeError::new(
                                Coding::Gzip,
                                DecodeErrorKind::TrailingData,
                                at - magic as u64,
                            ),
                            _ => DecodeError::new(Coding::Gzip, DecodeErrorKind::Corrupt, at)
                                .with_detail(what),
                        }
                    })?;
                    *c += n;
                    if self.header.part != Part::Done {
                        return Ok(());
                    }
                    self.inflate.reset(false);
                    self.crc.reset();
                    self.size = 0;
                    self.state = State::Body;
                }
                State::Body => {
                    if *p == output.len() {
                        return Ok(());
                    }
                    let (taken, written, end) = inflate_some(
                        &mut self.inflate,
                        &input[*c..],
                        &mut output[*p..],
                        Coding::Gzip,
                        self.total_in + *c as u64,
                    )?;
                    self.crc.update(&output[*p..*p + written]);
                    self.size = self.size.wrapping_add(written as u32);
                    *c += taken;
                    *p += written;
                    if end {
                        self.trailer_len = 0;
                        self.state = State::Trailer;
                    } else if taken == 0 && written == 0 {
                        return Ok(());
                    }
                }
                State::Trailer => {
                    let n = (8 - self.trailer_len).min(input.len() - *c);
                    self.trailer[self.trailer_len..self.trailer_len + n]
                        .copy_from_slice(&input[*c..*c + n]);
                    self.trailer_len += n;
                    *c += n;
                    if self.trailer_len < 8 {
                        return Ok(());
                    }
                    let [c0, c1, c2, c3, s0, s1, s2, s3] = self.trailer;
                    let bad = if u32::from_le_bytes([c0, c1, c2, c3]) != self.crc.sum() {
                        Some("CRC32 mismatch")
                    } else if u32::from_le_bytes([s0, s1, s2, s3]) != self.size {
                        Some("length mismatch")
                    } else {
                        None
                    };
                    if let Some(what) = bad {
                        let at = self.total_in + *c as u64;
                        return Err(DecodeError::new(Coding::Gzip, DecodeErrorKind::Corrupt, at)
                            .with_detail(what));
                    }
                    self.members += 1;
                    self.state = State::Between;
                }
            }
        }
    }
}
