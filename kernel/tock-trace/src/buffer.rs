//! A fixed-size ring of encoded frames for a capsule to fill and a UART or
//! USB driver to drain.

use crate::encode::{encode_into, EncodeError};
use crate::record::{Overflow, Record};
use crate::sink::{Full, Sink};
use crate::MAX_PAYLOAD;

/// Why `TraceBuffer::push` did not queue a record. Either way the record was
/// counted as dropped and will be reported by an OVERFLOW record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushError {
    /// Not enough free space in the ring right now.
    Dropped,
    /// The record can never be sent (see [`EncodeError::TooLarge`]).
    TooLarge,
}

/// Ring buffer of complete wire frames (COBS + delimiter) of `N` bytes.
///
/// It assigns sequence numbers (only records actually queued consume one),
/// counts records it has to drop, and queues an OVERFLOW record before the
/// next record once space returns. The driver reads with [`readable`] /
/// [`consume`] or [`read_into`]. No method panics or allocates.
///
/// [`readable`]: TraceBuffer::readable
/// [`consume`]: TraceBuffer::consume
/// [`read_into`]: TraceBuffer::read_into
pub struct TraceBuffer<const N: usize> {
    ring: [u8; N],
    head: usize,
    len: usize,
    next_seq: u32,
    pending_dropped: u32,
    total_dropped: u32,
    max_payload: usize,
}

impl<const N: usize> TraceBuffer<N> {
    /// An empty buffer with the 2048-byte payload limit, first seq 0.
    pub const fn new() -> Self {
        Self::with_max_payload(MAX_PAYLOAD)
    }

    /// An empty buffer whose frames respect `max_payload` (clamped to the
    /// protocol's limits); announce the same value in HELLO.
    pub const fn with_max_payload(max_payload: usize) -> Self {
        TraceBuffer {
            ring: [0; N],
            head: 0,
            len: 0,
            next_seq: 0,
            pending_dropped: 0,
            total_dropped: 0,
            max_payload,
        }
    }

    /// Queues `record` stamped with `ticks` and returns its seq. If records
    /// were dropped before, an OVERFLOW record is queued first. On failure
    /// the record is counted as dropped.
    pub fn push(&mut self, record: &Record<'_>, ticks: u64) -> Result<u32, PushError> {
        if !self.flush_overflow(ticks) {
            self.count_drop();
            return Err(PushError::Dropped);
        }
        self.write_frame(record, ticks).map_err(|e| {
            self.count_drop();
            match e {
                EncodeError::Full => PushError::Dropped,
                EncodeError::TooLarge => PushError::TooLarge,
            }
        })
    }

    /// Queues the pending OVERFLOW record, if any. Returns false only if one
    /// is pending and does not fit yet. Call it after draining so the host
    /// learns about drops even when no new record arrives.
    pub fn flush_overflow(&mut self, ticks: u64) -> bool {
        if self.pending_dropped == 0 {
            return true;
        }
        let overflow = Overflow {
            dropped: self.pending_dropped,
            total_dropped: self.total_dropped,
        };
        if self
            .write_frame(&Record::Overflow(overflow), ticks)
            .is_err()
        {
            return false;
        }
        self.pending_dropped = 0;
        true
    }

    /// Counts `records` the caller dropped before they reached the buffer
    /// (so they got no seq); the next OVERFLOW record reports them.
    pub fn count_dropped(&mut self, records: u32) {
        self.pending_dropped = self.pending_dropped.saturating_add(records);
        self.total_dropped = self.total_dropped.wrapping_add(records);
    }

    /// Queues a lone 0x00. Protocol v1 used it to resynchronise a receiver; a
    /// v2 frame brings its own opening 0x00 and a v2 receiver shows a lone
    /// 0x00 as a console byte, so v2 senders do not call this. False if full.
    pub fn push_resync(&mut self) -> bool {
        let mut sink = self.free_space();
        if sink.push(0).is_err() {
            return false;
        }
        self.len += 1;
        true
    }

    /// The longest contiguous run of queued bytes, oldest first. Empty if
    /// nothing is queued. May end in the middle of a frame.
    pub fn readable(&self) -> &[u8] {
        let run = self.len.min(N - self.head);
        self.ring.get(self.head..self.head + run).unwrap_or(&[])
    }

    /// Releases the first `n` queued bytes (clamped to what is queued),
    /// typically after the driver sent `readable()[..n]`.
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.len);
        self.head = wrap::<N>(self.head + n);
        self.len -= n;
        if self.len == 0 {
            self.head = 0;
        }
    }

    /// Copies as many queued bytes as fit into `out`, releases them and
    /// returns how many were copied.
    pub fn read_into(&mut self, out: &mut [u8]) -> usize {
        let mut copied = 0;
        while copied < out.len() && self.len > 0 {
            let run = self.readable();
            let n = run.len().min(out.len() - copied);
            if let (Some(dst), Some(src)) = (out.get_mut(copied..copied + n), run.get(..n)) {
                dst.copy_from_slice(src);
            }
            copied += n;
            self.consume(n);
        }
        copied
    }

    /// Copies as many whole queued frames as fit into `out`, releases them
    /// and returns how many bytes were copied. Unlike [`read_into`], it never
    /// ends in the middle of a frame, so each copy can go to a UART mux that
    /// interleaves console text between buffers. 0 if the oldest frame does
    /// not fit.
    ///
    /// [`read_into`]: TraceBuffer::read_into
    pub fn read_frames_into(&mut self, out: &mut [u8]) -> usize {
        let n = self.whole_frames_within(out.len());
        match out.get_mut(..n) {
            Some(dst) => self.read_into(dst),
            None => 0,
        }
    }

    /// Releases the oldest queued frame unsent, for a driver whose transmit
    /// buffer is smaller than that frame. Its seq is spent, so a receiver
    /// counts it as a gap (section 4.2), not as device-dropped. False if
    /// nothing is queued.
    pub fn discard_frame(&mut self) -> bool {
        let first = self.whole_frames_within_count(1);
        if first == 0 {
            return false;
        }
        self.consume(first);
        true
    }

    /// The length of the longest run of whole frames at the front of the
    /// queue that is at most `limit` bytes. Every queued frame carries both
    /// 0x00 delimiters, so a frame ends at every second 0x00.
    fn whole_frames_within(&self, limit: usize) -> usize {
        self.frames_end(limit, usize::MAX)
    }

    /// The length of the first `frames` queued frames (0 if none).
    fn whole_frames_within_count(&self, frames: usize) -> usize {
        self.frames_end(self.len, frames)
    }

    /// The end of the last whole frame within `limit` bytes, counting at
    /// most `max_frames` frames.
    fn frames_end(&self, limit: usize, max_frames: usize) -> usize {
        let mut zeros = 0usize;
        let mut whole = 0usize;
        for i in 0..self.len.min(limit) {
            if self.ring.get(wrap::<N>(self.head + i)) == Some(&0) {
                zeros += 1;
                if zeros & 1 == 0 {
                    whole = i + 1;
                    if zeros / 2 >= max_frames {
                        break;
                    }
                }
            }
        }
        whole
    }

    /// Bytes queued.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// True if nothing is queued.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes free.
    pub const fn free(&self) -> usize {
        N - self.len
    }

    /// Ring size `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// The seq the next queued record will get.
    pub const fn next_seq(&self) -> u32 {
        self.next_seq
    }

    /// Records dropped since boot (wraps like the wire field).
    pub const fn total_dropped(&self) -> u32 {
        self.total_dropped
    }

    /// Records dropped and not yet reported by an OVERFLOW record.
    pub const fn pending_dropped(&self) -> u32 {
        self.pending_dropped
    }

    /// The effective payload limit after clamping.
    pub fn max_payload(&self) -> usize {
        self.max_payload.clamp(crate::MIN_PAYLOAD, MAX_PAYLOAD)
    }

    fn write_frame(&mut self, record: &Record<'_>, ticks: u64) -> Result<u32, EncodeError> {
        let seq = self.next_seq;
        let max_payload = self.max_payload;
        let sink = encode_into(self.free_space(), record, seq, ticks, max_payload)?;
        self.len += sink.written();
        self.next_seq = seq.wrapping_add(1);
        Ok(seq)
    }

    fn count_drop(&mut self) {
        self.pending_dropped = self.pending_dropped.saturating_add(1);
        self.total_dropped = self.total_dropped.wrapping_add(1);
    }

    fn free_space(&mut self) -> RingSink<'_, N> {
        let start = wrap::<N>(self.head + self.len);
        RingSink {
            ring: &mut self.ring,
            start,
            avail: N - self.len,
            written: 0,
        }
    }
}

impl<const N: usize> Default for TraceBuffer<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// `i` reduced into `0..N`, for `i < 2 * N` (0 when `N == 0`).
const fn wrap<const N: usize>(i: usize) -> usize {
    if i >= N {
        i - N
    } else {
        i
    }
}

/// Writes into the free part of the ring without committing it.
struct RingSink<'a, const N: usize> {
    ring: &'a mut [u8; N],
    start: usize,
    avail: usize,
    written: usize,
}

impl<const N: usize> Sink for RingSink<'_, N> {
    fn push(&mut self, byte: u8) -> Result<usize, Full> {
        if self.written >= self.avail {
            return Err(Full);
        }
        let pos = self.written;
        self.store(pos, byte);
        self.written += 1;
        Ok(pos)
    }

    fn set(&mut self, pos: usize, byte: u8) {
        if pos < self.written {
            self.store(pos, byte);
        }
    }

    fn written(&self) -> usize {
        self.written
    }
}

impl<const N: usize> RingSink<'_, N> {
    /// Stores `byte` at sink position `pos` (bounds-checked, never panics).
    fn store(&mut self, pos: usize, byte: u8) {
        if let Some(slot) = self.ring.get_mut(wrap::<N>(self.start + pos)) {
            *slot = byte;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{NetPacket, NetUp, ProcRestart};
    use crate::{cobs_decode, crc32c, encode_frame, MAX_WIRE_FRAME};

    const SMALL: Record<'static> = Record::NetUp(NetUp { iface_id: 3 });

    fn small_frame_len() -> usize {
        let mut out = [0u8; 64];
        encode_frame(&SMALL, 0, 0, &mut out).unwrap()
    }

    /// Splits drained bytes into frames and returns (type, seq) of each, or
    /// the OVERFLOW `dropped` value as type 0x03 with dropped in `seq`.
    fn frames(bytes: &[u8]) -> [(u8, u32); 64] {
        let mut found = [(0u8, 0u32); 64];
        for (i, chunk) in bytes
            .split(|&b| b == 0)
            .filter(|c| !c.is_empty())
            .enumerate()
        {
            let mut decoded = [0u8; 2100];
            let n = cobs_decode(chunk, &mut decoded).unwrap();
            assert_eq!(decoded[..2], crate::FRAME_MARKER);
            let p = &decoded[2..n];
            let n = n - 2;
            assert_eq!(crc32c(&p[..n - 4]).to_le_bytes(), p[n - 4..n]);
            let seq = u32::from_le_bytes(p[4..8].try_into().unwrap());
            let dropped = u32::from_le_bytes(p[16..20].try_into().unwrap());
            found[i] = (p[1], if p[1] == 0x03 { dropped } else { seq });
        }
        found
    }

    fn drain<const N: usize>(buf: &mut TraceBuffer<N>, out: &mut [u8]) -> usize {
        buf.read_into(out)
    }

    #[test]
    fn zero_size_buffer_drops_everything() {
        let mut buf: TraceBuffer<0> = TraceBuffer::new();
        assert_eq!(buf.push(&SMALL, 1), Err(PushError::Dropped));
        assert_eq!(buf.push(&SMALL, 2), Err(PushError::Dropped));
        assert!(!buf.flush_overflow(3));
        assert!(!buf.push_resync());
        assert_eq!(buf.readable(), &[] as &[u8]);
        buf.consume(10);
        assert_eq!(buf.read_into(&mut [0u8; 4]), 0);
        assert_eq!(
            (buf.total_dropped(), buf.pending_dropped(), buf.next_seq()),
            (2, 2, 0)
        );
    }

    #[test]
    fn seq_counts_only_queued_records() {
        let mut buf: TraceBuffer<256> = TraceBuffer::new();
        assert_eq!(buf.push(&SMALL, 0), Ok(0));
        assert_eq!(buf.push(&SMALL, 0), Ok(1));
        assert_eq!(buf.next_seq(), 2);
        assert_eq!(buf.len(), 2 * small_frame_len());
    }

    #[test]
    fn full_buffer_drops_then_reports_overflow_first() {
        let frame = small_frame_len();
        let mut buf: TraceBuffer<128> = TraceBuffer::new();
        let mut queued = 0;
        while buf.push(&SMALL, 0).is_ok() {
            queued += 1;
        }
        assert_eq!(queued, 128 / frame);
        assert_eq!(buf.push(&SMALL, 0), Err(PushError::Dropped));
        assert_eq!(buf.pending_dropped(), 2);
        let mut out = [0u8; 512];
        let n = drain(&mut buf, &mut out);
        assert_eq!(n, queued * frame);
        let seq = buf.push(&SMALL, 7).unwrap();
        assert_eq!(seq, queued as u32 + 1, "OVERFLOW took seq {}", queued);
        let m = drain(&mut buf, &mut out[n..]);
        let f = frames(&out[..n + m]);
        assert_eq!(f[queued], (0x03, 2));
        assert_eq!(f[queued + 1], (0x40, queued as u32 + 1));
        assert_eq!((buf.pending_dropped(), buf.total_dropped()), (0, 2));
    }

    #[test]
    fn overflow_that_does_not_fit_counts_the_new_record() {
        let mut buf: TraceBuffer<40> = TraceBuffer::new();
        while buf.push(&SMALL, 0).is_ok() {}
        buf.consume(5);
        assert_eq!(buf.push(&SMALL, 0), Err(PushError::Dropped));
        assert_eq!(buf.pending_dropped(), 2);
    }

    #[test]
    fn flush_overflow_without_new_records() {
        let mut buf: TraceBuffer<64> = TraceBuffer::new();
        while buf.push(&SMALL, 0).is_ok() {}
        let mut out = [0u8; 128];
        let n = buf.read_into(&mut out);
        assert!(buf.flush_overflow(9));
        assert!(buf.flush_overflow(9), "nothing pending is success");
        let m = buf.read_into(&mut out[n..]);
        let f = frames(&out[..n + m]);
        assert_eq!(f[n / small_frame_len()], (0x03, 1));
    }

    #[test]
    fn frames_wrap_around_the_ring() {
        let mut buf: TraceBuffer<100> = TraceBuffer::new();
        let mut out = [0u8; 4096];
        let mut total = 0;
        for i in 0..60u16 {
            let rec = Record::ProcRestart(ProcRestart {
                pid: i,
                restart_count: 0xFF00 | i,
            });
            assert_eq!(buf.push(&rec, u64::from(i) << 40), Ok(u32::from(i)));
            total += buf.read_into(&mut out[total..total + 30]);
        }
        total += buf.read_into(&mut out[total..]);
        assert!(buf.is_empty());
        let f = frames(&out[..total]);
        for (i, found) in f.iter().take(60).enumerate() {
            assert_eq!(*found, (0x12, i as u32));
        }
    }

    #[test]
    fn readable_and_consume_expose_contiguous_runs() {
        let mut buf: TraceBuffer<84> = TraceBuffer::new();
        let frame = small_frame_len();
        assert!(3 * frame <= 84);
        for _ in 0..3 {
            buf.push(&SMALL, 0).unwrap();
        }
        buf.consume(2 * frame + 3);
        buf.push(&SMALL, 0).unwrap();
        buf.push(&SMALL, 0).unwrap();
        let first = buf.readable().len();
        assert!(first < buf.len());
        buf.consume(first);
        assert_eq!(buf.readable().len(), buf.len());
        buf.consume(usize::MAX);
        assert!(buf.is_empty());
        assert_eq!(buf.free(), 84);
    }

    #[test]
    fn max_size_record_needs_a_large_enough_ring() {
        let data = [0xFFu8; 4000];
        let rec = Record::NetTx(NetPacket::whole(0, 1, &data));
        let mut small: TraceBuffer<1000> = TraceBuffer::new();
        assert_eq!(small.push(&rec, 0), Err(PushError::Dropped));
        let mut big: TraceBuffer<MAX_WIRE_FRAME> = TraceBuffer::new();
        assert_eq!(big.push(&rec, 0), Ok(0));
        assert!(big.len() <= MAX_WIRE_FRAME);
        let mut limited: TraceBuffer<1000> = TraceBuffer::with_max_payload(512);
        assert_eq!(limited.push(&rec, 0), Ok(0));
        assert_eq!(limited.max_payload(), 512);
    }

    #[test]
    fn too_large_record_is_counted() {
        let pids = [0u16; 300];
        let rec = Record::NetDeliver(crate::record::NetDeliver {
            iface_id: 0,
            rx_seq: 0,
            pids: &pids,
        });
        let mut buf: TraceBuffer<4096> = TraceBuffer::new();
        assert_eq!(buf.push(&rec, 0), Err(PushError::TooLarge));
        assert_eq!(buf.pending_dropped(), 1);
        assert_eq!(buf.push(&SMALL, 0), Ok(1), "OVERFLOW took seq 0");
    }

    #[test]
    fn read_frames_into_copies_only_whole_frames() {
        let one = small_frame_len();
        let mut buf: TraceBuffer<256> = TraceBuffer::new();
        for _ in 0..3 {
            buf.push(&SMALL, 0).unwrap();
        }
        let mut out = [0u8; 128];
        let room = 2 * one + one / 2;
        assert_eq!(buf.read_frames_into(&mut out[..room]), 2 * one);
        assert_eq!(frames(&out[..2 * one])[1], (0x40, 1));
        assert_eq!(buf.read_frames_into(&mut out[..one - 1]), 0);
        assert_eq!(buf.len(), one);
        assert_eq!(buf.read_frames_into(&mut out), one);
        assert_eq!(frames(&out[..one])[0], (0x40, 2));
        assert!(buf.is_empty());
    }

    #[test]
    fn read_frames_into_follows_frames_across_the_ring_end() {
        let one = small_frame_len();
        let mut buf: TraceBuffer<64> = TraceBuffer::new();
        let mut out = [0u8; 64];
        for round in 0..20u32 {
            buf.push(&SMALL, 0).unwrap();
            buf.push(&SMALL, 0).unwrap();
            assert_eq!(buf.read_frames_into(&mut out[..one + 1]), one);
            assert_eq!(frames(&out[..one])[0], (0x40, 2 * round));
            assert_eq!(buf.read_frames_into(&mut out), one);
            assert_eq!(frames(&out[..one])[0], (0x40, 2 * round + 1));
        }
    }

    #[test]
    fn discard_frame_releases_the_oldest_frame() {
        let one = small_frame_len();
        let mut buf: TraceBuffer<256> = TraceBuffer::new();
        buf.push(&SMALL, 0).unwrap();
        buf.push(&SMALL, 0).unwrap();
        assert!(buf.discard_frame());
        assert_eq!(buf.len(), one);
        assert_eq!(
            buf.total_dropped(),
            0,
            "its seq is spent: a receiver sees a gap"
        );
        let mut out = [0u8; 256];
        let n = buf.read_frames_into(&mut out);
        assert_eq!(frames(&out[..n])[0], (0x40, 1));
        assert!(!buf.discard_frame());
    }

    #[test]
    fn count_dropped_is_reported_by_the_next_overflow() {
        let mut buf: TraceBuffer<256> = TraceBuffer::new();
        buf.count_dropped(3);
        buf.push(&SMALL, 0).unwrap();
        let mut out = [0u8; 256];
        let n = buf.read_frames_into(&mut out);
        assert_eq!(frames(&out[..n])[..2], [(0x03, 3), (0x40, 1)]);
    }

    #[test]
    fn resync_byte_is_queued() {
        let mut buf: TraceBuffer<4> = TraceBuffer::new();
        assert!(buf.push_resync());
        assert_eq!(buf.readable(), &[0]);
    }
}
