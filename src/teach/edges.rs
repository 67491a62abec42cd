//! The state machines' edges as a lesson: which row of the RFC's table each edge is, which
//! messages of a capture took it, and the requests that tried an edge the table does not have
//! ("PAUSE in Ready"): attempted edges.

use crate::model::{Machine, MessageKind, Model, Session, State};
use crate::session::machine::{self, Protocol, Row};
use crate::teach::rfc;

/// One row of a machine's table, in words.
pub fn row_text(protocol: Protocol, machine_kind: Machine, row: &Row) -> String {
    let moves = match machine_kind {
        Machine::Client => "receives",
        Machine::Server => "sends",
    };
    let position = machine::table(protocol, machine_kind)
        .iter()
        .position(|r| r == row)
        .map(|p| {
            format!(
                ", row {} of {}",
                p + 1,
                machine::table(protocol, machine_kind).len()
            )
        })
        .unwrap_or_default();
    let stay = if row.state == row.next {
        " (it stays)"
    } else {
        ""
    };
    format!(
        "{}{position}: state {}, {} {}, next state {}{stay} — the {} moves when it {} the 2xx \
         reply.",
        rfc::table(protocol, machine_kind),
        row.state,
        match machine_kind {
            Machine::Client => "message sent",
            Machine::Server => "message received",
        },
        row.method,
        row.next,
        machine_kind.name(),
        moves
    )
}

/// A message that took an edge: the 2xx reply that moved (or kept) a machine along a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeUse {
    pub machine: Machine,
    pub from: State,
    pub to: State,
    pub method: &'static str,
    /// The reply that made the move.
    pub reply: usize,
    pub request: Option<usize>,
}

/// Both machines' states just before message `index` of `session` (Init before the first).
pub fn states_before(model: &Model, session: &Session, index: usize) -> (State, State) {
    session
        .messages
        .iter()
        .copied()
        .filter(|&m| m < index)
        .max()
        .and_then(|m| model.messages.get(m))
        .and_then(|m| m.states_after)
        .unwrap_or((State::Init, State::Init))
}

fn pick(states: (State, State), machine_kind: Machine) -> State {
    match machine_kind {
        Machine::Client => states.0,
        Machine::Server => states.1,
    }
}

/// Every edge of the tables the session's messages took, in capture order.
pub fn uses(model: &Model, session: &Session) -> Vec<EdgeUse> {
    let protocol = rfc::protocol_of(&session.version);
    let mut found = Vec::new();
    let mut messages = session.messages.clone();
    messages.sort_unstable();
    for &index in &messages {
        let Some(reply) = model.messages.get(index) else {
            continue;
        };
        if reply.kind != MessageKind::Response
            || !reply.status.is_some_and(|s| (200..300).contains(&s))
        {
            continue;
        }
        let Some(request) = reply.pair.and_then(|p| model.messages.get(p)) else {
            continue;
        };
        let Some(method) = request.method.as_deref() else {
            continue;
        };
        let Some(after) = reply.states_after else {
            continue;
        };
        let before = states_before(model, session, index);
        for machine_kind in [Machine::Client, Machine::Server] {
            let from = pick(before, machine_kind);
            let to = pick(after, machine_kind);
            if let Some(row) = machine::lookup(protocol, machine_kind, from, method)
                && row.next == to
            {
                found.push(EdgeUse {
                    machine: machine_kind,
                    from,
                    to,
                    method: row.method,
                    reply: index,
                    request: Some(request.index),
                });
            }
        }
    }
    found
}

/// The uses of one edge of one machine (all rows from `from` to `to`).
pub fn uses_of(
    model: &Model,
    session: &Session,
    machine_kind: Machine,
    from: State,
    to: State,
) -> Vec<EdgeUse> {
    uses(model, session)
        .into_iter()
        .filter(|u| u.machine == machine_kind && u.from == from && u.to == to)
        .collect()
}

/// The rows of a machine's table from `from` to `to`.
pub fn rows(
    protocol: Protocol,
    machine_kind: Machine,
    from: State,
    to: State,
) -> Vec<&'static Row> {
    machine::table(protocol, machine_kind)
        .iter()
        .filter(|r| r.state == from && r.next == to)
        .collect()
}

/// A request the table has no edge for in the machine's current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub machine: Machine,
    pub state: State,
    pub method: String,
    pub request: usize,
    pub reply: Option<usize>,
    pub status: Option<u16>,
    /// "PAUSE is not valid in Ready — there is no PAUSE edge out of Ready (RFC 2326 A.1)".
    pub text: String,
    /// What the server did about it: "The server refused it: 455 Method Not Valid in This
    /// State, the status for exactly this (RFC 2326 §11.3.6)."
    pub outcome: String,
}

/// The attempted edges of a session, in capture order (one per machine that has no edge).
pub fn attempts(model: &Model, session: &Session) -> Vec<Attempt> {
    let mut messages = session.messages.clone();
    messages.sort_unstable();
    messages
        .iter()
        .filter_map(|&m| model.messages.get(m))
        .filter(|m| m.kind == MessageKind::Request)
        .flat_map(|request| attempts_of(model, session, request.index))
        .collect()
}

/// The attempted edges a request (or the reply to it) shows.
pub fn attempts_at(model: &Model, index: usize) -> Vec<Attempt> {
    let Some(message) = model.messages.get(index) else {
        return Vec::new();
    };
    let request = match message.kind {
        MessageKind::Request => index,
        MessageKind::Response => match message.pair {
            Some(p) => p,
            None => return Vec::new(),
        },
    };
    let Some(session) = model
        .messages
        .get(request)
        .and_then(|r| r.session_index)
        .and_then(|s| model.sessions.get(s))
    else {
        return Vec::new();
    };
    attempts_of(model, session, request)
}

fn attempts_of(model: &Model, session: &Session, request_index: usize) -> Vec<Attempt> {
    let protocol = rfc::protocol_of(&session.version);
    let Some(request) = model.messages.get(request_index) else {
        return Vec::new();
    };
    if request.kind != MessageKind::Request
        || request.direction != crate::model::Direction::ClientToServer
    {
        return Vec::new();
    }
    let Some(method) = request.method.as_deref() else {
        return Vec::new();
    };
    if machine::is_stateless(method) || !machine::knows(protocol, method) {
        return Vec::new();
    }
    let reply = request.pair.and_then(|p| model.messages.get(p));
    // The state the server judged the request in: just before its reply (requests can be
    // pipelined ahead of earlier replies).
    let judged_at = reply.map(|r| r.index).unwrap_or(request_index);
    let before = states_before(model, session, judged_at);
    let mut found = Vec::new();
    for machine_kind in [Machine::Client, Machine::Server] {
        let state = pick(before, machine_kind);
        if machine::lookup(protocol, machine_kind, state, method).is_some() {
            continue;
        }
        let text = format!(
            "{method} is not valid in {state} — there is no {method} edge out of {state} ({}).",
            rfc::table(protocol, machine_kind)
        );
        let outcome = match reply {
            None => "No reply to it in the capture.".to_string(),
            Some(r) => {
                let label = r.label();
                match r.status {
                    Some(455) => format!(
                        "The server refused it: {label}, the status for exactly this ({}); a \
                         4xx leaves both machines where they were.",
                        rfc::status(protocol, 455)
                    ),
                    Some(454) => format!(
                        "The server refused it: {label}; it has no session to act on ({}).",
                        rfc::status(protocol, 454)
                    ),
                    Some(s) if (200..300).contains(&s) => format!(
                        "Yet the server accepted it ({label}): it did not follow the table."
                    ),
                    Some(s) => format!(
                        "The server refused it: {label} ({}); the state stays.",
                        rfc::status(protocol, s)
                    ),
                    None => format!("The server answered {label}."),
                }
            }
        };
        found.push(Attempt {
            machine: machine_kind,
            state,
            method: method.to_string(),
            request: request_index,
            reply: reply.map(|r| r.index),
            status: reply.and_then(|r| r.status),
            text,
            outcome,
        });
    }
    found
}

/// Attempts of the same request by both machines, told once: (the attempt, "client and
/// server" or the one machine's name).
pub fn merged(attempts: &[Attempt]) -> Vec<(Attempt, String)> {
    let mut out: Vec<(Attempt, String)> = Vec::new();
    for a in attempts {
        match out
            .iter_mut()
            .find(|(b, _)| b.request == a.request && b.state == a.state)
        {
            Some((_, who)) => *who = "client and server".to_string(),
            None => out.push((a.clone(), a.machine.name().to_string())),
        }
    }
    for (a, who) in &mut out {
        if who.as_str() != "client and server" {
            continue;
        }
        // Both tables lack the edge: name both.
        a.text = a.text.replace("(RFC 2326 A.1)", "(RFC 2326 A.1 and A.2)");
    }
    out
}
