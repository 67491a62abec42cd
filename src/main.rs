//! The command line: `report` prints the analysis of a capture; more subcommands and the
//! window come with their issues.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use rtsp_inspector::engine;
use rtsp_inspector::report;

#[derive(Parser)]
#[command(
    name = "rtsp-inspector",
    version,
    about = "Inspect RTSP in pcap/pcapng captures: sessions, both state machines, findings"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A capture to open.
    capture: Option<PathBuf>,
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

fn report(capture: &std::path::Path, format: Format) -> ExitCode {
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
    if let Err(error) = written.and_then(|()| std::io::Write::flush(&mut out)) {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("rtsp-inspector: writing the report: {error}");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match (cli.command, cli.capture) {
        (Some(Command::Report { capture, format }), _) => report(&capture, format),
        (None, Some(capture)) => report(&capture, Format::Text),
        (None, None) => {
            eprintln!(
                "rtsp-inspector: give a capture: rtsp-inspector report CAPTURE [--format text|json]"
            );
            ExitCode::from(2)
        }
    }
}
