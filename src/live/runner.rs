//! The live loop: reads packets from a [`PacketSource`], numbers them, feeds them to the
//! [`Engine`] with their capture timestamps, ticks the engine with the wall clock while the
//! wire is quiet (so a server's session timeout fires on a live session too), reads libpcap's
//! statistics and turns new drops into findings, optionally streams every packet to a pcapng
//! file, and hands what changed in the model to its caller every `interval`.
//!
//! Memory: per packet nothing is kept here (the packet is borrowed from libpcap's buffer,
//! pushed, written and forgotten); the engine keeps no payloads and bounds its own tables
//! (`crate::limits`).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::capture::{Packet, Timestamp};
use crate::engine::{Credentials, Engine};
use crate::model::{Finding, Model, Update};

use super::error::LiveError;
use super::pcapng_writer::PcapngWriter;
use super::source::{Counters, PacketSource, Read};

/// Packets handled between two looks at the clock, the stop flag and the limits.
const PACKETS_PER_READ: usize = 64;

/// When a live capture ends on its own.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StopWhen {
    pub duration: Option<Duration>,
    pub packets: Option<u64>,
}

/// Counters for a person watching: what was captured and what libpcap lost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveStats {
    pub packets: u64,
    /// Bytes on the wire of the packets captured.
    pub bytes: u64,
    /// libpcap: packets the filter passed (kernel's count).
    pub received: u64,
    /// libpcap: packets lost because the kernel's buffer was full.
    pub dropped: u64,
    /// libpcap: packets the interface or its driver lost.
    pub if_dropped: u64,
    pub elapsed: Duration,
    /// Packets written to the `--write` file.
    pub written: u64,
    /// The interface is down now (nothing can be captured until it is up again).
    pub interface_down: bool,
}

impl LiveStats {
    pub fn lost(&self) -> u64 {
        self.dropped + self.if_dropped
    }
}

/// Why the capture ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// Stop, Ctrl-C.
    Stopped,
    Duration,
    Count,
    /// A replayed file ran out.
    EndOfInput,
    /// The source failed mid-way (the interface went down); everything before it is kept.
    Failed(String),
    /// The caller stopped listening.
    Abandoned,
}

impl Ended {
    pub fn describe(&self) -> String {
        match self {
            Ended::Stopped => "stopped".into(),
            Ended::Duration => "the duration was reached".into(),
            Ended::Count => "the packet count was reached".into(),
            Ended::EndOfInput => "the replayed capture ended".into(),
            Ended::Failed(why) => format!("the capture failed: {why}"),
            Ended::Abandoned => "nobody listened any more".into(),
        }
    }
}

pub struct Outcome {
    /// The finished model (findings sorted, as `report` gives them).
    pub model: Model,
    pub stats: LiveStats,
    pub ended: Ended,
    /// Where packets were written, and why writing stopped if it did.
    pub written_to: Option<PathBuf>,
    pub write_error: Option<String>,
}

/// libpcap's counters are 32-bit and wrap; this keeps 64-bit totals.
#[derive(Debug, Default)]
struct CounterTotals {
    last: Counters,
    received: u64,
    dropped: u64,
    if_dropped: u64,
}

impl CounterTotals {
    fn update(&mut self, now: Counters) {
        self.received += u64::from(now.received.wrapping_sub(self.last.received));
        self.dropped += u64::from(now.dropped.wrapping_sub(self.last.dropped));
        self.if_dropped += u64::from(now.if_dropped.wrapping_sub(self.last.if_dropped));
        self.last = now;
    }
}

fn wall_clock() -> Timestamp {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_secs_nanos(since.as_secs() as i64, i64::from(since.subsec_nanos()))
}

/// The findings in `after` that `before` does not have (the end of a capture adds some and
/// sorts them in among the others).
fn new_findings(before: &[Finding], after: &[Finding]) -> Vec<Finding> {
    let key = |f: &Finding| (f.code.clone(), f.text.clone(), f.frame, f.message);
    let mut seen: HashMap<_, usize> = HashMap::new();
    for finding in before {
        *seen.entry(key(finding)).or_default() += 1;
    }
    after
        .iter()
        .filter(|f| match seen.get_mut(&key(f)) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}

/// Runs a live capture until `stop` is set, `when` says so, or the source ends or fails.
/// `on_batch` gets what changed in the model and the counters every `interval` and once more
/// at the end (with the findings the end adds); returning false from it abandons the capture.
pub fn run(
    mut source: Box<dyn PacketSource>,
    write: Option<&Path>,
    credentials: Credentials,
    stop: &AtomicBool,
    when: StopWhen,
    interval: Duration,
    on_batch: &mut dyn FnMut(Vec<Update>, &LiveStats) -> bool,
) -> Result<Outcome, LiveError> {
    let mut writer = match write {
        Some(path) => Some(
            PcapngWriter::create(
                path,
                source.link_type(),
                source.snaplen(),
                &source.describe().0,
            )
            .map_err(|e| LiveError::WriteFile {
                path: path.display().to_string(),
                detail: e.to_string(),
            })?,
        ),
        None => None,
    };
    let mut write_error: Option<String> = None;
    let mut engine = Engine::with_credentials(credentials);
    let (path, format) = source.describe();
    engine.describe_capture(&path, &format);

    let started = Instant::now();
    let mut stats = LiveStats::default();
    let mut totals = CounterTotals::default();
    let mut first_ts: Option<Timestamp> = None;
    let mut captured_bytes = 0u64;
    let mut last_batch = Instant::now();
    let mut reported_lost = 0u64;
    let wall_clock_source = source.is_wall_clock();

    let ended = loop {
        if stop.load(Ordering::Relaxed) {
            break Ended::Stopped;
        }
        if when.duration.is_some_and(|d| started.elapsed() >= d) {
            break Ended::Duration;
        }
        if when.packets.is_some_and(|n| stats.packets >= n) {
            break Ended::Count;
        }
        let room = when.packets.map_or(PACKETS_PER_READ, |n| {
            (n - stats.packets).min(PACKETS_PER_READ as u64) as usize
        });
        let read = source.read(room, &mut |packet| {
            stats.packets += 1;
            stats.bytes += u64::from(packet.orig_len);
            captured_bytes += packet.data.len() as u64;
            first_ts.get_or_insert(packet.ts);
            let numbered = Packet {
                frame: stats.packets,
                ..*packet
            };
            engine.push(&numbered);
            if let Some(out) = writer.as_mut()
                && write_error.is_none()
                && let Err(error) = out.write_packet(packet.ts, packet.data, packet.orig_len)
            {
                write_error = Some(error.to_string());
            }
        });
        match read {
            Read::Packets(_) => {}
            Read::Quiet => {
                // Time starts with the first packet: a tick before it would start the clock.
                if wall_clock_source && first_ts.is_some() {
                    engine.tick(wall_clock());
                }
            }
            Read::End => break Ended::EndOfInput,
            Read::Failed(why) => break Ended::Failed(why),
        }
        if last_batch.elapsed() >= interval {
            last_batch = Instant::now();
            totals.update(source.counters());
            let lost = totals.dropped + totals.if_dropped;
            if lost > reported_lost {
                engine.capture_dropped(lost - reported_lost, stats.packets);
                reported_lost = lost;
            }
            if let Some(out) = writer.as_mut()
                && write_error.is_none()
                && let Err(error) = out.flush()
            {
                write_error = Some(error.to_string());
            }
            let down = source.is_up() == Some(false);
            if down && !stats.interface_down {
                engine.capture_interface_down(&source.describe().0, stats.packets);
            }
            stats.interface_down = down;
            fill_stats(&mut stats, &totals, started, writer.as_ref());
            let updates = describe(engine.take_updates(), captured_bytes, first_ts);
            if !on_batch(updates, &stats) {
                break Ended::Abandoned;
            }
        }
    };

    totals.update(source.counters());
    let lost = totals.dropped + totals.if_dropped;
    if lost > reported_lost {
        engine.capture_dropped(lost - reported_lost, stats.packets);
    }
    if let Ended::Failed(why) = &ended {
        engine.capture_problem(
            crate::capture::file::ReadProblemKind::Io,
            &format!("the live capture stopped: {why}"),
            stats.packets,
        );
    }
    if let Some(out) = writer.as_mut()
        && write_error.is_none()
        && let Err(error) = out.flush()
    {
        write_error = Some(error.to_string());
    }
    fill_stats(&mut stats, &totals, started, writer.as_ref());
    let updates = describe(engine.take_updates(), captured_bytes, first_ts);
    let before = engine.model().findings.clone();
    let listening = ended != Ended::Abandoned && on_batch(updates, &stats);
    engine.finish();
    let mut updates = describe(engine.take_updates(), captured_bytes, first_ts);
    updates.retain(|u| !matches!(u, Update::Finding(_)));
    updates.extend(
        new_findings(&before, &engine.model().findings)
            .into_iter()
            .map(Update::Finding),
    );
    if listening {
        on_batch(updates, &stats);
    }
    let mut model = engine.into_model();
    model.capture.bytes = captured_bytes;
    model.capture.start_time = first_ts.map(seconds);
    Ok(Outcome {
        model,
        stats,
        ended,
        written_to: write.map(Path::to_path_buf),
        write_error,
    })
}

fn seconds(ts: Timestamp) -> f64 {
    ts.0 as f64 / 1e9
}

fn fill_stats(
    stats: &mut LiveStats,
    totals: &CounterTotals,
    started: Instant,
    writer: Option<&PcapngWriter<io::BufWriter<std::fs::File>>>,
) {
    stats.received = totals.received;
    stats.dropped = totals.dropped;
    stats.if_dropped = totals.if_dropped;
    stats.elapsed = started.elapsed();
    stats.written = writer.map_or(0, PcapngWriter::packets);
}

/// The engine leaves the bytes and the time of the first packet to whoever reads the packets.
fn describe(mut updates: Vec<Update>, bytes: u64, first: Option<Timestamp>) -> Vec<Update> {
    for update in &mut updates {
        if let Update::Capture(info) = update {
            info.bytes = bytes;
            info.start_time = first.map(seconds);
        }
    }
    updates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::source::ReplaySource;

    fn bundled(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("captures")
            .join(name)
    }

    #[test]
    fn a_replay_through_the_live_path_gives_the_report_of_the_file() {
        let path = bundled("01_ffmpeg-tcp-av_gst.pcapng");
        let source = ReplaySource::open(&path).expect("the bundled capture");
        let mut applied = Model::default();
        let mut batches = 0;
        let outcome = run(
            Box::new(source),
            None,
            Credentials::Masked,
            &AtomicBool::new(false),
            StopWhen::default(),
            Duration::ZERO,
            &mut |updates, _| {
                batches += 1;
                for update in updates {
                    applied.apply(update);
                }
                true
            },
        )
        .expect("runs");
        let file = crate::engine::analyze_file(&path).expect("reads");
        assert_eq!(outcome.ended, Ended::EndOfInput);
        assert!(batches > 2, "{batches} batches");
        assert_eq!(outcome.model.messages.len(), file.messages.len());
        assert_eq!(outcome.model.sessions.len(), file.sessions.len());
        assert_eq!(
            outcome.model.sessions[0].client_path,
            file.sessions[0].client_path
        );
        // What a consumer applied along the way is the final model, findings as a set.
        assert_eq!(applied.messages.len(), outcome.model.messages.len());
        assert_eq!(applied.findings.len(), outcome.model.findings.len());
        assert_eq!(outcome.stats.packets, file.capture.packets);
    }

    #[test]
    fn a_packet_count_stops_it() {
        let source = ReplaySource::open(&bundled("01_ffmpeg-tcp-av_gst.pcapng")).expect("opens");
        let outcome = run(
            Box::new(source),
            None,
            Credentials::Masked,
            &AtomicBool::new(false),
            StopWhen {
                duration: None,
                packets: Some(10),
            },
            Duration::from_millis(50),
            &mut |_, _| true,
        )
        .expect("runs");
        assert_eq!(outcome.ended, Ended::Count);
        assert_eq!(outcome.stats.packets, 10);
        assert_eq!(outcome.model.capture.packets, 10);
    }
}
