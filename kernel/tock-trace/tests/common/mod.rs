//! Host-side test support: an independent decoder/encoder written from
//! `docs/trace-protocol.md`, a JSON writer/parser, and the golden streams.
#![allow(dead_code)]

pub mod json;
pub mod scenarios;
pub mod schema;
pub mod stream;

/// Directory of the committed golden vectors.
pub fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/trace")
}
