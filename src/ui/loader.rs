//! Reads a capture on a worker thread and hands the model over as it grows.
//!
//! The worker feeds the engine packet by packet and, every [`BATCH_INTERVAL`], sends what
//! changed in the model ([`Engine::take_updates`]) and how far it has read, then wakes the UI.
//! The UI thread applies the updates to its own [`Model`] with [`Model::apply`] at the start of
//! a frame: the window never waits on the file, and sessions appear while it is read.

use std::any::Any;
use std::io::Cursor;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::capture::file::{CaptureError, CaptureReader};
use crate::engine::{Credentials, Engine};
use crate::live::LiveStats;
use crate::model::{Model, Update};
use crate::ui::live_feed::{self, LiveRequest};
use crate::ui::samples::Sample;

/// How often the worker hands over what it has: often enough that sessions appear while one
/// watches, rarely enough that the channel carries few, large batches.
pub const BATCH_INTERVAL: Duration = Duration::from_millis(50);

/// Packets read between two looks at the clock and the cancel flag.
const PACKETS_PER_READ: usize = 256;

/// Where a capture comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    File(PathBuf),
    Sample(&'static Sample),
    /// A live capture (an interface, or a file replayed through the live path).
    Live(LiveRequest),
}

impl Source {
    /// What the window calls it (the file name).
    pub fn name(&self) -> String {
        match self {
            Source::File(path) => path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string()),
            Source::Sample(sample) => sample.name.to_string(),
            Source::Live(request) => request.input.name(),
        }
    }

    /// What the model's capture path says.
    pub fn path_text(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Sample(sample) => format!("captures/{}", sample.name),
            Source::Live(request) => request.input.name(),
        }
    }

    /// Opens the capture for reading (again: the exports read it a second time).
    pub fn open(&self) -> Result<CaptureReader, CaptureError> {
        match self {
            Source::File(path) => CaptureReader::open(path),
            Source::Sample(sample) => CaptureReader::from_reader(
                Box::new(Cursor::new(sample.bytes)),
                Path::new(sample.name),
                Some(sample.bytes.len() as u64),
            ),
            Source::Live(request) => Err(CaptureError::NotACapture {
                path: PathBuf::from(request.input.name()),
                detail: "a live capture is not read as a file".into(),
            }),
        }
    }
}

/// What the worker sends.
#[derive(Debug)]
pub(super) enum Batch {
    Updates(Vec<Update>),
    /// The complete, final list of findings: at the end the engine sorts its findings and sends
    /// them all again, which [`Model::apply`] would add to the ones it already has.
    Findings(Vec<crate::model::Finding>),
    Progress {
        read: u64,
        total: Option<u64>,
    },
    /// Reading is over: the last updates came before this.
    Finished {
        cancelled: bool,
    },
    /// The capture could not be read at all.
    Failed(String),
    /// A live capture's counters.
    Live(LiveStats),
    /// How a live capture ended, in words (shown once it has).
    Note(String),
}

/// How a load ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Finished { cancelled: bool, elapsed: Duration },
    Failed(String),
}

/// A capture being read in the background.
pub struct Loader {
    pub source: Source,
    /// Whether this load keeps credentials as sent.
    pub credentials: Credentials,
    rx: Receiver<Batch>,
    cancel: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
    started: Instant,
    /// Bytes read so far and the file's size, for the progress bar.
    pub read: u64,
    pub total: Option<u64>,
    /// A live capture's counters (None for a file).
    pub live: Option<LiveStats>,
    /// How a live capture ended, in words.
    pub note: Option<String>,
    outcome: Option<Outcome>,
}

impl Loader {
    /// Starts reading `source`; `wake` is called (from the worker) whenever there is something
    /// new, typically `ctx.request_repaint()`.
    pub fn start(
        source: Source,
        credentials: Credentials,
        wake: impl Fn() + Send + 'static,
    ) -> Loader {
        Loader::start_with_interval(source, credentials, wake, BATCH_INTERVAL)
    }

    /// [`Loader::start`] with another batch interval (tests use zero: a batch per read).
    pub fn start_with_interval(
        source: Source,
        credentials: Credentials,
        wake: impl Fn() + Send + 'static,
        interval: Duration,
    ) -> Loader {
        let (tx, rx) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        let worker_source = source.clone();
        let worker_cancel = cancel.clone();
        let worker = thread::Builder::new()
            .name("capture-loader".into())
            .spawn(move || {
                let run = panic::catch_unwind(AssertUnwindSafe(|| {
                    work(
                        &worker_source,
                        credentials,
                        &tx,
                        &worker_cancel,
                        &wake,
                        interval,
                    )
                }));
                if let Err(payload) = run {
                    let _ = tx.send(Batch::Failed(format!(
                        "the analysis stopped on an internal error: {}",
                        panic_text(payload.as_ref())
                    )));
                }
                wake();
            });
        let (worker, outcome) = match worker {
            Ok(handle) => (Some(handle), None),
            Err(error) => (
                None,
                Some(Outcome::Failed(format!("cannot start the loader: {error}"))),
            ),
        };
        Loader {
            source,
            credentials,
            rx,
            cancel,
            worker,
            started: Instant::now(),
            read: 0,
            total: None,
            live: None,
            note: None,
            outcome,
        }
    }

    /// Asks the worker to stop; it hands over what it has read so far.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn is_running(&self) -> bool {
        self.outcome.is_none()
    }

    pub fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Progress in 0..=1 where the size is known.
    pub fn fraction(&self) -> Option<f32> {
        let total = self.total.filter(|&t| t > 0)?;
        Some((self.read as f64 / total as f64).clamp(0.0, 1.0) as f32)
    }

    /// Applies everything the worker has sent so far to `model`. Returns how many updates it
    /// applied, and the outcome once reading is over (once).
    pub fn poll(&mut self, model: &mut Model) -> (usize, Option<Outcome>) {
        if self.outcome.is_some() {
            return (0, None);
        }
        let mut applied = 0;
        loop {
            match self.rx.try_recv() {
                Ok(Batch::Updates(updates)) => {
                    applied += updates.len();
                    for update in updates {
                        model.apply(update);
                    }
                }
                Ok(Batch::Findings(findings)) => {
                    applied += findings.len();
                    model.findings = findings;
                }
                Ok(Batch::Progress { read, total }) => {
                    self.read = read;
                    self.total = total;
                }
                Ok(Batch::Finished { cancelled }) => {
                    return (
                        applied,
                        self.finish(Outcome::Finished {
                            cancelled,
                            elapsed: self.started.elapsed(),
                        }),
                    );
                }
                Ok(Batch::Failed(why)) => return (applied, self.finish(Outcome::Failed(why))),
                Ok(Batch::Live(stats)) => self.live = Some(stats),
                Ok(Batch::Note(note)) => self.note = Some(note),
                Err(TryRecvError::Empty) => return (applied, None),
                Err(TryRecvError::Disconnected) => {
                    return (
                        applied,
                        self.finish(Outcome::Failed("the loader stopped without a word".into())),
                    );
                }
            }
        }
    }

    fn finish(&mut self, outcome: Outcome) -> Option<Outcome> {
        if let Some(worker) = self.worker.take() {
            // The worker has sent its last batch, so this returns at once.
            let _ = worker.join();
        }
        self.outcome = Some(outcome.clone());
        Some(outcome)
    }
}

impl Drop for Loader {
    fn drop(&mut self) {
        // A replaced or abandoned load stops at its next look at the flag; nobody waits for it.
        self.cancel();
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// The worker: the same steps as [`crate::engine::analyze`], handing the model over in batches.
fn work(
    source: &Source,
    credentials: Credentials,
    tx: &Sender<Batch>,
    cancel: &AtomicBool,
    wake: &dyn Fn(),
    interval: Duration,
) {
    if let Source::Live(request) = source {
        live_feed::work(request, credentials, tx, cancel, wake, interval);
        return;
    }
    let mut reader = match source.open() {
        Ok(reader) => reader,
        Err(error) => {
            let _ = tx.send(Batch::Failed(error.to_string()));
            return;
        }
    };
    let mut engine = Engine::with_credentials(credentials);
    engine.describe_capture(&source.path_text(), reader.format().name());
    let total = reader.total_bytes();
    let mut last_batch = Instant::now();
    let mut cancelled = false;
    let mut first_packet = None;
    loop {
        let read = reader.read_packets(PACKETS_PER_READ, &mut |packet| {
            first_packet.get_or_insert(packet.ts);
            engine.push(packet)
        });
        if read == 0 {
            break;
        }
        if cancel.load(Ordering::Relaxed) {
            cancelled = true;
            break;
        }
        if last_batch.elapsed() >= interval {
            last_batch = Instant::now();
            let updates = describe(engine.take_updates(), reader.bytes_read(), first_packet);
            let progress = Batch::Progress {
                read: reader.bytes_read(),
                total,
            };
            if tx.send(Batch::Updates(updates)).is_err() || tx.send(progress).is_err() {
                // Nobody listens any more (the window closed or opened another capture).
                return;
            }
            wake();
        }
    }
    if let Some(problem) = reader.problem() {
        engine.capture_problem(problem.kind, &problem.detail, problem.after_frame);
    }
    engine.finish();
    let mut updates = describe(engine.take_updates(), reader.bytes_read(), first_packet);
    updates.retain(|u| !matches!(u, Update::Finding(_)));
    let _ = tx.send(Batch::Updates(updates));
    let _ = tx.send(Batch::Findings(engine.model().findings.clone()));
    let _ = tx.send(Batch::Progress {
        read: reader.bytes_read(),
        total,
    });
    let _ = tx.send(Batch::Finished { cancelled });
}

/// The engine learns the bytes read only in [`crate::engine::analyze`], and leaves the time of
/// the first packet to whoever reads the file; the loader fills both in on the capture's
/// description (the ladder shows the time of day from it).
fn describe(
    mut updates: Vec<Update>,
    bytes: u64,
    first_packet: Option<crate::capture::Timestamp>,
) -> Vec<Update> {
    for update in &mut updates {
        if let Update::Capture(info) = update {
            info.bytes = bytes;
            if info.start_time.is_none() {
                info.start_time = first_packet.map(|ts| ts.0 as f64 / 1e9);
            }
        }
    }
    updates
}

/// Reads a whole capture on this thread the way the worker does (for tests and tools that want
/// the model the window would show, without a window).
pub fn load_blocking(source: &Source, interval: Duration) -> Result<Model, String> {
    let mut loader =
        Loader::start_with_interval(source.clone(), Credentials::Masked, || {}, interval);
    let mut model = Model::default();
    loop {
        let (_, outcome) = loader.poll(&mut model);
        match outcome {
            Some(Outcome::Finished { .. }) => return Ok(model),
            Some(Outcome::Failed(why)) => return Err(why),
            None => thread::sleep(Duration::from_millis(2)),
        }
    }
}
