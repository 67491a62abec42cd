//! One direction of a TCP connection, put back in sequence order.
//!
//! Sans-IO: feed it segments in capture order with [`Reassembler::push`]; it hands back, through
//! the `out` callback, the bytes that are now in order ([`StreamEvent::Data`]), the holes it gave
//! up waiting for ([`StreamEvent::Gap`]) and the end of the stream. Call
//! [`Reassembler::peer_acked`] with the other direction's ACKs (bytes the peer acknowledged but the
//! capture never showed are lost for good) and [`Reassembler::finish`] at the end of the capture.

use crate::capture::Timestamp;

/// A segment as the reassembler needs it.
#[derive(Debug, Clone, Copy)]
pub struct SegmentIn<'a> {
    pub seq: u32,
    pub syn: bool,
    pub fin: bool,
    pub rst: bool,
    pub payload: &'a [u8],
    /// Payload bytes on the wire past the snap length: a hole right after `payload`.
    pub missing_payload: u32,
    pub frame: u64,
    pub ts: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapReason {
    /// The snap length cut the packet.
    SnapLength,
    /// The peer acknowledged bytes that the capture never showed.
    NotCaptured,
    /// Too much out-of-order data waited for the hole (a limit in `crate::limits`).
    BufferLimit,
    /// The capture ended with the hole still open.
    EndOfCapture,
    /// The stream was joined in the middle and bytes before the first seen segment are unknown.
    MidStreamJoin,
}

#[derive(Debug)]
pub enum StreamEvent<'a> {
    /// Bytes now in order. `frame`/`ts` are those of the segment that made them available
    /// (for released out-of-order data: the segment that filled the hole).
    Data { bytes: &'a [u8], frame: u64, ts: Timestamp },
    /// `len` bytes of the stream are not in the capture.
    Gap { len: u64, reason: GapReason, frame: u64, ts: Timestamp },
    /// FIN or RST seen and all bytes before it delivered.
    End { reset: bool, frame: u64, ts: Timestamp },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectionStats {
    pub segments: u64,
    /// Payload bytes delivered in order.
    pub bytes: u64,
    /// Segments whose bytes had all been seen before.
    pub retransmissions: u64,
    /// Segments that arrived ahead of a hole.
    pub out_of_order: u64,
    /// Segments that partly overlapped bytes already seen.
    pub overlaps: u64,
    pub gaps: u64,
    pub gap_bytes: u64,
    /// Segments or bytes dropped because of a limit.
    pub dropped_by_limit: u64,
}

#[derive(Debug, Default)]
pub struct Reassembler {
    stats: DirectionStats,
}

impl Reassembler {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, segment: SegmentIn<'_>, out: &mut impl FnMut(StreamEvent<'_>)) {
        let _ = (segment, out);
    }

    /// The other direction acknowledged everything before `ack`.
    pub fn peer_acked(
        &mut self,
        ack: u32,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(StreamEvent<'_>),
    ) {
        let _ = (ack, frame, ts, out);
    }

    /// End of capture: deliver what is buffered, with gaps for the holes.
    pub fn finish(&mut self, out: &mut impl FnMut(StreamEvent<'_>)) {
        let _ = out;
    }

    pub fn stats(&self) -> &DirectionStats {
        &self.stats
    }
}
