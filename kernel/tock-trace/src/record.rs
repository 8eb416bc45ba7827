//! Typed trace records (spec section 5). Records borrow their strings and
//! byte slices, so building one never allocates.

/// Declares a `u8`-valued wire enum with its JSON names (spec section 6).
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal => $json:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum $name {
            $($(#[$vmeta])* $variant = $value,)+
        }

        impl $name {
            /// Every value, in wire-value order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The value sent on the wire.
            pub const fn to_u8(self) -> u8 {
                self as u8
            }

            /// The value for a wire byte, `None` if the byte is not defined in v1.
            pub const fn from_u8(value: u8) -> Option<Self> {
                match value {
                    $($value => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The name used in the JSON Lines form.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $json,)+
                }
            }
        }
    };
}

wire_enum!(
    /// Record type byte (header offset 1).
    RecordType {
        /// Board, tick rate and interface table.
        Hello = 0x01 => "hello",
        /// Kernel log line.
        Log = 0x02 => "log",
        /// Records dropped on the device.
        Overflow = 0x03 => "overflow",
        /// A process started.
        ProcStart = 0x10 => "proc_start",
        /// A process faulted.
        ProcFault = 0x11 => "proc_fault",
        /// A process was restarted.
        ProcRestart = 0x12 => "proc_restart",
        /// A server registered an IPC service.
        IpcRegister = 0x20 => "ipc_register",
        /// A client looked up a service.
        IpcDiscover = 0x21 => "ipc_discover",
        /// A client connected to a service.
        IpcConnect = 0x22 => "ipc_connect",
        /// A connection closed.
        IpcDisconnect = 0x23 => "ipc_disconnect",
        /// An IPC message was sent.
        IpcSend = 0x24 => "ipc_send",
        /// An IPC message was received.
        IpcRecv = 0x25 => "ipc_recv",
        /// An RPC call started.
        RpcCall = 0x26 => "rpc_call",
        /// An RPC call returned.
        RpcReturn = 0x27 => "rpc_return",
        /// Memory was shared with another process.
        MemGrant = 0x28 => "mem_grant",
        /// Shared memory was taken back.
        MemRevoke = 0x29 => "mem_revoke",
        /// The kernel scheduled an upcall.
        Upcall = 0x2A => "upcall",
        /// A network interface came up.
        NetUp = 0x40 => "net_up",
        /// A network interface went down.
        NetDown = 0x41 => "net_down",
        /// A frame was transmitted.
        NetTx = 0x42 => "net_tx",
        /// A frame was received.
        NetRx = 0x43 => "net_rx",
        /// A frame was dropped.
        NetDrop = 0x44 => "net_drop",
        /// A received frame was delivered to processes.
        NetDeliver = 0x45 => "net_deliver",
    }
);

wire_enum!(
    /// Kind of network interface (HELLO interface table).
    IfaceKind {
        /// Ethernet.
        Ethernet = 1 => "ethernet",
        /// IEEE 802.15.4.
        Ieee802154 = 2 => "ieee802154",
        /// WiFi.
        Wifi = 3 => "wifi",
        /// CAN bus.
        Can = 4 => "can",
        /// Bluetooth Low Energy.
        Ble = 5 => "ble",
    }
);

wire_enum!(
    /// LOG severity.
    LogLevel {
        /// Error.
        Error = 0 => "error",
        /// Warning.
        Warn = 1 => "warn",
        /// Information.
        Info = 2 => "info",
        /// Debug.
        Debug = 3 => "debug",
    }
);

wire_enum!(
    /// Why a process faulted.
    FaultReason {
        /// MPU or PMP access violation.
        MpuViolation = 0 => "mpu_violation",
        /// The process panicked.
        Panic = 1 => "panic",
        /// Invalid system call.
        BadSyscall = 2 => "bad_syscall",
        /// Stack overflow.
        StackOverflow = 3 => "stack_overflow",
        /// Anything else.
        Other = 4 => "other",
    }
);

wire_enum!(
    /// What the kernel did about a fault.
    FaultAction {
        /// The process is restarted.
        Restart = 0 => "restart",
        /// The process is stopped.
        Stop = 1 => "stop",
        /// The kernel panics.
        PanicKernel = 2 => "panic_kernel",
    }
);

wire_enum!(
    /// Outcome of a service lookup.
    DiscoverResult {
        /// Found.
        Ok = 0 => "ok",
        /// No such service.
        NotFound = 1 => "not_found",
        /// The client may not use the service.
        Denied = 2 => "denied",
    }
);

wire_enum!(
    /// Why an IPC connection ended.
    DisconnectReason {
        /// Closed normally.
        Closed = 0 => "closed",
        /// The client faulted.
        ClientFault = 1 => "client_fault",
        /// The server faulted.
        ServerFault = 2 => "server_fault",
        /// The server restarted.
        ServerRestart = 3 => "server_restart",
    }
);

wire_enum!(
    /// How an IPC message was transferred.
    TransferMode {
        /// Copied between process memories.
        Copy = 0 => "copy",
        /// Passed through shared memory.
        Shared = 1 => "shared",
    }
);

wire_enum!(
    /// Why an interface went down.
    NetDownReason {
        /// Administratively.
        Admin = 0 => "admin",
        /// Link lost.
        LinkLost = 1 => "link_lost",
        /// Driver or hardware error.
        Error = 2 => "error",
    }
);

wire_enum!(
    /// Direction of a dropped frame.
    Direction {
        /// Receive path.
        Rx = 0 => "rx",
        /// Transmit path.
        Tx = 1 => "tx",
    }
);

wire_enum!(
    /// Why a frame was dropped.
    DropReason {
        /// A queue was full.
        QueueFull = 0 => "queue_full",
        /// No process wanted it.
        NoReceiver = 1 => "no_receiver",
        /// A filter rejected it.
        Filtered = 2 => "filtered",
        /// Bad frame check sequence.
        BadFcs = 3 => "bad_fcs",
        /// Larger than the interface MTU.
        TooBig = 4 => "too_big",
        /// Rate limit hit.
        RateLimited = 5 => "rate_limited",
        /// The interface is down.
        InterfaceDown = 6 => "interface_down",
    }
);

/// A link-layer address of 0, 6 or 8 bytes, stored in 8 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkAddr {
    len: u8,
    bytes: [u8; 8],
}

impl LinkAddr {
    /// No address (`addr_len` 0).
    pub const fn none() -> Self {
        LinkAddr {
            len: 0,
            bytes: [0; 8],
        }
    }

    /// A 6-byte MAC-48 address.
    pub const fn mac48(mac: [u8; 6]) -> Self {
        let [a, b, c, d, e, f] = mac;
        LinkAddr {
            len: 6,
            bytes: [a, b, c, d, e, f, 0, 0],
        }
    }

    /// An 8-byte EUI-64 address.
    pub const fn eui64(eui: [u8; 8]) -> Self {
        LinkAddr { len: 8, bytes: eui }
    }

    /// `addr_len` on the wire.
    pub const fn len(&self) -> u8 {
        self.len
    }

    /// True for `LinkAddr::none()`.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The 8 address bytes as sent (zero-padded).
    pub const fn padded(&self) -> [u8; 8] {
        self.bytes
    }
}

/// One entry of the HELLO interface table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interface<'a> {
    /// Id used by NET_* records.
    pub iface_id: u8,
    /// Interface kind.
    pub kind: IfaceKind,
    /// pcap LINKTYPE of its frames (1, 230, 105, 227, 251, ...).
    pub linktype: u16,
    /// Largest frame in bytes.
    pub mtu: u16,
    /// Link-layer address.
    pub addr: LinkAddr,
    /// Interface name, at most 64 bytes are sent.
    pub name: &'a str,
}

/// HELLO: announces the board, tick rate and interfaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hello<'a> {
    /// Tick rate in Hz (0 = unknown).
    pub tick_hz: u32,
    /// Largest payload the device sends (at most 2048).
    pub max_payload: u16,
    /// Board name, at most 64 bytes are sent.
    pub board: &'a str,
    /// Kernel version, at most 64 bytes are sent.
    pub kernel_version: &'a str,
    /// Interface table, at most 255 entries.
    pub interfaces: &'a [Interface<'a>],
}

/// LOG: a text line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Log<'a> {
    /// Severity.
    pub level: LogLevel,
    /// Text, at most 512 bytes are sent.
    pub text: &'a str,
}

/// OVERFLOW: records dropped on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Overflow {
    /// Dropped since the previous OVERFLOW.
    pub dropped: u32,
    /// Dropped since boot (wraps).
    pub total_dropped: u32,
}

/// PROC_START.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcStart<'a> {
    /// Process id.
    pub pid: u16,
    /// 0 on first start.
    pub restart_count: u16,
    /// Process name, at most 64 bytes are sent.
    pub name: &'a str,
}

/// PROC_FAULT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcFault {
    /// Process id.
    pub pid: u16,
    /// Cause.
    pub reason: FaultReason,
    /// Kernel reaction.
    pub action: FaultAction,
    /// Faulting data address, 0 if none.
    pub fault_addr: u32,
    /// Program counter.
    pub pc: u32,
}

/// PROC_RESTART.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcRestart {
    /// Process id.
    pub pid: u16,
    /// Count after this restart.
    pub restart_count: u16,
}

/// IPC_REGISTER.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpcRegister<'a> {
    /// Server process.
    pub server_pid: u16,
    /// Kernel-assigned service id.
    pub service_id: u16,
    /// Service name, at most 20 bytes are sent.
    pub service_name: &'a str,
}

/// IPC_DISCOVER.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpcDiscover<'a> {
    /// Client process.
    pub client_pid: u16,
    /// Service id, 0xFFFF if not found.
    pub service_id: u16,
    /// Outcome.
    pub result: DiscoverResult,
    /// Name looked up, at most 20 bytes are sent.
    pub service_name: &'a str,
}

/// IPC_CONNECT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpcConnect {
    /// Client process.
    pub client_pid: u16,
    /// Service id.
    pub service_id: u16,
    /// Connection id.
    pub conn_id: u16,
    /// Buffers in the connection.
    pub buffers: u8,
    /// Flag bit 0: client opted into reliability.
    pub reliable: bool,
    /// Flag bit 1: connection is authenticated.
    pub authenticated: bool,
}

/// IPC_DISCONNECT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpcDisconnect {
    /// Client process.
    pub client_pid: u16,
    /// Service id.
    pub service_id: u16,
    /// Connection id.
    pub conn_id: u16,
    /// Why it ended.
    pub reason: DisconnectReason,
}

/// IPC_SEND / IPC_RECV body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpcMessage {
    /// Sender.
    pub src_pid: u16,
    /// Receiver.
    pub dst_pid: u16,
    /// Service id.
    pub service_id: u16,
    /// Connection id.
    pub conn_id: u16,
    /// Pairs a send with its receive.
    pub msg_id: u32,
    /// Message size in bytes.
    pub len: u32,
    /// Copy or shared memory.
    pub mode: TransferMode,
}

/// RPC_CALL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RpcCall {
    /// Caller.
    pub client_pid: u16,
    /// Callee.
    pub server_pid: u16,
    /// Service id.
    pub service_id: u16,
    /// Method number.
    pub method: u16,
    /// Pairs call and return.
    pub call_id: u32,
    /// Argument bytes.
    pub arg_len: u32,
}

/// RPC_RETURN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RpcReturn {
    /// Caller.
    pub client_pid: u16,
    /// Callee.
    pub server_pid: u16,
    /// Service id.
    pub service_id: u16,
    /// Method number.
    pub method: u16,
    /// Pairs call and return.
    pub call_id: u32,
    /// Result bytes.
    pub ret_len: u32,
    /// 0 success, negative Tock ErrorCode.
    pub status: i32,
}

/// MEM_GRANT / MEM_REVOKE body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemRegion {
    /// Process owning the memory.
    pub owner_pid: u16,
    /// Process given access.
    pub grantee_pid: u16,
    /// Region start.
    pub addr: u32,
    /// Region length.
    pub len: u32,
    /// Access bit 0.
    pub read: bool,
    /// Access bit 1.
    pub write: bool,
}

/// UPCALL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Upcall {
    /// Receiving process.
    pub pid: u16,
    /// Driver number.
    pub driver_num: u32,
    /// Subscribe number.
    pub subscribe_num: u32,
    /// First argument.
    pub arg0: u32,
    /// Second argument.
    pub arg1: u32,
    /// Third argument.
    pub arg2: u32,
}

/// NET_UP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetUp {
    /// Interface.
    pub iface_id: u8,
}

/// NET_DOWN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetDown {
    /// Interface.
    pub iface_id: u8,
    /// Why.
    pub reason: NetDownReason,
}

/// NET_TX / NET_RX body. `data` longer than fits is truncated on encoding
/// (TRUNCATED flag set, `orig_len` kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetPacket<'a> {
    /// Interface.
    pub iface_id: u8,
    /// Sending process (TX) or 0xFFFF (RX).
    pub pid: u16,
    /// Length of the frame on the medium.
    pub orig_len: u32,
    /// Frame bytes without FCS; only the first `orig_len` are ever sent.
    pub data: &'a [u8],
}

impl<'a> NetPacket<'a> {
    /// A packet record carrying the whole `frame` (`orig_len = frame.len()`).
    pub fn whole(iface_id: u8, pid: u16, frame: &'a [u8]) -> Self {
        let orig_len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
        NetPacket {
            iface_id,
            pid,
            orig_len,
            data: frame,
        }
    }
}

/// NET_DROP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetDrop<'a> {
    /// Interface.
    pub iface_id: u8,
    /// Receive or transmit path.
    pub direction: Direction,
    /// Process concerned, 0xFFFF if none.
    pub pid: u16,
    /// Why.
    pub reason: DropReason,
    /// Length of the frame.
    pub orig_len: u32,
    /// Frame bytes, may be empty.
    pub data: &'a [u8],
}

/// NET_DELIVER.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetDeliver<'a> {
    /// Interface.
    pub iface_id: u8,
    /// Seq of the NET_RX record of the frame.
    pub rx_seq: u32,
    /// Receiving processes, at most 255.
    pub pids: &'a [u16],
}

/// One trace record of any type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record<'a> {
    /// 0x01.
    Hello(Hello<'a>),
    /// 0x02.
    Log(Log<'a>),
    /// 0x03.
    Overflow(Overflow),
    /// 0x10.
    ProcStart(ProcStart<'a>),
    /// 0x11.
    ProcFault(ProcFault),
    /// 0x12.
    ProcRestart(ProcRestart),
    /// 0x20.
    IpcRegister(IpcRegister<'a>),
    /// 0x21.
    IpcDiscover(IpcDiscover<'a>),
    /// 0x22.
    IpcConnect(IpcConnect),
    /// 0x23.
    IpcDisconnect(IpcDisconnect),
    /// 0x24.
    IpcSend(IpcMessage),
    /// 0x25.
    IpcRecv(IpcMessage),
    /// 0x26.
    RpcCall(RpcCall),
    /// 0x27.
    RpcReturn(RpcReturn),
    /// 0x28.
    MemGrant(MemRegion),
    /// 0x29.
    MemRevoke(MemRegion),
    /// 0x2A.
    Upcall(Upcall),
    /// 0x40.
    NetUp(NetUp),
    /// 0x41.
    NetDown(NetDown),
    /// 0x42.
    NetTx(NetPacket<'a>),
    /// 0x43.
    NetRx(NetPacket<'a>),
    /// 0x44.
    NetDrop(NetDrop<'a>),
    /// 0x45.
    NetDeliver(NetDeliver<'a>),
}

impl Record<'_> {
    /// The record type byte for this record.
    pub const fn record_type(&self) -> RecordType {
        match self {
            Record::Hello(_) => RecordType::Hello,
            Record::Log(_) => RecordType::Log,
            Record::Overflow(_) => RecordType::Overflow,
            Record::ProcStart(_) => RecordType::ProcStart,
            Record::ProcFault(_) => RecordType::ProcFault,
            Record::ProcRestart(_) => RecordType::ProcRestart,
            Record::IpcRegister(_) => RecordType::IpcRegister,
            Record::IpcDiscover(_) => RecordType::IpcDiscover,
            Record::IpcConnect(_) => RecordType::IpcConnect,
            Record::IpcDisconnect(_) => RecordType::IpcDisconnect,
            Record::IpcSend(_) => RecordType::IpcSend,
            Record::IpcRecv(_) => RecordType::IpcRecv,
            Record::RpcCall(_) => RecordType::RpcCall,
            Record::RpcReturn(_) => RecordType::RpcReturn,
            Record::MemGrant(_) => RecordType::MemGrant,
            Record::MemRevoke(_) => RecordType::MemRevoke,
            Record::Upcall(_) => RecordType::Upcall,
            Record::NetUp(_) => RecordType::NetUp,
            Record::NetDown(_) => RecordType::NetDown,
            Record::NetTx(_) => RecordType::NetTx,
            Record::NetRx(_) => RecordType::NetRx,
            Record::NetDrop(_) => RecordType::NetDrop,
            Record::NetDeliver(_) => RecordType::NetDeliver,
        }
    }
}
