//! The command line around the window: with no display, `rtsp-inspector CAPTURE` says so and
//! prints the report; with no capture either, it says what to do and fails.

use std::path::Path;
use std::process::Command;

fn without_display() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rtsp-inspector"));
    command
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

const CAPTURE: &str = "captures/10_scripted-errors_gst.pcapng";

#[test]
fn no_display_prints_the_report_instead() {
    let output = without_display()
        .arg(CAPTURE)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("no display: printing the report instead"),
        "{stderr}"
    );
    let report = Command::new(env!("CARGO_BIN_EXE_rtsp-inspector"))
        .args(["report", CAPTURE])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    assert_eq!(
        stdout,
        String::from_utf8_lossy(&report.stdout),
        "the same report as `report CAPTURE`"
    );
}

#[test]
fn no_display_and_no_capture_fails_with_a_word() {
    let output = without_display().output().expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no display"), "{stderr}");
    assert!(stderr.contains("rtsp-inspector report CAPTURE"), "{stderr}");
}

#[test]
fn no_display_and_a_missing_capture_fails() {
    let output = without_display()
        .arg("/nonexistent/capture.pcapng")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_report_subcommand_is_unchanged() {
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join(CAPTURE).exists());
    let output = Command::new(env!("CARGO_BIN_EXE_rtsp-inspector"))
        .args(["report", CAPTURE, "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the report is JSON");
    assert!(json.get("sessions").is_some());
}
