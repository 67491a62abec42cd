//! What the views read off the model, as plain functions (no egui here): the messages of a
//! scope, the lanes of a ladder, the states at a message, what a step did, a message's raw
//! text and its SDP. Kept apart from drawing so tests can check them and the views stay small.

use std::collections::{BTreeSet, HashMap};

use crate::model::{
    Connection, Direction, Finding, Machine, Message, MessageKind, Model, Session, Severity, State,
    Transition,
};
use crate::session::machine::{self, Protocol};
use crate::ui::Scope;

// The SDP reader moved to the engine (it reads outside bytes and is fuzzed there).
pub use crate::rtsp::sdp::{Sdp, SdpMedia, parse_sdp};
// The window and the exports write numbers and gaps the same way.
pub use crate::export::text::{duration_text, thousands};

/// Counts the views need on every frame, rebuilt when the model changes.
#[derive(Debug, Default)]
pub struct Index {
    /// Bumped by the app each time it applies updates to the model.
    pub generation: u64,
    /// Per session: how many findings, and the worst.
    pub session_findings: Vec<(usize, Option<Severity>)>,
    /// Per message with findings: how many, and the worst.
    pub message_findings: HashMap<usize, (usize, Severity)>,
    /// Per message: the transitions it caused, as (session, transition).
    pub caused: HashMap<usize, Vec<(usize, usize)>>,
    /// Per session: the transitions no message caused (timeouts), as (time, transition), by time.
    pub unprompted: HashMap<usize, Vec<(f64, usize)>>,
    /// Per session with such transitions: its messages, in order.
    pub session_messages: HashMap<usize, Vec<usize>>,
}

impl Index {
    pub fn build(model: &Model, generation: u64) -> Index {
        let mut session_findings = vec![(0, None); model.sessions.len()];
        let mut message_findings: HashMap<usize, (usize, Severity)> = HashMap::new();
        for finding in &model.findings {
            if let Some(slot) = finding.session.and_then(|s| session_findings.get_mut(s)) {
                slot.0 += 1;
                slot.1 = slot.1.max(Some(finding.severity));
            }
            if let Some(message) = finding.message {
                let slot = message_findings
                    .entry(message)
                    .or_insert((0, finding.severity));
                slot.0 += 1;
                slot.1 = slot.1.max(finding.severity);
            }
        }
        let mut caused: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
        let mut unprompted: HashMap<usize, Vec<(f64, usize)>> = HashMap::new();
        let mut session_messages = HashMap::new();
        for (s, session) in model.sessions.iter().enumerate() {
            for (i, t) in session.transitions.iter().enumerate() {
                match t.message {
                    Some(m) => caused.entry(m).or_default().push((s, i)),
                    None => unprompted.entry(s).or_default().push((t.time, i)),
                }
            }
            if let Some(list) = unprompted.get_mut(&s) {
                list.sort_by(|a, b| a.0.total_cmp(&b.0));
                session_messages.insert(s, model.session_messages(session));
            }
        }
        Index {
            generation,
            session_findings,
            message_findings,
            caused,
            unprompted,
            session_messages,
        }
    }
}

pub fn connection(model: &Model, id: u32) -> Option<&Connection> {
    model.connections.iter().find(|c| c.id == id)
}

/// The messages a scope shows, in capture order.
pub fn scope_messages(model: &Model, scope: Option<Scope>) -> Vec<usize> {
    match scope {
        Some(Scope::Session(id)) => match model.sessions.get(id) {
            Some(session) => model.session_messages(session),
            None => Vec::new(),
        },
        Some(Scope::Connection(id)) => model
            .messages
            .iter()
            .filter(|m| m.connection == id)
            .map(|m| m.index)
            .collect(),
        None => (0..model.messages.len()).collect(),
    }
}

/// The connections a scope spans.
pub fn scope_connections(model: &Model, scope: Option<Scope>) -> Vec<u32> {
    match scope {
        Some(Scope::Session(id)) => model
            .sessions
            .get(id)
            .map(|s| s.connections.clone())
            .unwrap_or_default(),
        Some(Scope::Connection(id)) => vec![id],
        None => model.connections.iter().map(|c| c.id).collect(),
    }
}

/// The scope a message belongs to: its session, else its connection.
pub fn home_scope(message: &Message) -> Scope {
    match message.session_index {
        Some(session) => Scope::Session(session),
        None => Scope::Connection(message.connection),
    }
}

/// One vertical line of a ladder: an address that sends or receives messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    pub address: String,
    pub is_server: bool,
}

/// The ladder's lanes for a set of connections: the clients on the left, the servers on the
/// right, one lane per address (a session that spans several connections gets several).
pub fn lanes(model: &Model, connections: &[u32]) -> Vec<Lane> {
    let mut clients = BTreeSet::new();
    let mut servers = BTreeSet::new();
    for &id in connections {
        if let Some(c) = connection(model, id) {
            clients.insert(c.client.clone());
            servers.insert(c.server.clone());
        }
    }
    clients
        .into_iter()
        .map(|address| Lane {
            address,
            is_server: false,
        })
        .chain(servers.into_iter().map(|address| Lane {
            address,
            is_server: true,
        }))
        .collect()
}

/// The lanes a message goes from and to.
pub fn message_lanes(model: &Model, lanes: &[Lane], message: &Message) -> Option<(usize, usize)> {
    let c = connection(model, message.connection)?;
    let client = lanes
        .iter()
        .position(|l| !l.is_server && l.address == c.client)?;
    let server = lanes
        .iter()
        .position(|l| l.is_server && l.address == c.server)?;
    Some(match message.direction {
        Direction::ClientToServer => (client, server),
        Direction::ServerToClient => (server, client),
    })
}

pub fn protocol(version: &str) -> Protocol {
    if version.trim().starts_with("RTSP/2") {
        Protocol::Rtsp2
    } else {
        Protocol::Rtsp1
    }
}

/// A reply that did not succeed (3xx and up), or a message that is not a reply at all.
pub fn is_failure(message: &Message) -> bool {
    message.kind == MessageKind::Response && message.status.is_none_or(|s| s >= 300)
}

/// Both machines' states right after `message` (client, server): the model's own
/// `states_after`, else what the session's transitions say up to that moment.
pub fn states_at(model: &Model, message: &Message) -> Option<(State, State)> {
    if let Some(states) = message.states_after {
        return Some(states);
    }
    let session = model.sessions.get(message.session_index?)?;
    Some((
        state_from_transitions(session, Machine::Client, message),
        state_from_transitions(session, Machine::Server, message),
    ))
}

fn state_from_transitions(session: &Session, machine: Machine, message: &Message) -> State {
    session
        .transitions
        .iter()
        .filter(|t| t.machine == machine)
        .take_while(|t| match t.message {
            Some(index) => index <= message.index,
            None => t.time <= message.time,
        })
        .last()
        .map(|t| t.to)
        .unwrap_or(State::Init)
}

/// The transitions `message` caused, and the ones that happened on their own (a server's
/// timeout) between the session's previous message and this one. Reads the [`Index`], so it
/// costs the same in a session of 10 messages as in one of 100 000.
pub fn transitions_at<'m>(
    model: &'m Model,
    index: &Index,
    message: &Message,
) -> Vec<&'m Transition> {
    let Some(s) = message.session_index else {
        return Vec::new();
    };
    let Some(session) = model.sessions.get(s) else {
        return Vec::new();
    };
    let mut found: Vec<&Transition> = Vec::new();
    if let Some(on_its_own) = index.unprompted.get(&s) {
        let previous_time = index
            .session_messages
            .get(&s)
            .and_then(|messages| {
                let at = messages.partition_point(|&m| m < message.index);
                at.checked_sub(1).and_then(|p| messages.get(p))
            })
            .and_then(|&m| model.messages.get(m))
            .map(|m| m.time);
        let from = match previous_time {
            Some(p) => on_its_own.partition_point(|&(time, _)| time <= p),
            None => 0,
        };
        found.extend(
            on_its_own[from..]
                .iter()
                .take_while(|&&(time, _)| time <= message.time)
                .filter_map(|&(_, t)| session.transitions.get(t)),
        );
    }
    if let Some(caused) = index.caused.get(&message.index) {
        found.extend(
            caused
                .iter()
                .filter(|&&(owner, _)| owner == s)
                .filter_map(|&(_, t)| session.transitions.get(t)),
        );
    }
    found
}

/// The message a finding is about, or for a finding on a moment rather than a message (a
/// timeout, a gap), the first message of its session or connection from that frame on (else
/// the last one before it).
pub fn finding_message(model: &Model, finding: &Finding) -> Option<usize> {
    if finding.message.is_some() {
        return finding.message;
    }
    let frame = finding.frame?;
    let candidates: Vec<&Message> = match (finding.session, finding.connection) {
        (Some(s), _) => model
            .sessions
            .get(s)
            .map(|session| {
                session
                    .messages
                    .iter()
                    .filter_map(|&m| model.messages.get(m))
                    .collect()
            })
            .unwrap_or_default(),
        (None, Some(c)) => model
            .messages
            .iter()
            .filter(|m| m.connection == c)
            .collect(),
        (None, None) => model.messages.iter().collect(),
    };
    candidates
        .iter()
        .find(|m| m.frame >= frame)
        .or(candidates.last())
        .map(|m| m.index)
}

/// "PLAY" or "200 OK · CSeq 5"-style label of an arrow.
pub fn arrow_label(message: &Message) -> String {
    let mut label = message.label();
    if let Some(cseq) = message.cseq {
        label.push_str(&format!("  CSeq {cseq}"));
    }
    if !message.complete {
        label.push_str("  (cut)");
    }
    label
}

/// What a step to `message` did, in one line:
/// "PLAY → 200 OK: client Ready → Playing, server Ready → Playing".
pub fn step_text(model: &Model, index: &Index, message: &Message) -> String {
    let what = match message.kind {
        MessageKind::Request => {
            let reply = message
                .pair
                .and_then(|p| model.messages.get(p))
                .map(|r| format!("answered by {} (#{})", r.label(), r.index))
                .unwrap_or_else(|| "no reply in the capture".to_string());
            let method = message.method.as_deref().unwrap_or("?");
            let sender = match message.direction {
                Direction::ClientToServer => "client",
                Direction::ServerToClient => "server",
            };
            format!("{method} from the {sender}, {reply}")
        }
        MessageKind::Response => {
            let request = message
                .pair
                .and_then(|p| model.messages.get(p))
                .and_then(|r| r.method.as_deref())
                .unwrap_or("?");
            format!("{request} → {}", message.label())
        }
    };
    let transitions = transitions_at(model, index, message);
    let effect = match (message.session_index, states_at(model, message)) {
        (None, _) | (_, None) => "outside any session".to_string(),
        (Some(_), Some((client, server))) => {
            let mut parts = Vec::new();
            for (machine, now) in [(Machine::Client, client), (Machine::Server, server)] {
                let moved: Vec<&&Transition> = transitions
                    .iter()
                    .filter(|t| t.machine == machine)
                    .collect();
                if moved.is_empty() {
                    parts.push(format!("{} stays {now}", machine.name()));
                } else {
                    for t in moved {
                        let cause = if t.message.is_none() {
                            // "session timeout: 5 s without ..." → "session timeout": the
                            // ladder's row has the rest.
                            let short = t.cause.split(':').next().unwrap_or(&t.cause);
                            format!(" ({})", short.trim())
                        } else {
                            String::new()
                        };
                        parts.push(format!("{} {} → {}{cause}", machine.name(), t.from, t.to));
                    }
                }
            }
            parts.join(", ")
        }
    };
    format!("{what}: {effect}")
}

/// One edge of a state graph: the RFC table's rows from `from` to `to`, with their methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: State,
    pub to: State,
    pub methods: Vec<&'static str>,
}

/// The edges of a machine's graph, from the RFC table (rows with the same ends share an edge).
pub fn edges(protocol: Protocol, machine_kind: Machine) -> Vec<Edge> {
    let mut edges: Vec<Edge> = Vec::new();
    for row in machine::table(protocol, machine_kind) {
        match edges
            .iter_mut()
            .find(|e| e.from == row.state && e.to == row.next)
        {
            Some(edge) => {
                if !edge.methods.contains(&row.method) {
                    edge.methods.push(row.method);
                }
            }
            None => edges.push(Edge {
                from: row.state,
                to: row.next,
                methods: vec![row.method],
            }),
        }
    }
    edges
}

/// The states a table uses (RTSP/2.0 has no Recording).
pub fn table_states(protocol: Protocol, machine_kind: Machine) -> Vec<State> {
    State::ALL
        .into_iter()
        .filter(|&s| {
            machine::table(protocol, machine_kind)
                .iter()
                .any(|r| r.state == s || r.next == s)
        })
        .collect()
}

/// The message as it was on the wire, rebuilt from the model (which keeps no payloads):
/// start line, headers, blank line, body.
pub fn raw_text(message: &Message) -> String {
    let mut text = match message.kind {
        MessageKind::Request => format!(
            "{} {} {}",
            message.method.as_deref().unwrap_or("?"),
            message.url.as_deref().unwrap_or("*"),
            message.version
        ),
        MessageKind::Response => format!(
            "{} {} {}",
            message.version,
            message.status.map(|s| s.to_string()).unwrap_or_default(),
            message.reason.as_deref().unwrap_or("")
        )
        .trim_end()
        .to_string(),
    };
    text.push_str("\r\n");
    for (name, value) in &message.headers {
        text.push_str(name);
        text.push_str(": ");
        text.push_str(value);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    match &message.body {
        Some(body) => text.push_str(body),
        None if message.body_length > 0 => {
            text.push_str(&format!(
                "[{} bytes of body, not kept]",
                message.body_length
            ));
        }
        None => {}
    }
    text
}

/// The media of a scope, as one line for the ladder's band: "RTP ch 0-1: 1 234 packets".
pub fn media_summary(model: &Model, scope: Option<Scope>) -> Option<String> {
    let mut parts = Vec::new();
    for id in scope_connections(model, scope) {
        let Some(c) = connection(model, id) else {
            continue;
        };
        parts.extend(crate::export::text::interleaved_media(c));
    }
    if let Some(Scope::Session(id)) = scope
        && let Some(session) = model.sessions.get(id)
        && parts.is_empty()
        && session.media.rtp_packets + session.media.rtcp_packets > 0
    {
        parts.push(format!(
            "UDP: {} RTP + {} RTCP packets, {}",
            thousands(session.media.rtp_packets),
            thousands(session.media.rtcp_packets),
            bytes_text(session.media.bytes)
        ));
    }
    (!parts.is_empty()).then(|| parts.join("  ·  "))
}

pub fn bytes_text(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.2} GB", bytes as f64 / 1e9),
    }
}

/// Unix time as "2024-05-01 14:02:11.123 UTC" (UTC, so that no time zone database is needed).
pub fn absolute_time(unix: f64) -> String {
    let millis_total = (unix * 1000.0).round() as i64;
    let (days, millis_of_day) = (
        millis_total.div_euclid(86_400_000),
        millis_total.rem_euclid(86_400_000),
    );
    let (year, month, day) = civil_from_days(days);
    let secs = millis_of_day / 1000;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:03}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        millis_of_day % 1000
    )
}

/// The time of day only: "14:02:11.123".
pub fn time_of_day(unix: f64) -> String {
    let full = absolute_time(unix);
    full.split_once(' ')
        .map(|(_, t)| t.to_string())
        .unwrap_or(full)
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar (Howard
/// Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Whether a session matches every word of a filter (URL, addresses, Session ID, and the
/// methods and statuses of its messages).
pub fn session_matches(model: &Model, session: &Session, words: &[String]) -> bool {
    words.iter().all(|word| {
        contains(&session.url, word)
            || contains(&session.session_id, word)
            || contains(&session.client, word)
            || contains(&session.server, word)
            || session
                .messages
                .iter()
                .filter_map(|&m| model.messages.get(m))
                .any(|m| message_matches(m, word))
    })
}

pub fn connection_matches(model: &Model, c: &Connection, words: &[String]) -> bool {
    words.iter().all(|word| {
        contains(&c.client, word)
            || contains(&c.server, word)
            || format!("#{}", c.id) == *word
            || model
                .messages
                .iter()
                .filter(|m| m.connection == c.id)
                .any(|m| {
                    message_matches(m, word)
                        || m.session.as_deref().is_some_and(|s| contains(s, word))
                })
    })
}

fn message_matches(m: &Message, word: &str) -> bool {
    m.method
        .as_deref()
        .is_some_and(|method| contains(method, word))
        || m.status.is_some_and(|s| s.to_string() == word)
        || m.url.as_deref().is_some_and(|url| contains(url, word))
}

/// `word` is already lowercase.
fn contains(haystack: &str, word: &str) -> bool {
    haystack.to_lowercase().contains(word)
}

pub fn filter_words(filter: &str) -> Vec<String> {
    filter.split_whitespace().map(str::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1\u{2009}234");
        assert_eq!(thousands(1234567), "1\u{2009}234\u{2009}567");
    }

    #[test]
    fn absolute_time_is_utc() {
        assert_eq!(absolute_time(0.0), "1970-01-01 00:00:00.000");
        assert_eq!(absolute_time(1_714_572_131.123), "2024-05-01 14:02:11.123");
        assert_eq!(time_of_day(1_714_572_131.5), "14:02:11.500");
    }

    #[test]
    fn sdp_fields_per_media() {
        let body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=Session\r\na=tool:x\r\n\
                    m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:stream=0\r\n\
                    m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\na=control:stream=1\r\n";
        let sdp = parse_sdp(body).expect("an SDP");
        assert_eq!(sdp.session[0], ("v".to_string(), "0".to_string()));
        assert_eq!(sdp.session_attributes, vec!["tool:x".to_string()]);
        assert_eq!(sdp.media.len(), 2);
        assert_eq!(sdp.media[0].control.as_deref(), Some("stream=0"));
        assert_eq!(
            sdp.media[1].rtpmaps,
            vec!["97 MPEG4-GENERIC/48000/2".to_string()]
        );
        assert!(parse_sdp("Public: OPTIONS").is_none());
    }

    #[test]
    fn media_band_pairs_rtp_with_its_rtcp_channel() {
        use crate::model::ChannelCount;
        let channel = |channel, frames| ChannelCount {
            channel,
            direction: Some(Direction::ServerToClient),
            frames,
            bytes: frames * 100,
        };
        let model = Model {
            connections: vec![Connection {
                id: 3,
                channels: vec![
                    channel(0, 126),
                    channel(1, 1),
                    channel(2, 1234),
                    channel(3, 0),
                ],
                ..Connection::default()
            }],
            ..Model::default()
        };
        assert_eq!(
            media_summary(&model, Some(Scope::Connection(3))).as_deref(),
            Some("RTP ch 0-1: 126 packets + 1 RTCP  ·  RTP ch 2-3: 1\u{2009}234 packets")
        );
        assert_eq!(media_summary(&Model::default(), None), None);
    }

    #[test]
    fn edges_come_from_the_tables() {
        let client = edges(Protocol::Rtsp1, Machine::Client);
        let rows = machine::RTSP1_CLIENT.len();
        assert_eq!(client.iter().map(|e| e.methods.len()).sum::<usize>(), rows);
        assert!(
            client
                .iter()
                .any(|e| e.from == State::Ready && e.to == State::Playing && e.methods == ["PLAY"])
        );
        assert!(!table_states(Protocol::Rtsp2, Machine::Client).contains(&State::Recording));
        assert_eq!(table_states(Protocol::Rtsp1, Machine::Server).len(), 4);
    }
}
