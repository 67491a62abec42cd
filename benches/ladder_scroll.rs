//! Frame time of the window while scrolling a ladder of 100 000 messages.
//!
//! Builds a synthetic model (one connection, one session, 50 000 request/reply pairs: this bench
//! only; the tests use real captures), runs the real app headless in egui, and scrolls the
//! ladder with the mouse wheel, steps with ↓, and jumps with End/Home. Each frame is timed from
//! input to tessellated meshes (what a frame costs on the CPU; the GPU upload is not included).
//! Prints the mean and the 99th percentile of each.
//!
//! `cargo bench --bench ladder_scroll` (add `-- 600` for another number of frames per phase).

use std::time::{Duration, Instant};

use eframe::egui;

use rtsp_inspector::model::{
    CaptureInfo, Connection, Direction, Machine, Message, MessageKind, Model, Session, State,
    Transition,
};
use rtsp_inspector::ui::app::InspectorApp;

const MESSAGES: usize = 100_000;

fn synthetic_model() -> Model {
    let methods = [
        "OPTIONS",
        "DESCRIBE",
        "SETUP",
        "PLAY",
        "GET_PARAMETER",
        "PAUSE",
    ];
    let mut messages = Vec::with_capacity(MESSAGES);
    let mut transitions = Vec::new();
    let mut state = State::Init;
    for pair in 0..MESSAGES / 2 {
        let method = if pair < 4 {
            methods[pair]
        } else {
            methods[3 + pair % 3]
        };
        let time = pair as f64 * 0.05;
        let request = pair * 2;
        let next = match (state, method) {
            (State::Init, "SETUP") => State::Ready,
            (State::Ready, "PLAY") => State::Playing,
            (State::Playing, "PAUSE") => State::Ready,
            (s, _) => s,
        };
        let status = if pair % 97 == 13 { 455 } else { 200 };
        let next = if status == 200 { next } else { state };
        let base = |index: usize, direction, kind| Message {
            index,
            connection: 0,
            frame: index as u64 * 3 + 4,
            first_frame: index as u64 * 3 + 4,
            time: time
                + if kind == MessageKind::Response {
                    0.002
                } else {
                    0.0
                },
            direction,
            kind,
            version: "RTSP/1.0",
            method: None,
            url: None,
            status: None,
            reason: None,
            cseq: Some(pair as u64 + 1),
            session: Some("synthetic".into()),
            headers: rtsp_inspector::model::Headers::from_pairs([
                ("CSeq", (pair + 1).to_string()),
                ("Session", "synthetic".into()),
            ]),
            body_length: 0,
            body: None,
            complete: true,
            pair: None,
            session_index: Some(0),
            stream_offset: index as u64 * 120,
            states_after: None,
        };
        let mut req = base(request, Direction::ClientToServer, MessageKind::Request);
        req.method = Some(method.into());
        req.url = Some("rtsp://127.0.0.1:8554/test".into());
        req.pair = Some(request + 1);
        req.states_after = Some((state, state));
        let mut reply = base(
            request + 1,
            Direction::ServerToClient,
            MessageKind::Response,
        );
        reply.status = Some(status);
        reply.reason = Some(
            if status == 200 {
                "OK"
            } else {
                "Method Not Valid in This State"
            }
            .into(),
        );
        reply.pair = Some(request);
        reply.states_after = Some((next, next));
        if next != state {
            for machine in [Machine::Client, Machine::Server] {
                transitions.push(Transition {
                    machine,
                    from: state,
                    to: next,
                    message: Some(request + 1),
                    time: reply.time,
                    cause: format!("{method} → 200"),
                });
            }
        }
        state = next;
        messages.push(req);
        messages.push(reply);
    }
    let last_time = messages.last().map(|m| m.time).unwrap_or(0.0);
    Model {
        capture: CaptureInfo {
            path: "synthetic".into(),
            format: "pcapng".into(),
            packets: MESSAGES as u64 * 3,
            duration: last_time,
            start_time: Some(1_700_000_000.0),
            ..CaptureInfo::default()
        },
        connections: vec![Connection {
            id: 0,
            client: "127.0.0.1:50000".into(),
            server: "127.0.0.1:8554".into(),
            rtsp_messages: MESSAGES as u64,
            last_time,
            version: Some("RTSP/1.0".into()),
            ..Connection::default()
        }],
        sessions: vec![Session {
            id: 0,
            session_id: "synthetic".into(),
            url: "rtsp://127.0.0.1:8554/test".into(),
            server: "127.0.0.1:8554".into(),
            client: "127.0.0.1:50000".into(),
            version: "RTSP/1.0".into(),
            connections: vec![0],
            client_path: vec![State::Init, State::Ready, State::Playing],
            server_path: vec![State::Init, State::Ready, State::Playing],
            client_state: state,
            server_state: state,
            transitions,
            messages: (0..messages.len()).collect(),
            timeout: 60.0,
            transports: Vec::new(),
            media: Default::default(),
            first_time: 0.0,
            last_time,
        }],
        messages,
        findings: Vec::new(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// What a frame's input does.
#[derive(Clone, Copy)]
enum Phase {
    /// The mouse wheel over the ladder: 240 points a frame, so new rows come into view on
    /// every frame (nothing is cached from an earlier frame).
    Wheel,
    /// ↓ on every frame: the selection, both graphs, the step line and the message view change.
    Step,
    /// End, then Home, alternately: the ladder jumps across the 100 000 rows.
    Jump,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Wheel => "mouse wheel",
            Phase::Step => "step (down arrow)",
            Phase::Jump => "End / Home",
        }
    }

    fn events(self, frame: usize) -> Vec<egui::Event> {
        match self {
            Phase::Wheel => vec![egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -240.0),
                modifiers: egui::Modifiers::NONE,
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
            }],
            Phase::Step => vec![key(egui::Key::ArrowDown)],
            Phase::Jump if frame.is_multiple_of(2) => vec![key(egui::Key::End)],
            Phase::Jump => vec![key(egui::Key::Home)],
        }
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this too, without it: then a
    // few frames show that it works, without taking CI's time.
    let benching = std::env::args().any(|a| a == "--bench");
    let frames: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if benching { 300 } else { 5 });
    let built = Instant::now();
    let model = synthetic_model();
    println!(
        "ladder_scroll: synthetic model of {} messages built in {:.0} ms",
        model.messages.len(),
        built.elapsed().as_secs_f64() * 1e3
    );
    let mut app = InspectorApp::with_model(model, "synthetic");
    let ctx = egui::Context::default();
    let screen = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0));
    // Over the ladder: right of the sessions list, above the state graphs.
    let over_ladder = egui::pos2(640.0, 250.0);
    let mut clock = 0.0;
    let mut frame = |app: &mut InspectorApp, events: Vec<egui::Event>| {
        clock += 1.0 / 60.0;
        let mut all = vec![egui::Event::PointerMoved(over_ladder)];
        all.extend(events);
        let input = egui::RawInput {
            screen_rect: Some(screen),
            time: Some(clock),
            events: all,
            ..Default::default()
        };
        let start = Instant::now();
        let mut output = ctx.run_ui(input, |ui| app.ui_root(ui));
        let meshes = ctx.tessellate(output.shapes, output.pixels_per_point);
        // No GPU here: the font atlas updates have nowhere to go.
        output.textures_delta.clear();
        let elapsed = start.elapsed();
        std::hint::black_box(meshes);
        elapsed
    };
    // The first frames lay out the fonts and every panel: not what scrolling costs.
    for _ in 0..10 {
        frame(&mut app, Vec::new());
    }
    let mut all = Vec::new();
    for phase in [Phase::Wheel, Phase::Step, Phase::Jump] {
        let mut times: Vec<Duration> = (0..frames)
            .map(|i| frame(&mut app, phase.events(i)))
            .collect();
        all.extend_from_slice(&times);
        report(phase.name(), &mut times);
    }
    report("all", &mut all);
    let selected = app.selection().message;
    println!("ladder_scroll: selected message at the end: {selected:?}");
}

fn report(what: &str, times: &mut [Duration]) {
    let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
    times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "ladder_scroll: {what:<18} {} frames at 1280x800, 100 000 messages: mean {:.2} ms, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (CPU, input to meshes)",
        times.len(),
        ms(mean),
        ms(percentile(times, 0.5)),
        ms(percentile(times, 0.99)),
        times.last().map(|&d| ms(d)).unwrap_or(0.0),
    );
}

fn key(key: egui::Key) -> egui::Event {
    egui::Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::NONE,
    }
}
