//! Sessions and both state machines: `machine` holds the RFCs' tables, `tracker` pairs requests
//! and replies, keys sessions, runs the machines and the server's timers, and `findings` names
//! every rule a message can break.

// Outside bytes reach this code: no unwrap or expect, no indexing that can panic (`get()`
// instead); tests may. The hot paths keep iterators and checked slices, which compile to the
// same code once the bounds are known.
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

pub mod findings;
pub mod machine;
pub mod tracker;

pub use tracker::{Side, Tracker};
