//! Exports: the ladder of a session, a connection or some messages as SVG, PNG, Mermaid or
//! PlantUML, and a session's (or a connection's) frames as pcapng.
//!
//! It reads the model only, and for pcapng the capture again; nothing here knows of egui, so
//! the command line (`rtsp-inspector export`) and the window (File → Export…, a session's
//! context menu) share it.

pub mod ladder;
pub mod mermaid;
pub mod pcapng;
pub mod plantuml;
pub mod png;
pub mod scrub;
pub mod svg;
pub mod text;

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use crate::capture::file::{CaptureError, CaptureReader};
use crate::engine::Credentials;
use crate::model::Model;

pub use ladder::{Ladder, Scope};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Svg,
    Png,
    Mermaid,
    PlantUml,
    Pcapng,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Svg,
        Format::Png,
        Format::Mermaid,
        Format::PlantUml,
        Format::Pcapng,
    ];

    /// What the window's menus call it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Svg => "SVG",
            Format::Png => "PNG",
            Format::Mermaid => "Mermaid",
            Format::PlantUml => "PlantUML",
            Format::Pcapng => "pcapng",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
            Format::Mermaid => "mmd",
            Format::PlantUml => "puml",
            Format::Pcapng => "pcapng",
        }
    }

    /// A ladder (picture or diagram text), as opposed to the frames themselves.
    pub fn is_ladder(self) -> bool {
        self != Format::Pcapng
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}")]
    Selection(String),
    #[error("{0}")]
    Render(String),
    #[error("{0}")]
    Pcapng(#[from] pcapng::PcapngError),
    #[error("writing {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// What an export wrote, in a line: "12 messages", "398 packets (12 TCP + 386 UDP)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub bytes: u64,
    pub what: String,
    /// Something the user should know (the capture was cut short).
    pub warning: Option<String>,
}

/// The ladder of `scope` in one of the ladder formats, as bytes to write.
pub fn ladder_bytes(model: &Model, scope: &Scope, format: Format) -> Result<Vec<u8>, ExportError> {
    let ladder = Ladder::build(model, scope).map_err(ExportError::Selection)?;
    Ok(match format {
        Format::Svg => svg::render(&ladder).into_bytes(),
        Format::Png => png::render(&svg::render(&ladder)).map_err(ExportError::Render)?,
        Format::Mermaid => mermaid::render(&ladder).into_bytes(),
        Format::PlantUml => plantuml::render(&ladder).into_bytes(),
        Format::Pcapng => {
            return Err(ExportError::Selection(
                "pcapng is not a ladder format".into(),
            ));
        }
    })
}

/// Exports `scope` of `model` to the file at `path`. `open` opens the capture again (pcapng
/// only). A failed export leaves no file behind.
pub fn export_to_file(
    model: &Model,
    scope: &Scope,
    format: Format,
    open: &dyn Fn() -> Result<CaptureReader, CaptureError>,
    credentials: Credentials,
    path: &Path,
) -> Result<Summary, ExportError> {
    let write_error = |source| ExportError::Write {
        path: path.display().to_string(),
        source,
    };
    if format.is_ladder() {
        let bytes = ladder_bytes(model, scope, format)?;
        std::fs::write(path, &bytes).map_err(write_error)?;
        let messages = Ladder::build(model, scope)
            .map(|l| l.messages().count())
            .unwrap_or(0);
        return Ok(Summary {
            bytes: bytes.len() as u64,
            what: format!("{messages} messages"),
            warning: None,
        });
    }
    let what = match scope {
        Scope::Session(s) => pcapng::What::Session(*s),
        Scope::Connection(c) => pcapng::What::Connection(*c),
        Scope::Messages(_) => {
            return Err(ExportError::Selection(
                "a pcapng export takes a whole session or connection, not single messages".into(),
            ));
        }
    };
    let file = File::create(path).map_err(write_error)?;
    let result = pcapng::write(open, model, what, credentials, BufWriter::new(file));
    match result {
        Ok(written) => {
            let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            Ok(Summary {
                bytes,
                what: format!(
                    "{} packets ({} TCP + {} UDP){}",
                    written.packets,
                    written.tcp_packets,
                    written.udp_packets,
                    match written.masked_packets {
                        0 => String::new(),
                        masked => format!(", credentials masked in {masked}"),
                    }
                ),
                warning: match (written.capture_problem, written.left_out) {
                    (Some(problem), _) => Some(format!(
                        "the capture could not be read to its end: {problem}"
                    )),
                    (None, 0) => None,
                    (None, left_out) => Some(format!(
                        "{left_out} packets left out: their credentials could not be masked"
                    )),
                },
            })
        }
        Err(error) => {
            let _ = std::fs::remove_file(path);
            Err(error.into())
        }
    }
}

/// The engine leaves the time of the first packet to whoever reads the file (the window's
/// loader fills it in); the exports show the time of day from it, so they read it here.
pub fn fill_start_time(model: &mut Model, open: &dyn Fn() -> Result<CaptureReader, CaptureError>) {
    if model.capture.start_time.is_some() {
        return;
    }
    if let Ok(mut reader) = open() {
        let mut first = None;
        reader.read_packets(1, &mut |packet| first = Some(packet.ts.0 as f64 / 1e9));
        model.capture.start_time = first;
    }
}

/// A session named on the command line: by its Session ID, else by its number in the list of
/// sessions (from 0, in the report's order). Without a name: the only session.
pub fn find_session(model: &Model, name: Option<&str>) -> Result<usize, String> {
    let list = || {
        let mut text = String::new();
        for (i, s) in model.sessions.iter().enumerate() {
            text.push_str(&format!(
                "\n  {i:>3}  {}  {}  {} -> {}",
                s.session_id, s.url, s.client, s.server
            ));
        }
        text
    };
    match name {
        Some(name) => {
            let name = name.trim();
            if let Some(i) = model.sessions.iter().position(|s| s.session_id == name) {
                return Ok(i);
            }
            if let Ok(i) = name.parse::<usize>()
                && i < model.sessions.len()
            {
                return Ok(i);
            }
            if model.sessions.is_empty() {
                Err(format!(
                    "no session {name:?}: the capture has no RTSP session"
                ))
            } else {
                Err(format!(
                    "no session {name:?}: give a Session ID or a number from this list:{}",
                    list()
                ))
            }
        }
        None => match model.sessions.len() {
            0 => Err("the capture has no RTSP session".into()),
            1 => Ok(0),
            n => Err(format!(
                "the capture has {n} sessions: choose one with --session (its Session ID or its \
                 number):{}",
                list()
            )),
        },
    }
}
