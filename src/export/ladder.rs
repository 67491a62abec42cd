//! The ladder of a session, a connection or a hand-picked set of messages, as plain data: the
//! lanes, and one row per message, media band or machine event, with everything the SVG,
//! Mermaid and PlantUML writers print already worked out. The writers only lay it out.
//!
//! It reads the same things off the model as the window's ladder does (`ui::ladder`), but
//! without egui, so that exporting works in a build without the window.

use std::collections::BTreeSet;

use crate::export::text::{duration_text, thousands, time_of_day};
use crate::model::{Direction, Machine, Message, MessageKind, Model, Severity, State};

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// A session, by its index in the model.
    Session(usize),
    /// A TCP connection, by its id (tshark's tcp.stream).
    Connection(u32),
    /// Some messages, by index in the model (any order; shown in capture order).
    Messages(Vec<usize>),
}

/// One vertical line: an address that sends or receives messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    /// "C", "S", or "C1", "S2" when there are several of a kind: a name the diagram
    /// languages accept as an identifier.
    pub id: String,
    pub address: String,
    pub is_server: bool,
}

impl Lane {
    pub fn role(&self) -> &'static str {
        if self.is_server { "server" } else { "client" }
    }
}

/// A change of one machine's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub machine: Machine,
    pub from: State,
    pub to: State,
}

impl Change {
    /// "client Ready → Playing".
    pub fn text(&self) -> String {
        format!("{} {} → {}", self.machine.name(), self.from, self.to)
    }
}

#[derive(Debug, Clone)]
pub struct MessageRow {
    pub index: usize,
    pub frame: u64,
    /// Seconds since the start of the capture.
    pub time: f64,
    /// "14:02:11.123", where the capture says when it started.
    pub time_of_day: Option<String>,
    /// "+7.2 ms": since the previous message of the ladder.
    pub gap: Option<String>,
    /// Seconds since the previous message of the ladder.
    pub gap_secs: Option<f64>,
    pub from_lane: usize,
    pub to_lane: usize,
    pub kind: MessageKind,
    /// "PLAY", "455 Method Not Valid in This State".
    pub label: String,
    pub cseq: Option<u64>,
    /// A reply of 3xx and up (or one without a status).
    pub failed: bool,
    /// The capture cut it.
    pub cut: bool,
    /// Findings on this message: how many, the worst, and their codes.
    pub findings: Vec<(Severity, String)>,
    /// Both machines' states after it (client, server), where it belongs to a session.
    pub states_after: Option<(State, State)>,
    /// What it changed.
    pub changes: Vec<Change>,
}

impl MessageRow {
    /// "PLAY · CSeq 9" — the arrow's label.
    pub fn arrow_text(&self) -> String {
        let mut text = self.label.clone();
        if let Some(cseq) = self.cseq {
            text.push_str(&format!(" · CSeq {cseq}"));
        }
        if self.cut {
            text.push_str(" (cut)");
        }
        text
    }

    pub fn worst_finding(&self) -> Option<Severity> {
        self.findings.iter().map(|(s, _)| *s).max()
    }
}

#[derive(Debug, Clone)]
pub enum Row {
    Message(MessageRow),
    /// Interleaved or UDP media, as one line: "RTP ch 0-1: 1 234 packets".
    Media(String),
    /// A machine that moved on its own (the server's session timeout).
    Event {
        time: f64,
        machine: Machine,
        change: Change,
        cause: String,
    },
}

#[derive(Debug, Clone)]
pub struct Ladder {
    /// "Session mQrUGvvWFL.tA0A2", "Connection #3", "12 messages".
    pub title: String,
    /// The URL, the capture's name: a line under the title.
    pub subtitle: String,
    /// "02:10:41.724 UTC" where the capture says when it started.
    pub start: Option<String>,
    pub lanes: Vec<Lane>,
    pub rows: Vec<Row>,
}

impl Ladder {
    pub fn messages(&self) -> impl Iterator<Item = &MessageRow> {
        self.rows.iter().filter_map(|row| match row {
            Row::Message(m) => Some(m),
            _ => None,
        })
    }

    /// The lanes a message goes from and to.
    pub fn lanes_of(&self, message: &MessageRow) -> Option<(&Lane, &Lane)> {
        Some((
            self.lanes.get(message.from_lane)?,
            self.lanes.get(message.to_lane)?,
        ))
    }

    /// The id of the lane a machine's own moves are noted on: its side's (client or server),
    /// the last lane when that side has none.
    pub fn lane_of_machine(&self, machine: Machine) -> &str {
        self.lanes
            .iter()
            .find(|lane| lane.is_server == (machine == Machine::Server))
            .or(self.lanes.last())
            .map_or("S", |lane| lane.id.as_str())
    }

    /// The first and last lanes' ids joined by `separator`, for a note across the whole
    /// diagram (one id when there is one lane).
    pub fn span_of_lanes(&self, separator: &str) -> String {
        match (self.lanes.first(), self.lanes.last()) {
            (Some(first), Some(last)) if first.id != last.id => {
                format!("{}{separator}{}", first.id, last.id)
            }
            (Some(only), _) => only.id.clone(),
            _ => format!("C{separator}S"),
        }
    }

    pub fn build(model: &Model, scope: &Scope) -> Result<Ladder, String> {
        let (messages, connections, session) = match scope {
            Scope::Session(s) => {
                let session = model.sessions.get(*s).ok_or_else(|| {
                    format!(
                        "there is no session {s} (the capture has {})",
                        model.sessions.len()
                    )
                })?;
                let messages = model.session_messages(session);
                (messages, session.connections.clone(), Some(*s))
            }
            Scope::Connection(c) => {
                if !model.connections.iter().any(|conn| conn.id == *c) {
                    return Err(format!("there is no connection #{c}"));
                }
                let messages = model
                    .messages
                    .iter()
                    .filter(|m| m.connection == *c)
                    .map(|m| m.index)
                    .collect();
                (messages, vec![*c], None)
            }
            Scope::Messages(list) => {
                let mut messages = list.clone();
                messages.sort_unstable();
                messages.dedup();
                if let Some(&bad) = messages.iter().find(|&&m| m >= model.messages.len()) {
                    return Err(format!(
                        "there is no message {bad} (the capture has {})",
                        model.messages.len()
                    ));
                }
                let connections: BTreeSet<u32> = messages
                    .iter()
                    .filter_map(|&m| model.messages.get(m))
                    .map(|m| m.connection)
                    .collect();
                (messages, connections.into_iter().collect(), None)
            }
        };
        let lanes = lanes(model, &connections);
        let start_unix = model.capture.start_time;

        let mut rows = Vec::with_capacity(messages.len() + 2);
        let band = media_band(model, &connections, session);
        let band_after = band.as_ref().map(|_| media_band_position(model, &messages));
        let mut events = session
            .and_then(|s| model.sessions.get(s))
            .map(|session| {
                session
                    .transitions
                    .iter()
                    .filter(|t| t.message.is_none())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        events.sort_by(|a, b| a.time.total_cmp(&b.time));
        let mut events = events.into_iter().peekable();
        let mut previous_time: Option<f64> = None;
        for (position, &m) in messages.iter().enumerate() {
            if band_after == Some(position)
                && let Some(text) = &band
            {
                rows.push(Row::Media(text.clone()));
            }
            let Some(message) = model.messages.get(m) else {
                continue;
            };
            while let Some(t) = events.next_if(|t| t.time < message.time) {
                rows.push(event_row(t));
            }
            let (from_lane, to_lane) = message_lanes(model, &lanes, message);
            let gap_secs = previous_time.map(|p| message.time - p);
            previous_time = Some(message.time);
            let findings = model
                .findings_for_message(m)
                .map(|f| (f.severity, f.code.clone()))
                .collect();
            let changes = message_changes(model, message);
            rows.push(Row::Message(MessageRow {
                index: m,
                frame: message.frame,
                time: message.time,
                time_of_day: start_unix.map(|s| time_of_day(s + message.time)),
                gap: gap_secs.map(|g| format!("+{}", duration_text(g))),
                gap_secs,
                from_lane,
                to_lane,
                kind: message.kind,
                label: message.label(),
                cseq: message.cseq,
                failed: message.kind == MessageKind::Response
                    && message.status.is_none_or(|s| s >= 300),
                cut: !message.complete,
                findings,
                states_after: message.session_index.and(message.states_after),
                changes,
            }));
        }
        rows.extend(events.map(event_row));
        if band_after == Some(messages.len())
            && let Some(text) = band
        {
            rows.push(Row::Media(text));
        }

        let (title, subtitle) = match scope {
            Scope::Session(s) => {
                let session = &model.sessions[*s];
                (
                    format!("Session {}", session.session_id),
                    format!("{} · {}", session.url, session.version),
                )
            }
            Scope::Connection(c) => {
                let conn = model.connections.iter().find(|conn| conn.id == *c);
                (
                    format!("Connection #{c}"),
                    conn.map(|conn| format!("client {} · server {}", conn.client, conn.server))
                        .unwrap_or_default(),
                )
            }
            Scope::Messages(list) => (
                format!(
                    "{} message{}",
                    list.len(),
                    if list.len() == 1 { "" } else { "s" }
                ),
                String::new(),
            ),
        };
        let capture = std::path::Path::new(&model.capture.path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let subtitle = [subtitle, capture]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        Ok(Ladder {
            title,
            subtitle,
            start: start_unix.map(|s| format!("{} UTC", time_of_day(s))),
            lanes,
            rows,
        })
    }
}

fn event_row(t: &crate::model::Transition) -> Row {
    Row::Event {
        time: t.time,
        machine: t.machine,
        change: Change {
            machine: t.machine,
            from: t.from,
            to: t.to,
        },
        cause: t.cause.clone(),
    }
}

/// Clients on the left, servers on the right, one lane per address.
fn lanes(model: &Model, connections: &[u32]) -> Vec<Lane> {
    let mut clients = BTreeSet::new();
    let mut servers = BTreeSet::new();
    for &id in connections {
        if let Some(c) = model.connections.iter().find(|c| c.id == id) {
            clients.insert(c.client.clone());
            servers.insert(c.server.clone());
        }
    }
    let name = |prefix: &str, i: usize, n: usize| {
        if n == 1 {
            prefix.to_string()
        } else {
            format!("{prefix}{}", i + 1)
        }
    };
    let (nc, ns) = (clients.len(), servers.len());
    let mut lanes: Vec<Lane> = clients
        .into_iter()
        .enumerate()
        .map(|(i, address)| Lane {
            id: name("C", i, nc),
            address,
            is_server: false,
        })
        .collect();
    lanes.extend(servers.into_iter().enumerate().map(|(i, address)| Lane {
        id: name("S", i, ns),
        address,
        is_server: true,
    }));
    if lanes.is_empty() {
        // Messages of a connection the model does not list: still two lanes to draw between.
        lanes = vec![
            Lane {
                id: "C".into(),
                address: String::new(),
                is_server: false,
            },
            Lane {
                id: "S".into(),
                address: String::new(),
                is_server: true,
            },
        ];
    }
    lanes
}

fn message_lanes(model: &Model, lanes: &[Lane], message: &Message) -> (usize, usize) {
    let conn = model
        .connections
        .iter()
        .find(|c| c.id == message.connection);
    let find = |is_server: bool, address: Option<&String>| {
        lanes
            .iter()
            .position(|l| l.is_server == is_server && Some(&l.address) == address)
            .or_else(|| lanes.iter().position(|l| l.is_server == is_server))
            .unwrap_or(0)
    };
    let client = find(false, conn.map(|c| &c.client));
    let server = find(true, conn.map(|c| &c.server));
    match message.direction {
        Direction::ClientToServer => (client, server),
        Direction::ServerToClient => (server, client),
    }
}

/// The state changes a message caused, client first.
fn message_changes(model: &Model, message: &Message) -> Vec<Change> {
    let Some(session) = message.session_index.and_then(|s| model.sessions.get(s)) else {
        return Vec::new();
    };
    let mut changes: Vec<Change> = session
        .transitions
        .iter()
        .filter(|t| t.message == Some(message.index))
        .map(|t| Change {
            machine: t.machine,
            from: t.from,
            to: t.to,
        })
        .collect();
    changes.sort_by_key(|c| c.machine == Machine::Server);
    changes
}

/// The media of the ladder's connections (interleaved channels), else the session's UDP media.
fn media_band(model: &Model, connections: &[u32], session: Option<usize>) -> Option<String> {
    let mut parts = Vec::new();
    for c in connections
        .iter()
        .filter_map(|&id| model.connections.iter().find(|c| c.id == id))
    {
        parts.extend(crate::export::text::interleaved_media(c));
    }
    if parts.is_empty()
        && let Some(session) = session.and_then(|s| model.sessions.get(s))
        && session.media.rtp_packets + session.media.rtcp_packets > 0
    {
        parts.push(format!(
            "RTP over UDP: {} packets + {} RTCP",
            thousands(session.media.rtp_packets),
            thousands(session.media.rtcp_packets)
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// Where the media band goes in a scope's message list: after the reply that started the
/// media (the first 2xx to PLAY or RECORD), else at the end. The window's ladder and the
/// exported one put it in the same place.
pub fn media_band_position(model: &Model, messages: &[usize]) -> usize {
    messages
        .iter()
        .position(|&index| {
            model.messages.get(index).is_some_and(|m| {
                m.kind == MessageKind::Response
                    && m.status.is_some_and(|s| (200..300).contains(&s))
                    && m.pair
                        .and_then(|p| model.messages.get(p))
                        .and_then(|r| r.method.as_deref())
                        .is_some_and(|method| method == "PLAY" || method == "RECORD")
            })
        })
        .map(|p| p + 1)
        .unwrap_or(messages.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_get_short_ids_and_numbers_only_when_needed() {
        let mut model = Model::default();
        for (id, client) in [(0, "10.0.0.1:5000"), (1, "10.0.0.2:5000")] {
            model.connections.push(crate::model::Connection {
                id,
                client: client.into(),
                server: "10.0.0.9:554".into(),
                ..Default::default()
            });
        }
        let lanes = lanes(&model, &[0, 1]);
        let ids: Vec<&str> = lanes.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["C1", "C2", "S"]);
    }
}
