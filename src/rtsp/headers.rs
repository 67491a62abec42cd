//! The headers the state machines and findings need, read tolerantly.
