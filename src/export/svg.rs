//! The ladder as an SVG in a light theme, for slides and documents: the window's ladder
//! (time on the left, one lane per address, one arrow per message, the states of both machines
//! on the right), with a title and a legend.
//!
//! Written by hand: it is a few kinds of element. Text widths are estimated from character
//! counts with a generous average advance, so that the lanes are far enough apart for the
//! longest label in any of the usual sans-serif fonts (the PNG embeds one; a browser or
//! rsvg-convert uses the system's).

use std::fmt::Write as _;

use crate::export::ladder::{Ladder, MessageRow, Row};
use crate::model::{Machine, MessageKind, Severity};

const SANS: &str = "Ubuntu, 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif";
const MONO: &str = "Hack, 'DejaVu Sans Mono', Menlo, Consolas, monospace";

const MARGIN: f64 = 28.0;
const TIME_WIDTH: f64 = 178.0;
const STATES_WIDTH: f64 = 200.0;
/// Room between the outer lanes and the time and states columns.
const LANE_MARGIN: f64 = 64.0;
const MIN_SPAN: f64 = 300.0;
const ROW: f64 = 48.0;
const HEADER: f64 = 48.0;
const LABEL_SIZE: f64 = 14.0;
/// Average advance of a character, in ems: above the real average of Ubuntu, DejaVu Sans and
/// Arial for the letters, digits and spaces of RTSP labels, so estimates err on the wide side.
const AVERAGE_ADVANCE: f64 = 0.6;

/// Colours of the light theme.
struct Palette;

impl Palette {
    const TEXT: &str = "#1f2328";
    const WEAK: &str = "#667085";
    const RULE: &str = "#d0d5dd";
    const LIFELINE: &str = "#98a2b3";
    const HEADER_FILL: &str = "#f5f7fa";
    const CLIENT: &str = "#1d5fc2";
    const SERVER: &str = "#b9570f";
    const REQUEST: &str = "#2f6fdb";
    const REPLY: &str = "#1f8a4c";
    const FAILURE: &str = "#c62828";
    const WARNING: &str = "#b7791f";
    const INFO: &str = "#5b6b85";
    const MEDIA_FILL: &str = "#eef2f7";
    const MEDIA_STROKE: &str = "#c5cfdc";

    fn severity(severity: Severity) -> &'static str {
        match severity {
            Severity::Error => Palette::FAILURE,
            Severity::Warning => Palette::WARNING,
            Severity::Info => Palette::INFO,
        }
    }
}

/// Estimated width of `text` at `size` px.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * AVERAGE_ADVANCE
}

/// Text for XML character data and attribute values: the five special characters escaped,
/// and the characters XML 1.0 does not allow at all (controls) dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Text content of a `<text>`: escaped, a thin space as a space and the arrow in the
/// monospaced font, which the embedded Ubuntu Light does not have.
fn content(text: &str) -> String {
    escape(text)
        .replace('\u{2009}', " ")
        .replace('→', &format!(r#"<tspan font-family="{MONO}">→</tspan>"#))
}

/// Where things go across the picture.
struct Columns {
    width: f64,
    lanes: Vec<f64>,
    states_left: f64,
}

impl Columns {
    fn of(ladder: &Ladder) -> Columns {
        let widest_label = ladder
            .messages()
            .map(|m| {
                text_width(&m.arrow_text(), LABEL_SIZE)
                    + if m.findings.is_empty() { 0.0 } else { 24.0 }
            })
            .chain(ladder.lanes.iter().map(|l| text_width(&l.address, 13.0)))
            .fold(0.0, f64::max);
        let span = (widest_label + 80.0).max(MIN_SPAN);
        let first = MARGIN + TIME_WIDTH + LANE_MARGIN;
        let n = ladder.lanes.len().max(1);
        let lanes: Vec<f64> = (0..n).map(|i| first + span * i as f64).collect();
        let last = lanes.last().copied().unwrap_or(first);
        let states_left = last + LANE_MARGIN;
        let mut width = states_left + STATES_WIDTH + MARGIN;
        // Room for the title and the legend, whatever the lanes need.
        let title = text_width(&ladder.title, 20.0).max(text_width(&ladder.subtitle, 13.0));
        width = width.max(title + 2.0 * MARGIN).max(760.0);
        Columns {
            width,
            lanes,
            states_left,
        }
    }
}

/// The whole SVG document.
pub fn render(ladder: &Ladder) -> String {
    let columns = Columns::of(ladder);
    let title_height = if ladder.subtitle.is_empty() {
        48.0
    } else {
        70.0
    };
    let top = MARGIN + title_height;
    let rows_top = top + HEADER;
    let rows_height = ladder
        .rows
        .iter()
        .map(|row| row_height(&columns, row))
        .sum::<f64>()
        .max(ROW);
    let legend_top = rows_top + rows_height + 18.0;
    let height = legend_top + 30.0 + MARGIN;
    let width = columns.width;

    let mut svg = String::with_capacity(4096 + ladder.rows.len() * 1200);
    let _ = writeln!(
        svg,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="{SANS}">
<title>{}</title>
<defs>
  <marker id="head-request" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{req}"/></marker>
  <marker id="head-reply" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{rep}"/></marker>
  <marker id="head-failure" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{fail}"/></marker>
</defs>
<rect width="100%" height="100%" fill="#ffffff"/>"##,
        escape(&ladder.title),
        req = Palette::REQUEST,
        rep = Palette::REPLY,
        fail = Palette::FAILURE,
    );

    // Title.
    let _ = writeln!(
        svg,
        r#"<text x="{MARGIN}" y="{:.1}" font-size="20" font-weight="600" fill="{}">{}</text>"#,
        MARGIN + 20.0,
        Palette::TEXT,
        content(&ladder.title)
    );
    if !ladder.subtitle.is_empty() {
        let _ = writeln!(
            svg,
            r#"<text x="{MARGIN}" y="{:.1}" font-size="13" fill="{}">{}</text>"#,
            MARGIN + 44.0,
            Palette::WEAK,
            content(&ladder.subtitle)
        );
    }

    // Column titles and lane names, on a light band.
    let _ = writeln!(
        svg,
        r#"<rect x="{MARGIN}" y="{top:.1}" width="{:.1}" height="{HEADER}" fill="{}"/>"#,
        width - 2.0 * MARGIN,
        Palette::HEADER_FILL
    );
    small_text(
        &mut svg,
        MARGIN + 10.0,
        top + 19.0,
        "time (s)",
        Palette::WEAK,
        "start",
    );
    if let Some(start) = &ladder.start {
        small_text(
            &mut svg,
            MARGIN + 10.0,
            top + 37.0,
            &format!("from {start}"),
            Palette::WEAK,
            "start",
        );
    }
    small_text(
        &mut svg,
        columns.states_left + 10.0,
        top + 19.0,
        "states after",
        Palette::WEAK,
        "start",
    );
    small_text(
        &mut svg,
        columns.states_left + 10.0,
        top + 37.0,
        "C client · S server",
        Palette::WEAK,
        "start",
    );
    for (lane, &x) in ladder.lanes.iter().zip(&columns.lanes) {
        let colour = if lane.is_server {
            Palette::SERVER
        } else {
            Palette::CLIENT
        };
        let _ = writeln!(
            svg,
            r#"<text x="{x:.1}" y="{:.1}" font-size="14" font-weight="600" text-anchor="middle" fill="{colour}">{}</text>"#,
            top + 19.0,
            lane.role()
        );
        let _ = writeln!(
            svg,
            r#"<text x="{x:.1}" y="{:.1}" font-size="13" text-anchor="middle" fill="{}">{}</text>"#,
            top + 37.0,
            Palette::TEXT,
            escape(&lane.address)
        );
    }
    let _ = writeln!(
        svg,
        r#"<line x1="{MARGIN}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="1"/>"#,
        rows_top,
        width - MARGIN,
        rows_top,
        Palette::RULE
    );

    // Lifelines, under everything in the rows.
    for &x in &columns.lanes {
        let _ = writeln!(
            svg,
            r#"<line x1="{x:.1}" y1="{rows_top:.1}" x2="{x:.1}" y2="{:.1}" stroke="{}" stroke-width="1.2"/>"#,
            rows_top + rows_height,
            Palette::LIFELINE
        );
    }

    let mut y = rows_top;
    for row in &ladder.rows {
        match row {
            Row::Message(m) => message_row(&mut svg, &columns, y, m),
            Row::Media(text) => media_row(&mut svg, &columns, y, text),
            Row::Event {
                time,
                machine,
                change,
                cause,
            } => event_row(
                &mut svg, ladder, &columns, y, *time, *machine, change, cause,
            ),
        }
        y += row_height(&columns, row);
    }
    if ladder.rows.is_empty() {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="14" text-anchor="middle" fill="{}">No RTSP messages</text>"#,
            width / 2.0,
            rows_top + 30.0,
            Palette::WEAK
        );
    }
    let _ = writeln!(
        svg,
        r#"<line x1="{MARGIN}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="1"/>"#,
        rows_top + rows_height,
        width - MARGIN,
        rows_top + rows_height,
        Palette::RULE
    );
    legend(&mut svg, legend_top);
    svg.push_str("</svg>\n");
    svg
}

/// How wide an event's words may run: between the time and the states columns.
fn event_width(columns: &Columns) -> f64 {
    columns.states_left - (MARGIN + TIME_WIDTH) - 24.0
}

/// A machine's own move: what it is ("server: session timeout") and why, wrapped.
fn event_lines(columns: &Columns, machine: Machine, cause: &str) -> Vec<String> {
    let (what, why) = match cause.split_once(": ") {
        Some((what, why)) => (what, why),
        None => (cause, ""),
    };
    let most = (event_width(columns) / (13.0 * AVERAGE_ADVANCE)).max(20.0) as usize;
    let mut lines = wrap(&format!("{}: {what}", machine.name()), most);
    lines.extend(wrap(why, most));
    lines
}

/// Words in lines of at most `most` characters (a longer word gets a line of its own).
fn wrap(text: &str, most: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > most {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn row_height(columns: &Columns, row: &Row) -> f64 {
    match row {
        Row::Event { machine, cause, .. } => {
            let lines = event_lines(columns, *machine, cause).len();
            ROW.max(32.0 + 17.0 * lines as f64)
        }
        _ => ROW,
    }
}

#[allow(clippy::too_many_arguments)]
fn event_row(
    svg: &mut String,
    ladder: &Ladder,
    columns: &Columns,
    y: f64,
    time: f64,
    machine: Machine,
    change: &crate::export::ladder::Change,
    cause: &str,
) {
    let lane = ladder
        .lanes
        .iter()
        .position(|l| l.is_server == (machine == Machine::Server))
        .and_then(|l| columns.lanes.get(l).copied())
        .unwrap_or(columns.width / 2.0);
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-family="{MONO}" font-size="13" fill="{}">{time:.6}</text>"#,
        MARGIN + 10.0,
        y + 20.0,
        Palette::TEXT
    );
    let centre = (MARGIN + TIME_WIDTH + columns.states_left) / 2.0;
    let lines = event_lines(columns, machine, cause);
    for (i, line) in lines.iter().enumerate() {
        let (size, weight) = if i == 0 { (13, "600") } else { (12, "400") };
        let _ = writeln!(
            svg,
            r#"<text x="{centre:.1}" y="{:.1}" font-size="{size}" font-weight="{weight}" text-anchor="middle" fill="{}">{}</text>"#,
            y + 20.0 + 17.0 * i as f64,
            Palette::WARNING,
            content(line)
        );
    }
    let _ = writeln!(
        svg,
        r##"<circle cx="{lane:.1}" cy="{:.1}" r="6" fill="{}" stroke="#ffffff" stroke-width="2"/>"##,
        // Under the words, which may run across the lane.
        y + 15.0 + 17.0 * lines.len() as f64,
        Palette::WARNING
    );
    let short = if machine == Machine::Client { "C" } else { "S" };
    state_text(
        svg,
        columns.states_left + 10.0,
        y + 20.0,
        &format!("{short} {} → {}", change.from, change.to),
        Palette::WARNING,
    );
}

/// A line of the states column, in the monospaced font: the states line up, and it has the
/// arrow.
fn state_text(svg: &mut String, x: f64, y: f64, text: &str, fill: &str) {
    let _ = writeln!(
        svg,
        r#"<text x="{x:.1}" y="{y:.1}" font-family="{MONO}" font-size="12" fill="{fill}">{}</text>"#,
        escape(text)
    );
}

fn small_text(svg: &mut String, x: f64, y: f64, text: &str, fill: &str, anchor: &str) {
    let _ = writeln!(
        svg,
        r#"<text x="{x:.1}" y="{y:.1}" font-size="12" text-anchor="{anchor}" fill="{fill}">{}</text>"#,
        content(text)
    );
}

fn message_row(svg: &mut String, columns: &Columns, y: f64, m: &MessageRow) {
    // Time: since the capture's start, then the time of day and the gap since the previous
    // message of the ladder; the frame on the right of the column.
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-family="{MONO}" font-size="13" fill="{}">{:.6}</text>"#,
        MARGIN + 10.0,
        y + 20.0,
        Palette::TEXT,
        m.time
    );
    small_text(
        svg,
        MARGIN + TIME_WIDTH - 6.0,
        y + 20.0,
        &format!("fr {}", m.frame),
        Palette::WEAK,
        "end",
    );
    let second: String = [m.time_of_day.clone(), m.gap.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("  ");
    if !second.is_empty() {
        small_text(
            svg,
            MARGIN + 10.0,
            y + 38.0,
            &second,
            Palette::WEAK,
            "start",
        );
    }

    // The arrow.
    let from = columns.lanes.get(m.from_lane).copied().unwrap_or(0.0);
    let to = columns.lanes.get(m.to_lane).copied().unwrap_or(0.0);
    let sign = if to >= from { 1.0 } else { -1.0 };
    let arrow_y = y + 32.0;
    let (colour, head) = match m.kind {
        MessageKind::Request => (Palette::REQUEST, "head-request"),
        MessageKind::Response if m.failed => (Palette::FAILURE, "head-failure"),
        MessageKind::Response => (Palette::REPLY, "head-reply"),
    };
    let dash = match m.kind {
        MessageKind::Request => "",
        MessageKind::Response => r#" stroke-dasharray="7 4""#,
    };
    let _ = writeln!(
        svg,
        r#"<line x1="{:.1}" y1="{arrow_y:.1}" x2="{:.1}" y2="{arrow_y:.1}" stroke="{colour}" stroke-width="1.8"{dash} marker-end="url(#{head})"/>"#,
        from + sign * 3.0,
        to - sign * 3.0,
    );

    // The label above it, and a marker for findings after the label.
    let label = m.arrow_text();
    let centre = (from + to) / 2.0;
    let label_colour = if m.failed {
        Palette::FAILURE
    } else {
        Palette::TEXT
    };
    let _ = writeln!(
        svg,
        r#"<text x="{centre:.1}" y="{:.1}" font-size="{LABEL_SIZE}" text-anchor="middle" fill="{label_colour}">{}</text>"#,
        arrow_y - 8.0,
        content(&label)
    );
    if let Some(worst) = m.worst_finding() {
        // The estimate errs wide; most labels are narrower than it by a tenth or more.
        let x = centre + text_width(&label, LABEL_SIZE) * 0.5 * 0.82 + 12.0;
        let codes: Vec<&str> = m.findings.iter().map(|(_, code)| code.as_str()).collect();
        let mark = if m.findings.len() > 1 {
            m.findings.len().to_string()
        } else {
            "!".to_string()
        };
        let _ = writeln!(
            svg,
            r##"<g><title>{}</title><circle cx="{x:.1}" cy="{:.1}" r="8" fill="{}"/><text x="{x:.1}" y="{:.1}" font-size="11" font-weight="700" text-anchor="middle" fill="#ffffff">{mark}</text></g>"##,
            escape(&codes.join(", ")),
            arrow_y - 13.0,
            Palette::severity(worst),
            arrow_y - 9.0,
        );
    }

    // Both machines after it: what changed in full, what did not in grey, and amber where the
    // two machines disagree.
    if let Some((client, server)) = m.states_after {
        let disagree = client != server;
        for (machine, now, dy) in [
            (Machine::Client, client, 20.0),
            (Machine::Server, server, 38.0),
        ] {
            let short = if machine == Machine::Client { "C" } else { "S" };
            let change = m.changes.iter().rev().find(|c| c.machine == machine);
            let (text, colour) = match change {
                Some(c) => (format!("{short} {} → {}", c.from, c.to), Palette::TEXT),
                None if disagree => (format!("{short} {now}"), Palette::WARNING),
                None => (format!("{short} {now}"), Palette::WEAK),
            };
            state_text(svg, columns.states_left + 10.0, y + dy, &text, colour);
        }
    }
}

fn media_row(svg: &mut String, columns: &Columns, y: f64, text: &str) {
    let left = MARGIN + TIME_WIDTH + 8.0;
    let right = columns.states_left - 8.0;
    let _ = writeln!(
        svg,
        r#"<rect x="{left:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="5" fill="{}" stroke="{}"/>"#,
        y + 9.0,
        right - left,
        ROW - 18.0,
        Palette::MEDIA_FILL,
        Palette::MEDIA_STROKE
    );
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="middle" fill="{}">{}</text>"#,
        (left + right) / 2.0,
        y + ROW / 2.0 + 4.5,
        Palette::TEXT,
        content(text)
    );
    small_text(
        svg,
        MARGIN + 10.0,
        y + ROW / 2.0 + 4.0,
        "media",
        Palette::WEAK,
        "start",
    );
}

/// What the lines and marks mean, in one line under the ladder.
fn legend(svg: &mut String, y: f64) {
    let mut x = MARGIN;
    let line = |svg: &mut String, x: f64, colour: &str, head: &str, dashed: bool| {
        let dash = if dashed {
            r#" stroke-dasharray="7 4""#
        } else {
            ""
        };
        let _ = writeln!(
            svg,
            r#"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{colour}" stroke-width="1.8"{dash} marker-end="url(#{head})"/>"#,
            x + 34.0
        );
    };
    for (colour, head, dashed, text) in [
        (Palette::REQUEST, "head-request", false, "request"),
        (Palette::REPLY, "head-reply", true, "response"),
        (
            Palette::FAILURE,
            "head-failure",
            true,
            "failed response (3xx–5xx)",
        ),
    ] {
        line(svg, x, colour, head, dashed);
        small_text(svg, x + 42.0, y + 4.0, text, Palette::WEAK, "start");
        x += 42.0 + text_width(text, 12.0) * 0.85 + 26.0;
    }
    let _ = writeln!(
        svg,
        r##"<circle cx="{:.1}" cy="{y:.1}" r="8" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="11" font-weight="700" text-anchor="middle" fill="#ffffff">!</text>"##,
        x + 8.0,
        Palette::WARNING,
        x + 8.0,
        y + 4.0
    );
    small_text(
        svg,
        x + 22.0,
        y + 4.0,
        "findings on the message",
        Palette::WEAK,
        "start",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_controls() {
        assert_eq!(
            escape("a<b>&\"c'\u{1}\td"),
            "a&lt;b&gt;&amp;&quot;c&apos; d"
        );
    }
}
