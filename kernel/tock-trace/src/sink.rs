//! Byte destinations that the frame encoder writes into.

/// The destination ran out of space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

/// A bounded, append-only byte destination that allows patching bytes
/// already written (COBS writes a block's code byte after its data).
pub trait Sink {
    /// Appends `byte` and returns its position, or `Full` if there is no room.
    fn push(&mut self, byte: u8) -> Result<usize, Full>;
    /// Overwrites the byte at `pos`, a position returned earlier by `push`.
    /// Positions never returned by `push` are ignored.
    fn set(&mut self, pos: usize, byte: u8);
    /// Number of bytes appended so far.
    fn written(&self) -> usize;
}

/// A `Sink` over a plain slice, starting at its first byte.
pub struct SliceSink<'a> {
    out: &'a mut [u8],
    written: usize,
}

impl<'a> SliceSink<'a> {
    /// Wraps `out`; nothing is written yet.
    pub fn new(out: &'a mut [u8]) -> Self {
        SliceSink { out, written: 0 }
    }
}

impl Sink for SliceSink<'_> {
    fn push(&mut self, byte: u8) -> Result<usize, Full> {
        let pos = self.written;
        let slot = self.out.get_mut(pos).ok_or(Full)?;
        *slot = byte;
        self.written = pos + 1;
        Ok(pos)
    }

    fn set(&mut self, pos: usize, byte: u8) {
        if pos < self.written {
            if let Some(slot) = self.out.get_mut(pos) {
                *slot = byte;
            }
        }
    }

    fn written(&self) -> usize {
        self.written
    }
}
