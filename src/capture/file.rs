//! Streaming reader for pcap (both byte orders, micro- and nanosecond) and pcapng (several
//! interfaces, several link types, per-interface timestamp resolution) files.
//!
//! Built on pcap-parser's streaming readers: the file is read through a fixed-size buffer, so
//! memory is constant in the capture's size, and the reader always knows its byte offset (for
//! progress and for reading a message's raw bytes back later).
//!
//! pcap-parser owns the buffer and parses the file header, Section Header Blocks and Interface
//! Description Blocks. Packet records are framed and decoded here, by hand, because:
//! - a record must be checked *before* the parser sees it: pcap-parser answers a block that
//!   claims 4 GB, or a packet longer than its block, with "incomplete", and the caller could only
//!   grow the buffer until memory runs out, or call a corrupt file "truncated";
//! - its Enhanced Packet Block parser collects options into a `Vec` (one allocation per packet);
//! - its timestamp helpers get power-of-2 resolutions and big-endian `if_tsoffset` wrong.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{
    LegacyPcapReader, OptionCode, PcapBlockOwned, PcapError, PcapNGReader,
    parse_interfacedescriptionblock_be, parse_interfacedescriptionblock_le,
    parse_sectionheaderblock,
};

use super::{LinkType, Packet, Timestamp};
use crate::limits::{MAX_CAPTURE_INTERFACES, MAX_CAPTURE_RECORD};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureFormat {
    Pcap { nanosecond: bool, big_endian: bool },
    PcapNg,
}

impl CaptureFormat {
    pub fn name(self) -> &'static str {
        match self {
            CaptureFormat::Pcap {
                nanosecond: false, ..
            } => "pcap",
            CaptureFormat::Pcap {
                nanosecond: true, ..
            } => "pcap (nanosecond)",
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

impl fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
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

/// Bytes read from the file per system call, and the size the buffer starts at. Large enough that
/// the read syscalls and buffer shifts cost nothing next to decoding; small enough not to matter
/// on a desktop. The buffer only grows for a single record larger than this (up to
/// [`MAX_CAPTURE_RECORD`]).
const READ_BUFFER: usize = 1024 * 1024;

/// Bytes looked at before deciding what a file is: enough for a magic number and for telling
/// a text file from binary data in the error message.
const SNIFF_BYTES: usize = 256;

const PCAPNG_SHB: u32 = 0x0A0D_0D0A;
const PCAPNG_IDB: u32 = 0x0000_0001;
const PCAPNG_PB: u32 = 0x0000_0002;
const PCAPNG_SPB: u32 = 0x0000_0003;
const PCAPNG_EPB: u32 = 0x0000_0006;
const PCAPNG_BOM: u32 = 0x1A2B_3C4D;

/// libpcap keeps FCS information in the upper bits of the pcap header's link type field.
const LINKTYPE_MASK: u32 = 0x03FF_FFFF;

/// Streams packets out of a pcap or pcapng file.
pub struct CaptureReader {
    /// pcap-parser's reader: owns the file and the buffer. Only its buffer management is used
    /// once the file header has been read.
    io: Io,
    /// The buffer's current size (pcap-parser does not expose it).
    capacity: usize,
    state: State,
    /// File offset of the first byte in the buffer, i.e. of the next record.
    offset: u64,
    total: Option<u64>,
    finished: bool,
    problem: Option<ReadProblem>,
    /// The last I/O error of the source, kept here because pcap-parser reduces it to `ReadError`.
    io_error: Arc<Mutex<Option<String>>>,
}

enum Io {
    Pcap(LegacyPcapReader<Source>),
    Ng(PcapNGReader<Source>),
}

impl Io {
    fn it(&mut self) -> &mut dyn PcapReaderIterator {
        match self {
            Io::Pcap(r) => r,
            Io::Ng(r) => r,
        }
    }

    fn data(&self) -> &[u8] {
        match self {
            Io::Pcap(r) => r.data(),
            Io::Ng(r) => r.data(),
        }
    }

    fn exhausted(&self) -> bool {
        match self {
            Io::Pcap(r) => r.reader_exhausted(),
            Io::Ng(r) => r.reader_exhausted(),
        }
    }
}

/// Everything the reader knows besides its buffer, kept apart from it so that a record can be
/// borrowed from the buffer while this is updated.
struct State {
    format: CaptureFormat,
    /// pcap: the record header size (16, or 24 for the "modified" format); unused for pcapng.
    pcap_record_header: usize,
    /// Byte order of the current pcapng section, or of the pcap file.
    big_endian: bool,
    /// Every interface described so far, across sections (tshark numbers them this way).
    interfaces: Vec<Interface>,
    /// Index in `interfaces` of the current section's interface 0.
    section_base: usize,
    frames: u64,
    /// Simple Packet Blocks carry no timestamp; they get the previous packet's, which keeps
    /// time monotonic for everything that subtracts timestamps.
    last_ts: Timestamp,
}

#[derive(Debug, Clone, Copy)]
struct Interface {
    link_type: LinkType,
    snaplen: u32,
    resolution: Resolution,
    /// `if_tsoffset`: seconds added to every timestamp of the interface.
    offset_secs: i64,
}

/// Units of a pcapng timestamp, from `if_tsresol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resolution {
    /// 10^-n seconds.
    Decimal(u8),
    /// 2^-n seconds.
    Binary(u8),
}

impl Resolution {
    fn from_tsresol(byte: u8) -> Self {
        if byte & 0x80 == 0 {
            Resolution::Decimal(byte)
        } else {
            Resolution::Binary(byte & 0x7F)
        }
    }

    /// Nanoseconds in `ticks` units, exact for decimal units up to nanoseconds, truncated below.
    fn nanos(self, ticks: u64) -> i128 {
        let ticks = i128::from(ticks);
        match self {
            Resolution::Decimal(n) if n <= 9 => ticks * 10i128.pow(9 - u32::from(n)),
            Resolution::Decimal(n) => match 10i128.checked_pow(u32::from(n) - 9) {
                Some(div) => ticks / div,
                None => 0,
            },
            // ticks * 10^9 < 2^94, so neither the product nor the shift can overflow.
            Resolution::Binary(n) => (ticks * 1_000_000_000) >> n,
        }
    }
}

impl Interface {
    fn timestamp(&self, ticks: u64) -> Timestamp {
        let ns = self.resolution.nanos(ticks) + i128::from(self.offset_secs) * 1_000_000_000;
        Timestamp(ns.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64)
    }
}

/// What the framing step found at the start of the buffer.
enum Framed {
    /// A whole record of this many bytes is in the buffer.
    Whole(usize),
    /// At least this many bytes are needed to go on; `what` names the record for messages.
    Need {
        bytes: usize,
        what: &'static str,
        length_known: bool,
    },
}

enum FillEnd {
    /// The file ended; the buffer holds this many bytes of an unfinished record.
    Eof(usize),
    Io(String),
}

impl CaptureReader {
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let io_err = |source| CaptureError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io_err)?;
        let meta = file.metadata().map_err(io_err)?;
        if meta.is_dir() {
            return Err(io_err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            )));
        }
        Self::from_reader(Box::new(file), path, Some(meta.len()))
    }

    /// Reads from any byte source (a file, an in-memory capture in tests, a fuzz input).
    /// `name` is what messages call it; `total_len` enables progress.
    pub fn from_reader(
        source: Box<dyn Read + Send>,
        name: &Path,
        total_len: Option<u64>,
    ) -> Result<Self, CaptureError> {
        let io_error = Arc::new(Mutex::new(None));
        let mut source = Source {
            prefix: Vec::new(),
            prefix_pos: 0,
            inner: source,
            pending_error: None,
            last_error: Arc::clone(&io_error),
        };
        let not_a_capture = |detail: String| CaptureError::NotACapture {
            path: name.to_path_buf(),
            detail,
        };
        let io_failure = |source| CaptureError::Io {
            path: name.to_path_buf(),
            source,
        };

        let mut prefix = vec![0u8; SNIFF_BYTES];
        let (got, error) = read_full(&mut source.inner, &mut prefix);
        if let Some(e) = error {
            if got < 4 {
                // Too little came before the error to tell what the file is.
                return Err(io_failure(e));
            }
            source.pending_error = Some(e);
        }
        prefix.truncate(got);
        let kind = sniff(&prefix).map_err(not_a_capture)?;
        source.prefix = prefix;

        let last_io_error = |io_error: &Arc<Mutex<Option<String>>>| {
            io_error
                .lock()
                .ok()
                .and_then(|mut e| e.take())
                .unwrap_or_else(|| "read error".into())
        };

        let (io, state) = match kind {
            Sniffed::Pcap => {
                let mut reader =
                    LegacyPcapReader::new(READ_BUFFER, source).map_err(|e| match e {
                        PcapError::ReadError => {
                            io_failure(io::Error::other(last_io_error(&io_error)))
                        }
                        _ => not_a_capture(format!(
                            "the file starts like a pcap file but its 24-byte file header is cut \
                         short (the file has {got} bytes)"
                        )),
                    })?;
                let header = match reader.next() {
                    Ok((_, PcapBlockOwned::LegacyHeader(h))) => h,
                    _ => return Err(not_a_capture("unreadable pcap file header".into())),
                };
                let header_len = header.size();
                reader.consume_noshift(header_len);
                let big_endian = header.is_bigendian();
                let nanosecond = header.is_nanosecond_precision();
                let link_type = LinkType((header.network.0 as u32) & LINKTYPE_MASK);
                let state = State {
                    format: CaptureFormat::Pcap {
                        nanosecond,
                        big_endian,
                    },
                    pcap_record_header: if header.is_modified_format() { 24 } else { 16 },
                    big_endian,
                    interfaces: vec![Interface {
                        link_type,
                        snaplen: header.snaplen,
                        resolution: Resolution::Decimal(if nanosecond { 9 } else { 6 }),
                        offset_secs: 0,
                    }],
                    section_base: 0,
                    frames: 0,
                    last_ts: Timestamp(0),
                };
                (Io::Pcap(reader), (state, header_len as u64))
            }
            Sniffed::PcapNg => {
                let reader = PcapNGReader::new(READ_BUFFER, source).map_err(|e| match e {
                    PcapError::ReadError => io_failure(io::Error::other(last_io_error(&io_error))),
                    PcapError::Incomplete(_) => not_a_capture(
                        "the file starts like a pcapng file but its Section Header Block is cut \
                         short or claims an impossible length"
                            .into(),
                    ),
                    _ => not_a_capture(
                        "the file starts like a pcapng file but its Section Header Block is \
                         damaged (bad byte-order mark or block length)"
                            .into(),
                    ),
                })?;
                let state = State {
                    format: CaptureFormat::PcapNg,
                    pcap_record_header: 0,
                    big_endian: false,
                    interfaces: Vec::new(),
                    section_base: 0,
                    frames: 0,
                    last_ts: Timestamp(0),
                };
                (Io::Ng(reader), (state, 0))
            }
        };
        let (state, offset) = state;
        Ok(CaptureReader {
            io,
            capacity: READ_BUFFER,
            state,
            offset,
            total: total_len,
            finished: false,
            problem: None,
            io_error,
        })
    }

    /// Hands up to `max` packets to `sink`, in file order. Returns how many it read; 0 means
    /// reading is over (the end of the file, or a problem: see [`Self::problem`]).
    pub fn read_packets(&mut self, max: usize, sink: &mut impl FnMut(&Packet<'_>)) -> usize {
        let mut delivered = 0;
        while delivered < max && !self.finished {
            let len = match self.next_record() {
                Some(len) => len,
                None => break,
            };
            let record = self.io.data().get(..len).unwrap_or_default();
            match self.state.record(record, self.offset) {
                Ok(Some(packet)) => {
                    sink(&packet);
                    delivered += 1;
                }
                Ok(None) => {}
                Err(problem) => {
                    self.stop(Some(problem));
                    break;
                }
            }
            self.io.it().consume_noshift(len);
            self.offset = self.offset.saturating_add(len as u64);
        }
        delivered
    }

    pub fn format(&self) -> CaptureFormat {
        self.state.format
    }

    /// Every link type seen so far (one per pcapng interface, in interface order).
    pub fn link_types(&self) -> Vec<LinkType> {
        self.state.interfaces.iter().map(|i| i.link_type).collect()
    }

    /// Bytes of the file consumed so far (for a progress bar).
    pub fn bytes_read(&self) -> u64 {
        self.offset
    }

    pub fn total_bytes(&self) -> Option<u64> {
        self.total
    }

    pub fn packets_read(&self) -> u64 {
        self.state.frames
    }

    /// Set when reading stopped before a clean end of file.
    pub fn problem(&self) -> Option<&ReadProblem> {
        self.problem.as_ref()
    }

    /// True once reading is over, cleanly or with a [`Self::problem`].
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    fn stop(&mut self, problem: Option<ReadProblem>) {
        self.finished = true;
        self.problem = problem;
    }

    fn problem_here(&self, kind: ReadProblemKind, detail: String) -> ReadProblem {
        ReadProblem {
            offset: self.offset,
            after_frame: self.state.frames,
            kind,
            detail,
        }
    }

    /// Makes sure a whole record is at the start of the buffer and returns its length; on the
    /// end of the file or a problem, records it and returns None.
    fn next_record(&mut self) -> Option<usize> {
        loop {
            let framed = match self.state.frame(self.io.data()) {
                Ok(f) => f,
                Err(detail) => {
                    let p = self.problem_here(ReadProblemKind::Corrupt, detail);
                    self.stop(Some(p));
                    return None;
                }
            };
            let (bytes, what, length_known) = match framed {
                Framed::Whole(len) => return Some(len),
                Framed::Need {
                    bytes,
                    what,
                    length_known,
                } => (bytes, what, length_known),
            };
            match self.fill(bytes) {
                Ok(()) => {}
                Err(FillEnd::Eof(0)) => {
                    self.stop(None);
                    return None;
                }
                Err(FillEnd::Eof(have)) => {
                    let detail = if length_known {
                        format!(
                            "the file ends {have} bytes into a {bytes}-byte {what} at offset {}, \
                             after frame {}",
                            self.offset, self.state.frames
                        )
                    } else {
                        format!(
                            "the file ends {have} bytes into a {what} at offset {}, after frame {}",
                            self.offset, self.state.frames
                        )
                    };
                    let p = self.problem_here(ReadProblemKind::Truncated, detail);
                    self.stop(Some(p));
                    return None;
                }
                Err(FillEnd::Io(msg)) => {
                    let detail = format!(
                        "read error at offset {}, after frame {}: {msg}",
                        self.offset.saturating_add(self.io.data().len() as u64),
                        self.state.frames
                    );
                    let p = self.problem_here(ReadProblemKind::Io, detail);
                    self.stop(Some(p));
                    return None;
                }
            }
        }
    }

    /// Reads until the buffer holds at least `need` bytes (`need` is at most
    /// [`MAX_CAPTURE_RECORD`], checked by the framing).
    fn fill(&mut self, need: usize) -> Result<(), FillEnd> {
        loop {
            let have = self.io.data().len();
            if have >= need {
                return Ok(());
            }
            if self.io.exhausted() {
                return Err(FillEnd::Eof(have));
            }
            if need > self.capacity {
                // Round up so that a run of slightly larger records does not grow it each time.
                let new_size = need.next_multiple_of(64 * 1024).min(MAX_CAPTURE_RECORD);
                let new_size = new_size.max(need);
                self.io.it().grow(new_size);
                self.capacity = new_size;
            }
            // refill() shifts the unread bytes to the front before reading, so there is room for
            // `need - have` more; a read of 0 bytes marks the source exhausted, so this loop
            // always ends.
            if self.io.it().refill().is_err() {
                let msg = self
                    .io_error
                    .lock()
                    .ok()
                    .and_then(|mut e| e.take())
                    .unwrap_or_else(|| "read error".into());
                return Err(FillEnd::Io(msg));
            }
        }
    }
}

impl State {
    /// Finds the length of the record at the start of `data`, checking it is plausible before
    /// any byte of it is trusted. Err is a description of why the record is corrupt.
    fn frame(&self, data: &[u8]) -> Result<Framed, String> {
        match self.format {
            CaptureFormat::Pcap { .. } => self.frame_pcap(data),
            CaptureFormat::PcapNg => self.frame_pcapng(data),
        }
    }

    fn frame_pcap(&self, data: &[u8]) -> Result<Framed, String> {
        let header = self.pcap_record_header;
        let Some(caplen) = u32_at(data, 8, self.big_endian).filter(|_| data.len() >= header) else {
            return Ok(Framed::Need {
                bytes: header,
                what: "packet record header",
                length_known: false,
            });
        };
        let total = (caplen as usize).saturating_add(header);
        if total > MAX_CAPTURE_RECORD {
            return Err(format!(
                "the packet record after frame {} claims {caplen} captured bytes, more than the \
                 {} MiB any real capture holds: the file is damaged",
                self.frames,
                MAX_CAPTURE_RECORD >> 20
            ));
        }
        if data.len() < total {
            return Ok(Framed::Need {
                bytes: total,
                what: "packet record",
                length_known: true,
            });
        }
        Ok(Framed::Whole(total))
    }

    fn frame_pcapng(&self, data: &[u8]) -> Result<Framed, String> {
        let (Some(block_type), Some(bom)) = (u32_at(data, 0, false), u32_at(data, 8, false)) else {
            return Ok(Framed::Need {
                bytes: 12,
                what: "pcapng block header",
                length_known: false,
            });
        };
        // A Section Header Block sets the byte order of everything up to the next one,
        // including its own length field.
        let big_endian = if block_type == PCAPNG_SHB {
            if bom == PCAPNG_BOM {
                false
            } else if bom == PCAPNG_BOM.swap_bytes() {
                true
            } else {
                return Err(format!(
                    "a Section Header Block after frame {} has no valid byte-order mark \
                     (0x{bom:08x})",
                    self.frames
                ));
            }
        } else {
            self.big_endian
        };
        let block_type = if big_endian {
            block_type.swap_bytes()
        } else {
            block_type
        };
        let len = u32_at(data, 4, big_endian).unwrap_or(0);
        let what = block_name(block_type);
        if len < 12 || !len.is_multiple_of(4) {
            return Err(format!(
                "a {what} after frame {} has length {len}, which no pcapng block can have \
                 (at least 12 and a multiple of 4)",
                self.frames
            ));
        }
        if len as usize > MAX_CAPTURE_RECORD {
            return Err(format!(
                "a {what} after frame {} claims to be {len} bytes long, more than the {} MiB \
                 any real capture holds: the file is damaged",
                self.frames,
                MAX_CAPTURE_RECORD >> 20
            ));
        }
        let len = len as usize;
        if data.len() < len {
            return Ok(Framed::Need {
                bytes: len,
                what,
                length_known: true,
            });
        }
        Ok(Framed::Whole(len))
    }

    /// Decodes one whole record; a packet record yields the packet, other blocks update the
    /// interfaces. Err is a corrupt record.
    fn record<'a>(
        &mut self,
        record: &'a [u8],
        offset: u64,
    ) -> Result<Option<Packet<'a>>, ReadProblem> {
        let result = match self.format {
            CaptureFormat::Pcap { nanosecond, .. } => self.pcap_record(record, nanosecond, offset),
            CaptureFormat::PcapNg => self.pcapng_block(record, offset),
        };
        match result {
            Ok(Some(packet)) => {
                self.frames = packet.frame;
                self.last_ts = packet.ts;
                Ok(Some(packet))
            }
            Ok(None) => Ok(None),
            Err(detail) => Err(ReadProblem {
                offset,
                after_frame: self.frames,
                kind: ReadProblemKind::Corrupt,
                detail: format!("{detail} (offset {offset}, after frame {})", self.frames),
            }),
        }
    }

    fn pcap_record<'a>(
        &self,
        record: &'a [u8],
        nanosecond: bool,
        offset: u64,
    ) -> Result<Option<Packet<'a>>, String> {
        let be = self.big_endian;
        let field = |at| u32_at(record, at, be).ok_or("packet record header cut short");
        let secs = field(0)?;
        let frac = field(4)?;
        let orig_len = field(12)?;
        let data = record
            .get(self.pcap_record_header..)
            .ok_or("packet record cut short")?;
        let frac_nanos = if nanosecond {
            i64::from(frac)
        } else {
            i64::from(frac) * 1000
        };
        let link_type = self
            .interfaces
            .first()
            .map_or(LinkType::ETHERNET, |i| i.link_type);
        Ok(Some(Packet {
            frame: self.frames.saturating_add(1),
            ts: Timestamp::from_secs_nanos(i64::from(secs), frac_nanos),
            link_type,
            data,
            orig_len,
            file_offset: Some(offset),
            interface: 0,
        }))
    }

    fn pcapng_block<'a>(
        &mut self,
        block: &'a [u8],
        offset: u64,
    ) -> Result<Option<Packet<'a>>, String> {
        let len = block.len();
        let block_type = if u32_at(block, 0, false) == Some(PCAPNG_SHB) {
            PCAPNG_SHB
        } else {
            u32_at(block, 0, self.big_endian).unwrap_or(0)
        };
        let what = block_name(block_type);
        let be = if block_type == PCAPNG_SHB {
            u32_at(block, 8, false) != Some(PCAPNG_BOM)
        } else {
            self.big_endian
        };
        let trailer = len.checked_sub(4).and_then(|at| u32_at(block, at, be));
        if trailer != Some(len as u32) {
            return Err(format!(
                "a {len}-byte {what} ends with length {}, not {len}: the file is damaged",
                trailer.unwrap_or(0)
            ));
        }
        match block_type {
            PCAPNG_EPB => {
                let field = |at| u32_at(block, at, be).ok_or("Enhanced Packet Block too short");
                let if_id = field(8)?;
                let ticks = (u64::from(field(12)?) << 32) | u64::from(field(16)?);
                let caplen = field(20)?;
                let orig_len = field(24)?;
                self.packet(block, if_id, Some(ticks), caplen, orig_len, offset, what)
            }
            PCAPNG_SPB => {
                let orig_len = u32_at(block, 8, be).ok_or("Simple Packet Block too short")?;
                let room = len.saturating_sub(16);
                let snaplen = self
                    .interfaces
                    .get(self.section_base)
                    .map_or(0, |i| i.snaplen as usize);
                let mut caplen = room.min(orig_len as usize);
                if snaplen > 0 {
                    caplen = caplen.min(snaplen);
                }
                self.packet(block, 0, None, caplen as u32, orig_len, offset, what)
            }
            PCAPNG_PB => {
                let if_id = u16_at(block, 8, be).ok_or("Packet Block too short")?;
                let field = |at| u32_at(block, at, be).ok_or("Packet Block too short");
                let ticks = (u64::from(field(12)?) << 32) | u64::from(field(16)?);
                let caplen = field(20)?;
                let orig_len = field(24)?;
                self.packet(
                    block,
                    u32::from(if_id),
                    Some(ticks),
                    caplen,
                    orig_len,
                    offset,
                    what,
                )
            }
            PCAPNG_SHB => {
                let (_, shb) = parse_sectionheaderblock(block)
                    .map_err(|_| "a damaged Section Header Block".to_string())?;
                if shb.major_version != 1 {
                    return Err(format!(
                        "a section of pcapng version {}.{}, which this reader does not know",
                        shb.major_version, shb.minor_version
                    ));
                }
                self.big_endian = shb.big_endian();
                self.section_base = self.interfaces.len();
                Ok(None)
            }
            PCAPNG_IDB => {
                if self.interfaces.len() >= MAX_CAPTURE_INTERFACES {
                    return Err(format!(
                        "more than {MAX_CAPTURE_INTERFACES} interfaces described: the file is \
                         damaged or hostile"
                    ));
                }
                let parsed = if be {
                    parse_interfacedescriptionblock_be(block)
                } else {
                    parse_interfacedescriptionblock_le(block)
                };
                let (_, idb) = parsed.map_err(|_| "a damaged Interface Description Block")?;
                let mut resolution = Resolution::Decimal(6);
                let mut offset_secs = 0i64;
                for opt in &idb.options {
                    if opt.code == OptionCode::EndOfOpt {
                        break;
                    }
                    let Ok(value) = opt.as_bytes() else { continue };
                    if opt.code == OptionCode::IfTsresol
                        && let Some(&b) = value.first()
                    {
                        resolution = Resolution::from_tsresol(b);
                    } else if opt.code == OptionCode::IfTsoffset
                        && let Some(bytes) =
                            value.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok())
                    {
                        offset_secs = if be {
                            i64::from_be_bytes(bytes)
                        } else {
                            i64::from_le_bytes(bytes)
                        };
                    }
                }
                self.interfaces.push(Interface {
                    link_type: LinkType(idb.linktype.0 as u32),
                    snaplen: idb.snaplen,
                    resolution,
                    offset_secs,
                });
                Ok(None)
            }
            // Name resolution, statistics, secrets, custom and unknown blocks say nothing
            // about packets.
            _ => Ok(None),
        }
    }

    /// A packet record whose data starts at byte 28 of `block` (EPB and PB) or 12 (SPB, which
    /// has no timestamp).
    #[allow(clippy::too_many_arguments)]
    fn packet<'a>(
        &self,
        block: &'a [u8],
        if_id: u32,
        ticks: Option<u64>,
        caplen: u32,
        orig_len: u32,
        offset: u64,
        what: &str,
    ) -> Result<Option<Packet<'a>>, String> {
        let start: usize = if ticks.is_some() { 28 } else { 12 };
        let section_count = self.interfaces.len().saturating_sub(self.section_base);
        let iface_index = self
            .section_base
            .checked_add(if_id as usize)
            .filter(|_| (if_id as usize) < section_count)
            .ok_or_else(|| {
                format!(
                    "a {what} on interface {if_id}, but its section describes {section_count} \
                     interface(s)"
                )
            })?;
        let iface = self
            .interfaces
            .get(iface_index)
            .ok_or("interface table out of step")?;
        let end = start.saturating_add(caplen as usize);
        let data = block
            .get(start..end)
            .filter(|_| end <= block.len().saturating_sub(4))
            .ok_or_else(|| {
                format!(
                    "a {}-byte {what} claims {caplen} captured bytes, more than it holds",
                    block.len()
                )
            })?;
        Ok(Some(Packet {
            frame: self.frames.saturating_add(1),
            ts: ticks.map_or(self.last_ts, |t| iface.timestamp(t)),
            link_type: iface.link_type,
            data,
            orig_len,
            file_offset: Some(offset),
            interface: iface_index as u32,
        }))
    }
}

fn block_name(block_type: u32) -> &'static str {
    match block_type {
        PCAPNG_SHB => "Section Header Block",
        PCAPNG_IDB => "Interface Description Block",
        PCAPNG_PB => "Packet Block",
        PCAPNG_SPB => "Simple Packet Block",
        PCAPNG_EPB => "Enhanced Packet Block",
        0x0000_0004 => "Name Resolution Block",
        0x0000_0005 => "Interface Statistics Block",
        _ => "pcapng block",
    }
}

fn u32_at(bytes: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let raw: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if big_endian {
        u32::from_be_bytes(raw)
    } else {
        u32::from_le_bytes(raw)
    })
}

fn u16_at(bytes: &[u8], at: usize, big_endian: bool) -> Option<u16> {
    let raw: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(if big_endian {
        u16::from_be_bytes(raw)
    } else {
        u16::from_le_bytes(raw)
    })
}

enum Sniffed {
    Pcap,
    PcapNg,
}

/// Tells a capture from everything else by its first bytes, with a message that helps when it
/// is not one.
fn sniff(prefix: &[u8]) -> Result<Sniffed, String> {
    match prefix {
        [] => return Err("the file is empty".into()),
        // Microsecond and nanosecond, both byte orders, and the "modified" (Kuznetzov) format.
        [0xD4, 0xC3, 0xB2, 0xA1, ..]
        | [0x4D, 0x3C, 0xB2, 0xA1, ..]
        | [0xA1, 0xB2, 0xC3, 0xD4, ..]
        | [0xA1, 0xB2, 0x3C, 0x4D, ..]
        | [0x34, 0xCD, 0xB2, 0xA1, ..] => return Ok(Sniffed::Pcap),
        [0x0A, 0x0D, 0x0D, 0x0A, ..] => return Ok(Sniffed::PcapNg),
        _ => {}
    }
    let hint = match prefix {
        [0x1F, 0x8B, ..] => Some("it is gzip-compressed: decompress it first"),
        [0x28, 0xB5, 0x2F, 0xFD, ..] => Some("it is zstd-compressed: decompress it first"),
        [0xFD, b'7', b'z', b'X', b'Z', ..] => Some("it is xz-compressed: decompress it first"),
        [b'B', b'Z', b'h', ..] => Some("it is bzip2-compressed: decompress it first"),
        [b'P', b'K', 0x03, 0x04, ..] => Some("it is a zip archive: extract the capture first"),
        [b's', b'n', b'o', b'o', b'p', 0, ..] => {
            Some("it is a Solaris snoop capture: convert it with `editcap -F pcapng`")
        }
        [0xA1, 0xB2, 0xCD, 0x34, ..] => Some(
            "it is a big-endian modified pcap, which is not supported: convert it with `editcap -F pcapng`",
        ),
        _ => None,
    };
    if let Some(hint) = hint {
        return Err(hint.into());
    }
    if prefix.len() < 4 {
        return Err(format!(
            "it is only {} bytes long, too short for a capture",
            prefix.len()
        ));
    }
    let text_like = prefix
        .iter()
        .all(|&b| b.is_ascii_graphic() || b.is_ascii_whitespace() || b >= 0x80);
    if text_like {
        let start: String =
            String::from_utf8_lossy(prefix.get(..prefix.len().min(24)).unwrap_or(prefix))
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
        return Err(format!(
            "it looks like a text file (it starts with \"{}\"); save the capture as pcap or \
             pcapng",
            start.trim_end()
        ));
    }
    let magic: Vec<String> = prefix.iter().take(4).map(|b| format!("{b:02x}")).collect();
    Err(format!(
        "it starts with bytes {}, which is neither a pcap nor a pcapng magic number",
        magic.join(" ")
    ))
}

/// Reads until `buf` is full or the source ends; retries interrupted reads. Returns the bytes
/// read even when an error follows them, so that none are lost.
fn read_full(source: &mut dyn Read, buf: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..).filter(|r| !r.is_empty()) {
        match source.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n.min(rest.len()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (filled, Some(e)),
        }
    }
    (filled, None)
}

/// The byte source handed to pcap-parser: replays the sniffed prefix, then the rest.
///
/// pcap-parser takes a read of 0 bytes as the end of the file and a short read as all there
/// is, so reads here fill the whole request (a pipe's short reads must not look like a
/// truncation). An I/O error after some bytes were read is held back until those bytes are
/// delivered; its text is kept for [`ReadProblem::detail`].
struct Source {
    prefix: Vec<u8>,
    prefix_pos: usize,
    inner: Box<dyn Read + Send>,
    pending_error: Option<io::Error>,
    last_error: Arc<Mutex<Option<String>>>,
}

impl Source {
    fn fail(&mut self, e: io::Error) -> io::Error {
        if let Ok(mut slot) = self.last_error.lock() {
            *slot = Some(e.to_string());
        }
        e
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = self.pending_error.take() {
            return Err(self.fail(e));
        }
        let mut filled = 0;
        if let Some(rest) = self.prefix.get(self.prefix_pos..).filter(|r| !r.is_empty()) {
            let n = rest.len().min(buf.len());
            if let (Some(dst), Some(src)) = (buf.get_mut(..n), rest.get(..n)) {
                dst.copy_from_slice(src);
            }
            self.prefix_pos += n;
            filled = n;
        }
        if let Some(rest) = buf.get_mut(filled..) {
            let (n, error) = read_full(&mut self.inner, rest);
            filled += n;
            match error {
                Some(e) if filled > 0 => self.pending_error = Some(e),
                Some(e) => return Err(self.fail(e)),
                None => {}
            }
        }
        Ok(filled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    // ---- hand-made captures ----

    fn pcap_header(big_endian: bool, nanosecond: bool, link_type: u32) -> Vec<u8> {
        let magic: u32 = if nanosecond { 0xA1B2_3C4D } else { 0xA1B2_C3D4 };
        let mut v = Vec::new();
        let p32 = |x: u32| {
            if big_endian {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        };
        let p16 = |x: u16| {
            if big_endian {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        };
        v.extend(p32(magic));
        v.extend(p16(2));
        v.extend(p16(4));
        v.extend(p32(0));
        v.extend(p32(0));
        v.extend(p32(262_144));
        v.extend(p32(link_type));
        v
    }

    fn pcap_record(big_endian: bool, secs: u32, frac: u32, data: &[u8], orig: u32) -> Vec<u8> {
        let p32: fn(u32) -> [u8; 4] = if big_endian {
            u32::to_be_bytes
        } else {
            u32::to_le_bytes
        };
        let mut v = Vec::new();
        v.extend(p32(secs));
        v.extend(p32(frac));
        v.extend(p32(data.len() as u32));
        v.extend(p32(orig));
        v.extend(data);
        v
    }

    struct Ng {
        be: bool,
        bytes: Vec<u8>,
    }

    impl Ng {
        fn new(be: bool) -> Self {
            let mut ng = Ng {
                be,
                bytes: Vec::new(),
            };
            ng.shb();
            ng
        }
        fn p32(&self, x: u32) -> [u8; 4] {
            if self.be {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }
        fn p16(&self, x: u16) -> [u8; 2] {
            if self.be {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }
        fn block(&mut self, block_type: u32, body: &[u8]) -> &mut Self {
            let mut body = body.to_vec();
            while !body.len().is_multiple_of(4) {
                body.push(0);
            }
            let len = body.len() as u32 + 12;
            let (t, l) = (self.p32(block_type), self.p32(len));
            self.bytes.extend(t);
            self.bytes.extend(l);
            self.bytes.extend(body);
            self.bytes.extend(l);
            self
        }
        fn shb(&mut self) -> &mut Self {
            let mut body = Vec::new();
            body.extend(self.p32(PCAPNG_BOM));
            body.extend(self.p16(1));
            body.extend(self.p16(0));
            body.extend((-1i64).to_le_bytes());
            self.block(PCAPNG_SHB, &body)
        }
        /// An IDB with optional if_tsresol and if_tsoffset.
        fn idb(&mut self, link_type: u16, tsresol: Option<u8>, tsoffset: Option<i64>) -> &mut Self {
            let mut body = Vec::new();
            body.extend(self.p16(link_type));
            body.extend(self.p16(0));
            body.extend(self.p32(0));
            if let Some(r) = tsresol {
                body.extend(self.p16(9));
                body.extend(self.p16(1));
                body.extend([r, 0, 0, 0]);
            }
            if let Some(o) = tsoffset {
                body.extend(self.p16(14));
                body.extend(self.p16(8));
                body.extend(if self.be {
                    o.to_be_bytes()
                } else {
                    o.to_le_bytes()
                });
            }
            if tsresol.is_some() || tsoffset.is_some() {
                body.extend([0, 0, 0, 0]);
            }
            self.block(PCAPNG_IDB, &body)
        }
        fn epb(&mut self, if_id: u32, ticks: u64, data: &[u8], orig: u32) -> &mut Self {
            let mut body = Vec::new();
            body.extend(self.p32(if_id));
            body.extend(self.p32((ticks >> 32) as u32));
            body.extend(self.p32(ticks as u32));
            body.extend(self.p32(data.len() as u32));
            body.extend(self.p32(orig));
            body.extend(data);
            self.block(PCAPNG_EPB, &body)
        }
        fn spb(&mut self, data: &[u8]) -> &mut Self {
            let mut body = Vec::new();
            body.extend(self.p32(data.len() as u32));
            body.extend(data);
            self.block(PCAPNG_SPB, &body)
        }
        fn pb(&mut self, if_id: u16, ticks: u64, data: &[u8]) -> &mut Self {
            let mut body = Vec::new();
            body.extend(self.p16(if_id));
            body.extend(self.p16(0));
            body.extend(self.p32((ticks >> 32) as u32));
            body.extend(self.p32(ticks as u32));
            body.extend(self.p32(data.len() as u32));
            body.extend(self.p32(data.len() as u32));
            body.extend(data);
            self.block(PCAPNG_PB, &body)
        }
    }

    #[derive(Debug, Clone, PartialEq)]
    struct Seen {
        frame: u64,
        ts: i64,
        link: u32,
        data: Vec<u8>,
        orig_len: u32,
        offset: Option<u64>,
        interface: u32,
    }

    fn read_all(reader: &mut CaptureReader, batch: usize) -> Vec<Seen> {
        let mut seen = Vec::new();
        loop {
            let n = reader.read_packets(batch, &mut |p| {
                seen.push(Seen {
                    frame: p.frame,
                    ts: p.ts.0,
                    link: p.link_type.0,
                    data: p.data.to_vec(),
                    orig_len: p.orig_len,
                    offset: p.file_offset,
                    interface: p.interface,
                })
            });
            if n == 0 {
                break;
            }
        }
        seen
    }

    fn reader(bytes: &[u8]) -> CaptureReader {
        CaptureReader::from_reader(
            Box::new(Cursor::new(bytes.to_vec())),
            Path::new("test.cap"),
            Some(bytes.len() as u64),
        )
        .expect("opens")
    }

    fn open_err(bytes: &[u8]) -> CaptureError {
        match CaptureReader::from_reader(
            Box::new(Cursor::new(bytes.to_vec())),
            Path::new("test.cap"),
            None,
        ) {
            Ok(_) => panic!("should not open"),
            Err(e) => e,
        }
    }

    /// Hands out at most one byte per read, like the slowest pipe.
    struct Trickle(Cursor<Vec<u8>>);
    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(1);
            self.0.read(&mut buf[..n])
        }
    }

    /// Fails after `ok` bytes.
    struct FailAfter(Cursor<Vec<u8>>, usize);
    impl Read for FailAfter {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let left = self.1.saturating_sub(self.0.position() as usize);
            if left == 0 {
                return Err(io::Error::other("disk on fire"));
            }
            let n = buf.len().min(left);
            self.0.read(&mut buf[..n])
        }
    }

    // ---- pcap ----

    #[test]
    fn pcap_little_endian_microseconds() {
        let mut f = pcap_header(false, false, 1);
        f.extend(pcap_record(false, 100, 250_000, &[1, 2, 3], 3));
        f.extend(pcap_record(false, 101, 5, &[4, 5], 60));
        let mut r = reader(&f);
        assert_eq!(
            r.format(),
            CaptureFormat::Pcap {
                nanosecond: false,
                big_endian: false
            }
        );
        let seen = read_all(&mut r, 10);
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].frame, 1);
        assert_eq!(seen[0].ts, 100_250_000_000);
        assert_eq!(seen[0].data, vec![1, 2, 3]);
        assert_eq!(seen[0].offset, Some(24));
        assert_eq!(seen[1].frame, 2);
        assert_eq!(seen[1].ts, 101_000_005_000);
        assert_eq!(seen[1].orig_len, 60);
        assert_eq!(seen[1].offset, Some(24 + 16 + 3));
        assert_eq!(r.problem(), None);
        assert_eq!(r.bytes_read(), f.len() as u64);
        assert_eq!(r.total_bytes(), Some(f.len() as u64));
        assert_eq!(r.packets_read(), 2);
        assert_eq!(r.link_types(), vec![LinkType::ETHERNET]);
        assert!(r.is_finished());
    }

    #[test]
    fn pcap_big_endian_nanoseconds() {
        let mut f = pcap_header(true, true, 113);
        f.extend(pcap_record(true, 7, 123_456_789, &[9; 20], 40));
        let mut r = reader(&f);
        assert_eq!(
            r.format(),
            CaptureFormat::Pcap {
                nanosecond: true,
                big_endian: true
            }
        );
        assert_eq!(r.format().name(), "pcap (nanosecond)");
        let seen = read_all(&mut r, 10);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].ts, 7_123_456_789);
        assert_eq!(seen[0].link, 113);
        assert_eq!(seen[0].data.len(), 20);
        assert_eq!(seen[0].orig_len, 40);
        assert_eq!(r.problem(), None);
    }

    #[test]
    fn pcap_big_endian_microseconds_and_fcs_bits_in_link_type() {
        let mut f = pcap_header(true, false, 0x1000_0001);
        f.extend(pcap_record(true, 1, 2, &[1], 1));
        let mut r = reader(&f);
        assert_eq!(
            r.format(),
            CaptureFormat::Pcap {
                nanosecond: false,
                big_endian: true
            }
        );
        assert_eq!(read_all(&mut r, 1)[0].ts, 1_000_002_000);
        assert_eq!(r.link_types(), vec![LinkType::ETHERNET]);
    }

    #[test]
    fn pcap_truncated_record_keeps_earlier_packets() {
        let mut f = pcap_header(false, false, 1);
        for i in 0..3 {
            f.extend(pcap_record(false, i, 0, &[i as u8; 50], 50));
        }
        let third = 24 + 2 * 66;
        // Cut inside the data, and inside the record header.
        for cut in [f.len() - 10, third + 7] {
            let mut r = reader(&f[..cut]);
            let seen = read_all(&mut r, 2);
            assert_eq!(seen.len(), 2, "cut at {cut}");
            let p = r.problem().expect("problem");
            assert_eq!(p.kind, ReadProblemKind::Truncated);
            assert_eq!(p.offset, third as u64);
            assert_eq!(p.after_frame, 2);
            assert!(p.detail.contains("offset 156"), "{}", p.detail);
            assert_eq!(r.read_packets(10, &mut |_| panic!("no more")), 0);
        }
    }

    #[test]
    fn pcap_absurd_caplen_is_corrupt_without_allocating() {
        let mut f = pcap_header(false, false, 1);
        f.extend(pcap_record(false, 1, 0, &[1, 2, 3, 4], 4));
        let mut bad = pcap_record(false, 2, 0, &[], 0);
        bad[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        f.extend(bad);
        f.extend([0u8; 64]);
        let mut r = reader(&f);
        assert_eq!(read_all(&mut r, 10).len(), 1);
        let p = r.problem().expect("problem");
        assert_eq!(p.kind, ReadProblemKind::Corrupt);
        assert_eq!(p.offset, 24 + 20);
        assert_eq!(p.after_frame, 1);
        assert_eq!(r.capacity, READ_BUFFER);
    }

    #[test]
    fn pcap_header_only_is_an_empty_capture() {
        let f = pcap_header(false, false, 101);
        let mut r = reader(&f);
        assert!(read_all(&mut r, 10).is_empty());
        assert_eq!(r.problem(), None);
        assert_eq!(r.link_types(), vec![LinkType::RAW]);
    }

    // ---- pcapng ----

    #[test]
    fn pcapng_interfaces_resolutions_and_packet_kinds() {
        let mut ng = Ng::new(false);
        ng.idb(1, None, None) // microseconds
            .idb(101, Some(9), Some(1000)) // nanoseconds, +1000 s
            .epb(0, 1_500_000, &[1, 2, 3], 3)
            .epb(1, 2_000_000_001, &[4, 5, 6, 7, 8], 9)
            .block(4, &[0, 0, 0, 0]) // a name resolution block, ignored
            .spb(&[9, 9])
            .pb(1, 5, &[7]);
        let mut r = reader(&ng.bytes);
        assert_eq!(r.format(), CaptureFormat::PcapNg);
        let seen = read_all(&mut r, 3);
        assert_eq!(r.problem(), None);
        assert_eq!(seen.len(), 4);
        assert_eq!(r.link_types(), vec![LinkType::ETHERNET, LinkType::RAW]);
        assert_eq!(
            (seen[0].frame, seen[0].ts, seen[0].link),
            (1, 1_500_000_000, 1)
        );
        assert_eq!(seen[0].data, vec![1, 2, 3]);
        assert_eq!(
            (seen[1].frame, seen[1].ts, seen[1].link),
            (2, 1_002_000_000_001, 101)
        );
        assert_eq!(seen[1].interface, 1);
        assert_eq!(seen[1].orig_len, 9);
        // SPB: interface 0, the previous packet's time.
        assert_eq!(
            (seen[2].frame, seen[2].ts, seen[2].link),
            (3, 1_002_000_000_001, 1)
        );
        assert_eq!(seen[2].data, vec![9, 9]);
        assert_eq!(seen[2].interface, 0);
        // Obsolete Packet Block.
        assert_eq!(
            (seen[3].frame, seen[3].ts, seen[3].link),
            (4, 1_000_000_000_005, 101)
        );
        assert_eq!(seen[3].data, vec![7]);
        // Offsets point at the blocks: SHB 28, IDB 20, IDB 20+8+12+4=44.
        assert_eq!(seen[0].offset, Some(28 + 20 + 44));
        assert_eq!(r.bytes_read(), ng.bytes.len() as u64);
    }

    #[test]
    fn pcapng_binary_resolution() {
        let mut ng = Ng::new(false);
        // 2^-10 s units: 1024 ticks = 1 s, 512 = 0.5 s, 1 = 976562.5 ns (truncated).
        ng.idb(1, Some(0x80 | 10), None)
            .epb(0, 1024 + 512, &[0], 1)
            .epb(0, 1, &[0], 1);
        let seen = read_all(&mut reader(&ng.bytes), 10);
        assert_eq!(seen[0].ts, 1_500_000_000);
        assert_eq!(seen[1].ts, 976_562);
    }

    #[test]
    fn pcapng_extreme_resolutions_do_not_overflow() {
        let mut ng = Ng::new(false);
        ng.idb(1, Some(127), Some(i64::MAX))
            .idb(1, Some(0xFF), Some(i64::MIN))
            .idb(1, Some(0), None)
            .epb(0, u64::MAX, &[0], 1)
            .epb(1, u64::MAX, &[0], 1)
            .epb(2, u64::MAX, &[0], 1);
        let seen = read_all(&mut reader(&ng.bytes), 10);
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].ts, i64::MAX);
        assert_eq!(seen[1].ts, i64::MIN);
        assert_eq!(seen[2].ts, i64::MAX);
    }

    #[test]
    fn pcapng_big_endian_section() {
        let mut ng = Ng::new(true);
        ng.idb(113, Some(3), Some(-5))
            .epb(0, 7_250, &[1, 2, 3, 4, 5], 5);
        let seen = read_all(&mut reader(&ng.bytes), 10);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].link, 113);
        assert_eq!(seen[0].ts, 2_250_000_000);
        assert_eq!(seen[0].data, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn pcapng_second_section_numbers_interfaces_on_and_may_change_byte_order() {
        let mut ng = Ng::new(false);
        ng.idb(1, None, None).epb(0, 1, &[1], 1);
        let mut second = Ng::new(true);
        second
            .idb(101, None, None)
            .idb(229, None, None)
            .epb(1, 2, &[2], 1)
            .epb(0, 3, &[3], 1);
        ng.bytes.extend(second.bytes);
        let mut r = reader(&ng.bytes);
        let seen = read_all(&mut r, 10);
        assert_eq!(r.problem(), None);
        let ifaces: Vec<(u32, u32)> = seen.iter().map(|s| (s.interface, s.link)).collect();
        assert_eq!(ifaces, vec![(0, 1), (2, 229), (1, 101)]);
        assert_eq!(
            r.link_types(),
            vec![LinkType(1), LinkType(101), LinkType(229)]
        );
    }

    fn bad_length_file(len: u32) -> (Vec<u8>, u64) {
        let mut ng = Ng::new(false);
        ng.idb(1, None, None)
            .epb(0, 1, &[1; 10], 10)
            .epb(0, 2, &[2; 10], 10);
        let at = ng.bytes.len() as u64;
        ng.epb(0, 3, &[3; 10], 10);
        let at_usize = at as usize;
        ng.bytes[at_usize + 4..at_usize + 8].copy_from_slice(&len.to_le_bytes());
        (ng.bytes, at)
    }

    #[test]
    fn pcapng_block_length_zero_is_corrupt() {
        let (f, at) = bad_length_file(0);
        let mut r = reader(&f);
        assert_eq!(read_all(&mut r, 10).len(), 2);
        let p = r.problem().expect("problem");
        assert_eq!(p.kind, ReadProblemKind::Corrupt);
        assert_eq!((p.offset, p.after_frame), (at, 2));
        assert!(p.detail.contains("length 0"), "{}", p.detail);
    }

    #[test]
    fn pcapng_block_length_all_ones_is_corrupt_and_memory_stays_bounded() {
        for len in [u32::MAX, 0xFFFF_FFF0, (MAX_CAPTURE_RECORD as u32) + 4, 13] {
            let (f, at) = bad_length_file(len);
            let mut r = reader(&f);
            assert_eq!(read_all(&mut r, 10).len(), 2);
            let p = r.problem().expect("problem");
            assert_eq!(p.kind, ReadProblemKind::Corrupt, "{len}: {}", p.detail);
            assert_eq!((p.offset, p.after_frame), (at, 2));
            assert!(r.capacity <= MAX_CAPTURE_RECORD);
        }
    }

    #[test]
    fn pcapng_caplen_beyond_block_is_corrupt() {
        let mut ng = Ng::new(false);
        ng.idb(1, None, None).epb(0, 1, &[1; 8], 8);
        let epb = ng.bytes.len() - 40;
        ng.bytes[epb + 20..epb + 24].copy_from_slice(&1000u32.to_le_bytes());
        let mut r = reader(&ng.bytes);
        assert!(read_all(&mut r, 10).is_empty());
        assert_eq!(r.problem().map(|p| p.kind), Some(ReadProblemKind::Corrupt));
    }

    #[test]
    fn pcapng_mismatched_trailer_and_unknown_interface_are_corrupt() {
        let mut ng = Ng::new(false);
        ng.idb(1, None, None).epb(0, 1, &[1; 8], 8);
        let last = ng.bytes.len() - 4;
        ng.bytes[last] ^= 0x40;
        let mut r = reader(&ng.bytes);
        assert!(read_all(&mut r, 10).is_empty());
        assert_eq!(r.problem().map(|p| p.kind), Some(ReadProblemKind::Corrupt));

        let mut ng = Ng::new(false);
        ng.idb(1, None, None).epb(3, 1, &[1; 8], 8);
        let mut r = reader(&ng.bytes);
        assert!(read_all(&mut r, 10).is_empty());
        let p = r.problem().expect("problem");
        assert!(p.detail.contains("interface 3"), "{}", p.detail);

        // A Simple Packet Block before any interface.
        let mut ng = Ng::new(false);
        ng.spb(&[1, 2]);
        let mut r = reader(&ng.bytes);
        assert!(read_all(&mut r, 10).is_empty());
        assert_eq!(r.problem().map(|p| p.kind), Some(ReadProblemKind::Corrupt));
    }

    #[test]
    fn pcapng_truncated_last_block() {
        let mut ng = Ng::new(false);
        ng.idb(1, None, None).epb(0, 1, &[1; 30], 30);
        let at = ng.bytes.len() as u64;
        ng.epb(0, 2, &[2; 30], 30);
        for cut in [ng.bytes.len() - 1, at as usize + 5, at as usize + 9] {
            let mut r = reader(&ng.bytes[..cut]);
            assert_eq!(read_all(&mut r, 10).len(), 1);
            let p = r.problem().expect("problem");
            assert_eq!(p.kind, ReadProblemKind::Truncated, "{}", p.detail);
            assert_eq!((p.offset, p.after_frame), (at, 1));
        }
    }

    #[test]
    fn garbage_after_valid_data_stops_with_a_problem() {
        let mut ng = Ng::new(false);
        ng.idb(1, None, None).epb(0, 1, &[1; 30], 30);
        let at = ng.bytes.len() as u64;
        ng.bytes
            .extend(b"this is certainly not a pcapng block, just text appended");
        let mut r = reader(&ng.bytes);
        assert_eq!(read_all(&mut r, 10).len(), 1);
        let p = r.problem().expect("problem");
        assert_eq!((p.offset, p.after_frame), (at, 1));

        let mut f = pcap_header(false, false, 1);
        f.extend(pcap_record(false, 1, 0, &[1, 2, 3, 4], 4));
        f.extend([0xFFu8; 40]);
        let mut r = reader(&f);
        assert_eq!(read_all(&mut r, 10).len(), 1);
        assert!(r.problem().is_some());
    }

    #[test]
    fn record_larger_than_the_buffer_grows_it_within_the_limit() {
        let big = vec![0xAB; READ_BUFFER * 2 + 3];
        let mut ng = Ng::new(false);
        ng.idb(1, None, None)
            .epb(0, 1, &[1], 1)
            .epb(0, 2, &big, big.len() as u32)
            .epb(0, 3, &[3], 1);
        let mut r = reader(&ng.bytes);
        let seen = read_all(&mut r, 10);
        assert_eq!(r.problem(), None);
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[1].data.len(), big.len());
        assert!(r.capacity > READ_BUFFER && r.capacity <= MAX_CAPTURE_RECORD);
    }

    #[test]
    fn short_reads_change_nothing() {
        let mut ng = Ng::new(false);
        ng.idb(1, None, None);
        for i in 0..50u8 {
            ng.epb(0, u64::from(i), &[i; 33], 33);
        }
        let expected = read_all(&mut reader(&ng.bytes), 7);
        let mut r = CaptureReader::from_reader(
            Box::new(Trickle(Cursor::new(ng.bytes.clone()))),
            Path::new("pipe"),
            None,
        )
        .expect("opens");
        assert_eq!(read_all(&mut r, 7), expected);
        assert_eq!(r.problem(), None);
        assert_eq!(expected.len(), 50);
    }

    #[test]
    fn io_error_mid_file_is_reported_after_the_packets_before_it() {
        let mut f = pcap_header(false, false, 1);
        for i in 0..100u32 {
            f.extend(pcap_record(false, i, 0, &[7; 100], 100));
        }
        let fail_at = 24 + 116 * 40 + 50;
        let mut r = CaptureReader::from_reader(
            Box::new(FailAfter(Cursor::new(f), fail_at)),
            Path::new("flaky"),
            None,
        )
        .expect("opens");
        let seen = read_all(&mut r, 1000);
        assert_eq!(seen.len(), 40);
        let p = r.problem().expect("problem");
        assert_eq!(p.kind, ReadProblemKind::Io);
        assert_eq!(p.after_frame, 40);
        assert!(p.detail.contains("disk on fire"), "{}", p.detail);
    }

    #[test]
    fn every_prefix_of_a_capture_reads_cleanly_or_reports_truncation() {
        let mut ng = Ng::new(false);
        ng.idb(1, Some(9), None)
            .epb(0, 1, &[1; 13], 13)
            .spb(&[2; 5])
            .epb(0, 3, &[3; 1], 1);
        let full = read_all(&mut reader(&ng.bytes), 10);
        for cut in 28..ng.bytes.len() {
            let mut r = reader(&ng.bytes[..cut]);
            let seen = read_all(&mut r, 10);
            assert_eq!(seen[..], full[..seen.len()]);
            if let Some(p) = r.problem() {
                assert_eq!(
                    p.kind,
                    ReadProblemKind::Truncated,
                    "cut {cut}: {}",
                    p.detail
                );
                assert_eq!(p.after_frame, seen.len() as u64);
            } else {
                assert!(seen.len() <= full.len());
            }
        }
    }

    // ---- opening ----

    #[test]
    fn missing_file_is_io() {
        let e = CaptureReader::open(Path::new("/nonexistent/dir/x.pcap"))
            .err()
            .expect("error");
        assert!(matches!(e, CaptureError::Io { .. }), "{e}");
    }

    #[test]
    fn non_captures_are_refused_with_a_reason() {
        let cases: [(&[u8], &str); 6] = [
            (b"", "empty"),
            (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "text"),
            (&[0x1F, 0x8B, 8, 0, 0, 0], "gzip"),
            (&[0xD4, 0xC3, 0xB2, 0xA1, 2, 0], "cut short"),
            (
                &[0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C],
                "Section Header",
            ),
            (&[0, 1, 2, 3, 4, 5, 6, 7], "00 01 02 03"),
        ];
        for (bytes, needle) in cases {
            match open_err(bytes) {
                CaptureError::NotACapture { detail, .. } => {
                    assert!(detail.contains(needle), "{needle}: {detail}")
                }
                e => panic!("{needle}: {e}"),
            }
        }
        // A pcapng header with a bad byte-order mark.
        let mut ng = Ng::new(false);
        ng.bytes[8] = 0x99;
        assert!(matches!(
            open_err(&ng.bytes),
            CaptureError::NotACapture { .. }
        ));
    }

    fn sample_files() -> Vec<Vec<u8>> {
        let mut ng = Ng::new(false);
        ng.idb(1, Some(9), Some(3))
            .epb(0, 1, &[1; 13], 13)
            .spb(&[2; 5])
            .pb(0, 4, &[4; 6])
            .epb(0, 3, &[3; 1], 1);
        let mut pcap = pcap_header(true, true, 1);
        pcap.extend(pcap_record(true, 1, 2, &[5; 20], 20));
        pcap.extend(pcap_record(true, 3, 4, &[6; 3], 70));
        vec![ng.bytes, pcap]
    }

    proptest::proptest! {
        #[test]
        fn damaged_files_never_panic_and_stop_with_a_reason(
            which in 0usize..2,
            flips in proptest::collection::vec((0usize..200, proptest::num::u8::ANY), 1..8),
            cut in 0usize..220,
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
        ) {
            let mut f = sample_files().swap_remove(which);
            for (at, x) in flips {
                if let Some(b) = f.get_mut(at) {
                    *b ^= x;
                }
            }
            f.truncate(cut.max(4));
            f.extend(tail);
            if let Ok(mut r) = CaptureReader::from_reader(
                Box::new(Cursor::new(f.clone())),
                Path::new("fuzz"),
                None,
            ) {
                let seen = read_all(&mut r, 3);
                proptest::prop_assert!(r.is_finished());
                proptest::prop_assert!(r.capacity <= MAX_CAPTURE_RECORD);
                proptest::prop_assert!(r.bytes_read() <= f.len() as u64);
                if let Some(p) = r.problem() {
                    proptest::prop_assert_eq!(p.after_frame, seen.len() as u64);
                    proptest::prop_assert_eq!(p.offset, r.bytes_read());
                } else {
                    proptest::prop_assert_eq!(r.bytes_read(), f.len() as u64);
                }
            }
        }
    }

    #[test]
    fn reader_is_send() {
        fn send<T: Send>() {}
        send::<CaptureReader>();
    }
}
