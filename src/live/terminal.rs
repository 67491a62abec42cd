//! `rtsp-inspector live`: captures on an interface, prints each RTSP message, state change and
//! finding as it happens, and the report at the end (Ctrl-C ends it cleanly, with the report).

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::engine::Credentials;
use crate::report::events::{EventFormat, EventPrinter};

use super::privileges::{ROOT_NOTE, running_as_root};
use super::runner::{self, Ended, StopWhen};
use super::source::{self, LiveInput};
use super::{LiveError, interfaces};

/// How often the terminal gets what changed: often enough to look immediate.
const PRINT_INTERVAL: Duration = Duration::from_millis(100);

/// Set by Ctrl-C; the capture loop looks at it after every read (at most [`source::READ_TIMEOUT`]).
static STOP: AtomicBool = AtomicBool::new(false);
static INTERRUPTS: AtomicUsize = AtomicUsize::new(0);

pub struct LiveArgs {
    pub input: LiveInput,
    pub write: Option<PathBuf>,
    pub when: StopWhen,
    pub format: EventFormat,
    pub credentials: Credentials,
}

/// Exit status: 0 when the capture ran and ended as asked, 1 when it failed mid-way (the
/// report of what was captured is printed all the same), 2 when it could not start.
pub fn run(args: LiveArgs) -> u8 {
    if running_as_root() {
        eprintln!("rtsp-inspector: {ROOT_NOTE}");
    }
    let source = match source::open(&args.input) {
        Ok(source) => source,
        Err(error) => {
            eprintln!("rtsp-inspector: {error}");
            return 2;
        }
    };
    // A second Ctrl-C leaves at once, for a capture that does not stop.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTS.fetch_add(1, Ordering::SeqCst) > 0 {
            std::process::exit(130);
        }
        STOP.store(true, Ordering::SeqCst);
    });
    eprintln!(
        "rtsp-inspector: capturing on {}; Ctrl-C stops and prints the report",
        match &args.input {
            LiveInput::Interface(options) if !options.filter.trim().is_empty() =>
                format!("{} (filter: {})", options.interface, options.filter.trim()),
            LiveInput::Interface(options) => options.interface.clone(),
            LiveInput::Replay(path) => path.display().to_string(),
        }
    );

    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut printer = EventPrinter::new(args.format);
    let mut print_failed = None;
    let mut was_down = false;
    let outcome = runner::run(
        source,
        args.write.as_deref(),
        args.credentials,
        &STOP,
        args.when,
        PRINT_INTERVAL,
        &mut |updates, stats| {
            if stats.interface_down != was_down {
                was_down = stats.interface_down;
                eprintln!(
                    "rtsp-inspector: the interface is {}",
                    if was_down {
                        "down: nothing is captured until it is up again"
                    } else {
                        "up again"
                    }
                );
            }
            match printer.print(updates, &mut out) {
                Ok(()) => true,
                Err(error) => {
                    // A closed pipe (`| head`) ends the capture quietly.
                    print_failed = Some(error);
                    false
                }
            }
        },
    );
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            eprintln!("rtsp-inspector: {error}");
            return 2;
        }
    };
    if let Some(error) = print_failed {
        if error.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("rtsp-inspector: writing the events: {error}");
        }
        return 1;
    }
    if let Err(error) = printer.print_report(&outcome.model, &mut out)
        && error.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("rtsp-inspector: writing the report: {error}");
    }
    let _ = out.flush();
    let stats = outcome.stats;
    eprintln!(
        "rtsp-inspector: {}; {} packets, {} bytes in {:.1} s; libpcap: {} received, {} dropped, {} dropped by the interface",
        outcome.ended.describe(),
        stats.packets,
        stats.bytes,
        stats.elapsed.as_secs_f64(),
        stats.received,
        stats.dropped,
        stats.if_dropped
    );
    if let Some(path) = &outcome.written_to {
        match &outcome.write_error {
            None => eprintln!(
                "rtsp-inspector: {} packets written to {}",
                stats.written,
                path.display()
            ),
            Some(error) => eprintln!(
                "rtsp-inspector: writing {} stopped after {} packets: {error}",
                path.display(),
                stats.written
            ),
        }
    }
    match outcome.ended {
        Ended::Failed(_) => 1,
        _ if outcome.write_error.is_some() => 1,
        _ => 0,
    }
}

/// `live --list`: the interfaces, one a line: name, up/down, addresses, description.
pub fn list(out: &mut impl Write) -> Result<(), LiveError> {
    let all = interfaces::list()?;
    for interface in &all {
        let mut line = format!("{:<16} {:<12}", interface.name, interface.status());
        if !interface.addresses.is_empty() {
            line.push(' ');
            line.push_str(&interface.addresses.join(" "));
        }
        if let Some(description) = &interface.description {
            line.push_str(&format!("  ({description})"));
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    Ok(())
}
