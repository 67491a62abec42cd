//! The flow table: which TCP segments belong to which connection, and a reassembler for each
//! direction of each.
//!
//! A connection is known by its two endpoints; a new SYN on a 4-tuple whose connection has
//! ended starts a new connection (as tshark's tcp.stream counts). Side `A` is the endpoint that
//! sent the SYN, or the source of the first segment seen when the handshake is not in the
//! capture. Which side is the RTSP client is decided above, from the messages.
//!
//! Call order: [`FlowTable::push`] for every TCP segment in capture order, [`FlowTable::ignore`]
//! between pushes for connections the caller has no use for, [`FlowTable::finish`] once at the
//! end. For each segment, the events of its ACK (gaps in the other direction that the ACK
//! proves, and data they release) come before the events of its own payload.
//!
//! Bounded: at most `limits::MAX_TCP_FLOWS` connections are tracked (the least recently used
//! is forgotten first, closed ones before open ones) and at most
//! `limits::MAX_OUT_OF_ORDER_BYTES_TOTAL` out-of-order bytes are held by all of them together.
//! Every operation per segment is O(1) amortised: two hash look-ups and list splices.
//!
//! A connection replaced by a new SYN on its endpoints, or closed (both FINs, or a reset) and
//! quiet for `limits::CLOSED_CONNECTION_LINGER_NANOS` of capture time, gets its holes closed as
//! `GapReason::Abandoned` (nothing more can arrive for it), then `Evicted`, so that whoever
//! keeps state per connection can drop it: what a capture costs grows with the connections
//! open at once, not with all it ever saw.

use std::net::SocketAddr;

use foldhash::HashMap;

use crate::capture::Timestamp;
use crate::capture::link::TcpSegment;
use crate::limits;

use super::reassembly::{DirectionStats, GapReason, Reassembler, SegmentIn, StreamEvent};

/// Connection number, 0-based, in order of first appearance (tshark's tcp.stream).
pub type ConnId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    AToB,
    BToA,
}

impl Direction {
    pub fn reverse(self) -> Direction {
        match self {
            Direction::AToB => Direction::BToA,
            Direction::BToA => Direction::AToB,
        }
    }
}

#[derive(Debug)]
pub enum TcpEvent<'a> {
    Opened {
        conn: ConnId,
        a: SocketAddr,
        b: SocketAddr,
        /// Whether the handshake was seen (false: joined mid-stream).
        saw_syn: bool,
        frame: u64,
        ts: Timestamp,
    },
    Stream {
        conn: ConnId,
        direction: Direction,
        event: StreamEvent<'a>,
    },
    /// The connection was forgotten, with no further event: to stay under
    /// `limits::MAX_TCP_FLOWS`, because a new connection (an opening SYN) took over its
    /// endpoints, or because it closed and stayed quiet. Whatever it still held is released
    /// (as gaps and data) just before; `stats` are its final TCP statistics.
    Evicted {
        conn: ConnId,
        frame: u64,
        stats: ConnStats,
        why: Forgotten,
    },
}

/// Why the flow table forgot a connection before the end of the capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgotten {
    /// Closed (both FINs, or a reset) and quiet for `limits::CLOSED_CONNECTION_LINGER_NANOS`.
    Quiet,
    /// A new connection (an opening SYN) took over its endpoints.
    Replaced,
    /// The table was full (`limits::MAX_TCP_FLOWS`) and it was the least recently used.
    Limit,
}

/// A connection's TCP statistics, both directions added up: what the model shows of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnStats {
    pub gaps: u64,
    pub gap_bytes: u64,
    pub retransmissions: u64,
    pub out_of_order: u64,
}

/// End of a recency list.
const NIL: usize = usize::MAX;

type Key = (SocketAddr, SocketAddr);

fn key_of(x: SocketAddr, y: SocketAddr) -> Key {
    if x <= y { (x, y) } else { (y, x) }
}

#[derive(Debug)]
struct Conn {
    id: ConnId,
    key: Key,
    a: SocketAddr,
    a_to_b: Reassembler,
    b_to_a: Reassembler,
    /// FIN seen from A, from B.
    fin: [bool; 2],
    reset: bool,
    /// The table's clock at this connection's latest segment: a closed connection quiet for
    /// long is forgotten.
    last_seen: Timestamp,
    /// Which recency list the connection is on, and its neighbours there.
    on_closed_list: bool,
    prev: usize,
    next: usize,
}

impl Conn {
    fn dir(&self, direction: Direction) -> &Reassembler {
        match direction {
            Direction::AToB => &self.a_to_b,
            Direction::BToA => &self.b_to_a,
        }
    }

    fn dir_mut(&mut self, direction: Direction) -> &mut Reassembler {
        match direction {
            Direction::AToB => &mut self.a_to_b,
            Direction::BToA => &mut self.b_to_a,
        }
    }

    fn stats_sum(&self) -> ConnStats {
        let (x, y) = (self.a_to_b.stats(), self.b_to_a.stats());
        ConnStats {
            gaps: x.gaps + y.gaps,
            gap_bytes: x.gap_bytes + y.gap_bytes,
            retransmissions: x.retransmissions + y.retransmissions,
            out_of_order: x.out_of_order + y.out_of_order,
        }
    }

    fn closed(&self) -> bool {
        self.reset || (self.fin[0] && self.fin[1])
    }

    fn buffered(&self) -> usize {
        self.a_to_b
            .buffered_bytes()
            .saturating_add(self.b_to_a.buffered_bytes())
    }

    /// Whether an opening SYN (no ACK) from the side `direction` starts a new connection on
    /// these endpoints rather than repeating this one's SYN.
    fn replaced_by_syn(&self, direction: Direction, seq: u32) -> bool {
        if self.closed() {
            return true;
        }
        let side = self.dir(direction);
        match side.isn() {
            Some(isn) => isn != seq,
            // Simultaneous open is the only way a side that has sent nothing yet sends a SYN
            // on a live connection; a side already talking does not start over.
            None => side.started(),
        }
    }

    /// Flushes both directions' buffers for `reason`, as events of this connection.
    fn flush(&mut self, reason: GapReason, out: &mut impl FnMut(TcpEvent<'_>)) {
        self.each_direction(out, |r, mut events| r.flush(reason, &mut events));
    }

    /// The connection is forgotten before the capture ends: its holes are abandoned.
    fn abandon(&mut self, out: &mut impl FnMut(TcpEvent<'_>)) {
        self.each_direction(out, |r, mut events| r.abandon(&mut events));
    }

    fn finish(&mut self, out: &mut impl FnMut(TcpEvent<'_>)) {
        self.each_direction(out, |r, mut events| r.finish(&mut events));
    }

    /// Runs `step` on both directions' reassemblers, their events as this connection's.
    fn each_direction(
        &mut self,
        out: &mut impl FnMut(TcpEvent<'_>),
        mut step: impl FnMut(&mut Reassembler, &mut dyn FnMut(StreamEvent<'_>)),
    ) {
        let conn = self.id;
        for direction in [Direction::AToB, Direction::BToA] {
            step(self.dir_mut(direction), &mut |event| {
                out(TcpEvent::Stream {
                    conn,
                    direction,
                    event,
                })
            });
        }
    }
}

/// A doubly linked recency list threaded through the slots: least recently used at the head.
#[derive(Debug, Clone, Copy)]
struct List {
    head: usize,
    tail: usize,
}

impl List {
    const EMPTY: List = List {
        head: NIL,
        tail: NIL,
    };
}

#[derive(Debug)]
pub struct FlowTable {
    by_key: HashMap<Key, usize>,
    by_id: HashMap<ConnId, usize>,
    slots: Vec<Option<Conn>>,
    free: Vec<usize>,
    open: List,
    closed: List,
    next_id: ConnId,
    /// Out-of-order bytes held by all connections.
    buffered: usize,
    /// Where the last sweep for buffered bytes stopped.
    sweep_at: usize,
    max_flows: usize,
    max_buffered: usize,
    /// The latest timestamp seen. It never goes back, so the closed list, in order of last
    /// use, is also in order of `Conn::last_seen` (timestamps that go backwards in a capture
    /// must not hide the connections behind one from being forgotten).
    clock: Timestamp,
}

impl Default for FlowTable {
    fn default() -> Self {
        Self::with_limits(limits::MAX_TCP_FLOWS, limits::MAX_OUT_OF_ORDER_BYTES_TOTAL)
    }
}

impl FlowTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// A table with other bounds than those of `crate::limits` (tests, small devices):
    /// `max_flows` connections at once, `max_buffered` out-of-order bytes in all.
    pub fn with_limits(max_flows: usize, max_buffered: usize) -> Self {
        FlowTable {
            by_key: HashMap::default(),
            by_id: HashMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            open: List::EMPTY,
            closed: List::EMPTY,
            next_id: 0,
            buffered: 0,
            sweep_at: 0,
            max_flows: max_flows.max(1),
            max_buffered,
            clock: Timestamp(i64::MIN),
        }
    }

    pub fn push(
        &mut self,
        segment: &TcpSegment<'_>,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(TcpEvent<'_>),
    ) {
        self.clock = self.clock.max(ts);
        // Before the segment is looked up, so that a segment coming once the linger is over
        // never joins the forgotten connection (it starts a new one), whatever came between.
        self.forget_quiet_closed(frame, out);
        let key = key_of(segment.src, segment.dst);
        let opening_syn = segment.flags.syn && !segment.flags.ack;
        let slot = match self.by_key.get(&key).copied() {
            Some(slot) => {
                let replaced = opening_syn
                    && self.conn(slot).is_some_and(|conn| {
                        conn.replaced_by_syn(direction_of(conn, segment.src), segment.seq)
                    });
                if replaced {
                    self.retire(slot, Forgotten::Replaced, frame, out);
                    self.open_conn(key, segment, frame, ts, out)
                } else {
                    slot
                }
            }
            None => self.open_conn(key, segment, frame, ts, out),
        };
        let Some(conn) = self.slots.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };

        let held_before = conn.buffered();
        let id = conn.id;
        let direction = direction_of(conn, segment.src);
        if segment.flags.ack {
            let reverse = direction.reverse();
            conn.dir_mut(reverse)
                .peer_acked(segment.ack, frame, ts, &mut |event| {
                    out(TcpEvent::Stream {
                        conn: id,
                        direction: reverse,
                        event,
                    })
                });
        }
        let input = SegmentIn {
            seq: segment.seq,
            syn: segment.flags.syn,
            fin: segment.flags.fin,
            rst: segment.flags.rst,
            payload: segment.payload,
            missing_payload: segment.missing_payload,
            frame,
            ts,
        };
        conn.dir_mut(direction).push(input, &mut |event| {
            out(TcpEvent::Stream {
                conn: id,
                direction,
                event,
            })
        });
        match direction {
            Direction::AToB => conn.fin[0] |= segment.flags.fin,
            Direction::BToA => conn.fin[1] |= segment.flags.fin,
        }
        conn.reset |= segment.flags.rst;
        conn.last_seen = self.clock;
        let held_after = conn.buffered();

        self.buffered = self
            .buffered
            .saturating_sub(held_before)
            .saturating_add(held_after);
        self.touch(slot);
        if self.buffered > self.max_buffered {
            self.sweep(out);
        }
    }

    /// Forgets the closed connections quiet for `limits::CLOSED_CONNECTION_LINGER_NANOS` by the
    /// table's clock: the closed list is in order of last use, and so of `last_seen`, so only
    /// its head is ever looked at.
    fn forget_quiet_closed(&mut self, frame: u64, out: &mut impl FnMut(TcpEvent<'_>)) {
        while let Some(conn) = self.conn(self.closed.head) {
            let quiet_until = conn
                .last_seen
                .0
                .saturating_add(limits::CLOSED_CONNECTION_LINGER_NANOS);
            if self.clock.0 < quiet_until {
                return;
            }
            let slot = self.closed.head;
            self.retire(slot, Forgotten::Quiet, frame, out);
        }
    }

    /// Stop reassembling a connection that is not RTSP: later segments are counted, not
    /// buffered.
    pub fn ignore(&mut self, conn: ConnId) {
        let Some(&slot) = self.by_id.get(&conn) else {
            return;
        };
        let Some(entry) = self.slots.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        let held = entry.buffered();
        entry.a_to_b.ignore();
        entry.b_to_a.ignore();
        self.buffered = self.buffered.saturating_sub(held);
    }

    /// End of capture: flush every connection's buffered data.
    pub fn finish(&mut self, out: &mut impl FnMut(TcpEvent<'_>)) {
        // In connection order, so that the output does not depend on hashing.
        let mut live: Vec<(ConnId, usize)> = self.by_id.iter().map(|(&id, &s)| (id, s)).collect();
        live.sort_unstable();
        for (_, slot) in live {
            if let Some(conn) = self.slots.get_mut(slot).and_then(Option::as_mut) {
                conn.finish(out);
            }
        }
        self.buffered = 0;
    }

    pub fn stats(&self, conn: ConnId, direction: Direction) -> Option<&DirectionStats> {
        let slot = *self.by_id.get(&conn)?;
        Some(self.conn(slot)?.dir(direction).stats())
    }

    /// Both directions' statistics added up, while the connection is tracked.
    pub fn conn_stats(&self, conn: ConnId) -> Option<ConnStats> {
        let slot = *self.by_id.get(&conn)?;
        Some(self.conn(slot)?.stats_sum())
    }

    /// Connections tracked now.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Out-of-order bytes held by all connections together.
    pub fn buffered_bytes(&self) -> usize {
        self.buffered
    }

    fn conn(&self, slot: usize) -> Option<&Conn> {
        self.slots.get(slot).and_then(Option::as_ref)
    }

    fn open_conn(
        &mut self,
        key: Key,
        segment: &TcpSegment<'_>,
        frame: u64,
        ts: Timestamp,
        out: &mut impl FnMut(TcpEvent<'_>),
    ) -> usize {
        while self.by_key.len() >= self.max_flows {
            if !self.evict_one(frame, out) {
                break;
            }
        }
        let id = self.next_id;
        // Wrapping after 4 billion connections: ids of long-forgotten ones come back.
        self.next_id = self.next_id.wrapping_add(1);
        // A SYN-ACK seen first still names the side that sent the SYN.
        let (a, b) = if segment.flags.syn && segment.flags.ack {
            (segment.dst, segment.src)
        } else {
            (segment.src, segment.dst)
        };
        let conn = Conn {
            id,
            key,
            a,
            a_to_b: Reassembler::new(),
            b_to_a: Reassembler::new(),
            fin: [false; 2],
            reset: false,
            last_seen: self.clock,
            on_closed_list: false,
            prev: NIL,
            next: NIL,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                if let Some(entry) = self.slots.get_mut(slot) {
                    *entry = Some(conn);
                }
                slot
            }
            None => {
                self.slots.push(Some(conn));
                self.slots.len() - 1
            }
        };
        self.by_key.insert(key, slot);
        self.by_id.insert(id, slot);
        self.link_tail(slot, false);
        out(TcpEvent::Opened {
            conn: id,
            a,
            b,
            saw_syn: segment.flags.syn,
            frame,
            ts,
        });
        slot
    }

    /// Forgets the least recently used connection, a closed one if any. Returns false if the
    /// table is empty.
    fn evict_one(&mut self, frame: u64, out: &mut impl FnMut(TcpEvent<'_>)) -> bool {
        let victim = if self.closed.head != NIL {
            self.closed.head
        } else {
            self.open.head
        };
        let Some(mut conn) = self.remove(victim) else {
            return false;
        };
        conn.flush(GapReason::BufferLimit, out);
        out(TcpEvent::Evicted {
            conn: conn.id,
            frame,
            stats: conn.stats_sum(),
            why: Forgotten::Limit,
        });
        true
    }

    /// A new SYN took over the endpoints, or the connection closed long ago: its holes can no
    /// longer fill.
    fn retire(
        &mut self,
        slot: usize,
        why: Forgotten,
        frame: u64,
        out: &mut impl FnMut(TcpEvent<'_>),
    ) {
        if let Some(mut conn) = self.remove(slot) {
            conn.abandon(out);
            out(TcpEvent::Evicted {
                conn: conn.id,
                frame,
                stats: conn.stats_sum(),
                why,
            });
        }
    }

    fn remove(&mut self, slot: usize) -> Option<Conn> {
        self.unlink(slot);
        let conn = self.slots.get_mut(slot)?.take()?;
        self.by_key.remove(&conn.key);
        self.by_id.remove(&conn.id);
        self.free.push(slot);
        self.buffered = self.buffered.saturating_sub(conn.buffered());
        Some(conn)
    }

    /// Marks a connection as the most recently used, on the list its state calls for.
    fn touch(&mut self, slot: usize) {
        let Some(closed) = self.conn(slot).map(Conn::closed) else {
            return;
        };
        let list = if closed { self.closed } else { self.open };
        if list.tail == slot {
            return;
        }
        self.unlink(slot);
        self.link_tail(slot, closed);
    }

    fn link_tail(&mut self, slot: usize, closed: bool) {
        let tail = if closed {
            self.closed.tail
        } else {
            self.open.tail
        };
        if let Some(conn) = self.slots.get_mut(slot).and_then(Option::as_mut) {
            conn.on_closed_list = closed;
            conn.prev = tail;
            conn.next = NIL;
        }
        if let Some(before) = self.slots.get_mut(tail).and_then(Option::as_mut) {
            before.next = slot;
        }
        let list = if closed {
            &mut self.closed
        } else {
            &mut self.open
        };
        if list.head == NIL {
            list.head = slot;
        }
        list.tail = slot;
    }

    fn unlink(&mut self, slot: usize) {
        let Some(conn) = self.slots.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        let (prev, next, closed) = (conn.prev, conn.next, conn.on_closed_list);
        conn.prev = NIL;
        conn.next = NIL;
        if let Some(before) = self.slots.get_mut(prev).and_then(Option::as_mut) {
            before.next = next;
        }
        if let Some(after) = self.slots.get_mut(next).and_then(Option::as_mut) {
            after.prev = prev;
        }
        let list = if closed {
            &mut self.closed
        } else {
            &mut self.open
        };
        if list.head == slot {
            list.head = next;
        }
        if list.tail == slot {
            list.tail = prev;
        }
    }

    /// Too many out-of-order bytes held in all: give up the holes of the connections found
    /// holding data, going round the slots from where the last sweep stopped, until half the
    /// allowance is free. Each sweep frees at least that half, which took as many bytes of
    /// capture to fill, so the walk costs O(1) amortised per byte.
    fn sweep(&mut self, out: &mut impl FnMut(TcpEvent<'_>)) {
        let low = self.max_buffered / 2;
        let count = self.slots.len();
        for _ in 0..count {
            if self.buffered <= low {
                break;
            }
            self.sweep_at = (self.sweep_at + 1) % count;
            let Some(conn) = self.slots.get_mut(self.sweep_at).and_then(Option::as_mut) else {
                continue;
            };
            let held = conn.buffered();
            if held == 0 {
                continue;
            }
            conn.flush(GapReason::BufferLimit, out);
            let freed = held.saturating_sub(conn.buffered());
            self.buffered = self.buffered.saturating_sub(freed);
        }
    }
}

fn direction_of(conn: &Conn, src: SocketAddr) -> Direction {
    if src == conn.a {
        Direction::AToB
    } else {
        Direction::BToA
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::link::TcpFlags;

    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Ev {
        Opened(ConnId, SocketAddr, SocketAddr, bool),
        Data(ConnId, Direction, Vec<u8>),
        Gap(ConnId, Direction, u64, GapReason),
        End(ConnId, Direction, bool),
        Evicted(ConnId),
    }

    fn own(event: TcpEvent<'_>) -> Ev {
        match event {
            TcpEvent::Opened {
                conn,
                a,
                b,
                saw_syn,
                ..
            } => Ev::Opened(conn, a, b, saw_syn),
            TcpEvent::Stream {
                conn,
                direction,
                event,
            } => match event {
                StreamEvent::Data { bytes, .. } => Ev::Data(conn, direction, bytes.to_vec()),
                StreamEvent::Gap { len, reason, .. } => Ev::Gap(conn, direction, len, reason),
                StreamEvent::End { reset, .. } => Ev::End(conn, direction, reset),
            },
            TcpEvent::Evicted { conn, .. } => Ev::Evicted(conn),
        }
    }

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    fn client() -> SocketAddr {
        addr("10.0.0.2:40000")
    }

    fn server() -> SocketAddr {
        addr("10.0.0.1:554")
    }

    const SYN: TcpFlags = TcpFlags {
        syn: true,
        fin: false,
        rst: false,
        ack: false,
        psh: false,
    };
    const SYN_ACK: TcpFlags = TcpFlags { ack: true, ..SYN };
    const ACK: TcpFlags = TcpFlags {
        syn: false,
        ..SYN_ACK
    };
    const FIN_ACK: TcpFlags = TcpFlags { fin: true, ..ACK };
    const RST: TcpFlags = TcpFlags {
        syn: false,
        rst: true,
        ..SYN
    };

    fn tcp<'a>(
        src: SocketAddr,
        dst: SocketAddr,
        seq: u32,
        ack: u32,
        flags: TcpFlags,
        payload: &'a [u8],
    ) -> TcpSegment<'a> {
        TcpSegment {
            src,
            dst,
            seq,
            ack,
            flags,
            payload,
            missing_payload: 0,
        }
    }

    #[derive(Default)]
    struct Harness {
        table: FlowTable,
        events: Vec<Ev>,
        frame: u64,
        now: Timestamp,
    }

    impl Harness {
        fn with_limits(max_flows: usize, max_buffered: usize) -> Self {
            Harness {
                table: FlowTable::with_limits(max_flows, max_buffered),
                ..Harness::default()
            }
        }

        fn push(&mut self, segment: TcpSegment<'_>) {
            self.frame += 1;
            let events = &mut self.events;
            self.table
                .push(&segment, self.frame, self.now, &mut |e| events.push(own(e)));
        }

        fn finish(&mut self) {
            let events = &mut self.events;
            self.table.finish(&mut |e| events.push(own(e)));
        }

        fn take(&mut self) -> Vec<Ev> {
            std::mem::take(&mut self.events)
        }

        /// Client 40000 opens to the server with ISN 100 (client) and 500 (server).
        fn handshake(&mut self, client: SocketAddr, client_isn: u32) {
            self.push(tcp(client, server(), client_isn, 0, SYN, b""));
            self.push(tcp(server(), client, 500, client_isn + 1, SYN_ACK, b""));
            self.push(tcp(client, server(), client_isn + 1, 501, ACK, b""));
        }
    }

    use Direction::{AToB, BToA};

    #[test]
    fn opened_in_order_with_the_syn_sender_as_a() {
        let mut h = Harness::default();
        h.handshake(client(), 100);
        h.push(tcp(client(), server(), 101, 501, ACK, b"OPTIONS"));
        h.push(tcp(server(), client(), 501, 108, ACK, b"200 OK"));
        let other = addr("10.0.0.3:40001");
        h.handshake(other, 7000);
        assert_eq!(
            h.take(),
            vec![
                Ev::Opened(0, client(), server(), true),
                Ev::Data(0, AToB, b"OPTIONS".to_vec()),
                Ev::Data(0, BToA, b"200 OK".to_vec()),
                Ev::Opened(1, other, server(), true),
            ]
        );
        assert_eq!(h.table.stats(0, AToB).map(|s| s.bytes), Some(7));
        assert_eq!(h.table.stats(0, BToA).map(|s| s.bytes), Some(6));
        assert_eq!(h.table.stats(0, AToB).map(|s| s.segments), Some(3));
        assert!(h.table.stats(2, AToB).is_none());
        assert_eq!(h.table.len(), 2);
    }

    #[test]
    fn syn_ack_seen_first_still_names_the_syn_sender_as_a() {
        let mut h = Harness::default();
        h.push(tcp(server(), client(), 500, 101, SYN_ACK, b""));
        h.push(tcp(client(), server(), 101, 501, ACK, b"hi"));
        assert_eq!(
            h.take(),
            vec![
                Ev::Opened(0, client(), server(), true),
                Ev::Data(0, AToB, b"hi".to_vec())
            ]
        );
    }

    #[test]
    fn mid_stream_join_names_the_first_source_as_a() {
        let mut h = Harness::default();
        h.push(tcp(server(), client(), 9000, 300, ACK, b"RTSP/1.0 200 OK"));
        h.push(tcp(client(), server(), 300, 9015, ACK, b"PLAY"));
        assert_eq!(
            h.take(),
            vec![
                Ev::Opened(0, server(), client(), false),
                Ev::Data(0, AToB, b"RTSP/1.0 200 OK".to_vec()),
                Ev::Data(0, BToA, b"PLAY".to_vec()),
            ]
        );
    }

    #[test]
    fn ack_goes_to_the_other_direction_before_the_segment_own_data() {
        let mut h = Harness::default();
        h.handshake(client(), 100);
        h.push(tcp(server(), client(), 501, 101, ACK, b"abc"));
        h.push(tcp(server(), client(), 509, 101, ACK, b"xyz")); // 5 bytes never captured
        // The client acknowledges them, and sends data.
        h.push(tcp(client(), server(), 101, 512, ACK, b"req"));
        let events = h.take();
        assert_eq!(
            &events[1..],
            &[
                Ev::Data(0, BToA, b"abc".to_vec()),
                Ev::Gap(0, BToA, 5, GapReason::NotCaptured),
                Ev::Data(0, BToA, b"xyz".to_vec()),
                Ev::Data(0, AToB, b"req".to_vec()),
            ]
        );
    }

    #[test]
    fn ack_ahead_of_the_capture_waits_for_the_sender_to_move_on() {
        let mut h = Harness::default();
        h.handshake(client(), 100);
        h.push(tcp(server(), client(), 501, 101, ACK, b"abc"));
        // The client acknowledges 5 bytes the capture has not shown (yet).
        h.push(tcp(client(), server(), 101, 509, ACK, b"req"));
        h.push(tcp(server(), client(), 509, 104, ACK, b"def"));
        let events = h.take();
        assert_eq!(
            &events[1..],
            &[
                Ev::Data(0, BToA, b"abc".to_vec()),
                Ev::Data(0, AToB, b"req".to_vec()),
                Ev::Gap(0, BToA, 5, GapReason::NotCaptured),
                Ev::Data(0, BToA, b"def".to_vec()),
            ]
        );
    }

    #[test]
    fn reuse_after_fin_both_ways_is_a_new_connection() {
        let mut h = Harness::default();
        h.handshake(client(), 100);
        h.push(tcp(client(), server(), 101, 501, FIN_ACK, b""));
        h.push(tcp(server(), client(), 501, 102, FIN_ACK, b""));
        h.push(tcp(client(), server(), 102, 502, ACK, b""));
        h.handshake(client(), 90_000);
        h.push(tcp(client(), server(), 90_001, 501, ACK, b"again"));
        assert_eq!(
            h.take(),
            vec![
                Ev::Opened(0, client(), server(), true),
                Ev::End(0, AToB, false),
                Ev::End(0, BToA, false),
                Ev::Evicted(0),
                Ev::Opened(1, client(), server(), true),
                Ev::Data(1, AToB, b"again".to_vec()),
            ]
        );
        assert!(h.table.stats(0, AToB).is_none());
        assert_eq!(h.table.len(), 1);
    }

    #[test]
    fn reuse_after_rst_is_a_new_connection() {
        let mut h = Harness::default();
        h.handshake(client(), 100);
        h.push(tcp(server(), client(), 501, 0, RST, b""));
        // Even a SYN with the very same ISN: the connection is over.
        h.push(tcp(client(), server(), 100, 0, SYN, b""));
        let events = h.take();
        assert_eq!(
            events.last(),
            Some(&Ev::Opened(1, client(), server(), true))
        );
        assert!(events.contains(&Ev::End(0, BToA, true)));
    }

    #[test]
    fn syn_retransmission_stays_in_the_connection() {
        let mut h = Harness::default();
        h.push(tcp(client(), server(), 100, 0, SYN, b""));
        h.push(tcp(client(), server(), 100, 0, SYN, b""));
        h.push(tcp(server(), client(), 500, 101, SYN_ACK, b""));
        assert_eq!(h.take(), vec![Ev::Opened(0, client(), server(), true)]);
        assert_eq!(h.table.stats(0, AToB).map(|s| s.retransmissions), Some(1));
    }

    #[test]
    fn syn_with_another_isn_on_a_live_connection_starts_a_new_one() {
        let mut h = Harness::default();
        h.handshake(client(), 100);
        h.push(tcp(client(), server(), 5_000_000, 0, SYN, b""));
        assert_eq!(
            h.take(),
            vec![
                Ev::Opened(0, client(), server(), true),
                Ev::Evicted(0),
                Ev::Opened(1, client(), server(), true),
            ]
        );
    }

    #[test]
    fn syn_on_a_mid_stream_connection_starts_a_new_one() {
        let mut h = Harness::default();
        h.push(tcp(client(), server(), 300, 9000, ACK, b"TEARDOWN"));
        h.push(tcp(client(), server(), 4000, 0, SYN, b""));
        let events = h.take();
        assert_eq!(
            events.last(),
            Some(&Ev::Opened(1, client(), server(), true))
        );
    }

    #[test]
    fn eviction_at_the_limit_prefers_closed_connections() {
        let mut h = Harness::with_limits(3, usize::MAX);
        let c = |port: u16| SocketAddr::new(client().ip(), port);
        h.handshake(c(1), 100); // 0: stays open, least recently used
        h.handshake(c(2), 100); // 1: will close
        h.handshake(c(3), 100); // 2: open
        h.push(tcp(c(2), server(), 101, 0, RST, b""));
        h.take();
        h.handshake(c(4), 100); // 3: the closed one goes first
        h.handshake(c(5), 100); // 4: then the least recently used open one
        h.push(tcp(c(3), server(), 101, 501, ACK, b"x")); // 2 is now the most recent
        h.handshake(c(6), 100); // 5: evicts 3
        let evicted: Vec<Ev> = h
            .take()
            .into_iter()
            .filter(|e| matches!(e, Ev::Evicted(_)))
            .collect();
        assert_eq!(
            evicted,
            vec![Ev::Evicted(1), Ev::Evicted(0), Ev::Evicted(3)]
        );
        assert_eq!(h.table.len(), 3);
        assert!(h.table.stats(2, AToB).is_some());
    }

    #[test]
    fn a_closed_connection_is_forgotten_once_quiet_for_the_linger() {
        let linger = limits::CLOSED_CONNECTION_LINGER_NANOS;
        let mut h = Harness::default();
        h.handshake(client(), 100);
        h.push(tcp(client(), server(), 101, 501, ACK, b"OPTIONS"));
        h.push(tcp(client(), server(), 108, 501, FIN_ACK, b""));
        h.push(tcp(server(), client(), 501, 109, FIN_ACK, b""));
        let still_open = addr("10.0.0.7:40007");
        h.handshake(still_open, 9000);
        h.take();
        // Within the linger, a late ACK still finds the closed connection.
        h.now = Timestamp(linger - 1);
        h.push(tcp(client(), server(), 109, 502, ACK, b""));
        assert!(h.take().is_empty());
        assert_eq!(h.table.len(), 2);
        // Quiet for the whole linger: forgotten, with its statistics; the open one stays.
        h.now = Timestamp(2 * linger - 1);
        h.push(tcp(still_open, server(), 9001, 501, ACK, b""));
        assert_eq!(h.take(), vec![Ev::Evicted(0)]);
        assert_eq!(h.table.len(), 1);
        assert!(h.table.conn_stats(0).is_none());
        assert!(h.table.conn_stats(1).is_some());
    }

    #[test]
    fn eviction_flushes_what_the_connection_held() {
        let mut h = Harness::with_limits(1, usize::MAX);
        h.handshake(client(), 100);
        h.push(tcp(client(), server(), 111, 501, ACK, b"later"));
        h.take();
        h.handshake(addr("10.0.0.9:1"), 1);
        assert_eq!(
            &h.take()[..3],
            &[
                Ev::Gap(0, AToB, 10, GapReason::BufferLimit),
                Ev::Data(0, AToB, b"later".to_vec()),
                Ev::Evicted(0),
            ]
        );
    }

    #[test]
    fn a_million_syns_stay_under_the_flow_limit() {
        let mut table = FlowTable::new();
        let mut evicted = 0u64;
        let mut opened = 0u64;
        for i in 0..(limits::MAX_TCP_FLOWS as u32 + 1000) {
            let src = SocketAddr::new(
                std::net::Ipv4Addr::from(0x0a00_0000 + (i >> 16)).into(),
                (i & 0xffff) as u16,
            );
            let segment = tcp(src, server(), i, 0, SYN, b"");
            table.push(&segment, u64::from(i), Timestamp(0), &mut |e| match e {
                TcpEvent::Evicted { .. } => evicted += 1,
                TcpEvent::Opened { .. } => opened += 1,
                _ => {}
            });
        }
        assert_eq!(table.len(), limits::MAX_TCP_FLOWS);
        assert_eq!(evicted, 1000);
        assert_eq!(opened, limits::MAX_TCP_FLOWS as u64 + 1000);
        assert!(table.stats(0, AToB).is_none());
        assert!(
            table
                .stats(limits::MAX_TCP_FLOWS as u32 + 999, AToB)
                .is_some()
        );
    }

    #[test]
    fn hundred_thousand_connections_with_unfilled_holes_stay_bounded() {
        let mut table = FlowTable::new();
        let hole_then_data = vec![1u8; 4096];
        let mut evicted = 0u32;
        for i in 0..100_000u32 {
            let src = SocketAddr::new(
                std::net::Ipv4Addr::from(0x0a01_0000 + (i >> 16)).into(),
                (i & 0xffff) as u16,
            );
            let mut count = |e: TcpEvent<'_>| {
                if matches!(e, TcpEvent::Evicted { .. }) {
                    evicted += 1;
                }
            };
            table.push(
                &tcp(src, server(), 0, 0, SYN, b""),
                0,
                Timestamp(0),
                &mut count,
            );
            // Byte 1 never arrives.
            let segment = tcp(src, server(), 2, 0, ACK, &hole_then_data);
            table.push(&segment, 0, Timestamp(0), &mut count);
            assert!(table.buffered_bytes() <= limits::MAX_OUT_OF_ORDER_BYTES_TOTAL);
        }
        assert_eq!(table.len(), limits::MAX_TCP_FLOWS);
        assert_eq!(evicted as usize, 100_000 - limits::MAX_TCP_FLOWS);
        let held: usize = table.slots.iter().flatten().map(Conn::buffered).sum();
        assert_eq!(held, table.buffered_bytes(), "the running total is exact");
        assert!(table.slots.len() <= limits::MAX_TCP_FLOWS);
    }

    #[test]
    fn ignored_connection_is_only_counted() {
        let mut h = Harness::default();
        h.handshake(client(), 100);
        h.push(tcp(client(), server(), 111, 501, ACK, b"ahead"));
        assert!(h.table.buffered_bytes() > 0);
        h.table.ignore(0);
        assert_eq!(h.table.buffered_bytes(), 0);
        h.take();
        h.push(tcp(client(), server(), 101, 501, ACK, b"0123456789"));
        h.push(tcp(server(), client(), 501, 200, ACK, b"reply"));
        h.finish();
        assert_eq!(h.take(), vec![]);
        assert_eq!(h.table.stats(0, AToB).map(|s| s.segments), Some(4));
        assert_eq!(h.table.stats(0, AToB).map(|s| s.bytes), Some(0));
        h.table.ignore(42); // unknown: nothing happens
    }

    #[test]
    fn held_bytes_over_the_total_are_swept() {
        let mut h = Harness::with_limits(100, 1000);
        let chunk = vec![0u8; 300];
        for port in 1..=4u16 {
            let c = SocketAddr::new(client().ip(), port);
            h.handshake(c, 100);
            h.push(tcp(c, server(), 200, 501, ACK, &chunk)); // a 99-byte hole first
        }
        assert!(h.table.buffered_bytes() <= 1000);
        h.push(tcp(addr("10.0.0.2:1"), server(), 500, 501, ACK, &chunk));
        assert!(h.table.buffered_bytes() <= 1000);
        let swept = h
            .take()
            .iter()
            .filter(|e| matches!(e, Ev::Gap(_, _, _, GapReason::BufferLimit)))
            .count();
        assert!(swept >= 2, "{swept}");
    }

    #[test]
    fn finish_flushes_every_connection_in_order() {
        let mut h = Harness::default();
        for port in [3u16, 1, 2] {
            let c = SocketAddr::new(client().ip(), port);
            h.handshake(c, 100);
            h.push(tcp(c, server(), 103, 501, ACK, b"x"));
        }
        h.take();
        h.finish();
        let conns: Vec<ConnId> = h
            .take()
            .iter()
            .filter_map(|e| match e {
                Ev::Data(conn, ..) => Some(*conn),
                _ => None,
            })
            .collect();
        assert_eq!(conns, vec![0, 1, 2]);
        assert_eq!(h.table.buffered_bytes(), 0);
    }

    #[test]
    fn rst_ends_only_its_sender_direction() {
        let mut h = Harness::default();
        h.handshake(client(), 100);
        h.push(tcp(client(), server(), 101, 501, RST, b""));
        h.push(tcp(server(), client(), 501, 101, ACK, b"late reply"));
        let events = h.take();
        assert!(events.contains(&Ev::End(0, AToB, true)));
        assert_eq!(
            events.last(),
            Some(&Ev::Data(0, BToA, b"late reply".to_vec()))
        );
    }
}
