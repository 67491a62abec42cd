//! The flow table and reassembler on a real impaired link: capture 14 of the shared set, where
//! the link between GStreamer's RTSP server and ffmpeg dropped, delayed, reordered and
//! duplicated packets (tshark's expert info: 22 out-of-order segments, 16 'previous segment
//! not captured', 9 retransmissions of which 6 spurious and 1 fast, and a retransmitted SYN).
//!
//! Every hole in that capture is filled later by a retransmission, so both byte streams must
//! come out whole. The expected lengths and FNV-1a hashes are those of
//! `tshark -q -z follow,tcp,raw,0` on the same file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rtsp_inspector::capture::file::CaptureReader;
use rtsp_inspector::capture::link::{self, Transport};
use rtsp_inspector::tcp::{ConnId, Direction, FlowTable, GapReason, StreamEvent, TcpEvent};

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/captures")
        .join(name)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[derive(Default)]
struct Seen {
    opened: Vec<(ConnId, SocketAddr, SocketAddr, bool)>,
    a_to_b: Vec<u8>,
    b_to_a: Vec<u8>,
    gaps: Vec<(Direction, u64, GapReason, u64)>,
    ends: Vec<(Direction, bool, u64)>,
    evicted: usize,
    /// Frames of the Data events, which must never go backwards within a direction.
    last_frame: [u64; 2],
    frames_backwards: usize,
}

impl Seen {
    fn record(&mut self, event: TcpEvent<'_>) {
        match event {
            TcpEvent::Opened {
                conn,
                a,
                b,
                saw_syn,
                ..
            } => self.opened.push((conn, a, b, saw_syn)),
            TcpEvent::Evicted { .. } => self.evicted += 1,
            TcpEvent::Stream {
                direction, event, ..
            } => {
                let side = match direction {
                    Direction::AToB => 0,
                    Direction::BToA => 1,
                };
                match event {
                    StreamEvent::Data { bytes, frame, .. } => {
                        if frame < self.last_frame[side] {
                            self.frames_backwards += 1;
                        }
                        self.last_frame[side] = frame;
                        match direction {
                            Direction::AToB => self.a_to_b.extend_from_slice(bytes),
                            Direction::BToA => self.b_to_a.extend_from_slice(bytes),
                        }
                    }
                    StreamEvent::Gap {
                        len, reason, frame, ..
                    } => self.gaps.push((direction, len, reason, frame)),
                    StreamEvent::End { reset, frame, .. } => {
                        self.ends.push((direction, reset, frame))
                    }
                }
            }
        }
    }
}

fn run(path: &Path) -> (FlowTable, Seen) {
    let mut reader = CaptureReader::open(path).expect("capture 14 opens");
    let mut table = FlowTable::new();
    let mut seen = Seen::default();
    loop {
        let read = reader.read_packets(64, &mut |packet| {
            if let Ok(Transport::Tcp(segment)) =
                link::decode(packet.link_type, packet.data, packet.orig_len)
            {
                table.push(&segment, packet.frame, packet.ts, &mut |e| seen.record(e));
            }
        });
        if read == 0 {
            break;
        }
    }
    assert!(reader.problem().is_none(), "{:?}", reader.problem());
    assert_eq!(reader.packets_read(), 704);
    table.finish(&mut |e| seen.record(e));
    (table, seen)
}

#[test]
fn tcp_impaired_link_capture_14_gives_both_streams_whole() {
    let (table, seen) = run(&capture("14_impaired-netns_ffmpeg-tcp_gst.pcapng"));

    let client: SocketAddr = "10.200.7.2:34298".parse().expect("address");
    let server: SocketAddr = "10.200.7.1:8554".parse().expect("address");
    assert_eq!(seen.opened, vec![(0, client, server, true)]);
    assert_eq!(seen.evicted, 0);

    assert_eq!(seen.a_to_b.len(), 740);
    assert_eq!(fnv1a(&seen.a_to_b), 0x739b_1c81_e97e_da42);
    assert!(
        seen.a_to_b
            .starts_with(b"OPTIONS rtsp://10.200.7.1:8554/test RTSP/1.0\r\n")
    );
    assert_eq!(seen.b_to_a.len(), 390_457);
    assert_eq!(fnv1a(&seen.b_to_a), 0xccc5_4c0a_67ed_61ce);
    assert!(seen.gaps.is_empty(), "{:?}", seen.gaps);
    assert_eq!(seen.frames_backwards, 0);

    // ffmpeg's RST after its TEARDOWN (frame 702) ends its direction; the server's reply that
    // was already on its way (frame 703) still comes out, and the client's answering RST
    // (frame 704) changes nothing.
    assert_eq!(seen.ends, vec![(Direction::AToB, true, 702)]);

    let c2s = table.stats(0, Direction::AToB).expect("client stats");
    let s2c = table.stats(0, Direction::BToA).expect("server stats");
    assert_eq!(c2s.segments + s2c.segments, 704);
    assert_eq!((c2s.bytes, s2c.bytes), (740, 390_457));
    // tshark: the client's one retransmission is its SYN.
    assert_eq!(c2s.retransmissions, 1);
    assert_eq!(c2s.out_of_order, 0);
    // tshark flags 31 server segments as behind the highest sequence number seen: 22
    // out-of-order, 9 retransmissions (6 spurious, 1 fast). Counted here by what the capture
    // shows instead of by timing and ACKs: 8 repeat bytes already captured (the 6 spurious,
    // and frames 266 and 639, copies of 265 and 637 made by the link), 23 bring bytes into a
    // hole (the 22, and the fast retransmission in frame 622). Same total.
    assert!(s2c.retransmissions > 0);
    assert!(s2c.out_of_order > 0);
    assert_eq!(s2c.retransmissions, 8, "{s2c:?}");
    assert_eq!(s2c.out_of_order, 23, "{s2c:?}");
    assert_eq!(s2c.retransmissions + s2c.out_of_order, 22 + 9);
    assert_eq!(s2c.overlaps, 0);
    assert_eq!((c2s.gaps, s2c.gaps), (0, 0));
    assert_eq!(table.buffered_bytes(), 0);
}
