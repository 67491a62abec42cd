//! The six steps of the simple RTSP exchange, checked against a real session: 1 OPTIONS,
//! 2 DESCRIBE, 3 SETUP, 4 PLAY, 5 media over RTP, 6 TEARDOWN (3 and 4 are the ones a session
//! cannot do without), with what the session did differently named: a step skipped, repeated,
//! refused, or missing.

use crate::model::{Direction, MessageKind, Model, Session};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Options,
    Describe,
    Setup,
    Play,
    Media,
    Teardown,
}

impl StepKind {
    pub const ALL: [StepKind; 6] = [
        StepKind::Options,
        StepKind::Describe,
        StepKind::Setup,
        StepKind::Play,
        StepKind::Media,
        StepKind::Teardown,
    ];

    pub fn number(self) -> usize {
        StepKind::ALL.iter().position(|&s| s == self).unwrap_or(0) + 1
    }

    pub fn title(self) -> &'static str {
        match self {
            StepKind::Options => "OPTIONS",
            StepKind::Describe => "DESCRIBE",
            StepKind::Setup => "SETUP",
            StepKind::Play => "PLAY",
            StepKind::Media => "media over RTP",
            StepKind::Teardown => "TEARDOWN",
        }
    }

    /// What the step is for, in a few words.
    pub fn purpose(self) -> &'static str {
        match self {
            StepKind::Options => "which methods does the server offer?",
            StepKind::Describe => "what streams are there? (SDP)",
            StepKind::Setup => "set up each stream; the session starts",
            StepKind::Play => "start sending",
            StepKind::Media => "RTP packets flow, RTCP reports",
            StepKind::Teardown => "end the session",
        }
    }

    /// Steps 3 and 4: without them nothing plays. OPTIONS can be skipped when both sides know
    /// what the other supports, DESCRIBE when the description arrived some other way.
    pub fn mandatory(self) -> bool {
        matches!(self, StepKind::Setup | StepKind::Play)
    }

    fn method(self) -> Option<&'static str> {
        match self {
            StepKind::Options => Some("OPTIONS"),
            StepKind::Describe => Some("DESCRIBE"),
            StepKind::Setup => Some("SETUP"),
            StepKind::Play => Some("PLAY"),
            StepKind::Media => None,
            StepKind::Teardown => Some("TEARDOWN"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A 2xx reply completed it.
    Done,
    /// Not there where the simple exchange has it (OPTIONS, DESCRIBE before SETUP).
    Skipped,
    /// Tried, but never succeeded.
    Refused,
    /// Never tried (or, for TEARDOWN, sent without a reply).
    Missing,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Skipped => "skipped",
            Status::Refused => "refused",
            Status::Missing => "missing",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviationKind {
    Skipped,
    Repeated,
    Refused,
    Missing,
    /// Sent later than step order has it (a keep-alive OPTIONS after PLAY).
    Later,
    /// RECORD instead of PLAY: the client sends the media.
    Instead,
}

impl DeviationKind {
    pub fn name(self) -> &'static str {
        match self {
            DeviationKind::Skipped => "skipped",
            DeviationKind::Repeated => "repeated",
            DeviationKind::Refused => "refused",
            DeviationKind::Missing => "missing",
            DeviationKind::Later => "later",
            DeviationKind::Instead => "instead",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviation {
    pub kind: DeviationKind,
    pub text: String,
    /// The message it is about, to select it.
    pub message: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: StepKind,
    pub status: Status,
    /// The requests of this step (for media: none).
    pub requests: Vec<usize>,
    /// The message that completed it (the 2xx reply; for media the reply that started it).
    pub done_by: Option<usize>,
    /// From which message on the outcome is known, for ticking while stepping: the completing
    /// reply, the first SETUP for a skipped step, None (the end) for a missing one.
    pub known_at: Option<usize>,
    pub deviations: Vec<Deviation>,
}

/// The checklist of one session.
pub fn checklist(model: &Model, session: &Session) -> Vec<Step> {
    let messages = model.session_messages(session);
    let requests: Vec<usize> = messages
        .iter()
        .copied()
        .filter(|&m| {
            let message = &model.messages[m];
            message.kind == MessageKind::Request && message.direction == Direction::ClientToServer
        })
        .collect();
    let method_of = |m: usize| model.messages[m].method.as_deref().unwrap_or("");
    let reply_of = |m: usize| {
        model.messages[m]
            .pair
            .and_then(|p| model.messages.get(p))
            .filter(|r| r.kind == MessageKind::Response)
    };
    let ok = |m: usize| {
        reply_of(m)
            .and_then(|r| r.status)
            .is_some_and(|s| (200..300).contains(&s))
    };
    let first_setup = requests.iter().copied().find(|&m| method_of(m) == "SETUP");
    let play_like = |m: usize| matches!(method_of(m), "PLAY" | "RECORD");

    let last = messages.last().copied();
    let mut steps: Vec<Step> = StepKind::ALL
        .into_iter()
        .map(|kind| match kind.method() {
            None => media_step(model, session, &requests, &play_like, &ok),
            Some(method) => {
                // A publishing session (RECORD, no PLAY) does its step 4 with RECORD.
                let records_only = kind == StepKind::Play
                    && !requests.iter().any(|&m| method_of(m) == "PLAY")
                    && requests.iter().any(|&m| method_of(m) == "RECORD");
                let all: Vec<usize> = requests
                    .iter()
                    .copied()
                    .filter(|&m| {
                        method_of(m) == method || (records_only && method_of(m) == "RECORD")
                    })
                    .collect();
                // OPTIONS and DESCRIBE count as steps 1 and 2 only before the first SETUP;
                // after it they are keep-alives or a new look.
                let in_place: Vec<usize> = match kind {
                    StepKind::Options | StepKind::Describe => all
                        .iter()
                        .copied()
                        .filter(|&m| first_setup.is_none_or(|s| m < s))
                        .collect(),
                    _ => all.clone(),
                };
                let mut step = Step {
                    kind,
                    status: Status::Missing,
                    requests: in_place.clone(),
                    done_by: None,
                    known_at: None,
                    deviations: Vec::new(),
                };
                let first_ok = in_place.iter().copied().find(|&m| ok(m));
                if let Some(m) = first_ok {
                    step.status = Status::Done;
                    step.done_by = reply_of(m).map(|r| r.index);
                    step.known_at = step.done_by;
                }
                // Refusals before (or instead of) success: 401 then a retry, 455, 461...
                for &m in &in_place {
                    if let Some(reply) = reply_of(m)
                        && reply.status.is_some_and(|s| s >= 300)
                    {
                        let retried = in_place.iter().any(|&later| {
                            later > m && method_of(later) == method_of(m) && ok(later)
                        });
                        let why = refusal(reply.status.unwrap_or(0));
                        step.deviations.push(Deviation {
                            kind: DeviationKind::Refused,
                            text: format!(
                                "{} #{} refused: {}{why}{}",
                                method_of(m),
                                m,
                                reply.label(),
                                if retried {
                                    if reply.status == Some(401) || reply.status == Some(407) {
                                        "; sent again with credentials, and it worked"
                                    } else {
                                        "; sent again, and it worked"
                                    }
                                } else {
                                    ""
                                }
                            ),
                            message: Some(reply.index),
                        });
                    }
                }
                if step.status != Status::Done && !in_place.is_empty() {
                    step.status = if in_place.iter().any(|&m| reply_of(m).is_some()) {
                        Status::Refused
                    } else {
                        Status::Missing
                    };
                }
                match kind {
                    StepKind::Options | StepKind::Describe if in_place.is_empty() => {
                        step.status = Status::Skipped;
                        step.known_at = first_setup;
                        let why = if kind == StepKind::Options {
                            "the client went on without asking which methods the server \
                             supports (allowed: OPTIONS is optional)"
                        } else {
                            "the client set up the stream without asking for its \
                             description: it knew the stream's URL some other way"
                        };
                        step.deviations.push(Deviation {
                            kind: DeviationKind::Skipped,
                            text: format!("skipped: {why}"),
                            message: first_setup,
                        });
                    }
                    _ => {}
                }
                let later: Vec<usize> = all
                    .iter()
                    .copied()
                    .filter(|m| !in_place.contains(m))
                    .collect();
                if !later.is_empty() {
                    let what = if kind == StepKind::Options && later.len() == 1 {
                        "as a keep-alive, which resets the server's session timer"
                    } else if kind == StepKind::Options {
                        "as keep-alives, which reset the server's session timer"
                    } else {
                        "after SETUP"
                    };
                    step.deviations.push(Deviation {
                        kind: DeviationKind::Later,
                        text: format!(
                            "sent {} more time{} later ({}), {what}",
                            later.len(),
                            if later.len() == 1 { "" } else { "s" },
                            list(&later)
                        ),
                        message: later.first().copied(),
                    });
                }
                let successes: Vec<usize> = in_place.iter().copied().filter(|&m| ok(m)).collect();
                if successes.len() > 1 {
                    let text = match kind {
                        StepKind::Setup => {
                            let urls: Vec<String> = successes
                                .iter()
                                .map(|&m| {
                                    let url = model.messages[m].url.as_deref().unwrap_or("?");
                                    url.rsplit('/').next().unwrap_or(url).to_string()
                                })
                                .collect();
                            format!(
                                "repeated: {} SETUPs, one per stream ({})",
                                successes.len(),
                                urls.join(", ")
                            )
                        }
                        StepKind::Play => format!(
                            "repeated: {} times ({}), e.g. to resume after a PAUSE",
                            successes.len(),
                            list(&successes)
                        ),
                        _ => format!("repeated: {} times ({})", successes.len(), list(&successes)),
                    };
                    step.deviations.push(Deviation {
                        kind: DeviationKind::Repeated,
                        text,
                        message: successes.get(1).copied(),
                    });
                }
                if records_only {
                    step.deviations.push(Deviation {
                        kind: DeviationKind::Instead,
                        text: "RECORD instead of PLAY: the client publishes, and the media \
                               flows to the server"
                            .to_string(),
                        message: in_place.iter().copied().find(|&m| method_of(m) == "RECORD"),
                    });
                }
                if kind == StepKind::Teardown {
                    teardown_deviations(model, session, &mut step, &in_place, &reply_of);
                } else if step.status == Status::Missing && in_place.is_empty() {
                    step.deviations.push(Deviation {
                        kind: DeviationKind::Missing,
                        text: if kind.mandatory() {
                            format!("missing: no {method}, so nothing can play")
                        } else {
                            format!("missing: no {method}")
                        },
                        message: None,
                    });
                }
                step
            }
        })
        .collect();
    // What never happened is known once the session's last message is reached.
    for step in &mut steps {
        if step.known_at.is_none() {
            step.known_at = last;
        }
    }
    steps
}

fn teardown_deviations<'m>(
    model: &'m Model,
    session: &Session,
    step: &mut Step,
    requests: &[usize],
    reply_of: &dyn Fn(usize) -> Option<&'m crate::model::Message>,
) {
    if requests.is_empty() {
        let timed_out = session
            .transitions
            .iter()
            .find(|t| t.message.is_none() && t.to == crate::model::State::Init);
        let text = match timed_out {
            Some(t) => format!(
                "missing: no TEARDOWN; the server timed the session out at {:.1} s",
                t.time
            ),
            None => format!(
                "missing: no TEARDOWN; the session is left to time out ({} s without a \
                 request or RTCP)",
                session.timeout
            ),
        };
        step.deviations.push(Deviation {
            kind: DeviationKind::Missing,
            text,
            message: None,
        });
        return;
    }
    if let Some(t) = session
        .transitions
        .iter()
        .find(|t| t.message.is_none() && t.to == crate::model::State::Init)
        && requests.iter().any(|&m| model.messages[m].time > t.time)
    {
        step.deviations.push(Deviation {
            kind: DeviationKind::Refused,
            text: format!(
                "too late: the server had already timed the session out at {:.1} s",
                t.time
            ),
            message: requests.first().copied(),
        });
    }
    for &m in requests {
        if reply_of(m).is_none() {
            let ended = model
                .connections
                .iter()
                .find(|c| c.id == model.messages[m].connection)
                .and_then(|c| c.ended.clone());
            let how = match ended.as_deref() {
                Some("RST") => "; the client reset the connection right after sending it",
                Some("FIN") => "; the connection was closed",
                _ => "",
            };
            step.deviations.push(Deviation {
                kind: DeviationKind::Missing,
                text: format!(
                    "TEARDOWN #{m} got no reply in the capture{how}: the client never \
                     learned whether the server ended the session"
                ),
                message: Some(m),
            });
            if step.status == Status::Missing {
                // Sent: the client's machine goes to Init anyway (it expects no more).
                step.known_at = Some(m);
            }
        }
    }
}

fn media_step(
    model: &Model,
    session: &Session,
    requests: &[usize],
    play_like: &dyn Fn(usize) -> bool,
    ok: &dyn Fn(usize) -> bool,
) -> Step {
    let started = requests
        .iter()
        .copied()
        .find(|&m| play_like(m) && ok(m))
        .and_then(|m| model.messages[m].pair);
    let packets = session.media.rtp_packets + session.media.rtcp_packets;
    let interleaved: u64 = session
        .connections
        .iter()
        .filter_map(|id| model.connections.iter().find(|c| c.id == *id))
        .map(|c| c.interleaved_frames)
        .sum();
    let mut step = Step {
        kind: StepKind::Media,
        status: Status::Missing,
        requests: Vec::new(),
        done_by: None,
        known_at: None,
        deviations: Vec::new(),
    };
    if started.is_some() && (packets > 0 || interleaved > 0) {
        step.status = Status::Done;
        step.done_by = started;
        step.known_at = started;
    } else {
        step.deviations.push(Deviation {
            kind: DeviationKind::Missing,
            text: if started.is_none() {
                "missing: nothing started the media (no successful PLAY)".to_string()
            } else {
                "missing: no media in the capture (it was not captured, or never sent)".to_string()
            },
            message: None,
        });
    }
    step
}

fn refusal(status: u16) -> &'static str {
    match status {
        401 | 407 => " (credentials needed)",
        404 => " (no such stream)",
        454 => " (no such session)",
        455 => " (not valid in this state)",
        459 | 460 => " (aggregate or not)",
        461 => " (transport not supported)",
        300..=399 => " (redirected)",
        _ => "",
    }
}

fn list(messages: &[usize]) -> String {
    messages
        .iter()
        .map(|m| format!("#{m}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a step stands at a selected message, for ticking the list while stepping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Done by this message or an earlier one.
    Ticked,
    /// Known (skipped, refused, missing) by now.
    Settled,
    /// Not yet: the selection is before it.
    Pending,
}

impl Step {
    /// How the step stands once `selected` (a message index) has been reached; None: the
    /// whole session.
    pub fn progress(&self, selected: Option<usize>) -> Progress {
        let reached = |at: Option<usize>| match (at, selected) {
            (_, None) => true,
            (Some(at), Some(s)) => s >= at,
            (None, Some(_)) => false,
        };
        match self.status {
            Status::Done if reached(self.known_at) => Progress::Ticked,
            Status::Done => Progress::Pending,
            _ if reached(self.known_at) => Progress::Settled,
            _ => Progress::Pending,
        }
    }
}
