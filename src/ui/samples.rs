//! The bundled captures (`captures/` of the repository), compiled into the binary so that the
//! start screen offers them wherever the program is run from. They are small (under 200 KB
//! each); the README's table says what each shows.

/// One bundled capture.
#[derive(Debug, PartialEq, Eq)]
pub struct Sample {
    /// The file name, as in `captures/`.
    pub name: &'static str,
    pub about: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! sample {
    ($name:literal, $about:literal) => {
        Sample {
            name: $name,
            about: $about,
            bytes: include_bytes!(concat!("../../captures/", $name)),
        }
    };
}

pub static SAMPLES: &[Sample] = &[
    sample!(
        "10_scripted-errors_gst.pcapng",
        "A real server's 404/454/455/405/460/451 replies, pipelining"
    ),
    sample!(
        "04_gst-rtspsrc-tcp_gst.pcapng",
        "rtspsrc over TCP: PLAY, PAUSE, TEARDOWN"
    ),
    sample!(
        "09_session-timeout_gst-rtspsrc-udp-stopped_gst.pcapng",
        "The server times the session out while the client is frozen"
    ),
    sample!(
        "01_ffmpeg-tcp-av_gst.pcapng",
        "ffmpeg over TCP interleaved; TEARDOWN without reply, RST"
    ),
    sample!("02_ffmpeg-udp-av_gst.pcap", "ffmpeg over UDP; classic pcap"),
    sample!("19_rtsp2_gst-rtspsrc-tcp_gst.pcapng", "RTSP/2.0 end to end"),
    sample!(
        "07_auth-basic_gst-rtspsrc-udp_gst.pcapng",
        "Basic auth: a 401, then every request with credentials (View → Reveal credentials)"
    ),
];

/// The capture "Learn the RTSP handshake" opens: the clean exchange between real peers
/// (ffmpeg and GStreamer's server, over UDP): OPTIONS, DESCRIBE, SETUP ×2, PLAY, 4 s of RTP,
/// TEARDOWN, every request answered 200. A copy of the shared capture 02, kept in assets/.
pub static LEARN: Sample = Sample {
    name: "learn-rtsp-handshake_ffmpeg-udp_gst.pcap",
    about: "The RTSP handshake step by step: OPTIONS, DESCRIBE, SETUP ×2, PLAY, media, TEARDOWN",
    bytes: include_bytes!("../../assets/learn-rtsp-handshake_ffmpeg-udp_gst.pcap"),
};

pub fn by_name(name: &str) -> Option<&'static Sample> {
    SAMPLES
        .iter()
        .chain(std::iter::once(&LEARN))
        .find(|s| s.name == name)
}
