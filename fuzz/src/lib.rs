//! The fuzz targets' entry points, one function per stage that takes outside bytes.
//!
//! Each takes the raw fuzz input, runs it through the engine's public API and checks the
//! invariants that hold for any input (no panic is the first; bounded buffers, consistent
//! counters, the same result whatever the chunking where that is a promise). The targets in
//! `fuzz_targets/` are one line each, and `tests/fuzz_regressions.rs` in the main crate includes
//! this file (`#[path]`) to replay every input of `fuzz/regressions/<target>/` through the same
//! functions in the normal test build.
//!
//! Structured inputs (TCP segments, framer chunking, header selectors) are read from the front
//! of the input with `arbitrary::Unstructured` in a fixed layout, so that
//! `tools/make-fuzz-seeds.py` can write seeds from real captures in that same layout.

use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

use arbitrary::Unstructured;

use rtsp_inspector::capture::Timestamp;
use rtsp_inspector::capture::file::CaptureReader;
use rtsp_inspector::capture::link::{TcpFlags, TcpSegment};
use rtsp_inspector::export::scrub::Scrubber;
use rtsp_inspector::limits;
use rtsp_inspector::rtsp::framer::{Framer, FramerEvent};
use rtsp_inspector::rtsp::{headers, message, sdp};
use rtsp_inspector::session::tracker::{
    digest_parameters, is_digest_parameter_shown, mask_header, mask_url_password,
};
use rtsp_inspector::tcp::{FlowTable, Reassembler, SegmentIn, StreamEvent, TcpEvent};
use rtsp_inspector::{engine, report};

/// A target's entry point.
pub type Target = fn(&[u8]);

/// The targets, by name: what `scripts/fuzz` runs and what `fuzz/regressions/` is keyed by.
pub const TARGETS: &[(&str, Target)] = &[
    ("capture_reader", capture_reader),
    ("tcp_reassembly", tcp_reassembly),
    ("rtsp_framer", rtsp_framer),
    ("rtsp_head", rtsp_head),
    ("rtsp_headers", rtsp_headers),
    ("sdp", sdp_body),
    ("pipeline", pipeline),
];

/// A capture file: every packet read, none larger than the record limit, the reader's counters
/// consistent, and a damaged file a problem (never a panic).
pub fn capture_reader(data: &[u8]) {
    let Ok(mut reader) = CaptureReader::from_reader(
        Box::new(Cursor::new(data.to_vec())),
        Path::new("fuzz-input"),
        Some(data.len() as u64),
    ) else {
        return;
    };
    let mut packets = 0u64;
    loop {
        let read = reader.read_packets(64, &mut |packet| {
            packets += 1;
            assert!(packet.data.len() <= limits::MAX_CAPTURE_RECORD);
            let _ = rtsp_inspector::capture::link::decode(
                packet.link_type,
                packet.data,
                packet.orig_len,
            );
        });
        if read == 0 {
            break;
        }
    }
    assert_eq!(reader.packets_read(), packets);
    assert!(reader.bytes_read() <= data.len() as u64);
    let _ = reader.problem().map(|p| p.to_string());
}

/// One TCP segment (or bare ACK) as the fuzz input lays it out:
/// `op: u8, seq: u32 LE, ts_step: i16 LE, missing: u16 LE, len: u16 LE, payload[len]`.
/// `op` bits: 0x01 SYN, 0x02 FIN, 0x04 RST, 0x08 a bare ACK of `seq` from the other side,
/// 0x30 which of four client ports, 0x40 sent by the server.
#[derive(Debug, Clone, Copy)]
struct FuzzSegment<'a> {
    op: u8,
    seq: u32,
    ts: Timestamp,
    missing: u32,
    payload: &'a [u8],
}

fn segments(data: &[u8]) -> Vec<FuzzSegment<'_>> {
    let mut u = Unstructured::new(data);
    let mut out = Vec::new();
    let mut ts = Timestamp::from_secs_nanos(1_700_000_000, 0);
    while !u.is_empty() {
        let (Ok(op), Ok(seq), Ok(step), Ok(missing), Ok(len)) = (
            u.arbitrary::<u8>(),
            u.arbitrary::<u32>(),
            u.arbitrary::<i16>(),
            u.arbitrary::<u16>(),
            u.arbitrary::<u16>(),
        ) else {
            break;
        };
        // Steps of up to ±32 ms, backwards too (a clock that jumps).
        ts = Timestamp(ts.0.saturating_add(i64::from(step) * 1000));
        let payload = u.bytes(usize::from(len).min(u.len())).unwrap_or_default();
        out.push(FuzzSegment {
            op,
            seq,
            ts,
            missing: u32::from(missing),
            payload,
        });
    }
    out
}

/// What a reassembler gave out, checked as it comes.
#[derive(Default)]
struct StreamCheck {
    bytes: u64,
    gaps: u64,
    gap_bytes: u64,
    ends: u32,
    after_end: u32,
}

impl StreamCheck {
    fn record(&mut self, event: &StreamEvent<'_>) {
        if self.ends > 0 {
            self.after_end += 1;
        }
        match event {
            StreamEvent::Data { bytes, .. } => {
                assert!(!bytes.is_empty(), "empty Data event");
                self.bytes += bytes.len() as u64;
            }
            StreamEvent::Gap { len, .. } => {
                assert!(*len > 0, "empty Gap event");
                self.gaps += 1;
                self.gap_bytes += len;
            }
            StreamEvent::End { .. } => self.ends += 1,
        }
    }
}

/// Segments with any sequence numbers, flags and timestamps: one reassembler fed every segment
/// (bare ACKs as the peer's), then a flow table with tiny limits fed the same segments between
/// four client ports and one server, so that eviction and hole sweeping run too.
pub fn tcp_reassembly(data: &[u8]) {
    let segments = segments(data);

    let mut r = Reassembler::new();
    let mut check = StreamCheck::default();
    for (frame, s) in segments.iter().enumerate() {
        let frame = frame as u64 + 1;
        let mut record = |e: StreamEvent<'_>| check.record(&e);
        if s.op & 0x08 != 0 {
            r.peer_acked(s.seq, frame, s.ts, &mut record);
        } else {
            let segment = SegmentIn {
                seq: s.seq,
                syn: s.op & 0x01 != 0,
                fin: s.op & 0x02 != 0,
                rst: s.op & 0x04 != 0,
                payload: s.payload,
                missing_payload: s.missing,
                frame,
                ts: s.ts,
            };
            r.push(segment, &mut record);
        }
        assert!(r.buffered_bytes() <= limits::MAX_OUT_OF_ORDER_BYTES);
    }
    r.finish(&mut |e| check.record(&e));
    assert!(check.ends <= 1, "{} ends", check.ends);
    assert_eq!(check.after_end, 0, "events after the end");
    assert_eq!(check.bytes, r.stats().bytes);
    assert_eq!(check.gaps, r.stats().gaps);
    assert_eq!(check.gap_bytes, r.stats().gap_bytes);

    const MAX_FLOWS: usize = 3;
    const MAX_BUFFERED: usize = 64 * 1024;
    let mut flows = FlowTable::with_limits(MAX_FLOWS, MAX_BUFFERED);
    let server = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 554);
    let mut open = std::collections::HashSet::new();
    let mut on_event = |event: TcpEvent<'_>| match event {
        TcpEvent::Opened { conn, .. } => assert!(open.insert(conn), "conn {conn} opened twice"),
        TcpEvent::Evicted { conn, .. } => assert!(open.remove(&conn), "conn {conn} not open"),
        TcpEvent::Stream { conn, .. } => assert!(open.contains(&conn), "conn {conn} not open"),
    };
    for (frame, s) in segments.iter().enumerate() {
        let client = SocketAddr::new(
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
            40_000 + u16::from((s.op >> 4) & 0x03),
        );
        let (src, dst) = if s.op & 0x40 != 0 {
            (server, client)
        } else {
            (client, server)
        };
        let segment = TcpSegment {
            src,
            dst,
            seq: if s.op & 0x08 != 0 { 0 } else { s.seq },
            ack: s.seq,
            flags: TcpFlags {
                syn: s.op & 0x01 != 0,
                fin: s.op & 0x02 != 0,
                rst: s.op & 0x04 != 0,
                ack: s.op & 0x08 != 0 || s.op & 0x80 != 0,
                psh: false,
            },
            payload: s.payload,
            missing_payload: s.missing,
        };
        flows.push(&segment, frame as u64 + 1, s.ts, &mut on_event);
        assert!(flows.len() <= MAX_FLOWS);
        assert!(flows.buffered_bytes() <= MAX_BUFFERED + limits::MAX_OUT_OF_ORDER_BYTES);
    }
    flows.finish(&mut on_event);
}

/// An event of the framer without what depends on how the stream was cut (frames, times).
#[derive(Debug, PartialEq)]
enum Framed {
    Message(Box<message::Message>),
    Interleaved(u8, u16, u64, bool),
    Garbage(u64, u64),
    Limit(u64),
}

fn framed(event: FramerEvent) -> Framed {
    match event {
        FramerEvent::Message(mut m) => {
            (m.frame, m.first_frame, m.ts, m.first_ts) = (0, 0, Timestamp(0), Timestamp(0));
            Framed::Message(m)
        }
        FramerEvent::Interleaved {
            channel,
            length,
            stream_offset,
            complete,
            ..
        } => Framed::Interleaved(channel, length, stream_offset, complete),
        FramerEvent::Garbage {
            stream_offset,
            length,
            ..
        } => Framed::Garbage(stream_offset, length),
        FramerEvent::LimitHit { stream_offset, .. } => Framed::Limit(stream_offset),
    }
}

/// Where each event starts and ends in the stream, to check they come in order and inside it.
fn span(event: &Framed) -> Option<(u64, u64)> {
    match event {
        Framed::Message(m) => {
            let body = if m.declared_body_length > limits::MAX_CONTENT_LENGTH {
                0
            } else {
                m.body_received
            };
            Some((
                m.stream_offset,
                m.stream_offset + m.head_length as u64 + body,
            ))
        }
        Framed::Interleaved(_, length, offset, complete) => {
            let len = if *complete { 4 + u64::from(*length) } else { 0 };
            Some((*offset, offset + len))
        }
        Framed::Garbage(offset, length) => Some((*offset, offset + length)),
        Framed::Limit(_) => None,
    }
}

/// One direction of an RTSP connection: `mode: u8` then the stream. The stream is framed whole,
/// then in chunks of `(mode & 0x3f) + 1` bytes: both must give the same events (every decision
/// waits for the bytes it needs). With `mode & 0x40`, every fourth chunk is a gap of its size
/// instead: then only order, bounds and memory are checked.
pub fn rtsp_framer(data: &[u8]) {
    let Some((&mode, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(mode & 0x3f) + 1;
    let with_gaps = mode & 0x40 != 0;
    let ts = |frame: u64| Timestamp::from_secs_nanos(1_700_000_000, frame as i64);

    let mut whole = Vec::new();
    let mut framer = Framer::new();
    framer.push_data(stream, 1, ts(1), &mut |e| whole.push(framed(e)));
    framer.finish(&mut |e| whole.push(framed(e)));

    let mut chunked = Vec::new();
    let mut framer = Framer::new();
    let mut total = 0u64;
    for (i, piece) in stream.chunks(chunk).enumerate() {
        let frame = i as u64 + 1;
        if with_gaps && i % 4 == 3 {
            framer.push_gap(piece.len() as u64, frame, ts(frame), &mut |e| {
                chunked.push(framed(e))
            });
        } else {
            framer.push_data(piece, frame, ts(frame), &mut |e| chunked.push(framed(e)));
        }
        total += piece.len() as u64;
        assert!(framer.buffered_len() <= limits::MAX_MESSAGE_HEAD + 128);
    }
    framer.finish(&mut |e| chunked.push(framed(e)));
    assert_eq!(framer.stream_offset(), total);

    for events in [&whole, &chunked] {
        let mut end = 0;
        for event in events.iter() {
            if let Some((start, stop)) = span(event) {
                assert!(start >= end, "{event:?} starts before {end}");
                assert!(stop <= total, "{event:?} ends past the stream ({total})");
                end = stop;
            }
        }
    }
    if !with_gaps {
        assert_eq!(whole, chunked, "chunks of {chunk} bytes frame differently");
    }
}

/// Every reader of a header value on `value`, and the masking of credentials.
fn read_header(name: &str, value: &str) {
    let _ = headers::cseq(value);
    let _ = headers::content_length(value);
    let _ = headers::SessionHeader::parse(value);
    let _ = headers::parse_transport(value);
    let _ = headers::Range::parse(value);
    let _ = headers::public_methods(value);
    let _ = headers::rtp_info(value);
    let masked = mask_header(name, value);
    if name.eq_ignore_ascii_case("authorization")
        || name.eq_ignore_ascii_case("proxy-authorization")
    {
        check_authorization_masked(name, value, &masked);
    }
    let _ = mask_url_password(value);
}

/// What a masked Authorization may show. Masking the mask changes nothing. A Digest header
/// shows only its harmless parameters, each a whole value, every other one as a mask (found
/// by the `rtsp_headers` target: masking by finding `response=` missed damaged headers). Any other scheme's
/// credential never comes back whole, unless it is already a mask or too short to be one.
fn check_authorization_masked(name: &str, value: &str, masked: &str) {
    assert_eq!(mask_header(name, masked), masked, "masking is idempotent");
    let value = value.trim();
    let (scheme, credential) = value
        .split_once(char::is_whitespace)
        .map_or((value, ""), |(scheme, rest)| (scheme, rest.trim()));
    if scheme.eq_ignore_ascii_case("digest") {
        let parameters = masked.get(scheme.len()..).unwrap_or_default();
        for parameter in digest_parameters(parameters) {
            let shown = match parameter.split_once('=') {
                Some((name, value)) => {
                    // A shown value is whole: no quote but around it, so nothing runs into it.
                    let value = value.trim();
                    let inner = value
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .unwrap_or(value);
                    value == "\"********\""
                        || is_digest_parameter_shown(name.trim()) && !inner.contains('"')
                }
                None => parameter == "********",
            };
            assert!(shown, "{parameter:?} is shown in {masked:?}");
        }
        return;
    }
    let already_masked = credential.chars().all(|c| c == '*' || c.is_whitespace());
    assert!(already_masked || !masked.contains(value) || value.len() < 8);
}

/// The pcapng export's masking on the same bytes, as one packet and cut in two: lengths kept,
/// nothing written but `*`, and cut it masks at least what it masks whole (each packet is
/// written before the next is seen, so the first must not leave out what the second shows).
fn scrub_packets(data: &[u8]) {
    let (client, server) = (
        SocketAddr::from(([127, 0, 0, 1], 50000)),
        SocketAddr::from(([127, 0, 0, 1], 554)),
    );
    let mut whole = data.to_vec();
    Scrubber::default().scrub(client, server, 1000, &mut whole);
    let cut_at = data.last().map_or(0, |&b| usize::from(b) * 7) % (data.len() + 1);
    let (first, second) = data.split_at(cut_at);
    let (mut first, mut second) = (first.to_vec(), second.to_vec());
    let mut scrubber = Scrubber::default();
    scrubber.scrub(client, server, 1000, &mut first);
    scrubber.scrub(client, server, 1000 + cut_at as u32, &mut second);
    let cut = [first, second].concat();
    assert_eq!(whole.len(), data.len());
    for (at, ((&sent, &masked_whole), &masked_cut)) in data.iter().zip(&whole).zip(&cut).enumerate()
    {
        assert!(
            masked_whole == sent || masked_whole == b'*',
            "byte {at} became {masked_whole}"
        );
        assert!(
            masked_cut == sent || masked_cut == b'*',
            "byte {at} became {masked_cut}"
        );
        assert!(
            masked_whole == sent || masked_cut == b'*',
            "byte {at} is masked whole but not cut at {cut_at}"
        );
    }
}

/// A message head as the framer would hand it over: parsed, then each header value read by
/// every header reader; and its bytes through the pcapng export's masking.
pub fn rtsp_head(data: &[u8]) {
    scrub_packets(data);
    let Ok(head) = message::parse_head(data) else {
        return;
    };
    assert!(head.headers.len() <= limits::MAX_HEADERS);
    if let message::StartLine::Request { uri, .. } = &head.start {
        let _ = mask_url_password(uri);
    }
    for (name, value) in &head.headers {
        read_header(name, value);
    }
}

/// One header value, any text: `selector: u8` then the value (lossy UTF-8). The selector picks
/// the header name the masking sees; every reader is tried on the value.
pub fn rtsp_headers(data: &[u8]) {
    let Some((&selector, value)) = data.split_first() else {
        return;
    };
    const NAMES: [&str; 9] = [
        "Transport",
        "Session",
        "Range",
        "RTP-Info",
        "CSeq",
        "Authorization",
        "Public",
        "WWW-Authenticate",
        "Proxy-Authorization",
    ];
    let name = NAMES[usize::from(selector) % NAMES.len()];
    read_header(name, &String::from_utf8_lossy(value));
}

/// An SDP body (lossy UTF-8).
pub fn sdp_body(data: &[u8]) {
    let body = String::from_utf8_lossy(data);
    if let Some(sdp) = sdp::parse_sdp(&body) {
        assert!(sdp.media.len() <= body.lines().count());
    }
}

/// A capture file through the whole engine to the model, and both reports written from it.
pub fn pipeline(data: &[u8]) {
    let Ok(mut reader) = CaptureReader::from_reader(
        Box::new(Cursor::new(data.to_vec())),
        Path::new("fuzz-input"),
        Some(data.len() as u64),
    ) else {
        return;
    };
    let model = engine::analyze(
        &mut reader,
        "fuzz-input",
        engine::Credentials::Masked,
        |_| true,
    );
    for (i, message) in model.messages.iter().enumerate() {
        assert_eq!(message.index, i);
        if let Some(pair) = message.pair {
            assert!(pair < model.messages.len());
        }
        if let Some(session) = message.session_index {
            assert!(session < model.sessions.len());
        }
    }
    for finding in &model.findings {
        if let Some(message) = finding.message {
            assert!(message < model.messages.len());
        }
    }
    report::json::write(&model, &mut std::io::sink()).expect("JSON report into a sink");
    report::text::write(&model, &mut std::io::sink()).expect("text report into a sink");
}
