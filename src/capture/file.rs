//! Streaming reader for pcap (both byte orders, micro- and nanosecond) and pcapng (several
//! interfaces, several link types, per-interface timestamp resolution) files.
//!
//! Built on pcap-parser's streaming readers: the file is read through a fixed-size buffer, so
//! memory is constant in the capture's size, and the reader always knows its byte offset (for
//! progress and for reading a message's raw bytes back later).

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{LinkType, Packet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureFormat {
    Pcap { nanosecond: bool, big_endian: bool },
    PcapNg,
}

impl CaptureFormat {
    pub fn name(self) -> &'static str {
        match self {
            CaptureFormat::Pcap { nanosecond: false, .. } => "pcap",
            CaptureFormat::Pcap { nanosecond: true, .. } => "pcap (nanosecond)",
            CaptureFormat::PcapNg => "pcapng",
        }
    }
}

/// Why a capture could not be opened at all.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a pcap or pcapng capture: {detail}")]
    NotACapture { path: PathBuf, detail: String },
}

/// Why reading stopped before the end of the file, with everything before it kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadProblem {
    /// Byte offset in the file where the bad or incomplete record starts.
    pub offset: u64,
    /// The last frame read completely before it.
    pub after_frame: u64,
    pub kind: ReadProblemKind,
    /// One line for a person: what and where.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadProblemKind {
    /// The file ends in the middle of a record.
    Truncated,
    /// A record that cannot be parsed (bad block length, unknown block in the wrong place).
    Corrupt,
    /// An I/O error while reading.
    Io,
}

/// Streams packets out of a pcap or pcapng file.
pub struct CaptureReader {
    _private: (),
}

impl CaptureReader {
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let _ = path;
        unimplemented!("capture reader")
    }

    /// Reads from any byte source (a file, an in-memory capture in tests, a fuzz input).
    /// `name` is what messages call it; `total_len` enables progress.
    pub fn from_reader(
        source: Box<dyn Read + Send>,
        name: &Path,
        total_len: Option<u64>,
    ) -> Result<Self, CaptureError> {
        let _ = (source, name, total_len);
        unimplemented!("capture reader")
    }

    /// Hands up to `max` packets to `sink`, in file order. Returns how many it read; 0 means
    /// reading is over (the end of the file, or a problem: see [`Self::problem`]).
    pub fn read_packets(&mut self, max: usize, sink: &mut impl FnMut(&Packet<'_>)) -> usize {
        let _ = (max, sink);
        0
    }

    pub fn format(&self) -> CaptureFormat {
        CaptureFormat::PcapNg
    }

    /// Every link type seen so far (one per pcapng interface, in interface order).
    pub fn link_types(&self) -> Vec<LinkType> {
        Vec::new()
    }

    /// Bytes of the file consumed so far (for a progress bar).
    pub fn bytes_read(&self) -> u64 {
        0
    }

    pub fn total_bytes(&self) -> Option<u64> {
        None
    }

    pub fn packets_read(&self) -> u64 {
        0
    }

    /// Set when reading stopped before a clean end of file.
    pub fn problem(&self) -> Option<&ReadProblem> {
        None
    }
}
