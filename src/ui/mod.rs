//! The window: a capture's sessions, a ladder of their messages, both state machines as
//! graphs, the message itself and the findings.
//!
//! The window only reads the engine's [`Model`](crate::model::Model); it builds its own copy of
//! it from the [`Update`](crate::model::Update)s a worker thread sends ([`loader`]), so a capture
//! that is still being read (and, later, a live one) grows while one looks at it. Each view is a
//! small struct with a `ui` method that returns a [`Command`]; the app applies the commands at
//! the end of the frame, so no view changes another's state.

pub mod app;
pub mod export_dialog;
pub mod facts;
pub mod findings;
pub mod ladder;
pub mod live_dialog;
pub mod live_feed;
pub mod loader;
pub mod message;
pub mod samples;
pub mod sessions;
pub mod start;
pub mod state_graph;
pub mod style;
pub mod teach;
pub mod timing;

use std::path::PathBuf;

use eframe::egui;
use std::time::Instant;

pub use app::InspectorApp;
pub use loader::Source;

/// What a message list or a ladder shows: one session's story, or everything on one TCP
/// connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Session(usize),
    Connection(u32),
}

/// A step through the messages of the current scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Previous,
    Next,
    First,
    Last,
}

/// What a view asks the app to do; applied at the end of the frame.
#[must_use]
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Read a capture (file, dropped file, sample) in the background.
    Open(Source),
    /// The system's file dialog (falls back to the path field where there is none).
    OpenDialog,
    /// Our own "open by path" field.
    ShowPathField,
    /// Capture → Live…
    ShowLiveDialog,
    CancelLoad,
    /// Back to the start screen.
    CloseCapture,
    SelectScope(Scope),
    /// Selects a message everywhere (and the session or connection it belongs to).
    SelectMessage(usize),
    Step(Step),
    TogglePlay,
    SetTheme(style::ThemeChoice),
    ForgetRecent,
    /// File → Export…: the format picker, on the selected session or connection.
    ExportPicker,
    /// Export a session or connection in a format: asks where (the context menu).
    Export(Scope, crate::export::Format),
    /// Teaching mode on or off.
    SetTeaching(bool),
    /// "Learn the RTSP handshake": the bundled exchange, in teaching mode, at its first message.
    Learn,
    /// Open (or close) the window of a state graph's edge.
    ShowEdge(Option<teach::EdgeRef>),
    /// Mask credentials or show them as sent: a capture file is read again.
    SetCredentials(crate::engine::Credentials),
}

/// Renderer of the native window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renderer {
    /// OpenGL through glow: works with Mesa's llvmpipe under Xvfb.
    Glow,
    /// wgpu (Vulkan, else GLES).
    Wgpu,
}

/// How the window starts (from the command line).
#[derive(Debug, Clone)]
pub struct Startup {
    pub capture: Option<PathBuf>,
    /// Session to select once the capture is read (its index in the model).
    pub session: Option<usize>,
    /// Message to select once the capture is read (its index in the model).
    pub message: Option<usize>,
    pub theme: Option<style::ThemeChoice>,
    pub renderer: Renderer,
    /// When the process started, to log the time to the first frame.
    pub launched: Instant,
    /// Log the time to the first frame and the loading time to stderr.
    pub timing: bool,
    /// Start in teaching mode.
    pub teach: bool,
    /// Show credentials as sent (`--reveal-credentials`).
    pub credentials: crate::engine::Credentials,
}

impl Startup {
    pub fn new(capture: Option<PathBuf>) -> Self {
        Startup {
            capture,
            session: None,
            message: None,
            theme: None,
            renderer: Renderer::Glow,
            launched: Instant::now(),
            timing: false,
            teach: false,
            credentials: crate::engine::Credentials::Masked,
        }
    }
}

/// The window's first size: 1280×800, or `RTSP_INSPECTOR_WINDOW_SIZE=WxH` (for screenshots at a
/// given size, where no window manager sizes the window).
fn window_size() -> [f32; 2] {
    std::env::var("RTSP_INSPECTOR_WINDOW_SIZE")
        .ok()
        .and_then(|size| {
            let (w, h) = size.split_once('x')?;
            Some([w.trim().parse().ok()?, h.trim().parse().ok()?])
        })
        .filter(|[w, h]: &[f32; 2]| *w >= 320.0 && *h >= 240.0)
        .unwrap_or([1280.0, 800.0])
}

/// Opens the window and runs it until it is closed. Errors when no window could be opened
/// (no display, no usable GPU driver).
pub fn run(startup: Startup) -> Result<(), String> {
    let renderer = match startup.renderer {
        Renderer::Glow => eframe::Renderer::Glow,
        Renderer::Wgpu => eframe::Renderer::Wgpu,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("RTSP Inspector")
            .with_app_id("rtsp-inspector")
            .with_inner_size(window_size())
            .with_min_inner_size([720.0, 480.0])
            .with_drag_and_drop(true)
            .with_icon(style::icon()),
        renderer,
        ..Default::default()
    };
    eframe::run_native(
        "rtsp-inspector",
        options,
        Box::new(move |cc| {
            let settings = cc
                .storage
                .and_then(|storage| eframe::get_value(storage, app::SETTINGS_KEY))
                .unwrap_or_default();
            let mut app = InspectorApp::new(settings, startup);
            app.initialise(&cc.egui_ctx);
            Ok(Box::new(app))
        }),
    )
    .map_err(|error| error.to_string())
}
