//! The command line: `report` prints the analysis of a capture; with no subcommand the window
//! opens (on the capture given, or on its start screen). Where no window can open, the report
//! is printed instead.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use rtsp_inspector::engine::{self, Credentials};
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
    /// Open the window in teaching mode (each message explained, the six-step checklist).
    #[arg(long)]
    teach: bool,
    /// Show credentials (Authorization values, passwords in URLs) as sent, in the window,
    /// reports and exports. They are masked otherwise.
    #[arg(long, global = true)]
    reveal_credentials: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse a capture and print the report.
    Report {
        capture: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Walk through the handshake: every message explained, the six-step checklist, the
        /// state machines' edges (teaching mode, as text).
        #[arg(long, conflicts_with = "format")]
        explain: bool,
    },
    /// Export a session's ladder (SVG, PNG, Mermaid, PlantUML) or its frames (pcapng).
    Export(ExportArgs),
    /// Capture on an interface: each RTSP message and state change as it happens, the report
    /// at the end (Ctrl-C stops). Needs root or `setcap cap_net_raw,cap_net_admin=eip`.
    Live(LiveCli),
}

#[derive(clap::Args)]
struct ExportArgs {
    capture: PathBuf,
    /// The session: its Session ID, or its number in the report's list (from 0). Needed when
    /// the capture has more than one.
    #[arg(long, value_name = "ID")]
    session: Option<String>,
    /// A TCP connection (its number, tshark's tcp.stream) instead of a session.
    #[arg(long, value_name = "N", conflicts_with = "session")]
    connection: Option<u32>,
    /// Only these messages (numbers from the model, from 0): "3,5,8-12". Ladder formats only.
    #[arg(long, value_name = "LIST", conflicts_with_all = ["session", "connection"])]
    messages: Option<String>,
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// The file to write.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Svg,
    Png,
    Mermaid,
    Plantuml,
    Pcapng,
}

#[derive(clap::Args)]
struct LiveCli {
    /// The interfaces that can be captured on, and stop.
    #[arg(long, conflicts_with = "interface")]
    list: bool,
    /// Interface to capture on (see --list).
    #[arg(long, short = 'i', required_unless_present_any = ["list", "replay"])]
    interface: Option<String>,
    /// BPF filter, tcpdump syntax (e.g. "tcp port 554").
    #[arg(long, short = 'f', default_value = "")]
    filter: String,
    /// Stop after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    duration: Option<f64>,
    /// Stop after this many packets.
    #[arg(long, value_name = "PACKETS")]
    count: Option<u64>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write every packet captured to this pcapng file (streamed, not kept in memory).
    #[arg(long, value_name = "FILE.pcapng")]
    write: Option<PathBuf>,
    /// Bytes kept of each packet.
    #[arg(long, default_value_t = rtsp_inspector::live::source::DEFAULT_SNAPLEN)]
    snaplen: u32,
    /// Do not put the interface in promiscuous mode.
    #[arg(long)]
    no_promisc: bool,
    /// Feed a capture file through the live path instead of an interface (testing, measuring).
    #[arg(long, value_name = "CAPTURE", conflicts_with = "interface")]
    replay: Option<PathBuf>,
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

/// Prints the report of a capture: text or JSON, or with `explain` the teaching walk-through.
fn report(capture: &Path, format: Format, explain: bool, credentials: Credentials) -> ExitCode {
    let model = match engine::analyze_file_with(capture, credentials) {
        Ok(model) => model,
        Err(error) => {
            eprintln!("rtsp-inspector: {error}");
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match format {
        _ if explain => report::explain::write(&model, &mut out),
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

fn export(args: ExportArgs, credentials: Credentials) -> ExitCode {
    use rtsp_inspector::capture::file::CaptureReader;
    use rtsp_inspector::export::{self, Scope};

    let fail = |why: String| {
        eprintln!("rtsp-inspector: {why}");
        ExitCode::from(2)
    };
    let mut model = match engine::analyze_file_with(&args.capture, credentials) {
        Ok(model) => model,
        Err(error) => return fail(error.to_string()),
    };
    let capture = args.capture.clone();
    let open = move || CaptureReader::open(&capture);
    export::fill_start_time(&mut model, &open);
    let scope = if let Some(list) = &args.messages {
        match parse_message_list(list) {
            Ok(messages) => Scope::Messages(messages),
            Err(why) => return fail(why),
        }
    } else if let Some(connection) = args.connection {
        Scope::Connection(connection)
    } else {
        match export::find_session(&model, args.session.as_deref()) {
            Ok(session) => Scope::Session(session),
            Err(why) => return fail(why),
        }
    };
    let format = match args.format {
        ExportFormat::Svg => export::Format::Svg,
        ExportFormat::Png => export::Format::Png,
        ExportFormat::Mermaid => export::Format::Mermaid,
        ExportFormat::Plantuml => export::Format::PlantUml,
        ExportFormat::Pcapng => export::Format::Pcapng,
    };
    match export::export_to_file(&model, &scope, format, &open, credentials, &args.output) {
        Ok(summary) => {
            if let Some(warning) = &summary.warning {
                eprintln!("rtsp-inspector: {warning}");
            }
            eprintln!(
                "rtsp-inspector: wrote {} ({}, {} bytes)",
                args.output.display(),
                summary.what,
                summary.bytes
            );
            ExitCode::SUCCESS
        }
        Err(error) => fail(error.to_string()),
    }
}

/// "3,5,8-12" → [3, 5, 8, 9, 10, 11, 12].
fn parse_message_list(list: &str) -> Result<Vec<usize>, String> {
    const MOST: usize = 1_000_000;
    let bad = || format!("--messages {list:?}: expected numbers and ranges, like 3,5,8-12");
    let mut messages = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (from, to) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse::<usize>(), b.trim().parse::<usize>()),
            None => (part.parse::<usize>(), part.parse::<usize>()),
        };
        let (Ok(from), Ok(to)) = (from, to) else {
            return Err(bad());
        };
        if from > to || to - from >= MOST || messages.len() + (to - from) >= MOST {
            return Err(bad());
        }
        messages.extend(from..=to);
    }
    if messages.is_empty() {
        return Err(bad());
    }
    Ok(messages)
}

fn live(args: LiveCli, credentials: Credentials) -> ExitCode {
    use rtsp_inspector::live::{CaptureOptions, LiveInput, StopWhen, terminal};
    use rtsp_inspector::report::events::EventFormat;

    if args.list {
        return match terminal::list(&mut std::io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("rtsp-inspector: {error}");
                ExitCode::from(2)
            }
        };
    }
    let input = match (args.replay, args.interface) {
        (Some(path), _) => LiveInput::Replay(path),
        (None, Some(interface)) => LiveInput::Interface(CaptureOptions {
            filter: args.filter,
            promiscuous: !args.no_promisc,
            snaplen: args.snaplen,
            ..CaptureOptions::new(&interface)
        }),
        (None, None) => {
            eprintln!("rtsp-inspector: live needs --interface IF (see live --list)");
            return ExitCode::from(2);
        }
    };
    let duration = match args.duration.map(std::time::Duration::try_from_secs_f64) {
        None => None,
        Some(Ok(duration)) => Some(duration),
        Some(Err(_)) => {
            eprintln!("rtsp-inspector: --duration must be a number of seconds, 0 or more");
            return ExitCode::from(2);
        }
    };
    let status = terminal::run(terminal::LiveArgs {
        input,
        write: args.write,
        when: StopWhen {
            duration,
            packets: args.count,
        },
        format: match args.format {
            Format::Text => EventFormat::Text,
            Format::Json => EventFormat::Json,
        },
        credentials,
    });
    ExitCode::from(status)
}

/// Where no window can open: the report of the capture, or a word on what to do.
fn report_instead(capture: Option<&Path>, why: &str, credentials: Credentials) -> ExitCode {
    match capture {
        Some(capture) => {
            eprintln!("rtsp-inspector: {why}: printing the report instead");
            report(capture, Format::Text, false, credentials)
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
        return report_instead(cli.capture.as_deref(), "no display", credentials(&cli));
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
        teach: cli.teach,
        credentials: credentials(&cli),
    };
    match ui::run(startup) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report_instead(
            cli.capture.as_deref(),
            &format!("no display: the window could not open ({error})"),
            credentials(&cli),
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
    report_instead(cli.capture.as_deref(), why, credentials(&cli))
}

fn credentials(cli: &Cli) -> Credentials {
    if cli.reveal_credentials {
        Credentials::Revealed
    } else {
        Credentials::Masked
    }
}

fn main() -> ExitCode {
    let launched = std::time::Instant::now();
    let cli = Cli::parse();
    let credentials = credentials(&cli);
    match cli.command {
        Some(Command::Report {
            capture,
            format,
            explain,
        }) => report(&capture, format, explain, credentials),
        Some(Command::Export(args)) => export(args, credentials),
        Some(Command::Live(args)) => live(args, credentials),
        None => window(cli, launched),
    }
}
