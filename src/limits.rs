//! Every limit the engine enforces on what comes from a capture or the network, in one place,
//! each with the reason for its value. Where the engine drops data because of one, it says so
//! in a finding.

/// Out-of-order bytes held per TCP direction while waiting for a hole to fill. A real RTSP
/// connection on a LAN rarely holds more than a window (64 KiB–4 MiB) in flight; past this the
/// hole is declared a capture gap and parsing resumes after it.
pub const MAX_OUT_OF_ORDER_BYTES: usize = 4 * 1024 * 1024;

/// Out-of-order segments held per TCP direction: bounds the bookkeeping for floods of tiny
/// segments that would stay under the byte cap.
pub const MAX_OUT_OF_ORDER_SEGMENTS: usize = 4096;

/// Longest RTSP start line plus headers. Real messages are under 4 KiB; cameras with long
/// Digest challenges and SDP-in-header quirks stay under 16 KiB. A head longer than this is
/// not RTSP (or is hostile) and is skipped.
pub const MAX_MESSAGE_HEAD: usize = 64 * 1024;

/// Largest body kept for display (SDP, parameters). Larger bodies are framed by their
/// Content-Length and skipped, never buffered.
pub const MAX_KEPT_BODY: usize = 64 * 1024;

/// Largest Content-Length believed. Beyond this (a 4 GB Content-Length) the length is taken
/// to be corrupt: the body is not waited for and the framer resynchronises on the next
/// message start.
pub const MAX_CONTENT_LENGTH: u64 = 16 * 1024 * 1024;

/// Headers kept per message: a real message has under 30.
pub const MAX_HEADERS: usize = 128;

/// TCP connections tracked at once before the oldest idle ones are forgotten (1 000 000 SYNs
/// must not mean a million flow entries).
pub const MAX_TCP_FLOWS: usize = 65_536;

/// Capture time a closed TCP connection (both FINs, or a reset) is kept after its last segment,
/// for late retransmissions and the last ACKs; then its state is dropped (the model keeps what
/// it showed). Linux's TIME_WAIT: a peer sending later than this breaks TCP. Without it, state
/// grew with every connection of the capture: 10 000 reconnecting clients held 20 MB of it.
pub const CLOSED_CONNECTION_LINGER_NANOS: i64 = 60_000_000_000;

/// Bytes of a stream that the framer scans for a message start after garbage or a gap before
/// it gives up on the rest of that chunk.
pub const MAX_RESYNC_SCAN: usize = 1024 * 1024;

/// Findings kept per code: a capture with a million bad frames reports the first ones and a
/// count, not a million lines.
pub const MAX_FINDINGS_PER_CODE: usize = 1000;

/// Requests waiting for a reply, per connection (a million pipelined requests).
pub const MAX_PENDING_REQUESTS: usize = 1024;

/// Messages remembered on a connection while no session exists yet (the OPTIONS and DESCRIBE
/// that lead to a SETUP). A handshake has a handful; a client polling OPTIONS for hours must
/// not grow this.
pub const MAX_PRE_STORY: usize = 64;

/// Bytes of a TCP connection's streams looked at before deciding it does not carry RTSP (no
/// RTSP message and no run of well-formed interleaved frames in them).
pub const RTSP_DETECTION_BYTES: u64 = 64 * 1024;

/// Framer events held per connection while deciding whether it carries RTSP.
pub const MAX_UNDECIDED_EVENTS: usize = 64;

/// Longest start line a framer that lost sync waits to see whole, and the longest URI it walks
/// back over from an `RTSP/1.0` to find where a request line began. Real start lines are under
/// 1 KiB even with long query strings; a hunt that waited for longer lines would hold more
/// bytes for every printable run in a binary payload.
pub const MAX_RESYNC_LINE: usize = 8 * 1024;

/// Farthest a TCP sequence or acknowledgement number may lie from the next expected byte and
/// still be believed. TCP's largest window is 65535 << 14 (just under 1 GiB), so a segment or
/// ACK further away than this cannot belong to the connection as seen: it is another
/// connection's, or corrupt, and is ignored instead of opening a gigabyte-sized gap.
pub const MAX_TCP_SEQ_JUMP: u32 = 1 << 30;

/// Out-of-order bytes held by all TCP directions together. `MAX_OUT_OF_ORDER_BYTES` bounds one
/// direction, but 65 536 flows each holding that much would be 256 GiB; past this total the
/// flow table gives up the holes of the connections it finds holding data (sweeping down to half
/// of it) so that memory stays bounded whatever the capture.
pub const MAX_OUT_OF_ORDER_BYTES_TOTAL: usize = 128 * 1024 * 1024;

/// Largest capture record (a pcap packet record or a pcapng block) the capture reader accepts;
/// its buffer grows to hold one such record and no further. Wireshark refuses pcapng blocks
/// over 16 MiB too, and no link layer this tool reads has packets over 256 KiB, so a larger
/// length is damage (a block claiming 4 GB must not make the reader allocate 4 GB).
pub const MAX_CAPTURE_RECORD: usize = 16 * 1024 * 1024;

/// pcapng interfaces (Interface Description Blocks) kept per capture. A real capture has a
/// handful, a `mergecap` of many files a few hundred; a file of nothing but IDBs must not grow
/// the table with the file.
pub const MAX_CAPTURE_INTERFACES: usize = 65_536;

/// Bytes of message headers and bodies the model keeps, over the whole capture. Each message
/// is bounded (`MAX_MESSAGE_HEAD`, `MAX_KEPT_BODY`) but their number is not: 100 000 messages
/// with 64 KiB bodies would be 6 GB. A real capture keeps a few MiB (a camera's day of
/// GET_PARAMETER keep-alives: 86 400 messages of about 150 bytes is 13 MiB); past this, a
/// message keeps only the headers the analysis reads and no body, and a finding says from
/// which message on.
pub const MAX_KEPT_DETAIL_BYTES: usize = 64 * 1024 * 1024;

/// Longest value of a header the analysis reads kept once `MAX_KEPT_DETAIL_BYTES` is spent
/// (real Transport and Session values are under 256 bytes).
pub const MAX_HEADER_VALUE_PAST_BUDGET: usize = 1024;

/// What the model costs besides that budget, per message: every message is kept (the ladder
/// and the report list them all), with its start line's strings and compact headers. Measured
/// (`/usr/bin/time -v rtsp-inspector report F --format json`, release): a million pipelined
/// `OPTIONS * RTSP/1.0` requests peak at 327 MiB, about this much a message plus the process
/// (401 MiB before the version and the standard methods became static strings).
/// With `MAX_KEPT_DETAIL_BYTES` this is the model's cap; the engine's state adds
/// `TRACKED_CONNECTION_BYTES` a connection tracked at once. README, development section, has
/// every hostile capture.
pub const MODEL_BYTES_PER_MESSAGE: usize = 340;

/// What a TCP connection costs while tracked (flow table, reassembly, framing and session
/// state), at most `MAX_TCP_FLOWS` of them at once; a closed one is dropped after
/// `CLOSED_CONNECTION_LINGER_NANOS`, leaving its model entry. Measured: a million SYNs (the
/// table full of 65 536 connections, nothing else) peak at 109-127 MiB, under 2 KiB a
/// connection plus the process; 100 000 connections each holding out-of-order data, 254-268 MiB.
pub const TRACKED_CONNECTION_BYTES: usize = 2560;
