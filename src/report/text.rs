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

/// The terminal width the report is laid out for.
const WIDTH: usize = 80;
const FINDING_INDENT: &str = "          ";

/// The file name: a long path would not fit the line, and the directory is the user's own.
fn capture_name(path: &str) -> &str {
    std::path::Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

/// A request URL without its scheme and host (the session header names the server): the
/// ladder's column is narrow and the path is what differs from line to line.
fn short_url(url: &str) -> &str {
    let Some(rest) = url.split_once("://").map(|(_, rest)| rest) else {
        return url;
    };
    match rest.find('/') {
        Some(slash) => rest.get(slash..).unwrap_or(url),
        None => "/",
    }
}

/// Cuts text into lines of at most `width` characters, at spaces where it can.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
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
    writeln!(out, "Capture  {}", capture_name(&capture.path))?;
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
        for line in wrap(truncated, WIDTH - 9) {
            writeln!(out, "         {line}")?;
        }
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
        for line in wrap(&f.text, WIDTH - FINDING_INDENT.len()) {
            writeln!(out, "{FINDING_INDENT}{line}")?;
        }
    }
    Ok(())
}

fn write_session(model: &Model, session: &Session, out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "  Session {} ({}), {}",
        session.session_id, session.version, session.url
    )?;
    let connections: Vec<String> = session
        .connections
        .iter()
        .map(|c| format!("#{c}"))
        .collect();
    writeln!(
        out,
        "    client {}  server {}",
        session.client, session.server
    )?;
    writeln!(
        out,
        "    timeout {} s  connections {}",
        session.timeout,
        connections.join(", ")
    )?;
    writeln!(
        out,
        "    {:>8} {:>6} {:<6} {:<30} {:>4}  state after",
        "time s", "frame", "", "message", "CSeq"
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
        let text = format!("{} {} → {}: {}", t.machine.name(), t.from, t.to, t.cause);
        for (i, line) in wrap(&text, WIDTH - 15).into_iter().enumerate() {
            if i == 0 {
                writeln!(out, "    {:>9.3}  {line}", t.time)?;
            } else {
                writeln!(out, "               {line}")?;
            }
        }
    }
    writeln!(out)
}

pub(crate) fn write_message_line(
    m: &crate::model::Message,
    out: &mut impl Write,
) -> io::Result<()> {
    let arrow = match m.direction {
        Direction::ClientToServer => "C -> S",
        Direction::ServerToClient => "C <- S",
    };
    let what = match m.kind {
        MessageKind::Request => format!(
            "{} {}",
            m.method.as_deref().unwrap_or("?"),
            short_url(m.url.as_deref().unwrap_or(""))
        ),
        MessageKind::Response => m.label(),
    };
    let cseq = m.cseq.map(|c| c.to_string()).unwrap_or_else(|| "-".into());
    writeln!(
        out,
        "    {:>8.3} {:>6} {} {:<30} {:>4}  {}",
        m.time,
        m.frame,
        arrow,
        truncate(&what, 30),
        cseq,
        states(m.states_after)
    )
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_within_the_width() {
        let lines = wrap(
            "PAUSE is not valid in Ready: RFC 2326 A.1 has no PAUSE edge out of Ready",
            30,
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert_eq!(
            lines.join(" "),
            "PAUSE is not valid in Ready: RFC 2326 A.1 has no PAUSE edge out of Ready"
        );
    }
}
