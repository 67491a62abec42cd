//! The sessions and connections of the capture, as two filterable lists.
//!
//! A session is what a person debugs (one stream, from SETUP to TEARDOWN, with the DESCRIBE that
//! led to it); a connection is what the wire shows (one TCP stream, maybe several sessions).
//! Selecting either shows its ladder.

use eframe::egui::{self, RichText};

use crate::model::{Model, Severity};
use crate::ui::facts::{self, Index};
use crate::ui::style::{self, Palette};
use crate::ui::{Command, Scope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Sessions,
    Connections,
}

#[derive(Debug, Default)]
pub struct SessionsView {
    pub tab: Tab,
    pub filter: String,
    /// The rows that pass the filter, for (filter, model generation).
    cache: Option<(String, u64, Vec<usize>, Vec<usize>)>,
}

impl SessionsView {
    #[must_use]
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        model: &Model,
        index: &Index,
        scope: Option<Scope>,
    ) -> Option<Command> {
        let mut command = None;
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            let sessions = format!("Sessions ({})", model.sessions.len());
            let connections = format!("Connections ({})", model.connections.len());
            ui.selectable_value(&mut self.tab, Tab::Sessions, sessions);
            ui.selectable_value(&mut self.tab, Tab::Connections, connections);
        });
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut self.filter)
                .hint_text("URL, address, Session ID, method, status")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        ui.add_space(2.0);
        ui.separator();

        let (sessions, connections) = self.filtered(model, index.generation);
        let palette = Palette::of(ui.visuals());
        match self.tab {
            Tab::Sessions if sessions.is_empty() => empty_note(ui, model.sessions.is_empty()),
            Tab::Connections if connections.is_empty() => {
                empty_note(ui, model.connections.is_empty())
            }
            Tab::Sessions => {
                egui::ScrollArea::vertical()
                    .id_salt("sessions")
                    .auto_shrink([false, false])
                    .show_rows(ui, style::SESSION_ROW, sessions.len(), |ui, range| {
                        for &id in &sessions[range] {
                            let selected = scope == Some(Scope::Session(id));
                            let row = session_row(ui, model, index, id, selected, &palette);
                            if row.clicked() {
                                command = Some(Command::SelectScope(Scope::Session(id)));
                            }
                            if let Some(export) = export_menu(&row, Scope::Session(id)) {
                                command = Some(export);
                            }
                        }
                    });
            }
            Tab::Connections => {
                egui::ScrollArea::vertical()
                    .id_salt("connections")
                    .auto_shrink([false, false])
                    .show_rows(ui, style::SESSION_ROW, connections.len(), |ui, range| {
                        for &position in &connections[range] {
                            let Some(c) = model.connections.get(position) else {
                                continue;
                            };
                            let selected = scope == Some(Scope::Connection(c.id));
                            if connection_row(ui, model, position, selected, &palette).clicked() {
                                command = Some(Command::SelectScope(Scope::Connection(c.id)));
                            }
                        }
                    });
            }
        }
        command
    }

    /// Sessions (by index) and connections (by position) that pass the filter; recomputed only
    /// when the filter or the model changes, since matching reads every message.
    fn filtered(&mut self, model: &Model, generation: u64) -> (Vec<usize>, Vec<usize>) {
        let fresh =
            matches!(&self.cache, Some((f, g, _, _)) if *f == self.filter && *g == generation);
        if !fresh {
            let words = facts::filter_words(&self.filter);
            let sessions = model
                .sessions
                .iter()
                .enumerate()
                .filter(|(_, s)| words.is_empty() || facts::session_matches(model, s, &words))
                .map(|(i, _)| i)
                .collect();
            let connections = model
                .connections
                .iter()
                .enumerate()
                .filter(|(_, c)| words.is_empty() || facts::connection_matches(model, c, &words))
                .map(|(i, _)| i)
                .collect();
            self.cache = Some((self.filter.clone(), generation, sessions, connections));
        }
        match &self.cache {
            Some((_, _, sessions, connections)) => (sessions.clone(), connections.clone()),
            None => (Vec::new(), Vec::new()),
        }
    }
}

/// Right-click on a session: export it.
fn export_menu(row: &egui::Response, scope: Scope) -> Option<Command> {
    let mut command = None;
    row.context_menu(|ui| {
        for format in crate::export::Format::ALL {
            let label = crate::ui::export_dialog::menu_label(format, scope);
            if ui.button(label).clicked() {
                command = Some(Command::Export(scope, format));
                ui.close();
            }
        }
    });
    command
}

fn empty_note(ui: &mut egui::Ui, nothing_at_all: bool) {
    ui.add_space(8.0);
    if nothing_at_all {
        ui.weak("None (yet).");
    } else {
        ui.weak("Nothing matches the filter.");
    }
}

/// The label tests and screen readers find a session by.
pub fn session_label(session_id: &str) -> String {
    format!("Session {session_id}")
}

fn session_row(
    ui: &mut egui::Ui,
    model: &Model,
    index: &Index,
    id: usize,
    selected: bool,
    palette: &Palette,
) -> egui::Response {
    let Some(session) = model.sessions.get(id) else {
        return ui.allocate_response(egui::Vec2::ZERO, egui::Sense::hover());
    };
    let (findings, worst) = index.session_findings.get(id).copied().unwrap_or((0, None));
    style::list_row(
        ui,
        style::SESSION_ROW - ui.spacing().item_spacing.y,
        selected,
        || session_label(&session.session_id),
        |ui| {
            let title = RichText::new(session_label(&session.session_id)).strong();
            if findings > 0 {
                let colour = palette.severity(worst.unwrap_or(Severity::Info));
                let noun = if findings == 1 { "finding" } else { "findings" };
                let badge = RichText::new(format!("{findings} {noun}"))
                    .small()
                    .color(colour)
                    .strong();
                // The title gives way (cut with "…") before the badge does.
                egui::Sides::new().shrink_left().truncate().show(
                    ui,
                    |ui| style::line(ui, title),
                    |ui| ui.add(egui::Label::new(badge).selectable(false)),
                );
            } else {
                style::line(ui, title);
            }
            style::line(ui, RichText::new(&session.url).small());
            let states = if session.client_state == session.server_state {
                format!("both {}", session.client_state)
            } else {
                format!(
                    "client {} · server {}",
                    session.client_state, session.server_state
                )
            };
            let colour = if session.client_state == session.server_state {
                palette.weak
            } else {
                palette.warning
            };
            style::line(
                ui,
                RichText::new(format!(
                    "{} → {} · {} msgs · {states}",
                    session.client,
                    session.server,
                    session.messages.len()
                ))
                .small()
                .color(colour),
            );
        },
    )
}

/// The label tests and screen readers find a connection by.
pub fn connection_label(id: u32) -> String {
    format!("Connection #{id}")
}

fn connection_row(
    ui: &mut egui::Ui,
    model: &Model,
    position: usize,
    selected: bool,
    palette: &Palette,
) -> egui::Response {
    let Some(c) = model.connections.get(position) else {
        return ui.allocate_response(egui::Vec2::ZERO, egui::Sense::hover());
    };
    style::list_row(
        ui,
        style::SESSION_ROW - ui.spacing().item_spacing.y,
        selected,
        || connection_label(c.id),
        |ui| {
            let mut title = connection_label(c.id);
            if let Some(version) = &c.version {
                title.push_str(&format!("  {version}"));
            }
            style::line(ui, RichText::new(title).strong());
            style::line(
                ui,
                RichText::new(format!("{} → {}", c.client, c.server)).small(),
            );
            let mut facts_line = format!("{} messages", c.rtsp_messages);
            if c.interleaved_frames > 0 {
                facts_line.push_str(&format!(
                    " · {} interleaved",
                    facts::thousands(c.interleaved_frames)
                ));
            }
            if c.gaps > 0 {
                facts_line.push_str(&format!(" · {} gaps", c.gaps));
            }
            if let Some(ended) = &c.ended {
                facts_line.push_str(&format!(" · {ended}"));
            }
            let colour = if c.gaps > 0 {
                palette.warning
            } else {
                palette.weak
            };
            style::line(ui, RichText::new(facts_line).small().color(colour));
        },
    )
}

/// What the capture is: the file, its format and size, and whether it was read to its end.
pub fn capture_card(ui: &mut egui::Ui, model: &Model) {
    let c = &model.capture;
    let palette = Palette::of(ui.visuals());
    ui.strong("Capture");
    if !c.path.is_empty() {
        style::line(ui, RichText::new(&c.path).small()).on_hover_text(&c.path);
    }
    let mut facts_line = Vec::new();
    if !c.format.is_empty() {
        facts_line.push(c.format.clone());
    }
    if !c.link_types.is_empty() {
        facts_line.push(c.link_types.join(", "));
    }
    facts_line.push(facts::bytes_text(c.bytes));
    style::line(
        ui,
        RichText::new(facts_line.join(" · "))
            .small()
            .color(palette.weak),
    );
    style::line(
        ui,
        RichText::new(format!(
            "{} packets over {}",
            facts::thousands(c.packets),
            facts::duration_text(c.duration)
        ))
        .small()
        .color(palette.weak),
    );
    if c.packets_not_decoded > 0 {
        style::line(
            ui,
            RichText::new(format!("{} packets not decoded", c.packets_not_decoded))
                .small()
                .color(palette.weak),
        );
    }
    if let Some(truncated) = &c.truncated {
        ui.add(egui::Label::new(RichText::new(truncated).small().color(palette.warning)).wrap());
    }
}
