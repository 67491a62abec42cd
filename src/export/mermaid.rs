//! The ladder as a Mermaid `sequenceDiagram`.
//!
//! Participants are named by role and address; requests are solid arrows (`->>`), responses
//! dotted (`-->>`), failed responses dotted with a cross (`--x`: Mermaid colours no single
//! arrow); the state changes a message caused, the media and a machine's own moves (a
//! timeout) are notes over the lanes; findings are a ⚠ on the label and a note beside it.
//!
//! Escaping: in Mermaid's sequence grammar a message or note text runs to the end of the line
//! and may not contain `#` or `;` (a `;` ends the statement, a `#` starts an entity code), and a
//! participant's alias may not contain them either. They are written as entity codes (`#35;`,
//! `#59;`), which Mermaid turns back into the characters. `%%` would start a comment only at
//! the start of a line, which a text never is. Line breaks and control characters become
//! spaces.

use std::fmt::Write as _;

use crate::export::ladder::{Ladder, Row};
use crate::model::MessageKind;

/// Text for a message, a note, an alias or the title.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

pub fn render(ladder: &Ladder) -> String {
    let mut out = String::new();
    out.push_str("sequenceDiagram\n");
    let mut title = ladder.title.clone();
    if !ladder.subtitle.is_empty() {
        title.push_str(" · ");
        title.push_str(&ladder.subtitle);
    }
    let _ = writeln!(out, "    title {}", escape(&title));
    for lane in &ladder.lanes {
        let alias = if lane.address.is_empty() {
            lane.role().to_string()
        } else {
            format!("{} {}", lane.role(), lane.address)
        };
        let _ = writeln!(out, "    participant {} as {}", lane.id, escape(&alias));
    }
    let span = ladder.span_of_lanes(",");
    for row in &ladder.rows {
        match row {
            Row::Message(m) => {
                let Some((from, to)) = ladder.lanes_of(m) else {
                    continue;
                };
                let arrow = match m.kind {
                    MessageKind::Request => "->>",
                    MessageKind::Response if m.failed => "--x",
                    MessageKind::Response => "-->>",
                };
                let mut label = m.arrow_text();
                if !m.findings.is_empty() {
                    label.push_str(" ⚠");
                }
                let _ = writeln!(out, "    {}{arrow}{}: {}", from.id, to.id, escape(&label));
                if !m.findings.is_empty() {
                    let codes: Vec<String> = m
                        .findings
                        .iter()
                        .map(|(severity, code)| format!("{} {code}", severity.name()))
                        .collect();
                    let _ = writeln!(
                        out,
                        "    Note right of {}: ⚠ {}",
                        to.id,
                        escape(&codes.join(", "))
                    );
                }
                if !m.changes.is_empty() {
                    let changes: Vec<String> = m.changes.iter().map(|c| c.text()).collect();
                    let _ = writeln!(out, "    Note over {span}: {}", escape(&changes.join(", ")));
                }
            }
            Row::Media(text) => {
                let _ = writeln!(out, "    Note over {span}: media: {}", escape(text));
            }
            Row::Event {
                machine,
                change,
                cause,
                ..
            } => {
                let lane = ladder.lane_of_machine(*machine);
                let _ = writeln!(
                    out,
                    "    Note over {lane}: {}: {}",
                    escape(&change.text()),
                    escape(cause)
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_ends_a_statement() {
        assert_eq!(escape("a;b#c\nd"), "a#59;b#35;c d");
    }
}
