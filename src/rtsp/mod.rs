//! RTSP on a byte stream: the framer cuts one direction of a connection into messages and
//! `$`-interleaved frames; the parser reads a message head; `headers` reads the headers the
//! state machines need (CSeq, Session, Transport, Range, ...).
//!
//! The parser is our own rather than rtsp-types 0.1: that crate rejects what real cameras send
//! (LF-only lines, relative request URIs, `ssrc= d6d6627`, status lines without a reason) and has
//! no size limit on a body.

// Outside bytes reach this code: no unwrap or expect, no indexing that can panic (`get()`
// instead); tests may. (framer, headers and message say so again, as they did first.)
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

pub mod framer;
pub mod headers;
pub mod message;
pub mod sdp;

pub use framer::{Framer, FramerEvent};
pub use message::{Head, Message, ParseError, StartLine, Version};
