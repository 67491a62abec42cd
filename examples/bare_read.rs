//! The floor of our own reader, for `scripts/bench`: read every packet of a capture with
//! `CaptureReader::read_packets` and only count packets and captured bytes.
//!
//! `cargo run --release --no-default-features --example bare_read -- FILE` prints
//! `PACKETS BYTES`.

use std::path::PathBuf;
use std::process::ExitCode;

use rtsp_inspector::capture::file::CaptureReader;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: bare_read CAPTURE");
        return ExitCode::from(2);
    };
    let mut reader = match CaptureReader::open(&path) {
        Ok(reader) => reader,
        Err(error) => {
            eprintln!("bare_read: {error}");
            return ExitCode::from(2);
        }
    };
    let (mut packets, mut bytes) = (0u64, 0u64);
    while !reader.is_finished() {
        let n = reader.read_packets(4096, &mut |packet| {
            packets += 1;
            bytes += packet.data.len() as u64;
        });
        if n == 0 && !reader.is_finished() {
            break;
        }
    }
    if let Some(problem) = reader.problem() {
        eprintln!("bare_read: {problem}");
    }
    println!("{packets} {bytes}");
    ExitCode::SUCCESS
}
