//! Encoder for the tockctl trace protocol v2 (`docs/trace-protocol.md`).
//!
//! A Tock capsule builds [`Record`]s, queues them in a [`TraceBuffer`], and a
//! UART or USB driver drains the buffer's bytes. Frames are
//! `0x00 || COBS(C0 C1 || header || body || CRC-32C) || 0x00`, so that the
//! kernel's console text can share the UART with them (hand each frame to the
//! UART mux whole). The crate is `no_std`, has no
//! dependencies, never allocates and never panics.
//!
//! ```
//! use tock_trace::{NetPacket, Record, TraceBuffer};
//!
//! let mut trace: TraceBuffer<512> = TraceBuffer::new();
//! let frame = [0xde, 0xad, 0xbe, 0xef];
//! let seq = trace.push(&Record::NetRx(NetPacket::whole(0, 0xFFFF, &frame)), 1234).unwrap();
//! assert_eq!(seq, 0);
//! let bytes = trace.readable();
//! assert_eq!(bytes.last(), Some(&0x00));
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

mod buffer;
mod cobs;
mod crc;
mod encode;
mod record;
mod sink;

pub use buffer::{PushError, TraceBuffer};
pub use cobs::{cobs_decode, cobs_encode, max_encoded_len, CobsError, CobsWriter};
pub use crc::{crc32c, Crc32c, CRC32C_POLY};
pub use encode::{encode_frame, encode_frame_limited, EncodeError};
pub use record::*;
pub use sink::{Full, Sink, SliceSink};

/// Protocol version byte (header offset 0).
pub const VERSION: u8 = 2;
/// The two bytes every v2 frame starts with after COBS decoding, before the
/// header. Neither occurs in UTF-8 text, so console text never looks like a
/// frame start.
pub const FRAME_MARKER: [u8; 2] = [0xC0, 0xC1];
/// Header length in bytes.
pub const HEADER_LEN: usize = 16;
/// CRC trailer length in bytes.
pub const CRC_LEN: usize = 4;
/// Largest payload (header + body + CRC) before COBS.
pub const MAX_PAYLOAD: usize = 2048;
/// Smallest payload: header and CRC with an empty body.
pub const MIN_PAYLOAD: usize = HEADER_LEN + CRC_LEN;
/// Largest body.
pub const MAX_BODY: usize = MAX_PAYLOAD - MIN_PAYLOAD;
/// Largest frame on the wire, both delimiters included (2061).
pub const MAX_WIRE_FRAME: usize = max_encoded_len(MAX_PAYLOAD + FRAME_MARKER.len()) + 2;
/// Header flag bit 0: packet bytes are shorter than `orig_len`.
pub const FLAG_TRUNCATED: u16 = 1;
/// The pid that stands for the kernel (no process).
pub const KERNEL_PID: u16 = 0xFFFF;
/// Longest `str` field, in bytes.
pub const MAX_STR: usize = 64;
/// Longest IPC service name, in bytes.
pub const MAX_SERVICE_NAME: usize = 20;
/// Longest LOG text, in bytes.
pub const MAX_LOG_TEXT: usize = 512;
