//! Hostile captures: every case of `tools/make-bad-captures.py` — a real capture from
//! `../shared/captures` with one thing broken, or a synthetic flood — run through the real
//! binary as a user would (`rtsp-inspector report F --format json`).
//!
//! Each test checks that the run ends within a time bound (killed after it: failure), exits 0
//! (2 with a message for a file that is no capture at all) without a panic, stays under a memory
//! cap (the child's peak RSS, measured by GNU time), raises the finding that names the damage
//! with its frame, and still reports what was valid before and after the damage: the report of
//! the original capture is the reference, message by message and finding by finding, through
//! the frame map the script writes (where each original frame went).
//!
//! The captures are generated at test time into a folder under `CARGO_TARGET_TMPDIR`, so nothing
//! committed can go stale. The three large synthetic cases (a million pipelined requests,
//! 100 000 connections each with a hole, a million SYNs) are one test, `heavy_floods`:
//!
//! ```sh
//! cargo test --release --test bad_inputs heavy -- --nocapture
//! ```
//!
//! Every run prints a row — case, peak RSS, wall time, exit status, findings by code and frame —
//! visible with `cargo test --test bad_inputs -- --nocapture`.
//!
//! Linux only (process groups, /proc, GNU time).
#![cfg(target_os = "linux")]

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde::de::IgnoredAny;

/// Longest a normal case may run (debug build, two busy cores): far above what any takes.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Peak resident memory allowed to one run on a normal case.
const RSS_CAP_MIB: u64 = 200;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn shared_captures() -> PathBuf {
    repo().join("../shared/captures")
}

// ------------------------------------------------------------------------------------------
// Running the binary: exit status, output, peak RSS and wall time, with a time limit

/// GNU time measures the peak RSS exactly: it forks a small copy of itself that execs the
/// inspector, and `wait4` gives that child's own high-water mark. (Our own `wait4` on a child of
/// this test process would report at least the RSS of the test process it was forked from:
/// Linux keeps the larger of the pre- and post-exec marks.) Without it, /proc is polled.
const GNU_TIME: &str = "/usr/bin/time";

unsafe extern "C" {
    fn kill(pid: i32, signal: i32) -> i32;
}

const SIGKILL: i32 = 9;

struct Run {
    case: String,
    exit: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    stdout: Vec<u8>,
    stderr: String,
    peak_rss_kib: u64,
    rss_how: &'static str,
    wall: Duration,
}

/// VmHWM of a running process, in KiB.
fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `rtsp-inspector report CAPTURE --format json` (through GNU time when installed, in a
/// process group of its own so that a timeout kills all of it); stdout is kept in memory, or
/// written to `stdout_file` for the floods whose report is hundreds of megabytes.
fn run_report(case: &str, capture: &Path, timeout: Duration, stdout_file: Option<&Path>) -> Run {
    static RUNS: AtomicU32 = AtomicU32::new(0);
    let inspector = env!("CARGO_BIN_EXE_rtsp-inspector");
    let rss_file = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "bad-inputs-rss-{}-{}.txt",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    let timed = Path::new(GNU_TIME).exists();
    let mut command = if timed {
        let mut command = Command::new(GNU_TIME);
        command
            .args(["-f", "%M", "-o"])
            .arg(&rss_file)
            .arg(inspector);
        command
    } else {
        Command::new(inspector)
    };
    command
        .arg("report")
        .arg(capture)
        .args(["--format", "json"])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    match stdout_file {
        Some(path) => command.stdout(File::create(path).expect("report file")),
        None => command.stdout(Stdio::piped()),
    };
    let start = Instant::now();
    let mut child = command.spawn().expect("running rtsp-inspector");
    let pid = child.id();
    let drain = |stream: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut stream) = stream {
                let _ = stream.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let out = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let mut timed_out = false;
    let mut polled_kib = 0;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for rtsp-inspector") {
            break status;
        }
        if !timed {
            polled_kib = polled_kib.max(vm_hwm_kib(pid).unwrap_or(0));
        }
        if start.elapsed() >= timeout {
            timed_out = true;
            // SAFETY: kill(2) on the process group we created for this run.
            unsafe { kill(-(pid as i32), SIGKILL) };
            break child.wait().expect("the killed rtsp-inspector");
        }
        thread::sleep(Duration::from_millis(5));
    };
    let wall = start.elapsed();
    let (mut exit, mut signal) = (status.code(), status.signal());
    let mut peak_rss_kib = polled_kib;
    if timed {
        // GNU time's report: "Command terminated by signal N" or "Command exited with non-zero
        // status N" when so, then the peak RSS in KiB.
        let report = std::fs::read_to_string(&rss_file).unwrap_or_default();
        let _ = std::fs::remove_file(&rss_file);
        for line in report.lines() {
            if let Some(n) = line.strip_prefix("Command terminated by signal ") {
                (exit, signal) = (None, n.trim().parse().ok());
            } else if let Ok(kib) = line.trim().parse() {
                peak_rss_kib = kib;
            }
        }
    }
    Run {
        case: case.to_string(),
        exit,
        signal,
        timed_out,
        stdout: out.join().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
        peak_rss_kib,
        rss_how: if timed { "" } else { " (polled)" },
        wall,
    }
}

impl Run {
    /// The row of the table: case, peak RSS, wall time, exit, findings by code (first frames).
    fn print_row(&self, findings: &[Finding]) {
        let mut by_code: BTreeMap<&str, Vec<Option<u64>>> = BTreeMap::new();
        for f in findings {
            by_code.entry(&f.code).or_default().push(f.frame);
        }
        let summary: Vec<String> = by_code
            .iter()
            .map(|(code, frames)| {
                let shown: Vec<String> = frames
                    .iter()
                    .take(3)
                    .map(|f| f.map_or("-".into(), |f| f.to_string()))
                    .collect();
                let more = if frames.len() > 3 { ",…" } else { "" };
                format!("{code}×{} @{}{more}", frames.len(), shown.join(","))
            })
            .collect();
        let exit = match (self.exit, self.signal, self.timed_out) {
            (_, _, true) => "killed (timeout)".to_string(),
            (Some(code), _, _) => format!("exit {code}"),
            (None, Some(signal), _) => format!("signal {signal}"),
            _ => "?".into(),
        };
        println!(
            "bad-input | {:<28} | {:>7.1} MiB{} | {:>7.2} s | {:<6} | {}",
            self.case,
            self.peak_rss_kib as f64 / 1024.0,
            self.rss_how,
            self.wall.as_secs_f64(),
            exit,
            if summary.is_empty() {
                "no findings".into()
            } else {
                summary.join("; ")
            }
        );
    }

    /// Ended in time, no panic, the expected exit status, under the memory cap.
    fn assert_sound(&self, expected_exit: i32, rss_cap_mib: u64) {
        let case = &self.case;
        assert!(
            !self.timed_out,
            "{case}: still running after {:?}: killed",
            self.wall
        );
        assert!(
            !self.stderr.contains("panicked"),
            "{case}: the inspector panicked:\n{}",
            self.stderr
        );
        assert_eq!(
            (self.exit, self.signal),
            (Some(expected_exit), None),
            "{case}: exit status (code, signal); stderr:\n{}",
            self.stderr
        );
        assert!(
            self.peak_rss_kib < rss_cap_mib * 1024,
            "{case}: peak RSS {:.1} MiB, over the {rss_cap_mib} MiB cap",
            self.peak_rss_kib as f64 / 1024.0
        );
    }

    /// Runs the checks of a capture that must be read (exit 0) and returns its report.
    fn report(&self) -> Report {
        let report: Option<Report> = serde_json::from_slice(&self.stdout).ok();
        self.print_row(report.as_ref().map_or(&[], |r| &r.findings));
        self.assert_sound(0, RSS_CAP_MIB);
        report.unwrap_or_else(|| {
            panic!(
                "{}: the report is not the JSON model: {:?}",
                self.case,
                String::from_utf8_lossy(&self.stdout[..self.stdout.len().min(300)])
            )
        })
    }
}

// ------------------------------------------------------------------------------------------
// The report (the fields these tests read; see src/model.rs)

#[derive(Debug, Deserialize)]
struct Report {
    capture: CaptureInfo,
    connections: Vec<Connection>,
    messages: Vec<Msg>,
    sessions: Vec<Session>,
    findings: Vec<Finding>,
}

#[derive(Debug, Deserialize)]
struct CaptureInfo {
    packets: u64,
    duration: f64,
    truncated: Option<String>,
    packets_not_decoded: u64,
}

#[derive(Debug, Deserialize)]
struct Connection {
    id: u64,
    client: String,
    server: String,
}

#[derive(Debug, Clone, Deserialize)]
struct Msg {
    frame: u64,
    direction: String,
    kind: String,
    method: Option<String>,
    status: Option<u64>,
    cseq: Option<u64>,
    complete: bool,
}

impl Msg {
    fn label(&self) -> String {
        format!(
            "frame {} {} {} cseq {:?}{}",
            self.frame,
            self.direction,
            self.method
                .clone()
                .or(self.status.map(|s| s.to_string()))
                .unwrap_or_else(|| "?".into()),
            self.cseq,
            if self.complete { "" } else { " (incomplete)" }
        )
    }

    fn same_as(&self, other: &Msg, frame: u64, compare_cseq: bool) -> bool {
        self.frame == frame
            && self.direction == other.direction
            && self.kind == other.kind
            && self.method == other.method
            && self.status == other.status
            && (!compare_cseq || self.cseq == other.cseq)
    }
}

#[derive(Debug, Deserialize)]
struct Session {
    client_path: Vec<String>,
    server_path: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Finding {
    code: String,
    text: String,
    frame: Option<u64>,
    connection: Option<u64>,
}

impl Report {
    fn paths(&self) -> Vec<(Vec<String>, Vec<String>)> {
        self.sessions
            .iter()
            .map(|s| (s.client_path.clone(), s.server_path.clone()))
            .collect()
    }

    fn all_findings(&self) -> String {
        self.findings
            .iter()
            .map(|f| format!("\n  {} @{:?}: {}", f.code, f.frame, f.text))
            .collect()
    }
}

// ------------------------------------------------------------------------------------------
// The generated captures and the reports of their originals

#[derive(Debug, Deserialize)]
struct Case {
    file: String,
    source: Option<String>,
    what: String,
    #[serde(default)]
    frame_map: Vec<Option<u64>>,
    #[serde(default)]
    bad_frames: Vec<u64>,
    #[serde(default)]
    packets: u64,
    #[serde(default)]
    packets_before: Option<u64>,
    #[serde(default)]
    new_value: Option<String>,
    #[serde(default)]
    flips: Vec<Flip>,
    #[serde(default)]
    tcp_headers_cut: u64,
    #[serde(default)]
    lost_bytes: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Flip {
    frame: u64,
    field: String,
    harmless: bool,
}

struct Generated {
    dir: PathBuf,
    cases: HashMap<String, Case>,
}

fn script() -> PathBuf {
    repo().join("tools/make-bad-captures.py")
}

/// Runs the script into `dir` (the given cases, or every normal one) and reads its manifest.
fn generate(dir: &Path, cases: &[&str]) -> HashMap<String, Case> {
    std::fs::create_dir_all(dir).expect("output folder");
    let output = Command::new("python3")
        .arg(script())
        .arg(dir)
        .args(cases)
        .arg("--captures")
        .arg(shared_captures())
        .output()
        .expect("python3 must be installed (scripts/setup installs it)");
    assert!(
        output.status.success(),
        "make-bad-captures.py failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let manifest = std::fs::read(dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_slice(&manifest).expect("manifest.json is valid")
}

/// A folder of its own under CARGO_TARGET_TMPDIR (several test runs may share the target dir);
/// folders left by runs that are gone are removed.
fn scratch(prefix: &str) -> PathBuf {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    if let Ok(entries) = std::fs::read_dir(base) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let pid = name
                .strip_prefix(prefix)
                .and_then(|p| p.parse::<u32>().ok());
            if pid.is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists()) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    base.join(format!("{prefix}{}", std::process::id()))
}

fn generated() -> &'static Generated {
    static GENERATED: OnceLock<Generated> = OnceLock::new();
    GENERATED.get_or_init(|| {
        let dir = scratch("bad-inputs-");
        let _ = std::fs::remove_dir_all(&dir);
        let cases = generate(&dir, &[]);
        Generated { dir, cases }
    })
}

fn case(name: &str) -> (&'static Case, PathBuf) {
    let generated = generated();
    let case = generated
        .cases
        .get(name)
        .unwrap_or_else(|| panic!("the script made no case {name}"));
    println!("{name}: {}", case.what);
    (case, generated.dir.join(&case.file))
}

/// The report of a capture of the shared set, as the same binary gives it (once per source).
fn original(source: &str) -> &'static Report {
    static REPORTS: OnceLock<Mutex<HashMap<String, &'static Report>>> = OnceLock::new();
    let reports = REPORTS.get_or_init(Default::default);
    if let Some(report) = reports.lock().unwrap().get(source) {
        return report;
    }
    let run = run_report(
        &format!("(original {source})"),
        &shared_captures().join(source),
        TIMEOUT,
        None,
    );
    let report: &'static Report = Box::leak(Box::new(run.report()));
    reports.lock().unwrap().insert(source.to_string(), report);
    report
}

fn run_case(name: &str) -> (&'static Case, Report) {
    let (case, path) = case(name);
    let run = run_report(name, &path, TIMEOUT, None);
    (case, run.report())
}

// ------------------------------------------------------------------------------------------
// Comparing with the original

/// Every message of the original for which `keep` holds is in `new` at the frame the frame map
/// gives, with the same direction, kind, method, status (and CSeq, unless `ignore_cseq` says
/// so for that message). Returns the messages of `new` that match none of the original's.
fn assert_messages_kept(
    name: &str,
    case: &Case,
    original: &Report,
    new: &Report,
    keep: impl Fn(&Msg) -> bool,
    ignore_cseq: impl Fn(&Msg) -> bool,
) -> Vec<Msg> {
    let mut unmatched: Vec<Option<&Msg>> = new.messages.iter().map(Some).collect();
    let mut missing = Vec::new();
    for m in original.messages.iter().filter(|m| keep(m)) {
        let Some(Some(frame)) = case.frame_map.get(m.frame as usize - 1).copied() else {
            continue;
        };
        let found = unmatched
            .iter_mut()
            .find(|n| n.is_some_and(|n| n.same_as(m, frame, !ignore_cseq(m))));
        match found {
            Some(slot) => *slot = None,
            None => missing.push(format!("{} (now frame {frame})", m.label())),
        }
    }
    assert!(
        missing.is_empty(),
        "{name}: {} of the original's messages are missing:\n  {}\nthe report has:\n  {}",
        missing.len(),
        missing.join("\n  "),
        new.messages
            .iter()
            .map(Msg::label)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
    unmatched.into_iter().flatten().cloned().collect()
}

fn assert_no_extra_messages(name: &str, extra: &[Msg]) {
    assert!(
        extra.is_empty(),
        "{name}: messages the original does not have:\n  {}",
        extra
            .iter()
            .map(Msg::label)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

/// Every finding of the original (whose frame still exists) is raised again at its mapped
/// frame; returns the findings of `new` that the original does not have.
fn findings_added<'a>(
    name: &str,
    case: &Case,
    original: &Report,
    new: &'a Report,
) -> Vec<&'a Finding> {
    let mut unmatched: Vec<Option<&Finding>> = new.findings.iter().map(Some).collect();
    let mut lost = Vec::new();
    for f in &original.findings {
        let frame = match f.frame {
            Some(frame) => match case.frame_map.get(frame as usize - 1).copied().flatten() {
                Some(mapped) => Some(mapped),
                None => continue,
            },
            None => None,
        };
        let found = unmatched
            .iter_mut()
            .find(|n| n.is_some_and(|n| n.code == f.code && n.frame == frame));
        match found {
            Some(slot) => *slot = None,
            None => lost.push(format!(
                "{} @{:?} (now {frame:?}): {}",
                f.code, f.frame, f.text
            )),
        }
    }
    assert!(
        lost.is_empty(),
        "{name}: findings of the original no longer raised:\n  {}\nthe report has:{}",
        lost.join("\n  "),
        new.all_findings()
    );
    unmatched.into_iter().flatten().collect()
}

/// None of the findings `new` adds says that bytes are missing from the capture: in these
/// cases the capture holds every byte, and such a text would send the reader looking for a
/// capture problem that is not there.
fn assert_no_capture_loss_claimed(name: &str, added: &[&Finding]) {
    let claims: Vec<String> = added
        .iter()
        .filter(|f| {
            mentions(
                &f.text,
                &["not in the capture", "cut by the capture", "never showed"],
            )
        })
        .map(|f| format!("{} @{:?}: {}", f.code, f.frame, f.text))
        .collect();
    assert!(
        claims.is_empty(),
        "{name}: the capture holds every byte, yet:\n  {}",
        claims.join("\n  ")
    );
}

/// The findings `new` adds to the original's are all of the `allowed` codes.
fn assert_added_only(name: &str, added: &[&Finding], allowed: &[&str]) {
    let others: Vec<String> = added
        .iter()
        .filter(|f| !allowed.contains(&f.code.as_str()))
        .map(|f| format!("{} @{:?}: {}", f.code, f.frame, f.text))
        .collect();
    assert!(
        others.is_empty(),
        "{name}: findings besides the expected {allowed:?}:\n  {}",
        others.join("\n  ")
    );
}

fn assert_same_paths(name: &str, original: &Report, new: &Report) {
    assert_eq!(
        new.paths(),
        original.paths(),
        "{name}: the sessions' state paths (client, server) changed"
    );
}

fn mentions(text: &str, needles: &[&str]) -> bool {
    let text = text.to_ascii_lowercase();
    needles
        .iter()
        .any(|n| text.contains(&n.to_ascii_lowercase()))
}

/// The one finding of `code` at `frame` whose text mentions one of `needles` (the "what").
fn assert_finding_at<'a>(
    name: &str,
    report: &'a Report,
    codes: &[&str],
    frames: &[u64],
    needles: &[&str],
) -> &'a Finding {
    report
        .findings
        .iter()
        .find(|f| {
            codes.contains(&f.code.as_str())
                && f.frame.is_some_and(|fr| frames.contains(&fr))
                && mentions(&f.text, needles)
        })
        .unwrap_or_else(|| {
            panic!(
                "{name}: no finding {codes:?} at frame {frames:?} mentioning {needles:?}; \
                 the report has:{}",
                report.all_findings()
            )
        })
}

// ------------------------------------------------------------------------------------------
// The cases

#[test]
fn script_is_deterministic() {
    let first = generated();
    let again = scratch("bad-inputs-again-");
    let _ = std::fs::remove_dir_all(&again);
    let names = [
        "garbage-on-rtsp-port",
        "bitflips-headers",
        "binary-not-rtsp",
    ];
    let cases = generate(&again, &names);
    for name in names {
        let file = &cases[name].file;
        let a = std::fs::read(first.dir.join(file)).expect("first");
        let b = std::fs::read(again.join(file)).expect("second");
        assert!(
            a == b,
            "{name}: two runs of the script wrote different bytes"
        );
    }
    let _ = std::fs::remove_dir_all(&again);
    // Everything a normal test reads stays under 2 MiB, except the 100 MB header line that is
    // only ever made at test time.
    for (name, case) in &first.cases {
        let size = std::fs::metadata(first.dir.join(&case.file))
            .expect("case file")
            .len();
        assert!(
            size < 2 << 20 || name == "header-line-100mb",
            "{name}: {size} bytes, over 2 MiB"
        );
    }
}

fn truncated_last_packet(name: &str) {
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    let read = case.packets;
    assert_eq!(
        report.capture.packets, read,
        "{name}: every packet before the cut is read"
    );
    let truncated = report
        .capture
        .truncated
        .as_deref()
        .unwrap_or_else(|| panic!("{name}: capture.truncated is not set"));
    assert!(
        mentions(truncated, &["cut short", "ends"]),
        "{name}: {truncated}"
    );
    let f = assert_finding_at(
        name,
        &report,
        &["capture.truncated"],
        &[read, read + 1],
        &[&format!("frame {read}"), &format!("frame {}", read + 1)],
    );
    println!("{name}: {}", f.text);
    let extra = assert_messages_kept(name, case, original, &report, |_| true, |_| false);
    assert_no_extra_messages(name, &extra);
    let added = findings_added(name, case, original, &report);
    assert_added_only(name, &added, &["capture.truncated"]);
    assert_same_paths(name, original, &report);
}

#[test]
fn truncated_last_packet_pcapng() {
    truncated_last_packet("truncated-last-packet");
}

#[test]
fn truncated_last_packet_pcap() {
    truncated_last_packet("truncated-last-packet-pcap");
}

#[test]
fn snaplen_64() {
    let name = "snaplen-64";
    let (case, report) = run_case(name);
    assert_eq!(
        report.capture.packets, case.packets,
        "{name}: every record is read"
    );
    assert!(
        report.capture.truncated.is_none(),
        "{name}: the file itself is whole"
    );
    // No byte of any TCP payload survives the 64-byte snap length: a message would be invented.
    assert!(
        report.messages.is_empty(),
        "{name}: messages from payloads that are not in the capture:\n  {}",
        report
            .messages
            .iter()
            .map(Msg::label)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
    // The reader is told why it sees no RTSP: the TCP headers the snap length cut are either
    // counted as not decoded or named in a finding.
    let snap_finding = report.findings.iter().any(|f| mentions(&f.text, &["snap"]));
    assert!(
        report.capture.packets_not_decoded >= case.tcp_headers_cut || snap_finding,
        "{name}: {} TCP headers are cut, {} packets counted as not decoded and no finding \
         names the snap length:{}",
        case.tcp_headers_cut,
        report.capture.packets_not_decoded,
        report.all_findings()
    );
}

#[test]
fn garbage_on_rtsp_port() {
    let name = "garbage-on-rtsp-port";
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    assert_eq!(original.messages.len(), 36, "10 has 36 messages");
    let extra = assert_messages_kept(name, case, original, &report, |_| true, |_| false);
    assert_no_extra_messages(name, &extra);
    let f = assert_finding_at(
        name,
        &report,
        &["rtsp.malformed"],
        &case.bad_frames,
        &["4096"],
    );
    println!("{name}: {}", f.text);
    let added = findings_added(name, case, original, &report);
    assert_added_only(name, &added, &["rtsp.malformed"]);
    assert_same_paths(name, original, &report);
}

fn content_length(name: &str, codes: &[&str]) {
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    let value = case.new_value.as_deref().unwrap();
    // The DESCRIBE reply itself is still there, and everything after it: the framer did not
    // wait for four gigabytes (or a negative length) of body.
    let extra = assert_messages_kept(name, case, original, &report, |_| true, |_| false);
    assert_no_extra_messages(name, &extra);
    let f = assert_finding_at(
        name,
        &report,
        codes,
        &case.bad_frames,
        &["content-length", value],
    );
    println!("{name}: {} {}", f.code, f.text);
    // The SDP it announced may be skipped as not RTSP and the message marked incomplete;
    // nothing else is new, and nothing blames the capture.
    let added = findings_added(name, case, original, &report);
    assert_no_capture_loss_claimed(name, &added);
    assert_added_only(
        name,
        &added,
        &[
            "limit.reached",
            "rtsp.malformed",
            "rtsp.malformed-header",
            "rtsp.truncated",
        ],
    );
    assert_same_paths(name, original, &report);
}

#[test]
fn content_length_4g() {
    content_length(
        "content-length-4g",
        &["limit.reached", "rtsp.malformed-header"],
    );
}

#[test]
fn content_length_negative() {
    content_length(
        "content-length-negative",
        &["rtsp.malformed-header", "rtsp.malformed", "limit.reached"],
    );
}

#[test]
fn header_line_100mb() {
    let name = "header-line-100mb";
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    let extra = assert_messages_kept(name, case, original, &report, |_| true, |_| false);
    // The inserted OPTIONS may be listed (cut at the head limit), nothing else.
    assert!(
        extra.len() <= 1
            && extra.iter().all(|m| {
                m.method.as_deref() == Some("OPTIONS") && case.bad_frames.contains(&m.frame)
            }),
        "{name}: messages the original does not have:\n  {}",
        extra
            .iter()
            .map(Msg::label)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
    let f = assert_finding_at(
        name,
        &report,
        &["limit.reached"],
        &case.bad_frames,
        &["head", "header", "65536", "64 KiB"],
    );
    println!("{name}: {}", f.text);
    let added = findings_added(name, case, original, &report);
    assert_no_capture_loss_claimed(name, &added);
    assert_added_only(
        name,
        &added,
        &[
            "limit.reached",
            "rtsp.malformed",
            "request.no-reply",
            "rtsp.truncated",
        ],
    );
    assert_same_paths(name, original, &report);
}

#[test]
fn interleaved_past_end() {
    let name = "interleaved-past-end";
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    assert_eq!(report.capture.packets, case.packets);
    let extra = assert_messages_kept(name, case, original, &report, |_| true, |_| false);
    assert_no_extra_messages(name, &extra);
    let f = assert_finding_at(
        name,
        &report,
        &["interleaved.truncated"],
        &case.bad_frames,
        &["65535", "channel 0"],
    );
    println!("{name}: {}", f.text);
    let added = findings_added(name, case, original, &report);
    assert_added_only(name, &added, &["interleaved.truncated"]);
}

#[test]
fn binary_not_rtsp() {
    let name = "binary-not-rtsp";
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    assert_eq!(report.capture.packets, case.packets);
    let extra = assert_messages_kept(name, case, original, &report, |_| true, |_| false);
    assert_no_extra_messages(name, &extra);
    // The connection of random bytes is not RTSP: not listed, and nothing is said about it.
    let listed: Vec<(&str, &str)> = report
        .connections
        .iter()
        .map(|c| (c.client.as_str(), c.server.as_str()))
        .collect();
    let before: Vec<(&str, &str)> = original
        .connections
        .iter()
        .map(|c| (c.client.as_str(), c.server.as_str()))
        .collect();
    assert_eq!(listed, before, "{name}: the connections listed");
    let about_it: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| {
            f.frame.is_some_and(|fr| case.bad_frames.contains(&fr))
                || mentions(&f.text, &["10.77."])
        })
        .collect();
    assert!(
        about_it.is_empty(),
        "{name}: findings about the random connection: {about_it:?}"
    );
    let ids: Vec<u64> = report.connections.iter().map(|c| c.id).collect();
    assert!(
        report
            .findings
            .iter()
            .all(|f| f.connection.is_none_or(|c| ids.contains(&c))),
        "{name}: a finding names a connection that is not listed:{}",
        report.all_findings()
    );
    let added = findings_added(name, case, original, &report);
    assert_added_only(name, &added, &[]);
    assert_same_paths(name, original, &report);
}

#[test]
fn bitflips_headers() {
    let name = "bitflips-headers";
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    assert_eq!(
        report.capture.packets, case.packets,
        "{name}: every packet is read"
    );
    for flip in &case.flips {
        println!(
            "{name}: frame {} {} {}",
            flip.frame,
            flip.field,
            if flip.harmless { "(harmless)" } else { "" }
        );
    }
    // Before the first flip that matters nothing can have changed; a flip in a field the
    // inspector does not read (MAC, TTL, checksums, window, timestamps) changes nothing at all.
    let first_harmful = case
        .flips
        .iter()
        .filter(|f| !f.harmless)
        .map(|f| f.frame)
        .min()
        .unwrap_or(u64::MAX);
    assert_messages_kept(
        name,
        case,
        original,
        &report,
        |m| m.frame < first_harmful,
        |_| false,
    );
    // Past it, a flipped sequence number, port or address loses the bytes of that segment
    // (a gap, a new connection) but the framer resynchronises: most messages are still there.
    let kept = original
        .messages
        .iter()
        .filter(|m| {
            report
                .messages
                .iter()
                .any(|n| n.same_as(m, case.frame_map[m.frame as usize - 1].unwrap(), true))
        })
        .count();
    println!(
        "{name}: {kept} of {} messages kept",
        original.messages.len()
    );
    assert!(
        kept * 4 >= original.messages.len() * 3,
        "{name}: only {kept} of {} messages kept:\n  {}",
        original.messages.len(),
        report
            .messages
            .iter()
            .map(Msg::label)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

fn block_length(name: &str) {
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    let before = case.packets_before.unwrap();
    // Everything before the damaged block is read; a reader that finds its way past it may
    // read more, never fewer.
    assert!(
        report.capture.packets >= before,
        "{name}: {} packets read, {before} come before the damaged block",
        report.capture.packets
    );
    let truncated = report
        .capture
        .truncated
        .as_deref()
        .unwrap_or_else(|| panic!("{name}: capture.truncated is not set"));
    println!("{name}: {truncated}");
    let f = assert_finding_at(
        name,
        &report,
        &["capture.truncated"],
        &[before, before + 1],
        &[&format!("frame {before}"), &format!("frame {}", before + 1)],
    );
    assert!(
        mentions(&f.text, &["damaged", "length"]),
        "{name}: {}",
        f.text
    );
    let extra = assert_messages_kept(
        name,
        case,
        original,
        &report,
        |m| m.frame <= before,
        |_| false,
    );
    assert!(
        extra.is_empty() || report.capture.packets > before,
        "{name}: messages the original does not have:\n  {}",
        extra
            .iter()
            .map(Msg::label)
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn pcapng_block_length_0() {
    block_length("pcapng-block-length-0");
}

#[test]
fn pcapng_block_length_max() {
    block_length("pcapng-block-length-max");
}

#[test]
fn timestamp_backwards() {
    let name = "timestamp-backwards";
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    // One packet an hour early changes no message, no path and no finding: the session timer
    // must not see an hour pass (nor run backwards), and the capture's duration is the same.
    let extra = assert_messages_kept(name, case, original, &report, |_| true, |_| false);
    assert_no_extra_messages(name, &extra);
    let added = findings_added(name, case, original, &report);
    assert_added_only(name, &added, &[]);
    assert_same_paths(name, original, &report);
    assert!(
        (report.capture.duration - original.capture.duration).abs() < 1e-6,
        "{name}: duration {} s, the original's {} s",
        report.capture.duration,
        original.capture.duration
    );
}

#[test]
fn ack_before_data() {
    let name = "ack-before-data";
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    // The request is in the capture, one frame after the ACK that covers it: a hole the
    // capture fills is no gap (README: "holes the capture never filled reported as gaps").
    let extra = assert_messages_kept(name, case, original, &report, |_| true, |_| false);
    assert_no_extra_messages(name, &extra);
    let added = findings_added(name, case, original, &report);
    assert_no_capture_loss_claimed(name, &added);
    // Seen before its request, the reply may go unpaired; nothing may be called missing.
    assert_added_only(name, &added, &["cseq.unmatched", "request.no-reply"]);
    assert_same_paths(name, original, &report);
}

#[test]
fn first_request_lost() {
    let name = "first-request-lost";
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    // Everything but the lost request is there (its frame maps to nothing).
    let extra = assert_messages_kept(name, case, original, &report, |_| true, |_| false);
    assert_no_extra_messages(name, &extra);
    // The hole comes before anything has shown the connection to be RTSP; it is still a gap
    // of the connection, and the report says so where the server's ACK proves it.
    let lost = case.lost_bytes.unwrap();
    let f = assert_finding_at(
        name,
        &report,
        &["capture.gap"],
        &case.bad_frames,
        &[&format!("{lost} bytes")],
    );
    println!("{name}: {}", f.text);
    let added = findings_added(name, case, original, &report);
    // Its reply now answers no request in the capture.
    assert_added_only(name, &added, &["capture.gap", "cseq.unmatched"]);
    assert_same_paths(name, original, &report);
}

#[test]
fn cseq_2_64() {
    let name = "cseq-2-64";
    let (case, report) = run_case(name);
    let original = original(case.source.as_deref().unwrap());
    let bad = case.bad_frames[0];
    let extra = assert_messages_kept(name, case, original, &report, |_| true, |m| m.frame == bad);
    assert_no_extra_messages(name, &extra);
    let request = report
        .messages
        .iter()
        .find(|m| m.frame == bad && m.kind == "request")
        .expect("the request");
    assert_eq!(request.cseq, None, "{name}: a CSeq of 2^64 is no u64");
    let value = case.new_value.as_deref().unwrap();
    let f = assert_finding_at(name, &report, &["cseq.invalid"], &[bad], &[value]);
    println!("{name}: {}", f.text);
    // Its reply carries the CSeq the client really sent; pairing it is a bonus, not a rule.
    let added = findings_added(name, case, original, &report);
    assert_added_only(
        name,
        &added,
        &["cseq.invalid", "cseq.unmatched", "request.no-reply"],
    );
    assert_same_paths(name, original, &report);
}

fn not_a_capture(name: &str) {
    let (_, path) = case(name);
    let run = run_report(name, &path, TIMEOUT, None);
    run.print_row(&[]);
    run.assert_sound(2, RSS_CAP_MIB);
    assert!(run.stdout.is_empty(), "{name}: a report was printed");
    let message = run.stderr.trim();
    assert!(
        message.starts_with("rtsp-inspector: ") && message.contains(&*path.to_string_lossy()),
        "{name}: the message names the file: {message:?}"
    );
    assert!(
        mentions(
            message,
            &["not a pcap", "not a capture", "too short", "empty"]
        ),
        "{name}: the message says what is wrong: {message:?}"
    );
    println!("{name}: {message}");
}

#[test]
fn not_a_capture_at_all() {
    not_a_capture("not-a-capture");
}

#[test]
fn empty_file() {
    not_a_capture("empty-file");
}

// ------------------------------------------------------------------------------------------
// Floods: large synthetic captures, made at test time only

/// What the floods' reports are read as: of the messages only their frames.
#[derive(Debug, Deserialize)]
struct FloodReport {
    capture: CaptureInfo,
    connections: Vec<IgnoredAny>,
    messages: Vec<FrameOnly>,
    findings: Vec<Finding>,
}

#[derive(Debug, Deserialize)]
struct FrameOnly {
    frame: u64,
}

const FLOOD_TIMEOUT: Duration = Duration::from_secs(600);

/// What a flood may cost, as `src/limits.rs` states it: the state the limits bound (200 MiB, as
/// for every case), the model, which keeps every message (`MODEL_BYTES_PER_MESSAGE` each), and
/// the connections tracked at once (`TRACKED_CONNECTION_BYTES` each, at most `MAX_TCP_FLOWS`).
fn flood_cap_mib(messages: usize, connections: usize) -> u64 {
    use rtsp_inspector::limits::{
        MAX_TCP_FLOWS, MODEL_BYTES_PER_MESSAGE, TRACKED_CONNECTION_BYTES,
    };
    let model = messages as u64 * MODEL_BYTES_PER_MESSAGE as u64;
    let tracked = connections.min(MAX_TCP_FLOWS) as u64 * TRACKED_CONNECTION_BYTES as u64;
    RSS_CAP_MIB + (model + tracked) / (1 << 20)
}

fn flood(dir: &Path, name: &str, case: &Case) -> (Run, FloodReport) {
    println!("{name}: {}", case.what);
    let json = dir.join(format!("{name}.json"));
    let run = run_report(name, &dir.join(&case.file), FLOOD_TIMEOUT, Some(&json));
    let report: Option<FloodReport> = File::open(&json)
        .ok()
        .and_then(|f| serde_json::from_reader(std::io::BufReader::new(f)).ok());
    run.print_row(report.as_ref().map_or(&[], |r| &r.findings));
    let _ = std::fs::remove_file(&json);
    let report = report.unwrap_or_else(|| panic!("{name}: the report is not the JSON model"));
    println!(
        "{name}: {} packets, {} connections, {} messages, {} findings",
        report.capture.packets,
        report.connections.len(),
        report.messages.len(),
        report.findings.len()
    );
    (run, report)
}

/// Checks each flood in turn and collects what is wrong, so that one run shows every figure.
fn check(failures: &mut Vec<String>, ok: bool, what: String) {
    if !ok {
        println!("FAILED: {what}");
        failures.push(what);
    }
}

/// TCP connections each flood opens (a SYN each; the pipelined requests share one).
fn case_connections(name: &str) -> usize {
    match name {
        "many-connections-ooo" => 100_000,
        "syn-flood" => 1_000_000,
        _ => 1,
    }
}

/// A million pipelined requests, 100 000 connections each holding a segment past a hole that
/// never fills, a million SYNs. Each must finish, stay under the memory cap and say which limit
/// it hit. About 2.5 minutes in a debug build (most of it the million requests), 25 s in release.
#[test]
fn heavy_floods() {
    let dir = scratch("bad-inputs-heavy-");
    let _ = std::fs::remove_dir_all(&dir);
    let started = Instant::now();
    let cases = generate(
        &dir,
        &[
            "many-pipelined-requests",
            "many-connections-ooo",
            "syn-flood",
        ],
    );
    println!(
        "heavy: the script took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut failures = Vec::new();
    let sound = |failures: &mut Vec<String>, name: &str, run: &Run, report: &FloodReport| {
        let cap = flood_cap_mib(report.messages.len(), case_connections(name));
        check(
            failures,
            !run.timed_out && !run.stderr.contains("panicked") && run.exit == Some(0),
            format!(
                "{name}: exit {:?}, signal {:?}, stderr {:?}",
                run.exit, run.signal, run.stderr
            ),
        );
        check(
            failures,
            run.peak_rss_kib < cap * 1024,
            format!(
                "{name}: peak RSS {:.1} MiB, over its {cap} MiB cap",
                run.peak_rss_kib as f64 / 1024.0
            ),
        );
        check(
            failures,
            report.capture.packets == cases[name].packets,
            format!("{name}: {} packets read", report.capture.packets),
        );
    };

    // One connection, a million requests never answered: each is framed; the requests waiting
    // for a reply are capped per connection (limits::MAX_PENDING_REQUESTS) and the report says
    // so; the per-code cap keeps the no-reply findings to a list with a count of the rest.
    let name = "many-pipelined-requests";
    let (run, report) = flood(&dir, name, &cases[name]);
    sound(&mut failures, name, &run, &report);
    check(
        &mut failures,
        report.messages.len() == 1_000_000,
        format!(
            "{name}: {} of 1000000 requests framed",
            report.messages.len()
        ),
    );
    check(
        &mut failures,
        report.findings.iter().any(|f| {
            f.code == "limit.reached"
                && mentions(&f.text, &["MAX_PENDING_REQUESTS", "pending", "waiting for"])
        }),
        format!(
            "{name}: no limit.reached finding says that requests waiting for a reply were dropped"
        ),
    );
    let no_reply = report
        .findings
        .iter()
        .filter(|f| f.code == "request.no-reply")
        .count();
    check(
        &mut failures,
        no_reply <= 1000,
        format!("{name}: {no_reply} request.no-reply findings"),
    );

    // 100 000 connections, each a SYN (odd frames) and a request 40 bytes past a hole (even
    // frames): every hole is a gap, every request is reported in the frame that carries it (not
    // in a frame of another connection that made the flow table release it), and whatever the
    // flow table forgets is said.
    let name = "many-connections-ooo";
    let (run, report) = flood(&dir, name, &cases[name]);
    sound(&mut failures, name, &run, &report);
    check(
        &mut failures,
        report.findings.iter().any(|f| f.code == "capture.gap"),
        format!("{name}: no capture.gap finding for 100000 holes"),
    );
    let elsewhere = report.messages.iter().filter(|m| m.frame % 2 == 1).count();
    check(
        &mut failures,
        elsewhere == 0,
        format!("{name}: {elsewhere} requests reported in a frame of another connection (a SYN)"),
    );
    if report.messages.len() < 100_000 {
        check(
            &mut failures,
            report.findings.iter().any(|f| f.code == "limit.reached"),
            format!(
                "{name}: {} of 100000 requests reported and no limit.reached finding says why",
                report.messages.len()
            ),
        );
    }

    // A million SYNs and nothing else: no connection, no message, and memory bounded by the
    // flow table whatever the number of SYNs.
    let name = "syn-flood";
    let (run, report) = flood(&dir, name, &cases[name]);
    sound(&mut failures, name, &run, &report);
    check(
        &mut failures,
        report.messages.is_empty() && report.connections.is_empty(),
        format!(
            "{name}: {} messages, {} connections from SYNs alone",
            report.messages.len(),
            report.connections.len()
        ),
    );

    let _ = std::fs::remove_dir_all(&dir);
    println!("heavy: {:.1} s in all", started.elapsed().as_secs_f64());
    assert!(
        failures.is_empty(),
        "heavy floods:\n  {}",
        failures.join("\n  ")
    );
}
