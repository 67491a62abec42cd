//! A tolerant parser for an RTSP message head (start line and headers).
//!
//! What real devices send and RFC 2326/7826 do not allow, and this parser accepts: LF-only
//! lines, relative request URIs (`SETUP trackID=1 RTSP/1.0`), status lines without a reason
//! phrase (`RTSP/1.0 200`), header names in any case, whitespace around names and values,
//! continuation lines (obs-fold), bytes that are not UTF-8 (read lossily). A header line
//! without a colon is kept in [`Head::malformed_lines`] rather than failing the head; only a
//! start line that cannot be read is an error.

#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

use memchr::memchr;

use crate::capture::Timestamp;
use crate::limits::MAX_HEADERS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Version {
    #[serde(rename = "RTSP/1.0")]
    Rtsp10,
    #[serde(rename = "RTSP/2.0")]
    Rtsp20,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    Request {
        method: String,
        uri: String,
        version: Version,
    },
    Response {
        version: Version,
        status: u16,
        reason: String,
    },
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

impl ParseError {
    fn at(pos: usize, context: &str) -> Self {
        ParseError {
            pos,
            context: context.to_string(),
        }
    }
}

/// Parses a complete head (up to and including the empty line).
///
/// A head without its empty line is read as far as it goes. More than
/// [`MAX_HEADERS`] headers: the first ones are kept.
pub fn parse_head(bytes: &[u8]) -> Result<Head, ParseError> {
    parse_head_parts(bytes, false).map(|parsed| parsed.head)
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
    /// True when it was not the capture but a limit (`limits::MAX_MESSAGE_HEAD`) that cut it.
    pub cut_by_limit: bool,
}

/// Longest method token believed. The longest registered method is 13 bytes (GET_PARAMETER);
/// past this the bytes are not a request line.
pub(crate) const MAX_METHOD_LEN: usize = 32;

/// How far into an unfinished start line [`check_start_prefix`] looks: enough for the
/// version, the status code and the method, while keeping the check constant-time when a
/// line arrives a byte at a time.
const PREFIX_CHECK_LEN: usize = 256;

/// A head and what the framer needs besides it.
#[derive(Debug)]
pub(crate) struct ParsedHead {
    pub head: Head,
    /// Headers past [`MAX_HEADERS`], not kept.
    pub dropped_headers: usize,
}

/// `cut`: the head was cut by a capture gap, so its start line may be incomplete (read with
/// [`partial_start_line`]) and its last line may be a fragment (kept when it has a colon,
/// dropped otherwise, since a fragment is not malformed).
pub(crate) fn parse_head_parts(bytes: &[u8], cut: bool) -> Result<ParsedHead, ParseError> {
    let mut lines = Lines { bytes, pos: 0 }.skip_while(|line| line.text.is_empty());
    let Some(first) = lines.next() else {
        return Err(ParseError::at(bytes.len(), "start-line"));
    };
    let start = if first.ended || !cut {
        parse_start_line(first.text).map_err(|e| ParseError {
            pos: e.pos + first.offset,
            context: e.context,
        })?
    } else {
        partial_start_line(first.text)
            .ok_or_else(|| ParseError::at(first.offset, "start-line (cut by the capture)"))?
    };
    let mut head = Head {
        start,
        headers: Vec::new(),
        malformed_lines: Vec::new(),
    };
    let mut dropped_headers = 0;
    // What the previous line was, so that a continuation line knows what it continues.
    let mut last = LastLine::Start;
    for line in lines {
        if line.ended && line.text.trim_ascii().is_empty() {
            break;
        }
        let text = line.text;
        let fragment = !line.ended;
        if matches!(text.first(), Some(b' ' | b'\t')) {
            match (&last, head.headers.last_mut()) {
                (LastLine::Header, Some((_, value))) => {
                    let more = lossy(text.trim_ascii());
                    if !more.is_empty() {
                        if !value.is_empty() {
                            value.push(' ');
                        }
                        value.push_str(&more);
                    }
                }
                (LastLine::Dropped, _) => {}
                _ if fragment => {}
                _ => {
                    head.malformed_lines.push((line.offset, lossy(text)));
                    last = LastLine::Malformed;
                }
            }
            continue;
        }
        let header = memchr(b':', text).and_then(|colon| {
            let name = text.get(..colon)?.trim_ascii();
            let value = text.get(colon + 1..)?.trim_ascii();
            let valid = !name.is_empty() && name.iter().all(|&b| is_tchar(b));
            valid.then(|| (lossy(name), lossy(value)))
        });
        match header {
            Some(_) if head.headers.len() >= MAX_HEADERS => {
                dropped_headers += 1;
                last = LastLine::Dropped;
            }
            Some(header) => {
                head.headers.push(header);
                last = LastLine::Header;
            }
            // A fragment cut by the capture is not the sender's mistake.
            None if fragment => {}
            None => {
                head.malformed_lines.push((line.offset, lossy(text)));
                last = LastLine::Malformed;
            }
        }
    }
    Ok(ParsedHead {
        head,
        dropped_headers,
    })
}

enum LastLine {
    Start,
    Header,
    Dropped,
    Malformed,
}

/// One line of a head, without its CR LF (or LF).
struct Line<'a> {
    offset: usize,
    text: &'a [u8],
    /// False for a last line with no LF (a head cut short).
    ended: bool,
}

struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let rest = self.bytes.get(self.pos..).filter(|r| !r.is_empty())?;
        let offset = self.pos;
        let (text, ended) = match memchr(b'\n', rest) {
            Some(lf) => {
                self.pos += lf + 1;
                (rest.get(..lf).unwrap_or_default(), true)
            }
            None => {
                self.pos = self.bytes.len();
                (rest, false)
            }
        };
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        Some(Line {
            offset,
            text,
            ended,
        })
    }
}

fn lossy(bytes: &[u8]) -> String {
    // Nearly every head is ASCII: the strict check is the fast path.
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// RFC 7230 `tchar`: what a method or a header name is made of. A `matches!` rather than a
/// search of the separators: it is asked of every byte of every header name.
pub(crate) fn is_tchar(b: u8) -> bool {
    matches!(
        b,
        b'0'..=b'9'
            | b'a'..=b'z'
            | b'A'..=b'Z'
            | b'!'
            | b'#'
            | b'$'
            | b'%'
            | b'&'
            | b'\''
            | b'*'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~'
    )
}

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A control byte that no start line contains (HT is allowed as a separator, CR only before
/// the LF, which the callers strip).
pub(crate) fn is_ctl(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

fn starts_with_ci(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

fn parse_version(token: &[u8]) -> Option<Version> {
    if token.eq_ignore_ascii_case(b"RTSP/1.0") {
        Some(Version::Rtsp10)
    } else if token.eq_ignore_ascii_case(b"RTSP/2.0") {
        Some(Version::Rtsp20)
    } else {
        None
    }
}

/// Index of the first byte at or after `from` that is not SP or HT.
fn skip_ws(line: &[u8], from: usize) -> usize {
    line.get(from..)
        .and_then(|rest| rest.iter().position(|&b| !is_ws(b)))
        .map_or(line.len(), |i| from + i)
}

/// A whole start line, without its line end.
pub(crate) fn parse_start_line(line: &[u8]) -> Result<StartLine, ParseError> {
    let line = line.trim_ascii_end();
    if line.is_empty() {
        return Err(ParseError::at(0, "start-line"));
    }
    if starts_with_ci(line, b"RTSP/") {
        parse_status_line(line)
    } else {
        parse_request_line(line)
    }
}

fn parse_status_line(line: &[u8]) -> Result<StartLine, ParseError> {
    let version_end = line.iter().position(|&b| is_ws(b)).unwrap_or(line.len());
    let version = line
        .get(..version_end)
        .and_then(parse_version)
        .ok_or_else(|| ParseError::at(0, "status-line > RTSP-Version"))?;
    let code_start = skip_ws(line, version_end);
    let status = three_digits(line.get(code_start..).unwrap_or_default())
        .ok_or_else(|| ParseError::at(code_start, "status-line > status-code"))?;
    let reason_raw = line.get(code_start + 3..).unwrap_or_default();
    if reason_raw.first().is_some_and(|&b| !is_ws(b)) {
        return Err(ParseError::at(code_start + 3, "status-line > status-code"));
    }
    if let Some(bad) = reason_raw.iter().position(|&b| is_ctl(b)) {
        return Err(ParseError::at(
            code_start + 3 + bad,
            "status-line > reason-phrase",
        ));
    }
    Ok(StartLine::Response {
        version,
        status,
        reason: lossy(reason_raw.trim_ascii()),
    })
}

/// Three ASCII digits at the start of `bytes`.
fn three_digits(bytes: &[u8]) -> Option<u16> {
    let digits = bytes.get(..3)?;
    digits.iter().try_fold(0u16, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u16::from(b - b'0'))
    })
}

fn parse_request_line(line: &[u8]) -> Result<StartLine, ParseError> {
    let method_end = line.iter().position(|&b| is_ws(b)).unwrap_or(line.len());
    let method = line.get(..method_end).unwrap_or_default();
    if let Some(bad) = method.iter().position(|&b| !is_tchar(b)) {
        return Err(ParseError::at(bad, "request-line > method"));
    }
    if method.is_empty() || method.len() > MAX_METHOD_LEN {
        return Err(ParseError::at(0, "request-line > method"));
    }
    let uri_start = skip_ws(line, method_end);
    if uri_start >= line.len() {
        return Err(ParseError::at(uri_start, "request-line > Request-URI"));
    }
    // The version is the last word; everything between is the URI, so that a URI with a
    // space in it (seen from broken clients) is still read.
    let version_start = line
        .iter()
        .rposition(|&b| is_ws(b))
        .map_or(line.len(), |ws| ws + 1);
    if version_start <= uri_start {
        return Err(ParseError::at(line.len(), "request-line > RTSP-Version"));
    }
    let version = line
        .get(version_start..)
        .and_then(parse_version)
        .ok_or_else(|| ParseError::at(version_start, "request-line > RTSP-Version"))?;
    let uri = line
        .get(uri_start..version_start)
        .unwrap_or_default()
        .trim_ascii();
    if let Some(bad) = uri.iter().position(|&b| is_ctl(b)) {
        return Err(ParseError::at(
            uri_start + bad,
            "request-line > Request-URI",
        ));
    }
    Ok(StartLine::Request {
        method: lossy(method),
        uri: lossy(uri),
        version,
    })
}

/// A start line cut by the capture before its end (a snap length keeps ~30 bytes of each
/// packet). Believed only when it clearly is one, as tshark does: an uppercase method and an
/// `rtsp://`, `*` or `/` URI; or `RTSP/x.y` and a three-digit status.
pub(crate) fn partial_start_line(prefix: &[u8]) -> Option<StartLine> {
    let line = prefix.trim_ascii_end();
    if let Ok(start) = parse_start_line(line) {
        return Some(start);
    }
    if starts_with_ci(line, b"RTSP/") {
        let version = parse_version(line.get(..8)?)?;
        let code_start = skip_ws(line, 8);
        if code_start == 8 {
            return None;
        }
        let status = three_digits(line.get(code_start..)?)?;
        let reason = line.get(code_start + 3..).unwrap_or_default();
        if reason.first().is_some_and(|&b| !is_ws(b)) || reason.iter().any(|&b| is_ctl(b)) {
            return None;
        }
        return Some(StartLine::Response {
            version,
            status,
            reason: lossy(reason.trim_ascii()),
        });
    }
    let method_end = line.iter().position(|&b| b == b' ')?;
    let method = line.get(..method_end)?;
    let method_ok = method.first().is_some_and(u8::is_ascii_uppercase)
        && method.len() <= MAX_METHOD_LEN
        && method
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !method_ok {
        return None;
    }
    let uri_start = skip_ws(line, method_end);
    let rest = line.get(uri_start..)?;
    let uri_end = rest.iter().position(|&b| is_ws(b)).unwrap_or(rest.len());
    let uri = rest.get(..uri_end)?;
    let uri_ok = starts_with_ci(uri, b"rtsp") || uri == b"*" || uri.first() == Some(&b'/');
    if !uri_ok || uri.iter().any(|&b| is_ctl(b)) {
        return None;
    }
    // What follows the URI can only be the beginning of the version.
    let tail = rest.get(uri_end..).unwrap_or_default().trim_ascii();
    let version = if tail.is_empty() {
        Version::Rtsp10
    } else if tail.len() <= 8 && b"RTSP/2.0".get(..tail.len())?.eq_ignore_ascii_case(tail) {
        if tail.len() >= 6 {
            Version::Rtsp20
        } else {
            Version::Rtsp10
        }
    } else if tail.len() <= 8 && b"RTSP/1.0".get(..tail.len())?.eq_ignore_ascii_case(tail) {
        Version::Rtsp10
    } else {
        return None;
    };
    Some(StartLine::Request {
        method: lossy(method),
        uri: lossy(uri),
        version,
    })
}

/// Whether the first bytes of an unfinished start line can still become one. Looks at most at
/// the first [`PREFIX_CHECK_LEN`] bytes; control bytes further on are the caller's to check.
pub(crate) fn check_start_prefix(prefix: &[u8]) -> Result<(), ParseError> {
    let p = prefix.get(..PREFIX_CHECK_LEN).unwrap_or(prefix);
    if p.len() < 5
        && b"RTSP/"
            .get(..p.len())
            .is_some_and(|r| r.eq_ignore_ascii_case(p))
    {
        return Ok(());
    }
    if starts_with_ci(p, b"RTSP/") {
        for (i, &b) in p.iter().enumerate().skip(5).take(3) {
            let ok = match i {
                5 => b == b'1' || b == b'2',
                6 => b == b'.',
                _ => b == b'0',
            };
            if !ok {
                return Err(ParseError::at(i, "status-line > RTSP-Version"));
            }
        }
        match p.get(8) {
            None => return Ok(()),
            Some(&b) if !is_ws(b) => {
                return Err(ParseError::at(8, "status-line > RTSP-Version"));
            }
            Some(_) => {}
        }
        let code_start = skip_ws(p, 8);
        let code = p.get(code_start..).unwrap_or_default();
        for (i, &b) in code.iter().enumerate().take(4) {
            // A CR right after the code: a status line without a reason phrase, which
            // `parse_status_line` reads (seen in the field), so a prefix must not refuse it.
            let ok = if i < 3 {
                b.is_ascii_digit()
            } else {
                is_ws(b) || b == b'\r'
            };
            if !ok {
                return Err(ParseError::at(code_start + i, "status-line > status-code"));
            }
        }
        return Ok(());
    }
    let method_end = p.iter().position(|&b| is_ws(b));
    let method = p.get(..method_end.unwrap_or(p.len())).unwrap_or_default();
    if let Some(bad) = method.iter().position(|&b| !is_tchar(b)) {
        return Err(ParseError::at(bad, "request-line > method"));
    }
    if method_end == Some(0) || method.len() > MAX_METHOD_LEN {
        return Err(ParseError::at(0, "request-line > method"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, uri: &str, version: Version) -> StartLine {
        StartLine::Request {
            method: method.into(),
            uri: uri.into(),
            version,
        }
    }

    fn response(status: u16, reason: &str) -> StartLine {
        StartLine::Response {
            version: Version::Rtsp10,
            status,
            reason: reason.into(),
        }
    }

    #[test]
    fn rtsp_parse_crlf_request() {
        let head = parse_head(b"OPTIONS rtsp://cam/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: x\r\n\r\n")
            .unwrap();
        assert_eq!(
            head.start,
            request("OPTIONS", "rtsp://cam/", Version::Rtsp10)
        );
        assert_eq!(head.header("cseq"), Some("1"));
        assert_eq!(head.header("USER-AGENT"), Some("x"));
        assert!(head.malformed_lines.is_empty());
    }

    #[test]
    fn rtsp_parse_lf_only_and_trailing_whitespace() {
        let head = parse_head(b"RTSP/1.0 200 OK  \nCSeq: 2 \t\nSession:   abc \n\n").unwrap();
        assert_eq!(head.start, response(200, "OK"));
        assert_eq!(head.header("CSeq"), Some("2"));
        assert_eq!(head.header("Session"), Some("abc"));
    }

    #[test]
    fn rtsp_parse_status_without_reason() {
        let head = parse_head(b"RTSP/1.0 200\r\nCSeq: 3\r\n\r\n").unwrap();
        assert_eq!(head.start, response(200, ""));
    }

    #[test]
    fn rtsp_parse_relative_uri_and_extension_methods() {
        for method in [
            "SETUP",
            "GET_PARAMETER",
            "SET_PARAMETER",
            "PLAY_NOTIFY",
            "REDIRECT",
            "X-FOO",
        ] {
            let text = format!("{method} trackID=1 RTSP/1.0\r\n\r\n");
            let head = parse_head(text.as_bytes()).unwrap();
            assert_eq!(head.start, request(method, "trackID=1", Version::Rtsp10));
        }
        let head = parse_head(b"OPTIONS * RTSP/2.0\r\n\r\n").unwrap();
        assert_eq!(head.start, request("OPTIONS", "*", Version::Rtsp20));
    }

    #[test]
    fn rtsp_parse_rtsp2_response() {
        let head = parse_head(b"RTSP/2.0 454 Session Not Found\r\n\r\n").unwrap();
        assert_eq!(
            head.start,
            StartLine::Response {
                version: Version::Rtsp20,
                status: 454,
                reason: "Session Not Found".into()
            }
        );
    }

    #[test]
    fn rtsp_parse_continuation_lines() {
        let head = parse_head(
            b"RTSP/1.0 200 OK\r\nPublic: OPTIONS,\r\n  DESCRIBE,\r\n\tPLAY\r\nCSeq: 4\r\n\r\n",
        )
        .unwrap();
        assert_eq!(head.header("Public"), Some("OPTIONS, DESCRIBE, PLAY"));
        assert_eq!(head.header("CSeq"), Some("4"));
        assert!(head.malformed_lines.is_empty());
    }

    #[test]
    fn rtsp_parse_malformed_header_lines_are_kept() {
        let text = b"RTSP/1.0 200 OK\r\nCSeq: 5\r\nthis is not a header\r\n  folded onto it\r\nX: y\r\n\r\n";
        let head = parse_head(text).unwrap();
        assert_eq!(
            head.malformed_lines,
            vec![
                (26, "this is not a header".to_string()),
                (48, "  folded onto it".to_string())
            ]
        );
        assert_eq!(head.header("X"), Some("y"));
    }

    #[test]
    fn rtsp_parse_non_utf8_is_lossy() {
        let head = parse_head(b"RTSP/1.0 200 \xffOK\r\nServer: caf\xe9\r\n\r\n").unwrap();
        assert_eq!(head.header("Server"), Some("caf\u{fffd}"));
        assert!(matches!(
            head.start,
            StartLine::Response { status: 200, .. }
        ));
    }

    #[test]
    fn rtsp_parse_errors_name_the_rule() {
        let cases: [(&[u8], usize, &str); 7] = [
            (b"RTSP/1.1 200 OK\r\n\r\n", 0, "status-line > RTSP-Version"),
            (b"RTSP/1.0 2x0 OK\r\n\r\n", 9, "status-line > status-code"),
            (b"RTSP/1.0 2000 OK\r\n\r\n", 12, "status-line > status-code"),
            (b"RTSP/1.0\r\n\r\n", 8, "status-line > status-code"),
            (b"GET / HTTP/1.1\r\n\r\n", 6, "request-line > RTSP-Version"),
            (b"OPTIONS\r\n\r\n", 7, "request-line > Request-URI"),
            (b"OPT(IONS * RTSP/1.0\r\n\r\n", 3, "request-line > method"),
        ];
        for (text, pos, context) in cases {
            let err = parse_head(text).unwrap_err();
            assert_eq!((err.pos, err.context.as_str()), (pos, context), "{text:?}");
        }
    }

    #[test]
    fn rtsp_parse_headers_past_the_limit_are_dropped() {
        let mut text = b"RTSP/1.0 200 OK\r\n".to_vec();
        for i in 0..MAX_HEADERS + 5 {
            text.extend_from_slice(format!("X-{i}: {i}\r\n").as_bytes());
        }
        text.extend_from_slice(b"\r\n");
        let parsed = parse_head_parts(&text, false).unwrap();
        assert_eq!(parsed.head.headers.len(), MAX_HEADERS);
        assert_eq!(parsed.dropped_headers, 5);
        assert_eq!(parsed.head.header("X-0"), Some("0"));
    }

    #[test]
    fn rtsp_parse_cut_heads() {
        let parsed = parse_head_parts(b"OPTIONS rtsp://127.0.0.1:8554/", true).unwrap();
        assert_eq!(
            parsed.head.start,
            request("OPTIONS", "rtsp://127.0.0.1:8554/", Version::Rtsp10)
        );
        let parsed = parse_head_parts(b"RTSP/1.0 200 OK\r\nCSeq: 1", true).unwrap();
        assert_eq!(parsed.head.start, response(200, "OK"));
        assert_eq!(parsed.head.header("CSeq"), Some("1"));
        let parsed = parse_head_parts(b"RTSP/1.0 200 OK\r\nCSe", true).unwrap();
        assert!(parsed.head.headers.is_empty() && parsed.head.malformed_lines.is_empty());
        assert!(parse_head_parts(b"RTSP/1.0 2", true).is_err());
        assert!(parse_head_parts(b"hello world", true).is_err());
    }

    #[test]
    fn rtsp_partial_start_lines() {
        assert_eq!(
            partial_start_line(b"DESCRIBE rtsp://127.0.0.1:8554"),
            Some(request(
                "DESCRIBE",
                "rtsp://127.0.0.1:8554",
                Version::Rtsp10
            ))
        );
        assert_eq!(
            partial_start_line(b"SETUP rtsp://h/t RTSP/2"),
            Some(request("SETUP", "rtsp://h/t", Version::Rtsp20))
        );
        assert_eq!(partial_start_line(b"RTSP/1.0 200"), Some(response(200, "")));
        assert_eq!(partial_start_line(b"RTSP/1.0 20"), None);
        assert_eq!(partial_start_line(b"options rtsp://x/"), None);
        assert_eq!(partial_start_line(b"OPTIONS hello"), None);
        assert_eq!(partial_start_line(b"OPTIONS rtsp://x/ HTTP/1"), None);
    }

    #[test]
    fn rtsp_start_prefix_check() {
        for ok in [
            &b"R"[..],
            b"RTSP/1",
            b"RTSP/1.0 2",
            b"RTSP/2.0 200 O",
            b"PLAY rt",
            b"GET_PARAMETER",
        ] {
            assert!(check_start_prefix(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            &b"RTSP/3"[..],
            b"RTSP/1.0x",
            b"RTSP/1.0 2a",
            b"PL(AY",
            b" PLAY",
            b"v=0",
        ] {
            assert!(check_start_prefix(bad).is_err(), "{bad:?}");
        }
        assert!(check_start_prefix(&[b'A'; 64]).is_err());
    }
}
