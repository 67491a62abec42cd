//! Reports: the model printed for a terminal (`text`) or a program (`json`). Both only read the
//! model. `events` prints a live capture as it happens, a line per message, state change and
//! finding. `explain` is the teaching walk-through (`report --explain`).

pub mod events;
pub mod explain;
pub mod json;
pub mod text;
