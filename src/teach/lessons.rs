//! Findings as lessons: for each finding code, why what happened breaks the protocol (or why
//! it is worth knowing), in words for someone who has not read the RFC.

use crate::model::Finding;
use crate::session::machine::Protocol;
use crate::teach::rfc;

/// Why a finding of this code is an error (or a warning, or worth a note).
pub fn why(protocol: Protocol, finding: &Finding) -> String {
    let code = finding.code.as_str();
    let r = rfc::name(protocol);
    match code {
        "state.invalid-request" => format!(
            "Each machine only accepts the requests its table ({r} App. {}) has an edge for \
             in its current state. A request with no edge out of the state cannot do what it \
             asks: a server should answer 455 Method Not Valid in This State (or 454 when \
             there is no session at all).",
            if protocol == Protocol::Rtsp1 {
                "A"
            } else {
                "B"
            }
        ),
        "state.accepted-invalid" => "The server said yes (2xx) to a request its own state \
             table has no edge for: client and server may now disagree about the state."
            .to_string(),
        "session.timeout-disagree" => "The server forgets a session when it hears nothing \
             (no request, no RTCP report) for its timeout. The client did not know, still \
             thinks it is playing, and its next request will get 454 Session Not Found. \
             Clients send a keep-alive (OPTIONS, GET_PARAMETER) well within the timeout."
            .to_string(),
        "session.timeout" => "The server ended the session on its own after hearing nothing \
             from the client for its timeout."
            .to_string(),
        "session.missing" => format!(
            "PLAY, PAUSE, RECORD and TEARDOWN act on a session, and a server can have many: \
             the Session header says which ({}).",
            rfc::header(protocol, "Session").unwrap_or_default()
        ),
        "session.unknown" => "The request names a Session ID the server never gave: the \
             server cannot know which session is meant, and answers 454."
            .to_string(),
        "session.mismatch" => "A reply must carry the same Session ID as its request; a \
             different one means the server mixed sessions up."
            .to_string(),
        "setup.no-session" => "A successful SETUP creates the session, so its reply must \
             say the session's ID: without it the client cannot PLAY."
            .to_string(),
        "transport.not-offered" => "The server must pick one of the transports the client \
             offered; anything else may not reach the client (wrong ports, wrong protocol)."
            .to_string(),
        "request.no-reply" => "Every request gets exactly one reply with its CSeq. Without \
             it the client cannot know whether the request worked; here the connection ended \
             first."
            .to_string(),
        "cseq.unmatched" | "cseq.missing" | "cseq.order" | "cseq.invalid" => format!(
            "CSeq is how a client pairs replies with requests ({}): each request takes a \
             higher number and its reply repeats it. A missing, repeated or unknown number \
             breaks that pairing.",
            rfc::header(protocol, "CSeq").unwrap_or_default()
        ),
        "auth.cleartext" => "Basic credentials (or a password in a URL) are only \
             base64-encoded: anyone who can capture the traffic can read the password. \
             Digest or TLS (rtsps) avoid that."
            .to_string(),
        "status.redirect" => "A 3xx sends the client elsewhere (the Location header) and \
             ends what was set up here: both machines go back to Init."
            .to_string(),
        "status.auth-required" | "status.401" | "status.407" => "Not an error of the \
             protocol: the server wants to know who is asking. The client repeats the \
             request with an Authorization header; a 401 that repeats means the credentials \
             are wrong."
            .to_string(),
        "status.454" => "The server knows no session with this ID: it never gave it, or the \
             session timed out or was torn down. Nothing moves; the client has to SETUP again."
            .to_string(),
        "status.455" => "The request is valid RTSP but not in the session's current state \
             (PAUSE before anything plays, say). A 4xx leaves both machines where they were."
            .to_string(),
        "status.460" => "The server controls these streams only together: PLAY and PAUSE \
             must use the aggregate URL (the session's, from Content-Base), not one stream's."
            .to_string(),
        "status.459" => "The server controls these streams only one at a time: use each \
             stream's own URL."
            .to_string(),
        "status.461" => "None of the transports the client offered suits the server (for \
             example TCP interleaved to a server that only does UDP). The client can try \
             SETUP again with another Transport."
            .to_string(),
        "status.405" => "The method exists, but this resource does not allow it (RECORD on \
             a stream that can only be played, say); the Allow header lists what it does."
            .to_string(),
        "status.404" => "There is no presentation at this URL on the server.".to_string(),
        "status.451" => "The server does not understand a parameter of the request (a \
             SET_PARAMETER with a name it does not know)."
            .to_string(),
        c if c.starts_with("status.5") || c == "status.server-error" => "The server failed \
             (5xx): the request may have been fine. The state stays, unless the server cannot \
             recover."
            .to_string(),
        c if c.starts_with("status.") => "A 4xx reply: the request was refused; both \
             machines stay where they were."
            .to_string(),
        "rtsp.truncated"
        | "capture.gap"
        | "capture.truncated"
        | "capture.snaplen"
        | "interleaved.truncated" => "Not an error of the peers: the capture does not hold \
             all the bytes, so part of the exchange cannot be seen."
            .to_string(),
        "rtsp.malformed" | "rtsp.malformed-header" => "Bytes that do not read as RTSP: the \
             peer sent something broken, or the capture lost part of it."
            .to_string(),
        "session.before-capture" => "The session was set up before the capture started, so \
             its beginning is not in it."
            .to_string(),
        _ => String::new(),
    }
}
