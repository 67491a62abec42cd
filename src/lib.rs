//! rtsp-inspector's engine: packets in, a model out.
//!
//! The pipeline, one module a stage:
//! `capture` (file reader, link layer) → `tcp` (flows, reassembly) → `rtsp` (framer, parser,
//! header types) → `session` (both state machines, findings) → `model` (what the report and the
//! window read). `engine` wires the stages together; nothing of it knows of egui or threads.
//! `report` and `export` (SVG, PNG, Mermaid, PlantUML, pcapng) write what the model says;
//! `live` feeds the engine from a network interface (libpcap) on a thread of its own.
//! `ui` (the `gui` feature) is the window: it only reads the model.

pub mod capture;
pub mod engine;
pub mod export;
pub mod limits;
pub mod live;
pub mod model;
pub mod report;
pub mod rtsp;
pub mod session;
pub mod tcp;
pub mod teach;
#[cfg(feature = "gui")]
pub mod ui;
