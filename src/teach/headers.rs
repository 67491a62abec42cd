//! One header of a message, explained in plain words with its actual values.

use crate::model::{Message, MessageKind};
use crate::rtsp::headers::{
    LowerTransport, Range, SessionHeader, TransportSpec, parse_transport, public_methods, rtp_info,
};
use crate::session::machine::Protocol;
use crate::teach::rfc;
use crate::teach::sdp;

/// A header that matters for the handshake, and what it says here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderNote {
    pub name: String,
    /// The value as sent (credentials masked by the engine).
    pub value: String,
    pub text: String,
    /// "RFC 2326 §12.39".
    pub reference: Option<String>,
}

/// What the explanation of a header can draw on besides its own value.
pub struct Context<'a> {
    pub protocol: Protocol,
    pub message: &'a Message,
    /// The request a reply answers (or the reply a request got).
    pub pair: Option<&'a Message>,
    /// Whether this message is the first one to carry the session's ID (the SETUP reply that
    /// created it).
    pub creates_session: bool,
}

/// Notes for the headers of `message` that matter, in the order they were sent.
pub fn notes(context: &Context<'_>) -> Vec<HeaderNote> {
    context
        .message
        .headers
        .iter()
        .filter_map(|(name, value)| {
            let text = explain(context, name, value)?;
            Some(HeaderNote {
                name: name.to_string(),
                value: value.to_string(),
                text,
                reference: rfc::header(context.protocol, name),
            })
        })
        .collect()
}

fn is_request(context: &Context<'_>) -> bool {
    context.message.kind == MessageKind::Request
}

fn explain(context: &Context<'_>, name: &str, value: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    Some(match lower.as_str() {
        "cseq" => cseq(context, value),
        "transport" => transport(context, value),
        "session" => session(context, value),
        "range" => range(context, value),
        "rtp-info" => rtp_info_text(value),
        "public" => {
            let methods = public_methods(value);
            format!(
                "The {} methods this server supports. OPTIONS asks exactly this; a client \
                 can see here whether the server knows, say, PAUSE or RECORD before using it.",
                methods.len()
            )
        }
        "allow" => "The methods allowed on this resource (sent with 405 so that the client \
                    knows what it may do instead)."
            .to_string(),
        "content-base" => content_base(context, value),
        "content-type" if value.trim().eq_ignore_ascii_case("application/sdp") => {
            "The body is an SDP session description (RFC 4566): the streams of the \
             presentation, their codecs and their control URLs."
                .to_string()
        }
        "accept" if value.contains("application/sdp") => {
            "The client accepts the description as SDP, the format nearly every server uses."
                .to_string()
        }
        "www-authenticate" => www_authenticate(value),
        "authorization" => authorization(value),
        "location" => format!(
            "Where the presentation is now: the client is to send its requests to {} instead.",
            value.trim()
        ),
        "pipelined-requests" => format!(
            "RTSP/2.0 lets a client send several requests before the first reply comes back. \
             Requests that carry the same Pipelined-Requests value ({}) belong to one \
             session, so this request joins the session the first of them creates without \
             waiting for its Session ID.",
            value.trim()
        ),
        "media-properties" => media_properties(value),
        "connection" if value.trim().eq_ignore_ascii_case("close") => {
            "The sender will close the TCP connection after this message.".to_string()
        }
        _ => return None,
    })
}

fn cseq(context: &Context<'_>, value: &str) -> String {
    let n = value.trim();
    if is_request(context) {
        format!(
            "Request number {n}. The reply repeats it: that is how the client pairs replies \
             with requests."
        )
    } else {
        let method = context
            .pair
            .and_then(|p| p.method.as_deref())
            .map(|m| format!(" (the {m})"))
            .unwrap_or_default();
        format!("The same number as the request it answers{method}: CSeq {n}.")
    }
}

fn ports(pair: (u16, u16)) -> String {
    format!("{} for RTP and {} for RTCP", pair.0, pair.1)
}

fn transport(context: &Context<'_>, value: &str) -> String {
    let specs = parse_transport(value);
    let Some(first) = specs.first() else {
        return "A Transport header that could not be read.".to_string();
    };
    if is_request(context) {
        let mut text = String::new();
        if specs.len() > 1 {
            text.push_str(&format!(
                "The client offers {} ways to carry this stream, in order of preference; the \
                 server picks one. The first: ",
                specs.len()
            ));
        }
        let offer = offer(first);
        if text.is_empty() {
            let mut chars = offer.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        } else {
            text + &offer
        }
    } else {
        let offered = context
            .pair
            .and_then(|request| request.header("Transport"))
            .map(parse_transport)
            .unwrap_or_default();
        answer(first, &offered)
    }
}

fn profile(spec: &TransportSpec) -> String {
    match spec.profile.to_ascii_uppercase().as_str() {
        "RTP/AVP" => "RTP (audio/video profile)".to_string(),
        "RTP/SAVP" => "SRTP, encrypted RTP".to_string(),
        other => other.to_string(),
    }
}

fn cast(spec: &TransportSpec) -> &'static str {
    match spec.unicast {
        Some(false) => "multicast (to a group address)",
        _ => "unicast (to this client alone)",
    }
}

fn offer(spec: &TransportSpec) -> String {
    match (spec.lower, spec.interleaved, spec.client_port) {
        (LowerTransport::Tcp, Some((rtp, rtcp)), _) => format!(
            "the client asks for {} inside this RTSP connection (TCP, \"interleaved\"): each \
             media packet is framed with a `$`, a channel number and a length, channel {rtp} \
             for RTP and {rtcp} for RTCP. No other ports are opened, which gets through \
             firewalls and NAT.",
            profile(spec)
        ),
        (LowerTransport::Tcp, None, _) => format!(
            "the client asks for {} over TCP; the channels are left to the server.",
            profile(spec)
        ),
        (LowerTransport::Udp, _, Some(pair)) => format!(
            "the client offers to receive {} over UDP, {}, on its ports {} (client_port={}-{}). \
             RTP carries the media, RTCP the reports about it.",
            profile(spec),
            cast(spec),
            ports(pair),
            pair.0,
            pair.1
        ),
        (LowerTransport::Udp, _, None) => format!(
            "the client asks for {} over UDP, {}, without naming its ports.",
            profile(spec),
            cast(spec)
        ),
    }
}

fn answer(spec: &TransportSpec, offered: &[TransportSpec]) -> String {
    let mut text = match (
        spec.lower,
        spec.interleaved,
        spec.client_port,
        spec.server_port,
    ) {
        (LowerTransport::Tcp, Some((rtp, rtcp)), _, _) => format!(
            "The server accepts {} inside this RTSP connection: RTP on interleaved channel \
             {rtp} and RTCP on channel {rtcp}.",
            profile(spec)
        ),
        (LowerTransport::Udp, _, Some(client), Some(server)) => format!(
            "The server accepts {} over UDP, {}: it will send to the client's ports {}, and on \
             its side it uses ports {} (server_port={}-{}): the media comes from there and the \
             client's RTCP reports go there.",
            profile(spec),
            cast(spec),
            ports(client),
            ports(server),
            server.0,
            server.1
        ),
        (LowerTransport::Udp, _, None, Some(server)) => format!(
            "The server answers with {} over UDP from its ports {}.",
            profile(spec),
            ports(server)
        ),
        _ => format!("The server's choice: {}.", spec.raw),
    };
    let was_offered = offered.iter().any(|o| {
        o.lower == spec.lower
            && (o.client_port.is_none() || o.client_port == spec.client_port)
            && (o.interleaved.is_none() || o.interleaved == spec.interleaved)
    });
    if !offered.is_empty() && !was_offered {
        text.push_str(" This is not what the client offered.");
    } else if !offered.is_empty() {
        text.push_str(" That is what the client offered.");
    }
    if let Some(ssrc) = &spec.ssrc {
        text.push_str(&format!(
            " ssrc={ssrc}: the RTP packets of this stream will carry this source identifier."
        ));
    }
    if let Some(mode) = &spec.mode {
        if mode.eq_ignore_ascii_case("play") {
            text.push_str(" mode=PLAY: the media flows from the server to the client.");
        } else if mode.eq_ignore_ascii_case("record") || mode.eq_ignore_ascii_case("receive") {
            text.push_str(&format!(
                " mode={mode}: the media flows from the client to the server."
            ));
        }
    }
    text
}

fn session(context: &Context<'_>, value: &str) -> String {
    let Some(header) = SessionHeader::parse(value) else {
        return "A Session header without an ID.".to_string();
    };
    let id = &header.id;
    let timeout = match header.timeout_secs {
        Some(seconds) => format!(
            "It forgets the session after {seconds} s without a request or RTCP report from \
             the client (timeout={seconds}), so the client must send something sooner: a \
             keep-alive."
        ),
        None => "With no timeout= here, the server keeps it for the RFC's default of 60 s \
                 without a request or RTCP report from the client."
            .to_string(),
    };
    if context.creates_session {
        format!(
            "The server created session {id}: every later request about these streams names \
             it. {timeout}"
        )
    } else if is_request(context) {
        let method = context.message.method.as_deref().unwrap_or("");
        if method == "SETUP" {
            format!(
                "Session {id}, which the server gave in an earlier SETUP reply: this stream \
                 joins the same session."
            )
        } else {
            format!(
                "The session this request acts on: {id}, the ID the server gave in its reply \
                 to the first SETUP."
            )
        }
    } else {
        format!("The server confirms the session: {id}.")
    }
}

fn range(context: &Context<'_>, value: &str) -> String {
    let Ok(parsed) = Range::parse(value) else {
        return format!("A time range: {value}.");
    };
    if parsed.unit != "npt" {
        return format!(
            "A time range in {} time: {}.",
            parsed.unit,
            value.split_once('=').map(|(_, v)| v).unwrap_or(value)
        );
    }
    let open_now = value.to_ascii_lowercase().contains("now");
    let span = match (parsed.start, parsed.end, open_now) {
        (None, _, true) => {
            "from \"now\": a live source, which cannot be started earlier".to_string()
        }
        (Some(start), None, _) => format!("from {start} s to the end"),
        (Some(start), Some(end), _) => format!("from {start} s to {end} s"),
        (None, Some(end), _) => format!("up to {end} s"),
        (None, None, false) => "the whole presentation".to_string(),
    };
    if is_request(context) {
        format!(
            "The part of the presentation to play, in normal play time (npt, seconds from \
             its start): {span}."
        )
    } else {
        format!("What the server will actually play: {span}.")
    }
}

fn rtp_info_text(value: &str) -> String {
    let streams = rtp_info(value);
    let listed: Vec<String> = streams
        .iter()
        .map(|s| {
            let name = s.url.rsplit('/').next().unwrap_or(&s.url);
            let mut part = name.to_string();
            if let Some(seq) = s.seq {
                part.push_str(&format!(" starts at seq {seq}"));
            }
            if let Some(rtptime) = s.rtptime {
                part.push_str(&format!(", rtptime {rtptime}"));
            }
            part
        })
        .collect();
    format!(
        "For each stream, the first RTP packet this PLAY produces: its sequence number and \
         RTP timestamp, so the client knows which packets belong to this PLAY and which \
         media time they show: {}.",
        listed.join("; ")
    )
}

fn content_base(context: &Context<'_>, value: &str) -> String {
    let base = value.trim();
    let controls: Vec<String> = context
        .message
        .body
        .as_deref()
        .map(sdp::controls)
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c != "*" && !c.contains("://"))
        .map(|c| format!("{base}{c}"))
        .collect();
    if controls.is_empty() {
        format!("Relative URLs in the description are taken relative to {base}.")
    } else {
        format!(
            "Relative URLs in the description are taken relative to {base}: the streams to \
             SETUP are {}.",
            controls.join(" and ")
        )
    }
}

/// `Digest realm="x", nonce="y"` → ("Digest", realm).
fn scheme_and_realm(value: &str) -> (String, Option<String>) {
    let scheme = value.split_whitespace().next().unwrap_or("").to_string();
    let realm = value.split(',').find_map(|part| {
        let part = part.trim();
        let part = part.strip_prefix(&scheme).unwrap_or(part).trim();
        let (name, v) = part.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("realm")
            .then(|| v.trim().trim_matches('"').to_string())
    });
    (scheme, realm)
}

fn www_authenticate(value: &str) -> String {
    let (scheme, realm) = scheme_and_realm(value);
    let realm = realm
        .map(|r| format!(" for the realm \"{r}\""))
        .unwrap_or_default();
    let how = if scheme.eq_ignore_ascii_case("basic") {
        "Basic sends the user name and password only base64-encoded: anyone who captures \
         the traffic can read them."
    } else if scheme.eq_ignore_ascii_case("digest") {
        "Digest: the client proves it knows the password by sending a hash of it with the \
         server's nonce, never the password itself."
    } else {
        ""
    };
    format!(
        "The server wants credentials ({scheme}){realm}: the client is to send the request \
         again with an Authorization header. {how}"
    )
    .trim_end()
    .to_string()
}

fn authorization(value: &str) -> String {
    let (scheme, _) = scheme_and_realm(value);
    let user = value.split(',').find_map(|part| {
        let part = part.trim();
        let part = part.strip_prefix(&scheme).unwrap_or(part).trim();
        let (name, v) = part.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("username")
            .then(|| v.trim().trim_matches('"').to_string())
    });
    let user = user
        .map(|u| format!(" for user \"{u}\""))
        .unwrap_or_default();
    // The engine masks with asterisks unless the user asked to see credentials as sent.
    let masked = value.contains("********");
    let how = match (scheme.eq_ignore_ascii_case("basic"), masked) {
        (true, true) => {
            "Basic credentials are only base64-encoded, as readable as plain text in a capture \
             (masked here)."
        }
        (true, false) => {
            "Basic credentials are only base64-encoded, as readable as plain text in a capture: \
             decode the value and the password is there."
        }
        (false, true) => "The secret part is masked here.",
        (false, false) => "The secret part is shown as sent.",
    };
    format!("The client's credentials ({scheme}){user}, answering the server's challenge. {how}")
}

fn media_properties(value: &str) -> String {
    let words: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let meaning = if lower == "no-seeking" {
                "the client cannot jump to another time"
            } else if lower == "random-access" || lower.starts_with("random-access=") {
                "the client can jump to any time"
            } else if lower == "beginning-only" {
                "it can only be played from the start"
            } else if lower == "time-progressing" {
                "the content grows as time passes (live)"
            } else if lower == "immutable" {
                "the content never changes"
            } else if lower == "dynamic" {
                "the content may change"
            } else if lower == "unlimited" {
                "it stays available"
            } else if lower.starts_with("time-duration") {
                "how long the content is available (0.0: no fixed duration)"
            } else if lower.starts_with("time-limited") {
                "available until the given time"
            } else {
                "as sent"
            };
            format!("{w} ({meaning})")
        })
        .collect();
    format!(
        "RTSP/2.0: what the client can do with this media: {}.",
        words.join(", ")
    )
}
