//! The model: what a capture says about RTSP, as the report and the window read it.
//!
//! The engine builds it and hands it over as [`Update`]s, so that a window or a live terminal can
//! show the first sessions while the rest of the capture is still being read; the report applies
//! all of them and prints the result. Everything here is plain data (serde), with no payloads:
//! raw bytes are read back from the capture by offset when shown.

use std::borrow::Cow;

use serde::Serialize;

/// Which way a message went, relative to the RTSP client of its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Direction {
    #[serde(rename = "c2s")]
    ClientToServer,
    #[serde(rename = "s2c")]
    ServerToClient,
}

impl Direction {
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::ClientToServer => "->",
            Direction::ServerToClient => "<-",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    Request,
    Response,
}

/// A state of the RTSP client's or server's machine (RFC 2326 Appendix A; RFC 7826 Appendix B
/// calls Playing "Play" — we keep one name for both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum State {
    Init,
    Ready,
    Playing,
    Recording,
}

impl State {
    pub const ALL: [State; 4] = [State::Init, State::Ready, State::Playing, State::Recording];

    pub fn name(self) -> &'static str {
        match self {
            State::Init => "Init",
            State::Ready => "Ready",
            State::Playing => "Playing",
            State::Recording => "Recording",
        }
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Machine {
    Client,
    Server,
}

impl Machine {
    pub fn name(self) -> &'static str {
        match self {
            Machine::Client => "client",
            Machine::Server => "server",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CaptureInfo {
    pub path: String,
    pub format: String,
    /// Packets read (all of them, RTSP or not).
    pub packets: u64,
    /// Bytes of the capture file read.
    pub bytes: u64,
    pub link_types: Vec<String>,
    /// Seconds from the first to the last packet.
    pub duration: f64,
    /// Unix time of the first packet, in seconds.
    pub start_time: Option<f64>,
    /// Set when the file could not be read to its end: what and where.
    pub truncated: Option<String>,
    /// Packets that were not TCP or UDP over IP, or could not be decoded.
    pub packets_not_decoded: u64,
}

/// Frames of one `$`-interleaved channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChannelCount {
    pub channel: u8,
    pub direction: Option<Direction>,
    pub frames: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Connection {
    /// tshark's tcp.stream number.
    pub id: u32,
    /// "addr:port" of the side that sends the requests.
    pub client: String,
    pub server: String,
    pub rtsp_messages: u64,
    pub interleaved_frames: u64,
    pub channels: Vec<ChannelCount>,
    /// Holes in either direction's byte stream (bytes not in the capture).
    pub gaps: u64,
    pub gap_bytes: u64,
    pub retransmissions: u64,
    pub out_of_order: u64,
    pub first_frame: u64,
    pub last_frame: u64,
    pub first_time: f64,
    pub last_time: f64,
    /// Whether the TCP handshake is in the capture.
    pub saw_syn: bool,
    /// How the connection ended, if the capture shows it: "FIN", "RST".
    pub ended: Option<String>,
    pub version: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    pub index: usize,
    pub connection: u32,
    /// The frame that completes the message (the frame tshark shows it in), 1-based.
    pub frame: u64,
    /// The frame that carries its first byte.
    pub first_frame: u64,
    /// Seconds since the first frame of the capture.
    pub time: f64,
    pub direction: Direction,
    pub kind: MessageKind,
    /// "RTSP/1.0" or "RTSP/2.0". Static, as the standard methods: a model keeps every message
    /// (a million pipelined requests is a capture too), and these are the same in all of them.
    pub version: &'static str,
    pub method: Option<Cow<'static, str>>,
    pub url: Option<String>,
    pub status: Option<u16>,
    pub reason: Option<String>,
    pub cseq: Option<u64>,
    /// The Session ID it carries (without `;timeout=`).
    pub session: Option<String>,
    /// Headers as sent (credentials masked), in one compact string; serialised as a list of
    /// `[name, value]` pairs.
    pub headers: Headers,
    pub body_length: u64,
    /// The body when it is text (SDP, parameters) and small enough to keep.
    pub body: Option<String>,
    /// False when the capture cut the message (snap length, gap, end of capture).
    pub complete: bool,
    /// The request this response answers, or the response this request got.
    pub pair: Option<usize>,
    /// The session whose story this message belongs to.
    pub session_index: Option<usize>,
    /// Offset of the message's first byte in its direction's TCP stream.
    pub stream_offset: u64,
    /// Client and server state after this message, where it belongs to a session.
    pub states_after: Option<(State, State)>,
}

impl Message {
    /// "PLAY" for a request, "200 OK" for a response.
    pub fn label(&self) -> String {
        match self.kind {
            MessageKind::Request => self.method.as_deref().unwrap_or("?").to_string(),
            MessageKind::Response => match (&self.status, &self.reason) {
                (Some(status), Some(reason)) if !reason.is_empty() => format!("{status} {reason}"),
                (Some(status), _) => status.to_string(),
                _ => "?".into(),
            },
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)
    }
}

/// A message's headers in one allocation: `name:value` lines. A model keeps every message of a
/// capture (a million pipelined requests is a capture too), so a header costs its bytes and
/// one newline, not two strings and a tuple (about 100 bytes more each). Lossless: a header
/// name is a token (no `:`), and a value is one line (continuations are joined by a space).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    lines: Box<str>,
}

impl Headers {
    pub fn from_pairs<N: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (N, V)>,
    ) -> Self {
        let mut lines = String::new();
        for (name, value) in pairs {
            // What the parser never yields is made harmless rather than trusted.
            lines.push_str(&name.as_ref().replace([':', '\n'], "_"));
            lines.push(':');
            lines.push_str(&value.as_ref().replace('\n', " "));
            lines.push('\n');
        }
        Headers {
            lines: lines.into_boxed_str(),
        }
    }

    /// (name, value) in the order sent.
    pub fn iter(&self) -> HeaderIter<'_> {
        let split: fn(&str) -> Option<(&str, &str)> = |line| line.split_once(':');
        self.lines.split_terminator('\n').filter_map(split)
    }

    /// The first header of that name, case-insensitively.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.lines.len()
    }
}

pub type HeaderIter<'a> =
    std::iter::FilterMap<std::str::SplitTerminator<'a, char>, fn(&str) -> Option<(&str, &str)>>;

impl<'a> IntoIterator for &'a Headers {
    type Item = (&'a str, &'a str);
    type IntoIter = HeaderIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl Serialize for Headers {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    pub machine: Machine,
    pub from: State,
    pub to: State,
    /// The message that caused it (the reply, for a request's outcome); None for a timeout.
    pub message: Option<usize>,
    pub time: f64,
    /// Why, in words: "PLAY → 200", "session timeout (5 s without a request or RTCP)".
    pub cause: String,
}

/// Media seen for a session: `$`-interleaved frames, or UDP datagrams on the ports of its
/// SETUP replies.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MediaCount {
    pub rtp_packets: u64,
    pub rtcp_packets: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub id: usize,
    pub session_id: String,
    /// The aggregate URL (of PLAY/RECORD), else the presentation URL (DESCRIBE/ANNOUNCE),
    /// else the first SETUP's.
    pub url: String,
    pub server: String,
    pub client: String,
    pub version: String,
    pub connections: Vec<u32>,
    pub client_path: Vec<State>,
    pub server_path: Vec<State>,
    pub client_state: State,
    pub server_state: State,
    pub transitions: Vec<Transition>,
    /// Every message of its story, the OPTIONS and DESCRIBE that led to it included.
    pub messages: Vec<usize>,
    /// The server's session timeout in seconds (`timeout=` of the Session header, else 60).
    pub timeout: f64,
    /// Transport of each SETUP reply, as sent.
    pub transports: Vec<String>,
    pub media: MediaCount,
    pub first_time: f64,
    pub last_time: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `state.invalid-request`, `status.455`.
    pub code: String,
    pub severity: Severity,
    pub text: String,
    pub message: Option<usize>,
    pub frame: Option<u64>,
    pub connection: Option<u32>,
    pub session: Option<usize>,
}

/// The whole model of one capture.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Model {
    pub capture: CaptureInfo,
    pub connections: Vec<Connection>,
    pub messages: Vec<Message>,
    pub sessions: Vec<Session>,
    pub findings: Vec<Finding>,
}

/// One change to the model. Connections and sessions are sent whole again when they change
/// (they are small); messages and findings only once, in order.
#[derive(Debug, Clone)]
pub enum Update {
    Capture(CaptureInfo),
    Connection(Connection),
    Message(Message),
    Session(Session),
    Finding(Finding),
}

impl Model {
    /// A session's messages in capture order, each once, each one the model holds (a live
    /// model may not have received them all yet).
    pub fn session_messages(&self, session: &Session) -> Vec<usize> {
        let mut messages: Vec<usize> = session
            .messages
            .iter()
            .copied()
            .filter(|&m| m < self.messages.len())
            .collect();
        messages.sort_unstable();
        messages.dedup();
        messages
    }

    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Capture(info) => self.capture = info,
            Update::Connection(connection) => {
                match self.connections.iter_mut().find(|c| c.id == connection.id) {
                    Some(slot) => *slot = connection,
                    None => self.connections.push(connection),
                }
            }
            Update::Message(message) => {
                // A message is sent again when a later one changes it (its reply, its session).
                match self.messages.get_mut(message.index) {
                    Some(slot) => *slot = message,
                    None => self.messages.push(message),
                }
            }
            Update::Session(session) => match self.sessions.get_mut(session.id) {
                Some(slot) => *slot = session,
                None => self.sessions.push(session),
            },
            Update::Finding(finding) => self.findings.push(finding),
        }
    }

    pub fn findings_for_message(&self, index: usize) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| f.message == Some(index))
    }
}
