//! Exports of real captures, checked by the programs that consume them: rsvg-convert renders the
//! SVG, Debian's plantuml renders the PlantUML, mermaid's own parser (under node) reads the
//! Mermaid, tshark reads the pcapng back and finds the same RTSP messages as in the original.
//! They are installed by scripts/setup; a test says so when one is missing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use rtsp_inspector::capture::file::CaptureReader;
use rtsp_inspector::engine::{self, Credentials};
use rtsp_inspector::export::{self, Format, Ladder, Scope, ladder::Row};
use rtsp_inspector::model::Model;

const BUNDLED: &[&str] = &[
    "01_ffmpeg-tcp-av_gst.pcapng",
    "02_ffmpeg-udp-av_gst.pcap",
    "04_gst-rtspsrc-tcp_gst.pcapng",
    "09_session-timeout_gst-rtspsrc-udp-stopped_gst.pcapng",
    "10_scripted-errors_gst.pcapng",
    "19_rtsp2_gst-rtspsrc-tcp_gst.pcapng",
];

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("captures")
        .join(name)
}

fn shared(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/captures")
        .join(name)
}

fn model(path: &Path) -> Model {
    engine::analyze_file(path).expect("the capture reads")
}

/// A fresh directory for one test's files.
fn out_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "rtsp-inspector-export-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// Runs a tool, which must be installed (scripts/setup does it).
fn run(program: &str, args: &[&str]) -> std::process::Output {
    match Command::new(program).args(args).output() {
        Ok(output) => output,
        Err(error) => panic!("{program} could not run ({error}): run scripts/setup as root"),
    }
}

fn stem(name: &str) -> &str {
    name.split('_').next().unwrap_or(name)
}

/// Every session of every bundled capture, as (file stem, model, session).
fn every_session() -> Vec<(String, Model, usize)> {
    let mut all = Vec::new();
    for name in BUNDLED {
        let model = model(&capture(name));
        assert!(!model.sessions.is_empty(), "{name} has a session");
        for s in 0..model.sessions.len() {
            all.push((stem(name).to_string(), model.clone(), s));
        }
    }
    all
}

#[test]
fn svg_renders_with_rsvg_convert_and_carries_every_label() {
    let dir = out_dir("svg");
    for (name, model, s) in every_session() {
        let svg_path = dir.join(format!("{name}-{s}.svg"));
        let png_path = dir.join(format!("{name}-{s}.png"));
        let bytes = export::ladder_bytes(&model, &Scope::Session(s), Format::Svg).expect("svg");
        std::fs::write(&svg_path, &bytes).expect("written");
        let output = run(
            "rsvg-convert",
            &[
                "--format=png",
                "-o",
                png_path.to_str().unwrap(),
                svg_path.to_str().unwrap(),
            ],
        );
        assert!(
            output.status.success(),
            "{name}: rsvg-convert: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let png = std::fs::read(&png_path).expect("a PNG");
        assert!(png.starts_with(b"\x89PNG"), "{name}");
        let text = String::from_utf8(bytes).expect("UTF-8");
        let ladder = Ladder::build(&model, &Scope::Session(s)).expect("ladder");
        for m in ladder.messages() {
            let label = export::svg::escape(&m.arrow_text());
            assert!(text.contains(&label), "{name}: {label} in the SVG");
        }
        assert_eq!(
            text.matches("marker-end=").count(),
            ladder.messages().count() + 3,
            "{name}: one arrow per message, and the legend's three"
        );
    }
}

#[test]
fn png_is_a_picture_of_the_ladder() {
    let dir = out_dir("png");
    for name in ["02_ffmpeg-udp-av_gst.pcap", "10_scripted-errors_gst.pcapng"] {
        let model = model(&capture(name));
        let png = export::ladder_bytes(&model, &Scope::Session(0), Format::Png).expect("png");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        // The IHDR: twice the SVG's size.
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        let svg = String::from_utf8(
            export::ladder_bytes(&model, &Scope::Session(0), Format::Svg).expect("svg"),
        )
        .unwrap();
        let svg_width: u32 = svg
            .split("width=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|w| w.parse().ok())
            .expect("the SVG's width");
        assert_eq!(width, 2 * svg_width, "{name}");
        assert!(height > 600, "{name}: {height}");
        std::fs::write(dir.join(format!("{}.png", stem(name))), &png).expect("written");
    }
}

/// All PlantUML files render with Debian's plantuml (one JVM for all of them), to PNG and to
/// SVG; the SVG's text has every arrow's label, unescaped.
#[test]
fn plantuml_renders_with_plantuml() {
    let dir = out_dir("plantuml");
    let mut expected = Vec::new();
    for (name, model, s) in every_session() {
        let path = dir.join(format!("{name}-{s}.puml"));
        let bytes =
            export::ladder_bytes(&model, &Scope::Session(s), Format::PlantUml).expect("puml");
        std::fs::write(&path, &bytes).expect("written");
        let ladder = Ladder::build(&model, &Scope::Session(s)).expect("ladder");
        let labels: Vec<String> = ladder.messages().map(|m| m.arrow_text()).collect();
        expected.push((path, labels));
    }
    let files: Vec<&str> = expected.iter().map(|(p, _)| p.to_str().unwrap()).collect();
    for format in ["-tpng", "-tsvg"] {
        let mut args = vec![format, "-failfast2", "-nbthread", "1"];
        args.extend(&files);
        let output = run("plantuml", &args);
        assert!(
            output.status.success(),
            "plantuml {format}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for (path, labels) in &expected {
        let png = std::fs::read(path.with_extension("png")).expect("plantuml wrote a PNG");
        assert!(png.starts_with(b"\x89PNG"));
        let svg = std::fs::read_to_string(path.with_extension("svg")).expect("and an SVG");
        assert!(!svg.contains("Syntax Error"), "{}", path.display());
        let texts = svg_texts(&svg);
        for label in labels {
            // PlantUML writes the text of a label in one <text> (or more, where it wraps).
            let plain = xml_text(label);
            assert!(
                texts.iter().any(|t| t.contains(&plain)) || texts.join("").contains(&plain),
                "{}: {label:?} not in PlantUML's picture",
                path.display()
            );
        }
    }
}

/// The text nodes of an SVG, entities decoded.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|part| {
            let start = part.find('>')? + 1;
            let end = part.find("</text>")?;
            Some(unescape_xml(part.get(start..end)?))
        })
        .collect()
}

fn unescape_xml(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#160;", "\u{a0}")
        .replace("&amp;", "&")
}

/// PlantUML keeps a label's spaces as they are; this is the label as it shows.
fn xml_text(label: &str) -> String {
    label.to_string()
}

/// mermaid's parser reads every file; the messages it reads are the ladder's, in order, with
/// the right arrows and participants.
#[test]
fn mermaid_parses_with_mermaids_own_parser() {
    let checker = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/mermaid-check");
    assert!(
        checker.join("node_modules/mermaid").exists(),
        "mermaid's parser is not installed: run scripts/setup"
    );
    let dir = out_dir("mermaid");
    let mut cases = Vec::new();
    for (name, model, s) in every_session() {
        let path = dir.join(format!("{name}-{s}.mmd"));
        let bytes = export::ladder_bytes(&model, &Scope::Session(s), Format::Mermaid).expect("mmd");
        std::fs::write(&path, &bytes).expect("written");
        cases.push((
            path,
            Ladder::build(&model, &Scope::Session(s)).expect("ladder"),
        ));
    }
    let mut args = vec![checker.join("check.mjs").display().to_string()];
    args.extend(cases.iter().map(|(p, _)| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run("node", &args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "mermaid: {}{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON from the checker"))
        .collect();
    assert_eq!(parsed.len(), cases.len());
    for ((path, ladder), read) in cases.iter().zip(&parsed) {
        assert_eq!(read["type"], "sequence", "{}", path.display());
        let participants: Vec<(String, String)> = read["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
            .collect();
        let lanes: Vec<(String, String)> = ladder
            .lanes
            .iter()
            .map(|l| (l.id.clone(), format!("{} {}", l.role(), l.address)))
            .collect();
        assert_eq!(participants, lanes, "{}", path.display());
        // Mermaid's message types: 0 solid arrow, 1 dotted arrow, 2 note, 4 dotted cross.
        let arrows: Vec<(String, String, u64, String)> = read["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["type"] != 2)
            .map(|m| {
                (
                    m["from"].as_str().unwrap().into(),
                    m["to"].as_str().unwrap().into(),
                    m["type"].as_u64().unwrap(),
                    m["text"].as_str().unwrap().into(),
                )
            })
            .collect();
        let wanted: Vec<(String, String, u64, String)> = ladder
            .messages()
            .map(|m| {
                let kind = match (m.kind, m.failed) {
                    (rtsp_inspector::model::MessageKind::Request, _) => 0,
                    (_, false) => 1,
                    (_, true) => 4,
                };
                let mut text = m.arrow_text();
                if !m.findings.is_empty() {
                    text.push_str(" ⚠");
                }
                (
                    ladder.lanes[m.from_lane].id.clone(),
                    ladder.lanes[m.to_lane].id.clone(),
                    kind,
                    text,
                )
            })
            .collect();
        assert_eq!(arrows, wanted, "{}", path.display());
        let notes = read["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["type"] == 2)
            .count();
        let changes = ladder.messages().filter(|m| !m.changes.is_empty()).count();
        assert!(
            notes >= changes,
            "{}: a note per state change",
            path.display()
        );
    }
}

/// (request or status line) of each RTSP message tshark finds in a file.
fn tshark_rtsp(file: &Path, server_port: u16, filter: &str) -> Vec<String> {
    let decode = format!("tcp.port=={server_port},rtsp");
    let filter = if filter.is_empty() {
        "rtsp.request || rtsp.response".to_string()
    } else {
        format!("(rtsp.request || rtsp.response) && ({filter})")
    };
    let output = run(
        "tshark",
        &[
            "-n",
            "-r",
            file.to_str().unwrap(),
            "-d",
            &decode,
            "-Y",
            &filter,
            "-T",
            "fields",
            "-e",
            "rtsp.request",
            "-e",
            "rtsp.response",
            "-e",
            "rtsp.session",
        ],
    );
    assert!(
        output.status.success(),
        "tshark on {}: {}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn tshark_count(file: &Path, filter: &str) -> usize {
    let output = run(
        "tshark",
        &[
            "-n",
            "-r",
            file.to_str().unwrap(),
            "-Y",
            filter,
            "-T",
            "fields",
            "-e",
            "frame.number",
        ],
    );
    assert!(output.status.success());
    String::from_utf8_lossy(&output.stdout).lines().count()
}

fn export_pcapng(path: &Path, model: &Model, session: usize, out: &Path) -> export::Summary {
    let open = || CaptureReader::open(path);
    export::export_to_file(
        model,
        &Scope::Session(session),
        Format::Pcapng,
        &open,
        Credentials::Masked,
        out,
    )
    .expect("pcapng export")
}

/// tshark reads each exported session back with the same RTSP messages as the original
/// capture has on the session's connections; our own engine finds the same session in it.
#[test]
fn pcapng_reads_back_in_tshark_with_the_same_messages() {
    let dir = out_dir("pcapng");
    let mut cases: Vec<PathBuf> = BUNDLED.iter().map(|n| capture(n)).collect();
    // Three clients at once: each session's file has its own connection and media only.
    let three = shared("11_concurrent-3-clients_gst.pcapng");
    if three.exists() {
        cases.push(three);
    }
    for path in cases {
        let model = model(&path);
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for (s, session) in model.sessions.iter().enumerate() {
            let out = dir.join(format!("{}-{s}.pcapng", stem(&name)));
            let summary = export_pcapng(&path, &model, s, &out);
            let port: u16 = session
                .server
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("a server port");
            let streams: Vec<String> = session.connections.iter().map(u32::to_string).collect();
            let original = tshark_rtsp(
                &path,
                port,
                &format!("tcp.stream in {{{}}}", streams.join(" ")),
            );
            let exported = tshark_rtsp(&out, port, "");
            assert!(!exported.is_empty(), "{name} session {s}");
            assert_eq!(exported, original, "{name} session {s}: {}", summary.what);

            // Its media: every UDP datagram the engine counted for the session is in the file.
            let udp = tshark_count(&out, "udp");
            let counted = (session.media.rtp_packets + session.media.rtcp_packets) as usize;
            let interleaved = session.transports.iter().any(|t| t.contains("interleaved"));
            if !interleaved {
                assert_eq!(udp, counted, "{name} session {s}: UDP media");
            }
            // And our own engine sees the same story in it.
            let again = engine::analyze_file(&out).expect("the export reads");
            let theirs = again
                .sessions
                .iter()
                .find(|x| x.session_id == session.session_id)
                .expect("the session is in the export");
            let labels = |m: &Model, list: &[usize]| -> Vec<String> {
                list.iter().map(|&i| m.messages[i].label()).collect()
            };
            assert_eq!(
                labels(&again, &theirs.messages),
                labels(&model, &session.messages),
                "{name} session {s}"
            );
            assert_eq!(theirs.client_path, session.client_path);
            assert_eq!(theirs.server_path, session.server_path);
        }
    }
}

/// The exported frames keep their original times and link type.
#[test]
fn pcapng_keeps_times_and_link_types() {
    let path = capture("02_ffmpeg-udp-av_gst.pcap");
    let model = model(&path);
    let out = out_dir("pcapng-times").join("02.pcapng");
    export_pcapng(&path, &model, 0, &out);
    let fields = |file: &Path| -> BTreeSet<String> {
        let output = run(
            "tshark",
            &[
                "-n",
                "-r",
                file.to_str().unwrap(),
                "-T",
                "fields",
                "-e",
                "frame.time_epoch",
                "-e",
                "frame.len",
                "-e",
                "frame.cap_len",
                "-e",
                "eth.type",
            ],
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    let exported = fields(&out);
    let original = fields(&path);
    assert!(!exported.is_empty());
    assert!(
        exported.is_subset(&original),
        "times, lengths and link layer as in the original"
    );
}

#[test]
fn cli_exports_and_names_the_sessions_when_it_must() {
    let dir = out_dir("cli");
    let bin = env!("CARGO_BIN_EXE_rtsp-inspector");
    let out = dir.join("02.mmd");
    let output = Command::new(bin)
        .args(["export"])
        .arg(capture("02_ffmpeg-udp-av_gst.pcap"))
        .args(["--format", "mermaid", "-o"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&out).expect("written");
    assert!(text.starts_with("sequenceDiagram\n"), "{text}");
    assert!(text.contains("C->>S: PLAY · CSeq 5"), "{text}");
    assert!(
        text.contains("Note over C,S: client Ready → Playing, server Ready → Playing"),
        "{text}"
    );

    // By Session ID, to pcapng.
    let model = model(&capture("10_scripted-errors_gst.pcapng"));
    let id = model.sessions[0].session_id.clone();
    let out = dir.join("10.pcapng");
    let output = Command::new(bin)
        .arg("export")
        .arg(capture("10_scripted-errors_gst.pcapng"))
        .args(["--session", &id, "--format", "pcapng", "-o"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(std::fs::metadata(&out).expect("written").len() > 1000);

    // A session that is not there: the list to choose from, and no file.
    let out = dir.join("none.svg");
    let output = Command::new(bin)
        .arg("export")
        .arg(capture("10_scripted-errors_gst.pcapng"))
        .args(["--session", "nope", "--format", "svg", "-o"])
        .arg(&out)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&id) && stderr.contains("no session \"nope\""),
        "{stderr}"
    );
    assert!(!out.exists());

    // Several sessions and none chosen: the list.
    let three = shared("11_concurrent-3-clients_gst.pcapng");
    if three.exists() {
        let output = Command::new(bin)
            .arg("export")
            .arg(&three)
            .args(["--format", "svg", "-o"])
            .arg(dir.join("x.svg"))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2));
        assert!(stderr.contains("choose one with --session"), "{stderr}");
        assert_eq!(
            stderr.lines().filter(|l| l.contains("rtsp://")).count(),
            3,
            "{stderr}"
        );
    }
}

/// The ladder has what the window's has: a media band after PLAY's reply on 02, and on 09 the
/// server's timeout as a row of its own.
#[test]
fn ladder_rows_match_the_window() {
    let model2 = model(&capture("02_ffmpeg-udp-av_gst.pcap"));
    let ladder = Ladder::build(&model2, &Scope::Session(0)).expect("ladder");
    let media = ladder
        .rows
        .iter()
        .position(|r| matches!(r, Row::Media(_)))
        .expect("a media band");
    match &ladder.rows[media - 1] {
        Row::Message(m) => assert_eq!(m.label, "200 OK"),
        other => panic!("{other:?}"),
    }
    let model9 = model(&capture(
        "09_session-timeout_gst-rtspsrc-udp-stopped_gst.pcapng",
    ));
    let ladder = Ladder::build(&model9, &Scope::Session(0)).expect("ladder");
    assert!(
        ladder
            .rows
            .iter()
            .any(|r| matches!(r, Row::Event { cause, .. } if cause.contains("timeout"))),
        "the server's timeout"
    );
    let mermaid = export::mermaid::render(&ladder);
    assert!(
        mermaid.contains("Note over S: server Playing → Init"),
        "{mermaid}"
    );
}

/// The window: a right-click on a session offers the exports; where no save dialog can open,
/// the path field takes over, and the file is written.
#[cfg(feature = "gui")]
mod window {
    use std::time::{Duration, Instant};

    use eframe::egui;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;
    use rtsp_inspector::ui::app::{InspectorApp, Settings};
    use rtsp_inspector::ui::sessions::session_label;
    use rtsp_inspector::ui::{Command, Source};

    use super::*;

    fn harness(app: InspectorApp) -> Harness<'static, InspectorApp> {
        Harness::builder()
            .with_size(egui::vec2(1280.0, 800.0))
            .with_max_steps(12)
            .build_ui_state(|ui, app: &mut InspectorApp| app.ui_root(ui), app)
    }

    fn loaded(name: &str) -> Harness<'static, InspectorApp> {
        let mut app = InspectorApp::empty(Settings::default());
        app.push_command(Command::Open(Source::File(capture(name))));
        let mut harness = harness(app);
        let deadline = Instant::now() + Duration::from_secs(120);
        harness.step();
        while harness.state().is_loading() {
            assert!(Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(5));
            harness.step();
        }
        harness.step();
        harness
    }

    fn step_until(
        harness: &mut Harness<'_, InspectorApp>,
        what: &str,
        done: impl Fn(&Harness<'_, InspectorApp>) -> bool,
    ) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done(harness) {
            assert!(Instant::now() < deadline, "waited too long for {what}");
            std::thread::sleep(Duration::from_millis(20));
            harness.step();
        }
    }

    /// Menus and modals open a frame or two after the click.
    fn settle(harness: &mut Harness<'_, InspectorApp>) {
        for _ in 0..4 {
            harness.step();
        }
    }

    fn no_dialog_here() -> bool {
        let has_zenity = std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join("zenity").exists())
        });
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() && !has_zenity
    }

    #[test]
    fn right_click_a_session_and_export_its_ladder() {
        if !no_dialog_here() {
            eprintln!("skipped: a real save dialog could open here");
            return;
        }
        let mut harness = loaded("02_ffmpeg-udp-av_gst.pcap");
        let id = harness.state().model().sessions[0].session_id.clone();
        harness
            .get_by_role_and_label(egui::Role::Button, &session_label(&id))
            .click_secondary();
        settle(&mut harness);
        harness.get_by_label("Export ladder as SVG…").click();
        step_until(&mut harness, "the path field", |h| {
            h.query_by_label_contains("No file dialog is available here")
                .is_some()
        });
        let out = out_dir("window-svg").join("ladder.svg");
        harness
            .get_by_role_and_label(egui::Role::TextInput, "File to write")
            .set_text_value_accesskit(&out.display().to_string());
        settle(&mut harness);
        harness.get_by_label("Export").click();
        step_until(&mut harness, "the export", |h| {
            h.query_by_label("Exported").is_some()
        });
        let svg = std::fs::read_to_string(&out).expect("the window wrote the file");
        assert!(svg.contains("PLAY · CSeq 5"));
        harness.get_by_label("OK").click();
        settle(&mut harness);
        assert!(harness.query_by_label("Exported").is_none());
    }

    #[test]
    fn file_export_writes_a_pcapng_of_the_session() {
        let mut harness = loaded("10_scripted-errors_gst.pcapng");
        harness.get_by_label("File").click();
        settle(&mut harness);
        harness.get_by_label("Export…").click();
        settle(&mut harness);
        harness
            .get_by_label("pcapng: the frames themselves, for Wireshark")
            .click();
        settle(&mut harness);
        harness.get_by_label("Type a path…").click();
        settle(&mut harness);
        let out = out_dir("window-pcapng").join("session.pcapng");
        harness
            .get_by_role_and_label(egui::Role::TextInput, "File to write")
            .set_text_value_accesskit(&out.display().to_string());
        settle(&mut harness);
        harness.get_by_label("Export").click();
        step_until(&mut harness, "the export", |h| {
            h.query_by_label("Exported").is_some()
        });
        harness.get_by_label_contains("packets (");
        let model = engine::analyze_file(&out).expect("the export reads");
        assert_eq!(model.sessions.len(), 1);
        assert_eq!(
            model.sessions[0].session_id,
            harness.state().model().sessions[0].session_id
        );
    }
}
