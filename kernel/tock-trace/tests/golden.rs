//! Checks the committed golden vectors in `tests/fixtures/trace/` against
//! the encoder, the host decoder and the host (JSON-driven) encoder, so any
//! drift in one of them fails. Regenerate with
//! `cargo run --offline --example gen_golden -- ../../tests/fixtures/trace`.

mod common;

use common::json::{self, Value};
use common::{fixtures_dir, scenarios, stream};

fn read(name: &str) -> Vec<u8> {
    let path = fixtures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run gen_golden)", path.display()))
}

fn read_text(name: &str) -> String {
    String::from_utf8(read(name)).expect("fixture is UTF-8")
}

#[test]
fn encoder_reproduces_committed_bin() {
    for s in scenarios::all().into_iter().filter(|s| !s.frozen) {
        let committed = read(&format!("{}.bin", s.name));
        assert!(
            committed == s.bytes,
            "{}.bin differs from the generator output",
            s.name
        );
    }
}

#[test]
fn decoding_bin_reproduces_committed_jsonl_and_counters() {
    for s in scenarios::all() {
        let (records, counters) = stream::decode_stream(&read(&format!("{}.bin", s.name)));
        let jsonl = read_text(&format!("{}.jsonl", s.name));
        assert_eq!(stream::to_jsonl(&records), jsonl, "{}.jsonl", s.name);
        let expect = read_text(&format!("{}.expect.json", s.name));
        assert_eq!(
            counters.to_json().to_text() + "\n",
            expect,
            "{}.expect.json",
            s.name
        );
    }
}

#[test]
fn reencoding_committed_jsonl_reproduces_bin() {
    for s in scenarios::all().into_iter().filter(|s| s.reencodable) {
        // v1 streams begin with a lone 0x00; v2 frames bring their own.
        let mut bytes = if s.version == 1 {
            vec![0u8]
        } else {
            Vec::new()
        };
        for line in read_text(&format!("{}.jsonl", s.name)).lines() {
            let record = json::parse(line).unwrap();
            bytes.extend(stream::encode_json_line(&record, s.version).unwrap());
        }
        assert!(
            bytes == read(&format!("{}.bin", s.name)),
            "{}: re-encoded JSONL differs",
            s.name
        );
    }
}

#[test]
fn jsonl_lines_survive_parse_and_write() {
    for s in scenarios::all() {
        for line in read_text(&format!("{}.jsonl", s.name)).lines() {
            assert_eq!(json::parse(line).unwrap().to_text(), line);
        }
    }
}

fn count(expect: &Value, key: &str) -> i128 {
    expect.get(key).and_then(Value::as_int).unwrap()
}

#[test]
fn basic_has_every_record_type_and_two_interfaces() {
    let expect = json::parse(&read_text("basic.expect.json")).unwrap();
    let Some(Value::Obj(by_type)) = expect.get("by_type") else {
        panic!("by_type")
    };
    assert_eq!(by_type.len(), 23);
    assert!(
        by_type.iter().all(|(_, n)| n.as_int().unwrap() >= 1),
        "{by_type:?}"
    );
    let first = json::parse(read_text("basic.jsonl").lines().next().unwrap()).unwrap();
    let ifaces = first.get("interfaces").and_then(Value::as_arr).unwrap();
    let linktypes: Vec<i128> = ifaces
        .iter()
        .map(|i| i.get("linktype").unwrap().as_int().unwrap())
        .collect();
    assert_eq!(linktypes, [1, 230]);
}

#[test]
fn stress_and_overflow_counters_are_as_documented() {
    let stress = json::parse(&read_text("stress.expect.json")).unwrap();
    assert!(count(&stress, "records") >= 3000);
    assert_eq!(
        count(&stress, "gap") + count(&stress, "corrupt") + count(&stress, "device_dropped"),
        0
    );
    let overflow = json::parse(&read_text("overflow.expect.json")).unwrap();
    assert_eq!(count(&overflow, "gap"), 0);
    assert!(count(&overflow, "device_dropped") > 0);
}

#[test]
fn damaged_counters_match_the_injected_damage() {
    let d = json::parse(&read_text("damaged.expect.json")).unwrap();
    let expected = [
        ("records", 9),
        ("gap", 2),
        ("corrupt", 4),
        ("oversize", 1),
        ("malformed", 2),
        ("unknown_type", 1),
        ("other_version", 1),
        ("device_dropped", 0),
        ("seq_reset", 1),
    ];
    for (key, n) in expected {
        assert_eq!(count(&d, key), n, "{key}");
    }
}

/// Every console byte of `mixed` comes out, in order: the console lines of
/// the JSONL, joined, are exactly the bytes between the frames.
#[test]
fn mixed_console_text_is_complete_and_in_order() {
    let bin = read("mixed.bin");
    let mut text = Vec::new();
    for line in read_text("mixed.jsonl").lines() {
        let v = json::parse(line).unwrap();
        if v.get("type").and_then(Value::as_str) == Some("console") {
            text.extend(stream::console_bytes(&v).unwrap());
        }
    }
    assert!(text.starts_with(b"Initialization complete. Entering main loop\r\n"));
    assert!(text.ends_with(b"tock$ "));
    let expect = json::parse(&read_text("mixed.expect.json")).unwrap();
    assert_eq!(count(&expect, "console_bytes"), text.len() as i128);
    assert_eq!(count(&expect, "records"), 36);
    assert_eq!(count(&expect, "corrupt") + count(&expect, "gap"), 0);
    // Frames are the rest: every byte is either console text or frame.
    assert!(text.len() < bin.len());
}
