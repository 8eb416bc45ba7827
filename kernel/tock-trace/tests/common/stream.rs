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
    /// 2 for a v2 stream (console counters are then part of the JSON).
    pub version: u8,
    pub console_bytes: u64,
    pub console_lines: u64,
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
        let mut members = vec![
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
        ];
        if self.version >= 2 {
            members.push(("console_bytes".into(), n(self.console_bytes)));
            members.push(("console_lines".into(), n(self.console_lines)));
        }
        Value::Obj(members)
    }
}

/// What the bytes after a possible opening delimiter look like (v2, 2.4).
#[derive(Clone, Copy, PartialEq)]
enum Candidate {
    Undetermined,
    FrameV2,
    FrameV1,
}

const MARKER: [u8; 2] = [0xC0, 0xC1];
const MAX_ENCODED_V2: usize = 2 + 2048 + 9;
const MAX_HELD: usize = 64 * 1024;
const MAX_PIECE: usize = 1024;

/// Incremental decoder (spec 2.4, 2.5, 4.2): feed bytes, collect JSON
/// records and console pieces.
pub struct StreamDecoder {
    version: u8,
    held: Vec<u8>,
    buf: Vec<u8>,
    discarding: bool,
    in_candidate: bool,
    opening_is_text: bool,
    candidate: Candidate,
    v2_seen: bool,
    text: Vec<u8>,
    open_line: bool,
    last_seq: Option<u32>,
    pub counters: Counters,
}

impl StreamDecoder {
    pub fn new() -> Self {
        StreamDecoder {
            version: 0,
            held: Vec::new(),
            buf: Vec::new(),
            discarding: false,
            in_candidate: true,
            opening_is_text: false,
            candidate: Candidate::Undetermined,
            v2_seen: false,
            text: Vec::new(),
            open_line: false,
            last_seq: None,
            counters: Counters::new(),
        }
    }

    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Value>) {
        if self.version == 0 {
            self.held.extend_from_slice(bytes);
            let segments: Vec<Vec<u8>> = {
                let mut parts: Vec<&[u8]> = self.held.split(|&b| b == 0).collect();
                parts.pop(); // the unterminated rest
                parts.into_iter().map(|p| p.to_vec()).collect()
            };
            for seg in segments {
                if seg.is_empty() || seg.len() > MAX_ENCODED_V2 {
                    continue;
                }
                let v = valid_version(&seg);
                if v != 0 {
                    self.decide(v, out);
                    return;
                }
            }
            if self.held.len() > MAX_HELD {
                self.decide(2, out);
            }
            return;
        }
        for &b in bytes {
            if self.version == 1 {
                self.byte_v1(b, out);
            } else {
                self.byte_v2(b, out);
            }
        }
    }

    fn decide(&mut self, version: u8, out: &mut Vec<Value>) {
        self.version = version;
        let held = std::mem::take(&mut self.held);
        self.feed(&held, out);
    }

    /// End of input: bytes after the last delimiter are a corrupt frame.
    pub fn finish(&mut self, out: &mut Vec<Value>) {
        if self.version == 0 && !self.held.is_empty() {
            self.decide(2, out);
        }
        if self.version == 1 {
            if !self.buf.is_empty() && !self.discarding {
                self.counters.corrupt += 1;
            }
        } else if self.in_candidate && !self.discarding {
            if self.candidate == Candidate::FrameV2 && !self.buf.is_empty() {
                self.counters.corrupt += 1;
            } else {
                self.release_as_text(out);
            }
        }
        self.emit_text(out);
        self.buf.clear();
    }

    fn byte_v1(&mut self, b: u8, out: &mut Vec<Value>) {
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

    fn byte_v2(&mut self, b: u8, out: &mut Vec<Value>) {
        if !self.in_candidate {
            if b == 0 {
                self.start(true);
            } else {
                self.append_text(b, out);
            }
            return;
        }
        if self.discarding {
            if b == 0 {
                self.discarding = false;
                self.start(false);
            }
            return;
        }
        if b == 0 {
            self.close(out);
            return;
        }
        self.buf.push(b);
        match self.candidate {
            Candidate::Undetermined => self.classify(out),
            kind => {
                let limit = if kind == Candidate::FrameV1 {
                    MAX_ENCODED
                } else {
                    MAX_ENCODED_V2
                };
                if self.buf.len() > limit {
                    self.counters.oversize += 1;
                    self.buf.clear();
                    self.discarding = true;
                }
            }
        }
    }

    fn start(&mut self, opening_is_text: bool) {
        self.in_candidate = true;
        self.opening_is_text = opening_is_text;
        self.candidate = Candidate::Undetermined;
        self.buf.clear();
    }

    fn classify(&mut self, out: &mut Vec<Value>) {
        let c = &self.buf;
        let k = c.len();
        let v2 = c[0] >= 3 && (k < 2 || c[1] == MARKER[0]) && (k < 3 || c[2] == MARKER[1]);
        let v1 = !self.v2_seen && c[0] >= 2 && (k < 2 || c[1] == 1);
        if v2 && k >= 3 {
            self.candidate = Candidate::FrameV2;
        } else if v1 && k >= 2 {
            self.candidate = Candidate::FrameV1;
        } else if !v2 && !v1 {
            self.release_as_text(out);
        }
    }

    fn release_as_text(&mut self, out: &mut Vec<Value>) {
        if self.opening_is_text {
            self.append_text(0, out);
        }
        let held = std::mem::take(&mut self.buf);
        for b in held {
            self.append_text(b, out);
        }
        self.in_candidate = false;
        self.candidate = Candidate::Undetermined;
    }

    fn close(&mut self, out: &mut Vec<Value>) {
        match self.candidate {
            Candidate::FrameV2 => {
                self.emit_text(out);
                let frame = std::mem::take(&mut self.buf);
                self.frame_v2(&frame, out);
                self.start(false);
            }
            Candidate::FrameV1 if valid_version(&self.buf) == 1 => {
                self.emit_text(out);
                self.version = 1;
                let frame = std::mem::take(&mut self.buf);
                self.frame(&frame, out);
                self.in_candidate = false;
            }
            _ => {
                self.release_as_text(out);
                self.start(true);
            }
        }
    }

    fn append_text(&mut self, b: u8, out: &mut Vec<Value>) {
        self.text.push(b);
        if b == b'\n' || self.text.len() == MAX_PIECE {
            self.emit_text(out);
        }
    }

    fn emit_text(&mut self, out: &mut Vec<Value>) {
        if self.text.is_empty() {
            return;
        }
        let piece = std::mem::take(&mut self.text);
        if self.open_line {
            self.counters.console_lines -= 1;
        }
        self.open_line = piece.last() != Some(&b'\n');
        let lf = piece.iter().filter(|&&b| b == b'\n').count() as u64;
        self.counters.console_lines += lf + u64::from(self.open_line);
        self.counters.console_bytes += piece.len() as u64;
        out.push(console_value(&piece));
    }

    fn frame(&mut self, encoded: &[u8], out: &mut Vec<Value>) {
        match payload(encoded) {
            Some(p) => self.payload(&p, 1, out),
            None => self.counters.corrupt += 1,
        }
    }

    fn frame_v2(&mut self, encoded: &[u8], out: &mut Vec<Value>) {
        let mut p = vec![0u8; encoded.len()];
        let Ok(n) = cobs_decode(encoded, &mut p) else {
            self.counters.corrupt += 1;
            return;
        };
        self.v2_seen = true;
        p.truncate(n);
        match checked(p.split_off(2.min(n))) {
            Some(p) => self.payload(&p, 2, out),
            None => self.counters.corrupt += 1,
        }
    }

    fn payload(&mut self, p: &[u8], version: u8, out: &mut Vec<Value>) {
        if p[0] != version {
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
    checked(p)
}

/// Checks length and CRC of a decoded payload and strips the CRC.
fn checked(mut p: Vec<u8>) -> Option<Vec<u8>> {
    let n = p.len();
    if !(20..=MAX_PAYLOAD).contains(&n) {
        return None;
    }
    let crc = u32::from_le_bytes(p[n - 4..].try_into().unwrap());
    (crc32c(&p[..n - 4]) == crc).then(|| {
        p.truncate(n - 4);
        p
    })
}

/// 2 for a valid v2 frame (marker, length, CRC), 1 for a valid v1 frame,
/// 0 otherwise (spec 2.5).
fn valid_version(encoded: &[u8]) -> u8 {
    let mut p = vec![0u8; encoded.len()];
    let Ok(n) = cobs_decode(encoded, &mut p) else {
        return 0;
    };
    p.truncate(n);
    if n >= 2 && p[..2] == MARKER && checked(p[2..].to_vec()).is_some() {
        return 2;
    }
    u8::from(checked(p).is_some())
}

/// The JSON line of a console piece (spec 6.1).
pub fn console_value(piece: &[u8]) -> Value {
    let mut members = vec![
        ("type".to_string(), Value::Str("console".into())),
        (
            "text".to_string(),
            Value::Str(String::from_utf8_lossy(piece).into_owned()),
        ),
    ];
    if std::str::from_utf8(piece).is_err() {
        let hex: String = piece.iter().map(|b| format!("{b:02x}")).collect();
        members.push(("data".to_string(), Value::Str(hex)));
    }
    Value::Obj(members)
}

/// The exact bytes of a console JSON line: `data` if present, else `text`.
pub fn console_bytes(v: &Value) -> Result<Vec<u8>, String> {
    if let Some(hex) = v.get("data").and_then(Value::as_str) {
        return (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|e| e.to_string()))
            .collect();
    }
    let text = v
        .get("text")
        .and_then(Value::as_str)
        .ok_or("missing text")?;
    Ok(text.as_bytes().to_vec())
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
    decoder.finish(&mut out);
    let mut counters = decoder.counters;
    counters.version = decoder.version;
    (out, counters)
}

/// JSON Lines text of decoded records (LF after every line).
pub fn to_jsonl(records: &[Value]) -> String {
    records.iter().map(|r| r.to_text() + "\n").collect()
}

/// A v2 wire frame from raw parts: 0x00, COBS(marker, header, body, CRC), 0x00.
pub fn raw_frame_v2(code: u8, flags: u16, seq: u32, ticks: u64, body: &[u8]) -> Vec<u8> {
    let mut p = vec![2, code];
    p.extend_from_slice(&flags.to_le_bytes());
    p.extend_from_slice(&seq.to_le_bytes());
    p.extend_from_slice(&ticks.to_le_bytes());
    p.extend_from_slice(body);
    let crc = crc32c(&p);
    p.extend_from_slice(&crc.to_le_bytes());
    let mut marked = MARKER.to_vec();
    marked.extend(p);
    let mut out = vec![0u8];
    out.extend(wire(&marked));
    out
}

/// A v1 wire frame from raw parts (header fields, body), with correct CRC/COBS.
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

/// Encodes one JSON line (spec section 6) as wire bytes: a console line as
/// its bytes, a record as a frame of `version` (1 or 2).
pub fn encode_json_line(v: &Value, version: u8) -> Result<Vec<u8>, String> {
    if v.get("type").and_then(Value::as_str) == Some("console") {
        return console_bytes(v);
    }
    let mut frame = encode_json_record(v)?;
    if version == 2 {
        let mut p = vec![0u8; frame.len()];
        let n = cobs_decode(&frame[..frame.len() - 1], &mut p).map_err(|e| format!("{e:?}"))?;
        p.truncate(n);
        p[0] = 2;
        let crc = crc32c(&p[..n - 4]);
        p[n - 4..].copy_from_slice(&crc.to_le_bytes());
        let mut marked = MARKER.to_vec();
        marked.extend(p);
        frame = vec![0u8];
        frame.extend(wire(&marked));
    }
    Ok(frame)
}

/// Encodes one JSON record (spec section 6) as a v1 wire frame.
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
