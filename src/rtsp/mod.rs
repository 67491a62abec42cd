//! RTSP on a byte stream: the framer cuts one direction of a connection into messages and
//! `$`-interleaved frames; the parser reads a message head; `headers` reads the headers the
//! state machines need (CSeq, Session, Transport, Range, ...).
//!
//! The parser is our own rather than rtsp-types 0.1: that crate rejects what real cameras send
//! (LF-only lines, relative request URIs, `ssrc= d6d6627`, status lines without a reason) and has
//! no size limit on a body.

pub mod framer;
pub mod headers;
pub mod message;
pub mod sdp;

pub use framer::{Framer, FramerEvent};
pub use message::{Head, Message, ParseError, StartLine, Version};
