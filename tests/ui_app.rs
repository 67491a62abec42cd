//! The window, driven like a person would: the real app struct in egui_kittest, on the real
//! bundled capture of a GStreamer server answering a client that tries the wrong things.
#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use rtsp_inspector::engine::{self, Credentials};
use rtsp_inspector::model::{MessageKind, Model, State};
use rtsp_inspector::ui::app::{InspectorApp, Settings};
use rtsp_inspector::ui::findings::finding_label;
use rtsp_inspector::ui::sessions::session_label;
use rtsp_inspector::ui::state_graph::node_label;
use rtsp_inspector::ui::{Command, Scope, Source};

const CAPTURE: &str = "captures/10_scripted-errors_gst.pcapng";

fn capture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(CAPTURE)
}

fn real_model() -> Model {
    engine::analyze_file(&capture_path()).expect("the bundled capture reads")
}

/// A window tall enough that the whole ladder of the capture's session is on screen (only the
/// visible rows exist as widgets).
fn harness(app: InspectorApp) -> Harness<'static, InspectorApp> {
    Harness::builder()
        .with_size(egui::vec2(1600.0, 1800.0))
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut InspectorApp| app.ui_root(ui), app)
}

/// Steps frames until the app has finished reading (the loader runs on its own thread).
fn wait_for_load(harness: &mut Harness<'_, InspectorApp>) {
    let deadline = Instant::now() + Duration::from_secs(120);
    harness.step();
    while harness.state().is_loading() {
        assert!(
            Instant::now() < deadline,
            "the capture took too long to read"
        );
        std::thread::sleep(Duration::from_millis(5));
        harness.step();
    }
    harness.step();
    harness.step();
}

fn the_session(model: &Model) -> usize {
    model
        .sessions
        .iter()
        .position(|s| s.session_id == "mQrUGvvWFL.tA0A2")
        .expect("the capture's session")
}

/// The first successful reply to PLAY in the session.
fn play_ok(model: &Model, session: usize) -> usize {
    model.sessions[session]
        .messages
        .iter()
        .copied()
        .find(|&m| {
            let message = &model.messages[m];
            message.kind == MessageKind::Response
                && message.status == Some(200)
                && message
                    .pair
                    .and_then(|p| model.messages[p].method.as_deref())
                    == Some("PLAY")
        })
        .expect("a 200 to PLAY")
}

#[test]
fn loads_through_the_loader_thread_like_the_report() {
    let mut app = InspectorApp::empty(Settings::default());
    app.push_command(Command::Open(Source::File(capture_path())));
    let mut harness = harness(app);
    wait_for_load(&mut harness);
    let app = harness.state();
    assert_eq!(app.load_error(), None);
    assert_eq!(app.capture_name(), Some("10_scripted-errors_gst.pcapng"));
    let shown = app.model();
    let report = real_model();
    assert_eq!(shown.messages.len(), report.messages.len());
    assert_eq!(shown.sessions.len(), report.sessions.len());
    assert_eq!(shown.findings.len(), report.findings.len());
    assert_eq!(shown.connections.len(), report.connections.len());
    assert!(!shown.sessions.is_empty(), "the window shows the session");
    assert_eq!(shown.capture.bytes, report.capture.bytes);
    assert_eq!(
        shown.sessions[0].client_path, report.sessions[0].client_path,
        "the same states as the report"
    );
    harness.get_by_role_and_label(
        egui::Role::Button,
        &session_label(&shown.sessions[0].session_id),
    );
}

#[test]
fn session_message_keyboard_and_both_graphs() {
    let model = real_model();
    let session = the_session(&model);
    let play = play_ok(&model, session);
    let mut harness = harness(InspectorApp::with_model(model.clone(), CAPTURE));
    harness.run();

    harness
        .get_by_role_and_label(egui::Role::Button, &session_label("mQrUGvvWFL.tA0A2"))
        .click();
    harness.run();
    assert_eq!(
        harness.state().selection().scope,
        Some(Scope::Session(session))
    );

    harness
        .get_by_label_contains(&format!("message {play}: 200 OK"))
        .click();
    harness.run();
    assert_eq!(harness.state().selection().message, Some(play));
    // Both machines went Ready → Playing on this reply.
    harness.get_by_label(&node_label(
        rtsp_inspector::model::Machine::Client,
        State::Playing,
        true,
    ));
    harness.get_by_label("server state Playing, current");
    harness.get_by_label("client state Ready");
    harness.get_by_label_contains("client edge Ready → Playing (PLAY), just taken");
    harness.get_by_label_contains("server edge Ready → Playing (PLAY), just taken");
    harness.get_by_label_contains("PLAY → 200 OK: client Ready → Playing, server Ready → Playing");

    // ↓ goes to the session's next message; nothing moves on a request.
    let messages = &model.sessions[session].messages;
    let at = messages
        .iter()
        .position(|&m| m == play)
        .expect("in the session");
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    assert_eq!(harness.state().selection().message, Some(messages[at + 1]));
    assert!(
        harness
            .query_by_label_contains("edge Ready → Playing (PLAY), just taken")
            .is_none(),
        "a request moves neither machine"
    );
    harness.get_by_label("client state Playing, current");

    // k is ↑.
    harness.key_press(egui::Key::K);
    harness.run();
    assert_eq!(harness.state().selection().message, Some(play));

    // End: the last message, after TEARDOWN both machines are back in Init.
    harness.key_press(egui::Key::End);
    harness.run();
    assert_eq!(
        harness.state().selection().message,
        messages.last().copied()
    );
    harness.get_by_label("client state Init, current");
    harness.get_by_label("server state Init, current");

    // Home: the first message, before any SETUP.
    harness.key_press(egui::Key::Home);
    harness.run();
    assert_eq!(
        harness.state().selection().message,
        messages.first().copied()
    );
    harness.get_by_label("client state Init, current");
}

#[test]
fn a_455_in_the_findings_goes_to_its_message() {
    let model = real_model();
    let finding = model
        .findings
        .iter()
        .find(|f| f.code.contains("455"))
        .expect("the capture's 455 is a finding")
        .clone();
    let target = finding.message.expect("on a message");
    let mut harness = harness(InspectorApp::with_model(model.clone(), CAPTURE));
    harness.run();
    // Narrow the list down the way a person would: search for the status.
    harness.get_by_label("Search").click();
    harness.run();
    harness.get_by_label("Search").type_text("455");
    harness.run();
    harness
        .get_by_role_and_label(egui::Role::Button, &finding_label(&finding))
        .click();
    harness.run();
    assert_eq!(harness.state().selection().message, Some(target));
    assert_eq!(model.messages[target].status, Some(455));
    // The message view shows it, with its finding.
    harness.get_by_label("455 Method Not Valid in This State");
    // The machines stayed where they were (a 4xx moves nothing).
    harness.get_by_label_contains("client stays Ready, server stays Ready");
}

/// A file dropped on the window, as the native integration hands it over.
#[derive(Debug)]
struct DroppedPath(PathBuf);

impl egui::DroppedFile for DroppedPath {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn a_dropped_file_is_opened() {
    let mut harness = harness(InspectorApp::empty(Settings::default()));
    harness.run();
    harness.get_by_label("Open a capture…");
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(DroppedPath(capture_path())));
    wait_for_load(&mut harness);
    let app = harness.state();
    assert_eq!(app.load_error(), None);
    assert_eq!(app.capture_name(), Some("10_scripted-errors_gst.pcapng"));
    assert!(!app.model().sessions.is_empty());
    assert_eq!(
        app.settings().recent.first().map(String::as_str),
        Some(capture_path().display().to_string().as_str()),
        "remembered as a recent file"
    );
}

#[test]
fn a_file_that_cannot_be_read_says_why() {
    let mut app = InspectorApp::empty(Settings::default());
    app.push_command(Command::Open(Source::File(PathBuf::from(
        "/nonexistent/capture.pcapng",
    ))));
    let mut harness = harness(app);
    wait_for_load(&mut harness);
    let error = harness.state().load_error().expect("an error").to_string();
    assert!(error.contains("/nonexistent/capture.pcapng"), "{error}");
    harness.get_by_label("The capture could not be read");
    harness.get_by_label_contains("/nonexistent/capture.pcapng");
}

#[test]
fn a_bundled_sample_opens_from_the_start_screen() {
    let mut harness = harness(InspectorApp::empty(Settings::default()));
    harness.run();
    harness
        .get_by_label("sample 10_scripted-errors_gst.pcapng")
        .click();
    wait_for_load(&mut harness);
    assert_eq!(harness.state().load_error(), None);
    assert_eq!(
        harness.state().model().messages.len(),
        real_model().messages.len()
    );
}

#[test]
fn play_steps_on_a_timer_and_space_toggles_it() {
    let model = real_model();
    let mut harness = harness(InspectorApp::with_model(model, CAPTURE));
    harness.run();
    harness.key_press(egui::Key::Space);
    harness.run();
    assert!(harness.state().is_playing());
    let first = harness.state().selection().message;
    assert!(first.is_some(), "playing starts at the first message");
    std::thread::sleep(Duration::from_millis(900));
    harness.step();
    harness.step();
    assert_ne!(
        harness.state().selection().message,
        first,
        "a step on the timer"
    );
    harness.key_press(egui::Key::Space);
    harness.step();
    assert!(!harness.state().is_playing());
}

/// The loader hands the model over in batches; applied one after the other they must give the
/// same model as the report's single pass, whatever the batch size (here: one per read).
#[test]
fn the_loader_in_small_batches_gives_the_reports_model() {
    for sample in rtsp_inspector::ui::samples::SAMPLES {
        let source = Source::Sample(sample);
        let shown = rtsp_inspector::ui::loader::load_blocking(&source, Duration::ZERO)
            .expect("the sample reads");
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("captures")
            .join(sample.name);
        let report = engine::analyze_file(&path).expect("the sample reads");
        assert_eq!(
            shown.messages.len(),
            report.messages.len(),
            "{}",
            sample.name
        );
        assert_eq!(
            shown.sessions.len(),
            report.sessions.len(),
            "{}",
            sample.name
        );
        assert_eq!(
            shown.connections.len(),
            report.connections.len(),
            "{}",
            sample.name
        );
        let codes = |m: &Model| {
            m.findings
                .iter()
                .map(|f| f.code.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(&shown), codes(&report), "{}", sample.name);
        for (a, b) in shown.sessions.iter().zip(&report.sessions) {
            assert_eq!(a.client_path, b.client_path, "{}", sample.name);
            assert_eq!(a.server_path, b.server_path, "{}", sample.name);
        }
        for (a, b) in shown.messages.iter().zip(&report.messages) {
            assert_eq!(
                a.states_after, b.states_after,
                "{} #{}",
                sample.name, a.index
            );
            assert_eq!(
                a.session_index, b.session_index,
                "{} #{}",
                sample.name, a.index
            );
        }
        assert!(shown.capture.start_time.is_some(), "{}", sample.name);
    }
}

/// A real server timed the session out while the client kept thinking it was playing: the two
/// graphs disagree at a glance, and the step says why.
#[test]
fn a_server_timeout_shows_the_machines_disagreeing() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures/09_session-timeout_gst-rtspsrc-udp-stopped_gst.pcapng");
    let model = engine::analyze_file(&path).expect("the bundled capture reads");
    let after_timeout = model
        .messages
        .iter()
        .find(|m| {
            m.states_after
                .is_some_and(|(client, server)| client != server)
        })
        .expect("a message after the server's timeout")
        .index;
    let mut app = InspectorApp::with_model(model, "09");
    app.push_command(Command::SelectMessage(after_timeout));
    let mut harness = harness(app);
    harness.run();
    assert_eq!(harness.state().selection().message, Some(after_timeout));
    harness.get_by_label("The machines disagree: client Playing, server Init");
    harness.get_by_label("client state Playing, current");
    harness.get_by_label("server state Init, current");
    harness.get_by_label_contains("server Playing → Init (session timeout)");
}

/// Where there is no file dialog (no XDG desktop portal, no zenity: CI, a bare X server), File →
/// Open falls back to our own path field, and a path typed there opens like any other.
#[test]
fn without_a_file_dialog_open_asks_for_a_path() {
    let has_zenity = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("zenity").exists()));
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() || has_zenity {
        eprintln!("skipped: a real file dialog could open here");
        return;
    }
    let mut app = InspectorApp::empty(Settings::default());
    app.push_command(Command::OpenDialog);
    let mut harness = harness(app);
    let deadline = Instant::now() + Duration::from_secs(10);
    while harness.query_by_label("Open a capture by path").is_none() {
        assert!(
            Instant::now() < deadline,
            "no path field after the dialog failed"
        );
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
    harness.get_by_label_contains("No file dialog is available here");
    harness
        .get_by_role_and_label(egui::Role::TextInput, "Capture path")
        .type_text(&capture_path().display().to_string());
    harness.step();
    harness.key_press(egui::Key::Enter);
    wait_for_load(&mut harness);
    assert_eq!(harness.state().load_error(), None);
    assert_eq!(
        harness.state().capture_name(),
        Some("10_scripted-errors_gst.pcapng")
    );
}

/// Cancel stops the worker at its next look at the flag; the window keeps what was read.
#[test]
fn cancel_stops_a_long_load() {
    use rtsp_inspector::ui::loader::{Loader, Outcome};
    // A real capture's packets, over and over: a classic pcap is a header and then records.
    let sample = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/02_ffmpeg-udp-av_gst.pcap"),
    )
    .expect("the bundled capture");
    let (header, records) = sample.split_at(24);
    let mut big = header.to_vec();
    for _ in 0..400 {
        big.extend_from_slice(records);
    }
    let path = std::env::temp_dir().join(format!("ui-cancel-{}.pcap", std::process::id()));
    std::fs::write(&path, &big).expect("a temporary file");

    let mut loader = Loader::start(Source::File(path.clone()), Credentials::Masked, || {});
    loader.cancel();
    let mut model = Model::default();
    let deadline = Instant::now() + Duration::from_secs(60);
    let outcome = loop {
        if let (_, Some(outcome)) = loader.poll(&mut model) {
            break outcome;
        }
        assert!(Instant::now() < deadline, "cancel did not stop the loader");
        std::thread::sleep(Duration::from_millis(2));
    };
    let _ = std::fs::remove_file(&path);
    assert!(
        matches!(
            outcome,
            Outcome::Finished {
                cancelled: true,
                ..
            }
        ),
        "{outcome:?}"
    );
    assert!(
        loader.read < big.len() as u64,
        "stopped early: {} of {} bytes",
        loader.read,
        big.len()
    );
    assert_eq!(loader.total, Some(big.len() as u64));
}

#[test]
fn credentials_are_masked_until_the_view_menu_reveals_them() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures/07_auth-basic_gst-rtspsrc-udp_gst.pcapng");
    let mut app = InspectorApp::empty(Settings::default());
    app.push_command(Command::Open(Source::File(path)));
    let mut harness = harness(app);
    wait_for_load(&mut harness);
    let describe = harness
        .state()
        .model()
        .messages
        .iter()
        .position(|m| m.headers.iter().any(|(name, _)| name == "Authorization"))
        .expect("a request with credentials");
    harness
        .get_by_label_contains(&format!("message {describe}: DESCRIBE"))
        .click();
    harness.run();
    harness.get_by_label("Basic ********");
    assert!(
        harness
            .query_by_label("credentials shown as sent")
            .is_none()
    );

    harness.get_by_label("View").click();
    harness.run();
    harness.get_by_label("Reveal credentials").click();
    harness.run();
    // The capture is read again, and the same message is selected once it is.
    wait_for_load(&mut harness);
    assert_eq!(harness.state().selection().message, Some(describe));
    harness.get_by_label("Basic dXNlcjpzZWNyZXQ=");
    harness.get_by_label("credentials shown as sent");
    assert!(harness.query_by_label("Basic ********").is_none());
}
