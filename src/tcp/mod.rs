//! TCP: which packets belong to which connection (`flows`), and each direction's bytes put
//! back in order (`reassembly`).
//!
//! Written by hand: the Rust TCP reassembly crates either need a live socket stack (smoltcp)
//! or do not record gaps, overlaps and retransmissions in the way an inspector must report them.

// Outside bytes reach this code: no unwrap or expect, no indexing that can panic (`get()`
// instead); tests may. The hot paths keep iterators and checked slices, which compile to the
// same code once the bounds are known.
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

pub mod flows;
pub mod reassembly;

pub use flows::{ConnId, ConnStats, Direction, FlowTable, Forgotten, TcpEvent};
pub use reassembly::{DirectionStats, GapReason, Reassembler, SegmentIn, StreamEvent};
