//! The report on every real capture in ../shared/captures agrees with tshark's view of it (the
//! same RTSP messages in the same frames; method, status, URL and Session agree) and with the
//! hand-checked paths of both state machines. The shared `check_report.py` is run as well, so the
//! figures are the ones anybody can reproduce with it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rtsp_inspector::engine::analyze_file;
use rtsp_inspector::model::{MessageKind, Model};

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures")
}

fn captures() -> Vec<PathBuf> {
    let mut found = Vec::new();
    for dir in [shared(), shared().join("third-party")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".pcap") || name.ends_with(".pcapng") {
                found.push(path);
            }
        }
    }
    found.sort();
    assert!(
        !found.is_empty(),
        "no captures under {}",
        shared().display()
    );
    found
}

/// One RTSP message as tshark shows it: (frame, "request"/"response", method or status, URL).
type Seen = (u64, &'static str, String);

/// tshark's rows: one per frame, with `|` joining the values of several messages in a frame.
/// Values of one field per frame.
type PerFrame = BTreeMap<u64, Vec<String>>;

fn tshark_messages(tsv: &Path) -> (Vec<Seen>, PerFrame, PerFrame) {
    let text = std::fs::read_to_string(tsv).expect("tsv");
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).expect(name);
    let (frame_col, method_col, status_col, url_col, session_col) = (
        col("frame.number"),
        col("rtsp.method"),
        col("rtsp.status"),
        col("rtsp.url"),
        col("rtsp.session"),
    );
    let mut seen = Vec::new();
    let mut urls = BTreeMap::new();
    let mut sessions = BTreeMap::new();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        let field = |i: usize| fields.get(i).copied().unwrap_or("");
        let frame: u64 = field(frame_col).parse().expect("frame number");
        let split = |s: &str| -> Vec<String> {
            s.split(['|', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        for method in split(field(method_col)) {
            seen.push((frame, "request", method));
        }
        for status in split(field(status_col)) {
            seen.push((frame, "response", status));
        }
        urls.insert(frame, split(field(url_col)));
        sessions.insert(
            frame,
            split(field(session_col))
                .into_iter()
                .map(|s| s.split(';').next().unwrap_or("").trim().to_string())
                .collect(),
        );
    }
    (seen, urls, sessions)
}

fn our_messages(model: &Model) -> Vec<Seen> {
    model
        .messages
        .iter()
        .map(|m| match m.kind {
            MessageKind::Request => (
                m.frame,
                "request",
                m.method.as_deref().unwrap_or_default().to_string(),
            ),
            MessageKind::Response => (
                m.frame,
                "response",
                m.status.map(|s| s.to_string()).unwrap_or_default(),
            ),
        })
        .collect()
}

fn multiset_difference(a: &[Seen], b: &[Seen]) -> Vec<Seen> {
    let mut rest = b.to_vec();
    let mut out = Vec::new();
    for item in a {
        match rest.iter().position(|r| r == item) {
            Some(i) => {
                rest.swap_remove(i);
            }
            None => out.push(item.clone()),
        }
    }
    out.sort();
    out
}

/// Captures where tshark and we disagree on purpose, and why. Empty: every shared capture
/// agrees fully. A capture added here must say what differs and why tshark is wrong.
const EXPLAINED: &[(&str, &str)] = &[];

fn explained(capture: &str) -> Option<&'static str> {
    EXPLAINED
        .iter()
        .find(|(name, _)| *name == capture)
        .map(|(_, why)| *why)
}

#[test]
fn every_shared_capture_agrees_with_tshark_and_the_expected_state_paths() {
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for capture in captures() {
        let name = capture
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let tsv = PathBuf::from(format!("{}.tshark.tsv", capture.display()));
        let expected = capture.with_file_name(format!(
            "{}.expected.json",
            name.trim_end_matches(".pcapng").trim_end_matches(".pcap")
        ));
        let model = match analyze_file(&capture) {
            Ok(model) => model,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let (theirs, urls, sessions) = tshark_messages(&tsv);
        let ours = our_messages(&model);
        let missing = multiset_difference(&theirs, &ours);
        let extra = multiset_difference(&ours, &theirs);

        // URL and Session of each message agree with tshark's on the same frame.
        let mut field_mismatches = Vec::new();
        for m in &model.messages {
            if let (Some(url), Some(theirs)) = (&m.url, urls.get(&m.frame))
                && !theirs
                    .iter()
                    .any(|t| t == url || url.starts_with(t.as_str()))
                && !url.contains("********")
            {
                field_mismatches.push(format!("frame {} url {url:?} vs {theirs:?}", m.frame));
            }
            if let (Some(session), Some(theirs)) = (&m.session, sessions.get(&m.frame))
                && !theirs.iter().any(|t| t == session)
            {
                field_mismatches.push(format!(
                    "frame {} session {session:?} vs {theirs:?}",
                    m.frame
                ));
            }
        }

        let json = serde_json::to_string(&model).expect("json");
        let report_path =
            std::env::temp_dir().join(format!("rtsp-inspector-agreement-{name}.json"));
        std::fs::write(&report_path, json).expect("write report");
        let checker = shared().join("tools/check_report.py");
        let mut command = Command::new("python3");
        command.arg(&checker).arg(&report_path).arg(&tsv);
        if expected.exists() {
            command.arg(&expected);
        }
        let output = command.output().expect("python3 runs check_report.py");
        let stdout = String::from_utf8_lossy(&output.stdout).to_string();
        let last = stdout.lines().last().unwrap_or("").to_string();
        summary.push(format!("{name:<60} {last}"));
        let agrees = output.status.success()
            && missing.is_empty()
            && extra.is_empty()
            && field_mismatches.is_empty();
        match (agrees, explained(&name)) {
            (true, None) => {}
            (true, Some(_)) => failures.push(format!("{name}: now agrees fully; remove its explanation")),
            (false, Some(_)) => {}
            (false, None) => failures.push(format!(
                "{name}: {last}\n{stdout}  missing {missing:?}\n  extra {extra:?}\n  fields {field_mismatches:?}"
            )),
        }
    }
    println!("{}", summary.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
