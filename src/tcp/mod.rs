//! TCP: which packets belong to which connection (`flows`), and each direction's bytes put
//! back in order (`reassembly`).
//!
//! Written by hand: the Rust TCP reassembly crates either need a live socket stack (smoltcp)
//! or do not record gaps, overlaps and retransmissions in the way an inspector must report them.

pub mod flows;
pub mod reassembly;

pub use flows::{ConnId, Direction, FlowTable, TcpEvent};
pub use reassembly::{DirectionStats, GapReason, Reassembler, SegmentIn, StreamEvent};
