//! Real messages from real cameras and servers (shared/camera-messages, from retina's test
//! data) through the framer and the header readers. Each is framed whole and then split in two
//! at every byte, and must come out the same.

use std::path::PathBuf;

use rtsp_inspector::capture::Timestamp;
use rtsp_inspector::rtsp::headers::{self, LowerTransport, Range, SessionHeader, TransportSpec};
use rtsp_inspector::rtsp::{Framer, FramerEvent, Message, StartLine, Version};

#[path = "support/framing.rs"]
mod framing;
use framing::{Ev, normalize};

fn data_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/camera-messages"
    ))
}

fn read(file: &str) -> Vec<u8> {
    let path = data_dir().join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ts(frame: u64) -> Timestamp {
    Timestamp::from_secs_nanos(1_600_000_000, frame as i64 * 1000)
}

/// Feeds the chunks as frames 1, 2, ... and finishes.
fn feed(chunks: &[&[u8]]) -> Vec<FramerEvent> {
    let mut framer = Framer::new();
    let mut events = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let frame = i as u64 + 1;
        framer.push_data(chunk, frame, ts(frame), &mut |e| events.push(e));
    }
    framer.finish(&mut |e| events.push(e));
    events
}

/// Frames one message, whole and split at every byte, checks what holds for any message and
/// returns it.
fn frame_one(data: &[u8]) -> Message {
    let mut framer = Framer::new();
    let mut before_finish = Vec::new();
    framer.push_data(data, 1, ts(1), &mut |e| before_finish.push(e));
    assert_eq!(
        before_finish.len(),
        1,
        "one message, out before finish(): {before_finish:?}"
    );
    assert!(framer.saw_rtsp());
    let whole = feed(&[data]);
    let [FramerEvent::Message(message)] = &whole[..] else {
        panic!("expected one message, got {whole:?}");
    };
    assert!(message.complete);
    assert!(message.head.malformed_lines.is_empty(), "{message:?}");
    assert_eq!(
        (message.stream_offset, message.first_frame, message.frame),
        (0, 1, 1)
    );
    assert_eq!((message.first_ts, message.ts), (ts(1), ts(1)));
    let length = message.head_length as u64 + message.declared_body_length;
    assert_eq!(
        length,
        data.len() as u64,
        "Content-Length is the body's length"
    );
    assert_eq!(message.body_received, message.declared_body_length);
    assert_eq!(message.body.as_deref(), data.get(message.head_length..));
    assert_eq!(
        message
            .head
            .header("Content-Length")
            .map(|v| headers::content_length(v).unwrap()),
        (message.declared_body_length > 0).then_some(message.declared_body_length)
    );

    let expected = normalize(&whole);
    for split in 0..=data.len() {
        let (a, b) = data.split_at(split);
        let events = feed(&[a, b]);
        assert_eq!(normalize(&events), expected, "split at {split}");
        let [FramerEvent::Message(m)] = &events[..] else {
            unreachable!()
        };
        // The frame of the message is the one with its last byte, as in tshark.
        let last = if split == data.len() { 1 } else { 2 };
        let first = if split == 0 { 2 } else { 1 };
        assert_eq!((m.first_frame, m.frame), (first, last), "split at {split}");
        assert_eq!(
            (m.first_ts, m.ts),
            (ts(first), ts(last)),
            "split at {split}"
        );
    }
    let chunks: Vec<&[u8]> = data.chunks(1).collect();
    assert_eq!(normalize(&feed(&chunks)), expected, "a byte at a time");
    message.as_ref().clone()
}

fn camera(file: &str) -> Message {
    frame_one(&read(file))
}

/// An SDP without its RTSP head: not RTSP on its own; as the body of a DESCRIBE reply, kept
/// byte for byte.
fn sdp_only(file: &str) -> Message {
    let sdp = read(file);
    let mut framer = Framer::new();
    let mut events = Vec::new();
    framer.push_data(&sdp, 1, ts(1), &mut |e| events.push(e));
    framer.finish(&mut |e| events.push(e));
    assert!(!framer.saw_rtsp());
    let garbage: u64 = events
        .iter()
        .map(|e| match e {
            FramerEvent::Garbage { length, .. } => *length,
            other => panic!("an SDP alone is not RTSP: {other:?}"),
        })
        .sum();
    assert_eq!(garbage, sdp.len() as u64);

    let mut reply = format!(
        "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n",
        sdp.len()
    )
    .into_bytes();
    reply.extend_from_slice(&sdp);
    let message = frame_one(&reply);
    assert_eq!(message.body.as_deref(), Some(&sdp[..]));
    message
}

fn status(message: &Message) -> u16 {
    match &message.head.start {
        StartLine::Response { status, .. } => *status,
        other => panic!("not a response: {other:?}"),
    }
}

fn cseq(message: &Message) -> u64 {
    headers::cseq(message.head.header("CSeq").expect("CSeq")).expect("CSeq number")
}

fn session(message: &Message) -> SessionHeader {
    SessionHeader::parse(message.head.header("Session").expect("Session")).expect("Session id")
}

fn transport(message: &Message) -> TransportSpec {
    let specs = headers::parse_transport(message.head.header("Transport").expect("Transport"));
    assert_eq!(specs.len(), 1, "{specs:?}");
    specs.into_iter().next().unwrap()
}

/// A 200 reply with that CSeq.
fn ok_reply(message: &Message, expected_cseq: u64) {
    assert_eq!(status(message), 200);
    assert_eq!(cseq(message), expected_cseq);
    assert!(matches!(
        &message.head.start,
        StartLine::Response { version: Version::Rtsp10, reason, .. } if reason == "OK"
    ));
}

fn body_text(message: &Message) -> String {
    String::from_utf8(message.body.clone().expect("body")).expect("UTF-8 SDP")
}

/// Named `rtsp_cameras::...` so that `cargo test rtsp` runs them.
mod rtsp_cameras {
    use super::*;

    /// Every file of the folder has a test here.
    #[test]
    fn all_files_covered() {
        let covered = [
            "anjvision_describe.txt",
            "anpviz_sdp.txt",
            "bad_rtptime.txt",
            "bunny_describe.txt",
            "bunny_play.txt",
            "bunny_setup.txt",
            "dahua_describe_h264_aac_onvif.txt",
            "dahua_describe_h265_pcma.txt",
            "dahua_options.txt",
            "dahua_play.txt",
            "dahua_setup.txt",
            "foscam_describe.txt",
            "geovision_sdp.txt",
            "gw_main_describe.txt",
            "gw_main_play.txt",
            "gw_main_setup_audio.txt",
            "gw_main_setup_video.txt",
            "gw_sub_describe.txt",
            "gw_sub_play.txt",
            "gw_sub_setup.txt",
            "h264dvr_describe.txt",
            "h264dvr_play.txt",
            "h264dvr_setup_audio.txt",
            "h264dvr_setup_video.txt",
            "hikvision_describe.txt",
            "hikvision_play.txt",
            "hikvision_setup.txt",
            "hikvision_setup_ssrc_space.txt",
            "ipcam_describe.txt",
            "laureii_play.txt",
            "longse_unauthorized.txt",
            "luckfox_rkipc_setup_tcp.txt",
            "luckfox_rkipc_setup_udp.txt",
            "macrovideo_describe.txt",
            "missing_content_type_describe.txt",
            "reolink_describe.txt",
            "reolink_describe_control_first.txt",
            "reolink_play.txt",
            "reolink_setup.txt",
            "reolink_teardown.txt",
            "request.txt",
            "response.txt",
            "tplink_sdp.txt",
            "ubiquiti_sdp.txt",
            "vstarcam_describe.txt",
        ];
        let mut present: Vec<String> = std::fs::read_dir(data_dir())
            .expect("camera-messages")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".txt") && n != "LICENSE-MIT.txt")
            .collect();
        present.sort();
        assert_eq!(present, covered);
    }

    #[test]
    fn anjvision_describe_content_base_without_scheme() {
        let m = camera("anjvision_describe.txt");
        ok_reply(&m, 1);
        assert_eq!(
            m.head.header("Content-Base"),
            Some("192.168.1.10:554/stream0/")
        );
        assert_eq!(m.declared_body_length, 888);
        assert!(body_text(&m).contains("a=rtpmap:96 H265/90000"));
    }

    #[test]
    fn anpviz_sdp_alone_is_not_rtsp() {
        let m = sdp_only("anpviz_sdp.txt");
        assert!(
            body_text(&m).ends_with("a=appversion:1.0"),
            "no final CR LF"
        );
    }

    #[test]
    fn wowza_play_rtp_info_with_negative_rtptime() {
        let m = camera("bad_rtptime.txt");
        ok_reply(&m, 3);
        assert_eq!(m.head.headers[0].0, "Notes");
        let info = headers::rtp_info(m.head.header("RTP-Info").unwrap());
        assert_eq!(info.len(), 2);
        assert_eq!(info[0].url, "trackID=1");
        assert_eq!((info[0].seq, info[0].rtptime), (Some(1), None));
        assert_eq!(info[1].rtptime, None);
        let s = session(&m);
        assert_eq!((s.id.as_str(), s.timeout_secs), ("551045787", Some(60)));
    }

    #[test]
    fn wowza_bunny_describe_sdp_and_session_timeout() {
        let m = camera("bunny_describe.txt");
        ok_reply(&m, 1);
        assert_eq!(m.declared_body_length, 589);
        let s = session(&m);
        assert_eq!((s.id.as_str(), s.timeout_secs), ("1642021126", Some(60)));
        assert_eq!(m.head.header("content-type"), Some("application/sdp"));
        assert!(body_text(&m).contains("a=control:trackID=2"));
    }

    #[test]
    fn wowza_bunny_play_rtp_info_and_range() {
        let m = camera("bunny_play.txt");
        ok_reply(&m, 3);
        let info = headers::rtp_info(m.head.header("RTP-Info").unwrap());
        assert_eq!(info.len(), 2);
        assert_eq!(
            info[1].url,
            "rtsp://wowzaec2demo.streamlock.net/vod/mp4:BigBuckBunny_115k.mov/trackID=2"
        );
        assert_eq!((info[1].seq, info[1].rtptime), (Some(1), Some(0)));
        let range = Range::parse(m.head.header("Range").unwrap()).unwrap();
        assert_eq!(
            (range.unit.as_str(), range.start, range.end),
            ("npt", Some(0.0), Some(596.48))
        );
    }

    #[test]
    fn wowza_bunny_setup_interleaved_tcp() {
        let m = camera("bunny_setup.txt");
        ok_reply(&m, 2);
        let t = transport(&m);
        assert_eq!(t.profile, "RTP/AVP");
        assert_eq!(t.lower, LowerTransport::Tcp);
        assert_eq!((t.unicast, t.interleaved), (Some(true), Some((0, 1))));
        assert_eq!(session(&m).id, "1642021126");
    }

    #[test]
    fn dahua_describe_h264_aac_onvif_metadata_track() {
        let m = camera("dahua_describe_h264_aac_onvif.txt");
        ok_reply(&m, 3);
        assert_eq!(m.declared_body_length, 705);
        assert_eq!(
            m.head.header("Content-Base"),
            Some(
                "rtsp://192.168.5.111:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif/"
            )
        );
        assert!(body_text(&m).contains("vnd.onvif.metadata/90000"));
    }

    #[test]
    fn dahua_describe_h265_pcma() {
        let m = camera("dahua_describe_h265_pcma.txt");
        ok_reply(&m, 3);
        assert_eq!(m.declared_body_length, 531);
        assert!(body_text(&m).contains("a=rtpmap:98 H265/90000"));
    }

    #[test]
    fn dahua_options_public_methods_and_session() {
        let m = camera("dahua_options.txt");
        ok_reply(&m, 5);
        assert_eq!(
            headers::public_methods(m.head.header("Public").unwrap()),
            [
                "OPTIONS",
                "DESCRIBE",
                "ANNOUNCE",
                "SETUP",
                "PLAY",
                "RECORD",
                "PAUSE",
                "TEARDOWN",
                "SET_PARAMETER",
                "GET_PARAMETER"
            ]
        );
        assert_eq!(session(&m).id, "136527041864");
        assert_eq!(m.body.as_deref(), Some(&b""[..]));
    }

    #[test]
    fn dahua_play_rtp_info_three_streams() {
        let m = camera("dahua_play.txt");
        ok_reply(&m, 7);
        let info = headers::rtp_info(m.head.header("RTP-Info").unwrap());
        let seqs: Vec<_> = info
            .iter()
            .map(|i| (i.url.as_str(), i.seq, i.rtptime))
            .collect();
        assert_eq!(
            seqs,
            [
                ("trackID=0", Some(47121), Some(3475222385)),
                ("trackID=1", Some(45186), Some(2234446919)),
                ("trackID=4", Some(36583), Some(816418535)),
            ]
        );
        let range = Range::parse(m.head.header("Range").unwrap()).unwrap();
        assert_eq!((range.start, range.end), (Some(0.0), None));
    }

    #[test]
    fn dahua_setup_interleaved_with_uppercase_ssrc() {
        let m = camera("dahua_setup.txt");
        ok_reply(&m, 4);
        let t = transport(&m);
        assert_eq!(t.interleaved, Some((0, 1)));
        assert_eq!(t.ssrc.as_deref(), Some("30A98EE7"));
        let s = session(&m);
        assert_eq!((s.id.as_str(), s.timeout_secs), ("634214675641", Some(60)));
    }

    #[test]
    fn foscam_describe_nonstandard_port() {
        let m = camera("foscam_describe.txt");
        ok_reply(&m, 2);
        assert_eq!(
            m.head.header("Content-Base"),
            Some("rtsp://192.168.5.107:65534/videoMain/")
        );
        assert_eq!(m.declared_body_length, 518);
    }

    #[test]
    fn geovision_sdp_alone_is_not_rtsp() {
        let m = sdp_only("geovision_sdp.txt");
        assert!(body_text(&m).contains("a=control:rtsp://192.168.5.237/media/video1/video"));
    }

    #[test]
    fn gw_security_main_describe_sdp() {
        let m = camera("gw_main_describe.txt");
        ok_reply(&m, 1);
        assert_eq!(m.head.header("Server"), Some("Rtsp Server/2.0"));
        assert_eq!(m.declared_body_length, 451);
    }

    #[test]
    fn gw_security_main_play_space_before_timeout() {
        let m = camera("gw_main_play.txt");
        ok_reply(&m, 4);
        let s = session(&m);
        assert_eq!((s.id.as_str(), s.timeout_secs), ("9a90de54", Some(120)));
        let info = headers::rtp_info(m.head.header("RTP-Info").unwrap());
        assert_eq!(info[0].url, "rtsp://192.168.1.110:5050/H264/video");
        assert_eq!(
            (info[0].seq, info[0].rtptime),
            (Some(271), Some(1621990950))
        );
    }

    fn gw_setup(file: &str, cseq: u64, channels: (u8, u8)) {
        let m = camera(file);
        ok_reply(&m, cseq);
        let t = transport(&m);
        assert_eq!(t.lower, LowerTransport::Tcp);
        assert_eq!(t.interleaved, Some(channels));
        assert_eq!(t.destination.as_deref(), Some("192.168.1.210"));
        assert_eq!(t.source.as_deref(), Some("192.168.1.110"));
        assert_eq!(session(&m).timeout_secs, Some(60));
    }

    #[test]
    fn gw_security_main_setup_audio_interleaved_2_3_with_addresses() {
        gw_setup("gw_main_setup_audio.txt", 3, (2, 3));
    }

    #[test]
    fn gw_security_main_setup_video_interleaved_0_1_with_addresses() {
        gw_setup("gw_main_setup_video.txt", 2, (0, 1));
    }

    #[test]
    fn gw_security_sub_describe_sdp() {
        let m = camera("gw_sub_describe.txt");
        ok_reply(&m, 1);
        assert_eq!(m.declared_body_length, 338);
    }

    #[test]
    fn gw_security_sub_play_space_before_timeout() {
        let m = camera("gw_sub_play.txt");
        ok_reply(&m, 3);
        let s = session(&m);
        assert_eq!((s.id.as_str(), s.timeout_secs), ("9b0d0e54", Some(120)));
    }

    #[test]
    fn gw_security_sub_setup_interleaved_0_1_with_addresses() {
        gw_setup("gw_sub_setup.txt", 2, (0, 1));
    }

    #[test]
    fn h264dvr_describe_cseq_header_in_other_case() {
        let m = camera("h264dvr_describe.txt");
        ok_reply(&m, 3);
        assert!(m.head.headers.iter().any(|(n, _)| n == "Cseq"));
        assert_eq!(m.declared_body_length, 418);
    }

    #[test]
    fn h264dvr_play_session_without_timeout() {
        let m = camera("h264dvr_play.txt");
        ok_reply(&m, 6);
        let s = session(&m);
        assert_eq!((s.id.as_str(), s.timeout_secs), ("231970", None));
        let range = Range::parse(m.head.header("Range").unwrap()).unwrap();
        assert_eq!((range.start, range.end), (None, None));
    }

    fn h264dvr_setup(file: &str, cseq: u64, client: (u16, u16), server: (u16, u16)) {
        let m = camera(file);
        ok_reply(&m, cseq);
        let t = transport(&m);
        assert_eq!(t.lower, LowerTransport::Udp);
        assert_eq!(t.profile, "RTP/AVP");
        assert_eq!((t.client_port, t.server_port), (Some(client), Some(server)));
        assert_eq!(t.ssrc.as_deref(), Some("0"));
        assert_eq!(t.mode.as_deref(), Some("PLAY"));
        assert_eq!(t.source.as_deref(), Some("127.0.0.1"));
    }

    #[test]
    fn h264dvr_setup_audio_udp_ports_and_ssrc_zero() {
        h264dvr_setup("h264dvr_setup_audio.txt", 5, (18716, 18717), (40006, 40007));
    }

    #[test]
    fn h264dvr_setup_video_udp_ports_and_ssrc_zero() {
        h264dvr_setup("h264dvr_setup_video.txt", 4, (18714, 18715), (40004, 40005));
    }

    #[test]
    fn hikvision_describe_absolute_control_urls() {
        let m = camera("hikvision_describe.txt");
        ok_reply(&m, 1);
        assert_eq!(m.declared_body_length, 902);
        assert!(body_text(&m).contains(
            "a=control:rtsp://192.168.5.106:554/Streaming/Channels/101/trackID=1?transportmode=unicast&profile=Profile_1"
        ));
    }

    #[test]
    fn hikvision_play_session_after_spaces() {
        let m = camera("hikvision_play.txt");
        ok_reply(&m, 3);
        assert_eq!(session(&m).id, "708345999");
        assert_eq!(m.head.header("Date"), Some("Wed, May 05 2021 21:51:17 GMT"));
    }

    #[test]
    fn hikvision_setup_quoted_lowercase_mode() {
        let m = camera("hikvision_setup.txt");
        ok_reply(&m, 2);
        let t = transport(&m);
        assert_eq!(t.mode.as_deref(), Some("play"));
        assert_eq!(t.ssrc.as_deref(), Some("4cacc3d1"));
        let s = session(&m);
        assert_eq!((s.id.as_str(), s.timeout_secs), ("708345999", Some(60)));
    }

    #[test]
    fn hikvision_setup_ssrc_with_space() {
        let m = camera("hikvision_setup_ssrc_space.txt");
        ok_reply(&m, 3);
        let t = transport(&m);
        assert_eq!(t.ssrc.as_deref(), Some("d6d6627"));
        assert_eq!(t.interleaved, Some((0, 1)));
        assert_eq!(session(&m).id, "708886412");
    }

    #[test]
    fn ipcam_describe_repeated_header() {
        let m = camera("ipcam_describe.txt");
        ok_reply(&m, 1);
        let notes = m
            .head
            .headers
            .iter()
            .filter(|(n, _)| n == "x-notes")
            .count();
        assert_eq!(notes, 2);
        assert_eq!(m.declared_body_length, 476);
    }

    #[test]
    fn laureii_play_rtp_info_trailing_semicolon() {
        let m = camera("laureii_play.txt");
        ok_reply(&m, 5);
        let info = headers::rtp_info(m.head.header("RTP-Info").unwrap());
        assert_eq!(info.len(), 1);
        assert_eq!(info[0].url, "rtsp://192.168.1.19:554/0/main/trackID=0");
        assert_eq!((info[0].seq, info[0].rtptime), (Some(0), Some(0)));
    }

    #[test]
    fn longse_unauthorized_401() {
        let m = camera("longse_unauthorized.txt");
        assert_eq!(status(&m), 401);
        assert!(
            matches!(&m.head.start, StartLine::Response { reason, .. } if reason == "Unauthorized")
        );
        // "CSeq: 1 " with a trailing space.
        assert_eq!(cseq(&m), 1);
        assert_eq!(
            m.head.header("WWW-Authenticate"),
            Some("Digest realm=\"Surveillance Server\", nonce=\"98481030\"")
        );
    }

    #[test]
    fn luckfox_rkipc_setup_tcp_without_unicast() {
        let m = camera("luckfox_rkipc_setup_tcp.txt");
        ok_reply(&m, 2);
        let t = transport(&m);
        assert_eq!(t.unicast, None);
        assert_eq!(t.lower, LowerTransport::Tcp);
        assert_eq!(t.interleaved, Some((0, 1)));
        assert_eq!(t.ssrc.as_deref(), Some("22345684"));
    }

    #[test]
    fn luckfox_rkipc_setup_udp_ports() {
        let m = camera("luckfox_rkipc_setup_udp.txt");
        ok_reply(&m, 2);
        let t = transport(&m);
        assert_eq!(t.lower, LowerTransport::Udp);
        assert_eq!(t.client_port, Some((54060, 54061)));
        assert_eq!(t.server_port, Some((49152, 49153)));
        assert_eq!(session(&m).id, "12345678");
    }

    #[test]
    fn macrovideo_describe_sdp() {
        let m = camera("macrovideo_describe.txt");
        ok_reply(&m, 1);
        assert_eq!(m.declared_body_length, 350);
    }

    #[test]
    fn describe_without_content_type() {
        let m = camera("missing_content_type_describe.txt");
        ok_reply(&m, 1);
        assert_eq!(m.head.header("Content-Type"), None);
        assert_eq!(m.declared_body_length, 494);
        assert_eq!(session(&m).id, "l0TtlUFSR");
    }

    #[test]
    fn reolink_describe_sdp() {
        let m = camera("reolink_describe.txt");
        ok_reply(&m, 3);
        assert_eq!(m.declared_body_length, 734);
    }

    #[test]
    fn reolink_describe_control_first() {
        let m = camera("reolink_describe_control_first.txt");
        ok_reply(&m, 3);
        assert_eq!(m.declared_body_length, 734);
    }

    #[test]
    fn reolink_play_rtp_info_with_ssrc() {
        let m = camera("reolink_play.txt");
        ok_reply(&m, 6);
        let info = headers::rtp_info(m.head.header("RTP-Info").unwrap());
        assert_eq!(info.len(), 2);
        assert_eq!(info[0].ssrc.as_deref(), Some("dcc4a0d8"));
        assert_eq!(
            (info[1].seq, info[1].rtptime),
            (Some(39409), Some(3075976528))
        );
        assert_eq!(session(&m).id, "F8F8E425");
    }

    #[test]
    fn reolink_setup_interleaved_with_addresses() {
        let m = camera("reolink_setup.txt");
        ok_reply(&m, 4);
        let t = transport(&m);
        assert_eq!(t.interleaved, Some((0, 1)));
        assert_eq!(t.source.as_deref(), Some("192.168.5.206"));
    }

    #[test]
    fn reolink_teardown_reply_without_session() {
        let m = camera("reolink_teardown.txt");
        ok_reply(&m, 7);
        assert_eq!(m.head.header("Session"), None);
    }

    #[test]
    fn retina_describe_request() {
        let m = camera("request.txt");
        assert_eq!(
            m.head.start,
            StartLine::Request {
                method: "DESCRIBE".into(),
                uri: "rtsp://192.168.5.225/h264Preview_01_main".into(),
                version: Version::Rtsp10,
            }
        );
        assert_eq!(cseq(&m), 1);
        assert_eq!(m.head.header("Accept"), Some("application/sdp"));
    }

    #[test]
    fn wowza_describe_response() {
        let m = camera("response.txt");
        ok_reply(&m, 1);
        assert_eq!(m.declared_body_length, 589);
    }

    #[test]
    fn tplink_sdp_alone_is_not_rtsp() {
        let m = sdp_only("tplink_sdp.txt");
        assert!(body_text(&m).contains("m=application/TP-LINK 0 RTP/AVP smart/1/90000"));
    }

    #[test]
    fn ubiquiti_sdp_alone_is_not_rtsp() {
        let m = sdp_only("ubiquiti_sdp.txt");
        assert!(body_text(&m).contains("a=rtpmap:96 opus/48000/2"));
    }

    #[test]
    fn vstarcam_describe_cseq_in_other_case() {
        let m = camera("vstarcam_describe.txt");
        ok_reply(&m, 2);
        assert_eq!(m.head.headers[0].0, "Cseq");
        assert_eq!(m.declared_body_length, 403);
        assert!(body_text(&m).contains("m=audio 0 RTP/AVP 8\t \r\n"));
    }

    // ---- bunny-interleaved.rtsp: a raw TCP stream of `$` frames ----

    fn bunny() -> Vec<u8> {
        read("bunny-interleaved.rtsp")
    }

    /// Frames per channel, and that nothing else came out.
    fn interleaved_counts(events: &[Ev]) -> [usize; 256] {
        let mut counts = [0; 256];
        for e in events {
            match e {
                Ev::Interleaved {
                    channel,
                    complete: true,
                    ..
                } => counts[usize::from(*channel)] += 1,
                other => panic!("only whole frames expected, got {other:?}"),
            }
        }
        counts
    }

    #[test]
    fn bunny_interleaved_frames_per_channel() {
        let data = bunny();
        let events = normalize(&feed(&[&data]));
        let counts = interleaved_counts(&events);
        assert_eq!((counts[0], counts[2]), (102, 269));
        assert_eq!(counts.iter().sum::<usize>(), 371);
        // The frames tile the stream.
        let mut offset = 0;
        for e in &events {
            if let Ev::Interleaved {
                offset: at, length, ..
            } = e
            {
                assert_eq!(*at, offset);
                offset += 4 + u64::from(*length);
            }
        }
        assert_eq!(offset, data.len() as u64);
    }

    #[test]
    fn bunny_interleaved_same_in_any_chunks() {
        let data = bunny();
        let expected = normalize(&feed(&[&data]));
        for size in [1, 7, 1000] {
            let chunks: Vec<&[u8]> = data.chunks(size).collect();
            assert_eq!(normalize(&feed(&chunks)), expected, "chunks of {size}");
        }
        // Random split points, reproducibly.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..20 {
            let mut chunks = Vec::new();
            let mut rest = &data[..];
            while !rest.is_empty() {
                let n = (next() % 4000) as usize + 1;
                let (a, b) = rest.split_at(n.min(rest.len()));
                chunks.push(a);
                rest = b;
            }
            assert_eq!(normalize(&feed(&chunks)), expected, "round {round}");
        }
    }

    #[test]
    fn bunny_interleaved_frame_numbers_are_those_of_the_last_byte() {
        let data = bunny();
        // Cut after the first frame's header and in the middle of its payload.
        let first_len = usize::from(u16::from_be_bytes([data[2], data[3]]));
        let events = feed(&[
            &data[..4],
            &data[4..20],
            &data[20..4 + first_len],
            &data[4 + first_len..],
        ]);
        match &events[0] {
            FramerEvent::Interleaved {
                channel,
                frame,
                ts: t,
                stream_offset,
                complete,
                ..
            } => {
                assert_eq!(
                    (*channel, *frame, *t, *stream_offset, *complete),
                    (2, 3, ts(3), 0, true)
                );
            }
            other => panic!("{other:?}"),
        }
    }

    /// Messages from the camera folder between the bunny frames, as an RTSP over TCP session
    /// looks: requests and replies with `$` frames around them, split at every byte.
    #[test]
    fn bunny_frames_between_camera_messages() {
        let data = bunny();
        let frame_end = |from: usize, frames: usize| {
            let mut at = from;
            for _ in 0..frames {
                at += 4 + usize::from(u16::from_be_bytes([data[at + 2], data[at + 3]]));
            }
            at
        };
        let (a, b) = (frame_end(0, 2), frame_end(0, 3));
        let mut stream = Vec::new();
        stream.extend_from_slice(&read("request.txt"));
        stream.extend_from_slice(&data[..a]);
        stream.extend_from_slice(&read("bunny_play.txt"));
        stream.extend_from_slice(&data[a..b]);
        stream.extend_from_slice(&read("response.txt"));
        let expected = normalize(&feed(&[&stream]));
        let kinds: Vec<&str> = expected
            .iter()
            .map(|e| match e {
                Ev::Message(m) if matches!(m.head.start, StartLine::Request { .. }) => "request",
                Ev::Message(_) => "response",
                Ev::Interleaved { complete: true, .. } => "frame",
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            ["request", "frame", "frame", "response", "frame", "response"]
        );
        for split in 0..=stream.len() {
            let (x, y) = stream.split_at(split);
            assert_eq!(normalize(&feed(&[x, y])), expected, "split at {split}");
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(normalize(&feed(&bytes)), expected, "a byte at a time");
    }
}
