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

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::ops::Range;

use crate::limits::MAX_RESYNC_LINE;
use crate::session::tracker::{
    digest_parameter_hidden_from, digest_parameter_ranges, is_short_token,
};

const MASK: u8 = b'*';

/// Masked stretches remembered per direction, to mask a retransmitted copy the same way.
const MASKED_RANGES_KEPT: usize = 64;

/// What one direction of a connection has shown so far.
#[derive(Debug, Default)]
struct Direction {
    /// The sequence number the next in-order segment starts at.
    next_seq: Option<u32>,
    /// The start of the line the last segment ended in (at most [`MAX_RESYNC_LINE`] bytes: no
    /// real header line is longer), and whether it was longer than that.
    open_line: Option<(Vec<u8>, bool)>,
    /// The last complete line held a credential: a folded line after it (starting with a
    /// space or tab) continues it.
    after_credential: bool,
    /// The last masked stretches, as sequence numbers [start, end).
    masked: VecDeque<(u32, u32)>,
}

#[derive(Debug, Default)]
pub struct Scrubber {
    directions: HashMap<(SocketAddr, SocketAddr), Direction>,
}

impl Scrubber {
    /// Masks the credentials in `payload`, one TCP segment from `src` to `dst` starting at
    /// sequence number `seq`; returns how many bytes were masked. Segments come in capture
    /// order: a retransmitted one gets the masks its first copy got (and its own), and one
    /// after a hole is masked up to its first line end (it may start inside a credential).
    pub fn scrub(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        seq: u32,
        payload: &mut [u8],
    ) -> usize {
        let state = self.directions.entry((src, dst)).or_default();
        let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
        // Signed distance from the next expected byte (sequence numbers wrap).
        let ahead = state.next_seq.map(|next| seq.wrapping_sub(next) as i32);
        let mut spans = Vec::new();
        match ahead {
            Some(ahead) if ahead < 0 => {
                // Seen before: the masks of then, and whatever this copy shows on its own.
                for &(start, end) in &state.masked {
                    let from = i64::from(start.wrapping_sub(seq) as i32);
                    let to = i64::from(end.wrapping_sub(seq) as i32);
                    if to > 0 && from < i64::from(len) {
                        let from = usize::try_from(from.max(0)).unwrap_or(0);
                        let to = usize::try_from(to).unwrap_or(0).min(payload.len());
                        spans.push(from..to);
                    }
                }
                let mut alone = Direction::default();
                scan(&mut alone, payload, &mut spans);
            }
            Some(ahead) if ahead > 0 => {
                // Bytes are missing before this segment: it may begin inside a credential.
                let first_line_end = line_end(payload, 0);
                let first_line = payload.get(..first_line_end).unwrap_or_default();
                spans.push(0..first_line.strip_suffix(b"\r").unwrap_or(first_line).len());
                state.open_line = None;
                state.after_credential = false;
                let from = first_line_end + 1;
                let mut rest = Vec::new();
                if let Some(tail) = payload.get(from..) {
                    scan(state, tail, &mut rest);
                }
                spans.extend(
                    rest.into_iter()
                        .map(|span| span.start + from..span.end + from),
                );
            }
            _ => scan(state, payload, &mut spans),
        }
        if ahead.is_none_or(|ahead| ahead >= 0) {
            state.next_seq = Some(seq.wrapping_add(len));
            for span in &spans {
                if state.masked.len() == MASKED_RANGES_KEPT {
                    state.masked.pop_front();
                }
                state.masked.push_back((
                    seq.wrapping_add(span.start as u32),
                    seq.wrapping_add(span.end as u32),
                ));
            }
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

    /// `src` sent its FIN: that direction's state is dropped (the other may go on sending).
    pub fn finish(&mut self, src: SocketAddr, dst: SocketAddr) {
        self.directions.remove(&(src, dst));
    }

    /// A RST: both directions' state is dropped.
    pub fn reset(&mut self, a: SocketAddr, b: SocketAddr) {
        self.finish(a, b);
        self.finish(b, a);
    }
}

/// The credential spans of an in-order segment, its lines judged with what came before.
fn scan(state: &mut Direction, payload: &[u8], spans: &mut Vec<Range<usize>>) {
    let mut next_line = 0;
    if let Some((mut start, cut)) = state.open_line.take() {
        let end = line_end(payload, 0);
        let ends_here = end < payload.len();
        let rest = payload.get(..end).unwrap_or_default();
        if cut {
            // Too long to judge: its rest is masked if it could hold a credential.
            if state.after_credential
                || authorization_credential(&start, true).is_some()
                || find(&start, b"://", 0).is_some()
            {
                spans.push(0..end);
            }
        } else {
            // Judged whole; this packet's part follows the kept start, so its offsets hold.
            let kept = start.len();
            start.extend_from_slice(rest);
            let mut in_line = Vec::new();
            line_spans(&start, 0, !ends_here, state.after_credential, &mut in_line);
            spans.extend(
                in_line
                    .into_iter()
                    .filter(|span| span.end > kept)
                    .map(|span| span.start.saturating_sub(kept)..span.end - kept),
            );
        }
        if ends_here {
            state.after_credential = holds_credential(&start, state.after_credential);
        } else {
            let cut = cut || start.len() > MAX_RESYNC_LINE;
            start.truncate(MAX_RESYNC_LINE);
            state.open_line = Some((start, cut));
        }
        next_line = end + 1;
    }
    credential_spans(state, payload, next_line, spans);
}

/// The first LF at or after `from`, or the end: a line ends at LF as the message parser's do
/// (a CR before it is not part of the value; a bare CR is).
fn line_end(payload: &[u8], from: usize) -> usize {
    payload
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(payload.len(), |at| from + at)
}

/// Whether a complete line holds a credential, or continues one (folded).
fn holds_credential(line: &[u8], after_credential: bool) -> bool {
    authorization_credential(line, false).is_some() || (after_credential && is_folded(line))
}

fn is_folded(line: &[u8]) -> bool {
    matches!(line.first(), Some(b' ' | b'\t'))
}

/// Adds the credential spans of the lines from `from` on; keeps the last line in `state` when
/// the payload ends inside it (it goes on in the next packet).
fn credential_spans(
    state: &mut Direction,
    payload: &[u8],
    from: usize,
    spans: &mut Vec<Range<usize>>,
) {
    let mut line_start = from;
    while line_start < payload.len() {
        let end = line_end(payload, line_start);
        let line = payload.get(line_start..end).unwrap_or_default();
        let open = end == payload.len();
        line_spans(line, line_start, open, state.after_credential, spans);
        if open {
            let cut = line.len() > MAX_RESYNC_LINE;
            let start = line.get(..MAX_RESYNC_LINE).unwrap_or(line).to_vec();
            state.open_line = Some((start, cut));
            return;
        }
        state.after_credential = holds_credential(line, state.after_credential);
        line_start = end + 1;
    }
}

/// The credential spans of one line that starts at `offset`; `open` when the packet ends in it,
/// `after_credential` when the line before held a credential (a folded line continues it).
fn line_spans(
    line: &[u8],
    offset: usize,
    open: bool,
    after_credential: bool,
    spans: &mut Vec<Range<usize>>,
) {
    // The CR of a CRLF is not the value's. At a packet's end it may still be a bare CR inside
    // the value: the line is judged without it, and it is masked with what ends there.
    let stripped = line.strip_suffix(b"\r");
    let cr_at_cut = open && stripped.is_some();
    let line = stripped.unwrap_or(line);
    let first = spans.len();
    if after_credential && is_folded(line) {
        spans.push(offset..offset + line.len());
    } else if let Some((scheme, credential)) = authorization_credential(line, open) {
        let span = offset + credential.start..offset + credential.end;
        match line.get(credential) {
            Some(text) if scheme.eq_ignore_ascii_case(b"digest") => {
                digest_spans(text, span.start, open, spans)
            }
            _ => spans.push(span),
        }
    }
    url_passwords(line, offset, open, spans);
    let line_end = offset + line.len();
    if cr_at_cut
        && spans
            .get(first..)
            .is_some_and(|new| new.iter().any(|s| s.end == line_end))
    {
        spans.push(line_end..line_end + 1);
    }
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
        let hidden_from = match digest_parameter_hidden_from(parameter) {
            Some(from) => range.start + from,
            // A harmless parameter the packet cuts may go on: its value is masked all the same.
            None if last_of_cut_line => {
                range.start
                    + parameter
                        .iter()
                        .position(|&b| b == b'=')
                        .map_or(0, |e| e + 1)
            }
            None => continue,
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
/// (after the scheme and its spaces). With no space after the value's first word, or a first
/// word that is not a short token, the whole value is the credential, as the window masks it
/// (in a line the packet cuts, `open`, that may mask a scheme cut in two: it is not known yet).
fn authorization_credential(line: &[u8], open: bool) -> Option<(&[u8], Range<usize>)> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = line.get(..colon)?.trim_ascii();
    if !name.eq_ignore_ascii_case(b"authorization")
        && !name.eq_ignore_ascii_case(b"proxy-authorization")
    {
        return None;
    }
    let value_start = colon + 1 + leading_spaces(line.get(colon + 1..)?);
    let value = line.get(value_start..)?;
    let whole_value = Some((&b""[..], value_start..line.len()));
    let Some(scheme_end) = value.iter().position(u8::is_ascii_whitespace) else {
        // A scheme alone hides nothing; any other word with no space is all credential.
        let scheme_alone = !open
            && (value.eq_ignore_ascii_case(b"basic") || value.eq_ignore_ascii_case(b"digest"));
        return if scheme_alone {
            Some((value, line.len()..line.len()))
        } else {
            whole_value
        };
    };
    let scheme = value.get(..scheme_end)?;
    if !as_text(scheme).is_some_and(is_short_token) {
        return whole_value;
    }
    let credential_start = scheme_end + leading_spaces(value.get(scheme_end..)?);
    Some((scheme, value_start + credential_start..line.len()))
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
        Scrubber::default().scrub(addr(1), addr(2), 1, &mut bytes);
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
        let mut seq = 1;
        let mut client = |scrubber: &mut Scrubber, piece: &mut Vec<u8>| {
            scrubber.scrub(addr(1), addr(2), seq, piece);
            seq += piece.len() as u32;
        };
        client(&mut scrubber, &mut first);
        scrubber.scrub(addr(2), addr(1), 1, &mut other_direction);
        client(&mut scrubber, &mut second);
        assert_eq!(first, b"CSeq: 3\r\nAuthorization: Basic ********");
        assert_eq!(
            other_direction, b"ZWNyZXQ=\r\n",
            "another direction is another stream"
        );
        assert_eq!(second, b"********\r\nUser-Agent: x\r\n\r\n");

        let cases: [(&[&[u8]], &[u8]); 3] = [
            // Cut in the header's name, and again in the credential: three packets.
            (
                &[
                    b"CSeq: 4\r\nProxy-Author",
                    b"ization: Digest response=\"01",
                    b"23\"\r\nCSeq: 5\r\n",
                ],
                b"CSeq: 4\r\nProxy-Authorization: Digest response=******\r\nCSeq: 5\r\n",
            ),
            // A URL cut inside its password: the first part cannot wait for the `@`.
            (
                &[b"SETUP rtsp://admin:12", b"345@cam/ch1 RTSP/1.0\r\n"],
                b"SETUP rtsp://admin:*****@cam/ch1 RTSP/1.0\r\n",
            ),
            // Cut after an `@` that is part of the password: the first part masks it too.
            (
                &[b"SETUP rtsp://a:p@", b"ss@cam/ RTSP/1.0\r\n"],
                b"SETUP rtsp://a:****@cam/ RTSP/1.0\r\n",
            ),
        ];
        for (pieces, expected) in cases {
            let mut pieces: Vec<Vec<u8>> = pieces.iter().map(|p| p.to_vec()).collect();
            for piece in &mut pieces {
                client(&mut scrubber, piece);
            }
            assert_eq!(pieces.concat(), expected);
        }
    }

    #[test]
    fn what_the_message_parser_reads_as_one_value_is_masked_as_one() {
        // A folded line continues the credential; a bare CR does not end it; a value with no
        // space after its first word, or an odd first word, is all credential.
        assert_eq!(
            scrubbed("Authorization: Basic\r\n dXNlcjpz\r\n\tZWNyZXQ=\r\nCSeq: 2\r\n"),
            "Authorization: Basic\r\n*********\r\n*********\r\nCSeq: 2\r\n"
        );
        assert_eq!(
            scrubbed("Authorization: Basic dXNl\rcjpz\r\n"),
            "Authorization: Basic *********\r\n"
        );
        assert_eq!(
            scrubbed("Authorization: dXNlcjpz\r\nAuthorization: Basic\u{a0}dXNl\r\n"),
            "Authorization: ********\r\nAuthorization: ***********\r\n"
        );
    }

    #[test]
    fn a_retransmitted_or_late_segment_is_masked_like_the_first_copy() {
        let mut scrubber = Scrubber::default();
        let mut first = b"Authorization: Basic dXNl".to_vec();
        let mut second = b"cjpzZWNyZXQ=\r\n".to_vec();
        let mut again = second.clone();
        scrubber.scrub(addr(1), addr(2), 100, &mut first);
        scrubber.scrub(addr(1), addr(2), 125, &mut second);
        scrubber.scrub(addr(1), addr(2), 125, &mut again);
        assert_eq!(second, b"************\r\n");
        assert_eq!(again, second, "the retransmission");

        // After a hole, a segment may start inside a credential: masked to its first line end.
        let mut after_hole = b"ZWNyZXQ=\r\nCSeq: 9\r\n".to_vec();
        scrubber.scrub(addr(1), addr(2), 500, &mut after_hole);
        assert_eq!(after_hole, b"********\r\nCSeq: 9\r\n");
    }

    #[test]
    fn binary_payloads_are_left_alone() {
        let mut rtp = vec![b'$', 0, 0, 12, 0x80, 0x60, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        let before = rtp.clone();
        assert_eq!(Scrubber::default().scrub(addr(1), addr(2), 1, &mut rtp), 0);
        assert_eq!(rtp, before);
    }
}
