//! Writes the golden trace vectors: `<name>.bin`, `<name>.jsonl` and
//! `<name>.expect.json` for every stream in `tests/common/scenarios.rs`.
//!
//! Usage: `cargo run --offline --example gen_golden -- <outdir>`
//! (the committed copies live in `tests/fixtures/trace/`).

#[path = "../tests/common/mod.rs"]
mod common;

use common::{scenarios, stream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn generate(outdir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(outdir)
        .map_err(|e| format!("cannot create {}: {e}", outdir.display()))?;
    for s in scenarios::all() {
        let (records, counters) = stream::decode_stream(&s.bytes);
        if !s.frozen {
            write(&outdir.join(format!("{}.bin", s.name)), &s.bytes)?;
        }
        write(
            &outdir.join(format!("{}.jsonl", s.name)),
            stream::to_jsonl(&records).as_bytes(),
        )?;
        let expect = counters.to_json().to_text() + "\n";
        write(
            &outdir.join(format!("{}.expect.json", s.name)),
            expect.as_bytes(),
        )?;
        eprintln!("{}: {} bytes, {}", s.name, s.bytes.len(), expect.trim_end());
    }
    Ok(())
}

fn main() -> ExitCode {
    let Some(outdir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: gen_golden <outdir>");
        return ExitCode::from(2);
    };
    match generate(&outdir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_golden: {e}");
            ExitCode::FAILURE
        }
    }
}
