//! Teaching mode in the window: the six-step checklist beside the ladder (ticked as one steps
//! through the session), the selected message explained in plain words, and the RFC row and
//! messages of a state-graph edge that was clicked. The words come from `crate::teach`, the
//! same as `report --explain`.

use eframe::egui::{self, Color32, RichText, Sense, Stroke, pos2, vec2};

use crate::model::{Machine, MessageKind, Model, State};
use crate::teach::checklist::{self, Progress, Status, Step};
use crate::teach::edges::{self, Attempt};
use crate::teach::explain::{self, Explanation};
use crate::teach::rfc;
use crate::ui::message::MessageView;
use crate::ui::style::Palette;
use crate::ui::{Command, Scope};

/// An edge of one session's machine, as clicked on its graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdgeRef {
    pub session: usize,
    pub machine: Machine,
    pub from: State,
    pub to: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Explain,
    Message,
}

#[derive(Debug, Default)]
pub struct TeachView {
    /// Teaching mode is on: the checklist and the explanation replace the session list and the
    /// message view.
    pub enabled: bool,
    pub tab: Tab,
    /// The edge whose window is open.
    pub edge: Option<EdgeRef>,
    checklist: Option<((u64, usize), Vec<Step>)>,
    explanation: Option<((u64, usize), Option<Explanation>)>,
}

/// The label a checklist step is found by: "step 1 OPTIONS: skipped".
pub fn step_label(step: &Step, progress: Progress) -> String {
    let state = match progress {
        Progress::Pending => "not yet",
        _ => step.status.name(),
    };
    format!("step {} {}: {state}", step.kind.number(), step.kind.title())
}

impl TeachView {
    fn steps(&mut self, model: &Model, generation: u64, session: usize) -> &[Step] {
        let key = (generation, session);
        if self.checklist.as_ref().is_none_or(|(k, _)| *k != key) {
            let steps = model
                .sessions
                .get(session)
                .map(|s| checklist::checklist(model, s))
                .unwrap_or_default();
            self.checklist = Some((key, steps));
        }
        self.checklist
            .as_ref()
            .map(|(_, s)| s.as_slice())
            .unwrap_or(&[])
    }

    fn explanation(
        &mut self,
        model: &Model,
        generation: u64,
        message: usize,
    ) -> Option<&Explanation> {
        let key = (generation, message);
        if self.explanation.as_ref().is_none_or(|(k, _)| *k != key) {
            self.explanation = Some((key, explain::explain(model, message)));
        }
        self.explanation.as_ref().and_then(|(_, e)| e.as_ref())
    }

    /// The attempted edges the state graphs draw at the selected message.
    pub fn attempts(&self, model: &Model, selected: Option<usize>) -> Vec<Attempt> {
        if !self.enabled {
            return Vec::new();
        }
        selected
            .map(|m| edges::attempts_at(model, m))
            .unwrap_or_default()
    }

    /// The left panel in teaching mode: which session, and its six steps.
    #[must_use]
    pub fn checklist_ui(
        &mut self,
        ui: &mut egui::Ui,
        model: &Model,
        generation: u64,
        scope: Option<Scope>,
        selected: Option<usize>,
    ) -> Option<Command> {
        let palette = Palette::of(ui.visuals());
        let mut command = None;
        ui.add_space(6.0);
        ui.label(RichText::new("The six steps").size(16.0).strong());
        ui.label(
            RichText::new("of the simple RTSP exchange, ticked as you step (↓ or j). Steps 3 and 4 are the ones nothing plays without.")
                .weak(),
        );
        ui.add_space(4.0);
        let session = match scope {
            Some(Scope::Session(s)) => Some(s),
            _ => selected
                .and_then(|m| model.messages.get(m))
                .and_then(|m| m.session_index),
        };
        if model.sessions.len() > 1 {
            let current = session
                .and_then(|s| model.sessions.get(s))
                .map(|s| format!("Session {}", s.session_id))
                .unwrap_or_else(|| "Pick a session".into());
            egui::ComboBox::from_id_salt("teach-session")
                .selected_text(current)
                .width(ui.available_width() - 8.0)
                .show_ui(ui, |ui| {
                    for s in &model.sessions {
                        if ui
                            .selectable_label(
                                session == Some(s.id),
                                format!("Session {}", s.session_id),
                            )
                            .clicked()
                        {
                            command = Some(Command::SelectScope(Scope::Session(s.id)));
                        }
                    }
                });
            ui.add_space(4.0);
        }
        let Some(session) = session.filter(|&s| s < model.sessions.len()) else {
            ui.weak("Select a session: the checklist follows its messages.");
            return command;
        };
        // Before the first message is selected, the whole session's outcome.
        let steps = self.steps(model, generation, session).to_vec();
        egui::ScrollArea::vertical()
            .id_salt("teach-checklist")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for step in &steps {
                    if let Some(c) = step_row(ui, step, selected, &palette) {
                        command = Some(c);
                    }
                }
                ui.add_space(8.0);
                ui.label(
                    RichText::new(
                        "Click a step to go to its message. Click an edge of a state graph \
                         to see its row of the RFC's table.",
                    )
                    .small()
                    .weak(),
                );
            });
        command
    }

    /// The right panel in teaching mode: the selected message explained (or, on the second
    /// tab, the message itself).
    #[must_use]
    pub fn explanation_ui(
        &mut self,
        ui: &mut egui::Ui,
        model: &Model,
        generation: u64,
        selected: Option<usize>,
        message_view: &mut MessageView,
    ) -> Option<Command> {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.tab, Tab::Explain, "Explain");
            ui.selectable_value(&mut self.tab, Tab::Message, "Message");
        });
        ui.separator();
        if self.tab == Tab::Message {
            return message_view.ui(ui, model, selected);
        }
        let palette = Palette::of(ui.visuals());
        let Some(index) = selected else {
            ui.add_space(8.0);
            ui.label(RichText::new("Teaching mode").size(17.0).strong());
            ui.label(
                "Select a message in the ladder, or press ↓ (or j) to start at the first one. \
                 Each message is explained here: what it asks and why now, its headers with \
                 their values, and what it did to the client's and the server's state machines.",
            );
            return None;
        };
        let explanation = self.explanation(model, generation, index).cloned()?;
        let message = model.messages.get(index)?;
        let mut command = None;
        egui::ScrollArea::vertical()
            .id_salt("teach-explanation")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let colour = match message.kind {
                    MessageKind::Request => palette.request,
                    MessageKind::Response => palette.status(message.status),
                };
                ui.add(
                    egui::Label::new(
                        RichText::new(&explanation.title)
                            .size(17.0)
                            .strong()
                            .color(colour),
                    )
                    .wrap(),
                );
                let mut line = Vec::new();
                line.push(match message.direction {
                    crate::model::Direction::ClientToServer => "client → server".to_string(),
                    crate::model::Direction::ServerToClient => "server → client".to_string(),
                });
                if let Some(step) = explanation.step {
                    line.push(format!("step {} of 6", step.number()));
                }
                if let Some(reference) = &explanation.reference {
                    line.push(reference.clone());
                }
                ui.label(RichText::new(line.join("  ·  ")).weak());
                ui.add_space(6.0);
                for text in &explanation.about {
                    ui.add(egui::Label::new(text).wrap());
                    ui.add_space(3.0);
                }
                if let Some(status) = &explanation.status {
                    ui.add_space(4.0);
                    section(ui, "Status");
                    ui.add(egui::Label::new(RichText::new(status).color(colour)).wrap());
                }
                for (attempt, who) in edges::merged(&explanation.attempts) {
                    ui.add_space(6.0);
                    callout(
                        ui,
                        palette.failure,
                        &format!("Attempted edge ({who})"),
                        |ui| {
                            ui.add(egui::Label::new(&attempt.text).wrap());
                            ui.add(egui::Label::new(&attempt.outcome).wrap());
                            ui.label(
                                RichText::new("Drawn on the state graphs as a dashed red edge.")
                                    .small()
                                    .weak(),
                            );
                        },
                    );
                }
                if !explanation.headers.is_empty() {
                    ui.add_space(6.0);
                    section(ui, "Headers that matter");
                    for note in &explanation.headers {
                        ui.add_space(2.0);
                        ui.horizontal_wrapped(|ui| {
                            ui.label(RichText::new(&note.name).strong());
                            ui.add(
                                egui::Label::new(RichText::new(&note.value).monospace().size(12.0))
                                    .wrap(),
                            );
                        });
                        ui.add(egui::Label::new(&note.text).wrap());
                        if let Some(reference) = &note.reference {
                            ui.label(RichText::new(reference).small().weak());
                        }
                    }
                }
                ui.add_space(6.0);
                section(ui, "What it did to the state machines");
                for text in &explanation.effect {
                    ui.add(egui::Label::new(text).wrap());
                }
                for lesson in &explanation.lessons {
                    ui.add_space(6.0);
                    let colour = palette.severity(lesson.severity);
                    callout(
                        ui,
                        colour,
                        &format!("{} {}", lesson.severity.name(), lesson.code),
                        |ui| {
                            ui.add(egui::Label::new(&lesson.text).wrap());
                            if !lesson.why.is_empty() {
                                ui.add(
                                    egui::Label::new(
                                        RichText::new(format!("Why: {}", lesson.why)).italics(),
                                    )
                                    .wrap(),
                                );
                            }
                        },
                    );
                }
                if let Some(pair) = message.pair.and_then(|p| model.messages.get(p)) {
                    ui.add_space(8.0);
                    let text = match message.kind {
                        MessageKind::Request => {
                            format!("Its reply: #{} {}", pair.index, pair.label())
                        }
                        MessageKind::Response => {
                            format!("Its request: #{} {}", pair.index, pair.label())
                        }
                    };
                    if ui.link(text).clicked() {
                        command = Some(Command::SelectMessage(pair.index));
                    }
                }
            });
        command
    }

    /// The window of a clicked edge: its RFC row(s) and the messages that took it.
    #[must_use]
    pub fn edge_window(&mut self, ctx: &egui::Context, model: &Model) -> Option<Command> {
        let edge = self.edge?;
        let session = model.sessions.get(edge.session)?;
        let protocol = rfc::protocol_of(&session.version);
        let mut open = true;
        let mut command = None;
        let title = format!(
            "{} edge {} → {}",
            match edge.machine {
                Machine::Client => "Client",
                Machine::Server => "Server",
            },
            edge.from,
            edge.to
        );
        egui::Window::new(title)
            .id(egui::Id::unique("teach-edge"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .default_width(380.0)
            .anchor(egui::Align2::CENTER_BOTTOM, vec2(0.0, -260.0))
            .show(ctx, |ui| {
                ui.set_max_width(380.0);
                let rows = edges::rows(protocol, edge.machine, edge.from, edge.to);
                if rows.is_empty() {
                    ui.label("No row of the table: the machine moved on its own (a timeout) or by a redirect.");
                }
                for row in rows {
                    ui.add(egui::Label::new(edges::row_text(protocol, edge.machine, row)).wrap());
                    ui.add_space(2.0);
                }
                ui.separator();
                let uses = edges::uses_of(model, session, edge.machine, edge.from, edge.to);
                if uses.is_empty() {
                    ui.weak("No message of this session took this edge.");
                } else {
                    ui.label(RichText::new(format!(
                        "Taken {} time{} in this session:",
                        uses.len(),
                        if uses.len() == 1 { "" } else { "s" }
                    ))
                    .strong());
                    for u in uses {
                        let Some(reply) = model.messages.get(u.reply) else {
                            continue;
                        };
                        let text = format!(
                            "#{} {} to {} at {:.3} s",
                            reply.index,
                            reply.label(),
                            u.method,
                            reply.time
                        );
                        if ui.link(text).clicked() {
                            command = Some(Command::SelectMessage(reply.index));
                        }
                    }
                }
            });
        if !open {
            self.edge = None;
        }
        command
    }
}

fn section(ui: &mut egui::Ui, title: &str) {
    ui.label(RichText::new(title).strong().size(14.5));
}

fn callout(ui: &mut egui::Ui, colour: Color32, title: &str, body: impl FnOnce(&mut egui::Ui)) {
    egui::Frame::new()
        .fill(colour.gamma_multiply(0.12))
        .stroke(Stroke::new(1.0, colour))
        .corner_radius(4.0)
        .inner_margin(8.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(title).color(colour).strong());
            body(ui);
        });
}

/// One step of the checklist: a mark, its number and name, what it is for, and (once reached)
/// what this session did differently.
fn step_row(
    ui: &mut egui::Ui,
    step: &Step,
    selected: Option<usize>,
    palette: &Palette,
) -> Option<Command> {
    let progress = step.progress(selected);
    let accent = ui.visuals().selection.bg_fill;
    let (mark_colour, word) = match (progress, step.status) {
        (Progress::Pending, _) => (palette.weak, "not yet"),
        (_, Status::Done) => (palette.reply, "done"),
        (_, Status::Skipped) => (palette.weak, "skipped"),
        (_, Status::Refused) => (palette.failure, "refused"),
        (_, Status::Missing) => (palette.warning, "missing"),
    };
    let target = step
        .requests
        .first()
        .copied()
        .or(step.done_by)
        .or(step.deviations.iter().find_map(|d| d.message));
    let frame = egui::Frame::new()
        .inner_margin(egui::Margin::symmetric(4, 5))
        .corner_radius(4.0);
    let inner = frame.show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(vec2(18.0, 18.0), Sense::hover());
            mark(ui.painter(), rect, progress, step.status, mark_colour);
            let mut title =
                RichText::new(format!("{} {}", step.kind.number(), step.kind.title())).strong();
            if progress == Progress::Pending {
                title = title.color(palette.weak);
            }
            ui.label(title);
            if step.kind.mandatory() {
                ui.label(RichText::new("mandatory").small().color(accent));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(RichText::new(word).color(mark_colour));
            });
        });
        ui.horizontal(|ui| {
            ui.add_space(24.0);
            ui.add(egui::Label::new(RichText::new(step.kind.purpose()).weak()).wrap());
        });
        {
            // What happened later than the selected message is not told yet; what never
            // happened only once the step is settled.
            let settled = progress != Progress::Pending;
            let reached = |m: Option<usize>| match (m, selected) {
                (Some(m), Some(s)) => s >= m,
                (Some(_), None) => true,
                (None, _) => settled,
            };
            for deviation in step.deviations.iter().filter(|d| reached(d.message)) {
                ui.horizontal(|ui| {
                    ui.add_space(24.0);
                    let colour = match deviation.kind {
                        checklist::DeviationKind::Refused | checklist::DeviationKind::Missing => {
                            palette.warning
                        }
                        _ => ui.visuals().text_color(),
                    };
                    ui.add(
                        egui::Label::new(RichText::new(&deviation.text).size(12.5).color(colour))
                            .wrap(),
                    );
                });
            }
        }
    });
    let response = ui.interact(
        inner.response.rect,
        ui.scope_id().with(("teach-step", step.kind.number())),
        Sense::click(),
    );
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Button, true, step_label(step, progress))
    });
    if response.hovered() {
        ui.painter().rect_stroke(
            inner.response.rect,
            4.0,
            Stroke::new(1.0, palette.node_stroke),
            egui::StrokeKind::Inside,
        );
    }
    response
        .clicked()
        .then_some(())
        .and(target)
        .map(Command::SelectMessage)
}

/// A tick, a dash, an exclamation mark or an empty circle, drawn (the fonts may lack them).
fn mark(
    painter: &egui::Painter,
    rect: egui::Rect,
    progress: Progress,
    status: Status,
    colour: Color32,
) {
    let c = rect.center();
    let r = 7.5;
    match (progress, status) {
        (Progress::Pending, _) => {
            painter.circle_stroke(c, r, Stroke::new(1.5, colour));
        }
        (_, Status::Done) => {
            painter.circle_filled(c, r, colour);
            painter.line(
                vec![
                    pos2(c.x - 3.5, c.y + 0.2),
                    pos2(c.x - 1.0, c.y + 3.0),
                    pos2(c.x + 3.8, c.y - 3.0),
                ],
                Stroke::new(2.0, Color32::WHITE),
            );
        }
        (_, Status::Skipped) => {
            painter.circle_stroke(c, r, Stroke::new(1.5, colour));
            painter.line_segment(
                [pos2(c.x - 3.5, c.y), pos2(c.x + 3.5, c.y)],
                Stroke::new(2.0, colour),
            );
        }
        _ => {
            painter.circle_filled(c, r, colour);
            painter.line_segment(
                [pos2(c.x, c.y - 4.0), pos2(c.x, c.y + 1.0)],
                Stroke::new(2.0, Color32::WHITE),
            );
            painter.circle_filled(pos2(c.x, c.y + 3.5), 1.1, Color32::WHITE);
        }
    }
}
