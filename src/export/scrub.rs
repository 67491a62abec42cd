//! Masks credentials in the TCP payloads a pcapng export copies: the credential of an
//! `Authorization`/`Proxy-Authorization` line (everything after its scheme; of a Digest one,
//! what the window masks too) and the password of a URL (`rtsp://user:PASSWORD@host`). Each
//! masked byte becomes `*`, so every length, sequence number and offset in the file stays as
//! captured (only the TCP checksum no longer matches, which Wireshark does not check by
//! default).
//!
//! The engine's masking (`session::tracker::mask_header`) rewrites a parsed header value; here
//! the bytes of one packet are all there is, and a header line may go on in the next packet
//! of its direction. A packet is written before the next one is seen, so what a cut line could
//! still turn out to be is masked (the last Digest parameter, a URL cut before its `@`), and
//! [`Scrubber`] keeps the start of the line to judge its rest whole. Cut anywhere, a stream
//! is masked at least where it is masked whole (the `rtsp_head` fuzz target checks it).

// Reads captured packets' bytes: no panicking access (as in the engine's modules).
#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Range;

use crate::limits::MAX_MESSAGE_HEAD;
use crate::session::tracker::{
    digest_parameter_ranges, is_digest_parameter_shown, is_short_token, is_whole_value,
};

const MASK: u8 = b'*';

/// The start of a line a packet ended in.
#[derive(Debug, Default)]
struct OpenLine {
    /// At most [`MAX_MESSAGE_HEAD`] bytes: no message head is longer.
    start: Vec<u8>,
    /// The line was longer than that: its rest cannot be judged whole.
    cut: bool,
}

#[derive(Debug, Default)]
pub struct Scrubber {
    /// Per direction, the line the last packet ended in.
    open_lines: HashMap<(SocketAddr, SocketAddr), OpenLine>,
}

impl Scrubber {
    /// Masks the credentials in `payload` (one TCP segment from `src` to `dst`); returns how
    /// many bytes were masked.
    pub fn scrub(&mut self, src: SocketAddr, dst: SocketAddr, payload: &mut [u8]) -> usize {
        let mut spans = Vec::new();
        let mut next_line = 0;
        let mut open_after = None;
        if let Some(mut line) = self.open_lines.remove(&(src, dst)) {
            let end = line_end(payload, 0);
            let ends_here = end < payload.len();
            let rest = payload.get(..end).unwrap_or_default();
            if line.cut {
                // Too long to judge: its rest is masked if it could hold a credential.
                if authorization_credential(&line.start).is_some()
                    || find(&line.start, b"://", 0).is_some()
                {
                    spans.push(0..end);
                }
            } else {
                // Judged whole; this packet's part follows the kept start, so its offsets hold.
                let kept = line.start.len();
                line.start.extend_from_slice(rest);
                let mut in_line = Vec::new();
                line_spans(&line.start, 0, !ends_here, &mut in_line);
                spans.extend(
                    in_line
                        .into_iter()
                        .filter(|span| span.end > kept)
                        .map(|span| span.start.saturating_sub(kept)..span.end - kept),
                );
            }
            if !ends_here {
                line.cut |= line.start.len() > MAX_MESSAGE_HEAD;
                line.start.truncate(MAX_MESSAGE_HEAD);
                open_after = Some(line);
            }
            next_line = end + 1;
        }
        if let Some(start) = credential_spans(payload, next_line, &mut spans) {
            open_after = Some(OpenLine {
                cut: start.len() > MAX_MESSAGE_HEAD,
                start: start.get(..MAX_MESSAGE_HEAD).unwrap_or(start).to_vec(),
            });
        }
        if let Some(line) = open_after {
            self.open_lines.insert((src, dst), line);
        }
        let mut masked = 0;
        for span in spans {
            for byte in payload.get_mut(span).into_iter().flatten() {
                if *byte != MASK {
                    *byte = MASK;
                    masked += 1;
                }
            }
        }
        masked
    }
}

/// The first CR or LF at or after `from`, or the end.
fn line_end(payload: &[u8], from: usize) -> usize {
    payload
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\r' || b == b'\n'))
        .map_or(payload.len(), |at| from + at)
}

/// Adds the credential spans of the lines from `from` on; returns the last line when the
/// payload ends inside it (it goes on in the next packet).
fn credential_spans<'a>(
    payload: &'a [u8],
    from: usize,
    spans: &mut Vec<Range<usize>>,
) -> Option<&'a [u8]> {
    let mut line_start = from;
    while line_start < payload.len() {
        let end = line_end(payload, line_start);
        let line = payload.get(line_start..end).unwrap_or_default();
        let open = end == payload.len();
        line_spans(line, line_start, open, spans);
        if open {
            return Some(line);
        }
        line_start = end + 1;
    }
    None
}

/// The credential spans of one line that starts at `offset`; `open` when the packet ends in it.
fn line_spans(line: &[u8], offset: usize, open: bool, spans: &mut Vec<Range<usize>>) {
    if let Some((scheme, credential)) = authorization_credential(line) {
        let span = offset + credential.start..offset + credential.end;
        match line.get(credential) {
            Some(text) if scheme.eq_ignore_ascii_case(b"digest") => {
                digest_spans(text, span.start, open, spans)
            }
            _ => spans.push(span),
        }
    }
    url_passwords(line, offset, open, spans);
}

/// In a Digest credential, what the window masks too (`tracker::mask_digest`): every parameter
/// but the harmless ones with a whole value; of a parameter with a plain name, only the value.
/// In a cut line (`open`) the last parameter may go on: it is masked.
fn digest_spans(credential: &[u8], offset: usize, open: bool, spans: &mut Vec<Range<usize>>) {
    let parameters: Vec<Range<usize>> = digest_parameter_ranges(credential).collect();
    let count = parameters.len();
    for (index, range) in parameters.into_iter().enumerate() {
        let last_of_cut_line = open && index + 1 == count;
        let parameter = credential.get(range.clone()).unwrap_or_default();
        let equals = parameter.iter().position(|&b| b == b'=');
        let name = equals
            .and_then(|e| parameter.get(..e))
            .and_then(as_text)
            .map(str::trim);
        let value = equals
            .and_then(|e| parameter.get(e + 1..))
            .and_then(as_text)
            .map(str::trim);
        let hidden_from = match (equals, name, value) {
            (_, Some(name), Some(value))
                if !last_of_cut_line
                    && is_digest_parameter_shown(name)
                    && is_whole_value(value) =>
            {
                continue;
            }
            (Some(equals), Some(name), _) if is_short_token(name) => range.start + equals + 1,
            _ => range.start,
        };
        // To the end of the text when cut: the spaces after the last parameter may be its.
        let end = if last_of_cut_line {
            credential.len()
        } else {
            range.end
        };
        spans.push(offset + hidden_from..offset + end);
    }
}

fn as_text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

/// In an `Authorization: Scheme credential` line: the scheme, and the span of the credential
/// (after the scheme and its spaces; empty when the scheme is all there is so far).
fn authorization_credential(line: &[u8]) -> Option<(&[u8], Range<usize>)> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = line.get(..colon)?.trim_ascii();
    if !name.eq_ignore_ascii_case(b"authorization")
        && !name.eq_ignore_ascii_case(b"proxy-authorization")
    {
        return None;
    }
    let value_start = colon + 1 + leading_spaces(line.get(colon + 1..)?);
    let value = line.get(value_start..)?;
    let scheme_end = value
        .iter()
        .position(u8::is_ascii_whitespace)
        .unwrap_or(value.len());
    let credential_start = scheme_end + leading_spaces(value.get(scheme_end..)?);
    Some((
        value.get(..scheme_end)?,
        value_start + credential_start..line.len(),
    ))
}

fn leading_spaces(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count()
}

/// The password of every `scheme://user:password@host` in the line. In a line the packet cuts
/// (`open`), a URL cut before its `@` may be a password cut in two: what follows its first
/// colon is masked (a port, at worst), since this packet is written before the next is seen.
fn url_passwords(line: &[u8], offset: usize, open: bool, spans: &mut Vec<Range<usize>>) {
    let mut from = 0;
    while let Some(at) = find(line, b"://", from) {
        let authority_start = at + 3;
        let authority_end = line
            .get(authority_start..)
            .and_then(|rest| {
                rest.iter()
                    .position(|&b| matches!(b, b'/' | b' ' | b'?' | b'"' | b';' | b','))
            })
            .map_or(line.len(), |end| authority_start + end);
        let authority = line.get(authority_start..authority_end).unwrap_or_default();
        let cut_by_packet = open && authority_end == line.len();
        if cut_by_packet && let Some(colon) = authority.iter().position(|&b| b == b':') {
            // More of the password (an `@` in it, even) may follow in the next packet.
            spans.push(offset + authority_start + colon + 1..offset + line.len());
        } else if let Some(at_sign) = authority.iter().rposition(|&b| b == b'@')
            && let Some(colon) = authority
                .get(..at_sign)
                .and_then(|u| u.iter().position(|&b| b == b':'))
            && colon + 1 < at_sign
        {
            spans.push(offset + authority_start + colon + 1..offset + authority_start + at_sign);
        }
        from = authority_end.max(at + 3);
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| from + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    fn scrubbed(text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        Scrubber::default().scrub(addr(1), addr(2), &mut bytes);
        String::from_utf8(bytes).expect("text stays text")
    }

    #[test]
    fn masks_the_credential_after_the_scheme_keeping_lengths() {
        let request = "DESCRIBE rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 3\r\n\
                       Authorization: Basic dXNlcjpzZWNyZXQ=\r\n\r\n";
        let masked = scrubbed(request);
        assert_eq!(masked.len(), request.len());
        assert!(masked.contains("\r\nAuthorization: Basic ****************\r\n"));
        assert!(masked.starts_with("DESCRIBE rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 3\r\n"));
        // Of a Digest credential, what the window hides too: the response, unknown parameters.
        assert_eq!(
            scrubbed("proxy-authorization:Digest username=\"u\", response=\"ab\", x, k=v\n"),
            "proxy-authorization:Digest username=\"u\", response=****, *, k=*\n"
        );
    }

    #[test]
    fn masks_url_passwords_anywhere() {
        assert_eq!(
            scrubbed(
                "SETUP rtsp://admin:12345@cam/ch1 RTSP/1.0\r\nContent-Base: rtsp://a:b@h/\r\n"
            ),
            "SETUP rtsp://admin:*****@cam/ch1 RTSP/1.0\r\nContent-Base: rtsp://a:*@h/\r\n"
        );
        assert_eq!(
            scrubbed("rtsp://user@host/ rtsp://host:554/"),
            "rtsp://user@host/ rtsp://host:554/"
        );
    }

    #[test]
    fn a_credential_cut_by_the_packet_goes_on_in_the_next_one() {
        let mut scrubber = Scrubber::default();
        let mut first = b"CSeq: 3\r\nAuthorization: Basic dXNlcjpz".to_vec();
        let mut other_direction = b"ZWNyZXQ=\r\n".to_vec();
        let mut second = b"ZWNyZXQ=\r\nUser-Agent: x\r\n\r\n".to_vec();
        scrubber.scrub(addr(1), addr(2), &mut first);
        scrubber.scrub(addr(2), addr(1), &mut other_direction);
        scrubber.scrub(addr(1), addr(2), &mut second);
        assert_eq!(first, b"CSeq: 3\r\nAuthorization: Basic ********");
        assert_eq!(
            other_direction, b"ZWNyZXQ=\r\n",
            "another direction is another stream"
        );
        assert_eq!(second, b"********\r\nUser-Agent: x\r\n\r\n");

        // Cut in the header's name, and again in the credential: three packets.
        let mut pieces = [
            b"CSeq: 4\r\nProxy-Author".to_vec(),
            b"ization: Digest response=\"01".to_vec(),
            b"23\"\r\nCSeq: 5\r\n".to_vec(),
        ];
        for piece in &mut pieces {
            scrubber.scrub(addr(1), addr(2), piece);
        }
        assert_eq!(
            pieces.concat(),
            b"CSeq: 4\r\nProxy-Authorization: Digest response=******\r\nCSeq: 5\r\n"
        );

        // A URL cut inside its password: the first part cannot wait for the `@`.
        let mut pieces = [
            b"SETUP rtsp://admin:12".to_vec(),
            b"345@cam/ch1 RTSP/1.0\r\n".to_vec(),
        ];
        for piece in &mut pieces {
            scrubber.scrub(addr(1), addr(2), piece);
        }
        assert_eq!(
            pieces.concat(),
            b"SETUP rtsp://admin:*****@cam/ch1 RTSP/1.0\r\n"
        );
        // Cut after an `@` that is part of the password: the first part masks it too.
        let mut pieces = [
            b"SETUP rtsp://a:p@".to_vec(),
            b"ss@cam/ RTSP/1.0\r\n".to_vec(),
        ];
        for piece in &mut pieces {
            scrubber.scrub(addr(1), addr(2), piece);
        }
        assert_eq!(pieces.concat(), b"SETUP rtsp://a:****@cam/ RTSP/1.0\r\n");
    }

    #[test]
    fn binary_payloads_are_left_alone() {
        let mut rtp = vec![b'$', 0, 0, 12, 0x80, 0x60, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        let before = rtp.clone();
        assert_eq!(Scrubber::default().scrub(addr(1), addr(2), &mut rtp), 0);
        assert_eq!(rtp, before);
    }
}
