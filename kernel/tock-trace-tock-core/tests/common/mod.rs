//! What the integration tests share: a tracer configuration and a decoder
//! of the frames a `TracerCore` hands out.
#![allow(dead_code)]

use tock_trace::{cobs_decode, crc32c, FRAME_MARKER};
use tock_trace_tock_core::{Event, EventSet, TracerConfig, TracerCore};

/// A tracer without interfaces that records everything.
pub const CONFIG: TracerConfig = TracerConfig {
    board: "qemu_rv32_virt",
    kernel_version: "tock master",
    tick_hz: 1000,
    interfaces: &[],
    events: EventSet::ALL,
};

/// One decoded frame: record type, seq, ticks and body.
#[derive(Debug)]
pub struct Frame {
    pub kind: u8,
    pub seq: u32,
    pub ticks: u64,
    pub body: Vec<u8>,
}

/// Splits `bytes` (whole frames only) into decoded frames, checking the
/// marker and CRC of each.
pub fn decode(bytes: &[u8]) -> Vec<Frame> {
    assert_eq!(
        bytes.iter().filter(|&&b| b == 0).count() % 2,
        0,
        "partial frame"
    );
    let mut frames = Vec::new();
    for chunk in bytes.split(|&b| b == 0).filter(|c| !c.is_empty()) {
        let mut out = vec![0u8; 2200];
        let n = cobs_decode(chunk, &mut out).unwrap();
        assert_eq!(out[..2], FRAME_MARKER);
        let p = &out[2..n];
        let (data, crc) = p.split_at(p.len() - 4);
        assert_eq!(crc32c(data).to_le_bytes(), crc);
        frames.push(Frame {
            kind: data[1],
            seq: u32::from_le_bytes(data[4..8].try_into().unwrap()),
            ticks: u64::from_le_bytes(data[8..16].try_into().unwrap()),
            body: data[16..].to_vec(),
        });
    }
    frames
}

/// The frames queued in `core`, decoded.
pub fn drain<const N: usize, const P: usize>(core: &mut TracerCore<N, P>) -> Vec<Frame> {
    let mut out = vec![0u8; 4096];
    let n = core.take_frames(&mut out, 0);
    decode(&out[..n])
}

/// Records after the HELLO that opens a fresh tracer.
pub fn records_of(events: &[Event<'_>]) -> Vec<Frame> {
    let mut core: TracerCore<4096, 4> = TracerCore::new(CONFIG);
    for event in events {
        core.record(event, 7);
    }
    let mut frames = drain(&mut core);
    assert_eq!(frames.remove(0).kind, 0x01, "HELLO first");
    frames
}
