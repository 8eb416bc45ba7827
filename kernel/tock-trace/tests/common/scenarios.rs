//! Deterministic trace streams behind the golden vectors in
//! `tests/fixtures/trace/`. They are produced with the crate's own encoder
//! (`encode_frame_limited`, `TraceBuffer`); `damaged` also hand-builds bad
//! frames with the host helpers.

use super::stream::{raw_frame, raw_frame_v2};
use tock_trace::*;

/// One golden stream.
pub struct Stream {
    pub name: &'static str,
    pub bytes: Vec<u8>,
    /// True if re-encoding its JSONL must reproduce `bytes` exactly.
    pub reencodable: bool,
    /// Protocol version of its frames.
    pub version: u8,
    /// True for the v1 streams: kept as committed regression inputs; the
    /// encoder (now v2) no longer produces them.
    pub frozen: bool,
}

/// The committed bytes of a frozen v1 stream.
fn committed(name: &str) -> Vec<u8> {
    let path = super::fixtures_dir().join(format!("{name}.bin"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn all() -> Vec<Stream> {
    let v1 = |name: &'static str, reencodable: bool| Stream {
        name,
        bytes: committed(name),
        reencodable,
        version: 1,
        frozen: true,
    };
    vec![
        v1("basic", true),
        v1("stress", true),
        v1("overflow", true),
        v1("damaged", false),
        Stream {
            name: "mixed",
            bytes: mixed(),
            reencodable: true,
            version: 2,
            frozen: false,
        },
        Stream {
            name: "mixed_damaged",
            bytes: mixed_damaged(),
            reencodable: false,
            version: 2,
            frozen: false,
        },
    ]
}

const ETH0: Interface<'static> = Interface {
    iface_id: 0,
    kind: IfaceKind::Ethernet,
    linktype: 1,
    mtu: 1500,
    addr: LinkAddr::mac48([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]),
    name: "eth0",
};
const WPAN0: Interface<'static> = Interface {
    iface_id: 1,
    kind: IfaceKind::Ieee802154,
    linktype: 230,
    mtu: 127,
    addr: LinkAddr::eui64([0x00, 0x12, 0x4b, 0x00, 0x14, 0xb5, 0xd9, 0xc7]),
    name: "wpan0",
};
const CAN0: Interface<'static> = Interface {
    iface_id: 2,
    kind: IfaceKind::Can,
    linktype: 227,
    mtu: 16,
    addr: LinkAddr::none(),
    name: "can0",
};
const BLE0: Interface<'static> = Interface {
    iface_id: 3,
    kind: IfaceKind::Ble,
    linktype: 251,
    mtu: 255,
    addr: LinkAddr::mac48([0xc0, 0x98, 0xe5, 0x49, 0x00, 0x07]),
    name: "ble0",
};

const TWO_IFACES: [Interface<'static>; 2] = [ETH0, WPAN0];
const FOUR_IFACES: [Interface<'static>; 4] = [ETH0, WPAN0, CAN0, BLE0];

fn hello(max_payload: u16, interfaces: &'static [Interface<'static>]) -> Record<'static> {
    Record::Hello(Hello {
        tick_hz: 1_000_000,
        max_payload,
        board: "qemu_rv32_virt",
        kernel_version: "2.2.0-tockctl-demo",
        interfaces,
    })
}

/// ARP who-has 192.168.1.1 from 02:00:00:00:00:01 (42 bytes).
const ARP_REQUEST: [u8; 42] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x01,
    0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0, 0xa8, 0x01, 0x02,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x01, 0x01,
];
/// ARP reply 192.168.1.1 is-at 02:00:00:00:00:fe (42 bytes).
const ARP_REPLY: [u8; 42] = [
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0x08, 0x06, 0x00, 0x01,
    0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0xfe, 0xc0, 0xa8, 0x01, 0x01,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0, 0xa8, 0x01, 0x02,
];
/// 802.15.4 data frame, PAN 0xabcd, short 0x0001 -> 0xffff, payload "hello" (no FCS).
const WPAN_FRAME: [u8; 14] = [
    0x41, 0x88, 0x2a, 0xcd, 0xab, 0xff, 0xff, 0x01, 0x00, b'h', b'e', b'l', b'l', b'o',
];

/// A 1514-byte Ethernet frame (IPv4 ethertype, patterned payload).
fn big_ethernet_frame() -> Vec<u8> {
    let mut f = vec![0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0xfe, 0x08, 0x00];
    f.extend((0..1500u32).map(|i| (i * 7 + 3) as u8));
    f
}

/// Encodes records one by one with consecutive seq numbers; after every
/// frame it writes the next piece of `console` text (if any), as a kernel's
/// console and tracer share the UART mux.
struct FrameWriter {
    out: Vec<u8>,
    seq: u32,
    ticks: u64,
    max_payload: usize,
    console: Vec<Vec<u8>>,
}

impl FrameWriter {
    fn put(&mut self, dt: u64, record: Record<'_>) {
        self.ticks += dt;
        let mut frame = [0u8; MAX_WIRE_FRAME];
        let n = encode_frame_limited(&record, self.seq, self.ticks, self.max_payload, &mut frame)
            .expect("golden record encodes");
        self.out.extend_from_slice(&frame[..n]);
        self.seq += 1;
        if !self.console.is_empty() {
            let text = self.console.remove(0);
            self.out.extend_from_slice(&text);
        }
    }
}

/// Console text a Tock kernel prints between frames, including bytes that
/// look like framing (0x00, a code byte, C0, C1, a whole v1 frame).
fn console_pieces() -> Vec<Vec<u8>> {
    let v1_frame = raw_frame(1, 0x24, 0, 77, 7, &body_ipc_send());
    let mut pieces: Vec<Vec<u8>> = vec![
        b"tock$ ".to_vec(),
        b"list\r\n PID    ShortID    Name                Quanta  Syscalls  Restarts  Grants  State\r\n"
            .to_vec(),
        b"  0\tUnique     net_server               0       112         0   3/16   Yielded\r\n"
            .to_vec(),
        b"tock$ ".to_vec(),
        b"debug: eth0 link up\n".to_vec(),
        b"nul\x00inside\r\n".to_vec(),
        b"\x00\x05\xc0 almost a frame start\r\n".to_vec(),
        b"\xc0\xc1 marker bytes without a 0x00\r\n".to_vec(),
        b"\x00\x00two nuls\r\n".to_vec(),
        b"\x01".to_vec(),
        b"\xff\xfe\x80 not UTF-8\r\n".to_vec(),
        b"ends with a nul\x00".to_vec(),
        b"\x00".to_vec(),
        b"\x03\x01 like a v1 frame start\r\n".to_vec(),
        b"a long line without LF: ".iter().copied().chain(std::iter::repeat_n(b'=', 1100)).collect(),
        b"\r\n".to_vec(),
    ];
    pieces.insert(5, v1_frame);
    pieces
}

/// HELLO with two interfaces, then every record type at least once, written
/// by `w`.
fn basic_story(w: &mut FrameWriter) {
    w.put(0, hello(512, &TWO_IFACES));
    basic_processes(w);
    basic_ipc(w);
    basic_network(w);
    basic_faults(w);
}

/// The basic story as v2 frames with a boot banner before the first frame,
/// console text between frames, and a prompt at the very end.
pub fn mixed() -> Vec<u8> {
    let mut w = FrameWriter {
        out: b"Initialization complete. Entering main loop\r\n".to_vec(),
        seq: 0,
        ticks: 1_000,
        max_payload: 512,
        console: console_pieces(),
    };
    basic_story(&mut w);
    w.out.extend_from_slice(b"tock$ ");
    w.out
}

fn basic_processes(w: &mut FrameWriter) {
    w.put(
        120,
        Record::Log(Log {
            level: LogLevel::Info,
            text: "tockctl trace demo: boot",
        }),
    );
    w.put(
        250,
        Record::ProcStart(ProcStart {
            pid: 0,
            restart_count: 0,
            name: "net_server",
        }),
    );
    w.put(
        310,
        Record::ProcStart(ProcStart {
            pid: 1,
            restart_count: 0,
            name: "sensor_client",
        }),
    );
}

fn basic_ipc(w: &mut FrameWriter) {
    w.put(
        400,
        Record::IpcRegister(IpcRegister {
            server_pid: 0,
            service_id: 1,
            service_name: "net.udp",
        }),
    );
    let found = IpcDiscover {
        client_pid: 1,
        service_id: 1,
        result: DiscoverResult::Ok,
        service_name: "net.udp",
    };
    w.put(90, Record::IpcDiscover(found));
    let missing = IpcDiscover {
        service_id: 0xFFFF,
        result: DiscoverResult::NotFound,
        service_name: "net.http",
        ..found
    };
    w.put(35, Record::IpcDiscover(missing));
    let conn = IpcConnect {
        client_pid: 1,
        service_id: 1,
        conn_id: 1,
        buffers: 2,
        reliable: true,
        authenticated: false,
    };
    w.put(60, Record::IpcConnect(conn));
    let msg = IpcMessage {
        src_pid: 1,
        dst_pid: 0,
        service_id: 1,
        conn_id: 1,
        msg_id: 1,
        len: 16,
        mode: TransferMode::Copy,
    };
    w.put(45, Record::IpcSend(msg));
    w.put(12, Record::IpcRecv(msg));
    let call = RpcCall {
        client_pid: 1,
        server_pid: 0,
        service_id: 1,
        method: 3,
        call_id: 1,
        arg_len: 8,
    };
    w.put(80, Record::RpcCall(call));
    let ret = RpcReturn {
        client_pid: 1,
        server_pid: 0,
        service_id: 1,
        method: 3,
        call_id: 1,
        ret_len: 4,
        status: 0,
    };
    w.put(140, Record::RpcReturn(ret));
    let region = MemRegion {
        owner_pid: 1,
        grantee_pid: 0,
        addr: 0x8020_4000,
        len: 4096,
        read: true,
        write: false,
    };
    w.put(70, Record::MemGrant(region));
    let big = IpcMessage {
        msg_id: 2,
        len: 4096,
        mode: TransferMode::Shared,
        ..msg
    };
    w.put(20, Record::IpcSend(big));
    w.put(9, Record::IpcRecv(big));
    w.put(300, Record::MemRevoke(region));
    let upcall = Upcall {
        pid: 0,
        driver_num: 0x10000,
        subscribe_num: 0,
        arg0: 1,
        arg1: 16,
        arg2: 0x8020_4000,
    };
    w.put(15, Record::Upcall(upcall));
    w.put(
        50,
        Record::RpcReturn(RpcReturn {
            call_id: 2,
            ret_len: 0,
            status: -4,
            ..ret
        }),
    );
}

fn basic_network(w: &mut FrameWriter) {
    w.put(1_000, Record::NetUp(NetUp { iface_id: 0 }));
    w.put(20, Record::NetUp(NetUp { iface_id: 1 }));
    w.put(500, Record::NetTx(NetPacket::whole(0, 0, &ARP_REQUEST)));
    let rx_seq = w.seq;
    w.put(
        830,
        Record::NetRx(NetPacket::whole(0, KERNEL_PID, &ARP_REPLY)),
    );
    w.put(
        25,
        Record::NetDeliver(NetDeliver {
            iface_id: 0,
            rx_seq,
            pids: &[0, 1],
        }),
    );
    w.put(
        2_000,
        Record::NetRx(NetPacket::whole(1, KERNEL_PID, &WPAN_FRAME)),
    );
    let drop = NetDrop {
        iface_id: 1,
        direction: Direction::Rx,
        pid: KERNEL_PID,
        reason: DropReason::NoReceiver,
        orig_len: WPAN_FRAME.len() as u32,
        data: &WPAN_FRAME,
    };
    w.put(18, Record::NetDrop(drop));
    let frame = big_ethernet_frame();
    w.put(700, Record::NetRx(NetPacket::whole(0, KERNEL_PID, &frame)));
    let too_big = NetDrop {
        iface_id: 0,
        direction: Direction::Tx,
        pid: 1,
        reason: DropReason::TooBig,
        orig_len: 1600,
        data: &[],
    };
    w.put(90, Record::NetDrop(too_big));
    w.put(
        5,
        Record::Overflow(Overflow {
            dropped: 3,
            total_dropped: 3,
        }),
    );
}

fn basic_faults(w: &mut FrameWriter) {
    let text = "quote \" backslash \\ tab\t newline\n ctrl\u{1} del\u{7f} é ü 漢 /slash";
    w.put(
        40,
        Record::Log(Log {
            level: LogLevel::Warn,
            text,
        }),
    );
    let fault = ProcFault {
        pid: 1,
        reason: FaultReason::MpuViolation,
        action: FaultAction::Restart,
        fault_addr: 0x8030_0000,
        pc: 0x8010_1234,
    };
    w.put(600, Record::ProcFault(fault));
    let disc = IpcDisconnect {
        client_pid: 1,
        service_id: 1,
        conn_id: 1,
        reason: DisconnectReason::ClientFault,
    };
    w.put(3, Record::IpcDisconnect(disc));
    w.put(
        2_500,
        Record::ProcRestart(ProcRestart {
            pid: 1,
            restart_count: 1,
        }),
    );
    w.put(
        100,
        Record::ProcStart(ProcStart {
            pid: 1,
            restart_count: 1,
            name: "sensor_client",
        }),
    );
    w.put(
        5_000,
        Record::NetDown(NetDown {
            iface_id: 1,
            reason: NetDownReason::LinkLost,
        }),
    );
    w.put(
        10,
        Record::Log(Log {
            level: LogLevel::Debug,
            text: "",
        }),
    );
    w.put(
        10,
        Record::Log(Log {
            level: LogLevel::Error,
            text: "done",
        }),
    );
}

/// xorshift64*: small deterministic generator.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        (self.next() >> 16) % n
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const NAMES: [&str; 6] = [
    "net_server",
    "sensor_client",
    "logger",
    "ot_cli",
    "lwip",
    "x",
];
const SERVICES: [&str; 5] = [
    "net.udp",
    "net.tcp",
    "sensor.temp",
    "log",
    "a_service_name_longer_than_20",
];
const TEXTS: [&str; 4] = [
    "tick",
    "buffer low",
    "ünïcödé ✓",
    "a longer line of log text for the stress stream",
];
const PID_LIST: [u16; 6] = [0, 1, 2, 3, 4, 5];

/// Shared byte pool the random packet records slice from.
pub fn packet_pool() -> Vec<u8> {
    let mut rng = Rng::new(0x5eed);
    (0..3000).map(|_| rng.next() as u8).collect()
}

/// A random record of any type except HELLO and OVERFLOW.
pub fn random_record<'a>(rng: &mut Rng, pool: &'a [u8]) -> Record<'a> {
    match rng.below(21) {
        0 => Record::Log(Log {
            level: rng.pick(LogLevel::ALL),
            text: rng.pick(&TEXTS),
        }),
        1 => Record::ProcStart(ProcStart {
            pid: pid(rng),
            restart_count: rng.below(4) as u16,
            name: rng.pick(&NAMES),
        }),
        2 => Record::ProcFault(random_fault(rng)),
        3 => Record::ProcRestart(ProcRestart {
            pid: pid(rng),
            restart_count: rng.below(100) as u16,
        }),
        4 => Record::IpcRegister(IpcRegister {
            server_pid: pid(rng),
            service_id: sid(rng),
            service_name: rng.pick(&SERVICES),
        }),
        5 => Record::IpcDiscover(random_discover(rng)),
        6 => Record::IpcConnect(random_connect(rng)),
        7 => Record::IpcDisconnect(random_disconnect(rng)),
        8 => Record::IpcSend(random_message(rng)),
        9 => Record::IpcRecv(random_message(rng)),
        10 => Record::RpcCall(random_call(rng)),
        11 => Record::RpcReturn(random_return(rng)),
        12 => Record::MemGrant(random_region(rng)),
        13 => Record::MemRevoke(random_region(rng)),
        14 => Record::Upcall(random_upcall(rng)),
        15 => Record::NetUp(NetUp {
            iface_id: rng.below(4) as u8,
        }),
        16 => Record::NetDown(NetDown {
            iface_id: rng.below(4) as u8,
            reason: rng.pick(NetDownReason::ALL),
        }),
        17 => Record::NetTx(random_packet(rng, pool)),
        18 => Record::NetRx(NetPacket {
            pid: KERNEL_PID,
            ..random_packet(rng, pool)
        }),
        19 => Record::NetDrop(random_drop(rng, pool)),
        _ => Record::NetDeliver(NetDeliver {
            iface_id: rng.below(4) as u8,
            rx_seq: rng.next() as u32,
            pids: &PID_LIST[..rng.below(7) as usize],
        }),
    }
}

fn pid(rng: &mut Rng) -> u16 {
    if rng.below(10) == 0 {
        KERNEL_PID
    } else {
        rng.below(8) as u16
    }
}

fn sid(rng: &mut Rng) -> u16 {
    rng.below(16) as u16
}

fn random_fault(rng: &mut Rng) -> ProcFault {
    ProcFault {
        pid: pid(rng),
        reason: rng.pick(FaultReason::ALL),
        action: rng.pick(FaultAction::ALL),
        fault_addr: rng.next() as u32,
        pc: 0x8010_0000 | (rng.next() as u32 & 0xFFFE),
    }
}

fn random_discover(rng: &mut Rng) -> IpcDiscover<'static> {
    let result = rng.pick(DiscoverResult::ALL);
    let service_id = if result == DiscoverResult::NotFound {
        0xFFFF
    } else {
        sid(rng)
    };
    IpcDiscover {
        client_pid: pid(rng),
        service_id,
        result,
        service_name: rng.pick(&SERVICES),
    }
}

fn random_connect(rng: &mut Rng) -> IpcConnect {
    let bits = rng.below(4);
    IpcConnect {
        client_pid: pid(rng),
        service_id: sid(rng),
        conn_id: rng.below(64) as u16,
        buffers: rng.below(9) as u8,
        reliable: bits & 1 != 0,
        authenticated: bits & 2 != 0,
    }
}

fn random_disconnect(rng: &mut Rng) -> IpcDisconnect {
    IpcDisconnect {
        client_pid: pid(rng),
        service_id: sid(rng),
        conn_id: rng.below(64) as u16,
        reason: rng.pick(DisconnectReason::ALL),
    }
}

fn random_message(rng: &mut Rng) -> IpcMessage {
    IpcMessage {
        src_pid: pid(rng),
        dst_pid: pid(rng),
        service_id: sid(rng),
        conn_id: rng.below(64) as u16,
        msg_id: rng.next() as u32,
        len: rng.below(8192) as u32,
        mode: rng.pick(TransferMode::ALL),
    }
}

fn random_call(rng: &mut Rng) -> RpcCall {
    RpcCall {
        client_pid: pid(rng),
        server_pid: pid(rng),
        service_id: sid(rng),
        method: rng.below(32) as u16,
        call_id: rng.next() as u32,
        arg_len: rng.below(512) as u32,
    }
}

fn random_return(rng: &mut Rng) -> RpcReturn {
    let c = random_call(rng);
    RpcReturn {
        client_pid: c.client_pid,
        server_pid: c.server_pid,
        service_id: c.service_id,
        method: c.method,
        call_id: c.call_id,
        ret_len: c.arg_len,
        status: rng.below(14) as i32 - 13,
    }
}

fn random_region(rng: &mut Rng) -> MemRegion {
    let bits = rng.below(4);
    MemRegion {
        owner_pid: pid(rng),
        grantee_pid: pid(rng),
        addr: 0x8020_0000 + (rng.below(0x1000) as u32) * 64,
        len: 1 << rng.below(16),
        read: bits & 1 != 0,
        write: bits & 2 != 0,
    }
}

fn random_upcall(rng: &mut Rng) -> Upcall {
    Upcall {
        pid: pid(rng),
        driver_num: rng.pick(&[0x0, 0x1, 0x10000, 0x30001, 0x30007, 0xA0000]),
        subscribe_num: rng.below(4) as u32,
        arg0: rng.next() as u32,
        arg1: rng.next() as u32,
        arg2: rng.next() as u32,
    }
}

/// Mostly small frames, sometimes large ones that get truncated.
fn frame_len(rng: &mut Rng) -> usize {
    match rng.below(20) {
        0 => 2021 + rng.below(900) as usize,
        1..=3 => rng.below(1515) as usize,
        _ => 14 + rng.below(120) as usize,
    }
}

fn random_packet<'a>(rng: &mut Rng, pool: &'a [u8]) -> NetPacket<'a> {
    let len = frame_len(rng);
    NetPacket::whole(rng.below(4) as u8, pid(rng), &pool[..len])
}

fn random_drop<'a>(rng: &mut Rng, pool: &'a [u8]) -> NetDrop<'a> {
    let len = frame_len(rng);
    let kept = if rng.below(3) == 0 { 0 } else { len };
    NetDrop {
        iface_id: rng.below(4) as u8,
        direction: rng.pick(Direction::ALL),
        pid: pid(rng),
        reason: rng.pick(DropReason::ALL),
        orig_len: len as u32,
        data: &pool[..kept],
    }
}

fn body_ipc_send() -> Vec<u8> {
    let mut b = vec![1, 0, 2, 0, 3, 0, 7, 0];
    b.extend_from_slice(&42u32.to_le_bytes());
    b.extend_from_slice(&16u32.to_le_bytes());
    b.push(0);
    b
}

/// v2 frames with text and damage: a flipped CRC bit, a lost closing and a
/// lost opening delimiter, binary text that starts like a frame, an
/// oversize run, back-to-back frames, a v1 frame, and a prompt at the end.
pub fn mixed_damaged() -> Vec<u8> {
    let mut s = b"boot\r\n".to_vec();
    s.extend(frame_of(&hello(2048, &TWO_IFACES), 0, 100));
    s.extend(corrupted(frame_of(
        &Record::NetUp(NetUp { iface_id: 0 }),
        1,
        200,
    )));
    s.extend(b"text right after a corrupt frame\r\n");
    let mut lost_close = frame_of(&Record::NetUp(NetUp { iface_id: 1 }), 2, 300);
    *lost_close.last_mut().unwrap() = 0x55;
    s.extend(lost_close);
    s.extend(frame_of(&log(3, "after a lost closing delimiter"), 3, 400));
    let mut lost_open = frame_of(&log(4, "lost opening delimiter"), 4, 500);
    lost_open[0] = 0x55;
    s.extend(lost_open);
    s.extend(frame_of(&log(5, "back"), 5, 600));
    s.extend(frame_of(&log(6, "to back"), 6, 700));
    s.extend(b"\x00\x07\xc0\xc1abcd\x00");
    s.extend(raw_frame(1, 0x24, 0, 7, 800, &body_ipc_send()));
    s.extend([0x00, 0x05, 0xc0, 0xc1]);
    s.extend(std::iter::repeat_n(0x55, 2100));
    s.push(0);
    s.extend(frame_of(&log(7, "after oversize"), 7, 900));
    s.extend(raw_frame_v2(0x7F, 0, 8, 1000, &[1, 2, 3]));
    s.extend(raw_frame(2, 0x24, 0, 9, 1100, &body_ipc_send()));
    s.extend(frame_of(&log(8, "end"), 9, 1200));
    s.extend(b"tock$ ");
    s
}

fn log(_n: u32, text: &'static str) -> Record<'static> {
    Record::Log(Log {
        level: LogLevel::Info,
        text,
    })
}

fn log_body(level: u8, text: &[u8]) -> Vec<u8> {
    let mut b = vec![level];
    b.extend_from_slice(&(text.len() as u16).to_le_bytes());
    b.extend_from_slice(text);
    b
}

/// A complete HELLO body whose only interface claims a 9-byte address.
fn hello_body_with_addr_len_9() -> Vec<u8> {
    let mut b = vec![0x40, 0x42, 0x0f, 0x00, 0x00, 0x08, 0, 0, 1];
    b.extend_from_slice(&[0, 1, 1, 0, 0xdc, 0x05, 9, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
    b
}

fn frame_of(record: &Record<'_>, seq: u32, ticks: u64) -> Vec<u8> {
    let mut out = [0u8; MAX_WIRE_FRAME];
    let n = encode_frame(record, seq, ticks, &mut out).expect("encodes");
    out[..n].to_vec()
}

/// Flips one bit in a CRC byte (never creating a 0x00).
fn corrupted(mut frame: Vec<u8>) -> Vec<u8> {
    let i = frame.len() - 2;
    frame[i] ^= if frame[i] == 0x01 { 0x02 } else { 0x01 };
    frame
}

/// A NET_TX whose payload ends in a 254-byte zero-free run, encoded with the
/// non-canonical trailing `01` block that decoders must accept.
fn trailing_01_frame(seq: u32, ticks: u64) -> Vec<u8> {
    let data = [0xA5u8; 250];
    (ticks..)
        .map(|t| frame_of(&Record::NetTx(NetPacket::whole(0, 0x0101, &data)), seq, t))
        .find(|f| f.len() >= 256 && f[f.len() - 256] == 0xFF)
        .map(|mut f| {
            f.insert(f.len() - 1, 0x01);
            f
        })
        .expect("some tick value gives a zero-free tail")
}
