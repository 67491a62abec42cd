//! From a packet's link-layer bytes down to a TCP segment or UDP datagram view, by etherparse.
//!
//! Handles Ethernet (with 802.1Q/QinQ VLAN tags), Linux cooked v1 and v2 (stripped by hand:
//! etherparse has no lax entry point for them), BSD NULL/LOOP, raw IPv4/IPv6, IPv6 extension
//! headers. A snap-length-cut packet still yields the payload bytes that were captured, with
//! `missing_payload` saying how many are not in the capture.

use std::net::{IpAddr, SocketAddr};

use etherparse::err::Layer;
use etherparse::err::packet::SliceError;
use etherparse::{
    EtherType, IpNumber, LaxIpPayloadSlice, LaxNetSlice, LaxSlicedPacket, TcpSlice, TransportSlice,
    UdpSlice,
};

use super::LinkType;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpFlags {
    pub syn: bool,
    pub fin: bool,
    pub rst: bool,
    pub ack: bool,
    pub psh: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct TcpSegment<'a> {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub seq: u32,
    pub ack: u32,
    pub flags: TcpFlags,
    /// The payload bytes present in the capture.
    pub payload: &'a [u8],
    /// Payload bytes that were on the wire but cut off by the snap length.
    pub missing_payload: u32,
}

#[derive(Debug, Clone, Copy)]
pub struct UdpDatagram<'a> {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    pub payload: &'a [u8],
    pub missing_payload: u32,
}

#[derive(Debug, Clone, Copy)]
pub enum Transport<'a> {
    Tcp(TcpSegment<'a>),
    Udp(UdpDatagram<'a>),
}

/// Why a packet yields no TCP or UDP view. None of these is an error of the capture; the
/// engine counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    UnsupportedLinkType(LinkType),
    /// ARP, LLDP, ...: not IP.
    NotIp,
    /// ICMP, SCTP, ...: IP but neither TCP nor UDP.
    OtherProtocol(u8),
    /// A non-first IP fragment (RTSP over TCP is never fragmented on real links).
    Fragment,
    /// Headers cut or inconsistent: what etherparse said.
    Malformed(String),
}

/// DLT_RAW as some BSDs number it in files (OpenBSD writes 14, older systems 12).
const LINKTYPE_RAW_BSD12: LinkType = LinkType(12);
const LINKTYPE_RAW_OPENBSD: LinkType = LinkType(14);

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86DD;

/// Address family values of the BSD NULL/LOOP header: AF_INET is 2 everywhere, AF_INET6 differs
/// by the capturing OS (Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30).
const AF_INET: u32 = 2;
const AF_INET6: [u32; 4] = [10, 24, 28, 30];

pub fn decode(link_type: LinkType, data: &[u8], orig_len: u32) -> Result<Transport<'_>, Skip> {
    // Bytes of the frame the snap length cut off; used only when the IP header gives no length.
    let cut = (orig_len as usize).saturating_sub(data.len());
    if link_type == LinkType::ETHERNET
        && be16(data, 12) == Some(ETHERTYPE_IPV4)
        && let Some(transport) = data.get(14..).and_then(plain_ipv4)
    {
        return Ok(transport);
    }
    let sliced = match link_type {
        LinkType::ETHERNET => LaxSlicedPacket::from_ethernet(data)
            .map_err(|e| Skip::Malformed(format!("Ethernet header: {e}")))?,
        LinkType::LINUX_SLL => {
            // packet type, ARPHRD type, address length, 8 address bytes, then the protocol.
            let proto = be16(data, 14).ok_or_else(|| short("Linux cooked (SLL) header", data))?;
            from_ether_type(proto, data.get(16..).unwrap_or_default())
        }
        LinkType::LINUX_SLL2 => {
            // protocol first, then reserved, interface index, ARPHRD, type, address.
            let proto =
                be16(data, 0).ok_or_else(|| short("Linux cooked v2 (SLL2) header", data))?;
            if data.len() < 20 {
                return Err(short("Linux cooked v2 (SLL2) header", data));
            }
            from_ether_type(proto, data.get(20..).unwrap_or_default())
        }
        LinkType::NULL | LinkType::LOOP => {
            let raw: [u8; 4] = data
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| short("BSD loopback header", data))?;
            // NULL is in the capturing host's byte order, LOOP in network order; which host
            // wrote the file is unknown, so the order that gives a known family wins.
            let (first, second) = if link_type == LinkType::LOOP {
                (u32::from_be_bytes(raw), u32::from_le_bytes(raw))
            } else {
                (u32::from_le_bytes(raw), u32::from_be_bytes(raw))
            };
            let family = [first, second]
                .into_iter()
                .find(|f| *f == AF_INET || AF_INET6.contains(f))
                .ok_or(Skip::NotIp)?;
            let proto = if family == AF_INET {
                ETHERTYPE_IPV4
            } else {
                ETHERTYPE_IPV6
            };
            from_ether_type(proto, data.get(4..).unwrap_or_default())
        }
        LinkType::RAW
        | LinkType::IPV4
        | LinkType::IPV6
        | LINKTYPE_RAW_BSD12
        | LINKTYPE_RAW_OPENBSD => match data.first().map(|b| b >> 4) {
            Some(4) | Some(6) => LaxSlicedPacket::from_ip(data)
                .map_err(|e| Skip::Malformed(format!("IP header: {e}")))?,
            Some(_) => return Err(Skip::NotIp),
            None => return Err(short("IP header", data)),
        },
        other => return Err(Skip::UnsupportedLinkType(other)),
    };
    transport(sliced, data, cut)
}

/// The common case read by hand (the profile of a camera-like capture showed etherparse's
/// slicing, mostly copies of its large views, at ~18 % of the report's time): an IPv4 packet
/// wholly captured, not fragmented, carrying a valid TCP header or a UDP datagram whose length
/// fills the IP payload. Anything else (`None`) goes the general way; for what this accepts,
/// both ways give the same view (the test `plain_ipv4_agrees_with_etherparse`).
fn plain_ipv4(ip: &[u8]) -> Option<Transport<'_>> {
    let first = *ip.first()?;
    let header_len = usize::from(first & 0x0f) * 4;
    let total = usize::from(be16(ip, 2)?);
    if first >> 4 != 4 || header_len < 20 || total < header_len || total > ip.len() {
        return None;
    }
    // More-fragments flag or a fragment offset: leave it to the general way.
    if be16(ip, 6)? & 0x3fff != 0 {
        return None;
    }
    let addr = |at: usize| -> Option<IpAddr> {
        let raw: [u8; 4] = ip.get(at..at + 4)?.try_into().ok()?;
        Some(IpAddr::from(raw))
    };
    let (src, dst) = (addr(12)?, addr(16)?);
    let payload = ip.get(header_len..total)?;
    match *ip.get(9)? {
        6 => {
            let tcp_len = usize::from(*payload.get(12)? >> 4) * 4;
            if tcp_len < 20 || tcp_len > payload.len() {
                return None;
            }
            let word = |at: usize| -> Option<u32> {
                Some(u32::from_be_bytes(
                    payload.get(at..at + 4)?.try_into().ok()?,
                ))
            };
            let flags = *payload.get(13)?;
            Some(Transport::Tcp(TcpSegment {
                src: SocketAddr::new(src, be16(payload, 0)?),
                dst: SocketAddr::new(dst, be16(payload, 2)?),
                seq: word(4)?,
                ack: word(8)?,
                flags: TcpFlags {
                    fin: flags & 0x01 != 0,
                    syn: flags & 0x02 != 0,
                    rst: flags & 0x04 != 0,
                    psh: flags & 0x08 != 0,
                    ack: flags & 0x10 != 0,
                },
                payload: payload.get(tcp_len..)?,
                missing_payload: 0,
            }))
        }
        17 => {
            if usize::from(be16(payload, 4)?) != payload.len() || payload.len() < 8 {
                return None;
            }
            Some(Transport::Udp(UdpDatagram {
                src: SocketAddr::new(src, be16(payload, 0)?),
                dst: SocketAddr::new(dst, be16(payload, 2)?),
                payload: payload.get(8..)?,
                missing_payload: 0,
            }))
        }
        _ => None,
    }
}

fn from_ether_type(proto: u16, rest: &[u8]) -> LaxSlicedPacket<'_> {
    LaxSlicedPacket::from_ether_type(EtherType(proto), rest)
}

/// Whether a chain of IPv6 extension headers holds a fragment header with a non-zero offset
/// (a later fragment, which has no transport header). Walked by hand, bounds-checked:
/// etherparse 0.21's iterator over the chain reads past its end when the lax parser cut the
/// chain short at a damaged header (`get_unchecked` out of bounds, found by the `pipeline`
/// fuzz target; fuzz/regressions/pipeline/ipv6-extension-chain-cut-*).
fn ipv6_later_fragment(first: Option<IpNumber>, chain: &[u8]) -> bool {
    let mut next = first;
    let mut rest = chain;
    while let Some(number) = next {
        let len = match number {
            IpNumber::IPV6_HEADER_HOP_BY_HOP
            | IpNumber::IPV6_ROUTE_HEADER
            | IpNumber::IPV6_DESTINATION_OPTIONS => rest.get(1).map(|&l| (usize::from(l) + 1) * 8),
            IpNumber::IPV6_FRAGMENTATION_HEADER => {
                // Fragment offset: the upper 13 bits of bytes 2-3.
                if be16(rest, 2).is_some_and(|field| field >> 3 != 0) {
                    return true;
                }
                Some(8)
            }
            IpNumber::AUTHENTICATION_HEADER => rest.get(1).map(|&l| (usize::from(l) + 2) * 4),
            _ => None,
        };
        let Some(len) = len else {
            break;
        };
        next = rest.first().map(|&n| IpNumber(n));
        let Some(after) = rest.get(len..) else {
            break;
        };
        rest = after;
    }
    false
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    let raw: [u8; 2] = data.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(u16::from_be_bytes(raw))
}

fn short(what: &str, data: &[u8]) -> Skip {
    Skip::Malformed(format!("{what} cut short ({} bytes captured)", data.len()))
}

/// The IP view the transport step needs, whichever the IP version.
struct Net<'a> {
    src: IpAddr,
    dst: IpAddr,
    /// Address of the IP header's first byte in the captured frame: its distance from the
    /// frame's start gives how many bytes of the packet were captured.
    header_addr: usize,
    /// Length of the whole IP packet according to its header, when the header says.
    declared_len: Option<usize>,
    payload: LaxIpPayloadSlice<'a>,
    /// A fragment that is not the first one: its payload does not start with a transport header.
    later_fragment: bool,
}

fn transport<'a>(
    sliced: LaxSlicedPacket<'a>,
    frame: &'a [u8],
    cut: usize,
) -> Result<Transport<'a>, Skip> {
    let net = match &sliced.net {
        Some(LaxNetSlice::Ipv4(ip)) => {
            let header = ip.header();
            let total = usize::from(header.total_len());
            let header_len = header.slice().len();
            Net {
                src: IpAddr::V4(header.source_addr()),
                dst: IpAddr::V4(header.destination_addr()),
                header_addr: header.slice().as_ptr() as usize,
                // A total length of 0 (TCP segmentation offload on the capturing host) or below
                // the header's own size says nothing.
                declared_len: (total >= header_len).then_some(total),
                payload: ip.payload().clone(),
                later_fragment: header.fragments_offset().value() != 0,
            }
        }
        Some(LaxNetSlice::Ipv6(ip)) => {
            let header = ip.header();
            let payload_len = usize::from(header.payload_length());
            let extensions = ip.extensions();
            let later_fragment = ipv6_later_fragment(extensions.first_header(), extensions.slice());
            Net {
                src: IpAddr::V6(header.source_addr()),
                dst: IpAddr::V6(header.destination_addr()),
                header_addr: header.slice().as_ptr() as usize,
                // 0 is a jumbogram or offload: no length given.
                declared_len: (payload_len > 0).then_some(40 + payload_len),
                payload: ip.payload().clone(),
                later_fragment,
            }
        }
        Some(LaxNetSlice::Arp(_)) => return Err(Skip::NotIp),
        None => {
            return Err(match &sliced.stop_err {
                Some((err, layer)) => malformed(err, *layer),
                None => Skip::NotIp,
            });
        }
    };
    if net.later_fragment {
        return Err(Skip::Fragment);
    }
    // An extension header cut short or invalid: there is no transport header to look for.
    if let Some((err, layer)) = &sliced.stop_err
        && !matches!(layer, Layer::TcpHeader | Layer::UdpHeader)
    {
        return Err(malformed(err, *layer));
    }

    let ip_payload = net.payload.payload;
    let missing_ip = missing_ip_bytes(&net, frame, cut);
    // Payload bytes the transport layer had on the wire beyond its header.
    let missing_after = |header_len: usize, captured: usize| -> u32 {
        let declared = ip_payload.len().saturating_add(missing_ip);
        let missing = declared.saturating_sub(header_len).saturating_sub(captured);
        u32::try_from(missing).unwrap_or(u32::MAX)
    };
    let ip_number = net.payload.ip_number;

    match (&sliced.transport, ip_number) {
        (Some(TransportSlice::Tcp(tcp)), _) => Ok(tcp_segment(&net, tcp, missing_after)),
        (Some(TransportSlice::Udp(udp)), _) => Ok(udp_datagram(&net, udp, missing_after)),
        (_, IpNumber::TCP) => match TcpSlice::from_slice(ip_payload) {
            // Reached for a first fragment, which etherparse leaves unparsed.
            Ok(tcp) => Ok(tcp_segment(&net, &tcp, missing_after)),
            Err(e) => cut_tcp_header(&net, ip_payload, missing_after)
                .ok_or_else(|| Skip::Malformed(format!("TCP header: {e}"))),
        },
        (_, IpNumber::UDP) => match UdpSlice::from_slice_lax(ip_payload) {
            Ok(udp) => Ok(udp_datagram(&net, &udp, missing_after)),
            Err(e) => Err(Skip::Malformed(format!("UDP header: {e}"))),
        },
        (_, other) => Err(Skip::OtherProtocol(other.0)),
    }
}

/// Bytes of the IP packet that its header says exist but the capture does not hold.
fn missing_ip_bytes(net: &Net<'_>, frame: &[u8], cut: usize) -> usize {
    if !net.payload.incomplete {
        // Complete as far as the header says (Ethernet padding beyond it is not payload); or no
        // length in the header, and then the frame's cut is all that is known.
        return if net.declared_len.is_some() { 0 } else { cut };
    }
    let Some(declared) = net.declared_len else {
        return cut;
    };
    // Where the IP packet starts in the frame, from the addresses of two views of it.
    let ip_start = net.header_addr.wrapping_sub(frame.as_ptr() as usize);
    let captured = frame.len().saturating_sub(ip_start);
    declared.saturating_sub(captured)
}

fn tcp_segment<'a>(
    net: &Net<'a>,
    tcp: &TcpSlice<'a>,
    missing_after: impl Fn(usize, usize) -> u32,
) -> Transport<'a> {
    let payload = tcp.payload();
    Transport::Tcp(TcpSegment {
        src: SocketAddr::new(net.src, tcp.source_port()),
        dst: SocketAddr::new(net.dst, tcp.destination_port()),
        seq: tcp.sequence_number(),
        ack: tcp.acknowledgment_number(),
        flags: TcpFlags {
            syn: tcp.syn(),
            fin: tcp.fin(),
            rst: tcp.rst(),
            ack: tcp.ack(),
            psh: tcp.psh(),
        },
        payload,
        missing_payload: missing_after(
            tcp.slice().len().saturating_sub(payload.len()),
            payload.len(),
        ),
    })
}

/// A TCP header the snap length cut inside its options: ports, numbers and flags are there
/// (the first 14 bytes), the payload is all missing.
fn cut_tcp_header<'a>(
    net: &Net<'a>,
    bytes: &'a [u8],
    missing_after: impl Fn(usize, usize) -> u32,
) -> Option<Transport<'a>> {
    let port = |at| be16(bytes, at);
    let word = |at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let offset_byte = *bytes.get(12)?;
    let flags = *bytes.get(13)?;
    let header_len = usize::from(offset_byte >> 4) * 4;
    if header_len < 20 || bytes.len() >= header_len {
        // Not cut: the header itself is invalid.
        return None;
    }
    if !net.payload.incomplete {
        // The whole IP packet is there, so the TCP header really is shorter than it says.
        return None;
    }
    Some(Transport::Tcp(TcpSegment {
        src: SocketAddr::new(net.src, port(0)?),
        dst: SocketAddr::new(net.dst, port(2)?),
        seq: word(4)?,
        ack: word(8)?,
        flags: TcpFlags {
            fin: flags & 0x01 != 0,
            syn: flags & 0x02 != 0,
            rst: flags & 0x04 != 0,
            psh: flags & 0x08 != 0,
            ack: flags & 0x10 != 0,
        },
        payload: &[],
        missing_payload: missing_after(header_len, 0),
    }))
}

fn udp_datagram<'a>(
    net: &Net<'a>,
    udp: &UdpSlice<'a>,
    missing_after: impl Fn(usize, usize) -> u32,
) -> Transport<'a> {
    let payload = udp.payload();
    Transport::Udp(UdpDatagram {
        src: SocketAddr::new(net.src, udp.source_port()),
        dst: SocketAddr::new(net.dst, udp.destination_port()),
        payload,
        missing_payload: missing_after(8, payload.len()),
    })
}

fn malformed(err: &SliceError, layer: Layer) -> Skip {
    Skip::Malformed(format!("{layer}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::{PacketBuilder, VlanId};

    const MAC_A: [u8; 6] = [2, 0, 0, 0, 0, 1];
    const MAC_B: [u8; 6] = [2, 0, 0, 0, 0, 2];
    const V4_A: [u8; 4] = [10, 0, 0, 1];
    const V4_B: [u8; 4] = [10, 0, 0, 2];
    const V6_A: [u8; 16] = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const V6_B: [u8; 16] = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

    fn write(
        builder: etherparse::PacketBuilderStep<etherparse::TcpHeader>,
        payload: &[u8],
    ) -> Vec<u8> {
        let mut v = Vec::new();
        builder.write(&mut v, payload).expect("builds");
        v
    }

    fn eth_tcp(payload: &[u8]) -> Vec<u8> {
        write(
            PacketBuilder::ethernet2(MAC_A, MAC_B)
                .ipv4(V4_A, V4_B, 64)
                .tcp(40000, 554, 1000, 65535)
                .ack(77)
                .psh(),
            payload,
        )
    }

    fn ip_tcp(payload: &[u8]) -> Vec<u8> {
        write(
            PacketBuilder::ipv4(V4_A, V4_B, 64)
                .tcp(40000, 554, 1000, 65535)
                .syn(),
            payload,
        )
    }

    fn tcp(t: Result<Transport<'_>, Skip>) -> TcpSegment<'_> {
        match t {
            Ok(Transport::Tcp(s)) => s,
            other => panic!("not TCP: {other:?}"),
        }
    }

    fn full(link: LinkType, frame: &[u8]) -> Result<Transport<'_>, Skip> {
        decode(link, frame, frame.len() as u32)
    }

    #[test]
    fn ethernet_tcp_fields() {
        let frame = eth_tcp(b"OPTIONS rtsp://x RTSP/1.0\r\n\r\n");
        let s = tcp(full(LinkType::ETHERNET, &frame));
        assert_eq!(s.src, "10.0.0.1:40000".parse().unwrap());
        assert_eq!(s.dst, "10.0.0.2:554".parse().unwrap());
        assert_eq!((s.seq, s.ack), (1000, 77));
        assert_eq!(
            s.flags,
            TcpFlags {
                ack: true,
                psh: true,
                ..TcpFlags::default()
            }
        );
        assert_eq!(s.payload, b"OPTIONS rtsp://x RTSP/1.0\r\n\r\n");
        assert_eq!(s.missing_payload, 0);
    }

    #[test]
    fn ethernet_padding_is_not_payload() {
        let mut frame = eth_tcp(b"ab");
        assert_eq!(frame.len(), 56);
        frame.resize(60, 0);
        let s = tcp(full(LinkType::ETHERNET, &frame));
        assert_eq!(s.payload, b"ab");
        assert_eq!(s.missing_payload, 0);
        // With a frame check sequence too.
        frame.extend([0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(tcp(full(LinkType::ETHERNET, &frame)).payload, b"ab");
    }

    #[test]
    fn snap_length_cut_keeps_the_captured_payload() {
        let payload = vec![b'x'; 1000];
        let frame = eth_tcp(&payload);
        let cut = &frame[..96];
        let s = tcp(decode(LinkType::ETHERNET, cut, frame.len() as u32));
        assert_eq!(s.payload.len(), 96 - 54);
        assert_eq!(s.missing_payload, 1000 - 42);
        assert_eq!(s.seq, 1000);
    }

    #[test]
    fn cut_inside_the_tcp_header_gives_ports_and_all_payload_missing() {
        let mut frame = eth_tcp(&[b'y'; 100]);
        // Claim 12 bytes of options (data offset 8): the header is then 32 bytes.
        frame[14 + 20 + 12] = 8 << 4;
        let cut = &frame[..14 + 20 + 25];
        let s = tcp(decode(LinkType::ETHERNET, cut, frame.len() as u32));
        assert_eq!(s.dst.port(), 554);
        assert_eq!(s.payload, b"");
        assert_eq!(s.missing_payload, 100 - 12);
        assert!(s.flags.psh && s.flags.ack);
        // Cut before the flags: nothing usable.
        assert!(matches!(
            decode(
                LinkType::ETHERNET,
                &frame[..14 + 20 + 10],
                frame.len() as u32
            ),
            Err(Skip::Malformed(_))
        ));
    }

    #[test]
    fn tso_zero_total_length_falls_back_to_the_frame() {
        let mut frame = eth_tcp(&[b'z'; 300]);
        frame[16] = 0;
        frame[17] = 0;
        let s = tcp(full(LinkType::ETHERNET, &frame));
        assert_eq!(s.payload.len(), 300);
        assert_eq!(s.missing_payload, 0);
        let s = tcp(decode(
            LinkType::ETHERNET,
            &frame[..200],
            frame.len() as u32,
        ));
        assert_eq!(s.payload.len(), 200 - 54);
        assert_eq!(s.missing_payload, frame.len() as u32 - 200);
    }

    #[test]
    fn vlan_and_qinq() {
        let single = write(
            PacketBuilder::ethernet2(MAC_A, MAC_B)
                .single_vlan(VlanId::try_new(42).unwrap())
                .ipv4(V4_A, V4_B, 64)
                .tcp(1, 2, 3, 4),
            b"vlan",
        );
        assert_eq!(tcp(full(LinkType::ETHERNET, &single)).payload, b"vlan");
        let double = write(
            PacketBuilder::ethernet2(MAC_A, MAC_B)
                .double_vlan(VlanId::try_new(100).unwrap(), VlanId::try_new(200).unwrap())
                .ipv6(V6_A, V6_B, 64)
                .tcp(1, 2, 3, 4),
            b"qinq",
        );
        let s = tcp(full(LinkType::ETHERNET, &double));
        assert_eq!(s.payload, b"qinq");
        assert!(s.src.is_ipv6());
        // A snap length cutting a VLAN-tagged frame still counts from the right place.
        let s = tcp(decode(
            LinkType::ETHERNET,
            &double[..double.len() - 2],
            double.len() as u32,
        ));
        assert_eq!((s.payload, s.missing_payload), (&b"qi"[..], 2));
    }

    fn sll(proto: u16, ip: &[u8]) -> Vec<u8> {
        let mut v = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0];
        v.extend(proto.to_be_bytes());
        v.extend(ip);
        v
    }

    fn sll2(proto: u16, ip: &[u8]) -> Vec<u8> {
        let mut v = proto.to_be_bytes().to_vec();
        v.extend([0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0]);
        v.extend(ip);
        v
    }

    #[test]
    fn linux_cooked_v1_and_v2() {
        let ip = ip_tcp(b"cooked");
        let frame = sll(0x0800, &ip);
        let s = tcp(full(LinkType::LINUX_SLL, &frame));
        assert_eq!(s.payload, b"cooked");
        assert!(s.flags.syn);
        let frame = sll2(0x0800, &ip);
        let s = tcp(full(LinkType::LINUX_SLL2, &frame));
        assert_eq!(s.payload, b"cooked");
        // Cut by the snap length.
        let frame = sll(0x0800, &ip);
        let s = tcp(decode(
            LinkType::LINUX_SLL,
            &frame[..frame.len() - 4],
            frame.len() as u32,
        ));
        assert_eq!((s.payload, s.missing_payload), (&b"co"[..], 4));
        // Not IP: ARP, or a header too short.
        assert_eq!(
            full(LinkType::LINUX_SLL, &sll(0x0806, &[0; 28])).err(),
            Some(Skip::NotIp)
        );
        assert!(matches!(
            full(LinkType::LINUX_SLL, &[0; 10]),
            Err(Skip::Malformed(_))
        ));
        assert!(matches!(
            full(LinkType::LINUX_SLL2, &[8, 0, 0]),
            Err(Skip::Malformed(_))
        ));
    }

    #[test]
    fn bsd_null_and_loop() {
        let ip = ip_tcp(b"lo0");
        let v6 = write(PacketBuilder::ipv6(V6_A, V6_B, 64).tcp(5, 6, 7, 8), b"six");
        let with = |family: [u8; 4], ip: &[u8]| {
            let mut v = family.to_vec();
            v.extend(ip);
            v
        };
        // NULL from a little-endian host, from a big-endian host, and LOOP.
        for (link, family) in [
            (LinkType::NULL, 2u32.to_le_bytes()),
            (LinkType::NULL, 2u32.to_be_bytes()),
            (LinkType::LOOP, 2u32.to_be_bytes()),
        ] {
            assert_eq!(tcp(full(link, &with(family, &ip))).payload, b"lo0");
        }
        for af6 in [10u32, 24, 28, 30] {
            let frame = with(af6.to_le_bytes(), &v6);
            assert_eq!(tcp(full(LinkType::NULL, &frame)).payload, b"six");
            assert_eq!(
                tcp(full(LinkType::LOOP, &with(af6.to_be_bytes(), &v6))).payload,
                b"six"
            );
        }
        assert_eq!(
            full(LinkType::NULL, &with(7u32.to_le_bytes(), &ip)).err(),
            Some(Skip::NotIp)
        );
        assert!(matches!(
            full(LinkType::NULL, &[2, 0]),
            Err(Skip::Malformed(_))
        ));
    }

    #[test]
    fn raw_ip_link_types() {
        let ip = ip_tcp(b"raw");
        let v6 = write(PacketBuilder::ipv6(V6_A, V6_B, 64).tcp(5, 6, 7, 8), b"six");
        for link in [LinkType::RAW, LinkType::IPV4, LinkType(12), LinkType(14)] {
            assert_eq!(tcp(full(link, &ip)).payload, b"raw");
        }
        assert_eq!(tcp(full(LinkType::IPV6, &v6)).payload, b"six");
        assert_eq!(tcp(full(LinkType::RAW, &v6)).payload, b"six");
        assert_eq!(full(LinkType::RAW, &[0x10, 0, 0]).err(), Some(Skip::NotIp));
        assert!(matches!(full(LinkType::RAW, &[]), Err(Skip::Malformed(_))));
        assert!(matches!(
            full(LinkType::RAW, &[0x45, 0, 0]),
            Err(Skip::Malformed(_))
        ));
    }

    /// The IPv6 packet with a hop-by-hop and a destination options header before TCP.
    fn v6_with_extensions(payload: &[u8]) -> Vec<u8> {
        let plain = write(PacketBuilder::ipv6(V6_A, V6_B, 64).tcp(5, 6, 7, 8), payload);
        let mut v = plain[..40].to_vec();
        v[6] = 0; // next header: hop-by-hop
        let ext_len = 16u16;
        let payload_len = u16::from_be_bytes([v[4], v[5]]) + ext_len;
        v[4..6].copy_from_slice(&payload_len.to_be_bytes());
        v.extend([60, 0, 1, 4, 0, 0, 0, 0]); // hop-by-hop (PadN) -> destination options
        v.extend([6, 0, 1, 4, 0, 0, 0, 0]); // destination options (PadN) -> TCP
        v.extend(&plain[40..]);
        v
    }

    #[test]
    fn ipv6_extension_headers() {
        let ip = v6_with_extensions(b"ext");
        let s = tcp(full(LinkType::RAW, &ip));
        assert_eq!(s.payload, b"ext");
        assert_eq!((s.src.port(), s.dst.port()), (5, 6));
        let s = tcp(decode(LinkType::RAW, &ip[..ip.len() - 1], ip.len() as u32));
        assert_eq!((s.payload, s.missing_payload), (&b"ex"[..], 1));
        // Cut inside an extension header.
        assert!(matches!(
            decode(LinkType::RAW, &ip[..44], ip.len() as u32),
            Err(Skip::Malformed(_))
        ));
    }

    #[test]
    fn fragments() {
        // IPv4: a later fragment is skipped, the first one still gives its TCP header.
        let mut ip = ip_tcp(b"fragment");
        ip[6] = 0x00;
        ip[7] = 0x10; // offset 16 * 8 bytes
        assert_eq!(full(LinkType::RAW, &ip).err(), Some(Skip::Fragment));
        ip[6] = 0x20; // more fragments, offset 0
        ip[7] = 0x00;
        assert_eq!(tcp(full(LinkType::RAW, &ip)).payload, b"fragment");

        // IPv6: the same with a fragment header.
        let plain = write(
            PacketBuilder::ipv6(V6_A, V6_B, 64).tcp(5, 6, 7, 8),
            b"frag6",
        );
        let build = |offset_flags: u16| {
            let mut v = plain[..40].to_vec();
            v[6] = 44;
            let payload_len = u16::from_be_bytes([v[4], v[5]]) + 8;
            v[4..6].copy_from_slice(&payload_len.to_be_bytes());
            v.extend([6, 0]);
            v.extend(offset_flags.to_be_bytes());
            v.extend([0, 0, 0, 9]);
            v.extend(&plain[40..]);
            v
        };
        assert_eq!(
            full(LinkType::RAW, &build(0x0008)).err(),
            Some(Skip::Fragment)
        );
        assert_eq!(tcp(full(LinkType::RAW, &build(0x0001))).payload, b"frag6");
    }

    #[test]
    fn udp_and_other_protocols() {
        let mut v = Vec::new();
        PacketBuilder::ethernet2(MAC_A, MAC_B)
            .ipv4(V4_A, V4_B, 64)
            .udp(5004, 6000)
            .write(&mut v, b"rtp!")
            .unwrap();
        match full(LinkType::ETHERNET, &v) {
            Ok(Transport::Udp(d)) => {
                assert_eq!(d.payload, b"rtp!");
                assert_eq!(
                    (d.src.port(), d.dst.port(), d.missing_payload),
                    (5004, 6000, 0)
                );
            }
            other => panic!("{other:?}"),
        }
        match decode(LinkType::ETHERNET, &v[..v.len() - 3], v.len() as u32) {
            Ok(Transport::Udp(d)) => assert_eq!((d.payload, d.missing_payload), (&b"r"[..], 3)),
            other => panic!("{other:?}"),
        }

        let mut icmp = Vec::new();
        PacketBuilder::ethernet2(MAC_A, MAC_B)
            .ipv4(V4_A, V4_B, 64)
            .icmpv4_echo_request(1, 1)
            .write(&mut icmp, b"ping")
            .unwrap();
        assert_eq!(
            full(LinkType::ETHERNET, &icmp).err(),
            Some(Skip::OtherProtocol(1))
        );

        let mut arp = vec![0xff; 6];
        arp.extend(MAC_A);
        arp.extend([0x08, 0x06]);
        arp.extend([0, 1, 8, 0, 6, 4, 0, 1]);
        arp.extend([0; 20]);
        assert_eq!(full(LinkType::ETHERNET, &arp).err(), Some(Skip::NotIp));
        let mut lldp = arp.clone();
        lldp[12..14].copy_from_slice(&[0x88, 0xcc]);
        assert_eq!(full(LinkType::ETHERNET, &lldp).err(), Some(Skip::NotIp));

        assert_eq!(
            full(LinkType(147), &v).err(),
            Some(Skip::UnsupportedLinkType(LinkType(147)))
        );
        assert!(matches!(
            full(LinkType::ETHERNET, &v[..10]),
            Err(Skip::Malformed(_))
        ));
        assert!(matches!(
            full(LinkType::ETHERNET, &v[..20]),
            Err(Skip::Malformed(_))
        ));
    }

    #[test]
    fn inconsistent_headers_do_not_panic() {
        // IHL larger than the packet, total length smaller than the header, data offset < 5.
        let base = ip_tcp(b"data");
        let mut a = base.clone();
        a[0] = 0x4F;
        let mut b = base.clone();
        b[2] = 0;
        b[3] = 10;
        let mut c = base.clone();
        c[20 + 12] = 0x20;
        for p in [a, b, c] {
            for cut in 0..=p.len() {
                let _ = decode(LinkType::RAW, &p[..cut], p.len() as u32);
                let _ = decode(LinkType::RAW, &p[..cut], 0);
            }
        }
    }

    /// The general way alone, for comparing with the plain-IPv4 shortcut.
    fn general(frame: &[u8], orig: u32) -> Result<Transport<'_>, Skip> {
        let cut = (orig as usize).saturating_sub(frame.len());
        let sliced = LaxSlicedPacket::from_ethernet(frame)
            .map_err(|e| Skip::Malformed(format!("Ethernet header: {e}")))?;
        transport(sliced, frame, cut)
    }

    fn eth_udp(payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        PacketBuilder::ethernet2(MAC_A, MAC_B)
            .ipv4(V4_A, V4_B, 64)
            .udp(40000, 41000)
            .write(&mut v, payload)
            .expect("builds");
        v
    }

    #[test]
    fn plain_ipv4_takes_the_common_packets() {
        let t = eth_tcp(b"RTSP/1.0 200 OK\r\n");
        assert!(plain_ipv4(&t[14..]).is_some());
        let u = eth_udp(&[0x80; 100]);
        assert!(plain_ipv4(&u[14..]).is_some());
        // padded frame: still taken, padding is not payload
        let mut padded = eth_tcp(b"");
        padded.extend_from_slice(&[0; 6]);
        assert!(plain_ipv4(&padded[14..]).is_some());
        assert_eq!(
            format!(
                "{:?}",
                decode(LinkType::ETHERNET, &padded, padded.len() as u32)
            ),
            format!("{:?}", general(&padded, padded.len() as u32))
        );
    }

    proptest::proptest! {
        #[test]
        fn plain_ipv4_agrees_with_etherparse(
            udp in proptest::bool::ANY,
            flips in proptest::collection::vec((0usize..80, proptest::num::u8::ANY), 0..4),
            cut in 0usize..200,
            extra in 0u32..3,
        ) {
            let mut p = if udp { eth_udp(&[0x80; 60]) } else { eth_tcp(b"PLAY rtsp://cam/ RTSP/1.0\r\n") };
            for (at, x) in flips {
                if let Some(b) = p.get_mut(at) { *b ^= x; }
            }
            let orig = p.len() as u32 + extra;
            let cut = cut.min(p.len());
            let frame = &p[..cut];
            proptest::prop_assert_eq!(
                format!("{:?}", decode(LinkType::ETHERNET, frame, orig)),
                format!("{:?}", general(frame, orig))
            );
        }

        #[test]
        fn decode_never_panics(
            link in proptest::sample::select(vec![0u32, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147]),
            data in proptest::collection::vec(proptest::num::u8::ANY, 0..120),
            orig in proptest::num::u32::ANY,
        ) {
            let _ = decode(LinkType(link), &data, orig);
        }

        #[test]
        fn decode_of_mutated_real_packets_never_panics(
            flips in proptest::collection::vec((0usize..80, proptest::num::u8::ANY), 0..6),
            cut in 0usize..90,
        ) {
            let mut p = eth_tcp(b"PLAY rtsp://cam/ RTSP/1.0\r\n");
            for (at, x) in flips {
                if let Some(b) = p.get_mut(at) { *b ^= x; }
            }
            let cut = cut.min(p.len());
            let _ = decode(LinkType::ETHERNET, &p[..cut], p.len() as u32);
        }
    }
}
