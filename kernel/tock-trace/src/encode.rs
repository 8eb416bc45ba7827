//! Record serialisation and framing: header, body, CRC-32C, COBS, delimiter.

use crate::cobs::CobsWriter;
use crate::crc::Crc32c;
use crate::record::*;
use crate::sink::{Full, Sink, SliceSink};
use crate::{
    CRC_LEN, FLAG_TRUNCATED, FRAME_MARKER, HEADER_LEN, MAX_LOG_TEXT, MAX_PAYLOAD, MAX_SERVICE_NAME,
    MAX_STR, MIN_PAYLOAD, VERSION,
};

/// Why a record could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The output buffer is too small for this frame; a larger one would work.
    Full,
    /// The record cannot be sent at all: its fixed fields exceed the payload
    /// limit, or it lists more than 255 interfaces or pids.
    TooLarge,
}

impl From<Full> for EncodeError {
    fn from(_: Full) -> Self {
        EncodeError::Full
    }
}

/// Encodes `record` as one complete v2 wire frame (0x00, the COBS encoding of
/// the marker and the payload, 0x00) into `out`, with the 2048-byte payload limit. Returns the
/// number of bytes written. Packet bytes that do not fit are cut off and the
/// TRUNCATED flag is set. Fails with `Full` if `out` is too small (its
/// contents are then unspecified) and `TooLarge` if the record cannot fit any
/// frame. Never allocates.
pub fn encode_frame(
    record: &Record<'_>,
    seq: u32,
    ticks: u64,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    encode_frame_limited(record, seq, ticks, MAX_PAYLOAD, out)
}

/// Like [`encode_frame`] with a smaller payload limit, clamped to
/// `MIN_PAYLOAD..=MAX_PAYLOAD` (e.g. the `max_payload` announced in HELLO).
pub fn encode_frame_limited(
    record: &Record<'_>,
    seq: u32,
    ticks: u64,
    max_payload: usize,
    out: &mut [u8],
) -> Result<usize, EncodeError> {
    let sink = encode_into(SliceSink::new(out), record, seq, ticks, max_payload)?;
    Ok(sink.written())
}

/// Encodes one frame into `sink`, returning the sink on success.
pub(crate) fn encode_into<S: Sink>(
    sink: S,
    record: &Record<'_>,
    seq: u32,
    ticks: u64,
    max_payload: usize,
) -> Result<S, EncodeError> {
    let max_body = max_payload.clamp(MIN_PAYLOAD, MAX_PAYLOAD) - HEADER_LEN - CRC_LEN;
    let record = fit_record(record, max_body)?;
    let mut w = PayloadWriter::new(sink)?;
    write_header(&mut w, &record, seq, ticks)?;
    write_body(&mut w, &record)?;
    Ok(w.finish()?)
}

/// Checks the fixed part fits and shortens packet bytes to the room left.
fn fit_record<'a>(record: &Record<'a>, max_body: usize) -> Result<Record<'a>, EncodeError> {
    let fixed = fixed_len(record)?;
    let room = max_body.checked_sub(fixed).ok_or(EncodeError::TooLarge)?;
    Ok(clip_packet(record, room))
}

fn clip_packet<'a>(record: &Record<'a>, room: usize) -> Record<'a> {
    let clip = |data: &'a [u8], orig_len: u32| {
        let limit = room.min(usize::try_from(orig_len).unwrap_or(usize::MAX));
        data.get(..limit).unwrap_or(data)
    };
    match *record {
        Record::NetTx(p) => Record::NetTx(NetPacket {
            data: clip(p.data, p.orig_len),
            ..p
        }),
        Record::NetRx(p) => Record::NetRx(NetPacket {
            data: clip(p.data, p.orig_len),
            ..p
        }),
        Record::NetDrop(d) => Record::NetDrop(NetDrop {
            data: clip(d.data, d.orig_len),
            ..d
        }),
        other => other,
    }
}

/// Header flags: TRUNCATED when packet bytes are fewer than `orig_len`.
fn flags(record: &Record<'_>) -> u16 {
    let short = |data: &[u8], orig_len: u32| (data.len() as u64) < u64::from(orig_len);
    let truncated = match record {
        Record::NetTx(p) | Record::NetRx(p) => short(p.data, p.orig_len),
        Record::NetDrop(d) => short(d.data, d.orig_len),
        _ => false,
    };
    if truncated {
        FLAG_TRUNCATED
    } else {
        0
    }
}

/// `s` cut to at most `max` bytes at a UTF-8 character boundary.
pub(crate) fn clip_str(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s.get(..end).unwrap_or("")
}

fn str8_len(s: &str, max: usize) -> usize {
    1 + clip_str(s, max).len()
}

/// Body length without packet bytes; `TooLarge` for counts above 255.
fn fixed_len(record: &Record<'_>) -> Result<usize, EncodeError> {
    Ok(match record {
        Record::Hello(h) => hello_len(h)?,
        Record::Log(l) => 3 + clip_str(l.text, MAX_LOG_TEXT).len(),
        Record::Overflow(_) => 8,
        Record::ProcStart(p) => 4 + str8_len(p.name, MAX_STR),
        Record::ProcFault(_) => 12,
        Record::ProcRestart(_) => 4,
        Record::IpcRegister(r) => 4 + str8_len(r.service_name, MAX_SERVICE_NAME),
        Record::IpcDiscover(d) => 5 + str8_len(d.service_name, MAX_SERVICE_NAME),
        Record::IpcConnect(_) => 8,
        Record::IpcDisconnect(_) => 7,
        Record::IpcSend(_) | Record::IpcRecv(_) => 17,
        Record::RpcCall(_) => 16,
        Record::RpcReturn(_) => 20,
        Record::MemGrant(_) | Record::MemRevoke(_) => 13,
        Record::Upcall(_) => 22,
        Record::NetUp(_) => 1,
        Record::NetDown(_) => 2,
        Record::NetTx(_) | Record::NetRx(_) => 7,
        Record::NetDrop(_) => 9,
        Record::NetDeliver(d) => 6 + 2 * count_u8(d.pids.len())? as usize,
    })
}

fn hello_len(h: &Hello<'_>) -> Result<usize, EncodeError> {
    count_u8(h.interfaces.len())?;
    let strings = str8_len(h.board, MAX_STR) + str8_len(h.kernel_version, MAX_STR);
    let ifaces: usize = h
        .interfaces
        .iter()
        .map(|i| 15 + str8_len(i.name, MAX_STR))
        .sum();
    Ok(7 + strings + ifaces)
}

fn count_u8(n: usize) -> Result<u8, EncodeError> {
    u8::try_from(n).map_err(|_| EncodeError::TooLarge)
}

fn write_header<S: Sink>(
    w: &mut PayloadWriter<S>,
    record: &Record<'_>,
    seq: u32,
    ticks: u64,
) -> Result<(), Full> {
    w.u8(VERSION)?;
    w.u8(record.record_type().to_u8())?;
    w.u16(flags(record))?;
    w.u32(seq)?;
    w.u64(ticks)
}

fn write_body<S: Sink>(w: &mut PayloadWriter<S>, record: &Record<'_>) -> Result<(), Full> {
    match record {
        Record::Hello(h) => write_hello(w, h),
        Record::Log(l) => write_log(w, l),
        Record::Overflow(o) => write_overflow(w, o),
        Record::ProcStart(p) => write_proc_start(w, p),
        Record::ProcFault(f) => write_proc_fault(w, f),
        Record::ProcRestart(r) => write_proc_restart(w, r),
        Record::IpcRegister(r) => write_ipc_register(w, r),
        Record::IpcDiscover(d) => write_ipc_discover(w, d),
        Record::IpcConnect(c) => write_ipc_connect(w, c),
        Record::IpcDisconnect(d) => write_ipc_disconnect(w, d),
        Record::IpcSend(m) | Record::IpcRecv(m) => write_ipc_message(w, m),
        Record::RpcCall(c) => write_rpc_call(w, c),
        Record::RpcReturn(r) => write_rpc_return(w, r),
        Record::MemGrant(m) | Record::MemRevoke(m) => write_mem_region(w, m),
        Record::Upcall(u) => write_upcall(w, u),
        Record::NetUp(n) => w.u8(n.iface_id),
        Record::NetDown(n) => write_net_down(w, n),
        Record::NetTx(p) | Record::NetRx(p) => write_net_packet(w, p),
        Record::NetDrop(d) => write_net_drop(w, d),
        Record::NetDeliver(d) => write_net_deliver(w, d),
    }
}

fn write_hello<S: Sink>(w: &mut PayloadWriter<S>, h: &Hello<'_>) -> Result<(), Full> {
    w.u32(h.tick_hz)?;
    w.u16(h.max_payload)?;
    w.str8(h.board, MAX_STR)?;
    w.str8(h.kernel_version, MAX_STR)?;
    w.u8(h.interfaces.len() as u8)?;
    h.interfaces.iter().try_for_each(|i| write_interface(w, i))
}

fn write_interface<S: Sink>(w: &mut PayloadWriter<S>, i: &Interface<'_>) -> Result<(), Full> {
    w.u8(i.iface_id)?;
    w.u8(i.kind.to_u8())?;
    w.u16(i.linktype)?;
    w.u16(i.mtu)?;
    w.u8(i.addr.len())?;
    w.bytes(&i.addr.padded())?;
    w.str8(i.name, MAX_STR)
}

fn write_log<S: Sink>(w: &mut PayloadWriter<S>, l: &Log<'_>) -> Result<(), Full> {
    let text = clip_str(l.text, MAX_LOG_TEXT);
    w.u8(l.level.to_u8())?;
    w.u16(text.len() as u16)?;
    w.bytes(text.as_bytes())
}

fn write_overflow<S: Sink>(w: &mut PayloadWriter<S>, o: &Overflow) -> Result<(), Full> {
    w.u32(o.dropped)?;
    w.u32(o.total_dropped)
}

fn write_proc_start<S: Sink>(w: &mut PayloadWriter<S>, p: &ProcStart<'_>) -> Result<(), Full> {
    w.u16(p.pid)?;
    w.u16(p.restart_count)?;
    w.str8(p.name, MAX_STR)
}

fn write_proc_fault<S: Sink>(w: &mut PayloadWriter<S>, f: &ProcFault) -> Result<(), Full> {
    w.u16(f.pid)?;
    w.u8(f.reason.to_u8())?;
    w.u8(f.action.to_u8())?;
    w.u32(f.fault_addr)?;
    w.u32(f.pc)
}

fn write_proc_restart<S: Sink>(w: &mut PayloadWriter<S>, r: &ProcRestart) -> Result<(), Full> {
    w.u16(r.pid)?;
    w.u16(r.restart_count)
}

fn write_ipc_register<S: Sink>(w: &mut PayloadWriter<S>, r: &IpcRegister<'_>) -> Result<(), Full> {
    w.u16(r.server_pid)?;
    w.u16(r.service_id)?;
    w.str8(r.service_name, MAX_SERVICE_NAME)
}

fn write_ipc_discover<S: Sink>(w: &mut PayloadWriter<S>, d: &IpcDiscover<'_>) -> Result<(), Full> {
    w.u16(d.client_pid)?;
    w.u16(d.service_id)?;
    w.u8(d.result.to_u8())?;
    w.str8(d.service_name, MAX_SERVICE_NAME)
}

fn write_ipc_connect<S: Sink>(w: &mut PayloadWriter<S>, c: &IpcConnect) -> Result<(), Full> {
    w.u16(c.client_pid)?;
    w.u16(c.service_id)?;
    w.u16(c.conn_id)?;
    w.u8(c.buffers)?;
    w.u8(u8::from(c.reliable) | u8::from(c.authenticated) << 1)
}

fn write_ipc_disconnect<S: Sink>(w: &mut PayloadWriter<S>, d: &IpcDisconnect) -> Result<(), Full> {
    w.u16(d.client_pid)?;
    w.u16(d.service_id)?;
    w.u16(d.conn_id)?;
    w.u8(d.reason.to_u8())
}

fn write_ipc_message<S: Sink>(w: &mut PayloadWriter<S>, m: &IpcMessage) -> Result<(), Full> {
    w.u16(m.src_pid)?;
    w.u16(m.dst_pid)?;
    w.u16(m.service_id)?;
    w.u16(m.conn_id)?;
    w.u32(m.msg_id)?;
    w.u32(m.len)?;
    w.u8(m.mode.to_u8())
}

fn write_rpc_head<S: Sink>(
    w: &mut PayloadWriter<S>,
    pids: (u16, u16),
    service_id: u16,
    method: u16,
    call_id: u32,
) -> Result<(), Full> {
    w.u16(pids.0)?;
    w.u16(pids.1)?;
    w.u16(service_id)?;
    w.u16(method)?;
    w.u32(call_id)
}

fn write_rpc_call<S: Sink>(w: &mut PayloadWriter<S>, c: &RpcCall) -> Result<(), Full> {
    write_rpc_head(
        w,
        (c.client_pid, c.server_pid),
        c.service_id,
        c.method,
        c.call_id,
    )?;
    w.u32(c.arg_len)
}

fn write_rpc_return<S: Sink>(w: &mut PayloadWriter<S>, r: &RpcReturn) -> Result<(), Full> {
    write_rpc_head(
        w,
        (r.client_pid, r.server_pid),
        r.service_id,
        r.method,
        r.call_id,
    )?;
    w.u32(r.ret_len)?;
    w.bytes(&r.status.to_le_bytes())
}

fn write_mem_region<S: Sink>(w: &mut PayloadWriter<S>, m: &MemRegion) -> Result<(), Full> {
    w.u16(m.owner_pid)?;
    w.u16(m.grantee_pid)?;
    w.u32(m.addr)?;
    w.u32(m.len)?;
    w.u8(u8::from(m.read) | u8::from(m.write) << 1)
}

fn write_upcall<S: Sink>(w: &mut PayloadWriter<S>, u: &Upcall) -> Result<(), Full> {
    w.u16(u.pid)?;
    w.u32(u.driver_num)?;
    w.u32(u.subscribe_num)?;
    w.u32(u.arg0)?;
    w.u32(u.arg1)?;
    w.u32(u.arg2)
}

fn write_net_down<S: Sink>(w: &mut PayloadWriter<S>, n: &NetDown) -> Result<(), Full> {
    w.u8(n.iface_id)?;
    w.u8(n.reason.to_u8())
}

fn write_net_packet<S: Sink>(w: &mut PayloadWriter<S>, p: &NetPacket<'_>) -> Result<(), Full> {
    w.u8(p.iface_id)?;
    w.u16(p.pid)?;
    w.u32(p.orig_len)?;
    w.bytes(p.data)
}

fn write_net_drop<S: Sink>(w: &mut PayloadWriter<S>, d: &NetDrop<'_>) -> Result<(), Full> {
    w.u8(d.iface_id)?;
    w.u8(d.direction.to_u8())?;
    w.u16(d.pid)?;
    w.u8(d.reason.to_u8())?;
    w.u32(d.orig_len)?;
    w.bytes(d.data)
}

fn write_net_deliver<S: Sink>(w: &mut PayloadWriter<S>, d: &NetDeliver<'_>) -> Result<(), Full> {
    w.u8(d.iface_id)?;
    w.u32(d.rx_seq)?;
    w.u8(d.pids.len() as u8)?;
    d.pids.iter().try_for_each(|&pid| w.u16(pid))
}

/// Writes payload bytes through CRC-32C and COBS into a sink.
struct PayloadWriter<S: Sink> {
    cobs: CobsWriter<S>,
    crc: Crc32c,
}

impl<S: Sink> PayloadWriter<S> {
    /// Writes the opening delimiter and the marker (outside the CRC).
    fn new(mut sink: S) -> Result<Self, Full> {
        sink.push(0)?;
        let mut cobs = CobsWriter::new(sink)?;
        cobs.write_all(&FRAME_MARKER)?;
        Ok(PayloadWriter {
            cobs,
            crc: Crc32c::new(),
        })
    }

    fn bytes(&mut self, bytes: &[u8]) -> Result<(), Full> {
        self.crc.update(bytes);
        self.cobs.write_all(bytes)
    }

    fn u8(&mut self, v: u8) -> Result<(), Full> {
        self.bytes(&[v])
    }

    fn u16(&mut self, v: u16) -> Result<(), Full> {
        self.bytes(&v.to_le_bytes())
    }

    fn u32(&mut self, v: u32) -> Result<(), Full> {
        self.bytes(&v.to_le_bytes())
    }

    fn u64(&mut self, v: u64) -> Result<(), Full> {
        self.bytes(&v.to_le_bytes())
    }

    /// `u8` length then bytes, cut to `max` at a character boundary.
    fn str8(&mut self, s: &str, max: usize) -> Result<(), Full> {
        let s = clip_str(s, max.min(usize::from(u8::MAX)));
        self.u8(s.len() as u8)?;
        self.bytes(s.as_bytes())
    }

    /// Appends the CRC, closes COBS and writes the delimiter.
    fn finish(mut self) -> Result<S, Full> {
        let crc = self.crc.value();
        self.cobs.write_all(&crc.to_le_bytes())?;
        let mut sink = self.cobs.finish();
        sink.push(0)?;
        Ok(sink)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cobs::cobs_decode;
    use crate::crc::crc32c;
    use crate::MAX_WIRE_FRAME;

    fn hex(s: &str) -> ([u8; 128], usize) {
        let mut out = [0u8; 128];
        let mut n = 0;
        for byte in s.split_whitespace() {
            out[n] = u8::from_str_radix(byte, 16).unwrap();
            n += 1;
        }
        (out, n)
    }

    fn frame(record: &Record<'_>, seq: u32, ticks: u64) -> ([u8; MAX_WIRE_FRAME], usize) {
        let mut out = [0u8; MAX_WIRE_FRAME];
        let n = encode_frame(record, seq, ticks, &mut out).unwrap();
        (out, n)
    }

    /// Decodes a v2 wire frame, checks its delimiters, marker and CRC and
    /// returns (payload without the marker, len).
    fn payload(wire: &[u8]) -> ([u8; MAX_PAYLOAD + 16], usize) {
        assert_eq!(wire.first(), Some(&0));
        assert_eq!(wire.last(), Some(&0));
        let mut decoded = [0u8; MAX_PAYLOAD + 16];
        let n = cobs_decode(&wire[1..wire.len() - 1], &mut decoded).unwrap();
        assert_eq!(decoded[..2], crate::FRAME_MARKER);
        let mut out = [0u8; MAX_PAYLOAD + 16];
        out[..n - 2].copy_from_slice(&decoded[2..n]);
        let n = n - 2;
        let crc = u32::from_le_bytes(out[n - 4..n].try_into().unwrap());
        assert_eq!(crc32c(&out[..n - 4]), crc);
        (out, n)
    }

    const SPEC_SEND: Record<'static> = Record::IpcSend(IpcMessage {
        src_pid: 1,
        dst_pid: 2,
        service_id: 3,
        conn_id: 7,
        msg_id: 42,
        len: 16,
        mode: TransferMode::Copy,
    });

    #[test]
    fn spec_worked_example_ipc_send() {
        let (expected, len) = hex("00 05 c0 c1 02 24 01 02 05 01 01 03 39 30 01 01
             01 01 01 02 01 02 02 02 03 02 07 02 2a 01 01 02
             10 01 01 01 05 fc 22 6e a4 00");
        let (out, n) = frame(&SPEC_SEND, 5, 12345);
        assert_eq!(&out[..n], &expected[..len]);
    }

    #[test]
    fn spec_worked_example_hello() {
        let (expected, len) = hex("00 05 c0 c1 02 01 01 01 01 01 01 01 01 01 01 01
             01 01 01 04 40 42 0f 01 16 08 0e 71 65 6d 75 5f
             72 76 33 32 5f 76 69 72 74 03 32 2e 32 01 03 01
             01 05 dc 05 06 02 01 01 01 02 01 01 0a 04 65 74
             68 30 45 9a 9f b6 00");
        let ifaces = [Interface {
            iface_id: 0,
            kind: IfaceKind::Ethernet,
            linktype: 1,
            mtu: 1500,
            addr: LinkAddr::mac48([2, 0, 0, 0, 0, 1]),
            name: "eth0",
        }];
        let hello = Hello {
            tick_hz: 1_000_000,
            max_payload: 2048,
            board: "qemu_rv32_virt",
            kernel_version: "2.2",
            interfaces: &ifaces,
        };
        let (out, n) = frame(&Record::Hello(hello), 0, 0);
        assert_eq!(&out[..n], &expected[..len]);
    }

    #[test]
    fn output_too_small_is_full() {
        let (_, n) = frame(&SPEC_SEND, 5, 12345);
        let mut out = [0u8; 64];
        assert_eq!(
            encode_frame(&SPEC_SEND, 5, 12345, &mut out[..n - 1]),
            Err(EncodeError::Full)
        );
        assert_eq!(
            encode_frame(&SPEC_SEND, 5, 12345, &mut []),
            Err(EncodeError::Full)
        );
        assert_eq!(encode_frame(&SPEC_SEND, 5, 12345, &mut out[..n]), Ok(n));
    }

    #[test]
    fn oversize_packet_is_truncated_with_flag_and_orig_len() {
        let data = [0xAAu8; 3000];
        let rec = Record::NetTx(NetPacket::whole(1, 4, &data));
        let (out, n) = frame(&rec, 9, 1);
        let (p, plen) = payload(&out[..n]);
        assert_eq!(plen, MAX_PAYLOAD);
        assert_eq!(u16::from_le_bytes([p[2], p[3]]), FLAG_TRUNCATED);
        assert_eq!(u32::from_le_bytes(p[19..23].try_into().unwrap()), 3000);
        assert_eq!(plen - 4 - 23, 2021);
        assert!(n <= MAX_WIRE_FRAME);
    }

    #[test]
    fn max_size_packet_is_not_truncated() {
        let data = [0x00u8; 2019];
        let rec = Record::NetDrop(NetDrop {
            iface_id: 0,
            direction: Direction::Rx,
            pid: 0xFFFF,
            reason: DropReason::TooBig,
            orig_len: 2019,
            data: &data,
        });
        let (out, n) = frame(&rec, 0, 0);
        let (p, plen) = payload(&out[..n]);
        assert_eq!(plen, MAX_PAYLOAD);
        assert_eq!(p[2], 0);
    }

    #[test]
    fn empty_drop_of_nonempty_frame_is_truncated() {
        let rec = Record::NetDrop(NetDrop {
            iface_id: 0,
            direction: Direction::Tx,
            pid: 3,
            reason: DropReason::QueueFull,
            orig_len: 60,
            data: &[],
        });
        let (out, n) = frame(&rec, 0, 0);
        let (p, _) = payload(&out[..n]);
        assert_eq!(p[2], 1);
    }

    #[test]
    fn data_beyond_orig_len_is_not_sent() {
        let rec = Record::NetRx(NetPacket {
            iface_id: 0,
            pid: 0xFFFF,
            orig_len: 2,
            data: &[1, 2, 3],
        });
        let (out, n) = frame(&rec, 0, 0);
        let (p, plen) = payload(&out[..n]);
        assert_eq!(&p[23..plen - 4], &[1, 2]);
        assert_eq!(p[2], 0);
    }

    #[test]
    fn limited_payload_truncates_earlier() {
        let data = [7u8; 300];
        let rec = Record::NetRx(NetPacket::whole(0, 0xFFFF, &data));
        let mut out = [0u8; 400];
        let n = encode_frame_limited(&rec, 0, 0, 128, &mut out).unwrap();
        let (p, plen) = payload(&out[..n]);
        assert_eq!(plen, 128);
        assert_eq!(p[2], 1);
    }

    #[test]
    fn too_many_items_is_too_large() {
        let pids = [1u16; 256];
        let rec = Record::NetDeliver(NetDeliver {
            iface_id: 0,
            rx_seq: 0,
            pids: &pids,
        });
        let mut out = [0u8; MAX_WIRE_FRAME];
        assert_eq!(
            encode_frame(&rec, 0, 0, &mut out),
            Err(EncodeError::TooLarge)
        );
    }

    #[test]
    fn hello_over_limit_is_too_large() {
        let name = NAME64;
        let iface = Interface {
            iface_id: 0,
            kind: IfaceKind::Can,
            linktype: 227,
            mtu: 16,
            addr: LinkAddr::none(),
            name,
        };
        let ifaces = [iface; 30];
        let hello = Hello {
            tick_hz: 1,
            max_payload: 2048,
            board: "b",
            kernel_version: "k",
            interfaces: &ifaces,
        };
        let mut out = [0u8; 4096];
        assert_eq!(
            encode_frame(&Record::Hello(hello), 0, 0, &mut out),
            Err(EncodeError::TooLarge)
        );
        let ok = Hello {
            interfaces: &ifaces[..24],
            ..hello
        };
        assert!(encode_frame(&Record::Hello(ok), 0, 0, &mut out).is_ok());
    }

    /// A 64-byte name, the longest that is sent.
    const NAME64: &str = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";

    #[test]
    fn strings_are_clipped_at_char_boundaries() {
        assert_eq!(clip_str("abcdef", 4), "abcd");
        assert_eq!(clip_str("aé", 2), "a");
        assert_eq!(clip_str("€", 2), "");
        assert_eq!(clip_str("ok", 64), "ok");
        let long = "ééééééééééééééééééééééééééé"; // 54 bytes
        let rec = Record::IpcRegister(IpcRegister {
            server_pid: 1,
            service_id: 2,
            service_name: long,
        });
        let (out, n) = frame(&rec, 0, 0);
        let (p, _) = payload(&out[..n]);
        assert_eq!(p[20], 20);
        assert!(core::str::from_utf8(&p[21..41]).is_ok());
    }
}
