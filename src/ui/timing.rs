//! `RTSP_INSPECTOR_TIMING=1`: what a user waits for, printed to stderr — the first frame, the
//! first session on screen, and how long the window's frames took while a capture was loading
//! (the loader runs on its own thread; these frames must stay well under 16 ms). The first
//! frame is launch, not loading: eframe shows the window once it is painted, and it takes the
//! one-time work (glyphs rasterised, `style::warm_glyphs`); it is reported on its own.

use std::time::{Duration, Instant};

/// Frame times kept while one capture loads: a 1 GB capture loads in seconds, at most a few
/// hundred frames; the cap keeps a pathological case bounded.
const MAX_FRAMES_KEPT: usize = 100_000;

/// A frame slower than this misses a 60 Hz display's refresh.
const SLOW_FRAME: Duration = Duration::from_millis(16);

/// Where one frame's `ui` time went, each measured from the frame's start.
pub struct FrameTimes {
    pub took: Duration,
    /// Fonts and glyphs made ready (first frame only).
    pub set_up: Duration,
    /// Batches from the loader applied to the model.
    pub polled: Duration,
    /// The views' indexes rebuilt; the rest of `took` is drawing.
    pub indexed: Duration,
    /// The previous frame from start to painted (eframe's `cpu_usage`: with tessellation and
    /// painting, which run after `ui`; without waiting for vsync).
    pub previous_whole: Option<Duration>,
}

pub struct LoadTiming {
    launched: Instant,
    frames: u64,
    first_session: bool,
    loading_frames: Vec<Duration>,
    /// Whole frames (see [`FrameTimes::previous_whole`]) while loading.
    loading_whole: Vec<Duration>,
    previous_loading: bool,
}

impl LoadTiming {
    pub fn new(launched: Instant) -> Self {
        LoadTiming {
            launched,
            frames: 0,
            first_session: false,
            loading_frames: Vec::new(),
            loading_whole: Vec::new(),
            previous_loading: false,
        }
    }

    fn since_launch_ms(&self) -> f64 {
        self.launched.elapsed().as_secs_f64() * 1e3
    }

    /// Called at the end of every frame with the time its `ui` took.
    pub fn frame(
        &mut self,
        times: FrameTimes,
        loading: bool,
        (sessions, messages): (usize, usize),
    ) {
        self.frames += 1;
        let took = times.took;
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        if took > SLOW_FRAME {
            // Which frame, and which part of it: what to look at first when one is slow.
            eprintln!(
                "rtsp-inspector timing: frame {} took {:.1} ms (glyphs {:.1}, batches {:.1}, indexes {:.1}, drawing {:.1}; {messages} messages{})",
                self.frames,
                ms(took),
                ms(times.set_up),
                ms(times.polled.saturating_sub(times.set_up)),
                ms(times.indexed.saturating_sub(times.polled)),
                ms(took.saturating_sub(times.indexed)),
                if loading { ", loading" } else { "" }
            );
        }
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
        let launch = self.frames == 1;
        if loading && !launch && self.loading_frames.len() < MAX_FRAMES_KEPT {
            self.loading_frames.push(took);
        }
        let previous_was_launch = self.frames == 2;
        if let Some(whole) = times
            .previous_whole
            .filter(|_| self.previous_loading && !previous_was_launch)
        {
            if whole > SLOW_FRAME {
                eprintln!(
                    "rtsp-inspector timing: frame {} took {:.1} ms from start to painted",
                    self.frames - 1,
                    ms(whole)
                );
            }
            if self.loading_whole.len() < MAX_FRAMES_KEPT {
                self.loading_whole.push(whole);
            }
        }
        self.previous_loading = loading;
    }

    /// Called once the capture is read: the frames drawn while it was.
    pub fn loaded(&mut self, read: Duration, messages: usize) {
        eprintln!(
            "rtsp-inspector timing: capture read in {:.1} ms ({messages} messages), {:.1} ms after launch",
            read.as_secs_f64() * 1e3,
            self.since_launch_ms()
        );
        let ui = std::mem::take(&mut self.loading_frames);
        let whole = std::mem::take(&mut self.loading_whole);
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        for (what, mut frames) in [("ui", ui), ("start to painted", whole)] {
            if frames.is_empty() {
                continue;
            }
            frames.sort_unstable();
            let p99 = frames[(frames.len() - 1) * 99 / 100];
            let worst = frames[frames.len() - 1];
            let over = frames.iter().filter(|d| **d > SLOW_FRAME).count();
            let mean = frames.iter().sum::<Duration>() / frames.len() as u32;
            eprintln!(
                "rtsp-inspector timing: {} frames while loading, {what}: mean {:.2} ms, p99 {:.2} ms, worst {:.2} ms, {over} over 16 ms",
                frames.len(),
                ms(mean),
                ms(p99),
                ms(worst)
            );
        }
    }
}
