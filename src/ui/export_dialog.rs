//! File → Export… and a session's "Export …" context menu: pick a format, pick a file (the
//! system's save dialog, or a path field of our own where there is none, as Open does), and
//! write it on a worker thread (a pcapng export reads the capture again), then say what was
//! written.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::engine::Credentials;
use crate::export::{self, Format};
use crate::model::Model;
use crate::ui::Scope;
use crate::ui::loader::Source;

/// A save dialog that answers "nothing" this fast never showed itself (no portal, no zenity).
const DIALOG_UNAVAILABLE_WITHIN: Duration = Duration::from_millis(1500);

/// What to export: a ladder format or pcapng, of a session or connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub scope: Scope,
    pub format: Format,
}

enum Stage {
    Closed,
    /// File → Export…: the format picker.
    Picking(Request),
    /// The system's save dialog is open.
    Saving {
        request: Request,
        rx: Receiver<Option<PathBuf>>,
        opened: Instant,
    },
    /// Our own path field.
    Path {
        request: Request,
        text: String,
        note: Option<String>,
    },
    /// Writing on the worker.
    Writing {
        path: PathBuf,
        rx: Receiver<Result<export::Summary, String>>,
    },
    /// What happened.
    Done(Result<String, String>),
}

pub struct ExportDialog {
    stage: Stage,
    /// What the capture on screen keeps of credentials: a pcapng export masks them the same.
    pub credentials: Credentials,
}

impl Default for ExportDialog {
    fn default() -> Self {
        ExportDialog {
            stage: Stage::Closed,
            credentials: Credentials::Masked,
        }
    }
}

/// What a menu entry says for a format: "Export ladder as SVG…", "Export session as pcapng…".
pub fn menu_label(format: Format, scope: Scope) -> String {
    let whole = match scope {
        Scope::Session(_) => "session",
        Scope::Connection(_) => "connection",
    };
    if format.is_ladder() {
        format!("Export ladder as {}…", format.name())
    } else {
        format!("Export {whole} as {}…", format.name())
    }
}

fn to_export_scope(scope: Scope) -> export::Scope {
    match scope {
        Scope::Session(s) => export::Scope::Session(s),
        Scope::Connection(c) => export::Scope::Connection(c),
    }
}

/// "session-mQrUGvvWFL.tA0A2.svg": a file name from the session's ID, with only safe characters.
pub fn default_file_name(model: &Model, request: Request) -> String {
    let stem = match request.scope {
        Scope::Session(s) => model
            .sessions
            .get(s)
            .map(|session| format!("session-{}", session.session_id))
            .unwrap_or_else(|| format!("session-{s}")),
        Scope::Connection(c) => format!("connection-{c}"),
    };
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    format!("{safe}.{}", request.format.extension())
}

/// Where a file goes by default: beside the capture, else the working directory.
fn default_directory(source: Option<&Source>) -> PathBuf {
    match source {
        Some(Source::File(path)) => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
        _ => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    }
}

impl ExportDialog {
    pub fn is_open(&self) -> bool {
        !matches!(self.stage, Stage::Closed)
    }

    /// File → Export…: the picker, on the current session or connection.
    pub fn pick(&mut self, scope: Scope) {
        self.stage = Stage::Picking(Request {
            scope,
            format: Format::Svg,
        });
    }

    /// A format chosen already (the context menu): straight to the file.
    pub fn save(&mut self, request: Request, model: &Model, source: Option<&Source>) {
        let directory = default_directory(source);
        let name = default_file_name(model, request);
        let (tx, rx) = mpsc::channel();
        let dialog_directory = directory.clone();
        let format = request.format;
        let spawned = std::thread::Builder::new()
            .name("save-dialog".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title(format!("Export as {}", format.name()))
                    .set_directory(dialog_directory)
                    .set_file_name(name)
                    .add_filter(format.name(), &[format.extension()])
                    .save_file();
                let _ = tx.send(picked);
            });
        self.stage = match spawned {
            Ok(_) => Stage::Saving {
                request,
                rx,
                opened: Instant::now(),
            },
            Err(_) => self.path_stage(request, model, source, None),
        };
    }

    /// Our own path field, filled with the default path.
    pub fn path_field(&mut self, request: Request, model: &Model, source: Option<&Source>) {
        self.stage = self.path_stage(request, model, source, None);
    }

    fn path_stage(
        &self,
        request: Request,
        model: &Model,
        source: Option<&Source>,
        note: Option<String>,
    ) -> Stage {
        let path = default_directory(source).join(default_file_name(model, request));
        Stage::Path {
            request,
            text: path.display().to_string(),
            note,
        }
    }

    /// Writes `request` to `path` on a worker thread.
    pub fn write(
        &mut self,
        request: Request,
        path: PathBuf,
        model: &Model,
        source: Option<&Source>,
    ) {
        let (tx, rx) = mpsc::channel();
        // The worker gets its own copy: the window goes on with the model meanwhile.
        let model = model.clone();
        let source = source.cloned();
        let target = path.clone();
        let credentials = self.credentials;
        let spawned = std::thread::Builder::new()
            .name("export".into())
            .spawn(move || {
                let open = || match &source {
                    Some(source) => source.open(),
                    None => Err(crate::capture::file::CaptureError::NotACapture {
                        path: PathBuf::new(),
                        detail: "no capture is open".into(),
                    }),
                };
                let result = export::export_to_file(
                    &model,
                    &to_export_scope(request.scope),
                    request.format,
                    &open,
                    credentials,
                    &target,
                )
                .map_err(|e| e.to_string());
                let _ = tx.send(result);
            });
        self.stage = match spawned {
            Ok(_) => Stage::Writing { path, rx },
            Err(error) => Stage::Done(Err(format!("cannot start the export: {error}"))),
        };
    }

    /// The dialog's window for this frame, if it is open.
    pub fn ui(&mut self, ctx: &egui::Context, model: &Model, source: Option<&Source>) {
        self.poll(ctx, model, source);
        let stage = std::mem::replace(&mut self.stage, Stage::Closed);
        self.stage = match stage {
            Stage::Closed => Stage::Closed,
            Stage::Picking(request) => self.picker(ctx, request, model, source),
            Stage::Path {
                request,
                text,
                note,
            } => self.path_modal(ctx, request, text, note, model, source),
            waiting @ (Stage::Saving { .. } | Stage::Writing { .. }) => {
                let text = match &waiting {
                    Stage::Writing { path, .. } => format!("Writing {}…", path.display()),
                    _ => "Choose where to save…".to_string(),
                };
                egui::Modal::new(egui::Id::unique("export-busy")).show(ctx, |ui| {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(text);
                    });
                });
                waiting
            }
            Stage::Done(result) => {
                let mut close = false;
                let modal = egui::Modal::new(egui::Id::unique("export-done")).show(ctx, |ui| {
                    ui.set_max_width(520.0);
                    match &result {
                        Ok(text) => {
                            ui.heading("Exported");
                            ui.add(egui::Label::new(text).wrap());
                        }
                        Err(why) => {
                            ui.heading("Export failed");
                            ui.add(egui::Label::new(why).wrap());
                        }
                    }
                    if ui.button("OK").clicked() {
                        close = true;
                    }
                });
                if close || modal.should_close() {
                    Stage::Closed
                } else {
                    Stage::Done(result)
                }
            }
        };
    }

    fn poll(&mut self, ctx: &egui::Context, model: &Model, source: Option<&Source>) {
        match &self.stage {
            Stage::Saving {
                request,
                rx,
                opened,
            } => {
                let request = *request;
                match rx.try_recv() {
                    Ok(Some(path)) => self.write(request, path, model, source),
                    Ok(None) if opened.elapsed() < DIALOG_UNAVAILABLE_WITHIN => {
                        let note = "No file dialog is available here (it needs an XDG desktop \
                                    portal or zenity). Type the file's path instead.";
                        self.stage = self.path_stage(request, model, source, Some(note.into()));
                    }
                    Ok(None) => self.stage = Stage::Closed,
                    Err(TryRecvError::Empty) => {
                        ctx.request_repaint_after(Duration::from_millis(100))
                    }
                    Err(TryRecvError::Disconnected) => {
                        let note = "The file dialog failed. Type the file's path instead.";
                        self.stage = self.path_stage(request, model, source, Some(note.into()));
                    }
                }
            }
            Stage::Writing { path, rx } => match rx.try_recv() {
                Ok(Ok(summary)) => {
                    let mut text = format!("{}: {}", path.display(), summary.what);
                    if let Some(warning) = summary.warning {
                        text.push_str(&format!(" ({warning})"));
                    }
                    self.stage = Stage::Done(Ok(text));
                }
                Ok(Err(why)) => self.stage = Stage::Done(Err(why)),
                Err(TryRecvError::Empty) => ctx.request_repaint_after(Duration::from_millis(50)),
                Err(TryRecvError::Disconnected) => {
                    self.stage = Stage::Done(Err("the export stopped on an internal error".into()))
                }
            },
            _ => {}
        }
    }

    fn picker(
        &mut self,
        ctx: &egui::Context,
        mut request: Request,
        model: &Model,
        source: Option<&Source>,
    ) -> Stage {
        enum Next {
            Save,
            Path,
            Cancel,
        }
        let mut next = None;
        let modal = egui::Modal::new(egui::Id::unique("export-picker")).show(ctx, |ui| {
            ui.set_width(420.0);
            ui.heading("Export");
            let what = match request.scope {
                Scope::Session(s) => model
                    .sessions
                    .get(s)
                    .map(|session| {
                        format!(
                            "Session {} ({} messages)",
                            session.session_id,
                            session.messages.len()
                        )
                    })
                    .unwrap_or_default(),
                Scope::Connection(c) => format!("Connection #{c}"),
            };
            ui.label(what);
            ui.add_space(6.0);
            for format in Format::ALL {
                let about = match format {
                    Format::Svg => "SVG: the ladder as a picture, light theme",
                    Format::Png => "PNG: the same picture, at twice its size",
                    Format::Mermaid => "Mermaid: sequenceDiagram text",
                    Format::PlantUml => "PlantUML: sequence diagram text",
                    Format::Pcapng => "pcapng: the frames themselves, for Wireshark",
                };
                ui.radio_value(&mut request.format, format, about);
            }
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if ui.button("Save as…").clicked() {
                    next = Some(Next::Save);
                }
                if ui.button("Type a path…").clicked() {
                    next = Some(Next::Path);
                }
                if ui.button("Cancel").clicked() {
                    next = Some(Next::Cancel);
                }
            });
        });
        match next {
            Some(Next::Save) => {
                self.save(request, model, source);
                std::mem::replace(&mut self.stage, Stage::Closed)
            }
            Some(Next::Path) => self.path_stage(request, model, source, None),
            Some(Next::Cancel) => Stage::Closed,
            None if modal.should_close() => Stage::Closed,
            None => Stage::Picking(request),
        }
    }

    fn path_modal(
        &mut self,
        ctx: &egui::Context,
        request: Request,
        mut text: String,
        note: Option<String>,
        model: &Model,
        source: Option<&Source>,
    ) -> Stage {
        let mut write = false;
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("export-path")).show(ctx, |ui| {
            ui.set_width(560.0);
            ui.heading(format!("Export as {}", request.format.name()));
            if let Some(note) = &note {
                ui.add(egui::Label::new(note.as_str()).wrap());
            }
            ui.add_space(6.0);
            let label = ui.label("File to write");
            let response = ui
                .add(egui::TextEdit::singleline(&mut text).desired_width(f32::INFINITY))
                .labelled_by(label.id);
            response.request_focus();
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.add_space(6.0);
            ui.horizontal(|ui| {
                if (ui.button("Export").clicked() || enter) && !text.trim().is_empty() {
                    write = true;
                }
                if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
        });
        if write {
            self.write(request, PathBuf::from(text.trim()), model, source);
            return std::mem::replace(&mut self.stage, Stage::Closed);
        }
        if close || modal.should_close() {
            return Stage::Closed;
        }
        Stage::Path {
            request,
            text,
            note,
        }
    }
}
