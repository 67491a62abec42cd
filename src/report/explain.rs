//! `report --explain`: the teaching walk-through as text, in 80 columns. The same words as the
//! window's teaching mode (both read `crate::teach`): per session the six-step checklist, then
//! every message explained, then the state-machine edges the session took and the ones it
//! tried that do not exist.

use std::io::{self, Write};

use crate::model::{Direction, Machine, MessageKind, Model, Session};
use crate::report::text::wrap;
use crate::teach::checklist::{self, Status};
use crate::teach::{edges, explain, rfc};

const WIDTH: usize = 80;

/// Writes `text` wrapped to the width, every line indented by `indent` (the first by `first`).
fn para(out: &mut impl Write, first: &str, indent: usize, text: &str) -> io::Result<()> {
    let pad = " ".repeat(indent);
    let width = WIDTH.saturating_sub(indent).max(20);
    for (i, line) in wrap(text, width).into_iter().enumerate() {
        if i == 0 && !first.is_empty() {
            writeln!(out, "{first:<indent$}{line}")?;
        } else {
            writeln!(out, "{pad}{line}")?;
        }
    }
    Ok(())
}

pub fn write(model: &Model, out: &mut impl Write) -> io::Result<()> {
    let name = std::path::Path::new(&model.capture.path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(&model.capture.path);
    let title = format!("The RTSP handshake in {name}, explained");
    para(out, "", 0, &title)?;
    writeln!(out, "{}", "=".repeat(title.chars().count().min(WIDTH)))?;
    para(
        out,
        "",
        0,
        "RTSP is the remote control of a media stream: the client asks (requests), the \
         server answers (replies with a status code), and the media itself travels \
         separately as RTP packets. Both sides keep a small state machine per session: \
         Init (nothing set up), Ready (set up, not playing), Playing, Recording.",
    )?;
    if model.sessions.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "No RTSP session in this capture: nothing to walk through."
        )?;
        let loose: Vec<usize> = model.messages.iter().map(|m| m.index).collect();
        for index in loose {
            write_message(model, index, out)?;
        }
        return Ok(());
    }
    for session in &model.sessions {
        write_session(model, session, out)?;
    }
    Ok(())
}

fn write_session(model: &Model, session: &Session, out: &mut impl Write) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "Session {} ({}), {}",
        session.session_id, session.version, session.url
    )?;
    writeln!(
        out,
        "  client {}  server {}",
        session.client, session.server
    )?;
    writeln!(out)?;
    writeln!(out, "The six steps of the simple exchange (* = mandatory)")?;
    for step in checklist::checklist(model, session) {
        let mark = match step.status {
            Status::Done => "[x]",
            Status::Skipped => "[-]",
            Status::Refused => "[!]",
            Status::Missing => "[ ]",
        };
        let star = if step.kind.mandatory() { "*" } else { " " };
        writeln!(
            out,
            "  {mark} {}{star} {:<15} {:<8} {}",
            step.kind.number(),
            step.kind.title(),
            step.status.name(),
            step.kind.purpose()
        )?;
        for deviation in &step.deviations {
            para(out, "", 8, &deviation.text)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Message by message")?;
    for index in model.session_messages(session) {
        write_message(model, index, out)?;
    }
    write_edges(model, session, out)
}

fn write_message(model: &Model, index: usize, out: &mut impl Write) -> io::Result<()> {
    let Some(message) = model.messages.get(index) else {
        return Ok(());
    };
    let Some(explanation) = explain::explain(model, index) else {
        return Ok(());
    };
    writeln!(out)?;
    let arrow = match message.direction {
        Direction::ClientToServer => "C -> S",
        Direction::ServerToClient => "C <- S",
    };
    let what = match message.kind {
        MessageKind::Request => format!(
            "{} {}",
            message.method.as_deref().unwrap_or("?"),
            message.url.as_deref().unwrap_or("")
        ),
        MessageKind::Response => message.label(),
    };
    let head = format!(
        "#{index} {:.3} s frame {} {arrow} {what}",
        message.time, message.frame
    );
    para(out, "", 0, &head)?;
    let mut title = explanation.title.clone();
    if let Some(step) = explanation.step {
        title.push_str(&format!(" [step {}]", step.number()));
    }
    if let Some(reference) = &explanation.reference {
        title.push_str(&format!(" ({reference})"));
    }
    para(out, "  ", 2, &title)?;
    for text in &explanation.about {
        para(out, "    ", 4, text)?;
    }
    if let Some(status) = &explanation.status {
        para(out, "    ", 4, &format!("Status: {status}"))?;
    }
    for note in &explanation.headers {
        let value = if note.value.chars().count() > 60 {
            let cut: String = note.value.chars().take(59).collect();
            format!("{cut}…")
        } else {
            note.value.clone()
        };
        para(out, "    ", 4, &format!("{}: {value}", note.name))?;
        let mut text = note.text.clone();
        if let Some(reference) = &note.reference {
            text.push_str(&format!(" ({reference})"));
        }
        para(out, "", 8, &text)?;
    }
    for text in &explanation.effect {
        para(out, "    ", 4, text)?;
    }
    for (attempt, who) in edges::merged(&explanation.attempts) {
        para(
            out,
            "    ",
            4,
            &format!(
                "Attempted edge ({who}): {} {}",
                attempt.text, attempt.outcome
            ),
        )?;
    }
    for lesson in &explanation.lessons {
        para(
            out,
            "    ",
            4,
            &format!(
                "{} {}: {}",
                lesson.severity.name(),
                lesson.code,
                lesson.text
            ),
        )?;
        if !lesson.why.is_empty() {
            para(out, "", 8, &format!("Why: {}", lesson.why))?;
        }
    }
    Ok(())
}

fn write_edges(model: &Model, session: &Session, out: &mut impl Write) -> io::Result<()> {
    let protocol = rfc::protocol_of(&session.version);
    writeln!(out)?;
    writeln!(out, "Edges of the state machines this session took")?;
    let uses = edges::uses(model, session);
    for machine_kind in [Machine::Client, Machine::Server] {
        let mut seen: Vec<(crate::model::State, crate::model::State, &str)> = Vec::new();
        for u in uses.iter().filter(|u| u.machine == machine_kind) {
            if seen.contains(&(u.from, u.to, u.method)) {
                continue;
            }
            seen.push((u.from, u.to, u.method));
            let by: Vec<String> = uses
                .iter()
                .filter(|o| {
                    o.machine == machine_kind
                        && o.from == u.from
                        && o.to == u.to
                        && o.method == u.method
                })
                .map(|o| format!("#{}", o.reply))
                .collect();
            let row = crate::session::machine::lookup(protocol, machine_kind, u.from, u.method);
            let row_text = row
                .map(|r| edges::row_text(protocol, machine_kind, r))
                .unwrap_or_default();
            para(
                out,
                "  ",
                2,
                &format!(
                    "{} {} → {} ({}): taken by {}",
                    machine_kind.name(),
                    u.from,
                    u.to,
                    u.method,
                    by.join(", ")
                ),
            )?;
            para(out, "", 6, &row_text)?;
        }
    }
    let attempts = edges::attempts(model, session);
    if !attempts.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Attempted edges (requests with no edge out of the state)"
        )?;
        for (a, who) in edges::merged(&attempts) {
            para(
                out,
                "  ",
                2,
                &format!("#{} {} ({who}): {}", a.request, a.method, a.text),
            )?;
            para(out, "", 6, &a.outcome)?;
        }
    }
    Ok(())
}
