//! Live capture: packets from a network interface (libpcap) fed to the [`Engine`] one by one,
//! with their capture timestamps, while the engine stays sans-IO.
//!
//! One module a job: [`interfaces`] lists what can be captured on, [`filter`] checks a BPF
//! filter before anything starts, [`source`] opens an interface (or replays a capture file
//! through the same path), [`pcapng_writer`] streams what was captured to disk, [`runner`] is
//! the loop that feeds the engine, ticks it on a quiet wire and reads libpcap's statistics,
//! [`terminal`] is `rtsp-inspector live`. [`error`] says what went wrong in words a person
//! can act on.
//!
//! [`Engine`]: crate::engine::Engine

pub mod error;
pub mod filter;
pub mod interfaces;
pub mod pcapng_writer;
pub mod privileges;
pub mod runner;
pub mod source;
pub mod terminal;

pub use error::LiveError;
pub use runner::{LiveStats, StopWhen};
pub use source::{CaptureOptions, LiveInput};
