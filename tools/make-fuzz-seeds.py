#!/usr/bin/env python3
"""Seeds for the fuzz targets (fuzz/src/lib.rs), cut from real captures.

    tools/make-fuzz-seeds.py OUTDIR [CAPTURE ...]

With no CAPTURE, reads every pcap/pcapng of ../shared/captures and captures/. Writes
OUTDIR/<target>/<name> for each target, every seed small (at most 32 KiB): fuzzing starts from
real traffic, and nothing large is ever committed (scripts/fuzz makes them in fuzz/seeds/, which
git ignores).

- capture_reader, pipeline: the first packets of each capture, re-encoded in its own format.
- tcp_reassembly: the TCP segments and ACKs of each connection in capture order, in the
  target's layout (op, seq, ts step, missing, len, payload; payloads cut short, the rest given
  as `missing` like a snap length would).
- rtsp_framer: each direction of each RTSP connection (messages and `$` frames), with a mode
  byte for the chunking.
- rtsp_head: each message head. rtsp_headers: the values of the headers the engine reads, with
  the target's selector byte. sdp: each SDP body.

Python 3 standard library only; reads captures with tools/make-bad-captures.py's reader.
"""

import hashlib
import importlib.util
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bad", os.path.join(HERE, "make-bad-captures.py"))
bad = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bad)

MAX_SEED = 32 * 1024
MAX_SEGMENTS = 48
MAX_PAYLOAD = 600
# The selector of fuzz/src/lib.rs's rtsp_headers, by header name.
HEADER_SELECTORS = ["transport", "session", "range", "rtp-info", "cseq", "authorization",
                    "public", "www-authenticate"]


def write(outdir, target, data):
    folder = os.path.join(outdir, target)
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def capture_seeds(outdir, cap):
    """The capture's first packets (and every block before them), up to MAX_SEED bytes."""
    head = [cap.header] if cap.fmt == "pcap" else []
    size = sum(len(h) for h in head)
    kept = []
    for item in cap.items:
        encoded = bad.encode_packet(cap, item) if isinstance(item, bad.Packet) else item
        if size + len(encoded) > MAX_SEED and kept:
            break
        kept.append(encoded)
        size += len(encoded)
    for n in (len(kept), min(len(kept), 12)):
        data = b"".join(head + kept[:n])
        write(outdir, "capture_reader", data)
        write(outdir, "pipeline", data)


def tcp_packets(cap):
    for pkt in cap.packets():
        t = bad.tcp_of(cap, pkt)
        if t is not None:
            yield pkt, t


def segment_seeds(outdir, cap):
    """Per connection: its segments and ACKs as the tcp_reassembly target reads them."""
    conns = {}
    for pkt, t in tcp_packets(cap):
        pair = tuple(sorted([(t.src, t.sport), (t.dst, t.dport)]))
        conns.setdefault(pair, []).append((pkt, t))
    for packets in conns.values():
        client = None
        for _, t in packets:
            if t.syn() and not t.has_ack():
                client = (t.src, t.sport)
                break
        if client is None:
            client = (packets[0][1].src, packets[0][1].sport)
        out = bytearray()
        last_ts = None
        count = 0
        for pkt, t in packets:
            units = cap.units(pkt)
            ts_ns = pkt.ts * 10**9 // units
            step = 0 if last_ts is None else (ts_ns - last_ts) // 1000
            step = max(-32768, min(32767, step))
            last_ts = ts_ns
            from_server = (t.src, t.sport) != client
            flags = (0x01 if t.syn() else 0) | (0x02 if t.flags & 1 else 0) | (
                0x04 if t.flags & 4 else 0) | (0x40 if from_server else 0)
            payload = t.payload()
            if not payload and not flags & 0x07:
                # A bare ACK: the other side's bytes acknowledged.
                out += struct.pack("<BIhHH", 0x08 | (0 if from_server else 0x40), t.ack, step, 0, 0)
            else:
                kept = payload[:MAX_PAYLOAD]
                missing = min(len(payload) - len(kept), 0xFFFF)
                out += struct.pack("<BIhHH", flags | 0x80, t.seq, step, missing, len(kept)) + kept
            count += 1
            if count >= MAX_SEGMENTS or len(out) > MAX_SEED:
                break
        write(outdir, "tcp_reassembly", bytes(out))


def rtsp_streams(cap):
    """(bytes of one direction) for each TCP connection whose handshake is in the capture."""
    ports = set()
    for _, t in tcp_packets(cap):
        if t.syn() and not t.has_ack():
            ports.add(t.dport)
    for port in sorted(ports):
        try:
            conn = bad.Conn(cap, port)
        except ValueError:
            continue
        for key in (conn.c2s, conn.s2c):
            try:
                yield conn.stream(key)
            except ValueError:
                continue


def stream_seeds(outdir, cap):
    for stream in rtsp_streams(cap):
        if not stream:
            continue
        cut = stream[:MAX_SEED - 1]
        for mode in (0x00, 0x06, 0x3F, 0x4B):
            write(outdir, "rtsp_framer", bytes([mode]) + cut)
        try:
            items = bad.rtsp_items(stream)
        except ValueError:
            items = []
        for off, kind, length in items:
            if kind != "message":
                continue
            message = stream[off:off + length]
            end = message.find(b"\r\n\r\n")
            head, body = message[:end + 4], message[end + 4:]
            write(outdir, "rtsp_head", head)
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower().decode("latin-1")
                if name in HEADER_SELECTORS:
                    write(outdir, "rtsp_headers",
                          bytes([HEADER_SELECTORS.index(name)]) + value.strip())
            if body.startswith(b"v="):
                write(outdir, "sdp", body)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    paths = sys.argv[2:]
    if not paths:
        for folder in (os.path.join(HERE, "..", "..", "shared", "captures"),
                       os.path.join(HERE, "..", "captures")):
            if os.path.isdir(folder):
                paths += [os.path.join(folder, f) for f in sorted(os.listdir(folder))
                          if f.endswith((".pcap", ".pcapng"))]
    for path in paths:
        cap = bad.read_capture(path)
        capture_seeds(outdir, cap)
        segment_seeds(outdir, cap)
        stream_seeds(outdir, cap)
    for target in sorted(os.listdir(outdir)):
        folder = os.path.join(outdir, target)
        print("%s: %d seeds" % (target, len(os.listdir(folder))))


if __name__ == "__main__":
    main()
