//! Properties of the TCP reassembler that no hand-made case covers: whatever the network did
//! to a byte stream (reordering, duplication, re-segmentation with overlaps) and wherever its
//! sequence numbers start (including just before 2^32), what comes out is the stream itself;
//! and whatever garbage goes in, nothing panics and memory stays within the limits.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use rtsp_inspector::capture::Timestamp;
use rtsp_inspector::limits;
use rtsp_inspector::tcp::{GapReason, Reassembler, SegmentIn, StreamEvent};

/// What came out of a reassembler, flattened.
#[derive(Debug, Default)]
struct Output {
    bytes: Vec<u8>,
    gaps: Vec<(u64, GapReason)>,
    ends: Vec<bool>,
    /// Data or gaps after an End.
    after_end: usize,
}

impl Output {
    fn record(&mut self, event: StreamEvent<'_>) {
        if !self.ends.is_empty() && !matches!(event, StreamEvent::End { .. }) {
            self.after_end += 1;
        }
        match event {
            StreamEvent::Data { bytes, .. } => self.bytes.extend_from_slice(bytes),
            StreamEvent::Gap { len, reason, .. } => self.gaps.push((len, reason)),
            StreamEvent::End { reset, .. } => self.ends.push(reset),
        }
    }
}

fn segment(seq: u32, payload: &[u8], frame: u64) -> SegmentIn<'_> {
    SegmentIn {
        seq,
        syn: false,
        fin: false,
        rst: false,
        payload,
        missing_payload: 0,
        frame,
        ts: Timestamp(0),
    }
}

/// ISNs anywhere, and often close enough to 2^32 that the stream wraps.
fn isn() -> impl Strategy<Value = u32> {
    prop_oneof![
        any::<u32>(),
        (u32::MAX - 4000)..=u32::MAX,
        Just(u32::MAX),
        Just(0u32)
    ]
}

/// A network's worth of trouble for one stream: the original segmentation (cut points), extra
/// copies of some original segments, re-segmented ranges overlapping anything, and the order
/// of arrival (a sort key per segment).
#[derive(Debug, Clone)]
struct Trouble {
    cuts: Vec<Index>,
    duplicates: Vec<Index>,
    resegmented: Vec<(Index, Index)>,
    order: Vec<u64>,
}

fn trouble() -> impl Strategy<Value = Trouble> {
    (
        vec(any::<Index>(), 0..40),
        vec(any::<Index>(), 0..10),
        vec((any::<Index>(), any::<Index>()), 0..20),
        vec(any::<u64>(), 80),
    )
        .prop_map(|(cuts, duplicates, resegmented, order)| Trouble {
            cuts,
            duplicates,
            resegmented,
            order,
        })
}

/// The byte ranges that reach the capture, in arrival order.
fn arrivals(len: usize, trouble: &Trouble) -> Vec<(usize, usize)> {
    let mut cuts: Vec<usize> = trouble.cuts.iter().map(|i| i.index(len)).collect();
    cuts.push(0);
    cuts.push(len);
    cuts.sort_unstable();
    cuts.dedup();
    let original: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    let mut all = original.clone();
    for d in &trouble.duplicates {
        all.push(original[d.index(original.len())]);
    }
    for (a, b) in &trouble.resegmented {
        let (a, b) = (a.index(len), b.index(len + 1));
        if a < b {
            all.push((a, b));
        }
    }
    let mut keyed: Vec<(u64, (usize, usize))> = all
        .into_iter()
        .enumerate()
        .map(|(i, range)| (trouble.order[i % trouble.order.len()] ^ i as u64, range))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, range)| range).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn tcp_any_reordering_duplication_and_overlap_gives_the_same_stream(
        stream in vec(any::<u8>(), 1..3000),
        isn in isn(),
        trouble in trouble(),
        with_fin in any::<bool>(),
        fin_at in any::<Index>(),
    ) {
        let mut r = Reassembler::new();
        let mut out = Output::default();
        let mut record = |e: StreamEvent<'_>| out.record(e);
        r.push(SegmentIn { syn: true, ..segment(isn, b"", 0) }, &mut record);
        let data_start = isn.wrapping_add(1);
        let ranges = arrivals(stream.len(), &trouble);
        // The FIN-only segment arrives somewhere among the others.
        let fin_index = fin_at.index(ranges.len() + 1);
        let fin_seq = data_start.wrapping_add(stream.len() as u32);
        for (i, &(a, b)) in ranges.iter().enumerate() {
            if with_fin && i == fin_index {
                r.push(SegmentIn { fin: true, ..segment(fin_seq, b"", 1) }, &mut record);
            }
            let seq = data_start.wrapping_add(a as u32);
            r.push(segment(seq, &stream[a..b], 2 + i as u64), &mut record);
        }
        if with_fin && fin_index == ranges.len() {
            r.push(SegmentIn { fin: true, ..segment(fin_seq, b"", 1) }, &mut record);
        }
        r.finish(&mut record);

        prop_assert_eq!(&out.bytes, &stream);
        prop_assert!(out.gaps.is_empty(), "gaps: {:?}", out.gaps);
        prop_assert_eq!(out.ends.clone(), if with_fin { vec![false] } else { vec![] });
        prop_assert_eq!(out.after_end, 0);
        prop_assert_eq!(r.stats().bytes, stream.len() as u64);
        prop_assert_eq!(r.stats().gaps, 0);
        prop_assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn tcp_first_byte_last_releases_everything_buffered(
        stream in vec(any::<u8>(), 2..2000),
        isn in isn(),
        trouble in trouble(),
    ) {
        // The first byte comes last: everything else waits in the buffer, then all is released.
        let mut r = Reassembler::new();
        let mut out = Output::default();
        r.push(SegmentIn { syn: true, ..segment(isn, b"", 0) }, &mut |e| out.record(e));
        let data_start = isn.wrapping_add(1);
        for (i, (a, b)) in arrivals(stream.len(), &trouble).into_iter().enumerate() {
            let a = a.max(1);
            if a < b {
                let seq = data_start.wrapping_add(a as u32);
                r.push(segment(seq, &stream[a..b], i as u64), &mut |e| out.record(e));
            }
        }
        prop_assert!(out.bytes.is_empty());
        r.push(segment(data_start, &stream[..1], 999), &mut |e| out.record(e));
        prop_assert_eq!(&out.bytes, &stream);
        prop_assert_eq!(r.buffered_bytes(), 0);
    }

    #[test]
    fn tcp_garbage_never_panics_and_stays_bounded(
        base in any::<u32>(),
        ops in vec(
            (
                0u8..8,
                prop_oneof![any::<u32>(), (-70_000i32..70_000).prop_map(|d| d as u32), Just(0u32)],
                0usize..3000,
                prop_oneof![Just(0u32), 0u32..5000, Just(u32::MAX)],
            ),
            1..120,
        ),
    ) {
        let mut r = Reassembler::new();
        let mut out = Output::default();
        let payload = vec![0x55u8; 3000];
        for (i, (kind, delta, len, missing)) in ops.into_iter().enumerate() {
            let seq = base.wrapping_add(delta);
            let mut record = |e: StreamEvent<'_>| out.record(e);
            let frame = i as u64;
            match kind {
                0 => r.peer_acked(seq, frame, Timestamp(0), &mut record),
                _ => {
                    let s = SegmentIn {
                        syn: kind == 1,
                        fin: kind == 2,
                        rst: kind == 3 && len % 7 == 0,
                        missing_payload: missing,
                        ..segment(seq, &payload[..len], frame)
                    };
                    r.push(s, &mut record);
                }
            }
            prop_assert!(r.buffered_bytes() <= limits::MAX_OUT_OF_ORDER_BYTES);
        }
        r.finish(&mut |e| out.record(e));
        prop_assert!(out.ends.len() <= 1);
        prop_assert_eq!(out.after_end, 0);
        prop_assert_eq!(out.bytes.len() as u64, r.stats().bytes);
        let gap_bytes: u64 = out.gaps.iter().map(|g| g.0).sum();
        prop_assert_eq!(gap_bytes, r.stats().gap_bytes);
        prop_assert_eq!(out.gaps.len() as u64, r.stats().gaps);
    }
}

#[test]
fn tcp_out_of_order_flood_that_never_fills_stays_within_the_limits() {
    let mut r = Reassembler::new();
    let chunk = vec![9u8; 1460];
    let mut gaps = 0;
    r.push(
        SegmentIn {
            syn: true,
            ..segment(0, b"", 0)
        },
        &mut |_| {},
    );
    // Every other segment is lost, forever: 30 MB offered.
    for i in 0..20_000u32 {
        let seq = 1 + (2 * i + 1) * 1460;
        r.push(segment(seq, &chunk, u64::from(i)), &mut |e| {
            if matches!(e, StreamEvent::Gap { .. }) {
                gaps += 1;
            }
        });
        assert!(r.buffered_bytes() <= limits::MAX_OUT_OF_ORDER_BYTES);
    }
    assert!(gaps > 0);
    assert_eq!(r.stats().gaps, gaps);
}
