//! Sessions and both state machines: `machine` holds the RFCs' tables, `tracker` pairs requests
//! and replies, keys sessions, runs the machines and the server's timers, and `findings` names
//! every rule a message can break.

pub mod findings;
pub mod machine;
pub mod tracker;

pub use tracker::{Side, Tracker};
