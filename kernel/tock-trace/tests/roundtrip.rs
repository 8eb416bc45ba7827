//! Round trips between the crate's encoder and the independent host decoder
//! and encoder written from the spec, plus decoder robustness.

mod common;

use common::json::{self, Value};
use common::scenarios::{packet_pool, random_record, Rng};
use common::stream::{self, decode_stream, encode_json_record};
use tock_trace::*;

fn encode(record: &Record<'_>, seq: u32, ticks: u64) -> Vec<u8> {
    let mut out = vec![0u8; MAX_WIRE_FRAME];
    let n = encode_frame(record, seq, ticks, &mut out).unwrap();
    out.truncate(n);
    out
}

fn one_line(record: &Record<'_>, seq: u32, ticks: u64) -> String {
    let (records, counters) = decode_stream(&encode(record, seq, ticks));
    assert_eq!(counters.records, 1);
    records[0].to_text()
}

#[test]
fn spec_section_6_examples() {
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
    assert_eq!(
        one_line(&Record::Hello(hello), 0, 0),
        r#"{"seq":0,"ticks":0,"type":"hello","tick_hz":1000000,"max_payload":2048,"board":"qemu_rv32_virt","kernel_version":"2.2","interfaces":[{"iface_id":0,"kind":"ethernet","linktype":1,"mtu":1500,"addr":"02:00:00:00:00:01","name":"eth0"}]}"#
    );
    let send = IpcMessage {
        src_pid: 1,
        dst_pid: 2,
        service_id: 3,
        conn_id: 7,
        msg_id: 42,
        len: 16,
        mode: TransferMode::Copy,
    };
    assert_eq!(
        one_line(&Record::IpcSend(send), 5, 12345),
        r#"{"seq":5,"ticks":12345,"type":"ipc_send","src_pid":1,"dst_pid":2,"service_id":3,"conn_id":7,"msg_id":42,"len":16,"mode":"copy"}"#
    );
    let conn = IpcConnect {
        client_pid: 1,
        service_id: 3,
        conn_id: 7,
        buffers: 2,
        reliable: true,
        authenticated: false,
    };
    assert_eq!(
        one_line(&Record::IpcConnect(conn), 6, 12400),
        r#"{"seq":6,"ticks":12400,"type":"ipc_connect","client_pid":1,"service_id":3,"conn_id":7,"buffers":2,"reliable":true,"authenticated":false}"#
    );
    let rx = NetPacket::whole(0, KERNEL_PID, &[0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(
        one_line(&Record::NetRx(rx), 7, 12500),
        r#"{"seq":7,"ticks":12500,"type":"net_rx","iface_id":0,"pid":65535,"orig_len":4,"truncated":false,"data":"deadbeef"}"#
    );
    let deliver = NetDeliver {
        iface_id: 0,
        rx_seq: 7,
        pids: &[1, 2],
    };
    assert_eq!(
        one_line(&Record::NetDeliver(deliver), 8, 12501),
        r#"{"seq":8,"ticks":12501,"type":"net_deliver","iface_id":0,"rx_seq":7,"pids":[1,2]}"#
    );
}

#[test]
fn extreme_header_values_round_trip() {
    let rec = Record::Overflow(Overflow {
        dropped: u32::MAX,
        total_dropped: u32::MAX,
    });
    let line = one_line(&rec, u32::MAX, u64::MAX);
    assert_eq!(
        line,
        r#"{"seq":4294967295,"ticks":18446744073709551615,"type":"overflow","dropped":4294967295,"total_dropped":4294967295}"#
    );
    let frame = stream::encode_json_line(&json::parse(&line).unwrap(), 2).unwrap();
    assert_eq!(frame, encode(&rec, u32::MAX, u64::MAX));
}

/// A HELLO with random interfaces (the random record generator has none).
fn random_hello<'a>(rng: &mut Rng, ifaces: &'a mut Vec<Interface<'static>>) -> Record<'a> {
    ifaces.clear();
    for id in 0..rng.below(6) as u8 {
        let addr = match rng.below(3) {
            0 => LinkAddr::none(),
            1 => LinkAddr::mac48(rng.next().to_le_bytes()[..6].try_into().unwrap()),
            _ => LinkAddr::eui64(rng.next().to_le_bytes()),
        };
        let kind = rng.pick(IfaceKind::ALL);
        ifaces.push(Interface {
            iface_id: id,
            kind,
            linktype: rng.pick(&[1, 230, 105, 227, 251]),
            mtu: rng.below(2000) as u16,
            addr,
            name: rng.pick(&[
                "eth0",
                "wpan0",
                "",
                "a-very-long-interface-name-that-exceeds-sixty-four-bytes-for-sure-yes",
            ]),
        });
    }
    Record::Hello(Hello {
        tick_hz: rng.next() as u32,
        max_payload: 2048,
        board: "b\u{e9}",
        kernel_version: "",
        interfaces: ifaces,
    })
}

#[test]
fn random_records_round_trip_through_json() {
    let pool = packet_pool();
    let mut rng = Rng::new(42);
    let mut ifaces = Vec::new();
    for i in 0..20_000u32 {
        let record = if i % 50 == 0 {
            random_hello(&mut rng, &mut ifaces)
        } else {
            random_record(&mut rng, &pool)
        };
        let (seq, ticks) = (rng.next() as u32, rng.next());
        let frame = encode(&record, seq, ticks);
        let (records, counters) = decode_stream(&frame);
        assert_eq!(
            (counters.records, counters.corrupt, counters.malformed),
            (1, 0, 0),
            "{record:?}"
        );
        let text = records[0].to_text();
        let reparsed = json::parse(&text).unwrap();
        assert_eq!(reparsed.to_text(), text);
        assert_eq!(
            stream::encode_json_line(&reparsed, 2).unwrap(),
            frame,
            "{text}"
        );
        assert_eq!(
            records[0].get("type").and_then(Value::as_str),
            Some(record.record_type().name())
        );
    }
}

/// Pushes random records into a small ring with random drains: every push is
/// either delivered or counted by an OVERFLOW record, and seq never gaps.
fn ring_accounting<const N: usize>(seed: u64) {
    let pool = packet_pool();
    let mut rng = Rng::new(seed);
    let mut buf: TraceBuffer<N> = TraceBuffer::with_max_payload(64 + rng.below(2048) as usize);
    let (mut out, mut pushed, mut ticks) = (Vec::new(), 0u64, 0u64);
    let mut chunk = vec![0u8; N + 1];
    for _ in 0..3000 {
        ticks += rng.below(100);
        let _ = buf.push(&random_record(&mut rng, &pool), ticks);
        pushed += 1;
        let n = buf.read_into(&mut chunk[..rng.below(N as u64 + 1) as usize]);
        out.extend_from_slice(&chunk[..n]);
    }
    for _ in 0..3 {
        let n = buf.read_into(&mut chunk);
        out.extend_from_slice(&chunk[..n]);
        buf.flush_overflow(ticks);
    }
    assert!(buf.is_empty());
    // Only a ring too small for an OVERFLOW frame keeps drops pending.
    let pending = u64::from(buf.pending_dropped());
    assert!(pending == 0 || N < 40);
    let (records, c) = decode_stream(&out);
    let overflows = records
        .iter()
        .filter(|r| r.get("type").unwrap().as_str() == Some("overflow"))
        .count() as u64;
    assert_eq!((c.gap, c.corrupt, c.malformed, c.seq_reset), (0, 0, 0, 0));
    assert_eq!(
        c.records - overflows + c.device_dropped + pending,
        pushed,
        "N={N} seed={seed}"
    );
    assert_eq!(c.device_dropped + pending, u64::from(buf.total_dropped()));
}

#[test]
fn ring_accounts_for_every_record() {
    for seed in 1..6 {
        ring_accounting::<0>(seed);
        ring_accounting::<40>(seed);
        ring_accounting::<300>(seed);
        ring_accounting::<2100>(seed);
        ring_accounting::<5000>(seed);
    }
}

fn damage(bytes: &mut Vec<u8>, rng: &mut Rng) {
    for _ in 0..1 + rng.below(20) {
        if bytes.is_empty() {
            return;
        }
        let i = rng.below(bytes.len() as u64) as usize;
        match rng.below(4) {
            0 => bytes[i] ^= 1 << rng.below(8),
            1 => drop(bytes.remove(i)),
            2 => bytes.insert(i, rng.next() as u8),
            _ => bytes.truncate(i.max(1)),
        }
    }
}

#[test]
fn decoder_survives_damage_and_only_emits_valid_records() {
    let original = common::scenarios::mixed();
    let (clean, _) = decode_stream(&original);
    let mut rng = Rng::new(7);
    for _ in 0..2000 {
        let mut bytes = original.clone();
        damage(&mut bytes, &mut rng);
        let (records, c) = decode_stream(&bytes);
        assert!(c.records <= clean.len() as u64 + 1);
        for r in &records {
            if r.get("type").and_then(common::json::Value::as_str) != Some("console") {
                encode_json_record(r).unwrap();
            }
        }
    }
}

#[test]
fn decoder_survives_random_bytes() {
    let mut rng = Rng::new(99);
    for len in [0usize, 1, 5, 100, 3000, 10_000] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if rng.below(50) == 0 {
                    0
                } else {
                    rng.next() as u8
                }
            })
            .collect();
        let (_, c) = decode_stream(&bytes);
        assert_eq!(c.records, 0, "random bytes should not pass CRC-32C");
    }
}

#[test]
fn stream_decoder_accepts_byte_at_a_time_feeding() {
    for s in common::scenarios::all() {
        let (whole, counters) = decode_stream(&s.bytes);
        if s.bytes.len() > 20_000 {
            continue; // the held prefix is re-scanned per byte: keep it quick
        }
        let mut decoder = stream::StreamDecoder::new();
        let mut out = Vec::new();
        for b in &s.bytes {
            decoder.feed(std::slice::from_ref(b), &mut out);
        }
        decoder.finish(&mut out);
        assert_eq!(out, whole, "{}", s.name);
        let mut fed = decoder.counters;
        fed.version = counters.version;
        assert_eq!(fed, counters, "{}", s.name);
    }
}
