//! The start screen: open a capture (dialog, path, drop), a bundled sample, or a recent file.

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use crate::ui::loader::Source;
use crate::ui::samples::SAMPLES;
use crate::ui::style::Palette;
use crate::ui::{Command, style};

#[derive(Debug, Default)]
pub struct StartView {
    pub path: String,
}

impl StartView {
    #[must_use]
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        recent: &[String],
        error: Option<&str>,
    ) -> Option<Command> {
        let palette = Palette::of(ui.visuals());
        let mut command = None;
        egui::ScrollArea::vertical()
            .id_salt("start")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let width = ui.available_width().min(680.0);
                let margin = ((ui.available_width() - width) / 2.0).max(0.0);
                ui.horizontal(|ui| {
                    ui.add_space(margin);
                    ui.vertical(|ui| {
                        ui.set_width(width);
                        ui.add_space(28.0);
                        ui.label(RichText::new("RTSP Inspector").size(28.0).strong());
                        ui.label(
                            "Open a pcap or pcapng capture: every RTSP session, its ladder, and \
                             where the client's and the server's state machines went.",
                        );
                        ui.add_space(14.0);
                        if let Some(error) = error {
                            egui::Frame::new()
                                .fill(palette.failure.gamma_multiply(0.12))
                                .stroke(egui::Stroke::new(1.0, palette.failure))
                                .corner_radius(4.0)
                                .inner_margin(8.0)
                                .show(ui, |ui| {
                                    ui.set_width(ui.available_width());
                                    ui.label(
                                        RichText::new("The capture could not be read")
                                            .color(palette.failure)
                                            .strong(),
                                    );
                                    ui.add(egui::Label::new(error).wrap());
                                });
                            ui.add_space(10.0);
                        }
                        ui.horizontal(|ui| {
                            let open = egui::Button::new(RichText::new("Open a capture…").size(15.0))
                                .min_size(egui::vec2(160.0, 30.0));
                            if ui.add(open).clicked() {
                                command = Some(Command::OpenDialog);
                            }
                            ui.label(RichText::new("or drop a file on this window").weak());
                        });
                        ui.add_space(8.0);
                        ui.horizontal(|ui| {
                            let label = ui.label("Path");
                            let field = ui
                                .add(
                                    egui::TextEdit::singleline(&mut self.path)
                                        .hint_text("/path/to/capture.pcapng")
                                        .desired_width(width - 150.0),
                                )
                                .labelled_by(label.id);
                            let enter = field.lost_focus()
                                && ui.input(|i| i.key_pressed(egui::Key::Enter));
                            let open = ui
                                .add_enabled(!self.path.trim().is_empty(), egui::Button::new("Open"))
                                .clicked();
                            if (enter || open) && !self.path.trim().is_empty() {
                                command = Some(Command::Open(Source::File(PathBuf::from(
                                    self.path.trim(),
                                ))));
                            }
                        });

                        ui.add_space(18.0);
                        if let Some(learn) = learn_card(ui, &palette) {
                            command = Some(learn);
                        }
                        ui.add_space(18.0);
                        ui.label(RichText::new("Sample captures").size(16.0).strong());
                        ui.label(
                            RichText::new("Real captures of GStreamer's server with ffmpeg and rtspsrc clients, bundled:")
                                .weak(),
                        );
                        ui.add_space(2.0);
                        for sample in SAMPLES {
                            let response = style::list_row(
                                ui,
                                40.0,
                                false,
                                || format!("sample {}", sample.name),
                                |ui| {
                                    style::line(ui, RichText::new(sample.name).strong());
                                    style::line(ui, RichText::new(sample.about).weak());
                                },
                            );
                            if response.clicked() {
                                command = Some(Command::Open(Source::Sample(sample)));
                            }
                        }

                        if !recent.is_empty() {
                            ui.add_space(18.0);
                            ui.horizontal(|ui| {
                                ui.label(RichText::new("Recent").size(16.0).strong());
                                if ui.small_button("Forget").clicked() {
                                    command = Some(Command::ForgetRecent);
                                }
                            });
                            for path in recent {
                                let response = style::list_row(
                                    ui,
                                    24.0,
                                    false,
                                    || format!("recent {path}"),
                                    |ui| {
                                        style::line(ui, RichText::new(path.as_str()));
                                    },
                                );
                                if response.clicked() {
                                    command = Some(Command::Open(Source::File(PathBuf::from(path))));
                                }
                            }
                        }
                        ui.add_space(18.0);
                        ui.label(
                            RichText::new(
                                "Keys: ↑ ↓ (or j k) step through messages, Home / End, Space plays.",
                            )
                            .weak(),
                        );
                    });
                });
            });
        command
    }
}

/// "Learn the RTSP handshake": the bundled clean exchange, in teaching mode.
fn learn_card(ui: &mut egui::Ui, palette: &Palette) -> Option<Command> {
    let accent = palette.request;
    let mut command = None;
    egui::Frame::new()
        .fill(accent.gamma_multiply(0.10))
        .stroke(egui::Stroke::new(1.0, accent.gamma_multiply(0.6)))
        .corner_radius(6.0)
        .inner_margin(12.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                ui.vertical(|ui| {
                    ui.set_width((ui.available_width() - 200.0).max(200.0));
                    ui.label(RichText::new("New to RTSP?").size(16.0).strong());
                    ui.add(
                        egui::Label::new(
                            "Walk through a real exchange between ffmpeg and a GStreamer \
                             server, message by message: what each request asks, what each \
                             header says, and how both state machines move.",
                        )
                        .wrap(),
                    );
                });
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let button = egui::Button::new(
                        RichText::new("Learn the RTSP handshake")
                            .size(15.0)
                            .strong(),
                    )
                    .min_size(egui::vec2(190.0, 34.0));
                    if ui.add(button).clicked() {
                        command = Some(Command::Learn);
                    }
                });
            });
        });
    command
}
