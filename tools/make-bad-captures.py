#!/usr/bin/env python3
"""Hostile captures made from the real ones in shared/captures, for tests/bad_inputs.rs.

    tools/make-bad-captures.py OUTDIR [CASE ...] [--captures DIR] [--heavy] [--list]

With no CASE, writes every normal case (each under 2 MiB except header-line-100mb, which is meant
to be generated at test time only); --heavy adds the three large synthetic ones. Also writes
OUTDIR/manifest.json: for each case its file, the capture it came from, what was done and the
facts a test needs to check the outcome (the frames that carry the damage, where every original
frame went, how many packets come before a cut).

Python 3 standard library only, and deterministic: every random choice comes from a small
xorshift generator with a fixed seed per case, so the same inputs give the same bytes on every
machine and Python version.

Where a case changes the bytes of a TCP stream, the sequence numbers stay consistent: later
segments of that direction move by the number of bytes added, the other direction's
acknowledgements (and SACK edges) beyond the edit move with them, IP lengths (and the IPv4 header
checksum) are fixed, so that the only anomaly is the intended one. TCP checksums are left as they
were (loopback captures carry partial ones anyway; the inspector does not verify them).
"""

import argparse
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CAPTURES = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "captures"))

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF

# Cases written by default (small, or 100 MB for header-line-100mb) and with --heavy.
NORMAL_CASES = [
    "truncated-last-packet",
    "truncated-last-packet-pcap",
    "snaplen-64",
    "garbage-on-rtsp-port",
    "content-length-4g",
    "content-length-negative",
    "header-line-100mb",
    "interleaved-past-end",
    "binary-not-rtsp",
    "bitflips-headers",
    "pcapng-block-length-0",
    "pcapng-block-length-max",
    "timestamp-backwards",
    "ack-before-data",
    "first-request-lost",
    "cseq-2-64",
    "not-a-capture",
    "empty-file",
]
HEAVY_CASES = ["many-pipelined-requests", "many-connections-ooo", "syn-flood"]


# ---------------------------------------------------------------------------------------------
# Deterministic randomness


class Prng:
    """xorshift64*: tiny, fast enough, and the same everywhere."""

    def __init__(self, seed):
        self.state = ((seed + 1) * 0x9E3779B97F4A7C15) & MASK64 or 1

    def next(self):
        x = self.state
        x ^= x >> 12
        x ^= (x << 25) & MASK64
        x ^= x >> 27
        self.state = x
        return (x * 0x2545F4914F6CDD1D) & MASK64

    def below(self, n):
        return self.next() % n

    def randbytes(self, n, exclude=b""):
        out = bytearray()
        while len(out) < n:
            for b in self.next().to_bytes(8, "little"):
                if b not in exclude:
                    out.append(b)
        return bytes(out[:n])


# ---------------------------------------------------------------------------------------------
# Capture files: classic pcap and pcapng (SHB, IDB, EPB, SPB; other blocks kept as raw bytes)


class Packet:
    """One packet record. `ts` counts units of its interface's resolution (`Capture.units`)."""

    __slots__ = ("ts", "data", "orig_len", "iface", "options", "kind", "offset", "size", "origin")

    def __init__(self, ts, data, orig_len, iface=0, options=b"", kind="epb"):
        self.ts = ts
        self.data = bytes(data)
        self.orig_len = orig_len
        self.iface = iface
        self.options = options
        self.kind = kind  # "epb", "spb" or "pcap"
        self.offset = None  # where its record starts in the file it was read from
        self.size = None  # its record's size there
        self.origin = None  # its frame number in the original capture (None: added)


class Capture:
    def __init__(self, fmt, endian):
        self.fmt = fmt  # "pcap" or "pcapng"
        self.endian = endian
        self.items = []  # Packet, or bytes (a pcapng block other than a packet, kept as is)
        self.header = b""  # pcap: the 24-byte file header
        self.ifaces = []  # pcapng: [link type, snaplen, units per second, index in items]
        self.pcap_link = None
        self.pcap_units = None

    def packets(self):
        return [item for item in self.items if isinstance(item, Packet)]

    def link(self, pkt):
        return self.pcap_link if self.fmt == "pcap" else self.ifaces[pkt.iface][0]

    def units(self, pkt):
        return self.pcap_units if self.fmt == "pcap" else self.ifaces[pkt.iface][2]


def read_capture(path):
    with open(path, "rb") as f:
        raw = f.read()
    magic = raw[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(raw)
    return read_pcap(raw)


def read_pcap(raw):
    magic_le = struct.unpack_from("<I", raw, 0)[0]
    table = {0xA1B2C3D4: ("<", 10**6), 0xA1B23C4D: ("<", 10**9)}
    swapped = {0xD4C3B2A1: (">", 10**6), 0x4D3CB2A1: (">", 10**9)}
    if magic_le in table:
        endian, units = table[magic_le]
    elif magic_le in swapped:
        endian, units = swapped[magic_le]
    else:
        raise ValueError("not a pcap file")
    cap = Capture("pcap", endian)
    cap.header = raw[:24]
    cap.pcap_units = units
    cap.pcap_link = struct.unpack_from(endian + "I", raw, 20)[0] & 0x0FFFFFFF
    off = 24
    frame = 0
    while off + 16 <= len(raw):
        sec, frac, incl, orig = struct.unpack_from(endian + "IIII", raw, off)
        if off + 16 + incl > len(raw):
            break
        pkt = Packet(sec * units + frac, raw[off + 16 : off + 16 + incl], orig, kind="pcap")
        frame += 1
        pkt.offset, pkt.size, pkt.origin = off, 16 + incl, frame
        cap.items.append(pkt)
        off += 16 + incl
    return cap


def idb_units(body, endian):
    """Units per second of an IDB (if_tsresol, option 9; default microseconds)."""
    off = 8
    while off + 4 <= len(body):
        code, length = struct.unpack_from(endian + "HH", body, off)
        if code == 0:
            break
        if code == 9 and length >= 1:
            v = body[off + 4]
            return 2 ** (v & 0x7F) if v & 0x80 else 10 ** v
        off += 4 + ((length + 3) & ~3)
    return 10**6


def read_pcapng(raw):
    endian = "<" if raw[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    cap = Capture("pcapng", endian)
    off = 0
    frame = 0
    while off + 12 <= len(raw):
        btype, blen = struct.unpack_from(endian + "II", raw, off)
        if btype == 0x0A0D0D0A:
            endian = "<" if raw[off + 8 : off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            cap.endian = endian
            btype, blen = struct.unpack_from(endian + "II", raw, off)
        if blen < 12 or off + blen > len(raw):
            break
        block = raw[off : off + blen]
        body = block[8:-4]
        if btype == 1:
            link, _, snaplen = struct.unpack_from(endian + "HHI", body, 0)
            cap.ifaces.append([link, snaplen, idb_units(body, endian), len(cap.items)])
            cap.items.append(block)
        elif btype == 6:
            iface, hi, lo, caplen, orig = struct.unpack_from(endian + "IIIII", body, 0)
            data = body[20 : 20 + caplen]
            options = body[20 + ((caplen + 3) & ~3) :]
            pkt = Packet((hi << 32) | lo, data, orig, iface, options, "epb")
            frame += 1
            pkt.offset, pkt.size, pkt.origin = off, blen, frame
            cap.items.append(pkt)
        elif btype == 3:
            orig = struct.unpack_from(endian + "I", body, 0)[0]
            pkt = Packet(0, body[4 : 4 + orig], orig, 0, b"", "spb")
            frame += 1
            pkt.offset, pkt.size, pkt.origin = off, blen, frame
            cap.items.append(pkt)
        else:
            cap.items.append(block)
        off += blen
    return cap


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def encode_block(endian, btype, body):
    body = pad4(body)
    length = 12 + len(body)
    return struct.pack(endian + "II", btype, length) + body + struct.pack(endian + "I", length)


def encode_packet(cap, pkt):
    e = cap.endian
    if cap.fmt == "pcap":
        units = cap.pcap_units
        return struct.pack(
            e + "IIII", pkt.ts // units, pkt.ts % units, len(pkt.data), pkt.orig_len
        ) + pkt.data
    if pkt.kind == "spb":
        return encode_block(e, 3, struct.pack(e + "I", pkt.orig_len) + pkt.data)
    head = struct.pack(
        e + "IIIII", pkt.iface, pkt.ts >> 32, pkt.ts & MASK32, len(pkt.data), pkt.orig_len
    )
    return encode_block(e, 6, head + pad4(pkt.data) + pkt.options)


def capture_bytes(cap):
    parts = [cap.header] if cap.fmt == "pcap" else []
    for item in cap.items:
        parts.append(encode_packet(cap, item) if isinstance(item, Packet) else item)
    return b"".join(parts)


def frame_map(cap):
    """For each frame of the original capture, its frame number in `cap` (None: removed)."""
    originals = max((p.origin or 0 for p in cap.packets()), default=0)
    out = [None] * originals
    for number, pkt in enumerate(cap.packets(), 1):
        if pkt.origin is not None and pkt.origin <= originals:
            out[pkt.origin - 1] = number
    return out


# ---------------------------------------------------------------------------------------------
# Link, IP and TCP headers


def be16(b, o):
    return (b[o] << 8) | b[o + 1]


def ip_offset(link, data):
    """Offset of the IP header for the link types of the shared captures, or None."""
    if link == 1:  # Ethernet, with 802.1Q/QinQ tags
        off = 12
        while off + 2 <= len(data) and be16(data, off) in (0x8100, 0x88A8):
            off += 4
        if off + 2 <= len(data) and be16(data, off) in (0x0800, 0x86DD):
            return off + 2
        return None
    if link == 113:  # Linux cooked v1
        return 16 if len(data) >= 16 and be16(data, 14) in (0x0800, 0x86DD) else None
    if link == 276:  # Linux cooked v2
        return 20 if len(data) >= 20 and be16(data, 0) in (0x0800, 0x86DD) else None
    if link in (0, 108):  # BSD loopback
        return 4
    if link in (101, 228, 229):
        return 0
    return None


def ipv4_checksum(header):
    total = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


class Tcp:
    """A decoded view of one packet's IP and TCP headers; setters edit the packet."""

    def __init__(self, pkt, link):
        self.pkt = pkt
        data = pkt.data
        ip = ip_offset(link, data)
        if ip is None or ip + 20 > len(data):
            raise ValueError("not IP")
        self.ip = ip
        self.version = data[ip] >> 4
        if self.version == 4:
            ihl = (data[ip] & 15) * 4
            if data[ip + 9] != 6:
                raise ValueError("not TCP")
            self.src, self.dst = data[ip + 12 : ip + 16], data[ip + 16 : ip + 20]
            self.tcp = ip + ihl
            ip_payload = be16(data, ip + 2) - ihl
        elif self.version == 6:
            if data[ip + 6] != 6:
                raise ValueError("not TCP")
            self.src, self.dst = data[ip + 8 : ip + 24], data[ip + 24 : ip + 40]
            self.tcp = ip + 40
            ip_payload = be16(data, ip + 4)
        else:
            raise ValueError("not IP")
        t = self.tcp
        if t + 20 > len(data):
            raise ValueError("TCP header cut")
        self.sport, self.dport, self.seq, self.ack = struct.unpack_from("!HHII", data, t)
        self.doff = (data[t + 12] >> 4) * 4
        self.flags = data[t + 13]
        self.payload_off = t + self.doff
        self.length = max(0, ip_payload - self.doff)

    @property
    def key(self):
        return (self.src, self.sport, self.dst, self.dport)

    def syn(self):
        return bool(self.flags & 0x02)

    def has_ack(self):
        return bool(self.flags & 0x10)

    def payload(self):
        return self.pkt.data[self.payload_off : self.payload_off + self.length]

    def _patch(self, offset, value):
        d = bytearray(self.pkt.data)
        d[offset : offset + len(value)] = value
        self.pkt.data = bytes(d)

    def set_seq(self, seq):
        self.seq = seq & MASK32
        self._patch(self.tcp + 4, struct.pack("!I", self.seq))

    def set_ack(self, ack):
        self.ack = ack & MASK32
        self._patch(self.tcp + 8, struct.pack("!I", self.ack))

    def sack_edges(self):
        """(offset, value) of every SACK block edge in the options."""
        data, off, end = self.pkt.data, self.tcp + 20, self.payload_off
        edges = []
        while off < end:
            kind = data[off]
            if kind == 0:
                break
            if kind == 1:
                off += 1
                continue
            if off + 1 >= end or data[off + 1] < 2:
                break
            length = data[off + 1]
            if kind == 5:
                for e in range(off + 2, off + length - 3, 4):
                    edges.append((e, struct.unpack_from("!I", data, e)[0]))
            off += length
        return edges

    def set_payload(self, payload):
        d = self.pkt.data
        self.pkt.data = d[: self.payload_off] + payload + d[self.payload_off + self.length :]
        self.length = len(payload)
        self.pkt.orig_len = len(self.pkt.data)
        self.fix_ip_length()

    def fix_ip_length(self):
        d = bytearray(self.pkt.data)
        ip = self.ip
        if self.version == 4:
            ihl = (d[ip] & 15) * 4
            struct.pack_into("!H", d, ip + 2, ihl + self.doff + self.length)
            struct.pack_into("!H", d, ip + 10, 0)
            struct.pack_into("!H", d, ip + 10, ipv4_checksum(bytes(d[ip : ip + ihl])))
        else:
            struct.pack_into("!H", d, ip + 4, self.doff + self.length)
        self.pkt.data = bytes(d)

    def set_ip_id(self, ident):
        if self.version == 4:
            d = bytearray(self.pkt.data)
            ihl = (d[self.ip] & 15) * 4
            struct.pack_into("!H", d, self.ip + 4, ident & 0xFFFF)
            struct.pack_into("!H", d, self.ip + 10, 0)
            struct.pack_into(
                "!H", d, self.ip + 10, ipv4_checksum(bytes(d[self.ip : self.ip + ihl]))
            )
            self.pkt.data = bytes(d)

    def ip_id(self):
        return be16(self.pkt.data, self.ip + 4) if self.version == 4 else 0

    def header_length(self):
        return self.payload_off


def tcp_of(cap, pkt):
    try:
        return Tcp(pkt, cap.link(pkt))
    except (ValueError, IndexError, struct.error):
        return None


# ---------------------------------------------------------------------------------------------
# TCP streams: find a connection, read a direction's bytes, and edit them consistently


def signed32(x):
    x &= MASK32
    return x - (1 << 32) if x >= 1 << 31 else x


class Conn:
    """One TCP connection of a capture, by its server port; `c2s`/`s2c` are direction keys."""

    def __init__(self, cap, server_port):
        self.cap = cap
        self.base = {}
        for pkt in cap.packets():
            t = tcp_of(cap, pkt)
            if t is None or not t.syn():
                continue
            if t.dport == server_port and not t.has_ack():
                self.c2s = t.key
                self.s2c = (t.dst, t.dport, t.src, t.sport)
                self.base[self.c2s] = (t.seq + 1) & MASK32
            elif t.sport == server_port and t.has_ack():
                self.base[t.key] = (t.seq + 1) & MASK32
            if len(self.base) == 2:
                break
        if len(self.base) != 2:
            raise ValueError("no complete handshake on port %d" % server_port)

    def reverse(self, key):
        return self.s2c if key == self.c2s else self.c2s

    def views(self, key):
        """(file index in items, Tcp view) of every packet of that direction."""
        out = []
        for index, item in enumerate(self.cap.items):
            if isinstance(item, Packet):
                t = tcp_of(self.cap, item)
                if t is not None and t.key == key:
                    out.append((index, t))
        return out

    def rel(self, key, seq):
        return signed32(seq - self.base[key])

    def segments(self, key):
        """(file index, stream offset, Tcp) of every packet of that direction with payload."""
        return [(i, self.rel(key, t.seq), t) for i, t in self.views(key) if t.length > 0]

    def stream(self, key):
        """The direction's bytes in sequence order (retransmitted copies once)."""
        data = bytearray()
        for _, start, t in sorted(self.segments(key), key=lambda s: s[1]):
            payload = t.payload()
            if start > len(data):
                raise ValueError("hole in the stream at %d" % len(data))
            if start + len(payload) > len(data):
                data += payload[len(data) - start :]
        return bytes(data)

    def shift(self, key, at, end, delta, after_index):
        """Bytes of `key` at stream offset >= `end` move by `delta`: later segments' seq, the
        reverse direction's acks and SACK edges. A packet exactly at `at` == `end` (an
        insertion point) moves only if it comes after file index `after_index`."""
        for index, t in self.views(key):
            s = self.rel(key, t.seq)
            if t.syn():
                continue
            if t.length > 0:
                if at != end and s <= at and s + t.length >= end:
                    pass  # the segment holding an in-place edit: patched by the caller
                elif s >= end:
                    t.set_seq(t.seq + delta)
                elif s + t.length <= at:
                    pass
                else:
                    raise ValueError("segment [%d, %d) splits the edit" % (s, s + t.length))
            else:
                if s > end or (s == end and (at != end or index > after_index)):
                    t.set_seq(t.seq + delta)
                elif at < s < end:
                    raise ValueError("bare segment inside the edit")
        for index, t in self.views(self.reverse(key)):
            if t.has_ack():
                a = self.rel(key, t.ack)
                if a > at and a >= end:
                    t.set_ack(t.ack + delta)
                elif at < a < end:
                    raise ValueError("ack inside the edit")
            for offset, edge in t.sack_edges():
                e = self.rel(key, edge)
                if e > at and e >= end:
                    t._patch(offset, struct.pack("!I", (edge + delta) & MASK32))

    def replace(self, key, at, old, new):
        """Replaces the bytes `old` at stream offset `at` (inside one segment) with `new`."""
        holders = [
            (i, s, t)
            for i, s, t in self.segments(key)
            if s <= at and at + len(old) <= s + t.length
        ]
        if not holders:
            raise ValueError("no single segment holds the edit")
        for _, s, t in holders:
            payload = t.payload()
            if payload[at - s : at - s + len(old)] != old:
                raise ValueError("stream bytes differ from %r" % old)
        self.shift(key, at, at + len(old), len(new) - len(old), holders[0][0])
        for _, s, t in holders:
            payload = t.payload()
            t.set_payload(payload[: at - s] + new + payload[at - s + len(old) :])
        return [self.cap.items[i] for i, _, _ in holders]

    def insert_segments(self, key, at, data, mss):
        """Inserts `data` at stream offset `at` (a segment boundary) as new segments as large as
        `mss` allows (less the TCP options the connection carries), right after the segment
        that ends there. Returns the new packets."""
        ending = [(i, t) for i, s, t in self.segments(key) if s + t.length == at]
        if not ending:
            raise ValueError("no segment ends at %d" % at)
        index, template = ending[0]
        size = mss - (template.doff - 20)
        self.shift(key, at, at, len(data), index)
        items = self.cap.items
        t0 = template.pkt.ts
        later = [it for it in items[index + 1 :] if isinstance(it, Packet)]
        t1 = later[0].ts if later else t0 + (len(data) // size + 2) * 1000
        chunks = [data[o : o + size] for o in range(0, len(data), size)]
        new = []
        for n, chunk in enumerate(chunks):
            ts = t0 + (t1 - t0) * (n + 1) // (len(chunks) + 1) if t1 > t0 else t0
            pkt = Packet(ts, template.pkt.data, template.pkt.orig_len, template.pkt.iface, b"")
            pkt.kind = "pcap" if self.cap.fmt == "pcap" else "epb"
            t = Tcp(pkt, self.cap.link(pkt))
            t.set_seq(self.base[key] + at + n * size)
            t.flags = 0x18  # PSH, ACK
            t._patch(t.tcp + 13, bytes([t.flags]))
            t.set_payload(chunk)
            t.set_ip_id(template.ip_id() + n + 1)
            new.append(pkt)
        items[index + 1 : index + 1] = new
        return new


def mss_of(cap, key):
    """MSS option of the SYN sent by that direction (default 1460)."""
    for pkt in cap.packets():
        t = tcp_of(cap, pkt)
        if t is None or t.key != key or not t.syn():
            continue
        data, off, end = pkt.data, t.tcp + 20, t.payload_off
        while off + 1 < end:
            kind = data[off]
            if kind == 0:
                break
            if kind == 1:
                off += 1
                continue
            if kind == 2 and data[off + 1] == 4:
                return be16(data, off + 2)
            off += max(2, data[off + 1])
    return 1460


def frame_of(cap, pkt):
    for number, p in enumerate(cap.packets(), 1):
        if p is pkt:
            return number
    raise ValueError("packet not in capture")


def find_segment(conn, key, prefix, occurrence=1):
    """(stream offset, Tcp) of the n-th segment of `key` whose payload starts with `prefix`."""
    seen = 0
    for _, s, t in conn.segments(key):
        if t.payload().startswith(prefix):
            seen += 1
            if seen == occurrence:
                return s, t
    raise ValueError("no segment %d starting with %r" % (occurrence, prefix))


def header_value_at(conn, key, seg_prefix, header, occurrence=1):
    """(stream offset, bytes) of a header's value in the segment found by `find_segment`."""
    start, t = find_segment(conn, key, seg_prefix, occurrence)
    payload = t.payload()
    head_end = payload.find(b"\r\n\r\n")
    pos = payload.lower().find(b"\r\n" + header.lower() + b":", 0, head_end)
    if pos < 0:
        raise ValueError("no %r header" % header)
    pos += 2 + len(header) + 1
    while payload[pos : pos + 1] == b" ":
        pos += 1
    end = payload.find(b"\r\n", pos)
    return start + pos, payload[pos:end]


def rtsp_items(stream):
    """Walks a direction's bytes as RTSP messages and `$` frames; returns (offset, kind, length)
    and checks that the stream ends on an item boundary."""
    out, off = [], 0
    while off < len(stream):
        if stream[off] == 0x24:
            if off + 4 > len(stream):
                raise ValueError("interleaved header cut at %d" % off)
            length = 4 + be16(stream, off + 2)
            out.append((off, "interleaved", length))
        else:
            end = stream.find(b"\r\n\r\n", off)
            if end < 0:
                raise ValueError("message head cut at %d" % off)
            head = stream[off:end].lower()
            body = 0
            for line in head.split(b"\r\n")[1:]:
                if line.startswith(b"content-length:"):
                    body = int(line.split(b":", 1)[1])
            length = end + 4 - off + body
            out.append((off, "message", length))
        off += length
    if off != len(stream):
        raise ValueError("stream ends inside an item")
    return out


# ---------------------------------------------------------------------------------------------
# Synthetic packets (for the cases made from nothing, or added to a real capture)


def ipv4_tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", ident=0, options=b"",
             macs=b"\x02\0\0\0\0\x01\x02\0\0\0\0\x02"):
    options = pad4(options)
    tcp = struct.pack(
        "!HHIIBBHHH", sport, dport, seq & MASK32, ack & MASK32,
        (20 + len(options)) // 4 << 4, flags, 65535, 0, 0,
    ) + options
    total = 20 + len(tcp) + len(payload)
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident & 0xFFFF, 0x4000, 64, 6, 0,
                               src, dst))
    struct.pack_into("!H", ip, 10, ipv4_checksum(bytes(ip)))
    return macs + b"\x08\x00" + bytes(ip) + tcp + payload


class Writer:
    """Streams packets to a pcapng (one Ethernet interface, ns timestamps) or a classic pcap
    (ns), for the cases too large to hold as a list."""

    def __init__(self, path, fmt="pcapng"):
        self.f = open(path, "wb")
        self.fmt = fmt
        self.count = 0
        if fmt == "pcapng":
            shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
            self.f.write(encode_block("<", 0x0A0D0D0A, shb))
            idb = struct.pack("<HHI", 1, 0, 0) + struct.pack("<HHB", 9, 1, 9) + b"\0" * 3
            self.f.write(encode_block("<", 1, idb + b"\0" * 4))
        else:
            self.f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))

    def write(self, ts_ns, data):
        self.count += 1
        if self.fmt == "pcapng":
            head = struct.pack("<IIIII", 0, ts_ns >> 32, ts_ns & MASK32, len(data), len(data))
            self.f.write(encode_block("<", 6, head + pad4(data)))
        else:
            self.f.write(struct.pack("<IIII", ts_ns // 10**9, ts_ns % 10**9, len(data),
                                     len(data)) + data)

    def close(self):
        self.f.close()


# ---------------------------------------------------------------------------------------------
# The cases. Each returns its manifest entry; `ctx` has the output folder and the sources.


class Ctx:
    def __init__(self, outdir, captures):
        self.outdir = outdir
        self.captures = captures

    def source(self, name):
        return os.path.join(self.captures, name)

    def load(self, name):
        return read_capture(self.source(name))

    def out(self, name):
        return os.path.join(self.outdir, name)


C01 = "01_ffmpeg-tcp-av_gst.pcapng"
C02 = "02_ffmpeg-udp-av_gst.pcap"
C04 = "04_gst-rtspsrc-tcp_gst.pcapng"
C10 = "10_scripted-errors_gst.pcapng"


def write_derived(ctx, cap, filename, source, what, **facts):
    with open(ctx.out(filename), "wb") as f:
        f.write(capture_bytes(cap))
    entry = {"file": filename, "source": source, "what": what,
             "packets": len(cap.packets()), "frame_map": frame_map(cap)}
    entry.update(facts)
    return entry


def cut_last_record(ctx, source, filename, what):
    cap = ctx.load(source)
    last = cap.packets()[-1]
    cut = last.offset + last.size // 2
    with open(ctx.source(source), "rb") as f:
        raw = f.read()
    with open(ctx.out(filename), "wb") as f:
        f.write(raw[:cut])
    n = len(cap.packets())
    return {"file": filename, "source": source, "what": what % (n, cut - last.offset, last.size),
            "packets": n - 1, "cut_offset": cut, "cut_frame": n,
            "frame_map": list(range(1, n)) + [None]}


def case_truncated_last_packet(ctx):
    return cut_last_record(
        ctx, C04, "truncated-last-packet.pcapng",
        "04 cut in the middle of its last packet block (frame %d): %d of its %d bytes kept")


def case_truncated_last_packet_pcap(ctx):
    return cut_last_record(
        ctx, C02, "truncated-last-packet-pcap.pcap",
        "02 (classic pcap) cut in the middle of its last record (frame %d): %d of %d bytes kept")


def case_snaplen_64(ctx):
    cap = ctx.load(C02)
    cut = tcp = tcp_cut = tcp_payload = 0
    for pkt in cap.packets():
        t = tcp_of(cap, pkt)
        if t is not None:
            tcp += 1
            tcp_cut += t.payload_off > 64
            tcp_payload += t.length > 0
        if len(pkt.data) > 64:
            pkt.data = pkt.data[:64]
            cut += 1
    e = cap.endian
    cap.header = cap.header[:16] + struct.pack(e + "I", 64) + cap.header[20:]
    return write_derived(
        ctx, cap, "snaplen-64.pcap", C02,
        "02 (classic pcap) with every record cut to 64 bytes (snaplen 64): %d records cut; "
        "%d of its %d TCP packets have their header (with options) cut, and no byte of any TCP "
        "payload is left" % (cut, tcp_cut, tcp),
        records_cut=cut, tcp_packets=tcp, tcp_headers_cut=tcp_cut, tcp_with_payload=tcp_payload)


def case_garbage_on_rtsp_port(ctx):
    cap = ctx.load(C10)
    conn = Conn(cap, 8554)
    at, _ = find_segment(conn, conn.c2s, b"DESCRIBE ", 2)
    # No '$' in it: an interleaved frame header made of random bytes could not be told from a
    # real one by any framer, and would swallow the request after it.
    garbage = Prng(1).randbytes(4096, exclude=b"$")
    new = conn.insert_segments(conn.c2s, at, garbage, mss_of(cap, conn.c2s))
    frame = frame_of(cap, new[0])
    return write_derived(
        ctx, cap, "garbage-on-rtsp-port.pcapng", C10,
        "10 with 4096 random bytes (no '$') inserted as its own segment (frame %d) in the "
        "client's stream at offset %d, between the PLAY that gets 454 and the second DESCRIBE"
        % (frame, at),
        bad_frames=[frame], stream_offset=at, inserted_bytes=len(garbage))


def rewrite_header(ctx, filename, source, seg_prefix, header, value, occurrence, direction, what):
    cap = ctx.load(source)
    conn = Conn(cap, 8554)
    key = conn.c2s if direction == "c2s" else conn.s2c
    at, old = header_value_at(conn, key, seg_prefix, header, occurrence)
    holders = conn.replace(key, at, old, value)
    frame = frame_of(cap, holders[0])
    return write_derived(
        ctx, cap, filename, source, what % (frame, old.decode(), value.decode()),
        bad_frames=[frame], stream_offset=at, old_value=old.decode(), new_value=value.decode())


def case_content_length_4g(ctx):
    return rewrite_header(
        ctx, "content-length-4g.pcapng", C10, b"RTSP/1.0 200 OK\r\nCSeq: 4\r\n",
        b"Content-Length", b"4294967296", 1, "s2c",
        "10 with the DESCRIBE 200 reply's (frame %d) Content-Length %s rewritten to %s; the "
        "server's stream shifted to match")


def case_content_length_negative(ctx):
    return rewrite_header(
        ctx, "content-length-negative.pcapng", C10, b"RTSP/1.0 200 OK\r\nCSeq: 4\r\n",
        b"Content-Length", b"-1", 1, "s2c",
        "10 with the DESCRIBE 200 reply's (frame %d) Content-Length %s rewritten to %s; the "
        "server's stream shifted to match")


def case_cseq_2_64(ctx):
    return rewrite_header(
        ctx, "cseq-2-64.pcapng", C10, b"OPTIONS * ", b"CSeq", b"18446744073709551616", 1, "c2s",
        "10 with the first request's (OPTIONS *, frame %d) CSeq %s rewritten to %s (2^64, one "
        "more than fits 64 bits); the client's stream shifted to match")


def case_header_line_100mb(ctx):
    cap = ctx.load(C10)
    conn = Conn(cap, 8554)
    at, _ = find_segment(conn, conn.c2s, b"DESCRIBE ", 2)
    # No CSeq: between the PLAY's 3 and the DESCRIBE's 4 there is no number to give it, and a
    # repeated or backward CSeq would be a second anomaly.
    line = b"X-Filler: " + b"x" * (100 * 1024 * 1024)
    request = (b"OPTIONS rtsp://127.0.0.1:8554/test RTSP/1.0\r\n" + line +
               b"\r\nUser-Agent: make-bad-captures\r\n\r\n")
    mss = mss_of(cap, conn.c2s)
    new = conn.insert_segments(conn.c2s, at, request, mss)
    first, last = frame_of(cap, new[0]), frame_of(cap, new[-1])
    return write_derived(
        ctx, cap, "header-line-100mb.pcapng", C10,
        "10 with an OPTIONS request holding a 100 MiB header line inserted before the second "
        "DESCRIBE, in %d segments of MSS %d, frames %d-%d" % (len(new), mss, first, last),
        bad_frames=list(range(first, last + 1)), stream_offset=at, inserted_bytes=len(request))


def case_interleaved_past_end(ctx):
    cap = ctx.load(C01)
    conn = Conn(cap, 8554)
    stream = conn.stream(conn.s2c)
    rtsp_items(stream)  # the server's stream ends on a message or frame boundary
    at = len(stream)
    bogus = b"$\x00\xff\xff" + Prng(2).randbytes(6)
    new = conn.insert_segments(conn.s2c, at, bogus, mss_of(cap, conn.s2c))
    index = cap.items.index(new[-1])
    cap.items = cap.items[: index + 1] + [
        it for it in cap.items[index + 1 :] if not isinstance(it, Packet)
    ]
    frame = frame_of(cap, new[0])
    return write_derived(
        ctx, cap, "interleaved-past-end.pcapng", C01,
        "01 with a '$' frame header (channel 0, length 65535) and 6 payload bytes appended to "
        "the server's stream as frame %d, then the capture ends (the original's last packet, "
        "the client's RST, is dropped)" % frame,
        bad_frames=[frame], stream_offset=at)


def case_binary_not_rtsp(ctx):
    cap = ctx.load(C04)
    rng = Prng(3)
    pkts = cap.packets()
    link = cap.link(pkts[0])
    if link != 1:
        raise ValueError("binary-not-rtsp needs an Ethernet capture")
    macs = pkts[0].data[:12]
    t_first, t_last = pkts[0].ts, pkts[-1].ts
    cli, srv = bytes([10, 77, 0, 2]), bytes([10, 77, 0, 1])
    cport, sport = 40554, 554
    ciss, siss = 0x1000, 0x7FFF0000
    mss = struct.pack("!BBH", 2, 4, 1460)
    flow = [
        (cli, srv, cport, sport, ciss, 0, 0x02, b"", mss),
        (srv, cli, sport, cport, siss, ciss + 1, 0x12, b"", mss),
        (cli, srv, cport, sport, ciss + 1, siss + 1, 0x10, b"", b""),
    ]
    cnext, snext, per_direction = ciss + 1, siss + 1, 96 * 1024
    csent = ssent = 0
    while csent < per_direction or ssent < per_direction:
        for client_side in (True, False):
            size = 64 + rng.below(1400)
            payload = rng.randbytes(size)
            if client_side and csent < per_direction:
                flow.append((cli, srv, cport, sport, cnext, snext, 0x18, payload, b""))
                cnext, csent = cnext + size, csent + size
            elif not client_side and ssent < per_direction:
                flow.append((srv, cli, sport, cport, snext, cnext, 0x18, payload, b""))
                snext, ssent = snext + size, ssent + size
    flow += [
        (cli, srv, cport, sport, cnext, snext, 0x11, b"", b""),
        (srv, cli, sport, cport, snext, cnext + 1, 0x11, b"", b""),
        (cli, srv, cport, sport, cnext + 1, snext + 1, 0x10, b"", b""),
    ]
    added = []
    for n, (src, dst, sp, dp, seq, ack, flags, payload, opts) in enumerate(flow):
        ts = t_first + (t_last - t_first) * (2 * n + 1) // (2 * len(flow))
        data = ipv4_tcp(src, dst, sp, dp, seq, ack, flags, payload, n, opts, macs)
        pkt = Packet(ts, data, len(data), pkts[0].iface, b"", "epb")
        added.append(pkt)
    # Merge by time: stable, the capture's own packets first at equal times.
    merged, queue = [], list(added)
    for item in cap.items:
        if isinstance(item, Packet):
            while queue and queue[0].ts < item.ts:
                merged.append(queue.pop(0))
        merged.append(item)
    merged += queue
    cap.items = merged
    frames = [frame_of(cap, p) for p in added]
    return write_derived(
        ctx, cap, "binary-not-rtsp.pcapng", C04,
        "04 merged by time with a TCP connection 10.77.0.2:%d -> 10.77.0.1:%d (%d packets, "
        "handshake, %d random bytes each way, FIN) that carries nothing but random bytes"
        % (cport, sport, len(added), per_direction),
        bad_frames=frames, random_bytes_per_direction=per_direction)


# Fields whose value the inspector has no use for: a flip there must change nothing.
HARMLESS_FIELDS = {"eth.dst", "eth.src", "ip.tos", "ip.id", "ip.ttl", "ip.checksum",
                   "tcp.window", "tcp.checksum", "tcp.urgent", "tcp.flags.psh",
                   "tcp.options.timestamp"}

IPV4_FIELDS = [(1, "ip.version-ihl"), (2, "ip.tos"), (4, "ip.total-length"), (6, "ip.id"),
               (8, "ip.flags-fragment"), (9, "ip.ttl"), (10, "ip.protocol"), (12, "ip.checksum"),
               (16, "ip.src"), (20, "ip.dst")]
TCP_FIELDS = [(2, "tcp.srcport"), (4, "tcp.dstport"), (8, "tcp.seq"), (12, "tcp.ack"),
              (13, "tcp.data-offset"), (14, "tcp.flags"), (16, "tcp.window"),
              (18, "tcp.checksum"), (20, "tcp.urgent")]
TCP_FLAG_BITS = ["fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr"]


def header_field(link, t, byte, bit):
    """The name of the header field that holds bit `bit` of byte `byte` (of the original)."""
    if link == 1 and byte < 14:
        return "eth.dst" if byte < 6 else "eth.src" if byte < 12 else "eth.type"
    if t is None:
        return "other"
    if byte < t.tcp:
        rel = byte - t.ip
        for end, name in IPV4_FIELDS if t.version == 4 else []:
            if rel < end:
                return name
        return "ip.other"
    rel = byte - t.tcp
    for end, name in TCP_FIELDS:
        if rel < end:
            if name == "tcp.flags":
                return "tcp.flags." + TCP_FLAG_BITS[bit]
            return name
    # Inside the options: the values of a timestamp option are of no use to the inspector,
    # the kind and length bytes that frame the options are.
    data, off = t.pkt.data, t.tcp + 20
    while off < t.payload_off:
        kind = data[off]
        if kind in (0, 1):
            if off == byte:
                return "tcp.options.kind"
            off += 1
            continue
        length = data[off + 1] if off + 1 < t.payload_off else 2
        if byte < off + 2:
            return "tcp.options.kind" if byte == off else "tcp.options.length"
        if byte < off + max(length, 2):
            return "tcp.options.timestamp" if kind == 8 else "tcp.options.value"
        off += max(length, 2)
    return "tcp.options"


def case_bitflips_headers(ctx):
    cap = ctx.load(C10)
    rng = Prng(4)
    flipped = []
    for number, pkt in enumerate(cap.packets(), 1):
        if rng.below(100) >= 5:
            continue
        t = tcp_of(cap, pkt)
        header = t.header_length() if t is not None else min(len(pkt.data), 54)
        byte = rng.below(header)
        bit = rng.below(8)
        field = header_field(cap.link(pkt), t, byte, bit)
        d = bytearray(pkt.data)
        d[byte] ^= 1 << bit
        pkt.data = bytes(d)
        flipped.append({"frame": number, "byte": byte, "bit": bit, "field": field,
                        "harmless": field in HARMLESS_FIELDS})
    return write_derived(
        ctx, cap, "bitflips-headers.pcapng", C10,
        "10 with one random bit flipped in the Ethernet/IP/TCP headers of %d of its %d packets "
        "(5%%, seed 4); checksums not fixed" % (len(flipped), len(cap.packets())),
        bad_frames=[f["frame"] for f in flipped], flips=flipped)


def block_length(ctx, filename, value):
    cap = ctx.load(C10)
    pkts = cap.packets()
    victim = pkts[len(pkts) // 2]
    with open(ctx.source(C10), "rb") as f:
        raw = bytearray(f.read())
    struct.pack_into(cap.endian + "I", raw, victim.offset + 4, value)
    with open(ctx.out(filename), "wb") as f:
        f.write(raw)
    frame = victim.origin
    return {"file": filename, "source": C10,
            "what": "10 with the leading block-length field of frame %d's block (file offset %d) "
                    "set to %d (0x%X); the block's trailing length is left as it was"
                    % (frame, victim.offset, value, value),
            "packets": len(pkts), "bad_frames": [frame], "block_offset": victim.offset,
            "packets_before": frame - 1, "frame_map": list(range(1, len(pkts) + 1))}


def case_pcapng_block_length_0(ctx):
    return block_length(ctx, "pcapng-block-length-0.pcapng", 0)


def case_pcapng_block_length_max(ctx):
    return block_length(ctx, "pcapng-block-length-max.pcapng", 0xFFFFFFFF)


def case_timestamp_backwards(ctx):
    cap = ctx.load(C10)
    conn = Conn(cap, 8554)
    # The PLAY that resumes after the PAUSE: the session is in Ready; a tracker that takes this
    # time as the session's last activity would see an hour pass at the next packet.
    _, t = find_segment(conn, conn.c2s, b"PLAY rtsp://127.0.0.1:8554/test RTSP", 3)
    t.pkt.ts -= 3600 * cap.units(t.pkt)
    frame = frame_of(cap, t.pkt)
    return write_derived(
        ctx, cap, "timestamp-backwards.pcapng", C10,
        "10 with frame %d (the PLAY after the PAUSE) timestamped one hour earlier than it was"
        % frame, bad_frames=[frame], seconds=-3600)


def case_ack_before_data(ctx):
    cap = ctx.load(C10)
    conn = Conn(cap, 8554)
    # The PLAY on a stream URL and the 460 that answers (and acknowledges) it, in swapped order,
    # timestamps too: what a capture on a mirror port or a multi-queue NIC shows now and then.
    _, request = find_segment(conn, conn.c2s, b"PLAY rtsp://127.0.0.1:8554/test/stream=0 ")
    _, reply = find_segment(conn, conn.s2c, b"RTSP/1.0 460 ")
    items = cap.items
    i, j = items.index(request.pkt), items.index(reply.pkt)
    if j != i + 1:
        raise ValueError("the 460 does not follow its request")
    request.pkt.ts, reply.pkt.ts = reply.pkt.ts, request.pkt.ts
    items[i], items[j] = items[j], items[i]
    return write_derived(
        ctx, cap, "ack-before-data.pcapng", C10,
        "10 with the PLAY on a stream URL (now frame %d) and the 460 that acknowledges it (now "
        "frame %d) in swapped order: the ACK of the request's bytes comes before them"
        % (frame_of(cap, request.pkt), frame_of(cap, reply.pkt)),
        bad_frames=[frame_of(cap, reply.pkt), frame_of(cap, request.pkt)])


def case_first_request_lost(ctx):
    cap = ctx.load(C10)
    conn = Conn(cap, 8554)
    # The capture missed the connection's first request (OPTIONS *); the server's reply
    # acknowledges its bytes. The hole comes before anything shows the connection is RTSP.
    _, request = find_segment(conn, conn.c2s, b"OPTIONS * ")
    frame = frame_of(cap, request.pkt)
    cap.items.remove(request.pkt)
    return write_derived(
        ctx, cap, "first-request-lost.pcapng", C10,
        "10 without frame %d, the client's first request (OPTIONS *, %d bytes): the capture "
        "missed it, the server's reply acknowledges it" % (frame, request.length),
        lost_frame=frame, lost_bytes=request.length,
        bad_frames=[frame, frame + 1, frame + 2])


def case_not_a_capture(ctx):
    with open(ctx.out("not-a-capture.bin"), "wb") as f:
        f.write(Prng(5).randbytes(4096))
    return {"file": "not-a-capture.bin", "source": None, "packets": 0,
            "what": "4096 random bytes: not a capture at all"}


def case_empty_file(ctx):
    open(ctx.out("empty-file.pcap"), "wb").close()
    return {"file": "empty-file.pcap", "source": None, "packets": 0,
            "what": "a file of zero bytes named .pcap"}


# --- heavy, synthetic


def case_many_pipelined_requests(ctx, count=1_000_000):
    path = ctx.out("many-pipelined-requests.pcapng")
    w = Writer(path)
    cli, srv, cport, sport = bytes([10, 1, 0, 2]), bytes([10, 1, 0, 1]), 40000, 554
    ciss, siss, ts = 1000, 50000, 1_700_000_000 * 10**9
    w.write(ts, ipv4_tcp(cli, srv, cport, sport, ciss, 0, 0x02))
    w.write(ts + 1000, ipv4_tcp(srv, cli, sport, cport, siss, ciss + 1, 0x12))
    w.write(ts + 2000, ipv4_tcp(cli, srv, cport, sport, ciss + 1, siss + 1, 0x10))
    seq, buf, segments, ident = ciss + 1, bytearray(), 0, 0
    mss = 65000

    def flush(final=False):
        nonlocal seq, buf, segments, ident
        while len(buf) >= mss or (final and buf):
            chunk = bytes(buf[:mss])
            del buf[:mss]
            segments += 1
            ident += 1
            t = ts + 10_000 + segments * 1000
            w.write(t, ipv4_tcp(cli, srv, cport, sport, seq, siss + 1, 0x18, chunk, ident))
            seq += len(chunk)
            w.write(t + 10, ipv4_tcp(srv, cli, sport, cport, siss + 1, seq, 0x10))

    for n in range(1, count + 1):
        buf += b"OPTIONS * RTSP/1.0\r\nCSeq: %d\r\n\r\n" % n
        if len(buf) >= mss:
            flush()
    flush(final=True)
    w.close()
    return {"file": os.path.basename(path), "source": None, "packets": w.count,
            "what": "one TCP connection with %d tiny OPTIONS requests pipelined in %d segments "
                    "of %d bytes, never answered" % (count, segments, mss),
            "requests": count}


def case_many_connections_ooo(ctx, count=100_000):
    path = ctx.out("many-connections-ooo.pcapng")
    w = Writer(path)
    srv, ts = bytes([10, 2, 0, 1]), 1_700_000_000 * 10**9
    payload = b"OPTIONS rtsp://10.2.0.1/x RTSP/1.0\r\nCSeq: 2\r\n\r\n"
    for n in range(count):
        cli = bytes([10, 3 + (n >> 16), (n >> 8) & 255, n & 255])
        iss = (n * 2654435761) & MASK32
        w.write(ts + n * 20_000, ipv4_tcp(cli, srv, 30000 + n % 30000, 554, iss, 0, 0x02))
        # 40 bytes (the first request) never arrive; the second is held out of order forever.
        w.write(ts + n * 20_000 + 10_000,
                ipv4_tcp(cli, srv, 30000 + n % 30000, 554, iss + 1 + 40, 0, 0x18, payload))
    w.close()
    return {"file": os.path.basename(path), "source": None, "packets": w.count,
            "what": "%d TCP connections, each a SYN and one segment 40 bytes past the next "
                    "expected byte, a hole that never fills" % count, "connections": count}


def case_syn_flood(ctx, count=1_000_000):
    path = ctx.out("syn-flood.pcap")
    w = Writer(path, "pcap")
    srv, ts = bytes([10, 4, 0, 1]), 1_700_000_000 * 10**9
    rng = Prng(6)
    for n in range(count):
        r = rng.next()
        cli = bytes([11, (r >> 8) & 255, (r >> 16) & 255, (r >> 24) & 255])
        w.write(ts + n * 1000, ipv4_tcp(cli, srv, 1024 + (r >> 32) % 64000, 554, r >> 40, 0,
                                         0x02, b"", n))
    w.close()
    return {"file": os.path.basename(path), "source": None, "packets": count,
            "what": "%d SYNs from random addresses and ports to port 554, nothing else "
                    "(classic pcap, ns)" % count}


CASES = {name: globals()["case_" + name.replace("-", "_")] for name in NORMAL_CASES + HEAVY_CASES}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("cases", nargs="*", help="cases to write (default: every normal case)")
    ap.add_argument("--captures", default=DEFAULT_CAPTURES, help="the shared captures folder")
    ap.add_argument("--heavy", action="store_true", help="also the three large synthetic cases")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    args = ap.parse_args(argv)
    if args.list:
        for name in NORMAL_CASES:
            print(name)
        for name in HEAVY_CASES:
            print(name, "(heavy)")
        return 0
    names = args.cases or (NORMAL_CASES + (HEAVY_CASES if args.heavy else []))
    unknown = [n for n in names if n not in CASES]
    if unknown:
        ap.error("unknown case(s): %s" % ", ".join(unknown))
    os.makedirs(args.outdir, exist_ok=True)
    ctx = Ctx(args.outdir, args.captures)
    manifest_path = os.path.join(args.outdir, "manifest.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    for name in names:
        manifest[name] = CASES[name](ctx)
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
