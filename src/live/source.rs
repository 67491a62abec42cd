//! Where live packets come from: a network interface through libpcap, or a capture file
//! replayed through the very same path (for tests and for measuring long runs without waiting
//! for them).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::capture::file::CaptureReader;
use crate::capture::{LinkType, Packet, Timestamp};

use super::error::{LiveError, is_permission_denied, pcap_text};
use super::interfaces;

/// How long a read waits for a packet on a quiet wire before it returns, so that Stop, Ctrl-C
/// and the engine's clock (session timeouts) are looked at a few times a second.
pub const READ_TIMEOUT: Duration = Duration::from_millis(100);

/// Snap length when none is given: whole packets (as tcpdump -s 0).
pub const DEFAULT_SNAPLEN: u32 = 262_144;

/// The kernel buffer asked for: a 100 Mbit/s stream fills 8 MiB in about 0.7 s, which covers
/// a busy moment of the engine or the disk without drops.
const KERNEL_BUFFER_BYTES: i32 = 8 * 1024 * 1024;

/// What to capture on and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureOptions {
    pub interface: String,
    /// A BPF filter (tcpdump syntax); empty for none.
    pub filter: String,
    pub promiscuous: bool,
    pub snaplen: u32,
}

impl CaptureOptions {
    pub fn new(interface: &str) -> Self {
        CaptureOptions {
            interface: interface.to_string(),
            filter: String::new(),
            promiscuous: true,
            snaplen: DEFAULT_SNAPLEN,
        }
    }
}

/// A live source: an interface, or a capture file replayed as if it arrived now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveInput {
    Interface(CaptureOptions),
    Replay(PathBuf),
}

impl LiveInput {
    /// What the model's capture path says.
    pub fn name(&self) -> String {
        match self {
            LiveInput::Interface(options) => format!("{} (live)", options.interface),
            LiveInput::Replay(path) => format!("{} (replayed live)", path.display()),
        }
    }
}

/// What one read gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// This many packets went to the sink.
    Packets(usize),
    /// Nothing arrived within [`READ_TIMEOUT`].
    Quiet,
    /// The source has no more packets (the end of a replayed file).
    End,
    /// The capture cannot go on (the interface went down); libpcap's words.
    Failed(String),
}

/// libpcap's statistics (or zeros for a replay).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub received: u32,
    pub dropped: u32,
    pub if_dropped: u32,
}

pub trait PacketSource: Send {
    /// The path and format the model names the capture by.
    fn describe(&self) -> (String, String);
    fn link_type(&self) -> LinkType;
    fn snaplen(&self) -> u32;
    /// Up to `max` packets to `sink` (frame numbers are the caller's).
    fn read(&mut self, max: usize, sink: &mut dyn FnMut(&Packet<'_>)) -> Read;
    fn counters(&mut self) -> Counters;
    /// Whether the interface is up (None where that cannot be told, or for a replay).
    fn is_up(&self) -> Option<bool> {
        None
    }
    /// Whether the packets' timestamps are the wall clock's, so that time may be ticked on with
    /// it while the wire is quiet.
    fn is_wall_clock(&self) -> bool;
}

/// Opens the source. An interface is checked against libpcap's list first (the error lists the
/// ones there are), then opened, then given its filter (compiled for its link type).
pub fn open(input: &LiveInput) -> Result<Box<dyn PacketSource>, LiveError> {
    match input {
        LiveInput::Interface(options) => Ok(Box::new(InterfaceSource::open(options)?)),
        LiveInput::Replay(path) => Ok(Box::new(ReplaySource::open(path)?)),
    }
}

pub struct InterfaceSource {
    capture: pcap::Capture<pcap::Active>,
    options: CaptureOptions,
    link_type: LinkType,
}

impl InterfaceSource {
    pub fn open(options: &CaptureOptions) -> Result<Self, LiveError> {
        interfaces::find(&options.interface)?;
        let name = options.interface.as_str();
        let failed = |error: pcap::Error| {
            let detail = pcap_text(&error);
            if is_permission_denied(&detail) {
                LiveError::NoPermission {
                    interface: name.to_string(),
                    detail,
                }
            } else {
                LiveError::CannotOpen {
                    interface: name.to_string(),
                    detail,
                }
            }
        };
        let snaplen = i32::try_from(options.snaplen.max(64)).unwrap_or(i32::MAX);
        let mut capture = pcap::Capture::from_device(name)
            .map_err(failed)?
            .promisc(options.promiscuous)
            .snaplen(snaplen)
            .immediate_mode(true)
            .buffer_size(KERNEL_BUFFER_BYTES)
            .precision(pcap::Precision::Nano)
            .open()
            .map_err(failed)?
            // Non-blocking, with our own poll: libpcap's read timeout is not honoured in
            // immediate mode on Linux, and a read that blocks on a quiet wire would keep Stop,
            // Ctrl-C and the session timers waiting.
            .setnonblock()
            .map_err(failed)?;
        if !options.filter.trim().is_empty() {
            capture
                .filter(&options.filter, true)
                .map_err(|e| LiveError::BadFilter {
                    filter: options.filter.clone(),
                    detail: pcap_text(&e),
                })?;
        }
        let link_type = LinkType(capture.get_datalink().0 as u32);
        Ok(InterfaceSource {
            capture,
            options: options.clone(),
            link_type,
        })
    }
}

impl PacketSource for InterfaceSource {
    fn describe(&self) -> (String, String) {
        let format = if self.options.filter.trim().is_empty() {
            "live capture".to_string()
        } else {
            format!("live capture, filter {}", self.options.filter.trim())
        };
        (self.options.interface.clone(), format)
    }

    fn link_type(&self) -> LinkType {
        self.link_type
    }

    fn snaplen(&self) -> u32 {
        self.options.snaplen
    }

    fn read(&mut self, max: usize, sink: &mut dyn FnMut(&Packet<'_>)) -> Read {
        let mut read = 0;
        let mut waited = false;
        while read < max {
            match self.capture.next_packet() {
                Ok(packet) => {
                    let header = packet.header;
                    // Nanosecond precision was asked for: tv_usec holds nanoseconds.
                    let ts = Timestamp::from_secs_nanos(header.ts.tv_sec, header.ts.tv_usec);
                    sink(&Packet {
                        frame: 0,
                        ts,
                        link_type: self.link_type,
                        data: packet.data,
                        orig_len: header.len,
                        file_offset: None,
                        interface: 0,
                    });
                    read += 1;
                }
                // Non-blocking: nothing is waiting. Wait once for the descriptor (at most
                // READ_TIMEOUT), then hand over what there is.
                Err(pcap::Error::TimeoutExpired) if read == 0 && !waited => {
                    waited = true;
                    if let Err(error) = wait_readable(&self.capture) {
                        return Read::Failed(error);
                    }
                }
                Err(pcap::Error::TimeoutExpired) => break,
                Err(error) => {
                    if read > 0 {
                        // What was read goes first; the error comes again on the next read.
                        break;
                    }
                    return Read::Failed(pcap_text(&error));
                }
            }
        }
        if read == 0 {
            Read::Quiet
        } else {
            Read::Packets(read)
        }
    }

    fn counters(&mut self) -> Counters {
        self.capture
            .stats()
            .map(|s| Counters {
                received: s.received,
                dropped: s.dropped,
                if_dropped: s.if_dropped,
            })
            .unwrap_or_default()
    }

    fn is_wall_clock(&self) -> bool {
        true
    }

    fn is_up(&self) -> Option<bool> {
        interface_is_up(&self.options.interface)
    }
}

/// IFF_UP from the kernel's flags of the interface (Linux). A down interface makes libpcap
/// wait quietly rather than fail, so the capture loop looks at this now and then.
fn interface_is_up(name: &str) -> Option<bool> {
    if name.contains('/') || name == "." || name == ".." {
        return None;
    }
    let flags = std::fs::read_to_string(format!("/sys/class/net/{name}/flags")).ok()?;
    let flags = u32::from_str_radix(flags.trim().trim_start_matches("0x"), 16).ok()?;
    Some(flags & 1 != 0)
}

/// Waits until libpcap's descriptor has packets (or an error) or [`READ_TIMEOUT`] passes.
fn wait_readable(capture: &pcap::Capture<pcap::Active>) -> Result<(), String> {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;

    let timeout = PollTimeout::try_from(READ_TIMEOUT).unwrap_or(PollTimeout::MAX);
    let mut fds = [PollFd::new(capture.as_fd(), PollFlags::POLLIN)];
    match poll(&mut fds, timeout) {
        Ok(_) | Err(nix::errno::Errno::EINTR) => Ok(()),
        Err(errno) => Err(format!("waiting for packets failed: {errno}")),
    }
}

/// A capture file fed through the live path as fast as it can be read.
pub struct ReplaySource {
    reader: CaptureReader,
    path: PathBuf,
}

impl ReplaySource {
    pub fn open(path: &Path) -> Result<Self, LiveError> {
        let reader = CaptureReader::open(path).map_err(|e| LiveError::Replay(e.to_string()))?;
        Ok(ReplaySource {
            reader,
            path: path.to_path_buf(),
        })
    }
}

impl PacketSource for ReplaySource {
    fn describe(&self) -> (String, String) {
        (
            self.path.display().to_string(),
            format!("{} replayed live", self.reader.format().name()),
        )
    }

    fn link_type(&self) -> LinkType {
        self.reader
            .link_types()
            .first()
            .copied()
            .unwrap_or(LinkType::ETHERNET)
    }

    fn snaplen(&self) -> u32 {
        DEFAULT_SNAPLEN
    }

    fn read(&mut self, max: usize, sink: &mut dyn FnMut(&Packet<'_>)) -> Read {
        let read = self.reader.read_packets(max, &mut |packet| sink(packet));
        match (read, self.reader.problem()) {
            (0, Some(problem)) => Read::Failed(problem.detail.clone()),
            (0, None) => Read::End,
            (n, _) => Read::Packets(n),
        }
    }

    fn counters(&mut self) -> Counters {
        Counters::default()
    }

    fn is_wall_clock(&self) -> bool {
        false
    }
}
