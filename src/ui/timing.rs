//! `RTSP_INSPECTOR_TIMING=1`: what a user waits for, printed to stderr — the first frame, the
//! first session on screen, and how long the window's frames took while a capture was loading
//! (the loader runs on its own thread; these frames must stay well under 16 ms).

use std::time::{Duration, Instant};

/// Frame times kept while one capture loads: a 1 GB capture loads in seconds, at most a few
/// hundred frames; the cap keeps a pathological case bounded.
const MAX_FRAMES_KEPT: usize = 100_000;

pub struct LoadTiming {
    launched: Instant,
    frames: u64,
    first_session: bool,
    loading_frames: Vec<Duration>,
}

impl LoadTiming {
    pub fn new(launched: Instant) -> Self {
        LoadTiming {
            launched,
            frames: 0,
            first_session: false,
            loading_frames: Vec::new(),
        }
    }

    fn since_launch_ms(&self) -> f64 {
        self.launched.elapsed().as_secs_f64() * 1e3
    }

    /// Called at the end of every frame with the time its `ui` took.
    pub fn frame(&mut self, took: Duration, loading: bool, sessions: usize) {
        self.frames += 1;
        // The first frame is built here; eframe shows it right after this returns, and the
        // second one starts once it is on screen.
        if self.frames <= 2 {
            eprintln!(
                "rtsp-inspector timing: frame {} {} {:.1} ms after launch",
                self.frames,
                if self.frames == 1 {
                    "built"
                } else {
                    "started (first on screen)"
                },
                self.since_launch_ms()
            );
        }
        if !self.first_session && sessions > 0 {
            self.first_session = true;
            eprintln!(
                "rtsp-inspector timing: first session drawn {:.1} ms after launch{}",
                self.since_launch_ms(),
                if loading { " (still loading)" } else { "" }
            );
        }
        if loading && self.loading_frames.len() < MAX_FRAMES_KEPT {
            self.loading_frames.push(took);
        }
    }

    /// Called once the capture is read: the frames drawn while it was.
    pub fn loaded(&mut self, read: Duration, messages: usize) {
        eprintln!(
            "rtsp-inspector timing: capture read in {:.1} ms ({messages} messages), {:.1} ms after launch",
            read.as_secs_f64() * 1e3,
            self.since_launch_ms()
        );
        let mut frames = std::mem::take(&mut self.loading_frames);
        if frames.is_empty() {
            return;
        }
        frames.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let p99 = frames[(frames.len() - 1) * 99 / 100];
        let worst = frames[frames.len() - 1];
        let over = frames
            .iter()
            .filter(|d| **d > Duration::from_millis(16))
            .count();
        let mean = frames.iter().sum::<Duration>() / frames.len() as u32;
        eprintln!(
            "rtsp-inspector timing: {} frames while loading: ui mean {:.2} ms, p99 {:.2} ms, worst {:.2} ms, {over} over 16 ms",
            frames.len(),
            ms(mean),
            ms(p99),
            ms(worst)
        );
    }
}
