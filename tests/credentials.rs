//! Credentials are masked in the model, so in the window, the reports and the ladder exports,
//! unless the user asks for them (`--reveal-credentials`, View → Reveal credentials). Checked on
//! real captures: a Basic-auth session (GStreamer's rtspsrc and server, bundled) and a Digest
//! one (ffmpeg and GStreamer's server, shared), against the header lines in the capture's bytes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use rtsp_inspector::engine::{Credentials, analyze_file_with};
use rtsp_inspector::model::Model;

const BASIC: &str = "captures/07_auth-basic_gst-rtspsrc-udp_gst.pcapng";
/// `user:secret` in base64, as rtspsrc sent it.
const BASIC_SECRET: &str = "dXNlcjpzZWNyZXQ=";

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn digest_capture() -> PathBuf {
    repo("../shared/captures/06_auth-digest_ffmpeg_gst.pcapng")
}

/// Every `Authorization:` value in the capture's bytes (each header line of these captures is
/// in one packet, in the clear).
fn authorization_lines(capture: &Path) -> BTreeSet<String> {
    let bytes = std::fs::read(capture).expect("the capture");
    let text = String::from_utf8_lossy(&bytes);
    text.split("\r\n")
        .filter_map(|line| line.split_once("Authorization: "))
        .map(|(_, value)| value.to_string())
        .collect()
}

fn authorization_headers(model: &Model) -> BTreeSet<String> {
    model
        .messages
        .iter()
        .flat_map(|m| &m.headers)
        .filter(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .map(|(_, value)| value.to_string())
        .collect()
}

#[test]
fn basic_credentials_are_masked_unless_revealed() {
    let capture = repo(BASIC);
    let sent = authorization_lines(&capture);
    assert_eq!(sent, BTreeSet::from([format!("Basic {BASIC_SECRET}")]));

    let masked = analyze_file_with(&capture, Credentials::Masked).expect("reads");
    assert_eq!(
        authorization_headers(&masked),
        BTreeSet::from(["Basic ********".to_string()])
    );
    let revealed = analyze_file_with(&capture, Credentials::Revealed).expect("reads");
    assert_eq!(authorization_headers(&revealed), sent);
    // Only the credentials differ: the analysis is the same.
    assert_eq!(masked.messages.len(), revealed.messages.len());
    assert_eq!(
        masked.sessions[0].client_path,
        revealed.sessions[0].client_path
    );
    assert_eq!(masked.findings.len(), revealed.findings.len());
}

#[test]
fn a_digest_response_is_masked_and_the_rest_kept_unless_revealed() {
    let capture = digest_capture();
    let sent = authorization_lines(&capture);
    // ffprobe's DESCRIBE with a wrong password, then ffmpeg's five requests with the right one.
    assert_eq!(sent.len(), 6);

    let masked =
        authorization_headers(&analyze_file_with(&capture, Credentials::Masked).expect("reads"));
    let revealed =
        authorization_headers(&analyze_file_with(&capture, Credentials::Revealed).expect("reads"));
    assert_eq!(revealed, sent);
    for value in &sent {
        let (before, after) = value.split_once("response=\"").expect("a response");
        let hash = after.split('"').next().unwrap_or_default();
        assert_eq!(hash.len(), 32, "an MD5 hash: {value}");
        let expected = format!("{before}response=\"********\"{}", &after[hash.len() + 1..]);
        assert!(masked.contains(&expected), "{expected} in {masked:?}");
        assert!(masked.iter().all(|m| !m.contains(hash)));
    }
}

fn rtsp_inspector(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_rtsp-inspector"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_command_line_reveals_only_when_asked() {
    for format in ["text", "json"] {
        let masked = rtsp_inspector(&["report", "--format", format, BASIC]);
        assert!(
            !masked.contains(BASIC_SECRET),
            "{format}: masked by default"
        );
    }
    let explained = rtsp_inspector(&["report", "--explain", BASIC]);
    assert!(!explained.contains(BASIC_SECRET));
    assert!(
        explained.contains("Basic ********"),
        "the walk-through shows the mask"
    );

    // Before or after the subcommand, the flag is the same.
    let json = rtsp_inspector(&["report", "--format", "json", "--reveal-credentials", BASIC]);
    assert!(json.contains(&format!("Basic {BASIC_SECRET}")));
    let explained = rtsp_inspector(&["--reveal-credentials", "report", "--explain", BASIC]);
    assert!(explained.contains(&format!("Authorization: Basic {BASIC_SECRET}")));
    assert!(explained.contains("decode the value and the password is there"));

    // The live path (a capture replayed through it) follows the same flag.
    let live = |extra: &[&str]| {
        let mut args = vec!["live", "--replay", BASIC, "--format", "json"];
        args.extend(extra);
        rtsp_inspector(&args)
    };
    let masked = live(&[]);
    assert!(masked.contains("Basic ********") && !masked.contains(BASIC_SECRET));
    assert!(live(&["--reveal-credentials"]).contains(BASIC_SECRET));
}

/// The frames of the session as the pcapng export writes them, and what the engine then reads
/// in them with nothing masked.
fn export_pcapng(capture: &Path, reveal: bool) -> (Vec<u8>, Model) {
    let out = std::env::temp_dir().join(format!(
        "credentials-{}-{}-{reveal}.pcapng",
        std::process::id(),
        capture.file_stem().and_then(|s| s.to_str()).unwrap_or("x")
    ));
    let capture_arg = capture.display().to_string();
    let out_arg = out.display().to_string();
    let mut args = vec!["export", &capture_arg, "--format", "pcapng", "-o", &out_arg];
    if capture.ends_with("06_auth-digest_ffmpeg_gst.pcapng") {
        args.extend(["--connection", "1"]);
    }
    if reveal {
        args.push("--reveal-credentials");
    }
    rtsp_inspector(&args);
    let bytes = std::fs::read(&out).expect("the export");
    let model = analyze_file_with(&out, Credentials::Revealed).expect("the export reads");
    let _ = std::fs::remove_file(&out);
    (bytes, model)
}

#[test]
fn a_pcapng_export_masks_credentials_byte_for_byte_unless_revealed() {
    for capture in [repo(BASIC), digest_capture()] {
        let original = analyze_file_with(&capture, Credentials::Revealed).expect("reads");
        let sent = authorization_lines(&capture);
        let (masked_bytes, masked) = export_pcapng(&capture, false);
        let (revealed_bytes, revealed) = export_pcapng(&capture, true);
        // Same frames, same lengths: only credential bytes differ.
        assert_eq!(masked_bytes.len(), revealed_bytes.len());
        assert_eq!(masked.messages.len(), revealed.messages.len());
        let seen_masked = authorization_headers(&masked);
        assert!(!seen_masked.is_empty());
        // What the window shows of the same headers, the mask spelt the export's way (each
        // byte a `*`: the response and its quotes).
        let window = authorization_headers(
            &analyze_file_with(&capture, Credentials::Masked).expect("reads"),
        );
        for value in &seen_masked {
            match value.split_once(' ') {
                Some(("Basic", credential)) => {
                    assert!(credential.bytes().all(|b| b == b'*'), "{value}")
                }
                Some(("Digest", _)) => {
                    let (kept, response) = value
                        .split_once("response=")
                        .unwrap_or_else(|| panic!("no response: {value}"));
                    assert_eq!(response, "*".repeat(34), "an MD5 hash in quotes: {value}");
                    let as_in_window = format!("{kept}response=\"********\"");
                    assert!(window.contains(&as_in_window), "{as_in_window}");
                }
                _ => panic!("an unexpected Authorization: {value}"),
            }
        }
        let seen_revealed = authorization_headers(&revealed);
        assert!(seen_revealed.is_subset(&sent), "{seen_revealed:?}");
        assert!(
            authorization_headers(&original).is_superset(&seen_revealed),
            "the export's credentials are the capture's"
        );
        for value in &sent {
            let credential = value.split_once(' ').map(|(_, c)| c).unwrap_or_default();
            assert!(
                !masked_bytes
                    .windows(credential.len())
                    .any(|w| w == credential.as_bytes()),
                "{credential} is in the masked export"
            );
        }
        // The masked messages are the same messages: same requests, same states.
        assert_eq!(
            masked.sessions.first().map(|s| &s.client_path),
            revealed.sessions.first().map(|s| &s.client_path)
        );
    }
}
