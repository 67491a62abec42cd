//! A session as a pcapng file: the frames of its TCP connections (RTSP and any `$`-interleaved
//! media on them) and of its UDP media flows (the RTP and RTCP ports of its SETUP replies),
//! copied from the original capture with their timestamps and link types, so that Wireshark
//! or tshark opens the session alone.
//!
//! The capture is read twice, packet by packet (memory does not grow with its size): first to
//! find where each connection of the session starts and ends (a 4-tuple can be used again by a
//! later connection: the SYN that opens it and the SYN that opens the next one bound it, as
//! tshark's tcp.stream does), then to copy the frames.
//!
//! The blocks are written by hand: a Section Header, an Interface Description per link type
//! used, and Enhanced Packets, each a few fields (pcapng, RFC draft-ietf-opsawg-pcapng). That is
//! less code than adapting a writer crate's types, and adds no dependency.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::SocketAddr;

use crate::capture::file::{CaptureError, CaptureReader};
use crate::capture::link::{self, Transport};
use crate::capture::{LinkType, Packet};
use crate::engine::Credentials;
use crate::export::scrub::Scrubber;
use crate::model::{MessageKind, Model};
use crate::rtsp::headers;

/// What goes into the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// A session (by index in the model): its connections and its UDP media.
    Session(usize),
    /// A TCP connection (by id).
    Connection(u32),
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Written {
    pub packets: u64,
    pub tcp_packets: u64,
    pub udp_packets: u64,
    pub bytes: u64,
    /// Set when the capture could not be read to its end (what was read is written).
    pub capture_problem: Option<String>,
    /// Packets in which credentials were masked (`*` for each byte, lengths kept).
    pub masked_packets: u64,
    /// Packets left out because their credentials could not be masked.
    pub left_out: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PcapngError {
    #[error("{0}")]
    Capture(#[from] CaptureError),
    #[error("writing the pcapng: {0}")]
    Io(#[from] io::Error),
    #[error("{0}")]
    Selection(String),
}

/// An unordered address pair: both directions of a flow.
type Pair = (SocketAddr, SocketAddr);

fn pair(a: SocketAddr, b: SocketAddr) -> Pair {
    if a <= b { (a, b) } else { (b, a) }
}

/// One TCP connection of the session, and the frames that bound it.
#[derive(Debug, Clone)]
struct ConnectionWindow {
    first_frame: u64,
    last_frame: u64,
    /// The frame of the SYN that opened it (the last one at or before its first RTSP frame).
    start: u64,
    /// The frame of the next connection's SYN on the same addresses.
    end: Option<u64>,
}

impl ConnectionWindow {
    fn contains(&self, frame: u64) -> bool {
        frame >= self.start && self.end.is_none_or(|end| frame < end)
    }
}

/// Which frames belong to the session.
struct Selection {
    /// The session whose UDP media is wanted.
    session: Option<usize>,
    tcp: HashMap<Pair, Vec<ConnectionWindow>>,
    /// Per UDP address pair: the frames of the SETUP replies that gave it to a session, in
    /// frame order, as (frame, session). A pair belongs to the session that named it last.
    udp: HashMap<Pair, Vec<(u64, usize)>>,
}

impl Selection {
    fn of(model: &Model, connections: &[u32], session: Option<usize>) -> Selection {
        let mut tcp: HashMap<Pair, Vec<ConnectionWindow>> = HashMap::new();
        for id in connections {
            let Some(c) = model.connections.iter().find(|c| c.id == *id) else {
                continue;
            };
            let (Ok(client), Ok(server)) = (c.client.parse(), c.server.parse()) else {
                continue;
            };
            tcp.entry(pair(client, server))
                .or_default()
                .push(ConnectionWindow {
                    first_frame: c.first_frame,
                    last_frame: c.last_frame,
                    start: 0,
                    end: None,
                });
        }
        let mut udp: HashMap<Pair, Vec<(u64, usize)>> = HashMap::new();
        for (s, other) in model.sessions.iter().enumerate() {
            let Ok(client) = other.client.parse::<SocketAddr>() else {
                continue;
            };
            let Ok(server) = other.server.parse::<SocketAddr>() else {
                continue;
            };
            for reply in other
                .messages
                .iter()
                .filter_map(|&m| model.messages.get(m))
                .filter(|m| {
                    m.kind == MessageKind::Response
                        && m.status.is_some_and(|s| (200..300).contains(&s))
                        && m.pair
                            .and_then(|p| model.messages.get(p))
                            .is_some_and(|r| r.method.as_deref() == Some("SETUP"))
                })
            {
                let Some(transport) = reply.header("Transport") else {
                    continue;
                };
                // As the engine counts media (session::tracker): the client's and the server's
                // ports, at `destination`/`source` where the reply names them.
                for spec in headers::parse_transport(transport) {
                    let (Some((crtp, crtcp)), Some((srtp, srtcp))) =
                        (spec.client_port, spec.server_port)
                    else {
                        continue;
                    };
                    let client_ip = spec
                        .destination
                        .as_deref()
                        .and_then(|d| d.trim_matches(['[', ']']).parse().ok())
                        .unwrap_or(client.ip());
                    let server_ip = spec
                        .source
                        .as_deref()
                        .and_then(|d| d.trim_matches(['[', ']']).parse().ok())
                        .unwrap_or(server.ip());
                    for (cport, sport) in [(crtp, srtp), (crtcp, srtcp)] {
                        udp.entry(pair(
                            SocketAddr::new(client_ip, cport),
                            SocketAddr::new(server_ip, sport),
                        ))
                        .or_default()
                        .push((reply.frame, s));
                    }
                }
            }
        }
        for claims in udp.values_mut() {
            claims.sort_unstable();
        }
        Selection { session, tcp, udp }
    }

    /// First pass: the SYNs that bound each connection.
    fn see_syn(&mut self, frame: u64, flows: Pair) {
        let Some(windows) = self.tcp.get_mut(&flows) else {
            return;
        };
        for w in windows {
            if frame <= w.first_frame {
                w.start = frame;
            } else if frame > w.last_frame && w.end.is_none() {
                w.end = Some(frame);
            }
        }
    }

    fn wants(&self, transport: &Transport<'_>, frame: u64) -> bool {
        match transport {
            Transport::Tcp(segment) => self
                .tcp
                .get(&pair(segment.src, segment.dst))
                .is_some_and(|windows| windows.iter().any(|w| w.contains(frame))),
            Transport::Udp(datagram) => self
                .udp
                .get(&pair(datagram.src, datagram.dst))
                .and_then(|claims| claims.iter().rev().find(|(at, _)| *at <= frame))
                .is_some_and(|&(_, s)| Some(s) == self.session),
        }
    }
}

/// Packets read between two checks of the reader's state.
const BATCH: usize = 4096;

/// Writes the frames of a session (its connections and its UDP media), or of one connection,
/// to `out`. `open` opens the capture the model was built from (it is read twice). Unless
/// `credentials` says to reveal them, credentials in TCP payloads are masked byte for byte.
pub fn write(
    open: &dyn Fn() -> Result<CaptureReader, CaptureError>,
    model: &Model,
    what: What,
    credentials: Credentials,
    out: impl Write,
) -> Result<Written, PcapngError> {
    let mut selection = match what {
        What::Session(s) => {
            let session = model.sessions.get(s).ok_or_else(|| {
                PcapngError::Selection(format!(
                    "there is no session {s} (the capture has {})",
                    model.sessions.len()
                ))
            })?;
            Selection::of(model, &session.connections, Some(s))
        }
        What::Connection(c) => {
            if !model.connections.iter().any(|conn| conn.id == c) {
                return Err(PcapngError::Selection(format!(
                    "there is no connection #{c}"
                )));
            }
            Selection::of(model, &[c], None)
        }
    };

    let mut reader = open()?;
    while reader.read_packets(BATCH, &mut |packet| {
        if let Ok(Transport::Tcp(segment)) =
            link::decode(packet.link_type, packet.data, packet.orig_len)
            && segment.flags.syn
            && !segment.flags.ack
        {
            selection.see_syn(packet.frame, pair(segment.src, segment.dst));
        }
    }) > 0
    {}

    let mut reader = open()?;
    let mut writer = Writer::new(out)?;
    let mut written = Written::default();
    let mut failure: Option<io::Error> = None;
    let mut scrubber = (credentials == Credentials::Masked).then(Scrubber::default);
    let mut scrubbed = Vec::new();
    while failure.is_none()
        && reader.read_packets(BATCH, &mut |packet| {
            if failure.is_some() {
                return;
            }
            let Ok(transport) = link::decode(packet.link_type, packet.data, packet.orig_len) else {
                return;
            };
            if !selection.wants(&transport, packet.frame) {
                return;
            }
            let mut copy = *packet;
            if let (Some(scrubber), Transport::Tcp(segment)) = (&mut scrubber, &transport) {
                if !segment.payload.is_empty() {
                    scrubbed.clear();
                    scrubbed.extend_from_slice(packet.data);
                    // The payload is a slice of the packet's bytes: the same place in the copy.
                    let start = (segment.payload.as_ptr() as usize)
                        .saturating_sub(packet.data.as_ptr() as usize);
                    let end = start + segment.payload.len();
                    let Some(payload) = scrubbed.get_mut(start..end) else {
                        // Cannot happen; if it did, the packet is left out rather than leak.
                        written.left_out += 1;
                        return;
                    };
                    if scrubber.scrub(segment.src, segment.dst, segment.seq, payload) > 0 {
                        written.masked_packets += 1;
                        copy.data = &scrubbed;
                    }
                }
                if segment.flags.rst {
                    scrubber.reset(segment.src, segment.dst);
                } else if segment.flags.fin {
                    scrubber.finish(segment.src, segment.dst);
                }
            }
            let packet = &copy;
            match writer.packet(packet) {
                Ok(()) => {
                    written.packets += 1;
                    written.bytes += packet.data.len() as u64;
                    match transport {
                        Transport::Tcp(_) => written.tcp_packets += 1,
                        Transport::Udp(_) => written.udp_packets += 1,
                    }
                }
                Err(error) => failure = Some(error),
            }
        }) > 0
    {}
    if let Some(error) = failure {
        return Err(error.into());
    }
    written.capture_problem = reader.problem().map(|p| p.to_string());
    writer.finish()?;
    Ok(written)
}

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 0x0000_0001;
const EPB: u32 = 0x0000_0006;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
const OPT_END: u16 = 0;
const SHB_USERAPPL: u16 = 4;
const IF_TSRESOL: u16 = 9;

/// A pcapng writer: one section, an interface per (original interface), nanosecond timestamps.
struct Writer<W: Write> {
    out: W,
    /// Original interface number → ours.
    interfaces: HashMap<u32, u32>,
}

impl<W: Write> Writer<W> {
    fn new(mut out: W) -> io::Result<Self> {
        let mut body = Vec::with_capacity(64);
        body.extend_from_slice(&BYTE_ORDER_MAGIC.to_le_bytes());
        body.extend_from_slice(&1u16.to_le_bytes()); // major version
        body.extend_from_slice(&0u16.to_le_bytes()); // minor version
        body.extend_from_slice(&(-1i64).to_le_bytes()); // section length: not given
        let application = format!("rtsp-inspector {}", env!("CARGO_PKG_VERSION"));
        option(&mut body, SHB_USERAPPL, application.as_bytes());
        option(&mut body, OPT_END, &[]);
        block(&mut out, SHB, &body)?;
        Ok(Writer {
            out,
            interfaces: HashMap::new(),
        })
    }

    fn interface(&mut self, original: u32, link_type: LinkType) -> io::Result<u32> {
        if let Some(&id) = self.interfaces.get(&original) {
            return Ok(id);
        }
        let id = self.interfaces.len() as u32;
        let mut body = Vec::with_capacity(24);
        // The link type field has 16 bits; LINKTYPE_ values above that do not exist.
        body.extend_from_slice(&(link_type.0 as u16).to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes()); // reserved
        body.extend_from_slice(&0u32.to_le_bytes()); // snap length: no limit
        option(&mut body, IF_TSRESOL, &[9]); // 10^-9 s: the reader's timestamps are in ns
        option(&mut body, OPT_END, &[]);
        block(&mut self.out, IDB, &body)?;
        self.interfaces.insert(original, id);
        Ok(id)
    }

    fn packet(&mut self, packet: &Packet<'_>) -> io::Result<()> {
        let interface = self.interface(packet.interface, packet.link_type)?;
        let ts = u64::try_from(packet.ts.0).unwrap_or(0);
        let captured = packet.data.len() as u32;
        let mut body = Vec::with_capacity(20 + packet.data.len() + 4);
        body.extend_from_slice(&interface.to_le_bytes());
        body.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(ts as u32).to_le_bytes());
        body.extend_from_slice(&captured.to_le_bytes());
        body.extend_from_slice(&packet.orig_len.max(captured).to_le_bytes());
        body.extend_from_slice(packet.data);
        pad(&mut body);
        block(&mut self.out, EPB, &body)
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn pad(body: &mut Vec<u8>) {
    while !body.len().is_multiple_of(4) {
        body.push(0);
    }
}

/// An option: code, length, value padded to 32 bits.
fn option(body: &mut Vec<u8>, code: u16, value: &[u8]) {
    body.extend_from_slice(&code.to_le_bytes());
    body.extend_from_slice(&(value.len() as u16).to_le_bytes());
    body.extend_from_slice(value);
    pad(body);
}

/// A block: type, total length, body, total length again.
fn block(out: &mut impl Write, kind: u32, body: &[u8]) -> io::Result<()> {
    let total = u32::try_from(body.len() + 12)
        .map_err(|_| io::Error::other("a packet too large for a pcapng block"))?;
    out.write_all(&kind.to_le_bytes())?;
    out.write_all(&total.to_le_bytes())?;
    out.write_all(body)?;
    out.write_all(&total.to_le_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Timestamp;

    /// The writer's output is read back by the project's own reader: same frames, same times.
    #[test]
    fn blocks_read_back() {
        let mut bytes = Vec::new();
        let mut writer = Writer::new(&mut bytes).expect("header");
        let data = [0xABu8; 61];
        for (frame, ts) in [
            (1, 1_700_000_000_123_456_789i64),
            (2, 1_700_000_001_000_000_001),
        ] {
            writer
                .packet(&Packet {
                    frame,
                    ts: Timestamp(ts),
                    link_type: LinkType::ETHERNET,
                    data: &data,
                    orig_len: 100,
                    file_offset: None,
                    interface: 3,
                })
                .expect("packet");
        }
        writer.finish().expect("flush");
        let mut reader = CaptureReader::from_reader(
            Box::new(io::Cursor::new(bytes)),
            std::path::Path::new("test.pcapng"),
            None,
        )
        .expect("a pcapng");
        let mut seen = Vec::new();
        reader.read_packets(10, &mut |p| {
            seen.push((
                p.frame,
                p.ts.0,
                p.link_type,
                p.data.len(),
                p.orig_len,
                p.interface,
            ))
        });
        assert!(reader.problem().is_none(), "{:?}", reader.problem());
        assert_eq!(
            seen,
            [
                (1, 1_700_000_000_123_456_789, LinkType::ETHERNET, 61, 100, 0),
                (2, 1_700_000_001_000_000_001, LinkType::ETHERNET, 61, 100, 0)
            ]
        );
    }
}
