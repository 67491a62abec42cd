//! Live capture end to end, on real traffic: our own GStreamer RTSP server
//! (tests/support/rtsp_server.py) on a free port of 127.0.0.1, `rtsp-inspector live` on `lo`
//! with a filter on that port, and ffmpeg as the client (TCP interleaved, TEARDOWN at the end).
//! Needs capture rights (CI runs as root) and what scripts/setup installs; without them the
//! test fails saying what is missing. Every wait has a deadline and every child is killed when
//! the test ends, however it ends.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_rtsp-inspector");
const SERVER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/rtsp_server.py");

/// A child process that is killed when dropped (a failed assertion must not leave it running).
struct Guard(Option<Child>);

impl Guard {
    fn spawn(command: &mut Command, what: &str) -> Guard {
        match command.spawn() {
            Ok(child) => Guard(Some(child)),
            Err(error) => panic!("cannot start {what}: {error} (run scripts/setup as root)"),
        }
    }

    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("a child until waited for")
    }

    /// Waits at most `limit`; kills it and fails past that.
    fn wait(&mut self, limit: Duration, what: &str) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child().try_wait().expect("try_wait") {
                self.0 = None;
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child().kill();
                panic!("{what} did not end within {limit:?}");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    fn interrupt(&mut self) {
        let pid = self.child().id().to_string();
        let _ = Command::new("kill").args(["-INT", &pid]).status();
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The lines of a pipe, on a thread, so that a test can wait for one with a deadline.
fn lines(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a line that satisfies `wanted`; returns it, or everything seen when the deadline
/// passes or the pipe closes.
fn wait_for_line(
    rx: &Receiver<String>,
    limit: Duration,
    wanted: impl Fn(&str) -> bool,
) -> Result<String, String> {
    let deadline = Instant::now() + limit;
    let mut seen = String::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if wanted(&line) => return Ok(line),
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
            }
            Err(_) => return Err(seen),
        }
    }
}

fn require_tools() {
    for (path, package) in [
        ("/usr/bin/python3", "python3"),
        ("/usr/bin/ffmpeg", "ffmpeg"),
    ] {
        assert!(
            Path::new(path).exists(),
            "{path} is missing ({package}): run scripts/setup as root"
        );
    }
}

struct Server {
    _guard: Guard,
    port: u16,
}

fn start_server() -> Server {
    let mut guard = Guard::spawn(
        Command::new("/usr/bin/python3")
            .args([SERVER, "--lifetime", "90"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit()),
        "the GStreamer RTSP server",
    );
    let stdout = guard.child().stdout.take().expect("piped");
    let rx = lines(stdout);
    let ready = wait_for_line(&rx, Duration::from_secs(30), |l| l.starts_with("READY "))
        .unwrap_or_else(|seen| {
            panic!(
                "the RTSP server did not start (needs gir1.2-gst-rtsp-server-1.0, python3-gi and \
                 the GStreamer plugins: scripts/setup); it said: {seen}"
            )
        });
    let port = ready
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("READY <port>");
    Server {
        _guard: guard,
        port,
    }
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn path(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("a path")
        .iter()
        .map(|s| s.as_str().expect("a state").to_string())
        .collect()
}

#[test]
fn live_capture_on_loopback_sees_a_real_rtsp_session() {
    require_tools();
    let server = start_server();
    let written = std::env::temp_dir().join(format!("live-loopback-{}.pcapng", server.port));

    let mut live = Guard::spawn(
        Command::new(BIN)
            .args([
                "live",
                "--interface",
                "lo",
                "--format",
                "json",
                "--duration",
                "60",
            ])
            .args(["--filter", &format!("tcp port {}", server.port)])
            .arg("--write")
            .arg(&written)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
        "rtsp-inspector live",
    );
    let stdout = live.child().stdout.take().expect("piped");
    let stderr = lines(live.child().stderr.take().expect("piped"));
    let events = thread::spawn(move || {
        let mut all = String::new();
        let _ = BufReader::new(stdout).read_to_string(&mut all);
        all
    });
    if let Err(said) = wait_for_line(&stderr, Duration::from_secs(20), |l| {
        l.contains("capturing on lo")
    }) {
        panic!(
            "the live capture did not start. It needs capture rights (root, or \
             setcap cap_net_raw,cap_net_admin=eip on the binary). It said:\n{said}"
        );
    }

    let url = format!("rtsp://127.0.0.1:{}/live", server.port);
    let mut client = Guard::spawn(
        Command::new("/usr/bin/ffmpeg")
            .args(["-nostdin", "-hide_banner", "-loglevel", "error"])
            .args([
                "-rtsp_transport",
                "tcp",
                "-i",
                &url,
                "-t",
                "3",
                "-f",
                "null",
                "-",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit()),
        "ffmpeg",
    );
    let status = client.wait(Duration::from_secs(40), "ffmpeg");
    assert!(status.success(), "ffmpeg played the stream: {status}");
    // The last packets (TEARDOWN, FIN/RST) reach the capture within a read or two.
    thread::sleep(Duration::from_millis(700));
    live.interrupt();
    let status = live.wait(Duration::from_secs(20), "rtsp-inspector live after Ctrl-C");
    let said = {
        let mut rest = String::new();
        while let Ok(line) = stderr.recv_timeout(Duration::from_millis(200)) {
            rest.push_str(&line);
            rest.push('\n');
        }
        rest
    };
    assert!(
        status.success(),
        "live ends cleanly on Ctrl-C: {status}; {said}"
    );
    assert!(said.contains("stopped;"), "{said}");
    let stdout = events.join().expect("the reader thread");
    let lines = json_lines(&stdout);

    // Events as it happened, then the report.
    let report = lines.last().expect("some output");
    assert_eq!(report["event"], "report", "the last line is the report");
    let methods: Vec<&str> = lines
        .iter()
        .filter(|l| l["event"] == "message" && l["kind"] == "request")
        .filter_map(|l| l["method"].as_str())
        .collect();
    for method in ["OPTIONS", "DESCRIBE", "SETUP", "PLAY", "TEARDOWN"] {
        assert!(methods.contains(&method), "{method} in {methods:?}");
    }
    assert!(
        lines.iter().any(|l| l["event"] == "transition"
            && l["machine"] == "client"
            && l["to"] == "Playing"),
        "the client's move to Playing is an event"
    );

    let sessions = report["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 1, "one session");
    let session = &sessions[0];
    // ffmpeg closes the connection right after its TEARDOWN, often before the reply (as in the
    // shared capture 01, whose expected paths allow both ends): with the reply both machines are
    // back in Init; without it they end in Playing or, where the engine takes the close after an
    // unanswered TEARDOWN as its end, in Init.
    let full = ["Init", "Ready", "Playing", "Init"];
    let cut = ["Init", "Ready", "Playing"];
    let teardown_answered = report["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .any(|m| {
            m["kind"] == "response"
                && m["pair"]
                    .as_u64()
                    .and_then(|p| report["messages"].get(p as usize))
                    .is_some_and(|req| req["method"] == "TEARDOWN")
        });
    for machine in ["client_path", "server_path"] {
        let got = path(&session[machine]);
        if teardown_answered {
            assert_eq!(got, full, "{machine} after an answered TEARDOWN");
        } else {
            assert!(got == full || got == cut, "{machine}: {got:?}");
        }
    }
    let connection = &report["connections"][0];
    assert!(
        connection["interleaved_frames"].as_u64().unwrap_or(0) > 0,
        "interleaved media: {connection}"
    );
    assert!(session["media"]["rtp_packets"].as_u64().unwrap_or(0) > 0);

    // The packets written along the way give the same report.
    let replay = Command::new(BIN)
        .args(["report", "--format", "json"])
        .arg(&written)
        .output()
        .expect("report runs");
    let _ = std::fs::remove_file(&written);
    assert!(replay.status.success());
    let from_file: Value = serde_json::from_slice(&replay.stdout).expect("JSON");
    assert_eq!(
        from_file["messages"].as_array().map(Vec::len),
        report["messages"].as_array().map(Vec::len)
    );
    assert_eq!(
        from_file["sessions"][0]["client_path"],
        session["client_path"]
    );
}

#[test]
fn a_missing_interface_is_named_with_the_ones_there_are() {
    let output = Command::new(BIN)
        .args(["live", "--interface", "no-such-if0", "--duration", "1"])
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no such interface: no-such-if0; the interfaces are: "),
        "{stderr}"
    );
    assert!(stderr.contains("lo"), "loopback is listed: {stderr}");
}

#[test]
fn a_filter_that_does_not_compile_gets_libpcaps_message() {
    let output = Command::new(BIN)
        .args(["live", "--interface", "lo", "--filter", "tcp prot 554"])
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    // Without capture rights the permission error comes first: say that instead.
    assert!(
        stderr.contains("does not compile: can't parse filter expression: syntax error")
            || stderr.contains("no permission to capture"),
        "{stderr}"
    );
}

#[test]
fn a_replay_through_the_live_path_gives_the_reports_json() {
    let capture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/captures/10_scripted-errors_gst.pcapng"
    );
    let live = Command::new(BIN)
        .args(["live", "--format", "json", "--replay", capture])
        .output()
        .expect("the binary runs");
    assert!(
        live.status.success(),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    let lines = json_lines(&String::from_utf8_lossy(&live.stdout));
    let report = Command::new(BIN)
        .args(["report", "--format", "json", capture])
        .output()
        .expect("the binary runs");
    let mut expected: Value = serde_json::from_slice(&report.stdout).expect("JSON");
    let mut got = lines.last().expect("a report").clone();
    assert_eq!(got["event"], "report");
    // Only the capture's description differs (how it was read, and its byte count).
    for value in [&mut expected, &mut got] {
        let object = value.as_object_mut().expect("an object");
        object.remove("event");
        object.remove("capture");
    }
    assert_eq!(got, expected);
    let messages = lines.iter().filter(|l| l["event"] == "message").count();
    assert_eq!(
        messages,
        expected["messages"].as_array().map_or(0, Vec::len)
    );
}

/// Without capture rights the error says what is needed. Run as `nobody` (CI is root), from a
/// link to the binary in a folder `nobody` may enter; the binary has no capabilities.
#[test]
fn without_capture_rights_it_says_what_is_needed() {
    let is_root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if !is_root || !Path::new("/usr/bin/setpriv").exists() {
        eprintln!("skipped: needs root (to become nobody) and setpriv");
        return;
    }
    let dir = std::env::temp_dir().join(format!("live-nopriv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let copy = dir.join("rtsp-inspector");
    // A hard link (the debug binary is hundreds of MB), a copy where that cannot be.
    if std::fs::hard_link(BIN, &copy).is_err() {
        std::fs::copy(BIN, &copy).expect("a copy of the binary");
    }
    for path in [&dir, &copy] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let output = Command::new("/usr/bin/setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(&copy)
        .args(["live", "--interface", "lo", "--duration", "1"])
        .current_dir(&dir)
        .output()
        .expect("setpriv runs");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no permission to capture on lo"),
        "{stderr}"
    );
    assert!(
        stderr.contains("setcap cap_net_raw,cap_net_admin=eip"),
        "{stderr}"
    );
}

/// A veth pair made for the test, deleted when the test ends.
struct Veth(String);

impl Drop for Veth {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["link", "del", &self.0]).status();
    }
}

fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The interface goes down mid-capture and comes back: the capture says so on stderr, the
/// report has a finding for it, and what was captured is kept.
#[test]
fn an_interface_that_goes_down_is_said_and_kept() {
    let name = format!("rtspi{}", std::process::id() % 100_000);
    let peer = format!("{name}p");
    if !ip(&["link", "add", &name, "type", "veth", "peer", "name", &peer]) {
        panic!(
            "cannot make a veth pair (needs root and the veth driver, as CI has): \
             ip link add {name} type veth peer name {peer}"
        );
    }
    let _veth = Veth(name.clone());
    assert!(ip(&["link", "set", &name, "up"]) && ip(&["link", "set", &peer, "up"]));
    let mut live = Guard::spawn(
        Command::new(BIN)
            .args([
                "live",
                "--interface",
                &name,
                "--duration",
                "5",
                "--format",
                "json",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
        "rtsp-inspector live",
    );
    let stdout = live.child().stdout.take().expect("piped");
    let stderr = lines(live.child().stderr.take().expect("piped"));
    let events = thread::spawn(move || {
        let mut all = String::new();
        let _ = BufReader::new(stdout).read_to_string(&mut all);
        all
    });
    wait_for_line(&stderr, Duration::from_secs(20), |l| {
        l.contains("capturing on")
    })
    .unwrap_or_else(|said| panic!("the capture did not start: {said}"));
    thread::sleep(Duration::from_millis(600));
    assert!(ip(&["link", "set", &name, "down"]));
    let down = wait_for_line(&stderr, Duration::from_secs(10), |l| {
        l.contains("the interface is down")
    });
    assert!(ip(&["link", "set", &name, "up"]));
    assert!(
        down.is_ok(),
        "the capture says the interface went down: {down:?}"
    );
    wait_for_line(&stderr, Duration::from_secs(10), |l| l.contains("up again"))
        .unwrap_or_else(|said| panic!("and that it is up again: {said}"));
    let status = live.wait(Duration::from_secs(20), "rtsp-inspector live");
    assert!(status.success(), "{status}");
    let lines = json_lines(&events.join().expect("reader"));
    let report = lines.last().expect("a report");
    assert_eq!(report["event"], "report");
    assert!(
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| f["code"] == "capture.interface-down"),
        "{report}"
    );
}
