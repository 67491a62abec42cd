//! The window's live capture, driven like a person would in egui_kittest: Capture → Live…
//! lists the interfaces libpcap sees, refuses a filter that does not compile with libpcap's own
//! message, and a live capture (a real capture replayed through the live path, on the same
//! worker channel as an interface) fills the session list while it runs.
#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use rtsp_inspector::live::LiveInput;
use rtsp_inspector::live::interfaces;
use rtsp_inspector::ui::app::{InspectorApp, Settings};
use rtsp_inspector::ui::live_dialog::{FILTER_LABEL, START, interface_label};
use rtsp_inspector::ui::live_feed::LiveRequest;
use rtsp_inspector::ui::sessions::session_label;
use rtsp_inspector::ui::{Command, Source};

fn harness(app: InspectorApp) -> Harness<'static, InspectorApp> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 1000.0))
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut InspectorApp| app.ui_root(ui), app)
}

fn open_live_dialog() -> Harness<'static, InspectorApp> {
    let mut harness = harness(InspectorApp::empty(Settings::default()));
    harness.run();
    harness.get_by_label("Capture").click();
    harness.run();
    harness.get_by_label("Live…").click();
    harness.run();
    harness
}

#[test]
fn the_live_dialog_lists_the_interfaces() {
    let listed = interfaces::list().expect("libpcap lists the interfaces");
    let lo = listed
        .iter()
        .find(|i| i.name == "lo")
        .expect("this machine has a loopback interface");
    let harness = open_live_dialog();
    harness.get_by_label("Live capture");
    harness.get_by_label(&interface_label(lo));
    harness.get_by_label_contains("127.0.0.1");
    for interface in &listed {
        harness.get_by_label(&interface_label(interface));
    }
}

#[test]
fn a_filter_that_does_not_compile_is_refused_with_libpcaps_message() {
    let mut harness = open_live_dialog();
    harness.get_by_label(FILTER_LABEL).click();
    harness.run();
    harness.get_by_label(FILTER_LABEL).type_text("tcp prot 554");
    harness.run();
    harness.get_by_label_contains("libpcap: can't parse filter expression: syntax error");
    harness.get_by_label(START).click();
    harness.run();
    assert!(!harness.state().is_loading(), "no capture started");
    assert_eq!(harness.state().capture_name(), None);
}

#[test]
fn a_live_session_comes_over_the_loader_channel_into_the_session_list() {
    let capture: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("captures/01_ffmpeg-tcp-av_gst.pcapng");
    let mut app = InspectorApp::empty(Settings::default());
    app.push_command(Command::Open(Source::Live(LiveRequest {
        input: LiveInput::Replay(capture.clone()),
        write: None,
    })));
    let mut harness = harness(app);
    harness.step();
    assert!(
        harness.state().follows_newest(),
        "a live capture follows the newest message"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().is_loading() {
        assert!(Instant::now() < deadline, "the live feed took too long");
        std::thread::sleep(Duration::from_millis(5));
        harness.step();
    }
    harness.run();
    let file = rtsp_inspector::engine::analyze_file(&capture).expect("reads");
    let shown = harness.state().model();
    assert_eq!(shown.sessions.len(), 1);
    assert_eq!(shown.messages.len(), file.messages.len());
    assert_eq!(shown.findings.len(), file.findings.len());
    assert_eq!(shown.sessions[0].client_path, file.sessions[0].client_path);
    harness.get_by_role_and_label(
        egui::Role::Button,
        &session_label(&file.sessions[0].session_id),
    );
    harness.get_by_label_contains("the replayed capture ended");
}
