//! Wires the stages together: packet → link → TCP flows → RTSP framer → sessions → model.
//!
//! Sans-IO: [`Engine::push`] takes one packet (from a file or a live interface) with its capture
//! timestamp, [`Engine::tick`] lets time pass when the wire is quiet, [`Engine::finish`] ends
//! the capture. [`Engine::take_updates`] drains what changed in the model since the last call
//! (for a window or a terminal that shows a capture while it is read); [`Engine::into_model`]
//! gives the whole model. No clocks, threads or files in here.

// Outside bytes reach this code: no unwrap or expect, no indexing that can panic (`get()`
// instead); tests may. The hot paths keep iterators and checked slices, which compile to the
// same code once the bounds are known.
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

use std::net::SocketAddr;

use foldhash::HashMap;

use crate::capture::file::{CaptureError, CaptureReader, ReadProblemKind};
use crate::capture::link::{self, Transport};
use crate::capture::{LinkType, Packet, Timestamp};
use crate::limits::{MAX_UNDECIDED_EVENTS, RTSP_DETECTION_BYTES};
use crate::model::{CaptureInfo, Model, Update};
use crate::rtsp::framer::{Framer, FramerEvent};
use crate::session::findings;
pub use crate::session::tracker::Credentials;
use crate::session::{Side, Tracker};
use crate::tcp::{ConnId, Direction, FlowTable, Forgotten, GapReason, StreamEvent, TcpEvent};

/// A run of this many well-formed interleaved frames and nothing else makes a connection RTSP
/// even when none of its messages is in the capture (joined in the middle of a stream).
const INTERLEAVED_RUN_FOR_DETECTION: u32 = 32;

/// What one direction of a connection yielded: framer output, or a hole or end of its stream.
/// Held back while it is not yet known whether the connection carries RTSP.
#[derive(Debug)]
enum StreamItem {
    Framed(FramerEvent),
    Gap {
        len: u64,
        reason: GapReason,
        frame: u64,
        ts: Timestamp,
    },
    End {
        reset: bool,
        frame: u64,
        ts: Timestamp,
    },
}

#[derive(Debug)]
enum Detection {
    Undecided {
        bytes: u64,
        interleaved_run: u32,
        held: Vec<(Side, StreamItem)>,
    },
    Rtsp,
    NotRtsp,
}

#[derive(Debug)]
struct ConnFraming {
    a: SocketAddr,
    b: SocketAddr,
    saw_syn: bool,
    opened_frame: u64,
    opened_ts: Timestamp,
    /// One framer per direction (A's bytes, B's bytes), made when the first bytes come: a
    /// flood of connections that never carry data costs only this small struct each.
    framers: Option<Box<[Framer; 2]>>,
    detection: Detection,
    snaplen_cut_reported: bool,
}

impl ConnFraming {
    fn framer(&mut self, side: Side) -> &mut Framer {
        let framers = self
            .framers
            .get_or_insert_with(|| Box::new([Framer::new(), Framer::new()]));
        let [from_a, from_b] = &mut **framers;
        match side {
            Side::A => from_a,
            Side::B => from_b,
        }
    }
}

#[derive(Debug, Default)]
pub struct Engine {
    flows: FlowTable,
    conns: HashMap<ConnId, ConnFraming>,
    tracker: Tracker,
    info: CaptureInfo,
    first_ts: Option<Timestamp>,
    last_ts: Timestamp,
    not_rtsp: Vec<ConnId>,
    events: Vec<(Side, StreamItem)>,
    /// TCP packets whose whole payload the snap length cut off (nothing of them to frame).
    payload_cut_entirely: u64,
    first_payload_cut_frame: u64,
    link_types_seen: Vec<LinkType>,
}

fn side_of(direction: Direction) -> Side {
    match direction {
        Direction::AToB => Side::A,
        Direction::BToA => Side::B,
    }
}

fn gap_reason_text(reason: GapReason) -> &'static str {
    match reason {
        GapReason::SnapLength => "the snap length cut the packet",
        GapReason::NotCaptured => "the peer acknowledged bytes the capture never showed",
        GapReason::BufferLimit => {
            "too much out-of-order data waited for a missing segment (limit reached)"
        }
        GapReason::EndOfCapture => "a segment is missing and the capture ended before it came",
        GapReason::Abandoned => {
            "a segment is missing and never came: the connection ended and was forgotten"
        }
        GapReason::MidStreamJoin => "the capture joined the connection in the middle",
    }
}

impl Engine {
    pub fn new() -> Self {
        Self::default()
    }

    /// An engine that keeps credentials as `credentials` says (masked by default).
    pub fn with_credentials(credentials: Credentials) -> Self {
        Self {
            tracker: Tracker::with_credentials(credentials),
            ..Self::default()
        }
    }

    /// Names the capture in the model (path, format, link types).
    pub fn describe_capture(&mut self, path: &str, format: &str) {
        self.info.path = path.to_string();
        self.info.format = format.to_string();
    }

    pub fn model(&self) -> &Model {
        self.tracker.model()
    }

    /// TCP connections whose state is held now: those open, and those closed in the last
    /// `limits::CLOSED_CONNECTION_LINGER_NANOS` of capture time.
    pub fn tracked_connections(&self) -> usize {
        self.flows.len()
    }

    /// One packet, in capture order.
    pub fn push(&mut self, packet: &Packet<'_>) {
        self.info.packets += 1;
        // Named once per link type, not per packet (the name is a fresh String).
        if !self.link_types_seen.contains(&packet.link_type) {
            self.link_types_seen.push(packet.link_type);
            let link = packet.link_type.name();
            if !self.info.link_types.contains(&link) {
                self.info.link_types.push(link);
            }
        }
        let first = *self.first_ts.get_or_insert(packet.ts);
        if packet.ts > self.last_ts {
            self.last_ts = packet.ts;
            self.info.duration = packet.ts.secs_since(first);
        }
        self.tracker.advance_to(packet.ts, packet.frame);
        match link::decode(packet.link_type, packet.data, packet.orig_len) {
            Ok(Transport::Tcp(segment)) => {
                if segment.payload.is_empty() && segment.missing_payload > 0 {
                    if self.payload_cut_entirely == 0 {
                        self.first_payload_cut_frame = packet.frame;
                    }
                    self.payload_cut_entirely += 1;
                }
                self.with_flows(|flows, out| {
                    flows.push(&segment, packet.frame, packet.ts, &mut |event| out(event));
                });
                for conn in self.not_rtsp.drain(..) {
                    self.flows.ignore(conn);
                }
            }
            Ok(Transport::Udp(datagram)) => {
                let length = datagram.payload.len() + datagram.missing_payload as usize;
                self.tracker.on_udp(
                    datagram.src,
                    datagram.dst,
                    datagram.payload,
                    length,
                    packet.ts,
                    packet.frame,
                );
            }
            Err(_) => self.info.packets_not_decoded += 1,
        }
    }

    /// Time passes with no packet (live capture on a quiet wire): fires the session timers.
    pub fn tick(&mut self, now: Timestamp) {
        self.tracker.advance_to(now, 0);
    }

    /// Records why reading stopped early; the model keeps everything before it.
    pub fn capture_problem(&mut self, kind: ReadProblemKind, detail: &str, after_frame: u64) {
        let text = match kind {
            ReadProblemKind::Truncated => format!("the capture is cut short: {detail}"),
            ReadProblemKind::Corrupt => format!("the capture is damaged: {detail}"),
            ReadProblemKind::Io => format!("reading the capture failed: {detail}"),
        };
        self.info.truncated = Some(text.clone());
        self.tracker
            .on_capture_finding(findings::CAPTURE_TRUNCATED, text, after_frame);
    }

    /// Packets the live capture lost (libpcap's drop counters went up by `dropped` since the
    /// last call), before the packet after `after_frame`.
    pub fn capture_dropped(&mut self, dropped: u64, after_frame: u64) {
        self.tracker.on_capture_finding(
            findings::CAPTURE_DROPPED,
            format!(
                "capture dropped {dropped} packets — gaps in the timeline may be from the capture"
            ),
            after_frame,
        );
    }

    /// The live capture's interface went down after `after_frame`: nothing is captured until it
    /// is up again.
    pub fn capture_interface_down(&mut self, interface: &str, after_frame: u64) {
        self.tracker.on_capture_finding(
            findings::CAPTURE_INTERFACE_DOWN,
            format!(
                "the interface {interface} went down: nothing was captured while it was down — gaps in the timeline may be from that"
            ),
            after_frame,
        );
    }

    /// Runs `step` on the flow table, its events going on through the rest of the pipeline.
    fn with_flows(&mut self, step: impl FnOnce(&mut FlowTable, &mut dyn FnMut(TcpEvent<'_>))) {
        let Engine {
            flows,
            conns,
            tracker,
            events,
            not_rtsp,
            ..
        } = self;
        step(flows, &mut |event| {
            on_tcp_event(conns, tracker, events, not_rtsp, event)
        });
    }

    /// End of the capture: flushes every stream and raises the findings that only the end can
    /// tell (requests that never got a reply).
    pub fn finish(&mut self) {
        self.with_flows(|flows, out| flows.finish(&mut |event| out(event)));
        for conn in self.rtsp_connections() {
            if let Some(framing) = self.conns.get_mut(&conn) {
                finish_framers(conn, framing, &mut self.tracker);
            }
        }
        if self.payload_cut_entirely > 0 {
            self.tracker.on_capture_finding(
                findings::SNAPLEN,
                format!(
                    "the snap length cut away the whole TCP payload of {} packets: RTSP in them cannot be read (capture again with a larger snap length, e.g. -s 0)",
                    self.payload_cut_entirely
                ),
                self.first_payload_cut_frame,
            );
        }
        self.update_tcp_stats();
        self.tracker.finish();
        *self.tracker.model_mut_capture() = self.info.clone();
    }

    /// The connections that carry RTSP, in connection order, so that a report is the same
    /// from run to run.
    fn rtsp_connections(&self) -> Vec<ConnId> {
        let mut rtsp: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, f)| matches!(f.detection, Detection::Rtsp))
            .map(|(&c, _)| c)
            .collect();
        rtsp.sort_unstable();
        rtsp
    }

    fn update_tcp_stats(&mut self) {
        for conn in self.rtsp_connections() {
            if let Some(stats) = self.flows.conn_stats(conn) {
                self.tracker.set_tcp_stats(conn, stats);
            }
        }
    }

    /// What changed in the model since the last call.
    pub fn take_updates(&mut self) -> Vec<Update> {
        self.update_tcp_stats();
        *self.tracker.model_mut_capture() = self.info.clone();
        self.tracker.take_updates()
    }

    pub fn into_model(self) -> Model {
        self.tracker.into_model()
    }
}

fn on_tcp_event(
    conns: &mut HashMap<ConnId, ConnFraming>,
    tracker: &mut Tracker,
    events: &mut Vec<(Side, StreamItem)>,
    not_rtsp: &mut Vec<ConnId>,
    event: TcpEvent<'_>,
) {
    match event {
        TcpEvent::Opened {
            conn,
            a,
            b,
            saw_syn,
            frame,
            ts,
        } => {
            conns.insert(
                conn,
                ConnFraming {
                    a,
                    b,
                    saw_syn,
                    opened_frame: frame,
                    opened_ts: ts,
                    framers: None,
                    detection: Detection::Undecided {
                        bytes: 0,
                        interleaved_run: 0,
                        held: Vec::new(),
                    },
                    snaplen_cut_reported: false,
                },
            );
        }
        TcpEvent::Evicted {
            conn, stats, why, ..
        } => {
            // Forgotten by the flow table: nothing more comes on it, so it ends here as every
            // connection does at the end of the capture, and its state goes.
            if let Some(mut framing) = conns.remove(&conn)
                && matches!(framing.detection, Detection::Rtsp)
            {
                finish_framers(conn, &mut framing, tracker);
                tracker.set_tcp_stats(conn, stats);
                let unended = match why {
                    // Closed: it has ended, and the tracker knows how.
                    Forgotten::Quiet => "",
                    Forgotten::Replaced => " before a new connection took over its ports",
                    Forgotten::Limit => {
                        " before it was forgotten (too many connections: limits::MAX_TCP_FLOWS)"
                    }
                };
                tracker.close_connection(conn, unended);
            }
        }
        TcpEvent::Stream {
            conn,
            direction,
            event,
        } => {
            let Some(framing) = conns.get_mut(&conn) else {
                return;
            };
            if matches!(framing.detection, Detection::NotRtsp) {
                return;
            }
            let side = side_of(direction);
            events.clear();
            match event {
                StreamEvent::Data { bytes, frame, ts } => {
                    if let Detection::Undecided { bytes: seen, .. } = &mut framing.detection {
                        *seen += bytes.len() as u64;
                    }
                    framing.framer(side).push_data(bytes, frame, ts, &mut |e| {
                        events.push((side, StreamItem::Framed(e)));
                    });
                }
                StreamEvent::Gap {
                    len,
                    reason,
                    frame,
                    ts,
                } => {
                    framing.framer(side).push_gap(len, frame, ts, &mut |e| {
                        events.push((side, StreamItem::Framed(e)));
                    });
                    events.push((
                        side,
                        StreamItem::Gap {
                            len,
                            reason,
                            frame,
                            ts,
                        },
                    ));
                }
                StreamEvent::End { reset, frame, ts } => {
                    events.push((side, StreamItem::End { reset, frame, ts }));
                }
            }
            route(conn, framing, tracker, events, not_rtsp);
        }
    }
}

/// The end of both directions' streams: a message the end cuts is framed as such.
fn finish_framers(conn: ConnId, framing: &mut ConnFraming, tracker: &mut Tracker) {
    let mut pending = Vec::new();
    if let Some(framers) = framing.framers.as_mut() {
        let [from_a, from_b] = &mut **framers;
        from_a.finish(&mut |e| pending.push((Side::A, e)));
        from_b.finish(&mut |e| pending.push((Side::B, e)));
    }
    for (side, event) in pending {
        deliver(
            tracker,
            conn,
            side,
            StreamItem::Framed(event),
            &mut framing.snaplen_cut_reported,
        );
    }
}

/// Hands what a connection yielded to the tracker once the connection is known to be RTSP;
/// holds it while that is still undecided.
fn route(
    conn: ConnId,
    framing: &mut ConnFraming,
    tracker: &mut Tracker,
    events: &mut Vec<(Side, StreamItem)>,
    not_rtsp: &mut Vec<ConnId>,
) {
    for (side, item) in events.drain(..) {
        match &mut framing.detection {
            Detection::Rtsp => {
                deliver(tracker, conn, side, item, &mut framing.snaplen_cut_reported)
            }
            Detection::NotRtsp => return,
            Detection::Undecided {
                interleaved_run,
                held,
                ..
            } => {
                let decisive = match &item {
                    StreamItem::Framed(FramerEvent::Message(_)) => true,
                    StreamItem::Framed(FramerEvent::Interleaved { .. }) => {
                        *interleaved_run += 1;
                        *interleaved_run >= INTERLEAVED_RUN_FOR_DETECTION
                    }
                    StreamItem::Framed(
                        FramerEvent::Garbage { .. } | FramerEvent::LimitHit { .. },
                    ) => {
                        *interleaved_run = 0;
                        false
                    }
                    StreamItem::Gap { .. } | StreamItem::End { .. } => false,
                };
                if held.len() < MAX_UNDECIDED_EVENTS {
                    held.push((side, item));
                }
                if decisive {
                    let held = std::mem::take(held);
                    framing.detection = Detection::Rtsp;
                    tracker.on_connection(
                        conn,
                        framing.a,
                        framing.b,
                        framing.saw_syn,
                        framing.opened_frame,
                        framing.opened_ts,
                    );
                    for (side, item) in held {
                        deliver(tracker, conn, side, item, &mut framing.snaplen_cut_reported);
                    }
                }
            }
        }
    }
    if let Detection::Undecided { bytes, .. } = framing.detection
        && bytes > RTSP_DETECTION_BYTES
    {
        framing.detection = Detection::NotRtsp;
        framing.framers = None;
        not_rtsp.push(conn);
    }
}

fn deliver(
    tracker: &mut Tracker,
    conn: ConnId,
    side: Side,
    item: StreamItem,
    snaplen_cut_reported: &mut bool,
) {
    let event = match item {
        StreamItem::Framed(event) => event,
        StreamItem::Gap {
            len,
            reason,
            frame,
            ts,
        } => {
            // A snap length cuts every packet: one finding says so, the gaps are counted.
            if reason == GapReason::SnapLength {
                if std::mem::replace(snaplen_cut_reported, true) {
                    return;
                }
                let text = format!(
                    "{} (later cut packets are counted in the connection's gaps)",
                    gap_reason_text(reason)
                );
                tracker.on_gap(conn, side, len, &text, frame, ts);
            } else {
                tracker.on_gap(conn, side, len, gap_reason_text(reason), frame, ts);
            }
            return;
        }
        StreamItem::End { reset, frame, ts } => {
            tracker.on_connection_end(conn, side, reset, frame, ts);
            return;
        }
    };
    match event {
        FramerEvent::Message(message) => tracker.on_message(conn, side, *message),
        FramerEvent::Interleaved {
            channel,
            length,
            frame,
            ts,
            complete,
            ..
        } => {
            tracker.on_interleaved(conn, side, channel, length, complete, frame, ts);
        }
        FramerEvent::Garbage {
            stream_offset,
            length,
            frame,
            ts,
            error,
            preview,
        } => {
            let why = error.map(|e| format!(" ({e})")).unwrap_or_default();
            tracker.on_malformed(
                conn,
                side,
                format!(
                    "{length} bytes at stream offset {stream_offset} are not RTSP{why}: {preview:?}"
                ),
                frame,
                ts,
            );
        }
        FramerEvent::LimitHit {
            stream_offset,
            frame,
            what,
            ..
        } => {
            tracker.on_limit(
                Some(conn),
                format!("at stream offset {stream_offset}: {what}"),
                frame,
            );
        }
    }
}

/// Reads a whole capture through the engine. `progress` is called now and then with the bytes
/// read so far; returning false cancels (the model then holds what was read).
pub fn analyze(
    reader: &mut CaptureReader,
    path: &str,
    credentials: Credentials,
    mut progress: impl FnMut(u64) -> bool,
) -> Model {
    let mut engine = Engine::with_credentials(credentials);
    engine.describe_capture(path, reader.format().name());
    loop {
        let read = reader.read_packets(4096, &mut |packet| engine.push(packet));
        if read == 0 || !progress(reader.bytes_read()) {
            break;
        }
    }
    if let Some(problem) = reader.problem() {
        engine.capture_problem(problem.kind, &problem.detail, problem.after_frame);
    }
    engine.info.bytes = reader.bytes_read();
    engine.finish();
    engine.into_model()
}

/// Opens and reads a capture file, credentials masked.
pub fn analyze_file(path: &std::path::Path) -> Result<Model, CaptureError> {
    analyze_file_with(path, Credentials::Masked)
}

pub fn analyze_file_with(
    path: &std::path::Path,
    credentials: Credentials,
) -> Result<Model, CaptureError> {
    let mut reader = CaptureReader::open(path)?;
    Ok(analyze(
        &mut reader,
        &path.display().to_string(),
        credentials,
        |_| true,
    ))
}
