//! Record layouts of spec section 5, written independently of the crate's
//! encoder, and the JSON mapping of section 6. Decodes bodies to JSON members
//! and encodes JSON members back to bodies.

use super::json::Value;

/// One wire field and its JSON form.
pub enum Field {
    U8(&'static str),
    U16(&'static str),
    U32(&'static str),
    U64(&'static str),
    I32(&'static str),
    /// `u8` length + UTF-8.
    Str8(&'static str),
    /// `u16` length + UTF-8 (LOG text).
    Text16(&'static str),
    /// `u8` enum printed by name (numbers for unlisted values).
    Enum(&'static str, &'static [(u8, &'static str)]),
    /// `u8` of flag bits printed as named booleans.
    Bits(&'static [(u8, &'static str)]),
    /// HELLO interface address: `u8` addr_len + 8 bytes → "aa:bb:..".
    Addr,
    /// `u8` count then that many objects.
    List(&'static str, &'static [Field]),
    /// `u8` count then that many `u16`.
    Pids(&'static str),
    /// Header TRUNCATED flag as "truncated", rest of body as hex "data".
    Data,
}

use Field::*;

/// A record type: code, JSON name and body layout.
pub struct RecordSpec {
    pub code: u8,
    pub name: &'static str,
    pub fields: &'static [Field],
}

const KIND: &[(u8, &str)] = &[
    (1, "ethernet"),
    (2, "ieee802154"),
    (3, "wifi"),
    (4, "can"),
    (5, "ble"),
];
const LEVEL: &[(u8, &str)] = &[(0, "error"), (1, "warn"), (2, "info"), (3, "debug")];
const FAULT: &[(u8, &str)] = &[
    (0, "mpu_violation"),
    (1, "panic"),
    (2, "bad_syscall"),
    (3, "stack_overflow"),
    (4, "other"),
];
const ACTION: &[(u8, &str)] = &[(0, "restart"), (1, "stop"), (2, "panic_kernel")];
const RESULT: &[(u8, &str)] = &[(0, "ok"), (1, "not_found"), (2, "denied")];
const DISC: &[(u8, &str)] = &[
    (0, "closed"),
    (1, "client_fault"),
    (2, "server_fault"),
    (3, "server_restart"),
];
const MODE: &[(u8, &str)] = &[(0, "copy"), (1, "shared")];
const DOWN: &[(u8, &str)] = &[(0, "admin"), (1, "link_lost"), (2, "error")];
const DIR: &[(u8, &str)] = &[(0, "rx"), (1, "tx")];
const DROP: &[(u8, &str)] = &[
    (0, "queue_full"),
    (1, "no_receiver"),
    (2, "filtered"),
    (3, "bad_fcs"),
    (4, "too_big"),
    (5, "rate_limited"),
    (6, "interface_down"),
];
const CONN_FLAGS: &[(u8, &str)] = &[(1, "reliable"), (2, "authenticated")];
const ACCESS: &[(u8, &str)] = &[(1, "read"), (2, "write")];

const IFACE: &[Field] = &[
    U8("iface_id"),
    Enum("kind", KIND),
    U16("linktype"),
    U16("mtu"),
    Addr,
    Str8("name"),
];
const IPC_MSG: &[Field] = &[
    U16("src_pid"),
    U16("dst_pid"),
    U16("service_id"),
    U16("conn_id"),
    U32("msg_id"),
    U32("len"),
    Enum("mode", MODE),
];
const MEM: &[Field] = &[
    U16("owner_pid"),
    U16("grantee_pid"),
    U32("addr"),
    U32("len"),
    Bits(ACCESS),
];
const PACKET: &[Field] = &[U8("iface_id"), U16("pid"), U32("orig_len"), Data];

/// Every v1 record type in table order (spec section 5).
pub const RECORDS: &[RecordSpec] = &[
    RecordSpec {
        code: 0x01,
        name: "hello",
        fields: &[
            U32("tick_hz"),
            U16("max_payload"),
            Str8("board"),
            Str8("kernel_version"),
            List("interfaces", IFACE),
        ],
    },
    RecordSpec {
        code: 0x02,
        name: "log",
        fields: &[Enum("level", LEVEL), Text16("text")],
    },
    RecordSpec {
        code: 0x03,
        name: "overflow",
        fields: &[U32("dropped"), U32("total_dropped")],
    },
    RecordSpec {
        code: 0x10,
        name: "proc_start",
        fields: &[U16("pid"), U16("restart_count"), Str8("name")],
    },
    RecordSpec {
        code: 0x11,
        name: "proc_fault",
        fields: &[
            U16("pid"),
            Enum("reason", FAULT),
            Enum("action", ACTION),
            U32("fault_addr"),
            U32("pc"),
        ],
    },
    RecordSpec {
        code: 0x12,
        name: "proc_restart",
        fields: &[U16("pid"), U16("restart_count")],
    },
    RecordSpec {
        code: 0x20,
        name: "ipc_register",
        fields: &[U16("server_pid"), U16("service_id"), Str8("service_name")],
    },
    RecordSpec {
        code: 0x21,
        name: "ipc_discover",
        fields: &[
            U16("client_pid"),
            U16("service_id"),
            Enum("result", RESULT),
            Str8("service_name"),
        ],
    },
    RecordSpec {
        code: 0x22,
        name: "ipc_connect",
        fields: &[
            U16("client_pid"),
            U16("service_id"),
            U16("conn_id"),
            U8("buffers"),
            Bits(CONN_FLAGS),
        ],
    },
    RecordSpec {
        code: 0x23,
        name: "ipc_disconnect",
        fields: &[
            U16("client_pid"),
            U16("service_id"),
            U16("conn_id"),
            Enum("reason", DISC),
        ],
    },
    RecordSpec {
        code: 0x24,
        name: "ipc_send",
        fields: IPC_MSG,
    },
    RecordSpec {
        code: 0x25,
        name: "ipc_recv",
        fields: IPC_MSG,
    },
    RecordSpec {
        code: 0x26,
        name: "rpc_call",
        fields: &[
            U16("client_pid"),
            U16("server_pid"),
            U16("service_id"),
            U16("method"),
            U32("call_id"),
            U32("arg_len"),
        ],
    },
    RecordSpec {
        code: 0x27,
        name: "rpc_return",
        fields: &[
            U16("client_pid"),
            U16("server_pid"),
            U16("service_id"),
            U16("method"),
            U32("call_id"),
            U32("ret_len"),
            I32("status"),
        ],
    },
    RecordSpec {
        code: 0x28,
        name: "mem_grant",
        fields: MEM,
    },
    RecordSpec {
        code: 0x29,
        name: "mem_revoke",
        fields: MEM,
    },
    RecordSpec {
        code: 0x2A,
        name: "upcall",
        fields: &[
            U16("pid"),
            U32("driver_num"),
            U32("subscribe_num"),
            U32("arg0"),
            U32("arg1"),
            U32("arg2"),
        ],
    },
    RecordSpec {
        code: 0x40,
        name: "net_up",
        fields: &[U8("iface_id")],
    },
    RecordSpec {
        code: 0x41,
        name: "net_down",
        fields: &[U8("iface_id"), Enum("reason", DOWN)],
    },
    RecordSpec {
        code: 0x42,
        name: "net_tx",
        fields: PACKET,
    },
    RecordSpec {
        code: 0x43,
        name: "net_rx",
        fields: PACKET,
    },
    RecordSpec {
        code: 0x44,
        name: "net_drop",
        fields: &[
            U8("iface_id"),
            Enum("direction", DIR),
            U16("pid"),
            Enum("reason", DROP),
            U32("orig_len"),
            Data,
        ],
    },
    RecordSpec {
        code: 0x45,
        name: "net_deliver",
        fields: &[U8("iface_id"), U32("rx_seq"), Pids("pids")],
    },
];

pub fn by_code(code: u8) -> Option<&'static RecordSpec> {
    RECORDS.iter().find(|r| r.code == code)
}

pub fn by_name(name: &str) -> Option<&'static RecordSpec> {
    RECORDS.iter().find(|r| r.name == name)
}

/// The body ended before a field (spec: "malformed").
#[derive(Debug, PartialEq)]
pub struct Malformed;

/// Bounds-checked consuming reader over a body.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        if self.rest.len() < n {
            return Err(Malformed);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }

    fn uint(&mut self, n: usize) -> Result<u64, Malformed> {
        let bytes = self.take(n)?;
        Ok(bytes
            .iter()
            .rev()
            .fold(0u64, |acc, &b| acc << 8 | u64::from(b)))
    }
}

/// Decodes `body` into JSON members (after seq/ticks/type).
pub fn decode_body(
    spec: &RecordSpec,
    flags: u16,
    body: &[u8],
) -> Result<Vec<(String, Value)>, Malformed> {
    let mut reader = Reader { rest: body };
    let mut out = Vec::new();
    for field in spec.fields {
        decode_field(field, flags, &mut reader, &mut out)?;
    }
    Ok(out)
}

fn member(out: &mut Vec<(String, Value)>, key: &str, v: Value) {
    out.push((key.to_string(), v));
}

fn decode_field(
    field: &Field,
    flags: u16,
    r: &mut Reader<'_>,
    out: &mut Vec<(String, Value)>,
) -> Result<(), Malformed> {
    match field {
        U8(k) => member(out, k, Value::Int(r.uint(1)?.into())),
        U16(k) => member(out, k, Value::Int(r.uint(2)?.into())),
        U32(k) => member(out, k, Value::Int(r.uint(4)?.into())),
        U64(k) => member(out, k, Value::Int(r.uint(8)?.into())),
        I32(k) => member(out, k, Value::Int((r.uint(4)? as u32 as i32).into())),
        Str8(k) => {
            let n = r.uint(1)? as usize;
            member(out, k, lossy(r.take(n)?))
        }
        Text16(k) => {
            let n = r.uint(2)? as usize;
            member(out, k, lossy(r.take(n)?))
        }
        Enum(k, names) => member(out, k, enum_value(names, r.uint(1)? as u8)),
        Bits(names) => decode_bits(names, r.uint(1)? as u8, out),
        Addr => member(out, "addr", decode_addr(r)?),
        List(k, item) => member(out, k, decode_list(item, flags, r)?),
        Pids(k) => member(out, k, decode_pids(r)?),
        Data => {
            member(out, "truncated", Value::Bool(flags & 1 != 0));
            member(out, "data", Value::Str(hex(r.take(r.rest.len())?)));
        }
    }
    Ok(())
}

fn lossy(bytes: &[u8]) -> Value {
    Value::Str(String::from_utf8_lossy(bytes).into_owned())
}

fn enum_value(names: &[(u8, &str)], v: u8) -> Value {
    match names.iter().find(|(n, _)| *n == v) {
        Some((_, name)) => Value::Str(name.to_string()),
        None => Value::Int(v.into()),
    }
}

fn decode_bits(names: &[(u8, &str)], v: u8, out: &mut Vec<(String, Value)>) {
    for (mask, name) in names {
        member(out, name, Value::Bool(v & mask != 0));
    }
}

fn decode_addr(r: &mut Reader<'_>) -> Result<Value, Malformed> {
    let len = r.uint(1)? as usize;
    let bytes = r.take(8)?;
    let used = bytes.get(..len).ok_or(Malformed)?;
    let parts: Vec<String> = used.iter().map(|b| format!("{b:02x}")).collect();
    Ok(Value::Str(parts.join(":")))
}

fn decode_list(item: &[Field], flags: u16, r: &mut Reader<'_>) -> Result<Value, Malformed> {
    let n = r.uint(1)?;
    let mut items = Vec::new();
    for _ in 0..n {
        let mut members = Vec::new();
        for field in item {
            decode_field(field, flags, r, &mut members)?;
        }
        items.push(Value::Obj(members));
    }
    Ok(Value::Arr(items))
}

fn decode_pids(r: &mut Reader<'_>) -> Result<Value, Malformed> {
    let n = r.uint(1)?;
    let pids: Result<Vec<Value>, Malformed> =
        (0..n).map(|_| Ok(Value::Int(r.uint(2)?.into()))).collect();
    Ok(Value::Arr(pids?))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) {
        return Err(format!("odd-length hex {text:?}"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|e| format!("hex: {e}")))
        .collect()
}

/// Encodes the members of a JSON record into (flags, body).
pub fn encode_body(spec: &RecordSpec, obj: &Value) -> Result<(u16, Vec<u8>), String> {
    let mut body = Vec::new();
    let mut flags = 0u16;
    for field in spec.fields {
        encode_field(field, obj, &mut body, &mut flags)?;
    }
    Ok((flags, body))
}

fn int(obj: &Value, key: &str) -> Result<i128, String> {
    obj.get(key)
        .and_then(Value::as_int)
        .ok_or_else(|| format!("missing integer {key:?}"))
}

fn string<'a>(obj: &'a Value, key: &str) -> Result<&'a str, String> {
    obj.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("missing string {key:?}"))
}

fn put_uint(body: &mut Vec<u8>, v: i128, n: usize) -> Result<(), String> {
    let max = (1i128 << (8 * n)) - 1;
    if !(0..=max).contains(&v) {
        return Err(format!("{v} does not fit in {n} bytes"));
    }
    body.extend_from_slice(&(v as u64).to_le_bytes()[..n]);
    Ok(())
}

fn encode_field(f: &Field, obj: &Value, body: &mut Vec<u8>, flags: &mut u16) -> Result<(), String> {
    match f {
        U8(k) => put_uint(body, int(obj, k)?, 1),
        U16(k) => put_uint(body, int(obj, k)?, 2),
        U32(k) => put_uint(body, int(obj, k)?, 4),
        U64(k) => put_uint(body, int(obj, k)?, 8),
        I32(k) => put_i32(body, int(obj, k)?),
        Str8(k) => put_len_bytes(body, string(obj, k)?.as_bytes(), 1),
        Text16(k) => put_len_bytes(body, string(obj, k)?.as_bytes(), 2),
        Enum(k, names) => put_uint(body, enum_number(names, obj.get(k), k)?, 1),
        Bits(names) => encode_bits(names, obj, body),
        Addr => encode_addr(string(obj, "addr")?, body),
        List(k, item) => encode_list(item, obj.get(k), body, flags),
        Pids(k) => encode_pids(obj.get(k), body),
        Data => encode_data(obj, body, flags),
    }
}

fn put_i32(body: &mut Vec<u8>, v: i128) -> Result<(), String> {
    let v = i32::try_from(v).map_err(|_| format!("{v} is not an i32"))?;
    body.extend_from_slice(&v.to_le_bytes());
    Ok(())
}

fn put_len_bytes(body: &mut Vec<u8>, bytes: &[u8], n: usize) -> Result<(), String> {
    put_uint(body, bytes.len() as i128, n)?;
    body.extend_from_slice(bytes);
    Ok(())
}

fn enum_number(names: &[(u8, &str)], v: Option<&Value>, key: &str) -> Result<i128, String> {
    match v {
        Some(Value::Int(i)) => Ok(*i),
        Some(Value::Str(s)) => names
            .iter()
            .find(|(_, n)| n == s)
            .map(|(v, _)| i128::from(*v))
            .ok_or_else(|| format!("unknown {key} {s:?}")),
        _ => Err(format!("missing enum {key:?}")),
    }
}

fn encode_bits(names: &[(u8, &str)], obj: &Value, body: &mut Vec<u8>) -> Result<(), String> {
    let mut v = 0u8;
    for (mask, name) in names {
        let set = obj
            .get(name)
            .and_then(Value::as_bool)
            .ok_or(format!("missing flag {name:?}"))?;
        if set {
            v |= mask;
        }
    }
    body.push(v);
    Ok(())
}

fn encode_addr(text: &str, body: &mut Vec<u8>) -> Result<(), String> {
    let bytes = if text.is_empty() {
        Vec::new()
    } else {
        unhex(&text.replace(':', ""))?
    };
    if bytes.len() > 8 {
        return Err(format!("address {text:?} longer than 8 bytes"));
    }
    body.push(bytes.len() as u8);
    body.extend_from_slice(&bytes);
    body.resize(body.len() + 8 - bytes.len(), 0);
    Ok(())
}

fn encode_list(
    item: &[Field],
    v: Option<&Value>,
    body: &mut Vec<u8>,
    flags: &mut u16,
) -> Result<(), String> {
    let items = v.and_then(Value::as_arr).ok_or("missing list")?;
    put_uint(body, items.len() as i128, 1)?;
    for obj in items {
        for field in item {
            encode_field(field, obj, body, flags)?;
        }
    }
    Ok(())
}

fn encode_pids(v: Option<&Value>, body: &mut Vec<u8>) -> Result<(), String> {
    let pids = v.and_then(Value::as_arr).ok_or("missing pids")?;
    put_uint(body, pids.len() as i128, 1)?;
    for pid in pids {
        put_uint(body, pid.as_int().ok_or("pid is not an integer")?, 2)?;
    }
    Ok(())
}

fn encode_data(obj: &Value, body: &mut Vec<u8>, flags: &mut u16) -> Result<(), String> {
    if obj
        .get("truncated")
        .and_then(Value::as_bool)
        .ok_or("missing truncated")?
    {
        *flags |= 1;
    }
    body.extend_from_slice(&unhex(string(obj, "data")?)?);
    Ok(())
}
