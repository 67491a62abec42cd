//! A live capture for the window: runs [`crate::live::runner`] on the loader's worker thread
//! and sends what changed over the loader's channel, so that sessions, the ladder, the graphs
//! and the findings fill in exactly as they do while a file is read. The loader's cancel flag
//! is the Stop button.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Sender;
use std::time::Duration;

use crate::engine::Credentials;
use crate::live::runner::{self, Ended, StopWhen};
use crate::live::source::{self, LiveInput};
use crate::ui::loader::Batch;

/// What the live dialog asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRequest {
    pub input: LiveInput,
    /// Where every packet is written while capturing (so the capture can be opened or kept
    /// afterwards); None to keep nothing.
    pub write: Option<PathBuf>,
}

pub(super) fn work(
    request: &LiveRequest,
    credentials: Credentials,
    tx: &Sender<Batch>,
    cancel: &AtomicBool,
    wake: &dyn Fn(),
    interval: Duration,
) {
    let source = match source::open(&request.input) {
        Ok(source) => source,
        Err(error) => {
            let _ = tx.send(Batch::Failed(error.to_string()));
            return;
        }
    };
    let outcome = runner::run(
        source,
        request.write.as_deref(),
        credentials,
        cancel,
        StopWhen::default(),
        interval,
        &mut |updates, stats| {
            let sent =
                tx.send(Batch::Updates(updates)).is_ok() && tx.send(Batch::Live(*stats)).is_ok();
            wake();
            sent
        },
    );
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(error) => {
            let _ = tx.send(Batch::Failed(error.to_string()));
            return;
        }
    };
    let mut note = format!(
        "capture {}: {} packets",
        outcome.ended.describe(),
        outcome.stats.packets
    );
    if let Some(path) = &outcome.written_to {
        match &outcome.write_error {
            None => note.push_str(&format!(", saved to {}", path.display())),
            Some(error) => note.push_str(&format!(", saving stopped: {error}")),
        }
    }
    let _ = tx.send(Batch::Findings(outcome.model.findings));
    let _ = tx.send(Batch::Live(outcome.stats));
    let _ = tx.send(Batch::Note(note));
    let _ = tx.send(Batch::Finished {
        cancelled: outcome.ended == Ended::Stopped,
    });
}
