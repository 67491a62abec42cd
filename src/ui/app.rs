//! The app: owns the model the window shows, the selection, the views and the loader; lays the
//! views out; applies the views' commands at the end of each frame.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use eframe::egui::{self, RichText};
use serde::{Deserialize, Serialize};

use crate::engine::Credentials;
use crate::model::Model;
use crate::ui::export_dialog::{self, ExportDialog};
use crate::ui::facts::{self, Index};
use crate::ui::findings::FindingsView;
use crate::ui::ladder::{LadderView, Rows};
use crate::ui::live_dialog::{self, LiveDialog};
use crate::ui::loader::{Loader, Outcome, Source};
use crate::ui::message::MessageView;
use crate::ui::samples::SAMPLES;
use crate::ui::sessions::SessionsView;
use crate::ui::start::StartView;
use crate::ui::state_graph::StateGraphView;
use crate::ui::style::{self, Palette, ThemeChoice};
use crate::ui::teach::TeachView;
use crate::ui::timing::{FrameTimes, LoadTiming};
use crate::ui::{Command, Scope, Startup, Step};

/// Where eframe's storage keeps [`Settings`].
pub const SETTINGS_KEY: &str = "rtsp-inspector.settings";

/// How many recent files the start screen and the File menu remember.
const RECENT_FILES: usize = 10;

/// Time between two steps when playing.
const PLAY_INTERVAL: Duration = Duration::from_millis(800);

/// A file dialog that answers "nothing" this fast never showed itself: there is no portal and
/// no zenity, so the path field takes over.
const DIALOG_UNAVAILABLE_WITHIN: Duration = Duration::from_millis(1500);

/// What survives a restart (eframe's storage).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent: Vec<String>,
    pub theme: ThemeChoice,
}

/// What is selected; the same everywhere (ladder, lists, graphs, message view).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Selection {
    pub scope: Option<Scope>,
    pub message: Option<usize>,
}

struct PendingDialog {
    rx: Receiver<Option<PathBuf>>,
    opened: Instant,
}

/// The "open by path" field, with why it is shown.
struct PathField {
    text: String,
    note: Option<String>,
}

pub struct InspectorApp {
    settings: Settings,
    model: Model,
    generation: u64,
    index: Index,
    rows: Rows,
    /// The capture shown (or being read), by name.
    capture_name: Option<String>,
    loader: Option<Loader>,
    /// Why the last capture could not be read.
    load_error: Option<String>,
    /// How the last load went: "read in 45 ms", "cancelled".
    load_note: Option<String>,
    selection: Selection,
    /// Selection asked for on the command line, applied once the capture is read.
    wanted: (Option<usize>, Option<usize>),
    sessions: SessionsView,
    ladder: LadderView,
    graphs: StateGraphView,
    message: MessageView,
    findings: FindingsView,
    start: StartView,
    teach: TeachView,
    playing: Option<Instant>,
    dialog: Option<PendingDialog>,
    path_field: Option<PathField>,
    export: ExportDialog,
    live: LiveDialog,
    commands: Vec<Command>,
    initialised: bool,
    glyphs_warm: bool,
    timing: Option<LoadTiming>,
    /// eframe's measure of the previous frame: ui, tessellation and painting, without vsync.
    previous_frame_cpu: Option<f32>,
    /// What the next capture opened keeps of credentials.
    credentials: Credentials,
}

impl InspectorApp {
    /// The app as the window starts it: the settings from eframe's storage and the command line.
    pub fn new(settings: Settings, startup: Startup) -> Self {
        let mut app = InspectorApp::empty(settings);
        if let Some(theme) = startup.theme {
            app.settings.theme = theme;
        }
        app.wanted = (startup.session, startup.message);
        app.timing = startup.timing.then(|| LoadTiming::new(startup.launched));
        app.teach.enabled = startup.teach;
        app.credentials = startup.credentials;
        if let Some(path) = startup.capture {
            // Opened on the first frame, where the context that the loader wakes is known.
            app.commands.push(Command::Open(source_for(path)));
        }
        app
    }

    /// The start screen, nothing loaded.
    pub fn empty(settings: Settings) -> Self {
        InspectorApp {
            settings,
            model: Model::default(),
            generation: 0,
            index: Index::default(),
            rows: Rows::default(),
            capture_name: None,
            loader: None,
            load_error: None,
            load_note: None,
            selection: Selection::default(),
            wanted: (None, None),
            sessions: SessionsView::default(),
            ladder: LadderView::default(),
            graphs: StateGraphView::default(),
            message: MessageView::default(),
            findings: FindingsView::default(),
            start: StartView::default(),
            teach: TeachView::default(),
            playing: None,
            dialog: None,
            path_field: None,
            export: ExportDialog::default(),
            live: LiveDialog::default(),
            commands: Vec::new(),
            initialised: false,
            glyphs_warm: false,
            timing: None,
            previous_frame_cpu: None,
            credentials: Credentials::Masked,
        }
    }

    /// Shows a model that was built elsewhere (tests, tools): as if it had just been loaded.
    pub fn with_model(model: Model, name: &str) -> Self {
        let mut app = InspectorApp::empty(Settings::default());
        app.model = model;
        app.generation = 1;
        app.capture_name = Some(name.to_string());
        app.select_default_scope();
        app
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn selection(&self) -> Selection {
        self.selection
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn is_loading(&self) -> bool {
        self.loader.as_ref().is_some_and(Loader::is_running)
    }

    pub fn load_error(&self) -> Option<&str> {
        self.load_error.as_deref()
    }

    pub fn capture_name(&self) -> Option<&str> {
        self.capture_name.as_deref()
    }

    /// Whether the ladder keeps the newest message in view (Follow).
    pub fn follows_newest(&self) -> bool {
        self.ladder.follow
    }

    pub fn is_teaching(&self) -> bool {
        self.teach.enabled
    }

    pub fn is_playing(&self) -> bool {
        self.playing.is_some()
    }

    /// Queues a command as if a view had returned it (applied at the end of the next frame).
    pub fn push_command(&mut self, command: Command) {
        self.commands.push(command);
    }

    /// Fonts, style and theme: from eframe's creation closure, before the first frame; else
    /// (tests drive `ui_root` directly) at the start of the first frame, before any text is
    /// laid out, where fonts still change at once.
    pub fn initialise(&mut self, ctx: &egui::Context) {
        self.initialised = true;
        style::apply(ctx);
        ctx.set_theme(self.settings.theme.preference());
    }

    /// One frame of the whole window.
    pub fn ui_root(&mut self, ui: &mut egui::Ui) {
        let frame_started = Instant::now();
        let ctx = ui.ctx().clone();
        if !self.initialised {
            self.initialise(&ctx);
        }
        if !self.glyphs_warm {
            self.glyphs_warm = true;
            style::warm_glyphs(ui);
        }
        let set_up = frame_started.elapsed();
        self.poll_loader(&ctx);
        let polled = frame_started.elapsed();
        self.poll_dialog(&ctx);
        self.take_dropped_files(&ctx);
        self.keyboard(&ctx);
        self.play(&ctx);
        self.refresh();
        let indexed = frame_started.elapsed();

        self.menu_bar(ui);
        self.status_bar(ui);
        if self.showing_capture() {
            self.capture_views(ui);
        } else {
            egui::CentralPanel::default().show(ui, |ui| {
                let command = self
                    .start
                    .ui(ui, &self.settings.recent, self.load_error.as_deref());
                self.commands.extend(command);
            });
        }
        self.path_field_modal(&ctx);
        let source = self.loader.as_ref().map(|l| &l.source);
        self.export.credentials = self
            .loader
            .as_ref()
            .map_or(Credentials::Masked, |l| l.credentials);
        self.export.ui(&ctx, &self.model, source);
        self.commands.extend(self.live.ui(&ctx));
        self.drop_overlay(&ctx);

        let commands = std::mem::take(&mut self.commands);
        for command in commands {
            self.apply(command, &ctx);
        }
        self.log_timing(frame_started, [set_up, polled, indexed]);
    }

    fn showing_capture(&self) -> bool {
        self.capture_name.is_some()
    }

    fn select_default_scope(&mut self) {
        if self.selection.scope.is_none() {
            if !self.model.sessions.is_empty() {
                self.selection.scope = Some(Scope::Session(0));
            } else if let Some(c) = self.model.connections.first() {
                self.selection.scope = Some(Scope::Connection(c.id));
            }
        }
    }

    fn refresh(&mut self) {
        if self.index.generation != self.generation || self.generation == 0 {
            self.index = Index::build(&self.model, self.generation);
        }
        let key = Some((self.selection.scope, self.generation));
        if self.rows.key != key {
            self.rows = Rows::build(&self.model, self.selection.scope, self.generation);
        }
    }

    fn poll_loader(&mut self, ctx: &egui::Context) {
        let Some(loader) = &mut self.loader else {
            return;
        };
        let (applied, outcome) = loader.poll(&mut self.model);
        let running = loader.is_running();
        let file = match &loader.source {
            Source::File(path) => Some(path.display().to_string()),
            Source::Sample(_) | Source::Live(_) => None,
        };
        let live_source = matches!(loader.source, Source::Live(_));
        let live_note = loader.note.clone();
        if applied > 0 {
            self.generation += 1;
            self.select_default_scope();
        }
        match outcome {
            None => {
                if running {
                    // The worker wakes us with news; this is only a floor for the progress bar.
                    ctx.request_repaint_after(Duration::from_millis(250));
                }
            }
            Some(Outcome::Finished { cancelled, elapsed }) => {
                self.generation += 1;
                self.load_note = Some(if let Some(note) = live_note {
                    note
                } else if cancelled {
                    "reading cancelled: showing what was read".to_string()
                } else {
                    format!("read in {}", facts::duration_text(elapsed.as_secs_f64()))
                });
                if let Some(file) = file {
                    self.remember(file);
                }
                if let Some(timing) = &mut self.timing {
                    timing.loaded(elapsed, self.model.messages.len());
                }
                self.select_default_scope();
                self.apply_wanted_selection();
            }
            Some(Outcome::Failed(why)) => {
                self.generation += 1;
                if live_source {
                    self.live.failed(why.clone());
                }
                self.load_error = Some(why);
                if self.model.messages.is_empty() && self.model.connections.is_empty() {
                    // Nothing to show: back to the start screen, which says why.
                    self.capture_name = None;
                }
            }
        }
    }

    fn apply_wanted_selection(&mut self) {
        let (session, message) = std::mem::take(&mut self.wanted);
        if let Some(session) = session.filter(|&s| s < self.model.sessions.len()) {
            self.selection = Selection {
                scope: Some(Scope::Session(session)),
                message: None,
            };
        }
        if let Some(message) = message {
            self.select_message(message);
        }
    }

    fn remember(&mut self, path: String) {
        self.settings.recent.retain(|p| *p != path);
        self.settings.recent.insert(0, path);
        self.settings.recent.truncate(RECENT_FILES);
    }

    fn poll_dialog(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &self.dialog else {
            return;
        };
        match dialog.rx.try_recv() {
            Ok(Some(path)) => {
                self.dialog = None;
                self.commands.push(Command::Open(Source::File(path)));
            }
            Ok(None) => {
                let quick = dialog.opened.elapsed() < DIALOG_UNAVAILABLE_WITHIN;
                self.dialog = None;
                if quick {
                    self.path_field = Some(PathField {
                        text: String::new(),
                        note: Some(
                            "No file dialog is available here (it needs an XDG desktop portal or \
                             zenity). Type the capture's path instead."
                                .to_string(),
                        ),
                    });
                }
            }
            Err(TryRecvError::Empty) => ctx.request_repaint_after(Duration::from_millis(100)),
            Err(TryRecvError::Disconnected) => {
                self.dialog = None;
                self.path_field = Some(PathField {
                    text: String::new(),
                    note: Some("The file dialog failed. Type the capture's path instead.".into()),
                });
            }
        }
    }

    fn take_dropped_files(&mut self, ctx: &egui::Context) {
        // Several files: the first one is opened (one capture per window).
        let dropped = ctx.input(|i| i.raw.dropped_files.first().map(|f| f.path().to_path_buf()));
        if let Some(path) = dropped {
            self.commands.push(Command::Open(Source::File(path)));
        }
    }

    fn keyboard(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input()
            || self.path_field.is_some()
            || self.export.is_open()
            || self.live.open
        {
            return;
        }
        use egui::{Key, Modifiers};
        let steps = [
            (Key::ArrowDown, Step::Next),
            (Key::J, Step::Next),
            (Key::ArrowUp, Step::Previous),
            (Key::K, Step::Previous),
            (Key::Home, Step::First),
            (Key::End, Step::Last),
        ];
        ctx.input_mut(|input| {
            for (key, step) in steps {
                while input.consume_key(Modifiers::NONE, key) {
                    self.commands.push(Command::Step(step));
                }
            }
            if input.consume_key(Modifiers::NONE, Key::Space) {
                self.commands.push(Command::TogglePlay);
            }
            if input.consume_key(Modifiers::COMMAND, Key::O) {
                self.commands.push(Command::OpenDialog);
            }
        });
    }

    fn play(&mut self, ctx: &egui::Context) {
        let Some(last) = self.playing else {
            return;
        };
        let since = last.elapsed();
        if since >= PLAY_INTERVAL {
            self.playing = Some(Instant::now());
            self.commands.push(Command::Step(Step::Next));
            ctx.request_repaint_after(PLAY_INTERVAL);
        } else {
            ctx.request_repaint_after(PLAY_INTERVAL - since);
        }
    }

    fn menu_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                ui.menu_button("File", |ui| {
                    if ui.button("Open capture…").clicked() {
                        self.commands.push(Command::OpenDialog);
                    }
                    if ui.button("Open path…").clicked() {
                        self.commands.push(Command::ShowPathField);
                    }
                    ui.menu_button("Sample captures", |ui| {
                        for sample in SAMPLES {
                            if ui.button(sample.name).on_hover_text(sample.about).clicked() {
                                self.commands.push(Command::Open(Source::Sample(sample)));
                            }
                        }
                    });
                    ui.add_enabled_ui(!self.settings.recent.is_empty(), |ui| {
                        ui.menu_button("Recent", |ui| {
                            for path in &self.settings.recent {
                                if ui.button(path).clicked() {
                                    self.commands
                                        .push(Command::Open(Source::File(PathBuf::from(path))));
                                }
                            }
                            ui.separator();
                            if ui.button("Forget recent files").clicked() {
                                self.commands.push(Command::ForgetRecent);
                            }
                        });
                    });
                    ui.separator();
                    if ui
                        .add_enabled(self.selection.scope.is_some(), egui::Button::new("Export…"))
                        .clicked()
                    {
                        self.commands.push(Command::ExportPicker);
                    }
                    if ui
                        .add_enabled(self.showing_capture(), egui::Button::new("Close capture"))
                        .clicked()
                    {
                        self.commands.push(Command::CloseCapture);
                    }
                });
                ui.menu_button("Capture", |ui| {
                    if ui.button("Live…").clicked() {
                        self.commands.push(Command::ShowLiveDialog);
                    }
                });
                ui.menu_button("View", |ui| {
                    let mut teaching = self.teach.enabled;
                    if ui
                        .checkbox(&mut teaching, "Teaching mode")
                        .on_hover_text("Explain each message, tick the six steps, draw invalid requests on the graphs")
                        .clicked()
                    {
                        self.commands.push(Command::SetTeaching(teaching));
                    }
                    ui.separator();
                    for choice in ThemeChoice::ALL {
                        if ui
                            .radio(self.settings.theme == choice, choice.name())
                            .clicked()
                        {
                            self.commands.push(Command::SetTheme(choice));
                        }
                    }
                    ui.separator();
                    let mut reveal = self.credentials == Credentials::Revealed;
                    if ui
                        .checkbox(&mut reveal, "Reveal credentials")
                        .on_hover_text(
                            "Show Authorization values and passwords in URLs as sent \
                             (masked otherwise); a capture file is read again",
                        )
                        .clicked()
                    {
                        self.commands.push(Command::SetCredentials(if reveal {
                            Credentials::Revealed
                        } else {
                            Credentials::Masked
                        }));
                    }
                });
                ui.menu_button("Help", |ui| {
                    ui.label("↑ ↓ or j k: previous / next message");
                    ui.label("Home / End: first / last message");
                    ui.label("Space: play (steps on a timer)");
                    ui.label("Ctrl+O: open a capture");
                });

                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let dark = ui.visuals().dark_mode;
                    let (text, next) = if dark {
                        ("Light theme", ThemeChoice::Light)
                    } else {
                        ("Dark theme", ThemeChoice::Dark)
                    };
                    if ui.button(text).clicked() {
                        self.commands.push(Command::SetTheme(next));
                    }
                    if let Some(loader) = self.loader.as_ref().filter(|l| l.is_running())
                        && let Source::Live(request) = &loader.source
                    {
                        let name = match &request.input {
                            crate::live::LiveInput::Interface(o) => o.interface.as_str(),
                            crate::live::LiveInput::Replay(_) => "a replayed capture",
                        };
                        if live_dialog::live_status(ui, name, loader.live.as_ref()) {
                            self.commands.push(Command::CancelLoad);
                        }
                    } else if let Some(loader) = self.loader.as_ref().filter(|l| l.is_running()) {
                        if ui.button("Cancel").clicked() {
                            self.commands.push(Command::CancelLoad);
                        }
                        let text = match loader.total {
                            Some(total) => format!(
                                "{} of {}",
                                facts::bytes_text(loader.read),
                                facts::bytes_text(total)
                            ),
                            None => facts::bytes_text(loader.read),
                        };
                        let bar = egui::ProgressBar::new(loader.fraction().unwrap_or(0.0))
                            .desired_width(220.0)
                            .text(text)
                            .animate(true);
                        ui.add(bar);
                        ui.label(format!("Reading {}", loader.source.name()));
                    } else if let Some(name) = &self.capture_name {
                        ui.label(RichText::new(name).strong());
                    }
                });
            });
        });
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        if !self.showing_capture() {
            return;
        }
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                let model = &self.model;
                let c = &model.capture;
                let mut parts = Vec::new();
                if !c.format.is_empty() {
                    parts.push(c.format.clone());
                }
                parts.push(format!("{} packets", facts::thousands(c.packets)));
                parts.push(format!("{:.3} s", c.duration));
                parts.push(format!("{} connections", model.connections.len()));
                parts.push(format!("{} sessions", model.sessions.len()));
                parts.push(format!(
                    "{} messages",
                    facts::thousands(model.messages.len() as u64)
                ));
                parts.push(format!("{} findings", model.findings.len()));
                if let Some(note) = &self.load_note {
                    parts.push(note.clone());
                }
                ui.label(RichText::new(parts.join("  ·  ")).small());
                let palette = Palette::of(ui.visuals());
                if self.loader.as_ref().map(|l| l.credentials) == Some(Credentials::Revealed) {
                    ui.label(
                        RichText::new("credentials shown as sent")
                            .small()
                            .color(palette.warning),
                    );
                }
                if let Some(truncated) = &c.truncated {
                    ui.label(RichText::new(truncated).small().color(palette.warning));
                }
                if let Some(error) = &self.load_error {
                    ui.label(RichText::new(error).small().color(palette.failure));
                }
            });
        });
    }

    fn capture_views(&mut self, ui: &mut egui::Ui) {
        let selected = self.selection.message;
        egui::Panel::bottom("findings")
            .resizable(true)
            .default_size(150.0)
            .size_range(60.0..=500.0)
            .show(ui, |ui| {
                let command = self.findings.ui(ui, &self.model, self.generation, selected);
                self.commands.extend(command);
            });
        egui::Panel::left("sessions")
            .resizable(true)
            .default_size(270.0)
            .size_range(180.0..=520.0)
            .show(ui, |ui| {
                if self.teach.enabled {
                    let command = self.teach.checklist_ui(
                        ui,
                        &self.model,
                        self.generation,
                        self.selection.scope,
                        selected,
                    );
                    self.commands.extend(command);
                    return;
                }
                egui::Panel::bottom("capture-card")
                    .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 6)))
                    .show(ui, |ui| crate::ui::sessions::capture_card(ui, &self.model));
                let command = self
                    .sessions
                    .ui(ui, &self.model, &self.index, self.selection.scope);
                self.commands.extend(command);
            });
        egui::Panel::right("message")
            .resizable(true)
            .default_size(360.0)
            .size_range(240.0..=760.0)
            .show(ui, |ui| {
                let command = if self.teach.enabled {
                    self.teach.explanation_ui(
                        ui,
                        &self.model,
                        self.generation,
                        selected,
                        &mut self.message,
                    )
                } else {
                    self.message.ui(ui, &self.model, selected)
                };
                self.commands.extend(command);
            });
        let command = self.teach.edge_window(ui.ctx(), &self.model);
        self.commands.extend(command);
        self.graphs.attempts = self.teach.attempts(&self.model, selected);
        egui::CentralPanel::default().show(ui, |ui| {
            egui::Panel::top("step-bar")
                .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 4)))
                .show(ui, |ui| self.step_bar(ui));
            egui::Panel::bottom("graphs")
                .resizable(true)
                .default_size(236.0)
                .size_range(170.0..=480.0)
                .frame(egui::Frame::new().inner_margin(egui::Margin::symmetric(0, 6)))
                .show(ui, |ui| {
                    let command = self.graphs.ui(
                        ui,
                        &self.model,
                        &self.index,
                        self.selection.scope,
                        selected,
                    );
                    self.commands.extend(command);
                });
            egui::CentralPanel::no_frame().show(ui, |ui| {
                let command = self
                    .ladder
                    .ui(ui, &self.model, &self.index, &self.rows, selected);
                self.commands.extend(command);
            });
        });
    }

    fn step_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            let title = match self.selection.scope {
                Some(Scope::Session(s)) => self
                    .model
                    .sessions
                    .get(s)
                    .map(|s| format!("Session {}", s.session_id)),
                Some(Scope::Connection(c)) => Some(format!("Connection #{c}")),
                None => None,
            };
            ui.strong(title.unwrap_or_else(|| "Timeline".into()));
            let position = self.selection.message.and_then(|m| self.rows.position(m));
            ui.weak(match position {
                Some(p) => format!("message {} of {}", p + 1, self.rows.messages.len()),
                None => format!("{} messages", self.rows.messages.len()),
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.checkbox(&mut self.ladder.follow, "Follow")
                    .on_hover_text("Keep the newest message in view while the capture is read");
                let play = if self.playing.is_some() {
                    "Pause"
                } else {
                    "Play"
                };
                if ui
                    .button(play)
                    .on_hover_text("Step through the messages on a timer (Space)")
                    .clicked()
                {
                    self.commands.push(Command::TogglePlay);
                }
                for (text, step, hint) in [
                    ("Last", Step::Last, "Last message (End)"),
                    ("Next", Step::Next, "Next message (↓ or j)"),
                    ("Previous", Step::Previous, "Previous message (↑ or k)"),
                    ("First", Step::First, "First message (Home)"),
                ] {
                    if ui.button(text).on_hover_text(hint).clicked() {
                        self.commands.push(Command::Step(step));
                    }
                }
            });
        });
        let text = self
            .selection
            .message
            .and_then(|m| self.model.messages.get(m))
            .map(|m| facts::step_text(&self.model, &self.index, m))
            .unwrap_or_else(|| "Select a message to see what it did to both machines.".into());
        // Two lines are kept for it, so the ladder below does not jump as the text changes.
        let font = style::font::STEP;
        let line = ui.fonts_mut(|f| f.row_height(&font));
        ui.allocate_ui_with_layout(
            egui::vec2(ui.available_width(), 2.0 * line + 2.0),
            egui::Layout::top_down(egui::Align::Min),
            |ui| {
                ui.set_min_height(2.0 * line + 2.0);
                ui.add(egui::Label::new(RichText::new(text).font(font)).wrap());
            },
        );
    }

    fn path_field_modal(&mut self, ctx: &egui::Context) {
        let Some(field) = &mut self.path_field else {
            return;
        };
        let mut open = None;
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("open-path")).show(ctx, |ui| {
            ui.set_width(520.0);
            ui.heading("Open a capture by path");
            if let Some(note) = &field.note {
                ui.label(note);
            }
            let label = ui.label("Capture path");
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut field.text)
                        .hint_text("/path/to/capture.pcapng")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            response.request_focus();
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                if (ui.button("Open").clicked() || enter) && !field.text.trim().is_empty() {
                    open = Some(PathBuf::from(field.text.trim()));
                }
                if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
        });
        if modal.should_close() {
            close = true;
        }
        if let Some(path) = open {
            self.path_field = None;
            self.commands.push(Command::Open(Source::File(path)));
        } else if close {
            self.path_field = None;
        }
    }

    fn drop_overlay(&self, ctx: &egui::Context) {
        let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
        if !hovering {
            return;
        }
        let rect = ctx.content_rect();
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("drop-overlay"),
        ));
        painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(170));
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            "Drop the capture to open it",
            egui::FontId::proportional(26.0),
            egui::Color32::WHITE,
        );
    }

    fn apply(&mut self, command: Command, ctx: &egui::Context) {
        match command {
            Command::Open(source) => self.open(source, ctx),
            Command::OpenDialog => self.open_dialog(),
            Command::ShowLiveDialog => self.live.show(),
            Command::ShowPathField => {
                self.path_field = Some(PathField {
                    text: String::new(),
                    note: None,
                });
            }
            Command::CancelLoad => {
                if let Some(loader) = &self.loader {
                    loader.cancel();
                }
            }
            Command::CloseCapture => {
                self.loader = None;
                self.model = Model::default();
                self.generation += 1;
                self.capture_name = None;
                self.selection = Selection::default();
                self.load_note = None;
                self.load_error = None;
                self.playing = None;
            }
            Command::SelectScope(scope) => {
                let keep = self
                    .selection
                    .message
                    .is_some_and(|m| self.scope_contains(scope, m));
                self.selection = Selection {
                    scope: Some(scope),
                    message: if keep { self.selection.message } else { None },
                };
            }
            Command::SelectMessage(m) => self.select_message(m),
            Command::Step(step) => self.step(step),
            Command::TogglePlay => {
                if self.playing.is_some() {
                    self.playing = None;
                } else {
                    let at_end = self.selection.message.is_some()
                        && self.selection.message == self.rows.messages.last().copied();
                    if at_end || self.selection.message.is_none() {
                        self.step(Step::First);
                    }
                    self.playing = Some(Instant::now());
                    ctx.request_repaint_after(PLAY_INTERVAL);
                }
            }
            Command::SetTheme(choice) => {
                self.settings.theme = choice;
                ctx.set_theme(choice.preference());
            }
            Command::ForgetRecent => self.settings.recent.clear(),
            Command::ExportPicker => {
                if let Some(scope) = self.selection.scope {
                    self.export.pick(scope);
                }
            }
            Command::Export(scope, format) => {
                let source = self.loader.as_ref().map(|l| &l.source);
                let request = export_dialog::Request { scope, format };
                self.export.credentials = self
                    .loader
                    .as_ref()
                    .map_or(Credentials::Masked, |l| l.credentials);
                self.export.save(request, &self.model, source);
            }
            Command::SetTeaching(on) => {
                self.teach.enabled = on;
                // The panels change with it: draw them again now.
                ctx.request_repaint();
            }
            Command::Learn => {
                self.open(Source::Sample(&crate::ui::samples::LEARN), ctx);
                self.teach.enabled = true;
                // At the first message, once it is read.
                self.wanted = (Some(0), Some(0));
            }
            Command::ShowEdge(edge) => self.teach.edge = edge,
            Command::SetCredentials(credentials) => self.set_credentials(credentials, ctx),
        }
    }

    /// A capture file or sample on screen is read again with the new setting, at the same
    /// selection; a live capture keeps what it has, and the next one follows the setting.
    fn set_credentials(&mut self, credentials: Credentials, ctx: &egui::Context) {
        self.credentials = credentials;
        let Some(loader) = &self.loader else {
            return;
        };
        if matches!(loader.source, Source::Live(_)) || loader.credentials == credentials {
            return;
        }
        let source = loader.source.clone();
        let session = match self.selection.scope {
            Some(Scope::Session(s)) => Some(s),
            _ => None,
        };
        let message = self.selection.message;
        self.open(source, ctx);
        self.wanted = (session, message);
    }

    fn open(&mut self, source: Source, ctx: &egui::Context) {
        ctx.send_viewport_cmd(egui::ViewportCommand::Title(format!(
            "{} — RTSP Inspector",
            source.name()
        )));
        let wake = ctx.clone();
        self.model = Model::default();
        self.generation += 1;
        self.selection = Selection::default();
        self.load_error = None;
        self.load_note = None;
        self.playing = None;
        self.capture_name = Some(source.name());
        // A live capture grows at the bottom: keep the newest message in view until a scroll.
        self.ladder.follow |= matches!(source, Source::Live(_));
        // The previous loader, if any, is dropped here: dropping cancels it.
        self.loader = Some(Loader::start(source, self.credentials, move || {
            wake.request_repaint()
        }));
        self.refresh();
    }

    fn open_dialog(&mut self) {
        if self.dialog.is_some() {
            return;
        }
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title("Open a capture")
                    .add_filter("Captures", &["pcap", "pcapng", "cap", "dmp"])
                    .add_filter("All files", &["*"])
                    .pick_file();
                let _ = tx.send(picked);
            });
        match spawned {
            Ok(_) => {
                self.dialog = Some(PendingDialog {
                    rx,
                    opened: Instant::now(),
                });
            }
            Err(_) => {
                self.path_field = Some(PathField {
                    text: String::new(),
                    note: Some("The file dialog could not start. Type the path.".into()),
                });
            }
        }
    }

    fn scope_contains(&self, scope: Scope, m: usize) -> bool {
        let Some(message) = self.model.messages.get(m) else {
            return false;
        };
        match scope {
            Scope::Session(s) => {
                message.session_index == Some(s)
                    || self
                        .model
                        .sessions
                        .get(s)
                        .is_some_and(|session| session.messages.contains(&m))
            }
            Scope::Connection(c) => message.connection == c,
        }
    }

    fn select_message(&mut self, m: usize) {
        let Some(message) = self.model.messages.get(m) else {
            return;
        };
        let scope = match self.selection.scope {
            Some(scope) if self.scope_contains(scope, m) => scope,
            _ => facts::home_scope(message),
        };
        self.selection = Selection {
            scope: Some(scope),
            message: Some(m),
        };
        self.refresh();
    }

    fn step(&mut self, step: Step) {
        let messages = &self.rows.messages;
        if messages.is_empty() {
            return;
        }
        let position = self.selection.message.and_then(|m| self.rows.position(m));
        let last = messages.len() - 1;
        let target = match (step, position) {
            (Step::First, _) | (Step::Next, None) => 0,
            (Step::Last, _) | (Step::Previous, None) => last,
            (Step::Next, Some(p)) => (p + 1).min(last),
            (Step::Previous, Some(p)) => p.saturating_sub(1),
        };
        if step == Step::Next && position == Some(last) {
            self.playing = None;
        }
        if let Some(&m) = messages.get(target) {
            self.selection.message = Some(m);
        }
    }

    fn log_timing(&mut self, frame_started: Instant, [set_up, polled, indexed]: [Duration; 3]) {
        let loading = self.loader.as_ref().is_some_and(|l| l.is_running());
        if let Some(timing) = &mut self.timing {
            timing.frame(
                FrameTimes {
                    took: frame_started.elapsed(),
                    set_up,
                    polled,
                    indexed,
                    previous_whole: self.previous_frame_cpu.map(Duration::from_secs_f32),
                },
                loading,
                (self.model.sessions.len(), self.model.messages.len()),
            );
        }
    }
}

/// A path from the command line: a bundled sample's name opens the sample, so that
/// `rtsp-inspector 10_scripted-errors_gst.pcapng` works from anywhere.
fn source_for(path: PathBuf) -> Source {
    if !path.exists()
        && let Some(sample) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(crate::ui::samples::by_name)
    {
        return Source::Sample(sample);
    }
    Source::File(path)
}

impl eframe::App for InspectorApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.previous_frame_cpu = frame.info().cpu_usage;
        self.ui_root(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }
}
