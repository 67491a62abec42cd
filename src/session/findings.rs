//! What broke the protocol's rules: every finding code in one place, with its severity.
//!
//! Codes are stable (reports and tests key on them); the text of each finding is written where
//! it is raised, from the message that caused it.

use std::collections::HashMap;

use crate::limits::MAX_FINDINGS_PER_CODE;
use crate::model::{Finding, Severity};

/// A finding code and its severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Code {
    pub code: &'static str,
    pub severity: Severity,
}

const fn code(code: &'static str, severity: Severity) -> Code {
    Code { code, severity }
}

use Severity::{Error, Info, Warning};

/// A request the machine's table has no edge for in its current state (PLAY in Init).
pub const INVALID_IN_STATE: Code = code("state.invalid-request", Error);
/// The server answered 2xx to a request its table has no edge for.
pub const ACCEPTED_INVALID: Code = code("state.accepted-invalid", Warning);
/// The server timed the session out while the client still believed it was set up.
pub const TIMEOUT_DISAGREE: Code = code("session.timeout-disagree", Warning);
/// The server timed the session out (client machine already in Init, or agreeing).
pub const SESSION_TIMEOUT: Code = code("session.timeout", Info);
/// 3xx: the client is sent elsewhere.
pub const STATUS_REDIRECT: Code = code("status.redirect", Info);
/// 401/407: the server asks for credentials (usually followed by a retry).
pub const STATUS_AUTH: Code = code("status.auth-required", Info);
/// Other 4xx.
pub const STATUS_CLIENT_ERROR: Code = code("status.client-error", Warning);
/// 5xx.
pub const STATUS_SERVER_ERROR: Code = code("status.server-error", Error);
/// A response whose CSeq matches no outstanding request.
pub const CSEQ_UNMATCHED: Code = code("cseq.unmatched", Warning);
/// A response without a CSeq header.
pub const CSEQ_MISSING: Code = code("cseq.missing", Warning);
/// A request whose CSeq repeats or goes back.
pub const CSEQ_ORDER: Code = code("cseq.order", Warning);
/// A CSeq that is not a number or does not fit 64 bits.
pub const CSEQ_INVALID: Code = code("cseq.invalid", Warning);
/// A request that never got a response.
pub const NO_REPLY: Code = code("request.no-reply", Warning);
/// PLAY, PAUSE, RECORD or TEARDOWN without a Session header.
pub const NO_SESSION_HEADER: Code = code("session.missing", Error);
/// A Session ID the server never gave (in this capture).
pub const UNKNOWN_SESSION: Code = code("session.unknown", Warning);
/// A session that was set up before the capture started.
pub const SESSION_BEFORE_CAPTURE: Code = code("session.before-capture", Info);
/// A server reply whose Session differs from the request's.
pub const SESSION_MISMATCH: Code = code("session.mismatch", Error);
/// A 2xx SETUP reply without a Session header.
pub const SETUP_NO_SESSION: Code = code("setup.no-session", Error);
/// A transport in the SETUP reply that the client did not offer.
pub const TRANSPORT_NOT_OFFERED: Code = code("transport.not-offered", Warning);
/// A body shorter than its Content-Length, or a message cut by the capture.
pub const TRUNCATED_MESSAGE: Code = code("rtsp.truncated", Warning);
/// A start line that cannot be read, or bytes that are neither RTSP nor interleaved data.
pub const MALFORMED: Code = code("rtsp.malformed", Error);
/// A header line that cannot be read.
pub const MALFORMED_HEADER: Code = code("rtsp.malformed-header", Warning);
/// Bytes of the TCP stream not in the capture.
pub const CAPTURE_GAP: Code = code("capture.gap", Warning);
/// The capture file ends early or is damaged.
pub const CAPTURE_TRUNCATED: Code = code("capture.truncated", Warning);
/// The live capture lost packets (libpcap's kernel or interface drop counters).
pub const CAPTURE_DROPPED: Code = code("capture.dropped", Warning);
/// The live capture's interface went down (it captures nothing until it is up again).
pub const CAPTURE_INTERFACE_DOWN: Code = code("capture.interface-down", Warning);
/// The snap length cut whole TCP payloads: what they held cannot be seen.
pub const SNAPLEN: Code = code("capture.snaplen", Warning);
/// The engine dropped data because of a limit (see `crate::limits`).
pub const LIMIT: Code = code("limit.reached", Warning);
/// Basic credentials (or a password in a URL) sent in the clear.
pub const CLEARTEXT_CREDENTIALS: Code = code("auth.cleartext", Warning);
/// An interleaved frame cut by the capture.
pub const INTERLEAVED_CUT: Code = code("interleaved.truncated", Info);

/// Collects findings, keeping at most `MAX_FINDINGS_PER_CODE` of each code and counting the
/// rest, so that a capture with a million bad frames gives a readable list.
#[derive(Debug, Default)]
pub struct FindingSink {
    per_code: HashMap<&'static str, usize>,
    suppressed: HashMap<&'static str, u64>,
}

impl FindingSink {
    /// Whether a finding of this code may still be kept (counts it as suppressed if not).
    pub fn admit(&mut self, code: Code) -> bool {
        let kept = self.per_code.entry(code.code).or_default();
        if *kept < MAX_FINDINGS_PER_CODE {
            *kept += 1;
            true
        } else {
            *self.suppressed.entry(code.code).or_default() += 1;
            false
        }
    }

    /// One summary finding per code that went over the limit.
    pub fn summaries(&self) -> Vec<Finding> {
        let mut codes: Vec<_> = self.suppressed.iter().collect();
        codes.sort();
        codes
            .into_iter()
            .map(|(code, count)| Finding {
                code: LIMIT.code.into(),
                severity: LIMIT.severity,
                text: format!(
                    "{count} more findings of {code} not listed (the first {MAX_FINDINGS_PER_CODE} are)"
                ),
                message: None,
                frame: None,
                connection: None,
                session: None,
            })
            .collect()
    }
}
