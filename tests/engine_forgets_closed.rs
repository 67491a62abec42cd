//! A closed connection's state is dropped once it has been quiet for
//! `limits::CLOSED_CONNECTION_LINGER_NANOS`, and dropping it changes nothing in the model: each
//! bundled real capture, read with one more packet (a SYN between two other hosts) after that
//! time, gives the same messages, connections and findings as read alone.

use std::path::{Path, PathBuf};

use rtsp_inspector::capture::file::CaptureReader;
use rtsp_inspector::capture::{LinkType, Packet, Timestamp};
use rtsp_inspector::engine::Engine;
use rtsp_inspector::limits::CLOSED_CONNECTION_LINGER_NANOS;
use rtsp_inspector::model::Model;

fn captures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for folder in ["captures", "tests/data"] {
        for entry in std::fs::read_dir(root.join(folder)).expect("capture folder") {
            all.push(entry.expect("entry").path());
        }
    }
    all.sort();
    all
}

/// Reads the capture into `engine`; returns the last frame and timestamp.
fn read(path: &Path, engine: &mut Engine) -> (u64, Timestamp) {
    let mut reader = CaptureReader::open(path).expect("the capture opens");
    let mut last = (0, Timestamp(0));
    while reader.read_packets(4096, &mut |packet| {
        last = (packet.frame, packet.ts);
        engine.push(packet);
    }) > 0
    {}
    last
}

fn syn_between_other_hosts() -> Vec<u8> {
    let builder = etherparse::PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4([10, 9, 9, 1], [10, 9, 9, 2], 64)
        .tcp(40000, 9, 1000, 64240)
        .syn();
    let mut bytes = Vec::with_capacity(builder.size(0));
    builder.write(&mut bytes, &[]).expect("a SYN");
    bytes
}

/// The parts of the model that the late packet must not change, as JSON.
fn kept(model: &Model) -> [serde_json::Value; 3] {
    let findings: Vec<_> = model
        .findings
        .iter()
        // The late packet moves the clock: a session left playing may time out by then.
        .filter(|f| !f.code.contains("timeout"))
        .collect();
    [
        serde_json::to_value(&model.messages).expect("json"),
        serde_json::to_value(&model.connections).expect("json"),
        serde_json::to_value(findings).expect("json"),
    ]
}

#[test]
fn closed_connections_are_forgotten_without_changing_the_model() {
    let mut forgotten_somewhere = false;
    for path in captures() {
        let mut alone = Engine::new();
        read(&path, &mut alone);
        let tracked_at_end = alone.tracked_connections();
        alone.finish();
        let alone = alone.into_model();

        let mut engine = Engine::new();
        let (frame, ts) = read(&path, &mut engine);
        let syn = syn_between_other_hosts();
        engine.push(&Packet {
            frame: frame + 1,
            ts: Timestamp(ts.0 + CLOSED_CONNECTION_LINGER_NANOS + 1),
            link_type: LinkType::ETHERNET,
            data: &syn,
            orig_len: syn.len() as u32,
            file_offset: None,
            interface: 0,
        });
        let tracked_after = engine.tracked_connections();
        engine.finish();
        let late = engine.into_model();
        // The late SYN's connection is new; every connection the capture closed (both FINs,
        // or a reset) is gone by then.
        let forgotten = (tracked_at_end + 1).saturating_sub(tracked_after);
        println!(
            "{}: {tracked_at_end} connections tracked at the end, {tracked_after} after the late SYN ({forgotten} forgotten)",
            path.display()
        );
        forgotten_somewhere |= forgotten > 0;
        let [messages, connections, findings] = kept(&alone);
        let [late_messages, late_connections, late_findings] = kept(&late);
        assert_eq!(messages, late_messages, "{}: messages", path.display());
        assert_eq!(
            connections,
            late_connections,
            "{}: connections",
            path.display()
        );
        assert_eq!(findings, late_findings, "{}: findings", path.display());
    }
    assert!(
        forgotten_somewhere,
        "no bundled capture closes a connection"
    );
}
