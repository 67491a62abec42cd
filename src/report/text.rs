//! The text report: readable in an 80-column terminal. Connections, then each session as a
//! compact ladder with both machines' states, then the findings.

use std::io::{self, Write};

use crate::model::{Direction, MessageKind, Model, Session, State};

fn states(pair: Option<(State, State)>) -> String {
    match pair {
        Some((client, server)) if client == server => client.name().to_string(),
        Some((client, server)) => format!("c:{client} s:{server}"),
        None => String::new(),
    }
}

fn path(states: &[State]) -> String {
    states
        .iter()
        .map(|s| s.name())
        .collect::<Vec<_>>()
        .join(" → ")
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

pub fn write(model: &Model, out: &mut impl Write) -> io::Result<()> {
    let capture = &model.capture;
    writeln!(out, "Capture  {}", capture.path)?;
    writeln!(
        out,
        "         {}, {} packets, {} bytes, {:.3} s, link {}",
        capture.format,
        capture.packets,
        capture.bytes,
        capture.duration,
        capture.link_types.join(", ")
    )?;
    if let Some(truncated) = &capture.truncated {
        writeln!(out, "         {truncated}")?;
    }
    writeln!(out)?;
    writeln!(out, "Connections ({})", model.connections.len())?;
    for c in &model.connections {
        writeln!(
            out,
            "  #{:<3} {} -> {}  {} messages, {} interleaved",
            c.id, c.client, c.server, c.rtsp_messages, c.interleaved_frames
        )?;
        if c.gaps + c.retransmissions + c.out_of_order > 0 {
            writeln!(
                out,
                "        {} gaps ({} bytes), {} retransmissions, {} out of order",
                c.gaps, c.gap_bytes, c.retransmissions, c.out_of_order
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Sessions ({})", model.sessions.len())?;
    for session in &model.sessions {
        write_session(model, session, out)?;
    }
    let loose: Vec<_> = model
        .messages
        .iter()
        .filter(|m| m.session_index.is_none())
        .collect();
    if !loose.is_empty() {
        writeln!(out, "Messages outside any session ({})", loose.len())?;
        for m in loose {
            write_message_line(m, out)?;
        }
        writeln!(out)?;
    }
    writeln!(out, "Findings ({})", model.findings.len())?;
    for f in &model.findings {
        let place = match (f.frame, f.message) {
            (Some(frame), Some(message)) => format!("frame {frame}, msg {message}"),
            (Some(frame), None) => format!("frame {frame}"),
            _ => String::new(),
        };
        writeln!(out, "  {:<7} {:<24} {}", f.severity.name(), f.code, place)?;
        writeln!(out, "          {}", f.text)?;
    }
    Ok(())
}

fn write_session(model: &Model, session: &Session, out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "  Session {} ({}), {}",
        session.session_id, session.version, session.url
    )?;
    writeln!(
        out,
        "    client {}  server {}  timeout {} s  connections {:?}",
        session.client, session.server, session.timeout, session.connections
    )?;
    for index in &session.messages {
        if let Some(m) = model.messages.get(*index) {
            write_message_line(m, out)?;
        }
    }
    if session.media.rtp_packets + session.media.rtcp_packets > 0 {
        writeln!(
            out,
            "    media: {} RTP, {} RTCP packets, {} bytes",
            session.media.rtp_packets, session.media.rtcp_packets, session.media.bytes
        )?;
    }
    writeln!(out, "    client path: {}", path(&session.client_path))?;
    writeln!(out, "    server path: {}", path(&session.server_path))?;
    for t in session.transitions.iter().filter(|t| t.message.is_none()) {
        writeln!(
            out,
            "    {:>9.3}  {} {} → {}: {}",
            t.time,
            t.machine.name(),
            t.from,
            t.to,
            t.cause
        )?;
    }
    writeln!(out)
}

fn write_message_line(m: &crate::model::Message, out: &mut impl Write) -> io::Result<()> {
    let arrow = match m.direction {
        Direction::ClientToServer => "C -> S",
        Direction::ServerToClient => "C <- S",
    };
    let what = match m.kind {
        MessageKind::Request => format!(
            "{} {}",
            m.method.as_deref().unwrap_or("?"),
            m.url.as_deref().unwrap_or("")
        ),
        MessageKind::Response => m.label(),
    };
    let cseq = m.cseq.map(|c| c.to_string()).unwrap_or_else(|| "-".into());
    writeln!(
        out,
        "    {:>9.3} {:>6} {} {:<38} {:>4}  {}",
        m.time,
        m.frame,
        arrow,
        truncate(&what, 38),
        cseq,
        states(m.states_after)
    )
}
