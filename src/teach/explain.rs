//! One message explained: what it asks (or answers) and why the client sends it at this point,
//! its headers with their actual values, what its status means, what it did to each machine,
//! and where in the RFC it comes from. Built from the model only.

use crate::model::{
    Direction, Finding, Machine, Message, MessageKind, Model, Session, Severity, State,
};
use crate::session::machine::{self, Outcome, Protocol};
use crate::teach::checklist::StepKind;
use crate::teach::edges::{self, Attempt};
use crate::teach::headers::{self, HeaderNote};
use crate::teach::{lessons, rfc, sdp};

/// A finding on the message, with why it matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    pub severity: Severity,
    pub code: String,
    pub text: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub index: usize,
    /// "SETUP: set up one stream" or "200 OK to SETUP".
    pub title: String,
    /// The step of the simple exchange it belongs to.
    pub step: Option<StepKind>,
    /// "RFC 2326 §10.4".
    pub reference: Option<String>,
    /// What it asks or answers, and why now: a few short paragraphs.
    pub about: Vec<String>,
    /// For a reply: what its status means.
    pub status: Option<String>,
    pub headers: Vec<HeaderNote>,
    /// What it did to each machine.
    pub effect: Vec<String>,
    pub attempts: Vec<Attempt>,
    pub lessons: Vec<Lesson>,
}

/// The explanation of message `index`; None when there is no such message.
pub fn explain(model: &Model, index: usize) -> Option<Explanation> {
    let message = model.messages.get(index)?;
    let protocol = rfc::protocol_of(message.version);
    let pair = message.pair.and_then(|p| model.messages.get(p));
    let session = message.session_index.and_then(|s| model.sessions.get(s));
    let request = match message.kind {
        MessageKind::Request => Some(message),
        MessageKind::Response => pair,
    };
    let method = request.and_then(|r| r.method.as_deref()).unwrap_or("?");
    let step = step_of(method, message, session, model);

    let creates_session = message.kind == MessageKind::Response
        && message.session.is_some()
        && session.is_some_and(|s| {
            s.messages
                .iter()
                .copied()
                .filter(|&m| m < index)
                .filter_map(|m| model.messages.get(m))
                .all(|m| m.kind == MessageKind::Request || m.session.is_none())
        });
    let context = headers::Context {
        protocol,
        message,
        pair,
        creates_session,
    };

    let (title, about) = match message.kind {
        MessageKind::Request => (
            format!("{method}: {}", purpose(method)),
            request_about(model, message, session, protocol),
        ),
        MessageKind::Response => (
            format!("{} to {method}", message.label()),
            reply_about(model, message, pair, session, protocol),
        ),
    };
    let status = match (message.kind, message.status) {
        (MessageKind::Response, Some(code)) => Some(format!(
            "{code} {}: {} ({})",
            message.reason.as_deref().unwrap_or(""),
            status_meaning(code),
            rfc::status(protocol, code)
        )),
        _ => None,
    };
    let reference = rfc::method(protocol, method);
    let lessons = model
        .findings_for_message(index)
        .map(|f| lesson(protocol, f))
        .collect();
    Some(Explanation {
        index,
        title,
        step,
        reference,
        about,
        status,
        headers: headers::notes(&context),
        effect: effect(model, message, pair, session, protocol),
        attempts: edges::attempts_at(model, index),
        lessons,
    })
}

fn lesson(protocol: Protocol, finding: &Finding) -> Lesson {
    Lesson {
        severity: finding.severity,
        code: finding.code.clone(),
        text: finding.text.clone(),
        why: lessons::why(protocol, finding),
    }
}

fn step_of(
    method: &str,
    message: &Message,
    session: Option<&Session>,
    model: &Model,
) -> Option<StepKind> {
    let before_setup = || {
        let Some(session) = session else {
            return true;
        };
        let request = match message.kind {
            MessageKind::Request => message.index,
            MessageKind::Response => message.pair.unwrap_or(message.index),
        };
        !session.messages.iter().any(|&m| {
            m < request && model.messages.get(m).and_then(|m| m.method.as_deref()) == Some("SETUP")
        })
    };
    match method {
        "OPTIONS" if before_setup() => Some(StepKind::Options),
        "DESCRIBE" if before_setup() => Some(StepKind::Describe),
        "SETUP" => Some(StepKind::Setup),
        "PLAY" | "RECORD" => Some(StepKind::Play),
        "TEARDOWN" => Some(StepKind::Teardown),
        _ => None,
    }
}

/// What a method is for, in a few words.
pub fn purpose(method: &str) -> &'static str {
    match method {
        "OPTIONS" => "which methods does the server support?",
        "DESCRIBE" => "what is there to play?",
        "ANNOUNCE" => "here is what I am going to send",
        "SETUP" => "prepare one stream and agree how it travels",
        "PLAY" => "start sending",
        "PAUSE" => "stop sending for now, keep the session",
        "RECORD" => "start receiving what I send",
        "TEARDOWN" => "end the session",
        "GET_PARAMETER" => "read a parameter (or just: I am still here)",
        "SET_PARAMETER" => "set a parameter",
        "REDIRECT" => "go elsewhere",
        "PLAY_NOTIFY" => "something happened to the playback",
        _ => "a method this tool does not explain",
    }
}

/// What a status code means, in a sentence.
pub fn status_meaning(status: u16) -> &'static str {
    match status {
        100 => "keep waiting, the real reply follows",
        200 => "success: the server did what was asked",
        250 => "success, but the server is low on storage space",
        301 => "moved for good: the resource is at the Location given",
        302 => "moved for now: the resource is at the Location given",
        s if (300..=399).contains(&s) => "redirection: go elsewhere (Location header)",
        400 => "the server could not read the request",
        401 => "credentials needed: the server asks who is asking (WWW-Authenticate)",
        403 => "forbidden: the server will not do it, credentials or not",
        404 => "no presentation or stream at this URL",
        405 => "the method is not allowed on this resource (Allow lists what is)",
        406 => "the server cannot answer in a format the client accepts",
        407 => "credentials for the proxy needed",
        408 => "the server waited too long for the request",
        451 => "the server does not understand a parameter of the request",
        453 => "not enough bandwidth for the stream",
        454 => "no session with this ID: never given, torn down, or timed out",
        455 => "the request is not valid in the session's current state",
        456 => "a header of the request cannot be applied to this resource",
        457 => "the Range is outside the presentation",
        458 => "the parameter can be read, not set",
        459 => "this method cannot be applied to the whole presentation here",
        460 => "this method only works on the whole presentation (the aggregate URL)",
        461 => "none of the offered transports is supported",
        462 => "the server cannot reach the destination given",
        s if (400..=499).contains(&s) => "the request was refused (a client error)",
        500 => "the server failed",
        501 => "the server does not implement this method",
        503 => "the server is unavailable for now",
        505 => "the server does not speak this RTSP version",
        551 => "an option the client required is not supported",
        s if (500..=599).contains(&s) => "the server failed (a server error)",
        _ => "a status code this tool does not explain",
    }
}

/// The session's messages in capture order.
fn session_messages(session: &Session) -> Vec<usize> {
    let mut messages = session.messages.clone();
    messages.sort_unstable();
    messages.dedup();
    messages
}

/// The same-method requests of the session up to and including `message`: (its place, how many).
fn place(model: &Model, session: &Session, message: &Message) -> (usize, usize) {
    let method = message.method.as_deref();
    let same: Vec<usize> = session_messages(session)
        .into_iter()
        .filter(|&m| {
            model
                .messages
                .get(m)
                .is_some_and(|x| x.kind == MessageKind::Request && x.method.as_deref() == method)
        })
        .collect();
    let at = same.iter().position(|&m| m == message.index).unwrap_or(0);
    (at + 1, same.len())
}

/// The SDP streams of the last successful DESCRIBE (or ANNOUNCE) reply before `index`.
fn described_streams(
    model: &Model,
    session: &Session,
    index: usize,
) -> Option<(usize, Vec<sdp::Stream>)> {
    session_messages(session)
        .into_iter()
        .rev()
        .filter(|&m| m < index)
        .filter_map(|m| model.messages.get(m))
        .find_map(|m| {
            let body = m.body.as_deref()?;
            let streams = sdp::streams(body);
            (!streams.is_empty()).then_some((m.index, streams))
        })
}

fn ordinal(n: usize) -> String {
    match n {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        4 => "fourth".into(),
        n => format!("{n}th"),
    }
}

fn request_about(
    model: &Model,
    message: &Message,
    session: Option<&Session>,
    protocol: Protocol,
) -> Vec<String> {
    let method = message.method.as_deref().unwrap_or("?");
    let mut about = Vec::new();
    let sender = match message.direction {
        Direction::ClientToServer => "The client",
        Direction::ServerToClient => "The server",
    };
    let general = match method {
        "OPTIONS" => format!(
            "{sender} asks the server which methods it supports; the reply lists them in its \
             Public header. It changes nothing on either side. It is usually the first \
             request (step 1), and optional."
        ),
        "DESCRIBE" => format!(
            "{sender} asks for the description of the presentation at this URL: which \
             streams it has (video, audio), their codecs, and the URL to set each one up. \
             The answer is usually SDP. It changes nothing on either side; the client needs \
             it to know what to SETUP (step 2)."
        ),
        "SETUP" => format!(
            "{sender} asks the server to prepare one stream and proposes how its packets \
             will travel (the Transport header). The first successful SETUP creates the \
             session: the reply carries its Session ID. Step 3: without it nothing can play."
        ),
        "PLAY" => format!(
            "{sender} asks the server to start sending the media of the session. Once the \
             server answers 200, both sides are in Playing and RTP packets flow. Step 4: \
             without it nothing plays."
        ),
        "PAUSE" => format!(
            "{sender} asks the server to stop sending for now. The session and its streams \
             stay set up (both sides go back to Ready), so PLAY can resume later."
        ),
        "TEARDOWN" => format!(
            "{sender} ends the session: the server stops the streams and frees what it held \
             for them. Both sides go back to Init. Step 6, the polite goodbye."
        ),
        "GET_PARAMETER" => format!(
            "{sender} asks for the value of a parameter. With no body it asks nothing: it is \
             a keep-alive, a request in the session that restarts the server's timeout."
        ),
        "SET_PARAMETER" => {
            format!("{sender} sets the value of a parameter of the presentation or a stream.")
        }
        "ANNOUNCE" => format!(
            "{sender} sends the description (SDP) of media it is about to send to the server \
             (publishing, followed by RECORD)."
        ),
        "RECORD" => format!(
            "{sender} starts sending media to the server, which records (or relays) it: the \
             publishing counterpart of PLAY."
        ),
        "REDIRECT" => {
            format!("{sender} tells the other side to go to another server or URL (Location).")
        }
        "PLAY_NOTIFY" => format!(
            "{sender} tells the client that something happened to the playback (the \
             Notify-Reason header), e.g. the end of the stream."
        ),
        other => format!("{sender} sends {other}, a method outside RFC 2326 and RFC 7826."),
    };
    about.push(general);
    if message.url.as_deref() == Some("*") {
        about.push("The URL * means the server as a whole, not one stream.".to_string());
    }
    let Some(session) = session else {
        return about;
    };
    let (at, of) = place(model, session, message);
    let states = message.states_after;
    match method {
        "SETUP" => {
            let mut text = if of > 1 {
                format!("This is SETUP {at} of {of} in this session")
            } else {
                "This is the session's only SETUP".to_string()
            };
            if let Some((describe, streams)) = described_streams(model, session, message.index) {
                let url = message.url.as_deref().unwrap_or("");
                let which = streams.iter().position(|s| {
                    s.control
                        .as_deref()
                        .is_some_and(|c| url.ends_with(c.trim_start_matches('/')))
                });
                text.push_str(&format!(
                    ". The description (#{describe}) lists {} stream{}: {}",
                    streams.len(),
                    if streams.len() == 1 { "" } else { "s" },
                    sdp::describe(&streams)
                ));
                if let Some(w) = which {
                    text.push_str(&format!(
                        "; this SETUP is for the {} ({})",
                        ordinal(w + 1),
                        streams[w].kind
                    ));
                }
                text.push_str(". A client sets up each stream it wants, one SETUP per stream.");
            } else {
                text.push_str(
                    ". No description came before it in this session: the client knew the \
                     stream's URL some other way.",
                );
            }
            if message.session.is_some() {
                text.push_str(
                    " It names the session, so this stream joins the one the first SETUP created.",
                );
            }
            about.push(text);
        }
        "PLAY" => {
            let setups = session_messages(session)
                .into_iter()
                .filter(|&m| m < message.index)
                .filter(|&m| {
                    model.messages.get(m).is_some_and(|x| {
                        x.method.as_deref() == Some("SETUP")
                            && x.pair
                                .and_then(|p| model.messages.get(p))
                                .and_then(|r| r.status)
                                .is_some_and(|s| (200..300).contains(&s))
                    })
                })
                .count();
            let aggregate = message.url.as_deref() == Some(session.url.as_str())
                || message.url.as_deref().is_some_and(|u| u.ends_with('/'));
            let mut text = format!(
                "{setups} stream{} set up so far",
                if setups == 1 { " is" } else { "s are" }
            );
            if aggregate && setups > 1 {
                text.push_str(
                    "; this PLAY uses the aggregate URL (the presentation's), so it starts \
                     all of them together, in sync.",
                );
            } else {
                text.push('.');
            }
            if at > 1 {
                text.push_str(&format!(
                    " This is PLAY {at} of {of}: it resumes (or restarts) playback."
                ));
            }
            about.push(text);
        }
        "OPTIONS" | "GET_PARAMETER"
            if message.session.is_some() && states.is_some_and(|(c, _)| c != State::Init) =>
        {
            let previous = session_messages(session)
                .into_iter()
                .rev()
                .filter(|&m| m < message.index)
                .filter_map(|m| model.messages.get(m))
                .find(|m| m.kind == MessageKind::Request);
            let gap = previous
                .map(|p| format!(" {:.1} s after the previous request", message.time - p.time))
                .unwrap_or_default();
            about.push(format!(
                "Here it carries the Session ID while the session is {}: a keep-alive,{gap}. \
                 The server forgets a session after {} s without hearing from the client.",
                states.map(|(c, _)| c.name()).unwrap_or("set up"),
                session.timeout
            ));
        }
        "TEARDOWN" => {
            let played = session_messages(session)
                .into_iter()
                .filter_map(|m| model.messages.get(m))
                .find(|m| {
                    m.kind == MessageKind::Response
                        && m.status.is_some_and(|s| (200..300).contains(&s))
                        && m.pair
                            .and_then(|p| model.messages.get(p))
                            .and_then(|r| r.method.as_deref())
                            .is_some_and(|x| x == "PLAY" || x == "RECORD")
                });
            if let Some(played) = played {
                about.push(format!(
                    "It comes {:.1} s after the media started (#{}).",
                    message.time - played.time,
                    played.index
                ));
            }
            if at > 1 {
                about.push(format!(
                    "A TEARDOWN again ({at} of {of}): the session is already over."
                ));
            }
        }
        _ => {}
    }
    let _ = protocol;
    about
}

fn reply_about(
    model: &Model,
    message: &Message,
    request: Option<&Message>,
    session: Option<&Session>,
    protocol: Protocol,
) -> Vec<String> {
    let mut about = Vec::new();
    let Some(request) = request else {
        about.push("A reply whose request is not in the capture.".to_string());
        return about;
    };
    let method = request.method.as_deref().unwrap_or("?");
    let cseq = request
        .cseq
        .map(|c| format!(", CSeq {c}"))
        .unwrap_or_default();
    about.push(format!(
        "The server's reply to {method} #{}{cseq}, {} after it.",
        request.index,
        duration(message.time - request.time)
    ));
    let ok = message.status.is_some_and(|s| (200..300).contains(&s));
    if ok {
        let text = match method {
            "OPTIONS" => "It lists the server's methods in Public.".to_string(),
            "DESCRIBE" => match message.body.as_deref().map(sdp::streams) {
                Some(streams) if !streams.is_empty() => format!(
                    "The body describes {} stream{}: {}. Next the client sets up each one it \
                     wants (step 3).",
                    streams.len(),
                    if streams.len() == 1 { "" } else { "s" },
                    sdp::describe(&streams)
                ),
                _ => "The body is the description.".to_string(),
            },
            "SETUP" => {
                let url = request.url.as_deref().unwrap_or("the stream");
                let mut text = format!("The stream {url} is set up.");
                if message.session.is_some()
                    && session.is_some_and(|s| {
                        s.messages.iter().filter(|&&m| m < message.index).all(|&m| {
                            model.messages.get(m).is_none_or(|x| {
                                x.kind == MessageKind::Request || x.session.is_none()
                            })
                        })
                    })
                {
                    text.push_str(" This reply creates the session.");
                }
                text
            }
            "PLAY" | "RECORD" => {
                let media = session
                    .map(|s| s.media.rtp_packets + s.media.rtcp_packets)
                    .unwrap_or(0);
                let interleaved: u64 = session
                    .map(|s| {
                        s.connections
                            .iter()
                            .filter_map(|id| model.connections.iter().find(|c| c.id == *id))
                            .map(|c| c.interleaved_frames)
                            .sum()
                    })
                    .unwrap_or(0);
                let count = if media > 0 {
                    format!(" This session carried {media} RTP/RTCP packets over UDP.")
                } else if interleaved > 0 {
                    format!(
                        " {interleaved} RTP/RTCP packets travel inside the RTSP connection \
                         ({}).",
                        rfc::interleaved(protocol)
                    )
                } else {
                    String::new()
                };
                if method == "PLAY" {
                    format!("The media starts flowing (step 5).{count}")
                } else {
                    format!("The client starts sending its media.{count}")
                }
            }
            "PAUSE" => "The server stops sending; the session stays.".to_string(),
            "TEARDOWN" => "The session is over: the server has freed its streams.".to_string(),
            _ => String::new(),
        };
        if !text.is_empty() {
            about.push(text);
        }
    } else if let Some(status) = message.status {
        let hint = match status {
            401 => "The client is expected to send the request again, with credentials.",
            454 if method == "PLAY" && request.session.is_none() => {
                "There is no session before a successful SETUP, so there is nothing to PLAY."
            }
            455 => "Refused because of the state: see the attempted edge below.",
            460 => "Use the aggregate URL, the one that controls the whole presentation.",
            _ => "",
        };
        if !hint.is_empty() {
            about.push(hint.to_string());
        }
    }
    about
}

fn duration(seconds: f64) -> String {
    let s = seconds.abs();
    if s < 1e-3 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn effect(
    model: &Model,
    message: &Message,
    pair: Option<&Message>,
    session: Option<&Session>,
    protocol: Protocol,
) -> Vec<String> {
    let Some(session) = session else {
        return vec!["It belongs to no session, so it moves no state machine.".to_string()];
    };
    let mut effect = Vec::new();
    // A machine that moved on its own since the previous message: the server's timeout.
    let previous_time = session_messages(session)
        .into_iter()
        .filter(|&m| m < message.index)
        .filter_map(|m| model.messages.get(m))
        .map(|m| m.time)
        .next_back();
    for t in session.transitions.iter().filter(|t| t.message.is_none()) {
        if previous_time.is_some_and(|p| t.time > p) && t.time <= message.time {
            effect.push(format!(
                "Before this message, at {:.3} s, the {} went {} → {} on its own: {}.",
                t.time,
                t.machine.name(),
                t.from,
                t.to,
                t.cause
            ));
        }
    }
    match message.kind {
        MessageKind::Request => {
            let states = message
                .states_after
                .map(|(c, s)| format!(" (client {c}, server {s})"))
                .unwrap_or_default();
            effect.push(format!(
                "A request moves nothing by itself{states}: the client moves when it receives \
                 a 2xx reply, the server when it sends one."
            ));
        }
        MessageKind::Response => {
            let Some(request) = pair else {
                return effect;
            };
            let method = request.method.as_deref().unwrap_or("?");
            let before = edges::states_before(model, session, message.index);
            let after = message.states_after.unwrap_or(before);
            let status = message.status.unwrap_or(0);
            for machine_kind in [Machine::Client, Machine::Server] {
                let (from, to) = match machine_kind {
                    Machine::Client => (before.0, after.0),
                    Machine::Server => (before.1, after.1),
                };
                let who = match machine_kind {
                    Machine::Client => "Client",
                    Machine::Server => "Server",
                };
                let table = rfc::table(protocol, machine_kind);
                let text = match machine::outcome(protocol, machine_kind, from, method, status) {
                    Outcome::Move(next) if next == to && from != to => format!(
                        "{who}: {from} → {to}. {table}: in {from}, a 2xx to {method} leads to {to}."
                    ),
                    Outcome::Move(next) if next == to => format!(
                        "{who}: stays {from}. {table} has the row {from}, {method} → {from}."
                    ),
                    Outcome::Redirected => {
                        format!("{who}: {from} → {to}. A 3xx reply sends the machine back to Init.")
                    }
                    Outcome::Stay if machine::is_stateless(method) => format!(
                        "{who}: stays {to}. {method} moves neither machine ({} App. {}).",
                        rfc::name(protocol),
                        if protocol == Protocol::Rtsp1 {
                            "A"
                        } else {
                            "B"
                        }
                    ),
                    Outcome::Stay if status >= 400 => {
                        format!("{who}: stays {to}. A {status} reply leaves the state as it was.")
                    }
                    Outcome::NoSuchEdge => {
                        format!("{who}: stays {to}. {table} has no {method} edge out of {from}.")
                    }
                    _ if from != to => format!("{who}: {from} → {to}."),
                    _ => format!("{who}: stays {to}."),
                };
                effect.push(text);
            }
        }
    }
    effect
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_meaning() {
        for status in [200, 302, 401, 404, 454, 455, 460, 461, 501, 599] {
            assert!(
                !status_meaning(status).contains("does not explain"),
                "{status}"
            );
        }
    }
}
