//! Sessions: pairs requests with replies, finds which session each message belongs to, feeds
//! both machines and raises the findings. It builds the model as it goes.
//!
//! Sans-IO: the engine calls `on_*` in capture order with capture timestamps, and
//! [`Tracker::advance_to`] as time passes, which is when the server's session timeouts fire.
//! A session is known by its server and Session ID (RFC 2326 A keys it by URL and Session ID;
//! the per-track SETUPs and the aggregate PLAY of one session carry the same ID, so one server's
//! ID is enough and survives the URL changing from track to aggregate).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::ops::Range;

use foldhash::HashMap;

use crate::capture::Timestamp;
use crate::limits::{
    MAX_HEADER_VALUE_PAST_BUDGET, MAX_KEPT_DETAIL_BYTES, MAX_PENDING_REQUESTS, MAX_PRE_STORY,
};
use crate::model::{
    ChannelCount, Connection, Direction, Finding, Headers, Machine, Message, MessageKind, Model,
    Session, State, Transition, Update,
};
use crate::rtsp::headers;
use crate::rtsp::message::{Message as RtspMessage, StartLine, Version};
use crate::tcp::ConnStats;

use super::findings::{self, Code, FindingSink};
use super::machine::{self, Outcome, Protocol};

/// How long a session's server media must pause before the server is taken to have stopped it.
const MEDIA_QUIET_NANOS: i64 = 2_000_000_000;

/// How long a server may take to answer a TEARDOWN after the client closed its side of the
/// connection; a real server answers in milliseconds.
const TEARDOWN_REPLY_GRACE_NANOS: i64 = 2_000_000_000;

fn state_last_activity(state: Option<&SessionState>) -> Timestamp {
    state.map_or(Timestamp(0), |s| s.last_client_activity)
}

/// RFC 2326 §12.37: the session timeout when the Session header names none.
pub const DEFAULT_SESSION_TIMEOUT_SECS: f64 = 60.0;

/// How often, in capture time, the session timers are checked.
const TIMER_GRANULARITY_NANOS: i64 = 250_000_000;

/// Which side of a TCP connection sent something: the flow table's A or B.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    A,
    B,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

#[derive(Debug)]
struct PendingRequest {
    index: usize,
    cseq: Option<u64>,
}

/// A reply seen before any request with its CSeq.
#[derive(Debug)]
struct EarlyReply {
    index: usize,
    cseq: u64,
    ts: Timestamp,
}

/// Replies held per connection direction while waiting for their request.
const MAX_EARLY_REPLIES: usize = 8;

#[derive(Debug)]
struct ConnState {
    model_index: usize,
    a: SocketAddr,
    b: SocketAddr,
    /// Which side sends the requests, once a message has shown it.
    client: Option<Side>,
    /// Requests from the client waiting for the server's reply, oldest first.
    pending_from_client: VecDeque<PendingRequest>,
    /// Requests from the server (ANNOUNCE, SET_PARAMETER, REDIRECT...) waiting for the client.
    pending_from_server: VecDeque<PendingRequest>,
    last_client_cseq: Option<u64>,
    /// Messages with no session yet: the OPTIONS and DESCRIBE that lead to the next SETUP.
    pre_story: Vec<usize>,
    /// The session most recently set up on this connection and not torn down.
    current_session: Option<usize>,
    /// Interleaved channel → session, from the SETUP replies' Transport.
    channel_sessions: HashMap<u8, usize>,
    ended: Option<&'static str>,
    /// When the client closed its side while the server's was still open (a half-close): a
    /// TEARDOWN still unanswered some time after this ends the session.
    closed_by_client_at: Option<Timestamp>,
    cleartext_reported: bool,
    pending_overflow_reported: bool,
    /// Replies whose CSeq matched no request yet: the request may come later in the capture.
    early_replies_from_server: Vec<EarlyReply>,
    early_replies_from_client: Vec<EarlyReply>,
    /// Interleaved frames cut by the capture: the first is a finding, the rest are counted.
    interleaved_cut: u64,
}

impl ConnState {
    fn client_addr(&self) -> SocketAddr {
        match self.client {
            Some(Side::B) => self.b,
            _ => self.a,
        }
    }

    fn server_addr(&self) -> SocketAddr {
        match self.client {
            Some(Side::B) => self.a,
            _ => self.b,
        }
    }
}

#[derive(Debug)]
struct SessionState {
    protocol: Protocol,
    timeout_secs: f64,
    /// The last request for this session or RTCP/interleaved data from its client.
    last_client_activity: Timestamp,
    /// When the Range the last PLAY asked for ends (npt end known, normal speed).
    range_end: Option<Timestamp>,
    /// The last media (RTP or RTCP) the server sent for this session.
    last_server_media: Option<Timestamp>,
    last_server_media_frame: u64,
    /// A PAUSE or TEARDOWN waits for its reply: an RTCP BYE now is its effect, not the end of
    /// the stream.
    stop_requested: bool,
}

/// What a UDP flow registered from a SETUP reply is.
#[derive(Debug, Clone, Copy)]
struct MediaFlow {
    session: usize,
    rtcp: bool,
    from_client: bool,
}

#[derive(Debug, Default)]
pub struct Tracker {
    model: Model,
    first_ts: Option<Timestamp>,
    now: Timestamp,
    next_timer_check: Timestamp,
    conns: HashMap<u32, ConnState>,
    sessions: Vec<SessionState>,
    session_keys: HashMap<(SocketAddr, String), usize>,
    udp_flows: HashMap<(SocketAddr, SocketAddr), MediaFlow>,
    sink: FindingSink,
    dirty_connections: DirtySet,
    dirty_sessions: DirtySet,
    dirty_messages: Vec<usize>,
    sent_messages: usize,
    sent_findings: usize,
    capture_dirty: bool,
    /// Bytes of headers and bodies kept in the model so far (`limits::MAX_KEPT_DETAIL_BYTES`).
    detail_bytes: usize,
    detail_limit_reported: bool,
    credentials: Credentials,
}

/// What the model keeps of a credential (an Authorization value, a password in a URL): masked
/// unless the user asks to see it as sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Credentials {
    #[default]
    Masked,
    Revealed,
}

impl Credentials {
    fn header(self, name: &str, value: &str) -> String {
        match self {
            Credentials::Masked => mask_header(name, value),
            Credentials::Revealed => value.to_string(),
        }
    }

    fn url(self, url: &str) -> String {
        match self {
            Credentials::Masked => mask_url_password(url),
            Credentials::Revealed => url.to_string(),
        }
    }
}

/// Indexes changed since the last `take_updates`, each listed once: a connection or session
/// touched by every media packet must not grow the list per packet (the report never takes it).
#[derive(Debug, Default)]
struct DirtySet {
    list: Vec<usize>,
    marked: Vec<bool>,
}

impl DirtySet {
    fn mark(&mut self, index: usize) {
        if index >= self.marked.len() {
            self.marked.resize(index + 1, false);
        }
        if let Some(flag) = self.marked.get_mut(index)
            && !*flag
        {
            *flag = true;
            self.list.push(index);
        }
    }

    fn take(&mut self) -> Vec<usize> {
        for &index in &self.list {
            if let Some(flag) = self.marked.get_mut(index) {
                *flag = false;
            }
        }
        std::mem::take(&mut self.list)
    }
}

/// The methods RFC 2326 and RFC 7826 define (case-sensitive, as methods are): a message keeps
/// one of these without allocating.
const STANDARD_METHODS: &[&str] = &[
    "OPTIONS",
    "DESCRIBE",
    "ANNOUNCE",
    "SETUP",
    "PLAY",
    "PAUSE",
    "TEARDOWN",
    "GET_PARAMETER",
    "SET_PARAMETER",
    "REDIRECT",
    "RECORD",
    "PLAY_NOTIFY",
];

fn method_name(method: &str) -> Cow<'static, str> {
    match STANDARD_METHODS.iter().find(|m| **m == method) {
        Some(standard) => Cow::Borrowed(standard),
        None => Cow::Owned(method.to_string()),
    }
}

fn version_name(version: Version) -> &'static str {
    match version {
        Version::Rtsp10 => "RTSP/1.0",
        Version::Rtsp20 => "RTSP/2.0",
    }
}

/// Headers the analysis reads back from the model's messages: kept past the detail budget.
const HEADERS_READ: [&str; 11] = [
    "CSeq",
    "Session",
    "Transport",
    "Location",
    "Notify-Reason",
    "Scale",
    "Speed",
    "Range",
    "RTP-Info",
    "Content-Length",
    "Content-Type",
];

/// The items at `indices`, each once, in index order.
fn items_at<T: Clone>(items: &[T], mut indices: Vec<usize>) -> impl Iterator<Item = T> + '_ {
    indices.sort_unstable();
    indices.dedup();
    indices.into_iter().filter_map(|i| items.get(i).cloned())
}

/// The items added since the first `sent` were handed over.
fn items_since<T: Clone>(items: &[T], sent: usize) -> impl Iterator<Item = T> + '_ {
    items.get(sent..).unwrap_or_default().iter().cloned()
}

/// `value` cut to at most `max` bytes, at a character boundary.
fn cut_at_char(value: &str, max: usize) -> &str {
    let mut end = value.len().min(max);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value.get(..end).unwrap_or_default()
}

/// Hides credentials: the value of a Basic/Digest Authorization and a password in a URL.
pub fn mask_header(name: &str, value: &str) -> String {
    if name.eq_ignore_ascii_case("authorization")
        || name.eq_ignore_ascii_case("proxy-authorization")
    {
        let scheme = value.split_whitespace().next().unwrap_or("");
        if scheme.eq_ignore_ascii_case("basic") {
            return "Basic ********".into();
        }
        if scheme.eq_ignore_ascii_case("digest") {
            return mask_digest(scheme, value);
        }
        // Any other scheme (Bearer, NTLM, a damaged "Basic") carries a credential whose shape
        // is unknown: all of it is masked (found by the `rtsp_head` fuzz target).
        // The scheme is shown when it reads as one (a short word followed by the credential).
        return if is_short_token(scheme) && value.trim() != scheme {
            format!("{scheme} ********")
        } else {
            "********".into()
        };
    }
    mask_url_password(value)
}

/// The Digest parameters (RFC 2617 3.2.2) a person debugging auth needs and that give nothing
/// away: the rest (`response`, and whatever a broken client adds) is masked, because the
/// response hash can be attacked offline and an unknown parameter may hold anything.
pub const DIGEST_PARAMETERS_SHOWN: [&str; 9] = [
    "username",
    "realm",
    "nonce",
    "uri",
    "algorithm",
    "opaque",
    "qop",
    "nc",
    "cnonce",
];

/// `Digest username="u", response="0123"` → `Digest username="u", response="********"`.
/// Masking by an allow-list, not by finding `response=`: a damaged header can hide the hash
/// anywhere (found by the `rtsp_headers` fuzz target).
fn mask_digest(scheme: &str, value: &str) -> String {
    let parameters = value.trim_start().get(scheme.len()..).unwrap_or_default();
    let mut out = scheme.to_string();
    for (index, parameter) in digest_parameters(parameters).enumerate() {
        out.push_str(if index == 0 { " " } else { ", " });
        match digest_parameter_hidden_from(parameter.as_bytes()) {
            None => out.push_str(parameter),
            Some(0) => out.push_str("********"),
            Some(_) => {
                let name = parameter.split_once('=').map_or("", |(name, _)| name);
                out.push_str(name.trim());
                out.push_str("=\"********\"");
            }
        }
    }
    out
}

/// What masking hides of one Digest parameter (its bytes, which need not be UTF-8): nothing
/// when it is a harmless one with a whole value; else from this index on, after `name=` when
/// the name is a plain word, all of it otherwise. The window and the pcapng export both ask.
pub fn digest_parameter_hidden_from(parameter: &[u8]) -> Option<usize> {
    let Some(equals) = parameter.iter().position(|&b| b == b'=') else {
        return Some(0);
    };
    let (name, value) = parameter.split_at_checked(equals)?;
    let name = std::str::from_utf8(name).ok().map(str::trim);
    let value = std::str::from_utf8(value.get(1..).unwrap_or_default())
        .ok()
        .map(str::trim);
    match (name, value) {
        (Some(name), Some(value)) if is_digest_parameter_shown(name) && is_whole_value(value) => {
            None
        }
        (Some(name), _) if is_short_token(name) => Some(equals + 1),
        _ => Some(0),
    }
}

/// The comma-separated parameters of a Digest header, trimmed: a comma inside quotes is part
/// of the value, and an unclosed quote runs to the end.
pub fn digest_parameters(text: &str) -> impl Iterator<Item = &str> {
    // Commas, quotes and ASCII whitespace are one byte each: every range is on char boundaries.
    digest_parameter_ranges(text.as_bytes()).filter_map(move |range| text.get(range))
}

/// [`digest_parameters`] as byte ranges of `text`, which need not be UTF-8 (a packet's bytes:
/// the pcapng export masks them in place).
pub fn digest_parameter_ranges(text: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < text.len() {
            let mut quoted = false;
            let end = text
                .get(at..)?
                .iter()
                .position(|&b| {
                    if b == b'"' {
                        quoted = !quoted;
                    }
                    b == b',' && !quoted
                })
                .map_or(text.len(), |p| at + p);
            let (mut start, mut stop) = (at, end);
            while start < stop && text.get(start).is_some_and(u8::is_ascii_whitespace) {
                start += 1;
            }
            while stop > start && text.get(stop - 1).is_some_and(u8::is_ascii_whitespace) {
                stop -= 1;
            }
            at = end + 1;
            if start < stop {
                return Some(start..stop);
            }
        }
        None
    })
}

pub fn is_digest_parameter_shown(name: &str) -> bool {
    DIGEST_PARAMETERS_SHOWN
        .iter()
        .any(|shown| shown.eq_ignore_ascii_case(name))
}

/// A token or one quoted string: anything else is a damaged header, whose value may run into
/// the next parameter's (`nonce="n, response="0123"`).
pub(crate) fn is_whole_value(value: &str) -> bool {
    match value.strip_prefix('"') {
        Some(quoted) => quoted
            .strip_suffix('"')
            .is_some_and(|inner| !inner.contains('"')),
        // A token (RFC 7230 tchar): `nc=1;response=0123` is not one value but a damaged two.
        None => {
            !value.is_empty()
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
        }
    }
}

/// A scheme or parameter name that can be shown: a short word, too short to be a credential.
pub(crate) fn is_short_token(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 16
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `rtsp://user:pass@host/...` → `rtsp://user:********@host/...`
pub fn mask_url_password(value: &str) -> String {
    let Some(scheme_end) = value.find("://") else {
        return value.to_string();
    };
    let after_scheme = scheme_end + 3;
    let authority_end = value
        .get(after_scheme..)
        .and_then(|rest| rest.find(['/', ' ', '?']))
        .map_or(value.len(), |e| after_scheme + e);
    let Some(authority) = value.get(after_scheme..authority_end) else {
        return value.to_string();
    };
    let Some(at) = authority.rfind('@') else {
        return value.to_string();
    };
    let userinfo = authority.get(..at).unwrap_or("");
    let Some(colon) = userinfo.find(':') else {
        return value.to_string();
    };
    format!(
        "{}{}:********{}",
        value.get(..after_scheme).unwrap_or(""),
        userinfo.get(..colon).unwrap_or(""),
        value.get(after_scheme + at..).unwrap_or("")
    )
}

fn session_id_of(value: &str) -> Option<(String, Option<f64>)> {
    let parsed = headers::SessionHeader::parse(value)?;
    if parsed.id.is_empty() {
        return None;
    }
    Some((parsed.id, parsed.timeout_secs.map(|t| t as f64)))
}

impl Tracker {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_credentials(credentials: Credentials) -> Self {
        Self {
            credentials,
            ..Self::default()
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn model_mut_capture(&mut self) -> &mut crate::model::CaptureInfo {
        self.capture_dirty = true;
        &mut self.model.capture
    }

    fn time(&self, ts: Timestamp) -> f64 {
        self.first_ts.map_or(0.0, |first| ts.secs_since(first))
    }

    /// Every packet's timestamp, in capture order: moves the clock and fires the timers.
    pub fn advance_to(&mut self, ts: Timestamp, frame: u64) {
        if self.first_ts.is_none() {
            self.first_ts = Some(ts);
            self.next_timer_check = ts;
        }
        // Time only moves forward: a timestamp that goes backwards (merged or edited captures)
        // must not undo timers.
        if ts > self.now {
            self.now = ts;
        }
        if self.now >= self.next_timer_check {
            self.next_timer_check = Timestamp(self.now.0.saturating_add(TIMER_GRANULARITY_NANOS));
            self.settle_client_closes(self.now);
            self.check_timeouts(frame);
        }
    }

    fn check_timeouts(&mut self, frame: u64) {
        for index in 0..self.sessions.len() {
            self.check_range_end(index);
            let Some(state) = self.sessions.get(index) else {
                continue;
            };
            let deadline = state.last_client_activity.plus_secs(state.timeout_secs);
            let timeout = state.timeout_secs;
            let last_server_media = state.last_server_media;
            let last_server_media_frame = state.last_server_media_frame;
            let server_state = self.model.sessions.get(index).map(|s| s.server_state);
            if server_state.is_none_or(|s| s == State::Init) || self.now < deadline {
                continue;
            }
            // A server still sending media has not dropped the session, whatever the timeout
            // says (servers add grace, or keep TCP-interleaved sessions while the connection
            // lives): it timed out when its media stopped.
            let still_sending = last_server_media
                .is_some_and(|last| self.now < Timestamp(last.0.saturating_add(MEDIA_QUIET_NANOS)));
            if still_sending {
                continue;
            }
            let ended = last_server_media
                .filter(|last| *last > deadline)
                .unwrap_or(deadline);
            let time = self.time(ended);
            let silent = ended.secs_since(state_last_activity(self.sessions.get(index)));
            let cause = if ended > deadline {
                format!(
                    "session timeout: the server stopped its media {} s after the last request or RTCP from the client (timeout {} s)",
                    fmt_secs_1(silent),
                    fmt_secs(timeout)
                )
            } else {
                format!(
                    "session timeout: {} s without a request or RTCP from the client",
                    fmt_secs(timeout)
                )
            };
            self.set_state(index, Machine::Server, State::Init, None, time, cause);
            let client_state = self
                .model
                .sessions
                .get(index)
                .map_or(State::Init, |s| s.client_state);
            let session_id = self
                .model
                .sessions
                .get(index)
                .map(|s| s.session_id.clone())
                .unwrap_or_default();
            let connection = self
                .model
                .sessions
                .get(index)
                .and_then(|s| s.connections.first().copied());
            let frame = if ended > deadline {
                last_server_media_frame
            } else {
                frame
            };
            let how = if ended > deadline {
                format!(
                    "its media stopped {} s after the client's last request or RTCP, with a timeout of {} s",
                    fmt_secs_1(silent),
                    fmt_secs(timeout)
                )
            } else {
                format!(
                    "{} s without a request or RTCP from the client",
                    fmt_secs(timeout)
                )
            };
            if client_state == State::Init {
                self.raise(
                    findings::SESSION_TIMEOUT,
                    format!("the server timed session {session_id} out: {how}"),
                    None,
                    Some(frame),
                    connection,
                    Some(index),
                );
            } else {
                self.raise(
                    findings::TIMEOUT_DISAGREE,
                    format!(
                        "the server timed session {session_id} out ({how}) while the client still believes it is {client_state}"
                    ),
                    None,
                    Some(frame),
                    connection,
                    Some(index),
                );
            }
        }
    }

    /// A TCP connection found to carry RTSP.
    pub fn on_connection(
        &mut self,
        conn: u32,
        a: SocketAddr,
        b: SocketAddr,
        saw_syn: bool,
        frame: u64,
        ts: Timestamp,
    ) {
        if self.conns.contains_key(&conn) {
            return;
        }
        let model_index = self.model.connections.len();
        let time = self.time(ts);
        self.model.connections.push(Connection {
            id: conn,
            client: a.to_string(),
            server: b.to_string(),
            first_frame: frame,
            last_frame: frame,
            first_time: time,
            last_time: time,
            saw_syn,
            ..Connection::default()
        });
        self.conns.insert(
            conn,
            ConnState {
                model_index,
                a,
                b,
                client: None,
                pending_from_client: VecDeque::new(),
                pending_from_server: VecDeque::new(),
                last_client_cseq: None,
                pre_story: Vec::new(),
                current_session: None,
                channel_sessions: HashMap::default(),
                ended: None,
                closed_by_client_at: None,
                cleartext_reported: false,
                pending_overflow_reported: false,
                early_replies_from_server: Vec::new(),
                early_replies_from_client: Vec::new(),
                interleaved_cut: 0,
            },
        );
        self.dirty_connections.mark(model_index);
    }

    pub fn is_tracked(&self, conn: u32) -> bool {
        self.conns.contains_key(&conn)
    }

    fn touch_connection(&mut self, conn: u32, frame: u64, ts: Timestamp) -> Option<usize> {
        let time = self.time(ts);
        let index = self.conns.get(&conn)?.model_index;
        let model = self.model.connections.get_mut(index)?;
        model.last_frame = model.last_frame.max(frame);
        if time > model.last_time {
            model.last_time = time;
        }
        self.dirty_connections.mark(index);
        Some(index)
    }

    /// TCP statistics of a connection (both directions added up).
    pub fn set_tcp_stats(&mut self, conn: u32, stats: ConnStats) {
        let Some(index) = self.conns.get(&conn).map(|c| c.model_index) else {
            return;
        };
        let ConnStats {
            gaps,
            gap_bytes,
            retransmissions,
            out_of_order,
        } = stats;
        if let Some(model) = self.model.connections.get_mut(index)
            && (
                model.gaps,
                model.gap_bytes,
                model.retransmissions,
                model.out_of_order,
            ) != (gaps, gap_bytes, retransmissions, out_of_order)
        {
            model.gaps = gaps;
            model.gap_bytes = gap_bytes;
            model.retransmissions = retransmissions;
            model.out_of_order = out_of_order;
            self.dirty_connections.mark(index);
        }
    }

    /// One direction of a connection ended (FIN from `from`, or a reset).
    pub fn on_connection_end(
        &mut self,
        conn: u32,
        from: Side,
        reset: bool,
        frame: u64,
        ts: Timestamp,
    ) {
        self.touch_connection(conn, frame, ts);
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        let how = if reset { "RST" } else { "FIN" };
        if state.ended.is_none() || reset {
            state.ended = Some(how);
        }
        if let Some(model) = self.model.connections.get_mut(state.model_index) {
            model.ended = Some(how.into());
        }
        // After a reset, or once the server has closed its side, no reply can come any more;
        // a client's FIN alone still lets the server answer (a half-close).
        let server_done = reset || state.client.is_some_and(|client| client != from);
        if server_done {
            self.end_unanswered_teardowns(conn, ts, reset);
        } else if state.closed_by_client_at.is_none() {
            state.closed_by_client_at = Some(ts);
        }
    }

    /// A client that sends TEARDOWN and closes the connection without waiting for the reply
    /// (ffmpeg does) has left the session, and a server that got the TEARDOWN and lost the
    /// connection has nothing left to serve: both machines end in Init. Left in Playing, every
    /// such session would later "time out" on the server while the client still "plays", a
    /// disagreement the capture does not show.
    fn end_unanswered_teardowns(&mut self, conn: u32, at: Timestamp, reset: bool) {
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        state.closed_by_client_at = None;
        let teardowns: Vec<usize> = state
            .pending_from_client
            .iter()
            .map(|p| p.index)
            .filter(|&i| {
                self.model
                    .messages
                    .get(i)
                    .is_some_and(|m| m.method.as_deref() == Some("TEARDOWN"))
            })
            .collect();
        let time = self.time(at);
        let cause = if reset {
            "TEARDOWN unanswered; connection reset"
        } else {
            "TEARDOWN unanswered; connection closed"
        };
        for teardown in teardowns {
            let Some(session) = self
                .model
                .messages
                .get(teardown)
                .and_then(|m| m.session_index)
            else {
                continue;
            };
            for machine in [Machine::Client, Machine::Server] {
                self.set_state(session, machine, State::Init, None, time, cause.into());
            }
        }
    }

    /// Connections the client closed after a TEARDOWN that the server has not answered within
    /// `TEARDOWN_REPLY_GRACE_NANOS` (`close_connection` settles the rest when a connection is
    /// over).
    fn settle_client_closes(&mut self, now: Timestamp) {
        let mut due: Vec<(u32, Timestamp)> = self
            .conns
            .iter()
            .filter_map(|(&id, c)| c.closed_by_client_at.map(|at| (id, at)))
            .filter(|(_, at)| now >= Timestamp(at.0.saturating_add(TEARDOWN_REPLY_GRACE_NANOS)))
            .collect();
        due.sort_unstable();
        for (conn, at) in due {
            self.end_unanswered_teardowns(conn, at, false);
        }
    }

    /// A hole in one direction of a connection's stream.
    pub fn on_gap(
        &mut self,
        conn: u32,
        from: Side,
        length: u64,
        reason: &str,
        frame: u64,
        ts: Timestamp,
    ) {
        self.touch_connection(conn, frame, ts);
        let direction = self.direction_of(conn, from);
        let arrow = match direction {
            Some(Direction::ClientToServer) => "client → server",
            Some(Direction::ServerToClient) => "server → client",
            None => "one direction",
        };
        self.raise(
            findings::CAPTURE_GAP,
            format!("{length} bytes ({arrow}) are not in the capture: {reason}"),
            None,
            Some(frame),
            Some(conn),
            None,
        );
    }

    fn direction_of(&self, conn: u32, from: Side) -> Option<Direction> {
        let client = self.conns.get(&conn)?.client?;
        Some(if client == from {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        })
    }

    /// One `$` frame on a connection.
    #[allow(clippy::too_many_arguments)]
    pub fn on_interleaved(
        &mut self,
        conn: u32,
        from: Side,
        channel: u8,
        length: u16,
        complete: bool,
        frame: u64,
        ts: Timestamp,
    ) {
        let Some(index) = self.touch_connection(conn, frame, ts) else {
            return;
        };
        let direction = self.direction_of(conn, from);
        if let Some(model) = self.model.connections.get_mut(index) {
            model.interleaved_frames += 1;
            match model.channels.iter_mut().find(|c| c.channel == channel) {
                Some(count) => {
                    count.frames += 1;
                    count.bytes += u64::from(length);
                    if count.direction.is_none() {
                        count.direction = direction;
                    }
                }
                None => model.channels.push(ChannelCount {
                    channel,
                    direction,
                    frames: 1,
                    bytes: u64::from(length),
                }),
            }
        }
        let session = self.conns.get(&conn).and_then(|c| {
            c.channel_sessions
                .get(&channel)
                .copied()
                .or(c.current_session)
        });
        if let Some(session) = session {
            // RTCP goes on the odd channel of each pair (RFC 2326 §10.12).
            self.count_media(session, channel % 2 == 1, u64::from(length));
            if direction == Some(Direction::ClientToServer) {
                self.client_activity(session, ts);
            } else {
                self.server_media(session, ts, frame);
            }
        }
        let cut_before = self.conns.get(&conn).map_or(0, |c| c.interleaved_cut);
        if !complete && let Some(state) = self.conns.get_mut(&conn) {
            state.interleaved_cut += 1;
        }
        if !complete && cut_before == 0 {
            self.raise(
                findings::INTERLEAVED_CUT,
                format!(
                    "interleaved frame on channel {channel} ({length} bytes) is cut by the capture (the first on this connection; later ones are only counted)"
                ),
                None,
                Some(frame),
                Some(conn),
                session,
            );
        }
    }

    /// RFC 2326 A.2: when the Range the client asked for has been played, the server returns
    /// from Playing (or Recording) to Ready.
    fn check_range_end(&mut self, index: usize) {
        let Some(end) = self.sessions.get(index).and_then(|s| s.range_end) else {
            return;
        };
        if self.now < end {
            return;
        }
        if let Some(state) = self.sessions.get_mut(index) {
            state.range_end = None;
        }
        let server_state = self
            .model
            .sessions
            .get(index)
            .map_or(State::Init, |s| s.server_state);
        if matches!(server_state, State::Playing | State::Recording) {
            let time = self.time(end);
            self.set_state(
                index,
                Machine::Server,
                State::Ready,
                None,
                time,
                "the end of the requested Range was reached".into(),
            );
        }
    }

    /// An RTCP BYE from the server ends the stream (RFC 3550 §6.6): the end of the Range for
    /// the server's machine, unless a PAUSE or TEARDOWN asked for it.
    fn on_server_bye(&mut self, session: usize, ts: Timestamp) {
        if self.sessions.get(session).is_none_or(|s| s.stop_requested) {
            return;
        }
        let server_state = self
            .model
            .sessions
            .get(session)
            .map_or(State::Init, |s| s.server_state);
        if matches!(server_state, State::Playing | State::Recording) {
            let time = self.time(ts);
            self.set_state(
                session,
                Machine::Server,
                State::Ready,
                None,
                time,
                "RTCP BYE from the server: the stream ended".into(),
            );
        }
    }

    fn count_media(&mut self, session: usize, rtcp: bool, bytes: u64) {
        if let Some(model) = self.model.sessions.get_mut(session) {
            if rtcp {
                model.media.rtcp_packets += 1;
            } else {
                model.media.rtp_packets += 1;
            }
            model.media.bytes += bytes;
            self.dirty_sessions.mark(session);
        }
    }

    fn server_media(&mut self, session: usize, ts: Timestamp, frame: u64) {
        if let Some(state) = self.sessions.get_mut(session)
            && state.last_server_media.is_none_or(|last| ts > last)
        {
            state.last_server_media = Some(ts);
            state.last_server_media_frame = frame;
        }
    }

    fn client_activity(&mut self, session: usize, ts: Timestamp) {
        if let Some(state) = self.sessions.get_mut(session)
            && ts > state.last_client_activity
        {
            state.last_client_activity = ts;
        }
    }

    /// A UDP datagram: counted for the session whose SETUP reply named its ports.
    pub fn on_udp(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        payload: &[u8],
        length: usize,
        ts: Timestamp,
        frame: u64,
    ) {
        let Some(flow) = self.udp_flows.get(&(src, dst)).copied() else {
            return;
        };
        self.count_media(flow.session, flow.rtcp, length as u64);
        if flow.from_client && flow.rtcp {
            self.client_activity(flow.session, ts);
        }
        if !flow.from_client {
            self.server_media(flow.session, ts, frame);
        }
        if !flow.from_client && flow.rtcp && rtcp_has_bye(payload) {
            self.on_server_bye(flow.session, ts);
        }
    }

    /// Bytes that are neither RTSP nor interleaved data, or a head that cannot be read.
    pub fn on_malformed(&mut self, conn: u32, from: Side, text: String, frame: u64, ts: Timestamp) {
        self.touch_connection(conn, frame, ts);
        let who = match self.direction_of(conn, from) {
            Some(Direction::ClientToServer) => "from the client",
            Some(Direction::ServerToClient) => "from the server",
            None => "",
        };
        self.raise(
            findings::MALFORMED,
            format!("{text} {who}").trim_end().to_string(),
            None,
            Some(frame),
            Some(conn),
            None,
        );
    }

    pub fn on_limit(&mut self, conn: Option<u32>, text: String, frame: u64) {
        self.raise(findings::LIMIT, text, None, Some(frame), conn, None);
    }

    /// A finding about the capture itself (truncated, damaged, packets dropped).
    pub fn on_capture_finding(&mut self, code: Code, text: String, frame: u64) {
        self.raise(code, text, None, Some(frame), None, None);
    }

    /// An RTSP message framed on a connection.
    pub fn on_message(&mut self, conn: u32, from: Side, message: RtspMessage) {
        let Some(model_conn) = self.touch_connection(conn, message.frame, message.ts) else {
            return;
        };
        let is_request = matches!(message.head.start, StartLine::Request { .. });
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        if state.client.is_none() {
            state.client = Some(if is_request { from } else { from.other() });
            let (client, server) = (state.client_addr(), state.server_addr());
            if let Some(model) = self.model.connections.get_mut(model_conn) {
                model.client = client.to_string();
                model.server = server.to_string();
            }
        }
        let from_client = state.client == Some(from);
        let direction = if from_client {
            Direction::ClientToServer
        } else {
            Direction::ServerToClient
        };
        let index = self.model.messages.len();
        let mut built = self.build_message(index, conn, direction, &message);
        self.keep_detail_within_budget(&mut built);
        if let Some(model) = self.model.connections.get_mut(model_conn) {
            model.rtsp_messages += 1;
            if model.version.is_none() {
                model.version = Some(built.version.to_string());
            }
        }
        self.model.messages.push(built);
        self.message_findings(index, conn, &message);
        if is_request {
            self.on_request(conn, index, from_client, message.ts);
            self.answer_early_reply(conn, index, from_client);
        } else {
            self.on_response(conn, index, from_client, message.ts);
        }
    }

    fn build_message(
        &self,
        index: usize,
        conn: u32,
        direction: Direction,
        message: &RtspMessage,
    ) -> Message {
        let head = &message.head;
        let (kind, version, method, url, status, reason) = match &head.start {
            StartLine::Request {
                method,
                uri,
                version,
            } => (
                MessageKind::Request,
                *version,
                Some(method_name(method)),
                Some(self.credentials.url(uri)),
                None,
                None,
            ),
            StartLine::Response {
                version,
                status,
                reason,
            } => (
                MessageKind::Response,
                *version,
                None,
                None,
                Some(*status),
                Some(reason.clone()),
            ),
        };
        let cseq = head.header("CSeq").and_then(|v| headers::cseq(v).ok());
        let session = head
            .header("Session")
            .and_then(session_id_of)
            .map(|(id, _)| id);
        let body = message
            .body
            .as_ref()
            .filter(|b| !b.is_empty())
            .map(|b| String::from_utf8_lossy(b).into_owned());
        Message {
            index,
            connection: conn,
            frame: message.frame,
            first_frame: message.first_frame,
            time: self.time(message.ts),
            direction,
            kind,
            version: version_name(version),
            method,
            url,
            status,
            reason,
            cseq,
            session,
            headers: Headers::from_pairs(
                head.headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), self.credentials.header(n, v))),
            ),
            body_length: message.declared_body_length,
            body,
            complete: message.complete,
            pair: None,
            session_index: None,
            stream_offset: message.stream_offset,
            states_after: None,
        }
    }

    /// Past `limits::MAX_KEPT_DETAIL_BYTES` of headers and bodies in the model, a message keeps
    /// only the headers the analysis reads (each cut to `limits::MAX_HEADER_VALUE_PAST_BUDGET`)
    /// and no body; the first such message says so in a finding.
    fn keep_detail_within_budget(&mut self, message: &mut Message) {
        let cost = message.headers.heap_bytes() + message.body.as_ref().map_or(0, String::len);
        if self.detail_bytes.saturating_add(cost) <= MAX_KEPT_DETAIL_BYTES {
            self.detail_bytes += cost;
            return;
        }
        message.body = None;
        message.headers = Headers::from_pairs(
            message
                .headers
                .iter()
                .filter(|(name, _)| HEADERS_READ.iter().any(|h| h.eq_ignore_ascii_case(name)))
                .map(|(name, value)| (name, cut_at_char(value, MAX_HEADER_VALUE_PAST_BUDGET))),
        );
        if !std::mem::replace(&mut self.detail_limit_reported, true) {
            self.raise(
                findings::LIMIT,
                format!(
                    "{} MiB of message headers and bodies kept (MAX_KEPT_DETAIL_BYTES): from this message on, only the headers the analysis reads are kept, and no bodies",
                    MAX_KEPT_DETAIL_BYTES >> 20
                ),
                Some(message.index),
                Some(message.frame),
                Some(message.connection),
                None,
            );
        }
    }

    /// Findings that a message raises on its own, whatever its session.
    fn message_findings(&mut self, index: usize, conn: u32, message: &RtspMessage) {
        let frame = message.frame;
        let label = self
            .model
            .messages
            .get(index)
            .map(|m| m.label())
            .unwrap_or_default();
        // A head cut by a limit is said by the limit's own finding, right after it.
        if !message.complete && !message.cut_by_limit {
            let text = if message.body_received < message.declared_body_length {
                format!(
                    "{label}: body has {} of its {} bytes (Content-Length); the rest is not in the capture",
                    message.body_received, message.declared_body_length
                )
            } else {
                format!(
                    "{label}: the message is cut by the capture; headers after the cut are unknown"
                )
            };
            self.raise(
                findings::TRUNCATED_MESSAGE,
                text,
                Some(index),
                Some(frame),
                Some(conn),
                None,
            );
        }
        for (offset, line) in &message.head.malformed_lines {
            self.raise(
                findings::MALFORMED_HEADER,
                format!("{label}: header line at byte {offset} cannot be read: {line:?}"),
                Some(index),
                Some(frame),
                Some(conn),
                None,
            );
        }
        if let Some(value) = message.head.header("CSeq")
            && headers::cseq(value).is_err()
        {
            self.raise(
                findings::CSEQ_INVALID,
                format!("{label}: CSeq {value:?} is not a number that fits 64 bits"),
                Some(index),
                Some(frame),
                Some(conn),
                None,
            );
        }
        let cleartext = message.head.headers.iter().any(|(n, v)| {
            (n.eq_ignore_ascii_case("authorization")
                || n.eq_ignore_ascii_case("proxy-authorization"))
                && v.trim_start()
                    .get(..5)
                    .is_some_and(|s| s.eq_ignore_ascii_case("basic"))
        }) || matches!(&message.head.start, StartLine::Request { uri, .. } if mask_url_password(uri) != *uri);
        if cleartext {
            let reported = self.conns.get(&conn).is_some_and(|c| c.cleartext_reported);
            if !reported {
                if let Some(state) = self.conns.get_mut(&conn) {
                    state.cleartext_reported = true;
                }
                self.raise(
                    findings::CLEARTEXT_CREDENTIALS,
                    format!(
                        "{label}: credentials sent in the clear (Basic authentication or a password in the URL); {}",
                        match self.credentials {
                            Credentials::Masked => "masked here",
                            Credentials::Revealed => "shown as sent here",
                        }
                    ),
                    Some(index),
                    Some(frame),
                    Some(conn),
                    None,
                );
            }
        }
    }

    fn on_request(&mut self, conn: u32, index: usize, from_client: bool, ts: Timestamp) {
        let Some(message) = self.model.messages.get(index) else {
            return;
        };
        let method = message.method.clone().unwrap_or_default();
        let cseq = message.cseq;
        let session_id = message.session.clone();
        let frame = message.frame;
        let complete = message.complete;
        let has_session_header = message.header("Session").is_some();
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        let server = state.server_addr();
        let queue = if from_client {
            &mut state.pending_from_client
        } else {
            &mut state.pending_from_server
        };
        let overflow = queue.len() >= MAX_PENDING_REQUESTS;
        if overflow {
            queue.pop_front();
        }
        queue.push_back(PendingRequest { index, cseq });
        if overflow && !state.pending_overflow_reported {
            state.pending_overflow_reported = true;
            self.raise(
                findings::LIMIT,
                format!("more than {MAX_PENDING_REQUESTS} requests wait for a reply (limits::MAX_PENDING_REQUESTS): the oldest are forgotten, and replies to them will match nothing"),
                Some(index),
                Some(frame),
                Some(conn),
                None,
            );
        }
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };

        if !from_client {
            // A request from the server (ANNOUNCE, SET_PARAMETER, RTSP/2.0 PLAY_NOTIFY and
            // REDIRECT) acts on its session when the client answers it.
            let session = session_id
                .as_ref()
                .and_then(|id| self.session_keys.get(&(server, id.clone())).copied())
                .or(state.current_session);
            if let Some(session) = session {
                self.attach(index, session);
            }
            return;
        }

        // CSeq must grow on a connection (RFC 2326 §12.17).
        if let Some(cseq) = cseq {
            if let Some(last) = state.last_client_cseq
                && cseq <= last
            {
                let text = if cseq == last {
                    format!("{method}: CSeq {cseq} repeats the previous request's")
                } else {
                    format!("{method}: CSeq {cseq} goes back (the previous request had {last})")
                };
                self.raise(
                    findings::CSEQ_ORDER,
                    text,
                    Some(index),
                    Some(frame),
                    Some(conn),
                    None,
                );
            }
            if let Some(state) = self.conns.get_mut(&conn) {
                state.last_client_cseq = Some(cseq);
            }
        }

        let known = session_id
            .as_ref()
            .and_then(|id| self.session_keys.get(&(server, id.clone())).copied());
        let current = self.conns.get(&conn).and_then(|c| c.current_session);
        match (known, &session_id) {
            (Some(session), _) => {
                self.attach(index, session);
                self.record_states(index, session);
                self.client_activity(session, ts);
                if ["PAUSE", "TEARDOWN"]
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(&method))
                    && let Some(state) = self.sessions.get_mut(session)
                {
                    state.stop_requested = true;
                }
                self.check_request_state(index, session, &method, frame, conn);
            }
            (None, Some(_)) => {
                // Unknown ID: decided when the reply shows whether the server knows it.
                if let Some(session) = current {
                    self.attach(index, session);
                }
            }
            (None, None) => {
                let needs_session = machine::SESSION_METHODS
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(&method));
                if needs_session && complete && !has_session_header {
                    self.raise(
                        findings::NO_SESSION_HEADER,
                        format!("{method} without a Session header: it acts on a session, so it must name one (RFC 2326 §12.37)"),
                        Some(index),
                        Some(frame),
                        Some(conn),
                        current,
                    );
                }
                match current {
                    Some(session) => {
                        self.attach(index, session);
                        self.check_request_state(index, session, &method, frame, conn);
                    }
                    None => {
                        if needs_session && complete {
                            self.raise(
                                findings::INVALID_IN_STATE,
                                format!("{method} is not valid in Init: no session is set up (RFC 2326 A.1 has no {method} edge out of Init)"),
                                Some(index),
                                Some(frame),
                                Some(conn),
                                None,
                            );
                        }
                        if let Some(state) = self.conns.get_mut(&conn) {
                            if state.pre_story.len() >= MAX_PRE_STORY {
                                state.pre_story.remove(0);
                            }
                            state.pre_story.push(index);
                        }
                    }
                }
            }
        }
    }

    /// A reply captured before this request, with its CSeq, is its answer.
    fn answer_early_reply(&mut self, conn: u32, request: usize, from_client: bool) {
        let Some(cseq) = self.model.messages.get(request).and_then(|m| m.cseq) else {
            return;
        };
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        let early = if from_client {
            &mut state.early_replies_from_server
        } else {
            &mut state.early_replies_from_client
        };
        let Some(position) = early.iter().position(|e| e.cseq == cseq) else {
            return;
        };
        let reply = early.remove(position);
        self.on_response(conn, reply.index, !from_client, reply.ts);
    }

    /// A request that the client's machine has no edge for in its current state.
    fn check_request_state(
        &mut self,
        index: usize,
        session: usize,
        method: &str,
        frame: u64,
        conn: u32,
    ) {
        let Some(model) = self.model.sessions.get(session) else {
            return;
        };
        let Some(protocol) = self.sessions.get(session).map(|s| s.protocol) else {
            return;
        };
        if machine::is_stateless(method) || !machine::knows(protocol, method) {
            return;
        }
        let client_state = model.client_state;
        if machine::lookup(protocol, Machine::Client, client_state, method).is_none() {
            let rfc = match protocol {
                Protocol::Rtsp1 => "RFC 2326 A.1",
                Protocol::Rtsp2 => "RFC 7826 B",
            };
            self.raise(
                findings::INVALID_IN_STATE,
                format!("{method} is not valid in {client_state}: {rfc} has no {method} edge out of {client_state}"),
                Some(index),
                Some(frame),
                Some(conn),
                Some(session),
            );
        }
    }

    fn attach(&mut self, index: usize, session: usize) {
        if let Some(message) = self.model.messages.get_mut(index)
            && message.session_index.is_none()
        {
            message.session_index = Some(session);
            if let Some(model) = self.model.sessions.get_mut(session) {
                if !model.messages.contains(&index) {
                    model.messages.push(index);
                    model.messages.sort_unstable();
                }
                model.last_time = model.last_time.max(message.time);
                let conn = message.connection;
                if !model.connections.contains(&conn) {
                    model.connections.push(conn);
                }
            }
            self.dirty_sessions.mark(session);
        }
    }

    fn on_response(&mut self, conn: u32, index: usize, from_client: bool, ts: Timestamp) {
        let Some(message) = self.model.messages.get(index) else {
            return;
        };
        let cseq = message.cseq;
        let frame = message.frame;
        let status = message.status.unwrap_or(0);
        let label = message.label();
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        // A response from the server answers the client's requests, and vice versa.
        let queue = if from_client {
            &mut state.pending_from_server
        } else {
            &mut state.pending_from_client
        };
        let position = match cseq {
            Some(cseq) => queue
                .iter()
                .position(|p| p.cseq == Some(cseq))
                .or_else(|| queue.iter().position(|p| p.cseq.is_none())),
            None => (!queue.is_empty()).then_some(0),
        };
        let request = position.and_then(|p| queue.remove(p)).map(|p| p.index);
        let Some(request) = request else {
            // Captured before its request (merged interfaces, reordered capture): it waits for
            // a request with its CSeq, up to a few of them per connection.
            if let (Some(cseq), Some(state)) = (cseq, self.conns.get_mut(&conn)) {
                let orphans = if from_client {
                    &mut state.early_replies_from_client
                } else {
                    &mut state.early_replies_from_server
                };
                orphans.push(EarlyReply { index, cseq, ts });
                if orphans.len() <= MAX_EARLY_REPLIES {
                    return;
                }
                orphans.remove(0);
            }
            let text = match cseq {
                Some(cseq) => format!("{label} with CSeq {cseq} answers no request in the capture"),
                None => format!("{label} without CSeq answers no request in the capture"),
            };
            self.raise(
                findings::CSEQ_UNMATCHED,
                text,
                Some(index),
                Some(frame),
                Some(conn),
                None,
            );
            return;
        };
        let Some(request_message) = self.model.messages.get(request) else {
            return;
        };
        let method = request_message.method.clone().unwrap_or_default();
        let request_session = request_message.session.clone();
        let request_complete = request_message.complete;
        if cseq.is_none() && self.model.messages.get(index).is_some_and(|m| m.complete) {
            self.raise(
                findings::CSEQ_MISSING,
                format!("{label} has no CSeq header; taken as the reply to {method}, the oldest request waiting"),
                Some(index),
                Some(frame),
                Some(conn),
                None,
            );
        }
        if let Some(m) = self.model.messages.get_mut(request) {
            m.pair = Some(index);
        }
        if let Some(m) = self.model.messages.get_mut(index) {
            m.pair = Some(request);
        }
        self.dirty_messages.push(request);

        self.status_findings(index, request, &method, status, frame, conn);

        let response_session = self
            .model
            .messages
            .get(index)
            .and_then(|m| m.session.clone());
        if let (Some(asked), Some(answered)) = (&request_session, &response_session)
            && asked != answered
        {
            self.raise(
                findings::SESSION_MISMATCH,
                format!("{label} to {method} names session {answered}, the request named {asked}"),
                Some(index),
                Some(frame),
                Some(conn),
                None,
            );
        }

        if from_client {
            // The client answered a server request (RTSP/2.0 REDIRECT, PLAY_NOTIFY).
            let session = self
                .model
                .messages
                .get(request)
                .and_then(|m| m.session_index);
            if let Some(session) = session {
                self.attach(index, session);
                if (200..300).contains(&status) {
                    let state = self
                        .model
                        .sessions
                        .get(session)
                        .map_or(State::Init, |s| s.client_state);
                    let reason = self
                        .model
                        .messages
                        .get(request)
                        .and_then(|m| m.header("Notify-Reason").map(str::to_string));
                    if let Some(next) =
                        machine::server_request_effect(state, &method, reason.as_deref())
                    {
                        let time = self.time(ts);
                        let cause = format!("{method} from the server → {label}");
                        self.set_state(
                            session,
                            Machine::Client,
                            next,
                            Some(index),
                            time,
                            cause.clone(),
                        );
                        self.set_state(session, Machine::Server, next, Some(index), time, cause);
                    }
                }
                self.record_states(index, session);
            }
            return;
        }

        let Some(server) = self.conns.get(&conn).map(|c| c.server_addr()) else {
            return;
        };
        let success = (200..300).contains(&status);
        let mut session = self
            .model
            .messages
            .get(request)
            .and_then(|m| m.session_index);
        // A request whose Session the capture never showed being given.
        if let Some(id) = &request_session {
            let known = self.session_keys.contains_key(&(server, id.clone()));
            if !known {
                if success {
                    let created = self.create_session(conn, id.clone(), request, ts);
                    let time = self.time(ts);
                    for machine in [Machine::Client, Machine::Server] {
                        self.set_state(
                            created,
                            machine,
                            State::Ready,
                            None,
                            time,
                            "set up before the capture started".into(),
                        );
                    }
                    self.raise(
                        findings::SESSION_BEFORE_CAPTURE,
                        format!("session {id} was set up before the capture started; its states before this {method} are inferred"),
                        Some(request),
                        Some(frame),
                        Some(conn),
                        Some(created),
                    );
                    session = Some(created);
                } else if request_complete {
                    self.raise(
                        findings::UNKNOWN_SESSION,
                        format!("{method} names session {id}, which the server never gave in this capture"),
                        Some(request),
                        self.model.messages.get(request).map(|m| m.frame),
                        Some(conn),
                        None,
                    );
                }
            }
        }
        if method.eq_ignore_ascii_case("SETUP") && success {
            match response_session.clone().or(request_session.clone()) {
                Some(id) => {
                    let existing = self.session_keys.get(&(server, id.clone())).copied();
                    let target = match existing {
                        Some(existing) => existing,
                        None => self.create_session(conn, id, request, ts),
                    };
                    if let Some(m) = self.model.messages.get_mut(request) {
                        m.session_index = None;
                    }
                    self.attach(request, target);
                    session = Some(target);
                    self.register_transport(conn, request, index, target);
                }
                None => {
                    if self.model.messages.get(index).is_some_and(|m| m.complete) {
                        self.raise(
                            findings::SETUP_NO_SESSION,
                            format!("{label} to SETUP has no Session header: the client cannot name the session it set up"),
                            Some(index),
                            Some(frame),
                            Some(conn),
                            None,
                        );
                    }
                }
            }
        }
        if let Some(timeout) = self
            .model
            .messages
            .get(index)
            .and_then(|m| m.header("Session"))
            .and_then(session_id_of)
            .and_then(|(_, t)| t)
        {
            if let Some(state) = session.and_then(|s| self.sessions.get_mut(s)) {
                state.timeout_secs = timeout.max(1.0);
            }
            if let Some(model) = session.and_then(|s| self.model.sessions.get_mut(s)) {
                model.timeout = timeout.max(1.0);
            }
        }
        let Some(session) = session else {
            // No session: the message stays in the connection's pre-story.
            if let Some(state) = self.conns.get_mut(&conn) {
                if state.pre_story.len() >= MAX_PRE_STORY {
                    state.pre_story.remove(0);
                }
                state.pre_story.push(index);
            }
            return;
        };
        self.attach(index, session);
        self.update_url(session, &method, request);
        // A request moves nothing by itself: the machines move when its reply comes.
        if self
            .model
            .messages
            .get(request)
            .is_some_and(|m| m.states_after.is_none())
        {
            self.record_states(request, session);
        }
        self.apply_reply(session, &method, status, &label, index, frame, conn, ts);
        self.track_range(session, &method, success, index, request, ts);
        self.record_states(index, session);
    }

    fn status_findings(
        &mut self,
        index: usize,
        request: usize,
        method: &str,
        status: u16,
        frame: u64,
        conn: u32,
    ) {
        let reason = self
            .model
            .messages
            .get(index)
            .and_then(|m| m.reason.clone())
            .unwrap_or_default();
        let location = self
            .model
            .messages
            .get(index)
            .and_then(|m| m.header("Location").map(str::to_string));
        let url = self
            .model
            .messages
            .get(request)
            .and_then(|m| m.url.clone())
            .unwrap_or_default();
        let (code, text): (Code, String) = match status {
            300..=399 => (
                findings::STATUS_REDIRECT,
                match location {
                    Some(location) => {
                        format!("{method} {url} → {status} {reason}: redirected to {location}")
                    }
                    None => format!("{method} {url} → {status} {reason} without a Location header"),
                },
            ),
            401 | 407 => (
                findings::STATUS_AUTH,
                format!("{method} {url} → {status} {reason}: the server asks for credentials"),
            ),
            400..=499 => (
                findings::STATUS_CLIENT_ERROR,
                format!(
                    "{method} {url} → {status} {reason}{}",
                    status_meaning(status)
                ),
            ),
            500..=599 => (
                findings::STATUS_SERVER_ERROR,
                format!(
                    "{method} {url} → {status} {reason}{}",
                    status_meaning(status)
                ),
            ),
            _ => return,
        };
        let session = self
            .model
            .messages
            .get(request)
            .and_then(|m| m.session_index);
        let finding_code = Code {
            code: match status {
                300..=399 => findings::STATUS_REDIRECT.code,
                _ => code.code,
            },
            severity: code.severity,
        };
        self.raise_with_status(
            finding_code,
            status,
            text,
            Some(index),
            Some(frame),
            Some(conn),
            session,
        );
    }

    fn create_session(&mut self, conn: u32, id: String, request: usize, ts: Timestamp) -> usize {
        let index = self.model.sessions.len();
        let (server, client, pre_story) = match self.conns.get_mut(&conn) {
            Some(state) => (
                state.server_addr(),
                state.client_addr(),
                std::mem::take(&mut state.pre_story),
            ),
            None => return index,
        };
        let version = self
            .model
            .messages
            .get(request)
            .map_or("RTSP/1.0", |m| m.version);
        let protocol = if version == "RTSP/2.0" {
            Protocol::Rtsp2
        } else {
            Protocol::Rtsp1
        };
        let url = self
            .model
            .messages
            .get(request)
            .and_then(|m| m.url.clone())
            .unwrap_or_default();
        let time = self.time(ts);
        self.model.sessions.push(Session {
            id: index,
            session_id: id.clone(),
            url,
            server: server.to_string(),
            client: client.to_string(),
            version: version.to_string(),
            connections: vec![conn],
            client_path: vec![State::Init],
            server_path: vec![State::Init],
            client_state: State::Init,
            server_state: State::Init,
            transitions: Vec::new(),
            messages: Vec::new(),
            timeout: DEFAULT_SESSION_TIMEOUT_SECS,
            transports: Vec::new(),
            media: Default::default(),
            first_time: time,
            last_time: time,
        });
        self.sessions.push(SessionState {
            protocol,
            timeout_secs: DEFAULT_SESSION_TIMEOUT_SECS,
            last_client_activity: ts,
            range_end: None,
            last_server_media: None,
            last_server_media_frame: 0,
            stop_requested: false,
        });
        self.session_keys.insert((server, id), index);
        if let Some(state) = self.conns.get_mut(&conn) {
            state.current_session = Some(index);
        }
        // The OPTIONS and DESCRIBE that led here are the start of this session's story.
        for message in pre_story {
            self.attach(message, index);
            self.update_url(index, "", message);
            self.record_states(message, index);
        }
        if let Some(first) = self
            .model
            .sessions
            .get(index)
            .and_then(|s| s.messages.first().copied())
            && let Some(time) = self.model.messages.get(first).map(|m| m.time)
            && let Some(model) = self.model.sessions.get_mut(index)
        {
            model.first_time = model.first_time.min(time);
        }
        self.dirty_sessions.mark(index);
        index
    }

    /// The session's URL: the aggregate URL once PLAY or RECORD names it, else the presentation
    /// URL of DESCRIBE or ANNOUNCE.
    fn update_url(&mut self, session: usize, _method: &str, message: usize) {
        let Some(m) = self.model.messages.get(message) else {
            return;
        };
        if m.kind != MessageKind::Request {
            return;
        }
        let method = m.method.clone().unwrap_or_default();
        let Some(url) = m.url.clone().filter(|u| u != "*") else {
            return;
        };
        let Some(model) = self.model.sessions.get_mut(session) else {
            return;
        };
        let better = matches!(
            method.as_ref(),
            "PLAY" | "RECORD" | "DESCRIBE" | "ANNOUNCE" | "PAUSE" | "TEARDOWN"
        );
        if better && model.url != url {
            model.url = url;
            self.dirty_sessions.mark(session);
        }
    }

    /// The end of the Range a PLAY or RECORD asked for, when it is known (npt with an end, at
    /// normal speed); a PAUSE or TEARDOWN cancels it.
    fn track_range(
        &mut self,
        session: usize,
        method: &str,
        success: bool,
        response: usize,
        request: usize,
        ts: Timestamp,
    ) {
        let Some(state) = self.sessions.get_mut(session) else {
            return;
        };
        if ["PAUSE", "TEARDOWN"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method))
        {
            state.stop_requested = false;
        }
        if !success {
            return;
        }
        let starts_media = ["PLAY", "RECORD"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method));
        let stops_media = ["PAUSE", "TEARDOWN"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method));
        if starts_media || stops_media {
            state.range_end = None;
        }
        if !starts_media {
            return;
        }
        let header = |index: usize, name: &str| {
            self.model
                .messages
                .get(index)
                .and_then(|m| m.header(name))
                .map(str::to_string)
        };
        let normal_speed = [header(response, "Scale"), header(response, "Speed")]
            .iter()
            .flatten()
            .all(|v| {
                v.trim()
                    .parse::<f64>()
                    .is_ok_and(|x| (x - 1.0).abs() < 1e-9)
            });
        let range = header(response, "Range")
            .or_else(|| header(request, "Range"))
            .and_then(|v| headers::Range::parse(&v).ok());
        let end = range
            .filter(|r| r.unit == "npt" && normal_speed)
            .and_then(|r| Some(r.end? - r.start.unwrap_or(0.0)))
            .filter(|d| d.is_finite() && *d > 0.0);
        if let (Some(duration), Some(state)) = (end, self.sessions.get_mut(session)) {
            state.range_end = Some(ts.plus_secs(duration));
        }
    }

    /// Interleaved channels and UDP ports of a SETUP reply; and whether the client offered the
    /// transport the server chose.
    fn register_transport(&mut self, conn: u32, request: usize, response: usize, session: usize) {
        let offered = self
            .model
            .messages
            .get(request)
            .and_then(|m| m.header("Transport"))
            .map(headers::parse_transport)
            .unwrap_or_default();
        let Some(answer_text) = self
            .model
            .messages
            .get(response)
            .and_then(|m| m.header("Transport").map(str::to_string))
        else {
            return;
        };
        let answered = headers::parse_transport(&answer_text);
        if let Some(model) = self.model.sessions.get_mut(session) {
            model.transports.push(answer_text.clone());
        }
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        let (client_addr, server_addr) = (state.client_addr(), state.server_addr());
        for spec in &answered {
            if let Some((rtp, rtcp)) = spec.interleaved {
                state.channel_sessions.insert(rtp, session);
                state.channel_sessions.insert(rtcp, session);
            }
            if let (Some((crtp, crtcp)), Some((srtp, srtcp))) = (spec.client_port, spec.server_port)
            {
                let client_ip = spec
                    .destination
                    .as_deref()
                    .and_then(|d| d.trim_matches(['[', ']']).parse().ok())
                    .unwrap_or(client_addr.ip());
                let server_ip = spec
                    .source
                    .as_deref()
                    .and_then(|s| s.trim_matches(['[', ']']).parse().ok())
                    .unwrap_or(server_addr.ip());
                for (cport, sport, rtcp) in [(crtp, srtp, false), (crtcp, srtcp, true)] {
                    let c = SocketAddr::new(client_ip, cport);
                    let s = SocketAddr::new(server_ip, sport);
                    self.udp_flows.insert(
                        (c, s),
                        MediaFlow {
                            session,
                            rtcp,
                            from_client: true,
                        },
                    );
                    self.udp_flows.insert(
                        (s, c),
                        MediaFlow {
                            session,
                            rtcp,
                            from_client: false,
                        },
                    );
                }
            }
        }
        let matches_offer = |spec: &headers::TransportSpec| {
            offered.is_empty()
                || offered.iter().any(|o| {
                    o.lower == spec.lower
                        && o.profile
                            .split('/')
                            .take(2)
                            .eq(spec.profile.split('/').take(2))
                        && (o.client_port.is_none()
                            || spec.client_port.is_none()
                            || o.client_port == spec.client_port)
                        && (o.interleaved.is_none()
                            || spec.interleaved.is_none()
                            || o.interleaved == spec.interleaved)
                })
        };
        if let Some(spec) = answered.iter().find(|s| !matches_offer(s)) {
            let frame = self.model.messages.get(response).map(|m| m.frame);
            self.raise(
                findings::TRANSPORT_NOT_OFFERED,
                format!(
                    "SETUP reply chose transport {:?}, which the client did not offer",
                    spec.raw
                ),
                Some(response),
                frame,
                Some(conn),
                Some(session),
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_reply(
        &mut self,
        session: usize,
        method: &str,
        status: u16,
        label: &str,
        index: usize,
        frame: u64,
        conn: u32,
        ts: Timestamp,
    ) {
        let Some(protocol) = self.sessions.get(session).map(|s| s.protocol) else {
            return;
        };
        let time = self.time(ts);
        let cause = format!("{method} → {label}");
        for machine in [Machine::Client, Machine::Server] {
            let Some(state) = self.model.sessions.get(session).map(|s| match machine {
                Machine::Client => s.client_state,
                Machine::Server => s.server_state,
            }) else {
                return;
            };
            match machine::outcome(protocol, machine, state, method, status) {
                Outcome::Move(next) => {
                    self.set_state(session, machine, next, Some(index), time, cause.clone())
                }
                Outcome::Redirected => self.set_state(
                    session,
                    machine,
                    State::Init,
                    Some(index),
                    time,
                    cause.clone(),
                ),
                Outcome::Stay => {}
                Outcome::NoSuchEdge => {
                    if machine == Machine::Server {
                        self.raise(
                            findings::ACCEPTED_INVALID,
                            format!("the server answered {label} to {method} in {state}, which its table has no edge for; the state stays {state}"),
                            Some(index),
                            Some(frame),
                            Some(conn),
                            Some(session),
                        );
                    }
                }
            }
        }
        let torn_down = self
            .model
            .sessions
            .get(session)
            .is_some_and(|s| s.client_state == State::Init && s.server_state == State::Init);
        if torn_down
            && let Some(state) = self.conns.get_mut(&conn)
            && state.current_session == Some(session)
        {
            state.current_session = None;
        }
    }

    /// The one place a machine changes state: records the transition.
    fn set_state(
        &mut self,
        session: usize,
        machine: Machine,
        next: State,
        message: Option<usize>,
        time: f64,
        cause: String,
    ) {
        let Some(model) = self.model.sessions.get_mut(session) else {
            return;
        };
        let (state, path) = match machine {
            Machine::Client => (&mut model.client_state, &mut model.client_path),
            Machine::Server => (&mut model.server_state, &mut model.server_path),
        };
        let from = *state;
        if from == next {
            return;
        }
        *state = next;
        if path.last() != Some(&next) {
            path.push(next);
        }
        model.transitions.push(Transition {
            machine,
            from,
            to: next,
            message,
            time,
            cause,
        });
        self.dirty_sessions.mark(session);
    }

    fn record_states(&mut self, index: usize, session: usize) {
        let Some(states) = self
            .model
            .sessions
            .get(session)
            .map(|s| (s.client_state, s.server_state))
        else {
            return;
        };
        if let Some(message) = self.model.messages.get_mut(index) {
            message.states_after = Some(states);
            self.dirty_messages.push(index);
        }
    }

    fn raise(
        &mut self,
        code: Code,
        text: String,
        message: Option<usize>,
        frame: Option<u64>,
        connection: Option<u32>,
        session: Option<usize>,
    ) {
        self.push_finding(
            code.code.to_string(),
            code,
            text,
            message,
            frame,
            connection,
            session,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn raise_with_status(
        &mut self,
        code: Code,
        status: u16,
        text: String,
        message: Option<usize>,
        frame: Option<u64>,
        connection: Option<u32>,
        session: Option<usize>,
    ) {
        self.push_finding(
            format!("status.{status}"),
            code,
            text,
            message,
            frame,
            connection,
            session,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn push_finding(
        &mut self,
        code_name: String,
        code: Code,
        text: String,
        message: Option<usize>,
        frame: Option<u64>,
        connection: Option<u32>,
        session: Option<usize>,
    ) {
        if !self.sink.admit(code) {
            return;
        }
        let session = session.or_else(|| {
            message
                .and_then(|m| self.model.messages.get(m))
                .and_then(|m| m.session_index)
        });
        self.model.findings.push(Finding {
            code: code_name,
            severity: code.severity,
            text,
            message,
            frame,
            connection,
            session,
        });
    }

    /// End of the capture: requests still waiting for a reply become findings.
    pub fn finish(&mut self) {
        // In connection order, so that a report is the same from run to run.
        let mut open: Vec<u32> = self.conns.keys().copied().collect();
        open.sort_unstable();
        for conn in open {
            self.close_connection(conn, " before the capture ends");
        }
        let summaries = self.sink.summaries();
        self.model.findings.extend(summaries);
        self.model
            .findings
            .sort_by_key(|f| (f.frame.unwrap_or(u64::MAX), f.message));
        self.sent_findings = 0;
        self.capture_dirty = true;
    }

    /// A connection that nothing more will come on: forgotten by the flow table (closed and
    /// quiet, replaced by a new one on its endpoints, or over its limit), or open at the end of
    /// the capture. What only its end can tell is said now, and its state is dropped, so that
    /// what the tracker holds grows with the connections open at once. `unended` ends the
    /// text of a request left unanswered on a connection that never closed (" before the
    /// capture ends").
    pub fn close_connection(&mut self, conn: u32, unended: &str) {
        if let Some(at) = self.conns.get(&conn).and_then(|c| c.closed_by_client_at) {
            self.end_unanswered_teardowns(conn, at, false);
        }
        let Some(state) = self.conns.remove(&conn) else {
            return;
        };
        let mut unanswered: Vec<usize> = state
            .early_replies_from_server
            .iter()
            .chain(&state.early_replies_from_client)
            .map(|e| e.index)
            .collect();
        unanswered.sort_unstable();
        for index in unanswered {
            let Some(message) = self.model.messages.get(index) else {
                continue;
            };
            let text = format!(
                "{} with CSeq {} answers no request in the capture",
                message.label(),
                message.cseq.unwrap_or_default()
            );
            let frame = message.frame;
            self.raise(
                findings::CSEQ_UNMATCHED,
                text,
                Some(index),
                Some(frame),
                Some(conn),
                None,
            );
        }
        if state.interleaved_cut > 1 {
            let last_frame = self
                .model
                .connections
                .get(state.model_index)
                .map(|c| c.last_frame);
            self.raise(
                findings::INTERLEAVED_CUT,
                format!(
                    "{} interleaved frames on this connection are cut by the capture in all",
                    state.interleaved_cut
                ),
                None,
                last_frame,
                Some(conn),
                None,
            );
        }
        let mut waiting: Vec<usize> = state
            .pending_from_client
            .iter()
            .chain(&state.pending_from_server)
            .map(|p| p.index)
            .collect();
        waiting.sort_unstable();
        let why = match state.ended {
            Some("RST") => "; the connection was reset",
            Some(_) => "; the connection was closed",
            None => unended,
        };
        for index in waiting {
            let Some(message) = self.model.messages.get(index) else {
                continue;
            };
            let text = format!("{} got no reply{why}", message.label());
            let frame = message.frame;
            self.raise(
                findings::NO_REPLY,
                text,
                Some(index),
                Some(frame),
                Some(conn),
                None,
            );
        }
    }

    /// What changed since the last call, in the order a consumer must apply it.
    pub fn take_updates(&mut self) -> Vec<Update> {
        let mut updates = Vec::new();
        if std::mem::take(&mut self.capture_dirty) {
            updates.push(Update::Capture(self.model.capture.clone()));
        }
        let model = &self.model;
        let connections = self.dirty_connections.take();
        updates.extend(items_at(&model.connections, connections).map(Update::Connection));
        // A message not handed over yet goes with the new ones below.
        let mut changed = std::mem::take(&mut self.dirty_messages);
        changed.retain(|&i| i < self.sent_messages);
        updates.extend(items_at(&model.messages, changed).map(Update::Message));
        updates.extend(items_since(&model.messages, self.sent_messages).map(Update::Message));
        self.sent_messages = model.messages.len();
        let sessions = self.dirty_sessions.take();
        updates.extend(items_at(&model.sessions, sessions).map(Update::Session));
        updates.extend(items_since(&model.findings, self.sent_findings).map(Update::Finding));
        self.sent_findings = model.findings.len();
        updates
    }

    pub fn into_model(self) -> Model {
        self.model
    }
}

/// Whether an RTCP compound packet holds a BYE (packet type 203).
fn rtcp_has_bye(mut packet: &[u8]) -> bool {
    const BYE: u8 = 203;
    while let (Some(first), Some(kind), Some(len_hi), Some(len_lo)) =
        (packet.first(), packet.get(1), packet.get(2), packet.get(3))
    {
        if first >> 6 != 2 {
            return false;
        }
        if *kind == BYE {
            return true;
        }
        let words = usize::from(u16::from_be_bytes([*len_hi, *len_lo])) + 1;
        match packet.get(words * 4..) {
            Some(rest) => packet = rest,
            None => return false,
        }
    }
    false
}

fn fmt_secs_1(secs: f64) -> String {
    format!("{secs:.1}")
}

fn fmt_secs(secs: f64) -> String {
    if secs.fract() == 0.0 {
        format!("{secs:.0}")
    } else {
        format!("{secs:.1}")
    }
}

/// What a status code means, in a few words, for the codes RTSP adds to HTTP's.
pub fn status_meaning(status: u16) -> &'static str {
    match status {
        400 => ": the server could not read the request",
        403 => ": the server refuses it",
        404 => ": no such stream on the server",
        405 => ": the method is not allowed on this resource",
        406 => ": no acceptable answer",
        451 => ": the server does not understand a parameter",
        453 => ": not enough bandwidth",
        454 => ": the server does not know this session (it never existed, or timed out)",
        455 => ": the method is not valid in the session's current state",
        456 => ": a header field cannot be applied to this resource",
        457 => ": the Range is not valid",
        458 => ": the parameter is read-only",
        459 => ": aggregate operation not allowed: name each stream",
        460 => ": only aggregate operation allowed: use the aggregate URL",
        461 => ": the server supports none of the transports offered",
        462 => ": the destination cannot be reached",
        500 => ": internal server error",
        501 => ": the server does not implement this method",
        503 => ": service unavailable",
        505 => ": RTSP version not supported",
        551 => ": option not supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_basic_and_url_passwords() {
        assert_eq!(
            mask_header("Authorization", "Basic dXNlcjpzZWNyZXQ="),
            "Basic ********"
        );
        assert_eq!(
            mask_url_password("rtsp://user:secret@127.0.0.1:8554/test"),
            "rtsp://user:********@127.0.0.1:8554/test"
        );
        assert_eq!(
            mask_url_password("rtsp://127.0.0.1:8554/test"),
            "rtsp://127.0.0.1:8554/test"
        );
        let digest = mask_header(
            "Authorization",
            "Digest username=\"user\", realm=\"r\", nonce=\"n\", uri=\"rtsp://h/\", response=\"0123abcd\"",
        );
        assert!(digest.contains("username=\"user\""));
        assert!(!digest.contains("0123abcd"));
    }

    #[test]
    fn a_digest_header_shows_only_its_harmless_parameters() {
        let digest = |value: &str| mask_header("Proxy-Authorization", value);
        assert_eq!(
            digest(
                "Digest username=\"u\", realm=\"a, b\", qop=auth, nc=00000001, response=\"0123abcd\""
            ),
            "Digest username=\"u\", realm=\"a, b\", qop=auth, nc=00000001, response=\"********\""
        );
        // What a broken client adds, a damaged response, junk: masked, whatever its shape.
        assert_eq!(
            digest("Digest response=\"********\"e!), x-token=s3cr3t, s3cr3t,, uri=\"rtsp://h/"),
            "Digest response=\"********\", x-token=\"********\", ********, uri=\"********\""
        );
        assert_eq!(
            digest("Digest u27.0.1:8 \x0c  response=  "),
            "Digest ********"
        );
        assert_eq!(digest("digest"), "digest");
        // A quote left open swallows the next parameter: the value is not shown.
        assert_eq!(
            digest("DIGEST nonce=\"n, response=\"0123abcd\""),
            "DIGEST nonce=\"********\""
        );
        assert_eq!(digest("Digest nc= 1 2"), "Digest nc=\"********\"");
        assert_eq!(
            digest("Digest hash=\"n, response=\"0123abcd\""),
            "Digest hash=\"********\""
        );
    }
}

/// Every finding code and the tracker's rules, on hand-made messages (one rule per test).
#[cfg(test)]
mod rule_tests {
    use std::net::SocketAddr;

    use super::*;
    use crate::rtsp::message::Head;

    struct Sim {
        tracker: Tracker,
        frame: u64,
        secs: f64,
        client: SocketAddr,
        server: SocketAddr,
    }

    fn message(
        start: StartLine,
        headers: &[(&str, &str)],
        frame: u64,
        ts: Timestamp,
    ) -> RtspMessage {
        RtspMessage {
            head: Head {
                start,
                headers: headers
                    .iter()
                    .map(|(n, v)| (n.to_string(), v.to_string()))
                    .collect(),
                malformed_lines: Vec::new(),
            },
            declared_body_length: 0,
            body_received: 0,
            body: None,
            stream_offset: 0,
            head_length: 0,
            first_frame: frame,
            frame,
            first_ts: ts,
            ts,
            complete: true,
            cut_by_limit: false,
        }
    }

    impl Sim {
        fn new() -> Sim {
            let mut sim = Sim {
                tracker: Tracker::new(),
                frame: 0,
                secs: 0.0,
                client: "127.0.0.1:40000".parse().expect("addr"),
                server: "127.0.0.1:554".parse().expect("addr"),
            };
            let ts = sim.ts();
            sim.tracker.advance_to(ts, 1);
            sim.tracker
                .on_connection(0, sim.client, sim.server, true, 1, ts);
            sim
        }

        fn ts(&self) -> Timestamp {
            Timestamp::from_secs_nanos(1_700_000_000, 0).plus_secs(self.secs)
        }

        fn at(&mut self, secs: f64) -> &mut Self {
            self.secs = secs;
            self.frame += 1;
            let ts = self.ts();
            self.tracker.advance_to(ts, self.frame);
            self
        }

        fn request(&mut self, method: &str, cseq: u64, headers: &[(&str, &str)]) -> usize {
            self.frame += 1;
            let cseq = cseq.to_string();
            let mut all = vec![("CSeq", cseq.as_str())];
            all.extend_from_slice(headers);
            let start = StartLine::Request {
                method: method.into(),
                uri: "rtsp://127.0.0.1:554/test".into(),
                version: Version::Rtsp10,
            };
            let msg = message(start, &all, self.frame, self.ts());
            self.tracker.on_message(0, Side::A, msg);
            self.tracker.model().messages.len() - 1
        }

        fn reply(&mut self, status: u16, cseq: Option<u64>, headers: &[(&str, &str)]) -> usize {
            self.frame += 1;
            let cseq = cseq.map(|c| c.to_string());
            let mut all = Vec::new();
            if let Some(cseq) = &cseq {
                all.push(("CSeq", cseq.as_str()));
            }
            all.extend_from_slice(headers);
            let start = StartLine::Response {
                version: Version::Rtsp10,
                status,
                reason: "R".into(),
            };
            let msg = message(start, &all, self.frame, self.ts());
            self.tracker.on_message(0, Side::B, msg);
            self.tracker.model().messages.len() - 1
        }

        fn exchange(&mut self, method: &str, cseq: u64, session: Option<&str>, status: u16) {
            let with_session: Vec<(&str, &str)> =
                session.map(|s| vec![("Session", s)]).unwrap_or_default();
            self.request(method, cseq, &with_session);
            self.reply(status, Some(cseq), &with_session);
        }

        fn setup(&mut self, cseq: u64) {
            self.request(
                "SETUP",
                cseq,
                &[("Transport", "RTP/AVP;unicast;client_port=5000-5001")],
            );
            self.reply(
                200,
                Some(cseq),
                &[
                    ("Session", "S1;timeout=10"),
                    (
                        "Transport",
                        "RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001",
                    ),
                ],
            );
        }

        fn codes(&self) -> Vec<String> {
            self.tracker
                .model()
                .findings
                .iter()
                .map(|f| f.code.clone())
                .collect()
        }

        fn session(&self) -> &Session {
            self.tracker.model().sessions.first().expect("a session")
        }
    }

    use State::{Init, Playing, Ready, Recording};

    #[test]
    fn handshake_moves_both_machines_and_keeps_the_describe_in_the_story() {
        let mut sim = Sim::new();
        sim.exchange("OPTIONS", 1, None, 200);
        sim.exchange("DESCRIBE", 2, None, 200);
        sim.setup(3);
        sim.exchange("PLAY", 4, Some("S1"), 200);
        sim.exchange("PAUSE", 5, Some("S1"), 200);
        sim.exchange("RECORD", 6, Some("S1"), 200);
        sim.exchange("TEARDOWN", 7, Some("S1"), 200);
        let session = sim.session();
        assert_eq!(
            session.client_path,
            vec![Init, Ready, Playing, Ready, Recording, Init]
        );
        assert_eq!(session.server_path, session.client_path);
        assert_eq!(
            session.messages.len(),
            14,
            "OPTIONS and DESCRIBE belong to the story"
        );
        assert_eq!(session.timeout, 10.0);
        assert!(sim.codes().is_empty(), "{:?}", sim.codes());
    }

    #[test]
    fn play_without_session_in_init_is_two_findings() {
        let mut sim = Sim::new();
        sim.exchange("PLAY", 1, None, 454);
        let codes = sim.codes();
        assert!(codes.contains(&"session.missing".to_string()), "{codes:?}");
        assert!(
            codes.contains(&"state.invalid-request".to_string()),
            "{codes:?}"
        );
        assert!(codes.contains(&"status.454".to_string()), "{codes:?}");
    }

    #[test]
    fn pause_in_ready_is_invalid_and_455_leaves_the_state() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.exchange("PAUSE", 2, Some("S1"), 455);
        assert!(sim.codes().contains(&"state.invalid-request".to_string()));
        assert!(sim.codes().contains(&"status.455".to_string()));
        assert_eq!(sim.session().client_state, Ready);
    }

    #[test]
    fn server_accepting_an_invalid_request_is_reported() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.exchange("PAUSE", 2, Some("S1"), 200);
        assert!(
            sim.codes().contains(&"state.accepted-invalid".to_string()),
            "{:?}",
            sim.codes()
        );
        assert_eq!(sim.session().server_state, Ready);
    }

    #[test]
    fn redirect_sends_both_machines_to_init() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.exchange("PLAY", 2, Some("S1"), 302);
        assert_eq!(sim.session().client_path, vec![Init, Ready, Init]);
        assert_eq!(sim.session().server_path, vec![Init, Ready, Init]);
        assert!(sim.codes().contains(&"status.302".to_string()));
    }

    #[test]
    fn server_error_is_an_error_finding_and_leaves_the_state() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.exchange("PLAY", 2, Some("S1"), 503);
        assert_eq!(sim.session().client_state, Ready);
        let finding = sim
            .tracker
            .model()
            .findings
            .iter()
            .find(|f| f.code == "status.503")
            .expect("503");
        assert_eq!(finding.severity, crate::model::Severity::Error);
    }

    #[test]
    fn server_timeout_makes_the_machines_disagree() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.exchange("PLAY", 2, Some("S1"), 200);
        sim.at(5.0);
        assert_eq!(sim.session().server_state, Playing, "not yet");
        sim.at(10.6);
        let session = sim.session();
        assert_eq!(session.server_path, vec![Init, Ready, Playing, Init]);
        assert_eq!(session.client_path, vec![Init, Ready, Playing]);
        assert!(
            sim.codes()
                .contains(&"session.timeout-disagree".to_string())
        );
        let timeout = session.transitions.last().expect("timeout");
        assert!(timeout.message.is_none());
        assert!(
            (timeout.time - 10.0).abs() < 1e-6,
            "fires at last activity + timeout"
        );
    }

    #[test]
    fn keepalive_requests_and_client_rtcp_keep_the_session() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.exchange("PLAY", 2, Some("S1"), 200);
        sim.at(8.0);
        sim.exchange("GET_PARAMETER", 3, Some("S1"), 200);
        sim.at(16.0);
        let ts = sim.ts();
        let client_rtcp: SocketAddr = "127.0.0.1:5001".parse().expect("addr");
        let server_rtcp: SocketAddr = "127.0.0.1:6001".parse().expect("addr");
        sim.tracker.on_udp(client_rtcp, server_rtcp, &[], 32, ts, 0);
        sim.at(25.0);
        assert_eq!(sim.session().server_state, Playing);
        assert_eq!(sim.session().media.rtcp_packets, 1);
        sim.at(26.5);
        assert_eq!(sim.session().server_state, Init);
    }

    #[test]
    fn server_bye_ends_the_stream_unless_a_pause_or_teardown_asked_for_it() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.exchange("PLAY", 2, Some("S1"), 200);
        let server_rtcp: SocketAddr = "127.0.0.1:6001".parse().expect("addr");
        let client_rtcp: SocketAddr = "127.0.0.1:5001".parse().expect("addr");
        // An RR (201) then a BYE (203), as a compound packet.
        let bye = [0x80, 201, 0, 1, 0, 0, 0, 1, 0x81, 203, 0, 1, 0, 0, 0, 1];
        sim.request("TEARDOWN", 3, &[("Session", "S1")]);
        let ts = sim.ts();
        sim.tracker
            .on_udp(server_rtcp, client_rtcp, &bye, bye.len(), ts, 0);
        assert_eq!(
            sim.session().server_state,
            Playing,
            "BYE caused by the TEARDOWN"
        );
        sim.reply(200, Some(3), &[("Session", "S1")]);
        assert_eq!(sim.session().server_path, vec![Init, Ready, Playing, Init]);

        let mut sim = Sim::new();
        sim.setup(1);
        sim.exchange("PLAY", 2, Some("S1"), 200);
        let ts = sim.ts();
        sim.tracker
            .on_udp(server_rtcp, client_rtcp, &bye, bye.len(), ts, 0);
        assert_eq!(sim.session().server_path, vec![Init, Ready, Playing, Ready]);
        assert_eq!(sim.session().client_state, Playing);
    }

    #[test]
    fn end_of_the_requested_range_returns_the_server_to_ready() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.request("PLAY", 2, &[("Session", "S1"), ("Range", "npt=0-")]);
        sim.reply(
            200,
            Some(2),
            &[("Session", "S1"), ("Range", "npt=0.000-4.5")],
        );
        sim.at(3.0);
        sim.exchange("GET_PARAMETER", 3, Some("S1"), 200);
        assert_eq!(sim.session().server_state, Playing);
        sim.at(5.0);
        assert_eq!(sim.session().server_path, vec![Init, Ready, Playing, Ready]);
    }

    #[test]
    fn ready_session_times_out_too() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.at(11.0);
        assert_eq!(sim.session().server_path, vec![Init, Ready, Init]);
    }

    #[test]
    fn unmatched_and_missing_cseq() {
        let mut sim = Sim::new();
        sim.reply(200, Some(9), &[]);
        assert!(sim.codes().is_empty(), "its request may still come");
        sim.request("OPTIONS", 1, &[]);
        sim.reply(501, None, &[]);
        sim.tracker.finish();
        assert!(sim.codes().contains(&"cseq.unmatched".to_string()));
        assert!(
            sim.codes().contains(&"cseq.missing".to_string()),
            "{:?}",
            sim.codes()
        );
        let model = sim.tracker.model();
        assert_eq!(model.messages.get(1).and_then(|m| m.pair), Some(2));
    }

    #[test]
    fn reply_captured_before_its_request_is_paired() {
        let mut sim = Sim::new();
        sim.setup(1);
        let reply = sim.reply(200, Some(2), &[("Session", "S1")]);
        let request = sim.request("PLAY", 2, &[("Session", "S1")]);
        let model = sim.tracker.model();
        assert_eq!(
            model.messages.get(request).and_then(|m| m.pair),
            Some(reply)
        );
        assert_eq!(sim.session().client_state, Playing);
        sim.tracker.finish();
        assert!(sim.codes().is_empty(), "{:?}", sim.codes());
    }

    #[test]
    fn cseq_that_repeats_or_goes_back() {
        let mut sim = Sim::new();
        sim.exchange("OPTIONS", 5, None, 200);
        sim.exchange("OPTIONS", 5, None, 200);
        sim.exchange("OPTIONS", 3, None, 200);
        assert_eq!(sim.codes().iter().filter(|c| *c == "cseq.order").count(), 2);
    }

    #[test]
    fn cseq_of_2_pow_64_is_invalid_not_a_panic() {
        let mut sim = Sim::new();
        sim.frame += 1;
        let start = StartLine::Request {
            method: "OPTIONS".into(),
            uri: "*".into(),
            version: Version::Rtsp10,
        };
        let msg = message(
            start,
            &[("CSeq", "18446744073709551616")],
            sim.frame,
            sim.ts(),
        );
        sim.tracker.on_message(0, Side::A, msg);
        assert!(sim.codes().contains(&"cseq.invalid".to_string()));
    }

    #[test]
    fn request_without_reply_at_the_end() {
        let mut sim = Sim::new();
        sim.request("TEARDOWN", 1, &[("Session", "S1")]);
        sim.tracker
            .on_connection_end(0, Side::A, true, 99, sim.ts());
        sim.tracker.finish();
        let finding = sim
            .tracker
            .model()
            .findings
            .iter()
            .find(|f| f.code == "request.no-reply")
            .expect("no-reply");
        assert!(finding.text.contains("reset"), "{}", finding.text);
    }

    #[test]
    fn a_teardown_answered_after_the_clients_fin_is_an_answered_teardown() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.exchange("PLAY", 2, Some("S1"), 200);
        sim.at(5.0).request("TEARDOWN", 3, &[("Session", "S1")]);
        // The client half-closes (capture 02: ffmpeg's FIN before the server's 200 OK).
        sim.tracker
            .on_connection_end(0, Side::A, false, 99, sim.ts());
        sim.at(5.01).reply(200, Some(3), &[]);
        sim.tracker
            .on_connection_end(0, Side::B, false, 101, sim.ts());
        sim.at(200.0);
        sim.tracker.finish();
        let session = sim.session();
        assert_eq!(session.client_state, State::Init);
        assert_eq!(session.server_state, State::Init);
        assert!(
            session
                .transitions
                .iter()
                .all(|t| !t.cause.contains("unanswered")),
            "{:?}",
            session.transitions
        );
        assert!(!sim.codes().contains(&"request.no-reply".to_string()));
    }

    #[test]
    fn teardown_then_close_without_reply_ends_both_machines() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.exchange("PLAY", 2, Some("S1"), 200);
        sim.at(5.0).request("TEARDOWN", 3, &[("Session", "S1")]);
        sim.tracker
            .on_connection_end(0, Side::A, false, 99, sim.ts());
        // Long after: the server must not "time the session out" any more.
        sim.at(200.0);
        sim.tracker.finish();
        let session = sim.session();
        assert_eq!(session.client_state, State::Init);
        assert_eq!(session.server_state, State::Init);
        let codes = sim.codes();
        assert!(codes.contains(&"request.no-reply".to_string()), "{codes:?}");
        assert!(
            !codes.iter().any(|c| c.starts_with("session.timeout")),
            "{codes:?}"
        );
    }

    #[test]
    fn unknown_session_and_mismatched_session() {
        let mut sim = Sim::new();
        sim.setup(1);
        sim.exchange("GET_PARAMETER", 2, Some("BOGUS"), 454);
        assert!(
            sim.codes().contains(&"session.unknown".to_string()),
            "{:?}",
            sim.codes()
        );
        sim.request("PLAY", 3, &[("Session", "S1")]);
        sim.reply(200, Some(3), &[("Session", "OTHER")]);
        assert!(sim.codes().contains(&"session.mismatch".to_string()));
    }

    #[test]
    fn session_set_up_before_the_capture_is_adopted() {
        let mut sim = Sim::new();
        sim.exchange("PLAY", 7, Some("OLD"), 200);
        assert!(sim.codes().contains(&"session.before-capture".to_string()));
        assert_eq!(sim.session().client_path, vec![Init, Ready, Playing]);
    }

    #[test]
    fn setup_reply_without_session() {
        let mut sim = Sim::new();
        sim.request("SETUP", 1, &[]);
        sim.reply(200, Some(1), &[]);
        assert!(sim.codes().contains(&"setup.no-session".to_string()));
        assert!(sim.tracker.model().sessions.is_empty());
    }

    #[test]
    fn transport_the_client_did_not_offer() {
        let mut sim = Sim::new();
        sim.request(
            "SETUP",
            1,
            &[("Transport", "RTP/AVP/TCP;unicast;interleaved=0-1")],
        );
        sim.reply(
            200,
            Some(1),
            &[
                ("Session", "S1"),
                (
                    "Transport",
                    "RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001",
                ),
            ],
        );
        assert!(sim.codes().contains(&"transport.not-offered".to_string()));
    }

    #[test]
    fn basic_credentials_are_reported_and_masked() {
        let mut sim = Sim::new();
        sim.request(
            "DESCRIBE",
            1,
            &[("Authorization", "Basic dXNlcjpzZWNyZXQ=")],
        );
        assert!(sim.codes().contains(&"auth.cleartext".to_string()));
        let message = sim.tracker.model().messages.first().expect("message");
        assert_eq!(message.header("Authorization"), Some("Basic ********"));
    }

    #[test]
    fn auth_challenge_is_info() {
        let mut sim = Sim::new();
        sim.exchange("DESCRIBE", 1, None, 401);
        let finding = sim.tracker.model().findings.first().expect("401");
        assert_eq!(finding.code, "status.401");
        assert_eq!(finding.severity, crate::model::Severity::Info);
    }

    #[test]
    fn truncated_message_and_malformed_header() {
        let mut sim = Sim::new();
        sim.frame += 1;
        let start = StartLine::Response {
            version: Version::Rtsp10,
            status: 200,
            reason: "OK".into(),
        };
        let mut msg = message(start, &[("CSeq", "1")], sim.frame, sim.ts());
        msg.complete = false;
        msg.declared_body_length = 500;
        msg.body_received = 100;
        msg.head.malformed_lines.push((17, "garbage line".into()));
        sim.tracker.on_message(0, Side::B, msg);
        let codes = sim.codes();
        assert!(codes.contains(&"rtsp.truncated".to_string()));
        assert!(codes.contains(&"rtsp.malformed-header".to_string()));
    }

    #[test]
    fn gaps_garbage_limits_and_cut_interleaved_frames() {
        let mut sim = Sim::new();
        sim.exchange("OPTIONS", 1, None, 200);
        let ts = sim.ts();
        sim.tracker.on_gap(0, Side::A, 100, "lost", 5, ts);
        sim.tracker.on_malformed(0, Side::A, "junk".into(), 6, ts);
        sim.tracker.on_limit(Some(0), "head too long".into(), 7);
        sim.tracker
            .on_interleaved(0, Side::B, 0, 1400, false, 8, ts);
        sim.tracker
            .on_capture_finding(findings::CAPTURE_TRUNCATED, "cut".into(), 9);
        let codes = sim.codes();
        for code in [
            "capture.gap",
            "rtsp.malformed",
            "limit.reached",
            "interleaved.truncated",
            "capture.truncated",
        ] {
            assert!(codes.contains(&code.to_string()), "{code} in {codes:?}");
        }
    }

    #[test]
    fn findings_are_capped_per_code() {
        let mut sim = Sim::new();
        for i in 0..(crate::limits::MAX_FINDINGS_PER_CODE + 5) {
            sim.tracker.on_limit(None, format!("limit {i}"), 1);
        }
        sim.tracker.finish();
        let model = sim.tracker.model();
        assert!(
            model
                .findings
                .iter()
                .any(|f| f.text.starts_with("5 more findings"))
        );
    }

    #[test]
    fn pipelined_setups_without_session_join_one_session() {
        // RTSP/2.0 clients pipeline SETUPs before they know the Session (capture 19).
        let mut sim = Sim::new();
        sim.request("SETUP", 1, &[]);
        sim.request("SETUP", 2, &[]);
        sim.reply(200, Some(1), &[("Session", "S1")]);
        sim.reply(200, Some(2), &[("Session", "S1")]);
        assert_eq!(sim.tracker.model().sessions.len(), 1);
        assert_eq!(sim.session().messages.len(), 4);
    }

    #[test]
    fn recording_session() {
        let mut sim = Sim::new();
        sim.exchange("ANNOUNCE", 1, None, 200);
        sim.setup(2);
        sim.exchange("RECORD", 3, Some("S1"), 200);
        sim.exchange("PLAY", 4, Some("S1"), 455);
        assert_eq!(sim.session().client_path, vec![Init, Ready, Recording]);
        assert!(sim.codes().contains(&"state.invalid-request".to_string()));
    }
}
