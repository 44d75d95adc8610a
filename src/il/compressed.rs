//! ECMA-335 II.23.2 compressed integers and II.23.2.8 TypeDefOrRefOrSpec
//! encoded tokens, plus a bounds-checked byte reader shared by the decoders.

use super::error::{IlError, Result};

/// Largest value that an unsigned compressed integer can hold.
pub const MAX_COMPRESSED: u32 = 0x1FFF_FFFF;

/// Metadata table numbers (high byte of a token) that appear in signatures.
pub mod table {
    /// TypeRef table.
    pub const TYPE_REF: u32 = 0x01;
    /// TypeDef table.
    pub const TYPE_DEF: u32 = 0x02;
    /// TypeSpec table.
    pub const TYPE_SPEC: u32 = 0x1B;
}

/// A cursor over a byte slice whose reads fail with
/// [`IlError::Truncated`] instead of panicking.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    /// Current position.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Reads `n` bytes.
    pub fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.data.get(self.pos..end)) {
            Some(slice) => {
                self.pos += n;
                Ok(slice)
            }
            None => Err(IlError::Truncated {
                what,
                offset: self.pos,
            }),
        }
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N]> {
        let slice = self.bytes(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    /// Next byte without consuming it.
    pub fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Reads one byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    /// Reads a little-endian `u16`.
    pub fn u16(&mut self, what: &'static str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian `u32`.
    pub fn u32(&mut self, what: &'static str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// Reads a little-endian `u64`.
    pub fn u64(&mut self, what: &'static str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// Reads an unsigned compressed integer (ECMA-335 II.23.2: 1, 2 or 4
    /// bytes selected by the top bits of the first byte).
    pub fn compressed_u32(&mut self) -> Result<u32> {
        let start = self.pos;
        let first = self.u8("compressed integer")?;
        let value = if first & 0x80 == 0 {
            u32::from(first)
        } else if first & 0xC0 == 0x80 {
            let second = self.u8("compressed integer")?;
            (u32::from(first & 0x3F) << 8) | u32::from(second)
        } else if first & 0xE0 == 0xC0 {
            let rest = self.array::<3>("compressed integer")?;
            (u32::from(first & 0x1F) << 24)
                | (u32::from(rest[0]) << 16)
                | (u32::from(rest[1]) << 8)
                | u32::from(rest[2])
        } else {
            return Err(IlError::Truncated {
                what: "compressed integer (invalid lead byte)",
                offset: start,
            });
        };
        Ok(value)
    }

    /// Reads a signed compressed integer (ECMA-335 II.23.2: the sign bit is
    /// rotated into bit 0 of the unsigned encoding of the same width).
    pub fn compressed_i32(&mut self) -> Result<i32> {
        let start = self.pos;
        let raw = self.compressed_u32()?;
        let width = self.pos - start;
        let negative_fill: u32 = match width {
            1 => 0xFFFF_FFC0,
            2 => 0xFFFF_E000,
            _ => 0xF000_0000,
        };
        let magnitude = raw >> 1;
        let value = if raw & 1 == 1 {
            magnitude | negative_fill
        } else {
            magnitude
        };
        Ok(value as i32)
    }

    /// Reads a compressed TypeDefOrRefOrSpec coded index and returns the
    /// metadata token it names (ECMA-335 II.23.2.8).
    pub fn type_def_or_ref(&mut self) -> Result<u32> {
        let coded = self.compressed_u32()?;
        decode_type_def_or_ref(coded)
    }
}

/// Turns a TypeDefOrRefOrSpec coded index into a token. A compressed
/// integer holds 29 bits, so the row number can exceed the 24 bits a token
/// has room for; such an index is malformed (it would otherwise spill into
/// the table byte and name a row of another table).
pub fn decode_type_def_or_ref(coded: u32) -> Result<u32> {
    let rid = coded >> 2;
    if rid > 0x00FF_FFFF {
        return Err(IlError::BadTypeToken(coded));
    }
    let table = match coded & 3 {
        0 => table::TYPE_DEF,
        1 => table::TYPE_REF,
        2 => table::TYPE_SPEC,
        _ => return Err(IlError::BadTypeToken(coded)),
    };
    Ok((table << 24) | rid)
}

/// Turns a TypeDef/TypeRef/TypeSpec token into its coded index.
pub fn encode_type_def_or_ref(token: u32) -> Result<u32> {
    let rid = token & 0x00FF_FFFF;
    let tag = match token >> 24 {
        table::TYPE_DEF => 0,
        table::TYPE_REF => 1,
        table::TYPE_SPEC => 2,
        _ => return Err(IlError::BadTypeToken(token)),
    };
    if rid > (MAX_COMPRESSED >> 2) {
        return Err(IlError::DataTooLargeToCompress(u64::from(rid)));
    }
    Ok((rid << 2) | tag)
}

/// Appends an unsigned compressed integer in its shortest form.
pub fn write_compressed_u32(value: u32, out: &mut Vec<u8>) -> Result<()> {
    if value <= 0x7F {
        out.push(value as u8);
    } else if value <= 0x3FFF {
        out.extend_from_slice(&[0x80 | (value >> 8) as u8, value as u8]);
    } else if value <= MAX_COMPRESSED {
        out.extend_from_slice(&(0xC000_0000 | value).to_be_bytes());
    } else {
        return Err(IlError::DataTooLargeToCompress(u64::from(value)));
    }
    Ok(())
}

/// Appends a signed compressed integer in its shortest form (ECMA-335 II.23.2).
pub fn write_compressed_i32(value: i32, out: &mut Vec<u8>) -> Result<()> {
    let rotated = ((value as u32) << 1) | u32::from(value < 0);
    if (-(1 << 6)..(1 << 6)).contains(&value) {
        out.push((rotated & 0x7F) as u8);
    } else if (-(1 << 13)..(1 << 13)).contains(&value) {
        let v = rotated & 0x3FFF;
        out.extend_from_slice(&[0x80 | (v >> 8) as u8, v as u8]);
    } else if (-(1 << 28)..(1 << 28)).contains(&value) {
        let v = rotated & MAX_COMPRESSED;
        out.extend_from_slice(&(0xC000_0000 | v).to_be_bytes());
    } else {
        return Err(IlError::DataTooLargeToCompress(value as u32 as u64));
    }
    Ok(())
}

/// Appends a TypeDefOrRefOrSpec token as its compressed coded index.
pub fn write_type_def_or_ref(token: u32, out: &mut Vec<u8>) -> Result<()> {
    write_compressed_u32(encode_type_def_or_ref(token)?, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc_u(v: u32) -> Vec<u8> {
        let mut out = Vec::new();
        write_compressed_u32(v, &mut out).unwrap();
        out
    }

    fn enc_i(v: i32) -> Vec<u8> {
        let mut out = Vec::new();
        write_compressed_i32(v, &mut out).unwrap();
        out
    }

    #[test]
    fn ecma_unsigned_examples() {
        // ECMA-335 II.23.2 worked examples.
        assert_eq!(enc_u(0x03), [0x03]);
        assert_eq!(enc_u(0x7F), [0x7F]);
        assert_eq!(enc_u(0x80), [0x80, 0x80]);
        assert_eq!(enc_u(0x2E57), [0xAE, 0x57]);
        assert_eq!(enc_u(0x3FFF), [0xBF, 0xFF]);
        assert_eq!(enc_u(0x4000), [0xC0, 0x00, 0x40, 0x00]);
        assert_eq!(enc_u(0x1FFF_FFFF), [0xDF, 0xFF, 0xFF, 0xFF]);
        assert!(write_compressed_u32(0x2000_0000, &mut Vec::new()).is_err());
    }

    #[test]
    fn ecma_signed_examples() {
        assert_eq!(enc_i(3), [0x06]);
        assert_eq!(enc_i(-3), [0x7B]);
        assert_eq!(enc_i(64), [0x80, 0x80]);
        assert_eq!(enc_i(-64), [0x01]);
        assert_eq!(enc_i(8192), [0xC0, 0x00, 0x40, 0x00]);
        assert_eq!(enc_i(-8192), [0x80, 0x01]);
        assert_eq!(enc_i(268_435_455), [0xDF, 0xFF, 0xFF, 0xFE]);
        assert_eq!(enc_i(-268_435_456), [0xC0, 0x00, 0x00, 0x01]);
        for v in [0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, -8193] {
            let bytes = enc_i(v);
            assert_eq!(Reader::new(&bytes).compressed_i32().unwrap(), v);
        }
    }

    #[test]
    fn type_tokens() {
        // ECMA-335 II.23.2.8: TypeRef 0x01000012 encodes as 0x49.
        let mut out = Vec::new();
        write_type_def_or_ref(0x0100_0012, &mut out).unwrap();
        assert_eq!(out, [0x49]);
        assert_eq!(Reader::new(&out).type_def_or_ref().unwrap(), 0x0100_0012);
        assert!(decode_type_def_or_ref(3).is_err());
        assert!(encode_type_def_or_ref(0x0600_0001).is_err());
    }
}
