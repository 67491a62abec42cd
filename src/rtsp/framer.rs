//! Cuts one direction of an RTSP connection into messages and `$`-interleaved frames.
//!
//! Sans-IO: feed the in-order bytes with [`Framer::push_data`], holes with [`Framer::push_gap`],
//! the end with [`Framer::finish`]; what it finds comes out of the `out` callback. Interleaved
//! payloads are skipped, never buffered; a head is buffered up to `limits::MAX_MESSAGE_HEAD`, a
//! body up to `limits::MAX_KEPT_BODY` and otherwise skipped by its Content-Length.
//!
//! # What comes out, and when
//!
//! - A [`FramerEvent::Message`] once its body is complete (its `frame` is the frame of its last
//!   byte, where tshark shows it), or when a gap or the end cuts it (`complete: false`, `frame`
//!   the frame of its last byte seen). A head cut before its end still comes out when its start
//!   line is there, even cut (`OPTIONS rtsp://127.0.0.1:8554/` then a snap-length gap).
//! - A [`FramerEvent::Interleaved`] once its payload is skipped or cut; `frame` is the frame of
//!   its last byte.
//! - A [`FramerEvent::Garbage`] for each run of bytes that is neither, when the run ends (at the
//!   next start found, a gap, or the end); `frame` is the frame of its first byte.
//! - A [`FramerEvent::LimitHit`] after the message it concerns.
//!
//! # Content-Length
//!
//! Past `limits::MAX_CONTENT_LENGTH` the length is believed corrupt: the message comes out at
//! once with `declared_body_length` as declared, `body_received` 0 and no body, then a
//! `LimitHit`, and the framer hunts for the next start instead of swallowing the stream. It
//! stays `complete`: nothing is missing from the capture, the body is not read by choice, and
//! the `LimitHit` says so. A Content-Length that is not a number (negative, garbage) is taken as
//! 0 with a `LimitHit`, and the framer hunts likewise.
//!
//! # Losing and finding sync
//!
//! After a gap, garbage or a refused start line the framer hunts for the next start: a status
//! line, a whole request line (found from its `RTSP/x.y`), or a `$` frame whose payload starts
//! like RTP/RTCP (version 2) and that is followed by another `$` or a message start. When the
//! bytes to check it against are not there (a gap, the end), a frame is believed on a low
//! channel (below 8) or one seen before, unless a message starts inside its payload. Right
//! after a gap the first byte is tried first: capture gaps usually end at a segment boundary,
//! where a message or frame starts.

#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

use std::sync::LazyLock;

use memchr::{memchr, memmem};

use crate::capture::Timestamp;
use crate::limits::{
    MAX_CONTENT_LENGTH, MAX_HEADERS, MAX_KEPT_BODY, MAX_MESSAGE_HEAD, MAX_RESYNC_LINE,
    MAX_RESYNC_SCAN,
};

use super::headers;
use super::message::{
    Message, ParseError, StartLine, check_start_prefix, is_ctl, parse_head_parts, parse_start_line,
    partial_start_line,
};

#[derive(Debug)]
pub enum FramerEvent {
    Message(Box<Message>),
    /// One `$` frame (RFC 2326 §10.12): its channel and length. `complete` is false when a gap
    /// or the end of the capture cut its payload.
    Interleaved {
        channel: u8,
        length: u16,
        frame: u64,
        ts: Timestamp,
        stream_offset: u64,
        complete: bool,
    },
    /// Bytes that are neither a message nor an interleaved frame, skipped up to the next
    /// plausible message start.
    Garbage {
        stream_offset: u64,
        length: u64,
        frame: u64,
        ts: Timestamp,
        error: Option<ParseError>,
        preview: String,
    },
    /// A head that grew past the limit, a Content-Length past the limit, ...: the framer
    /// resynchronised. `what` says which limit.
    LimitHit {
        stream_offset: u64,
        frame: u64,
        ts: Timestamp,
        what: String,
    },
}

/// `$`, channel, 16-bit length.
const FRAME_HEADER: usize = 4;

/// Bytes after a frame's end looked at to tell whether a message starts there: `RTSP/` or a
/// method of up to `MAX_METHOD_LEN` bytes and its space.
const CONFIRM_BYTES: usize = super::message::MAX_METHOD_LEN + 2;

/// Most bytes a hunt holds to decide whether a `$` starts a frame: the longest frame and
/// what follows it.
const MAX_FRAME_CHECK: usize = FRAME_HEADER + u16::MAX as usize + CONFIRM_BYTES;

/// Smallest payload believed when hunting: an RTCP header. RTP's is 12.
const MIN_HUNTED_PAYLOAD: usize = 4;

/// Bytes of a garbage run shown in its preview.
const PREVIEW_BYTES: usize = 32;

static RTSP_FINDER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"RTSP/"));

/// Methods a hunt prefers when binary bytes run into a request line (`\x8aPLAY` is `PLAY`).
const KNOWN_METHODS: [&[u8]; 12] = [
    b"OPTIONS",
    b"DESCRIBE",
    b"ANNOUNCE",
    b"SETUP",
    b"PLAY",
    b"PAUSE",
    b"TEARDOWN",
    b"GET_PARAMETER",
    b"SET_PARAMETER",
    b"REDIRECT",
    b"RECORD",
    b"PLAY_NOTIFY",
];

#[derive(Debug)]
pub struct Framer {
    state: State,
    /// Bytes kept because a decision needs more of them: a `$` header or start line not yet
    /// whole, a head up to its empty line, what a hunt has not decided yet.
    held: Held,
    /// Bytes taken back out of `held` to be framed again (after a refused start, or up to a
    /// start a hunt found), oldest on top; framed before any new data.
    replay: Vec<Replay>,
    /// Stream offset just past everything pushed (data and gaps).
    end_offset: u64,
    saw_rtsp: bool,
    /// Channels of the frames that were framed whole, one bit each.
    channels: [u64; 4],
    garbage: Option<GarbageRun>,
    /// Set while a gap or the end is being handled: decisions that would wait for more bytes
    /// are taken with what is there, once the last of it is being framed (`last_piece`).
    ending: bool,
    /// The bytes being framed are the last ones there are for now (not a replayed piece with
    /// more replayed pieces after it).
    last_piece: bool,
    /// Hunting bytes left in the current `push_data` call (`limits::MAX_RESYNC_SCAN`).
    scan_budget: usize,
}

#[derive(Debug)]
enum State {
    /// Where a message or a frame starts. `trusted`: reached by framing (the end of the
    /// previous message or frame), so a `$` there is a frame; after a gap, a `$` must look
    /// like one.
    Boundary {
        trusted: bool,
    },
    /// `held` has the beginning of a `$` header or start line.
    Start {
        trusted: bool,
    },
    /// `held` has a start line (whole, or cut when `ending`) and the headers so far.
    Head,
    Body(Box<BodyState>),
    Payload(PayloadState),
    /// Sync lost: looking for the next start. `held` has what could still be one.
    Hunt,
}

#[derive(Debug)]
struct BodyState {
    message: Box<Message>,
    remaining: u64,
    /// The body so far, while it may still be kept.
    kept: Option<Vec<u8>>,
}

#[derive(Debug)]
struct PayloadState {
    channel: u8,
    length: u16,
    stream_offset: u64,
    remaining: u64,
    cut: bool,
    frame: u64,
    ts: Timestamp,
}

#[derive(Debug)]
struct GarbageRun {
    stream_offset: u64,
    length: u64,
    frame: u64,
    ts: Timestamp,
    error: Option<ParseError>,
    preview: Vec<u8>,
}

/// Where, in `Held::bytes`, the bytes of a pushed chunk begin.
#[derive(Debug, Clone, Copy)]
struct Mark {
    at: usize,
    frame: u64,
    ts: Timestamp,
}

#[derive(Debug, Default)]
struct Held {
    bytes: Vec<u8>,
    /// Stream offset of `bytes[0]`.
    offset: u64,
    /// Never empty while `bytes` is not; the first is at 0.
    marks: Vec<Mark>,
}

#[derive(Debug)]
struct Replay {
    held: Held,
    pos: usize,
}

/// Some bytes of a stream with where they are in it and the packet they came in.
#[derive(Debug, Clone, Copy)]
struct Chunk<'a> {
    bytes: &'a [u8],
    offset: u64,
    frame: u64,
    ts: Timestamp,
}

impl<'a> Chunk<'a> {
    fn head(&self, n: usize) -> &'a [u8] {
        self.bytes.get(..n).unwrap_or(self.bytes)
    }
}

/// Whether bytes start a frame or message, as far as they go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judge {
    Yes,
    No,
    NeedMore,
}

/// What a hunt found in a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// A start at this index.
    At(usize),
    /// Nothing before this index; what follows may still be a start.
    Hold(usize),
    Nothing,
}

/// How a start line looks so far.
enum LineStart {
    /// Whole and valid, ending (LF included) at this index.
    Whole(usize),
    /// Cut by a gap or the end, and clearly a start line.
    Cut,
    NeedMore,
    /// Longer than `MAX_MESSAGE_HEAD` without its end.
    TooLong,
    Refused(ParseError),
}

impl Held {
    fn len(&self) -> usize {
        self.bytes.len()
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn push(&mut self, data: &[u8], offset: u64, frame: u64, ts: Timestamp) {
        if data.is_empty() {
            return;
        }
        if self.bytes.is_empty() {
            self.offset = offset;
            self.marks.clear();
        }
        if self
            .marks
            .last()
            .is_none_or(|m| m.frame != frame || m.ts != ts)
        {
            self.marks.push(Mark {
                at: self.bytes.len(),
                frame,
                ts,
            });
        }
        self.bytes.extend_from_slice(data);
    }

    fn first(&self) -> (u64, Timestamp) {
        self.marks
            .first()
            .map_or((0, Timestamp(0)), |m| (m.frame, m.ts))
    }

    fn last(&self) -> (u64, Timestamp) {
        self.marks
            .last()
            .map_or((0, Timestamp(0)), |m| (m.frame, m.ts))
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.marks.clear();
    }

    /// The last two bytes, where a head's empty line may have begun.
    fn tail(&self) -> &[u8] {
        self.bytes
            .get(self.bytes.len().saturating_sub(2)..)
            .unwrap_or_default()
    }

    /// Forgets the first `n` bytes.
    fn discard_front(&mut self, n: usize) {
        let n = n.min(self.bytes.len());
        if n == 0 {
            return;
        }
        if n == self.bytes.len() {
            self.offset += n as u64;
            self.clear();
            return;
        }
        self.bytes.drain(..n);
        self.offset += n as u64;
        let keep_from = self.marks.iter().rposition(|m| m.at <= n).unwrap_or(0);
        self.marks.drain(..keep_from);
        for mark in &mut self.marks {
            mark.at = mark.at.saturating_sub(n);
        }
    }

    /// Takes out the bytes from `from` on, leaving nothing held.
    fn take_from(&mut self, from: usize) -> Held {
        self.discard_front(from);
        std::mem::take(self)
    }

    /// The end of the chunk that `pos` is in, and that chunk's frame and time.
    fn segment_at(&self, pos: usize) -> (usize, u64, Timestamp) {
        let i = self
            .marks
            .partition_point(|m| m.at <= pos)
            .saturating_sub(1);
        let end = self.marks.get(i + 1).map_or(self.bytes.len(), |m| m.at);
        let (frame, ts) = self
            .marks
            .get(i)
            .map_or((0, Timestamp(0)), |m| (m.frame, m.ts));
        (end, frame, ts)
    }
}

impl Default for Framer {
    fn default() -> Self {
        Framer {
            // The first byte may come from a connection joined in the middle: a `$` there
            // must look like a frame.
            state: State::Boundary { trusted: false },
            held: Held::default(),
            replay: Vec::new(),
            end_offset: 0,
            saw_rtsp: false,
            channels: [0; 4],
            garbage: None,
            ending: false,
            last_piece: true,
            scan_budget: MAX_RESYNC_SCAN,
        }
    }
}

impl Framer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push_data(
        &mut self,
        bytes: &[u8],
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(FramerEvent),
    ) {
        if bytes.is_empty() {
            return;
        }
        self.scan_budget = MAX_RESYNC_SCAN;
        let chunk = Chunk {
            bytes,
            offset: self.end_offset,
            frame,
            ts,
        };
        self.end_offset += bytes.len() as u64;
        self.run(chunk, out);
    }

    pub fn push_gap(
        &mut self,
        length: u64,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(FramerEvent),
    ) {
        // Events about what the gap cut belong to the last bytes seen, not to the packet that
        // revealed the gap.
        let _ = (frame, ts);
        if length == 0 {
            return;
        }
        self.settle(out);
        self.end_offset += length;
        self.drop_undecided();
        let state = std::mem::replace(&mut self.state, State::Boundary { trusted: false });
        match state {
            State::Boundary { .. } | State::Start { .. } | State::Hunt => {}
            State::Head => self.emit_cut_head(false, out),
            State::Body(mut body) => {
                body.kept = None;
                body.message.complete = false;
                if length < body.remaining {
                    body.remaining -= length;
                    self.state = State::Body(body);
                } else {
                    let past = length - body.remaining;
                    self.emit_message(body.message, out);
                    self.state = State::Boundary { trusted: past == 0 };
                }
            }
            State::Payload(mut payload) => {
                payload.cut = true;
                if length < payload.remaining {
                    payload.remaining -= length;
                    self.state = State::Payload(payload);
                } else {
                    let past = length - payload.remaining;
                    self.emit_payload(&payload, out);
                    self.state = State::Boundary { trusted: past == 0 };
                }
            }
        }
        self.flush_garbage(out);
    }

    pub fn finish(&mut self, out: &mut impl FnMut(FramerEvent)) {
        self.settle(out);
        self.drop_undecided();
        let state = std::mem::replace(&mut self.state, State::Boundary { trusted: false });
        match state {
            State::Boundary { .. } | State::Start { .. } | State::Hunt => {}
            State::Head => self.emit_cut_head(false, out),
            State::Body(mut body) => {
                body.message.complete = false;
                body.kept = None;
                self.emit_message(body.message, out);
            }
            State::Payload(mut payload) => {
                payload.cut = true;
                self.emit_payload(&payload, out);
            }
        }
        self.flush_garbage(out);
    }

    /// Whether the framer has seen at least one RTSP message (a stream that never shows one
    /// is not RTSP). A message cut by the capture counts once its start line is clear.
    pub fn saw_rtsp(&self) -> bool {
        self.saw_rtsp
    }

    /// Bytes of the stream consumed so far.
    pub fn stream_offset(&self) -> u64 {
        self.end_offset
    }

    /// Bytes held waiting for a decision (a head, a start line, a frame a hunt is checking):
    /// at most `limits::MAX_MESSAGE_HEAD` or one interleaved frame and a few bytes.
    pub fn buffered_len(&self) -> usize {
        self.held.len() + self.replay.iter().map(|r| r.held.len()).sum::<usize>()
    }

    /// Decides what waited for more bytes, with what is there: a gap or the end comes next.
    fn settle(&mut self, out: &mut impl FnMut(FramerEvent)) {
        self.ending = true;
        match self.state {
            State::Start { trusted } => {
                let held = std::mem::take(&mut self.held);
                self.state = State::Boundary { trusted };
                self.replay.push(Replay { held, pos: 0 });
            }
            State::Hunt if !self.held.is_empty() => {
                let held = std::mem::take(&mut self.held);
                self.replay.push(Replay { held, pos: 0 });
            }
            _ => {}
        }
        self.drain_replay(out);
        self.ending = false;
    }

    /// After `settle` nothing should wait for a decision; whatever still does is garbage.
    fn drop_undecided(&mut self) {
        if matches!(self.state, State::Start { .. } | State::Hunt) && !self.held.is_empty() {
            let held = std::mem::take(&mut self.held);
            let (frame, ts) = held.first();
            self.add_garbage(&held.bytes, held.offset, frame, ts, None);
        }
    }

    fn run(&mut self, chunk: Chunk<'_>, out: &mut impl FnMut(FramerEvent)) {
        let mut pos = 0;
        loop {
            self.drain_replay(out);
            let Some(rest) = chunk.bytes.get(pos..).filter(|r| !r.is_empty()) else {
                break;
            };
            let piece = Chunk {
                bytes: rest,
                offset: chunk.offset + pos as u64,
                ..chunk
            };
            self.last_piece = true;
            pos += self.step_with_progress(piece, out);
        }
    }

    fn drain_replay(&mut self, out: &mut impl FnMut(FramerEvent)) {
        while let Some(mut replay) = self.replay.pop() {
            let below = self.replay.len();
            let (end, frame, ts) = replay.held.segment_at(replay.pos);
            let bytes = replay.held.bytes.get(replay.pos..end).unwrap_or_default();
            let piece = Chunk {
                bytes,
                offset: replay.held.offset + replay.pos as u64,
                frame,
                ts,
            };
            self.last_piece = end >= replay.held.len() && self.replay.is_empty();
            replay.pos += self.step_with_progress(piece, out);
            if replay.pos < replay.held.len() {
                // Whatever the step handed back is older than the rest of this replay.
                self.replay.insert(below, replay);
            }
        }
    }

    /// One step, and a guarantee of progress: a step may consume nothing when it only changes
    /// state, but never twice in a row on the same bytes.
    fn step_with_progress(&mut self, chunk: Chunk<'_>, out: &mut impl FnMut(FramerEvent)) -> usize {
        for _ in 0..8 {
            let n = self.step(chunk, out);
            if n > 0 || !self.replay.is_empty() {
                return n;
            }
        }
        // Not reached by construction; if it were, losing a byte beats looping forever.
        let stuck = true;
        debug_assert!(!stuck, "framer made no progress in {:?}", self.state);
        self.add_garbage(chunk.head(1), chunk.offset, chunk.frame, chunk.ts, None);
        self.state = State::Hunt;
        1
    }

    fn step(&mut self, chunk: Chunk<'_>, out: &mut impl FnMut(FramerEvent)) -> usize {
        match self.state {
            State::Boundary { trusted } => self.step_boundary(chunk, trusted, out),
            State::Start { trusted } => self.step_start(chunk, trusted, out),
            State::Head => self.step_head(chunk, out),
            State::Body(_) => self.step_body(chunk, out),
            State::Payload(_) => self.step_payload(chunk, out),
            State::Hunt => self.step_hunt(chunk, out),
        }
    }

    fn step_boundary(
        &mut self,
        chunk: Chunk<'_>,
        trusted: bool,
        out: &mut impl FnMut(FramerEvent),
    ) -> usize {
        let b = chunk.bytes;
        match b.first() {
            None => 0,
            // Blank lines between messages: some clients send CR LF as a keep-alive.
            Some(b'\r' | b'\n') => b
                .iter()
                .position(|&c| c != b'\r' && c != b'\n')
                .unwrap_or(b.len()),
            Some(b'$') => {
                let judge = if trusted {
                    if b.len() >= FRAME_HEADER {
                        Judge::Yes
                    } else if self.ending() {
                        Judge::No
                    } else {
                        Judge::NeedMore
                    }
                } else {
                    self.judge_dollar(b)
                };
                match judge {
                    Judge::Yes => {
                        self.begin_payload(b, chunk.offset, chunk.frame, chunk.ts, out);
                        FRAME_HEADER
                    }
                    Judge::No => {
                        let error = ParseError {
                            pos: 0,
                            context: "interleaved-frame".into(),
                        };
                        self.refuse(chunk, Some(error))
                    }
                    Judge::NeedMore => {
                        self.held.push(b, chunk.offset, chunk.frame, chunk.ts);
                        self.state = State::Start { trusted };
                        b.len()
                    }
                }
            }
            Some(_) => {
                // A line end past the limit counts as none: the line is too long either way.
                let (line, add) = match memchr(b'\n', b) {
                    Some(lf) if lf < MAX_MESSAGE_HEAD => (chunk.head(lf + 1), lf + 1),
                    _ => {
                        let line = chunk.head(MAX_MESSAGE_HEAD);
                        (line, line.len())
                    }
                };
                match self.judge_line(line, line) {
                    LineStart::Whole(end) => {
                        self.held
                            .push(chunk.head(end), chunk.offset, chunk.frame, chunk.ts);
                        self.state = State::Head;
                        end
                    }
                    LineStart::Cut => {
                        self.held.push(line, chunk.offset, chunk.frame, chunk.ts);
                        self.state = State::Head;
                        add
                    }
                    LineStart::NeedMore => {
                        self.held.push(line, chunk.offset, chunk.frame, chunk.ts);
                        self.state = State::Start { trusted };
                        add
                    }
                    LineStart::TooLong => {
                        let keep = chunk.head(MAX_MESSAGE_HEAD);
                        self.held.push(keep, chunk.offset, chunk.frame, chunk.ts);
                        self.state = State::Start { trusted };
                        self.start_line_too_long(out);
                        keep.len()
                    }
                    LineStart::Refused(error) => self.refuse(chunk, Some(error)),
                }
            }
        }
    }

    /// The first byte of `chunk` starts nothing: it is garbage, and the hunt goes on from the
    /// next one.
    fn refuse(&mut self, chunk: Chunk<'_>, error: Option<ParseError>) -> usize {
        self.add_garbage(chunk.head(1), chunk.offset, chunk.frame, chunk.ts, error);
        self.state = State::Hunt;
        1
    }

    /// How the start line in `line` (the first line of what is framed, up to and including its
    /// LF if there is one) looks. `new` is the part not checked before.
    fn judge_line(&self, line: &[u8], new: &[u8]) -> LineStart {
        if line.last() == Some(&b'\n') {
            let text = line.get(..line.len() - 1).unwrap_or_default();
            return match parse_start_line(text) {
                Ok(_) => LineStart::Whole(line.len()),
                Err(error) => LineStart::Refused(error),
            };
        }
        // A CR may be the one before an LF still to come, and whitespace (a form feed too) may
        // end the line, which `parse_start_line` trims: only those wait for the whole line.
        if let Some(bad) = new
            .iter()
            .position(|&c| is_ctl(c) && !c.is_ascii_whitespace())
        {
            let pos = line.len() - new.len() + bad;
            return LineStart::Refused(ParseError {
                pos,
                context: "start-line".into(),
            });
        }
        if let Err(error) = check_start_prefix(line) {
            return LineStart::Refused(error);
        }
        if self.ending() {
            return match partial_start_line(line) {
                Some(_) => LineStart::Cut,
                None => LineStart::Refused(ParseError {
                    pos: line.len(),
                    context: "start-line (cut by the capture)".into(),
                }),
            };
        }
        if line.len() >= MAX_MESSAGE_HEAD {
            LineStart::TooLong
        } else {
            LineStart::NeedMore
        }
    }

    fn step_start(
        &mut self,
        chunk: Chunk<'_>,
        trusted: bool,
        out: &mut impl FnMut(FramerEvent),
    ) -> usize {
        let b = chunk.bytes;
        if self.held.bytes.first() == Some(&b'$') {
            if trusted {
                let add = FRAME_HEADER.saturating_sub(self.held.len()).min(b.len());
                self.held
                    .push(chunk.head(add), chunk.offset, chunk.frame, chunk.ts);
                if self.held.len() >= FRAME_HEADER {
                    let header = std::mem::take(&mut self.held);
                    self.begin_payload(&header.bytes, header.offset, chunk.frame, chunk.ts, out);
                } else if self.ending() {
                    self.refuse_held(Some(ParseError {
                        pos: self.held.len(),
                        context: "interleaved-frame (header cut by the capture)".into(),
                    }));
                }
                return add;
            }
            let add = MAX_FRAME_CHECK.saturating_sub(self.held.len()).min(b.len());
            self.held
                .push(chunk.head(add), chunk.offset, chunk.frame, chunk.ts);
            let judge = self.judge_dollar(&self.held.bytes);
            match judge {
                Judge::Yes => {
                    let held = std::mem::take(&mut self.held);
                    self.state = State::Boundary { trusted: true };
                    self.replay.push(Replay { held, pos: 0 });
                }
                Judge::No => self.refuse_held(Some(ParseError {
                    pos: 0,
                    context: "interleaved-frame".into(),
                })),
                Judge::NeedMore => {}
            }
            return add;
        }
        let add = memchr(b'\n', b).map_or(b.len(), |lf| lf + 1);
        let room = (MAX_MESSAGE_HEAD + 1).saturating_sub(self.held.len());
        let add = add.min(room);
        let new = chunk.head(add);
        self.held.push(new, chunk.offset, chunk.frame, chunk.ts);
        match self.judge_line(&self.held.bytes, new) {
            LineStart::Whole(_) | LineStart::Cut => self.state = State::Head,
            LineStart::NeedMore => {}
            LineStart::TooLong => self.start_line_too_long(out),
            LineStart::Refused(error) => self.refuse_held(Some(error)),
        }
        add
    }

    /// The held bytes start nothing: the first is garbage, the rest is hunted again.
    fn refuse_held(&mut self, error: Option<ParseError>) {
        let (frame, ts) = self.held.first();
        let offset = self.held.offset;
        let first = self.held.bytes.get(..1).unwrap_or_default().to_vec();
        self.add_garbage(&first, offset, frame, ts, error);
        let rest = self.held.take_from(1);
        self.state = State::Hunt;
        if !rest.is_empty() {
            self.replay.push(Replay { held: rest, pos: 0 });
        }
    }

    /// A first line as long as a whole head may be, and no end in sight.
    fn start_line_too_long(&mut self, out: &mut impl FnMut(FramerEvent)) {
        let (frame, ts) = self.held.last();
        let offset = self.held.offset;
        if partial_start_line(&self.held.bytes).is_some() {
            self.emit_cut_head(true, out);
        } else {
            self.held.clear();
        }
        out(FramerEvent::LimitHit {
            stream_offset: offset,
            frame,
            ts,
            what: format!(
                "start line longer than {MAX_MESSAGE_HEAD} bytes (limits::MAX_MESSAGE_HEAD): skipped"
            ),
        });
        self.state = State::Hunt;
    }

    fn step_head(&mut self, chunk: Chunk<'_>, out: &mut impl FnMut(FramerEvent)) -> usize {
        let room = MAX_MESSAGE_HEAD.saturating_sub(self.held.len());
        match find_head_end(self.held.tail(), chunk.bytes) {
            Some(end) if end <= room => {
                self.held
                    .push(chunk.head(end), chunk.offset, chunk.frame, chunk.ts);
                self.end_head(chunk.frame, chunk.ts, out);
                end
            }
            found => {
                if found.is_none() && chunk.bytes.len() <= room {
                    self.held
                        .push(chunk.bytes, chunk.offset, chunk.frame, chunk.ts);
                    return chunk.bytes.len();
                }
                // Never buffer past the limit, whatever the sender keeps sending.
                self.held
                    .push(chunk.head(room), chunk.offset, chunk.frame, chunk.ts);
                let offset = self.held.offset;
                self.emit_cut_head(true, out);
                out(FramerEvent::LimitHit {
                    stream_offset: offset,
                    frame: chunk.frame,
                    ts: chunk.ts,
                    what: format!(
                        "message head longer than {MAX_MESSAGE_HEAD} bytes (limits::MAX_MESSAGE_HEAD): \
                         kept its first headers, skipped the rest"
                    ),
                });
                self.state = State::Hunt;
                room
            }
        }
    }

    /// `held` is a whole head; its last byte came in `frame`.
    fn end_head(&mut self, frame: u64, ts: Timestamp, out: &mut impl FnMut(FramerEvent)) {
        let held = std::mem::take(&mut self.held);
        let (first_frame, first_ts) = held.first();
        let parsed = match parse_head_parts(&held.bytes, false) {
            Ok(parsed) => parsed,
            Err(error) => {
                // The start line was checked before the head was buffered; kept for safety.
                self.add_garbage(&held.bytes, held.offset, first_frame, first_ts, Some(error));
                self.state = State::Hunt;
                return;
            }
        };
        let length = match parsed.head.header("Content-Length") {
            None => Ok(0),
            Some(value) => headers::content_length(value).map_err(|e| (value.to_string(), e)),
        };
        let mut message = Box::new(Message {
            head: parsed.head,
            declared_body_length: 0,
            body_received: 0,
            body: None,
            stream_offset: held.offset,
            head_length: held.len(),
            first_frame,
            frame,
            first_ts,
            ts,
            complete: true,
            cut_by_limit: false,
        });
        let body_offset = held.offset + held.len() as u64;
        let mut limit = None;
        if parsed.dropped_headers > 0 {
            limit = Some(format!(
                "{} headers past the first {MAX_HEADERS} (limits::MAX_HEADERS) not kept",
                parsed.dropped_headers
            ));
        }
        self.state = State::Boundary { trusted: true };
        match length {
            Ok(0) => {
                message.body = Some(Vec::new());
                self.emit_message(message, out);
            }
            Ok(n) if n <= MAX_CONTENT_LENGTH => {
                message.declared_body_length = n;
                let kept = usize::try_from(n)
                    .ok()
                    .filter(|&n| n <= MAX_KEPT_BODY)
                    .map(Vec::with_capacity);
                self.state = State::Body(Box::new(BodyState {
                    message,
                    remaining: n,
                    kept,
                }));
            }
            Ok(n) => {
                message.declared_body_length = n;
                self.emit_message(message, out);
                self.state = State::Hunt;
                limit = Some(format!(
                    "Content-Length {n} is past {MAX_CONTENT_LENGTH} (limits::MAX_CONTENT_LENGTH): \
                     body not read, looking for the next message"
                ));
            }
            Err((value, _)) => {
                message.body = Some(Vec::new());
                self.emit_message(message, out);
                self.state = State::Hunt;
                limit = Some(format!(
                    "Content-Length {value:?} is not a length: taken as 0, looking for the next message"
                ));
            }
        }
        if let Some(what) = limit {
            out(FramerEvent::LimitHit {
                stream_offset: body_offset,
                frame,
                ts,
                what,
            });
        }
    }

    fn step_body(&mut self, chunk: Chunk<'_>, out: &mut impl FnMut(FramerEvent)) -> usize {
        let State::Body(body) = &mut self.state else {
            return 0;
        };
        let take = usize::try_from(body.remaining)
            .unwrap_or(usize::MAX)
            .min(chunk.bytes.len());
        if let Some(kept) = &mut body.kept {
            kept.extend_from_slice(chunk.head(take));
        }
        body.remaining -= take as u64;
        body.message.body_received += take as u64;
        body.message.frame = chunk.frame;
        body.message.ts = chunk.ts;
        if body.remaining == 0 {
            let state = std::mem::replace(&mut self.state, State::Boundary { trusted: true });
            if let State::Body(mut body) = state {
                body.message.body = body.kept.take();
                self.emit_message(body.message, out);
            }
        }
        take
    }

    /// `header` starts with a `$` header, judged to be one.
    fn begin_payload(
        &mut self,
        header: &[u8],
        offset: u64,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(FramerEvent),
    ) {
        let (channel, length) = frame_header(header).unwrap_or((0, 0));
        let payload = PayloadState {
            channel,
            length,
            stream_offset: offset,
            remaining: u64::from(length),
            cut: false,
            frame,
            ts,
        };
        if length == 0 {
            self.emit_payload(&payload, out);
            self.state = State::Boundary { trusted: true };
        } else {
            self.state = State::Payload(payload);
        }
    }

    fn step_payload(&mut self, chunk: Chunk<'_>, out: &mut impl FnMut(FramerEvent)) -> usize {
        let State::Payload(payload) = &mut self.state else {
            return 0;
        };
        let take = usize::try_from(payload.remaining)
            .unwrap_or(usize::MAX)
            .min(chunk.bytes.len());
        payload.remaining -= take as u64;
        payload.frame = chunk.frame;
        payload.ts = chunk.ts;
        if payload.remaining == 0 {
            let state = std::mem::replace(&mut self.state, State::Boundary { trusted: true });
            if let State::Payload(payload) = state {
                self.emit_payload(&payload, out);
            }
        }
        take
    }

    fn emit_payload(&mut self, payload: &PayloadState, out: &mut impl FnMut(FramerEvent)) {
        if !payload.cut
            && let Some(bits) = self.channels.get_mut(usize::from(payload.channel >> 6))
        {
            *bits |= 1 << (payload.channel & 63);
        }
        out(FramerEvent::Interleaved {
            channel: payload.channel,
            length: payload.length,
            frame: payload.frame,
            ts: payload.ts,
            stream_offset: payload.stream_offset,
            complete: !payload.cut,
        });
    }

    fn emit_message(&mut self, message: Box<Message>, out: &mut impl FnMut(FramerEvent)) {
        self.saw_rtsp = true;
        out(FramerEvent::Message(message));
    }

    /// `held` is a head cut before its empty line: out it goes, incomplete, if its start line
    /// can be read.
    fn emit_cut_head(&mut self, by_limit: bool, out: &mut impl FnMut(FramerEvent)) {
        let held = std::mem::take(&mut self.held);
        let (first_frame, first_ts) = held.first();
        let (frame, ts) = held.last();
        match parse_head_parts(&held.bytes, true) {
            Ok(parsed) => {
                let declared = parsed
                    .head
                    .header("Content-Length")
                    .and_then(|v| headers::content_length(v).ok())
                    .unwrap_or(0);
                let message = Box::new(Message {
                    head: parsed.head,
                    declared_body_length: declared,
                    body_received: 0,
                    body: None,
                    stream_offset: held.offset,
                    head_length: held.len(),
                    first_frame,
                    frame,
                    first_ts,
                    ts,
                    complete: false,
                    cut_by_limit: by_limit,
                });
                self.emit_message(message, out);
            }
            Err(error) => {
                self.add_garbage(&held.bytes, held.offset, first_frame, first_ts, Some(error));
            }
        }
    }

    fn step_hunt(&mut self, chunk: Chunk<'_>, out: &mut impl FnMut(FramerEvent)) -> usize {
        let b = chunk.bytes;
        if self.scan_budget == 0 {
            // Given up on this chunk (limits::MAX_RESYNC_SCAN): the rest of it is garbage.
            if !self.held.is_empty() {
                let held = std::mem::take(&mut self.held);
                let (frame, ts) = held.first();
                self.add_garbage(&held.bytes, held.offset, frame, ts, None);
            }
            self.add_garbage(b, chunk.offset, chunk.frame, chunk.ts, None);
            return b.len();
        }
        if self.held.is_empty() {
            let scan = chunk.head(self.scan_budget);
            let found = self.hunt(scan);
            // Charged with the bytes passed over, not the window: a stream with many short
            // runs of garbage in one chunk must not run out where the same stream in small
            // chunks would not (found by the `rtsp_framer` fuzz target).
            let passed_over = match found {
                Found::At(at) => at,
                Found::Hold(at) if scan.len() == b.len() => at,
                Found::Hold(_) | Found::Nothing => scan.len(),
            };
            self.scan_budget = self.scan_budget.saturating_sub(passed_over);
            return match found {
                Found::At(at) => {
                    self.add_garbage(chunk.head(at), chunk.offset, chunk.frame, chunk.ts, None);
                    self.flush_garbage(out);
                    self.state = State::Boundary { trusted: true };
                    at
                }
                Found::Hold(at) if scan.len() == b.len() => {
                    self.add_garbage(chunk.head(at), chunk.offset, chunk.frame, chunk.ts, None);
                    let rest = b.get(at..).unwrap_or_default();
                    self.held
                        .push(rest, chunk.offset + at as u64, chunk.frame, chunk.ts);
                    b.len()
                }
                Found::Hold(_) | Found::Nothing => {
                    self.add_garbage(scan, chunk.offset, chunk.frame, chunk.ts, None);
                    scan.len()
                }
            };
        }
        let add = MAX_FRAME_CHECK
            .saturating_sub(self.held.len())
            .min(b.len())
            .min(self.scan_budget);
        self.scan_budget = self.scan_budget.saturating_sub(add);
        self.held
            .push(chunk.head(add), chunk.offset, chunk.frame, chunk.ts);
        let found = self.hunt(&self.held.bytes);
        let (frame, ts) = self.held.first();
        let offset = self.held.offset;
        match found {
            Found::At(at) => {
                let garbage = self.held.bytes.get(..at).unwrap_or_default().to_vec();
                self.add_garbage(&garbage, offset, frame, ts, None);
                self.flush_garbage(out);
                let rest = self.held.take_from(at);
                self.state = State::Boundary { trusted: true };
                self.replay.push(Replay { held: rest, pos: 0 });
            }
            Found::Hold(at) if at > 0 || add > 0 => {
                let garbage = self.held.bytes.get(..at).unwrap_or_default().to_vec();
                self.add_garbage(&garbage, offset, frame, ts, None);
                self.held.discard_front(at);
            }
            Found::Hold(_) | Found::Nothing => {
                let held = std::mem::take(&mut self.held);
                self.add_garbage(&held.bytes, offset, frame, ts, None);
            }
        }
        add
    }

    /// The first start in `buf`, or where a start may begin that needs more bytes to tell.
    fn hunt(&self, buf: &[u8]) -> Found {
        // `p`: where to look for the next `$`; `rp`: for the next "RTSP/".
        let (mut p, mut rp) = (0, 0);
        loop {
            let dollar = buf
                .get(p..)
                .and_then(|rest| memchr(b'$', rest))
                .map(|i| p + i);
            let limit = dollar.unwrap_or(buf.len());
            // A message start before the `$`. (None can span a `$` that may start a frame:
            // request lines are printable and such a `$` is followed by a byte >= 0x80.)
            while let Some(r) = buf
                .get(rp..limit)
                .and_then(|region| RTSP_FINDER.find(region))
                .map(|i| rp + i)
            {
                let (start, judge) = self.judge_rtsp_at(buf, r);
                match judge {
                    Judge::Yes => return Found::At(start),
                    // A request line's beginning is before its "RTSP/": hold the whole line.
                    Judge::NeedMore => return Found::Hold(start.min(line_run_start(buf, r))),
                    Judge::No => rp = r + 1,
                }
            }
            let Some(d) = dollar else {
                break;
            };
            match self.judge_dollar(buf.get(d..).unwrap_or_default()) {
                Judge::Yes => return Found::At(d),
                // The printable run before the `$` is held too: until the `$` is judged, it
                // may be inside a request line (`E $ RTSP/1.0`), whose start must not have
                // been given up as garbage by then (found by the `rtsp_framer` fuzz target:
                // fed byte by byte, the line was lost; fed whole, it was framed).
                Judge::NeedMore => return Found::Hold(line_run_start(buf, d).min(d)),
                Judge::No => p = d + 1,
            }
            rp = rp.max(limit);
        }
        if self.ending() {
            return Found::Nothing;
        }
        // The tail may be the beginning of a start line: printable bytes after the last byte
        // that no start line contains.
        let tail = line_run_start(buf, buf.len());
        if tail < buf.len() {
            Found::Hold(tail)
        } else {
            Found::Nothing
        }
    }

    /// `buf[r..]` starts with "RTSP/": a status line there, or the end of a request line
    /// whose start is found backwards. Returns where the message would start.
    fn judge_rtsp_at(&self, buf: &[u8], r: usize) -> (usize, Judge) {
        let s = buf.get(r..).unwrap_or_default();
        let version_ok = matches!(s.get(5..8), Some(b"1.0" | b"2.0"));
        let after = s.get(8).copied();
        if !version_ok || after.is_none() {
            let more = s.len() < 9 && !self.ending() && {
                let v = s.get(5..).unwrap_or_default();
                b"1.0".starts_with(v) || b"2.0".starts_with(v)
            };
            return (r, if more { Judge::NeedMore } else { Judge::No });
        }
        if after == Some(b' ') {
            // A status line: all of it must read.
            return (r, self.judge_whole_line(s, true));
        }
        // The end of a request line: "RTSP/x.y", spaces, then the line's end.
        let rest = s.get(8..).unwrap_or_default();
        match rest.iter().position(|&c| c != b' ' && c != b'\t') {
            Some(i) if matches!(rest.get(i), Some(b'\r' | b'\n')) => {}
            Some(_) => return (r, Judge::No),
            None if self.ending() => {}
            None => return (r, Judge::NeedMore),
        }
        let Some(start) = request_start(buf, r) else {
            return (r, Judge::No);
        };
        let line = buf.get(start..).unwrap_or_default();
        (start, self.judge_whole_line(line, false))
    }

    /// Whether `s` begins with a whole valid start line (of a response when `response`).
    fn judge_whole_line(&self, s: &[u8], response: bool) -> Judge {
        let window = s.get(..MAX_RESYNC_LINE).unwrap_or(s);
        let start = match memchr(b'\n', window) {
            Some(lf) => parse_start_line(window.get(..lf).unwrap_or_default()).ok(),
            None if self.ending() => partial_start_line(window),
            None if window.len() < MAX_RESYNC_LINE
                && !window
                    .iter()
                    .any(|&c| is_ctl(c) && !c.is_ascii_whitespace()) =>
            {
                return Judge::NeedMore;
            }
            None => None,
        };
        match start {
            Some(StartLine::Response { .. }) if response => Judge::Yes,
            Some(StartLine::Request { .. }) if !response => Judge::Yes,
            _ => Judge::No,
        }
    }

    /// Whether `s`, which starts with `$`, starts an interleaved frame when sync is lost.
    fn judge_dollar(&self, s: &[u8]) -> Judge {
        // What follows the frame is not there and will not come: believe a plausible channel,
        // unless a message starts inside what would be its payload (after garbage, a message
        // start is the stronger evidence).
        let undecided = |framer: &Self, channel: u8| {
            if !framer.ending() {
                Judge::NeedMore
            } else if framer.plausible_channel(channel)
                && !framer.message_inside(s.get(1..).unwrap_or_default())
            {
                Judge::Yes
            } else {
                Judge::No
            }
        };
        let Some((channel, length)) = frame_header(s) else {
            return if self.ending() {
                Judge::No
            } else {
                Judge::NeedMore
            };
        };
        let length = usize::from(length);
        if length < MIN_HUNTED_PAYLOAD {
            return Judge::No;
        }
        // RTP and RTCP both start with version 2 in the top bits.
        match s.get(FRAME_HEADER) {
            None => return undecided(self, channel),
            Some(&v) if v & 0xc0 != 0x80 => return Judge::No,
            Some(_) => {}
        }
        match s.get(FRAME_HEADER + length..).filter(|n| !n.is_empty()) {
            None => undecided(self, channel),
            Some(next) => match looks_like_start(next) {
                Judge::NeedMore => undecided(self, channel),
                judge => judge,
            },
        }
    }

    /// Whether a decision must be taken with the bytes there are.
    fn ending(&self) -> bool {
        self.ending && self.last_piece
    }

    /// Whether a message starts somewhere in `buf`.
    fn message_inside(&self, buf: &[u8]) -> bool {
        RTSP_FINDER
            .find_iter(buf)
            .any(|r| self.judge_rtsp_at(buf, r).1 == Judge::Yes)
    }

    /// A frame that cannot be checked against what follows it: believed on a low channel
    /// (SETUP hands out 0-1, 2-3, ...), or on a channel seen whole before, or the other half of
    /// its RTP/RTCP pair (a capture cut to 96 bytes a packet may only ever show RTCP whole).
    fn plausible_channel(&self, channel: u8) -> bool {
        let known = |c: u8| {
            self.channels
                .get(usize::from(c >> 6))
                .is_some_and(|bits| bits & (1 << (c & 63)) != 0)
        };
        channel < 8 || known(channel) || known(channel ^ 1)
    }

    fn add_garbage(
        &mut self,
        bytes: &[u8],
        offset: u64,
        frame: u64,
        ts: Timestamp,
        error: Option<ParseError>,
    ) {
        if bytes.is_empty() {
            return;
        }
        match &mut self.garbage {
            Some(run) if run.stream_offset + run.length == offset => {
                run.length += bytes.len() as u64;
                let room = PREVIEW_BYTES.saturating_sub(run.preview.len());
                run.preview
                    .extend_from_slice(bytes.get(..room).unwrap_or(bytes));
                if run.error.is_none() {
                    run.error = error;
                }
            }
            _ => {
                let previous = self.garbage.replace(GarbageRun {
                    stream_offset: offset,
                    length: bytes.len() as u64,
                    frame,
                    ts,
                    error,
                    preview: bytes.get(..PREVIEW_BYTES).unwrap_or(bytes).to_vec(),
                });
                // Not contiguous (a gap between): the earlier run is reported apart. Gaps
                // flush runs themselves, so this is only a safety net.
                debug_assert!(previous.is_none());
            }
        }
    }

    fn flush_garbage(&mut self, out: &mut impl FnMut(FramerEvent)) {
        if let Some(run) = self.garbage.take() {
            out(FramerEvent::Garbage {
                stream_offset: run.stream_offset,
                length: run.length,
                frame: run.frame,
                ts: run.ts,
                error: run.error,
                preview: run.preview.escape_ascii().to_string(),
            });
        }
    }
}

/// Where the run of bytes that a start line may be made of, ending at `end`, begins (at most
/// `MAX_RESYNC_LINE` back).
fn line_run_start(buf: &[u8], end: usize) -> usize {
    let in_line = |c: u8| c == b'\t' || c == b'\r' || (0x20..0x7f).contains(&c);
    let from = end.saturating_sub(MAX_RESYNC_LINE);
    buf.get(from..end)
        .and_then(|window| window.iter().rposition(|&c| !in_line(c)))
        .map_or(from, |i| from + i + 1)
}

/// Channel and length of a `$` header.
fn frame_header(s: &[u8]) -> Option<(u8, u16)> {
    match s.get(..FRAME_HEADER)? {
        [b'$', channel, hi, lo] => Some((*channel, u16::from_be_bytes([*hi, *lo]))),
        _ => None,
    }
}

/// Whether the bytes right after a frame begin a message or another frame.
fn looks_like_start(next: &[u8]) -> Judge {
    match next.first() {
        None => return Judge::NeedMore,
        Some(b'$') => return Judge::Yes,
        _ => {}
    }
    let rtsp = b"RTSP/";
    let n = next.len().min(rtsp.len());
    if next.get(..n) == rtsp.get(..n) {
        return if n == rtsp.len() {
            Judge::Yes
        } else {
            Judge::NeedMore
        };
    }
    if !next.first().is_some_and(u8::is_ascii_uppercase) {
        return Judge::No;
    }
    for (i, &c) in next.iter().enumerate() {
        if c == b' ' {
            return Judge::Yes;
        }
        let method_char = c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_' || c == b'-';
        if !method_char || i >= super::message::MAX_METHOD_LEN {
            return Judge::No;
        }
    }
    Judge::NeedMore
}

/// Where the request line whose "RTSP/" is at `r` starts: back over spaces, the URI, spaces
/// and an uppercase method. None when the bytes before are not that.
fn request_start(buf: &[u8], r: usize) -> Option<usize> {
    let before = buf.get(..r)?;
    let is_space = |c: &u8| *c == b' ' || *c == b'\t';
    let uri_end = before.iter().rposition(|c| !is_space(c))? + 1;
    if uri_end == r {
        return None;
    }
    let from = uri_end.saturating_sub(MAX_RESYNC_LINE + 1);
    let uri_start = before
        .get(from..uri_end)?
        .iter()
        .rposition(|&c| !(0x21..0x7f).contains(&c))
        .map_or(from, |i| from + i + 1);
    if uri_start == uri_end || uri_end - uri_start > MAX_RESYNC_LINE {
        return None;
    }
    let method_end = before
        .get(..uri_start)?
        .iter()
        .rposition(|c| !is_space(c))?
        + 1;
    if method_end == uri_start {
        return None;
    }
    let method_chars =
        |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-';
    let from = method_end.saturating_sub(super::message::MAX_METHOD_LEN + 1);
    let method_start = before
        .get(from..method_end)?
        .iter()
        .rposition(|c| !method_chars(c))
        .map_or(from, |i| from + i + 1);
    let method = before.get(method_start..method_end)?;
    if method.is_empty() {
        return None;
    }
    // Binary bytes just before a known method may look like its first letters.
    if let Some(known) = KNOWN_METHODS
        .iter()
        .filter(|m| method.ends_with(m))
        .max_by_key(|m| m.len())
    {
        return Some(method_end - known.len());
    }
    let starts_upper = method.first().is_some_and(u8::is_ascii_uppercase);
    (starts_upper && method.len() <= super::message::MAX_METHOD_LEN).then_some(method_start)
}

/// Index just past the empty line that ends a head, in `input`, given the last bytes already
/// held (`tail`, up to two) before it.
fn find_head_end(tail: &[u8], input: &[u8]) -> Option<usize> {
    let byte_before = |i: usize, back: usize| -> Option<u8> {
        match i.checked_sub(back) {
            Some(j) => input.get(j).copied(),
            None => tail.get((tail.len() + i).checked_sub(back)?).copied(),
        }
    };
    memchr::memchr_iter(b'\n', input).find_map(|i| {
        let prev = byte_before(i, 1);
        let ends = prev == Some(b'\n') || (prev == Some(b'\r') && byte_before(i, 2) == Some(b'\n'));
        ends.then_some(i + 1)
    })
}
