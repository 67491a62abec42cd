//! Capture → Live…: pick an interface (name, addresses, up or down), a BPF filter checked as it
//! is typed (libpcap's own message when it does not compile), promiscuous mode, snap length and
//! where to keep the packets; Start. While capturing, the menu bar shows the counters and Stop.

use std::path::PathBuf;

use eframe::egui::{self, RichText};

use crate::capture::LinkType;
use crate::live::interfaces::{self, Interface};
use crate::live::privileges::{ROOT_NOTE, running_as_root};
use crate::live::source::{CaptureOptions, DEFAULT_SNAPLEN, LiveInput};
use crate::live::{LiveError, LiveStats, filter};
use crate::ui::facts;
use crate::ui::live_feed::LiveRequest;
use crate::ui::style::Palette;
use crate::ui::{Command, Source};

/// The label of an interface's row (its name), for tests that click it.
pub fn interface_label(interface: &Interface) -> String {
    interface.name.clone()
}

pub const START: &str = "Start capture";
pub const FILTER_LABEL: &str = "BPF filter";

#[derive(Debug)]
pub struct LiveDialog {
    pub open: bool,
    interfaces: Option<Result<Vec<Interface>, String>>,
    pub selected: Option<String>,
    pub filter: String,
    /// The filter last checked and what libpcap said about it.
    checked: Option<(String, Result<(), String>)>,
    pub promiscuous: bool,
    pub snaplen: u32,
    pub keep_packets: bool,
    pub save_path: String,
    /// Why the last Start failed (shown in the dialog).
    pub error: Option<String>,
}

impl Default for LiveDialog {
    fn default() -> Self {
        LiveDialog {
            open: false,
            interfaces: None,
            selected: None,
            filter: String::new(),
            checked: None,
            promiscuous: true,
            snaplen: DEFAULT_SNAPLEN,
            keep_packets: true,
            save_path: String::new(),
            error: None,
        }
    }
}

/// A file in the temp folder for the packets of a capture started now.
fn temp_capture_path() -> PathBuf {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    std::env::temp_dir().join(format!("rtsp-inspector-live-{stamp}.pcapng"))
}

impl LiveDialog {
    /// Opens the dialog with a fresh list of interfaces.
    pub fn show(&mut self) {
        self.open = true;
        self.error = None;
        self.refresh();
        self.save_path = temp_capture_path().display().to_string();
    }

    /// A capture that could not start: the dialog comes back, saying why.
    pub fn failed(&mut self, why: String) {
        self.open = true;
        self.error = Some(why);
    }

    pub fn refresh(&mut self) {
        let listed = interfaces::list().map_err(|e| e.to_string());
        if self.selected.is_none()
            && let Ok(all) = &listed
        {
            // Loopback is where a local client and server meet; else the first one up.
            self.selected = all
                .iter()
                .find(|i| i.loopback && i.up)
                .or_else(|| all.iter().find(|i| i.up))
                .map(|i| i.name.clone());
        }
        self.interfaces = Some(listed);
    }

    /// Whether the filter compiles, with libpcap's message when not (checked once per edit).
    pub fn filter_problem(&mut self) -> Option<String> {
        let fresh = self
            .checked
            .as_ref()
            .is_none_or(|(text, _)| *text != self.filter);
        if fresh {
            let link = if self.selected.as_deref() == Some("any") {
                LinkType::LINUX_SLL2
            } else {
                LinkType::ETHERNET
            };
            let result = filter::check(&self.filter, link).map_err(|e| match e {
                LiveError::BadFilter { detail, .. } => detail,
                other => other.to_string(),
            });
            self.checked = Some((self.filter.clone(), result));
        }
        self.checked
            .as_ref()
            .and_then(|(_, result)| result.as_ref().err().cloned())
    }

    fn request(&self) -> Option<LiveRequest> {
        let interface = self.selected.clone()?;
        let write = (self.keep_packets && !self.save_path.trim().is_empty())
            .then(|| PathBuf::from(self.save_path.trim()));
        Some(LiveRequest {
            input: LiveInput::Interface(CaptureOptions {
                filter: self.filter.trim().to_string(),
                promiscuous: self.promiscuous,
                snaplen: self.snaplen,
                ..CaptureOptions::new(&interface)
            }),
            write,
        })
    }

    #[must_use]
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<Command> {
        if !self.open {
            return None;
        }
        let mut command = None;
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("live-capture")).show(ctx, |ui| {
            ui.set_width(660.0);
            let palette = Palette::of(ui.visuals());
            ui.heading("Live capture");
            ui.label("Watch RTSP sessions on an interface as they happen.");
            if running_as_root() {
                ui.label(
                    RichText::new(format!("Note: {ROOT_NOTE}."))
                        .small()
                        .color(palette.warning),
                );
            }
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                ui.strong("Interface");
                if ui.small_button("Refresh").clicked() {
                    self.refresh();
                }
            });
            self.interface_table(ui, &palette);
            ui.add_space(6.0);

            let label = ui.label(FILTER_LABEL);
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("e.g. tcp port 554 (empty: everything)")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
            let problem = self.filter_problem();
            match &problem {
                Some(why) => {
                    ui.label(
                        RichText::new(format!("libpcap: {why}"))
                            .small()
                            .color(palette.failure),
                    );
                }
                None if !self.filter.trim().is_empty() => {
                    ui.label(RichText::new("The filter compiles.").small().weak());
                }
                None => {}
            }
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.checkbox(&mut self.promiscuous, "Promiscuous mode");
                ui.add_space(16.0);
                ui.label("Snap length");
                ui.add(
                    egui::DragValue::new(&mut self.snaplen)
                        .range(64..=DEFAULT_SNAPLEN)
                        .suffix(" bytes"),
                );
            });
            ui.horizontal(|ui| {
                let keep = ui.checkbox(&mut self.keep_packets, "Keep the packets in");
                ui.add_enabled(
                    self.keep_packets,
                    egui::TextEdit::singleline(&mut self.save_path).desired_width(f32::INFINITY),
                )
                .labelled_by(keep.id);
            });
            if let Some(error) = &self.error {
                ui.add_space(4.0);
                ui.label(RichText::new(error).color(palette.failure));
            }
            ui.add_space(8.0);
            ui.horizontal(|ui| {
                let ready = self.selected.is_some() && problem.is_none();
                if ui.add_enabled(ready, egui::Button::new(START)).clicked()
                    && let Some(request) = self.request()
                {
                    command = Some(Command::Open(Source::Live(request)));
                }
                if ui.button("Close").clicked() {
                    close = true;
                }
            });
        });
        if modal.should_close() {
            close = true;
        }
        if command.is_some() || close {
            self.open = false;
            self.error = None;
        }
        command
    }

    fn interface_table(&mut self, ui: &mut egui::Ui, palette: &Palette) {
        match &self.interfaces {
            None => {}
            Some(Err(why)) => {
                ui.label(RichText::new(why).color(palette.failure));
            }
            Some(Ok(all)) if all.is_empty() => {
                ui.label("libpcap lists no interface here.");
            }
            Some(Ok(all)) => {
                let mut pick = None;
                egui::ScrollArea::vertical()
                    .max_height(180.0)
                    .auto_shrink([false, true])
                    .show(ui, |ui| {
                        egui::Grid::new("interfaces")
                            .num_columns(4)
                            .striped(true)
                            .spacing([14.0, 4.0])
                            .show(ui, |ui| {
                                ui.weak("name");
                                ui.weak("state");
                                ui.weak("addresses");
                                ui.weak("description");
                                ui.end_row();
                                for interface in all {
                                    let chosen =
                                        self.selected.as_deref() == Some(interface.name.as_str());
                                    if ui
                                        .selectable_label(chosen, interface_label(interface))
                                        .clicked()
                                    {
                                        pick = Some(interface.name.clone());
                                    }
                                    let state = RichText::new(interface.status()).small();
                                    ui.label(if interface.up {
                                        state.color(palette.reply)
                                    } else {
                                        state.color(palette.weak)
                                    });
                                    ui.label(RichText::new(interface.addresses.join("  ")).small());
                                    ui.label(
                                        RichText::new(
                                            interface.description.as_deref().unwrap_or(""),
                                        )
                                        .small()
                                        .weak(),
                                    );
                                    ui.end_row();
                                }
                            });
                    });
                if let Some(name) = pick {
                    self.selected = Some(name);
                    // The filter is checked again for the interface's link type.
                    self.checked = None;
                }
            }
        }
    }
}

/// The menu bar while capturing: a live counter (packets, bytes, libpcap's drops) and Stop.
/// Returns true when Stop was clicked.
pub fn live_status(ui: &mut egui::Ui, name: &str, stats: Option<&LiveStats>) -> bool {
    let palette = Palette::of(ui.visuals());
    let stop = ui
        .button("Stop")
        .on_hover_text("Stop capturing; everything captured stays")
        .clicked();
    let stats = stats.copied().unwrap_or_default();
    let dropped = stats.lost();
    let drops = RichText::new(format!("{} dropped", facts::thousands(dropped)));
    ui.label(if dropped > 0 {
        drops.color(palette.failure)
    } else {
        drops.weak()
    });
    if stats.interface_down {
        ui.label(RichText::new("interface down").color(palette.failure));
    }
    ui.label(format!(
        "{} packets · {}",
        facts::thousands(stats.packets),
        facts::bytes_text(stats.bytes)
    ));
    ui.label(RichText::new(format!("● Live on {name}")).color(palette.failure));
    stop
}
