//! Teaching mode, engine side and terminal: the explanations, the checklist and the attempted
//! edges on real captures between real peers, and `report --explain`.

use std::path::{Path, PathBuf};
use std::process::Command;

use rtsp_inspector::engine;
use rtsp_inspector::model::{Machine, Model, State};
use rtsp_inspector::teach::checklist::{DeviationKind, Status, StepKind};
use rtsp_inspector::teach::{checklist, edges, explain};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The bundled clean exchange (capture 02: ffmpeg and GStreamer's server over UDP).
const LEARN: &str = "assets/learn-rtsp-handshake_ffmpeg-udp_gst.pcap";
/// VLC's SAT>IP client: no OPTIONS, no DESCRIBE (capture 03).
const VLC: &str = "tests/data/03_vlc-client_gst.pcapng";
/// A real server's 404/454/455/405/460/451 (capture 10).
const ERRORS: &str = "captures/10_scripted-errors_gst.pcapng";

fn model(path: &str) -> Model {
    engine::analyze_file(&repo(path)).expect("the capture reads")
}

fn reply_to(model: &Model, method: &str, nth: usize) -> usize {
    model
        .messages
        .iter()
        .filter(|m| m.method.as_deref() == Some(method))
        .nth(nth)
        .and_then(|m| m.pair)
        .expect("a reply")
}

#[test]
fn setup_reply_explains_the_transport_with_the_real_ports() {
    let model = model(LEARN);
    let reply = reply_to(&model, "SETUP", 0);
    let e = explain::explain(&model, reply).expect("an explanation");
    let transport = e
        .headers
        .iter()
        .find(|h| h.name == "Transport")
        .expect("Transport explained");
    // The capture's own values: the client offered 41024-41025, the server uses 40000-40001.
    assert!(
        transport.text.contains("41024 for RTP and 41025 for RTCP"),
        "{}",
        transport.text
    );
    assert!(
        transport.text.contains("40000 for RTP and 40001 for RTCP"),
        "{}",
        transport.text
    );
    assert!(
        transport.text.contains("ssrc=08EC7293"),
        "{}",
        transport.text
    );
    assert_eq!(transport.reference.as_deref(), Some("RFC 2326 §12.39"));
    let session = e
        .headers
        .iter()
        .find(|h| h.name == "Session")
        .expect("Session explained");
    assert!(
        session.text.contains("created session UP1cVb7cd9uSkyHD"),
        "{}",
        session.text
    );
    assert!(
        session.text.contains("60 s"),
        "the RFC's default timeout: {}",
        session.text
    );
    assert_eq!(e.step, Some(StepKind::Setup));
    assert_eq!(e.reference.as_deref(), Some("RFC 2326 §10.4"));
    assert!(
        e.effect.iter().any(|t| t.contains("Client: Init → Ready")),
        "{:?}",
        e.effect
    );
    assert!(
        e.effect.iter().any(|t| t.contains("Server: Init → Ready")),
        "{:?}",
        e.effect
    );

    // The SETUP request: the offer, and which stream of the description it is for.
    let request = model.messages[reply].pair.expect("its request");
    let e = explain::explain(&model, request).expect("an explanation");
    assert!(
        e.about.iter().any(|t| t.contains("SETUP 1 of 2")),
        "{:?}",
        e.about
    );
    assert!(
        e.about.iter().any(|t| t.contains("video (H264/90000")),
        "{:?}",
        e.about
    );
    let offer = e
        .headers
        .iter()
        .find(|h| h.name == "Transport")
        .expect("Transport");
    assert!(
        offer.text.starts_with("The client offers to receive RTP"),
        "{}",
        offer.text
    );
}

#[test]
fn play_reply_explains_rtp_info_and_range() {
    let model = model(LEARN);
    let reply = reply_to(&model, "PLAY", 0);
    let e = explain::explain(&model, reply).expect("an explanation");
    let rtp_info = e
        .headers
        .iter()
        .find(|h| h.name == "RTP-Info")
        .expect("RTP-Info");
    assert!(
        rtp_info.text.contains("stream=0 starts at seq 1697"),
        "{}",
        rtp_info.text
    );
    let range = e.headers.iter().find(|h| h.name == "Range").expect("Range");
    assert!(range.text.contains("live"), "{}", range.text);
    assert!(e.effect.iter().any(|t| t.contains("Ready → Playing")));
}

#[test]
fn the_clean_exchange_ticks_all_six_steps() {
    let model = model(LEARN);
    let steps = checklist(&model, &model.sessions[0]);
    assert_eq!(steps.len(), 6);
    assert!(steps.iter().all(|s| s.status == Status::Done), "{steps:#?}");
    let setup = &steps[2];
    assert!(
        setup
            .deviations
            .iter()
            .any(|d| d.kind == DeviationKind::Repeated && d.text.contains("one per stream")),
        "{:?}",
        setup.deviations
    );
}

#[test]
fn vlc_skips_options_and_describe() {
    let model = model(VLC);
    let steps = checklist(&model, &model.sessions[0]);
    assert_eq!(steps[0].kind, StepKind::Options);
    assert_eq!(steps[0].status, Status::Skipped);
    assert_eq!(steps[1].status, Status::Skipped);
    assert_eq!(steps[2].status, Status::Done);
    assert_eq!(steps[3].status, Status::Done);
    // Its later OPTIONS are keep-alives, not step 1.
    assert!(
        steps[0]
            .deviations
            .iter()
            .any(|d| d.kind == DeviationKind::Later && d.text.contains("keep-alive"))
    );
    // The OPTIONS keep-alive explained as such, with the server's timeout of 10 s.
    let keepalive = model
        .messages
        .iter()
        .find(|m| m.method.as_deref() == Some("OPTIONS"))
        .expect("a keep-alive")
        .index;
    let e = explain::explain(&model, keepalive).expect("an explanation");
    assert!(
        e.about
            .iter()
            .any(|t| t.contains("keep-alive") && t.contains("10 s")),
        "{:?}",
        e.about
    );
}

#[test]
fn the_455_is_an_attempted_edge() {
    let model = model(ERRORS);
    let session = &model.sessions[0];
    let attempts = edges::attempts(&model, session);
    let pause = attempts
        .iter()
        .find(|a| a.method == "PAUSE" && a.machine == Machine::Client)
        .expect("PAUSE in Ready attempted");
    assert_eq!(pause.state, State::Ready);
    assert_eq!(pause.status, Some(455));
    assert!(
        pause.text.contains("there is no PAUSE edge out of Ready"),
        "{}",
        pause.text
    );
    assert!(pause.outcome.contains("455"), "{}", pause.outcome);
    // PLAY before any SETUP, refused with 454.
    assert!(
        attempts
            .iter()
            .any(|a| a.method == "PLAY" && a.state == State::Init && a.status == Some(454))
    );
    // A valid edge is no attempt: the PLAY that worked.
    let play_ok = reply_to(&model, "PLAY", 1);
    assert!(edges::attempts_at(&model, play_ok).is_empty());
    // The 455 reply explains itself and the finding's lesson.
    let e = explain::explain(&model, pause.reply.expect("a reply")).expect("an explanation");
    assert!(
        e.status
            .as_deref()
            .is_some_and(|s| s.contains("RFC 2326 §11.3.6"))
    );
    assert!(
        e.lessons
            .iter()
            .any(|l| l.code == "status.455" && !l.why.is_empty())
    );
}

#[test]
fn edges_are_rfc_rows_with_the_messages_that_took_them() {
    let model = model(ERRORS);
    let session = &model.sessions[0];
    let uses = edges::uses_of(
        &model,
        session,
        Machine::Client,
        State::Ready,
        State::Playing,
    );
    // PLAY → 200 twice (before and after the PAUSE).
    assert_eq!(uses.len(), 2, "{uses:?}");
    assert!(uses.iter().all(|u| u.method == "PLAY"));
    let row = rtsp_inspector::session::machine::lookup(
        rtsp_inspector::session::machine::Protocol::Rtsp1,
        Machine::Client,
        State::Ready,
        "PLAY",
    )
    .expect("the row");
    let text = edges::row_text(
        rtsp_inspector::session::machine::Protocol::Rtsp1,
        Machine::Client,
        row,
    );
    assert!(
        text.starts_with("RFC 2326 A.1, row 3 of 14: state Ready"),
        "{text}"
    );
}

#[test]
fn rtsp2_headers_are_explained_from_rfc_7826() {
    let model = model("captures/19_rtsp2_gst-rtspsrc-tcp_gst.pcapng");
    let reply = reply_to(&model, "SETUP", 0);
    let e = explain::explain(&model, reply).expect("an explanation");
    assert_eq!(e.reference.as_deref(), Some("RFC 7826 §13.3"));
    let pipelined = e
        .headers
        .iter()
        .find(|h| h.name == "Pipelined-Requests")
        .expect("explained");
    assert_eq!(pipelined.reference.as_deref(), Some("RFC 7826 §18.33"));
    let properties = e
        .headers
        .iter()
        .find(|h| h.name == "Media-Properties")
        .expect("explained");
    assert!(
        properties.text.contains("No-Seeking"),
        "{}",
        properties.text
    );
    let transport = e
        .headers
        .iter()
        .find(|h| h.name == "Transport")
        .expect("explained");
    assert!(
        transport.text.contains("channel 0 and RTCP on channel 1"),
        "{}",
        transport.text
    );
}

#[test]
fn report_explain_walks_through_a_real_capture_in_80_columns() {
    let output = Command::new(env!("CARGO_BIN_EXE_rtsp-inspector"))
        .args(["report", LEARN, "--explain"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    for line in text.lines() {
        assert!(
            line.chars().count() <= 80,
            "wider than 80 columns: {line:?}"
        );
    }
    for expected in [
        "[x] 1  OPTIONS",
        "[x] 3* SETUP",
        "repeated: 2 SETUPs, one per stream (stream=0, stream=1)",
        "41024 for RTP and 41025 for RTCP",
        "Client: Ready → Playing.",
        "client Ready → Playing (PLAY): taken by #9",
        "RFC 2326 §10.7",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let vlc = Command::new(env!("CARGO_BIN_EXE_rtsp-inspector"))
        .args(["report", VLC, "--explain"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    let vlc = String::from_utf8_lossy(&vlc.stdout);
    assert!(vlc.contains("[-] 1  OPTIONS         skipped"), "{vlc}");
    assert!(vlc.contains("[-] 2  DESCRIBE        skipped"), "{vlc}");
}
