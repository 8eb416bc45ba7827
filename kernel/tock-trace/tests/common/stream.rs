//! Host-side stream decoder implementing spec section 4.2, and a host-side
//! frame encoder driven by the JSON form (used to re-encode golden JSONL).

use super::json::Value;
use super::schema::{self, RECORDS};
use tock_trace::{cobs_decode, cobs_encode, crc32c, max_encoded_len};

const MAX_PAYLOAD: usize = 2048;
const MAX_ENCODED: usize = 2048 + 9 + 1;

/// Loss and error counters, spec section 4.2 / 8.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counters {
    pub records: u64,
    pub by_type: Vec<u64>,
    pub gap: u64,
    pub corrupt: u64,
    pub oversize: u64,
    pub malformed: u64,
    pub unknown_type: u64,
    pub other_version: u64,
    pub device_dropped: u64,
    pub seq_reset: u64,
}

impl Counters {
    fn new() -> Self {
        Counters {
            by_type: vec![0; RECORDS.len()],
            ..Default::default()
        }
    }

    /// The `*.expect.json` object, keys in spec order.
    pub fn to_json(&self) -> Value {
        let by_type = RECORDS
            .iter()
            .zip(&self.by_type)
            .map(|(r, n)| (r.name.to_string(), Value::Int((*n).into())))
            .collect();
        let n = |v: u64| Value::Int(v.into());
        Value::Obj(vec![
            ("records".into(), n(self.records)),
            ("by_type".into(), Value::Obj(by_type)),
            ("gap".into(), n(self.gap)),
            ("corrupt".into(), n(self.corrupt)),
            ("oversize".into(), n(self.oversize)),
            ("malformed".into(), n(self.malformed)),
            ("unknown_type".into(), n(self.unknown_type)),
            ("other_version".into(), n(self.other_version)),
            ("device_dropped".into(), n(self.device_dropped)),
            ("seq_reset".into(), n(self.seq_reset)),
        ])
    }
}

/// Incremental decoder: feed bytes, collect JSON records.
pub struct StreamDecoder {
    buf: Vec<u8>,
    discarding: bool,
    last_seq: Option<u32>,
    pub counters: Counters,
}

impl StreamDecoder {
    pub fn new() -> Self {
        StreamDecoder {
            buf: Vec::new(),
            discarding: false,
            last_seq: None,
            counters: Counters::new(),
        }
    }

    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Value>) {
        for &b in bytes {
            self.byte(b, out);
        }
    }

    /// End of input: bytes after the last delimiter are a corrupt frame.
    pub fn finish(&mut self) {
        if !self.buf.is_empty() && !self.discarding {
            self.counters.corrupt += 1;
        }
        self.buf.clear();
    }

    fn byte(&mut self, b: u8, out: &mut Vec<Value>) {
        if b == 0 {
            let frame = std::mem::take(&mut self.buf);
            if !self.discarding && !frame.is_empty() {
                self.frame(&frame, out);
            }
            self.discarding = false;
        } else if !self.discarding {
            self.buf.push(b);
            if self.buf.len() > MAX_ENCODED {
                self.counters.oversize += 1;
                self.buf.clear();
                self.discarding = true;
            }
        }
    }

    fn frame(&mut self, encoded: &[u8], out: &mut Vec<Value>) {
        match payload(encoded) {
            Some(p) => self.payload(&p, out),
            None => self.counters.corrupt += 1,
        }
    }

    fn payload(&mut self, p: &[u8], out: &mut Vec<Value>) {
        if p[0] != 1 {
            self.counters.other_version += 1;
            return;
        }
        let seq = u32::from_le_bytes(p[4..8].try_into().unwrap());
        self.track_seq(seq);
        match decode_record(p) {
            Decoded::Record(v) => self.emit(v, out),
            Decoded::Unknown => self.counters.unknown_type += 1,
            Decoded::Malformed => self.counters.malformed += 1,
        }
    }

    fn track_seq(&mut self, seq: u32) {
        if let Some(last) = self.last_seq {
            let d = seq.wrapping_sub(last.wrapping_add(1));
            if d < 1 << 31 {
                self.counters.gap += u64::from(d);
            } else {
                self.counters.seq_reset += 1;
            }
        }
        self.last_seq = Some(seq);
    }

    fn emit(&mut self, v: Value, out: &mut Vec<Value>) {
        let name = v.get("type").and_then(Value::as_str).unwrap();
        let index = RECORDS.iter().position(|r| r.name == name).unwrap();
        self.counters.records += 1;
        self.counters.by_type[index] += 1;
        if name == "overflow" {
            self.counters.device_dropped += v.get("dropped").unwrap().as_int().unwrap() as u64;
        }
        out.push(v);
    }
}

/// COBS-decodes and checks length and CRC; `None` means corrupt.
fn payload(encoded: &[u8]) -> Option<Vec<u8>> {
    let mut p = vec![0u8; encoded.len()];
    let n = cobs_decode(encoded, &mut p).ok()?;
    p.truncate(n);
    if !(20..=MAX_PAYLOAD).contains(&n) {
        return None;
    }
    let crc = u32::from_le_bytes(p[n - 4..].try_into().unwrap());
    (crc32c(&p[..n - 4]) == crc).then(|| {
        p.truncate(n - 4);
        p
    })
}

enum Decoded {
    Record(Value),
    Unknown,
    Malformed,
}

/// Decodes header+body (CRC already stripped) of a version-1 frame.
fn decode_record(p: &[u8]) -> Decoded {
    let Some(spec) = schema::by_code(p[1]) else {
        return Decoded::Unknown;
    };
    let flags = u16::from_le_bytes([p[2], p[3]]);
    let Ok(body) = schema::decode_body(spec, flags, &p[16..]) else {
        return Decoded::Malformed;
    };
    let seq = u32::from_le_bytes(p[4..8].try_into().unwrap());
    let ticks = u64::from_le_bytes(p[8..16].try_into().unwrap());
    let mut members = vec![
        ("seq".to_string(), Value::Int(seq.into())),
        ("ticks".to_string(), Value::Int(ticks.into())),
        ("type".to_string(), Value::Str(spec.name.to_string())),
    ];
    members.extend(body);
    Decoded::Record(Value::Obj(members))
}

/// Decodes a whole byte stream (file semantics: start is a frame boundary).
pub fn decode_stream(bytes: &[u8]) -> (Vec<Value>, Counters) {
    let mut decoder = StreamDecoder::new();
    let mut out = Vec::new();
    decoder.feed(bytes, &mut out);
    decoder.finish();
    (out, decoder.counters)
}

/// JSON Lines text of decoded records (LF after every line).
pub fn to_jsonl(records: &[Value]) -> String {
    records.iter().map(|r| r.to_text() + "\n").collect()
}

/// A wire frame from raw parts (header fields, body), with correct CRC/COBS.
pub fn raw_frame(version: u8, code: u8, flags: u16, seq: u32, ticks: u64, body: &[u8]) -> Vec<u8> {
    let mut p = vec![version, code];
    p.extend_from_slice(&flags.to_le_bytes());
    p.extend_from_slice(&seq.to_le_bytes());
    p.extend_from_slice(&ticks.to_le_bytes());
    p.extend_from_slice(body);
    let crc = crc32c(&p);
    p.extend_from_slice(&crc.to_le_bytes());
    wire(&p)
}

/// COBS(payload) || 0x00.
pub fn wire(payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; max_encoded_len(payload.len()) + 1];
    let n = cobs_encode(payload, &mut out).unwrap();
    out.truncate(n + 1);
    out[n] = 0;
    out
}

/// Encodes one JSON record (spec section 6) as a wire frame.
pub fn encode_json_record(v: &Value) -> Result<Vec<u8>, String> {
    let name = v
        .get("type")
        .and_then(Value::as_str)
        .ok_or("missing type")?;
    let spec = schema::by_name(name).ok_or(format!("unknown type {name:?}"))?;
    let seq = v.get("seq").and_then(Value::as_int).ok_or("missing seq")?;
    let ticks = v
        .get("ticks")
        .and_then(Value::as_int)
        .ok_or("missing ticks")?;
    let (flags, body) = schema::encode_body(spec, v)?;
    let seq = u32::try_from(seq).map_err(|e| e.to_string())?;
    let ticks = u64::try_from(ticks).map_err(|e| e.to_string())?;
    Ok(raw_frame(1, spec.code, flags, seq, ticks, &body))
}
