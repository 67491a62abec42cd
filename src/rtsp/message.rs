//! A tolerant parser for an RTSP message head (start line and headers).

use crate::capture::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Version {
    #[serde(rename = "RTSP/1.0")]
    Rtsp10,
    #[serde(rename = "RTSP/2.0")]
    Rtsp20,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    Request { method: String, uri: String, version: Version },
    Response { version: Version, status: u16, reason: String },
}

/// A parsed head: start line and headers in the order sent (names as sent; look them up
/// case-insensitively with [`Head::header`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub start: StartLine,
    pub headers: Vec<(String, String)>,
    /// Header lines that could not be read, with their byte offset in the head.
    pub malformed_lines: Vec<(usize, String)>,
}

impl Head {
    /// The first header of that name, case-insensitively, trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a head cannot be read: where, and the grammar rule it was in
/// ("status-line > status-code").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid RTSP at byte {pos}: {context}")]
pub struct ParseError {
    pub pos: usize,
    pub context: String,
}

/// Parses a complete head (up to and including the empty line).
pub fn parse_head(bytes: &[u8]) -> Result<Head, ParseError> {
    let _ = bytes;
    Err(ParseError { pos: 0, context: "unimplemented".into() })
}

/// One RTSP message as the framer found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub head: Head,
    /// Body length as declared by Content-Length (0 when absent).
    pub declared_body_length: u64,
    /// Body bytes actually seen in the capture.
    pub body_received: u64,
    /// The body, when it is small enough to keep (`limits::MAX_KEPT_BODY`) and fully captured.
    pub body: Option<Vec<u8>>,
    /// Byte offset of the message's first byte in its direction's stream.
    pub stream_offset: u64,
    pub head_length: usize,
    pub first_frame: u64,
    /// The frame that completed the message (or in which it was cut off).
    pub frame: u64,
    pub first_ts: Timestamp,
    pub ts: Timestamp,
    /// False when a capture gap or the end of the capture cut the message: what was seen is
    /// kept, the rest is missing.
    pub complete: bool,
}
