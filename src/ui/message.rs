//! The selected message: what it is and where it was, its findings, its headers as a table, an
//! SDP body as fields, and the message as text.

use eframe::egui::{self, RichText};

use crate::model::{Direction, Message, MessageKind, Model};
use crate::ui::Command;
use crate::ui::facts;
use crate::ui::style::Palette;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Parsed,
    Raw,
}

#[derive(Debug, Default)]
pub struct MessageView {
    pub tab: Tab,
}

impl MessageView {
    #[must_use]
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        model: &Model,
        selected: Option<usize>,
    ) -> Option<Command> {
        let Some(message) = selected.and_then(|m| model.messages.get(m)) else {
            ui.add_space(8.0);
            ui.strong("Message");
            ui.weak("Select a message in the ladder, or step with ↑ and ↓.");
            return None;
        };
        let palette = Palette::of(ui.visuals());
        let mut command = None;
        ui.add_space(4.0);
        let kind = match message.kind {
            MessageKind::Request => "Request",
            MessageKind::Response => "Response",
        };
        let colour = match message.kind {
            MessageKind::Request => palette.request,
            MessageKind::Response => palette.status(message.status),
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("#{}", message.index)).weak());
            ui.label(
                RichText::new(message.label())
                    .size(17.0)
                    .strong()
                    .color(colour),
            );
            ui.label(RichText::new(kind).weak());
        });
        if let Some(url) = &message.url {
            ui.add(egui::Label::new(RichText::new(url).monospace()).wrap());
        }
        ui.add_space(4.0);
        egui::Grid::new("message-facts")
            .num_columns(2)
            .spacing([12.0, 3.0])
            .show(ui, |ui| {
                let direction = match message.direction {
                    Direction::ClientToServer => "client → server",
                    Direction::ServerToClient => "server → client",
                };
                fact(ui, "Direction", direction);
                let connection = facts::connection(model, message.connection)
                    .map(|c| format!("#{} {} → {}", c.id, c.client, c.server))
                    .unwrap_or_else(|| format!("#{}", message.connection));
                fact(ui, "Connection", &connection);
                let frames = if message.first_frame != message.frame {
                    format!("{}–{}", message.first_frame, message.frame)
                } else {
                    message.frame.to_string()
                };
                fact(ui, "Frame", &frames);
                let mut time = format!("{:.6} s", message.time);
                if let Some(start) = model.capture.start_time {
                    time.push_str(&format!(
                        "  ({} UTC)",
                        facts::absolute_time(start + message.time)
                    ));
                }
                fact(ui, "Time", &time);
                if let Some(cseq) = message.cseq {
                    fact(ui, "CSeq", &cseq.to_string());
                }
                if let Some(session) = &message.session {
                    fact(ui, "Session", session);
                }
                if let Some(pair) = message.pair.and_then(|p| model.messages.get(p)) {
                    ui.label(
                        RichText::new(match message.kind {
                            MessageKind::Request => "Reply",
                            MessageKind::Response => "Request",
                        })
                        .weak(),
                    );
                    let gap = pair.time - message.time;
                    let text = format!(
                        "#{} {}, {} {}",
                        pair.index,
                        pair.label(),
                        facts::duration_text(gap.abs()),
                        if gap < 0.0 { "earlier" } else { "later" }
                    );
                    if ui.link(text).clicked() {
                        command = Some(Command::SelectMessage(pair.index));
                    }
                    ui.end_row();
                }
                if let Some((client, server)) = facts::states_at(model, message) {
                    fact(
                        ui,
                        "States after",
                        &format!("client {client}, server {server}"),
                    );
                }
                if !message.complete {
                    ui.label(RichText::new("Cut").weak());
                    ui.colored_label(palette.warning, "the capture has only part of this message");
                    ui.end_row();
                }
            });

        let findings: Vec<_> = model.findings_for_message(message.index).collect();
        if !findings.is_empty() {
            ui.add_space(6.0);
            for finding in findings {
                egui::Frame::new()
                    .fill(palette.severity(finding.severity).gamma_multiply(0.12))
                    .stroke(egui::Stroke::new(1.0, palette.severity(finding.severity)))
                    .corner_radius(4.0)
                    .inner_margin(6.0)
                    .show(ui, |ui| {
                        ui.set_width(ui.available_width());
                        ui.label(
                            RichText::new(format!("{} {}", finding.severity.name(), finding.code))
                                .color(palette.severity(finding.severity))
                                .strong(),
                        );
                        ui.add(egui::Label::new(&finding.text).wrap());
                    });
            }
        }

        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.tab, Tab::Parsed, "Headers");
            ui.selectable_value(&mut self.tab, Tab::Raw, "Raw");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button("Copy")
                    .on_hover_text("Copy the message as text")
                    .clicked()
                {
                    ui.copy_text(facts::raw_text(message));
                }
            });
        });
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("message-body")
            .auto_shrink([false, false])
            .show(ui, |ui| match self.tab {
                Tab::Parsed => parsed(ui, message),
                Tab::Raw => raw(ui, message),
            });
        command
    }
}

fn fact(ui: &mut egui::Ui, name: &str, value: &str) {
    ui.label(RichText::new(name).weak());
    ui.add(egui::Label::new(value).wrap());
    ui.end_row();
}

fn parsed(ui: &mut egui::Ui, message: &Message) {
    if message.headers.is_empty() {
        ui.weak("No headers.");
    } else {
        egui::Grid::new("headers")
            .num_columns(2)
            .striped(true)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for (name, value) in &message.headers {
                    ui.label(RichText::new(name).strong());
                    ui.add(egui::Label::new(RichText::new(value).monospace()).wrap());
                    ui.end_row();
                }
            });
    }
    let Some(body) = &message.body else {
        if message.body_length > 0 {
            ui.add_space(8.0);
            ui.weak(format!("Body: {} bytes, not kept.", message.body_length));
        }
        return;
    };
    ui.add_space(10.0);
    match facts::parse_sdp(body) {
        Some(sdp) => {
            ui.strong("SDP");
            egui::Grid::new("sdp-session")
                .num_columns(2)
                .spacing([12.0, 3.0])
                .show(ui, |ui| {
                    for (kind, value) in &sdp.session {
                        ui.label(RichText::new(sdp_name(kind)).weak());
                        ui.add(egui::Label::new(RichText::new(value).monospace()).wrap());
                        ui.end_row();
                    }
                    for attribute in &sdp.session_attributes {
                        ui.label(RichText::new("attribute").weak());
                        ui.add(egui::Label::new(RichText::new(attribute).monospace()).wrap());
                        ui.end_row();
                    }
                });
            for (i, media) in sdp.media.iter().enumerate() {
                ui.add_space(6.0);
                ui.label(
                    RichText::new(format!("m={}", media.line))
                        .monospace()
                        .strong(),
                );
                egui::Grid::new(("sdp-media", i))
                    .num_columns(2)
                    .spacing([12.0, 3.0])
                    .show(ui, |ui| {
                        if let Some(control) = &media.control {
                            ui.label(RichText::new("control").weak());
                            ui.label(RichText::new(control).monospace());
                            ui.end_row();
                        }
                        for rtpmap in &media.rtpmaps {
                            ui.label(RichText::new("rtpmap").weak());
                            ui.label(RichText::new(rtpmap).monospace());
                            ui.end_row();
                        }
                        for attribute in &media.attributes {
                            ui.label(RichText::new("attribute").weak());
                            ui.add(egui::Label::new(RichText::new(attribute).monospace()).wrap());
                            ui.end_row();
                        }
                    });
            }
        }
        None => {
            ui.strong(format!("Body ({} bytes)", message.body_length));
            ui.add(egui::Label::new(RichText::new(body).monospace()).wrap());
        }
    }
}

fn sdp_name(kind: &str) -> &str {
    match kind {
        "v" => "version",
        "o" => "origin",
        "s" => "name",
        "i" => "info",
        "u" => "uri",
        "c" => "connection",
        "t" => "time",
        "b" => "bandwidth",
        other => other,
    }
}

fn raw(ui: &mut egui::Ui, message: &Message) {
    // Line ends as the wire has them would show as boxes; a `&str` buffer makes it read-only
    // while still selectable.
    let text = facts::raw_text(message).replace("\r\n", "\n");
    ui.add(
        egui::TextEdit::multiline(&mut text.as_str())
            .font(egui::TextStyle::Monospace)
            .desired_width(f32::INFINITY)
            .interactive(true)
            .hint_text("the message as text"),
    );
}
