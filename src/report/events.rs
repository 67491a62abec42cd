//! A live capture as it happens: one line per RTSP message, state change and finding, flushed
//! at once (`rtsp-inspector live`). Text lines look like the report's ladder; JSON lines are
//! objects with an `"event"` field (`message`, `transition`, `finding`, and `report` for the
//! final report, whose other fields are those of `report --format json`).

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::model::{Finding, Model, Transition, Update};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventFormat {
    Text,
    Json,
}

/// Prints what is new in a stream of updates (it keeps only counts, not the model).
pub struct EventPrinter {
    format: EventFormat,
    /// Messages printed so far (they come in order; a message sent again is not new).
    messages_printed: usize,
    /// Transitions printed so far, per session.
    transitions_printed: Vec<usize>,
}

fn with_event<T: Serialize>(event: &str, value: &T) -> io::Result<Value> {
    let mut object = Map::new();
    object.insert("event".into(), Value::String(event.into()));
    match serde_json::to_value(value).map_err(io::Error::other)? {
        Value::Object(fields) => object.extend(fields),
        other => {
            object.insert("value".into(), other);
        }
    }
    Ok(Value::Object(object))
}

#[derive(Serialize)]
struct ReportLine<'a> {
    event: &'static str,
    #[serde(flatten)]
    model: &'a Model,
}

#[derive(Serialize)]
struct TransitionEvent<'a> {
    session: usize,
    session_id: &'a str,
    #[serde(flatten)]
    transition: &'a Transition,
}

impl EventPrinter {
    pub fn new(format: EventFormat) -> Self {
        EventPrinter {
            format,
            messages_printed: 0,
            transitions_printed: Vec::new(),
        }
    }

    /// Prints what is new in `updates`, in time order (a batch holds messages first, then the
    /// sessions they moved), and flushes.
    pub fn print(&mut self, updates: Vec<Update>, out: &mut impl Write) -> io::Result<()> {
        let mut lines: Vec<(f64, Vec<u8>)> = Vec::new();
        for update in &updates {
            match update {
                Update::Message(message) if message.index >= self.messages_printed => {
                    self.messages_printed = message.index + 1;
                    let mut line = Vec::new();
                    match self.format {
                        EventFormat::Text => {
                            crate::report::text::write_message_line(message, &mut line)?
                        }
                        EventFormat::Json => {
                            json_line(&mut line, &with_event("message", message)?)?
                        }
                    }
                    lines.push((message.time, line));
                }
                Update::Session(session) => {
                    if self.transitions_printed.len() <= session.id {
                        self.transitions_printed.resize(session.id + 1, 0);
                    }
                    let printed = self
                        .transitions_printed
                        .get(session.id)
                        .copied()
                        .unwrap_or(0);
                    for transition in session.transitions.iter().skip(printed) {
                        let mut line = Vec::new();
                        match self.format {
                            EventFormat::Text => writeln!(
                                line,
                                "    {:>8.3}        session {}: {} {} → {} ({})",
                                transition.time,
                                session.session_id,
                                transition.machine.name(),
                                transition.from,
                                transition.to,
                                transition.cause
                            )?,
                            EventFormat::Json => json_line(
                                &mut line,
                                &with_event(
                                    "transition",
                                    &TransitionEvent {
                                        session: session.id,
                                        session_id: &session.session_id,
                                        transition,
                                    },
                                )?,
                            )?,
                        }
                        lines.push((transition.time, line));
                    }
                    if let Some(slot) = self.transitions_printed.get_mut(session.id) {
                        *slot = session.transitions.len().max(printed);
                    }
                }
                Update::Finding(finding) => {
                    let mut line = Vec::new();
                    self.print_finding(finding, &mut line)?;
                    lines.push((f64::INFINITY, line));
                }
                _ => {}
            }
        }
        // Stable: a request and the transition its reply caused keep their order.
        lines.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, line) in lines {
            out.write_all(&line)?;
        }
        out.flush()
    }

    fn print_finding(&self, finding: &Finding, out: &mut impl Write) -> io::Result<()> {
        match self.format {
            EventFormat::Text => {
                let place = finding
                    .frame
                    .map(|f| format!(" frame {f}"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "    {} {}{}: {}",
                    finding.severity.name(),
                    finding.code,
                    place,
                    finding.text
                )
            }
            EventFormat::Json => json_line(out, &with_event("finding", finding)?),
        }
    }

    /// The final report: the text report, or one JSON line with `"event": "report"` and the
    /// fields of `report --format json`.
    pub fn print_report(&self, model: &Model, out: &mut impl Write) -> io::Result<()> {
        match self.format {
            EventFormat::Text => {
                writeln!(out)?;
                crate::report::text::write(model, out)?;
            }
            // Streamed: a whole model as a `serde_json::Value` tree would take several times
            // the model's own memory for a long capture.
            EventFormat::Json => {
                serde_json::to_writer(
                    &mut *out,
                    &ReportLine {
                        event: "report",
                        model,
                    },
                )
                .map_err(io::Error::other)?;
                writeln!(out)?;
            }
        }
        out.flush()
    }
}

fn json_line(out: &mut impl Write, value: &Value) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    writeln!(out)
}
