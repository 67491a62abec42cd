//! The ladder as a PlantUML sequence diagram.
//!
//! Participants are named by role and address; requests are solid arrows (`->`), responses
//! dashed (`-->`), failed responses dashed and red; the state changes a message caused are
//! notes over the lanes, the media a divider (`== … ==`), a gap of a second or more a delay
//! (`... +2.007 s ...`), a machine's own move (a timeout) a note on its lane; findings are a ⚠
//! on the label and a note beside it.
//!
//! Escaping: a label runs to the end of its line and goes through PlantUML's Creole markup,
//! where `//`, `**`, `--`, `__`, `""`, `<tag>` and `[[link]]` mean something (an RTSP URL alone
//! would turn italic). `~` before such a character makes it plain; `\n` is a line break, so a
//! backslash is written as `<U+005C>`; a line break or control character becomes a space.

use std::fmt::Write as _;

use crate::export::ladder::{Ladder, Row};
use crate::model::MessageKind;

const FAILURE: &str = "#C62828";

/// A gap between two messages that is worth a delay mark.
const DELAY_SECS: f64 = 1.0;

/// Text for a label, a note or the title.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '/' | '*' | '-' | '_' | '"' | '<' | '[' | ']' | '#' => {
                out.push('~');
                out.push(c);
            }
            '\\' => out.push_str("<U+005C>"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// A participant's display name (between double quotes, where Creole does not apply):
/// without quotes and backslashes.
fn display_name(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

pub fn render(ladder: &Ladder) -> String {
    let mut out = String::new();
    out.push_str("@startuml\n");
    // A plain light look that reads on a slide.
    out.push_str(
        "skinparam shadowing false\n\
         skinparam monochrome false\n\
         skinparam defaultFontSize 13\n\
         skinparam sequenceMessageAlign center\n\
         skinparam sequenceLifeLineBorderColor #98A2B3\n\
         skinparam sequenceArrowThickness 1.5\n\
         skinparam noteBackgroundColor #F5F7FA\n\
         skinparam noteBorderColor #C5CFDC\n\
         skinparam participantBorderColor #667085\n",
    );
    let mut title = escape(&ladder.title);
    if !ladder.subtitle.is_empty() {
        title.push_str("\\n");
        title.push_str(&escape(&ladder.subtitle));
    }
    let _ = writeln!(out, "title {title}");
    for lane in &ladder.lanes {
        let colour = if lane.is_server { "#FBE9DC" } else { "#DCE8FB" };
        let _ = writeln!(
            out,
            "participant \"{}\\n{}\" as {} {colour}",
            lane.role(),
            display_name(&lane.address),
            lane.id
        );
    }
    let span = ladder.span_of_lanes(", ");
    for row in &ladder.rows {
        match row {
            Row::Message(m) => {
                let Some((from, to)) = ladder.lanes_of(m) else {
                    continue;
                };
                if let Some(gap) = m.gap_secs.filter(|&g| g >= DELAY_SECS) {
                    let _ = writeln!(
                        out,
                        "... {} ...",
                        escape(m.gap.as_deref().unwrap_or(&format!("+{gap:.3} s")))
                    );
                }
                let mut label = escape(&m.arrow_text());
                if !m.findings.is_empty() {
                    label.push_str(" ⚠");
                }
                let line = match m.kind {
                    MessageKind::Request => format!("{} -> {} : {label}", from.id, to.id),
                    MessageKind::Response if m.failed => format!(
                        "{} -[{FAILURE}]-> {} : <color:{FAILURE}>{label}</color>",
                        from.id, to.id
                    ),
                    MessageKind::Response => format!("{} --> {} : {label}", from.id, to.id),
                };
                out.push_str(&line);
                out.push('\n');
                if !m.findings.is_empty() {
                    let codes: Vec<String> = m
                        .findings
                        .iter()
                        .map(|(severity, code)| format!("{} {code}", severity.name()))
                        .collect();
                    let _ = writeln!(
                        out,
                        "note right of {} #FFF4E5 : ⚠ {}",
                        to.id,
                        escape(&codes.join(", "))
                    );
                }
                if !m.changes.is_empty() {
                    let changes: Vec<String> =
                        m.changes.iter().map(|c| escape(&c.text())).collect();
                    let _ = writeln!(out, "note over {span} : {}", changes.join("\\n"));
                }
            }
            Row::Media(text) => {
                let _ = writeln!(out, "== media: {} ==", escape(text));
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
                    "note over {lane} #FFF4E5 : {}\\n{}",
                    escape(&change.text()),
                    escape(cause)
                );
            }
        }
    }
    out.push_str("@enduml\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_creole_and_line_breaks() {
        assert_eq!(escape("rtsp://h/a"), "rtsp:~/~/h~/a");
        assert_eq!(escape("a\\nb"), "a<U+005C>nb");
        assert_eq!(escape("**x**"), "~*~*x~*~*");
        assert_eq!(escape("a\nb"), "a b");
    }
}
