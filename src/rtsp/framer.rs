//! Cuts one direction of an RTSP connection into messages and `$`-interleaved frames.
//!
//! Sans-IO: feed the in-order bytes with [`Framer::push_data`], holes with [`Framer::push_gap`],
//! the end with [`Framer::finish`]; what it finds comes out of the `out` callback. Interleaved
//! payloads are skipped, never buffered; a head is buffered up to `limits::MAX_MESSAGE_HEAD`, a
//! body up to `limits::MAX_KEPT_BODY` and otherwise skipped by its Content-Length.

use crate::capture::Timestamp;

use super::message::{Message, ParseError};

#[derive(Debug)]
pub enum FramerEvent {
    Message(Box<Message>),
    /// One `$` frame (RFC 2326 §10.12): its channel and length. `complete` is false when a gap
    /// or the end of the capture cut its payload.
    Interleaved { channel: u8, length: u16, frame: u64, ts: Timestamp, stream_offset: u64, complete: bool },
    /// Bytes that are neither a message nor an interleaved frame, skipped up to the next
    /// plausible message start.
    Garbage { stream_offset: u64, length: u64, frame: u64, ts: Timestamp, error: Option<ParseError>, preview: String },
    /// A head that grew past the limit, a Content-Length past the limit, ...: the framer
    /// resynchronised. `what` says which limit.
    LimitHit { stream_offset: u64, frame: u64, ts: Timestamp, what: String },
}

#[derive(Debug, Default)]
pub struct Framer {
    _private: (),
}

impl Framer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push_data(&mut self, bytes: &[u8], frame: u64, ts: Timestamp, out: &mut impl FnMut(FramerEvent)) {
        let _ = (bytes, frame, ts, out);
    }

    pub fn push_gap(&mut self, length: u64, frame: u64, ts: Timestamp, out: &mut impl FnMut(FramerEvent)) {
        let _ = (length, frame, ts, out);
    }

    pub fn finish(&mut self, out: &mut impl FnMut(FramerEvent)) {
        let _ = out;
    }

    /// Whether the framer has seen at least one RTSP message (a stream that never shows one
    /// is not RTSP).
    pub fn saw_rtsp(&self) -> bool {
        false
    }

    /// Bytes of the stream consumed so far.
    pub fn stream_offset(&self) -> u64 {
        0
    }
}
