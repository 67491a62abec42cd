//! Teaching mode, engine side: the RTSP handshake explained from a real capture. Everything
//! here reads only the [`Model`](crate::model::Model), so the window (`ui::teach`) and the
//! terminal (`report::explain`) show the same words.
//!
//! - [`explain`]: one message in plain language: what it asks and why now, its headers with
//!   their values, its status, what it did to each machine, its RFC section.
//! - [`checklist`]: the six steps of the simple exchange against a real session, with what the
//!   session did differently (skipped, repeated, refused, missing).
//! - [`edges`]: which row of the RFC's table an edge is, the messages that took it, and
//!   attempted edges (a request the table has no edge for).
//! - [`lessons`]: why each kind of finding is an error.

pub mod checklist;
pub mod edges;
pub mod explain;
pub mod headers;
pub mod lessons;
pub mod rfc;
pub mod sdp;

pub use checklist::{Step, StepKind, checklist};
pub use explain::{Explanation, explain};
