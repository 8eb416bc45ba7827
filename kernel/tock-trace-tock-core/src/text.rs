//! A fixed-size text buffer for LOG records.

use core::fmt;

/// Longest text the tracer formats itself.
pub const TEXT_CAPACITY: usize = 96;

/// `core::fmt::Write` into a fixed array; text that does not fit is cut at
/// a character boundary, never an error.
pub struct TextBuf {
    bytes: [u8; TEXT_CAPACITY],
    len: usize,
}

impl TextBuf {
    /// An empty buffer.
    pub const fn new() -> Self {
        TextBuf {
            bytes: [0; TEXT_CAPACITY],
            len: 0,
        }
    }

    /// The text written so far.
    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..self.len).unwrap_or(&[]);
        core::str::from_utf8(bytes).unwrap_or("")
    }
}

impl Default for TextBuf {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Write for TextBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let mut utf8 = [0u8; 4];
            let encoded = c.encode_utf8(&mut utf8).as_bytes();
            let end = self.len + encoded.len();
            match self.bytes.get_mut(self.len..end) {
                Some(dst) => dst.copy_from_slice(encoded),
                None => return Ok(()),
            }
            self.len = end;
        }
        Ok(())
    }
}
