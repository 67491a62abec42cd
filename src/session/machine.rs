//! The client's and the server's state machines, as the RFCs' tables.
//!
//! RFC 2326 Appendix A: the client moves when it receives the 2xx reply to a request it sent
//! (A.1); the server moves when it sends the 2xx reply to a request it received (A.2). A 3xx
//! reply sends either machine to Init, a 4xx leaves it where it was. OPTIONS, ANNOUNCE,
//! DESCRIBE, GET_PARAMETER and SET_PARAMETER move neither. The server also leaves Playing,
//! Recording and Ready on its own when the session times out (see `tracker`).
//!
//! RFC 7826 Appendix B (RTSP/2.0) has no RECORD; PLAY_NOTIFY and REDIRECT come from the server.

use crate::model::{Machine, State};

use State::{Init, Playing, Ready, Recording};

/// One row: in `state`, a 2xx reply to `method` leads to `next`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub state: State,
    pub method: &'static str,
    pub next: State,
}

const fn row(state: State, method: &'static str, next: State) -> Row {
    Row {
        state,
        method,
        next,
    }
}

/// RFC 2326 A.1, client: state, message sent, next state after the response.
pub const RTSP1_CLIENT: &[Row] = &[
    row(Init, "SETUP", Ready),
    row(Init, "TEARDOWN", Init),
    row(Ready, "PLAY", Playing),
    row(Ready, "RECORD", Recording),
    row(Ready, "TEARDOWN", Init),
    row(Ready, "SETUP", Ready),
    row(Playing, "PAUSE", Ready),
    row(Playing, "TEARDOWN", Init),
    row(Playing, "PLAY", Playing),
    row(Playing, "SETUP", Playing), // changed transport
    row(Recording, "PAUSE", Ready),
    row(Recording, "TEARDOWN", Init),
    row(Recording, "RECORD", Recording),
    row(Recording, "SETUP", Recording), // changed transport
];

/// RFC 2326 A.2, server: state, message received, next state after its reply.
pub const RTSP1_SERVER: &[Row] = &[
    row(Init, "SETUP", Ready),
    row(Init, "TEARDOWN", Init),
    row(Ready, "PLAY", Playing),
    row(Ready, "SETUP", Ready),
    row(Ready, "TEARDOWN", Init),
    row(Ready, "RECORD", Recording),
    row(Playing, "PLAY", Playing),
    row(Playing, "PAUSE", Ready),
    row(Playing, "TEARDOWN", Init),
    row(Playing, "SETUP", Playing),
    row(Recording, "RECORD", Recording),
    row(Recording, "PAUSE", Ready),
    row(Recording, "TEARDOWN", Init),
    row(Recording, "SETUP", Recording),
];

/// RFC 7826 B.1 client and B.2 server (they agree on the requests the client sends). The
/// Play state is our Playing. PLAY_NOTIFY (end-of-stream) and REDIRECT are server requests,
/// handled by [`server_request_effect`].
pub const RTSP2_CLIENT: &[Row] = &[
    row(Init, "SETUP", Ready),
    row(Init, "TEARDOWN", Init),
    row(Ready, "PLAY", Playing),
    row(Ready, "SETUP", Ready),
    row(Ready, "TEARDOWN", Init), // Init when the last media is torn down
    row(Playing, "PAUSE", Ready),
    row(Playing, "PLAY", Playing),
    row(Playing, "SETUP", Playing),
    row(Playing, "TEARDOWN", Init),
];

pub const RTSP2_SERVER: &[Row] = RTSP2_CLIENT;

/// The methods that move neither machine (RFC 2326 A; RFC 7826 B).
pub const STATELESS_METHODS: &[&str] = &[
    "OPTIONS",
    "ANNOUNCE",
    "DESCRIBE",
    "GET_PARAMETER",
    "SET_PARAMETER",
];

/// Methods that act on a session and so need a Session header.
pub const SESSION_METHODS: &[&str] = &["PLAY", "PAUSE", "RECORD", "TEARDOWN"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Rtsp1,
    Rtsp2,
}

pub fn table(protocol: Protocol, machine: Machine) -> &'static [Row] {
    match (protocol, machine) {
        (Protocol::Rtsp1, Machine::Client) => RTSP1_CLIENT,
        (Protocol::Rtsp1, Machine::Server) => RTSP1_SERVER,
        (Protocol::Rtsp2, Machine::Client) => RTSP2_CLIENT,
        (Protocol::Rtsp2, Machine::Server) => RTSP2_SERVER,
    }
}

pub fn is_stateless(method: &str) -> bool {
    STATELESS_METHODS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// The row for `method` in `state`, if the table has one.
pub fn lookup(
    protocol: Protocol,
    machine: Machine,
    state: State,
    method: &str,
) -> Option<&'static Row> {
    table(protocol, machine)
        .iter()
        .find(|r| r.state == state && r.method.eq_ignore_ascii_case(method))
}

/// Whether the table knows the method at all (in any state): an unknown extension method moves
/// nothing and is not a state violation.
pub fn knows(protocol: Protocol, method: &str) -> bool {
    table(protocol, Machine::Client)
        .iter()
        .any(|r| r.method.eq_ignore_ascii_case(method))
}

/// What a reply with `status` to `method` does to a machine in `state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The table's next state (may equal the current one).
    Move(State),
    /// 3xx: back to Init.
    Redirected,
    /// 1xx/4xx/5xx, a stateless method, or no row for it: the state stays.
    Stay,
    /// 2xx to a request the table has no row for in this state.
    NoSuchEdge,
}

pub fn outcome(
    protocol: Protocol,
    machine: Machine,
    state: State,
    method: &str,
    status: u16,
) -> Outcome {
    if is_stateless(method) || !knows(protocol, method) {
        return Outcome::Stay;
    }
    match status {
        200..=299 => match lookup(protocol, machine, state, method) {
            Some(row) => Outcome::Move(row.next),
            None => Outcome::NoSuchEdge,
        },
        300..=399 => Outcome::Redirected,
        _ => Outcome::Stay,
    }
}

/// RTSP/2.0 requests the server sends to the client that move both machines: REDIRECT (with a
/// Terminate-Reason) ends the session; PLAY_NOTIFY with `Notify-Reason: end-of-stream` ends
/// playback.
pub fn server_request_effect(
    state: State,
    method: &str,
    notify_reason: Option<&str>,
) -> Option<State> {
    if method.eq_ignore_ascii_case("REDIRECT") {
        return Some(Init);
    }
    if method.eq_ignore_ascii_case("PLAY_NOTIFY")
        && state == Playing
        && notify_reason.is_some_and(|r| r.trim().eq_ignore_ascii_case("end-of-stream"))
    {
        return Some(Ready);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of both RTSP/1.0 tables, as RFC 2326 A.1 and A.2 print them.
    #[test]
    fn rfc2326_tables_walk_every_row() {
        let rows_a1 = [
            (Init, "SETUP", Ready),
            (Init, "TEARDOWN", Init),
            (Ready, "PLAY", Playing),
            (Ready, "RECORD", Recording),
            (Ready, "TEARDOWN", Init),
            (Ready, "SETUP", Ready),
            (Playing, "PAUSE", Ready),
            (Playing, "TEARDOWN", Init),
            (Playing, "PLAY", Playing),
            (Playing, "SETUP", Playing),
            (Recording, "PAUSE", Ready),
            (Recording, "TEARDOWN", Init),
            (Recording, "RECORD", Recording),
            (Recording, "SETUP", Recording),
        ];
        for (state, method, next) in rows_a1 {
            for machine in [Machine::Client, Machine::Server] {
                assert_eq!(
                    outcome(Protocol::Rtsp1, machine, state, method, 200),
                    Outcome::Move(next),
                    "{machine:?} {state} {method}"
                );
            }
        }
        assert_eq!(RTSP1_CLIENT.len(), rows_a1.len());
        assert_eq!(RTSP1_SERVER.len(), rows_a1.len());
    }

    #[test]
    fn rfc7826_table_walks_every_row() {
        for row in RTSP2_CLIENT {
            assert_eq!(
                outcome(Protocol::Rtsp2, Machine::Client, row.state, row.method, 200),
                Outcome::Move(row.next)
            );
        }
        assert_eq!(
            outcome(Protocol::Rtsp2, Machine::Client, Ready, "RECORD", 200),
            Outcome::Stay,
            "RTSP/2.0 has no RECORD"
        );
    }

    #[test]
    fn missing_edges_are_reported() {
        for (state, method) in [
            (Init, "PLAY"),
            (Init, "PAUSE"),
            (Init, "RECORD"),
            (Ready, "PAUSE"),
            (Playing, "RECORD"),
            (Recording, "PLAY"),
        ] {
            assert_eq!(
                outcome(Protocol::Rtsp1, Machine::Client, state, method, 200),
                Outcome::NoSuchEdge,
                "{state} {method}"
            );
            assert!(lookup(Protocol::Rtsp1, Machine::Server, state, method).is_none());
        }
    }

    #[test]
    fn redirect_sends_to_init_and_4xx_5xx_stay() {
        for state in State::ALL {
            assert_eq!(
                outcome(Protocol::Rtsp1, Machine::Client, state, "PLAY", 302),
                Outcome::Redirected
            );
            assert_eq!(
                outcome(Protocol::Rtsp1, Machine::Server, state, "PLAY", 455),
                Outcome::Stay
            );
            assert_eq!(
                outcome(Protocol::Rtsp1, Machine::Server, state, "PLAY", 503),
                Outcome::Stay
            );
        }
    }

    #[test]
    fn stateless_methods_move_nothing() {
        for method in STATELESS_METHODS {
            for state in State::ALL {
                assert_eq!(
                    outcome(Protocol::Rtsp1, Machine::Client, state, method, 200),
                    Outcome::Stay
                );
                assert_eq!(
                    outcome(Protocol::Rtsp1, Machine::Client, state, method, 302),
                    Outcome::Stay
                );
            }
        }
        assert_eq!(
            outcome(Protocol::Rtsp1, Machine::Client, Init, "X-VENDOR", 200),
            Outcome::Stay
        );
    }

    #[test]
    fn rtsp2_server_requests() {
        assert_eq!(
            server_request_effect(Playing, "PLAY_NOTIFY", Some("end-of-stream")),
            Some(Ready)
        );
        assert_eq!(
            server_request_effect(Playing, "PLAY_NOTIFY", Some("scale-change")),
            None
        );
        assert_eq!(server_request_effect(Ready, "REDIRECT", None), Some(Init));
    }
}
