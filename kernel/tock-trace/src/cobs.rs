//! Consistent Overhead Byte Stuffing (spec section 2.1), canonical form.

use crate::sink::{Full, Sink, SliceSink};

/// Largest number of data bytes in one COBS block.
const MAX_RUN: u8 = 0xFE;

/// Upper bound of `COBS(payload)` for a payload of `len` bytes (delimiter
/// not included): `len + max(1, ceil(len / 254))`.
pub const fn max_encoded_len(len: usize) -> usize {
    let blocks = if len == 0 { 1 } else { len.div_ceil(254) };
    len + blocks
}

/// Streaming COBS encoder writing canonical COBS into a [`Sink`].
pub struct CobsWriter<S: Sink> {
    sink: S,
    /// Position of the open block's code byte, `None` after a full run.
    code_pos: Option<usize>,
    /// Code of the open block: 1 + data bytes in it.
    code: u8,
}

impl<S: Sink> CobsWriter<S> {
    /// Starts an encoding (opens the first block). Fails if `sink` is full.
    pub fn new(mut sink: S) -> Result<Self, Full> {
        let pos = sink.push(0)?;
        Ok(CobsWriter {
            sink,
            code_pos: Some(pos),
            code: 1,
        })
    }

    /// Encodes one payload byte.
    pub fn write(&mut self, byte: u8) -> Result<(), Full> {
        let pos = match self.code_pos {
            Some(pos) => pos,
            None => self.open_block()?,
        };
        if byte == 0 {
            self.sink.set(pos, self.code);
            self.open_block()?;
            return Ok(());
        }
        self.sink.push(byte)?;
        self.code += 1;
        if self.code == MAX_RUN + 1 {
            self.sink.set(pos, self.code);
            self.code_pos = None;
        }
        Ok(())
    }

    /// Encodes a slice of payload bytes.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), Full> {
        bytes.iter().try_for_each(|&b| self.write(b))
    }

    /// Closes the last block and returns the sink. No delimiter is written.
    pub fn finish(mut self) -> S {
        if let Some(pos) = self.code_pos {
            self.sink.set(pos, self.code);
        }
        self.sink
    }

    fn open_block(&mut self) -> Result<usize, Full> {
        let pos = self.sink.push(0)?;
        self.code_pos = Some(pos);
        self.code = 1;
        Ok(pos)
    }
}

/// Encodes `payload` into `out` (no delimiter); returns the encoded length.
pub fn cobs_encode(payload: &[u8], out: &mut [u8]) -> Result<usize, Full> {
    let mut writer = CobsWriter::new(SliceSink::new(out))?;
    writer.write_all(payload)?;
    Ok(writer.finish().written())
}

/// Why a COBS frame could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CobsError {
    /// A code byte was 0x00 (a delimiter inside the frame).
    ZeroCode,
    /// A code byte announced more bytes than the frame holds.
    Truncated,
    /// The decoded payload does not fit in the output buffer.
    OutputFull,
}

/// Decodes one COBS frame (without its delimiter) into `out`; returns the
/// payload length. Accepts the canonical form and a trailing `01` block.
pub fn cobs_decode(input: &[u8], out: &mut [u8]) -> Result<usize, CobsError> {
    let mut sink = SliceSink::new(out);
    let mut rest = input;
    while let Some((&code, tail)) = rest.split_first() {
        if code == 0 {
            return Err(CobsError::ZeroCode);
        }
        let run = usize::from(code) - 1;
        let data = tail.get(..run).ok_or(CobsError::Truncated)?;
        rest = tail.get(run..).unwrap_or(&[]);
        copy_run(&mut sink, data)?;
        if code != 0xFF && !rest.is_empty() {
            sink.push(0).map_err(|_| CobsError::OutputFull)?;
        }
    }
    Ok(sink.written())
}

fn copy_run(sink: &mut SliceSink<'_>, data: &[u8]) -> Result<(), CobsError> {
    for &b in data {
        if b == 0 {
            return Err(CobsError::ZeroCode);
        }
        sink.push(b).map_err(|_| CobsError::OutputFull)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(payload: &[u8]) -> ([u8; 600], usize) {
        let mut out = [0u8; 600];
        let n = cobs_encode(payload, &mut out).unwrap();
        (out, n)
    }

    fn check(payload: &[u8], expected: &[u8]) {
        let (out, n) = enc(payload);
        assert_eq!(&out[..n], expected);
        let mut back = [0u8; 600];
        let m = cobs_decode(expected, &mut back).unwrap();
        assert_eq!(&back[..m], payload);
    }

    #[test]
    fn spec_examples() {
        check(&[], &[0x01]);
        check(&[0x00], &[0x01, 0x01]);
        check(&[0x11, 0x22, 0x00, 0x33], &[0x03, 0x11, 0x22, 0x02, 0x33]);
        check(&[0x11, 0x00, 0x00], &[0x02, 0x11, 0x01, 0x01]);
    }

    #[test]
    fn full_run_has_no_trailing_block() {
        let run: [u8; 254] = core::array::from_fn(|i| i as u8 + 1);
        let (out, n) = enc(&run);
        assert_eq!(n, 255);
        assert_eq!(out[0], 0xFF);
        assert_eq!(&out[1..255], &run[..]);
    }

    #[test]
    fn run_of_255() {
        let run: [u8; 255] = core::array::from_fn(|i| i as u8 + 1);
        let (out, n) = enc(&run);
        assert_eq!(n, 257);
        assert_eq!(&out[254..257], &[0xFE, 0x02, 0xFF]);
    }

    #[test]
    fn full_run_then_zero() {
        let mut data = [1u8; 255];
        data[254] = 0;
        let (out, n) = enc(&data);
        assert_eq!(n, 257);
        assert_eq!(&out[255..257], &[0x01, 0x01]);
        let mut back = [0u8; 600];
        assert_eq!(cobs_decode(&out[..n], &mut back), Ok(255));
        assert_eq!(&back[..255], &data[..]);
    }

    #[test]
    fn decode_accepts_trailing_01() {
        let mut encoded = [0u8; 256];
        encoded[0] = 0xFF;
        encoded[1..255].fill(7);
        encoded[255] = 0x01;
        let mut back = [0u8; 300];
        assert_eq!(cobs_decode(&encoded, &mut back), Ok(254));
    }

    #[test]
    fn decode_errors() {
        let mut out = [0u8; 8];
        assert_eq!(
            cobs_decode(&[0x03, 0x11], &mut out),
            Err(CobsError::Truncated)
        );
        assert_eq!(
            cobs_decode(&[0x02, 0x11, 0x00], &mut out),
            Err(CobsError::ZeroCode)
        );
        assert_eq!(
            cobs_decode(&[0x02, 0x00], &mut out),
            Err(CobsError::ZeroCode)
        );
        assert_eq!(
            cobs_decode(&[0x0A, 1, 1, 1, 1, 1, 1, 1, 1, 1], &mut out),
            Err(CobsError::OutputFull)
        );
    }

    #[test]
    fn encode_into_small_buffer_fails() {
        let mut out = [0u8; 3];
        assert_eq!(cobs_encode(&[1, 2, 3], &mut out), Err(Full));
        assert_eq!(cobs_encode(&[], &mut []), Err(Full));
    }

    #[test]
    fn max_len_bound() {
        assert_eq!(max_encoded_len(0), 1);
        assert_eq!(max_encoded_len(254), 255);
        assert_eq!(max_encoded_len(2048), 2057);
    }

    #[test]
    fn roundtrip_all_lengths_with_zeros() {
        for len in 0..520usize {
            let data: [u8; 520] =
                core::array::from_fn(|i| if i % 97 == 3 { 0 } else { (i * 7) as u8 | 1 });
            let (out, n) = enc(&data[..len]);
            assert!(n <= max_encoded_len(len));
            assert!(!out[..n].contains(&0));
            let mut back = [0u8; 600];
            assert_eq!(cobs_decode(&out[..n], &mut back), Ok(len));
            assert_eq!(&back[..len], &data[..len]);
        }
    }
}
