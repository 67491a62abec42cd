//! The command line: `report` prints the analysis of a capture; with no subcommand the window
//! opens (on the capture given, or on its start screen). Where no window can open, the report
//! is printed instead.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use rtsp_inspector::engine;
use rtsp_inspector::report;

#[derive(Parser)]
#[command(
    name = "rtsp-inspector",
    version,
    about = "Inspect RTSP in pcap/pcapng captures: sessions, both state machines, findings",
    long_about = "Inspect RTSP in pcap/pcapng captures: sessions, both state machines, findings.\n\n\
                  With no subcommand, opens the window (on CAPTURE if given). Where there is no \
                  display, prints the report of CAPTURE instead."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A capture to open.
    capture: Option<PathBuf>,
    /// How the window draws: glow (OpenGL; works with Mesa's llvmpipe under Xvfb) or wgpu.
    #[arg(long, value_enum, default_value_t = RendererArg::Glow)]
    renderer: RendererArg,
    /// Session to select once the capture is read (its number in the model, from 0).
    #[arg(long, value_name = "N")]
    session: Option<usize>,
    /// Message to select once the capture is read (its number in the model, from 0).
    #[arg(long, value_name = "N")]
    select_message: Option<usize>,
    /// Colour theme of the window.
    #[arg(long, value_enum)]
    theme: Option<ThemeArg>,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse a capture and print the report.
    Report {
        capture: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RendererArg {
    Glow,
    Wgpu,
}

#[derive(Clone, Copy, ValueEnum)]
enum ThemeArg {
    Light,
    Dark,
    System,
}

fn report(capture: &Path, format: Format) -> ExitCode {
    let model = match engine::analyze_file(capture) {
        Ok(model) => model,
        Err(error) => {
            eprintln!("rtsp-inspector: {error}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match format {
        Format::Text => report::text::write(&model, &mut out),
        Format::Json => report::json::write(&model, &mut out),
    };
    if let Err(error) = written.and_then(|()| std::io::Write::flush(&mut out))
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("rtsp-inspector: writing the report: {error}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// Where no window can open: the report of the capture, or a word on what to do.
fn report_instead(capture: Option<&Path>, why: &str) -> ExitCode {
    match capture {
        Some(capture) => {
            eprintln!("rtsp-inspector: {why}: printing the report instead");
            report(capture, Format::Text)
        }
        None => {
            eprintln!(
                "rtsp-inspector: {why}, and no capture to report on: \
                 give one (rtsp-inspector report CAPTURE [--format text|json])"
            );
            ExitCode::from(2)
        }
    }
}

fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

#[cfg(feature = "gui")]
fn window(cli: Cli, launched: std::time::Instant) -> ExitCode {
    use rtsp_inspector::ui;

    if !has_display() {
        return report_instead(cli.capture.as_deref(), "no display");
    }
    let startup = ui::Startup {
        capture: cli.capture.clone(),
        session: cli.session,
        message: cli.select_message,
        theme: cli.theme.map(|theme| match theme {
            ThemeArg::Light => ui::style::ThemeChoice::Light,
            ThemeArg::Dark => ui::style::ThemeChoice::Dark,
            ThemeArg::System => ui::style::ThemeChoice::System,
        }),
        renderer: match cli.renderer {
            RendererArg::Glow => ui::Renderer::Glow,
            RendererArg::Wgpu => ui::Renderer::Wgpu,
        },
        launched,
        timing: std::env::var_os("RTSP_INSPECTOR_TIMING").is_some_and(|v| v != "0"),
    };
    match ui::run(startup) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report_instead(
            cli.capture.as_deref(),
            &format!("no display: the window could not open ({error})"),
        ),
    }
}

#[cfg(not(feature = "gui"))]
fn window(cli: Cli, _launched: std::time::Instant) -> ExitCode {
    let why = if has_display() {
        "built without the window (feature `gui`)"
    } else {
        "no display"
    };
    report_instead(cli.capture.as_deref(), why)
}

fn main() -> ExitCode {
    let launched = std::time::Instant::now();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Report { capture, format }) => report(&capture, format),
        None => window(cli, launched),
    }
}
