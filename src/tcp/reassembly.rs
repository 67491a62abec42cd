//! One direction of a TCP connection, put back in sequence order.
//!
//! Sans-IO: feed it segments in capture order with [`Reassembler::push`]; it hands back, through
//! the `out` callback, the bytes that are now in order ([`StreamEvent::Data`]), the holes it gave
//! up waiting for ([`StreamEvent::Gap`]) and the end of the stream. Call
//! [`Reassembler::peer_acked`] with the other direction's ACKs (bytes the peer acknowledged but the
//! capture never showed are lost for good) and [`Reassembler::finish`] at the end of the capture.
//!
//! Positions are kept as 64-bit offsets from the start of the stream (the byte after the SYN, or
//! the first byte seen when the handshake is not in the capture). A 32-bit sequence number is
//! turned into an offset by serial-number arithmetic (RFC 1982) relative to the next expected
//! byte, so the stream can wrap around 2^32 any number of times.
//!
//! Which copy of a byte wins when copies differ: a segment that arrives in order is delivered as
//! it is, even over out-of-order bytes already buffered for the same place (the receiving stack
//! does the same: its out-of-order queue is trimmed against what it has just received); among
//! out-of-order segments the first copy buffered is kept.
//!
//! Memory: nothing is allocated until a segment arrives ahead of a hole; then only the new bytes
//! are copied, and at most `limits::MAX_OUT_OF_ORDER_BYTES` in
//! `limits::MAX_OUT_OF_ORDER_SEGMENTS` pieces are held before the hole is given up.

use std::collections::BTreeMap;

use crate::capture::Timestamp;
use crate::limits;

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
    /// The connection ended with the hole still open and was forgotten before the capture
    /// ended (closed and quiet, or replaced by a new connection on its endpoints).
    Abandoned,
    /// The stream was joined in the middle and bytes before the first seen segment are unknown.
    MidStreamJoin,
}

#[derive(Debug)]
pub enum StreamEvent<'a> {
    /// Bytes now in order. `frame`/`ts` are those of the segment that made them available
    /// (for released out-of-order data: the segment that filled the hole).
    Data {
        bytes: &'a [u8],
        frame: u64,
        ts: Timestamp,
    },
    /// `len` bytes of the stream are not in the capture.
    Gap {
        len: u64,
        reason: GapReason,
        frame: u64,
        ts: Timestamp,
    },
    /// FIN or RST seen and all bytes before it delivered.
    End {
        reset: bool,
        frame: u64,
        ts: Timestamp,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectionStats {
    pub segments: u64,
    /// Payload bytes delivered in order.
    pub bytes: u64,
    /// Segments whose bytes had all been seen before (tshark's retransmissions and spurious
    /// retransmissions; also a repeated SYN or FIN). A keep-alive (one old byte just before the
    /// next expected one) is not counted, nor is a segment without payload.
    pub retransmissions: u64,
    /// Segments that brought bytes never seen before into a hole, that is after bytes further
    /// on had arrived (tshark flags these as out-of-order, or as retransmissions when they come
    /// late). The segments that jumped ahead of the hole are not counted here.
    pub out_of_order: u64,
    /// Segments that partly overlapped bytes already seen.
    pub overlaps: u64,
    pub gaps: u64,
    pub gap_bytes: u64,
    /// Times a limit discarded something: a hole given up because too much out-of-order data
    /// waited for it, or a segment refused because its sequence number was absurdly far away
    /// (`limits::MAX_TCP_SEQ_JUMP`).
    pub dropped_by_limit: u64,
    /// Segments carrying bytes past the FIN, or after a RST: ignored.
    pub after_end: u64,
}

/// An ACK that went beyond the bytes seen.
#[derive(Debug, Clone, Copy)]
struct AckProof {
    to: u64,
    frame: u64,
    ts: Timestamp,
}

/// Out-of-order stream bytes waiting for the hole before them.
#[derive(Debug)]
enum Pending {
    /// Captured bytes, copied out of the packet.
    Bytes(Vec<u8>),
    /// Bytes that were on the wire but cut off by the snap length: released as a gap.
    Cut(u64),
}

impl Pending {
    fn len(&self) -> u64 {
        match self {
            Pending::Bytes(bytes) => bytes.len() as u64,
            Pending::Cut(len) => *len,
        }
    }

    /// Memory held, which is what the byte limit bounds.
    fn held(&self) -> usize {
        match self {
            Pending::Bytes(bytes) => bytes.len(),
            Pending::Cut(_) => 0,
        }
    }

    fn truncate(&mut self, len: u64) {
        match self {
            Pending::Bytes(bytes) => bytes.truncate(usize::try_from(len).unwrap_or(usize::MAX)),
            Pending::Cut(cut) => *cut = (*cut).min(len),
        }
    }
}

#[derive(Debug, Default)]
pub struct Reassembler {
    stats: DirectionStats,
    /// Sequence number of stream offset 0; None until a SYN or a segment with payload is seen.
    origin: Option<u32>,
    /// The SYN's sequence number, when the handshake was seen.
    isn: Option<u32>,
    /// Stream offset of the next byte to deliver.
    next: u64,
    /// Stream offset just past the furthest byte seen (delivered, buffered or cut).
    high: u64,
    /// Where the stream stops: the FIN's sequence slot, or `next` when a RST ended it.
    end_at: Option<u64>,
    /// `End` has been emitted.
    ended: bool,
    /// Bytes the peer acknowledged that the capture has not shown yet: up to this offset,
    /// proven by the ACK in this frame. Declared lost once the capture shows this side past
    /// them (see [`Reassembler::peer_acked`]).
    acked: Option<AckProof>,
    /// Reassembly was switched off: segments are only counted.
    ignored: bool,
    /// Out-of-order runs by stream offset; they never overlap one another.
    pending: BTreeMap<u64, Pending>,
    /// Bytes held in `pending`.
    pending_bytes: usize,
    /// The latest segment or ACK seen, to which `finish` attributes what it releases.
    last_frame: u64,
    last_ts: Timestamp,
}

impl Reassembler {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, segment: SegmentIn<'_>, out: &mut impl FnMut(StreamEvent<'_>)) {
        self.stats.segments += 1;
        self.last_frame = segment.frame;
        self.last_ts = segment.ts;
        if self.ignored {
            return;
        }
        let payload_len = segment.payload.len() as u64;
        let wire_len = payload_len.saturating_add(u64::from(segment.missing_payload));
        // The SYN takes one sequence number; data (TCP Fast Open) starts after it.
        let data_seq = if segment.syn {
            segment.seq.wrapping_add(1)
        } else {
            segment.seq
        };

        let origin = match self.origin {
            Some(origin) => {
                if segment.syn && self.isn == Some(segment.seq) && wire_len == 0 {
                    self.stats.retransmissions += 1;
                }
                origin
            }
            None => {
                // A pure ACK says nothing about where this direction's bytes start.
                if !(segment.syn || segment.fin || segment.rst || wire_len > 0) {
                    return;
                }
                // Without the SYN this is a mid-stream join: the stream starts here and
                // nothing is known (nor reported) about the bytes before.
                if segment.syn {
                    self.isn = Some(segment.seq);
                }
                self.origin = Some(data_seq);
                data_seq
            }
        };

        let rel = self.relative(origin, data_seq);
        if rel.unsigned_abs() > u64::from(limits::MAX_TCP_SEQ_JUMP) {
            self.stats.dropped_by_limit += 1;
            return;
        }
        if segment.rst {
            // The sender has aborted: nothing it sent is coming back, so its holes are final.
            // Its payload, if any, is a diagnostic that the receiving stack discards too.
            self.reset(segment.frame, segment.ts, out);
            return;
        }
        if wire_len == 0 && !segment.fin {
            return;
        }

        let wire_rel = rel.saturating_add(i64::try_from(wire_len).unwrap_or(i64::MAX));
        let captured_rel = rel.saturating_add(i64::try_from(payload_len).unwrap_or(i64::MAX));
        // Leading bytes of the segment that lie before the next expected byte.
        let lead = if rel < 0 { rel.unsigned_abs() } else { 0 };
        let start = self.offset(rel);
        let mut captured_end = self.offset(captured_rel);
        let mut end = self.offset(wire_rel);

        if segment.fin && wire_rel >= 0 {
            match self.end_at {
                None => {
                    self.end_at = Some(end);
                    if self.trim_pending(end) {
                        self.stats.after_end += 1;
                    }
                }
                Some(at) if at == end && wire_len == 0 => self.stats.retransmissions += 1,
                Some(_) => {}
            }
        }
        let mut past_end = false;
        if let Some(at) = self.end_at
            && end > at
        {
            past_end = wire_len > 0;
            end = at;
            captured_end = captured_end.min(at);
        }
        if past_end {
            self.stats.after_end += 1;
        }

        if wire_len > 0 {
            let considered = end.saturating_sub(start);
            let fresh = self.uncovered(start, end);
            let keep_alive = wire_len == 1 && rel == -1 && !segment.syn && !segment.fin;
            if fresh == 0 {
                let seen_before = considered > 0 || lead > 0;
                if seen_before && !keep_alive && !past_end {
                    self.stats.retransmissions += 1;
                }
            } else {
                if fresh < considered || lead > 0 {
                    self.stats.overlaps += 1;
                }
                if self.uncovered(start, end.min(self.high)) > 0 {
                    self.stats.out_of_order += 1;
                }
            }
        }

        if start < end {
            let run = Run {
                start,
                captured_end,
                end,
                payload: segment.payload,
                lead,
            };
            self.accept(run, segment.frame, segment.ts, out);
        }
        self.settle_acked(false, segment.frame, segment.ts, out);
        self.check_end(segment.frame, segment.ts, out);
    }

    /// The other direction acknowledged everything before `ack`.
    ///
    /// Acknowledged bytes the capture has not shown are lost before the capture point, but
    /// not necessarily yet: a capture taken on several interfaces, or reordered by the
    /// capturing host, can show an ACK before the data it covers. So the hole becomes a
    /// [`GapReason::NotCaptured`] gap (attributed to the ACK's frame) only once the capture
    /// shows this side at or past the acknowledged point (the sender had moved on), at a FIN
    /// the ACK covers, at a RST, or at [`Reassembler::finish`]; until then its bytes are still
    /// welcome.
    pub fn peer_acked(
        &mut self,
        ack: u32,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(StreamEvent<'_>),
    ) {
        if self.ignored || self.ended {
            return;
        }
        let Some(origin) = self.origin else {
            return;
        };
        let rel = self.relative(origin, ack);
        // At or behind what was delivered (including ACKs from before the stream started), or
        // beyond any window: nothing to learn.
        if rel <= 0 || rel > i64::from(limits::MAX_TCP_SEQ_JUMP) {
            return;
        }
        self.last_frame = frame;
        self.last_ts = ts;
        let mut target = self.offset(rel);
        // The ACK of a FIN covers its sequence slot, which carries no byte.
        if let Some(at) = self.end_at {
            target = target.min(at);
        }
        if target > self.next && self.acked.is_none_or(|proof| target > proof.to) {
            self.acked = Some(AckProof {
                to: target,
                frame,
                ts,
            });
        }
        self.settle_acked(false, frame, ts, out);
        self.check_end(frame, ts, out);
    }

    /// End of capture: deliver what is buffered, with gaps for the holes.
    pub fn finish(&mut self, out: &mut impl FnMut(StreamEvent<'_>)) {
        self.close(GapReason::EndOfCapture, out);
    }

    /// The connection is over before the capture is: as `finish`, the holes given as
    /// `GapReason::Abandoned`.
    pub fn abandon(&mut self, out: &mut impl FnMut(StreamEvent<'_>)) {
        self.close(GapReason::Abandoned, out);
    }

    /// What is buffered delivered, the holes as `reason`, at this direction's last frame.
    fn close(&mut self, reason: GapReason, out: &mut impl FnMut(StreamEvent<'_>)) {
        if self.ignored || self.ended {
            return;
        }
        let target = match self.end_at {
            Some(at) => at,
            None => self.high,
        };
        let (frame, ts) = (self.last_frame, self.last_ts);
        self.settle_acked(true, frame, ts, out);
        self.advance_to(target, reason, frame, ts, out);
        self.check_end(frame, ts, out);
    }

    pub fn stats(&self) -> &DirectionStats {
        &self.stats
    }

    /// Gives up every hole that has out-of-order data waiting behind it, as `reason`, and
    /// releases that data. Holes with nothing buffered after them stay open. For the flow table
    /// when it must free memory. Gaps and data are given at this direction's last frame (what
    /// it last saw of the connection), not at the packet that made the table flush, which may
    /// be another connection's.
    pub fn flush(&mut self, reason: GapReason, out: &mut impl FnMut(StreamEvent<'_>)) {
        let Some(last_end) = self.pending_end() else {
            return;
        };
        if reason == GapReason::BufferLimit {
            self.stats.dropped_by_limit += 1;
        }
        let (frame, ts) = (self.last_frame, self.last_ts);
        self.advance_to(last_end, reason, frame, ts, out);
        self.check_end(frame, ts, out);
    }

    /// Stops reassembling: buffered data is dropped and later segments are only counted.
    pub fn ignore(&mut self) {
        self.ignored = true;
        self.acked = None;
        self.pending = BTreeMap::new();
        self.pending_bytes = 0;
    }

    /// Bytes of out-of-order data held, waiting for a hole to fill.
    pub fn buffered_bytes(&self) -> usize {
        self.pending_bytes
    }

    /// The SYN's sequence number, if the handshake was seen.
    pub fn isn(&self) -> Option<u32> {
        self.isn
    }

    /// Whether the start of the stream is known (a SYN, or a first segment, was seen).
    pub fn started(&self) -> bool {
        self.origin.is_some()
    }

    /// Whether `End` has been emitted.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// `seq` relative to the next expected byte, by serial-number arithmetic: within 2^31 either
    /// way, which `MAX_TCP_SEQ_JUMP` keeps everything believed well inside.
    fn relative(&self, origin: u32, seq: u32) -> i64 {
        // Truncation to 32 bits is the point: sequence numbers are the offset modulo 2^32.
        let next_seq = origin.wrapping_add(self.next as u32);
        i64::from(seq.wrapping_sub(next_seq) as i32)
    }

    /// The stream offset `rel` bytes from the next expected one; bytes before it are all old, so
    /// a negative `rel` clamps to it.
    fn offset(&self, rel: i64) -> u64 {
        self.next.saturating_add(u64::try_from(rel).unwrap_or(0))
    }

    fn pending_end(&self) -> Option<u64> {
        self.pending
            .last_key_value()
            .map(|(start, run)| start.saturating_add(run.len()))
    }

    /// Bytes of `[from, to)` neither delivered nor buffered.
    fn uncovered(&self, from: u64, to: u64) -> u64 {
        let mut total = 0u64;
        self.for_each_uncovered(from.max(self.next), to, |a, b| total += b - a);
        total
    }

    /// Calls `f` with each maximal piece of `[from, to)` that no buffered run covers (bytes before
    /// `next` are not looked at: the caller starts at or after it).
    fn for_each_uncovered(&self, from: u64, to: u64, mut f: impl FnMut(u64, u64)) {
        if from >= to {
            return;
        }
        let mut cursor = from;
        if let Some((start, run)) = self.pending.range(..from).next_back() {
            cursor = cursor.max(start.saturating_add(run.len()));
        }
        for (&start, run) in self.pending.range(from..to) {
            if cursor >= to {
                break;
            }
            if start > cursor {
                f(cursor, start);
            }
            cursor = cursor.max(start.saturating_add(run.len()));
        }
        if cursor < to {
            f(cursor, to);
        }
    }

    /// Takes the new bytes of a segment: delivered now when in order, else buffered, giving up
    /// the first hole as long as a limit would be exceeded.
    fn accept(
        &mut self,
        run: Run<'_>,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(StreamEvent<'_>),
    ) {
        loop {
            if run.start <= self.next {
                self.deliver(&run, frame, ts, out);
                return;
            }
            let mut pieces = Vec::new();
            self.for_each_uncovered(run.start, run.end, |a, b| pieces.push((a, b)));
            let mut add_bytes = 0usize;
            let mut add_runs = 0usize;
            for &(a, b) in &pieces {
                if a < run.captured_end {
                    add_bytes = add_bytes.saturating_add(
                        usize::try_from(b.min(run.captured_end) - a).unwrap_or(usize::MAX),
                    );
                    add_runs += 1;
                }
                if b > run.captured_end {
                    add_runs += 1;
                }
            }
            let fits = self.pending_bytes.saturating_add(add_bytes)
                <= limits::MAX_OUT_OF_ORDER_BYTES
                && self.pending.len().saturating_add(add_runs) <= limits::MAX_OUT_OF_ORDER_SEGMENTS;
            if fits {
                for (a, b) in pieces {
                    self.buffer_piece(&run, a, b);
                }
                self.high = self.high.max(run.end);
                return;
            }
            // Over a limit: the first hole will not be waited for any longer. The earliest data
            // after it is either buffered or this very segment.
            let first = self
                .pending
                .keys()
                .next()
                .map_or(run.start, |&key| key.min(run.start));
            self.stats.dropped_by_limit += 1;
            self.advance_to(first, GapReason::BufferLimit, frame, ts, out);
        }
    }

    /// Delivers an in-order run from the packet itself (no copy), then whatever buffered data
    /// it made contiguous.
    fn deliver(
        &mut self,
        run: &Run<'_>,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(StreamEvent<'_>),
    ) {
        if self.next < run.captured_end {
            let from = run.index(self.next);
            let to = run.index(run.captured_end);
            if let Some(bytes) = run.payload.get(from..to) {
                self.stats.bytes = self.stats.bytes.saturating_add(bytes.len() as u64);
                out(StreamEvent::Data { bytes, frame, ts });
            }
            self.next = run.captured_end;
        }
        if self.next < run.end {
            self.gap(run.end - self.next, GapReason::SnapLength, frame, ts, out);
            self.next = run.end;
        }
        self.high = self.high.max(self.next);
        self.release(frame, ts, out);
    }

    /// Copies `[a, b)` of the run into the out-of-order buffer (the caller checked the limits
    /// and that no buffered run covers any of it).
    fn buffer_piece(&mut self, run: &Run<'_>, a: u64, b: u64) {
        let cut_from = b.min(run.captured_end).max(a);
        if a < cut_from {
            let bytes = run
                .payload
                .get(run.index(a)..run.index(cut_from))
                .unwrap_or_default()
                .to_vec();
            self.pending_bytes = self.pending_bytes.saturating_add(bytes.len());
            self.pending.insert(a, Pending::Bytes(bytes));
        }
        if cut_from < b {
            self.pending.insert(cut_from, Pending::Cut(b - cut_from));
        }
    }

    /// Delivers buffered runs while the first one starts at or before the next expected byte.
    fn release(&mut self, frame: u64, ts: Timestamp, out: &mut impl FnMut(StreamEvent<'_>)) {
        while let Some(entry) = self.pending.first_entry() {
            let start = *entry.key();
            if start > self.next {
                break;
            }
            let run = entry.remove();
            self.pending_bytes = self.pending_bytes.saturating_sub(run.held());
            let end = start.saturating_add(run.len());
            // Already delivered by a segment that arrived in order over it.
            if end <= self.next {
                continue;
            }
            let skip = usize::try_from(self.next - start).unwrap_or(usize::MAX);
            match &run {
                Pending::Bytes(bytes) => {
                    if let Some(bytes) = bytes.get(skip..) {
                        self.stats.bytes = self.stats.bytes.saturating_add(bytes.len() as u64);
                        out(StreamEvent::Data { bytes, frame, ts });
                    }
                }
                Pending::Cut(_) => {
                    self.gap(end - self.next, GapReason::SnapLength, frame, ts, out);
                }
            }
            self.next = end;
        }
        self.high = self.high.max(self.next);
    }

    /// Moves the next expected byte up to `target`: holes on the way become gaps for `reason`,
    /// buffered runs on the way (and contiguous after) are released.
    fn advance_to(
        &mut self,
        target: u64,
        reason: GapReason,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(StreamEvent<'_>),
    ) {
        self.advance(target, reason, (frame, ts), (frame, ts), out);
    }

    /// `advance_to` with the gaps attributed to `gap_at` (the frame that proved them) and the
    /// released data to `release_at` (the frame that made it available).
    fn advance(
        &mut self,
        target: u64,
        reason: GapReason,
        gap_at: (u64, Timestamp),
        release_at: (u64, Timestamp),
        out: &mut impl FnMut(StreamEvent<'_>),
    ) {
        loop {
            self.release(release_at.0, release_at.1, out);
            if self.next >= target {
                return;
            }
            let hole_end = self
                .pending
                .keys()
                .next()
                .map_or(target, |&start| start.min(target));
            self.gap(hole_end - self.next, reason, gap_at.0, gap_at.1, out);
            self.next = hole_end;
            self.high = self.high.max(self.next);
        }
    }

    /// Declares the holes before an acknowledged point lost, when `force`d or once the capture
    /// has shown bytes of this side at or past that point (or the FIN there): a sender does
    /// not send those before the bytes it had sent earlier, so they are not coming.
    fn settle_acked(
        &mut self,
        force: bool,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(StreamEvent<'_>),
    ) {
        let Some(proof) = self.acked else {
            return;
        };
        if self.next >= proof.to {
            self.acked = None;
            return;
        }
        let fin_acked = self.end_at.is_some_and(|at| at <= proof.to);
        if force || fin_acked || self.high >= proof.to {
            self.acked = None;
            self.advance(
                proof.to,
                GapReason::NotCaptured,
                (proof.frame, proof.ts),
                (frame, ts),
                out,
            );
        }
    }

    /// Drops buffered bytes at or past `at` (a FIN said the stream ends there). Returns whether
    /// any were dropped.
    fn trim_pending(&mut self, at: u64) -> bool {
        let mut dropped = false;
        let beyond = self.pending.split_off(&at);
        for run in beyond.values() {
            self.pending_bytes = self.pending_bytes.saturating_sub(run.held());
            dropped = true;
        }
        if let Some(mut last) = self.pending.last_entry() {
            let start = *last.key();
            let run = last.get_mut();
            if start.saturating_add(run.len()) > at {
                let before = run.held();
                run.truncate(at - start);
                self.pending_bytes = self.pending_bytes.saturating_sub(before - run.held());
                dropped = true;
            }
        }
        self.high = self.high.min(at.max(self.next));
        dropped
    }

    /// A RST from this side: everything seen is released, holes become gaps, the stream ends.
    fn reset(&mut self, frame: u64, ts: Timestamp, out: &mut impl FnMut(StreamEvent<'_>)) {
        if self.ended {
            return;
        }
        self.settle_acked(true, frame, ts, out);
        if let Some(last_end) = self.pending_end() {
            self.advance_to(last_end, GapReason::NotCaptured, frame, ts, out);
        }
        self.end_stream(true, frame, ts, out);
    }

    fn check_end(&mut self, frame: u64, ts: Timestamp, out: &mut impl FnMut(StreamEvent<'_>)) {
        if let Some(at) = self.end_at
            && !self.ended
            && self.next >= at
        {
            self.end_stream(false, frame, ts, out);
        }
    }

    fn end_stream(
        &mut self,
        reset: bool,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(StreamEvent<'_>),
    ) {
        self.ended = true;
        self.end_at = Some(self.next);
        self.acked = None;
        if !self.pending.is_empty() {
            self.pending = BTreeMap::new();
            self.pending_bytes = 0;
        }
        out(StreamEvent::End { reset, frame, ts });
    }

    fn gap(
        &mut self,
        len: u64,
        reason: GapReason,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(StreamEvent<'_>),
    ) {
        if len == 0 {
            return;
        }
        self.stats.gaps += 1;
        self.stats.gap_bytes = self.stats.gap_bytes.saturating_add(len);
        out(StreamEvent::Gap {
            len,
            reason,
            frame,
            ts,
        });
    }
}

/// The part of a segment at or after the next expected byte, in stream offsets.
struct Run<'a> {
    start: u64,
    /// End of the bytes present in the capture; `[captured_end, end)` was cut by the snap length.
    captured_end: u64,
    end: u64,
    payload: &'a [u8],
    /// Bytes at the front of `payload` that lie before `start` (already delivered).
    lead: u64,
}

impl Run<'_> {
    /// Index into `payload` of stream offset `at` (`start <= at <= captured_end`).
    fn index(&self, at: u64) -> usize {
        let index = at.saturating_sub(self.start).saturating_add(self.lead);
        usize::try_from(index).unwrap_or(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An owned copy of a `StreamEvent`, to compare.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Ev {
        Data(Vec<u8>, u64),
        Gap(u64, GapReason, u64),
        End(bool, u64),
    }

    fn own(event: StreamEvent<'_>) -> Ev {
        match event {
            StreamEvent::Data { bytes, frame, .. } => Ev::Data(bytes.to_vec(), frame),
            StreamEvent::Gap {
                len, reason, frame, ..
            } => Ev::Gap(len, reason, frame),
            StreamEvent::End { reset, frame, .. } => Ev::End(reset, frame),
        }
    }

    fn data(bytes: &[u8], frame: u64) -> Ev {
        Ev::Data(bytes.to_vec(), frame)
    }

    fn seg(seq: u32, payload: &[u8], frame: u64) -> SegmentIn<'_> {
        SegmentIn {
            seq,
            syn: false,
            fin: false,
            rst: false,
            payload,
            missing_payload: 0,
            frame,
            ts: Timestamp(i64::try_from(frame).unwrap_or(0) * 1000),
        }
    }

    fn syn(seq: u32) -> SegmentIn<'static> {
        SegmentIn {
            syn: true,
            ..seg(seq, b"", 1)
        }
    }

    fn fin(seq: u32, payload: &[u8], frame: u64) -> SegmentIn<'_> {
        SegmentIn {
            fin: true,
            ..seg(seq, payload, frame)
        }
    }

    fn rst(seq: u32, frame: u64) -> SegmentIn<'static> {
        SegmentIn {
            rst: true,
            ..seg(seq, b"", frame)
        }
    }

    #[derive(Default)]
    struct Harness {
        r: Reassembler,
        events: Vec<Ev>,
    }

    impl Harness {
        /// A direction whose SYN had sequence number `isn`: data starts at `isn + 1`.
        fn after_syn(isn: u32) -> Self {
            let mut h = Harness::default();
            h.push(syn(isn));
            h
        }

        fn push(&mut self, segment: SegmentIn<'_>) {
            let events = &mut self.events;
            self.r.push(segment, &mut |e| events.push(own(e)));
        }

        fn ack(&mut self, ack: u32, frame: u64) {
            let events = &mut self.events;
            self.r
                .peer_acked(ack, frame, Timestamp(0), &mut |e| events.push(own(e)));
        }

        fn finish(&mut self) {
            let events = &mut self.events;
            self.r.finish(&mut |e| events.push(own(e)));
        }

        fn take(&mut self) -> Vec<Ev> {
            std::mem::take(&mut self.events)
        }

        fn stats(&self) -> &DirectionStats {
            self.r.stats()
        }
    }

    // --- in order -----------------------------------------------------------------------------

    #[test]
    fn in_order_segments_are_delivered_at_once_without_copy() {
        let mut r = Reassembler::new();
        r.push(syn(1000), &mut |_| {});
        let payload = b"OPTIONS * RTSP/1.0\r\n".to_vec();
        let mut same_memory = false;
        r.push(seg(1001, &payload, 2), &mut |e| {
            if let StreamEvent::Data { bytes, frame, .. } = e {
                same_memory = bytes.as_ptr() == payload.as_ptr() && bytes.len() == payload.len();
                assert_eq!(frame, 2);
            }
        });
        assert!(same_memory, "in-order bytes must borrow the segment");
        assert_eq!(r.stats().bytes, payload.len() as u64);
        assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn in_order_stream_of_many_segments() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"abc", 2));
        h.push(seg(4, b"def", 3));
        h.push(seg(7, b"g", 4));
        assert_eq!(
            h.take(),
            vec![data(b"abc", 2), data(b"def", 3), data(b"g", 4)]
        );
        let s = h.stats();
        assert_eq!((s.segments, s.bytes), (4, 7));
        assert_eq!(
            (s.retransmissions, s.out_of_order, s.overlaps, s.gaps),
            (0, 0, 0, 0)
        );
    }

    // --- out of order -------------------------------------------------------------------------

    #[test]
    fn out_of_order_two_then_one() {
        let mut h = Harness::after_syn(0);
        h.push(seg(6, b"world", 2));
        assert_eq!(h.take(), vec![]);
        assert_eq!(h.r.buffered_bytes(), 5);
        h.push(seg(1, b"hello", 3));
        // The released run is attributed to the frame that filled the hole.
        assert_eq!(h.take(), vec![data(b"hello", 3), data(b"world", 3)]);
        assert_eq!(h.r.buffered_bytes(), 0);
        let s = h.stats();
        assert_eq!(s.out_of_order, 1, "the segment that filled the hole");
        assert_eq!(
            (s.retransmissions, s.overlaps, s.gaps, s.bytes),
            (0, 0, 0, 10)
        );
    }

    #[test]
    fn out_of_order_three_segments_reversed() {
        let mut h = Harness::after_syn(0);
        h.push(seg(7, b"ghi", 2));
        h.push(seg(4, b"def", 3));
        h.push(seg(1, b"abc", 4));
        assert_eq!(
            h.take(),
            vec![data(b"abc", 4), data(b"def", 4), data(b"ghi", 4)]
        );
        assert_eq!(h.stats().out_of_order, 2);
    }

    #[test]
    fn duplicate_of_buffered_segment_is_a_retransmission() {
        let mut h = Harness::after_syn(0);
        h.push(seg(6, b"world", 2));
        h.push(seg(6, b"world", 3));
        assert_eq!(h.r.buffered_bytes(), 5);
        h.push(seg(1, b"hello", 4));
        assert_eq!(h.take(), vec![data(b"hello", 4), data(b"world", 4)]);
        assert_eq!(h.stats().retransmissions, 1);
    }

    // --- retransmissions and overlaps ---------------------------------------------------------

    #[test]
    fn retransmission_is_counted_and_dropped() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"hello", 2));
        h.push(seg(1, b"hello", 3));
        h.push(seg(3, b"ll", 4));
        assert_eq!(h.take(), vec![data(b"hello", 2)]);
        assert_eq!(h.stats().retransmissions, 2);
        assert_eq!(h.stats().overlaps, 0);
    }

    #[test]
    fn zero_length_ack_is_not_a_retransmission() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"hello", 2));
        h.push(seg(6, b"", 3));
        h.push(seg(1, b"", 4));
        assert_eq!(h.stats().retransmissions, 0);
        assert_eq!(h.stats().segments, 4);
    }

    #[test]
    fn keep_alive_is_not_a_retransmission() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"hello", 2));
        // One garbage byte at next - 1, as stacks send keep-alives.
        h.push(seg(5, b"\0", 3));
        assert_eq!(h.take(), vec![data(b"hello", 2)]);
        assert_eq!(h.stats().retransmissions, 0);
    }

    #[test]
    fn syn_and_fin_retransmissions_are_counted() {
        let mut h = Harness::after_syn(0);
        h.push(syn(0));
        h.push(fin(1, b"", 3));
        h.push(fin(1, b"", 4));
        assert_eq!(h.take(), vec![Ev::End(false, 3)]);
        assert_eq!(h.stats().retransmissions, 2);
    }

    #[test]
    fn partial_overlap_is_trimmed_to_the_new_bytes() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"hello", 2));
        h.push(seg(4, b"lo wor", 3));
        assert_eq!(h.take(), vec![data(b"hello", 2), data(b" wor", 3)]);
        assert_eq!(h.stats().overlaps, 1);
        assert_eq!(h.stats().retransmissions, 0);
        assert_eq!(h.stats().bytes, 9);
    }

    #[test]
    fn overlap_spanning_two_buffered_segments_is_deduplicated() {
        let stream = b"0123456789ABCDEFGHIJ";
        let mut h = Harness::after_syn(0);
        // Buffered ahead of the hole [0, 5): [5, 8) and [10, 13).
        h.push(seg(6, &stream[5..8], 2));
        h.push(seg(11, &stream[10..13], 3));
        // Spans both, with different bytes where they overlap: the first copy buffered wins.
        let mut spanning = stream[6..15].to_vec();
        spanning[1] = b'x'; // offset 7, inside [5, 8)
        spanning[5] = b'y'; // offset 11, inside [10, 13)
        h.push(seg(7, &spanning, 4));
        assert_eq!(h.r.buffered_bytes(), 10, "[5, 15) held once");
        assert_eq!(h.stats().overlaps, 1);
        h.push(seg(1, &stream[0..5], 5));
        let delivered: Vec<u8> = h
            .take()
            .into_iter()
            .flat_map(|e| match e {
                Ev::Data(bytes, 5) => bytes,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(delivered, &stream[0..15]);
        assert_eq!(h.r.buffered_bytes(), 0);
    }

    #[test]
    fn in_order_segment_wins_over_buffered_copy() {
        let mut h = Harness::after_syn(0);
        h.push(seg(4, b"XYZ", 2));
        h.push(seg(1, b"abcdef", 3));
        assert_eq!(h.take(), vec![data(b"abcdef", 3)]);
        assert_eq!(h.r.buffered_bytes(), 0);
        assert_eq!(h.stats().overlaps, 1);
    }

    // --- gaps ---------------------------------------------------------------------------------

    #[test]
    fn gap_by_peer_ack() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"hello", 2));
        // The peer acknowledges 10 bytes the capture never showed.
        h.ack(16, 3);
        h.push(seg(16, b"next", 4));
        assert_eq!(
            h.take(),
            vec![
                data(b"hello", 2),
                Ev::Gap(10, GapReason::NotCaptured, 3),
                data(b"next", 4)
            ]
        );
        // The lost bytes turning up later are old news.
        h.push(seg(6, b"0123456789", 5));
        assert_eq!(h.take(), vec![]);
        assert_eq!(h.stats().retransmissions, 1);
        assert_eq!((h.stats().gaps, h.stats().gap_bytes), (1, 10));
    }

    #[test]
    fn ack_before_the_data_it_covers_is_no_gap() {
        // Captures on several interfaces, or reordered by the capturing host, can show the
        // peer's ACK one frame before the data it acknowledges.
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"hello", 2));
        h.ack(16, 3);
        h.push(seg(6, b"0123456789", 4));
        h.finish();
        assert_eq!(h.take(), vec![data(b"hello", 2), data(b"0123456789", 4)]);
        assert_eq!(h.stats().gaps, 0);
        assert_eq!(h.stats().retransmissions, 0);
    }

    #[test]
    fn ack_proven_hole_is_declared_when_the_sender_moves_past_it() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"hello", 2));
        h.ack(16, 3);
        h.push(seg(9, b"789", 4)); // inside the hole: it may still fill
        assert_eq!(h.take(), vec![data(b"hello", 2)]);
        h.push(seg(16, b"next", 5)); // past it: the rest is not coming
        assert_eq!(
            h.take(),
            vec![
                Ev::Gap(3, GapReason::NotCaptured, 3),
                data(b"789", 5),
                Ev::Gap(4, GapReason::NotCaptured, 3),
                data(b"next", 5)
            ]
        );
    }

    #[test]
    fn ack_proven_hole_at_a_rst_or_the_end_is_not_captured() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"ab", 2));
        h.ack(10, 3);
        h.push(rst(3, 4));
        assert_eq!(
            h.take(),
            vec![
                data(b"ab", 2),
                Ev::Gap(7, GapReason::NotCaptured, 3),
                Ev::End(true, 4)
            ]
        );
        let mut h = Harness::after_syn(0);
        h.ack(10, 3);
        h.finish();
        assert_eq!(h.take(), vec![Ev::Gap(9, GapReason::NotCaptured, 3)]);
    }

    #[test]
    fn gap_by_peer_ack_releases_buffered_data() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"hello", 2));
        h.push(seg(11, b"later", 3));
        h.push(seg(21, b"after", 4));
        h.ack(11, 5);
        assert_eq!(
            h.take(),
            vec![
                data(b"hello", 2),
                Ev::Gap(5, GapReason::NotCaptured, 5),
                data(b"later", 5)
            ]
        );
        // An ACK past buffered data and holes alike.
        h.ack(26, 6);
        assert_eq!(
            h.take(),
            vec![Ev::Gap(5, GapReason::NotCaptured, 6), data(b"after", 6)]
        );
    }

    #[test]
    fn ack_at_or_behind_the_stream_is_not_a_gap() {
        let mut h = Harness::after_syn(1000);
        h.ack(1001, 2); // the SYN's ACK
        h.ack(900, 3); // from before the stream's start
        h.push(seg(1001, b"hello", 4));
        h.ack(1003, 5);
        h.ack(1006, 6);
        assert_eq!(h.take(), vec![data(b"hello", 4)]);
        assert_eq!(h.stats().gaps, 0);
    }

    #[test]
    fn absurd_ack_is_ignored() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"hello", 2));
        h.ack(6 + (1 << 30) + 1, 3); // beyond any TCP window
        h.ack(6u32.wrapping_add(3 << 30), 4); // half the space away: another connection
        h.ack(0x8000_0006, 5);
        assert_eq!(h.take(), vec![data(b"hello", 2)]);
        assert_eq!(h.stats().gaps, 0);
    }

    #[test]
    fn ack_before_any_data_from_a_mid_stream_side_is_ignored() {
        let mut h = Harness::default();
        h.ack(5000, 1);
        h.push(seg(7000, b"abc", 2));
        assert_eq!(h.take(), vec![data(b"abc", 2)]);
    }

    #[test]
    fn ack_of_the_fin_slot_is_not_a_gap() {
        let mut h = Harness::after_syn(0);
        h.push(fin(1, b"bye", 2));
        h.ack(5, 3);
        assert_eq!(h.take(), vec![data(b"bye", 2), Ev::End(false, 2)]);
        assert_eq!(h.stats().gaps, 0);
    }

    #[test]
    fn ack_past_a_hole_before_the_fin_closes_it() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"ab", 2));
        h.push(fin(6, b"", 3)); // bytes 3..6 missing
        assert_eq!(h.take(), vec![data(b"ab", 2)]);
        h.ack(7, 4); // acknowledges the bytes and the FIN
        assert_eq!(
            h.take(),
            vec![Ev::Gap(3, GapReason::NotCaptured, 4), Ev::End(false, 4)]
        );
    }

    #[test]
    fn gap_at_end_of_capture() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"abc", 2));
        h.push(seg(7, b"ghi", 3));
        h.push(seg(13, b"mno", 4));
        assert_eq!(h.take(), vec![data(b"abc", 2)]);
        h.finish();
        assert_eq!(
            h.take(),
            vec![
                Ev::Gap(3, GapReason::EndOfCapture, 4),
                data(b"ghi", 4),
                Ev::Gap(3, GapReason::EndOfCapture, 4),
                data(b"mno", 4)
            ]
        );
        assert_eq!((h.stats().gaps, h.stats().gap_bytes), (2, 6));
        h.finish();
        assert_eq!(h.take(), vec![], "finish twice is harmless");
    }

    #[test]
    fn finish_closes_a_hole_before_a_fin() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"ab", 2));
        h.push(fin(5, b"ef", 3));
        h.finish();
        assert_eq!(
            h.take(),
            vec![
                data(b"ab", 2),
                Ev::Gap(2, GapReason::EndOfCapture, 3),
                data(b"ef", 3),
                Ev::End(false, 3)
            ]
        );
    }

    // --- sequence numbers ---------------------------------------------------------------------

    #[test]
    fn wrap_around_across_2_32() {
        let isn = u32::MAX - 3;
        let mut h = Harness::after_syn(isn);
        let first = isn.wrapping_add(1); // u32::MAX - 2
        h.push(seg(first, b"abc", 2)); // up to u32::MAX
        // Out of order across the wrap: bytes at 3.. arrive before those at 0..3.
        h.push(seg(3, b"ghi", 3));
        h.push(seg(0, b"def", 4));
        h.push(seg(6, b"jkl", 5));
        h.ack(9, 6); // everything so far
        h.ack(2, 6); // older
        h.push(seg(u32::MAX, b"cde", 7)); // retransmission straddling the wrap
        assert_eq!(
            h.take(),
            vec![
                data(b"abc", 2),
                data(b"def", 4),
                data(b"ghi", 4),
                data(b"jkl", 5)
            ]
        );
        assert_eq!(h.stats().retransmissions, 1);
        assert_eq!(h.stats().gaps, 0);
        h.ack(12, 8);
        assert_eq!(h.take(), vec![], "not shown yet, maybe still coming");
        h.finish();
        assert_eq!(h.take(), vec![Ev::Gap(3, GapReason::NotCaptured, 8)]);
    }

    #[test]
    fn syn_at_the_last_sequence_number() {
        let mut h = Harness::after_syn(u32::MAX);
        h.push(seg(0, b"x", 2));
        assert_eq!(h.take(), vec![data(b"x", 2)]);
    }

    #[test]
    fn long_stream_wraps_several_times() {
        let mut h = Harness::after_syn(0x1234_5678);
        let chunk = vec![7u8; 60_000];
        let mut seq = 0x1234_5679u32;
        // 5 * 2^32 bytes would take too long; 300 000 chunks of 60 000 is past 4 wraps.
        for frame in 0..300_000u64 {
            h.r.push(seg(seq, &chunk, frame), &mut |_| {});
            seq = seq.wrapping_add(60_000);
        }
        assert_eq!(h.stats().bytes, 300_000 * 60_000);
        assert!(h.stats().bytes > 4 * (1u64 << 32));
        assert_eq!(h.stats().gaps + h.stats().retransmissions, 0);
    }

    #[test]
    fn segment_absurdly_far_ahead_is_refused() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"a", 2));
        h.push(seg(2 + (1 << 30) + 10, b"far", 3));
        assert_eq!(h.r.buffered_bytes(), 0);
        assert_eq!(h.stats().dropped_by_limit, 1);
        h.finish();
        assert_eq!(h.take(), vec![data(b"a", 2)]);
    }

    // --- joining mid-stream -------------------------------------------------------------------

    #[test]
    fn mid_stream_join_starts_at_the_first_payload() {
        let mut h = Harness::default();
        h.push(seg(5000, b"", 1)); // a pure ACK says nothing
        h.push(seg(5000, b"abc", 2));
        h.push(seg(4990, b"0123456789", 3)); // from before the join: old
        h.push(seg(5003, b"def", 4));
        h.finish();
        assert_eq!(h.take(), vec![data(b"abc", 2), data(b"def", 4)]);
        assert_eq!(h.stats().gaps, 0, "no gap for what came before the join");
        assert_eq!(h.r.isn(), None);
        assert!(h.r.started());
    }

    // --- SYN, FIN, RST ------------------------------------------------------------------------

    #[test]
    fn syn_with_data_starts_after_the_syn() {
        let mut h = Harness::default();
        h.push(SegmentIn {
            syn: true,
            ..seg(99, b"tfo", 1)
        });
        h.push(seg(103, b"!", 2));
        assert_eq!(h.take(), vec![data(b"tfo", 1), data(b"!", 2)]);
        assert_eq!(h.r.isn(), Some(99));
    }

    #[test]
    fn fin_ends_the_stream() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"abc", 2));
        h.push(fin(4, b"de", 3));
        assert_eq!(
            h.take(),
            vec![data(b"abc", 2), data(b"de", 3), Ev::End(false, 3)]
        );
        assert!(h.r.ended());
    }

    #[test]
    fn fin_waits_for_the_hole_before_it() {
        let mut h = Harness::after_syn(0);
        h.push(fin(4, b"de", 2));
        assert_eq!(h.take(), vec![]);
        h.push(seg(1, b"abc", 3));
        assert_eq!(
            h.take(),
            vec![data(b"abc", 3), data(b"de", 3), Ev::End(false, 3)]
        );
    }

    #[test]
    fn fin_only_from_a_side_never_seen_ends_it() {
        let mut h = Harness::default();
        h.push(fin(777, b"", 1));
        assert_eq!(h.take(), vec![Ev::End(false, 1)]);
    }

    #[test]
    fn data_after_fin_is_ignored() {
        let mut h = Harness::after_syn(0);
        h.push(fin(1, b"abc", 2));
        h.push(seg(5, b"more", 3)); // past the FIN's slot
        h.push(seg(3, b"cXYZ", 4)); // one old byte, the rest past the FIN
        h.push(seg(1, b"abc", 5)); // a plain retransmission
        assert_eq!(h.take(), vec![data(b"abc", 2), Ev::End(false, 2)]);
        assert_eq!(h.stats().after_end, 2);
        assert_eq!(h.stats().retransmissions, 1);
        assert_eq!(h.stats().bytes, 3);
    }

    #[test]
    fn buffered_data_past_a_late_fin_is_dropped() {
        let mut h = Harness::after_syn(0);
        h.push(seg(5, b"efgh", 2)); // buffered, but the FIN will say the stream ends at 5
        h.push(fin(3, b"cd", 3));
        assert_eq!(h.r.buffered_bytes(), 2, "only the FIN segment's own bytes");
        h.push(seg(1, b"ab", 4));
        assert_eq!(
            h.take(),
            vec![data(b"ab", 4), data(b"cd", 4), Ev::End(false, 4)]
        );
        assert_eq!(h.stats().after_end, 1);
    }

    #[test]
    fn rst_ends_the_stream_after_flushing() {
        let mut h = Harness::after_syn(0);
        h.push(seg(1, b"abc", 2));
        h.push(seg(7, b"ghi", 3));
        h.push(rst(10, 4));
        assert_eq!(
            h.take(),
            vec![
                data(b"abc", 2),
                Ev::Gap(3, GapReason::NotCaptured, 4),
                data(b"ghi", 4),
                Ev::End(true, 4)
            ]
        );
        h.push(seg(10, b"late", 5));
        h.push(rst(14, 6));
        h.finish();
        assert_eq!(h.take(), vec![], "one End only, nothing after it");
        assert_eq!(h.stats().after_end, 1);
    }

    #[test]
    fn rst_alone_ends_a_side_never_seen() {
        let mut h = Harness::default();
        h.push(rst(5, 1));
        assert_eq!(h.take(), vec![Ev::End(true, 1)]);
    }

    // --- snap length --------------------------------------------------------------------------

    #[test]
    fn snap_length_cut_delivers_then_gaps() {
        let mut h = Harness::after_syn(0);
        h.push(SegmentIn {
            missing_payload: 7,
            ..seg(1, b"abc", 2)
        });
        h.push(seg(11, b"next", 3));
        assert_eq!(
            h.take(),
            vec![
                data(b"abc", 2),
                Ev::Gap(7, GapReason::SnapLength, 2),
                data(b"next", 3)
            ]
        );
        assert_eq!((h.stats().gaps, h.stats().gap_bytes), (1, 7));
    }

    #[test]
    fn snap_length_cut_out_of_order_is_released_as_a_gap() {
        let mut h = Harness::after_syn(0);
        h.push(SegmentIn {
            missing_payload: 5,
            ..seg(4, b"de", 2)
        });
        h.push(seg(11, b"k", 3));
        h.push(seg(1, b"abc", 4));
        assert_eq!(
            h.take(),
            vec![
                data(b"abc", 4),
                data(b"de", 4),
                Ev::Gap(5, GapReason::SnapLength, 4),
                data(b"k", 4)
            ]
        );
    }

    #[test]
    fn snap_length_cut_with_nothing_captured() {
        let mut h = Harness::after_syn(0);
        h.push(SegmentIn {
            missing_payload: 100,
            ..seg(1, b"", 2)
        });
        assert_eq!(h.take(), vec![Ev::Gap(100, GapReason::SnapLength, 2)]);
    }

    // --- limits -------------------------------------------------------------------------------

    #[test]
    fn buffer_limit_reached_by_bytes() {
        let mut h = Harness::after_syn(0);
        let chunk = vec![1u8; 64 * 1024];
        let per_limit = limits::MAX_OUT_OF_ORDER_BYTES / chunk.len();
        // A one-byte hole at offset 0, then a limit's worth of data after it.
        let mut seq = 2u32;
        for i in 0..per_limit {
            h.push(seg(seq, &chunk, 10 + i as u64));
            seq = seq.wrapping_add(chunk.len() as u32);
        }
        assert_eq!(h.take(), vec![]);
        assert_eq!(h.r.buffered_bytes(), limits::MAX_OUT_OF_ORDER_BYTES);
        h.push(seg(seq, &chunk, 5000));
        let events = h.take();
        assert_eq!(
            events.first(),
            Some(&Ev::Gap(1, GapReason::BufferLimit, 5000))
        );
        let released: usize = events
            .iter()
            .map(|e| match e {
                Ev::Data(bytes, 5000) => bytes.len(),
                _ => 0,
            })
            .sum();
        assert_eq!(released, (per_limit + 1) * chunk.len());
        assert_eq!(h.r.buffered_bytes(), 0);
        assert_eq!(h.stats().dropped_by_limit, 1);
        // The lost byte turning up at last is old.
        h.push(seg(1, b"z", 5001));
        assert_eq!(h.take(), vec![]);
    }

    #[test]
    fn buffer_limit_reached_by_segments() {
        let mut h = Harness::after_syn(0);
        // One byte every other offset: every segment is its own run.
        for i in 0..limits::MAX_OUT_OF_ORDER_SEGMENTS as u32 {
            h.push(seg(3 + 2 * i, b"x", 10));
        }
        assert_eq!(h.take(), vec![]);
        let last = 3 + 2 * limits::MAX_OUT_OF_ORDER_SEGMENTS as u32;
        h.push(seg(last, b"y", 11));
        let events = h.take();
        // The first hole is given up; the run after it comes out, and the next hole stays.
        assert_eq!(
            events,
            vec![Ev::Gap(2, GapReason::BufferLimit, 11), data(b"x", 11)]
        );
        assert!(h.r.pending.len() <= limits::MAX_OUT_OF_ORDER_SEGMENTS);
        assert_eq!(h.stats().dropped_by_limit, 1);
    }

    #[test]
    fn one_segment_over_the_limit_by_itself_is_delivered_after_a_gap() {
        let mut h = Harness::after_syn(0);
        let huge = vec![3u8; limits::MAX_OUT_OF_ORDER_BYTES + 1];
        h.push(seg(11, &huge, 2));
        let events = h.take();
        assert_eq!(events.len(), 2);
        assert_eq!(
            events.first(),
            Some(&Ev::Gap(10, GapReason::BufferLimit, 2))
        );
        assert_eq!(h.r.buffered_bytes(), 0);
        assert_eq!(h.stats().bytes, huge.len() as u64);
    }

    #[test]
    fn flush_gives_up_holes_with_data_behind_them() {
        let mut h = Harness::after_syn(0);
        h.push(seg(4, b"def", 2));
        let events = &mut h.events;
        h.r.flush(GapReason::BufferLimit, &mut |e| events.push(own(e)));
        assert_eq!(
            h.take(),
            vec![Ev::Gap(3, GapReason::BufferLimit, 2), data(b"def", 2)]
        );
        assert_eq!(h.stats().dropped_by_limit, 1);
    }

    #[test]
    fn ignored_direction_only_counts() {
        let mut h = Harness::after_syn(0);
        h.push(seg(4, b"def", 2));
        h.r.ignore();
        assert_eq!(h.r.buffered_bytes(), 0);
        h.push(seg(1, b"abc", 3));
        h.ack(100, 4);
        h.finish();
        assert_eq!(h.take(), vec![]);
        assert_eq!(h.stats().segments, 3);
    }

    #[test]
    fn idle_direction_allocates_nothing() {
        // Many connections that never fill a hole must cost little each: the struct itself,
        // and no heap until a segment is buffered.
        assert!(std::mem::size_of::<Reassembler>() <= 256);
        let h = Harness::after_syn(0);
        assert_eq!(h.r.pending.len(), 0);
    }
}
