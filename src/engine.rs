//! Wires the stages together.
