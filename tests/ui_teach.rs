//! Teaching mode in the window, driven like a person would in egui_kittest, on real captures.
#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use rtsp_inspector::engine;
use rtsp_inspector::model::Model;
use rtsp_inspector::ui::app::{InspectorApp, Settings};
use rtsp_inspector::ui::{Command, Scope};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn model(path: &str) -> Model {
    engine::analyze_file(&repo(path)).expect("the capture reads")
}

fn harness(app: InspectorApp) -> Harness<'static, InspectorApp> {
    Harness::builder()
        .with_size(egui::vec2(1600.0, 1800.0))
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut InspectorApp| app.ui_root(ui), app)
}

fn teaching(model: Model, name: &str) -> InspectorApp {
    let mut app = InspectorApp::with_model(model, name);
    app.push_command(Command::SetTeaching(true));
    app
}

#[test]
fn the_setup_reply_is_explained_with_its_real_ports() {
    let model = model("captures/02_ffmpeg-udp-av_gst.pcap");
    let reply = model
        .messages
        .iter()
        .find(|m| m.method.as_deref() == Some("SETUP"))
        .and_then(|m| m.pair)
        .expect("a SETUP reply");
    let mut app = teaching(model, "02");
    app.push_command(Command::SelectMessage(reply));
    let mut harness = harness(app);
    harness.run();
    assert!(harness.state().is_teaching());
    harness.get_by_label("200 OK to SETUP");
    harness.get_by_label_contains("on its side it uses ports 40000 for RTP and 40001 for RTCP");
    harness.get_by_label_contains("the client's ports 41024 for RTP and 41025 for RTCP");
    harness.get_by_label_contains("The server created session UP1cVb7cd9uSkyHD");
    // The checklist, ticked up to here: steps 1-3 done, 4 not yet.
    harness.get_by_label("step 1 OPTIONS: done");
    harness.get_by_label("step 3 SETUP: done");
    harness.get_by_label("step 4 PLAY: not yet");
    // Stepping on ticks PLAY once its 200 is reached.
    for _ in 0..4 {
        harness.key_press(egui::Key::ArrowDown);
        harness.run();
    }
    harness.get_by_label("200 OK to PLAY");
    harness.get_by_label("step 4 PLAY: done");
    harness.get_by_label("step 5 media over RTP: done");
    harness.get_by_label("step 6 TEARDOWN: not yet");
}

#[test]
fn the_checklist_of_vlc_shows_options_and_describe_skipped() {
    let model = model("tests/data/03_vlc-client_gst.pcapng");
    let mut app = teaching(model, "03");
    app.push_command(Command::SelectScope(Scope::Session(0)));
    app.push_command(Command::Step(rtsp_inspector::ui::Step::Last));
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label("step 1 OPTIONS: skipped");
    harness.get_by_label("step 2 DESCRIBE: skipped");
    harness.get_by_label("step 3 SETUP: done");
    harness.get_by_label("step 4 PLAY: done");
    harness.get_by_label("step 6 TEARDOWN: done");
    harness.get_by_label_contains(
        "skipped: the client set up the stream without asking for its description",
    );
}

#[test]
fn the_455_is_drawn_as_an_attempted_edge() {
    let model = model("captures/10_scripted-errors_gst.pcapng");
    let reply = model
        .messages
        .iter()
        .find(|m| m.status == Some(455))
        .expect("the capture's 455")
        .index;
    let mut app = teaching(model, "10");
    app.push_command(Command::SelectMessage(reply));
    let mut harness = harness(app);
    harness.run();
    harness.get_by_label(
        "client attempted edge PAUSE from Ready: no such edge (455 Method Not Valid in This State)",
    );
    harness.get_by_label(
        "server attempted edge PAUSE from Ready: no such edge (455 Method Not Valid in This State)",
    );
    harness.get_by_label("Attempted edge (client and server)");
    harness
        .get_by_label_contains("PAUSE is not valid in Ready — there is no PAUSE edge out of Ready");
    // Out of teaching mode the graphs draw no attempt.
    harness
        .state_mut()
        .push_command(Command::SetTeaching(false));
    harness.run();
    let left: Vec<String> = harness
        .query_all_by_label_contains("attempted edge PAUSE")
        .map(|n| format!("{n:?}"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn clicking_an_edge_shows_its_rfc_row_and_the_messages_that_took_it() {
    let model = model("captures/10_scripted-errors_gst.pcapng");
    let plays: Vec<usize> = model
        .messages
        .iter()
        .filter(|m| m.status == Some(200))
        .filter(|m| m.pair.and_then(|p| model.messages[p].method.as_deref()) == Some("PLAY"))
        .map(|m| m.index)
        .collect();
    let mut app = teaching(model, "10");
    app.push_command(Command::SelectScope(Scope::Session(0)));
    let mut harness = harness(app);
    harness.run();
    harness
        .get_by_label_contains("client edge Ready → Playing (PLAY)")
        .click();
    harness.run();
    harness.get_by_label("Client edge Ready → Playing");
    harness.get_by_label_contains("RFC 2326 A.1, row 3 of 14: state Ready, message sent PLAY");
    harness.get_by_label("Taken 2 times in this session:");
    let second = format!("#{} 200 OK to PLAY", plays[1]);
    harness.get_by_label_contains(&second).click();
    harness.run();
    assert_eq!(harness.state().selection().message, Some(plays[1]));
}

#[test]
fn learn_on_the_start_screen_opens_the_bundled_exchange_at_its_first_message() {
    let mut harness = harness(InspectorApp::empty(Settings::default()));
    harness.run();
    harness.get_by_label("Learn the RTSP handshake").click();
    let deadline = Instant::now() + Duration::from_secs(120);
    harness.step();
    while harness.state().is_loading() {
        assert!(
            Instant::now() < deadline,
            "the bundled capture took too long"
        );
        std::thread::sleep(Duration::from_millis(5));
        harness.step();
    }
    harness.run();
    let app = harness.state();
    assert_eq!(app.load_error(), None);
    assert_eq!(
        app.capture_name(),
        Some("learn-rtsp-handshake_ffmpeg-udp_gst.pcap")
    );
    assert!(app.is_teaching());
    assert_eq!(
        app.model().messages.len(),
        12,
        "OPTIONS … TEARDOWN, each answered"
    );
    assert_eq!(app.selection().message, Some(0), "at the first message");
    harness.get_by_label("OPTIONS: which methods does the server support?");
    harness.get_by_label("step 1 OPTIONS: not yet");
}
