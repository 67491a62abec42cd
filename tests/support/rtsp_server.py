#!/usr/bin/python3
"""A small real RTSP server for the live-capture tests: GStreamer's RTSP server (GstRtspServer)
with one mount, /live, serving a test pattern as H.264 (x264enc) or, where x264 is missing,
as Motion JPEG. It binds 127.0.0.1 on a port the system picks (or --port), prints
"READY <port>" on stdout once it listens, and exits on SIGTERM/SIGINT or after --lifetime
seconds, so a test that dies never leaves it behind for long.

Needs /usr/bin/python3 with PyGObject and gir1.2-gst-rtsp-server-1.0 (scripts/setup).
"""

import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def pipeline(codec: str) -> str:
    source = "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1"
    if codec == "h264":
        encode = "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 ! rtph264pay name=pay0 pt=96 config-interval=1"
    else:
        encode = "jpegenc quality=60 ! rtpjpegpay name=pay0 pt=26"
    return f"( {source} ! {encode} )"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--codec", choices=["auto", "h264", "jpeg"], default="auto")
    parser.add_argument("--lifetime", type=float, default=120.0, help="seconds before it exits")
    args = parser.parse_args()

    Gst.init(None)
    codec = args.codec
    if codec == "auto":
        codec = "h264" if Gst.ElementFactory.find("x264enc") else "jpeg"

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(pipeline(codec))
    factory.set_shared(True)
    server.get_mount_points().add_factory("/live", factory)
    if server.attach(None) == 0:
        print(f"cannot listen on 127.0.0.1:{args.port}", file=sys.stderr)
        return 1

    loop = GLib.MainLoop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)
    GLib.timeout_add(int(args.lifetime * 1000), loop.quit)
    print(f"READY {server.get_bound_port()} {codec}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
